//! The KBI hand-off: the outcome of every trajectory (certificate issued, stopped, exempted)
//! must be passed on by the coach to the Flemish case-management system (KBI). Veertig keeps
//! the list of outcomes not yet passed on; the coach marks each "doorgegeven" with a date.
//!
//! An outcome is a participant's closed status and the moment it was reached
//! (`participants.status_changed_at`, kept by a trigger). A trajectory that is reopened and
//! closed again has a new outcome, which must be passed on again.

use serde::Serialize;
use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use super::audit::AuditEntry;
use super::participant::ParticipantStatus;
use crate::values::dates::brussels_date;
use crate::values::ids::{ParticipantId, RegionId, UserId};

/// Whose outcomes a list holds: a coach's own caseload, or a coordinator's whole region.
#[derive(Debug, Clone, Copy)]
pub enum KbiScope {
    Coach { region: RegionId, coach: UserId },
    Region(RegionId),
}

impl KbiScope {
    fn params(self) -> (uuid::Uuid, Option<uuid::Uuid>) {
        match self {
            Self::Coach { region, coach } => (region.0, Some(coach.0)),
            Self::Region(region) => (region.0, None),
        }
    }
}

/// Which part of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KbiView {
    Open,
    Done,
}

/// A line of the hand-off list.
#[derive(Debug, Clone)]
pub struct KbiRow {
    pub participant_id: ParticipantId,
    pub full_name: String,
    pub external_dossier: String,
    pub coach_name: Option<String>,
    pub outcome: ParticipantStatus,
    pub outcome_at: OffsetDateTime,
    pub certificate_number: Option<String>,
    pub passed_on: Option<Date>,
    pub passed_by: Option<String>,
}

impl KbiRow {
    /// The day of the outcome, in Belgium.
    pub fn outcome_on(&self) -> Date {
        brussels_date(self.outcome_at)
    }

    pub fn outcome_label(&self) -> &'static str {
        outcome_label(self.outcome)
    }

    pub fn outcome_text(&self) -> String {
        crate::values::dates::format_date(self.outcome_on())
    }

    pub fn passed_text(&self) -> String {
        self.passed_on
            .map(crate::values::dates::format_date)
            .unwrap_or_default()
    }
}

pub fn outcome_label(status: ParticipantStatus) -> &'static str {
    match status {
        ParticipantStatus::Afgerond => "certificaat uitgereikt",
        ParticipantStatus::Stopgezet => "stopgezet",
        ParticipantStatus::Vrijgesteld => "vrijgesteld",
        ParticipantStatus::Actief => "actief",
    }
}

/// The open outcomes (oldest first: they have waited longest) or the ones passed on (most
/// recently passed on first), `limit` rows after `offset`. Anonymised participants are left
/// out: what was to pass on has long been passed on.
pub async fn list(
    conn: &mut PgConnection,
    scope: KbiScope,
    view: KbiView,
    offset: i64,
    limit: i64,
) -> Result<Vec<KbiRow>, sqlx::Error> {
    let (region, coach) = scope.params();
    match view {
        KbiView::Open => {
            sqlx::query_as!(
                KbiRow,
                r#"SELECT p.id AS "participant_id: ParticipantId", p.full_name, p.external_dossier,
                          u.name AS "coach_name?", p.status AS "outcome: ParticipantStatus",
                          p.status_changed_at AS "outcome_at!",
                          c.number AS "certificate_number?",
                          NULL::date AS "passed_on?", NULL::text AS "passed_by?"
                   FROM participants p
                   LEFT JOIN users u ON u.id = p.coach_id
                   LEFT JOIN certificates c ON c.participant_id = p.id AND c.status = 'geldig'
                   WHERE p.region_id = $1 AND ($2::uuid IS NULL OR p.coach_id = $2)
                     AND p.status <> 'actief' AND p.status_changed_at IS NOT NULL
                     AND p.anonymised_at IS NULL
                     AND NOT EXISTS (SELECT 1 FROM kbi_handoffs h
                                     WHERE h.participant_id = p.id
                                       AND h.outcome_at = p.status_changed_at)
                   ORDER BY p.status_changed_at, p.id
                   OFFSET $3 LIMIT $4"#,
                region,
                coach,
                offset,
                limit,
            )
            .fetch_all(conn)
            .await
        }
        KbiView::Done => {
            sqlx::query_as!(
                KbiRow,
                r#"SELECT p.id AS "participant_id: ParticipantId", p.full_name, p.external_dossier,
                          u.name AS "coach_name?", h.outcome AS "outcome: ParticipantStatus",
                          h.outcome_at, c.number AS "certificate_number?",
                          h.passed_on AS "passed_on?", pb.name AS "passed_by?"
                   FROM kbi_handoffs h
                   JOIN participants p ON p.id = h.participant_id
                   LEFT JOIN users u ON u.id = p.coach_id
                   LEFT JOIN users pb ON pb.id = h.passed_by
                   LEFT JOIN certificates c ON c.participant_id = p.id AND c.status = 'geldig'
                   WHERE p.region_id = $1 AND ($2::uuid IS NULL OR p.coach_id = $2)
                   ORDER BY h.passed_on DESC, h.recorded_at DESC, h.id
                   OFFSET $3 LIMIT $4"#,
                region,
                coach,
                offset,
                limit,
            )
            .fetch_all(conn)
            .await
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    #[error("Dit traject is niet (meer) afgesloten: er valt niets door te geven.")]
    NotClosed,
    #[error("Dit resultaat werd al doorgegeven.")]
    AlreadyPassed,
    #[error("De datum van doorgeven ligt in de toekomst.")]
    FutureDate,
    #[error("De datum van doorgeven ligt vóór het resultaat.")]
    BeforeOutcome,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(Serialize)]
struct HandoffAudit {
    resultaat: &'static str,
    doorgegeven_op: String,
}

/// Marks the participant's current outcome as passed on to KBI on `passed_on`; `Ok(None)` when
/// the participant is not in the scope. The participant row is locked, so a status change
/// cannot slip in between the check and the mark. Audited.
pub async fn mark_passed(
    conn: &mut PgConnection,
    actor: UserId,
    scope: KbiScope,
    participant: ParticipantId,
    passed_on: Date,
    today: Date,
) -> Result<Option<()>, HandoffError> {
    let (region, coach) = scope.params();
    let Some(row) = sqlx::query!(
        r#"SELECT status AS "status: ParticipantStatus", status_changed_at
           FROM participants
           WHERE id = $1 AND region_id = $2 AND ($3::uuid IS NULL OR coach_id = $3)
           FOR UPDATE"#,
        participant.0,
        region,
        coach,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let (ParticipantStatus::Afgerond
    | ParticipantStatus::Stopgezet
    | ParticipantStatus::Vrijgesteld) = row.status
    else {
        return Err(HandoffError::NotClosed);
    };
    let Some(outcome_at) = row.status_changed_at else {
        return Err(HandoffError::NotClosed);
    };
    if passed_on > today {
        return Err(HandoffError::FutureDate);
    }
    if passed_on < brussels_date(outcome_at) {
        return Err(HandoffError::BeforeOutcome);
    }
    let inserted = sqlx::query_scalar!(
        r#"INSERT INTO kbi_handoffs (participant_id, outcome, outcome_at, passed_on, passed_by)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT ON CONSTRAINT kbi_handoffs_outcome_key DO NOTHING
           RETURNING id"#,
        participant.0,
        row.status as ParticipantStatus,
        outcome_at,
        passed_on,
        actor.0,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = inserted else {
        return Err(HandoffError::AlreadyPassed);
    };
    AuditEntry {
        actor: Some(actor),
        action: "doorgegeven aan KBI",
        entity: "kbi_handoff",
        entity_id: id,
        participant: Some(participant),
    }
    .record::<(), _>(
        conn,
        None,
        Some(&HandoffAudit {
            resultaat: outcome_label(row.status),
            doorgegeven_op: crate::values::dates::iso_date(passed_on),
        }),
    )
    .await?;
    Ok(Some(()))
}
