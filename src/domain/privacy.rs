//! Data protection: everything stored about one participant (the right of access), and
//! anonymising participants whose trajectory ended long ago (`veertig purge`).
//!
//! Anonymising replaces the name and clears the contact details, notes, languages, available
//! days, dossier number and status note; the birth date becomes 1 January of the birth year, so age bands
//! stay. Hours, placements and statuses stay as they are, so every total and report keeps its
//! numbers. The participant's own audit rows lose the same personal fields, and their signed
//! scans are deleted. Both the export and the anonymisation are audited, without personal data
//! in the audit row.

use serde::Serialize;
use sqlx::PgConnection;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use super::access::{Access, AccessKind};
use super::audit::AuditEntry;
use super::participant::{self, Obligation, ParticipantStatus, reason_label};
use crate::values::dates::iso_date;
use crate::values::ids::{ParticipantId, RegionId, UserId};
use crate::values::kinds::{EntryStatus, PlacementKind, PlacementStatus};
use crate::values::level::DutchLevel;

/// Years after the end of a trajectory after which `veertig purge` anonymises it, by default.
pub const DEFAULT_PURGE_AFTER_YEARS: u32 = 5;

/// Participants anonymised per transaction.
const PURGE_BATCH: i64 = 500;

fn moment(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The right of access

#[derive(Debug, Clone, Serialize)]
pub struct AccessExport {
    #[serde(rename = "uitgevoerd_op")]
    pub exported_at: String,
    #[serde(rename = "inburgeraar")]
    pub person: PersonData,
    #[serde(rename = "plaatsingen")]
    pub placements: Vec<PlacementData>,
    #[serde(rename = "uren")]
    pub entries: Vec<EntryData>,
    #[serde(rename = "geschiedenis")]
    pub history: Vec<HistoryData>,
    /// Who looked at the record, its exports and scans, and refused attempts.
    #[serde(rename = "toegangen")]
    pub accesses: Vec<AccessData>,
    /// The personal links to Mijn traject made for them (the token itself is never stored).
    #[serde(rename = "persoonlijke_links")]
    pub links: Vec<LinkData>,
    /// Pauses of the trajectory, with their reason (health can be one).
    #[serde(rename = "pauzes")]
    pub pauses: Vec<PauseData>,
    /// Moves to another region.
    #[serde(rename = "verhuizingen")]
    pub moves: Vec<MoveData>,
    /// Signed scans and photos kept for their placements: which, not their content (staff
    /// download a scan from the placement page, which the access log records).
    #[serde(rename = "scans")]
    pub scans: Vec<ScanData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanData {
    #[serde(rename = "opgeladen_op")]
    pub uploaded_at: String,
    #[serde(skip)]
    pub uploaded_time: OffsetDateTime,
    #[serde(rename = "organisatie")]
    pub organisation: String,
    #[serde(rename = "bestand")]
    pub file_name: String,
    #[serde(rename = "bytes")]
    pub size_bytes: i32,
    /// A staff member's name, or `None` when the inburgeraar uploaded it on Mijn traject.
    #[serde(rename = "opgeladen_door")]
    pub uploaded_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PauseData {
    #[serde(rename = "van")]
    pub starts_on: String,
    /// `None` while the pause runs.
    #[serde(rename = "tot")]
    pub ends_on: Option<String>,
    #[serde(rename = "reden")]
    pub reason: String,
    #[serde(rename = "toelichting")]
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MoveData {
    #[serde(rename = "datum")]
    pub moved_on: String,
    #[serde(rename = "van")]
    pub from: String,
    #[serde(rename = "naar")]
    pub to: String,
    #[serde(rename = "reden")]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkData {
    #[serde(rename = "gemaakt_op")]
    pub created_at: String,
    #[serde(skip)]
    pub created_time: OffsetDateTime,
    #[serde(rename = "ingetrokken_op")]
    pub revoked_at: Option<String>,
    #[serde(skip)]
    pub revoked_time: Option<OffsetDateTime>,
    #[serde(rename = "laatst_gebruikt_op")]
    pub last_used_at: Option<String>,
    #[serde(rename = "keren_gebruikt")]
    pub use_count: i32,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccessData {
    #[serde(rename = "moment")]
    pub at: String,
    #[serde(skip)]
    pub at_time: OffsetDateTime,
    #[serde(rename = "door")]
    pub user: Option<String>,
    #[serde(rename = "wat")]
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonData {
    pub id: ParticipantId,
    #[serde(rename = "naam")]
    pub full_name: String,
    #[serde(rename = "geboortedatum")]
    pub birth_date: String,
    #[serde(rename = "gemeente")]
    pub municipality: String,
    #[serde(rename = "niveau_nederlands")]
    pub dutch_level: DutchLevel,
    #[serde(rename = "talen")]
    pub languages: String,
    /// The days they are free for activities, in words ("" when not filled in).
    #[serde(rename = "beschikbare_dagen")]
    pub available_days: String,
    #[serde(rename = "telefoon")]
    pub phone: String,
    #[serde(rename = "e_mail")]
    pub email: String,
    #[serde(rename = "dossiernummer")]
    pub external_dossier: String,
    #[serde(rename = "verplicht_of_vrijwillig")]
    pub obligation: Obligation,
    #[serde(rename = "trajectbegeleider")]
    pub coach: Option<String>,
    pub status: ParticipantStatus,
    #[serde(rename = "reden")]
    pub status_reason: Option<String>,
    #[serde(rename = "toelichting_status")]
    pub status_note: String,
    #[serde(rename = "start")]
    pub start_date: String,
    #[serde(rename = "streefdatum_einde")]
    pub target_end_date: String,
    #[serde(rename = "notities")]
    pub notes: String,
    #[serde(rename = "bevestigde_minuten")]
    pub confirmed_minutes: i32,
    #[serde(rename = "minuten_in_afwachting")]
    pub pending_minutes: i32,
    #[serde(rename = "vereiste_minuten")]
    pub required_minutes: i32,
    #[serde(rename = "geanonimiseerd")]
    pub anonymised: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlacementData {
    #[serde(rename = "organisatie")]
    pub organisation: String,
    #[serde(rename = "vorm")]
    pub kind: PlacementKind,
    pub status: PlacementStatus,
    #[serde(rename = "van")]
    pub starts_on: String,
    #[serde(rename = "tot")]
    pub ends_on: String,
    #[serde(rename = "geplande_minuten")]
    pub planned_minutes: i32,
    #[serde(rename = "contactpersoon")]
    pub contact_name: String,
    #[serde(rename = "omschrijving")]
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryData {
    #[serde(rename = "datum")]
    pub worked_on: String,
    #[serde(rename = "minuten")]
    pub minutes: i32,
    pub status: EntryStatus,
    #[serde(rename = "organisatie")]
    pub organisation: String,
    #[serde(rename = "vorm")]
    pub kind: PlacementKind,
    #[serde(rename = "omschrijving")]
    pub description: String,
    #[serde(rename = "reden_afwijzing")]
    pub rejection_reason: Option<String>,
    /// Reported by the inburgeraar on Mijn traject.
    #[serde(rename = "gemeld_door_inburgeraar")]
    pub reported_by_inburgeraar: bool,
    /// Registered by the partner at the door of an activity.
    #[serde(rename = "aan_de_deur_geregistreerd")]
    pub at_the_door: bool,
    /// What was logged, when the partner confirmed another duration, and why.
    #[serde(rename = "oorspronkelijke_minuten")]
    pub original_minutes: Option<i32>,
    #[serde(rename = "reden_aanpassing")]
    pub correction_reason: Option<String>,
    #[serde(rename = "ingediend_op")]
    pub created_at: String,
    #[serde(rename = "beslist_op")]
    pub decided_at: Option<String>,
}

/// Who did what with the record, when: changes, views and exports.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryData {
    #[serde(rename = "moment")]
    pub at: String,
    #[serde(skip)]
    pub at_time: OffsetDateTime,
    #[serde(rename = "door")]
    pub actor: Option<String>,
    #[serde(rename = "handeling")]
    pub action: String,
    #[serde(rename = "gegevens")]
    pub entity: String,
}

/// The export format, recorded in the audit row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Page,
    Json,
}

#[derive(Serialize)]
struct ExportAudit {
    formaat: &'static str,
}

/// Records the export in the audit log and the access log (`path` is what was asked for)
/// and gathers everything stored about the participant of
/// `region`; `None` when there is no such participant there. Run it in one transaction, so
/// the audit row and the data agree.
pub async fn access_export(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: ParticipantId,
    format: ExportFormat,
    path: &str,
) -> Result<Option<AccessExport>, sqlx::Error> {
    let Some(p) = participant::get(conn, region, id).await? else {
        return Ok(None);
    };
    Access {
        user: Some(actor),
        kind: AccessKind::Inzage,
        participant: Some(id),
        scan: None,
        path,
    }
    .record(conn)
    .await?;
    AuditEntry {
        actor: Some(actor),
        action: "inzage geëxporteerd",
        entity: "participant",
        entity_id: id.0,
        participant: Some(id),
    }
    .record::<(), _>(
        conn,
        None,
        Some(&ExportAudit {
            formaat: match format {
                ExportFormat::Page => "pagina",
                ExportFormat::Json => "json",
            },
        }),
    )
    .await?;
    let anonymised = sqlx::query_scalar!(
        r#"SELECT anonymised_at IS NOT NULL AS "anonymised!" FROM participants WHERE id = $1"#,
        id.0
    )
    .fetch_one(&mut *conn)
    .await?;
    let placements = sqlx::query!(
        r#"SELECT o.name AS organisation, pl.kind AS "kind: PlacementKind",
                  pl.status AS "status: PlacementStatus",
                  pl.starts_on, pl.ends_on, pl.planned_minutes, pl.contact_name, pl.description
           FROM placements pl JOIN organisations o ON o.id = pl.organisation_id
           WHERE pl.participant_id = $1
           ORDER BY pl.starts_on, pl.id"#,
        id.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| PlacementData {
        organisation: row.organisation,
        kind: row.kind,
        status: row.status,
        starts_on: iso_date(row.starts_on),
        ends_on: iso_date(row.ends_on),
        planned_minutes: row.planned_minutes,
        contact_name: row.contact_name,
        description: row.description,
    })
    .collect();
    let entries = sqlx::query!(
        r#"SELECT e.worked_on, e.minutes, e.status AS "status: EntryStatus", o.name AS organisation,
                  pl.kind AS "kind: PlacementKind", e.description, e.rejection_reason, e.created_at,
                  e.decided_at, e.reported_via_link IS NOT NULL AS "reported!",
                  e.attendance_session_id IS NOT NULL AS "at_the_door!",
                  e.original_minutes, e.correction_reason
           FROM hour_entries e
           JOIN placements pl ON pl.id = e.placement_id
           JOIN organisations o ON o.id = e.organisation_id
           WHERE e.participant_id = $1
           ORDER BY e.worked_on, e.created_at, e.id"#,
        id.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| EntryData {
        worked_on: iso_date(row.worked_on),
        minutes: row.minutes,
        status: row.status,
        organisation: row.organisation,
        kind: row.kind,
        description: row.description,
        rejection_reason: row.rejection_reason,
        reported_by_inburgeraar: row.reported,
        at_the_door: row.at_the_door,
        original_minutes: row.original_minutes,
        correction_reason: row.correction_reason,
        created_at: moment(row.created_at),
        decided_at: row.decided_at.map(moment),
    })
    .collect();
    let history = sqlx::query!(
        r#"SELECT a.at, u.name AS "actor?", a.action, a.entity
           FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
           WHERE a.participant_id = $1
           ORDER BY a.at, a.id"#,
        id.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| HistoryData {
        at: moment(row.at),
        at_time: row.at,
        actor: row.actor,
        action: row.action,
        entity: row.entity,
    })
    .collect();
    let available_days = match p.weekdays() {
        days if days.is_empty() => String::new(),
        days => days.text(),
    };
    let links = sqlx::query!(
        "SELECT created_at, revoked_at, last_used_at, use_count FROM participant_links
         WHERE participant_id = $1 ORDER BY created_at, id",
        id.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| LinkData {
        created_at: moment(row.created_at),
        created_time: row.created_at,
        revoked_at: row.revoked_at.map(moment),
        revoked_time: row.revoked_at,
        last_used_at: row.last_used_at.map(moment),
        use_count: row.use_count,
    })
    .collect();
    // This export is in the log already, recorded above.
    let accesses = sqlx::query!(
        r#"SELECT a.at, u.name AS "user?", a.kind AS "kind: AccessKind"
           FROM access_log a LEFT JOIN users u ON u.id = a.user_id
           WHERE a.participant_id = $1
           ORDER BY a.at, a.id"#,
        id.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| AccessData {
        at: moment(row.at),
        at_time: row.at,
        user: row.user,
        what: row.kind.label().to_string(),
    })
    .collect();
    let pauses = participant::pauses(conn, id)
        .await?
        .into_iter()
        .map(|pause| PauseData {
            starts_on: iso_date(pause.starts_on),
            ends_on: pause.ends_on.map(iso_date),
            reason: pause.reason.label().to_string(),
            note: pause.note,
        })
        .collect();
    let moves = participant::moves(conn, id)
        .await?
        .into_iter()
        .map(|moved| MoveData {
            moved_on: iso_date(moved.moved_on),
            from: format!("{} ({})", moved.from_municipality, moved.from_region),
            to: format!("{} ({})", moved.to_municipality, moved.to_region),
            reason: moved.reason,
        })
        .collect();
    let scans = sqlx::query!(
        r#"SELECT s.uploaded_at, o.name AS organisation, s.file_name, s.size_bytes,
                  u.name AS "uploaded_by?"
           FROM scans s
           JOIN placements pl ON pl.id = s.placement_id
           JOIN organisations o ON o.id = pl.organisation_id
           LEFT JOIN users u ON u.id = s.uploaded_by
           WHERE s.participant_id = $1
           ORDER BY s.uploaded_at, s.id"#,
        id.0
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|row| ScanData {
        uploaded_at: moment(row.uploaded_at),
        uploaded_time: row.uploaded_at,
        organisation: row.organisation,
        file_name: row.file_name,
        size_bytes: row.size_bytes,
        uploaded_by: row.uploaded_by,
    })
    .collect();
    Ok(Some(AccessExport {
        scans,
        pauses,
        moves,
        exported_at: moment(OffsetDateTime::now_utc()),
        person: PersonData {
            id: p.id,
            full_name: p.full_name,
            birth_date: iso_date(p.birth_date),
            municipality: p.municipality,
            dutch_level: p.dutch_level,
            available_days,
            languages: p.languages,
            phone: p.phone,
            email: p.email,
            external_dossier: p.external_dossier,
            obligation: p.obligation,
            coach: p.coach_name,
            status: p.status,
            status_reason: p
                .status_reason
                .as_deref()
                .map(|r| reason_label(r).to_string()),
            status_note: p.status_note,
            start_date: iso_date(p.start_date),
            target_end_date: iso_date(p.target_end_date),
            notes: p.notes,
            confirmed_minutes: p.confirmed_minutes,
            pending_minutes: p.pending_minutes,
            required_minutes: p.required_minutes,
            anonymised,
        },
        placements,
        entries,
        history,
        accesses,
        links,
    }))
}

// ---------------------------------------------------------------------------------------------
// Anonymising

/// The day `years` before `today`: trajectories that ended before it are anonymised.
/// 29 February falls back to 28 February in a year without it.
pub fn purge_cutoff(today: Date, years: u32) -> Date {
    let year = today.year() - i32::try_from(years).unwrap_or(i32::MAX / 2);
    Date::from_calendar_date(year, today.month(), today.day())
        .or_else(|_| Date::from_calendar_date(year, today.month(), today.day() - 1))
        .unwrap_or(Date::MIN)
}

#[derive(Serialize)]
struct PurgeAudit {
    velden: [&'static str; 9],
    na_jaren: u32,
}

const ANONYMISED_FIELDS: [&str; 9] = [
    "full_name",
    "birth_date",
    "languages",
    "available_days",
    "phone",
    "email",
    "external_dossier",
    "notes",
    "status_note",
];

/// Anonymises every participant whose trajectory is over (afgerond, stopgezet, vrijgesteld)
/// and ended before `cutoff`, in batches of 500 per transaction. A trajectory counts as ended
/// at the latest of its target end date, its last change and its last confirmed hours, so a
/// late correction keeps the record for the full term. Participants already anonymised are
/// left alone: running it again changes nothing. Returns how many were anonymised.
pub async fn purge(pool: &sqlx::PgPool, cutoff: Date, years: u32) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    loop {
        let mut tx = pool.begin().await?;
        let done = purge_batch(&mut tx, cutoff, years).await?;
        tx.commit().await?;
        total += done;
        if done < PURGE_BATCH.unsigned_abs() {
            return Ok(total);
        }
    }
}

async fn purge_batch(
    conn: &mut PgConnection,
    cutoff: Date,
    years: u32,
) -> Result<u64, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = sqlx::query_scalar!(
        r#"SELECT id FROM participants
           WHERE status IN ('afgerond', 'stopgezet', 'vrijgesteld') AND anonymised_at IS NULL
             AND greatest(target_end_date, (updated_at AT TIME ZONE 'Europe/Brussels')::date,
                          coalesce(last_confirmed_on, start_date)) < $1
           ORDER BY id
           LIMIT $2
           FOR UPDATE SKIP LOCKED"#,
        cutoff,
        PURGE_BATCH,
    )
    .fetch_all(&mut *conn)
    .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    sqlx::query!(
        r#"UPDATE participants SET
               full_name = anonymous_participant_name(id),
               search_name = lower(anonymous_participant_name(id)),
               birth_date = make_date(extract(year FROM birth_date)::int, 1, 1),
               languages = '', available_days = 0, phone = '', email = '', external_dossier = '',
               notes = '', status_note = '', anonymised_at = now()
           WHERE id = ANY($1)"#,
        &ids
    )
    .execute(&mut *conn)
    .await?;
    // A move's reason is free text and may name people or addresses.
    sqlx::query!(
        "UPDATE participant_moves SET reason = 'verwijderd' WHERE participant_id = ANY($1)",
        &ids
    )
    .execute(&mut *conn)
    .await?;
    // A pause's note is free text like the participant's notes.
    sqlx::query!(
        "UPDATE trajectory_pauses SET note = '' WHERE participant_id = ANY($1)",
        &ids
    )
    .execute(&mut *conn)
    .await?;
    // A signed scan shows the name and signatures: it goes, with its ties to the entries.
    sqlx::query!(
        "DELETE FROM scan_entries WHERE scan_id IN (SELECT id FROM scans WHERE participant_id = ANY($1))",
        &ids
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM scans WHERE participant_id = ANY($1)", &ids)
        .execute(&mut *conn)
        .await?;
    // An anonymised record has no owner left to read it: their Mijn traject link stops working.
    sqlx::query!(
        "UPDATE participant_links SET revoked_at = now()
         WHERE participant_id = ANY($1) AND revoked_at IS NULL",
        &ids
    )
    .execute(&mut *conn)
    .await?;
    // Their audit rows lose the same personal fields. The runtime role may not change the
    // audit log: the owner's function does exactly this and no more (migration
    // `least_privilege`).
    sqlx::query!("SELECT scrub_anonymised_audit($1)", &ids)
        .fetch_one(&mut *conn)
        .await?;
    for id in &ids {
        AuditEntry {
            actor: None,
            action: "geanonimiseerd",
            entity: "participant",
            entity_id: *id,
            participant: Some(ParticipantId(*id)),
        }
        .record::<(), _>(
            conn,
            None,
            Some(&PurgeAudit {
                velden: ANONYMISED_FIELDS,
                na_jaren: years,
            }),
        )
        .await?;
    }
    Ok(u64::try_from(ids.len()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_cutoff_is_whole_years_back() {
        assert_eq!(
            purge_cutoff(date!(2031 - 11 - 24), 5),
            date!(2026 - 11 - 24)
        );
        assert_eq!(
            purge_cutoff(date!(2028 - 02 - 29), 1),
            date!(2027 - 02 - 28)
        );
    }
}
