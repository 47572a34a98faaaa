//! Attendance at the door: a partner registers a group by list or by the attendance code on the
//! card; the hour rules hold per person, and a code reveals nothing outside the partner's own
//! placements.

use reqwest::StatusCode;
use veertig::domain::attendance;
use veertig::domain::certificate::VerifyCode;
use veertig::domain::user::Role;
use veertig::values::dates::{format_date, today};
use veertig::values::ids::{OrganisationId, ParticipantId, PlacementId};

use crate::access_matrix::insert_offer;
use crate::helpers::{Page, TestApp, TestUser, location};

/// A group activity of the test organisation with three people placed on it.
pub(crate) struct Group {
    pub offer: uuid::Uuid,
    pub people: Vec<(ParticipantId, PlacementId)>,
}

pub(crate) const NAMES: [&str; 3] = ["Ahmed Haddad", "Олена Шевченко", "Tesfay Gebre"];

pub(crate) async fn group(app: &TestApp) -> Group {
    let offer = insert_offer(
        app,
        app.region,
        app.organisation,
        app.municipality,
        "Taalcafé op dinsdag",
    )
    .await;
    let mut people = Vec::new();
    for name in NAMES {
        let participant = app.create_participant(name, None, None).await;
        let placement = app.create_placement(participant, app.organisation).await;
        sqlx::query!(
            "UPDATE placements SET offer_id = $2 WHERE id = $1",
            placement.0,
            offer
        )
        .execute(&app.pool)
        .await
        .expect("placed on the offer");
        people.push((participant, placement));
    }
    Group { offer, people }
}

async fn register(
    app: &TestApp,
    offer: uuid::Uuid,
    ticked: &[PlacementId],
    codes: &str,
    duration: &str,
) -> reqwest::Response {
    let ids: Vec<String> = ticked.iter().map(ToString::to_string).collect();
    let date = format_date(today());
    let mut fields: Vec<(&str, &str)> = ids.iter().map(|id| ("aanwezig", id.as_str())).collect();
    fields.extend([
        ("datum", date.as_str()),
        ("duur", duration),
        ("codes", codes),
    ]);
    app.post_form(&format!("/partner/aanwezigheid/aanbod/{offer}"), &fields)
        .await
}

/// Another organisation of the test region.
async fn other_organisation(app: &TestApp) -> OrganisationId {
    sqlx::query_scalar!(
        r#"INSERT INTO organisations (region_id, name, kind) VALUES ($1, 'Elders', 'vereniging')
           RETURNING id AS "id: OrganisationId""#,
        app.region.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("organisation")
}

struct Written {
    confirmed_by_partner: i64,
    sessions: i64,
    sessions_of_entries: i64,
    entry_audits: i64,
    session_audits: i64,
}

async fn written(app: &TestApp, partner: &TestUser) -> Written {
    let row = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM hour_entries WHERE status = 'bevestigd' AND decided_by = $1
                AND created_by = $1 AND attendance_session_id IS NOT NULL) AS "confirmed!",
             (SELECT count(*) FROM attendance_sessions) AS "sessions!",
             (SELECT count(DISTINCT attendance_session_id) FROM hour_entries) AS "sessions_of_entries!",
             (SELECT count(*) FROM audit_log WHERE entity = 'hour_entry' AND actor_id = $1
                AND action = 'geregistreerd en bevestigd') AS "entry_audits!",
             (SELECT count(*) FROM audit_log WHERE entity = 'attendance_session' AND actor_id = $1) AS "session_audits!""#,
        partner.id.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("counts");
    Written {
        confirmed_by_partner: row.confirmed,
        sessions: row.sessions,
        sessions_of_entries: row.sessions_of_entries,
        entry_audits: row.entry_audits,
        session_audits: row.session_audits,
    }
}

#[tokio::test]
async fn a_partner_registers_three_people_by_list_in_one_session() {
    let app = TestApp::spawn().await;
    let group = group(&app).await;
    let partner = app.login_as(Role::Partner).await;

    let (status, page) = app.get_page("/partner/aanwezigheid").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.text("main").contains("Taalcafé op dinsdag"));
    let (status, page) = app
        .get_page(&format!("/partner/aanwezigheid/aanbod/{}", group.offer))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.select_all("#aanwezig input[type=checkbox]").len(), 3);
    assert_eq!(page.attr("#datum", "value"), Some(format_date(today())));

    let ticked: Vec<PlacementId> = group.people.iter().map(|(_, p)| *p).collect();
    let response = register(&app, group.offer, &ticked, "", "2u").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    let flash = page.text(".flash");
    assert!(
        flash.starts_with("3 inburgeraars geregistreerd: "),
        "{flash}"
    );
    for name in NAMES {
        assert!(flash.contains(name), "{flash}");
    }
    let w = written(&app, &partner).await;
    assert_eq!(w.confirmed_by_partner, 3);
    assert_eq!((w.sessions, w.sessions_of_entries), (1, 1));
    assert_eq!((w.entry_audits, w.session_audits), (3, 1));
    let minutes: Vec<i32> = sqlx::query_scalar!(
        "SELECT minutes FROM hour_entries WHERE attendance_session_id IS NOT NULL"
    )
    .fetch_all(&app.pool)
    .await
    .expect("entries");
    assert_eq!(minutes, [120, 120, 120]);
}

#[tokio::test]
async fn someone_over_twelve_hours_is_refused_and_the_others_are_registered() {
    let app = TestApp::spawn().await;
    let group = group(&app).await;
    let partner = app.login_as(Role::Partner).await;
    let (_, tired) = group.people[1];
    app.create_entry(tired, 660, 0).await;
    let ticked: Vec<PlacementId> = group.people.iter().map(|(_, p)| *p).collect();

    let response = register(&app, group.offer, &ticked, "", "2u").await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = Page::parse(&response.text().await.expect("body"));
    let done = page.text(".flash-success");
    assert!(done.starts_with("2 inburgeraars geregistreerd: "), "{done}");
    assert!(!done.contains(NAMES[1]), "{done}");
    let refused = page.text("#niet-geregistreerd li");
    assert!(refused.contains(NAMES[1]), "{refused}");
    assert!(refused.contains("meer dan 12 uur op één dag"), "{refused}");
    // The form again for the one refused: ticked, with the typed duration.
    assert_eq!(
        page.select_all("#aanwezig input[checked]").len(),
        1,
        "only the refused person stays ticked"
    );
    assert_eq!(
        page.attr("#aanwezig input[checked]", "value"),
        Some(tired.to_string())
    );
    assert_eq!(page.attr("#duur", "value").as_deref(), Some("2u"));
    let w = written(&app, &partner).await;
    assert_eq!(
        (w.confirmed_by_partner, w.sessions, w.entry_audits),
        (2, 1, 2)
    );

    // Only the refused one again: nobody can be registered, nothing is written.
    let response = register(&app, group.offer, &[tired], "", "2u").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text("#niet-geregistreerd").contains(NAMES[1]));
    let w = written(&app, &partner).await;
    assert_eq!(
        (w.confirmed_by_partner, w.sessions, w.session_audits),
        (2, 1, 1)
    );
}

#[tokio::test]
async fn the_cards_code_registers_its_person_and_a_code_from_elsewhere_reads_as_unknown() {
    let app = TestApp::spawn().await;
    let group = group(&app).await;
    let (ahmed, _) = group.people[0];

    // The coach prints the card: it carries the attendance code, apart from the link.
    app.login_as(Role::Coach).await;
    let response = app
        .post_form(&format!("/inburgeraars/{ahmed}/mijn-traject"), &[])
        .await;
    let (status, card) = app.get_page(&location(&response)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(card.text(".own-card-attendance-title"), "Aanwezigheid");
    let code = card.text(".own-card-code");
    assert!(!card.text(".own-card-url").contains(&code.replace('-', "")));

    // Someone placed only at another organisation, with a code of their own.
    let elsewhere = other_organisation(&app).await;
    let stranger = app.create_participant("Niet Hier", None, None).await;
    app.create_placement(stranger, elsewhere).await;
    let mut conn = app.pool.acquire().await.expect("conn");
    let coach = app.create_user(Role::Coach).await;
    let stranger_code = attendance::renew_code(&mut conn, coach.id, stranger)
        .await
        .expect("code");
    drop(conn);

    let partner = app.login_as(Role::Partner).await;
    let refusal = |page: &Page, code: &str| page.text("#niet-geregistreerd li").replace(code, "…");
    let response = register(&app, group.offer, &[], &stranger_code.grouped(), "1u30").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let foreign = Page::parse(&response.text().await.expect("body"));
    assert!(!foreign.text("main").contains("Niet Hier"));
    let unknown_code = VerifyCode::generate().grouped();
    let response = register(&app, group.offer, &[], &unknown_code, "1u30").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        refusal(&foreign, &stranger_code.grouped()),
        refusal(&unknown, &unknown_code)
    );
    assert!(refusal(&unknown, &unknown_code).contains("onbekend"));
    assert_eq!(written(&app, &partner).await.sessions, 0);

    // The card's code, typed in lower case: registered.
    let response = register(&app, group.offer, &[], &code.to_lowercase(), "1u30").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    assert_eq!(
        page.text(".flash"),
        format!("1 inburgeraar geregistreerd: {}.", NAMES[0])
    );
    let who: Vec<ParticipantId> = sqlx::query_scalar!(
        r#"SELECT participant_id AS "id: ParticipantId" FROM hour_entries WHERE attendance_session_id IS NOT NULL"#
    )
    .fetch_all(&app.pool)
    .await
    .expect("entries");
    assert_eq!(who, [ahmed]);
}

#[tokio::test]
async fn a_session_is_only_for_the_partners_own_offers_and_placements() {
    let app = TestApp::spawn().await;
    let group = group(&app).await;
    let (_, placement) = group.people[0];
    let offer_page = format!("/partner/aanwezigheid/aanbod/{}", group.offer);
    let placement_page = format!("/partner/aanwezigheid/plaatsingen/{placement}");

    // A partner of another organisation: as if they did not exist.
    let other = app.create_user(Role::Partner).await;
    let elsewhere = other_organisation(&app).await;
    sqlx::query!(
        "UPDATE users SET organisation_id = $2 WHERE id = $1",
        other.id.0,
        elsewhere.0
    )
    .execute(&app.pool)
    .await
    .expect("moved");
    app.login(&other.email, crate::helpers::PASSWORD).await;
    let (_, page) = app.get_page("/partner/aanwezigheid").await;
    assert!(!page.text("main").contains("Taalcafé"));
    for path in [&offer_page, &placement_page] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let response = register(&app, group.offer, &[placement], "", "1u").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // Staff register hours elsewhere.
    for role in [Role::Coach, Role::Coordinator] {
        app.login_as(role).await;
        for path in ["/partner/aanwezigheid", &offer_page, &placement_page] {
            assert_eq!(
                app.get(path).await.status(),
                StatusCode::FORBIDDEN,
                "{role:?} {path}"
            );
        }
    }

    // The partner of the organisation: the one placement, ticked already.
    app.login_as(Role::Partner).await;
    let (status, page) = app.get_page(&placement_page).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.select_all("#aanwezig input[checked]").len(), 1);
    assert_eq!(written_sessions(&app).await, 0);
}

async fn written_sessions(app: &TestApp) -> i64 {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM attendance_sessions"#)
        .fetch_one(&app.pool)
        .await
        .expect("sessions")
}

/// Someone whose placement ended between the page and the click does not cost the others their
/// registration: they are registered, and the page says one ticked person no longer runs.
#[tokio::test]
async fn a_placement_that_ended_since_the_page_was_shown_does_not_stop_the_others() {
    let app = TestApp::spawn().await;
    let group = group(&app).await;
    let partner = app.login_as(Role::Partner).await;
    let ticked: Vec<PlacementId> = group.people.iter().map(|(_, p)| *p).collect();
    sqlx::query("UPDATE placements SET status = 'geannuleerd' WHERE id = $1")
        .bind(ticked[0].0)
        .execute(&app.pool)
        .await
        .expect("cancelled meanwhile");
    let response = register(&app, group.offer, &ticked, "", "2u").await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = Page::parse(&response.text().await.expect("page"));
    let refused = page.text("#niet-geregistreerd");
    assert!(refused.contains("Eén aangevinkte inburgeraar"), "{refused}");
    assert!(refused.contains("loopt niet meer"), "{refused}");
    assert_eq!(written(&app, &partner).await.confirmed_by_partner, 2);
}
