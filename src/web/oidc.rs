//! Logging in through the organisation's OpenID provider (see `crate::oidc` for the protocol,
//! `domain::oidc` for who gets in).
//!
//! `/login/oidc` remembers the login begun (its `state`, `nonce`, PKCE verifier and where the
//! user was going) in the session and sends the browser to the provider; the provider sends it
//! back to `/login/oidc/callback`, which takes that memory out of the session (so a callback
//! works once), checks the answer and logs the user in as a password login does: same session
//! rules, and the second factor unless the provider says it asked one.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use super::layout::{Layout, home_path, safe_next};
use super::middleware::ClientAddr;
use super::second_factor;
use super::session;
use crate::domain::oidc::{self, Identified, ProviderIdentity};
use crate::domain::user::{self, CurrentUser};
use crate::error::AppError;
use crate::oidc::Provider;
use crate::web::state::AppState;

const CEREMONY_KEY: &str = "oidc_login";
/// The ID token of the login, sent back to the provider at logout (`id_token_hint`).
const ID_TOKEN_KEY: &str = "oidc_id_token";
/// How long the provider may take (the user typing there included).
const CEREMONY_MINUTES: i64 = 10;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/oidc", get(start))
        .route("/login/oidc/callback", get(callback))
}

/// A login begun at the provider, single use.
#[derive(Serialize, Deserialize)]
struct Ceremony {
    state: String,
    nonce: String,
    pkce_verifier: String,
    /// Where the user goes once logged in, already checked to stay on this site.
    next: Option<String>,
    until: i64,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Why a login through the provider did not happen, as the user reads it.
#[derive(Clone, Copy)]
enum Refusal {
    /// The provider cannot be reached or answers nonsense.
    Unavailable,
    /// No login begun in this browser, or it expired or was used.
    NoLoginBegun,
    /// The provider reported an error (the user cancelled, or was refused there).
    ProviderSaidNo,
    /// The answer failed a check (state, code, token).
    BadAnswer,
    /// First login without an e-mail address the provider verified.
    NoVerifiedEmail,
    /// Nobody Veertig knows.
    Unknown,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/oidc_refused.html")]
struct RefusedPage {
    layout: Layout,
    title: &'static str,
    message: String,
}

fn refused(layout: Layout, provider: &Provider, refusal: Refusal) -> Response {
    let label = provider.label.clone();
    let (status, title, message) = match refusal {
        Refusal::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Aanmelden lukt nu niet",
            format!(
                "Veertig kan {label} nu niet bereiken. Probeer het over enkele minuten opnieuw. Hebt u een wachtwoord voor Veertig, dan kunt u zich daarmee aanmelden."
            ),
        ),
        Refusal::NoLoginBegun => (
            StatusCode::BAD_REQUEST,
            "Aanmelden lukte niet",
            "Deze aanmelding is verlopen of werd al gebruikt. Begin opnieuw vanaf de aanmeldpagina.".to_string(),
        ),
        Refusal::ProviderSaidNo => (
            StatusCode::BAD_REQUEST,
            "Aanmelden lukte niet",
            format!(
                "{label} gaf de aanmelding niet door: ze werd geannuleerd of geweigerd. U bent niet aangemeld."
            ),
        ),
        Refusal::BadAnswer => (
            StatusCode::BAD_REQUEST,
            "Aanmelden lukte niet",
            format!(
                "Het antwoord van {label} klopte niet, dus bent u niet aangemeld. Begin opnieuw vanaf de aanmeldpagina. Gebeurt dit weer, meld het dan aan uw beheerder."
            ),
        ),
        Refusal::NoVerifiedEmail => (
            StatusCode::FORBIDDEN,
            "Geen bevestigd e-mailadres",
            format!(
                "{label} gaf geen bevestigd e-mailadres door. Veertig heeft dat de eerste keer nodig om uw account te vinden. Vraag uw beheerder of coördinator om hulp."
            ),
        ),
        Refusal::Unknown => (
            StatusCode::FORBIDDEN,
            "Geen account in Veertig",
            format!(
                "U bent aangemeld bij {label}, maar Veertig kent u niet. Een account in Veertig wordt gemaakt door de beheerder of de coördinator van uw regio. Vraag hen om een account met het e-mailadres dat u bij {label} gebruikt."
            ),
        ),
    };
    let page = RefusedPage {
        layout,
        title,
        message,
    };
    (status, page).into_response()
}

#[derive(Deserialize)]
struct StartQuery {
    next: Option<String>,
}

async fn start(
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    Query(query): Query<StartQuery>,
) -> Result<Response, AppError> {
    let Some(provider) = app.oidc.as_deref() else {
        return Err(AppError::NotFound);
    };
    if let Some(user) = &layout.user {
        return Ok(Redirect::to(home_path(user.role)).into_response());
    }
    let started = match provider.start().await {
        Ok(started) => started,
        Err(error) => {
            tracing::warn!(%error, "OpenID login could not begin");
            return Ok(refused(layout, provider, Refusal::Unavailable));
        }
    };
    let ceremony = Ceremony {
        state: started.state,
        nonce: started.nonce,
        pkce_verifier: started.pkce_verifier,
        next: query
            .next
            .as_deref()
            .and_then(safe_next)
            .map(str::to_string),
        until: now() + CEREMONY_MINUTES * 60,
    };
    session.insert(CEREMONY_KEY, ceremony).await?;
    Ok(Redirect::to(&started.url).into_response())
}

/// What the provider sends back: a code and the state, or an error.
#[derive(Deserialize)]
struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(app): State<AppState>,
    session: Session,
    ClientAddr(client): ClientAddr,
    layout: Layout,
    Query(answer): Query<Answer>,
) -> Result<Response, AppError> {
    let Some(provider) = app.oidc.as_deref() else {
        return Err(AppError::NotFound);
    };
    // Taken out whatever follows: a callback works once.
    let ceremony: Option<Ceremony> = session.remove(CEREMONY_KEY).await?;
    let Some(ceremony) = ceremony.filter(|ceremony| now() < ceremony.until) else {
        tracing::warn!(%client, "OpenID login refused: no login begun in this session (expired, used or forged)");
        return Ok(refused(layout, provider, Refusal::NoLoginBegun));
    };
    let state_matches = answer
        .state
        .as_deref()
        .is_some_and(|state| bool::from(state.as_bytes().ct_eq(ceremony.state.as_bytes())));
    if !state_matches {
        tracing::warn!(%client, "OpenID login refused: wrong state");
        return Ok(refused(layout, provider, Refusal::BadAnswer));
    }
    if let Some(error) = &answer.error {
        // The error code is the provider's (RFC 6749 4.1.2.1), short; its description is not
        // logged, it may repeat whatever the request held.
        let error: String = error.chars().take(40).collect();
        tracing::warn!(%client, %error, "OpenID login refused: the provider answered with an error");
        return Ok(refused(layout, provider, Refusal::ProviderSaidNo));
    }
    let Some(code) = answer.code else {
        tracing::warn!(%client, "OpenID login refused: no code");
        return Ok(refused(layout, provider, Refusal::BadAnswer));
    };
    let verified = match provider
        .finish(code, ceremony.nonce, ceremony.pkce_verifier)
        .await
    {
        Ok(verified) => verified,
        Err(error) => {
            tracing::warn!(%client, %error, "OpenID login refused");
            return Ok(refused(layout, provider, Refusal::BadAnswer));
        }
    };
    let mut tx = app.pool.begin().await?;
    let identity = ProviderIdentity {
        issuer: &verified.issuer,
        subject: &verified.subject,
        verified_email: verified.verified_email.as_deref(),
    };
    let id = match oidc::identify(&mut tx, &identity).await? {
        Identified::User(id) => id,
        Identified::NoVerifiedEmail => {
            tracing::warn!(%client, "OpenID login refused: new subject without a verified e-mail address");
            return Ok(refused(layout, provider, Refusal::NoVerifiedEmail));
        }
        Identified::Unknown => {
            // The subject and address identify a person who has no account: neither is logged.
            tracing::warn!(%client, "OpenID login refused: nobody in Veertig has this subject or verified address");
            return Ok(refused(layout, provider, Refusal::Unknown));
        }
    };
    tx.commit().await?;
    let user = user::find_active(&app.pool, id, None)
        .await?
        .ok_or(AppError::Internal("user vanished during login"))?;
    log_in(&app, &session, &user, verified, ceremony.next, client).await
}

/// The end of a login through the provider: the second factor if the provider did not ask one
/// and Veertig would, else the session.
async fn log_in(
    app: &AppState,
    session: &Session,
    user: &CurrentUser,
    verified: crate::oidc::Verified,
    next: Option<String>,
    client: std::net::IpAddr,
) -> Result<Response, AppError> {
    let target = next.as_deref().unwrap_or(home_path(user.role));
    session.insert(ID_TOKEN_KEY, verified.id_token).await?;
    if !verified.second_factor_done {
        let mut conn = app.pool.acquire().await?;
        if let Some(ask) =
            second_factor::after_password(app, &mut conn, session, user, target).await?
        {
            tracing::info!(user = %user.id, %client, "OpenID login right, second factor asked");
            return Ok(ask.into_response());
        }
    }
    session::log_in(session, user, app.config.session_lifetime()).await?;
    tracing::info!(user = %user.id, role = ?user.role, %client, via = "openid", "logged in");
    Ok(Redirect::to(target).into_response())
}

/// Before the session ends at logout: where the browser goes to log out at the provider too,
/// when the user logged in through it and the provider has an end-session endpoint.
pub(super) async fn provider_logout(
    app: &AppState,
    session: &Session,
) -> Result<Option<String>, AppError> {
    let Some(provider) = app.oidc.as_deref() else {
        return Ok(None);
    };
    let Some(id_token) = session.get::<String>(ID_TOKEN_KEY).await? else {
        return Ok(None);
    };
    Ok(provider.logout_url(&id_token).await)
}

/// The refusal a password login gets when the user's role must use the provider.
pub(super) fn password_refused(app: &AppState, user: &CurrentUser) -> Option<String> {
    let provider = app.oidc.as_deref()?;
    provider.password_refused(user.role).then(|| {
        format!(
            "U meldt zich niet met een wachtwoord aan, maar met de knop \"Aanmelden met {}\".",
            provider.label
        )
    })
}

/// The provider's name for the login page's button, when there is a provider.
pub(super) fn button_label(app: &AppState) -> Option<String> {
    app.oidc.as_deref().map(|provider| provider.label.clone())
}
