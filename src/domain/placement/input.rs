//! A placement as typed, read into a [`PlacementInput`], and what can be wrong with it.

use crate::domain::user::Email;
use crate::values::criteria::Criteria;
use crate::values::dates::DateError;
use crate::values::duration::{DurationError, DurationLimit, Minutes};
use crate::values::ids::{OrganisationId, UserId};
use crate::values::kinds::{PlacementKind, PlacementStatus, StatusChangeRefused};
use crate::values::period::{EndBeforeStart, Period};

/// The most hours a placement can plan: far more than the 40 asked, but not a typo's worth.
pub const MAX_PLANNED_HOURS: u64 = 1000;

/// Planned hours as people type them: `40`, `40u`, `40 uur`, `12u30`, `12:30`, `12,5`,
/// `90 min`. Unlike an entry's duration, a bare number is always hours and may exceed a day.
pub fn parse_planned(input: &str) -> Result<Minutes, PlacementError> {
    let limit = DurationLimit {
        max_minutes: MAX_PLANNED_HOURS * 60,
        bare_number_may_be_minutes: false,
    };
    Minutes::parse_within(input, limit).map_err(|error| match error {
        DurationError::Empty => PlacementError::PlannedEmpty,
        DurationError::Unreadable => PlacementError::PlannedUnreadable,
        DurationError::MinutesOutOfRange => PlacementError::PlannedMinutesOutOfRange,
        DurationError::Zero => PlacementError::PlannedZero,
        DurationError::TooLong | DurationError::TooLongPerhapsMinutes(_) => {
            PlacementError::PlannedTooLong
        }
    })
}

#[derive(Debug, thiserror::Error)]
pub enum PlacementError {
    #[error("Kies een partnerorganisatie.")]
    OrganisationMissing,
    #[error(
        "Deze partnerorganisatie is niet actief in de regio van de inburgeraar. Kies een andere."
    )]
    OrganisationUnavailable,
    #[error(
        "De partnerorganisatie kan niet meer veranderen: er zijn al uren geregistreerd op deze plaatsing."
    )]
    OrganisationFixed,
    #[error("Kies een vorm: buddy, stage, vrijwilligerswerk of taalstage.")]
    KindMissing,
    #[error("{0}")]
    Date(#[from] DateError),
    #[error("De einddatum ligt voor de begindatum.")]
    EndBeforeStart,
    #[error(
        "Er zijn al uren geregistreerd op {0}, buiten deze periode. Kies een periode die ze bevat, of verwijder die uren eerst."
    )]
    EntriesOutsidePeriod(String),
    #[error("Vul het aantal geplande uren in, bijvoorbeeld 40 of 12u30.")]
    PlannedEmpty,
    #[error("Dit is geen aantal uren dat Veertig kent. Schrijf bijvoorbeeld 40, 40u of 12u30.")]
    PlannedUnreadable,
    #[error("Minuten gaan van 0 tot 59: schrijf bijvoorbeeld 12u30.")]
    PlannedMinutesOutOfRange,
    #[error("Het aantal geplande uren moet meer dan nul zijn.")]
    PlannedZero,
    #[error("Dat is meer dan {MAX_PLANNED_HOURS} uur. Controleer het aantal geplande uren.")]
    PlannedTooLong,
    #[error("Vul de naam van de contactpersoon in, of kies een partnercontact.")]
    ContactNameMissing,
    #[error("Vul een geldig e-mailadres in, bijvoorbeeld naam@vereniging.be, of laat het leeg.")]
    ContactEmailInvalid,
    #[error("Deze persoon is geen partnercontact van de gekozen partnerorganisatie.")]
    ContactNotOfOrganisation,
    #[error(
        "Een plaatsing buiten het aanbod telt alleen mee als de activiteit aan alle criteria voldoet. Vink ze aan als ze kloppen."
    )]
    CriteriaNotMet,
    #[error("Een plaatsing die {} is, kan niet naar {}.", from.label().to_lowercase(), to.label().to_lowercase())]
    StatusChange {
        from: PlacementStatus,
        to: PlacementStatus,
    },
    #[error("placement not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<EndBeforeStart> for PlacementError {
    fn from(_: EndBeforeStart) -> Self {
        Self::EndBeforeStart
    }
}

impl From<StatusChangeRefused> for PlacementError {
    fn from(refused: StatusChangeRefused) -> Self {
        Self::StatusChange {
            from: refused.from,
            to: refused.to,
        }
    }
}

/// Who to talk to at the organisation: one of its partner users, or just a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub user_id: Option<UserId>,
    /// Empty only when a partner user is chosen; the store then takes the user's name.
    pub name: String,
    pub email: Option<Email>,
    pub phone: String,
}

/// A placement as the form describes it, checked as far as possible without the database;
/// [`create`] and [`update`] check the organisation and the contact user against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementInput {
    pub organisation_id: OrganisationId,
    pub kind: PlacementKind,
    pub period: Period,
    pub planned: Minutes,
    pub contact: Contact,
    pub description: String,
    /// The criteria check, for a placement outside the catalogue; `None` for one taken from
    /// an approved offer, which carries the check. When given, every criterion is met.
    pub criteria: Option<Criteria>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(typed: &str) -> Result<i32, PlacementError> {
        parse_planned(typed).map(Minutes::get)
    }

    #[test]
    fn planned_hours_accept_whole_hours_and_the_duration_notations() {
        for (typed, minutes) in [
            ("40", 2400),
            ("40u", 2400),
            ("40 uur", 2400),
            (" 40 U ", 2400),
            ("40h", 2400),
            ("12u30", 750),
            ("12:30", 750),
            ("12,5", 750),
            ("12.5u", 750),
            ("90 min", 90),
            ("100", 6000),
            ("1000", 60_000),
        ] {
            assert_eq!(planned(typed).ok(), Some(minutes), "{typed:?}");
        }
    }

    #[test]
    fn planned_hours_explain_what_is_wrong() {
        assert!(matches!(planned(""), Err(PlacementError::PlannedEmpty)));
        assert!(matches!(planned("  "), Err(PlacementError::PlannedEmpty)));
        for typed in ["veertig", "40u30u", "-5", "1:2:3", "u"] {
            assert!(
                matches!(planned(typed), Err(PlacementError::PlannedUnreadable)),
                "{typed:?}"
            );
        }
        assert!(matches!(planned("0"), Err(PlacementError::PlannedZero)));
        assert!(matches!(planned("0u"), Err(PlacementError::PlannedZero)));
        assert!(matches!(
            planned("12u75"),
            Err(PlacementError::PlannedMinutesOutOfRange)
        ));
        assert!(matches!(
            planned("1001"),
            Err(PlacementError::PlannedTooLong)
        ));
        assert!(matches!(
            planned("99999999"),
            Err(PlacementError::PlannedTooLong) | Err(PlacementError::PlannedUnreadable)
        ));
    }
}
