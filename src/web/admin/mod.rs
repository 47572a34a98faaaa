//! Administration for the beheerder: the admin home, user accounts (`users`), regions with
//! their municipalities and settings (`regions`) and their logo (`logo`), and the outbox
//! (`outbox`). Every handler takes `AdminUser`; every change
//! is audited.

mod logo;
mod outbox;
mod regions;
mod users;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::layout::Layout;
use super::session::AdminUser;
use crate::domain::region::{self, RegionRow};
use crate::domain::user::{self, Role};
use crate::error::AppError;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer", get(home))
        .merge(users::router())
        .merge(regions::router())
        .merge(logo::router())
        .merge(outbox::router())
}

/// Options for a `<select>`: (value, label).
type Options = Vec<(String, String)>;

#[derive(Template, WebTemplate)]
#[template(path = "admin/home.html")]
struct HomePage {
    layout: Layout,
    by_role: Vec<(Role, i64)>,
    regions: Vec<RegionRow>,
}

async fn home(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<HomePage, AppError> {
    let mut conn = app.pool.acquire().await?;
    Ok(HomePage {
        layout,
        by_role: user::active_by_role(&mut conn).await?,
        regions: region::list(&mut conn).await?,
    })
}
