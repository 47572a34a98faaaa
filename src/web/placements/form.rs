//! The placement form: a new placement for a participant, and changes to one.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::{Connection, PgConnection};
use tower_sessions::Session;
use uuid::Uuid;

use super::{placement_path, scoped_placement};
use crate::domain::placement::{
    self, Contact, ContactChoice, OrganisationChoice, ParticipantRef, Placement, PlacementError,
    PlacementInput, parse_planned,
};
use crate::domain::submission::Claim;
use crate::domain::user::Email;
use crate::error::AppError;
use crate::values::criteria::Criteria;
use crate::values::dates::{iso_date, parse_date, today};
use crate::values::ids::{OrganisationId, ParticipantId, PlacementId, RegionId, UserId};
use crate::values::kinds::PlacementKind;
use crate::values::period::{Period, Scope};
use crate::web::forms::{Checkbox, FieldErrors, OnceForm, PathId, criteria_boxes, repeated};
use crate::web::layout::Layout;
use crate::web::session::{self, CaseworkUser, FlashKind};
use crate::web::state::AppState;

/// The names of the placement form's fields.
mod fields {
    pub(super) const ORGANISATION: &str = "organisation_id";
    pub(super) const KIND: &str = "kind";
    pub(super) const STARTS_ON: &str = "starts_on";
    pub(super) const ENDS_ON: &str = "ends_on";
    pub(super) const PLANNED: &str = "planned";
    pub(super) const CONTACT_USER: &str = "contact_user_id";
    pub(super) const CONTACT_NAME: &str = "contact_name";
    pub(super) const CONTACT_EMAIL: &str = "contact_email";
    pub(super) const STATUS: &str = "status";
    pub(super) const CRITERIA: &str = "criteria";
}

/// The form field a refusal of the domain belongs next to.
fn problem_field(error: &PlacementError) -> &'static str {
    use PlacementError as E;
    match error {
        E::OrganisationMissing | E::OrganisationUnavailable | E::OrganisationFixed => {
            fields::ORGANISATION
        }
        E::KindMissing => fields::KIND,
        E::Date(_) => fields::STARTS_ON,
        E::EndBeforeStart | E::EntriesOutsidePeriod(_) => fields::ENDS_ON,
        E::PlannedEmpty
        | E::PlannedUnreadable
        | E::PlannedMinutesOutOfRange
        | E::PlannedZero
        | E::PlannedTooLong => fields::PLANNED,
        E::ContactNameMissing => fields::CONTACT_NAME,
        E::ContactEmailInvalid => fields::CONTACT_EMAIL,
        E::ContactNotOfOrganisation => fields::CONTACT_USER,
        E::CriteriaNotMet => fields::CRITERIA,
        E::StatusChange { .. } | E::NotFound | E::Database(_) => fields::STATUS,
    }
}

/// The placement form as typed.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PlacementForm {
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

    /// The criteria checkboxes, as typed.
    fn criteria_choices(&self) -> Vec<Checkbox> {
        criteria_boxes(self.criteria())
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

    /// Parses the form; every problem lands next to its field, in the order of the form.
    /// `from_offer`: the placement was taken from an approved offer, which carries the criteria
    /// check.
    fn parse(&self, from_offer: bool) -> Result<PlacementInput, FieldErrors> {
        use PlacementError as E;
        let mut errors = FieldErrors::default();
        let organisation_id = errors.check(
            fields::ORGANISATION,
            Uuid::parse_str(self.organisation_id.trim())
                .map(OrganisationId)
                .map_err(|_| E::OrganisationMissing),
        );
        let kind = errors.check(
            fields::KIND,
            PlacementKind::parse(&self.kind).ok_or(E::KindMissing),
        );
        let starts_on = errors.check(
            fields::STARTS_ON,
            parse_date(&self.starts_on).map_err(E::from),
        );
        let ends_on = errors.check(fields::ENDS_ON, parse_date(&self.ends_on).map_err(E::from));
        let period = match (starts_on, ends_on) {
            (Some(starts_on), Some(ends_on)) => errors.check(
                fields::ENDS_ON,
                Period::new(starts_on, ends_on).map_err(E::from),
            ),
            _ => None,
        };
        let planned = errors.check(fields::PLANNED, parse_planned(&self.planned));
        let contact_user = match self.contact_user_id.trim() {
            "" => Some(None),
            id => errors.check(
                fields::CONTACT_USER,
                Uuid::parse_str(id)
                    .map(|id| Some(UserId(id)))
                    .map_err(|_| E::ContactNotOfOrganisation),
            ),
        };
        let contact_name = self.contact_name.trim().to_string();
        if contact_name.is_empty() && matches!(contact_user, Some(None)) {
            errors.add(fields::CONTACT_NAME, E::ContactNameMissing);
        }
        let contact_email = match self.contact_email.trim() {
            "" => Some(None),
            email => errors.check(
                fields::CONTACT_EMAIL,
                Email::parse(email)
                    .map(Some)
                    .map_err(|_| E::ContactEmailInvalid),
            ),
        };
        let criteria = (!from_offer).then(|| self.criteria());
        if criteria.is_some_and(|criteria| !criteria.all_met()) {
            errors.add(fields::CRITERIA, E::CriteriaNotMet);
        }
        match (
            organisation_id,
            kind,
            period,
            planned,
            contact_user,
            contact_email,
        ) {
            (
                Some(organisation_id),
                Some(kind),
                Some(period),
                Some(planned),
                Some(user_id),
                Some(email),
            ) if errors.is_empty() => Ok(PlacementInput {
                organisation_id,
                kind,
                period,
                planned,
                contact: Contact {
                    user_id,
                    name: contact_name,
                    email,
                    phone: self.contact_phone.trim().to_string(),
                },
                description: self.description.trim().to_string(),
                criteria,
            }),
            _ => Err(errors),
        }
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

/// The placement kinds for a `<select>`, after an empty option that says what to choose; the
/// offers' pages pick from the same kinds.
pub(in crate::web) fn kind_options(first: &str) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), first.to_string())];
    options.extend(
        PlacementKind::ALL
            .into_iter()
            .map(|kind| (kind.code().to_string(), kind.label().to_string())),
    );
    options
}

/// The region's partner organisations for a `<select>`; `keep` stays a choice even when it is
/// no longer active, so an edit does not lose the organisation it has.
pub(in crate::web) async fn organisation_options(
    conn: &mut PgConnection,
    region: RegionId,
    keep: Option<OrganisationId>,
) -> Result<Vec<(String, String)>, AppError> {
    let mut options = vec![(String::new(), "Kies een organisatie".to_string())];
    options.extend(
        placement::organisation_choices(conn, region, keep)
            .await?
            .into_iter()
            .map(|OrganisationChoice { id, name }| (id.to_string(), name)),
    );
    Ok(options)
}

/// Whom the form is about: a participant who gets a new placement, or a placement to change.
enum Subject<'a> {
    New(ParticipantRef),
    Edit(&'a Placement),
}

impl Subject<'_> {
    fn placement(&self) -> Option<&Placement> {
        match self {
            Self::New(_) => None,
            Self::Edit(placement) => Some(placement),
        }
    }
}

async fn participant_of(
    conn: &mut PgConnection,
    id: ParticipantId,
    region: RegionId,
) -> Result<ParticipantRef, AppError> {
    placement::participant_in_region(conn, id, region)
        .await?
        .ok_or(AppError::NotFound)
}

async fn render_form(
    conn: &mut PgConnection,
    layout: Layout,
    region: RegionId,
    subject: Subject<'_>,
    form: PlacementForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let keep = subject.placement().map(|p| p.organisation_id);
    let organisations = organisation_options(&mut *conn, region, keep).await?;
    let contacts = placement::contact_choices(&mut *conn, region).await?;
    let (action, cancel) = match &subject {
        Subject::New(participant) => (
            format!("/inburgeraars/{}/plaatsingen/nieuw", participant.id),
            format!("/inburgeraars/{}", participant.id),
        ),
        Subject::Edit(placement) => (
            format!("{}/bewerken", placement_path(placement.id)),
            placement_path(placement.id),
        ),
    };
    let (participant, placement_id, offer_title) = match subject {
        Subject::New(participant) => (participant, None, None),
        Subject::Edit(placement) => (
            ParticipantRef {
                id: placement.participant_id,
                full_name: placement.participant_name.clone(),
                active: placement.participant_active,
            },
            Some(placement.id),
            placement.offer_title.clone(),
        ),
    };
    let page = PlacementFormPage {
        layout,
        participant,
        placement_id,
        action,
        cancel,
        form,
        errors,
        organisations,
        kinds: kind_options("Kies een vorm"),
        contacts: group_contacts(contacts),
        offer_title,
    };
    Ok((status, page).into_response())
}

/// After the commit: the placement's page with the message.
async fn saved(session: &Session, id: PlacementId, message: &str) -> Result<Response, AppError> {
    session::flash(session, FlashKind::Success, message).await?;
    Ok(Redirect::to(&placement_path(id)).into_response())
}

/// Store errors the user can fix become field errors; the others become the error page.
fn placement_problem(error: PlacementError) -> Result<FieldErrors, AppError> {
    match error {
        failure @ (PlacementError::NotFound | PlacementError::Database(_)) => Err(failure.into()),
        problem => {
            let mut errors = FieldErrors::default();
            errors.add(problem_field(&problem), problem);
            Ok(errors)
        }
    }
}

pub(super) async fn new_page(
    user: CaseworkUser,
    layout: Layout,
    State(app): State<AppState>,
    PathId(participant_id): PathId<ParticipantId>,
) -> Result<Response, AppError> {
    let region = user.region;
    let mut conn = app.pool.acquire().await?;
    let participant = participant_of(&mut conn, participant_id, region).await?;
    let form = PlacementForm {
        starts_on: iso_date(today()),
        planned: "40".to_string(),
        ..PlacementForm::default()
    };
    render_form(
        &mut conn,
        layout,
        region,
        Subject::New(participant),
        form,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub(super) async fn create(
    user: CaseworkUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    PathId(participant_id): PathId<ParticipantId>,
    once: OnceForm<PlacementForm>,
) -> Result<Response, AppError> {
    let region = user.region;
    let mut conn = app.pool.acquire().await?;
    let participant = participant_of(&mut conn, participant_id, region).await?;
    let submission = once.submission(user.user.id);
    let form = once.form;
    let errors = match form.parse(false) {
        Ok(input) => {
            let mut tx = conn.begin().await?;
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
                    return saved(&session, id, "De plaatsing is aangemaakt.").await;
                }
                Err(error) => placement_problem(error)?,
            }
        }
        Err(errors) => errors,
    };
    render_form(
        &mut conn,
        layout,
        region,
        Subject::New(participant),
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub(super) async fn edit_page(
    user: CaseworkUser,
    layout: Layout,
    State(app): State<AppState>,
    PathId(id): PathId<PlacementId>,
) -> Result<Response, AppError> {
    let region = user.region;
    let mut conn = app.pool.acquire().await?;
    let placement = scoped_placement(&mut conn, id, Scope::Region(region)).await?;
    let form = PlacementForm::of(&placement);
    render_form(
        &mut conn,
        layout,
        region,
        Subject::Edit(&placement),
        form,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub(super) async fn update(
    user: CaseworkUser,
    layout: Layout,
    session: Session,
    State(app): State<AppState>,
    PathId(id): PathId<PlacementId>,
    Form(form): Form<PlacementForm>,
) -> Result<Response, AppError> {
    let region = user.region;
    let mut conn = app.pool.acquire().await?;
    let placement = scoped_placement(&mut conn, id, Scope::Region(region)).await?;
    let errors = match form.parse(placement.offer_id.is_some()) {
        Ok(input) => {
            let mut tx = conn.begin().await?;
            match placement::update(&mut tx, user.user.id, region, placement.id, &input).await {
                Ok(()) => {
                    tx.commit().await?;
                    return saved(&session, placement.id, "De plaatsing is bijgewerkt.").await;
                }
                Err(error) => placement_problem(error)?,
            }
        }
        Err(errors) => errors,
    };
    render_form(
        &mut conn,
        layout,
        region,
        Subject::Edit(&placement),
        form,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// The form without a criteria check, as for a placement taken from an offer.
    const FROM_OFFER: bool = true;

    fn form() -> PlacementForm {
        PlacementForm {
            organisation_id: "6f1c3c4e-2b8a-4a57-9d3e-0d6f1b2a9c11".into(),
            kind: "buddy".into(),
            starts_on: "01/11/2026".into(),
            ends_on: "2026-12-31".into(),
            planned: "40u".into(),
            contact_name: " Marie Claes ".into(),
            ..PlacementForm::default()
        }
    }

    #[test]
    fn a_complete_form_becomes_an_input() {
        let input = form().parse(FROM_OFFER).unwrap();
        assert_eq!(input.kind, PlacementKind::Buddy);
        assert_eq!(input.planned.get(), 2400);
        assert_eq!(input.period.starts_on(), date!(2026 - 11 - 01));
        assert_eq!(input.period.ends_on(), date!(2026 - 12 - 31));
        assert_eq!(input.contact.name, "Marie Claes");
        assert_eq!(input.contact.email, None);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_name() {
        let bad = PlacementForm {
            organisation_id: "".into(),
            kind: "job".into(),
            starts_on: "31/02/2026".into(),
            ends_on: "morgen".into(),
            planned: "0".into(),
            contact_name: "".into(),
            contact_email: "marie@".into(),
            ..form()
        };
        let errors = bad.parse(FROM_OFFER).unwrap_err();
        let fields: Vec<&str> = errors.all().iter().map(|(field, _)| *field).collect();
        assert_eq!(
            fields,
            [
                fields::ORGANISATION,
                fields::KIND,
                fields::STARTS_ON,
                fields::ENDS_ON,
                fields::PLANNED,
                fields::CONTACT_NAME,
                fields::CONTACT_EMAIL
            ]
        );
    }

    #[test]
    fn the_end_cannot_precede_the_start() {
        let backwards = PlacementForm {
            starts_on: "01/12/2026".into(),
            ends_on: "30/11/2026".into(),
            ..form()
        };
        let errors = backwards.parse(FROM_OFFER).unwrap_err();
        let errors = errors.all();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, fields::ENDS_ON);
        assert_eq!(errors[0].1, PlacementError::EndBeforeStart.to_string());
    }

    #[test]
    fn a_partner_user_can_stand_in_for_the_contact_name() {
        let with_user = PlacementForm {
            contact_user_id: "0b0e7c56-7a0d-4d1c-8f1e-2a3b4c5d6e7f".into(),
            contact_name: "".into(),
            ..form()
        };
        let input = with_user.parse(FROM_OFFER).unwrap();
        assert!(input.contact.user_id.is_some());
        assert_eq!(input.contact.name, "");
    }
}
