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
use crate::domain::offer::{
    self, ADDRESS_MAX, LONG_TEXT_MAX, Offer, OfferError, OfferInput, PHONE_MAX, TEXT_MAX, bounded,
    offered_days, parse_places, required,
};
use crate::domain::submission::Claim;
use crate::domain::user::Email;
use crate::error::AppError;
use crate::values::criteria::Criteria;
use crate::values::dates::{iso_date, parse_date, today};
use crate::values::ids::{MunicipalityId, OfferId, OrganisationId};
use crate::values::kinds::PlacementKind;
use crate::values::level::Taalicoon;
use crate::values::period::{Period, Scope};
use crate::values::weekdays::{DayParts, Weekdays};
use crate::web::forms::{
    Checkbox, FieldErrors, OnceForm, PathId, criteria_boxes, day_boxes, day_part_boxes, repeated,
};
use crate::web::layout::Layout;
use crate::web::placements::{kind_options, organisation_options};
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;

/// The names of the offer form's fields, and of the refusal reason on the offer's page.
pub(super) mod fields {
    pub(in crate::web::offers) const ORGANISATION: &str = "organisation_id";
    pub(in crate::web::offers) const TITLE: &str = "title";
    pub(in crate::web::offers) const DESCRIPTION: &str = "description";
    pub(in crate::web::offers) const KIND: &str = "kind";
    pub(in crate::web::offers) const MUNICIPALITY: &str = "municipality_id";
    pub(in crate::web::offers) const ADDRESS: &str = "address";
    pub(in crate::web::offers) const DAYS: &str = "dagen";
    pub(in crate::web::offers) const PLACES: &str = "places";
    pub(in crate::web::offers) const STARTS_ON: &str = "starts_on";
    pub(in crate::web::offers) const ENDS_ON: &str = "ends_on";
    pub(in crate::web::offers) const CONTACT_NAME: &str = "contact_name";
    pub(in crate::web::offers) const CONTACT_EMAIL: &str = "contact_email";
    pub(in crate::web::offers) const CONTACT_PHONE: &str = "contact_phone";
    pub(in crate::web::offers) const CONTACT_LANGUAGES: &str = "contact_languages";
    pub(in crate::web::offers) const TAALICOON: &str = "taalicoon";
    pub(in crate::web::offers) const CRITERIA: &str = "criteria";
    pub(in crate::web::offers) const REASON: &str = "reason";
}

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

    /// The checkbox groups, as typed.
    fn day_boxes(&self) -> Vec<Checkbox> {
        day_boxes(self.days())
    }

    fn part_boxes(&self) -> Vec<Checkbox> {
        day_part_boxes(self.parts())
    }

    fn criteria_boxes(&self) -> Vec<Checkbox> {
        criteria_boxes(self.criteria())
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

    fn in_overleg_choice(&self) -> Vec<Checkbox> {
        vec![(
            "in_overleg",
            "In overleg met de inburgeraar",
            self.in_overleg.is_some(),
        )]
    }
}

/// Every problem with the field it belongs to, in the order of the form. The criteria are
/// recorded as declared; only approval demands that all are met. The organisation is read
/// apart: a partner's is their own.
impl TryFrom<&OfferForm> for OfferInput {
    type Error = FieldErrors;

    fn try_from(form: &OfferForm) -> Result<Self, FieldErrors> {
        use OfferError as E;
        let mut errors = FieldErrors::default();
        let title = errors.check(
            fields::TITLE,
            required(&form.title, TEXT_MAX, E::TitleMissing),
        );
        let description = errors.check(
            fields::DESCRIPTION,
            bounded(&form.description, LONG_TEXT_MAX),
        );
        let kind = errors.check(
            fields::KIND,
            PlacementKind::parse(&form.kind).ok_or(E::KindMissing),
        );
        let municipality_id = errors.check(
            fields::MUNICIPALITY,
            uuid::Uuid::parse_str(form.municipality_id.trim())
                .map(MunicipalityId)
                .map_err(|_| E::MunicipalityMissing),
        );
        let address = errors.check(fields::ADDRESS, bounded(&form.address, ADDRESS_MAX));
        let by_arrangement = form.in_overleg.is_some();
        let days = errors.check(fields::DAYS, offered_days(form.days(), by_arrangement));
        let places = errors.check(fields::PLACES, parse_places(&form.places));
        let starts_on = errors.check(
            fields::STARTS_ON,
            parse_date(&form.starts_on).map_err(E::Date),
        );
        let ends_on = errors.check(fields::ENDS_ON, parse_date(&form.ends_on).map_err(E::Date));
        let period = match (starts_on, ends_on) {
            (Some(starts_on), Some(ends_on)) => errors.check(
                fields::ENDS_ON,
                Period::new(starts_on, ends_on).map_err(|_| E::EndBeforeStart),
            ),
            _ => None,
        };
        let contact_name = errors.check(
            fields::CONTACT_NAME,
            required(&form.contact_name, TEXT_MAX, E::ContactNameMissing),
        );
        let contact_email = errors.check(
            fields::CONTACT_EMAIL,
            match form.contact_email.trim() {
                "" => Ok(None),
                typed => Email::parse(typed)
                    .map(Some)
                    .map_err(|_| E::ContactEmailInvalid),
            },
        );
        let contact_phone = errors.check(
            fields::CONTACT_PHONE,
            bounded(&form.contact_phone, PHONE_MAX),
        );
        let contact_languages = errors.check(
            fields::CONTACT_LANGUAGES,
            bounded(&form.contact_languages, TEXT_MAX),
        );
        let taalicoon = errors.check(
            fields::TAALICOON,
            Taalicoon::parse(&form.taalicoon).ok_or(E::TaalicoonMissing),
        );
        let criteria_note = errors.check(
            fields::CRITERIA,
            bounded(&form.criteria_note, LONG_TEXT_MAX),
        );
        match (
            title,
            description,
            kind,
            municipality_id,
            address,
            days,
            places,
            period,
            contact_name,
            contact_email,
            contact_phone,
            contact_languages,
            taalicoon,
            criteria_note,
        ) {
            (
                Some(title),
                Some(description),
                Some(kind),
                Some(municipality_id),
                Some(address),
                Some(days),
                Some(places),
                Some(period),
                Some(contact_name),
                Some(contact_email),
                Some(contact_phone),
                Some(contact_languages),
                Some(taalicoon),
                Some(criteria_note),
            ) if errors.is_empty() => Ok(Self {
                title,
                description,
                kind,
                municipality_id,
                address,
                days,
                day_parts: form.parts(),
                by_arrangement,
                places,
                period,
                contact_name,
                contact_email,
                contact_phone,
                contact_languages,
                taalicoon,
                criteria: form.criteria(),
                criteria_note,
            }),
            _ => Err(errors),
        }
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
        OfferError::OrganisationMissing => fields::ORGANISATION,
        OfferError::MunicipalityMissing => fields::MUNICIPALITY,
        _ => fields::TITLE,
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
            fields::ORGANISATION,
            uuid::Uuid::parse_str(form.organisation_id.trim())
                .map(OrganisationId)
                .map_err(|_| OfferError::OrganisationMissing),
        ),
    };
    let input = match OfferInput::try_from(&form) {
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
    let errors = match OfferInput::try_from(&form) {
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
