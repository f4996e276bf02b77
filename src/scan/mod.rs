//! The scan stage: citation keys out of chapter texts, with byte spans.
//!
//! One scanner per format, each a pure function of the text: [`latex`],
//! [`markdown`] (Pandoc, Quarto, R Markdown) and [`typst`]. A scanner skips
//! what its format does not read as citations (comments, verbatim, code).

pub mod latex;
pub mod markdown;
pub mod typst;

use crate::document::DocumentKind;
use crate::source::Span;

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
    /// The key as written.
    pub key: String,
    /// The span of the key alone.
    pub span: Span,
    /// How it is cited.
    pub kind: CiteKind,
}

/// What one file yields.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanOutput {
    /// Every cited key, in text order.
    pub citations: Vec<Citation>,
    /// Places that cite every entry (`\nocite{*}`, `nocite: '@*'`).
    pub cite_all: Vec<Span>,
    /// Labels the file defines (Typst `<name>`), which `@name` then refers to.
    pub labels: Vec<String>,
}

/// Settings shared by all scanners.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// The LaTeX citation and verbatim commands.
    pub latex: latex::Commands,
}

/// Scans one file's text.
///
/// Documents that are not chapters (HTML, plain text) are read as Pandoc
/// Markdown, the most lenient of the three syntaxes.
pub fn scan(text: &str, kind: DocumentKind, options: &ScanOptions) -> ScanOutput {
    match kind {
        DocumentKind::Latex => latex::scan(text, &options.latex),
        DocumentKind::Markdown | DocumentKind::Html | DocumentKind::Plain => {
            markdown::scan(text, markdown::Dialect::Pandoc)
        }
        DocumentKind::Quarto => markdown::scan(text, markdown::Dialect::Quarto),
        DocumentKind::Typst => typst::scan(text),
    }
}
