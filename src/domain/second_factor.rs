//! The second factor (ASVS 2.7/2.8): a time-based one-time code (RFC 6238, via `totp-rs`) from
//! an authenticator app, and ten single-use recovery codes for when the phone is gone.
//!
//! Codes are SHA-1, 6 digits, 30 seconds (what every authenticator app understands); one step
//! of clock difference either way is accepted, and a step once accepted is never accepted again.

use rand::{Rng, RngCore};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use time::OffsetDateTime;
use totp_rs::{Builder, Secret, Totp};

use super::audit::AuditEntry;
use crate::values::ids::UserId;

pub const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;
/// Letters and digits nobody confuses when copying from paper (no I, O, 0 or 1): 32 of them,
/// so each character carries 5 bits and a code of 16 characters 80.
const RECOVERY_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const RECOVERY_CHARS: usize = 16;

/// A new random secret for an authenticator app.
pub fn new_secret() -> [u8; SECRET_BYTES] {
    let mut secret = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut secret);
    secret
}

/// The secret as the user types it into an app that cannot scan: base32, in groups of four.
pub fn secret_text(secret: &[u8; SECRET_BYTES]) -> String {
    let encoded = Secret::new_stack(*secret).to_base32();
    let chars: Vec<char> = encoded.chars().collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The secret back from [`secret_text`] (spaces allowed); `None` if it is not one.
pub fn parse_secret(text: &str) -> Option<[u8; SECRET_BYTES]> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let secret = Secret::try_from_base32(compact).ok()?;
    secret.as_bytes().try_into().ok()
}

/// What the QR code holds: the `otpauth://` URI that authenticator apps read.
pub fn otpauth_uri(secret: &[u8; SECRET_BYTES], email: &str) -> String {
    let base32 = Secret::new_stack(*secret).to_base32();
    let label = percent_encoding::utf8_percent_encode(email, percent_encoding::NON_ALPHANUMERIC);
    format!("otpauth://totp/Veertig:{label}?secret={base32}&issuer=Veertig")
}

fn totp(secret: &[u8]) -> Option<Totp> {
    Builder::new()
        .with_secret(Secret::new(secret.into()))
        .build()
        .ok()
}

/// The time step of `code` for `secret` at `unix_time`, one step early or late included;
/// `None` for a wrong code or anything that is not six digits.
pub fn step_of(secret: &[u8], code: &str, unix_time: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret)?.check(&code, unix_time)
}

fn now() -> u64 {
    u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

/// Whether the user has a second factor.
pub async fn is_enrolled(conn: &mut PgConnection, user: UserId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM second_factors WHERE user_id = $1) AS "yes!""#,
        user.0
    )
    .fetch_one(conn)
    .await
}

/// Whether the user has an app or a passkey: then the password alone is not enough.
pub async fn has_any(conn: &mut PgConnection, user: UserId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM second_factors WHERE user_id = $1)
               OR EXISTS (SELECT 1 FROM passkeys WHERE user_id = $1) AS "yes!""#,
        user.0
    )
    .fetch_one(conn)
    .await
}

/// When the user enrolled, if they did.
pub async fn enrolled_at(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT enrolled_at FROM second_factors WHERE user_id = $1",
        user.0
    )
    .fetch_optional(conn)
    .await
}

#[derive(Serialize)]
struct Audited {
    second_factor: bool,
}

async fn audit(
    conn: &mut PgConnection,
    actor: UserId,
    user: UserId,
    action: &str,
    before: bool,
) -> Result<(), sqlx::Error> {
    AuditEntry {
        actor: Some(actor),
        action,
        entity: "user",
        entity_id: user.0,
        participant: None,
    }
    .record(
        conn,
        Some(&Audited {
            second_factor: before,
        }),
        Some(&Audited {
            second_factor: !before,
        }),
    )
    .await
}

/// Enrols the user with `secret` if `code` is its current code: the factor, ten fresh
/// recovery codes and the audit row. The recovery codes come back to be shown this once;
/// `None` for a wrong code or a user who already has a factor.
pub async fn enrol(
    conn: &mut PgConnection,
    user: UserId,
    secret: &[u8; SECRET_BYTES],
    code: &str,
) -> Result<Option<Vec<String>>, sqlx::Error> {
    let Some(step) = step_of(secret, code, now()) else {
        return Ok(None);
    };
    let inserted = sqlx::query!(
        "INSERT INTO second_factors (user_id, secret, last_used_step) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO NOTHING",
        user.0,
        secret.as_slice(),
        i64::try_from(step).unwrap_or(i64::MAX)
    )
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(None);
    }
    let codes = new_recovery_codes(conn, user).await?;
    audit(conn, user, user, "tweede factor ingesteld", false).await?;
    Ok(Some(codes))
}

/// Ten fresh recovery codes for `user`, replacing any earlier ones (a user with a passkey got
/// them with the first passkey); they come back to be shown this once.
pub async fn new_recovery_codes(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user.0)
        .execute(&mut *conn)
        .await?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    for code in &codes {
        let hash = recovery_hash(code);
        sqlx::query!(
            "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)",
            user.0,
            hash.as_slice()
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(codes)
}

/// Whether the user has recovery codes left to use.
pub async fn has_recovery_codes(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL)
           AS "yes!""#,
        user.0
    )
    .fetch_one(conn)
    .await
}

/// Checks a code at login: six digits from the app (a time step not used before), or an unused
/// recovery code, which is then used up. False for anything else.
pub async fn verify(
    conn: &mut PgConnection,
    user: UserId,
    code: &str,
) -> Result<bool, sqlx::Error> {
    let factor = sqlx::query!(
        "SELECT secret, last_used_step FROM second_factors WHERE user_id = $1 FOR UPDATE",
        user.0
    )
    .fetch_optional(&mut *conn)
    .await?;
    // A user with only passkeys has no app, but may have recovery codes.
    let accepted = factor.and_then(|factor| {
        step_of(&factor.secret, code, now()).map(|step| (step, factor.last_used_step))
    });
    if let Some((step, last_used_step)) = accepted {
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        if step <= last_used_step {
            // Replayed: this code (or a later one) was accepted before.
            return Ok(false);
        }
        sqlx::query!(
            "UPDATE second_factors SET last_used_step = $2 WHERE user_id = $1",
            user.0,
            step
        )
        .execute(conn)
        .await?;
        return Ok(true);
    }
    let hash = recovery_hash(code);
    let used = sqlx::query!(
        "UPDATE recovery_codes SET used_at = now()
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        user.0,
        hash.as_slice()
    )
    .execute(conn)
    .await?;
    Ok(used.rows_affected() == 1)
}

/// The beheerder removes a user's second factor (a lost phone without recovery codes): the
/// app, every passkey and the recovery codes go, the user's sessions end, and the user enrols again at the
/// next login. False: the user had none.
pub async fn reset(
    conn: &mut PgConnection,
    actor: UserId,
    user: UserId,
) -> Result<bool, sqlx::Error> {
    let app = sqlx::query!("DELETE FROM second_factors WHERE user_id = $1", user.0)
        .execute(&mut *conn)
        .await?;
    let passkeys = sqlx::query!("DELETE FROM passkeys WHERE user_id = $1", user.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user.0)
        .execute(&mut *conn)
        .await?;
    if app.rows_affected() == 0 && passkeys.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE users SET session_generation = session_generation + 1, updated_at = now()
         WHERE id = $1",
        user.0
    )
    .execute(&mut *conn)
    .await?;
    audit(conn, actor, user, "tweede factor gewist", true).await?;
    Ok(true)
}

fn new_recovery_code() -> String {
    let mut rng = rand::rng();
    let chars: String = (0..RECOVERY_CHARS)
        .map(|_| char::from(RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())]))
        .collect();
    let groups: Vec<&str> = (0..RECOVERY_CHARS)
        .step_by(4)
        .map(|at| &chars[at..at + 4])
        .collect();
    groups.join("-")
}

/// A recovery code as typed: case, spaces and dashes do not matter.
fn recovery_hash(code: &str) -> [u8; 32] {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Sha256::digest(normal.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_accepted_one_step_either_way_and_not_further() {
        let secret = new_secret();
        let totp = totp(&secret).expect("a valid secret");
        let now = 1_800_000_000;
        let code = totp.generate(now).to_string();
        assert_eq!(step_of(&secret, &code, now), Some(now / 30));
        assert_eq!(step_of(&secret, &code, now + 30), Some(now / 30));
        assert_eq!(step_of(&secret, &code, now - 30), Some(now / 30));
        assert_eq!(step_of(&secret, &code, now + 90), None);
        assert_eq!(step_of(&secret, "12345", now), None);
        assert_eq!(step_of(&secret, "abcdef", now), None);
    }

    #[test]
    fn secret_text_and_uri_round_trip() {
        let secret = new_secret();
        assert_eq!(parse_secret(&secret_text(&secret)), Some(secret));
        let uri = otpauth_uri(&secret, "an@brugge.be");
        assert!(
            uri.starts_with("otpauth://totp/Veertig:an%40brugge%2Ebe?secret="),
            "{uri}"
        );
        assert!(uri.ends_with("&issuer=Veertig"), "{uri}");
    }

    #[test]
    fn recovery_codes_are_long_and_forgiving_to_type() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 19, "{code}");
        assert_eq!(
            recovery_hash(&code),
            recovery_hash(&code.to_lowercase().replace('-', " "))
        );
    }
}
