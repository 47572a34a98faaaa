//! Logging in and out, and a new password for who forgot theirs.

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

use super::forms::FieldErrors;
use super::layout::{Layout, home_path, safe_next};
use super::middleware::ClientAddr;
use super::oidc;
use super::session::{self, AnyUser, FlashKind};
use super::{passkey, second_factor};
use crate::domain::account::{self, RESET_VALID_MINUTES, ResetError};
use crate::domain::auth::{self, LoginOutcome};
use crate::domain::user::{self, Email, NewPassword};
use crate::error::AppError;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/wachtwoord-vergeten", get(forgot_page).post(forgot))
        .route(
            "/wachtwoord-herstellen/{token}",
            get(reset_page).post(reset),
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    error: Option<String>,
    /// "Aanmelden met een passkey", for browsers that can (see `web::passkey`).
    passkey: bool,
    /// The OpenID provider's name for the "Aanmelden met …" button, when there is one.
    provider: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    if let Some(user) = &layout.user {
        return Ok(Redirect::to(home_path(user.role)).into_response());
    }
    Ok(LoginPage {
        layout,
        email: String::new(),
        next: query.next.unwrap_or_default(),
        error: None,
        passkey: passkey::available(&app),
        provider: oidc::button_label(&app),
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
                passkey: passkey::available(&app),
                provider: oidc::button_label(&app),
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
            // The address typed identifies a person (or their typo): only the client goes in.
            tracing::warn!(%client, "login refused: unknown e-mail address or wrong password");
            let error = "Dit e-mailadres en wachtwoord horen niet bij elkaar. Controleer ze en probeer opnieuw.".to_string();
            return Ok(refuse(
                layout,
                StatusCode::UNPROCESSABLE_ENTITY,
                error,
                form,
            ));
        }
        LoginOutcome::Throttled(lock) => {
            tracing::warn!(%client, ?lock, "login throttled");
            app.metrics.login_throttled();
            return Ok(refuse(
                layout,
                StatusCode::TOO_MANY_REQUESTS,
                lock.message(),
                form,
            ));
        }
    };
    let user = user::find_active(&mut *conn, id, None)
        .await?
        .ok_or(AppError::Internal("user vanished during login"))?;
    if let Some(error) = oidc::password_refused(&app, &user) {
        tracing::warn!(user = %user.id, %client, "login refused: this role must use the OpenID provider");
        return Ok(refuse(layout, StatusCode::FORBIDDEN, error, form));
    }
    let target = safe_next(&form.next).unwrap_or(home_path(user.role));
    if let Some(ask) =
        second_factor::after_password(&app, &mut conn, &session, &user, target).await?
    {
        tracing::info!(user = %user.id, %client, "password right, second factor asked");
        return Ok(ask.into_response());
    }
    session::log_in(&session, &user, app.config.session_lifetime()).await?;
    tracing::info!(user = %user.id, role = ?user.role, %client, "logged in");
    Ok(Redirect::to(target).into_response())
}

/// Deletes the session from the store, so its cookie is worthless even if someone kept it.
/// Who logged in through the OpenID provider is logged out there too, when it allows that.
async fn logout(
    _user: AnyUser,
    State(app): State<AppState>,
    session: Session,
) -> Result<Redirect, AppError> {
    let at_provider = oidc::provider_logout(&app, &session).await?;
    session::log_out(&session).await?;
    session::flash(&session, FlashKind::Success, "U bent afgemeld.").await?;
    Ok(Redirect::to(at_provider.as_deref().unwrap_or("/login")))
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    layout: Layout,
    email: String,
    errors: FieldErrors,
}

async fn forgot_page(layout: Layout) -> ForgotPage {
    ForgotPage {
        layout,
        email: String::new(),
        errors: FieldErrors::default(),
    }
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

impl From<ResetError> for AppError {
    fn from(error: ResetError) -> Self {
        match error {
            ResetError::Database(error) => AppError::Database(error),
            ResetError::Mail(_) => AppError::Internal("the password reset mail did not render"),
        }
    }
}

/// The answer is the same whether or not the address has an account.
async fn forgot(
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::default();
    let Some(email) = errors.check("email", Email::parse(&form.email)) else {
        let page = ForgotPage {
            layout,
            email: form.email,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = app.pool.begin().await?;
    account::request_reset(&mut tx, &email, &app.config.base_url()).await?;
    tx.commit().await?;
    let message = format!(
        "Als er een account bij {} hoort, kreeg het een e-mail met een link om een nieuw wachtwoord te kiezen. De link werkt {RESET_VALID_MINUTES} minuten.",
        email.as_str()
    );
    session::flash(&session, FlashKind::Success, message).await?;
    Ok(Redirect::to("/login").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    layout: Layout,
    token: String,
    /// False: the link expired, was used or never existed.
    valid: bool,
    errors: FieldErrors,
}

impl ResetPage {
    fn invalid(layout: Layout) -> Response {
        let page = Self {
            layout,
            token: String::new(),
            valid: false,
            errors: FieldErrors::default(),
        };
        (StatusCode::GONE, page).into_response()
    }
}

async fn reset_page(
    State(app): State<AppState>,
    layout: Layout,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    if !account::reset_is_valid(&mut conn, &token).await? {
        return Ok(ResetPage::invalid(layout));
    }
    Ok(ResetPage {
        layout,
        token,
        valid: true,
        errors: FieldErrors::default(),
    }
    .into_response())
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

async fn reset(
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    axum::extract::Path(token): axum::extract::Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::default();
    let password = new_password_twice(&mut errors, &form.password, &form.password_again);
    let mut tx = app.pool.begin().await?;
    let password = match password {
        Some(password) => password,
        None => {
            if !account::reset_is_valid(&mut tx, &token).await? {
                return Ok(ResetPage::invalid(layout));
            }
            let page = ResetPage {
                layout,
                token,
                valid: true,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if account::complete_reset(&mut tx, &token, password)
        .await?
        .is_none()
    {
        return Ok(ResetPage::invalid(layout));
    }
    tx.commit().await?;
    // Whoever was logged in in this browser is logged out along with every other session.
    session::log_out(&session).await?;
    session::flash(
        &session,
        FlashKind::Success,
        "Uw nieuwe wachtwoord is ingesteld en alle sessies met het oude wachtwoord zijn afgemeld. Meld u nu aan.",
    )
    .await?;
    Ok(Redirect::to("/login").into_response())
}

/// The new password of a form that asks for it twice (`password`, `password_again`), by the
/// password rules; `None` with the field errors added otherwise.
pub(super) fn new_password_twice(
    errors: &mut FieldErrors,
    password: &str,
    again: &str,
) -> Option<NewPassword> {
    let parsed = errors.check("password", NewPassword::parse(password))?;
    if password != again {
        errors.add(
            "password_again",
            "De twee wachtwoorden verschillen. Typ hetzelfde wachtwoord twee keer.",
        );
        return None;
    }
    Some(parsed)
}
