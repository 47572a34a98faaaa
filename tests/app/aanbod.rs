//! Aanbod and matching: offers, their approval, "Zoek een plaats" and taking the last place.

use reqwest::StatusCode;
use veertig::domain::user::Role;
use veertig::values::ids::{MunicipalityId, OfferId, OrganisationId, ParticipantId};

use crate::helpers::{TestApp, location};

/// An offer as a test needs it; the rest takes defaults that fit anyone.
struct NewOffer<'a> {
    title: &'a str,
    organisation: OrganisationId,
    municipality: MunicipalityId,
    kind: &'a str,
    taalicoon: i16,
    /// Bit 0 = maandag; 0 with `by_arrangement`.
    days: i16,
    by_arrangement: bool,
    places: i32,
    contact_languages: &'a str,
    approval: &'a str,
}

impl<'a> NewOffer<'a> {
    fn new(app: &TestApp, title: &'a str) -> Self {
        Self {
            title,
            organisation: app.organisation,
            municipality: app.municipality,
            kind: "buddy",
            taalicoon: 1,
            days: 0,
            by_arrangement: true,
            places: 3,
            contact_languages: "",
            approval: "goedgekeurd",
        }
    }

    async fn insert(self, app: &TestApp) -> OfferId {
        sqlx::query_scalar!(
            r#"INSERT INTO offers (organisation_id, region_id, title, search_title, kind,
                   municipality_id, days, by_arrangement, places, starts_on, ends_on, contact_name,
                   contact_languages, taalicoon, meets_contact, meets_dutch_setting,
                   meets_new_contacts, meets_unpaid, approval)
               SELECT o.id, o.region_id, $2, lower($2), $3::text::placement_kind, $4, $5, $6, $7,
                      current_date - 10, current_date + 200, 'Contact', $8, $9,
                      true, true, true, true, $10::text::offer_approval
               FROM organisations o WHERE o.id = $1
               RETURNING id AS "id: OfferId""#,
            self.organisation.0,
            self.title,
            self.kind,
            self.municipality.0,
            self.days,
            self.by_arrangement,
            self.places,
            self.contact_languages,
            self.taalicoon,
            self.approval,
        )
        .fetch_one(&app.pool)
        .await
        .expect("offer")
    }
}

async fn add_municipality(app: &TestApp, name: &str) -> MunicipalityId {
    sqlx::query_scalar!(
        r#"INSERT INTO municipalities (region_id, name) VALUES ($1, $2)
           RETURNING id AS "id: MunicipalityId""#,
        app.region.0,
        name
    )
    .fetch_one(&app.pool)
    .await
    .expect("municipality")
}

async fn make_neighbours(app: &TestApp, a: MunicipalityId, b: MunicipalityId) {
    sqlx::query!(
        "INSERT INTO municipality_neighbours (municipality_id, neighbour_id) VALUES ($1, $2), ($2, $1)",
        a.0,
        b.0
    )
    .execute(&app.pool)
    .await
    .expect("neighbours");
}

/// An A1 participant of the test municipality who speaks Arabic and is free on Monday and
/// Wednesday.
async fn a1_participant(app: &TestApp, name: &str) -> ParticipantId {
    let id = app.create_participant(name, None, None).await;
    sqlx::query!(
        "UPDATE participants SET dutch_level = 'A1', languages = 'Arabisch, Frans',
             available_days = 5 WHERE id = $1",
        id.0
    )
    .execute(&app.pool)
    .await
    .expect("profile");
    id
}

async fn offer_row(app: &TestApp, id: OfferId) -> (String, Option<String>) {
    let row = sqlx::query!(
        r#"SELECT approval::text AS "approval!", refusal_reason FROM offers WHERE id = $1"#,
        id.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("offer row");
    (row.approval, row.refusal_reason)
}

async fn placements_of_offer(app: &TestApp, id: OfferId) -> i64 {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM placements WHERE offer_id = $1"#,
        id.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("count")
}

// --- Matching ----------------------------------------------------------------------------------

/// Issue 22 item 9: with no available days filled in, matching says the days are unknown
/// instead of "Past niet" on every offer with fixed days.
#[tokio::test]
async fn matching_says_unknown_available_days_are_unknown_not_a_misfit() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let participant = a1_participant(&app, "Samir Aziz").await;
    sqlx::query("UPDATE participants SET available_days = 0 WHERE id = $1")
        .bind(participant.0)
        .execute(&app.pool)
        .await
        .expect("no days");
    NewOffer {
        days: 4, // woensdag
        by_arrangement: false,
        ..NewOffer::new(&app, "Taalcafé")
    }
    .insert(&app)
    .await;
    let (status, page) = app
        .get_page(&format!("/inburgeraars/{participant}/zoek-een-plaats"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let reasons: Vec<String> = page
        .select_all(".suggestion .reasons li")
        .into_iter()
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(
        reasons.contains(
            &"? Nog onbekend: op woensdag: de beschikbare dagen van de inburgeraar zijn nog niet bekend"
                .to_string()
        ),
        "{reasons:?}"
    );
    assert!(
        !reasons
            .iter()
            .any(|r| r.starts_with("✗") && r.contains("woensdag")),
        "{reasons:?}"
    );
    assert_eq!(page.select_all(".reasons li.unknown").len(), 1);
}

#[tokio::test]
async fn matching_ranks_offers_by_fit_and_says_why_in_dutch() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let participant = a1_participant(&app, "Mariam Haddad").await;
    let near = add_municipality(&app, "Buurgemeente").await;
    let far = add_municipality(&app, "Verregemeente").await;
    make_neighbours(&app, app.municipality, near).await;
    NewOffer {
        days: 4, // woensdag
        by_arrangement: false,
        contact_languages: "Arabisch",
        ..NewOffer::new(&app, "Taalcafé")
    }
    .insert(&app)
    .await;
    NewOffer {
        municipality: near,
        kind: "vrijwilligerswerk",
        ..NewOffer::new(&app, "Moestuin")
    }
    .insert(&app)
    .await;
    NewOffer {
        kind: "stage",
        taalicoon: 4,
        days: 1, // maandag
        by_arrangement: false,
        ..NewOffer::new(&app, "Onthaal")
    }
    .insert(&app)
    .await;
    NewOffer {
        municipality: far,
        taalicoon: 2,
        days: 32, // zaterdag
        by_arrangement: false,
        contact_languages: "Engels",
        ..NewOffer::new(&app, "Ver weg")
    }
    .insert(&app)
    .await;
    // Not shown: full, not approved, paused.
    let full = NewOffer {
        places: 1,
        ..NewOffer::new(&app, "Vol")
    }
    .insert(&app)
    .await;
    let other = app.create_participant("Iemand Anders", None, None).await;
    sqlx::query!(
        "INSERT INTO placements (participant_id, organisation_id, kind, status, starts_on, ends_on,
             planned_minutes, offer_id)
         VALUES ($1, $2, 'buddy', 'gepland', current_date, current_date + 30, 2400, $3)",
        other.0,
        app.organisation.0,
        full.0
    )
    .execute(&app.pool)
    .await
    .expect("taken place");
    NewOffer {
        approval: "voorgesteld",
        ..NewOffer::new(&app, "Voorgesteld")
    }
    .insert(&app)
    .await;
    let paused = NewOffer::new(&app, "Gepauzeerd").insert(&app).await;
    sqlx::query!(
        "UPDATE offers SET state = 'gepauzeerd' WHERE id = $1",
        paused.0
    )
    .execute(&app.pool)
    .await
    .expect("pause");

    let path = format!("/inburgeraars/{participant}/zoek-een-plaats");
    let (status, page) = app.get_page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.select_all(".suggestion h2"),
        ["Taalcafé", "Moestuin", "Onthaal", "Ver weg"]
    );
    let reasons = |n: usize| {
        page.select_all(&format!(".suggestion:nth-child({n}) .reasons li"))
            .into_iter()
            .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        reasons(1),
        [
            "✓ Past: taalicoon 1: past bij A1",
            "✓ Past: in de eigen gemeente (Testgemeente)",
            "✓ Past: op woensdag: een beschikbare dag",
            "✓ Past: de contactpersoon spreekt ook Arabisch",
        ]
    );
    assert_eq!(
        reasons(2),
        [
            "✓ Past: taalicoon 1: past bij A1",
            "✓ Past: in een buurgemeente (Buurgemeente)",
            "✓ Past: dagen in overleg",
        ]
    );
    assert_eq!(
        reasons(3),
        [
            "✗ Past niet: taalicoon 4: hoger dan aanbevolen voor A1",
            "✓ Past: in de eigen gemeente (Testgemeente)",
            "✓ Past: op maandag: een beschikbare dag",
        ]
    );
    assert_eq!(
        reasons(4),
        [
            "✗ Past niet: taalicoon 2: hoger dan aanbevolen voor A1",
            "✗ Past niet: verder weg: Verregemeente, geen buurgemeente",
            "✗ Past niet: op zaterdag: niet op een beschikbare dag",
            "✗ Past niet: geen gedeelde taal met de contactpersoon",
        ]
    );
    assert_eq!(page.select_all(".too-demanding h2"), ["Onthaal", "Ver weg"]);
    assert!(
        page.text(".too-demanding")
            .contains("Te veeleisend voor A1")
    );

    // The form asked for moves up: "Ver weg" is a buddy activity, "Onthaal" a stage.
    let (_, page) = app.get_page(&format!("{path}?vorm=buddy")).await;
    assert_eq!(
        page.select_all(".suggestion h2"),
        ["Taalcafé", "Moestuin", "Ver weg", "Onthaal"]
    );
    assert!(
        page.text(".suggestion:nth-child(2) .reasons")
            .contains("vorm: vrijwilligerswerk, niet buddy")
    );
}

/// The titles and "N van M plaatsen vrij" lines of a matching page.
async fn suggestions(app: &TestApp, participant: ParticipantId) -> Vec<String> {
    let (status, page) = app
        .get_page(&format!("/inburgeraars/{participant}/zoek-een-plaats"))
        .await;
    assert_eq!(status, StatusCode::OK);
    page.select_all(".suggestion")
        .into_iter()
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// Matching keeps each region's open offers in memory: every change anywhere (another instance,
/// another writer) must show at the next view, never a view later.
#[tokio::test]
async fn matching_shows_every_change_to_the_catalogue_at_once() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let participant = a1_participant(&app, "Mariam Haddad").await;
    let last_place = NewOffer {
        places: 1,
        ..NewOffer::new(&app, "Laatste plaats")
    }
    .insert(&app)
    .await;
    let other = NewOffer::new(&app, "Moestuin").insert(&app).await;
    let titles = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .map(|line| {
                line.split(" Testorganisatie")
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    };
    let shown = suggestions(&app, participant).await;
    assert_eq!(titles(&shown).len(), 2, "{shown:?}");
    assert!(
        shown.iter().any(|l| l.contains("1 van 1 plaatsen vrij")),
        "{shown:?}"
    );

    // Another instance takes the last place.
    let elsewhere = app.second_instance().await;
    elsewhere.login_as(Role::Coach).await;
    let someone = a1_participant(&app, "Iemand Anders").await;
    let path = format!("/inburgeraars/{someone}/zoek-een-plaats");
    elsewhere.get_page(&path).await;
    let response = elsewhere
        .post_form(&path, &[("offer_id", &last_place.to_string())])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let shown = suggestions(&app, participant).await;
    assert!(
        shown.iter().all(|l| !l.contains("Laatste plaats")),
        "{shown:?}"
    );

    // The placement is cancelled: the place is free again.
    sqlx::query!(
        "UPDATE placements SET status = 'geannuleerd' WHERE offer_id = $1",
        last_place.0
    )
    .execute(&app.pool)
    .await
    .expect("cancel");
    assert!(
        suggestions(&app, participant)
            .await
            .iter()
            .any(|l| l.contains("Laatste plaats"))
    );

    // The offer is renamed, then paused; a new offer is approved.
    sqlx::query!(
        "UPDATE offers SET title = 'Nieuwe naam' WHERE id = $1",
        other.0
    )
    .execute(&app.pool)
    .await
    .expect("rename");
    assert!(
        suggestions(&app, participant)
            .await
            .iter()
            .any(|l| l.contains("Nieuwe naam"))
    );
    sqlx::query!(
        "UPDATE offers SET state = 'gepauzeerd' WHERE id = $1",
        other.0
    )
    .execute(&app.pool)
    .await
    .expect("pause");
    let fresh = NewOffer {
        approval: "voorgesteld",
        ..NewOffer::new(&app, "Net goedgekeurd")
    }
    .insert(&app)
    .await;
    sqlx::query!(
        "UPDATE offers SET approval = 'goedgekeurd' WHERE id = $1",
        fresh.0
    )
    .execute(&app.pool)
    .await
    .expect("approve");
    let shown = suggestions(&app, participant).await;
    assert!(
        shown.iter().all(|l| !l.contains("Nieuwe naam")),
        "{shown:?}"
    );
    assert!(
        shown.iter().any(|l| l.contains("Net goedgekeurd")),
        "{shown:?}"
    );

    // The organisation and the municipality are renamed; then the organisation stops.
    sqlx::query!(
        "UPDATE organisations SET name = 'Buurthuis Noord' WHERE id = $1",
        app.organisation.0
    )
    .execute(&app.pool)
    .await
    .expect("organisation");
    sqlx::query!(
        "UPDATE municipalities SET name = 'Nieuwegemeente' WHERE id = $1",
        app.municipality.0
    )
    .execute(&app.pool)
    .await
    .expect("municipality");
    let shown = suggestions(&app, participant).await;
    assert!(
        shown.iter().all(|l| l.contains("Buurthuis Noord")),
        "{shown:?}"
    );
    assert!(
        shown.iter().all(|l| l.contains("Nieuwegemeente")),
        "{shown:?}"
    );
    sqlx::query!(
        "UPDATE organisations SET active = false WHERE id = $1",
        app.organisation.0
    )
    .execute(&app.pool)
    .await
    .expect("deactivate");
    assert_eq!(suggestions(&app, participant).await, Vec::<String>::new());
}

#[tokio::test]
async fn choosing_an_offer_plans_a_placement_and_takes_a_place() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let participant = a1_participant(&app, "Olena Shevchenko").await;
    let offer = NewOffer {
        places: 2,
        ..NewOffer::new(&app, "Buddy in de bib")
    }
    .insert(&app)
    .await;
    let (_, page) = app.get_page(&format!("/aanbod/{offer}")).await;
    assert_eq!(page.text(".places"), "2 vrij van 2 (0 ingenomen)");

    let path = format!("/inburgeraars/{participant}/zoek-een-plaats");
    app.get_page(&path).await;
    let response = app
        .post_form(&path, &[("offer_id", &offer.to_string())])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let target = location(&response);
    assert!(target.starts_with("/plaatsingen/"), "{target}");
    let (status, page) = app.get_page(&target).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.text(".flash").contains("de plaatsing is gepland"));
    let row = sqlx::query!(
        r#"SELECT status::text AS "status!", kind::text AS "kind!", planned_minutes, contact_name
           FROM placements WHERE offer_id = $1 AND participant_id = $2"#,
        offer.0,
        participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("placement");
    assert_eq!(row.status, "gepland");
    assert_eq!(row.kind, "buddy");
    assert_eq!(row.planned_minutes, 2400);
    assert_eq!(row.contact_name, "Contact");

    let (_, page) = app.get_page(&format!("/aanbod/{offer}")).await;
    assert_eq!(page.text(".places"), "1 vrij van 2 (1 ingenomen)");
    // The same person twice is refused with a message.
    let response = app
        .post_form(&path, &[("offer_id", &offer.to_string())])
        .await;
    assert_eq!(location(&response), path);
    let (_, page) = app.get_page(&path).await;
    assert!(
        page.text(".flash")
            .contains("heeft al een plaats in dit aanbod")
    );
    assert_eq!(placements_of_offer(&app, offer).await, 1);
    // A cancelled placement frees its place again.
    sqlx::query!(
        "UPDATE placements SET status = 'geannuleerd' WHERE offer_id = $1",
        offer.0
    )
    .execute(&app.pool)
    .await
    .expect("cancel");
    let (_, page) = app.get_page(&format!("/aanbod/{offer}")).await;
    assert_eq!(page.text(".places"), "2 vrij van 2 (0 ingenomen)");
}

#[tokio::test]
async fn two_coaches_taking_the_last_place_at_once_end_with_one_placement() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let other = TestApp::spawn_on(&app).await;
    other.login_as(Role::Coach).await;
    for round in 0..5 {
        let offer = NewOffer {
            places: 1,
            ..NewOffer::new(&app, &format!("Laatste plaats {round}"))
        }
        .insert(&app)
        .await;
        let first = a1_participant(&app, &format!("Eerste {round}")).await;
        let second = a1_participant(&app, &format!("Tweede {round}")).await;
        let first_path = format!("/inburgeraars/{first}/zoek-een-plaats");
        let second_path = format!("/inburgeraars/{second}/zoek-een-plaats");
        app.get_page(&first_path).await;
        other.get_page(&second_path).await;
        let id = offer.to_string();
        let fields = [("offer_id", id.as_str())];
        let (a, b) = tokio::join!(
            app.post_form(&first_path, &fields),
            other.post_form(&second_path, &fields),
        );
        assert_eq!(a.status(), StatusCode::SEE_OTHER);
        assert_eq!(b.status(), StatusCode::SEE_OTHER);
        assert_eq!(placements_of_offer(&app, offer).await, 1, "round {round}");
        let (winner, loser_path) = match (location(&a), location(&b)) {
            (a, b) if a.starts_with("/plaatsingen/") => (a, (b, &other)),
            (a, b) => (b, (a, &app)),
        };
        assert!(winner.starts_with("/plaatsingen/"), "{winner}");
        let (path, loser) = loser_path;
        assert!(path.ends_with("/zoek-een-plaats"), "{path}");
        let (_, page) = loser.get_page(&path).await;
        assert_eq!(
            page.text(".flash"),
            "Alle plaatsen van dit aanbod zijn intussen ingenomen. Kies een ander aanbod."
        );
    }
}

// --- Offers and their approval -----------------------------------------------------------------

/// The offer form with every field valid.
fn offer_form(municipality: &str) -> Vec<(&'static str, String)> {
    // An offer that is open whatever day the suite runs.
    let today = veertig::values::dates::today();
    let starts_on = veertig::values::dates::iso_date(today);
    let ends_on = veertig::values::dates::iso_date(today + time::Duration::days(210));
    [
        ("title", "Samen koken"),
        ("description", "Elke woensdag koken met buren."),
        ("kind", "vrijwilligerswerk"),
        ("taalicoon", "2"),
        ("places", "4"),
        ("municipality_id", municipality),
        ("address", "Markt 1"),
        ("dag_wo", "ja"),
        ("deel_nm", "ja"),
        ("starts_on", starts_on.as_str()),
        ("ends_on", ends_on.as_str()),
        ("contact_name", "Lies Peeters"),
        ("contact_email", "lies@vereniging.be"),
        ("contact_languages", "Frans, Engels"),
        ("meets_contact", "ja"),
        ("meets_dutch_setting", "ja"),
        ("meets_new_contacts", "ja"),
        ("meets_unpaid", "ja"),
    ]
    .into_iter()
    .map(|(field, value)| (field, value.to_string()))
    .collect()
}

fn refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

#[tokio::test]
async fn a_partner_publishes_an_offer_and_only_the_coordinator_approves_it() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Partner).await;
    let (status, page) = app.get_page("/partner/aanbod/nieuw").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.select_all("#organisation_id").is_empty());
    let form = offer_form(&app.municipality.to_string());
    let response = app.post_form("/partner/aanbod/nieuw", &refs(&form)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let target = location(&response);
    let offer: OfferId = target
        .trim_start_matches("/partner/aanbod/")
        .parse::<uuid::Uuid>()
        .map(OfferId)
        .expect("offer id in the redirect");
    assert_eq!(offer_row(&app, offer).await.0, "voorgesteld");
    let (_, page) = app.get_page(&target).await;
    assert_eq!(page.text(".offer-status .badge"), "Voorgesteld");
    assert!(page.select_all(".decision").is_empty());
    // The partner cannot approve, not even through the staff URL.
    let approve = format!("/aanbod/{offer}/goedkeuren");
    let response = app.post_form(&approve, &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let coach = TestApp::spawn_on(&app).await;
    coach.login_as(Role::Coach).await;
    let response = coach.post_form(&approve, &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // A coach reads the offer but gets no decision buttons.
    let (status, page) = coach.get_page(&format!("/aanbod/{offer}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.select_all(".decision").is_empty());
    assert_eq!(offer_row(&app, offer).await.0, "voorgesteld");

    let coordinator = TestApp::spawn_on(&app).await;
    coordinator.login_as(Role::Coordinator).await;
    coordinator.get_page(&format!("/aanbod/{offer}")).await;
    // Refusing needs a reason.
    let refuse = format!("/aanbod/{offer}/weigeren");
    let response = coordinator.post_form(&refuse, &[("reason", "  ")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = coordinator
        .post_form(&refuse, &[("reason", "Dit is betaald werk.")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        offer_row(&app, offer).await,
        (
            "geweigerd".to_string(),
            Some("Dit is betaald werk.".to_string())
        )
    );
    let (_, page) = app.get_page(&target).await;
    assert!(page.text(".refusal").contains("Dit is betaald werk."));
    // The partner's change sends it back for approval.
    let response = app
        .post_form(&format!("{target}/bewerken"), &refs(&form))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        offer_row(&app, offer).await,
        ("voorgesteld".to_string(), None)
    );
    let response = coordinator.post_form(&approve, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(offer_row(&app, offer).await.0, "goedgekeurd");
    let audit = sqlx::query_scalar!(
        "SELECT action FROM audit_log WHERE entity = 'offer' AND entity_id = $1 ORDER BY id",
        offer.0
    )
    .fetch_all(&app.pool)
    .await
    .expect("audit");
    assert_eq!(
        audit,
        ["aangemaakt", "geweigerd", "gewijzigd", "goedgekeurd"]
    );
}

#[tokio::test]
async fn an_offer_that_misses_a_criterion_cannot_be_approved() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let mut form = offer_form(&app.municipality.to_string());
    form.retain(|(field, _)| *field != "meets_unpaid");
    form.push(("organisation_id", app.organisation.to_string()));
    app.get_page("/aanbod/nieuw").await;
    let response = app.post_form("/aanbod/nieuw", &refs(&form)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let target = location(&response);
    let offer = target
        .trim_start_matches("/aanbod/")
        .parse::<uuid::Uuid>()
        .map(OfferId)
        .expect("offer id");
    let response = app.post_form(&format!("{target}/goedkeuren"), &[]).await;
    assert_eq!(location(&response), target);
    let (_, page) = app.get_page(&target).await;
    assert!(
        page.select_all(".flash")
            .iter()
            .any(|flash| flash.contains("niet aan alle criteria voldoet"))
    );
    assert!(
        page.text(".criteria")
            .contains("Voldoet niet: Geen betaald werk")
    );
    assert_eq!(offer_row(&app, offer).await.0, "voorgesteld");
}

#[tokio::test]
async fn a_coordinator_of_another_region_does_not_see_the_offer() {
    let app = TestApp::spawn().await;
    let offer = NewOffer {
        approval: "voorgesteld",
        ..NewOffer::new(&app, "Hier")
    }
    .insert(&app)
    .await;
    let other = app.other_region().await;
    let coordinator = app.create_user(Role::Coordinator).await;
    sqlx::query!(
        "UPDATE users SET region_id = $1 WHERE id = $2",
        other.region.0,
        coordinator.id.0
    )
    .execute(&app.pool)
    .await
    .expect("move");
    app.login(&coordinator.email, crate::helpers::PASSWORD)
        .await;
    app.get_page("/coordinatie").await;
    let (status, _) = app.get_page(&format!("/aanbod/{offer}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app
        .post_form(&format!("/aanbod/{offer}/goedkeuren"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(offer_row(&app, offer).await.0, "voorgesteld");
}

#[tokio::test]
async fn a_partner_manages_only_the_offers_of_their_own_organisation() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Partner).await;
    let own = NewOffer::new(&app, "Eigen aanbod").insert(&app).await;
    let elsewhere = sqlx::query_scalar!(
        r#"INSERT INTO organisations (region_id, name, kind, search_name)
           VALUES ($1, 'Buren vzw', 'vereniging', 'buren vzw') RETURNING id AS "id: OrganisationId""#,
        app.region.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("other organisation");
    let foreign = NewOffer {
        organisation: elsewhere,
        ..NewOffer::new(&app, "Aanbod van de buren")
    }
    .insert(&app)
    .await;

    let (_, page) = app.get_page("/partner/aanbod").await;
    assert_eq!(page.select_all("td.title"), ["Eigen aanbod"]);
    let (status, _) = app
        .get_page(&format!("/partner/aanbod/{own}/bewerken"))
        .await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        format!("/partner/aanbod/{foreign}"),
        format!("/partner/aanbod/{foreign}/bewerken"),
    ] {
        let (status, _) = app.get_page(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let form = offer_form(&app.municipality.to_string());
    let response = app
        .post_form(&format!("/partner/aanbod/{foreign}/bewerken"), &refs(&form))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .post_form(
            &format!("/partner/aanbod/{foreign}/status"),
            &[("state", "gesloten")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let title = sqlx::query_scalar!("SELECT title FROM offers WHERE id = $1", foreign.0)
        .fetch_one(&app.pool)
        .await
        .expect("title");
    assert_eq!(title, "Aanbod van de buren");
    // The staff pages are not the partner's.
    let (status, _) = app.get_page(&format!("/aanbod/{own}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Their own offer they can pause.
    let response = app
        .post_form(
            &format!("/partner/aanbod/{own}/status"),
            &[("state", "gepauzeerd")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let state = sqlx::query_scalar!(
        r#"SELECT state::text AS "s!" FROM offers WHERE id = $1"#,
        own.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("state");
    assert_eq!(state, "gepauzeerd");
}

// --- Pages -------------------------------------------------------------------------------------

#[tokio::test]
async fn the_offer_list_filters_and_shows_the_taalicoon_with_text() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    NewOffer {
        taalicoon: 4,
        kind: "stage",
        ..NewOffer::new(&app, "Receptie")
    }
    .insert(&app)
    .await;
    NewOffer {
        days: 2,
        by_arrangement: false,
        ..NewOffer::new(&app, "Wandelclub")
    }
    .insert(&app)
    .await;
    let (status, page) = app.get_page("/aanbod").await;
    assert_eq!(status, StatusCode::OK);
    let mut titles = page.select_all("td.title");
    titles.sort();
    assert_eq!(titles, ["Receptie", "Wandelclub"]);
    // A coach cannot create offers.
    assert!(page.select_all("a[href='/aanbod/nieuw']").is_empty());
    let (_, page) = app.get_page("/aanbod?taalicoon=2").await;
    assert_eq!(page.select_all("td.title"), ["Wandelclub"]);
    assert_eq!(
        page.text("td .taalicoon")
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["Taalicoon", "1"]
    );
    let (_, page) = app.get_page("/aanbod?vorm=stage").await;
    assert_eq!(page.select_all("td.title"), ["Receptie"]);
    let (_, page) = app.get_page("/aanbod?dag=wo").await;
    assert_eq!(page.select_all("td.title"), ["Receptie"]);
    let (_, page) = app.get_page("/aanbod?dag=di&q=wandel").await;
    assert_eq!(page.select_all("td.title"), ["Wandelclub"]);
    let (status, _) = app.get_page("/aanbod/nieuw").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_offer_form_posted_twice_creates_one_offer() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Partner).await;
    let (_, page) = app.get_page("/partner/aanbod/nieuw").await;
    let key = page
        .attr(
            "form[action=\"/partner/aanbod/nieuw\"] input[name=idempotency_key]",
            "value",
        )
        .expect("the offer form carries an idempotency key");
    let mut form = offer_form(&app.municipality.to_string());
    form.push(("idempotency_key", key));
    let fields = refs(&form);
    let (first, second) = tokio::join!(
        app.post_form("/partner/aanbod/nieuw", &fields),
        app.post_form("/partner/aanbod/nieuw", &fields)
    );
    assert_eq!(
        (first.status(), second.status()),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    assert_eq!(location(&first), location(&second));
    let offers: i64 = sqlx::query_scalar("SELECT count(*) FROM offers")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(offers, 1);
}

#[tokio::test]
async fn the_offer_form_explains_each_mistake_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Partner).await;
    app.get_page("/partner/aanbod/nieuw").await;
    let mut form = offer_form(&app.municipality.to_string());
    form.retain(|(field, _)| !field.starts_with("dag_"));
    for (field, value) in form.iter_mut() {
        match *field {
            "places" => *value = "nul".to_string(),
            "taalicoon" => *value = "7".to_string(),
            "title" => *value = "Koken ".to_string(),
            _ => {}
        }
    }
    let response = app.post_form("/partner/aanbod/nieuw", &refs(&form)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = crate::helpers::Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        page.select_all(".error-summary li"),
        [
            "Kies minstens één dag, of vink ‘in overleg’ aan.",
            "Vul het aantal plaatsen in: een getal van 1 tot 500.",
            "Kies een taalicoon van 1 tot 4.",
        ]
    );
    assert_eq!(page.attr("#title", "value").as_deref(), Some("Koken "));
    assert_eq!(page.attr("#meets_unpaid", "checked").as_deref(), Some(""));
    assert_eq!(page.attr("#deel_nm", "checked").as_deref(), Some(""));
}

#[tokio::test]
async fn a_placement_outside_the_catalogue_needs_the_criteria_check() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let participant = app.create_participant("Ahmad Rahimi", None, None).await;
    let path = format!("/inburgeraars/{participant}/plaatsingen/nieuw");
    app.get_page(&path).await;
    let organisation = app.organisation.to_string();
    let mut fields = vec![
        ("organisation_id", organisation.as_str()),
        ("kind", "buddy"),
        ("starts_on", "2026-11-02"),
        ("ends_on", "2026-12-31"),
        ("planned", "40"),
        ("contact_name", "Marie Claes"),
        ("meets_contact", "ja"),
        ("meets_dutch_setting", "ja"),
        ("meets_new_contacts", "ja"),
    ];
    let response = app.post_form(&path, &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = crate::helpers::Page::parse(&response.text().await.expect("body"));
    assert_eq!(
        page.select_all(".error-summary li"),
        [
            "Een plaatsing buiten het aanbod telt alleen mee als de activiteit aan alle criteria voldoet. Vink ze aan als ze kloppen."
        ]
    );
    assert_eq!(page.attr("#meets_contact", "checked").as_deref(), Some(""));
    fields.push(("meets_unpaid", "ja"));
    let response = app.post_form(&path, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let met = sqlx::query_scalar!(
        "SELECT meets_contact AND meets_dutch_setting AND meets_new_contacts AND meets_unpaid
         FROM placements WHERE participant_id = $1",
        participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("placement");
    assert_eq!(met, Some(true));
}

#[tokio::test]
async fn the_participant_form_records_the_available_days() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coach).await;
    let participant = app
        .create_participant("Senait Tesfamariam", None, None)
        .await;
    let path = format!("/inburgeraars/{participant}/bewerken");
    let (status, page) = app.get_page(&path).await;
    assert_eq!(status, StatusCode::OK);
    let mut fields: Vec<(String, String)> = [
        "full_name",
        "birth_date",
        "municipality_id",
        "languages",
        "external_dossier",
        "start_date",
        "target_end_date",
    ]
    .into_iter()
    .map(|name| {
        (
            name.to_string(),
            page.attr(&format!("#{name}"), "value").unwrap_or_default(),
        )
    })
    .collect();
    fields.retain(|(name, _)| name != "municipality_id");
    fields.push(("municipality_id".into(), app.municipality.to_string()));
    fields.push(("dutch_level".into(), "A2".into()));
    fields.push(("obligation".into(), "verplicht".into()));
    fields.push(("dag_di".into(), "ja".into()));
    fields.push(("dag_za".into(), "ja".into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let response = app.post_form(&path, &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let days = sqlx::query_scalar!(
        "SELECT available_days FROM participants WHERE id = $1",
        participant.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("days");
    assert_eq!(days, 2 | 32);
    let (_, page) = app.get_page(&format!("/inburgeraars/{participant}")).await;
    assert!(page.text("main").contains("dinsdag en zaterdag"));
    let (_, page) = app.get_page(&path).await;
    assert_eq!(page.attr("#dag_di", "checked").as_deref(), Some(""));
    assert_eq!(page.attr("#dag_ma", "checked"), None);
}

#[tokio::test]
async fn in_the_demo_a_coach_finds_a_place_for_an_a1_participant() {
    let app = TestApp::spawn().await;
    veertig::demo::load(&app.pool)
        .await
        .expect("demo data loads");
    let response = app
        .login("begeleider@example.org", veertig::demo::PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let participant = sqlx::query_scalar!("SELECT id FROM participants WHERE full_name = '李明'")
        .fetch_one(&app.pool)
        .await
        .expect("the A1 participant");
    let path = format!("/inburgeraars/{participant}/zoek-een-plaats");
    let (status, page) = app.get_page(&path).await;
    assert_eq!(status, StatusCode::OK);
    let titles = page.select_all(".suggestion h2");
    assert!(titles.len() >= 5, "{titles:?}");
    assert!(!titles.contains(&"Voorlezen in de bib".to_string()));
    assert!(
        page.select_all(".too-demanding h2")
            .contains(&"Onthaal in het buurthuis".to_string())
    );
    let offer = sqlx::query_scalar!("SELECT id FROM offers WHERE title = 'Taalcafé op woensdag'")
        .fetch_one(&app.pool)
        .await
        .expect("offer");
    let response = app
        .post_form(&path, &[("offer_id", &offer.to_string())])
        .await;
    let target = location(&response);
    assert!(target.starts_with("/plaatsingen/"), "{target}");
    let (_, page) = app.get_page(&format!("/aanbod/{offer}")).await;
    assert_eq!(page.text(".places"), "5 vrij van 6 (1 ingenomen)");
}

#[tokio::test]
async fn an_organisation_with_offers_but_no_placements_can_still_be_deleted() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let offer = NewOffer::new(&app, "Nooit gebruikt").insert(&app).await;
    let path = format!("/organisaties/{}", app.organisation);
    app.get_page(&path).await;
    let response = app.post_form(&format!("{path}/verwijderen"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/organisaties");
    let left = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM offers WHERE id = $1"#,
        offer.0
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(left, 0);
}
