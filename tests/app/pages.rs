//! The frame around every page: health probes, error pages, headers, static files.

use reqwest::StatusCode;
use veertig::domain::user::Role;

use crate::helpers::{Page, TestApp};

#[tokio::test]
async fn health_and_readiness_need_no_login() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.expect("body"), "ok");
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_unreachable() {
    let app = TestApp::spawn().await;
    app.pool.close().await;
    assert_eq!(
        app.get("/readyz").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_page_gets_a_dutch_404() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let (status, page) = app.get_page("/bestaat-niet").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(page.text("h1"), "Pagina niet gevonden");
    assert_eq!(page.attr("html", "lang").as_deref(), Some("nl"));
}

#[tokio::test]
async fn a_malformed_request_gets_a_dutch_page_not_a_500() {
    let app = TestApp::spawn().await;
    let token = app.csrf_token().await;
    // A body that is not a form at all.
    let response = app
        .client
        .post(app.url("/login"))
        .header("content-type", "text/plain")
        .header("x-csrf-token", token)
        .body("email=x")
        .send()
        .await
        .expect("POST");
    assert!(response.status().is_client_error(), "{}", response.status());
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(page.text("h1"), "Dit verzoek klopt niet");

    let response = app.client.put(app.url("/login")).send().await.expect("PUT");
    assert!(response.status().is_client_error());
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    let response = app.get("/login").await;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let csp = header("content-security-policy");
    assert!(csp.contains("default-src 'self'"));
    assert!(csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "same-origin");
    assert_eq!(header("cache-control"), "no-store");
    assert!(!header("x-request-id").is_empty());
}

#[tokio::test]
async fn static_files_are_cached_and_compressed() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/static/style.css"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("public, max-age=86400")
    );
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
}

#[tokio::test]
async fn pages_show_the_navigation_of_the_role_and_a_logout_button() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let (_, page) = app.get_page("/caseload").await;
    assert_eq!(page.text("nav a[aria-current=page]"), "Start");
    assert_eq!(page.text(".user-role"), "trajectbegeleider");
    assert!(
        page.attr("form[action='/logout'] input[name=csrf_token]", "value")
            .is_some()
    );
}

/// SQL's `current_date` is the Belgian day the rules use, also between 23:00 and 01:00 UTC
/// (the day a coach logs hours for must not depend on which side of the query computed it).
#[tokio::test]
async fn the_database_counts_days_in_belgian_time() {
    let app = TestApp::spawn().await;
    let (zone, day): (String, time::Date) =
        sqlx::query_as("SELECT current_setting('TimeZone'), current_date")
            .fetch_one(&app.pool)
            .await
            .expect("time zone");
    assert_eq!(zone, "Europe/Brussels");
    assert_eq!(day, veertig::values::dates::today());
}

/// Issue 22 item 9: a refused page tells each role whom to ask for more access; a partner is
/// not sent to "uw coördinator", whom a partner organisation does not have.
#[tokio::test]
async fn a_refused_page_says_whom_this_role_asks() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            Role::Partner,
            "/coordinatie",
            "coördinator inburgering van de regio",
        ),
        (Role::Coach, "/coordinatie", "coördinator van uw regio"),
        (Role::Coordinator, "/beheer", "beheerder van Veertig"),
        (
            Role::Admin,
            "/coordinatie",
            "Als beheerder werkt u vanuit Beheer",
        ),
    ];
    for (role, path, whom) in cases {
        let client = TestApp::spawn_on(&app).await;
        client.login_as(role).await;
        let (status, page) = client.get_page(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
        let text = page.text("main");
        assert!(text.contains(whom), "{role:?}: {text}");
        assert!(!text.contains("uw coördinator"), "{role:?}: {text}");
    }
}

/// Issue 22 item 9: "het slotmoment", and buttons in one mood: the infinitive most buttons use
/// ("Bewerken", "Zoeken", "Wachtwoord wijzigen"), not the imperative ("Toon", "Stuur de
/// link", "Annuleer de plaatsing").
#[tokio::test]
async fn words_the_issue_found_wrong_are_right() {
    let app = TestApp::spawn().await;
    let (_, page) = app.get_page("/wachtwoord-vergeten").await;
    assert_eq!(page.text("main form button"), "Link sturen");
    app.login_as(Role::Coordinator).await;
    crate::certificates::participant_with(&app, "Lina Haddad", 2400, None).await;
    let (_, page) = app.get_page("/certificaten").await;
    let hint = page.text("#volgorde-uitleg");
    assert!(hint.contains("die van het slotmoment"), "{hint}");
    let (_, page) = app.get_page("/coordinatie").await;
    assert_eq!(page.text("form.report-filter button"), "Tonen");

    // No button or button-styled link in any template starts with one of the imperatives
    // that were there.
    let imperatives = ["Toon", "Stuur", "Kies", "Annuleer", "Rond", "Start", "Zoek"];
    let mut labels = Vec::new();
    collect_button_labels(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        &mut labels,
    );
    labels.extend(
        veertig::values::kinds::PlacementStatus::ALL
            .map(|status| status.action_label().to_string()),
    );
    assert!(labels.len() > 50, "{labels:?}");
    let imperative: Vec<_> = labels
        .iter()
        .filter(|label| {
            let first = label.split_whitespace().next().unwrap_or("");
            imperatives.contains(&first)
        })
        .collect();
    assert!(imperative.is_empty(), "{imperative:?}");
}

/// The text right after `<button …>` and after the `>` of an element with a `button` class.
fn collect_button_labels(dir: &std::path::Path, labels: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("templates").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_button_labels(&path, labels);
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("template");
        for start in ["<button", "class=\"button"] {
            for (at, _) in text.match_indices(start) {
                let rest = &text[at..];
                let Some(open) = rest.find('>') else { continue };
                let label: String = rest[open + 1..].chars().take_while(|c| *c != '<').collect();
                let label = label.trim();
                if !label.is_empty() {
                    labels.push(label.to_string());
                }
            }
        }
    }
}
