//! Logging in with a passkey: as the second factor on `/login/code`, after the right password,
//! or on `/login` without a password. Without a password the passkey counts as both factors,
//! because user verification (the authenticator's PIN or fingerprint) is required.
//!
//! The same rules as the password login hold: only an active user, the failure limits of
//! `domain::auth` (a failed passkey counts as a wrong password, a locked account stays locked),
//! a fresh session id and the "logged in" log line.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;
use tower_sessions::Session;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, PasskeyAuthentication, PublicKeyCredential,
};

use super::{CEREMONY_LOST, NOT_ACCEPTED, browser_answer, relying_party};
use crate::domain::auth;
use crate::domain::passkey;
use crate::domain::user;
use crate::error::AppError;
use crate::values::ids::UserId;
use crate::web::layout::{Layout, home_path};
use crate::web::middleware::ClientAddr;
use crate::web::second_factor::{code_page, finish_login, pending, start_over};
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;

/// The second-factor ceremony under way: for whom, and what the authenticator must answer.
const SECOND_FACTOR_KEY: &str = "passkey_second_factor";
/// The passwordless ceremony under way.
const PASSWORDLESS_KEY: &str = "passkey_passwordless";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/passkey/opties", post(second_factor_options))
        .route("/login/passkey", post(second_factor))
        .route(
            "/login/zonder-wachtwoord/opties",
            post(passwordless_options),
        )
        .route("/login/zonder-wachtwoord", post(passwordless))
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    credential: String,
}

/// Options for one of the passkeys of the user whose password was just right.
async fn second_factor_options(
    State(app): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    let webauthn = relying_party(&app)?;
    let Some((user, _)) = pending(&app, &session).await? else {
        // Nobody is logged in to name a role for: the plain 403 page.
        return Ok(StatusCode::FORBIDDEN.into_response());
    };
    let mut conn = app.pool.acquire().await?;
    let passkeys = passkey::credentials(&mut conn, user.id).await?;
    if passkeys.is_empty() {
        return Err(AppError::NotFound);
    }
    let (options, state) = webauthn
        .start_passkey_authentication(&passkeys)
        .map_err(|_| AppError::Internal("a passkey login could not start"))?;
    session.insert(SECOND_FACTOR_KEY, (user.id, state)).await?;
    Ok(Json(options).into_response())
}

async fn second_factor(
    State(app): State<AppState>,
    session: Session,
    ClientAddr(client): ClientAddr,
    layout: Layout,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    let webauthn = relying_party(&app)?;
    let Some((user, next)) = pending(&app, &session).await? else {
        return Ok(start_over(&layout));
    };
    let kept: Option<(UserId, PasskeyAuthentication)> = session.remove(SECOND_FACTOR_KEY).await?;
    let state = kept.filter(|(owner, _)| *owner == user.id);
    let answer = browser_answer::<PublicKeyCredential>(&form.credential);
    let (Some((_, state)), Some(answer)) = (state, answer) else {
        let error = CEREMONY_LOST.to_string();
        return code_page(
            &app,
            &user,
            layout,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(error),
        )
        .await;
    };
    let client = client.to_string();
    let mut tx = app.pool.begin().await?;
    if let Some(lock) = auth::throttle(&mut tx, &user.email, &client).await? {
        tracing::warn!(%client, ?lock, "passkey throttled");
        return code_page(
            &app,
            &user,
            layout,
            StatusCode::TOO_MANY_REQUESTS,
            Some(lock.message()),
        )
        .await;
    }
    // Someone else's passkey, or one removed since the options, is not one of the user's.
    let stored = passkey::find(&mut tx, answer.get_credential_id())
        .await?
        .filter(|stored| stored.user == user.id);
    let checked = stored.and_then(|stored| {
        let result = webauthn
            .finish_passkey_authentication(&answer, &state)
            .ok()?;
        Some((stored, result))
    });
    let Some((stored, result)) = checked else {
        auth::record_failure(&mut tx, &user.email, &client).await?;
        tx.commit().await?;
        tracing::warn!(%client, "login refused: passkey not accepted");
        let error = NOT_ACCEPTED.to_string();
        return code_page(
            &app,
            &user,
            layout,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(error),
        )
        .await;
    };
    passkey::record_use(&mut tx, stored, &result).await?;
    auth::forget_failures(&mut tx, &user.email, &client).await?;
    tx.commit().await?;
    finish_login(&app, &session, &user, &client).await?;
    Ok(Redirect::to(&next).into_response())
}

/// Options for any passkey of this site the authenticator holds (a discoverable credential).
async fn passwordless_options(
    State(app): State<AppState>,
    session: Session,
) -> Result<Response, AppError> {
    let webauthn = relying_party(&app)?;
    let (mut options, state) = webauthn
        .start_discoverable_authentication()
        .map_err(|_| AppError::Internal("a passkey login could not start"))?;
    // Asked for with a button, not offered in the e-mail field's autofill.
    options.mediation = None;
    session.insert(PASSWORDLESS_KEY, state).await?;
    Ok(Json(options).into_response())
}

/// Back to the login page with what went wrong.
async fn refuse(session: &Session, message: String) -> Result<Response, AppError> {
    session::flash(session, FlashKind::Error, message).await?;
    Ok(Redirect::to("/login").into_response())
}

async fn passwordless(
    State(app): State<AppState>,
    session: Session,
    ClientAddr(client): ClientAddr,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    let webauthn = relying_party(&app)?;
    let state: Option<DiscoverableAuthentication> = session.remove(PASSWORDLESS_KEY).await?;
    let answer = browser_answer::<PublicKeyCredential>(&form.credential);
    let (Some(state), Some(answer)) = (state, answer) else {
        return refuse(&session, CEREMONY_LOST.to_string()).await;
    };
    let client = client.to_string();
    let Ok((handle, credential_id)) = webauthn.identify_discoverable_authentication(&answer) else {
        tracing::warn!(%client, "login refused: passkey without user");
        return refuse(&session, NOT_ACCEPTED.to_string()).await;
    };
    let mut tx = app.pool.begin().await?;
    // The passkey must exist and be of the user it names; the user must be active.
    let stored = passkey::find(&mut tx, credential_id)
        .await?
        .filter(|stored| stored.user.0 == handle);
    let user = match &stored {
        Some(stored) => user::find_active(&mut *tx, stored.user, None).await?,
        None => None,
    };
    let (Some(stored), Some(user)) = (stored, user) else {
        tracing::warn!(%client, "login refused: unknown passkey or inactive user");
        return refuse(&session, NOT_ACCEPTED.to_string()).await;
    };
    if let Some(lock) = auth::throttle(&mut tx, &user.email, &client).await? {
        tracing::warn!(%client, ?lock, "passkey throttled");
        return refuse(&session, lock.message()).await;
    }
    let key = DiscoverableKey::from(&stored.passkey);
    let Ok(result) = webauthn.finish_discoverable_authentication(&answer, state, &[key]) else {
        auth::record_failure(&mut tx, &user.email, &client).await?;
        tx.commit().await?;
        tracing::warn!(%client, "login refused: passkey not accepted");
        return refuse(&session, NOT_ACCEPTED.to_string()).await;
    };
    passkey::record_use(&mut tx, stored, &result).await?;
    auth::forget_failures(&mut tx, &user.email, &client).await?;
    tx.commit().await?;
    // A fresh session id, the "logged in" line: as after a password and a second factor.
    finish_login(&app, &session, &user, &client).await?;
    Ok(Redirect::to(home_path(user.role)).into_response())
}
