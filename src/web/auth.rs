//! Logging in and out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tower_sessions::Session;

use super::layout::{Layout, home_path};
use super::middleware::ClientAddr;
use super::session::{self, AnyUser, FlashKind};
use crate::domain::auth::{self, LoginOutcome, WINDOW_MINUTES};
use crate::domain::user;
use crate::error::AppError;
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(layout: Layout, Query(query): Query<NextQuery>) -> Result<Response, AppError> {
    if let Some(user) = &layout.user {
        return Ok(Redirect::to(home_path(user.role)).into_response());
    }
    Ok(LoginPage {
        layout,
        email: String::new(),
        next: query.next.unwrap_or_default(),
        error: None,
    }
    .into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(app): State<AppState>,
    session: Session,
    ClientAddr(client): ClientAddr,
    layout: Layout,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let refuse = |layout, status: StatusCode, error: String, form: LoginForm| {
        (
            status,
            LoginPage {
                layout,
                email: form.email,
                next: form.next,
                error: Some(error),
            },
        )
            .into_response()
    };
    if form.email.trim().is_empty() || form.password.is_empty() {
        let error = "Vul uw e-mailadres en uw wachtwoord in.".to_string();
        return Ok(refuse(
            layout,
            StatusCode::UNPROCESSABLE_ENTITY,
            error,
            form,
        ));
    }
    let mut conn = app.pool.acquire().await?;
    let outcome = auth::login(
        &mut conn,
        &form.email,
        form.password.clone(),
        &client.to_string(),
    )
    .await?;
    let id = match outcome {
        LoginOutcome::Success(id) => id,
        LoginOutcome::WrongCredentials => {
            let error = "Dit e-mailadres en wachtwoord horen niet bij elkaar. Controleer ze en probeer opnieuw.".to_string();
            return Ok(refuse(
                layout,
                StatusCode::UNPROCESSABLE_ENTITY,
                error,
                form,
            ));
        }
        LoginOutcome::Throttled => {
            let error = format!(
                "Er werd te vaak een verkeerd wachtwoord ingevuld. Wacht {WINDOW_MINUTES} minuten en probeer het dan opnieuw."
            );
            tracing::warn!(%client, "login throttled");
            return Ok(refuse(layout, StatusCode::TOO_MANY_REQUESTS, error, form));
        }
    };
    let user = user::find_active(&mut conn, id)
        .await?
        .ok_or(AppError::Internal("user vanished during login"))?;
    session::log_in(&session, id).await?;
    let target = safe_next(&form.next).unwrap_or(home_path(user.role));
    Ok(Redirect::to(target).into_response())
}

/// Only paths on this site: `//evil.example` and absolute URLs are ignored.
fn safe_next(next: &str) -> Option<&str> {
    (next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\")).then_some(next)
}

async fn logout(_user: AnyUser, session: Session) -> Result<Redirect, AppError> {
    session::log_out(&session).await?;
    session::flash(&session, FlashKind::Success, "U bent afgemeld.").await?;
    Ok(Redirect::to("/login"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next("/caseload?page=2"), Some("/caseload?page=2"));
        assert_eq!(safe_next("//evil.example"), None);
        assert_eq!(safe_next("https://evil.example"), None);
        assert_eq!(safe_next("/\\evil.example"), None);
        assert_eq!(safe_next(""), None);
    }
}
