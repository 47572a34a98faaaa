//! Aanbod: the activities partner organisations open for inburgeraars, their approval against
//! the criteria of the participatie- en netwerktraject, matching a participant to them, and
//! taking a place. Their rules and their SQL.
//!
//! Every query takes a [`Scope`]: staff see the offers of their region, a partner those of
//! their own organisation. An offer outside the scope does not exist.
//!
//! Places are never stored as a counter: the taken places of an offer are its `gepland` and
//! `lopend` placements, counted when needed; taking a place locks the offer row first, so two
//! coaches taking the last place at once end with one placement.

use std::sync::Arc;

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;
use uuid::Uuid;

use super::audit::AuditEntry;
use super::dates::{DateError, format_date, iso_date, parse_date};
use super::ids::{
    MunicipalityId, OfferId, OrganisationId, ParticipantId, PlacementId, RegionId, UserId,
};
use super::participant::DutchLevel;
use super::placement::{self, Contact, Period, PlacementInput, PlacementKind, Scope};
use super::search::{contains_pattern, search_key};
use super::user::Email;

// --- Taalicoon ----------------------------------------------------------------------------------

/// How much Dutch an activity asks, 1 to 4 (the Flemish convention, also in UiTdatabank).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Taalicoon(u8);

impl Taalicoon {
    pub const ALL: [Self; 4] = [Self(1), Self(2), Self(3), Self(4)];

    pub fn new(level: i16) -> Option<Self> {
        (1..=4)
            .contains(&level)
            .then(|| Self(u8::try_from(level).unwrap_or(1)))
    }

    pub fn parse(input: &str) -> Option<Self> {
        input.trim().parse::<i16>().ok().and_then(Self::new)
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn db(self) -> i16 {
        i16::from(self.0)
    }

    /// What the icon means, in the words of the convention.
    pub fn meaning(self) -> &'static str {
        match self.0 {
            1 => "Je begrijpt of spreekt nog maar weinig Nederlands.",
            2 => "Je begrijpt al wat Nederlands, maar spreekt het nog niet veel.",
            3 => "Je begrijpt al redelijk veel Nederlands en kan iets vertellen.",
            _ => "Je begrijpt veel Nederlands en spreekt het goed.",
        }
    }

    /// The highest taalicoon a Dutch level is ready for: A0/A1 → 1, A2 → 2, B1 → 3, B2 → 4.
    pub fn for_level(level: DutchLevel) -> Self {
        match level {
            DutchLevel::A0 | DutchLevel::A1 => Self(1),
            DutchLevel::A2 => Self(2),
            DutchLevel::B1 => Self(3),
            DutchLevel::B2 => Self(4),
        }
    }

    /// Indices 1..=4 with whether each bar of the icon is filled, for the template.
    pub fn bars(self) -> Vec<bool> {
        (1..=4).map(|n| n <= self.0).collect()
    }
}

// --- Days and parts of the day -----------------------------------------------------------------

/// Form field code and name of each weekday, Monday first.
pub const WEEKDAYS: [(&str, &str); 7] = [
    ("dag_ma", "maandag"),
    ("dag_di", "dinsdag"),
    ("dag_wo", "woensdag"),
    ("dag_do", "donderdag"),
    ("dag_vr", "vrijdag"),
    ("dag_za", "zaterdag"),
    ("dag_zo", "zondag"),
];

pub const DAY_PARTS: [(&str, &str); 3] = [
    ("deel_vm", "voormiddag"),
    ("deel_nm", "namiddag"),
    ("deel_av", "avond"),
];

/// A set of weekdays (bit 0 = maandag), as the database stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Weekdays(u8);

impl Weekdays {
    pub fn from_db(bits: i16) -> Self {
        Self(u8::try_from(bits & 0x7f).unwrap_or(0))
    }

    /// From the seven checkboxes of a form, Monday first: a box is ticked when it sent a value.
    pub fn from_checked(checked: [bool; 7]) -> Self {
        Self(
            checked
                .iter()
                .enumerate()
                .filter(|(_, on)| **on)
                .fold(0, |bits, (i, _)| bits | (1 << i)),
        )
    }

    pub fn db(self) -> i16 {
        i16::from(self.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, index: usize) -> bool {
        index < 7 && self.0 & (1 << index) != 0
    }

    pub fn overlap(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// "maandag, woensdag en vrijdag"
    pub fn text(self) -> String {
        let names: Vec<&str> = WEEKDAYS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.contains(*i))
            .map(|(_, (_, name))| *name)
            .collect();
        join_dutch(&names)
    }

    /// For the checkboxes of a form: (field, name, ticked).
    pub fn choices(self) -> Vec<(&'static str, &'static str, bool)> {
        WEEKDAYS
            .iter()
            .enumerate()
            .map(|(i, (field, name))| (*field, *name, self.contains(i)))
            .collect()
    }
}

/// Parts of the day (bit 0 = voormiddag, 1 = namiddag, 2 = avond).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DayParts(u8);

impl DayParts {
    pub fn from_db(bits: i16) -> Self {
        Self(u8::try_from(bits & 0x7).unwrap_or(0))
    }

    pub fn from_checked(checked: [bool; 3]) -> Self {
        Self(
            checked
                .iter()
                .enumerate()
                .filter(|(_, on)| **on)
                .fold(0, |bits, (i, _)| bits | (1 << i)),
        )
    }

    pub fn db(self) -> i16 {
        i16::from(self.0)
    }

    pub fn contains(self, index: usize) -> bool {
        index < 3 && self.0 & (1 << index) != 0
    }

    pub fn text(self) -> String {
        let names: Vec<&str> = DAY_PARTS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.contains(*i))
            .map(|(_, (_, name))| *name)
            .collect();
        join_dutch(&names)
    }

    pub fn choices(self) -> Vec<(&'static str, &'static str, bool)> {
        DAY_PARTS
            .iter()
            .enumerate()
            .map(|(i, (field, name))| (*field, *name, self.contains(i)))
            .collect()
    }
}

/// "a", "a en b", "a, b en c"
fn join_dutch(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} en {last}", rest.join(", ")),
    }
}

/// When an offer takes place, in words: "maandag en woensdag, voormiddag" or "in overleg".
pub fn when_text(days: Weekdays, parts: DayParts, by_arrangement: bool) -> String {
    if by_arrangement || days.is_empty() {
        return "In overleg".to_string();
    }
    let parts = parts.text();
    let mut text = days.text();
    if let Some(first) = text.get(..1) {
        text = format!("{}{}", first.to_uppercase(), &text[1..]);
    }
    if parts.is_empty() {
        text
    } else {
        format!("{text}, {parts}")
    }
}

// --- Criteria ----------------------------------------------------------------------------------

/// The criteria an activity must meet to count toward the trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Criteria {
    pub contact: bool,
    pub dutch_setting: bool,
    pub new_contacts: bool,
    pub unpaid: bool,
}

/// Form field and wording of each criterion, in the order of [`Criteria::values`].
pub const CRITERIA: [(&str, &str); 4] = [
    (
        "meets_contact",
        "Contact met andere mensen, in een duo of in een groep",
    ),
    ("meets_dutch_setting", "In een Nederlandstalige omgeving"),
    (
        "meets_new_contacts",
        "Nieuwe contacten buiten de eigen kring",
    ),
    ("meets_unpaid", "Geen betaald werk"),
];

impl Criteria {
    pub fn values(self) -> [bool; 4] {
        [
            self.contact,
            self.dutch_setting,
            self.new_contacts,
            self.unpaid,
        ]
    }

    pub fn from_checked(checked: [bool; 4]) -> Self {
        let [contact, dutch_setting, new_contacts, unpaid] = checked;
        Self {
            contact,
            dutch_setting,
            new_contacts,
            unpaid,
        }
    }

    pub fn all_met(self) -> bool {
        self.values().iter().all(|met| *met)
    }

    /// (field, wording, met) for the form and the offer page.
    pub fn choices(self) -> Vec<(&'static str, &'static str, bool)> {
        CRITERIA
            .iter()
            .zip(self.values())
            .map(|((field, text), met)| (*field, *text, met))
            .collect()
    }
}

// --- Approval and state ------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "offer_approval", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Approval {
    Voorgesteld,
    Goedgekeurd,
    Geweigerd,
}

impl Approval {
    pub const ALL: [Self; 3] = [Self::Voorgesteld, Self::Goedgekeurd, Self::Geweigerd];

    /// The value in filters and the database, and the badge's CSS class suffix.
    pub fn code(self) -> &'static str {
        match self {
            Self::Voorgesteld => "voorgesteld",
            Self::Goedgekeurd => "goedgekeurd",
            Self::Geweigerd => "geweigerd",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == input.trim())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "offer_state", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum OfferState {
    Open,
    Gepauzeerd,
    Gesloten,
}

impl OfferState {
    pub const ALL: [Self; 3] = [Self::Open, Self::Gepauzeerd, Self::Gesloten];

    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Gepauzeerd => "gepauzeerd",
            Self::Gesloten => "gesloten",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == input.trim())
    }

    /// What a button that moves an offer to this state says.
    pub fn action_label(self) -> &'static str {
        match self {
            Self::Open => "Weer openstellen",
            Self::Gepauzeerd => "Pauzeren",
            Self::Gesloten => "Sluiten",
        }
    }

    /// A closed offer stays closed: its placements remain, new ones go to a new offer.
    pub fn next(self) -> &'static [Self] {
        match self {
            Self::Open => &[Self::Gepauzeerd, Self::Gesloten],
            Self::Gepauzeerd => &[Self::Open, Self::Gesloten],
            Self::Gesloten => &[],
        }
    }
}

// --- Input -------------------------------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
pub enum OfferError {
    #[error("Kies een partnerorganisatie van uw regio.")]
    OrganisationMissing,
    #[error("Vul een titel in.")]
    TitleMissing,
    #[error("Dit veld heeft hoogstens {max} tekens.")]
    TooLong { field: &'static str, max: usize },
    #[error("Kies een vorm: buddy, stage, vrijwilligerswerk of taalstage.")]
    KindMissing,
    #[error("Kies een gemeente van de regio.")]
    MunicipalityMissing,
    #[error("Kies minstens één dag, of vink ‘in overleg’ aan.")]
    DaysMissing,
    #[error("Vul het aantal plaatsen in: een getal van 1 tot 500.")]
    PlacesInvalid,
    #[error("{0}")]
    Date(DateError),
    #[error("De einddatum ligt voor de begindatum.")]
    EndBeforeStart,
    #[error("Vul de naam van de contactpersoon in.")]
    ContactNameMissing,
    #[error("Vul een geldig e-mailadres in, bijvoorbeeld naam@vereniging.be, of laat het leeg.")]
    ContactEmailInvalid,
    #[error("Kies een taalicoon van 1 tot 4.")]
    TaalicoonMissing,
    #[error(
        "Een aanbod dat niet aan alle criteria voldoet, kan niet goedgekeurd worden: vink aan wat klopt, of kies een ander aanbod."
    )]
    CriteriaNotMet,
    #[error("Vul de reden van de weigering in: de partnerorganisatie ziet ze.")]
    RefusalReasonMissing,
    #[error("Dit aanbod is al {}.", .0.code())]
    AlreadyDecided(Approval),
    #[error("Een aanbod dat {} is, kan niet {}.", from.code(), to.code())]
    StateChange { from: OfferState, to: OfferState },
    #[error(
        "Dit aanbod is niet (meer) beschikbaar: het is niet goedgekeurd, gepauzeerd, gesloten of afgelopen."
    )]
    NotAvailable,
    #[error("Alle plaatsen van dit aanbod zijn intussen ingenomen. Kies een ander aanbod.")]
    Full,
    #[error("Deze inburgeraar heeft al een plaats in dit aanbod.")]
    AlreadyPlaced,
    #[error("Alleen een inburgeraar met een actief traject kan een plaats krijgen.")]
    ParticipantNotActive,
    #[error("offer not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The names of the offer form's fields.
pub mod fields {
    pub const ORGANISATION: &str = "organisation_id";
    pub const TITLE: &str = "title";
    pub const DESCRIPTION: &str = "description";
    pub const KIND: &str = "kind";
    pub const MUNICIPALITY: &str = "municipality_id";
    pub const ADDRESS: &str = "address";
    pub const DAYS: &str = "dagen";
    pub const PLACES: &str = "places";
    pub const STARTS_ON: &str = "starts_on";
    pub const ENDS_ON: &str = "ends_on";
    pub const CONTACT_NAME: &str = "contact_name";
    pub const CONTACT_EMAIL: &str = "contact_email";
    pub const CONTACT_PHONE: &str = "contact_phone";
    pub const CONTACT_LANGUAGES: &str = "contact_languages";
    pub const TAALICOON: &str = "taalicoon";
    pub const CRITERIA: &str = "criteria";
    pub const REASON: &str = "reason";
}

/// The offer form as typed; the checkboxes already read as ticked or not.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfferFields<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub kind: &'a str,
    pub municipality_id: &'a str,
    pub address: &'a str,
    pub days: Weekdays,
    pub day_parts: DayParts,
    pub by_arrangement: bool,
    pub places: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub contact_name: &'a str,
    pub contact_email: &'a str,
    pub contact_phone: &'a str,
    pub contact_languages: &'a str,
    pub taalicoon: &'a str,
    pub criteria: Criteria,
    pub criteria_note: &'a str,
}

/// An offer as the form describes it; the municipality is checked against the region on save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferInput {
    pub title: String,
    pub description: String,
    pub kind: PlacementKind,
    pub municipality_id: MunicipalityId,
    pub address: String,
    pub days: Weekdays,
    pub day_parts: DayParts,
    pub by_arrangement: bool,
    pub places: i32,
    pub period: Period,
    pub contact_name: String,
    pub contact_email: Option<Email>,
    pub contact_phone: String,
    pub contact_languages: String,
    pub taalicoon: Taalicoon,
    pub criteria: Criteria,
    pub criteria_note: String,
}

const TEXT_MAX: usize = 200;
const LONG_TEXT_MAX: usize = 4000;

fn bounded(field: &'static str, input: &str, max: usize) -> Result<String, OfferError> {
    let text = input.trim();
    if text.chars().count() > max {
        Err(OfferError::TooLong { field, max })
    } else {
        Ok(text.to_string())
    }
}

impl OfferInput {
    /// Every problem with the field it belongs to, in the order of the form. The criteria are
    /// recorded as declared; only approval demands that all are met.
    pub fn parse(form: &OfferFields<'_>) -> Result<Self, Vec<(&'static str, OfferError)>> {
        let mut errors: Vec<(&'static str, OfferError)> = Vec::new();
        fn keep<T>(
            errors: &mut Vec<(&'static str, OfferError)>,
            field: &'static str,
            result: Result<T, OfferError>,
        ) -> Option<T> {
            result.map_err(|error| errors.push((field, error))).ok()
        }
        let title = keep(
            &mut errors,
            fields::TITLE,
            bounded(fields::TITLE, form.title, TEXT_MAX).and_then(|title| {
                if title.is_empty() {
                    Err(OfferError::TitleMissing)
                } else {
                    Ok(title)
                }
            }),
        );
        let description = keep(
            &mut errors,
            fields::DESCRIPTION,
            bounded(fields::DESCRIPTION, form.description, LONG_TEXT_MAX),
        );
        let kind = keep(
            &mut errors,
            fields::KIND,
            PlacementKind::parse(form.kind).ok_or(OfferError::KindMissing),
        );
        let municipality_id = keep(
            &mut errors,
            fields::MUNICIPALITY,
            Uuid::parse_str(form.municipality_id.trim())
                .map(MunicipalityId)
                .map_err(|_| OfferError::MunicipalityMissing),
        );
        let address = keep(
            &mut errors,
            fields::ADDRESS,
            bounded(fields::ADDRESS, form.address, 300),
        );
        let days = keep(
            &mut errors,
            fields::DAYS,
            if form.days.is_empty() && !form.by_arrangement {
                Err(OfferError::DaysMissing)
            } else {
                Ok(form.days)
            },
        );
        let places = keep(
            &mut errors,
            fields::PLACES,
            form.places
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|n| (1..=500).contains(n))
                .ok_or(OfferError::PlacesInvalid),
        );
        let starts_on = keep(
            &mut errors,
            fields::STARTS_ON,
            parse_date(form.starts_on).map_err(OfferError::Date),
        );
        let ends_on = keep(
            &mut errors,
            fields::ENDS_ON,
            parse_date(form.ends_on).map_err(OfferError::Date),
        );
        let period = match (starts_on, ends_on) {
            (Some(starts_on), Some(ends_on)) => keep(
                &mut errors,
                fields::ENDS_ON,
                Period::new(starts_on, ends_on).map_err(|_| OfferError::EndBeforeStart),
            ),
            _ => None,
        };
        let contact_name = keep(
            &mut errors,
            fields::CONTACT_NAME,
            bounded(fields::CONTACT_NAME, form.contact_name, TEXT_MAX).and_then(|name| {
                if name.is_empty() {
                    Err(OfferError::ContactNameMissing)
                } else {
                    Ok(name)
                }
            }),
        );
        let contact_email = keep(
            &mut errors,
            fields::CONTACT_EMAIL,
            match form.contact_email.trim() {
                "" => Ok(None),
                typed => Email::parse(typed)
                    .map(Some)
                    .map_err(|_| OfferError::ContactEmailInvalid),
            },
        );
        let contact_phone = keep(
            &mut errors,
            fields::CONTACT_PHONE,
            bounded(fields::CONTACT_PHONE, form.contact_phone, 50),
        );
        let contact_languages = keep(
            &mut errors,
            fields::CONTACT_LANGUAGES,
            bounded(fields::CONTACT_LANGUAGES, form.contact_languages, TEXT_MAX),
        );
        let taalicoon = keep(
            &mut errors,
            fields::TAALICOON,
            Taalicoon::parse(form.taalicoon).ok_or(OfferError::TaalicoonMissing),
        );
        let criteria_note = keep(
            &mut errors,
            fields::CRITERIA,
            bounded(fields::CRITERIA, form.criteria_note, LONG_TEXT_MAX),
        );
        match (
            title,
            description,
            kind,
            municipality_id,
            address,
            days,
            places,
            period,
            contact_name,
            contact_email,
            contact_phone,
            contact_languages,
            taalicoon,
            criteria_note,
        ) {
            (
                Some(title),
                Some(description),
                Some(kind),
                Some(municipality_id),
                Some(address),
                Some(days),
                Some(places),
                Some(period),
                Some(contact_name),
                Some(contact_email),
                Some(contact_phone),
                Some(contact_languages),
                Some(taalicoon),
                Some(criteria_note),
            ) if errors.is_empty() => Ok(Self {
                title,
                description,
                kind,
                municipality_id,
                address,
                days,
                day_parts: form.day_parts,
                by_arrangement: form.by_arrangement,
                places,
                period,
                contact_name,
                contact_email,
                contact_phone,
                contact_languages,
                taalicoon,
                criteria: form.criteria,
                criteria_note,
            }),
            _ => Err(errors),
        }
    }
}

// --- Reading -----------------------------------------------------------------------------------

/// One offer as its page shows it, with its taken places counted from the placements.
#[derive(Debug, Clone)]
pub struct Offer {
    pub id: OfferId,
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub region_id: RegionId,
    pub title: String,
    pub description: String,
    pub kind: PlacementKind,
    pub municipality_id: MunicipalityId,
    pub municipality: String,
    pub address: String,
    pub days: i16,
    pub day_parts: i16,
    pub by_arrangement: bool,
    pub places: i32,
    pub taken: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub contact_languages: String,
    pub taalicoon: i16,
    pub meets_contact: bool,
    pub meets_dutch_setting: bool,
    pub meets_new_contacts: bool,
    pub meets_unpaid: bool,
    pub criteria_note: String,
    pub approval: Approval,
    pub refusal_reason: Option<String>,
    pub state: OfferState,
}

impl Offer {
    pub fn free(&self) -> i64 {
        (i64::from(self.places) - self.taken).max(0)
    }

    pub fn taalicoon(&self) -> Taalicoon {
        Taalicoon::new(self.taalicoon).unwrap_or(Taalicoon(4))
    }

    pub fn weekdays(&self) -> Weekdays {
        Weekdays::from_db(self.days)
    }

    pub fn parts(&self) -> DayParts {
        DayParts::from_db(self.day_parts)
    }

    pub fn when_text(&self) -> String {
        when_text(self.weekdays(), self.parts(), self.by_arrangement)
    }

    pub fn period_text(&self) -> String {
        format!(
            "{} – {}",
            format_date(self.starts_on),
            format_date(self.ends_on)
        )
    }

    pub fn criteria(&self) -> Criteria {
        Criteria {
            contact: self.meets_contact,
            dutch_setting: self.meets_dutch_setting,
            new_contacts: self.meets_new_contacts,
            unpaid: self.meets_unpaid,
        }
    }

    /// The form fields as stored, to prefill the edit page: (title, description, …) strings.
    pub fn iso_starts_on(&self) -> String {
        iso_date(self.starts_on)
    }

    pub fn iso_ends_on(&self) -> String {
        iso_date(self.ends_on)
    }
}

/// The offer, when it lies inside `scope`.
pub async fn get(
    conn: &mut PgConnection,
    id: OfferId,
    scope: Scope,
) -> Result<Option<Offer>, sqlx::Error> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        Offer,
        r#"SELECT o.id AS "id: OfferId",
                  o.organisation_id AS "organisation_id: OrganisationId",
                  org.name AS organisation_name,
                  o.region_id AS "region_id: RegionId",
                  o.title, o.description, o.kind AS "kind: PlacementKind",
                  o.municipality_id AS "municipality_id: MunicipalityId", m.name AS municipality,
                  o.address, o.days, o.day_parts, o.by_arrangement, o.places,
                  (SELECT count(*) FROM placements pl
                   WHERE pl.offer_id = o.id AND pl.status IN ('gepland', 'lopend')) AS "taken!",
                  o.starts_on, o.ends_on, o.contact_name, o.contact_email, o.contact_phone,
                  o.contact_languages, o.taalicoon, o.meets_contact, o.meets_dutch_setting,
                  o.meets_new_contacts, o.meets_unpaid, o.criteria_note,
                  o.approval AS "approval: Approval", o.refusal_reason,
                  o.state AS "state: OfferState"
           FROM offers o
           JOIN organisations org ON org.id = o.organisation_id
           JOIN municipalities m ON m.id = o.municipality_id
           WHERE o.id = $1 AND (o.region_id = $2 OR o.organisation_id = $3)"#,
        id.0,
        region,
        organisation,
    )
    .fetch_optional(conn)
    .await
}

/// What the offers list can be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct OfferFilter {
    pub search: Option<String>,
    pub municipality: Option<MunicipalityId>,
    pub kind: Option<PlacementKind>,
    /// At most this taalicoon.
    pub taalicoon: Option<Taalicoon>,
    /// Index of a weekday (0 = maandag); offers "in overleg" always match.
    pub day: Option<usize>,
    pub free_only: bool,
    pub approval: Option<Approval>,
}

/// A line in the offers list.
#[derive(Debug, Clone)]
pub struct OfferRow {
    pub id: OfferId,
    pub title: String,
    pub organisation_name: String,
    pub kind: PlacementKind,
    pub municipality: String,
    pub taalicoon: i16,
    pub places: i32,
    pub taken: i64,
    pub approval: Approval,
    pub state: OfferState,
}

impl OfferRow {
    pub fn free(&self) -> i64 {
        (i64::from(self.places) - self.taken).max(0)
    }

    pub fn taalicoon(&self) -> Taalicoon {
        Taalicoon::new(self.taalicoon).unwrap_or(Taalicoon(4))
    }
}

/// One page of the offers in `scope`, newest first.
pub async fn list(
    conn: &mut PgConnection,
    scope: Scope,
    filter: &OfferFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<OfferRow>, sqlx::Error> {
    let (region, organisation) = scope.params();
    let day_bit = filter.day.filter(|day| *day < 7).map(|day| 1_i16 << day);
    sqlx::query_as!(
        OfferRow,
        r#"SELECT o.id AS "id: OfferId", o.title, org.name AS organisation_name,
                  o.kind AS "kind: PlacementKind", m.name AS municipality, o.taalicoon, o.places,
                  t.taken AS "taken!", o.approval AS "approval: Approval",
                  o.state AS "state: OfferState"
           FROM offers o
           JOIN organisations org ON org.id = o.organisation_id
           JOIN municipalities m ON m.id = o.municipality_id
           CROSS JOIN LATERAL (
               SELECT count(*) AS taken FROM placements pl
               WHERE pl.offer_id = o.id AND pl.status IN ('gepland', 'lopend')
           ) t
           WHERE (o.region_id = $1 OR o.organisation_id = $2)
             AND ($3::text IS NULL OR o.search_title LIKE $3 OR org.search_name LIKE $3)
             AND ($4::uuid IS NULL OR o.municipality_id = $4)
             AND ($5::placement_kind IS NULL OR o.kind = $5)
             AND ($6::int2 IS NULL OR o.taalicoon <= $6)
             AND ($7::int2 IS NULL OR o.by_arrangement OR o.days = 0 OR o.days & $7 <> 0)
             AND (NOT $8 OR (t.taken < o.places AND o.state = 'open'))
             AND ($9::offer_approval IS NULL OR o.approval = $9)
           ORDER BY o.created_at DESC, o.id
           LIMIT $10 OFFSET $11"#,
        region,
        organisation,
        filter.search.as_deref().map(contains_pattern),
        filter.municipality.map(|m| m.0),
        filter.kind as Option<PlacementKind>,
        filter.taalicoon.map(Taalicoon::db),
        day_bit,
        filter.free_only,
        filter.approval as Option<Approval>,
        limit,
        offset,
    )
    .fetch_all(conn)
    .await
}

/// A municipality an offer can be in: those of the scope's region, by name.
#[derive(Debug, Clone)]
pub struct MunicipalityChoice {
    pub id: MunicipalityId,
    pub name: String,
}

pub async fn municipality_choices(
    conn: &mut PgConnection,
    scope: Scope,
) -> Result<Vec<MunicipalityChoice>, sqlx::Error> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        MunicipalityChoice,
        r#"SELECT m.id AS "id: MunicipalityId", m.name FROM municipalities m
           WHERE m.region_id = $1
              OR m.region_id = (SELECT region_id FROM organisations WHERE id = $2)
           ORDER BY m.name"#,
        region,
        organisation,
    )
    .fetch_all(conn)
    .await
}

// --- Changing ----------------------------------------------------------------------------------

/// What the audit log keeps of an offer.
#[derive(Debug, Serialize)]
struct OfferAudit<'a> {
    organisation_id: OrganisationId,
    title: &'a str,
    kind: PlacementKind,
    municipality_id: MunicipalityId,
    address: &'a str,
    days: i16,
    day_parts: i16,
    by_arrangement: bool,
    places: i32,
    starts_on: String,
    ends_on: String,
    contact_name: &'a str,
    contact_languages: &'a str,
    taalicoon: i16,
    criteria: Criteria,
    criteria_note: &'a str,
    approval: Approval,
    refusal_reason: Option<&'a str>,
    state: OfferState,
}

impl Offer {
    fn audit(&self) -> OfferAudit<'_> {
        OfferAudit {
            organisation_id: self.organisation_id,
            title: &self.title,
            kind: self.kind,
            municipality_id: self.municipality_id,
            address: &self.address,
            days: self.days,
            day_parts: self.day_parts,
            by_arrangement: self.by_arrangement,
            places: self.places,
            starts_on: iso_date(self.starts_on),
            ends_on: iso_date(self.ends_on),
            contact_name: &self.contact_name,
            contact_languages: &self.contact_languages,
            taalicoon: self.taalicoon,
            criteria: self.criteria(),
            criteria_note: &self.criteria_note,
            approval: self.approval,
            refusal_reason: self.refusal_reason.as_deref(),
            state: self.state,
        }
    }
}

async fn audit(
    conn: &mut PgConnection,
    actor: UserId,
    action: &str,
    before: Option<&Offer>,
    after: &Offer,
) -> Result<(), sqlx::Error> {
    AuditEntry {
        actor: Some(actor),
        action,
        entity: "offer",
        entity_id: after.id.0,
        participant: None,
    }
    .record(
        conn,
        before.map(Offer::audit).as_ref(),
        Some(&after.audit()),
    )
    .await
}

/// Locks the offer's row for the rest of the transaction and returns it.
async fn lock(conn: &mut PgConnection, id: OfferId, scope: Scope) -> Result<Offer, OfferError> {
    let (region, organisation) = scope.params();
    sqlx::query!(
        "SELECT id FROM offers WHERE id = $1 AND (region_id = $2 OR organisation_id = $3)
         FOR UPDATE",
        id.0,
        region,
        organisation,
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(OfferError::NotFound)?;
    get(conn, id, scope).await?.ok_or(OfferError::NotFound)
}

/// The municipality must lie in the organisation's region; returns that region.
async fn check_place(
    conn: &mut PgConnection,
    organisation: OrganisationId,
    scope: Scope,
    municipality: MunicipalityId,
) -> Result<RegionId, OfferError> {
    let (region, scoped_organisation) = scope.params();
    let found = sqlx::query!(
        r#"SELECT org.region_id AS "region_id: RegionId",
                  EXISTS (SELECT 1 FROM municipalities m
                          WHERE m.id = $4 AND m.region_id = org.region_id) AS "inside!"
           FROM organisations org
           WHERE org.id = $1 AND org.active AND (org.region_id = $2 OR org.id = $3)"#,
        organisation.0,
        region,
        scoped_organisation,
        municipality.0,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(OfferError::OrganisationMissing)?;
    if found.inside {
        Ok(found.region_id)
    } else {
        Err(OfferError::MunicipalityMissing)
    }
}

/// Creates a `voorgesteld` offer of `organisation`, which must lie inside `scope`.
pub async fn create(
    conn: &mut PgConnection,
    actor: UserId,
    scope: Scope,
    organisation: OrganisationId,
    input: &OfferInput,
) -> Result<OfferId, OfferError> {
    let region = check_place(&mut *conn, organisation, scope, input.municipality_id).await?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO offers (organisation_id, region_id, title, search_title, description, kind,
               municipality_id, address, days, day_parts, by_arrangement, places, starts_on,
               ends_on, contact_name, contact_email, contact_phone, contact_languages, taalicoon,
               meets_contact, meets_dutch_setting, meets_new_contacts, meets_unpaid, criteria_note)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                   $18, $19, $20, $21, $22, $23, $24)
           RETURNING id AS "id: OfferId""#,
        organisation.0,
        region.0,
        input.title,
        search_key(&input.title),
        input.description,
        input.kind as PlacementKind,
        input.municipality_id.0,
        input.address,
        input.days.db(),
        input.day_parts.db(),
        input.by_arrangement,
        input.places,
        input.period.starts_on(),
        input.period.ends_on(),
        input.contact_name,
        input
            .contact_email
            .as_ref()
            .map(Email::as_str)
            .unwrap_or_default(),
        input.contact_phone,
        input.contact_languages,
        input.taalicoon.db(),
        input.criteria.contact,
        input.criteria.dutch_setting,
        input.criteria.new_contacts,
        input.criteria.unpaid,
        input.criteria_note,
    )
    .fetch_one(&mut *conn)
    .await?;
    let after = get(&mut *conn, id, scope)
        .await?
        .ok_or(OfferError::NotFound)?;
    audit(conn, actor, "aangemaakt", None, &after).await?;
    Ok(id)
}

/// Changes an offer inside `scope`. When the partner changes it, it goes back to
/// `voorgesteld`: what the coordinator approved is no longer what is offered.
pub async fn update(
    conn: &mut PgConnection,
    actor: UserId,
    scope: Scope,
    id: OfferId,
    input: &OfferInput,
) -> Result<(), OfferError> {
    let before = lock(&mut *conn, id, scope).await?;
    check_place(
        &mut *conn,
        before.organisation_id,
        scope,
        input.municipality_id,
    )
    .await?;
    let needs_approval_again = matches!(scope, Scope::Organisation(_))
        || (before.approval == Approval::Goedgekeurd && !input.criteria.all_met());
    sqlx::query!(
        r#"UPDATE offers SET title = $2, search_title = $3, description = $4, kind = $5,
               municipality_id = $6, address = $7, days = $8, day_parts = $9, by_arrangement = $10,
               places = $11, starts_on = $12, ends_on = $13, contact_name = $14,
               contact_email = $15, contact_phone = $16, contact_languages = $17, taalicoon = $18,
               meets_contact = $19, meets_dutch_setting = $20, meets_new_contacts = $21,
               meets_unpaid = $22, criteria_note = $23,
               approval = CASE WHEN $24 THEN 'voorgesteld' ELSE approval END,
               refusal_reason = CASE WHEN $24 THEN NULL ELSE refusal_reason END,
               updated_at = now()
           WHERE id = $1"#,
        id.0,
        input.title,
        search_key(&input.title),
        input.description,
        input.kind as PlacementKind,
        input.municipality_id.0,
        input.address,
        input.days.db(),
        input.day_parts.db(),
        input.by_arrangement,
        input.places,
        input.period.starts_on(),
        input.period.ends_on(),
        input.contact_name,
        input
            .contact_email
            .as_ref()
            .map(Email::as_str)
            .unwrap_or_default(),
        input.contact_phone,
        input.contact_languages,
        input.taalicoon.db(),
        input.criteria.contact,
        input.criteria.dutch_setting,
        input.criteria.new_contacts,
        input.criteria.unpaid,
        input.criteria_note,
        needs_approval_again,
    )
    .execute(&mut *conn)
    .await?;
    let after = get(&mut *conn, id, scope)
        .await?
        .ok_or(OfferError::NotFound)?;
    audit(conn, actor, "gewijzigd", Some(&before), &after).await?;
    Ok(())
}

/// Pauses, reopens or closes an offer inside `scope`.
pub async fn set_state(
    conn: &mut PgConnection,
    actor: UserId,
    scope: Scope,
    id: OfferId,
    next: OfferState,
) -> Result<(), OfferError> {
    let before = lock(&mut *conn, id, scope).await?;
    if !before.state.next().contains(&next) {
        return Err(OfferError::StateChange {
            from: before.state,
            to: next,
        });
    }
    sqlx::query!(
        "UPDATE offers SET state = $2, updated_at = now() WHERE id = $1",
        id.0,
        next as OfferState,
    )
    .execute(&mut *conn)
    .await?;
    let after = Offer {
        state: next,
        ..before.clone()
    };
    audit(conn, actor, "status gewijzigd", Some(&before), &after).await?;
    Ok(())
}

/// A coordinator's decision on a `voorgesteld` offer of their region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Refuse { reason: String },
}

impl Decision {
    pub fn refuse(reason: &str) -> Result<Self, OfferError> {
        let reason = bounded(fields::REASON, reason, LONG_TEXT_MAX)?;
        if reason.is_empty() {
            Err(OfferError::RefusalReasonMissing)
        } else {
            Ok(Self::Refuse { reason })
        }
    }
}

/// Approves an offer against the criteria, or refuses it with a reason. Only an offer that
/// meets every criterion can be approved; a refused offer can be approved after all (the
/// partner may have explained), an approved one can be refused (it changed in practice).
pub async fn decide(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    id: OfferId,
    decision: &Decision,
) -> Result<(), OfferError> {
    let scope = Scope::Region(region);
    let before = lock(&mut *conn, id, scope).await?;
    let (approval, reason) = match decision {
        Decision::Approve => {
            if !before.criteria().all_met() {
                return Err(OfferError::CriteriaNotMet);
            }
            (Approval::Goedgekeurd, None)
        }
        Decision::Refuse { reason } => (Approval::Geweigerd, Some(reason.as_str())),
    };
    if before.approval == approval {
        return Err(OfferError::AlreadyDecided(approval));
    }
    sqlx::query!(
        "UPDATE offers SET approval = $2, refusal_reason = $3, decided_by = $4, decided_at = now(),
             updated_at = now()
         WHERE id = $1",
        id.0,
        approval as Approval,
        reason,
        actor.0,
    )
    .execute(&mut *conn)
    .await?;
    let after = Offer {
        approval,
        refusal_reason: reason.map(str::to_string),
        ..before.clone()
    };
    let action = match approval {
        Approval::Goedgekeurd => "goedgekeurd",
        _ => "geweigerd",
    };
    audit(conn, actor, action, Some(&before), &after).await?;
    Ok(())
}

// --- Matching ----------------------------------------------------------------------------------

/// What matching knows of the participant.
#[derive(Debug, Clone)]
pub struct Profile {
    pub municipality_id: MunicipalityId,
    /// The municipalities bordering the participant's (`neighbours`).
    pub neighbours: Vec<MunicipalityId>,
    pub dutch_level: DutchLevel,
    pub languages: String,
    pub available_days: Weekdays,
    /// The form the coach looks for, if any.
    pub wanted_kind: Option<PlacementKind>,
}

/// The municipalities that border `municipality`.
pub async fn neighbours(
    conn: &mut PgConnection,
    municipality: MunicipalityId,
) -> Result<Vec<MunicipalityId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT neighbour_id AS "id: MunicipalityId" FROM municipality_neighbours
           WHERE municipality_id = $1"#,
        municipality.0
    )
    .fetch_all(conn)
    .await
}

/// An approved, open offer with free places, as matching ranks it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: OfferId,
    pub title: String,
    pub organisation_name: String,
    pub kind: PlacementKind,
    pub municipality_id: MunicipalityId,
    pub municipality: String,
    pub days: i16,
    pub day_parts: i16,
    pub by_arrangement: bool,
    pub taalicoon: i16,
    pub contact_languages: String,
    pub places: i32,
    pub free: i64,
}

impl Candidate {
    pub fn taalicoon(&self) -> Taalicoon {
        Taalicoon::new(self.taalicoon).unwrap_or(Taalicoon(4))
    }

    pub fn when_text(&self) -> String {
        when_text(
            Weekdays::from_db(self.days),
            DayParts::from_db(self.day_parts),
            self.by_arrangement,
        )
    }
}

/// The approved, open, running offers of `region` that still have a free place; taken places
/// come from `placements_offer_idx`.
async fn candidates(
    conn: &mut PgConnection,
    region: RegionId,
    today: Date,
) -> Result<Vec<Candidate>, sqlx::Error> {
    sqlx::query_as!(
        Candidate,
        r#"SELECT o.id AS "id: OfferId", o.title, org.name AS organisation_name,
                  o.kind AS "kind: PlacementKind",
                  o.municipality_id AS "municipality_id: MunicipalityId", m.name AS municipality,
                  o.days, o.day_parts, o.by_arrangement, o.taalicoon, o.contact_languages,
                  o.places, (o.places - t.taken) AS "free!"
           FROM offers o
           JOIN organisations org ON org.id = o.organisation_id
           JOIN municipalities m ON m.id = o.municipality_id
           CROSS JOIN LATERAL (
               SELECT count(*) AS taken FROM placements pl
               WHERE pl.offer_id = o.id AND pl.status IN ('gepland', 'lopend')
           ) t
           WHERE o.region_id = $1 AND o.approval = 'goedgekeurd' AND o.state = 'open'
             AND o.ends_on >= $2 AND org.active AND t.taken < o.places"#,
        region.0,
        today,
    )
    .fetch_all(conn)
    .await
}

/// A region's open offers (`candidates`) as read at one catalogue version and day.
#[derive(Debug)]
pub struct OpenOffers {
    version: i64,
    day: Date,
    pub offers: Vec<Candidate>,
}

/// Regions' open offers kept in memory. Matching ranks every open offer of the region, which
/// is most of its work when read from the database each time; a copy is used only while the
/// region's catalogue version (`offer_catalogue_versions`, changed by triggers in the same
/// transaction as anything matching reads) and the day are those it was read at, so a copy
/// is always exactly what the query would return, also with several app instances.
#[derive(Clone)]
pub struct Catalogue {
    copies: moka::sync::Cache<RegionId, Arc<OpenOffers>>,
}

/// Regions whose open offers are kept (each a few hundred kilobytes at Flanders scale).
const CATALOGUE_REGIONS: u64 = 64;

impl Default for Catalogue {
    fn default() -> Self {
        Self {
            copies: moka::sync::Cache::new(CATALOGUE_REGIONS),
        }
    }
}

impl Catalogue {
    /// The open offers of `region` today: the kept copy if still current, else read anew.
    /// The version is read first, so a copy is never older than the version it is kept under.
    pub async fn open_offers(
        &self,
        conn: &mut PgConnection,
        region: RegionId,
        today: Date,
    ) -> Result<Arc<OpenOffers>, sqlx::Error> {
        let version = sqlx::query_scalar!(
            r#"SELECT coalesce((SELECT version FROM offer_catalogue_versions
                                WHERE region_id = $1), 0) AS "version!""#,
            region.0
        )
        .fetch_one(&mut *conn)
        .await?;
        if let Some(copy) = self.copies.get(&region)
            && copy.version == version
            && copy.day == today
        {
            return Ok(copy);
        }
        let copy = Arc::new(OpenOffers {
            version,
            day: today,
            offers: candidates(conn, region, today).await?,
        });
        self.copies.insert(region, Arc::clone(&copy));
        Ok(copy)
    }
}

/// One line of "why": a fit or a misfit, always in words (the icon beside it is decoration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub fits: bool,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Suggestion {
    pub offer: Candidate,
    pub score: i32,
    pub reasons: Vec<Reason>,
}

impl Suggestion {
    /// The offer asks more Dutch than the participant's level allows.
    pub fn too_demanding(&self, level: DutchLevel) -> bool {
        self.offer.taalicoon() > Taalicoon::for_level(level)
    }
}

/// Languages typed as free text ("Arabisch, Frans en Engels"), as search keys.
fn language_keys(text: &str) -> Vec<(String, String)> {
    text.split([',', ';', '/', '\n'])
        .flat_map(|part| part.split(" en "))
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| (search_key(part), part.to_string()))
        .collect()
}

/// Points and, when asked for, the reasons in Dutch: ranking scores every offer of the region,
/// the words are written only for the suggestions shown.
struct Assessment {
    score: i32,
    reasons: Option<Vec<Reason>>,
}

impl Assessment {
    fn note(&mut self, fits: bool, points: i32, text: impl FnOnce() -> String) {
        self.score += points;
        if let Some(reasons) = &mut self.reasons {
            reasons.push(Reason { fits, text: text() });
        }
    }
}

/// How well one offer fits: the weights put the language demand first (an activity the person cannot follow helps
/// nobody), then the place, then the form asked for, then the days, then a shared language.
/// `spoken` is `language_keys(&profile.languages)`, computed once per ranking.
fn assess_with(
    profile: &Profile,
    spoken: &[(String, String)],
    offer: &Candidate,
    explain: bool,
) -> Assessment {
    let mut a = Assessment {
        score: 0,
        reasons: explain.then(Vec::new),
    };

    let recommended = Taalicoon::for_level(profile.dutch_level);
    let icon = offer.taalicoon();
    let level = profile.dutch_level.code();
    if icon <= recommended {
        a.note(true, 40, || {
            format!("taalicoon {}: past bij {level}", icon.get())
        });
    } else {
        a.note(
            false,
            -25 * i32::from(icon.get() - recommended.get()),
            || {
                format!(
                    "taalicoon {}: hoger dan aanbevolen voor {level}",
                    icon.get()
                )
            },
        );
    }

    if offer.municipality_id == profile.municipality_id {
        a.note(true, 30, || {
            format!("in de eigen gemeente ({})", offer.municipality)
        });
    } else if profile.neighbours.contains(&offer.municipality_id) {
        a.note(true, 20, || {
            format!("in een buurgemeente ({})", offer.municipality)
        });
    } else {
        a.note(false, 0, || {
            format!("verder weg: {}, geen buurgemeente", offer.municipality)
        });
    }

    if let Some(wanted) = profile.wanted_kind {
        if offer.kind == wanted {
            a.note(true, 20, || {
                format!("vorm: {}, zoals gezocht", offer.kind.label().to_lowercase())
            });
        } else {
            a.note(false, 0, || {
                format!(
                    "vorm: {}, niet {}",
                    offer.kind.label().to_lowercase(),
                    wanted.label().to_lowercase()
                )
            });
        }
    }

    let offer_days = Weekdays::from_db(offer.days);
    if offer.by_arrangement || offer_days.is_empty() {
        a.note(true, 10, || "dagen in overleg".to_string());
    } else if profile.available_days.is_empty() {
        a.note(false, 0, || {
            format!(
                "op {}: de beschikbare dagen zijn nog niet ingevuld",
                offer_days.text()
            )
        });
    } else {
        let shared = offer_days.overlap(profile.available_days);
        if shared.is_empty() {
            a.note(false, -15, || {
                format!("op {}: niet op een beschikbare dag", offer_days.text())
            });
        } else {
            a.note(true, 15, || {
                format!("op {}: een beschikbare dag", shared.text())
            });
        }
    }

    let contact = language_keys(&offer.contact_languages);
    if !contact.is_empty() {
        let shared: Vec<&str> = contact
            .iter()
            .filter(|(key, _)| spoken.iter().any(|(spoken, _)| spoken == key))
            .map(|(_, name)| name.as_str())
            .collect();
        if shared.is_empty() {
            a.note(false, 0, || {
                "geen gedeelde taal met de contactpersoon".to_string()
            });
        } else {
            a.note(true, 10, || {
                format!("de contactpersoon spreekt ook {}", join_dutch(&shared))
            });
        }
    }
    a
}

/// The best `shown` candidates by fit, best first (ties by free places, then by title), with
/// their reasons; and how many candidates there were.
pub fn rank(profile: &Profile, candidates: &[Candidate], shown: usize) -> (usize, Vec<Suggestion>) {
    let spoken = language_keys(&profile.languages);
    let total = candidates.len();
    let mut scored: Vec<(i32, &Candidate)> = candidates
        .iter()
        .map(|offer| (assess_with(profile, &spoken, offer, false).score, offer))
        .collect();
    scored.sort_by(|(a_score, a), (b_score, b)| {
        b_score
            .cmp(a_score)
            .then(b.free.cmp(&a.free))
            .then_with(|| a.title.cmp(&b.title))
            .then(a.id.cmp(&b.id))
    });
    scored.truncate(shown);
    let suggestions = scored
        .into_iter()
        .map(|(score, offer)| Suggestion {
            reasons: assess_with(profile, &spoken, offer, true)
                .reasons
                .unwrap_or_default(),
            offer: offer.clone(),
            score,
        })
        .collect();
    (total, suggestions)
}

/// The planned hours of a placement taken from the catalogue: the trajectory's 40.
const PLANNED_MINUTES: i32 = 40 * 60;

/// Takes a place in an offer for a participant of `region`: a `gepland` placement from the
/// later of today and the offer's start to the offer's end. The offer row is locked first,
/// so the free places counted next cannot be taken by anyone else before this commits.
pub async fn take_place(
    conn: &mut PgConnection,
    actor: UserId,
    region: RegionId,
    participant: ParticipantId,
    id: OfferId,
    today: Date,
) -> Result<PlacementId, OfferError> {
    let someone = placement::participant_in_region(&mut *conn, participant, region)
        .await?
        .ok_or(OfferError::NotFound)?;
    if !someone.active {
        return Err(OfferError::ParticipantNotActive);
    }
    let offer = lock(&mut *conn, id, Scope::Region(region)).await?;
    if offer.approval != Approval::Goedgekeurd
        || offer.state != OfferState::Open
        || offer.ends_on < today
    {
        return Err(OfferError::NotAvailable);
    }
    let already = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM placements WHERE offer_id = $1 AND participant_id = $2
                          AND status IN ('gepland', 'lopend')) AS "exists!""#,
        id.0,
        participant.0,
    )
    .fetch_one(&mut *conn)
    .await?;
    if already {
        return Err(OfferError::AlreadyPlaced);
    }
    if offer.free() == 0 {
        return Err(OfferError::Full);
    }
    let period = Period::new(offer.starts_on.max(today), offer.ends_on)
        .map_err(|_| OfferError::NotAvailable)?;
    let input = PlacementInput {
        organisation_id: offer.organisation_id,
        kind: offer.kind,
        period,
        planned: super::hours::Minutes::new(PLANNED_MINUTES).ok_or(OfferError::NotAvailable)?,
        contact: Contact {
            user_id: None,
            name: offer.contact_name.clone(),
            email: Email::parse(&offer.contact_email).ok(),
            phone: offer.contact_phone.clone(),
        },
        description: offer.title.clone(),
        criteria: None,
    };
    placement::create(&mut *conn, actor, region, participant, &input, Some(id))
        .await
        .map_err(|error| match error {
            placement::PlacementError::Database(error) => OfferError::Database(error),
            placement::PlacementError::NotFound => OfferError::NotFound,
            _ => OfferError::NotAvailable,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How well one offer fits, with the reasons in Dutch.
    fn assess(profile: &Profile, offer: &Candidate) -> (i32, Vec<Reason>) {
        let spoken = language_keys(&profile.languages);
        let assessment = assess_with(profile, &spoken, offer, true);
        (assessment.score, assessment.reasons.unwrap_or_default())
    }

    fn candidate(title: &str, icon: i16, municipality: MunicipalityId) -> Candidate {
        Candidate {
            id: OfferId(Uuid::new_v4()),
            title: title.to_string(),
            organisation_name: "Org".to_string(),
            kind: PlacementKind::Buddy,
            municipality_id: municipality,
            municipality: "Brugge".to_string(),
            days: 0,
            day_parts: 0,
            by_arrangement: true,
            taalicoon: icon,
            contact_languages: String::new(),
            places: 1,
            free: 1,
        }
    }

    #[test]
    fn taaliconen_follow_the_dutch_level() {
        use DutchLevel::*;
        let expected = [(A0, 1), (A1, 1), (A2, 2), (B1, 3), (B2, 4)];
        for (level, icon) in expected {
            assert_eq!(Taalicoon::for_level(level).get(), icon, "{level:?}");
        }
        assert_eq!(Taalicoon::parse("0"), None);
        assert_eq!(Taalicoon::parse("5"), None);
        assert_eq!(Taalicoon::parse(" 3 ").map(Taalicoon::get), Some(3));
    }

    #[test]
    fn days_read_as_dutch_words() {
        let days = Weekdays::from_checked([true, false, true, false, true, false, false]);
        assert_eq!(days.text(), "maandag, woensdag en vrijdag");
        assert_eq!(Weekdays::from_db(days.db()), days);
        assert_eq!(
            when_text(days, DayParts::from_checked([true, false, false]), false),
            "Maandag, woensdag en vrijdag, voormiddag"
        );
        assert_eq!(when_text(days, DayParts::default(), true), "In overleg");
    }

    #[test]
    fn a_demanding_offer_is_marked_and_ranked_lower() {
        let home = MunicipalityId(Uuid::new_v4());
        let profile = Profile {
            municipality_id: home,
            neighbours: Vec::new(),
            dutch_level: DutchLevel::A1,
            languages: "Arabisch, Frans".to_string(),
            available_days: Weekdays::default(),
            wanted_kind: None,
        };
        let (total, ranked) = rank(
            &profile,
            &[
                candidate("Moeilijk", 4, home),
                candidate("Makkelijk", 1, home),
            ],
            2,
        );
        assert_eq!(total, 2);
        assert_eq!(ranked[0].offer.title, "Makkelijk");
        assert!(ranked[1].reasons.contains(&Reason {
            fits: false,
            text: "taalicoon 4: hoger dan aanbevolen voor A1".into()
        }));
        assert!(ranked[1].too_demanding(DutchLevel::A1));
    }

    #[test]
    fn only_the_shown_suggestions_are_explained_and_all_are_counted() {
        let home = MunicipalityId(Uuid::new_v4());
        let profile = Profile {
            municipality_id: home,
            neighbours: Vec::new(),
            dutch_level: DutchLevel::A1,
            languages: String::new(),
            available_days: Weekdays::default(),
            wanted_kind: None,
        };
        let elsewhere = MunicipalityId(Uuid::new_v4());
        let (total, ranked) = rank(
            &profile,
            &[
                candidate("Ver weg", 1, elsewhere),
                candidate("Dichtbij", 1, home),
                candidate("Moeilijk", 4, home),
            ],
            2,
        );
        assert_eq!(total, 3);
        let titles: Vec<&str> = ranked.iter().map(|s| s.offer.title.as_str()).collect();
        assert_eq!(titles, ["Dichtbij", "Ver weg"]);
        for suggestion in &ranked {
            let (score, reasons) = assess(&profile, &suggestion.offer);
            assert_eq!((suggestion.score, &suggestion.reasons), (score, &reasons));
        }
    }

    #[test]
    fn shared_languages_are_found_word_by_word() {
        let home = MunicipalityId(Uuid::new_v4());
        let profile = Profile {
            municipality_id: home,
            neighbours: Vec::new(),
            dutch_level: DutchLevel::B1,
            languages: "Arabisch en Frans".to_string(),
            available_days: Weekdays::default(),
            wanted_kind: None,
        };
        let offer = Candidate {
            contact_languages: "Engels; frans".to_string(),
            ..candidate("Taalcafé", 2, home)
        };
        let (_, reasons) = assess(&profile, &offer);
        assert!(reasons.contains(&Reason {
            fits: true,
            text: "de contactpersoon spreekt ook frans".into()
        }));
    }
}
