//! Logging hours on one or more dates at once: every rule checked, in one transaction.

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use crate::domain::placement::start_begun;
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
/// status cannot change until the entries are written, with the participant's row locked (see
/// [`lock_participant`]) in the same statement.
pub(super) struct PlacementFacts {
    pub(super) id: PlacementId,
    pub(super) participant_id: ParticipantId,
    pub(super) organisation_id: OrganisationId,
    pub(super) status: PlacementStatus,
    pub(super) starts_on: Date,
    pub(super) ends_on: Date,
    /// The participant's trajectory is `actief`, read under the lock.
    pub(super) participant_active: bool,
}

impl PlacementFacts {
    pub(super) fn period(&self) -> Result<Period, EntriesError> {
        Period::new(self.starts_on, self.ends_on).map_err(|_| EntriesError::NotFound)
    }
}

/// The placement in the caller's scope, share-locked, and its participant's row locked for
/// update: the placement first, then the participant, the order every change to entries keeps.
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
                  pl.starts_on, pl.ends_on,
                  (p.status = 'actief') AS "participant_active!"
           FROM placements pl JOIN participants p ON p.id = pl.participant_id
           WHERE pl.id = $1 AND (p.region_id = $2 OR pl.organisation_id = $3)
           FOR SHARE OF pl FOR UPDATE OF p"#,
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
    let mut errors = check_open(placement.status, placement.participant_active);
    if command.dates.is_empty() {
        errors.push(EntryError::NoDates);
    }
    if command.minutes.get() > MAX_MINUTES_PER_DAY {
        errors.push(EntryError::LongerThanADay);
    }
    let period = placement.period()?;
    let dates_ok = command
        .dates
        .iter()
        .all(|&date| check_date(date, period, today).is_ok());
    if !errors.is_empty() || !dates_ok {
        // Refused whatever the day totals are: read them to name every problem at once.
        let totals = day_totals(&mut *conn, placement.participant_id, &command.dates, None).await?;
        errors.extend(day_problems(command, &totals, period, today));
        return Err(EntriesError::Refused(errors));
    }

    let confirmed = command.counts_as_confirmed();
    let status = if confirmed {
        EntryStatus::Bevestigd
    } else {
        EntryStatus::Ingediend
    };
    let written = insert_entries(&mut *conn, &placement, command, status).await?;
    let problems = day_problems(command, &written.totals, period, today);
    if !problems.is_empty() {
        // The statement wrote nothing when a day would pass the limit (the same rule).
        return Err(EntriesError::Refused(problems));
    }
    if confirmed {
        // Hours a partner logs count as confirmed, and confirmed hours start the placement.
        start_begun(&mut *conn, Some(placement.id), today).await?;
    }
    Ok(written.ids)
}

/// Every date's problem, in the order of the dates: outside the placement or in the future,
/// or over the day limit with what `totals` already holds.
fn day_problems(
    command: &NewEntries,
    totals: &[(Date, i64)],
    period: Period,
    today: Date,
) -> Vec<EntryError> {
    command
        .dates
        .iter()
        .filter_map(|&date| {
            check_date(date, period, today)
                .and_then(|()| check_day_total(date, already_on(totals, date), command.minutes))
                .err()
        })
        .collect()
}

/// What [`insert_entries`] found and wrote.
struct Written {
    /// Minutes already logged per day before these entries, as [`day_totals`] reads them.
    totals: Vec<(Date, i64)>,
    /// The new entries; none when a day would pass [`MAX_MINUTES_PER_DAY`].
    ids: Vec<EntryId>,
}

/// One statement: the day totals (read after the participant's lock, so a concurrent
/// submission's entries count), the entries unless a day would pass the limit, and an audit
/// row per entry, its `after` the same object as [`EntryAudit`].
async fn insert_entries(
    conn: &mut PgConnection,
    placement: &PlacementFacts,
    command: &NewEntries,
    status: EntryStatus,
) -> Result<Written, sqlx::Error> {
    let confirmed = command.counts_as_confirmed();
    let action = if confirmed {
        "geregistreerd en bevestigd"
    } else {
        "geregistreerd"
    };
    let decided_by = confirmed.then_some(command.logged_by.0);
    let row = sqlx::query!(
        r#"WITH totals AS (
               SELECT worked_on, sum(minutes)::int8 AS total
               FROM hour_entries
               WHERE participant_id = $2 AND worked_on = ANY($4) AND status <> 'afgewezen'
               GROUP BY worked_on),
           inserted AS (
               INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on,
                   minutes, description, status, created_by, decided_by, decided_at,
                   attendance_session_id)
               SELECT $1, $2, $3, day, $5::int4, $6, $7, $8, $9,
                      CASE WHEN $9::uuid IS NULL THEN NULL ELSE now() END, $10
               FROM unnest($4::date[]) AS day
               WHERE NOT EXISTS (SELECT 1 FROM totals t WHERE t.total + $5::int4 > $11::int4)
               RETURNING id, worked_on, version),
           audited AS (
               INSERT INTO audit_log (actor_id, action, entity, entity_id, participant_id, after)
               SELECT $8, $12, 'hour_entry', i.id, $2,
                      jsonb_build_object('placement_id', $1::uuid, 'worked_on', i.worked_on,
                                         'minutes', $5::int4, 'description', $6::text,
                                         'status', $7::entry_status, 'version', i.version)
               FROM inserted i
               RETURNING 1)
           SELECT (SELECT coalesce(array_agg(worked_on), '{}') FROM totals) AS "total_days!: Vec<Date>",
                  (SELECT coalesce(array_agg(total), '{}') FROM totals) AS "total_minutes!: Vec<i64>",
                  (SELECT coalesce(array_agg(id), '{}') FROM inserted) AS "ids!: Vec<Uuid>""#,
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
        MAX_MINUTES_PER_DAY,
        action,
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Written {
        totals: row.total_days.into_iter().zip(row.total_minutes).collect(),
        ids: row.ids.into_iter().map(EntryId).collect(),
    })
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
