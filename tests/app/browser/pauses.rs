//! The coach pauses a trajectory and resumes it; the end date moves by the days paused.

use time::Duration;
use veertig::domain::user::Role;
use veertig::values::dates::{format_date, iso_date, today};

use super::{Browser, DESKTOP, PHONE};
use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn a_coach_pauses_and_resumes_a_trajectory_and_sees_the_end_date_moved() {
    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let coach = app.create_user(Role::Coach).await;
        let id = app
            .create_participant("Meseret Haile", Some(coach.id), None)
            .await;
        let end_before: time::Date = sqlx::query_scalar!(
            "SELECT target_end_date FROM participants WHERE id = $1",
            id.0
        )
        .fetch_one(&app.pool)
        .await
        .expect("end date");
        let browser = Browser::open(&app, size).await;
        browser.log_in(&coach.email, PASSWORD).await;
        browser.goto(&format!("/inburgeraars/{id}")).await;
        browser.assert_accessible().await;

        pause_and_resume(&browser, end_before).await;
        let pauses = browser.text(".pauses").await;
        assert!(pauses.contains("Bevalling, 10 dagen"), "{pauses}");
        browser.close().await;
    }
}

/// On the participant page: pauses the trajectory twelve days back (childbirth), resumes it two
/// days ago, and checks the end date moved ten days past `end_before`; axe on each page.
pub(super) async fn pause_and_resume(browser: &Browser, end_before: time::Date) {
    browser.tick("#pauzeren summary").await;
    browser.select("#pause-reason", "Bevalling").await;
    browser
        .set_value("#pause-starts-on", &iso_date(today() - Duration::days(12)))
        .await;
    browser
        .click("form[action$='/pauzeren'] button[type=submit]")
        .await;
    let banner = browser.text("#gepauzeerd").await;
    let since = format_date(today() - Duration::days(12));
    assert!(
        banner.contains(&format!("Gepauzeerd sinds {since} (bevalling)")),
        "{banner}"
    );
    browser.assert_accessible().await;

    browser
        .set_value("#resume-on", &iso_date(today() - Duration::days(2)))
        .await;
    browser
        .click("form[action$='/hervatten'] button[type=submit]")
        .await;
    let end_after = format_date(end_before + Duration::days(10));
    let flash = browser.text(".flash-success").await;
    assert!(flash.contains(&end_after), "{flash}");
    let details = browser.text(".details").await;
    assert!(details.contains(&format!("tot {end_after}")), "{details}");
    browser.assert_accessible().await;
}
