//! Administration: user accounts (create, change role, deactivate, new password) and regions
//! with their settings and municipalities; every change audited; beheerders only.

use reqwest::StatusCode;
use uuid::Uuid;
use veertig::domain::user::Role;

use crate::helpers::{PASSWORD, Page, TestApp, location};

fn user_id_from(location: &str) -> Uuid {
    location
        .trim_start_matches("/beheer/gebruikers/")
        .parse()
        .expect("a user id in the redirect")
}

async fn audit_rows(
    app: &TestApp,
    entity: &str,
    id: Uuid,
) -> Vec<(
    String,
    Option<Uuid>,
    Option<serde_json::Value>,
    Option<serde_json::Value>,
)> {
    sqlx::query_as("SELECT action, actor_id, before, after FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id")
        .bind(entity)
        .bind(id)
        .fetch_all(&app.pool)
        .await
        .expect("audit rows")
}

#[tokio::test]
async fn only_a_beheerder_reaches_administration() {
    let app = TestApp::spawn().await;
    let target = app.create_user(Role::Coach).await;
    for role in [Role::Coordinator, Role::Coach, Role::Partner] {
        let browser = TestApp::spawn_on(&app).await;
        browser.login_as(role).await;
        for path in [
            "/beheer".to_string(),
            "/beheer/gebruikers".to_string(),
            "/beheer/gebruikers/nieuw".to_string(),
            format!("/beheer/gebruikers/{}", target.id),
            "/beheer/regios".to_string(),
            format!("/beheer/regios/{}", app.region),
        ] {
            assert_eq!(
                browser.get(&path).await.status(),
                StatusCode::FORBIDDEN,
                "{role:?} {path}"
            );
        }
        for path in [
            format!("/beheer/gebruikers/{}/deactiveren", target.id),
            format!("/beheer/gebruikers/{}/wachtwoord", target.id),
            format!("/beheer/regios/{}", app.region),
        ] {
            let response = browser.post_form(&path, &[("password", "x")]).await;
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{role:?} POST {path}"
            );
        }
    }
    let changes: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE actor_id IS NOT NULL")
            .fetch_one(&app.pool)
            .await
            .expect("count");
    assert_eq!(changes, 0);
}

#[tokio::test]
async fn the_beheerder_home_keeps_its_heading_and_counts_users() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Admin).await;
    app.create_user(Role::Coach).await;
    app.create_user(Role::Coach).await;
    let (status, page) = app.get_page("/beheer").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Beheer");
    assert_eq!(
        page.select_all("ul.counts li"),
        [
            "1 beheerder",
            "0 coördinator",
            "2 trajectbegeleider",
            "0 partnercontact"
        ]
    );
    let (_, page) = app.get_page("/beheer/gebruikers").await;
    assert_eq!(page.select_all("table.users tbody tr").len(), 3);
    let (_, page) = app.get_page("/beheer/gebruikers?q=COACH-1").await;
    assert_eq!(
        page.select_all("table.users td.email"),
        ["coach-1@test.example"]
    );
}

#[tokio::test]
async fn a_user_form_with_errors_comes_back_with_what_was_typed() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Admin).await;
    app.get_page("/beheer/gebruikers/nieuw").await;
    let response = app
        .post_form(
            "/beheer/gebruikers/nieuw",
            &[
                ("name", "  "),
                ("email", "geen-adres"),
                ("role", "coach"),
                ("region_id", ""),
                ("organisation_id", ""),
                ("password", "kort"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(page.select_all(".error-summary li").len(), 4);
    assert!(page.text("#name-error").contains("Vul een naam in"));
    assert!(page.text("#email-error").contains("geldig e-mailadres"));
    assert!(
        page.text("#region_id-error")
            .contains("hoort bij een regio")
    );
    assert!(page.text("#password-error").contains("minstens 12 tekens"));
    assert_eq!(page.attr("#email", "value").as_deref(), Some("geen-adres"));
    assert_eq!(
        page.attr("#role option[selected]", "value").as_deref(),
        Some("coach")
    );
    // A password is never sent back.
    assert_eq!(page.attr("#password", "value").as_deref(), Some(""));

    // A partner needs an organisation; an e-mail in use is refused next to the field.
    let taken = app.create_user(Role::Coach).await;
    let response = app
        .post_form(
            "/beheer/gebruikers/nieuw",
            &[
                ("name", "Piet"),
                ("email", &taken.email.to_uppercase()),
                ("role", "partner"),
                ("region_id", ""),
                ("organisation_id", ""),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text("#organisation_id-error")
            .contains("precies één partnerorganisatie")
    );
    let organisation = app.organisation.to_string();
    let response = app
        .post_form(
            "/beheer/gebruikers/nieuw",
            &[
                ("name", "Piet"),
                ("email", &taken.email),
                ("role", "partner"),
                ("region_id", ""),
                ("organisation_id", &organisation),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text("#email-error").contains("bestaat al"));
    assert_eq!(page.attr("#name", "value").as_deref(), Some("Piet"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(count, 2);
}

#[tokio::test]
async fn a_new_user_with_a_chosen_password_can_log_in_and_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.login_as(Role::Admin).await;
    let region = app.region.to_string();
    let response = app
        .post_form(
            "/beheer/gebruikers/nieuw",
            &[
                ("name", "Ann Peeters"),
                ("email", " Ann.Peeters@Brugge.be "),
                ("role", "coach"),
                ("region_id", &region),
                ("organisation_id", ""),
                ("password", "een-lang-wachtwoord"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let id = user_id_from(&location(&response));
    let (_, page) = app.get_page(&location(&response)).await;
    assert_eq!(
        page.text(".flash"),
        "Het account van Ann Peeters is aangemaakt."
    );
    assert_eq!(
        page.attr("#email", "value").as_deref(),
        Some("ann.peeters@brugge.be")
    );

    let audit = audit_rows(&app, "user", id).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "aangemaakt");
    assert_eq!(audit[0].1, Some(admin.id.0));
    let after = audit[0].3.clone().expect("after").to_string();
    assert!(
        after.contains("ann.peeters@brugge.be")
            && !after.contains("argon2")
            && !after.contains("password")
    );

    let ann = TestApp::spawn_on(&app).await;
    let response = ann
        .login("ann.peeters@brugge.be", "een-lang-wachtwoord")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/caseload");
}

#[tokio::test]
async fn a_generated_password_is_shown_once_and_works() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Admin).await;
    let organisation = app.organisation.to_string();
    let response = app
        .post_form(
            "/beheer/gebruikers/nieuw",
            &[
                ("name", "Олена Шевченко"),
                ("email", "olena@testvereniging.be"),
                ("role", "partner"),
                ("region_id", ""),
                ("organisation_id", &organisation),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = Page::parse(&response.text().await.expect("body"));
    let password = page.text("#nieuw-wachtwoord");
    assert_eq!(password.len(), 19, "{password}");
    let stored: (Option<Uuid>, Option<Uuid>) = sqlx::query_as(
        "SELECT organisation_id, region_id FROM users WHERE email = 'olena@testvereniging.be'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("user");
    assert_eq!(stored, (Some(app.organisation.0), None));

    let olena = TestApp::spawn_on(&app).await;
    let response = olena.login("olena@testvereniging.be", &password).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/partner");
}

#[tokio::test]
async fn changing_a_role_moves_the_user_to_its_pages() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Admin).await;
    let coach = app.create_user(Role::Coach).await;
    let region = app.region.to_string();
    let path = format!("/beheer/gebruikers/{}", coach.id);
    let (status, page) = app.get_page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.attr("#role option[selected]", "value").as_deref(),
        Some("coach")
    );

    // Coordinator without a region: refused at the field.
    let response = app
        .post_form(
            &path,
            &[
                ("name", "Test Coach 0"),
                ("email", &coach.email),
                ("role", "coordinator"),
                ("region_id", ""),
                ("organisation_id", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text("#region_id-error").contains("regio"));

    let response = app
        .post_form(
            &path,
            &[
                ("name", "Test Coach 0"),
                ("email", &coach.email),
                ("role", "coordinator"),
                ("region_id", &region),
                ("organisation_id", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let audit = audit_rows(&app, "user", coach.id.0).await;
    let (action, _, before, after) = audit.last().expect("a row");
    assert_eq!(action, "rol gewijzigd");
    assert_eq!(before.as_ref().expect("before")["role"], "coach");
    assert_eq!(after.as_ref().expect("after")["role"], "coordinator");

    let browser = TestApp::spawn_on(&app).await;
    let response = browser.login(&coach.email, PASSWORD).await;
    assert_eq!(location(&response), "/coordinatie");
    let (status, page) = browser.get_page("/coordinatie").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Coördinatie");

    // Malformed or unknown ids are a Dutch 404.
    for path in [
        "/beheer/gebruikers/geen-id".to_string(),
        format!("/beheer/gebruikers/{}", Uuid::new_v4()),
    ] {
        let (status, page) = app.get_page(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(page.text("h1"), "Pagina niet gevonden");
    }
}

#[tokio::test]
async fn a_deactivated_user_is_logged_out_and_cannot_log_in_again() {
    let app = TestApp::spawn().await;
    let admin = app.login_as(Role::Admin).await;
    let coach_browser = TestApp::spawn_on(&app).await;
    let coach = coach_browser.login_as(Role::Coach).await;
    assert_eq!(
        coach_browser.get("/caseload").await.status(),
        StatusCode::OK
    );

    app.get_page(&format!("/beheer/gebruikers/{}", coach.id))
        .await;
    let response = app
        .post_form(&format!("/beheer/gebruikers/{}/deactiveren", coach.id), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    assert!(page.text(".flash").contains("gedeactiveerd"));

    // The open session stops at the next request; logging in again fails.
    let response = coach_browser.get("/caseload").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
    let response = coach_browser.login(&coach.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Reactivated, the same password works again.
    let response = app
        .post_form(&format!("/beheer/gebruikers/{}/activeren", coach.id), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    assert_eq!(page.text(".flash"), "Het account is weer actief.");
    let response = coach_browser.login(&coach.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let actions: Vec<String> = audit_rows(&app, "user", coach.id.0)
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(actions, ["aangemaakt", "gedeactiveerd", "geactiveerd"]);

    // A beheerder cannot lock themselves out.
    let response = app
        .post_form(&format!("/beheer/gebruikers/{}/deactiveren", admin.id), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    assert!(page.text(".flash").contains("eigen account"));
    let active: bool = sqlx::query_scalar("SELECT active FROM users WHERE id = $1")
        .bind(admin.id.0)
        .fetch_one(&app.pool)
        .await
        .expect("active");
    assert!(active);
}

#[tokio::test]
async fn a_password_reset_works_and_forgets_failed_logins() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Admin).await;
    let coach = app.create_user(Role::Coach).await;
    let browser = TestApp::spawn_on(&app).await;
    for _ in 0..5 {
        browser.login(&coach.email, "verkeerd-wachtwoord").await;
    }
    // Throttled now, even with the right password.
    assert_eq!(
        browser.login(&coach.email, PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    let path = format!("/beheer/gebruikers/{}/wachtwoord", coach.id);
    app.get_page(&format!("/beheer/gebruikers/{}", coach.id))
        .await;
    let response = app.post_form(&path, &[("password", "kort")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text("#password-error").contains("minstens 12 tekens"));

    let response = app.post_form(&path, &[("password", "")]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = Page::parse(&response.text().await.expect("body"));
    let password = page.text("#nieuw-wachtwoord");
    let fresh = TestApp::spawn_on(&app).await;
    assert_eq!(
        fresh.login(&coach.email, PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let response = fresh.login(&coach.email, &password).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let response = app
        .post_form(&path, &[("password", "zelf-gekozen-wachtwoord")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let again = TestApp::spawn_on(&app).await;
    assert_eq!(
        again
            .login(&coach.email, "zelf-gekozen-wachtwoord")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let audit = audit_rows(&app, "user", coach.id.0).await;
    let resets: Vec<_> = audit
        .iter()
        .filter(|r| r.0 == "wachtwoord ingesteld")
        .collect();
    assert_eq!(resets.len(), 2);
    assert!(resets.iter().all(|r| r.3.is_none() && !r.2.as_ref().expect("before").to_string().contains("argon2")));
}

#[tokio::test]
async fn regions_are_created_with_their_settings_and_municipalities() {
    let app = TestApp::spawn().await;
    let admin = app.login_as(Role::Admin).await;
    app.get_page("/beheer/regios/nieuw").await;
    let response = app
        .post_form(
            "/beheer/regios/nieuw",
            &[
                ("code", "b1"),
                ("name", ""),
                ("required_hours", "veertig"),
                ("trajectory_months", "99"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(page.select_all(".error-summary li").len(), 4);
    assert_eq!(
        page.attr("#required_hours", "value").as_deref(),
        Some("veertig")
    );

    let response = app
        .post_form(
            "/beheer/regios/nieuw",
            &[
                ("code", "tst"),
                ("name", "Nog een regio"),
                ("required_hours", "40"),
                ("trajectory_months", "12"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text("#code-error").contains("bestaat al"));

    let response = app
        .post_form(
            "/beheer/regios/nieuw",
            &[
                ("code", "kt"),
                ("name", "Kruibeke-Temse"),
                ("required_hours", "40,5"),
                ("trajectory_months", "18"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let path = location(&response);
    let id: Uuid = path
        .trim_start_matches("/beheer/regios/")
        .parse()
        .expect("region id");
    let row: (String, i32, i32) = sqlx::query_as(
        "SELECT code, required_minutes, trajectory_months FROM regions WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("region");
    assert_eq!(row, ("KT".to_string(), 2430, 18));

    let response = app
        .post_form(&format!("{path}/gemeenten"), &[("name", "Kruibeke")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = app
        .post_form(&format!("{path}/gemeenten"), &[("name", "Temse")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // A name in use anywhere is refused next to the add form, with what was typed.
    let response = app
        .post_form(&format!("{path}/gemeenten"), &[("name", "Testgemeente")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text("#nieuwe-gemeente-error").contains("bestaat al"));
    assert_eq!(
        page.attr("#nieuwe-gemeente", "value").as_deref(),
        Some("Testgemeente")
    );

    let (_, page) = app.get_page(&path).await;
    assert_eq!(page.select_all("ul.municipalities li").len(), 2);
    let temse: Uuid = sqlx::query_scalar("SELECT id FROM municipalities WHERE name = 'Temse'")
        .fetch_one(&app.pool)
        .await
        .expect("temse");
    let response = app
        .post_form(
            &format!("{path}/gemeenten/{temse}"),
            &[("name", "Temse (Tielrode)")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Renaming another region's municipality through this region is not found.
    let response = app
        .post_form(
            &format!("{path}/gemeenten/{}", app.municipality),
            &[("name", "Gekaapt")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    let actions: Vec<String> = audit_rows(&app, "municipality", temse)
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(actions, ["aangemaakt", "hernoemd"]);
    let region_audit = audit_rows(&app, "region", id).await;
    assert_eq!(region_audit.len(), 1);
    assert_eq!(region_audit[0].1, Some(admin.id.0));
    let (_, page) = app.get_page("/beheer/regios").await;
    assert!(
        page.select_all("table.regions td.required")
            .contains(&"40 u 30".to_string())
    );
}

#[tokio::test]
async fn the_required_hours_of_a_region_decide_who_is_ready() {
    let app = TestApp::spawn().await;
    let coordinator = TestApp::spawn_on(&app).await;
    coordinator.login_as(Role::Coordinator).await;
    app.login_as(Role::Admin).await;
    let id = app.create_participant("Halfweg Hanne", None, None).await;
    let placement = app.create_placement(id, app.organisation).await;
    for days_ago in 1..=2 {
        let entry = app.create_entry(placement, 600, days_ago).await;
        sqlx::query("UPDATE hour_entries SET status = 'bevestigd' WHERE id = $1")
            .bind(entry.0)
            .execute(&app.pool)
            .await
            .expect("confirm");
    }
    let ready = |page: &Page| page.select_all("table.work-list td.name");
    let (_, page) = coordinator
        .get_page("/rapporten/klaar-voor-certificaat")
        .await;
    assert!(ready(&page).is_empty());

    let path = format!("/beheer/regios/{}", app.region);
    let (_, page) = app.get_page(&path).await;
    assert_eq!(page.attr("#required_hours", "value").as_deref(), Some("40"));
    let response = app
        .post_form(
            &path,
            &[
                ("code", "TST"),
                ("name", "Testregio"),
                ("required_hours", "20"),
                ("trajectory_months", "12"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = coordinator
        .get_page("/rapporten/klaar-voor-certificaat")
        .await;
    assert_eq!(ready(&page), ["Halfweg Hanne"]);
    let audit = audit_rows(&app, "region", app.region.0).await;
    let (action, _, before, after) = audit.last().expect("a row");
    assert_eq!(action, "gewijzigd");
    assert_eq!(before.as_ref().expect("before")["required_minutes"], 2400);
    assert_eq!(after.as_ref().expect("after")["required_minutes"], 1200);

    // Bad input keeps the typed values; the region is unchanged.
    let response = app
        .post_form(
            &path,
            &[
                ("code", "TST"),
                ("name", "Testregio"),
                ("required_hours", "0"),
                ("trajectory_months", "0"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(
        page.text("#required_hours-error")
            .contains("tussen 1 en 1000")
    );
    assert_eq!(
        page.attr("#trajectory_months", "value").as_deref(),
        Some("0")
    );
}

#[tokio::test]
async fn the_beheerder_sets_neighbouring_municipalities_both_ways() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Admin).await;
    let add = |name: &'static str| {
        let pool = app.pool.clone();
        let region = app.region;
        async move {
            sqlx::query_scalar::<_, Uuid>(
                "INSERT INTO municipalities (region_id, name) VALUES ($1, $2) RETURNING id",
            )
            .bind(region.0)
            .bind(name)
            .fetch_one(&pool)
            .await
            .expect("municipality")
        }
    };
    let north = add("Noordveld").await;
    let south = add("Zuidveld").await;
    let home = app.municipality.0;
    let path = format!("/beheer/regios/{}/gemeenten/{home}/buren", app.region);

    let (status, page) = app
        .get_page(&format!("/beheer/regios/{}", app.region))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.select_all("ul.municipalities a")
            .contains(&"Buurgemeenten (0)".to_string())
    );
    let (status, page) = app.get_page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Buurgemeenten van Testgemeente");
    assert_eq!(page.select_all("#buren label").len(), 2);

    let response = app
        .post_form(&path, &[(format!("buur-{north}").as_str(), "ja")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let pairs = |pool: sqlx::PgPool| async move {
        sqlx::query_as::<_, (Uuid, Uuid)>(
            "SELECT municipality_id, neighbour_id FROM municipality_neighbours
             ORDER BY municipality_id, neighbour_id",
        )
        .fetch_all(&pool)
        .await
        .expect("pairs")
    };
    let mut expected = vec![(home, north), (north, home)];
    expected.sort();
    assert_eq!(pairs(app.pool.clone()).await, expected);
    let (_, page) = app.get_page(&path).await;
    assert_eq!(
        page.attr(&format!("#buur-{north}"), "checked").as_deref(),
        Some("")
    );

    // Matching says so for an offer there.
    let coach = TestApp::spawn_on(&app).await;
    coach.login_as(Role::Coach).await;
    let participant = app.create_participant("Mariam Haddad", None, None).await;
    sqlx::query(
        "INSERT INTO offers (organisation_id, region_id, title, search_title, kind, municipality_id,
             by_arrangement, places, starts_on, ends_on, contact_name, taalicoon, meets_contact,
             meets_dutch_setting, meets_new_contacts, meets_unpaid, approval)
         SELECT o.id, o.region_id, 'Moestuin', 'moestuin', 'buddy', $2, true, 3, current_date,
                current_date + 100, 'Contact', 1, true, true, true, true, 'goedgekeurd'
         FROM organisations o WHERE o.id = $1",
    )
    .bind(app.organisation.0)
    .bind(north)
    .execute(&app.pool)
    .await
    .expect("offer");
    let (_, page) = coach
        .get_page(&format!("/inburgeraars/{participant}/zoek-een-plaats"))
        .await;
    assert!(
        page.text(".reasons")
            .contains("in een buurgemeente (Noordveld)")
    );

    // Ticking another replaces the set; an id that is not of the region is refused, in Dutch,
    // with the boxes as they were ticked and nothing changed.
    let other = app.other_region().await;
    let response = app
        .post_form(
            &path,
            &[
                (format!("buur-{south}").as_str(), "ja"),
                (format!("buur-{}", other.municipality).as_str(), "ja"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text("#buren-error").contains("uit de lijst"));
    assert_eq!(
        page.attr(&format!("#buur-{south}"), "checked").as_deref(),
        Some("")
    );
    assert_eq!(page.attr(&format!("#buur-{north}"), "checked"), None);
    assert_eq!(pairs(app.pool.clone()).await, expected);
    let response = app.post_form(&path, &[("buur-geen-id", "ja")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = app
        .post_form(&path, &[(format!("buur-{south}").as_str(), "ja")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let mut expected = vec![(home, south), (south, home)];
    expected.sort();
    assert_eq!(pairs(app.pool.clone()).await, expected);
    // Nothing ticked: no neighbours.
    let response = app.post_form(&path, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(pairs(app.pool.clone()).await.is_empty());
    let actions: Vec<String> = audit_rows(&app, "municipality", home)
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(
        actions,
        ["buren gewijzigd", "buren gewijzigd", "buren gewijzigd"]
    );
    // Through another region's path: not found.
    let response = app
        .get(&format!(
            "/beheer/regios/{}/gemeenten/{home}/buren",
            other.region
        ))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
