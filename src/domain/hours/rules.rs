//! The rules every hour entry follows, whoever logs it.

use time::Date;

use crate::values::dates::{format_date, parse_date};
use crate::values::duration::{DurationError, Minutes, format_minutes};
use crate::values::kinds::{EntryStatus, PlacementStatus};
use crate::values::period::Period;

/// Most time one participant can log on one day, across all placements.
pub const MAX_MINUTES_PER_DAY: i32 = 12 * 60;

/// Most dates one submission may carry: a year of weekly meetings.
pub const MAX_DATES_AT_ONCE: usize = 53;

/// What is wrong with an entry, in words the person who typed it understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("Vul minstens één datum in, bijvoorbeeld 23/11/2026.")]
    NoDates,
    #[error("Hoogstens {MAX_DATES_AT_ONCE} datums tegelijk. Verdeel ze over meerdere keren.")]
    TooManyDates,
    #[error("\"{0}\" is geen datum. Schrijf bijvoorbeeld 23/11/2026.")]
    UnreadableDate(String),
    #[error("{} staat meer dan eens in de lijst.", format_date(*.0))]
    DuplicateDate(Date),
    #[error("{} valt voor het begin van de plaatsing ({}).", format_date(*.date), format_date(*.starts_on))]
    BeforeStart { date: Date, starts_on: Date },
    #[error("{} valt na het einde van de plaatsing ({}).", format_date(*.date), format_date(*.ends_on))]
    AfterEnd { date: Date, ends_on: Date },
    #[error("{} ligt in de toekomst: registreer uren nadat ze gepresteerd zijn.", format_date(*.0))]
    InFuture(Date),
    #[error(
        "Op {} staat al {} geregistreerd; met {} erbij is dat meer dan 12 uur op één dag.",
        format_date(*.date), format_minutes(*.already), format_minutes(i64::from(.adding.get()))
    )]
    DayLimit {
        date: Date,
        already: i64,
        adding: Minutes,
    },
    #[error("{0}")]
    Duration(DurationError),
    #[error("Hoogstens 12 uur per dag: vul een kortere duur in.")]
    LongerThanADay,
    #[error("Deze plaatsing is geannuleerd: er kunnen geen uren meer bij.")]
    PlacementCancelled,
    #[error("Deze inburgeraar heeft geen actief traject meer: er kunnen geen uren meer bij.")]
    ParticipantNotActive,
    #[error(
        "Deze uren zijn al {}: ze kunnen niet meer gewijzigd of verwijderd worden.",
        .0.label().to_lowercase()
    )]
    NotPending(EntryStatus),
    #[error(
        "Deze uren werden intussen door iemand anders gewijzigd. Bekijk ze opnieuw en probeer het nog eens."
    )]
    ChangedMeanwhile,
}

/// What was wrong with a list of dates, and the dates that could be read, so that the other
/// rules can still be checked on those and one answer names every problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateListError {
    pub readable: Vec<Date>,
    pub errors: Vec<EntryError>,
}

/// A list of dates as typed: one per line (commas and semicolons also separate), each
/// `23/11/2026` or ISO. Every bad or repeated date gets its own message.
pub fn parse_dates(input: &str) -> Result<Vec<Date>, DateListError> {
    let mut dates = Vec::new();
    let mut errors = Vec::new();
    for typed in input
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|typed| !typed.is_empty())
    {
        match parse_date(typed) {
            Ok(date) if dates.contains(&date) => {
                let error = EntryError::DuplicateDate(date);
                if !errors.contains(&error) {
                    errors.push(error);
                }
            }
            Ok(date) => dates.push(date),
            Err(_) => errors.push(EntryError::UnreadableDate(typed.to_string())),
        }
    }
    if dates.is_empty() && errors.is_empty() {
        errors.push(EntryError::NoDates);
    }
    if dates.len() > MAX_DATES_AT_ONCE {
        errors.push(EntryError::TooManyDates);
    }
    if errors.is_empty() {
        Ok(dates)
    } else {
        Err(DateListError {
            readable: dates,
            errors,
        })
    }
}

/// The duration of one entry: what [`Minutes::parse`] reads, and no more than a day allows.
pub fn parse_entry_minutes(input: &str) -> Result<Minutes, EntryError> {
    let minutes = Minutes::parse(input).map_err(EntryError::Duration)?;
    if minutes.get() > MAX_MINUTES_PER_DAY {
        return Err(EntryError::LongerThanADay);
    }
    Ok(minutes)
}

/// An entry's date lies inside its placement's period and not after today (in Belgium).
pub fn check_date(date: Date, period: Period, today: Date) -> Result<(), EntryError> {
    if date < period.starts_on() {
        Err(EntryError::BeforeStart {
            date,
            starts_on: period.starts_on(),
        })
    } else if date > period.ends_on() {
        Err(EntryError::AfterEnd {
            date,
            ends_on: period.ends_on(),
        })
    } else if date > today {
        Err(EntryError::InFuture(date))
    } else {
        Ok(())
    }
}

/// One participant logs at most [`MAX_MINUTES_PER_DAY`] on one day, across all placements;
/// `already` is what other (not rejected) entries of that day hold.
pub fn check_day_total(date: Date, already: i64, adding: Minutes) -> Result<(), EntryError> {
    if already + i64::from(adding.get()) > i64::from(MAX_MINUTES_PER_DAY) {
        Err(EntryError::DayLimit {
            date,
            already,
            adding,
        })
    } else {
        Ok(())
    }
}

/// Hours on a cancelled placement, or for a participant whose trajectory ended, are refused.
pub fn check_open(placement: PlacementStatus, participant_active: bool) -> Vec<EntryError> {
    let mut errors = Vec::new();
    if !placement.accepts_hours() {
        errors.push(EntryError::PlacementCancelled);
    }
    if !participant_active {
        errors.push(EntryError::ParticipantNotActive);
    }
    errors
}

#[cfg(test)]
mod entry_rule_tests {
    use super::*;

    use time::macros::date;

    fn november() -> Period {
        Period::new(date!(2026 - 11 - 01), date!(2026 - 11 - 30)).unwrap()
    }

    fn minutes(typed: &str) -> Minutes {
        Minutes::parse(typed).unwrap()
    }

    #[test]
    fn a_list_of_dates_takes_lines_and_both_notations() {
        let dates = parse_dates("23/11/2026\n2026-11-16\r\n  09/11/2026 \n\n").unwrap();
        assert_eq!(
            dates,
            [
                date!(2026 - 11 - 23),
                date!(2026 - 11 - 16),
                date!(2026 - 11 - 09)
            ]
        );
        assert_eq!(
            parse_dates("2/11/2026, 9/11/2026; 16/11/2026")
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn each_bad_date_gets_its_own_message_naming_it() {
        let refused = parse_dates("23/11/2026\n31/02/2026\nvolgende week\n23/11/2026").unwrap_err();
        assert_eq!(refused.readable, [date!(2026 - 11 - 23)]);
        let errors = refused.errors;
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "\"31/02/2026\" is geen datum. Schrijf bijvoorbeeld 23/11/2026.",
                "\"volgende week\" is geen datum. Schrijf bijvoorbeeld 23/11/2026.",
                "23/11/2026 staat meer dan eens in de lijst.",
            ]
        );
    }

    #[test]
    fn no_dates_or_too_many_are_refused() {
        assert_eq!(
            parse_dates(" \n ").unwrap_err().errors,
            [EntryError::NoDates]
        );
        let many: Vec<String> = (0..=MAX_DATES_AT_ONCE)
            .map(|week| {
                let day = date!(2026 - 01 - 01) + time::Duration::weeks(week as i64);
                crate::values::dates::format_date(day)
            })
            .collect();
        assert_eq!(
            parse_dates(&many.join("\n")).unwrap_err().errors,
            [EntryError::TooManyDates]
        );
        assert!(parse_dates(&many[..MAX_DATES_AT_ONCE].join("\n")).is_ok());
    }

    #[test]
    fn an_entry_lasts_at_most_twelve_hours() {
        assert_eq!(parse_entry_minutes("12u").map(Minutes::get), Ok(720));
        assert_eq!(
            parse_entry_minutes("12u01"),
            Err(EntryError::LongerThanADay)
        );
        assert_eq!(
            parse_entry_minutes("0"),
            Err(EntryError::Duration(DurationError::Zero))
        );
    }

    #[test]
    fn the_date_lies_in_the_period_and_not_in_the_future() {
        let today = date!(2026 - 11 - 20);
        assert_eq!(check_date(date!(2026 - 11 - 01), november(), today), Ok(()));
        assert_eq!(check_date(today, november(), today), Ok(()));
        assert_eq!(
            check_date(date!(2026 - 10 - 31), november(), today)
                .unwrap_err()
                .to_string(),
            "31/10/2026 valt voor het begin van de plaatsing (01/11/2026)."
        );
        assert_eq!(
            check_date(date!(2026 - 11 - 21), november(), today),
            Err(EntryError::InFuture(date!(2026 - 11 - 21)))
        );
        // After the end and in the future: the period is the clearer message.
        assert_eq!(
            check_date(date!(2026 - 12 - 01), november(), today)
                .unwrap_err()
                .to_string(),
            "01/12/2026 valt na het einde van de plaatsing (30/11/2026)."
        );
    }

    #[test]
    fn twelve_hours_a_day_across_placements() {
        let day = date!(2026 - 11 - 20);
        assert_eq!(check_day_total(day, 0, minutes("12u")), Ok(()));
        assert_eq!(check_day_total(day, 480, minutes("4u")), Ok(()));
        let refused = check_day_total(day, 480, minutes("4u30")).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Op 20/11/2026 staat al 8 u geregistreerd; met 4 u 30 erbij is dat meer dan 12 uur op één dag."
        );
    }

    #[test]
    fn cancelled_placements_and_ended_trajectories_take_no_hours() {
        assert!(check_open(PlacementStatus::Lopend, true).is_empty());
        assert!(check_open(PlacementStatus::Afgerond, true).is_empty());
        assert_eq!(
            check_open(PlacementStatus::Geannuleerd, false),
            [
                EntryError::PlacementCancelled,
                EntryError::ParticipantNotActive
            ]
        );
    }

    #[test]
    fn confirmed_entries_say_why_they_stay() {
        assert_eq!(
            EntryError::NotPending(EntryStatus::Bevestigd).to_string(),
            "Deze uren zijn al bevestigd: ze kunnen niet meer gewijzigd of verwijderd worden."
        );
        assert!(EntryStatus::Ingediend.is_pending());
        assert!(!EntryStatus::Bevestigd.is_pending());
    }
}
