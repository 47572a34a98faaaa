//! What a partner or coördinator types into the offer form, read into an [`OfferInput`].

use uuid::Uuid;

use super::{Approval, OfferState};
use crate::domain::user::Email;
use crate::values::criteria::Criteria;
use crate::values::dates::{DateError, parse_date};
use crate::values::ids::MunicipalityId;
use crate::values::kinds::PlacementKind;
use crate::values::level::Taalicoon;
use crate::values::period::Period;
use crate::values::weekdays::{DayParts, Weekdays};

#[derive(Debug, thiserror::Error)]
pub enum OfferError {
    #[error("Kies een partnerorganisatie van uw regio.")]
    OrganisationMissing,
    #[error("Vul een titel in.")]
    TitleMissing,
    #[error("Dit veld heeft hoogstens {max} tekens.")]
    TooLong { field: &'static str, max: usize },
    #[error("Kies een vorm: buddy, stage, vrijwilligerswerk of taalstage.")]
    KindMissing,
    #[error("Kies een gemeente van de regio.")]
    MunicipalityMissing,
    #[error("Kies minstens één dag, of vink ‘in overleg’ aan.")]
    DaysMissing,
    #[error("Vul het aantal plaatsen in: een getal van 1 tot 500.")]
    PlacesInvalid,
    #[error("{0}")]
    Date(DateError),
    #[error("De einddatum ligt voor de begindatum.")]
    EndBeforeStart,
    #[error("Vul de naam van de contactpersoon in.")]
    ContactNameMissing,
    #[error("Vul een geldig e-mailadres in, bijvoorbeeld naam@vereniging.be, of laat het leeg.")]
    ContactEmailInvalid,
    #[error("Kies een taalicoon van 1 tot 4.")]
    TaalicoonMissing,
    #[error(
        "Een aanbod dat niet aan alle criteria voldoet, kan niet goedgekeurd worden: vink aan wat klopt, of kies een ander aanbod."
    )]
    CriteriaNotMet,
    #[error("Vul de reden van de weigering in: de partnerorganisatie ziet ze.")]
    RefusalReasonMissing,
    #[error("Dit aanbod is al {}.", .0.code())]
    AlreadyDecided(Approval),
    #[error("Een aanbod dat {} is, kan niet {}.", from.code(), to.code())]
    StateChange { from: OfferState, to: OfferState },
    #[error(
        "Dit aanbod is niet (meer) beschikbaar: het is niet goedgekeurd, gepauzeerd, gesloten of afgelopen."
    )]
    NotAvailable,
    #[error("Alle plaatsen van dit aanbod zijn intussen ingenomen. Kies een ander aanbod.")]
    Full,
    #[error("Deze inburgeraar heeft al een plaats in dit aanbod.")]
    AlreadyPlaced,
    #[error("Alleen een inburgeraar met een actief traject kan een plaats krijgen.")]
    ParticipantNotActive,
    #[error("offer not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The names of the offer form's fields.
pub mod fields {
    pub const ORGANISATION: &str = "organisation_id";
    pub const TITLE: &str = "title";
    pub const DESCRIPTION: &str = "description";
    pub const KIND: &str = "kind";
    pub const MUNICIPALITY: &str = "municipality_id";
    pub const ADDRESS: &str = "address";
    pub const DAYS: &str = "dagen";
    pub const PLACES: &str = "places";
    pub const STARTS_ON: &str = "starts_on";
    pub const ENDS_ON: &str = "ends_on";
    pub const CONTACT_NAME: &str = "contact_name";
    pub const CONTACT_EMAIL: &str = "contact_email";
    pub const CONTACT_PHONE: &str = "contact_phone";
    pub const CONTACT_LANGUAGES: &str = "contact_languages";
    pub const TAALICOON: &str = "taalicoon";
    pub const CRITERIA: &str = "criteria";
    pub const REASON: &str = "reason";
}

/// The offer form as typed; the checkboxes already read as ticked or not.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfferFields<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub kind: &'a str,
    pub municipality_id: &'a str,
    pub address: &'a str,
    pub days: Weekdays,
    pub day_parts: DayParts,
    pub by_arrangement: bool,
    pub places: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub contact_name: &'a str,
    pub contact_email: &'a str,
    pub contact_phone: &'a str,
    pub contact_languages: &'a str,
    pub taalicoon: &'a str,
    pub criteria: Criteria,
    pub criteria_note: &'a str,
}

/// An offer as the form describes it; the municipality is checked against the region on save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferInput {
    pub title: String,
    pub description: String,
    pub kind: PlacementKind,
    pub municipality_id: MunicipalityId,
    pub address: String,
    pub days: Weekdays,
    pub day_parts: DayParts,
    pub by_arrangement: bool,
    pub places: i32,
    pub period: Period,
    pub contact_name: String,
    pub contact_email: Option<Email>,
    pub contact_phone: String,
    pub contact_languages: String,
    pub taalicoon: Taalicoon,
    pub criteria: Criteria,
    pub criteria_note: String,
}

pub(super) const TEXT_MAX: usize = 200;
pub(super) const LONG_TEXT_MAX: usize = 4000;

pub(super) fn bounded(field: &'static str, input: &str, max: usize) -> Result<String, OfferError> {
    let text = input.trim();
    if text.chars().count() > max {
        Err(OfferError::TooLong { field, max })
    } else {
        Ok(text.to_string())
    }
}

impl OfferInput {
    /// Every problem with the field it belongs to, in the order of the form. The criteria are
    /// recorded as declared; only approval demands that all are met.
    pub fn parse(form: &OfferFields<'_>) -> Result<Self, Vec<(&'static str, OfferError)>> {
        let mut errors: Vec<(&'static str, OfferError)> = Vec::new();
        fn keep<T>(
            errors: &mut Vec<(&'static str, OfferError)>,
            field: &'static str,
            result: Result<T, OfferError>,
        ) -> Option<T> {
            result.map_err(|error| errors.push((field, error))).ok()
        }
        let title = keep(
            &mut errors,
            fields::TITLE,
            bounded(fields::TITLE, form.title, TEXT_MAX).and_then(|title| {
                if title.is_empty() {
                    Err(OfferError::TitleMissing)
                } else {
                    Ok(title)
                }
            }),
        );
        let description = keep(
            &mut errors,
            fields::DESCRIPTION,
            bounded(fields::DESCRIPTION, form.description, LONG_TEXT_MAX),
        );
        let kind = keep(
            &mut errors,
            fields::KIND,
            PlacementKind::parse(form.kind).ok_or(OfferError::KindMissing),
        );
        let municipality_id = keep(
            &mut errors,
            fields::MUNICIPALITY,
            Uuid::parse_str(form.municipality_id.trim())
                .map(MunicipalityId)
                .map_err(|_| OfferError::MunicipalityMissing),
        );
        let address = keep(
            &mut errors,
            fields::ADDRESS,
            bounded(fields::ADDRESS, form.address, 300),
        );
        let days = keep(
            &mut errors,
            fields::DAYS,
            if form.days.is_empty() && !form.by_arrangement {
                Err(OfferError::DaysMissing)
            } else {
                Ok(form.days)
            },
        );
        let places = keep(
            &mut errors,
            fields::PLACES,
            form.places
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|n| (1..=500).contains(n))
                .ok_or(OfferError::PlacesInvalid),
        );
        let starts_on = keep(
            &mut errors,
            fields::STARTS_ON,
            parse_date(form.starts_on).map_err(OfferError::Date),
        );
        let ends_on = keep(
            &mut errors,
            fields::ENDS_ON,
            parse_date(form.ends_on).map_err(OfferError::Date),
        );
        let period = match (starts_on, ends_on) {
            (Some(starts_on), Some(ends_on)) => keep(
                &mut errors,
                fields::ENDS_ON,
                Period::new(starts_on, ends_on).map_err(|_| OfferError::EndBeforeStart),
            ),
            _ => None,
        };
        let contact_name = keep(
            &mut errors,
            fields::CONTACT_NAME,
            bounded(fields::CONTACT_NAME, form.contact_name, TEXT_MAX).and_then(|name| {
                if name.is_empty() {
                    Err(OfferError::ContactNameMissing)
                } else {
                    Ok(name)
                }
            }),
        );
        let contact_email = keep(
            &mut errors,
            fields::CONTACT_EMAIL,
            match form.contact_email.trim() {
                "" => Ok(None),
                typed => Email::parse(typed)
                    .map(Some)
                    .map_err(|_| OfferError::ContactEmailInvalid),
            },
        );
        let contact_phone = keep(
            &mut errors,
            fields::CONTACT_PHONE,
            bounded(fields::CONTACT_PHONE, form.contact_phone, 50),
        );
        let contact_languages = keep(
            &mut errors,
            fields::CONTACT_LANGUAGES,
            bounded(fields::CONTACT_LANGUAGES, form.contact_languages, TEXT_MAX),
        );
        let taalicoon = keep(
            &mut errors,
            fields::TAALICOON,
            Taalicoon::parse(form.taalicoon).ok_or(OfferError::TaalicoonMissing),
        );
        let criteria_note = keep(
            &mut errors,
            fields::CRITERIA,
            bounded(fields::CRITERIA, form.criteria_note, LONG_TEXT_MAX),
        );
        match (
            title,
            description,
            kind,
            municipality_id,
            address,
            days,
            places,
            period,
            contact_name,
            contact_email,
            contact_phone,
            contact_languages,
            taalicoon,
            criteria_note,
        ) {
            (
                Some(title),
                Some(description),
                Some(kind),
                Some(municipality_id),
                Some(address),
                Some(days),
                Some(places),
                Some(period),
                Some(contact_name),
                Some(contact_email),
                Some(contact_phone),
                Some(contact_languages),
                Some(taalicoon),
                Some(criteria_note),
            ) if errors.is_empty() => Ok(Self {
                title,
                description,
                kind,
                municipality_id,
                address,
                days,
                day_parts: form.day_parts,
                by_arrangement: form.by_arrangement,
                places,
                period,
                contact_name,
                contact_email,
                contact_phone,
                contact_languages,
                taalicoon,
                criteria: form.criteria,
                criteria_note,
            }),
            _ => Err(errors),
        }
    }
}
