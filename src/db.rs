//! The database: which server, the pool, the migrations.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

use crate::config::Config;
use crate::pg::{ClusterError, ClusterOptions, PrivateCluster};

pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// A pooled connection used this recently is handed out without a ping.
const RECENTLY_USED: Duration = Duration::from_secs(1);

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The role the application serves as: it reads and writes rows, changes no schema, and only
/// adds to the audit and access logs (the migration `least_privilege` grants exactly that).
pub const APP_ROLE: &str = "veertig_app";

/// The role that owns the private cluster's database and runs its migrations. (With
/// `DATABASE_URL` the owner is whichever role `veertig migrate` connects as.)
pub const OWNER_ROLE: &str = "veertig_owner";

/// Where the database lives: a server named by `DATABASE_URL`, or our own private cluster,
/// which stops when this value is dropped.
pub enum Database {
    External {
        options: Box<PgConnectOptions>,
        /// As given, for the PostgreSQL client programs (`veertig backup`, `restore`).
        url: String,
    },
    Private(PrivateCluster),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("DATABASE_URL is not a valid PostgreSQL URL: {0}")]
    BadUrl(sqlx::Error),
    #[error("cannot connect to PostgreSQL: {0}")]
    Connect(sqlx::Error),
    #[error("cannot apply the migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "role {role} may not change the schema, so it cannot apply the migrations: run \
         `veertig migrate` with the DATABASE_URL of the database's owner (README, \"Database roles\")"
    )]
    NotOwner { role: String },
    #[error(
        "role {role} may not change the schema and {problem}: run `veertig migrate` with the \
         DATABASE_URL of the database's owner first (README, \"Database roles\")"
    )]
    NotMigrated { role: String, problem: String },
}

impl Database {
    pub fn open(config: &Config) -> Result<Self, DbError> {
        match &config.database_url {
            Some(url) => Ok(Self::External {
                options: Box::new(url.parse().map_err(DbError::BadUrl)?),
                url: url.clone(),
            }),
            None => Ok(Self::Private(PrivateCluster::start(&ClusterOptions {
                data_dir: config.data_dir.join("postgres"),
                ephemeral: false,
            })?)),
        }
    }

    pub fn is_private(&self) -> bool {
        matches!(self, Self::Private(_))
    }

    /// Applies the migrations as the owner (`veertig migrate`, and every start of the private
    /// cluster). A `DATABASE_URL` role that may not change the schema gets a clear error.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let mut conn = sqlx::PgConnection::connect_with(&self.owner_options().await?)
            .await
            .map_err(DbError::Connect)?;
        let (role, may_change) = schema_rights(&mut conn).await?;
        if !may_change {
            return Err(DbError::NotOwner { role });
        }
        MIGRATOR.run(&mut conn).await?;
        conn.close().await.map_err(DbError::Connect)
    }

    /// A pool of the serving role on an up-to-date database. The private cluster migrates as
    /// its owner and serves as [`APP_ROLE`]. With `DATABASE_URL` a role that may change the
    /// schema applies the migrations itself; one that may not (the runtime role) skips them,
    /// says so, and stops when some are missing.
    pub async fn serving_pool(&self, max_connections: u32) -> Result<PgPool, DbError> {
        match self {
            Self::Private(cluster) => {
                self.migrate().await?;
                let options = cluster
                    .connect_options(crate::pg::SUPERUSER)
                    .username(APP_ROLE);
                pool(options, max_connections).await
            }
            Self::External { options, .. } => {
                let pool = pool((**options).clone(), max_connections).await?;
                let mut conn = pool.acquire().await.map_err(DbError::Connect)?;
                let (role, may_change) = schema_rights(&mut conn).await?;
                if may_change {
                    MIGRATOR.run(&mut *conn).await?;
                } else {
                    check_migrated(&mut conn, &role).await?;
                    tracing::info!(
                        %role,
                        "skipped the migrations: this role may not change the schema, and the \
                         database is up to date (after an upgrade run `veertig migrate` as the owner)"
                    );
                }
                Ok(pool)
            }
        }
    }

    /// A pool of the owner, for work beyond the runtime role's rights (loading benchmark data
    /// drops and rebuilds indexes). Its statements write millions of rows and are slow by
    /// design: sqlx's slow-statement warnings, which print each statement whole, stay off.
    pub async fn owner_pool(&self, max_connections: u32) -> Result<PgPool, DbError> {
        let options = self.owner_options().await?.disable_statement_logging();
        pool(options, max_connections).await
    }

    /// The owner's connection; on the private cluster this first makes the roles and the
    /// (empty) database when they are missing.
    pub async fn owner_options(&self) -> Result<PgConnectOptions, DbError> {
        match self {
            Self::External { options, .. } => Ok((**options).clone()),
            Self::Private(cluster) => {
                let owner = prepare_private_database(cluster).await?;
                Ok(cluster
                    .connect_options(crate::pg::SUPERUSER)
                    .username(&owner))
            }
        }
    }
}

/// The connected role, and whether it may create objects in its schema (what migrations do).
async fn schema_rights(conn: &mut sqlx::PgConnection) -> Result<(String, bool), DbError> {
    sqlx::query_as(
        "SELECT current_user::text,
                has_schema_privilege(coalesce(current_schema(), 'public'), 'CREATE')",
    )
    .fetch_one(conn)
    .await
    .map_err(DbError::Connect)
}

/// Every migration this build knows is applied (the runtime role may read sqlx's table).
async fn check_migrated(conn: &mut sqlx::PgConnection, role: &str) -> Result<(), DbError> {
    let not_migrated = |problem: String| DbError::NotMigrated {
        role: role.to_string(),
        problem,
    };
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(conn)
            .await
            .map_err(|error| {
                not_migrated(format!(
                    "cannot read which migrations are applied ({error})"
                ))
            })?;
    let missing: Vec<String> = MIGRATOR
        .iter()
        .filter(|migration| !migration.migration_type.is_down_migration())
        .filter(|migration| !applied.contains(&migration.version))
        .map(|migration| migration.version.to_string())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(not_migrated(format!(
            "migrations {} are not applied",
            missing.join(", ")
        )))
    }
}

/// Creates the two login roles of a private cluster when they are missing. Roles belong to
/// the whole cluster, so this is needed once per cluster; it is safe to repeat, also from two
/// processes at once. Needs a superuser connection.
pub async fn create_roles(conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    for role in [OWNER_ROLE, APP_ROLE] {
        sqlx::query(&format!(
            "DO $$
             BEGIN
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                     CREATE ROLE {role} LOGIN;
                 END IF;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
             END
             $$"
        ))
        .execute(&mut *conn)
        .await?;
    }
    // A migration run earlier on this cluster may have made the runtime role without LOGIN.
    sqlx::query(&format!("ALTER ROLE {APP_ROLE} LOGIN"))
        .execute(conn)
        .await?;
    Ok(())
}

/// The roles, and the database (owned by [`OWNER_ROLE`]) at the first start; returns the
/// database's owner, who runs the migrations. A database made before the roles existed stays
/// owned by the cluster's superuser, which then keeps migrating it.
async fn prepare_private_database(cluster: &PrivateCluster) -> Result<String, DbError> {
    let mut conn = sqlx::PgConnection::connect_with(&cluster.connect_options("postgres"))
        .await
        .map_err(DbError::Connect)?;
    create_roles(&mut conn).await.map_err(DbError::Connect)?;
    let owner: Option<String> = sqlx::query_scalar(
        "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = $1",
    )
    .bind(crate::pg::SUPERUSER)
    .fetch_optional(&mut conn)
    .await
    .map_err(DbError::Connect)?;
    let owner = match owner {
        Some(owner) => owner,
        None => {
            sqlx::query(&format!(
                "CREATE DATABASE {} OWNER {OWNER_ROLE}",
                crate::pg::SUPERUSER
            ))
            .execute(&mut conn)
            .await
            .map_err(DbError::Connect)?;
            // Before PostgreSQL 15 `public` belongs to the superuser, and only its owner can
            // take away everyone's right to create objects in it (the migration does).
            let mut database =
                sqlx::PgConnection::connect_with(&cluster.connect_options(crate::pg::SUPERUSER))
                    .await
                    .map_err(DbError::Connect)?;
            sqlx::query(&format!("ALTER SCHEMA public OWNER TO {OWNER_ROLE}"))
                .execute(&mut database)
                .await
                .map_err(DbError::Connect)?;
            database.close().await.map_err(DbError::Connect)?;
            OWNER_ROLE.to_string()
        }
    };
    conn.close().await.map_err(DbError::Connect)?;
    Ok(owner)
}

pub async fn pool(options: PgConnectOptions, max_connections: u32) -> Result<PgPool, DbError> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        // During a database outage requests wait this long for a connection, then get the 503
        // page: long enough for a burst of traffic, short enough that nobody stares at a
        // spinner.
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // sqlx pings every connection before handing it out: a round trip per acquire, as many
        // as some pages' queries. A connection used within the last second is alive, so only
        // one idle for longer is pinged (after a database restart the pool's connections have
        // idled at least that long, and a dead one is closed and replaced instead of failing a
        // request).
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= RECENTLY_USED {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        // "Today" is the Belgian day everywhere (`values::dates::today`): SQL's `current_date`
        // and casts of timestamps to dates agree with it, also between 23:00 and 01:00 UTC.
        // (sqlx sets TimeZone=UTC when it connects, so this follows it.)
        //
        // JIT compilation is off: PostgreSQL switches it on for any query whose estimated cost
        // passes a threshold, and for the region-wide reports it cost 200 ms of compiling for
        // queries that run in tens of milliseconds.
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET TimeZone = 'Europe/Brussels'")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("SET jit = off").execute(conn).await.map(|_| ())
            })
        })
        .connect_with(options)
        .await
        .map_err(DbError::Connect)
}
