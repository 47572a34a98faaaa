//! `/metrics`: nowhere without a setting, behind the bearer token on the main address, and
//! counting what it says it counts.

use reqwest::StatusCode;
use veertig::config::Config;
use veertig::domain::user::Role;

use crate::helpers::{PASSWORD, TestApp};

const TOKEN: &str = "a-metrics-token-of-at-least-32-characters";

async fn scrape(app: &TestApp) -> String {
    let response = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("scrape");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .is_ok_and(|value| value.starts_with("application/openmetrics-text"))
    );
    response.text().await.expect("body")
}

/// The value of the series whose line starts with `series` (name and labels), 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_are_not_served_without_a_setting() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn metrics_need_the_token_and_count_requests_per_route_pattern() {
    let app = TestApp::spawn_with(Config {
        metrics_token: Some(TOKEN.into()),
        ..Config::for_tests()
    })
    .await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::UNAUTHORIZED);
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(format!("{TOKEN}x"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Amina Yusuf", Some(coach.id), None)
        .await;
    let page = format!("/inburgeraars/{participant}");
    let series =
        r#"veertig_http_requests_total{route="/inburgeraars/{id}",method="GET",status="200"}"#;
    let before = scrape(&app).await;
    for _ in 0..3 {
        assert_eq!(app.get(&page).await.status(), StatusCode::OK);
    }
    let after = scrape(&app).await;
    assert_eq!(
        value(&after, series) - value(&before, series),
        3.0,
        "{after}"
    );
    assert!(
        value(
            &after,
            r#"veertig_http_request_duration_seconds_count{route="/inburgeraars/{id}",method="GET"}"#
        ) >= 3.0
    );
    assert!(
        !after.contains(&participant.to_string()),
        "ids stay out: {after}"
    );
    assert!(value(&after, r#"veertig_http_requests_in_progress"#) >= 0.0);
    assert_eq!(value(&after, "veertig_db_connections_max"), 5.0);
    assert!(value(&after, r#"veertig_db_connections{state="in_use"}"#) >= 0.0);
    assert!(
        after.contains(r#"veertig_db_connections{state="idle"}"#),
        "{after}"
    );

    // The outbox and certificate figures come from the database.
    sqlx::query(
        "INSERT INTO outbox (recipient, subject, body_text, body_html, attempts)
         VALUES ('a@test.example', 'x', 'x', 'x', 0), ('b@test.example', 'x', 'x', 'x', 10)",
    )
    .execute(&app.pool)
    .await
    .expect("mail");
    let waiting: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND attempts < 10")
            .fetch_one(&app.pool)
            .await
            .expect("count");
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, r#"veertig_outbox_mails{state="waiting"}"#),
        waiting as f64
    );
    assert_eq!(
        value(&text, r#"veertig_outbox_mails{state="given_up"}"#),
        1.0
    );
    assert!(text.contains("veertig_certificates_issued 0"), "{text}");

    // Throttled logins: the sixth try after five wrong passwords.
    let user = app.create_user(Role::Coach).await;
    let stranger = TestApp::spawn_on(&app).await;
    for _ in 0..5 {
        stranger.login(&user.email, "guess").await;
    }
    let response = stranger.login(&user.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let text = scrape(&app).await;
    assert_eq!(
        value(&text, "veertig_logins_throttled_total"),
        1.0,
        "{text}"
    );
    assert!(
        value(
            &text,
            r#"veertig_http_requests_total{route="/login",method="POST",status="429"}"#
        ) >= 1.0
    );
}
