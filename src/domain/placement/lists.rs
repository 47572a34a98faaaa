//! The placements of one participant, or of one organisation, as lists show them.

use sqlx::PgConnection;
use time::Date;

use crate::values::dates::format_date;
use crate::values::duration::format_minutes;
use crate::values::ids::{OrganisationId, ParticipantId, PlacementId};
use crate::values::kinds::{PlacementKind, PlacementStatus};

/// A line in a list of placements, with its confirmed and pending minutes.
#[derive(Debug, Clone)]
pub struct PlacementSummary {
    pub id: PlacementId,
    pub participant_id: ParticipantId,
    pub participant_name: String,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub kind: PlacementKind,
    pub status: PlacementStatus,
    pub starts_on: Date,
    pub ends_on: Date,
    pub planned_minutes: i32,
    pub confirmed_minutes: i64,
    pub pending_minutes: i64,
}

impl PlacementSummary {
    pub fn period_text(&self) -> String {
        format!(
            "{} – {}",
            format_date(self.starts_on),
            format_date(self.ends_on)
        )
    }

    pub fn planned_text(&self) -> String {
        format_minutes(i64::from(self.planned_minutes))
    }

    pub fn confirmed_text(&self) -> String {
        format_minutes(self.confirmed_minutes)
    }

    pub fn pending_text(&self) -> String {
        format_minutes(self.pending_minutes)
    }
}

/// One page of an organisation's placements for its partner: running and planned ones first,
/// then by start date, newest first. The page is chosen before the entries are summed, so
/// only the shown placements are aggregated.
pub async fn list_for_organisation(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    offset: i64,
    limit: i64,
) -> Result<Vec<PlacementSummary>, sqlx::Error> {
    sqlx::query_as!(
        PlacementSummary,
        r#"WITH page AS (
               SELECT pl.id, pl.participant_id, pl.organisation_id, pl.kind, pl.status,
                      pl.starts_on, pl.ends_on, pl.planned_minutes,
                      (pl.status IN ('gepland', 'lopend')) AS open
               FROM placements pl
               WHERE pl.organisation_id = $1
               ORDER BY open DESC, pl.starts_on DESC, pl.id
               LIMIT $2 OFFSET $3
           )
           SELECT page.id AS "id: PlacementId",
                  page.participant_id AS "participant_id: ParticipantId",
                  p.full_name AS participant_name,
                  page.organisation_id AS "organisation_id: OrganisationId",
                  o.name AS organisation_name,
                  page.kind AS "kind: PlacementKind",
                  page.status AS "status: PlacementStatus",
                  page.starts_on, page.ends_on, page.planned_minutes,
                  t.confirmed AS "confirmed_minutes!", t.pending AS "pending_minutes!"
           FROM page
           JOIN participants p ON p.id = page.participant_id
           JOIN organisations o ON o.id = page.organisation_id
           CROSS JOIN LATERAL (
               SELECT coalesce(sum(e.minutes) FILTER (WHERE e.status = 'bevestigd'), 0)::int8 AS confirmed,
                      coalesce(sum(e.minutes) FILTER (WHERE e.status = 'ingediend'), 0)::int8 AS pending
               FROM hour_entries e WHERE e.placement_id = page.id
           ) t
           ORDER BY page.open DESC, page.starts_on DESC, page.id"#,
        organisation.0,
        limit,
        offset,
    )
    .fetch_all(conn)
    .await
}
