//! Inburgeraars: registering, editing, searching, the participant page, status changes, the
//! coach's caseload, and who may see what.

use reqwest::StatusCode;
use veertig::domain::user::Role;
use veertig::values::ids::ParticipantId;

use crate::helpers::{Page, TestApp, location};

fn valid_form(app: &TestApp) -> Vec<(&'static str, String)> {
    vec![
        ("full_name", "Öztürk Ayşe".into()),
        ("birth_date", "17/05/1990".into()),
        ("municipality_id", app.municipality.to_string()),
        ("dutch_level", "A2".into()),
        ("languages", "Turks, Engels".into()),
        ("phone", "0470 12 34 56".into()),
        ("email", "ayse@example.org".into()),
        ("external_dossier", "KBI-2026-001".into()),
        ("obligation", "verplicht".into()),
        ("start_date", "2026-09-01".into()),
        ("target_end_date", "".into()),
        ("notes", "Wil graag met dieren werken.".into()),
    ]
}

fn as_refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn id_from(location: &str) -> ParticipantId {
    ParticipantId(
        location
            .trim_start_matches("/inburgeraars/")
            .parse()
            .expect("a participant id in the redirect"),
    )
}

#[tokio::test]
async fn a_coach_registers_a_participant_into_their_own_caseload() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    app.get_page("/inburgeraars/nieuw").await;
    let response = app
        .post_form("/inburgeraars/nieuw", &as_refs(&valid_form(&app)))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let id = id_from(&location(&response));

    let (status, page) = app.get_page(&location(&response)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Öztürk Ayşe");
    assert_eq!(page.text(".flash"), "Öztürk Ayşe is ingeschreven.");
    let row: (Option<uuid::Uuid>, time::Date, String) = sqlx::query_as(
        "SELECT coach_id, target_end_date, search_name FROM participants WHERE id = $1",
    )
    .bind(id.0)
    .fetch_one(&app.pool)
    .await
    .expect("row");
    assert_eq!(row.0, Some(coach.id.0));
    // The region's default length (12 months) after the start.
    assert_eq!(row.1, time::macros::date!(2027 - 09 - 01));
    assert_eq!(row.2, "ozturk ayse");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE participant_id = $1 AND action = 'ingeschreven' AND actor_id = $2",
    )
    .bind(id.0)
    .bind(coach.id.0)
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn a_form_with_errors_comes_back_with_what_was_typed() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let mut form = valid_form(&app);
    form[0].1 = "   ".into();
    form[1].1 = "31/02/1990".into();
    form[6].1 = "ayse-at-example".into();
    form[9].1 = "2026-09-01".into();
    form[10].1 = "2026-08-01".into();
    let response = app.post_form("/inburgeraars/nieuw", &as_refs(&form)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    let summary = page.select_all(".error-summary li");
    assert_eq!(summary.len(), 4, "{summary:?}");
    assert_eq!(page.text("#full_name-error"), "Fout: Vul de naam in.");
    assert!(page.text("#birth_date-error").contains("Dit is geen datum"));
    assert!(page.text("#email-error").contains("geldig e-mailadres"));
    assert!(
        page.text("#target_end_date-error")
            .contains("vóór de startdatum")
    );
    assert_eq!(
        page.attr("#birth_date", "value").as_deref(),
        Some("31/02/1990")
    );
    assert_eq!(
        page.attr("#email", "value").as_deref(),
        Some("ayse-at-example")
    );
    assert_eq!(
        page.attr("#languages", "value").as_deref(),
        Some("Turks, Engels")
    );
    assert_eq!(page.text("#notes"), "Wil graag met dieren werken.");
    assert_eq!(
        page.attr("#birth_date", "aria-invalid").as_deref(),
        Some("true")
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM participants")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_municipality_of_another_region_is_refused_next_to_the_field() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let other = app.other_region().await;
    let mut form = valid_form(&app);
    form[2].1 = other.municipality.to_string();
    let response = app.post_form("/inburgeraars/nieuw", &as_refs(&form)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text("#municipality_id-error")
            .contains("niet bij uw regio")
    );
    assert_eq!(
        page.attr("#full_name", "value").as_deref(),
        Some("Öztürk Ayşe")
    );
}

#[tokio::test]
async fn a_national_register_number_is_refused_as_dossier_number() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let mut form = valid_form(&app);
    form[7].1 = "90.03.14-123.10".into();
    let response = app.post_form("/inburgeraars/nieuw", &as_refs(&form)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text("#external_dossier-error")
            .contains("rijksregisternummer"),
        "{}",
        page.text("#external_dossier-error")
    );
    assert_eq!(
        page.attr("#external_dossier", "value").as_deref(),
        Some("90.03.14-123.10")
    );
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM participants WHERE external_dossier LIKE '90%'")
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn search_ignores_accents_and_case_in_any_script() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    for name in [
        "Öztürk Ayşe",
        "Олена Шевченко",
        "مُحَمَّد الحداد",
        "ተስፋይ ገብረ",
        "Jan Peeters",
    ] {
        app.create_participant(name, None, None).await;
    }
    for (typed, expected) in [
        ("Ozturk", "Öztürk Ayşe"),
        ("ayse", "Öztürk Ayşe"),
        ("олена", "Олена Шевченко"),
        ("ШЕВЧ", "Олена Шевченко"),
        ("محمد", "مُحَمَّد الحداد"),
        ("ተስፋ", "ተስፋይ ገብረ"),
        ("peet", "Jan Peeters"),
    ] {
        let query = serde_urlencoded::to_string([("q", typed)]).expect("query");
        let (status, page) = app.get_page(&format!("/inburgeraars?{query}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            page.select_all("tbody td:first-child a"),
            vec![expected.to_string()],
            "{typed}"
        );
        assert_eq!(page.attr("#q", "value").as_deref(), Some(typed));
    }
    let (_, page) = app.get_page("/inburgeraars?q=zzz").await;
    assert!(page.text(".empty").contains("Geen inburgeraars gevonden"));
    // A wildcard is a character, not "anything".
    let (_, page) = app.get_page("/inburgeraars?q=%25").await;
    assert!(page.select_all("tbody tr").is_empty());
}

#[tokio::test]
async fn the_list_filters_and_pages() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let colleague = app.create_user(Role::Coach).await;
    for n in 0..53 {
        app.create_participant(&format!("Deelnemer {n:02}"), Some(coach.id), None)
            .await;
    }
    let stopped = app
        .create_participant("Gestopt Persoon", Some(colleague.id), None)
        .await;
    sqlx::query(
        "UPDATE participants SET status = 'stopgezet', status_reason = 'verhuisd' WHERE id = $1",
    )
    .bind(stopped.0)
    .execute(&app.pool)
    .await
    .expect("stop");

    let (_, page) = app.get_page("/inburgeraars").await;
    assert_eq!(page.select_all("tbody tr").len(), 50);
    assert_eq!(
        page.text("tbody tr:first-child td:first-child"),
        "Deelnemer 00"
    );
    assert!(page.attr("a[rel=next]", "href").is_some());
    assert!(page.attr("a[rel=prev]", "href").is_none());
    let next = page.attr("a[rel=next]", "href").expect("next");
    let (_, page) = app.get_page(&next).await;
    assert_eq!(page.select_all("tbody tr").len(), 4);
    assert!(page.attr("a[rel=next]", "href").is_none());

    let (_, page) = app.get_page("/inburgeraars?status=stopgezet").await;
    assert_eq!(
        page.select_all("tbody td:first-child a"),
        vec!["Gestopt Persoon".to_string()]
    );
    let (_, page) = app
        .get_page(&format!("/inburgeraars?begeleider={}", colleague.id))
        .await;
    assert_eq!(page.select_all("tbody tr").len(), 1);
    let (_, page) = app
        .get_page("/inburgeraars?begeleider=mijn&q=deelnemer%2005")
        .await;
    assert_eq!(
        page.select_all("tbody td:first-child a"),
        vec!["Deelnemer 05".to_string()]
    );
    let other = app.other_region().await;
    let (_, page) = app
        .get_page(&format!("/inburgeraars?gemeente={}", other.municipality))
        .await;
    assert!(page.select_all("tbody tr").is_empty());
    let (_, page) = app
        .get_page(&format!("/inburgeraars?gemeente={}", app.municipality))
        .await;
    assert_eq!(page.select_all("tbody tr").len(), 50);
}

#[tokio::test]
async fn staff_of_another_region_partners_and_strangers_cannot_see_a_participant() {
    let app = TestApp::spawn().await;
    let other = app.other_region().await;
    let elsewhere = app.create_participant("Ver Weg", None, Some(&other)).await;
    let here = app.create_participant("Dicht Bij", None, None).await;

    let anonymous = app.get(&format!("/inburgeraars/{here}")).await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);

    app.login_as(Role::Coach).await;
    for path in [
        format!("/inburgeraars/{elsewhere}"),
        format!("/inburgeraars/{elsewhere}/bewerken"),
        "/inburgeraars/not-a-uuid".to_string(),
    ] {
        let (status, page) = app.get_page(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.text("h1"), "Pagina niet gevonden");
    }
    let response = app
        .post_form(
            &format!("/inburgeraars/{elsewhere}/stopzetten"),
            &[("reason", "verhuisd")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (_, page) = app.get_page("/inburgeraars").await;
    assert_eq!(
        page.select_all("tbody td:first-child a"),
        vec!["Dicht Bij".to_string()]
    );

    let partner = TestApp::spawn_on(&app).await;
    partner.login_as(Role::Partner).await;
    assert_eq!(
        partner.get(&format!("/inburgeraars/{here}")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        partner.get("/inburgeraars").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_participant_page_shows_progress_in_numbers_and_history() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let id = app
        .create_participant("Samira Benali", Some(coach.id), None)
        .await;
    let placement = app.create_placement(id, app.organisation).await;
    for (minutes, status) in [(90, "bevestigd"), (30, "ingediend"), (45, "afgewezen")] {
        sqlx::query(
            "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes, status, rejection_reason)
             VALUES ($1, $2, $3, current_date - 1, $4, $5::entry_status, CASE WHEN $5 = 'afgewezen' THEN 'dubbel' END)",
        )
        .bind(placement.0)
        .bind(id.0)
        .bind(app.organisation.0)
        .bind(minutes)
        .bind(status)
        .execute(&app.pool)
        .await
        .expect("entry");
    }
    let (status, page) = app.get_page(&format!("/inburgeraars/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let progress = page.text(".progress-text");
    assert!(
        progress.contains("1 u 30 bevestigd van 40 u (3%)"),
        "{progress}"
    );
    assert!(
        progress.contains("30 min wacht op bevestiging"),
        "{progress}"
    );
    assert_eq!(
        page.select_all("#uren ~ .table-wrap tbody tr, section[aria-labelledby=uren] tbody tr")
            .len(),
        3
    );
    assert!(
        page.text("section[aria-labelledby=plaatsingen] tbody")
            .contains("Testvereniging")
    );

    // Editing is audited with before and after, and shows in the history.
    let mut form = valid_form(&app);
    form[0].1 = "Samira Benali-El Amrani".into();
    let response = app
        .post_form(&format!("/inburgeraars/{id}/bewerken"), &as_refs(&form))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (before, after): (String, String) = sqlx::query_as(
        "SELECT before->>'full_name', after->>'full_name' FROM audit_log WHERE participant_id = $1 AND action = 'gewijzigd'",
    )
    .bind(id.0)
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(
        (before.as_str(), after.as_str()),
        ("Samira Benali", "Samira Benali-El Amrani")
    );
    let (_, page) = app.get_page(&format!("/inburgeraars/{id}")).await;
    assert!(
        page.text(".history")
            .contains("Inburgeraar gewijzigd door Test Coach")
    );
}

#[tokio::test]
async fn stopping_needs_a_reason_and_can_be_undone() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let id = app.create_participant("Yusuf Kaya", None, None).await;
    let status = || async {
        sqlx::query_scalar::<_, String>("SELECT status::text FROM participants WHERE id = $1")
            .bind(id.0)
            .fetch_one(&app.pool)
            .await
            .expect("status")
    };

    let response = app
        .post_form(
            &format!("/inburgeraars/{id}/stopzetten"),
            &[("stop-reason", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    assert_eq!(page.text(".flash-error"), "Kies een reden uit de lijst.");
    assert_eq!(status().await, "actief");

    let response = app
        .post_form(
            &format!("/inburgeraars/{id}/stopzetten"),
            &[("stop-reason", "verhuisd"), ("stop-note", "Naar Gent")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(status().await, "stopgezet");
    let (_, page) = app.get_page(&format!("/inburgeraars/{id}")).await;
    assert!(
        page.text(".details")
            .contains("Verhuisd buiten de regio — Naar Gent")
    );

    // A stopped trajectory cannot be exempted without reactivating it first.
    let response = app
        .post_form(
            &format!("/inburgeraars/{id}/vrijstellen"),
            &[("exempt-reason", "medisch")],
        )
        .await;
    let (_, page) = app.get_page(&location(&response)).await;
    assert!(
        page.text(".flash-error")
            .contains("Alleen een actief traject")
    );

    app.post_form(&format!("/inburgeraars/{id}/heractiveren"), &[])
        .await;
    assert_eq!(status().await, "actief");
    app.post_form(
        &format!("/inburgeraars/{id}/vrijstellen"),
        &[("exempt-reason", "medisch")],
    )
    .await;
    assert_eq!(status().await, "vrijgesteld");
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE participant_id = $1 ORDER BY id")
            .bind(id.0)
            .fetch_all(&app.pool)
            .await
            .expect("audit");
    assert_eq!(actions, ["stopgezet", "heractiveerd", "vrijgesteld"]);
}

#[tokio::test]
async fn a_coordinator_assigns_a_coach_of_the_region_only() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let coach = app.create_user(Role::Coach).await;
    let id = app.create_participant("Lina Haddad", None, None).await;
    let response = app
        .post_form(
            &format!("/inburgeraars/{id}/begeleider"),
            &[("coach_id", &coach.id.to_string())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let assigned: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT coach_id FROM participants WHERE id = $1")
            .bind(id.0)
            .fetch_one(&app.pool)
            .await
            .expect("coach");
    assert_eq!(assigned, Some(coach.id.0));

    // A partner user (or anyone not a coach of this region) cannot be made the coach.
    let partner = app.create_user(Role::Partner).await;
    let response = app
        .post_form(
            &format!("/inburgeraars/{id}/begeleider"),
            &[("coach_id", &partner.id.to_string())],
        )
        .await;
    let (_, page) = app.get_page(&location(&response)).await;
    assert!(page.text(".flash-error").contains("werkt niet in uw regio"));
}

#[tokio::test]
async fn the_coach_home_puts_who_needs_attention_first() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let on_track = app
        .create_participant("Aaron Op Schema", Some(coach.id), None)
        .await;
    let stalled = app
        .create_participant("Bea Stilgevallen", Some(coach.id), None)
        .await;
    let deadline = app
        .create_participant("Cem Deadline", Some(coach.id), None)
        .await;
    let waiting = app
        .create_participant("Dina Wacht", Some(coach.id), None)
        .await;
    let not_mine = app
        .create_participant("Eva Van Een Ander", None, None)
        .await;
    let placement = app.create_placement(on_track, app.organisation).await;
    sqlx::query(
        "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes, status)
         VALUES ($1, $2, $3, current_date - 2, 120, 'bevestigd')",
    )
    .bind(placement.0)
    .bind(on_track.0)
    .bind(app.organisation.0)
    .execute(&app.pool)
    .await
    .expect("entry");
    let waiting_placement = app.create_placement(waiting, app.organisation).await;
    sqlx::query(
        "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes, status)
         VALUES ($1, $2, $3, current_date - 2, 60, 'bevestigd'), ($1, $2, $3, current_date - 1, 60, 'ingediend')",
    )
    .bind(waiting_placement.0)
    .bind(waiting.0)
    .bind(app.organisation.0)
    .execute(&app.pool)
    .await
    .expect("entries");
    sqlx::query("UPDATE participants SET start_date = current_date - 90 WHERE id = $1")
        .bind(stalled.0)
        .execute(&app.pool)
        .await
        .expect("stalled");
    sqlx::query("UPDATE participants SET target_end_date = current_date + 20 WHERE id = $1")
        .bind(deadline.0)
        .execute(&app.pool)
        .await
        .expect("deadline");
    let _ = not_mine;

    let (status, page) = app.get_page("/caseload").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.select_all("tbody td:first-child a"),
        [
            "Bea Stilgevallen",
            "Cem Deadline",
            "Dina Wacht",
            "Aaron Op Schema"
        ]
    );
    let counts = page.select_all(".counts li");
    assert_eq!(
        counts,
        [
            "4 actieve inburgeraars",
            "1 stilgevallen",
            "1 met einddatum binnen 60 dagen",
            "1 met uren die wachten op bevestiging",
            "0 gepauzeerd"
        ]
    );
    assert!(page.text("tbody tr:first-child").contains("Stilgevallen"));
}

/// Issue 22 item 18: the hours on the participant page carry the same Dutch labels as the
/// placement page ("Bevestigd"), not the database's codes ("bevestigd").
#[tokio::test]
async fn the_participant_page_labels_entry_statuses_as_the_placement_page_does() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Ahmad Rahimi", Some(coach.id), None)
        .await;
    let placement = app.create_placement(participant, app.organisation).await;
    let confirmed = app.create_entry(placement, 120, 3).await;
    let refused = app.create_entry(placement, 60, 2).await;
    app.create_entry(placement, 90, 1).await;
    app.decide_entry(confirmed, None, 0).await;
    app.decide_entry(refused, Some("Die dag was het gesloten."), 0)
        .await;
    let (status, page) = app.get_page(&format!("/inburgeraars/{participant}")).await;
    assert_eq!(status, StatusCode::OK);
    // The trajectory's own status too: "Actief" as the placements say "Lopend".
    assert_eq!(page.text("main .badge"), "Actief");
    let mut badges = page.select_all("[aria-labelledby=uren] .badge");
    badges.sort();
    assert_eq!(badges, ["Afgewezen", "Bevestigd", "Ingediend"]);
    let (_, placement_page) = app.get_page(&format!("/plaatsingen/{placement}")).await;
    let mut there = placement_page.select_all("table.entries .badge");
    there.sort();
    assert_eq!(badges, there, "the same words on both pages");
}
