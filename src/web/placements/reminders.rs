//! The coach's buttons for a placement's personal link: send a reminder, revoke a link.

use axum::extract::State;
use axum::response::Redirect;
use tower_sessions::Session;
use uuid::Uuid;

use crate::domain::confirmation::{self, LinkError};
use crate::error::AppError;
use crate::values::ids::PlacementId;
use crate::web::forms::PathId;
use crate::web::session::{self, CaseworkUser, FlashKind};
use crate::web::state::AppState;

pub(super) async fn send_reminder(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<PlacementId>,
) -> Result<Redirect, AppError> {
    let placement = id;
    let base_url = app.config.base_url();
    let mut tx = app.pool.begin().await?;
    match confirmation::send_link(&mut tx, &base_url, Some(user.id), Some(region), placement).await
    {
        Ok(Some(link)) => {
            tx.commit().await?;
            let text = format!(
                "Er ging een herinnering met een persoonlijke link naar {}.",
                link.contact_email
            );
            session::flash(&session, FlashKind::Success, text).await?;
        }
        Ok(None) => return Err(AppError::NotFound),
        Err(LinkError::NoContactEmail) => {
            session::flash(
                &session,
                FlashKind::Error,
                LinkError::NoContactEmail.to_string(),
            )
            .await?;
        }
        Err(error) => return Err(error.into()),
    }
    Ok(Redirect::to(&format!(
        "/plaatsingen/{placement}#bevestiging"
    )))
}

pub(super) async fn revoke_link(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(link): PathId<Uuid>,
) -> Result<Redirect, AppError> {
    let mut tx = app.pool.begin().await?;
    let placement = confirmation::revoke_link(&mut tx, user.id, region, link)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    session::flash(&session, FlashKind::Success, "De link is ingetrokken.").await?;
    Ok(Redirect::to(&format!(
        "/plaatsingen/{placement}#bevestiging"
    )))
}
