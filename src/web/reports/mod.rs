//! Reports for the coördinator of a region: the dashboard (their home page), the working
//! lists, the CSV exports, and the data-protection export of one participant (right of access).
//!
//! Every handler takes `CoordinatorUser` and scopes by the coordinator's region; another
//! region's participant is a 404.

mod access;
mod chart;
mod csv;
mod dashboard;
pub(crate) mod export;
mod filter;
mod lists;

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;

use self::csv::CsvReport;
use self::filter::FilterQuery;
use super::layout::Layout;
use super::session::CoordinatorUser;
use crate::domain::report::WorkList;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    let mut router = Router::new()
        .route("/coordinatie", get(dashboard::dashboard))
        .route("/rapporten", get(lists::overview))
        .route("/rapporten/wachtende-uren", get(lists::pending_page))
        .route("/inburgeraars/{id}/inzage", get(access::access_page))
        .route("/inburgeraars/{id}/inzage.json", get(access::access_json));
    for list in WorkList::ALL {
        router = router.route(
            &format!("/rapporten/{}", list.slug()),
            get(
                move |coordinator: CoordinatorUser,
                      state: State<AppState>,
                      layout: Layout,
                      query: Query<FilterQuery>| {
                    lists::list_page(list, coordinator, state, layout, query)
                },
            ),
        );
    }
    for csv in CsvReport::ALL {
        router = router.route(
            &format!("/rapporten/{}.csv", csv.slug()),
            get(
                move |coordinator: CoordinatorUser,
                      state: State<AppState>,
                      query: Query<FilterQuery>| {
                    csv::csv_export(csv, coordinator, state, query)
                },
            ),
        );
    }
    router
}
