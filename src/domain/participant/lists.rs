//! The lists staff work from: search, the caseload with what needs attention, history.

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;

use crate::domain::search::contains_pattern;
use crate::values::ids::{MunicipalityId, ParticipantId, RegionId, UserId};

use super::ParticipantStatus;

/// Filters of the participant list; `None` means "all".
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub search: Option<String>,
    pub status: Option<ParticipantStatus>,
    pub municipality: Option<MunicipalityId>,
    pub coach: Option<UserId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParticipantRow {
    pub id: ParticipantId,
    pub full_name: String,
    pub municipality: String,
    pub coach_name: Option<String>,
    pub status: ParticipantStatus,
    pub confirmed_minutes: i32,
    pub pending_minutes: i32,
    pub required_minutes: i32,
    pub target_end_date: Date,
    /// A pause runs: the list shows "Gepauzeerd" instead of the status.
    pub paused: bool,
}

/// One page of the region's participants, by name. Each filter is optional; the indexes on
/// (region, search_name), (region, status, search_name), (coach, …) and the trigram index
/// on search_name serve the combinations.
pub async fn list(
    conn: &mut PgConnection,
    region: RegionId,
    filter: &ListFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<ParticipantRow>, sqlx::Error> {
    let pattern = filter.search.as_deref().map(contains_pattern);
    sqlx::query_as!(
        ParticipantRow,
        // The page's ids first, on their own: a common fragment then reads the region's name
        // index in order (index only) until the page is full, instead of fetching every
        // matching row of the region from the table; a rare one still uses the trigram index.
        r#"WITH page AS MATERIALIZED (
               SELECT p.id, p.search_name FROM participants p
               WHERE p.region_id = $1
                 AND ($2::text IS NULL OR p.search_name LIKE $2)
                 AND ($3::participant_status IS NULL OR p.status = $3)
                 AND ($4::uuid IS NULL OR p.municipality_id = $4)
                 AND ($5::uuid IS NULL OR p.coach_id = $5)
               ORDER BY p.search_name, p.id
               OFFSET $6 LIMIT $7)
           SELECT p.id AS "id: ParticipantId", p.full_name, m.name AS municipality,
                  u.name AS "coach_name?", p.status AS "status: ParticipantStatus",
                  p.confirmed_minutes, p.pending_minutes, r.required_minutes, p.target_end_date,
                  EXISTS (SELECT 1 FROM trajectory_pauses t
                          WHERE t.participant_id = p.id AND t.ends_on IS NULL) AS "paused!"
           FROM page
           JOIN participants p ON p.id = page.id
           JOIN municipalities m ON m.id = p.municipality_id
           JOIN regions r ON r.id = p.region_id
           LEFT JOIN users u ON u.id = p.coach_id
           ORDER BY page.search_name, page.id"#,
        region.0,
        pattern,
        filter.status as Option<ParticipantStatus>,
        filter.municipality.map(|m| m.0),
        filter.coach.map(|c| c.0),
        offset,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Why a participant needs attention, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Attention {
    Stalled,
    DeadlineNear,
    WaitingForConfirmation,
    /// Among the pending hours, some the inburgeraar reported from Mijn traject.
    ReportedByInburgeraar,
    /// A pause runs: not stalled, and the end date moves when it ends.
    Paused,
    OnTrack,
}

/// Days without confirmed hours after which a trajectory counts as stalled.
pub const STALLED_AFTER_DAYS: i64 = 30;
/// A deadline this close, with hours short, needs attention.
pub const DEADLINE_WITHIN_DAYS: i64 = 60;

#[derive(Debug, Clone, Serialize)]
pub struct CaseloadRow {
    pub id: ParticipantId,
    pub full_name: String,
    pub municipality: String,
    pub confirmed_minutes: i32,
    pub pending_minutes: i32,
    pub required_minutes: i32,
    pub start_date: Date,
    pub target_end_date: Date,
    pub last_confirmed_on: Option<Date>,
    /// Hours the inburgeraar reported are waiting for confirmation.
    pub reported_pending: bool,
    pub paused: bool,
    /// The end of the latest finished pause: the days before it do not count as stalled.
    pub resumed_on: Option<Date>,
}

impl CaseloadRow {
    /// Every reason that applies, most urgent first. A paused trajectory is neither stalled
    /// nor near its end date (that date moves when the pause ends).
    pub fn attention(&self, today: Date) -> Vec<Attention> {
        let short = self.confirmed_minutes < self.required_minutes && !self.paused;
        let since = self
            .last_confirmed_on
            .unwrap_or(self.start_date)
            .max(self.resumed_on.unwrap_or(self.start_date));
        let mut reasons = Vec::new();
        if short && (today - since).whole_days() > STALLED_AFTER_DAYS {
            reasons.push(Attention::Stalled);
        }
        if short && (self.target_end_date - today).whole_days() <= DEADLINE_WITHIN_DAYS {
            reasons.push(Attention::DeadlineNear);
        }
        if self.pending_minutes > 0 {
            reasons.push(Attention::WaitingForConfirmation);
        }
        if self.reported_pending {
            reasons.push(Attention::ReportedByInburgeraar);
        }
        if self.paused {
            reasons.push(Attention::Paused);
        }
        if reasons.is_empty() {
            reasons.push(Attention::OnTrack);
        }
        reasons
    }
}

/// The active participants a coach guides (a caseload is 30–80 people: no paging).
pub async fn caseload<'e>(
    db: impl sqlx::PgExecutor<'e>,
    coach: UserId,
) -> Result<Vec<CaseloadRow>, sqlx::Error> {
    sqlx::query_as!(
        CaseloadRow,
        r#"SELECT p.id AS "id: ParticipantId", p.full_name, m.name AS municipality,
                  p.confirmed_minutes, p.pending_minutes, r.required_minutes,
                  p.start_date, p.target_end_date, p.last_confirmed_on,
                  EXISTS (SELECT 1 FROM hour_entries e
                          WHERE e.participant_id = p.id AND e.status = 'ingediend'
                            AND e.reported_via_link IS NOT NULL) AS "reported_pending!",
                  EXISTS (SELECT 1 FROM trajectory_pauses t
                          WHERE t.participant_id = p.id AND t.ends_on IS NULL) AS "paused!",
                  (SELECT max(t.ends_on) FROM trajectory_pauses t
                   WHERE t.participant_id = p.id) AS resumed_on
           FROM participants p
           JOIN municipalities m ON m.id = p.municipality_id
           JOIN regions r ON r.id = p.region_id
           WHERE p.coach_id = $1 AND p.status = 'actief'
           ORDER BY p.target_end_date, p.search_name"#,
        coach.0
    )
    .fetch_all(db)
    .await
}

/// Choices for forms: the region's municipalities and active coaches, by name.
pub async fn municipalities(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Vec<(MunicipalityId, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id: MunicipalityId", name FROM municipalities WHERE region_id = $1 ORDER BY name"#,
        region.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.name)).collect())
}

pub async fn coaches(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id: UserId", name FROM users
           WHERE region_id = $1 AND role = 'coach' AND active ORDER BY name"#,
        region.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.name)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn row(confirmed: i32, pending: i32, last: Option<Date>, end: Date) -> CaseloadRow {
        CaseloadRow {
            id: ParticipantId(uuid::Uuid::nil()),
            full_name: "X".into(),
            municipality: "Brugge".into(),
            confirmed_minutes: confirmed,
            pending_minutes: pending,
            required_minutes: 2400,
            start_date: date!(2026 - 01 - 01),
            target_end_date: end,
            last_confirmed_on: last,
            reported_pending: false,
            paused: false,
            resumed_on: None,
        }
    }

    #[test]
    fn stalled_after_thirty_days_without_confirmed_hours() {
        let today = date!(2026 - 11 - 24);
        let far = date!(2027 - 06 - 01);
        assert_eq!(
            row(600, 0, Some(date!(2026 - 10 - 20)), far).attention(today),
            vec![Attention::Stalled]
        );
        assert_eq!(
            row(600, 0, Some(date!(2026 - 11 - 01)), far).attention(today),
            vec![Attention::OnTrack]
        );
        // Done is done: no longer stalled.
        assert_eq!(
            row(2400, 0, Some(date!(2026 - 01 - 20)), far).attention(today),
            vec![Attention::OnTrack]
        );
    }

    #[test]
    fn deadline_within_sixty_days_and_short() {
        let today = date!(2026 - 11 - 24);
        let recent = Some(date!(2026 - 11 - 20));
        assert_eq!(
            row(600, 0, recent, date!(2027 - 01 - 20)).attention(today),
            vec![Attention::DeadlineNear]
        );
        assert_eq!(
            row(600, 0, recent, date!(2027 - 02 - 20)).attention(today),
            vec![Attention::OnTrack]
        );
        assert_eq!(
            row(600, 90, recent, date!(2027 - 01 - 20)).attention(today),
            vec![Attention::DeadlineNear, Attention::WaitingForConfirmation]
        );
    }

    #[test]
    fn a_paused_trajectory_is_neither_stalled_nor_near_its_end() {
        let today = date!(2026 - 11 - 24);
        let mut paused = row(600, 0, Some(date!(2026 - 06 - 01)), date!(2026 - 12 - 01));
        assert_eq!(
            paused.attention(today),
            vec![Attention::Stalled, Attention::DeadlineNear]
        );
        paused.paused = true;
        assert_eq!(paused.attention(today), vec![Attention::Paused]);
        paused.pending_minutes = 60;
        assert_eq!(
            paused.attention(today),
            vec![Attention::WaitingForConfirmation, Attention::Paused]
        );
    }

    #[test]
    fn the_days_of_a_finished_pause_do_not_count_as_stalled() {
        let today = date!(2026 - 11 - 24);
        let far = date!(2027 - 06 - 01);
        let mut resumed = row(600, 0, Some(date!(2026 - 06 - 01)), far);
        resumed.resumed_on = Some(date!(2026 - 11 - 10));
        assert_eq!(resumed.attention(today), vec![Attention::OnTrack]);
        resumed.resumed_on = Some(date!(2026 - 10 - 10));
        assert_eq!(resumed.attention(today), vec![Attention::Stalled]);
    }
}
