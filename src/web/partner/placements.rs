//! The partner's placements: only those at their own organisation, and of each only what a
//! partner needs — the participant's name, the placement and its hours. Hours a partner logs
//! count as confirmed by them.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use sqlx::PgConnection;
use tower_sessions::Session;

use crate::domain::hours::{self, EntryRow};
use crate::domain::placement::{self, Placement, PlacementSummary};
use crate::error::AppError;
use crate::values::ids::PlacementId;
use crate::values::period::Scope;
use crate::web::forms::{FieldErrors, OnceForm, PageQuery, Paging, PathId};
use crate::web::layout::Layout;
use crate::web::placements::{
    LogForm, LogView, Logged, placement_progress, scoped_placement, submit_hours,
};
use crate::web::progress::Progress;
use crate::web::session::{self, FlashKind, PartnerUser};
use crate::web::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/partner/plaatsingen", get(list))
        .route("/partner/plaatsingen/{id}", get(show))
        .route(
            "/partner/plaatsingen/{id}/uren",
            axum::routing::post(log_hours),
        )
}

fn partner_path(id: PlacementId) -> String {
    format!("/partner/plaatsingen/{id}")
}

#[derive(Template, WebTemplate)]
#[template(path = "partner/placements.html")]
struct PlacementList {
    layout: Layout,
    rows: Vec<PlacementSummary>,
    page: i64,
    has_next: bool,
}

async fn list(
    partner: PartnerUser,
    layout: Layout,
    State(app): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Result<PlacementList, AppError> {
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let mut rows = placement::list_for_organisation(
        &mut conn,
        partner.organisation_id,
        paging.offset(),
        paging.limit(),
    )
    .await?;
    let has_next = paging.trim(&mut rows);
    Ok(PlacementList {
        layout,
        rows,
        page: paging.number,
        has_next,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "partner/placement.html")]
struct PartnerPlacementPage {
    layout: Layout,
    placement: Placement,
    progress: Progress,
    entries: Vec<EntryRow>,
    log: LogView,
    /// Partners confirm or reject pending hours elsewhere; they never edit them.
    can_edit_entries: bool,
}

async fn render(
    conn: &mut PgConnection,
    layout: Layout,
    placement: Placement,
    form: LogForm,
    errors: FieldErrors,
) -> Result<PartnerPlacementPage, AppError> {
    let entries = hours::list_for_placement(conn, &placement).await?;
    let action = format!("{}/uren", partner_path(placement.id));
    Ok(PartnerPlacementPage {
        layout,
        progress: placement_progress(&placement),
        entries,
        log: LogView::new(
            form,
            errors,
            action,
            Scope::Organisation(placement.organisation_id),
        ),
        can_edit_entries: false,
        placement,
    })
}

async fn show(
    partner: PartnerUser,
    layout: Layout,
    State(app): State<AppState>,
    PathId(id): PathId<PlacementId>,
) -> Result<PartnerPlacementPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    let placement =
        scoped_placement(&mut conn, id, Scope::Organisation(partner.organisation_id)).await?;
    let form = LogForm::fresh(&placement);
    render(&mut conn, layout, placement, form, FieldErrors::default()).await
}

async fn log_hours(
    partner: PartnerUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<PlacementId>,
    once: OnceForm<LogForm>,
) -> Result<Response, AppError> {
    let organisation = partner.organisation_id;
    let mut conn = app.pool.acquire().await?;
    let scope = Scope::Organisation(organisation);
    let submission = once.submission(partner.user.id);
    let form = once.form;
    match submit_hours(&app, &mut conn, id, scope, &submission, &form).await? {
        Logged::Saved(message) => {
            session::flash(&session, FlashKind::Success, message).await?;
            Ok(Redirect::to(&partner_path(id)).into_response())
        }
        Logged::Refused(errors) => {
            let placement = scoped_placement(&mut conn, id, scope).await?;
            let page = render(&mut conn, layout, placement, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
