//! CSRF protection for every state-changing request, whatever its route.
//!
//! A POST (PUT, PATCH, DELETE) must carry the session's token, in the `csrf_token` form field
//! (every form renders it) or the `X-CSRF-Token` header (for scripts such as htmx). A file
//! upload (`multipart/form-data`) carries it in the query string of the form's action: the
//! body may be megabytes, and a form without JavaScript cannot set a header. Requests a
//! browser marks as cross-site are refused outright. Applied to the whole router, so a new form
//! cannot forget it.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use super::session;
use crate::error::AppError;

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
    let Some(expected) = session::expected_csrf_token(&session).await? else {
        return Err(AppError::CsrfRejected);
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
