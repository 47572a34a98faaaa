//! One offer's page and what its buttons do: pause or close (whoever manages it), approve or
//! refuse (the coordinator).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::Connection;
use tower_sessions::Session;

use super::form::fields;
use super::{OfferUser, Viewer, fixable, flash_problem, scoped_offer};
use crate::domain::offer::{self, Approval, Decision, Offer, OfferState};
use crate::error::AppError;
use crate::values::ids::OfferId;
use crate::web::forms::{FieldErrors, PathId};
use crate::web::layout::Layout;
use crate::web::session::{self, CoordinatorUser, FlashKind};
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "offers/show.html")]
pub(super) struct ShowPage {
    layout: Layout,
    base: &'static str,
    offer: Offer,
    manages: bool,
    decides: bool,
    reason: String,
    errors: FieldErrors,
}

impl ShowPage {
    fn new(viewer: &Viewer, layout: Layout, offer: Offer) -> Self {
        Self {
            layout,
            base: viewer.base,
            offer,
            manages: viewer.manages,
            decides: viewer.decides,
            reason: String::new(),
            errors: FieldErrors::default(),
        }
    }

    fn next_states(&self) -> &'static [OfferState] {
        self.offer.state.next()
    }
}

pub(super) async fn show<U: OfferUser>(
    user: U,
    layout: Layout,
    State(app): State<AppState>,
    PathId(id): PathId<OfferId>,
) -> Result<ShowPage, AppError> {
    let viewer = user.viewer();
    let mut conn = app.pool.acquire().await?;
    let offer = scoped_offer(&mut conn, id, viewer.scope).await?;
    Ok(ShowPage::new(&viewer, layout, offer))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct StateForm {
    #[serde(default)]
    state: String,
}

pub(super) async fn change_state<U: OfferUser>(
    user: U,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<OfferId>,
    Form(form): Form<StateForm>,
) -> Result<Redirect, AppError> {
    let viewer = user.viewer();
    let back = viewer.offer_path(id);
    let Some(next) = OfferState::parse(&form.state) else {
        session::flash(&session, FlashKind::Error, "Kies een geldige status.").await?;
        return Ok(Redirect::to(&back));
    };
    let mut tx = app.pool.begin().await?;
    match offer::set_state(&mut tx, viewer.user, viewer.scope, id, next).await {
        Ok(()) => {
            tx.commit().await?;
            let message = format!("Het aanbod is nu {}.", next.code());
            session::flash(&session, FlashKind::Success, message).await?;
        }
        Err(error) => flash_problem(&session, error).await?,
    }
    Ok(Redirect::to(&back))
}

pub(super) async fn approve(
    user: CoordinatorUser,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<OfferId>,
) -> Result<Redirect, AppError> {
    let viewer = user.viewer();
    let region = user.region;
    let mut tx = app.pool.begin().await?;
    match offer::decide(&mut tx, viewer.user, region, id, &Decision::Approve).await {
        Ok(()) => {
            tx.commit().await?;
            session::flash(
                &session,
                FlashKind::Success,
                "Het aanbod is goedgekeurd: trajectbegeleiders vinden het nu bij het zoeken.",
            )
            .await?;
        }
        Err(error) => flash_problem(&session, error).await?,
    }
    Ok(Redirect::to(&viewer.offer_path(id)))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RefuseForm {
    #[serde(default)]
    reason: String,
}

pub(super) async fn refuse(
    user: CoordinatorUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<OfferId>,
    Form(form): Form<RefuseForm>,
) -> Result<Response, AppError> {
    let viewer = user.viewer();
    let region = user.region;
    let mut conn = app.pool.acquire().await?;
    let offer = scoped_offer(&mut conn, id, viewer.scope).await?;
    let mut errors = FieldErrors::default();
    if let Some(decision) = errors.check(fields::REASON, Decision::refuse(&form.reason)) {
        let mut tx = conn.begin().await?;
        match offer::decide(&mut tx, viewer.user, region, offer.id, &decision).await {
            Ok(()) => {
                tx.commit().await?;
                session::flash(
                    &session,
                    FlashKind::Success,
                    "Het aanbod is geweigerd; de partnerorganisatie ziet de reden.",
                )
                .await?;
                return Ok(Redirect::to(&viewer.offer_path(offer.id)).into_response());
            }
            Err(error) => errors.add(fields::REASON, fixable(error)?),
        }
    }
    let page = ShowPage {
        reason: form.reason,
        errors,
        ..ShowPage::new(&viewer, layout, offer)
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
