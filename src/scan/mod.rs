//! The scan stage: citation keys out of chapter texts, with byte spans.
//!
//! One scanner per format, each a pure function of the text: [`latex`],
//! [`markdown`] (Pandoc, Quarto, R Markdown) and [`typst`]. A scanner skips
//! what its format does not read as citations (comments, verbatim, code).

pub mod latex;
pub mod markdown;
pub mod typst;

use std::path::Path;

use crate::source::Span;

/// The chapter formats refkeeper reads, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// `.tex`, `.ltx`: LaTeX with biblatex or natbib citation commands.
    Latex,
    /// `.md`, `.markdown`, `.Rmd`: Pandoc Markdown.
    Markdown,
    /// `.qmd`: Pandoc Markdown as Quarto reads it (`@fig-x` is a cross-reference).
    Quarto,
    /// `.typ`: Typst.
    Typst,
}

impl Format {
    /// The format a file is read as, from its extension; `None` for other files.
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?;
        Some(match extension.to_ascii_lowercase().as_str() {
            "tex" | "ltx" => Format::Latex,
            "md" | "markdown" | "rmd" => Format::Markdown,
            "qmd" => Format::Quarto,
            "typ" => Format::Typst,
            _ => return None,
        })
    }
}

/// How a key was cited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiteKind {
    /// Cited in the text.
    Cite,
    /// Listed without being printed (`\nocite{key}`, Pandoc `nocite`).
    Nocite,
    /// A Typst `@name`: a citation unless the document defines a label `<name>`.
    TypstRef,
}

/// One cited key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    pub key: String,
    /// The span of the key alone.
    pub span: Span,
    pub kind: CiteKind,
}

/// What one file yields.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanOutput {
    pub citations: Vec<Citation>,
    /// Places that cite every entry (`\nocite{*}`, `nocite: '@*'`).
    pub cite_all: Vec<Span>,
    /// Labels the file defines (Typst `<name>`), which `@name` then refers to.
    pub labels: Vec<String>,
}

/// Settings shared by all scanners.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub latex: latex::Commands,
}

/// Scans one file's text.
pub fn scan(text: &str, format: Format, options: &ScanOptions) -> ScanOutput {
    match format {
        Format::Latex => latex::scan(text, &options.latex),
        Format::Markdown => markdown::scan(text, markdown::Dialect::Pandoc),
        Format::Quarto => markdown::scan(text, markdown::Dialect::Quarto),
        Format::Typst => typst::scan(text),
    }
}
