//! The open loop: a mixed workload of many users at a fixed arrival rate. The arrival times are
//! computed up front (Poisson arrivals, a fixed seed) and every request is started at its
//! scheduled time whether or not earlier ones answered; its latency counts from that scheduled
//! time, so a slow answer cannot hide the queue behind it.
//!
//! # The estimated Flanders morning peak (a weekday, 9:00–10:00)
//!
//! - **About 400 trajectory coaches**, most of them at work in that hour but between intake
//!   talks, phone calls and mail: on average a page view every 40 s, 1.5 a minute, 600 a minute
//!   together. Their home, the caseload, which they return to between cases (150); the
//!   participant page they work on (250); the search, for someone who calls or writes (120);
//!   matching, to find a place (60); logging hours (20 a minute, 1,200 an hour: 5.8 million
//!   entries over about four years of 230 working days are some 6,000 a working day, and the
//!   morning peak holds about a fifth of them).
//! - **3,000 partner contact persons**, most of whom have one or a few inburgeraars and look in
//!   once or twice a week, often after the weekly reminder mail: say one in ten (300) opens
//!   Veertig in the peak hour for about 20 page views, 100 a minute together. Their pending list
//!   (84: each confirmation returns to it, and they page through it) and confirming an entry
//!   (16 a minute, 960 an hour).
//! - **30 coördinatoren**, a page view every minute and a half (meetings, mail), 20 a minute:
//!   the dashboard (10), the working lists' overview (4), a working list (5), and now and then a
//!   funder CSV (1 a minute: two exports each an hour).
//!
//! Together 720 page views a minute, 12 requests a second, of which 36 (5%) write. The
//! benchmark runs this mix at 10× and 50× that rate (120/s and 600/s), and `--find-peak` steps
//! the rate up by a quarter until some page's p99 passes 100 ms or errors appear.
//!
//! The users: at most 64 coaches (from every region in turn), 64 partners (each of another
//! organisation) and 16 coördinatoren (each of another region) log in, since logging in is slow
//! by design (argon2); each request goes out as one of them, chosen at random. Each session's
//! client opens as many connections as its requests in flight need (reqwest has no limit) and
//! keeps up to 16 alive, so the client's connections never hold a request back; whether the load
//! generator kept to the schedule is printed with each rate (how late, at most, a request was
//! actually sent compared with its scheduled time).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::client::{Latencies, Request, Session, log_in};
use crate::closed_loop::{Target, confirm, log_entry, search_path};
use crate::fixtures::{Crowd, LIST_BACKLOG, Pending, top_up_pending};

/// Who sends a page's requests.
#[derive(Clone, Copy, PartialEq)]
enum Who {
    Coach,
    Partner,
    Coordinator,
}

struct Page {
    name: &'static str,
    who: Who,
    /// Requests a minute at the estimated peak (see the module's comment).
    per_minute: f64,
}

const MIX: [Page; 11] = [
    page("coach home /caseload", Who::Coach, 150.0),
    page("participant page", Who::Coach, 250.0),
    page("participant search", Who::Coach, 120.0),
    page("matching (zoek een plaats)", Who::Coach, 60.0),
    page("log an entry (POST)", Who::Coach, 20.0),
    page("partner pending /partner", Who::Partner, 84.0),
    page("confirm an entry (POST)", Who::Partner, 16.0),
    page("coordinator dashboard", Who::Coordinator, 10.0),
    page("working lists /rapporten", Who::Coordinator, 4.0),
    page("a working list", Who::Coordinator, 5.0),
    page("CSV export (funder report)", Who::Coordinator, 1.0),
];

const fn page(name: &'static str, who: Who, per_minute: f64) -> Page {
    Page {
        name,
        who,
        per_minute,
    }
}

/// Users logged in per kind (at most; fewer when the data set has fewer).
pub const COACHES: i64 = 64;
pub const PARTNERS: i64 = 64;
pub const COORDINATORS: i64 = 16;

/// Kept-alive connections per session.
const IDLE_CONNECTIONS: usize = 16;
/// A request without a whole answer after this long counts as an error.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Every page's p99, from the scheduled start, must stay within this.
const P99_LIMIT_MS: f64 = 100.0;
const SEED: u64 = 23;

/// The estimated Flanders morning peak, in requests a second.
pub fn estimated_rate() -> f64 {
    MIX.iter().map(|page| page.per_minute).sum::<f64>() / 60.0
}

/// The logged-in users.
pub struct Users {
    /// Each coach's session with its region.
    coaches: Vec<(Session, Uuid)>,
    partners: Vec<Session>,
    coordinators: Vec<Session>,
}

impl Users {
    pub async fn log_in(base: &str, crowd: &Crowd) -> Self {
        let started = Instant::now();
        let mut coaches = Vec::new();
        for (email, region) in &crowd.coaches {
            coaches.push((log_in(base, email, IDLE_CONNECTIONS).await, *region));
        }
        let mut partners = Vec::new();
        for (email, _) in &crowd.partners {
            partners.push(log_in(base, email, IDLE_CONNECTIONS).await);
        }
        let mut coordinators = Vec::new();
        for email in &crowd.coordinators {
            coordinators.push(log_in(base, email, IDLE_CONNECTIONS).await);
        }
        println!(
            "Logged in {} coaches of {} region(s), {} partners of as many organisations, {} coördinator(en) ({:.0} s).",
            coaches.len(),
            crowd.participants.len(),
            partners.len(),
            coordinators.len(),
            started.elapsed().as_secs_f64()
        );
        Self {
            coaches,
            partners,
            coordinators,
        }
    }
}

/// Runs the mix at each rate of `rates`; with `find_peak`, steps the rate up from the first one
/// by a quarter at a time until a rate fails, and says which was the highest that held.
pub async fn run(target: &Target, crowd: &Crowd, users: &Users, rates: &[f64], find_peak: bool) {
    let estimate = estimated_rate();
    println!(
        "Estimated Flanders morning peak: {estimate:.0} requests/s ({:.0} a minute).",
        estimate * 60.0
    );
    if !find_peak {
        for &rate in rates {
            run_rate(target, crowd, users, rate).await;
        }
        return;
    }
    let mut rate = rates.first().copied().unwrap_or(10.0 * estimate);
    let mut highest = None;
    for _ in 0..40 {
        if run_rate(target, crowd, users, rate).await {
            highest = Some(rate);
            rate *= 1.25;
        } else {
            break;
        }
    }
    println!();
    match highest {
        Some(highest) => println!(
            "Highest rate at which every page kept p99 ≤ {P99_LIMIT_MS:.0} ms without errors: {highest:.0}/s ({:.0}× the estimated peak); {rate:.0}/s did not.",
            highest / estimate
        ),
        None => println!("Already the first rate, {rate:.0}/s, did not hold."),
    }
}

/// One request of the schedule.
struct Planned {
    at: Duration,
    page: usize,
    session: Session,
    request: Request,
}

/// Measures one rate and prints its table; true when every page kept its p99 within the limit
/// without errors.
async fn run_rate(target: &Target, crowd: &Crowd, users: &Users, rate: f64) -> bool {
    let pending = top_up_pending(
        &target.pool,
        &crowd.organisations(),
        LIST_BACKLOG * crowd.partners.len(),
    )
    .await;
    let (plan, unplanned) = plan(rate, target.duration, crowd, users, pending);
    let scheduled = plan.len();
    let start = Instant::now() + Duration::from_millis(100);
    let mut tasks = Vec::with_capacity(plan.len());
    for planned in plan {
        let due = start + planned.at;
        tokio::time::sleep_until(due.into()).await;
        let base = target.base.clone();
        tasks.push(tokio::spawn(async move {
            let late = due.elapsed();
            let ok = planned
                .session
                .send(&base, &planned.request, Some(TIMEOUT))
                .await;
            (planned.page, due.elapsed(), ok, late)
        }));
    }
    let mut latencies: Vec<Vec<Duration>> = MIX.iter().map(|_| Vec::new()).collect();
    let mut errors = vec![0; MIX.len()];
    let mut lateness = Vec::with_capacity(tasks.len());
    for task in tasks {
        let (page, latency, ok, late) = task.await.expect("request task");
        latencies[page].push(latency);
        errors[page] += usize::from(!ok);
        lateness.push(late);
    }
    let lateness = Latencies::new(lateness);
    println!();
    println!(
        "Open loop at {rate:.0} requests/s ({:.0}× the estimated peak), {} s: {scheduled} requests scheduled (Poisson arrivals, seed {SEED}); sent at most {:.1} ms after their scheduled time (p99 {:.1} ms).",
        rate / estimated_rate(),
        target.duration.as_secs(),
        lateness.ms(1.0),
        lateness.ms(0.99),
    );
    if unplanned > 0 {
        println!("({unplanned} requests left out: no fixture for them.)");
    }
    println!();
    println!("| page | requests | p50 ms | p99 ms | p99.9 ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut over = Vec::new();
    let mut total_errors = 0;
    for ((page, latencies), errors) in MIX.iter().zip(latencies).zip(errors) {
        let latencies = Latencies::new(latencies);
        let [p50, p99, p999] = latencies.quantiles();
        if latencies.len() == 0 {
            println!("| {} | 0 | – | – | – | {errors} |", page.name);
        } else {
            println!(
                "| {} | {} | {p50:.1} | {p99:.1} | {p999:.1} | {errors} |",
                page.name,
                latencies.len()
            );
        }
        if p99 > P99_LIMIT_MS {
            over.push(page.name);
        }
        total_errors += errors;
    }
    println!();
    if over.is_empty() {
        println!(
            "At {rate:.0}/s every page kept p99 ≤ {P99_LIMIT_MS:.0} ms: yes; errors: {total_errors}."
        );
    } else {
        println!(
            "At {rate:.0}/s every page kept p99 ≤ {P99_LIMIT_MS:.0} ms: no ({}); errors: {total_errors}.",
            over.join(", ")
        );
    }
    over.is_empty() && total_errors == 0
}

/// The schedule of one rate: arrival times, and for each the page, the user and the request.
/// Returns it with the number of arrivals that had no fixture (none expected).
fn plan(
    rate: f64,
    duration: Duration,
    crowd: &Crowd,
    users: &Users,
    mut pending: Vec<Pending>,
) -> (Vec<Planned>, usize) {
    let mut rng = StdRng::seed_from_u64(SEED);
    let total: f64 = MIX.iter().map(|page| page.per_minute).sum();
    // Entries are logged on placement and day pairs from a random start, so that runs spread
    // them over the fixtures instead of adding to the same ones each time.
    let mut logged: HashMap<Uuid, usize> = HashMap::new();
    let log_start = rng.random_range(0..1_000_000);
    let mut plan = Vec::new();
    let mut unplanned = 0;
    let mut at = 0.0;
    loop {
        at += -(1.0 - rng.random::<f64>()).ln() / rate;
        if at >= duration.as_secs_f64() {
            break;
        }
        let mut pick = rng.random::<f64>() * total;
        let index = MIX
            .iter()
            .position(|page| {
                pick -= page.per_minute;
                pick < 0.0
            })
            .unwrap_or(MIX.len() - 1);
        let page = &MIX[index];
        let planned = match page.who {
            Who::Coach => pick_from(&mut rng, &users.coaches).and_then(|(session, region)| {
                coach_request(&mut rng, page.name, crowd, *region, &mut logged, log_start)
                    .map(|request| (session.clone(), request))
            }),
            Who::Partner => {
                let partner = rng.random_range(0..users.partners.len().max(1));
                let request = if page.name.starts_with("confirm") {
                    pending
                        .get_mut(partner)
                        .and_then(|queue| queue.pop())
                        .map(|(id, version)| confirm(&id, version))
                } else {
                    Some(Request::get("/partner".into()))
                };
                users
                    .partners
                    .get(partner)
                    .zip(request)
                    .map(|(session, request)| (session.clone(), request))
            }
            Who::Coordinator => {
                let path = match page.name {
                    "coordinator dashboard" => "/coordinatie".to_string(),
                    "working lists /rapporten" => "/rapporten".to_string(),
                    "a working list" => {
                        let slugs = ["klaar-voor-certificaat", "stilgevallen", "einddatum-nabij"];
                        format!("/rapporten/{}", slugs[rng.random_range(0..slugs.len())])
                    }
                    _ => "/rapporten/financier.csv".to_string(),
                };
                pick_from(&mut rng, &users.coordinators)
                    .map(|session| (session.clone(), Request::get(path)))
            }
        };
        match planned {
            Some((session, request)) => plan.push(Planned {
                at: Duration::from_secs_f64(at),
                page: index,
                session,
                request,
            }),
            None => unplanned += 1,
        }
    }
    (plan, unplanned)
}

fn pick_from<'a, T>(rng: &mut StdRng, items: &'a [T]) -> Option<&'a T> {
    (!items.is_empty()).then(|| &items[rng.random_range(0..items.len())])
}

/// A coach's request of the page, about a participant or placement of the coach's region.
fn coach_request(
    rng: &mut StdRng,
    page: &str,
    crowd: &Crowd,
    region: Uuid,
    logged: &mut HashMap<Uuid, usize>,
    log_start: usize,
) -> Option<Request> {
    let participant = |rng: &mut StdRng| {
        crowd
            .participants
            .get(&region)
            .and_then(|ids| pick_from(rng, ids))
    };
    Some(match page {
        "coach home /caseload" => Request::get("/caseload".into()),
        "participant page" => Request::get(format!("/inburgeraars/{}", participant(rng)?)),
        "participant search" => Request::get(search_path(rng.random_range(0..6))),
        "matching (zoek een plaats)" => Request::get(format!(
            "/inburgeraars/{}/zoek-een-plaats",
            participant(rng)?
        )),
        _ => {
            let placements = crowd.placements.get(&region).filter(|p| !p.is_empty())?;
            let n = logged.entry(region).or_insert(log_start);
            *n += 1;
            log_entry(placements, &crowd.recent_days, *n)
        }
    })
}
