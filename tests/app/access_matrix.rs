//! The access matrix: every route of the router (found by reading `src/web/`, so a new route
//! cannot be forgotten) called by every kind of caller, with the status each must get, and no
//! data of another region or organisation in any body.
//!
//! Ids in paths are those of the first region's data: its participant, placement, entry,
//! certificate, organisation, a user, the region, a municipality, a personal link and a
//! password reset link. Each caller gets a database of its own with the same data, so what one
//! caller changes (a deletion, a deactivation) cannot change another caller's answers; within
//! one caller the rows run in the order below (`/logout` last).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use reqwest::StatusCode;
use veertig::config::Config;
use veertig::domain::account;
use veertig::domain::certificate;
use veertig::domain::confirmation;
use veertig::domain::user::{Email, Role};
use veertig::values::ids::{ParticipantId, UserId};

use crate::helpers::{LOCALHOST, OtherRegion, PASSWORD, TestApp, TestUser, location};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Caller {
    Anonymous,
    Admin,
    Coordinator,
    Coach,
    /// A partnercontact of the organisation of the first region's placement.
    Partner,
    /// A partnercontact of another organisation in the same region.
    OtherPartner,
    /// A trajectbegeleider of another region.
    OtherCoach,
    /// A coördinator of another region.
    OtherCoordinator,
}

const CALLERS: [Caller; 8] = [
    Caller::Anonymous,
    Caller::Admin,
    Caller::Coordinator,
    Caller::Coach,
    Caller::Partner,
    Caller::OtherPartner,
    Caller::OtherCoach,
    Caller::OtherCoordinator,
];

/// One line per route: method, the route as written in `src/web/` (`{}` where the path is
/// built with `format!`), then the status for each caller in the order of `CALLERS`:
/// anonymous, beheerder, coördinator, trajectbegeleider, partner, partner of another
/// organisation, trajectbegeleider of another region, coördinator of another region.
/// `L` is a redirect to the login page. POSTs carry a valid CSRF token and the first entry's
/// version (as the forms that decide entries do), nothing else: a few handlers read the form
/// before the record and answer an incomplete one the same way for every record, existing or
/// not (303 back with a message; 400 for an upload that is not multipart). The personal
/// link's rows come late, because deciding through the link decides the first entry; the
/// coördinator and the trajectbegeleider revoked the link before (410).
const MATRIX: &[&str] = &[
    //                                                              anon adm  crd  cch  prt  prt2 cch2 crd2
    "GET  /healthz                                                  200  200  200  200  200  200  200  200",
    "GET  /readyz                                                   200  200  200  200  200  200  200  200",
    "GET  /bench/limit                                              404  404  404  404  404  404  404  404",
    "GET  /metrics                                                  404  404  404  404  404  404  404  404",
    "GET  /static                                                   200  200  200  200  200  200  200  200",
    "GET  /login                                                    200  303  303  303  303  303  303  303",
    "POST /login                                                    422  422  422  422  422  422  422  422",
    "GET  /login/oidc                                               404  404  404  404  404  404  404  404",
    "GET  /login/oidc/callback                                      404  404  404  404  404  404  404  404",
    "GET  /login/code                                               L    303  303  303  303  303  303  303",
    "POST /login/code                                               L    303  303  303  303  303  303  303",
    "GET  /login/tweede-factor                                      L    303  303  303  303  303  303  303",
    "POST /login/tweede-factor                                      L    303  303  303  303  303  303  303",
    "POST /login/passkey/opties                                     403  403  403  403  403  403  403  403",
    "POST /login/passkey                                            L    303  303  303  303  303  303  303",
    "POST /login/zonder-wachtwoord/opties                           200  200  200  200  200  200  200  200",
    "POST /login/zonder-wachtwoord                                  L    L    L    L    L    L    L    L",
    "GET  /wachtwoord-vergeten                                      200  200  200  200  200  200  200  200",
    "POST /wachtwoord-vergeten                                      422  422  422  422  422  422  422  422",
    "GET  /wachtwoord-herstellen/{token}                            200  200  200  200  200  200  200  200",
    "POST /wachtwoord-herstellen/{token}                            422  422  422  422  422  422  422  422",
    "GET  /controle                                                 200  200  200  200  200  200  200  200",
    "GET  /controle/{code}                                          200  200  200  200  200  200  200  200",
    "GET  /verify                                                   200  200  200  200  200  200  200  200",
    "GET  /verify/{code}                                            200  200  200  200  200  200  200  200",
    "GET  /                                                         L    303  303  303  303  303  303  303",
    "GET  /mijn-account/wachtwoord                                  L    200  200  200  200  200  200  200",
    "POST /mijn-account/wachtwoord                                  L    422  422  422  422  422  422  422",
    "GET  /mijn-account/tweede-factor                               L    200  200  200  200  200  200  200",
    "POST /mijn-account/tweede-factor                               L    422  422  422  422  422  422  422",
    "GET  /mijn-account/passkeys                                    L    200  200  200  200  200  200  200",
    "POST /mijn-account/passkeys/opties                             L    200  200  200  200  200  200  200",
    "POST /mijn-account/passkeys                                    L    422  422  422  422  422  422  422",
    "POST /mijn-account/passkeys/{id}/verwijderen                   L    404  404  404  404  404  404  404",
    "GET  /inburgeraars/overnemen                                   L    200  200  403  403  403  403  200",
    "POST /inburgeraars/overnemen                                   L    422  422  403  403  403  403  422",
    "GET  /caseload                                                 L    403  403  200  403  403  200  403",
    "POST /caseload/weekoverzicht                                   L    403  403  303  403  403  303  403",
    "GET  /partner                                                  L    403  403  403  200  200  403  403",
    "GET  /partner/geschiedenis                                     L    403  403  403  200  200  403  403",
    "POST /partner/uren/{id}/bevestigen                             L    403  403  403  303  404  403  403",
    "POST /partner/uren/{id}/afwijzen                               L    403  403  403  422  422  403  403",
    "POST /partner/uren/{id}/aanpassen                              L    403  403  403  422  422  403  403",
    "POST /partner/plaatsingen/{id}/alles-bevestigen                L    403  403  403  303  404  403  403",
    "POST /plaatsingen/{id}/herinnering                             L    403  303  303  403  403  404  404",
    "POST /links/{id}/intrekken                                     L    403  303  303  403  403  404  404",
    "GET  /beheer/outbox                                            L    200  403  403  403  403  403  403",
    "GET  /organisaties                                             L    200  200  200  403  403  200  200",
    "GET  /organisaties/nieuw                                       L    200  200  403  403  403  403  200",
    "POST /organisaties/nieuw                                       L    422  422  403  403  403  403  422",
    "GET  /organisaties/{id}                                        L    200  200  200  403  403  404  404",
    "GET  /organisaties/{id}/bewerken                               L    200  200  403  403  403  403  404",
    "POST /organisaties/{id}/bewerken                               L    422  422  403  403  403  403  404",
    "POST /organisaties/{id}/verwijderen                            L    303  303  403  403  403  403  404",
    "POST /organisaties/{id}/contactpersonen                        L    422  422  403  403  403  403  404",
    "GET  /inburgeraars                                             L    403  200  200  403  403  200  200",
    "GET  /inburgeraars/nieuw                                       L    403  200  200  403  403  200  200",
    "POST /inburgeraars/nieuw                                       L    403  422  422  403  403  422  422",
    "GET  /inburgeraars/{id}                                        L    403  200  200  403  403  404  404",
    "GET  /inburgeraars/{id}/bewerken                               L    403  200  200  403  403  404  404",
    "POST /inburgeraars/{id}/bewerken                               L    403  422  422  403  403  404  404",
    "POST /inburgeraars/{id}/begeleider                             L    403  303  303  403  403  404  404",
    "POST /inburgeraars/{id}/stopzetten                             L    403  303  303  403  403  404  404",
    "POST /inburgeraars/{id}/vrijstellen                            L    403  303  303  403  403  404  404",
    "POST /inburgeraars/{id}/heractiveren                           L    403  303  303  403  403  404  404",
    "POST /inburgeraars/{id}/pauzeren                               L    403  422  422  403  403  404  404",
    "POST /inburgeraars/{id}/hervatten                              L    403  422  422  403  403  404  404",
    "GET  /inburgeraars/{participant_id}/plaatsingen/nieuw          L    403  200  200  403  403  404  404",
    "POST /inburgeraars/{participant_id}/plaatsingen/nieuw          L    403  422  422  403  403  404  404",
    "GET  /plaatsingen/{id}                                         L    403  200  200  403  403  404  404",
    "GET  /plaatsingen/{id}/bewerken                                L    403  200  200  403  403  404  404",
    "POST /plaatsingen/{id}/bewerken                                L    403  422  422  403  403  404  404",
    "POST /plaatsingen/{id}/status                                  L    403  303  303  403  403  404  404",
    "POST /plaatsingen/{id}/uren                                    L    403  422  422  403  403  404  404",
    "GET  /uren/{id}/bewerken                                       L    403  200  200  403  403  404  404",
    "POST /uren/{id}/bewerken                                       L    403  422  422  403  403  404  404",
    "POST /uren/{id}/verwijderen                                    L    403  303  303  403  403  404  404",
    "GET  /partner/plaatsingen                                      L    403  403  403  200  200  403  403",
    "GET  /partner/plaatsingen/{id}                                 L    403  403  403  200  404  403  403",
    "POST /partner/plaatsingen/{id}/uren                            L    403  403  403  422  404  403  403",
    "GET  /partner/aanwezigheid                                     L    403  403  403  200  200  403  403",
    "GET  /partner/aanwezigheid/aanbod/{id}                         L    403  403  403  200  404  403  403",
    "POST /partner/aanwezigheid/aanbod/{id}                         L    403  403  403  422  404  403  403",
    "GET  /partner/aanwezigheid/plaatsingen/{id}                    L    403  403  403  200  404  403  403",
    "POST /partner/aanwezigheid/plaatsingen/{id}                    L    403  403  403  422  404  403  403",
    "GET  /certificaten                                             L    403  200  403  403  403  403  200",
    "POST /certificaten/uitreiken                                   L    403  303  403  403  403  403  303",
    "GET  /certificaten/pdf                                         L    403  303  403  403  403  403  303",
    "GET  /certificaten/afdruk                                      L    403  303  403  403  403  403  303",
    "GET  /certificaten/{id}                                        L    403  200  403  403  403  403  404",
    "GET  /certificaten/{id}/afdruk                                 L    403  200  403  403  403  403  404",
    "GET  /certificaten/{id}/pdf                                    L    403  200  403  403  403  403  404",
    "POST /certificaten/{id}/intrekken                              L    403  422  403  403  403  403  404",
    "GET  /coordinatie                                              L    403  200  403  403  403  403  200",
    "GET  /rapporten                                                L    403  200  403  403  403  403  200",
    "GET  /rapporten/wachtende-uren                                 L    403  200  403  403  403  403  200",
    "GET  /rapporten/{}                                             L    403  200  403  403  403  403  200",
    "GET  /rapporten/{}.csv                                         L    403  200  403  403  403  403  200",
    "GET  /inburgeraars/{id}/inzage                                 L    403  200  403  403  403  403  404",
    "GET  /inburgeraars/{id}/inzage.json                            L    403  200  403  403  403  403  404",
    "GET  /beheer                                                   L    200  403  403  403  403  403  403",
    "GET  /beheer/gebruikers                                        L    200  403  403  403  403  403  403",
    "GET  /beheer/gebruikers/nieuw                                  L    200  403  403  403  403  403  403",
    "POST /beheer/gebruikers/nieuw                                  L    422  403  403  403  403  403  403",
    "GET  /beheer/gebruikers/{id}                                   L    200  403  403  403  403  403  403",
    "POST /beheer/gebruikers/{id}                                   L    422  403  403  403  403  403  403",
    "POST /beheer/gebruikers/{id}/deactiveren                       L    303  403  403  403  403  403  403",
    "POST /beheer/gebruikers/{id}/activeren                         L    303  403  403  403  403  403  403",
    "POST /beheer/gebruikers/{id}/tweede-factor-wissen              L    303  403  403  403  403  403  403",
    "POST /beheer/gebruikers/{id}/wachtwoord                        L    200  403  403  403  403  403  403",
    "GET  /beheer/regios                                            L    200  403  403  403  403  403  403",
    "GET  /beheer/regios/nieuw                                      L    200  403  403  403  403  403  403",
    "POST /beheer/regios/nieuw                                      L    422  403  403  403  403  403  403",
    "GET  /beheer/regios/{id}                                       L    200  403  403  403  403  403  403",
    "POST /beheer/regios/{id}                                       L    422  403  403  403  403  403  403",
    "POST /beheer/regios/{id}/gemeenten                             L    422  403  403  403  403  403  403",
    "POST /beheer/regios/{id}/gemeenten/{municipality}              L    422  403  403  403  403  403  403",
    "GET  /beheer/regios/{id}/gemeenten/{municipality}/buren        L    200  403  403  403  403  403  403",
    "POST /beheer/regios/{id}/gemeenten/{municipality}/buren        L    303  403  403  403  403  403  403",
    "GET  /beheer/regios/{id}/logo                                  L    200  403  403  403  403  403  403",
    "POST /beheer/regios/{id}/logo                                  L    400  403  403  403  403  403  403",
    "POST /beheer/regios/{id}/logo/verwijderen                      L    303  403  403  403  403  403  403",
    "GET  /aanbod                                                   L    403  200  200  403  403  200  200",
    "GET  /aanbod/nieuw                                             L    403  200  403  403  403  403  200",
    "POST /aanbod/nieuw                                             L    403  422  403  403  403  403  422",
    "GET  /aanbod/{id}                                              L    403  200  200  403  403  404  404",
    "GET  /aanbod/{id}/bewerken                                     L    403  200  403  403  403  403  404",
    "POST /aanbod/{id}/bewerken                                     L    403  422  403  403  403  403  404",
    "POST /aanbod/{id}/status                                       L    403  303  403  403  403  403  303",
    "POST /aanbod/{id}/goedkeuren                                   L    403  303  403  403  403  403  404",
    "POST /aanbod/{id}/weigeren                                     L    403  422  403  403  403  403  404",
    "GET  /partner/aanbod                                           L    403  403  403  200  200  403  403",
    "GET  /partner/aanbod/nieuw                                     L    403  403  403  200  200  403  403",
    "POST /partner/aanbod/nieuw                                     L    403  403  403  422  422  403  403",
    "GET  /partner/aanbod/{id}                                      L    403  403  403  200  404  403  403",
    "GET  /partner/aanbod/{id}/bewerken                             L    403  403  403  200  404  403  403",
    "POST /partner/aanbod/{id}/bewerken                             L    403  403  403  422  404  403  403",
    "POST /partner/aanbod/{id}/status                               L    403  403  403  303  303  403  403",
    "GET  /inburgeraars/{id}/zoek-een-plaats                        L    403  200  200  403  403  404  404",
    "POST /inburgeraars/{id}/zoek-een-plaats                        L    403  303  303  403  403  303  303",
    "GET  /plaatsingen/{id}/bewijs                                  L    403  303  303  403  403  404  404",
    "POST /plaatsingen/{id}/bewijs                                  L    403  200  200  403  403  404  404",
    "GET  /plaatsingen/{id}/bewijs.pdf                              L    403  303  303  403  403  404  404",
    "POST /plaatsingen/{id}/bewijs.pdf                              L    403  200  200  403  403  404  404",
    "GET  /plaatsingen/{id}/scan                                    L    403  200  200  403  403  404  404",
    "POST /plaatsingen/{id}/scan                                    L    403  400  400  403  403  400  400",
    "GET  /scans/{id}                                               L    403  200  200  403  403  404  404",
    "GET  /kbi                                                      L    403  200  200  403  403  200  200",
    "GET  /kbi.csv                                                  L    403  200  200  403  403  200  200",
    "POST /kbi/{participant_id}/doorgegeven                         L    403  303  303  403  403  303  303",
    "GET  /beheer/toegangslog                                       L    200  403  403  403  403  403  403",
    "GET  /mijn/{token}                                             200  200  200  200  200  200  200  200",
    "GET  /mijn/{token}/certificaat.pdf                             404  404  404  404  404  404  404  404",
    "POST /mijn/{token}/uren                                        422  422  422  422  422  422  422  422",
    "POST /mijn/{token}/bewijs                                      400  400  400  400  400  400  400  400",
    "GET  /inburgeraars/{id}/mijn-traject/kaart                     L    403  303  303  403  403  404  404",
    "POST /inburgeraars/{id}/mijn-traject/intrekken                 L    403  303  303  403  403  404  404",
    "POST /inburgeraars/{id}/mijn-traject                           L    403  303  303  403  403  404  404",
    "GET  /bevestigen/{token}                                       200  200  410  410  200  200  200  200",
    "POST /bevestigen/{token}/naam                                  422  422  410  410  422  422  422  422",
    "POST /bevestigen/{token}/uren/{id}/bevestigen                  303  303  410  410  303  303  303  303",
    "POST /bevestigen/{token}/uren/{id}/afwijzen                    303  303  410  410  303  303  303  303",
    "POST /bevestigen/{token}/uren/{id}/aanpassen                   303  303  410  410  303  303  303  303",
    "POST /bevestigen/{token}/plaatsingen/{id}/alles-bevestigen     303  303  410  410  303  303  303  303",
    "POST /logout                                                   L    L    L    L    L    L    L    L",
];

pub(crate) struct Row {
    pub method: String,
    pub route: String,
    expected: Vec<String>,
}

pub(crate) fn rows() -> Vec<Row> {
    MATRIX
        .iter()
        .map(|line| {
            let mut words = line.split_whitespace();
            let method = words.next().expect("method").to_string();
            let route = words.next().expect("route").to_string();
            let expected: Vec<String> = words.map(str::to_string).collect();
            assert_eq!(expected.len(), CALLERS.len(), "{line}");
            Row {
                method,
                route,
                expected,
            }
        })
        .collect()
}

/// `(method, route)` of every `.route(…)` and `.nest(…)` in `src/web/`.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut files = Vec::new();
    collect_rs(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web"),
        &mut files,
    );
    for file in files {
        let source = std::fs::read_to_string(&file).expect("readable source");
        let code: String = source
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for (call, is_nest) in [(".route(", false), (".nest(", true)] {
            let mut rest = code.as_str();
            while let Some(at) = rest.find(call) {
                let args = &rest[at + call.len()..];
                let end = closing_paren(args);
                let (route, after) = first_literal(&args[..end]).unwrap_or_else(|| {
                    panic!("{}: a route whose path is not a literal", file.display())
                });
                if is_nest {
                    found.insert(("GET".to_string(), route));
                } else {
                    for method in methods(after) {
                        found.insert((method, route.clone()));
                    }
                }
                rest = &args[end..];
            }
        }
    }
    found
}

fn collect_rs(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/web").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rs(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Index of the `)` closing a call whose arguments start `args`, skipping string literals.
fn closing_paren(args: &str) -> usize {
    let mut depth = 1;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in args.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced route call")
}

/// The first string literal (the path, also inside `&format!(…)`) and what follows it.
fn first_literal(args: &str) -> Option<(String, &str)> {
    let start = args.find('"')? + 1;
    let len = args[start..].find('"')?;
    Some((
        args[start..start + len].to_string(),
        &args[start + len + 1..],
    ))
}

/// HTTP methods of a method router: `get(…)`, `.post(…)`, `routing::post(…)`.
fn methods(handlers: &str) -> Vec<String> {
    let mut found = Vec::new();
    for method in ["get", "post", "put", "patch", "delete"] {
        let needle = format!("{method}(");
        let mut from = 0;
        while let Some(at) = handlers[from..].find(&needle) {
            let index = from + at;
            let before = handlers[..index].chars().next_back();
            if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) {
                found.push(method.to_uppercase());
            }
            from = index + needle.len();
        }
    }
    found.dedup();
    found
}

/// The data of one database: what the paths point at and the strings that must not leak.
pub(crate) struct World {
    pub app: TestApp,
    pub values: HashMap<&'static str, String>,
}

/// Names and strings that only the first region (and its first organisation) has, and those
/// only the other region has.
const FIRST_REGION: &str = "Eerstregio";
const FIRST_ORGANISATION_ONLY: &str = "Qarlotta";
const SECOND_ORGANISATION: &str = "Tweede vereniging";
const OTHER_REGION: &str = "Anderregio";
const OTHER_ORGANISATION: &str = "Andere vereniging";

async fn with_certificate(
    app: &TestApp,
    name: &str,
    coach: UserId,
    issuer: UserId,
    place: Option<&OtherRegion>,
) -> String {
    let participant: ParticipantId = app.create_participant(name, Some(coach), place).await;
    let (region, organisation) = match place {
        Some(other) => (other.region, other.organisation),
        None => (app.region, app.organisation),
    };
    let placement = app.create_placement(participant, organisation).await;
    app.confirm_minutes(placement, 2400).await;
    let mut tx = app.pool.begin().await.expect("tx");
    let issued = certificate::issue(
        &mut tx,
        issuer,
        region,
        participant,
        veertig::values::dates::today(),
    )
    .await
    .expect("certificate issued");
    tx.commit().await.expect("commit");
    issued.id.to_string()
}

pub(crate) async fn insert_offer(
    app: &TestApp,
    region: veertig::values::ids::RegionId,
    organisation: veertig::values::ids::OrganisationId,
    municipality: veertig::values::ids::MunicipalityId,
    title: &str,
) -> uuid::Uuid {
    sqlx::query_scalar(
        "INSERT INTO offers (organisation_id, region_id, title, search_title, kind, municipality_id,
             by_arrangement, places, starts_on, ends_on, contact_name, taalicoon, meets_contact,
             meets_dutch_setting, meets_new_contacts, meets_unpaid, approval)
         VALUES ($1, $2, $3, lower($3), 'buddy', $4, true, 3, current_date, current_date + 90,
                 'Contact', 2, true, true, true, true, 'goedgekeurd')
         RETURNING id",
    )
    .bind(organisation.0)
    .bind(region.0)
    .bind(title)
    .bind(municipality.0)
    .fetch_one(&app.pool)
    .await
    .expect("offer")
}

async fn move_user(app: &TestApp, user: &TestUser, set: &str, value: uuid::Uuid) {
    sqlx::query(&format!("UPDATE users SET {set} = $2 WHERE id = $1"))
        .bind(user.id.0)
        .bind(value)
        .execute(&app.pool)
        .await
        .expect("move user");
}

pub(crate) async fn world(caller: Caller) -> (World, Option<TestUser>) {
    // On `localhost`, so that the passkey routes are there (no relying party for an IP address).
    let mut config = Config::for_tests();
    config.base_url = Some(LOCALHOST.to_string());
    let app = TestApp::spawn_with(config).await;
    let other = app.other_region().await;
    let second_org: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO organisations (region_id, name, kind, search_name)
         VALUES ($1, $2, 'vereniging', 'tweede vereniging') RETURNING id",
    )
    .bind(app.region.0)
    .bind(SECOND_ORGANISATION)
    .fetch_one(&app.pool)
    .await
    .expect("second organisation");

    let coach = app.create_user(Role::Coach).await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let other_coach = app.create_user(Role::Coach).await;
    move_user(&app, &other_coach, "region_id", other.region.0).await;
    let victim = app.create_user(Role::Coach).await;

    // The first region: a participant with a placement at the first organisation, a pending
    // entry, a personal link; a participant with a certificate.
    let participant = app
        .create_participant(
            &format!("{FIRST_ORGANISATION_ONLY} {FIRST_REGION}"),
            Some(coach.id),
            None,
        )
        .await;
    let placement = app.create_placement(participant, app.organisation).await;
    sqlx::query("UPDATE placements SET contact_email = 'contact@example.org' WHERE id = $1")
        .bind(placement.0)
        .execute(&app.pool)
        .await
        .expect("contact");
    let entry = app.create_entry(placement, 90, 2).await;
    let certificate = with_certificate(
        &app,
        &format!("Certificaat {FIRST_REGION}"),
        coach.id,
        coordinator.id,
        None,
    )
    .await;
    let code: String = sqlx::query_scalar("SELECT verify_code FROM certificates WHERE id = $1")
        .bind(uuid::Uuid::parse_str(&certificate).expect("uuid"))
        .fetch_one(&app.pool)
        .await
        .expect("code");
    let mut conn = app.pool.acquire().await.expect("conn");
    let link = confirmation::create_link(&mut conn, None, None, placement)
        .await
        .expect("link")
        .expect("placement exists");
    let base = app.url("");
    account::request_reset(
        &mut conn,
        &Email::parse(&victim.email).expect("email"),
        &base,
    )
    .await
    .expect("reset");
    // The mail's body holds a mark where the link's secret goes; the secret waits beside it.
    let reset_token: String = sqlx::query_scalar(
        "SELECT secret FROM outbox WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(&victim.email)
    .fetch_one(&mut *conn)
    .await
    .expect("reset mail");
    drop(conn);

    // An approved offer of the first organisation, a signed scan of the placement, the region's
    // logo, the participant's own link (Mijn traject) and their trajectory waiting for KBI.
    let offer = insert_offer(
        &app,
        app.region,
        app.organisation,
        app.municipality,
        &format!("Aanbod {FIRST_ORGANISATION_ONLY}"),
    )
    .await;
    let scan: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO scans (placement_id, participant_id, file_name, content_type, size_bytes, content)
         SELECT id, participant_id, 'bewijs.pdf', 'application/pdf', 8, '%PDF-1.4'::bytea
         FROM placements WHERE id = $1 RETURNING id",
    )
    .bind(placement.0)
    .fetch_one(&app.pool)
    .await
    .expect("scan");
    // The first region's logo, for its preview route.
    sqlx::query(
        "INSERT INTO region_logos (region_id, content_type, size_bytes, content)
         VALUES ($1, 'image/png', $2, $3)",
    )
    .bind(app.region.0)
    .bind(i32::try_from(crate::logo::PNG.len()).expect("small"))
    .bind(crate::logo::PNG)
    .execute(&app.pool)
    .await
    .expect("logo");
    let mut conn = app.pool.acquire().await.expect("conn");
    let own_link =
        veertig::domain::mijn_traject::create_link(&mut conn, coach.id, app.region, participant)
            .await
            .expect("own link")
            .expect("participant in region");
    drop(conn);

    // The other region: the same kinds of data, under other names.
    let foreign = app
        .create_participant(
            &format!("Zoltan {OTHER_REGION}"),
            Some(other_coach.id),
            Some(&other),
        )
        .await;
    let foreign_placement = app.create_placement(foreign, other.organisation).await;
    app.create_entry(foreign_placement, 60, 3).await;
    let other_coordinator_for_issue = app.create_user(Role::Coordinator).await;
    move_user(
        &app,
        &other_coordinator_for_issue,
        "region_id",
        other.region.0,
    )
    .await;
    insert_offer(
        &app,
        other.region,
        other.organisation,
        other.municipality,
        &format!("Aanbod {OTHER_REGION}"),
    )
    .await;
    with_certificate(
        &app,
        &format!("Certificaat {OTHER_REGION}"),
        other_coach.id,
        other_coordinator_for_issue.id,
        Some(&other),
    )
    .await;

    let user = match caller {
        Caller::Anonymous => None,
        Caller::Coach => Some(coach),
        Caller::Coordinator => Some(coordinator),
        Caller::OtherCoach => Some(other_coach),
        Caller::OtherCoordinator => Some(other_coordinator_for_issue),
        Caller::Admin => Some(app.create_user(Role::Admin).await),
        Caller::Partner => Some(app.create_user(Role::Partner).await),
        Caller::OtherPartner => {
            let partner = app.create_user(Role::Partner).await;
            move_user(&app, &partner, "organisation_id", second_org).await;
            Some(partner)
        }
    };

    // Someone else's passkey, for every caller (only its name and owner are read to remove it).
    let passkey: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO passkeys (user_id, credential_id, name, passkey)
         VALUES ($1, '\\x01', 'Sleutel', '{}') RETURNING id",
    )
    .bind(victim.id.0)
    .fetch_one(&app.pool)
    .await
    .expect("a passkey");

    let values = HashMap::from([
        ("passkey", passkey.to_string()),
        ("participant", participant.to_string()),
        ("placement", placement.to_string()),
        ("entry", entry.to_string()),
        ("certificate", certificate),
        ("organisation", app.organisation.to_string()),
        ("user", victim.id.to_string()),
        ("region", app.region.to_string()),
        ("municipality", app.municipality.to_string()),
        ("link", link.id.to_string()),
        ("link_token", link.token),
        ("code", code),
        ("reset_token", reset_token),
        ("offer", offer.to_string()),
        ("scan", scan.to_string()),
        ("own_token", own_link.token),
    ]);
    (World { app, values }, user)
}

/// The path to call for a route: each `{…}` becomes the id the segment before it names.
pub(crate) fn concrete_path(route: &str, values: &HashMap<&'static str, String>) -> String {
    if route == "/static" {
        return "/static/style.css".to_string();
    }
    let mut path = String::new();
    let mut previous = "";
    for segment in route.split('/').skip(1) {
        path.push('/');
        let value = |key: &str| values[key].clone();
        if let Some((placeholder, suffix)) =
            segment.strip_prefix('{').and_then(|s| s.split_once('}'))
        {
            let filled = match (previous, placeholder) {
                ("rapporten", "") => "stilgevallen".to_string(),
                ("inburgeraars", _) => value("participant"),
                ("plaatsingen", _) => value("placement"),
                ("uren", _) => value("entry"),
                ("certificaten", _) => value("certificate"),
                ("organisaties", _) => value("organisation"),
                ("gebruikers", _) => value("user"),
                ("regios", _) => value("region"),
                ("gemeenten", _) => value("municipality"),
                ("links", _) => value("link"),
                ("bevestigen", _) => value("link_token"),
                ("controle" | "verify", _) => value("code"),
                ("wachtwoord-herstellen", _) => value("reset_token"),
                ("aanbod", _) => value("offer"),
                ("scans", _) => value("scan"),
                ("mijn", _) => value("own_token"),
                ("kbi", _) => value("participant"),
                ("passkeys", _) => value("passkey"),
                _ => panic!("no id for {{{placeholder}}} after /{previous}/ in {route}"),
            };
            path.push_str(&filled);
            path.push_str(suffix);
        } else {
            path.push_str(segment);
        }
        previous = segment;
    }
    path
}

/// Strings this caller must never see.
fn forbidden(caller: Caller, route: &str) -> Vec<&'static str> {
    match caller {
        Caller::Admin => vec![],
        // A token or code is the key to the first region's data it names.
        Caller::Anonymous if route.contains("{token}") || route.contains("{code}") => {
            vec![OTHER_REGION, OTHER_ORGANISATION]
        }
        Caller::Anonymous => vec![FIRST_REGION, OTHER_REGION, OTHER_ORGANISATION],
        Caller::Coordinator | Caller::Coach => vec![OTHER_REGION, OTHER_ORGANISATION],
        Caller::Partner => vec![OTHER_REGION, OTHER_ORGANISATION, SECOND_ORGANISATION],
        Caller::OtherPartner if route.contains("{token}") || route.contains("{code}") => {
            vec![OTHER_REGION, OTHER_ORGANISATION]
        }
        Caller::OtherPartner => vec![FIRST_REGION, FIRST_ORGANISATION_ONLY],
        Caller::OtherCoach | Caller::OtherCoordinator
            if route.contains("{token}") || route.contains("{code}") =>
        {
            vec![]
        }
        Caller::OtherCoach | Caller::OtherCoordinator => {
            vec![FIRST_REGION, FIRST_ORGANISATION_ONLY, SECOND_ORGANISATION]
        }
    }
}

fn status_code(response_status: StatusCode, location: Option<&str>) -> String {
    if response_status == StatusCode::SEE_OTHER && location.is_some_and(|l| l.starts_with("/login"))
    {
        "L".to_string()
    } else {
        response_status.as_u16().to_string()
    }
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_matrix_says_without_foreign_data() {
    let rows = rows();
    let in_matrix: BTreeSet<(String, String)> = rows
        .iter()
        .map(|row| (row.method.clone(), row.route.clone()))
        .collect();
    let in_source = routes_in_source();
    let missing: Vec<_> = in_source.difference(&in_matrix).collect();
    let stale: Vec<_> = in_matrix.difference(&in_source).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the access matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for routes that no longer exist: {stale:?}"
    );

    let mut actual: Vec<Vec<String>> = vec![Vec::new(); rows.len()];
    let mut failures = Vec::new();
    for (column, caller) in CALLERS.into_iter().enumerate() {
        let (world, user) = world(caller).await;
        let app = &world.app;
        match &user {
            None => {
                app.get_page("/login").await;
            }
            Some(user) => {
                let response = app.login(&user.email, PASSWORD).await;
                assert_eq!(
                    response.status(),
                    StatusCode::SEE_OTHER,
                    "{caller:?} logs in"
                );
                app.get_page(&location(&response)).await;
            }
        }
        // What the pages' forms carry to decide an entry: its version, or `id:version` pairs.
        let shown = format!("{}:1", world.values["entry"]);
        let post_fields = [("version", "1"), ("entries", shown.as_str())];
        // Logging out ends the caller's session: it goes last.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&i| rows[i].route == "/logout");
        let mut saw_own_data = false;
        for i in order {
            let row = &rows[i];
            let path = concrete_path(&row.route, &world.values);
            let response = match row.method.as_str() {
                "GET" => app.get(&path).await,
                "POST" => app.post_form(&path, &post_fields).await,
                other => panic!("no test call for {other}"),
            };
            let status = response.status();
            let target = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(str::to_string);
            let got = status_code(status, target.as_deref());
            let body = response.text().await.unwrap_or_default();
            if got != row.expected[column] {
                failures.push(format!(
                    "{caller:?} {} {path}: expected {}, got {got}",
                    row.method, row.expected[column]
                ));
            }
            if status.is_server_error() {
                failures.push(format!("{caller:?} {} {path}: {status}", row.method));
            }
            for secret in forbidden(caller, &row.route) {
                if body.contains(secret) {
                    failures.push(format!(
                        "{caller:?} {} {path}: the body shows {secret:?}",
                        row.method
                    ));
                }
            }
            saw_own_data |= status.is_success() && body.contains(FIRST_REGION);
            actual[i].push(got);
        }
        // The foreign-data check means something only if the data is there to leak.
        if matches!(
            caller,
            Caller::Admin | Caller::Coordinator | Caller::Coach | Caller::Partner
        ) {
            assert!(saw_own_data, "{caller:?} never saw the first region's data");
        }
    }
    let cells = rows.len() * CALLERS.len();
    println!(
        "access matrix: {} routes × {} callers = {cells} cells checked",
        rows.len(),
        CALLERS.len()
    );
    if !failures.is_empty() {
        for (row, got) in rows.iter().zip(&actual) {
            println!(
                "    \"{:<4} {:<58}{}\",",
                row.method,
                row.route,
                got.iter()
                    .map(|s| format!("{s:<5}"))
                    .collect::<String>()
                    .trim_end()
            );
        }
        panic!("{} cells differ:\n{}", failures.len(), failures.join("\n"));
    }
}
