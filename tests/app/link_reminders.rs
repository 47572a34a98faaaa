//! One live personal link per contact and placement: a reminder right after logging hours
//! replaces the first link instead of adding a second one that also works.

use reqwest::StatusCode;
use veertig::domain::user::Role;
use veertig::values::dates::{format_date, today};
use veertig::values::ids::PlacementId;

use crate::helpers::TestApp;

pub(crate) const CONTACT: &str = "karel@vereniging.example";

/// The secrets of the contact's mails still waiting in the outbox, oldest first.
pub(crate) async fn waiting_secrets(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT secret FROM outbox WHERE recipient = $1 AND sent_at IS NULL ORDER BY created_at",
    )
    .bind(CONTACT)
    .fetch_all(&app.pool)
    .await
    .expect("outbox")
}

pub(crate) async fn live_links(app: &TestApp, placement: PlacementId) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM confirmation_links
         WHERE placement_id = $1 AND revoked_at IS NULL AND expires_at > now()",
    )
    .bind(placement.0)
    .fetch_one(&app.pool)
    .await
    .expect("links")
}

/// A contact without an account for `placement`: only a name and an e-mail address on it.
pub(crate) async fn give_contact(app: &TestApp, placement: PlacementId) {
    sqlx::query(
        "UPDATE placements SET contact_name = 'Karel Contact', contact_email = $2 WHERE id = $1",
    )
    .bind(placement.0)
    .bind(CONTACT)
    .execute(&app.pool)
    .await
    .expect("contact");
}

async fn opens(contact: &TestApp, token: &str) -> StatusCode {
    contact.get(&format!("/bevestigen/{token}")).await.status()
}

async fn remind(app: &TestApp, placement: PlacementId) {
    let response = app
        .post_form(&format!("/plaatsingen/{placement}/herinnering"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_reminder_after_logging_hours_leaves_one_live_link() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let participant = app.create_participant("Amina Yusuf", None, None).await;
    let placement = app.create_placement(participant, app.organisation).await;
    give_contact(&app, placement).await;
    let response = app
        .post_form(
            &format!("/plaatsingen/{placement}/uren"),
            &[
                ("dates", &format_date(today() - time::Duration::days(1))),
                ("minutes", "2u"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let first = waiting_secrets(&app).await;
    assert_eq!(first.len(), 1, "logging hours queues a link");
    let contact = TestApp::spawn_on(&app).await;

    // The reminder right after: the first mail has not left yet, so it is replaced.
    remind(&app, placement).await;
    let second = waiting_secrets(&app).await;
    assert_eq!(second.len(), 1, "one mail waits: {second:?}");
    assert_ne!(second[0], first[0]);
    assert_eq!(live_links(&app, placement).await, 1);
    assert_eq!(opens(&contact, &second[0]).await, StatusCode::OK);
    let (status, page) = contact.get_page(&format!("/bevestigen/{}", first[0])).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(page.text("h1"), "Deze link werkt niet meer");

    // Once that mail has gone (the sender forgets its secret), a reminder sends a new link and
    // the one already sent stops working.
    sqlx::query("UPDATE outbox SET sent_at = now(), secret = NULL WHERE recipient = $1")
        .bind(CONTACT)
        .execute(&app.pool)
        .await
        .expect("sent");
    remind(&app, placement).await;
    let third = waiting_secrets(&app).await;
    assert_eq!(third.len(), 1);
    assert_eq!(live_links(&app, placement).await, 1);
    assert_eq!(opens(&contact, &third[0]).await, StatusCode::OK);
    assert_eq!(opens(&contact, &second[0]).await, StatusCode::GONE);
    let sent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE recipient = $1 AND sent_at IS NOT NULL",
    )
    .bind(CONTACT)
    .fetch_one(&app.pool)
    .await
    .expect("sent mail");
    assert_eq!(sent, 1, "a mail already sent stays in the outbox");
    let replaced: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity = 'confirmation_link' AND action = 'link vervangen'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(replaced, 2);
}
