//! The beheerder's view of the access log: who looked at which participant's data, newest
//! first, searched by user, by participant, or both.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::forms::{Paging, non_blank};
use super::layout::Layout;
use super::session::AdminUser;
use crate::domain::access::{self, AccessFilter, AccessRow};
use crate::error::AppError;
use crate::values::dates::format_moment;
use crate::values::ids::{ParticipantId, UserId};
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/beheer/toegangslog", get(page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    gebruiker: String,
    inburgeraar: String,
    /// Part of a participant's name, to find their id.
    naam: String,
    pagina: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/access_log.html")]
struct AccessLogPage {
    layout: Layout,
    rows: Vec<AccessRow>,
    users: Vec<(String, String)>,
    gebruiker: String,
    inburgeraar: String,
    naam: String,
    /// Participants whose name matched `naam`: (id, name, region).
    found: Vec<(ParticipantId, String, String)>,
    page: i64,
    has_next: bool,
    filter_query: String,
}

impl AccessLogPage {
    fn moment(&self, at: &time::OffsetDateTime) -> String {
        format_moment(*at)
    }
}

async fn page(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<SearchQuery>,
) -> Result<AccessLogPage, AppError> {
    let filter = AccessFilter {
        user: Uuid::parse_str(query.gebruiker.trim()).ok().map(UserId),
        participant: Uuid::parse_str(query.inburgeraar.trim())
            .ok()
            .map(ParticipantId),
    };
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let mut rows = access::search(&mut conn, &filter, paging.offset(), paging.limit()).await?;
    let has_next = paging.trim(&mut rows);
    let found = match non_blank(&query.naam) {
        Some(name) => access::find_participants(&mut conn, name).await?,
        None => Vec::new(),
    };
    let mut users = vec![(String::new(), "Iedereen".to_string())];
    users.extend(
        access::users(&mut conn)
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name)),
    );
    let filter_query = serde_urlencoded::to_string([
        ("gebruiker", query.gebruiker.as_str()),
        ("inburgeraar", query.inburgeraar.as_str()),
    ])
    .unwrap_or_default();
    Ok(AccessLogPage {
        layout,
        rows,
        users,
        gebruiker: query.gebruiker,
        inburgeraar: query.inburgeraar,
        naam: query.naam,
        found,
        page: paging.number,
        has_next,
        filter_query,
    })
}
