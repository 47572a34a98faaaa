//! The database: which server, the pool, the migrations.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::Config;
use crate::pg::{ClusterError, ClusterOptions, PrivateCluster};

pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Where the database lives: a server named by `DATABASE_URL`, or our own private cluster,
/// which stops when this value is dropped.
pub enum Database {
    External(Box<PgConnectOptions>),
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
}

impl Database {
    pub fn open(config: &Config) -> Result<Self, DbError> {
        match &config.database_url {
            Some(url) => Ok(Self::External(Box::new(
                url.parse().map_err(DbError::BadUrl)?,
            ))),
            None => Ok(Self::Private(PrivateCluster::start(&ClusterOptions {
                data_dir: config.data_dir.join("postgres"),
                ephemeral: false,
            })?)),
        }
    }

    pub fn is_private(&self) -> bool {
        matches!(self, Self::Private(_))
    }

    pub fn connect_options(&self) -> PgConnectOptions {
        match self {
            Self::External(options) => (**options).clone(),
            Self::Private(cluster) => cluster.connect_options(crate::pg::SUPERUSER),
        }
    }

    /// A pool on this database with the migrations applied.
    pub async fn migrated_pool(&self, max_connections: u32) -> Result<PgPool, DbError> {
        if let Self::Private(cluster) = self {
            create_database_once(cluster).await?;
        }
        let pool = pool(self.connect_options(), max_connections).await?;
        MIGRATOR.run(&pool).await?;
        Ok(pool)
    }
}

/// initdb makes only the `postgres` database; ours is created at the first start.
async fn create_database_once(cluster: &PrivateCluster) -> Result<(), DbError> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect_with(&cluster.connect_options("postgres"))
        .await
        .map_err(DbError::Connect)?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(crate::pg::SUPERUSER)
            .fetch_one(&mut conn)
            .await
            .map_err(DbError::Connect)?;
    if !exists {
        sqlx::query(&format!("CREATE DATABASE {}", crate::pg::SUPERUSER))
            .execute(&mut conn)
            .await
            .map_err(DbError::Connect)?;
    }
    conn.close().await.map_err(DbError::Connect)
}

pub async fn pool(options: PgConnectOptions, max_connections: u32) -> Result<PgPool, DbError> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        // During a database outage requests wait this long for a connection, then get the 503
        // page: long enough for a burst of traffic, short enough that nobody stares at a
        // spinner.
        .acquire_timeout(ACQUIRE_TIMEOUT)
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
