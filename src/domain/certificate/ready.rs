//! Who is ready for a certificate.

use sqlx::PgConnection;

use crate::values::ids::{MunicipalityId, ParticipantId, RegionId, UserId};

/// Ready-list rows shown at most; the filters narrow a longer list.
pub const READY_LIST_LIMIT: i64 = 500;

/// Filters of the ready list; `None` means all.
#[derive(Debug, Default, Clone)]
pub struct ReadyFilter {
    pub municipality: Option<MunicipalityId>,
    pub coach: Option<UserId>,
}

#[derive(Debug, Clone)]
pub struct ReadyRow {
    pub id: ParticipantId,
    pub full_name: String,
    pub municipality: String,
    pub coach_name: Option<String>,
    pub confirmed_minutes: i32,
    pub required_minutes: i32,
}

/// Active participants of the region whose confirmed minutes reach the requirement and who hold
/// no valid certificate, by name. Served by `participants_region_status_idx`.
pub async fn ready(
    conn: &mut PgConnection,
    region: RegionId,
    filter: &ReadyFilter,
) -> Result<Vec<ReadyRow>, sqlx::Error> {
    sqlx::query_as!(
        ReadyRow,
        r#"SELECT p.id AS "id: ParticipantId", p.full_name, m.name AS municipality,
                  u.name AS "coach_name?", p.confirmed_minutes, r.required_minutes
           FROM participants p
           JOIN regions r ON r.id = p.region_id
           JOIN municipalities m ON m.id = p.municipality_id
           LEFT JOIN users u ON u.id = p.coach_id
           WHERE p.region_id = $1
             AND p.status = 'actief'
             AND p.confirmed_minutes >= r.required_minutes
             AND NOT EXISTS (SELECT 1 FROM certificates c
                             WHERE c.participant_id = p.id AND c.status = 'geldig')
             AND ($2::uuid IS NULL OR p.municipality_id = $2)
             AND ($3::uuid IS NULL OR p.coach_id = $3)
           ORDER BY p.search_name, p.id
           LIMIT $4"#,
        region.0,
        filter.municipality.map(|m| m.0),
        filter.coach.map(|c| c.0),
        READY_LIST_LIMIT,
    )
    .fetch_all(conn)
    .await
}
