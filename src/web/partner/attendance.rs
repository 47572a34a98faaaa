//! Aanwezigheid: a logged-in partner registers a group at the door, for one of their offers or
//! one placement — ticked in the list or by the attendance code on the card (typed, or filled in
//! by the camera where the browser can read QR codes: `static/attendance.js`). One duration
//! for everyone; the rules are `domain::hours`, applied by `domain::attendance`.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tower_sessions::Session;
use uuid::Uuid;

use crate::domain::attendance::{
    self, Attendee, OfferChoice, PlacementChoice, Registration, SessionTitle, Target,
};
use crate::domain::certificate::VerifyCode;
use crate::domain::hours::{EntryError, parse_entry_minutes};
use crate::domain::submission::Claim;
use crate::error::AppError;
use crate::values::dates::{format_date, parse_date, today};
use crate::values::ids::{OfferId, PlacementId};
use crate::web::forms::{FieldErrors, OnceForm, PathId, invalid, repeated};
use crate::web::layout::Layout;
use crate::web::session::{self, FlashKind, PartnerUser};
use crate::web::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/partner/aanwezigheid", get(overview))
        .route(
            "/partner/aanwezigheid/aanbod/{id}",
            get(offer_page).post(offer_submit),
        )
        .route(
            "/partner/aanwezigheid/plaatsingen/{id}",
            get(placement_page).post(placement_submit),
        )
}

fn target_path(target: Target) -> String {
    match target {
        Target::Offer(id) => format!("/partner/aanwezigheid/aanbod/{id}"),
        Target::Placement(id) => format!("/partner/aanwezigheid/plaatsingen/{id}"),
    }
}

const PEOPLE: &str = "aanwezig";
const DATE: &str = "datum";
const DURATION: &str = "duur";
const CODES: &str = "codes";

/// Most people one registration takes: a large group, and no more.
const MAX_PEOPLE: usize = 100;

const UNKNOWN_CODE: &str = "Deze code is onbekend, of hoort niet bij een inburgeraar met een plaatsing voor deze activiteit. Kies de persoon in de lijst of vraag de begeleider om een nieuwe kaart.";

#[derive(Template, WebTemplate)]
#[template(path = "partner/attendance.html")]
struct Overview {
    layout: Layout,
    offers: Vec<OfferChoice>,
    placements: Vec<PlacementChoice>,
}

async fn overview(
    partner: PartnerUser,
    layout: Layout,
    State(app): State<AppState>,
) -> Result<Overview, AppError> {
    let mut conn = app.pool.acquire().await?;
    let (offers, placements) = attendance::choices(&mut conn, partner.organisation_id).await?;
    Ok(Overview {
        layout,
        offers,
        placements,
    })
}

/// The session form as typed.
#[derive(Debug, Default)]
struct SessionForm {
    ticked: Vec<PlacementId>,
    /// Ticked people whose placement no longer runs.
    gone: usize,
    date: String,
    duration: String,
    codes: String,
}

impl SessionForm {
    fn fresh() -> Self {
        Self {
            date: format_date(today()),
            ..Self::default()
        }
    }

    /// Reads the fields. A ticked id that is no longer a placement of the session (stopped or
    /// ended since the page was shown) is counted in `gone`, so the others are still
    /// registered; an id that is no id at all was never on the page.
    fn read(fields: &[(String, String)], people: &[Attendee]) -> Result<Self, AppError> {
        let mut form = Self::default();
        for (name, value) in fields {
            match name.as_str() {
                PEOPLE => {
                    let id = value
                        .trim()
                        .parse::<Uuid>()
                        .map(PlacementId)
                        .map_err(|_| AppError::NotFound)?;
                    if !people.iter().any(|p| p.placement_id == id) {
                        form.gone += 1;
                    } else if !form.ticked.contains(&id) {
                        form.ticked.push(id);
                    }
                }
                DATE => form.date.clone_from(value),
                DURATION => form.duration.clone_from(value),
                CODES => form.codes.clone_from(value),
                _ => {}
            }
        }
        Ok(form)
    }
}

/// A person who could not be registered, or a code that named nobody of the session.
struct Problem {
    /// The name (shown in `<bdi>`), or the code as typed.
    who: String,
    is_code: bool,
    reasons: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "partner/attendance_session.html")]
struct SessionPage {
    layout: Layout,
    title: SessionTitle,
    action: String,
    people: Vec<Attendee>,
    form: SessionForm,
    errors: FieldErrors,
    problems: Vec<Problem>,
    /// After a partial registration: who was registered.
    registered: Option<String>,
}

impl SessionPage {
    fn ticked(&self, id: &PlacementId) -> bool {
        self.form.ticked.contains(id)
    }
}

async fn offer_page(
    partner: PartnerUser,
    layout: Layout,
    State(app): State<AppState>,
    PathId(id): PathId<OfferId>,
) -> Result<SessionPage, AppError> {
    show(partner, layout, app, Target::Offer(id)).await
}

async fn placement_page(
    partner: PartnerUser,
    layout: Layout,
    State(app): State<AppState>,
    PathId(id): PathId<PlacementId>,
) -> Result<SessionPage, AppError> {
    show(partner, layout, app, Target::Placement(id)).await
}

async fn offer_submit(
    partner: PartnerUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<OfferId>,
    once: OnceForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    submit(partner, layout, session, app, Target::Offer(id), once).await
}

async fn placement_submit(
    partner: PartnerUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<PlacementId>,
    once: OnceForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    submit(partner, layout, session, app, Target::Placement(id), once).await
}

async fn show(
    partner: PartnerUser,
    layout: Layout,
    app: AppState,
    target: Target,
) -> Result<SessionPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    let organisation = partner.organisation_id;
    let title = attendance::session_title(&mut conn, organisation, target)
        .await?
        .ok_or(AppError::NotFound)?;
    let people = attendance::attendees(&mut conn, organisation, target).await?;
    let mut form = SessionForm::fresh();
    // One person: ticked already.
    if let (Target::Placement(_), [person]) = (target, people.as_slice()) {
        form.ticked.push(person.placement_id);
    }
    Ok(SessionPage {
        layout,
        title,
        action: target_path(target),
        people,
        form,
        errors: FieldErrors::default(),
        problems: Vec::new(),
        registered: None,
    })
}

/// "Ahmed, Olena en Tesfay".
fn names_text(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} en {last}", rest.join(", ")),
    }
}

fn registered_text(names: &[String]) -> String {
    let count = match names.len() {
        1 => "1 inburgeraar".to_string(),
        n => format!("{n} inburgeraars"),
    };
    format!("{count} geregistreerd: {}.", names_text(names))
}

async fn submit(
    partner: PartnerUser,
    layout: Layout,
    session: Session,
    app: AppState,
    target: Target,
    once: OnceForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = partner.organisation_id;
    let mut conn = app.pool.acquire().await?;
    let title = attendance::session_title(&mut conn, organisation, target)
        .await?
        .ok_or(AppError::NotFound)?;
    let people = attendance::attendees(&mut conn, organisation, target).await?;
    let submission = once.submission(partner.user.id);
    let mut form = SessionForm::read(&once.form, &people)?;

    let today = today();
    let mut errors = FieldErrors::default();
    let date = match form.date.trim() {
        "" => {
            errors.add(
                DATE,
                "Vul de datum van de activiteit in, bijvoorbeeld 23/11/2026.",
            );
            None
        }
        typed => match parse_date(typed) {
            Ok(date) if date > today => {
                errors.add(DATE, EntryError::InFuture(date));
                None
            }
            Ok(date) => Some(date),
            Err(_) => {
                errors.add(DATE, EntryError::UnreadableDate(typed.to_string()));
                None
            }
        },
    };
    let minutes = errors.check(DURATION, parse_entry_minutes(&form.duration));

    // The chosen: the ticked, then whoever a code names (each once).
    let mut chosen: Vec<Attendee> = people
        .iter()
        .filter(|p| form.ticked.contains(&p.placement_id))
        .cloned()
        .collect();
    let mut problems = Vec::new();
    let mut unknown_codes = Vec::new();
    for typed in form
        .codes
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|typed| !typed.is_empty())
    {
        let found =
            VerifyCode::parse(typed).and_then(|code| attendance::find_by_code(&people, &code));
        match found {
            Some(person) if !chosen.iter().any(|c| c.placement_id == person.placement_id) => {
                chosen.push(person.clone());
            }
            Some(_) => {}
            None => {
                unknown_codes.push(typed.to_string());
                problems.push(Problem {
                    who: typed.to_string(),
                    is_code: true,
                    reasons: vec![UNKNOWN_CODE.to_string()],
                });
            }
        }
    }
    if form.gone > 0 {
        problems.push(Problem {
            who: if form.gone == 1 {
                "Eén aangevinkte inburgeraar".to_string()
            } else {
                format!("{} aangevinkte inburgeraars", form.gone)
            },
            is_code: false,
            reasons: vec![
                "Hun plaatsing loopt niet meer sinds u deze pagina opende: zij staan niet meer in de lijst.".to_string(),
            ],
        });
    }
    if chosen.is_empty() && problems.is_empty() {
        errors.add(
            PEOPLE,
            "Vink minstens één inburgeraar aan, of vul de code van hun kaart in.",
        );
    }
    if chosen.len() > MAX_PEOPLE {
        errors.add(
            PEOPLE,
            format!("Registreer hoogstens {MAX_PEOPLE} inburgeraars tegelijk."),
        );
    }

    let mut page = SessionPage {
        layout,
        title,
        action: target_path(target),
        people,
        form: SessionForm::default(),
        errors: FieldErrors::default(),
        problems: Vec::new(),
        registered: None,
    };
    let (Some(date), Some(minutes), false, true) =
        (date, minutes, chosen.is_empty(), errors.is_empty())
    else {
        page.form = form;
        page.errors = errors;
        page.problems = problems;
        return Ok(invalid(page));
    };

    let mut tx = app.pool.begin().await?;
    let location = target_path(target);
    if let Claim::Repeat { location } = submission.claim(&mut tx).await? {
        return repeated(&session, location, &target_path(target)).await;
    }
    let description = if page.title.is_person {
        "Aanwezigheid".to_string()
    } else {
        format!("Aanwezigheid: {}", page.title.title)
    };
    let outcome = attendance::register(
        &mut tx,
        &Registration {
            organisation,
            registered_by: partner.user.id,
            target,
            worked_on: date,
            minutes,
            people: &chosen,
            description,
        },
        today,
    )
    .await?;
    for refusal in &outcome.refused {
        problems.push(Problem {
            who: refusal.name.clone(),
            is_code: false,
            reasons: refusal.reasons.iter().map(ToString::to_string).collect(),
        });
    }
    if outcome.session.is_none() {
        // Nobody could be registered: nothing is written, the form comes back as typed.
        drop(tx);
        page.form = form;
        page.problems = problems;
        return Ok(invalid(page));
    }
    submission.complete(&mut tx, &location).await?;
    tx.commit().await?;
    let message = registered_text(&outcome.names);
    if problems.is_empty() {
        session::flash(&session, FlashKind::Success, message).await?;
        return Ok(Redirect::to(&location).into_response());
    }
    // Some were registered: the page again with the others, as typed for them.
    form.ticked = outcome.refused.iter().map(|r| r.placement_id).collect();
    form.codes = unknown_codes.join("\n");
    page.form = form;
    page.problems = problems;
    page.registered = Some(message);
    Ok(page.into_response())
}
