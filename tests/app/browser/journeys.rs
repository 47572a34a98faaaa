//! The journeys of the issue, each at desktop and phone width.

use veertig::domain::user::Role;

use super::{Browser, DESKTOP, PHONE};
use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn logging_in_with_the_keyboard_alone_reaches_the_home_page() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let coach = app.create_user(Role::Coach).await;
        let browser = Browser::open(&app, size).await;
        browser.goto("/login").await;
        browser.assert_accessible().await;
        browser.screenshot("login").await;
        browser.tab_to("#email", 10).await;
        browser.assert_focus_visible().await;
        browser.type_keys(&coach.email).await;
        browser.tab_to("#password", 2).await;
        browser.type_keys(PASSWORD).await;
        browser.type_keys(&fantoccini::key::Key::Enter).await;
        browser.client.wait().for_url(&format!("{}/caseload", browser.base).parse().expect("url")).await.expect("home");
        assert_eq!(browser.text("h1").await, "Mijn caseload");
        browser.assert_accessible().await;
        browser.close().await;
    }
}

#[tokio::test]
async fn a_wrong_password_keeps_the_email_in_the_browser() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let browser = Browser::open(&app, size).await;
        browser.log_in("niemand@test.example", "fout-wachtwoord").await;
        assert!(browser.text(".error-summary").await.contains("horen niet bij elkaar"));
        assert_eq!(browser.value("#email").await, "niemand@test.example");
        browser.assert_accessible().await;
        browser.close().await;
    }
}
