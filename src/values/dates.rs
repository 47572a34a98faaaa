//! Calendar days as Flemish users type and read them, and "today" in Flanders.

use std::sync::LazyLock;

use jiff::{Timestamp, tz::TimeZone};
use time::{Date, Month, OffsetDateTime, UtcOffset};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("Vul een datum in.")]
    Empty,
    #[error("Dit is geen datum. Schrijf bijvoorbeeld 23/11/2026.")]
    Unreadable,
}

/// Accepts what a date field sends (`2026-11-23`) and what people type (`23/11/2026`,
/// `23-11-2026`, `23.11.2026`, `23/11/26`).
pub fn parse_date(input: &str) -> Result<Date, DateError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(DateError::Empty);
    }
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(DateError::Unreadable);
    };
    let number = |s: &str| -> Result<i32, DateError> {
        if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DateError::Unreadable);
        }
        s.parse().map_err(|_| DateError::Unreadable)
    };
    let (year, month, day) = if a.len() == 4 {
        (number(a)?, number(b)?, number(c)?)
    } else {
        let year = match c.len() {
            2 => 2000 + number(c)?,
            4 => number(c)?,
            _ => return Err(DateError::Unreadable),
        };
        (year, number(b)?, number(a)?)
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(DateError::Unreadable)?;
    let day = u8::try_from(day).map_err(|_| DateError::Unreadable)?;
    // Four-digit years only: `0000-01-01` is a typo, and could not be shown back as typed.
    if !(1000..=9999).contains(&year) {
        return Err(DateError::Unreadable);
    }
    Date::from_calendar_date(year, month, day).map_err(|_| DateError::Unreadable)
}

/// `23/11/2026`.
pub fn format_date(date: Date) -> String {
    format!(
        "{:02}/{:02}/{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// The ISO form a `<input type="date">` wants as its value.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Today in Belgium (CET, or CEST in summer as the time zone database says),
/// whatever time zone the server runs in.
pub fn today() -> Date {
    brussels_date(OffsetDateTime::now_utc())
}

pub fn brussels_date(now: OffsetDateTime) -> Date {
    in_belgium(now).date()
}

/// The same moment on a Belgian clock.
pub fn in_belgium(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(brussels_offset(at))
}

/// Belgian time of a moment: `23/11/2026 14:05`.
pub fn format_moment(at: OffsetDateTime) -> String {
    let local = in_belgium(at);
    format!(
        "{} {:02}:{:02}",
        format_date(local.date()),
        local.hour(),
        local.minute()
    )
}

/// Belgium's zone from the IANA time zone database: the machine's copy when it has one (kept
/// current by the system's updates), else the copy built into the binary.
static BRUSSELS: LazyLock<Option<TimeZone>> =
    LazyLock::new(|| TimeZone::get("Europe/Brussels").ok());

fn brussels_offset(now: OffsetDateTime) -> UtcOffset {
    let seconds = Timestamp::from_second(now.unix_timestamp())
        .ok()
        .zip(BRUSSELS.as_ref())
        .map(|(moment, zone)| zone.to_offset(moment).seconds());
    // Both lookups only fail outside the years jiff covers or without any tzdb, where standard
    // time is the better guess than UTC.
    UtcOffset::from_whole_seconds(seconds.unwrap_or(3600)).unwrap_or(UtcOffset::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn iso_and_flemish_notations() {
        for typed in [
            "2026-11-23",
            "23/11/2026",
            "23-11-2026",
            "23.11.2026",
            "23/11/26",
            " 23/11/2026 ",
        ] {
            assert_eq!(parse_date(typed), Ok(date!(2026 - 11 - 23)), "{typed:?}");
        }
        assert_eq!(parse_date("3/2/2026"), Ok(date!(2026 - 02 - 03)));
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(parse_date(""), Err(DateError::Empty));
        for typed in [
            "31/02/2026",
            "2026-13-01",
            "morgen",
            "23/11",
            "23/11/202",
            "1/1/-5",
        ] {
            assert_eq!(parse_date(typed), Err(DateError::Unreadable), "{typed:?}");
        }
    }

    #[test]
    fn formats_the_flemish_way() {
        assert_eq!(format_date(date!(2026 - 03 - 05)), "05/03/2026");
        assert_eq!(iso_date(date!(2026 - 03 - 05)), "2026-03-05");
    }

    #[test]
    fn today_follows_belgian_time() {
        // 23:30 UTC in winter is already the next day in Brussels (UTC+1).
        assert_eq!(
            brussels_date(datetime!(2026-11-23 23:30 UTC)),
            date!(2026 - 11 - 24)
        );
        // 22:30 UTC in summer is 00:30 the next day (UTC+2).
        assert_eq!(
            brussels_date(datetime!(2026-07-01 22:30 UTC)),
            date!(2026 - 07 - 02)
        );
        assert_eq!(
            brussels_date(datetime!(2026-07-01 21:30 UTC)),
            date!(2026 - 07 - 01)
        );
    }

    #[test]
    fn belgian_time_follows_both_transition_nights() {
        // 29 March 2026: at 01:00 UTC the clocks go from 02:00 CET to 03:00 CEST.
        assert_eq!(
            format_moment(datetime!(2026-03-29 00:59 UTC)),
            "29/03/2026 01:59"
        );
        assert_eq!(
            format_moment(datetime!(2026-03-29 01:00 UTC)),
            "29/03/2026 03:00"
        );
        // 25 October 2026: at 01:00 UTC the clocks go from 03:00 CEST back to 02:00 CET, so
        // 02:30 happens twice.
        assert_eq!(
            format_moment(datetime!(2026-10-25 00:30 UTC)),
            "25/10/2026 02:30"
        );
        assert_eq!(
            format_moment(datetime!(2026-10-25 01:30 UTC)),
            "25/10/2026 02:30"
        );
        assert_eq!(
            format_moment(datetime!(2026-10-25 01:00 UTC)),
            "25/10/2026 02:00"
        );
        // The last hour of the day before each change falls on the right day.
        assert_eq!(
            brussels_date(datetime!(2026-03-28 22:59 UTC)),
            date!(2026 - 03 - 28)
        );
        assert_eq!(
            brussels_date(datetime!(2026-10-24 22:00 UTC)),
            date!(2026 - 10 - 25)
        );
        assert_eq!(
            brussels_date(datetime!(2026-10-25 23:00 UTC)),
            date!(2026 - 10 - 26)
        );
    }
}
