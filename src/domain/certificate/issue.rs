//! Issuing: the checks under the participant's row lock, the next gapless number from the
//! region's counter row, the snapshot and the audit rows.

use sqlx::PgConnection;
use sqlx::types::Json;
use time::Date;
use uuid::Uuid;

use super::verify::VerifyCode;
use super::{
    CertificateAudit, CertificateId, CertificateStatus, KindMinutes, ParticipantStatusAudit,
};
use crate::domain::audit::AuditEntry;
use crate::domain::participant::ParticipantStatus;
use crate::values::duration::format_minutes;
use crate::values::ids::{ParticipantId, RegionId, UserId};
use crate::values::kinds::PlacementKind;

/// `BRG-2026-0042`: the region's code, the year of issue and the sequence within that year.
pub fn format_number(region_code: &str, year: i32, sequence: i32) -> String {
    format!("{region_code}-{year}-{sequence:04}")
}

/// Why a participant gets no certificate. The messages name the participant, because a batch
/// reports one line per refusal.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("Deze inburgeraar werd niet gevonden in uw regio.")]
    NotFound,
    #[error(
        "{name} heeft pas {confirmed} bevestigde uren van de {required} die nodig zijn: nog geen certificaat."
    )]
    BelowRequirement {
        name: String,
        confirmed: String,
        required: String,
    },
    #[error(
        "{name} heeft al een geldig certificaat ({number}). Trek dat eerst in om een nieuw uit te reiken."
    )]
    AlreadyCertified { name: String, number: String },
    #[error(
        "Het traject van {name} is {}: alleen een actief traject krijgt een certificaat.",
        status.label().to_lowercase()
    )]
    NotActive {
        name: String,
        status: ParticipantStatus,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A certificate just issued.
#[derive(Debug, Clone)]
pub struct Issued {
    pub id: CertificateId,
    pub number: String,
    pub full_name: String,
}

/// The participant as issuing needs them, read under the row lock.
struct Candidate {
    id: ParticipantId,
    full_name: String,
    status: ParticipantStatus,
    municipality: String,
    region_code: String,
    region_name: String,
    required_minutes: i32,
}

/// Issues certificates to `participants`, numbered in the order given, all in the caller's
/// transaction. Each participant gets a certificate or a refusal; a database error aborts all.
///
/// The participants' rows are locked first, in id order, so two coordinators issuing
/// overlapping selections in different orders wait for each other instead of deadlocking.
pub async fn issue_many(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    participants: &[ParticipantId],
    today: Date,
) -> Result<Vec<Result<Issued, IssueError>>, sqlx::Error> {
    let mut ids: Vec<Uuid> = participants.iter().map(|p| p.0).collect();
    ids.sort();
    ids.dedup();
    sqlx::query!(
        "SELECT id FROM participants WHERE id = ANY($1) AND region_id = $2 ORDER BY id FOR UPDATE",
        &ids,
        region.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut outcomes = Vec::with_capacity(participants.len());
    for &participant in participants {
        match issue(conn, actor, region, participant, today).await {
            Err(IssueError::Database(error)) => return Err(error),
            outcome => outcomes.push(outcome),
        }
    }
    Ok(outcomes)
}

/// Issues one certificate, in the caller's transaction, with its audit rows.
pub async fn issue(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    participant: ParticipantId,
    today: Date,
) -> Result<Issued, IssueError> {
    let candidate = sqlx::query_as!(
        Candidate,
        r#"SELECT p.id AS "id: ParticipantId", p.full_name,
                  p.status AS "status: ParticipantStatus", m.name AS municipality,
                  r.code AS region_code, r.name AS region_name, r.required_minutes
           FROM participants p
           JOIN regions r ON r.id = p.region_id
           JOIN municipalities m ON m.id = p.municipality_id
           WHERE p.id = $1 AND p.region_id = $2
           FOR UPDATE OF p"#,
        participant.0,
        region.0
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(IssueError::NotFound)?;

    if let Some(number) = sqlx::query_scalar!(
        "SELECT number FROM certificates WHERE participant_id = $1 AND status = 'geldig'",
        candidate.id.0
    )
    .fetch_optional(&mut *conn)
    .await?
    {
        return Err(IssueError::AlreadyCertified {
            name: candidate.full_name,
            number,
        });
    }
    if candidate.status != ParticipantStatus::Actief {
        return Err(IssueError::NotActive {
            name: candidate.full_name,
            status: candidate.status,
        });
    }

    // The snapshot: confirmed minutes per form (in the enum's order) and the organisations.
    let minutes_by_kind: Vec<KindMinutes> = sqlx::query_as!(
        KindMinutes,
        r#"SELECT pl.kind AS "kind: PlacementKind", sum(e.minutes)::integer AS "minutes!"
           FROM hour_entries e
           JOIN placements pl ON pl.id = e.placement_id
           WHERE e.participant_id = $1 AND e.status = 'bevestigd'
           GROUP BY pl.kind
           ORDER BY pl.kind"#,
        candidate.id.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let total_minutes: i32 = minutes_by_kind.iter().map(|k| k.minutes).sum();
    if total_minutes < candidate.required_minutes {
        return Err(IssueError::BelowRequirement {
            name: candidate.full_name,
            confirmed: format_minutes(i64::from(total_minutes)),
            required: format_minutes(i64::from(candidate.required_minutes)),
        });
    }
    let organisations: Vec<String> = sqlx::query_scalar!(
        r#"SELECT o.name
           FROM hour_entries e
           JOIN organisations o ON o.id = e.organisation_id
           WHERE e.participant_id = $1 AND e.status = 'bevestigd'
           GROUP BY o.id, o.name
           ORDER BY sum(e.minutes) DESC, o.name"#,
        candidate.id.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let issuer_name = sqlx::query_scalar!("SELECT name FROM users WHERE id = $1", actor.0)
        .fetch_one(&mut *conn)
        .await?;

    // The next number: waits here while another transaction holds the counter row.
    let year = today.year();
    let sequence = sqlx::query_scalar!(
        r#"INSERT INTO certificate_counters (region_id, year, last_number) VALUES ($1, $2, 1)
           ON CONFLICT (region_id, year)
           DO UPDATE SET last_number = certificate_counters.last_number + 1
           RETURNING last_number"#,
        region.0,
        year
    )
    .fetch_one(&mut *conn)
    .await?;
    let number = format_number(&candidate.region_code, year, sequence);

    // 75 random bits: a collision is practically impossible, but costs only a retry.
    let mut inserted = None;
    for _ in 0..5 {
        let code = VerifyCode::generate();
        inserted = sqlx::query_scalar!(
            r#"INSERT INTO certificates (region_id, participant_id, number, year, sequence,
                   verify_code, issued_on, issued_by, issuer_name, full_name, region_name,
                   municipality_name, total_minutes, required_minutes, minutes_by_kind,
                   organisations)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
               ON CONFLICT (verify_code) DO NOTHING
               RETURNING id AS "id: CertificateId""#,
            region.0,
            candidate.id.0,
            number,
            year,
            sequence,
            code.as_str(),
            today,
            actor.0,
            issuer_name,
            candidate.full_name,
            candidate.region_name,
            candidate.municipality,
            total_minutes,
            candidate.required_minutes,
            Json(&minutes_by_kind) as _,
            Json(&organisations) as _,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if inserted.is_some() {
            break;
        }
    }
    let id = inserted.ok_or(IssueError::Database(sqlx::Error::Protocol(
        "no unused verification code after five tries".into(),
    )))?;

    sqlx::query!(
        "UPDATE participants SET status = 'afgerond', status_reason = NULL, status_note = '',
             updated_at = now() WHERE id = $1",
        candidate.id.0
    )
    .execute(&mut *conn)
    .await?;

    AuditEntry {
        actor: Some(actor),
        action: "uitgereikt",
        entity: "certificate",
        entity_id: id.0,
        participant: Some(candidate.id),
    }
    .record(
        conn,
        None::<&()>,
        Some(&CertificateAudit {
            number: &number,
            status: CertificateStatus::Geldig,
            full_name: &candidate.full_name,
            issued_on: today,
            total_minutes,
            minutes_by_kind: &minutes_by_kind,
            organisations: &organisations,
            revoke_reason: None,
        }),
    )
    .await?;
    AuditEntry {
        actor: Some(actor),
        action: "afgerond",
        entity: "participant",
        entity_id: candidate.id.0,
        participant: Some(candidate.id),
    }
    .record(
        conn,
        Some(&ParticipantStatusAudit {
            status: candidate.status,
            certificate: None,
        }),
        Some(&ParticipantStatusAudit {
            status: ParticipantStatus::Afgerond,
            certificate: Some(&number),
        }),
    )
    .await?;

    Ok(Issued {
        id,
        number,
        full_name: candidate.full_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_four_digits_at_least() {
        assert_eq!(format_number("BRG", 2026, 42), "BRG-2026-0042");
        assert_eq!(format_number("TST", 2026, 1), "TST-2026-0001");
        assert_eq!(format_number("TST", 2026, 12345), "TST-2026-12345");
    }
}
