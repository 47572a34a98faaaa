//! The working lists, their overview, and the organisations that leave entries waiting.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use super::filter::{FilterQuery, Options, with_empty};
use crate::domain::participant;
use crate::domain::report::{
    self, ListCounts, ListRow, PENDING_TOO_LONG_DAYS, PendingRow, WorkList, YearMonth,
};
use crate::error::AppError;
use crate::values::dates::{self, format_date};
use crate::values::duration::format_minutes;
use crate::web::forms::Paging;
use crate::web::layout::Layout;
use crate::web::session::CoordinatorUser;
use crate::web::state::AppState;

struct ListLink {
    slug: &'static str,
    title: &'static str,
    description: String,
    count: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/overview.html")]
pub(super) struct OverviewPage {
    layout: Layout,
    lists: Vec<ListLink>,
    counts: ListCounts,
    pending_days: i32,
    van: String,
    tot: String,
    municipality_options: Options,
}

pub(super) async fn overview(
    CoordinatorUser { region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<OverviewPage, AppError> {
    let today = dates::today();
    let mut conn = app.pool.acquire().await?;
    let counts = report::list_counts(&mut conn, region, today).await?;
    // A funder usually asks for a calendar year: the current one by default.
    let year_start =
        YearMonth::parse(&format!("{}-01", today.year())).unwrap_or(YearMonth::of(today));
    Ok(OverviewPage {
        layout,
        lists: WorkList::ALL
            .into_iter()
            .map(|list| ListLink {
                slug: list.slug(),
                title: list.title(),
                description: list.description(),
                count: counts.of(list),
            })
            .collect(),
        counts,
        pending_days: PENDING_TOO_LONG_DAYS,
        van: year_start.iso(),
        tot: YearMonth::of(today).iso(),
        municipality_options: with_empty(
            "Alle gemeenten",
            participant::municipalities(&mut conn, region)
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name)),
        ),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/list.html")]
pub(super) struct ListPage {
    layout: Layout,
    slug: &'static str,
    title: &'static str,
    description: String,
    rows: Vec<ListRow>,
    required_minutes: i64,
    total: i64,
    page: i64,
    has_next: bool,
}

impl ListPage {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }

    fn hours<T: Copy + Into<i64>>(&self, minutes: &T) -> String {
        format_minutes((*minutes).into())
    }
}

pub(super) async fn list_page(
    list: WorkList,
    CoordinatorUser { region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<FilterQuery>,
) -> Result<ListPage, AppError> {
    let today = dates::today();
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let mut rows = report::work_list(
        &mut conn,
        region,
        list,
        today,
        paging.offset(),
        paging.limit(),
    )
    .await?;
    let has_next = paging.trim(&mut rows);
    let counts = report::list_counts(&mut conn, region, today).await?;
    let required = report::required_minutes(&mut conn, region).await?;
    Ok(ListPage {
        layout,
        slug: list.slug(),
        title: list.title(),
        description: list.description(),
        rows,
        required_minutes: i64::from(required),
        total: counts.of(list),
        page: paging.number,
        has_next,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/pending.html")]
pub(super) struct PendingPage {
    layout: Layout,
    rows: Vec<PendingRow>,
    pending_days: i32,
}

impl PendingPage {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }

    fn hours(&self, minutes: &i64) -> String {
        format_minutes(*minutes)
    }
}

pub(super) async fn pending_page(
    CoordinatorUser { region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<PendingPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    Ok(PendingPage {
        layout,
        rows: report::pending_too_long(&mut conn, region).await?,
        pending_days: PENDING_TOO_LONG_DAYS,
    })
}
