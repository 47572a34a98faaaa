//! `AppError`: what can go wrong while answering a request, mapped to a response.
//!
//! Error responses carry only a status and an [`ErrorPage`] marker; the `error_pages`
//! middleware renders the Dutch page around it (with the request id), so extractor rejections
//! and panics get the same page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("login required")]
    LoginRequired { next: Option<String> },
    #[error("CSRF token missing or wrong")]
    CsrfRejected,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("session store: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("{0}")]
    Internal(&'static str),
}

/// Marks a response whose body the `error_pages` middleware renders.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage(pub StatusCode);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::LoginRequired { next } => {
                let target = match next
                    .as_deref()
                    .and_then(|next| serde_urlencoded::to_string([("next", next)]).ok())
                {
                    Some(query) => format!("/login?{query}"),
                    None => "/login".to_string(),
                };
                return Redirect::to(&target).into_response();
            }
            AppError::Database(_) | AppError::Session(_) | AppError::Internal(_) => {
                tracing::error!(error = %ErrorChain(&self), "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let mut response = status.into_response();
        if matches!(self, AppError::CsrfRejected) {
            response.extensions_mut().insert(CsrfFailure);
        }
        response.extensions_mut().insert(ErrorPage(status));
        response
    }
}

/// A 403 that is about an expired or forged form rather than a missing permission.
#[derive(Debug, Clone, Copy)]
pub struct CsrfFailure;

/// Displays an error with all its causes, for the log.
pub struct ErrorChain<'a>(pub &'a dyn std::error::Error);

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}
