//! What kind of document a file is, decided once from its extension, and
//! what follows from the kind: the scanner that reads its citations, the
//! marker lines of its References section ([`section`]) and the markup its
//! References are written in.

pub mod section;

use std::ops::Range;
use std::path::Path;

use crate::render::references::Target;
use section::Markers;

/// The kinds of document refkeeper reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocumentKind {
    /// `.tex`, `.ltx`: LaTeX with biblatex or natbib citation commands.
    Latex,
    /// `.md`, `.markdown`, `.Rmd`: Pandoc Markdown.
    Markdown,
    /// `.qmd`: Pandoc Markdown as Quarto reads it (`@fig-x` is a cross-reference).
    Quarto,
    /// `.typ`: Typst.
    Typst,
    /// `.html`, `.htm`: only ever written (a References page).
    Html,
    /// Any other file: only ever written, as plain text.
    Plain,
}

impl DocumentKind {
    /// The kind of a file, from its extension (case aside).
    pub fn of(path: &Path) -> DocumentKind {
        let Some(extension) = path.extension().and_then(|e| e.to_str()) else {
            return DocumentKind::Plain;
        };
        match extension.to_ascii_lowercase().as_str() {
            "tex" | "ltx" => DocumentKind::Latex,
            "md" | "markdown" | "rmd" => DocumentKind::Markdown,
            "qmd" => DocumentKind::Quarto,
            "typ" => DocumentKind::Typst,
            "html" | "htm" => DocumentKind::Html,
            _ => DocumentKind::Plain,
        }
    }

    /// The kind of a chapter file, whose citations refkeeper reads; `None`
    /// for other files.
    pub fn from_path(path: &Path) -> Option<DocumentKind> {
        Some(DocumentKind::of(path)).filter(|kind| kind.is_chapter())
    }

    /// Whether refkeeper reads citations in documents of this kind.
    pub fn is_chapter(self) -> bool {
        !matches!(self, DocumentKind::Html | DocumentKind::Plain)
    }

    /// The marker lines around the References section in this kind of
    /// document: HTML comments in Markdown, HTML and anything else.
    pub fn markers(self) -> Markers {
        match self {
            DocumentKind::Latex => section::LATEX,
            DocumentKind::Typst => section::TYPST,
            _ => section::MARKDOWN,
        }
    }

    /// The markup References are written in inside this kind of document.
    pub fn target(self) -> Target {
        match self {
            DocumentKind::Markdown | DocumentKind::Quarto => Target::Markdown,
            DocumentKind::Latex => Target::Latex,
            DocumentKind::Html => Target::Html,
            DocumentKind::Typst => Target::Typst,
            DocumentKind::Plain => Target::Text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_mapping_from_extensions_to_kinds() {
        let kind = |p: &str| DocumentKind::of(Path::new(p));
        assert_eq!(kind("a/b.TEX"), DocumentKind::Latex);
        assert_eq!(kind("x.Rmd"), DocumentKind::Markdown);
        assert_eq!(kind("x.qmd"), DocumentKind::Quarto);
        assert_eq!(kind("x.typ"), DocumentKind::Typst);
        assert_eq!(kind("x.htm"), DocumentKind::Html);
        assert_eq!(kind("x.txt"), DocumentKind::Plain);
        assert_eq!(kind("Makefile"), DocumentKind::Plain);
        assert_eq!(DocumentKind::from_path(Path::new("x.html")), None);
        assert_eq!(DocumentKind::Html.markers(), section::MARKDOWN);
        assert_eq!(DocumentKind::Typst.target(), Target::Typst);
        assert_eq!(DocumentKind::Quarto.target(), Target::Markdown);
    }
}

/// Where the YAML front matter of a Markdown text is: the lines between a
/// first line `---` (spaces after it allowed, as pandoc reads `--- `) and
/// the next line `---` or `...`; `None` when the text opens otherwise or
/// the block is not closed.
pub fn front_matter(text: &str) -> Option<Range<usize>> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "---" {
        return None;
    }
    let start = first_end + 1;
    let body = &text[start..];
    let closes = |line: &str| matches!(line.trim_end(), "---" | "...");
    if closes(body.lines().next().unwrap_or("")) {
        return Some(start..start);
    }
    body.match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| closes(body[i..].lines().next().unwrap_or("")))
        .map(|end| start..start + end)
}

#[cfg(test)]
mod front_matter_tests {
    use super::front_matter;

    #[test]
    fn the_first_block_only_and_closed() {
        let text = "--- \ntitle: x\n...\nbody\n";
        assert_eq!(front_matter(text).map(|r| &text[r]), Some("title: x\n"));
        assert_eq!(front_matter("---\n---\n").map(|r| r.len()), Some(0));
        assert_eq!(front_matter("text\n---\na: 1\n---\n"), None);
        assert_eq!(front_matter("---\nnot closed\n"), None);
    }
}
