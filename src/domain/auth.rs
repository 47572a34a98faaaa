//! Logging in: checking a password, and throttling those who guess.
//!
//! Failures are counted in PostgreSQL, so the limits hold across all instances of the app.
//! An unknown e-mail address is throttled and timed exactly like a known one, so neither the
//! message nor the delay tells whether an account exists.

use std::sync::LazyLock;

use sqlx::PgConnection;

use crate::values::ids::UserId;

/// Failed attempts at one account from one client address within the window: that address is
/// then locked out of that account for the window. Counted per address, so that a stranger who
/// guesses locks out themselves, not the owner logging in from elsewhere.
pub const MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS: i64 = 5;
/// Failed attempts at one account from all addresses together within the window: past it the
/// account is locked for everyone. A locked address stops counting, so reaching this ceiling
/// takes at least ten addresses (an outsider with one address cannot lock out the owner), while
/// guessing from many addresses stays below 50 guesses per 15 minutes: 4,800 a day, hopeless
/// against a password of 12 characters or more that is not on the common-passwords list.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 50;
/// Per client address more are allowed across accounts: a town hall's staff share one address.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const WINDOW_MINUTES: i64 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    Success(UserId),
    WrongCredentials,
    Throttled(Lock),
}

/// Who a lock keeps out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// This client address, for this account or for every account.
    Address,
    /// Everyone, from every address: the account's ceiling was reached.
    Account,
}

impl Lock {
    /// What the person at the login form reads.
    pub fn message(self) -> String {
        match self {
            Lock::Address => format!(
                "Er werd te vaak een verkeerd wachtwoord ingevuld. Wacht {WINDOW_MINUTES} minuten en probeer het dan opnieuw."
            ),
            Lock::Account => format!(
                "Voor dit account werd vanaf verschillende plaatsen te vaak een verkeerd wachtwoord ingevuld. Daarom is het {WINDOW_MINUTES} minuten voor iedereen geblokkeerd. Wacht {WINDOW_MINUTES} minuten, of kies een nieuw wachtwoord met \"Wachtwoord vergeten?\"."
            ),
        }
    }
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
    if let Some(lock) = throttle(&mut *conn, &email, client_addr).await? {
        return Ok(LoginOutcome::Throttled(lock));
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
    let matches = verify(password, hash).await;
    match id {
        Some(id) if matches => {
            forget_failures(conn, &email, client_addr).await?;
            Ok(LoginOutcome::Success(id))
        }
        _ => {
            record_failure(conn, &email, client_addr).await?;
            Ok(LoginOutcome::WrongCredentials)
        }
    }
}

/// Whether `password` is the one `hash` was made of. argon2 is slow on purpose, so it runs off
/// the async threads.
pub async fn verify(password: String, hash: String) -> bool {
    super::user::with_argon2(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .unwrap_or(false)
}

/// The lock that keeps `client_addr` from trying a password for `email` now, if any.
pub async fn throttle(
    conn: &mut PgConnection,
    email: &str,
    client_addr: &str,
) -> Result<Option<Lock>, sqlx::Error> {
    let counts = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE email = $1 AND client_addr = $2)
                      AS "per_account_and_address!",
                  count(*) FILTER (WHERE email = $1) AS "per_account!",
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
    Ok(if counts.per_account >= MAX_FAILURES_PER_ACCOUNT {
        Some(Lock::Account)
    } else if counts.per_account_and_address >= MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS
        || counts.per_address >= MAX_FAILURES_PER_ADDRESS
    {
        Some(Lock::Address)
    } else {
        None
    })
}

/// After the right password: this address starts afresh for this account. Failures from other
/// addresses stay, so the owner logging in does not unlock a stranger who was guessing.
pub async fn forget_failures(
    conn: &mut PgConnection,
    email: &str,
    client_addr: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM login_failures WHERE email = $1 AND client_addr = $2",
        email,
        client_addr
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A wrong password for `email` from `client_addr` (at the login form or when changing one's
/// password).
pub async fn record_failure(
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
