//! Partners confirming and rejecting hours, with an account and through personal links.

use reqwest::StatusCode;
use veertig::domain::user::Role;
use veertig::values::dates::{format_date, today};
use veertig::values::duration::format_minutes;
use veertig::values::ids::{EntryId, PlacementId};

use crate::helpers::{Page, TestApp, location};

async fn status_of(app: &TestApp, entry: EntryId) -> String {
    sqlx::query_scalar("SELECT status::text FROM hour_entries WHERE id = $1")
        .bind(entry.0)
        .fetch_one(&app.pool)
        .await
        .expect("entry status")
}

async fn audit_rows(app: &TestApp, entry: EntryId) -> Vec<(String, serde_json::Value)> {
    sqlx::query_as("SELECT action, after FROM audit_log WHERE entity = 'hour_entry' AND entity_id = $1 ORDER BY id")
        .bind(entry.0)
        .fetch_all(&app.pool)
        .await
        .expect("audit rows")
}

/// A participant with a running placement at the test organisation.
async fn placement(app: &TestApp, name: &str) -> PlacementId {
    let participant = app.create_participant(name, None, None).await;
    app.create_placement(participant, app.organisation).await
}

#[tokio::test]
async fn a_partner_sees_only_the_pending_hours_of_their_own_organisation() {
    let app = TestApp::spawn().await;
    let ours = placement(&app, "Amina Yusuf").await;
    app.create_entry(ours, 90, 3).await;
    app.create_entry(ours, 60, 2).await;
    let elsewhere_org: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO organisations (region_id, name, kind, search_name) VALUES ($1, 'Ander', 'bedrijf', 'ander') RETURNING id",
    )
    .bind(app.region.0)
    .fetch_one(&app.pool)
    .await
    .expect("org");
    let other = app.create_participant("Niet Zichtbaar", None, None).await;
    let theirs = app
        .create_placement(other, veertig::values::ids::OrganisationId(elsewhere_org))
        .await;
    app.create_entry(theirs, 120, 1).await;

    app.login_as(Role::Partner).await;
    let (status, page) = app.get_page("/partner").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.select_all(".pending-group h2 bdi"), ["Amina Yusuf"]);
    assert_eq!(page.select_all(".entry").len(), 2);
    assert!(
        page.text(".pending-group")
            .contains("Alles bevestigen (2 · 2 u 30)")
    );
    let html = page.0.html();
    assert!(!html.contains("Niet Zichtbaar"));
    // Only what a partner needs: no date of birth.
    assert!(!html.contains("17/05/1990") && !html.contains("1990-05-17"));
}

#[tokio::test]
async fn a_large_organisation_sees_its_pending_hours_ten_placements_per_page() {
    let app = TestApp::spawn().await;
    for n in 0..11 {
        // Names sort as they are numbered: the eleventh lands on page two.
        let ours = placement(&app, &format!("Deelnemer {n:02}")).await;
        app.create_entry(ours, 60, 2).await;
        app.create_entry(ours, 30, 1).await;
    }
    app.login_as(Role::Partner).await;
    let (_, first) = app.get_page("/partner").await;
    let names = first.select_all(".pending-group h2 bdi");
    assert_eq!(names.len(), 10);
    assert_eq!(names[0], "Deelnemer 00");
    assert_eq!(
        first.select_all(".entry").len(),
        20,
        "every entry of a shown placement"
    );
    assert_eq!(
        first.attr("a[rel=next]", "href").as_deref(),
        Some("/partner?pagina=2")
    );
    let (_, second) = app.get_page("/partner?pagina=2").await;
    assert_eq!(second.select_all(".pending-group h2 bdi"), ["Deelnemer 10"]);
    assert!(second.attr("a[rel=next]", "href").is_none());

    // A rejection without a reason on page two shows page two again, with the error.
    let entry: uuid::Uuid = sqlx::query_scalar(
        "SELECT e.id FROM hour_entries e JOIN participants p ON p.id = e.participant_id
         WHERE p.full_name = 'Deelnemer 10' ORDER BY e.worked_on LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("entry");
    let response = app
        .post_form(
            &format!("/partner/uren/{entry}/afwijzen"),
            &[("version", "1"), ("reason", " "), ("pagina", "2")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(page.select_all(".pending-group h2 bdi"), ["Deelnemer 10"]);
    assert!(page.text(".error-summary").contains("Afwijzen lukte niet"));
}

#[tokio::test]
async fn a_partner_confirms_one_entry_and_it_counts() {
    let app = TestApp::spawn().await;
    let placement = placement(&app, "Amina Yusuf").await;
    let entry = app.create_entry(placement, 90, 3).await;
    let partner = app.login_as(Role::Partner).await;
    let response = app
        .post_form(
            &format!("/partner/uren/{entry}/bevestigen"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, entry).await, "bevestigd");
    let (_, page) = app.get_page("/partner").await;
    assert_eq!(page.text(".flash"), "Bevestigd.");
    assert!(page.text(".empty").contains("Er wachten geen uren"));
    let confirmed: i32 = sqlx::query_scalar(
        "SELECT p.confirmed_minutes FROM participants p JOIN placements pl ON pl.participant_id = p.id WHERE pl.id = $1",
    )
    .bind(placement.0)
    .fetch_one(&app.pool)
    .await
    .expect("totals");
    assert_eq!(confirmed, 90);
    let rows = audit_rows(&app, entry).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "bevestigd");
    let actor: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT actor_id FROM audit_log WHERE entity_id = $1")
            .bind(entry.0)
            .fetch_one(&app.pool)
            .await
            .expect("actor");
    assert_eq!(actor, Some(partner.id.0));
    let (_, history) = app.get_page("/partner/geschiedenis").await;
    assert!(history.text("tbody tr").contains("Amina Yusuf"));
}

/// The decision's audit row holds the entry before and after, whole: the statement that decides
/// adds the minutes it read under its lock to what the application wrote.
#[tokio::test]
async fn a_rejection_is_audited_with_the_entry_before_and_after() {
    let app = TestApp::spawn().await;
    let placement = placement(&app, "Amina Yusuf").await;
    let entry = app.create_entry(placement, 75, 2).await;
    let partner = app.login_as(Role::Partner).await;
    let response = app
        .post_form(
            &format!("/partner/uren/{entry}/afwijzen"),
            &[("version", "1"), ("reason", "Was er niet")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (actor, participant, before, after): (
        Option<uuid::Uuid>,
        Option<uuid::Uuid>,
        serde_json::Value,
        serde_json::Value,
    ) = sqlx::query_as(
        "SELECT a.actor_id, a.participant_id, a.before, a.after FROM audit_log a
         WHERE a.entity = 'hour_entry' AND a.entity_id = $1",
    )
    .bind(entry.0)
    .fetch_one(&app.pool)
    .await
    .expect("audit row");
    let owner: uuid::Uuid =
        sqlx::query_scalar("SELECT participant_id FROM placements WHERE id = $1")
            .bind(placement.0)
            .fetch_one(&app.pool)
            .await
            .expect("participant");
    assert_eq!((actor, participant), (Some(partner.id.0), Some(owner)));
    assert_eq!(
        before,
        serde_json::json!({"status": "ingediend", "version": 1, "minutes": 75})
    );
    assert_eq!(
        after,
        serde_json::json!({
            "status": "afgewezen", "version": 2, "minutes": 75, "rejection_reason": "Was er niet"
        })
    );
}

/// Six entries of `placement`, logged and decided out of order, two of them on one day, and
/// confirmed or rejected: the (date, duration) pairs *Behandelde uren* shows for them, the newest
/// work first, of one day the one logged last first (issue 22 item 14).
pub(crate) async fn decided_out_of_order(
    app: &TestApp,
    placement: PlacementId,
) -> Vec<(String, String)> {
    // (days ago, minutes, decided how many hours ago, rejection reason), in the order logged.
    let decided = [
        (5, 60, 1, None),
        (2, 30, 30, Some("Niet aanwezig")),
        (9, 90, 2, None),
        (1, 45, 50, None),
        (2, 120, 3, None),
        (7, 15, 4, Some("Gesloten")),
    ];
    for (days, minutes, hours_ago, reason) in decided {
        let entry = app.create_entry(placement, minutes, days).await;
        app.decide_entry(entry, reason, hours_ago).await;
    }
    [(1, 45), (2, 120), (2, 30), (5, 60), (7, 15), (9, 90)]
        .into_iter()
        .map(|(days, minutes)| {
            (
                format_date(today() - time::Duration::days(days)),
                format_minutes(minutes),
            )
        })
        .collect()
}

/// Issue 22 item 14: *Behandelde uren* lists the newest work first, whatever order the hours
/// were logged and decided in; the kind of placement reads in Dutch there and on the list of
/// hours waiting, never as its code.
#[tokio::test]
async fn the_partners_history_lists_the_newest_work_first() {
    let app = TestApp::spawn().await;
    let placement = placement(&app, "Amina Yusuf").await;
    let expected = decided_out_of_order(&app, placement).await;
    app.create_entry(placement, 20, 3).await;
    app.login_as(Role::Partner).await;
    let (status, page) = app.get_page("/partner/geschiedenis").await;
    assert_eq!(status, StatusCode::OK);
    let shown: Vec<(String, String)> = page
        .select_all("tbody td[data-label=Datum]")
        .into_iter()
        .zip(page.select_all("tbody td[data-label=Duur]"))
        .collect();
    assert_eq!(shown, expected);
    assert_eq!(
        page.select_all("tbody td:first-child .muted"),
        ["· Buddy"; 6],
        "the kind in Dutch"
    );
    let (_, home) = app.get_page("/partner").await;
    assert_eq!(home.select_all(".pending-group h2 .muted"), ["· Buddy"]);
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let placement = placement(&app, "Amina Yusuf").await;
    let entry = app.create_entry(placement, 90, 3).await;
    app.login_as(Role::Partner).await;
    let response = app
        .post_form(
            &format!("/partner/uren/{entry}/afwijzen"),
            &[("version", "1"), ("reason", "   ")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text(".error-summary").contains("Schrijf kort waarom"));
    assert!(
        page.attr(&format!("#reason-{entry}"), "aria-invalid")
            .is_some()
    );
    assert_eq!(status_of(&app, entry).await, "ingediend");

    let response = app
        .post_form(
            &format!("/partner/uren/{entry}/afwijzen"),
            &[("version", "1"), ("reason", "Was die dag niet aanwezig")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, entry).await, "afgewezen");
    let reason: String =
        sqlx::query_scalar("SELECT rejection_reason FROM hour_entries WHERE id = $1")
            .bind(entry.0)
            .fetch_one(&app.pool)
            .await
            .expect("reason");
    assert_eq!(reason, "Was die dag niet aanwezig");
}

#[tokio::test]
async fn confirm_all_confirms_what_was_shown() {
    let app = TestApp::spawn().await;
    let placement = placement(&app, "Amina Yusuf").await;
    let entries = [
        app.create_entry(placement, 90, 3).await,
        app.create_entry(placement, 60, 2).await,
        app.create_entry(placement, 30, 1).await,
    ];
    app.login_as(Role::Partner).await;
    let (_, page) = app.get_page("/partner").await;
    let shown = page
        .attr("input[name=entries]", "value")
        .expect("entries field");
    let action = page
        .attr("form[action$=alles-bevestigen]", "action")
        .expect("form");
    let response = app.post_form(&action, &[("entries", &shown)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    for entry in entries {
        assert_eq!(status_of(&app, entry).await, "bevestigd");
    }
    let (_, page) = app.get_page("/partner").await;
    assert_eq!(page.text(".flash"), "3 prestaties bevestigd.");
}

#[tokio::test]
async fn confirm_all_of_one_placement_confirms_nothing_of_another() {
    let app = TestApp::spawn().await;
    let first = placement(&app, "Amina Yusuf").await;
    let second = placement(&app, "Olena Shevchenko").await;
    let own = app.create_entry(first, 90, 3).await;
    let other = app.create_entry(second, 60, 2).await;
    app.login_as(Role::Partner).await;
    let response = app
        .post_form(
            &format!("/partner/plaatsingen/{first}/alles-bevestigen"),
            &[("entries", &format!("{own}:1,{other}:1"))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, own).await, "ingediend");
    assert_eq!(status_of(&app, other).await, "ingediend");
    let response = app
        .post_form(
            "/partner/plaatsingen/geen-id/alles-bevestigen",
            &[("entries", &format!("{own}:1"))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .post_form(
            &format!("/partner/plaatsingen/{first}/alles-bevestigen"),
            &[("entries", &format!("{own}:1"))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, own).await, "bevestigd");
    assert_eq!(status_of(&app, other).await, "ingediend");
}

#[tokio::test]
async fn an_entry_changed_since_it_was_shown_is_not_confirmed() {
    let app = TestApp::spawn().await;
    let placement = placement(&app, "Amina Yusuf").await;
    let entry = app.create_entry(placement, 90, 3).await;
    app.login_as(Role::Partner).await;
    // The coach corrects the duration while the partner's page is open.
    sqlx::query("UPDATE hour_entries SET minutes = 120, version = version + 1 WHERE id = $1")
        .bind(entry.0)
        .execute(&app.pool)
        .await
        .expect("edit");
    app.post_form(
        &format!("/partner/uren/{entry}/bevestigen"),
        &[("version", "1")],
    )
    .await;
    assert_eq!(status_of(&app, entry).await, "ingediend");
    let (_, page) = app.get_page("/partner").await;
    assert!(page.text(".flash-error").contains("intussen gewijzigd"));
    assert!(audit_rows(&app, entry).await.is_empty());
}

#[tokio::test]
async fn the_same_entry_confirmed_twice_at_once_is_confirmed_once() {
    let app = TestApp::spawn().await;
    let placement = placement(&app, "Amina Yusuf").await;
    let entry = app.create_entry(placement, 90, 3).await;
    app.login_as(Role::Partner).await;
    let second = TestApp::spawn_on(&app).await;
    second.login_as(Role::Partner).await;
    let path = format!("/partner/uren/{entry}/bevestigen");
    let (a, b) = tokio::join!(
        app.post_form(&path, &[("version", "1")]),
        second.post_form(&path, &[("version", "1")]),
    );
    assert_eq!(
        (a.status(), b.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    assert_eq!(status_of(&app, entry).await, "bevestigd");
    assert_eq!(audit_rows(&app, entry).await.len(), 1);
    let version: i32 = sqlx::query_scalar("SELECT version FROM hour_entries WHERE id = $1")
        .bind(entry.0)
        .fetch_one(&app.pool)
        .await
        .expect("version");
    assert_eq!(version, 2);
}

#[tokio::test]
async fn a_partner_cannot_decide_for_another_organisation() {
    let app = TestApp::spawn().await;
    let other = app.other_region().await;
    let participant = app.create_participant("Elders", None, Some(&other)).await;
    let placement = app.create_placement(participant, other.organisation).await;
    let entry = app.create_entry(placement, 90, 3).await;
    app.login_as(Role::Partner).await;
    for action in ["bevestigen", "afwijzen"] {
        let response = app
            .post_form(
                &format!("/partner/uren/{entry}/{action}"),
                &[("version", "1"), ("reason", "nee")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{action}");
    }
    let response = app
        .post_form(
            &format!("/partner/plaatsingen/{placement}/alles-bevestigen"),
            &[("entries", &format!("{entry}:1"))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, entry).await, "ingediend");
}

/// Sends a reminder as a coach and returns the token from the queued mail.
pub(crate) async fn reminder_token(app: &TestApp, placement: PlacementId) -> String {
    sqlx::query("UPDATE placements SET contact_name = 'Karel Contact', contact_email = 'karel@vereniging.example' WHERE id = $1")
        .bind(placement.0)
        .execute(&app.pool)
        .await
        .expect("contact");
    let response = app
        .post_form(&format!("/plaatsingen/{placement}/herinnering"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (recipient, body, secret): (String, String, String) = sqlx::query_as(
        "SELECT recipient, body_text, secret FROM outbox ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a queued mail");
    assert_eq!(recipient, "karel@vereniging.example");
    // The body holds a mark where the secret goes; the secret waits beside it until sending.
    let link = format!("/bevestigen/{}", veertig::mail::SECRET_MARK);
    assert!(body.contains(&link), "a link in the mail: {body}");
    secret
}

#[tokio::test]
async fn a_contact_confirms_through_a_personal_link_under_their_name() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let placement = placement(&app, "Amina Yusuf").await;
    let first = app.create_entry(placement, 90, 3).await;
    let second = app.create_entry(placement, 60, 2).await;
    let token = reminder_token(&app, placement).await;

    // Only the hash is stored.
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM confirmation_links")
        .fetch_one(&app.pool)
        .await
        .expect("link");
    assert_eq!(stored.len(), 32);
    assert_ne!(stored, token.as_bytes());

    let contact = TestApp::spawn_on(&app).await;
    let (status, page) = contact.get_page(&format!("/bevestigen/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("label[for=name]"), "Uw naam");
    assert!(
        page.text(".lead").ends_with("(Buddy)."),
        "the kind in Dutch: {}",
        page.text(".lead")
    );
    assert!(
        page.select_all(".entry").is_empty(),
        "no entries before a name is given"
    );

    let response = contact
        .post_form(&format!("/bevestigen/{token}/naam"), &[("name", " ")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = contact
        .post_form(
            &format!("/bevestigen/{token}/naam"),
            &[("name", "Karel Contact")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = contact.get_page(&format!("/bevestigen/{token}")).await;
    assert_eq!(page.select_all(".entry").len(), 2);
    assert!(page.text("main").contains("U bevestigt als Karel Contact"));

    let response = contact
        .post_form(
            &format!("/bevestigen/{token}/uren/{first}/bevestigen"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, first).await, "bevestigd");
    let rows = audit_rows(&app, first).await;
    assert_eq!(rows.len(), 1);
    let after = &rows[0].1;
    assert_eq!(after["confirmer_name"], "Karel Contact");
    assert_eq!(after["client_addr"], "127.0.0.1");
    assert!(after["via_link"].is_string());

    let response = contact
        .post_form(
            &format!("/bevestigen/{token}/uren/{second}/afwijzen"),
            &[("version", "1"), ("reason", "Niet gezien")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, second).await, "afgewezen");
    let used: i32 = sqlx::query_scalar("SELECT use_count FROM confirmation_links")
        .fetch_one(&app.pool)
        .await
        .expect("use count");
    assert_eq!(used, 2);
}

#[tokio::test]
async fn a_link_serves_its_own_placement_only() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let placement_a = placement(&app, "Amina Yusuf").await;
    let placement_b = placement(&app, "Bilal Haddad").await;
    let other_entry = app.create_entry(placement_b, 60, 2).await;
    let token = reminder_token(&app, placement_a).await;
    let contact = TestApp::spawn_on(&app).await;
    contact.get_page(&format!("/bevestigen/{token}")).await;
    contact
        .post_form(&format!("/bevestigen/{token}/naam"), &[("name", "Karel")])
        .await;
    let response = contact
        .post_form(
            &format!("/bevestigen/{token}/uren/{other_entry}/bevestigen"),
            &[("version", "1")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, other_entry).await, "ingediend");
    let (_, page) = contact.get_page(&format!("/bevestigen/{token}")).await;
    assert!(!page.0.html().contains("Bilal Haddad"));
}

#[tokio::test]
async fn expired_revoked_and_unknown_links_do_not_open() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let placement = placement(&app, "Amina Yusuf").await;
    app.create_entry(placement, 60, 2).await;
    let token = reminder_token(&app, placement).await;
    let contact = TestApp::spawn_on(&app).await;
    assert_eq!(
        contact.get(&format!("/bevestigen/{token}")).await.status(),
        StatusCode::OK
    );

    sqlx::query("UPDATE confirmation_links SET expires_at = now() - interval '1 minute'")
        .execute(&app.pool)
        .await
        .expect("expire");
    let (status, page) = contact.get_page(&format!("/bevestigen/{token}")).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(page.text("h1"), "Deze link is verlopen");

    sqlx::query("UPDATE confirmation_links SET expires_at = now() + interval '1 day'")
        .execute(&app.pool)
        .await
        .expect("extend");
    let link: uuid::Uuid = sqlx::query_scalar("SELECT id FROM confirmation_links")
        .fetch_one(&app.pool)
        .await
        .expect("link id");
    let response = app
        .post_form(&format!("/links/{link}/intrekken"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, page) = contact.get_page(&format!("/bevestigen/{token}")).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(page.text("h1"), "Deze link werkt niet meer");

    let (status, _) = contact
        .get_page(&format!("/bevestigen/{}", "0".repeat(64)))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_reminder_without_a_contact_email_is_explained() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let placement = placement(&app, "Amina Yusuf").await;
    let response = app
        .post_form(&format!("/plaatsingen/{placement}/herinnering"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .expect("outbox");
    assert_eq!(count, 0);
    let (_, page) = app.get_page(&location(&response)).await;
    assert!(
        page.text(".flash-error")
            .contains("geen contactpersoon met een e-mailadres")
    );
}

#[tokio::test]
async fn hours_logged_by_a_coach_send_the_contact_a_link_once_a_day() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let placement = placement(&app, "Amina Yusuf").await;
    sqlx::query("UPDATE placements SET contact_email = 'karel@vereniging.example' WHERE id = $1")
        .bind(placement.0)
        .execute(&app.pool)
        .await
        .expect("contact");
    let today = veertig::values::dates::today();
    for days_ago in [2, 1] {
        let date = veertig::values::dates::format_date(today - time::Duration::days(days_ago));
        let response = app
            .post_form(
                &format!("/plaatsingen/{placement}/uren"),
                &[("dates", &date), ("minutes", "1u30"), ("description", "")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let mails: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE recipient = 'karel@vereniging.example'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("outbox");
    assert_eq!(mails, 1);
    let (_, page) = app.get_page(&format!("/plaatsingen/{placement}")).await;
    let section = page.text("#bevestiging");
    assert!(
        section.contains("2 prestaties wachten op bevestiging"),
        "{section}"
    );
    assert!(section.contains("karel@vereniging.example"));
    assert_eq!(page.text("#bevestiging tbody .badge"), "open");
}

#[tokio::test]
async fn without_smtp_the_beheerder_reads_mail_in_the_outbox() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let placement = placement(&app, "Amina Yusuf").await;
    app.create_entry(placement, 60, 2).await;
    reminder_token(&app, placement).await;
    let admin = TestApp::spawn_on(&app).await;
    admin.login_as(Role::Admin).await;
    let (status, page) = admin.get_page("/beheer/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.text("main").contains("geen SMTP-server ingesteld"));
    assert!(
        page.text(".outbox")
            .contains("Uren bevestigen voor Amina Yusuf")
    );
    assert!(page.text(".outbox").contains("karel@vereniging.example"));
    assert_eq!(
        app.get("/beheer/outbox").await.status(),
        StatusCode::FORBIDDEN
    );
}

/// Monday 08:00 on a Belgian clock is 07:00 UTC in winter and 06:00 UTC in summer.
#[tokio::test]
async fn the_weekly_digest_waits_for_eight_on_a_belgian_clock_in_winter_and_summer() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.acquire().await.expect("connection");
    for (moment, due) in [
        (time::macros::datetime!(2026-11-23 06:59 UTC), false),
        (time::macros::datetime!(2026-11-23 07:00 UTC), true),
        (time::macros::datetime!(2026-06-22 05:59 UTC), false),
        (time::macros::datetime!(2026-06-22 06:30 UTC), true),
    ] {
        let queued = veertig::domain::confirmation::queue_weekly_digest_once(
            &mut conn,
            "http://veertig.test",
            moment,
        )
        .await
        .expect("digest");
        assert_eq!(queued, due, "{moment}");
    }
}

#[tokio::test]
async fn the_weekly_digest_goes_once_to_each_partner_with_hours_waiting() {
    let app = TestApp::spawn().await;
    let placement = placement(&app, "Amina Yusuf").await;
    app.create_entry(placement, 60, 2).await;
    app.create_entry(placement, 30, 1).await;
    app.create_user(Role::Partner).await;
    app.create_user(Role::Partner).await;
    let monday_noon = time::macros::datetime!(2026-11-23 11:00 UTC);
    let mut conn = app.pool.acquire().await.expect("connection");
    let queued = veertig::domain::confirmation::queue_weekly_digest_once(
        &mut conn,
        "http://veertig.test",
        monday_noon,
    )
    .await
    .expect("digest");
    assert!(queued);
    let again = veertig::domain::confirmation::queue_weekly_digest_once(
        &mut conn,
        "http://veertig.test",
        monday_noon,
    )
    .await
    .expect("digest");
    assert!(!again);
    let mails: Vec<(String, String)> = sqlx::query_as("SELECT subject, body_text FROM outbox")
        .fetch_all(&app.pool)
        .await
        .expect("mails");
    assert_eq!(mails.len(), 2);
    assert_eq!(
        mails[0].0,
        "Uren die wachten op bevestiging bij Testvereniging"
    );
    assert!(
        mails[0]
            .1
            .contains("Amina Yusuf (Buddy): 2 prestaties, 1 u 30")
    );
    let html: String = sqlx::query_scalar("SELECT body_html FROM outbox LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .expect("the mail's HTML");
    assert!(html.contains("</bdi> (Buddy): 2 prestaties"), "{html}");
    assert!(mails[0].1.contains("http://veertig.test/partner"));
}
