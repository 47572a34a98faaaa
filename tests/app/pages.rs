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
