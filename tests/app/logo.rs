//! A region's logo (issue 22 item 6): the beheerder uploads a PNG or JPEG on the region's page
//! (the type read from the content, at most 1 MiB, refused when it cannot be printed), sees its
//! preview, replaces and removes it, every change audited; the region's certificates and
//! bewijzen van deelname carry it as a described figure, and nothing without one.

use lopdf::{Document, Object};
use reqwest::StatusCode;
use veertig::domain::user::Role;

use crate::helpers::{PASSWORD, Page, TestApp, location, multipart};
use crate::pdf_structure::{assert_pdf_a_and_ua, bewijs_pdf, certificate_pdf, structure};

/// 48 × 24 pixels, made by Chromium's canvas.
pub(crate) const PNG: &[u8] = include_bytes!("fixtures/logo.png");
pub(crate) const JPEG: &[u8] = include_bytes!("fixtures/logo.jpg");

async fn upload(
    app: &TestApp,
    file_name: &str,
    content_type: &str,
    content: &[u8],
) -> reqwest::Response {
    let token = app.csrf_token().await;
    let (multipart_type, body) = multipart("logo", Some((file_name, content_type, content)), &[]);
    app.client
        .post(app.url(&format!(
            "/beheer/regios/{}/logo?csrf_token={token}",
            app.region
        )))
        .header("content-type", multipart_type)
        .body(body)
        .send()
        .await
        .expect("upload sent")
}

async fn region_name(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT name FROM regions WHERE id = $1")
        .bind(app.region.0)
        .fetch_one(&app.pool)
        .await
        .expect("region")
}

/// The audit rows of the region's logo: (action, type before, type after), oldest first.
async fn audit(app: &TestApp) -> Vec<(String, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT action, before ->> 'type', after ->> 'type' FROM audit_log
         WHERE entity = 'region' AND entity_id = $1 AND action LIKE 'logo %'
         ORDER BY id",
    )
    .bind(app.region.0)
    .fetch_all(&app.pool)
    .await
    .expect("audit rows")
}

async fn stored_type(app: &TestApp) -> Option<String> {
    sqlx::query_scalar("SELECT content_type FROM region_logos WHERE region_id = $1")
        .bind(app.region.0)
        .fetch_optional(&app.pool)
        .await
        .expect("logo row")
}

/// Uploads a file the page must refuse; returns the message next to the file field.
async fn refused(app: &TestApp, file_name: &str, content_type: &str, content: &[u8]) -> String {
    let response = upload(app, file_name, content_type, content).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{file_name} refused"
    );
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        page.attr("#logo", "aria-invalid").as_deref(),
        Some("true"),
        "{file_name}: the field is marked"
    );
    assert_eq!(
        page.select_all(".error-summary a[href='#logo']").len(),
        1,
        "{file_name}: the summary links to the field"
    );
    page.text("#logo-error")
}

#[tokio::test]
async fn a_beheerder_uploads_a_png_sees_it_and_replaces_it_with_a_jpeg() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Admin).await;
    let page_path = format!("/beheer/regios/{}", app.region);
    let (_, page) = app.get_page(&page_path).await;
    assert!(page.text("#logo-sectie").contains("nog geen logo"));
    let logo_path = format!("/beheer/regios/{}/logo", app.region);
    assert_eq!(app.get(&logo_path).await.status(), StatusCode::NOT_FOUND);

    // The name and the browser's word do not matter: the content is a PNG.
    let response = upload(&app, "logo.jpg", "application/octet-stream", PNG).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("{page_path}#logo-sectie"));
    assert_eq!(stored_type(&app).await.as_deref(), Some("image/png"));
    let (status, page) = app.get_page(&page_path).await;
    assert_eq!(status, StatusCode::OK);
    let alt = format!("Logo van {}", region_name(&app).await);
    assert_eq!(
        page.attr(&format!("#logo-sectie img[src='{logo_path}']"), "alt"),
        Some(alt)
    );
    assert!(
        page.text("#logo-sectie figcaption")
            .starts_with("PNG, 1 kB")
    );

    let response = app.get(&logo_path).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    assert_eq!(header("content-type").as_deref(), Some("image/png"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(response.bytes().await.expect("body").as_ref(), PNG);

    // Uploading again replaces it.
    let response = upload(&app, "logo.jpeg", "image/jpeg", JPEG).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored_type(&app).await.as_deref(), Some("image/jpeg"));
    let response = app.get(&logo_path).await;
    assert_eq!(
        response.headers().get("content-type").map(|v| v.as_bytes()),
        Some(b"image/jpeg".as_slice())
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM region_logos")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(rows, 1);
    let row = |action: &str, before: Option<&str>, after: Option<&str>| {
        (
            action.to_string(),
            before.map(str::to_string),
            after.map(str::to_string),
        )
    };
    assert_eq!(
        audit(&app).await,
        [
            row("logo opgeladen", None, Some("image/png")),
            row("logo opgeladen", Some("image/png"), Some("image/jpeg")),
        ]
    );
}

#[tokio::test]
async fn files_that_are_not_a_whole_png_or_jpeg_are_refused_in_dutch() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Admin).await;
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
    for (name, content) in [
        ("logo.png", gif.as_slice()),
        (
            "logo.png",
            b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF".as_slice(),
        ),
        ("logo.png", b"Dit is een logo".as_slice()),
    ] {
        let message = refused(&app, name, "image/png", content).await;
        assert!(message.contains("geen PNG of JPEG"), "{message}");
    }
    assert!(
        refused(&app, "leeg.png", "image/png", b"")
            .await
            .contains("Kies een afbeelding")
    );

    // Cut off: the headers are there, the pixels are not.
    for (name, content) in [
        ("kapot.png", &PNG[..PNG.len() / 2]),
        ("kapot.jpg", &JPEG[..JPEG.len() / 2]),
    ] {
        let message = refused(&app, name, "image/png", content).await;
        assert!(
            message.contains("beschadigd of onvolledig"),
            "{name}: {message}"
        );
    }

    // Too large: just over 1 MiB, and far over the route's body limit.
    for size in [1024 * 1024 + 1, 5 * 1024 * 1024] {
        let mut big = PNG.to_vec();
        big.resize(size, 0);
        let message = refused(&app, "groot.png", "image/png", &big).await;
        assert!(message.contains("groter dan 1 MB"), "{size}: {message}");
    }

    assert_eq!(stored_type(&app).await, None);
    assert!(
        audit(&app).await.is_empty(),
        "nothing stored, nothing audited"
    );
}

#[tokio::test]
async fn only_the_beheerder_uploads_sees_and_removes_a_logo() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Admin).await;
    assert_eq!(
        upload(&app, "logo.png", "image/png", PNG).await.status(),
        StatusCode::SEE_OTHER
    );
    for role in [Role::Coordinator, Role::Coach, Role::Partner] {
        app.login_as(role).await;
        assert_eq!(
            upload(&app, "logo.png", "image/png", JPEG).await.status(),
            StatusCode::FORBIDDEN,
            "{role:?} uploads"
        );
        let logo_path = format!("/beheer/regios/{}/logo", app.region);
        assert_eq!(
            app.get(&logo_path).await.status(),
            StatusCode::FORBIDDEN,
            "{role:?} sees"
        );
        let response = app
            .post_form(&format!("{logo_path}/verwijderen"), &[])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role:?} removes");
    }
    assert_eq!(stored_type(&app).await.as_deref(), Some("image/png"));
    assert_eq!(audit(&app).await.len(), 1);
}

/// Whether the PDF holds an image (an XObject of subtype Image).
fn has_image(pdf: &[u8]) -> bool {
    let doc = Document::load_mem(pdf).expect("the PDF parses");
    doc.objects.values().any(|object| match object {
        Object::Stream(stream) => stream
            .dict
            .get(b"Subtype")
            .and_then(|s| s.as_name())
            .is_ok_and(|name| name == b"Image"),
        _ => false,
    })
}

/// The descriptions of the PDF's figures.
fn figures(pdf: &[u8]) -> Vec<String> {
    let (_, tree) = structure(pdf);
    tree.all("Figure")
        .iter()
        .filter_map(|figure| figure.alt.clone())
        .collect()
}

#[tokio::test]
async fn certificates_and_bewijzen_carry_the_logo_until_it_is_removed() {
    let app = TestApp::spawn().await;
    let alt = format!("Logo van {}", region_name(&app).await);
    let coach = app.create_user(Role::Coach).await;
    let coordinator = app.create_user(Role::Coordinator).await;
    let admin = app.create_user(Role::Admin).await;
    let login = |email: String| {
        let app = &app;
        async move {
            let response = app.login(&email, PASSWORD).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            // The home page, which gives the session's form token.
            app.get_page(&location(&response)).await;
        }
    };
    let both = |step: &'static str| {
        let app = &app;
        let coach = &coach;
        let coordinator = &coordinator;
        let login = &login;
        async move {
            login(coordinator.email.clone()).await;
            let certificate = certificate_pdf(app, &format!("Mariam {step}")).await;
            login(coach.email.clone()).await;
            let bewijs = bewijs_pdf(app, coach.id, &format!("Samir {step}")).await;
            (certificate, bewijs)
        }
    };

    // No logo: as before, no image; the QR code is the only figure.
    let (certificate, bewijs) = both("zonder").await;
    for (what, pdf) in [("certificaat", &certificate), ("bewijs", &bewijs)] {
        assert!(!has_image(pdf), "{what} without a logo");
        assert!(!figures(pdf).contains(&alt), "{what}");
    }

    login(admin.email.clone()).await;
    assert_eq!(
        upload(&app, "logo.png", "image/png", PNG).await.status(),
        StatusCode::SEE_OTHER
    );
    let (certificate, bewijs) = both("met").await;
    for (what, pdf) in [("certificaat", &certificate), ("bewijs", &bewijs)] {
        assert!(has_image(pdf), "{what} with the logo");
        assert_pdf_a_and_ua(pdf, what);
        let figures = figures(pdf);
        assert_eq!(
            figures.first(),
            Some(&alt),
            "{what}: the logo is read first: {figures:?}"
        );
        assert!(
            figures.iter().any(|f| f.starts_with("QR-code")),
            "{what}: {figures:?}"
        );
    }

    // A JPEG prints too.
    login(admin.email.clone()).await;
    assert_eq!(
        upload(&app, "logo.jpg", "image/jpeg", JPEG).await.status(),
        StatusCode::SEE_OTHER
    );
    let (certificate, _) = both("jpeg").await;
    assert!(has_image(&certificate));
    assert_pdf_a_and_ua(&certificate, "certificaat met JPEG");

    // Removed: audited, gone from the page and from what is printed next.
    login(admin.email.clone()).await;
    let (_, page) = app
        .get_page(&format!("/beheer/regios/{}", app.region))
        .await;
    assert_eq!(page.select_all("#logo-sectie img").len(), 1);
    let response = app
        .post_form(
            &format!("/beheer/regios/{}/logo/verwijderen", app.region),
            &[],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    assert!(
        page.text(".flash").contains("Het logo is verwijderd"),
        "{}",
        page.text(".flash")
    );
    assert_eq!(page.select_all("#logo-sectie img").len(), 0);
    assert_eq!(stored_type(&app).await, None);
    let actions: Vec<String> = audit(&app).await.into_iter().map(|(a, ..)| a).collect();
    assert_eq!(
        actions,
        ["logo opgeladen", "logo opgeladen", "logo verwijderd"]
    );
    let (certificate, bewijs) = both("weer zonder").await;
    assert!(!has_image(&certificate) && !has_image(&bewijs));
}
