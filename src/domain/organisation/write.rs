//! Creating, changing and deleting organisations, each with its audit row.

use serde::Serialize;
use sqlx::PgConnection;

use super::contacts;
use super::{OrganisationInput, OrganisationKind, Scope, audit};
use crate::domain::search::search_key;
use crate::domain::user::Email;
use crate::values::ids::{MunicipalityId, OrganisationId, RegionId, UserId};

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

/// `sqlx::$query!` with `$first` as `$1` and the organisation's columns as `$2` to `$10`:
/// creating and changing bind them in the same order, written down once.
macro_rules! with_columns {
    ($query:ident, $sql:tt, $first:expr, $input:ident) => {
        sqlx::$query!(
            $sql,
            $first,
            $input.name.as_str(),
            search_key($input.name.as_str()),
            $input.kind as OrganisationKind,
            $input.municipality_id.map(|m| m.0),
            $input.address,
            $input.phone.as_str(),
            email_text(&$input.email),
            $input.description,
            $input.active,
        )
    };
}

/// Creates the organisation and its audit row; run it inside the caller's transaction.
/// The caller checked that the region lies in its scope.
pub async fn create(
    conn: &mut PgConnection,
    actor: UserId,
    input: &OrganisationInput,
) -> Result<OrganisationId, SaveError> {
    let id = with_columns!(
        query_scalar,
        r#"INSERT INTO organisations (region_id, name, search_name, kind, municipality_id,
                                      address, phone, email, description, active)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           RETURNING id AS "id: OrganisationId""#,
        input.region_id.0,
        input
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
    with_columns!(
        query,
        r#"UPDATE organisations
           SET name = $2, search_name = $3, kind = $4, municipality_id = $5, address = $6,
               phone = $7, email = $8, description = $9, active = $10, updated_at = now()
           WHERE id = $1"#,
        id.0,
        input
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
    contacts::delete_all(&mut *conn, actor, id).await?;
    sqlx::query!("DELETE FROM organisations WHERE id = $1", id.0)
        .execute(&mut *conn)
        .await?;
    audit(actor, "verwijderd", id)
        .record::<_, ()>(conn, Some(&before), None)
        .await?;
    Ok(())
}
