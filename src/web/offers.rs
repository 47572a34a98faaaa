//! Aanbod: the offers list with its filters, an offer's page, the offer form, the
//! coordinator's approval, and "Zoek een plaats" on a participant.
//!
//! Staff and partners share the pages under two prefixes: `/aanbod` (coördinatoren manage all
//! offers of their region, trajectbegeleiders read them) and `/partner/aanbod` (a partner
//! manages the offers of their own organisation). The [`Viewer`] carries the scope every
//! query is limited by.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sqlx::PgConnection;
use tower_sessions::Session;

use super::forms::{FieldErrors, OnceForm, Paging, non_blank, path_id, repeated};
use super::layout::Layout;
use super::session::{self, CaseworkUser, CoordinatorUser, FlashKind, PartnerUser};
use crate::domain::offer::{
    self, Approval, Decision, Offer, OfferError, OfferFields, OfferFilter, OfferInput, OfferRow,
    OfferState, Profile, Suggestion,
};
use crate::domain::participant::{self, Participant};
use crate::domain::placement;
use crate::domain::submission::Claim;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::values::criteria::Criteria;
use crate::values::dates::{iso_date, today};
use crate::values::ids::{MunicipalityId, OfferId, OrganisationId, ParticipantId, UserId};
use crate::values::kinds::PlacementKind;
use crate::values::level::Taalicoon;
use crate::values::period::Scope;
use crate::values::weekdays::{DayParts, WEEKDAYS, Weekdays};
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/aanbod", get(staff_list))
        .route("/aanbod/nieuw", get(staff_new).post(staff_create))
        .route("/aanbod/{id}", get(staff_show))
        .route("/aanbod/{id}/bewerken", get(staff_edit).post(staff_update))
        .route("/aanbod/{id}/status", post(staff_state))
        .route("/aanbod/{id}/goedkeuren", post(approve))
        .route("/aanbod/{id}/weigeren", post(refuse))
        .route("/partner/aanbod", get(partner_list))
        .route(
            "/partner/aanbod/nieuw",
            get(partner_new).post(partner_create),
        )
        .route("/partner/aanbod/{id}", get(partner_show))
        .route(
            "/partner/aanbod/{id}/bewerken",
            get(partner_edit).post(partner_update),
        )
        .route("/partner/aanbod/{id}/status", post(partner_state))
        .route(
            "/inburgeraars/{id}/zoek-een-plaats",
            get(match_page).post(take_place),
        )
}

/// Who looks at the offers, and so which ones and what they may do with them.
struct Viewer {
    user: UserId,
    scope: Scope,
    /// `/aanbod` or `/partner/aanbod`.
    base: &'static str,
    /// May create, edit, pause and close (coördinatoren and the partner).
    manages: bool,
    /// May approve and refuse (coördinatoren).
    decides: bool,
}

impl Viewer {
    fn staff(user: &CaseworkUser) -> Result<Self, AppError> {
        let coordinator = user.user.role == Role::Coordinator;
        Ok(Self {
            user: user.user.id,
            scope: Scope::Region(user.user.staff_region()?),
            base: "/aanbod",
            manages: coordinator,
            decides: coordinator,
        })
    }

    fn coordinator(user: &CoordinatorUser) -> Result<Self, AppError> {
        Ok(Self {
            user: user.user.id,
            scope: Scope::Region(user.user.staff_region()?),
            base: "/aanbod",
            manages: true,
            decides: true,
        })
    }

    fn partner(partner: &PartnerUser) -> Self {
        Self {
            user: partner.user.id,
            scope: Scope::Organisation(partner.organisation_id),
            base: "/partner/aanbod",
            manages: true,
            decides: false,
        }
    }

    fn offer_path(&self, id: OfferId) -> String {
        format!("{}/{id}", self.base)
    }

    /// The partner's offers belong to their organisation; a coordinator picks one.
    fn fixed_organisation(&self) -> Option<OrganisationId> {
        match self.scope {
            Scope::Organisation(organisation) => Some(organisation),
            Scope::Region(_) => None,
        }
    }
}

async fn scoped_offer(
    conn: &mut PgConnection,
    raw_id: &str,
    scope: Scope,
) -> Result<Offer, AppError> {
    let id: OfferId = path_id(raw_id)?;
    offer::get(conn, id, scope).await?.ok_or(AppError::NotFound)
}

fn kind_options(first: &str) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), first.to_string())];
    options.extend(
        PlacementKind::ALL
            .into_iter()
            .map(|kind| (kind.code().to_string(), kind.label().to_string())),
    );
    options
}

// --- The list ----------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    gemeente: String,
    #[serde(default)]
    vorm: String,
    #[serde(default)]
    taalicoon: String,
    #[serde(default)]
    dag: String,
    #[serde(default)]
    vrij: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    pagina: Option<String>,
}

impl ListQuery {
    fn filter(&self) -> OfferFilter {
        OfferFilter {
            search: non_blank(&self.q).map(str::to_string),
            municipality: uuid::Uuid::parse_str(self.gemeente.trim())
                .ok()
                .map(MunicipalityId),
            kind: PlacementKind::parse(&self.vorm),
            taalicoon: Taalicoon::parse(&self.taalicoon),
            day: WEEKDAYS
                .iter()
                .position(|(field, _)| field.strip_prefix("dag_") == Some(self.dag.trim())),
            free_only: !self.vrij.is_empty(),
            approval: Approval::parse(&self.status),
        }
    }

    /// The query string without the page, for the paging links.
    fn without_page(&self) -> String {
        serde_urlencoded::to_string([
            ("q", self.q.as_str()),
            ("gemeente", self.gemeente.as_str()),
            ("vorm", self.vorm.as_str()),
            ("taalicoon", self.taalicoon.as_str()),
            ("dag", self.dag.as_str()),
            ("vrij", self.vrij.as_str()),
            ("status", self.status.as_str()),
        ])
        .unwrap_or_default()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "offers/list.html")]
struct ListPage {
    layout: Layout,
    base: &'static str,
    manages: bool,
    partner: bool,
    query: ListQuery,
    rows: Vec<OfferRow>,
    municipalities: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    taaliconen: Vec<(String, String)>,
    days: Vec<(String, String)>,
    approvals: Vec<(String, String)>,
    page: i64,
    previous_href: Option<String>,
    next_href: Option<String>,
}

async fn list(
    viewer: Viewer,
    layout: Layout,
    app: &AppState,
    query: ListQuery,
) -> Result<ListPage, AppError> {
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let mut rows = offer::list(
        &mut conn,
        viewer.scope,
        &query.filter(),
        paging.offset(),
        paging.limit(),
    )
    .await?;
    let has_next = paging.trim(&mut rows);
    let mut municipalities = vec![(String::new(), "Alle gemeenten".to_string())];
    municipalities.extend(
        offer::municipality_choices(&mut conn, viewer.scope)
            .await?
            .into_iter()
            .map(|m| (m.id.to_string(), m.name)),
    );
    let mut taaliconen = vec![(String::new(), "Elk taalicoon".to_string())];
    taaliconen.extend(Taalicoon::ALL.into_iter().map(|t| {
        (
            t.get().to_string(),
            format!("Taalicoon {} of lager", t.get()),
        )
    }));
    let mut days = vec![(String::new(), "Elke dag".to_string())];
    days.extend(WEEKDAYS.iter().map(|(field, name)| {
        (
            field.trim_start_matches("dag_").to_string(),
            name.to_string(),
        )
    }));
    let mut approvals = vec![(String::new(), "Elke status".to_string())];
    approvals.extend(
        Approval::ALL
            .into_iter()
            .map(|a| (a.code().to_string(), a.code().to_string())),
    );
    let href = |page: i64| format!("{}?{}&pagina={page}", viewer.base, query.without_page());
    Ok(ListPage {
        previous_href: (paging.number > 1).then(|| href(paging.number - 1)),
        next_href: has_next.then(|| href(paging.number + 1)),
        layout,
        base: viewer.base,
        manages: viewer.manages,
        partner: viewer.fixed_organisation().is_some(),
        query,
        rows,
        municipalities,
        kinds: kind_options("Elke vorm"),
        taaliconen,
        days,
        approvals,
        page: paging.number,
    })
}

async fn staff_list(
    user: CaseworkUser,
    layout: Layout,
    State(app): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    list(Viewer::staff(&user)?, layout, &app, query).await
}

async fn partner_list(
    partner: PartnerUser,
    layout: Layout,
    State(app): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    list(Viewer::partner(&partner), layout, &app, query).await
}

// --- One offer ---------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "offers/show.html")]
struct ShowPage {
    layout: Layout,
    base: &'static str,
    offer: Offer,
    manages: bool,
    decides: bool,
    reason: String,
    errors: FieldErrors,
}

impl ShowPage {
    fn next_states(&self) -> &'static [OfferState] {
        self.offer.state.next()
    }
}

async fn show(
    viewer: Viewer,
    layout: Layout,
    app: &AppState,
    id: &str,
) -> Result<ShowPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    let offer = scoped_offer(&mut conn, id, viewer.scope).await?;
    Ok(ShowPage {
        layout,
        base: viewer.base,
        offer,
        manages: viewer.manages,
        decides: viewer.decides,
        reason: String::new(),
        errors: FieldErrors::default(),
    })
}

async fn staff_show(
    user: CaseworkUser,
    layout: Layout,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<ShowPage, AppError> {
    show(Viewer::staff(&user)?, layout, &app, &id).await
}

async fn partner_show(
    partner: PartnerUser,
    layout: Layout,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<ShowPage, AppError> {
    show(Viewer::partner(&partner), layout, &app, &id).await
}

// --- The form ----------------------------------------------------------------------------------

/// The offer form as typed; checkboxes are present when ticked.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OfferForm {
    organisation_id: String,
    title: String,
    description: String,
    kind: String,
    municipality_id: String,
    address: String,
    dag_ma: Option<String>,
    dag_di: Option<String>,
    dag_wo: Option<String>,
    dag_do: Option<String>,
    dag_vr: Option<String>,
    dag_za: Option<String>,
    dag_zo: Option<String>,
    deel_vm: Option<String>,
    deel_nm: Option<String>,
    deel_av: Option<String>,
    in_overleg: Option<String>,
    places: String,
    starts_on: String,
    ends_on: String,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    contact_languages: String,
    taalicoon: String,
    meets_contact: Option<String>,
    meets_dutch_setting: Option<String>,
    meets_new_contacts: Option<String>,
    meets_unpaid: Option<String>,
    criteria_note: String,
}

fn ticked(on: bool) -> Option<String> {
    on.then(|| "ja".to_string())
}

impl OfferForm {
    fn days(&self) -> Weekdays {
        Weekdays::from_checked(
            [
                &self.dag_ma,
                &self.dag_di,
                &self.dag_wo,
                &self.dag_do,
                &self.dag_vr,
                &self.dag_za,
                &self.dag_zo,
            ]
            .map(Option::is_some),
        )
    }

    fn parts(&self) -> DayParts {
        DayParts::from_checked([&self.deel_vm, &self.deel_nm, &self.deel_av].map(Option::is_some))
    }

    fn criteria(&self) -> Criteria {
        Criteria::from_checked(
            [
                &self.meets_contact,
                &self.meets_dutch_setting,
                &self.meets_new_contacts,
                &self.meets_unpaid,
            ]
            .map(Option::is_some),
        )
    }

    fn fields(&self) -> OfferFields<'_> {
        OfferFields {
            title: &self.title,
            description: &self.description,
            kind: &self.kind,
            municipality_id: &self.municipality_id,
            address: &self.address,
            days: self.days(),
            day_parts: self.parts(),
            by_arrangement: self.in_overleg.is_some(),
            places: &self.places,
            starts_on: &self.starts_on,
            ends_on: &self.ends_on,
            contact_name: &self.contact_name,
            contact_email: &self.contact_email,
            contact_phone: &self.contact_phone,
            contact_languages: &self.contact_languages,
            taalicoon: &self.taalicoon,
            criteria: self.criteria(),
            criteria_note: &self.criteria_note,
        }
    }

    fn of(offer: &Offer) -> Self {
        let days = offer.weekdays();
        let parts = offer.parts();
        let criteria = offer.criteria();
        Self {
            organisation_id: offer.organisation_id.to_string(),
            title: offer.title.clone(),
            description: offer.description.clone(),
            kind: offer.kind.code().to_string(),
            municipality_id: offer.municipality_id.to_string(),
            address: offer.address.clone(),
            dag_ma: ticked(days.contains(0)),
            dag_di: ticked(days.contains(1)),
            dag_wo: ticked(days.contains(2)),
            dag_do: ticked(days.contains(3)),
            dag_vr: ticked(days.contains(4)),
            dag_za: ticked(days.contains(5)),
            dag_zo: ticked(days.contains(6)),
            deel_vm: ticked(parts.contains(0)),
            deel_nm: ticked(parts.contains(1)),
            deel_av: ticked(parts.contains(2)),
            in_overleg: ticked(offer.by_arrangement),
            places: offer.places.to_string(),
            starts_on: offer.iso_starts_on(),
            ends_on: offer.iso_ends_on(),
            contact_name: offer.contact_name.clone(),
            contact_email: offer.contact_email.clone(),
            contact_phone: offer.contact_phone.clone(),
            contact_languages: offer.contact_languages.clone(),
            taalicoon: offer.taalicoon.to_string(),
            meets_contact: ticked(criteria.contact),
            meets_dutch_setting: ticked(criteria.dutch_setting),
            meets_new_contacts: ticked(criteria.new_contacts),
            meets_unpaid: ticked(criteria.unpaid),
            criteria_note: offer.criteria_note.clone(),
        }
    }

    fn fresh() -> Self {
        let start = today();
        Self {
            starts_on: iso_date(start),
            ends_on: iso_date(start.saturating_add(time::Duration::days(365))),
            places: "1".to_string(),
            ..Self::default()
        }
    }

    fn parse(&self) -> Result<OfferInput, FieldErrors> {
        OfferInput::parse(&self.fields()).map_err(|problems| {
            let mut errors = FieldErrors::default();
            for (field, problem) in problems {
                errors.add(field, problem);
            }
            errors
        })
    }

    fn in_overleg_choice(&self) -> Vec<(&'static str, &'static str, bool)> {
        vec![(
            "in_overleg",
            "In overleg met de inburgeraar",
            self.in_overleg.is_some(),
        )]
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "offers/form.html")]
struct FormPage {
    layout: Layout,
    /// `None` for a new offer.
    offer_id: Option<OfferId>,
    action: String,
    cancel: String,
    form: OfferForm,
    errors: FieldErrors,
    /// Empty for a partner, whose offers belong to their organisation.
    organisations: Vec<(String, String)>,
    municipalities: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    taaliconen: Vec<(String, String)>,
    /// A partner's change goes back to the coordinator.
    resubmits: bool,
}

impl FormPage {
    fn title(&self) -> &'static str {
        if self.offer_id.is_some() {
            "Aanbod bewerken"
        } else {
            "Nieuw aanbod"
        }
    }
}

async fn render_form(
    conn: &mut PgConnection,
    viewer: &Viewer,
    layout: Layout,
    offer: Option<&Offer>,
    form: OfferForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let organisations = match viewer.scope {
        Scope::Region(region) if offer.is_none() => {
            let mut options = vec![(String::new(), "Kies een organisatie".to_string())];
            options.extend(
                placement::organisation_choices(&mut *conn, region, None)
                    .await?
                    .into_iter()
                    .map(|o| (o.id.to_string(), o.name)),
            );
            options
        }
        _ => Vec::new(),
    };
    let mut municipalities = vec![(String::new(), "Kies een gemeente".to_string())];
    municipalities.extend(
        offer::municipality_choices(&mut *conn, viewer.scope)
            .await?
            .into_iter()
            .map(|m| (m.id.to_string(), m.name)),
    );
    let mut taaliconen = vec![(String::new(), "Kies een taalicoon".to_string())];
    taaliconen.extend(Taalicoon::ALL.into_iter().map(|t| {
        (
            t.get().to_string(),
            format!("{} – {}", t.get(), t.meaning()),
        )
    }));
    let (action, cancel) = match offer {
        Some(offer) => (
            format!("{}/bewerken", viewer.offer_path(offer.id)),
            viewer.offer_path(offer.id),
        ),
        None => (format!("{}/nieuw", viewer.base), viewer.base.to_string()),
    };
    let page = FormPage {
        layout,
        offer_id: offer.map(|o| o.id),
        action,
        cancel,
        form,
        errors,
        organisations,
        municipalities,
        kinds: kind_options("Kies een vorm"),
        taaliconen,
        resubmits: viewer.fixed_organisation().is_some() && offer.is_some(),
    };
    Ok((status, page).into_response())
}

/// Store errors the user can fix become field errors; the others become the error page.
fn offer_problem(error: OfferError, errors: &mut FieldErrors) -> Result<(), AppError> {
    match error {
        OfferError::NotFound => Err(AppError::NotFound),
        OfferError::Database(error) => Err(error.into()),
        OfferError::OrganisationMissing => {
            errors.add(offer::fields::ORGANISATION, error);
            Ok(())
        }
        OfferError::MunicipalityMissing => {
            errors.add(offer::fields::MUNICIPALITY, error);
            Ok(())
        }
        problem => {
            errors.add(offer::fields::TITLE, problem);
            Ok(())
        }
    }
}

async fn new_page(viewer: Viewer, layout: Layout, app: &AppState) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    render_form(
        &mut conn,
        &viewer,
        layout,
        None,
        OfferForm::fresh(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn create(
    viewer: Viewer,
    layout: Layout,
    session: Session,
    app: &AppState,
    once: OnceForm<OfferForm>,
) -> Result<Response, AppError> {
    let submission = once.submission(viewer.user);
    let form = once.form;
    let mut errors = FieldErrors::default();
    let organisation = match viewer.fixed_organisation() {
        Some(organisation) => Some(organisation),
        None => errors.check(
            offer::fields::ORGANISATION,
            uuid::Uuid::parse_str(form.organisation_id.trim())
                .map(OrganisationId)
                .map_err(|_| OfferError::OrganisationMissing),
        ),
    };
    let input = match form.parse() {
        Ok(input) => Some(input),
        Err(problems) => {
            for (field, message) in problems.all() {
                errors.add(field, message);
            }
            None
        }
    };
    if let (Some(organisation), Some(input)) = (organisation, input)
        && errors.is_empty()
    {
        let mut tx = app.pool.begin().await?;
        if let Claim::Repeat { location } = submission.claim(&mut tx).await? {
            return repeated(&session, location, viewer.base).await;
        }
        match offer::create(&mut tx, viewer.user, viewer.scope, organisation, &input).await {
            Ok(id) => {
                submission.complete(&mut tx, &viewer.offer_path(id)).await?;
                tx.commit().await?;
                let message = if viewer.decides {
                    "Het aanbod is aangemaakt. Keur het goed om het bij het zoeken te tonen."
                } else {
                    "Het aanbod is aangemaakt en wacht op goedkeuring door de coördinator."
                };
                session::flash(&session, FlashKind::Success, message).await?;
                return Ok(Redirect::to(&viewer.offer_path(id)).into_response());
            }
            Err(error) => offer_problem(error, &mut errors)?,
        }
    }
    let mut conn = app.pool.acquire().await?;
    render_form(
        &mut conn,
        &viewer,
        layout,
        None,
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn edit_page(
    viewer: Viewer,
    layout: Layout,
    app: &AppState,
    id: &str,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    let offer = scoped_offer(&mut conn, id, viewer.scope).await?;
    let form = OfferForm::of(&offer);
    render_form(
        &mut conn,
        &viewer,
        layout,
        Some(&offer),
        form,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn update(
    viewer: Viewer,
    layout: Layout,
    session: Session,
    app: &AppState,
    id: &str,
    form: OfferForm,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    let offer = scoped_offer(&mut conn, id, viewer.scope).await?;
    drop(conn);
    let errors = match form.parse() {
        Ok(input) => {
            let mut tx = app.pool.begin().await?;
            match offer::update(&mut tx, viewer.user, viewer.scope, offer.id, &input).await {
                Ok(()) => {
                    tx.commit().await?;
                    let message = if viewer.decides {
                        "Het aanbod is bijgewerkt."
                    } else {
                        "Het aanbod is bijgewerkt en wacht opnieuw op goedkeuring door de coördinator."
                    };
                    session::flash(&session, FlashKind::Success, message).await?;
                    return Ok(Redirect::to(&viewer.offer_path(offer.id)).into_response());
                }
                Err(error) => {
                    let mut errors = FieldErrors::default();
                    offer_problem(error, &mut errors)?;
                    errors
                }
            }
        }
        Err(errors) => errors,
    };
    let mut conn = app.pool.acquire().await?;
    render_form(
        &mut conn,
        &viewer,
        layout,
        Some(&offer),
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn staff_new(
    user: CoordinatorUser,
    layout: Layout,
    State(app): State<AppState>,
) -> Result<Response, AppError> {
    new_page(Viewer::coordinator(&user)?, layout, &app).await
}

async fn staff_create(
    user: CoordinatorUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    once: OnceForm<OfferForm>,
) -> Result<Response, AppError> {
    create(Viewer::coordinator(&user)?, layout, session, &app, once).await
}

async fn staff_edit(
    user: CoordinatorUser,
    layout: Layout,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    edit_page(Viewer::coordinator(&user)?, layout, &app, &id).await
}

async fn staff_update(
    user: CoordinatorUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<OfferForm>,
) -> Result<Response, AppError> {
    update(
        Viewer::coordinator(&user)?,
        layout,
        session,
        &app,
        &id,
        form,
    )
    .await
}

async fn partner_new(
    partner: PartnerUser,
    layout: Layout,
    State(app): State<AppState>,
) -> Result<Response, AppError> {
    new_page(Viewer::partner(&partner), layout, &app).await
}

async fn partner_create(
    partner: PartnerUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    once: OnceForm<OfferForm>,
) -> Result<Response, AppError> {
    create(Viewer::partner(&partner), layout, session, &app, once).await
}

async fn partner_edit(
    partner: PartnerUser,
    layout: Layout,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    edit_page(Viewer::partner(&partner), layout, &app, &id).await
}

async fn partner_update(
    partner: PartnerUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<OfferForm>,
) -> Result<Response, AppError> {
    update(Viewer::partner(&partner), layout, session, &app, &id, form).await
}

// --- Pause, close, approve, refuse -------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct StateForm {
    #[serde(default)]
    state: String,
}

async fn change_state(
    viewer: Viewer,
    session: Session,
    app: &AppState,
    id: &str,
    form: StateForm,
) -> Result<Redirect, AppError> {
    let id: OfferId = path_id(id)?;
    let back = viewer.offer_path(id);
    let Some(next) = OfferState::parse(&form.state) else {
        session::flash(&session, FlashKind::Error, "Kies een geldige status.").await?;
        return Ok(Redirect::to(&back));
    };
    let mut tx = app.pool.begin().await?;
    match offer::set_state(&mut tx, viewer.user, viewer.scope, id, next).await {
        Ok(()) => {
            tx.commit().await?;
            let message = format!("Het aanbod is nu {}.", next.code());
            session::flash(&session, FlashKind::Success, message).await?;
        }
        Err(OfferError::NotFound) => return Err(AppError::NotFound),
        Err(OfferError::Database(error)) => return Err(error.into()),
        Err(problem) => session::flash(&session, FlashKind::Error, problem.to_string()).await?,
    }
    Ok(Redirect::to(&back))
}

async fn staff_state(
    user: CoordinatorUser,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<StateForm>,
) -> Result<Redirect, AppError> {
    change_state(Viewer::coordinator(&user)?, session, &app, &id, form).await
}

async fn partner_state(
    partner: PartnerUser,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<StateForm>,
) -> Result<Redirect, AppError> {
    change_state(Viewer::partner(&partner), session, &app, &id, form).await
}

async fn approve(
    user: CoordinatorUser,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Redirect, AppError> {
    let viewer = Viewer::coordinator(&user)?;
    let region = user.user.staff_region()?;
    let id: OfferId = path_id(&id)?;
    let mut tx = app.pool.begin().await?;
    match offer::decide(&mut tx, viewer.user, region, id, &Decision::Approve).await {
        Ok(()) => {
            tx.commit().await?;
            session::flash(
                &session,
                FlashKind::Success,
                "Het aanbod is goedgekeurd: trajectbegeleiders vinden het nu bij het zoeken.",
            )
            .await?;
        }
        Err(OfferError::NotFound) => return Err(AppError::NotFound),
        Err(OfferError::Database(error)) => return Err(error.into()),
        Err(problem) => session::flash(&session, FlashKind::Error, problem.to_string()).await?,
    }
    Ok(Redirect::to(&viewer.offer_path(id)))
}

#[derive(Debug, Default, Deserialize)]
struct RefuseForm {
    #[serde(default)]
    reason: String,
}

async fn refuse(
    user: CoordinatorUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<RefuseForm>,
) -> Result<Response, AppError> {
    let viewer = Viewer::coordinator(&user)?;
    let region = user.user.staff_region()?;
    let mut conn = app.pool.acquire().await?;
    let offer = scoped_offer(&mut conn, &id, viewer.scope).await?;
    drop(conn);
    let mut errors = FieldErrors::default();
    if let Some(decision) = errors.check(offer::fields::REASON, Decision::refuse(&form.reason)) {
        let mut tx = app.pool.begin().await?;
        match offer::decide(&mut tx, viewer.user, region, offer.id, &decision).await {
            Ok(()) => {
                tx.commit().await?;
                session::flash(
                    &session,
                    FlashKind::Success,
                    "Het aanbod is geweigerd; de partnerorganisatie ziet de reden.",
                )
                .await?;
                return Ok(Redirect::to(&viewer.offer_path(offer.id)).into_response());
            }
            Err(OfferError::NotFound) => return Err(AppError::NotFound),
            Err(OfferError::Database(error)) => return Err(error.into()),
            Err(problem) => errors.add(offer::fields::REASON, problem),
        }
    }
    let page = ShowPage {
        layout,
        base: viewer.base,
        offer,
        manages: viewer.manages,
        decides: viewer.decides,
        reason: form.reason,
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// --- Zoek een plaats ---------------------------------------------------------------------------

/// How many suggestions the page shows.
const SUGGESTIONS: usize = 20;

#[derive(Debug, Default, Deserialize)]
struct MatchQuery {
    #[serde(default)]
    vorm: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "offers/match.html")]
struct MatchPage {
    layout: Layout,
    participant: Participant,
    recommended: Taalicoon,
    vorm: String,
    kinds: Vec<(String, String)>,
    suggestions: Vec<Suggestion>,
    /// How many offers fit at all, before the first [`SUGGESTIONS`] are shown.
    total: usize,
}

impl MatchPage {
    fn too_demanding(&self, suggestion: &Suggestion) -> bool {
        suggestion.too_demanding(self.participant.dutch_level)
    }

    fn days_text(&self) -> String {
        let days = self.participant.weekdays();
        if days.is_empty() {
            "niet ingevuld".to_string()
        } else {
            days.text()
        }
    }
}

async fn match_page(
    user: CaseworkUser,
    layout: Layout,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<MatchQuery>,
) -> Result<MatchPage, AppError> {
    let region = user.user.staff_region()?;
    let id: ParticipantId = path_id(&id)?;
    let mut conn = app.pool.acquire().await?;
    let participant = participant::get(&mut conn, region, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let profile = Profile {
        municipality_id: participant.municipality_id,
        neighbours: offer::neighbours(&mut conn, participant.municipality_id).await?,
        dutch_level: participant.dutch_level,
        languages: participant.languages.clone(),
        available_days: participant.weekdays(),
        wanted_kind: PlacementKind::parse(&query.vorm),
    };
    let open = app
        .catalogue
        .open_offers(&mut conn, region, today())
        .await?;
    let (total, suggestions) = offer::rank(&profile, &open.offers, SUGGESTIONS);
    Ok(MatchPage {
        layout,
        recommended: Taalicoon::for_level(participant.dutch_level),
        participant,
        vorm: query.vorm,
        kinds: kind_options("Geen voorkeur"),
        suggestions,
        total,
    })
}

#[derive(Debug, Default, Deserialize)]
struct TakeForm {
    #[serde(default)]
    offer_id: String,
}

async fn take_place(
    user: CaseworkUser,
    session: Session,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<TakeForm>,
) -> Result<Redirect, AppError> {
    let region = user.user.staff_region()?;
    let participant: ParticipantId = path_id(&id)?;
    let back = format!("/inburgeraars/{participant}/zoek-een-plaats");
    let Ok(offer_id) = uuid::Uuid::parse_str(form.offer_id.trim()).map(OfferId) else {
        session::flash(&session, FlashKind::Error, "Kies een aanbod uit de lijst.").await?;
        return Ok(Redirect::to(&back));
    };
    let mut tx = app.pool.begin().await?;
    match offer::take_place(
        &mut tx,
        user.user.id,
        region,
        participant,
        offer_id,
        today(),
    )
    .await
    {
        Ok(placement) => {
            tx.commit().await?;
            session::flash(
                &session,
                FlashKind::Success,
                "De plaats is genomen: de plaatsing is gepland.",
            )
            .await?;
            Ok(Redirect::to(&format!("/plaatsingen/{placement}")))
        }
        Err(OfferError::NotFound) => Err(AppError::NotFound),
        Err(OfferError::Database(error)) => Err(error.into()),
        Err(problem) => {
            drop(tx);
            session::flash(&session, FlashKind::Error, problem.to_string()).await?;
            Ok(Redirect::to(&back))
        }
    }
}
