//! Report periods: whole calendar months, as typed in a filter and as shown.

use time::{Date, Month};

/// Longest period a report covers, in months (ten years).
pub const MAX_PERIOD_MONTHS: i32 = 120;

/// The first day of a calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth(Date);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("Dit is geen maand. Schrijf bijvoorbeeld 2026-03 of 03/2026.")]
    Unreadable,
    #[error("Het einde van de periode ligt vóór het begin.")]
    EndBeforeStart,
    #[error("Een periode duurt hoogstens tien jaar.")]
    TooLong,
}

const SHORT_MONTH_NAMES: [&str; 12] = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

const MONTH_NAMES: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

impl YearMonth {
    pub fn of(date: Date) -> Self {
        Self(date.replace_day(1).unwrap_or(date))
    }

    /// `2026-03` (what `<input type="month">` sends), `03/2026`, `3-2026`, or a whole date
    /// (`2026-03-15`, `15/03/2026`), whose month is taken.
    pub fn parse(input: &str) -> Result<Self, PeriodError> {
        let text = input.trim();
        let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
        let number = |s: &str| -> Result<i32, PeriodError> {
            if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(PeriodError::Unreadable);
            }
            s.parse().map_err(|_| PeriodError::Unreadable)
        };
        let (year, month) = match parts.as_slice() {
            [a, b] if a.len() == 4 => (number(a)?, number(b)?),
            [a, b] if b.len() == 4 => (number(b)?, number(a)?),
            [_, _, _] => {
                let date =
                    crate::values::dates::parse_date(text).map_err(|_| PeriodError::Unreadable)?;
                return Ok(Self::of(date));
            }
            _ => return Err(PeriodError::Unreadable),
        };
        let month = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .ok_or(PeriodError::Unreadable)?;
        if !(1900..=9999).contains(&year) {
            return Err(PeriodError::Unreadable);
        }
        Date::from_calendar_date(year, month, 1)
            .map(Self)
            .map_err(|_| PeriodError::Unreadable)
    }

    pub fn first_day(self) -> Date {
        self.0
    }

    pub fn last_day(self) -> Date {
        let days = time::util::days_in_month(self.0.month(), self.0.year());
        self.0.replace_day(days).unwrap_or(self.0)
    }

    pub fn next(self) -> Self {
        Self(self.last_day().next_day().unwrap_or(self.0))
    }

    /// `months` earlier (or later when negative).
    pub fn minus(self, months: i32) -> Self {
        let index = self.0.year() * 12 + i32::from(u8::from(self.0.month())) - 1 - months;
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
        let month = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .unwrap_or(Month::January);
        Date::from_calendar_date(year, month, 1)
            .map(Self)
            .unwrap_or(self)
    }

    fn index(self) -> i32 {
        self.0.year() * 12 + i32::from(u8::from(self.0.month()))
    }

    /// `2026-03`, for `<input type="month">` and links.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.0.year(), u8::from(self.0.month()))
    }

    /// `maart 2026`.
    pub fn label(self) -> String {
        let name = MONTH_NAMES[usize::from(u8::from(self.0.month())) - 1];
        format!("{name} {}", self.0.year())
    }

    /// `mrt 26`-style short label for chart axes, with the usual Dutch abbreviations (the
    /// first three letters would make March "maa").
    pub fn short_label(self) -> String {
        let short = SHORT_MONTH_NAMES[usize::from(u8::from(self.0.month())) - 1];
        format!("{short} {:02}", self.0.year().rem_euclid(100))
    }
}

/// Whole months, from the first day of `from` to the last day of `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: YearMonth,
    pub to: YearMonth,
}

impl Period {
    pub fn new(from: YearMonth, to: YearMonth) -> Result<Self, PeriodError> {
        if to < from {
            return Err(PeriodError::EndBeforeStart);
        }
        if to.index() - from.index() >= MAX_PERIOD_MONTHS {
            return Err(PeriodError::TooLong);
        }
        Ok(Self { from, to })
    }

    /// The twelve months up to and including this one.
    pub fn last_twelve_months(today: Date) -> Self {
        let to = YearMonth::of(today);
        Self {
            from: to.minus(11),
            to,
        }
    }

    pub fn start(self) -> Date {
        self.from.first_day()
    }

    pub fn end(self) -> Date {
        self.to.last_day()
    }

    pub fn months(self) -> Vec<YearMonth> {
        let mut months = Vec::new();
        let mut month = self.from;
        while month <= self.to && months.len() < MAX_PERIOD_MONTHS as usize {
            months.push(month);
            month = month.next();
        }
        months
    }

    /// `januari 2026 – december 2026`, or one month's name.
    pub fn label(self) -> String {
        if self.from == self.to {
            self.from.label()
        } else {
            format!("{} – {}", self.from.label(), self.to.label())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_parse_in_every_notation() {
        for typed in [
            "2026-03",
            "03/2026",
            "3/2026",
            "3-2026",
            "2026-03-15",
            "15/03/2026",
            " 2026/3 ",
        ] {
            assert_eq!(
                YearMonth::parse(typed).map(YearMonth::first_day),
                Ok(date!(2026 - 03 - 01)),
                "{typed:?}"
            );
        }
        for bad in [
            "", "maart", "2026-13", "13/2026", "2026", "0/2026", "1-2-3-4",
        ] {
            assert_eq!(
                YearMonth::parse(bad),
                Err(PeriodError::Unreadable),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn months_step_across_years() {
        let march = YearMonth::of(date!(2026 - 03 - 17));
        assert_eq!(march.minus(3).first_day(), date!(2025 - 12 - 01));
        assert_eq!(march.minus(-10).first_day(), date!(2027 - 01 - 01));
        assert_eq!(march.last_day(), date!(2026 - 03 - 31));
        assert_eq!(
            YearMonth::of(date!(2028 - 02 - 03)).last_day(),
            date!(2028 - 02 - 29)
        );
        assert_eq!(march.label(), "maart 2026");
        assert_eq!(march.short_label(), "mrt 26");
        assert_eq!(march.iso(), "2026-03");
    }

    #[test]
    fn periods_are_whole_months_in_order() {
        let period = Period::last_twelve_months(date!(2026 - 11 - 24));
        assert_eq!(period.start(), date!(2025 - 12 - 01));
        assert_eq!(period.end(), date!(2026 - 11 - 30));
        assert_eq!(period.months().len(), 12);
        let march = YearMonth::of(date!(2026 - 03 - 01));
        let may = YearMonth::of(date!(2026 - 05 - 01));
        assert_eq!(Period::new(may, march), Err(PeriodError::EndBeforeStart));
        assert_eq!(
            Period::new(march.minus(120), march),
            Err(PeriodError::TooLong)
        );
        assert!(Period::new(march.minus(119), march).is_ok());
    }
}
