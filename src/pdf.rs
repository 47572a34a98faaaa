//! What every PDF Veertig draws shares: the Noto fonts embedded (subset) so every name prints
//! in its own script, a small text layout of our own, a painter for text, rules, frames, QR
//! codes and a region's logo (`logo`) on an A4 page that also records the structure a screen
//! reader follows ([`structure`]), and writing the document as tagged PDF/A-2u and PDF/UA-1
//! when it can be.
//!
//! Text goes through a small layout step of our own, because a name may mix scripts and
//! directions: the Unicode bidi algorithm (`unicode-bidi`) splits a line into directional runs in
//! visual order; each run is split by script and given a font (Arabic → Noto Sans Arabic,
//! Ethiopic → Noto Sans Ethiopic, Chinese, Japanese and Korean → Noto Sans CJK, everything else
//! → Noto Sans, which covers Latin with diacritics, Greek and Cyrillic); each piece is shaped by
//! rustybuzz (joining forms, marks, ligatures) in its direction, measured, and drawn as
//! positioned glyphs.
//!
//! The fonts come from Debian's `fonts-noto-core` (`FONT_DIR`, by default
//! `/usr/share/fonts/truetype/noto`) and `fonts-noto-cjk` (`CJK_FONT_DIR`, by default
//! `/usr/share/fonts/opentype/noto`), read once per folder and kept for the life of the process.
//! Used by `certificate_pdf` (certificates) and `participation_pdf` (bewijs van deelname).

mod logo;
pub mod structure;
mod text;

use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, Configuration, ConfigurationBuilder};
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::{Page, PageSettings};
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{ArtifactType, ContentTag, Node, SpanTag, Tag, TagGroup};
use krilla::{Document, SerializeSettings};
use qrcode::{Color as QrColor, EcLevel, QrCode};

pub use logo::{ImageError, MAX_LOGO_PIXELS, check_image, logo_alt, printable_logo};
use structure::Structure;
use text::script_lang;
pub use text::{CJK_FONT_FILES, FONT_FILES, FontDirs, FontError, Fonts, Line, Weight, fonts};

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the PDF could not be written: {0}")]
    Krilla(String),
    #[error("the PDF does not meet PDF/A: {0}")]
    Validation(String),
    #[error("the QR code could not be made: {0}")]
    Qr(#[from] qrcode::types::QrError),
}

// ---------------------------------------------------------------------------------------------
// Drawing

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;

pub const INK: (u8, u8, u8) = (0x1b, 0x24, 0x29);
pub const PRIMARY: (u8, u8, u8) = (0x0b, 0x5d, 0x6b);
pub const MUTED: (u8, u8, u8) = (0x53, 0x5f, 0x66);
pub const REVOKED: (u8, u8, u8) = (0xb0, 0x00, 0x20);

pub fn fill((r, g, b): (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

pub fn stroke((r, g, b): (u8, u8, u8), width: f32) -> Stroke {
    Stroke {
        paint: rgb::Color::new(r, g, b).into(),
        width,
        ..Default::default()
    }
}

#[derive(Clone, Copy)]
pub enum Align {
    Left,
    Center,
    Right,
}

pub struct Painter<'a, 'b> {
    pub fonts: &'a Fonts,
    pub surface: &'a mut Surface<'b>,
    /// The document's structure tree, which every piece of text and figure drawn joins.
    pub structure: &'a mut Structure,
}

/// How a piece of text looks.
#[derive(Clone, Copy)]
pub struct Style {
    pub weight: Weight,
    pub size: f32,
    pub colour: (u8, u8, u8),
}

pub const fn style(weight: Weight, size: f32, colour: (u8, u8, u8)) -> Style {
    Style {
        weight,
        size,
        colour,
    }
}

impl Painter<'_, '_> {
    /// Draws a laid-out line with its baseline at `y`; `x` is the left edge, the centre or the
    /// right edge depending on `align`. In the structure tree it is a span of the open element,
    /// or a paragraph of its own when none is open.
    pub fn draw_line(&mut self, line: &Line, style: Style, x: f32, y: f32, align: Align) {
        let own_paragraph = self.needs_paragraph(line.rtl);
        if own_paragraph {
            self.structure.open(paragraph(line.rtl));
        }
        // The glyphs are in visual order: a screen reader gets the text in logical order
        // (ActualText), and names in another script say which (Lang).
        let span = SpanTag::empty()
            .with_lang(script_lang(&line.text))
            .with_actual_text(Some(&line.text));
        let id = self.surface.start_tagged(ContentTag::Span(span));
        self.paint_line(line, style, x, y, align);
        self.surface.end_tagged();
        self.structure.push(id);
        if own_paragraph {
            self.structure.close();
        }
    }

    /// Text needs a paragraph of its own where no open element holds text, and right-to-left
    /// text also inside a table cell, so its direction is marked.
    fn needs_paragraph(&self, rtl: bool) -> bool {
        !self.structure.takes_text() || (rtl && !self.structure.in_paragraph())
    }

    fn paint_line(&mut self, line: &Line, style: Style, x: f32, y: f32, align: Align) {
        let width = line.width(style.size);
        let mut pen = match align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        self.surface.set_fill(Some(fill(style.colour)));
        self.surface.set_stroke(None);
        for piece in &line.pieces {
            let face = self.fonts.face(piece.script, line.weight);
            self.surface.draw_glyphs(
                Point::from_xy(pen, y),
                &piece.glyphs,
                face.font.clone(),
                &piece.text,
                style.size,
                false,
            );
            pen += piece.advance * style.size;
        }
    }

    pub fn text(&mut self, text: &str, style: Style, x: f32, y: f32, align: Align) {
        let line = self.fonts.line(text, style.weight);
        self.draw_line(&line, style, x, y, align);
    }

    /// A heading of `level` (1 is the document's title), on one line.
    pub fn heading(
        &mut self,
        level: u16,
        text: &str,
        style: Style,
        (x, y): (f32, f32),
        align: Align,
    ) {
        let level = std::num::NonZeroU16::new(level).unwrap_or(std::num::NonZeroU16::MIN);
        self.structure.open(Tag::Hn(level, Some(text.to_string())));
        self.text(text, style, x, y, align);
        self.structure.close();
    }

    /// A region's logo in the box `(x, y, width, height)`: see [`logo::draw_logo`].
    pub fn logo(
        &mut self,
        image: &krilla::image::Image,
        area: (f32, f32, f32, f32),
        align: Align,
        alt: &str,
    ) {
        logo::draw_logo(self.surface, self.structure, image, area, align, alt);
    }

    /// Decoration a screen reader skips: frames and rules.
    fn decoration(&mut self, draw: impl FnOnce(&mut Surface<'_>)) {
        let artifact = krilla::tagging::Artifact::with_kind(ArtifactType::Layout);
        self.surface.start_tagged(ContentTag::Artifact(artifact));
        draw(self.surface);
        self.surface.end_tagged();
    }

    /// Wrapped text, at most `max_lines` lines (the last ends in "…" when text was left
    /// out), starting with the baseline at `y`; returns the baseline of the last line.
    pub fn paragraph(
        &mut self,
        text: &str,
        style: Style,
        (x, y): (f32, f32),
        (max_width, max_lines): (f32, usize),
        align: Align,
    ) -> f32 {
        let mut lines = self.fonts.wrap(text, style.weight, style.size, max_width);
        // The lines of a paragraph are one element, not a paragraph each.
        let rtl = lines.first().is_some_and(|line| line.rtl);
        let own_paragraph = self.needs_paragraph(rtl);
        if own_paragraph {
            self.structure.open(paragraph(rtl));
        }
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                *last = self.fonts.line(&format!("{} …", last.text), style.weight);
            }
        }
        let mut baseline = y;
        for (i, line) in lines.iter().enumerate() {
            baseline = y + i as f32 * style.size * 1.35;
            self.draw_line(line, style, x, baseline, align);
        }
        if own_paragraph {
            self.structure.close();
        }
        baseline
    }

    pub fn rule(&mut self, x1: f32, y: f32, x2: f32, colour: (u8, u8, u8), width: f32) {
        let mut path = PathBuilder::new();
        path.move_to(x1, y);
        path.line_to(x2, y);
        if let Some(path) = path.finish() {
            self.decoration(|surface| {
                surface.set_fill(None);
                surface.set_stroke(Some(stroke(colour, width)));
                surface.draw_path(&path);
                surface.set_stroke(None);
            });
        }
    }

    pub fn frame(&mut self, inset: f32, colour: (u8, u8, u8), width: f32) {
        let mut path = PathBuilder::new();
        if let Some(rect) = Rect::from_ltrb(inset, inset, PAGE_WIDTH - inset, PAGE_HEIGHT - inset) {
            path.push_rect(rect);
        }
        if let Some(path) = path.finish() {
            self.decoration(|surface| {
                surface.set_fill(None);
                surface.set_stroke(Some(stroke(colour, width)));
                surface.draw_path(&path);
                surface.set_stroke(None);
            });
        }
    }

    /// The QR code's dark modules as filled rectangles (runs of a row merged), `size` points
    /// wide including a quiet zone of four modules. Returns its figure, described by `alt`,
    /// for the caller to place in the structure (inside the link it leads to).
    #[must_use]
    pub fn qr(&mut self, code: &QrCode, (x, y, size): (f32, f32, f32), alt: &str) -> TagGroup {
        let width = code.width();
        let module = size / (width + 8) as f32;
        let colors = code.to_colors();
        let mut path = PathBuilder::new();
        for row in 0..width {
            let mut col = 0;
            while col < width {
                if colors[row * width + col] == QrColor::Dark {
                    let start = col;
                    while col < width && colors[row * width + col] == QrColor::Dark {
                        col += 1;
                    }
                    let left = x + (start + 4) as f32 * module;
                    let top = y + (row + 4) as f32 * module;
                    if let Some(rect) =
                        Rect::from_xywh(left, top, (col - start) as f32 * module, module)
                    {
                        path.push_rect(rect);
                    }
                } else {
                    col += 1;
                }
            }
        }
        let id = self.surface.start_tagged(ContentTag::Other);
        if let Some(path) = path.finish() {
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(fill((0, 0, 0))));
            self.surface.draw_path(&path);
        }
        self.surface.end_tagged();
        TagGroup::with_children(Tag::Figure(Some(alt.to_string())), vec![Node::from(id)])
    }
}

/// A paragraph element, marked right to left when its text runs so.
fn paragraph(rtl: bool) -> krilla::tagging::TagKind {
    krilla::tagging::TagKind::from(Tag::P)
        .with_writing_mode(rtl.then_some(krilla::tagging::WritingMode::RlTb))
}

/// view: `(viewBox size, path data)`.
pub fn qr_svg_path(url: &str) -> Result<(usize, String), qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)?;
    let width = code.width();
    let colors = code.to_colors();
    let mut d = String::new();
    for row in 0..width {
        let mut col = 0;
        while col < width {
            if colors[row * width + col] == QrColor::Dark {
                let start = col;
                while col < width && colors[row * width + col] == QrColor::Dark {
                    col += 1;
                }
                d.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + 4,
                    row + 4,
                    col - start,
                    col - start
                ));
            } else {
                col += 1;
            }
        }
    }
    Ok((width + 8, d))
}

/// The QR code for `url`, at the error correction every printed code of Veertig uses.
pub fn qr_code(url: &str) -> Result<QrCode, PdfError> {
    Ok(QrCode::with_error_correction_level(
        url.as_bytes(),
        EcLevel::M,
    )?)
}

/// A new A4 page, bookmarked as `bookmark` in the document's outline.
pub fn a4_page<'a>(
    document: &'a mut Document,
    structure: &mut Structure,
    bookmark: String,
) -> Result<Page<'a>, PdfError> {
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| PdfError::Krilla("invalid page size".into()))?;
    structure.bookmark_page(bookmark);
    Ok(document.start_page_with(settings))
}

/// Writes a document as tagged PDF/A-2u and PDF/UA-1: archival (every glyph embedded and
/// mapped to Unicode), so a file kept opens the same in years, and accessible (the structure
/// tree gives a screen reader the text in reading order, in its language, the QR code's
/// description). Text with characters none of the fonts has (an emoji, say) cannot be either;
/// that file is made as plain tagged PDF, with boxes for those characters, and the log says
/// so. `draw` adds the pages to the document it is given and their structure to the tree.
pub fn write(
    title: &str,
    draw: impl Fn(&mut Document, &mut Structure) -> Result<(), PdfError>,
) -> Result<Vec<u8>, PdfError> {
    match write_with(title, &draw, standards()?) {
        Err(PdfError::Validation(problems)) => {
            tracing::warn!(%problems, title, "PDF is not PDF/A nor PDF/UA; written as plain PDF");
            write_with(title, &draw, Configuration::default())
        }
        other => other,
    }
}

/// PDF/A-2u with PDF/UA-1: what every document is written as when it can be.
fn standards() -> Result<Configuration, PdfError> {
    ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_U)
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|error| PdfError::Krilla(format!("{error:?}")))
}

/// The language of every document; names in other scripts say theirs (see [`script_lang`]).
const LANGUAGE: &str = "nl";

fn write_with(
    title: &str,
    draw: &impl Fn(&mut Document, &mut Structure) -> Result<(), PdfError>,
    configuration: Configuration,
) -> Result<Vec<u8>, PdfError> {
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    });
    let mut structure = Structure::new();
    draw(&mut document, &mut structure)?;
    let (tree, outline) = structure.finish(LANGUAGE);
    document.set_tag_tree(tree);
    document.set_outline(outline);
    let now = time::OffsetDateTime::now_utc();
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language(LANGUAGE.into())
            .creator("Veertig".into())
            .creation_date(
                DateTime::new(u16::try_from(now.year()).unwrap_or(2026))
                    .month(u8::from(now.month()))
                    .day(now.day())
                    .hour(now.hour())
                    .minute(now.minute())
                    .second(now.second())
                    .utc_offset_hour(0),
            ),
    );
    document.finish().map_err(|error| match error {
        KrillaError::Validation(problems) => PdfError::Validation(format!("{problems:?}")),
        other => PdfError::Krilla(format!("{other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_svg_has_a_quiet_zone() {
        let (size, d) = qr_svg_path("https://veertig.example/verify/ABCDEFGHJKMNPQR").expect("qr");
        assert!(size > 25);
        assert!(d.starts_with("M4 4h7"), "{d}");
    }
}
