//! The logged-in user's own account: changing their password (`/mijn-account/wachtwoord`, for
//! every role; not under `/mijn/`, which is the inburgeraar's public area).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use tower_sessions::Session;

use super::auth::new_password_twice;
use super::forms::FieldErrors;
use super::layout::{Layout, home_path};
use super::middleware::ClientAddr;
use super::session::{self, AnyUser, FlashKind};
use crate::domain::account::{self, ChangeOutcome};
use crate::error::AppError;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/mijn-account/wachtwoord",
        get(password_page).post(change_password),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "account/password.html")]
struct PasswordPage {
    layout: Layout,
    errors: FieldErrors,
}

async fn password_page(_user: AnyUser, layout: Layout) -> PasswordPage {
    PasswordPage {
        layout,
        errors: FieldErrors::default(),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

async fn change_password(
    State(app): State<AppState>,
    AnyUser { user, .. }: AnyUser,
    session: Session,
    ClientAddr(client): ClientAddr,
    layout: Layout,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let refuse = |layout, status, errors| (status, PasswordPage { layout, errors }).into_response();
    let mut errors = FieldErrors::default();
    if form.current.is_empty() {
        errors.add("current", "Vul uw huidige wachtwoord in.");
    }
    let password = new_password_twice(&mut errors, &form.password, &form.password_again);
    let Some(password) = password.filter(|_| errors.is_empty()) else {
        return Ok(refuse(layout, StatusCode::UNPROCESSABLE_ENTITY, errors));
    };
    let mut tx = app.pool.begin().await?;
    let outcome = account::change_password(
        &mut tx,
        user.id,
        form.current,
        password,
        &client.to_string(),
    )
    .await?;
    // Also when the current password was wrong: that failure must stay counted.
    tx.commit().await?;
    match outcome {
        ChangeOutcome::Changed { session_generation } => {
            session::keep_after_password_change(&session, session_generation).await?;
            session::flash(
                &session,
                FlashKind::Success,
                "Uw wachtwoord is gewijzigd. Op andere toestellen bent u afgemeld; u kreeg een e-mail ter bevestiging.",
            )
            .await?;
            Ok(Redirect::to(home_path(user.role)).into_response())
        }
        ChangeOutcome::WrongPassword => {
            errors.add(
                "current",
                "Dit is niet uw huidige wachtwoord. Typ het wachtwoord waarmee u zich aanmeldt.",
            );
            Ok(refuse(layout, StatusCode::UNPROCESSABLE_ENTITY, errors))
        }
        ChangeOutcome::Throttled(lock) => {
            tracing::warn!(%client, user = %user.id, ?lock, "password change throttled");
            errors.add("current", lock.message());
            Ok(refuse(layout, StatusCode::TOO_MANY_REQUESTS, errors))
        }
    }
}
