//! Create forms submitted once. Each create form carries a random idempotency key; the first
//! submission claims it inside its own transaction, a repeat of the same form (a double click,
//! a retry after an answer that never arrived) is told where the first one went instead of
//! creating the record again. The table's primary key decides: a repeat that arrives while the
//! first is still running waits for it to commit or roll back.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::values::ids::UserId;

/// How long a key is remembered: long after any double click or retry.
pub const KEEP_DAYS: i32 = 30;

/// The random key a page renders into its create forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencyKey(Uuid);

impl IdempotencyKey {
    pub fn generate() -> Self {
        Self(Uuid::new_v4())
    }

    /// Anything but a uuid is no key: the form is then handled without protection, as a form
    /// of an older page would be.
    pub fn parse(raw: &str) -> Option<Self> {
        Uuid::parse_str(raw.trim()).ok().map(Self)
    }
}

impl std::fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One submission of one form by one user.
#[derive(Debug, Clone)]
pub struct Submission {
    pub user: UserId,
    pub key: Option<IdempotencyKey>,
    /// The form's path, so two forms of one page may share a key.
    pub action: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// Go ahead; call [`Submission::complete`] in the same transaction.
    First,
    /// Done before: the address the first submission redirected to, when it recorded one.
    Repeat { location: Option<String> },
}

impl Submission {
    /// Claims the key in the caller's transaction. Waits while another transaction holds the
    /// same key; a submission without a key is always the first.
    pub async fn claim(&self, conn: &mut PgConnection) -> Result<Claim, sqlx::Error> {
        let Some(key) = self.key else {
            return Ok(Claim::First);
        };
        let inserted = sqlx::query_scalar!(
            r#"INSERT INTO form_submissions (user_id, idempotency_key, action) VALUES ($1, $2, $3)
               ON CONFLICT DO NOTHING
               RETURNING true AS "inserted!""#,
            self.user.0,
            key.0,
            self.action,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if inserted.is_some() {
            return Ok(Claim::First);
        }
        let location = sqlx::query_scalar!(
            "SELECT location FROM form_submissions
             WHERE user_id = $1 AND idempotency_key = $2 AND action = $3",
            self.user.0,
            key.0,
            self.action,
        )
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
        Ok(Claim::Repeat { location })
    }

    /// Records where the first submission sent the user, in its transaction.
    pub async fn complete(
        &self,
        conn: &mut PgConnection,
        location: &str,
    ) -> Result<(), sqlx::Error> {
        let Some(key) = self.key else {
            return Ok(());
        };
        sqlx::query!(
            "UPDATE form_submissions SET location = $4
             WHERE user_id = $1 AND idempotency_key = $2 AND action = $3",
            self.user.0,
            key.0,
            self.action,
            location,
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// Forgets keys older than [`KEEP_DAYS`]; returns how many.
pub async fn forget_old(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let result = sqlx::query!(
        "DELETE FROM form_submissions WHERE created_at < now() - make_interval(days => $1)",
        KEEP_DAYS
    )
    .execute(pool)
    .await?;
    Ok(result.rows_affected())
}
