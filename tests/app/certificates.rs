//! Certificates: the ready list, issuing (numbers, snapshot, refusals, races), printing (HTML
//! and PDF, single and batch), the public verification page, revoking, and who may do what.

use reqwest::StatusCode;
use uuid::Uuid;
use veertig::config::Config;
use veertig::domain::certificate;
use veertig::domain::user::Role;
use veertig::values::dates;
use veertig::values::ids::{OrganisationId, ParticipantId, PlacementId, UserId};

use crate::helpers::{Page, TestApp, location};

fn year() -> i32 {
    dates::today().year()
}

fn number(sequence: i32) -> String {
    format!("TST-{}-{sequence:04}", year())
}

/// A placement of another kind, at `organisation`.
async fn placement_of_kind(
    app: &TestApp,
    participant: ParticipantId,
    organisation: OrganisationId,
    kind: &str,
) -> PlacementId {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO placements (participant_id, organisation_id, kind, status, starts_on, ends_on, planned_minutes)
         VALUES ($1, $2, $3::placement_kind, 'lopend', current_date - 30, current_date + 30, 600)
         RETURNING id",
    )
    .bind(participant.0)
    .bind(organisation.0)
    .bind(kind)
    .fetch_one(&app.pool)
    .await
    .expect("placement");
    PlacementId(id)
}

/// An active participant with `minutes` confirmed (buddy, at the test organisation).
pub(crate) async fn participant_with(
    app: &TestApp,
    name: &str,
    minutes: i32,
    coach: Option<UserId>,
) -> ParticipantId {
    let id = app.create_participant(name, coach, None).await;
    let placement = app.create_placement(id, app.organisation).await;
    if minutes > 0 {
        app.confirm_minutes(placement, minutes).await;
    }
    id
}

async fn issue(app: &TestApp, participants: &[ParticipantId]) -> reqwest::Response {
    let ids: Vec<String> = participants.iter().map(|p| p.to_string()).collect();
    let fields: Vec<(&str, &str)> = ids.iter().map(|id| ("kies", id.as_str())).collect();
    app.post_form("/certificaten/uitreiken", &fields).await
}

/// Issues one certificate and returns its id.
async fn issue_one(app: &TestApp, participant: ParticipantId) -> Uuid {
    let response = issue(app, &[participant]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    sqlx::query_scalar(
        "SELECT id FROM certificates WHERE participant_id = $1 AND status = 'geldig'",
    )
    .bind(participant.0)
    .fetch_one(&app.pool)
    .await
    .expect("a valid certificate")
}

async fn flashes(app: &TestApp, response: &reqwest::Response) -> (Vec<String>, Vec<String>) {
    let (_, page) = app.get_page(&location(response)).await;
    (
        page.select_all(".flash-success"),
        page.select_all(".flash-error"),
    )
}

async fn numbers_of(app: &TestApp, participants: &[ParticipantId]) -> Vec<String> {
    let mut numbers = Vec::new();
    for p in participants {
        let number: String = sqlx::query_scalar(
            "SELECT number FROM certificates WHERE participant_id = $1 ORDER BY issued_at DESC LIMIT 1",
        )
        .bind(p.0)
        .fetch_one(&app.pool)
        .await
        .expect("number");
        numbers.push(number);
    }
    numbers
}

async fn participant_status(app: &TestApp, id: ParticipantId) -> String {
    sqlx::query_scalar("SELECT status::text FROM participants WHERE id = $1")
        .bind(id.0)
        .fetch_one(&app.pool)
        .await
        .expect("status")
}

async fn verify_code(app: &TestApp, certificate: Uuid) -> String {
    sqlx::query_scalar("SELECT verify_code FROM certificates WHERE id = $1")
        .bind(certificate)
        .fetch_one(&app.pool)
        .await
        .expect("code")
}

async fn get_pdf(app: &TestApp, path: &str) -> Vec<u8> {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let bytes = response.bytes().await.expect("body").to_vec();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    bytes
}

/// The link (the verification URL) on each page, in page order.
fn page_links(pdf: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    doc.get_pages()
        .values()
        .map(|page| {
            let page = doc
                .get_object(*page)
                .and_then(|o| o.as_dict())
                .expect("page");
            let annots = page
                .get_deref(b"Annots", &doc)
                .and_then(|a| a.as_array())
                .expect("annotations");
            let annot = doc
                .dereference(&annots[0])
                .expect("annotation")
                .1
                .as_dict()
                .expect("dict");
            let action = annot
                .get_deref(b"A", &doc)
                .and_then(|a| a.as_dict())
                .expect("action");
            let uri = action
                .get_deref(b"URI", &doc)
                .and_then(|u| u.as_str())
                .expect("URI");
            String::from_utf8_lossy(uri).into_owned()
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The stored snapshot of a certificate.
#[derive(sqlx::FromRow)]
struct Snapshot {
    number: String,
    year: i32,
    sequence: i32,
    status: String,
    total_minutes: i32,
    required_minutes: i32,
    minutes_by_kind: serde_json::Value,
    organisations: serde_json::Value,
    issued_by: Uuid,
    issuer_name: String,
    full_name: String,
    place: String,
    issued_on: time::Date,
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_ready_list_shows_exactly_who_reached_the_requirement_without_a_certificate() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let coach = app.create_user(Role::Coach).await;
    let exactly = participant_with(&app, "Amina Exact", 2400, Some(coach.id)).await;
    let over = participant_with(&app, "Boris Ruim", 2700, None).await;
    let short = participant_with(&app, "Chen Net Niet", 2390, None).await;
    // Pending hours do not count.
    let pending_placement = app.create_placement(short, app.organisation).await;
    app.create_entry(pending_placement, 60, 3).await;
    let stopped = participant_with(&app, "Dawit Gestopt", 2400, None).await;
    sqlx::query(
        "UPDATE participants SET status = 'stopgezet', status_reason = 'verhuisd' WHERE id = $1",
    )
    .bind(stopped.0)
    .execute(&app.pool)
    .await
    .expect("stop");
    let certified = participant_with(&app, "Eva Al Klaar", 2400, None).await;
    let other = app.other_region().await;
    let elsewhere = app
        .create_participant("Farid Elders", None, Some(&other))
        .await;
    let elsewhere_placement = app.create_placement(elsewhere, other.organisation).await;
    app.confirm_minutes(elsewhere_placement, 2400).await;
    let mut conn = app.pool.acquire().await.expect("conn");
    certificate::issue(
        &mut conn,
        coordinator.id,
        app.region,
        certified,
        dates::today(),
    )
    .await
    .expect("issued");

    let (status, page) = app.get_page("/certificaten").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Certificaten");
    assert_eq!(
        page.select_all("table.ready-list tbody td:nth-child(2)"),
        vec!["Amina Exact".to_string(), "Boris Ruim".to_string()]
    );
    assert_eq!(
        page.attr("input[name=kies]", "value"),
        Some(exactly.to_string())
    );
    let _ = over;

    // Filters: coach and municipality.
    let (_, page) = app
        .get_page(&format!("/certificaten?begeleider={}", coach.id))
        .await;
    assert_eq!(
        page.select_all("table.ready-list tbody td:nth-child(2)"),
        vec!["Amina Exact".to_string()]
    );
    let second: Uuid = sqlx::query_scalar(
        "INSERT INTO municipalities (region_id, name) VALUES ($1, 'Tweede gemeente') RETURNING id",
    )
    .bind(app.region.0)
    .fetch_one(&app.pool)
    .await
    .expect("municipality");
    sqlx::query("UPDATE participants SET municipality_id = $1 WHERE id = $2")
        .bind(second)
        .bind(over.0)
        .execute(&app.pool)
        .await
        .expect("move");
    let (_, page) = app
        .get_page(&format!("/certificaten?gemeente={second}"))
        .await;
    assert_eq!(
        page.select_all("table.ready-list tbody td:nth-child(2)"),
        vec!["Boris Ruim".to_string()]
    );
    assert_eq!(
        page.attr("#gemeente option[selected]", "value"),
        Some(second.to_string())
    );
    let (_, page) = app
        .get_page(&format!("/certificaten?gemeente={}", app.municipality))
        .await;
    assert_eq!(
        page.select_all("table.ready-list tbody td:nth-child(2)"),
        vec!["Amina Exact".to_string()]
    );

    // The issued list shows the certificate.
    assert_eq!(
        page.select_all("#uitgereikt tbody td:nth-child(3)"),
        vec!["Eva Al Klaar".to_string()]
    );
}

#[tokio::test]
async fn issuing_numbers_per_region_and_year_and_keeps_a_snapshot() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let first = participant_with(&app, "Öztürk Ayşe", 1800, None).await;
    let second_org: Uuid = sqlx::query_scalar(
        "INSERT INTO organisations (region_id, name, kind, search_name)
         VALUES ($1, 'Woonzorgcentrum Ter Linde', 'woonzorgcentrum', 'woonzorgcentrum ter linde') RETURNING id",
    )
    .bind(app.region.0)
    .fetch_one(&app.pool)
    .await
    .expect("organisation");
    let language = placement_of_kind(&app, first, OrganisationId(second_org), "taalstage").await;
    app.confirm_minutes(language, 630).await;
    let second = participant_with(&app, "Jan Peeters", 2400, None).await;

    let response = issue(&app, &[first]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let target = location(&response);
    assert!(target.starts_with("/certificaten?reeks="), "{target}");
    let (_, page) = app.get_page(&target).await;
    assert_eq!(
        page.text(".flash-success"),
        format!("Certificaat {} uitgereikt aan Öztürk Ayşe.", number(1))
    );
    assert_eq!(page.select_all("#reeks li a"), vec![number(1)]);
    assert!(
        page.attr("#reeks a.button", "href")
            .is_some_and(|h| h.starts_with("/certificaten/pdf?ids="))
    );

    let row: Snapshot = sqlx::query_as(
        "SELECT number, year, sequence, status::text AS status, total_minutes, required_minutes,
                minutes_by_kind, organisations, issued_by, issuer_name, full_name,
                region_name || ' / ' || municipality_name AS place, issued_on
         FROM certificates WHERE participant_id = $1",
    )
    .bind(first.0)
    .fetch_one(&app.pool)
    .await
    .expect("certificate");
    assert_eq!(row.number, number(1));
    assert_eq!((row.year, row.sequence), (year(), 1));
    assert_eq!(row.status, "geldig");
    assert_eq!((row.total_minutes, row.required_minutes), (2430, 2400));
    assert_eq!(
        row.minutes_by_kind,
        serde_json::json!([{"kind": "buddy", "minutes": 1800}, {"kind": "taalstage", "minutes": 630}])
    );
    assert_eq!(
        row.organisations,
        serde_json::json!(["Testvereniging", "Woonzorgcentrum Ter Linde"])
    );
    assert_eq!(row.issued_by, coordinator.id.0);
    assert!(row.issuer_name.starts_with("Test Coordinator"));
    assert_eq!(row.full_name, "Öztürk Ayşe");
    assert_eq!(row.place, "Testregio / Testgemeente");
    assert_eq!(row.issued_on, dates::today());
    assert_eq!(participant_status(&app, first).await, "afgerond");
    let audited: Vec<(String, String)> = sqlx::query_as(
        "SELECT entity, action FROM audit_log WHERE participant_id = $1 AND actor_id = $2 ORDER BY id",
    )
    .bind(first.0)
    .bind(coordinator.id.0)
    .fetch_all(&app.pool)
    .await
    .expect("audit");
    assert_eq!(
        audited,
        vec![
            ("certificate".to_string(), "uitgereikt".to_string()),
            ("participant".to_string(), "afgerond".to_string())
        ]
    );

    // The snapshot does not follow later changes.
    sqlx::query("UPDATE participants SET full_name = 'Anders Genoemd' WHERE id = $1")
        .bind(first.0)
        .execute(&app.pool)
        .await
        .expect("rename");
    let id: Uuid = sqlx::query_scalar("SELECT id FROM certificates WHERE participant_id = $1")
        .bind(first.0)
        .fetch_one(&app.pool)
        .await
        .expect("id");
    let (status, page) = app.get_page(&format!("/certificaten/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page.text("h1"), format!("Certificaat {}", number(1)));
    let details = page.text("dl.details");
    assert!(details.contains("Öztürk Ayşe"), "{details}");
    assert!(details.contains("40 u 30"), "{details}");
    assert!(details.contains("Taalstage: 10 u 30"), "{details}");
    assert!(details.contains("Woonzorgcentrum Ter Linde"), "{details}");

    // The participant page shows the certificate, and its history the issue.
    let (_, page) = app.get_page(&format!("/inburgeraars/{first}")).await;
    assert_eq!(
        page.attr(".certificate-line a", "href"),
        Some(format!("/certificaten/{id}"))
    );
    assert!(page.text(".certificate-line").contains(&number(1)));
    assert!(page.text(".history").contains("Certificaat uitgereikt"));

    issue(&app, &[second]).await;
    assert_eq!(numbers_of(&app, &[second]).await, vec![number(2)]);
}

#[tokio::test]
async fn a_selection_is_numbered_and_printed_in_the_order_chosen() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let a = participant_with(&app, "Anna Eerst", 2400, None).await;
    let b = participant_with(&app, "Bram Tweede", 2400, None).await;
    let c = participant_with(&app, "Cas Derde", 2400, None).await;
    let (sa, sb, sc) = (a.to_string(), b.to_string(), c.to_string());
    let (oa, oc) = (format!("volgorde-{a}"), format!("volgorde-{c}"));
    // C first, then A (numbered), then B (ticked without a number).
    let response = app
        .post_form(
            "/certificaten/uitreiken",
            &[
                ("kies", &sa),
                ("kies", &sb),
                ("kies", &sc),
                (&oc, "1"),
                (&oa, "2"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (successes, errors) = flashes(&app, &response).await;
    assert_eq!(
        successes,
        vec![format!(
            "3 certificaten uitgereikt: {} tot {}.",
            number(1),
            number(3)
        )]
    );
    assert!(errors.is_empty());
    assert_eq!(
        numbers_of(&app, &[c, a, b]).await,
        vec![number(1), number(2), number(3)]
    );
    for p in [a, b, c] {
        assert_eq!(participant_status(&app, p).await, "afgerond");
    }

    // The batch link of the issued series lists them in that order.
    let (_, page) = app.get_page(&location(&response)).await;
    let href = page
        .attr("#reeks a.button", "href")
        .expect("batch PDF link");
    let pdf = get_pdf(&app, &href).await;
    let ids: Vec<Uuid> = {
        let mut ids = Vec::new();
        for p in [c, a, b] {
            ids.push(
                sqlx::query_scalar("SELECT id FROM certificates WHERE participant_id = $1")
                    .bind(p.0)
                    .fetch_one(&app.pool)
                    .await
                    .expect("id"),
            );
        }
        ids
    };
    let mut codes = Vec::new();
    for id in &ids {
        codes.push(verify_code(&app, *id).await);
    }
    let links = page_links(&pdf);
    assert_eq!(links.len(), 3, "one page per certificate");
    for (link, code) in links.iter().zip(&codes) {
        assert!(
            link.ends_with(&format!("/controle/{code}")),
            "{link} vs {code}"
        );
    }

    // A batch chosen on the issued list, in another order: B, C, A.
    let (ia, ib, ic) = (ids[1].to_string(), ids[2].to_string(), ids[0].to_string());
    let query = serde_urlencoded::to_string([
        ("id", ia.as_str()),
        ("id", ib.as_str()),
        ("id", ic.as_str()),
        (&format!("volgorde-{ib}"), "1"),
        (&format!("volgorde-{ic}"), "2"),
        (&format!("volgorde-{ia}"), "3"),
    ])
    .expect("query");
    let pdf = get_pdf(&app, &format!("/certificaten/pdf?{query}")).await;
    let links = page_links(&pdf);
    let expected = [&codes[2], &codes[0], &codes[1]];
    assert_eq!(links.len(), 3);
    for (link, code) in links.iter().zip(expected) {
        assert!(link.ends_with(code.as_str()), "{link} vs {code}");
    }

    // The same selection as an HTML print view: one A4 sheet each, in that order.
    let (status, page) = app.get_page(&format!("/certificaten/afdruk?{query}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.select_all(".sheet .sheet-name"),
        vec![
            "Bram Tweede".to_string(),
            "Cas Derde".to_string(),
            "Anna Eerst".to_string()
        ]
    );

    // Nothing ticked: said so, no error page.
    let response = app.get("/certificaten/pdf").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page(&location(&response)).await;
    assert!(page.text(".flash-error").contains("Vink eerst"));
}

#[tokio::test]
async fn issuing_below_the_requirement_or_twice_is_refused_with_a_message() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let short = participant_with(&app, "Chen Net Niet", 2399, None).await;
    let ready = participant_with(&app, "Dina Klaar", 2400, None).await;

    let response = issue(&app, &[short]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/certificaten");
    let (successes, errors) = flashes(&app, &response).await;
    assert!(successes.is_empty());
    assert_eq!(
        errors,
        vec!["Chen Net Niet heeft pas 39 u 59 bevestigde uren van de 40 u die nodig zijn: nog geen certificaat.".to_string()]
    );
    assert_eq!(participant_status(&app, short).await, "actief");

    // A refusal and an issue in one batch: the number is not used up by the refusal.
    let response = issue(&app, &[short, ready]).await;
    let (successes, errors) = flashes(&app, &response).await;
    assert_eq!(
        successes,
        vec![format!(
            "Certificaat {} uitgereikt aan Dina Klaar.",
            number(1)
        )]
    );
    assert_eq!(errors.len(), 1);

    // A second valid certificate, from the list or straight to the domain.
    let response = issue(&app, &[ready]).await;
    let (_, errors) = flashes(&app, &response).await;
    assert_eq!(
        errors,
        vec![format!(
            "Dina Klaar heeft al een geldig certificaat ({}). Trek dat eerst in om een nieuw uit te reiken.",
            number(1)
        )]
    );
    sqlx::query("UPDATE participants SET status = 'actief' WHERE id = $1")
        .bind(ready.0)
        .execute(&app.pool)
        .await
        .expect("tamper");
    let mut conn = app.pool.acquire().await.expect("conn");
    let refused =
        certificate::issue(&mut conn, coordinator.id, app.region, ready, dates::today()).await;
    assert!(matches!(
        refused,
        Err(certificate::IssueError::AlreadyCertified { .. })
    ));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM certificates")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(count, 1);
    let last: i32 = sqlx::query_scalar("SELECT last_number FROM certificate_counters")
        .fetch_one(&app.pool)
        .await
        .expect("counter");
    assert_eq!(last, 1, "refusals take no number");

    // Nothing ticked.
    let response = app.post_form("/certificaten/uitreiken", &[]).await;
    let (_, errors) = flashes(&app, &response).await;
    assert!(
        errors[0].contains("vink minstens één inburgeraar aan"),
        "{errors:?}"
    );
}

#[tokio::test]
async fn two_coordinators_issuing_at_once_get_distinct_consecutive_numbers() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let other = TestApp::spawn_on(&app).await;
    other.login_as(Role::Coordinator).await;
    let mut mine = Vec::new();
    let mut theirs = Vec::new();
    for i in 0..5 {
        mine.push(participant_with(&app, &format!("Mijn {i}"), 2400, None).await);
        theirs.push(participant_with(&app, &format!("Hun {i}"), 2400, None).await);
    }
    let (a, b) = tokio::join!(issue(&app, &mine), issue(&other, &theirs));
    assert_eq!(a.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.status(), StatusCode::SEE_OTHER);
    let sequences = |numbers: Vec<String>| -> Vec<i32> {
        numbers
            .iter()
            .map(|n| {
                n.rsplit('-')
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("sequence")
            })
            .collect()
    };
    let mine_seq = sequences(numbers_of(&app, &mine).await);
    let theirs_seq = sequences(numbers_of(&app, &theirs).await);
    // Each batch is one transaction: a block of consecutive numbers in the order given.
    for seq in [&mine_seq, &theirs_seq] {
        assert!(seq.windows(2).all(|w| w[1] == w[0] + 1), "{seq:?}");
    }
    let mut all: Vec<i32> = mine_seq.into_iter().chain(theirs_seq).collect();
    all.sort();
    assert_eq!(all, (1..=10).collect::<Vec<_>>(), "unique and without gaps");
}

#[tokio::test]
async fn an_issue_that_rolls_back_gives_its_number_back() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let first = participant_with(&app, "Eerste Poging", 2400, None).await;
    let second = participant_with(&app, "Tweede Persoon", 2400, None).await;

    let mut tx = app.pool.begin().await.expect("tx");
    let issued = certificate::issue(&mut tx, coordinator.id, app.region, first, dates::today())
        .await
        .expect("issued");
    assert_eq!(issued.number, number(1));
    let first_backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *tx)
        .await
        .expect("backend pid");
    // A second issuer waits for the counter row while the first transaction is open…
    let pool = app.pool.clone();
    let actor = coordinator.id;
    let region = app.region;
    let waiting = tokio::spawn(async move {
        let mut tx = pool.begin().await.expect("tx");
        let issued = certificate::issue(&mut tx, actor, region, second, dates::today())
            .await
            .expect("issued");
        tx.commit().await.expect("commit");
        issued.number
    });
    app.wait_until_blocked_by(first_backend).await;
    assert!(
        !waiting.is_finished(),
        "the second issuer waits for the first"
    );
    // …and gets number 1 when the first rolls back: no gap.
    tx.rollback().await.expect("rollback");
    assert_eq!(waiting.await.expect("task"), number(1));
    assert_eq!(participant_status(&app, first).await, "actief");
    let response = issue(&app, &[first]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(numbers_of(&app, &[first]).await, vec![number(2)]);
}

#[tokio::test]
async fn the_pdf_embeds_fonts_for_names_in_every_script() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    for (name, font) in [
        ("مُحَمَّد الحداد", "NotoSansArabic"),
        ("Олена Шевченко", "NotoSans-Bold"),
        ("ተስፋይ ገብረመድህን", "NotoSansEthiopic"),
        ("Öztürk Ayşe-Çelik", "NotoSans-Bold"),
    ] {
        let participant = participant_with(&app, name, 2400, None).await;
        let id = issue_one(&app, participant).await;
        let pdf = get_pdf(&app, &format!("/certificaten/{id}/pdf")).await;
        assert!(contains(&pdf, font), "{name}: {font} embedded");
        assert!(
            contains(&pdf, "/FontFile2"),
            "{name}: font program embedded"
        );
        assert!(contains(&pdf, "NotoSans-Regular"), "{name}: body text font");
        assert!(
            contains(&pdf, "pdfaid:part"),
            "{name}: PDF/A for the archive"
        );
        let doc = lopdf::Document::load_mem(&pdf).expect("the PDF parses");
        assert_eq!(doc.get_pages().len(), 1, "{name}");
        let links = page_links(&pdf);
        let code = verify_code(&app, id).await;
        assert!(
            links[0].ends_with(&format!("/controle/{code}")),
            "{links:?}"
        );
    }
    // Arabic is not drawn in the Latin font.
    let arabic: Uuid =
        sqlx::query_scalar("SELECT id FROM certificates WHERE full_name = 'مُحَمَّد الحداد'")
            .fetch_one(&app.pool)
            .await
            .expect("id");
    let pdf = get_pdf(&app, &format!("/certificaten/{arabic}/pdf")).await;
    assert!(contains(&pdf, "NotoSansArabic-Bold"));
    let latin: Uuid =
        sqlx::query_scalar("SELECT id FROM certificates WHERE full_name = 'Öztürk Ayşe-Çelik'")
            .fetch_one(&app.pool)
            .await
            .expect("id");
    let pdf = get_pdf(&app, &format!("/certificaten/{latin}/pdf")).await;
    assert!(
        !contains(&pdf, "NotoSansArabic"),
        "no Arabic font without Arabic text"
    );
}

#[tokio::test]
async fn the_print_view_is_an_a4_sheet_with_qr_code_and_short_code() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let participant = participant_with(&app, "ተስፋይ ገብረ", 2400, None).await;
    let id = issue_one(&app, participant).await;
    let code = verify_code(&app, id).await;
    let (status, page) = app.get_page(&format!("/certificaten/{id}/afdruk")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        page.attr("link[rel=stylesheet]", "href")
            .map(|h| h.starts_with("/static/certificate.css")),
        Some(true)
    );
    assert_eq!(page.select_all(".sheet").len(), 1);
    assert_eq!(page.text(".sheet-name"), "ተስፋይ ገብረ");
    assert_eq!(page.attr(".sheet-name", "dir").as_deref(), Some("auto"));
    assert_eq!(page.text(".sheet-total"), "40 u");
    assert_eq!(page.text(".sheet-region"), "Testregio");
    assert_eq!(
        page.text(".sheet-code"),
        veertig::domain::certificate::group_code(&code)
    );
    assert!(
        page.text(".sheet-signer").starts_with("Test Coordinator"),
        "{}",
        coordinator.email
    );
    assert!(
        page.attr("svg.sheet-qr path", "d")
            .is_some_and(|d| d.starts_with("M4 4h7"))
    );
    assert!(page.text(".sheet-kinds").contains("Buddywerking"));
    assert_eq!(page.text(".sheet-organisations"), "Testvereniging");
    // No navigation on the paper, and no inline style anywhere (CSP).
    assert!(page.select_all(".main-nav").is_empty());
    assert!(page.select_all("[style]").is_empty());
    assert!(
        app.get("/static/certificate.css")
            .await
            .status()
            .is_success()
    );
}

/// Issue 22 item 7: what is printed and shown leads to the Dutch `/controle/…`; the English
/// `/verify/…` on certificates printed before answers with the same page.
#[tokio::test]
async fn certificates_lead_to_the_dutch_verification_path_and_the_old_one_still_answers() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let participant = participant_with(&app, "Olena Kovalenko", 2400, None).await;
    let id = issue_one(&app, participant).await;
    let code = verify_code(&app, id).await;

    let (_, page) = app.get_page(&format!("/certificaten/{id}")).await;
    let link = page
        .attr("a[href*='/controle/']", "href")
        .expect("a link to the verification page");
    assert!(link.ends_with(&format!("/controle/{code}")), "{link}");
    let (_, print) = app.get_page(&format!("/certificaten/{id}/afdruk")).await;
    assert!(
        print.text(".sheet").contains("/controle"),
        "the printed address"
    );
    assert!(!print.text(".sheet").contains("/verify"));
    let links = page_links(&get_pdf(&app, &format!("/certificaten/{id}/pdf")).await);
    assert!(
        links[0].ends_with(&format!("/controle/{code}")),
        "{links:?}"
    );

    let visitor = TestApp::spawn_on(&app).await;
    let (status, form) = visitor.get_page("/controle").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(form.attr("form", "action").as_deref(), Some("/controle"));
    for path in [format!("/controle/{code}"), format!("/verify/{code}")] {
        let (status, page) = visitor.get_page(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(page.text(".verify-status").starts_with("Geldig"), "{path}");
        assert_eq!(page.text(".verify-name"), "Olena Kovalenko", "{path}");
    }
    // A code typed on the old form lands on the new page.
    let response = visitor.get(&format!("/verify?code={code}")).await;
    assert_eq!(location(&response), format!("/controle/{code}"));
}

#[tokio::test]
async fn the_verify_page_shows_valid_then_revoked_and_nothing_more() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let participant = participant_with(&app, "مريم أحمد", 2400, None).await;
    let id = issue_one(&app, participant).await;
    let code = verify_code(&app, id).await;
    let visitor = TestApp::spawn_on(&app).await;

    let response = visitor.get(&format!("/verify/{code}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("x-robots-tag")
            .and_then(|v| v.to_str().ok()),
        Some("noindex, nofollow")
    );
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no session for visitors"
    );
    let page = Page::parse(&response.text().await.expect("body"));
    assert!(page.text(".verify-status").starts_with("Geldig"));
    assert_eq!(page.text(".verify-number"), number(1));
    assert_eq!(page.text(".verify-name"), "مريم أحمد");
    assert_eq!(
        page.text(".verify-date"),
        dates::format_date(dates::today())
    );
    assert_eq!(page.text(".verify-hours"), "40 u");
    // Who issued it, as printed on the certificate: whom to ask.
    let (region, municipality): (String, String) =
        sqlx::query_as("SELECT region_name, municipality_name FROM certificates WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("issuer");
    assert_eq!(
        page.text(".verify-issuer"),
        format!("{region}, gemeente {municipality}")
    );
    assert_eq!(
        page.select_all("dl.details dt").len(),
        5,
        "number, name, date, hours, issuer"
    );
    let all = page.text("main");
    assert!(!all.contains("17/05/1990"), "no birth date");
    assert!(!all.contains("Testvereniging"), "no organisations");

    // The grouped code as printed, in lower case, works too.
    let grouped = veertig::domain::certificate::group_code(&code).to_lowercase();
    assert_eq!(
        visitor.get(&format!("/verify/{grouped}")).await.status(),
        StatusCode::OK
    );
    let response = visitor.get(&format!("/verify?code={grouped}")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/controle/{code}"));
    let (status, page) = visitor.get_page("/verify?code=12345").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text("#code-error").contains("Deze code klopt niet"));

    let response = app
        .post_form(
            &format!("/certificaten/{id}/intrekken"),
            &[("reden", "Uren dubbel geteld")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, page) = visitor.get_page(&format!("/verify/{code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.text(".verify-status").starts_with("Ingetrokken"));
    assert_eq!(page.text(".verify-number"), number(1));
    assert!(
        !page.text("main").contains("dubbel geteld"),
        "the reason stays internal"
    );

    // Unknown and malformed codes.
    let (status, page) = visitor.get_page("/verify/ABCDEFGHJKMNPQR").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.text(".verify-status").starts_with("Niet gevonden"));
    let (status, _) = visitor.get_page("/verify/kort").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_verify_page_is_rate_limited_per_address() {
    let app = TestApp::spawn().await;
    let mut statuses = Vec::new();
    // 61 requests cross at most one minute boundary, so one window sees more than 30.
    for _ in 0..61 {
        statuses.push(app.get("/verify/ABCDEFGHJKMNPQR").await.status());
    }
    assert!(
        statuses[..30].iter().all(|s| *s == StatusCode::NOT_FOUND),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let response = app.get("/verify/ABCDEFGHJKMNPQR").await;
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("60")
        );
        let page = Page::parse(&response.text().await.expect("body"));
        assert_eq!(page.text("h1"), "Even geduld");
    }
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM verify_requests WHERE client_addr = '127.0.0.1'")
            .fetch_one(&app.pool)
            .await
            .expect("rows");
    assert!((1..=2).contains(&rows));
}

#[tokio::test]
async fn revoking_needs_a_reason_keeps_the_number_and_a_new_certificate_gets_a_new_one() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let participant = participant_with(&app, "Yusuf Kaya", 2400, None).await;
    let id = issue_one(&app, participant).await;
    let (_, page) = app.get_page(&format!("/certificaten/{id}")).await;
    assert_eq!(
        page.attr("form[action$=intrekken]", "method").as_deref(),
        Some("post")
    );

    let too_long = "x".repeat(501);
    for (typed, message) in [
        ("   ", "Schrijf waarom"),
        (too_long.as_str(), "korter dan 500"),
    ] {
        let response = app
            .post_form(
                &format!("/certificaten/{id}/intrekken"),
                &[("reden", typed)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = Page::parse(&response.text().await.expect("body"));
        assert!(page.text("#reden-error").contains(message));
        assert!(page.text(".error-summary").contains(message));
        assert_eq!(page.text("#reden"), typed.trim());
        assert_eq!(page.attr("#reden", "aria-invalid").as_deref(), Some("true"));
    }
    assert_eq!(participant_status(&app, participant).await, "afgerond");

    let response = app
        .post_form(
            &format!("/certificaten/{id}/intrekken"),
            &[("reden", "Uren onterecht bevestigd")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/certificaten/{id}"));
    let (_, page) = app.get_page(&location(&response)).await;
    assert!(page.text(".flash-success").contains("is ingetrokken"));
    assert_eq!(page.text(".badge"), "ingetrokken");
    assert!(page.text("dl.details").contains("Uren onterecht bevestigd"));
    assert!(page.select_all("form[action$=intrekken]").is_empty());
    let row: (String, String, Option<String>, Option<Uuid>) = sqlx::query_as(
        "SELECT number, status::text, revoke_reason, revoked_by FROM certificates WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("row");
    assert_eq!(
        row,
        (
            number(1),
            "ingetrokken".into(),
            Some("Uren onterecht bevestigd".into()),
            Some(coordinator.id.0)
        )
    );
    assert_eq!(participant_status(&app, participant).await, "actief");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE participant_id = $1 AND actor_id = $2
           AND ((entity = 'certificate' AND action = 'ingetrokken') OR (entity = 'participant' AND action LIKE 'heropend%'))",
    )
    .bind(participant.0)
    .bind(coordinator.id.0)
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 2);

    // Revoking twice is refused; the PDF of a revoked certificate says so.
    let response = app
        .post_form(
            &format!("/certificaten/{id}/intrekken"),
            &[("reden", "Nog eens")],
        )
        .await;
    let (_, errors) = flashes(&app, &response).await;
    assert_eq!(
        errors,
        vec!["Dit certificaat was al ingetrokken.".to_string()]
    );
    let (_, page) = app.get_page(&format!("/certificaten/{id}/afdruk")).await;
    assert_eq!(
        page.text(".sheet-revoked-note"),
        "Ingetrokken — niet geldig"
    );

    // Back on the ready list; a new certificate gets a new number, the old one stays.
    let (_, page) = app.get_page("/certificaten").await;
    assert_eq!(
        page.select_all("table.ready-list tbody td:nth-child(2)"),
        vec!["Yusuf Kaya".to_string()]
    );
    let new_id = issue_one(&app, participant).await;
    assert_ne!(new_id, id);
    assert_eq!(numbers_of(&app, &[participant]).await, vec![number(2)]);
    let all: Vec<(String, String)> = sqlx::query_as(
        "SELECT number, status::text FROM certificates WHERE participant_id = $1 ORDER BY sequence",
    )
    .bind(participant.0)
    .fetch_all(&app.pool)
    .await
    .expect("all");
    assert_eq!(
        all,
        vec![
            (number(1), "ingetrokken".into()),
            (number(2), "geldig".into())
        ]
    );
}

#[tokio::test]
async fn only_coordinators_of_the_region_reach_certificates() {
    let app = TestApp::spawn().await;
    let coordinator = app.login_as(Role::Coordinator).await;
    let participant = participant_with(&app, "Hier Klaar", 2400, None).await;
    let here = issue_one(&app, participant).await;
    let ready = participant_with(&app, "Nog Klaar", 2400, None).await;

    let other = app.other_region().await;
    let far = app.create_participant("Ver Weg", None, Some(&other)).await;
    let placement = app.create_placement(far, other.organisation).await;
    app.confirm_minutes(placement, 2400).await;
    let mut conn = app.pool.acquire().await.expect("conn");
    let elsewhere =
        certificate::issue(&mut conn, coordinator.id, other.region, far, dates::today())
            .await
            .expect("issued elsewhere");
    assert!(elsewhere.number.starts_with("ANDR-"), "numbers per region");
    drop(conn);

    for path in [
        format!("/certificaten/{}", elsewhere.id),
        format!("/certificaten/{}/pdf", elsewhere.id),
        format!("/certificaten/{}/afdruk", elsewhere.id),
        format!("/certificaten/pdf?ids={}", elsewhere.id),
        format!("/certificaten/pdf?ids={here},{}", elsewhere.id),
        "/certificaten/not-a-uuid".to_string(),
        "/certificaten/not-a-uuid/pdf".to_string(),
        "/certificaten/pdf?ids=nope".to_string(),
    ] {
        let (status, page) = app.get_page(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.text("h1"), "Pagina niet gevonden", "{path}");
    }
    let response = app
        .post_form(
            &format!("/certificaten/{}/intrekken", elsewhere.id),
            &[("reden", "weg ermee")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = issue(&app, &[ready, far]).await;
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "a participant of another region"
    );
    assert_eq!(
        participant_status(&app, ready).await,
        "actief",
        "nothing issued"
    );

    for role in [Role::Coach, Role::Partner] {
        let someone = TestApp::spawn_on(&app).await;
        someone.login_as(role).await;
        for path in [
            "/certificaten".to_string(),
            format!("/certificaten/{here}"),
            format!("/certificaten/{here}/pdf"),
            format!("/certificaten/{here}/afdruk"),
            format!("/certificaten/pdf?ids={here}"),
        ] {
            assert_eq!(
                someone.get(&path).await.status(),
                StatusCode::FORBIDDEN,
                "{role:?} {path}"
            );
        }
        let ready_id = ready.to_string();
        let response = someone
            .post_form("/certificaten/uitreiken", &[("kies", &ready_id)])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role:?}");
        let response = someone
            .post_form(
                &format!("/certificaten/{here}/intrekken"),
                &[("reden", "nee")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role:?}");
    }
    let anonymous = TestApp::spawn_on(&app).await;
    let response = anonymous.get("/certificaten").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
}

#[tokio::test]
async fn without_fonts_the_pdf_gives_a_dutch_page_not_a_crash() {
    let config = Config {
        font_dir: std::path::PathBuf::from("/nonexistent/fonts"),
        ..Config::for_tests()
    };
    let app = TestApp::spawn_with(config).await;
    app.login_as(Role::Coordinator).await;
    let participant = participant_with(&app, "Zonder Letters", 2400, None).await;
    let id = issue_one(&app, participant).await;
    let (status, page) = app.get_page(&format!("/certificaten/{id}/pdf")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.text("h1"), "PDF tijdelijk niet beschikbaar");
    // The HTML print view still works.
    let (status, _) = app.get_page(&format!("/certificaten/{id}/afdruk")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_issued_list_pages_most_recent_first() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let mut participants = Vec::new();
    for i in 0..51 {
        participants.push(participant_with(&app, &format!("Deelnemer {i:02}"), 2400, None).await);
    }
    let response = issue(&app, &participants).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_page("/certificaten").await;
    let numbers = page.select_all("#uitgereikt tbody td:nth-child(2)");
    assert_eq!(numbers.len(), 50);
    assert_eq!(numbers[0], number(51));
    assert_eq!(numbers[49], number(2));
    let next = page
        .attr("#uitgereikt a[rel=next]", "href")
        .expect("a next page");
    let (_, page) = app.get_page(&next).await;
    assert_eq!(
        page.select_all("#uitgereikt tbody td:nth-child(2)"),
        vec![number(1)]
    );
    assert!(page.attr("#uitgereikt a[rel=prev]", "href").is_some());
}
