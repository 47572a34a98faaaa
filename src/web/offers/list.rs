//! The offers list with its filters, for staff (their region) and partners (their
//! organisation).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::{OfferUser, choices, municipality_options};
use crate::domain::offer::{self, Approval, OfferFilter, OfferRow, OfferState};
use crate::error::AppError;
use crate::values::ids::MunicipalityId;
use crate::values::kinds::PlacementKind;
use crate::values::level::Taalicoon;
use crate::values::weekdays::WEEKDAYS;
use crate::web::forms::{Paging, non_blank};
use crate::web::layout::Layout;
use crate::web::placements::kind_options;
use crate::web::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    gemeente: String,
    #[serde(default)]
    vorm: String,
    #[serde(default)]
    taalicoon: String,
    #[serde(default)]
    dag: String,
    #[serde(default)]
    vrij: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    pagina: Option<String>,
}

impl ListQuery {
    fn filter(&self) -> OfferFilter {
        OfferFilter {
            search: non_blank(&self.q).map(str::to_string),
            municipality: uuid::Uuid::parse_str(self.gemeente.trim())
                .ok()
                .map(MunicipalityId),
            kind: PlacementKind::parse(&self.vorm),
            taalicoon: Taalicoon::parse(&self.taalicoon),
            day: WEEKDAYS
                .iter()
                .position(|(code, _)| *code == self.dag.trim()),
            free_only: !self.vrij.is_empty(),
            approval: Approval::parse(&self.status),
        }
    }

    /// The query string without the page, for the paging links.
    fn without_page(&self) -> String {
        serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("gemeente", self.gemeente.as_str()),
            ("vorm", self.vorm.as_str()),
            ("taalicoon", self.taalicoon.as_str()),
            ("dag", self.dag.as_str()),
            ("vrij", self.vrij.as_str()),
            ("status", self.status.as_str()),
        ])
        .unwrap_or_default()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "offers/list.html")]
pub(super) struct ListPage {
    layout: Layout,
    base: &'static str,
    manages: bool,
    partner: bool,
    query: ListQuery,
    rows: Vec<OfferRow>,
    municipalities: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    taaliconen: Vec<(String, String)>,
    days: Vec<(String, String)>,
    approvals: Vec<(String, String)>,
    page: i64,
    previous_href: Option<String>,
    next_href: Option<String>,
}

pub(super) async fn list<U: OfferUser>(
    user: U,
    layout: Layout,
    State(app): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    let viewer = user.viewer();
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let mut rows = offer::list(
        &mut conn,
        viewer.scope,
        &query.filter(),
        paging.offset(),
        paging.limit(),
    )
    .await?;
    let has_next = paging.trim(&mut rows);
    let municipalities = municipality_options(&mut conn, viewer.scope, "Alle gemeenten").await?;
    let taaliconen = choices(
        "Elk taalicoon",
        Taalicoon::ALL.into_iter().map(|t| {
            (
                t.get().to_string(),
                format!("Taalicoon {} of lager", t.get()),
            )
        }),
    );
    let days = choices(
        "Elke dag",
        WEEKDAYS
            .iter()
            .map(|(code, name)| (code.to_string(), name.to_string())),
    );
    let approvals = choices(
        "Elke status",
        Approval::ALL
            .into_iter()
            .map(|a| (a.code().to_string(), a.code().to_string())),
    );
    let href = |page: i64| format!("{}?{}&pagina={page}", viewer.base, query.without_page());
    Ok(ListPage {
        previous_href: (paging.number > 1).then(|| href(paging.number - 1)),
        next_href: has_next.then(|| href(paging.number + 1)),
        layout,
        base: viewer.base,
        manages: viewer.manages,
        partner: viewer.fixed_organisation().is_some(),
        query,
        rows,
        municipalities,
        kinds: kind_options("Elke vorm"),
        taaliconen,
        days,
        approvals,
        page: paging.number,
    })
}
