//! An inburgeraar who moves to another region (issue 21 part 4): the coördinator of the new
//! region takes them over; their hours come along, and the old region keeps the hours worked
//! before the move in its figures.

use reqwest::StatusCode;
use veertig::domain::user::Role;
use veertig::values::dates::{iso_date, today};
use veertig::values::ids::{ParticipantId, RegionId};

use crate::helpers::{Page, TestApp};

/// Confirmed minutes per region in each summary the reports read, and the same figure counted
/// from the entries by where the participant lived on the day worked: all must agree.
async fn confirmed_minutes_of(app: &TestApp, region: RegionId) -> i64 {
    let mut figures = Vec::new();
    for table in [
        "report_monthly_hours",
        "report_organisation_hours",
        "report_municipality_hours",
        "participant_monthly_hours",
    ] {
        let minutes: i64 = sqlx::query_scalar(&format!(
            "SELECT coalesce(sum(confirmed_minutes), 0)::bigint FROM {table} WHERE region_id = $1"
        ))
        .bind(region.0)
        .fetch_one(&app.pool)
        .await
        .expect("summary");
        figures.push(minutes);
    }
    let counted: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(e.minutes), 0)::bigint FROM hour_entries e
         JOIN participants p ON p.id = e.participant_id
         WHERE e.status = 'bevestigd'
           AND participant_region_on(p.id, p.region_id, e.worked_on) = $1",
    )
    .bind(region.0)
    .fetch_one(&app.pool)
    .await
    .expect("counted");
    assert!(
        figures.iter().all(|minutes| *minutes == counted),
        "summaries {figures:?} against the entries' {counted}"
    );
    counted
}

fn take_over_form<'a>(
    municipality: &'a str,
    moved_on: &'a str,
    reason: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("full_name", "Amina  yusuf"),
        ("birth_date", "17/05/1990"),
        ("dossier", ""),
        ("municipality", municipality),
        ("moved_on", moved_on),
        ("reason", reason),
    ]
}

/// Amina taken over into the test region's municipality, moved `days` days ago.
async fn take_over_into_home_region(app: &TestApp, days: i64) -> reqwest::Response {
    let moved_on = iso_date(today() - time::Duration::days(days));
    let municipality = app.municipality.to_string();
    app.post_form(
        "/inburgeraars/overnemen",
        &take_over_form(&municipality, &moved_on, "Verhuisd naar onze regio"),
    )
    .await
}

#[tokio::test]
async fn a_coordinator_takes_over_a_participant_who_moved_and_the_old_region_keeps_its_hours() {
    let app = TestApp::spawn().await;
    let elsewhere = app.other_region().await;
    let participant: ParticipantId = app
        .create_participant("Amina Yusuf", None, Some(&elsewhere))
        .await;
    let placement = app
        .create_placement(participant, elsewhere.organisation)
        .await;
    // Worked 25 days ago (before the move, 20 days ago) and 3 days ago (after).
    let before = app.create_entry(placement, 120, 25).await;
    let after = app.create_entry(placement, 90, 3).await;
    let late = app.create_entry(placement, 45, 24).await;
    sqlx::query(
        "UPDATE hour_entries SET status = 'bevestigd', decided_at = now() WHERE id = ANY($1)",
    )
    .bind(vec![before.0, after.0])
    .execute(&app.pool)
    .await
    .expect("confirm");
    assert_eq!(confirmed_minutes_of(&app, elsewhere.region).await, 210);

    let coordinator = app.login_as(Role::Coordinator).await;
    let response = take_over_into_home_region(&app, 20).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        format!("/inburgeraars/{participant}").as_str()
    );

    let (region, coach): (uuid::Uuid, Option<uuid::Uuid>) =
        sqlx::query_as("SELECT region_id, coach_id FROM participants WHERE id = $1")
            .bind(participant.0)
            .fetch_one(&app.pool)
            .await
            .expect("participant");
    assert_eq!(region, app.region.0);
    assert_eq!(coach, None, "the new region assigns a coach");
    assert_eq!(confirmed_minutes_of(&app, elsewhere.region).await, 120);
    assert_eq!(confirmed_minutes_of(&app, app.region).await, 90);
    // An entry from before the move, confirmed only now, counts for the region it was worked in.
    sqlx::query("UPDATE hour_entries SET status = 'bevestigd', decided_at = now() WHERE id = $1")
        .bind(late.0)
        .execute(&app.pool)
        .await
        .expect("confirm the late one");
    assert_eq!(confirmed_minutes_of(&app, elsewhere.region).await, 165);
    assert_eq!(confirmed_minutes_of(&app, app.region).await, 90);
    let total: i32 = sqlx::query_scalar("SELECT confirmed_minutes FROM participants WHERE id = $1")
        .bind(participant.0)
        .fetch_one(&app.pool)
        .await
        .expect("total");
    assert_eq!(total, 255, "the hours come along");

    // The funder's figures of the last twelve months: the old region still lists Amina, under
    // the municipality she left, with the hours worked there; the new region with the rest.
    let period = veertig::domain::report::Period::last_twelve_months(today());
    let mut conn = app.pool.acquire().await.expect("connection");
    for (region, municipality, minutes) in [
        (elsewhere.region, "Andere gemeente", 165),
        (app.region, "Testgemeente", 90),
    ] {
        let lines = veertig::domain::report::period_participants(&mut conn, region, period, None)
            .await
            .expect("funder figures");
        let amina: Vec<_> = lines.iter().filter(|l| l.id == participant).collect();
        assert_eq!(amina.len(), 1, "listed once in {region}");
        assert_eq!(amina[0].figures.municipality, municipality);
        assert_eq!(amina[0].figures.period_minutes(), minutes, "{region}");
    }
    drop(conn);

    // The right of access holds the move.
    let export: serde_json::Value = app
        .get(&format!("/inburgeraars/{participant}/inzage.json"))
        .await
        .text()
        .await
        .map(|body| serde_json::from_str(&body).expect("JSON"))
        .expect("export");
    assert_eq!(
        export["verhuizingen"][0]["van"],
        "Andere gemeente (Andere regio)"
    );
    assert_eq!(
        export["verhuizingen"][0]["reden"],
        "Verhuisd naar onze regio"
    );

    let (_, page) = app.get_page(&format!("/inburgeraars/{participant}")).await;
    let moves = page.text(".moves");
    assert!(
        moves.contains("van Andere gemeente (Andere regio)"),
        "{moves}"
    );
    assert!(moves.contains("Verhuisd naar onze regio"), "{moves}");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'verhuisd naar een andere regio'
           AND actor_id = $1 AND participant_id = $2
           AND before->>'region_id' = $3 AND after->>'region_id' = $4",
    )
    .bind(coordinator.id.0)
    .bind(participant.0)
    .bind(elsewhere.region.to_string())
    .bind(app.region.to_string())
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM access_log WHERE kind = 'overname' AND user_id = $1 AND participant_id = $2",
    )
    .bind(coordinator.id.0)
    .bind(participant.0)
    .fetch_one(&app.pool)
    .await
    .expect("access log");
    assert_eq!(logged, 1);
}

#[tokio::test]
async fn the_takeovers_audit_row_holds_the_old_place_and_coach_and_the_new_place() {
    let app = TestApp::spawn().await;
    let elsewhere = app.other_region().await;
    let old_coach = app.create_user(Role::Coach).await;
    sqlx::query("UPDATE users SET region_id = $1 WHERE id = $2")
        .bind(elsewhere.region.0)
        .bind(old_coach.id.0)
        .execute(&app.pool)
        .await
        .expect("coach of the old region");
    let participant = app
        .create_participant("Amina Yusuf", Some(old_coach.id), Some(&elsewhere))
        .await;
    app.login_as(Role::Coordinator).await;
    let response = take_over_into_home_region(&app, 2).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (before, after): (serde_json::Value, serde_json::Value) = sqlx::query_as(
        "SELECT before, after FROM audit_log
         WHERE action = 'verhuisd naar een andere regio' AND participant_id = $1",
    )
    .bind(participant.0)
    .fetch_one(&app.pool)
    .await
    .expect("audit row");
    let place = |value: &serde_json::Value| {
        (
            value["region_id"].as_str().map(str::to_string),
            value["municipality_id"].as_str().map(str::to_string),
            value["coach_id"].as_str().map(str::to_string),
            value["notes"].as_str().map(str::to_string),
        )
    };
    let reason = Some("Verhuisd naar onze regio".to_string());
    assert_eq!(
        place(&before),
        (
            Some(elsewhere.region.to_string()),
            Some(elsewhere.municipality.to_string()),
            Some(old_coach.id.to_string()),
            reason.clone()
        )
    );
    assert_eq!(
        place(&after),
        (
            Some(app.region.to_string()),
            Some(app.municipality.to_string()),
            None,
            reason
        )
    );
    assert!(
        after["coach_id"].is_null(),
        "the key is kept, without a coach"
    );
    assert_eq!(before["moved_on"], after["moved_on"]);
}

/// A form, the field whose error it should show, and a word of that error.
type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

#[tokio::test]
async fn a_takeover_that_cannot_be_done_says_why_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let elsewhere = app.other_region().await;
    let participant = app
        .create_participant("Amina Yusuf", None, Some(&elsewhere))
        .await;
    app.login_as(Role::Coordinator).await;
    let home = app.municipality.to_string();
    let theirs = elsewhere.municipality.to_string();
    let yesterday = iso_date(today() - time::Duration::days(1));
    let tomorrow = iso_date(today() + time::Duration::days(1));
    let before_start = iso_date(today() - time::Duration::days(40));
    let cases: [Case; 5] = [
        (
            take_over_form(&home, &yesterday, "Verhuisd")
                .into_iter()
                .map(|(k, v)| {
                    if k == "full_name" {
                        (k, "Amina Youssef")
                    } else {
                        (k, v)
                    }
                })
                .collect(),
            "#full_name-error",
            "geen lopend traject",
        ),
        (
            take_over_form(&home, &tomorrow, "Verhuisd"),
            "#moved_on-error",
            "toekomst",
        ),
        (
            take_over_form(&theirs, &yesterday, "Verhuisd"),
            "#municipality-error",
            "hoort niet bij de nieuwe regio",
        ),
        (
            take_over_form(&home, &before_start, "Verhuisd"),
            "#moved_on-error",
            "start van het traject",
        ),
        (
            take_over_form(&home, &yesterday, "  "),
            "#reason-error",
            "Geef een reden",
        ),
    ];
    for (form, field, message) in cases {
        let response = app.post_form("/inburgeraars/overnemen", &form).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}"
        );
        let page = Page::parse(&response.text().await.expect("body"));
        assert!(
            page.text(field).contains(message),
            "{field}: {}",
            page.text(field)
        );
        let typed = page.attr("#full_name", "value").unwrap_or_default();
        assert!(typed.starts_with("Amina"), "what was typed stays: {typed}");
    }
    let region: uuid::Uuid = sqlx::query_scalar("SELECT region_id FROM participants WHERE id = $1")
        .bind(participant.0)
        .fetch_one(&app.pool)
        .await
        .expect("participant");
    assert_eq!(region, elsewhere.region.0, "nothing moved");
}
