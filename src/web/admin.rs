//! Administration for the beheerder: the admin home, user accounts (list, create, change role,
//! region or organisation, deactivate and reactivate, new password) and regions with their
//! municipalities (names and which border each other) and settings. Every handler takes
//! `AdminUser`; every change is audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sqlx::PgConnection;
use tower_sessions::Session;
use uuid::Uuid;

use super::forms::{FieldErrors, Paging};
use super::layout::Layout;
use super::session::{self, AdminUser, FlashKind};
use crate::domain::admin::{
    self, MunicipalityRow, NeighbourChoice, NeighbourError, PlaceName, Region, RegionCode,
    RegionInput, RegionRow, SaveMunicipalityError, SaveRegionError, SaveUserError, UserChanges,
    UserDetail, UserRow,
};
use crate::domain::user::{Email, NewPassword, NewUser, PersonName, Role};
use crate::error::AppError;
use crate::values::dates::format_moment;
use crate::values::duration::format_minutes;
use crate::values::ids::{MunicipalityId, OrganisationId, RegionId, UserId};
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer", get(home))
        .route("/beheer/gebruikers", get(users))
        .route(
            "/beheer/gebruikers/nieuw",
            get(new_user_form).post(create_user),
        )
        .route(
            "/beheer/gebruikers/{id}",
            get(edit_user_form).post(update_user),
        )
        .route("/beheer/gebruikers/{id}/deactiveren", post(deactivate_user))
        .route("/beheer/gebruikers/{id}/activeren", post(activate_user))
        .route("/beheer/gebruikers/{id}/wachtwoord", post(reset_password))
        .route("/beheer/regios", get(regions))
        .route(
            "/beheer/regios/nieuw",
            get(new_region_form).post(create_region),
        )
        .route(
            "/beheer/regios/{id}",
            get(edit_region_form).post(update_region),
        )
        .route("/beheer/regios/{id}/gemeenten", post(add_municipality))
        .route(
            "/beheer/regios/{id}/gemeenten/{municipality}",
            post(rename_municipality),
        )
        .route(
            "/beheer/regios/{id}/gemeenten/{municipality}/buren",
            get(neighbours_form).post(save_neighbours),
        )
}

/// Options for a `<select>`: (value, label).
type Options = Vec<(String, String)>;

/// An id in the path; anything that is not an id names a page that does not exist.
struct IdPath(Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        id.parse().map(Self).map_err(|_| AppError::NotFound)
    }
}

/// A region id and a municipality id in the path.
struct MunicipalityPath(RegionId, MunicipalityId);

impl<S: Send + Sync> FromRequestParts<S> for MunicipalityPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path((region, municipality)) =
            Path::<(String, String)>::from_request_parts(parts, state)
                .await
                .map_err(|_| AppError::NotFound)?;
        let region = region
            .parse()
            .map(RegionId)
            .map_err(|_| AppError::NotFound)?;
        let municipality = municipality
            .parse()
            .map(MunicipalityId)
            .map_err(|_| AppError::NotFound)?;
        Ok(Self(region, municipality))
    }
}

fn role_code(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Coordinator => "coordinator",
        Role::Coach => "coach",
        Role::Partner => "partner",
    }
}

// ---------------------------------------------------------------------------------------------
// Home

#[derive(Template, WebTemplate)]
#[template(path = "admin/home.html")]
struct HomePage {
    layout: Layout,
    by_role: Vec<(Role, i64)>,
    regions: Vec<RegionRow>,
}

impl HomePage {
    fn hours(&self, minutes: &i32) -> String {
        format_minutes(i64::from(*minutes))
    }
}

async fn home(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<HomePage, AppError> {
    let mut conn = app.pool.acquire().await?;
    Ok(HomePage {
        layout,
        by_role: admin::active_users_by_role(&mut conn).await?,
        regions: admin::regions(&mut conn).await?,
    })
}

// ---------------------------------------------------------------------------------------------
// Users: list

#[derive(Deserialize, Default)]
#[serde(default)]
struct UsersQuery {
    q: String,
    pagina: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    rows: Vec<UserRow>,
    q: String,
    page: i64,
    has_next: bool,
    query: String,
}

async fn users(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<UsersQuery>,
) -> Result<UsersPage, AppError> {
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let mut rows = admin::users(&mut conn, &query.q, paging.offset(), paging.limit()).await?;
    let has_next = paging.trim(&mut rows);
    Ok(UsersPage {
        layout,
        rows,
        page: paging.number,
        has_next,
        query: serde_urlencoded::to_string([("q", query.q.trim())]).unwrap_or_default(),
        q: query.q,
    })
}

// ---------------------------------------------------------------------------------------------
// Users: create and edit

/// The user form as typed. `password` only on the create form: empty means "make one up".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct UserForm {
    name: String,
    email: String,
    role: String,
    region_id: String,
    organisation_id: String,
    password: String,
}

struct Choices {
    regions: Vec<(RegionId, String)>,
    organisations: Vec<(OrganisationId, String)>,
}

impl Choices {
    async fn load(conn: &mut PgConnection) -> Result<Self, AppError> {
        Ok(Self {
            regions: admin::regions(conn)
                .await?
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect(),
            organisations: admin::organisation_options(conn).await?,
        })
    }

    fn region_options(&self) -> Options {
        std::iter::once((String::new(), "Geen regio".to_string()))
            .chain(
                self.regions
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.clone())),
            )
            .collect()
    }

    fn organisation_options(&self) -> Options {
        std::iter::once((String::new(), "Geen organisatie".to_string()))
            .chain(
                self.organisations
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.clone())),
            )
            .collect()
    }
}

/// The form's fields, parsed; the region only for staff, the organisation only for partners.
struct ParsedUser {
    changes: UserChanges,
    /// `None`: generate one (create form only).
    password: Option<NewPassword>,
}

fn parse_user(
    form: &UserForm,
    choices: &Choices,
    with_password: bool,
) -> Result<ParsedUser, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", PersonName::parse(&form.name));
    let email = errors.check("email", Email::parse(&form.email));
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.add("role", "Kies een rol.");
    }
    let region = match form.region_id.trim() {
        "" => None,
        typed => {
            let found = choices
                .regions
                .iter()
                .find(|(id, _)| id.to_string() == typed);
            if found.is_none() {
                errors.add("region_id", SaveUserError::UnknownRegion);
            }
            found.map(|(id, _)| *id)
        }
    };
    let organisation = match form.organisation_id.trim() {
        "" => None,
        typed => {
            let found = choices
                .organisations
                .iter()
                .find(|(id, _)| id.to_string() == typed);
            if found.is_none() {
                errors.add("organisation_id", SaveUserError::UnknownOrganisation);
            }
            found.map(|(id, _)| *id)
        }
    };
    let (region, organisation) = match role {
        Some(Role::Coach | Role::Coordinator) => {
            if region.is_none() && errors.get("region_id").is_none() {
                errors.add("region_id", SaveUserError::StaffNeedsRegion);
            }
            (region, None)
        }
        Some(Role::Partner) => {
            if organisation.is_none() && errors.get("organisation_id").is_none() {
                errors.add("organisation_id", SaveUserError::PartnerNeedsOrganisation);
            }
            (None, organisation)
        }
        _ => (None, None),
    };
    let password = if with_password && !form.password.is_empty() {
        errors.check("password", NewPassword::parse(&form.password))
    } else {
        None
    };
    match (name, email, role) {
        (Some(name), Some(email), Some(role)) if errors.is_empty() => Ok(ParsedUser {
            changes: UserChanges {
                name,
                email,
                role,
                region_id: region,
                organisation_id: organisation,
            },
            password,
        }),
        _ => Err(errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_form.html")]
struct UserFormPage {
    layout: Layout,
    /// `None` when creating.
    user: Option<UserDetail>,
    form: UserForm,
    errors: FieldErrors,
    role_options: Options,
    region_options: Options,
    organisation_options: Options,
    is_self: bool,
}

impl UserFormPage {
    fn moment(&self, at: &time::OffsetDateTime) -> String {
        format_moment(*at)
    }

    fn role_label(&self, role: &Role) -> &'static str {
        role.label()
    }
}

fn role_options() -> Options {
    std::iter::once((String::new(), "Kies een rol".to_string()))
        .chain(
            Role::ALL
                .into_iter()
                .map(|role| (role_code(role).to_string(), role.label().to_string())),
        )
        .collect()
}

fn form_page(
    layout: Layout,
    user: Option<UserDetail>,
    form: UserForm,
    errors: FieldErrors,
    choices: &Choices,
    is_self: bool,
) -> UserFormPage {
    UserFormPage {
        layout,
        user,
        form,
        errors,
        role_options: role_options(),
        region_options: choices.region_options(),
        organisation_options: choices.organisation_options(),
        is_self,
    }
}

async fn new_user_form(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<UserFormPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    let choices = Choices::load(&mut conn).await?;
    Ok(form_page(
        layout,
        None,
        UserForm::default(),
        FieldErrors::default(),
        &choices,
        false,
    ))
}

/// The one time a new password is shown: the response to the POST itself, never stored in the
/// session or a flash message.
#[derive(Template, WebTemplate)]
#[template(path = "admin/password.html")]
struct PasswordPage {
    layout: Layout,
    user_id: UserId,
    name: String,
    email: String,
    password: String,
    created: bool,
}

fn refused(errors: FieldErrors, error: SaveUserError) -> Result<FieldErrors, AppError> {
    let mut errors = errors;
    match error.field() {
        Some(field) => {
            errors.add(field, &error);
            Ok(errors)
        }
        None => match error {
            SaveUserError::Database(error) => Err(error.into()),
            _ => Err(AppError::Internal("a user error without a field")),
        },
    }
}

async fn create_user(
    AdminUser {
        user: admin_user, ..
    }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    Form(form): Form<UserForm>,
) -> Result<Response, AppError> {
    let mut tx = app.pool.begin().await?;
    let choices = Choices::load(&mut tx).await?;
    let parsed = match parse_user(&form, &choices, true) {
        Ok(parsed) => parsed,
        Err(errors) => {
            let page = form_page(layout, None, form, errors, &choices, false);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let (shown, password) = match parsed.password {
        Some(password) => (None, password),
        None => {
            let (text, password) = NewPassword::generate();
            (Some(text), password)
        }
    };
    let changes = parsed.changes;
    let (name, email) = (
        changes.name.as_str().to_string(),
        changes.email.as_str().to_string(),
    );
    let created = admin::create_user(
        &mut tx,
        admin_user.id,
        NewUser {
            email: changes.email,
            name: changes.name,
            role: changes.role,
            password,
            region_id: changes.region_id,
            organisation_id: changes.organisation_id,
        },
    )
    .await;
    let id = match created {
        Ok(id) => id,
        Err(error) => {
            drop(tx);
            let errors = refused(FieldErrors::default(), error)?;
            let page = form_page(
                layout,
                None,
                UserForm {
                    password: String::new(),
                    ..form
                },
                errors,
                &choices,
                false,
            );
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    tx.commit().await?;
    match shown {
        Some(password) => Ok(PasswordPage {
            layout,
            user_id: id,
            name,
            email,
            password,
            created: true,
        }
        .into_response()),
        None => {
            session::flash(
                &session,
                FlashKind::Success,
                format!("Het account van {name} is aangemaakt."),
            )
            .await?;
            Ok(Redirect::to(&format!("/beheer/gebruikers/{id}")).into_response())
        }
    }
}

async fn edit_user_form(
    AdminUser {
        user: admin_user, ..
    }: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
    IdPath(id): IdPath,
) -> Result<UserFormPage, AppError> {
    let id = UserId(id);
    let mut conn = app.pool.acquire().await?;
    let user = admin::user(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let choices = Choices::load(&mut conn).await?;
    let form = UserForm {
        name: user.name.clone(),
        email: user.email.clone(),
        role: role_code(user.role).to_string(),
        region_id: user.region_id.map(|r| r.to_string()).unwrap_or_default(),
        organisation_id: user
            .organisation_id
            .map(|o| o.to_string())
            .unwrap_or_default(),
        password: String::new(),
    };
    Ok(form_page(
        layout,
        Some(user),
        form,
        FieldErrors::default(),
        &choices,
        admin_user.id == id,
    ))
}

async fn update_user(
    AdminUser {
        user: admin_user, ..
    }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    IdPath(id): IdPath,
    Form(form): Form<UserForm>,
) -> Result<Response, AppError> {
    let id = UserId(id);
    let is_self = admin_user.id == id;
    let mut tx = app.pool.begin().await?;
    let user = admin::user(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let choices = Choices::load(&mut tx).await?;
    let mut parsed = parse_user(&form, &choices, false);
    // A beheerder cannot take away their own access.
    if is_self
        && let Ok(p) = &parsed
        && p.changes.role != Role::Admin
    {
        let mut errors = FieldErrors::default();
        errors.add("role", "U kunt uw eigen rol van beheerder niet afnemen.");
        parsed = Err(errors);
    }
    let changes = match parsed {
        Ok(parsed) => parsed.changes,
        Err(errors) => {
            let page = form_page(layout, Some(user), form, errors, &choices, is_self);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match admin::update_user(&mut tx, admin_user.id, id, &changes).await {
        Ok(Some(())) => {}
        Ok(None) => return Err(AppError::NotFound),
        Err(error) => {
            drop(tx);
            let errors = refused(FieldErrors::default(), error)?;
            let page = form_page(layout, Some(user), form, errors, &choices, is_self);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    }
    tx.commit().await?;
    session::flash(&session, FlashKind::Success, "De gebruiker is bewaard.").await?;
    Ok(Redirect::to(&format!("/beheer/gebruikers/{id}")).into_response())
}

async fn deactivate_user(
    admin_user: AdminUser,
    State(app): State<AppState>,
    session: Session,
    IdPath(id): IdPath,
) -> Result<Redirect, AppError> {
    set_active(admin_user, app, session, UserId(id), false).await
}

async fn activate_user(
    admin_user: AdminUser,
    State(app): State<AppState>,
    session: Session,
    IdPath(id): IdPath,
) -> Result<Redirect, AppError> {
    set_active(admin_user, app, session, UserId(id), true).await
}

async fn set_active(
    AdminUser {
        user: admin_user, ..
    }: AdminUser,
    app: AppState,
    session: Session,
    id: UserId,
    active: bool,
) -> Result<Redirect, AppError> {
    let target = format!("/beheer/gebruikers/{id}");
    if !active && admin_user.id == id {
        session::flash(
            &session,
            FlashKind::Error,
            "U kunt uw eigen account niet deactiveren.",
        )
        .await?;
        return Ok(Redirect::to(&target));
    }
    let mut tx = app.pool.begin().await?;
    admin::set_active(&mut tx, admin_user.id, id, active)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let message = if active {
        "Het account is weer actief."
    } else {
        "Het account is gedeactiveerd: deze gebruiker kan niet meer aanmelden."
    };
    session::flash(&session, FlashKind::Success, message).await?;
    Ok(Redirect::to(&target))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    password: String,
}

/// A new password: the one typed, or one made up and shown once.
async fn reset_password(
    AdminUser {
        user: admin_user, ..
    }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    IdPath(id): IdPath,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let id = UserId(id);
    let mut tx = app.pool.begin().await?;
    let user = admin::user(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let (shown, password) = if form.password.is_empty() {
        let (text, password) = NewPassword::generate();
        (Some(text), password)
    } else {
        match NewPassword::parse(&form.password) {
            Ok(password) => (None, password),
            Err(error) => {
                let choices = Choices::load(&mut tx).await?;
                let mut errors = FieldErrors::default();
                errors.add("password", error);
                let user_form = UserForm {
                    name: user.name.clone(),
                    email: user.email.clone(),
                    role: role_code(user.role).to_string(),
                    region_id: user.region_id.map(|r| r.to_string()).unwrap_or_default(),
                    organisation_id: user
                        .organisation_id
                        .map(|o| o.to_string())
                        .unwrap_or_default(),
                    password: String::new(),
                };
                let page = form_page(
                    layout,
                    Some(user),
                    user_form,
                    errors,
                    &choices,
                    admin_user.id == id,
                );
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        }
    };
    admin::set_password(&mut tx, admin_user.id, id, password)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    match shown {
        Some(password) => Ok(PasswordPage {
            layout,
            user_id: id,
            name: user.name,
            email: user.email,
            password,
            created: false,
        }
        .into_response()),
        None => {
            session::flash(
                &session,
                FlashKind::Success,
                "Het nieuwe wachtwoord is ingesteld.",
            )
            .await?;
            Ok(Redirect::to(&format!("/beheer/gebruikers/{id}")).into_response())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Regions and municipalities

#[derive(Template, WebTemplate)]
#[template(path = "admin/regions.html")]
struct RegionsPage {
    layout: Layout,
    rows: Vec<RegionRow>,
}

impl RegionsPage {
    fn hours(&self, minutes: &i32) -> String {
        format_minutes(i64::from(*minutes))
    }
}

async fn regions(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<RegionsPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    Ok(RegionsPage {
        layout,
        rows: admin::regions(&mut conn).await?,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct RegionForm {
    code: String,
    name: String,
    required_hours: String,
    trajectory_months: String,
}

impl RegionForm {
    fn of(region: &Region) -> Self {
        let minutes = region.required_minutes;
        let hours = if minutes % 60 == 0 {
            (minutes / 60).to_string()
        } else {
            format!("{},{:02}", minutes / 60, (minutes % 60) * 100 / 60)
        };
        Self {
            code: region.code.clone(),
            name: region.name.clone(),
            required_hours: hours,
            trajectory_months: region.trajectory_months.to_string(),
        }
    }

    fn parse(&self) -> Result<RegionInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = errors.check("code", RegionCode::parse(&self.code));
        let name = errors.check("name", PlaceName::parse(&self.name));
        let required = errors.check(
            "required_hours",
            admin::parse_required_hours(&self.required_hours),
        );
        let months = errors.check(
            "trajectory_months",
            admin::parse_trajectory_months(&self.trajectory_months),
        );
        match (code, name, required, months) {
            (Some(code), Some(name), Some(required_minutes), Some(trajectory_months)) => {
                Ok(RegionInput {
                    code,
                    name,
                    required_minutes,
                    trajectory_months,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A municipality form that went wrong: which one (`None`: the add form), what was typed, why.
struct MunicipalityProblem {
    target: Option<MunicipalityId>,
    typed: String,
    message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/region_form.html")]
struct RegionPage {
    layout: Layout,
    /// `None` when creating.
    region: Option<Region>,
    form: RegionForm,
    errors: FieldErrors,
    municipalities: Vec<MunicipalityRow>,
    problem: Option<MunicipalityProblem>,
}

impl RegionPage {
    fn problem_for(&self, id: &MunicipalityId) -> Option<&MunicipalityProblem> {
        self.problem
            .as_ref()
            .filter(|p| p.target.as_ref() == Some(id))
    }

    fn add_problem(&self) -> Option<&MunicipalityProblem> {
        self.problem.as_ref().filter(|p| p.target.is_none())
    }
}

async fn new_region_form(_admin: AdminUser, layout: Layout) -> RegionPage {
    RegionPage {
        layout,
        region: None,
        form: RegionForm {
            required_hours: "40".into(),
            trajectory_months: "12".into(),
            ..Default::default()
        },
        errors: FieldErrors::default(),
        municipalities: Vec::new(),
        problem: None,
    }
}

fn region_refused(
    mut errors: FieldErrors,
    error: SaveRegionError,
) -> Result<FieldErrors, AppError> {
    match (error.field(), error) {
        (_, SaveRegionError::Database(error)) => Err(error.into()),
        (Some(field), error) => {
            errors.add(field, error);
            Ok(errors)
        }
        (None, _) => Err(AppError::Internal("a region error without a field")),
    }
}

async fn create_region(
    AdminUser { user, .. }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    Form(form): Form<RegionForm>,
) -> Result<Response, AppError> {
    let rerender = |layout, form, errors| {
        let page = RegionPage {
            layout,
            region: None,
            form,
            errors,
            municipalities: Vec::new(),
            problem: None,
        };
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return Ok(rerender(layout, form, errors)),
    };
    let mut tx = app.pool.begin().await?;
    let id = match admin::create_region(&mut tx, user.id, &input).await {
        Ok(id) => id,
        Err(error) => {
            drop(tx);
            let errors = region_refused(FieldErrors::default(), error)?;
            return Ok(rerender(layout, form, errors));
        }
    };
    tx.commit().await?;
    session::flash(
        &session,
        FlashKind::Success,
        format!(
            "De regio {} is aangemaakt. Voeg nu haar gemeenten toe.",
            input.name.as_str()
        ),
    )
    .await?;
    Ok(Redirect::to(&format!("/beheer/regios/{id}")).into_response())
}

async fn region_page(
    conn: &mut PgConnection,
    layout: Layout,
    id: RegionId,
    form: Option<RegionForm>,
    errors: FieldErrors,
    problem: Option<MunicipalityProblem>,
) -> Result<RegionPage, AppError> {
    let region = admin::region(conn, id).await?.ok_or(AppError::NotFound)?;
    Ok(RegionPage {
        layout,
        form: form.unwrap_or_else(|| RegionForm::of(&region)),
        region: Some(region),
        errors,
        municipalities: admin::municipalities(conn, id).await?,
        problem,
    })
}

async fn edit_region_form(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
    IdPath(id): IdPath,
) -> Result<RegionPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    region_page(
        &mut conn,
        layout,
        RegionId(id),
        None,
        FieldErrors::default(),
        None,
    )
    .await
}

async fn update_region(
    AdminUser { user, .. }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    IdPath(id): IdPath,
    Form(form): Form<RegionForm>,
) -> Result<Response, AppError> {
    let id = RegionId(id);
    let mut tx = app.pool.begin().await?;
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => {
            let page = region_page(&mut tx, layout, id, Some(form), errors, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match admin::update_region(&mut tx, user.id, id, &input).await {
        Ok(Some(())) => {}
        Ok(None) => return Err(AppError::NotFound),
        Err(error) => {
            drop(tx);
            let errors = region_refused(FieldErrors::default(), error)?;
            let mut conn = app.pool.acquire().await?;
            let page = region_page(&mut conn, layout, id, Some(form), errors, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    }
    tx.commit().await?;
    session::flash(&session, FlashKind::Success, "De regio is bewaard.").await?;
    Ok(Redirect::to(&format!("/beheer/regios/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MunicipalityForm {
    name: String,
}

async fn add_municipality(
    AdminUser { user, .. }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    IdPath(id): IdPath,
    Form(form): Form<MunicipalityForm>,
) -> Result<Response, AppError> {
    let region = RegionId(id);
    save_municipality(&app, &session, layout, user.id, region, None, form.name).await
}

async fn rename_municipality(
    AdminUser { user, .. }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    MunicipalityPath(region, municipality): MunicipalityPath,
    Form(form): Form<MunicipalityForm>,
) -> Result<Response, AppError> {
    save_municipality(
        &app,
        &session,
        layout,
        user.id,
        region,
        Some(municipality),
        form.name,
    )
    .await
}

async fn save_municipality(
    app: &AppState,
    session: &Session,
    layout: Layout,
    actor: UserId,
    region: RegionId,
    target: Option<MunicipalityId>,
    typed: String,
) -> Result<Response, AppError> {
    let mut tx = app.pool.begin().await?;
    admin::region(&mut tx, region)
        .await?
        .ok_or(AppError::NotFound)?;
    let problem = |message: String| MunicipalityProblem {
        target,
        typed: typed.clone(),
        message,
    };
    let outcome = match PlaceName::parse(&typed) {
        Err(error) => Err(problem(error.to_string())),
        Ok(name) => {
            let saved = match target {
                None => admin::add_municipality(&mut tx, actor, region, &name)
                    .await
                    .map(Some),
                Some(id) => admin::rename_municipality(&mut tx, actor, region, id, &name)
                    .await
                    .map(|done| done.map(|()| id)),
            };
            match saved {
                Ok(Some(_)) => Ok(name),
                Ok(None) => return Err(AppError::NotFound),
                Err(SaveMunicipalityError::Database(error)) => return Err(error.into()),
                Err(error @ SaveMunicipalityError::NameTaken) => Err(problem(error.to_string())),
            }
        }
    };
    match outcome {
        Ok(name) => {
            tx.commit().await?;
            let message = match target {
                None => format!("{} is toegevoegd.", name.as_str()),
                Some(_) => format!("De gemeente heet nu {}.", name.as_str()),
            };
            session::flash(session, FlashKind::Success, message).await?;
            Ok(Redirect::to(&format!("/beheer/regios/{region}#gemeenten")).into_response())
        }
        Err(problem) => {
            drop(tx);
            let mut conn = app.pool.acquire().await?;
            let page = region_page(
                &mut conn,
                layout,
                region,
                None,
                FieldErrors::default(),
                Some(problem),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Neighbouring municipalities

#[derive(Template, WebTemplate)]
#[template(path = "admin/neighbours.html")]
struct NeighboursPage {
    layout: Layout,
    region: RegionId,
    municipality: MunicipalityId,
    name: String,
    choices: Vec<NeighbourChoice>,
    error: Option<String>,
}

/// The checkbox of each municipality is named `buur-{id}`.
const NEIGHBOUR_FIELD: &str = "buur-";

impl NeighboursPage {
    fn boxes(&self) -> Vec<(String, String, bool)> {
        self.choices
            .iter()
            .map(|c| {
                (
                    format!("{NEIGHBOUR_FIELD}{}", c.id),
                    c.name.clone(),
                    c.neighbour,
                )
            })
            .collect()
    }
}

async fn neighbours_page(
    conn: &mut PgConnection,
    layout: Layout,
    region: RegionId,
    municipality: MunicipalityId,
) -> Result<NeighboursPage, AppError> {
    let (name, choices) = admin::neighbour_choices(conn, region, municipality)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(NeighboursPage {
        layout,
        region,
        municipality,
        name,
        choices,
        error: None,
    })
}

async fn neighbours_form(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
    MunicipalityPath(region, municipality): MunicipalityPath,
) -> Result<NeighboursPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    neighbours_page(&mut conn, layout, region, municipality).await
}

/// Each ticked checkbox arrives as a field `buur-{id}`.
async fn save_neighbours(
    AdminUser { user, .. }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    MunicipalityPath(region, municipality): MunicipalityPath,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let ticked: Vec<&str> = fields
        .iter()
        .filter_map(|(name, _)| name.strip_prefix(NEIGHBOUR_FIELD))
        .collect();
    let chosen: Option<Vec<MunicipalityId>> = ticked
        .iter()
        .map(|value| value.parse::<Uuid>().ok().map(MunicipalityId))
        .collect();
    let mut tx = app.pool.begin().await?;
    let saved = match &chosen {
        None => Err(NeighbourError::NotInRegion),
        Some(chosen) => admin::set_neighbours(&mut tx, user.id, region, municipality, chosen).await,
    };
    match saved {
        Ok(Some(())) => {
            tx.commit().await?;
            let count = chosen.map_or(0, |c| c.len());
            let message = match count {
                0 => "De gemeente heeft nu geen buurgemeenten.".to_string(),
                1 => "De gemeente heeft nu 1 buurgemeente.".to_string(),
                n => format!("De gemeente heeft nu {n} buurgemeenten."),
            };
            session::flash(&session, FlashKind::Success, message).await?;
            Ok(Redirect::to(&format!("/beheer/regios/{region}#gemeenten")).into_response())
        }
        Ok(None) => Err(AppError::NotFound),
        Err(NeighbourError::Database(error)) => Err(error.into()),
        Err(error @ NeighbourError::NotInRegion) => {
            drop(tx);
            let mut conn = app.pool.acquire().await?;
            let mut page = neighbours_page(&mut conn, layout, region, municipality).await?;
            // What was ticked stays ticked.
            for choice in &mut page.choices {
                choice.neighbour = ticked.contains(&choice.id.to_string().as_str());
            }
            page.error = Some(error.to_string());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
