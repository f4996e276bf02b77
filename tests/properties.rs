//! Property tests of the scanners and the References updater: a citation
//! put anywhere a scanner should see it is found, with the span of its
//! key; prose without citation syntax yields nothing; the updater keeps
//! every byte outside its markers and is idempotent.

use proptest::prelude::*;
use refkeeper::document::DocumentKind;
use refkeeper::document::section::{self, LATEX, MARKDOWN, Markers, SectionError, TYPST};
use refkeeper::scan::{ScanOptions, scan};

/// A citation key as authors write them: `kim2007`, `kim-2007-korea`,
/// `lee_2010b`, `park:2011`.
fn key() -> impl Strategy<Value = String> {
    // Four letters or more first: Quarto reads `@fig-x`, `@sec-x`, `@eq-x`
    // (two or three letters) as cross-references.
    "[a-z]{4,8}[0-9]{0,4}([-_:][a-z0-9]{1,6}){0,2}"
}

/// Prose with no citation syntax of any format: no `\`, `@`, `#`, `[`,
/// `<`, `%`, braces or backticks, but Unicode letters, punctuation and
/// every line ending.
fn prose() -> impl Strategy<Value = Vec<String>> {
    let word = prop_oneof![
        "[a-zA-Z]{1,10}",
        "[0-9]{1,4}",
        Just("Kazakhstan".to_owned()),
        Just("Республика".to_owned()),
        Just("한국의".to_owned()),
        Just("Nordström".to_owned()),
        "[.,;:!?()'\"-]",
    ];
    let space = prop_oneof![
        4 => Just(" ".to_owned()),
        1 => Just("\n".to_owned()),
        1 => Just("\r\n".to_owned()),
        1 => Just("\n\n".to_owned()),
    ];
    prop::collection::vec((word, space).prop_map(|(w, s)| w + &s), 0..60)
}

/// One citation in each format's usual syntax, with the offset of its key.
fn citation(format: DocumentKind, key: &str) -> (String, usize) {
    match format {
        DocumentKind::Latex => (format!("\\parencite[see][12]{{{key}}}"), 20),
        DocumentKind::Markdown
        | DocumentKind::Quarto
        | DocumentKind::Html
        | DocumentKind::Plain => (format!("[see @{key}, p. 12]"), 6),
        DocumentKind::Typst => (format!("@{key} "), 1),
    }
}

/// The prose's tokens with citations put before the tokens at `places`,
/// and the keys with the spans where they landed.
fn with_citations(
    format: DocumentKind,
    tokens: &[String],
    cited: &[(usize, String)],
) -> (String, Vec<(String, std::ops::Range<usize>)>) {
    let mut text = String::new();
    let mut expected = Vec::new();
    let mut cited: Vec<&(usize, String)> = cited.iter().collect();
    cited.sort_by_key(|(place, _)| *place);
    let mut next = cited.into_iter().peekable();
    for (index, token) in tokens
        .iter()
        .enumerate()
        .chain([(tokens.len(), &String::new())])
    {
        while let Some((_, key)) = next.next_if(|(place, _)| *place.min(&tokens.len()) == index) {
            // A citation starts a word: after a space, as authors write it.
            if !text.is_empty() && !text.ends_with([' ', '\n']) {
                text.push(' ');
            }
            let (cite, offset) = citation(format, key);
            let start = text.len() + offset;
            expected.push((key.clone(), start..start + key.len()));
            text.push_str(&cite);
            text.push(' ');
        }
        text.push_str(token);
    }
    (text, expected)
}

fn found(text: &str, format: DocumentKind) -> Vec<(String, std::ops::Range<usize>)> {
    scan(text, format, &ScanOptions::default())
        .citations
        .into_iter()
        .map(|c| (c.key.into(), c.span))
        .collect()
}

const FORMATS: [DocumentKind; 4] = [
    DocumentKind::Latex,
    DocumentKind::Markdown,
    DocumentKind::Quarto,
    DocumentKind::Typst,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn prose_alone_cites_nothing(tokens in prose()) {
        let text: String = tokens.concat();
        for format in FORMATS {
            let output = scan(&text, format, &ScanOptions::default());
            prop_assert!(output.citations.is_empty(), "{format:?} found {:?} in {text:?}", output.citations);
            prop_assert!(output.cite_all.is_empty());
        }
    }

    #[test]
    fn citations_anywhere_in_prose_are_found_at_their_keys(
        tokens in prose(),
        cited in prop::collection::vec((0usize..80, key()), 1..6),
    ) {
        for format in FORMATS {
            let (text, expected) = with_citations(format, &tokens, &cited);
            for (key, span) in &expected {
                prop_assert_eq!(&text[span.clone()], key.as_str());
            }
            prop_assert_eq!(found(&text, format), expected, "{:?} in {:?}", format, text);
        }
    }

    #[test]
    fn the_updater_keeps_the_outside_and_is_idempotent(
        before in prose(),
        old in prose(),
        after in prose(),
        body in prose(),
        crlf in any::<bool>(),
    ) {
        for markers in [MARKDOWN, LATEX, TYPST] {
            let newline = if crlf { "\r\n" } else { "\n" };
            let head = format!("{}{newline}{}{newline}", before.concat(), markers.begin);
            let tail = format!("{}{newline}{}", markers.end, after.concat());
            let text = format!("{head}{}{newline}{tail}", old.concat());
            let body = body.concat();
            let updated = section::replace(&text, markers, &body).unwrap();
            prop_assert!(updated.starts_with(&head));
            prop_assert!(updated.ends_with(&tail));
            let again = section::replace(&updated, markers, &body).unwrap();
            prop_assert_eq!(&again, &updated);
        }
    }

    #[test]
    fn a_body_holding_a_marker_line_is_refused_whole(
        body in prose(),
        at in 0usize..60,
        which in any::<bool>(),
    ) {
        let markers: Markers = MARKDOWN;
        let marker = if which { markers.begin } else { markers.end };
        let mut lines: Vec<String> = body.concat().split('\n').map(str::to_owned).collect();
        let at = at.min(lines.len());
        lines.insert(at, format!("  {marker}"));
        let body = lines.join("\n");
        let text = format!("x\n{}\nold\n{}\ny\n", markers.begin, markers.end);
        let refused = matches!(
            section::replace(&text, markers, &body),
            Err(SectionError::MarkerInBody { .. })
        );
        prop_assert!(refused);
    }
}

/// Found by the `section` fuzz target (fuzz/artifacts/section/crash-9fbe1cc9…,
/// minimised by hand): a lone CR in the body ends a line once written, so
/// a marker after it became a second begin line and the next update
/// failed with "more than one begin line".
#[test]
fn a_marker_after_a_lone_cr_in_the_body_is_refused() {
    let text = "x\n<!-- refkeeper:begin references -->\nold\n<!-- refkeeper:end references -->\n";
    let body = "Kim (2007).\r<!-- refkeeper:begin references -->";
    assert_eq!(
        section::replace(text, MARKDOWN, body),
        Err(SectionError::MarkerInBody {
            marker: MARKDOWN.begin,
            line: 2
        })
    );
}

proptest! {
    /// However long the line and whatever its characters, the human
    /// format names the finding at the column the concise format gives,
    /// and never prints a snippet line much longer than the window.
    #[test]
    fn long_lines_are_cut_on_characters_at_the_right_column(
        before in "[a-zé ж😀,.]{0,400}",
        after in "[a-zé ж😀,.]{0,400}",
    ) {
        use refkeeper::render::{self, OutputFormat, RenderOptions};
        use refkeeper::source::{FileRole, SourceFile, SourceMap};
        let mut sources = SourceMap::new();
        sources.add(SourceFile::new(
            "refs.bib".into(),
            FileRole::Bibliography,
            "@book{kim2007, author = {Kim, M}, title = {P}, date = 2007}".to_owned(),
        ));
        sources.add(SourceFile::new(
            "intro.md".into(),
            FileRole::Chapter,
            format!("[@kim2007]\n{before} [@absent] {after}\n"),
        ));
        let report = refkeeper::Session::new(refkeeper::config::Config::default(), sources).check();
        let out = |format| {
            let mut out = Vec::new();
            let options = RenderOptions { color: false, quiet: true };
            render::render(&report, format, options, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let concise = out(OutputFormat::Concise);
        let human = out(OutputFormat::Human);
        let column = before.chars().count() + 4;
        let place = format!("intro.md:2:{column}");
        prop_assert!(concise.starts_with(&format!("{place}: error")), "{}", concise);
        prop_assert!(human.contains(&format!("┌─ {place}\n")), "{}", human);
        for line in human.lines() {
            prop_assert!(line.chars().count() < 280, "{}", line);
        }
    }
}
