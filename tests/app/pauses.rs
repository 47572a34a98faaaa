//! Pausing a trajectory (issue 21, part 3): the coach pauses with a reason and a date, resumes
//! later, and the target end date moves by exactly the days paused; a paused trajectory is
//! neither stalled nor near its end in the caseload and the working lists.

use reqwest::StatusCode;
use time::Duration;
use veertig::domain::user::Role;
use veertig::values::dates::{format_date, iso_date, today};
use veertig::values::ids::ParticipantId;

use crate::helpers::{Page, TestApp, location};

async fn target_end(app: &TestApp, id: ParticipantId) -> time::Date {
    sqlx::query_scalar!(
        "SELECT target_end_date FROM participants WHERE id = $1",
        id.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("end date")
}

/// A participant of the coach's caseload who started 60 days ago and has no hours: stalled.
async fn stalled_participant(app: &TestApp, coach: veertig::values::ids::UserId) -> ParticipantId {
    let id = app
        .create_participant("Hiwet Tesfay", Some(coach), None)
        .await;
    sqlx::query!(
        "UPDATE participants SET start_date = current_date - 60 WHERE id = $1",
        id.0
    )
    .execute(&app.pool)
    .await
    .expect("start date");
    id
}

fn days_ago(days: i64) -> String {
    iso_date(today() - Duration::days(days))
}

/// Pauses `id`'s trajectory for `reason` from `days` days ago.
async fn pause(app: &TestApp, id: ParticipantId, reason: &str, days: i64) -> reqwest::Response {
    app.post_form(
        &format!("/inburgeraars/{id}/pauzeren"),
        &[
            ("pause-reason", reason),
            ("pause-starts-on", &days_ago(days)),
        ],
    )
    .await
}

async fn caseload_attention(app: &TestApp) -> String {
    let (status, page) = app.get_page("/caseload").await;
    assert_eq!(status, StatusCode::OK);
    page.text("table.caseload tbody")
}

#[tokio::test]
async fn resuming_moves_the_end_date_by_the_days_paused_and_a_pause_is_not_stalled() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let id = stalled_participant(&app, coach.id).await;
    let end_before = target_end(&app, id).await;
    assert!(caseload_attention(&app).await.contains("Stilgevallen"));

    let response = app
        .post_form(
            &format!("/inburgeraars/{id}/pauzeren"),
            &[
                ("pause-reason", "ziekte"),
                ("pause-starts-on", &days_ago(10)),
                ("pause-note", "Ziekenhuis"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    let since = format_date(today() - Duration::days(10));
    assert!(
        page.text("#gepauzeerd")
            .contains(&format!("Gepauzeerd sinds {since} (ziekte)")),
        "{}",
        page.text("#gepauzeerd")
    );
    assert!(
        page.text(".pauses")
            .contains("loopt nog: Ziekte, 10 dagen — Ziekenhuis")
    );
    assert_eq!(target_end(&app, id).await, end_before, "not moved yet");

    // Neither stalled nor near its end while paused; the lists say "Gepauzeerd".
    let attention = caseload_attention(&app).await;
    assert!(attention.contains("Gepauzeerd"), "{attention}");
    assert!(!attention.contains("Stilgevallen"), "{attention}");
    let (_, list) = app.get_page("/inburgeraars").await;
    assert_eq!(list.text("tbody .badge"), "Gepauzeerd");

    let response = app
        .post_form(
            &format!("/inburgeraars/{id}/hervatten"),
            &[("resume-on", &days_ago(3))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let end_after = target_end(&app, id).await;
    assert_eq!(end_after, end_before + Duration::days(7));
    let (_, page) = app.get_page(&location(&response)).await;
    assert!(page.text(".flash-success").contains(&format!(
        "na 7 dagen pauze; de einddatum is nu {}",
        format_date(end_after)
    )));
    assert!(page.select_all("#gepauzeerd").is_empty());
    assert!(page.text(".pauses").contains("Ziekte, 7 dagen"));
    assert!(page.text(".history").contains("Traject hervat door"));
    assert!(page.text(".history").contains("Traject gepauzeerd door"));

    // The audit row has both end dates (as the audit log writes dates).
    let (before, after): (serde_json::Value, serde_json::Value) = sqlx::query_as(
        "SELECT before->'target_end_date', after->'target_end_date' FROM audit_log
         WHERE participant_id = $1 AND action = 'hervat'",
    )
    .bind(id.0)
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(before, serde_json::to_value(end_before).expect("json"));
    assert_eq!(after, serde_json::to_value(end_after).expect("json"));

    // The days before the resumption do not count as stalled.
    let attention = caseload_attention(&app).await;
    assert!(!attention.contains("Stilgevallen"), "{attention}");
    assert!(!attention.contains("Gepauzeerd"), "{attention}");

    // A second pause may start on the day the first one ended, not before.
    let response = pause(&app, id, "reis", 4).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text("#pause-starts-on-error")
            .contains("De vorige pauze liep tot")
    );
    let response = pause(&app, id, "reis", 3).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn refused_pauses_and_resumptions_show_the_page_again_with_what_was_typed() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let id = app
        .create_participant("Olena Kovalenko", Some(coach.id), None)
        .await;
    let path = format!("/inburgeraars/{id}/pauzeren");

    // No reason: the date and the note stay as typed.
    let response = app
        .post_form(
            &path,
            &[
                ("pause-reason", ""),
                ("pause-starts-on", &days_ago(2)),
                ("pause-note", "Naar Lviv"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text("#pause-reason-error")
            .contains("Kies een reden uit de lijst.")
    );
    assert_eq!(page.attr("#pause-starts-on", "value"), Some(days_ago(2)));
    assert_eq!(page.text("#pause-note"), "Naar Lviv");
    assert!(page.text(".error-summary").contains("Kies een reden"));

    // A day in the future.
    let tomorrow = iso_date(today() + Duration::days(1));
    let response = app
        .post_form(
            &path,
            &[("pause-reason", "reis"), ("pause-starts-on", &tomorrow)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text("#pause-starts-on-error")
            .contains("niet in de toekomst")
    );
    assert_eq!(
        page.attr("#pause-starts-on", "value"),
        Some(tomorrow.clone())
    );
    assert_eq!(
        page.attr("#pause-reason option[selected]", "value"),
        Some("reis".to_string())
    );

    // Before the trajectory started (30 days ago), and a date that is no date.
    let response = pause(&app, id, "werk", 31).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .post_form(
            &path,
            &[("pause-reason", "werk"), ("pause-starts-on", "31/02/2026")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Resuming what is not paused.
    let response = app
        .post_form(
            &format!("/inburgeraars/{id}/hervatten"),
            &[("resume-on", &days_ago(0))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text("#resume-on-error").contains("niet gepauzeerd"));

    // Paused; pausing twice is refused.
    let response = app
        .post_form(
            &path,
            &[
                ("pause-reason", "bevalling"),
                ("pause-starts-on", &days_ago(5)),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = app
        .post_form(
            &path,
            &[
                ("pause-reason", "andere"),
                ("pause-starts-on", &days_ago(1)),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text("#pause-reason-error").contains("al gepauzeerd"));
    assert_eq!(page.attr("#pause-starts-on", "value"), Some(days_ago(1)));

    // Resuming before the pause began, or in the future: refused, typed date kept.
    let end_before = target_end(&app, id).await;
    for (typed, message) in [
        (days_ago(6), "hervatten kan op of na die dag"),
        (tomorrow.clone(), "niet in de toekomst"),
        ("gisteren".to_string(), "Dit is geen datum"),
    ] {
        let response = app
            .post_form(
                &format!("/inburgeraars/{id}/hervatten"),
                &[("resume-on", &typed)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{typed}"
        );
        let page = Page::parse(&response.text().await.expect("body"));
        assert!(page.text("#resume-on-error").contains(message), "{typed}");
        assert_eq!(page.attr("#resume-on", "value"), Some(typed));
    }
    assert_eq!(target_end(&app, id).await, end_before);
    let open: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM trajectory_pauses WHERE participant_id = $1 AND ends_on IS NULL"#,
        id.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(open, 1);
}

#[tokio::test]
async fn the_page_shown_again_after_a_refused_pause_is_no_new_look_in_the_access_log() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let id = app
        .create_participant("Olena Kovalenko", Some(coach.id), None)
        .await;
    let views = || async {
        sqlx::query_scalar!(
            r#"SELECT count(*) AS "count!" FROM access_log WHERE participant_id = $1"#,
            id.0
        )
        .fetch_one(&app.pool)
        .await
        .expect("access log")
    };
    let (status, _) = app.get_page(&format!("/inburgeraars/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(views().await, 1, "a view is one row");
    for (reason, days) in [("", 2), ("reis", -1)] {
        let response = pause(&app, id, reason, days).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = Page::parse(&response.text().await.expect("body"));
        assert_eq!(page.text("h1"), "Olena Kovalenko");
    }
    assert_eq!(views().await, 1, "the refused forms wrote no row");
}

#[tokio::test]
async fn stopping_a_paused_trajectory_ends_its_pause() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let id = app.create_participant("Ahmad Rahimi", None, None).await;
    let response = pause(&app, id, "werk", 4).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = app
        .post_form(
            &format!("/inburgeraars/{id}/stopzetten"),
            &[("stop-reason", "werk_of_opleiding")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let ends_on = sqlx::query_scalar!(
        "SELECT ends_on FROM trajectory_pauses WHERE participant_id = $1",
        id.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("pause");
    assert_eq!(ends_on, Some(today()));
    let (_, page) = app.get_page(&format!("/inburgeraars/{id}")).await;
    assert!(page.select_all("#gepauzeerd").is_empty());
    assert!(page.text(".pauses").contains("Werk, 4 dagen"));
}

#[tokio::test]
async fn the_dashboard_counts_paused_trajectories_and_the_export_has_their_days() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let id = app.create_participant("Ahmad Rahimi", None, None).await;
    let response = pause(&app, id, "reis", 6).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page("/coordinatie").await;
    assert_eq!(page.text("#gepauzeerd strong"), "1");

    let text = app
        .get("/rapporten/inburgeraars-periode.csv")
        .await
        .text()
        .await
        .expect("body");
    let lines: Vec<Vec<&str>> = text
        .trim_start_matches('\u{FEFF}')
        .lines()
        .map(|line| line.split(';').collect())
        .collect();
    let column = lines[0]
        .iter()
        .position(|heading| *heading == "Pauzedagen in de periode")
        .expect("the column");
    let row = lines
        .iter()
        .find(|line| line.first() == Some(&"Ahmad Rahimi"))
        .expect("the participant's line");
    assert_eq!(row[column], "6");
}

#[tokio::test]
async fn another_region_gets_not_found_and_a_partner_is_refused() {
    let app = TestApp::spawn().await;
    let other = app.other_region().await;
    let elsewhere = app.create_participant("Ver Weg", None, Some(&other)).await;
    let here = app.create_participant("Dicht Bij", None, None).await;
    app.login_as(Role::Coach).await;
    for action in ["pauzeren", "hervatten"] {
        let response = app
            .post_form(
                &format!("/inburgeraars/{elsewhere}/{action}"),
                &[
                    ("pause-reason", "ziekte"),
                    ("pause-starts-on", &days_ago(1)),
                    ("resume-on", &days_ago(0)),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{action}");
    }
    let partner = TestApp::spawn_on(&app).await;
    partner.login_as(Role::Partner).await;
    let response = partner
        .post_form(
            &format!("/inburgeraars/{here}/pauzeren"),
            &[
                ("pause-reason", "ziekte"),
                ("pause-starts-on", &days_ago(1)),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let pauses: i64 = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM trajectory_pauses"#)
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(pauses, 0);
}

/// An end date at the edge of the calendar cannot move further: a Dutch refusal next to the
/// field, not a crash, and nothing changes.
#[tokio::test]
async fn resuming_past_the_last_representable_end_date_is_refused() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let id = app
        .create_participant("Meseret Haile", Some(coach.id), None)
        .await;
    sqlx::query("UPDATE participants SET target_end_date = '9999-12-31' WHERE id = $1")
        .bind(id.0)
        .execute(&app.pool)
        .await
        .expect("far end date");
    assert_eq!(
        pause(&app, id, "ziekte", 5).await.status(),
        StatusCode::SEE_OTHER
    );
    let response = app
        .post_form(
            &format!("/inburgeraars/{id}/hervatten"),
            &[("resume-on", &days_ago(1))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("page"));
    assert!(page.text("#resume-on-error").contains("jaar 9999"));
    assert_eq!(
        target_end(&app, id).await,
        time::macros::date!(9999 - 12 - 31)
    );
}

/// The right of access holds the pauses with their reason (health can be one).
#[tokio::test]
async fn the_right_of_access_export_holds_the_pauses() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let id = app.create_participant("Meseret Haile", None, None).await;
    assert_eq!(
        pause(&app, id, "ziekte", 5).await.status(),
        StatusCode::SEE_OTHER
    );
    let export: serde_json::Value = app
        .get(&format!("/inburgeraars/{id}/inzage.json"))
        .await
        .text()
        .await
        .map(|body| serde_json::from_str(&body).expect("JSON"))
        .expect("export");
    assert_eq!(export["pauzes"][0]["reden"], "Ziekte");
    assert_eq!(export["pauzes"][0]["van"], days_ago(5));
    assert!(export["pauzes"][0]["tot"].is_null(), "still running");
    let (_, page) = app.get_page(&format!("/inburgeraars/{id}/inzage")).await;
    assert!(page.text("#inzage-pauzes-lijst").contains("Ziekte"));
}
