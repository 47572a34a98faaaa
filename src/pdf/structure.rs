//! The structure tree of a PDF: what a screen reader reads, in reading order (tagged PDF,
//! PDF/UA-1). Drawing on a page only paints glyphs and paths; the painter records beside each
//! piece of text, each figure and each table which structure element it belongs to, here.
//! Frames and rules are decoration (artifacts) and stay out of the tree. Each page also gets a
//! bookmark (the outline PDF/UA asks for), so a reader can jump between certificates.

use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::outline::{Outline, OutlineNode};
use krilla::tagging::{Node, TagGroup, TagKind, TagTree};

/// The tree being built for one document: the elements still open, innermost last, and the
/// finished top-level elements.
#[derive(Default)]
pub struct Structure {
    top: Vec<Node>,
    open: Vec<TagGroup>,
    bookmarks: Vec<OutlineNode>,
}

/// Whether an element holds text itself (a paragraph, a heading, a table cell) rather than
/// other elements (a section, a table, a row).
fn holds_text(tag: &TagKind) -> bool {
    matches!(
        tag,
        TagKind::P(_)
            | TagKind::Hn(_)
            | TagKind::TH(_)
            | TagKind::TD(_)
            | TagKind::Span(_)
            | TagKind::Caption(_)
            | TagKind::Lbl(_)
            | TagKind::LBody(_)
    )
}

impl Structure {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts an element (a heading, a table row…); what is drawn until [`Structure::close`]
    /// belongs to it.
    pub fn open(&mut self, tag: impl Into<TagKind>) {
        self.open.push(TagGroup::new(tag));
    }

    /// Ends the innermost open element and adds it to the one around it.
    pub fn close(&mut self) {
        if let Some(group) = self.open.pop() {
            self.push(group);
        }
    }

    /// Adds a finished element or a piece of content to the innermost open element.
    pub fn push(&mut self, node: impl Into<Node>) {
        match self.open.last_mut() {
            Some(group) => group.push(node),
            None => self.top.push(node.into()),
        }
    }

    /// Whether text drawn now lands inside an element that holds text; elsewhere (at the top,
    /// in a section) a line of text needs a paragraph of its own.
    pub fn takes_text(&self) -> bool {
        self.open.last().is_some_and(|group| holds_text(&group.tag))
    }

    /// Whether the innermost open element is a paragraph.
    pub fn in_paragraph(&self) -> bool {
        self.open
            .last()
            .is_some_and(|group| matches!(group.tag, TagKind::P(_)))
    }

    /// Bookmarks the page that was just started (pages are counted as they are bookmarked).
    pub fn bookmark_page(&mut self, text: String) {
        let page = self.bookmarks.len();
        let top_left = XyzDestination::new(page, Point::from_xy(0.0, 0.0));
        self.bookmarks.push(OutlineNode::new(text, top_left));
    }

    /// The tree, in the document's language (elements left open are closed), and the outline.
    pub fn finish(mut self, lang: &str) -> (TagTree, Outline) {
        while !self.open.is_empty() {
            self.close();
        }
        let mut outline = Outline::new();
        for bookmark in self.bookmarks {
            outline.push_child(bookmark);
        }
        let tree = TagTree::from(self.top).with_lang(Some(lang.to_string()));
        (tree, outline)
    }
}
