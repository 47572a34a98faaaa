//! Placements for staff (trajectbegeleiders and coördinatoren of the participant's region):
//! create and edit a placement, change its status, log hours on it, and edit or delete hours
//! that are still pending.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sqlx::PgConnection;
use tower_sessions::Session;

use super::forms::{FieldErrors, OnceForm, path_id, repeated};
use super::layout::Layout;
use super::progress::Progress;
use super::session::{self, CaseworkUser, FlashKind};
use crate::domain::confirmation::{self, LinkState, PendingEntry};
use crate::domain::hours::{
    self, EntriesError, EntryChange, EntryError, EntryField, EntryRow, NewEntries, parse_dates,
    parse_entry_minutes,
};
use crate::domain::placement::{
    self, ContactChoice, OrganisationChoice, ParticipantRef, Placement, PlacementError,
    PlacementFields, PlacementInput,
};
use crate::domain::scan::{self, ScanRow};
use crate::domain::submission::{Claim, Submission};
use crate::error::AppError;
use crate::values::criteria::Criteria;
use crate::values::dates::{format_date, format_moment, iso_date, parse_date, today};
use crate::values::ids::{EntryId, ParticipantId, PlacementId, RegionId};
use crate::values::kinds::{PlacementKind, PlacementStatus};
use crate::values::period::Scope;
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/inburgeraars/{participant_id}/plaatsingen/nieuw",
            get(new_page).post(create),
        )
        .route("/plaatsingen/{id}", get(show))
        .route("/plaatsingen/{id}/bewerken", get(edit_page).post(update))
        .route("/plaatsingen/{id}/status", post(change_status))
        .route("/plaatsingen/{id}/uren", post(log_hours))
        .route(
            "/uren/{id}/bewerken",
            get(edit_entry_page).post(update_entry),
        )
        .route("/uren/{id}/verwijderen", post(delete_entry))
}

/// An id from the path; anything that is not a uuid is a page that does not exist.
pub(super) fn placement_path(id: PlacementId) -> String {
    format!("/plaatsingen/{id}")
}

// --- Progress bar -----------------------------------------------------------------------------

/// A placement's confirmed and pending minutes against its planned ones, as a bar of
/// 5 %-steps (the CSP forbids inline widths) and in words.
/// The placement's confirmed and pending hours against its planned hours.
pub(super) fn placement_progress(placement: &Placement) -> Progress {
    Progress::new(
        placement.confirmed_minutes,
        placement.pending_minutes,
        i64::from(placement.planned_minutes),
    )
    .without_certificate_note()
}

// --- Logging hours (shared with the partner pages) --------------------------------------------

/// The log-hours form as typed.
#[derive(Debug, Default, Deserialize)]
pub(super) struct LogForm {
    #[serde(default)]
    pub dates: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub description: String,
}

impl LogForm {
    /// A fresh form: today's date when the placement runs today.
    pub fn fresh(placement: &Placement) -> Self {
        let today = today();
        Self {
            dates: if placement.period().contains(today) {
                format_date(today)
            } else {
                String::new()
            },
            ..Self::default()
        }
    }
}

/// The log-hours form with what was typed and its messages, for the template.
pub(super) struct LogView {
    pub form: LogForm,
    pub errors: FieldErrors,
    /// Every message about the dates, one per bad date, shown under the dates field.
    pub date_errors: Vec<String>,
    pub action: String,
    /// What happens to the hours once logged: pending for staff, confirmed for a partner.
    pub note: &'static str,
}

impl LogView {
    pub fn new(form: LogForm, errors: FieldErrors, action: String, scope: Scope) -> Self {
        let date_errors = errors
            .all()
            .iter()
            .filter(|(field, _)| *field == LOG_DATES)
            .map(|(_, message)| message.clone())
            .collect();
        let note = match scope {
            Scope::Region(_) => {
                "Uren die u registreert, wachten op bevestiging door de partnerorganisatie."
            }
            Scope::Organisation(_) => "Uren die u hier registreert, zijn meteen door u bevestigd.",
        };
        Self {
            form,
            errors,
            date_errors,
            action,
            note,
        }
    }
}

const LOG_DATES: &str = "dates";
const REPEATED_HOURS: &str =
    "Dit formulier was al verstuurd: deze uren zijn één keer geregistreerd, niet twee keer.";
const LOG_MINUTES: &str = "minutes";
/// Messages about the placement or the entry as a whole point at the form itself.
const LOG_FORM: &str = "uren";

fn add_entry_errors(
    errors: &mut FieldErrors,
    problems: Vec<EntryError>,
    dates_field: &'static str,
) {
    for problem in problems {
        let field = match problem.field() {
            EntryField::Dates => dates_field,
            EntryField::Minutes => LOG_MINUTES,
            EntryField::Entry => LOG_FORM,
        };
        errors.add(field, problem);
    }
}

/// Logs the typed hours on a placement the caller may see. `Ok(Err(errors))` means nothing
/// was written and the form must be shown again; `Ok(Ok(message))` is the flash to show (also
/// for a repeat of a form already logged, which logs nothing).
pub(super) async fn submit_hours(
    app: &AppState,
    placement: &Placement,
    scope: Scope,
    submission: &Submission,
    form: &LogForm,
) -> Result<Result<String, FieldErrors>, AppError> {
    let logged_by = submission.user;
    let mut errors = FieldErrors::default();
    let (dates, readable) = match parse_dates(&form.dates) {
        Ok(dates) => (Some(dates.clone()), dates),
        Err(refused) => {
            add_entry_errors(&mut errors, refused.errors, LOG_DATES);
            (None, refused.readable)
        }
    };
    let minutes = errors.check(LOG_MINUTES, parse_entry_minutes(&form.minutes));
    let (Some(dates), Some(minutes)) = (dates, minutes) else {
        // Everything that can be checked without the database, so one answer names every
        // problem; the day limit needs a readable duration and waits for the next try.
        let mut problems = hours::check_open(placement.status, placement.participant_active);
        let (period, today) = (placement.period(), today());
        problems.extend(
            readable
                .into_iter()
                .filter_map(|date| hours::check_date(date, period, today).err()),
        );
        add_entry_errors(&mut errors, problems, LOG_DATES);
        return Ok(Err(errors));
    };
    let command = NewEntries {
        placement: placement.id,
        scope,
        logged_by,
        dates,
        minutes,
        description: form.description.trim().to_string(),
    };
    let mut tx = app.pool.begin().await?;
    // Both answers lead back to the placement: a repeat needs no stored address.
    if let Claim::Repeat { .. } = submission.claim(&mut tx).await? {
        return Ok(Ok(REPEATED_HOURS.to_string()));
    }
    match hours::log_entries(&mut tx, &command, today()).await {
        Ok(ids) => {
            // Hours a coach logs wait for the partner: mail the contact a personal link.
            if !command.counts_as_confirmed() {
                confirmation::notify_contact_of_new_entries(
                    &mut tx,
                    &app.config.base_url(),
                    placement.id,
                )
                .await?;
            }
            tx.commit().await?;
            let confirmed = if command.counts_as_confirmed() {
                " en bevestigd"
            } else {
                ""
            };
            Ok(Ok(match command.dates.as_slice() {
                [date] => format!(
                    "{minutes} geregistreerd{confirmed} op {}.",
                    format_date(*date)
                ),
                _ => format!(
                    "{} keer {minutes} geregistreerd{confirmed}, op {}.",
                    ids.len(),
                    command
                        .dates
                        .iter()
                        .map(|date| format_date(*date))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }))
        }
        Err(EntriesError::Refused(problems)) => {
            add_entry_errors(&mut errors, problems, LOG_DATES);
            Ok(Err(errors))
        }
        Err(EntriesError::NotFound) => Err(AppError::NotFound),
        Err(EntriesError::Database(error)) => Err(error.into()),
    }
}

// --- The placement page -----------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "placements/show.html")]
struct PlacementPage {
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
        let kilobytes = (i64::from(scan.size_bytes) + 1023) / 1024;
        if kilobytes >= 1024 {
            format!("{},{} MB", kilobytes / 1024, (kilobytes % 1024) * 10 / 1024)
        } else {
            format!("{kilobytes} kB")
        }
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

/// The placement named in the path, if the scope (a region's staff, an organisation's
/// partner) may see it.
pub(super) async fn scoped_placement(
    conn: &mut PgConnection,
    raw_id: &str,
    scope: Scope,
) -> Result<Placement, AppError> {
    let id: PlacementId = path_id(raw_id)?;
    placement::get(conn, id, scope)
        .await?
        .ok_or(AppError::NotFound)
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

async fn show(
    user: CaseworkUser,
    layout: Layout,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<PlacementPage, AppError> {
    let region = user.user.staff_region()?;
    let mut conn = app.pool.acquire().await?;
    let placement = scoped_placement(&mut conn, &id, Scope::Region(region)).await?;
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

async fn log_hours(
    user: CaseworkUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
    once: OnceForm<LogForm>,
) -> Result<Response, AppError> {
    let region = user.user.staff_region()?;
    let mut conn = app.pool.acquire().await?;
    let placement = scoped_placement(&mut conn, &id, Scope::Region(region)).await?;
    drop(conn);
    let id = placement.id;
    let submission = once.submission(user.user.id);
    let form = once.form;
    match submit_hours(&app, &placement, Scope::Region(region), &submission, &form).await? {
        Ok(message) => {
            session::flash(&session, FlashKind::Success, message).await?;
            Ok(Redirect::to(&placement_path(id)).into_response())
        }
        Err(errors) => {
            // Show the totals as they are now, with what was typed.
            let mut conn = app.pool.acquire().await?;
            let placement =
                scoped_placement(&mut conn, &id.to_string(), Scope::Region(region)).await?;
            let page = render_placement(&mut conn, layout, region, placement, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// --- Creating and editing a placement ---------------------------------------------------------

/// The placement form as typed.
#[derive(Debug, Default, Deserialize)]
struct PlacementForm {
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    planned: String,
    #[serde(default)]
    contact_user_id: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    description: String,
    // The criteria checkboxes: present (any value) when ticked.
    #[serde(default)]
    meets_contact: Option<String>,
    #[serde(default)]
    meets_dutch_setting: Option<String>,
    #[serde(default)]
    meets_new_contacts: Option<String>,
    #[serde(default)]
    meets_unpaid: Option<String>,
}

impl PlacementForm {
    fn criteria(&self) -> Criteria {
        Criteria::from_checked([
            self.meets_contact.is_some(),
            self.meets_dutch_setting.is_some(),
            self.meets_new_contacts.is_some(),
            self.meets_unpaid.is_some(),
        ])
    }

    /// The criteria as (field, wording, ticked), for the checkboxes.
    fn criteria_choices(&self) -> Vec<(&'static str, &'static str, bool)> {
        self.criteria().choices()
    }

    /// `from_offer`: the placement was taken from an approved offer, which carries the check.
    fn fields(&self, from_offer: bool) -> PlacementFields<'_> {
        PlacementFields {
            organisation_id: &self.organisation_id,
            kind: &self.kind,
            starts_on: &self.starts_on,
            ends_on: &self.ends_on,
            planned: &self.planned,
            contact_user_id: &self.contact_user_id,
            contact_name: &self.contact_name,
            contact_email: &self.contact_email,
            contact_phone: &self.contact_phone,
            description: &self.description,
            criteria: (!from_offer).then(|| self.criteria()),
        }
    }

    fn of(placement: &Placement) -> Self {
        Self {
            organisation_id: placement.organisation_id.to_string(),
            kind: placement.kind.code().to_string(),
            starts_on: iso_date(placement.starts_on),
            ends_on: iso_date(placement.ends_on),
            planned: placement.planned_text().replace(' ', ""),
            contact_user_id: placement
                .contact_user_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            contact_name: placement.contact_name.clone(),
            contact_email: placement.contact_email.clone(),
            contact_phone: placement.contact_phone.clone(),
            description: placement.description.clone(),
            ..Self::default()
        }
        .with_criteria(placement.criteria_met == Some(true))
    }

    fn with_criteria(self, met: bool) -> Self {
        let ticked = met.then(|| "on".to_string());
        Self {
            meets_contact: ticked.clone(),
            meets_dutch_setting: ticked.clone(),
            meets_new_contacts: ticked.clone(),
            meets_unpaid: ticked,
            ..self
        }
    }

    /// Parses the form; every problem lands next to its field.
    fn parse(&self, from_offer: bool) -> Result<PlacementInput, FieldErrors> {
        PlacementInput::parse(&self.fields(from_offer)).map_err(|problems| {
            let mut errors = FieldErrors::default();
            for (field, problem) in problems {
                errors.add(field, problem);
            }
            errors
        })
    }
}

/// The partner users of one organisation, for an `<optgroup>`.
struct ContactGroup {
    organisation: String,
    users: Vec<(String, String)>,
}

fn group_contacts(contacts: Vec<ContactChoice>) -> Vec<ContactGroup> {
    let mut groups: Vec<ContactGroup> = Vec::new();
    for contact in contacts {
        let user = (contact.id.to_string(), contact.name);
        match groups.last_mut() {
            Some(group) if group.organisation == contact.organisation_name => {
                group.users.push(user);
            }
            _ => groups.push(ContactGroup {
                organisation: contact.organisation_name,
                users: vec![user],
            }),
        }
    }
    groups
}

#[derive(Template, WebTemplate)]
#[template(path = "placements/form.html")]
struct PlacementFormPage {
    layout: Layout,
    participant: ParticipantRef,
    /// `None` for a new placement.
    placement_id: Option<PlacementId>,
    action: String,
    cancel: String,
    form: PlacementForm,
    errors: FieldErrors,
    organisations: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    contacts: Vec<ContactGroup>,
    /// The offer a placement was taken from: no criteria check on the form then.
    offer_title: Option<String>,
}

impl PlacementFormPage {
    fn title(&self) -> &'static str {
        if self.placement_id.is_some() {
            "Plaatsing bewerken"
        } else {
            "Nieuwe plaatsing"
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_form(
    conn: &mut PgConnection,
    layout: Layout,
    region: RegionId,
    participant: ParticipantRef,
    placement: Option<&Placement>,
    form: PlacementForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let keep = placement.map(|p| p.organisation_id);
    let organisations = placement::organisation_choices(&mut *conn, region, keep).await?;
    let contacts = placement::contact_choices(&mut *conn, region).await?;
    let mut organisation_options = vec![(String::new(), "Kies een organisatie".to_string())];
    organisation_options.extend(
        organisations
            .into_iter()
            .map(|OrganisationChoice { id, name }| (id.to_string(), name)),
    );
    let mut kinds = vec![(String::new(), "Kies een vorm".to_string())];
    kinds.extend(
        PlacementKind::ALL
            .into_iter()
            .map(|kind| (kind.code().to_string(), kind.label().to_string())),
    );
    let (action, cancel) = match placement {
        Some(placement) => (
            format!("{}/bewerken", placement_path(placement.id)),
            placement_path(placement.id),
        ),
        None => (
            format!("/inburgeraars/{}/plaatsingen/nieuw", participant.id),
            format!("/inburgeraars/{}", participant.id),
        ),
    };
    let page = PlacementFormPage {
        layout,
        participant,
        placement_id: placement.map(|p| p.id),
        action,
        cancel,
        form,
        errors,
        organisations: organisation_options,
        kinds,
        contacts: group_contacts(contacts),
        offer_title: placement.and_then(|p| p.offer_title.clone()),
    };
    Ok((status, page).into_response())
}

async fn participant_of(
    conn: &mut PgConnection,
    raw_id: &str,
    region: RegionId,
) -> Result<ParticipantRef, AppError> {
    let id: ParticipantId = path_id(raw_id)?;
    placement::participant_in_region(conn, id, region)
        .await?
        .ok_or(AppError::NotFound)
}

/// Store errors the user can fix become field errors; the others become the error page.
fn placement_problem(error: PlacementError, errors: &mut FieldErrors) -> Result<(), AppError> {
    match error {
        PlacementError::NotFound => Err(AppError::NotFound),
        PlacementError::Database(error) => Err(error.into()),
        problem => {
            errors.add(problem.field(), problem);
            Ok(())
        }
    }
}

async fn new_page(
    user: CaseworkUser,
    layout: Layout,
    State(app): State<AppState>,
    Path(participant_id): Path<String>,
) -> Result<Response, AppError> {
    let region = user.user.staff_region()?;
    let mut conn = app.pool.acquire().await?;
    let participant = participant_of(&mut conn, &participant_id, region).await?;
    let form = PlacementForm {
        starts_on: iso_date(today()),
        planned: "40".to_string(),
        ..PlacementForm::default()
    };
    render_form(
        &mut conn,
        layout,
        region,
        participant,
        None,
        form,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn create(
    user: CaseworkUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    Path(participant_id): Path<String>,
    once: OnceForm<PlacementForm>,
) -> Result<Response, AppError> {
    let region = user.user.staff_region()?;
    let mut conn = app.pool.acquire().await?;
    let participant = participant_of(&mut conn, &participant_id, region).await?;
    drop(conn);
    let submission = once.submission(user.user.id);
    let form = once.form;
    let errors = match form.parse(false) {
        Ok(input) => {
            let mut tx = app.pool.begin().await?;
            if let Claim::Repeat { location } = submission.claim(&mut tx).await? {
                return repeated(
                    &session,
                    location,
                    &format!("/inburgeraars/{}", participant.id),
                )
                .await;
            }
            match placement::create(&mut tx, user.user.id, region, participant.id, &input, None)
                .await
            {
                Ok(id) => {
                    submission.complete(&mut tx, &placement_path(id)).await?;
                    tx.commit().await?;
                    session::flash(&session, FlashKind::Success, "De plaatsing is aangemaakt.")
                        .await?;
                    return Ok(Redirect::to(&placement_path(id)).into_response());
                }
                Err(error) => {
                    let mut errors = FieldErrors::default();
                    placement_problem(error, &mut errors)?;
                    errors
                }
            }
        }
        Err(errors) => errors,
    };
    let mut conn = app.pool.acquire().await?;
    render_form(
        &mut conn,
        layout,
        region,
        participant,
        None,
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

fn participant_ref(placement: &Placement) -> ParticipantRef {
    ParticipantRef {
        id: placement.participant_id,
        full_name: placement.participant_name.clone(),
        active: placement.participant_active,
    }
}

async fn edit_page(
    user: CaseworkUser,
    layout: Layout,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let region = user.user.staff_region()?;
    let mut conn = app.pool.acquire().await?;
    let placement = scoped_placement(&mut conn, &id, Scope::Region(region)).await?;
    let form = PlacementForm::of(&placement);
    render_form(
        &mut conn,
        layout,
        region,
        participant_ref(&placement),
        Some(&placement),
        form,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn update(
    user: CaseworkUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<PlacementForm>,
) -> Result<Response, AppError> {
    let region = user.user.staff_region()?;
    let mut conn = app.pool.acquire().await?;
    let placement = scoped_placement(&mut conn, &id, Scope::Region(region)).await?;
    drop(conn);
    let errors = match form.parse(placement.offer_id.is_some()) {
        Ok(input) => {
            let mut tx = app.pool.begin().await?;
            match placement::update(&mut tx, user.user.id, region, placement.id, &input).await {
                Ok(()) => {
                    tx.commit().await?;
                    session::flash(&session, FlashKind::Success, "De plaatsing is bijgewerkt.")
                        .await?;
                    return Ok(Redirect::to(&placement_path(placement.id)).into_response());
                }
                Err(error) => {
                    let mut errors = FieldErrors::default();
                    placement_problem(error, &mut errors)?;
                    errors
                }
            }
        }
        Err(errors) => errors,
    };
    let mut conn = app.pool.acquire().await?;
    render_form(
        &mut conn,
        layout,
        region,
        participant_ref(&placement),
        Some(&placement),
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
}

async fn change_status(
    user: CaseworkUser,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Redirect, AppError> {
    let region = user.user.staff_region()?;
    let id: PlacementId = path_id(&id)?;
    let Some(next) = PlacementStatus::parse(&form.status) else {
        // Someone of another region gets the 404 they get for any other request about it.
        let mut conn = app.pool.acquire().await?;
        if placement::get(&mut conn, id, Scope::Region(region))
            .await?
            .is_none()
        {
            return Err(AppError::NotFound);
        }
        session::flash(&session, FlashKind::Error, "Kies een geldige status.").await?;
        return Ok(Redirect::to(&placement_path(id)));
    };
    let mut tx = app.pool.begin().await?;
    match placement::set_status(&mut tx, user.user.id, region, id, next).await {
        Ok(()) => {
            tx.commit().await?;
            let message = format!("De plaatsing is nu {}.", next.label().to_lowercase());
            session::flash(&session, FlashKind::Success, message).await?;
        }
        Err(PlacementError::NotFound) => return Err(AppError::NotFound),
        Err(PlacementError::Database(error)) => return Err(error.into()),
        Err(problem) => {
            session::flash(&session, FlashKind::Error, problem.to_string()).await?;
        }
    }
    Ok(Redirect::to(&placement_path(id)))
}

// --- Editing and deleting pending hours -------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct EntryForm {
    #[serde(default)]
    worked_on: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    version: String,
}

const ENTRY_DATE: &str = "worked_on";

#[derive(Template, WebTemplate)]
#[template(path = "placements/entry_form.html")]
struct EntryFormPage {
    layout: Layout,
    entry: hours::Entry,
    form: EntryForm,
    errors: FieldErrors,
}

async fn scoped_entry(
    conn: &mut PgConnection,
    raw_id: &str,
    region: RegionId,
) -> Result<hours::Entry, AppError> {
    let id: EntryId = path_id(raw_id)?;
    hours::get_entry(conn, id, Scope::Region(region))
        .await?
        .ok_or(AppError::NotFound)
}

/// A decided entry cannot change: back to its placement with the reason.
async fn refuse_decided(session: &Session, entry: &hours::Entry) -> Result<Response, AppError> {
    let message = EntryError::NotPending(entry.status).to_string();
    session::flash(session, FlashKind::Error, message).await?;
    Ok(Redirect::to(&placement_path(entry.placement_id)).into_response())
}

async fn edit_entry_page(
    user: CaseworkUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let region = user.user.staff_region()?;
    let mut conn = app.pool.acquire().await?;
    let entry = scoped_entry(&mut conn, &id, region).await?;
    if !entry.status.is_pending() {
        return refuse_decided(&session, &entry).await;
    }
    let form = EntryForm {
        worked_on: iso_date(entry.worked_on),
        minutes: entry.duration_text().replace(' ', ""),
        description: entry.description.clone(),
        version: entry.version.to_string(),
    };
    Ok(EntryFormPage {
        layout,
        entry,
        form,
        errors: FieldErrors::default(),
    }
    .into_response())
}

async fn update_entry(
    user: CaseworkUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<EntryForm>,
) -> Result<Response, AppError> {
    let region = user.user.staff_region()?;
    let mut conn = app.pool.acquire().await?;
    let entry = scoped_entry(&mut conn, &id, region).await?;
    drop(conn);
    if !entry.status.is_pending() {
        return refuse_decided(&session, &entry).await;
    }
    let mut errors = FieldErrors::default();
    let worked_on = errors.check(ENTRY_DATE, parse_date(&form.worked_on));
    let minutes = errors.check(LOG_MINUTES, parse_entry_minutes(&form.minutes));
    if let (Some(worked_on), Some(minutes)) = (worked_on, minutes) {
        let change = EntryChange {
            entry: entry.id,
            scope: Scope::Region(region),
            changed_by: user.user.id,
            // An unreadable version cannot match: the form is treated as outdated.
            version: form.version.trim().parse().unwrap_or(-1),
            worked_on,
            minutes,
            description: form.description.trim().to_string(),
        };
        let mut tx = app.pool.begin().await?;
        match hours::update_entry(&mut tx, &change, today()).await {
            Ok(()) => {
                tx.commit().await?;
                session::flash(&session, FlashKind::Success, "De uren zijn gewijzigd.").await?;
                return Ok(Redirect::to(&placement_path(entry.placement_id)).into_response());
            }
            Err(EntriesError::Refused(problems)) => {
                if let Some(EntryError::NotPending(status)) = problems
                    .iter()
                    .find(|p| matches!(p, EntryError::NotPending(_)))
                {
                    let decided = hours::Entry {
                        status: *status,
                        ..entry
                    };
                    return refuse_decided(&session, &decided).await;
                }
                add_entry_errors(&mut errors, problems, ENTRY_DATE);
            }
            Err(EntriesError::NotFound) => return Err(AppError::NotFound),
            Err(EntriesError::Database(error)) => return Err(error.into()),
        }
    }
    let page = EntryFormPage {
        layout,
        entry,
        form,
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn delete_entry(
    user: CaseworkUser,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let region = user.user.staff_region()?;
    let mut conn = app.pool.acquire().await?;
    let entry = scoped_entry(&mut conn, &id, region).await?;
    drop(conn);
    let mut tx = app.pool.begin().await?;
    match hours::delete_entry(&mut tx, entry.id, Scope::Region(region), user.user.id).await {
        Ok(()) => {
            tx.commit().await?;
            let message = format!(
                "De uren van {} ({}) zijn verwijderd.",
                entry.date_text(),
                entry.duration_text()
            );
            session::flash(&session, FlashKind::Success, message).await?;
            Ok(Redirect::to(&placement_path(entry.placement_id)).into_response())
        }
        Err(EntriesError::Refused(problems)) => {
            let status = problems
                .iter()
                .find_map(|p| match p {
                    EntryError::NotPending(status) => Some(*status),
                    _ => None,
                })
                .unwrap_or(entry.status);
            refuse_decided(&session, &hours::Entry { status, ..entry }).await
        }
        Err(EntriesError::NotFound) => Err(AppError::NotFound),
        Err(EntriesError::Database(error)) => Err(error.into()),
    }
}
