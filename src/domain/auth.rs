//! Logging in: checking a password, and throttling those who guess.
//!
//! Failures are counted in PostgreSQL, so the limits hold across all instances of the app.
//! An unknown e-mail address is throttled and timed exactly like a known one, so neither the
//! message nor the delay tells whether an account exists.

use std::sync::LazyLock;

use sqlx::PgConnection;

use crate::values::ids::UserId;

/// Failed attempts per account within the window before it is locked for the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Per client address more are allowed: a town hall's staff share one address.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const WINDOW_MINUTES: i64 = 15;

#[derive(Debug, PartialEq, Eq)]
pub enum LoginOutcome {
    Success(UserId),
    WrongCredentials,
    Throttled,
}

/// Hash of a password nobody has: verified against when the account does not exist, so that a
/// wrong e-mail costs as long as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password_auth::generate_hash("veertig-no-such-account"));

pub async fn login(
    conn: &mut PgConnection,
    email: &str,
    password: String,
    client_addr: &str,
) -> Result<LoginOutcome, sqlx::Error> {
    let email = email.trim().to_lowercase();
    if is_throttled(&mut *conn, &email, client_addr).await? {
        return Ok(LoginOutcome::Throttled);
    }
    let account = sqlx::query!(
        r#"SELECT u.id AS "id: UserId", u.password_hash
           FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id
           WHERE u.email = $1 AND u.active AND (u.organisation_id IS NULL OR o.active)"#,
        email
    )
    .fetch_optional(&mut *conn)
    .await?;
    let (id, hash) = match account {
        Some(row) => (Some(row.id), row.password_hash),
        None => (None, DUMMY_HASH.clone()),
    };
    let matches = tokio::task::spawn_blocking(move || {
        password_auth::verify_password(password, &hash).is_ok()
    })
    .await
    .unwrap_or(false);
    match id {
        Some(id) if matches => {
            sqlx::query!("DELETE FROM login_failures WHERE email = $1", email)
                .execute(&mut *conn)
                .await?;
            Ok(LoginOutcome::Success(id))
        }
        _ => {
            record_failure(conn, &email, client_addr).await?;
            Ok(LoginOutcome::WrongCredentials)
        }
    }
}

async fn is_throttled(
    conn: &mut PgConnection,
    email: &str,
    client_addr: &str,
) -> Result<bool, sqlx::Error> {
    let counts = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE email = $1) AS "per_account!",
                  count(*) FILTER (WHERE client_addr = $2) AS "per_address!"
           FROM login_failures
           WHERE (email = $1 OR client_addr = $2)
             AND failed_at > now() - make_interval(mins => $3)"#,
        email,
        client_addr,
        WINDOW_MINUTES as i32,
    )
    .fetch_one(conn)
    .await?;
    Ok(counts.per_account >= MAX_FAILURES_PER_ACCOUNT
        || counts.per_address >= MAX_FAILURES_PER_ADDRESS)
}

async fn record_failure(
    conn: &mut PgConnection,
    email: &str,
    client_addr: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO login_failures (email, client_addr) VALUES ($1, $2)",
        email,
        client_addr
    )
    .execute(&mut *conn)
    .await?;
    // Keep the table small: rows older than a day can no longer lock anyone.
    sqlx::query!("DELETE FROM login_failures WHERE failed_at < now() - interval '1 day'")
        .execute(conn)
        .await?;
    Ok(())
}
