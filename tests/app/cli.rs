//! The `veertig` binary itself: zero-config start and stop, and its commands.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp, database_url};

fn veertig() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_veertig"));
    command.env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    command
}

/// Starts `veertig serve` on a private cluster in `data_dir`; returns it and its address.
fn start_serving(data_dir: &Path) -> (Child, String, Vec<String>) {
    let mut child = veertig()
        .env("DATA_DIR", data_dir)
        .env("BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
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
