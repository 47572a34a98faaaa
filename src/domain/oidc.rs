//! Who an OpenID Connect login is: the user linked to the provider's subject, or, at their first
//! login, the active user whose e-mail address the provider verified (who is then linked).
//!
//! Nobody gets an account by signing in: the beheerder creates users, with their role and
//! region or organisation; the provider only says who is at the keyboard.

use sqlx::PgConnection;

use super::audit::AuditEntry;
use crate::values::ids::UserId;

/// What the provider vouched for, checked by the caller (signature, issuer, audience, expiry,
/// nonce).
pub struct ProviderIdentity<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    /// The e-mail address, only when the provider said it verified it (`email_verified`).
    pub verified_email: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identified {
    /// The user linked to this subject (perhaps just now).
    User(UserId),
    /// A subject not linked yet, without a verified e-mail address to link it by.
    NoVerifiedEmail,
    /// Nobody Veertig knows: no active user has this subject or this address, or the user with
    /// this address is linked to another subject already.
    Unknown,
}

/// The user this identity belongs to, linking it at their first login. Runs in the caller's
/// transaction, with the link's audit row.
pub async fn identify(
    conn: &mut PgConnection,
    identity: &ProviderIdentity<'_>,
) -> Result<Identified, sqlx::Error> {
    let linked = sqlx::query!(
        r#"SELECT u.id AS "id: UserId", u.active AND (u.organisation_id IS NULL OR o.active) AS "usable!"
           FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id
           WHERE u.oidc_issuer = $1 AND u.oidc_subject = $2"#,
        identity.issuer,
        identity.subject
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = linked {
        // A deactivated user stays linked, and stays out.
        return Ok(if row.usable {
            Identified::User(row.id)
        } else {
            Identified::Unknown
        });
    }
    let Some(email) = identity.verified_email else {
        return Ok(Identified::NoVerifiedEmail);
    };
    // Only a user without a link: once linked, the subject decides, so someone else at the
    // provider who later gets this address does not get this account.
    let linked = sqlx::query_scalar!(
        r#"UPDATE users u SET oidc_issuer = $1, oidc_subject = $2, updated_at = now()
           WHERE u.email = lower($3) AND u.active AND u.oidc_subject IS NULL
             AND (u.organisation_id IS NULL
                  OR EXISTS (SELECT 1 FROM organisations o WHERE o.id = u.organisation_id AND o.active))
           RETURNING u.id AS "id: UserId""#,
        identity.issuer,
        identity.subject,
        email.trim()
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = linked else {
        return Ok(Identified::Unknown);
    };
    let after =
        serde_json::json!({ "oidc_issuer": identity.issuer, "oidc_subject": identity.subject });
    AuditEntry {
        actor: Some(id),
        action: "oidc_linked",
        entity: "user",
        entity_id: id.0,
        participant: None,
    }
    .record::<(), _>(conn, None, Some(&after))
    .await?;
    Ok(Identified::User(id))
}
