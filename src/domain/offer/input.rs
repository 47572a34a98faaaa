//! An offer as a partner or coördinator describes it, read into an [`OfferInput`], and what
//! can be wrong with it.

use super::{Approval, OfferState};
use crate::domain::user::Email;
use crate::values::criteria::Criteria;
use crate::values::dates::DateError;
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
    TooLong { max: usize },
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

/// The longest title, contact name or contact languages.
pub const TEXT_MAX: usize = 200;
/// The longest description, criteria note or refusal reason.
pub const LONG_TEXT_MAX: usize = 4000;
pub const ADDRESS_MAX: usize = 300;
pub const PHONE_MAX: usize = 50;

/// Free text, trimmed, at most `max` characters.
pub fn bounded(input: &str, max: usize) -> Result<String, OfferError> {
    let text = input.trim();
    if text.chars().count() > max {
        Err(OfferError::TooLong { max })
    } else {
        Ok(text.to_string())
    }
}

/// Like [`bounded`], but blank is `missing`.
pub fn required(input: &str, max: usize, missing: OfferError) -> Result<String, OfferError> {
    let text = bounded(input, max)?;
    if text.is_empty() {
        Err(missing)
    } else {
        Ok(text)
    }
}

/// The number of places: 1 to 500.
pub fn parse_places(input: &str) -> Result<i32, OfferError> {
    input
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|n| (1..=500).contains(n))
        .ok_or(OfferError::PlacesInvalid)
}

/// The days an offer takes place: at least one, unless they are agreed with the inburgeraar.
pub fn offered_days(days: Weekdays, by_arrangement: bool) -> Result<Weekdays, OfferError> {
    if days.is_empty() && !by_arrangement {
        Err(OfferError::DaysMissing)
    } else {
        Ok(days)
    }
}
