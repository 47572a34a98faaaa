//! Reading organisations: the list, one organisation's page, and the regions and
//! municipalities its form offers.

use sqlx::PgConnection;
use time::OffsetDateTime;

use super::{MunicipalityOption, OrganisationKind, RegionOption, Scope, StatusFilter};
use crate::domain::search::{contains_pattern, search_key};
use crate::values::ids::{MunicipalityId, OrganisationId, RegionId};

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

/// Every organisation with its region, for a partnercontact's organisation choice.
pub async fn all_with_region(
    conn: &mut PgConnection,
) -> Result<Vec<(OrganisationId, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT o.id AS "id: OrganisationId", o.name, r.name AS region
           FROM organisations o JOIN regions r ON r.id = o.region_id
           ORDER BY r.name, o.search_name, o.id"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.id, format!("{} ({})", row.name, row.region)))
        .collect())
}
