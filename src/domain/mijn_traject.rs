//! Mijn traject: the inburgeraar's own page, opened with a personal link instead of an account.
//!
//! The link is a random token of which only the SHA-256 is stored (the helpers of the partners'
//! links in `confirmation`). It works until it is revoked; an inburgeraar has at most one working
//! link, so making a new one (a lost card) revokes the old one in the same transaction. Staff of
//! the participant's region make and revoke links, audited.
//!
//! What the page shows is chosen here, column by column: the inburgeraar's own name and totals,
//! their placements (organisation, form, where, when) and hours (date, duration, status) and
//! their valid certificate. Never the coach's notes, contact details, the descriptions the
//! partner or coach typed with the hours, or a rejection reason.

use sqlx::PgConnection;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::audit::AuditEntry;
use super::certificate::CertificateId;
use super::confirmation::{hash_token, new_token};
use crate::values::ids::{EntryId, ParticipantId, PlacementId, RegionId, UserId};
use crate::values::kinds::{EntryStatus, PlacementKind, PlacementStatus};

/// A link just made: its token exists only here, on the printed card and in the coach's session.
pub struct NewParticipantLink {
    pub id: Uuid,
    pub token: String,
}

/// Makes a new personal link for a participant of the staff member's region, revoking the one
/// that worked until now. `None` when the participant is not in the region.
pub async fn create_link(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    participant: ParticipantId,
) -> Result<Option<NewParticipantLink>, sqlx::Error> {
    // The participant's row lock serialises two coaches making a link at the same moment.
    let found = sqlx::query_scalar!(
        "SELECT id FROM participants WHERE id = $1 AND region_id = $2 FOR UPDATE",
        participant.0,
        region.0
    )
    .fetch_optional(&mut *conn)
    .await?;
    if found.is_none() {
        return Ok(None);
    }
    revoke_active(conn, actor, participant).await?;
    let token = new_token();
    let id = sqlx::query_scalar!(
        "INSERT INTO participant_links (participant_id, token_hash, created_by)
         VALUES ($1, $2, $3) RETURNING id",
        participant.0,
        hash_token(&token),
        actor.0,
    )
    .fetch_one(&mut *conn)
    .await?;
    AuditEntry {
        actor: Some(actor),
        action: "persoonlijke link aangemaakt",
        entity: "participant_link",
        entity_id: id,
        participant: Some(participant),
    }
    .record::<(), ()>(conn, None, None)
    .await?;
    Ok(Some(NewParticipantLink { id, token }))
}

/// Revokes the participant's working link. `None` when the participant is not in the region;
/// `Some(false)` when there was no working link.
pub async fn revoke_link(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    participant: ParticipantId,
) -> Result<Option<bool>, sqlx::Error> {
    let found = sqlx::query_scalar!(
        "SELECT id FROM participants WHERE id = $1 AND region_id = $2 FOR UPDATE",
        participant.0,
        region.0
    )
    .fetch_optional(&mut *conn)
    .await?;
    if found.is_none() {
        return Ok(None);
    }
    Ok(Some(revoke_active(conn, actor, participant).await?))
}

async fn revoke_active(
    conn: &mut PgConnection,
    actor: UserId,
    participant: ParticipantId,
) -> Result<bool, sqlx::Error> {
    let revoked = sqlx::query_scalar!(
        "UPDATE participant_links SET revoked_at = now(), revoked_by = $2
         WHERE participant_id = $1 AND revoked_at IS NULL
         RETURNING id",
        participant.0,
        actor.0,
    )
    .fetch_all(&mut *conn)
    .await?;
    for id in &revoked {
        AuditEntry {
            actor: Some(actor),
            action: "persoonlijke link ingetrokken",
            entity: "participant_link",
            entity_id: *id,
            participant: Some(participant),
        }
        .record::<(), ()>(conn, None, None)
        .await?;
    }
    Ok(!revoked.is_empty())
}

/// The working link as staff see it on the participant page (never its token); the page reads
/// it as JSON.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ActiveLink {
    pub id: Uuid,
    #[serde(deserialize_with = "time::serde::rfc3339::deserialize")]
    pub created_at: OffsetDateTime,
    pub created_by: Option<String>,
    #[serde(deserialize_with = "time::serde::rfc3339::option::deserialize")]
    pub last_used_at: Option<OffsetDateTime>,
    pub use_count: i32,
}

pub async fn active_link(
    conn: &mut PgConnection,
    participant: ParticipantId,
) -> Result<Option<ActiveLink>, sqlx::Error> {
    sqlx::query_as!(
        ActiveLink,
        r#"SELECT l.id, l.created_at, u.name AS "created_by?", l.last_used_at, l.use_count
           FROM participant_links l
           LEFT JOIN users u ON u.id = l.created_by
           WHERE l.participant_id = $1 AND l.revoked_at IS NULL"#,
        participant.0
    )
    .fetch_optional(conn)
    .await
}

/// Tokens are 64 hexadecimal characters; anything else cannot be one and needs no lookup.
pub fn plausible_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A working link, opened.
#[derive(Debug, Clone, Copy)]
pub struct OpenLink {
    pub id: Uuid,
    pub participant: ParticipantId,
    pub region: RegionId,
}

/// The working link of this token and its participant, counting the visit; `None` for an
/// unknown, tampered or revoked token.
pub async fn open(conn: &mut PgConnection, token: &str) -> Result<Option<OpenLink>, sqlx::Error> {
    if !plausible_token(token) {
        return Ok(None);
    }
    sqlx::query_as!(
        OpenLink,
        r#"UPDATE participant_links l SET last_used_at = now(), use_count = use_count + 1
           FROM participants p
           WHERE l.token_hash = $1 AND l.revoked_at IS NULL AND p.id = l.participant_id
           RETURNING l.id, l.participant_id AS "participant: ParticipantId",
                     p.region_id AS "region: RegionId""#,
        hash_token(&token.to_ascii_lowercase()),
    )
    .fetch_optional(conn)
    .await
}

/// Whether the token is a working link, without counting a visit: asked before an upload's
/// body is read, so a made-up address does not get megabytes read for nothing.
pub async fn is_working(conn: &mut PgConnection, token: &str) -> Result<bool, sqlx::Error> {
    if !plausible_token(token) {
        return Ok(false);
    }
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM participant_links
                          WHERE token_hash = $1 AND revoked_at IS NULL) AS "working!""#,
        hash_token(&token.to_ascii_lowercase()),
    )
    .fetch_one(conn)
    .await
}

/// Reports and uploads one link may make per hour: a week's sheet is a handful, and a lost
/// card in the wrong hands cannot flood the partner.
pub const REPORTS_PER_HOUR: i64 = 10;

/// How many hours reports and uploads went through the link in the last hour, counted from
/// the audit rows that name it.
pub async fn reports_in_last_hour(conn: &mut PgConnection, link: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM audit_log
           WHERE actor_link_id = $1 AND at > now() - interval '1 hour'"#,
        link
    )
    .fetch_one(conn)
    .await
}

/// The placement's entries still waiting for confirmation: what a photo of the signed sheet
/// the inburgeraar uploads supports.
pub async fn waiting_entries(
    conn: &mut PgConnection,
    placement: PlacementId,
) -> Result<Vec<EntryId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT id AS "id: EntryId" FROM hour_entries
           WHERE placement_id = $1 AND status = 'ingediend'"#,
        placement.0
    )
    .fetch_all(conn)
    .await
}

/// A placement the inburgeraar can report hours on: theirs, not cancelled, begun, their
/// trajectory active.
#[derive(Debug, Clone)]
pub struct ReportablePlacement {
    pub id: PlacementId,
    pub organisation: String,
    pub kind: PlacementKind,
    pub starts_on: Date,
    pub ends_on: Date,
}

pub async fn reportable_placements(
    conn: &mut PgConnection,
    participant: ParticipantId,
    today: Date,
) -> Result<Vec<ReportablePlacement>, sqlx::Error> {
    sqlx::query_as!(
        ReportablePlacement,
        r#"SELECT pl.id AS "id: PlacementId", o.name AS organisation,
                  pl.kind AS "kind: PlacementKind", pl.starts_on, pl.ends_on
           FROM placements pl
           JOIN organisations o ON o.id = pl.organisation_id
           JOIN participants p ON p.id = pl.participant_id
           WHERE pl.participant_id = $1 AND p.status = 'actief'
             AND pl.status <> 'geannuleerd' AND pl.starts_on <= $2
           ORDER BY pl.starts_on DESC, pl.id"#,
        participant.0,
        today,
    )
    .fetch_all(conn)
    .await
}

/// The inburgeraar's own totals.
#[derive(Debug, Clone)]
pub struct Own {
    pub id: ParticipantId,
    pub region_id: RegionId,
    pub full_name: String,
    pub confirmed_minutes: i32,
    pub pending_minutes: i32,
    pub required_minutes: i32,
}

/// A placement as the inburgeraar sees it.
#[derive(Debug, Clone)]
pub struct OwnPlacement {
    pub organisation: String,
    pub address: String,
    pub municipality: Option<String>,
    pub kind: PlacementKind,
    pub status: PlacementStatus,
    pub starts_on: Date,
    pub ends_on: Date,
    pub confirmed_minutes: i64,
    pub pending_minutes: i64,
}

/// One day of hours: no description, no rejection reason.
#[derive(Debug, Clone)]
pub struct OwnEntry {
    pub worked_on: Date,
    pub minutes: i32,
    pub status: EntryStatus,
    pub organisation: String,
}

#[derive(Debug, Clone)]
pub struct OwnCertificate {
    pub id: CertificateId,
    /// The region that issued it (certificates are read within their region).
    pub region_id: RegionId,
    pub number: String,
    pub issued_on: Date,
}

pub struct OwnPage {
    pub own: Own,
    pub placements: Vec<OwnPlacement>,
    pub entries: Vec<OwnEntry>,
    pub certificate: Option<OwnCertificate>,
}

/// Days of hours shown at most (a trajectory has a few dozen).
const ENTRY_LIMIT: i64 = 200;

pub async fn page(
    conn: &mut PgConnection,
    participant: ParticipantId,
) -> Result<Option<OwnPage>, sqlx::Error> {
    let Some(own) = sqlx::query_as!(
        Own,
        r#"SELECT p.id AS "id: ParticipantId", p.region_id AS "region_id: RegionId", p.full_name,
                  p.confirmed_minutes, p.pending_minutes, r.required_minutes
           FROM participants p JOIN regions r ON r.id = p.region_id
           WHERE p.id = $1"#,
        participant.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let placements = sqlx::query_as!(
        OwnPlacement,
        r#"SELECT o.name AS organisation, o.address, m.name AS "municipality?",
                  pl.kind AS "kind: PlacementKind", pl.status AS "status: PlacementStatus",
                  pl.starts_on, pl.ends_on,
                  coalesce(sum(e.minutes) FILTER (WHERE e.status = 'bevestigd'), 0)::int8 AS "confirmed_minutes!",
                  coalesce(sum(e.minutes) FILTER (WHERE e.status = 'ingediend'), 0)::int8 AS "pending_minutes!"
           FROM placements pl
           JOIN organisations o ON o.id = pl.organisation_id
           LEFT JOIN municipalities m ON m.id = o.municipality_id
           LEFT JOIN hour_entries e ON e.placement_id = pl.id
           WHERE pl.participant_id = $1
           GROUP BY pl.id, o.name, o.address, m.name
           ORDER BY pl.starts_on DESC, pl.id"#,
        participant.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let entries = sqlx::query_as!(
        OwnEntry,
        r#"SELECT e.worked_on, e.minutes, e.status AS "status: EntryStatus", o.name AS organisation
           FROM hour_entries e
           JOIN organisations o ON o.id = e.organisation_id
           WHERE e.participant_id = $1
           ORDER BY e.worked_on DESC, e.created_at DESC
           LIMIT $2"#,
        participant.0,
        ENTRY_LIMIT,
    )
    .fetch_all(&mut *conn)
    .await?;
    let certificate = valid_certificate(conn, participant).await?;
    Ok(Some(OwnPage {
        own,
        placements,
        entries,
        certificate,
    }))
}

/// The participant's valid certificate, if one was issued and not revoked.
pub async fn valid_certificate(
    conn: &mut PgConnection,
    participant: ParticipantId,
) -> Result<Option<OwnCertificate>, sqlx::Error> {
    sqlx::query_as!(
        OwnCertificate,
        r#"SELECT id AS "id: CertificateId", region_id AS "region_id: RegionId", number, issued_on
           FROM certificates
           WHERE participant_id = $1 AND status = 'geldig'
           ORDER BY issued_at DESC LIMIT 1"#,
        participant.0
    )
    .fetch_optional(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_64_hex_characters_can_be_a_token() {
        let token = new_token();
        assert!(plausible_token(&token));
        assert!(!plausible_token(&token[1..]));
        assert!(!plausible_token(&format!("{}g", &token[1..])));
        assert!(!plausible_token(""));
    }
}
