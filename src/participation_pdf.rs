//! The bewijs van deelname as PDF: an A4 sheet per placement with the participant, the
//! organisation, the form and period, a table of dates and hours (the logged ones filled in,
//! empty rows to write more by hand), signature lines for the partner and the participant,
//! and a QR code to the placement's confirmation link when one was made for the sheet.
//! Same fonts, layout and painter as the certificate ([`crate::pdf`]).

use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::geom::Rect;
use krilla::tagging::{Node, TableHeaderScope, Tag, TagGroup};
use qrcode::QrCode;

use crate::domain::logo::Logo;
use crate::pdf::{
    Align, Fonts, INK, MUTED, PAGE_HEIGHT, PAGE_WIDTH, PRIMARY, Painter, PdfError, Weight, a4_page,
    logo_alt, printable_logo, qr_code, style,
};

/// One line of the table: a logged entry.
#[derive(Debug, Clone)]
pub struct SheetLine {
    pub date: String,
    pub duration: String,
    pub description: String,
    pub status: String,
}

/// What the sheet shows; the web layer fills it from the placement and its entries.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub participant_name: String,
    pub organisation_name: String,
    pub kind: String,
    pub period: String,
    pub contact_name: String,
    pub lines: Vec<SheetLine>,
    /// The confirmation link the QR code leads to, when one was made.
    pub confirm_url: Option<String>,
    /// The logo of the participant's region, when it has one.
    pub logo: Option<Logo>,
}

/// Table rows on one page; entries beyond it continue on the next page.
pub const ROWS_PER_PAGE: usize = 18;

/// Empty rows after the logged ones, at least: room to write more dates by hand.
pub const MIN_EMPTY_ROWS: usize = 6;

/// The logged lines split over pages, each page padded with empty rows (`None`) to
/// [`ROWS_PER_PAGE`]; the last page keeps at least [`MIN_EMPTY_ROWS`] empty rows.
pub fn pages(lines: &[SheetLine]) -> Vec<Vec<Option<&SheetLine>>> {
    let filled_per_page = ROWS_PER_PAGE - MIN_EMPTY_ROWS;
    let mut pages: Vec<Vec<Option<&SheetLine>>> = Vec::new();
    let mut rest = lines;
    loop {
        // A full page of entries, unless the rest fits with its empty rows.
        let take = if rest.len() <= filled_per_page {
            rest.len()
        } else {
            rest.len().min(ROWS_PER_PAGE)
        };
        let (now, later) = rest.split_at(take);
        let mut page: Vec<Option<&SheetLine>> = now.iter().map(Some).collect();
        page.resize(ROWS_PER_PAGE, None);
        pages.push(page);
        rest = later;
        if rest.is_empty() && take <= filled_per_page {
            break;
        }
    }
    pages
}

pub fn render(fonts: &Fonts, sheet: &Sheet) -> Result<Vec<u8>, PdfError> {
    let title = format!("Bewijs van deelname — {}", sheet.participant_name);
    let qr = sheet.confirm_url.as_deref().map(qr_code).transpose()?;
    let logo = sheet
        .logo
        .as_ref()
        .and_then(|logo| Some((printable_logo(Some(logo))?, logo_alt(&logo.region_name))));
    let pages = pages(&sheet.lines);
    let count = pages.len();
    crate::pdf::write(&title, |document, structure| {
        for (number, rows) in pages.iter().enumerate() {
            let bookmark = format!("Blad {} van {count}", number + 1);
            let mut page = a4_page(document, structure, bookmark)?;
            structure.open(Tag::Section);
            let figure = {
                let mut surface = page.surface();
                let mut painter = Painter {
                    fonts,
                    surface: &mut surface,
                    structure,
                };
                if let Some((image, alt)) = &logo {
                    painter.logo(image, LOGO_BOX, Align::Right, alt);
                }
                let figure = draw_page(&mut painter, sheet, rows, qr.as_ref(), (number + 1, count));
                surface.finish();
                figure
            };
            // The QR code is a link: the figure and the annotation that opens it, together.
            if let (Some(url), Some(figure), Some(rect)) = (
                sheet.confirm_url.as_ref(),
                figure,
                Rect::from_xywh(QR_X, FOOTER_TOP, QR_SIZE, QR_SIZE),
            ) {
                let mut link = TagGroup::with_children(Tag::Link, vec![Node::from(figure)]);
                link.push(page.add_tagged_annotation(Annotation::new_link(
                    LinkAnnotation::new(
                        rect,
                        Target::Action(Action::Link(LinkAction::new(url.clone()))),
                    ),
                    Some("Uren online bevestigen".into()),
                )));
                structure.push(link);
            }
            structure.close();
            page.finish();
        }
        Ok(())
    })
}

const LEFT: f32 = 56.0;
const RIGHT: f32 = PAGE_WIDTH - 56.0;
const TABLE_TOP: f32 = 262.0;
const ROW_HEIGHT: f32 = 19.0;
const FOOTER_TOP: f32 = 660.0;
const QR_SIZE: f32 = 84.0;
const QR_X: f32 = RIGHT - QR_SIZE;
/// The region's logo: top right, beside the title.
const LOGO_BOX: (f32, f32, f32, f32) = (RIGHT - 140.0, 40.0, 140.0, 56.0);

fn draw_page(
    p: &mut Painter<'_, '_>,
    sheet: &Sheet,
    rows: &[Option<&SheetLine>],
    qr: Option<&QrCode>,
    (number, count): (usize, usize),
) -> Option<TagGroup> {
    use Align::{Left, Right};
    use Weight::{Bold, Regular};

    let title = style(Bold, 24.0, INK);
    p.heading(1, "Bewijs van deelname", title, (LEFT, 78.0), Left);
    p.text(
        "Participatie- en netwerktraject inburgering",
        style(Regular, 11.0, MUTED),
        LEFT,
        96.0,
        Left,
    );
    p.rule(LEFT, 108.0, RIGHT, PRIMARY, 1.0);

    let label = style(Regular, 10.0, MUTED);
    let value = style(Bold, 11.0, INK);
    let details = [
        ("Inburgeraar", sheet.participant_name.as_str()),
        ("Partnerorganisatie", sheet.organisation_name.as_str()),
        ("Vorm", sheet.kind.as_str()),
        ("Periode", sheet.period.as_str()),
        ("Contactpersoon", sheet.contact_name.as_str()),
    ];
    let mut y = 132.0;
    // The details read as a table: each label heads its row.
    p.structure.open(Tag::Table);
    for (name, text) in details {
        p.structure.open(Tag::TR);
        p.structure.open(Tag::TH(TableHeaderScope::Row));
        p.text(name, label, LEFT, y, Left);
        p.structure.close();
        p.structure.open(Tag::TD);
        p.paragraph(
            text,
            value,
            (LEFT + 120.0, y),
            (RIGHT - LEFT - 120.0, 1),
            Left,
        );
        p.structure.close();
        p.structure.close();
        y += 20.0;
    }
    p.structure.close();

    // The table: date, hours, what was done, initials of the partner.
    let columns = [LEFT, LEFT + 90.0, LEFT + 165.0, RIGHT - 90.0];
    let head = style(Bold, 10.0, INK);
    let cell = style(Regular, 10.0, INK);
    let header_y = TABLE_TOP - 6.0;
    // In the structure: a header row and a row per logged entry; the empty rows are room to
    // write on paper, nothing to read out.
    p.structure.open(Tag::Table);
    p.structure.open(Tag::TR);
    for (text, x, align) in [
        ("Datum", columns[0] + 3.0, Left),
        ("Uren", columns[2] - 8.0, Right),
        ("Wat werd gedaan", columns[2] + 3.0, Left),
        ("Paraaf partner", columns[3] + 3.0, Left),
    ] {
        p.structure.open(Tag::TH(TableHeaderScope::Column));
        p.text(text, head, x, header_y, align);
        p.structure.close();
    }
    p.structure.close();
    p.rule(LEFT, TABLE_TOP, RIGHT, INK, 0.8);
    let mut row_y = TABLE_TOP;
    for row in rows {
        let baseline = row_y + ROW_HEIGHT - 6.0;
        if let Some(line) = row {
            p.structure.open(Tag::TR);
            p.structure.open(Tag::TD);
            p.text(&line.date, cell, columns[0] + 3.0, baseline, Left);
            p.structure.close();
            p.structure.open(Tag::TD);
            p.text(&line.duration, cell, columns[2] - 8.0, baseline, Right);
            p.structure.close();
            let what = if line.description.is_empty() {
                line.status.clone()
            } else {
                format!("{} ({})", line.description, line.status)
            };
            p.structure.open(Tag::TD);
            p.paragraph(
                &what,
                cell,
                (columns[2] + 3.0, baseline),
                (columns[3] - columns[2] - 8.0, 1),
                Left,
            );
            p.structure.close();
            p.structure.close();
        }
        row_y += ROW_HEIGHT;
        p.rule(LEFT, row_y, RIGHT, MUTED, 0.4);
    }
    p.structure.close();

    // Signatures: the partner's and the participant's, with their names under the line.
    let sign = style(Regular, 10.0, INK);
    let names = style(Regular, 9.0, MUTED);
    let sign_width = 170.0;
    let second = LEFT + sign_width + 30.0;
    p.text(
        "Handtekening partnerorganisatie",
        sign,
        LEFT,
        FOOTER_TOP + 10.0,
        Left,
    );
    p.text(
        "Handtekening inburgeraar",
        sign,
        second,
        FOOTER_TOP + 10.0,
        Left,
    );
    p.rule(LEFT, FOOTER_TOP + 62.0, LEFT + sign_width, INK, 0.8);
    p.rule(second, FOOTER_TOP + 62.0, second + sign_width, INK, 0.8);
    p.paragraph(
        &sheet.contact_name,
        names,
        (LEFT, FOOTER_TOP + 75.0),
        (sign_width, 1),
        Left,
    );
    p.paragraph(
        &sheet.participant_name,
        names,
        (second, FOOTER_TOP + 75.0),
        (sign_width, 1),
        Left,
    );
    p.text("Datum:", names, LEFT, FOOTER_TOP + 95.0, Left);
    p.text("Datum:", names, second, FOOTER_TOP + 95.0, Left);

    let figure = qr.map(|qr| {
        let alt = "QR-code: opent de pagina om deze uren online te bevestigen";
        p.qr(qr, (QR_X, FOOTER_TOP, QR_SIZE), alt)
    });
    if qr.is_some() {
        let small = style(Regular, 8.0, MUTED);
        let centre = QR_X + QR_SIZE / 2.0;
        p.text(
            "Scan om de uren",
            small,
            centre,
            FOOTER_TOP + QR_SIZE + 9.0,
            Align::Center,
        );
        p.text(
            "online te bevestigen",
            small,
            centre,
            FOOTER_TOP + QR_SIZE + 19.0,
            Align::Center,
        );
    }

    if count > 1 {
        p.text(
            &format!("Blad {number} van {count}"),
            style(Regular, 9.0, MUTED),
            PAGE_WIDTH / 2.0,
            PAGE_HEIGHT - 40.0,
            Align::Center,
        );
    }
    figure
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize) -> SheetLine {
        SheetLine {
            date: format!("{n:02}/11/2026"),
            duration: "2 u".into(),
            description: String::new(),
            status: "bevestigd".into(),
        }
    }

    #[test]
    fn short_lists_fit_one_page_with_empty_rows() {
        let lines: Vec<SheetLine> = (1..=3).map(line).collect();
        let pages = pages(&lines);
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].len(), ROWS_PER_PAGE);
        assert_eq!(pages[0].iter().filter(|r| r.is_some()).count(), 3);
        assert_eq!(super::pages(&[]).len(), 1);
    }

    #[test]
    fn long_lists_continue_and_end_with_room_to_write() {
        let lines: Vec<SheetLine> = (1..=20).map(line).collect();
        let pages = pages(&lines);
        assert_eq!(pages.len(), 2);
        let filled: usize = pages
            .iter()
            .map(|p| p.iter().filter(|r| r.is_some()).count())
            .sum();
        assert_eq!(filled, 20);
        let last_empty = pages[1].iter().filter(|r| r.is_none()).count();
        assert!(last_empty >= MIN_EMPTY_ROWS);
        // Exactly a full page of entries still gets a page to write on.
        let full: Vec<SheetLine> = (1..=ROWS_PER_PAGE).map(line).collect();
        assert_eq!(super::pages(&full).len(), 2);
    }

    #[test]
    fn the_sheet_renders_as_pdf_in_any_script() {
        let Ok(fonts) = crate::pdf::fonts(&crate::pdf::FontDirs {
            noto: "/usr/share/fonts/truetype/noto".into(),
            cjk: "/usr/share/fonts/opentype/noto".into(),
        }) else {
            return;
        };
        let sheet = Sheet {
            participant_name: "مريم الحداد".into(),
            organisation_name: "Buurtwerk De Brug".into(),
            kind: "Buddy".into(),
            period: "01/10/2026 – 31/12/2026".into(),
            contact_name: "Piet Peeters".into(),
            lines: (1..=4).map(line).collect(),
            confirm_url: Some("https://veertig.example/bevestigen/abc".into()),
            logo: None,
        };
        let pdf = render(&fonts, &sheet).expect("rendered");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
