//! The personal link pages for contacts without an account: no login, the token is the key.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tower_sessions::Session;

use super::decisions::{
    Asked, ConfirmAllForm, DecisionForm, DecisionProblem, EntryFormat, PendingGroup, confirm_many,
    decide_one, group, parse_shown, parse_version,
};
use crate::domain::confirmation::{self, ConfirmerName, Decider, Decision, LinkLookup, ValidLink};
use crate::error::AppError;
use crate::values::ids::{EntryId, PlacementId};
use crate::web::forms::{invalid, path_id};
use crate::web::layout::Layout;
use crate::web::middleware::ClientAddr;
use crate::web::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/bevestigen/{token}", get(link_page))
        .route("/bevestigen/{token}/naam", post(link_name))
        .route(
            "/bevestigen/{token}/uren/{id}/bevestigen",
            post(link_confirm),
        )
        .route("/bevestigen/{token}/uren/{id}/afwijzen", post(link_reject))
        .route(
            "/bevestigen/{token}/uren/{id}/aanpassen",
            post(link_correct),
        )
        .route(
            "/bevestigen/{token}/plaatsingen/{id}/alles-bevestigen",
            post(link_confirm_all),
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "partner/link.html")]
struct LinkPage {
    layout: Layout,
    link: ValidLink,
    /// `None` until the visitor typed their name.
    name: Option<String>,
    name_error: Option<String>,
    typed_name: String,
    groups: Vec<PendingGroup>,
    problem: DecisionProblem,
    prefix: String,
}

impl EntryFormat for LinkPage {}

#[derive(Template, WebTemplate)]
#[template(path = "partner/link_unusable.html")]
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
            "Deze link is ingetrokken of vervangen door een nieuwere. Gebruik de link uit de laatste mail, of vraag de trajectbegeleider om een nieuwe link als er nog uren te bevestigen zijn.",
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
    problem: DecisionProblem,
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
        DecisionProblem::default(),
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
            let problem = DecisionProblem::default();
            let mut page = render_link_page(&app, &session, &token, link, layout, problem).await?;
            page.name_error = Some(error.to_string());
            page.typed_name = form.name;
            return Ok(invalid(page));
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
    decide_one(
        &app,
        &session,
        &decider,
        entry,
        version,
        &Decision::Confirm,
        "Bevestigd. Bedankt!",
    )
    .await?;
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
    let asked = (Asked::Reject, id, form);
    link_decide(&app, &session, layout, &client.to_string(), &token, asked).await
}

/// Confirms with another duration and a reason, as a logged-in partner does.
async fn link_correct(
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    ClientAddr(client): ClientAddr,
    Path((token, id)): Path<(String, String)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let asked = (Asked::Correct, id, form);
    link_decide(&app, &session, layout, &client.to_string(), &token, asked).await
}

/// A rejection or a correction through the link: a missing reason, a bad duration or a day
/// over 12 hours shows the page again with what was typed.
async fn link_decide(
    app: &AppState,
    session: &Session,
    layout: Layout,
    client: &str,
    token: &str,
    (asked, id, form): (Asked, String, DecisionForm),
) -> Result<Response, AppError> {
    let (link, name) = match link_decider(app, session, token).await {
        Ok(found) => found,
        Err(response) => return Ok(response),
    };
    let entry = path_id::<EntryId>(&id)?;
    let version = parse_version(&form.version)?;
    let (decision, done) = match asked.parse(entry, &form) {
        Ok(parsed) => parsed,
        Err(problem) => {
            let page = render_link_page(app, session, token, link, layout, problem).await?;
            return Ok(invalid(page));
        }
    };
    let decider = Decider::Link {
        link: &link,
        name: &name,
        client_addr: client,
    };
    let refusal = decide_one(app, session, &decider, entry, version, &decision, done).await?;
    if let Some(refusal) = refusal {
        let problem = DecisionProblem::refused(entry, form, refusal);
        let page = render_link_page(app, session, token, link, layout, problem).await?;
        return Ok(invalid(page));
    }
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
