//! Building the application state and the server; `main` and the tests both start here.

use std::net::SocketAddr;
use std::time::Duration;

use sqlx::PgPool;
use tokio::net::TcpListener;
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::PostgresStore;

use crate::domain::{confirmation, placement, submission};
use crate::mail::{self, Sender};
use crate::web::state::AppState;

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight. `metrics`: the
/// listener of `METRICS_BIND`, which serves `/metrics` alone.
pub async fn serve(
    listener: TcpListener,
    metrics: Option<TcpListener>,
    state: AppState,
) -> std::io::Result<()> {
    let cleanup = tokio::spawn(
        PostgresStore::new(state.pool.clone())
            .continuously_delete_expired(Duration::from_secs(3600)),
    );
    let sender = match &state.config.smtp_url {
        Some(url) => match Sender::new(url, &state.config.mail_from) {
            Ok(sender) => Some(tokio::spawn(sender.run(state.pool.clone()))),
            Err(error) => {
                tracing::error!(%error, "mail cannot be sent; it stays in the outbox");
                None
            }
        },
        None => {
            tracing::info!("no SMTP_URL: mail stays in the outbox page for the beheerder");
            None
        }
    };
    let digest = tokio::spawn(weekly_digest(state.pool.clone(), state.config.base_url()));
    let forget = tokio::spawn(forget_old_records(state.pool.clone()));
    let start = tokio::spawn(start_begun_placements(state.pool.clone()));
    let metrics = metrics.map(|listener| {
        let router = crate::web::metrics::router(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await })
    });
    let app = crate::web::router(state);
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    cleanup.abort();
    digest.abort();
    forget.abort();
    start.abort();
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    if let Some(sender) = sender {
        sender.abort();
    }
    result
}

/// Checks every hour whether this week's digest is due; the database makes sure it goes once.
async fn weekly_digest(pool: PgPool, base_url: String) {
    loop {
        let outcome = async {
            let mut tx = pool.begin().await?;
            let queued = confirmation::queue_weekly_digest_once(
                &mut tx,
                &base_url,
                time::OffsetDateTime::now_utc(),
            )
            .await?;
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(queued)
        }
        .await;
        match outcome {
            Ok(true) => tracing::info!("weekly digest queued"),
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "weekly digest failed; will retry"),
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

/// Idempotency keys of create forms are needed for minutes, sent mail for weeks; keep them a
/// while, then let go.
async fn forget_old_records(pool: PgPool) {
    loop {
        if let Err(error) = submission::forget_old(&pool).await {
            tracing::warn!(%error, "forgetting old form submissions failed; will retry");
        }
        if let Err(error) = mail::forget_old(&pool).await {
            tracing::warn!(%error, "forgetting old mail failed; will retry");
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

/// A planned placement whose start date has come is running: checked at start-up and every
/// hour, so it shows *Lopend* within the hour after midnight.
async fn start_begun_placements(pool: PgPool) {
    loop {
        let outcome = async {
            let mut tx = pool.begin().await?;
            placement::start_begun(&mut tx, None, crate::values::dates::today()).await?;
            tx.commit().await
        }
        .await;
        if let Err(error) = outcome {
            tracing::warn!(%error, "starting begun placements failed; will retry");
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
