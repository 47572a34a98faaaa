//! The dashboard's figures: participants per status and confirmed hours by form,
//! organisation, municipality and month, under the coordinator's filters.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use sqlx::types::Json;
use time::Date;

use super::lists::{
    ListCounts, PENDING_TOO_LONG_DAYS, deadline_before, stalled_before, with_list_counts,
};
use super::period::{Period, YearMonth};
use crate::domain::participant::ParticipantStatus;
use crate::values::ids::{MunicipalityId, OrganisationId, RegionId};
use crate::values::kinds::PlacementKind;

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

/// What the dashboard shows, read in one statement: the filter choices (the region's
/// municipalities by name, its organisations by name), the figures and the working-list counts.
#[derive(Debug, Clone)]
pub struct DashboardView {
    pub municipalities: Vec<(MunicipalityId, String)>,
    pub organisations: Vec<(OrganisationId, String)>,
    pub data: Dashboard,
    pub counts: ListCounts,
}

type Choices<I> = Vec<(I, String)>;
type StatusCounts = Vec<(ParticipantStatus, i64)>;

/// One group of the hour totals as the dashboard's statement returns it (`month` as `2026-03`).
#[derive(Debug, Deserialize)]
struct TotalLine {
    kind: Option<PlacementKind>,
    organisation_id: Option<uuid::Uuid>,
    organisation: Option<String>,
    municipality_id: Option<uuid::Uuid>,
    municipality: Option<String>,
    month: Option<String>,
    minutes: i64,
    entries: i64,
}

/// The whole dashboard in one round trip. The filter's municipality and organisation may be
/// anything the query string held: one outside the region is ignored, as the choices returned
/// beside the figures show the caller (who reports it). The figures are what
/// `participants_by_status`, `hour_totals` and `list_counts` give, computed the same way; the
/// working-list counts are as of `today`. Without a filter but the period, the participants per
/// status come from `participant_status_counts` (kept by triggers on `participants`): whole
/// months, so a trajectory overlaps the period when its start month is not after the period's
/// last month and its end month not before its first.
pub async fn dashboard(
    conn: &mut PgConnection,
    region: RegionId,
    filter: &Filter,
    today: Date,
) -> Result<DashboardView, sqlx::Error> {
    let row = with_list_counts!(
        r#"WITH municipality AS (SELECT id FROM municipalities WHERE id = $8::uuid AND region_id = $1),
                organisation AS (SELECT id FROM organisations WHERE id = $10::uuid AND region_id = $1),
                by_status AS (
                    SELECT status, sum(participants)::bigint AS n
                    FROM participant_status_counts
                    WHERE NOT EXISTS (SELECT FROM municipality)
                      AND NOT EXISTS (SELECT FROM organisation) AND $9::placement_kind IS NULL
                      AND region_id = $1 AND start_month <= $5 AND end_month >= $4
                    GROUP BY status
                    UNION ALL
                    SELECT p.status, count(*)
                    FROM participants p
                    WHERE (EXISTS (SELECT FROM municipality) OR EXISTS (SELECT FROM organisation)
                           OR $9::placement_kind IS NOT NULL)
                      AND p.region_id = $1 AND p.start_date <= $7 AND p.target_end_date >= $6
                      AND (NOT EXISTS (SELECT FROM municipality)
                           OR p.municipality_id = (SELECT id FROM municipality))
                      AND (($9::placement_kind IS NULL AND NOT EXISTS (SELECT FROM organisation))
                           OR EXISTS (
                               SELECT 1 FROM placements pl
                               WHERE pl.participant_id = p.id AND pl.status <> 'geannuleerd'
                                 AND pl.starts_on <= $7 AND pl.ends_on >= $6
                                 AND ($9::placement_kind IS NULL OR pl.kind = $9)
                                 AND (NOT EXISTS (SELECT FROM organisation)
                                      OR pl.organisation_id = (SELECT id FROM organisation))))
                    GROUP BY p.status),
                t AS (
                    SELECT kind, NULL::uuid AS organisation_id, municipality_id, month,
                           sum(confirmed_minutes)::bigint AS minutes,
                           sum(confirmed_entries)::bigint AS entries
                    FROM report_municipality_hours
                    WHERE NOT EXISTS (SELECT FROM municipality)
                      AND NOT EXISTS (SELECT FROM organisation)
                      AND region_id = $1 AND month BETWEEN $4 AND $5
                      AND ($9::placement_kind IS NULL OR kind = $9)
                    GROUP BY GROUPING SETS ((kind), (municipality_id), (month))
                    UNION ALL
                    SELECT NULL, organisation_id, NULL, NULL,
                           sum(confirmed_minutes)::bigint, sum(confirmed_entries)::bigint
                    FROM report_organisation_hours
                    WHERE NOT EXISTS (SELECT FROM municipality)
                      AND NOT EXISTS (SELECT FROM organisation)
                      AND region_id = $1 AND month BETWEEN $4 AND $5
                      AND ($9::placement_kind IS NULL OR kind = $9)
                    GROUP BY organisation_id
                    UNION ALL
                    SELECT kind, organisation_id, municipality_id, month,
                           sum(confirmed_minutes)::bigint, sum(confirmed_entries)::bigint
                    FROM report_monthly_hours
                    WHERE (EXISTS (SELECT FROM municipality) OR EXISTS (SELECT FROM organisation))
                      AND region_id = $1 AND month BETWEEN $4 AND $5
                      AND (NOT EXISTS (SELECT FROM municipality)
                           OR municipality_id = (SELECT id FROM municipality))
                      AND ($9::placement_kind IS NULL OR kind = $9)
                      AND (NOT EXISTS (SELECT FROM organisation)
                           OR organisation_id = (SELECT id FROM organisation))
                    GROUP BY GROUPING SETS ((kind), (organisation_id), (municipality_id), (month))),
                pending AS (
                    SELECT count(DISTINCT e.organisation_id) AS organisations, count(*) AS entries
                    FROM organisations o
                    JOIN hour_entries e ON e.organisation_id = o.id
                    WHERE o.region_id = $1 AND e.status = 'ingediend'
                      AND e.created_at < now() - make_interval(days => $11))
           SELECT
             (SELECT coalesce(json_agg(json_build_array(m.id, m.name) ORDER BY m.name), '[]')
              FROM municipalities m WHERE m.region_id = $1)
               AS "municipalities!: Json<Choices<MunicipalityId>>",
             (SELECT coalesce(json_agg(json_build_array(o.id, o.name) ORDER BY o.search_name, o.id), '[]')
              FROM organisations o WHERE o.region_id = $1)
               AS "organisations!: Json<Choices<OrganisationId>>",
             (SELECT coalesce(json_agg(json_build_array(s.status, s.n)), '[]') FROM by_status s)
               AS "by_status!: Json<StatusCounts>",
             (SELECT coalesce(json_agg(json_build_object(
                         'kind', t.kind, 'organisation_id', t.organisation_id,
                         'organisation', o.name, 'municipality_id', t.municipality_id,
                         'municipality', m.name, 'month', to_char(t.month, 'YYYY-MM'),
                         'minutes', t.minutes, 'entries', t.entries)
                     ORDER BY t.minutes DESC, o.name, m.name, t.organisation_id, t.municipality_id), '[]')
              FROM t
              LEFT JOIN organisations o ON o.id = t.organisation_id
              LEFT JOIN municipalities m ON m.id = t.municipality_id)
               AS "totals!: Json<Vec<TotalLine>>","#,
        r#",
             pending.organisations AS "pending_organisations!",
             pending.entries AS "pending_entries!"
           FROM regions r, pending
           WHERE r.id = $1"#,
        region.0,
        stalled_before(today),
        deadline_before(today),
        filter.period.from.first_day(),
        filter.period.to.first_day(),
        filter.period.start(),
        filter.period.end(),
        filter.municipality.map(|m| m.0),
        filter.kind as Option<PlacementKind>,
        filter.organisation.map(|o| o.0),
        PENDING_TOO_LONG_DAYS,
    )
    .fetch_one(conn)
    .await?;
    let mut rows = Vec::with_capacity(row.totals.0.len());
    for line in row.totals.0 {
        let month = match line.month {
            Some(month) => Some(
                YearMonth::parse(&month)
                    .map_err(|error| sqlx::Error::Decode(Box::new(error)))?
                    .first_day(),
            ),
            None => None,
        };
        rows.push(TotalRow {
            kind: line.kind,
            organisation_id: line.organisation_id,
            organisation: line.organisation,
            municipality_id: line.municipality_id,
            municipality: line.municipality,
            month,
            minutes: line.minutes,
            entries: line.entries,
        });
    }
    let hours = gather(rows, filter.period);
    Ok(DashboardView {
        municipalities: row.municipalities.0,
        organisations: row.organisations.0,
        data: Dashboard {
            by_status: every_status(&row.by_status.0),
            by_kind: hours.by_kind,
            by_organisation: hours.by_organisation,
            by_municipality: hours.by_municipality,
            by_month: hours.by_month,
        },
        counts: ListCounts {
            ready: row.ready,
            stalled: row.stalled,
            deadline_near: row.deadline_near,
            paused: row.paused,
            pending_organisations: row.pending_organisations,
            pending_entries: row.pending_entries,
        },
    })
}

/// All four statuses in order, with the counts found (0 for the others).
fn every_status(found: &[(ParticipantStatus, i64)]) -> Vec<(ParticipantStatus, i64)> {
    ParticipantStatus::ALL
        .into_iter()
        .map(|status| {
            let count = found
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n);
            (status, count)
        })
        .collect()
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
    Ok(every_status(&rows))
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

/// The rows of `hour_totals`: the totals that `$totals` defines as `t`, with the names of their
/// organisations and municipalities, most minutes first. A macro because `sqlx` checks a query
/// only when it is written out in literals, and keys its offline data by the whole text.
macro_rules! named_totals {
    ($conn:expr, $totals:tt, $($args:tt)*) => {
        sqlx::query_as!(
            TotalRow,
            $totals
                + r#"
               SELECT t.kind AS "kind?: PlacementKind", t.organisation_id AS "organisation_id?",
                      o.name AS "organisation?", t.municipality_id AS "municipality_id?",
                      m.name AS "municipality?", t.month AS "month?",
                      t.minutes AS "minutes!", t.entries AS "entries!"
               FROM t
               LEFT JOIN organisations o ON o.id = t.organisation_id
               LEFT JOIN municipalities m ON m.id = t.municipality_id
               ORDER BY t.minutes DESC, o.name, m.name, t.organisation_id, t.municipality_id"#,
            $($args)*
        )
        .fetch_all($conn)
        .await?
    };
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
        named_totals!(
            conn,
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
               )"#,
            region.0,
            filter.period.from.first_day(),
            filter.period.to.first_day(),
            filter.kind as Option<PlacementKind>,
        )
    } else {
        named_totals!(
            conn,
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
               )"#,
            region.0,
            filter.period.from.first_day(),
            filter.period.to.first_day(),
            filter.municipality.map(|m| m.0),
            filter.kind as Option<PlacementKind>,
            filter.organisation.map(|o| o.0),
        )
    };
    Ok(gather(rows, filter.period))
}

/// The groups of the hour totals sorted into the four breakdowns.
fn gather(rows: Vec<TotalRow>, period: Period) -> HourTotals {
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
    HourTotals {
        by_kind: PlacementKind::ALL
            .into_iter()
            .map(|kind| (kind, kinds.get(&kind).copied().unwrap_or(0)))
            .collect(),
        by_organisation,
        by_municipality,
        by_month: period
            .months()
            .into_iter()
            .map(|month| {
                let minutes = months.get(&month.first_day()).copied().unwrap_or(0);
                (month, minutes)
            })
            .collect(),
    }
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
