//! Issue 21's whole story on a 360 px phone, in one world: the inburgeraar reports hours and
//! uploads a photo of the signed sheet in Tigrinya, the partner confirms those hours and
//! registers three people at a session by list, and the coach pauses and resumes the
//! trajectory and sees its end date moved by the days paused. (Pausing at desktop width is in
//! `pauses`.)

use fantoccini::Locator;
use time::Duration;
use veertig::domain::user::Role;
use veertig::values::dates::{iso_date, today};

use super::pauses::pause_and_resume;
use super::{Browser, PHONE};
use crate::attendance::{NAMES, group};
use crate::helpers::{PASSWORD, TestApp};
use crate::mijn_reports::own_link;

#[tokio::test]
async fn the_inburgeraar_reports_the_partner_confirms_and_registers_a_group_the_coach_pauses() {
    let app = TestApp::spawn().await;
    let own = own_link(&app, "ሳባ ተስፋይ").await;
    let group = group(&app).await;
    let end_before: time::Date =
        sqlx::query_scalar("SELECT target_end_date FROM participants WHERE id = $1")
            .bind(own.participant.0)
            .fetch_one(&app.pool)
            .await
            .expect("end date");

    // The inburgeraar, on their phone, in Tigrinya.
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
    // Thirteen hours are refused in Tigrinya, with what was typed kept.
    phone
        .set_value("#worked_on", &iso_date(today() - Duration::days(1)))
        .await;
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
    assert_eq!(scans, 1, "the photo is kept as the placement's scan");

    // The partner confirms the reported hours, then registers the taalcafé's three people.
    let partner = app.create_user(Role::Partner).await;
    let browser = Browser::open(&app, PHONE).await;
    browser.log_in(&partner.email, PASSWORD).await;
    browser.goto("/partner").await;
    let pending = browser.text(".pending-group").await;
    assert!(pending.contains("gemeld door de inburgeraar"), "{pending}");
    assert!(pending.contains("2 u 30"), "{pending}");
    browser
        .click(".pending-group form[action$='/bevestigen'] button[type=submit]")
        .await;
    browser.assert_accessible().await;
    let confirmed: i32 =
        sqlx::query_scalar("SELECT confirmed_minutes FROM participants WHERE id = $1")
            .bind(own.participant.0)
            .fetch_one(&app.pool)
            .await
            .expect("confirmed");
    assert_eq!(confirmed, 150);
    browser.click("a[href='/partner/aanwezigheid']").await;
    browser
        .click(&format!(
            "a[href='/partner/aanwezigheid/aanbod/{}']",
            group.offer
        ))
        .await;
    for n in 1..=3 {
        browser.tick(&format!("#aanwezig-{n}")).await;
    }
    browser.fill("#duur", "2u").await;
    browser.click("main form button[type=submit]").await;
    let flash = browser.text(".flash").await;
    assert!(
        flash.starts_with("3 inburgeraars geregistreerd: "),
        "{flash}"
    );
    for name in NAMES {
        assert!(flash.contains(name), "{flash}");
    }
    browser.assert_accessible().await;
    browser.close().await;
    let registered: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM hour_entries
         WHERE attendance_session_id IS NOT NULL AND status = 'bevestigd' AND minutes = 120",
    )
    .fetch_one(&app.pool)
    .await
    .expect("registered");
    assert_eq!(registered, 3);

    // The coach pauses the trajectory twelve days back and resumes it two days ago.
    let browser = Browser::open(&app, PHONE).await;
    browser.log_in(&own.coach.email, PASSWORD).await;
    browser
        .goto(&format!("/inburgeraars/{}", own.participant))
        .await;
    pause_and_resume(&browser, end_before).await;
    browser.close().await;
}
