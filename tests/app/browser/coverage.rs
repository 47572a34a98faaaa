//! Issue 22 items 11 and 14 to 18 walked through in the browser, at desktop and phone width:
//! the partner's lists without sideways scrolling, a placement that runs once hours are
//! confirmed, organisations read by a coach, a reminder that leaves one live link, and Dutch
//! words where the database has codes.

use veertig::domain::user::Role;
use veertig::values::dates::{format_date, today};
use veertig::values::ids::PlacementId;

use super::{Browser, DESKTOP, PHONE};
use crate::confirmations::decided_out_of_order;
use crate::helpers::{PASSWORD, TestApp};
use crate::link_reminders::{CONTACT, give_contact, live_links, waiting_secrets};

/// `days` before today as the pages show it.
fn days_ago(days: i64) -> String {
    format_date(today() - time::Duration::days(days))
}

/// A placement of a new participant at the test organisation, of `kind`, in `status`.
async fn placement_of(app: &TestApp, name: &str, kind: &str, status: &str) -> PlacementId {
    let participant = app.create_participant(name, None, None).await;
    let placement = app.create_placement(participant, app.organisation).await;
    sqlx::query(
        "UPDATE placements SET kind = $2::placement_kind, status = $3::placement_status WHERE id = $1",
    )
    .bind(placement.0)
    .bind(kind)
    .bind(status)
    .execute(&app.pool)
    .await
    .expect("kind and status");
    placement
}

/// Nothing on the page scrolls sideways, and every `css` (what a partner acts on) lies within
/// the window.
async fn fits_the_window(browser: &Browser, css: &str, width: u32) {
    let overflowing = browser.sideways_overflow().await;
    assert!(
        overflowing.is_empty(),
        "sideways scrolling at {width} px: {overflowing:?}"
    );
    let outside = browser.outside_the_window(css).await;
    assert!(outside.is_empty(), "at {width} px: {outside:?}");
}

/// The day, month and year of a date as the pages show it (23/11/2026), to compare.
fn day_order(shown: &str) -> (String, String, String) {
    let mut parts = shown.split('/').map(str::to_string);
    let (day, month, year) = (parts.next(), parts.next(), parts.next());
    (
        year.expect("a year"),
        month.expect("a month"),
        day.expect("a day"),
    )
}

/// Items 14 and 17: a partner confirms the first hours of a planned placement, then reads
/// *Behandelde uren* (decided entries logged and decided out of order) and *Plaatsingen*:
/// nothing scrolls sideways, each row's decision and status lie within the window, the dates
/// run newest first, the tables stay tables for a screen reader, the placement now runs for the
/// partner and for the coach, and kinds read in Dutch.
#[tokio::test]
async fn a_partner_reads_their_lists_on_a_phone_without_sideways_scrolling() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let decided = placement_of(&app, "Ahmad Rahimi", "buddy", "lopend").await;
        let expected = decided_out_of_order(&app, decided).await;
        let planned = placement_of(
            &app,
            "Maria Fernanda dos Santos Oliveira",
            "vrijwilligerswerk",
            "gepland",
        )
        .await;
        app.create_entry(planned, 150, 2).await;
        placement_of(&app, "Олена Шевченко", "taalstage", "afgerond").await;
        let partner = app.create_user(Role::Partner).await;

        let browser = Browser::open(&app, size).await;
        browser.log_in(&partner.email, PASSWORD).await;
        assert_eq!(browser.text("h1").await, "Te bevestigen");
        assert_eq!(
            browser.text(".pending-group h2 .muted").await,
            "· Vrijwilligerswerk"
        );
        browser.assert_accessible().await;
        browser
            .click(".entry form[action$='/bevestigen'] button")
            .await;
        assert_eq!(browser.text(".flash").await, "Bevestigd.");
        browser.assert_accessible().await;

        browser.goto("/partner/geschiedenis").await;
        assert_eq!(browser.text("h1").await, "Behandelde uren");
        fits_the_window(&browser, "tbody td.decision .badge", size.0).await;
        let dates = browser
            .client
            .execute(
                "return [...document.querySelectorAll('tbody td[data-label=Datum]')].map(td => td.textContent.trim());",
                vec![],
            )
            .await
            .expect("dates");
        let dates: Vec<String> = serde_json::from_value(dates).expect("a list");
        assert_eq!(dates.len(), expected.len() + 1, "{dates:?}");
        assert!(
            dates
                .windows(2)
                .all(|pair| day_order(&pair[0]) >= day_order(&pair[1])),
            "newest first: {dates:?}"
        );
        assert!(dates.contains(&days_ago(2)) && dates.contains(&days_ago(9)));
        for css in ["table.stack", "table.stack th", "tbody td.decision"] {
            let role = browser.computed_role(css).await;
            assert!(
                ["table", "columnheader", "cell", "gridcell"].contains(&role.as_str()),
                "{css} is a {role} at {} px",
                size.0
            );
        }
        browser.assert_accessible().await;
        if size == PHONE {
            // docs/screenshots/partner-history-360.png is this.
            browser.screenshot("partner-history").await;
        }

        browser.goto("/partner/plaatsingen").await;
        fits_the_window(&browser, "tbody td.status .badge", size.0).await;
        let rows = browser
            .client
            .execute(
                "return [...document.querySelectorAll('table.placements tbody tr')].map(tr =>
                   [tr.cells[0].textContent.trim(), tr.querySelector('td.status').textContent.trim(),
                    tr.querySelector('td[data-label=Vorm]').textContent.trim()]);",
                vec![],
            )
            .await
            .expect("rows");
        let mut rows: Vec<(String, String, String)> = serde_json::from_value(rows).expect("a list");
        rows.sort();
        let row = |name: &str, status: &str, kind: &str| {
            (name.to_string(), status.to_string(), kind.to_string())
        };
        assert_eq!(
            rows,
            [
                row("Ahmad Rahimi", "Lopend", "Buddy"),
                row(
                    "Maria Fernanda dos Santos Oliveira",
                    "Lopend",
                    "Vrijwilligerswerk"
                ),
                row("Олена Шевченко", "Afgerond", "Taalstage"),
            ],
            "confirmed hours made the planned placement run"
        );
        browser.assert_accessible().await;
        browser.close().await;

        let coach = app.create_user(Role::Coach).await;
        let staff = Browser::open(&app, size).await;
        staff.log_in(&coach.email, PASSWORD).await;
        staff.goto(&format!("/plaatsingen/{planned}")).await;
        assert_eq!(staff.text(".lead .badge").await, "Lopend");
        staff.assert_accessible().await;
        staff.close().await;
    }
}

/// Items 11, 16 and 18: a coach looks up the partner organisations and one of them (nothing to
/// change there), logs hours for a contact without an account and sends a reminder (one mail
/// waits, with the one link that works), and reads the participant's hours in Dutch words.
#[tokio::test]
async fn a_coach_reads_organisations_reminds_a_contact_and_reads_dutch_statuses() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let coach = app.create_user(Role::Coach).await;
        let participant = app
            .create_participant("Amina Yusuf", Some(coach.id), None)
            .await;
        let placement = app.create_placement(participant, app.organisation).await;
        give_contact(&app, placement).await;
        let confirmed = app.create_entry(placement, 120, 4).await;
        app.decide_entry(confirmed, None, 0).await;
        let rejected = app.create_entry(placement, 60, 3).await;
        app.decide_entry(rejected, Some("Die dag was het gesloten."), 0)
            .await;

        let browser = Browser::open(&app, size).await;
        browser.log_in(&coach.email, PASSWORD).await;
        browser.goto("/organisaties").await;
        assert_eq!(browser.text("h1").await, "Partnerorganisaties");
        assert_eq!(browser.count("a[href='/organisaties/nieuw']").await, 0);
        browser.assert_accessible().await;
        browser.click("td.name a").await;
        assert_eq!(
            browser.path().await,
            format!("/organisaties/{}", app.organisation)
        );
        for css in [
            "main a[href$='/bewerken']",
            "main form[method=post]",
            "#verwijderen",
        ] {
            assert_eq!(browser.count(css).await, 0, "read only: {css}");
        }
        browser.assert_accessible().await;

        browser.goto(&format!("/plaatsingen/{placement}")).await;
        browser.fill("#dates", &days_ago(1)).await;
        browser.fill("#minutes", "2u").await;
        browser.click("#uren form button[type=submit]").await;
        assert_eq!(
            waiting_secrets(&app).await.len(),
            1,
            "logging queues a link"
        );
        browser.assert_accessible().await;
        browser.click("form[action$='/herinnering'] button").await;
        assert!(browser.text(".flash").await.contains(CONTACT));
        browser.assert_accessible().await;
        let waiting = waiting_secrets(&app).await;
        assert_eq!(waiting.len(), 1, "one mail waits: {waiting:?}");
        assert_eq!(live_links(&app, placement).await, 1, "one link works");
        browser.goto(&format!("/bevestigen/{}", waiting[0])).await;
        assert_eq!(browser.text("label[for=name]").await, "Uw naam");
        browser.assert_accessible().await;

        browser.goto(&format!("/inburgeraars/{participant}")).await;
        let statuses = browser
            .client
            .execute(
                "return [...document.querySelectorAll('[aria-labelledby=uren] .badge')].map(b => b.textContent.trim());",
                vec![],
            )
            .await
            .expect("badges");
        let mut statuses: Vec<String> = serde_json::from_value(statuses).expect("a list");
        statuses.sort();
        assert_eq!(statuses, ["Afgewezen", "Bevestigd", "Ingediend"]);
        // The tables of placements and hours: words only, no prose that may say "bevestigd".
        let words = browser
            .client
            .execute(
                "return [...document.querySelectorAll('[aria-labelledby=plaatsingen] table, [aria-labelledby=uren] table')]
                   .map(t => t.textContent).join(' ');",
                vec![],
            )
            .await
            .expect("the tables' words");
        let words = words.as_str().unwrap_or_default().to_string();
        assert!(words.contains("Buddy"), "{words}");
        let codes: Vec<&str> = words
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| {
                [
                    "ingediend",
                    "bevestigd",
                    "afgewezen",
                    "lopend",
                    "gepland",
                    "buddy",
                    "actief",
                ]
                .contains(word)
            })
            .collect();
        assert!(
            codes.is_empty(),
            "codes in the participant's tables: {codes:?}"
        );
        browser.assert_accessible().await;
        browser.close().await;
    }
}
