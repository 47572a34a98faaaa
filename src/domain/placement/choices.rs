//! What the placement form offers to choose from: organisations and their partner contacts.

use sqlx::PgConnection;

use crate::values::ids::{OrganisationId, RegionId, UserId};

/// An organisation the placement form offers.
#[derive(Debug, Clone)]
pub struct OrganisationChoice {
    pub id: OrganisationId,
    pub name: String,
}

/// The active organisations of a region, by name; plus `keep` (a placement's current one)
/// even when it is no longer active.
pub async fn organisation_choices(
    conn: &mut PgConnection,
    region: RegionId,
    keep: Option<OrganisationId>,
) -> Result<Vec<OrganisationChoice>, sqlx::Error> {
    sqlx::query_as!(
        OrganisationChoice,
        r#"SELECT id AS "id: OrganisationId", name FROM organisations
           WHERE region_id = $1 AND (active OR id = $2)
           ORDER BY search_name, name"#,
        region.0,
        keep.map(|id| id.0),
    )
    .fetch_all(conn)
    .await
}

/// A partner user who can be a placement's contact.
#[derive(Debug, Clone)]
pub struct ContactChoice {
    pub id: UserId,
    pub name: String,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
}

/// The active partner users of the region's active organisations, grouped by organisation.
pub async fn contact_choices(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Vec<ContactChoice>, sqlx::Error> {
    sqlx::query_as!(
        ContactChoice,
        r#"SELECT u.id AS "id: UserId", u.name,
                  o.id AS "organisation_id: OrganisationId", o.name AS organisation_name
           FROM users u JOIN organisations o ON o.id = u.organisation_id
           WHERE o.region_id = $1 AND o.active AND u.active AND u.role = 'partner'
           ORDER BY o.search_name, o.name, u.name"#,
        region.0,
    )
    .fetch_all(conn)
    .await
}
