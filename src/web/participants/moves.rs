//! Taking over an inburgeraar who moved here from another region (`/inburgeraars/overnemen`):
//! for a coördinator into their own region, for the beheerder into any region.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::Options;
use crate::domain::access::{Access, AccessKind};
use crate::domain::organisation::Scope;
use crate::domain::participant::{self, MoveError, MoveInput, MoveReason, parse_birth_date};
use crate::error::AppError;
use crate::values::dates::{self, parse_date};
use crate::values::ids::{MunicipalityId, RegionId};
use crate::web::forms::{FieldErrors, non_blank};
use crate::web::layout::Layout;
use crate::web::session::{self, FlashKind, OrganisationManager};
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/inburgeraars/overnemen", get(form_page).post(take_over))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MoveForm {
    full_name: String,
    birth_date: String,
    dossier: String,
    municipality: String,
    moved_on: String,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/take_over.html")]
struct MovePage {
    layout: Layout,
    form: MoveForm,
    errors: FieldErrors,
    municipalities: Options,
}

fn within(scope: &Scope) -> Option<RegionId> {
    match scope {
        Scope::Region(region) => Some(*region),
        Scope::AllRegions => None,
    }
}

async fn page(
    app: &AppState,
    scope: &Scope,
    layout: Layout,
    form: MoveForm,
    errors: FieldErrors,
) -> Result<MovePage, AppError> {
    let mut conn = app.pool.acquire().await?;
    let municipalities = super::with_empty(
        "Kies een gemeente",
        participant::destinations(&mut conn, within(scope))
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name)),
    );
    Ok(MovePage {
        layout,
        form,
        errors,
        municipalities,
    })
}

async fn form_page(
    OrganisationManager { scope, .. }: OrganisationManager,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<MovePage, AppError> {
    let form = MoveForm {
        moved_on: dates::iso_date(dates::today()),
        ..MoveForm::default()
    };
    page(&app, &scope, layout, form, FieldErrors::default()).await
}

impl MoveForm {
    fn parse(&self, errors: &mut FieldErrors) -> Option<MoveInput> {
        let today = dates::today();
        let full_name = non_blank(&self.full_name).map(str::to_string);
        if full_name.is_none() {
            errors.add(
                "full_name",
                "Vul de naam in zoals op de papieren van de inburgeraar.",
            );
        }
        let birth_date = errors.check("birth_date", parse_birth_date(&self.birth_date, today));
        let municipality = self.municipality.parse::<Uuid>().ok().map(MunicipalityId);
        if municipality.is_none() {
            errors.add(
                "municipality",
                "Kies de gemeente waar de inburgeraar nu woont.",
            );
        }
        let moved_on = errors.check("moved_on", parse_date(&self.moved_on));
        let reason = errors.check("reason", MoveReason::parse(&self.reason));
        Some(MoveInput {
            full_name: full_name?,
            birth_date: birth_date?,
            dossier: non_blank(&self.dossier).map(str::to_string),
            municipality: municipality?,
            moved_on: moved_on?,
            reason: reason?,
        })
    }
}

async fn take_over(
    OrganisationManager { user, scope }: OrganisationManager,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    Form(form): Form<MoveForm>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::default();
    let input = form.parse(&mut errors).filter(|_| errors.is_empty());
    let Some(input) = input else {
        let page = page(&app, &scope, layout, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = app.pool.begin().await?;
    match participant::take_over(&mut tx, user.id, within(&scope), &input, dates::today()).await {
        Ok(id) => {
            Access {
                user: Some(user.id),
                kind: AccessKind::Overname,
                participant: Some(id),
                scan: None,
                path: "/inburgeraars/overnemen",
            }
            .record(&mut tx)
            .await?;
            tx.commit().await?;
            session::flash(
                &session,
                FlashKind::Success,
                "De inburgeraar is overgenomen, met zijn of haar uren en plaatsingen. Wijs een trajectbegeleider toe.",
            )
            .await?;
            Ok(Redirect::to(&format!("/inburgeraars/{id}")).into_response())
        }
        Err(MoveError::Database(error)) => Err(error.into()),
        Err(error) => {
            let field = match error {
                MoveError::ReasonMissing | MoveError::ReasonTooLong => "reason",
                MoveError::Ambiguous => "dossier",
                MoveError::MunicipalityOutsideRegion => "municipality",
                MoveError::MovedInFuture
                | MoveError::BeforeLastMove(_)
                | MoveError::BeforeStart(_) => "moved_on",
                MoveError::NotFound | MoveError::Database(_) => "full_name",
            };
            errors.add(field, error);
            let page = page(&app, &scope, layout, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
