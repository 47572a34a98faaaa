//! Certificates as PDF: one A4 page per certificate, drawn with krilla on the shared fonts,
//! layout and painter of [`crate::pdf`].

use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::geom::Rect;
use krilla::tagging::{Node, TableHeaderScope, Tag, TagGroup};
use qrcode::QrCode;

// The font and error types live in `pdf`; callers of the certificate PDF know them from here.
use crate::domain::certificate::Certificate;
use crate::domain::logo::Logo;
use crate::pdf::{
    Align, INK, MUTED, PAGE_HEIGHT, PAGE_WIDTH, PRIMARY, Painter, REVOKED, a4_page, logo_alt,
    printable_logo, qr_code, style,
};
pub use crate::pdf::{
    FONT_FILES, FontDirs, FontError, Fonts, PdfError, Weight, fonts, qr_svg_path,
};
use crate::values::dates::format_date;
use crate::values::duration::format_minutes;

/// Where the footer (date, signature, QR code) starts; the text above stays clear of it.
const FOOTER_TOP: f32 = 640.0;

/// The public verification page, in Dutch like everything a reader sees on the certificate.
/// Certificates printed before it had this name carry `/verify`, which keeps answering
/// (`web::certificates::public_router`).
pub const VERIFY_PATH: &str = "/controle";

/// The verification page's address for the certificate of `base_url` (`https://…/controle`).
pub fn verify_page(base_url: &str) -> String {
    format!("{}{VERIFY_PATH}", base_url.trim_end_matches('/'))
}

/// The address the QR code and the printed short code lead to.
pub fn verify_url(base_url: &str, code: &str) -> String {
    format!("{}/{code}", verify_page(base_url))
}

/// Where the region's logo goes, when it has one: the top left corner inside the frame, as on a
/// municipality's letter paper (the number takes the top right).
const LOGO_BOX: (f32, f32, f32, f32) = (48.0, 46.0, 130.0, 60.0);

/// One PDF with a page per certificate, in the order given, each page a section of the
/// structure tree; PDF/A and PDF/UA unless a name has characters no font has (see
/// [`crate::pdf::write`]). `logo`: the region's, drawn at the top of every page.
pub fn render(
    fonts: &Fonts,
    certificates: &[Certificate],
    logo: Option<&Logo>,
    base_url: &str,
) -> Result<Vec<u8>, PdfError> {
    let logo = printable_logo(logo);
    let title = match certificates {
        [one] => format!("Certificaat {}", one.number),
        many => format!("Certificaten ({})", many.len()),
    };
    crate::pdf::write(&title, |document, structure| {
        for certificate in certificates {
            let url = verify_url(base_url, &certificate.verify_code);
            let qr = qr_code(&url)?;
            let bookmark = format!(
                "Certificaat {} — {}",
                certificate.number, certificate.full_name
            );
            let mut page = a4_page(document, structure, bookmark)?;
            let qr_box = (PAGE_WIDTH - 72.0 - 92.0, FOOTER_TOP, 92.0);
            structure.open(Tag::Section);
            let figure = {
                let mut surface = page.surface();
                let mut painter = Painter {
                    fonts,
                    surface: &mut surface,
                    structure,
                };
                if let Some(image) = &logo {
                    let alt = logo_alt(&certificate.region_name);
                    painter.logo(image, LOGO_BOX, Align::Left, &alt);
                }
                let header_width = logo.as_ref().map(|_| {
                    // The region's name stays clear of the logo beside it.
                    2.0 * (PAGE_WIDTH / 2.0 - (LOGO_BOX.0 + LOGO_BOX.2 + 10.0))
                });
                let figure = draw_certificate(
                    &mut painter,
                    certificate,
                    (&qr, qr_box),
                    header_width,
                    base_url,
                );
                surface.finish();
                figure
            };
            // The QR code is a link: the figure and the annotation that opens it, together.
            let mut link = TagGroup::with_children(Tag::Link, vec![Node::from(figure)]);
            if let Some(rect) = Rect::from_xywh(qr_box.0, qr_box.1, qr_box.2, qr_box.2) {
                link.push(page.add_tagged_annotation(Annotation::new_link(
                    LinkAnnotation::new(rect, Target::Action(Action::Link(LinkAction::new(url)))),
                    Some("Controleer dit certificaat online".into()),
                )));
            }
            structure.push(link);
            structure.close();
            page.finish();
        }
        Ok(())
    })
}

/// `header_width`: how wide the region's name may run (narrower beside a logo).
fn draw_certificate(
    p: &mut Painter<'_, '_>,
    c: &Certificate,
    (qr, (qr_x, qr_y, qr_size)): (&QrCode, (f32, f32, f32)),
    header_width: Option<f32>,
    base_url: &str,
) -> TagGroup {
    use Align::{Center, Left, Right};
    use Weight::{Bold, Regular};
    let centre = PAGE_WIDTH / 2.0;
    let text_width = PAGE_WIDTH - 2.0 * 80.0;
    let revoked = !c.status.is_valid();
    let accent = if revoked { REVOKED } else { PRIMARY };

    // A double frame, like the certificates a city prints.
    p.frame(26.0, accent, 2.5);
    p.frame(33.0, accent, 0.6);

    // Who hands it over.
    p.text(
        &c.number,
        style(Regular, 9.0, MUTED),
        PAGE_WIDTH - 52.0,
        58.0,
        Right,
    );
    let region_end = p.paragraph(
        &c.region_name,
        style(Bold, 15.0, accent),
        (centre, 96.0),
        (header_width.unwrap_or(text_width), 2),
        Center,
    );
    let municipality = format!("Gemeente {}", c.municipality_name);
    p.text(
        &municipality,
        style(Regular, 11.0, MUTED),
        centre,
        region_end + 19.0,
        Center,
    );
    p.rule(centre - 60.0, region_end + 36.0, centre + 60.0, accent, 1.0);

    let title = style(Bold, 40.0, INK);
    p.heading(1, "Certificaat", title, (centre, 196.0), Center);
    let subtitle = "Participatie- en netwerktraject inburgering";
    p.text(subtitle, style(Regular, 14.0, INK), centre, 224.0, Center);
    if revoked {
        let note = "INGETROKKEN — NIET GELDIG";
        p.text(note, style(Bold, 20.0, REVOKED), centre, 257.0, Center);
    }

    p.text(
        "Hierbij bevestigen wij dat",
        style(Regular, 12.0, INK),
        centre,
        290.0,
        Center,
    );
    // The name: as large as fits on one line, else wrapped at the smallest size.
    let mut size = 28.0;
    while size > 16.0 && p.fonts.line(&c.full_name, Bold).width(size) > text_width {
        size -= 1.0;
    }
    let name_end = p.paragraph(
        &c.full_name,
        style(Bold, size, INK),
        (centre, 333.0),
        (text_width, 2),
        Center,
    );
    let mut y = name_end + 30.0;
    let done = "het participatie- en netwerktraject heeft voltooid met";
    p.text(done, style(Regular, 12.0, INK), centre, y, Center);
    y += 32.0;
    p.text(
        &c.total_hours(),
        style(Bold, 24.0, accent),
        centre,
        y,
        Center,
    );
    y += 16.0;
    let required = format!(
        "actieve deelname (vereist: {})",
        format_minutes(i64::from(c.required_minutes))
    );
    p.text(&required, style(Regular, 10.0, MUTED), centre, y, Center);

    // Hours per form.
    y += 28.0;
    let subheading = style(Bold, 11.0, INK);
    p.heading(2, "Uren per vorm", subheading, (centre, y), Center);
    let (left, right) = (centre - 130.0, centre + 130.0);
    y += 6.0;
    p.rule(left, y, right, MUTED, 0.5);
    // A table of two columns: the form (the row's header) and its hours.
    p.structure.open(Tag::Table);
    for kind in c.kinds() {
        y += 17.0;
        p.structure.open(Tag::TR);
        p.structure.open(Tag::TH(TableHeaderScope::Row));
        p.text(kind.label(), style(Regular, 11.0, INK), left + 4.0, y, Left);
        p.structure.close();
        p.structure.open(Tag::TD);
        p.text(
            &kind.hours(),
            style(Regular, 11.0, INK),
            right - 4.0,
            y,
            Right,
        );
        p.structure.close();
        p.structure.close();
        y += 6.0;
        p.rule(left, y, right, MUTED, 0.3);
    }
    p.structure.close();

    // Where: as many lines as fit above the footer (at most three).
    y += 24.0;
    let organisations_heading = "Bij de partnerorganisaties";
    p.heading(2, organisations_heading, subheading, (centre, y), Center);
    y += 16.0;
    let organisations = c.organisation_names().join(" · ");
    let body = style(Regular, 10.5, INK);
    let room = ((FOOTER_TOP - 8.0 - y) / (body.size * 1.35))
        .floor()
        .max(0.0) as usize
        + 1;
    p.paragraph(
        &organisations,
        body,
        (centre, y),
        (text_width, room.min(3)),
        Center,
    );

    // Date, signature, verification.
    let sign_left = 72.0;
    let issued = format!("Uitgereikt op {}", format_date(c.issued_on));
    p.text(
        &issued,
        style(Regular, 11.0, INK),
        sign_left,
        FOOTER_TOP + 12.0,
        Left,
    );
    p.rule(sign_left, 712.0, sign_left + 200.0, INK, 0.8);
    p.text(
        &c.issuer_name,
        style(Bold, 10.5, INK),
        sign_left,
        727.0,
        Left,
    );
    p.paragraph(
        &format!("coördinator, {}", c.region_name),
        style(Regular, 9.0, MUTED),
        (sign_left, 740.0),
        (220.0, 2),
        Left,
    );

    let alt = format!(
        "QR-code: opent de controlepagina van dit certificaat, {}",
        verify_url(base_url, &c.verify_code)
    );
    let figure = p.qr(qr, (qr_x, qr_y, qr_size), &alt);
    let qr_centre = qr_x + qr_size / 2.0;
    let small = style(Regular, 8.0, MUTED);
    p.text(
        "Controleer op",
        small,
        qr_centre,
        qr_y + qr_size + 10.0,
        Center,
    );
    p.text(
        &verify_page(base_url),
        small,
        qr_centre,
        qr_y + qr_size + 21.0,
        Center,
    );
    let code = c.grouped_code();
    p.text(
        &code,
        style(Bold, 10.0, INK),
        qr_centre,
        qr_y + qr_size + 35.0,
        Center,
    );

    let footer = format!("Nummer {}", c.number);
    p.text(
        &footer,
        style(Regular, 9.0, MUTED),
        centre,
        PAGE_HEIGHT - 48.0,
        Center,
    );
    figure
}

/// The QR code as an SVG path (one unit per module, quiet zone included) for the HTML print
#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::Arc;

    fn fonts() -> Option<Arc<Fonts>> {
        // Skips where fonts-noto-core is not installed; the integration tests demand it.
        super::fonts(&FontDirs {
            noto: Path::new("/usr/share/fonts/truetype/noto").into(),
            cjk: Path::new("/usr/share/fonts/opentype/noto").into(),
        })
        .ok()
    }

    fn certificate(name: &str) -> Certificate {
        use crate::domain::certificate::{CertificateId, CertificateStatus, KindMinutes};
        use crate::values::ids::ParticipantId;
        use sqlx::types::Json;
        Certificate {
            id: CertificateId(uuid::Uuid::nil()),
            participant_id: ParticipantId(uuid::Uuid::nil()),
            number: "BRG-2026-0042".into(),
            verify_code: "7K3MQ9XD2HFAPZ4".into(),
            status: CertificateStatus::Geldig,
            issued_on: time::macros::date!(2026 - 11 - 24),
            issued_at: time::OffsetDateTime::UNIX_EPOCH,
            issuer_name: "An Coördinator".into(),
            full_name: name.into(),
            region_name: "Regio Brugge".into(),
            municipality_name: "Brugge".into(),
            total_minutes: 2430,
            required_minutes: 2400,
            minutes_by_kind: Json(vec![KindMinutes {
                kind: crate::values::kinds::PlacementKind::Buddy,
                minutes: 2430,
            }]),
            organisations: Json(vec!["Buurtwerk De Brug".into()]),
            revoked_at: None,
            revoked_by_name: None,
            revoke_reason: None,
        }
    }

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    }

    #[test]
    fn certificates_are_pdf_a_unless_a_glyph_is_missing() {
        let Some(fonts) = fonts() else { return };
        let pdf = render(
            &fonts,
            &[certificate("مُحَمَّد الحداد")],
            None,
            "https://veertig.example",
        )
        .expect("rendered");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(contains(&pdf, "pdfaid:part"), "PDF/A metadata");
        // No font here has Tibetan: still a PDF, just not PDF/A.
        let pdf = render(
            &fonts,
            &[certificate("བཀྲ་ཤིས")],
            None,
            "https://veertig.example",
        )
        .expect("rendered");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(!contains(&pdf, "pdfaid:part"));
    }
}
