//! How much Dutch someone speaks (the CEFR levels of the inburgering) and how much an activity
//! asks (the taalicoon).

use serde::Serialize;

/// A Dutch level as the trajectory records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "dutch_level")]
pub enum DutchLevel {
    A0,
    A1,
    A2,
    B1,
    B2,
}

impl DutchLevel {
    pub const ALL: [Self; 5] = [Self::A0, Self::A1, Self::A2, Self::B1, Self::B2];

    pub fn code(self) -> &'static str {
        match self {
            Self::A0 => "A0",
            Self::A1 => "A1",
            Self::A2 => "A2",
            Self::B1 => "B1",
            Self::B2 => "B2",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.code() == code)
    }
}

/// How much Dutch an activity asks, 1 to 4 (the Flemish convention, also in UiTdatabank).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Taalicoon(u8);

impl Taalicoon {
    pub const ALL: [Self; 4] = [Self(1), Self(2), Self(3), Self(4)];

    pub fn new(level: i16) -> Option<Self> {
        (1..=4)
            .contains(&level)
            .then(|| Self(u8::try_from(level).unwrap_or(1)))
    }

    pub fn parse(input: &str) -> Option<Self> {
        input.trim().parse::<i16>().ok().and_then(Self::new)
    }

    /// The stored value; the table's CHECK keeps it 1 to 4, and anything else reads as the
    /// most demanding, so an offer is never shown as easier than it is.
    pub fn from_db(level: i16) -> Self {
        Self::new(level).unwrap_or(Self(4))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn db(self) -> i16 {
        i16::from(self.0)
    }

    /// What the icon means, in the words of the convention.
    pub fn meaning(self) -> &'static str {
        match self.0 {
            1 => "Je begrijpt of spreekt nog maar weinig Nederlands.",
            2 => "Je begrijpt al wat Nederlands, maar spreekt het nog niet veel.",
            3 => "Je begrijpt al redelijk veel Nederlands en kan iets vertellen.",
            _ => "Je begrijpt veel Nederlands en spreekt het goed.",
        }
    }

    /// The highest taalicoon a Dutch level is ready for: A0/A1 → 1, A2 → 2, B1 → 3, B2 → 4.
    pub fn for_level(level: DutchLevel) -> Self {
        match level {
            DutchLevel::A0 | DutchLevel::A1 => Self(1),
            DutchLevel::A2 => Self(2),
            DutchLevel::B1 => Self(3),
            DutchLevel::B2 => Self(4),
        }
    }

    /// Indices 1..=4 with whether each bar of the icon is filled, for the template.
    pub fn bars(self) -> Vec<bool> {
        (1..=4).map(|n| n <= self.0).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taaliconen_follow_the_dutch_level() {
        use DutchLevel::*;
        let expected = [(A0, 1), (A1, 1), (A2, 2), (B1, 3), (B2, 4)];
        for (level, icon) in expected {
            assert_eq!(Taalicoon::for_level(level).get(), icon, "{level:?}");
        }
        assert_eq!(Taalicoon::parse("0"), None);
        assert_eq!(Taalicoon::parse("5"), None);
        assert_eq!(Taalicoon::parse(" 3 ").map(Taalicoon::get), Some(3));
    }
}
