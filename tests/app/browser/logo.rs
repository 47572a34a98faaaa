//! The beheerder gives a region its logo through the page's file input (issue 22 item 6), at
//! desktop and phone width: a file that is no image is refused next to the field, a PNG is
//! stored and its preview shows.

use fantoccini::Locator;
use veertig::domain::user::Role;

use super::{Browser, DESKTOP, PHONE};
use crate::helpers::{PASSWORD, TestApp};
use crate::logo::PNG;

/// Chooses `file` in the file input and submits the logo form.
async fn upload(browser: &Browser, file: &std::path::Path) {
    browser
        .client
        .find(Locator::Css("#logo"))
        .await
        .expect("the file input")
        .send_keys(&file.display().to_string())
        .await
        .expect("a file chosen");
    browser
        .click("#logo-sectie form[enctype='multipart/form-data'] button[type=submit]")
        .await;
}

#[tokio::test]
async fn a_beheerder_uploads_a_logo_and_sees_its_preview() {
    let folder =
        std::env::temp_dir().join(format!("veertig-logo-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&folder).expect("a folder");
    let logo = folder.join("logo.png");
    std::fs::write(&logo, PNG).expect("the logo");
    let not_an_image = folder.join("brief.png");
    std::fs::write(&not_an_image, "Geachte, hierbij ons logo.").expect("a text file");

    for size in [DESKTOP, PHONE] {
        let app = TestApp::spawn().await;
        let admin = app.create_user(Role::Admin).await;
        let browser = Browser::open(&app, size).await;
        browser.log_in(&admin.email, PASSWORD).await;
        let region_page = format!("/beheer/regios/{}", app.region);
        browser.goto(&region_page).await;
        assert!(browser.text("#logo-sectie").await.contains("nog geen logo"));
        browser.assert_accessible().await;

        upload(&browser, &not_an_image).await;
        assert!(
            browser
                .text("#logo-error")
                .await
                .contains("geen PNG of JPEG")
        );
        browser.assert_accessible().await;

        upload(&browser, &logo).await;
        assert_eq!(browser.path().await, region_page);
        assert!(browser.text(".flash").await.contains("Het logo is bewaard"));
        let (alt, width) = {
            let found = browser
                .client
                .execute(
                    "const img = document.querySelector('#logo-sectie img');
                     return [img.alt, img.complete ? img.naturalWidth : 0];",
                    vec![],
                )
                .await
                .expect("the preview");
            (found[0].as_str().map(str::to_string), found[1].as_u64())
        };
        assert_eq!(
            alt.as_deref().map(|a| a.starts_with("Logo van ")),
            Some(true)
        );
        assert_eq!(width, Some(48), "the preview shows the uploaded image");
        browser.assert_accessible().await;
        browser.close().await;
    }
    let _ = std::fs::remove_dir_all(&folder);
}
