//! Reading certificates: one with its snapshot, the region's list, a participant's.

use sqlx::PgConnection;
use sqlx::types::Json;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::verify::group_code;
use super::{CertificateId, CertificateStatus, KindMinutes};
use crate::values::duration::format_minutes;
use crate::values::ids::{ParticipantId, RegionId};

/// A certificate with its snapshot, as the detail page, the print view and the PDF show it.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub id: CertificateId,
    pub participant_id: ParticipantId,
    pub number: String,
    pub verify_code: String,
    pub status: CertificateStatus,
    pub issued_on: Date,
    pub issued_at: OffsetDateTime,
    pub issuer_name: String,
    pub full_name: String,
    pub region_name: String,
    pub municipality_name: String,
    pub total_minutes: i32,
    pub required_minutes: i32,
    pub minutes_by_kind: Json<Vec<KindMinutes>>,
    pub organisations: Json<Vec<String>>,
    pub revoked_at: Option<OffsetDateTime>,
    pub revoked_by_name: Option<String>,
    pub revoke_reason: Option<String>,
}

impl Certificate {
    pub fn grouped_code(&self) -> String {
        group_code(&self.verify_code)
    }

    pub fn total_hours(&self) -> String {
        format_minutes(i64::from(self.total_minutes))
    }

    pub fn kinds(&self) -> &[KindMinutes] {
        &self.minutes_by_kind.0
    }

    pub fn organisation_names(&self) -> &[String] {
        &self.organisations.0
    }
}

pub async fn get(
    conn: &mut PgConnection,
    region: RegionId,
    id: CertificateId,
) -> Result<Option<Certificate>, sqlx::Error> {
    Ok(get_many(conn, region, &[id]).await?.pop())
}

/// The certificates of `region` among `ids`, in the order of `ids`; unknown ones are left out.
pub async fn get_many(
    conn: &mut PgConnection,
    region: RegionId,
    ids: &[CertificateId],
) -> Result<Vec<Certificate>, sqlx::Error> {
    let raw: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    let mut found = sqlx::query_as!(
        Certificate,
        r#"SELECT c.id AS "id: CertificateId", c.participant_id AS "participant_id: ParticipantId",
                  c.number, c.verify_code, c.status AS "status: CertificateStatus",
                  c.issued_on, c.issued_at, c.issuer_name, c.full_name, c.region_name,
                  c.municipality_name, c.total_minutes, c.required_minutes,
                  c.minutes_by_kind AS "minutes_by_kind: Json<Vec<KindMinutes>>",
                  c.organisations AS "organisations: Json<Vec<String>>",
                  c.revoked_at, u.name AS "revoked_by_name?", c.revoke_reason
           FROM certificates c
           LEFT JOIN users u ON u.id = c.revoked_by
           WHERE c.id = ANY($1) AND c.region_id = $2"#,
        &raw,
        region.0
    )
    .fetch_all(conn)
    .await?;
    let mut ordered = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(at) = found.iter().position(|c| c.id == *id) {
            ordered.push(found.swap_remove(at));
        }
    }
    Ok(ordered)
}

/// A line of the list of issued certificates.
#[derive(Debug, Clone)]
pub struct CertificateRow {
    pub id: CertificateId,
    pub participant_id: ParticipantId,
    pub number: String,
    pub full_name: String,
    pub municipality_name: String,
    pub issued_on: Date,
    pub total_minutes: i32,
    pub status: CertificateStatus,
}

/// The region's certificates, most recent first: by number, which follows the order of issue
/// (served by `certificates_sequence_key`, scanned backwards).
pub async fn list(
    conn: &mut PgConnection,
    region: RegionId,
    offset: i64,
    limit: i64,
) -> Result<Vec<CertificateRow>, sqlx::Error> {
    sqlx::query_as!(
        CertificateRow,
        r#"SELECT id AS "id: CertificateId", participant_id AS "participant_id: ParticipantId",
                  number, full_name, municipality_name, issued_on, total_minutes,
                  status AS "status: CertificateStatus"
           FROM certificates
           WHERE region_id = $1
           ORDER BY year DESC, sequence DESC
           OFFSET $2 LIMIT $3"#,
        region.0,
        offset,
        limit
    )
    .fetch_all(conn)
    .await
}

/// Certificates issued so far, revoked ones included (for `/metrics`).
pub async fn count_issued(pool: &sqlx::PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM certificates"#)
        .fetch_one(pool)
        .await
}
