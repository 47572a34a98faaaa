//! Where each role lands after logging in.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::response::Redirect;
use axum::routing::{get, post};
use serde::Deserialize;
use tower_sessions::Session;

use super::layout::{Layout, home_path};
use super::progress::Progress;
use super::session::{self, AnyUser, CoachUser, FlashKind};
use crate::domain::confirmation;
use crate::domain::participant::{self, Attention, CaseloadRow};
use crate::error::AppError;
use crate::values::dates::{self, format_date};
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(start))
        .route("/caseload", get(coach_home))
        .route("/caseload/weekoverzicht", post(set_weekly_digest))
}

async fn start(user: AnyUser) -> Redirect {
    Redirect::to(home_path(user.user.role))
}

/// A caseload line with what it needs, for the coach's home page.
struct CaseloadLine {
    row: CaseloadRow,
    attention: Vec<Attention>,
    progress: Progress,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/coach.html")]
struct CoachHome {
    layout: Layout,
    lines: Vec<CaseloadLine>,
    stalled: usize,
    deadline_near: usize,
    waiting: usize,
    weekly_digest: bool,
    paused: usize,
}

impl CoachHome {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }

    fn attention_text(&self, attention: &Attention) -> &'static str {
        match attention {
            Attention::Stalled => "Stilgevallen: al 30 dagen geen bevestigde uren",
            Attention::DeadlineNear => "Einddatum binnen 60 dagen, uren nog niet rond",
            Attention::WaitingForConfirmation => "Uren wachten op bevestiging",
            Attention::ReportedByInburgeraar => "Uren gemeld door de inburgeraar",
            Attention::Paused => "Gepauzeerd",
            Attention::OnTrack => "Op schema",
        }
    }

    fn attention_class(&self, attention: &Attention) -> &'static str {
        match attention {
            Attention::Stalled => "badge badge-stopgezet",
            Attention::DeadlineNear => "badge badge-afgewezen",
            Attention::WaitingForConfirmation => "badge badge-ingediend",
            Attention::ReportedByInburgeraar => "badge badge-reported",
            Attention::Paused => "badge badge-gepauzeerd",
            Attention::OnTrack => "badge badge-actief",
        }
    }
}

/// The caseload, most in need first: stalled, then deadline near, then waiting for
/// confirmation; within a group the nearest deadline first.
async fn coach_home(
    CoachUser { user, .. }: CoachUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<CoachHome, AppError> {
    let today = dates::today();
    let mut lines: Vec<CaseloadLine> = participant::caseload(&app.pool, user.id)
        .await?
        .into_iter()
        .map(|row| CaseloadLine {
            attention: row.attention(today),
            progress: Progress::new(
                i64::from(row.confirmed_minutes),
                i64::from(row.pending_minutes),
                i64::from(row.required_minutes),
            ),
            row,
        })
        .collect();
    // Stable: rows come ordered by deadline and name.
    lines.sort_by_key(|line| line.attention.first().copied());
    let count = |wanted: Attention| {
        lines
            .iter()
            .filter(|line| line.attention.contains(&wanted))
            .count()
    };
    Ok(CoachHome {
        weekly_digest: user.weekly_digest,
        stalled: count(Attention::Stalled),
        deadline_near: count(Attention::DeadlineNear),
        waiting: count(Attention::WaitingForConfirmation),
        paused: count(Attention::Paused),
        lines,
        layout,
    })
}

#[derive(Deserialize)]
struct WeeklyDigestForm {
    #[serde(default)]
    weekly_digest: String,
}

/// The coach switches their weekly mail on ("aan") or off (anything else: a form cannot send a
/// third meaning, and off is the safe reading of a tampered value).
async fn set_weekly_digest(
    CoachUser { user, .. }: CoachUser,
    State(app): State<AppState>,
    session: Session,
    Form(form): Form<WeeklyDigestForm>,
) -> Result<Redirect, AppError> {
    let on = form.weekly_digest == "aan";
    let mut tx = app.pool.begin().await?;
    confirmation::set_weekly_digest(&mut tx, user.id, on).await?;
    tx.commit().await?;
    let message = if on {
        "U krijgt elke maandag een e-mail met wie aandacht nodig heeft."
    } else {
        "U krijgt geen wekelijkse e-mail meer. U kunt hem hier weer aanzetten."
    };
    session::flash(&session, FlashKind::Success, message).await?;
    Ok(Redirect::to("/caseload#weekoverzicht"))
}
