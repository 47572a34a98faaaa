//! The access log: every look at a participant's page, their data export or a scan, and every
//! request refused (403, or "not found" for another region's participant), with who, when and
//! what. Unlike the audit log (changes), this
//! records reading; the beheerder searches it, and a participant's export includes their part.
//!
//! Writing is one INSERT without a read before it: the participant page is the busiest page
//! there is, and the log must not slow it down.

use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::values::ids::{ParticipantId, ScanId, UserId};
use crate::values::redact::redact_path;

/// Whether `participant` exists outside the region of `user`: a page of theirs answered "not
/// found" to that user (rather than revealing them), which the access log records as refused.
pub async fn outside_users_region(
    conn: &mut PgConnection,
    user: UserId,
    participant: ParticipantId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM participants p, users u
               WHERE p.id = $1 AND u.id = $2 AND p.region_id IS DISTINCT FROM u.region_id
           ) AS "outside!""#,
        participant.0,
        user.0
    )
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "access_kind", rename_all = "snake_case")]
pub enum AccessKind {
    /// The participant page.
    Inburgeraar,
    /// The right-of-access export (page or JSON).
    Inzage,
    /// A scan downloaded.
    Scan,
    /// A request refused with 403.
    Geweigerd,
    /// The inburgeraar's own page, opened with their personal link (no user).
    MijnTraject,
    /// A bewijs van deelname printed (page or PDF).
    Bewijs,
    /// A participant taken over from another region after a move.
    Overname,
}

impl AccessKind {
    pub const ALL: [Self; 7] = [
        Self::Inburgeraar,
        Self::Inzage,
        Self::Scan,
        Self::Bewijs,
        Self::MijnTraject,
        Self::Overname,
        Self::Geweigerd,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Inburgeraar => "inburgeraar",
            Self::Inzage => "inzage",
            Self::Scan => "scan",
            Self::Geweigerd => "geweigerd",
            Self::MijnTraject => "mijn_traject",
            Self::Bewijs => "bewijs",
            Self::Overname => "overname",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Inburgeraar => "inburgeraar bekeken",
            Self::Inzage => "inzage geëxporteerd",
            Self::Scan => "scan gedownload",
            Self::Geweigerd => "toegang geweigerd",
            Self::MijnTraject => "eigen pagina geopend (Mijn traject)",
            Self::Bewijs => "bewijs van deelname afgedrukt",
            Self::Overname => "overgenomen uit een andere regio",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// One look at something.
pub struct Access<'a> {
    pub user: Option<UserId>,
    pub kind: AccessKind,
    pub participant: Option<ParticipantId>,
    pub scan: Option<ScanId>,
    pub path: &'a str,
}

/// A path as the access log keeps it. A path is what the client sent: no secret of a personal
/// link in the log, and the row small whatever it sent.
pub fn logged_path(path: &str) -> String {
    redact_path(path).chars().take(300).collect()
}

impl Access<'_> {
    pub async fn record(self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        let path = logged_path(self.path);
        sqlx::query!(
            "INSERT INTO access_log (user_id, kind, participant_id, scan_id, path)
             VALUES ($1, $2, $3, $4, $5)",
            self.user.map(|u| u.0),
            self.kind as AccessKind,
            self.participant.map(|p| p.0),
            self.scan.map(|s| s.0),
            path,
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// A line of the beheerder's search.
#[derive(Debug, Clone)]
pub struct AccessRow {
    pub at: OffsetDateTime,
    pub user_id: Option<UserId>,
    pub user_name: Option<String>,
    pub kind: AccessKind,
    pub participant_id: Option<ParticipantId>,
    pub participant_name: Option<String>,
    pub path: String,
}

/// What the beheerder searches for: rows of one user, of one participant, or both.
#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    pub user: Option<UserId>,
    pub participant: Option<ParticipantId>,
}

/// The log, newest first, `limit` rows after `offset` (the indexes on user and participant
/// serve the two filters).
pub async fn search(
    conn: &mut PgConnection,
    filter: &AccessFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<AccessRow>, sqlx::Error> {
    sqlx::query_as!(
        AccessRow,
        r#"SELECT a.at, a.user_id AS "user_id: UserId", u.name AS "user_name?",
                  a.kind AS "kind: AccessKind",
                  a.participant_id AS "participant_id: ParticipantId",
                  p.full_name AS "participant_name?", a.path
           FROM access_log a
           LEFT JOIN users u ON u.id = a.user_id
           LEFT JOIN participants p ON p.id = a.participant_id
           WHERE ($1::uuid IS NULL OR a.user_id = $1)
             AND ($2::uuid IS NULL OR a.participant_id = $2)
           ORDER BY a.at DESC, a.id DESC
           OFFSET $3 LIMIT $4"#,
        filter.user.map(|u| u.0),
        filter.participant.map(|p| p.0),
        offset,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// A person to pick in the search form: (id, name).
pub async fn users(conn: &mut PgConnection) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    Ok(
        sqlx::query!(r#"SELECT id AS "id: UserId", name FROM users ORDER BY name, email"#)
            .fetch_all(conn)
            .await?
            .into_iter()
            .map(|row| (row.id, row.name))
            .collect(),
    )
}

/// Participants whose name matches `search`, for the search form (at most 20).
pub async fn find_participants(
    conn: &mut PgConnection,
    search: &str,
) -> Result<Vec<(ParticipantId, String, String)>, sqlx::Error> {
    let pattern = super::search::contains_pattern(search);
    Ok(sqlx::query!(
        r#"SELECT p.id AS "id: ParticipantId", p.full_name, r.name AS region
           FROM participants p JOIN regions r ON r.id = p.region_id
           WHERE p.search_name LIKE $1
           ORDER BY p.search_name, p.id
           LIMIT 20"#,
        pattern,
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|row| (row.id, row.full_name, row.region))
    .collect())
}
