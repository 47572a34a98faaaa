//! The filters every report page and export reads from the query string: the period, the
//! municipality, the form and the organisation.

use serde::Deserialize;
use sqlx::PgConnection;

use crate::domain::participant;
use crate::domain::report::{self, Filter, Period, PlacementKind, YearMonth};
use crate::error::AppError;
use crate::values::ids::{MunicipalityId, OrganisationId, RegionId};
use crate::web::forms::{FieldErrors, non_blank};

/// Options for a `<select>`: (value, label).
pub(super) type Options = Vec<(String, String)>;

/// The options of a filter's `<select>`, after an empty one that means all.
pub(super) fn with_empty(first: &str, rest: impl IntoIterator<Item = (String, String)>) -> Options {
    std::iter::once((String::new(), first.to_string()))
        .chain(rest)
        .collect()
}

/// The filters as the query string brings them; every page and export reads the same names.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct FilterQuery {
    pub(super) van: String,
    pub(super) tot: String,
    pub(super) gemeente: String,
    pub(super) vorm: String,
    pub(super) organisatie: String,
    pub(super) scheiding: String,
    pub(super) pagina: Option<String>,
}

/// The region's municipalities and organisations: the filter choices, and what a filter may be.
pub(super) struct Choices {
    pub(super) municipalities: Vec<(MunicipalityId, String)>,
    pub(super) organisations: Vec<(OrganisationId, String)>,
}

impl Choices {
    pub(super) async fn load(conn: &mut PgConnection, region: RegionId) -> Result<Self, AppError> {
        Ok(Self {
            municipalities: participant::municipalities(conn, region).await?,
            organisations: report::organisations(conn, region).await?,
        })
    }
}

const MUNICIPALITY_NOT_FOUND: &str = "Kies een gemeente uit de lijst.";
const ORGANISATION_NOT_FOUND: &str = "Kies een organisatie uit de lijst.";

/// Reads the filters; what cannot be read is reported under its field and left at its default
/// (the last twelve months, all municipalities, forms and organisations).
pub(super) fn parse_filter(
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
            errors.add("gemeente", MUNICIPALITY_NOT_FOUND);
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
            errors.add("organisatie", ORGANISATION_NOT_FOUND);
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

/// The filters as typed, before they are checked against the region's choices, and what is
/// wrong with them that needs no choices to see: what `parse_filter` gives, but with any
/// municipality or organisation whose id is written the way the choices write theirs. A query
/// that checks them against the region in the same statement then ignores (or refuses) one
/// that is not there, as `parse_filter` does.
pub(super) fn typed_filter(query: &FilterQuery, today: time::Date) -> (Filter, FieldErrors) {
    let none = Choices {
        municipalities: Vec::new(),
        organisations: Vec::new(),
    };
    let without_choices = FilterQuery {
        gemeente: String::new(),
        organisatie: String::new(),
        ..query.clone()
    };
    let (filter, mut errors) = parse_filter(&without_choices, &none, today);
    let mut id = |field: &'static str, typed: &str, message: &'static str| {
        let typed = non_blank(typed)?;
        let id = uuid::Uuid::parse_str(typed)
            .ok()
            .filter(|id| id.to_string() == typed);
        if id.is_none() {
            errors.add(field, message);
        }
        id
    };
    let municipality = id("gemeente", &query.gemeente, MUNICIPALITY_NOT_FOUND);
    let organisation = id("organisatie", &query.organisatie, ORGANISATION_NOT_FOUND);
    (
        Filter {
            municipality: municipality.map(MunicipalityId),
            organisation: organisation.map(OrganisationId),
            ..filter
        },
        errors,
    )
}

/// The query string of a filter, for export links (`&scheiding=komma` is added by the page).
pub(super) fn filter_query(filter: &Filter) -> String {
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

pub(super) fn period_suffix(period: Period) -> String {
    if period.from == period.to {
        period.from.iso()
    } else {
        format!("{}_{}", period.from.iso(), period.to.iso())
    }
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
