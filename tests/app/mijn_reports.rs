//! Mijn traject, issue 21 part 1: the inburgeraar reports their own hours and uploads a photo
//! of the signed bewijs, through their personal link, in their language; what they report
//! waits for the partner, marked as theirs, and the coach sees it.

use reqwest::StatusCode;
use time::Duration;
use veertig::domain::user::Role;
use veertig::values::dates::{format_date, today};
use veertig::values::ids::{ParticipantId, PlacementId};

use crate::helpers::multipart;
use crate::helpers::{Page, TestApp, TestUser, location};

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";

/// A coach's participant with a running placement and a working personal link.
pub(crate) struct Own {
    pub coach: TestUser,
    pub participant: ParticipantId,
    pub placement: PlacementId,
    pub link: uuid::Uuid,
    pub path: String,
}

pub(crate) async fn own_link(app: &TestApp, name: &str) -> Own {
    let coach = app.create_user(Role::Coach).await;
    let participant = app.create_participant(name, Some(coach.id), None).await;
    let placement = app.create_placement(participant, app.organisation).await;
    let mut conn = app.pool.acquire().await.expect("conn");
    let link =
        veertig::domain::mijn_traject::create_link(&mut conn, coach.id, app.region, participant)
            .await
            .expect("link")
            .expect("participant in region");
    Own {
        coach,
        participant,
        placement,
        link: link.id,
        path: format!("/mijn/{}", link.token),
    }
}

/// The inburgeraar's phone: same server, no session, the page opened (for its form token),
/// in `lang`.
async fn phone(app: &TestApp, own: &Own, lang: &str) -> TestApp {
    let phone = TestApp::spawn_on(app).await;
    let response = phone.get(&format!("{}?taal={lang}", own.path)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, _) = phone.get_page(&own.path).await;
    assert_eq!(status, StatusCode::OK);
    phone
}

fn days_ago(days: i64) -> String {
    format_date(today() - Duration::days(days))
}

async fn report(
    phone: &TestApp,
    own: &Own,
    placement: PlacementId,
    date: &str,
    minutes: &str,
) -> reqwest::Response {
    let placement = placement.to_string();
    phone
        .post_form(
            &format!("{}/uren", own.path),
            &[
                ("worked_on", date),
                ("placement", placement.as_str()),
                ("minutes", minutes),
            ],
        )
        .await
}

async fn upload(phone: &TestApp, own: &Own, file: (&str, &str, &[u8])) -> reqwest::Response {
    let token = phone.csrf_token().await;
    let placement = own.placement.to_string();
    let (content_type, body) =
        multipart("bestand", Some(file), &[("plaatsing", placement.as_str())]);
    phone
        .client
        .post(phone.url(&format!("{}/bewijs?csrf_token={token}", own.path)))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("upload sent")
}

async fn count(app: &TestApp, sql: &str, id: uuid::Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

async fn entries_of(app: &TestApp, own: &Own) -> i64 {
    count(
        app,
        "SELECT count(*) FROM hour_entries WHERE participant_id = $1",
        own.participant.0,
    )
    .await
}

async fn refused_page(response: reqwest::Response, status: StatusCode) -> Page {
    assert_eq!(response.status(), status);
    Page::parse(&response.text().await.expect("body"))
}

#[tokio::test]
async fn reported_hours_wait_for_the_partner_marked_as_the_inburgeraars_and_the_coach_sees_them() {
    let app = TestApp::spawn().await;
    let own = own_link(&app, "Selam Tesfay").await;
    let phone = phone(&app, &own, "nl").await;
    let response = report(&phone, &own, own.placement, &days_ago(2), "2u30").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("{}?gemeld=uren#melden", own.path)
    );
    let (_, page) = phone.get_page(&format!("{}?gemeld=uren", own.path)).await;
    assert!(page.text("main").contains("Uw uren zijn gemeld"));
    assert!(page.text(".own-entries").contains("2 u 30"));

    let row = sqlx::query!(
        r#"SELECT status::text AS "status!", minutes, created_by, reported_via_link
           FROM hour_entries WHERE participant_id = $1"#,
        own.participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("entry");
    assert_eq!(
        (
            row.status.as_str(),
            row.minutes,
            row.created_by,
            row.reported_via_link
        ),
        ("ingediend", 150, None, Some(own.link))
    );
    // Audited with the link as actor, no user.
    let audited = count(
        &app,
        "SELECT count(*) FROM audit_log WHERE actor_link_id = $1 AND actor_id IS NULL
           AND action = 'gemeld door de inburgeraar'",
        own.link,
    )
    .await;
    assert_eq!(audited, 1);

    // The partner sees it pending, marked.
    let partner = TestApp::spawn_on(&app).await;
    let user = app.create_user(Role::Partner).await;
    partner.login(&user.email, crate::helpers::PASSWORD).await;
    let (_, page) = partner.get_page("/partner").await;
    let pending = page.text(".pending-group");
    assert!(pending.contains("Selam Tesfay"), "{pending}");
    assert!(pending.contains("gemeld door de inburgeraar"), "{pending}");

    // The coach: on the caseload, the placement and the participant page.
    let coach = TestApp::spawn_on(&app).await;
    coach
        .login(&own.coach.email, crate::helpers::PASSWORD)
        .await;
    let (_, page) = coach.get_page("/caseload").await;
    assert!(
        page.text("main")
            .contains("Uren gemeld door de inburgeraar")
    );
    let (_, page) = coach
        .get_page(&format!("/plaatsingen/{}", own.placement))
        .await;
    assert!(page.text("main").contains("gemeld door de inburgeraar"));
    let (_, page) = coach
        .get_page(&format!("/inburgeraars/{}", own.participant))
        .await;
    assert!(page.text("main").contains("gemeld door de inburgeraar"));
}

#[tokio::test]
async fn more_than_twelve_hours_a_day_is_refused_in_tigrinya() {
    let app = TestApp::spawn().await;
    let own = own_link(&app, "ሳባ ተስፋይ").await;
    let phone = phone(&app, &own, "ti").await;
    // Thirteen hours at once.
    let page = refused_page(
        report(&phone, &own, own.placement, &days_ago(1), "13u").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(page.attr("html", "lang").as_deref(), Some("ti"));
    assert!(
        page.text("#minutes-error").contains("ካብ 12 ሰዓት ኣይበዝሕ"),
        "{}",
        page.text("#minutes-error")
    );
    assert_eq!(page.attr("#minutes", "value").as_deref(), Some("13u"));
    // Ten hours there already, three more make thirteen.
    app.create_entry(own.placement, 600, 1).await;
    let page = refused_page(
        report(&phone, &own, own.placement, &days_ago(1), "3u").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        page.text(".error-summary")
            .contains("ካብ 12 ሰዓት ንላዕሊ ኣይከኣልን"),
        "{}",
        page.text(".error-summary")
    );
    assert_eq!(entries_of(&app, &own).await, 1, "nothing was written");
}

#[tokio::test]
async fn a_future_date_and_someone_elses_placement_are_refused_with_what_was_typed() {
    let app = TestApp::spawn().await;
    let own = own_link(&app, "Oksana Koval").await;
    let phone = phone(&app, &own, "nl").await;
    let tomorrow = format_date(today() + Duration::days(1));
    let page = refused_page(
        report(&phone, &own, own.placement, &tomorrow, "1u").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(page.text("#worked_on-error").contains("in de toekomst"));
    assert_eq!(page.attr("#worked_on", "value"), Some(tomorrow));

    let other = app.create_participant("Iemand Anders", None, None).await;
    let foreign = app.create_placement(other, app.organisation).await;
    let page = refused_page(
        report(&phone, &own, foreign, &days_ago(1), "1u").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        page.text("#placement-error")
            .contains("Kies waar u meedeed")
    );
    assert_eq!(entries_of(&app, &own).await, 0);
    let foreign_entries = count(
        &app,
        "SELECT count(*) FROM hour_entries WHERE placement_id = $1",
        foreign.0,
    )
    .await;
    assert_eq!(foreign_entries, 0);
}

#[tokio::test]
async fn a_revoked_link_reports_and_uploads_nothing() {
    let app = TestApp::spawn().await;
    let own = own_link(&app, "Grace Mensah").await;
    let phone = phone(&app, &own, "en").await;
    let mut conn = app.pool.acquire().await.expect("conn");
    veertig::domain::mijn_traject::revoke_link(
        &mut conn,
        own.coach.id,
        app.region,
        own.participant,
    )
    .await
    .expect("revoke");
    drop(conn);
    let response = report(&phone, &own, own.placement, &days_ago(1), "1u").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = upload(&phone, &own, ("bewijs.jpg", "image/jpeg", JPEG)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(entries_of(&app, &own).await, 0);
    let scans = count(
        &app,
        "SELECT count(*) FROM scans WHERE participant_id = $1",
        own.participant.0,
    )
    .await;
    assert_eq!(scans, 0);
}

#[tokio::test]
async fn a_photo_of_the_signed_sheet_is_kept_as_a_scan_of_the_placement_and_text_is_refused() {
    let app = TestApp::spawn().await;
    let own = own_link(&app, "Aïcha Traoré").await;
    let waiting = app.create_entry(own.placement, 120, 3).await;
    let phone = phone(&app, &own, "fr").await;

    let page = refused_page(
        upload(
            &phone,
            &own,
            ("bewijs.jpg", "text/plain", b"just some words"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(page.text("#bestand-error").contains("pas une photo"));

    let response = upload(&phone, &own, ("IMG_0042.jpg", "image/jpeg", JPEG)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("{}?gemeld=bewijs#bewijs", own.path)
    );
    let scan = sqlx::query!(
        r#"SELECT s.id, s.content_type, s.uploaded_by, s.uploaded_via_link,
                  array(SELECT entry_id FROM scan_entries WHERE scan_id = s.id) AS "entries!"
           FROM scans s WHERE s.participant_id = $1"#,
        own.participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("one scan");
    assert_eq!(scan.content_type, "image/jpeg");
    assert_eq!(
        (scan.uploaded_by, scan.uploaded_via_link),
        (None, Some(own.link))
    );
    assert_eq!(
        scan.entries,
        vec![waiting.0],
        "it supports the waiting hours"
    );
    let audited = count(
        &app,
        "SELECT count(*) FROM audit_log WHERE actor_link_id = $1 AND entity = 'scan'",
        own.link,
    )
    .await;
    assert_eq!(audited, 1);

    // The coach sees it with the placement's scans.
    let coach = TestApp::spawn_on(&app).await;
    coach
        .login(&own.coach.email, crate::helpers::PASSWORD)
        .await;
    let (_, page) = coach
        .get_page(&format!("/plaatsingen/{}", own.placement))
        .await;
    assert!(page.text("main").contains("opgeladen door de inburgeraar"));
    let response = coach.get(&format!("/scans/{}", scan.id)).await;
    assert_eq!(response.status(), StatusCode::OK);

    // The right of access lists it, uploaded by the inburgeraar.
    let coordinator = TestApp::spawn_on(&app).await;
    coordinator.login_as(Role::Coordinator).await;
    let (_, page) = coordinator
        .get_page(&format!("/inburgeraars/{}/inzage", own.participant))
        .await;
    let scans = page.text("#inzage-scans-lijst");
    assert!(scans.contains("opgeladen door de inburgeraar"), "{scans}");
}

#[tokio::test]
async fn a_link_makes_at_most_ten_reports_an_hour() {
    let app = TestApp::spawn().await;
    let own = own_link(&app, "Ahmad Rahimi").await;
    let phone = phone(&app, &own, "prs").await;
    let limit = veertig::domain::mijn_traject::REPORTS_PER_HOUR;
    for _ in 0..limit {
        let response = report(&phone, &own, own.placement, &days_ago(1), "15 min").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let page = refused_page(
        report(&phone, &own, own.placement, &days_ago(1), "15 min").await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    assert!(
        page.text(".error-summary")
            .contains("بعداً دوباره کوشش کنید")
    );
    // Uploads count too.
    let response = upload(&phone, &own, ("bewijs.jpg", "image/jpeg", JPEG)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(entries_of(&app, &own).await, limit);
}
