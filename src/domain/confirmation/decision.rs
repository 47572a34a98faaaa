//! Deciding on an entry: confirming or rejecting it, with the reason a rejection needs.

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::links::{ConfirmerName, ValidLink};
use crate::domain::audit::AuditEntry;
use crate::domain::{hours, placement};
use crate::values::dates;
use crate::values::duration::Minutes;
use crate::values::ids::{EntryId, OrganisationId, ParticipantId, PlacementId, UserId};
use crate::values::kinds::EntryStatus;

/// The longest reason kept with a decision: a rejection here, a revocation of a certificate.
const REASON_MAX_CHARS: usize = 500;

/// A reason as a person types it: trimmed, required, at most [`REASON_MAX_CHARS`] characters.
/// Each form words the two refusals for its own question.
pub(crate) fn parse_reason<E>(input: &str, missing: E, too_long: E) -> Result<String, E> {
    let reason = input.trim();
    if reason.is_empty() {
        Err(missing)
    } else if reason.chars().count() > REASON_MAX_CHARS {
        Err(too_long)
    } else {
        Ok(reason.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("Schrijf kort waarom u deze uren afwijst.")]
    Missing,
    #[error("Houd de reden korter dan 500 tekens.")]
    TooLong,
}

/// Why an entry is rejected: required, so the coach knows what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RejectionReason(String);

impl RejectionReason {
    pub fn parse(input: &str) -> Result<Self, ReasonError> {
        parse_reason(input, ReasonError::Missing, ReasonError::TooLong).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CorrectionReasonError {
    #[error("Schrijf kort waarom u de duur aanpast.")]
    Missing,
    #[error("Houd de reden korter dan 500 tekens.")]
    TooLong,
}

/// Why the partner confirms another duration than was logged: required, the coach sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct CorrectionReason(String);

impl CorrectionReason {
    pub fn parse(input: &str) -> Result<Self, CorrectionReasonError> {
        parse_reason(
            input,
            CorrectionReasonError::Missing,
            CorrectionReasonError::TooLong,
        )
        .map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone)]
pub enum Decision {
    Confirm,
    Reject(RejectionReason),
    /// Confirmed with another duration than was logged, and why (x2VOL's "modify").
    Correct {
        minutes: Minutes,
        reason: CorrectionReason,
    },
}

/// Who decides, and so which entries they may touch.
pub enum Decider<'a> {
    /// A logged-in partner: the entries of their organisation.
    Partner {
        user: UserId,
        organisation: OrganisationId,
    },
    /// Someone holding a personal link: the entries of that link's placement.
    Link {
        link: &'a ValidLink,
        name: &'a ConfirmerName,
        client_addr: &'a str,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionOutcome {
    Done,
    /// Someone else decided first; nothing changed.
    AlreadyDecided,
    /// The entry was edited after it was shown; the partner must look again.
    Changed,
    /// The corrected duration breaks a rule of hours (12 hours a day); nothing changed.
    Refused(String),
    NotFound,
}

#[derive(Serialize)]
struct DecisionAudit<'a> {
    status: EntryStatus,
    version: i32,
    minutes: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejection_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    correction_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    via_link: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmer_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_addr: Option<&'a str>,
}

pub async fn decide(
    conn: &mut PgConnection,
    decider: &Decider<'_>,
    entry: EntryId,
    seen_version: i32,
    decision: &Decision,
) -> Result<DecisionOutcome, sqlx::Error> {
    let (organisation, placement) = match decider {
        Decider::Partner { organisation, .. } => (Some(organisation.0), None),
        Decider::Link { link, .. } => (None, Some(link.placement_id.0)),
    };
    // The participant's row first, as every change to entries does: the totals trigger locks
    // it after the entry otherwise, the opposite order of a coach editing the same entry, and
    // the two deadlock.
    let Some(participant) = sqlx::query_scalar!(
        r#"SELECT participant_id AS "participant_id: ParticipantId"
           FROM hour_entries
           WHERE id = $1
             AND ($2::uuid IS NULL OR organisation_id = $2)
             AND ($3::uuid IS NULL OR placement_id = $3)"#,
        entry.0,
        organisation,
        placement,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(DecisionOutcome::NotFound);
    };
    hours::lock_participant(&mut *conn, participant).await?;
    let Some(current) = sqlx::query!(
        r#"SELECT status AS "status: EntryStatus", version, participant_id AS "participant_id: ParticipantId",
                  placement_id AS "placement_id: PlacementId", worked_on, minutes
           FROM hour_entries
           WHERE id = $1
             AND ($2::uuid IS NULL OR organisation_id = $2)
             AND ($3::uuid IS NULL OR placement_id = $3)
           FOR UPDATE"#,
        entry.0,
        organisation,
        placement,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(DecisionOutcome::NotFound);
    };
    if !current.status.is_pending() {
        return Ok(DecisionOutcome::AlreadyDecided);
    }
    if current.version != seen_version {
        return Ok(DecisionOutcome::Changed);
    }
    let (status, reason, corrected, correction_reason) = match decision {
        Decision::Confirm => (EntryStatus::Bevestigd, None, None, None),
        Decision::Reject(reason) => (EntryStatus::Afgewezen, Some(reason.as_str()), None, None),
        Decision::Correct { minutes, reason } => (
            EntryStatus::Bevestigd,
            None,
            Some(*minutes),
            Some(reason.as_str()),
        ),
    };
    if let Some(minutes) = corrected {
        // The 12 hours a day hold for the new amount too (the entry's own minutes left out).
        let already =
            hours::day_total_without(&mut *conn, current.participant_id, current.worked_on, entry)
                .await?;
        if let Err(error) = hours::check_day_total(current.worked_on, already, minutes) {
            return Ok(DecisionOutcome::Refused(error.to_string()));
        }
    }
    let new_minutes = corrected.map_or(current.minutes, Minutes::get);
    let decided_by = match decider {
        Decider::Partner { user, .. } => Some(user.0),
        Decider::Link { .. } => None,
    };
    sqlx::query!(
        "UPDATE hour_entries
         SET status = $2, rejection_reason = $3, decided_by = $4,
             decided_at = now(), version = version + 1,
             original_minutes = CASE WHEN $6::text IS NULL THEN NULL ELSE minutes END,
             minutes = $5, correction_reason = $6
         WHERE id = $1",
        entry.0,
        status as EntryStatus,
        reason,
        decided_by,
        new_minutes,
        correction_reason,
    )
    .execute(&mut *conn)
    .await?;
    let (actor, via_link, confirmer_name, client_addr) = match decider {
        Decider::Partner { user, .. } => (Some(*user), None, None, None),
        Decider::Link {
            link,
            name,
            client_addr,
        } => (None, Some(link.id), Some(name.as_str()), Some(*client_addr)),
    };
    AuditEntry {
        actor,
        action: status.code(),
        entity: "hour_entry",
        entity_id: entry.0,
        participant: Some(current.participant_id),
    }
    .record(
        conn,
        Some(&DecisionAudit {
            status: EntryStatus::Ingediend,
            version: current.version,
            minutes: current.minutes,
            rejection_reason: None,
            correction_reason: None,
            via_link: None,
            confirmer_name: None,
            client_addr: None,
        }),
        Some(&DecisionAudit {
            status,
            version: current.version + 1,
            minutes: new_minutes,
            rejection_reason: reason,
            correction_reason,
            via_link,
            confirmer_name,
            client_addr,
        }),
    )
    .await?;
    if status == EntryStatus::Bevestigd {
        // Confirmed hours show the placement has begun, whatever its planned start.
        placement::start_begun(&mut *conn, Some(current.placement_id), dates::today()).await?;
    }
    if let Decider::Link { link, .. } = decider {
        sqlx::query!(
            "UPDATE confirmation_links SET last_used_at = now(), use_count = use_count + 1 WHERE id = $1",
            link.id
        )
        .execute(&mut *conn)
        .await?;
    }
    if let (Some(_), Some(reason)) = (corrected, correction_reason) {
        super::correction::tell_the_coach(&mut *conn, entry, current.minutes, new_minutes, reason)
            .await?;
    }
    Ok(DecisionOutcome::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_needs_a_reason() {
        assert_eq!(RejectionReason::parse("  "), Err(ReasonError::Missing));
        assert_eq!(
            RejectionReason::parse(&"x".repeat(501)),
            Err(ReasonError::TooLong)
        );
        assert_eq!(
            RejectionReason::parse(" Was ziek ").unwrap().as_str(),
            "Was ziek"
        );
    }
}
