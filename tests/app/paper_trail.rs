//! The paper trail: the bewijs van deelname, signed scans and their upload checks, the KBI
//! hand-off list and its CSV, and the access log (views, exports, scans, refused requests).

use reqwest::StatusCode;
use veertig::domain::user::Role;
use veertig::values::ids::{ParticipantId, PlacementId};

use crate::helpers::{Page, TestApp, location, multipart};

// ---------------------------------------------------------------------------------------------
// Helpers

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

async fn upload(
    app: &TestApp,
    placement: PlacementId,
    file: Option<(&str, &str, &[u8])>,
    entries: &[String],
) -> reqwest::Response {
    let token = app.csrf_token().await;
    let fields: Vec<(&str, &str)> = entries.iter().map(|e| ("entry", e.as_str())).collect();
    let (content_type, body) = multipart("bestand", file, &fields);
    app.client
        .post(app.url(&format!("/plaatsingen/{placement}/scan?csrf_token={token}")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("upload sent")
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

/// A coach with one participant, a placement and two pending entries.
async fn coach_with_entries(app: &TestApp) -> (ParticipantId, PlacementId, Vec<String>) {
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Mariam Haddad", Some(coach.id), None)
        .await;
    let placement = app.create_placement(participant, app.organisation).await;
    let first = app.create_entry(placement, 120, 5).await;
    let second = app.create_entry(placement, 90, 3).await;
    (
        participant,
        placement,
        vec![first.to_string(), second.to_string()],
    )
}

// ---------------------------------------------------------------------------------------------
// Bewijs van deelname

/// Presses "Bewijs van deelname afdrukken" on the placement page.
async fn print_bewijs(app: &TestApp, placement: PlacementId) -> (StatusCode, Page) {
    let (_, placement_page) = app.get_page(&format!("/plaatsingen/{placement}")).await;
    let action = format!("/plaatsingen/{placement}/bewijs");
    assert_eq!(
        placement_page
            .select_all(&format!("form[method=post][action=\"{action}\"]"))
            .len(),
        1,
        "the placement page has the print button"
    );
    let response = app.post_form(&action, &[]).await;
    let status = response.status();
    (status, Page::parse(&response.text().await.expect("body")))
}

#[tokio::test]
async fn opening_the_bewijs_address_makes_no_link_and_records_nothing() {
    let app = TestApp::spawn().await;
    let (_, placement, _) = coach_with_entries(&app).await;
    sqlx::query("UPDATE placements SET contact_email = 'contact@example.org' WHERE id = $1")
        .bind(placement.0)
        .execute(&app.pool)
        .await
        .expect("contact e-mail");
    // What a link on another site makes a browser do: a top-level GET with the session cookie.
    for path in [
        format!("/plaatsingen/{placement}/bewijs"),
        format!("/plaatsingen/{placement}/bewijs.pdf"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            location(&response),
            format!("/plaatsingen/{placement}#bewijs")
        );
    }
    assert_eq!(
        count(&app, "SELECT count(*) FROM confirmation_links").await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'bewijs van deelname afgedrukt'"
        )
        .await,
        0
    );
    // Pressing the button does make one.
    let (status, _) = print_bewijs(&app, placement).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        count(&app, "SELECT count(*) FROM confirmation_links").await,
        1
    );
}

#[tokio::test]
async fn the_bewijs_van_deelname_lists_the_logged_hours_and_room_to_write_more() {
    let app = TestApp::spawn().await;
    let (_, placement, _) = coach_with_entries(&app).await;
    let (status, page) = print_bewijs(&app, placement).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text(".proof-participant"), "Mariam Haddad");
    assert_eq!(page.select_all("tr.proof-logged").len(), 2);
    assert!(page.select_all("tr.proof-empty").len() >= 6);
    // The contact has no e-mail address: no link can be made, so no QR code.
    assert!(page.select_all("svg.sheet-qr").is_empty());
    assert_eq!(
        count(&app, "SELECT count(*) FROM confirmation_links").await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'bewijs van deelname afgedrukt'"
        )
        .await,
        1
    );
    // The printed sheet shows the participant's name and hours: a look, in the access log.
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM access_log WHERE kind = 'bewijs' AND participant_id IS NOT NULL"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn the_bewijs_carries_a_fresh_confirmation_link_when_hours_wait() {
    let app = TestApp::spawn().await;
    let (_, placement, _) = coach_with_entries(&app).await;
    sqlx::query("UPDATE placements SET contact_email = 'contact@example.org' WHERE id = $1")
        .bind(placement.0)
        .execute(&app.pool)
        .await
        .expect("contact e-mail");
    let (status, page) = print_bewijs(&app, placement).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.select_all("svg.sheet-qr").len(), 1);
    assert_eq!(
        count(&app, "SELECT count(*) FROM confirmation_links").await,
        1
    );

    app.get_page(&format!("/plaatsingen/{placement}")).await;
    let response = app
        .post_form(&format!("/plaatsingen/{placement}/bewijs.pdf"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    let bytes = response.bytes().await.expect("body");
    assert!(bytes.starts_with(b"%PDF-"));
}

#[tokio::test]
async fn another_regions_placement_has_no_bewijs() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let other = app.other_region().await;
    let far = app.create_participant("Ver Weg", None, Some(&other)).await;
    let placement = app.create_placement(far, other.organisation).await;
    for path in [
        format!("/plaatsingen/{placement}/bewijs"),
        format!("/plaatsingen/{placement}/bewijs.pdf"),
        format!("/plaatsingen/{placement}/scan"),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        format!("/plaatsingen/{placement}/bewijs"),
        format!("/plaatsingen/{placement}/bewijs.pdf"),
    ] {
        assert_eq!(
            app.post_form(&path, &[]).await.status(),
            StatusCode::NOT_FOUND,
            "POST {path}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Scans

#[tokio::test]
async fn a_signed_scan_is_attached_to_the_chosen_entries_and_downloaded_as_a_file() {
    let app = TestApp::spawn().await;
    let (participant, placement, entries) = coach_with_entries(&app).await;
    app.get_page(&format!("/plaatsingen/{placement}/scan"))
        .await;
    let response = upload(
        &app,
        placement,
        Some(("bewijs mei.png", "image/png", PNG)),
        &entries,
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("/plaatsingen/{placement}#bewijs")
    );
    assert_eq!(count(&app, "SELECT count(*) FROM scans").await, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM scan_entries").await, 2);

    let (_, page) = app.get_page(&format!("/plaatsingen/{placement}")).await;
    let sources = page.select_all(".entry-source");
    assert_eq!(sources.len(), 2);
    assert!(sources[0].starts_with("papier, scan van "), "{sources:?}");
    let link = page.attr("#scans a", "href").expect("a download link");
    assert_eq!(page.text("#scans a"), "bewijs mei.png");

    let download = app.get(&link).await;
    assert_eq!(download.status(), StatusCode::OK);
    let headers = download.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"bewijsmei.png\""
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(download.bytes().await.expect("body").as_ref(), PNG);
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM access_log WHERE kind = 'scan' AND participant_id = $1",
    )
    .bind(participant.0)
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(logged, 1);
}

#[tokio::test]
async fn a_file_named_pdf_that_is_not_a_pdf_is_refused() {
    let app = TestApp::spawn().await;
    let (_, placement, entries) = coach_with_entries(&app).await;
    app.get_page(&format!("/plaatsingen/{placement}/scan"))
        .await;
    let response = upload(
        &app,
        placement,
        Some(("bewijs.pdf", "application/pdf", b"<html>geen pdf</html>")),
        &entries,
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text("#bestand-error")
            .contains("geen PDF, JPEG of PNG")
    );
    // The chosen entries stay chosen.
    assert_eq!(page.select_all("input[name=entry][checked]").len(), 2);
    assert_eq!(count(&app, "SELECT count(*) FROM scans").await, 0);
}

#[tokio::test]
async fn an_empty_file_or_no_entries_is_refused() {
    let app = TestApp::spawn().await;
    let (_, placement, entries) = coach_with_entries(&app).await;
    app.get_page(&format!("/plaatsingen/{placement}/scan"))
        .await;
    let response = upload(
        &app,
        placement,
        Some(("leeg.pdf", "application/pdf", b"")),
        &entries,
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text("#bestand-error").contains("Kies een bestand"));

    let response = upload(&app, placement, Some(("scan.png", "image/png", PNG)), &[]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text("#entries-error")
            .contains("minstens één prestatie")
    );
    assert_eq!(count(&app, "SELECT count(*) FROM scans").await, 0);
}

#[tokio::test]
async fn a_file_over_five_megabytes_is_refused_in_dutch() {
    let app = TestApp::spawn().await;
    let (_, placement, entries) = coach_with_entries(&app).await;
    app.get_page(&format!("/plaatsingen/{placement}/scan"))
        .await;
    // Just over the 5 MB rule: the form comes back with the reason.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b' ');
    let response = upload(
        &app,
        placement,
        Some(("groot.pdf", "application/pdf", &big)),
        &entries,
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text("#bestand-error").contains("groter dan 5 MB"));
    // Far over it: the request is cut off at the route's limit, with the Dutch 413 page.
    big.resize(7 * 1024 * 1024, b' ');
    let response = upload(
        &app,
        placement,
        Some(("groter.pdf", "application/pdf", &big)),
        &entries,
    )
    .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(page.text("h1"), "Te groot");
    assert_eq!(count(&app, "SELECT count(*) FROM scans").await, 0);
}

#[tokio::test]
async fn an_upload_needs_the_form_token_and_entries_of_that_placement() {
    let app = TestApp::spawn().await;
    let (participant, placement, _) = coach_with_entries(&app).await;
    let (content_type, body) = multipart("bestand", Some(("scan.png", "image/png", PNG)), &[]);
    let response = app
        .client
        .post(app.url(&format!("/plaatsingen/{placement}/scan")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // An entry of another placement cannot be tied to this one's scan.
    let elsewhere = app.create_placement(participant, app.organisation).await;
    let foreign = app.create_entry(elsewhere, 60, 2).await;
    app.get_page(&format!("/plaatsingen/{placement}/scan"))
        .await;
    let response = upload(
        &app,
        placement,
        Some(("scan.png", "image/png", PNG)),
        &[foreign.to_string()],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app, "SELECT count(*) FROM scans").await, 0);
}

#[tokio::test]
async fn scans_of_another_region_cannot_be_downloaded() {
    let app = TestApp::spawn().await;
    let (_, placement, entries) = coach_with_entries(&app).await;
    app.get_page(&format!("/plaatsingen/{placement}/scan"))
        .await;
    let response = upload(
        &app,
        placement,
        Some(("scan.png", "image/png", PNG)),
        &entries,
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let scan: uuid::Uuid = sqlx::query_scalar("SELECT id FROM scans")
        .fetch_one(&app.pool)
        .await
        .expect("scan");
    // A coach of another region.
    let other = app.other_region().await;
    let browser = TestApp::spawn_on(&app).await;
    let outsider = browser.create_user(Role::Coach).await;
    sqlx::query("UPDATE users SET region_id = $1 WHERE id = $2")
        .bind(other.region.0)
        .bind(outsider.id.0)
        .execute(&app.pool)
        .await
        .expect("move coach");
    let response = browser
        .login(&outsider.email, crate::helpers::PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        browser.get(&format!("/scans/{scan}")).await.status(),
        StatusCode::NOT_FOUND
    );
    // Partners never download scans.
    let partner = TestApp::spawn_on(&app).await;
    partner.login_as(Role::Partner).await;
    assert_eq!(
        partner.get(&format!("/scans/{scan}")).await.status(),
        StatusCode::FORBIDDEN
    );
}

// ---------------------------------------------------------------------------------------------
// KBI hand-off

async fn close(app: &TestApp, participant: ParticipantId, dossier: &str) {
    sqlx::query(
        "UPDATE participants SET status = 'stopgezet', status_reason = 'verhuisd',
             external_dossier = $2 WHERE id = $1",
    )
    .bind(participant.0)
    .bind(dossier)
    .execute(&app.pool)
    .await
    .expect("closed");
}

#[tokio::test]
async fn the_kbi_list_shows_closed_trajectories_until_they_are_passed_on() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let stopped = app
        .create_participant("Olena Shevchenko", Some(coach.id), None)
        .await;
    close(&app, stopped, "=KBI-2026-001").await;
    app.create_participant("Nog Bezig", Some(coach.id), None)
        .await;
    let colleague = app.create_user(Role::Coach).await;
    let theirs = app
        .create_participant("Van Een Collega", Some(colleague.id), None)
        .await;
    close(&app, theirs, "KBI-2026-002").await;

    let (status, page) = app.get_page("/kbi").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.select_all("#kbi-lijst td.name"),
        vec!["Olena Shevchenko"]
    );
    let cells = page.select_all("#kbi-lijst tbody td");
    assert_eq!(cells[1], "=KBI-2026-001");
    assert_eq!(cells[2], "stopgezet");

    // The CSV: BOM, semicolons, the dossier number kept as text.
    let response = app.get("/kbi.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"kbi-door-te-geven_")
    );
    let text = response.text().await.expect("csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "\u{FEFF}Naam;Dossiernummer;Resultaat;Datum resultaat;Certificaatnummer;Trajectbegeleider;Doorgegeven op"
        )
    );
    let row = lines.next().expect("one row");
    assert!(
        row.starts_with("Olena Shevchenko;'=KBI-2026-001;stopgezet;"),
        "{row}"
    );
    assert_eq!(lines.next(), None);

    // Marked as passed on: gone from the open list, shown among the done ones, audited.
    let today = veertig::values::dates::iso_date(veertig::values::dates::today());
    let response = app
        .post_form(&format!("/kbi/{stopped}/doorgegeven"), &[("datum", &today)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page("/kbi").await;
    assert!(page.select_all("#kbi-lijst td.name").is_empty());
    assert_eq!(page.text("#kbi-leeg"), "Alles is doorgegeven.");
    let (_, page) = app.get_page("/kbi?weergave=doorgegeven").await;
    assert_eq!(
        page.select_all("#kbi-lijst td.name"),
        vec!["Olena Shevchenko"]
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'doorgegeven aan KBI'"
        )
        .await,
        1
    );
    // Twice is refused, and nothing is added.
    app.post_form(&format!("/kbi/{stopped}/doorgegeven"), &[("datum", &today)])
        .await;
    assert_eq!(count(&app, "SELECT count(*) FROM kbi_handoffs").await, 1);

    // Reopened and closed again: a new outcome to pass on.
    sqlx::query("UPDATE participants SET status = 'actief', status_reason = NULL WHERE id = $1")
        .bind(stopped.0)
        .execute(&app.pool)
        .await
        .expect("reopened");
    close(&app, stopped, "KBI-2026-001").await;
    let (_, page) = app.get_page("/kbi").await;
    assert_eq!(
        page.select_all("#kbi-lijst td.name"),
        vec!["Olena Shevchenko"]
    );
}

#[tokio::test]
async fn coordinators_see_the_whole_region_and_dates_are_checked() {
    let app = TestApp::spawn().await;
    let coach = app.create_user(Role::Coach).await;
    let stopped = app
        .create_participant("Ana Silva", Some(coach.id), None)
        .await;
    close(&app, stopped, "D-1").await;
    let other = app.other_region().await;
    let far = app.create_participant("Ver Weg", None, Some(&other)).await;
    close(&app, far, "D-2").await;
    app.login_as(Role::Coordinator).await;
    let (_, page) = app.get_page("/kbi").await;
    assert_eq!(page.select_all("#kbi-lijst td.name"), vec!["Ana Silva"]);

    let tomorrow = veertig::values::dates::today()
        .next_day()
        .expect("a tomorrow");
    let response = app
        .post_form(
            &format!("/kbi/{stopped}/doorgegeven"),
            &[("datum", &veertig::values::dates::iso_date(tomorrow))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page("/kbi").await;
    assert!(page.text(".flash-error").contains("toekomst"));
    assert_eq!(count(&app, "SELECT count(*) FROM kbi_handoffs").await, 0);
    // Another region's participant is not there to mark.
    let response = app
        .post_form(
            &format!("/kbi/{far}/doorgegeven"),
            &[("datum", "01/01/2026")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Partners and beheerders have no KBI list.
    for role in [Role::Partner, Role::Admin] {
        let browser = TestApp::spawn_on(&app).await;
        browser.login_as(role).await;
        assert_eq!(browser.get("/kbi").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            browser.get("/kbi.csv").await.status(),
            StatusCode::FORBIDDEN
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Access log

#[tokio::test]
async fn viewing_a_participant_writes_one_access_log_row() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Yonas Tesfaye", Some(coach.id), None)
        .await;
    let before = count(&app, "SELECT count(*) FROM access_log").await;
    let (status, _) = app.get_page(&format!("/inburgeraars/{participant}")).await;
    assert_eq!(status, StatusCode::OK);
    let rows: Vec<(Option<uuid::Uuid>, String, String)> = sqlx::query_as(
        "SELECT user_id, kind::text, path FROM access_log WHERE participant_id = $1",
    )
    .bind(participant.0)
    .fetch_all(&app.pool)
    .await
    .expect("rows");
    assert_eq!(
        rows,
        vec![(
            Some(coach.id.0),
            "inburgeraar".to_string(),
            format!("/inburgeraars/{participant}")
        )]
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM access_log").await,
        before + 1
    );
}

#[tokio::test]
async fn refused_requests_of_logged_in_users_are_logged_with_their_path() {
    let app = TestApp::spawn().await;
    let partner = app.login_as(Role::Partner).await;
    let participant = app.create_participant("Mariam Haddad", None, None).await;
    let path = format!("/inburgeraars/{participant}");
    assert_eq!(app.get(&path).await.status(), StatusCode::FORBIDDEN);
    let rows: Vec<(Option<uuid::Uuid>, String, Option<uuid::Uuid>, String)> =
        sqlx::query_as("SELECT user_id, kind::text, participant_id, path FROM access_log")
            .fetch_all(&app.pool)
            .await
            .expect("rows");
    assert_eq!(
        rows,
        vec![(
            Some(partner.id.0),
            "geweigerd".to_string(),
            Some(participant.0),
            path
        )]
    );
    // A request without a login is not an access attempt of anyone: nothing more is written.
    let anonymous = TestApp::spawn_on(&app).await;
    anonymous.get("/beheer/toegangslog").await;
    assert_eq!(count(&app, "SELECT count(*) FROM access_log").await, 1);
}

#[tokio::test]
async fn another_regions_participant_is_not_found_and_the_attempt_is_logged() {
    let app = TestApp::spawn().await;
    let participant = app.create_participant("Mariam Haddad", None, None).await;
    let other = app.other_region().await;
    let stranger = app.login_as(Role::Coach).await;
    sqlx::query("UPDATE users SET region_id = $1 WHERE id = $2")
        .bind(other.region.0)
        .bind(stranger.id.0)
        .execute(&app.pool)
        .await
        .expect("move coach");
    let path = format!("/inburgeraars/{participant}");
    let (status, page) = app.get_page(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(page.text("h1"), "Pagina niet gevonden");
    let rows: Vec<(Option<uuid::Uuid>, String, Option<uuid::Uuid>, String)> =
        sqlx::query_as("SELECT user_id, kind::text, participant_id, path FROM access_log")
            .fetch_all(&app.pool)
            .await
            .expect("rows");
    assert_eq!(
        rows,
        vec![(
            Some(stranger.id.0),
            "geweigerd".to_string(),
            Some(participant.0),
            path
        )]
    );
    // Not found for a participant that does not exist, or a page that does not exist of one
    // of the user's own region: nothing to log.
    let colleague = TestApp::spawn_on(&app).await;
    colleague.login_as(Role::Coach).await;
    for path in [
        format!("/inburgeraars/{}", uuid::Uuid::new_v4()),
        format!("/inburgeraars/{participant}/bestaat-niet"),
    ] {
        assert_eq!(colleague.get(&path).await.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(count(&app, "SELECT count(*) FROM access_log").await, 1);
}

#[tokio::test]
async fn the_beheerder_finds_views_by_participant_and_user_and_the_export_includes_them() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let participant = app.create_participant("Olena Шевченко", None, None).await;
    app.get_page(&format!("/inburgeraars/{participant}")).await;
    let export = app
        .get(&format!("/inburgeraars/{participant}/inzage.json"))
        .await;
    assert_eq!(export.status(), StatusCode::OK);
    let json: serde_json::Value =
        serde_json::from_str(&export.text().await.expect("body")).expect("json");
    let seen: Vec<&str> = json["toegangen"]
        .as_array()
        .expect("toegangen")
        .iter()
        .filter_map(|a| a["wat"].as_str())
        .collect();
    assert_eq!(seen, vec!["inburgeraar bekeken", "inzage geëxporteerd"]);

    let admin = TestApp::spawn_on(&app).await;
    admin.login_as(Role::Admin).await;
    let (status, page) = admin
        .get_page(&format!("/beheer/toegangslog?inburgeraar={participant}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<String> = page.select_all("#toegangslog tbody td:nth-child(3)");
    assert_eq!(kinds, vec!["inzage geëxporteerd", "inburgeraar bekeken"]);
    let (_, page) = admin
        .get_page(&format!("/beheer/toegangslog?gebruiker={}", coordinator.id))
        .await;
    assert_eq!(page.select_all("#toegangslog tbody tr").len(), 2);
    let (_, page) = admin.get_page("/beheer/toegangslog?naam=olena").await;
    assert_eq!(page.select_all("#gevonden-lijst a"), vec!["Olena Шевченко"]);
    // Only the beheerder reads the log.
    assert_eq!(
        app.get("/beheer/toegangslog").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn purge_deletes_the_signed_scans_of_an_anonymised_participant() {
    let app = TestApp::spawn().await;
    let (participant, placement, entries) = coach_with_entries(&app).await;
    app.get_page(&format!("/plaatsingen/{placement}/scan"))
        .await;
    let response = upload(
        &app,
        placement,
        Some(("Mariam Haddad.png", "image/png", PNG)),
        &entries,
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    sqlx::query(
        "UPDATE participants SET status = 'stopgezet', status_reason = 'verhuisd',
             start_date = current_date - 3000, target_end_date = current_date - 2500,
             updated_at = current_date - 2500
         WHERE id = $1",
    )
    .bind(participant.0)
    .execute(&app.pool)
    .await
    .expect("ended long ago");
    let today = veertig::values::dates::today();
    let cutoff = veertig::domain::privacy::purge_cutoff(today, 5);
    let purged = veertig::domain::privacy::purge(&app.pool, cutoff, 5)
        .await
        .expect("purge");
    assert_eq!(purged, 1);
    assert_eq!(count(&app, "SELECT count(*) FROM scans").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM scan_entries").await, 0);
    // The hours stay; the audit row of the upload keeps no file name.
    assert_eq!(count(&app, "SELECT count(*) FROM hour_entries").await, 2);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE action = 'scan opgeladen' AND after->>'bestand' = ''"
        )
        .await,
        1
    );
}
