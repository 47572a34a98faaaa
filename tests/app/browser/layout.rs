//! Where things land on the screen: a refused form's error in view, the dashboard without
//! sideways scrolling (issue 22 items 10 and 12), at desktop and phone width.

use veertig::domain::user::Role;

use super::{Browser, DESKTOP, PHONE};
use crate::helpers::{PASSWORD, TestApp};

/// Item 12: 13 hours on one day are refused; the page comes back with the browser on the
/// error summary (the form posts to `#fouten`, the summary takes the focus), not at its top
/// with the message far below the fold.
#[tokio::test]
async fn a_refused_hour_entry_lands_on_its_error() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let coach = app.create_user(Role::Coach).await;
        let participant = app
            .create_participant("Ahmad Rahimi", Some(coach.id), None)
            .await;
        let placement = app.create_placement(participant, app.organisation).await;
        let browser = Browser::open(&app, size).await;
        browser.log_in(&coach.email, PASSWORD).await;
        browser.goto(&format!("/plaatsingen/{placement}")).await;
        let yesterday = veertig::values::dates::format_date(
            veertig::values::dates::today() - time::Duration::days(1),
        );
        browser.fill("#dates", &yesterday).await;
        browser.fill("#minutes", "13").await;
        browser.click("#uren form button[type=submit]").await;
        assert!(
            browser
                .text("#uren .error-summary")
                .await
                .contains("12 uur"),
            "the refusal is on the page"
        );
        let landing = browser
            .client
            .execute(
                "const s = document.getElementById('fouten');
                 const r = s.getBoundingClientRect();
                 return { hash: location.hash, focused: document.activeElement === s,
                          top: r.top, bottom: r.bottom, height: window.innerHeight };",
                vec![],
            )
            .await
            .expect("where the page landed");
        assert_eq!(landing["hash"], "#fouten", "{landing}");
        assert_eq!(landing["focused"], true, "{landing}");
        let top = landing["top"].as_f64().expect("top");
        let bottom = landing["bottom"].as_f64().expect("bottom");
        let height = landing["height"].as_f64().expect("height");
        assert!(
            top >= 0.0 && bottom <= height,
            "the error summary is in the viewport at {} px: {landing}",
            size.0
        );
        browser.assert_accessible().await;
        browser.close().await;
    }
}

/// Item 10: the coördinator's dashboard with a year of hours at several organisations (one
/// with a long name) and empty months: no element scrolls sideways or sticks out of its box
/// at 1280 or 360 px.
#[tokio::test]
async fn the_dashboard_needs_no_sideways_scrolling() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let participant = app.create_participant("Ayşe Öztürk", None, None).await;
        let placement = app.create_placement(participant, app.organisation).await;
        sqlx::query("UPDATE placements SET starts_on = current_date - 330")
            .execute(&app.pool)
            .await
            .expect("a year back");
        for days_ago in [3, 40, 41, 100, 200, 300] {
            app.create_entry(placement, 150, days_ago).await;
        }
        let long: veertig::values::ids::OrganisationId = sqlx::query_scalar(
            "INSERT INTO organisations (region_id, name, kind, search_name)
             VALUES ($1, $2, 'vereniging', lower($2)) RETURNING id",
        )
        .bind(app.region.0)
        .bind("Vereniging voor Buurtwerking en Sociale Cohesie De Brug vzw")
        .fetch_one(&app.pool)
        .await
        .expect("an organisation with a long name");
        let second = app.create_participant("Olena Kovalenko", None, None).await;
        let elsewhere = app.create_placement(second, long).await;
        app.create_entry(elsewhere, 455, 5).await;
        sqlx::query("UPDATE hour_entries SET status = 'bevestigd', decided_at = now()")
            .execute(&app.pool)
            .await
            .expect("confirm");
        let coordinator = app.create_user(Role::Coordinator).await;
        let browser = Browser::open(&app, size).await;
        browser.log_in(&coordinator.email, PASSWORD).await;
        assert_eq!(browser.text("h1").await, "Coördinatie");
        let overflowing = browser.sideways_overflow().await;
        assert!(
            overflowing.is_empty(),
            "sideways scrolling at {} px: {overflowing:?}",
            size.0
        );
        // Every word in the charts reads at 10 px or more: its type size times the chart's
        // scale on the screen.
        let small = browser
            .client
            .execute(
                "const small = [];
                 for (const t of document.querySelectorAll('svg.chart text')) {
                   if (getComputedStyle(t).display === 'none') continue;
                   const svg = t.ownerSVGElement;
                   const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                   const px = parseFloat(getComputedStyle(t).fontSize) * scale;
                   if (px < 10) small.push(t.textContent + ': ' + px.toFixed(1) + ' px');
                 }
                 return small;",
                vec![],
            )
            .await
            .expect("type sizes");
        let small: Vec<String> = serde_json::from_value(small).expect("a list");
        assert!(small.is_empty(), "too small at {} px: {small:?}", size.0);
        browser.assert_accessible().await;
        // docs/screenshots/dashboard-{1280,360}.png in the README are these.
        browser.screenshot("dashboard-year").await;
        browser.close().await;
    }
}
