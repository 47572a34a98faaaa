//! The coaches' weekly mail (issue 21 part 6): who stalled, whose end date is near, what waits
//! too long at a partner; only for coaches with something to read who did not switch it off.

use reqwest::StatusCode;
use veertig::domain::user::Role;

use crate::helpers::TestApp;

/// Queues this week's digests as the background task does on a Monday after 08:00.
async fn queue_this_weeks_digests(app: &TestApp) {
    let mut conn = app.pool.acquire().await.expect("connection");
    let queued = veertig::domain::confirmation::queue_weekly_digest_once(
        &mut conn,
        "http://veertig.test",
        time::macros::datetime!(2026-11-23 11:00 UTC),
    )
    .await
    .expect("digest");
    assert!(queued);
}

async fn mails_to(app: &TestApp, email: &str) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT subject, body_text, body_html FROM outbox WHERE recipient = $1")
        .bind(email)
        .fetch_all(&app.pool)
        .await
        .expect("mails")
}

#[tokio::test]
async fn a_coach_gets_a_weekly_mail_about_who_needs_attention() {
    let app = TestApp::spawn().await;
    let coach = app.create_user(Role::Coach).await;
    // Stalled: started 60 days ago, nothing confirmed.
    let stalled = app
        .create_participant("Amina Yusuf", Some(coach.id), None)
        .await;
    // End date in 20 days with hours short; confirmed hours yesterday, so not stalled.
    let ending = app
        .create_participant("Олена Шевченко", Some(coach.id), None)
        .await;
    // Hours logged 20 days ago, still waiting at the partner.
    let waiting = app
        .create_participant("Ahmad Rahimi", Some(coach.id), None)
        .await;
    // On track: nothing to say.
    let fine = app
        .create_participant("Fatima Zahra", Some(coach.id), None)
        .await;
    sqlx::query(
        "UPDATE participants SET start_date = current_date - 60, target_end_date = current_date + 300
         WHERE id = $1",
    )
    .bind(stalled.0)
    .execute(&app.pool)
    .await
    .expect("stalled");
    sqlx::query("UPDATE participants SET target_end_date = current_date + 20 WHERE id = $1")
        .bind(ending.0)
        .execute(&app.pool)
        .await
        .expect("ending");
    let placement = app.create_placement(ending, app.organisation).await;
    app.confirm_minutes(placement, 120).await;
    let placement = app.create_placement(waiting, app.organisation).await;
    app.create_entry(placement, 90, 20).await;
    sqlx::query(
        "UPDATE hour_entries SET created_at = now() - interval '20 days' WHERE placement_id = $1",
    )
    .bind(placement.0)
    .execute(&app.pool)
    .await
    .expect("logged 20 days ago");
    let placement = app.create_placement(fine, app.organisation).await;
    app.confirm_minutes(placement, 60).await;
    // A coach whose people are all on track gets nothing.
    let calm_coach = app.create_user(Role::Coach).await;
    let calm = app
        .create_participant("Li Ming", Some(calm_coach.id), None)
        .await;
    let placement = app.create_placement(calm, app.organisation).await;
    app.confirm_minutes(placement, 60).await;

    queue_this_weeks_digests(&app).await;

    let mails = mails_to(&app, &coach.email).await;
    assert_eq!(mails.len(), 1, "one mail for the coach: {mails:?}");
    let (subject, text, html) = &mails[0];
    assert_eq!(subject, "Uw caseload deze week");
    let section = |heading: &str| {
        let start = text
            .find(heading)
            .unwrap_or_else(|| panic!("{heading} in {text}"));
        let rest = &text[start + heading.len()..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
    };
    let stalled_part = section("Stilgevallen");
    assert!(stalled_part.contains("Amina Yusuf"), "{text}");
    assert!(
        stalled_part.contains("laatste bevestigde uren: nog geen"),
        "{text}"
    );
    assert!(
        stalled_part.contains(&format!("http://veertig.test/inburgeraars/{stalled}")),
        "{text}"
    );
    let ending_part = section("Einddatum binnen 60 dagen");
    assert!(ending_part.contains("Олена Шевченко"), "{text}");
    assert!(!ending_part.contains("Amina Yusuf"), "{text}");
    let waiting_part = section("Uren die al meer dan 14 dagen wachten");
    assert!(
        waiting_part.contains("Ahmad Rahimi bij Testvereniging: 1 prestatie, 1 u 30"),
        "{text}"
    );
    assert!(!text.contains("Fatima Zahra"), "{text}");
    assert!(html.contains("<bdi>Олена Шевченко</bdi>"), "{html}");
    assert!(
        mails_to(&app, &calm_coach.email).await.is_empty(),
        "nothing to say, no mail"
    );
}

#[tokio::test]
async fn a_coach_switches_the_weekly_mail_off_and_on_again() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Amina Yusuf", Some(coach.id), None)
        .await;
    sqlx::query("UPDATE participants SET start_date = current_date - 60 WHERE id = $1")
        .bind(participant.0)
        .execute(&app.pool)
        .await
        .expect("stalled");
    let (_, page) = app.get_page("/caseload").await;
    assert!(page.text("#weekoverzicht").contains("Elke maandag"));

    let response = app
        .post_form("/caseload/weekoverzicht", &[("weekly_digest", "uit")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page("/caseload").await;
    assert!(
        page.text("main")
            .contains("U krijgt geen wekelijkse e-mail meer")
    );
    assert!(
        page.text("#weekoverzicht")
            .contains("Wekelijkse e-mail aanzetten")
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'weekoverzicht uit' AND actor_id = $1",
    )
    .bind(coach.id.0)
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 1);

    queue_this_weeks_digests(&app).await;
    assert!(
        mails_to(&app, &coach.email).await.is_empty(),
        "switched off"
    );

    app.post_form("/caseload/weekoverzicht", &[("weekly_digest", "aan")])
        .await;
    let on: bool = sqlx::query_scalar("SELECT weekly_digest FROM users WHERE id = $1")
        .bind(coach.id.0)
        .fetch_one(&app.pool)
        .await
        .expect("setting");
    assert!(on);
}
