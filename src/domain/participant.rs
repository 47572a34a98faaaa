//! Inburgeraars: who they are, where their trajectory stands, and who may see them.
//!
//! Staff see the participants of their own region; every query here takes the region and
//! scopes by it, so another region's participant is simply not found.

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;

use super::audit::AuditEntry;
use super::dates::{self, DateError};
use super::ids::{MunicipalityId, ParticipantId, RegionId, UserId};
use super::offer::Weekdays;
use super::search::{contains_pattern, search_key};
use super::user::{Email, PersonName, UserInputError};

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

    pub fn label(self) -> &'static str {
        self.code()
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "dutch_level")]
pub enum DutchLevel {
    A0,
    A1,
    A2,
    B1,
    B2,
}

impl DutchLevel {
    pub const ALL: [Self; 5] = [Self::A0, Self::A1, Self::A2, Self::B1, Self::B2];

    pub fn code(self) -> &'static str {
        match self {
            Self::A0 => "A0",
            Self::A1 => "A1",
            Self::A2 => "A2",
            Self::B1 => "B1",
            Self::B2 => "B2",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.code() == code)
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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParticipantInputError {
    #[error("Vul de naam in.")]
    NameMissing,
    #[error("{0}")]
    Date(DateError),
    #[error("De geboortedatum ligt in de toekomst.")]
    BornInFuture,
    #[error("Kies een gemeente.")]
    MunicipalityMissing,
    #[error("Kies het niveau Nederlands.")]
    LevelMissing,
    #[error("Kies of het traject verplicht of vrijwillig is.")]
    ObligationMissing,
    #[error("{0}")]
    Email(UserInputError),
    #[error("De einddatum ligt vóór de startdatum.")]
    EndBeforeStart,
    #[error("Kies een reden uit de lijst.")]
    ReasonMissing,
}

/// What a register or edit form becomes once every field is read.
#[derive(Debug, Clone, Serialize)]
pub struct ParticipantInput {
    pub full_name: PersonName,
    pub birth_date: Date,
    pub municipality_id: MunicipalityId,
    pub dutch_level: DutchLevel,
    pub languages: String,
    pub phone: String,
    pub email: Option<Email>,
    pub external_dossier: String,
    pub obligation: Obligation,
    pub start_date: Date,
    /// `None`: the region's default trajectory length after the start.
    pub target_end_date: Option<Date>,
    pub notes: String,
    /// The days the person can take part, for matching; empty when not known yet.
    pub available_days: Weekdays,
}

/// The raw strings of the form, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ParticipantForm {
    pub full_name: String,
    pub birth_date: String,
    pub municipality_id: String,
    pub dutch_level: String,
    pub languages: String,
    pub phone: String,
    pub email: String,
    pub external_dossier: String,
    pub obligation: String,
    pub start_date: String,
    pub target_end_date: String,
    pub notes: String,
    // The available-days checkboxes: non-empty when ticked.
    pub dag_ma: String,
    pub dag_di: String,
    pub dag_wo: String,
    pub dag_do: String,
    pub dag_vr: String,
    pub dag_za: String,
    pub dag_zo: String,
}

impl ParticipantForm {
    pub fn available_days(&self) -> Weekdays {
        Weekdays::from_checked(
            [
                &self.dag_ma,
                &self.dag_di,
                &self.dag_wo,
                &self.dag_do,
                &self.dag_vr,
                &self.dag_za,
                &self.dag_zo,
            ]
            .map(|day| !day.is_empty()),
        )
    }

    /// Sets the available-days checkboxes from stored days.
    pub fn with_days(self, days: Weekdays) -> Self {
        let tick = |index: usize| {
            if days.contains(index) {
                "ja".to_string()
            } else {
                String::new()
            }
        };
        Self {
            dag_ma: tick(0),
            dag_di: tick(1),
            dag_wo: tick(2),
            dag_do: tick(3),
            dag_vr: tick(4),
            dag_za: tick(5),
            dag_zo: tick(6),
            ..self
        }
    }

    /// Parses every field; the errors come back per field name, in form order.
    pub fn parse(
        &self,
        today: Date,
    ) -> Result<ParticipantInput, Vec<(&'static str, ParticipantInputError)>> {
        use ParticipantInputError as E;
        let mut errors = Vec::new();
        fn take<T>(
            errors: &mut Vec<(&'static str, ParticipantInputError)>,
            field: &'static str,
            result: Result<T, ParticipantInputError>,
        ) -> Option<T> {
            result.map_err(|error| errors.push((field, error))).ok()
        }
        let full_name = take(
            &mut errors,
            "full_name",
            PersonName::parse(&self.full_name).map_err(|_| E::NameMissing),
        );
        let birth_date = take(
            &mut errors,
            "birth_date",
            dates::parse_date(&self.birth_date)
                .map_err(E::Date)
                .and_then(|d| {
                    if d > today {
                        Err(E::BornInFuture)
                    } else {
                        Ok(d)
                    }
                }),
        );
        let municipality_id = take(
            &mut errors,
            "municipality_id",
            self.municipality_id
                .trim()
                .parse::<uuid::Uuid>()
                .map(MunicipalityId)
                .map_err(|_| E::MunicipalityMissing),
        );
        let dutch_level = take(
            &mut errors,
            "dutch_level",
            DutchLevel::parse(self.dutch_level.trim()).ok_or(E::LevelMissing),
        );
        let email = take(
            &mut errors,
            "email",
            match self.email.trim() {
                "" => Ok(None),
                typed => Email::parse(typed).map(Some).map_err(E::Email),
            },
        );
        let obligation = take(
            &mut errors,
            "obligation",
            Obligation::parse(self.obligation.trim()).ok_or(E::ObligationMissing),
        );
        let start_date = take(
            &mut errors,
            "start_date",
            match self.start_date.trim() {
                "" => Ok(today),
                typed => dates::parse_date(typed).map_err(E::Date),
            },
        );
        let target_end_date = take(
            &mut errors,
            "target_end_date",
            match self.target_end_date.trim() {
                "" => Ok(None),
                typed => dates::parse_date(typed).map(Some).map_err(E::Date),
            },
        );
        if let (Some(start), Some(Some(end))) = (start_date, target_end_date)
            && end < start
        {
            errors.push(("target_end_date", E::EndBeforeStart));
        }
        match (
            full_name,
            birth_date,
            municipality_id,
            dutch_level,
            email,
            obligation,
            start_date,
            target_end_date,
        ) {
            (
                Some(full_name),
                Some(birth_date),
                Some(municipality_id),
                Some(dutch_level),
                Some(email),
                Some(obligation),
                Some(start_date),
                Some(target_end_date),
            ) if errors.is_empty() => Ok(ParticipantInput {
                full_name,
                birth_date,
                municipality_id,
                dutch_level,
                languages: self.languages.trim().to_string(),
                phone: self.phone.trim().to_string(),
                email,
                external_dossier: self.external_dossier.trim().to_string(),
                obligation,
                start_date,
                target_end_date,
                notes: self.notes.trim().to_string(),
                available_days: self.available_days(),
            }),
            _ => Err(errors),
        }
    }
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
    /// The form as it would be typed, to prefill the edit page.
    pub fn to_form(&self) -> ParticipantForm {
        ParticipantForm {
            full_name: self.full_name.clone(),
            birth_date: dates::iso_date(self.birth_date),
            municipality_id: self.municipality_id.to_string(),
            dutch_level: self.dutch_level.code().into(),
            languages: self.languages.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            external_dossier: self.external_dossier.clone(),
            obligation: self.obligation.code().into(),
            start_date: dates::iso_date(self.start_date),
            target_end_date: dates::iso_date(self.target_end_date),
            notes: self.notes.clone(),
            ..ParticipantForm::default()
        }
        .with_days(self.weekdays())
    }

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

/// The columns of the audit row: the record as entered, without totals.
#[derive(Serialize)]
struct AuditView<'a> {
    full_name: &'a str,
    birth_date: Date,
    municipality_id: MunicipalityId,
    dutch_level: DutchLevel,
    languages: &'a str,
    phone: &'a str,
    email: &'a str,
    external_dossier: &'a str,
    obligation: Obligation,
    start_date: Date,
    target_end_date: Date,
    notes: &'a str,
    coach_id: Option<UserId>,
    status: ParticipantStatus,
    status_reason: Option<&'a str>,
    status_note: &'a str,
    available_days: i16,
}

impl Participant {
    fn audit_view(&self) -> AuditView<'_> {
        AuditView {
            full_name: &self.full_name,
            birth_date: self.birth_date,
            municipality_id: self.municipality_id,
            dutch_level: self.dutch_level,
            languages: &self.languages,
            phone: &self.phone,
            email: &self.email,
            external_dossier: &self.external_dossier,
            obligation: self.obligation,
            start_date: self.start_date,
            target_end_date: self.target_end_date,
            notes: &self.notes,
            coach_id: self.coach_id,
            status: self.status,
            status_reason: self.status_reason.as_deref(),
            status_note: &self.status_note,
            available_days: self.available_days,
        }
    }
}

async fn check_municipality(
    conn: &mut PgConnection,
    region: RegionId,
    municipality: MunicipalityId,
) -> Result<(), ParticipantError> {
    let inside = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM municipalities WHERE id = $1 AND region_id = $2) AS "inside!""#,
        municipality.0,
        region.0
    )
    .fetch_one(conn)
    .await?;
    if inside {
        Ok(())
    } else {
        Err(ParticipantError::MunicipalityOutsideRegion)
    }
}

async fn check_coach(
    conn: &mut PgConnection,
    region: RegionId,
    coach: UserId,
) -> Result<(), ParticipantError> {
    let inside = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND region_id = $2 AND role = 'coach' AND active) AS "inside!""#,
        coach.0,
        region.0
    )
    .fetch_one(conn)
    .await?;
    if inside {
        Ok(())
    } else {
        Err(ParticipantError::CoachOutsideRegion)
    }
}

/// Registers a participant in `region`, coached by `coach`. Run inside the caller's transaction.
pub async fn register(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    coach: Option<UserId>,
    input: &ParticipantInput,
) -> Result<ParticipantId, ParticipantError> {
    check_municipality(conn, region, input.municipality_id).await?;
    if let Some(coach) = coach {
        check_coach(conn, region, coach).await?;
    }
    let id = sqlx::query_scalar!(
        r#"INSERT INTO participants (region_id, municipality_id, coach_id, full_name, search_name,
               birth_date, dutch_level, languages, phone, email, external_dossier, obligation,
               start_date, target_end_date, notes, available_days)
           SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                  coalesce($14, ($13::date + make_interval(months => r.trajectory_months))::date), $15,
                  $16
           FROM regions r WHERE r.id = $1
           RETURNING id AS "id: ParticipantId""#,
        region.0,
        input.municipality_id.0,
        coach.map(|c| c.0),
        input.full_name.as_str(),
        search_key(input.full_name.as_str()),
        input.birth_date,
        input.dutch_level as DutchLevel,
        input.languages,
        input.phone,
        input.email.as_ref().map(Email::as_str).unwrap_or_default(),
        input.external_dossier,
        input.obligation as Obligation,
        input.start_date,
        input.target_end_date,
        input.notes,
        input.available_days.db(),
    )
    .fetch_one(&mut *conn)
    .await?;
    let after = get(conn, region, id).await?;
    audit(conn, actor, "ingeschreven", id, None, after.as_ref()).await?;
    Ok(id)
}

pub async fn update(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: ParticipantId,
    input: &ParticipantInput,
) -> Result<Option<()>, ParticipantError> {
    check_municipality(conn, region, input.municipality_id).await?;
    let Some(before) = lock(conn, region, id).await? else {
        return Ok(None);
    };
    sqlx::query!(
        r#"UPDATE participants SET municipality_id = $3, full_name = $4, search_name = $5,
               birth_date = $6, dutch_level = $7, languages = $8, phone = $9, email = $10,
               external_dossier = $11, obligation = $12, start_date = $13,
               target_end_date = coalesce($14, target_end_date), notes = $15,
               available_days = $16, updated_at = now()
           WHERE id = $1 AND region_id = $2"#,
        id.0,
        region.0,
        input.municipality_id.0,
        input.full_name.as_str(),
        search_key(input.full_name.as_str()),
        input.birth_date,
        input.dutch_level as DutchLevel,
        input.languages,
        input.phone,
        input.email.as_ref().map(Email::as_str).unwrap_or_default(),
        input.external_dossier,
        input.obligation as Obligation,
        input.start_date,
        input.target_end_date,
        input.notes,
        input.available_days.db(),
    )
    .execute(&mut *conn)
    .await?;
    let after = get(conn, region, id).await?;
    audit(conn, actor, "gewijzigd", id, Some(&before), after.as_ref()).await?;
    Ok(Some(()))
}

/// Locks the participant's row for the rest of the transaction and returns it.
pub async fn lock(
    conn: &mut PgConnection,
    region: RegionId,
    id: ParticipantId,
) -> Result<Option<Participant>, sqlx::Error> {
    sqlx::query!(
        "SELECT id FROM participants WHERE id = $1 AND region_id = $2 FOR UPDATE",
        id.0,
        region.0
    )
    .fetch_optional(&mut *conn)
    .await?;
    get(conn, region, id).await
}

async fn audit(
    conn: &mut PgConnection,
    actor: UserId,
    action: &str,
    id: ParticipantId,
    before: Option<&Participant>,
    after: Option<&Participant>,
) -> Result<(), sqlx::Error> {
    AuditEntry {
        actor: Some(actor),
        action,
        entity: "participant",
        entity_id: id.0,
        participant: Some(id),
    }
    .record(
        conn,
        before.map(Participant::audit_view).as_ref(),
        after.map(Participant::audit_view).as_ref(),
    )
    .await
}

pub async fn assign_coach(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: ParticipantId,
    coach: Option<UserId>,
) -> Result<Option<()>, ParticipantError> {
    if let Some(coach) = coach {
        check_coach(conn, region, coach).await?;
    }
    let Some(before) = lock(conn, region, id).await? else {
        return Ok(None);
    };
    sqlx::query!(
        "UPDATE participants SET coach_id = $2, updated_at = now() WHERE id = $1",
        id.0,
        coach.map(|c| c.0)
    )
    .execute(&mut *conn)
    .await?;
    let after = get(conn, region, id).await?;
    audit(
        conn,
        actor,
        "begeleider toegewezen",
        id,
        Some(&before),
        after.as_ref(),
    )
    .await?;
    Ok(Some(()))
}

/// Ends an active trajectory without a certificate: `stopgezet` or `vrijgesteld`, with a reason
/// from the fixed list and an optional note.
pub async fn close(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: ParticipantId,
    status: ParticipantStatus,
    reason: &str,
    note: &str,
) -> Result<Option<()>, ParticipantError> {
    let Some(before) = lock(conn, region, id).await? else {
        return Ok(None);
    };
    if before.status != ParticipantStatus::Actief {
        return Err(ParticipantError::NotActive);
    }
    sqlx::query!(
        "UPDATE participants SET status = $2, status_reason = $3, status_note = $4, updated_at = now()
         WHERE id = $1",
        id.0,
        status as ParticipantStatus,
        reason,
        note
    )
    .execute(&mut *conn)
    .await?;
    let after = get(conn, region, id).await?;
    let action = match status {
        ParticipantStatus::Vrijgesteld => "vrijgesteld",
        _ => "stopgezet",
    };
    audit(conn, actor, action, id, Some(&before), after.as_ref()).await?;
    Ok(Some(()))
}

/// Undoes a stop or exemption (a mistake, or someone who comes back).
pub async fn reactivate(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: ParticipantId,
) -> Result<Option<()>, ParticipantError> {
    let Some(before) = lock(conn, region, id).await? else {
        return Ok(None);
    };
    if !matches!(
        before.status,
        ParticipantStatus::Stopgezet | ParticipantStatus::Vrijgesteld
    ) {
        return Err(ParticipantError::NotStopped);
    }
    sqlx::query!(
        "UPDATE participants SET status = 'actief', status_reason = NULL, status_note = '',
             updated_at = now() WHERE id = $1",
        id.0
    )
    .execute(&mut *conn)
    .await?;
    let after = get(conn, region, id).await?;
    audit(
        conn,
        actor,
        "heractiveerd",
        id,
        Some(&before),
        after.as_ref(),
    )
    .await?;
    Ok(Some(()))
}

/// Filters of the participant list; `None` means "all".
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub search: Option<String>,
    pub status: Option<ParticipantStatus>,
    pub municipality: Option<MunicipalityId>,
    pub coach: Option<UserId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParticipantRow {
    pub id: ParticipantId,
    pub full_name: String,
    pub municipality: String,
    pub coach_name: Option<String>,
    pub status: ParticipantStatus,
    pub confirmed_minutes: i32,
    pub pending_minutes: i32,
    pub required_minutes: i32,
    pub target_end_date: Date,
}

/// One page of the region's participants, by name. Each filter is optional; the indexes on
/// (region, search_name), (region, status, search_name), (coach, …) and the trigram index
/// on search_name serve the combinations.
pub async fn list(
    conn: &mut PgConnection,
    region: RegionId,
    filter: &ListFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<ParticipantRow>, sqlx::Error> {
    let pattern = filter.search.as_deref().map(contains_pattern);
    sqlx::query_as!(
        ParticipantRow,
        // The page's ids first, on their own: a common fragment then reads the region's name
        // index in order (index only) until the page is full, instead of fetching every
        // matching row of the region from the table; a rare one still uses the trigram index.
        r#"WITH page AS MATERIALIZED (
               SELECT p.id, p.search_name FROM participants p
               WHERE p.region_id = $1
                 AND ($2::text IS NULL OR p.search_name LIKE $2)
                 AND ($3::participant_status IS NULL OR p.status = $3)
                 AND ($4::uuid IS NULL OR p.municipality_id = $4)
                 AND ($5::uuid IS NULL OR p.coach_id = $5)
               ORDER BY p.search_name, p.id
               OFFSET $6 LIMIT $7)
           SELECT p.id AS "id: ParticipantId", p.full_name, m.name AS municipality,
                  u.name AS "coach_name?", p.status AS "status: ParticipantStatus",
                  p.confirmed_minutes, p.pending_minutes, r.required_minutes, p.target_end_date
           FROM page
           JOIN participants p ON p.id = page.id
           JOIN municipalities m ON m.id = p.municipality_id
           JOIN regions r ON r.id = p.region_id
           LEFT JOIN users u ON u.id = p.coach_id
           ORDER BY page.search_name, page.id"#,
        region.0,
        pattern,
        filter.status as Option<ParticipantStatus>,
        filter.municipality.map(|m| m.0),
        filter.coach.map(|c| c.0),
        offset,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Why a participant needs attention, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Attention {
    Stalled,
    DeadlineNear,
    WaitingForConfirmation,
    OnTrack,
}

/// Days without confirmed hours after which a trajectory counts as stalled.
pub const STALLED_AFTER_DAYS: i64 = 30;
/// A deadline this close, with hours short, needs attention.
pub const DEADLINE_WITHIN_DAYS: i64 = 60;

#[derive(Debug, Clone, Serialize)]
pub struct CaseloadRow {
    pub id: ParticipantId,
    pub full_name: String,
    pub municipality: String,
    pub confirmed_minutes: i32,
    pub pending_minutes: i32,
    pub required_minutes: i32,
    pub start_date: Date,
    pub target_end_date: Date,
    pub last_confirmed_on: Option<Date>,
}

impl CaseloadRow {
    /// Every reason that applies, most urgent first.
    pub fn attention(&self, today: Date) -> Vec<Attention> {
        let short = self.confirmed_minutes < self.required_minutes;
        let since = self.last_confirmed_on.unwrap_or(self.start_date);
        let mut reasons = Vec::new();
        if short && (today - since).whole_days() > STALLED_AFTER_DAYS {
            reasons.push(Attention::Stalled);
        }
        if short && (self.target_end_date - today).whole_days() <= DEADLINE_WITHIN_DAYS {
            reasons.push(Attention::DeadlineNear);
        }
        if self.pending_minutes > 0 {
            reasons.push(Attention::WaitingForConfirmation);
        }
        if reasons.is_empty() {
            reasons.push(Attention::OnTrack);
        }
        reasons
    }
}

/// The active participants a coach guides (a caseload is 30–80 people: no paging).
pub async fn caseload(
    conn: &mut PgConnection,
    coach: UserId,
) -> Result<Vec<CaseloadRow>, sqlx::Error> {
    sqlx::query_as!(
        CaseloadRow,
        r#"SELECT p.id AS "id: ParticipantId", p.full_name, m.name AS municipality,
                  p.confirmed_minutes, p.pending_minutes, r.required_minutes,
                  p.start_date, p.target_end_date, p.last_confirmed_on
           FROM participants p
           JOIN municipalities m ON m.id = p.municipality_id
           JOIN regions r ON r.id = p.region_id
           WHERE p.coach_id = $1 AND p.status = 'actief'
           ORDER BY p.target_end_date, p.search_name"#,
        coach.0
    )
    .fetch_all(conn)
    .await
}

/// A line of the participant's history.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    pub at: time::OffsetDateTime,
    pub actor: Option<String>,
    pub action: String,
    pub entity: String,
}

pub async fn history(
    conn: &mut PgConnection,
    id: ParticipantId,
) -> Result<Vec<HistoryLine>, sqlx::Error> {
    sqlx::query_as!(
        HistoryLine,
        r#"SELECT a.at, u.name AS "actor?", a.action, a.entity
           FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
           WHERE a.participant_id = $1
           ORDER BY a.at DESC, a.id DESC
           LIMIT 200"#,
        id.0
    )
    .fetch_all(conn)
    .await
}

/// Choices for forms: the region's municipalities and active coaches, by name.
pub async fn municipalities(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Vec<(MunicipalityId, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id: MunicipalityId", name FROM municipalities WHERE region_id = $1 ORDER BY name"#,
        region.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.name)).collect())
}

pub async fn coaches(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Vec<(UserId, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id: UserId", name FROM users
           WHERE region_id = $1 AND role = 'coach' AND active ORDER BY name"#,
        region.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.name)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn row(confirmed: i32, pending: i32, last: Option<Date>, end: Date) -> CaseloadRow {
        CaseloadRow {
            id: ParticipantId(uuid::Uuid::nil()),
            full_name: "X".into(),
            municipality: "Brugge".into(),
            confirmed_minutes: confirmed,
            pending_minutes: pending,
            required_minutes: 2400,
            start_date: date!(2026 - 01 - 01),
            target_end_date: end,
            last_confirmed_on: last,
        }
    }

    #[test]
    fn stalled_after_thirty_days_without_confirmed_hours() {
        let today = date!(2026 - 11 - 24);
        let far = date!(2027 - 06 - 01);
        assert_eq!(
            row(600, 0, Some(date!(2026 - 10 - 20)), far).attention(today),
            vec![Attention::Stalled]
        );
        assert_eq!(
            row(600, 0, Some(date!(2026 - 11 - 01)), far).attention(today),
            vec![Attention::OnTrack]
        );
        // Done is done: no longer stalled.
        assert_eq!(
            row(2400, 0, Some(date!(2026 - 01 - 20)), far).attention(today),
            vec![Attention::OnTrack]
        );
    }

    #[test]
    fn deadline_within_sixty_days_and_short() {
        let today = date!(2026 - 11 - 24);
        let recent = Some(date!(2026 - 11 - 20));
        assert_eq!(
            row(600, 0, recent, date!(2027 - 01 - 20)).attention(today),
            vec![Attention::DeadlineNear]
        );
        assert_eq!(
            row(600, 0, recent, date!(2027 - 02 - 20)).attention(today),
            vec![Attention::OnTrack]
        );
        assert_eq!(
            row(600, 90, recent, date!(2027 - 01 - 20)).attention(today),
            vec![Attention::DeadlineNear, Attention::WaitingForConfirmation]
        );
    }

    #[test]
    fn form_parses_and_reports_every_field() {
        let today = date!(2026 - 11 - 24);
        let form = ParticipantForm {
            full_name: " Öztürk Ayşe ".into(),
            birth_date: "17/05/1990".into(),
            municipality_id: uuid::Uuid::nil().to_string(),
            dutch_level: "A2".into(),
            obligation: "verplicht".into(),
            ..Default::default()
        };
        let input = form.parse(today).expect("valid");
        assert_eq!(input.full_name.as_str(), "Öztürk Ayşe");
        assert_eq!(input.start_date, today);
        assert_eq!(input.target_end_date, None);

        let bad = ParticipantForm {
            birth_date: "31/02/1990".into(),
            email: "geen-adres".into(),
            start_date: "2026-12-01".into(),
            target_end_date: "2026-11-01".into(),
            ..Default::default()
        };
        let fields: Vec<&str> = bad
            .parse(today)
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                "full_name",
                "birth_date",
                "municipality_id",
                "dutch_level",
                "email",
                "obligation",
                "target_end_date"
            ]
        );
    }
}

/// An hour entry as listed on the participant page.
#[derive(Debug, Clone)]
pub struct EntryLine {
    pub worked_on: Date,
    pub minutes: i32,
    pub status: String,
    pub organisation: String,
    pub kind: String,
    pub placement_id: super::ids::PlacementId,
    pub rejection_reason: Option<String>,
}

/// The participant's latest entries across placements.
pub async fn recent_entries(
    conn: &mut PgConnection,
    id: ParticipantId,
) -> Result<Vec<EntryLine>, sqlx::Error> {
    sqlx::query_as!(
        EntryLine,
        r#"SELECT e.worked_on, e.minutes, e.status::text AS "status!", o.name AS organisation,
                  pl.kind::text AS "kind!", pl.id AS "placement_id: super::ids::PlacementId",
                  e.rejection_reason
           FROM hour_entries e
           JOIN placements pl ON pl.id = e.placement_id
           JOIN organisations o ON o.id = e.organisation_id
           WHERE e.participant_id = $1
           ORDER BY e.worked_on DESC, e.created_at DESC
           LIMIT 100"#,
        id.0
    )
    .fetch_all(conn)
    .await
}
