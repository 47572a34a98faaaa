//! Confirming hours: the partner's home page with the entries waiting for them, the personal
//! link pages for contacts without an account, the coach's reminder and revoke buttons, and
//! the outbox page for the beheerder.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::forms::{PageQuery, Paging, PathId, path_id};
use super::layout::Layout;
use super::middleware::ClientAddr;
use super::session::{self, AdminUser, CaseworkUser, FlashKind, PartnerUser};
use crate::domain::confirmation::{
    self, ConfirmerName, DecidedEntry, Decider, Decision, DecisionOutcome, LinkError, LinkLookup,
    PendingEntry, RejectionReason, ValidLink,
};
use crate::error::AppError;
use crate::mail::{self, OutboxRow};
use crate::values::dates::{format_date, format_moment};
use crate::values::duration::format_minutes;
use crate::values::ids::{EntryId, PlacementId};
use crate::web::state::AppState;

/// Pages behind a login.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/partner", get(partner_home))
        .route("/partner/geschiedenis", get(partner_history))
        .route("/partner/uren/{id}/bevestigen", post(partner_confirm))
        .route("/partner/uren/{id}/afwijzen", post(partner_reject))
        .route(
            "/partner/plaatsingen/{id}/alles-bevestigen",
            post(partner_confirm_all),
        )
        .route("/plaatsingen/{id}/herinnering", post(send_reminder))
        .route("/links/{id}/intrekken", post(revoke_link))
        .route("/beheer/outbox", get(outbox))
}

/// The personal link pages: no login, the token is the key.
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/bevestigen/{token}", get(link_page))
        .route("/bevestigen/{token}/naam", post(link_name))
        .route(
            "/bevestigen/{token}/uren/{id}/bevestigen",
            post(link_confirm),
        )
        .route("/bevestigen/{token}/uren/{id}/afwijzen", post(link_reject))
        .route(
            "/bevestigen/{token}/plaatsingen/{id}/alles-bevestigen",
            post(link_confirm_all),
        )
}

/// The entries of one placement, waiting for a decision.
pub struct PendingGroup {
    pub placement_id: PlacementId,
    pub participant_name: String,
    pub kind: String,
    pub entries: Vec<PendingEntry>,
    pub total: String,
    /// `id:version,…` of the entries shown, for "confirm all".
    pub shown: String,
}

fn group(entries: Vec<PendingEntry>) -> Vec<PendingGroup> {
    let mut groups: Vec<PendingGroup> = Vec::new();
    for entry in entries {
        match groups.last_mut() {
            Some(last) if last.placement_id == entry.placement_id => last.entries.push(entry),
            _ => groups.push(PendingGroup {
                placement_id: entry.placement_id,
                participant_name: entry.participant_name.clone(),
                kind: entry.kind.clone(),
                entries: vec![entry],
                total: String::new(),
                shown: String::new(),
            }),
        }
    }
    for group in &mut groups {
        group.total = format_minutes(group.entries.iter().map(|e| i64::from(e.minutes)).sum());
        group.shown = group
            .entries
            .iter()
            .map(|e| format!("{}:{}", e.id, e.version))
            .collect::<Vec<_>>()
            .join(",");
    }
    groups
}

/// A rejection without a reason, shown next to its entry.
#[derive(Default)]
pub struct RejectProblem {
    pub entry: Option<EntryId>,
    pub message: String,
    pub typed: String,
}

impl RejectProblem {
    pub fn is_for(&self, entry: &EntryId) -> bool {
        self.entry.as_ref() == Some(entry)
    }
}

/// Formatting helpers the entry templates call.
pub trait EntryFormat {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }
    fn minutes(&self, minutes: &i32) -> String {
        format_minutes(i64::from(*minutes))
    }
    fn moment(&self, at: &time::OffsetDateTime) -> String {
        format_moment(*at)
    }
}

// ---------------------------------------------------------------------------------------------
// The logged-in partner

#[derive(Template, WebTemplate)]
#[template(path = "confirm/partner_home.html")]
struct PartnerHome {
    layout: Layout,
    groups: Vec<PendingGroup>,
    problem: RejectProblem,
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
    render_partner_home(&app, &partner, layout, paging, RejectProblem::default()).await
}

async fn render_partner_home(
    app: &AppState,
    partner: &PartnerUser,
    layout: Layout,
    paging: Paging,
    problem: RejectProblem,
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
#[template(path = "confirm/partner_history.html")]
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct DecisionForm {
    version: String,
    reason: String,
    /// The page of the partner's list the form was on, to show it again with the error.
    pagina: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfirmAllForm {
    entries: String,
}

fn parse_version(raw: &str) -> Result<i32, AppError> {
    raw.trim().parse().map_err(|_| AppError::NotFound)
}

/// `id:version,…` as the page sent it.
fn parse_shown(raw: &str) -> Vec<(EntryId, i32)> {
    raw.split(',')
        .filter_map(|pair| {
            let (id, version) = pair.split_once(':')?;
            Some((
                EntryId(id.trim().parse().ok()?),
                version.trim().parse().ok()?,
            ))
        })
        .collect()
}

/// Says what happened to a single decision.
async fn report(session: &Session, outcome: &DecisionOutcome, done: &str) -> Result<(), AppError> {
    let (kind, text) = match outcome {
        DecisionOutcome::Done => (FlashKind::Success, done.to_string()),
        DecisionOutcome::AlreadyDecided => (
            FlashKind::Success,
            "Deze uren waren intussen al behandeld; er is niets gewijzigd.".to_string(),
        ),
        DecisionOutcome::Changed => (
            FlashKind::Error,
            "Deze uren werden intussen gewijzigd door de begeleider. Bekijk ze opnieuw en beslis dan."
                .to_string(),
        ),
        DecisionOutcome::NotFound => return Err(AppError::NotFound),
    };
    session::flash(session, kind, text).await
}

/// Decides every entry in `shown`, in one transaction; reports the tally.
/// Confirms the entries shown of one placement: an entry of another placement in the form is
/// not of this page, and the whole request is not found.
async fn confirm_many(
    app: &AppState,
    session: &Session,
    decider: &Decider<'_>,
    placement: PlacementId,
    shown: &[(EntryId, i32)],
) -> Result<(), AppError> {
    let mut tx = app.pool.begin().await?;
    let ids: Vec<EntryId> = shown.iter().map(|(entry, _)| *entry).collect();
    if !confirmation::all_of_placement(&mut tx, placement, &ids).await? {
        return Err(AppError::NotFound);
    }
    let (mut done, mut already, mut changed) = (0, 0, 0);
    for (entry, version) in shown {
        match confirmation::decide(&mut tx, decider, *entry, *version, &Decision::Confirm).await? {
            DecisionOutcome::Done => done += 1,
            DecisionOutcome::AlreadyDecided => already += 1,
            DecisionOutcome::Changed => changed += 1,
            DecisionOutcome::NotFound => return Err(AppError::NotFound),
        }
    }
    tx.commit().await?;
    let mut text = match done {
        1 => "1 prestatie bevestigd.".to_string(),
        n => format!("{n} prestaties bevestigd."),
    };
    if already > 0 {
        text.push_str(&format!(" {already} waren intussen al behandeld."));
    }
    if changed > 0 {
        text.push_str(&format!(
            " {changed} werden intussen gewijzigd: bekijk die opnieuw en beslis dan."
        ));
    }
    let kind = if changed > 0 {
        FlashKind::Error
    } else {
        FlashKind::Success
    };
    session::flash(session, kind, text).await
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
    let mut tx = app.pool.begin().await?;
    let outcome =
        confirmation::decide(&mut tx, &decider, entry, version, &Decision::Confirm).await?;
    tx.commit().await?;
    report(&session, &outcome, "Bevestigd.").await?;
    Ok(Redirect::to("/partner"))
}

async fn partner_reject(
    partner: PartnerUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    PathId(id): PathId<EntryId>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let entry = id;
    let version = parse_version(&form.version)?;
    let reason = match RejectionReason::parse(&form.reason) {
        Ok(reason) => reason,
        Err(error) => {
            let problem = RejectProblem {
                entry: Some(entry),
                message: error.to_string(),
                typed: form.reason,
            };
            let paging = Paging::from_query(form.pagina.as_deref());
            let page = render_partner_home(&app, &partner, layout, paging, problem).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let decider = Decider::Partner {
        user: partner.user.id,
        organisation: partner.organisation_id,
    };
    let mut tx = app.pool.begin().await?;
    let outcome =
        confirmation::decide(&mut tx, &decider, entry, version, &Decision::Reject(reason)).await?;
    tx.commit().await?;
    report(
        &session,
        &outcome,
        "Afgewezen. De begeleider ziet uw reden.",
    )
    .await?;
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

// ---------------------------------------------------------------------------------------------
// Personal links

#[derive(Template, WebTemplate)]
#[template(path = "confirm/link.html")]
struct LinkPage {
    layout: Layout,
    link: ValidLink,
    /// `None` until the visitor typed their name.
    name: Option<String>,
    name_error: Option<String>,
    typed_name: String,
    groups: Vec<PendingGroup>,
    problem: RejectProblem,
    prefix: String,
}

impl EntryFormat for LinkPage {}

#[derive(Template, WebTemplate)]
#[template(path = "confirm/link_unusable.html")]
struct LinkUnusable {
    layout: Layout,
    title: &'static str,
    message: &'static str,
}

fn name_key(link: &ValidLink) -> String {
    format!("link_name_{}", link.id)
}

/// The link behind a token, or the answer instead: the page that says why it cannot be used,
/// or the error page.
async fn valid_link(app: &AppState, token: &str) -> Result<ValidLink, Response> {
    let mut conn = app.pool.acquire().await.map_err(error_page)?;
    let unusable = |title, message| {
        let page = LinkUnusable {
            layout: Layout::bare(),
            title,
            message,
        };
        (StatusCode::GONE, page).into_response()
    };
    match confirmation::find_link(&mut conn, token).await {
        Ok(LinkLookup::Valid(link)) => Ok(link),
        Ok(LinkLookup::Expired) => Err(unusable(
            "Deze link is verlopen",
            "Een persoonlijke link werkt 14 dagen. Vraag de trajectbegeleider om een nieuwe link.",
        )),
        Ok(LinkLookup::Revoked) => Err(unusable(
            "Deze link werkt niet meer",
            "De trajectbegeleider heeft deze link ingetrokken. Vraag om een nieuwe link als er nog uren te bevestigen zijn.",
        )),
        Ok(LinkLookup::Unknown) => Err(error_page(AppError::NotFound)),
        Err(error) => Err(error_page(error)),
    }
}

async fn render_link_page(
    app: &AppState,
    session: &Session,
    token: &str,
    link: ValidLink,
    layout: Layout,
    problem: RejectProblem,
) -> Result<LinkPage, AppError> {
    let name: Option<ConfirmerName> = session.get(&name_key(&link)).await?;
    let mut conn = app.pool.acquire().await?;
    let entries = confirmation::pending_for_placement(&mut conn, link.placement_id).await?;
    Ok(LinkPage {
        layout,
        name: name.map(|n| n.as_str().to_string()),
        name_error: None,
        typed_name: String::new(),
        groups: group(entries),
        problem,
        prefix: format!("/bevestigen/{token}"),
        link,
    })
}

async fn link_page(
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let link = match valid_link(&app, &token).await {
        Ok(link) => link,
        Err(page) => return Ok(page),
    };
    let page = render_link_page(
        &app,
        &session,
        &token,
        link,
        layout,
        RejectProblem::default(),
    )
    .await?;
    Ok(page.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NameForm {
    name: String,
}

async fn link_name(
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    ClientAddr(client): ClientAddr,
    Path(token): Path<String>,
    Form(form): Form<NameForm>,
) -> Result<Response, AppError> {
    let link = match valid_link(&app, &token).await {
        Ok(link) => link,
        Err(page) => return Ok(page),
    };
    let name = match ConfirmerName::parse(&form.name) {
        Ok(name) => name,
        Err(error) => {
            let problem = RejectProblem::default();
            let mut page = render_link_page(&app, &session, &token, link, layout, problem).await?;
            page.name_error = Some(error.to_string());
            page.typed_name = form.name;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = app.pool.begin().await?;
    confirmation::record_opened(&mut tx, &link, &name, &client.to_string()).await?;
    tx.commit().await?;
    session.insert(&name_key(&link), &name).await?;
    Ok(Redirect::to(&format!("/bevestigen/{token}")).into_response())
}

/// The link and the name typed for it, or the answer instead: a redirect to the page that
/// asks the name, or what [`valid_link`] answers.
async fn link_decider(
    app: &AppState,
    session: &Session,
    token: &str,
) -> Result<(ValidLink, ConfirmerName), Response> {
    let link = valid_link(app, token).await?;
    match session.get::<ConfirmerName>(&name_key(&link)).await {
        Ok(Some(name)) => Ok((link, name)),
        Ok(None) => Err(Redirect::to(&format!("/bevestigen/{token}")).into_response()),
        Err(error) => Err(error_page(error)),
    }
}

fn error_page(error: impl Into<AppError>) -> Response {
    error.into().into_response()
}

async fn link_confirm(
    State(app): State<AppState>,
    session: Session,
    ClientAddr(client): ClientAddr,
    Path((token, id)): Path<(String, String)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let (link, name) = match link_decider(&app, &session, &token).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let client = client.to_string();
    let decider = Decider::Link {
        link: &link,
        name: &name,
        client_addr: &client,
    };
    let entry = path_id::<EntryId>(&id)?;
    let version = parse_version(&form.version)?;
    let mut tx = app.pool.begin().await?;
    let outcome =
        confirmation::decide(&mut tx, &decider, entry, version, &Decision::Confirm).await?;
    tx.commit().await?;
    report(&session, &outcome, "Bevestigd. Bedankt!").await?;
    Ok(Redirect::to(&format!("/bevestigen/{token}")).into_response())
}

async fn link_reject(
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    ClientAddr(client): ClientAddr,
    Path((token, id)): Path<(String, String)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let (link, name) = match link_decider(&app, &session, &token).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let entry = path_id::<EntryId>(&id)?;
    let version = parse_version(&form.version)?;
    let reason = match RejectionReason::parse(&form.reason) {
        Ok(reason) => reason,
        Err(error) => {
            let problem = RejectProblem {
                entry: Some(entry),
                message: error.to_string(),
                typed: form.reason,
            };
            let page = render_link_page(&app, &session, &token, link, layout, problem).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let client = client.to_string();
    let decider = Decider::Link {
        link: &link,
        name: &name,
        client_addr: &client,
    };
    let mut tx = app.pool.begin().await?;
    let outcome =
        confirmation::decide(&mut tx, &decider, entry, version, &Decision::Reject(reason)).await?;
    tx.commit().await?;
    report(
        &session,
        &outcome,
        "Afgewezen. De begeleider ziet uw reden.",
    )
    .await?;
    Ok(Redirect::to(&format!("/bevestigen/{token}")).into_response())
}

async fn link_confirm_all(
    State(app): State<AppState>,
    session: Session,
    ClientAddr(client): ClientAddr,
    Path((token, placement)): Path<(String, String)>,
    Form(form): Form<ConfirmAllForm>,
) -> Result<Response, AppError> {
    let (link, name) = match link_decider(&app, &session, &token).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let client = client.to_string();
    let decider = Decider::Link {
        link: &link,
        name: &name,
        client_addr: &client,
    };
    let placement = path_id::<PlacementId>(&placement)?;
    let shown = parse_shown(&form.entries);
    confirm_many(&app, &session, &decider, placement, &shown).await?;
    Ok(Redirect::to(&format!("/bevestigen/{token}")).into_response())
}

// ---------------------------------------------------------------------------------------------
// Staff: reminders and revoking links

async fn send_reminder(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<PlacementId>,
) -> Result<Redirect, AppError> {
    let placement = id;
    let base_url = app.config.base_url();
    let mut tx = app.pool.begin().await?;
    match confirmation::send_link(&mut tx, &base_url, Some(user.id), Some(region), placement).await
    {
        Ok(Some(link)) => {
            tx.commit().await?;
            let text = format!(
                "Er ging een herinnering met een persoonlijke link naar {}.",
                link.contact_email
            );
            session::flash(&session, FlashKind::Success, text).await?;
        }
        Ok(None) => return Err(AppError::NotFound),
        Err(LinkError::NoContactEmail) => {
            session::flash(
                &session,
                FlashKind::Error,
                LinkError::NoContactEmail.to_string(),
            )
            .await?;
        }
        Err(error) => return Err(error.into()),
    }
    Ok(Redirect::to(&format!(
        "/plaatsingen/{placement}#bevestiging"
    )))
}

async fn revoke_link(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(link): PathId<Uuid>,
) -> Result<Redirect, AppError> {
    let mut tx = app.pool.begin().await?;
    let placement = confirmation::revoke_link(&mut tx, user.id, region, link)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    session::flash(&session, FlashKind::Success, "De link is ingetrokken.").await?;
    Ok(Redirect::to(&format!(
        "/plaatsingen/{placement}#bevestiging"
    )))
}

// ---------------------------------------------------------------------------------------------
// The outbox

#[derive(Template, WebTemplate)]
#[template(path = "confirm/outbox.html")]
struct OutboxPage {
    layout: Layout,
    mails: Vec<OutboxRow>,
    smtp_configured: bool,
}

impl EntryFormat for OutboxPage {}

async fn outbox(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<OutboxPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    Ok(OutboxPage {
        layout,
        mails: mail::recent(&mut conn, 200).await?,
        smtp_configured: app.config.smtp_url.is_some(),
    })
}
