//! Inburgeraars: the list, registering and editing, the participant page, coach assignment,
//! stopping and exempting, pausing and resuming (`pause`). For trajectbegeleiders and coördinatoren of the participant's region.

mod form;
mod moves;
mod pause;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sqlx::PgConnection;
use tower_sessions::Session;
use uuid::Uuid;

use super::forms::{FieldErrors, OnceForm, Paging, PathId, non_blank, repeated};
use super::layout::Layout;
use super::progress::Progress;
use super::session::{self, CaseworkUser, FlashKind};
use crate::domain::access::{Access, AccessKind};
use crate::domain::participant::{
    self, EXEMPTION_REASONS, EntryLine, HistoryLine, ListFilter, Obligation, Participant,
    ParticipantError, ParticipantRow, ParticipantStatus, Pause, PauseReason, STOP_REASONS,
    reason_label,
};
use crate::domain::placement::{self, PlacementSummary};
use crate::domain::submission::Claim;
use crate::domain::user::{CurrentUser, Role};
use crate::error::AppError;
use crate::values::dates::{self, format_date};
use crate::values::duration::format_minutes;
use crate::values::ids::{MunicipalityId, ParticipantId, RegionId, UserId};
use crate::values::level::DutchLevel;
use crate::web::state::AppState;
use form::ParticipantForm;
use pause::PauseForms;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inburgeraars", get(list))
        .route("/inburgeraars/nieuw", get(new_form).post(register))
        .route("/inburgeraars/{id}", get(show))
        .route("/inburgeraars/{id}/bewerken", get(edit_form).post(update))
        .route("/inburgeraars/{id}/begeleider", post(assign_coach))
        .route("/inburgeraars/{id}/stopzetten", post(stop))
        .route("/inburgeraars/{id}/vrijstellen", post(exempt))
        .route("/inburgeraars/{id}/heractiveren", post(reactivate))
        .merge(moves::router())
        .route("/inburgeraars/{id}/pauzeren", post(pause::pause))
        .route("/inburgeraars/{id}/hervatten", post(pause::resume))
}

/// Options for a `<select>`: (value, label).
type Options = Vec<(String, String)>;

fn with_empty(first: &str, rest: impl IntoIterator<Item = (String, String)>) -> Options {
    std::iter::once((String::new(), first.to_string()))
        .chain(rest)
        .collect()
}

async fn municipality_options(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Options, AppError> {
    Ok(participant::municipalities(conn, region)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect())
}

async fn coach_options(conn: &mut PgConnection, region: RegionId) -> Result<Options, AppError> {
    Ok(participant::coaches(conn, region)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// List

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    status: String,
    gemeente: String,
    begeleider: String,
    pagina: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ParticipantRow>,
    q: String,
    status: String,
    gemeente: String,
    begeleider: String,
    statuses: Options,
    municipalities: Options,
    coaches: Options,
    page: i64,
    has_next: bool,
    /// The query string without `pagina`, for the paging links.
    filter_query: String,
}

impl ListPage {
    fn progress(&self, row: &ParticipantRow) -> Progress {
        Progress::new(
            i64::from(row.confirmed_minutes),
            i64::from(row.pending_minutes),
            i64::from(row.required_minutes),
        )
    }
}

async fn list(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    let coach = match query.begeleider.as_str() {
        "mijn" => Some(user.id),
        other => other.parse::<Uuid>().ok().map(UserId),
    };
    let filter = ListFilter {
        search: non_blank(&query.q).map(str::to_string),
        status: ParticipantStatus::parse(&query.status),
        municipality: query.gemeente.parse::<Uuid>().ok().map(MunicipalityId),
        coach,
    };
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let mut rows =
        participant::list(&mut conn, region, &filter, paging.offset(), paging.limit()).await?;
    let has_next = paging.trim(&mut rows);
    let filter_query = serde_urlencoded::to_string([
        ("q", query.q.as_str()),
        ("status", query.status.as_str()),
        ("gemeente", query.gemeente.as_str()),
        ("begeleider", query.begeleider.as_str()),
    ])
    .unwrap_or_default();
    let statuses = with_empty(
        "Alle",
        ParticipantStatus::ALL.map(|s| (s.code().to_string(), s.label().to_string())),
    );
    let mut coaches = with_empty("Alle begeleiders", coach_options(&mut conn, region).await?);
    if user.role == Role::Coach {
        coaches.insert(1, ("mijn".into(), "Mijn caseload".into()));
    }
    Ok(ListPage {
        layout,
        rows,
        municipalities: with_empty(
            "Alle gemeenten",
            municipality_options(&mut conn, region).await?,
        ),
        coaches,
        statuses,
        q: query.q,
        status: query.status,
        gemeente: query.gemeente,
        begeleider: query.begeleider,
        page: paging.number,
        has_next,
        filter_query,
    })
}

// ---------------------------------------------------------------------------------------------
// Register and edit

#[derive(Template, WebTemplate)]
#[template(path = "participants/form.html")]
struct FormPage {
    layout: Layout,
    /// `None` when registering.
    participant_id: Option<ParticipantId>,
    form: ParticipantForm,
    errors: FieldErrors,
    municipalities: Options,
    levels: Options,
    obligations: Options,
}

impl FormPage {
    async fn new(
        conn: &mut PgConnection,
        layout: Layout,
        region: RegionId,
        participant_id: Option<ParticipantId>,
        form: ParticipantForm,
        errors: FieldErrors,
    ) -> Result<Self, AppError> {
        Ok(Self {
            layout,
            participant_id,
            form,
            errors,
            municipalities: with_empty(
                "Kies een gemeente",
                municipality_options(conn, region).await?,
            ),
            levels: with_empty(
                "Kies een niveau",
                DutchLevel::ALL.map(|l| (l.code().to_string(), l.code().to_string())),
            ),
            obligations: Obligation::ALL
                .map(|o| (o.code().to_string(), o.code().to_string()))
                .to_vec(),
        })
    }
}

async fn new_form(
    CaseworkUser { region, .. }: CaseworkUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<FormPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    let form = ParticipantForm::fresh(dates::today());
    FormPage::new(
        &mut conn,
        layout,
        region,
        None,
        form,
        FieldErrors::default(),
    )
    .await
}

/// Renders the form again (422) with what was typed and the errors.
async fn rerender(
    conn: &mut PgConnection,
    layout: Layout,
    region: RegionId,
    participant_id: Option<ParticipantId>,
    form: ParticipantForm,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let page = FormPage::new(conn, layout, region, participant_id, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn register(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    once: OnceForm<ParticipantForm>,
) -> Result<Response, AppError> {
    let submission = once.submission(user.id);
    let form = once.form;
    let mut tx = app.pool.begin().await?;
    let input = match form.parse(dates::today()) {
        Ok(input) => input,
        Err(errors) => return rerender(&mut tx, layout, region, None, form, errors).await,
    };
    if let Claim::Repeat { location } = submission.claim(&mut tx).await? {
        return repeated(&session, location, "/inburgeraars").await;
    }
    // A coach registers into their own caseload; a coordinator assigns a coach afterwards.
    let coach = (user.role == Role::Coach).then_some(user.id);
    let id = match participant::register(&mut tx, user.id, region, coach, &input).await {
        Ok(id) => id,
        Err(error) => return refuse(tx, layout, region, None, form, error).await,
    };
    let location = format!("/inburgeraars/{id}");
    submission.complete(&mut tx, &location).await?;
    tx.commit().await?;
    let message = format!("{} is ingeschreven.", input.full_name.as_str());
    session::flash(&session, FlashKind::Success, message).await?;
    Ok(Redirect::to(&location).into_response())
}

/// A domain refusal: next to its field when it has one, else an error.
async fn refuse(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    layout: Layout,
    region: RegionId,
    participant_id: Option<ParticipantId>,
    form: ParticipantForm,
    error: ParticipantError,
) -> Result<Response, AppError> {
    match error {
        ParticipantError::MunicipalityOutsideRegion => {
            let mut errors = FieldErrors::default();
            errors.add("municipality_id", &error);
            rerender(&mut tx, layout, region, participant_id, form, errors).await
        }
        // The forms only offer valid choices: anything else is a tampered request.
        ParticipantError::CoachOutsideRegion
        | ParticipantError::NotActive
        | ParticipantError::NotStopped => Err(AppError::NotFound),
        ParticipantError::Database(_)
        | ParticipantError::AlreadyPaused
        | ParticipantError::NotPaused
        | ParticipantError::PauseInFuture
        | ParticipantError::PauseBeforeStart
        | ParticipantError::PauseOverlaps(_)
        | ParticipantError::ResumeInFuture
        | ParticipantError::ResumeBeforePause(_)
        | ParticipantError::EndDateOutOfRange => Err(error.into()),
    }
}

/// The participant named in the path, if they are of the staff member's region; anyone else
/// is a page that does not exist.
pub(super) async fn scoped_participant(
    conn: &mut PgConnection,
    region: RegionId,
    id: ParticipantId,
) -> Result<Participant, AppError> {
    participant::get(conn, region, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn edit_form(
    CaseworkUser { region, .. }: CaseworkUser,
    State(app): State<AppState>,
    layout: Layout,
    PathId(id): PathId<ParticipantId>,
) -> Result<FormPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    let participant = scoped_participant(&mut conn, region, id).await?;
    FormPage::new(
        &mut conn,
        layout,
        region,
        Some(id),
        ParticipantForm::of(&participant),
        FieldErrors::default(),
    )
    .await
}

async fn update(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    PathId(id): PathId<ParticipantId>,
    Form(form): Form<ParticipantForm>,
) -> Result<Response, AppError> {
    let mut tx = app.pool.begin().await?;
    scoped_participant(&mut tx, region, id).await?;
    let input = match form.parse(dates::today()) {
        Ok(input) => input,
        Err(errors) => return rerender(&mut tx, layout, region, Some(id), form, errors).await,
    };
    match participant::update(&mut tx, user.id, region, id, &input).await {
        Ok(Some(())) => {}
        Ok(None) => return Err(AppError::NotFound),
        Err(error) => return refuse(tx, layout, region, Some(id), form, error).await,
    }
    tx.commit().await?;
    session::flash(&session, FlashKind::Success, "De gegevens zijn bewaard.").await?;
    Ok(Redirect::to(&format!("/inburgeraars/{id}")).into_response())
}

// ---------------------------------------------------------------------------------------------
// The participant page

#[derive(Template, WebTemplate)]
#[template(path = "participants/show.html")]
struct ShowPage {
    layout: Layout,
    p: Participant,
    progress: Progress,
    placements: Vec<PlacementSummary>,
    entries: Vec<EntryLine>,
    history: Vec<HistoryLine>,
    moves: Vec<participant::MoveLine>,
    certificates: Vec<crate::domain::certificate::CertificateRow>,
    /// The inburgeraar's working Mijn traject link, if any.
    own_link: Option<crate::domain::mijn_traject::ActiveLink>,
    coaches: Options,
    current_coach: String,
    stop_reasons: Options,
    exemption_reasons: Options,
    /// The pauses, latest first; the running one, if any, also on its own.
    pauses: Vec<Pause>,
    open_pause: Option<Pause>,
    pause_reasons: Options,
    forms: PauseForms,
    today: time::Date,
}

impl ShowPage {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }

    fn minutes<T: Copy + Into<i64>>(&self, minutes: &T) -> String {
        format_minutes((*minutes).into())
    }

    fn reason(&self) -> &'static str {
        self.p
            .status_reason
            .as_deref()
            .map(reason_label)
            .unwrap_or("")
    }

    fn moment(&self, at: &time::OffsetDateTime) -> String {
        dates::format_moment(*at)
    }

    /// "aangepast door de partner: 3 u → 2 u 30 (reden)" for an entry confirmed with another
    /// duration than was logged.
    fn correction(&self, entry: &EntryLine) -> Option<String> {
        let original = entry.original_minutes?;
        let reason = entry.correction_reason.as_deref().unwrap_or_default();
        Some(format!(
            "aangepast door de partner: {} → {} ({reason})",
            format_minutes(i64::from(original)),
            format_minutes(i64::from(entry.minutes))
        ))
    }

    /// The pause form shows on an active trajectory without a running pause, and again when
    /// it was refused.
    fn pause_form_shown(&self) -> bool {
        (self.p.status == ParticipantStatus::Actief && self.open_pause.is_none())
            || self.forms.errors.get("pause-reason").is_some()
            || self.forms.errors.get("pause-starts-on").is_some()
    }

    fn resume_form_shown(&self) -> bool {
        self.open_pause.is_some() || self.forms.errors.get("resume-on").is_some()
    }

    fn pause_days(&self, pause: &Pause) -> String {
        let days = pause.days(self.today);
        format!("{days} {}", if days == 1 { "dag" } else { "dagen" })
    }

    fn entity_label(&self, entity: &str) -> &'static str {
        match entity {
            "participant" => "Inburgeraar",
            "placement" => "Plaatsing",
            "hour_entry" => "Uren",
            "certificate" => "Certificaat",
            "trajectory_pause" => "Traject",
            _ => "Gegevens",
        }
    }
}

impl ShowPage {
    /// Everything the participant page shows of `p`, with the pause forms as given.
    pub(super) async fn load(
        conn: &mut PgConnection,
        layout: Layout,
        region: RegionId,
        p: Participant,
        forms: PauseForms,
    ) -> Result<Self, AppError> {
        let id = p.id;
        let progress = Progress::new(
            i64::from(p.confirmed_minutes),
            i64::from(p.pending_minutes),
            i64::from(p.required_minutes),
        );
        let reasons = |list: &[(&str, &str)]| {
            with_empty(
                "Kies een reden",
                list.iter().map(|(c, l)| (c.to_string(), l.to_string())),
            )
        };
        let pauses = participant::pauses(&mut *conn, id).await?;
        Ok(ShowPage {
            layout,
            progress,
            placements: placement::list_for_participant(&mut *conn, id, region).await?,
            entries: participant::recent_entries(&mut *conn, id).await?,
            history: participant::history(&mut *conn, id).await?,
            moves: participant::moves(&mut *conn, id).await?,
            certificates: crate::domain::certificate::for_participant(&mut *conn, id).await?,
            own_link: crate::domain::mijn_traject::active_link(&mut *conn, id).await?,
            coaches: with_empty("Geen begeleider", coach_options(&mut *conn, region).await?),
            current_coach: p.coach_id.map(|c| c.to_string()).unwrap_or_default(),
            stop_reasons: reasons(&STOP_REASONS),
            exemption_reasons: reasons(&EXEMPTION_REASONS),
            open_pause: pauses.iter().find(|pause| pause.ends_on.is_none()).cloned(),
            pauses,
            pause_reasons: with_empty(
                "Kies een reden",
                PauseReason::ALL.map(|r| (r.code().to_string(), r.label().to_string())),
            ),
            forms,
            today: dates::today(),
            p,
        })
    }
}

async fn show(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    layout: Layout,
    PathId(id): PathId<ParticipantId>,
) -> Result<ShowPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    let p = scoped_participant(&mut conn, region, id).await?;
    Access {
        user: Some(user.id),
        kind: AccessKind::Inburgeraar,
        participant: Some(id),
        scan: None,
        path: &format!("/inburgeraars/{id}"),
    }
    .record(&mut conn)
    .await?;
    ShowPage::load(
        &mut conn,
        layout,
        region,
        p,
        PauseForms::fresh(dates::today()),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Coach, stop, exempt, reactivate

#[derive(Deserialize)]
struct CoachForm {
    #[serde(default)]
    coach_id: String,
}

async fn assign_coach(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<ParticipantId>,
    Form(form): Form<CoachForm>,
) -> Result<Redirect, AppError> {
    let coach = match non_blank(&form.coach_id) {
        None => None,
        Some(raw) => Some(
            raw.parse::<Uuid>()
                .map(UserId)
                .map_err(|_| AppError::NotFound)?,
        ),
    };
    let mut tx = app.pool.begin().await?;
    let outcome = participant::assign_coach(&mut tx, user.id, region, id, coach).await;
    finish(tx, &session, id, outcome, "De begeleider is aangepast.").await
}

/// The stop and exemption forms share a page, so their fields have distinct names.
#[derive(Deserialize)]
struct CloseForm {
    #[serde(default, alias = "stop-reason", alias = "exempt-reason")]
    reason: String,
    #[serde(default, alias = "stop-note", alias = "exempt-note")]
    note: String,
}

async fn stop(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<ParticipantId>,
    Form(form): Form<CloseForm>,
) -> Result<Redirect, AppError> {
    let closing = Closing {
        status: ParticipantStatus::Stopgezet,
        reasons: &STOP_REASONS,
    };
    close(&app, &session, &user, region, id, closing, form).await
}

async fn exempt(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<ParticipantId>,
    Form(form): Form<CloseForm>,
) -> Result<Redirect, AppError> {
    let closing = Closing {
        status: ParticipantStatus::Vrijgesteld,
        reasons: &EXEMPTION_REASONS,
    };
    close(&app, &session, &user, region, id, closing, form).await
}

/// How a trajectory ends (stopped or exempted), and the reasons one may give for it.
struct Closing {
    status: ParticipantStatus,
    reasons: &'static [(&'static str, &'static str)],
}

async fn close(
    app: &AppState,
    session: &Session,
    user: &CurrentUser,
    region: RegionId,
    id: ParticipantId,
    Closing { status, reasons }: Closing,
    form: CloseForm,
) -> Result<Redirect, AppError> {
    let Some((reason, _)) = reasons.iter().find(|(code, _)| *code == form.reason) else {
        // Someone of another region gets the 404 they get for any other request about this
        // participant, not a message about the form.
        let mut conn = app.pool.acquire().await?;
        if placement::participant_in_region(&mut conn, id, region)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound);
        }
        session::flash(session, FlashKind::Error, "Kies een reden uit de lijst.").await?;
        return Ok(Redirect::to(&format!("/inburgeraars/{id}#status")));
    };
    let mut tx = app.pool.begin().await?;
    let outcome = participant::close(
        &mut tx,
        user.id,
        region,
        id,
        status,
        reason,
        form.note.trim(),
    )
    .await;
    let done = match status {
        ParticipantStatus::Vrijgesteld => "Het traject is vrijgesteld.",
        _ => "Het traject is stopgezet.",
    };
    finish(tx, session, id, outcome, done).await
}

async fn reactivate(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<ParticipantId>,
) -> Result<Redirect, AppError> {
    let mut tx = app.pool.begin().await?;
    let outcome = participant::reactivate(&mut tx, user.id, region, id).await;
    finish(tx, &session, id, outcome, "Het traject is weer actief.").await
}

/// Commits a status change and says how it went; a refused change is explained, not an error.
async fn finish(
    tx: sqlx::Transaction<'_, sqlx::Postgres>,
    session: &Session,
    id: ParticipantId,
    outcome: Result<Option<()>, ParticipantError>,
    success: &str,
) -> Result<Redirect, AppError> {
    match outcome {
        Ok(Some(())) => {
            tx.commit().await?;
            session::flash(session, FlashKind::Success, success).await?;
        }
        Ok(None) => return Err(AppError::NotFound),
        Err(
            refused @ (ParticipantError::NotActive
            | ParticipantError::NotStopped
            | ParticipantError::MunicipalityOutsideRegion
            | ParticipantError::CoachOutsideRegion
            | ParticipantError::AlreadyPaused
            | ParticipantError::NotPaused),
        ) => {
            drop(tx);
            session::flash(session, FlashKind::Error, refused.to_string()).await?;
        }
        Err(error) => return Err(error.into()),
    }
    Ok(Redirect::to(&format!("/inburgeraars/{id}")))
}
