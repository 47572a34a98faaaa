//! Partner organisations: list and search, create and edit, deactivate and delete, contact
//! persons, the audit log, and who may do any of it.

use reqwest::StatusCode;
use uuid::Uuid;
use veertig::domain::user::Role;

use crate::helpers::{Page, TestApp, location};

/// A valid create form for the test region, with `changes` applied.
fn fields<'a>(app: &TestApp, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, String)> {
    let mut fields: Vec<(&str, String)> = vec![
        ("name", "Brügse Vzw".into()),
        ("kind", "vereniging".into()),
        ("municipality", app.municipality.to_string()),
        ("address", "Markt 1, 8000 Brugge".into()),
        ("phone", "050 44 80 00".into()),
        ("email", "Info@BrugseVzw.be".into()),
        ("description", "Koffiehuis en naaiatelier.".into()),
    ];
    for (name, value) in changes {
        match fields.iter_mut().find(|(field, _)| field == name) {
            Some(field) => field.1 = (*value).to_string(),
            None => fields.push((name, (*value).to_string())),
        }
    }
    fields
}

async fn post(app: &TestApp, path: &str, fields: &[(&str, String)]) -> reqwest::Response {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(path, &borrowed).await
}

/// The organisation id at the end of a `/organisaties/{id}` redirect.
fn created_id(response: &reqwest::Response) -> Uuid {
    let target = location(response);
    let id = target
        .strip_prefix("/organisaties/")
        .unwrap_or_else(|| panic!("redirect to an organisation, got {target}"));
    Uuid::parse_str(id.split('#').next().unwrap_or(id)).expect("an organisation id")
}

async fn create(app: &TestApp, name: &str) -> Uuid {
    app.get_page("/organisaties/nieuw").await;
    let response = post(app, "/organisaties/nieuw", &fields(app, &[("name", name)])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "create {name}");
    created_id(&response)
}

async fn audit_rows(
    app: &TestApp,
    entity_id: Uuid,
) -> Vec<(
    String,
    Option<Uuid>,
    Option<serde_json::Value>,
    Option<serde_json::Value>,
)> {
    sqlx::query_as(
        "SELECT action, actor_id, before, after FROM audit_log WHERE entity_id = $1 ORDER BY id",
    )
    .bind(entity_id)
    .fetch_all(&app.pool)
    .await
    .expect("audit rows")
}

#[tokio::test]
async fn coordinator_creates_an_organisation() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let (status, page) = app.get_page("/organisaties/nieuw").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Nieuwe partnerorganisatie");
    assert_eq!(page.text("label[for=kind]"), "Soort organisatie");
    assert_eq!(
        page.select_all("#kind option"),
        [
            "— Kies een soort —",
            "vereniging",
            "bedrijf",
            "lokaal bestuur / stadsdienst",
            "woonzorgcentrum",
            "lokaal dienstencentrum",
            "buurtwerking",
            "andere"
        ]
    );
    assert!(
        page.select_all("#region").is_empty(),
        "a coordinator has no region choice"
    );

    let response = post(&app, "/organisaties/nieuw", &fields(&app, &[])).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let id = created_id(&response);

    let row: (
        Uuid,
        String,
        String,
        String,
        Option<Uuid>,
        String,
        String,
        bool,
    ) = sqlx::query_as(
        "SELECT region_id, name, search_name, kind::text, municipality_id, email, phone, active
         FROM organisations WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("the organisation");
    assert_eq!(row.0, app.region.0);
    assert_eq!(row.1, "Brügse Vzw");
    assert_eq!(row.2, "brugse vzw");
    assert_eq!(row.3, "vereniging");
    assert_eq!(row.4, Some(app.municipality.0));
    assert_eq!(row.5, "info@brugsevzw.be");
    assert_eq!(row.6, "050 44 80 00");
    assert!(row.7);

    let (status, page) = app.get_page(&location(&response)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Brügse Vzw");
    assert_eq!(page.text(".flash"), "Organisatie Brügse Vzw is aangemaakt.");
    assert_eq!(page.text("dd.municipality"), "Testgemeente");
    assert_eq!(page.text("dd.address"), "Markt 1, 8000 Brugge");

    let audit = audit_rows(&app, id).await;
    assert_eq!(audit.len(), 1);
    let (action, actor, before, after) = &audit[0];
    assert_eq!(action, "aangemaakt");
    assert_eq!(*actor, Some(coordinator.id.0));
    assert!(before.is_none());
    let after = after.as_ref().expect("after");
    assert_eq!(after["name"], "Brügse Vzw");
    assert_eq!(after["kind"], "vereniging");
    assert_eq!(after["active"], true);
}

#[tokio::test]
async fn each_invalid_field_is_shown_next_to_it_with_what_was_typed() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let other = app.other_region().await;
    let other_municipality = other.municipality.to_string();
    let cases: [(&str, &str, &str); 7] = [
        ("name", "   ", "Vul de naam van de organisatie in."),
        ("kind", "", "Kies de soort organisatie."),
        ("kind", "sekte", "Kies een soort organisatie uit de lijst."),
        (
            "municipality",
            &other_municipality,
            "Kies een gemeente van de regio van de organisatie.",
        ),
        (
            "email",
            "info@vzw",
            "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.be.",
        ),
        (
            "phone",
            "bel me maar",
            "Vul een geldig telefoonnummer in, bijvoorbeeld 050 44 80 00 of +32 470 12 34 56.",
        ),
        (
            "name",
            &"x".repeat(201),
            "Een naam heeft hoogstens 200 tekens.",
        ),
    ];
    for (field, value, message) in cases {
        app.get_page("/organisaties/nieuw").await;
        let typed = fields(
            &app,
            &[
                (field, value),
                (
                    "name",
                    if field == "name" {
                        value
                    } else {
                        "Getypte naam"
                    },
                ),
            ],
        );
        let response = post(&app, "/organisaties/nieuw", &typed).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value:?}"
        );
        let page = Page::parse(&response.text().await.expect("body"));
        assert_eq!(page.select_all(".error-summary li"), [message], "{field}");
        assert_eq!(
            page.attr(".error-summary a", "href").as_deref(),
            Some(format!("#{field}").as_str())
        );
        assert_eq!(
            page.text(&format!("#{field}-error")),
            format!("Fout: {message}")
        );
        assert_eq!(
            page.attr(&format!("#{field}"), "aria-invalid").as_deref(),
            Some("true")
        );
        // What was typed is kept, in the invalid field and in the others.
        if field != "kind" && field != "municipality" {
            assert_eq!(
                page.attr(&format!("#{field}"), "value").as_deref(),
                Some(value),
                "{field}"
            );
        }
        if field != "name" {
            assert_eq!(page.attr("#name", "value").as_deref(), Some("Getypte naam"));
        }
        if field != "email" {
            assert_eq!(
                page.attr("#email", "value").as_deref(),
                Some("Info@BrugseVzw.be")
            );
        }
        assert_eq!(page.text("#address"), "Markt 1, 8000 Brugge");
        if field != "kind" {
            assert_eq!(
                page.attr("#kind option[selected]", "value").as_deref(),
                Some("vereniging")
            );
        }
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(count, 2, "only the fixtures' organisations exist");
}

#[tokio::test]
async fn a_name_already_used_in_the_region_is_a_field_error() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    create(&app, "Brügse Vzw").await;
    app.get_page("/organisaties/nieuw").await;
    let response = post(&app, "/organisaties/nieuw", &fields(&app, &[])).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        page.text("#name-error"),
        "Fout: Er bestaat in deze regio al een organisatie met deze naam."
    );
    assert_eq!(page.attr("#name", "value").as_deref(), Some("Brügse Vzw"));
}

#[tokio::test]
async fn coordinator_edits_an_organisation_and_the_audit_keeps_before_and_after() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let id = create(&app, "Brügse Vzw").await;

    let (status, page) = app.get_page(&format!("/organisaties/{id}/bewerken")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.attr("#name", "value").as_deref(), Some("Brügse Vzw"));
    assert_eq!(
        page.attr("#kind option[selected]", "value").as_deref(),
        Some("vereniging")
    );
    assert!(page.attr("#active", "checked").is_some());

    let changed = fields(
        &app,
        &[
            ("name", "Woonzorgcentrum De Vliet"),
            ("kind", "woonzorgcentrum"),
            ("municipality", ""),
            ("active", "ja"),
        ],
    );
    let response = post(&app, &format!("/organisaties/{id}/bewerken"), &changed).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/organisaties/{id}"));

    let (name, search_name, kind, municipality): (String, String, String, Option<Uuid>) =
        sqlx::query_as(
            "SELECT name, search_name, kind::text, municipality_id FROM organisations WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("the organisation");
    assert_eq!(name, "Woonzorgcentrum De Vliet");
    assert_eq!(search_name, "woonzorgcentrum de vliet");
    assert_eq!(kind, "woonzorgcentrum");
    assert_eq!(municipality, None);

    let (_, page) = app.get_page(&format!("/organisaties/{id}")).await;
    assert_eq!(
        page.text(".flash"),
        "Organisatie Woonzorgcentrum De Vliet is bijgewerkt."
    );
    assert_eq!(page.text("dd.municipality"), "Geen gemeente gekozen");

    let audit = audit_rows(&app, id).await;
    let (action, actor, before, after) = audit.last().expect("an audit row");
    assert_eq!(action, "gewijzigd");
    assert_eq!(*actor, Some(coordinator.id.0));
    let before = before.as_ref().expect("before");
    let after = after.as_ref().expect("after");
    assert_eq!(before["name"], "Brügse Vzw");
    assert_eq!(before["kind"], "vereniging");
    assert_eq!(after["name"], "Woonzorgcentrum De Vliet");
    assert_eq!(after["kind"], "woonzorgcentrum");
    assert_eq!(after["municipality_id"], serde_json::Value::Null);
}

#[tokio::test]
async fn an_invalid_edit_is_shown_again_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let id = create(&app, "Brügse Vzw").await;
    app.get_page(&format!("/organisaties/{id}/bewerken")).await;
    let response = post(
        &app,
        &format!("/organisaties/{id}/bewerken"),
        &fields(&app, &[("name", ""), ("email", "nee"), ("active", "ja")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(page.select_all(".error-summary li").len(), 2);
    assert_eq!(page.attr("#email", "value").as_deref(), Some("nee"));
    assert_eq!(page.text("h1"), "Brügse Vzw bewerken");
    let name: String = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("name");
    assert_eq!(name, "Brügse Vzw");
    assert_eq!(audit_rows(&app, id).await.len(), 1);
}

#[tokio::test]
async fn a_deactivated_organisation_leaves_the_default_list() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let id = create(&app, "Brügse Vzw").await;
    app.get_page(&format!("/organisaties/{id}/bewerken")).await;
    // An unticked checkbox is not sent.
    let response = post(
        &app,
        &format!("/organisaties/{id}/bewerken"),
        &fields(&app, &[]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let active: bool = sqlx::query_scalar("SELECT active FROM organisations WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("active");
    assert!(!active);
    let (_, page) = app.get_page(&format!("/organisaties/{id}")).await;
    assert_eq!(
        page.text(".flash"),
        "Organisatie Brügse Vzw is op non-actief gezet."
    );
    assert_eq!(page.text(".lead .badge"), "niet actief");

    let (_, page) = app.get_page("/organisaties").await;
    assert!(
        !page
            .select_all("td.name")
            .contains(&"Brügse Vzw".to_string())
    );
    let (_, page) = app.get_page("/organisaties?status=inactief").await;
    assert_eq!(page.select_all("td.name"), ["Brügse Vzw"]);
    assert_eq!(
        page.attr("#status option[selected]", "value").as_deref(),
        Some("inactief")
    );
    let (_, page) = app.get_page("/organisaties?status=alle").await;
    assert_eq!(page.select_all("td.name").len(), 2);

    let audit = audit_rows(&app, id).await;
    let (action, _, before, after) = audit.last().expect("an audit row");
    assert_eq!(action, "gedeactiveerd");
    assert_eq!(before.as_ref().expect("before")["active"], true);
    assert_eq!(after.as_ref().expect("after")["active"], false);

    // And back.
    app.get_page(&format!("/organisaties/{id}/bewerken")).await;
    let response = post(
        &app,
        &format!("/organisaties/{id}/bewerken"),
        &fields(&app, &[("active", "ja")]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let audit = audit_rows(&app, id).await;
    assert_eq!(audit.last().map(|row| row.0.as_str()), Some("geactiveerd"));
}

#[tokio::test]
async fn search_ignores_accents_and_case() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    create(&app, "Brügse Vzw").await;
    create(&app, "Gentse Club").await;
    create(&app, "Oostendse Brugse Kaai").await;
    for typed in ["brugse", "BRÜGSE", " Brugse  "] {
        let query = serde_urlencoded::to_string([("q", typed)]).expect("query");
        let (status, page) = app.get_page(&format!("/organisaties?{query}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            page.select_all("td.name"),
            ["Brügse Vzw", "Oostendse Brugse Kaai"],
            "{typed:?}"
        );
        assert_eq!(page.attr("#q", "value").as_deref(), Some(typed));
    }
    let (_, page) = app.get_page("/organisaties?q=gent").await;
    assert_eq!(page.select_all("td.name"), ["Gentse Club"]);
    let (_, page) = app.get_page("/organisaties?q=antwerpen").await;
    assert!(page.select_all("td.name").is_empty());
    assert_eq!(
        page.text(".empty"),
        "Geen organisaties gevonden voor ‘antwerpen’."
    );
}

#[tokio::test]
async fn search_takes_wildcards_literally() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    create(&app, "100% Buurt").await;
    create(&app, "1000 Buurten").await;
    let (_, page) = app.get_page("/organisaties?q=100%25").await;
    assert_eq!(page.select_all("td.name"), ["100% Buurt"]);
    let (_, page) = app.get_page("/organisaties?q=_").await;
    assert!(page.select_all("td.name").is_empty());
}

#[tokio::test]
async fn the_list_pages_through_3000_organisations_by_name() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    sqlx::query(
        "INSERT INTO organisations (region_id, name, search_name, kind, municipality_id)
         SELECT $1, 'Organisatie ' || lpad(n::text, 4, '0'), 'organisatie ' || lpad(n::text, 4, '0'),
                'vereniging', $2
         FROM generate_series(1, 3000) AS n",
    )
    .bind(app.region.0)
    .bind(app.municipality.0)
    .execute(&app.pool)
    .await
    .expect("3000 organisations");
    sqlx::query("ANALYZE organisations")
        .execute(&app.pool)
        .await
        .expect("analyze");

    let (status, page) = app.get_page("/organisaties?q=organisatie").await;
    assert_eq!(status, StatusCode::OK);
    let first = page.select_all("td.name");
    assert_eq!(first.len(), 50);
    assert_eq!(first[0], "Organisatie 0001");
    assert_eq!(first[49], "Organisatie 0050");
    assert!(page.attr("a[rel=prev]", "href").is_none());
    assert_eq!(
        page.attr("a[rel=next]", "href").as_deref(),
        Some("/organisaties?q=organisatie&pagina=2")
    );

    let (_, page) = app.get_page("/organisaties?q=organisatie&pagina=2").await;
    let second = page.select_all("td.name");
    assert_eq!(second.first().map(String::as_str), Some("Organisatie 0051"));
    assert_eq!(
        page.attr("a[rel=prev]", "href").as_deref(),
        Some("/organisaties?q=organisatie")
    );
    assert_eq!(page.text(".pagination [aria-current=page]"), "Pagina 2");

    let (_, page) = app.get_page("/organisaties?q=organisatie&pagina=60").await;
    let last = page.select_all("td.name");
    assert_eq!(last.len(), 50);
    assert_eq!(last[49], "Organisatie 3000");
    assert!(page.attr("a[rel=next]", "href").is_none());

    let (status, page) = app.get_page("/organisaties?q=organisatie&pagina=61").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.select_all("td.name").is_empty());
    assert!(page.attr("a[rel=prev]", "href").is_some());

    // Unreadable page numbers are the first page.
    let (status, page) = app.get_page("/organisaties?pagina=drie").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.select_all("td.name").len(), 50);

    let (_, page) = app.get_page("/organisaties?q=2999").await;
    assert_eq!(page.select_all("td.name"), ["Organisatie 2999"]);
}

#[tokio::test]
async fn an_organisation_with_placements_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let participant = app.create_participant("Amina Haddad", None, None).await;
    app.create_placement(participant, app.organisation).await;
    let path = format!("/organisaties/{}", app.organisation);

    let (_, page) = app.get_page(&path).await;
    assert_eq!(page.text("dd.placements"), "1");
    assert!(
        page.select_all("form[action$=verwijderen] button")
            .is_empty()
    );

    let response = app.post_form(&format!("{path}/verwijderen"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), path);
    let (_, page) = app.get_page(&path).await;
    assert!(
        page.text(".flash-error").starts_with(
            "Deze organisatie heeft plaatsingen en kan daarom niet verwijderd worden."
        )
    );
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1)")
            .bind(app.organisation.0)
            .fetch_one(&app.pool)
            .await
            .expect("exists");
    assert!(exists);
    assert!(audit_rows(&app, app.organisation.0).await.is_empty());
}

#[tokio::test]
async fn an_organisation_without_placements_is_deleted_with_its_contacts() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let id = create(&app, "Brügse Vzw").await;
    let path = format!("/organisaties/{id}");
    app.get_page(&path).await;
    let response = app
        .post_form(
            &format!("{path}/contactpersonen"),
            &[
                ("contact_name", "Els Claes"),
                ("contact_email", "els@brugsevzw.be"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let contact: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'els@brugsevzw.be'")
        .fetch_one(&app.pool)
        .await
        .expect("contact");

    let (_, page) = app.get_page(&path).await;
    assert_eq!(
        page.text("form[action$=verwijderen] button"),
        "Organisatie verwijderen"
    );
    let response = app.post_form(&format!("{path}/verwijderen"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/organisaties");
    let (_, page) = app.get_page("/organisaties").await;
    assert_eq!(page.text(".flash"), "Organisatie Brügse Vzw is verwijderd.");

    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM organisations WHERE id = $1) + (SELECT count(*) FROM users WHERE id = $2)",
    )
    .bind(id)
    .bind(contact)
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(left, 0);

    let audit = audit_rows(&app, id).await;
    let (action, actor, before, after) = audit.last().expect("an audit row");
    assert_eq!(action, "verwijderd");
    assert_eq!(*actor, Some(coordinator.id.0));
    assert_eq!(before.as_ref().expect("before")["name"], "Brügse Vzw");
    assert!(after.is_none());
    let audit = audit_rows(&app, contact).await;
    assert_eq!(audit.last().map(|row| row.0.as_str()), Some("verwijderd"));

    assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_contact_person_becomes_a_partner_user_of_the_organisation() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let path = format!("/organisaties/{}", app.organisation);
    let (_, page) = app.get_page(&path).await;
    assert_eq!(
        page.text("#contactpersonen .empty"),
        "Deze organisatie heeft nog geen contactpersonen."
    );
    let response = app
        .post_form(
            &format!("{path}/contactpersonen"),
            &[
                ("contact_name", " Олена Шевченко "),
                ("contact_email", "Olena@Testvereniging.be"),
                ("contact_phone", "+32 470 12 34 56"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("{path}#contactpersonen"));

    let (id, role, organisation, phone, name): (Uuid, String, Option<Uuid>, String, String) =
        sqlx::query_as(
            "SELECT id, role::text, organisation_id, phone, name FROM users
             WHERE email = 'olena@testvereniging.be'",
        )
        .fetch_one(&app.pool)
        .await
        .expect("the contact person");
    assert_eq!(role, "partner");
    assert_eq!(organisation, Some(app.organisation.0));
    assert_eq!(phone, "+32 470 12 34 56");
    assert_eq!(name, "Олена Шевченко");

    let (_, page) = app.get_page(&path).await;
    assert_eq!(
        page.text(".flash"),
        "Олена Шевченко is toegevoegd als contactpersoon."
    );
    assert_eq!(
        page.select_all("table.contacts td.name"),
        ["Олена Шевченко"]
    );
    assert_eq!(
        page.select_all("table.contacts td.email"),
        ["olena@testvereniging.be"]
    );

    // Nobody knows the password: the account cannot log in until a beheerder sets one.
    let contact = TestApp::spawn_on(&app).await;
    for guess in ["", "correct-horse-battery", "Olena@Testvereniging.be"] {
        let response = contact.login("olena@testvereniging.be", guess).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    let audit = audit_rows(&app, app.organisation.0).await;
    let (action, actor, _, after) = audit.last().expect("an audit row");
    assert_eq!(action, "contactpersoon toegevoegd");
    assert_eq!(*actor, Some(coordinator.id.0));
    assert_eq!(
        after.as_ref().expect("after")["email"],
        "olena@testvereniging.be"
    );
    let audit = audit_rows(&app, id).await;
    assert_eq!(audit.first().map(|row| row.0.as_str()), Some("aangemaakt"));
}

#[tokio::test]
async fn an_invalid_contact_person_is_shown_again_with_what_was_typed() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let path = format!("/organisaties/{}", app.organisation);
    app.get_page(&path).await;
    let response = app
        .post_form(
            &format!("{path}/contactpersonen"),
            &[
                ("contact_name", ""),
                ("contact_email", "els-at-vzw"),
                ("contact_phone", "050 12"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(page.select_all(".error-summary li").len(), 3);
    assert_eq!(page.text("#contact_name-error"), "Fout: Vul een naam in.");
    assert_eq!(
        page.attr("#contact_email", "value").as_deref(),
        Some("els-at-vzw")
    );
    assert_eq!(
        page.attr("#contact_phone", "value").as_deref(),
        Some("050 12")
    );
    assert_eq!(page.text("h1"), "Testvereniging");

    // An e-mail address that already has an account.
    let response = app
        .post_form(
            &format!("{path}/contactpersonen"),
            &[
                ("contact_name", "Els Claes"),
                ("contact_email", &coordinator.email),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        page.text("#contact_email-error"),
        "Fout: Er bestaat al een gebruiker met dit e-mailadres."
    );
    assert_eq!(
        page.attr("#contact_name", "value").as_deref(),
        Some("Els Claes")
    );
    let partners: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'partner'")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(partners, 0);
}

#[tokio::test]
async fn a_coordinator_cannot_see_or_change_another_regions_organisation() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let other = app.other_region().await;
    let path = format!("/organisaties/{}", other.organisation);
    for page in [path.clone(), format!("{path}/bewerken")] {
        let (status, html) = app.get_page(&page).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
        assert_eq!(html.text("h1"), "Pagina niet gevonden");
    }
    app.get_page("/organisaties").await;
    let edit = fields(&app, &[("name", "Gekaapt"), ("active", "ja")]);
    assert_eq!(
        post(&app, &format!("{path}/bewerken"), &edit)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post_form(&format!("{path}/verwijderen"), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post_form(
            &format!("{path}/contactpersonen"),
            &[
                ("contact_name", "Indringer"),
                ("contact_email", "in@dringer.be")
            ]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    let (name, users): (String, i64) = sqlx::query_as(
        "SELECT name, (SELECT count(*) FROM users WHERE organisation_id = $1) FROM organisations WHERE id = $1",
    )
    .bind(other.organisation.0)
    .fetch_one(&app.pool)
    .await
    .expect("the other organisation");
    assert_eq!(name, "Andere vereniging");
    assert_eq!(users, 0);

    let (_, page) = app.get_page("/organisaties?status=alle").await;
    assert_eq!(page.select_all("td.name"), ["Testvereniging"]);
    assert!(page.select_all("th").iter().all(|th| th != "Regio"));
}

#[tokio::test]
async fn an_admin_sees_every_region_and_chooses_the_region_of_a_new_organisation() {
    let app = TestApp::spawn().await;
    let admin = app.login_as(Role::Admin).await;
    let other = app.other_region().await;

    let (status, page) = app.get_page("/organisaties").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.select_all("thead th").contains(&"Regio".to_string()));
    let mut regions = page.select_all("td.region");
    regions.sort();
    assert_eq!(regions, ["Andere regio", "Testregio"]);
    let (status, page) = app
        .get_page(&format!("/organisaties/{}", other.organisation))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("dd.region"), "Andere regio");

    let (_, page) = app.get_page("/organisaties/nieuw").await;
    assert_eq!(
        page.select_all("#region option"),
        ["— Kies een regio —", "Andere regio", "Testregio"]
    );
    assert_eq!(
        page.select_all("#municipality option"),
        [
            "— Geen gemeente gekozen —",
            "Andere gemeente (Andere regio)",
            "Testgemeente (Testregio)"
        ]
    );

    // No region, then a municipality of another region than the one chosen.
    let response = post(&app, "/organisaties/nieuw", &fields(&app, &[])).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        page.text("#region-error"),
        "Fout: Kies de regio van de organisatie."
    );
    let other_region = other.region.to_string();
    let response = post(
        &app,
        "/organisaties/nieuw",
        &fields(&app, &[("region", &other_region)]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        page.select_all(".error-summary li"),
        ["Kies een gemeente van de regio van de organisatie."]
    );
    assert_eq!(
        page.attr("#region option[selected]", "value").as_deref(),
        Some(other_region.as_str())
    );

    let other_municipality = other.municipality.to_string();
    let response = post(
        &app,
        "/organisaties/nieuw",
        &fields(
            &app,
            &[
                ("region", &other_region),
                ("municipality", &other_municipality),
            ],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let id = created_id(&response);
    let region: Uuid = sqlx::query_scalar("SELECT region_id FROM organisations WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("region");
    assert_eq!(region, other.region.0);
    let audit = audit_rows(&app, id).await;
    assert_eq!(audit[0].1, Some(admin.id.0));
}

#[tokio::test]
async fn partners_are_refused() {
    let app = TestApp::spawn().await;
    let partner = TestApp::spawn_on(&app).await;
    partner.login_as(Role::Partner).await;
    let show = format!("/organisaties/{}", app.organisation);
    for path in ["/organisaties", "/organisaties/nieuw", show.as_str()] {
        let (status, page) = partner.get_page(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(page.text("h1"), "Geen toegang");
    }
    let response = post(&partner, "/organisaties/nieuw", &fields(&app, &[])).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = partner.post_form(&format!("{show}/verwijderen"), &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM organisations")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(count, 1);
}

/// Issue 22 item 11: a trajectbegeleider looks up the organisations and contacts of their
/// region, read only: no buttons that change anything, and the changes are still refused.
#[tokio::test]
async fn coaches_read_their_regions_organisations_and_contacts_without_changing_them() {
    let app = TestApp::spawn().await;
    let coordinator = TestApp::spawn_on(&app).await;
    coordinator.login_as(Role::Coordinator).await;
    coordinator
        .get_page(&format!("/organisaties/{}", app.organisation))
        .await;
    let response = coordinator
        .post_form(
            &format!("/organisaties/{}/contactpersonen", app.organisation),
            &[
                ("contact_name", "Greet Claes"),
                ("contact_email", "greet@testvereniging.be"),
                ("contact_phone", "050 12 34 56"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let other = app.other_region().await;

    app.login_as(Role::Coach).await;
    let (status, page) = app.get_page("/organisaties?status=alle").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.select_all("td.name"), ["Testvereniging"]);
    assert!(page.select_all("a[href='/organisaties/nieuw']").is_empty());
    assert_eq!(
        page.text("nav a[aria-current=page]"),
        "Partnerorganisaties",
        "in the coach's navigation"
    );

    let show = format!("/organisaties/{}", app.organisation);
    let (status, page) = app.get_page(&show).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.text("#contactpersonen").contains("Greet Claes"));
    assert!(
        page.text("#contactpersonen")
            .contains("greet@testvereniging.be")
    );
    assert!(page.select_all("main a[href$='/bewerken']").is_empty());
    assert!(page.select_all("main form[method=post]").is_empty());
    assert!(page.select_all("#verwijderen").is_empty());

    // Another region's organisation does not exist for them.
    let (status, _) = app
        .get_page(&format!("/organisaties/{}", other.organisation))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Changing stays refused.
    for path in ["/organisaties/nieuw", &format!("{show}/bewerken")] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let edit = fields(&app, &[("name", "Gewijzigd"), ("active", "ja")]);
    for path in [
        "/organisaties/nieuw".to_string(),
        format!("{show}/bewerken"),
    ] {
        assert_eq!(
            post(&app, &path, &edit).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    for path in [
        format!("{show}/verwijderen"),
        format!("{show}/contactpersonen"),
    ] {
        let response = app
            .post_form(&path, &[("contact_name", "X"), ("contact_email", "x@y.be")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let (name, contacts): (String, i64) = sqlx::query_as(
        "SELECT name, (SELECT count(*) FROM users WHERE organisation_id = $1) FROM organisations WHERE id = $1",
    )
    .bind(app.organisation.0)
    .fetch_one(&app.pool)
    .await
    .expect("the organisation");
    assert_eq!((name.as_str(), contacts), ("Testvereniging", 1));
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_the_login_page() {
    let app = TestApp::spawn().await;
    let response = app.get("/organisaties?q=brugse").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&response),
        "/login?next=%2Forganisaties%3Fq%3Dbrugse"
    );
    let response = app
        .get(&format!("/organisaties/{}", app.organisation))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
}

#[tokio::test]
async fn a_malformed_id_is_a_dutch_404_not_a_500() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    for path in ["/organisaties/niet-een-id", "/organisaties/123/bewerken"] {
        let (status, page) = app.get_page(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.text("h1"), "Pagina niet gevonden");
    }
    let response = app.post_form("/organisaties/%20/verwijderen", &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (status, _) = app
        .get_page(&format!("/organisaties/{}", Uuid::new_v4()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn markup_is_shown_as_text_and_lines_are_kept() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    app.get_page("/organisaties/nieuw").await;
    let response = post(
        &app,
        "/organisaties/nieuw",
        &fields(
            &app,
            &[
                ("name", "<b>Vet</b> & co"),
                ("address", "Markt 1\n8000 Brugge"),
                ("description", "<script>alert(1)</script>\nTweede regel"),
            ],
        ),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    assert_eq!(page.text("h1"), "<b>Vet</b> & co");
    assert!(page.select_all("h1 b, dd script").is_empty());
    assert_eq!(page.select_all("dd.address br").len(), 1);
    assert_eq!(
        page.text("dd.description"),
        "<script>alert(1)</script>Tweede regel"
    );
}
