//! Placements for staff (trajectbegeleiders and coördinatoren of the participant's region):
//! create and edit a placement, change its status, log hours on it, and edit or delete hours
//! that are still pending, and send or revoke the personal link that lets a contact confirm.

mod form;
mod hours;
mod reminders;
mod show;
mod status;

use axum::Router;
use axum::routing::{get, post};
use sqlx::PgConnection;

use super::progress::Progress;
use crate::domain::placement::{self, Placement};
use crate::error::AppError;
use crate::values::ids::PlacementId;
use crate::values::period::Scope;
use crate::web::state::AppState;

pub(super) use form::{kind_options, organisation_options};
pub(super) use hours::{LogForm, LogView, Logged, submit_hours};

use form::{create, edit_page, new_page, update};
use hours::{delete_entry, edit_entry_page, update_entry};
use reminders::{revoke_link, send_reminder};
use show::{log_hours, show};
use status::change_status;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/inburgeraars/{participant_id}/plaatsingen/nieuw",
            get(new_page).post(create),
        )
        .route("/plaatsingen/{id}", get(show))
        .route("/plaatsingen/{id}/bewerken", get(edit_page).post(update))
        .route("/plaatsingen/{id}/status", post(change_status))
        .route("/plaatsingen/{id}/uren", post(log_hours))
        .route("/plaatsingen/{id}/herinnering", post(send_reminder))
        .route("/links/{id}/intrekken", post(revoke_link))
        .route(
            "/uren/{id}/bewerken",
            get(edit_entry_page).post(update_entry),
        )
        .route("/uren/{id}/verwijderen", post(delete_entry))
}

pub(super) fn placement_path(id: PlacementId) -> String {
    format!("/plaatsingen/{id}")
}

/// The placement's confirmed and pending minutes against its planned ones. Reaching them says
/// nothing about the certificate, which counts all of the participant's hours: no note on it.
pub(super) fn placement_progress(placement: &Placement) -> Progress {
    Progress::new(
        placement.confirmed_minutes,
        placement.pending_minutes,
        i64::from(placement.planned_minutes),
    )
    .without_certificate_note()
}

/// The placement named in the path, if the scope (a region's staff, an organisation's
/// partner) may see it; anything else is a page that does not exist.
pub(super) async fn scoped_placement(
    conn: &mut PgConnection,
    id: PlacementId,
    scope: Scope,
) -> Result<Placement, AppError> {
    placement::get(conn, id, scope)
        .await?
        .ok_or(AppError::NotFound)
}
