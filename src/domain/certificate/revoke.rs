//! Revoking a certificate: the record and its number stay, the participant is active again.

use sqlx::PgConnection;

use super::read::{Certificate, get};
use super::{CertificateAudit, CertificateId, CertificateStatus, ParticipantStatusAudit};
use crate::domain::audit::AuditEntry;
use crate::domain::confirmation::parse_reason;
use crate::domain::participant::ParticipantStatus;
use crate::values::ids::{ParticipantId, RegionId, UserId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("Schrijf waarom dit certificaat ingetrokken wordt.")]
    Missing,
    #[error("Houd de reden korter dan 500 tekens.")]
    TooLong,
}

/// Why a certificate is revoked: required, kept with the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokeReason(String);

impl RevokeReason {
    pub fn parse(input: &str) -> Result<Self, ReasonError> {
        parse_reason(input, ReasonError::Missing, ReasonError::TooLong).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    #[error("Dit certificaat werd niet gevonden in uw regio.")]
    NotFound,
    #[error("Dit certificaat was al ingetrokken.")]
    AlreadyRevoked,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Revokes a valid certificate; the record and its number stay. The participant becomes
/// `actief` again, so a new certificate (with a new number) can follow. In the caller's
/// transaction, with audit rows for the certificate and the participant.
pub async fn revoke(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: CertificateId,
    reason: &RevokeReason,
) -> Result<Certificate, RevokeError> {
    let participant = sqlx::query_scalar!(
        r#"SELECT participant_id AS "participant_id: ParticipantId"
           FROM certificates WHERE id = $1 AND region_id = $2"#,
        id.0,
        region.0
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(RevokeError::NotFound)?;
    // Same lock order as issuing: the participant first, then the certificate.
    let participant_status = sqlx::query_scalar!(
        r#"SELECT status AS "status: ParticipantStatus" FROM participants WHERE id = $1 FOR UPDATE"#,
        participant.0
    )
    .fetch_one(&mut *conn)
    .await?;
    let status = sqlx::query_scalar!(
        r#"SELECT status AS "status: CertificateStatus" FROM certificates WHERE id = $1 FOR UPDATE"#,
        id.0
    )
    .fetch_one(&mut *conn)
    .await?;
    if status != CertificateStatus::Geldig {
        return Err(RevokeError::AlreadyRevoked);
    }
    sqlx::query!(
        "UPDATE certificates SET status = 'ingetrokken', revoked_at = now(), revoked_by = $2,
             revoke_reason = $3 WHERE id = $1",
        id.0,
        actor.0,
        reason.as_str()
    )
    .execute(&mut *conn)
    .await?;
    let certificate = get(conn, region, id).await?.ok_or(RevokeError::NotFound)?;
    let audit_view = |status, revoke_reason| CertificateAudit {
        number: &certificate.number,
        status,
        full_name: &certificate.full_name,
        issued_on: certificate.issued_on,
        total_minutes: certificate.total_minutes,
        minutes_by_kind: certificate.kinds(),
        organisations: certificate.organisation_names(),
        revoke_reason,
    };
    AuditEntry {
        actor: Some(actor),
        action: "ingetrokken",
        entity: "certificate",
        entity_id: id.0,
        participant: Some(participant),
    }
    .record(
        conn,
        Some(&audit_view(CertificateStatus::Geldig, None)),
        Some(&audit_view(
            CertificateStatus::Ingetrokken,
            Some(reason.as_str()),
        )),
    )
    .await?;
    if participant_status == ParticipantStatus::Afgerond {
        sqlx::query!(
            "UPDATE participants SET status = 'actief', updated_at = now() WHERE id = $1",
            participant.0
        )
        .execute(&mut *conn)
        .await?;
        AuditEntry {
            actor: Some(actor),
            action: "heropend na intrekking certificaat",
            entity: "participant",
            entity_id: participant.0,
            participant: Some(participant),
        }
        .record(
            conn,
            Some(&ParticipantStatusAudit {
                status: ParticipantStatus::Afgerond,
                certificate: Some(&certificate.number),
            }),
            Some(&ParticipantStatusAudit {
                status: ParticipantStatus::Actief,
                certificate: None,
            }),
        )
        .await?;
    }
    Ok(certificate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoke_reason_is_required() {
        assert_eq!(RevokeReason::parse("  "), Err(ReasonError::Missing));
        assert_eq!(
            RevokeReason::parse(&"x".repeat(501)),
            Err(ReasonError::TooLong)
        );
        assert_eq!(
            RevokeReason::parse(" Uren onterecht bevestigd ").map(|r| r.0),
            Ok("Uren onterecht bevestigd".into())
        );
    }
}
