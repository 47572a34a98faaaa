//! Aanbod: the offers list with its filters, an offer's page, the offer form, the
//! coordinator's approval, and "Zoek een plaats" on a participant.
//!
//! Staff and partners share the pages under two prefixes: `/aanbod` (coördinatoren manage all
//! offers of their region, trajectbegeleiders read them) and `/partner/aanbod` (a partner
//! manages the offers of their own organisation). Each shared page is one handler, generic over
//! the user type the route admits; the [`Viewer`] that user gets carries the scope every query
//! is limited by.

mod form;
mod list;
mod matching;
mod show;

use axum::Router;
use axum::routing::{get, post};
use sqlx::PgConnection;
use tower_sessions::Session;

use super::session::{self, Allowed, CaseworkUser, CoordinatorUser, FlashKind, PartnerUser, Staff};
use crate::domain::offer::{self, Offer, OfferError};
use crate::domain::user::Role;
use crate::error::AppError;
use crate::values::ids::{OfferId, OrganisationId, UserId};
use crate::values::period::Scope;
use crate::web::state::AppState;

use form::{create, edit_page, new_page, update};
use list::list;
use matching::{match_page, take_place};
use show::{approve, change_state, refuse, show};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/aanbod", get(list::<CaseworkUser>))
        .route(
            "/aanbod/nieuw",
            get(new_page::<CoordinatorUser>).post(create::<CoordinatorUser>),
        )
        .route("/aanbod/{id}", get(show::<CaseworkUser>))
        .route(
            "/aanbod/{id}/bewerken",
            get(edit_page::<CoordinatorUser>).post(update::<CoordinatorUser>),
        )
        .route("/aanbod/{id}/status", post(change_state::<CoordinatorUser>))
        .route("/aanbod/{id}/goedkeuren", post(approve))
        .route("/aanbod/{id}/weigeren", post(refuse))
        .route("/partner/aanbod", get(list::<PartnerUser>))
        .route(
            "/partner/aanbod/nieuw",
            get(new_page::<PartnerUser>).post(create::<PartnerUser>),
        )
        .route("/partner/aanbod/{id}", get(show::<PartnerUser>))
        .route(
            "/partner/aanbod/{id}/bewerken",
            get(edit_page::<PartnerUser>).post(update::<PartnerUser>),
        )
        .route(
            "/partner/aanbod/{id}/status",
            post(change_state::<PartnerUser>),
        )
        .route(
            "/inburgeraars/{id}/zoek-een-plaats",
            get(match_page).post(take_place),
        )
}

/// Who looks at the offers, and so which ones and what they may do with them.
struct Viewer {
    user: UserId,
    scope: Scope,
    /// `/aanbod` or `/partner/aanbod`.
    base: &'static str,
    /// May create, edit, pause and close (coördinatoren and the partner).
    manages: bool,
    /// May approve and refuse (coördinatoren).
    decides: bool,
}

impl Viewer {
    fn staff<R: Allowed>(staff: &Staff<R>) -> Self {
        let coordinator = staff.user.role == Role::Coordinator;
        Self {
            user: staff.user.id,
            scope: Scope::Region(staff.region),
            base: "/aanbod",
            manages: coordinator,
            decides: coordinator,
        }
    }

    fn offer_path(&self, id: OfferId) -> String {
        format!("{}/{id}", self.base)
    }

    /// The partner's offers belong to their organisation; a coordinator picks one.
    fn fixed_organisation(&self) -> Option<OrganisationId> {
        match self.scope {
            Scope::Organisation(organisation) => Some(organisation),
            Scope::Region(_) => None,
        }
    }
}

/// A user type a route admits to the offer pages, with the [`Viewer`] its role gives.
trait OfferUser {
    fn viewer(&self) -> Viewer;
}

impl OfferUser for CaseworkUser {
    fn viewer(&self) -> Viewer {
        Viewer::staff(self)
    }
}

impl OfferUser for CoordinatorUser {
    fn viewer(&self) -> Viewer {
        Viewer::staff(self)
    }
}

impl OfferUser for PartnerUser {
    fn viewer(&self) -> Viewer {
        Viewer {
            user: self.user.id,
            scope: Scope::Organisation(self.organisation_id),
            base: "/partner/aanbod",
            manages: true,
            decides: false,
        }
    }
}

async fn scoped_offer(
    conn: &mut PgConnection,
    id: OfferId,
    scope: Scope,
) -> Result<Offer, AppError> {
    offer::get(conn, id, scope).await?.ok_or(AppError::NotFound)
}

/// Options for a `<select>`, (value, label), after an empty one that says what to choose.
fn choices(first: &str, rest: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), first.to_string())];
    options.extend(rest);
    options
}

async fn municipality_options(
    conn: &mut PgConnection,
    scope: Scope,
    first: &str,
) -> Result<Vec<(String, String)>, AppError> {
    let municipalities = offer::municipality_choices(conn, scope).await?;
    Ok(choices(
        first,
        municipalities
            .into_iter()
            .map(|m| (m.id.to_string(), m.name)),
    ))
}

/// A missing offer is the 404 page and a database failure the error page; any other problem
/// is one the user can act on, returned to be shown.
fn fixable(error: OfferError) -> Result<OfferError, AppError> {
    match error {
        failure @ (OfferError::NotFound | OfferError::Database(_)) => Err(failure.into()),
        problem => Ok(problem),
    }
}

/// A button's action that was refused: the reason goes back to the page as a flash message.
async fn flash_problem(session: &Session, error: OfferError) -> Result<(), AppError> {
    let problem = fixable(error)?;
    session::flash(session, FlashKind::Error, problem.to_string()).await
}
