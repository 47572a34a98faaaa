//! Markers axe does not judge (issue 22 items 13 and 15): the current page of a paged list and
//! the fold-outs' disclosure triangles, at desktop and phone width. `assert_accessible` checks
//! both on every page; these tests make sure a page with each is visited.

use veertig::domain::user::Role;

use super::{Browser, DESKTOP, PHONE};
use crate::helpers::{PASSWORD, TestApp};

/// A coach's list of inburgeraars shows "Pagina 1" readable, and the participant page's
/// *Traject stopzetten* and *Vrijstellen* look like something to open, closed and open.
#[tokio::test]
async fn the_current_page_and_the_fold_outs_are_visible() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let coach = app.create_user(Role::Coach).await;
        let participant = app
            .create_participant("Ahmad Rahimi", Some(coach.id), None)
            .await;
        let browser = Browser::open(&app, size).await;
        browser.log_in(&coach.email, PASSWORD).await;
        browser.goto("/inburgeraars").await;
        assert_eq!(browser.current_page_markers().await, 1, "a paged list");
        assert_eq!(browser.text(".pagination [aria-current]").await, "Pagina 1");
        browser.assert_accessible().await;
        browser.goto(&format!("/inburgeraars/{participant}")).await;
        let summaries = browser
            .client
            .find_all(fantoccini::Locator::Css("summary"))
            .await
            .expect("summaries");
        assert!(summaries.len() >= 2, "the participant page has fold-outs");
        browser.assert_accessible().await;
        // Opened, the marker turns; it is still there.
        browser.tick("#status details summary").await;
        let open = browser
            .client
            .execute(
                "const s = document.querySelector('#status details[open] summary');
                 return s ? getComputedStyle(s, '::before').content : null;",
                vec![],
            )
            .await
            .expect("the open summary's marker");
        assert!(
            open.as_str().is_some_and(|content| content.contains('▾')),
            "an open fold-out points down: {open}"
        );
        browser.assert_accessible().await;
        browser.close().await;
    }
}

/// Issue 22 item 14, its first part: on a phone the partner's placement page scrolls its hours
/// table sideways inside a box; a keyboard must be able to reach that box (axe's
/// `scrollable-region-focusable`, part of `assert_accessible`), and it must say what it holds.
#[tokio::test]
async fn the_partners_hours_table_can_be_scrolled_with_the_keyboard_on_a_phone() {
    let app = TestApp::spawn().await;
    let participant = app.create_participant("Олена Шевченко", None, None).await;
    let placement = app.create_placement(participant, app.organisation).await;
    app.create_entry(placement, 90, 3).await;
    let partner = app.create_user(Role::Partner).await;
    let browser = Browser::open(&app, PHONE).await;
    browser.log_in(&partner.email, PASSWORD).await;
    browser
        .goto(&format!("/partner/plaatsingen/{placement}"))
        .await;
    let wrap = browser
        .client
        .execute(
            "const w = document.querySelector('table.entries').closest('.table-wrap');
             return { scrolls: w.scrollWidth > w.clientWidth, tabindex: w.getAttribute('tabindex'),
                      label: w.getAttribute('aria-label') };",
            vec![],
        )
        .await
        .expect("the hours table's box");
    assert_eq!(
        wrap["scrolls"], true,
        "the table is wider than a phone: {wrap}"
    );
    assert_eq!(wrap["tabindex"], "0", "{wrap}");
    assert_eq!(wrap["label"], "Geregistreerde uren", "{wrap}");
    browser.assert_accessible().await;
    browser.close().await;
}
