//! Load benchmark: Veertig's real pages under concurrent load, as logged-in users, against a
//! database of a chosen scale.
//!
//!     cargo bench --bench load -- --scale flanders --seconds 10 --connections 32
//!     cargo bench --bench load -- --scale flanders --seconds 10 --open-loop
//!     cargo bench --bench load -- --scale flanders --seconds 10 --open-loop --rates 200,1000
//!     cargo bench --bench load -- --scale flanders --seconds 10 --open-loop --find-peak
//!
//! Closed loop (the default, `closed_loop`): page by page, a fixed number of connections each
//! sending its next request as soon as the last one answered, compared with a "limit page" (one
//! indexed query and a small template, the classic fortunes shape) measured in the same run;
//! before each page, its database statements per request (`round_trips`). Open loop
//! (`--open-loop`, `open_loop`): a mix of pages as a Flanders morning peak would send them, at
//! fixed arrival rates.
//!
//! The app runs as its own release process (`target/release/veertig`), serving as the runtime
//! role, on a private PostgreSQL cluster under `target/bench-pg/<scale>` with
//! `pg_stat_statements` loaded, filled once with `veertig demo-data --scale` and reused by later
//! runs. The limit page is served by the same server process, through the same middleware as
//! every page but without a login (`BENCH_LIMIT_PAGE=true` switches it on).

mod client;
mod closed_loop;
mod fixtures;
mod open_loop;
mod round_trips;
mod server;

use std::path::PathBuf;
use std::time::Duration;

use veertig::pg::{ClusterOptions, PrivateCluster};

use crate::client::log_in_many;
use crate::closed_loop::Target;
use crate::fixtures::{Crowd, Fixtures};
use crate::server::{free_port, peak_rss_kib, start_server, wait_until_up};

struct Options {
    scale: String,
    seconds: u64,
    connections: usize,
    /// `--only TEXT`: measure only the pages whose name contains TEXT (and the limit page).
    only: Option<String>,
    /// `--open-loop`: the mixed workload at fixed rates instead of the closed loop.
    open_loop: bool,
    /// `--rates 120,600`: the open loop's rates in requests a second (default 10× and 50× the
    /// estimated peak); with `--find-peak` the first is where the steps start.
    rates: Vec<f64>,
    /// `--find-peak`: step the open loop's rate up until some page's p99 passes 100 ms.
    find_peak: bool,
}

fn options() -> Options {
    let mut options = Options {
        scale: "3000".into(),
        seconds: 10,
        connections: 32,
        only: None,
        open_loop: false,
        rates: Vec::new(),
        find_peak: false,
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
            "--only" => options.only = args.next(),
            "--open-loop" => options.open_loop = true,
            "--find-peak" => {
                options.open_loop = true;
                options.find_peak = true;
            }
            "--rates" => {
                options.rates = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|rate| rate.trim().parse().ok())
                    .filter(|rate: &f64| *rate > 0.0)
                    .collect()
            }
            _ => {} // cargo bench passes --bench
        }
    }
    if options.rates.is_empty() {
        let peak = open_loop::estimated_rate();
        options.rates = vec![10.0 * peak, 50.0 * peak];
    }
    options
}

fn main() {
    let options = options();
    let data_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-pg")
        .join(&options.scale);
    let cluster = PrivateCluster::start_with_settings(
        &ClusterOptions {
            data_dir: data_dir.join("postgres"),
            ephemeral: true,
        },
        &server::CLUSTER_SETTINGS,
    )
    .expect("the benchmark cluster starts");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(options, &cluster));
    drop(runtime);
    drop(cluster);
}

async fn run(options: Options, cluster: &PrivateCluster) {
    let (pool, server_url) = server::prepare(cluster, &options.scale).await;
    let counts: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM participants), (SELECT count(*) FROM hour_entries)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");

    let port = free_port();
    let mut server = start_server(&server_url, port);
    let target = Target {
        base: format!("http://127.0.0.1:{port}"),
        pool,
        duration: Duration::from_secs(options.seconds),
        only: options.only.clone(),
    };
    wait_until_up(&target.base).await;

    if options.open_loop {
        let crowd = Crowd::load(
            &target.pool,
            open_loop::COACHES,
            open_loop::PARTNERS,
            open_loop::COORDINATORS,
        )
        .await;
        let users = open_loop::Users::log_in(&target.base, &crowd).await;
        open_loop::run(&target, &crowd, &users, &options.rates, options.find_peak).await;
        println!();
        println!(
            "Scale: {} participants, {} hour entries; {} s per rate.",
            counts.0, counts.1, options.seconds
        );
    } else {
        let fixtures = Fixtures::load(&target.pool).await;
        let connections = options.connections;
        let coaches = log_in_many(&target.base, &fixtures.coach_emails, connections).await;
        let coordinators = log_in_many(
            &target.base,
            std::slice::from_ref(&fixtures.coordinator_email),
            connections,
        )
        .await;
        let partners = log_in_many(&target.base, &fixtures.partner_emails, connections).await;
        let results =
            closed_loop::run(&target, &fixtures, &coaches, &partners, &coordinators).await;
        println!();
        println!(
            "Scale: {} participants, {} hour entries; {} connections, {} s per page; statements per request counted over {} requests of one session (pg_stat_statements, the server's role; BEGIN/COMMIT included, connection pings not).",
            counts.0,
            counts.1,
            connections,
            options.seconds,
            round_trips::PROBE_REQUESTS
        );
        println!();
        closed_loop::print_table(&results);
    }

    let peak_kib = peak_rss_kib(&server);
    let _ = server.kill();
    let _ = server.wait();
    println!();
    println!("Server peak RSS: {:.0} MB", peak_kib as f64 / 1024.0);
}
