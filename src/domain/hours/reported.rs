//! Hours the inburgeraar reports from Mijn traject: one date on one of their own placements,
//! under every rule that holds for hours a coach logs, pending for the partner to confirm and
//! marked as reported through their personal link.

use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use crate::domain::audit::AuditEntry;
use crate::values::dates::iso_date;
use crate::values::duration::Minutes;
use crate::values::ids::{EntryId, ParticipantId, PlacementId, RegionId};
use crate::values::kinds::EntryStatus;
use crate::values::period::Scope;

use super::log::{EntriesError, EntryAudit, already_on, day_totals, placement_facts};
use super::rules::{check_date, check_day_total, check_open};

/// Hours reported through a personal link.
pub struct ReportedHours {
    /// The personal link it came through: the entry's marker and the audit row's actor.
    pub link: Uuid,
    pub participant: ParticipantId,
    pub region: RegionId,
    pub placement: PlacementId,
    pub worked_on: Date,
    pub minutes: Minutes,
}

/// Writes the pending entry with its audit row; run it in a transaction. A placement of
/// someone else is `NotFound`; a broken rule is `Refused` with every problem.
pub async fn report_hours(
    conn: &mut PgConnection,
    report: &ReportedHours,
    today: Date,
) -> Result<EntryId, EntriesError> {
    let placement =
        placement_facts(&mut *conn, report.placement, Scope::Region(report.region)).await?;
    if placement.participant_id != report.participant {
        return Err(EntriesError::NotFound);
    }
    let mut errors = check_open(placement.status, placement.participant_active);
    let period = placement.period()?;
    let day = [report.worked_on];
    let totals = day_totals(&mut *conn, placement.participant_id, &day, None).await?;
    if let Err(error) = check_date(report.worked_on, period, today).and_then(|()| {
        check_day_total(
            report.worked_on,
            already_on(&totals, report.worked_on),
            report.minutes,
        )
    }) {
        errors.push(error);
    }
    if !errors.is_empty() {
        return Err(EntriesError::Refused(errors));
    }
    let row = sqlx::query!(
        r#"INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes,
               status, reported_via_link)
           VALUES ($1, $2, $3, $4, $5, 'ingediend', $6)
           RETURNING id AS "id: EntryId", version"#,
        placement.id.0,
        placement.participant_id.0,
        placement.organisation_id.0,
        report.worked_on,
        report.minutes.get(),
        report.link,
    )
    .fetch_one(&mut *conn)
    .await?;
    AuditEntry {
        actor: None,
        action: "gemeld door de inburgeraar",
        entity: "hour_entry",
        entity_id: row.id.0,
        participant: Some(placement.participant_id),
    }
    .record_by_link::<(), _>(
        &mut *conn,
        report.link,
        None,
        Some(&EntryAudit {
            placement_id: placement.id,
            worked_on: iso_date(report.worked_on),
            minutes: report.minutes.get(),
            description: String::new(),
            status: EntryStatus::Ingediend,
            version: row.version,
        }),
    )
    .await?;
    Ok(row.id)
}
