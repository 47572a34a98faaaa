//! Probes for load balancers and orchestrators; no login needed. And the load benchmark's
//! limit page, when switched on.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;

use crate::domain::organisation::OrganisationKind;
use crate::error::AppError;
use crate::web::state::AppState;

pub fn router(bench_limit_page: bool) -> Router<AppState> {
    let probes = Router::new()
        .route("/healthz", get(alive))
        .route("/readyz", get(ready));
    if bench_limit_page {
        probes.route("/bench/limit", get(limit_page))
    } else {
        probes
    }
}

/// The process answers.
async fn alive() -> &'static str {
    "ok"
}

/// The process can reach its database.
async fn ready(State(app): State<AppState>) -> (StatusCode, &'static str) {
    match sqlx::query_scalar!("SELECT 1 AS \"one!\"")
        .fetch_one(&app.pool)
        .await
    {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

#[derive(Deserialize)]
struct LimitQuery {
    regio: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "bench/limit.html")]
struct LimitPage {
    rows: Vec<(String, OrganisationKind)>,
}

/// The "fortunes" shape the benchmark compares every page with: one indexed query and a small
/// template, served by this binary through the same middleware as every page, without a login.
async fn limit_page(
    State(app): State<AppState>,
    Query(query): Query<LimitQuery>,
) -> Result<LimitPage, AppError> {
    let rows = sqlx::query!(
        r#"SELECT o.name, o.kind AS "kind: OrganisationKind" FROM organisations o
           WHERE o.region_id = (SELECT id FROM regions WHERE code = $1)
           ORDER BY o.search_name LIMIT 12"#,
        query.regio
    )
    .fetch_all(&app.pool)
    .await?;
    Ok(LimitPage {
        rows: rows.into_iter().map(|row| (row.name, row.kind)).collect(),
    })
}
