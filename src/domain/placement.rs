//! Placements: one participant at one organisation, in one form, over a period. Their rules and
//! their SQL.
//!
//! Every query takes a [`Scope`]: staff see the placements of participants in their region,
//! a partner those at their own organisation. A placement outside the scope does not exist.

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use super::audit::AuditEntry;
use super::dates::{DateError, format_date, iso_date, parse_date};
use super::hours::{
    DurationError, Minutes, decimal_hours, format_minutes, hours_and_minutes, split_hours,
    strip_any_suffix, whole,
};
use super::ids::{OfferId, OrganisationId, ParticipantId, PlacementId, RegionId, UserId};
use super::offer::Criteria;
use super::user::Email;

/// Whose placements a query may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A coach or coordinator: participants of their region.
    Region(RegionId),
    /// A partner: placements at their own organisation.
    Organisation(OrganisationId),
}

impl Scope {
    /// `(region, organisation)` as query parameters; exactly one is set, so a query written
    /// `p.region_id = $2 OR pl.organisation_id = $3` matches only inside the scope.
    pub(crate) fn params(self) -> (Option<Uuid>, Option<Uuid>) {
        match self {
            Scope::Region(region) => (Some(region.0), None),
            Scope::Organisation(organisation) => (None, Some(organisation.0)),
        }
    }
}

/// The four forms the participatie- en netwerktraject knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type, Serialize)]
#[sqlx(type_name = "placement_kind", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum PlacementKind {
    Buddy,
    Stage,
    Vrijwilligerswerk,
    Taalstage,
}

impl PlacementKind {
    pub const ALL: [Self; 4] = [
        Self::Buddy,
        Self::Stage,
        Self::Vrijwilligerswerk,
        Self::Taalstage,
    ];

    /// The value in forms and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Buddy => "buddy",
            Self::Stage => "stage",
            Self::Vrijwilligerswerk => "vrijwilligerswerk",
            Self::Taalstage => "taalstage",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Buddy => "Buddy",
            Self::Stage => "Stage",
            Self::Vrijwilligerswerk => "Vrijwilligerswerk",
            Self::Taalstage => "Taalstage",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim().to_lowercase();
        Self::ALL.into_iter().find(|kind| kind.code() == input)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, Serialize)]
#[sqlx(type_name = "placement_status", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum PlacementStatus {
    Gepland,
    Lopend,
    Afgerond,
    Geannuleerd,
}

impl PlacementStatus {
    pub const ALL: [Self; 4] = [
        Self::Gepland,
        Self::Lopend,
        Self::Afgerond,
        Self::Geannuleerd,
    ];

    /// The value in forms and the database, and the badge's CSS class suffix.
    pub fn code(self) -> &'static str {
        match self {
            Self::Gepland => "gepland",
            Self::Lopend => "lopend",
            Self::Afgerond => "afgerond",
            Self::Geannuleerd => "geannuleerd",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Gepland => "Gepland",
            Self::Lopend => "Lopend",
            Self::Afgerond => "Afgerond",
            Self::Geannuleerd => "Geannuleerd",
        }
    }

    /// What a button that moves a placement to this status says.
    pub fn action_label(self) -> &'static str {
        match self {
            Self::Gepland => "Terug naar gepland",
            Self::Lopend => "Start de plaatsing",
            Self::Afgerond => "Rond de plaatsing af",
            Self::Geannuleerd => "Annuleer de plaatsing",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        let input = input.trim().to_lowercase();
        Self::ALL.into_iter().find(|status| status.code() == input)
    }

    /// Where a placement can go from here. A finished placement can be reopened and a
    /// cancelled one planned again; a finished one was not cancelled, so it cannot become so.
    pub fn next(self) -> &'static [Self] {
        match self {
            Self::Gepland => &[Self::Lopend, Self::Afgerond, Self::Geannuleerd],
            Self::Lopend => &[Self::Afgerond, Self::Gepland, Self::Geannuleerd],
            Self::Afgerond => &[Self::Lopend],
            Self::Geannuleerd => &[Self::Gepland, Self::Lopend],
        }
    }

    pub fn change_to(self, next: Self) -> Result<Self, PlacementError> {
        if self.next().contains(&next) {
            Ok(next)
        } else {
            Err(PlacementError::StatusChange {
                from: self,
                to: next,
            })
        }
    }

    /// Hours can be logged on every placement except a cancelled one.
    pub fn accepts_hours(self) -> bool {
        self != Self::Geannuleerd
    }
}

/// From the first to the last day of a placement, both included; never backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    starts_on: Date,
    ends_on: Date,
}

impl Period {
    pub fn new(starts_on: Date, ends_on: Date) -> Result<Self, PlacementError> {
        if ends_on < starts_on {
            Err(PlacementError::EndBeforeStart)
        } else {
            Ok(Self { starts_on, ends_on })
        }
    }

    pub fn starts_on(self) -> Date {
        self.starts_on
    }

    pub fn ends_on(self) -> Date {
        self.ends_on
    }

    pub fn contains(self, date: Date) -> bool {
        self.starts_on <= date && date <= self.ends_on
    }
}

/// The most hours a placement can plan: far more than the 40 asked, but not a typo's worth.
pub const MAX_PLANNED_HOURS: u64 = 1000;

/// Planned hours as people type them: `40`, `40u`, `40 uur`, `12u30`, `12:30`, `12,5`,
/// `90 min`. Unlike an entry's duration, a bare number is always hours and may exceed a day.
pub fn parse_planned(input: &str) -> Result<Minutes, PlacementError> {
    let text: String = input
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.is_empty() {
        return Err(PlacementError::PlannedEmpty);
    }
    let minutes_only = strip_any_suffix(&text, &["minuten", "minuut", "min", "m"])
        .filter(|number| number.bytes().all(|b| b.is_ascii_digit()));
    let parsed = if let Some(number) = minutes_only {
        whole(number)
    } else if let Some((hours, minutes)) = text.split_once(':') {
        hours_and_minutes(hours, minutes)
    } else if let Some((hours, rest)) = split_hours(&text) {
        let minutes = strip_any_suffix(rest, &["minuten", "min", "m"]).unwrap_or(rest);
        if minutes.is_empty() {
            decimal_hours(hours)
        } else {
            hours_and_minutes(hours, minutes)
        }
    } else {
        decimal_hours(&text)
    };
    let minutes = parsed.map_err(|error| match error {
        DurationError::MinutesOutOfRange => PlacementError::PlannedMinutesOutOfRange,
        _ => PlacementError::PlannedUnreadable,
    })?;
    if minutes == 0 {
        return Err(PlacementError::PlannedZero);
    }
    if minutes > MAX_PLANNED_HOURS * 60 {
        return Err(PlacementError::PlannedTooLong);
    }
    i32::try_from(minutes)
        .ok()
        .and_then(Minutes::new)
        .ok_or(PlacementError::PlannedTooLong)
}

#[derive(Debug, thiserror::Error)]
pub enum PlacementError {
    #[error("Kies een partnerorganisatie.")]
    OrganisationMissing,
    #[error(
        "Deze partnerorganisatie is niet actief in de regio van de inburgeraar. Kies een andere."
    )]
    OrganisationUnavailable,
    #[error(
        "De partnerorganisatie kan niet meer veranderen: er zijn al uren geregistreerd op deze plaatsing."
    )]
    OrganisationFixed,
    #[error("Kies een vorm: buddy, stage, vrijwilligerswerk of taalstage.")]
    KindMissing,
    #[error("{0}")]
    Date(#[from] DateError),
    #[error("De einddatum ligt voor de begindatum.")]
    EndBeforeStart,
    #[error(
        "Er zijn al uren geregistreerd op {0}, buiten deze periode. Kies een periode die ze bevat, of verwijder die uren eerst."
    )]
    EntriesOutsidePeriod(String),
    #[error("Vul het aantal geplande uren in, bijvoorbeeld 40 of 12u30.")]
    PlannedEmpty,
    #[error("Dit is geen aantal uren dat Veertig kent. Schrijf bijvoorbeeld 40, 40u of 12u30.")]
    PlannedUnreadable,
    #[error("Minuten gaan van 0 tot 59: schrijf bijvoorbeeld 12u30.")]
    PlannedMinutesOutOfRange,
    #[error("Het aantal geplande uren moet meer dan nul zijn.")]
    PlannedZero,
    #[error("Dat is meer dan {MAX_PLANNED_HOURS} uur. Controleer het aantal geplande uren.")]
    PlannedTooLong,
    #[error("Vul de naam van de contactpersoon in, of kies een partnercontact.")]
    ContactNameMissing,
    #[error("Vul een geldig e-mailadres in, bijvoorbeeld naam@vereniging.be, of laat het leeg.")]
    ContactEmailInvalid,
    #[error("Deze persoon is geen partnercontact van de gekozen partnerorganisatie.")]
    ContactNotOfOrganisation,
    #[error(
        "Een plaatsing buiten het aanbod telt alleen mee als de activiteit aan alle criteria voldoet. Vink ze aan als ze kloppen."
    )]
    CriteriaNotMet,
    #[error("Een plaatsing die {} is, kan niet naar {}.", from.label().to_lowercase(), to.label().to_lowercase())]
    StatusChange {
        from: PlacementStatus,
        to: PlacementStatus,
    },
    #[error("placement not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl PlacementError {
    /// The form field a message belongs next to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::OrganisationMissing | Self::OrganisationUnavailable | Self::OrganisationFixed => {
                fields::ORGANISATION
            }
            Self::KindMissing => fields::KIND,
            Self::Date(_) => fields::STARTS_ON,
            Self::EndBeforeStart | Self::EntriesOutsidePeriod(_) => fields::ENDS_ON,
            Self::PlannedEmpty
            | Self::PlannedUnreadable
            | Self::PlannedMinutesOutOfRange
            | Self::PlannedZero
            | Self::PlannedTooLong => fields::PLANNED,
            Self::ContactNameMissing => fields::CONTACT_NAME,
            Self::ContactEmailInvalid => fields::CONTACT_EMAIL,
            Self::ContactNotOfOrganisation => fields::CONTACT_USER,
            Self::CriteriaNotMet => fields::CRITERIA,
            Self::StatusChange { .. } | Self::NotFound | Self::Database(_) => fields::STATUS,
        }
    }
}

/// The names of the placement form's fields.
pub mod fields {
    pub const ORGANISATION: &str = "organisation_id";
    pub const KIND: &str = "kind";
    pub const STARTS_ON: &str = "starts_on";
    pub const ENDS_ON: &str = "ends_on";
    pub const PLANNED: &str = "planned";
    pub const CONTACT_USER: &str = "contact_user_id";
    pub const CONTACT_NAME: &str = "contact_name";
    pub const CONTACT_EMAIL: &str = "contact_email";
    pub const CONTACT_PHONE: &str = "contact_phone";
    pub const DESCRIPTION: &str = "description";
    pub const STATUS: &str = "status";
    pub const CRITERIA: &str = "criteria";
}

/// The placement form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlacementFields<'a> {
    pub organisation_id: &'a str,
    pub kind: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub planned: &'a str,
    pub contact_user_id: &'a str,
    pub contact_name: &'a str,
    pub contact_email: &'a str,
    pub contact_phone: &'a str,
    pub description: &'a str,
    /// The criteria check, for a placement outside the catalogue; `None` for one taken from
    /// an approved offer, which carries the check.
    pub criteria: Option<Criteria>,
}

/// Who to talk to at the organisation: one of its partner users, or just a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub user_id: Option<UserId>,
    /// Empty only when a partner user is chosen; the store then takes the user's name.
    pub name: String,
    pub email: Option<Email>,
    pub phone: String,
}

/// A placement as the form describes it, checked as far as possible without the database;
/// [`create`] and [`update`] check the organisation and the contact user against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementInput {
    pub organisation_id: OrganisationId,
    pub kind: PlacementKind,
    pub period: Period,
    pub planned: Minutes,
    pub contact: Contact,
    pub description: String,
    /// See [`PlacementFields::criteria`]; when given, every criterion is met.
    pub criteria: Option<Criteria>,
}

impl PlacementInput {
    /// Every problem with the field it belongs to, in the order of the form.
    pub fn parse(form: &PlacementFields<'_>) -> Result<Self, Vec<(&'static str, PlacementError)>> {
        let mut errors = Vec::new();
        fn keep<T>(
            errors: &mut Vec<(&'static str, PlacementError)>,
            field: &'static str,
            result: Result<T, PlacementError>,
        ) -> Option<T> {
            match result {
                Ok(value) => Some(value),
                Err(error) => {
                    errors.push((field, error));
                    None
                }
            }
        }
        let organisation_id = keep(
            &mut errors,
            fields::ORGANISATION,
            Uuid::parse_str(form.organisation_id.trim())
                .map(OrganisationId)
                .map_err(|_| PlacementError::OrganisationMissing),
        );
        let kind = keep(
            &mut errors,
            fields::KIND,
            PlacementKind::parse(form.kind).ok_or(PlacementError::KindMissing),
        );
        let starts_on = keep(
            &mut errors,
            fields::STARTS_ON,
            parse_date(form.starts_on).map_err(Into::into),
        );
        let ends_on = keep(
            &mut errors,
            fields::ENDS_ON,
            parse_date(form.ends_on).map_err(Into::into),
        );
        let period = match (starts_on, ends_on) {
            (Some(starts_on), Some(ends_on)) => keep(
                &mut errors,
                fields::ENDS_ON,
                Period::new(starts_on, ends_on),
            ),
            _ => None,
        };
        let planned = keep(&mut errors, fields::PLANNED, parse_planned(form.planned));
        let contact_user = match form.contact_user_id.trim() {
            "" => Some(None),
            id => keep(
                &mut errors,
                fields::CONTACT_USER,
                Uuid::parse_str(id)
                    .map(|id| Some(UserId(id)))
                    .map_err(|_| PlacementError::ContactNotOfOrganisation),
            ),
        };
        let contact_name = form.contact_name.trim().to_string();
        if contact_name.is_empty() && matches!(contact_user, Some(None)) {
            keep(
                &mut errors,
                fields::CONTACT_NAME,
                Err::<(), _>(PlacementError::ContactNameMissing),
            );
        }
        let contact_email = match form.contact_email.trim() {
            "" => Some(None),
            email => keep(
                &mut errors,
                fields::CONTACT_EMAIL,
                Email::parse(email)
                    .map(Some)
                    .map_err(|_| PlacementError::ContactEmailInvalid),
            ),
        };
        if form.criteria.is_some_and(|criteria| !criteria.all_met()) {
            keep(
                &mut errors,
                fields::CRITERIA,
                Err::<(), _>(PlacementError::CriteriaNotMet),
            );
        }
        match (
            organisation_id,
            kind,
            period,
            planned,
            contact_user,
            contact_email,
        ) {
            (
                Some(organisation_id),
                Some(kind),
                Some(period),
                Some(planned),
                Some(user_id),
                Some(email),
            ) if errors.is_empty() => Ok(Self {
                organisation_id,
                kind,
                period,
                planned,
                contact: Contact {
                    user_id,
                    name: contact_name,
                    email,
                    phone: form.contact_phone.trim().to_string(),
                },
                description: form.description.trim().to_string(),
                criteria: form.criteria,
            }),
            _ => Err(errors),
        }
    }
}

/// One placement as its page shows it, with the hours logged on it.
#[derive(Debug, Clone)]
pub struct Placement {
    pub id: PlacementId,
    pub participant_id: ParticipantId,
    pub participant_name: String,
    /// Hours can be logged only for participants with status `actief`.
    pub participant_active: bool,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub kind: PlacementKind,
    pub status: PlacementStatus,
    pub starts_on: Date,
    pub ends_on: Date,
    pub planned_minutes: i32,
    pub contact_user_id: Option<UserId>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub description: String,
    pub confirmed_minutes: i64,
    pub pending_minutes: i64,
    /// The offer it was taken from, if any.
    pub offer_id: Option<OfferId>,
    pub offer_title: Option<String>,
    /// For a placement outside the catalogue: whether every criterion was checked as met.
    pub criteria_met: Option<bool>,
}

impl Placement {
    pub fn period(&self) -> Period {
        // The table's CHECK keeps ends_on >= starts_on.
        Period {
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }

    pub fn period_text(&self) -> String {
        format!(
            "{} – {}",
            format_date(self.starts_on),
            format_date(self.ends_on)
        )
    }

    pub fn planned_text(&self) -> String {
        format_minutes(i64::from(self.planned_minutes))
    }

    /// Whether new hours can be logged on it at all (the dates are checked per entry).
    pub fn accepts_hours(&self) -> bool {
        self.status.accepts_hours() && self.participant_active
    }
}

/// The placement, when it lies inside `scope`.
pub async fn get(
    conn: &mut PgConnection,
    id: PlacementId,
    scope: Scope,
) -> Result<Option<Placement>, sqlx::Error> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        Placement,
        r#"SELECT pl.id AS "id: PlacementId",
                  pl.participant_id AS "participant_id: ParticipantId",
                  p.full_name AS participant_name,
                  (p.status = 'actief') AS "participant_active!",
                  pl.organisation_id AS "organisation_id: OrganisationId",
                  o.name AS organisation_name,
                  pl.kind AS "kind: PlacementKind",
                  pl.status AS "status: PlacementStatus",
                  pl.starts_on, pl.ends_on, pl.planned_minutes,
                  pl.contact_user_id AS "contact_user_id: UserId",
                  pl.contact_name, pl.contact_email, pl.contact_phone, pl.description,
                  t.confirmed AS "confirmed_minutes!", t.pending AS "pending_minutes!",
                  pl.offer_id AS "offer_id: OfferId", f.title AS "offer_title?",
                  (pl.meets_contact AND pl.meets_dutch_setting AND pl.meets_new_contacts
                   AND pl.meets_unpaid) AS criteria_met
           FROM placements pl
           JOIN participants p ON p.id = pl.participant_id
           JOIN organisations o ON o.id = pl.organisation_id
           LEFT JOIN offers f ON f.id = pl.offer_id
           CROSS JOIN LATERAL (
               SELECT coalesce(sum(e.minutes) FILTER (WHERE e.status = 'bevestigd'), 0)::int8 AS confirmed,
                      coalesce(sum(e.minutes) FILTER (WHERE e.status = 'ingediend'), 0)::int8 AS pending
               FROM hour_entries e WHERE e.placement_id = pl.id
           ) t
           WHERE pl.id = $1 AND (p.region_id = $2 OR pl.organisation_id = $3)"#,
        id.0,
        region,
        organisation,
    )
    .fetch_optional(conn)
    .await
}

/// A participant as the placement pages name them.
#[derive(Debug, Clone)]
pub struct ParticipantRef {
    pub id: ParticipantId,
    pub full_name: String,
    pub active: bool,
}

pub async fn participant_in_region(
    conn: &mut PgConnection,
    id: ParticipantId,
    region: RegionId,
) -> Result<Option<ParticipantRef>, sqlx::Error> {
    sqlx::query_as!(
        ParticipantRef,
        r#"SELECT id AS "id: ParticipantId", full_name, (status = 'actief') AS "active!"
           FROM participants WHERE id = $1 AND region_id = $2"#,
        id.0,
        region.0,
    )
    .fetch_optional(conn)
    .await
}

/// An organisation the placement form offers.
#[derive(Debug, Clone)]
pub struct OrganisationChoice {
    pub id: OrganisationId,
    pub name: String,
}

/// The active organisations of a region, by name; plus `keep` (a placement's current one)
/// even when it is no longer active.
pub async fn organisation_choices(
    conn: &mut PgConnection,
    region: RegionId,
    keep: Option<OrganisationId>,
) -> Result<Vec<OrganisationChoice>, sqlx::Error> {
    sqlx::query_as!(
        OrganisationChoice,
        r#"SELECT id AS "id: OrganisationId", name FROM organisations
           WHERE region_id = $1 AND (active OR id = $2)
           ORDER BY search_name, name"#,
        region.0,
        keep.map(|id| id.0),
    )
    .fetch_all(conn)
    .await
}

/// A partner user who can be a placement's contact.
#[derive(Debug, Clone)]
pub struct ContactChoice {
    pub id: UserId,
    pub name: String,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
}

/// The active partner users of the region's active organisations, grouped by organisation.
pub async fn contact_choices(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Vec<ContactChoice>, sqlx::Error> {
    sqlx::query_as!(
        ContactChoice,
        r#"SELECT u.id AS "id: UserId", u.name,
                  o.id AS "organisation_id: OrganisationId", o.name AS organisation_name
           FROM users u JOIN organisations o ON o.id = u.organisation_id
           WHERE o.region_id = $1 AND o.active AND u.active AND u.role = 'partner'
           ORDER BY o.search_name, o.name, u.name"#,
        region.0,
    )
    .fetch_all(conn)
    .await
}

/// What the audit log keeps of a placement.
#[derive(Debug, Serialize)]
struct PlacementAudit {
    participant_id: ParticipantId,
    organisation_id: OrganisationId,
    kind: PlacementKind,
    status: PlacementStatus,
    starts_on: String,
    ends_on: String,
    planned_minutes: i32,
    contact_user_id: Option<UserId>,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    description: String,
}

/// The row as stored, locked for a change.
struct StoredPlacement {
    id: PlacementId,
    participant_id: ParticipantId,
    organisation_id: OrganisationId,
    kind: PlacementKind,
    status: PlacementStatus,
    starts_on: Date,
    ends_on: Date,
    planned_minutes: i32,
    contact_user_id: Option<UserId>,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    description: String,
}

impl StoredPlacement {
    fn audit(&self) -> PlacementAudit {
        PlacementAudit {
            participant_id: self.participant_id,
            organisation_id: self.organisation_id,
            kind: self.kind,
            status: self.status,
            starts_on: iso_date(self.starts_on),
            ends_on: iso_date(self.ends_on),
            planned_minutes: self.planned_minutes,
            contact_user_id: self.contact_user_id,
            contact_name: self.contact_name.clone(),
            contact_email: self.contact_email.clone(),
            contact_phone: self.contact_phone.clone(),
            description: self.description.clone(),
        }
    }
}

async fn lock_in_region(
    conn: &mut PgConnection,
    id: PlacementId,
    region: RegionId,
) -> Result<StoredPlacement, PlacementError> {
    sqlx::query_as!(
        StoredPlacement,
        r#"SELECT pl.id AS "id: PlacementId",
                  pl.participant_id AS "participant_id: ParticipantId",
                  pl.organisation_id AS "organisation_id: OrganisationId",
                  pl.kind AS "kind: PlacementKind",
                  pl.status AS "status: PlacementStatus",
                  pl.starts_on, pl.ends_on, pl.planned_minutes,
                  pl.contact_user_id AS "contact_user_id: UserId",
                  pl.contact_name, pl.contact_email, pl.contact_phone, pl.description
           FROM placements pl JOIN participants p ON p.id = pl.participant_id
           WHERE pl.id = $1 AND p.region_id = $2
           FOR UPDATE OF p, pl"#,
        id.0,
        region.0,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(PlacementError::NotFound)
}

/// The organisation must be active and in the region of the participant.
async fn check_organisation(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    region: RegionId,
) -> Result<(), PlacementError> {
    let usable = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1 AND region_id = $2 AND active)
           AS "usable!""#,
        organisation.0,
        region.0,
    )
    .fetch_one(conn)
    .await?;
    if usable {
        Ok(())
    } else {
        Err(PlacementError::OrganisationUnavailable)
    }
}

/// Name, e-mail and phone of the contact to store: a chosen partner user must belong to the
/// organisation, and lends their name and e-mail where none was typed.
async fn resolve_contact(
    conn: &mut PgConnection,
    contact: &Contact,
    organisation: OrganisationId,
) -> Result<(String, String), PlacementError> {
    let typed_email = contact
        .email
        .as_ref()
        .map(|email| email.as_str().to_string())
        .unwrap_or_default();
    let Some(user) = contact.user_id else {
        return Ok((contact.name.clone(), typed_email));
    };
    let partner = sqlx::query!(
        "SELECT name, email FROM users
         WHERE id = $1 AND role = 'partner' AND organisation_id = $2 AND active",
        user.0,
        organisation.0,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(PlacementError::ContactNotOfOrganisation)?;
    let name = if contact.name.is_empty() {
        partner.name
    } else {
        contact.name.clone()
    };
    let email = if typed_email.is_empty() {
        partner.email
    } else {
        typed_email
    };
    Ok((name, email))
}

/// Creates a `gepland` placement for a participant of `region`, with its audit row.
pub async fn create(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    participant: ParticipantId,
    input: &PlacementInput,
    offer: Option<OfferId>,
) -> Result<PlacementId, PlacementError> {
    participant_in_region(&mut *conn, participant, region)
        .await?
        .ok_or(PlacementError::NotFound)?;
    check_organisation(&mut *conn, input.organisation_id, region).await?;
    let (contact_name, contact_email) =
        resolve_contact(&mut *conn, &input.contact, input.organisation_id).await?;
    let stored = sqlx::query_as!(
        StoredPlacement,
        r#"INSERT INTO placements (participant_id, organisation_id, kind, starts_on, ends_on,
               planned_minutes, contact_user_id, contact_name, contact_email, contact_phone, description,
               offer_id, meets_contact, meets_dutch_setting, meets_new_contacts, meets_unpaid)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
           RETURNING id AS "id: PlacementId",
                     participant_id AS "participant_id: ParticipantId",
                     organisation_id AS "organisation_id: OrganisationId",
                     kind AS "kind: PlacementKind",
                     status AS "status: PlacementStatus",
                     starts_on, ends_on, planned_minutes,
                     contact_user_id AS "contact_user_id: UserId",
                     contact_name, contact_email, contact_phone, description"#,
        participant.0,
        input.organisation_id.0,
        input.kind as PlacementKind,
        input.period.starts_on,
        input.period.ends_on,
        input.planned.get(),
        input.contact.user_id.map(|id| id.0),
        contact_name,
        contact_email,
        input.contact.phone,
        input.description,
        offer.map(|id| id.0),
        input.criteria.map(|c| c.contact),
        input.criteria.map(|c| c.dutch_setting),
        input.criteria.map(|c| c.new_contacts),
        input.criteria.map(|c| c.unpaid),
    )
    .fetch_one(&mut *conn)
    .await?;
    AuditEntry {
        actor: Some(actor),
        action: "aangemaakt",
        entity: "placement",
        entity_id: stored.id.0,
        participant: Some(participant),
    }
    .record::<(), _>(conn, None, Some(&stored.audit()))
    .await?;
    Ok(stored.id)
}

/// Changes a placement of `region`. The organisation stays once hours are logged (their rows
/// carry it), and the period must keep containing the logged hours.
pub async fn update(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: PlacementId,
    input: &PlacementInput,
) -> Result<(), PlacementError> {
    let before = lock_in_region(&mut *conn, id, region).await?;
    if input.organisation_id != before.organisation_id {
        let has_entries = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM hour_entries WHERE placement_id = $1) AS "exists!""#,
            id.0
        )
        .fetch_one(&mut *conn)
        .await?;
        if has_entries {
            return Err(PlacementError::OrganisationFixed);
        }
        check_organisation(&mut *conn, input.organisation_id, region).await?;
    }
    let outside = sqlx::query_scalar!(
        r#"SELECT DISTINCT worked_on FROM hour_entries
           WHERE placement_id = $1 AND status <> 'afgewezen' AND (worked_on < $2 OR worked_on > $3)
           ORDER BY worked_on LIMIT 5"#,
        id.0,
        input.period.starts_on,
        input.period.ends_on,
    )
    .fetch_all(&mut *conn)
    .await?;
    if !outside.is_empty() {
        let dates: Vec<String> = outside.into_iter().map(format_date).collect();
        return Err(PlacementError::EntriesOutsidePeriod(dates.join(", ")));
    }
    let (contact_name, contact_email) =
        resolve_contact(&mut *conn, &input.contact, input.organisation_id).await?;
    let after = sqlx::query_as!(
        StoredPlacement,
        r#"UPDATE placements SET organisation_id = $2, kind = $3, starts_on = $4, ends_on = $5,
               planned_minutes = $6, contact_user_id = $7, contact_name = $8, contact_email = $9,
               contact_phone = $10, description = $11,
               meets_contact = coalesce($12, meets_contact),
               meets_dutch_setting = coalesce($13, meets_dutch_setting),
               meets_new_contacts = coalesce($14, meets_new_contacts),
               meets_unpaid = coalesce($15, meets_unpaid), updated_at = now()
           WHERE id = $1
           RETURNING id AS "id: PlacementId",
                     participant_id AS "participant_id: ParticipantId",
                     organisation_id AS "organisation_id: OrganisationId",
                     kind AS "kind: PlacementKind",
                     status AS "status: PlacementStatus",
                     starts_on, ends_on, planned_minutes,
                     contact_user_id AS "contact_user_id: UserId",
                     contact_name, contact_email, contact_phone, description"#,
        id.0,
        input.organisation_id.0,
        input.kind as PlacementKind,
        input.period.starts_on,
        input.period.ends_on,
        input.planned.get(),
        input.contact.user_id.map(|id| id.0),
        contact_name,
        contact_email,
        input.contact.phone,
        input.description,
        input.criteria.map(|c| c.contact),
        input.criteria.map(|c| c.dutch_setting),
        input.criteria.map(|c| c.new_contacts),
        input.criteria.map(|c| c.unpaid),
    )
    .fetch_one(&mut *conn)
    .await?;
    AuditEntry {
        actor: Some(actor),
        action: "gewijzigd",
        entity: "placement",
        entity_id: id.0,
        participant: Some(before.participant_id),
    }
    .record(conn, Some(&before.audit()), Some(&after.audit()))
    .await?;
    Ok(())
}

/// Moves a placement of `region` to `next`, if the current status allows it.
pub async fn set_status(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: PlacementId,
    next: PlacementStatus,
) -> Result<(), PlacementError> {
    let before = lock_in_region(&mut *conn, id, region).await?;
    let next = before.status.change_to(next)?;
    sqlx::query!(
        "UPDATE placements SET status = $2, updated_at = now() WHERE id = $1",
        id.0,
        next as PlacementStatus,
    )
    .execute(&mut *conn)
    .await?;
    let after = StoredPlacement {
        status: next,
        ..before
    };
    AuditEntry {
        actor: Some(actor),
        action: "status gewijzigd",
        entity: "placement",
        entity_id: id.0,
        participant: Some(after.participant_id),
    }
    .record(
        conn,
        Some(&PlacementAudit {
            status: before.status,
            ..after.audit()
        }),
        Some(&after.audit()),
    )
    .await?;
    Ok(())
}

/// A line in a list of placements, with its confirmed and pending minutes.
#[derive(Debug, Clone)]
pub struct PlacementSummary {
    pub id: PlacementId,
    pub participant_id: ParticipantId,
    pub participant_name: String,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub kind: PlacementKind,
    pub status: PlacementStatus,
    pub starts_on: Date,
    pub ends_on: Date,
    pub planned_minutes: i32,
    pub confirmed_minutes: i64,
    pub pending_minutes: i64,
}

impl PlacementSummary {
    pub fn period_text(&self) -> String {
        format!(
            "{} – {}",
            format_date(self.starts_on),
            format_date(self.ends_on)
        )
    }

    pub fn planned_text(&self) -> String {
        format_minutes(i64::from(self.planned_minutes))
    }

    pub fn confirmed_text(&self) -> String {
        format_minutes(self.confirmed_minutes)
    }

    pub fn pending_text(&self) -> String {
        format_minutes(self.pending_minutes)
    }
}

/// A participant's placements (newest first) with the minutes on each, in one query: the
/// placements by `placements_participant_idx`, their entries by `hour_entries_placement_idx`.
pub async fn list_for_participant(
    conn: &mut PgConnection,
    participant: ParticipantId,
    region: RegionId,
) -> Result<Vec<PlacementSummary>, sqlx::Error> {
    sqlx::query_as!(
        PlacementSummary,
        r#"SELECT pl.id AS "id: PlacementId",
                  pl.participant_id AS "participant_id: ParticipantId",
                  p.full_name AS participant_name,
                  pl.organisation_id AS "organisation_id: OrganisationId",
                  o.name AS organisation_name,
                  pl.kind AS "kind: PlacementKind",
                  pl.status AS "status: PlacementStatus",
                  pl.starts_on, pl.ends_on, pl.planned_minutes,
                  coalesce(sum(e.minutes) FILTER (WHERE e.status = 'bevestigd'), 0)::int8 AS "confirmed_minutes!",
                  coalesce(sum(e.minutes) FILTER (WHERE e.status = 'ingediend'), 0)::int8 AS "pending_minutes!"
           FROM placements pl
           JOIN participants p ON p.id = pl.participant_id
           JOIN organisations o ON o.id = pl.organisation_id
           LEFT JOIN hour_entries e ON e.placement_id = pl.id
           WHERE pl.participant_id = $1 AND p.region_id = $2
           GROUP BY pl.id, p.full_name, o.name
           ORDER BY pl.starts_on DESC, pl.id"#,
        participant.0,
        region.0,
    )
    .fetch_all(conn)
    .await
}

/// One page of an organisation's placements for its partner: running and planned ones first,
/// then by start date, newest first. The page is chosen before the entries are summed, so
/// only the shown placements are aggregated.
pub async fn list_for_organisation(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    offset: i64,
    limit: i64,
) -> Result<Vec<PlacementSummary>, sqlx::Error> {
    sqlx::query_as!(
        PlacementSummary,
        r#"WITH page AS (
               SELECT pl.id, pl.participant_id, pl.organisation_id, pl.kind, pl.status,
                      pl.starts_on, pl.ends_on, pl.planned_minutes,
                      (pl.status IN ('gepland', 'lopend')) AS open
               FROM placements pl
               WHERE pl.organisation_id = $1
               ORDER BY open DESC, pl.starts_on DESC, pl.id
               LIMIT $2 OFFSET $3
           )
           SELECT page.id AS "id: PlacementId",
                  page.participant_id AS "participant_id: ParticipantId",
                  p.full_name AS participant_name,
                  page.organisation_id AS "organisation_id: OrganisationId",
                  o.name AS organisation_name,
                  page.kind AS "kind: PlacementKind",
                  page.status AS "status: PlacementStatus",
                  page.starts_on, page.ends_on, page.planned_minutes,
                  t.confirmed AS "confirmed_minutes!", t.pending AS "pending_minutes!"
           FROM page
           JOIN participants p ON p.id = page.participant_id
           JOIN organisations o ON o.id = page.organisation_id
           CROSS JOIN LATERAL (
               SELECT coalesce(sum(e.minutes) FILTER (WHERE e.status = 'bevestigd'), 0)::int8 AS confirmed,
                      coalesce(sum(e.minutes) FILTER (WHERE e.status = 'ingediend'), 0)::int8 AS pending
               FROM hour_entries e WHERE e.placement_id = page.id
           ) t
           ORDER BY page.open DESC, page.starts_on DESC, page.id"#,
        organisation.0,
        limit,
        offset,
    )
    .fetch_all(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn planned(typed: &str) -> Result<i32, PlacementError> {
        parse_planned(typed).map(Minutes::get)
    }

    #[test]
    fn planned_hours_accept_whole_hours_and_the_duration_notations() {
        for (typed, minutes) in [
            ("40", 2400),
            ("40u", 2400),
            ("40 uur", 2400),
            (" 40 U ", 2400),
            ("40h", 2400),
            ("12u30", 750),
            ("12:30", 750),
            ("12,5", 750),
            ("12.5u", 750),
            ("90 min", 90),
            ("100", 6000),
            ("1000", 60_000),
        ] {
            assert_eq!(planned(typed).ok(), Some(minutes), "{typed:?}");
        }
    }

    #[test]
    fn planned_hours_explain_what_is_wrong() {
        assert!(matches!(planned(""), Err(PlacementError::PlannedEmpty)));
        assert!(matches!(planned("  "), Err(PlacementError::PlannedEmpty)));
        for typed in ["veertig", "40u30u", "-5", "1:2:3", "u"] {
            assert!(
                matches!(planned(typed), Err(PlacementError::PlannedUnreadable)),
                "{typed:?}"
            );
        }
        assert!(matches!(planned("0"), Err(PlacementError::PlannedZero)));
        assert!(matches!(planned("0u"), Err(PlacementError::PlannedZero)));
        assert!(matches!(
            planned("12u75"),
            Err(PlacementError::PlannedMinutesOutOfRange)
        ));
        assert!(matches!(
            planned("1001"),
            Err(PlacementError::PlannedTooLong)
        ));
        assert!(matches!(
            planned("99999999"),
            Err(PlacementError::PlannedTooLong) | Err(PlacementError::PlannedUnreadable)
        ));
    }

    #[test]
    fn kinds_and_statuses_parse_their_codes() {
        for kind in PlacementKind::ALL {
            assert_eq!(PlacementKind::parse(kind.code()), Some(kind));
        }
        assert_eq!(
            PlacementKind::parse(" Taalstage "),
            Some(PlacementKind::Taalstage)
        );
        assert_eq!(PlacementKind::parse("job"), None);
        for status in PlacementStatus::ALL {
            assert_eq!(PlacementStatus::parse(status.code()), Some(status));
        }
        assert_eq!(PlacementStatus::parse(""), None);
    }

    #[test]
    fn status_changes_follow_the_lifecycle() {
        use PlacementStatus::*;
        assert_eq!(Gepland.change_to(Lopend).ok(), Some(Lopend));
        assert_eq!(Lopend.change_to(Afgerond).ok(), Some(Afgerond));
        assert_eq!(Afgerond.change_to(Lopend).ok(), Some(Lopend));
        assert_eq!(Geannuleerd.change_to(Gepland).ok(), Some(Gepland));
        for status in PlacementStatus::ALL {
            assert!(status.change_to(status).is_err(), "{status:?} to itself");
        }
        let refused = Afgerond.change_to(Geannuleerd).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Een plaatsing die afgerond is, kan niet naar geannuleerd."
        );
        assert!(!Geannuleerd.accepts_hours());
        assert!(Gepland.accepts_hours() && Lopend.accepts_hours() && Afgerond.accepts_hours());
    }

    #[test]
    fn a_period_includes_both_ends_and_never_runs_backwards() {
        let period = Period::new(date!(2026 - 11 - 01), date!(2026 - 11 - 30)).unwrap();
        assert!(period.contains(date!(2026 - 11 - 01)));
        assert!(period.contains(date!(2026 - 11 - 30)));
        assert!(!period.contains(date!(2026 - 10 - 31)));
        assert!(!period.contains(date!(2026 - 12 - 01)));
        assert!(Period::new(date!(2026 - 11 - 01), date!(2026 - 11 - 01)).is_ok());
        assert!(matches!(
            Period::new(date!(2026 - 11 - 02), date!(2026 - 11 - 01)),
            Err(PlacementError::EndBeforeStart)
        ));
    }

    fn form() -> PlacementFields<'static> {
        PlacementFields {
            organisation_id: "6f1c3c4e-2b8a-4a57-9d3e-0d6f1b2a9c11",
            kind: "buddy",
            starts_on: "01/11/2026",
            ends_on: "2026-12-31",
            planned: "40u",
            contact_user_id: "",
            contact_name: " Marie Claes ",
            contact_email: "",
            contact_phone: "",
            description: "",
            criteria: None,
        }
    }

    #[test]
    fn a_complete_form_becomes_an_input() {
        let input = PlacementInput::parse(&form()).unwrap();
        assert_eq!(input.kind, PlacementKind::Buddy);
        assert_eq!(input.planned.get(), 2400);
        assert_eq!(input.period.starts_on(), date!(2026 - 11 - 01));
        assert_eq!(input.period.ends_on(), date!(2026 - 12 - 31));
        assert_eq!(input.contact.name, "Marie Claes");
        assert_eq!(input.contact.email, None);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_name() {
        let bad = PlacementFields {
            organisation_id: "",
            kind: "job",
            starts_on: "31/02/2026",
            ends_on: "morgen",
            planned: "0",
            contact_name: "",
            contact_email: "marie@",
            ..form()
        };
        let errors = PlacementInput::parse(&bad).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(field, _)| *field).collect();
        assert_eq!(
            fields,
            [
                fields::ORGANISATION,
                fields::KIND,
                fields::STARTS_ON,
                fields::ENDS_ON,
                fields::PLANNED,
                fields::CONTACT_NAME,
                fields::CONTACT_EMAIL
            ]
        );
    }

    #[test]
    fn the_end_cannot_precede_the_start() {
        let backwards = PlacementFields {
            starts_on: "01/12/2026",
            ends_on: "30/11/2026",
            ..form()
        };
        let errors = PlacementInput::parse(&backwards).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, fields::ENDS_ON);
        assert!(matches!(errors[0].1, PlacementError::EndBeforeStart));
    }

    #[test]
    fn a_partner_user_can_stand_in_for_the_contact_name() {
        let with_user = PlacementFields {
            contact_user_id: "0b0e7c56-7a0d-4d1c-8f1e-2a3b4c5d6e7f",
            contact_name: "",
            ..form()
        };
        let input = PlacementInput::parse(&with_user).unwrap();
        assert!(input.contact.user_id.is_some());
        assert_eq!(input.contact.name, "");
    }
}
