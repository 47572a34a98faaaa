//! Certificates: who is ready for one, issuing (numbered per region and year, gapless), the
//! snapshot a certificate keeps, revoking, and the public verification by code.
//!
//! Races are settled in the database. Issuing locks the participant's row (so two coordinators
//! cannot give one person two certificates; the partial unique index
//! `certificates_one_valid_per_participant` backs this up) and takes the next number from the
//! region's counter row with `INSERT … ON CONFLICT DO UPDATE … RETURNING` in the same
//! transaction: a second issuer waits for the first to commit or roll back, so numbers are
//! unique and without gaps.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use sqlx::types::Json;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::audit::AuditEntry;
use super::participant::ParticipantStatus;
use crate::values::duration::format_minutes;
use crate::values::ids::{MunicipalityId, ParticipantId, RegionId, UserId};

/// Requests per client address per minute on the public verification page.
pub const VERIFY_REQUESTS_PER_MINUTE: i32 = 30;

/// Ready-list rows shown at most; the filters narrow a longer list.
pub const READY_LIST_LIMIT: i64 = 500;

pub use crate::values::ids::CertificateId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "certificate_status", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum CertificateStatus {
    Geldig,
    Ingetrokken,
}

impl CertificateStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Geldig => "geldig",
            Self::Ingetrokken => "ingetrokken",
        }
    }

    pub fn label(self) -> &'static str {
        self.code()
    }

    pub fn is_valid(self) -> bool {
        self == Self::Geldig
    }
}

/// `BRG-2026-0042`: the region's code, the year of issue and the sequence within that year.
pub fn format_number(region_code: &str, year: i32, sequence: i32) -> String {
    format!("{region_code}-{year}-{sequence:04}")
}

/// Crockford's base32: no I, L, O or U, so a code read aloud or typed is hard to get wrong.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The key to a certificate's public verification page: 15 characters of Crockford base32,
/// 75 random bits. Printed as `7K3MQ-9XD2H-FAPZ4` and in the QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct VerifyCode(String);

impl VerifyCode {
    pub const LEN: usize = 15;

    pub fn generate() -> Self {
        let mut bytes = [0u8; Self::LEN];
        rand::rng().fill_bytes(&mut bytes);
        // 5 bits of each random byte: uniform over the 32 symbols.
        Self(
            bytes
                .iter()
                .map(|b| char::from(CROCKFORD[usize::from(b & 0x1f)]))
                .collect(),
        )
    }

    /// Reads a code as people type it: any case, with or without dashes and spaces; `O` is
    /// read as `0` and `I`/`L` as `1`, as Crockford's alphabet intends.
    pub fn parse(input: &str) -> Option<Self> {
        let mut code = String::with_capacity(Self::LEN);
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !CROCKFORD.contains(&(c as u8)) {
                return None;
            }
            code.push(c);
        }
        (code.len() == Self::LEN).then_some(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In groups of five, for people to read and type.
    pub fn grouped(&self) -> String {
        group_code(&self.0)
    }
}

/// `ABCDEFGHJKMNPQR` → `ABCDE-FGHJK-MNPQR`.
pub fn group_code(code: &str) -> String {
    code.as_bytes()
        .chunks(5)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Confirmed minutes in one form of placement, as stored in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindMinutes {
    pub kind: String,
    pub minutes: i32,
}

impl KindMinutes {
    pub fn label(&self) -> &'static str {
        kind_label(&self.kind)
    }

    pub fn hours(&self) -> String {
        format_minutes(i64::from(self.minutes))
    }
}

/// The Dutch name of a form of placement (`placement_kind`), as printed.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "buddy" => "Buddywerking",
        "stage" => "Stage",
        "vrijwilligerswerk" => "Vrijwilligerswerk",
        "taalstage" => "Taalstage",
        _ => "Andere",
    }
}

// ---------------------------------------------------------------------------------------------
// Ready for a certificate

/// Filters of the ready list; `None` means all.
#[derive(Debug, Default, Clone)]
pub struct ReadyFilter {
    pub municipality: Option<MunicipalityId>,
    pub coach: Option<UserId>,
}

#[derive(Debug, Clone)]
pub struct ReadyRow {
    pub id: ParticipantId,
    pub full_name: String,
    pub municipality: String,
    pub coach_name: Option<String>,
    pub confirmed_minutes: i32,
    pub required_minutes: i32,
}

/// Active participants of the region whose confirmed minutes reach the requirement and who hold
/// no valid certificate, by name. Served by `participants_region_status_idx`.
pub async fn ready(
    conn: &mut PgConnection,
    region: RegionId,
    filter: &ReadyFilter,
) -> Result<Vec<ReadyRow>, sqlx::Error> {
    sqlx::query_as!(
        ReadyRow,
        r#"SELECT p.id AS "id: ParticipantId", p.full_name, m.name AS municipality,
                  u.name AS "coach_name?", p.confirmed_minutes, r.required_minutes
           FROM participants p
           JOIN regions r ON r.id = p.region_id
           JOIN municipalities m ON m.id = p.municipality_id
           LEFT JOIN users u ON u.id = p.coach_id
           WHERE p.region_id = $1
             AND p.status = 'actief'
             AND p.confirmed_minutes >= r.required_minutes
             AND NOT EXISTS (SELECT 1 FROM certificates c
                             WHERE c.participant_id = p.id AND c.status = 'geldig')
             AND ($2::uuid IS NULL OR p.municipality_id = $2)
             AND ($3::uuid IS NULL OR p.coach_id = $3)
           ORDER BY p.search_name, p.id
           LIMIT $4"#,
        region.0,
        filter.municipality.map(|m| m.0),
        filter.coach.map(|c| c.0),
        READY_LIST_LIMIT,
    )
    .fetch_all(conn)
    .await
}

// ---------------------------------------------------------------------------------------------
// Issuing

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
        "Het traject van {name} is {status}: alleen een actief traject krijgt een certificaat."
    )]
    NotActive { name: String, status: &'static str },
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

/// What the audit log keeps of a certificate.
#[derive(Serialize)]
struct CertificateAudit<'a> {
    number: &'a str,
    status: CertificateStatus,
    full_name: &'a str,
    issued_on: Date,
    total_minutes: i32,
    minutes_by_kind: &'a [KindMinutes],
    organisations: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    revoke_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct ParticipantStatusAudit<'a> {
    status: ParticipantStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate: Option<&'a str>,
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
            status: candidate.status.label(),
        });
    }

    // The snapshot: confirmed minutes per form (in the enum's order) and the organisations.
    let minutes_by_kind: Vec<KindMinutes> = sqlx::query_as!(
        KindMinutes,
        r#"SELECT pl.kind::text AS "kind!", sum(e.minutes)::integer AS "minutes!"
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

// ---------------------------------------------------------------------------------------------
// Reading certificates

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

/// The participant's certificates, newest first (for the participant page).
pub async fn for_participant(
    conn: &mut PgConnection,
    participant: ParticipantId,
) -> Result<Vec<CertificateRow>, sqlx::Error> {
    sqlx::query_as!(
        CertificateRow,
        r#"SELECT id AS "id: CertificateId", participant_id AS "participant_id: ParticipantId",
                  number, full_name, municipality_name, issued_on, total_minutes,
                  status AS "status: CertificateStatus"
           FROM certificates
           WHERE participant_id = $1
           ORDER BY issued_at DESC, id DESC"#,
        participant.0
    )
    .fetch_all(conn)
    .await
}

// ---------------------------------------------------------------------------------------------
// Revoking

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
        let reason = input.trim();
        if reason.is_empty() {
            Err(ReasonError::Missing)
        } else if reason.chars().count() > 500 {
            Err(ReasonError::TooLong)
        } else {
            Ok(Self(reason.to_string()))
        }
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

// ---------------------------------------------------------------------------------------------
// Public verification

/// What the public verification page shows: what the paper shows, nothing more.
#[derive(Debug, Clone)]
pub struct Verified {
    pub number: String,
    pub full_name: String,
    pub issued_on: Date,
    pub total_minutes: i32,
    pub status: CertificateStatus,
}

pub async fn find_by_code(
    conn: &mut PgConnection,
    code: &VerifyCode,
) -> Result<Option<Verified>, sqlx::Error> {
    sqlx::query_as!(
        Verified,
        r#"SELECT number, full_name, issued_on, total_minutes,
                  status AS "status: CertificateStatus"
           FROM certificates WHERE verify_code = $1"#,
        code.as_str()
    )
    .fetch_optional(conn)
    .await
}

/// Counts a request to the verification page for `client_addr` in the current minute and
/// returns how many this address made in it. Shared by all instances through the table; the
/// first request of a minute also clears windows older than ten minutes.
pub async fn count_verify_request(
    conn: &mut PgConnection,
    client_addr: &str,
) -> Result<i32, sqlx::Error> {
    let count = sqlx::query_scalar!(
        r#"INSERT INTO verify_requests (client_addr, window_start, count)
           VALUES ($1, date_trunc('minute', now()), 1)
           ON CONFLICT (client_addr, window_start)
           DO UPDATE SET count = verify_requests.count + 1
           RETURNING count"#,
        client_addr
    )
    .fetch_one(&mut *conn)
    .await?;
    if count == 1 {
        sqlx::query!(
            "DELETE FROM verify_requests WHERE window_start < now() - interval '10 minutes'"
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(count)
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

    #[test]
    fn codes_are_fifteen_crockford_characters_and_differ() {
        let a = VerifyCode::generate();
        let b = VerifyCode::generate();
        assert_eq!(a.as_str().len(), VerifyCode::LEN);
        assert!(a.as_str().bytes().all(|c| CROCKFORD.contains(&c)));
        assert_ne!(a, b);
        assert_eq!(a.grouped().len(), 17);
        assert_eq!(VerifyCode::parse(&a.grouped()), Some(a));
    }

    #[test]
    fn codes_are_read_as_people_type_them() {
        let code = VerifyCode::parse("7k3mq-9xd2h-fapz4").expect("lower case with dashes");
        assert_eq!(code.as_str(), "7K3MQ9XD2HFAPZ4");
        assert_eq!(code.grouped(), "7K3MQ-9XD2H-FAPZ4");
        assert_eq!(
            VerifyCode::parse("OIL00 00000 00000").map(|c| c.0),
            Some("011000000000000".into())
        );
        assert_eq!(VerifyCode::parse("7K3MQ9XD2HFAPZ"), None, "too short");
        assert_eq!(
            VerifyCode::parse("7K3MQ9XD2HFAPZ4U"),
            None,
            "U is not in the alphabet"
        );
        assert_eq!(VerifyCode::parse("7K3MQ9XD2HFAPZ4Z"), None, "too long");
        assert_eq!(VerifyCode::parse("7K3MQ9XD2HFAPZé"), None);
        assert_eq!(VerifyCode::parse(""), None);
    }

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
