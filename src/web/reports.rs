//! Reports for the coördinator of a region: the dashboard (their home page), the working
//! lists, the CSV exports, and the data-protection export of one participant (right of access).
//!
//! Every handler takes `CoordinatorUser` and scopes by the coordinator's region; another
//! region's participant is a 404.

mod chart;
pub(crate) mod export;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use sqlx::PgConnection;

use self::chart::Bar;
use self::export::{Separator, text};
use super::forms::{FieldErrors, Paging, non_blank, path_id};
use super::layout::Layout;
use super::session::CoordinatorUser;
use crate::domain::participant;
use crate::domain::privacy::{self, AccessExport, ExportFormat};
use crate::domain::report::{
    self, AgeBand, Dashboard, Filter, ListCounts, ListRow, NamedTotal, PENDING_TOO_LONG_DAYS,
    PendingRow, Period, PlacementKind, WorkList, YearMonth,
};
use crate::error::AppError;
use crate::values::dates::{self, format_date, format_moment};
use crate::values::duration::format_minutes;
use crate::values::ids::{MunicipalityId, OrganisationId, ParticipantId, RegionId};
use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    let mut router = Router::new()
        .route("/coordinatie", get(dashboard))
        .route("/rapporten", get(overview))
        .route("/rapporten/wachtende-uren", get(pending_page))
        .route("/inburgeraars/{id}/inzage", get(access_page))
        .route("/inburgeraars/{id}/inzage.json", get(access_json));
    for list in WorkList::ALL {
        router = router.route(
            &format!("/rapporten/{}", list.slug()),
            get(
                move |coordinator: CoordinatorUser,
                      state: State<AppState>,
                      layout: Layout,
                      query: Query<FilterQuery>| {
                    list_page(list, coordinator, state, layout, query)
                },
            ),
        );
    }
    for csv in CsvReport::ALL {
        router = router.route(
            &format!("/rapporten/{}.csv", csv.slug()),
            get(
                move |coordinator: CoordinatorUser,
                      state: State<AppState>,
                      query: Query<FilterQuery>| {
                    csv_export(csv, coordinator, state, query)
                },
            ),
        );
    }
    router
}

/// Options for a `<select>`: (value, label).
type Options = Vec<(String, String)>;

fn with_empty(first: &str, rest: impl IntoIterator<Item = (String, String)>) -> Options {
    std::iter::once((String::new(), first.to_string()))
        .chain(rest)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Filters

/// The filters as the query string brings them; every page and export reads the same names.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
struct FilterQuery {
    van: String,
    tot: String,
    gemeente: String,
    vorm: String,
    organisatie: String,
    scheiding: String,
    pagina: Option<String>,
}

/// The region's municipalities and organisations: the filter choices, and what a filter may be.
struct Choices {
    municipalities: Vec<(MunicipalityId, String)>,
    organisations: Vec<(OrganisationId, String)>,
}

impl Choices {
    async fn load(conn: &mut PgConnection, region: RegionId) -> Result<Self, AppError> {
        Ok(Self {
            municipalities: participant::municipalities(conn, region).await?,
            organisations: report::organisations(conn, region).await?,
        })
    }
}

/// Reads the filters; what cannot be read is reported under its field and left at its default
/// (the last twelve months, all municipalities, forms and organisations).
fn parse_filter(
    query: &FilterQuery,
    choices: &Choices,
    today: time::Date,
) -> (Filter, FieldErrors) {
    let mut errors = FieldErrors::default();
    let default = Period::last_twelve_months(today);
    let month =
        |errors: &mut FieldErrors, field: &'static str, typed: &str, fallback: YearMonth| {
            match non_blank(typed) {
                None => Some(fallback),
                Some(typed) => errors.check(field, YearMonth::parse(typed)),
            }
        };
    let from = month(&mut errors, "van", &query.van, default.from);
    let to = month(&mut errors, "tot", &query.tot, default.to);
    let period = match (from, to) {
        (Some(from), Some(to)) => match Period::new(from, to) {
            Ok(period) => period,
            Err(error) => {
                errors.add("tot", error);
                default
            }
        },
        // One of them unreadable: its error is said; show the default meanwhile.
        _ => default,
    };
    let municipality = non_blank(&query.gemeente).and_then(|typed| {
        let found = choices
            .municipalities
            .iter()
            .find(|(id, _)| id.to_string() == typed)
            .map(|(id, _)| *id);
        if found.is_none() {
            errors.add("gemeente", "Kies een gemeente uit de lijst.");
        }
        found
    });
    let kind = non_blank(&query.vorm).and_then(|typed| {
        let found = PlacementKind::parse(typed);
        if found.is_none() {
            errors.add("vorm", "Kies een vorm uit de lijst.");
        }
        found
    });
    let organisation = non_blank(&query.organisatie).and_then(|typed| {
        let found = choices
            .organisations
            .iter()
            .find(|(id, _)| id.to_string() == typed)
            .map(|(id, _)| *id);
        if found.is_none() {
            errors.add("organisatie", "Kies een organisatie uit de lijst.");
        }
        found
    });
    (
        Filter {
            period,
            municipality,
            kind,
            organisation,
        },
        errors,
    )
}

/// The query string of a filter, for export links (`&scheiding=komma` is added by the page).
fn filter_query(filter: &Filter) -> String {
    serde_urlencoded::to_string([
        ("van", filter.period.from.iso()),
        ("tot", filter.period.to.iso()),
        (
            "gemeente",
            filter
                .municipality
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ),
        (
            "vorm",
            filter
                .kind
                .map(|k| k.code().to_string())
                .unwrap_or_default(),
        ),
        (
            "organisatie",
            filter
                .organisation
                .map(|o| o.to_string())
                .unwrap_or_default(),
        ),
    ])
    .unwrap_or_default()
}

fn period_suffix(period: Period) -> String {
    if period.from == period.to {
        period.from.iso()
    } else {
        format!("{}_{}", period.from.iso(), period.to.iso())
    }
}

// ---------------------------------------------------------------------------------------------
// The dashboard

/// How many organisations the chart shows by name; the rest make one bar, the table has all.
const CHART_ORGANISATIONS: usize = 12;

#[derive(Template, WebTemplate)]
#[template(path = "reports/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    errors: FieldErrors,
    van: String,
    tot: String,
    gemeente: String,
    vorm: String,
    organisatie: String,
    municipality_options: Options,
    kind_options: Options,
    organisation_options: Options,
    period_label: String,
    data: Dashboard,
    counts: ListCounts,
    status_chart: String,
    kind_chart: String,
    organisation_chart: String,
    municipality_chart: String,
    month_chart: String,
    query: String,
}

impl DashboardPage {
    fn hours(&self, minutes: &i64) -> String {
        format_minutes(*minutes)
    }

    fn total_hours(&self) -> String {
        format_minutes(self.data.minutes())
    }

    fn month(&self, month: &YearMonth) -> String {
        month.label()
    }
}

fn hours_bar(label: String, minutes: i64) -> Bar {
    Bar {
        label,
        value: minutes,
        text: format_minutes(minutes),
    }
}

fn named_bars(totals: &[NamedTotal], keep: usize) -> Vec<Bar> {
    let mut bars: Vec<Bar> = totals
        .iter()
        .take(keep)
        .map(|t| hours_bar(t.name.clone(), t.minutes))
        .collect();
    if totals.len() > keep {
        let rest: i64 = totals.iter().skip(keep).map(|t| t.minutes).sum();
        bars.push(hours_bar(format!("{} andere", totals.len() - keep), rest));
    }
    bars
}

async fn dashboard(
    CoordinatorUser { user, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<FilterQuery>,
) -> Result<DashboardPage, AppError> {
    let region = user.staff_region()?;
    let today = dates::today();
    let mut conn = app.pool.acquire().await?;
    let choices = Choices::load(&mut conn, region).await?;
    let (filter, errors) = parse_filter(&query, &choices, today);
    let data = report::dashboard(&mut conn, region, &filter).await?;
    let counts = report::list_counts(&mut conn, region, today).await?;
    let period_label = filter.period.label();

    let status_chart = chart::bars(
        "grafiek-status",
        "Inburgeraars per status",
        &format!("Inburgeraars met een traject in {period_label}, per status."),
        &data
            .by_status
            .iter()
            .map(|(status, count)| Bar {
                label: status.label().to_string(),
                value: *count,
                text: count.to_string(),
            })
            .collect::<Vec<_>>(),
        true,
    );
    let kind_chart = chart::bars(
        "grafiek-vorm",
        "Bevestigde uren per vorm",
        &format!("Bevestigde uren in {period_label}, per vorm."),
        &data
            .by_kind
            .iter()
            .map(|(kind, minutes)| hours_bar(kind.label().to_string(), *minutes))
            .collect::<Vec<_>>(),
        true,
    );
    let organisation_chart = chart::bars(
        "grafiek-organisatie",
        "Bevestigde uren per organisatie",
        &format!(
            "Bevestigde uren in {period_label}, per partnerorganisatie, de {CHART_ORGANISATIONS} grootste apart."
        ),
        &named_bars(&data.by_organisation, CHART_ORGANISATIONS),
        false,
    );
    let municipality_chart = chart::bars(
        "grafiek-gemeente",
        "Bevestigde uren per gemeente",
        &format!("Bevestigde uren in {period_label}, per gemeente van de inburgeraar."),
        &named_bars(&data.by_municipality, usize::MAX),
        false,
    );
    let month_chart = chart::columns(
        "grafiek-maand",
        "Bevestigde uren per maand",
        &format!("Bevestigde uren per maand, {period_label}."),
        &data
            .by_month
            .iter()
            .map(|(month, minutes)| Bar {
                label: month.short_label(),
                value: *minutes,
                text: format_minutes(*minutes),
            })
            .collect::<Vec<_>>(),
        60,
        "u",
    );
    let valid = errors.is_empty();
    Ok(DashboardPage {
        layout,
        van: if valid || query.van.is_empty() {
            filter.period.from.iso()
        } else {
            query.van.clone()
        },
        tot: if valid || query.tot.is_empty() {
            filter.period.to.iso()
        } else {
            query.tot.clone()
        },
        gemeente: query.gemeente.clone(),
        vorm: query.vorm.clone(),
        organisatie: query.organisatie.clone(),
        municipality_options: with_empty(
            "Alle gemeenten",
            choices
                .municipalities
                .iter()
                .map(|(id, name)| (id.to_string(), name.clone())),
        ),
        kind_options: with_empty(
            "Alle vormen",
            PlacementKind::ALL.map(|k| (k.code().to_string(), k.label().to_string())),
        ),
        organisation_options: with_empty(
            "Alle organisaties",
            choices
                .organisations
                .iter()
                .map(|(id, name)| (id.to_string(), name.clone())),
        ),
        query: filter_query(&filter),
        errors,
        period_label,
        data,
        counts,
        status_chart,
        kind_chart,
        organisation_chart,
        municipality_chart,
        month_chart,
    })
}

// ---------------------------------------------------------------------------------------------
// The working lists

struct ListLink {
    slug: &'static str,
    title: &'static str,
    description: String,
    count: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/overview.html")]
struct OverviewPage {
    layout: Layout,
    lists: Vec<ListLink>,
    counts: ListCounts,
    pending_days: i32,
    van: String,
    tot: String,
    municipality_options: Options,
}

async fn overview(
    CoordinatorUser { user, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<OverviewPage, AppError> {
    let region = user.staff_region()?;
    let today = dates::today();
    let mut conn = app.pool.acquire().await?;
    let counts = report::list_counts(&mut conn, region, today).await?;
    // A funder usually asks for a calendar year: the current one by default.
    let year_start =
        YearMonth::parse(&format!("{}-01", today.year())).unwrap_or(YearMonth::of(today));
    Ok(OverviewPage {
        layout,
        lists: WorkList::ALL
            .into_iter()
            .map(|list| ListLink {
                slug: list.slug(),
                title: list.title(),
                description: list.description(),
                count: counts.of(list),
            })
            .collect(),
        counts,
        pending_days: PENDING_TOO_LONG_DAYS,
        van: year_start.iso(),
        tot: YearMonth::of(today).iso(),
        municipality_options: with_empty(
            "Alle gemeenten",
            participant::municipalities(&mut conn, region)
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name)),
        ),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/list.html")]
struct ListPage {
    layout: Layout,
    slug: &'static str,
    title: &'static str,
    description: String,
    rows: Vec<ListRow>,
    required_minutes: i64,
    total: i64,
    page: i64,
    has_next: bool,
}

impl ListPage {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }

    fn hours<T: Copy + Into<i64>>(&self, minutes: &T) -> String {
        format_minutes((*minutes).into())
    }
}

async fn list_page(
    list: WorkList,
    CoordinatorUser { user, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<FilterQuery>,
) -> Result<ListPage, AppError> {
    let region = user.staff_region()?;
    let today = dates::today();
    let paging = Paging::from_query(query.pagina.as_deref());
    let mut conn = app.pool.acquire().await?;
    let mut rows = report::work_list(
        &mut conn,
        region,
        list,
        today,
        paging.offset(),
        paging.limit(),
    )
    .await?;
    let has_next = paging.trim(&mut rows);
    let counts = report::list_counts(&mut conn, region, today).await?;
    let required = required_minutes(&mut conn, region).await?;
    Ok(ListPage {
        layout,
        slug: list.slug(),
        title: list.title(),
        description: list.description(),
        rows,
        required_minutes: i64::from(required),
        total: counts.of(list),
        page: paging.number,
        has_next,
    })
}

async fn required_minutes(conn: &mut PgConnection, region: RegionId) -> Result<i32, AppError> {
    Ok(sqlx::query_scalar!(
        "SELECT required_minutes FROM regions WHERE id = $1",
        region.0
    )
    .fetch_one(conn)
    .await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/pending.html")]
struct PendingPage {
    layout: Layout,
    rows: Vec<PendingRow>,
    pending_days: i32,
}

impl PendingPage {
    fn date(&self, date: &time::Date) -> String {
        format_date(*date)
    }

    fn hours(&self, minutes: &i64) -> String {
        format_minutes(*minutes)
    }
}

async fn pending_page(
    CoordinatorUser { user, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
) -> Result<PendingPage, AppError> {
    let region = user.staff_region()?;
    let mut conn = app.pool.acquire().await?;
    Ok(PendingPage {
        layout,
        rows: report::pending_too_long(&mut conn, region).await?,
        pending_days: PENDING_TOO_LONG_DAYS,
    })
}

// ---------------------------------------------------------------------------------------------
// CSV exports

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvReport {
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
    const ALL: [Self; 11] = [
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

    fn slug(self) -> &'static str {
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
}

/// The file of one report, with the filters of the query string. A filter that cannot be read
/// is refused (400) rather than quietly replaced: a funder's file must hold what was asked.
async fn csv_export(
    report: CsvReport,
    CoordinatorUser { user, .. }: CoordinatorUser,
    State(app): State<AppState>,
    Query(query): Query<FilterQuery>,
) -> Result<Response, AppError> {
    let region = user.staff_region()?;
    let today = dates::today();
    let separator = Separator::from_query(&query.scheiding);
    // Waits its turn behind other exports (the request timeout bounds the wait).
    let _turn = app
        .exports
        .acquire()
        .await
        .map_err(|_| AppError::Internal("the export semaphore was closed"))?;
    let mut conn = app.pool.acquire().await?;
    let choices = Choices::load(&mut conn, region).await?;
    let (filter, errors) = parse_filter(&query, &choices, today);
    if !errors.is_empty() {
        return Ok(axum::http::StatusCode::BAD_REQUEST.into_response());
    }
    let suffix = period_suffix(filter.period);
    let hours = |minutes: i64| separator.hours(minutes);
    let (filename, header, rows): (String, Vec<&str>, Vec<Vec<String>>) = match report {
        CsvReport::Status => {
            let rows = report::participants_by_status(&mut conn, region, &filter).await?;
            (
                format!("{}_{suffix}.csv", report.slug()),
                vec!["Status", "Inburgeraars"],
                rows.into_iter()
                    .map(|(status, count)| vec![status.label().to_string(), count.to_string()])
                    .collect(),
            )
        }
        CsvReport::Kind => {
            let rows = report::hour_totals(&mut conn, region, &filter)
                .await?
                .by_kind;
            (
                format!("{}_{suffix}.csv", report.slug()),
                vec!["Vorm", "Uren", "Minuten"],
                rows.into_iter()
                    .map(|(kind, minutes)| {
                        vec![
                            kind.label().to_string(),
                            hours(minutes),
                            minutes.to_string(),
                        ]
                    })
                    .collect(),
            )
        }
        CsvReport::Organisation | CsvReport::Municipality => {
            let totals = report::hour_totals(&mut conn, region, &filter).await?;
            let (rows, column) = if report == CsvReport::Organisation {
                (totals.by_organisation, "Organisatie")
            } else {
                (totals.by_municipality, "Gemeente")
            };
            (
                format!("{}_{suffix}.csv", report.slug()),
                vec![column, "Uren", "Minuten", "Prestaties"],
                rows.into_iter()
                    .map(|t| {
                        vec![
                            text(&t.name),
                            hours(t.minutes),
                            t.minutes.to_string(),
                            t.entries.to_string(),
                        ]
                    })
                    .collect(),
            )
        }
        CsvReport::Month => {
            let rows = report::hour_totals(&mut conn, region, &filter)
                .await?
                .by_month;
            (
                format!("{}_{suffix}.csv", report.slug()),
                vec!["Maand", "Uren", "Minuten"],
                rows.into_iter()
                    .map(|(month, minutes)| vec![month.iso(), hours(minutes), minutes.to_string()])
                    .collect(),
            )
        }
        CsvReport::List(list) => {
            let rows = report::work_list(&mut conn, region, list, today, 0, i64::MAX).await?;
            (
                format!("{}_{}.csv", list.slug(), dates::iso_date(today)),
                vec![
                    "Naam",
                    "Gemeente",
                    "Trajectbegeleider",
                    "Bevestigde uren",
                    "Bevestigde minuten",
                    "Minuten in afwachting",
                    "Start",
                    "Streefdatum einde",
                    "Laatste bevestigde uren",
                ],
                rows.into_iter()
                    .map(|row| {
                        vec![
                            text(&row.full_name),
                            text(&row.municipality),
                            text(row.coach_name.as_deref().unwrap_or("")),
                            hours(i64::from(row.confirmed_minutes)),
                            row.confirmed_minutes.to_string(),
                            row.pending_minutes.to_string(),
                            format_date(row.start_date),
                            format_date(row.target_end_date),
                            row.last_confirmed_on.map(format_date).unwrap_or_default(),
                        ]
                    })
                    .collect(),
            )
        }
        CsvReport::Pending => {
            let rows = report::pending_too_long(&mut conn, region).await?;
            (
                format!("{}_{}.csv", report.slug(), dates::iso_date(today)),
                vec![
                    "Organisatie",
                    "Contactpersonen",
                    "Telefoon",
                    "E-mail",
                    "Prestaties",
                    "Inburgeraars",
                    "Uren",
                    "Minuten",
                    "Wacht sinds",
                ],
                rows.into_iter()
                    .map(|row| {
                        vec![
                            text(&row.organisation),
                            text(&row.contacts),
                            text(&row.phone),
                            text(&row.email),
                            row.entries.to_string(),
                            row.participants.to_string(),
                            hours(row.minutes),
                            row.minutes.to_string(),
                            format_date(row.oldest),
                        ]
                    })
                    .collect(),
            )
        }
        CsvReport::Funder => {
            let people =
                report::period_figures(&mut conn, region, filter.period, filter.municipality)
                    .await?;
            (
                format!("{}_{suffix}.csv", report.slug()),
                vec![
                    "Indeling",
                    "Groep",
                    "Inburgeraars",
                    "Waarvan uren behaald",
                    "Uren in de periode",
                    "Minuten in de periode",
                ],
                report::funder_lines(&people, filter.period)
                    .into_iter()
                    .map(|line| {
                        vec![
                            line.dimension.to_string(),
                            text(&line.group),
                            line.participants.to_string(),
                            line.completed.to_string(),
                            hours(line.minutes),
                            line.minutes.to_string(),
                        ]
                    })
                    .collect(),
            )
        }
        CsvReport::Participants => {
            let people =
                report::period_participants(&mut conn, region, filter.period, filter.municipality)
                    .await?;
            let mut header = vec![
                "Naam",
                "Dossiernummer",
                "Gemeente",
                "Leeftijdsgroep",
                "Status",
                "Start",
                "Streefdatum einde",
            ];
            let kind_columns = [
                "Minuten buddy",
                "Minuten stage",
                "Minuten vrijwilligerswerk",
                "Minuten taalstage",
            ];
            header.extend(kind_columns);
            header.extend([
                "Uren in de periode",
                "Minuten in de periode",
                "Bevestigde minuten in totaal",
                "Uren behaald",
            ]);
            let end = filter.period.end();
            (
                format!("{}_{suffix}.csv", report.slug()),
                header,
                people
                    .into_iter()
                    .map(|p| {
                        let f = &p.figures;
                        let mut row = vec![
                            text(&p.full_name),
                            text(&p.external_dossier),
                            text(&f.municipality),
                            AgeBand::of(f.birth_date, end).label().to_string(),
                            f.status.label().to_string(),
                            format_date(p.start_date),
                            format_date(p.target_end_date),
                        ];
                        row.extend(PlacementKind::ALL.iter().map(|kind| {
                            f.minutes_by_kind
                                .get(kind)
                                .copied()
                                .unwrap_or(0)
                                .to_string()
                        }));
                        row.extend([
                            hours(f.period_minutes()),
                            f.period_minutes().to_string(),
                            f.confirmed_minutes.to_string(),
                            if f.completed() { "ja" } else { "nee" }.to_string(),
                        ]);
                        row
                    })
                    .collect(),
            )
        }
    };
    export::response(&filename, separator, &header, &rows)
}

// ---------------------------------------------------------------------------------------------
// Right of access

async fn gather(
    app: &AppState,
    user: &crate::domain::user::CurrentUser,
    id: &str,
    format: ExportFormat,
    path: &str,
) -> Result<AccessExport, AppError> {
    let region = user.staff_region()?;
    let id = path_id::<ParticipantId>(id)?;
    let mut tx = app.pool.begin().await?;
    let Some(export) = privacy::access_export(&mut tx, user.id, region, id, format, path).await?
    else {
        tracing::warn!(user = %user.id, participant = %id, "access export of a participant outside the region refused");
        return Err(AppError::NotFound);
    };
    tx.commit().await?;
    Ok(export)
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/access.html")]
struct AccessPage {
    layout: Layout,
    export: AccessExport,
}

impl AccessPage {
    fn hours(&self, minutes: &i32) -> String {
        format_minutes(i64::from(*minutes))
    }

    fn date(&self, iso: &str) -> String {
        dates::parse_date(iso)
            .map(format_date)
            .unwrap_or_else(|_| iso.to_string())
    }

    fn moment(&self, at: &time::OffsetDateTime) -> String {
        format_moment(*at)
    }

    fn exported_on(&self) -> String {
        format_date(dates::today())
    }

    fn optional<'a>(&self, value: &'a str) -> &'a str {
        if value.is_empty() { "—" } else { value }
    }
}

async fn access_page(
    CoordinatorUser { user, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Result<AccessPage, AppError> {
    let export = gather(&app, &user, &id, ExportFormat::Page, uri.path()).await?;
    Ok(AccessPage { layout, export })
}

async fn access_json(
    CoordinatorUser { user, .. }: CoordinatorUser,
    State(app): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let export = gather(&app, &user, &id, ExportFormat::Json, uri.path()).await?;
    let body = serde_json::to_vec_pretty(&export)
        .map_err(|_| AppError::Internal("cannot write the access export as JSON"))?;
    let short: String = export
        .person
        .id
        .0
        .simple()
        .to_string()
        .chars()
        .take(8)
        .collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"inzage-{short}.json\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::PeriodError;
    use time::macros::date;
    use uuid::Uuid;

    fn choices() -> Choices {
        Choices {
            municipalities: vec![(MunicipalityId(Uuid::nil()), "Brugge".into())],
            organisations: vec![],
        }
    }

    #[test]
    fn filters_default_to_the_last_twelve_months() {
        let (filter, errors) =
            parse_filter(&FilterQuery::default(), &choices(), date!(2026 - 11 - 24));
        assert!(errors.is_empty());
        assert_eq!(filter.period.start(), date!(2025 - 12 - 01));
        assert_eq!(filter.period.end(), date!(2026 - 11 - 30));
        assert_eq!(filter.municipality, None);
    }

    #[test]
    fn unreadable_filters_are_reported_and_ignored() {
        let query = FilterQuery {
            van: "2026-05".into(),
            tot: "2026-02".into(),
            gemeente: Uuid::new_v4().to_string(),
            vorm: "kookles".into(),
            organisatie: "x".into(),
            ..Default::default()
        };
        let (filter, errors) = parse_filter(&query, &choices(), date!(2026 - 11 - 24));
        let fields: Vec<&str> = errors.all().iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["tot", "gemeente", "vorm", "organisatie"]);
        assert_eq!(
            filter.period,
            Period::last_twelve_months(date!(2026 - 11 - 24))
        );
        assert_eq!(
            errors.get("tot"),
            Some(PeriodError::EndBeforeStart.to_string())
        );
        let query = FilterQuery {
            gemeente: Uuid::nil().to_string(),
            vorm: "stage".into(),
            ..Default::default()
        };
        let (filter, errors) = parse_filter(&query, &choices(), date!(2026 - 11 - 24));
        assert!(errors.is_empty());
        assert_eq!(filter.municipality, Some(MunicipalityId(Uuid::nil())));
        assert_eq!(filter.kind, Some(PlacementKind::Stage));
    }
}
