//! Certificates: pages and forms.

use axum::Router;

use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}

/// Pages without a login (the public verification page).
pub fn public_router() -> Router<AppState> {
    Router::new()
}
