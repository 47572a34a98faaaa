//! The offer form: a new offer (a coordinator picks the organisation, a partner's is their
//! own) and changes to one, which send a partner's offer back for approval.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::{Connection, PgConnection};
use tower_sessions::Session;

use super::{OfferUser, Viewer, choices, fixable, municipality_options, scoped_offer};
use crate::domain::offer::{self, Offer, OfferError, OfferFields, OfferInput};
use crate::domain::submission::Claim;
use crate::error::AppError;
use crate::values::criteria::Criteria;
use crate::values::dates::{iso_date, today};
use crate::values::ids::{OfferId, OrganisationId};
use crate::values::level::Taalicoon;
use crate::values::period::Scope;
use crate::values::weekdays::{DayParts, Weekdays};
use crate::web::forms::{FieldErrors, OnceForm, PathId, repeated};
use crate::web::layout::Layout;
use crate::web::placements::{kind_options, organisation_options};
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;

/// The offer form as typed; checkboxes are present when ticked.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct OfferForm {
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
            organisation_options(&mut *conn, region, None).await?
        }
        _ => Vec::new(),
    };
    let municipalities =
        municipality_options(&mut *conn, viewer.scope, "Kies een gemeente").await?;
    let taaliconen = choices(
        "Kies een taalicoon",
        Taalicoon::ALL.into_iter().map(|t| {
            (
                t.get().to_string(),
                format!("{} – {}", t.get(), t.meaning()),
            )
        }),
    );
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

/// The form again, with what was typed and why it was not saved.
async fn refused(
    app: &AppState,
    viewer: &Viewer,
    layout: Layout,
    offer: Option<&Offer>,
    form: OfferForm,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    render_form(
        &mut conn,
        viewer,
        layout,
        offer,
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// After the commit: the offer's page, with what happens next.
async fn saved(
    session: &Session,
    viewer: &Viewer,
    id: OfferId,
    message: &str,
) -> Result<Response, AppError> {
    session::flash(session, FlashKind::Success, message).await?;
    Ok(Redirect::to(&viewer.offer_path(id)).into_response())
}

/// Store errors the user can fix become field errors; the others become the error page.
fn offer_problem(error: OfferError) -> Result<FieldErrors, AppError> {
    let problem = fixable(error)?;
    let field = match problem {
        OfferError::OrganisationMissing => offer::fields::ORGANISATION,
        OfferError::MunicipalityMissing => offer::fields::MUNICIPALITY,
        _ => offer::fields::TITLE,
    };
    let mut errors = FieldErrors::default();
    errors.add(field, problem);
    Ok(errors)
}

pub(super) async fn new_page<U: OfferUser>(
    user: U,
    layout: Layout,
    State(app): State<AppState>,
) -> Result<Response, AppError> {
    let viewer = user.viewer();
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

pub(super) async fn create<U: OfferUser>(
    user: U,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    once: OnceForm<OfferForm>,
) -> Result<Response, AppError> {
    let viewer = user.viewer();
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
                return saved(&session, &viewer, id, message).await;
            }
            Err(error) => errors = offer_problem(error)?,
        }
    }
    refused(&app, &viewer, layout, None, form, errors).await
}

pub(super) async fn edit_page<U: OfferUser>(
    user: U,
    layout: Layout,
    State(app): State<AppState>,
    PathId(id): PathId<OfferId>,
) -> Result<Response, AppError> {
    let viewer = user.viewer();
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

pub(super) async fn update<U: OfferUser>(
    user: U,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<OfferId>,
    Form(form): Form<OfferForm>,
) -> Result<Response, AppError> {
    let viewer = user.viewer();
    let mut conn = app.pool.acquire().await?;
    let offer = scoped_offer(&mut conn, id, viewer.scope).await?;
    let errors = match form.parse() {
        Ok(input) => {
            let mut tx = conn.begin().await?;
            match offer::update(&mut tx, viewer.user, viewer.scope, offer.id, &input).await {
                Ok(()) => {
                    tx.commit().await?;
                    let message = if viewer.decides {
                        "Het aanbod is bijgewerkt."
                    } else {
                        "Het aanbod is bijgewerkt en wacht opnieuw op goedkeuring door de coördinator."
                    };
                    return saved(&session, &viewer, offer.id, message).await;
                }
                Err(error) => offer_problem(error)?,
            }
        }
        Err(errors) => errors,
    };
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
