//! Logging in through a real OpenID provider: the certified `oidc-provider` package for Node
//! (`tests/oidc/provider.mjs`), started once per test process like the PostgreSQL cluster, with
//! a client registered per test for that test's server, and users whose claims the test chooses.
//! The bad ID tokens a certified provider never issues come from the script's second provider,
//! which follows the protocol but lies in its tokens as the client id asks.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;
use veertig::config::{Config, RoleList};
use veertig::domain::user::Role;

use crate::helpers::{PASSWORD, Page, TestApp, location};

pub(crate) struct TestProvider {
    pub issuer: String,
    pub liar: String,
    /// Holds the script's standard input open: it ends when this process does.
    _process: Child,
}

static PROVIDER: OnceLock<TestProvider> = OnceLock::new();

/// The script's folder, with `node_modules` installed by `npm ci` when missing (as the browser
/// tests install Chromium).
fn script_dir() -> &'static Path {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc"));
    if !dir.join("node_modules/oidc-provider").is_dir() {
        eprintln!("Installing the test OpenID provider (npm ci in tests/oidc)…");
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(dir)
            .status()
            .expect("npm runs (Node.js 20 or later is needed for the OpenID tests)");
        assert!(status.success(), "npm ci in tests/oidc failed");
    }
    dir
}

pub(crate) fn provider() -> &'static TestProvider {
    PROVIDER.get_or_init(|| {
        let dir = script_dir();
        // Its warnings and errors, for whoever debugs a failing test.
        let log =
            std::fs::File::create(Path::new(env!("CARGO_TARGET_TMPDIR")).join("oidc-provider.log"))
                .expect("the provider's log file");
        let mut process = Command::new("node")
            .arg("provider.mjs")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("node starts the test OpenID provider");
        let mut stdout = BufReader::new(process.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the provider prints its addresses");
        // Read on, so that nothing it prints later meets a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let addresses: serde_json::Value =
            serde_json::from_str(&line).expect("the provider's addresses");
        TestProvider {
            issuer: addresses["issuer"].as_str().expect("issuer").to_string(),
            liar: addresses["liar"].as_str().expect("liar").to_string(),
            _process: process,
        }
    })
}

/// A configuration that uses `issuer` with `client_id` (a fresh secret), labelled
/// "Testaanbieder".
pub(crate) fn config_for(base: Config, issuer: &str, client_id: &str) -> Config {
    Config {
        oidc_issuer_url: Some(issuer.to_string()),
        oidc_client_id: Some(client_id.to_string()),
        oidc_client_secret: Some(format!("geheim-{}", Uuid::new_v4().simple())),
        oidc_label: "Testaanbieder".into(),
        ..base
    }
}

/// The app on `base` with the real provider, its client registered for this server's address.
pub(crate) async fn spawn_with_provider(base: Config) -> TestApp {
    let provider = provider();
    let client_id = format!("veertig-{}", Uuid::new_v4().simple());
    let config = config_for(base, &provider.issuer, &client_id);
    let secret = config.oidc_client_secret.clone();
    let app = TestApp::spawn_with(config).await;
    register_client(
        &provider.issuer,
        &client_id,
        secret.as_deref().unwrap_or_default(),
        &app.url(""),
    )
    .await;
    app
}

/// Registers a client at the provider for the Veertig at `base` (dynamic registration).
async fn register_client(issuer: &str, client_id: &str, secret: &str, base: &str) {
    let response = reqwest::Client::new()
        .post(format!("{issuer}/reg"))
        .header("content-type", "application/json")
        .body(
            json!({
                "client_id": client_id,
                "client_secret": secret,
                "redirect_uris": [format!("{base}/login/oidc/callback")],
                "post_logout_redirect_uris": [format!("{base}/login")],
            })
            .to_string(),
        )
        .send()
        .await
        .expect("client registration");
    assert_eq!(response.status(), StatusCode::CREATED, "client registered");
}

/// A person at the provider, with the claims the test chooses; returns the login name, which
/// is also the subject.
pub(crate) async fn person(claims: serde_json::Value) -> String {
    let sub = claims["sub"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("persoon-{}", Uuid::new_v4().simple()));
    let mut account = claims;
    account["sub"] = json!(sub);
    let response = reqwest::Client::new()
        .post(format!("{}/test/account", provider().issuer))
        .header("content-type", "application/json")
        .body(account.to_string())
        .send()
        .await
        .expect("account registration");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    sub
}

fn absolute(base: &str, target: &str) -> String {
    reqwest::Url::parse(base)
        .and_then(|base| base.join(target))
        .expect("a URL")
        .to_string()
}

/// Clicks "Aanmelden met …", signs in at the provider's form as `login` and returns the URL the
/// provider sends the browser back to (Veertig's callback), without opening it.
pub(crate) async fn callback_url(app: &TestApp, login: &str) -> String {
    let response = app.get("/login/oidc").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "to the provider");
    callback_url_from(app, &location(&response), login).await
}

/// From the provider's authorization URL `start` on, as [`callback_url`].
async fn callback_url_from(app: &TestApp, start: &str, login: &str) -> String {
    let mut url = start.to_string();
    while !url.starts_with(&app.url("/")) {
        let response = app.client.get(&url).send().await.expect("provider");
        if response.status().is_redirection() {
            url = absolute(&url, &location(&response));
            continue;
        }
        assert_eq!(response.status(), StatusCode::OK, "the provider's form");
        let page = Page::parse(&response.text().await.expect("body"));
        let action = absolute(&url, &page.attr("form", "action").expect("a form"));
        let response = app
            .client
            .post(&action)
            .form(&[("login", login)])
            .send()
            .await
            .expect("provider login");
        url = absolute(&action, &location(&response));
    }
    url
}

/// Signs in at the provider as `login` and returns Veertig's answer to the callback.
pub(crate) async fn sign_in(app: &TestApp, login: &str) -> reqwest::Response {
    let url = callback_url(app, login).await;
    app.client.get(&url).send().await.expect("callback")
}

async fn refusal(response: reqwest::Response, status: StatusCode) -> Page {
    assert_eq!(response.status(), status);
    Page::parse(&response.text().await.expect("body"))
}

async fn logged_in(app: &TestApp) -> bool {
    app.get("/mijn-account/wachtwoord").await.status() == StatusCode::OK
}

async fn linked_subject(app: &TestApp, email: &str) -> Option<String> {
    sqlx::query_scalar("SELECT oidc_subject FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .expect("user")
}

#[tokio::test]
async fn a_coordinator_is_linked_by_verified_email_then_known_by_subject_and_logged_out_at_the_provider()
 {
    let app = spawn_with_provider(Config::for_tests()).await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let sub =
        person(json!({ "email": coordinator.email.to_uppercase(), "email_verified": true })).await;
    let (status, page) = app.get_page("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.text("a[href='/login/oidc']"),
        "Aanmelden met Testaanbieder"
    );
    let before = app.session_cookie();

    let response = sign_in(&app, &sub).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/coordinatie");
    assert_ne!(app.session_cookie(), before, "a fresh session id at login");
    let (status, _) = app.get_page("/coordinatie").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        linked_subject(&app, &coordinator.email).await,
        Some(sub.clone())
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'oidc_linked' AND entity_id = $1",
    )
    .bind(coordinator.id.0)
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 1);

    // Logging out continues at the provider, which sends the browser back to the login page.
    let response = app.post_form("/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let end = reqwest::Url::parse(&location(&response)).expect("URL");
    assert!(
        end.as_str()
            .starts_with(&format!("{}/session/end", provider().issuer))
    );
    let query: std::collections::HashMap<_, _> = end.query_pairs().into_owned().collect();
    assert!(query.contains_key("id_token_hint"));
    assert_eq!(query["post_logout_redirect_uri"], app.url("/login"));
    assert!(!logged_in(&app).await);

    // The address at the provider changes: the subject still decides.
    person(json!({ "sub": sub, "email": "ander@elders.example", "email_verified": true })).await;
    let response = sign_in(&app, &sub).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        response.text().await
    );
    assert_eq!(location(&response), "/coordinatie");
    assert!(logged_in(&app).await);
}

#[tokio::test]
async fn nobody_unknown_gets_in_and_a_linked_account_is_not_taken_over() {
    let app = spawn_with_provider(Config::for_tests()).await;
    let users_before: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    let stranger =
        person(json!({ "email": "onbekend@elders.example", "email_verified": true })).await;
    let page = refusal(sign_in(&app, &stranger).await, StatusCode::FORBIDDEN).await;
    assert_eq!(page.text("h1"), "Geen account in Veertig");
    assert!(page.text("main").contains("beheerder of de coördinator"));
    assert!(!logged_in(&app).await);

    // A coach linked to one subject; another subject with the coach's address stays out. (A
    // browser each: the provider remembers who signed in.)
    let coach = app.create_user(Role::Coach).await;
    let owner = person(json!({ "email": coach.email, "email_verified": true })).await;
    let owners_browser = TestApp::spawn_on(&app).await;
    assert_eq!(
        location(&sign_in(&owners_browser, &owner).await),
        "/caseload"
    );
    let impostor = person(json!({ "email": coach.email, "email_verified": true })).await;
    let impostors_browser = TestApp::spawn_on(&app).await;
    let page = refusal(
        sign_in(&impostors_browser, &impostor).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(page.text("h1"), "Geen account in Veertig");
    assert_eq!(
        linked_subject(&app, &coach.email).await,
        Some(owner.clone())
    );
    assert!(!logged_in(&impostors_browser).await);

    // A deactivated user's subject stays out.
    sqlx::query("UPDATE users SET active = false WHERE id = $1")
        .bind(coach.id.0)
        .execute(&app.pool)
        .await
        .expect("deactivate");
    let owners_browser = TestApp::spawn_on(&app).await;
    refusal(
        sign_in(&owners_browser, &owner).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(!logged_in(&owners_browser).await);

    let users_after: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(users_after, users_before + 1, "only the coach made here");
}

#[tokio::test]
async fn a_missing_or_unverified_email_links_nobody() {
    let app = spawn_with_provider(Config::for_tests()).await;
    let coach = app.create_user(Role::Coach).await;
    for claims in [
        json!({ "email": coach.email, "email_verified": false }),
        json!({ "email": coach.email }),
        json!({ "name": "Zonder Adres" }),
    ] {
        let sub = person(claims.clone()).await;
        let browser = TestApp::spawn_on(&app).await;
        let page = refusal(sign_in(&browser, &sub).await, StatusCode::FORBIDDEN).await;
        assert_eq!(page.text("h1"), "Geen bevestigd e-mailadres", "{claims}");
        assert!(!logged_in(&browser).await, "{claims}");
    }
    assert_eq!(linked_subject(&app, &coach.email).await, None);
}

#[tokio::test]
async fn a_wrong_state_a_replayed_callback_and_a_replayed_code_are_refused() {
    let app = spawn_with_provider(Config::for_tests()).await;
    let coach = app.create_user(Role::Coach).await;
    let sub = person(json!({ "email": coach.email, "email_verified": true })).await;

    let url = callback_url(&app, &sub).await;
    let forged = reqwest::Url::parse(&url).expect("URL");
    let pairs: Vec<(String, String)> = forged
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                format!("{v}x")
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    let mut forged = forged.clone();
    forged.query_pairs_mut().clear().extend_pairs(&pairs);
    let response = app
        .client
        .get(forged.as_str())
        .send()
        .await
        .expect("callback");
    let page = refusal(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(page.text("h1"), "Aanmelden lukte niet");
    assert!(!logged_in(&app).await);
    // The login begun is used up by the forged answer: the real one is refused too.
    let response = app.client.get(&url).send().await.expect("callback");
    refusal(response, StatusCode::BAD_REQUEST).await;
    assert!(!logged_in(&app).await);

    // A good callback works once.
    let url = callback_url(&app, &sub).await;
    let response = app.client.get(&url).send().await.expect("callback");
    assert_eq!(location(&response), "/caseload");
    app.get_page("/caseload").await;
    app.post_form("/logout", &[]).await;
    let response = app.client.get(&url).send().await.expect("replay");
    let page = refusal(response, StatusCode::BAD_REQUEST).await;
    assert!(page.text("main").contains("verlopen of werd al gebruikt"));
    assert!(!logged_in(&app).await);

    // The used code with the state of a new login: the provider refuses the code.
    let response = app.get("/login/oidc").await;
    let start = reqwest::Url::parse(&location(&response)).expect("URL");
    let state = start
        .query_pairs()
        .find(|(k, _)| k == "state")
        .expect("state")
        .1
        .into_owned();
    let mut replay = reqwest::Url::parse(&url).expect("URL");
    let code = replay
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("code")
        .1
        .into_owned();
    replay
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", &state);
    let response = app
        .client
        .get(replay.as_str())
        .send()
        .await
        .expect("replay");
    let page = refusal(response, StatusCode::BAD_REQUEST).await;
    assert!(page.text("main").contains("klopte niet"));
    assert!(!logged_in(&app).await);
}

#[tokio::test]
async fn an_error_from_the_provider_is_refused() {
    let app = spawn_with_provider(Config::for_tests()).await;
    let coach = app.create_user(Role::Coach).await;
    let sub = person(json!({ "email": coach.email, "email_verified": true, "refuse": true })).await;
    let url = callback_url(&app, &sub).await;
    assert!(url.contains("error=access_denied"), "{url}");
    let response = app.client.get(&url).send().await.expect("callback");
    let page = refusal(response, StatusCode::BAD_REQUEST).await;
    assert!(page.text("main").contains("geannuleerd of geweigerd"));
    assert!(!logged_in(&app).await);
}

/// The liar's flow: start, its authorize endpoint answers at once, then Veertig's callback.
async fn sign_in_at_liar(app: &TestApp) -> reqwest::Response {
    let response = app.get("/login/oidc").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = app
        .client
        .get(location(&response))
        .send()
        .await
        .expect("authorize");
    let callback = location(&response);
    assert!(callback.starts_with(&app.url("/login/oidc/callback")));
    app.client.get(&callback).send().await.expect("callback")
}

#[tokio::test]
async fn unsigned_expired_foreign_and_misissued_id_tokens_are_refused() {
    let liar = &provider().liar;
    for lie in ["unsigned", "wrong-audience", "wrong-issuer", "expired"] {
        let app = TestApp::spawn_with(config_for(Config::for_tests(), liar, lie)).await;
        sqlx::query("UPDATE users SET email = 'liar@test.example' WHERE id = $1")
            .bind(app.create_user(Role::Coach).await.id.0)
            .execute(&app.pool)
            .await
            .expect("the user the tokens name");
        let page = refusal(sign_in_at_liar(&app).await, StatusCode::BAD_REQUEST).await;
        assert!(page.text("main").contains("klopte niet"), "{lie}");
        assert!(!logged_in(&app).await, "{lie}");
    }
    // The same flow with an honest token logs in: the refusals above are the token's checks.
    let app = TestApp::spawn_with(config_for(Config::for_tests(), liar, "honest")).await;
    sqlx::query("UPDATE users SET email = 'liar@test.example' WHERE id = $1")
        .bind(app.create_user(Role::Coach).await.id.0)
        .execute(&app.pool)
        .await
        .expect("the user the token names");
    let response = sign_in_at_liar(&app).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(logged_in(&app).await);
}

#[tokio::test]
async fn the_second_factor_is_asked_unless_the_provider_says_it_asked_one() {
    let config = Config {
        oidc_mfa_acr: "urn:test:loa:high".into(),
        ..crate::second_factor::required_for_staff()
    };
    let app = spawn_with_provider(config).await;
    let cases = [
        (json!(["pwd"]), None, "/login/tweede-factor"),
        (
            json!(null),
            Some("urn:test:loa:low"),
            "/login/tweede-factor",
        ),
        (json!(["pwd", "mfa"]), None, "/coordinatie"),
        (json!(["hwk"]), None, "/coordinatie"),
        (json!(["pwd"]), Some("urn:test:loa:high"), "/coordinatie"),
    ];
    for (amr, acr, expected) in cases {
        let browser = TestApp::spawn_on(&app).await;
        let coordinator = app.create_user(Role::Coordinator).await;
        let sub = person(json!({
            "email": coordinator.email, "email_verified": true, "amr": amr, "acr": acr,
        }))
        .await;
        let response = sign_in(&browser, &sub).await;
        assert_eq!(location(&response), expected, "amr {amr}, acr {acr:?}");
        assert_eq!(logged_in(&browser).await, expected == "/coordinatie");
    }
}

#[tokio::test]
async fn listed_roles_cannot_use_a_password_while_others_can() {
    let config = Config {
        oidc_only_roles: RoleList(vec![Role::Coordinator, Role::Admin]),
        ..Config::for_tests()
    };
    let app = spawn_with_provider(config).await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let response = app.login(&coordinator.email, PASSWORD).await;
    let page = refusal(response, StatusCode::FORBIDDEN).await;
    assert!(
        page.text(".error-summary")
            .contains("met de knop \"Aanmelden met Testaanbieder\"")
    );
    assert!(!logged_in(&app).await);
    let sub = person(json!({ "email": coordinator.email, "email_verified": true })).await;
    assert_eq!(location(&sign_in(&app, &sub).await), "/coordinatie");

    let coach = TestApp::spawn_on(&app).await;
    coach.login_as(Role::Coach).await;
}

#[tokio::test]
async fn with_the_provider_down_its_button_explains_and_passwords_still_work() {
    // A port nothing listens on: bound, then released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port");
    let config = config_for(
        Config::for_tests(),
        &format!("http://{closed}"),
        "veertig-onbereikbaar",
    );
    let app = TestApp::spawn_with(config).await;
    let response = app.get("/login/oidc").await;
    let page = refusal(response, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(page.text("h1"), "Aanmelden lukt nu niet");
    app.login_as(Role::Coordinator).await;
    // Forms may continue at the provider (logging out there), nowhere else.
    let response = app.get("/login").await;
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .expect("ASCII")
        .to_string();
    assert!(
        policy.contains(&format!("form-action 'self' http://{closed};")),
        "{policy}"
    );
}

#[tokio::test]
async fn without_a_provider_its_routes_do_not_exist_and_logout_stays_here() {
    let app = TestApp::spawn().await;
    let (_, page) = app.get_page("/login").await;
    assert!(page.select_all("a[href^='/login/oidc']").is_empty());
    assert_eq!(app.get("/login/oidc").await.status(), StatusCode::NOT_FOUND);
    app.login_as(Role::Coach).await;
    let response = app.post_form("/logout", &[]).await;
    assert_eq!(location(&response), "/login");
}

#[tokio::test]
async fn hostile_answers_and_return_addresses_get_a_dutch_4xx_or_stay_on_this_site() {
    let app = spawn_with_provider(Config::for_tests()).await;
    for value in crate::hostile_input::hostile_values() {
        for field in ["code", "state", "error"] {
            // A login begun, with its state unless the state is the hostile value, so the
            // callback's checks past the state run too.
            let response = app.get("/login/oidc").await;
            let start = reqwest::Url::parse(&location(&response)).expect("URL");
            let (_, state) = start
                .query_pairs()
                .find(|(k, _)| k == "state")
                .expect("state");
            let mut query = vec![(field, value.as_str())];
            if field != "state" {
                query.push(("state", &state));
            }
            let query = serde_urlencoded::to_string(&query).expect("query");
            let response = app.get(&format!("/login/oidc/callback?{query}")).await;
            let status = response.status();
            assert!(status.is_client_error(), "{field} = {value:.40?}: {status}");
            let body = response.text().await.expect("body");
            assert!(!body.contains("<script>alert"), "{field} = {value:.40?}");
            assert!(!logged_in(&app).await, "{field} = {value:.40?}");
        }
    }
    let coach = app.create_user(Role::Coach).await;
    let sub = person(json!({ "email": coach.email, "email_verified": true })).await;
    for next in crate::hostile_input::redirect_values() {
        let query = serde_urlencoded::to_string([("next", next)]).expect("query");
        let response = app.get(&format!("/login/oidc?{query}")).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let url = callback_url_from(&app, &location(&response), &sub).await;
        let response = app.client.get(&url).send().await.expect("callback");
        assert_eq!(location(&response), "/caseload", "next = {next:?}");
        app.get_page("/caseload").await;
        app.post_form("/logout", &[]).await;
    }
}

fn query_value(url: &str, name: &str) -> String {
    reqwest::Url::parse(url)
        .expect("URL")
        .query_pairs()
        .find(|(key, _)| key == name)
        .unwrap_or_else(|| panic!("no {name} in {url}"))
        .1
        .into_owned()
}

/// The real binary's whole output through an OpenID login, its logout and refused answers holds
/// the decisions, and no code, state, nonce, token or client secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_code_state_or_token_of_an_openid_login_reaches_the_log() {
    let app = TestApp::spawn().await;
    let provider = provider();
    // The binary's address must be known before it starts (it is the redirect URI): a free
    // port, bound and released.
    let bind = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .to_string();
    let client_id = format!("veertig-{}", Uuid::new_v4().simple());
    let secret = format!("geheim-{}", Uuid::new_v4().simple());
    register_client(
        &provider.issuer,
        &client_id,
        &secret,
        &format!("http://{bind}"),
    )
    .await;
    let database = app.database.clone();
    let env = [
        ("BIND", bind.clone()),
        ("OIDC_ISSUER_URL", provider.issuer.clone()),
        ("OIDC_CLIENT_ID", client_id),
        ("OIDC_CLIENT_SECRET", secret.clone()),
    ];
    let binary = tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        crate::secrets::RunningBinary::start_with(&database, &env)
    })
    .await
    .expect("start");

    let browser = TestApp::browser_at(&app, binary.address);
    let coach = app.create_user(Role::Coach).await;
    let sub = person(json!({ "email": coach.email, "email_verified": true })).await;
    let start = location(&browser.get("/login/oidc").await);
    let mut secrets = vec![secret, query_value(&start, "nonce")];
    let url = callback_url_from(&browser, &start, &sub).await;
    secrets.extend([query_value(&url, "code"), query_value(&url, "state")]);
    let response = browser.client.get(&url).send().await.expect("callback");
    assert_eq!(location(&response), "/caseload");
    browser.get_page("/caseload").await;
    let response = browser.post_form("/logout", &[]).await;
    secrets.push(query_value(&location(&response), "id_token_hint"));
    // Refused: the same answer again.
    let response = browser.client.get(&url).send().await.expect("replay");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let log = tokio::task::spawn_blocking(move || binary.stop())
        .await
        .expect("stop");

    let lower = crate::secrets::without_colours(&log).to_lowercase();
    for secret in &secrets {
        let line = lower
            .lines()
            .find(|line| line.contains(&secret.to_lowercase()));
        assert!(line.is_none(), "a secret in the log: {line:?}");
    }
    for decision in ["logged in", "openid login refused"] {
        assert!(
            lower.contains(decision),
            "no \"{decision}\" in the log:\n{log}"
        );
    }
}
