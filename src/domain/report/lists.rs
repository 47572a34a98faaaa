//! The working lists: participants ready for a certificate, stalled, or near their target end
//! date, and organisations that leave entries waiting.

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;

use crate::domain::participant::{DEADLINE_WITHIN_DAYS, STALLED_AFTER_DAYS};
use crate::values::ids::{OrganisationId, ParticipantId, RegionId};

/// Entries waiting longer than this for a decision are worth a call to the organisation.
pub const PENDING_TOO_LONG_DAYS: i32 = 14;

/// Which working list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkList {
    /// Active, confirmed minutes at or above the region's requirement.
    Ready,
    /// Active, short, and no confirmed hours for more than 30 days (counted from the start
    /// when there are none yet, and from the end of the latest pause); never while paused.
    Stalled,
    /// Active, short, and the target end date within 60 days (or past); never while paused.
    DeadlineNear,
}

impl WorkList {
    pub const ALL: [Self; 3] = [Self::Ready, Self::Stalled, Self::DeadlineNear];

    /// The name in the URL and the file name.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Ready => "klaar-voor-certificaat",
            Self::Stalled => "stilgevallen",
            Self::DeadlineNear => "einddatum-nabij",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|list| list.slug() == slug)
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Ready => "Klaar voor een certificaat",
            Self::Stalled => "Stilgevallen",
            Self::DeadlineNear => "Einddatum nabij",
        }
    }

    pub fn description(self) -> String {
        match self {
            Self::Ready => "Actieve inburgeraars met genoeg bevestigde uren.".to_string(),
            Self::Stalled => format!(
                "Actieve inburgeraars zonder bevestigde uren in de laatste {STALLED_AFTER_DAYS} dagen, die hun uren nog niet rond hebben."
            ),
            Self::DeadlineNear => format!(
                "Actieve inburgeraars van wie de streefdatum binnen {DEADLINE_WITHIN_DAYS} dagen valt (of al voorbij is) en die hun uren nog niet rond hebben."
            ),
        }
    }
}

/// A participant on a working list.
#[derive(Debug, Clone, Serialize)]
pub struct ListRow {
    pub id: ParticipantId,
    pub full_name: String,
    pub municipality: String,
    pub coach_name: Option<String>,
    pub confirmed_minutes: i32,
    pub pending_minutes: i32,
    pub start_date: Date,
    pub target_end_date: Date,
    pub last_confirmed_on: Option<Date>,
}

/// The confirmed minutes a participant of the region needs for a certificate.
pub async fn required_minutes(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT required_minutes FROM regions WHERE id = $1",
        region.0
    )
    .fetch_one(conn)
    .await
}

/// The rows of a working list: the active participants of region `$1`, with the condition,
/// order and page that `$rest` adds (`$2` is the region's required minutes). A macro because
/// `sqlx` checks a query only when it is written out in literals, and keys its offline data by
/// the whole text: each list's query reads exactly as it did when it was written out in full.
macro_rules! list_rows {
    ($conn:expr, $rest:tt, $($args:tt)*) => {
        sqlx::query_as!(
            ListRow,
            r#"SELECT p.id AS "id: ParticipantId", p.full_name, m.name AS municipality,
                          u.name AS "coach_name?", p.confirmed_minutes, p.pending_minutes,
                          p.start_date, p.target_end_date, p.last_confirmed_on
                   FROM participants p
                   JOIN municipalities m ON m.id = p.municipality_id
                   LEFT JOIN users u ON u.id = p.coach_id
                   WHERE p.region_id = $1 AND p.status = 'actief'"#
                + $rest,
            $($args)*
        )
        .fetch_all($conn)
        .await
    };
}

/// One page of a working list. Each list is a range on its own partial index
/// (`participants_ready_idx`, `participants_stalled_idx`, `participants_deadline_idx`).
pub async fn work_list(
    conn: &mut PgConnection,
    region: RegionId,
    list: WorkList,
    today: Date,
    offset: i64,
    limit: i64,
) -> Result<Vec<ListRow>, sqlx::Error> {
    let required = required_minutes(conn, region).await?;
    match list {
        WorkList::Ready => list_rows!(
            conn,
            r#" AND p.confirmed_minutes >= $2
                   ORDER BY p.search_name, p.id
                   OFFSET $3 LIMIT $4"#,
            region.0,
            required,
            offset,
            limit,
        ),
        WorkList::Stalled => list_rows!(
            conn,
            r#"
                     AND coalesce(p.last_confirmed_on, p.start_date) < $3
                     AND p.confirmed_minutes < $2
                     AND NOT EXISTS (SELECT 1 FROM trajectory_pauses t
                                     WHERE t.participant_id = p.id
                                       AND (t.ends_on IS NULL OR t.ends_on >= $3))
                   ORDER BY coalesce(p.last_confirmed_on, p.start_date), p.id
                   OFFSET $4 LIMIT $5"#,
            region.0,
            required,
            stalled_before(today),
            offset,
            limit,
        ),
        WorkList::DeadlineNear => list_rows!(
            conn,
            r#"
                     AND p.target_end_date <= $3 AND p.confirmed_minutes < $2
                     AND NOT EXISTS (SELECT 1 FROM trajectory_pauses t
                                     WHERE t.participant_id = p.id AND t.ends_on IS NULL)
                   ORDER BY p.target_end_date, p.id
                   OFFSET $4 LIMIT $5"#,
            region.0,
            required,
            deadline_before(today),
            offset,
            limit,
        ),
    }
}

/// The last day of confirmed activity that still counts as stalled today.
pub(super) fn stalled_before(today: Date) -> Date {
    today - time::Duration::days(STALLED_AFTER_DAYS)
}

/// The latest target end date that counts as near today.
pub(super) fn deadline_before(today: Date) -> Date {
    today + time::Duration::days(DEADLINE_WITHIN_DAYS)
}

/// How many participants each working list holds, and how many organisations have entries
/// pending too long.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ListCounts {
    pub ready: i64,
    pub stalled: i64,
    pub deadline_near: i64,
    /// Active trajectories with a running pause (on no working list).
    pub paused: i64,
    pub pending_organisations: i64,
    pub pending_entries: i64,
}

impl ListCounts {
    pub fn of(&self, list: WorkList) -> i64 {
        match list {
            WorkList::Ready => self.ready,
            WorkList::Stalled => self.stalled,
            WorkList::DeadlineNear => self.deadline_near,
        }
    }
}

/// A query whose select list holds, between `$head` and `$tail`, the working-list counts of
/// region `$1` as of today (`$2`: the last day that counts as stalled, `$3`: the latest target
/// end date that counts as near), with the region's row as `r`. A macro because `sqlx` checks a
/// query only when it is written out in literals: the dashboard's statement and `list_counts`
/// share the counts this way.
macro_rules! with_list_counts {
    ($head:tt, $tail:tt, $($args:tt)*) => {
        sqlx::query!(
            $head
                + r#"
             (SELECT count(*) FROM participants
              WHERE region_id = $1 AND status = 'actief'
                AND confirmed_minutes >= r.required_minutes) AS "ready!",
             (SELECT count(*) FROM participants p
              WHERE region_id = $1 AND status = 'actief'
                AND coalesce(last_confirmed_on, start_date) < $2
                AND confirmed_minutes < r.required_minutes
                AND NOT EXISTS (SELECT 1 FROM trajectory_pauses t
                                WHERE t.participant_id = p.id
                                  AND (t.ends_on IS NULL OR t.ends_on >= $2))) AS "stalled!",
             (SELECT count(*) FROM participants p
              WHERE region_id = $1 AND status = 'actief'
                AND target_end_date <= $3 AND confirmed_minutes < r.required_minutes
                AND NOT EXISTS (SELECT 1 FROM trajectory_pauses t
                                WHERE t.participant_id = p.id AND t.ends_on IS NULL))
               AS "deadline_near!",
             (SELECT count(*) FROM participants p
              WHERE region_id = $1 AND status = 'actief'
                AND EXISTS (SELECT 1 FROM trajectory_pauses t
                            WHERE t.participant_id = p.id AND t.ends_on IS NULL)) AS "paused!""#
                + $tail,
            $($args)*
        )
    };
}
pub(super) use with_list_counts;

pub async fn list_counts(
    conn: &mut PgConnection,
    region: RegionId,
    today: Date,
) -> Result<ListCounts, sqlx::Error> {
    // One round trip; each count still walks its own partial index.
    let counts = with_list_counts!(
        "SELECT",
        r#"
           FROM regions r WHERE r.id = $1"#,
        region.0,
        stalled_before(today),
        deadline_before(today),
    )
    .fetch_one(&mut *conn)
    .await?;
    let pending = pending_too_long(conn, region).await?;
    Ok(ListCounts {
        ready: counts.ready,
        stalled: counts.stalled,
        deadline_near: counts.deadline_near,
        paused: counts.paused,
        pending_organisations: i64::try_from(pending.len()).unwrap_or(i64::MAX),
        pending_entries: pending.iter().map(|row| row.entries).sum(),
    })
}

/// An organisation with entries waiting for its decision for more than 14 days.
#[derive(Debug, Clone, Serialize)]
pub struct PendingRow {
    pub organisation_id: OrganisationId,
    pub organisation: String,
    pub phone: String,
    pub email: String,
    /// Its partner contacts (active users), comma-separated.
    pub contacts: String,
    pub entries: i64,
    pub participants: i64,
    pub minutes: i64,
    pub oldest: Date,
}

/// Organisations of the region with entries submitted more than 14 days ago and still pending,
/// the longest waiting first: the coordinator manages the region's organisations, so chases
/// them for every participant. Walks the region's organisations and, per organisation,
/// `hour_entries_pending_age_idx` (organisation_id, created_at), from the index alone.
pub async fn pending_too_long(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Vec<PendingRow>, sqlx::Error> {
    sqlx::query_as!(
        PendingRow,
        r#"SELECT o.id AS "organisation_id: OrganisationId", o.name AS organisation,
                  o.phone, o.email,
                  coalesce((SELECT string_agg(u.name || ' <' || u.email || '>', ', ' ORDER BY u.name)
                            FROM users u WHERE u.organisation_id = o.id AND u.active), '') AS "contacts!",
                  t.entries AS "entries!", t.participants AS "participants!",
                  t.minutes AS "minutes!", t.oldest AS "oldest!"
           FROM organisations o
           CROSS JOIN LATERAL (
               SELECT count(*) AS entries, count(DISTINCT e.participant_id) AS participants,
                      coalesce(sum(e.minutes), 0)::bigint AS minutes,
                      min(e.created_at AT TIME ZONE 'Europe/Brussels')::date AS oldest
               FROM hour_entries e
               WHERE e.organisation_id = o.id AND e.status = 'ingediend'
                 AND e.created_at < now() - make_interval(days => $2)
           ) t
           WHERE o.region_id = $1 AND t.entries > 0
           ORDER BY t.oldest, o.name, o.id"#,
        region.0,
        PENDING_TOO_LONG_DAYS,
    )
    .fetch_all(conn)
    .await
}
