//! Partners confirming or rejecting hours: with an account, or through a personal link.
//!
//! Every decision locks the entry, checks that it is still pending and still the version the
//! partner saw, and writes its audit row in the same transaction. Two people confirming the
//! same entry at once end with one confirmation and one audit row; an entry changed since it
//! was shown is refused.

use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::audit::AuditEntry;
use super::hours;
use crate::values::ids::{EntryId, OrganisationId, ParticipantId, PlacementId, RegionId, UserId};

/// How long a personal link works unless said otherwise.
pub const LINK_VALID_DAYS: i64 = 14;

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

#[derive(Debug, Clone)]
pub enum Decision {
    Confirm,
    Reject(RejectionReason),
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
    NotFound,
}

#[derive(Serialize)]
struct DecisionAudit<'a> {
    status: &'a str,
    version: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejection_reason: Option<&'a str>,
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
        r#"SELECT status::text AS "status!", version, participant_id AS "participant_id: ParticipantId"
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
    if current.status != "ingediend" {
        return Ok(DecisionOutcome::AlreadyDecided);
    }
    if current.version != seen_version {
        return Ok(DecisionOutcome::Changed);
    }
    let (status, reason) = match decision {
        Decision::Confirm => ("bevestigd", None),
        Decision::Reject(reason) => ("afgewezen", Some(reason.as_str())),
    };
    let decided_by = match decider {
        Decider::Partner { user, .. } => Some(user.0),
        Decider::Link { .. } => None,
    };
    sqlx::query!(
        "UPDATE hour_entries
         SET status = $2::text::entry_status, rejection_reason = $3, decided_by = $4,
             decided_at = now(), version = version + 1
         WHERE id = $1",
        entry.0,
        status,
        reason,
        decided_by,
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
        action: status,
        entity: "hour_entry",
        entity_id: entry.0,
        participant: Some(current.participant_id),
    }
    .record(
        conn,
        Some(&DecisionAudit {
            status: "ingediend",
            version: current.version,
            rejection_reason: None,
            via_link: None,
            confirmer_name: None,
            client_addr: None,
        }),
        Some(&DecisionAudit {
            status,
            version: current.version + 1,
            rejection_reason: reason,
            via_link,
            confirmer_name,
            client_addr,
        }),
    )
    .await?;
    if let Decider::Link { link, .. } = decider {
        sqlx::query!(
            "UPDATE confirmation_links SET last_used_at = now(), use_count = use_count + 1 WHERE id = $1",
            link.id
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(DecisionOutcome::Done)
}

/// A pending entry as a partner sees it: the participant's name and the hours, nothing more.
#[derive(Debug, Clone)]
pub struct PendingEntry {
    pub id: EntryId,
    pub version: i32,
    pub worked_on: Date,
    pub minutes: i32,
    pub description: String,
    pub created_at: OffsetDateTime,
    pub placement_id: PlacementId,
    pub kind: String,
    pub participant_name: String,
}

/// The pending entries of `limit` placements of the organisation (skipping `offset` placements),
/// by participant name: a big organisation's list comes in pages of whole placements, so "confirm
/// all" of a placement always covers what the page shows of it.
pub async fn pending_for_organisation(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    offset: i64,
    limit: i64,
) -> Result<Vec<PendingEntry>, sqlx::Error> {
    sqlx::query_as!(
        PendingEntry,
        r#"WITH shown AS (
               SELECT pl.id, pl.kind, pl.starts_on, p.id AS participant_id, p.search_name, p.full_name
               FROM placements pl
               JOIN participants p ON p.id = pl.participant_id
               WHERE pl.id IN (SELECT placement_id FROM hour_entries
                               WHERE organisation_id = $1 AND status = 'ingediend')
               ORDER BY p.search_name, p.id, pl.starts_on, pl.id
               OFFSET $2 LIMIT $3)
           SELECT e.id AS "id: EntryId", e.version, e.worked_on, e.minutes, e.description, e.created_at,
                  e.placement_id AS "placement_id: PlacementId", s.kind::text AS "kind!",
                  s.full_name AS participant_name
           FROM shown s
           JOIN hour_entries e ON e.placement_id = s.id AND e.status = 'ingediend'
           ORDER BY s.search_name, s.participant_id, s.starts_on, s.id, e.worked_on, e.id"#,
        organisation.0,
        offset,
        limit
    )
    .fetch_all(conn)
    .await
}

/// Whether every one of `entries` is an entry of `placement`.
pub async fn all_of_placement(
    conn: &mut PgConnection,
    placement: PlacementId,
    entries: &[EntryId],
) -> Result<bool, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = entries.iter().map(|entry| entry.0).collect();
    sqlx::query_scalar!(
        r#"SELECT NOT EXISTS (
               SELECT 1 FROM unnest($1::uuid[]) AS shown (id)
               LEFT JOIN hour_entries e ON e.id = shown.id AND e.placement_id = $2
               WHERE e.id IS NULL
           ) AS "all!""#,
        &ids,
        placement.0
    )
    .fetch_one(conn)
    .await
}

pub async fn pending_for_placement(
    conn: &mut PgConnection,
    placement: PlacementId,
) -> Result<Vec<PendingEntry>, sqlx::Error> {
    sqlx::query_as!(
        PendingEntry,
        r#"SELECT e.id AS "id: EntryId", e.version, e.worked_on, e.minutes, e.description, e.created_at,
                  e.placement_id AS "placement_id: PlacementId", pl.kind::text AS "kind!",
                  p.full_name AS participant_name
           FROM hour_entries e
           JOIN placements pl ON pl.id = e.placement_id
           JOIN participants p ON p.id = e.participant_id
           WHERE e.placement_id = $1 AND e.status = 'ingediend'
           ORDER BY e.worked_on, e.id"#,
        placement.0
    )
    .fetch_all(conn)
    .await
}

/// What a partner organisation confirmed and rejected, newest first.
#[derive(Debug, Clone)]
pub struct DecidedEntry {
    pub worked_on: Date,
    pub minutes: i32,
    pub status: String,
    pub rejection_reason: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub decided_by: Option<String>,
    pub participant_name: String,
    pub kind: String,
}

pub async fn decided_for_organisation(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    offset: i64,
    limit: i64,
) -> Result<Vec<DecidedEntry>, sqlx::Error> {
    sqlx::query_as!(
        DecidedEntry,
        r#"SELECT e.worked_on, e.minutes, e.status::text AS "status!", e.rejection_reason, e.decided_at,
                  coalesce(u.name,
                           (SELECT a.after->>'confirmer_name' FROM audit_log a
                            WHERE a.entity = 'hour_entry' AND a.entity_id = e.id
                            ORDER BY a.id DESC LIMIT 1)) AS decided_by,
                  p.full_name AS participant_name, pl.kind::text AS "kind!"
           FROM hour_entries e
           JOIN placements pl ON pl.id = e.placement_id
           JOIN participants p ON p.id = e.participant_id
           LEFT JOIN users u ON u.id = e.decided_by
           WHERE e.organisation_id = $1 AND e.status <> 'ingediend'
           ORDER BY e.decided_at DESC NULLS LAST, e.id
           OFFSET $2 LIMIT $3"#,
        organisation.0,
        offset,
        limit,
    )
    .fetch_all(conn)
    .await
}

// ---------------------------------------------------------------------------------------------
// Personal links

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

/// A link that may be used now.
#[derive(Debug, Clone)]
pub struct ValidLink {
    pub id: Uuid,
    pub placement_id: PlacementId,
    pub contact_name: String,
    pub organisation: String,
    pub participant_name: String,
    pub kind: String,
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
                  pl.kind::text AS "kind!"
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

// ---------------------------------------------------------------------------------------------
// Sending links and digests

/// Makes a link for the placement's contact and queues the mail that carries it.
pub async fn send_link(
    conn: &mut PgConnection,
    base_url: &str,
    actor: Option<UserId>,
    region: Option<RegionId>,
    placement: PlacementId,
) -> Result<Option<NewLink>, LinkError> {
    let Some(link) = create_link(conn, actor, region, placement).await? else {
        return Ok(None);
    };
    let about = sqlx::query!(
        r#"SELECT p.full_name, o.name AS organisation,
                  count(e.id) AS "entries!", coalesce(sum(e.minutes), 0) AS "minutes!"
           FROM placements pl
           JOIN participants p ON p.id = pl.participant_id
           JOIN organisations o ON o.id = pl.organisation_id
           LEFT JOIN hour_entries e ON e.placement_id = pl.id AND e.status = 'ingediend'
           WHERE pl.id = $1
           GROUP BY p.full_name, o.name"#,
        placement.0
    )
    .fetch_one(&mut *conn)
    .await?;
    let mail = crate::mail::LinkMail {
        base_url,
        token: &link.token,
        contact_name: &link.contact_name,
        contact_email: &link.contact_email,
        participant_name: &about.full_name,
        organisation: &about.organisation,
        pending_entries: usize::try_from(about.entries).unwrap_or(0),
        pending_minutes: about.minutes,
        valid_until: crate::values::dates::today() + time::Duration::days(LINK_VALID_DAYS),
    }
    .compose()
    .map_err(|error| LinkError::Database(sqlx::Error::Encode(Box::new(error))))?;
    crate::mail::queue(conn, &mail).await?;
    Ok(Some(link))
}

/// After hours are logged: mail the contact a link, unless one went out in the last day.
pub async fn notify_contact_of_new_entries(
    conn: &mut PgConnection,
    base_url: &str,
    placement: PlacementId,
) -> Result<(), sqlx::Error> {
    let recent = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM confirmation_links
                          WHERE placement_id = $1 AND revoked_at IS NULL
                            AND created_at > now() - interval '1 day') AS "recent!""#,
        placement.0
    )
    .fetch_one(&mut *conn)
    .await?;
    if recent {
        return Ok(());
    }
    match send_link(conn, base_url, None, None, placement).await {
        Ok(_) | Err(LinkError::NoContactEmail) => Ok(()),
        Err(LinkError::Database(error)) => Err(error),
    }
}

/// Queues this week's digest for every partner user whose organisation has entries waiting.
/// Returns how many mails were queued.
pub async fn queue_weekly_digest(
    conn: &mut PgConnection,
    base_url: &str,
) -> Result<usize, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT u.email, u.name, o.name AS organisation, p.full_name, pl.kind::text AS "kind!",
                  count(*) AS "entries!", sum(e.minutes) AS "minutes!", min(e.worked_on) AS "oldest!"
           FROM hour_entries e
           JOIN placements pl ON pl.id = e.placement_id
           JOIN participants p ON p.id = e.participant_id
           JOIN organisations o ON o.id = e.organisation_id
           JOIN users u ON u.organisation_id = e.organisation_id AND u.role = 'partner' AND u.active
           WHERE e.status = 'ingediend'
           GROUP BY u.id, u.email, u.name, o.name, pl.id, p.full_name, p.search_name
           ORDER BY u.id, p.search_name, pl.id"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut mails = Vec::new();
    let mut current: Option<(String, String, String, Vec<crate::mail::DigestLine>)> = None;
    for row in rows {
        if current
            .as_ref()
            .is_none_or(|(email, ..)| *email != row.email)
        {
            mails.extend(current.take());
            current = Some((
                row.email.clone(),
                row.name.clone(),
                row.organisation.clone(),
                Vec::new(),
            ));
        }
        if let Some((.., lines)) = current.as_mut() {
            lines.push(crate::mail::DigestLine {
                participant_name: row.full_name,
                kind: row.kind,
                entries: row.entries,
                minutes: crate::values::duration::format_minutes(row.minutes),
                oldest: crate::values::dates::format_date(row.oldest),
            });
        }
    }
    mails.extend(current);
    for (email, name, organisation, lines) in &mails {
        let mail = crate::mail::DigestMail {
            base_url,
            to: email,
            name,
            organisation,
            lines,
        }
        .compose()
        .map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
        crate::mail::queue(conn, &mail).await?;
    }
    Ok(mails.len())
}

/// Queues the digest once per week (from Monday 08:00, Belgian time), whichever instance asks
/// first; returns whether this call queued it.
pub async fn queue_weekly_digest_once(
    conn: &mut PgConnection,
    base_url: &str,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let today = crate::values::dates::brussels_date(now);
    let monday = today - time::Duration::days(i64::from(today.weekday().number_days_from_monday()));
    if today == monday && now.to_offset(time::UtcOffset::UTC).hour() < 7 {
        return Ok(false);
    }
    let claimed = sqlx::query_scalar!(
        "INSERT INTO digest_runs (week_of) VALUES ($1) ON CONFLICT DO NOTHING RETURNING week_of",
        monday
    )
    .fetch_optional(&mut *conn)
    .await?;
    if claimed.is_none() {
        return Ok(false);
    }
    queue_weekly_digest(conn, base_url).await?;
    Ok(true)
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
