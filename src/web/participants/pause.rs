//! Pausing and resuming a trajectory from the participant page: the two forms as typed, their
//! parse, and the handlers. A refusal shows the participant page again (422) with what was
//! typed and the message next to its field.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::Date;
use tower_sessions::Session;

use super::{ShowPage, scoped_participant};
use crate::domain::participant::{self, ParticipantError, PauseInput, PauseReason};
use crate::error::AppError;
use crate::values::dates::{self, format_date};
use crate::values::ids::ParticipantId;
use crate::web::forms::{FieldErrors, PathId};
use crate::web::layout::Layout;
use crate::web::session::{self, CaseworkUser, FlashKind};
use crate::web::state::AppState;

/// The pause form as typed (its fields share the page with other forms: distinct names).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct PauseForm {
    #[serde(rename = "pause-reason")]
    pub(super) reason: String,
    #[serde(rename = "pause-starts-on")]
    pub(super) starts_on: String,
    #[serde(rename = "pause-note")]
    pub(super) note: String,
}

/// The resume form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ResumeForm {
    #[serde(rename = "resume-on")]
    pub(super) on: String,
}

/// Both forms of the participant page, as shown: fresh, or as typed with their errors.
pub(super) struct PauseForms {
    pub(super) pause: PauseForm,
    pub(super) resume: ResumeForm,
    pub(super) errors: FieldErrors,
}

impl PauseForms {
    /// Both dates default to today.
    pub(super) fn fresh(today: Date) -> Self {
        Self {
            pause: PauseForm {
                starts_on: dates::iso_date(today),
                ..PauseForm::default()
            },
            resume: ResumeForm {
                on: dates::iso_date(today),
            },
            errors: FieldErrors::default(),
        }
    }
}

impl PauseForm {
    fn parse(&self) -> Result<PauseInput, FieldErrors> {
        let mut errors = FieldErrors::default();
        let reason = PauseReason::parse(self.reason.trim());
        if reason.is_none() {
            errors.add("pause-reason", "Kies een reden uit de lijst.");
        }
        let starts_on = errors.check("pause-starts-on", dates::parse_date(&self.starts_on));
        match (reason, starts_on) {
            (Some(reason), Some(starts_on)) => Ok(PauseInput {
                starts_on,
                reason,
                note: self.note.trim().to_string(),
            }),
            _ => Err(errors),
        }
    }
}

/// The field a domain refusal belongs next to; `None` for what is not about the form.
fn field_of(error: &ParticipantError) -> Option<&'static str> {
    match error {
        ParticipantError::NotActive | ParticipantError::AlreadyPaused => Some("pause-reason"),
        ParticipantError::PauseInFuture
        | ParticipantError::PauseBeforeStart
        | ParticipantError::PauseOverlaps(_) => Some("pause-starts-on"),
        ParticipantError::NotPaused
        | ParticipantError::ResumeInFuture
        | ParticipantError::ResumeBeforePause(_)
        | ParticipantError::EndDateOutOfRange => Some("resume-on"),
        ParticipantError::MunicipalityOutsideRegion
        | ParticipantError::CoachOutsideRegion
        | ParticipantError::NotStopped
        | ParticipantError::Database(_) => None,
    }
}

/// The participant page again, 422, with the forms as typed and their errors.
async fn rerender(
    app: &AppState,
    layout: Layout,
    region: crate::values::ids::RegionId,
    id: ParticipantId,
    forms: PauseForms,
) -> Result<Response, AppError> {
    let mut conn = app.pool.acquire().await?;
    // Not a new look at the participant: no access-log row, as before.
    let page = ShowPage::load(&mut conn, layout, region, id, None, forms).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A domain refusal: shown next to its field, or the error it is.
async fn refuse(
    app: &AppState,
    layout: Layout,
    region: crate::values::ids::RegionId,
    id: ParticipantId,
    mut forms: PauseForms,
    error: ParticipantError,
) -> Result<Response, AppError> {
    let Some(field) = field_of(&error) else {
        return Err(error.into());
    };
    forms.errors.add(field, &error);
    rerender(app, layout, region, id, forms).await
}

pub(super) async fn pause(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    PathId(id): PathId<ParticipantId>,
    Form(form): Form<PauseForm>,
) -> Result<Response, AppError> {
    let today = dates::today();
    let mut tx = app.pool.begin().await?;
    // Another region's participant is a 404 before anything about the form.
    scoped_participant(&mut tx, region, id).await?;
    let mut forms = PauseForms::fresh(today);
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => {
            drop(tx);
            forms.pause = form;
            forms.errors = errors;
            return rerender(&app, layout, region, id, forms).await;
        }
    };
    match participant::pause(&mut tx, user.id, region, id, &input, today).await {
        Ok(Some(())) => {}
        Ok(None) => return Err(AppError::NotFound),
        Err(error) => {
            drop(tx);
            forms.pause = form;
            return refuse(&app, layout, region, id, forms, error).await;
        }
    }
    tx.commit().await?;
    let message = format!(
        "Het traject is gepauzeerd sinds {} ({}).",
        format_date(input.starts_on),
        input.reason.label().to_lowercase()
    );
    session::flash(&session, FlashKind::Success, message).await?;
    Ok(Redirect::to(&format!("/inburgeraars/{id}")).into_response())
}

pub(super) async fn resume(
    CaseworkUser { user, region, .. }: CaseworkUser,
    State(app): State<AppState>,
    session: Session,
    layout: Layout,
    PathId(id): PathId<ParticipantId>,
    Form(form): Form<ResumeForm>,
) -> Result<Response, AppError> {
    let today = dates::today();
    let mut tx = app.pool.begin().await?;
    scoped_participant(&mut tx, region, id).await?;
    let mut forms = PauseForms::fresh(today);
    let mut errors = FieldErrors::default();
    let Some(on) = errors.check("resume-on", dates::parse_date(&form.on)) else {
        drop(tx);
        forms.resume = form;
        forms.errors = errors;
        return rerender(&app, layout, region, id, forms).await;
    };
    let days = match participant::resume(&mut tx, user.id, region, id, on, today).await {
        Ok(Some(days)) => days,
        Ok(None) => return Err(AppError::NotFound),
        Err(error) => {
            drop(tx);
            forms.resume = form;
            return refuse(&app, layout, region, id, forms, error).await;
        }
    };
    let end = participant::get(&mut tx, region, id)
        .await?
        .map(|p| p.target_end_date);
    tx.commit().await?;
    let message = match end {
        Some(end) => format!(
            "Het traject is hervat na {days} {} pauze; de einddatum is nu {}.",
            if days == 1 { "dag" } else { "dagen" },
            format_date(end)
        ),
        None => "Het traject is hervat.".to_string(),
    };
    session::flash(&session, FlashKind::Success, message).await?;
    Ok(Redirect::to(&format!("/inburgeraars/{id}")).into_response())
}
