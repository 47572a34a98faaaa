//! Faults under load: PostgreSQL stopped and restarted while hours are logged and pages read,
//! and the `veertig` binary killed with SIGKILL in the middle of writes. Each prints its
//! figures (`cargo test --test app faults -- --nocapture`); docs/RELIABILITY.md quotes them.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;
use veertig::config::Config;
use veertig::domain::user::Role;
use veertig::pg::{ClusterOptions, PrivateCluster, Shutdown};
use veertig::values::dates::{format_date, today};
use veertig::values::ids::{ParticipantId, PlacementId};

use crate::helpers::{Page, TestApp, database_url};

/// Longest any answer may take while the database is away: the pool's acquire timeout plus
/// a margin for a loaded machine.
const MAX_OUTAGE_LATENCY: Duration = Duration::from_secs(9);

/// What the load tasks share: the signal to stop, and what they have seen so far, so that a
/// test waits for what it needs to have happened instead of for a fixed time.
#[derive(Default)]
struct Load {
    stop: AtomicBool,
    hours_acknowledged: AtomicUsize,
    certificates_acknowledged: AtomicUsize,
    unavailable: AtomicUsize,
}

impl Load {
    fn running(&self) -> bool {
        !self.stop.load(Ordering::Relaxed)
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn count(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::Relaxed)
    }

    /// Waits until `counter` has grown by `more`; fails after a deadline far beyond what even a
    /// loaded two-core machine needs, so a failure means the writes stopped, not that it was slow.
    async fn wait_for(&self, what: &str, counter: &AtomicUsize, more: usize) {
        let target = Self::count(counter) + more;
        let deadline = Instant::now() + Duration::from_secs(120);
        while Self::count(counter) < target {
            assert!(
                Instant::now() < deadline,
                "{what}: {} of {target} within 120 s",
                Self::count(counter)
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// What one load task saw.
#[derive(Default)]
struct Tally {
    requests: usize,
    /// Descriptions of the hour entries whose form was answered with 303: acknowledged.
    acknowledged: Vec<String>,
    statuses: BTreeMap<u16, usize>,
    /// No answer at all (the server was killed).
    transport_errors: usize,
    slowest: Duration,
    /// One 503 page, to check it is the Dutch one.
    unavailable_page: Option<(Option<String>, String)>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.requests += other.requests;
        self.acknowledged.extend(other.acknowledged);
        for (status, count) in other.statuses {
            *self.statuses.entry(status).or_default() += count;
        }
        self.transport_errors += other.transport_errors;
        self.slowest = self.slowest.max(other.slowest);
        if self.unavailable_page.is_none() {
            self.unavailable_page = other.unavailable_page;
        }
    }

    fn count(&self, status: StatusCode) -> usize {
        self.statuses.get(&status.as_u16()).copied().unwrap_or(0)
    }
}

/// Logs 5 minutes per request on `path` (a placement's hours form), on the last 30 days in
/// turn (room for 4,320 before the 12-hours-a-day rule refuses), each with a description of its own, until `stop` is set.
async fn write_hours(browser: Arc<TestApp>, path: String, tag: String, load: Arc<Load>) -> Tally {
    let token = browser.csrf_token().await;
    let mut tally = Tally::default();
    let mut n = 0u32;
    while load.running() {
        n += 1;
        let description = format!("{tag}-{n}");
        let date = format_date(today() - time::Duration::days(i64::from(n % 30 + 1)));
        let key = Uuid::new_v4().to_string();
        let fields = [
            ("csrf_token", token.as_str()),
            ("idempotency_key", key.as_str()),
            ("dates", date.as_str()),
            ("minutes", "0:05"),
            ("description", description.as_str()),
        ];
        let started = Instant::now();
        let sent = browser
            .client
            .post(browser.url(&path))
            .form(&fields)
            .timeout(Duration::from_secs(30))
            .send()
            .await;
        tally.requests += 1;
        tally.slowest = tally.slowest.max(started.elapsed());
        match sent {
            Ok(response) => {
                let status = response.status();
                *tally.statuses.entry(status.as_u16()).or_default() += 1;
                if status == StatusCode::SEE_OTHER {
                    tally.acknowledged.push(description);
                    load.hours_acknowledged.fetch_add(1, Ordering::Relaxed);
                } else if status == StatusCode::SERVICE_UNAVAILABLE {
                    load.unavailable.fetch_add(1, Ordering::Relaxed);
                }
                if status == StatusCode::SERVICE_UNAVAILABLE && tally.unavailable_page.is_none() {
                    let retry = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let body = response.text().await.unwrap_or_default();
                    tally.unavailable_page = Some((retry, body));
                }
            }
            Err(_) => {
                tally.transport_errors += 1;
                // The server is gone: ask again shortly, as a browser's user would.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    tally
}

/// Reads `paths` in turn until the load stops.
async fn read_pages(browser: Arc<TestApp>, paths: Vec<String>, load: Arc<Load>) -> Tally {
    let mut tally = Tally::default();
    let mut n = 0usize;
    while load.running() {
        let path = &paths[n % paths.len()];
        n += 1;
        let started = Instant::now();
        let sent = browser
            .client
            .get(browser.url(path))
            .timeout(Duration::from_secs(30))
            .send()
            .await;
        tally.requests += 1;
        tally.slowest = tally.slowest.max(started.elapsed());
        match sent {
            Ok(response) => {
                *tally
                    .statuses
                    .entry(response.status().as_u16())
                    .or_default() += 1;
                if response.status() == StatusCode::SERVICE_UNAVAILABLE {
                    load.unavailable.fetch_add(1, Ordering::Relaxed);
                }
                let _ = response.bytes().await;
            }
            Err(_) => {
                tally.transport_errors += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    tally
}

/// The descriptions in `acknowledged` that have no hour entry.
async fn missing_writes(pool: &PgPool, acknowledged: &[String]) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT d FROM unnest($1::text[]) AS d
         WHERE NOT EXISTS (SELECT 1 FROM hour_entries e WHERE e.description = d)",
    )
    .bind(acknowledged)
    .fetch_all(pool)
    .await
    .expect("missing writes")
}

/// Every rule that a half-written change would break; each query counts the offenders.
async fn broken_invariants(pool: &PgPool) -> Vec<(&'static str, i64)> {
    let checks: [(&'static str, &str); 8] = [
        (
            "participant totals differ from the sum of their entries",
            "SELECT count(*) FROM participants p
             LEFT JOIN LATERAL (
                 SELECT coalesce(sum(minutes) FILTER (WHERE status = 'bevestigd'), 0) AS confirmed,
                        coalesce(sum(minutes) FILTER (WHERE status = 'ingediend'), 0) AS pending
                 FROM hour_entries e WHERE e.participant_id = p.id) t ON true
             WHERE p.confirmed_minutes <> t.confirmed OR p.pending_minutes <> t.pending",
        ),
        (
            "hour entries logged through the app without their audit row",
            "SELECT count(*) FROM hour_entries e
             WHERE e.created_by IS NOT NULL AND NOT EXISTS (
                 SELECT 1 FROM audit_log a WHERE a.entity = 'hour_entry' AND a.entity_id = e.id)",
        ),
        (
            "certificate numbers with a gap or a counter that disagrees",
            "SELECT count(*) FROM certificate_counters c
             WHERE c.last_number <> (SELECT count(*) FROM certificates x
                                     WHERE x.region_id = c.region_id AND x.year = c.year)
                OR c.last_number <> (SELECT coalesce(max(sequence), 0) FROM certificates x
                                     WHERE x.region_id = c.region_id AND x.year = c.year)",
        ),
        (
            "certificates without their audit row or with a participant not afgerond",
            "SELECT count(*) FROM certificates c JOIN participants p ON p.id = c.participant_id
             WHERE p.status <> 'afgerond' OR NOT EXISTS (
                 SELECT 1 FROM audit_log a WHERE a.entity = 'certificate' AND a.entity_id = c.id)",
        ),
        (
            "participants afgerond by the app without a certificate",
            "SELECT count(*) FROM participants p
             WHERE p.status = 'afgerond' AND NOT EXISTS (
                 SELECT 1 FROM certificates c WHERE c.participant_id = p.id)",
        ),
        (
            "monthly report rows that differ from the confirmed entries",
            "WITH actual AS (
                 SELECT p.region_id, date_trunc('month', e.worked_on)::date AS month,
                        p.municipality_id, e.organisation_id, pl.kind,
                        sum(e.minutes) AS minutes, count(*) AS entries
                 FROM hour_entries e
                 JOIN participants p ON p.id = e.participant_id
                 JOIN placements pl ON pl.id = e.placement_id
                 WHERE e.status = 'bevestigd'
                 GROUP BY 1, 2, 3, 4, 5)
             SELECT count(*) FROM actual a
             FULL JOIN (SELECT * FROM report_monthly_hours WHERE confirmed_entries > 0) r
               USING (region_id, month, municipality_id, organisation_id, kind)
             WHERE a.minutes IS DISTINCT FROM r.confirmed_minutes
                OR a.entries IS DISTINCT FROM r.confirmed_entries::bigint",
        ),
        (
            "dashboard rollups that differ from the monthly report rows",
            "WITH by_organisation AS (
                 SELECT region_id, month, organisation_id, kind, sum(confirmed_minutes) AS minutes,
                        sum(confirmed_entries) AS entries
                 FROM report_monthly_hours GROUP BY 1, 2, 3, 4),
             by_municipality AS (
                 SELECT region_id, month, municipality_id, kind, sum(confirmed_minutes) AS minutes,
                        sum(confirmed_entries) AS entries
                 FROM report_monthly_hours GROUP BY 1, 2, 3, 4)
             SELECT (SELECT count(*) FROM by_organisation a
                     FULL JOIN report_organisation_hours r USING (region_id, month, organisation_id, kind)
                     WHERE coalesce(a.minutes, 0) <> coalesce(r.confirmed_minutes, 0)
                        OR coalesce(a.entries, 0) <> coalesce(r.confirmed_entries, 0))
                  + (SELECT count(*) FROM by_municipality a
                     FULL JOIN report_municipality_hours r USING (region_id, month, municipality_id, kind)
                     WHERE coalesce(a.minutes, 0) <> coalesce(r.confirmed_minutes, 0)
                        OR coalesce(a.entries, 0) <> coalesce(r.confirmed_entries, 0))",
        ),
        (
            "participant monthly rows that differ from the confirmed entries",
            "WITH actual AS (
                 SELECT p.region_id, date_trunc('month', e.worked_on)::date AS month,
                        e.participant_id, pl.kind, sum(e.minutes) AS minutes
                 FROM hour_entries e
                 JOIN placements pl ON pl.id = e.placement_id
                 JOIN participants p ON p.id = e.participant_id
                 WHERE e.status = 'bevestigd'
                 GROUP BY 1, 2, 3, 4)
             SELECT count(*) FROM actual a
             FULL JOIN (SELECT * FROM participant_monthly_hours WHERE confirmed_minutes <> 0) r
               USING (region_id, month, participant_id, kind)
             WHERE a.minutes IS DISTINCT FROM r.confirmed_minutes",
        ),
    ];
    let mut broken = Vec::new();
    for (rule, query) in checks {
        let offenders: i64 = sqlx::query_scalar(query)
            .fetch_one(pool)
            .await
            .unwrap_or_else(|error| panic!("{rule}: {error}"));
        if offenders != 0 {
            broken.push((rule, offenders));
        }
    }
    broken
}

/// A running placement of a new participant at the test organisation.
async fn placement(app: &TestApp, name: &str) -> PlacementId {
    let participant = app.create_participant(name, None, None).await;
    app.create_placement(participant, app.organisation).await
}

/// A browser of its own, logged in with `role`, with the CSRF token of its first page.
async fn logged_in(app: &TestApp, role: Role) -> Arc<TestApp> {
    let browser = TestApp::spawn_on(app).await;
    browser.login_as(role).await;
    Arc::new(browser)
}

fn spawn_writers(
    browsers: &[Arc<TestApp>],
    placements: &[PlacementId],
    prefix: &str,
    tag: &str,
    load: &Arc<Load>,
) -> Vec<tokio::task::JoinHandle<Tally>> {
    browsers
        .iter()
        .zip(placements)
        .enumerate()
        .map(|(i, (browser, placement))| {
            tokio::spawn(write_hours(
                browser.clone(),
                format!("{prefix}/{placement}/uren"),
                format!("{tag}{i}"),
                load.clone(),
            ))
        })
        .collect()
}

async fn collect(tasks: Vec<tokio::task::JoinHandle<Tally>>) -> Tally {
    let mut total = Tally::default();
    for task in tasks {
        total.add(task.await.expect("load task"));
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_stopped_under_load_gives_503_and_keeps_every_acknowledged_write() {
    // A cluster of its own: stopping the shared test cluster would fail every other test. Not
    // ephemeral: with synchronous commit an acknowledged commit is on disk before the answer.
    let dir = std::env::temp_dir().join(format!("veertig-fault-{}", Uuid::new_v4().simple()));
    let options = ClusterOptions {
        data_dir: dir.join("pg"),
        ephemeral: false,
    };
    let start = {
        let options = options.clone();
        move || PrivateCluster::start(&options).expect("the fault cluster starts")
    };
    let cluster = tokio::task::spawn_blocking(start.clone())
        .await
        .expect("start");
    let connect = cluster.connect_options("postgres");
    let mut admin = PgConnection::connect_with(&connect).await.expect("connect");
    sqlx::query("CREATE DATABASE veertig")
        .execute(&mut admin)
        .await
        .expect("create database");
    admin.close().await.expect("close");
    let options_db = connect.clone().database("veertig");
    let mut conn = PgConnection::connect_with(&options_db)
        .await
        .expect("connect");
    veertig::db::MIGRATOR
        .run(&mut conn)
        .await
        .expect("migrations");
    conn.close().await.expect("close");
    let app = TestApp::spawn_at(options_db, "veertig".into(), Config::for_tests()).await;

    const WRITERS: usize = 4;
    let mut writers = Vec::new();
    let mut placements = Vec::new();
    for i in 0..WRITERS {
        writers.push(logged_in(&app, Role::Coach).await);
        placements.push(placement(&app, &format!("Schrijver {i}")).await);
    }
    let reader = logged_in(&app, Role::Coach).await;
    let reads = vec![
        format!("/plaatsingen/{}", placements[0]),
        "/caseload".to_string(),
        "/inburgeraars".to_string(),
    ];

    let load = Arc::new(Load::default());
    let mut tasks = spawn_writers(&writers, &placements, "/plaatsingen", "w", &load);
    tasks.push(tokio::spawn(read_pages(
        reader.clone(),
        reads,
        load.clone(),
    )));

    // Two outages: a crash (no checkpoint, WAL replay at the start) and a fast shutdown.
    let probe = writers[0].clone();
    let probe_path = format!("/plaatsingen/{}/uren", placements[0]);
    let token = probe.csrf_token().await;
    let mut cluster = Some(cluster);
    let mut outages = Vec::new();
    for mode in [Shutdown::Immediate, Shutdown::Fast] {
        load.wait_for("writes before the outage", &load.hours_acknowledged, 20)
            .await;
        let running = cluster.take().expect("a running cluster");
        let outage_started = Instant::now();
        tokio::task::spawn_blocking(move || running.stop(mode))
            .await
            .expect("stop");
        // Down until the load has met the outage: answers with 503 (the pool's acquire timeout).
        load.wait_for("503 answers in the outage", &load.unavailable, 2)
            .await;
        cluster = Some(
            tokio::task::spawn_blocking(start.clone())
                .await
                .expect("restart"),
        );
        let outage = outage_started.elapsed();
        let restarted = Instant::now();
        // Recovery by itself: the same app and pool; the next write goes through.
        let recovered_after = loop {
            let date = format_date(today() - time::Duration::days(1));
            let response = probe
                .client
                .post(probe.url(&probe_path))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("dates", date.as_str()),
                    ("minutes", "0:05"),
                    ("description", "na het herstel"),
                ])
                .send()
                .await
                .expect("an answer");
            if response.status() == StatusCode::SEE_OTHER {
                break restarted.elapsed();
            }
            assert!(
                restarted.elapsed() < Duration::from_secs(30),
                "the app did not recover within 30 s (last answer {})",
                response.status()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        outages.push(format!(
            "{mode:?} stop, {:.1} s without PostgreSQL, recovered {} ms after its restart",
            outage.as_secs_f64(),
            recovered_after.as_millis()
        ));
    }
    load.wait_for("writes after the outages", &load.hours_acknowledged, 20)
        .await;
    load.stop();
    let tally = collect(tasks).await;

    let missing = missing_writes(&app.pool, &tally.acknowledged).await;
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM hour_entries")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    let broken = broken_invariants(&app.pool).await;
    println!(
        "FAULT postgres-stop: PostgreSQL stopped twice under load ({}); {} requests \
         ({:?} by status, {} without answer); writes acknowledged {}, found {}, stored in all {}; \
         slowest answer {} ms",
        outages.join("; "),
        tally.requests,
        tally.statuses,
        tally.transport_errors,
        tally.acknowledged.len(),
        tally.acknowledged.len() - missing.len(),
        stored,
        tally.slowest.as_millis(),
    );

    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert!(broken.is_empty(), "half-written state: {broken:?}");
    assert_eq!(tally.transport_errors, 0, "the app itself never went away");
    let unexpected: Vec<_> = tally
        .statuses
        .keys()
        .filter(|status| ![200, 303, 503].contains(*status))
        .collect();
    assert!(
        unexpected.is_empty(),
        "only 200, 303 or 503: {:?}",
        tally.statuses
    );
    assert!(
        tally.count(StatusCode::SERVICE_UNAVAILABLE) > 0,
        "the outage was noticed"
    );
    assert!(
        tally.acknowledged.len() > 10,
        "writes went through around the outage"
    );
    assert!(
        tally.slowest < MAX_OUTAGE_LATENCY,
        "no request hangs: slowest {:?}",
        tally.slowest
    );
    let (retry_after, body) = tally.unavailable_page.expect("a 503 page");
    assert_eq!(retry_after.as_deref(), Some("5"));
    let page = Page::parse(&body);
    assert_eq!(page.text("h1"), "Even niet beschikbaar");
    assert!(page.text("main").contains("probeer het opnieuw"));

    drop(app);
    drop(cluster);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `veertig serve` on `database` of the test server; returns it and its address.
fn start_binary(database: &str) -> (Child, std::net::SocketAddr) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_veertig"))
        .env("DATABASE_URL", database_url(database))
        .env("BIND", "127.0.0.1:0")
        .env("RUST_LOG", "error")
        .env("DB_MAX_CONNECTIONS", "10")
        .stdout(Stdio::piped())
        // Its coördinatoren log in with a password only (the second factor has tests of its own).
        .env("SECOND_FACTOR_ROLES", "geen")
        .stderr(Stdio::null())
        .spawn()
        .expect("veertig starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut address = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line of output");
        if let Some(url) = line.strip_prefix("Veertig is running at http://") {
            address = Some(url.parse().expect("an address"));
        }
        if line.starts_with("Stop with Ctrl-C") {
            break;
        }
    }
    (child, address.expect("the address is printed"))
}

/// Issues certificates one participant at a time until `stop`; counts the 303s.
async fn issue_certificates(
    browser: Arc<TestApp>,
    participants: Vec<ParticipantId>,
    load: Arc<Load>,
) -> Tally {
    let token = browser.csrf_token().await;
    let mut tally = Tally::default();
    for participant in participants {
        if !load.running() {
            break;
        }
        let id = participant.to_string();
        let key = Uuid::new_v4().to_string();
        let sent = browser
            .client
            .post(browser.url("/certificaten/uitreiken"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("idempotency_key", key.as_str()),
                ("kies", id.as_str()),
            ])
            .timeout(Duration::from_secs(30))
            .send()
            .await;
        tally.requests += 1;
        match sent {
            Ok(response) => {
                *tally
                    .statuses
                    .entry(response.status().as_u16())
                    .or_default() += 1;
                if response.status() == StatusCode::SEE_OTHER {
                    tally.acknowledged.push(id);
                    load.certificates_acknowledged
                        .fetch_add(1, Ordering::Relaxed);
                }
            }
            Err(_) => {
                tally.transport_errors += 1;
                break;
            }
        }
    }
    tally
}

/// Acknowledged hour forms before the SIGKILL: enough that the kill lands among writes.
const KILL_AFTER_WRITES: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_app_killed_during_writes_leaves_no_half_written_state() {
    let app = TestApp::spawn().await;
    const COACHES: usize = 3;
    let mut placements = Vec::new();
    for i in 0..=COACHES {
        placements.push(placement(&app, &format!("Schrijver {i}")).await);
    }
    let mut ready = Vec::new();
    for i in 0..150 {
        let participant = app
            .create_participant(&format!("Klaar {i}"), None, None)
            .await;
        let placement = app.create_placement(participant, app.organisation).await;
        app.confirm_minutes(placement, 2400).await;
        ready.push(participant);
    }

    let database = app.database.clone();
    let (mut child, address) = tokio::task::spawn_blocking(move || start_binary(&database))
        .await
        .expect("start");
    let mut coaches = Vec::new();
    for _ in 0..COACHES {
        let browser = TestApp::browser_at(&app, address);
        browser.login_as(Role::Coach).await;
        coaches.push(Arc::new(browser));
    }
    let partner = TestApp::browser_at(&app, address);
    partner.login_as(Role::Partner).await;
    let coordinator = TestApp::browser_at(&app, address);
    coordinator.login_as(Role::Coordinator).await;

    let load = Arc::new(Load::default());
    // Coaches log pending hours, the partner logs hours that count as confirmed (totals and
    // the monthly report), the coördinator issues certificates (counter, snapshot, status).
    let mut tasks = spawn_writers(&coaches, &placements[..COACHES], "/plaatsingen", "c", &load);
    tasks.extend(spawn_writers(
        &[Arc::new(partner)],
        &placements[COACHES..],
        "/partner/plaatsingen",
        "p",
        &load,
    ));
    let issuing = tokio::spawn(issue_certificates(
        Arc::new(coordinator),
        ready.clone(),
        load.clone(),
    ));
    // Killed in the middle of writes, once enough of them went through to count.
    load.wait_for(
        "hours before the kill",
        &load.hours_acknowledged,
        KILL_AFTER_WRITES,
    )
    .await;
    load.wait_for(
        "certificates before the kill",
        &load.certificates_acknowledged,
        1,
    )
    .await;
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("wait")
        .expect("killed");
    load.stop();
    let writes = collect(tasks).await;
    let certificates = issuing.await.expect("issuing task");

    let database = app.database.clone();
    let (mut child, address) = tokio::task::spawn_blocking(move || start_binary(&database))
        .await
        .expect("restart");
    let missing = missing_writes(&app.pool, &writes.acknowledged).await;
    let certified: Vec<String> =
        sqlx::query_scalar("SELECT participant_id::text FROM certificates WHERE status = 'geldig'")
            .fetch_all(&app.pool)
            .await
            .expect("certified");
    let lost_certificates: Vec<&String> = certificates
        .acknowledged
        .iter()
        .filter(|id| !certified.contains(id))
        .collect();
    let broken = broken_invariants(&app.pool).await;
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM hour_entries WHERE created_by IS NOT NULL")
            .fetch_one(&app.pool)
            .await
            .expect("count");

    // The restarted binary serves the same sessions and takes new writes.
    let after = TestApp::browser_at(&app, address);
    after.login_as(Role::Coach).await;
    let date = format_date(today() - time::Duration::days(2));
    let response = after
        .post_form(
            &format!("/plaatsingen/{}/uren", placements[0]),
            &[("dates", &date), ("minutes", "0:10")],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "writes after the restart"
    );

    println!(
        "FAULT sigkill: veertig killed (SIGKILL) after {KILL_AFTER_WRITES} acknowledged hour forms; hour forms sent {} \
         ({:?} by status, {} without answer); acknowledged {}, found {}, stored {}; \
         certificates acknowledged {}, found {}, issued in all {}; invariants broken: {}",
        writes.requests,
        writes.statuses,
        writes.transport_errors,
        writes.acknowledged.len(),
        writes.acknowledged.len() - missing.len(),
        stored,
        certificates.acknowledged.len(),
        certificates.acknowledged.len() - lost_certificates.len(),
        certified.len(),
        broken.len(),
    );
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let _ = tokio::task::spawn_blocking(move || child.wait()).await;

    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert!(
        lost_certificates.is_empty(),
        "acknowledged certificates lost: {lost_certificates:?}"
    );
    assert!(broken.is_empty(), "half-written state: {broken:?}");
    assert!(
        writes.acknowledged.len() >= KILL_AFTER_WRITES,
        "writes went through before the kill"
    );
    assert!(
        !certificates.acknowledged.is_empty(),
        "certificates were issued before the kill"
    );
}
