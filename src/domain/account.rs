//! A user's own password: reset by e-mail (a single-use link that expires) or changed while
//! logged in (knowing the current one). Either way the new password ends every session opened
//! with the old one, and the owner gets a notice by mail, without link or secret, so a change
//! they did not make does not go unnoticed.
//!
//! Asking for a link answers the same whether or not the address has an account, so the form
//! does not tell who uses Veertig. Only the SHA-256 of a token is stored.

use sqlx::PgConnection;
use time::OffsetDateTime;

use super::audit::AuditEntry;
use super::auth::{self, Lock};
use super::confirmation::{hash_token, new_token};
use super::user::{Email, NewPassword};
use crate::mail::{self, PasswordChangedMail, PasswordResetMail};
use crate::values::dates::format_moment;
use crate::values::ids::UserId;

/// How long a reset link works.
pub const RESET_VALID_MINUTES: i64 = 60;
/// Links per account per hour; more requests are ignored (silently, like unknown addresses),
/// so the form cannot be used to flood someone's mailbox.
pub const MAX_RESETS_PER_HOUR: i64 = 3;

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Mail(#[from] mail::ComposeError),
}

/// Queues a reset mail when `email` belongs to an account that may log in and the hourly limit
/// is not reached. Returns whether a mail was queued (for the tests; never shown to the user).
pub async fn request_reset(
    conn: &mut PgConnection,
    email: &Email,
    base_url: &str,
) -> Result<bool, ResetError> {
    let account = sqlx::query!(
        r#"SELECT u.id AS "id: UserId", u.name, u.email
           FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id
           WHERE u.email = $1 AND u.active AND (u.organisation_id IS NULL OR o.active)
           FOR UPDATE OF u"#,
        email.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(account) = account else {
        return Ok(false);
    };
    let recent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM password_resets
           WHERE user_id = $1 AND created_at > now() - interval '1 hour'"#,
        account.id.0
    )
    .fetch_one(&mut *conn)
    .await?;
    if recent >= MAX_RESETS_PER_HOUR {
        tracing::warn!(user = %account.id, "password reset limit reached");
        return Ok(false);
    }
    let token = new_token();
    let id = sqlx::query_scalar!(
        "INSERT INTO password_resets (user_id, token_hash, expires_at)
         VALUES ($1, $2, now() + make_interval(mins => $3))
         RETURNING id",
        account.id.0,
        hash_token(&token),
        RESET_VALID_MINUTES as i32,
    )
    .fetch_one(&mut *conn)
    .await?;
    let mail = PasswordResetMail {
        base_url,
        token: &token,
        name: &account.name,
        email: &account.email,
        valid_minutes: RESET_VALID_MINUTES,
    }
    .compose()?;
    mail::queue(&mut *conn, &mail).await?;
    AuditEntry {
        actor: None,
        action: "wachtwoordherstel gevraagd",
        entity: "user",
        entity_id: account.id.0,
        participant: None,
    }
    .record::<(), _>(conn, None, Some(&serde_json::json!({ "reset": id })))
    .await?;
    Ok(true)
}

/// Whether `token` is a reset link that still works.
pub async fn reset_is_valid(conn: &mut PgConnection, token: &str) -> Result<bool, sqlx::Error> {
    let found = sqlx::query_scalar!(
        r#"SELECT 1 AS "one!" FROM password_resets r JOIN users u ON u.id = r.user_id
           WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.active"#,
        hash_token(token)
    )
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Sets the new password when `token` still works, using it up (and every other open link of
/// the account) and ending all the account's sessions. `None`: the link does not work (any
/// more). Two requests with the same link: the row lock lets exactly one through.
pub async fn complete_reset(
    conn: &mut PgConnection,
    token: &str,
    password: NewPassword,
) -> Result<Option<UserId>, ResetError> {
    let user = sqlx::query_scalar!(
        r#"UPDATE password_resets r SET used_at = now()
           FROM users u
           WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()
             AND u.id = r.user_id AND u.active
           RETURNING r.user_id AS "id: UserId""#,
        hash_token(token)
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(user) = user else {
        return Ok(None);
    };
    let replaced = replace_password(&mut *conn, user, password).await?;
    sqlx::query!(
        "UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
        user.0
    )
    .execute(&mut *conn)
    .await?;
    // Whoever proves they read the account's mail may log in at once, from anywhere.
    sqlx::query!(
        "DELETE FROM login_failures WHERE email = $1",
        replaced.email
    )
    .execute(&mut *conn)
    .await?;
    AuditEntry {
        actor: Some(user),
        action: "wachtwoord hersteld",
        entity: "user",
        entity_id: user.0,
        participant: None,
    }
    .record::<(), ()>(conn, None, None)
    .await?;
    Ok(Some(user))
}

/// What came of a logged-in user's request to change their password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// Changed; the session that asked carries on with this generation, every other one ends.
    Changed { session_generation: i32 },
    /// The current password was wrong; counted as a failed login from this address.
    WrongPassword,
    /// Too many wrong passwords: the same lock as at the login form.
    Throttled(Lock),
}

/// Changes the password of `user` when `current` is right. A wrong `current` counts as a failed
/// login, and the login limits apply, so a session left open cannot be used to guess the
/// password. Commit the transaction whatever the outcome: the failure must stay counted.
pub async fn change_password(
    conn: &mut PgConnection,
    user: UserId,
    current: String,
    password: NewPassword,
    client_addr: &str,
) -> Result<ChangeOutcome, ResetError> {
    // The caller's extractor found the account active in this request; the row lock makes two
    // changes at once take turns.
    let account = sqlx::query!(
        "SELECT email, password_hash FROM users WHERE id = $1 FOR UPDATE",
        user.0
    )
    .fetch_one(&mut *conn)
    .await?;
    if let Some(lock) = auth::throttle(&mut *conn, &account.email, client_addr).await? {
        return Ok(ChangeOutcome::Throttled(lock));
    }
    if !auth::verify(current, account.password_hash).await {
        auth::record_failure(&mut *conn, &account.email, client_addr).await?;
        return Ok(ChangeOutcome::WrongPassword);
    }
    auth::forget_failures(&mut *conn, &account.email, client_addr).await?;
    let replaced = replace_password(&mut *conn, user, password).await?;
    AuditEntry {
        actor: Some(user),
        action: "wachtwoord gewijzigd",
        entity: "user",
        entity_id: user.0,
        participant: None,
    }
    .record::<(), ()>(conn, None, None)
    .await?;
    Ok(ChangeOutcome::Changed {
        session_generation: replaced.session_generation,
    })
}

/// The account a new password was stored for.
struct Replaced {
    email: String,
    session_generation: i32,
}

/// Stores the new password's hash, moves the session generation on (every session of the
/// account ends at its next request) and queues the notice to the owner.
async fn replace_password(
    conn: &mut PgConnection,
    user: UserId,
    password: NewPassword,
) -> Result<Replaced, ResetError> {
    let hash = password.hash().await;
    let account = sqlx::query!(
        "UPDATE users SET password_hash = $2, session_generation = session_generation + 1,
                updated_at = now()
         WHERE id = $1 RETURNING name, email, session_generation",
        user.0,
        hash
    )
    .fetch_one(&mut *conn)
    .await?;
    let notice = PasswordChangedMail {
        name: &account.name,
        email: &account.email,
        changed_at: &format_moment(OffsetDateTime::now_utc()),
    }
    .compose()?;
    mail::queue(conn, &notice).await?;
    Ok(Replaced {
        email: account.email,
        session_generation: account.session_generation,
    })
}
