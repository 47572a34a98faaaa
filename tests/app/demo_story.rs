//! The demo tells the whole story (issue 21 part 7): hours an inburgeraar reported himself wait
//! for the partner, a trajectory is paused, the partner registered someone at the door, and
//! every demo placement has a contact a reminder can reach (Petra's account at De Brug, a
//! contact with an e-mail address elsewhere), so *Herinnering sturen* works and the bewijs van
//! deelname of hours still waiting carries its QR code.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn in_the_demo_every_placement_can_be_reminded_and_its_bewijs_has_a_qr_code() {
    let app = TestApp::spawn().await;
    assert!(veertig::demo::load(&app.pool).await.expect("demo data"));
    let response = app
        .login("begeleider@example.org", veertig::demo::PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, _) = app.get_page("/caseload").await;
    assert_eq!(status, StatusCode::OK);
    let placements: Vec<(uuid::Uuid, String)> = sqlx::query_as(
        "SELECT pl.id, o.name FROM placements pl JOIN organisations o ON o.id = pl.organisation_id
         WHERE EXISTS (SELECT 1 FROM hour_entries e
                       WHERE e.placement_id = pl.id AND e.status = 'ingediend')
         ORDER BY o.name",
    )
    .fetch_all(&app.pool)
    .await
    .expect("placements");
    assert!(placements.len() >= 4, "hours wait at several organisations");
    for (placement, organisation) in &placements {
        let response = app
            .post_form(&format!("/plaatsingen/{placement}/bewijs"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{organisation}");
        let page = crate::helpers::Page::parse(&response.text().await.expect("bewijs"));
        assert!(
            page.attr("svg.sheet-qr", "aria-label").is_some(),
            "the bewijs of {organisation} has a QR code"
        );
        let response = app
            .post_form(&format!("/plaatsingen/{placement}/herinnering"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{organisation}");
        let (_, page) = app.get_page(&format!("/plaatsingen/{placement}")).await;
        assert!(
            !page.text("main").contains("geen contactpersoon"),
            "{organisation}: {}",
            page.text("main")
        );
    }
    let to_petra: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE recipient = 'partner@example.org'")
            .fetch_one(&app.pool)
            .await
            .expect("mails");
    assert!(to_petra >= 1, "Petra is the contact at De Brug");
}

#[tokio::test]
async fn the_demo_has_reported_hours_a_paused_trajectory_and_an_attendance_session() {
    let app = TestApp::spawn().await;
    assert!(veertig::demo::load(&app.pool).await.expect("demo data"));
    let response = app
        .login("partner@example.org", veertig::demo::PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page("/partner").await;
    assert!(
        page.text("main").contains("gemeld door de inburgeraar"),
        "Petra sees Ahmad's own report"
    );
    let coach = TestApp::spawn_on(&app).await;
    coach
        .login("begeleider@example.org", veertig::demo::PASSWORD)
        .await;
    let (_, page) = coach.get_page("/caseload").await;
    let caseload = page.text("main");
    assert!(caseload.contains("Gepauzeerd"), "{caseload}");
    assert!(
        caseload.contains("Uren gemeld door de inburgeraar"),
        "{caseload}"
    );
}
