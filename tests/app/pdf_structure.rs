//! The PDFs a screen reader can read (tagged PDF/UA-1 beside PDF/A-2u): the structure tree is
//! read back from the file — its elements in reading order, the text each holds (from the
//! marked content on the page), languages, direction and the QR code's description.

use std::collections::HashMap;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use reqwest::StatusCode;
use uuid::Uuid;
use veertig::domain::user::Role;
use veertig::values::ids::{ParticipantId, UserId};

use crate::helpers::TestApp;

/// A piece of text on a page as a screen reader gets it.
#[derive(Debug, Clone)]
struct Text {
    text: String,
    lang: Option<String>,
}

/// A structure element and what it holds, in reading order.
#[derive(Debug)]
pub(crate) struct Element {
    role: String,
    pub alt: Option<String>,
    writing_mode: Option<String>,
    kids: Vec<Kid>,
}

#[derive(Debug)]
enum Kid {
    Element(Element),
    Text(Text),
    Annotation,
}

impl Element {
    /// The text below this element, in reading order.
    fn texts(&self) -> Vec<&Text> {
        self.kids
            .iter()
            .flat_map(|kid| match kid {
                Kid::Element(element) => element.texts(),
                Kid::Text(text) => vec![text],
                Kid::Annotation => Vec::new(),
            })
            .collect()
    }

    fn text(&self) -> String {
        let texts: Vec<&str> = self.texts().iter().map(|t| t.text.as_str()).collect();
        texts.join(" ")
    }

    /// Every element of `role` below this one (itself included), in reading order.
    pub fn all(&self, role: &str) -> Vec<&Element> {
        let mut found = Vec::new();
        if self.role == role {
            found.push(self);
        }
        for kid in &self.kids {
            if let Kid::Element(element) = kid {
                found.extend(element.all(role));
            }
        }
        found
    }

    fn has_annotation(&self) -> bool {
        self.kids.iter().any(|kid| matches!(kid, Kid::Annotation))
    }
}

/// A PDF text string: UTF-16 with a byte order mark, else (for our ASCII) bytes as they are.
fn text_string(object: &Object) -> Option<String> {
    let bytes = object.as_str().ok()?;
    Some(match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair.get(1).copied().unwrap_or(0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    })
}

fn name(object: &Object) -> Option<String> {
    object
        .as_name()
        .ok()
        .map(|n| String::from_utf8_lossy(n).into_owned())
}

/// The marked content of every page: (page, MCID) → its text and language.
fn marked_content(doc: &Document) -> HashMap<(ObjectId, i64), Text> {
    let mut found = HashMap::new();
    for page in doc.get_pages().values() {
        let content = Content::decode(&doc.get_page_content(*page)).expect("content stream");
        for operation in content.operations {
            if operation.operator != "BDC" {
                continue;
            }
            let Some(Ok(properties)) = operation.operands.get(1).map(|o| o.as_dict()) else {
                continue;
            };
            let Ok(mcid) = properties.get(b"MCID").and_then(|m| m.as_i64()) else {
                continue;
            };
            let text = properties
                .get(b"ActualText")
                .ok()
                .and_then(text_string)
                .unwrap_or_default();
            let lang = properties.get(b"Lang").ok().and_then(text_string);
            found.insert((*page, mcid), Text { text, lang });
        }
    }
    found
}

fn element(
    doc: &Document,
    dict: &Dictionary,
    page: Option<ObjectId>,
    content: &HashMap<(ObjectId, i64), Text>,
) -> Element {
    let page = dict.get(b"Pg").and_then(|p| p.as_reference()).ok().or(page);
    let attributes = dict.get_deref(b"A", doc).ok();
    let writing_mode = attributes
        .and_then(|a| match a {
            Object::Dictionary(d) => Some(vec![d]),
            Object::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|i| doc.dereference(i).ok()?.1.as_dict().ok())
                    .collect(),
            ),
            _ => None,
        })
        .and_then(|dicts| dicts.iter().find_map(|d| d.get(b"WritingMode").ok()))
        .and_then(name);
    let mut kids = Vec::new();
    let children = match dict.get(b"K") {
        Ok(Object::Array(items)) => items.clone(),
        Ok(other) => vec![other.clone()],
        Err(_) => Vec::new(),
    };
    for child in children {
        match doc.dereference(&child).map(|(_, o)| o) {
            Ok(Object::Integer(mcid)) => {
                if let Some(text) = page.and_then(|p| content.get(&(p, *mcid))) {
                    kids.push(Kid::Text(text.clone()));
                }
            }
            Ok(Object::Dictionary(kid)) => match kid.get(b"Type").ok().and_then(name).as_deref() {
                Some("OBJR") => kids.push(Kid::Annotation),
                Some("MCR") => {
                    let kid_page = kid.get(b"Pg").and_then(|p| p.as_reference()).ok();
                    let mcid = kid.get(b"MCID").and_then(|m| m.as_i64()).ok();
                    if let (Some(p), Some(mcid)) = (kid_page.or(page), mcid)
                        && let Some(text) = content.get(&(p, mcid))
                    {
                        kids.push(Kid::Text(text.clone()));
                    }
                }
                _ => kids.push(Kid::Element(element(doc, kid, page, content))),
            },
            _ => {}
        }
    }
    Element {
        role: dict.get(b"S").ok().and_then(name).unwrap_or_default(),
        alt: dict.get(b"Alt").ok().and_then(text_string),
        writing_mode,
        kids,
    }
}

/// The document's language and its structure tree.
pub(crate) fn structure(pdf: &[u8]) -> (String, Element) {
    let doc = Document::load_mem(pdf).expect("the PDF parses");
    let catalog = doc.catalog().expect("catalog");
    let lang = catalog
        .get(b"Lang")
        .ok()
        .and_then(text_string)
        .unwrap_or_default();
    let marked = catalog
        .get_deref(b"MarkInfo", &doc)
        .and_then(|m| m.as_dict())
        .and_then(|m| m.get(b"Marked"))
        .and_then(|m| m.as_bool());
    assert_eq!(marked.ok(), Some(true), "a tagged PDF says so");
    let root = catalog
        .get_deref(b"StructTreeRoot", &doc)
        .and_then(|r| r.as_dict())
        .expect("a structure tree");
    let content = marked_content(&doc);
    (lang, element(&doc, root, None, &content))
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Both standards are claimed in the metadata (krilla refuses to write a file that breaks them).
pub(crate) fn assert_pdf_a_and_ua(pdf: &[u8], what: &str) {
    assert!(contains(pdf, "pdfaid:part"), "{what}: PDF/A");
    assert!(contains(pdf, "pdfuaid:part"), "{what}: PDF/UA");
}

pub(crate) async fn certificate_pdf(app: &TestApp, name: &str) -> Vec<u8> {
    let participant: ParticipantId = app.create_participant(name, None, None).await;
    let placement = app.create_placement(participant, app.organisation).await;
    app.confirm_minutes(placement, 2400).await;
    let id = participant.to_string();
    let response = app
        .post_form("/certificaten/uitreiken", &[("kies", id.as_str())])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let certificate: Uuid =
        sqlx::query_scalar("SELECT id FROM certificates WHERE participant_id = $1")
            .bind(participant.0)
            .fetch_one(&app.pool)
            .await
            .expect("issued");
    let response = app.get(&format!("/certificaten/{certificate}/pdf")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.bytes().await.expect("body").to_vec()
}

#[tokio::test]
async fn the_certificate_is_tagged_for_screen_readers() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    let name = "مريم الحداد";
    let pdf = certificate_pdf(&app, name).await;
    assert_pdf_a_and_ua(&pdf, name);
    let (lang, tree) = structure(&pdf);
    assert_eq!(lang, "nl");

    // Reading order: the title, then who, then how many hours, then where.
    let reading: Vec<String> = tree.texts().iter().map(|t| t.text.clone()).collect();
    let at = |text: &str| {
        reading
            .iter()
            .position(|t| t == text)
            .unwrap_or_else(|| panic!("{text:?} is read: {reading:?}"))
    };
    assert!(at("Certificaat") < at("Hierbij bevestigen wij dat"));
    assert!(at("Hierbij bevestigen wij dat") < at(name));
    assert!(at(name) < at("Uren per vorm"));
    assert!(at("Uren per vorm") < at("Bij de partnerorganisaties"));

    let headings: Vec<(String, String)> = ["H1", "H2"]
        .iter()
        .flat_map(|role| tree.all(role))
        .map(|h| (h.role.clone(), h.text()))
        .collect();
    assert!(
        headings.contains(&("H1".into(), "Certificaat".into())),
        "{headings:?}"
    );
    assert!(
        headings.contains(&("H2".into(), "Uren per vorm".into())),
        "{headings:?}"
    );

    // The name: its own text in logical order, its script, right to left.
    let paragraphs = tree.all("P");
    let name_paragraph = paragraphs
        .iter()
        .find(|p| p.text() == name)
        .expect("the name is a paragraph");
    assert_eq!(name_paragraph.writing_mode.as_deref(), Some("RlTb"));
    assert_eq!(name_paragraph.texts()[0].lang.as_deref(), Some("und-Arab"));
    // Dutch text keeps the document's language.
    let dutch = paragraphs
        .iter()
        .find(|p| p.text() == "Hierbij bevestigen wij dat")
        .expect("the sentence");
    assert_eq!(dutch.texts()[0].lang, None);
    assert_eq!(dutch.writing_mode, None);

    // The hours per form are a table: the form heads its row.
    let table = tree.all("Table");
    assert_eq!(table.len(), 1);
    let row = &table[0].all("TR")[0];
    assert_eq!(row.all("TH")[0].text(), "Buddywerking");
    assert!(row.all("TD")[0].text().ends_with('u'), "{}", row.text());

    // The QR code: a described figure inside the link it opens.
    let links = tree.all("Link");
    assert_eq!(links.len(), 1);
    assert!(links[0].has_annotation());
    let figure = &links[0].all("Figure")[0];
    let alt = figure.alt.as_deref().unwrap_or_default();
    assert!(alt.starts_with("QR-code"), "{alt}");
    assert!(alt.contains("/controle/"), "{alt}");
}

#[tokio::test]
async fn chinese_japanese_and_korean_names_print_in_their_own_script() {
    let app = TestApp::spawn().await;
    app.login_as(Role::Coordinator).await;
    for (name, lang) in [
        ("李明", "und-Hani"),
        ("김민준", "und-Kore"),
        ("さくら", "und-Jpan"),
    ] {
        let pdf = certificate_pdf(&app, name).await;
        // A missing glyph would make the file plain PDF (PDF/A forbids boxes).
        assert_pdf_a_and_ua(&pdf, name);
        assert!(
            contains(&pdf, "NotoSansCJK"),
            "{name}: the CJK font embedded"
        );
        let (_, tree) = structure(&pdf);
        let spoken = tree
            .texts()
            .into_iter()
            .find(|t| t.text == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} is read"));
        assert_eq!(spoken.lang.as_deref(), Some(lang), "{name}");
    }
}

/// The bewijs van deelname of a new participant of `coach` (logged in) with one pending entry
/// and a contact with an e-mail address (so the sheet has a QR code).
pub(crate) async fn bewijs_pdf(app: &TestApp, coach: UserId, name: &str) -> Vec<u8> {
    let participant = app.create_participant(name, Some(coach), None).await;
    let placement = app.create_placement(participant, app.organisation).await;
    app.create_entry(placement, 120, 5).await;
    sqlx::query("UPDATE placements SET contact_email = 'contact@example.org' WHERE id = $1")
        .bind(placement.0)
        .execute(&app.pool)
        .await
        .expect("contact e-mail");
    app.get_page(&format!("/plaatsingen/{placement}")).await;
    let response = app
        .post_form(&format!("/plaatsingen/{placement}/bewijs.pdf"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.bytes().await.expect("body").to_vec()
}

#[tokio::test]
async fn the_bewijs_is_tagged_for_screen_readers() {
    let app = TestApp::spawn().await;
    let coach = app.login_as(Role::Coach).await;
    let name = "مريم الحداد";
    let pdf = bewijs_pdf(&app, coach.id, name).await;
    assert_pdf_a_and_ua(&pdf, "bewijs");
    let (lang, tree) = structure(&pdf);
    assert_eq!(lang, "nl");
    assert_eq!(tree.all("H1")[0].text(), "Bewijs van deelname");

    // Details: each label heads its row, the participant's name in its own script.
    let tables = tree.all("Table");
    assert_eq!(tables.len(), 2, "details and the hours");
    let first_row = &tables[0].all("TR")[0];
    assert_eq!(first_row.all("TH")[0].text(), "Inburgeraar");
    let cell = &first_row.all("TD")[0];
    assert_eq!(cell.text(), name);
    assert_eq!(cell.texts()[0].lang.as_deref(), Some("und-Arab"));
    assert_eq!(cell.all("P")[0].writing_mode.as_deref(), Some("RlTb"));

    // The hours: column headers, then one row per logged entry (no empty rows read out).
    let rows = tables[1].all("TR");
    let headers: Vec<String> = rows[0].all("TH").iter().map(|h| h.text()).collect();
    assert_eq!(
        headers,
        ["Datum", "Uren", "Wat werd gedaan", "Paraaf partner"]
    );
    assert_eq!(rows.len(), 2, "the header and the one entry");
    assert_eq!(rows[1].all("TD")[1].text(), "2 u");

    let figure = &tree.all("Link")[0].all("Figure")[0];
    assert!(
        figure
            .alt
            .as_deref()
            .is_some_and(|alt| alt.starts_with("QR-code")),
        "{:?}",
        figure.alt
    );
}
