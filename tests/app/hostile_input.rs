//! Hostile input: every form and query parameter of every page, filled with what attackers and
//! accidents send; answers are 4xx with a Dutch page or a normal page, never 5xx, and stored
//! text comes back escaped. Plus the body limit, invalid UTF-8 in paths, and bounded fuzzing of
//! the duration and date parsers and of form decoding (counts are printed).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use reqwest::StatusCode;
use scraper::{Html, Selector};
use veertig::domain::user::Role;
use veertig::values::dates::{format_date, parse_date};
use veertig::values::duration::{Minutes, format_minutes};

use crate::access_matrix::{Caller, concrete_path, rows, world};
use crate::helpers::{PASSWORD, TestApp, location};

/// The script the HTML injection strings carry; it must never come back unescaped.
const SCRIPT: &str = "<script>alert(1)</script>";

pub(crate) fn hostile_values() -> Vec<String> {
    vec![
        String::new(),
        "   ".into(),
        "x".repeat(5000),
        "\u{0}\u{1}\u{7}\u{1b}[31m\r\n\t".into(),
        "-1".into(),
        "-99999999999999999999".into(),
        "99999999999999999999".into(),
        "1e309".into(),
        "NaN".into(),
        "0001-01-01".into(),
        "9999-12-31".into(),
        "31/12/99999".into(),
        "29/02/2023".into(),
        "not-a-uuid".into(),
        "00000000-0000-0000-0000-000000000000".into(),
        "' OR 1=1; DROP TABLE users; --".into(),
        "Robert'); DELETE FROM participants;--".into(),
        SCRIPT.into(),
        "\"><img src=x onerror=alert(1)>".into(),
        "\u{202E}gnp.exe \u{200F}مرحبا עברית\u{200E}".into(),
        "Z\u{334}\u{321}\u{322}a\u{337}l\u{338}g\u{335}o\u{336} e\u{301}\u{301}\u{301}".into(),
        "👩‍👩‍👧 \u{FEFF}\u{FFFF}".into(),
        "%00%ff%zz&=&=".into(),
    ]
    .into_iter()
    .chain(redirect_values().into_iter().map(str::to_string))
    .collect()
}

/// What attackers put where a page sends the browser next.
pub(crate) fn redirect_values() -> [&'static str; 7] {
    [
        "/\t/evil.example/phish",
        "/%09/evil.example/phish",
        "/\r\nSet-Cookie: x=1",
        "\r\nSet-Cookie: x=1",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
    ]
}

/// A `Location` a browser can only read as a path on this site.
fn is_plain_local_path(target: &str) -> bool {
    target.starts_with('/')
        && !target.starts_with("//")
        && target.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct FormShape {
    method: String,
    action: String,
    fields: Vec<String>,
}

fn forms_of(html: &str, page: &str) -> Vec<FormShape> {
    let document = Html::parse_document(html);
    let forms = Selector::parse("form").expect("selector");
    let fields = Selector::parse("input[name], select[name], textarea[name]").expect("selector");
    document
        .select(&forms)
        .map(|form| {
            let method = form.value().attr("method").unwrap_or("get").to_uppercase();
            let action = form
                .value()
                .attr("action")
                .filter(|a| !a.is_empty())
                .unwrap_or(page)
                .to_string();
            let mut names: Vec<String> = form
                .select(&fields)
                .filter_map(|field| field.value().attr("name"))
                .filter(|name| *name != "csrf_token")
                .map(str::to_string)
                .collect();
            names.sort();
            names.dedup();
            FormShape {
                method,
                action,
                fields: names,
            }
        })
        .collect()
}

fn with_query(path: &str, fields: &[(&str, &str)]) -> String {
    let query = serde_urlencoded::to_string(fields).expect("query");
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}{query}")
}

/// Problems with one answer: a 5xx, an unescaped script, a 4xx that is not a Dutch page.
async fn judge(app: &TestApp, what: &str, response: reqwest::Response, problems: &mut Vec<String>) {
    let status = response.status();
    let redirect = status.is_redirection().then(|| location(&response));
    if let Some(target) = redirect.as_deref().filter(|t| !is_plain_local_path(t)) {
        problems.push(format!("{what}: redirects off this site, to {target:?}"));
    }
    let redirect = redirect.filter(|target| is_plain_local_path(target));
    let body = response.text().await.unwrap_or_default();
    if status.is_server_error() {
        problems.push(format!("{what}: {status}"));
    }
    if body.contains(SCRIPT) || body.contains("<img src=x") {
        problems.push(format!("{what}: the injected HTML came back unescaped"));
    }
    if status.is_client_error() && !body.contains("<html lang=\"nl\"") {
        problems.push(format!("{what}: {status} without a Dutch page"));
    }
    // The page a redirect leads to shows the flash message (and whatever was stored).
    if let Some(target) = redirect {
        let followed = app.get(&target).await;
        let status = followed.status();
        let body = followed.text().await.unwrap_or_default();
        if status.is_server_error() {
            problems.push(format!("{what} → {target}: {status}"));
        }
        if body.contains(SCRIPT) || body.contains("<img src=x") {
            problems.push(format!("{what} → {target}: unescaped HTML"));
        }
    }
}

#[tokio::test]
async fn every_form_and_query_parameter_survives_hostile_values() {
    let values = hostile_values();
    let mut tried = 0usize;
    let mut forms_seen = 0usize;
    let mut problems = Vec::new();
    for caller in [
        Caller::Anonymous,
        Caller::Admin,
        Caller::Coordinator,
        Caller::Coach,
        Caller::Partner,
    ] {
        let (world, user) = world(caller).await;
        let app = &world.app;
        match &user {
            None => {
                app.get_page("/login").await;
            }
            Some(user) => {
                let response = app.login(&user.email, PASSWORD).await;
                app.get_page(&location(&response)).await;
            }
        }
        // The pages this caller may open, and the forms on them.
        let mut pages = Vec::new();
        let mut forms = BTreeSet::new();
        for row in rows().iter().filter(|row| row.method == "GET") {
            let path = concrete_path(&row.route, &world.values);
            let response = app.get(&path).await;
            let is_html = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            if response.status() != StatusCode::OK || !is_html {
                continue;
            }
            let body = response.text().await.unwrap_or_default();
            pages.push(path.clone());
            for form in forms_of(&body, &path) {
                // Logging out, or setting a password through the link (which ends this
                // browser's session), would end the run for this caller.
                let ends_session = form.action == "/logout"
                    || (user.is_some() && form.action.starts_with("/wachtwoord-herstellen/"));
                if !ends_session {
                    forms.insert(form);
                }
            }
        }
        forms_seen += forms.len();
        for form in &forms {
            for value in &values {
                let fields: Vec<(&str, &str)> = form
                    .fields
                    .iter()
                    .map(|name| (name.as_str(), value.as_str()))
                    .collect();
                let response = if form.method == "POST" {
                    app.post_form(&form.action, &fields).await
                } else {
                    app.get(&with_query(&form.action, &fields)).await
                };
                tried += 1;
                let what = format!("{caller:?} {} {} = {value:.40?}", form.method, form.action);
                judge(app, &what, response, &mut problems).await;
            }
        }
        // Query parameters every page may get: paging and the return address.
        for page in &pages {
            for value in &values {
                let query = [("pagina", value.as_str()), ("next", value.as_str())];
                let response = app.get(&with_query(page, &query)).await;
                tried += 1;
                let what = format!("{caller:?} GET {page}?pagina&next = {value:.40?}");
                judge(app, &what, response, &mut problems).await;
            }
        }
        // Whatever got stored is shown escaped on every page.
        for page in &pages {
            let response = app.get(page).await;
            judge(
                app,
                &format!("{caller:?} GET {page} afterwards"),
                response,
                &mut problems,
            )
            .await;
        }
    }
    println!(
        "hostile input: {tried} requests ({forms_seen} forms and every page's query, {} values each), {} problems",
        values.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn a_login_and_a_token_in_the_path_never_redirect_off_this_site() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    for value in redirect_values() {
        app.get_page("/login").await;
        let response = app
            .post_form(
                "/login",
                &[
                    ("email", user.email.as_str()),
                    ("password", PASSWORD),
                    ("next", value),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "next = {value:?}");
        assert_eq!(location(&response), "/caseload", "next = {value:?}");
        app.get_page("/caseload").await;
        let response = app.post_form("/logout", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    // A plain path of this site is where the login goes.
    app.get_page("/login").await;
    let response = app
        .post_form(
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", PASSWORD),
                ("next", "/inburgeraars?pagina=2"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/inburgeraars?pagina=2");
    // A token goes into `Location` only once it has the shape of one.
    app.get_page("/login").await;
    for path in [
        "/mijn/%0D%0ASet-Cookie:%20x=1?taal=en",
        "/mijn/%09%2F%2Fevil.example?taal=ar",
        "/bevestigen/%0D%0ASet-Cookie:%20x=1/naam",
    ] {
        let response = if path.ends_with("/naam") {
            app.post_form(path, &[("name", "Jan")]).await
        } else {
            app.get(path).await
        };
        let status = response.status();
        assert!(status.is_client_error(), "{path}: {status}");
        assert!(response.headers().get("location").is_none(), "{path}");
    }
}

#[tokio::test]
async fn invalid_utf8_and_nonsense_in_paths_get_a_dutch_4xx() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    for path in [
        "/inburgeraars/%FF%FE",
        "/inburgeraars/%C0%AF",
        "/plaatsingen/%ED%A0%80",
        "/verify/%FF",
        "/bevestigen/%FF%00",
        "/certificaten/..%2F..%2Fetc%2Fpasswd",
        "/organisaties/-1",
        "/uren/99999999999999999999",
        "/rapporten/%F0%28%8C%BC.csv",
        "/static/..%2F..%2FCargo.toml",
    ] {
        let response = app.get(path).await;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(status.is_client_error(), "{path}: {status}");
        assert!(body.contains("<html lang=\"nl\""), "{path}: no Dutch page");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_gets_the_dutch_413_page() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let token = app.csrf_token().await;
    let big = "x".repeat(veertig::web::BODY_LIMIT + 1);
    // With the token in the form: the CSRF check reads the body and stops at the limit.
    let in_form = app
        .post_form("/inburgeraars/nieuw", &[("full_name", big.as_str())])
        .await;
    // With the token in the header: the form extractor stops at the limit.
    let in_header = app
        .client
        .post(app.url("/inburgeraars/nieuw"))
        .header("x-csrf-token", &token)
        .form(&[("full_name", big.as_str())])
        .send()
        .await
        .expect("POST");
    for response in [in_form, in_header] {
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body = response.text().await.expect("body");
        assert!(body.contains("Te groot"), "{body}");
    }
    // Just under the limit is an ordinary form with field errors.
    let fits = "x".repeat(veertig::web::BODY_LIMIT - 200);
    let response = app
        .post_form("/inburgeraars/nieuw", &[("notes", fits.as_str())])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_route_level_body_limit_overrides_the_global_one() {
    use axum::body::{Body, Bytes};
    use axum::extract::DefaultBodyLimit;
    use axum::routing::post;
    use tower::ServiceExt;

    // Layered the way web::router does it: the global limit outside, a route's own inside.
    let router = axum::Router::new()
        .route(
            "/scan",
            post(|body: Bytes| async move { body.len().to_string() })
                .layer(DefaultBodyLimit::max(10 * 1024 * 1024)),
        )
        .route(
            "/form",
            post(|body: Bytes| async move { body.len().to_string() }),
        )
        .layer(DefaultBodyLimit::max(veertig::web::BODY_LIMIT));
    let big = vec![b'x'; 1024 * 1024];
    let call = |path: &'static str| {
        let router = router.clone();
        let big = big.clone();
        async move {
            router
                .oneshot(
                    axum::http::Request::post(path)
                        .body(Body::from(big))
                        .expect("request"),
                )
                .await
                .expect("response")
                .status()
        }
    };
    assert_eq!(call("/scan").await, StatusCode::OK);
    assert_eq!(call("/form").await, StatusCode::PAYLOAD_TOO_LARGE);
}

/// How many generated inputs each fuzz target gets; bounded so CI stays fast.
const FUZZ_CASES: u32 = 20_000;

#[test]
fn fuzz_the_duration_and_date_parsers() {
    let config = ProptestConfig {
        cases: FUZZ_CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let durations = AtomicUsize::new(0);
    TestRunner::new(config.clone())
        .run(
            &proptest::prop_oneof![
                "\\PC{0,16}",
                "[0-9 :.,uUhHmMinuteso-]{0,12}",
                proptest::num::i64::ANY.prop_map(|n| n.to_string()),
            ],
            |input| {
                durations.fetch_add(1, Ordering::Relaxed);
                if let Ok(minutes) = Minutes::parse(&input) {
                    let m = minutes.get();
                    proptest::prop_assert!(m > 0, "{input:?} gave {m}");
                    let again = Minutes::parse(&format_minutes(i64::from(m)));
                    proptest::prop_assert_eq!(again.map(Minutes::get), Ok(m));
                }
                Ok(())
            },
        )
        .expect("the duration parser holds");
    let dates = AtomicUsize::new(0);
    TestRunner::new(config)
        .run(
            &proptest::prop_oneof!["\\PC{0,14}", "[0-9]{0,5}[-/.][0-9]{0,5}[-/.][0-9]{0,6}",],
            |input| {
                dates.fetch_add(1, Ordering::Relaxed);
                if let Ok(date) = parse_date(&input) {
                    proptest::prop_assert_eq!(parse_date(&format_date(date)), Ok(date));
                }
                Ok(())
            },
        )
        .expect("the date parser holds");
    println!(
        "fuzzing: duration parser {} inputs, date parser {} inputs",
        durations.into_inner(),
        dates.into_inner()
    );
}

#[tokio::test]
async fn fuzz_form_decoding_never_answers_5xx() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Fuzz Deelnemer", Some(coach.id), None)
        .await;
    let placement = app.create_placement(participant, app.organisation).await;
    let token = app.csrf_token().await;
    let targets = [
        "/inburgeraars/nieuw".to_string(),
        format!("/inburgeraars/{participant}/bewerken"),
        format!("/plaatsingen/{placement}/uren"),
        format!("/inburgeraars/{participant}/plaatsingen/nieuw"),
    ];
    let mut runner = TestRunner::deterministic();
    let raw = proptest::collection::vec(proptest::num::u8::ANY, 0..300);
    let structured = "([a-z_]{1,12}=[^&]{0,30}&){0,10}";
    let mut tried = 0;
    let mut problems = Vec::new();
    for case in 0..400 {
        let body: Vec<u8> = if case % 2 == 0 {
            raw.new_tree(&mut runner).expect("bytes").current()
        } else {
            structured
                .new_tree(&mut runner)
                .expect("form")
                .current()
                .into_bytes()
        };
        let target = &targets[case % targets.len()];
        let response = app
            .client
            .post(app.url(target))
            .header("x-csrf-token", &token)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .expect("POST");
        tried += 1;
        if response.status().is_server_error() {
            problems.push(format!(
                "{target} {:?}: {}",
                String::from_utf8_lossy(&body),
                response.status()
            ));
        }
    }
    println!("fuzzing: form decoding {tried} bodies");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
