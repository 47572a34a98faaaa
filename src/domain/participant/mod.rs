//! Inburgeraars: who they are, where their trajectory stands, and who may see them.
//!
//! Staff see the participants of their own region; every query here takes the region and
//! scopes by it, so another region's participant is simply not found.

mod input;
mod lists;
mod moves;
mod pause;
mod store;

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;

use crate::values::ids::{MunicipalityId, ParticipantId, RegionId, UserId};
use crate::values::level::DutchLevel;
use crate::values::weekdays::Weekdays;

pub use input::{DossierNumber, ParticipantInput, ParticipantInputError, parse_birth_date};
pub use lists::{
    Attention, CaseloadRow, DEADLINE_WITHIN_DAYS, EntryLine, HistoryLine, ListFilter,
    ParticipantRow, STALLED_AFTER_DAYS, caseload, coaches, history, list, municipalities,
    recent_entries,
};
pub use moves::{MoveError, MoveInput, MoveLine, MoveReason, destinations, moves, take_over};
pub use pause::{Pause, PauseInput, PauseReason, pause, pauses, resume};
pub use store::{assign_coach, close, lock, reactivate, register, update};

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "participant_status", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum ParticipantStatus {
    Actief,
    Afgerond,
    Stopgezet,
    Vrijgesteld,
}

impl ParticipantStatus {
    pub const ALL: [Self; 4] = [
        Self::Actief,
        Self::Afgerond,
        Self::Stopgezet,
        Self::Vrijgesteld,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Actief => "actief",
            Self::Afgerond => "afgerond",
            Self::Stopgezet => "stopgezet",
            Self::Vrijgesteld => "vrijgesteld",
        }
    }

    /// The word people read, capitalised like the placements' and hours' statuses.
    pub fn label(self) -> &'static str {
        match self {
            Self::Actief => "Actief",
            Self::Afgerond => "Afgerond",
            Self::Stopgezet => "Stopgezet",
            Self::Vrijgesteld => "Vrijgesteld",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "obligation", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Obligation {
    Verplicht,
    Vrijwillig,
}

impl Obligation {
    pub const ALL: [Self; 2] = [Self::Verplicht, Self::Vrijwillig];

    pub fn code(self) -> &'static str {
        match self {
            Self::Verplicht => "verplicht",
            Self::Vrijwillig => "vrijwillig",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }
}

/// Why a trajectory stopped: a fixed list, so reports can count them.
pub const STOP_REASONS: [(&str, &str); 6] = [
    ("verhuisd", "Verhuisd buiten de regio"),
    ("werk_of_opleiding", "Voltijds aan het werk of in opleiding"),
    ("gezondheid", "Gezondheid"),
    ("onbereikbaar", "Niet meer bereikbaar"),
    ("eigen_vraag", "Stopt op eigen vraag (vrijwillig traject)"),
    ("andere", "Andere reden (zie toelichting)"),
];

/// Why someone is exempted from the participation trajectory.
pub const EXEMPTION_REASONS: [(&str, &str); 5] = [
    ("medisch", "Medische of psychische redenen"),
    (
        "werk",
        "Werkt of werkte al in een Nederlandstalige omgeving",
    ),
    ("leeftijd", "Leeftijd"),
    (
        "vrijstelling_agentschap",
        "Vrijstelling door het Agentschap Integratie en Inburgering",
    ),
    ("andere", "Andere reden (zie toelichting)"),
];

pub fn reason_label(code: &str) -> &'static str {
    STOP_REASONS
        .iter()
        .chain(EXEMPTION_REASONS.iter())
        .find(|(c, _)| *c == code)
        .map(|(_, label)| *label)
        .unwrap_or("Onbekende reden")
}

#[derive(Debug, thiserror::Error)]
pub enum ParticipantError {
    #[error("Deze gemeente hoort niet bij uw regio.")]
    MunicipalityOutsideRegion,
    #[error("Deze trajectbegeleider werkt niet in uw regio.")]
    CoachOutsideRegion,
    #[error("Alleen een actief traject kan stopgezet of vrijgesteld worden.")]
    NotActive,
    #[error("Dit traject is niet stopgezet of vrijgesteld.")]
    NotStopped,
    #[error("Dit traject is al gepauzeerd.")]
    AlreadyPaused,
    #[error("Dit traject is niet gepauzeerd.")]
    NotPaused,
    #[error("Een pauze begint vandaag of vroeger, niet in de toekomst.")]
    PauseInFuture,
    #[error("Een pauze kan niet beginnen voor de startdatum van het traject.")]
    PauseBeforeStart,
    #[error("De vorige pauze liep tot {}: een nieuwe pauze begint op of na die dag.", crate::values::dates::format_date(*.0))]
    PauseOverlaps(Date),
    #[error("Het traject kan niet in de toekomst hervat worden: kies vandaag of vroeger.")]
    ResumeInFuture,
    #[error("De pauze begon op {}: hervatten kan op of na die dag.", crate::values::dates::format_date(*.0))]
    ResumeBeforePause(Date),
    #[error(
        "Het traject kan niet hervat worden: de nieuwe einddatum zou na het jaar 9999 liggen. Verbeter eerst de streefdatum."
    )]
    EndDateOutOfRange,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Everything staff see on the participant page.
#[derive(Debug, Clone, Serialize)]
pub struct Participant {
    pub id: ParticipantId,
    pub region_id: RegionId,
    pub municipality_id: MunicipalityId,
    pub municipality: String,
    pub coach_id: Option<UserId>,
    pub coach_name: Option<String>,
    pub full_name: String,
    pub birth_date: Date,
    pub dutch_level: DutchLevel,
    pub languages: String,
    pub phone: String,
    pub email: String,
    pub external_dossier: String,
    pub obligation: Obligation,
    pub status: ParticipantStatus,
    pub status_reason: Option<String>,
    pub status_note: String,
    pub start_date: Date,
    pub target_end_date: Date,
    pub notes: String,
    pub confirmed_minutes: i32,
    pub pending_minutes: i32,
    pub required_minutes: i32,
    pub last_confirmed_on: Option<Date>,
    pub available_days: i16,
}

impl Participant {
    pub fn weekdays(&self) -> Weekdays {
        Weekdays::from_db(self.available_days)
    }
}

pub async fn get(
    conn: &mut PgConnection,
    region: RegionId,
    id: ParticipantId,
) -> Result<Option<Participant>, sqlx::Error> {
    sqlx::query_as!(
        Participant,
        r#"SELECT p.id AS "id: ParticipantId", p.region_id AS "region_id: RegionId",
                  p.municipality_id AS "municipality_id: MunicipalityId", m.name AS municipality,
                  p.coach_id AS "coach_id: UserId", u.name AS "coach_name?",
                  p.full_name, p.birth_date, p.dutch_level AS "dutch_level: DutchLevel",
                  p.languages, p.phone, p.email, p.external_dossier,
                  p.obligation AS "obligation: Obligation", p.status AS "status: ParticipantStatus",
                  p.status_reason, p.status_note, p.start_date, p.target_end_date, p.notes,
                  p.confirmed_minutes, p.pending_minutes, r.required_minutes, p.last_confirmed_on,
                  p.available_days
           FROM participants p
           JOIN municipalities m ON m.id = p.municipality_id
           JOIN regions r ON r.id = p.region_id
           LEFT JOIN users u ON u.id = p.coach_id
           WHERE p.id = $1 AND p.region_id = $2"#,
        id.0,
        region.0
    )
    .fetch_optional(conn)
    .await
}
