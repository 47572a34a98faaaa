//! Time spent in a placement: durations as people type them, and the rules for hour entries.

use std::fmt;

use serde::Serialize;
use sqlx::PgConnection;
use time::{Date, OffsetDateTime};

use super::audit::AuditEntry;
use super::dates::{format_date, iso_date, parse_date};
use super::ids::{EntryId, OrganisationId, ParticipantId, PlacementId, UserId};
use super::placement::{Period, Placement, PlacementKind, PlacementStatus, Scope};

/// Most time one participant can log on one day, across all placements.
pub const MAX_MINUTES_PER_DAY: i32 = 12 * 60;

/// Whole minutes of activity, more than zero; built only by [`Minutes::parse`], [`Minutes::new`]
/// (which checks) or the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type, Serialize)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct Minutes(i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("Vul een duur in, bijvoorbeeld 1:30, 1u30, 1,5 of 90 min.")]
    Empty,
    #[error("Dit is geen duur die Veertig kent. Schrijf bijvoorbeeld 1:30, 1u30, 1,5 of 90 min.")]
    Unreadable,
    #[error("De duur moet meer dan nul zijn.")]
    Zero,
    #[error("Minuten gaan van 0 tot 59: schrijf bijvoorbeeld 1:30 of 90 min.")]
    MinutesOutOfRange,
    #[error("Zoveel tijd past niet in één dag. Bedoelde u {0} min?")]
    TooLongPerhapsMinutes(u32),
    #[error("Dat is te lang: hoogstens 12 uur per dag.")]
    TooLong,
}

impl Minutes {
    /// Accepts `1:30`, `1u30`, `1 u 30`, `1h30`, `1,5`, `1.5`, `90 min`, `90m`, `2u`, `2 uur`, `2`.
    /// A bare number is hours. Anything longer than a day is refused here already.
    pub fn parse(input: &str) -> Result<Self, DurationError> {
        let text: String = input
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if text.is_empty() {
            return Err(DurationError::Empty);
        }
        let minutes_only = strip_any_suffix(&text, &["minuten", "minuut", "min", "m"])
            .filter(|number| number.bytes().all(|b| b.is_ascii_digit()));
        let minutes = if let Some(number) = minutes_only {
            whole(number)?
        } else if let Some((hours, minutes)) = text.split_once(':') {
            hours_and_minutes(hours, minutes)?
        } else if let Some((hours, rest)) = split_hours(&text) {
            let minutes = strip_any_suffix(rest, &["minuten", "min", "m"]).unwrap_or(rest);
            if minutes.is_empty() {
                decimal_hours(hours)?
            } else {
                hours_and_minutes(hours, minutes)?
            }
        } else {
            let minutes = decimal_hours(&text)?;
            if minutes > u64::from(24 * 60u32) {
                // "45" typed as a number of minutes.
                let typed = u32::try_from(minutes / 60).unwrap_or(u32::MAX);
                return Err(DurationError::TooLongPerhapsMinutes(typed));
            }
            minutes
        };
        if minutes == 0 {
            return Err(DurationError::Zero);
        }
        if minutes > 24 * 60 {
            return Err(DurationError::TooLong);
        }
        i32::try_from(minutes)
            .map(Self)
            .map_err(|_| DurationError::TooLong)
    }

    /// For values computed from other `Minutes` (sums, planned hours); `None` unless positive.
    pub fn new(minutes: i32) -> Option<Self> {
        (minutes > 0).then_some(Self(minutes))
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// `12 u 30`, `2 u`, `45 min`: the way a Flemish time sheet writes it.
pub fn format_minutes(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let minutes = minutes.unsigned_abs();
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{sign}{m} min"),
        (h, 0) => format!("{sign}{h} u"),
        (h, m) => format!("{sign}{h} u {m:02}"),
    }
}

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_minutes(i64::from(self.0)))
    }
}

pub(crate) fn strip_any_suffix<'a>(text: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    suffixes.iter().find_map(|suffix| text.strip_suffix(suffix))
}

/// Splits `2u30`, `2uur`, `2h15` at the hour word.
pub(crate) fn split_hours(text: &str) -> Option<(&str, &str)> {
    for word in ["uur", "u", "h"] {
        if let Some(at) = text.find(word) {
            return Some((&text[..at], &text[at + word.len()..]));
        }
    }
    None
}

pub(crate) fn whole(digits: &str) -> Result<u64, DurationError> {
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DurationError::Unreadable);
    }
    digits.parse().map_err(|_| DurationError::Unreadable)
}

pub(crate) fn hours_and_minutes(hours: &str, minutes: &str) -> Result<u64, DurationError> {
    let hours = if hours.is_empty() { 0 } else { whole(hours)? };
    let minutes = whole(minutes)?;
    if minutes >= 60 {
        return Err(DurationError::MinutesOutOfRange);
    }
    Ok(hours * 60 + minutes)
}

/// `1,5` and `1.5` are one and a half hours; rounded to the nearest minute.
pub(crate) fn decimal_hours(text: &str) -> Result<u64, DurationError> {
    let (int, frac) = match text.split_once([',', '.']) {
        Some((int, frac)) => (int, frac),
        None => (text, ""),
    };
    let hours = if int.is_empty() && !frac.is_empty() {
        0
    } else {
        whole(int)?
    };
    if frac.is_empty() {
        return Ok(hours * 60);
    }
    let fraction = whole(frac)?;
    let scale = 10u64.pow(u32::try_from(frac.len()).map_err(|_| DurationError::Unreadable)?);
    Ok(hours * 60 + (fraction * 60 + scale / 2) / scale)
}

// ---------------------------------------------------------------------------------------------
// Hour entries: the rules for logging, changing and removing them, and their SQL.
// ---------------------------------------------------------------------------------------------

/// Pending until the partner decides; only confirmed minutes count toward the requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type, Serialize)]
#[sqlx(type_name = "entry_status", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    Ingediend,
    Bevestigd,
    Afgewezen,
}

impl EntryStatus {
    /// The database value, and the badge's CSS class suffix.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ingediend => "ingediend",
            Self::Bevestigd => "bevestigd",
            Self::Afgewezen => "afgewezen",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Ingediend => "Ingediend",
            Self::Bevestigd => "Bevestigd",
            Self::Afgewezen => "Afgewezen",
        }
    }

    /// Only pending entries can still be edited or deleted.
    pub fn is_pending(self) -> bool {
        self == Self::Ingediend
    }
}

/// Most dates one submission may carry: a year of weekly meetings.
pub const MAX_DATES_AT_ONCE: usize = 53;

/// What is wrong with an entry, in words the person who typed it understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("Vul minstens één datum in, bijvoorbeeld 23/11/2026.")]
    NoDates,
    #[error("Hoogstens {MAX_DATES_AT_ONCE} datums tegelijk. Verdeel ze over meerdere keren.")]
    TooManyDates,
    #[error("\"{0}\" is geen datum. Schrijf bijvoorbeeld 23/11/2026.")]
    UnreadableDate(String),
    #[error("{} staat meer dan eens in de lijst.", format_date(*.0))]
    DuplicateDate(Date),
    #[error("{} valt voor het begin van de plaatsing ({}).", format_date(*.date), format_date(*.starts_on))]
    BeforeStart { date: Date, starts_on: Date },
    #[error("{} valt na het einde van de plaatsing ({}).", format_date(*.date), format_date(*.ends_on))]
    AfterEnd { date: Date, ends_on: Date },
    #[error("{} ligt in de toekomst: registreer uren nadat ze gepresteerd zijn.", format_date(*.0))]
    InFuture(Date),
    #[error(
        "Op {} staat al {} geregistreerd; met {} erbij is dat meer dan 12 uur op één dag.",
        format_date(*.date), format_minutes(*.already), format_minutes(i64::from(.adding.get()))
    )]
    DayLimit {
        date: Date,
        already: i64,
        adding: Minutes,
    },
    #[error("{0}")]
    Duration(DurationError),
    #[error("Hoogstens 12 uur per dag: vul een kortere duur in.")]
    LongerThanADay,
    #[error("Deze plaatsing is geannuleerd: er kunnen geen uren meer bij.")]
    PlacementCancelled,
    #[error("Deze inburgeraar heeft geen actief traject meer: er kunnen geen uren meer bij.")]
    ParticipantNotActive,
    #[error(
        "Deze uren zijn al {}: ze kunnen niet meer gewijzigd of verwijderd worden.",
        .0.label().to_lowercase()
    )]
    NotPending(EntryStatus),
    #[error(
        "Deze uren werden intussen door iemand anders gewijzigd. Bekijk ze opnieuw en probeer het nog eens."
    )]
    ChangedMeanwhile,
}

/// Which part of a form an [`EntryError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryField {
    Dates,
    Minutes,
    /// The placement, the participant or the entry as a whole.
    Entry,
}

impl EntryError {
    pub fn field(&self) -> EntryField {
        match self {
            Self::NoDates
            | Self::TooManyDates
            | Self::UnreadableDate(_)
            | Self::DuplicateDate(_)
            | Self::BeforeStart { .. }
            | Self::AfterEnd { .. }
            | Self::InFuture(_)
            | Self::DayLimit { .. } => EntryField::Dates,
            Self::Duration(_) | Self::LongerThanADay => EntryField::Minutes,
            Self::PlacementCancelled
            | Self::ParticipantNotActive
            | Self::NotPending(_)
            | Self::ChangedMeanwhile => EntryField::Entry,
        }
    }
}

/// What was wrong with a list of dates, and the dates that could be read, so that the other
/// rules can still be checked on those and one answer names every problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateListError {
    pub readable: Vec<Date>,
    pub errors: Vec<EntryError>,
}

/// A list of dates as typed: one per line (commas and semicolons also separate), each
/// `23/11/2026` or ISO. Every bad or repeated date gets its own message.
pub fn parse_dates(input: &str) -> Result<Vec<Date>, DateListError> {
    let mut dates = Vec::new();
    let mut errors = Vec::new();
    for typed in input
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|typed| !typed.is_empty())
    {
        match parse_date(typed) {
            Ok(date) if dates.contains(&date) => {
                let error = EntryError::DuplicateDate(date);
                if !errors.contains(&error) {
                    errors.push(error);
                }
            }
            Ok(date) => dates.push(date),
            Err(_) => errors.push(EntryError::UnreadableDate(typed.to_string())),
        }
    }
    if dates.is_empty() && errors.is_empty() {
        errors.push(EntryError::NoDates);
    }
    if dates.len() > MAX_DATES_AT_ONCE {
        errors.push(EntryError::TooManyDates);
    }
    if errors.is_empty() {
        Ok(dates)
    } else {
        Err(DateListError {
            readable: dates,
            errors,
        })
    }
}

/// The duration of one entry: what [`Minutes::parse`] reads, and no more than a day allows.
pub fn parse_entry_minutes(input: &str) -> Result<Minutes, EntryError> {
    let minutes = Minutes::parse(input).map_err(EntryError::Duration)?;
    if minutes.get() > MAX_MINUTES_PER_DAY {
        return Err(EntryError::LongerThanADay);
    }
    Ok(minutes)
}

/// An entry's date lies inside its placement's period and not after today (in Belgium).
pub fn check_date(date: Date, period: Period, today: Date) -> Result<(), EntryError> {
    if date < period.starts_on() {
        Err(EntryError::BeforeStart {
            date,
            starts_on: period.starts_on(),
        })
    } else if date > period.ends_on() {
        Err(EntryError::AfterEnd {
            date,
            ends_on: period.ends_on(),
        })
    } else if date > today {
        Err(EntryError::InFuture(date))
    } else {
        Ok(())
    }
}

/// One participant logs at most [`MAX_MINUTES_PER_DAY`] on one day, across all placements;
/// `already` is what other (not rejected) entries of that day hold.
pub fn check_day_total(date: Date, already: i64, adding: Minutes) -> Result<(), EntryError> {
    if already + i64::from(adding.get()) > i64::from(MAX_MINUTES_PER_DAY) {
        Err(EntryError::DayLimit {
            date,
            already,
            adding,
        })
    } else {
        Ok(())
    }
}

/// Hours on a cancelled placement, or for a participant whose trajectory ended, are refused.
pub fn check_open(placement: PlacementStatus, participant_active: bool) -> Vec<EntryError> {
    let mut errors = Vec::new();
    if !placement.accepts_hours() {
        errors.push(EntryError::PlacementCancelled);
    }
    if !participant_active {
        errors.push(EntryError::ParticipantNotActive);
    }
    errors
}

/// Why logging or changing entries did not happen.
#[derive(Debug, thiserror::Error)]
pub enum EntriesError {
    /// The placement or entry does not exist, or lies outside the caller's scope.
    #[error("not found")]
    NotFound,
    /// Problems the user can fix; nothing was written.
    #[error("refused: {0:?}")]
    Refused(Vec<EntryError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Log the same duration on one or more dates of a placement (a weekly buddy meeting).
pub struct NewEntries {
    pub placement: PlacementId,
    /// A partner logs on placements of their organisation, and what they log counts as
    /// confirmed by them; staff log on placements in their region, pending confirmation.
    pub scope: Scope,
    pub logged_by: UserId,
    pub dates: Vec<Date>,
    pub minutes: Minutes,
    pub description: String,
}

impl NewEntries {
    pub fn counts_as_confirmed(&self) -> bool {
        matches!(self.scope, Scope::Organisation(_))
    }
}

/// The placement facts the entry rules need, read under a share lock so that the period or
/// status cannot change until the entries are written.
struct PlacementFacts {
    id: PlacementId,
    participant_id: ParticipantId,
    organisation_id: OrganisationId,
    status: PlacementStatus,
    starts_on: Date,
    ends_on: Date,
}

impl PlacementFacts {
    fn period(&self) -> Result<Period, EntriesError> {
        Period::new(self.starts_on, self.ends_on).map_err(|_| EntriesError::NotFound)
    }
}

async fn placement_facts(
    conn: &mut PgConnection,
    id: PlacementId,
    scope: Scope,
) -> Result<PlacementFacts, EntriesError> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        PlacementFacts,
        r#"SELECT pl.id AS "id: PlacementId",
                  pl.participant_id AS "participant_id: ParticipantId",
                  pl.organisation_id AS "organisation_id: OrganisationId",
                  pl.status AS "status: PlacementStatus",
                  pl.starts_on, pl.ends_on
           FROM placements pl JOIN participants p ON p.id = pl.participant_id
           WHERE pl.id = $1 AND (p.region_id = $2 OR pl.organisation_id = $3)
           FOR SHARE OF pl"#,
        id.0,
        region,
        organisation,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(EntriesError::NotFound)
}

/// Locks the participant's row, so that two submissions for the same participant cannot both
/// pass the 12-hours-a-day check; returns whether the participant is `actief`. Every change to
/// entries takes this lock first, which also keeps the lock order the same everywhere.
pub(crate) async fn lock_participant(
    conn: &mut PgConnection,
    participant: ParticipantId,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT (status = 'actief') AS "active!" FROM participants WHERE id = $1 FOR UPDATE"#,
        participant.0
    )
    .fetch_one(conn)
    .await
}

/// Minutes already logged per day (rejected entries do not count), leaving out one entry.
async fn day_totals(
    conn: &mut PgConnection,
    participant: ParticipantId,
    dates: &[Date],
    except: Option<EntryId>,
) -> Result<Vec<(Date, i64)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT worked_on, sum(minutes)::int8 AS "total!"
           FROM hour_entries
           WHERE participant_id = $1 AND worked_on = ANY($2) AND status <> 'afgewezen'
             AND id IS DISTINCT FROM $3
           GROUP BY worked_on"#,
        participant.0,
        dates,
        except.map(|id| id.0),
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.worked_on, row.total))
        .collect())
}

fn already_on(totals: &[(Date, i64)], date: Date) -> i64 {
    totals
        .iter()
        .find(|(day, _)| *day == date)
        .map_or(0, |(_, total)| *total)
}

/// What the audit log keeps of an entry.
#[derive(Debug, Serialize)]
struct EntryAudit {
    placement_id: PlacementId,
    worked_on: String,
    minutes: i32,
    description: String,
    status: EntryStatus,
    version: i32,
}

/// Writes the entries, all or none, with an audit row each; run it in a transaction and roll
/// back on error. Every rule is checked before anything is written, and every problem is
/// returned, each naming its date.
pub async fn log_entries(
    conn: &mut PgConnection,
    command: &NewEntries,
    today: Date,
) -> Result<Vec<EntryId>, EntriesError> {
    let placement = placement_facts(&mut *conn, command.placement, command.scope).await?;
    let active = lock_participant(&mut *conn, placement.participant_id).await?;
    let mut errors = check_open(placement.status, active);
    if command.dates.is_empty() {
        errors.push(EntryError::NoDates);
    }
    if command.minutes.get() > MAX_MINUTES_PER_DAY {
        errors.push(EntryError::LongerThanADay);
    }
    let period = placement.period()?;
    let totals = day_totals(&mut *conn, placement.participant_id, &command.dates, None).await?;
    for &date in &command.dates {
        if let Err(error) = check_date(date, period, today)
            .and_then(|()| check_day_total(date, already_on(&totals, date), command.minutes))
        {
            errors.push(error);
        }
    }
    if !errors.is_empty() {
        return Err(EntriesError::Refused(errors));
    }

    let confirmed = command.counts_as_confirmed();
    let status = if confirmed {
        EntryStatus::Bevestigd
    } else {
        EntryStatus::Ingediend
    };
    let decided_by = confirmed.then_some(command.logged_by.0);
    let rows = sqlx::query!(
        r#"INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes,
               description, status, created_by, decided_by, decided_at)
           SELECT $1, $2, $3, day, $5, $6, $7, $8, $9, CASE WHEN $9::uuid IS NULL THEN NULL ELSE now() END
           FROM unnest($4::date[]) AS day
           RETURNING id AS "id: EntryId", worked_on, version"#,
        placement.id.0,
        placement.participant_id.0,
        placement.organisation_id.0,
        &command.dates,
        command.minutes.get(),
        command.description,
        status as EntryStatus,
        command.logged_by.0,
        decided_by,
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        AuditEntry {
            actor: Some(command.logged_by),
            action: if confirmed {
                "geregistreerd en bevestigd"
            } else {
                "geregistreerd"
            },
            entity: "hour_entry",
            entity_id: row.id.0,
            participant: Some(placement.participant_id),
        }
        .record::<(), _>(
            &mut *conn,
            None,
            Some(&EntryAudit {
                placement_id: placement.id,
                worked_on: iso_date(row.worked_on),
                minutes: command.minutes.get(),
                description: command.description.clone(),
                status,
                version: row.version,
            }),
        )
        .await?;
        ids.push(row.id);
    }
    Ok(ids)
}

/// One entry with what its edit page shows of the placement.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: EntryId,
    pub placement_id: PlacementId,
    pub participant_id: ParticipantId,
    pub participant_name: String,
    pub organisation_name: String,
    pub kind: PlacementKind,
    pub starts_on: Date,
    pub ends_on: Date,
    pub worked_on: Date,
    pub minutes: i32,
    pub description: String,
    pub status: EntryStatus,
    pub version: i32,
}

impl Entry {
    pub fn duration_text(&self) -> String {
        format_minutes(i64::from(self.minutes))
    }

    pub fn date_text(&self) -> String {
        format_date(self.worked_on)
    }

    pub fn period_text(&self) -> String {
        format!(
            "{} – {}",
            format_date(self.starts_on),
            format_date(self.ends_on)
        )
    }
}

/// The entry, when its placement lies inside `scope`.
pub async fn get_entry(
    conn: &mut PgConnection,
    id: EntryId,
    scope: Scope,
) -> Result<Option<Entry>, sqlx::Error> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        Entry,
        r#"SELECT e.id AS "id: EntryId",
                  e.placement_id AS "placement_id: PlacementId",
                  e.participant_id AS "participant_id: ParticipantId",
                  p.full_name AS participant_name,
                  o.name AS organisation_name,
                  pl.kind AS "kind: PlacementKind",
                  pl.starts_on, pl.ends_on,
                  e.worked_on, e.minutes, e.description,
                  e.status AS "status: EntryStatus",
                  e.version
           FROM hour_entries e
           JOIN placements pl ON pl.id = e.placement_id
           JOIN participants p ON p.id = e.participant_id
           JOIN organisations o ON o.id = e.organisation_id
           WHERE e.id = $1 AND (p.region_id = $2 OR e.organisation_id = $3)"#,
        id.0,
        region,
        organisation,
    )
    .fetch_optional(conn)
    .await
}

/// A line of a placement's entry table.
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub id: EntryId,
    pub worked_on: Date,
    pub minutes: i32,
    pub description: String,
    pub status: EntryStatus,
    pub rejection_reason: Option<String>,
    pub logged_by: Option<String>,
    /// When the latest signed scan supporting it was attached (`domain::scan`).
    pub scanned_at: Option<OffsetDateTime>,
}

impl EntryRow {
    /// "papier, scan van 23/11/2026" for an entry a signed scan supports.
    pub fn source_text(&self) -> Option<String> {
        self.scanned_at.map(|at| {
            format!(
                "papier, scan van {}",
                format_date(super::dates::brussels_date(at))
            )
        })
    }

    pub fn duration_text(&self) -> String {
        format_minutes(i64::from(self.minutes))
    }

    pub fn date_text(&self) -> String {
        format_date(self.worked_on)
    }

    pub fn is_pending(&self) -> bool {
        self.status.is_pending()
    }
}

/// The entries of a placement, newest day first (`hour_entries_placement_idx`). Pass only a
/// placement the caller may see: one returned by `placement::get` with the caller's scope.
pub async fn list_for_placement(
    conn: &mut PgConnection,
    placement: &Placement,
) -> Result<Vec<EntryRow>, sqlx::Error> {
    sqlx::query_as!(
        EntryRow,
        r#"SELECT e.id AS "id: EntryId", e.worked_on, e.minutes, e.description,
                  e.status AS "status: EntryStatus", e.rejection_reason,
                  u.name AS "logged_by?",
                  (SELECT max(s.uploaded_at) FROM scan_entries se JOIN scans s ON s.id = se.scan_id
                   WHERE se.entry_id = e.id) AS scanned_at
           FROM hour_entries e LEFT JOIN users u ON u.id = e.created_by
           WHERE e.placement_id = $1
           ORDER BY e.worked_on DESC, e.created_at DESC"#,
        placement.id.0,
    )
    .fetch_all(conn)
    .await
}

/// A new date, duration and description for a pending entry.
pub struct EntryChange {
    pub entry: EntryId,
    pub scope: Scope,
    pub changed_by: UserId,
    /// The version the form was made from; a change made meanwhile is not overwritten.
    pub version: i32,
    pub worked_on: Date,
    pub minutes: Minutes,
    pub description: String,
}

/// The entry's placement, locked like [`log_entries`] locks it, plus the entry itself.
struct StoredEntry {
    placement_id: PlacementId,
    participant_id: ParticipantId,
    worked_on: Date,
    minutes: i32,
    description: String,
    status: EntryStatus,
    version: i32,
}

impl StoredEntry {
    fn audit(&self) -> EntryAudit {
        EntryAudit {
            placement_id: self.placement_id,
            worked_on: iso_date(self.worked_on),
            minutes: self.minutes,
            description: self.description.clone(),
            status: self.status,
            version: self.version,
        }
    }
}

async fn stored_entry(
    conn: &mut PgConnection,
    id: EntryId,
    scope: Scope,
) -> Result<StoredEntry, EntriesError> {
    let (region, organisation) = scope.params();
    sqlx::query_as!(
        StoredEntry,
        r#"SELECT e.placement_id AS "placement_id: PlacementId",
                  e.participant_id AS "participant_id: ParticipantId",
                  e.worked_on, e.minutes, e.description,
                  e.status AS "status: EntryStatus", e.version
           FROM hour_entries e JOIN participants p ON p.id = e.participant_id
           WHERE e.id = $1 AND (p.region_id = $2 OR e.organisation_id = $3)"#,
        id.0,
        region,
        organisation,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(EntriesError::NotFound)
}

/// Changes a pending entry under the same rules as logging it. The UPDATE itself demands
/// `status = 'ingediend'` and the form's version, so a confirmation that slipped in between
/// wins and nothing confirmed is ever changed.
pub async fn update_entry(
    conn: &mut PgConnection,
    change: &EntryChange,
    today: Date,
) -> Result<(), EntriesError> {
    let entry = stored_entry(&mut *conn, change.entry, change.scope).await?;
    let placement = placement_facts(&mut *conn, entry.placement_id, change.scope).await?;
    let active = lock_participant(&mut *conn, entry.participant_id).await?;
    // Re-read under the lock: the first read may be stale.
    let entry = stored_entry(&mut *conn, change.entry, change.scope).await?;
    if !entry.status.is_pending() {
        return Err(EntriesError::Refused(vec![EntryError::NotPending(
            entry.status,
        )]));
    }
    if entry.version != change.version {
        return Err(EntriesError::Refused(vec![EntryError::ChangedMeanwhile]));
    }
    let mut errors = check_open(placement.status, active);
    if change.minutes.get() > MAX_MINUTES_PER_DAY {
        errors.push(EntryError::LongerThanADay);
    }
    let totals = day_totals(
        &mut *conn,
        entry.participant_id,
        &[change.worked_on],
        Some(change.entry),
    )
    .await?;
    if let Err(error) = check_date(change.worked_on, placement.period()?, today).and_then(|()| {
        check_day_total(
            change.worked_on,
            already_on(&totals, change.worked_on),
            change.minutes,
        )
    }) {
        errors.push(error);
    }
    if !errors.is_empty() {
        return Err(EntriesError::Refused(errors));
    }
    let after = sqlx::query_as!(
        StoredEntry,
        r#"UPDATE hour_entries SET worked_on = $3, minutes = $4, description = $5, version = version + 1
           WHERE id = $1 AND status = 'ingediend' AND version = $2
           RETURNING placement_id AS "placement_id: PlacementId",
                     participant_id AS "participant_id: ParticipantId",
                     worked_on, minutes, description, status AS "status: EntryStatus", version"#,
        change.entry.0,
        change.version,
        change.worked_on,
        change.minutes.get(),
        change.description,
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(EntriesError::Refused(vec![EntryError::ChangedMeanwhile]))?;
    AuditEntry {
        actor: Some(change.changed_by),
        action: "gewijzigd",
        entity: "hour_entry",
        entity_id: change.entry.0,
        participant: Some(entry.participant_id),
    }
    .record(conn, Some(&entry.audit()), Some(&after.audit()))
    .await?;
    Ok(())
}

/// Deletes a pending entry; the DELETE itself demands `status = 'ingediend'`.
pub async fn delete_entry(
    conn: &mut PgConnection,
    id: EntryId,
    scope: Scope,
    deleted_by: UserId,
) -> Result<(), EntriesError> {
    let entry = stored_entry(&mut *conn, id, scope).await?;
    lock_participant(&mut *conn, entry.participant_id).await?;
    let deleted = sqlx::query_as!(
        StoredEntry,
        r#"DELETE FROM hour_entries WHERE id = $1 AND status = 'ingediend'
           RETURNING placement_id AS "placement_id: PlacementId",
                     participant_id AS "participant_id: ParticipantId",
                     worked_on, minutes, description, status AS "status: EntryStatus", version"#,
        id.0,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(deleted) = deleted else {
        let now = stored_entry(&mut *conn, id, scope).await?;
        return Err(EntriesError::Refused(vec![EntryError::NotPending(
            now.status,
        )]));
    };
    AuditEntry {
        actor: Some(deleted_by),
        action: "verwijderd",
        entity: "hour_entry",
        entity_id: id.0,
        participant: Some(deleted.participant_id),
    }
    .record::<_, ()>(conn, Some(&deleted.audit()), None)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_notation_of_the_design_means_ninety() {
        for typed in [
            "1:30",
            "1u30",
            "1,5",
            "1.5",
            "90 min",
            "1 u 30",
            "1h30",
            "1h30m",
            "90m",
            "90 minuten",
            " 1U30 ",
            "1,5u",
        ] {
            assert_eq!(Minutes::parse(typed).map(Minutes::get), Ok(90), "{typed:?}");
        }
    }

    #[test]
    fn whole_hours() {
        for typed in ["2u", "2 uur", "2", "2h", "2:00", "2,0"] {
            assert_eq!(
                Minutes::parse(typed).map(Minutes::get),
                Ok(120),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn small_and_odd_amounts() {
        assert_eq!(Minutes::parse("0:45").map(Minutes::get), Ok(45));
        assert_eq!(Minutes::parse(",25").map(Minutes::get), Ok(15));
        assert_eq!(Minutes::parse("1,33").map(Minutes::get), Ok(80));
        assert_eq!(Minutes::parse("3u05").map(Minutes::get), Ok(185));
    }

    #[test]
    fn nonsense_gets_a_message() {
        assert_eq!(Minutes::parse(""), Err(DurationError::Empty));
        assert_eq!(Minutes::parse("   "), Err(DurationError::Empty));
        for typed in [
            "abc", "1:xx", "u", "1,5,5", "-1", "1:30:00", "twee uur", "1u30u",
        ] {
            assert_eq!(
                Minutes::parse(typed),
                Err(DurationError::Unreadable),
                "{typed:?}"
            );
        }
        assert_eq!(Minutes::parse("0"), Err(DurationError::Zero));
        assert_eq!(Minutes::parse("0 min"), Err(DurationError::Zero));
        assert_eq!(
            Minutes::parse("1:75"),
            Err(DurationError::MinutesOutOfRange)
        );
        assert_eq!(
            Minutes::parse("45"),
            Err(DurationError::TooLongPerhapsMinutes(45))
        );
        assert_eq!(Minutes::parse("2000 min"), Err(DurationError::TooLong));
    }

    #[test]
    fn display_is_flemish() {
        assert_eq!(Minutes::parse("1:30").unwrap().to_string(), "1 u 30");
        assert_eq!(Minutes::parse("2u").unwrap().to_string(), "2 u");
        assert_eq!(Minutes::parse("45 min").unwrap().to_string(), "45 min");
        assert_eq!(format_minutes(2400), "40 u");
        assert_eq!(format_minutes(65), "1 u 05");
    }

    proptest! {
        #[test]
        fn hours_and_minutes_round_trip(h in 0u32..24, m in 0u32..60) {
            prop_assume!(h * 60 + m > 0);
            let expected = i32::try_from(h * 60 + m).unwrap();
            prop_assert_eq!(Minutes::parse(&format!("{h}:{m:02}")).map(Minutes::get), Ok(expected));
            prop_assert_eq!(Minutes::parse(&format!("{h}u{m:02}")).map(Minutes::get), Ok(expected));
            prop_assert_eq!(Minutes::parse(&format!("{} min", h * 60 + m)).map(Minutes::get), Ok(expected));
        }

        #[test]
        fn displayed_minutes_parse_back(minutes in 1i32..=1440) {
            let shown = format_minutes(i64::from(minutes)).replace(' ', "");
            prop_assert_eq!(Minutes::parse(&shown).map(Minutes::get), Ok(minutes));
        }

        #[test]
        fn any_input_parses_or_explains_never_panics(input in "\\PC{0,12}") {
            if let Ok(minutes) = Minutes::parse(&input) {
                prop_assert!(minutes.get() > 0 && minutes.get() <= 1440);
            }
        }
    }
}

#[cfg(test)]
mod entry_rule_tests {
    use super::*;
    use crate::domain::ids::{OrganisationId, RegionId};
    use time::macros::date;
    use uuid::Uuid;

    fn november() -> Period {
        Period::new(date!(2026 - 11 - 01), date!(2026 - 11 - 30)).unwrap()
    }

    fn minutes(typed: &str) -> Minutes {
        Minutes::parse(typed).unwrap()
    }

    #[test]
    fn a_list_of_dates_takes_lines_and_both_notations() {
        let dates = parse_dates("23/11/2026\n2026-11-16\r\n  09/11/2026 \n\n").unwrap();
        assert_eq!(
            dates,
            [
                date!(2026 - 11 - 23),
                date!(2026 - 11 - 16),
                date!(2026 - 11 - 09)
            ]
        );
        assert_eq!(
            parse_dates("2/11/2026, 9/11/2026; 16/11/2026")
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn each_bad_date_gets_its_own_message_naming_it() {
        let refused = parse_dates("23/11/2026\n31/02/2026\nvolgende week\n23/11/2026").unwrap_err();
        assert_eq!(refused.readable, [date!(2026 - 11 - 23)]);
        let errors = refused.errors;
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "\"31/02/2026\" is geen datum. Schrijf bijvoorbeeld 23/11/2026.",
                "\"volgende week\" is geen datum. Schrijf bijvoorbeeld 23/11/2026.",
                "23/11/2026 staat meer dan eens in de lijst.",
            ]
        );
        assert!(errors.iter().all(|e| e.field() == EntryField::Dates));
    }

    #[test]
    fn no_dates_or_too_many_are_refused() {
        assert_eq!(
            parse_dates(" \n ").unwrap_err().errors,
            [EntryError::NoDates]
        );
        let many: Vec<String> = (0..=MAX_DATES_AT_ONCE)
            .map(|week| {
                let day = date!(2026 - 01 - 01) + time::Duration::weeks(week as i64);
                crate::domain::dates::format_date(day)
            })
            .collect();
        assert_eq!(
            parse_dates(&many.join("\n")).unwrap_err().errors,
            [EntryError::TooManyDates]
        );
        assert!(parse_dates(&many[..MAX_DATES_AT_ONCE].join("\n")).is_ok());
    }

    #[test]
    fn an_entry_lasts_at_most_twelve_hours() {
        assert_eq!(parse_entry_minutes("12u").map(Minutes::get), Ok(720));
        assert_eq!(
            parse_entry_minutes("12u01"),
            Err(EntryError::LongerThanADay)
        );
        assert_eq!(
            parse_entry_minutes("0"),
            Err(EntryError::Duration(DurationError::Zero))
        );
        assert_eq!(
            parse_entry_minutes("twee").unwrap_err().field(),
            EntryField::Minutes
        );
    }

    #[test]
    fn the_date_lies_in_the_period_and_not_in_the_future() {
        let today = date!(2026 - 11 - 20);
        assert_eq!(check_date(date!(2026 - 11 - 01), november(), today), Ok(()));
        assert_eq!(check_date(today, november(), today), Ok(()));
        assert_eq!(
            check_date(date!(2026 - 10 - 31), november(), today)
                .unwrap_err()
                .to_string(),
            "31/10/2026 valt voor het begin van de plaatsing (01/11/2026)."
        );
        assert_eq!(
            check_date(date!(2026 - 11 - 21), november(), today),
            Err(EntryError::InFuture(date!(2026 - 11 - 21)))
        );
        // After the end and in the future: the period is the clearer message.
        assert_eq!(
            check_date(date!(2026 - 12 - 01), november(), today)
                .unwrap_err()
                .to_string(),
            "01/12/2026 valt na het einde van de plaatsing (30/11/2026)."
        );
    }

    #[test]
    fn twelve_hours_a_day_across_placements() {
        let day = date!(2026 - 11 - 20);
        assert_eq!(check_day_total(day, 0, minutes("12u")), Ok(()));
        assert_eq!(check_day_total(day, 480, minutes("4u")), Ok(()));
        let refused = check_day_total(day, 480, minutes("4u30")).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Op 20/11/2026 staat al 8 u geregistreerd; met 4 u 30 erbij is dat meer dan 12 uur op één dag."
        );
    }

    #[test]
    fn cancelled_placements_and_ended_trajectories_take_no_hours() {
        assert!(check_open(PlacementStatus::Lopend, true).is_empty());
        assert!(check_open(PlacementStatus::Afgerond, true).is_empty());
        assert_eq!(
            check_open(PlacementStatus::Geannuleerd, false),
            [
                EntryError::PlacementCancelled,
                EntryError::ParticipantNotActive
            ]
        );
    }

    #[test]
    fn only_a_partner_logs_confirmed_hours() {
        let command = |scope| NewEntries {
            placement: PlacementId(Uuid::nil()),
            scope,
            logged_by: UserId(Uuid::nil()),
            dates: vec![],
            minutes: minutes("1u"),
            description: String::new(),
        };
        assert!(command(Scope::Organisation(OrganisationId(Uuid::nil()))).counts_as_confirmed());
        assert!(!command(Scope::Region(RegionId(Uuid::nil()))).counts_as_confirmed());
    }

    #[test]
    fn confirmed_entries_say_why_they_stay() {
        assert_eq!(
            EntryError::NotPending(EntryStatus::Bevestigd).to_string(),
            "Deze uren zijn al bevestigd: ze kunnen niet meer gewijzigd of verwijderd worden."
        );
        assert!(EntryStatus::Ingediend.is_pending());
        assert!(!EntryStatus::Bevestigd.is_pending());
    }
}
