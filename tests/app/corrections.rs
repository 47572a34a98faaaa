//! A partner confirms an entry with another duration and a reason (issue 21, part 5): with an
//! account and through a personal link; the coach is told, the audit has both amounts.

use reqwest::StatusCode;
use veertig::domain::user::Role;
use veertig::values::ids::{EntryId, PlacementId};

use crate::confirmations::reminder_token;
use crate::helpers::{Page, TestApp};

/// Status, minutes, original minutes and reason of an entry.
async fn entry_of(app: &TestApp, entry: EntryId) -> (String, i32, Option<i32>, Option<String>) {
    sqlx::query_as(
        "SELECT status::text, minutes, original_minutes, correction_reason FROM hour_entries WHERE id = $1",
    )
    .bind(entry.0)
    .fetch_one(&app.pool)
    .await
    .expect("entry")
}

/// Before and after of the entry's decision in the audit log.
async fn decision_audit(app: &TestApp, entry: EntryId) -> (serde_json::Value, serde_json::Value) {
    sqlx::query_as(
        "SELECT before, after FROM audit_log WHERE entity = 'hour_entry' AND entity_id = $1",
    )
    .bind(entry.0)
    .fetch_one(&app.pool)
    .await
    .expect("audit")
}

async fn coached_placement(app: &TestApp) -> (crate::helpers::TestUser, PlacementId) {
    let coach = app.create_user(Role::Coach).await;
    let participant = app
        .create_participant("Amina Yusuf", Some(coach.id), None)
        .await;
    let placement = app.create_placement(participant, app.organisation).await;
    (coach, placement)
}

#[tokio::test]
async fn a_partner_confirms_another_duration_and_the_coach_is_told() {
    let app = TestApp::spawn().await;
    let (coach, placement) = coached_placement(&app).await;
    let entry = app.create_entry(placement, 180, 3).await;
    app.login_as(Role::Partner).await;
    let response = app
        .post_form(
            &format!("/partner/uren/{entry}/aanpassen"),
            &[
                ("version", "1"),
                ("duration", "2u30"),
                ("reason", "Kwam een half uur later"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        entry_of(&app, entry).await,
        (
            "bevestigd".to_string(),
            150,
            Some(180),
            Some("Kwam een half uur later".to_string())
        )
    );
    let (_, page) = app.get_page("/partner").await;
    assert!(
        page.text(".flash")
            .contains("Bevestigd met de aangepaste duur")
    );

    // Both amounts in the audit row.
    let (before, after) = decision_audit(&app, entry).await;
    assert_eq!(before["minutes"], 180);
    assert_eq!(after["minutes"], 150);
    assert_eq!(after["status"], "bevestigd");
    assert_eq!(after["correction_reason"], "Kwam een half uur later");

    // The confirmed amount counts.
    let confirmed: i32 = sqlx::query_scalar(
        "SELECT p.confirmed_minutes FROM participants p JOIN placements pl ON pl.participant_id = p.id WHERE pl.id = $1",
    )
    .bind(placement.0)
    .fetch_one(&app.pool)
    .await
    .expect("totals");
    assert_eq!(confirmed, 150);

    // The coach gets a mail and sees it on the participant page.
    let (recipient, body): (String, String) = sqlx::query_as(
        "SELECT recipient, body_text FROM outbox WHERE subject LIKE 'Uren van %aangepast%'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a mail to the coach");
    assert_eq!(recipient, coach.email);
    assert!(body.contains("3 u → 2 u 30"), "{body}");
    assert!(body.contains("Kwam een half uur later"), "{body}");
    let staff = TestApp::spawn_on(&app).await;
    staff.login(&coach.email, crate::helpers::PASSWORD).await;
    let participant: uuid::Uuid =
        sqlx::query_scalar("SELECT participant_id FROM placements WHERE id = $1")
            .bind(placement.0)
            .fetch_one(&app.pool)
            .await
            .expect("participant");
    let (_, page) = staff
        .get_page(&format!("/inburgeraars/{participant}"))
        .await;
    assert_eq!(
        page.text(".correction"),
        "aangepast door de partner: 3 u → 2 u 30 (Kwam een half uur later)"
    );
}

#[tokio::test]
async fn a_correction_is_refused_with_what_was_typed_kept() {
    let app = TestApp::spawn().await;
    let (_, placement) = coached_placement(&app).await;
    let entry = app.create_entry(placement, 60, 2).await;
    app.create_entry(placement, 600, 2).await;
    app.login_as(Role::Partner).await;
    let path = format!("/partner/uren/{entry}/aanpassen");

    // An unreadable duration and no reason: both said, what was typed kept.
    let response = app
        .post_form(
            &path,
            &[("version", "1"), ("duration", "twee uur"), ("reason", " ")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        page.attr(&format!("#duration-{entry}"), "value"),
        Some("twee uur".to_string())
    );
    assert!(
        !page.text(&format!("#duration-{entry}-error")).is_empty(),
        "a message next to the duration"
    );
    assert!(
        page.text(&format!("#correction-{entry}-error"))
            .contains("Schrijf kort waarom u de duur aanpast")
    );
    assert!(page.text(".error-summary").contains("andere duur"));

    // A reason, but more than 12 hours in one entry.
    let response = app
        .post_form(
            &path,
            &[
                ("version", "1"),
                ("duration", "13:00"),
                ("reason", "Lange dag"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text(&format!("#duration-{entry}-error"))
            .contains("12 uur")
    );
    assert_eq!(page.text(&format!("#correction-{entry}")), "Lange dag");

    // With the other entry of that day (10 hours), 2 u 30 is over 12 hours a day.
    let response = app
        .post_form(
            &path,
            &[
                ("version", "1"),
                ("duration", "2:30"),
                ("reason", "Lange dag"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text(&format!("#duration-{entry}-error"))
            .contains("meer dan 12 uur op één dag"),
        "{}",
        page.text(&format!("#duration-{entry}-error"))
    );
    assert_eq!(
        page.attr(&format!("#duration-{entry}"), "value"),
        Some("2:30".to_string())
    );
    assert_eq!(
        entry_of(&app, entry).await,
        ("ingediend".to_string(), 60, None, None)
    );

    // Two hours fit.
    let response = app
        .post_form(
            &path,
            &[
                ("version", "1"),
                ("duration", "2:00"),
                ("reason", "Lange dag"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(entry_of(&app, entry).await.1, 120);
}

#[tokio::test]
async fn a_contact_corrects_an_amount_through_a_personal_link() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let (_, placement) = coached_placement(&app).await;
    let entry = app.create_entry(placement, 120, 3).await;
    let token = reminder_token(&app, placement).await;
    let contact = TestApp::spawn_on(&app).await;
    contact.get_page(&format!("/bevestigen/{token}")).await;
    let response = contact
        .post_form(
            &format!("/bevestigen/{token}/naam"),
            &[("name", "Karel Contact")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    contact.get_page(&format!("/bevestigen/{token}")).await;
    let path = format!("/bevestigen/{token}/uren/{entry}/aanpassen");

    let response = contact
        .post_form(
            &path,
            &[("version", "1"), ("duration", "1,5"), ("reason", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        page.attr(&format!("#duration-{entry}"), "value"),
        Some("1,5".to_string())
    );
    assert!(page.text(".error-summary").contains("Schrijf kort waarom"));

    let response = contact
        .post_form(
            &path,
            &[
                ("version", "1"),
                ("duration", "1,5"),
                ("reason", "Vroeger gestopt"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        entry_of(&app, entry).await,
        (
            "bevestigd".to_string(),
            90,
            Some(120),
            Some("Vroeger gestopt".to_string())
        )
    );
    let (before, after) = decision_audit(&app, entry).await;
    assert_eq!(
        (before["minutes"].clone(), after["minutes"].clone()),
        (120.into(), 90.into())
    );
    assert_eq!(after["confirmer_name"], "Karel Contact");
}
