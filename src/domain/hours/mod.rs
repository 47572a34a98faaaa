//! Time spent in a placement: the rules for hour entries (dates, the 12 hours a day, the
//! placement's period, never in the future), and logging, changing and removing them.
//! Durations themselves are `values::duration`.

mod entries;
mod log;
mod reported;
mod rules;

pub use entries::{
    Entry, EntryChange, EntryRow, delete_entry, get_entry, list_for_placement, update_entry,
};
pub use log::{EntriesError, NewEntries, log_entries};
pub use reported::{ReportedHours, report_hours};
pub use rules::{
    DateListError, EntryError, MAX_DATES_AT_ONCE, MAX_MINUTES_PER_DAY, check_date, check_day_total,
    check_open, parse_dates, parse_entry_minutes,
};
