//! `/metrics` for Prometheus (the OpenMetrics text format, which Prometheus reads): requests and
//! latency per route pattern and status, requests in progress, the database pool, the outbox,
//! certificates issued and throttled logins. Not public: served on its own listener
//! (`METRICS_BIND`) or on the main address behind a bearer token (`METRICS_TOKEN`); without
//! either setting nowhere.
//!
//! Request figures are this instance's since it started; the outbox and certificate figures are
//! read from the database at each scrape, so every instance reports the same ones.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use subtle::ConstantTimeEq;

use super::state::AppState;
use crate::domain::certificate;
use crate::error::AppError;
use crate::metrics::Snapshot;

const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Counts the request under its route pattern (`/inburgeraars/{id}`, never the id itself, so the
/// number of series stays bounded); unknown paths count as `unmatched`.
pub async fn record(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let in_progress = app.metrics.request_started();
    let response = next.run(request).await;
    drop(in_progress);
    app.metrics.request_answered(
        route,
        method,
        response.status().as_str().to_string(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `/metrics` alone, for the `METRICS_BIND` listener.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(state)
}

/// `/metrics` on the main address, for a scraper with the `METRICS_TOKEN`.
pub fn token_router() -> Router<AppState> {
    Router::new().route("/metrics", get(scrape_with_token))
}

async fn scrape_with_token(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let allowed = match (&app.config.metrics_token, given) {
        (Some(token), Some(given)) => bool::from(token.as_bytes().ct_eq(given.as_bytes())),
        _ => false,
    };
    if !allowed {
        return Ok((
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response());
    }
    scrape(State(app)).await
}

async fn scrape(State(app): State<AppState>) -> Result<Response, AppError> {
    let size = i64::from(app.pool.size());
    let idle = i64::try_from(app.pool.num_idle()).unwrap_or(i64::MAX);
    let (outbox_waiting, outbox_given_up) = crate::mail::unsent_counts(&app.pool).await?;
    let snapshot = Snapshot {
        connections_in_use: size - idle,
        connections_idle: idle,
        connections_max: i64::from(app.config.db_max_connections),
        outbox_waiting,
        outbox_given_up,
        certificates: certificate::count_issued(&app.pool).await?,
    };
    let text = app
        .metrics
        .render(&snapshot)
        .map_err(|_| AppError::Internal("metrics could not be written"))?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response())
}
