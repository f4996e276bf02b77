//! refkeeper keeps the references of a manuscript honest: it reads BibLaTeX
//! bibliographies and the chapters that cite them (LaTeX, Pandoc/Quarto
//! Markdown, Typst) and reports missing entries, unused entries and broken
//! bibliography data, each at its file, line and column; it also formats
//! the References in any CSL style.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`inputs`] finds a project's files (command line, `refkeeper.toml`,
//!    defaults); [`source`] reads each once.
//! 2. [`bib`] parses the bibliography files (in parallel, with recovery),
//!    and reads what their values mean ([`bib::value`]).
//! 3. [`scan`] finds the citations in each chapter (in parallel), with the
//!    scanner its [`document::DocumentKind`] calls for.
//! 4. [`check`] resolves citations against the bibliography and checks the
//!    bibliography itself: pure data in, [`Diagnostic`]s out, one function
//!    per rule, the rules set by the configuration ([`check::RuleSet`]).
//! 5. [`render`] writes findings as text, JSON, GitHub annotations or
//!    SARIF; [`csl`] turns entries into References in a CSL style.
//!
//! A [`Session`] holds one project in memory and runs the work on it; each
//! piece of work returns an [`Outcome`]. The library never prints, and
//! writes a file only through [`mod@write`], which refuses when an input could
//! not be read.
//!
//! # Example
//!
//! A chapter checked against a bibliography, both held in strings:
//!
//! ```
//! use std::path::PathBuf;
//! use refkeeper::config::Config;
//! use refkeeper::source::{FileRole, SourceFile, SourceMap};
//! use refkeeper::{Code, Session};
//!
//! let mut sources = SourceMap::new();
//! sources.add(SourceFile::new(
//!     PathBuf::from("refs.bib"),
//!     FileRole::Bibliography,
//!     "@book{kim2007, author = {Kim, Minjun}, title = {Policy}, date = 2007}".to_owned(),
//! ));
//! sources.add(SourceFile::new(
//!     PathBuf::from("intro.md"),
//!     FileRole::Chapter,
//!     "As [@kim2007] and [@kim2008] show.".to_owned(),
//! ));
//! let session = Session::new(Config::default(), sources);
//! let report = session.check();
//!
//! let missing = report.findings.get(0).unwrap();
//! assert_eq!(missing.code, Code::MissingEntry);
//! assert_eq!(missing.key.as_deref(), Some("kim2008"));
//! assert_eq!(missing.help.as_deref(), Some("did you mean `kim2007`?"));
//! let place = report.sources.get(missing.primary.file).position(missing.primary.span.start);
//! assert_eq!((place.line, place.column), (1, 21));
//! assert_eq!(report.value.citations, 2);
//! ```
#![warn(missing_docs)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod bib;
pub mod check;
pub mod config;
pub mod csl;
pub mod diagnostic;
pub mod document;
pub mod findings;
pub mod init;
pub mod inputs;
pub mod overview;
pub mod project;
pub mod render;
pub mod scan;
mod session;
pub mod source;
pub mod subset;
pub mod watch;
pub mod write;

pub use diagnostic::{Code, Diagnostic, Level, Severity};
pub use findings::Findings;
pub use inputs::{ConfigSource, Request};
pub use session::{
    Analysis, Cited, Document, Error, ListedCitation, LiveCheck, Outcome, References, Report,
    Session, Style, withhold,
};
