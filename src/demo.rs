//! Demo data: one region with its municipalities, a partner organisation and a login per role.
//! Loaded the first time `cargo run` starts its private cluster, or by `veertig demo-data`.

use sqlx::PgPool;

use crate::domain::ids::{OrganisationId, RegionId};
use crate::domain::user::{self, CreateUserError, Email, NewPassword, NewUser, PersonName, Role};

pub const PASSWORD: &str = "veertig-demo";

pub const LOGINS: [(&str, Role); 4] = [
    ("beheerder@example.org", Role::Admin),
    ("coordinator@example.org", Role::Coordinator),
    ("begeleider@example.org", Role::Coach),
    ("partner@example.org", Role::Partner),
];

const MUNICIPALITIES: [&str; 6] = [
    "Brugge", "Beernem", "Damme", "Jabbeke", "Oostkamp", "Zedelgem",
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("demo user: {0}")]
    User(#[from] CreateUserError),
    #[error("demo data is invalid: {0}")]
    Invalid(#[from] user::UserInputError),
}

/// Whether the database holds no users yet (a fresh install).
pub async fn is_empty(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let exists = sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM users) AS "exists!""#)
        .fetch_one(pool)
        .await?;
    Ok(!exists)
}

/// Loads the demo data in one transaction. Returns false when it was already there.
pub async fn load(pool: &PgPool) -> Result<bool, DemoError> {
    let mut tx = pool.begin().await?;
    let already = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE email = $1) AS "exists!""#,
        LOGINS[0].0
    )
    .fetch_one(&mut *tx)
    .await?;
    if already {
        return Ok(false);
    }
    let region = sqlx::query_scalar!(
        r#"INSERT INTO regions (code, name) VALUES ('BRG', 'Regio Brugge')
           ON CONFLICT (code) DO UPDATE SET code = EXCLUDED.code
           RETURNING id AS "id: RegionId""#
    )
    .fetch_one(&mut *tx)
    .await?;
    for name in MUNICIPALITIES {
        sqlx::query!(
            "INSERT INTO municipalities (region_id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            region.0,
            name
        )
        .execute(&mut *tx)
        .await?;
    }
    let organisation = sqlx::query_scalar!(
        r#"INSERT INTO organisations (region_id, name, kind)
           VALUES ($1, 'Buurtwerk De Brug', 'buurtwerking')
           ON CONFLICT (region_id, name) DO UPDATE SET name = EXCLUDED.name
           RETURNING id AS "id: OrganisationId""#,
        region.0
    )
    .fetch_one(&mut *tx)
    .await?;
    let names = [
        "Bram Beheerder",
        "Chloë Coördinator",
        "Bilal Begeleider",
        "Petra Partner",
    ];
    for ((email, role), name) in LOGINS.into_iter().zip(names) {
        user::create(
            &mut tx,
            None,
            NewUser {
                email: Email::parse(email)?,
                name: PersonName::parse(name)?,
                role,
                password: NewPassword::parse(PASSWORD)?,
                region_id: matches!(role, Role::Coach | Role::Coordinator | Role::Admin)
                    .then_some(region),
                organisation_id: (role == Role::Partner).then_some(organisation),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}
