//! Passkeys (WebAuthn through `webauthn-rs`): a second factor after the password, or a login
//! without password, where the authenticator's user verification (a PIN, a fingerprint) stands
//! in for the password.
//!
//! The relying party is Veertig's `BASE_URL`: its host is the relying party id and the URL the
//! only origin. A browser accepts a relying party id only if it is a domain name (`localhost`
//! included), never an IP address, so behind `http://127.0.0.1:…` there are no passkeys.

use serde::Serialize;
use sqlx::PgConnection;
use sqlx::types::Json;
use thiserror::Error;
use time::OffsetDateTime;
use uuid::Uuid;
use webauthn_rs::prelude::{AuthenticationResult, Passkey, Url, Webauthn, WebauthnBuilder};

use super::audit::AuditEntry;
use super::second_factor;
use crate::values::ids::UserId;

/// Longest name a user gives a passkey ("Laptop werk", "Telefoon").
pub const NAME_CHARS: usize = 60;

/// The relying party for `base_url`; `None` when browsers would refuse it (no domain name).
pub fn relying_party(base_url: &str) -> Option<Webauthn> {
    let origin = Url::parse(base_url).ok()?;
    let id = origin.domain()?.to_string();
    WebauthnBuilder::new(&id, &origin)
        .ok()?
        .rp_name("Veertig")
        .build()
        .ok()
}

/// What the user calls a passkey: trimmed, 1 to [`NAME_CHARS`] characters, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyName(String);

impl PasskeyName {
    pub fn parse(input: &str) -> Result<Self, String> {
        let name = input.trim();
        if name.is_empty() {
            return Err("Geef uw passkey een naam, bijvoorbeeld ‘Laptop werk’.".to_string());
        }
        if name.chars().count() > NAME_CHARS {
            return Err(format!(
                "Een naam heeft hoogstens {NAME_CHARS} tekens. Kies een kortere naam."
            ));
        }
        if name.chars().any(char::is_control) {
            return Err("Gebruik in de naam alleen letters, cijfers en leestekens.".to_string());
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A passkey as its owner sees it in the list.
pub struct Listed {
    pub id: Uuid,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

/// A stored passkey with its owner, as found at login.
pub struct Stored {
    pub id: Uuid,
    pub user: UserId,
    pub passkey: Passkey,
}

#[derive(Debug, Error)]
pub enum RegisterError {
    #[error("this credential is registered already")]
    AlreadyRegistered,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(Serialize)]
struct Audited<'a> {
    passkey: &'a str,
}

async fn audit(
    conn: &mut PgConnection,
    user: UserId,
    action: &str,
    name: &str,
    added: bool,
) -> Result<(), sqlx::Error> {
    let row = Audited { passkey: name };
    let (before, after) = if added {
        (None, Some(&row))
    } else {
        (Some(&row), None)
    };
    AuditEntry {
        actor: Some(user),
        action,
        entity: "user",
        entity_id: user.0,
        participant: None,
    }
    .record(conn, before, after)
    .await
}

/// The user's passkeys, oldest first.
pub async fn list(conn: &mut PgConnection, user: UserId) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        "SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1
         ORDER BY created_at, id",
        user.0
    )
    .fetch_all(conn)
    .await
}

/// The user's passkeys as `webauthn-rs` needs them to ask for one.
pub async fn credentials(
    conn: &mut PgConnection,
    user: UserId,
) -> Result<Vec<Passkey>, sqlx::Error> {
    let rows = sqlx::query_scalar!(
        r#"SELECT passkey AS "passkey: Json<Passkey>" FROM passkeys WHERE user_id = $1"#,
        user.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|Json(passkey)| passkey).collect())
}

/// Stores a passkey the user just registered, with its audit row. The first second factor of a
/// user without recovery codes comes with ten, returned to be shown this once.
pub async fn register(
    conn: &mut PgConnection,
    user: UserId,
    name: &PasskeyName,
    passkey: &Passkey,
) -> Result<Option<Vec<String>>, RegisterError> {
    let inserted = sqlx::query!(
        "INSERT INTO passkeys (user_id, credential_id, name, passkey) VALUES ($1, $2, $3, $4)
         ON CONFLICT (credential_id) DO NOTHING",
        user.0,
        passkey.cred_id().as_slice(),
        name.as_str(),
        Json(passkey) as _
    )
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(RegisterError::AlreadyRegistered);
    }
    audit(conn, user, "passkey toegevoegd", name.as_str(), true).await?;
    if second_factor::has_recovery_codes(conn, user).await? {
        return Ok(None);
    }
    Ok(Some(second_factor::new_recovery_codes(conn, user).await?))
}

/// Removes one of the user's own passkeys, audited. False: the user has no such passkey.
pub async fn remove(conn: &mut PgConnection, user: UserId, id: Uuid) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query_scalar!(
        "DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING name",
        id,
        user.0
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(name) = removed else {
        return Ok(false);
    };
    audit(conn, user, "passkey verwijderd", &name, false).await?;
    Ok(true)
}

/// The passkey with this credential id, whoever owns it.
pub async fn find(
    conn: &mut PgConnection,
    credential_id: &[u8],
) -> Result<Option<Stored>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT id, user_id, passkey AS "passkey: Json<Passkey>" FROM passkeys
           WHERE credential_id = $1 FOR UPDATE"#,
        credential_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| Stored {
        id: row.id,
        user: UserId(row.user_id),
        passkey: row.passkey.0,
    }))
}

/// After a successful use: the new signature counter and backup state, so the next use of a
/// copy of this passkey with an older counter is refused, and when it was last used.
pub async fn record_use(
    conn: &mut PgConnection,
    mut stored: Stored,
    result: &AuthenticationResult,
) -> Result<(), sqlx::Error> {
    stored.passkey.update_credential(result);
    sqlx::query!(
        "UPDATE passkeys SET passkey = $2, last_used_at = now() WHERE id = $1",
        stored.id,
        Json(&stored.passkey) as _
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relying_party_needs_a_domain_name() {
        assert!(relying_party("http://localhost:8080").is_some());
        assert!(relying_party("https://veertig.brugge.be").is_some());
        assert!(relying_party("http://127.0.0.1:8080").is_none());
        assert!(relying_party("not a url").is_none());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            PasskeyName::parse("  Laptop ").map(|n| n.0),
            Ok("Laptop".into())
        );
        assert!(PasskeyName::parse("   ").is_err());
        assert!(PasskeyName::parse(&"a".repeat(NAME_CHARS + 1)).is_err());
        assert!(PasskeyName::parse(&"é".repeat(NAME_CHARS)).is_ok());
        assert!(PasskeyName::parse("a\u{0}b").is_err());
    }
}
