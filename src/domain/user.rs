//! Users, their roles and the rules for their e-mail addresses, names and passwords.

use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use super::audit::AuditEntry;
use super::ids::{OrganisationId, RegionId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, Serialize)]
#[sqlx(type_name = "user_role", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Coordinator,
    Coach,
    Partner,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Coordinator, Role::Coach, Role::Partner];

    /// The word the users know the role by.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "beheerder",
            Role::Coordinator => "coördinator",
            Role::Coach => "trajectbegeleider",
            Role::Partner => "partnercontact",
        }
    }

    /// Accepts the code name and the Dutch words: `admin`/`beheerder`, `coach`/`trajectbegeleider`…
    pub fn parse(input: &str) -> Option<Self> {
        match input.trim().to_lowercase().as_str() {
            "admin" | "beheerder" => Some(Role::Admin),
            "coordinator" | "coördinator" => Some(Role::Coordinator),
            "coach" | "trajectbegeleider" | "netwerkcoach" => Some(Role::Coach),
            "partner" | "partnercontact" => Some(Role::Partner),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserInputError {
    #[error("Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be.")]
    InvalidEmail,
    #[error("Vul een naam in.")]
    EmptyName,
    #[error("Een wachtwoord heeft minstens {min} tekens.", min = NewPassword::MIN_CHARS)]
    PasswordTooShort,
}

/// A syntactically valid e-mail address, trimmed and in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, UserInputError> {
        let email = input.trim().to_lowercase();
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !email.chars().any(char::is_whitespace)
                    && email.len() <= 254
            }
            None => false,
        };
        if valid {
            Ok(Self(email))
        } else {
            Err(UserInputError::InvalidEmail)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as they write it, in any script; only surrounding space is removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, UserInputError> {
        let name = input.trim();
        if name.is_empty() {
            Err(UserInputError::EmptyName)
        } else {
            Ok(Self(name.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password someone chose, long enough to be worth hashing.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(input: &str) -> Result<Self, UserInputError> {
        if input.chars().count() >= Self::MIN_CHARS {
            Ok(Self(input.to_string()))
        } else {
            Err(UserInputError::PasswordTooShort)
        }
    }

    /// A random password to hand over once: four groups of four letters and digits without
    /// look-alikes (`kq7m-3xpt-9hwe-ur4c`, about 78 bits). Returns the text and the password.
    pub fn generate() -> (String, Self) {
        use rand::Rng;
        const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
        let mut rng = rand::rng();
        let text = (0..4)
            .map(|_| {
                (0..4)
                    .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("-");
        (text.clone(), Self(text))
    }

    /// argon2id; slow on purpose, so run it off the async threads.
    pub async fn hash(self) -> String {
        tokio::task::spawn_blocking(move || password_auth::generate_hash(self.0))
            .await
            .unwrap_or_else(|join_error| std::panic::resume_unwind(join_error.into_panic()))
    }
}

/// The logged-in user, as loaded for every request.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentUser {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub region_id: Option<RegionId>,
    pub organisation_id: Option<OrganisationId>,
}

pub async fn find_active(
    conn: &mut PgConnection,
    id: UserId,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    sqlx::query_as!(
        CurrentUser,
        r#"SELECT id AS "id: UserId", name, email, role AS "role: Role",
                  region_id AS "region_id: RegionId",
                  organisation_id AS "organisation_id: OrganisationId"
           FROM users WHERE id = $1 AND active"#,
        id.0
    )
    .fetch_optional(conn)
    .await
}

/// The active user of a session that still exists in PostgreSQL, in one query. Pages read the
/// session itself from an in-process cache; asking PostgreSQL whether the session row is still
/// there keeps a logout (or an ended session) effective on every instance at the next request.
pub async fn find_active_in_session(
    pool: &PgPool,
    id: UserId,
    session_id: &str,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    sqlx::query_as!(
        CurrentUser,
        r#"SELECT id AS "id: UserId", name, email, role AS "role: Role",
                  region_id AS "region_id: RegionId",
                  organisation_id AS "organisation_id: OrganisationId"
           FROM users
           WHERE id = $1 AND active
             AND EXISTS (SELECT 1 FROM tower_sessions.session
                         WHERE session.id = $2 AND expiry_date > now())"#,
        id.0,
        session_id
    )
    .fetch_optional(pool)
    .await
}

/// What a new account is made of.
pub struct NewUser {
    pub email: Email,
    pub name: PersonName,
    pub role: Role,
    pub password: NewPassword,
    pub region_id: Option<RegionId>,
    pub organisation_id: Option<OrganisationId>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("Er bestaat al een gebruiker met dit e-mailadres.")]
    EmailTaken,
    #[error("Een partnercontact hoort bij precies één partnerorganisatie.")]
    PartnerNeedsOrganisation,
    #[error("Een trajectbegeleider of coördinator hoort bij een regio.")]
    StaffNeedsRegion,
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for CreateUserError {
    fn from(error: sqlx::Error) -> Self {
        match error.as_database_error().and_then(|e| e.constraint()) {
            Some("users_email_key") => Self::EmailTaken,
            Some("users_partner_has_organisation") => Self::PartnerNeedsOrganisation,
            Some("users_staff_has_region") => Self::StaffNeedsRegion,
            _ => Self::Database(error),
        }
    }
}

#[derive(Serialize)]
struct UserAudit<'a> {
    email: &'a str,
    name: &'a str,
    role: Role,
    region_id: Option<RegionId>,
    organisation_id: Option<OrganisationId>,
}

/// Creates the account and its audit row; run it inside the caller's transaction.
pub async fn create(
    conn: &mut PgConnection,
    actor: Option<UserId>,
    user: NewUser,
) -> Result<UserId, CreateUserError> {
    let hash = user.password.hash().await;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO users (email, name, role, password_hash, region_id, organisation_id)
           VALUES ($1, $2, $3, $4, $5, $6)
           RETURNING id AS "id: UserId""#,
        user.email.as_str(),
        user.name.as_str(),
        user.role as Role,
        hash,
        user.region_id.map(|id| id.0),
        user.organisation_id.map(|id| id.0),
    )
    .fetch_one(&mut *conn)
    .await?;
    AuditEntry {
        actor,
        action: "aangemaakt",
        entity: "user",
        entity_id: id.0,
        participant: None,
    }
    .record::<(), _>(
        conn,
        None,
        Some(&UserAudit {
            email: user.email.as_str(),
            name: user.name.as_str(),
            role: user.role,
            region_id: user.region_id,
            organisation_id: user.organisation_id,
        }),
    )
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            Email::parse("  Ann.Peeters@Brugge.BE ").unwrap().as_str(),
            "ann.peeters@brugge.be"
        );
    }

    #[test]
    fn email_without_domain_dot_or_at_is_refused() {
        for bad in [
            "",
            "ann",
            "ann@",
            "@brugge.be",
            "ann@brugge",
            "ann @brugge.be",
            "a@b@c.be",
        ] {
            assert_eq!(
                Email::parse(bad),
                Err(UserInputError::InvalidEmail),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn names_keep_their_script() {
        assert_eq!(
            PersonName::parse("  ሰላም ተስፋይ ").unwrap().as_str(),
            "ሰላም ተስፋይ"
        );
        assert_eq!(PersonName::parse("   "), Err(UserInputError::EmptyName));
    }

    #[test]
    fn roles_parse_from_code_and_dutch_names() {
        assert_eq!(Role::parse("beheerder"), Some(Role::Admin));
        assert_eq!(Role::parse("Trajectbegeleider"), Some(Role::Coach));
        assert_eq!(Role::parse("coördinator"), Some(Role::Coordinator));
        assert_eq!(Role::parse("partner"), Some(Role::Partner));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn generated_passwords_are_long_enough_and_differ() {
        let (first, password) = NewPassword::generate();
        let (second, _) = NewPassword::generate();
        assert_eq!(first.len(), 19);
        assert!(first.chars().count() >= NewPassword::MIN_CHARS);
        assert_eq!(password.0, first);
        assert_ne!(first, second);
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(NewPassword::parse("kort").is_err());
        assert!(NewPassword::parse("veertig-demo").is_ok());
    }
}
