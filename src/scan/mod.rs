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
    pub key: Box<str>,
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
    /// The files this one reads in (`\input`, `\include`, `#include`), in
    /// text order.
    pub includes: Vec<Include>,
    /// The bibliographies this file declares (`\addbibresource`,
    /// `\bibliography`, `#bibliography`), in text order.
    pub bibliographies: Vec<Declared>,
    /// LaTeX: the files `\includeonly` lets `\include` read, if it is used.
    pub include_only: Option<Vec<String>>,
    /// LaTeX: the file starts a document (`\documentclass`).
    pub is_root: bool,
    /// Markdown: citations joined by a comma in one pair of brackets
    /// (`[@a, @b]`), which Pandoc reads as one citation whose suffix holds
    /// the second.
    pub comma_joined: Vec<CommaJoined>,
}

/// `[@a, @b]`: the second citation, after the first and a comma.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommaJoined {
    /// The first key.
    pub first: String,
    /// The second key.
    pub second: String,
    /// The span of the second key.
    pub span: Span,
}

/// A file a document reads in, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The path as written.
    pub path: String,
    /// The span of the path in the text.
    pub span: Span,
    /// The command, which decides how the path is resolved.
    pub how: IncludeHow,
}

/// How an included path is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncludeHow {
    /// LaTeX `\input`: relative to the base folder, `.tex` optional.
    Input,
    /// LaTeX `\include`: relative to the base folder, `.tex` added;
    /// `\includeonly` may leave it out.
    Include,
    /// `\subfile` (the subfiles package): relative to the including file.
    Subfile,
    /// `\import{dir}{file}` and its kin: the file in `dir`, which becomes
    /// the base folder of what it includes in turn; `dir` is relative to
    /// the including file's folder for `\subimport` and its kin, else to
    /// the base folder.
    Import {
        /// The folder, as written.
        dir: String,
        /// Relative to the including file (`\subimport`).
        relative: bool,
    },
    /// Typst `#include "file"`: relative to the including file.
    Typst,
    /// Quarto `{{< include file >}}`: relative to the including file (to
    /// the project when it starts with `/`).
    Shortcode,
}

/// A bibliography a document declares, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The path as written.
    pub path: String,
    /// The span of the path in the text.
    pub span: Span,
    /// The command, which decides how the path is resolved.
    pub how: DeclaredHow,
}

/// How a declared bibliography's path is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclaredHow {
    /// biblatex `\addbibresource` (and `\addglobalbib`, `\addsectionbib`):
    /// relative to the main document's folder, the extension written out.
    Biblatex,
    /// biblatex with `[location=remote]`: a URL, not read.
    Remote,
    /// BibTeX `\bibliography{a,b}`: relative to the main document's
    /// folder, `.bib` optional.
    Bibtex,
    /// Typst `#bibliography(...)`: relative to the declaring file.
    Typst,
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
