//! Passkeys (WebAuthn): registered under *Tweede factor*, asked after the password like the
//! app's code, or used without a password; and the ways they are refused. A software
//! authenticator (`soft_passkey`) answers the server's options; the base URL is
//! `http://localhost:…`, because browsers take no IP address as a relying party.

use reqwest::StatusCode;
use serde_json::Value;
use veertig::config::Config;
use veertig::domain::user::Role;
use veertig::values::ids::UserId;
use veertig::web::layout::home_path;

use crate::helpers::{LOCALHOST, PASSWORD, Page, TestApp, TestUser, location};
use crate::second_factor::{audit_actions, code_at, now, required_for_staff};
use crate::soft_passkey::SoftPasskey;

const PAGE: &str = "/mijn-account/passkeys";
const CODE: &str = "/login/code";
const PASSWORDLESS: &str = "/login/zonder-wachtwoord";
const NOT_ACCEPTED: &str = "Deze passkey werd niet aanvaard";
const CEREMONY_LOST: &str = "de aanvraag voor uw passkey is verlopen";

async fn spawn() -> TestApp {
    let mut config = Config::for_tests();
    config.base_url = Some(LOCALHOST.to_string());
    TestApp::spawn_with(config).await
}

fn origin(app: &TestApp) -> String {
    format!("http://localhost:{}", app.address.port())
}

/// POSTs for a ceremony's options as `static/passkey.js` does: the CSRF token in the header.
async fn options(app: &TestApp, path: &str) -> reqwest::Response {
    let token = app.csrf_token().await;
    app.client
        .post(app.url(path))
        .header("x-csrf-token", token)
        .send()
        .await
        .expect("POST succeeds")
}

async fn options_json(app: &TestApp, path: &str) -> Value {
    let response = options(app, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    serde_json::from_str(&response.text().await.expect("body")).expect("JSON options")
}

/// Registers a passkey named `name` for the logged-in user; returns it and the answer.
async fn register(app: &TestApp, name: &str) -> (SoftPasskey, reqwest::Response) {
    app.get_page(PAGE).await;
    let options = options_json(app, "/mijn-account/passkeys/opties").await;
    let challenge = options["publicKey"]["challenge"]
        .as_str()
        .expect("a challenge");
    assert!(challenge.len() >= 43, "at least 256 bits: {challenge}");
    let (passkey, answer) = SoftPasskey::register(&options, &origin(app));
    let response = app
        .post_form(PAGE, &[("name", name), ("credential", &answer)])
        .await;
    (passkey, response)
}

/// The flash or error text of the page at `path`.
async fn message_on(app: &TestApp, path: &str) -> String {
    let (_, page) = app.get_page(path).await;
    page.select_all(".flash, .error-summary").join(" ")
}

async fn log_out(app: &TestApp, role: Role) {
    app.get_page(home_path(role)).await;
    app.post_form("/logout", &[]).await;
}

async fn is_logged_in(app: &TestApp, role: Role) -> bool {
    app.get(home_path(role)).await.status() == StatusCode::OK
}

/// Logs in with the password and answers `/login/code` with `passkey`.
async fn second_factor(
    app: &TestApp,
    user: &TestUser,
    passkey: &mut SoftPasskey,
) -> reqwest::Response {
    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(location(&response), CODE, "the second factor is asked");
    let (_, page) = app.get_page(CODE).await;
    assert_eq!(
        page.text("form[action='/login/passkey'] button"),
        "Gebruik uw passkey"
    );
    let options = options_json(app, "/login/passkey/opties").await;
    app.post_form("/login/passkey", &[("credential", &passkey.sign(&options))])
        .await
}

async fn passwordless(app: &TestApp, passkey: &mut SoftPasskey) -> reqwest::Response {
    let (_, page) = app.get_page("/login").await;
    // Hidden until `static/passkey.js` finds a browser that can: without scripts, nothing.
    assert_eq!(
        page.select_all("form[action='/login/zonder-wachtwoord'][hidden] button"),
        ["Aanmelden met een passkey"]
    );
    let options = options_json(app, "/login/zonder-wachtwoord/opties").await;
    app.post_form(PASSWORDLESS, &[("credential", &passkey.sign(&options))])
        .await
}

async fn passkeys_of(app: &TestApp, user: UserId) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM passkeys WHERE user_id = $1")
        .bind(user.0)
        .fetch_one(&app.pool)
        .await
        .expect("passkeys")
}

#[tokio::test]
async fn a_passkey_is_registered_listed_and_then_asked_after_the_password() {
    let app = spawn().await;
    let user = app.login_as(Role::Coach).await;
    let (mut passkey, response) = register(&app, " Laptop werk ").await;
    // The first second factor comes with recovery codes, shown this once.
    assert_eq!(response.status(), StatusCode::OK);
    let page = Page::parse(&response.text().await.expect("body"));
    let codes = page.select_all(".recovery-codes code");
    assert_eq!(codes.len(), 10);
    let (_, page) = app.get_page(PAGE).await;
    assert_eq!(
        page.select_all("table.passkeys tbody td:first-child"),
        ["Laptop werk"]
    );
    assert_eq!(
        audit_actions(&app, user.id)
            .await
            .last()
            .map(String::as_str),
        Some("passkey toegevoegd")
    );
    // A second one comes without new codes.
    let (_, response) = register(&app, "Telefoon").await;
    assert_eq!(location(&response), PAGE);
    assert!(
        message_on(&app, PAGE)
            .await
            .contains("‘Telefoon’ is toegevoegd")
    );

    log_out(&app, Role::Coach).await;
    let response = second_factor(&app, &user, &mut passkey).await;
    assert_eq!(location(&response), home_path(Role::Coach));
    assert!(is_logged_in(&app, Role::Coach).await);
    let used: Option<i64> = sqlx::query_scalar(
        "SELECT (passkey->'cred'->>'counter')::bigint FROM passkeys WHERE last_used_at IS NOT NULL",
    )
    .fetch_optional(&app.pool)
    .await
    .expect("counter");
    assert_eq!(used, Some(1), "the counter was stored after use");

    // Without the passkey: one of the recovery codes still works.
    log_out(&app, Role::Coach).await;
    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(location(&response), CODE);
    app.get_page(CODE).await;
    let response = app.post_form(CODE, &[("code", &codes[0])]).await;
    assert_eq!(location(&response), home_path(Role::Coach));
}

#[tokio::test]
async fn a_passkey_logs_in_without_a_password_unless_removed_or_the_user_is_deactivated() {
    let app = spawn().await;
    let user = app.login_as(Role::Coordinator).await;
    let (mut passkey, _) = register(&app, "Laptop").await;
    log_out(&app, Role::Coordinator).await;

    let before = app.session_cookie();
    let response = passwordless(&app, &mut passkey).await;
    assert_eq!(location(&response), home_path(Role::Coordinator));
    assert!(is_logged_in(&app, Role::Coordinator).await);
    assert_ne!(app.session_cookie(), before, "a fresh session id");

    // Deactivated: nothing.
    log_out(&app, Role::Coordinator).await;
    sqlx::query("UPDATE users SET active = false WHERE id = $1")
        .bind(user.id.0)
        .execute(&app.pool)
        .await
        .expect("deactivate");
    let response = passwordless(&app, &mut passkey).await;
    assert_eq!(location(&response), "/login");
    assert!(message_on(&app, "/login").await.contains(NOT_ACCEPTED));
    assert!(!is_logged_in(&app, Role::Coordinator).await);
    sqlx::query("UPDATE users SET active = true WHERE id = $1")
        .bind(user.id.0)
        .execute(&app.pool)
        .await
        .expect("activate");

    // Removed by its owner: nothing either.
    let response = passwordless(&app, &mut passkey).await;
    assert_eq!(location(&response), home_path(Role::Coordinator));
    let (_, page) = app.get_page(PAGE).await;
    let remove = page
        .attr("table.passkeys form", "action")
        .expect("a remove button");
    assert_eq!(location(&app.post_form(&remove, &[]).await), PAGE);
    assert_eq!(passkeys_of(&app, user.id).await, 0);
    assert_eq!(
        audit_actions(&app, user.id)
            .await
            .last()
            .map(String::as_str),
        Some("passkey verwijderd")
    );
    log_out(&app, Role::Coordinator).await;
    let response = passwordless(&app, &mut passkey).await;
    assert_eq!(location(&response), "/login");
    assert!(!is_logged_in(&app, Role::Coordinator).await);
}

#[tokio::test]
async fn a_copy_of_a_passkey_with_an_older_counter_is_refused() {
    let app = spawn().await;
    app.login_as(Role::Coach).await;
    let (mut passkey, _) = register(&app, "Sleutel").await;
    log_out(&app, Role::Coach).await;
    passkey.counter = 7;
    let response = passwordless(&app, &mut passkey).await;
    assert_eq!(location(&response), home_path(Role::Coach));
    log_out(&app, Role::Coach).await;
    passkey.counter = 3;
    let response = passwordless(&app, &mut passkey).await;
    assert_eq!(location(&response), "/login");
    assert!(!is_logged_in(&app, Role::Coach).await);
}

#[tokio::test]
async fn another_users_passkey_is_no_second_factor() {
    let app = spawn().await;
    let user = app.login_as(Role::Coach).await;
    let (_, _) = register(&app, "Mijn laptop").await;
    log_out(&app, Role::Coach).await;
    let other = TestApp::spawn_on(&app).await;
    other.login_as(Role::Coach).await;
    let (mut theirs, _) = register(&other, "Hun laptop").await;

    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(location(&response), CODE);
    app.get_page(CODE).await;
    let options = options_json(&app, "/login/passkey/opties").await;
    let response = app
        .post_form("/login/passkey", &[("credential", &theirs.sign(&options))])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text(".error-summary").contains(NOT_ACCEPTED));
    assert!(!is_logged_in(&app, Role::Coach).await);
}

#[tokio::test]
async fn passkey_steps_out_of_order_are_refused() {
    let app = spawn().await;
    // No password typed: no options, no login.
    app.get_page("/login").await;
    assert_eq!(
        options(&app, "/login/passkey/opties").await.status(),
        StatusCode::FORBIDDEN
    );
    let response = app
        .post_form("/login/passkey", &[("credential", "{}")])
        .await;
    assert_eq!(location(&response), "/login");
    // No options asked: the answer has nothing to match.
    let response = app.post_form(PASSWORDLESS, &[("credential", "{}")]).await;
    assert_eq!(location(&response), "/login");
    assert!(message_on(&app, "/login").await.contains(CEREMONY_LOST));

    let user = app.login_as(Role::Coach).await;
    let (mut passkey, _) = register(&app, "Laptop").await;
    // An answer without the options it belongs to, and garbage after the options.
    let response = app
        .post_form(PAGE, &[("name", "Nog een"), ("credential", "{}")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    options_json(&app, "/mijn-account/passkeys/opties").await;
    let response = app
        .post_form(PAGE, &[("name", ""), ("credential", "nonsense")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text(".error-summary")
            .contains("Geef uw passkey een naam")
    );
    assert_eq!(passkeys_of(&app, user.id).await, 1);

    // After the password, an answer with no options asked, then one replayed.
    log_out(&app, Role::Coach).await;
    app.login(&user.email, PASSWORD).await;
    app.get_page(CODE).await;
    let response = app
        .post_form("/login/passkey", &[("credential", "{}")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let options = options_json(&app, "/login/passkey/opties").await;
    let answer = passkey.sign(&options);
    let response = app
        .post_form("/login/passkey", &[("credential", &answer)])
        .await;
    assert_eq!(location(&response), home_path(Role::Coach));
    log_out(&app, Role::Coach).await;
    app.login(&user.email, PASSWORD).await;
    app.get_page(CODE).await;
    let response = app
        .post_form("/login/passkey", &[("credential", &answer)])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text(".error-summary").contains(CEREMONY_LOST));
}

#[tokio::test]
async fn the_beheerders_reset_removes_passkeys_and_a_new_password_does_not() {
    let app = spawn().await;
    let user = app.login_as(Role::Coach).await;
    register(&app, "Laptop").await;
    app.get_page("/mijn-account/wachtwoord").await;
    let new_password = "fiets-regen-brugge-7";
    let response = app
        .post_form(
            "/mijn-account/wachtwoord",
            &[
                ("current", PASSWORD),
                ("password", new_password),
                ("password_again", new_password),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        passkeys_of(&app, user.id).await,
        1,
        "kept after a new password"
    );

    let admin = TestApp::spawn_on(&app).await;
    admin.login_as(Role::Admin).await;
    let page = format!("/beheer/gebruikers/{}", user.id);
    admin.get_page(&page).await;
    let response = admin
        .post_form(&format!("{page}/tweede-factor-wissen"), &[])
        .await;
    assert_eq!(location(&response), page);
    assert_eq!(passkeys_of(&app, user.id).await, 0);
    let codes: i64 = sqlx::query_scalar("SELECT count(*) FROM recovery_codes WHERE user_id = $1")
        .bind(user.id.0)
        .fetch_one(&app.pool)
        .await
        .expect("codes");
    assert_eq!(codes, 0, "the recovery codes went too");
    assert_eq!(
        audit_actions(&app, user.id)
            .await
            .last()
            .map(String::as_str),
        Some("tweede factor gewist")
    );
}

#[tokio::test]
async fn without_a_domain_name_there_are_no_passkeys() {
    // The tests' usual base URL is http://127.0.0.1:…, which no browser takes.
    let app = TestApp::spawn().await;
    let (_, page) = app.get_page("/login").await;
    assert!(
        page.select_all("form[action='/login/zonder-wachtwoord']")
            .is_empty()
    );
    assert_eq!(
        options(&app, "/login/zonder-wachtwoord/opties")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_passkey_alone_is_the_second_factor_a_coordinator_must_have() {
    let mut config = required_for_staff();
    config.base_url = Some(LOCALHOST.to_string());
    let app = TestApp::spawn_with(config).await;
    let user = app.create_user(Role::Coordinator).await;
    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(location(&response), "/login/tweede-factor");
    let (_, page) = app.get_page("/login/tweede-factor").await;
    let secret = page.text("#secret");
    let response = app
        .post_form(
            "/login/tweede-factor",
            &[("code", &code_at(&secret, now()))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "enrolled with the app");
    let (mut passkey, _) = register(&app, "Laptop").await;
    // The app goes (a new phone never set up): the passkey is left.
    sqlx::query("DELETE FROM second_factors WHERE user_id = $1")
        .bind(user.id.0)
        .execute(&app.pool)
        .await
        .expect("app removed");
    log_out(&app, Role::Coordinator).await;
    let response = second_factor(&app, &user, &mut passkey).await;
    assert_eq!(location(&response), home_path(Role::Coordinator));
}
