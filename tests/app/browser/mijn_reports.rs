//! Issue 21 part 1 in the browser: on a 360 px phone, in Tigrinya, the inburgeraar reports
//! hours (first too many, then right) and uploads a photo of the signed sheet; the partner then
//! sees the entry marked as the inburgeraar's and confirms it.

use fantoccini::Locator;
use time::Duration;
use veertig::domain::user::Role;
use veertig::values::dates::{iso_date, today};

use super::{Browser, PHONE};
use crate::helpers::{PASSWORD, TestApp};
use crate::mijn_reports::own_link;

#[tokio::test]
async fn the_inburgeraar_reports_hours_and_a_photo_in_tigrinya_and_the_partner_confirms() {
    let app = TestApp::spawn().await;
    let own = own_link(&app, "ሳባ ተስፋይ").await;
    let photo = std::env::temp_dir().join(format!("bewijs-{}.jpg", uuid::Uuid::new_v4()));
    std::fs::write(
        &photo,
        b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0",
    )
    .expect("photo file");

    let phone = Browser::open(&app, PHONE).await;
    phone.goto(&format!("{}?taal=ti", own.path)).await;
    assert_eq!(phone.path().await, own.path);
    phone.assert_accessible().await;

    let yesterday = iso_date(today() - Duration::days(1));
    phone.set_value("#worked_on", &yesterday).await;
    phone.fill("#minutes", "13u").await;
    phone
        .click("form[action$='/uren'] button[type=submit]")
        .await;
    assert!(
        phone
            .text(".error-summary")
            .await
            .contains("ካብ 12 ሰዓት ኣይበዝሕ")
    );
    assert_eq!(phone.value("#minutes").await, "13u");
    phone.assert_accessible().await;

    phone.fill("#minutes", "2u30").await;
    phone
        .click("form[action$='/uren'] button[type=submit]")
        .await;
    assert!(phone.path().await.contains("gemeld=uren"));
    assert!(phone.text(".flash").await.contains("ሰዓታትኩም ተሓቢሩ ኣሎ"));
    phone.assert_accessible().await;

    phone
        .client
        .find(Locator::Css("#bestand"))
        .await
        .expect("file field")
        .send_keys(&photo.display().to_string())
        .await
        .expect("choose the photo");
    phone
        .click("form[action*='/bewijs'] button[type=submit]")
        .await;
    assert!(phone.path().await.contains("gemeld=bewijs"));
    assert!(phone.text(".flash").await.contains("ስእልኹም ተዓቂቡ ኣሎ"));
    phone.assert_accessible().await;
    phone.close().await;
    let _ = std::fs::remove_file(&photo);

    let scans: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM scans WHERE participant_id = $1 AND uploaded_via_link IS NOT NULL",
    )
    .bind(own.participant.0)
    .fetch_one(&app.pool)
    .await
    .expect("scans");
    assert_eq!(scans, 1);

    let partner = app.create_user(Role::Partner).await;
    let browser = Browser::open(&app, PHONE).await;
    browser.log_in(&partner.email, PASSWORD).await;
    browser.goto("/partner").await;
    let pending = browser.text(".pending-group").await;
    assert!(pending.contains("gemeld door de inburgeraar"), "{pending}");
    browser.assert_accessible().await;
    browser
        .click(".pending-group form[action$='/bevestigen'] button[type=submit]")
        .await;
    browser.assert_accessible().await;
    browser.close().await;
    let status: String =
        sqlx::query_scalar("SELECT status::text FROM hour_entries WHERE participant_id = $1")
            .bind(own.participant.0)
            .fetch_one(&app.pool)
            .await
            .expect("entry");
    assert_eq!(status, "bevestigd");
}
