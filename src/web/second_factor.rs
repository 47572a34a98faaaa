//! The second factor at login and in one's own account (see `domain::second_factor`).
//!
//! After the right password, a user with a second factor is not logged in yet: the session
//! only remembers "password right for user X" for five minutes, and `/login/code` asks for the
//! code. A user whose role must have one (`SECOND_FACTOR_ROLES`) but has none enrols at
//! `/login/tweede-factor` first. Until then every other page sends them to the login page,
//! because they are not logged in. Other roles may enrol at `/mijn-account/tweede-factor`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use tower_sessions::Session;

use super::layout::{Layout, home_path};
use super::middleware::ClientAddr;
use super::session::{self, AnyUser, FlashKind};
use crate::domain::auth;
use crate::domain::passkey;
use crate::domain::second_factor::{self, SECRET_BYTES};
use crate::domain::user::{self, CurrentUser};
use crate::error::AppError;
use crate::values::dates::format_moment;
use crate::values::ids::UserId;
use crate::web::state::AppState;

/// How long the right password waits for its second factor.
const PENDING_MINUTES: i64 = 5;
const PENDING_KEY: &str = "password_ok";
/// The secret being enrolled, kept while the user types a code, so a typo does not make the
/// QR code they scanned worthless.
const ENROL_KEY: &str = "second_factor_enrolment";
const LOGIN_CODE: &str = "/login/code";
const LOGIN_ENROL: &str = "/login/tweede-factor";
const ACCOUNT_ENROL: &str = "/mijn-account/tweede-factor";

/// Pages for whoever typed the right password but is not logged in yet.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/code", get(show_code).post(check_code))
        .route(
            "/login/tweede-factor",
            get(login_enrol_page).post(login_enrol),
        )
}

/// Pages for the logged-in user.
pub fn account_router() -> Router<AppState> {
    Router::new().route(
        "/mijn-account/tweede-factor",
        get(account_page).post(account_enrol),
    )
}

#[derive(Serialize, Deserialize)]
struct PasswordOk {
    user: UserId,
    generation: i32,
    until: i64,
    /// Where the user goes once logged in, already checked to stay on this site.
    next: String,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// After the right password: the page that asks the second factor, if the user has one or
/// must have one; `None` when the password is enough. `next`: where to go after, a path on this
/// site.
pub(super) async fn after_password(
    app: &AppState,
    conn: &mut PgConnection,
    session: &Session,
    user: &CurrentUser,
    next: &str,
) -> Result<Option<Redirect>, AppError> {
    // A passkey is a second factor as much as the app is.
    let target = if second_factor::has_any(conn, user.id).await? {
        LOGIN_CODE
    } else if app.config.second_factor_roles.contains(user.role) {
        LOGIN_ENROL
    } else {
        return Ok(None);
    };
    // A session id planted before the password must not get to see the secret shown next.
    session.cycle_id().await?;
    let mark = PasswordOk {
        user: user.id,
        generation: user.session_generation,
        until: now() + PENDING_MINUTES * 60,
        next: next.to_string(),
    };
    session.insert(PENDING_KEY, mark).await?;
    Ok(Some(Redirect::to(target)))
}

/// The user whose password was right less than five minutes ago, with where they were going.
pub(super) async fn pending(
    app: &AppState,
    session: &Session,
) -> Result<Option<(CurrentUser, String)>, AppError> {
    let Some(mark) = session.get::<PasswordOk>(PENDING_KEY).await? else {
        return Ok(None);
    };
    if now() >= mark.until {
        session.remove_value(PENDING_KEY).await?;
        session::flash(
            session,
            FlashKind::Error,
            format!("Er gingen meer dan {PENDING_MINUTES} minuten voorbij. Meld u opnieuw aan."),
        )
        .await?;
        return Ok(None);
    }
    let user = user::find_active(&app.pool, mark.user, None)
        .await?
        .filter(|user| user.session_generation == mark.generation);
    Ok(user.map(|user| (user, mark.next)))
}

/// Without a recent right password: the login page, or home for who is logged in already.
pub(super) fn start_over(layout: &Layout) -> Response {
    let target = layout
        .user
        .as_ref()
        .map_or("/login", |user| home_path(user.role));
    Redirect::to(target).into_response()
}

pub(super) async fn finish_login(
    app: &AppState,
    session: &Session,
    user: &CurrentUser,
    client: &str,
) -> Result<(), AppError> {
    session.remove_value(PENDING_KEY).await?;
    session::log_in(session, user, app.config.session_lifetime()).await?;
    tracing::info!(user = %user.id, role = ?user.role, %client, "logged in");
    Ok(())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/code.html")]
struct CodePage {
    layout: Layout,
    error: Option<String>,
    /// The user has a passkey, and this site can use them: a button besides the code field.
    passkey: bool,
}

/// The page that asks `user` for the second factor, with what went wrong if anything did.
pub(super) async fn code_page(
    app: &AppState,
    user: &CurrentUser,
    layout: Layout,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    let passkey =
        app.passkeys.is_some() && !passkey::credentials(&mut conn, user.id).await?.is_empty();
    let page = CodePage {
        layout,
        error,
        passkey,
    };
    Ok((status, page).into_response())
}

async fn show_code(
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
) -> Result<Response, AppError> {
    let Some((user, _)) = pending(&app, &session).await? else {
        return Ok(start_over(&layout));
    };
    code_page(&app, &user, layout, StatusCode::OK, None).await
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Wrong codes count as wrong passwords: the same limits keep a guesser out.
async fn check_code(
    State(app): State<AppState>,
    session: Session,
    ClientAddr(client): ClientAddr,
    layout: Layout,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let Some((user, next)) = pending(&app, &session).await? else {
        return Ok(start_over(&layout));
    };
    let refuse =
        |layout, status, error: String| code_page(&app, &user, layout, status, Some(error));
    if form.code.trim().is_empty() {
        let error = "Vul de code van zes cijfers uit uw app in, of een herstelcode.".to_string();
        return refuse(layout, StatusCode::UNPROCESSABLE_ENTITY, error).await;
    }
    let client = client.to_string();
    let mut tx = app.pool.begin().await?;
    if let Some(lock) = auth::throttle(&mut tx, &user.email, &client).await? {
        tracing::warn!(%client, ?lock, "second factor throttled");
        let error = format!(
            "Er werd te vaak een verkeerde code of een verkeerd wachtwoord ingevuld. Wacht {} minuten en meld u dan opnieuw aan.",
            auth::WINDOW_MINUTES
        );
        return refuse(layout, StatusCode::TOO_MANY_REQUESTS, error).await;
    }
    if !second_factor::verify(&mut tx, user.id, &form.code).await? {
        auth::record_failure(&mut tx, &user.email, &client).await?;
        tx.commit().await?;
        tracing::warn!(%client, "login refused: wrong second factor");
        let error = "Deze code klopt niet of werd al gebruikt. Typ de code die uw app nu toont, of een herstelcode die u nog niet gebruikte.".to_string();
        return refuse(layout, StatusCode::UNPROCESSABLE_ENTITY, error).await;
    }
    auth::forget_failures(&mut tx, &user.email, &client).await?;
    tx.commit().await?;
    finish_login(&app, &session, &user, &client).await?;
    Ok(Redirect::to(&next).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/enrol.html")]
struct EnrolPage {
    layout: Layout,
    action: &'static str,
    secret_text: String,
    qr_size: usize,
    qr_path: String,
    error: Option<String>,
}

/// The secret this session is enrolling for `user`, made the first time.
async fn enrolment_secret(session: &Session, user: UserId) -> Result<[u8; SECRET_BYTES], AppError> {
    let kept: Option<(UserId, String)> = session.get(ENROL_KEY).await?;
    if let Some(secret) = kept
        .filter(|(owner, _)| *owner == user)
        .and_then(|(_, text)| second_factor::parse_secret(&text))
    {
        return Ok(secret);
    }
    let secret = second_factor::new_secret();
    session
        .insert(ENROL_KEY, (user, second_factor::secret_text(&secret)))
        .await?;
    Ok(secret)
}

async fn enrol_page(
    session: &Session,
    user: &CurrentUser,
    layout: Layout,
    action: &'static str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let secret = enrolment_secret(session, user.id).await?;
    let uri = second_factor::otpauth_uri(&secret, &user.email);
    let (qr_size, qr_path) = crate::pdf::qr_svg_path(&uri)
        .map_err(|_| AppError::Internal("the QR code could not be made"))?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = EnrolPage {
        layout,
        action,
        secret_text: second_factor::secret_text(&secret),
        qr_size,
        qr_path,
        error,
    };
    Ok((status, page).into_response())
}

/// Enrols `user` with this session's secret if `code` is right: the recovery codes, or the
/// enrolment page again with what went wrong (`layout` is only used for that page).
async fn enrol(
    app: &AppState,
    session: &Session,
    user: &CurrentUser,
    layout: &mut Option<Layout>,
    action: &'static str,
    code: &str,
) -> Result<Result<Vec<String>, Response>, AppError> {
    let secret = enrolment_secret(session, user.id).await?;
    let mut tx = app.pool.begin().await?;
    if let Some(codes) = second_factor::enrol(&mut tx, user.id, &secret, code).await? {
        tx.commit().await?;
        session.remove_value(ENROL_KEY).await?;
        return Ok(Ok(codes));
    }
    let error =
        "Deze code klopt niet. Typ de code van zes cijfers die uw app nu toont voor Veertig.";
    let layout = layout.take().unwrap_or_else(Layout::bare);
    let page = enrol_page(session, user, layout, action, Some(error.to_string())).await?;
    Ok(Err(page))
}

/// Shown once, in the answer to the enrolment itself: never stored where it could be shown again.
#[derive(Template, WebTemplate)]
#[template(path = "auth/recovery_codes.html")]
pub(super) struct RecoveryCodesPage {
    pub(super) layout: Layout,
    pub(super) codes: Vec<String>,
    pub(super) next: String,
}

async fn login_enrol_page(
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
) -> Result<Response, AppError> {
    match pending(&app, &session).await? {
        Some((user, _)) => enrol_page(&session, &user, layout, LOGIN_ENROL, None).await,
        None => Ok(start_over(&layout)),
    }
}

async fn login_enrol(
    State(app): State<AppState>,
    session: Session,
    ClientAddr(client): ClientAddr,
    layout: Layout,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let Some((user, next)) = pending(&app, &session).await? else {
        return Ok(start_over(&layout));
    };
    let mut layout = Some(layout);
    let enrolled = enrol(&app, &session, &user, &mut layout, LOGIN_ENROL, &form.code).await?;
    let codes = match enrolled {
        Ok(codes) => codes,
        Err(page) => return Ok(page),
    };
    finish_login(&app, &session, &user, &client.to_string()).await?;
    // Rendered for the user just logged in: their menu, with the token of their new session.
    let layout = Layout {
        csrf_token: session::expected_csrf_token(&session)
            .await?
            .unwrap_or_default(),
        user: Some(user),
        ..Layout::bare()
    };
    Ok(RecoveryCodesPage {
        layout,
        codes,
        next,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "account/second_factor.html")]
struct AccountPage {
    layout: Layout,
    enrolled_at: String,
}

async fn account_page(
    State(app): State<AppState>,
    AnyUser { user, .. }: AnyUser,
    session: Session,
    layout: Layout,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    match second_factor::enrolled_at(&mut conn, user.id).await? {
        Some(at) => Ok(AccountPage {
            layout,
            enrolled_at: format_moment(at),
        }
        .into_response()),
        None => enrol_page(&session, &user, layout, ACCOUNT_ENROL, None).await,
    }
}

async fn account_enrol(
    State(app): State<AppState>,
    AnyUser { user, .. }: AnyUser,
    session: Session,
    layout: Layout,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    if second_factor::is_enrolled(&mut conn, user.id).await? {
        session::flash(&session, FlashKind::Success, "U hebt al een tweede factor.").await?;
        return Ok(Redirect::to(ACCOUNT_ENROL).into_response());
    }
    drop(conn);
    let mut kept = Some(layout);
    match enrol(&app, &session, &user, &mut kept, ACCOUNT_ENROL, &form.code).await? {
        Ok(codes) => Ok(RecoveryCodesPage {
            layout: kept.unwrap_or_else(Layout::bare),
            codes,
            next: home_path(user.role).to_string(),
        }
        .into_response()),
        Err(page) => Ok(page),
    }
}
