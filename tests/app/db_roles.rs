//! Least privilege in PostgreSQL (ASVS 1.2.1, 7.3.3): the app serves as a role that changes no
//! schema and only adds to the logs; a trigger keeps the logs whole even for the owner.

use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::helpers::{TestApp, admin_options};

/// A log row of each kind, as the app writes them.
async fn log_rows(app: &TestApp) -> Uuid {
    let participant = app.create_participant("Lena Peeters", None, None).await;
    sqlx::query(
        "INSERT INTO audit_log (action, entity, entity_id, participant_id, after)
         VALUES ('aangemaakt', 'participant', $1, $1, '{\"full_name\": \"Lena Peeters\"}')",
    )
    .bind(participant.0)
    .execute(&app.pool)
    .await
    .expect("the runtime role adds to the audit log");
    sqlx::query("INSERT INTO access_log (kind, participant_id, path) VALUES ('inzage', $1, '/x')")
        .bind(participant.0)
        .execute(&app.pool)
        .await
        .expect("the runtime role adds to the access log");
    participant.0
}

/// The SQLSTATE and message of a statement that must fail.
async fn refusal(conn: &mut PgConnection, statement: &str) -> (String, String) {
    let error = sqlx::query(statement)
        .execute(conn)
        .await
        .expect_err(statement);
    let database = error.as_database_error().expect("a database error");
    (
        database
            .code()
            .map(|code| code.to_string())
            .unwrap_or_default(),
        database.message().to_string(),
    )
}

#[tokio::test]
async fn the_runtime_role_only_adds_to_the_logs_and_changes_no_schema() {
    let app = TestApp::spawn().await;
    log_rows(&app).await;
    let mut conn = app.pool.acquire().await.expect("connection");
    let role: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&mut *conn)
        .await
        .expect("role");
    assert_eq!(
        role,
        veertig::db::APP_ROLE,
        "the tests serve as the runtime role"
    );
    let superuser: bool =
        sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut *conn)
            .await
            .expect("rolsuper");
    assert!(!superuser);

    for statement in [
        "UPDATE audit_log SET action = 'verzonnen'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE access_log SET path = '/elders'",
        "DELETE FROM access_log",
        "TRUNCATE access_log",
        "CREATE TABLE stash (x int)",
        "CREATE FUNCTION stash() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "DROP TABLE participants",
        "ALTER TABLE participants ADD COLUMN x int",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "CREATE INDEX stash_idx ON participants (phone)",
        "DROP TABLE tower_sessions.session",
        "CREATE TABLE tower_sessions.stash (x int)",
        "DELETE FROM _sqlx_migrations",
    ] {
        let (code, message) = refusal(&mut conn, statement).await;
        assert_eq!(code, "42501", "{statement}: {message}");
        assert!(
            message.contains("permission denied") || message.contains("must be owner"),
            "{statement}: {message}"
        );
    }
    // What serving needs still works: the logs grow and are read, sessions come and go.
    let (audit, access): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM access_log)",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("the logs are read");
    assert_eq!((audit, access), (1, 1));
    sqlx::query("DELETE FROM tower_sessions.session WHERE expiry_date < now()")
        .execute(&mut *conn)
        .await
        .expect("expired sessions are removed");
}

#[tokio::test]
async fn even_the_owner_cannot_change_or_remove_log_rows() {
    let app = TestApp::spawn().await;
    let participant = log_rows(&app).await;
    let mut owner = PgConnection::connect_with(&admin_options(&app.database))
        .await
        .expect("owner connection");
    for statement in [
        "UPDATE audit_log SET action = 'verzonnen'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE access_log SET path = '/elders'",
        "DELETE FROM access_log",
        "TRUNCATE access_log",
        // The one change allowed, scrubbing personal fields, only once anonymised...
        "UPDATE audit_log SET after = audit_scrubbed(after, anonymous_participant_name(participant_id))",
    ] {
        let (code, message) = refusal(&mut owner, statement).await;
        assert_eq!(code, "42501", "{statement}: {message}");
        assert!(
            message.contains("the log only grows"),
            "{statement}: {message}"
        );
    }
    sqlx::query("UPDATE participants SET anonymised_at = now() WHERE id = $1")
        .bind(participant)
        .execute(&mut owner)
        .await
        .expect("anonymised");
    // ...and never with anything else changed along.
    for statement in [
        "UPDATE audit_log SET after = '{\"full_name\": \"Iemand anders\"}'",
        "UPDATE audit_log SET action = 'verzonnen',
             after = audit_scrubbed(after, anonymous_participant_name(participant_id))",
    ] {
        let (code, message) = refusal(&mut owner, statement).await;
        assert_eq!(code, "42501", "{statement}: {message}");
    }
    let (audit, access): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM audit_log WHERE action = 'aangemaakt'
                   AND after->>'full_name' = 'Lena Peeters'),
                (SELECT count(*) FROM access_log WHERE path = '/x')",
    )
    .fetch_one(&mut owner)
    .await
    .expect("counts");
    assert_eq!((audit, access), (1, 1), "every log row is as written");

    // The runtime role scrubs through the granted function, and only anonymised participants.
    let scrubbed: i64 = sqlx::query_scalar("SELECT scrub_anonymised_audit($1)")
        .bind(vec![participant])
        .fetch_one(&app.pool)
        .await
        .expect("the runtime role may call the scrub function");
    assert_eq!(scrubbed, 1);
    let name: String = sqlx::query_scalar("SELECT after->>'full_name' FROM audit_log")
        .fetch_one(&app.pool)
        .await
        .expect("name");
    assert_eq!(
        name,
        format!("Geanonimiseerd {}", &participant.simple().to_string()[..8])
    );
    let _ = owner.close().await;
}

#[tokio::test]
async fn audit_rows_lose_personal_fields_only() {
    let app = TestApp::spawn().await;
    let scrub = async |value: Value, anonymous: &str| -> Value {
        sqlx::query_scalar("SELECT audit_scrubbed($1, $2)")
            .bind(value)
            .bind(anonymous)
            .fetch_one(&app.pool)
            .await
            .expect("audit_scrubbed")
    };
    let row = json!({
        "full_name": "Олена Шевченко",
        "birth_date": "1990-05-17",
        "phone": "0470 12 34 56",
        "email": "olena@example.org",
        "notes": "Allergisch voor katten",
        "available_days": 5,
        "status": "afgerond",
        "municipality_id": "x",
    });
    assert_eq!(
        scrub(row, "Geanonimiseerd 12345678").await,
        json!({
            "full_name": "Geanonimiseerd 12345678",
            "birth_date": "1990-01-01",
            "phone": "",
            "email": "",
            "notes": "",
            "available_days": 0,
            "status": "afgerond",
            "municipality_id": "x",
        })
    );
    assert_eq!(
        scrub(json!({ "birth_date": [1990, 137] }), "G").await,
        json!({ "birth_date": "1990-01-01" })
    );
    assert_eq!(
        scrub(json!({ "birth_date": "onbekend" }), "G").await,
        json!({ "birth_date": null })
    );
    assert_eq!(
        scrub(json!(["not", "an", "object"]), "G").await,
        json!(["not", "an", "object"])
    );
    assert_eq!(scrub(json!({}), "G").await, json!({}));

    let id: Uuid = "6f1c2a9e-0000-4000-8000-000000000000"
        .parse()
        .expect("uuid");
    let name: String = sqlx::query_scalar("SELECT anonymous_participant_name($1)")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("anonymous name");
    assert_eq!(name, "Geanonimiseerd 6f1c2a9e");
}
