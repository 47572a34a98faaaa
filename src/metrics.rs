//! The figures `/metrics` shows (see `web::metrics`): a registry per application instance, so
//! tests that run many instances in one process count each on its own.

use std::sync::atomic::AtomicI64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

type Level = Gauge<i64, AtomicI64>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    in_progress: Level,
    throttled_logins: Counter,
    connections: Family<StateLabel, Level>,
    connections_max: Level,
    outbox: Family<StateLabel, Level>,
    certificates: Level,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut metrics = Self {
            registry: Registry::with_prefix("veertig"),
            requests: Family::default(),
            // 1 ms to 8 s: a page takes milliseconds, an export of a large region seconds.
            latency: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.001, 2.0, 14))
            }),
            in_progress: Level::default(),
            throttled_logins: Counter::default(),
            connections: Family::default(),
            connections_max: Level::default(),
            outbox: Family::default(),
            certificates: Level::default(),
        };
        let registry = &mut metrics.registry;
        registry.register(
            "http_requests",
            "Requests answered, per route pattern, method and status",
            metrics.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, per route pattern and method",
            metrics.latency.clone(),
        );
        registry.register(
            "http_requests_in_progress",
            "Requests being answered now (above the pool size, some wait for a connection)",
            metrics.in_progress.clone(),
        );
        registry.register(
            "logins_throttled",
            "Logins refused because of too many wrong passwords",
            metrics.throttled_logins.clone(),
        );
        registry.register(
            "db_connections",
            "Database connections of this instance: in_use or idle",
            metrics.connections.clone(),
        );
        registry.register(
            "db_connections_max",
            "Largest number of database connections (DB_MAX_CONNECTIONS)",
            metrics.connections_max.clone(),
        );
        registry.register(
            "outbox_mails",
            "Mail not sent yet: waiting (still being tried) or given_up",
            metrics.outbox.clone(),
        );
        registry.register(
            "certificates_issued",
            "Certificates issued, revoked ones included",
            metrics.certificates.clone(),
        );
        metrics
    }
}

/// What is read from the database at each scrape.
pub struct Snapshot {
    pub connections_in_use: i64,
    pub connections_idle: i64,
    pub connections_max: i64,
    pub outbox_waiting: i64,
    pub outbox_given_up: i64,
    pub certificates: i64,
}

impl Metrics {
    pub fn login_throttled(&self) {
        self.throttled_logins.inc();
    }

    /// Counts a request as in progress until the value returned is dropped.
    pub fn request_started(&self) -> InProgress<'_> {
        InProgress::start(&self.in_progress)
    }

    pub fn request_answered(&self, route: String, method: String, status: String, seconds: f64) {
        let labels = RouteLabels { route, method };
        self.latency.get_or_create(&labels).observe(seconds);
        self.requests
            .get_or_create(&RequestLabels {
                route: labels.route,
                method: labels.method,
                status,
            })
            .inc();
    }

    /// The text a scraper gets, with `snapshot` as the database figures.
    pub fn render(&self, snapshot: &Snapshot) -> Result<String, std::fmt::Error> {
        let set = |family: &Family<StateLabel, Level>, state, value| {
            family.get_or_create(&StateLabel { state }).set(value);
        };
        set(&self.connections, "in_use", snapshot.connections_in_use);
        set(&self.connections, "idle", snapshot.connections_idle);
        self.connections_max.set(snapshot.connections_max);
        set(&self.outbox, "waiting", snapshot.outbox_waiting);
        set(&self.outbox, "given_up", snapshot.outbox_given_up);
        self.certificates.set(snapshot.certificates);
        let mut text = String::new();
        encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Counts a request as in progress until it is answered or dropped (a client that went away).
pub struct InProgress<'a>(&'a Level);

impl<'a> InProgress<'a> {
    fn start(level: &'a Level) -> Self {
        level.inc();
        Self(level)
    }
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}
