//! Database statements per request, counted by PostgreSQL: before a page is measured, one session
//! sends it `PROBE_REQUESTS` times one after the other (after as many unmeasured ones to warm the
//! connections up), between a reset of `pg_stat_statements` and the sum of the calls of the
//! server's role.
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

/// Sends `2 × PROBE_REQUESTS` requests made by `make` (None: no request left) one after the
/// other and counts, over the second half, the server's statements; with `BENCH_LIST_STATEMENTS` set also lists them.
pub async fn probe(
    name: &str,
    pool: &PgPool,
    base: &str,
    session: &Session,
    mut make: impl FnMut(usize) -> Option<Request>,
) -> Option<RoundTrips> {
    // Warm-up: sqlx looks a custom type (an enum) up once per connection, the first time that
    // connection decodes it; those lookups are not the page's and are left out this way (the
    // pool hands its idle connections out in turn, and 20 requests pass every one of its 10).
    for n in 0..PROBE_REQUESTS {
        let Some(request) = make(n) else { break };
        session.send(base, &request, None).await;
    }
    sqlx::query("SELECT pg_stat_statements_reset()")
        .execute(pool)
        .await
        .expect("pg_stat_statements_reset");
    let mut sent = 0;
    let mut failed = 0;
    for n in PROBE_REQUESTS..2 * PROBE_REQUESTS {
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
    if std::env::var_os("BENCH_LIST_STATEMENTS").is_some() {
        println!("{name}, {sent} requests:");
        list_statements(pool).await;
    }
    Some(RoundTrips {
        statements: top as f64 / sent as f64,
        nested: nested as f64 / sent as f64,
        failed,
    })
}

/// With `BENCH_LIST_STATEMENTS` set: the probe's statements, most called first.
async fn list_statements(pool: &PgPool) {
    let rows: Vec<(i64, bool, String)> = sqlx::query_as(
        "SELECT s.calls, s.toplevel, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 110)
         FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
         JOIN pg_database d ON d.oid = s.dbid
         WHERE r.rolname = $1 AND d.datname = current_database()
         ORDER BY s.toplevel DESC, s.calls DESC",
    )
    .bind(SERVER_ROLE)
    .fetch_all(pool)
    .await
    .expect("pg_stat_statements");
    for (calls, toplevel, query) in rows {
        println!("  {calls:>4} {} {query}", if toplevel { " " } else { "↳" });
    }
}
