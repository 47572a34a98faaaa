//! Partner organisations: the list with search, the create and edit forms, the organisation's
//! page with its contact persons, and deleting one that never had placements.
//!
//! Coördinatoren (their own region) and beheerders (every region) manage them; the
//! [`OrganisationManager`] extractor says so. Trajectbegeleiders read the list and the pages of
//! their region ([`OrganisationReader`]), without the buttons that change anything. Every query
//! is scoped by [`Scope`], so another region's organisation is a 404.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tower_sessions::Session;

use super::forms::{FieldErrors, OnceForm, Paging, PathId, invalid, repeated};
use super::layout::Layout;
use super::session::{self, FlashKind, OrganisationManager, OrganisationReader};
use crate::domain::organisation::{
    self, ADDRESS_MAX_CHARS, Contact, DESCRIPTION_MAX_CHARS, DeleteError, ListRow,
    MunicipalityOption, NewContact, Organisation, OrganisationInput, OrganisationInputError,
    OrganisationKind, OrganisationName, Phone, RegionOption, SaveError, Scope, StatusFilter,
};
use crate::domain::submission::Claim;
use crate::domain::user::{CreateUserError, Email, PersonName};
use crate::error::AppError;
use crate::values::dates::{brussels_date, format_date};
use crate::values::ids::{OrganisationId, RegionId};
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organisaties", get(list))
        .route("/organisaties/nieuw", get(new_form).post(create))
        .route("/organisaties/{id}", get(show))
        .route("/organisaties/{id}/bewerken", get(edit_form).post(update))
        .route("/organisaties/{id}/verwijderen", post(delete))
        .route("/organisaties/{id}/contactpersonen", post(add_contact))
}

fn show_path(id: OrganisationId) -> String {
    format!("/organisaties/{id}")
}

// --- List ------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    pagina: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "organisations/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ListRow>,
    q: String,
    status: String,
    status_options: Vec<(String, String)>,
    show_region: bool,
    /// Whether the page offers "Nieuwe organisatie" (not to trajectbegeleiders).
    may_change: bool,
    page: i64,
    previous_href: Option<String>,
    next_href: Option<String>,
}

async fn list(
    reader: OrganisationReader,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    let scope = reader.scope;
    let status = StatusFilter::parse(query.status.as_deref());
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let mut rows = organisation::list(
        &mut conn,
        scope,
        &query.q,
        status,
        paging.offset(),
        paging.limit(),
    )
    .await?;
    let more = paging.trim(&mut rows);
    let href = |page: i64| list_href(&query.q, status, page);
    Ok(ListPage {
        layout,
        rows,
        status: status.code().to_string(),
        status_options: [
            (StatusFilter::Active, "Actieve organisaties"),
            (StatusFilter::Inactive, "Niet-actieve organisaties"),
            (StatusFilter::All, "Alle organisaties"),
        ]
        .into_iter()
        .map(|(filter, label)| (filter.code().to_string(), label.to_string()))
        .collect(),
        show_region: scope.spans_regions(),
        may_change: reader.may_change,
        page: paging.number,
        previous_href: (paging.number > 1).then(|| href(paging.number - 1)),
        next_href: more.then(|| href(paging.number + 1)),
        q: query.q,
    })
}

/// The list's address with its search, filter and page; defaults are left out.
fn list_href(q: &str, status: StatusFilter, page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !q.trim().is_empty() {
        pairs.push(("q", q.trim().to_string()));
    }
    if status != StatusFilter::Active {
        pairs.push(("status", status.code().to_string()));
    }
    if page > 1 {
        pairs.push(("pagina", page.to_string()));
    }
    match serde_urlencoded::to_string(&pairs) {
        Ok(query) if !query.is_empty() => format!("/organisaties?{query}"),
        _ => "/organisaties".to_string(),
    }
}

// --- Create and edit -------------------------------------------------------------------------

/// What the organisation form sends, as typed.
#[derive(Debug, Deserialize, Default)]
struct OrganisationForm {
    #[serde(default)]
    region: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    description: String,
    /// The "actief" checkbox: present when ticked. Only the edit form has it.
    #[serde(default)]
    active: Option<String>,
}

impl OrganisationForm {
    fn of(organisation: &Organisation) -> Self {
        Self {
            region: organisation.region_id.to_string(),
            name: organisation.name.clone(),
            kind: organisation.kind.code().to_string(),
            municipality: organisation
                .municipality_id
                .map(|m| m.to_string())
                .unwrap_or_default(),
            address: organisation.address.clone(),
            phone: organisation.phone.clone(),
            email: organisation.email.clone(),
            description: organisation.description.clone(),
            active: organisation.active.then(|| "ja".to_string()),
        }
    }

    /// Every field parsed, or the Dutch message of each field that did not parse, in the
    /// order of the form. `region` is the coördinator's region, the beheerder's choice, or
    /// the region of the organisation being edited.
    fn parse(
        &self,
        region: Result<RegionId, OrganisationInputError>,
        municipalities: &[MunicipalityOption],
        active: bool,
    ) -> Result<OrganisationInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let region_id = errors.check("region", region);
        let name = errors.check("name", OrganisationName::parse(&self.name));
        let kind = errors.check("kind", OrganisationKind::parse(&self.kind));
        let municipality_id = match region_id {
            Some(region) => errors.check(
                "municipality",
                organisation::parse_municipality(&self.municipality, region, municipalities),
            ),
            None => None,
        };
        let address = errors.check(
            "address",
            organisation::parse_text(&self.address, ADDRESS_MAX_CHARS),
        );
        let phone = errors.check("phone", Phone::parse(&self.phone));
        let email = errors.check("email", organisation::parse_optional_email(&self.email));
        let description = errors.check(
            "description",
            organisation::parse_text(&self.description, DESCRIPTION_MAX_CHARS),
        );
        match (
            region_id,
            name,
            kind,
            municipality_id,
            address,
            phone,
            email,
            description,
        ) {
            (
                Some(region_id),
                Some(name),
                Some(kind),
                Some(municipality_id),
                Some(address),
                Some(phone),
                Some(email),
                Some(description),
            ) if errors.is_empty() => Ok(OrganisationInput {
                region_id,
                name,
                kind,
                municipality_id,
                address,
                phone,
                email,
                description,
                active,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "organisations/form.html")]
struct FormPage {
    layout: Layout,
    /// The organisation being edited; `None` on the create form.
    editing: Option<OrganisationId>,
    /// Its name as stored, for the title and the way back.
    stored_name: String,
    form: OrganisationForm,
    errors: FieldErrors,
    /// Only for a beheerder creating an organisation: the region to choose.
    region_options: Option<Vec<(String, String)>>,
    /// The region shown (not chosen) to a coördinator or when editing.
    region_name: String,
    kind_options: Vec<(String, String)>,
    municipality_options: Vec<(String, String)>,
    active: bool,
}

impl FormPage {
    fn action(&self) -> String {
        match self.editing {
            Some(id) => format!("/organisaties/{id}/bewerken"),
            None => "/organisaties/nieuw".to_string(),
        }
    }

    fn cancel_href(&self) -> String {
        match self.editing {
            Some(id) => show_path(id),
            None => "/organisaties".to_string(),
        }
    }
}

fn kind_options() -> Vec<(String, String)> {
    std::iter::once((String::new(), "— Kies een soort —".to_string()))
        .chain(
            OrganisationKind::ALL
                .into_iter()
                .map(|kind| (kind.code().to_string(), kind.label().to_string())),
        )
        .collect()
}

/// Municipality choices; with more than one region each name carries its region.
fn municipality_options(municipalities: &[MunicipalityOption]) -> Vec<(String, String)> {
    let several_regions = municipalities
        .iter()
        .any(|m| Some(m.region_id) != municipalities.first().map(|first| first.region_id));
    std::iter::once((String::new(), "— Geen gemeente gekozen —".to_string()))
        .chain(municipalities.iter().map(|m| {
            let label = if several_regions {
                format!("{} ({})", m.name, m.region_name)
            } else {
                m.name.clone()
            };
            (m.id.to_string(), label)
        }))
        .collect()
}

fn region_options(regions: &[RegionOption]) -> Vec<(String, String)> {
    std::iter::once((String::new(), "— Kies een regio —".to_string()))
        .chain(regions.iter().map(|r| (r.id.to_string(), r.name.clone())))
        .collect()
}

/// What the create form needs to offer: the regions and municipalities of the scope.
struct CreateChoices {
    regions: Vec<RegionOption>,
    municipalities: Vec<MunicipalityOption>,
}

impl CreateChoices {
    async fn load(conn: &mut sqlx::PgConnection, scope: Scope) -> Result<Self, AppError> {
        Ok(Self {
            regions: organisation::regions(conn, scope).await?,
            municipalities: organisation::municipalities(conn, scope, None).await?,
        })
    }

    fn page(
        self,
        layout: Layout,
        scope: Scope,
        form: OrganisationForm,
        errors: FieldErrors,
    ) -> FormPage {
        let (region_options, region_name) = match scope {
            Scope::AllRegions => (Some(region_options(&self.regions)), String::new()),
            Scope::Region(_) => (
                None,
                self.regions
                    .first()
                    .map(|r| r.name.clone())
                    .unwrap_or_default(),
            ),
        };
        FormPage {
            layout,
            editing: None,
            stored_name: String::new(),
            form,
            errors,
            region_options,
            region_name,
            kind_options: kind_options(),
            municipality_options: municipality_options(&self.municipalities),
            active: true,
        }
    }
}

async fn new_form(
    manager: OrganisationManager,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<FormPage, AppError> {
    let scope = manager.scope;
    let mut conn = app.pool.acquire().await?;
    let choices = CreateChoices::load(&mut conn, scope).await?;
    Ok(choices.page(
        layout,
        scope,
        OrganisationForm::default(),
        FieldErrors::default(),
    ))
}

async fn create(
    manager: OrganisationManager,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    once: OnceForm<OrganisationForm>,
) -> Result<Response, AppError> {
    let scope = manager.scope;
    let submission = once.submission(manager.user.id);
    let form = once.form;
    let mut tx = app.pool.begin().await?;
    let choices = CreateChoices::load(&mut tx, scope).await?;
    let region = match scope {
        Scope::Region(region) => Ok(region),
        Scope::AllRegions => organisation::parse_region(&form.region, &choices.regions),
    };
    let input = match form.parse(region, &choices.municipalities, true) {
        Ok(input) => input,
        Err(errors) => return Ok(invalid(choices.page(layout, scope, form, errors))),
    };
    if let Claim::Repeat { location } = submission.claim(&mut tx).await? {
        return repeated(&session, location, "/organisaties").await;
    }
    match organisation::create(&mut tx, manager.user.id, &input).await {
        Ok(id) => {
            submission.complete(&mut tx, &show_path(id)).await?;
            tx.commit().await?;
            session::flash(
                &session,
                FlashKind::Success,
                format!("Organisatie {} is aangemaakt.", input.name.as_str()),
            )
            .await?;
            Ok(Redirect::to(&show_path(id)).into_response())
        }
        Err(SaveError::NameTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("name", SaveError::NameTaken);
            Ok(invalid(choices.page(layout, scope, form, errors)))
        }
        Err(error) => Err(error.into()),
    }
}

/// The edit form of `organisation`, with the municipalities of its region.
fn edit_page(
    layout: Layout,
    organisation: &Organisation,
    municipalities: &[MunicipalityOption],
    form: OrganisationForm,
    errors: FieldErrors,
) -> FormPage {
    let active = form.active.is_some();
    FormPage {
        layout,
        editing: Some(organisation.id),
        stored_name: organisation.name.clone(),
        form,
        errors,
        region_options: None,
        region_name: organisation.region_name.clone(),
        kind_options: kind_options(),
        municipality_options: municipality_options(municipalities),
        active,
    }
}

async fn edit_form(
    manager: OrganisationManager,
    PathId(id): PathId<OrganisationId>,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<FormPage, AppError> {
    let scope = manager.scope;
    let mut conn = app.pool.acquire().await?;
    let organisation = organisation::get(&mut conn, scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let municipalities =
        organisation::municipalities(&mut conn, scope, Some(organisation.region_id)).await?;
    let form = OrganisationForm::of(&organisation);
    Ok(edit_page(
        layout,
        &organisation,
        &municipalities,
        form,
        FieldErrors::default(),
    ))
}

async fn update(
    manager: OrganisationManager,
    PathId(id): PathId<OrganisationId>,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    Form(form): Form<OrganisationForm>,
) -> Result<Response, AppError> {
    let scope = manager.scope;
    let mut tx = app.pool.begin().await?;
    let organisation = organisation::get(&mut tx, scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let municipalities =
        organisation::municipalities(&mut tx, scope, Some(organisation.region_id)).await?;
    let active = form.active.is_some();
    let input = match form.parse(Ok(organisation.region_id), &municipalities, active) {
        Ok(input) => input,
        Err(errors) => {
            return Ok(invalid(edit_page(
                layout,
                &organisation,
                &municipalities,
                form,
                errors,
            )));
        }
    };
    match organisation::update(&mut tx, manager.user.id, scope, id, &input).await {
        Ok(()) => {
            tx.commit().await?;
            let message = match (organisation.active, active) {
                (true, false) => format!(
                    "Organisatie {} is op non-actief gezet.",
                    input.name.as_str()
                ),
                (false, true) => format!("Organisatie {} is weer actief.", input.name.as_str()),
                _ => format!("Organisatie {} is bijgewerkt.", input.name.as_str()),
            };
            session::flash(&session, FlashKind::Success, message).await?;
            Ok(Redirect::to(&show_path(id)).into_response())
        }
        Err(SaveError::NameTaken) => {
            let mut errors = FieldErrors::default();
            errors.add("name", SaveError::NameTaken);
            Ok(invalid(edit_page(
                layout,
                &organisation,
                &municipalities,
                form,
                errors,
            )))
        }
        Err(error) => Err(error.into()),
    }
}

// --- The organisation's page, its contact persons, deleting --------------------------------

/// The "add a contact person" form on the organisation's page.
#[derive(Debug, Deserialize, Default)]
struct ContactForm {
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    contact_phone: String,
}

impl ContactForm {
    fn parse(&self) -> Result<NewContact, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.check("contact_name", PersonName::parse(&self.contact_name));
        let email = errors.check("contact_email", Email::parse(&self.contact_email));
        let phone = errors.check("contact_phone", Phone::parse(&self.contact_phone));
        match (name, email, phone) {
            (Some(name), Some(email), Some(phone)) if errors.is_empty() => {
                Ok(NewContact { name, email, phone })
            }
            _ => Err(errors),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "organisations/show.html")]
struct ShowPage {
    layout: Layout,
    organisation: Organisation,
    contacts: Vec<Contact>,
    contact_form: ContactForm,
    errors: FieldErrors,
    show_region: bool,
    /// Whether the page offers editing, adding contacts and deleting (not to
    /// trajectbegeleiders).
    may_change: bool,
}

impl ShowPage {
    fn created_on(&self) -> String {
        format_date(brussels_date(self.organisation.created_at))
    }

    fn updated_on(&self) -> String {
        format_date(brussels_date(self.organisation.updated_at))
    }
}

/// The organisation's page for someone who may change it: after a refused contact form.
async fn show_page(
    conn: &mut sqlx::PgConnection,
    layout: Layout,
    scope: Scope,
    organisation: Organisation,
    contact_form: ContactForm,
    errors: FieldErrors,
) -> Result<ShowPage, AppError> {
    let contacts = organisation::contacts(conn, organisation.id).await?;
    Ok(ShowPage {
        layout,
        organisation,
        contacts,
        contact_form,
        errors,
        show_region: scope.spans_regions(),
        may_change: true,
    })
}

async fn show(
    reader: OrganisationReader,
    PathId(id): PathId<OrganisationId>,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<ShowPage, AppError> {
    let scope = reader.scope;
    let mut conn = app.pool.acquire().await?;
    let organisation = organisation::get(&mut conn, scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = show_page(
        &mut conn,
        layout,
        scope,
        organisation,
        ContactForm::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(ShowPage {
        may_change: reader.may_change,
        ..page
    })
}

async fn add_contact(
    manager: OrganisationManager,
    PathId(id): PathId<OrganisationId>,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    Form(form): Form<ContactForm>,
) -> Result<Response, AppError> {
    let scope = manager.scope;
    let mut tx = app.pool.begin().await?;
    let organisation = organisation::get(&mut tx, scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = match form.parse() {
        Ok(contact) => contact,
        Err(errors) => {
            let page = show_page(&mut tx, layout, scope, organisation, form, errors).await?;
            return Ok(invalid(page));
        }
    };
    let name = contact.name.as_str().to_string();
    match organisation::add_contact(&mut tx, manager.user.id, id, contact).await {
        Ok(_) => {
            tx.commit().await?;
            session::flash(
                &session,
                FlashKind::Success,
                format!("{name} is toegevoegd als contactpersoon."),
            )
            .await?;
            Ok(Redirect::to(&format!("{}#contactpersonen", show_path(id))).into_response())
        }
        Err(CreateUserError::EmailTaken) => {
            // The failed insert ended the transaction; read the page on a fresh connection.
            drop(tx);
            let mut errors = FieldErrors::default();
            errors.add("contact_email", CreateUserError::EmailTaken);
            let mut conn = app.pool.acquire().await?;
            let page = show_page(&mut conn, layout, scope, organisation, form, errors).await?;
            Ok(invalid(page))
        }
        Err(
            error @ (CreateUserError::PartnerNeedsOrganisation | CreateUserError::StaffNeedsRegion),
        ) => {
            tracing::error!(%error, "contact person refused by a constraint");
            Err(AppError::Internal("contact person refused by a constraint"))
        }
        Err(error) => Err(error.into()),
    }
}

async fn delete(
    manager: OrganisationManager,
    PathId(id): PathId<OrganisationId>,
    State(app): State<AppState>,
    session: Session,
) -> Result<Redirect, AppError> {
    let scope = manager.scope;
    let mut tx = app.pool.begin().await?;
    let organisation = organisation::get(&mut tx, scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    match organisation::delete(&mut tx, manager.user.id, scope, id).await {
        Ok(()) => {
            tx.commit().await?;
            session::flash(
                &session,
                FlashKind::Success,
                format!("Organisatie {} is verwijderd.", organisation.name),
            )
            .await?;
            Ok(Redirect::to("/organisaties"))
        }
        Err(error @ (DeleteError::HasPlacements | DeleteError::InUse)) => {
            drop(tx);
            session::flash(&session, FlashKind::Error, error.to_string()).await?;
            Ok(Redirect::to(&show_path(id)))
        }
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_links_keep_search_and_filter_but_not_defaults() {
        assert_eq!(list_href("", StatusFilter::Active, 1), "/organisaties");
        assert_eq!(
            list_href(" brügse vzw ", StatusFilter::All, 3),
            "/organisaties?q=br%C3%BCgse+vzw&status=alle&pagina=3"
        );
    }
}
