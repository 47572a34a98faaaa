//! The dashboard, the coördinator's home page: the filtered figures as charts and tables.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use super::chart::{self, Bar};
use super::filter::{
    Choices, FilterQuery, Options, filter_query, parse_filter, typed_filter, with_empty,
};
use crate::domain::report::{self, Dashboard, ListCounts, NamedTotal, PlacementKind, YearMonth};
use crate::error::AppError;
use crate::values::dates;
use crate::values::duration::format_minutes;
use crate::web::forms::FieldErrors;
use crate::web::layout::Layout;
use crate::web::session::CoordinatorUser;
use crate::web::state::AppState;

/// How many organisations the chart shows by name; the rest make one bar, the table has all.
const CHART_ORGANISATIONS: usize = 12;

#[derive(Template, WebTemplate)]
#[template(path = "reports/dashboard.html")]
pub(super) struct DashboardPage {
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

pub(super) async fn dashboard(
    CoordinatorUser { region, .. }: CoordinatorUser,
    State(app): State<AppState>,
    layout: Layout,
    Query(query): Query<FilterQuery>,
) -> Result<DashboardPage, AppError> {
    let today = dates::today();
    let mut conn = app.pool.acquire().await?;
    // One statement: the choices, the figures under the filters as typed (a municipality or
    // organisation outside the region ignored) and the working-list counts; the filters are
    // then checked against the choices, which reports what was ignored.
    let view = report::dashboard(&mut conn, region, &typed_filter(&query, today).0, today).await?;
    drop(conn);
    let choices = Choices {
        municipalities: view.municipalities,
        organisations: view.organisations,
    };
    let (filter, errors) = parse_filter(&query, &choices, today);
    let (data, counts) = (view.data, view.counts);
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
