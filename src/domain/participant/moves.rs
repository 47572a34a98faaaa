//! An inburgeraar who moves to another region: a coördinator of the new region (or the
//! beheerder) takes the trajectory over, hours and placements included. The old region keeps
//! the hours worked before the move in its figures (the summaries count every hour for the
//! place of the day it was worked: `participant_region_on` in the migration).
//!
//! A coördinator cannot browse other regions, so the participant is found by what the
//! inburgeraar brings along: their name and birth date (and the dossier number when two people
//! share both). Only an active trajectory moves.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::Date;

use crate::domain::audit::AuditEntry;
use crate::domain::search::search_key;
use crate::values::dates::json_date;
use crate::values::ids::{MunicipalityId, ParticipantId, RegionId, UserId};

/// Why someone moved, in a few words: required, at most 500 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoveReason(String);

impl MoveReason {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(input: &str) -> Result<Self, MoveError> {
        let reason = input.trim();
        if reason.is_empty() {
            Err(MoveError::ReasonMissing)
        } else if reason.chars().count() > Self::MAX_CHARS {
            Err(MoveError::ReasonTooLong)
        } else {
            Ok(Self(reason.to_string()))
        }
    }
}

/// A takeover as the form gives it, every field read.
#[derive(Debug, Clone)]
pub struct MoveInput {
    pub full_name: String,
    pub birth_date: Date,
    /// Only needed when name and birth date match more than one trajectory.
    pub dossier: Option<String>,
    pub municipality: MunicipalityId,
    pub moved_on: Date,
    pub reason: MoveReason,
}

#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("Geef een reden, bijvoorbeeld: verhuisd naar Gent.")]
    ReasonMissing,
    #[error("Houd de reden korter dan 500 tekens.")]
    ReasonTooLong,
    #[error(
        "Er is geen lopend traject in een andere regio met deze naam en geboortedatum. Kijk de schrijfwijze na zoals op de papieren van de inburgeraar."
    )]
    NotFound,
    #[error(
        "Meer dan één traject past bij deze naam en geboortedatum. Vul ook het dossiernummer in."
    )]
    Ambiguous,
    #[error("Deze gemeente hoort niet bij de nieuwe regio.")]
    MunicipalityOutsideRegion,
    #[error("De verhuisdatum kan niet in de toekomst liggen.")]
    MovedInFuture,
    #[error("De verhuisdatum moet na de vorige verhuizing ({0}) liggen.")]
    BeforeLastMove(String),
    #[error("De verhuisdatum kan niet voor de start van het traject ({0}) liggen.")]
    BeforeStart(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A move as the participant page's history shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct MoveLine {
    #[serde(deserialize_with = "json_date::deserialize")]
    pub moved_on: Date,
    pub from_region: String,
    pub from_municipality: String,
    pub to_region: String,
    pub to_municipality: String,
    pub reason: String,
    pub moved_by: Option<String>,
}

/// Moves the participant to `to_region`: the move's row first (so the summaries keep the hours
/// before `moved_on` where they were), then the participant, without a coach (the new region
/// assigns one); audited with both places and the reason.
///
/// `within`: the coördinator's region, which the new municipality must be in; `None` for the
/// beheerder, who may move someone into any region (the municipality's).
pub async fn take_over(
    conn: &mut PgConnection,
    actor: UserId,
    within: Option<RegionId>,
    input: &MoveInput,
    today: Date,
) -> Result<ParticipantId, MoveError> {
    if input.moved_on > today {
        return Err(MoveError::MovedInFuture);
    }
    let to_region = sqlx::query_scalar!(
        r#"SELECT region_id AS "region_id: RegionId" FROM municipalities
           WHERE id = $1 AND ($2::uuid IS NULL OR region_id = $2)"#,
        input.municipality.0,
        within.map(|r| r.0)
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(MoveError::MunicipalityOutsideRegion)?;
    let dossier = input.dossier.as_deref().map(str::trim).unwrap_or_default();
    let found = sqlx::query!(
        r#"SELECT id AS "id: ParticipantId", region_id AS "region_id: RegionId",
                  municipality_id AS "municipality_id: MunicipalityId",
                  coach_id AS "coach_id: UserId", start_date
           FROM participants
           WHERE search_name = $1 AND birth_date = $2 AND region_id <> $3 AND status = 'actief'
             AND ($4 = '' OR external_dossier = $4)
           ORDER BY id
           LIMIT 2
           FOR UPDATE"#,
        search_key(&input.full_name),
        input.birth_date,
        to_region.0,
        dossier,
    )
    .fetch_all(&mut *conn)
    .await?;
    let from = match found.as_slice() {
        [] => return Err(MoveError::NotFound),
        [one] => one,
        _ => return Err(MoveError::Ambiguous),
    };
    let (id, start_date) = (from.id, from.start_date);
    // Before the trajectory began there are no hours to keep apart: a date that early would
    // only move the old region's figures to the new one.
    if input.moved_on < start_date {
        return Err(MoveError::BeforeStart(crate::values::dates::format_date(
            start_date,
        )));
    }
    let last_move = sqlx::query_scalar!(
        "SELECT max(moved_on) FROM participant_moves WHERE participant_id = $1",
        id.0
    )
    .fetch_one(&mut *conn)
    .await?;
    if let Some(last) = last_move.filter(|last| input.moved_on <= *last) {
        return Err(MoveError::BeforeLastMove(
            crate::values::dates::format_date(last),
        ));
    }
    sqlx::query!(
        "INSERT INTO participant_moves (participant_id, from_region_id, from_municipality_id,
                                        to_region_id, to_municipality_id, moved_on, reason, moved_by)
         SELECT id, region_id, municipality_id, $2, $3, $4, $5, $6 FROM participants WHERE id = $1",
        id.0,
        to_region.0,
        input.municipality.0,
        input.moved_on,
        input.reason.0,
        actor.0,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE participants SET region_id = $2, municipality_id = $3, coach_id = NULL,
                                 updated_at = now()
         WHERE id = $1",
        id.0,
        to_region.0,
        input.municipality.0,
    )
    .execute(&mut *conn)
    .await?;
    /// Where the participant was and is: the row found (locked) before the move, and what
    /// the move wrote (no coach: the new region assigns one).
    #[derive(Serialize)]
    struct Place<'a> {
        region_id: RegionId,
        municipality_id: MunicipalityId,
        coach_id: Option<UserId>,
        moved_on: Date,
        /// Free text: under the key anonymisation empties (`audit_scrubbed`).
        notes: &'a MoveReason,
    }
    let before = Place {
        region_id: from.region_id,
        municipality_id: from.municipality_id,
        coach_id: from.coach_id,
        moved_on: input.moved_on,
        notes: &input.reason,
    };
    let after = Place {
        region_id: to_region,
        municipality_id: input.municipality,
        coach_id: None,
        ..before
    };
    AuditEntry {
        actor: Some(actor),
        action: "verhuisd naar een andere regio",
        entity: "participant",
        entity_id: id.0,
        participant: Some(id),
    }
    .record(conn, Some(&before), Some(&after))
    .await?;
    Ok(id)
}

/// The participant's moves, the latest first.
pub async fn moves(
    conn: &mut PgConnection,
    id: ParticipantId,
) -> Result<Vec<MoveLine>, sqlx::Error> {
    sqlx::query_as!(
        MoveLine,
        r#"SELECT m.moved_on, fr.name AS from_region, fm.name AS from_municipality,
                  tr.name AS to_region, tm.name AS to_municipality, m.reason,
                  u.name AS "moved_by?"
           FROM participant_moves m
           JOIN regions fr ON fr.id = m.from_region_id
           JOIN municipalities fm ON fm.id = m.from_municipality_id
           JOIN regions tr ON tr.id = m.to_region_id
           JOIN municipalities tm ON tm.id = m.to_municipality_id
           LEFT JOIN users u ON u.id = m.moved_by
           WHERE m.participant_id = $1
           ORDER BY m.moved_on DESC"#,
        id.0
    )
    .fetch_all(conn)
    .await
}

/// The municipalities someone can move to: the coördinator's region's, or every region's for
/// the beheerder (named with their region), by name.
pub async fn destinations(
    conn: &mut PgConnection,
    within: Option<RegionId>,
) -> Result<Vec<(MunicipalityId, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT m.id AS "id: MunicipalityId", m.name, r.name AS region
           FROM municipalities m JOIN regions r ON r.id = m.region_id
           WHERE $1::uuid IS NULL OR m.region_id = $1
           ORDER BY r.name, m.name"#,
        within.map(|r| r.0)
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let label = if within.is_some() {
                row.name
            } else {
                format!("{} ({})", row.name, row.region)
            };
            (row.id, label)
        })
        .collect())
}
