//! The second factor (ASVS 2.7/2.8): enrolment with a QR code and one code back, login with a
//! code from the app (once per time step) or a single-use recovery code, required for the
//! roles of `SECOND_FACTOR_ROLES`, and the beheerder's audited reset. Codes are computed here
//! with `totp-rs` from the secret the enrolment page shows.

use reqwest::StatusCode;
use totp_rs::{Builder, Secret};
use veertig::config::{Config, RoleList};
use veertig::domain::auth::MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS;
use veertig::domain::user::Role;
use veertig::values::ids::UserId;
use veertig::web::layout::home_path;

use crate::helpers::{PASSWORD, Page, TestApp, TestUser, location};

const ENROL: &str = "/login/tweede-factor";
const CODE: &str = "/login/code";

/// The production default: beheerders and coördinatoren must have a second factor.
pub(crate) fn required_for_staff() -> Config {
    let mut config = Config::for_tests();
    config.second_factor_roles = RoleList(vec![Role::Admin, Role::Coordinator]);
    config
}

pub(crate) fn now() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).expect("after 1970")
}

/// What an authenticator app with `secret` (as the page shows it) displays at `time`.
pub(crate) fn code_at(secret: &str, time: u64) -> String {
    let compact: String = secret.split_whitespace().collect();
    Builder::new()
        .with_secret(Secret::try_from_base32(compact).expect("base32"))
        .build()
        .expect("a valid secret")
        .generate(time)
        .to_string()
}

/// An enrolment page's secret.
async fn secret_on(app: &TestApp, path: &str) -> String {
    let (status, page) = app.get_page(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert!(!page.select_all("svg path").is_empty(), "a QR code");
    page.text("#secret")
}

struct Enrolled {
    secret: String,
    recovery_codes: Vec<String>,
    /// When the enrolment code was made: its time step is used up.
    at: u64,
}

/// Enrols at `path` with the first code; returns the secret and the recovery codes shown.
async fn enrol_at(app: &TestApp, path: &str) -> Enrolled {
    let secret = secret_on(app, path).await;
    let at = now();
    let response = app
        .post_form(path, &[("code", &code_at(&secret, at))])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = Page::parse(&response.text().await.expect("body"));
    let recovery_codes = page.select_all(".recovery-codes code");
    assert_eq!(recovery_codes.len(), 10, "ten recovery codes");
    Enrolled {
        secret,
        recovery_codes,
        at,
    }
}

/// Logs in with the password, then must enrol: returns what the enrolment showed.
async fn login_and_enrol(app: &TestApp, user: &TestUser) -> Enrolled {
    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(
        location(&response),
        ENROL,
        "enrolment comes right after the password"
    );
    enrol_at(app, ENROL).await
}

/// Logs in with the password and then `code`; returns the answer to the code.
async fn login_with_code(app: &TestApp, user: &TestUser, code: &str) -> reqwest::Response {
    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(
        location(&response),
        CODE,
        "the code is asked after the password"
    );
    app.get_page(CODE).await;
    app.post_form(CODE, &[("code", code)]).await
}

async fn is_logged_in(app: &TestApp, role: Role) -> bool {
    app.get(home_path(role)).await.status() == StatusCode::OK
}

async fn log_out(app: &TestApp, role: Role) {
    app.get_page(home_path(role)).await;
    app.post_form("/logout", &[]).await;
}

/// The actions audited on `user`, oldest first.
pub(crate) async fn audit_actions(app: &TestApp, user: UserId) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'user' AND entity_id = $1 ORDER BY id",
    )
    .bind(user.0)
    .fetch_all(&app.pool)
    .await
    .expect("audit rows")
}

#[tokio::test]
async fn a_coordinator_enrols_then_logs_in_with_a_code_used_only_once() {
    let app = TestApp::spawn_with(required_for_staff()).await;
    let user = app.create_user(Role::Coordinator).await;
    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(location(&response), ENROL);
    // The password alone is not a login: every page still asks to log in.
    for path in [home_path(Role::Coordinator), "/mijn-account/wachtwoord"] {
        let response = app.get(path).await;
        assert!(location(&response).starts_with("/login?"), "{path}");
    }
    // A wrong code does not enrol.
    let secret = secret_on(&app, ENROL).await;
    let wrong = code_at(&secret, now() - 3600);
    let response = app.post_form(ENROL, &[("code", &wrong)]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!is_logged_in(&app, Role::Coordinator).await);
    let enrolled = enrol_at(&app, ENROL).await;
    assert_eq!(
        enrolled.secret, secret,
        "the secret scanned stays after a typo"
    );
    assert!(is_logged_in(&app, Role::Coordinator).await);
    assert!(
        audit_actions(&app, user.id)
            .await
            .contains(&"tweede factor ingesteld".to_string())
    );

    log_out(&app, Role::Coordinator).await;
    let response = login_with_code(&app, &user, &code_at(&secret, enrolled.at - 3600)).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a wrong code"
    );
    assert!(!is_logged_in(&app, Role::Coordinator).await);
    // The next time step's code: the enrolment used up the current one.
    let next = code_at(&secret, enrolled.at + 30);
    let response = app.post_form(CODE, &[("code", &next)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), home_path(Role::Coordinator));
    assert!(is_logged_in(&app, Role::Coordinator).await);

    log_out(&app, Role::Coordinator).await;
    let response = login_with_code(&app, &user, &next).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a code already used is refused"
    );
    assert!(!is_logged_in(&app, Role::Coordinator).await);
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let app = TestApp::spawn_with(required_for_staff()).await;
    let user = app.create_user(Role::Admin).await;
    let enrolled = login_and_enrol(&app, &user).await;
    log_out(&app, Role::Admin).await;
    let recovery = enrolled.recovery_codes[3].to_lowercase();
    let response = login_with_code(&app, &user, &recovery).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(is_logged_in(&app, Role::Admin).await);
    log_out(&app, Role::Admin).await;
    let response = login_with_code(&app, &user, &recovery).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!is_logged_in(&app, Role::Admin).await);
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_wrong_passwords() {
    let app = TestApp::spawn_with(required_for_staff()).await;
    let user = app.create_user(Role::Coordinator).await;
    let enrolled = login_and_enrol(&app, &user).await;
    log_out(&app, Role::Coordinator).await;
    let wrong = code_at(&enrolled.secret, enrolled.at - 3600);
    let response = login_with_code(&app, &user, &wrong).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for _ in 1..MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS {
        app.post_form(CODE, &[("code", &wrong)]).await;
    }
    let right = code_at(&enrolled.secret, enrolled.at + 30);
    let response = app.post_form(CODE, &[("code", &right)]).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(!is_logged_in(&app, Role::Coordinator).await);
}

#[tokio::test]
async fn the_beheerder_resets_a_second_factor_and_the_user_enrols_again() {
    let app = TestApp::spawn_with(required_for_staff()).await;
    let user = app.create_user(Role::Coordinator).await;
    login_and_enrol(&app, &user).await;
    assert!(is_logged_in(&app, Role::Coordinator).await);

    let admin = TestApp::spawn_on(&app).await;
    let admin_user = admin.create_user(Role::Admin).await;
    login_and_enrol(&admin, &admin_user).await;
    let page = format!("/beheer/gebruikers/{}", user.id);
    admin.get_page(&page).await;
    let response = admin
        .post_form(&format!("{page}/tweede-factor-wissen"), &[])
        .await;
    assert_eq!(location(&response), page);
    let actions = audit_actions(&app, user.id).await;
    assert_eq!(
        actions.last().map(String::as_str),
        Some("tweede factor gewist")
    );

    assert!(
        !is_logged_in(&app, Role::Coordinator).await,
        "their sessions ended"
    );
    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(location(&response), ENROL, "they must enrol again");
}

#[tokio::test]
async fn other_roles_log_in_with_a_password_and_may_enrol_themselves() {
    let app = TestApp::spawn_with(required_for_staff()).await;
    let user = app.login_as(Role::Coach).await;
    let enrolled = enrol_at(&app, "/mijn-account/tweede-factor").await;
    let (status, page) = app.get_page("/mijn-account/tweede-factor").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.text("h1").contains("Tweede factor"));
    log_out(&app, Role::Coach).await;
    let code = code_at(&enrolled.secret, enrolled.at + 30);
    let response = login_with_code(&app, &user, &code).await;
    assert_eq!(location(&response), home_path(Role::Coach));
}

/// Without `SECOND_FACTOR_ROLES`, beheerders and coördinatoren must have a second factor.
#[tokio::test]
async fn by_default_beheerders_and_coordinators_must_have_a_second_factor() {
    #[derive(clap::Parser)]
    struct Defaults {
        #[command(flatten)]
        config: Config,
    }
    let config = <Defaults as clap::Parser>::try_parse_from(["veertig"])
        .expect("the defaults parse")
        .config;
    assert_eq!(
        config.second_factor_roles,
        RoleList(vec![Role::Admin, Role::Coordinator])
    );
    let app = TestApp::spawn_with(config).await;
    let user = app.create_user(Role::Admin).await;
    let response = app.login(&user.email, PASSWORD).await;
    assert_eq!(location(&response), ENROL);
    app.login_as(Role::Partner).await;
}
