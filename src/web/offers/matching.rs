//! "Zoek een plaats": a participant's best-fitting open offers of the region, and taking a
//! place in one, which plans a placement.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Redirect;
use serde::Deserialize;
use tower_sessions::Session;

use super::flash_problem;
use crate::domain::offer::{self, Profile, Suggestion};
use crate::domain::participant::Participant;
use crate::error::AppError;
use crate::values::dates::today;
use crate::values::ids::{OfferId, ParticipantId};
use crate::values::kinds::PlacementKind;
use crate::values::level::Taalicoon;
use crate::web::forms::PathId;
use crate::web::layout::Layout;
use crate::web::participants::scoped_participant;
use crate::web::placements::{kind_options, placement_path};
use crate::web::session::{self, CaseworkUser, FlashKind};
use crate::web::state::AppState;

/// How many suggestions the page shows.
const SUGGESTIONS: usize = 20;

#[derive(Debug, Default, Deserialize)]
pub(super) struct MatchQuery {
    #[serde(default)]
    vorm: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "offers/match.html")]
pub(super) struct MatchPage {
    layout: Layout,
    participant: Participant,
    recommended: Taalicoon,
    vorm: String,
    kinds: Vec<(String, String)>,
    suggestions: Vec<Suggestion>,
    /// How many offers fit at all, before the first [`SUGGESTIONS`] are shown.
    total: usize,
}

impl MatchPage {
    fn too_demanding(&self, suggestion: &Suggestion) -> bool {
        suggestion.too_demanding(self.participant.dutch_level)
    }

    fn days_text(&self) -> String {
        let days = self.participant.weekdays();
        if days.is_empty() {
            "niet ingevuld".to_string()
        } else {
            days.text()
        }
    }
}

pub(super) async fn match_page(
    user: CaseworkUser,
    layout: Layout,
    State(app): State<AppState>,
    PathId(id): PathId<ParticipantId>,
    Query(query): Query<MatchQuery>,
) -> Result<MatchPage, AppError> {
    let region = user.region;
    let mut conn = app.pool.acquire().await?;
    let participant = scoped_participant(&mut conn, region, id).await?;
    let profile = Profile {
        municipality_id: participant.municipality_id,
        neighbours: offer::neighbours(&mut conn, participant.municipality_id).await?,
        dutch_level: participant.dutch_level,
        languages: participant.languages.clone(),
        available_days: participant.weekdays(),
        wanted_kind: PlacementKind::parse(&query.vorm),
    };
    let open = app
        .catalogue
        .open_offers(&mut conn, region, today())
        .await?;
    let (total, suggestions) = offer::rank(&profile, &open.offers, SUGGESTIONS);
    Ok(MatchPage {
        layout,
        recommended: Taalicoon::for_level(participant.dutch_level),
        participant,
        vorm: query.vorm,
        kinds: kind_options("Geen voorkeur"),
        suggestions,
        total,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct TakeForm {
    #[serde(default)]
    offer_id: String,
}

pub(super) async fn take_place(
    user: CaseworkUser,
    session: Session,
    State(app): State<AppState>,
    PathId(participant): PathId<ParticipantId>,
    Form(form): Form<TakeForm>,
) -> Result<Redirect, AppError> {
    let region = user.region;
    let back = format!("/inburgeraars/{participant}/zoek-een-plaats");
    let Ok(offer_id) = uuid::Uuid::parse_str(form.offer_id.trim()).map(OfferId) else {
        session::flash(&session, FlashKind::Error, "Kies een aanbod uit de lijst.").await?;
        return Ok(Redirect::to(&back));
    };
    let mut tx = app.pool.begin().await?;
    let taken = offer::take_place(
        &mut tx,
        user.user.id,
        region,
        participant,
        offer_id,
        today(),
    )
    .await;
    match taken {
        Ok(placement) => {
            tx.commit().await?;
            session::flash(
                &session,
                FlashKind::Success,
                "De plaats is genomen: de plaatsing is gepland.",
            )
            .await?;
            Ok(Redirect::to(&placement_path(placement)))
        }
        Err(error) => {
            drop(tx);
            flash_problem(&session, error).await?;
            Ok(Redirect::to(&back))
        }
    }
}
