//! The participant page in one statement: the participant (if of the region), every list the
//! page shows, and the access-log row of the view, written in the same statement as the read
//! (a data-modifying CTE, only when the participant was found in the region). The page is the
//! busiest there is; each round trip costs both sides of the socket CPU.
//!
//! The lists come back as JSON columns (`json_agg` in the order the page shows them).

use serde::Deserialize;
use sqlx::PgConnection;
use sqlx::types::Json;
use time::{Date, OffsetDateTime};

use super::moves::MoveLine;
use super::pause::Pause;
use super::{Obligation, Participant, ParticipantStatus};
use crate::domain::access::logged_path;
use crate::domain::certificate::CertificateStatus;
use crate::domain::mijn_traject::ActiveLink;
use crate::values::dates::json_date;
use crate::values::ids::{
    CertificateId, MunicipalityId, ParticipantId, PlacementId, RegionId, UserId,
};
use crate::values::kinds::{EntryStatus, PlacementKind, PlacementStatus};
use crate::values::level::DutchLevel;

/// Who looks, for the access log (`inburgeraar bekeken`); the page shown again after a
/// refused form writes no row, as it is not a new look.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub user: UserId,
    /// The path asked for, as the access log keeps it.
    pub path: &'a str,
}

/// Everything the participant page shows.
#[derive(Debug, Clone)]
pub struct ParticipantPage {
    pub participant: Participant,
    /// Newest first, with the confirmed and pending minutes of each.
    pub placements: Vec<PlacementLine>,
    /// The latest 100 entries across placements.
    pub entries: Vec<EntryLine>,
    /// The latest 200 lines of the audit log about the participant.
    pub history: Vec<HistoryLine>,
    /// Moves to another region, the latest first.
    pub moves: Vec<MoveLine>,
    /// Newest first.
    pub certificates: Vec<CertificateLine>,
    /// The inburgeraar's working Mijn traject link, if any.
    pub own_link: Option<ActiveLink>,
    /// Latest first.
    pub pauses: Vec<Pause>,
    /// The region's active coaches, by name: the choices of the coach form.
    pub coaches: Vec<(UserId, String)>,
}

/// A placement as the participant page lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct PlacementLine {
    pub id: PlacementId,
    pub organisation_name: String,
    pub kind: PlacementKind,
    pub status: PlacementStatus,
    #[serde(deserialize_with = "json_date::deserialize")]
    pub starts_on: Date,
    #[serde(deserialize_with = "json_date::deserialize")]
    pub ends_on: Date,
    pub confirmed_minutes: i64,
    pub pending_minutes: i64,
}

/// An hour entry as listed on the participant page.
#[derive(Debug, Clone, Deserialize)]
pub struct EntryLine {
    #[serde(deserialize_with = "json_date::deserialize")]
    pub worked_on: Date,
    pub minutes: i32,
    pub status: EntryStatus,
    pub organisation: String,
    pub kind: PlacementKind,
    pub placement_id: PlacementId,
    pub rejection_reason: Option<String>,
    /// Reported by the inburgeraar from Mijn traject.
    pub reported_by_inburgeraar: bool,
    /// What was logged, when the partner confirmed another duration, and why.
    pub original_minutes: Option<i32>,
    pub correction_reason: Option<String>,
}

/// A line of the participant's history.
#[derive(Debug, Clone, Deserialize)]
pub struct HistoryLine {
    #[serde(deserialize_with = "time::serde::rfc3339::deserialize")]
    pub at: OffsetDateTime,
    pub actor: Option<String>,
    pub action: String,
    pub entity: String,
}

/// A certificate as the participant page names it.
#[derive(Debug, Clone, Deserialize)]
pub struct CertificateLine {
    pub id: CertificateId,
    pub number: String,
    #[serde(deserialize_with = "json_date::deserialize")]
    pub issued_on: Date,
    pub status: CertificateStatus,
}

/// The participant page of `id`, `None` when they are not of `region` (or do not exist).
/// With a `viewer`, the view is written to the access log in the same statement, only when
/// the participant was found; a refused look is logged by `web::middleware::log_denied`.
pub async fn load(
    conn: &mut PgConnection,
    region: RegionId,
    id: ParticipantId,
    viewer: Option<Viewer<'_>>,
) -> Result<Option<ParticipantPage>, sqlx::Error> {
    let path = viewer.map(|v| logged_path(v.path));
    let row = sqlx::query!(
        r#"WITH p AS (
               SELECT p.id, p.region_id, p.municipality_id, m.name AS municipality, p.coach_id,
                      u.name AS coach_name, p.full_name, p.birth_date, p.dutch_level,
                      p.languages, p.phone, p.email, p.external_dossier, p.obligation, p.status,
                      p.status_reason, p.status_note, p.start_date, p.target_end_date, p.notes,
                      p.confirmed_minutes, p.pending_minutes, r.required_minutes,
                      p.last_confirmed_on, p.available_days
               FROM participants p
               JOIN municipalities m ON m.id = p.municipality_id
               JOIN regions r ON r.id = p.region_id
               LEFT JOIN users u ON u.id = p.coach_id
               WHERE p.id = $1 AND p.region_id = $2),
           logged AS (
               INSERT INTO access_log (user_id, kind, participant_id, path)
               SELECT $3, 'inburgeraar', p.id, $4 FROM p WHERE $3::uuid IS NOT NULL
               RETURNING 1)
           SELECT p.id AS "id!: ParticipantId", p.region_id AS "region_id!: RegionId",
                  p.municipality_id AS "municipality_id!: MunicipalityId",
                  p.municipality AS "municipality!", p.coach_id AS "coach_id?: UserId",
                  p.coach_name AS "coach_name?", p.full_name AS "full_name!",
                  p.birth_date AS "birth_date!", p.dutch_level AS "dutch_level!: DutchLevel",
                  p.languages AS "languages!", p.phone AS "phone!", p.email AS "email!",
                  p.external_dossier AS "external_dossier!",
                  p.obligation AS "obligation!: Obligation",
                  p.status AS "status!: ParticipantStatus", p.status_reason AS "status_reason?",
                  p.status_note AS "status_note!", p.start_date AS "start_date!",
                  p.target_end_date AS "target_end_date!", p.notes AS "notes!",
                  p.confirmed_minutes AS "confirmed_minutes!",
                  p.pending_minutes AS "pending_minutes!",
                  p.required_minutes AS "required_minutes!",
                  p.last_confirmed_on AS "last_confirmed_on?",
                  p.available_days AS "available_days!",
                  (SELECT coalesce(json_agg(json_build_object(
                              'id', x.id, 'organisation_name', x.organisation_name,
                              'kind', x.kind, 'status', x.status, 'starts_on', x.starts_on,
                              'ends_on', x.ends_on, 'confirmed_minutes', x.confirmed,
                              'pending_minutes', x.pending)
                          ORDER BY x.starts_on DESC, x.id), '[]')
                   FROM (SELECT pl.id, o.name AS organisation_name, pl.kind, pl.status,
                                pl.starts_on, pl.ends_on,
                                coalesce(sum(e.minutes) FILTER (WHERE e.status = 'bevestigd'), 0) AS confirmed,
                                coalesce(sum(e.minutes) FILTER (WHERE e.status = 'ingediend'), 0) AS pending
                         FROM placements pl
                         JOIN organisations o ON o.id = pl.organisation_id
                         LEFT JOIN hour_entries e ON e.placement_id = pl.id
                         WHERE pl.participant_id = p.id
                         GROUP BY pl.id, o.name) x
                  ) AS "placements!: Json<Vec<PlacementLine>>",
                  (SELECT coalesce(json_agg(json_build_object(
                              'worked_on', x.worked_on, 'minutes', x.minutes, 'status', x.status,
                              'organisation', x.organisation, 'kind', x.kind,
                              'placement_id', x.placement_id,
                              'rejection_reason', x.rejection_reason,
                              'reported_by_inburgeraar', x.reported,
                              'original_minutes', x.original_minutes,
                              'correction_reason', x.correction_reason)
                          ORDER BY x.worked_on DESC, x.created_at DESC), '[]')
                   FROM (SELECT e.worked_on, e.created_at, e.minutes, e.status,
                                -- By its key for each of the (at most 100) entries, rather
                                -- than hashing every organisation of Flanders.
                                (SELECT o.name FROM organisations o
                                 WHERE o.id = e.organisation_id) AS organisation,
                                pl.kind, pl.id AS placement_id,
                                e.rejection_reason, e.reported_via_link IS NOT NULL AS reported,
                                e.original_minutes, e.correction_reason
                         FROM hour_entries e
                         JOIN placements pl ON pl.id = e.placement_id
                         WHERE e.participant_id = p.id
                         ORDER BY e.worked_on DESC, e.created_at DESC
                         LIMIT 100) x
                  ) AS "entries!: Json<Vec<EntryLine>>",
                  (SELECT coalesce(json_agg(json_build_object(
                              'at', x.at, 'actor', x.actor, 'action', x.action,
                              'entity', x.entity)
                          ORDER BY x.at DESC, x.id DESC), '[]')
                   FROM (SELECT a.id, a.at, u.name AS actor, a.action, a.entity
                         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
                         WHERE a.participant_id = p.id
                         ORDER BY a.at DESC, a.id DESC
                         LIMIT 200) x
                  ) AS "history!: Json<Vec<HistoryLine>>",
                  (SELECT coalesce(json_agg(json_build_object(
                              'moved_on', mv.moved_on, 'from_region', fr.name,
                              'from_municipality', fm.name, 'to_region', tr.name,
                              'to_municipality', tm.name, 'reason', mv.reason,
                              'moved_by', u.name)
                          ORDER BY mv.moved_on DESC), '[]')
                   FROM participant_moves mv
                   JOIN regions fr ON fr.id = mv.from_region_id
                   JOIN municipalities fm ON fm.id = mv.from_municipality_id
                   JOIN regions tr ON tr.id = mv.to_region_id
                   JOIN municipalities tm ON tm.id = mv.to_municipality_id
                   LEFT JOIN users u ON u.id = mv.moved_by
                   WHERE mv.participant_id = p.id
                  ) AS "moves!: Json<Vec<MoveLine>>",
                  (SELECT coalesce(json_agg(json_build_object(
                              'id', c.id, 'number', c.number, 'issued_on', c.issued_on,
                              'status', c.status)
                          ORDER BY c.issued_at DESC, c.id DESC), '[]')
                   FROM certificates c WHERE c.participant_id = p.id
                  ) AS "certificates!: Json<Vec<CertificateLine>>",
                  (SELECT json_build_object(
                              'id', l.id, 'created_at', l.created_at, 'created_by', u.name,
                              'last_used_at', l.last_used_at, 'use_count', l.use_count)
                   FROM participant_links l LEFT JOIN users u ON u.id = l.created_by
                   WHERE l.participant_id = p.id AND l.revoked_at IS NULL
                   LIMIT 1
                  ) AS "own_link?: Json<ActiveLink>",
                  (SELECT coalesce(json_agg(json_build_object(
                              'starts_on', t.starts_on, 'ends_on', t.ends_on,
                              'reason', t.reason, 'notes', t.note)
                          ORDER BY t.starts_on DESC, t.created_at DESC), '[]')
                   FROM trajectory_pauses t WHERE t.participant_id = p.id
                  ) AS "pauses!: Json<Vec<Pause>>",
                  (SELECT coalesce(json_agg(json_build_array(c.id, c.name) ORDER BY c.name), '[]')
                   FROM users c
                   WHERE c.region_id = p.region_id AND c.role = 'coach' AND c.active
                  ) AS "coaches!: Json<Vec<(UserId, String)>>"
           FROM p"#,
        id.0,
        region.0,
        viewer.map(|v| v.user.0),
        path,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| ParticipantPage {
        participant: Participant {
            id: row.id,
            region_id: row.region_id,
            municipality_id: row.municipality_id,
            municipality: row.municipality,
            coach_id: row.coach_id,
            coach_name: row.coach_name,
            full_name: row.full_name,
            birth_date: row.birth_date,
            dutch_level: row.dutch_level,
            languages: row.languages,
            phone: row.phone,
            email: row.email,
            external_dossier: row.external_dossier,
            obligation: row.obligation,
            status: row.status,
            status_reason: row.status_reason,
            status_note: row.status_note,
            start_date: row.start_date,
            target_end_date: row.target_end_date,
            notes: row.notes,
            confirmed_minutes: row.confirmed_minutes,
            pending_minutes: row.pending_minutes,
            required_minutes: row.required_minutes,
            last_confirmed_on: row.last_confirmed_on,
            available_days: row.available_days,
        },
        placements: row.placements.0,
        entries: row.entries.0,
        history: row.history.0,
        moves: row.moves.0,
        certificates: row.certificates.0,
        own_link: row.own_link.map(|link| link.0),
        pauses: row.pauses.0,
        coaches: row.coaches.0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    /// The lines as PostgreSQL's `json_build_object` writes them (session zone Europe/Brussels).
    #[test]
    fn lines_read_back_from_postgresqls_json() {
        let entry: EntryLine = serde_json::from_str(
            r#"{"worked_on" : "2026-11-23", "minutes" : 90, "status" : "bevestigd",
                "organisation" : "Buurthuis", "kind" : "stage",
                "placement_id" : "6f1c1f52-8d1f-4a55-9a43-0d8a1c2b3e4f",
                "rejection_reason" : null, "reported_by_inburgeraar" : true,
                "original_minutes" : 120, "correction_reason" : "Vroeger gestopt"}"#,
        )
        .expect("entry");
        assert_eq!(entry.worked_on, date!(2026 - 11 - 23));
        assert_eq!(entry.status, EntryStatus::Bevestigd);
        assert_eq!(entry.kind, PlacementKind::Stage);
        assert_eq!(entry.original_minutes, Some(120));
        let line: HistoryLine = serde_json::from_str(
            r#"{"at" : "2026-11-23T14:05:09.123456+01:00", "actor" : null,
                "action" : "aangemaakt", "entity" : "participant"}"#,
        )
        .expect("history");
        assert_eq!(line.at, datetime!(2026-11-23 13:05:09.123456 UTC));
        let pause: Pause = serde_json::from_str(
            r#"{"starts_on" : "2026-03-01", "ends_on" : null, "reason" : "ziekte", "notes" : ""}"#,
        )
        .expect("pause");
        assert_eq!(pause.ends_on, None);
        let link: ActiveLink = serde_json::from_str(
            r#"{"id" : "6f1c1f52-8d1f-4a55-9a43-0d8a1c2b3e4f",
                "created_at" : "2026-11-23T14:05:09+01:00", "created_by" : "Coach",
                "last_used_at" : null, "use_count" : 0}"#,
        )
        .expect("link");
        assert_eq!(link.last_used_at, None);
        let coaches: Vec<(UserId, String)> =
            serde_json::from_str(r#"[["6f1c1f52-8d1f-4a55-9a43-0d8a1c2b3e4f", "An"]]"#)
                .expect("coaches");
        assert_eq!(coaches[0].1, "An");
    }
}
