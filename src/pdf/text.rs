//! The fonts and the text layout of every PDF: which Noto font draws which script, and lines
//! shaped (bidi runs in visual order, a font per script, rustybuzz) and wrapped, ready for the
//! painter of [`super`] to draw.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use krilla::text::{Font, GlyphId, KrillaGlyph};
use rustybuzz::{Direction, UnicodeBuffer};
use unicode_bidi::BidiInfo;

/// The font files of `FONT_DIR`: regular and bold of each script, in the order [`Fonts::face`]
/// reads them.
pub const FONT_FILES: [&str; 6] = [
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansEthiopic-Regular.ttf",
    "NotoSansEthiopic-Bold.ttf",
];

/// The font collections of `CJK_FONT_DIR`, regular and bold, after the others.
pub const CJK_FONT_FILES: [&str; 2] = ["NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"];

/// The face of the CJK collections we draw with: Simplified Chinese (0 is Japanese, 1 Korean,
/// 2 Simplified, 3 Traditional Chinese). Each has every Han character, kana and hangul; only
/// some Han glyph shapes differ by region, and a name we cannot place in a region reads the
/// same in any of them.
const CJK_FACE_INDEX: u32 = 2;

#[derive(Debug, Clone, thiserror::Error)]
pub enum FontError {
    #[error(
        "font file {0} is missing: install Debian's fonts-noto-core and fonts-noto-cjk \
         (apt-get install fonts-noto-core fonts-noto-cjk), or point FONT_DIR at a folder with \
         {files} and CJK_FONT_DIR at one with {cjk}",
        files = FONT_FILES.join(", "),
        cjk = CJK_FONT_FILES.join(", ")
    )]
    Missing(PathBuf),
    #[error("font file {0} cannot be read as a font: reinstall fonts-noto-core and fonts-noto-cjk")]
    Unreadable(PathBuf),
}

/// The script families we have a font for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Script {
    /// Latin (with diacritics), Greek, Cyrillic and the rest of Noto Sans.
    General,
    Arabic,
    Ethiopic,
    /// Han, kana and hangul.
    Cjk,
}

impl Script {
    const ALL: [Script; 4] = [
        Script::General,
        Script::Arabic,
        Script::Ethiopic,
        Script::Cjk,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

pub(super) struct Face {
    data: Arc<Vec<u8>>,
    /// Which face of the file (a collection holds several).
    index: u32,
    pub(super) font: Font,
}

impl Face {
    fn shaper(&self) -> Option<rustybuzz::Face<'_>> {
        rustybuzz::Face::from_slice(&self.data, self.index)
    }
}

/// The eight font files, read and checked.
pub struct Fonts {
    faces: Vec<Face>,
}

/// Where the fonts are: `FONT_DIR` and `CJK_FONT_DIR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontDirs {
    pub noto: PathBuf,
    pub cjk: PathBuf,
}

impl Fonts {
    /// Reads the fonts from `dirs` (no cache; see [`fonts`]).
    pub fn load(dirs: &FontDirs) -> Result<Self, FontError> {
        let files = FONT_FILES
            .iter()
            .map(|file| (dirs.noto.join(file), 0))
            .chain(
                CJK_FONT_FILES
                    .iter()
                    .map(|file| (dirs.cjk.join(file), CJK_FACE_INDEX)),
            );
        let mut faces = Vec::with_capacity(FONT_FILES.len() + CJK_FONT_FILES.len());
        for (path, index) in files {
            let bytes = std::fs::read(&path).map_err(|_| FontError::Missing(path.clone()))?;
            let data = Arc::new(bytes);
            if rustybuzz::Face::from_slice(&data, index).is_none() {
                return Err(FontError::Unreadable(path));
            }
            let font = Font::new(data.clone().into(), index).ok_or(FontError::Unreadable(path))?;
            faces.push(Face { data, index, font });
        }
        Ok(Self { faces })
    }

    pub(super) fn face(&self, script: Script, weight: Weight) -> &Face {
        let slot = match script {
            Script::General => 0,
            Script::Arabic => 2,
            Script::Ethiopic => 4,
            Script::Cjk => 6,
        } + usize::from(weight == Weight::Bold);
        &self.faces[slot]
    }
}

type FontCache = Vec<(FontDirs, Result<Arc<Fonts>, FontError>)>;
static FONT_CACHE: Mutex<FontCache> = Mutex::new(Vec::new());

/// The fonts of `dirs`, read on first use and kept for the life of the process. A failure is
/// kept too (and logged once, with the fix): after installing the fonts, restart Veertig.
pub fn fonts(dirs: &FontDirs) -> Result<Arc<Fonts>, FontError> {
    let mut cache = FONT_CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, fonts)) = cache.iter().find(|(cached, _)| cached == dirs) {
        return fonts.clone();
    }
    let loaded = Fonts::load(dirs).map(Arc::new);
    match &loaded {
        Ok(_) => {
            tracing::info!(dir = %dirs.noto.display(), cjk = %dirs.cjk.display(), "certificate fonts loaded")
        }
        Err(error) => tracing::error!(
            %error,
            "certificate PDFs are unavailable until the fonts are installed and Veertig restarted"
        ),
    }
    cache.push((dirs.clone(), loaded.clone()));
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
        // Hangul jamo and syllables, kana, Han (with its extensions and compatibility forms).
        0x1100..=0x11FF
        | 0x3040..=0x30FF
        | 0x3130..=0x318F
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0x20000..=0x3134F => Some(Script::Cjk),
        _ if c.is_alphabetic() => Some(Script::General),
        _ => None,
    }
}

/// A piece of a line in one font and one direction, shaped.
pub(super) struct Piece {
    pub(super) script: Script,
    pub(super) text: String,
    pub(super) glyphs: Vec<KrillaGlyph>,
    /// Sum of the advances, in em.
    pub(super) advance: f32,
}

/// One line of text, its pieces in visual order (left to right).
pub struct Line {
    /// The text in logical order, as given.
    pub text: String,
    /// Whether the text runs right to left (its first strong character does).
    pub(super) rtl: bool,
    pub(super) pieces: Vec<Piece>,
    pub(super) weight: Weight,
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
        let rtl = bidi.paragraphs.first().is_some_and(|p| p.level.is_rtl());
        Line {
            text,
            rtl,
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
        let faces: Vec<(Script, rustybuzz::Face<'_>)> = Script::ALL
            .into_iter()
            .filter_map(|s| self.face(s, weight).shaper().map(|f| (s, f)))
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
        let Some(rb_face) = face.shaper() else {
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

/// The language tag of text in a script other than Latin: the language of a name is not
/// known, its script is (BCP 47 "undetermined" with the script), so a screen reader does not
/// read it as Dutch. Latin text keeps the document's Dutch.
pub(super) fn script_lang(text: &str) -> Option<&'static str> {
    let first = text.chars().find(|c| c.is_alphabetic())?;
    Some(match u32::from(first) {
        0x0370..=0x03FF | 0x1F00..=0x1FFF => "und-Grek",
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => "und-Cyrl",
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => "und-Kore",
        0x3040..=0x30FF | 0x31F0..=0x31FF => "und-Jpan",
        _ => match script_of(first)? {
            Script::General => return None,
            Script::Arabic => "und-Arab",
            Script::Ethiopic => "und-Ethi",
            Script::Cjk => "und-Hani",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn fonts() -> Option<Arc<Fonts>> {
        // Skips where fonts-noto-core is not installed; the integration tests demand it.
        super::fonts(&FontDirs {
            noto: Path::new("/usr/share/fonts/truetype/noto").into(),
            cjk: Path::new("/usr/share/fonts/opentype/noto").into(),
        })
        .ok()
    }

    #[test]
    fn scripts_pick_their_font() {
        assert_eq!(script_of('a'), Some(Script::General));
        assert_eq!(script_of('ş'), Some(Script::General));
        assert_eq!(script_of('Ш'), Some(Script::General));
        assert_eq!(script_of('م'), Some(Script::Arabic));
        assert_eq!(script_of('ተ'), Some(Script::Ethiopic));
        assert_eq!(script_of('李'), Some(Script::Cjk));
        assert_eq!(script_of('민'), Some(Script::Cjk));
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
}
