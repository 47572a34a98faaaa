//! Partner organisations: their rules and their SQL.
//!
//! A coördinator manages the organisations of their own region, a beheerder those of every
//! region ([`Scope`]). Every query takes the scope, so an organisation of another region is
//! simply not found. An organisation with placements is never deleted, only deactivated; its
//! contact persons are `partner` users of the organisation.

use rand::RngCore;
use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;

use super::audit::AuditEntry;
use super::search::{contains_pattern, search_key};
use super::user::{self, CreateUserError, Email, NewPassword, NewUser, PersonName, Role};
use crate::values::ids::{MunicipalityId, OrganisationId, RegionId, UserId};

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

/// One line of the organisation list.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrganisationKind,
    pub active: bool,
    pub municipality_name: Option<String>,
    pub region_name: String,
}

/// A page of organisations in the scope, by name: those whose name contains `search`
/// (accents and case ignored) and that match `status`. `offset`/`limit` come from the
/// caller's paging.
///
/// One fixed query per shape rather than `$1 IS NULL OR …` conditions: once PostgreSQL
/// switches a prepared statement to its generic plan, such conditions can no longer use an
/// index. Within a region the list walks `organisations_region_name_idx` in name order and
/// stops after one page; a search can use the trigram index `organisations_search_idx`.
/// `contains_pattern` escapes with a backslash, PostgreSQL's default `LIKE` escape.
pub async fn list(
    conn: &mut PgConnection,
    scope: Scope,
    search: &str,
    status: StatusFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<ListRow>, sqlx::Error> {
    let pattern = (!search_key(search).is_empty()).then(|| contains_pattern(search));
    let active = status.active();
    match (scope, pattern) {
        (Scope::Region(region), None) => {
            sqlx::query_as!(
                ListRow,
                r#"SELECT o.id AS "id: OrganisationId", o.name,
                          o.kind AS "kind: OrganisationKind", o.active,
                          m.name AS "municipality_name?", r.name AS region_name
                   FROM organisations o
                   JOIN regions r ON r.id = o.region_id
                   LEFT JOIN municipalities m ON m.id = o.municipality_id
                   WHERE o.region_id = $1 AND ($2::boolean IS NULL OR o.active = $2)
                   ORDER BY o.search_name, o.id
                   LIMIT $3 OFFSET $4"#,
                region.0,
                active,
                limit,
                offset,
            )
            .fetch_all(conn)
            .await
        }
        (Scope::Region(region), Some(pattern)) => {
            sqlx::query_as!(
                ListRow,
                r#"SELECT o.id AS "id: OrganisationId", o.name,
                          o.kind AS "kind: OrganisationKind", o.active,
                          m.name AS "municipality_name?", r.name AS region_name
                   FROM organisations o
                   JOIN regions r ON r.id = o.region_id
                   LEFT JOIN municipalities m ON m.id = o.municipality_id
                   WHERE o.region_id = $1 AND o.search_name LIKE $2
                     AND ($3::boolean IS NULL OR o.active = $3)
                   ORDER BY o.search_name, o.id
                   LIMIT $4 OFFSET $5"#,
                region.0,
                pattern,
                active,
                limit,
                offset,
            )
            .fetch_all(conn)
            .await
        }
        (Scope::AllRegions, None) => {
            sqlx::query_as!(
                ListRow,
                r#"SELECT o.id AS "id: OrganisationId", o.name,
                          o.kind AS "kind: OrganisationKind", o.active,
                          m.name AS "municipality_name?", r.name AS region_name
                   FROM organisations o
                   JOIN regions r ON r.id = o.region_id
                   LEFT JOIN municipalities m ON m.id = o.municipality_id
                   WHERE ($1::boolean IS NULL OR o.active = $1)
                   ORDER BY o.search_name, o.id
                   LIMIT $2 OFFSET $3"#,
                active,
                limit,
                offset,
            )
            .fetch_all(conn)
            .await
        }
        (Scope::AllRegions, Some(pattern)) => {
            sqlx::query_as!(
                ListRow,
                r#"SELECT o.id AS "id: OrganisationId", o.name,
                          o.kind AS "kind: OrganisationKind", o.active,
                          m.name AS "municipality_name?", r.name AS region_name
                   FROM organisations o
                   JOIN regions r ON r.id = o.region_id
                   LEFT JOIN municipalities m ON m.id = o.municipality_id
                   WHERE o.search_name LIKE $1 AND ($2::boolean IS NULL OR o.active = $2)
                   ORDER BY o.search_name, o.id
                   LIMIT $3 OFFSET $4"#,
                pattern,
                active,
                limit,
                offset,
            )
            .fetch_all(conn)
            .await
        }
    }
}

/// An organisation with everything its page shows.
#[derive(Debug, Clone)]
pub struct Organisation {
    pub id: OrganisationId,
    pub region_id: RegionId,
    pub region_name: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub active: bool,
    pub municipality_id: Option<MunicipalityId>,
    pub municipality_name: Option<String>,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub description: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// How many placements (of any status) it has or had; with any, it cannot be deleted.
    pub placements: i64,
}

/// The organisation, if it exists and lies in the scope; `None` otherwise, so another
/// region's organisation looks exactly like one that does not exist.
pub async fn get(
    conn: &mut PgConnection,
    scope: Scope,
    id: OrganisationId,
) -> Result<Option<Organisation>, sqlx::Error> {
    sqlx::query_as!(
        Organisation,
        r#"SELECT o.id AS "id: OrganisationId", o.region_id AS "region_id: RegionId",
                  r.name AS region_name, o.name, o.kind AS "kind: OrganisationKind", o.active,
                  o.municipality_id AS "municipality_id: MunicipalityId",
                  m.name AS "municipality_name?", o.address, o.phone, o.email, o.description,
                  o.created_at, o.updated_at,
                  (SELECT count(*) FROM placements p WHERE p.organisation_id = o.id) AS "placements!"
           FROM organisations o
           JOIN regions r ON r.id = o.region_id
           LEFT JOIN municipalities m ON m.id = o.municipality_id
           WHERE o.id = $1 AND ($2::uuid IS NULL OR o.region_id = $2)"#,
        id.0,
        scope.region(),
    )
    .fetch_optional(conn)
    .await
}

/// The regions a user may put an organisation in.
pub async fn regions(
    conn: &mut PgConnection,
    scope: Scope,
) -> Result<Vec<RegionOption>, sqlx::Error> {
    sqlx::query_as!(
        RegionOption,
        r#"SELECT id AS "id: RegionId", name FROM regions
           WHERE ($1::uuid IS NULL OR id = $1)
           ORDER BY name"#,
        scope.region(),
    )
    .fetch_all(conn)
    .await
}

/// The municipalities of the scope (of one region when `region` is given), by region and name.
pub async fn municipalities(
    conn: &mut PgConnection,
    scope: Scope,
    region: Option<RegionId>,
) -> Result<Vec<MunicipalityOption>, sqlx::Error> {
    sqlx::query_as!(
        MunicipalityOption,
        r#"SELECT m.id AS "id: MunicipalityId", m.name, m.region_id AS "region_id: RegionId",
                  r.name AS region_name
           FROM municipalities m JOIN regions r ON r.id = m.region_id
           WHERE ($1::uuid IS NULL OR m.region_id = $1) AND ($2::uuid IS NULL OR m.region_id = $2)
           ORDER BY r.name, m.name"#,
        scope.region(),
        region.map(|r| r.0),
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("Er bestaat in deze regio al een organisatie met deze naam.")]
    NameTaken,
    #[error("organisation not found in scope")]
    NotFound,
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for SaveError {
    fn from(error: sqlx::Error) -> Self {
        match error.as_database_error().and_then(|e| e.constraint()) {
            Some("organisations_name_key") => Self::NameTaken,
            _ => Self::Database(error),
        }
    }
}

/// What the audit log keeps of an organisation, before and after a change.
#[derive(Debug, Serialize)]
struct OrganisationAudit {
    region_id: RegionId,
    name: String,
    kind: OrganisationKind,
    municipality_id: Option<MunicipalityId>,
    address: String,
    phone: String,
    email: String,
    description: String,
    active: bool,
}

impl From<&OrganisationInput> for OrganisationAudit {
    fn from(input: &OrganisationInput) -> Self {
        Self {
            region_id: input.region_id,
            name: input.name.as_str().to_string(),
            kind: input.kind,
            municipality_id: input.municipality_id,
            address: input.address.clone(),
            phone: input.phone.as_str().to_string(),
            email: email_text(&input.email).to_string(),
            description: input.description.clone(),
            active: input.active,
        }
    }
}

fn email_text(email: &Option<Email>) -> &str {
    email.as_ref().map(Email::as_str).unwrap_or_default()
}

fn audit(actor: UserId, action: &str, id: OrganisationId) -> AuditEntry<'_> {
    AuditEntry {
        actor: Some(actor),
        action,
        entity: "organisation",
        entity_id: id.0,
        participant: None,
    }
}

/// Creates the organisation and its audit row; run it inside the caller's transaction.
/// The caller checked that the region lies in its scope.
pub async fn create(
    conn: &mut PgConnection,
    actor: UserId,
    input: &OrganisationInput,
) -> Result<OrganisationId, SaveError> {
    let id = sqlx::query_scalar!(
        r#"INSERT INTO organisations (region_id, name, search_name, kind, municipality_id,
                                      address, phone, email, description, active)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           RETURNING id AS "id: OrganisationId""#,
        input.region_id.0,
        input.name.as_str(),
        search_key(input.name.as_str()),
        input.kind as OrganisationKind,
        input.municipality_id.map(|m| m.0),
        input.address,
        input.phone.as_str(),
        email_text(&input.email),
        input.description,
        input.active,
    )
    .fetch_one(&mut *conn)
    .await?;
    audit(actor, "aangemaakt", id)
        .record::<(), _>(conn, None, Some(&OrganisationAudit::from(input)))
        .await?;
    Ok(id)
}

/// The organisation's current values, locked until the transaction ends.
async fn lock(
    conn: &mut PgConnection,
    scope: Scope,
    id: OrganisationId,
) -> Result<Option<OrganisationAudit>, sqlx::Error> {
    sqlx::query_as!(
        OrganisationAudit,
        r#"SELECT region_id AS "region_id: RegionId", name, kind AS "kind: OrganisationKind",
                  municipality_id AS "municipality_id: MunicipalityId", address, phone, email,
                  description, active
           FROM organisations
           WHERE id = $1 AND ($2::uuid IS NULL OR region_id = $2)
           FOR UPDATE"#,
        id.0,
        scope.region(),
    )
    .fetch_optional(conn)
    .await
}

/// Changes the organisation (the active flag included) and writes the audit row with the
/// values before and after. The region never changes: `input.region_id` must be the
/// organisation's own region.
pub async fn update(
    conn: &mut PgConnection,
    actor: UserId,
    scope: Scope,
    id: OrganisationId,
    input: &OrganisationInput,
) -> Result<(), SaveError> {
    let Some(before) = lock(conn, scope, id).await? else {
        return Err(SaveError::NotFound);
    };
    if before.region_id != input.region_id {
        return Err(SaveError::NotFound);
    }
    sqlx::query!(
        r#"UPDATE organisations
           SET name = $2, search_name = $3, kind = $4, municipality_id = $5, address = $6,
               phone = $7, email = $8, description = $9, active = $10, updated_at = now()
           WHERE id = $1"#,
        id.0,
        input.name.as_str(),
        search_key(input.name.as_str()),
        input.kind as OrganisationKind,
        input.municipality_id.map(|m| m.0),
        input.address,
        input.phone.as_str(),
        email_text(&input.email),
        input.description,
        input.active,
    )
    .execute(&mut *conn)
    .await?;
    let after = OrganisationAudit::from(input);
    let action = match (before.active, after.active) {
        (true, false) => "gedeactiveerd",
        (false, true) => "geactiveerd",
        _ => "gewijzigd",
    };
    audit(actor, action, id)
        .record(conn, Some(&before), Some(&after))
        .await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    #[error(
        "Deze organisatie heeft plaatsingen en kan daarom niet verwijderd worden. Zet ze op non-actief: dan blijft haar geschiedenis bewaard."
    )]
    HasPlacements,
    #[error(
        "Deze organisatie of een van haar contactpersonen komt nog voor in andere gegevens en kan daarom niet verwijderd worden. Zet ze op non-actief."
    )]
    InUse,
    #[error("organisation not found in scope")]
    NotFound,
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for DeleteError {
    fn from(error: sqlx::Error) -> Self {
        match error.as_database_error().map(|e| e.kind()) {
            Some(sqlx::error::ErrorKind::ForeignKeyViolation) => Self::InUse,
            _ => Self::Database(error),
        }
    }
}

/// Deletes an organisation that never had placements, together with the accounts of its
/// contact persons (a partner user cannot exist without an organisation), each with an audit
/// row; its offers go with it (the foreign key cascades: no placement names them). An
/// organisation with placements is refused: it can only be deactivated. The row is
/// locked first, so a placement made meanwhile waits for this transaction.
pub async fn delete(
    conn: &mut PgConnection,
    actor: UserId,
    scope: Scope,
    id: OrganisationId,
) -> Result<(), DeleteError> {
    let Some(before) = lock(conn, scope, id).await? else {
        return Err(DeleteError::NotFound);
    };
    let has_placements = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM placements WHERE organisation_id = $1) AS "exists!""#,
        id.0
    )
    .fetch_one(&mut *conn)
    .await?;
    if has_placements {
        return Err(DeleteError::HasPlacements);
    }
    let contacts = sqlx::query_as!(
        ContactAudit,
        r#"DELETE FROM users WHERE organisation_id = $1 AND role = 'partner'
           RETURNING id AS "id: UserId", email, name, phone"#,
        id.0
    )
    .fetch_all(&mut *conn)
    .await?;
    for contact in &contacts {
        AuditEntry {
            actor: Some(actor),
            action: "verwijderd",
            entity: "user",
            entity_id: contact.id.0,
            participant: None,
        }
        .record::<_, ()>(&mut *conn, Some(contact), None)
        .await?;
    }
    sqlx::query!("DELETE FROM organisations WHERE id = $1", id.0)
        .execute(&mut *conn)
        .await?;
    audit(actor, "verwijderd", id)
        .record::<_, ()>(conn, Some(&before), None)
        .await?;
    Ok(())
}

/// A contact person: a partner user of the organisation.
#[derive(Debug, Clone)]
pub struct Contact {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub active: bool,
}

#[derive(Debug, Serialize)]
struct ContactAudit {
    id: UserId,
    email: String,
    name: String,
    phone: String,
}

/// The organisation's contact persons, by name. The caller checked the scope.
pub async fn contacts(
    conn: &mut PgConnection,
    id: OrganisationId,
) -> Result<Vec<Contact>, sqlx::Error> {
    sqlx::query_as!(
        Contact,
        r#"SELECT id AS "id: UserId", name, email, phone, active
           FROM users
           WHERE organisation_id = $1 AND role = 'partner'
           ORDER BY lower(name), id"#,
        id.0
    )
    .fetch_all(conn)
    .await
}

/// A new contact person, parsed.
pub struct NewContact {
    pub name: PersonName,
    pub email: Email,
    pub phone: Phone,
}

/// Creates a `partner` account for the contact person. They get a long random password that
/// nobody ever sees: until a beheerder gives them one, they confirm hours through personal
/// links. Writes the user's audit row and one on the organisation; run it inside the caller's
/// transaction, after checking the organisation lies in the caller's scope.
pub async fn add_contact(
    conn: &mut PgConnection,
    actor: UserId,
    organisation: OrganisationId,
    contact: NewContact,
) -> Result<UserId, CreateUserError> {
    let password = NewPassword::parse(&unusable_password()).map_err(|_| {
        CreateUserError::Database(sqlx::Error::Protocol(
            "the generated password breaks the password rule".into(),
        ))
    })?;
    let name = contact.name.as_str().to_string();
    let email = contact.email.as_str().to_string();
    let id = user::create(
        &mut *conn,
        Some(actor),
        NewUser {
            email: contact.email,
            name: contact.name,
            role: Role::Partner,
            password,
            region_id: None,
            organisation_id: Some(organisation),
        },
    )
    .await?;
    sqlx::query!(
        "UPDATE users SET phone = $2 WHERE id = $1",
        id.0,
        contact.phone.as_str()
    )
    .execute(&mut *conn)
    .await?;
    audit(actor, "contactpersoon toegevoegd", organisation)
        .record::<(), _>(
            conn,
            None,
            Some(&ContactAudit {
                id,
                email,
                name,
                phone: contact.phone.as_str().to_string(),
            }),
        )
        .await?;
    Ok(id)
}

/// 64 random hexadecimal characters (256 bits): a password nobody knows or can guess.
fn unusable_password() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

    #[test]
    fn unusable_passwords_are_long_and_different() {
        let a = unusable_password();
        assert_eq!(a.len(), 64);
        assert_ne!(a, unusable_password());
        assert!(NewPassword::parse(&a).is_ok());
    }
}
