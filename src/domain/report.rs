//! Reports: the coordinator's dashboard, the working lists and the funder's figures.
//!
//! Every query takes the coordinator's region and scopes by it. Hours come from
//! `report_monthly_hours`, a summary of confirmed entries per region, month, municipality,
//! organisation and form that triggers keep equal to `hour_entries` (see the migration
//! `20261124170000_reports.sql`): the dashboard reads a few thousand rows rather than
//! summing millions of entries. Hours belong to the region and municipality of their
//! participant. Participants come from their own table, whose totals another trigger keeps.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sqlx::{Connection, PgConnection, Postgres, Transaction};
use time::{Date, Month};

use super::participant::{DEADLINE_WITHIN_DAYS, ParticipantStatus, STALLED_AFTER_DAYS};
use crate::values::ids::{MunicipalityId, OrganisationId, ParticipantId, RegionId};

/// Entries waiting longer than this for a decision are worth a call to the organisation.
pub const PENDING_TOO_LONG_DAYS: i32 = 14;

/// Longest period a report covers, in months (ten years).
pub const MAX_PERIOD_MONTHS: i32 = 120;

pub use crate::values::kinds::PlacementKind;

// ---------------------------------------------------------------------------------------------
// Periods

/// The first day of a calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth(Date);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("Dit is geen maand. Schrijf bijvoorbeeld 2026-03 of 03/2026.")]
    Unreadable,
    #[error("Het einde van de periode ligt vóór het begin.")]
    EndBeforeStart,
    #[error("Een periode duurt hoogstens tien jaar.")]
    TooLong,
}

const MONTH_NAMES: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

impl YearMonth {
    pub fn of(date: Date) -> Self {
        Self(date.replace_day(1).unwrap_or(date))
    }

    /// `2026-03` (what `<input type="month">` sends), `03/2026`, `3-2026`, or a whole date
    /// (`2026-03-15`, `15/03/2026`), whose month is taken.
    pub fn parse(input: &str) -> Result<Self, PeriodError> {
        let text = input.trim();
        let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
        let number = |s: &str| -> Result<i32, PeriodError> {
            if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(PeriodError::Unreadable);
            }
            s.parse().map_err(|_| PeriodError::Unreadable)
        };
        let (year, month) = match parts.as_slice() {
            [a, b] if a.len() == 4 => (number(a)?, number(b)?),
            [a, b] if b.len() == 4 => (number(b)?, number(a)?),
            [_, _, _] => {
                let date =
                    crate::values::dates::parse_date(text).map_err(|_| PeriodError::Unreadable)?;
                return Ok(Self::of(date));
            }
            _ => return Err(PeriodError::Unreadable),
        };
        let month = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .ok_or(PeriodError::Unreadable)?;
        if !(1900..=9999).contains(&year) {
            return Err(PeriodError::Unreadable);
        }
        Date::from_calendar_date(year, month, 1)
            .map(Self)
            .map_err(|_| PeriodError::Unreadable)
    }

    pub fn first_day(self) -> Date {
        self.0
    }

    pub fn last_day(self) -> Date {
        let days = time::util::days_in_month(self.0.month(), self.0.year());
        self.0.replace_day(days).unwrap_or(self.0)
    }

    pub fn next(self) -> Self {
        Self(self.last_day().next_day().unwrap_or(self.0))
    }

    /// `months` earlier (or later when negative).
    pub fn minus(self, months: i32) -> Self {
        let index = self.0.year() * 12 + i32::from(u8::from(self.0.month())) - 1 - months;
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
        let month = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .unwrap_or(Month::January);
        Date::from_calendar_date(year, month, 1)
            .map(Self)
            .unwrap_or(self)
    }

    fn index(self) -> i32 {
        self.0.year() * 12 + i32::from(u8::from(self.0.month()))
    }

    /// `2026-03`, for `<input type="month">` and links.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.0.year(), u8::from(self.0.month()))
    }

    /// `maart 2026`.
    pub fn label(self) -> String {
        let name = MONTH_NAMES[usize::from(u8::from(self.0.month())) - 1];
        format!("{name} {}", self.0.year())
    }

    /// `mrt 26`-style short label for chart axes: `jan`, `feb`, … with the year on January.
    pub fn short_label(self) -> String {
        let name = MONTH_NAMES[usize::from(u8::from(self.0.month())) - 1];
        let short: String = name.chars().take(3).collect();
        format!("{short} {:02}", self.0.year().rem_euclid(100))
    }
}

/// Whole months, from the first day of `from` to the last day of `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: YearMonth,
    pub to: YearMonth,
}

impl Period {
    pub fn new(from: YearMonth, to: YearMonth) -> Result<Self, PeriodError> {
        if to < from {
            return Err(PeriodError::EndBeforeStart);
        }
        if to.index() - from.index() >= MAX_PERIOD_MONTHS {
            return Err(PeriodError::TooLong);
        }
        Ok(Self { from, to })
    }

    /// The twelve months up to and including this one.
    pub fn last_twelve_months(today: Date) -> Self {
        let to = YearMonth::of(today);
        Self {
            from: to.minus(11),
            to,
        }
    }

    pub fn start(self) -> Date {
        self.from.first_day()
    }

    pub fn end(self) -> Date {
        self.to.last_day()
    }

    pub fn months(self) -> Vec<YearMonth> {
        let mut months = Vec::new();
        let mut month = self.from;
        while month <= self.to && months.len() < MAX_PERIOD_MONTHS as usize {
            months.push(month);
            month = month.next();
        }
        months
    }

    /// `januari 2026 – december 2026`, or one month's name.
    pub fn label(self) -> String {
        if self.from == self.to {
            self.from.label()
        } else {
            format!("{} – {}", self.from.label(), self.to.label())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Age bands

/// The age bands funders ask for, by age at the end of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AgeBand {
    Under18,
    From18To25,
    From26To35,
    From36To45,
    From46To55,
    From56,
}

impl AgeBand {
    pub const ALL: [Self; 6] = [
        Self::Under18,
        Self::From18To25,
        Self::From26To35,
        Self::From36To45,
        Self::From46To55,
        Self::From56,
    ];

    pub fn of(birth: Date, at: Date) -> Self {
        match age(birth, at) {
            ..18 => Self::Under18,
            18..=25 => Self::From18To25,
            26..=35 => Self::From26To35,
            36..=45 => Self::From36To45,
            46..=55 => Self::From46To55,
            _ => Self::From56,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Under18 => "jonger dan 18",
            Self::From18To25 => "18–25",
            Self::From26To35 => "26–35",
            Self::From36To45 => "36–45",
            Self::From46To55 => "46–55",
            Self::From56 => "56+",
        }
    }
}

/// Age in whole years on `at`.
pub fn age(birth: Date, at: Date) -> i32 {
    let mut years = at.year() - birth.year();
    if (u8::from(at.month()), at.day()) < (u8::from(birth.month()), birth.day()) {
        years -= 1;
    }
    years
}

// ---------------------------------------------------------------------------------------------
// The dashboard

/// The dashboard's filters; `None` means all.
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    pub period: Period,
    pub municipality: Option<MunicipalityId>,
    pub kind: Option<PlacementKind>,
    pub organisation: Option<OrganisationId>,
}

/// A total of confirmed minutes for one municipality or organisation.
#[derive(Debug, Clone, Serialize)]
pub struct NamedTotal {
    pub id: uuid::Uuid,
    pub name: String,
    pub minutes: i64,
    pub entries: i64,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    /// Participants whose trajectory overlaps the period, per status (all four, in order).
    pub by_status: Vec<(ParticipantStatus, i64)>,
    /// Confirmed minutes per form (all four, in order).
    pub by_kind: Vec<(PlacementKind, i64)>,
    /// Organisations with confirmed minutes, most first.
    pub by_organisation: Vec<NamedTotal>,
    /// Municipalities with confirmed minutes, most first.
    pub by_municipality: Vec<NamedTotal>,
    /// Every month of the period, with its confirmed minutes.
    pub by_month: Vec<(YearMonth, i64)>,
}

impl Dashboard {
    pub fn participants(&self) -> i64 {
        self.by_status.iter().map(|(_, n)| n).sum()
    }

    pub fn minutes(&self) -> i64 {
        self.by_kind.iter().map(|(_, m)| m).sum()
    }
}

pub async fn dashboard(
    conn: &mut PgConnection,
    region: RegionId,
    filter: &Filter,
) -> Result<Dashboard, sqlx::Error> {
    let by_status = participants_by_status(conn, region, filter).await?;
    let hours = hour_totals(conn, region, filter).await?;
    Ok(Dashboard {
        by_status,
        by_kind: hours.by_kind,
        by_organisation: hours.by_organisation,
        by_municipality: hours.by_municipality,
        by_month: hours.by_month,
    })
}

/// Participants whose trajectory (start to target end) overlaps the period, per status. With a
/// form or organisation filter: those with a placement of that form or at that organisation
/// during the period. Without one, the count reads `participants_region_report_idx` only.
pub async fn participants_by_status(
    conn: &mut PgConnection,
    region: RegionId,
    filter: &Filter,
) -> Result<Vec<(ParticipantStatus, i64)>, sqlx::Error> {
    let rows = if filter.kind.is_none() && filter.organisation.is_none() {
        sqlx::query!(
            r#"SELECT p.status AS "status!: ParticipantStatus", count(*) AS "count!"
               FROM participants p
               WHERE p.region_id = $1 AND p.start_date <= $3 AND p.target_end_date >= $2
                 AND ($4::uuid IS NULL OR p.municipality_id = $4)
               GROUP BY p.status"#,
            region.0,
            filter.period.start(),
            filter.period.end(),
            filter.municipality.map(|m| m.0),
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| (row.status, row.count))
        .collect::<Vec<_>>()
    } else {
        sqlx::query!(
            r#"SELECT p.status AS "status!: ParticipantStatus", count(*) AS "count!"
               FROM participants p
               WHERE p.region_id = $1 AND p.start_date <= $3 AND p.target_end_date >= $2
                 AND ($4::uuid IS NULL OR p.municipality_id = $4)
                 AND EXISTS (
                     SELECT 1 FROM placements pl
                     WHERE pl.participant_id = p.id AND pl.status <> 'geannuleerd'
                       AND pl.starts_on <= $3 AND pl.ends_on >= $2
                       AND ($5::placement_kind IS NULL OR pl.kind = $5)
                       AND ($6::uuid IS NULL OR pl.organisation_id = $6))
               GROUP BY p.status"#,
            region.0,
            filter.period.start(),
            filter.period.end(),
            filter.municipality.map(|m| m.0),
            filter.kind as Option<PlacementKind>,
            filter.organisation.map(|o| o.0),
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| (row.status, row.count))
        .collect::<Vec<_>>()
    };
    Ok(ParticipantStatus::ALL
        .into_iter()
        .map(|status| {
            let count = rows
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n);
            (status, count)
        })
        .collect())
}

/// One group of `hour_totals`' grouping sets: the key of its set, the others empty.
struct TotalRow {
    kind: Option<PlacementKind>,
    organisation_id: Option<uuid::Uuid>,
    organisation: Option<String>,
    municipality_id: Option<uuid::Uuid>,
    municipality: Option<String>,
    month: Option<Date>,
    minutes: i64,
    entries: i64,
}

/// Confirmed minutes of the period by form, organisation, municipality and month.
#[derive(Debug, Clone)]
pub struct HourTotals {
    /// All four forms, in order.
    pub by_kind: Vec<(PlacementKind, i64)>,
    /// Organisations with confirmed minutes, most first.
    pub by_organisation: Vec<NamedTotal>,
    /// Municipalities with confirmed minutes, most first.
    pub by_municipality: Vec<NamedTotal>,
    /// Every month of the period.
    pub by_month: Vec<(YearMonth, i64)>,
}

/// All four breakdowns. Without a municipality or organisation filter they come from the
/// rollups `report_municipality_hours` (forms, municipalities, months) and
/// `report_organisation_hours` (organisations), a few thousand rows per region and year;
/// with one, from `report_monthly_hours`, whose rows have both. Each in one pass (grouping
/// sets) over the primary key index alone.
pub async fn hour_totals(
    conn: &mut PgConnection,
    region: RegionId,
    filter: &Filter,
) -> Result<HourTotals, sqlx::Error> {
    let rows: Vec<TotalRow> = if filter.municipality.is_none() && filter.organisation.is_none() {
        sqlx::query_as!(
            TotalRow,
            r#"WITH t AS (
                   SELECT kind, NULL::uuid AS organisation_id, municipality_id, month,
                          sum(confirmed_minutes)::bigint AS minutes,
                          sum(confirmed_entries)::bigint AS entries
                   FROM report_municipality_hours
                   WHERE region_id = $1 AND month BETWEEN $2 AND $3
                     AND ($4::placement_kind IS NULL OR kind = $4)
                   GROUP BY GROUPING SETS ((kind), (municipality_id), (month))
                   UNION ALL
                   SELECT NULL, organisation_id, NULL, NULL,
                          sum(confirmed_minutes)::bigint, sum(confirmed_entries)::bigint
                   FROM report_organisation_hours
                   WHERE region_id = $1 AND month BETWEEN $2 AND $3
                     AND ($4::placement_kind IS NULL OR kind = $4)
                   GROUP BY organisation_id
               )
               SELECT t.kind AS "kind?: PlacementKind", t.organisation_id AS "organisation_id?",
                      o.name AS "organisation?", t.municipality_id AS "municipality_id?",
                      m.name AS "municipality?", t.month AS "month?",
                      t.minutes AS "minutes!", t.entries AS "entries!"
               FROM t
               LEFT JOIN organisations o ON o.id = t.organisation_id
               LEFT JOIN municipalities m ON m.id = t.municipality_id
               ORDER BY t.minutes DESC, o.name, m.name, t.organisation_id, t.municipality_id"#,
            region.0,
            filter.period.from.first_day(),
            filter.period.to.first_day(),
            filter.kind as Option<PlacementKind>,
        )
        .fetch_all(conn)
        .await?
    } else {
        sqlx::query_as!(
            TotalRow,
            r#"WITH t AS (
                   SELECT kind, organisation_id, municipality_id, month,
                          sum(confirmed_minutes)::bigint AS minutes,
                          sum(confirmed_entries)::bigint AS entries
                   FROM report_monthly_hours
                   WHERE region_id = $1 AND month BETWEEN $2 AND $3
                     AND ($4::uuid IS NULL OR municipality_id = $4)
                     AND ($5::placement_kind IS NULL OR kind = $5)
                     AND ($6::uuid IS NULL OR organisation_id = $6)
                   GROUP BY GROUPING SETS ((kind), (organisation_id), (municipality_id), (month))
               )
               SELECT t.kind AS "kind?: PlacementKind", t.organisation_id AS "organisation_id?",
                      o.name AS "organisation?", t.municipality_id AS "municipality_id?",
                      m.name AS "municipality?", t.month AS "month?",
                      t.minutes AS "minutes!", t.entries AS "entries!"
               FROM t
               LEFT JOIN organisations o ON o.id = t.organisation_id
               LEFT JOIN municipalities m ON m.id = t.municipality_id
               ORDER BY t.minutes DESC, o.name, m.name, t.organisation_id, t.municipality_id"#,
            region.0,
            filter.period.from.first_day(),
            filter.period.to.first_day(),
            filter.municipality.map(|m| m.0),
            filter.kind as Option<PlacementKind>,
            filter.organisation.map(|o| o.0),
        )
        .fetch_all(conn)
        .await?
    };
    let mut kinds: BTreeMap<PlacementKind, i64> = BTreeMap::new();
    let mut months: BTreeMap<Date, i64> = BTreeMap::new();
    let mut by_organisation = Vec::new();
    let mut by_municipality = Vec::new();
    for row in rows {
        if let Some(kind) = row.kind {
            kinds.insert(kind, row.minutes);
        } else if let (Some(id), Some(name)) = (row.organisation_id, row.organisation) {
            if row.minutes > 0 {
                by_organisation.push(NamedTotal {
                    id,
                    name,
                    minutes: row.minutes,
                    entries: row.entries,
                });
            }
        } else if let (Some(id), Some(name)) = (row.municipality_id, row.municipality) {
            if row.minutes > 0 {
                by_municipality.push(NamedTotal {
                    id,
                    name,
                    minutes: row.minutes,
                    entries: row.entries,
                });
            }
        } else if let Some(month) = row.month {
            months.insert(month, row.minutes);
        }
    }
    Ok(HourTotals {
        by_kind: PlacementKind::ALL
            .into_iter()
            .map(|kind| (kind, kinds.get(&kind).copied().unwrap_or(0)))
            .collect(),
        by_organisation,
        by_municipality,
        by_month: filter
            .period
            .months()
            .into_iter()
            .map(|month| {
                let minutes = months.get(&month.first_day()).copied().unwrap_or(0);
                (month, minutes)
            })
            .collect(),
    })
}

/// Choices for the filter form: the region's municipalities and organisations, by name.
pub async fn organisations(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Vec<(OrganisationId, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id: OrganisationId", name FROM organisations
           WHERE region_id = $1 ORDER BY search_name, id"#,
        region.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.name)).collect())
}

// ---------------------------------------------------------------------------------------------
// Working lists

/// Which working list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkList {
    /// Active, confirmed minutes at or above the region's requirement.
    Ready,
    /// Active, short, and no confirmed hours for more than 30 days (counted from the start
    /// when there are none yet).
    Stalled,
    /// Active, short, and the target end date within 60 days (or past).
    DeadlineNear,
}

impl WorkList {
    pub const ALL: [Self; 3] = [Self::Ready, Self::Stalled, Self::DeadlineNear];

    /// The name in the URL and the file name.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Ready => "klaar-voor-certificaat",
            Self::Stalled => "stilgevallen",
            Self::DeadlineNear => "einddatum-nabij",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|list| list.slug() == slug)
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Ready => "Klaar voor een certificaat",
            Self::Stalled => "Stilgevallen",
            Self::DeadlineNear => "Einddatum nabij",
        }
    }

    pub fn description(self) -> String {
        match self {
            Self::Ready => "Actieve inburgeraars met genoeg bevestigde uren.".to_string(),
            Self::Stalled => format!(
                "Actieve inburgeraars zonder bevestigde uren in de laatste {STALLED_AFTER_DAYS} dagen, die hun uren nog niet rond hebben."
            ),
            Self::DeadlineNear => format!(
                "Actieve inburgeraars van wie de streefdatum binnen {DEADLINE_WITHIN_DAYS} dagen valt (of al voorbij is) en die hun uren nog niet rond hebben."
            ),
        }
    }
}

/// A participant on a working list.
#[derive(Debug, Clone, Serialize)]
pub struct ListRow {
    pub id: ParticipantId,
    pub full_name: String,
    pub municipality: String,
    pub coach_name: Option<String>,
    pub confirmed_minutes: i32,
    pub pending_minutes: i32,
    pub start_date: Date,
    pub target_end_date: Date,
    pub last_confirmed_on: Option<Date>,
}

async fn required_minutes(conn: &mut PgConnection, region: RegionId) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT required_minutes FROM regions WHERE id = $1",
        region.0
    )
    .fetch_one(conn)
    .await
}

/// One page of a working list. Each list is a range on its own partial index
/// (`participants_ready_idx`, `participants_stalled_idx`, `participants_deadline_idx`).
pub async fn work_list(
    conn: &mut PgConnection,
    region: RegionId,
    list: WorkList,
    today: Date,
    offset: i64,
    limit: i64,
) -> Result<Vec<ListRow>, sqlx::Error> {
    let required = required_minutes(conn, region).await?;
    match list {
        WorkList::Ready => {
            sqlx::query_as!(
                ListRow,
                r#"SELECT p.id AS "id: ParticipantId", p.full_name, m.name AS municipality,
                          u.name AS "coach_name?", p.confirmed_minutes, p.pending_minutes,
                          p.start_date, p.target_end_date, p.last_confirmed_on
                   FROM participants p
                   JOIN municipalities m ON m.id = p.municipality_id
                   LEFT JOIN users u ON u.id = p.coach_id
                   WHERE p.region_id = $1 AND p.status = 'actief' AND p.confirmed_minutes >= $2
                   ORDER BY p.search_name, p.id
                   OFFSET $3 LIMIT $4"#,
                region.0,
                required,
                offset,
                limit,
            )
            .fetch_all(conn)
            .await
        }
        WorkList::Stalled => {
            sqlx::query_as!(
                ListRow,
                r#"SELECT p.id AS "id: ParticipantId", p.full_name, m.name AS municipality,
                          u.name AS "coach_name?", p.confirmed_minutes, p.pending_minutes,
                          p.start_date, p.target_end_date, p.last_confirmed_on
                   FROM participants p
                   JOIN municipalities m ON m.id = p.municipality_id
                   LEFT JOIN users u ON u.id = p.coach_id
                   WHERE p.region_id = $1 AND p.status = 'actief'
                     AND coalesce(p.last_confirmed_on, p.start_date) < $3
                     AND p.confirmed_minutes < $2
                   ORDER BY coalesce(p.last_confirmed_on, p.start_date), p.id
                   OFFSET $4 LIMIT $5"#,
                region.0,
                required,
                stalled_before(today),
                offset,
                limit,
            )
            .fetch_all(conn)
            .await
        }
        WorkList::DeadlineNear => {
            sqlx::query_as!(
                ListRow,
                r#"SELECT p.id AS "id: ParticipantId", p.full_name, m.name AS municipality,
                          u.name AS "coach_name?", p.confirmed_minutes, p.pending_minutes,
                          p.start_date, p.target_end_date, p.last_confirmed_on
                   FROM participants p
                   JOIN municipalities m ON m.id = p.municipality_id
                   LEFT JOIN users u ON u.id = p.coach_id
                   WHERE p.region_id = $1 AND p.status = 'actief'
                     AND p.target_end_date <= $3 AND p.confirmed_minutes < $2
                   ORDER BY p.target_end_date, p.id
                   OFFSET $4 LIMIT $5"#,
                region.0,
                required,
                deadline_before(today),
                offset,
                limit,
            )
            .fetch_all(conn)
            .await
        }
    }
}

/// The last day of confirmed activity that still counts as stalled today.
fn stalled_before(today: Date) -> Date {
    today - time::Duration::days(STALLED_AFTER_DAYS)
}

/// The latest target end date that counts as near today.
fn deadline_before(today: Date) -> Date {
    today + time::Duration::days(DEADLINE_WITHIN_DAYS)
}

/// How many participants each working list holds, and how many organisations have entries
/// pending too long.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ListCounts {
    pub ready: i64,
    pub stalled: i64,
    pub deadline_near: i64,
    pub pending_organisations: i64,
    pub pending_entries: i64,
}

impl ListCounts {
    pub fn of(&self, list: WorkList) -> i64 {
        match list {
            WorkList::Ready => self.ready,
            WorkList::Stalled => self.stalled,
            WorkList::DeadlineNear => self.deadline_near,
        }
    }
}

pub async fn list_counts(
    conn: &mut PgConnection,
    region: RegionId,
    today: Date,
) -> Result<ListCounts, sqlx::Error> {
    // One round trip; each count still walks its own partial index.
    let counts = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM participants
              WHERE region_id = $1 AND status = 'actief'
                AND confirmed_minutes >= r.required_minutes) AS "ready!",
             (SELECT count(*) FROM participants
              WHERE region_id = $1 AND status = 'actief'
                AND coalesce(last_confirmed_on, start_date) < $2
                AND confirmed_minutes < r.required_minutes) AS "stalled!",
             (SELECT count(*) FROM participants
              WHERE region_id = $1 AND status = 'actief'
                AND target_end_date <= $3 AND confirmed_minutes < r.required_minutes)
               AS "deadline_near!"
           FROM regions r WHERE r.id = $1"#,
        region.0,
        stalled_before(today),
        deadline_before(today),
    )
    .fetch_one(&mut *conn)
    .await?;
    let pending = pending_too_long(conn, region).await?;
    Ok(ListCounts {
        ready: counts.ready,
        stalled: counts.stalled,
        deadline_near: counts.deadline_near,
        pending_organisations: i64::try_from(pending.len()).unwrap_or(i64::MAX),
        pending_entries: pending.iter().map(|row| row.entries).sum(),
    })
}

/// An organisation with entries waiting for its decision for more than 14 days.
#[derive(Debug, Clone, Serialize)]
pub struct PendingRow {
    pub organisation_id: OrganisationId,
    pub organisation: String,
    pub phone: String,
    pub email: String,
    /// Its partner contacts (active users), comma-separated.
    pub contacts: String,
    pub entries: i64,
    pub participants: i64,
    pub minutes: i64,
    pub oldest: Date,
}

/// Organisations of the region with entries submitted more than 14 days ago and still pending,
/// the longest waiting first: the coordinator manages the region's organisations, so chases
/// them for every participant. Walks the region's organisations and, per organisation,
/// `hour_entries_pending_age_idx` (organisation_id, created_at), from the index alone.
pub async fn pending_too_long(
    conn: &mut PgConnection,
    region: RegionId,
) -> Result<Vec<PendingRow>, sqlx::Error> {
    sqlx::query_as!(
        PendingRow,
        r#"SELECT o.id AS "organisation_id: OrganisationId", o.name AS organisation,
                  o.phone, o.email,
                  coalesce((SELECT string_agg(u.name || ' <' || u.email || '>', ', ' ORDER BY u.name)
                            FROM users u WHERE u.organisation_id = o.id AND u.active), '') AS "contacts!",
                  t.entries AS "entries!", t.participants AS "participants!",
                  t.minutes AS "minutes!", t.oldest AS "oldest!"
           FROM organisations o
           CROSS JOIN LATERAL (
               SELECT count(*) AS entries, count(DISTINCT e.participant_id) AS participants,
                      coalesce(sum(e.minutes), 0)::bigint AS minutes,
                      min(e.created_at AT TIME ZONE 'Europe/Brussels')::date AS oldest
               FROM hour_entries e
               WHERE e.organisation_id = o.id AND e.status = 'ingediend'
                 AND e.created_at < now() - make_interval(days => $2)
           ) t
           WHERE o.region_id = $1 AND t.entries > 0
           ORDER BY t.oldest, o.name, o.id"#,
        region.0,
        PENDING_TOO_LONG_DAYS,
    )
    .fetch_all(conn)
    .await
}

// ---------------------------------------------------------------------------------------------
// The funder's figures and the participants of a period

/// What the funder's report counts of a participant whose trajectory overlaps the period.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodFigures {
    pub municipality: String,
    pub birth_date: Date,
    pub status: ParticipantStatus,
    pub confirmed_minutes: i32,
    pub required_minutes: i32,
    /// Confirmed minutes worked in the period, per form.
    pub minutes_by_kind: BTreeMap<PlacementKind, i64>,
}

impl PeriodFigures {
    /// The requirement met: hours enough, or the certificate already issued.
    pub fn completed(&self) -> bool {
        self.status == ParticipantStatus::Afgerond
            || self.confirmed_minutes >= self.required_minutes
    }

    pub fn period_minutes(&self) -> i64 {
        self.minutes_by_kind.values().sum()
    }

    pub fn completion(&self) -> Completion {
        if self.completed() {
            Completion::Done
        } else {
            match self.status {
                ParticipantStatus::Stopgezet => Completion::Stopped,
                ParticipantStatus::Vrijgesteld => Completion::Exempted,
                _ => Completion::Busy,
            }
        }
    }
}

/// A participant whose trajectory overlaps the period, who they are and their figures.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodParticipant {
    pub id: ParticipantId,
    pub full_name: String,
    pub external_dossier: String,
    pub start_date: Date,
    pub target_end_date: Date,
    #[serde(flatten)]
    pub figures: PeriodFigures,
}

/// Where a trajectory stands, for the funder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Completion {
    Done,
    Busy,
    Stopped,
    Exempted,
}

impl Completion {
    pub const ALL: [Self; 4] = [Self::Done, Self::Busy, Self::Stopped, Self::Exempted];

    pub fn label(self) -> &'static str {
        match self {
            Self::Done => "uren behaald",
            Self::Busy => "nog bezig",
            Self::Stopped => "stopgezet",
            Self::Exempted => "vrijgesteld",
        }
    }
}

/// A read-only transaction whose statements all see the database as at its first: a report
/// read in two queries (participants, then their hours) adds up as if read in one.
async fn one_snapshot(conn: &mut PgConnection) -> Result<Transaction<'_, Postgres>, sqlx::Error> {
    let mut tx = conn.begin().await?;
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Confirmed minutes per participant and form worked in the period, for every participant of
/// the region with any (from `participant_monthly_hours`, one range of its primary key: periods
/// are whole months).
async fn period_hours(
    conn: &mut PgConnection,
    region: RegionId,
    period: Period,
) -> Result<HashMap<ParticipantId, BTreeMap<PlacementKind, i64>>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT participant_id AS "participant_id: ParticipantId",
                  kind AS "kind: PlacementKind", sum(confirmed_minutes)::bigint AS "minutes!"
           FROM participant_monthly_hours
           WHERE region_id = $1 AND month BETWEEN $2 AND $3
           GROUP BY participant_id, kind
           HAVING sum(confirmed_minutes) <> 0"#,
        region.0,
        period.from.first_day(),
        period.to.first_day(),
    )
    .fetch_all(conn)
    .await?;
    let mut hours: HashMap<ParticipantId, BTreeMap<PlacementKind, i64>> = HashMap::new();
    for row in rows {
        hours
            .entry(row.participant_id)
            .or_default()
            .insert(row.kind, row.minutes);
    }
    Ok(hours)
}

/// Participants of the region (and municipality) whose trajectory overlaps the period, by
/// municipality and name, with their figures.
pub async fn period_participants(
    conn: &mut PgConnection,
    region: RegionId,
    period: Period,
    municipality: Option<MunicipalityId>,
) -> Result<Vec<PeriodParticipant>, sqlx::Error> {
    let mut tx = one_snapshot(conn).await?;
    let rows = sqlx::query!(
        r#"SELECT p.id AS "id: ParticipantId", p.full_name, p.external_dossier,
                  m.name AS municipality, p.birth_date, p.status AS "status: ParticipantStatus",
                  p.start_date, p.target_end_date, p.confirmed_minutes, r.required_minutes
           FROM participants p
           JOIN municipalities m ON m.id = p.municipality_id
           JOIN regions r ON r.id = p.region_id
           WHERE p.region_id = $1 AND p.start_date <= $3 AND p.target_end_date >= $2
             AND ($4::uuid IS NULL OR p.municipality_id = $4)
           ORDER BY m.name, p.search_name, p.id"#,
        region.0,
        period.start(),
        period.end(),
        municipality.map(|m| m.0),
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut hours = period_hours(&mut tx, region, period).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|row| PeriodParticipant {
            figures: PeriodFigures {
                municipality: row.municipality,
                birth_date: row.birth_date,
                status: row.status,
                confirmed_minutes: row.confirmed_minutes,
                required_minutes: row.required_minutes,
                minutes_by_kind: hours.remove(&row.id).unwrap_or_default(),
            },
            id: row.id,
            full_name: row.full_name,
            external_dossier: row.external_dossier,
            start_date: row.start_date,
            target_end_date: row.target_end_date,
        })
        .collect())
}

/// The figures of `period_participants`, without who they are or an order: what the funder's
/// report counts. The participants come from `participants_region_report_idx` alone.
pub async fn period_figures(
    conn: &mut PgConnection,
    region: RegionId,
    period: Period,
    municipality: Option<MunicipalityId>,
) -> Result<Vec<PeriodFigures>, sqlx::Error> {
    let mut tx = one_snapshot(conn).await?;
    let rows = sqlx::query!(
        r#"SELECT p.id AS "id: ParticipantId", m.name AS municipality, p.birth_date,
                  p.status AS "status: ParticipantStatus", p.confirmed_minutes, r.required_minutes
           FROM participants p
           JOIN municipalities m ON m.id = p.municipality_id
           JOIN regions r ON r.id = p.region_id
           WHERE p.region_id = $1 AND p.start_date <= $3 AND p.target_end_date >= $2
             AND ($4::uuid IS NULL OR p.municipality_id = $4)"#,
        region.0,
        period.start(),
        period.end(),
        municipality.map(|m| m.0),
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut hours = period_hours(&mut tx, region, period).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|row| PeriodFigures {
            municipality: row.municipality,
            birth_date: row.birth_date,
            status: row.status,
            confirmed_minutes: row.confirmed_minutes,
            required_minutes: row.required_minutes,
            minutes_by_kind: hours.remove(&row.id).unwrap_or_default(),
        })
        .collect())
}

/// One line of the funder's report: a group of participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunderLine {
    /// `totaal`, `gemeente`, `vorm`, `leeftijd` or `afronding`.
    pub dimension: &'static str,
    pub group: String,
    pub participants: i64,
    pub completed: i64,
    pub minutes: i64,
}

/// Counts by municipality, form, age band (at the end of the period) and completion. For a
/// form: the participants who worked confirmed hours in it during the period.
pub fn funder_lines(participants: &[PeriodFigures], period: Period) -> Vec<FunderLine> {
    #[derive(Default)]
    struct Tally {
        participants: i64,
        completed: i64,
        minutes: i64,
    }
    fn add(tally: &mut Tally, completed: bool, minutes: i64) {
        tally.participants += 1;
        tally.completed += i64::from(completed);
        tally.minutes += minutes;
    }
    let mut total = Tally::default();
    let mut by_municipality: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut by_kind: BTreeMap<PlacementKind, Tally> = BTreeMap::new();
    let mut by_age: BTreeMap<AgeBand, Tally> = BTreeMap::new();
    let mut by_completion: BTreeMap<Completion, Tally> = BTreeMap::new();
    for p in participants {
        let completed = p.completed();
        let minutes = p.period_minutes();
        add(&mut total, completed, minutes);
        add(
            by_municipality.entry(&p.municipality).or_default(),
            completed,
            minutes,
        );
        for (kind, kind_minutes) in &p.minutes_by_kind {
            if *kind_minutes > 0 {
                add(by_kind.entry(*kind).or_default(), completed, *kind_minutes);
            }
        }
        add(
            by_age
                .entry(AgeBand::of(p.birth_date, period.end()))
                .or_default(),
            completed,
            minutes,
        );
        add(
            by_completion.entry(p.completion()).or_default(),
            completed,
            minutes,
        );
    }
    let line = |dimension, group: String, tally: Option<&Tally>| FunderLine {
        dimension,
        group,
        participants: tally.map_or(0, |t| t.participants),
        completed: tally.map_or(0, |t| t.completed),
        minutes: tally.map_or(0, |t| t.minutes),
    };
    let mut lines = vec![line("totaal", "alle inburgeraars".into(), Some(&total))];
    lines.extend(
        by_municipality
            .iter()
            .map(|(name, tally)| line("gemeente", (*name).to_string(), Some(tally))),
    );
    lines.extend(
        PlacementKind::ALL
            .iter()
            .map(|kind| line("vorm", kind.label().to_lowercase(), by_kind.get(kind))),
    );
    lines.extend(
        AgeBand::ALL
            .iter()
            .map(|band| line("leeftijd", band.label().to_string(), by_age.get(band))),
    );
    lines.extend(
        Completion::ALL
            .iter()
            .map(|c| line("afronding", c.label().to_string(), by_completion.get(c))),
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_parse_in_every_notation() {
        for typed in [
            "2026-03",
            "03/2026",
            "3/2026",
            "3-2026",
            "2026-03-15",
            "15/03/2026",
            " 2026/3 ",
        ] {
            assert_eq!(
                YearMonth::parse(typed).map(YearMonth::first_day),
                Ok(date!(2026 - 03 - 01)),
                "{typed:?}"
            );
        }
        for bad in [
            "", "maart", "2026-13", "13/2026", "2026", "0/2026", "1-2-3-4",
        ] {
            assert_eq!(
                YearMonth::parse(bad),
                Err(PeriodError::Unreadable),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn months_step_across_years() {
        let march = YearMonth::of(date!(2026 - 03 - 17));
        assert_eq!(march.minus(3).first_day(), date!(2025 - 12 - 01));
        assert_eq!(march.minus(-10).first_day(), date!(2027 - 01 - 01));
        assert_eq!(march.last_day(), date!(2026 - 03 - 31));
        assert_eq!(
            YearMonth::of(date!(2028 - 02 - 03)).last_day(),
            date!(2028 - 02 - 29)
        );
        assert_eq!(march.label(), "maart 2026");
        assert_eq!(march.iso(), "2026-03");
    }

    #[test]
    fn periods_are_whole_months_in_order() {
        let period = Period::last_twelve_months(date!(2026 - 11 - 24));
        assert_eq!(period.start(), date!(2025 - 12 - 01));
        assert_eq!(period.end(), date!(2026 - 11 - 30));
        assert_eq!(period.months().len(), 12);
        let march = YearMonth::of(date!(2026 - 03 - 01));
        let may = YearMonth::of(date!(2026 - 05 - 01));
        assert_eq!(Period::new(may, march), Err(PeriodError::EndBeforeStart));
        assert_eq!(
            Period::new(march.minus(120), march),
            Err(PeriodError::TooLong)
        );
        assert!(Period::new(march.minus(119), march).is_ok());
    }

    #[test]
    fn age_bands_at_the_end_of_the_period() {
        let at = date!(2026 - 12 - 31);
        assert_eq!(age(date!(2000 - 12 - 31), at), 26);
        assert_eq!(age(date!(2001 - 01 - 01), at), 25);
        assert_eq!(AgeBand::of(date!(2001 - 01 - 01), at), AgeBand::From18To25);
        assert_eq!(AgeBand::of(date!(2000 - 12 - 31), at), AgeBand::From26To35);
        assert_eq!(AgeBand::of(date!(2009 - 01 - 01), at), AgeBand::Under18);
        assert_eq!(AgeBand::of(date!(1970 - 06 - 01), at), AgeBand::From56);
        assert_eq!(AgeBand::of(date!(1971 - 01 - 01), at), AgeBand::From46To55);
        // A leap-day birthday turns a year older on 1 March.
        assert_eq!(age(date!(2000 - 02 - 29), date!(2026 - 02 - 28)), 25);
        assert_eq!(age(date!(2000 - 02 - 29), date!(2026 - 03 - 01)), 26);
    }

    fn participant(
        municipality: &str,
        birth: Date,
        status: ParticipantStatus,
        confirmed: i32,
        kinds: &[(PlacementKind, i64)],
    ) -> PeriodFigures {
        PeriodFigures {
            municipality: municipality.into(),
            birth_date: birth,
            status,
            confirmed_minutes: confirmed,
            required_minutes: 2400,
            minutes_by_kind: kinds.iter().copied().collect(),
        }
    }

    #[test]
    fn funder_lines_count_each_dimension() {
        use ParticipantStatus::*;
        use PlacementKind::*;
        let period = Period::new(
            YearMonth::of(date!(2026 - 01 - 01)),
            YearMonth::of(date!(2026 - 12 - 01)),
        )
        .unwrap();
        let people = [
            participant(
                "Brugge",
                date!(1990 - 01 - 01),
                Actief,
                2400,
                &[(Buddy, 600), (Stage, 60)],
            ),
            participant(
                "Brugge",
                date!(2003 - 06 - 01),
                Actief,
                100,
                &[(Buddy, 100)],
            ),
            participant("Damme", date!(1960 - 01 - 01), Stopgezet, 0, &[]),
        ];
        let lines = funder_lines(&people, period);
        let find = |dimension: &str, group: &str| {
            lines
                .iter()
                .find(|l| l.dimension == dimension && l.group == group)
                .map(|l| (l.participants, l.completed, l.minutes))
                .unwrap()
        };
        assert_eq!(find("totaal", "alle inburgeraars"), (3, 1, 760));
        assert_eq!(find("gemeente", "Brugge"), (2, 1, 760));
        assert_eq!(find("gemeente", "Damme"), (1, 0, 0));
        assert_eq!(find("vorm", "buddy"), (2, 1, 700));
        assert_eq!(find("vorm", "stage"), (1, 1, 60));
        assert_eq!(find("vorm", "taalstage"), (0, 0, 0));
        assert_eq!(find("leeftijd", "36–45"), (1, 1, 660));
        assert_eq!(find("leeftijd", "18–25"), (1, 0, 100));
        assert_eq!(find("leeftijd", "56+"), (1, 0, 0));
        assert_eq!(find("afronding", "uren behaald"), (1, 1, 660));
        assert_eq!(find("afronding", "nog bezig"), (1, 0, 100));
        assert_eq!(find("afronding", "stopgezet"), (1, 0, 0));
    }
}
