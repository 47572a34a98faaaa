//! One entry read, changed or removed while it is still pending.

use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use crate::domain::audit::AuditEntry;
use crate::domain::placement::Placement;
use crate::values::dates::{format_date, iso_date};
use crate::values::duration::{Minutes, format_minutes};
use crate::values::ids::{EntryId, ParticipantId, PlacementId, UserId};
use crate::values::kinds::{EntryStatus, PlacementKind};
use crate::values::period::Scope;

use super::log::{
    EntriesError, EntryAudit, already_on, day_totals, lock_participant, placement_facts,
};
use super::rules::*;

/// One entry with what its edit page shows of the placement.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: EntryId,
    pub placement_id: PlacementId,
    pub participant_id: ParticipantId,
    pub participant_name: String,
    pub organisation_name: String,
    pub kind: PlacementKind,
    pub starts_on: Date,
    pub ends_on: Date,
    pub worked_on: Date,
    pub minutes: i32,
    pub description: String,
    pub status: EntryStatus,
    pub version: i32,
}

impl Entry {
    pub fn duration_text(&self) -> String {
        format_minutes(i64::from(self.minutes))
    }

    pub fn date_text(&self) -> String {
        format_date(self.worked_on)
    }

    pub fn period_text(&self) -> String {
        format!(
            "{} – {}",
            format_date(self.starts_on),
            format_date(self.ends_on)
        )
    }
}

/// The entry, when its placement lies inside `scope`.
pub async fn get_entry(
    conn: &mut PgConnection,
    id: EntryId,
    scope: Scope,
) -> Result<Option<Entry>, sqlx::Error> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        Entry,
        r#"SELECT e.id AS "id: EntryId",
                  e.placement_id AS "placement_id: PlacementId",
                  e.participant_id AS "participant_id: ParticipantId",
                  p.full_name AS participant_name,
                  o.name AS organisation_name,
                  pl.kind AS "kind: PlacementKind",
                  pl.starts_on, pl.ends_on,
                  e.worked_on, e.minutes, e.description,
                  e.status AS "status: EntryStatus",
                  e.version
           FROM hour_entries e
           JOIN placements pl ON pl.id = e.placement_id
           JOIN participants p ON p.id = e.participant_id
           JOIN organisations o ON o.id = e.organisation_id
           WHERE e.id = $1 AND (p.region_id = $2 OR e.organisation_id = $3)"#,
        id.0,
        region,
        organisation,
    )
    .fetch_optional(conn)
    .await
}

/// A line of a placement's entry table.
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub id: EntryId,
    pub worked_on: Date,
    pub minutes: i32,
    pub description: String,
    pub status: EntryStatus,
    pub rejection_reason: Option<String>,
    pub logged_by: Option<String>,
    /// Reported by the inburgeraar from Mijn traject.
    pub reported_by_inburgeraar: bool,
    /// When the latest signed scan supporting it was attached (`domain::scan`).
    pub scanned_at: Option<OffsetDateTime>,
}

impl EntryRow {
    /// "papier, scan van 23/11/2026" for an entry a signed scan supports.
    pub fn source_text(&self) -> Option<String> {
        self.scanned_at.map(|at| {
            format!(
                "papier, scan van {}",
                format_date(crate::values::dates::brussels_date(at))
            )
        })
    }

    pub fn duration_text(&self) -> String {
        format_minutes(i64::from(self.minutes))
    }

    pub fn date_text(&self) -> String {
        format_date(self.worked_on)
    }

    pub fn is_pending(&self) -> bool {
        self.status.is_pending()
    }
}

/// The entries of a placement, newest day first (`hour_entries_placement_idx`). Pass only a
/// placement the caller may see: one returned by `placement::get` with the caller's scope.
pub async fn list_for_placement(
    conn: &mut PgConnection,
    placement: &Placement,
) -> Result<Vec<EntryRow>, sqlx::Error> {
    sqlx::query_as!(
        EntryRow,
        r#"SELECT e.id AS "id: EntryId", e.worked_on, e.minutes, e.description,
                  e.status AS "status: EntryStatus", e.rejection_reason,
                  u.name AS "logged_by?",
                  e.reported_via_link IS NOT NULL AS "reported_by_inburgeraar!",
                  (SELECT max(s.uploaded_at) FROM scan_entries se JOIN scans s ON s.id = se.scan_id
                   WHERE se.entry_id = e.id) AS scanned_at
           FROM hour_entries e LEFT JOIN users u ON u.id = e.created_by
           WHERE e.placement_id = $1
           ORDER BY e.worked_on DESC, e.created_at DESC"#,
        placement.id.0,
    )
    .fetch_all(conn)
    .await
}

/// A new date, duration and description for a pending entry.
pub struct EntryChange {
    pub entry: EntryId,
    pub scope: Scope,
    pub changed_by: UserId,
    /// The version the form was made from; a change made meanwhile is not overwritten.
    pub version: i32,
    pub worked_on: Date,
    pub minutes: Minutes,
    pub description: String,
}

/// The entry's placement, locked like [`log_entries`] locks it, plus the entry itself.
struct StoredEntry {
    placement_id: PlacementId,
    participant_id: ParticipantId,
    worked_on: Date,
    minutes: i32,
    description: String,
    status: EntryStatus,
    version: i32,
}

impl StoredEntry {
    fn audit(&self) -> EntryAudit {
        EntryAudit {
            placement_id: self.placement_id,
            worked_on: iso_date(self.worked_on),
            minutes: self.minutes,
            description: self.description.clone(),
            status: self.status,
            version: self.version,
        }
    }
}

async fn stored_entry(
    conn: &mut PgConnection,
    id: EntryId,
    scope: Scope,
) -> Result<StoredEntry, EntriesError> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        StoredEntry,
        r#"SELECT e.placement_id AS "placement_id: PlacementId",
                  e.participant_id AS "participant_id: ParticipantId",
                  e.worked_on, e.minutes, e.description,
                  e.status AS "status: EntryStatus", e.version
           FROM hour_entries e JOIN participants p ON p.id = e.participant_id
           WHERE e.id = $1 AND (p.region_id = $2 OR e.organisation_id = $3)"#,
        id.0,
        region,
        organisation,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(EntriesError::NotFound)
}

/// Changes a pending entry under the same rules as logging it. The UPDATE itself demands
/// `status = 'ingediend'` and the form's version, so a confirmation that slipped in between
/// wins and nothing confirmed is ever changed.
pub async fn update_entry(
    conn: &mut PgConnection,
    change: &EntryChange,
    today: Date,
) -> Result<(), EntriesError> {
    let entry = stored_entry(&mut *conn, change.entry, change.scope).await?;
    let placement = placement_facts(&mut *conn, entry.placement_id, change.scope).await?;
    let active = placement.participant_active;
    // Re-read under the lock: the first read may be stale.
    let entry = stored_entry(&mut *conn, change.entry, change.scope).await?;
    if !entry.status.is_pending() {
        return Err(EntriesError::Refused(vec![EntryError::NotPending(
            entry.status,
        )]));
    }
    if entry.version != change.version {
        return Err(EntriesError::Refused(vec![EntryError::ChangedMeanwhile]));
    }
    let mut errors = check_open(placement.status, active);
    if change.minutes.get() > MAX_MINUTES_PER_DAY {
        errors.push(EntryError::LongerThanADay);
    }
    let totals = day_totals(
        &mut *conn,
        entry.participant_id,
        &[change.worked_on],
        Some(change.entry),
    )
    .await?;
    if let Err(error) = check_date(change.worked_on, placement.period()?, today).and_then(|()| {
        check_day_total(
            change.worked_on,
            already_on(&totals, change.worked_on),
            change.minutes,
        )
    }) {
        errors.push(error);
    }
    if !errors.is_empty() {
        return Err(EntriesError::Refused(errors));
    }
    let after = sqlx::query_as!(
        StoredEntry,
        r#"UPDATE hour_entries SET worked_on = $3, minutes = $4, description = $5, version = version + 1
           WHERE id = $1 AND status = 'ingediend' AND version = $2
           RETURNING placement_id AS "placement_id: PlacementId",
                     participant_id AS "participant_id: ParticipantId",
                     worked_on, minutes, description, status AS "status: EntryStatus", version"#,
        change.entry.0,
        change.version,
        change.worked_on,
        change.minutes.get(),
        change.description,
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(EntriesError::Refused(vec![EntryError::ChangedMeanwhile]))?;
    AuditEntry {
        actor: Some(change.changed_by),
        action: "gewijzigd",
        entity: "hour_entry",
        entity_id: change.entry.0,
        participant: Some(entry.participant_id),
    }
    .record(conn, Some(&entry.audit()), Some(&after.audit()))
    .await?;
    Ok(())
}

/// Deletes a pending entry; the DELETE itself demands `status = 'ingediend'`.
pub async fn delete_entry(
    conn: &mut PgConnection,
    id: EntryId,
    scope: Scope,
    deleted_by: UserId,
) -> Result<(), EntriesError> {
    let entry = stored_entry(&mut *conn, id, scope).await?;
    lock_participant(&mut *conn, entry.participant_id).await?;
    let deleted = sqlx::query_as!(
        StoredEntry,
        r#"DELETE FROM hour_entries WHERE id = $1 AND status = 'ingediend'
           RETURNING placement_id AS "placement_id: PlacementId",
                     participant_id AS "participant_id: ParticipantId",
                     worked_on, minutes, description, status AS "status: EntryStatus", version"#,
        id.0,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(deleted) = deleted else {
        let now = stored_entry(&mut *conn, id, scope).await?;
        return Err(EntriesError::Refused(vec![EntryError::NotPending(
            now.status,
        )]));
    };
    AuditEntry {
        actor: Some(deleted_by),
        action: "verwijderd",
        entity: "hour_entry",
        entity_id: id.0,
        participant: Some(deleted.participant_id),
    }
    .record::<_, ()>(conn, Some(&deleted.audit()), None)
    .await?;
    Ok(())
}
