//! The closed loop: page by page, every connection sends its next request as soon as the last
//! one answered; before each page, its statements per request (`round_trips`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::client::{Latencies, Request, Session};
use crate::fixtures::{CONFIRM_BACKLOG, Fixtures, top_up_pending};
use crate::round_trips::{self, PROBE_REQUESTS, RoundTrips};

/// The server under load, and how long each page is measured.
pub struct Target {
    pub base: String,
    pub pool: PgPool,
    pub duration: Duration,
    /// `--only TEXT`: measure only the pages whose name contains TEXT (and the limit page).
    pub only: Option<String>,
}

/// The request connection `c` sends as its `n`th; None when it has nothing left to send.
pub type MakeRequest = Arc<dyn Fn(usize, usize) -> Option<Request> + Send + Sync>;

pub struct Outcome {
    pub name: String,
    pub rps: f64,
    /// p50, p99, p99.9 in ms.
    pub quantiles: [f64; 3],
    pub errors: usize,
    pub round_trips: Option<RoundTrips>,
}

/// Every page of the closed loop, the limit page first.
pub async fn run(
    target: &Target,
    fixtures: &Fixtures,
    coaches: &[Session],
    partners: &[Session],
    coordinators: &[Session],
) -> Vec<Outcome> {
    let get = |path: &'static str| -> MakeRequest {
        Arc::new(move |_, _| Some(Request::get(path.into())))
    };
    let mut results = vec![
        measure_always(
            target,
            "limit page (1 query + template)",
            coaches,
            get("/bench/limit?regio=RGA"),
        )
        .await,
    ];
    let ids = Arc::new(fixtures.participant_ids.clone());
    let pages: Vec<(&str, &[Session], MakeRequest)> = vec![
        ("coach home /caseload", coaches, get("/caseload")),
        ("participant page", coaches, {
            let ids = ids.clone();
            Arc::new(move |n, _| {
                Some(Request::get(format!(
                    "/inburgeraars/{}",
                    ids[n % ids.len()]
                )))
            })
        }),
        (
            "participant search",
            coaches,
            Arc::new(|n, _| Some(Request::get(search_path(n)))),
        ),
        ("matching (zoek een plaats)", coaches, {
            let ids = ids.clone();
            Arc::new(move |n, _| {
                Some(Request::get(format!(
                    "/inburgeraars/{}/zoek-een-plaats",
                    ids[n % ids.len()]
                )))
            })
        }),
        ("partner pending /partner", partners, get("/partner")),
        ("coordinator dashboard", coordinators, get("/coordinatie")),
        (
            "CSV export (funder report)",
            coordinators,
            get("/rapporten/financier.csv"),
        ),
        ("log an entry (POST)", coaches, {
            let placements = Arc::new(fixtures.placements.clone());
            let days = Arc::new(fixtures.recent_days.clone());
            Arc::new(move |n, _| Some(log_entry(&placements, &days, n)))
        }),
    ];
    for (name, sessions, make) in pages {
        if target.selected(name) {
            results.push(measure_always(target, name, sessions, make).await);
        }
    }
    const CONFIRM: &str = "confirm an entry (POST)";
    if target.selected(CONFIRM) {
        let pending = top_up_pending(
            &target.pool,
            &fixtures.partner_organisations,
            CONFIRM_BACKLOG,
        )
        .await;
        results.push(measure_always(target, CONFIRM, partners, confirm_from(pending)).await);
    }
    results
}

/// The search fragments, in Latin, Cyrillic, Arabic and Ethiopic script.
pub fn search_path(n: usize) -> String {
    let terms = ["ozt", "олена", "محمد", "peet", "ተስፋ", "benali"];
    format!(
        "/inburgeraars?q={}",
        crate::client::urlencode(terms[n % terms.len()])
    )
}

/// Logging 15 minutes: each placement gets one entry per day, going back a day per round, so no
/// participant reaches the 12-hours-a-day limit however long the run.
pub fn log_entry(placements: &[String], days: &[String], n: usize) -> Request {
    let day = &days[(n / placements.len()) % days.len()];
    Request::post(
        format!("/plaatsingen/{}/uren", placements[n % placements.len()]),
        vec![
            ("dates".into(), day.clone()),
            ("minutes".into(), "15 min".into()),
            ("description".into(), String::new()),
        ],
    )
}

pub fn confirm(id: &str, version: i32) -> Request {
    Request::post(
        format!("/partner/uren/{id}/bevestigen"),
        vec![("version".into(), version.to_string())],
    )
}

/// Partners confirming pending entries of their own organisation, one by one. Connection c is
/// logged in as partner c % partners (`log_in_many`): the connections of one partner share its
/// organisation's queue, and stop when it is empty.
fn confirm_from(pending: Vec<crate::fixtures::Pending>) -> MakeRequest {
    let queues: Vec<Mutex<_>> = pending.into_iter().map(Mutex::new).collect();
    Arc::new(move |_, connection| {
        let queue = queues.get(connection % queues.len().max(1))?;
        let (id, version) = queue.lock().ok()?.pop()?;
        Some(confirm(&id, version))
    })
}

impl Target {
    /// Whether `--only` leaves this page in.
    fn selected(&self, name: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| name.contains(only.as_str()))
    }
}

/// The page's statements per request, then the closed loop over all sessions.
async fn measure_always(
    target: &Target,
    name: &str,
    sessions: &[Session],
    make: MakeRequest,
) -> Outcome {
    let round_trips = round_trips::probe(name, &target.pool, &target.base, &sessions[0], |n| {
        make(n, 0)
    })
    .await;
    let started = Instant::now();
    let duration = target.duration;
    let mut tasks = Vec::new();
    for (connection, session) in sessions.iter().cloned().enumerate() {
        let base = target.base.clone();
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            // The probe sent requests 0 to 2 × PROBE_REQUESTS - 1 of connection 0.
            let mut n = connection * 7919 + 2 * PROBE_REQUESTS;
            while started.elapsed() < duration {
                let Some(request) = make(n, connection) else {
                    break;
                };
                n += 1;
                let sent = Instant::now();
                let ok = session.send(&base, &request, None).await;
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
    let elapsed = started.elapsed();
    let latencies = Latencies::new(latencies);
    Outcome {
        name: name.to_string(),
        rps: latencies.len() as f64 / elapsed.as_secs_f64(),
        quantiles: latencies.quantiles(),
        errors,
        round_trips,
    }
}

pub fn print_table(results: &[Outcome]) {
    let Some(limit) = results.first() else { return };
    println!(
        "| page | requests/s | ratio to limit | p50 ms | p99 ms | p99.9 ms | errors | statements/request | in triggers/request |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for result in results {
        let [p50, p99, p999] = result.quantiles;
        let (statements, nested) = match result.round_trips {
            Some(counted) => (
                if counted.failed > 0 {
                    format!(
                        "{:.1} ({} of the {PROBE_REQUESTS} failed)",
                        counted.statements, counted.failed
                    )
                } else {
                    format!("{:.1}", counted.statements)
                },
                format!("{:.1}", counted.nested),
            ),
            None => ("–".into(), "–".into()),
        };
        println!(
            "| {} | {:.0} | {:.0}% | {p50:.1} | {p99:.1} | {p999:.1} | {} | {statements} | {nested} |",
            result.name,
            result.rps,
            result.rps / limit.rps * 100.0,
            result.errors
        );
    }
}
