//! `veertig backup` and `veertig restore`: a dump of a database with data, restored into a
//! fresh private cluster, backed up from there and restored into an empty database, holds
//! every row of every table; a database that holds anything is refused.

use std::process::Output;

use sqlx::{Connection, PgConnection};

use crate::helpers::{TestApp, admin_options, database_url};

/// Runs the binary with one variable saying where the database is (`DATABASE_URL` or
/// `DATA_DIR`).
async fn run(variable: &'static str, value: &str, args: &[&str]) -> Output {
    let mut command = crate::cli::veertig();
    command.env(variable, value).args(args);
    tokio::task::spawn_blocking(move || command.output().expect("veertig runs"))
        .await
        .expect("ran")
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every table outside the system schemas with its rows: a count and a digest of the rows in
/// a fixed order.
async fn every_table(database: &str) -> Vec<(String, i64, Option<String>)> {
    let mut conn = PgConnection::connect_with(&admin_options(database))
        .await
        .expect("connect");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
         WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    let mut rows = Vec::new();
    for table in tables {
        let (count, digest): (i64, Option<String>) = sqlx::query_as(&format!(
            "SELECT count(*), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM {table} t"
        ))
        .fetch_one(&mut conn)
        .await
        .expect("rows");
        rows.push((table, count, digest));
    }
    conn.close().await.expect("close");
    rows
}

#[tokio::test]
async fn a_backup_restores_every_row_and_a_database_with_data_is_refused() {
    let app = TestApp::spawn().await;
    veertig::demo::load(&app.pool).await.expect("demo data");
    let response = app
        .login("begeleider@example.org", veertig::demo::PASSWORD)
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
    let before = every_table(&app.database).await;
    let entries = before
        .iter()
        .find(|(table, ..)| table == "public.hour_entries")
        .map(|(_, count, _)| *count);
    assert!(entries.unwrap_or(0) > 0, "{before:?}");

    let folder =
        std::env::temp_dir().join(format!("veertig-backup-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&folder).expect("folder");
    let first = folder.join("first.dump").display().to_string();
    let second = folder.join("second.dump").display().to_string();
    let data_dir = folder.join("data").display().to_string();
    let source = database_url(&app.database);

    // From DATABASE_URL into a fresh private cluster.
    let stdout = succeeded(&run("DATABASE_URL", &source, &["backup", &first]).await);
    assert!(stdout.contains("Backup written to"), "{stdout}");
    let again = run("DATABASE_URL", &source, &["backup", &first]).await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    succeeded(&run("DATA_DIR", &data_dir, &["restore", &first]).await);

    // A restored cluster holds data, so a second restore into it is refused…
    let refused = run("DATA_DIR", &data_dir, &["restore", &first]).await;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("the database is not empty"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // …as is a restore into the database the backup came from.
    let refused = run("DATABASE_URL", &source, &["restore", &first]).await;
    assert!(!refused.status.success());

    // From the private cluster into an empty database, and compared with where it started.
    succeeded(&run("DATA_DIR", &data_dir, &["backup", &second]).await);
    let empty = format!("restored_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect_with(&admin_options("postgres"))
        .await
        .expect("admin");
    sqlx::query(&format!("CREATE DATABASE {empty}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    admin.close().await.expect("close");
    succeeded(&run("DATABASE_URL", &database_url(&empty), &["restore", &second]).await);
    assert_eq!(every_table(&empty).await, before);
    assert_eq!(every_table(&app.database).await, before);
    std::fs::remove_dir_all(&folder).expect("clean up");
}
