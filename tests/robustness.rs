//! No input makes refkeeper panic or produce a span outside its text: every
//! scanner and the bibliography reader run over every corpus file (in every
//! format, whatever its extension) and over prefixes of it cut at many
//! places, which leaves unterminated groups, fences, comments and entries.
//! Also a handful of hostile inputs built here.

use std::path::{Path, PathBuf};

use refkeeper::bib::{BibInput, Bibliography};
use refkeeper::document::DocumentKind;
use refkeeper::scan::{ScanOptions, scan};
use refkeeper::source::FileId;

const FORMATS: [DocumentKind; 4] = [
    DocumentKind::Latex,
    DocumentKind::Markdown,
    DocumentKind::Quarto,
    DocumentKind::Typst,
];

fn corpus_texts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![
        root.join("tests/fixtures"),
        root.join("chapters"),
        root.join("refs"),
    ];
    let corpus = std::env::var_os("REFKEEPER_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus"));
    if corpus.is_dir() {
        dirs.push(corpus);
    }
    let mut texts = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                texts.push(text);
            }
        }
    }
    texts
}

/// Prefixes of `text` ending at about `cuts` places, on character boundaries.
fn prefixes(text: &str, cuts: usize) -> impl Iterator<Item = &str> {
    let step = (text.len() / cuts).max(1);
    (0..text.len())
        .step_by(step)
        .filter(|&n| text.is_char_boundary(n))
        .map(move |n| &text[..n])
}

fn exercise(text: &str) {
    let options = ScanOptions::default();
    for format in FORMATS {
        let out = scan(text, format, &options);
        for citation in &out.citations {
            assert!(
                text.get(citation.span.clone()).is_some(),
                "{format:?}: bad span {:?}",
                citation.span
            );
        }
    }
    let (bib, diagnostics) = Bibliography::read(&[BibInput::bib(FileId(0), text)]);
    for entry in &bib.entries {
        assert!(text.get(entry.key_span()).is_some());
        assert!(text.get(entry.span().clone()).is_some());
    }
    for d in diagnostics {
        assert!(
            text.get(d.primary.span.clone()).is_some(),
            "{}: bad span {:?}",
            d.message,
            d.primary.span
        );
    }
}

#[test]
fn every_corpus_file_and_its_prefixes_in_every_format() {
    for text in corpus_texts() {
        exercise(&text);
        for prefix in prefixes(&text, 16) {
            exercise(prefix);
        }
    }
}

#[test]
fn hostile_inputs() {
    let deep = format!(
        "@misc{{a, title = {}x{}}}",
        "{".repeat(100_000),
        "}".repeat(100_000)
    );
    let deep_open = format!("\\cite{{{}", "{".repeat(100_000));
    let cases = [
        String::new(),
        "\u{feff}".to_owned(),
        "@".to_owned(),
        "@@@@{{{{".to_owned(),
        "\\".to_owned(),
        "\\verb".to_owned(),
        "`".repeat(10_000),
        "$".repeat(10_000),
        "[".repeat(10_000) + "@a",
        "<!--".to_owned(),
        "---\nnocite: |\n  @a".to_owned(),
        "#cite(".to_owned(),
        "/* /* /*".to_owned(),
        "a\rb\r\n@c\r".to_owned(),
        "@misc{k, title = \"unterminated".to_owned(),
        "@string{x = x # x # y}@misc{k, crossref = x}".to_owned(),
        "@comment{".to_owned(),
        "ü\\citeü{ü,é}\\verbü".to_owned(),
        deep,
        deep_open,
    ];
    for case in &cases {
        exercise(case);
    }
}
