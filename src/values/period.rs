//! Periods of days and the scope a query may touch: what every placement, entry and offer is
//! read within.

use time::Date;
use uuid::Uuid;

use super::ids::{OrganisationId, RegionId};

/// Whose placements a query may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A coach or coordinator: participants of their region.
    Region(RegionId),
    /// A partner: placements at their own organisation.
    Organisation(OrganisationId),
}

impl Scope {
    /// `(region, organisation)` as query parameters; exactly one is set, so a query written
    /// `p.region_id = $2 OR pl.organisation_id = $3` matches only inside the scope.
    pub(crate) fn params(self) -> (Option<Uuid>, Option<Uuid>) {
        match self {
            Scope::Region(region) => (Some(region.0), None),
            Scope::Organisation(organisation) => (None, Some(organisation.0)),
        }
    }
}

/// From the first to the last day of a placement, both included; never backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    starts_on: Date,
    ends_on: Date,
}

impl Period {
    pub fn new(starts_on: Date, ends_on: Date) -> Result<Self, EndBeforeStart> {
        if ends_on < starts_on {
            Err(EndBeforeStart)
        } else {
            Ok(Self { starts_on, ends_on })
        }
    }

    /// A period read from a table whose CHECK keeps `ends_on >= starts_on`.
    pub(crate) fn from_stored(starts_on: Date, ends_on: Date) -> Self {
        Self { starts_on, ends_on }
    }

    pub fn starts_on(self) -> Date {
        self.starts_on
    }

    pub fn ends_on(self) -> Date {
        self.ends_on
    }

    pub fn contains(self, date: Date) -> bool {
        self.starts_on <= date && date <= self.ends_on
    }
}

/// A period whose end lies before its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("De einddatum ligt voor de begindatum.")]
pub struct EndBeforeStart;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_period_includes_both_ends_and_never_runs_backwards() {
        let period = Period::new(date!(2026 - 11 - 01), date!(2026 - 11 - 30)).unwrap();
        assert!(period.contains(date!(2026 - 11 - 01)));
        assert!(period.contains(date!(2026 - 11 - 30)));
        assert!(!period.contains(date!(2026 - 10 - 31)));
        assert!(!period.contains(date!(2026 - 12 - 01)));
        assert!(Period::new(date!(2026 - 11 - 01), date!(2026 - 11 - 01)).is_ok());
        assert!(matches!(
            Period::new(date!(2026 - 11 - 02), date!(2026 - 11 - 01)),
            Err(EndBeforeStart)
        ));
    }
}
