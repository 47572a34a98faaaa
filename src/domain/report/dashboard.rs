//! The dashboard's figures: participants per status and confirmed hours by form,
//! organisation, municipality and month, under the coordinator's filters.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::PgConnection;
use time::Date;

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
