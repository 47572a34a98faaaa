//! The coördinator's dashboard, working lists and CSV exports against hand-computed fixtures;
//! the right-of-access export; `veertig purge`; and who may see any of it.

use std::process::Command;

use reqwest::StatusCode;
use time::Date;
use time::macros::date;
use uuid::Uuid;
use veertig::domain::privacy;
use veertig::domain::user::Role;
use veertig::values::ids::{MunicipalityId, OrganisationId, ParticipantId, PlacementId, RegionId};

use crate::helpers::{OtherRegion, Page, TestApp, database_url, status_counts_differing};

// ---------------------------------------------------------------------------------------------
// Fixture helpers

async fn municipality(app: &TestApp, region: RegionId, name: &str) -> MunicipalityId {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO municipalities (region_id, name) VALUES ($1, $2) RETURNING id",
    )
    .bind(region.0)
    .bind(name)
    .fetch_one(&app.pool)
    .await
    .expect("municipality");
    MunicipalityId(id)
}

async fn organisation(app: &TestApp, region: RegionId, name: &str) -> OrganisationId {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO organisations (region_id, name, kind, search_name, phone, email)
         VALUES ($1, $2, 'vereniging', lower($2), '050 12 34 56', 'info@example.org') RETURNING id",
    )
    .bind(region.0)
    .bind(name)
    .fetch_one(&app.pool)
    .await
    .expect("organisation");
    OrganisationId(id)
}

/// Sets a participant's municipality, birth date, status and trajectory.
async fn shape(
    app: &TestApp,
    id: ParticipantId,
    municipality: MunicipalityId,
    birth: Date,
    status: &str,
    start: Date,
    end: Date,
) {
    let reason = match status {
        "stopgezet" => Some("verhuisd"),
        "vrijgesteld" => Some("medisch"),
        _ => None,
    };
    sqlx::query(
        "UPDATE participants SET municipality_id = $2, birth_date = $3,
             status = $4::participant_status, status_reason = $5, start_date = $6, target_end_date = $7
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(municipality.0)
    .bind(birth)
    .bind(status)
    .bind(reason)
    .bind(start)
    .bind(end)
    .execute(&app.pool)
    .await
    .expect("shape participant");
}

async fn placement(
    app: &TestApp,
    participant: ParticipantId,
    organisation: OrganisationId,
    kind: &str,
    starts: Date,
    ends: Date,
) -> PlacementId {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO placements (participant_id, organisation_id, kind, status, starts_on, ends_on, planned_minutes)
         VALUES ($1, $2, $3::placement_kind, 'lopend', $4, $5, 2400) RETURNING id",
    )
    .bind(participant.0)
    .bind(organisation.0)
    .bind(kind)
    .bind(starts)
    .bind(ends)
    .fetch_one(&app.pool)
    .await
    .expect("placement");
    PlacementId(id)
}

/// An entry with the given status on a fixed day.
async fn entry(app: &TestApp, placement: PlacementId, worked_on: Date, minutes: i32, status: &str) {
    sqlx::query(
        "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes, status, rejection_reason)
         SELECT id, participant_id, organisation_id, $2, $3, $4::entry_status,
                CASE WHEN $4 = 'afgewezen' THEN 'fout' END
         FROM placements WHERE id = $1",
    )
    .bind(placement.0)
    .bind(worked_on)
    .bind(minutes)
    .bind(status)
    .execute(&app.pool)
    .await
    .expect("entry");
}

/// An entry `days_ago` days back (worked and submitted then).
async fn recent_entry(
    app: &TestApp,
    placement: PlacementId,
    days_ago: i32,
    minutes: i32,
    status: &str,
) {
    sqlx::query(
        "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes, status,
                                   rejection_reason, created_at)
         SELECT id, participant_id, organisation_id, current_date - $2, $3, $4::entry_status,
                CASE WHEN $4 = 'afgewezen' THEN 'fout' END, now() - make_interval(days => $2)
         FROM placements WHERE id = $1",
    )
    .bind(placement.0)
    .bind(days_ago)
    .bind(minutes)
    .bind(status)
    .execute(&app.pool)
    .await
    .expect("entry");
}

/// The rows of a table as (header cell, data cells).
fn rows(page: &Page, table: &str) -> Vec<Vec<String>> {
    let row_selector = scraper::Selector::parse(&format!("{table} tbody tr")).expect("selector");
    let cell = scraper::Selector::parse("th, td").expect("selector");
    page.0
        .select(&row_selector)
        .map(|row| {
            row.select(&cell)
                .map(|c| c.text().collect::<String>().trim().to_string())
                .collect()
        })
        .collect()
}

fn table(pairs: &[(&str, &str)]) -> Vec<Vec<String>> {
    pairs
        .iter()
        .map(|(a, b)| vec![a.to_string(), b.to_string()])
        .collect()
}

/// The dashboard fixture of the first quarter of 2025 (see each line for what it adds).
struct Quarter {
    second_municipality: MunicipalityId,
    second_organisation: OrganisationId,
}

async fn quarter_fixture(app: &TestApp) -> Quarter {
    let a = app.municipality; // "Testgemeente"
    let b = municipality(app, app.region, "Tweede gemeente").await;
    let x = app.organisation; // "Testvereniging"
    let y = organisation(app, app.region, "Buurthuis Ypsilon").await;

    // Anna, A, active: buddy at X 120 + 90 confirmed (Jan, Feb), 60 pending; stage at Y 180
    // confirmed (Mar), 30 rejected.
    let anna = app.create_participant("Anna", None, None).await;
    shape(
        app,
        anna,
        a,
        date!(1990 - 05 - 17),
        "actief",
        date!(2025 - 01 - 01),
        date!(2025 - 12 - 31),
    )
    .await;
    let anna_x = placement(
        app,
        anna,
        x,
        "buddy",
        date!(2025 - 01 - 01),
        date!(2025 - 06 - 30),
    )
    .await;
    entry(app, anna_x, date!(2025 - 01 - 10), 120, "bevestigd").await;
    entry(app, anna_x, date!(2025 - 02 - 05), 90, "bevestigd").await;
    entry(app, anna_x, date!(2025 - 02 - 20), 60, "ingediend").await;
    let anna_y = placement(
        app,
        anna,
        y,
        "stage",
        date!(2025 - 03 - 01),
        date!(2025 - 04 - 30),
    )
    .await;
    entry(app, anna_y, date!(2025 - 03 - 03), 180, "bevestigd").await;
    entry(app, anna_y, date!(2025 - 03 - 04), 30, "afgewezen").await;

    // Bilal, B, active: volunteering at X 240 (Feb) and 60 in April, outside the quarter.
    let bilal = app.create_participant("Bilal", None, None).await;
    shape(
        app,
        bilal,
        b,
        date!(2001 - 03 - 01),
        "actief",
        date!(2025 - 02 - 01),
        date!(2026 - 01 - 31),
    )
    .await;
    let bilal_x = placement(
        app,
        bilal,
        x,
        "vrijwilligerswerk",
        date!(2025 - 02 - 01),
        date!(2025 - 12 - 31),
    )
    .await;
    entry(app, bilal_x, date!(2025 - 02 - 10), 240, "bevestigd").await;
    entry(app, bilal_x, date!(2025 - 04 - 01), 60, "bevestigd").await;

    // Chen, A, stopped in 2024: trajectory and hours outside the quarter.
    let chen = app.create_participant("Chen", None, None).await;
    shape(
        app,
        chen,
        a,
        date!(1980 - 01 - 01),
        "stopgezet",
        date!(2024 - 01 - 01),
        date!(2024 - 12 - 31),
    )
    .await;
    let chen_y = placement(
        app,
        chen,
        y,
        "taalstage",
        date!(2024 - 11 - 01),
        date!(2024 - 12 - 31),
    )
    .await;
    entry(app, chen_y, date!(2024 - 12 - 15), 100, "bevestigd").await;

    // Dina, B, completed: language internship at Y, 600 in January.
    let dina = app.create_participant("Dina", None, None).await;
    shape(
        app,
        dina,
        b,
        date!(1970 - 01 - 01),
        "afgerond",
        date!(2024 - 06 - 01),
        date!(2025 - 05 - 31),
    )
    .await;
    let dina_y = placement(
        app,
        dina,
        y,
        "taalstage",
        date!(2025 - 01 - 01),
        date!(2025 - 03 - 31),
    )
    .await;
    entry(app, dina_y, date!(2025 - 01 - 20), 600, "bevestigd").await;

    // Another region, same months: never counted here.
    let other = app.other_region().await;
    let far = app.create_participant("Ver Weg", None, Some(&other)).await;
    shape(
        app,
        far,
        other.municipality,
        date!(1990 - 01 - 01),
        "actief",
        date!(2025 - 01 - 01),
        date!(2025 - 12 - 31),
    )
    .await;
    let far_o = placement(
        app,
        far,
        other.organisation,
        "buddy",
        date!(2025 - 01 - 01),
        date!(2025 - 06 - 30),
    )
    .await;
    entry(app, far_o, date!(2025 - 01 - 15), 720, "bevestigd").await;

    Quarter {
        second_municipality: b,
        second_organisation: y,
    }
}

const QUARTER: &str = "van=2025-01&tot=2025-03";

// ---------------------------------------------------------------------------------------------
// The dashboard

#[tokio::test]
async fn the_dashboard_shows_the_hand_computed_quarter() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    quarter_fixture(&app).await;

    let (status, page) = app.get_page(&format!("/coordinatie?{QUARTER}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Coördinatie");
    // Anna and Bilal active, Dina completed; Chen's trajectory ended before the quarter.
    assert_eq!(
        rows(&page, "#tabel-status"),
        table(&[
            ("Actief", "2"),
            ("Afgerond", "1"),
            ("Stopgezet", "0"),
            ("Vrijgesteld", "0")
        ])
    );
    assert_eq!(page.text("#kerncijfer-inburgeraars"), "3");
    // Buddy 120 + 90, stage 180, volunteering 240, language internship 600: 1230 minutes.
    assert_eq!(
        rows(&page, "#tabel-vorm"),
        table(&[
            ("Buddy", "3 u 30"),
            ("Stage", "3 u"),
            ("Vrijwilligerswerk", "4 u"),
            ("Taalstage", "10 u")
        ])
    );
    assert_eq!(page.text("#kerncijfer-uren"), "20 u 30");
    // Y: 180 + 600 in 2 entries; X: 120 + 90 + 240 in 3.
    assert_eq!(
        rows(&page, "#tabel-organisatie"),
        vec![
            vec!["Buurthuis Ypsilon".to_string(), "13 u".into(), "2".into()],
            vec!["Testvereniging".to_string(), "7 u 30".into(), "3".into()],
        ]
    );
    // By where the participant lives: B (Bilal, Dina) 840, A (Anna) 390.
    assert_eq!(
        rows(&page, "#tabel-gemeente"),
        vec![
            vec!["Tweede gemeente".to_string(), "14 u".into(), "2".into()],
            vec!["Testgemeente".to_string(), "6 u 30".into(), "3".into()],
        ]
    );
    // January 120 + 600, February 90 + 240, March 180.
    assert_eq!(
        rows(&page, "#tabel-maand"),
        table(&[
            ("januari 2025", "12 u"),
            ("februari 2025", "5 u 30"),
            ("maart 2025", "3 u")
        ])
    );

    // The charts are SVG with a name and the same numbers; no inline styles or scripts.
    let body = app
        .get(&format!("/coordinatie?{QUARTER}"))
        .await
        .text()
        .await
        .expect("body");
    assert!(!body.contains("style="));
    assert!(!body.contains("<script"));
    let svg_titles = page.select_all("svg.chart > title");
    assert_eq!(
        svg_titles,
        [
            "Inburgeraars per status",
            "Bevestigde uren per vorm",
            "Bevestigde uren per maand",
            "Bevestigde uren per gemeente",
            "Bevestigde uren per organisatie",
        ]
    );
    assert_eq!(
        page.attr("svg[aria-labelledby^=grafiek-vorm]", "role")
            .as_deref(),
        Some("img")
    );
    let vorm_values = page.select_all("svg[aria-labelledby^=grafiek-vorm] text.chart-value");
    assert_eq!(vorm_values, ["3 u 30", "3 u", "4 u", "10 u"]);
}

#[tokio::test]
async fn dashboard_filters_narrow_every_figure() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let q = quarter_fixture(&app).await;

    let (_, page) = app
        .get_page(&format!(
            "/coordinatie?{QUARTER}&gemeente={}",
            q.second_municipality
        ))
        .await;
    assert_eq!(
        rows(&page, "#tabel-status"),
        table(&[
            ("Actief", "1"),
            ("Afgerond", "1"),
            ("Stopgezet", "0"),
            ("Vrijgesteld", "0")
        ])
    );
    assert_eq!(
        rows(&page, "#tabel-vorm"),
        table(&[
            ("Buddy", "0 u"),
            ("Stage", "0 u"),
            ("Vrijwilligerswerk", "4 u"),
            ("Taalstage", "10 u")
        ])
    );
    assert_eq!(
        rows(&page, "#tabel-maand"),
        table(&[
            ("januari 2025", "10 u"),
            ("februari 2025", "4 u"),
            ("maart 2025", "0 u")
        ])
    );

    // Form: Anna is the only one with a buddy placement in the quarter.
    let (_, page) = app
        .get_page(&format!("/coordinatie?{QUARTER}&vorm=buddy"))
        .await;
    assert_eq!(
        rows(&page, "#tabel-status")[0],
        vec!["Actief".to_string(), "1".into()]
    );
    assert_eq!(page.text("#kerncijfer-uren"), "3 u 30");
    assert_eq!(
        rows(&page, "#tabel-organisatie"),
        vec![vec![
            "Testvereniging".to_string(),
            "3 u 30".into(),
            "2".into()
        ]]
    );

    // Organisation Y: Anna (stage) and Dina (language internship).
    let (_, page) = app
        .get_page(&format!(
            "/coordinatie?{QUARTER}&organisatie={}",
            q.second_organisation
        ))
        .await;
    assert_eq!(
        rows(&page, "#tabel-status"),
        table(&[
            ("Actief", "1"),
            ("Afgerond", "1"),
            ("Stopgezet", "0"),
            ("Vrijgesteld", "0")
        ])
    );
    assert_eq!(page.text("#kerncijfer-uren"), "13 u");

    // A period that includes April picks up Bilal's 60 minutes.
    let (_, page) = app.get_page("/coordinatie?van=2025-01&tot=2025-04").await;
    assert_eq!(page.text("#kerncijfer-uren"), "21 u 30");
}

#[tokio::test]
async fn unreadable_filters_are_explained_next_to_their_field() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let other = app.other_region().await;
    let (status, page) = app
        .get_page(&format!(
            "/coordinatie?van=maart&tot=2025-03&gemeente={}&vorm=kookles",
            other.municipality
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.text("#van-error").contains("geen maand"));
    assert!(page.text("#gemeente-error").contains("uit de lijst"));
    assert!(page.text("#vorm-error").contains("uit de lijst"));
    assert_eq!(page.attr("#van", "value").as_deref(), Some("maart"));
    assert_eq!(page.select_all(".error-summary li").len(), 3);
    // The CSV refuses rather than quietly exporting something else.
    let response = app.get("/rapporten/uren-per-vorm.csv?van=maart").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_summary_follows_every_change_to_entries_participants_and_placements() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let q = quarter_fixture(&app).await;
    // Recomputed from the entries, the summary must equal it after each change.
    let check = |label: &'static str| {
        let pool = app.pool.clone();
        async move {
            let diff: i64 = sqlx::query_scalar(
                "WITH truth AS (
                     SELECT p.region_id, date_trunc('month', e.worked_on)::date AS month, p.municipality_id,
                            e.organisation_id, pl.kind, sum(e.minutes)::bigint AS minutes, count(*)::int AS entries
                     FROM hour_entries e JOIN participants p ON p.id = e.participant_id
                     JOIN placements pl ON pl.id = e.placement_id
                     WHERE e.status = 'bevestigd' GROUP BY 1, 2, 3, 4, 5),
                 kept AS (SELECT region_id, month, municipality_id, organisation_id, kind,
                                 confirmed_minutes AS minutes, confirmed_entries AS entries
                          FROM report_monthly_hours WHERE confirmed_minutes <> 0 OR confirmed_entries <> 0)
                 SELECT count(*) FROM ((TABLE truth EXCEPT TABLE kept) UNION ALL (TABLE kept EXCEPT TABLE truth)) d",
            )
            .fetch_one(&pool)
            .await
            .expect("compare");
            assert_eq!(diff, 0, "summary differs from the entries after: {label}");
            let diff: i64 = sqlx::query_scalar(
                "WITH truth AS (
                     SELECT p.region_id, date_trunc('month', e.worked_on)::date AS month,
                            e.participant_id, pl.kind, sum(e.minutes)::bigint AS minutes
                     FROM hour_entries e JOIN placements pl ON pl.id = e.placement_id
                     JOIN participants p ON p.id = e.participant_id
                     WHERE e.status = 'bevestigd' GROUP BY 1, 2, 3, 4),
                 kept AS (SELECT region_id, month, participant_id, kind, confirmed_minutes AS minutes
                          FROM participant_monthly_hours WHERE confirmed_minutes <> 0)
                 SELECT count(*) FROM ((TABLE truth EXCEPT TABLE kept) UNION ALL (TABLE kept EXCEPT TABLE truth)) d",
            )
            .fetch_one(&pool)
            .await
            .expect("compare");
            assert_eq!(
                diff, 0,
                "participant summary differs from the entries after: {label}"
            );
            for (rollup, key) in [
                ("report_organisation_hours", "organisation_id"),
                ("report_municipality_hours", "municipality_id"),
            ] {
                let diff: i64 = sqlx::query_scalar(&format!(
                    "WITH truth AS (
                         SELECT region_id, month, {key}, kind, sum(confirmed_minutes)::bigint AS minutes,
                                sum(confirmed_entries)::bigint AS entries
                         FROM report_monthly_hours GROUP BY 1, 2, 3, 4
                         HAVING sum(confirmed_minutes) <> 0 OR sum(confirmed_entries) <> 0),
                     kept AS (SELECT region_id, month, {key}, kind, confirmed_minutes::bigint AS minutes,
                                     confirmed_entries::bigint AS entries
                              FROM {rollup} WHERE confirmed_minutes <> 0 OR confirmed_entries <> 0)
                     SELECT count(*) FROM ((TABLE truth EXCEPT TABLE kept) UNION ALL (TABLE kept EXCEPT TABLE truth)) d"
                ))
                .fetch_one(&pool)
                .await
                .expect("compare");
                assert_eq!(diff, 0, "{rollup} differs from the summary after: {label}");
            }
        }
    };
    check("the fixture").await;
    sqlx::query("UPDATE hour_entries SET status = 'bevestigd', version = version + 1 WHERE status = 'ingediend'")
        .execute(&app.pool)
        .await
        .expect("confirm");
    check("confirming").await;
    sqlx::query("UPDATE hour_entries SET minutes = minutes + 15, worked_on = worked_on + 20 WHERE minutes = 240")
        .execute(&app.pool)
        .await
        .expect("edit");
    check("moving an entry to another month").await;
    sqlx::query(
        "UPDATE hour_entries SET status = 'ingediend', version = version + 1 WHERE minutes = 120",
    )
    .execute(&app.pool)
    .await
    .expect("reopen");
    check("reopening").await;
    sqlx::query("UPDATE participants SET municipality_id = $1 WHERE full_name = 'Anna'")
        .bind(q.second_municipality.0)
        .execute(&app.pool)
        .await
        .expect("move");
    check("a participant moving").await;
    // To the fixture's other region.
    sqlx::query(
        "UPDATE participants SET region_id = m.region_id, municipality_id = m.id
         FROM municipalities m JOIN regions r ON r.id = m.region_id
         WHERE r.code = 'ANDR' AND participants.full_name = 'Anna'",
    )
    .execute(&app.pool)
    .await
    .expect("move region");
    check("a participant moving to another region").await;
    sqlx::query("UPDATE placements SET kind = 'taalstage' WHERE kind = 'stage'")
        .execute(&app.pool)
        .await
        .expect("kind");
    check("a placement's form corrected").await;
    sqlx::query("DELETE FROM hour_entries WHERE minutes = 90")
        .execute(&app.pool)
        .await
        .expect("delete");
    check("deleting").await;
}

#[tokio::test]
async fn the_status_counts_follow_every_change_to_participants() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let q = quarter_fixture(&app).await;
    // Recounted from the participants, the kept counts must equal them after each change.
    let check = |label: &'static str| {
        let pool = app.pool.clone();
        async move {
            let diff = status_counts_differing(&pool).await;
            assert_eq!(
                diff, 0,
                "status counts differ from the participants after: {label}"
            );
        }
    };
    check("the fixture").await;
    let eva = app.create_participant("Eva", None, None).await;
    check("registering").await;
    sqlx::query(
        "UPDATE participants SET status = 'stopgezet', status_reason = 'verhuisd' WHERE id = $1",
    )
    .bind(eva.0)
    .execute(&app.pool)
    .await
    .expect("stop");
    check("a status change").await;
    sqlx::query(
        "UPDATE participants SET target_end_date = target_end_date + 45, start_date = start_date - 40",
    )
    .execute(&app.pool)
    .await
    .expect("dates");
    check("dates moved for everyone").await;
    sqlx::query(
        "UPDATE participants SET confirmed_minutes = confirmed_minutes + 60, municipality_id = $1",
    )
    .bind(q.second_municipality.0)
    .execute(&app.pool)
    .await
    .expect("totals");
    check("totals and municipality changed").await;
    sqlx::query(
        "UPDATE participants SET region_id = m.region_id, municipality_id = m.id
         FROM municipalities m JOIN regions r ON r.id = m.region_id
         WHERE r.code = 'ANDR' AND participants.full_name = 'Anna'",
    )
    .execute(&app.pool)
    .await
    .expect("move region");
    check("a participant moving to another region").await;
    sqlx::query("DELETE FROM participants WHERE id = $1")
        .bind(eva.0)
        .execute(&app.pool)
        .await
        .expect("delete");
    check("deleting").await;
    // The dashboard reads them: Eva is gone again, the others keep their statuses.
    let (_, page) = app.get_page("/coordinatie?van=2025-01&tot=2025-03").await;
    let unfiltered = rows(&page, "#tabel-status");
    assert!(unfiltered.iter().any(|row| row[1] != "0"), "{unfiltered:?}");
    let filtered = rows(
        &app.get_page(&format!(
            "/coordinatie?van=2025-01&tot=2025-03&gemeente={}",
            q.second_municipality
        ))
        .await
        .1,
        "#tabel-status",
    );
    assert_eq!(
        unfiltered, filtered,
        "every participant now lives in the second municipality"
    );
}

// ---------------------------------------------------------------------------------------------
// Working lists

#[tokio::test]
async fn working_lists_hold_the_hand_computed_participants() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let today = veertig::values::dates::today();
    let days = |n: i64| today + time::Duration::days(n);
    let a = app.municipality;
    let y = organisation(&app, app.region, "Buurthuis Ypsilon").await;
    let birth = date!(1990 - 01 - 01);

    // Ready: 4 × 600 confirmed minutes in the last days.
    let ready = app.create_participant("Klaar Karel", None, None).await;
    let pl = placement(&app, ready, app.organisation, "buddy", days(-30), days(60)).await;
    for n in 1..=4 {
        recent_entry(&app, pl, n, 600, "bevestigd").await;
    }
    // Stalled: last confirmed hour 40 days ago.
    let stalled = app.create_participant("Stil Sara", None, None).await;
    shape(&app, stalled, a, birth, "actief", days(-60), days(300)).await;
    let pl = placement(
        &app,
        stalled,
        app.organisation,
        "buddy",
        days(-60),
        days(60),
    )
    .await;
    recent_entry(&app, pl, 40, 60, "bevestigd").await;
    // Started 10 days ago without hours: not stalled yet.
    let fresh = app.create_participant("Nieuw Nora", None, None).await;
    shape(&app, fresh, a, birth, "actief", days(-10), days(300)).await;
    // Deadline in 30 days, short, active last week.
    let near = app.create_participant("Dringend Dirk", None, None).await;
    shape(&app, near, a, birth, "actief", days(-300), days(30)).await;
    let pl = placement(&app, near, app.organisation, "stage", days(-60), days(30)).await;
    recent_entry(&app, pl, 5, 60, "bevestigd").await;
    // Overdue and never any hours: stalled and near.
    let overdue = app.create_participant("Laat Lotte", None, None).await;
    shape(&app, overdue, a, birth, "actief", days(-100), days(-5)).await;
    // Stopped: on no list, whatever its dates.
    let stopped = app.create_participant("Gestopt Gert", None, None).await;
    shape(&app, stopped, a, birth, "stopgezet", days(-400), days(-40)).await;

    // Pending: two entries at X submitted 20 days ago (90 minutes, two participants), one at X
    // 3 days ago (not yet), one at Y 15 days ago; another region's old entry never shows.
    let pl_ready = placement(&app, ready, app.organisation, "stage", days(-60), days(60)).await;
    recent_entry(&app, pl_ready, 20, 60, "ingediend").await;
    let pl_near = placement(&app, near, app.organisation, "buddy", days(-60), days(60)).await;
    recent_entry(&app, pl_near, 20, 30, "ingediend").await;
    recent_entry(&app, pl_near, 3, 45, "ingediend").await;
    let pl_y = placement(&app, stalled, y, "taalstage", days(-60), days(60)).await;
    recent_entry(&app, pl_y, 15, 120, "ingediend").await;
    let other = app.other_region().await;
    let far = app.create_participant("Ver Weg", None, Some(&other)).await;
    let pl_far = placement(&app, far, other.organisation, "buddy", days(-60), days(60)).await;
    recent_entry(&app, pl_far, 30, 60, "ingediend").await;

    let (status, page) = app.get_page("/rapporten").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("#aantal-klaar-voor-certificaat"), "1");
    assert_eq!(page.text("#aantal-stilgevallen"), "2");
    assert_eq!(page.text("#aantal-einddatum-nabij"), "2");
    assert_eq!(page.text("#aantal-wachtende-uren"), "2");

    let names = |page: &Page| page.select_all("table.work-list td.name");
    let (_, page) = app.get_page("/rapporten/klaar-voor-certificaat").await;
    assert_eq!(names(&page), ["Klaar Karel"]);
    assert_eq!(page.text("td.confirmed"), "40 u");
    // Longest without confirmed hours first (Lotte counts from her start, 100 days ago).
    let (_, page) = app.get_page("/rapporten/stilgevallen").await;
    assert_eq!(names(&page), ["Laat Lotte", "Stil Sara"]);
    // Nearest deadline first, overdue included.
    let (_, page) = app.get_page("/rapporten/einddatum-nabij").await;
    assert_eq!(names(&page), ["Laat Lotte", "Dringend Dirk"]);

    let (_, page) = app.get_page("/rapporten/wachtende-uren").await;
    assert_eq!(
        rows(&page, "table.pending-list")
            .into_iter()
            .map(|row| (
                row[0].clone(),
                row[2].clone(),
                row[3].clone(),
                row[4].clone()
            ))
            .collect::<Vec<_>>(),
        [
            (
                "Testvereniging".to_string(),
                "2".to_string(),
                "2".to_string(),
                "1 u 30".to_string()
            ),
            (
                "Buurthuis Ypsilon".to_string(),
                "1".to_string(),
                "1".to_string(),
                "2 u".to_string()
            ),
        ]
    );
    assert!(
        page.text("table.pending-list tbody tr:nth-child(2) td:nth-child(2)")
            .contains("050 12 34 56")
    );

    // The dashboard repeats the counts.
    let (_, page) = app.get_page("/coordinatie").await;
    assert_eq!(
        page.select_all("ul.counts[aria-label=Werklijsten] strong"),
        ["1", "2", "2", "3", "0"]
    );
}

// ---------------------------------------------------------------------------------------------
// CSV

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn csv_files_open_in_belgian_excel() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    quarter_fixture(&app).await;

    let response = app
        .get(&format!("/rapporten/uren-per-vorm.csv?{QUARTER}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"uren-per-vorm_2025-01_2025-03.csv\""
    );
    let bytes = response.bytes().await.expect("body");
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 byte order mark"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).expect("UTF-8");
    assert_eq!(
        text,
        "Vorm;Uren;Minuten\r\nBuddy;3,50;210\r\nStage;3,00;180\r\nVrijwilligerswerk;4,00;240\r\nTaalstage;10,00;600\r\n"
    );

    let response = app
        .get(&format!(
            "/rapporten/uren-per-vorm.csv?{QUARTER}&scheiding=komma"
        ))
        .await;
    let text = response.text().await.expect("body");
    assert_eq!(
        text,
        "\u{FEFF}Vorm,Uren,Minuten\r\nBuddy,3.50,210\r\nStage,3.00,180\r\nVrijwilligerswerk,4.00,240\r\nTaalstage,10.00,600\r\n"
    );

    let text = app
        .get(&format!("/rapporten/uren-per-maand.csv?{QUARTER}"))
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(
        text,
        "\u{FEFF}Maand;Uren;Minuten\r\n2025-01;12,00;720\r\n2025-02;5,50;330\r\n2025-03;3,00;180\r\n"
    );
    let text = app
        .get(&format!("/rapporten/inburgeraars-per-status.csv?{QUARTER}"))
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(
        text,
        "\u{FEFF}Status;Inburgeraars\r\nActief;2\r\nAfgerond;1\r\nStopgezet;0\r\nVrijgesteld;0\r\n"
    );
}

#[tokio::test]
async fn names_with_separators_and_quotes_survive_the_csv() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let name = "Jan \"de Man\"; Peeters, Ålesund";
    let id = app.create_participant(name, None, None).await;
    let pl = app.create_placement(id, app.organisation).await;
    for n in 1..=4 {
        recent_entry(&app, pl, n, 600, "bevestigd").await;
    }
    let formula = app
        .create_participant("=HYPERLINK(\"http://x\")", None, None)
        .await;
    let pl = app.create_placement(formula, app.organisation).await;
    for n in 1..=4 {
        recent_entry(&app, pl, n, 600, "bevestigd").await;
    }

    let response = app.get("/rapporten/klaar-voor-certificaat.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("body");
    assert!(
        text.contains("\"Jan \"\"de Man\"\"; Peeters, Ålesund\";Testgemeente;;40,00;2400;"),
        "{text}"
    );
    // Read back as a spreadsheet would.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    let names: Vec<String> = reader
        .records()
        .map(|r| r.expect("a record")[0].to_string())
        .collect();
    assert_eq!(names, ["'=HYPERLINK(\"http://x\")", name]);

    let text = app
        .get("/rapporten/klaar-voor-certificaat.csv?scheiding=komma")
        .await
        .text()
        .await
        .expect("body");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b',')
        .from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(&records[1][0], name);
    assert_eq!(&records[1][3], "40.00");
}

#[tokio::test]
async fn the_funder_export_counts_by_municipality_form_age_and_completion() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    quarter_fixture(&app).await;

    let text = app
        .get(&format!("/rapporten/financier.csv?{QUARTER}"))
        .await
        .text()
        .await
        .expect("body");
    let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').lines().collect();
    // Anna (34 on 31/03/2025, 390 min, short), Bilal (24, 240, short), Dina (55, 600,
    // completed). Chen's trajectory ended in 2024.
    assert_eq!(
        lines,
        [
            "Indeling;Groep;Inburgeraars;Waarvan uren behaald;Uren in de periode;Minuten in de periode",
            "totaal;alle inburgeraars;3;1;20,50;1230",
            "gemeente;Testgemeente;1;0;6,50;390",
            "gemeente;Tweede gemeente;2;1;14,00;840",
            "vorm;buddy;1;0;3,50;210",
            "vorm;stage;1;0;3,00;180",
            "vorm;vrijwilligerswerk;1;0;4,00;240",
            "vorm;taalstage;1;1;10,00;600",
            "leeftijd;jonger dan 18;0;0;0,00;0",
            "leeftijd;18–25;1;0;4,00;240",
            "leeftijd;26–35;1;0;6,50;390",
            "leeftijd;36–45;0;0;0,00;0",
            "leeftijd;46–55;1;1;10,00;600",
            "leeftijd;56+;0;0;0,00;0",
            "afronding;uren behaald;1;1;10,00;600",
            "afronding;nog bezig;2;0;10,50;630",
            "afronding;stopgezet;0;0;0,00;0",
            "afronding;vrijgesteld;0;0;0,00;0",
        ]
    );

    let text = app
        .get(&format!(
            "/rapporten/inburgeraars-periode.csv?{QUARTER}&scheiding=komma"
        ))
        .await
        .text()
        .await
        .expect("body");
    let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(
        lines[1],
        "Anna,,Testgemeente,26–35,Actief,01/01/2025,31/12/2025,0,210,180,0,0,6.50,390,390,nee"
    );
    assert_eq!(
        lines[3],
        "Dina,,Tweede gemeente,46–55,Afgerond,01/06/2024,31/05/2025,0,0,0,0,600,10.00,600,600,ja"
    );
}

// ---------------------------------------------------------------------------------------------
// Access

#[tokio::test]
async fn reports_are_for_coordinators_only() {
    let app = TestApp::spawn().await;
    let participant = app.create_participant("Anna", None, None).await;
    let paths = [
        "/coordinatie".to_string(),
        "/rapporten".to_string(),
        "/rapporten/stilgevallen".to_string(),
        "/rapporten/wachtende-uren".to_string(),
        "/rapporten/uren-per-vorm.csv".to_string(),
        "/rapporten/financier.csv".to_string(),
        format!("/inburgeraars/{participant}/inzage"),
        format!("/inburgeraars/{participant}/inzage.json"),
    ];
    let anonymous = app.get(&paths[1]).await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    for role in [Role::Coach, Role::Partner, Role::Admin] {
        let browser = TestApp::spawn_on(&app).await;
        browser.login_as(role).await;
        for path in &paths {
            assert_eq!(
                browser.get(path).await.status(),
                StatusCode::FORBIDDEN,
                "{role:?} {path}"
            );
        }
    }
    let audits: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'inzage geëxporteerd'")
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(audits, 0);
}

#[tokio::test]
async fn a_coordinator_sees_only_their_own_region() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let other: OtherRegion = app.other_region().await;
    let far = app.create_participant("Ver Weg", None, Some(&other)).await;
    let pl = placement(
        &app,
        far,
        other.organisation,
        "buddy",
        date!(2026 - 01 - 01),
        date!(2026 - 12 - 31),
    )
    .await;
    entry(&app, pl, date!(2026 - 02 - 01), 600, "bevestigd").await;
    for n in 1..=4 {
        recent_entry(&app, pl, n, 600, "bevestigd").await;
    }
    for path in [
        format!("/inburgeraars/{far}/inzage"),
        format!("/inburgeraars/{far}/inzage.json"),
        "/inburgeraars/geen-id/inzage".to_string(),
        format!("/inburgeraars/{}/inzage", Uuid::new_v4()),
    ] {
        let (status, page) = app.get_page(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.text("h1"), "Pagina niet gevonden");
    }
    // Their hours and participants count nowhere in this region.
    let (_, page) = app.get_page("/coordinatie?van=2026-01&tot=2026-12").await;
    assert_eq!(page.text("#kerncijfer-inburgeraars"), "0");
    assert_eq!(page.text("#kerncijfer-uren"), "0 u");
    let (_, page) = app.get_page("/rapporten/klaar-voor-certificaat").await;
    assert!(page.select_all("table.work-list td.name").is_empty());
    let text = app
        .get(&format!("/coordinatie?organisatie={}", other.organisation))
        .await
        .text()
        .await
        .expect("body");
    assert!(
        Page::parse(&text)
            .text("#organisatie-error")
            .contains("uit de lijst")
    );
}

#[tokio::test]
async fn the_right_of_access_export_holds_everything_and_is_audited() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let id = app.create_participant("Олена Шевченко", None, None).await;
    sqlx::query("UPDATE participants SET phone = '0470 12 34 56', email = 'olena@example.org', notes = 'Wil graag koken.', available_days = 5 WHERE id = $1")
        .bind(id.0)
        .execute(&app.pool)
        .await
        .expect("details");
    let pl = app.create_placement(id, app.organisation).await;
    recent_entry(&app, pl, 3, 90, "bevestigd").await;
    recent_entry(&app, pl, 2, 30, "ingediend").await;
    // A personal link made and revoked, and the one that works now.
    sqlx::query(
        "INSERT INTO participant_links (participant_id, token_hash, created_at, revoked_at, use_count)
         VALUES ($1, 'oud', now() - interval '2 days', now() - interval '1 day', 3),
                ($1, 'nieuw', now(), NULL, 0)",
    )
    .bind(id.0)
    .execute(&app.pool)
    .await
    .expect("links");

    let (status, page) = app.get_page(&format!("/inburgeraars/{id}/inzage")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("#inzage-naam"), "Олена Шевченко");
    assert_eq!(page.text("#inzage-dagen"), "maandag en woensdag");
    let links = page.select_all("#inzage-links-lijst li");
    assert_eq!(links.len(), 2, "{links:?}");
    assert!(
        links[0].contains("3 keer gebruikt, ingetrokken op"),
        "{links:?}"
    );
    assert!(links[1].contains("werkt nog"), "{links:?}");
    assert_eq!(page.select_all("#inzage-uren-tabel tbody tr").len(), 2);
    assert!(page.text("dl.details").contains("olena@example.org"));
    assert!(
        page.text("#inzage-geschiedenis-lijst")
            .contains("inzage geëxporteerd")
    );

    let response = app.get(&format!("/inburgeraars/{id}/inzage.json")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-type"),
        "application/json; charset=utf-8"
    );
    assert!(header(&response, "content-disposition").starts_with("attachment; filename=\"inzage-"));
    let json: serde_json::Value =
        serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
    assert_eq!(json["inburgeraar"]["naam"], "Олена Шевченко");
    assert_eq!(json["inburgeraar"]["telefoon"], "0470 12 34 56");
    assert_eq!(json["inburgeraar"]["notities"], "Wil graag koken.");
    assert_eq!(
        json["inburgeraar"]["beschikbare_dagen"],
        "maandag en woensdag"
    );
    assert_eq!(json["persoonlijke_links"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["persoonlijke_links"][0]["keren_gebruikt"], 3);
    assert!(json["persoonlijke_links"][1]["ingetrokken_op"].is_null());
    assert_eq!(json["inburgeraar"]["bevestigde_minuten"], 90);
    assert_eq!(json["plaatsingen"][0]["vorm"], "buddy");
    assert_eq!(json["uren"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["geschiedenis"].as_array().map(Vec::len), Some(2));

    let audited: Vec<(String, Option<Uuid>, serde_json::Value)> = sqlx::query_as(
        "SELECT action, actor_id, after FROM audit_log WHERE participant_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(&app.pool)
    .await
    .expect("audit");
    assert_eq!(audited.len(), 2);
    assert!(
        audited
            .iter()
            .all(|(action, actor, _)| action == "inzage geëxporteerd"
                && *actor == Some(coordinator.id.0))
    );
    assert_eq!(audited[0].2["formaat"], "pagina");
    assert_eq!(audited[1].2["formaat"], "json");
}

// ---------------------------------------------------------------------------------------------
// Purge

async fn region_totals(app: &TestApp) -> Vec<(Uuid, i64, i64)> {
    sqlx::query_as(
        "SELECT r.id,
                (SELECT coalesce(sum(confirmed_minutes), 0)::bigint FROM participants p WHERE p.region_id = r.id),
                (SELECT coalesce(sum(confirmed_minutes), 0)::bigint FROM report_monthly_hours h WHERE h.region_id = r.id)
         FROM regions r ORDER BY r.id",
    )
    .fetch_all(&app.pool)
    .await
    .expect("totals")
}

/// What `veertig purge --years N` runs.
async fn purge(app: &TestApp, years: u32) -> u64 {
    let cutoff = privacy::purge_cutoff(veertig::values::dates::today(), years);
    privacy::purge(&app.pool, cutoff, years)
        .await
        .expect("purge")
}

#[tokio::test]
async fn purge_anonymises_old_trajectories_and_keeps_every_total() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let today = veertig::values::dates::today();
    let years_ago = |n: i64| today - time::Duration::days(365 * n + 2);
    let old = app.create_participant("Ayşe Öztürk", None, None).await;
    sqlx::query(
        "UPDATE participants SET status = 'stopgezet', status_reason = 'verhuisd', status_note = 'Naar Gent',
             birth_date = '1988-07-14', phone = '0470 00 00 00', email = 'ayse@example.org',
             notes = 'Privé', languages = 'Turks', external_dossier = 'KBI-1', available_days = 31,
             start_date = $2, target_end_date = $3, updated_at = $3::date
         WHERE id = $1",
    )
    .bind(old.0)
    .bind(years_ago(8))
    .bind(years_ago(7))
    .execute(&app.pool)
    .await
    .expect("old");
    let pl = placement(
        &app,
        old,
        app.organisation,
        "stage",
        years_ago(8),
        years_ago(7),
    )
    .await;
    entry(&app, pl, years_ago(7), 600, "bevestigd").await;
    entry(&app, pl, years_ago(7), 45, "afgewezen").await;
    sqlx::query(
        "INSERT INTO audit_log (action, entity, entity_id, participant_id, before, after)
         VALUES ('gewijzigd', 'participant', $1, $1, $2, $3)",
    )
    .bind(old.0)
    .bind(serde_json::json!({"full_name": "Ayşe Öztürk", "phone": "0470 00 00 00", "status": "actief"}))
    .bind(serde_json::json!({"full_name": "Ayşe Öztürk", "birth_date": "1988-07-14", "status": "stopgezet"}))
    .execute(&app.pool)
    .await
    .expect("audit");

    // Ended last year: kept. Active with an old target date: kept.
    let recent = app.create_participant("Recent Afgerond", None, None).await;
    sqlx::query("UPDATE participants SET status = 'afgerond', start_date = $2, target_end_date = $3, updated_at = $3::date WHERE id = $1")
        .bind(recent.0)
        .bind(years_ago(2))
        .bind(years_ago(1))
        .execute(&app.pool)
        .await
        .expect("recent");
    let active = app.create_participant("Nog Actief", None, None).await;
    sqlx::query("UPDATE participants SET start_date = $2, target_end_date = $3 WHERE id = $1")
        .bind(active.0)
        .bind(years_ago(9))
        .bind(years_ago(8))
        .execute(&app.pool)
        .await
        .expect("active");
    let pl = app.create_placement(active, app.organisation).await;
    recent_entry(&app, pl, 2, 300, "bevestigd").await;

    let before = region_totals(&app).await;
    let (_, dashboard) = app.get_page("/coordinatie?van=2015-01&tot=2024-12").await;
    let hours_before = rows(&dashboard, "#tabel-vorm");

    assert_eq!(purge(&app, 5).await, 1);

    let row: (String, String, time::Date, String, String, String, String, String, String, i32, bool) = sqlx::query_as(
        "SELECT full_name, search_name, birth_date, phone, email, notes, languages, external_dossier,
                status_note, confirmed_minutes, anonymised_at IS NOT NULL
         FROM participants WHERE id = $1",
    )
    .bind(old.0)
    .fetch_one(&app.pool)
    .await
    .expect("row");
    let short = &old.0.simple().to_string()[..8];
    assert_eq!(row.0, format!("Geanonimiseerd {short}"));
    assert_eq!(row.1, format!("geanonimiseerd {short}"));
    assert_eq!(row.2, date!(1988 - 01 - 01));
    assert_eq!(
        (
            row.3.as_str(),
            row.4.as_str(),
            row.5.as_str(),
            row.6.as_str(),
            row.7.as_str(),
            row.8.as_str()
        ),
        ("", "", "", "", "", "")
    );
    assert_eq!(row.9, 600);
    assert!(row.10);
    let days: i16 = sqlx::query_scalar("SELECT available_days FROM participants WHERE id = $1")
        .bind(old.0)
        .fetch_one(&app.pool)
        .await
        .expect("days");
    assert_eq!(days, 0, "available days are cleared");
    let untouched: Vec<String> = sqlx::query_scalar(
        "SELECT full_name FROM participants WHERE id = ANY($1) ORDER BY full_name",
    )
    .bind(vec![recent.0, active.0])
    .fetch_all(&app.pool)
    .await
    .expect("names");
    assert_eq!(untouched, ["Nog Actief", "Recent Afgerond"]);

    // Every total stays; the name is gone from the audit log too.
    assert_eq!(region_totals(&app).await, before);
    let (_, dashboard) = app.get_page("/coordinatie?van=2015-01&tot=2024-12").await;
    assert_eq!(rows(&dashboard, "#tabel-vorm"), hours_before);
    let mentions: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE before::text LIKE '%Öztürk%' OR after::text LIKE '%Öztürk%'
            OR before::text LIKE '%0470%' OR after::text LIKE '%1988-07-14%'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("mentions");
    assert_eq!(mentions, 0);
    let purged: Vec<(Option<Uuid>, serde_json::Value)> = sqlx::query_as(
        "SELECT actor_id, after FROM audit_log WHERE action = 'geanonimiseerd' AND participant_id = $1",
    )
    .bind(old.0)
    .fetch_all(&app.pool)
    .await
    .expect("purge audit");
    assert_eq!(purged.len(), 1);
    assert_eq!(purged[0].0, None);
    assert_eq!(purged[0].1["na_jaren"], 5);
    assert!(!purged[0].1.to_string().contains("Ayşe"));

    // Idempotent: a second run changes nothing and audits nothing.
    assert_eq!(purge(&app, 5).await, 0);
    let audits: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'geanonimiseerd'")
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(audits, 1);
    // A shorter term reaches the one that ended last year.
    assert_eq!(purge(&app, 1).await, 1);
    assert_eq!(region_totals(&app).await, before);
}

#[tokio::test]
async fn veertig_purge_runs_from_the_command_line() {
    let app = TestApp::spawn().await;
    let old = app.create_participant("Oud Dossier", None, None).await;
    sqlx::query(
        "UPDATE participants SET status = 'afgerond', start_date = current_date - 3000,
             target_end_date = current_date - 2900, updated_at = now() - interval '2900 days'
         WHERE id = $1",
    )
    .bind(old.0)
    .execute(&app.pool)
    .await
    .expect("old");
    let run = |years: &str| {
        Command::new(env!("CARGO_BIN_EXE_veertig"))
            .env("DATABASE_URL", database_url(&app.database))
            .env("RUST_LOG", "warn")
            .args(["purge", "--years", years])
            .output()
            .expect("veertig purge runs")
    };
    let refused = run("0");
    assert!(!refused.status.success(), "at least one year");
    let output = run("5");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("1 participant(s) anonymised"),
        "{stdout}"
    );
    let name: String = sqlx::query_scalar("SELECT full_name FROM participants WHERE id = $1")
        .bind(old.0)
        .fetch_one(&app.pool)
        .await
        .expect("name");
    assert!(name.starts_with("Geanonimiseerd "));
}
