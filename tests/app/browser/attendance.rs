//! The journey at the door: the partner registers three people at a session by list.

use veertig::domain::user::Role;

use super::{Browser, DESKTOP, PHONE};
use crate::attendance::{NAMES, group};
use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn a_partner_registers_three_people_at_a_session_by_list() {
    for size in [PHONE, DESKTOP] {
        let app = TestApp::spawn().await;
        let group = group(&app).await;
        let partner = app.create_user(Role::Partner).await;

        let browser = Browser::open(&app, size).await;
        browser.log_in(&partner.email, PASSWORD).await;
        browser.click("a[href='/partner/aanwezigheid']").await;
        assert_eq!(browser.text("h1").await, "Aanwezigheid");
        browser.assert_accessible().await;
        browser
            .click(&format!(
                "a[href='/partner/aanwezigheid/aanbod/{}']",
                group.offer
            ))
            .await;
        browser.assert_accessible().await;
        // Without a camera that reads QR codes, the scan button stays hidden.
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
        browser.screenshot("partner-attendance").await;

        // Again, eleven hours more: nobody can be registered, and each is named with the reason.
        for n in 1..=3 {
            browser.tick(&format!("#aanwezig-{n}")).await;
        }
        browser.fill("#duur", "11u").await;
        browser.click("main form button[type=submit]").await;
        let refused = browser.text("#niet-geregistreerd").await;
        assert!(refused.contains("meer dan 12 uur op één dag"), "{refused}");
        assert_eq!(browser.value("#duur").await, "11u");
        browser.assert_accessible().await;
        browser.close().await;
    }
}
