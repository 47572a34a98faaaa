//! Users, their roles and the rules for their e-mail addresses, names and passwords.

use serde::Serialize;
use sqlx::PgConnection;

use super::audit::AuditEntry;
use crate::values::ids::{OrganisationId, RegionId, UserId};

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
    #[error("Een wachtwoord heeft hoogstens {max} tekens.", max = NewPassword::MAX_CHARS)]
    PasswordTooLong,
    #[error(
        "Dit wachtwoord staat op een lijst van veelgebruikte wachtwoorden die aanvallers als eerste proberen. Kies een ander, bijvoorbeeld een zin van een paar woorden."
    )]
    PasswordTooCommon,
}

/// The 19,640 most common passwords of breach corpora (Django's list, BSD licence: see
/// `common-passwords.LICENSE`), lower case, one per line.
static COMMON_PASSWORDS: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| include_str!("common-passwords.txt").lines().collect());

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
    /// Long pass phrases are welcome; the cap only keeps hashing cheap for hostile input.
    pub const MAX_CHARS: usize = 200;

    /// Long enough, not absurdly long, and not one of the passwords attackers try first
    /// (compared without regard to case or surrounding space).
    pub fn parse(input: &str) -> Result<Self, UserInputError> {
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS {
            Err(UserInputError::PasswordTooShort)
        } else if chars > Self::MAX_CHARS {
            Err(UserInputError::PasswordTooLong)
        } else if COMMON_PASSWORDS.contains(input.trim().to_lowercase().as_str()) {
            Err(UserInputError::PasswordTooCommon)
        } else {
            Ok(Self(input.to_string()))
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
    /// Moves on when all the user's sessions must end (a new password); sessions remember it.
    #[serde(skip)]
    pub session_generation: i32,
}

/// An active account; a partnercontact also needs an active organisation. With `in_session`, only
/// while that session row still exists: pages read the session from an in-process cache, and
/// asking PostgreSQL in the same query keeps a logout or an ended session effective on every
/// instance from the next request on.
pub async fn find_active<'e>(
    db: impl sqlx::PgExecutor<'e>,
    id: UserId,
    in_session: Option<&str>,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    sqlx::query_as!(
        CurrentUser,
        r#"SELECT u.id AS "id: UserId", u.name, u.email, u.role AS "role: Role",
                  u.region_id AS "region_id: RegionId",
                  u.organisation_id AS "organisation_id: OrganisationId",
                  u.session_generation
           FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id
           WHERE u.id = $1 AND u.active AND (u.organisation_id IS NULL OR o.active)
             AND ($2::text IS NULL
                  OR EXISTS (SELECT 1 FROM tower_sessions.session s
                             WHERE s.id = $2 AND s.expiry_date > now()))"#,
        id.0,
        in_session
    )
    .fetch_optional(db)
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
    fn common_passwords_are_refused_whatever_their_case() {
        for common in ["password123", "1234567890", "Qwertyuiop", " PASSWORD123 "] {
            assert_eq!(
                NewPassword::parse(common).err(),
                Some(UserInputError::PasswordTooCommon),
                "{common:?}"
            );
        }
        assert!(COMMON_PASSWORDS.len() > 10_000);
        assert!(NewPassword::parse("fiets-regen-brugge-7").is_ok());
    }

    #[test]
    fn absurdly_long_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse(&"x".repeat(201)).err(),
            Some(UserInputError::PasswordTooLong)
        );
        assert!(NewPassword::parse(&"ab".repeat(100)).is_ok());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(NewPassword::parse("kort").is_err());
        assert!(NewPassword::parse("veertig-demo").is_ok());
    }
}
