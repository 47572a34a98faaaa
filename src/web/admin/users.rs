//! The beheerder's user accounts: list, create, change role, region or organisation, deactivate
//! and reactivate, new password.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sqlx::PgConnection;
use tower_sessions::Session;

use super::Options;
use crate::domain::user::{
    self, Email, NewPassword, NewUser, PersonName, Role, SaveUserError, UserChanges, UserDetail,
    UserRow,
};
use crate::domain::{organisation, region, second_factor};
use crate::error::AppError;
use crate::values::dates::format_moment;
use crate::values::ids::{OrganisationId, RegionId, UserId};
use crate::web::forms::{FieldErrors, Paging, PathId, invalid};
use crate::web::layout::Layout;
use crate::web::session::{self, AdminUser, FlashKind};
use crate::web::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
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
        .route(
            "/beheer/gebruikers/{id}/tweede-factor-wissen",
            post(reset_second_factor),
        )
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
// List

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
    let mut rows = user::list(&mut conn, &query.q, paging.offset(), paging.limit()).await?;
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
// Create and edit

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

impl UserForm {
    /// The edit form of `user` as it is saved.
    fn of(user: &UserDetail) -> Self {
        Self {
            name: user.name.clone(),
            email: user.email.clone(),
            role: role_code(user.role).to_string(),
            region_id: user.region_id.map(|r| r.to_string()).unwrap_or_default(),
            organisation_id: user
                .organisation_id
                .map(|o| o.to_string())
                .unwrap_or_default(),
            password: String::new(),
        }
    }
}

/// `none` first, for leaving the choice empty, then `items`.
fn options<T: ToString>(none: &str, items: &[(T, String)]) -> Options {
    std::iter::once((String::new(), none.to_string()))
        .chain(
            items
                .iter()
                .map(|(id, name)| (id.to_string(), name.clone())),
        )
        .collect()
}

struct Choices {
    regions: Vec<(RegionId, String)>,
    organisations: Vec<(OrganisationId, String)>,
}

impl Choices {
    async fn load(conn: &mut PgConnection) -> Result<Self, AppError> {
        Ok(Self {
            regions: region::list(conn)
                .await?
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect(),
            organisations: organisation::all_with_region(conn).await?,
        })
    }

    fn region_options(&self) -> Options {
        options("Geen regio", &self.regions)
    }

    fn organisation_options(&self) -> Options {
        options("Geen organisatie", &self.organisations)
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
    let field = match error {
        SaveUserError::EmailTaken => "email",
        SaveUserError::PartnerNeedsOrganisation | SaveUserError::UnknownOrganisation => {
            "organisation_id"
        }
        SaveUserError::StaffNeedsRegion | SaveUserError::UnknownRegion => "region_id",
        SaveUserError::Database(error) => return Err(error.into()),
    };
    errors.add(field, error);
    Ok(errors)
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
            return Ok(invalid(page));
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
    let created = user::create(
        &mut tx,
        Some(admin_user.id),
        NewUser {
            email: changes.email,
            name: changes.name,
            role: changes.role,
            password,
            region_id: changes.region_id,
            organisation_id: changes.organisation_id,
        },
    )
    .await
    .map_err(SaveUserError::from);
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
            return Ok(invalid(page));
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
    PathId(id): PathId<UserId>,
) -> Result<UserFormPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    let user = user::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let choices = Choices::load(&mut conn).await?;
    let form = UserForm::of(&user);
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
    PathId(id): PathId<UserId>,
    Form(form): Form<UserForm>,
) -> Result<Response, AppError> {
    let is_self = admin_user.id == id;
    let mut tx = app.pool.begin().await?;
    let user = user::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
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
            return Ok(invalid(page));
        }
    };
    match user::update(&mut tx, admin_user.id, id, &changes).await {
        Ok(Some(())) => {}
        Ok(None) => return Err(AppError::NotFound),
        Err(error) => {
            drop(tx);
            let errors = refused(FieldErrors::default(), error)?;
            let page = form_page(layout, Some(user), form, errors, &choices, is_self);
            return Ok(invalid(page));
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
    PathId(id): PathId<UserId>,
) -> Result<Redirect, AppError> {
    set_active(admin_user, app, session, id, false).await
}

async fn activate_user(
    admin_user: AdminUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<UserId>,
) -> Result<Redirect, AppError> {
    set_active(admin_user, app, session, id, true).await
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
    user::set_active(&mut tx, admin_user.id, id, active)
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

/// For a lost phone without recovery codes: audited, and the user's sessions end.
async fn reset_second_factor(
    AdminUser {
        user: admin_user, ..
    }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    PathId(id): PathId<UserId>,
) -> Result<Redirect, AppError> {
    let mut tx = app.pool.begin().await?;
    let removed = second_factor::reset(&mut tx, admin_user.id, id).await?;
    tx.commit().await?;
    let message = if removed {
        "De tweede factor is gewist. De gebruiker is afgemeld en stelt bij de volgende aanmelding een nieuwe in."
    } else {
        "Deze gebruiker had geen tweede factor."
    };
    session::flash(&session, FlashKind::Success, message).await?;
    Ok(Redirect::to(&format!("/beheer/gebruikers/{id}")))
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
    PathId(id): PathId<UserId>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let mut tx = app.pool.begin().await?;
    let user = user::find(&mut tx, id).await?.ok_or(AppError::NotFound)?;
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
                let user_form = UserForm::of(&user);
                let page = form_page(
                    layout,
                    Some(user),
                    user_form,
                    errors,
                    &choices,
                    admin_user.id == id,
                );
                return Ok(invalid(page));
            }
        }
    };
    user::set_password(&mut tx, admin_user.id, id, password)
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
