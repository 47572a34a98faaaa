//! Deciding on an entry: confirming or rejecting it, with the reason a rejection needs.

use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

use super::links::{ConfirmerName, ValidLink};
use crate::domain::hours::{self, MAX_MINUTES_PER_DAY};
use crate::domain::placement;
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

/// What the audit log keeps of an entry's decision. The minutes are added by the statement
/// that decides (`minutes` before and after), which reads them under its lock.
#[derive(Serialize)]
struct DecisionAudit<'a> {
    status: EntryStatus,
    version: i32,
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

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, sqlx::Error> {
    serde_json::to_value(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// Decides `entry` in one statement: it locks the participant, then the entry, checks that the
/// entry is still pending and still `seen_version` (and, for a correction, the 12 hours of its
/// day), and only then changes it, writes its audit row and counts the use of a personal link.
/// Starting a planned placement and telling the coach of a correction follow when needed.
pub async fn decide(
    conn: &mut PgConnection,
    decider: &Decider<'_>,
    entry: EntryId,
    seen_version: i32,
    decision: &Decision,
) -> Result<DecisionOutcome, sqlx::Error> {
    let outcome = decide_in(conn, decider, entry, seen_version, decision, false).await?;
    // Only a decision alone leaves something for a transaction.
    Ok(outcome.unwrap_or(DecisionOutcome::Changed))
}

/// Decides `entry` with its one statement outside a transaction (the statement is one), when
/// that is all it takes: not a correction (its participant is locked before, its coach told
/// after) and not the first confirmation of a planned placement (which starts it). `None`:
/// nothing changed, decide in a transaction with [`decide`].
pub async fn decide_alone(
    conn: &mut PgConnection,
    decider: &Decider<'_>,
    entry: EntryId,
    seen_version: i32,
    decision: &Decision,
) -> Result<Option<DecisionOutcome>, sqlx::Error> {
    if matches!(decision, Decision::Correct { .. }) {
        return Ok(None);
    }
    decide_in(conn, decider, entry, seen_version, decision, true).await
}

/// [`decide`]; `alone`: leaves a planned placement's first confirmation undone (`None`).
async fn decide_in(
    conn: &mut PgConnection,
    decider: &Decider<'_>,
    entry: EntryId,
    seen_version: i32,
    decision: &Decision,
    alone: bool,
) -> Result<Option<DecisionOutcome>, sqlx::Error> {
    let (organisation, placement) = match decider {
        Decider::Partner { organisation, .. } => (Some(organisation.0), None),
        Decider::Link { link, .. } => (None, Some(link.placement_id.0)),
    };
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
    if corrected.is_some() {
        // The day's total must be read after the participant is locked (every change to entries
        // locks it first), so by a statement that starts after the lock is held.
        lock_participant_of(&mut *conn, entry, organisation, placement).await?;
    }
    // Alone, a confirmation that would start a planned placement is left undone.
    let leave_start = alone && status == EntryStatus::Bevestigd;
    let (decided_by, via_link, confirmer_name, client_addr) = match decider {
        Decider::Partner { user, .. } => (Some(user.0), None, None, None),
        Decider::Link {
            link,
            name,
            client_addr,
        } => (None, Some(link.id), Some(name.as_str()), Some(*client_addr)),
    };
    let before = to_json(&DecisionAudit {
        status: EntryStatus::Ingediend,
        version: seen_version,
        rejection_reason: None,
        correction_reason: None,
        via_link: None,
        confirmer_name: None,
        client_addr: None,
    })?;
    let after = to_json(&DecisionAudit {
        status,
        version: seen_version + 1,
        rejection_reason: reason,
        correction_reason,
        via_link,
        confirmer_name,
        client_addr,
    })?;
    // The participant's row first, as every change to entries does: the totals trigger locks
    // it after the entry otherwise, the opposite order of a coach editing the same entry, and
    // the two deadlock. The entry's scan waits for `participant` (its one-time subquery), and
    // a row locked after a wait is its newest version, so status and version are current.
    let Some(current) = sqlx::query!(
        r#"WITH participant AS (
               SELECT p.id FROM participants p
               WHERE p.id = (SELECT participant_id FROM hour_entries
                             WHERE id = $1
                               AND ($2::uuid IS NULL OR organisation_id = $2)
                               AND ($3::uuid IS NULL OR placement_id = $3))
               FOR UPDATE),
           current AS (
               SELECT e.id, e.status, e.version, e.participant_id, e.placement_id, e.worked_on,
                      e.minutes
               FROM hour_entries e
               WHERE e.id = $1 AND e.participant_id = (SELECT id FROM participant)
                 AND ($2::uuid IS NULL OR e.organisation_id = $2)
                 AND ($3::uuid IS NULL OR e.placement_id = $3)
               FOR UPDATE),
           -- What the participant's other (not rejected) entries of that day hold: only a
           -- correction changes the minutes.
           already AS (
               SELECT coalesce(sum(d.minutes), 0)::int8 AS total
               FROM current c
               JOIN hour_entries d ON d.participant_id = c.participant_id AND d.worked_on = c.worked_on
               WHERE $7::int IS NOT NULL AND d.id <> c.id AND d.status <> 'afgewezen'),
           decided AS (
               UPDATE hour_entries e
               SET status = $5, rejection_reason = $6, decided_by = $8,
                   decided_at = now(), version = e.version + 1,
                   original_minutes = CASE WHEN $9::text IS NULL THEN NULL ELSE e.minutes END,
                   minutes = coalesce($7, e.minutes), correction_reason = $9
               FROM current c, already a
               WHERE e.id = c.id AND c.status = 'ingediend' AND c.version = $4
                 AND ($7::int IS NULL OR a.total + $7 <= $10)
                 AND NOT ($15::bool AND EXISTS (SELECT 1 FROM placements pl
                                               WHERE pl.id = c.placement_id AND pl.status = 'gepland'))
               RETURNING e.id, e.minutes),
           audited AS (
               INSERT INTO audit_log (actor_id, action, entity, entity_id, participant_id, before, after)
               SELECT $8, $11, 'hour_entry', d.id, c.participant_id,
                      $12::jsonb || jsonb_build_object('minutes', c.minutes),
                      $13::jsonb || jsonb_build_object('minutes', d.minutes)
               FROM decided d, current c),
           link_used AS (
               UPDATE confirmation_links SET last_used_at = now(), use_count = use_count + 1
               WHERE id = $14 AND EXISTS (SELECT 1 FROM decided))
           SELECT c.status AS "status: EntryStatus", c.version, c.worked_on, c.minutes,
                  c.placement_id AS "placement_id: PlacementId",
                  c.participant_id AS "participant_id: ParticipantId",
                  a.total AS "already!",
                  EXISTS (SELECT 1 FROM decided) AS "decided!",
                  pl.status = 'gepland' AS "placement_planned!"
           FROM current c
           CROSS JOIN already a
           JOIN placements pl ON pl.id = c.placement_id"#,
        entry.0,
        organisation,
        placement,
        seen_version,
        status as EntryStatus,
        reason,
        corrected.map(Minutes::get),
        decided_by,
        correction_reason,
        i64::from(MAX_MINUTES_PER_DAY),
        status.code(),
        before,
        after,
        via_link,
        leave_start,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Some(DecisionOutcome::NotFound));
    };
    if !current.status.is_pending() {
        return Ok(Some(DecisionOutcome::AlreadyDecided));
    }
    if current.version != seen_version {
        return Ok(Some(DecisionOutcome::Changed));
    }
    if !current.decided {
        if leave_start && current.placement_planned {
            return Ok(None);
        }
        // Only the 12 hours a day hold back a pending entry of the version seen.
        return Ok(Some(match corrected {
            Some(minutes) => {
                match hours::check_day_total(current.worked_on, current.already, minutes) {
                    Err(error) => DecisionOutcome::Refused(error.to_string()),
                    Ok(()) => DecisionOutcome::Changed,
                }
            }
            None => DecisionOutcome::Changed,
        }));
    }
    if status == EntryStatus::Bevestigd && current.placement_planned {
        // Confirmed hours show the placement has begun, whatever its planned start.
        placement::start_begun(&mut *conn, Some(current.placement_id), dates::today()).await?;
    }
    if let (Some(minutes), Some(reason)) = (corrected, correction_reason) {
        super::correction::tell_the_coach(
            &mut *conn,
            entry,
            current.minutes,
            minutes.get(),
            reason,
        )
        .await?;
    }
    Ok(Some(DecisionOutcome::Done))
}

/// Locks the participant of `entry` (when the decider may see it).
async fn lock_participant_of(
    conn: &mut PgConnection,
    entry: EntryId,
    organisation: Option<Uuid>,
    placement: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT p.id FROM participants p
           WHERE p.id = (SELECT participant_id FROM hour_entries
                         WHERE id = $1
                           AND ($2::uuid IS NULL OR organisation_id = $2)
                           AND ($3::uuid IS NULL OR placement_id = $3))
           FOR UPDATE"#,
        entry.0,
        organisation,
        placement,
    )
    .fetch_optional(conn)
    .await?;
    Ok(())
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
