//! The kinds and statuses of placements and hour entries: PostgreSQL enums, with the codes forms
//! and the database use and the words people read.

use serde::{Deserialize, Serialize};

/// The four forms the participatie- en netwerktraject knows.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type, Serialize, Deserialize,
)]
#[sqlx(type_name = "placement_kind", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum PlacementKind {
    Buddy,
    Stage,
    Vrijwilligerswerk,
    Taalstage,
}

impl PlacementKind {
    pub const ALL: [Self; 4] = [
        Self::Buddy,
        Self::Stage,
        Self::Vrijwilligerswerk,
        Self::Taalstage,
    ];

    /// The value in forms and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Buddy => "buddy",
            Self::Stage => "stage",
            Self::Vrijwilligerswerk => "vrijwilligerswerk",
            Self::Taalstage => "taalstage",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Buddy => "Buddy",
            Self::Stage => "Stage",
            Self::Vrijwilligerswerk => "Vrijwilligerswerk",
            Self::Taalstage => "Taalstage",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim().to_lowercase();
        Self::ALL.into_iter().find(|kind| kind.code() == input)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, Serialize, Deserialize)]
#[sqlx(type_name = "placement_status", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum PlacementStatus {
    Gepland,
    Lopend,
    Afgerond,
    Geannuleerd,
}

impl PlacementStatus {
    pub const ALL: [Self; 4] = [
        Self::Gepland,
        Self::Lopend,
        Self::Afgerond,
        Self::Geannuleerd,
    ];

    /// The value in forms and the database, and the badge's CSS class suffix.
    pub fn code(self) -> &'static str {
        match self {
            Self::Gepland => "gepland",
            Self::Lopend => "lopend",
            Self::Afgerond => "afgerond",
            Self::Geannuleerd => "geannuleerd",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Gepland => "Gepland",
            Self::Lopend => "Lopend",
            Self::Afgerond => "Afgerond",
            Self::Geannuleerd => "Geannuleerd",
        }
    }

    /// What a button that moves a placement to this status says.
    pub fn action_label(self) -> &'static str {
        match self {
            Self::Gepland => "Terug naar gepland",
            Self::Lopend => "Plaatsing starten",
            Self::Afgerond => "Plaatsing afronden",
            Self::Geannuleerd => "Plaatsing annuleren",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim().to_lowercase();
        Self::ALL.into_iter().find(|status| status.code() == input)
    }

    /// Where a placement can go from here. A finished placement can be reopened and a
    /// cancelled one planned again; a finished one was not cancelled, so it cannot become so.
    pub fn next(self) -> &'static [Self] {
        match self {
            Self::Gepland => &[Self::Lopend, Self::Afgerond, Self::Geannuleerd],
            Self::Lopend => &[Self::Afgerond, Self::Gepland, Self::Geannuleerd],
            Self::Afgerond => &[Self::Lopend],
            Self::Geannuleerd => &[Self::Gepland, Self::Lopend],
        }
    }

    pub fn change_to(self, next: Self) -> Result<Self, StatusChangeRefused> {
        if self.next().contains(&next) {
            Ok(next)
        } else {
            Err(StatusChangeRefused {
                from: self,
                to: next,
            })
        }
    }

    /// Hours can be logged on every placement except a cancelled one.
    pub fn accepts_hours(self) -> bool {
        self != Self::Geannuleerd
    }
}

/// A status change the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Een plaatsing die {} is, kan niet naar {}.", from.label().to_lowercase(), to.label().to_lowercase())]
pub struct StatusChangeRefused {
    pub from: PlacementStatus,
    pub to: PlacementStatus,
}

/// Pending until the partner decides; only confirmed minutes count toward the requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, Serialize, Deserialize)]
#[sqlx(type_name = "entry_status", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    Ingediend,
    Bevestigd,
    Afgewezen,
}

impl EntryStatus {
    /// The database value, and the badge's CSS class suffix.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ingediend => "ingediend",
            Self::Bevestigd => "bevestigd",
            Self::Afgewezen => "afgewezen",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Ingediend => "Ingediend",
            Self::Bevestigd => "Bevestigd",
            Self::Afgewezen => "Afgewezen",
        }
    }

    /// Only pending entries can still be edited or deleted.
    pub fn is_pending(self) -> bool {
        self == Self::Ingediend
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_parse_their_codes() {
        for kind in PlacementKind::ALL {
            assert_eq!(PlacementKind::parse(kind.code()), Some(kind));
        }
        assert_eq!(
            PlacementKind::parse(" Taalstage "),
            Some(PlacementKind::Taalstage)
        );
        assert_eq!(PlacementKind::parse("job"), None);
        for status in PlacementStatus::ALL {
            assert_eq!(PlacementStatus::parse(status.code()), Some(status));
        }
        assert_eq!(PlacementStatus::parse(""), None);
    }

    #[test]
    fn status_changes_follow_the_lifecycle() {
        use PlacementStatus::*;
        assert_eq!(Gepland.change_to(Lopend).ok(), Some(Lopend));
        assert_eq!(Lopend.change_to(Afgerond).ok(), Some(Afgerond));
        assert_eq!(Afgerond.change_to(Lopend).ok(), Some(Lopend));
        assert_eq!(Geannuleerd.change_to(Gepland).ok(), Some(Gepland));
        for status in PlacementStatus::ALL {
            assert!(status.change_to(status).is_err(), "{status:?} to itself");
        }
        let refused = Afgerond.change_to(Geannuleerd).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Een plaatsing die afgerond is, kan niet naar geannuleerd."
        );
        assert!(!Geannuleerd.accepts_hours());
        assert!(Gepland.accepts_hours() && Lopend.accepts_hours() && Afgerond.accepts_hours());
    }
}
