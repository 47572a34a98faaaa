//! Logging hours on one or more dates at once: every rule checked, in one transaction.

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use crate::domain::audit::AuditEntry;
use crate::domain::placement::start_begun;
use crate::values::dates::iso_date;
use crate::values::duration::Minutes;
use crate::values::ids::{EntryId, OrganisationId, ParticipantId, PlacementId, UserId};
use crate::values::kinds::{EntryStatus, PlacementStatus};
use crate::values::period::{Period, Scope};

use super::rules::*;

/// Why logging or changing entries did not happen.
#[derive(Debug, thiserror::Error)]
pub enum EntriesError {
    /// The placement or entry does not exist, or lies outside the caller's scope.
    #[error("not found")]
    NotFound,
    /// Problems the user can fix; nothing was written.
    #[error("refused: {0:?}")]
    Refused(Vec<EntryError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Log the same duration on one or more dates of a placement (a weekly buddy meeting).
pub struct NewEntries {
    pub placement: PlacementId,
    /// A partner logs on placements of their organisation, and what they log counts as
    /// confirmed by them; staff log on placements in their region, pending confirmation.
    pub scope: Scope,
    pub logged_by: UserId,
    pub dates: Vec<Date>,
    pub minutes: Minutes,
    pub description: String,
    /// The registration at the door these entries come from (`domain::attendance`), if any.
    pub attendance_session: Option<Uuid>,
}

impl NewEntries {
    pub fn counts_as_confirmed(&self) -> bool {
        matches!(self.scope, Scope::Organisation(_))
    }
}

/// The placement facts the entry rules need, read under a share lock so that the period or
/// status cannot change until the entries are written.
pub(super) struct PlacementFacts {
    pub(super) id: PlacementId,
    pub(super) participant_id: ParticipantId,
    pub(super) organisation_id: OrganisationId,
    pub(super) status: PlacementStatus,
    pub(super) starts_on: Date,
    pub(super) ends_on: Date,
}

impl PlacementFacts {
    pub(super) fn period(&self) -> Result<Period, EntriesError> {
        Period::new(self.starts_on, self.ends_on).map_err(|_| EntriesError::NotFound)
    }
}

pub(super) async fn placement_facts(
    conn: &mut PgConnection,
    id: PlacementId,
    scope: Scope,
) -> Result<PlacementFacts, EntriesError> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        PlacementFacts,
        r#"SELECT pl.id AS "id: PlacementId",
                  pl.participant_id AS "participant_id: ParticipantId",
                  pl.organisation_id AS "organisation_id: OrganisationId",
                  pl.status AS "status: PlacementStatus",
                  pl.starts_on, pl.ends_on
           FROM placements pl JOIN participants p ON p.id = pl.participant_id
           WHERE pl.id = $1 AND (p.region_id = $2 OR pl.organisation_id = $3)
           FOR SHARE OF pl"#,
        id.0,
        region,
        organisation,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(EntriesError::NotFound)
}

/// Locks the participant's row, so that two submissions for the same participant cannot both
/// pass the 12-hours-a-day check; returns whether the participant is `actief`. Every change to
/// entries takes this lock first, which also keeps the lock order the same everywhere.
pub(crate) async fn lock_participant(
    conn: &mut PgConnection,
    participant: ParticipantId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT (status = 'actief') AS "active!" FROM participants WHERE id = $1 FOR UPDATE"#,
        participant.0
    )
    .fetch_one(conn)
    .await
}

/// Minutes already logged per day (rejected entries do not count), leaving out one entry.
pub(super) async fn day_totals(
    conn: &mut PgConnection,
    participant: ParticipantId,
    dates: &[Date],
    except: Option<EntryId>,
) -> Result<Vec<(Date, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT worked_on, sum(minutes)::int8 AS "total!"
           FROM hour_entries
           WHERE participant_id = $1 AND worked_on = ANY($2) AND status <> 'afgewezen'
             AND id IS DISTINCT FROM $3
           GROUP BY worked_on"#,
        participant.0,
        dates,
        except.map(|id| id.0),
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.worked_on, row.total))
        .collect())
}

pub(super) fn already_on(totals: &[(Date, i64)], date: Date) -> i64 {
    totals
        .iter()
        .find(|(day, _)| *day == date)
        .map_or(0, |(_, total)| *total)
}

/// What the audit log keeps of an entry.
#[derive(Debug, Serialize)]
pub(super) struct EntryAudit {
    pub(super) placement_id: PlacementId,
    pub(super) worked_on: String,
    pub(super) minutes: i32,
    pub(super) description: String,
    pub(super) status: EntryStatus,
    pub(super) version: i32,
}

/// Writes the entries, all or none, with an audit row each; run it in a transaction and roll
/// back on error. Every rule is checked before anything is written, and every problem is
/// returned, each naming its date.
pub async fn log_entries(
    conn: &mut PgConnection,
    command: &NewEntries,
    today: Date,
) -> Result<Vec<EntryId>, EntriesError> {
    let placement = placement_facts(&mut *conn, command.placement, command.scope).await?;
    let active = lock_participant(&mut *conn, placement.participant_id).await?;
    let mut errors = check_open(placement.status, active);
    if command.dates.is_empty() {
        errors.push(EntryError::NoDates);
    }
    if command.minutes.get() > MAX_MINUTES_PER_DAY {
        errors.push(EntryError::LongerThanADay);
    }
    let period = placement.period()?;
    let totals = day_totals(&mut *conn, placement.participant_id, &command.dates, None).await?;
    for &date in &command.dates {
        if let Err(error) = check_date(date, period, today)
            .and_then(|()| check_day_total(date, already_on(&totals, date), command.minutes))
        {
            errors.push(error);
        }
    }
    if !errors.is_empty() {
        return Err(EntriesError::Refused(errors));
    }

    let confirmed = command.counts_as_confirmed();
    let status = if confirmed {
        EntryStatus::Bevestigd
    } else {
        EntryStatus::Ingediend
    };
    let decided_by = confirmed.then_some(command.logged_by.0);
    let rows = sqlx::query!(
        r#"INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes,
               description, status, created_by, decided_by, decided_at, attendance_session_id)
           SELECT $1, $2, $3, day, $5, $6, $7, $8, $9, CASE WHEN $9::uuid IS NULL THEN NULL ELSE now() END, $10
           FROM unnest($4::date[]) AS day
           RETURNING id AS "id: EntryId", worked_on, version"#,
        placement.id.0,
        placement.participant_id.0,
        placement.organisation_id.0,
        &command.dates,
        command.minutes.get(),
        command.description,
        status as EntryStatus,
        command.logged_by.0,
        decided_by,
        command.attendance_session,
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        AuditEntry {
            actor: Some(command.logged_by),
            action: if confirmed {
                "geregistreerd en bevestigd"
            } else {
                "geregistreerd"
            },
            entity: "hour_entry",
            entity_id: row.id.0,
            participant: Some(placement.participant_id),
        }
        .record::<(), _>(
            &mut *conn,
            None,
            Some(&EntryAudit {
                placement_id: placement.id,
                worked_on: iso_date(row.worked_on),
                minutes: command.minutes.get(),
                description: command.description.clone(),
                status,
                version: row.version,
            }),
        )
        .await?;
        ids.push(row.id);
    }
    if confirmed {
        // Hours a partner logs count as confirmed, and confirmed hours start the placement.
        start_begun(&mut *conn, Some(placement.id), today).await?;
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::ids::RegionId;

    fn minutes(typed: &str) -> Minutes {
        Minutes::parse(typed).unwrap()
    }

    #[test]
    fn only_a_partner_logs_confirmed_hours() {
        let command = |scope| NewEntries {
            placement: PlacementId(Uuid::nil()),
            scope,
            logged_by: UserId(Uuid::nil()),
            dates: vec![],
            minutes: minutes("1u"),
            description: String::new(),
            attendance_session: None,
        };
        assert!(command(Scope::Organisation(OrganisationId(Uuid::nil()))).counts_as_confirmed());
        assert!(!command(Scope::Region(RegionId(Uuid::nil()))).counts_as_confirmed());
    }
}
