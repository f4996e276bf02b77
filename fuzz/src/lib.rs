//! What the fuzz targets share: a project built in memory, and the check
//! that a scanner's spans are slices of the text it scanned.

use std::path::PathBuf;

use refkeeper::Session;
use refkeeper::config::Config;
use refkeeper::document::DocumentKind;
use refkeeper::scan::{ScanOptions, scan};
use refkeeper::source::{FileRole, SourceFile, SourceMap};

/// A project of one `fuzz.bib` and, if given, one `chapter.tex`.
pub fn project(bib: String, chapter: Option<&str>) -> Session {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new(
        PathBuf::from("fuzz.bib"),
        FileRole::Bibliography,
        bib,
    ));
    if let Some(chapter) = chapter {
        sources.add(SourceFile::new(
            PathBuf::from("chapter.tex"),
            FileRole::Chapter,
            chapter.to_owned(),
        ));
    }
    Session::new(Config::default(), sources)
}

/// Scans `text` and panics unless every citation's span is a slice of it
/// (on character boundaries, inside the text): renderers cut there.
pub fn scan_and_check_spans(text: &str, format: DocumentKind) {
    let output = scan(text, format, &ScanOptions::default());
    for citation in &output.citations {
        assert!(
            text.get(citation.span.clone()).is_some(),
            "{format:?}: span {:?} of {:?} is not a slice of the text",
            citation.span,
            citation.key
        );
    }
}
