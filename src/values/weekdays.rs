//! When an activity takes place, or when someone is available: days of the week and parts of
//! the day, stored as bits.

use serde::Serialize;

/// Short code and name of each weekday, Monday first.
pub const WEEKDAYS: [(&str, &str); 7] = [
    ("ma", "maandag"),
    ("di", "dinsdag"),
    ("wo", "woensdag"),
    ("do", "donderdag"),
    ("vr", "vrijdag"),
    ("za", "zaterdag"),
    ("zo", "zondag"),
];

/// Short code and name of each part of the day, in the order of the bits.
pub const DAY_PARTS: [(&str, &str); 3] =
    [("vm", "voormiddag"), ("nm", "namiddag"), ("av", "avond")];

/// A set of weekdays (bit 0 = maandag), as the database stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Weekdays(u8);

impl Weekdays {
    pub fn from_db(bits: i16) -> Self {
        Self(u8::try_from(bits & 0x7f).unwrap_or(0))
    }

    /// From the seven checkboxes of a form, Monday first: a box is ticked when it sent a value.
    pub fn from_checked(checked: [bool; 7]) -> Self {
        Self(
            checked
                .iter()
                .enumerate()
                .filter(|(_, on)| **on)
                .fold(0, |bits, (i, _)| bits | (1 << i)),
        )
    }

    pub fn db(self) -> i16 {
        i16::from(self.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, index: usize) -> bool {
        index < 7 && self.0 & (1 << index) != 0
    }

    pub fn overlap(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// "maandag, woensdag en vrijdag"
    pub fn text(self) -> String {
        let names: Vec<&str> = WEEKDAYS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.contains(*i))
            .map(|(_, (_, name))| *name)
            .collect();
        join_dutch(&names)
    }
}

/// Parts of the day (bit 0 = voormiddag, 1 = namiddag, 2 = avond).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DayParts(u8);

impl DayParts {
    pub fn from_db(bits: i16) -> Self {
        Self(u8::try_from(bits & 0x7).unwrap_or(0))
    }

    pub fn from_checked(checked: [bool; 3]) -> Self {
        Self(
            checked
                .iter()
                .enumerate()
                .filter(|(_, on)| **on)
                .fold(0, |bits, (i, _)| bits | (1 << i)),
        )
    }

    pub fn db(self) -> i16 {
        i16::from(self.0)
    }

    pub fn contains(self, index: usize) -> bool {
        index < 3 && self.0 & (1 << index) != 0
    }

    pub fn text(self) -> String {
        let names: Vec<&str> = DAY_PARTS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.contains(*i))
            .map(|(_, (_, name))| *name)
            .collect();
        join_dutch(&names)
    }
}

/// "a", "a en b", "a, b en c"
pub fn join_dutch(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} en {last}", rest.join(", ")),
    }
}

/// When an offer takes place, in words: "maandag en woensdag, voormiddag" or "in overleg".
pub fn when_text(days: Weekdays, parts: DayParts, by_arrangement: bool) -> String {
    if by_arrangement || days.is_empty() {
        return "In overleg".to_string();
    }
    let parts = parts.text();
    let mut text = days.text();
    if let Some(first) = text.get(..1) {
        text = format!("{}{}", first.to_uppercase(), &text[1..]);
    }
    if parts.is_empty() {
        text
    } else {
        format!("{text}, {parts}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_read_as_dutch_words() {
        let days = Weekdays::from_checked([true, false, true, false, true, false, false]);
        assert_eq!(days.text(), "maandag, woensdag en vrijdag");
        assert_eq!(Weekdays::from_db(days.db()), days);
        assert_eq!(
            when_text(days, DayParts::from_checked([true, false, false]), false),
            "Maandag, woensdag en vrijdag, voormiddag"
        );
        assert_eq!(when_text(days, DayParts::default(), true), "In overleg");
    }
}
