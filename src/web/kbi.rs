//! The KBI hand-off list: outcomes still to pass on to the Flemish case-management system, as
//! a page and as CSV, and marking one "doorgegeven". A trajectbegeleider sees their own
//! caseload, a coördinator the whole region.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tower_sessions::Session;

use super::forms::{Paging, PathId};
use super::layout::Layout;
use super::reports::export::{self, Separator, text};
use super::session::{self, CaseworkUser, FlashKind};
use crate::domain::kbi::{self, HandoffError, KbiRow, KbiScope, KbiView};
use crate::domain::user::{CurrentUser, Role};
use crate::error::AppError;
use crate::values::dates::{self, format_date, iso_date};
use crate::values::ids::{ParticipantId, RegionId};
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kbi", get(list))
        .route("/kbi.csv", get(csv))
        .route("/kbi/{participant_id}/doorgegeven", post(mark))
}

fn scope_of(user: &CurrentUser, region: RegionId) -> KbiScope {
    match user.role {
        Role::Coach => KbiScope::Coach {
            region,
            coach: user.id,
        },
        _ => KbiScope::Region(region),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    /// `doorgegeven` shows what was passed on; anything else the open outcomes.
    weergave: String,
    pagina: Option<String>,
    scheiding: String,
}

impl ListQuery {
    fn view(&self) -> KbiView {
        match self.weergave.as_str() {
            "doorgegeven" => KbiView::Done,
            _ => KbiView::Open,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kbi/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<KbiRow>,
    done: bool,
    whole_region: bool,
    today: String,
    page: i64,
    has_next: bool,
}

async fn list(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    let scope = scope_of(&user, region);
    let view = query.view();
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let mut rows = kbi::list(&mut conn, scope, view, paging.offset(), paging.limit()).await?;
    let has_next = paging.trim(&mut rows);
    Ok(ListPage {
        layout,
        rows,
        done: view == KbiView::Done,
        whole_region: matches!(scope, KbiScope::Region(_)),
        today: iso_date(dates::today()),
        page: paging.number,
        has_next,
    })
}

/// The list as a spreadsheet: every row of the chosen view, not one page.
async fn csv(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let scope = scope_of(&user, region);
    let view = query.view();
    let separator = Separator::from_query(&query.scheiding);
    let mut conn = app.pool.acquire().await?;
    let rows = kbi::list(&mut conn, scope, view, 0, i64::MAX).await?;
    let header = [
        "Naam",
        "Dossiernummer",
        "Resultaat",
        "Datum resultaat",
        "Certificaatnummer",
        "Trajectbegeleider",
        "Doorgegeven op",
    ];
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                text(&row.full_name),
                text(&row.external_dossier),
                row.outcome_label().to_string(),
                format_date(row.outcome_on()),
                text(row.certificate_number.as_deref().unwrap_or("")),
                text(row.coach_name.as_deref().unwrap_or("")),
                row.passed_on.map(format_date).unwrap_or_default(),
            ]
        })
        .collect();
    let name = match view {
        KbiView::Open => "kbi-door-te-geven",
        KbiView::Done => "kbi-doorgegeven",
    };
    export::response(
        &format!("{name}_{}.csv", iso_date(dates::today())),
        separator,
        &header,
        &lines,
    )
}

#[derive(Deserialize)]
struct MarkForm {
    #[serde(default)]
    datum: String,
}

async fn mark(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<ParticipantId>,
    Form(form): Form<MarkForm>,
) -> Result<Redirect, AppError> {
    let scope = scope_of(&user, region);
    let passed_on = match dates::parse_date(&form.datum) {
        Ok(date) => date,
        Err(error) => {
            session::flash(&session, FlashKind::Error, error.to_string()).await?;
            return Ok(Redirect::to("/kbi"));
        }
    };
    let mut tx = app.pool.begin().await?;
    match kbi::mark_passed(&mut tx, user.id, scope, id, passed_on, dates::today()).await {
        Ok(Some(())) => {
            tx.commit().await?;
            session::flash(
                &session,
                FlashKind::Success,
                format!(
                    "Genoteerd: doorgegeven aan KBI op {}.",
                    format_date(passed_on)
                ),
            )
            .await?;
        }
        Ok(None) => return Err(AppError::NotFound),
        Err(
            refused @ (HandoffError::NotClosed
            | HandoffError::AlreadyPassed
            | HandoffError::FutureDate
            | HandoffError::BeforeOutcome),
        ) => {
            drop(tx);
            session::flash(&session, FlashKind::Error, refused.to_string()).await?;
        }
        Err(error) => return Err(error.into()),
    }
    Ok(Redirect::to("/kbi"))
}
