//! CSRF protection for every state-changing request, whatever its route.
//!
//! A POST (PUT, PATCH, DELETE) must carry the session's token, in the `csrf_token` form field
//! (every form renders it) or the `X-CSRF-Token` header (for scripts such as htmx). A file
//! upload (`multipart/form-data`) carries it in the query string of the form's action: the
//! body may be megabytes, and a form without JavaScript cannot set a header. Requests a
//! browser marks as cross-site are refused outright. Applied to the whole router, so a new form
//! cannot forget it.
//!
//! Before login a visitor has no session token: the login, password and link pages would
//! otherwise write a session row for every visit, so a stranger could grow the database with
//! plain GETs. Their token lives in a cookie of its own instead ([`PreLoginToken`], the
//! double-submit pattern: the form must send back the value only this site's pages show), and
//! logging in puts a fresh token in the session.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use tower_sessions::Session;
use tower_sessions::cookie::{Cookie, SameSite};

use super::session;
use crate::error::AppError;
use crate::web::state::AppState;

pub const FORM_FIELD: &str = "csrf_token";
const HEADER: &str = "x-csrf-token";
/// Forms are small; larger bodies (file uploads) must send the header.
const MAX_FORM_BYTES: usize = super::BODY_LIMIT;

pub async fn verify(session: Session, request: Request, next: Next) -> Response {
    match check(session, request).await {
        Ok(request) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

async fn check(session: Session, request: Request) -> Result<Request, AppError> {
    if request.method().is_safe() {
        return Ok(request);
    }
    let cross_site = request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|site| site.as_bytes() == b"cross-site");
    if cross_site {
        return Err(AppError::CsrfRejected);
    }
    let expected = match session::expected_csrf_token(&session).await? {
        Some(token) => token,
        None => match request.extensions().get::<PreLoginToken>() {
            Some(token) if !token.fresh => token.value.clone(),
            _ => return Err(AppError::CsrfRejected),
        },
    };
    if let Some(sent) = request.headers().get(HEADER) {
        return if tokens_match(sent.as_bytes(), &expected) {
            Ok(request)
        } else {
            Err(AppError::CsrfRejected)
        };
    }
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        let query = request.uri().query().unwrap_or("");
        let fields: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let sent = fields
            .iter()
            .find(|(name, _)| name == FORM_FIELD)
            .map(|(_, value)| value.as_bytes());
        return match sent {
            Some(sent) if tokens_match(sent, &expected) => Ok(request),
            _ => Err(AppError::CsrfRejected),
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(AppError::CsrfRejected);
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let sent = fields
        .iter()
        .find(|(name, _)| name == FORM_FIELD)
        .map(|(_, value)| value.as_bytes());
    match sent {
        Some(sent) if tokens_match(sent, &expected) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(AppError::CsrfRejected),
    }
}

fn tokens_match(sent: &[u8], expected: &str) -> bool {
    sent.ct_eq(expected.as_bytes()).into()
}

/// The token of a visitor whose session holds none (before login), from its own cookie; a
/// fresh one when the browser sent none, set as a cookie only if a page showed it in a form.
#[derive(Clone)]
pub struct PreLoginToken {
    value: String,
    /// Made for this request: nothing the browser sent can match it yet.
    fresh: bool,
    shown: Arc<AtomicBool>,
}

impl PreLoginToken {
    /// The value for a form; a fresh token goes out as a cookie with the page.
    pub fn show(&self) -> String {
        self.shown.store(true, Ordering::Relaxed);
        self.value.clone()
    }
}

/// With `https`, the `__Host-` prefix makes browsers refuse the cookie from anywhere but this
/// host over a secure connection, so a neighbouring subdomain cannot plant a token.
fn pre_login_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-veertig_csrf"
    } else {
        "veertig_csrf"
    }
}

/// Gives every request its [`PreLoginToken`] and sets the cookie when a fresh one was shown.
pub async fn pre_login_token(
    State(app): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let secure = app.config.secure_cookies();
    let name = pre_login_cookie_name(secure);
    let sent = request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| Cookie::split_parse(value).filter_map(Result::ok))
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_string())
        .filter(|value| session::is_token(value));
    let token = PreLoginToken {
        fresh: sent.is_none(),
        value: sent.unwrap_or_else(session::new_token),
        shown: Arc::default(),
    };
    request.extensions_mut().insert(token.clone());
    let mut response = next.run(request).await;
    if token.fresh && token.shown.load(Ordering::Relaxed) {
        let cookie = Cookie::build((name, token.value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure)
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}
