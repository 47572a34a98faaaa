//! Double submits and races: the same create form posted twice (one after the other or at the
//! same moment) creates one record and both answers lead to it; decisions and certificates
//! raced by two people happen once.
//!
//! Races covered elsewhere: the same entry confirmed twice at once
//! (`confirmations::the_same_entry_confirmed_twice_at_once_is_confirmed_once`), two coördinatoren
//! issuing at once (`certificates::two_coordinators_issuing_at_once_get_distinct_consecutive_numbers`)
//! and an issue rolled back while another waits
//! (`certificates::an_issue_that_rolls_back_gives_its_number_back`).

use reqwest::StatusCode;
use veertig::domain::user::Role;
use veertig::values::dates::{format_date, iso_date, today};
use veertig::values::ids::{EntryId, ParticipantId, PlacementId};

use crate::helpers::{Page, TestApp, location};

const REPEATED: &str =
    "Dit formulier was al verstuurd en is één keer verwerkt: er is niets dubbel geregistreerd.";

/// The idempotency key of the form posting to `action` on `page`. The log-hours form posts
/// to `action#fouten`, so that a refusal comes back scrolled to its error summary.
fn key_of(page: &Page, action: &str) -> String {
    page.attr(
        &format!(
            "form[action=\"{action}\"] input[name=idempotency_key], form[action=\"{action}#fouten\"] input[name=idempotency_key]"
        ),
        "value",
    )
    .unwrap_or_else(|| panic!("the form {action} carries an idempotency key"))
}

async fn count(app: &TestApp, query: &str) -> i64 {
    sqlx::query_scalar(query)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

async fn placement(app: &TestApp, name: &str) -> PlacementId {
    let participant = app.create_participant(name, None, None).await;
    app.create_placement(participant, app.organisation).await
}

fn yesterday() -> String {
    format_date(today() - time::Duration::days(1))
}

#[tokio::test]
async fn every_page_renders_a_fresh_key_in_its_create_forms() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let placement = placement(&app, "Amina Yusuf").await;
    let path = format!("/plaatsingen/{placement}");
    let action = format!("{path}/uren");
    let (_, first) = app.get_page(&path).await;
    let (_, second) = app.get_page(&path).await;
    assert_ne!(key_of(&first, &action), key_of(&second, &action));
    let (_, page) = app.get_page("/inburgeraars/nieuw").await;
    key_of(&page, "/inburgeraars/nieuw");
}

#[tokio::test]
async fn the_hours_form_posted_twice_logs_the_hours_once() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let placement = placement(&app, "Amina Yusuf").await;
    let path = format!("/plaatsingen/{placement}");
    let action = format!("{path}/uren");
    let (_, page) = app.get_page(&path).await;
    let key = key_of(&page, &action);
    let date = yesterday();
    let fields = [
        ("idempotency_key", key.as_str()),
        ("dates", date.as_str()),
        ("minutes", "1:30"),
    ];
    let first = app.post_form(&action, &fields).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&first)).await;
    assert!(page.text(".flash").contains("1 u 30 geregistreerd"));

    let second = app.post_form(&action, &fields).await;
    assert_eq!(second.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&second), location(&first));
    let (_, page) = app.get_page(&location(&second)).await;
    assert!(
        page.text(".flash")
            .starts_with("Dit formulier was al verstuurd")
    );
    assert_eq!(count(&app, "SELECT count(*) FROM hour_entries").await, 1);
    assert_eq!(
        count(&app, "SELECT pending_minutes::bigint FROM participants").await,
        90
    );
}

#[tokio::test]
async fn the_hours_form_posted_twice_at_once_logs_the_hours_once() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let placement = placement(&app, "Amina Yusuf").await;
    let path = format!("/plaatsingen/{placement}");
    let action = format!("{path}/uren");
    let (_, page) = app.get_page(&path).await;
    let key = key_of(&page, &action);
    // Two dates: the repeat must not add a second pair either.
    let dates = format!(
        "{}\n{}",
        yesterday(),
        format_date(today() - time::Duration::days(2))
    );
    let fields = [
        ("idempotency_key", key.as_str()),
        ("dates", dates.as_str()),
        ("minutes", "2u"),
    ];
    let (a, b) = tokio::join!(
        app.post_form(&action, &fields),
        app.post_form(&action, &fields)
    );
    assert_eq!(
        (a.status(), b.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    assert_eq!(location(&a), location(&b));
    assert_eq!(count(&app, "SELECT count(*) FROM hour_entries").await, 2);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE entity = 'hour_entry'"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn a_partner_posting_hours_twice_confirms_them_once() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Partner).await;
    let placement = placement(&app, "Amina Yusuf").await;
    let path = format!("/partner/plaatsingen/{placement}");
    let action = format!("{path}/uren");
    let (_, page) = app.get_page(&path).await;
    let key = key_of(&page, &action);
    let date = yesterday();
    let fields = [
        ("idempotency_key", key.as_str()),
        ("dates", date.as_str()),
        ("minutes", "3u"),
    ];
    for _ in 0..2 {
        let response = app.post_form(&action, &fields).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), path);
    }
    assert_eq!(
        count(&app, "SELECT confirmed_minutes::bigint FROM participants").await,
        180
    );
}

#[tokio::test]
async fn a_refused_form_sent_again_with_the_same_key_is_handled() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let placement = placement(&app, "Amina Yusuf").await;
    // Ten hours yesterday already: three more break the 12-hours-a-day rule, which only the
    // database can check, after the key was claimed; the refusal rolls the claim back.
    app.create_entry(placement, 600, 1).await;
    let path = format!("/plaatsingen/{placement}");
    let action = format!("{path}/uren");
    let (_, page) = app.get_page(&path).await;
    let key = key_of(&page, &action);
    let refused = app
        .post_form(
            &action,
            &[
                ("idempotency_key", key.as_str()),
                ("dates", yesterday().as_str()),
                ("minutes", "3u"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let other_day = format_date(today() - time::Duration::days(2));
    let fixed = app
        .post_form(
            &action,
            &[
                ("idempotency_key", key.as_str()),
                ("dates", other_day.as_str()),
                ("minutes", "3u"),
            ],
        )
        .await;
    assert_eq!(fixed.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&fixed)).await;
    assert!(page.text(".flash").contains("3 u geregistreerd"));
    assert_eq!(count(&app, "SELECT count(*) FROM hour_entries").await, 2);
}

fn participant_form(app: &TestApp, key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("idempotency_key", key.to_string()),
        ("full_name", "Öztürk Ayşe".into()),
        ("birth_date", "17/05/1990".into()),
        ("municipality_id", app.municipality.to_string()),
        ("dutch_level", "A2".into()),
        ("obligation", "verplicht".into()),
        ("start_date", iso_date(today())),
    ]
}

fn as_refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn the_participant_form_posted_twice_registers_one_inburgeraar() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let (_, page) = app.get_page("/inburgeraars/nieuw").await;
    let key = key_of(&page, "/inburgeraars/nieuw");
    let form = participant_form(&app, &key);
    let fields = as_refs(&form);
    let (a, b) = tokio::join!(
        app.post_form("/inburgeraars/nieuw", &fields),
        app.post_form("/inburgeraars/nieuw", &fields)
    );
    assert_eq!(
        (a.status(), b.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    let id: ParticipantId = sqlx::query_scalar("SELECT id FROM participants")
        .fetch_one(&app.pool)
        .await
        .map(ParticipantId)
        .expect("exactly one participant");
    let expected = format!("/inburgeraars/{id}");
    assert_eq!((location(&a), location(&b)), (expected.clone(), expected));
    // A third time, later (a reload of the answer that never came), still nothing new.
    let c = app.post_form("/inburgeraars/nieuw", &as_refs(&form)).await;
    assert_eq!(location(&c), format!("/inburgeraars/{id}"));
    let (_, page) = app.get_page(&location(&c)).await;
    assert_eq!(page.text(".flash"), REPEATED);
    assert_eq!(count(&app, "SELECT count(*) FROM participants").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE entity = 'participant'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_key_belongs_to_its_user() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let other = TestApp::spawn_on(&app).await;
    other.login_as(Role::Coach).await;
    let (_, page) = app.get_page("/inburgeraars/nieuw").await;
    let key = key_of(&page, "/inburgeraars/nieuw");
    other.get_page("/inburgeraars/nieuw").await;
    let form = participant_form(&app, &key);
    let mine = app.post_form("/inburgeraars/nieuw", &as_refs(&form)).await;
    // Someone else sending the same key registers their own, and is not sent to mine.
    let theirs = other
        .post_form("/inburgeraars/nieuw", &as_refs(&form))
        .await;
    assert_ne!(location(&mine), location(&theirs));
    assert_eq!(count(&app, "SELECT count(*) FROM participants").await, 2);
}

#[tokio::test]
async fn the_placement_form_posted_twice_creates_one_placement() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let participant = app.create_participant("Amina Yusuf", None, None).await;
    let path = format!("/inburgeraars/{participant}/plaatsingen/nieuw");
    let (_, page) = app.get_page(&path).await;
    let key = key_of(&page, &path);
    let organisation = app.organisation.to_string();
    let starts = iso_date(today());
    let ends = iso_date(today() + time::Duration::days(60));
    let fields = [
        ("idempotency_key", key.as_str()),
        ("organisation_id", organisation.as_str()),
        ("kind", "buddy"),
        ("starts_on", starts.as_str()),
        ("ends_on", ends.as_str()),
        ("planned", "40"),
        ("contact_name", "Marie Claes"),
        ("meets_contact", "ja"),
        ("meets_dutch_setting", "ja"),
        ("meets_new_contacts", "ja"),
        ("meets_unpaid", "ja"),
    ];
    let (a, b) = tokio::join!(app.post_form(&path, &fields), app.post_form(&path, &fields));
    assert_eq!(
        (a.status(), b.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    let id: PlacementId = sqlx::query_scalar("SELECT id FROM placements")
        .fetch_one(&app.pool)
        .await
        .map(PlacementId)
        .expect("exactly one placement");
    assert_eq!(location(&a), format!("/plaatsingen/{id}"));
    assert_eq!(location(&b), format!("/plaatsingen/{id}"));
}

/// A participant with 40 confirmed hours, ready for a certificate.
async fn ready_participant(app: &TestApp, name: &str) -> ParticipantId {
    let participant = app.create_participant(name, None, None).await;
    let placement = app.create_placement(participant, app.organisation).await;
    sqlx::query(
        "INSERT INTO hour_entries (placement_id, participant_id, organisation_id, worked_on, minutes, status)
         SELECT id, participant_id, organisation_id, current_date - d, 600, 'bevestigd'
         FROM placements, generate_series(1, 4) AS d WHERE id = $1",
    )
    .bind(placement.0)
    .execute(&app.pool)
    .await
    .expect("confirmed hours");
    participant
}

#[tokio::test]
async fn the_issue_form_posted_twice_at_once_issues_one_certificate() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let participant = ready_participant(&app, "Amina Yusuf").await;
    let (_, page) = app.get_page("/certificaten").await;
    let key = key_of(&page, "/certificaten/uitreiken");
    let id = participant.to_string();
    let fields = [("idempotency_key", key.as_str()), ("kies", id.as_str())];
    let (a, b) = tokio::join!(
        app.post_form("/certificaten/uitreiken", &fields),
        app.post_form("/certificaten/uitreiken", &fields)
    );
    assert_eq!(
        (a.status(), b.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    // Both answers lead to the batch just issued, not to "already has a certificate".
    assert_eq!(location(&a), location(&b));
    assert!(location(&a).contains("reeks="));
    assert_eq!(count(&app, "SELECT count(*) FROM certificates").await, 1);
    assert_eq!(
        count(&app, "SELECT last_number::bigint FROM certificate_counters").await,
        1
    );
    let (_, page) = app.get_page(&location(&b)).await;
    assert!(page.select_all(".flash-error").is_empty());
}

#[tokio::test]
async fn overlapping_batches_issued_at_once_certify_each_participant_once() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let other = TestApp::spawn_on(&app).await;
    other.login_as(Role::Coordinator).await;
    let mut participants = Vec::new();
    for i in 0..6 {
        participants.push(ready_participant(&app, &format!("Klaar {i}")).await);
    }
    let ids: Vec<String> = participants.iter().map(ToString::to_string).collect();
    // Two overlapping selections in opposite orders: without ordered locks, a deadlock.
    let mine: Vec<(&str, &str)> = ids[..4].iter().map(|id| ("kies", id.as_str())).collect();
    let theirs: Vec<(&str, &str)> = ids[2..]
        .iter()
        .rev()
        .map(|id| ("kies", id.as_str()))
        .collect();
    let (a, b) = tokio::join!(
        app.post_form("/certificaten/uitreiken", &mine),
        other.post_form("/certificaten/uitreiken", &theirs)
    );
    assert_eq!(
        (a.status(), b.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    let sequences: Vec<i32> =
        sqlx::query_scalar("SELECT sequence FROM certificates ORDER BY sequence")
            .fetch_all(&app.pool)
            .await
            .expect("sequences");
    assert_eq!(sequences, (1..=6).collect::<Vec<_>>(), "each once, no gaps");
    assert_eq!(
        count(
            &app,
            "SELECT count(DISTINCT participant_id) FROM certificates"
        )
        .await,
        6
    );
}

async fn entry_state(app: &TestApp, entry: EntryId) -> (String, i32, i32) {
    sqlx::query_as("SELECT status::text, minutes, version FROM hour_entries WHERE id = $1")
        .bind(entry.0)
        .fetch_one(&app.pool)
        .await
        .expect("entry")
}

#[tokio::test]
async fn confirm_and_reject_at_once_decide_the_entry_once() {
    let app = TestApp::spawn().await;
    let placement = placement(&app, "Amina Yusuf").await;
    let entry = app.create_entry(placement, 90, 3).await;
    app.login_as(Role::Partner).await;
    let colleague = TestApp::spawn_on(&app).await;
    colleague.login_as(Role::Partner).await;
    let confirm = format!("/partner/uren/{entry}/bevestigen");
    let reject = format!("/partner/uren/{entry}/afwijzen");
    let (a, b) = tokio::join!(
        app.post_form(&confirm, &[("version", "1")]),
        colleague.post_form(
            &reject,
            &[("version", "1"), ("reason", "Niet aanwezig geweest.")]
        ),
    );
    assert_eq!(
        (a.status(), b.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    let (status, _, version) = entry_state(&app, entry).await;
    assert!(["bevestigd", "afgewezen"].contains(&status.as_str()));
    assert_eq!(version, 2, "decided once");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM audit_log WHERE entity = 'hour_entry'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_coach_editing_while_the_partner_confirms_never_confirms_unseen_minutes() {
    let app = TestApp::spawn().await;
    let placement = placement(&app, "Amina Yusuf").await;
    let entry = app.create_entry(placement, 90, 3).await;
    app.login_as(Role::Coach).await;
    let partner = TestApp::spawn_on(&app).await;
    partner.login_as(Role::Partner).await;
    let worked_on = iso_date(today() - time::Duration::days(3));
    let edit_path = format!("/uren/{entry}/bewerken");
    let confirm_path = format!("/partner/uren/{entry}/bevestigen");
    let edit_fields = [
        ("worked_on", worked_on.as_str()),
        ("minutes", "2u"),
        ("version", "1"),
    ];
    let (edit, confirm) = tokio::join!(
        app.post_form(&edit_path, &edit_fields),
        partner.post_form(&confirm_path, &[("version", "1")]),
    );
    assert_eq!(
        (edit.status(), confirm.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    // Either the confirmation came first (90 minutes confirmed, the edit refused) or the edit
    // (120 minutes pending, the confirmation of version 1 refused): never 120 confirmed.
    let state = entry_state(&app, entry).await;
    assert!(
        state == ("bevestigd".into(), 90, 2) || state == ("ingediend".into(), 120, 2),
        "{state:?}"
    );
}

#[tokio::test]
async fn the_organisation_form_posted_twice_creates_one_organisation() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let (_, page) = app.get_page("/organisaties/nieuw").await;
    let key = key_of(&page, "/organisaties/nieuw");
    let municipality = app.municipality.to_string();
    let fields = [
        ("idempotency_key", key.as_str()),
        ("name", "Buurtwerk De Brug"),
        ("kind", "vereniging"),
        ("municipality", municipality.as_str()),
    ];
    let first = app.post_form("/organisaties/nieuw", &fields).await;
    // Without the key the unique name would refuse the repeat with a form error (422).
    let second = app.post_form("/organisaties/nieuw", &fields).await;
    assert_eq!(
        (first.status(), second.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    assert_eq!(location(&first), location(&second));
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM organisations WHERE name = 'Buurtwerk De Brug'"
        )
        .await,
        1
    );
}

/// The deterministic form of the race above: a coach's edit holds the participant's row (as
/// every change to hours does first) when the partner's confirmation arrives. The confirmation
/// must queue behind that same lock instead of taking the entry first, or the edit's update of
/// the entry and the totals trigger of the confirmation wait for each other: a deadlock.
#[tokio::test]
async fn a_confirmation_queues_behind_an_edit_in_progress_instead_of_deadlocking() {
    use veertig::domain::confirmation::{self, Decider, Decision, DecisionOutcome};
    let app = TestApp::spawn().await;
    let placement = placement(&app, "Amina Yusuf").await;
    let entry = app.create_entry(placement, 90, 3).await;
    let partner = app.create_user(Role::Partner).await;

    let mut edit = app.pool.begin().await.expect("edit transaction");
    sqlx::query(
        "SELECT 1 FROM participants WHERE id = (SELECT participant_id FROM hour_entries WHERE id = $1) FOR UPDATE",
    )
    .bind(entry.0)
    .execute(&mut *edit)
    .await
    .expect("the edit locks the participant");
    let edit_backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *edit)
        .await
        .expect("backend pid");

    let pool = app.pool.clone();
    let organisation = app.organisation;
    let deciding = tokio::spawn(async move {
        let mut tx = pool.begin().await.expect("decision transaction");
        let decider = Decider::Partner {
            user: partner.id,
            organisation,
        };
        let outcome = confirmation::decide(&mut tx, &decider, entry, 1, &Decision::Confirm).await;
        let outcome = outcome.expect("no deadlock");
        tx.commit().await.expect("commit");
        outcome
    });
    app.wait_until_blocked_by(edit_backend).await;
    assert!(
        !deciding.is_finished(),
        "the confirmation waits for the edit"
    );
    // The edit goes on to change the entry: it must not wait for the confirmation.
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        sqlx::query("UPDATE hour_entries SET minutes = 120, version = version + 1 WHERE id = $1")
            .bind(entry.0)
            .execute(&mut *edit),
    )
    .await
    .expect("the edit is not blocked by the confirmation")
    .expect("the edit's update");
    edit.commit().await.expect("the edit commits");
    let outcome = deciding.await.expect("decision task");
    assert!(matches!(outcome, DecisionOutcome::Changed));
    assert_eq!(entry_state(&app, entry).await, ("ingediend".into(), 120, 2));
}
