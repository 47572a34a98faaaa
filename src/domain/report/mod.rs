//! Reports: the coordinator's dashboard, the working lists and the funder's figures.
//!
//! Every query takes the coordinator's region and scopes by it. Hours come from
//! `report_monthly_hours`, a summary of confirmed entries per region, month, municipality,
//! organisation and form that triggers keep equal to `hour_entries` (see the migration
//! `20261124170000_reports.sql`): the dashboard reads a few thousand rows rather than
//! summing millions of entries. Hours belong to the region and municipality of their
//! participant. Participants come from their own table, whose totals another trigger keeps.

mod dashboard;
mod funder;
mod lists;
mod period;

pub use self::dashboard::{
    Dashboard, DashboardView, Filter, HourTotals, NamedTotal, dashboard, hour_totals,
    organisations, participants_by_status,
};
pub use self::funder::{
    AgeBand, Completion, FunderFigures, FunderGroup, FunderLine, PeriodFigures, PeriodParticipant,
    age, funder_figures, funder_lines, period_participants,
};
pub use self::lists::{
    ListCounts, ListRow, PENDING_TOO_LONG_DAYS, PendingRow, WorkList, list_counts,
    pending_too_long, required_minutes, work_list,
};
pub use self::period::{MAX_PERIOD_MONTHS, Period, PeriodError, YearMonth};
pub use crate::values::kinds::PlacementKind;
