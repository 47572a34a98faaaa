//! Logging in and out, throttling, CSRF, sessions and roles.

use reqwest::StatusCode;
use veertig::domain::auth::{
    MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS, MAX_FAILURES_PER_ADDRESS,
};
use veertig::domain::user::Role;

use crate::helpers::{PASSWORD, Page, TestApp, location};

#[tokio::test]
async fn login_page_has_labelled_fields_and_a_csrf_token() {
    let app = TestApp::spawn().await;
    let (status, page) = app.get_page("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Aanmelden");
    assert_eq!(page.text("label[for=email]"), "E-mailadres");
    assert_eq!(page.text("label[for=password]"), "Wachtwoord");
    assert!(
        page.attr("form input[name=csrf_token]", "value")
            .is_some_and(|t| t.len() == 64)
    );
}

#[tokio::test]
async fn each_role_lands_on_its_own_home_page() {
    let app = TestApp::spawn().await;
    for (role, home, heading) in [
        (Role::Admin, "/beheer", "Beheer"),
        (Role::Coordinator, "/coordinatie", "Coördinatie"),
        (Role::Coach, "/caseload", "Mijn caseload"),
        (Role::Partner, "/partner", "Te bevestigen"),
    ] {
        let browser = TestApp::spawn_on(&app).await;
        let user = browser.create_user(role).await;
        let response = browser.login(&user.email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), home, "{role:?}");
        let (status, page) = browser.get_page(home).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page.text("h1"), heading);
        assert!(page.text(".user-name").contains(&format!("Test {role:?}")));
    }
}

#[tokio::test]
async fn demo_logins_reach_their_home_pages() {
    let app = TestApp::spawn().await;
    assert!(
        veertig::demo::load(&app.pool)
            .await
            .expect("demo data loads")
    );
    for (email, role) in veertig::demo::LOGINS {
        let browser = TestApp::spawn_on(&app).await;
        let response = browser.login(email, veertig::demo::PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email}");
        let (status, _) = browser.get_page(&location(&response)).await;
        assert_eq!(status, StatusCode::OK, "{role:?}");
    }
    // A second load changes nothing.
    assert!(
        !veertig::demo::load(&app.pool)
            .await
            .expect("demo data loads")
    );
}

#[tokio::test]
async fn wrong_password_keeps_the_email_and_says_so_in_dutch() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    let response = app.login(&user.email, "not-the-password").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text(".error-summary")
            .contains("horen niet bij elkaar")
    );
    assert_eq!(
        page.attr("input[name=email]", "value").as_deref(),
        Some(user.email.as_str())
    );
    assert_eq!(
        page.attr("input[name=password]", "value").as_deref(),
        Some("")
    );
    assert_eq!(app.get("/caseload").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn unknown_email_gets_the_same_answer_as_a_wrong_password() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    let wrong_password = app.login(&user.email, "not-the-password").await;
    let wrong_status = wrong_password.status();
    let wrong_text =
        Page::parse(&wrong_password.text().await.expect("body")).text(".error-summary");
    let unknown = app.login("nobody@test.example", "not-the-password").await;
    assert_eq!(unknown.status(), wrong_status);
    let unknown_text = Page::parse(&unknown.text().await.expect("body")).text(".error-summary");
    assert_eq!(unknown_text, wrong_text);
}

#[tokio::test]
async fn empty_login_form_asks_for_both_fields() {
    let app = TestApp::spawn().await;
    let response = app.login("", "").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text(".error-summary")
            .contains("Vul uw e-mailadres en uw wachtwoord in")
    );
}

#[tokio::test]
async fn an_account_is_locked_at_an_address_after_five_failures_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    assert_eq!(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS, 5);
    for _ in 0..MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS {
        let response = app.login(&user.email, "guess").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text(".error-summary").contains("Wacht 15 minuten"));

    // An unknown address is locked the same way, so the lock reveals nothing.
    for _ in 0..MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS {
        app.login("nobody@test.example", "guess").await;
    }
    let response = app.login("nobody@test.example", "guess").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);

    // Another account can still log in from the same address.
    let other = app.create_user(Role::Coach).await;
    assert_eq!(
        app.login(&other.email, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );

    // Once the window has passed, the account opens again.
    sqlx::query("UPDATE login_failures SET failed_at = now() - interval '16 minutes'")
        .execute(&app.pool)
        .await
        .expect("age the failures");
    let again = TestApp::spawn_on(&app).await;
    assert_eq!(
        again.login(&user.email, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

/// Item 9 of the ASVS issue: five wrong passwords from one address used to lock the account
/// everywhere, so a stranger could lock out a coördinator.
#[tokio::test]
async fn a_stranger_cannot_lock_out_the_owner_but_many_addresses_together_lock_everyone_out() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let stranger = TestApp::spawn_from(&app, [127, 0, 0, 2].into());
    for _ in 0..MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS {
        let response = stranger.login(&user.email, "guess").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(
        stranger.login(&user.email, PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the stranger's address is locked for this account"
    );

    // The owner, at another address, logs in as usual.
    let owner = TestApp::spawn_on(&app).await;
    let response = owner.login(&user.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/coordinatie");
    // Which does not unlock the stranger's address.
    let response = stranger.login(&user.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text(".error-summary").contains("Wacht 15 minuten"));

    // Guesses from many addresses together, each below its own limit, reach the account's
    // ceiling: then the account is locked for everyone, the owner too, and the page says so.
    let others = MAX_FAILURES_PER_ACCOUNT - MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS;
    sqlx::query(
        "INSERT INTO login_failures (email, client_addr)
         SELECT $1, '10.0.0.' || (n % 20) FROM generate_series(1, $2) AS n",
    )
    .bind(&user.email)
    .bind(others)
    .execute(&app.pool)
    .await
    .expect("failures from elsewhere");
    let owner = TestApp::spawn_on(&app).await;
    let response = owner.login(&user.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = Page::parse(&response.text().await.expect("body"));
    let message = page.text(".error-summary");
    assert!(
        message.contains("vanaf verschillende plaatsen") && message.contains("voor iedereen"),
        "{message}"
    );
    // Another account is not touched by it.
    let other = app.create_user(Role::Coach).await;
    assert_eq!(
        owner.login(&other.email, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_client_address_is_locked_after_twenty_failures() {
    let app = TestApp::spawn().await;
    for n in 0..MAX_FAILURES_PER_ADDRESS {
        app.login(&format!("guess-{n}@test.example"), "guess").await;
    }
    let user = app.create_user(Role::Coach).await;
    assert_eq!(
        app.login(&user.email, PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    app.get_page("/login").await;
    let response = app
        .post_raw("/login", &[("email", &user.email), ("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(page.text("h1"), "Formulier verlopen");

    let response = app
        .post_raw(
            "/login",
            &[
                ("csrf_token", "0000"),
                ("email", &user.email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get("/caseload").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_token() {
    let app = TestApp::spawn().await;
    let user = app.login_as(Role::Coach).await;
    let token = app.csrf_token().await;
    let response = app
        .client
        .post(app.url("/logout"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Still logged in.
    assert_eq!(app.get("/caseload").await.status(), StatusCode::OK);
    drop(user);
}

#[tokio::test]
async fn the_csrf_token_may_come_in_a_header() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let token = app.csrf_token().await;
    let response = app
        .client
        .post(app.url("/logout"))
        .header("x-csrf-token", token)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn logging_in_renews_the_session_id() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    // Asking for a password reset leaves a message in an anonymous session.
    app.get_page("/wachtwoord-vergeten").await;
    let response = app
        .post_form("/wachtwoord-vergeten", &[("email", "iemand@example.org")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let before = app.session_cookie().expect("a session before login");
    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let after = app.session_cookie().expect("a session after login");
    assert_ne!(before, after);

    // The id known before login (say, planted by an attacker) is not logged in.
    let attacker = TestApp::spawn_on(&app).await;
    attacker.set_session_cookie(&before);
    assert_eq!(
        attacker.get("/caseload").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.get("/caseload").await.status(), StatusCode::OK);
}

/// The `Set-Cookie` header of a response for the cookie called `name`.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    let response = app.login(&user.email, PASSWORD).await;
    let cookie = set_cookie(&response, "veertig_sessie").expect("a session cookie");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain http in tests");
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none()
    );

    // Behind https: only this host may set the cookies, and browsers keep to https.
    let mut config = veertig::config::Config::for_tests();
    config.base_url = Some("https://veertig.example".into());
    let secure = TestApp::spawn_with(config).await;
    let user = secure.create_user(Role::Coach).await;
    let (_, page) = secure.get_page("/login").await;
    let token = page.attr("input[name=csrf_token]", "value").expect("token");
    let response = secure
        .client
        .post(secure.url("/login"))
        // The test client speaks plain http, over which it would not send a secure cookie.
        .header("cookie", format!("__Host-veertig_csrf={token}"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", user.email.as_str()),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&response, "__Host-veertig_sessie").expect("a secure session cookie");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

#[tokio::test]
async fn pages_before_login_write_no_session_rows() {
    let app = TestApp::spawn().await;
    let sessions = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM tower_sessions.session")
            .fetch_one(&app.pool)
            .await
            .expect("count")
    };
    // Browsers without cookies, as a script that wanted to fill the database would send.
    let stranger = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for _ in 0..50 {
        for path in ["/login", "/wachtwoord-vergeten", "/verify"] {
            let response = stranger.get(app.url(path)).send().await.expect("GET");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert!(set_cookie(&response, "veertig_sessie").is_none(), "{path}");
        }
    }
    assert_eq!(sessions().await, 0);

    // The form's token comes with its own cookie, and logging in makes the one session.
    let user = app.create_user(Role::Coach).await;
    assert_eq!(
        app.login(&user.email, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(sessions().await, 1);
}

#[tokio::test]
async fn before_login_the_form_must_carry_this_browsers_own_token() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    // Another visitor's token, from the same page in their browser.
    let other = TestApp::spawn_on(&app).await;
    let (_, page) = other.get_page("/login").await;
    let theirs = page.attr("input[name=csrf_token]", "value").expect("token");
    let (_, page) = app.get_page("/login").await;
    let mine = page.attr("input[name=csrf_token]", "value").expect("token");
    assert_ne!(mine, theirs);
    let with = |token: &str| {
        [
            ("csrf_token", token.to_string()),
            ("email", user.email.clone()),
            ("password", PASSWORD.to_string()),
        ]
    };
    let response = app
        .client
        .post(app.url("/login"))
        .form(&with(&theirs))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Without the cookie, even the right value is refused.
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = bare
        .post(app.url("/login"))
        .form(&with(&mine))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app
        .client
        .post(app.url("/login"))
        .form(&with(&mine))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let response = app.post_form("/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login");
    let (_, page) = app.get_page("/login").await;
    assert_eq!(page.text(".flash"), "U bent afgemeld.");
    assert_eq!(app.get("/caseload").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_logout_on_one_instance_ends_the_session_on_the_others() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let other = app.second_instance().await;
    let cookie = app.session_cookie().expect("a session cookie");
    other.set_session_cookie(&cookie);
    // The other instance has read the session, so it sits in that instance's cache.
    assert_eq!(other.get_page("/caseload").await.0, StatusCode::OK);

    let response = app.post_form("/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_ne!(
        app.session_cookie(),
        Some(cookie),
        "the old session id is not reused"
    );
    let response = other.get("/caseload").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
}

#[tokio::test]
async fn pages_need_a_login_and_return_to_where_you_were() {
    let app = TestApp::spawn().await;
    let response = app.get("/caseload?pagina=2").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=%2Fcaseload%3Fpagina%3D2");
    let user = app.create_user(Role::Coach).await;
    app.get_page("/login?next=%2Fcaseload%3Fpagina%3D2").await;
    let response = app
        .post_form(
            "/login",
            &[
                ("email", &user.email),
                ("password", PASSWORD),
                ("next", "/caseload?pagina=2"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/caseload?pagina=2");
}

#[tokio::test]
async fn a_login_never_redirects_to_another_site() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coach).await;
    let response = app
        .post_form(
            "/login",
            &[
                ("email", &user.email),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/caseload");
}

#[tokio::test]
async fn a_role_is_refused_the_pages_of_another_role() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Partner).await;
    for path in ["/beheer", "/coordinatie", "/caseload"] {
        let (status, page) = app.get_page(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(page.text("h1"), "Geen toegang");
    }
    assert_eq!(app.get("/partner").await.status(), StatusCode::OK);

    let coach = TestApp::spawn_on(&app).await;
    coach.login_as(Role::Coach).await;
    assert_eq!(coach.get("/beheer").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(coach.get("/partner").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_deactivated_user_is_logged_out_at_the_next_request() {
    let app = TestApp::spawn().await;
    let user = app.login_as(Role::Coach).await;
    sqlx::query("UPDATE users SET active = false WHERE id = $1")
        .bind(user.id.0)
        .execute(&app.pool)
        .await
        .expect("deactivate");
    assert_eq!(app.get("/caseload").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.login(&user.email, PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn creating_a_user_is_audited() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Coordinator).await;
    let (action, email): (String, String) = sqlx::query_as(
        "SELECT action, after->>'email' FROM audit_log WHERE entity = 'user' AND entity_id = $1",
    )
    .bind(user.id.0)
    .fetch_one(&app.pool)
    .await
    .expect("an audit row");
    assert_eq!(action, "aangemaakt");
    assert_eq!(email, user.email);
}
