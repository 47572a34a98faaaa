//! Database statements per request, counted by PostgreSQL: before a page is measured, one session
//! sends it `PROBE_REQUESTS` times one after the other, between a reset of `pg_stat_statements`
//! and the sum of the calls of the server's role.
//!
//! What is counted: every statement the server sent (each `sqlx::query*!` execution, BEGIN,
//! COMMIT, SET, the session store's reads and writes), and apart from them the statements
//! triggers and SQL functions ran inside those (`toplevel` false). What is not: sqlx's ping of a
//! pooled connection before handing it out (`test_before_acquire`), which is a bare protocol
//! `Sync` message that PostgreSQL answers without running or counting a statement; there is no
//! counter of those outside the server process, so the pings are left out. Nothing else runs as
//! the server's role meanwhile (its background jobs wake hourly, the benchmark's own statements
//! run as the superuser).

use sqlx::PgPool;

use crate::client::{Request, Session};
use crate::server::SERVER_ROLE;

pub const PROBE_REQUESTS: usize = 20;

/// Statements per request, with and without the ones run inside triggers and functions.
#[derive(Clone, Copy)]
pub struct RoundTrips {
    pub statements: f64,
    pub nested: f64,
    /// Probe requests that got no 2xx/3xx answer (their statements are in the count too).
    pub failed: usize,
}

/// Sends `PROBE_REQUESTS` requests made by `make` (None: no request left) one after the other
/// and counts the server's statements.
pub async fn probe(
    pool: &PgPool,
    base: &str,
    session: &Session,
    mut make: impl FnMut(usize) -> Option<Request>,
) -> Option<RoundTrips> {
    sqlx::query("SELECT pg_stat_statements_reset()")
        .execute(pool)
        .await
        .expect("pg_stat_statements_reset");
    let mut sent = 0;
    let mut failed = 0;
    for n in 0..PROBE_REQUESTS {
        let Some(request) = make(n) else { break };
        sent += 1;
        if !session.send(base, &request, None).await {
            failed += 1;
        }
    }
    if sent == 0 {
        return None;
    }
    let (top, nested): (i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(s.calls) FILTER (WHERE s.toplevel), 0)::bigint,
                coalesce(sum(s.calls) FILTER (WHERE NOT s.toplevel), 0)::bigint
         FROM pg_stat_statements s
         JOIN pg_roles r ON r.oid = s.userid
         JOIN pg_database d ON d.oid = s.dbid
         WHERE r.rolname = $1 AND d.datname = current_database()",
    )
    .bind(SERVER_ROLE)
    .fetch_one(pool)
    .await
    .expect("pg_stat_statements");
    Some(RoundTrips {
        statements: top as f64 / sent as f64,
        nested: nested as f64 / sent as f64,
        failed,
    })
}
