//! Load benchmark: Veertig's real pages under concurrent load, as logged-in users, against a
//! database of a chosen scale, compared with a "limit page" (one indexed query and a small
//! template, the classic fortunes shape) measured in the same run.
//!
//!     cargo bench --bench load -- --scale flanders --seconds 10 --connections 32
//!
//! The app runs as its own release process (`target/release/veertig`) on a private PostgreSQL
//! cluster under `target/bench-pg/<scale>`, loaded once with `veertig demo-data --scale` and
//! reused by later runs. The limit page is served by the same server process, through the same
//! middleware as every page but without a login (`BENCH_LIMIT_PAGE=true` switches it on).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::sync::Mutex;
use veertig::pg::{ClusterOptions, PrivateCluster};

struct Options {
    scale: String,
    seconds: u64,
    connections: usize,
}

/// `--only TEXT`: measure only the pages whose name contains TEXT (and the limit page).
static ONLY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn options() -> Options {
    let mut options = Options {
        scale: "3000".into(),
        seconds: 10,
        connections: 32,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--scale" => options.scale = args.next().unwrap_or(options.scale),
            "--seconds" => {
                options.seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(options.seconds)
            }
            "--connections" => {
                options.connections = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(options.connections)
            }
            "--only" => {
                let _ = ONLY.set(args.next().unwrap_or_default());
            }
            _ => {} // cargo bench passes --bench
        }
    }
    options
}

fn main() {
    let options = options();
    let data_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-pg")
        .join(&options.scale);
    let cluster = PrivateCluster::start(&ClusterOptions {
        data_dir: data_dir.join("postgres"),
        ephemeral: true,
    })
    .expect("the benchmark cluster starts");
    let url = {
        let socket = cluster
            .connect_options("postgres")
            .get_socket()
            .cloned()
            .expect("socket");
        format!(
            "postgres://veertig@{}/veertig",
            socket.display().to_string().replace('/', "%2F")
        )
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(options, url, &cluster));
    drop(runtime);
    drop(cluster);
}

fn veertig() -> Command {
    Command::new(env!("CARGO_BIN_EXE_veertig"))
}

async fn run(options: Options, url: String, cluster: &PrivateCluster) {
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
        println!(
            "Loading scale {} (once; kept in target/bench-pg)…",
            options.scale
        );
        let started = Instant::now();
        let status = veertig()
            .args(["demo-data", "--scale", &options.scale])
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "error")
            .status()
            .expect("demo-data runs");
        assert!(status.success(), "loading the data failed");
        println!("Loaded in {:.0} s.", started.elapsed().as_secs_f64());
    }
    let counts: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM participants), (SELECT count(*) FROM hour_entries)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");

    let port = free_port();
    let mut server = start_server(&url, port);
    let base = format!("http://127.0.0.1:{port}");
    wait_until_up(&base).await;

    let fixtures = Fixtures::load(&pool).await;
    let coaches = log_in_many(&base, &fixtures.coach_emails, options.connections).await;
    let coordinators = log_in_many(
        &base,
        std::slice::from_ref(&fixtures.coordinator_email),
        options.connections,
    )
    .await;
    let partners = log_in_many(&base, &fixtures.partner_emails, options.connections).await;

    let duration = Duration::from_secs(options.seconds);
    let mut results = Vec::new();
    let limit = measure_always(
        "limit page (1 query + template)",
        &base,
        &coaches,
        duration,
        Arc::new(|_, _| Request::get("/bench/limit?regio=RGA".into())),
    )
    .await;
    results.push(limit.clone());

    let participant_ids = Arc::new(fixtures.participant_ids.clone());
    let placements = Arc::new(fixtures.placements.clone());
    let recent_days = Arc::new(fixtures.recent_days.clone());

    results.extend(
        measure(
            "coach home /caseload",
            &base,
            &coaches,
            duration,
            Arc::new(|_, _| Request::get("/caseload".into())),
        )
        .await,
    );
    results.extend(
        measure("participant page", &base, &coaches, duration, {
            let ids = participant_ids.clone();
            Arc::new(move |n, _| Request::get(format!("/inburgeraars/{}", ids[n % ids.len()])))
        })
        .await,
    );
    results.extend(
        measure(
            "participant search",
            &base,
            &coaches,
            duration,
            Arc::new(|n, _| {
                let terms = ["ozt", "олена", "محمد", "peet", "ተስፋ", "benali"];
                Request::get(format!(
                    "/inburgeraars?q={}",
                    urlencode(terms[n % terms.len()])
                ))
            }),
        )
        .await,
    );
    results.extend(
        measure("matching (zoek een plaats)", &base, &coaches, duration, {
            let ids = participant_ids.clone();
            Arc::new(move |n, _| {
                Request::get(format!(
                    "/inburgeraars/{}/zoek-een-plaats",
                    ids[n % ids.len()]
                ))
            })
        })
        .await,
    );
    results.extend(
        measure(
            "partner pending /partner",
            &base,
            &partners,
            duration,
            Arc::new(|_, _| Request::get("/partner".into())),
        )
        .await,
    );
    results.extend(
        measure(
            "coordinator dashboard",
            &base,
            &coordinators,
            duration,
            Arc::new(|_, _| Request::get("/coordinatie".into())),
        )
        .await,
    );
    results.extend(
        measure(
            "CSV export (funder report)",
            &base,
            &coordinators,
            duration,
            Arc::new(|_, _| Request::get("/rapporten/financier.csv".into())),
        )
        .await,
    );
    results.extend(
        measure("log an entry (POST)", &base, &coaches, duration, {
            let placements = placements.clone();
            let days = recent_days.clone();
            Arc::new(move |n, _| {
                // Each placement gets one entry per day, going back a day per round, so no
                // participant reaches the 12-hours-a-day limit however long the run.
                let day = &days[(n / placements.len()) % days.len()];
                Request::post(
                    format!("/plaatsingen/{}/uren", placements[n % placements.len()]),
                    vec![
                        ("dates".into(), day.clone()),
                        ("minutes".into(), "15 min".into()),
                        ("description".into(), String::new()),
                    ],
                )
            })
        })
        .await,
    );
    results.extend(
        measure_confirm(
            &base,
            &partners,
            &pool,
            &fixtures.partner_organisations,
            duration,
        )
        .await,
    );

    let peak_kib = peak_rss_kib(&server);
    let _ = server.kill();
    let _ = server.wait();

    println!();
    println!(
        "Scale: {} participants, {} hour entries; {} connections, {} s per page.",
        counts.0, counts.1, options.connections, options.seconds
    );
    println!();
    println!("| page | requests/s | ratio to limit | p50 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|");
    for result in &results {
        println!(
            "| {} | {:.0} | {:.0}% | {:.1} | {:.1} | {} |",
            result.name,
            result.rps,
            result.rps / limit.rps * 100.0,
            result.p50_ms,
            result.p99_ms,
            result.errors
        );
    }
    println!();
    println!("Server peak RSS: {:.0} MB", peak_kib as f64 / 1024.0);
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s[1..].to_string())
        .unwrap_or_default()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_server(url: &str, port: u16) -> Child {
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

async fn wait_until_up(base: &str) {
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
fn peak_rss_kib(server: &Child) -> u64 {
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

// --- Users and the data they touch ------------------------------------------------------------

/// Pending entries of each benchmark partner's organisation while the partner list is measured:
/// a fresh Flanders data set has about 300 (the last two of each placement).
const LIST_BACKLOG: usize = 300;

/// Pending entries of the benchmark partners' organisations together when confirming starts,
/// shared equally: more than the connections confirm in a run (about 10,000 at 1,250/s for
/// 8 s), so that none of them runs out while others still have some.
const CONFIRM_BACKLOG: usize = 24_000;

struct Fixtures {
    coach_emails: Vec<String>,
    coordinator_email: String,
    partner_emails: Vec<String>,
    participant_ids: Vec<String>,
    placements: Vec<String>,
    /// The organisation of each partner in `partner_emails`.
    partner_organisations: Vec<uuid::Uuid>,
    /// The last 28 days (`DD/MM/YYYY`), yesterday first: inside every benchmark placement.
    recent_days: Vec<String>,
}

impl Fixtures {
    async fn load(pool: &PgPool) -> Self {
        // Coaches of region RGA (the coordinator's region), with their participants.
        let coach_emails: Vec<String> = sqlx::query_scalar(
            "SELECT u.email FROM users u JOIN regions r ON r.id = u.region_id
             WHERE r.code = 'RGA' AND u.role = 'coach' ORDER BY u.email LIMIT 32",
        )
        .fetch_all(pool)
        .await
        .expect("coaches");
        let participant_ids: Vec<String> = sqlx::query_scalar(
            "SELECT p.id::text FROM participants p JOIN regions r ON r.id = p.region_id
             WHERE r.code = 'RGA' ORDER BY p.id LIMIT 2000",
        )
        .fetch_all(pool)
        .await
        .expect("participants");
        let placements: Vec<String> = sqlx::query_scalar(
            "SELECT pl.id::text FROM placements pl JOIN participants p ON p.id = pl.participant_id
             JOIN regions r ON r.id = p.region_id
             WHERE r.code = 'RGA' AND p.status = 'actief' AND pl.status = 'lopend'
               AND pl.starts_on <= current_date - 28 AND pl.ends_on >= current_date - 1
             ORDER BY pl.id LIMIT 5000",
        )
        .fetch_all(pool)
        .await
        .expect("placements");
        let partners: Vec<(String, uuid::Uuid)> = sqlx::query_as(
            "SELECT email, organisation_id FROM users WHERE role = 'partner' AND email LIKE '%@scale.example'
             ORDER BY email LIMIT 32",
        )
        .fetch_all(pool)
        .await
        .expect("partners");
        let partner_organisations: Vec<uuid::Uuid> = partners
            .iter()
            .map(|(_, organisation)| *organisation)
            .collect();
        top_up_pending(pool, &partner_organisations, LIST_BACKLOG * partners.len()).await;
        let recent_days: Vec<String> = sqlx::query_scalar(
            "SELECT to_char(current_date - d, 'DD/MM/YYYY') FROM generate_series(1, 28) AS d ORDER BY d",
        )
        .fetch_all(pool)
        .await
        .expect("dates");
        Self {
            coach_emails,
            coordinator_email: "coordinator-rga@scale.example".into(),
            partner_emails: partners.into_iter().map(|(email, _)| email).collect(),
            partner_organisations,
            participant_ids,
            placements,
            recent_days,
        }
    }
}

/// A logged-in browser: its cookie and its CSRF token.
#[derive(Clone)]
struct Session {
    client: reqwest::Client,
    csrf: String,
}

async fn log_in(base: &str, email: &str) -> Session {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .build()
        .expect("client");
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("body");
    let csrf = csrf_of(&page);
    let response = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", email),
            ("password", "veertig-demo"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 303, "login as {email}");
    let home = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let page = client
        .get(format!("{base}{home}"))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("body");
    Session {
        csrf: csrf_of(&page),
        client,
    }
}

fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf-token\" content=\"";
    let start = page.find(marker).expect("a CSRF token") + marker.len();
    page[start..start + 64].to_string()
}

/// One session per connection, cycling through the given users.
async fn log_in_many(base: &str, emails: &[String], connections: usize) -> Vec<Session> {
    let mut sessions = Vec::new();
    for n in 0..connections {
        sessions.push(log_in(base, &emails[n % emails.len()]).await);
    }
    sessions
}

/// Gives the organisations `backlog` pending entries together (equally shared), whatever earlier
/// runs confirmed, so every run measures the same backlog; returns the pending entries (id,
/// version) of each organisation. New entries are of the last 28 days, on the organisation's
/// running placements. Then does what autovacuum does soon after such a batch on a live
/// database: the participants' totals changed, and the name search reads the table's
/// visibility map.
async fn top_up_pending(
    pool: &PgPool,
    organisations: &[uuid::Uuid],
    backlog: usize,
) -> Vec<Vec<(String, i32)>> {
    let each = i32::try_from(backlog / organisations.len().max(1)).unwrap_or(i32::MAX);
    let mut pending = Vec::new();
    for organisation in organisations {
        sqlx::query(
            "WITH pl AS (
                 SELECT pl.id, pl.participant_id, pl.organisation_id,
                        row_number() OVER (ORDER BY pl.id) - 1 AS i, count(*) OVER () AS n
                 FROM placements pl JOIN participants p ON p.id = pl.participant_id
                 WHERE pl.organisation_id = $1 AND pl.status = 'lopend' AND p.status = 'actief'
                   AND pl.starts_on <= current_date - 28 AND pl.ends_on >= current_date - 1),
             missing AS (
                 SELECT greatest(0, $2 - count(*))::int AS n FROM hour_entries
                 WHERE organisation_id = $1 AND status = 'ingediend')
             INSERT INTO hour_entries (placement_id, participant_id, organisation_id,
                                       worked_on, minutes, status)
             SELECT pl.id, pl.participant_id, pl.organisation_id,
                    current_date - 1 - ((g / pl.n) % 28)::int, 15, 'ingediend'
             FROM missing, generate_series(0, missing.n - 1) AS g
             JOIN pl ON pl.i = g % pl.n",
        )
        .bind(organisation)
        .bind(each)
        .execute(pool)
        .await
        .expect("pending backlog");
        let rows: Vec<(String, i32)> = sqlx::query_as(
            "SELECT id::text, version FROM hour_entries WHERE organisation_id = $1 AND status = 'ingediend'",
        )
        .bind(organisation)
        .fetch_all(pool)
        .await
        .expect("pending entries");
        pending.push(rows);
    }
    sqlx::query("VACUUM participants")
        .execute(pool)
        .await
        .expect("vacuum");
    pending
}

// --- Load -------------------------------------------------------------------------------------

#[derive(Clone)]
struct Request {
    path: String,
    form: Option<Vec<(String, String)>>,
}

impl Request {
    fn get(path: String) -> Self {
        Self { path, form: None }
    }
    fn post(path: String, form: Vec<(String, String)>) -> Self {
        Self {
            path,
            form: Some(form),
        }
    }
}

type MakeRequest = Arc<dyn Fn(usize, usize) -> Request + Send + Sync>;

#[derive(Clone)]
struct Outcome {
    name: String,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
}

fn outcome(name: &str, mut latencies: Vec<Duration>, errors: usize, elapsed: Duration) -> Outcome {
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    Outcome {
        name: name.to_string(),
        rps: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        errors,
    }
}

/// Whether `--only` leaves this page in.
fn selected(name: &str) -> bool {
    ONLY.get().is_none_or(|only| name.contains(only.as_str()))
}

/// `measure_always`, for the pages `--only` leaves in.
async fn measure(
    name: &str,
    base: &str,
    sessions: &[Session],
    duration: Duration,
    make: MakeRequest,
) -> Option<Outcome> {
    if !selected(name) {
        return None;
    }
    Some(measure_always(name, base, sessions, duration, make).await)
}

/// Closed loop: every connection sends its next request as soon as the last one answered.
async fn measure_always(
    name: &str,
    base: &str,
    sessions: &[Session],
    duration: Duration,
    make: MakeRequest,
) -> Outcome {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (connection, session) in sessions.iter().cloned().enumerate() {
        let base = base.to_string();
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut n = connection * 7919;
            while started.elapsed() < duration {
                let request = make(n, connection);
                n += 1;
                let sent = Instant::now();
                let response = match &request.form {
                    None => {
                        session
                            .client
                            .get(format!("{base}{}", request.path))
                            .send()
                            .await
                    }
                    Some(form) => {
                        let mut fields = form.clone();
                        fields.push(("csrf_token".into(), session.csrf.clone()));
                        session
                            .client
                            .post(format!("{base}{}", request.path))
                            .form(&fields)
                            .send()
                            .await
                    }
                };
                let ok = match response {
                    Ok(response) => {
                        let status = response.status();
                        let body = response.bytes().await;
                        body.is_ok() && (status.is_success() || status.is_redirection())
                    }
                    Err(_) => false,
                };
                latencies.push(sent.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mut l, e) = task.await.expect("load task");
        latencies.append(&mut l);
        errors += e;
    }
    outcome(name, latencies, errors, started.elapsed())
}

/// The pending entries (id, version) one partner works through.
type EntryQueue = Arc<Mutex<Vec<(String, i32)>>>;

/// Partners confirming pending entries of their own organisation, one by one. Connection n is
/// logged in as partner n % partners (`log_in_many`): the connections of one partner share its
/// organisation's queue.
async fn measure_confirm(
    base: &str,
    sessions: &[Session],
    pool: &PgPool,
    organisations: &[uuid::Uuid],
    duration: Duration,
) -> Option<Outcome> {
    const NAME: &str = "confirm an entry (POST)";
    if !selected(NAME) {
        return None;
    }
    let pending = top_up_pending(pool, organisations, CONFIRM_BACKLOG).await;
    let partners = pending.len().max(1);
    let queues: Vec<EntryQueue> = pending
        .into_iter()
        .map(|entries| Arc::new(Mutex::new(entries)))
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (connection, session) in sessions.iter().cloned().enumerate() {
        let base = base.to_string();
        let queue = queues[connection % partners].clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while started.elapsed() < duration {
                let Some((id, version)) = queue.lock().await.pop() else {
                    break;
                };
                let sent = Instant::now();
                let response = session
                    .client
                    .post(format!("{base}/partner/uren/{id}/bevestigen"))
                    .form(&[
                        ("csrf_token", session.csrf.as_str()),
                        ("version", &version.to_string()),
                    ])
                    .send()
                    .await;
                let ok = match response {
                    // Read to the end, as every other page: an unread body keeps the
                    // connection from being reused.
                    Ok(response) => {
                        let redirected = response.status().is_redirection();
                        response.bytes().await.is_ok() && redirected
                    }
                    Err(_) => false,
                };
                latencies.push(sent.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mut l, e) = task.await.expect("load task");
        latencies.append(&mut l);
        errors += e;
    }
    Some(outcome(NAME, latencies, errors, started.elapsed()))
}
