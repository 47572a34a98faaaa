//! The journeys of the issue, each at desktop and phone width.

use axum::http::Method;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::json;
use url::{ParseError, Url};
use veertig::config::Config;
use veertig::domain::user::Role;

use super::{Browser, DESKTOP, PHONE};
use crate::helpers::{LOCALHOST, PASSWORD, TestApp};
use crate::second_factor::{code_at, now, required_for_staff};

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
        browser
            .client
            .wait()
            .for_url(&format!("{}/caseload", browser.base).parse().expect("url"))
            .await
            .expect("home");
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
        browser
            .log_in("niemand@test.example", "fout-wachtwoord")
            .await;
        assert!(
            browser
                .text(".error-summary")
                .await
                .contains("horen niet bij elkaar")
        );
        assert_eq!(browser.value("#email").await, "niemand@test.example");
        browser.assert_accessible().await;
        browser.close().await;
    }
}

/// A coach registers an inburgeraar (first with a mistake), creates a placement and logs hours.
#[tokio::test]
async fn a_coach_registers_an_inburgeraar_places_them_and_logs_hours() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let coach = app.create_user(Role::Coach).await;
        let browser = Browser::open(&app, size).await;
        browser.log_in(&coach.email, PASSWORD).await;
        browser.click("a[href='/inburgeraars/nieuw']").await;
        browser.assert_accessible().await;

        // A mistake: the name is typed, the birth date is impossible.
        browser.fill("#full_name", "Ayşe Öztürk").await;
        browser.fill("#birth_date", "").await;
        browser.set_value("#birth_date", "").await;
        browser.click("main form button[type=submit]").await;
        assert!(
            browser
                .text(".error-summary")
                .await
                .contains("Vul een datum in")
        );
        assert_eq!(browser.value("#full_name").await, "Ayşe Öztürk");
        browser.assert_accessible().await;
        browser.screenshot("register-errors").await;

        browser.set_value("#birth_date", "1990-05-17").await;
        browser.select("#municipality_id", "Testgemeente").await;
        browser.select("#dutch_level", "A2").await;
        browser.fill("#languages", "Turks").await;
        browser.click("main form button[type=submit]").await;
        assert_eq!(browser.text("h1").await, "Ayşe Öztürk");
        browser.assert_accessible().await;

        browser.click("a[href$='/plaatsingen/nieuw']").await;
        browser.assert_accessible().await;
        browser.select("#organisation_id", "Testvereniging").await;
        browser.select("#kind", "Buddy").await;
        let today = veertig::values::dates::today();
        let start = veertig::values::dates::iso_date(today - time::Duration::days(30));
        let end = veertig::values::dates::iso_date(today + time::Duration::days(60));
        browser.set_value("#starts_on", &start).await;
        browser.set_value("#ends_on", &end).await;
        browser.fill("#planned", "40").await;
        browser.fill("#contact_name", "Karel Contact").await;
        browser.tick("#meets_contact").await;
        browser.tick("#meets_dutch_setting").await;
        browser.tick("#meets_new_contacts").await;
        browser.tick("#meets_unpaid").await;
        browser.click("main form button[type=submit]").await;
        assert!(browser.text("h1").await.contains("Testvereniging"));
        browser.assert_accessible().await;

        let yesterday = veertig::values::dates::format_date(today - time::Duration::days(1));
        browser.fill("#dates", &yesterday).await;
        browser.fill("#minutes", "1u30").await;
        browser.click("#uren form button[type=submit]").await;
        assert!(
            browser
                .text(".flash")
                .await
                .contains("1 u 30 geregistreerd")
        );
        assert!(browser.text("main").await.contains("1 u 30"));
        browser.assert_accessible().await;
        browser.screenshot("placement").await;

        browser.goto("/caseload").await;
        assert!(browser.text("tbody").await.contains("Ayşe Öztürk"));
        assert!(
            browser
                .text("tbody")
                .await
                .contains("1 u 30 wacht op bevestiging")
        );
        browser.assert_accessible().await;
        browser.screenshot("caseload").await;
        browser.close().await;
    }
}

/// A partner confirms with an account; another contact confirms through a personal link.
#[tokio::test]
async fn partners_confirm_with_an_account_and_by_link() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let participant = app.create_participant("Олена Шевченко", None, None).await;
        let placement = app.create_placement(participant, app.organisation).await;
        app.create_entry(placement, 90, 3).await;
        app.create_entry(placement, 60, 2).await;
        let partner = app.create_user(Role::Partner).await;

        let browser = Browser::open(&app, size).await;
        browser.log_in(&partner.email, PASSWORD).await;
        assert_eq!(browser.text("h1").await, "Te bevestigen");
        browser.assert_accessible().await;
        browser.screenshot("partner-home").await;
        browser
            .click(".pending-group form[action$='alles-bevestigen'] button")
            .await;
        assert_eq!(browser.text(".flash").await, "2 prestaties bevestigd.");
        browser.assert_accessible().await;
        browser.close().await;

        // A second placement whose contact has no account gets a personal link.
        let other = app.create_participant("محمد الحداد", None, None).await;
        let linked = app.create_placement(other, app.organisation).await;
        app.create_entry(linked, 120, 1).await;
        sqlx::query(
            "UPDATE placements SET contact_email = 'karel@vereniging.example' WHERE id = $1",
        )
        .bind(linked.0)
        .execute(&app.pool)
        .await
        .expect("contact");
        let coach = app.create_user(Role::Coach).await;
        let staff = Browser::open(&app, size).await;
        staff.log_in(&coach.email, PASSWORD).await;
        staff.goto(&format!("/plaatsingen/{linked}")).await;
        staff.click("form[action$='/herinnering'] button").await;
        assert!(
            staff
                .text(".flash")
                .await
                .contains("karel@vereniging.example")
        );
        staff.assert_accessible().await;
        staff.close().await;
        // The link's secret waits beside the mail's body until the mail is sent.
        let token: String =
            sqlx::query_scalar("SELECT secret FROM outbox ORDER BY created_at DESC LIMIT 1")
                .fetch_one(&app.pool)
                .await
                .expect("mail");
        let path = format!("/bevestigen/{token}");

        let contact = Browser::open(&app, size).await;
        contact.goto(&path).await;
        contact.assert_accessible().await;
        contact.fill("#name", "Karel Contact").await;
        contact.click("form[action$='/naam'] button").await;
        assert!(
            contact
                .text("main")
                .await
                .contains("U bevestigt als Karel Contact")
        );
        contact.assert_accessible().await;
        contact.screenshot("link-confirm").await;
        contact
            .click(".entry form[action$='/bevestigen'] button")
            .await;
        assert_eq!(contact.text(".flash").await, "Bevestigd. Bedankt!");
        contact.close().await;
    }
}

/// A coordinator issues a certificate, downloads the PDF and opens the verification page.
#[tokio::test]
async fn a_coordinator_issues_a_certificate_and_it_can_be_verified() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let participant = app.create_participant("Ayşe Öztürk", None, None).await;
        let placement = app.create_placement(participant, app.organisation).await;
        for days_ago in 1..=16 {
            app.create_entry(placement, 150, days_ago).await;
        }
        sqlx::query("UPDATE hour_entries SET status = 'bevestigd', decided_at = now() WHERE placement_id = $1")
            .bind(placement.0)
            .execute(&app.pool)
            .await
            .expect("confirm");
        let coordinator = app.create_user(Role::Coordinator).await;
        let browser = Browser::open(&app, size).await;
        browser.log_in(&coordinator.email, PASSWORD).await;
        assert_eq!(browser.text("h1").await, "Coördinatie");
        browser.assert_accessible().await;
        browser.screenshot("dashboard").await;
        browser.goto("/rapporten").await;
        browser.assert_accessible().await;
        browser.goto("/certificaten").await;
        browser.assert_accessible().await;
        assert!(
            browser
                .text("#klaar ~ form tbody, section[aria-labelledby=klaar] tbody")
                .await
                .contains("Ayşe Öztürk")
        );
        browser
            .client
            .find(fantoccini::Locator::Css("input[name=kies]"))
            .await
            .expect("checkbox")
            .click()
            .await
            .expect("tick");
        browser
            .click("form[action='/certificaten/uitreiken'] button[type=submit]")
            .await;
        assert!(browser.text("#reeks").await.contains("Zojuist uitgereikt"));
        browser.assert_accessible().await;
        browser.screenshot("certificates").await;

        // The PDF, fetched with the coordinator's session as a download would be.
        let href = browser
            .client
            .find(fantoccini::Locator::Css(
                "#reeks a[href^='/certificaten/pdf']",
            ))
            .await
            .expect("PDF link")
            .attr("href")
            .await
            .expect("href")
            .expect("an href");
        let pdf = browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 fetch(arguments[0]).then(async r => {
                     const bytes = new Uint8Array(await r.arrayBuffer());
                     done([r.headers.get('content-type'), String.fromCharCode(...bytes.slice(0, 5)), bytes.length]);
                 }).catch(e => done(['error', String(e), 0]));",
                vec![serde_json::json!(href)],
            )
            .await
            .expect("fetch the PDF");
        assert_eq!(pdf[0], "application/pdf");
        assert_eq!(pdf[1], "%PDF-");
        assert!(pdf[2].as_u64().unwrap_or(0) > 10_000);

        let certificate: uuid::Uuid = sqlx::query_scalar("SELECT id FROM certificates")
            .fetch_one(&app.pool)
            .await
            .expect("certificate");
        browser.goto(&format!("/certificaten/{certificate}")).await;
        browser.assert_accessible().await;
        browser
            .goto(&format!("/certificaten/{certificate}/afdruk"))
            .await;
        browser.assert_accessible().await;
        browser.screenshot("certificate-print").await;
        browser.goto(&format!("/certificaten/{certificate}")).await;
        browser.click("a[href*='/controle/']").await;
        assert!(browser.text("main").await.contains("Ayşe Öztürk"));
        browser.assert_accessible().await;
        browser.screenshot("verify").await;
        browser.close().await;
    }
}

/// The log-hours form, filled in and sent with the keyboard alone.
#[tokio::test]
async fn hours_are_logged_with_the_keyboard_alone() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let coach = app.create_user(Role::Coach).await;
        let participant = app
            .create_participant("Ahmad Rahimi", Some(coach.id), None)
            .await;
        let placement = app.create_placement(participant, app.organisation).await;
        let browser = Browser::open(&app, size).await;
        browser.log_in(&coach.email, PASSWORD).await;
        browser.goto(&format!("/plaatsingen/{placement}")).await;
        browser.tab_to("#dates", 80).await;
        browser.assert_focus_visible().await;
        let yesterday = veertig::values::dates::format_date(
            veertig::values::dates::today() - time::Duration::days(1),
        );
        // The field starts with today's date: select it and type over it.
        browser
            .type_keys(&format!(
                "{}a{}",
                &*fantoccini::key::Key::Control,
                &*fantoccini::key::Key::Null
            ))
            .await;
        browser.type_keys(&yesterday).await;
        browser.tab_to("#minutes", 2).await;
        browser.assert_focus_visible().await;
        browser.type_keys("1,5").await;
        // Enter in a text field submits the form.
        browser.type_keys(&fantoccini::key::Key::Enter).await;
        browser
            .client
            .wait()
            .for_element(fantoccini::Locator::Css(".flash"))
            .await
            .expect("the page after logging");
        assert!(
            browser
                .text(".flash")
                .await
                .contains("1 u 30 geregistreerd")
        );
        browser.close().await;
    }
}

/// A coach makes an inburgeraar's link and prints the card; the inburgeraar opens it on their
/// phone and switches to Arabic: right to left, with their hours.
#[tokio::test]
async fn a_coach_gives_the_link_and_the_page_opens_in_arabic_right_to_left() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let coach = app.create_user(Role::Coach).await;
        let participant = app
            .create_participant("محمد الحداد", Some(coach.id), None)
            .await;
        let placement = app.create_placement(participant, app.organisation).await;
        for days_ago in 1..=3 {
            app.create_entry(placement, 150, days_ago).await;
        }
        sqlx::query("UPDATE hour_entries SET status = 'bevestigd', decided_at = now() WHERE placement_id = $1")
            .bind(placement.0)
            .execute(&app.pool)
            .await
            .expect("confirm");
        let browser = Browser::open(&app, size).await;
        browser.log_in(&coach.email, PASSWORD).await;
        browser.goto(&format!("/inburgeraars/{participant}")).await;
        browser.assert_accessible().await;
        browser
            .click("form[action$='/mijn-traject'] button[type=submit]")
            .await;
        assert_eq!(browser.text(".own-card-title").await, "Mijn traject");
        browser.assert_accessible().await;
        browser.screenshot("mijn-traject-card").await;
        let url = browser.text(".own-card-url").await;
        browser.close().await;

        let phone = Browser::open(&app, size).await;
        let path = url
            .strip_prefix(&phone.base)
            .expect("a link to this server");
        phone.goto(path).await;
        phone.assert_accessible().await;
        phone.click(".own-languages a[hreflang=ar]").await;
        let dir = phone
            .client
            .execute("return document.documentElement.dir;", vec![])
            .await
            .expect("dir");
        assert_eq!(dir, "rtl");
        assert_eq!(phone.text("h1").await, "محمد الحداد");
        assert!(phone.text("main").await.contains("7 ساعات و30 دقيقة"));
        phone.assert_accessible().await;
        phone.screenshot("mijn-traject-ar").await;
        phone.close().await;
    }
}

/// A partner opens the offer form; a coach browses the aanbod, finds a place for an A1
/// inburgeraar and takes it.
#[tokio::test]
async fn a_coach_finds_a_place_in_the_aanbod() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        for (title, icon) in [("Taalcafé", 1_i16), ("Onthaal", 4)] {
            sqlx::query!(
                "INSERT INTO offers (organisation_id, region_id, title, search_title, kind,
                     municipality_id, by_arrangement, places, starts_on, ends_on, contact_name,
                     taalicoon, meets_contact, meets_dutch_setting, meets_new_contacts,
                     meets_unpaid, approval)
                 VALUES ($1, $2, $3, lower($3), 'buddy', $4, true, 2, current_date,
                         current_date + 90, 'Contact', $5, true, true, true, true, 'goedgekeurd')",
                app.organisation.0,
                app.region.0,
                title,
                app.municipality.0,
                icon,
            )
            .execute(&app.pool)
            .await
            .expect("offer");
        }
        let participant = app.create_participant("Li Ming", None, None).await;
        sqlx::query!(
            "UPDATE participants SET dutch_level = 'A1' WHERE id = $1",
            participant.0
        )
        .execute(&app.pool)
        .await
        .expect("A1");

        let partner = app.create_user(Role::Partner).await;
        let browser = Browser::open(&app, size).await;
        browser.log_in(&partner.email, PASSWORD).await;
        browser.goto("/partner/aanbod").await;
        browser.assert_accessible().await;
        browser.goto("/partner/aanbod/nieuw").await;
        browser.assert_accessible().await;
        browser.close().await;

        let coach = app.create_user(Role::Coach).await;
        let browser = Browser::open(&app, size).await;
        browser.log_in(&coach.email, PASSWORD).await;
        browser.goto("/aanbod").await;
        assert!(browser.text("tbody").await.contains("Taalicoon 4"));
        browser.assert_accessible().await;
        browser.goto(&format!("/inburgeraars/{participant}")).await;
        browser
            .click(&format!(
                "a[href='/inburgeraars/{participant}/zoek-een-plaats']"
            ))
            .await;
        assert!(
            browser
                .text(".too-demanding")
                .await
                .contains("Te veeleisend voor A1")
        );
        browser.assert_accessible().await;
        browser.screenshot("matching").await;
        browser.click(".suggestion button[type=submit]").await;
        assert!(
            browser
                .text(".flash")
                .await
                .contains("de plaatsing is gepland")
        );
        assert!(browser.text("main").await.contains("Taalcafé"));
        browser.assert_accessible().await;
        browser.close().await;
    }
}

/// A coördinator must set up a second factor right after the password: scans (here: reads) the
/// secret, types the code, sees the recovery codes, and next time logs in with a code.
#[tokio::test]
async fn a_coordinator_sets_up_a_second_factor_and_logs_in_with_a_code() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn_with(required_for_staff()).await;
        let coordinator = app.create_user(Role::Coordinator).await;
        let browser = Browser::open(&app, size).await;
        browser.log_in(&coordinator.email, PASSWORD).await;
        assert_eq!(browser.path().await, "/login/tweede-factor");
        browser.assert_accessible().await;
        browser.screenshot("tweede-factor").await;
        let secret = browser.text("#secret").await;
        let at = now();
        browser.fill("#code", &code_at(&secret, at)).await;
        browser.click("form button[type=submit]").await;
        assert_eq!(browser.text("h1").await, "Uw herstelcodes");
        assert!(browser.text(".recovery-codes").await.contains('-'));
        browser.assert_accessible().await;
        browser.click("main a.button").await;
        assert_eq!(browser.path().await, "/coordinatie");

        browser
            .click("form[action='/logout'] button[type=submit]")
            .await;
        browser.log_in(&coordinator.email, PASSWORD).await;
        assert_eq!(browser.path().await, "/login/code");
        browser.assert_accessible().await;
        // The next time step's code: the enrolment used up the current one.
        browser.fill("#code", &code_at(&secret, at + 30)).await;
        browser.click("form[action='/login/code'] button").await;
        assert_eq!(browser.path().await, "/coordinatie");
        browser.close().await;
    }
}

/// Chromium's virtual authenticator (WebDriver's WebAuthn extension): a platform authenticator
/// that keeps discoverable credentials and verifies its user without asking.
#[derive(Debug)]
struct AddVirtualAuthenticator;

impl WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, ParseError> {
        let session = session.unwrap_or_default();
        base.join(&format!("session/{session}/webauthn/authenticator"))
    }

    fn method_and_body(&self, _: &Url) -> (Method, Option<String>) {
        let options = json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserVerified": true,
        });
        (Method::POST, Some(options.to_string()))
    }
}

/// A trajectbegeleider adds a passkey, then logs in with password and passkey, and then with
/// the passkey alone. On `localhost`: browsers take no IP address as a relying party.
#[tokio::test]
async fn a_coach_adds_a_passkey_and_logs_in_with_it_with_and_without_password() {
    for size in [DESKTOP, PHONE] {
        let mut config = Config::for_tests();
        config.base_url = Some(LOCALHOST.to_string());
        let app = TestApp::spawn_with(config).await;
        let coach = app.create_user(Role::Coach).await;
        let mut browser = Browser::open(&app, size).await;
        browser.base = format!("{LOCALHOST}:{}", app.address.port());
        browser
            .client
            .issue_cmd(AddVirtualAuthenticator)
            .await
            .expect("a virtual authenticator");
        browser.log_in(&coach.email, PASSWORD).await;
        assert_eq!(browser.path().await, "/caseload");

        browser.goto("/mijn-account/passkeys").await;
        browser.assert_accessible().await;
        browser.fill("#name", "Laptop").await;
        browser
            .click("form[data-passkey] button[type=submit]")
            .await;
        assert_eq!(browser.text("h1").await, "Uw herstelcodes");
        browser.click("main a.button").await;
        assert_eq!(browser.path().await, "/mijn-account/passkeys");
        assert_eq!(browser.text("table.passkeys tbody td").await, "Laptop");
        browser.assert_accessible().await;

        browser
            .click("form[action='/logout'] button[type=submit]")
            .await;
        browser.log_in(&coach.email, PASSWORD).await;
        assert_eq!(browser.path().await, "/login/code");
        browser.assert_accessible().await;
        browser
            .click("form[action='/login/passkey'] button[type=submit]")
            .await;
        assert_eq!(browser.path().await, "/caseload");

        browser
            .click("form[action='/logout'] button[type=submit]")
            .await;
        assert_eq!(browser.path().await, "/login");
        browser.assert_accessible().await;
        browser
            .click("form[action='/login/zonder-wachtwoord'] button[type=submit]")
            .await;
        assert_eq!(browser.path().await, "/caseload");
        browser.close().await;
    }
}

/// A coördinator signs in through the organisation's OpenID provider (its own login form),
/// lands on their dashboard and logs out there too; someone the provider knows but Veertig does
/// not stays out.
#[tokio::test]
async fn a_coordinator_signs_in_through_the_provider_and_a_stranger_does_not() {
    let app = crate::oidc::spawn_with_provider(veertig::config::Config::for_tests()).await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let sub = crate::oidc::person(serde_json::json!({
        "email": coordinator.email, "email_verified": true,
    }))
    .await;
    let stranger = crate::oidc::person(serde_json::json!({
        "email": "vreemde@elders.example", "email_verified": true,
    }))
    .await;
    let browser = Browser::open(&app, DESKTOP).await;
    browser.goto("/login").await;
    browser.assert_accessible().await;
    browser.click("a[href='/login/oidc']").await;
    browser.fill("#login", &sub).await;
    browser.click("button[type=submit]").await;
    assert_eq!(browser.path().await, "/coordinatie");
    assert_eq!(browser.text("h1").await, "Coördinatie");
    // Logging out goes on at the provider, which asks, then sends the browser back.
    browser.click("form[action='/logout'] button").await;
    browser.click("button[name=logout]").await;
    assert_eq!(browser.path().await, "/login");
    assert!(browser.text("main").await.contains("U bent afgemeld."));

    browser.click("a[href='/login/oidc']").await;
    browser.fill("#login", &stranger).await;
    browser.click("button[type=submit]").await;
    assert_eq!(browser.text("h1").await, "Geen account in Veertig");
    browser.assert_accessible().await;
    browser.goto("/coordinatie").await;
    assert!(browser.path().await.starts_with("/login"));
    browser.close().await;
}
