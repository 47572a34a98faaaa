//! Personal links: made for a placement's contact person, one live link per contact and
//! placement, looked up by token (only its hash is kept), opened under a name, listed and
//! revoked by staff.

use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::audit::AuditEntry;
use crate::values::ids::{ParticipantId, PlacementId, RegionId, UserId};
use crate::values::kinds::PlacementKind;

/// How long a personal link works unless said otherwise.
pub const LINK_VALID_DAYS: i64 = 14;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("Vul uw naam in: die komt bij uw bevestiging in het dossier.")]
    Missing,
}

/// The name someone typed before confirming through a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ConfirmerName(String);

impl ConfirmerName {
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let name = input.trim();
        if name.is_empty() {
            Err(NameError::Missing)
        } else {
            Ok(Self(name.chars().take(200).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A freshly made link: the token exists only here and in the mail; the database keeps its hash.
pub struct NewLink {
    pub id: Uuid,
    pub token: String,
    pub contact_name: String,
    pub contact_email: String,
}

/// SHA-256 of a token: what the database keeps of personal links (partners' and inburgeraars')
/// and password reset links.
pub(crate) fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// 256 random bits as 64 hex digits.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("Deze plaatsing heeft geen contactpersoon met een e-mailadres. Vul dat eerst aan.")]
    NoContactEmail,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Makes a personal link for the placement's contact person (staff of its region only).
pub async fn create_link(
    conn: &mut PgConnection,
    actor: Option<UserId>,
    region: Option<RegionId>,
    placement: PlacementId,
) -> Result<Option<NewLink>, LinkError> {
    let Some(contact) = sqlx::query!(
        r#"SELECT coalesce(nullif(u.name, ''), pl.contact_name) AS "name!",
                  coalesce(nullif(u.email, ''), pl.contact_email) AS "email!",
                  p.id AS "participant_id: ParticipantId"
           FROM placements pl
           JOIN participants p ON p.id = pl.participant_id
           LEFT JOIN users u ON u.id = pl.contact_user_id
           WHERE pl.id = $1 AND ($2::uuid IS NULL OR p.region_id = $2)"#,
        placement.0,
        region.map(|r| r.0),
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    if contact.email.trim().is_empty() {
        return Err(LinkError::NoContactEmail);
    }
    replace_live_links(
        &mut *conn,
        actor,
        placement,
        &contact.email,
        contact.participant_id,
    )
    .await?;
    let token = new_token();
    let id = sqlx::query_scalar!(
        r#"INSERT INTO confirmation_links (placement_id, token_hash, contact_name, contact_email,
               created_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6))
           RETURNING id"#,
        placement.0,
        hash_token(&token),
        contact.name,
        contact.email,
        actor.map(|a| a.0),
        LINK_VALID_DAYS as i32,
    )
    .fetch_one(&mut *conn)
    .await?;
    AuditEntry {
        actor,
        action: "link aangemaakt",
        entity: "confirmation_link",
        entity_id: id,
        participant: Some(contact.participant_id),
    }
    .record::<(), _>(
        conn,
        None,
        Some(&serde_json::json!({
            "placement_id": placement,
            "contact_email": contact.email,
            "valid_days": LINK_VALID_DAYS,
        })),
    )
    .await?;
    Ok(Some(NewLink {
        id,
        token,
        contact_name: contact.name,
        contact_email: contact.email,
    }))
}

/// Revokes the contact's live links for the placement before a new one is made, so exactly one
/// works: only a hash of a sent link is kept, so a reminder cannot send the same link again.
/// A mail still waiting with a revoked link is withdrawn (the new mail replaces it), so the
/// contact never gets a link that no longer works; one already with SMTP is left alone.
async fn replace_live_links(
    conn: &mut PgConnection,
    actor: Option<UserId>,
    placement: PlacementId,
    email: &str,
    participant: ParticipantId,
) -> Result<(), sqlx::Error> {
    let replaced = sqlx::query!(
        r#"WITH old AS (
               UPDATE confirmation_links SET revoked_at = now(), revoked_by = $3
               WHERE placement_id = $1 AND lower(contact_email) = lower($2)
                 AND revoked_at IS NULL AND expires_at > now()
               RETURNING id, token_hash
           ), withdrawn AS (
               DELETE FROM outbox o USING old
               WHERE o.sent_at IS NULL AND o.secret IS NOT NULL
                 AND sha256(convert_to(o.secret, 'UTF8')) = old.token_hash
               RETURNING old.id
           )
           SELECT old.id AS "id!",
                  EXISTS (SELECT 1 FROM withdrawn w WHERE w.id = old.id) AS "mail_withdrawn!"
           FROM old"#,
        placement.0,
        email,
        actor.map(|a| a.0),
    )
    .fetch_all(&mut *conn)
    .await?;
    for link in replaced {
        AuditEntry {
            actor,
            action: "link vervangen",
            entity: "confirmation_link",
            entity_id: link.id,
            participant: Some(participant),
        }
        .record::<(), _>(
            &mut *conn,
            None,
            Some(&serde_json::json!({ "mail_withdrawn": link.mail_withdrawn })),
        )
        .await?;
    }
    Ok(())
}

/// A link that may be used now.
#[derive(Debug, Clone)]
pub struct ValidLink {
    pub id: Uuid,
    pub placement_id: PlacementId,
    pub contact_name: String,
    pub organisation: String,
    pub participant_name: String,
    pub kind: PlacementKind,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug)]
pub enum LinkLookup {
    Valid(ValidLink),
    Expired,
    Revoked,
    Unknown,
}

pub async fn find_link(conn: &mut PgConnection, token: &str) -> Result<LinkLookup, sqlx::Error> {
    let Some(row) = sqlx::query!(
        r#"SELECT l.id, l.placement_id AS "placement_id: PlacementId", l.contact_name, l.expires_at,
                  l.revoked_at, o.name AS organisation, p.full_name AS participant_name,
                  pl.kind AS "kind: PlacementKind"
           FROM confirmation_links l
           JOIN placements pl ON pl.id = l.placement_id
           JOIN organisations o ON o.id = pl.organisation_id
           JOIN participants p ON p.id = pl.participant_id
           WHERE l.token_hash = $1"#,
        hash_token(token),
    )
    .fetch_optional(conn)
    .await?
    else {
        return Ok(LinkLookup::Unknown);
    };
    if row.revoked_at.is_some() {
        return Ok(LinkLookup::Revoked);
    }
    if row.expires_at <= OffsetDateTime::now_utc() {
        return Ok(LinkLookup::Expired);
    }
    Ok(LinkLookup::Valid(ValidLink {
        id: row.id,
        placement_id: row.placement_id,
        contact_name: row.contact_name,
        organisation: row.organisation,
        participant_name: row.participant_name,
        kind: row.kind,
        expires_at: row.expires_at,
    }))
}

/// Records that someone opened the link under a name (the decisions are audited one by one).
pub async fn record_opened(
    conn: &mut PgConnection,
    link: &ValidLink,
    name: &ConfirmerName,
    client_addr: &str,
) -> Result<(), sqlx::Error> {
    let participant = sqlx::query_scalar!(
        r#"SELECT participant_id AS "id: ParticipantId" FROM placements WHERE id = $1"#,
        link.placement_id.0
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE confirmation_links SET last_used_at = now() WHERE id = $1",
        link.id
    )
    .execute(&mut *conn)
    .await?;
    AuditEntry {
        actor: None,
        action: "link gebruikt",
        entity: "confirmation_link",
        entity_id: link.id,
        participant: Some(participant),
    }
    .record::<(), _>(
        conn,
        None,
        Some(&serde_json::json!({
            "link_id": link.id,
            "confirmer_name": name.as_str(),
            "client_addr": client_addr,
        })),
    )
    .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Open,
    Used,
    Expired,
    Revoked,
}

impl LinkState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Used => "gebruikt",
            Self::Expired => "verlopen",
            Self::Revoked => "ingetrokken",
        }
    }
}

#[derive(Debug, Clone)]
pub struct LinkRow {
    pub id: Uuid,
    pub contact_name: String,
    pub contact_email: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
}

impl LinkRow {
    pub fn state(&self, now: OffsetDateTime) -> LinkState {
        if self.revoked_at.is_some() {
            LinkState::Revoked
        } else if self.expires_at <= now {
            LinkState::Expired
        } else if self.last_used_at.is_some() {
            LinkState::Used
        } else {
            LinkState::Open
        }
    }
}

pub async fn links_for_placement(
    conn: &mut PgConnection,
    placement: PlacementId,
) -> Result<Vec<LinkRow>, sqlx::Error> {
    sqlx::query_as!(
        LinkRow,
        "SELECT id, contact_name, contact_email, created_at, expires_at, revoked_at, last_used_at
         FROM confirmation_links WHERE placement_id = $1 ORDER BY created_at DESC",
        placement.0
    )
    .fetch_all(conn)
    .await
}

/// Revokes a link of the staff member's region; returns its placement, or `None` if not theirs.
pub async fn revoke_link(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    link: Uuid,
) -> Result<Option<PlacementId>, sqlx::Error> {
    let Some(row) = sqlx::query!(
        r#"UPDATE confirmation_links l SET revoked_at = coalesce(l.revoked_at, now()), revoked_by = $3
           FROM placements pl JOIN participants p ON p.id = pl.participant_id
           WHERE l.id = $1 AND pl.id = l.placement_id AND p.region_id = $2
           RETURNING l.placement_id AS "placement_id: PlacementId", p.id AS "participant_id: ParticipantId""#,
        link,
        region.0,
        actor.0,
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    AuditEntry {
        actor: Some(actor),
        action: "link ingetrokken",
        entity: "confirmation_link",
        entity_id: link,
        participant: Some(row.participant_id),
    }
    .record::<(), ()>(conn, None, None)
    .await?;
    Ok(Some(row.placement_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(hash_token(&a).len(), 32);
        assert_ne!(hash_token(&a), a.as_bytes());
    }

    #[test]
    fn link_states() {
        let now = OffsetDateTime::now_utc();
        let row = LinkRow {
            id: Uuid::nil(),
            contact_name: String::new(),
            contact_email: String::new(),
            created_at: now,
            expires_at: now + time::Duration::days(1),
            revoked_at: None,
            last_used_at: None,
        };
        assert_eq!(row.state(now), LinkState::Open);
        assert_eq!(
            LinkRow {
                last_used_at: Some(now),
                ..row.clone()
            }
            .state(now),
            LinkState::Used
        );
        assert_eq!(row.state(now + time::Duration::days(2)), LinkState::Expired);
        assert_eq!(
            LinkRow {
                revoked_at: Some(now),
                ..row
            }
            .state(now),
            LinkState::Revoked
        );
    }
}
