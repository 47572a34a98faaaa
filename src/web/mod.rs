//! The HTTP side: one module per area, each with its `router()`, merged in [`router`].

pub mod access_log;
pub mod account;
pub mod admin;
pub mod auth;
pub mod certificates;
pub mod csrf;
pub mod forms;
pub mod health;
pub mod home;
pub mod kbi;
pub mod layout;
pub mod metrics;
pub mod middleware;
pub mod mijn;
pub mod offers;
pub mod oidc;
pub mod organisations;
pub mod paper;
pub mod participants;
pub mod partner;
pub mod passkey;
pub mod placements;
pub mod progress;
pub mod reports;
pub mod second_factor;
pub mod session;
pub mod state;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{CachingSessionStore, Expiry, SessionManagerLayer};
use tower_sessions_moka_store::MokaStore;
use tower_sessions_sqlx_store::PostgresStore;

use crate::error::AppError;
use crate::web::state::AppState;

/// No inline scripts or styles anywhere; nothing may frame Veertig.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'; object-src 'none'";

pub const SESSION_COOKIE: &str = "veertig_sessie";
/// The session cookie's name behind `https`: the `__Host-` prefix makes browsers accept it only
/// from this host, over a secure connection, for every path, so no subdomain can set one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-veertig_sessie";
/// Behind `https`, browsers are told to use nothing else for a year, on this host and any below
/// it (Veertig's own host name, such as `veertig.gemeente.be`, not the municipality's domain).
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";
/// Sessions kept in memory per instance (about 1 KB each); older ones are read from PostgreSQL.
const SESSION_CACHE_CAPACITY: u64 = 20_000;

/// Largest request body of any route that does not set its own: forms are a few KiB at most.
/// A route that takes files sets a larger `DefaultBodyLimit` on itself, which overrides this
/// one (its form must then send the CSRF token in the `X-CSRF-Token` header, see `csrf`).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The whole application: every route, every middleware.
pub fn router(state: AppState) -> Router {
    // Pages behind a login. Handlers also demand a role through their extractors; this layer
    // makes sure a page that forgot to still needs a login.
    let protected = Router::new()
        .merge(home::router())
        .merge(account::router())
        .merge(second_factor::account_router())
        .merge(passkey::account_router())
        .merge(organisations::router())
        .merge(participants::router())
        .merge(placements::router())
        .merge(paper::router())
        .merge(kbi::router())
        .merge(offers::router())
        .merge(partner::router())
        .merge(certificates::router())
        .merge(reports::router())
        .merge(admin::router())
        .merge(access_log::router())
        .merge(mijn::router())
        .route_layer(from_fn_with_state(state.clone(), require_login));
    let public = Router::new()
        .merge(auth::router())
        .merge(second_factor::router())
        .merge(passkey::router())
        .merge(oidc::router())
        .merge(partner::public_router())
        .merge(certificates::public_router())
        .merge(mijn::public_router())
        .merge(health::router(state.config.bench_limit_page))
        .nest("/static", static_files(&state));

    // Sessions are read from an in-process cache in front of PostgreSQL: the user lookup of every
    // page (`session::current_user`) checks in the same query that the session row still exists,
    // so a session ended on another instance stops working there at the next request.
    let store = CachingSessionStore::new(
        MokaStore::new(Some(SESSION_CACHE_CAPACITY)),
        PostgresStore::new(state.pool.clone()),
    );
    let secure = state.config.secure_cookies();
    let sessions = SessionManagerLayer::new(store)
        .with_name(if secure {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        })
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            state.config.session_idle_minutes,
        )));

    let public = match state.config.metrics_token {
        Some(_) => public.merge(metrics::token_router()),
        None => public,
    };

    Router::new()
        .merge(public)
        .merge(protected)
        .fallback(not_found)
        .layer(from_fn(csrf::verify))
        .layer(from_fn_with_state(state.clone(), csrf::pre_login_token))
        .layer(from_fn_with_state(state.clone(), middleware::log_denied))
        .layer(from_fn(middleware::refuse_nul_bytes))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(sessions)
        .layer(from_fn(middleware::session_store_outage))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::new())
        .layer(from_fn(middleware::error_pages))
        .layer(from_fn(middleware::no_store_by_default))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(&state),
        ))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // A page may ask for less (Mijn traject: `no-referrer`, its token is in the URL).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &Response| {
                secure.then_some(HeaderValue::from_static(STRICT_TRANSPORT_SECURITY))
            },
        ))
        .layer(CompressionLayer::new())
        .layer(from_fn(middleware::request_log))
        .layer(from_fn_with_state(state.clone(), metrics::record))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// [`CONTENT_SECURITY_POLICY`], letting forms go on to the OpenID provider too when there is
/// one: logging out continues at its end-session endpoint, and browsers apply `form-action` to
/// the redirects that follow a form.
fn content_security_policy(state: &AppState) -> HeaderValue {
    let Some(provider) = &state.oidc else {
        return HeaderValue::from_static(CONTENT_SECURITY_POLICY);
    };
    let policy = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'",
        &format!("form-action 'self' {}", provider.origin()),
    );
    HeaderValue::try_from(policy).unwrap_or(HeaderValue::from_static(CONTENT_SECURITY_POLICY))
}

fn security_header(
    name: header::HeaderName,
    value: &'static str,
) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// Files under `static/`, cached by browsers for a day (URLs carry the version).
fn static_files(state: &AppState) -> Router<AppState> {
    let files = ServeDir::new(state.config.static_dir()).precompressed_gzip();
    Router::new().fallback_service(
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ))
            .service(files),
    )
}

async fn require_login(
    State(app): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let (mut parts, body) = request.into_parts();
    if session::current_user(&mut parts, &app.pool)
        .await?
        .is_none()
    {
        let next = (parts.method == Method::GET)
            .then(|| parts.uri.path_and_query().map(|p| p.as_str().to_string()))
            .flatten();
        return Err(AppError::LoginRequired { next });
    }
    Ok(next.run(Request::from_parts(parts, body)).await)
}

async fn not_found() -> impl IntoResponse {
    AppError::NotFound
}
