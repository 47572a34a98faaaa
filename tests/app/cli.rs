//! The `veertig` binary itself: zero-config start and stop, and its commands.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use sqlx::{Connection, PgConnection};
use veertig::db::{APP_ROLE, OWNER_ROLE};
use veertig::pg::{ClusterOptions, PrivateCluster};

use crate::helpers::{
    PASSWORD, TestApp, admin_options, database_url, database_url_as, status_counts_differing,
};

/// The binary, with no database but what the test gives it and only warnings logged.
pub(crate) fn veertig() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_veertig"));
    command.env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    command
}

/// Starts `veertig serve` on a private cluster in `data_dir`; returns it and its address.
fn start_serving(data_dir: &Path) -> (Child, String, Vec<String>) {
    let mut command = veertig();
    command
        .env("DATA_DIR", data_dir)
        .env("METRICS_BIND", "127.0.0.1:0")
        .stderr(Stdio::inherit());
    serve_until_ready(command)
}

/// Runs `command` (`veertig serve` on a free port) until it serves; returns it, its address
/// and what it printed.
fn serve_until_ready(mut command: Command) -> (Child, String, Vec<String>) {
    let mut child = command
        .env("BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("veertig starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = Vec::new();
    let mut address = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line of output");
        if let Some(url) = line.strip_prefix("Veertig is running at ") {
            address = Some(url.to_string());
        }
        let done = line.starts_with("Stop with Ctrl-C");
        lines.push(line);
        if done {
            break;
        }
    }
    (child, address.expect("the URL is printed"), lines)
}

fn stop(mut child: Child) {
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let status = child.wait().expect("veertig exits");
    assert!(status.success(), "clean exit after SIGTERM: {status}");
}

/// Processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .map(|cmdline| String::from_utf8_lossy(&cmdline).replace('\0', " "))
        .filter(|cmdline| cmdline.contains(needle))
        .collect()
}

#[tokio::test]
async fn serve_without_database_url_runs_its_own_postgres_and_stops_it() {
    let data_dir =
        std::env::temp_dir().join(format!("veertig-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let cluster_dir = data_dir.join("postgres");

    let (child, url, lines) = tokio::task::spawn_blocking({
        let data_dir = data_dir.clone();
        move || start_serving(&data_dir)
    })
    .await
    .expect("started");
    assert!(
        lines
            .iter()
            .any(|line| line == "First start: demo data loaded."),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.contains("begeleider@example.org"))
    );
    let client = reqwest::Client::new();
    let login = client
        .get(format!("{url}/login"))
        .send()
        .await
        .expect("GET /login");
    assert_eq!(login.status(), StatusCode::OK);
    // METRICS_BIND: its own listener serves /metrics without a token; the main one has none.
    let metrics = lines
        .iter()
        .find_map(|line| line.strip_prefix("Metrics at "))
        .expect("the metrics URL is printed");
    let scraped = client.get(metrics).send().await.expect("GET /metrics");
    assert_eq!(scraped.status(), StatusCode::OK);
    let text = scraped.text().await.expect("metrics");
    assert!(
        text.contains(r#"veertig_http_requests_total{route="/login",method="GET",status="200"} 1"#),
        "{text}"
    );
    let main = client
        .get(format!("{url}/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(main.status(), StatusCode::NOT_FOUND);
    assert_private_roles(&cluster_dir).await;
    assert!(cluster_dir.join("postmaster.pid").exists());
    assert!(!processes_mentioning(&cluster_dir.display().to_string()).is_empty());
    tokio::task::spawn_blocking(move || stop(child))
        .await
        .expect("stopped");
    assert!(
        !cluster_dir.join("postmaster.pid").exists(),
        "postgres shut down cleanly"
    );
    assert!(processes_mentioning(&cluster_dir.display().to_string()).is_empty());

    // The second start reuses the data: no new demo data, same logins.
    let (child, url, lines) = tokio::task::spawn_blocking({
        let data_dir = data_dir.clone();
        move || start_serving(&data_dir)
    })
    .await
    .expect("started again");
    assert!(
        !lines.iter().any(|line| line.contains("First start")),
        "{lines:?}"
    );
    let ready = client
        .get(format!("{url}/readyz"))
        .send()
        .await
        .expect("GET /readyz");
    assert_eq!(ready.status(), StatusCode::OK);
    tokio::task::spawn_blocking(move || stop(child))
        .await
        .expect("stopped");
    assert!(processes_mentioning(&cluster_dir.display().to_string()).is_empty());
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// The private cluster's database belongs to the owner role, and the app serves as the
/// runtime role, not as the cluster's superuser.
async fn assert_private_roles(cluster_dir: &Path) {
    let options = ClusterOptions {
        data_dir: cluster_dir.to_path_buf(),
        ephemeral: false,
    };
    // Finds the cluster the app runs and shares it; dropping this handle leaves it running.
    let cluster = tokio::task::spawn_blocking(move || PrivateCluster::start(&options))
        .await
        .expect("joined")
        .expect("the running cluster");
    let mut conn = PgConnection::connect_with(&cluster.connect_options("veertig"))
        .await
        .expect("superuser connection");
    let owner: String = sqlx::query_scalar(
        "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = 'veertig'",
    )
    .fetch_one(&mut conn)
    .await
    .expect("owner");
    assert_eq!(owner, OWNER_ROLE);
    let serving: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT usename::text FROM pg_stat_activity
         WHERE datname = 'veertig' AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut conn)
    .await
    .expect("sessions");
    assert_eq!(serving, [APP_ROLE]);
    conn.close().await.expect("close");
}

/// An empty database of the owner role, set up as the README's "Database roles" says; its name
/// and a superuser's connection to it.
async fn empty_database_of_the_owner() -> (String, PgConnection) {
    TestApp::spawn().await;
    let database = format!("roles_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect_with(&admin_options("postgres"))
        .await
        .expect("admin connection");
    sqlx::query(&format!("CREATE DATABASE {database} OWNER {OWNER_ROLE}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    admin.close().await.expect("close");
    let mut admin = PgConnection::connect_with(&admin_options(&database))
        .await
        .expect("admin connection");
    sqlx::query(&format!("ALTER SCHEMA public OWNER TO {OWNER_ROLE}"))
        .execute(&mut admin)
        .await
        .expect("schema owner");
    (database, admin)
}

#[tokio::test]
async fn serve_as_the_runtime_role_skips_the_migrations_the_owner_ran() {
    let (database, mut admin) = empty_database_of_the_owner().await;
    let runtime_url = database_url_as(&database, APP_ROLE);
    let run = |url: &str, args: &'static [&'static str]| {
        let mut command = veertig();
        command
            .env("DATABASE_URL", url)
            .env("BIND", "127.0.0.1:0")
            .args(args);
        tokio::task::spawn_blocking(move || command.output().expect("veertig runs"))
    };

    // The runtime role can neither migrate the empty database nor serve it; it says who can.
    for args in [&["migrate"][..], &["serve"][..]] {
        let output = run(&runtime_url, args).await.expect("ran");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains("role veertig_app may not change the schema")
                && stderr.contains("veertig migrate"),
            "{args:?}: {stderr}"
        );
    }

    let output = run(&database_url_as(&database, OWNER_ROLE), &["migrate"])
        .await
        .expect("ran");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Migrations applied."));
    let owner: String =
        sqlx::query_scalar("SELECT tableowner::text FROM pg_tables WHERE tablename = 'audit_log'")
            .fetch_one(&mut admin)
            .await
            .expect("table owner");
    assert_eq!(owner, OWNER_ROLE);
    admin.close().await.expect("close");

    // Now the runtime role serves, and says it left the migrations alone.
    let mut command = veertig();
    command
        .env("DATABASE_URL", &runtime_url)
        .env("RUST_LOG", "warn,veertig=info")
        .stderr(Stdio::piped());
    let (mut child, url, _) = tokio::task::spawn_blocking(move || serve_until_ready(command))
        .await
        .expect("serving");
    let stderr = child.stderr.take().expect("stderr");
    for path in ["/login", "/readyz"] {
        let response = reqwest::get(format!("{url}{path}")).await.expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let log = tokio::task::spawn_blocking(move || {
        stop(child);
        std::io::read_to_string(stderr).expect("log")
    })
    .await
    .expect("stopped");
    assert!(
        log.lines()
            .any(|line| line.contains("skipped the migrations") && line.contains(APP_ROLE)),
        "{log}"
    );
}

fn run_with_stdin(mut command: Command, input: &str) -> std::process::Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("veertig runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("output")
}

#[tokio::test]
async fn create_user_makes_an_account_that_can_log_in() {
    let app = TestApp::spawn().await;
    let mut command = veertig();
    command
        .env("DATABASE_URL", database_url(&app.database))
        .args([
            "create-user",
            "--role",
            "trajectbegeleider",
            "--email",
            "Nieuw@Gemeente.be",
        ])
        .args(["--name", "Nour Al-Haddad", "--region", "tst"]);
    let output =
        tokio::task::spawn_blocking(move || run_with_stdin(command, &format!("{PASSWORD}\n")))
            .await
            .expect("ran");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let response = app.login("nieuw@gemeente.be", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(crate::helpers::location(&response), "/caseload");
}

#[tokio::test]
async fn create_user_explains_what_is_missing() {
    let app = TestApp::spawn().await;
    let url = database_url(&app.database);
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &[
                "--role",
                "partner",
                "--email",
                "p@test.example",
                "--name",
                "P",
            ],
            PASSWORD,
            "needs --organisation",
        ),
        (
            &[
                "--role",
                "coach",
                "--email",
                "c@test.example",
                "--name",
                "C",
            ],
            "kort",
            "minstens 12 tekens",
        ),
        (
            &["--role", "coach", "--email", "geen-adres", "--name", "C"],
            PASSWORD,
            "geldig e-mailadres",
        ),
    ];
    for (args, password, expected) in cases {
        let mut command = veertig();
        command
            .env("DATABASE_URL", &url)
            .arg("create-user")
            .args(args);
        let input = format!("{password}\n");
        let output = tokio::task::spawn_blocking(move || run_with_stdin(command, &input))
            .await
            .expect("ran");
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{expected:?} not in {stderr:?}");
    }
}

#[tokio::test]
async fn migrate_and_demo_data_commands_work_on_an_external_database() {
    let app = TestApp::spawn().await;
    let url = database_url(&app.database);
    for args in [&["migrate"][..], &["demo-data"][..]] {
        let output = veertig()
            .env("DATABASE_URL", &url)
            .args(args)
            .output()
            .expect("ran");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let demo = TestApp::spawn_on(&app).await;
    let response = demo
        .login("partner@example.org", veertig::demo::PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

/// `demo-data --scale` as the owner, the way the README says: it names each step and what it
/// loaded, and the console gets no warnings (no statement text, no notice per system table).
#[tokio::test]
async fn demo_data_at_scale_reports_its_steps_without_warnings() {
    let (database, admin) = empty_database_of_the_owner().await;
    admin.close().await.expect("close");
    let url = database_url_as(&database, OWNER_ROLE);
    let output = tokio::task::spawn_blocking(move || {
        veertig()
            .env("DATABASE_URL", &url)
            .arg("migrate")
            .status()
            .expect("veertig migrate runs");
        veertig()
            .env("DATABASE_URL", &url)
            .args(["demo-data", "--scale", "200"])
            .output()
            .expect("veertig demo-data runs")
    })
    .await
    .expect("ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("stopping it (Ctrl-C) before then leaves the database as it was"),
        "{stdout}"
    );
    for step in ["participants", "hour entries", "vacuum analyze"] {
        assert!(stdout.contains(&format!("  {step} ")), "{step}: {stdout}");
    }
    assert!(stdout.contains("Loaded in"), "{stdout}");
    assert!(stderr.trim().is_empty(), "{stderr}");
    // The dashboard's status counts, loaded with their trigger off, equal a recount.
    let pool = sqlx::PgPool::connect(&database_url_as(&database, OWNER_ROLE))
        .await
        .expect("connect");
    let diff = status_counts_differing(&pool).await;
    assert_eq!(
        diff, 0,
        "status counts differ from the participants after the load"
    );
    pool.close().await;
}
