//! Contact persons: the organisation's `partner` users.

use rand::RngCore;
use serde::Serialize;
use sqlx::PgConnection;

use super::{Phone, audit};
use crate::domain::audit::AuditEntry;
use crate::domain::user::{self, CreateUserError, Email, NewPassword, NewUser, PersonName, Role};
use crate::values::ids::{OrganisationId, UserId};

/// A contact person: a partner user of the organisation.
#[derive(Debug, Clone)]
pub struct Contact {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub active: bool,
}

#[derive(Debug, Serialize)]
struct ContactAudit {
    id: UserId,
    email: String,
    name: String,
    phone: String,
}

/// Deletes the organisation's contact persons, each with the audit row of their account.
pub(super) async fn delete_all(
    conn: &mut PgConnection,
    actor: UserId,
    organisation: OrganisationId,
) -> Result<(), sqlx::Error> {
    let contacts = sqlx::query_as!(
        ContactAudit,
        r#"DELETE FROM users WHERE organisation_id = $1 AND role = 'partner'
           RETURNING id AS "id: UserId", email, name, phone"#,
        organisation.0
    )
    .fetch_all(&mut *conn)
    .await?;
    for contact in &contacts {
        AuditEntry {
            actor: Some(actor),
            action: "verwijderd",
            entity: "user",
            entity_id: contact.id.0,
            participant: None,
        }
        .record::<_, ()>(&mut *conn, Some(contact), None)
        .await?;
    }
    Ok(())
}

/// The organisation's contact persons, by name. The caller checked the scope.
pub async fn contacts(
    conn: &mut PgConnection,
    id: OrganisationId,
) -> Result<Vec<Contact>, sqlx::Error> {
    sqlx::query_as!(
        Contact,
        r#"SELECT id AS "id: UserId", name, email, phone, active
           FROM users
           WHERE organisation_id = $1 AND role = 'partner'
           ORDER BY lower(name), id"#,
        id.0
    )
    .fetch_all(conn)
    .await
}

/// A new contact person, parsed.
pub struct NewContact {
    pub name: PersonName,
    pub email: Email,
    pub phone: Phone,
}

/// Creates a `partner` account for the contact person. They get a long random password that
/// nobody ever sees: until a beheerder gives them one, they confirm hours through personal
/// links. Writes the user's audit row and one on the organisation; run it inside the caller's
/// transaction, after checking the organisation lies in the caller's scope.
pub async fn add_contact(
    conn: &mut PgConnection,
    actor: UserId,
    organisation: OrganisationId,
    contact: NewContact,
) -> Result<UserId, CreateUserError> {
    let password = NewPassword::parse(&unusable_password()).map_err(|_| {
        CreateUserError::Database(sqlx::Error::Protocol(
            "the generated password breaks the password rule".into(),
        ))
    })?;
    let name = contact.name.as_str().to_string();
    let email = contact.email.as_str().to_string();
    let id = user::create(
        &mut *conn,
        Some(actor),
        NewUser {
            email: contact.email,
            name: contact.name,
            role: Role::Partner,
            password,
            region_id: None,
            organisation_id: Some(organisation),
        },
    )
    .await?;
    sqlx::query!(
        "UPDATE users SET phone = $2 WHERE id = $1",
        id.0,
        contact.phone.as_str()
    )
    .execute(&mut *conn)
    .await?;
    audit(actor, "contactpersoon toegevoegd", organisation)
        .record::<(), _>(
            conn,
            None,
            Some(&ContactAudit {
                id,
                email,
                name,
                phone: contact.phone.as_str().to_string(),
            }),
        )
        .await?;
    Ok(id)
}

/// 64 random hexadecimal characters (256 bits): a password nobody knows or can guess.
fn unusable_password() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_passwords_are_long_and_different() {
        let a = unusable_password();
        assert_eq!(a.len(), 64);
        assert_ne!(a, unusable_password());
        assert!(NewPassword::parse(&a).is_ok());
    }
}
