//! What every PDF Veertig draws shares: the Noto fonts embedded (subset) so every name prints
//! in its own script, a small text layout of our own, a painter for text, rules, frames and QR
//! codes on an A4 page, and writing the document as PDF/A when it can be.
//!
//! Text goes through a small layout step of our own, because a name may mix scripts and
//! directions: the Unicode bidi algorithm (`unicode-bidi`) splits a line into directional runs in
//! visual order; each run is split by script and given a font (Arabic → Noto Sans Arabic,
//! Ethiopic → Noto Sans Ethiopic, everything else → Noto Sans, which covers Latin with
//! diacritics, Greek and Cyrillic); each piece is shaped by rustybuzz (joining forms, marks,
//! ligatures) in its direction, measured, and drawn as positioned glyphs. Chinese, Japanese and
//! Korean are out of scope: Noto Sans CJK is large and not in `fonts-noto-core`; such names
//! print as empty boxes until a CJK font is added to [`FONT_FILES`] and [`script_of`].
//!
//! The fonts come from Debian's `fonts-noto-core` (`FONT_DIR`, by default
//! `/usr/share/fonts/truetype/noto`), read once per folder and kept for the life of the process.
//! Used by `certificate_pdf` (certificates) and `participation_pdf` (bewijs van deelname).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use krilla::color::rgb;
use krilla::configure::{Archival, Configuration, ConfigurationBuilder};
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::{Page, PageSettings};
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use qrcode::{Color as QrColor, EcLevel, QrCode};
use rustybuzz::{Direction, UnicodeBuffer};
use unicode_bidi::BidiInfo;

/// The font files: regular and bold of each script, in the order [`Fonts::face`] reads them.
pub const FONT_FILES: [&str; 6] = [
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansEthiopic-Regular.ttf",
    "NotoSansEthiopic-Bold.ttf",
];

#[derive(Debug, Clone, thiserror::Error)]
pub enum FontError {
    #[error(
        "font file {0} is missing: install Debian's fonts-noto-core (apt-get install fonts-noto-core) \
         or point FONT_DIR at a folder with {files}",
        files = FONT_FILES.join(", ")
    )]
    Missing(PathBuf),
    #[error("font file {0} cannot be read as a font: reinstall fonts-noto-core")]
    Unreadable(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the PDF could not be written: {0}")]
    Krilla(String),
    #[error("the PDF does not meet PDF/A: {0}")]
    Validation(String),
    #[error("the QR code could not be made: {0}")]
    Qr(#[from] qrcode::types::QrError),
}

/// The script families we have a font for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    /// Latin (with diacritics), Greek, Cyrillic and the rest of Noto Sans.
    General,
    Arabic,
    Ethiopic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

struct Face {
    data: Arc<Vec<u8>>,
    font: Font,
}

/// The six font files, read and checked.
pub struct Fonts {
    faces: Vec<Face>,
}

impl Fonts {
    /// Reads the fonts from `dir` (no cache; see [`fonts`]).
    pub fn load(dir: &Path) -> Result<Self, FontError> {
        let mut faces = Vec::with_capacity(FONT_FILES.len());
        for file in FONT_FILES {
            let path = dir.join(file);
            let bytes = std::fs::read(&path).map_err(|_| FontError::Missing(path.clone()))?;
            let data = Arc::new(bytes);
            if rustybuzz::Face::from_slice(&data, 0).is_none() {
                return Err(FontError::Unreadable(path));
            }
            let font = Font::new(data.clone().into(), 0).ok_or(FontError::Unreadable(path))?;
            faces.push(Face { data, font });
        }
        Ok(Self { faces })
    }

    fn face(&self, script: Script, weight: Weight) -> &Face {
        let slot = match script {
            Script::General => 0,
            Script::Arabic => 2,
            Script::Ethiopic => 4,
        } + usize::from(weight == Weight::Bold);
        &self.faces[slot]
    }
}

type FontCache = Vec<(PathBuf, Result<Arc<Fonts>, FontError>)>;
static FONT_CACHE: Mutex<FontCache> = Mutex::new(Vec::new());

/// The fonts of `dir`, read on first use and kept for the life of the process. A failure is
/// kept too (and logged once, with the fix): after installing the fonts, restart Veertig.
pub fn fonts(dir: &Path) -> Result<Arc<Fonts>, FontError> {
    let mut cache = FONT_CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, fonts)) = cache.iter().find(|(cached, _)| cached == dir) {
        return fonts.clone();
    }
    let loaded = Fonts::load(dir).map(Arc::new);
    match &loaded {
        Ok(_) => tracing::info!(dir = %dir.display(), "certificate fonts loaded"),
        Err(error) => tracing::error!(
            %error,
            "certificate PDFs are unavailable until the fonts are installed and Veertig restarted"
        ),
    }
    cache.push((dir.to_path_buf(), loaded.clone()));
    loaded
}

// ---------------------------------------------------------------------------------------------
// Text layout

/// Which font a character asks for; `None` for characters any font may draw (spaces,
/// punctuation, digits, combining marks), which follow their neighbours.
fn script_of(c: char) -> Option<Script> {
    match u32::from(c) {
        0x0600..=0x06FF
        | 0x0750..=0x077F
        | 0x0870..=0x08FF
        | 0xFB50..=0xFDFF
        | 0xFE70..=0xFEFF
        | 0x10EC0..=0x10EFF
        | 0x1EE00..=0x1EEFF => Some(Script::Arabic),
        0x1200..=0x139F | 0x2D80..=0x2DDF | 0xAB00..=0xAB2F | 0x1E7E0..=0x1E7FF => {
            Some(Script::Ethiopic)
        }
        _ if c.is_alphabetic() => Some(Script::General),
        _ => None,
    }
}

/// A piece of a line in one font and one direction, shaped.
struct Piece {
    script: Script,
    text: String,
    glyphs: Vec<KrillaGlyph>,
    /// Sum of the advances, in em.
    advance: f32,
}

/// One line of text, its pieces in visual order (left to right).
pub struct Line {
    /// The text in logical order, as given.
    pub text: String,
    pieces: Vec<Piece>,
    weight: Weight,
    advance: f32,
}

impl Line {
    pub fn width(&self, size: f32) -> f32 {
        self.advance * size
    }
}

impl Fonts {
    /// Shapes one line (no wrapping): bidi runs in visual order, a font per script.
    pub fn line(&self, text: &str, weight: Weight) -> Line {
        let text = text.replace(['\n', '\r', '\t'], " ");
        let mut pieces = Vec::new();
        let bidi = BidiInfo::new(&text, None);
        for paragraph in &bidi.paragraphs {
            let (levels, runs) = bidi.visual_runs(paragraph, paragraph.range.clone());
            for run in runs {
                let rtl = levels.get(run.start).is_some_and(|level| level.is_rtl());
                let mut run_pieces = self.split_by_font(&text[run], weight);
                if rtl {
                    run_pieces.reverse();
                }
                for (script, piece_text) in run_pieces {
                    pieces.push(self.shape(script, weight, piece_text, rtl));
                }
            }
        }
        let advance = pieces.iter().map(|p| p.advance).sum();
        Line {
            text,
            pieces,
            weight,
            advance,
        }
    }

    /// Splits text of one direction into (script, text) pieces in logical order. Neutral
    /// characters join the piece before them (or after, at the start); a character the chosen
    /// font lacks goes to a font that has it.
    fn split_by_font(&self, text: &str, weight: Weight) -> Vec<(Script, String)> {
        let chars: Vec<char> = text.chars().collect();
        let first_strong = chars
            .iter()
            .find_map(|&c| script_of(c))
            .unwrap_or(Script::General);
        let faces: Vec<(Script, rustybuzz::Face<'_>)> =
            [Script::General, Script::Arabic, Script::Ethiopic]
                .into_iter()
                .filter_map(|s| {
                    rustybuzz::Face::from_slice(&self.face(s, weight).data, 0).map(|f| (s, f))
                })
                .collect();
        let has = |script: Script, c: char| {
            faces
                .iter()
                .any(|(s, face)| *s == script && face.glyph_index(c).is_some())
        };
        let mut pieces: Vec<(Script, String)> = Vec::new();
        let mut current = first_strong;
        for c in chars {
            let mut script = script_of(c).unwrap_or(current);
            if !has(script, c)
                && let Some((other, _)) =
                    faces.iter().find(|(_, face)| face.glyph_index(c).is_some())
            {
                script = *other;
            }
            current = script;
            match pieces.last_mut() {
                Some((last, piece)) if *last == script => piece.push(c),
                _ => pieces.push((script, c.to_string())),
            }
        }
        pieces
    }

    fn shape(&self, script: Script, weight: Weight, text: String, rtl: bool) -> Piece {
        let face = self.face(script, weight);
        let Some(rb_face) = rustybuzz::Face::from_slice(&face.data, 0) else {
            return Piece {
                script,
                text,
                glyphs: Vec::new(),
                advance: 0.0,
            };
        };
        let units_per_em = rb_face.units_per_em() as f32;
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(&text);
        buffer.set_direction(if rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        });
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&rb_face, &[], buffer);
        // Each glyph stands for the text from its cluster to the next cluster (logical order),
        // so copying text out of the PDF gives the name back.
        let mut clusters: Vec<usize> = output
            .glyph_infos()
            .iter()
            .map(|i| i.cluster as usize)
            .collect();
        clusters.sort_unstable();
        clusters.dedup();
        let mut glyphs = Vec::with_capacity(output.len());
        let mut advance = 0.0;
        for (info, position) in output.glyph_infos().iter().zip(output.glyph_positions()) {
            let start = info.cluster as usize;
            let end = clusters
                .iter()
                .copied()
                .find(|&c| c > start)
                .unwrap_or(text.len());
            let x_advance = position.x_advance as f32 / units_per_em;
            advance += x_advance;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                x_advance,
                position.x_offset as f32 / units_per_em,
                position.y_offset as f32 / units_per_em,
                position.y_advance as f32 / units_per_em,
                start..end,
                None,
            ));
        }
        Piece {
            script,
            text,
            glyphs,
            advance,
        }
    }

    /// Breaks text into lines no wider than `max_width` at spaces (a single long word stays
    /// whole). Breaking happens in logical order; each line is then laid out on its own.
    pub fn wrap(&self, text: &str, weight: Weight, size: f32, max_width: f32) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if !current.is_empty() && self.line(&candidate, weight).width(size) > max_width {
                lines.push(self.line(&current, weight));
                current = word.to_string();
            } else {
                current = candidate;
            }
        }
        if !current.is_empty() {
            lines.push(self.line(&current, weight));
        }
        lines
    }
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
    /// right edge depending on `align`.
    pub fn draw_line(&mut self, line: &Line, style: Style, x: f32, y: f32, align: Align) {
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
        baseline
    }

    pub fn rule(&mut self, x1: f32, y: f32, x2: f32, colour: (u8, u8, u8), width: f32) {
        let mut path = PathBuilder::new();
        path.move_to(x1, y);
        path.line_to(x2, y);
        if let Some(path) = path.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(stroke(colour, width)));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
        }
    }

    pub fn frame(&mut self, inset: f32, colour: (u8, u8, u8), width: f32) {
        let mut path = PathBuilder::new();
        if let Some(rect) = Rect::from_ltrb(inset, inset, PAGE_WIDTH - inset, PAGE_HEIGHT - inset) {
            path.push_rect(rect);
        }
        if let Some(path) = path.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(stroke(colour, width)));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
        }
    }

    /// The QR code's dark modules as filled rectangles (runs of a row merged), `size` points
    /// wide including a quiet zone of four modules.
    pub fn qr(&mut self, code: &QrCode, x: f32, y: f32, size: f32) {
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
        if let Some(path) = path.finish() {
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(fill((0, 0, 0))));
            self.surface.draw_path(&path);
        }
    }
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

/// A new A4 page.
pub fn a4_page(document: &mut Document) -> Result<Page<'_>, PdfError> {
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| PdfError::Krilla("invalid page size".into()))?;
    Ok(document.start_page_with(settings))
}

/// Writes a document as PDF/A-2u (archival, every glyph embedded and mapped to Unicode), so a
/// file kept opens the same in years. Text with characters none of the fonts has (a Chinese
/// name, say) cannot be PDF/A; that file is made as plain PDF, with boxes for those
/// characters, and the log says so. `draw` adds the pages to the document it is given.
pub fn write(
    title: &str,
    draw: impl Fn(&mut Document) -> Result<(), PdfError>,
) -> Result<Vec<u8>, PdfError> {
    let archival = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_U)
        .finish()
        .map_err(|error| PdfError::Krilla(format!("{error:?}")))?;
    match write_with(title, &draw, archival) {
        Err(PdfError::Validation(problems)) => {
            tracing::warn!(%problems, title, "PDF is not PDF/A; written as plain PDF");
            write_with(title, &draw, Configuration::default())
        }
        other => other,
    }
}

fn write_with(
    title: &str,
    draw: &impl Fn(&mut Document) -> Result<(), PdfError>,
    configuration: Configuration,
) -> Result<Vec<u8>, PdfError> {
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    });
    draw(&mut document)?;
    let now = time::OffsetDateTime::now_utc();
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language("nl".into())
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

    fn fonts() -> Option<Arc<Fonts>> {
        // Skips where fonts-noto-core is not installed; the integration tests demand it.
        super::fonts(Path::new("/usr/share/fonts/truetype/noto")).ok()
    }

    #[test]
    fn scripts_pick_their_font() {
        assert_eq!(script_of('a'), Some(Script::General));
        assert_eq!(script_of('ş'), Some(Script::General));
        assert_eq!(script_of('Ш'), Some(Script::General));
        assert_eq!(script_of('م'), Some(Script::Arabic));
        assert_eq!(script_of('ተ'), Some(Script::Ethiopic));
        assert_eq!(script_of(' '), None);
        assert_eq!(script_of('-'), None);
    }

    #[test]
    fn arabic_is_shaped_right_to_left_in_the_arabic_font() {
        let Some(fonts) = fonts() else { return };
        let line = fonts.line("مُحَمَّد الحداد", Weight::Regular);
        assert!(line.pieces.iter().all(|p| p.script == Script::Arabic));
        let glyphs: Vec<&KrillaGlyph> = line.pieces.iter().flat_map(|p| &p.glyphs).collect();
        // Right to left: the first glyph drawn is the end of the text.
        assert!(glyphs.first().is_some_and(|g| g.text_range.start > 0));
        // Shaping joins letters: the medial/final forms differ from the isolated glyph of ح.
        let isolated = fonts.line("ح", Weight::Regular);
        let lone = isolated.pieces[0].glyphs[0].glyph_id;
        let joined = fonts.line("الحداد", Weight::Regular);
        assert!(joined.pieces[0].glyphs.iter().all(|g| g.glyph_id != lone));
    }

    #[test]
    fn mixed_lines_use_a_font_per_script() {
        let Some(fonts) = fonts() else { return };
        let line = fonts.line("Olena Шевченко ተስፋይ مريم", Weight::Bold);
        let scripts: Vec<Script> = line.pieces.iter().map(|p| p.script).collect();
        assert!(scripts.contains(&Script::General));
        assert!(scripts.contains(&Script::Ethiopic));
        assert!(scripts.contains(&Script::Arabic));
        assert!(line.advance > 0.0);
        assert!(
            line.pieces
                .iter()
                .all(|p| p.glyphs.iter().all(|g| g.glyph_id.to_u32() != 0))
        );
    }

    #[test]
    fn wrapping_keeps_lines_inside_the_width() {
        let Some(fonts) = fonts() else { return };
        let text =
            "Buurtwerk De Brug · Woonzorgcentrum Ter Linde · Sportclub Vooruit · Bibliotheek";
        let lines = fonts.wrap(text, Weight::Regular, 12.0, 200.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width(12.0) <= 200.0));
    }

    #[test]
    fn qr_svg_has_a_quiet_zone() {
        let (size, d) = qr_svg_path("https://veertig.example/verify/ABCDEFGHJKMNPQR").expect("qr");
        assert!(size > 25);
        assert!(d.starts_with("M4 4h7"), "{d}");
    }
}
