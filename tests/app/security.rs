//! Sessions and accounts: idle and absolute session lifetimes, logout on the server, password
//! reset by e-mail, password rules, role changes and deactivated organisations.

use reqwest::StatusCode;
use veertig::config::Config;
use veertig::domain::user::Role;

use crate::helpers::{PASSWORD, Page, TestApp, location};

/// Logs in and returns where the login sent the browser.
async fn log_in(app: &TestApp, email: &str, password: &str) -> String {
    let response = app.login(email, password).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "login of {email}");
    location(&response)
}

async fn is_logged_out(app: &TestApp, path: &str) -> bool {
    let response = app.get(path).await;
    response.status() == StatusCode::SEE_OTHER && location(&response).starts_with("/login")
}

#[tokio::test]
async fn logout_deletes_the_session_so_a_kept_cookie_no_longer_works() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let cookie = app.session_cookie().expect("a session cookie");
    let stored = |id: String| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM tower_sessions.session WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .expect("sessions")
        }
    };
    assert_eq!(stored(cookie.clone()).await, 1);
    let response = app.post_form("/logout", &[]).await;
    assert_eq!(location(&response), "/login");
    assert_eq!(stored(cookie.clone()).await, 0, "the session row is gone");

    // Someone who copied the cookie before the logout gets the login page.
    let thief = TestApp::spawn_on(&app).await;
    thief.set_session_cookie(&cookie);
    assert!(is_logged_out(&thief, "/caseload").await);
}

#[tokio::test]
async fn a_session_ends_after_the_idle_timeout() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    // SESSION_IDLE_MINUTES without a request: the store's expiry, moved on by use, has passed.
    sqlx::query(
        "UPDATE tower_sessions.session SET expiry_date = now() - interval '1 second' WHERE id = $1",
    )
    .bind(app.session_cookie().expect("cookie"))
    .execute(&app.pool)
    .await
    .expect("age the session");
    assert!(is_logged_out(&app, "/caseload").await);
}

/// Minutes until the browser's session expires if no request comes.
async fn idle_minutes_left(app: &TestApp) -> f64 {
    sqlx::query_scalar(
        "SELECT extract(epoch FROM expiry_date - now())::float8 / 60 FROM tower_sessions.session WHERE id = $1",
    )
    .bind(app.session_cookie().expect("cookie"))
    .fetch_one(&app.pool)
    .await
    .expect("session")
}

#[tokio::test]
async fn the_idle_timeout_is_the_configured_one() {
    let mut config = Config::for_tests();
    config.session_idle_minutes = 45;
    let app = TestApp::spawn_with(config).await;
    app.login_as(Role::Coach).await;
    let minutes = idle_minutes_left(&app).await;
    assert!((44.0..=45.0).contains(&minutes), "{minutes}");
}

/// ASVS 3.3.2: without `SESSION_IDLE_MINUTES`, half an hour without a request ends a session.
#[tokio::test]
async fn the_idle_timeout_is_thirty_minutes_by_default() {
    #[derive(clap::Parser)]
    struct Defaults {
        #[command(flatten)]
        config: Config,
    }
    let config = <Defaults as clap::Parser>::try_parse_from(["veertig"])
        .expect("the defaults parse")
        .config;
    assert_eq!(config.session_idle_minutes, 30);
    assert_eq!(config.session_max_hours, 12, "the absolute lifetime stays");
    let app = TestApp::spawn_with(config).await;
    app.login_as(Role::Coach).await;
    let minutes = idle_minutes_left(&app).await;
    assert!((29.0..=30.0).contains(&minutes), "{minutes}");
}

#[tokio::test]
async fn a_session_ends_after_its_absolute_lifetime_however_active() {
    let mut config = Config::for_tests();
    config.session_max_hours = 0;
    let app = TestApp::spawn_with(config).await;
    let user = app.create_user(Role::Coach).await;
    let home = log_in(&app, &user.email, PASSWORD).await;
    assert!(is_logged_out(&app, &home).await);

    // The default lifetime (12 hours) keeps the same flow logged in.
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    let home = log_in(&app, &user.email, PASSWORD).await;
    assert_eq!(app.get(&home).await.status(), StatusCode::OK);
    assert_eq!(app.get(&home).await.status(), StatusCode::OK);
}

/// The reset link in the newest mail to `email` (its body holds a mark where the link's secret
/// goes; the secret waits beside it until the mail is sent).
/// The reset link of the newest mail to `email`: the stored body holds the mark, the outbox
/// the secret until the mail is sent.
pub async fn reset_link(app: &TestApp, email: &str) -> String {
    let (body, secret): (String, String) = sqlx::query_as(
        "SELECT body_text, secret FROM outbox WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(&app.pool)
    .await
    .expect("a reset mail");
    let link = format!("/wachtwoord-herstellen/{}", veertig::mail::SECRET_MARK);
    assert!(body.contains(&link), "the mail holds the link: {body}");
    format!("/wachtwoord-herstellen/{secret}")
}

#[tokio::test]
async fn password_reset_by_mail_works_once_and_ends_every_other_session() {
    let app = TestApp::spawn().await;
    let user = app.login_as(Role::Coach).await;

    let other = TestApp::spawn_on(&app).await;
    other.get_page("/wachtwoord-vergeten").await;
    let response = other
        .post_form(
            "/wachtwoord-vergeten",
            &[("email", &user.email.to_uppercase())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let link = reset_link(&app, &user.email).await;
    let token = link.rsplit('/').next().expect("token");
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM password_resets")
        .fetch_one(&app.pool)
        .await
        .expect("reset row");
    assert_eq!(stored.len(), 32, "only the SHA-256 is kept");
    assert!(!String::from_utf8_lossy(&stored).contains(token));

    let (status, page) = other.get_page(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Nieuw wachtwoord");

    // Password rules: length, the breached list, the same twice.
    for (password, again, message) in [
        ("kort", "kort", "minstens 12 tekens"),
        ("password1234", "password1234", "veelgebruikte wachtwoorden"),
        ("fiets-regen-brugge-7", "fiets-regen-gent-7", "verschillen"),
    ] {
        let response = other
            .post_form(&link, &[("password", password), ("password_again", again)])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = Page::parse(&response.text().await.expect("body"));
        assert!(page.text(".error-summary").contains(message), "{message}");
    }

    let new_password = "fiets-regen-brugge-7";
    let response = other
        .post_form(
            &link,
            &[("password", new_password), ("password_again", new_password)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");

    // The session opened with the old password is over.
    assert!(is_logged_out(&app, "/caseload").await);
    // The link works once.
    let (status, page) = other.get_page(&link).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.text("main").contains("verlopen of al gebruikt"));
    // Old password out, new one in.
    let again = TestApp::spawn_on(&app).await;
    let response = again.login(&user.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(log_in(&again, &user.email, new_password).await, "/caseload");
    assert_eq!(again.get("/caseload").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_expired_reset_link_does_not_work() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Partner).await;
    app.get_page("/wachtwoord-vergeten").await;
    app.post_form("/wachtwoord-vergeten", &[("email", &user.email)])
        .await;
    let link = reset_link(&app, &user.email).await;
    sqlx::query("UPDATE password_resets SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .expect("expire");
    let (status, _) = app.get_page(&link).await;
    assert_eq!(status, StatusCode::GONE);
    let response = app
        .post_form(
            &link,
            &[
                ("password", "fiets-regen-brugge-7"),
                ("password_again", "fiets-regen-brugge-7"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::GONE);
    assert_eq!(
        log_in(&app, &user.email, PASSWORD).await,
        "/partner",
        "the old password still works"
    );
}

#[tokio::test]
async fn asking_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    let mut flashes = Vec::new();
    for email in ["niemand@test.example", user.email.as_str()] {
        let browser = TestApp::spawn_on(&app).await;
        browser.get_page("/wachtwoord-vergeten").await;
        let response = browser
            .post_form("/wachtwoord-vergeten", &[("email", email)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, page) = browser.get_page(&location(&response)).await;
        flashes.push(page.text(".flash").replace(email, "ADRES"));
    }
    assert_eq!(flashes[0], flashes[1]);
    let mails: Vec<String> = sqlx::query_scalar("SELECT recipient FROM outbox")
        .fetch_all(&app.pool)
        .await
        .expect("outbox");
    assert_eq!(mails, vec![user.email.clone()]);

    // At most three links an hour, so the form cannot flood a mailbox.
    for _ in 0..5 {
        app.get_page("/wachtwoord-vergeten").await;
        app.post_form("/wachtwoord-vergeten", &[("email", &user.email)])
            .await;
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .expect("outbox");
    assert_eq!(count, 3);

    // An address that is no address is a field error, in Dutch.
    let response = app
        .post_form("/wachtwoord-vergeten", &[("email", "geen adres")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text(".error-summary").contains("geldig e-mailadres"));
}

#[tokio::test]
async fn a_new_role_counts_from_the_next_request() {
    let app = TestApp::spawn().await;
    let user = app.login_as(Role::Coach).await;
    assert_eq!(
        app.get("/coordinatie").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get("/caseload").await.status(), StatusCode::OK);
    sqlx::query("UPDATE users SET role = 'coordinator' WHERE id = $1")
        .bind(user.id.0)
        .execute(&app.pool)
        .await
        .expect("new role");
    assert_eq!(app.get("/coordinatie").await.status(), StatusCode::OK);
    assert_eq!(app.get("/caseload").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_new_password_from_the_beheerder_ends_the_users_sessions() {
    let app = TestApp::spawn().await;
    let user = app.login_as(Role::Coach).await;
    let admin = TestApp::spawn_on(&app).await;
    admin.login_as(Role::Admin).await;
    admin
        .get_page(&format!("/beheer/gebruikers/{}", user.id))
        .await;
    let response = admin
        .post_form(
            &format!("/beheer/gebruikers/{}/wachtwoord", user.id),
            &[("password", "fiets-regen-brugge-7")],
        )
        .await;
    assert!(response.status().is_success() || response.status().is_redirection());
    assert!(is_logged_out(&app, "/caseload").await);
    // And the beheerder's list refuses a breached password.
    let response = admin
        .post_form(
            &format!("/beheer/gebruikers/{}/wachtwoord", user.id),
            &[("password", "qwerty123456")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_partner_of_a_deactivated_organisation_is_logged_out_and_cannot_log_in() {
    let app = TestApp::spawn().await;
    let user = app.login_as(Role::Partner).await;
    sqlx::query("UPDATE organisations SET active = false WHERE id = $1")
        .bind(app.organisation.0)
        .execute(&app.pool)
        .await
        .expect("deactivate");
    assert!(is_logged_out(&app, "/partner").await);
    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Nor can they get a reset link.
    app.get_page("/wachtwoord-vergeten").await;
    app.post_form("/wachtwoord-vergeten", &[("email", &user.email)])
        .await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .expect("outbox");
    assert_eq!(count, 0);
}
