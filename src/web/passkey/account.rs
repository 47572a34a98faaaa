//! The user's own passkeys under *Tweede factor*: the list, adding one, removing one.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;
use webauthn_rs::prelude::{PasskeyRegistration, RegisterPublicKeyCredential};
use webauthn_rs_proto::ResidentKeyRequirement;

use super::{CEREMONY_LOST, NOT_ACCEPTED, available, browser_answer, relying_party};
use crate::domain::passkey::{self, PasskeyName, RegisterError};
use crate::domain::user::CurrentUser;
use crate::error::AppError;
use crate::values::dates::format_moment;
use crate::values::ids::UserId;
use crate::web::forms::PathId;
use crate::web::layout::Layout;
use crate::web::second_factor::RecoveryCodesPage;
use crate::web::session::{self, AnyUser, FlashKind};
use crate::web::state::AppState;

const PAGE: &str = "/mijn-account/passkeys";
/// The registration under way: whose, and what the authenticator must answer.
const REGISTER_KEY: &str = "passkey_registration";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mijn-account/passkeys", get(page).post(register))
        .route("/mijn-account/passkeys/opties", post(options))
        .route("/mijn-account/passkeys/{id}/verwijderen", post(remove))
}

struct Row {
    id: Uuid,
    name: String,
    created: String,
    last_used: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/passkeys.html")]
struct PasskeysPage {
    layout: Layout,
    passkeys: Vec<Row>,
    available: bool,
    /// What was typed as the name, shown again with an error.
    typed_name: String,
    error: Option<String>,
}

async fn render(
    app: &AppState,
    user: &CurrentUser,
    layout: Layout,
    name: String,
    error: Option<String>,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    let passkeys = passkey::list(&mut conn, user.id)
        .await?
        .into_iter()
        .map(|listed| Row {
            id: listed.id,
            name: listed.name,
            created: format_moment(listed.created_at),
            last_used: listed.last_used_at.map(format_moment).unwrap_or_default(),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PasskeysPage {
        layout,
        passkeys,
        available: available(app),
        typed_name: name,
        error,
    };
    Ok((status, page).into_response())
}

async fn page(
    State(app): State<AppState>,
    AnyUser { user, .. }: AnyUser,
    layout: Layout,
) -> Result<Response, AppError> {
    render(&app, &user, layout, String::new(), None).await
}

/// The options for the browser, kept in the session for the answer.
async fn options(
    State(app): State<AppState>,
    AnyUser { user, .. }: AnyUser,
    session: Session,
) -> Result<Response, AppError> {
    let webauthn = relying_party(&app)?;
    let mut conn = app.pool.acquire().await?;
    // A passkey already registered cannot be registered twice.
    let known = passkey::credentials(&mut conn, user.id)
        .await?
        .iter()
        .map(|known| known.cred_id().clone())
        .collect();
    let (mut options, state) = webauthn
        .start_passkey_registration(user.id.0, &user.email, &user.name, Some(known))
        .map_err(|_| AppError::Internal("a passkey registration could not start"))?;
    // Stored on the authenticator where it can be, so it also serves to log in without a
    // password; one that cannot still serves as a second factor.
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Preferred);
    }
    session.insert(REGISTER_KEY, (user.id, state)).await?;
    Ok(Json(options).into_response())
}

#[derive(Deserialize)]
struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    credential: String,
}

async fn register(
    State(app): State<AppState>,
    AnyUser { user, .. }: AnyUser,
    session: Session,
    layout: Layout,
    Form(form): Form<RegisterForm>,
) -> Result<Response, AppError> {
    let webauthn = relying_party(&app)?;
    // Used once, whatever comes of it.
    let kept: Option<(UserId, PasskeyRegistration)> = session.remove(REGISTER_KEY).await?;
    let name = match PasskeyName::parse(&form.name) {
        Ok(name) => name,
        Err(message) => return render(&app, &user, layout, form.name, Some(message)).await,
    };
    let state = kept.filter(|(owner, _)| *owner == user.id);
    let answer = browser_answer::<RegisterPublicKeyCredential>(&form.credential);
    let (Some((_, state)), Some(answer)) = (state, answer) else {
        let error = Some(CEREMONY_LOST.to_string());
        return render(&app, &user, layout, form.name, error).await;
    };
    let Ok(new) = webauthn.finish_passkey_registration(&answer, &state) else {
        tracing::warn!(user = %user.id, "passkey registration refused");
        let error = Some(NOT_ACCEPTED.to_string());
        return render(&app, &user, layout, form.name, error).await;
    };
    let mut tx = app.pool.begin().await?;
    let codes = match passkey::register(&mut tx, user.id, &name, &new).await {
        Ok(codes) => codes,
        Err(RegisterError::AlreadyRegistered) => {
            let error = Some("Deze passkey is al geregistreerd.".to_string());
            return render(&app, &user, layout, form.name, error).await;
        }
        Err(RegisterError::Database(error)) => return Err(error.into()),
    };
    tx.commit().await?;
    tracing::info!(user = %user.id, "passkey registered");
    if let Some(codes) = codes {
        return Ok(RecoveryCodesPage {
            layout,
            codes,
            next: PAGE.to_string(),
        }
        .into_response());
    }
    let message = format!("Uw passkey ‘{}’ is toegevoegd.", name.as_str());
    session::flash(&session, FlashKind::Success, message).await?;
    Ok(Redirect::to(PAGE).into_response())
}

/// Only one's own: someone else's passkey is not found.
async fn remove(
    State(app): State<AppState>,
    AnyUser { user, .. }: AnyUser,
    session: Session,
    PathId(id): PathId<Uuid>,
) -> Result<Redirect, AppError> {
    let mut tx = app.pool.begin().await?;
    if !passkey::remove(&mut tx, user.id, id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    tracing::info!(user = %user.id, "passkey removed");
    session::flash(&session, FlashKind::Success, "De passkey is verwijderd.").await?;
    Ok(Redirect::to(PAGE))
}
