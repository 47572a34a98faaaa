//! `veertig backup` and `veertig restore`: a consistent dump in pg_dump's custom format, of the
//! private cluster or of `DATABASE_URL`, and loading one into an empty database.
//!
//! The programs come from the same PostgreSQL installation as the server binaries, so a dump
//! of the private cluster is always readable by its own `pg_restore`. Roles are kept in the
//! dump: the target needs `veertig_owner` and `veertig_app` (the private cluster makes them).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::{Connection, PgConnection};

use crate::db::{Database, DbError};
use crate::pg::{self, ClusterError};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("cannot run {program}: {source}")]
    Run {
        program: String,
        source: std::io::Error,
    },
    #[error("{program} failed ({status}):\n{stderr}")]
    Failed {
        program: String,
        status: std::process::ExitStatus,
        stderr: String,
    },
    #[error("{0} does not exist")]
    NoFile(PathBuf),
    #[error("{0} exists already; name a new file")]
    FileExists(PathBuf),
    #[error(
        "the database is not empty ({0} tables and other objects): restore into an empty \
         DATA_DIR or an empty database, so nothing is mixed or overwritten"
    )]
    NotEmpty(i64),
}

/// Where pg_dump and pg_restore find the database: libpq arguments, and the programs' folder.
struct Target {
    connection: Vec<OsString>,
    tools: PathBuf,
}

impl Target {
    fn of(database: &Database) -> Result<Self, BackupError> {
        match database {
            Database::Private(cluster) => Ok(Self {
                connection: vec![
                    "--host".into(),
                    cluster.socket_dir().into(),
                    "--username".into(),
                    pg::SUPERUSER.into(),
                    "--dbname".into(),
                    pg::SUPERUSER.into(),
                ],
                tools: cluster.bin_dir().to_path_buf(),
            }),
            Database::External { url, .. } => Ok(Self {
                connection: vec!["--dbname".into(), url.into()],
                tools: pg::find_client_tools()?,
            }),
        }
    }

    fn run(&self, program: &str, args: &[OsString]) -> Result<(), BackupError> {
        let output = Command::new(self.tools.join(program))
            .args(args)
            .args(&self.connection)
            .output()
            .map_err(|source| BackupError::Run {
                program: program.into(),
                source,
            })?;
        if output.status.success() {
            Ok(())
        } else {
            Err(BackupError::Failed {
                program: program.into(),
                status: output.status,
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            })
        }
    }
}

/// The file name `veertig backup` uses when none is given: `veertig-2026-12-03-1405.dump`.
pub fn default_file(now: time::OffsetDateTime) -> PathBuf {
    let local = crate::values::dates::in_belgium(now);
    PathBuf::from(format!(
        "veertig-{}-{:02}{:02}.dump",
        crate::values::dates::iso_date(local.date()),
        local.hour(),
        local.minute()
    ))
}

/// Writes a consistent dump (one snapshot, whatever runs meanwhile) to `file`, which must not
/// exist yet: a backup never overwrites an older one.
pub async fn backup(database: &Database, file: &Path) -> Result<(), BackupError> {
    if file.exists() {
        return Err(BackupError::FileExists(file.to_path_buf()));
    }
    // On a fresh private cluster this makes the roles and the (empty) database to dump.
    database.owner_options().await?;
    let target = Target::of(database)?;
    let partial = file.with_extension("partial");
    let result = target.run(
        "pg_dump",
        &[
            "--format=custom".into(),
            "--file".into(),
            partial.clone().into(),
        ],
    );
    // Only a finished dump gets the name asked for, so a file by that name is always whole.
    match result {
        Ok(()) => std::fs::rename(&partial, file).map_err(|source| BackupError::Run {
            program: "rename".into(),
            source,
        }),
        Err(error) => {
            // Nothing to keep of a failed dump; the error says why it failed.
            let _ = std::fs::remove_file(&partial);
            Err(error)
        }
    }
}

/// Loads a dump into the database, which must be empty; all of it or, on any error, nothing.
pub async fn restore(database: &Database, file: &Path) -> Result<(), BackupError> {
    if !file.is_file() {
        return Err(BackupError::NoFile(file.to_path_buf()));
    }
    // On a fresh private cluster this makes the roles and the empty database to load into.
    let mut conn = PgConnection::connect_with(&database.owner_options().await?)
        .await
        .map_err(DbError::Connect)?;
    let objects: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(DbError::Connect)?;
    conn.close().await.map_err(DbError::Connect)?;
    if objects > 0 {
        return Err(BackupError::NotEmpty(objects));
    }
    Target::of(database)?.run(
        "pg_restore",
        &[
            "--single-transaction".into(),
            "--exit-on-error".into(),
            file.into(),
        ],
    )
}
