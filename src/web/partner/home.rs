//! The logged-in partner's home: the entries waiting for them, deciding them, and their history.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use tower_sessions::Session;

use super::decisions::{
    Asked, ConfirmAllForm, DecisionForm, DecisionProblem, EntryFormat, PendingGroup, confirm_many,
    decide_one, group, parse_shown, parse_version,
};
use crate::domain::confirmation::{self, DecidedEntry, Decider, Decision};
use crate::error::AppError;
use crate::values::ids::{EntryId, PlacementId};
use crate::web::forms::{PageQuery, Paging, PathId, invalid};
use crate::web::layout::Layout;
use crate::web::session::PartnerUser;
use crate::web::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/partner", get(partner_home))
        .route("/partner/geschiedenis", get(partner_history))
        .route("/partner/uren/{id}/bevestigen", post(partner_confirm))
        .route("/partner/uren/{id}/afwijzen", post(partner_reject))
        .route("/partner/uren/{id}/aanpassen", post(partner_correct))
        .route(
            "/partner/plaatsingen/{id}/alles-bevestigen",
            post(partner_confirm_all),
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "partner/home.html")]
struct PartnerHome {
    layout: Layout,
    groups: Vec<PendingGroup>,
    problem: DecisionProblem,
    prefix: String,
    page: i64,
    has_next: bool,
}

/// Placements per page of the partner's list: each shows all its pending entries with their
/// forms, so a page stays light on a phone even for a large organisation.
const PLACEMENTS_PER_PAGE: i64 = 10;

impl EntryFormat for PartnerHome {}

async fn partner_home(
    partner: PartnerUser,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<PageQuery>,
) -> Result<PartnerHome, AppError> {
    let paging = Paging::from_query(query.pagina.as_deref());
    render_partner_home(&app, &partner, layout, paging, DecisionProblem::default()).await
}

async fn render_partner_home(
    app: &AppState,
    partner: &PartnerUser,
    layout: Layout,
    paging: Paging,
    problem: DecisionProblem,
) -> Result<PartnerHome, AppError> {
    let paging = paging.of_size(PLACEMENTS_PER_PAGE);
    let mut conn = app.pool.acquire().await?;
    let entries = confirmation::pending_for_organisation(
        &mut conn,
        partner.organisation_id,
        paging.offset(),
        paging.limit(),
    )
    .await?;
    let mut groups = group(entries);
    let has_next = paging.trim(&mut groups);
    Ok(PartnerHome {
        layout,
        groups,
        problem,
        prefix: "/partner".into(),
        page: paging.number,
        has_next,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "partner/history.html")]
struct PartnerHistory {
    layout: Layout,
    rows: Vec<DecidedEntry>,
    page: i64,
    has_next: bool,
}

impl EntryFormat for PartnerHistory {}

async fn partner_history(
    partner: PartnerUser,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<PageQuery>,
) -> Result<PartnerHistory, AppError> {
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let mut rows = confirmation::decided_for_organisation(
        &mut conn,
        partner.organisation_id,
        paging.offset(),
        paging.limit(),
    )
    .await?;
    let has_next = paging.trim(&mut rows);
    Ok(PartnerHistory {
        layout,
        rows,
        page: paging.number,
        has_next,
    })
}

async fn partner_confirm(
    partner: PartnerUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<EntryId>,
    Form(form): Form<DecisionForm>,
) -> Result<Redirect, AppError> {
    let entry = id;
    let version = parse_version(&form.version)?;
    let decider = Decider::Partner {
        user: partner.user.id,
        organisation: partner.organisation_id,
    };
    decide_one(
        &app,
        &session,
        &decider,
        entry,
        version,
        &Decision::Confirm,
        "Bevestigd.",
    )
    .await?;
    Ok(Redirect::to("/partner"))
}

async fn partner_reject(
    partner: PartnerUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    PathId(entry): PathId<EntryId>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let asked = (Asked::Reject, entry, form);
    partner_decide(&app, &partner, &session, layout, asked).await
}

/// Confirms with another duration and a reason.
async fn partner_correct(
    partner: PartnerUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    PathId(entry): PathId<EntryId>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let asked = (Asked::Correct, entry, form);
    partner_decide(&app, &partner, &session, layout, asked).await
}

/// A rejection or a correction: a missing reason, a bad duration or a day over 12 hours shows
/// the page again with what was typed.
async fn partner_decide(
    app: &AppState,
    partner: &PartnerUser,
    session: &Session,
    layout: Layout,
    (asked, entry, form): (Asked, EntryId, DecisionForm),
) -> Result<Response, AppError> {
    let version = parse_version(&form.version)?;
    let paging = Paging::from_query(form.pagina.as_deref());
    let (decision, done) = match asked.parse(entry, &form) {
        Ok(parsed) => parsed,
        Err(problem) => {
            let page = render_partner_home(app, partner, layout, paging, problem).await?;
            return Ok(invalid(page));
        }
    };
    let decider = Decider::Partner {
        user: partner.user.id,
        organisation: partner.organisation_id,
    };
    if let Some(refusal) =
        decide_one(app, session, &decider, entry, version, &decision, done).await?
    {
        let problem = DecisionProblem::refused(entry, form, refusal);
        let page = render_partner_home(app, partner, layout, paging, problem).await?;
        return Ok(invalid(page));
    }
    Ok(Redirect::to("/partner").into_response())
}

async fn partner_confirm_all(
    partner: PartnerUser,
    State(app): State<AppState>,
    session: Session,
    PathId(placement): PathId<PlacementId>,
    Form(form): Form<ConfirmAllForm>,
) -> Result<Redirect, AppError> {
    let decider = Decider::Partner {
        user: partner.user.id,
        organisation: partner.organisation_id,
    };
    let shown = parse_shown(&form.entries);
    confirm_many(&app, &session, &decider, placement, &shown).await?;
    Ok(Redirect::to("/partner"))
}
