//! Users, their roles and the rules for their e-mail addresses, names and passwords; the
//! beheerder's management of accounts (change, deactivate, new password). Every change writes
//! its audit row in the caller's transaction; password hashes never reach the audit log.

use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;

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
    /// Twelve (ASVS 2.1.1): with the common-passwords list, long enough that online guessing
    /// within the login limits gets nowhere.
    pub const MIN_CHARS: usize = 12;
    /// Pass phrases of 64 characters and more are welcome; above 128 (ASVS 2.1.2) is refused,
    /// which also keeps hashing cheap for hostile input.
    pub const MAX_CHARS: usize = 128;

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
        with_argon2(move || password_auth::generate_hash(self.0))
            .await
            .unwrap_or_else(|join_error| std::panic::resume_unwind(join_error.into_panic()))
    }
}

/// How many argon2 computations run at once. Each takes 19 MiB and tens of milliseconds of a
/// core: a burst of logins at nine o'clock waits its turn instead of taking the server's memory
/// (and the cores the pages need).
static ARGON2_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs an argon2 hash or check off the async threads, when a slot is free.
pub async fn with_argon2<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    // The semaphore is never closed, so acquiring cannot fail; without a permit it still runs.
    // The permit goes with the work: a login whose browser gave up drops this future, but its
    // hash runs to the end and keeps the slot until then.
    let slot = ARGON2_SLOTS.acquire().await.ok();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
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
    /// A coach gets the weekly mail about their caseload (the caseload page shows the switch);
    /// loaded here because this query runs on every request anyway.
    #[serde(skip)]
    pub weekly_digest: bool,
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
                  u.session_generation, u.weekly_digest
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

/// What the audit log keeps of a user: no password hash, ever.
#[derive(Serialize)]
struct UserAudit<'a> {
    email: &'a str,
    name: &'a str,
    role: Role,
    region_id: Option<RegionId>,
    organisation_id: Option<OrganisationId>,
    /// Left out of a new account's row, as it always was: a new account is active.
    #[serde(skip_serializing_if = "Option::is_none")]
    active: Option<bool>,
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
            active: None,
        }),
    )
    .await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------------
// The beheerder's management of accounts

/// Why saving a user failed; all but the database's belong next to a form field.
#[derive(Debug, thiserror::Error)]
pub enum SaveUserError {
    #[error("Er bestaat al een gebruiker met dit e-mailadres.")]
    EmailTaken,
    #[error("Een partnercontact hoort bij precies één partnerorganisatie.")]
    PartnerNeedsOrganisation,
    #[error("Een trajectbegeleider of coördinator hoort bij een regio.")]
    StaffNeedsRegion,
    #[error("Kies een regio uit de lijst.")]
    UnknownRegion,
    #[error("Kies een organisatie uit de lijst.")]
    UnknownOrganisation,
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for SaveUserError {
    fn from(error: sqlx::Error) -> Self {
        CreateUserError::from(error).into()
    }
}

/// The beheerder's form can also name a region or organisation that is gone by now.
impl From<CreateUserError> for SaveUserError {
    fn from(error: CreateUserError) -> Self {
        match error {
            CreateUserError::EmailTaken => Self::EmailTaken,
            CreateUserError::PartnerNeedsOrganisation => Self::PartnerNeedsOrganisation,
            CreateUserError::StaffNeedsRegion => Self::StaffNeedsRegion,
            CreateUserError::Database(error) => {
                match error.as_database_error().and_then(|e| e.constraint()) {
                    Some("users_region_id_fkey") => Self::UnknownRegion,
                    Some("users_organisation_id_fkey") => Self::UnknownOrganisation,
                    _ => Self::Database(error),
                }
            }
        }
    }
}

/// A line of the user list.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub region: Option<String>,
    pub organisation: Option<String>,
}

/// One page of users whose name or e-mail contains `search` (case ignored), by name.
pub async fn list(
    conn: &mut PgConnection,
    search: &str,
    offset: i64,
    limit: i64,
) -> Result<Vec<UserRow>, sqlx::Error> {
    // The e-mail is stored in lower case; names compare in lower case too. Few users: no index.
    let typed = search.trim().to_lowercase();
    let pattern = (!typed.is_empty()).then(|| {
        let escaped = typed
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    sqlx::query_as!(
        UserRow,
        r#"SELECT u.id AS "id: UserId", u.name, u.email, u.role AS "role: Role", u.active,
                  r.name AS "region?", o.name AS "organisation?"
           FROM users u
           LEFT JOIN regions r ON r.id = u.region_id
           LEFT JOIN organisations o ON o.id = u.organisation_id
           WHERE $1::text IS NULL OR lower(u.name) LIKE $1 OR u.email LIKE $1
           ORDER BY lower(u.name), u.id
           OFFSET $2 LIMIT $3"#,
        pattern,
        offset,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// A user as the edit page shows it.
#[derive(Debug, Clone)]
pub struct UserDetail {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub region_id: Option<RegionId>,
    pub organisation_id: Option<OrganisationId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

pub async fn find(conn: &mut PgConnection, id: UserId) -> Result<Option<UserDetail>, sqlx::Error> {
    sqlx::query_as!(
        UserDetail,
        r#"SELECT id AS "id: UserId", name, email, role AS "role: Role", active,
                  region_id AS "region_id: RegionId",
                  organisation_id AS "organisation_id: OrganisationId", created_at, updated_at
           FROM users WHERE id = $1"#,
        id.0
    )
    .fetch_optional(conn)
    .await
}

impl UserDetail {
    fn audit(&self) -> UserAudit<'_> {
        UserAudit {
            email: &self.email,
            name: &self.name,
            role: self.role,
            region_id: self.region_id,
            organisation_id: self.organisation_id,
            active: Some(self.active),
        }
    }
}

async fn lock(conn: &mut PgConnection, id: UserId) -> Result<Option<UserDetail>, sqlx::Error> {
    sqlx::query!("SELECT id FROM users WHERE id = $1 FOR UPDATE", id.0)
        .fetch_optional(&mut *conn)
        .await?;
    find(conn, id).await
}

/// Audits a change to the account `before` was read from, with the account as it is now.
async fn audit_change(
    conn: &mut PgConnection,
    actor: UserId,
    action: &str,
    before: &UserDetail,
) -> Result<(), sqlx::Error> {
    let after = find(conn, before.id).await?;
    audit(conn, actor, action, before, after.as_ref()).await
}

async fn audit(
    conn: &mut PgConnection,
    actor: UserId,
    action: &str,
    before: &UserDetail,
    after: Option<&UserDetail>,
) -> Result<(), sqlx::Error> {
    AuditEntry {
        actor: Some(actor),
        action,
        entity: "user",
        entity_id: before.id.0,
        participant: None,
    }
    .record(
        conn,
        Some(&before.audit()),
        after.map(UserDetail::audit).as_ref(),
    )
    .await
}

/// Name, e-mail, role, region and organisation as the beheerder sets them.
pub struct UserChanges {
    pub name: PersonName,
    pub email: Email,
    pub role: Role,
    pub region_id: Option<RegionId>,
    pub organisation_id: Option<OrganisationId>,
}

/// Changes an account; `None` when there is no such user.
pub async fn update(
    conn: &mut PgConnection,
    actor: UserId,
    id: UserId,
    changes: &UserChanges,
) -> Result<Option<()>, SaveUserError> {
    let Some(before) = lock(conn, id).await? else {
        return Ok(None);
    };
    sqlx::query!(
        "UPDATE users SET name = $2, email = $3, role = $4, region_id = $5, organisation_id = $6,
             updated_at = now()
         WHERE id = $1",
        id.0,
        changes.name.as_str(),
        changes.email.as_str(),
        changes.role as Role,
        changes.region_id.map(|r| r.0),
        changes.organisation_id.map(|o| o.0),
    )
    .execute(&mut *conn)
    .await?;
    let action = if before.role == changes.role {
        "gewijzigd"
    } else {
        "rol gewijzigd"
    };
    audit_change(conn, actor, action, &before).await?;
    Ok(Some(()))
}

/// Deactivates or reactivates an account. A deactivated user's sessions stop working at their
/// next request (the session extractor only finds active users). `None`: no such user.
pub async fn set_active(
    conn: &mut PgConnection,
    actor: UserId,
    id: UserId,
    active: bool,
) -> Result<Option<()>, sqlx::Error> {
    let Some(before) = lock(conn, id).await? else {
        return Ok(None);
    };
    if before.active == active {
        return Ok(Some(()));
    }
    sqlx::query!(
        "UPDATE users SET active = $2, updated_at = now() WHERE id = $1",
        id.0,
        active
    )
    .execute(&mut *conn)
    .await?;
    let action = if active {
        "geactiveerd"
    } else {
        "gedeactiveerd"
    };
    audit_change(conn, actor, action, &before).await?;
    Ok(Some(()))
}

/// Gives the account a new password, ends its sessions (whoever knew the old password is out)
/// and forgets its failed logins, so the user can log in at once. The audit row says that it happened, not what the password is.
pub async fn set_password(
    conn: &mut PgConnection,
    actor: UserId,
    id: UserId,
    password: NewPassword,
) -> Result<Option<()>, sqlx::Error> {
    let Some(before) = lock(conn, id).await? else {
        return Ok(None);
    };
    let hash = password.hash().await;
    sqlx::query!(
        "UPDATE users SET password_hash = $2, session_generation = session_generation + 1,
                updated_at = now()
         WHERE id = $1",
        id.0,
        hash
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM login_failures WHERE email = $1", before.email)
        .execute(&mut *conn)
        .await?;
    audit(conn, actor, "wachtwoord ingesteld", &before, None).await?;
    Ok(Some(()))
}

/// How many users per role are active, for the beheerder's home page.
pub async fn active_by_role(conn: &mut PgConnection) -> Result<Vec<(Role, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT role AS "role: Role", count(*) AS "n!" FROM users WHERE active GROUP BY role"#
    )
    .fetch_all(conn)
    .await?;
    Ok(Role::ALL
        .into_iter()
        .map(|role| {
            let n = rows.iter().find(|r| r.role == role).map_or(0, |r| r.n);
            (role, n)
        })
        .collect())
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
        for common in [
            "password1234",
            "123456789123",
            "QwertyuiOP12",
            " PASSWORD1234 ",
        ] {
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
            NewPassword::parse(&"x".repeat(129)).err(),
            Some(UserInputError::PasswordTooLong)
        );
        assert!(NewPassword::parse(&"ab".repeat(64)).is_ok());
        assert!(NewPassword::parse(&"zin van een wachtwoord ".repeat(3)).is_ok());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(NewPassword::parse("kort").is_err());
        assert_eq!(
            NewPassword::parse("elf-tekens!").err(),
            Some(UserInputError::PasswordTooShort)
        );
        assert!(NewPassword::parse("twaalf-teken").is_ok());
        assert!(NewPassword::parse("veertig-demo").is_ok());
    }
}
