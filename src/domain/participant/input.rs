//! What a registration or edit becomes once read, and what can be wrong with what was typed.

use serde::Serialize;
use time::Date;

use crate::domain::user::{Email, PersonName, UserInputError};
use crate::values::dates::{self, DateError};
use crate::values::ids::MunicipalityId;
use crate::values::level::DutchLevel;
use crate::values::weekdays::Weekdays;

use super::Obligation;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParticipantInputError {
    #[error("Vul de naam in.")]
    NameMissing,
    #[error("{0}")]
    Date(DateError),
    #[error("De geboortedatum ligt in de toekomst.")]
    BornInFuture,
    #[error("Kies een gemeente.")]
    MunicipalityMissing,
    #[error("Kies het niveau Nederlands.")]
    LevelMissing,
    #[error("Kies of het traject verplicht of vrijwillig is.")]
    ObligationMissing,
    #[error("{0}")]
    Email(UserInputError),
    #[error("De einddatum ligt vóór de startdatum.")]
    EndBeforeStart,
    #[error("Kies een reden uit de lijst.")]
    ReasonMissing,
}

/// A birth date as typed: a real date, not after `today`.
pub fn parse_birth_date(input: &str, today: Date) -> Result<Date, ParticipantInputError> {
    let date = dates::parse_date(input).map_err(ParticipantInputError::Date)?;
    if date > today {
        Err(ParticipantInputError::BornInFuture)
    } else {
        Ok(date)
    }
}

/// What a register or edit form becomes once every field is read.
#[derive(Debug, Clone, Serialize)]
pub struct ParticipantInput {
    pub full_name: PersonName,
    pub birth_date: Date,
    pub municipality_id: MunicipalityId,
    pub dutch_level: DutchLevel,
    pub languages: String,
    pub phone: String,
    pub email: Option<Email>,
    pub external_dossier: String,
    pub obligation: Obligation,
    pub start_date: Date,
    /// `None`: the region's default trajectory length after the start.
    pub target_end_date: Option<Date>,
    pub notes: String,
    /// The days the person can take part, for matching; empty when not known yet.
    pub available_days: Weekdays,
}
