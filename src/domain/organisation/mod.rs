//! Partner organisations: their rules and their SQL.
//!
//! A coördinator manages the organisations of their own region, a beheerder those of every
//! region ([`Scope`]). Every query takes the scope, so an organisation of another region is
//! simply not found. An organisation with placements is never deleted, only deactivated; its
//! contact persons are `partner` users of the organisation.

mod contacts;
mod input;
mod read;
mod write;

use serde::Serialize;

use super::audit::AuditEntry;
use crate::values::ids::{OrganisationId, RegionId, UserId};

pub use contacts::{Contact, NewContact, add_contact, contacts};
pub use input::{
    ADDRESS_MAX_CHARS, DESCRIPTION_MAX_CHARS, MunicipalityOption, OrganisationInput,
    OrganisationInputError, OrganisationName, Phone, RegionOption, parse_municipality,
    parse_optional_email, parse_region, parse_text,
};
pub use read::{ListRow, Organisation, all_with_region, get, list, municipalities, regions};
pub use write::{DeleteError, SaveError, create, delete, update};

/// What kind of place an organisation is (PostgreSQL enum `organisation_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, Serialize)]
#[sqlx(type_name = "organisation_kind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Vereniging,
    Bedrijf,
    LokaalBestuur,
    Woonzorgcentrum,
    LokaalDienstencentrum,
    Buurtwerking,
    Andere,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 7] = [
        OrganisationKind::Vereniging,
        OrganisationKind::Bedrijf,
        OrganisationKind::LokaalBestuur,
        OrganisationKind::Woonzorgcentrum,
        OrganisationKind::LokaalDienstencentrum,
        OrganisationKind::Buurtwerking,
        OrganisationKind::Andere,
    ];

    /// The code stored in the database and sent by forms.
    pub fn code(self) -> &'static str {
        match self {
            OrganisationKind::Vereniging => "vereniging",
            OrganisationKind::Bedrijf => "bedrijf",
            OrganisationKind::LokaalBestuur => "lokaal_bestuur",
            OrganisationKind::Woonzorgcentrum => "woonzorgcentrum",
            OrganisationKind::LokaalDienstencentrum => "lokaal_dienstencentrum",
            OrganisationKind::Buurtwerking => "buurtwerking",
            OrganisationKind::Andere => "andere",
        }
    }

    /// The words the users know the kind by.
    pub fn label(self) -> &'static str {
        match self {
            OrganisationKind::Vereniging => "vereniging",
            OrganisationKind::Bedrijf => "bedrijf",
            OrganisationKind::LokaalBestuur => "lokaal bestuur / stadsdienst",
            OrganisationKind::Woonzorgcentrum => "woonzorgcentrum",
            OrganisationKind::LokaalDienstencentrum => "lokaal dienstencentrum",
            OrganisationKind::Buurtwerking => "buurtwerking",
            OrganisationKind::Andere => "andere",
        }
    }

    /// Accepts the code and the Dutch label, in any case: `lokaal_bestuur`, `Lokaal bestuur`,
    /// `stadsdienst`…
    pub fn parse(input: &str) -> Result<Self, OrganisationInputError> {
        let typed = input.trim().to_lowercase();
        if typed.is_empty() {
            return Err(OrganisationInputError::MissingKind);
        }
        let typed = typed.replace(' ', "_");
        Self::ALL
            .into_iter()
            .find(|kind| kind.code() == typed || kind.label().replace(' ', "_") == typed)
            .or(match typed.as_str() {
                "stadsdienst" | "gemeentedienst" => Some(OrganisationKind::LokaalBestuur),
                "vzw" => Some(OrganisationKind::Vereniging),
                "wzc" => Some(OrganisationKind::Woonzorgcentrum),
                "ldc" => Some(OrganisationKind::LokaalDienstencentrum),
                _ => None,
            })
            .ok_or(OrganisationInputError::UnknownKind)
    }
}

/// Which organisations a user may see and change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A coördinator: one region.
    Region(RegionId),
    /// A beheerder: every region.
    AllRegions,
}

impl Scope {
    fn region(self) -> Option<uuid::Uuid> {
        match self {
            Scope::Region(region) => Some(region.0),
            Scope::AllRegions => None,
        }
    }

    /// Whether lists show which region each organisation belongs to.
    pub fn spans_regions(self) -> bool {
        self == Scope::AllRegions
    }
}

/// `?status=`: active organisations (the default), inactive ones or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Active,
    Inactive,
    All,
}

impl StatusFilter {
    pub fn parse(input: Option<&str>) -> Self {
        match input.map(str::trim) {
            Some("inactief") => StatusFilter::Inactive,
            Some("alle") => StatusFilter::All,
            _ => StatusFilter::Active,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            StatusFilter::Active => "actief",
            StatusFilter::Inactive => "inactief",
            StatusFilter::All => "alle",
        }
    }

    fn active(self) -> Option<bool> {
        match self {
            StatusFilter::Active => Some(true),
            StatusFilter::Inactive => Some(false),
            StatusFilter::All => None,
        }
    }
}

/// The audit row of a change to the organisation itself or to its contact persons.
fn audit(actor: UserId, action: &str, id: OrganisationId) -> AuditEntry<'_> {
    AuditEntry {
        actor: Some(actor),
        action,
        entity: "organisation",
        entity_id: id.0,
        participant: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_code_and_label() {
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(kind.code()), Ok(kind));
            assert_eq!(OrganisationKind::parse(kind.label()), Ok(kind));
            assert_eq!(
                OrganisationKind::parse(&kind.label().to_uppercase()),
                Ok(kind)
            );
        }
        assert_eq!(
            OrganisationKind::parse("Lokaal bestuur"),
            Ok(OrganisationKind::LokaalBestuur)
        );
        assert_eq!(
            OrganisationKind::parse("stadsdienst"),
            Ok(OrganisationKind::LokaalBestuur)
        );
        assert_eq!(
            OrganisationKind::parse(" "),
            Err(OrganisationInputError::MissingKind)
        );
        assert_eq!(
            OrganisationKind::parse("sekte"),
            Err(OrganisationInputError::UnknownKind)
        );
    }

    #[test]
    fn labels_are_dutch() {
        assert_eq!(
            OrganisationKind::LokaalBestuur.label(),
            "lokaal bestuur / stadsdienst"
        );
        assert_eq!(
            OrganisationKind::LokaalDienstencentrum.label(),
            "lokaal dienstencentrum"
        );
    }

    #[test]
    fn status_filter_defaults_to_active() {
        assert_eq!(StatusFilter::parse(None), StatusFilter::Active);
        assert_eq!(StatusFilter::parse(Some("rommel")), StatusFilter::Active);
        assert_eq!(
            StatusFilter::parse(Some("inactief")),
            StatusFilter::Inactive
        );
        assert_eq!(StatusFilter::parse(Some("alle")), StatusFilter::All);
    }
}
