//! Durations as people type them (`1:30`, `1u30`, `1,5`, `90 min`) and as a Flemish time sheet
//! writes them (`1 u 30`).

use std::fmt;

use serde::Serialize;

/// Whole minutes of activity, more than zero; built only by [`Minutes::parse`], [`Minutes::new`]
/// (which checks) or the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type, Serialize)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct Minutes(i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("Vul een duur in, bijvoorbeeld 1:30, 1u30, 1,5 of 90 min.")]
    Empty,
    #[error("Dit is geen duur die Veertig kent. Schrijf bijvoorbeeld 1:30, 1u30, 1,5 of 90 min.")]
    Unreadable,
    #[error("De duur moet meer dan nul zijn.")]
    Zero,
    #[error("Minuten gaan van 0 tot 59: schrijf bijvoorbeeld 1:30 of 90 min.")]
    MinutesOutOfRange,
    #[error("Zoveel tijd past niet in één dag. Bedoelde u {0} min?")]
    TooLongPerhapsMinutes(u32),
    #[error("Dat is te lang: hoogstens 12 uur per dag.")]
    TooLong,
}

/// The longest a duration may be, and whether a bare number above that was perhaps meant as
/// minutes ("45" for three quarters of an hour); the same notations are read either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationLimit {
    pub max_minutes: u64,
    pub bare_number_may_be_minutes: bool,
}

impl DurationLimit {
    /// What one hour entry may be: at most a day.
    pub const ONE_DAY: Self = Self {
        max_minutes: 24 * 60,
        bare_number_may_be_minutes: true,
    };
}

impl Minutes {
    /// Accepts `1:30`, `1u30`, `1 u 30`, `1h30`, `1,5`, `1.5`, `90 min`, `90m`, `2u`, `2 uur`, `2`.
    /// A bare number is hours. Anything longer than a day is refused here already.
    pub fn parse(input: &str) -> Result<Self, DurationError> {
        Self::parse_within(input, DurationLimit::ONE_DAY)
    }

    /// The notations of [`Minutes::parse`], up to `limit`.
    pub fn parse_within(input: &str, limit: DurationLimit) -> Result<Self, DurationError> {
        let (minutes, bare_number) = read_minutes(input)?;
        if bare_number && limit.bare_number_may_be_minutes && minutes > limit.max_minutes {
            // "45" typed as a number of minutes.
            let typed = u32::try_from(minutes / 60).unwrap_or(u32::MAX);
            return Err(DurationError::TooLongPerhapsMinutes(typed));
        }
        if minutes == 0 {
            return Err(DurationError::Zero);
        }
        if minutes > limit.max_minutes {
            return Err(DurationError::TooLong);
        }
        i32::try_from(minutes)
            .map(Self)
            .map_err(|_| DurationError::TooLong)
    }

    /// For values computed from other `Minutes` (sums, planned hours); `None` unless positive.
    pub fn new(minutes: i32) -> Option<Self> {
        (minutes > 0).then_some(Self(minutes))
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// `12 u 30`, `2 u`, `45 min`: the way a Flemish time sheet writes it.
pub fn format_minutes(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let minutes = minutes.unsigned_abs();
    match (minutes / 60, minutes % 60) {
        // No minutes at all reads like the hours beside it ("0 u" next to "7 u 30").
        (0, 0) => "0 u".to_string(),
        (0, m) => format!("{sign}{m} min"),
        (h, 0) => format!("{sign}{h} u"),
        (h, m) => format!("{sign}{h} u {m:02}"),
    }
}

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_minutes(i64::from(self.0)))
    }
}

/// The one reader of every notation: whole minutes as typed, and whether it was a bare number
/// of hours. Limits are the caller's.
fn read_minutes(input: &str) -> Result<(u64, bool), DurationError> {
    let text: String = input
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let minutes_only = strip_any_suffix(&text, &["minuten", "minuut", "min", "m"])
        .filter(|number| number.bytes().all(|b| b.is_ascii_digit()));
    if let Some(number) = minutes_only {
        Ok((whole(number)?, false))
    } else if let Some((hours, minutes)) = text.split_once(':') {
        Ok((hours_and_minutes(hours, minutes)?, false))
    } else if let Some((hours, rest)) = split_hours(&text) {
        let minutes = strip_any_suffix(rest, &["minuten", "min", "m"]).unwrap_or(rest);
        if minutes.is_empty() {
            Ok((decimal_hours(hours)?, false))
        } else {
            Ok((hours_and_minutes(hours, minutes)?, false))
        }
    } else {
        Ok((decimal_hours(&text)?, true))
    }
}

fn strip_any_suffix<'a>(text: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    suffixes.iter().find_map(|suffix| text.strip_suffix(suffix))
}

/// Splits `2u30`, `2uur`, `2h15` at the hour word.
fn split_hours(text: &str) -> Option<(&str, &str)> {
    for word in ["uur", "u", "h"] {
        if let Some(at) = text.find(word) {
            return Some((&text[..at], &text[at + word.len()..]));
        }
    }
    None
}

fn whole(digits: &str) -> Result<u64, DurationError> {
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DurationError::Unreadable);
    }
    digits.parse().map_err(|_| DurationError::Unreadable)
}

fn hours_and_minutes(hours: &str, minutes: &str) -> Result<u64, DurationError> {
    let hours = if hours.is_empty() { 0 } else { whole(hours)? };
    let minutes = whole(minutes)?;
    if minutes >= 60 {
        return Err(DurationError::MinutesOutOfRange);
    }
    Ok(hours * 60 + minutes)
}

/// `1,5` and `1.5` are one and a half hours; rounded to the nearest minute.
fn decimal_hours(text: &str) -> Result<u64, DurationError> {
    let (int, frac) = match text.split_once([',', '.']) {
        Some((int, frac)) => (int, frac),
        None => (text, ""),
    };
    let hours = if int.is_empty() && !frac.is_empty() {
        0
    } else {
        whole(int)?
    };
    if frac.is_empty() {
        return Ok(hours * 60);
    }
    let fraction = whole(frac)?;
    let scale = 10u64.pow(u32::try_from(frac.len()).map_err(|_| DurationError::Unreadable)?);
    Ok(hours * 60 + (fraction * 60 + scale / 2) / scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_notation_of_the_design_means_ninety() {
        for typed in [
            "1:30",
            "1u30",
            "1,5",
            "1.5",
            "90 min",
            "1 u 30",
            "1h30",
            "1h30m",
            "90m",
            "90 minuten",
            " 1U30 ",
            "1,5u",
        ] {
            assert_eq!(Minutes::parse(typed).map(Minutes::get), Ok(90), "{typed:?}");
        }
    }

    #[test]
    fn whole_hours() {
        for typed in ["2u", "2 uur", "2", "2h", "2:00", "2,0"] {
            assert_eq!(
                Minutes::parse(typed).map(Minutes::get),
                Ok(120),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn small_and_odd_amounts() {
        assert_eq!(Minutes::parse("0:45").map(Minutes::get), Ok(45));
        assert_eq!(Minutes::parse(",25").map(Minutes::get), Ok(15));
        assert_eq!(Minutes::parse("1,33").map(Minutes::get), Ok(80));
        assert_eq!(Minutes::parse("3u05").map(Minutes::get), Ok(185));
    }

    #[test]
    fn nonsense_gets_a_message() {
        assert_eq!(Minutes::parse(""), Err(DurationError::Empty));
        assert_eq!(Minutes::parse("   "), Err(DurationError::Empty));
        for typed in [
            "abc", "1:xx", "u", "1,5,5", "-1", "1:30:00", "twee uur", "1u30u",
        ] {
            assert_eq!(
                Minutes::parse(typed),
                Err(DurationError::Unreadable),
                "{typed:?}"
            );
        }
        assert_eq!(Minutes::parse("0"), Err(DurationError::Zero));
        assert_eq!(Minutes::parse("0 min"), Err(DurationError::Zero));
        assert_eq!(
            Minutes::parse("1:75"),
            Err(DurationError::MinutesOutOfRange)
        );
        assert_eq!(
            Minutes::parse("45"),
            Err(DurationError::TooLongPerhapsMinutes(45))
        );
        assert_eq!(Minutes::parse("2000 min"), Err(DurationError::TooLong));
    }

    #[test]
    fn display_is_flemish() {
        assert_eq!(Minutes::parse("1:30").unwrap().to_string(), "1 u 30");
        assert_eq!(Minutes::parse("2u").unwrap().to_string(), "2 u");
        assert_eq!(Minutes::parse("45 min").unwrap().to_string(), "45 min");
        assert_eq!(format_minutes(2400), "40 u");
        assert_eq!(format_minutes(65), "1 u 05");
        assert_eq!(
            format_minutes(0),
            "0 u",
            "like the hours beside it, not 0 min"
        );
    }

    proptest! {
        #[test]
        fn hours_and_minutes_round_trip(h in 0u32..24, m in 0u32..60) {
            prop_assume!(h * 60 + m > 0);
            let expected = i32::try_from(h * 60 + m).unwrap();
            prop_assert_eq!(Minutes::parse(&format!("{h}:{m:02}")).map(Minutes::get), Ok(expected));
            prop_assert_eq!(Minutes::parse(&format!("{h}u{m:02}")).map(Minutes::get), Ok(expected));
            prop_assert_eq!(Minutes::parse(&format!("{} min", h * 60 + m)).map(Minutes::get), Ok(expected));
        }

        #[test]
        fn displayed_minutes_parse_back(minutes in 1i32..=1440) {
            let shown = format_minutes(i64::from(minutes)).replace(' ', "");
            prop_assert_eq!(Minutes::parse(&shown).map(Minutes::get), Ok(minutes));
        }

        #[test]
        fn any_input_parses_or_explains_never_panics(input in "\\PC{0,12}") {
            if let Ok(minutes) = Minutes::parse(&input) {
                prop_assert!(minutes.get() > 0 && minutes.get() <= 1440);
            }
        }
    }
}
