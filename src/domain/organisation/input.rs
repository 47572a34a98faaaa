//! What the organisation form sends, parsed into the values an organisation holds.

use serde::Serialize;

use super::OrganisationKind;
use crate::domain::user::{self, Email};
use crate::values::ids::{MunicipalityId, RegionId};

/// Why a value typed into the organisation form was refused, in Dutch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganisationInputError {
    #[error("Vul de naam van de organisatie in.")]
    EmptyName,
    #[error("Een naam heeft hoogstens {max} tekens.", max = OrganisationName::MAX_CHARS)]
    NameTooLong,
    #[error("Kies de soort organisatie.")]
    MissingKind,
    #[error("Kies een soort organisatie uit de lijst.")]
    UnknownKind,
    #[error("Kies de regio van de organisatie.")]
    MissingRegion,
    #[error("Kies een regio uit de lijst.")]
    UnknownRegion,
    #[error("Kies een gemeente van de regio van de organisatie.")]
    MunicipalityOutsideRegion,
    #[error("Vul een geldig telefoonnummer in, bijvoorbeeld 050 44 80 00 of +32 470 12 34 56.")]
    InvalidPhone,
    #[error("Dit veld heeft hoogstens {max} tekens.")]
    TooLong { max: usize },
}

/// An organisation's name as it writes itself; only surrounding space is removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OrganisationName(String);

impl OrganisationName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<Self, OrganisationInputError> {
        let name = input.trim();
        if name.is_empty() {
            Err(OrganisationInputError::EmptyName)
        } else if name.chars().count() > Self::MAX_CHARS {
            Err(OrganisationInputError::NameTooLong)
        } else {
            Ok(Self(name.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A telephone number as people write it: digits with spaces, dots, slashes, dashes,
/// brackets and a leading `+`; empty means none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, OrganisationInputError> {
        let phone = input.trim();
        if phone.is_empty() {
            return Ok(Self(String::new()));
        }
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit()
                || matches!(c, ' ' | '.' | '/' | '-' | '(' | ')')
                || (c == '+' && i == 0)
        });
        if allowed && (6..=15).contains(&digits) {
            Ok(Self(phone.to_string()))
        } else {
            Err(OrganisationInputError::InvalidPhone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text (address, description), trimmed, at most `max` characters.
pub fn parse_text(input: &str, max: usize) -> Result<String, OrganisationInputError> {
    let text = input.trim();
    if text.chars().count() > max {
        Err(OrganisationInputError::TooLong { max })
    } else {
        Ok(text.to_string())
    }
}

pub const ADDRESS_MAX_CHARS: usize = 300;
pub const DESCRIPTION_MAX_CHARS: usize = 4000;

/// An optional e-mail address: empty is none, anything else must be valid.
pub fn parse_optional_email(input: &str) -> Result<Option<Email>, user::UserInputError> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        Email::parse(input).map(Some)
    }
}

/// A region an organisation can belong to (the beheerder's region choice).
#[derive(Debug, Clone)]
pub struct RegionOption {
    pub id: RegionId,
    pub name: String,
}

/// A municipality an organisation can be in.
#[derive(Debug, Clone)]
pub struct MunicipalityOption {
    pub id: MunicipalityId,
    pub name: String,
    pub region_id: RegionId,
    pub region_name: String,
}

/// The region chosen in a form: must be one of `regions`.
pub fn parse_region(
    input: &str,
    regions: &[RegionOption],
) -> Result<RegionId, OrganisationInputError> {
    let typed = input.trim();
    if typed.is_empty() {
        return Err(OrganisationInputError::MissingRegion);
    }
    regions
        .iter()
        .find(|region| region.id.to_string() == typed)
        .map(|region| region.id)
        .ok_or(OrganisationInputError::UnknownRegion)
}

/// The municipality chosen in a form: none, or one of `municipalities` that lies in `region`.
pub fn parse_municipality(
    input: &str,
    region: RegionId,
    municipalities: &[MunicipalityOption],
) -> Result<Option<MunicipalityId>, OrganisationInputError> {
    let typed = input.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    municipalities
        .iter()
        .find(|m| m.id.to_string() == typed && m.region_id == region)
        .map(|m| Some(m.id))
        .ok_or(OrganisationInputError::MunicipalityOutsideRegion)
}

/// A new or changed organisation, every field parsed. The region is fixed at creation.
#[derive(Debug, Clone)]
pub struct OrganisationInput {
    pub region_id: RegionId,
    pub name: OrganisationName,
    pub kind: OrganisationKind,
    pub municipality_id: Option<MunicipalityId>,
    pub address: String,
    pub phone: Phone,
    pub email: Option<Email>,
    pub description: String,
    pub active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(
            OrganisationName::parse("  Brügse Vzw ").map(|n| n.as_str().to_string()),
            Ok("Brügse Vzw".to_string())
        );
        assert_eq!(
            OrganisationName::parse("  "),
            Err(OrganisationInputError::EmptyName)
        );
        assert_eq!(
            OrganisationName::parse(&"a".repeat(201)),
            Err(OrganisationInputError::NameTooLong)
        );
    }

    #[test]
    fn phones_allow_what_people_write() {
        for ok in ["", "050 44 80 00", "+32 470/12.34.56", "(050) 44-80-00"] {
            assert!(Phone::parse(ok).is_ok(), "{ok:?}");
        }
        for bad in ["bel me", "12", "050 44 80 00 ext. 3", "32+470123456"] {
            assert_eq!(
                Phone::parse(bad),
                Err(OrganisationInputError::InvalidPhone),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn email_is_optional_but_valid_when_given() {
        assert_eq!(parse_optional_email("  "), Ok(None));
        assert!(parse_optional_email("info@vzw.be").is_ok_and(|e| e.is_some()));
        assert!(parse_optional_email("info@vzw").is_err());
    }

    #[test]
    fn municipality_must_lie_in_the_region() {
        let region = RegionId(uuid::Uuid::new_v4());
        let other = RegionId(uuid::Uuid::new_v4());
        let here = MunicipalityOption {
            id: MunicipalityId(uuid::Uuid::new_v4()),
            name: "Brugge".into(),
            region_id: region,
            region_name: "Regio Brugge".into(),
        };
        let there = MunicipalityOption {
            id: MunicipalityId(uuid::Uuid::new_v4()),
            name: "Gent".into(),
            region_id: other,
            region_name: "Regio Gent".into(),
        };
        let all = [here.clone(), there.clone()];
        assert_eq!(parse_municipality("", region, &all), Ok(None));
        assert_eq!(
            parse_municipality(&here.id.to_string(), region, &all),
            Ok(Some(here.id))
        );
        assert_eq!(
            parse_municipality(&there.id.to_string(), region, &all),
            Err(OrganisationInputError::MunicipalityOutsideRegion)
        );
        assert_eq!(
            parse_municipality("niet-een-id", region, &all),
            Err(OrganisationInputError::MunicipalityOutsideRegion)
        );
    }
}
