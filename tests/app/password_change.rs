//! A logged-in user changes their own password (`/mijn-account/wachtwoord`): the current one
//! checked and counted like a login, the new one twice by the password rules, every other
//! session ended, an audit row, and a notice by mail without link or secret; a reset by mail
//! sends the same notice.

use reqwest::StatusCode;
use veertig::domain::auth::MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS;
use veertig::domain::user::Role;
use veertig::web::layout::home_path;

use crate::helpers::{PASSWORD, Page, TestApp, location};

const PAGE: &str = "/mijn-account/wachtwoord";
const NEW_PASSWORD: &str = "fiets-regen-brugge-7";

async fn is_logged_out(app: &TestApp, path: &str) -> bool {
    let response = app.get(path).await;
    response.status() == StatusCode::SEE_OTHER && location(&response).starts_with("/login")
}

/// Submits the change form; returns the response.
async fn change(app: &TestApp, current: &str, new: &str, again: &str) -> reqwest::Response {
    app.post_form(
        PAGE,
        &[
            ("current", current),
            ("password", new),
            ("password_again", again),
        ],
    )
    .await
}

/// Status and the error of one field of a refused change.
async fn field_error(response: reqwest::Response, field: &str) -> (StatusCode, String) {
    let status = response.status();
    let page = Page::parse(&response.text().await.expect("body"));
    (status, page.text(&format!("#{field}-error")))
}

/// The newest mail to `email`: subject and text.
async fn newest_mail(app: &TestApp, email: &str) -> (String, String, String) {
    sqlx::query_as(
        "SELECT subject, body_text, body_html FROM outbox WHERE recipient = $1
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(&app.pool)
    .await
    .expect("a mail")
}

fn assert_is_the_notice(mail: &(String, String, String), secret: &str) {
    let (subject, text, html) = mail;
    assert_eq!(subject, "Uw wachtwoord voor Veertig werd gewijzigd");
    assert!(text.contains("werd gewijzigd op"), "{text}");
    assert!(
        text.contains("Was u dit niet? Neem dan meteen contact op"),
        "{text}"
    );
    for body in [text, html] {
        assert!(!body.contains("http"), "no link: {body}");
        assert!(!body.contains(secret), "no password");
        assert!(!body.contains("wachtwoord-herstellen"), "no reset link");
    }
}

#[tokio::test]
async fn every_role_finds_the_page_in_the_user_menu() {
    let app = TestApp::spawn().await;
    for role in Role::ALL {
        let browser = TestApp::spawn_on(&app).await;
        browser.login_as(role).await;
        let (status, home) = browser.get_page(home_path(role)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            home.text(&format!(".user-menu a[href='{PAGE}']")),
            "Wachtwoord wijzigen",
            "{role:?}"
        );
        let (status, page) = browser.get_page(PAGE).await;
        assert_eq!(status, StatusCode::OK, "{role:?}");
        assert_eq!(page.text("h1"), "Wachtwoord wijzigen");
        assert_eq!(page.text("label[for=current]"), "Huidig wachtwoord");
        assert_eq!(
            page.attr("#current", "autocomplete").as_deref(),
            Some("current-password")
        );
        assert_eq!(
            page.attr("#password", "autocomplete").as_deref(),
            Some("new-password")
        );
    }
    let anonymous = TestApp::spawn_on(&app).await;
    let response = anonymous.get(PAGE).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login?next="));
}

#[tokio::test]
async fn a_user_changes_their_password_and_every_other_session_ends() {
    let app = TestApp::spawn().await;
    let user = app.login_as(Role::Partner).await;
    let before = app.session_cookie().expect("a session");
    // The same user on another device, and someone who copied this browser's cookie.
    let elsewhere = TestApp::spawn_on(&app).await;
    assert_eq!(
        elsewhere.login(&user.email, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(elsewhere.get("/partner").await.status(), StatusCode::OK);

    app.get_page(PAGE).await;
    // Nothing filled in, too short, on the breached list, not the same twice: inline errors.
    let (status, error) = field_error(change(&app, "", "", "").await, "current").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error.contains("Vul uw huidige wachtwoord in"), "{error}");
    for (new, again, field, message) in [
        (
            "elf-tekens!",
            "elf-tekens!",
            "password",
            "minstens 12 tekens",
        ),
        (
            "password1234",
            "password1234",
            "password",
            "veelgebruikte wachtwoorden",
        ),
        (
            NEW_PASSWORD,
            "fiets-regen-gent-7",
            "password_again",
            "verschillen",
        ),
    ] {
        let (status, error) = field_error(change(&app, PASSWORD, new, again).await, field).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(error.contains(message), "{message}: {error}");
    }
    // A wrong current password: said inline, and counted as a failed login.
    let (status, error) = field_error(
        change(&app, "not-the-password", NEW_PASSWORD, NEW_PASSWORD).await,
        "current",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error.contains("niet uw huidige wachtwoord"), "{error}");
    let failures: i64 = sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE email = $1")
        .bind(&user.email)
        .fetch_one(&app.pool)
        .await
        .expect("failures");
    assert_eq!(failures, 1);
    let unchanged: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .expect("outbox");
    assert_eq!(unchanged, 0, "no notice while nothing changed");

    let response = change(&app, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/partner");
    // This browser stays logged in, under a new session id; the rest is logged out.
    let (status, page) = app.get_page("/partner").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.text(".flash").contains("Uw wachtwoord is gewijzigd"));
    let after = app.session_cookie().expect("a session");
    assert_ne!(before, after, "the session id was renewed");
    assert!(is_logged_out(&elsewhere, "/partner").await);
    let thief = TestApp::spawn_on(&app).await;
    thief.set_session_cookie(&before);
    assert!(is_logged_out(&thief, "/partner").await);
    assert_eq!(app.get("/partner").await.status(), StatusCode::OK);

    // Audited, and the owner told by mail.
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log
         WHERE entity = 'user' AND entity_id = $1 AND action LIKE 'wachtwoord%'",
    )
    .bind(user.id.0)
    .fetch_all(&app.pool)
    .await
    .expect("audit");
    assert_eq!(actions, vec!["wachtwoord gewijzigd".to_string()]);
    assert_is_the_notice(&newest_mail(&app, &user.email).await, NEW_PASSWORD);

    // The old password is out, the new one in.
    let again = TestApp::spawn_on(&app).await;
    assert_eq!(
        again.login(&user.email, PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        again.login(&user.email, NEW_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn wrong_current_passwords_lock_the_form_like_the_login_form() {
    let app = TestApp::spawn().await;
    let user = app.login_as(Role::Coordinator).await;
    app.get_page(PAGE).await;
    for _ in 0..MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS {
        let response = change(&app, "a-wrong-guess", NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Now even the right current password is refused, in Dutch, and nothing changes.
    let (status, error) = field_error(
        change(&app, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await,
        "current",
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(error.contains("Wacht 15 minuten"), "{error}");
    assert_eq!(app.get("/coordinatie").await.status(), StatusCode::OK);
    // The login form from this address is locked for this account too.
    let other = TestApp::spawn_on(&app).await;
    assert_eq!(
        other.login(&user.email, PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_reset_by_mail_sends_the_notice_too() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    app.get_page("/wachtwoord-vergeten").await;
    app.post_form("/wachtwoord-vergeten", &[("email", &user.email)])
        .await;
    let link = crate::security::reset_link(&app, &user.email).await;
    let response = app
        .post_form(
            &link,
            &[("password", NEW_PASSWORD), ("password_again", NEW_PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_is_the_notice(&newest_mail(&app, &user.email).await, NEW_PASSWORD);
}
