//! `AppError`: what can go wrong while answering a request, mapped to a response.
//!
//! Error responses carry only a status and an [`ErrorPage`] marker; the `error_pages`
//! middleware renders the Dutch page around it (with the request id), so extractor rejections
//! and panics get the same page.

use axum::http::StatusCode;
use axum::http::header::{HeaderValue, RETRY_AFTER};
use axum::response::{IntoResponse, Redirect, Response};

use crate::domain::certificate::RevokeError;
use crate::domain::confirmation::LinkError;
use crate::domain::hours::EntriesError;
use crate::domain::kbi::HandoffError;
use crate::domain::offer::OfferError;
use crate::domain::organisation::{DeleteError, SaveError};
use crate::domain::participant::ParticipantError;
use crate::domain::placement::PlacementError;
use crate::domain::region::{NeighbourError, SaveMunicipalityError, SaveRegionError};
use crate::domain::scan::ScanError;
use crate::domain::user::{CreateUserError, Role, SaveUserError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// A logged-in user whose role may not do this; the page says whom that role asks.
    #[error("forbidden")]
    Forbidden(Role),
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

/// Seconds a client is asked to wait after a 503.
pub const RETRY_AFTER_SECONDS: &str = "5";

impl AppError {
    /// PostgreSQL is down, restarting or out of connections: the request may succeed a moment
    /// later, so the answer is 503 rather than 500.
    fn is_outage(&self) -> bool {
        match self {
            AppError::Database(error) => is_unavailable(error),
            // The session store is PostgreSQL; its errors arrive as text, so a backend failure
            // counts as the database being unavailable (a broken query would fail every test).
            AppError::Session(tower_sessions::session::Error::Store(
                tower_sessions::session_store::Error::Backend(_),
            )) => true,
            _ => false,
        }
    }
}

/// Errors that mean "no database right now" rather than "this request is wrong".
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        // 08: connection exception; 57P01-57P03: shutting down or starting up;
        // 53300: too many connections.
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || code.starts_with("57P") || code == "53300"
        }),
        _ => false,
    }
}

/// On a 403: the role of the user refused, so the page can say whom to ask.
#[derive(Debug, Clone, Copy)]
pub struct RefusedRole(pub Role);

/// Marks a response whose body the `error_pages` middleware renders.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage(pub StatusCode);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) | AppError::CsrfRejected => StatusCode::FORBIDDEN,
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
            _ if self.is_outage() => {
                tracing::warn!(error = %ErrorChain(&self), "database unavailable");
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Database(_) | AppError::Session(_) | AppError::Internal(_) => {
                tracing::error!(error = %ErrorChain(&self), "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let mut response = status.into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
        }
        match self {
            AppError::CsrfRejected => {
                response.extensions_mut().insert(CsrfFailure);
            }
            AppError::Forbidden(role) => {
                response.extensions_mut().insert(RefusedRole(role));
            }
            _ => {}
        }
        response.extensions_mut().insert(ErrorPage(status));
        response
    }
}

/// `From<$error> for AppError` for the domain's errors: `NotFound` (the record is missing or
/// outside the caller's scope) is the 404 page, `Database` the error page. Every other variant
/// is a problem the user can fix, which the handler matches and shows on its page before it
/// converts the rest; one that gets here anyway is a bug in that handler, logged as such with
/// the message the page should have shown.
macro_rules! domain_errors {
    ($($error:ident $({ $not_found:ident })?),* $(,)?) => {$(
        impl From<$error> for AppError {
            fn from(error: $error) -> Self {
                match error {
                    $($error::$not_found => AppError::NotFound,)?
                    $error::Database(error) => AppError::Database(error),
                    problem => unshown(&problem),
                }
            }
        }
    )*};
}

domain_errors! {
    DeleteError { NotFound },
    EntriesError { NotFound },
    OfferError { NotFound },
    PlacementError { NotFound },
    RevokeError { NotFound },
    SaveError { NotFound },
    CreateUserError,
    HandoffError,
    LinkError,
    NeighbourError,
    ParticipantError,
    SaveMunicipalityError,
    SaveRegionError,
    SaveUserError,
    ScanError,
}

fn unshown(problem: &dyn std::error::Error) -> AppError {
    tracing::error!(%problem, "a problem the page should have shown reached the error page");
    AppError::Internal("a problem the page should have shown")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_database_is_an_outage_but_a_wrong_query_is_not() {
        assert!(is_unavailable(&sqlx::Error::PoolTimedOut));
        assert!(is_unavailable(&sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused
        ))));
        assert!(!is_unavailable(&sqlx::Error::RowNotFound));
        assert!(!is_unavailable(&sqlx::Error::ColumnNotFound("x".into())));
    }

    #[test]
    fn an_outage_answers_503_with_retry_after() {
        let response = AppError::Database(sqlx::Error::PoolTimedOut).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[RETRY_AFTER], RETRY_AFTER_SECONDS);
        let response = AppError::Internal("bug").into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
