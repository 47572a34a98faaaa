//! The CSV exports of the reports: which there are, and for each its rows and columns. A
//! column keeps its heading beside its cell, so the two cannot drift apart.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sqlx::PgConnection;
use time::Date;

use super::export::{self, Separator, text};
use super::filter::{Choices, FilterQuery, parse_filter, period_suffix, typed_filter};
use crate::domain::participant::ParticipantStatus;
use crate::domain::report::{
    self, AgeBand, FunderLine, ListRow, NamedTotal, PendingRow, PeriodParticipant, PlacementKind,
    WorkList, YearMonth,
};
use crate::error::AppError;
use crate::values::dates::{self, format_date};
use crate::values::ids::RegionId;
use crate::web::session::CoordinatorUser;
use crate::web::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CsvReport {
    Status,
    Kind,
    Organisation,
    Municipality,
    Month,
    List(WorkList),
    Pending,
    Funder,
    Participants,
}

impl CsvReport {
    pub(super) const ALL: [Self; 11] = [
        Self::Status,
        Self::Kind,
        Self::Organisation,
        Self::Municipality,
        Self::Month,
        Self::List(WorkList::Ready),
        Self::List(WorkList::Stalled),
        Self::List(WorkList::DeadlineNear),
        Self::Pending,
        Self::Funder,
        Self::Participants,
    ];

    pub(super) fn slug(self) -> &'static str {
        match self {
            Self::Status => "inburgeraars-per-status",
            Self::Kind => "uren-per-vorm",
            Self::Organisation => "uren-per-organisatie",
            Self::Municipality => "uren-per-gemeente",
            Self::Month => "uren-per-maand",
            Self::List(list) => list.slug(),
            Self::Pending => "wachtende-uren",
            Self::Funder => "financier",
            Self::Participants => "inburgeraars-periode",
        }
    }

    /// The lists and the waiting entries are as they stand today, whatever the period: their
    /// file is dated by today rather than named after the period.
    fn as_of_today(self) -> bool {
        matches!(self, Self::List(_) | Self::Pending)
    }
}

/// What a cell may need besides its row.
struct Cells {
    separator: Separator,
    period_end: Date,
}

impl Cells {
    fn hours(&self, minutes: i64) -> String {
        self.separator.hours(minutes)
    }
}

/// A column: its heading, and its cell for one row.
type Column<T> = (&'static str, fn(&T, &Cells) -> String);

/// The header line and the rows of a file.
type Table = (Vec<&'static str>, Vec<Vec<String>>);

fn table<T>(columns: &[Column<T>], rows: &[T], cells: &Cells) -> Table {
    let header = columns.iter().map(|(heading, _)| *heading).collect();
    let rows = rows
        .iter()
        .map(|row| columns.iter().map(|(_, cell)| cell(row, cells)).collect())
        .collect();
    (header, rows)
}

const STATUS: &[Column<(ParticipantStatus, i64)>] = &[
    ("Status", |(status, _), _| status.label().to_string()),
    ("Inburgeraars", |(_, count), _| count.to_string()),
];

const KIND: &[Column<(PlacementKind, i64)>] = &[
    ("Vorm", |(kind, _), _| kind.label().to_string()),
    ("Uren", |(_, minutes), cells| cells.hours(*minutes)),
    ("Minuten", |(_, minutes), _| minutes.to_string()),
];

/// By organisation or by municipality: only the first heading differs.
fn named(heading: &'static str) -> [Column<NamedTotal>; 4] {
    [
        (heading, |total, _| text(&total.name)),
        ("Uren", |total, cells| cells.hours(total.minutes)),
        ("Minuten", |total, _| total.minutes.to_string()),
        ("Prestaties", |total, _| total.entries.to_string()),
    ]
}

const MONTH: &[Column<(YearMonth, i64)>] = &[
    ("Maand", |(month, _), _| month.iso()),
    ("Uren", |(_, minutes), cells| cells.hours(*minutes)),
    ("Minuten", |(_, minutes), _| minutes.to_string()),
];

const LIST: &[Column<ListRow>] = &[
    ("Naam", |row, _| text(&row.full_name)),
    ("Gemeente", |row, _| text(&row.municipality)),
    ("Trajectbegeleider", |row, _| {
        text(row.coach_name.as_deref().unwrap_or(""))
    }),
    ("Bevestigde uren", |row, cells| {
        cells.hours(i64::from(row.confirmed_minutes))
    }),
    ("Bevestigde minuten", |row, _| {
        row.confirmed_minutes.to_string()
    }),
    ("Minuten in afwachting", |row, _| {
        row.pending_minutes.to_string()
    }),
    ("Start", |row, _| format_date(row.start_date)),
    ("Streefdatum einde", |row, _| {
        format_date(row.target_end_date)
    }),
    ("Laatste bevestigde uren", |row, _| {
        row.last_confirmed_on.map(format_date).unwrap_or_default()
    }),
];

const PENDING: &[Column<PendingRow>] = &[
    ("Organisatie", |row, _| text(&row.organisation)),
    ("Contactpersonen", |row, _| text(&row.contacts)),
    ("Telefoon", |row, _| text(&row.phone)),
    ("E-mail", |row, _| text(&row.email)),
    ("Prestaties", |row, _| row.entries.to_string()),
    ("Inburgeraars", |row, _| row.participants.to_string()),
    ("Uren", |row, cells| cells.hours(row.minutes)),
    ("Minuten", |row, _| row.minutes.to_string()),
    ("Wacht sinds", |row, _| format_date(row.oldest)),
];

const FUNDER: &[Column<FunderLine>] = &[
    ("Indeling", |line, _| line.dimension.to_string()),
    ("Groep", |line, _| text(&line.group)),
    ("Inburgeraars", |line, _| line.participants.to_string()),
    ("Waarvan uren behaald", |line, _| line.completed.to_string()),
    ("Uren in de periode", |line, cells| {
        cells.hours(line.minutes)
    }),
    ("Minuten in de periode", |line, _| line.minutes.to_string()),
];

fn kind_minutes(participant: &PeriodParticipant, kind: PlacementKind) -> String {
    let minutes = participant.figures.minutes_by_kind.get(&kind);
    minutes.copied().unwrap_or(0).to_string()
}

const PARTICIPANTS: &[Column<PeriodParticipant>] = &[
    ("Naam", |p, _| text(&p.full_name)),
    ("Dossiernummer", |p, _| text(&p.external_dossier)),
    ("Gemeente", |p, _| text(&p.figures.municipality)),
    ("Leeftijdsgroep", |p, cells| {
        AgeBand::of(p.figures.birth_date, cells.period_end)
            .label()
            .to_string()
    }),
    ("Status", |p, _| p.figures.status.label().to_string()),
    ("Start", |p, _| format_date(p.start_date)),
    ("Streefdatum einde", |p, _| format_date(p.target_end_date)),
    ("Pauzedagen in de periode", |p, _| p.pause_days.to_string()),
    ("Minuten buddy", |p, _| {
        kind_minutes(p, PlacementKind::Buddy)
    }),
    ("Minuten stage", |p, _| {
        kind_minutes(p, PlacementKind::Stage)
    }),
    ("Minuten vrijwilligerswerk", |p, _| {
        kind_minutes(p, PlacementKind::Vrijwilligerswerk)
    }),
    ("Minuten taalstage", |p, _| {
        kind_minutes(p, PlacementKind::Taalstage)
    }),
    ("Uren in de periode", |p, cells| {
        cells.hours(p.figures.period_minutes())
    }),
    ("Minuten in de periode", |p, _| {
        p.figures.period_minutes().to_string()
    }),
    ("Bevestigde minuten in totaal", |p, _| {
        p.figures.confirmed_minutes.to_string()
    }),
    ("Uren behaald", |p, _| {
        if p.figures.completed() { "ja" } else { "nee" }.to_string()
    }),
];

/// The file of one report, with the filters of the query string. A filter that cannot be read
/// is refused (400) rather than quietly replaced: a funder's file must hold what was asked.
pub(super) async fn csv_export(
    report: CsvReport,
    CoordinatorUser { region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    Query(query): Query<FilterQuery>,
) -> Result<Response, AppError> {
    let today = dates::today();
    let separator = Separator::from_query(&query.scheiding);
    // Waits its turn behind other exports (the request timeout bounds the wait).
    let _turn = app
        .exports
        .acquire()
        .await
        .map_err(|_| AppError::Internal("the export semaphore was closed"))?;
    let mut conn = app.pool.acquire().await?;
    if report == CsvReport::Funder {
        return funder_export(&mut conn, region, &query, separator, today).await;
    }
    let choices = Choices::load(&mut conn, region).await?;
    let (filter, errors) = parse_filter(&query, &choices, today);
    if !errors.is_empty() {
        return Ok(StatusCode::BAD_REQUEST.into_response());
    }
    let conn = &mut *conn;
    let cells = &Cells {
        separator,
        period_end: filter.period.end(),
    };
    let (header, rows) = match report {
        CsvReport::Status => table(
            STATUS,
            &report::participants_by_status(conn, region, &filter).await?,
            cells,
        ),
        CsvReport::Kind => {
            let totals = report::hour_totals(conn, region, &filter).await?;
            table(KIND, &totals.by_kind, cells)
        }
        CsvReport::Organisation => {
            let totals = report::hour_totals(conn, region, &filter).await?;
            table(&named("Organisatie"), &totals.by_organisation, cells)
        }
        CsvReport::Municipality => {
            let totals = report::hour_totals(conn, region, &filter).await?;
            table(&named("Gemeente"), &totals.by_municipality, cells)
        }
        CsvReport::Month => {
            let totals = report::hour_totals(conn, region, &filter).await?;
            table(MONTH, &totals.by_month, cells)
        }
        CsvReport::List(list) => table(
            LIST,
            &report::work_list(conn, region, list, today, 0, i64::MAX).await?,
            cells,
        ),
        CsvReport::Pending => table(
            PENDING,
            &report::pending_too_long(conn, region).await?,
            cells,
        ),
        CsvReport::Funder => return funder_export(conn, region, &query, separator, today).await,
        CsvReport::Participants => table(
            PARTICIPANTS,
            &report::period_participants(conn, region, filter.period, filter.municipality).await?,
            cells,
        ),
    };
    let stamp = if report.as_of_today() {
        dates::iso_date(today)
    } else {
        period_suffix(filter.period)
    };
    let filename = format!("{}_{stamp}.csv", report.slug());
    export::response(&filename, separator, &header, &rows)
}

/// The funder's file in one statement: the filters that need no database are checked first,
/// the municipality and organisation asked for in the same statement as the figures.
async fn funder_export(
    conn: &mut PgConnection,
    region: RegionId,
    query: &FilterQuery,
    separator: Separator,
    today: Date,
) -> Result<Response, AppError> {
    let (filter, errors) = typed_filter(query, today);
    if !errors.is_empty() {
        return Ok(StatusCode::BAD_REQUEST.into_response());
    }
    let figures = report::funder_figures(
        conn,
        region,
        filter.period,
        filter.municipality,
        filter.organisation,
    )
    .await?;
    if (filter.municipality.is_some() && !figures.municipality_found)
        || (filter.organisation.is_some() && !figures.organisation_found)
    {
        return Ok(StatusCode::BAD_REQUEST.into_response());
    }
    let cells = Cells {
        separator,
        period_end: filter.period.end(),
    };
    let (header, rows) = table(FUNDER, &report::funder_lines(&figures.groups), &cells);
    let filename = format!(
        "{}_{}.csv",
        CsvReport::Funder.slug(),
        period_suffix(filter.period)
    );
    export::response(&filename, separator, &header, &rows)
}
