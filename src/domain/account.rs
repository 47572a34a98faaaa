//! Password reset by e-mail: a single-use link that expires, and a new password that ends
//! every session opened with the old one.
//!
//! Asking for a link answers the same whether or not the address has an account, so the form
//! does not tell who uses Veertig. Only the SHA-256 of a token is stored.

use sqlx::PgConnection;

use super::audit::AuditEntry;
use super::confirmation::{hash_token, new_token};
use super::user::{Email, NewPassword};
use crate::mail::{self, PasswordResetMail};
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
) -> Result<Option<UserId>, sqlx::Error> {
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
    let hash = password.hash().await;
    let email = sqlx::query_scalar!(
        "UPDATE users SET password_hash = $2, session_generation = session_generation + 1,
                updated_at = now()
         WHERE id = $1 RETURNING email",
        user.0,
        hash
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL",
        user.0
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM login_failures WHERE email = $1", email)
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
