//! A placement's status buttons: gepland, lopend, afgerond or geannuleerd, as the transitions
//! allow.

use axum::Form;
use axum::extract::State;
use axum::response::Redirect;
use serde::Deserialize;
use tower_sessions::Session;

use super::placement_path;
use crate::domain::placement::{self, PlacementError};
use crate::error::AppError;
use crate::values::ids::PlacementId;
use crate::values::kinds::PlacementStatus;
use crate::values::period::Scope;
use crate::web::forms::PathId;
use crate::web::session::{self, CaseworkUser, FlashKind};
use crate::web::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct StatusForm {
    #[serde(default)]
    status: String,
}

pub(super) async fn change_status(
    user: CaseworkUser,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<PlacementId>,
    Form(form): Form<StatusForm>,
) -> Result<Redirect, AppError> {
    let region = user.region;
    let Some(next) = PlacementStatus::parse(&form.status) else {
        // Someone of another region gets the 404 they get for any other request about it.
        let mut conn = app.pool.acquire().await?;
        if placement::get(&mut conn, id, Scope::Region(region))
            .await?
            .is_none()
        {
            return Err(AppError::NotFound);
        }
        session::flash(&session, FlashKind::Error, "Kies een geldige status.").await?;
        return Ok(Redirect::to(&placement_path(id)));
    };
    let mut tx = app.pool.begin().await?;
    match placement::set_status(&mut tx, user.user.id, region, id, next).await {
        Ok(()) => {
            tx.commit().await?;
            let message = format!("De plaatsing is nu {}.", next.label().to_lowercase());
            session::flash(&session, FlashKind::Success, message).await?;
        }
        Err(failure @ (PlacementError::NotFound | PlacementError::Database(_))) => {
            return Err(failure.into());
        }
        Err(problem) => {
            session::flash(&session, FlashKind::Error, problem.to_string()).await?;
        }
    }
    Ok(Redirect::to(&placement_path(id)))
}
