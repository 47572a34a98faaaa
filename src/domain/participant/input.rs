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
    #[error(
        "Dit lijkt een rijksregisternummer of INSZ-nummer. Veertig bewaart die niet, om zo weinig mogelijk persoonsgegevens bij te houden: vul het dossiernummer van het agentschap of de gemeente in, of laat het veld leeg."
    )]
    NationalNumber,
}

/// A dossier number of the agency or the municipality: free text, but never a national
/// register number (rijksregisternummer, or an INSZ/BIS number), which Veertig does not keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DossierNumber(String);

impl DossierNumber {
    pub fn parse(input: &str) -> Result<Self, ParticipantInputError> {
        let input = input.trim();
        let bytes = input.as_bytes();
        let holds_national_number = (0..bytes.len()).any(|start| {
            (start == 0 || !bytes[start - 1].is_ascii_digit())
                && national_number_at(&bytes[start..])
        });
        if holds_national_number {
            Err(ParticipantInputError::NationalNumber)
        } else {
            Ok(Self(input.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `text` starts with a national number as people write it: `YY.MM.DD-XXX.CC`, each
/// separator optional (or a space or slash), not followed by another digit.
fn national_number_at(text: &[u8]) -> bool {
    let mut digits = Vec::with_capacity(11);
    let mut at = 0;
    for (group, length) in [2, 2, 2, 3, 2].into_iter().enumerate() {
        if group > 0 && matches!(text.get(at), Some(b'.' | b'-' | b' ' | b'/')) {
            at += 1;
        }
        for _ in 0..length {
            match text.get(at) {
                Some(digit) if digit.is_ascii_digit() => digits.push(u64::from(digit - b'0')),
                _ => return false,
            }
            at += 1;
        }
    }
    let ends = text.get(at).is_none_or(|next| !next.is_ascii_digit());
    ends && is_national_number(&digits)
}

/// A birth date part that can be one (month 0 when unknown; BIS numbers add 20 or 40 to the
/// month) and the check digits: 97 minus the first nine digits modulo 97, with a 2 in front of
/// them for people born from 2000 on.
fn is_national_number(digits: &[u64]) -> bool {
    let number = |part: &[u64]| part.iter().fold(0, |n, digit| n * 10 + digit);
    let month = number(&digits[2..4]);
    let day = number(&digits[4..6]);
    let body = number(&digits[..9]);
    let check = number(&digits[9..]);
    let date_fits = month <= 52 && month % 20 <= 12 && day <= 31;
    date_fits
        && [body, 2_000_000_000 + body]
            .iter()
            .any(|b| 97 - b % 97 == check)
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
    pub external_dossier: DossierNumber,
    pub obligation: Obligation,
    pub start_date: Date,
    /// `None`: the region's default trajectory length after the start.
    pub target_end_date: Option<Date>,
    pub notes: String,
    /// The days the person can take part, for matching; empty when not known yet.
    pub available_days: Weekdays,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dossier_number_is_never_a_national_number() {
        for national in [
            "90.03.14-123.10",
            "90031412310",
            "90 03 14 123 10",
            "dossier 90.03.14-123.10 (KBI)",
            // Born in 2005: the check digits count a 2 in front.
            "05.07.01-123.30",
            // A BIS number: month plus 40.
            "90.43.14-123.96",
        ] {
            assert_eq!(
                DossierNumber::parse(national),
                Err(ParticipantInputError::NationalNumber),
                "{national}"
            );
        }
        for dossier in [
            "",
            "KBI-2024-3f9a1c",
            "90.03.14-123.11",
            "900314123100",
            "2024/000123",
            "90.13.14-123.xx",
        ] {
            assert_eq!(
                DossierNumber::parse(dossier).map(|d| d.as_str().to_string()),
                Ok(dossier.to_string()),
                "{dossier}"
            );
        }
    }
}
