//! What a partner sees of the placements at their organisation, and the hours they log.

use reqwest::StatusCode;
use time::{Date, Duration};
use veertig::domain::user::Role;
use veertig::values::dates::{format_date, today};
use veertig::values::ids::{OrganisationId, ParticipantId, PlacementId};

use crate::helpers::{Page, TestApp, TestUser, location};

struct Setup {
    app: TestApp,
    partner: TestUser,
    participant: ParticipantId,
    placement: PlacementId,
}

/// A logged-in partner of the test organisation, with one running placement there.
async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let partner = app.login_as(Role::Partner).await;
    let participant = app.create_participant("Tesfay Gebre", None, None).await;
    sqlx::query!(
        "UPDATE participants SET notes = 'Vertrouwelijke notitie', phone = '0470 11 22 33',
             email = 'tesfay@example.org', birth_date = '1991-03-04' WHERE id = $1",
        participant.0
    )
    .execute(&app.pool)
    .await
    .expect("private details");
    let placement = app.create_placement(participant, app.organisation).await;
    Setup {
        app,
        partner,
        participant,
        placement,
    }
}

fn days_ago(days: i64) -> Date {
    today() - Duration::days(days)
}

async fn second_organisation(app: &TestApp) -> OrganisationId {
    sqlx::query_scalar!(
        r#"INSERT INTO organisations (region_id, name, kind) VALUES ($1, 'Woonzorgcentrum Zonneweelde', 'woonzorgcentrum')
           RETURNING id AS "id: OrganisationId""#,
        app.region.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("second organisation")
}

async fn log(
    app: &TestApp,
    placement: PlacementId,
    dates: &str,
    minutes: &str,
) -> reqwest::Response {
    app.post_form(
        &format!("/partner/plaatsingen/{placement}/uren"),
        &[
            ("dates", dates),
            ("minutes", minutes),
            ("description", "Koffienamiddag"),
        ],
    )
    .await
}

#[tokio::test]
async fn partner_sees_the_placements_of_their_own_organisation() {
    let s = setup().await;
    let app = &s.app;
    let elsewhere = second_organisation(app).await;
    let other_participant = app.create_participant("Niet Hier", None, None).await;
    app.create_placement(other_participant, elsewhere).await;
    sqlx::query!(
        "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes, status, decided_at)
         VALUES ($1, $2, $3, current_date - 3, 150, 'bevestigd', now()),
                ($1, $2, $3, current_date - 2, 60, 'ingediend', NULL)",
        s.placement.0,
        s.participant.0,
        app.organisation.0
    )
    .execute(&app.pool)
    .await
    .expect("entries");

    let (status, page) = app.get_page("/partner/plaatsingen").await;
    assert_eq!(status, StatusCode::OK);
    let rows = page.select_all("table.placements tbody tr");
    assert_eq!(rows.len(), 1, "only their own organisation's placements");
    assert_eq!(page.text("table.placements tbody td bdi"), "Tesfay Gebre");
    let cells = page.select_all("table.placements tbody td");
    assert_eq!(cells[1], "2 u 30", "confirmed");
    assert_eq!(cells[2], "1 u", "pending");
    assert_eq!(cells[3], "Lopend");
    assert_eq!(cells[4], "Buddy");
    assert_eq!(
        page.attr("table.placements tbody a", "href"),
        Some(format!("/partner/plaatsingen/{}", s.placement))
    );
    let html = page.0.html();
    assert!(!html.contains("Niet Hier"));
    assert!(!html.contains("1991"));
}

#[tokio::test]
async fn partner_page_shows_name_placement_and_hours_but_nothing_private() {
    let s = setup().await;
    let (status, page) = s
        .app
        .get_page(&format!("/partner/plaatsingen/{}", s.placement))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Tesfay Gebre");
    assert!(page.text("dl.details").contains("Buddy"));
    assert!(page.text("dl.details").contains("40 u"));
    let html = page.0.html();
    for private in [
        "04/03/1991",
        "1991-03-04",
        "Vertrouwelijke notitie",
        "0470 11 22 33",
        "tesfay@example.org",
    ] {
        assert!(!html.contains(private), "{private} must not be shown");
    }
    assert!(
        page.select_all("a[href^=\"/inburgeraars\"]").is_empty(),
        "no links into staff pages"
    );
    assert_eq!(
        page.attr("#uren form", "action"),
        Some(format!("/partner/plaatsingen/{}/uren#fouten", s.placement))
    );
}

#[tokio::test]
async fn hours_a_partner_logs_are_confirmed_at_once() {
    let s = setup().await;
    let app = &s.app;
    let dates = format!("{}\n{}", format_date(days_ago(8)), format_date(days_ago(1)));
    let response = log(app, s.placement, &dates, "2 uur").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        format!("/partner/plaatsingen/{}", s.placement)
    );
    let entries = sqlx::query!(
        r#"SELECT status::text AS "status!", decided_by, decided_at, created_by, minutes
           FROM hour_entries WHERE placement_id = $1"#,
        s.placement.0
    )
    .fetch_all(&app.pool)
    .await
    .expect("entries");
    assert_eq!(entries.len(), 2);
    for entry in &entries {
        assert_eq!(entry.status, "bevestigd");
        assert_eq!(entry.decided_by, Some(s.partner.id.0));
        assert_eq!(entry.created_by, Some(s.partner.id.0));
        assert!(entry.decided_at.is_some());
        assert_eq!(entry.minutes, 120);
    }
    let totals = sqlx::query!(
        "SELECT confirmed_minutes, pending_minutes, last_confirmed_on FROM participants WHERE id = $1",
        s.participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("totals");
    assert_eq!((totals.confirmed_minutes, totals.pending_minutes), (240, 0));
    assert_eq!(totals.last_confirmed_on, Some(days_ago(1)));

    let (_, page) = app.get_page(&location(&response)).await;
    assert_eq!(page.select_all("table.entries .badge-bevestigd").len(), 2);
    assert!(page.text(".flash").contains("geregistreerd en bevestigd"));
    assert!(
        page.select_all("table.entries a, table.entries button")
            .is_empty(),
        "partners do not edit or delete entries here"
    );
    let audited = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_log
           WHERE entity = 'hour_entry' AND participant_id = $1 AND actor_id = $2
             AND action = 'geregistreerd en bevestigd' AND after->>'status' = 'bevestigd'"#,
        s.participant.0,
        s.partner.id.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 2);
}

#[tokio::test]
async fn the_hour_rules_hold_for_partners_too() {
    let s = setup().await;
    let app = &s.app;
    let tomorrow = today() + Duration::days(1);
    let typed = format!("{}\n{}", format_date(days_ago(1)), format_date(tomorrow));
    let response = log(app, s.placement, &typed, "1u").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        page.select_all(".error-summary li"),
        [format!(
            "{} ligt in de toekomst: registreer uren nadat ze gepresteerd zijn.",
            format_date(tomorrow)
        )]
    );
    assert_eq!(page.text("#dates"), typed);
    assert_eq!(page.attr("#minutes", "value").as_deref(), Some("1u"));
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM hour_entries WHERE placement_id = $1"#,
        s.placement.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(count, 0);

    // Over the day limit, counted with the hours a coach logged at another organisation.
    let elsewhere = second_organisation(app).await;
    let other_placement = app.create_placement(s.participant, elsewhere).await;
    sqlx::query!(
        "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes)
         VALUES ($1, $2, $3, $4, 600)",
        other_placement.0,
        s.participant.0,
        elsewhere.0,
        days_ago(1)
    )
    .execute(&app.pool)
    .await
    .expect("hours elsewhere");
    let response = log(app, s.placement, &format_date(days_ago(1)), "3u").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = log(app, s.placement, &format_date(days_ago(1)), "2u").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn partner_cannot_open_another_organisations_placement() {
    let s = setup().await;
    let app = &s.app;
    let elsewhere = second_organisation(app).await;
    let other_participant = app.create_participant("Andere Deelnemer", None, None).await;
    let foreign = app.create_placement(other_participant, elsewhere).await;
    let other_region = app.other_region().await;
    let far = app
        .create_participant("Ver Weg", None, Some(&other_region))
        .await;
    let far_placement = app.create_placement(far, other_region.organisation).await;

    for placement in [foreign, far_placement] {
        let (status, page) = app
            .get_page(&format!("/partner/plaatsingen/{placement}"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(page.text("h1"), "Pagina niet gevonden");
        let response = log(app, placement, &format_date(days_ago(1)), "1u").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let count = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM hour_entries WHERE placement_id = ANY($1)"#,
        &[foreign.0, far_placement.0]
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(count, 0);

    let (status, _) = app.get_page("/partner/plaatsingen/geen-uuid").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_cancelled_placement_takes_no_partner_hours() {
    let s = setup().await;
    sqlx::query!(
        "UPDATE placements SET status = 'geannuleerd' WHERE id = $1",
        s.placement.0
    )
    .execute(&s.app.pool)
    .await
    .expect("cancel");
    let (_, page) = s
        .app
        .get_page(&format!("/partner/plaatsingen/{}", s.placement))
        .await;
    assert!(page.select_all("#uren form").is_empty());
    let response = log(&s.app, s.placement, &format_date(days_ago(1)), "1u").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn staff_and_strangers_cannot_use_the_partner_pages() {
    let s = setup().await;
    let coach = TestApp::spawn_on(&s.app).await;
    coach.login_as(Role::Coach).await;
    let (status, _) = coach.get_page("/partner/plaatsingen").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = coach
        .get_page(&format!("/partner/plaatsingen/{}", s.placement))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let response = log(&coach, s.placement, &format_date(days_ago(1)), "1u").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let stranger = TestApp::spawn_on(&s.app).await;
    let response = stranger.get("/partner/plaatsingen").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
}

#[tokio::test]
async fn the_partner_list_pages_through_many_placements() {
    let s = setup().await;
    let app = &s.app;
    for n in 0..55 {
        let participant = app
            .create_participant(&format!("Deelnemer {n:02}"), None, None)
            .await;
        app.create_placement(participant, app.organisation).await;
    }
    let (_, page) = app.get_page("/partner/plaatsingen").await;
    assert_eq!(page.select_all("table.placements tbody tr").len(), 50);
    assert_eq!(
        page.attr(".pagination a[rel=next]", "href").as_deref(),
        Some("/partner/plaatsingen?pagina=2")
    );
    let (_, page) = app.get_page("/partner/plaatsingen?pagina=2").await;
    assert_eq!(page.select_all("table.placements tbody tr").len(), 6);
    assert!(page.select_all(".pagination a[rel=next]").is_empty());
}
