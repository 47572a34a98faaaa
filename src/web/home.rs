//! Where each role lands after logging in.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

use super::layout::{Layout, home_path};
use super::session::{AdminUser, AnyUser, CoachUser, CoordinatorUser, PartnerUser};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(start))
        .route("/beheer", get(admin_home))
        .route("/coordinatie", get(coordinator_home))
        .route("/caseload", get(coach_home))
        .route("/partner", get(partner_home))
}

async fn start(user: AnyUser) -> Redirect {
    Redirect::to(home_path(user.user.role))
}

#[derive(Template, WebTemplate)]
#[template(path = "home/admin.html")]
struct AdminHome {
    layout: Layout,
}

async fn admin_home(_admin: AdminUser, layout: Layout) -> AdminHome {
    AdminHome { layout }
}

#[derive(Template, WebTemplate)]
#[template(path = "home/coordinator.html")]
struct CoordinatorHome {
    layout: Layout,
}

async fn coordinator_home(_coordinator: CoordinatorUser, layout: Layout) -> CoordinatorHome {
    CoordinatorHome { layout }
}

#[derive(Template, WebTemplate)]
#[template(path = "home/coach.html")]
struct CoachHome {
    layout: Layout,
}

async fn coach_home(_coach: CoachUser, layout: Layout) -> CoachHome {
    CoachHome { layout }
}

#[derive(Template, WebTemplate)]
#[template(path = "home/partner.html")]
struct PartnerHome {
    layout: Layout,
}

async fn partner_home(_partner: PartnerUser, layout: Layout) -> PartnerHome {
    PartnerHome { layout }
}
