//! What partners see waiting for them, and what they decided.

use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use crate::values::ids::{EntryId, OrganisationId, PlacementId};
use crate::values::kinds::{EntryStatus, PlacementKind};

/// A pending entry as a partner sees it: the participant's name and the hours, nothing more.
#[derive(Debug, Clone)]
pub struct PendingEntry {
    pub id: EntryId,
    pub version: i32,
    pub worked_on: Date,
    pub minutes: i32,
    pub description: String,
    pub created_at: OffsetDateTime,
    pub placement_id: PlacementId,
    pub kind: PlacementKind,
    pub participant_name: String,
    /// Reported by the inburgeraar from Mijn traject.
    pub reported_by_inburgeraar: bool,
}

/// The pending entries of `limit` placements of the organisation (skipping `offset` placements),
/// by participant name: a big organisation's list comes in pages of whole placements, so "confirm
/// all" of a placement always covers what the page shows of it.
pub async fn pending_for_organisation(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    offset: i64,
    limit: i64,
) -> Result<Vec<PendingEntry>, sqlx::Error> {
    sqlx::query_as!(
        PendingEntry,
        r#"WITH shown AS (
               SELECT pl.id, pl.kind, pl.starts_on, p.id AS participant_id, p.search_name, p.full_name
               FROM placements pl
               JOIN participants p ON p.id = pl.participant_id
               WHERE pl.id IN (SELECT placement_id FROM hour_entries
                               WHERE organisation_id = $1 AND status = 'ingediend')
               ORDER BY p.search_name, p.id, pl.starts_on, pl.id
               OFFSET $2 LIMIT $3)
           SELECT e.id AS "id: EntryId", e.version, e.worked_on, e.minutes, e.description, e.created_at,
                  e.placement_id AS "placement_id: PlacementId", s.kind AS "kind!: PlacementKind",
                  s.full_name AS participant_name,
                  e.reported_via_link IS NOT NULL AS "reported_by_inburgeraar!"
           FROM shown s
           JOIN hour_entries e ON e.placement_id = s.id AND e.status = 'ingediend'
           ORDER BY s.search_name, s.participant_id, s.starts_on, s.id, e.worked_on, e.id"#,
        organisation.0,
        offset,
        limit
    )
    .fetch_all(conn)
    .await
}

/// Whether every one of `entries` is an entry of `placement`.
pub async fn all_of_placement(
    conn: &mut PgConnection,
    placement: PlacementId,
    entries: &[EntryId],
) -> Result<bool, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = entries.iter().map(|entry| entry.0).collect();
    sqlx::query_scalar!(
        r#"SELECT NOT EXISTS (
               SELECT 1 FROM unnest($1::uuid[]) AS shown (id)
               LEFT JOIN hour_entries e ON e.id = shown.id AND e.placement_id = $2
               WHERE e.id IS NULL
           ) AS "all!""#,
        &ids,
        placement.0
    )
    .fetch_one(conn)
    .await
}

pub async fn pending_for_placement(
    conn: &mut PgConnection,
    placement: PlacementId,
) -> Result<Vec<PendingEntry>, sqlx::Error> {
    sqlx::query_as!(
        PendingEntry,
        r#"SELECT e.id AS "id: EntryId", e.version, e.worked_on, e.minutes, e.description, e.created_at,
                  e.placement_id AS "placement_id: PlacementId", pl.kind AS "kind: PlacementKind",
                  p.full_name AS participant_name,
                  e.reported_via_link IS NOT NULL AS "reported_by_inburgeraar!"
           FROM hour_entries e
           JOIN placements pl ON pl.id = e.placement_id
           JOIN participants p ON p.id = e.participant_id
           WHERE e.placement_id = $1 AND e.status = 'ingediend'
           ORDER BY e.worked_on, e.id"#,
        placement.0
    )
    .fetch_all(conn)
    .await
}

/// An entry a partner organisation confirmed or rejected.
#[derive(Debug, Clone)]
pub struct DecidedEntry {
    pub worked_on: Date,
    pub minutes: i32,
    pub status: EntryStatus,
    pub rejection_reason: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub decided_by: Option<String>,
    pub participant_name: String,
    pub kind: PlacementKind,
}

/// What the organisation decided, the newest work first: by the day worked, then the moment
/// it was logged, then the id, so the order is the same on every page.
pub async fn decided_for_organisation(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    offset: i64,
    limit: i64,
) -> Result<Vec<DecidedEntry>, sqlx::Error> {
    sqlx::query_as!(
        DecidedEntry,
        r#"SELECT e.worked_on, e.minutes, e.status AS "status: EntryStatus", e.rejection_reason, e.decided_at,
                  coalesce(u.name,
                           (SELECT a.after->>'confirmer_name' FROM audit_log a
                            WHERE a.entity = 'hour_entry' AND a.entity_id = e.id
                            ORDER BY a.id DESC LIMIT 1)) AS decided_by,
                  p.full_name AS participant_name, pl.kind AS "kind: PlacementKind"
           FROM hour_entries e
           JOIN placements pl ON pl.id = e.placement_id
           JOIN participants p ON p.id = e.participant_id
           LEFT JOIN users u ON u.id = e.decided_by
           WHERE e.organisation_id = $1 AND e.status <> 'ingediend'
           ORDER BY e.worked_on DESC, e.created_at DESC, e.id DESC
           OFFSET $2 LIMIT $3"#,
        organisation.0,
        offset,
        limit,
    )
    .fetch_all(conn)
    .await
}
