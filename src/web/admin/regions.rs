//! The beheerder's regions: their settings, their municipalities (add, rename) and which of
//! those border each other. The region page also shows its logo (uploaded and removed in
//! `logo`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sqlx::PgConnection;
use tower_sessions::Session;
use uuid::Uuid;

use crate::domain::logo::{self, LogoInfo};
use crate::domain::region::{
    self, MunicipalityRow, NeighbourChoice, NeighbourError, PlaceName, Region, RegionCode,
    RegionInput, RegionRow, SaveMunicipalityError, SaveRegionError,
};
use crate::domain::scan::size_text;
use crate::error::AppError;
use crate::values::dates::format_moment;
use crate::values::ids::{MunicipalityId, RegionId, UserId};
use crate::web::forms::{FieldErrors, PathId, invalid, path_id};
use crate::web::layout::Layout;
use crate::web::session::{self, AdminUser, FlashKind};
use crate::web::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
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

/// A region id and a municipality id in the path.
struct MunicipalityPath(RegionId, MunicipalityId);

impl<S: Send + Sync> FromRequestParts<S> for MunicipalityPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path((region, municipality)) =
            Path::<(String, String)>::from_request_parts(parts, state)
                .await
                .map_err(|_| AppError::NotFound)?;
        let region = path_id(&region)?;
        let municipality = path_id(&municipality)?;
        Ok(Self(region, municipality))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/regions.html")]
struct RegionsPage {
    layout: Layout,
    rows: Vec<RegionRow>,
}

async fn regions(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<RegionsPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    Ok(RegionsPage {
        layout,
        rows: region::list(&mut conn).await?,
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
            region::parse_required_hours(&self.required_hours),
        );
        let months = errors.check(
            "trajectory_months",
            region::parse_trajectory_months(&self.trajectory_months),
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
pub(super) struct RegionPage {
    layout: Layout,
    /// `None` when creating.
    region: Option<Region>,
    form: RegionForm,
    /// The region form's errors and the logo's (field `logo`).
    errors: FieldErrors,
    municipalities: Vec<MunicipalityRow>,
    problem: Option<MunicipalityProblem>,
    logo: Option<LogoInfo>,
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

    /// "PNG, 12 kB, opgeladen op 03/12/2026 om 16:40 door An Beheerder".
    fn logo_text(&self, logo: &LogoInfo) -> String {
        let mut text = format!(
            "{}, {}, opgeladen op {}",
            logo.kind_label(),
            size_text(logo.size_bytes),
            format_moment(logo.uploaded_at)
        );
        if let Some(by) = &logo.uploaded_by {
            text.push_str(&format!(" door {by}"));
        }
        text
    }

    /// The form for a region that does not exist yet, and so has no municipalities.
    fn new_region(layout: Layout, form: RegionForm, errors: FieldErrors) -> Self {
        Self {
            layout,
            region: None,
            form,
            errors,
            municipalities: Vec::new(),
            problem: None,
            logo: None,
        }
    }
}

async fn new_region_form(_admin: AdminUser, layout: Layout) -> RegionPage {
    let form = RegionForm {
        required_hours: "40".into(),
        trajectory_months: "12".into(),
        ..Default::default()
    };
    RegionPage::new_region(layout, form, FieldErrors::default())
}

fn region_refused(
    mut errors: FieldErrors,
    error: SaveRegionError,
) -> Result<FieldErrors, AppError> {
    let field = match error {
        SaveRegionError::CodeTaken => "code",
        SaveRegionError::NameTaken => "name",
        SaveRegionError::Database(error) => return Err(error.into()),
    };
    errors.add(field, error);
    Ok(errors)
}

async fn create_region(
    AdminUser { user, .. }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    Form(form): Form<RegionForm>,
) -> Result<Response, AppError> {
    let rerender = |layout, form, errors| invalid(RegionPage::new_region(layout, form, errors));
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => return Ok(rerender(layout, form, errors)),
    };
    let mut tx = app.pool.begin().await?;
    let id = match region::create(&mut tx, user.id, &input).await {
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
    let region = region::find(conn, id).await?.ok_or(AppError::NotFound)?;
    Ok(RegionPage {
        layout,
        form: form.unwrap_or_else(|| RegionForm::of(&region)),
        region: Some(region),
        errors,
        municipalities: region::municipalities(conn, id).await?,
        problem,
        logo: logo::info(conn, id).await?,
    })
}

/// The region's page with the logo form's error (`errors` under `logo`).
pub(super) async fn logo_refused(
    conn: &mut PgConnection,
    layout: Layout,
    id: RegionId,
    errors: FieldErrors,
) -> Result<RegionPage, AppError> {
    region_page(conn, layout, id, None, errors, None).await
}

async fn edit_region_form(
    _admin: AdminUser,
    State(app): State<AppState>,
    layout: Layout,
    PathId(id): PathId<RegionId>,
) -> Result<RegionPage, AppError> {
    let mut conn = app.pool.acquire().await?;
    region_page(&mut conn, layout, id, None, FieldErrors::default(), None).await
}

async fn update_region(
    AdminUser { user, .. }: AdminUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    PathId(id): PathId<RegionId>,
    Form(form): Form<RegionForm>,
) -> Result<Response, AppError> {
    let mut tx = app.pool.begin().await?;
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => {
            let page = region_page(&mut tx, layout, id, Some(form), errors, None).await?;
            return Ok(invalid(page));
        }
    };
    match region::update(&mut tx, user.id, id, &input).await {
        Ok(Some(())) => {}
        Ok(None) => return Err(AppError::NotFound),
        Err(error) => {
            drop(tx);
            let errors = region_refused(FieldErrors::default(), error)?;
            let mut conn = app.pool.acquire().await?;
            let page = region_page(&mut conn, layout, id, Some(form), errors, None).await?;
            return Ok(invalid(page));
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
    PathId(region): PathId<RegionId>,
    Form(form): Form<MunicipalityForm>,
) -> Result<Response, AppError> {
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
    region::find(&mut tx, region)
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
                None => region::add_municipality(&mut tx, actor, region, &name)
                    .await
                    .map(Some),
                Some(id) => region::rename_municipality(&mut tx, actor, region, id, &name)
                    .await
                    .map(|done| done.map(|()| id)),
            };
            match saved {
                Ok(Some(_)) => Ok(name),
                Ok(None) => return Err(AppError::NotFound),
                Err(error @ SaveMunicipalityError::NameTaken) => Err(problem(error.to_string())),
                Err(error) => return Err(error.into()),
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
            Ok(invalid(page))
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
    let (name, choices) = region::neighbour_choices(conn, region, municipality)
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
        Some(chosen) => {
            region::set_neighbours(&mut tx, user.id, region, municipality, chosen).await
        }
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
        Err(error @ NeighbourError::NotInRegion) => {
            drop(tx);
            let mut conn = app.pool.acquire().await?;
            let mut page = neighbours_page(&mut conn, layout, region, municipality).await?;
            // What was ticked stays ticked.
            for choice in &mut page.choices {
                choice.neighbour = ticked.contains(&choice.id.to_string().as_str());
            }
            page.error = Some(error.to_string());
            Ok(invalid(page))
        }
        Err(error) => Err(error.into()),
    }
}
