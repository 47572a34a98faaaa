//! The placement form read into a [`PlacementInput`], and what can be wrong with it.

use uuid::Uuid;

use crate::domain::user::Email;
use crate::values::criteria::Criteria;
use crate::values::dates::{DateError, parse_date};
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

impl PlacementError {
    /// The form field a message belongs next to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::OrganisationMissing | Self::OrganisationUnavailable | Self::OrganisationFixed => {
                fields::ORGANISATION
            }
            Self::KindMissing => fields::KIND,
            Self::Date(_) => fields::STARTS_ON,
            Self::EndBeforeStart | Self::EntriesOutsidePeriod(_) => fields::ENDS_ON,
            Self::PlannedEmpty
            | Self::PlannedUnreadable
            | Self::PlannedMinutesOutOfRange
            | Self::PlannedZero
            | Self::PlannedTooLong => fields::PLANNED,
            Self::ContactNameMissing => fields::CONTACT_NAME,
            Self::ContactEmailInvalid => fields::CONTACT_EMAIL,
            Self::ContactNotOfOrganisation => fields::CONTACT_USER,
            Self::CriteriaNotMet => fields::CRITERIA,
            Self::StatusChange { .. } | Self::NotFound | Self::Database(_) => fields::STATUS,
        }
    }
}

/// The names of the placement form's fields.
pub mod fields {
    pub const ORGANISATION: &str = "organisation_id";
    pub const KIND: &str = "kind";
    pub const STARTS_ON: &str = "starts_on";
    pub const ENDS_ON: &str = "ends_on";
    pub const PLANNED: &str = "planned";
    pub const CONTACT_USER: &str = "contact_user_id";
    pub const CONTACT_NAME: &str = "contact_name";
    pub const CONTACT_EMAIL: &str = "contact_email";
    pub const CONTACT_PHONE: &str = "contact_phone";
    pub const DESCRIPTION: &str = "description";
    pub const STATUS: &str = "status";
    pub const CRITERIA: &str = "criteria";
}

/// The placement form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlacementFields<'a> {
    pub organisation_id: &'a str,
    pub kind: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub planned: &'a str,
    pub contact_user_id: &'a str,
    pub contact_name: &'a str,
    pub contact_email: &'a str,
    pub contact_phone: &'a str,
    pub description: &'a str,
    /// The criteria check, for a placement outside the catalogue; `None` for one taken from
    /// an approved offer, which carries the check.
    pub criteria: Option<Criteria>,
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
    /// See [`PlacementFields::criteria`]; when given, every criterion is met.
    pub criteria: Option<Criteria>,
}

impl PlacementInput {
    /// Every problem with the field it belongs to, in the order of the form.
    pub fn parse(form: &PlacementFields<'_>) -> Result<Self, Vec<(&'static str, PlacementError)>> {
        let mut errors = Vec::new();
        fn keep<T>(
            errors: &mut Vec<(&'static str, PlacementError)>,
            field: &'static str,
            result: Result<T, PlacementError>,
        ) -> Option<T> {
            match result {
                Ok(value) => Some(value),
                Err(error) => {
                    errors.push((field, error));
                    None
                }
            }
        }
        let organisation_id = keep(
            &mut errors,
            fields::ORGANISATION,
            Uuid::parse_str(form.organisation_id.trim())
                .map(OrganisationId)
                .map_err(|_| PlacementError::OrganisationMissing),
        );
        let kind = keep(
            &mut errors,
            fields::KIND,
            PlacementKind::parse(form.kind).ok_or(PlacementError::KindMissing),
        );
        let starts_on = keep(
            &mut errors,
            fields::STARTS_ON,
            parse_date(form.starts_on).map_err(Into::into),
        );
        let ends_on = keep(
            &mut errors,
            fields::ENDS_ON,
            parse_date(form.ends_on).map_err(Into::into),
        );
        let period = match (starts_on, ends_on) {
            (Some(starts_on), Some(ends_on)) => keep(
                &mut errors,
                fields::ENDS_ON,
                Period::new(starts_on, ends_on).map_err(Into::into),
            ),
            _ => None,
        };
        let planned = keep(&mut errors, fields::PLANNED, parse_planned(form.planned));
        let contact_user = match form.contact_user_id.trim() {
            "" => Some(None),
            id => keep(
                &mut errors,
                fields::CONTACT_USER,
                Uuid::parse_str(id)
                    .map(|id| Some(UserId(id)))
                    .map_err(|_| PlacementError::ContactNotOfOrganisation),
            ),
        };
        let contact_name = form.contact_name.trim().to_string();
        if contact_name.is_empty() && matches!(contact_user, Some(None)) {
            keep(
                &mut errors,
                fields::CONTACT_NAME,
                Err::<(), _>(PlacementError::ContactNameMissing),
            );
        }
        let contact_email = match form.contact_email.trim() {
            "" => Some(None),
            email => keep(
                &mut errors,
                fields::CONTACT_EMAIL,
                Email::parse(email)
                    .map(Some)
                    .map_err(|_| PlacementError::ContactEmailInvalid),
            ),
        };
        if form.criteria.is_some_and(|criteria| !criteria.all_met()) {
            keep(
                &mut errors,
                fields::CRITERIA,
                Err::<(), _>(PlacementError::CriteriaNotMet),
            );
        }
        match (
            organisation_id,
            kind,
            period,
            planned,
            contact_user,
            contact_email,
        ) {
            (
                Some(organisation_id),
                Some(kind),
                Some(period),
                Some(planned),
                Some(user_id),
                Some(email),
            ) if errors.is_empty() => Ok(Self {
                organisation_id,
                kind,
                period,
                planned,
                contact: Contact {
                    user_id,
                    name: contact_name,
                    email,
                    phone: form.contact_phone.trim().to_string(),
                },
                description: form.description.trim().to_string(),
                criteria: form.criteria,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

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

    fn form() -> PlacementFields<'static> {
        PlacementFields {
            organisation_id: "6f1c3c4e-2b8a-4a57-9d3e-0d6f1b2a9c11",
            kind: "buddy",
            starts_on: "01/11/2026",
            ends_on: "2026-12-31",
            planned: "40u",
            contact_user_id: "",
            contact_name: " Marie Claes ",
            contact_email: "",
            contact_phone: "",
            description: "",
            criteria: None,
        }
    }

    #[test]
    fn a_complete_form_becomes_an_input() {
        let input = PlacementInput::parse(&form()).unwrap();
        assert_eq!(input.kind, PlacementKind::Buddy);
        assert_eq!(input.planned.get(), 2400);
        assert_eq!(input.period.starts_on(), date!(2026 - 11 - 01));
        assert_eq!(input.period.ends_on(), date!(2026 - 12 - 31));
        assert_eq!(input.contact.name, "Marie Claes");
        assert_eq!(input.contact.email, None);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_name() {
        let bad = PlacementFields {
            organisation_id: "",
            kind: "job",
            starts_on: "31/02/2026",
            ends_on: "morgen",
            planned: "0",
            contact_name: "",
            contact_email: "marie@",
            ..form()
        };
        let errors = PlacementInput::parse(&bad).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(field, _)| *field).collect();
        assert_eq!(
            fields,
            [
                fields::ORGANISATION,
                fields::KIND,
                fields::STARTS_ON,
                fields::ENDS_ON,
                fields::PLANNED,
                fields::CONTACT_NAME,
                fields::CONTACT_EMAIL
            ]
        );
    }

    #[test]
    fn the_end_cannot_precede_the_start() {
        let backwards = PlacementFields {
            starts_on: "01/12/2026",
            ends_on: "30/11/2026",
            ..form()
        };
        let errors = PlacementInput::parse(&backwards).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, fields::ENDS_ON);
        assert!(matches!(errors[0].1, PlacementError::EndBeforeStart));
    }

    #[test]
    fn a_partner_user_can_stand_in_for_the_contact_name() {
        let with_user = PlacementFields {
            contact_user_id: "0b0e7c56-7a0d-4d1c-8f1e-2a3b4c5d6e7f",
            contact_name: "",
            ..form()
        };
        let input = PlacementInput::parse(&with_user).unwrap();
        assert!(input.contact.user_id.is_some());
        assert_eq!(input.contact.name, "");
    }
}
