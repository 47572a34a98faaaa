//! The benchmark's database and server: the private cluster's `veertig` database loaded at the
//! chosen scale, and the release server as its own process, serving as the runtime role.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use veertig::pg::PrivateCluster;

/// The role the server serves as, as in production (`veertig::db::APP_ROLE`): the round-trip
/// count reads the statements of this role only.
pub const SERVER_ROLE: &str = veertig::db::APP_ROLE;

/// Extra server settings of the benchmark's cluster: `pg_stat_statements` counts every statement
/// (also those run by triggers and functions, told apart by its `toplevel` column) and every
/// utility statement (BEGIN, COMMIT, SET), for the round-trip count.
pub const CLUSTER_SETTINGS: [(&str, &str); 3] = [
    ("shared_preload_libraries", "pg_stat_statements"),
    ("pg_stat_statements.track", "all"),
    ("pg_stat_statements.track_utility", "on"),
];

/// The database, loaded (once per data folder) and migrated; the runtime role may log in, and
/// `pg_stat_statements` is there. Returns the superuser's pool (fixtures, statistics) and the
/// server's URL, as the runtime role.
pub async fn prepare(cluster: &PrivateCluster, scale: &str) -> (PgPool, String) {
    {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect_with(&cluster.connect_options("postgres"))
            .await
            .expect("connect");
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'veertig')",
        )
        .fetch_one(&mut admin)
        .await
        .expect("query");
        if !exists {
            sqlx::query("CREATE DATABASE veertig")
                .execute(&mut admin)
                .await
                .expect("create");
        }
    }
    let socket = cluster
        .connect_options("postgres")
        .get_socket()
        .cloned()
        .expect("socket")
        .display()
        .to_string()
        .replace('/', "%2F");
    let url = format!("postgres://veertig@{socket}/veertig");
    let server_url = format!("postgres://{SERVER_ROLE}@{socket}/veertig");
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect(&url)
        .await
        .expect("bench pool");
    let loaded: bool = sqlx::query_scalar("SELECT to_regclass('public.regions') IS NOT NULL AND EXISTS (SELECT 1 FROM regions WHERE code = 'RGA')")
        .fetch_one(&pool)
        .await
        .unwrap_or(false);
    if !loaded {
        println!("Loading scale {scale} (once; kept in target/bench-pg)…");
        let started = Instant::now();
        let status = veertig()
            .args(["demo-data", "--scale", scale])
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "error")
            .status()
            .expect("demo-data runs");
        assert!(status.success(), "loading the data failed");
        println!("Loaded in {:.0} s.", started.elapsed().as_secs_f64());
    }
    // The owner applies new migrations; the server, as the runtime role, may not.
    let status = veertig()
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .status()
        .expect("migrate runs");
    assert!(status.success(), "the migrations failed");
    for statement in [
        // The migrations make the role without LOGIN; this is the benchmark's own cluster.
        format!("ALTER ROLE {SERVER_ROLE} LOGIN"),
        "CREATE EXTENSION IF NOT EXISTS pg_stat_statements".to_string(),
    ] {
        sqlx::query(&statement)
            .execute(&pool)
            .await
            .expect("role and extension");
    }
    (pool, server_url)
}

pub fn veertig() -> Command {
    Command::new(env!("CARGO_BIN_EXE_veertig"))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn start_server(url: &str, port: u16) -> Child {
    veertig()
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        .env("BENCH_LIMIT_PAGE", "true")
        // Its coördinatoren log in with a password only (the second factor has tests of its own).
        .env("SECOND_FACTOR_ROLES", "geen")
        .env(
            "DB_MAX_CONNECTIONS",
            std::env::var("DB_MAX_CONNECTIONS").unwrap_or_else(|_| "10".into()),
        )
        .stdout(Stdio::null())
        .spawn()
        .expect("the server starts")
}

pub async fn wait_until_up(base: &str) {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not come up");
}

/// VmHWM: the most resident memory the server process ever used.
pub fn peak_rss_kib(server: &Child) -> u64 {
    std::fs::read_to_string(format!("/proc/{}/status", server.id()))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}
