//! Mijn traject: the inburgeraar's own page behind a personal link — making, printing and
//! revoking the link, what the page shows (and never shows), its languages, and who may do what.

use reqwest::StatusCode;
use veertig::domain::user::Role;
use veertig::values::ids::{ParticipantId, PlacementId};

use crate::helpers::{Page, TestApp, location};

/// Makes a link as the logged-in staff member and returns the URL printed on the card.
async fn make_link(app: &TestApp, participant: ParticipantId) -> String {
    app.get_page(&format!("/inburgeraars/{participant}")).await;
    let response = app
        .post_form(&format!("/inburgeraars/{participant}/mijn-traject"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let card = location(&response);
    assert_eq!(
        card,
        format!("/inburgeraars/{participant}/mijn-traject/kaart")
    );
    let (status, page) = app.get_page(&card).await;
    assert_eq!(status, StatusCode::OK);
    let url = page.text(".own-card-url");
    assert!(
        url.starts_with(&app.url("/mijn/")),
        "the card carries the full address: {url}"
    );
    assert!(
        page.attr("svg.own-card-qr", "aria-label")
            .is_some_and(|label| label.contains(&url)),
        "the QR code leads to the same address"
    );
    url
}

/// The path part of a link's URL, for a browser without a login.
fn path_of(app: &TestApp, url: &str) -> String {
    url.strip_prefix(&app.url(""))
        .expect("a link to this server")
        .to_string()
}

/// A browser of the inburgeraar: same server, no session.
async fn visitor(app: &TestApp) -> TestApp {
    TestApp::spawn_on(app).await
}

async fn confirmed_entry(app: &TestApp, placement: PlacementId, minutes: i32, days_ago: i32) {
    let entry = app.create_entry(placement, minutes, days_ago).await;
    sqlx::query!(
        "UPDATE hour_entries SET status = 'bevestigd', decided_at = now(), description = 'Zeer vlot geholpen'
         WHERE id = $1",
        entry.0
    )
    .execute(&app.pool)
    .await
    .expect("confirm entry");
}

#[tokio::test]
async fn a_coach_makes_a_link_and_the_inburgeraar_sees_placements_hours_and_progress() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Amina Haddad", Some(coach.id), None)
        .await;
    sqlx::query!(
        "UPDATE participants SET notes = 'Geheime notitie van de coach', phone = '0470 11 22 33' WHERE id = $1",
        participant.0
    )
    .execute(&app.pool)
    .await
    .expect("notes");
    sqlx::query!(
        "UPDATE organisations SET address = 'Kerkstraat 1' WHERE id = $1",
        app.organisation.0
    )
    .execute(&app.pool)
    .await
    .expect("address");
    let placement = app.create_placement(participant, app.organisation).await;
    confirmed_entry(&app, placement, 150, 3).await;
    let pending = app.create_entry(placement, 90, 2).await;
    sqlx::query!(
        "UPDATE hour_entries SET description = 'Kwam te laat' WHERE id = $1",
        pending.0
    )
    .execute(&app.pool)
    .await
    .expect("description");
    let rejected = app.create_entry(placement, 60, 1).await;
    sqlx::query!(
        "UPDATE hour_entries SET status = 'afgewezen', rejection_reason = 'Was er niet' WHERE id = $1",
        rejected.0
    )
    .execute(&app.pool)
    .await
    .expect("reject");

    let url = make_link(&app, participant).await;
    let visitor = visitor(&app).await;
    let response = visitor.get(&path_of(&app, &url)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    // The forms' double-submit CSRF cookie, never a session.
    let cookies: Vec<&str> = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        cookies.iter().all(|c| c.starts_with("veertig_csrf=")),
        "no session for the inburgeraar: {cookies:?}"
    );
    let html = response.text().await.expect("body");
    let page = Page::parse(&html);
    assert_eq!(page.attr("html", "lang").as_deref(), Some("nl"));
    assert_eq!(page.attr("html", "dir").as_deref(), Some("ltr"));
    assert_eq!(
        page.attr("meta[name=robots]", "content").as_deref(),
        Some("noindex, nofollow")
    );
    assert_eq!(page.text("h1"), "Amina Haddad");
    let own_looks: Vec<(Option<uuid::Uuid>, String)> = sqlx::query_as(
        "SELECT user_id, path FROM access_log WHERE participant_id = $1 AND kind = 'mijn_traject'",
    )
    .bind(participant.0)
    .fetch_all(&app.pool)
    .await
    .expect("access log");
    assert_eq!(own_looks, [(None, "/mijn/…".to_string())]);
    let sentences = page.select_all(".own-sentence").join(" | ");
    assert!(
        sentences.contains("U hebt 2 u 30 van de 40 u."),
        "{sentences}"
    );
    assert!(sentences.contains("Nog 37 u 30 te gaan."), "{sentences}");
    assert!(
        sentences.contains("1 u 30 wacht nog op bevestiging."),
        "{sentences}"
    );
    let placement_text = page.text(".own-placement");
    for expected in [
        "Testvereniging",
        "Buddy",
        "Kerkstraat 1, Testgemeente",
        "Bezig",
    ] {
        assert!(placement_text.contains(expected), "{placement_text}");
    }
    let statuses = page.select_all(".own-entries tbody td.own-status");
    assert_eq!(statuses.len(), 3, "{statuses:?}");
    assert!(statuses[0].contains("Niet goedgekeurd"));
    assert!(statuses[1].contains("Wacht"));
    assert!(statuses[2].contains("Bevestigd"));
    for secret in [
        "Geheime notitie",
        "0470 11 22 33",
        "Zeer vlot geholpen",
        "Kwam te laat",
        "Was er niet",
        "Contact",
    ] {
        assert!(!html.contains(secret), "the page leaks {secret}");
    }
    assert!(
        page.text("#certificaat ~ p, #certificaat + p")
            .contains("nog geen certificaat")
    );

    // Staff see that a link works and when it was opened; the audit log has its making.
    let (_, staff_page) = app.get_page(&format!("/inburgeraars/{participant}")).await;
    let section = staff_page.text("#mijn-traject");
    assert!(section.contains("Er is een werkende link"), "{section}");
    assert!(section.contains("(1 keer)"), "{section}");
    let audited: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_log
           WHERE participant_id = $1 AND action = 'persoonlijke link aangemaakt' AND actor_id = $2"#,
        participant.0,
        coach.id.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn a_revoked_link_and_a_replaced_link_no_longer_open() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Yusuf Demir", Some(coach.id), None)
        .await;
    let first = make_link(&app, participant).await;
    let visitor = visitor(&app).await;
    assert_eq!(
        visitor.get(&path_of(&app, &first)).await.status(),
        StatusCode::OK
    );

    // A lost card: a new link replaces the old one.
    let second = make_link(&app, participant).await;
    assert_ne!(first, second);
    let (status, page) = visitor.get_page(&path_of(&app, &first)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(page.text("h1"), "Deze link werkt niet");
    assert_eq!(
        visitor.get(&path_of(&app, &second)).await.status(),
        StatusCode::OK
    );

    let response = app
        .post_form(
            &format!("/inburgeraars/{participant}/mijn-traject/intrekken"),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, page) = visitor.get_page(&path_of(&app, &second)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.text("main").contains("Vraag uw begeleider"));
    let pdf = visitor
        .get(&format!("{}/certificaat.pdf", path_of(&app, &second)))
        .await;
    assert_eq!(pdf.status(), StatusCode::NOT_FOUND);

    // Revoking also ends the card in the coach's session.
    let response = app
        .get(&format!("/inburgeraars/{participant}/mijn-traject/kaart"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, staff_page) = app.get_page(&format!("/inburgeraars/{participant}")).await;
    assert!(
        staff_page
            .text("#mijn-traject")
            .contains("geen werkende link")
    );
    let active: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM participant_links WHERE participant_id = $1 AND revoked_at IS NULL"#,
        participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("links");
    assert_eq!(active, 0);
    let revocations: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_log
           WHERE participant_id = $1 AND action = 'persoonlijke link ingetrokken'"#,
        participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(revocations, 2);
}

#[tokio::test]
async fn a_tampered_or_made_up_token_opens_nothing() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Lena Petrova", Some(coach.id), None)
        .await;
    let url = make_link(&app, participant).await;
    let path = path_of(&app, &url);
    let token = path.trim_start_matches("/mijn/").to_string();
    let last = token.chars().last().expect("a token");
    let flipped = if last == '0' { '1' } else { '0' };
    let tampered = format!("/mijn/{}{flipped}", &token[..token.len() - 1]);
    let visitor = visitor(&app).await;
    for path in [
        tampered.as_str(),
        "/mijn/0000000000000000000000000000000000000000000000000000000000000000",
        "/mijn/abc",
        "/mijn/%27%20OR%201%3D1",
    ] {
        let (status, page) = visitor.get_page(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.text("body").contains("Lena Petrova"), "{path}");
    }
    // The real one still works (upper case hex is the same token).
    let upper = format!("/mijn/{}", token.to_uppercase());
    assert_eq!(visitor.get(&upper).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_link_shows_its_own_participant_and_nobody_else() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let first = app
        .create_participant("Sara Bekele", Some(coach.id), None)
        .await;
    let second = app
        .create_participant("Omar Khalil", Some(coach.id), None)
        .await;
    let other = app.other_region().await;
    let first_placement = app.create_placement(first, app.organisation).await;
    confirmed_entry(&app, first_placement, 120, 2).await;
    let second_placement = app.create_placement(second, other.organisation).await;
    confirmed_entry(&app, second_placement, 480, 2).await;

    let first_url = make_link(&app, first).await;
    let second_url = make_link(&app, second).await;
    let visitor = visitor(&app).await;
    let (_, page) = visitor.get_page(&path_of(&app, &first_url)).await;
    let body = page.text("body");
    assert_eq!(page.text("h1"), "Sara Bekele");
    assert!(!body.contains("Omar Khalil"));
    assert!(!body.contains("Andere vereniging"));
    assert_eq!(page.select_all(".own-entries tbody tr").len(), 1);
    assert!(
        page.text(".own-sentence")
            .contains("U hebt 2 u van de 40 u.")
    );
    let (_, page) = visitor.get_page(&path_of(&app, &second_url)).await;
    assert_eq!(page.text("h1"), "Omar Khalil");
    assert!(!page.text("body").contains("Sara Bekele"));
    assert!(page.text(".own-placement").contains("Andere vereniging"));
}

#[tokio::test]
async fn each_language_shows_the_name_in_its_own_script_and_arabic_and_dari_right_to_left() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let cases = [
        ("nl", "Sofie Peeters", "ltr", "Mijn traject"),
        ("en", "Grace Mensah", "ltr", "My pathway"),
        ("fr", "Aïcha Traoré", "ltr", "Mon parcours"),
        ("ar", "فاطمة الزهراء", "rtl", "مساري"),
        ("uk", "Оксана Коваленко", "ltr", "Мій шлях"),
        ("prs", "احمد ولی رحیمی", "rtl", "مسیر من"),
        ("ti", "ሳባ ተስፋይ", "ltr", "ናተይ ጉዕዞ"),
    ];
    for (lang, name, dir, title) in cases {
        let participant = app.create_participant(name, Some(coach.id), None).await;
        let placement = app.create_placement(participant, app.organisation).await;
        confirmed_entry(&app, placement, 150, 1).await;
        let path = path_of(&app, &make_link(&app, participant).await);
        let visitor = visitor(&app).await;
        // The switcher's link remembers the choice in a cookie and shows the clean address.
        let response = visitor.get(&format!("{path}?taal={lang}")).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{lang}");
        assert_eq!(location(&response), path);
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            cookie.starts_with(&format!("veertig_taal={lang};")),
            "{cookie}"
        );
        let (status, page) = visitor.get_page(&path).await;
        assert_eq!(status, StatusCode::OK, "{lang}");
        assert_eq!(page.attr("html", "lang").as_deref(), Some(lang));
        assert_eq!(page.attr("html", "dir").as_deref(), Some(dir), "{lang}");
        assert_eq!(page.text("h1"), name, "{lang}");
        assert_eq!(page.text(".own-title"), title, "{lang}");
        assert!(page.text("title").starts_with(title), "{lang}");
        assert_eq!(
            page.text(".own-languages a[aria-current=true]"),
            veertig::i18n::Lang::parse(lang)
                .expect("a language")
                .native_name()
        );
        // Hours in the page's own words: 2 h 30 min in English, ساعتان و30 دقيقة in Arabic.
        let expected = veertig::i18n::messages()
            .duration(veertig::i18n::Lang::parse(lang).expect("a language"), 150);
        assert!(
            page.text(".own-sentence").contains(&expected),
            "{lang}: {}",
            page.text(".own-sentence")
        );
    }
    // An unknown language changes nothing: the page stays in the language chosen before.
    let participant = app
        .create_participant("Nour Saleh", Some(coach.id), None)
        .await;
    let path = path_of(&app, &make_link(&app, participant).await);
    let visitor = visitor(&app).await;
    visitor.get(&format!("{path}?taal=ar")).await;
    let (status, page) = visitor.get_page(&format!("{path}?taal=xx")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.attr("html", "dir").as_deref(), Some("rtl"));
}

#[tokio::test]
async fn the_certificate_shows_with_its_pdf_once_issued() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let participant = app.create_participant("Mariam Yonas", None, None).await;
    let placement = app.create_placement(participant, app.organisation).await;
    for day in 1..=4 {
        confirmed_entry(&app, placement, 600, day).await;
    }
    let path = path_of(&app, &make_link(&app, participant).await);
    app.get_page("/certificaten").await;
    let response = app
        .post_form(
            "/certificaten/uitreiken",
            &[("kies", participant.to_string().as_str())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let number: String = sqlx::query_scalar!(
        "SELECT number FROM certificates WHERE participant_id = $1 AND issued_by = $2",
        participant.0,
        coordinator.id.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("certificate");

    let visitor = visitor(&app).await;
    let (_, page) = visitor.get_page(&path).await;
    assert!(page.text(".own-done").contains("alle uren"));
    let section = page.select_all(".own-sentence").join(" ");
    assert!(section.contains(&number), "{section}");
    let pdf_link = page
        .attr("a[href$='certificaat.pdf']", "href")
        .expect("a PDF link");
    let response = visitor.get(&pdf_link).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let bytes = response.bytes().await.expect("pdf");
    assert!(bytes.starts_with(b"%PDF"));
}

#[tokio::test]
async fn only_staff_of_the_region_make_or_revoke_links_and_the_card_is_shown_once() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Hana Tesfay", Some(coach.id), None)
        .await;
    make_link(&app, participant).await;

    // A coordinator of the region may make and revoke, but never sees the coach's card.
    let coordinator = TestApp::spawn_on(&app).await;
    coordinator.login_as(Role::Coordinator).await;
    let card = format!("/inburgeraars/{participant}/mijn-traject/kaart");
    let response = coordinator.get(&card).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("/inburgeraars/{participant}#mijn-traject")
    );

    // Another region's coach: as if the participant did not exist. A partner: no access.
    let other = app.other_region().await;
    let stranger = TestApp::spawn_on(&app).await;
    let stranger_user = stranger.create_user(Role::Coach).await;
    sqlx::query!(
        "UPDATE users SET region_id = $1 WHERE id = $2",
        other.region.0,
        stranger_user.id.0
    )
    .execute(&app.pool)
    .await
    .expect("move coach");
    stranger
        .login(&stranger_user.email, crate::helpers::PASSWORD)
        .await;
    stranger.get_page("/caseload").await;
    for path in ["mijn-traject", "mijn-traject/intrekken"] {
        let response = stranger
            .post_form(&format!("/inburgeraars/{participant}/{path}"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(stranger.get(&card).await.status(), StatusCode::NOT_FOUND);
    let partner = TestApp::spawn_on(&app).await;
    partner.login_as(Role::Partner).await;
    let response = partner
        .post_form(&format!("/inburgeraars/{participant}/mijn-traject"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let links: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM participant_links WHERE participant_id = $1"#,
        participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("links");
    assert_eq!(links, 1);
    // Without a login: the login page.
    let anonymous = TestApp::spawn_on(&app).await;
    let response = anonymous.get(&card).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
}

#[tokio::test]
async fn guessing_tokens_is_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    let mut statuses = Vec::new();
    // 61 requests cross at most one minute boundary, so one window sees more than 30.
    for _ in 0..61 {
        let status = app
            .get("/mijn/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
            .await
            .status();
        statuses.push(status);
    }
    assert!(
        statuses[..30].iter().all(|s| *s == StatusCode::NOT_FOUND),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_anonymised_participants_link_stops_working() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Dawit Haile", Some(coach.id), None)
        .await;
    let path = path_of(&app, &make_link(&app, participant).await);
    let today = veertig::values::dates::today();
    let long_ago = today - time::Duration::days(365 * 8);
    sqlx::query!(
        "UPDATE participants SET status = 'stopgezet', status_reason = 'verhuisd',
             start_date = $2, target_end_date = $2, updated_at = $2::date
         WHERE id = $1",
        participant.0,
        long_ago,
    )
    .execute(&app.pool)
    .await
    .expect("old trajectory");
    let cutoff = veertig::domain::privacy::purge_cutoff(today, 5);
    let purged = veertig::domain::privacy::purge(&app.pool, cutoff, 5)
        .await
        .expect("purge");
    assert_eq!(purged, 1);
    let visitor = visitor(&app).await;
    assert_eq!(visitor.get(&path).await.status(), StatusCode::NOT_FOUND);
}
