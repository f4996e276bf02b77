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
    // What a file includes and declares is named where it is written.
    let paths = (output.includes.iter().map(|i| (&i.span, &i.path)))
        .chain(output.bibliographies.iter().map(|b| (&b.span, &b.path)));
    for (span, path) in paths {
        let slice = text.get(span.clone());
        assert!(
            slice.is_some(),
            "{format:?}: span {span:?} of {path:?} is not a slice of the text"
        );
        if format == DocumentKind::Latex {
            assert_eq!(
                slice,
                Some(path.as_str()),
                "{format:?}: the path is what is written"
            );
        }
    }
}

/// The readers of Markdown documents (front matter, include shortcodes)
/// on arbitrary text: no panic, and every include's span is a slice of the
/// text holding its path.
pub fn markdown_project(text: &str) {
    let _ = refkeeper::project::front_matter(text);
    for include in refkeeper::project::shortcode_includes(text) {
        assert_eq!(
            text.get(include.span.clone()),
            Some(include.path.as_str()),
            "span {:?}",
            include.span
        );
    }
}
