//! A planned placement runs once it has begun: confirmed hours or its start date passing make
//! it *Lopend*, for the coach and the partner alike, audited as a change by the system.

use reqwest::StatusCode;
use time::Duration;
use veertig::domain::placement;
use veertig::domain::user::Role;
use veertig::values::dates::{format_date, today};
use veertig::values::ids::PlacementId;

use crate::helpers::TestApp;

/// Makes the placement planned, starting `days` from today (negative: in the past).
async fn plan(app: &TestApp, placement: PlacementId, days: i32) {
    sqlx::query(
        "UPDATE placements SET status = 'gepland', starts_on = current_date + $2::int WHERE id = $1",
    )
    .bind(placement.0)
    .bind(days)
    .execute(&app.pool)
    .await
    .expect("plan");
}

async fn status(app: &TestApp, placement: PlacementId) -> String {
    sqlx::query_scalar("SELECT status::text FROM placements WHERE id = $1")
        .bind(placement.0)
        .fetch_one(&app.pool)
        .await
        .expect("status")
}

/// A coach of the region and a partner of the organisation, each in a browser of their own.
struct Viewers {
    coach: TestApp,
    partner: TestApp,
}

async fn viewers(app: &TestApp) -> Viewers {
    let coach = TestApp::spawn_on(app).await;
    coach.login_as(Role::Coach).await;
    let partner = TestApp::spawn_on(app).await;
    partner.login_as(Role::Partner).await;
    Viewers { coach, partner }
}

/// The badge the coach's and the partner's placement pages show.
async fn badges(Viewers { coach, partner }: &Viewers, placement: PlacementId) -> (String, String) {
    let (status, coach_page) = coach.get_page(&format!("/plaatsingen/{placement}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, partner_page) = partner
        .get_page(&format!("/partner/plaatsingen/{placement}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    (
        coach_page.text(".lead .badge"),
        partner_page.text(".lead .badge"),
    )
}

/// The system's status changes of the placement: (status before, status after).
async fn system_changes(app: &TestApp, placement: PlacementId) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT before->>'status', after->>'status' FROM audit_log
         WHERE entity = 'placement' AND entity_id = $1 AND action = 'status gewijzigd'
           AND actor_id IS NULL ORDER BY id",
    )
    .bind(placement.0)
    .fetch_all(&app.pool)
    .await
    .expect("audit rows")
}

async fn new_placement(app: &TestApp) -> PlacementId {
    let participant = app.create_participant("Amina Yusuf", None, None).await;
    app.create_placement(participant, app.organisation).await
}

#[tokio::test]
async fn confirming_an_hour_of_a_planned_placement_makes_it_running() {
    let app = TestApp::spawn().await;
    let placement = new_placement(&app).await;
    // Planned to start in a week, but the participant began early.
    plan(&app, placement, 7).await;
    sqlx::query("UPDATE placements SET starts_on = current_date - 3 WHERE id = $1")
        .bind(placement.0)
        .execute(&app.pool)
        .await
        .expect("began early");
    let entry = app.create_entry(placement, 90, 2).await;
    let viewers = viewers(&app).await;
    assert_eq!(
        badges(&viewers, placement).await,
        ("Gepland".to_string(), "Gepland".to_string())
    );
    let response = viewers
        .partner
        .post_form(
            &format!("/partner/uren/{entry}/bevestigen"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(status(&app, placement).await, "lopend");
    assert_eq!(
        badges(&viewers, placement).await,
        ("Lopend".to_string(), "Lopend".to_string())
    );
    assert_eq!(
        system_changes(&app, placement).await,
        [("gepland".to_string(), "lopend".to_string())]
    );
}

#[tokio::test]
async fn hours_a_partner_logs_count_as_confirmed_and_start_the_placement() {
    let app = TestApp::spawn().await;
    let placement = new_placement(&app).await;
    plan(&app, placement, -5).await;
    app.login_as(Role::Partner).await;
    let path = format!("/partner/plaatsingen/{placement}");
    let (_, page) = app.get_page(&path).await;
    assert_eq!(page.text(".lead .badge"), "Gepland");
    let response = app
        .post_form(
            &format!("{path}/uren"),
            &[
                ("dates", &format_date(today() - Duration::days(1))),
                ("minutes", "2u"),
                ("description", "Koffienamiddag"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "hours logged");
    assert_eq!(status(&app, placement).await, "lopend");
    assert_eq!(system_changes(&app, placement).await.len(), 1);
}

#[tokio::test]
async fn a_planned_placement_whose_start_date_passed_runs() {
    let app = TestApp::spawn().await;
    let begun = new_placement(&app).await;
    plan(&app, begun, -60).await;
    let today_starts = new_placement(&app).await;
    plan(&app, today_starts, 0).await;
    let later = new_placement(&app).await;
    plan(&app, later, 1).await;
    let mut conn = app.pool.acquire().await.expect("connection");
    // What the hourly task of the server does.
    placement::start_begun(&mut conn, None, today())
        .await
        .expect("start begun placements");
    let viewers = viewers(&app).await;
    assert_eq!(
        badges(&viewers, begun).await,
        ("Lopend".to_string(), "Lopend".to_string())
    );
    assert_eq!(status(&app, today_starts).await, "lopend");
    assert_eq!(status(&app, later).await, "gepland");
    assert_eq!(
        system_changes(&app, begun).await,
        [("gepland".to_string(), "lopend".to_string())]
    );

    // A coach who deliberately plans it again after its start keeps it so: the task does not
    // undo that choice.
    let response = viewers
        .coach
        .post_form(
            &format!("/plaatsingen/{begun}/status"),
            &[("status", "gepland")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    placement::start_begun(&mut conn, None, today())
        .await
        .expect("start begun placements");
    assert_eq!(status(&app, begun).await, "gepland");
}
