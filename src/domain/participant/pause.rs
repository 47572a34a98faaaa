//! Pausing a trajectory: illness, work, childbirth, travel… A pause starts on a day and runs
//! until the coach resumes it; the target end date then moves by the pause's length in days.
//! While paused the trajectory stays `actief` but is neither stalled nor near its end date.
//!
//! Hours may still be logged for days inside a pause: confirmed hours are what the partner
//! saw happen, a pause can be entered after the fact over days with hours already logged, and
//! refusing them would lose real participation. The pause moves the deadline; it does not
//! undo what was done.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::{Date, Duration};

use crate::domain::audit::AuditEntry;
use crate::values::dates::json_date;
use crate::values::ids::{ParticipantId, RegionId, UserId};

use super::{ParticipantError, ParticipantStatus, lock};

/// Why a trajectory is paused: a fixed list, with its Dutch labels here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize, Deserialize)]
#[sqlx(type_name = "pause_reason", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum PauseReason {
    Ziekte,
    Werk,
    Bevalling,
    Reis,
    Andere,
}

impl PauseReason {
    pub const ALL: [Self; 5] = [
        Self::Ziekte,
        Self::Werk,
        Self::Bevalling,
        Self::Reis,
        Self::Andere,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Ziekte => "ziekte",
            Self::Werk => "werk",
            Self::Bevalling => "bevalling",
            Self::Reis => "reis",
            Self::Andere => "andere",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Ziekte => "Ziekte",
            Self::Werk => "Werk",
            Self::Bevalling => "Bevalling",
            Self::Reis => "Reis",
            Self::Andere => "Andere reden",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.code() == code)
    }
}

/// One pause of a trajectory; `ends_on` is `None` while it runs. Read from JSON by the
/// participant page (dates as PostgreSQL writes them); written to audit rows as before.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pause {
    #[serde(deserialize_with = "json_date::deserialize")]
    pub starts_on: Date,
    #[serde(deserialize_with = "json_date::option::deserialize")]
    pub ends_on: Option<Date>,
    pub reason: PauseReason,
    /// `notes` in the audit row, so anonymising empties it there as in the participant's rows.
    #[serde(rename = "notes")]
    pub note: String,
}

impl Pause {
    /// Days paused: up to the end, or up to today while it runs.
    pub fn days(&self, today: Date) -> i64 {
        (self.ends_on.unwrap_or(today) - self.starts_on)
            .whole_days()
            .max(0)
    }
}

/// What the coach typed to pause, parsed.
#[derive(Debug, Clone)]
pub struct PauseInput {
    pub starts_on: Date,
    pub reason: PauseReason,
    pub note: String,
}

/// The participant's pauses, latest first.
pub async fn pauses(conn: &mut PgConnection, id: ParticipantId) -> Result<Vec<Pause>, sqlx::Error> {
    sqlx::query_as!(
        Pause,
        r#"SELECT starts_on, ends_on, reason AS "reason: PauseReason", note
           FROM trajectory_pauses WHERE participant_id = $1
           ORDER BY starts_on DESC, created_at DESC"#,
        id.0
    )
    .fetch_all(conn)
    .await
}

/// Pauses an active trajectory from `input.starts_on` (not in the future, not before the
/// trajectory's start or the end of an earlier pause).
pub async fn pause(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: ParticipantId,
    input: &PauseInput,
    today: Date,
) -> Result<Option<()>, ParticipantError> {
    let Some(participant) = lock(conn, region, id).await? else {
        return Ok(None);
    };
    if participant.status != ParticipantStatus::Actief {
        return Err(ParticipantError::NotActive);
    }
    let earlier = pauses(conn, id).await?;
    if earlier.iter().any(|p| p.ends_on.is_none()) {
        return Err(ParticipantError::AlreadyPaused);
    }
    if input.starts_on > today {
        return Err(ParticipantError::PauseInFuture);
    }
    if input.starts_on < participant.start_date {
        return Err(ParticipantError::PauseBeforeStart);
    }
    if let Some(last_end) = earlier.iter().filter_map(|p| p.ends_on).max()
        && input.starts_on < last_end
    {
        return Err(ParticipantError::PauseOverlaps(last_end));
    }
    let pause_id = sqlx::query_scalar!(
        "INSERT INTO trajectory_pauses (participant_id, starts_on, reason, note, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        id.0,
        input.starts_on,
        input.reason as PauseReason,
        input.note,
        actor.0
    )
    .fetch_one(&mut *conn)
    .await?;
    let after = Pause {
        starts_on: input.starts_on,
        ends_on: None,
        reason: input.reason,
        note: input.note.clone(),
    };
    AuditEntry {
        actor: Some(actor),
        action: "gepauzeerd",
        entity: "trajectory_pause",
        entity_id: pause_id,
        participant: Some(id),
    }
    .record(conn, None::<&Pause>, Some(&after))
    .await?;
    Ok(Some(()))
}

/// The audit row of a resumption: the pause and both target end dates.
#[derive(Serialize)]
struct Resumption<'a> {
    #[serde(flatten)]
    pause: &'a Pause,
    target_end_date: Date,
}

/// Resumes a paused trajectory on `on` (not before the pause's start, not in the future) and
/// moves the target end date by the pause's length; returns the days paused.
pub async fn resume(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: ParticipantId,
    on: Date,
    today: Date,
) -> Result<Option<i64>, ParticipantError> {
    let Some(participant) = lock(conn, region, id).await? else {
        return Ok(None);
    };
    let Some(open) = sqlx::query!(
        r#"SELECT id, starts_on, reason AS "reason: PauseReason", note
           FROM trajectory_pauses WHERE participant_id = $1 AND ends_on IS NULL"#,
        id.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Err(ParticipantError::NotPaused);
    };
    if on > today {
        return Err(ParticipantError::ResumeInFuture);
    }
    if on < open.starts_on {
        return Err(ParticipantError::ResumeBeforePause(open.starts_on));
    }
    let days = (on - open.starts_on).whole_days();
    let new_end = participant
        .target_end_date
        .checked_add(Duration::days(days))
        .ok_or(ParticipantError::EndDateOutOfRange)?;
    sqlx::query!(
        "UPDATE trajectory_pauses SET ends_on = $2, resumed_by = $3, resumed_at = now()
         WHERE id = $1",
        open.id,
        on,
        actor.0
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE participants SET target_end_date = $2, updated_at = now() WHERE id = $1",
        id.0,
        new_end
    )
    .execute(&mut *conn)
    .await?;
    let running = Pause {
        starts_on: open.starts_on,
        ends_on: None,
        reason: open.reason,
        note: open.note,
    };
    let ended = Pause {
        ends_on: Some(on),
        ..running.clone()
    };
    let before = Resumption {
        pause: &running,
        target_end_date: participant.target_end_date,
    };
    let after = Resumption {
        pause: &ended,
        target_end_date: new_end,
    };
    AuditEntry {
        actor: Some(actor),
        action: "hervat",
        entity: "trajectory_pause",
        entity_id: open.id,
        participant: Some(id),
    }
    .record(conn, Some(&before), Some(&after))
    .await?;
    Ok(Some(days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_pause_lasts_from_its_start_to_its_end_or_today() {
        let mut pause = Pause {
            starts_on: date!(2026 - 03 - 01),
            ends_on: Some(date!(2026 - 03 - 15)),
            reason: PauseReason::Ziekte,
            note: String::new(),
        };
        assert_eq!(pause.days(date!(2026 - 12 - 01)), 14);
        pause.ends_on = None;
        assert_eq!(pause.days(date!(2026 - 03 - 11)), 10);
    }

    #[test]
    fn every_reason_reads_back_from_its_code() {
        for reason in PauseReason::ALL {
            assert_eq!(PauseReason::parse(reason.code()), Some(reason));
        }
        assert_eq!(PauseReason::parse(""), None);
    }
}
