//! Placements and hours for staff: creating and editing placements, logging hours under the
//! rules of DESIGN.md, editing and deleting pending hours, access and the audit log.

use reqwest::StatusCode;
use time::{Date, Duration};
use veertig::domain::user::Role;
use veertig::values::dates::{format_date, iso_date, today};
use veertig::values::ids::{OrganisationId, ParticipantId, PlacementId};

use crate::helpers::{Page, TestApp, location};

struct Setup {
    app: TestApp,
    participant: ParticipantId,
    placement: PlacementId,
}

/// A logged-in coach with one participant and one running placement (30 days ago – 60 ahead).
async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Amina Yusuf", Some(coach.id), None)
        .await;
    let placement = app.create_placement(participant, app.organisation).await;
    Setup {
        app,
        participant,
        placement,
    }
}

fn days_ago(days: i64) -> Date {
    today() - Duration::days(days)
}

async fn log(
    app: &TestApp,
    placement: PlacementId,
    dates: &str,
    minutes: &str,
) -> reqwest::Response {
    app.post_form(
        &format!("/plaatsingen/{placement}/uren"),
        &[("dates", dates), ("minutes", minutes), ("description", "")],
    )
    .await
}

async fn log_page(
    app: &TestApp,
    placement: PlacementId,
    dates: &str,
    minutes: &str,
) -> (StatusCode, Page) {
    let response = log(app, placement, dates, minutes).await;
    let status = response.status();
    (status, Page::parse(&response.text().await.expect("body")))
}

/// (confirmed, pending) minutes as the trigger keeps them on the participant.
async fn totals(app: &TestApp, participant: ParticipantId) -> (i32, i32) {
    let row = sqlx::query!(
        "SELECT confirmed_minutes, pending_minutes FROM participants WHERE id = $1",
        participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("participant");
    (row.confirmed_minutes, row.pending_minutes)
}

async fn entry_count(app: &TestApp, placement: PlacementId) -> i64 {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM hour_entries WHERE placement_id = $1"#,
        placement.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("count")
}

async fn only_entry(app: &TestApp, placement: PlacementId) -> uuid::Uuid {
    sqlx::query_scalar!(
        "SELECT id FROM hour_entries WHERE placement_id = $1",
        placement.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("one entry")
}

fn date_errors(page: &Page) -> Vec<String> {
    page.select_all("#uren p[id^=\"dates-error\"]")
        .into_iter()
        .map(|message| message.trim_start_matches("Fout: ").to_string())
        .collect()
}

// --- Creating placements ----------------------------------------------------------------------

#[tokio::test]
async fn coach_creates_a_placement_for_a_participant_of_the_region() {
    let s = setup().await;
    let app = &s.app;
    let path = format!("/inburgeraars/{}/plaatsingen/nieuw", s.participant);
    let (status, page) = app.get_page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Nieuwe plaatsing");
    let organisation = app.organisation.to_string();
    assert!(
        page.select_all("#organisation_id option")
            .contains(&"Testvereniging".to_string())
    );

    let response = app
        .post_form(
            &path,
            &[
                ("organisation_id", &organisation),
                ("kind", "taalstage"),
                ("starts_on", "2026-11-02"),
                ("ends_on", "31/12/2026"),
                ("planned", "12u30"),
                ("contact_user_id", ""),
                ("contact_name", "Marie Claes"),
                ("meets_contact", "ja"),
                ("meets_dutch_setting", "ja"),
                ("meets_new_contacts", "ja"),
                ("meets_unpaid", "ja"),
                ("contact_email", "Marie@Vereniging.be"),
                ("contact_phone", "050 12 34 56"),
                ("description", "Woensdagnamiddag in de keuken"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let target = location(&response);
    let row = sqlx::query!(
        r#"SELECT id, kind::text AS "kind!", status::text AS "status!", starts_on, ends_on,
                  planned_minutes, contact_name, contact_email
           FROM placements WHERE participant_id = $1 AND kind = 'taalstage'"#,
        s.participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("the placement is stored");
    assert_eq!(target, format!("/plaatsingen/{}", row.id));
    assert_eq!(row.status, "gepland");
    assert_eq!(iso_date(row.starts_on), "2026-11-02");
    assert_eq!(iso_date(row.ends_on), "2026-12-31");
    assert_eq!(row.planned_minutes, 750);
    assert_eq!(row.contact_email, "marie@vereniging.be");

    let (status, page) = app.get_page(&target).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text(".flash"), "De plaatsing is aangemaakt.");
    assert_eq!(page.text("h1"), "Taalstage bij Testvereniging");
    assert!(page.text("dl.details").contains("12 u 30"));
    assert!(page.text("dl.details").contains("02/11/2026 – 31/12/2026"));

    let audited = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_log
           WHERE entity = 'placement' AND entity_id = $1 AND action = 'aangemaakt' AND participant_id = $2
             AND after->>'contact_name' = 'Marie Claes'"#,
        row.id,
        s.participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn a_partner_user_can_be_the_contact_and_lends_their_name() {
    let s = setup().await;
    let app = &s.app;
    let partner = app.create_user(Role::Partner).await;
    let path = format!("/inburgeraars/{}/plaatsingen/nieuw", s.participant);
    let (_, page) = app.get_page(&path).await;
    let option = format!("#contact_user_id option[value=\"{}\"]", partner.id);
    assert!(page.text(&option).starts_with("Test Partner"));
    let organisation = app.organisation.to_string();
    let contact = partner.id.to_string();
    let response = app
        .post_form(
            &path,
            &[
                ("organisation_id", &organisation),
                ("kind", "buddy"),
                ("starts_on", "2026-11-02"),
                ("ends_on", "2026-12-31"),
                ("planned", "40"),
                ("contact_user_id", &contact),
                ("contact_name", ""),
                ("meets_contact", "ja"),
                ("meets_dutch_setting", "ja"),
                ("meets_new_contacts", "ja"),
                ("meets_unpaid", "ja"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let created: uuid::Uuid = location(&response)
        .trim_start_matches("/plaatsingen/")
        .parse()
        .expect("the new placement's id in the redirect");
    let row = sqlx::query!(
        "SELECT contact_user_id, contact_name, contact_email FROM placements
         WHERE id = $1 AND participant_id = $2",
        created,
        s.participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("placement");
    assert_eq!(row.contact_user_id, Some(partner.id.0));
    assert!(row.contact_name.starts_with("Test Partner"));
    assert_eq!(row.contact_email, partner.email);
}

/// The form with every field valid; tests spoil one field at a time.
fn valid_form(organisation: &str) -> Vec<(&'static str, String)> {
    vec![
        ("organisation_id", organisation.to_string()),
        ("kind", "stage".to_string()),
        ("starts_on", "2026-11-02".to_string()),
        ("ends_on", "2026-12-31".to_string()),
        ("planned", "40u".to_string()),
        ("contact_user_id", String::new()),
        ("contact_name", "Marie Claes".to_string()),
        ("contact_email", String::new()),
        ("contact_phone", String::new()),
        ("description", "Onthaal".to_string()),
        ("meets_contact", "ja".to_string()),
        ("meets_dutch_setting", "ja".to_string()),
        ("meets_new_contacts", "ja".to_string()),
        ("meets_unpaid", "ja".to_string()),
    ]
}

#[tokio::test]
async fn each_placement_form_error_is_shown_in_dutch_with_what_was_typed() {
    let s = setup().await;
    let app = &s.app;
    let organisation = app.organisation.to_string();
    let other = app.other_region().await.organisation.to_string();
    let inactive = sqlx::query_scalar!(
        "INSERT INTO organisations (region_id, name, kind, active) VALUES ($1, 'Slapende vzw', 'vereniging', false) RETURNING id",
        app.region.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("inactive organisation")
    .to_string();
    let other_partner = sqlx::query_scalar!(
        "INSERT INTO users (email, name, role, password_hash, organisation_id)
         VALUES ('elders@test.example', 'Elders', 'partner', 'x', $1) RETURNING id",
        other.parse::<uuid::Uuid>().expect("uuid")
    )
    .fetch_one(&app.pool)
    .await
    .expect("partner elsewhere")
    .to_string();
    let path = format!("/inburgeraars/{}/plaatsingen/nieuw", s.participant);

    let cases: Vec<(&str, String, &str, &str)> = vec![
        // (field, typed value, field whose message shows, message)
        (
            "organisation_id",
            String::new(),
            "organisation_id",
            "Kies een partnerorganisatie.",
        ),
        (
            "organisation_id",
            inactive.clone(),
            "organisation_id",
            "Deze partnerorganisatie is niet actief in de regio van de inburgeraar. Kies een andere.",
        ),
        (
            "organisation_id",
            other.clone(),
            "organisation_id",
            "Deze partnerorganisatie is niet actief in de regio van de inburgeraar. Kies een andere.",
        ),
        (
            "kind",
            "bijbaan".into(),
            "kind",
            "Kies een vorm: buddy, stage, vrijwilligerswerk of taalstage.",
        ),
        (
            "starts_on",
            "31/02/2026".into(),
            "starts_on",
            "Dit is geen datum. Schrijf bijvoorbeeld 23/11/2026.",
        ),
        ("starts_on", String::new(), "starts_on", "Vul een datum in."),
        (
            "ends_on",
            "2026-10-01".into(),
            "ends_on",
            "De einddatum ligt voor de begindatum.",
        ),
        (
            "planned",
            "veertig".into(),
            "planned",
            "Dit is geen aantal uren dat Veertig kent. Schrijf bijvoorbeeld 40, 40u of 12u30.",
        ),
        (
            "planned",
            "0".into(),
            "planned",
            "Het aantal geplande uren moet meer dan nul zijn.",
        ),
        (
            "planned",
            "5000".into(),
            "planned",
            "Dat is meer dan 1000 uur. Controleer het aantal geplande uren.",
        ),
        (
            "contact_name",
            "  ".into(),
            "contact_name",
            "Vul de naam van de contactpersoon in, of kies een partnercontact.",
        ),
        (
            "contact_email",
            "marie@".into(),
            "contact_email",
            "Vul een geldig e-mailadres in, bijvoorbeeld naam@vereniging.be, of laat het leeg.",
        ),
        (
            "contact_user_id",
            other_partner.clone(),
            "contact_user_id",
            "Deze persoon is geen partnercontact van de gekozen partnerorganisatie.",
        ),
    ];
    for (field, typed, shown_at, message) in cases {
        let mut form = valid_form(&organisation);
        for (name, value) in form.iter_mut() {
            if *name == field {
                *value = typed.clone();
            }
        }
        let fields: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let response = app.post_form(&path, &fields).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field} = {typed:?}"
        );
        let page = Page::parse(&response.text().await.expect("body"));
        assert_eq!(
            page.text(&format!("#{shown_at}-error")),
            format!("Fout: {message}"),
            "{field} = {typed:?}"
        );
        assert_eq!(
            page.select_all(".error-summary li"),
            vec![message.to_string()],
            "{field} = {typed:?}"
        );
        // What was typed stays in the form.
        if [
            "starts_on",
            "ends_on",
            "planned",
            "contact_name",
            "contact_email",
        ]
        .contains(&field)
        {
            assert_eq!(
                page.attr(&format!("#{field}"), "value").as_deref(),
                Some(typed.as_str()),
                "{field} keeps what was typed"
            );
        }
        assert_eq!(page.text("#description"), "Onthaal");
        if field != "kind" {
            assert_eq!(
                page.attr("#kind option[selected]", "value").as_deref(),
                Some("stage")
            );
        }
    }
    let stored = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM placements WHERE participant_id = $1"#,
        s.participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(stored, 1, "only the fixture's placement exists");
}

// --- Logging hours ----------------------------------------------------------------------------

#[tokio::test]
async fn hours_are_logged_in_every_accepted_notation() {
    let s = setup().await;
    let app = &s.app;
    let notations = [
        ("1:30", 90),
        ("1u30", 90),
        ("1,5", 90),
        ("1.5", 90),
        ("90 min", 90),
        ("2u", 120),
        ("2 uur", 120),
    ];
    let mut expected = 0;
    for (day, (typed, minutes)) in (1..).zip(notations) {
        let date = format_date(days_ago(day));
        let response = log(app, s.placement, &date, typed).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{typed}");
        assert_eq!(location(&response), format!("/plaatsingen/{}", s.placement));
        expected += minutes;
        assert_eq!(totals(app, s.participant).await, (0, expected), "{typed}");
    }
    let stored = sqlx::query_scalar!(
        r#"SELECT minutes FROM hour_entries WHERE placement_id = $1 ORDER BY worked_on DESC"#,
        s.placement.0
    )
    .fetch_all(&app.pool)
    .await
    .expect("entries");
    assert_eq!(stored, [90, 90, 90, 90, 90, 120, 120]);

    let (status, page) = app.get_page(&format!("/plaatsingen/{}", s.placement)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.select_all(".flash").last().map(String::as_str),
        Some(format!("2 u geregistreerd op {}.", format_date(days_ago(7))).as_str())
    );
    assert_eq!(page.select_all("table.entries tbody tr").len(), 7);
    assert_eq!(page.text("table.entries tbody tr td.num"), "1 u 30");
    assert_eq!(
        page.select_all("table.entries .badge-ingediend").len(),
        7,
        "staff log pending hours"
    );
    assert!(
        page.text(".progress-text")
            .contains("11 u 30 wacht op bevestiging")
    );
}

#[tokio::test]
async fn a_duration_that_is_not_understood_gets_a_clear_message() {
    let s = setup().await;
    let date = format_date(days_ago(1));
    let (status, page) = log_page(&s.app, s.placement, &date, "anderhalf uur").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text("#minutes-error"),
        "Fout: Dit is geen duur die Veertig kent. Schrijf bijvoorbeeld 1:30, 1u30, 1,5 of 90 min."
    );
    assert_eq!(
        page.attr("#minutes", "value").as_deref(),
        Some("anderhalf uur")
    );
    assert_eq!(page.text("#dates"), date);
    assert_eq!(entry_count(&s.app, s.placement).await, 0);
}

#[tokio::test]
async fn zero_minutes_are_refused_and_one_minute_is_enough() {
    let s = setup().await;
    let date = format_date(days_ago(1));
    let (status, page) = log_page(&s.app, s.placement, &date, "0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text("#minutes-error"),
        "Fout: De duur moet meer dan nul zijn."
    );
    assert_eq!(entry_count(&s.app, s.placement).await, 0);

    let response = log(&s.app, s.placement, &date, "1 min").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(totals(&s.app, s.participant).await, (0, 1));
}

#[tokio::test]
async fn hours_outside_the_placement_period_are_refused() {
    let s = setup().await;
    let app = &s.app;
    let starts_on = sqlx::query_scalar::<_, Date>("SELECT starts_on FROM placements WHERE id = $1")
        .bind(s.placement.0)
        .fetch_one(&app.pool)
        .await
        .expect("period");
    let before = starts_on - Duration::days(1);
    let (status, page) = log_page(app, s.placement, &format_date(before), "1u").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        date_errors(&page),
        [format!(
            "{} valt voor het begin van de plaatsing ({}).",
            format_date(before),
            format_date(starts_on)
        )]
    );
    assert_eq!(entry_count(app, s.placement).await, 0);

    // The first day of the period counts.
    let response = log(app, s.placement, &iso_date(starts_on), "1u").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // A placement that ended yesterday takes yesterday but not today.
    sqlx::query!(
        "UPDATE placements SET ends_on = $2 WHERE id = $1",
        s.placement.0,
        days_ago(1)
    )
    .execute(&app.pool)
    .await
    .expect("shorten");
    let (status, page) = log_page(app, s.placement, &format_date(today()), "1u").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        date_errors(&page),
        [format!(
            "{} valt na het einde van de plaatsing ({}).",
            format_date(today()),
            format_date(days_ago(1))
        )]
    );
    assert_eq!(
        log(app, s.placement, &format_date(days_ago(1)), "1u")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(totals(app, s.participant).await, (0, 120));
}

#[tokio::test]
async fn hours_in_the_future_are_refused_and_today_is_fine() {
    let s = setup().await;
    let tomorrow = today() + Duration::days(1);
    let (status, page) = log_page(&s.app, s.placement, &format_date(tomorrow), "1u").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        date_errors(&page),
        [format!(
            "{} ligt in de toekomst: registreer uren nadat ze gepresteerd zijn.",
            format_date(tomorrow)
        )]
    );
    let response = log(&s.app, s.placement, &format_date(today()), "1u").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(entry_count(&s.app, s.placement).await, 1);
}

#[tokio::test]
async fn twelve_hours_a_day_hold_across_placements() {
    let s = setup().await;
    let app = &s.app;
    let second = app.create_placement(s.participant, app.organisation).await;
    let day = format_date(days_ago(2));
    assert_eq!(
        log(app, s.placement, &day, "8u").await.status(),
        StatusCode::SEE_OTHER
    );

    let (status, page) = log_page(app, second, &day, "4u30").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        date_errors(&page),
        [format!(
            "Op {day} staat al 8 u geregistreerd; met 4 u 30 erbij is dat meer dan 12 uur op één dag."
        )]
    );
    assert_eq!(entry_count(app, second).await, 0);

    assert_eq!(
        log(app, second, &day, "4u").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(totals(app, s.participant).await, (0, 720));
    // Full: not one minute more, on either placement.
    assert_eq!(
        log(app, s.placement, &day, "1 min").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A rejected entry no longer counts.
    sqlx::query!(
        "UPDATE hour_entries SET status = 'afgewezen', rejection_reason = 'Niet gepresteerd'
         WHERE placement_id = $1",
        s.placement.0
    )
    .execute(&app.pool)
    .await
    .expect("reject");
    assert_eq!(
        log(app, s.placement, &day, "8u").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn more_than_twelve_hours_in_one_entry_is_refused() {
    let s = setup().await;
    let (status, page) = log_page(&s.app, s.placement, &format_date(days_ago(1)), "13u").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text("#minutes-error"),
        "Fout: Hoogstens 12 uur per dag: vul een kortere duur in."
    );
}

#[tokio::test]
async fn two_submissions_at_once_cannot_pass_twelve_hours_together() {
    let s = setup().await;
    let app = &s.app;
    let second_browser = TestApp::spawn_on(app).await;
    second_browser.login_as(Role::Coordinator).await;
    // Two people log 8 hours on the same day at the same moment: one of them must be refused.
    for day in 1..=8 {
        let date = format_date(days_ago(day));
        let (a, b) = tokio::join!(
            log(app, s.placement, &date, "8u"),
            log(&second_browser, s.placement, &date, "8u"),
        );
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY],
            "day {day}"
        );
    }
    let worst = sqlx::query_scalar!(
        r#"SELECT max(total)::int4 AS "worst!" FROM (
               SELECT sum(minutes) AS total FROM hour_entries WHERE participant_id = $1 GROUP BY worked_on
           ) days"#,
        s.participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("sum");
    assert_eq!(worst, 480);
}

#[tokio::test]
async fn a_cancelled_placement_takes_no_hours() {
    let s = setup().await;
    let app = &s.app;
    let path = format!("/plaatsingen/{}/status", s.placement);
    let response = app.post_form(&path, &[("status", "geannuleerd")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&format!("/plaatsingen/{}", s.placement)).await;
    assert_eq!(page.text(".flash"), "De plaatsing is nu geannuleerd.");
    assert!(page.select_all("#uren form").is_empty(), "no log form");

    let (status, page) = log_page(app, s.placement, &format_date(days_ago(1)), "1u").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.select_all(".error-summary li")
            .contains(&"Deze plaatsing is geannuleerd: er kunnen geen uren meer bij.".to_string())
    );
    assert_eq!(entry_count(app, s.placement).await, 0);

    // Planned again, it takes hours again.
    let response = app.post_form(&path, &[("status", "gepland")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        log(app, s.placement, &format_date(days_ago(1)), "1u")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_participant_who_is_not_active_takes_no_hours() {
    let s = setup().await;
    let app = &s.app;
    sqlx::query!(
        "UPDATE participants SET status = 'stopgezet', status_reason = 'verhuisd' WHERE id = $1",
        s.participant.0
    )
    .execute(&app.pool)
    .await
    .expect("stop");
    let (status, page) = log_page(app, s.placement, &format_date(days_ago(1)), "1u").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.select_all(".error-summary li").contains(
            &"Deze inburgeraar heeft geen actief traject meer: er kunnen geen uren meer bij."
                .to_string()
        )
    );
    assert_eq!(entry_count(app, s.placement).await, 0);

    sqlx::query!(
        "UPDATE participants SET status = 'actief', status_reason = NULL WHERE id = $1",
        s.participant.0
    )
    .execute(&app.pool)
    .await
    .expect("resume");
    assert_eq!(
        log(app, s.placement, &format_date(days_ago(1)), "1u")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

/// Logging writes the entries, their audit rows and the rules' checks in one statement: each
/// entry still gets its own audit row, with the same record as before.
#[tokio::test]
async fn each_logged_entry_has_its_audit_row_with_what_was_logged() {
    let s = setup().await;
    let app = &s.app;
    let dates = [days_ago(9), days_ago(8)];
    let typed = format!("{}\n{}", format_date(dates[0]), format_date(dates[1]));
    let response = app
        .post_form(
            &format!("/plaatsingen/{}/uren", s.placement),
            &[
                ("dates", typed.as_str()),
                ("minutes", "2u15"),
                ("description", "  Samen gekookt "),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let rows = sqlx::query!(
        r#"SELECT e.worked_on, e.created_by, a.actor_id, a.action, a.participant_id, a.before,
                  a.after AS "after!", a.actor_link_id
           FROM hour_entries e JOIN audit_log a ON a.entity = 'hour_entry' AND a.entity_id = e.id
           WHERE e.placement_id = $1
           ORDER BY a.id"#,
        s.placement.0
    )
    .fetch_all(&app.pool)
    .await
    .expect("audit rows");
    assert_eq!(rows.len(), 2);
    for (row, date) in rows.iter().zip(dates) {
        assert_eq!(row.worked_on, date);
        assert_eq!(row.action, "geregistreerd");
        assert!(row.created_by.is_some());
        assert_eq!(row.actor_id, row.created_by);
        assert_eq!(row.actor_link_id, None);
        assert_eq!(row.participant_id, Some(s.participant.0));
        assert_eq!(row.before, None);
        assert_eq!(
            row.after,
            serde_json::json!({
                "placement_id": s.placement.0,
                "worked_on": iso_date(date),
                "minutes": 135,
                "description": "Samen gekookt",
                "status": "ingediend",
                "version": 1,
            })
        );
    }
}

#[tokio::test]
async fn several_dates_are_logged_together_or_not_at_all() {
    let s = setup().await;
    let app = &s.app;
    let weekly = [days_ago(21), days_ago(14), days_ago(7)];
    let typed = format!(
        "{}\n{}\r\n{}",
        format_date(weekly[0]),
        iso_date(weekly[1]),
        format_date(weekly[2])
    );
    let response = log(app, s.placement, &typed, "1u30").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(entry_count(app, s.placement).await, 3);
    assert_eq!(totals(app, s.participant).await, (0, 270));

    // One good date, one in the future, one unreadable, one already full: nothing is written.
    let tomorrow = today() + Duration::days(1);
    sqlx::query!(
        "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes)
         VALUES ($1, $2, $3, $4, 720)",
        s.placement.0,
        s.participant.0,
        app.organisation.0,
        days_ago(2)
    )
    .execute(&app.pool)
    .await
    .expect("a full day");
    let typed = format!(
        "{}\n{}\n31/11/2026\n{}",
        format_date(days_ago(1)),
        format_date(tomorrow),
        format_date(days_ago(2))
    );
    let before = entry_count(app, s.placement).await;
    let (status, page) = log_page(app, s.placement, &typed, "1u30").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        date_errors(&page),
        [
            "\"31/11/2026\" is geen datum. Schrijf bijvoorbeeld 23/11/2026.".to_string(),
            format!(
                "{} ligt in de toekomst: registreer uren nadat ze gepresteerd zijn.",
                format_date(tomorrow)
            ),
        ],
        "the readable dates are checked too; the day limit waits for a readable list"
    );
    assert_eq!(page.text("#dates"), typed.replace('\r', ""));
    assert_eq!(page.attr("#minutes", "value").as_deref(), Some("1u30"));

    let typed = format!(
        "{}\n{}\n{}",
        format_date(days_ago(1)),
        format_date(tomorrow),
        format_date(days_ago(2))
    );
    let (status, page) = log_page(app, s.placement, &typed, "1u30").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        date_errors(&page),
        [
            format!(
                "{} ligt in de toekomst: registreer uren nadat ze gepresteerd zijn.",
                format_date(tomorrow)
            ),
            format!(
                "Op {} staat al 12 u geregistreerd; met 1 u 30 erbij is dat meer dan 12 uur op één dag.",
                format_date(days_ago(2))
            ),
        ]
    );
    assert_eq!(page.select_all(".error-summary li").len(), 2);
    assert_eq!(
        entry_count(app, s.placement).await,
        before,
        "all or nothing"
    );
}

// --- Editing and deleting hours ---------------------------------------------------------------

#[tokio::test]
async fn pending_hours_can_be_edited_and_deleted() {
    let s = setup().await;
    let app = &s.app;
    assert_eq!(
        log(app, s.placement, &format_date(days_ago(4)), "1u")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let entry = only_entry(app, s.placement).await;
    let (status, page) = app.get_page(&format!("/uren/{entry}/bewerken")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.attr("#worked_on", "value"),
        Some(iso_date(days_ago(4)))
    );
    assert_eq!(page.attr("#minutes", "value").as_deref(), Some("1u"));
    assert_eq!(
        page.attr("input[name=version]", "value").as_deref(),
        Some("1")
    );

    let response = app
        .post_form(
            &format!("/uren/{entry}/bewerken"),
            &[
                ("worked_on", &format_date(days_ago(5))),
                ("minutes", "2u15"),
                ("description", "Samen gekookt"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/plaatsingen/{}", s.placement));
    let row = sqlx::query!(
        "SELECT worked_on, minutes, description, version FROM hour_entries WHERE id = $1",
        entry
    )
    .fetch_one(&app.pool)
    .await
    .expect("entry");
    assert_eq!(
        (row.worked_on, row.minutes, row.version),
        (days_ago(5), 135, 2)
    );
    assert_eq!(row.description, "Samen gekookt");
    assert_eq!(totals(app, s.participant).await, (0, 135));

    // The old form (version 1) cannot overwrite the change.
    let response = app
        .post_form(
            &format!("/uren/{entry}/bewerken"),
            &[
                ("worked_on", &format_date(days_ago(5))),
                ("minutes", "3u"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text(".error-summary")
            .contains("intussen door iemand anders gewijzigd")
    );

    let response = app
        .post_form(&format!("/uren/{entry}/verwijderen"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(entry_count(app, s.placement).await, 0);
    assert_eq!(totals(app, s.participant).await, (0, 0));
    let (_, page) = app.get_page(&format!("/plaatsingen/{}", s.placement)).await;
    assert_eq!(
        page.select_all(".flash").last().map(String::as_str),
        Some(
            format!(
                "De uren van {} (2 u 15) zijn verwijderd.",
                format_date(days_ago(5))
            )
            .as_str()
        )
    );

    let actions = sqlx::query_scalar!(
        r#"SELECT action FROM audit_log WHERE entity = 'hour_entry' AND entity_id = $1
           AND participant_id = $2 ORDER BY id"#,
        entry,
        s.participant.0
    )
    .fetch_all(&app.pool)
    .await
    .expect("audit");
    assert_eq!(actions, ["geregistreerd", "gewijzigd", "verwijderd"]);
    let before = sqlx::query_scalar!(
        r#"SELECT before->>'minutes' AS "m!" FROM audit_log WHERE entity_id = $1 AND action = 'gewijzigd'"#,
        entry
    )
    .fetch_one(&app.pool)
    .await
    .expect("before");
    assert_eq!(before, "60");
}

#[tokio::test]
async fn an_edit_follows_the_same_rules_and_keeps_what_was_typed() {
    let s = setup().await;
    let app = &s.app;
    let day = days_ago(1);
    assert_eq!(
        log(app, s.placement, &format_date(day), "11u")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let second = app.create_placement(s.participant, app.organisation).await;
    assert_eq!(
        log(app, second, &format_date(days_ago(2)), "1u")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let entry = only_entry(app, second).await;
    let tomorrow = today() + Duration::days(1);

    let edit = |date: String, minutes: &'static str| {
        let path = format!("/uren/{entry}/bewerken");
        async move {
            let response = app
                .post_form(
                    &path,
                    &[("worked_on", &date), ("minutes", minutes), ("version", "1")],
                )
                .await;
            let status = response.status();
            (status, Page::parse(&response.text().await.expect("body")))
        }
    };
    let (status, page) = edit(format_date(tomorrow), "1u").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text("#worked_on-error"),
        format!(
            "Fout: {} ligt in de toekomst: registreer uren nadat ze gepresteerd zijn.",
            format_date(tomorrow)
        )
    );
    assert_eq!(
        page.attr("#worked_on", "value"),
        Some(format_date(tomorrow))
    );

    // Moving it onto the 11-hour day would make 12 u 30; its own old hour does not count.
    let (status, page) = edit(format_date(day), "1u30").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text("#worked_on-error")
            .contains("meer dan 12 uur op één dag")
    );
    let (status, _) = edit(format_date(day), "1u").await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (status, page) = edit(format_date(day), "nul").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.text("h1")
    );
    assert!(page.text("#minutes-error").contains("Dit is geen duur"));
}

#[tokio::test]
async fn confirmed_hours_cannot_be_edited_or_deleted() {
    let s = setup().await;
    let app = &s.app;
    assert_eq!(
        log(app, s.placement, &format_date(days_ago(4)), "1u")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let entry = only_entry(app, s.placement).await;
    sqlx::query!(
        "UPDATE hour_entries SET status = 'bevestigd', decided_at = now() WHERE id = $1",
        entry
    )
    .execute(&app.pool)
    .await
    .expect("confirm");
    assert_eq!(totals(app, s.participant).await, (60, 0));

    let message =
        "Deze uren zijn al bevestigd: ze kunnen niet meer gewijzigd of verwijderd worden.";
    let response = app.get(&format!("/uren/{entry}/bewerken")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/plaatsingen/{}", s.placement));
    let (_, page) = app.get_page(&location(&response)).await;
    assert_eq!(page.text(".flash-error"), message);
    assert!(
        page.select_all("table.entries a").is_empty(),
        "no edit link on confirmed hours"
    );

    let response = app
        .post_form(
            &format!("/uren/{entry}/bewerken"),
            &[
                ("worked_on", &format_date(days_ago(4))),
                ("minutes", "5u"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = app
        .post_form(&format!("/uren/{entry}/verwijderen"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    assert_eq!(page.text(".flash-error"), message);

    let minutes = sqlx::query_scalar!("SELECT minutes FROM hour_entries WHERE id = $1", entry)
        .fetch_one(&app.pool)
        .await
        .expect("still there");
    assert_eq!(minutes, 60);
    assert_eq!(totals(app, s.participant).await, (60, 0));
}

// --- Placement page, editing, status ----------------------------------------------------------

#[tokio::test]
async fn editing_a_placement_is_audited_and_keeps_logged_hours_inside() {
    let s = setup().await;
    let app = &s.app;
    let path = format!("/plaatsingen/{}/bewerken", s.placement);
    let (status, page) = app.get_page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.attr("#planned", "value").as_deref(), Some("40u"));
    assert_eq!(
        page.attr("#kind option[selected]", "value").as_deref(),
        Some("buddy")
    );
    assert_eq!(
        page.attr("#contact_name", "value").as_deref(),
        Some("Contact")
    );

    let organisation = app.organisation.to_string();
    let form = |starts_on: String, organisation: String| {
        vec![
            ("organisation_id", organisation),
            ("kind", "vrijwilligerswerk".to_string()),
            ("starts_on", starts_on),
            ("ends_on", iso_date(today() + Duration::days(60))),
            ("planned", "20".to_string()),
            ("contact_name", "Jan Peeters".to_string()),
            ("meets_contact", "ja".to_string()),
            ("meets_dutch_setting", "ja".to_string()),
            ("meets_new_contacts", "ja".to_string()),
            ("meets_unpaid", "ja".to_string()),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| {
        let path = path.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.post_form(&path, &fields).await
        }
    };
    let response = send(form(iso_date(days_ago(30)), organisation.clone())).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let row = sqlx::query!(
        r#"SELECT kind::text AS "kind!", planned_minutes, contact_name FROM placements WHERE id = $1"#,
        s.placement.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("placement");
    assert_eq!(
        (row.kind.as_str(), row.planned_minutes),
        ("vrijwilligerswerk", 1200)
    );
    let audit = sqlx::query!(
        r#"SELECT before->>'kind' AS "before!", after->>'kind' AS "after!" FROM audit_log
           WHERE entity = 'placement' AND entity_id = $1 AND action = 'gewijzigd' AND participant_id = $2"#,
        s.placement.0,
        s.participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(
        (audit.before.as_str(), audit.after.as_str()),
        ("buddy", "vrijwilligerswerk")
    );

    // Hours on day -20: the period cannot start after them, the organisation cannot change.
    assert_eq!(
        log(app, s.placement, &format_date(days_ago(20)), "1u")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let response = send(form(iso_date(days_ago(10)), organisation.clone())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text("#ends_on-error")
            .contains(&format_date(days_ago(20)))
    );
    assert_eq!(
        page.attr("#starts_on", "value"),
        Some(iso_date(days_ago(10)))
    );

    let other = sqlx::query_scalar!(
        r#"INSERT INTO organisations (region_id, name, kind) VALUES ($1, 'Tweede vzw', 'vereniging')
           RETURNING id AS "id: OrganisationId""#,
        app.region.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("second organisation");
    let response = send(form(iso_date(days_ago(30)), other.to_string())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        page.text("#organisation_id-error"),
        "Fout: De partnerorganisatie kan niet meer veranderen: er zijn al uren geregistreerd op deze plaatsing."
    );
}

#[tokio::test]
async fn placement_status_follows_its_lifecycle_and_is_audited() {
    let s = setup().await;
    let app = &s.app;
    let path = format!("/plaatsingen/{}/status", s.placement);
    let (_, page) = app.get_page(&format!("/plaatsingen/{}", s.placement)).await;
    assert_eq!(page.text(".lead .badge"), "Lopend");
    assert_eq!(
        page.select_all("form[action$=\"/status\"] button"),
        [
            "Plaatsing afronden",
            "Terug naar gepland",
            "Plaatsing annuleren"
        ]
    );
    assert_eq!(
        app.post_form(&path, &[("status", "afgerond")])
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // A finished placement was not cancelled.
    let response = app.post_form(&path, &[("status", "geannuleerd")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    assert_eq!(
        page.text(".flash-error"),
        "Een plaatsing die afgerond is, kan niet naar geannuleerd."
    );
    assert_eq!(page.text(".lead .badge"), "Afgerond");
    // Hours can still be logged on a finished placement.
    assert_eq!(
        log(app, s.placement, &format_date(days_ago(1)), "1u")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );

    let changes = sqlx::query!(
        r#"SELECT before->>'status' AS "before!", after->>'status' AS "after!" FROM audit_log
           WHERE entity = 'placement' AND entity_id = $1 AND action = 'status gewijzigd'
             AND participant_id = $2"#,
        s.placement.0,
        s.participant.0
    )
    .fetch_all(&app.pool)
    .await
    .expect("audit");
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0].before.as_str(), changes[0].after.as_str()),
        ("lopend", "afgerond")
    );
}

// --- Access -----------------------------------------------------------------------------------

#[tokio::test]
async fn a_coach_of_another_region_gets_404() {
    let s = setup().await;
    let app = &s.app;
    let other = app.other_region().await;
    let elsewhere = app
        .create_participant("Олена Шевченко", None, Some(&other))
        .await;
    let placement = app.create_placement(elsewhere, other.organisation).await;
    let entry = sqlx::query_scalar!(
        "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes)
         VALUES ($1, $2, $3, current_date - 1, 60) RETURNING id",
        placement.0,
        elsewhere.0,
        other.organisation.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("entry elsewhere");

    for path in [
        format!("/plaatsingen/{placement}"),
        format!("/plaatsingen/{placement}/bewerken"),
        format!("/inburgeraars/{elsewhere}/plaatsingen/nieuw"),
        format!("/uren/{entry}/bewerken"),
    ] {
        let (status, page) = app.get_page(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.text("h1"), "Pagina niet gevonden");
    }
    let date = format_date(days_ago(1));
    for (path, fields) in [
        (
            format!("/plaatsingen/{placement}/uren"),
            vec![("dates", date.as_str()), ("minutes", "1u")],
        ),
        (
            format!("/plaatsingen/{placement}/status"),
            vec![("status", "geannuleerd")],
        ),
        (
            format!("/plaatsingen/{placement}/bewerken"),
            vec![("kind", "buddy")],
        ),
        (
            format!("/uren/{entry}/bewerken"),
            vec![
                ("worked_on", date.as_str()),
                ("minutes", "2u"),
                ("version", "1"),
            ],
        ),
        (format!("/uren/{entry}/verwijderen"), vec![]),
        (
            format!("/inburgeraars/{elsewhere}/plaatsingen/nieuw"),
            vec![("kind", "buddy")],
        ),
    ] {
        let response = app.post_form(&path, &fields).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "POST {path}");
    }
    let row = sqlx::query!(
        r#"SELECT (SELECT count(*) FROM hour_entries WHERE placement_id = $1) AS "entries!",
                  (SELECT minutes FROM hour_entries WHERE id = $2) AS "minutes!",
                  (SELECT status::text FROM placements WHERE id = $1) AS "status!""#,
        placement.0,
        entry
    )
    .fetch_one(&app.pool)
    .await
    .expect("untouched");
    assert_eq!(
        (row.entries, row.minutes, row.status.as_str()),
        (1, 60, "lopend")
    );
}

#[tokio::test]
async fn a_partner_is_refused_the_staff_pages() {
    let s = setup().await;
    let partner = TestApp::spawn_on(&s.app).await;
    partner.login_as(Role::Partner).await;
    let (status, page) = partner
        .get_page(&format!("/plaatsingen/{}", s.placement))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(page.text("h1"), "Geen toegang");
    for path in [
        format!("/inburgeraars/{}/plaatsingen/nieuw", s.participant),
        format!("/plaatsingen/{}/bewerken", s.placement),
    ] {
        assert_eq!(
            partner.get_page(&path).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let response = partner
        .post_form(
            &format!("/plaatsingen/{}/uren", s.placement),
            &[("dates", &format_date(days_ago(1))), ("minutes", "1u")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = partner
        .post_form(
            &format!("/plaatsingen/{}/status", s.placement),
            &[("status", "geannuleerd")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(entry_count(&s.app, s.placement).await, 0);
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_the_login_page() {
    let s = setup().await;
    let stranger = TestApp::spawn_on(&s.app).await;
    let path = format!("/plaatsingen/{}", s.placement);
    let response = stranger.get(&path).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login?next="));
    let response = stranger
        .get(&format!("/uren/{}/bewerken", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
}

#[tokio::test]
async fn a_malformed_id_gets_the_dutch_404_page() {
    let s = setup().await;
    for path in [
        "/plaatsingen/niet-een-uuid",
        "/plaatsingen/123/bewerken",
        "/uren/%E2%80%94/bewerken",
        "/inburgeraars/xyz/plaatsingen/nieuw",
    ] {
        let (status, page) = s.app.get_page(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.text("h1"), "Pagina niet gevonden");
    }
    let response = s
        .app
        .post_form(
            "/plaatsingen/zzz/uren",
            &[("dates", "1/1/2026"), ("minutes", "1u")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_placement_page_shows_names_in_any_script() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("محمد العلي", Some(coach.id), None)
        .await;
    let placement = app.create_placement(participant, app.organisation).await;
    let (status, page) = app.get_page(&format!("/plaatsingen/{placement}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text(".lead bdi"), "محمد العلي");
    assert_eq!(
        page.attr("main > p a", "href"),
        Some(format!("/inburgeraars/{participant}"))
    );
    assert!(
        page.select_all("[style]").is_empty(),
        "no inline styles under the CSP"
    );
    assert!(page.select_all("script").is_empty());
}

#[tokio::test]
async fn a_participants_placements_are_listed_with_their_minutes_in_one_query() {
    let s = setup().await;
    let app = &s.app;
    let second = app.create_placement(s.participant, app.organisation).await;
    sqlx::query!(
        "UPDATE placements SET starts_on = starts_on - 10, kind = 'stage' WHERE id = $1",
        second.0
    )
    .execute(&app.pool)
    .await
    .expect("older placement");
    for (placement, days, minutes, status) in [
        (s.placement, 1, 90, "bevestigd"),
        (s.placement, 2, 60, "ingediend"),
        (s.placement, 3, 30, "afgewezen"),
        (second, 4, 120, "bevestigd"),
    ] {
        sqlx::query(
            "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes,
                 status, rejection_reason)
             VALUES ($1, $2, $3, current_date - $4, $5, $6::entry_status,
                 CASE WHEN $6 = 'afgewezen' THEN 'Niet gepresteerd' END)",
        )
        .bind(placement.0)
        .bind(s.participant.0)
        .bind(app.organisation.0)
        .bind(days)
        .bind(minutes)
        .bind(status)
        .execute(&app.pool)
        .await
        .expect("entry");
    }
    let mut conn = app.pool.acquire().await.expect("connection");
    let page = veertig::domain::participant::page::load(&mut conn, app.region, s.participant, None)
        .await
        .expect("page")
        .expect("the participant of the region");
    let summary: Vec<_> = page
        .placements
        .iter()
        .map(|p| (p.id, p.kind.code(), p.confirmed_minutes, p.pending_minutes))
        .collect();
    assert_eq!(
        summary,
        [(s.placement, "buddy", 90, 60), (second, "stage", 120, 0)],
        "newest first, rejected minutes counted nowhere"
    );
    let elsewhere = app.other_region().await;
    let hidden =
        veertig::domain::participant::page::load(&mut conn, elsewhere.region, s.participant, None)
            .await
            .expect("page");
    assert!(hidden.is_none(), "another region sees nothing");
}
