//! A placement's page for staff: its hours, what waits for the partner and the links sent for
//! it, the scans, and the log-hours form, which comes back here when refused.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::PgConnection;
use tower_sessions::Session;

use super::hours::{LogForm, LogView, Logged, submit_hours};
use super::{placement_path, placement_progress, scoped_placement};
use crate::domain::confirmation::{self, LinkState, PendingEntry};
use crate::domain::hours::{self, EntryRow};
use crate::domain::placement::Placement;
use crate::domain::scan::{self, ScanRow};
use crate::error::AppError;
use crate::values::dates::format_moment;
use crate::values::ids::{PlacementId, RegionId};
use crate::values::kinds::PlacementStatus;
use crate::values::period::Scope;
use crate::web::forms::{FieldErrors, OnceForm, PathId};
use crate::web::layout::Layout;
use crate::web::progress::Progress;
use crate::web::session::{self, CaseworkUser, FlashKind};
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "placements/show.html")]
pub(super) struct PlacementPage {
    layout: Layout,
    placement: Placement,
    progress: Progress,
    entries: Vec<EntryRow>,
    log: LogView,
    can_edit_entries: bool,
    next_statuses: &'static [PlacementStatus],
    confirmation: ConfirmationView,
    scans: Vec<ScanRow>,
}

impl PlacementPage {
    fn scan_moment(&self, scan: &ScanRow) -> String {
        format_moment(scan.uploaded_at)
    }

    fn scan_size(&self, scan: &ScanRow) -> String {
        scan::size_text(scan.size_bytes)
    }
}

/// What waits for the partner and the personal links sent for it.
struct ConfirmationView {
    pending: Vec<PendingEntry>,
    links: Vec<LinkLine>,
}

struct LinkLine {
    id: uuid::Uuid,
    contact: String,
    created: String,
    expires: String,
    state: LinkState,
}

impl ConfirmationView {
    async fn load(conn: &mut PgConnection, placement: PlacementId) -> Result<Self, AppError> {
        let now = time::OffsetDateTime::now_utc();
        let links = confirmation::links_for_placement(conn, placement)
            .await?
            .into_iter()
            .map(|link| LinkLine {
                id: link.id,
                contact: format!("{} <{}>", link.contact_name, link.contact_email),
                created: format_moment(link.created_at),
                expires: format_moment(link.expires_at),
                state: link.state(now),
            })
            .collect();
        Ok(Self {
            pending: confirmation::pending_for_placement(conn, placement).await?,
            links,
        })
    }

    /// "sinds 12/11/2026 09:30": when the oldest pending entry was logged.
    fn waiting_since(&self) -> Option<String> {
        self.pending
            .iter()
            .map(|entry| entry.created_at)
            .min()
            .map(format_moment)
    }
}

async fn render_placement(
    conn: &mut PgConnection,
    layout: Layout,
    region: RegionId,
    placement: Placement,
    log_form: LogForm,
    errors: FieldErrors,
) -> Result<PlacementPage, AppError> {
    let entries = hours::list_for_placement(conn, &placement).await?;
    let action = format!("{}/uren", placement_path(placement.id));
    let confirmation = ConfirmationView::load(conn, placement.id).await?;
    let scans = scan::list_for_placement(conn, placement.id).await?;
    Ok(PlacementPage {
        scans,
        layout,
        confirmation,
        progress: placement_progress(&placement),
        next_statuses: placement.status.next(),
        entries,
        log: LogView::new(log_form, errors, action, Scope::Region(region)),
        can_edit_entries: true,
        placement,
    })
}

pub(super) async fn show(
    user: CaseworkUser,
    layout: Layout,
    State(app): State<AppState>,
    PathId(id): PathId<PlacementId>,
) -> Result<PlacementPage, AppError> {
    let region = user.region;
    let mut conn = app.pool.acquire().await?;
    let placement = scoped_placement(&mut conn, id, Scope::Region(region)).await?;
    let form = LogForm::fresh(&placement);
    render_placement(
        &mut conn,
        layout,
        region,
        placement,
        form,
        FieldErrors::default(),
    )
    .await
}

pub(super) async fn log_hours(
    user: CaseworkUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<PlacementId>,
    once: OnceForm<LogForm>,
) -> Result<Response, AppError> {
    let region = user.region;
    let mut conn = app.pool.acquire().await?;
    let submission = once.submission(user.user.id);
    let form = once.form;
    let scope = Scope::Region(region);
    match submit_hours(&app, &mut conn, id, scope, &submission, &form).await? {
        Logged::Saved(message) => {
            session::flash(&session, FlashKind::Success, message).await?;
            Ok(Redirect::to(&placement_path(id)).into_response())
        }
        Logged::Refused(errors) => {
            // Show the totals as they are now, with what was typed.
            let placement = scoped_placement(&mut conn, id, scope).await?;
            let page = render_placement(&mut conn, layout, region, placement, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
