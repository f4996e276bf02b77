//! Every folder under `tests/fixtures/` is a small project; each is checked
//! and its human and JSON output snapshotted. Each diagnostic code has a
//! fixture that triggers it, and `clean` must trigger none.

use std::path::{Path, PathBuf};

use refkeeper::diagnostic::Code;
use refkeeper::render::{self, OutputFormat, RenderOptions};
use refkeeper::{ConfigSource, Report, Request};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn check(name: &str) -> Report {
    let dir = fixture(name);
    let config = dir.join("refkeeper.toml");
    let request = Request {
        config: if config.exists() {
            ConfigSource::File(config)
        } else {
            ConfigSource::Ignore
        },
        cwd: dir,
        ..Request::default()
    };
    refkeeper::Session::load(&request)
        .expect("fixture runs")
        .check()
}

fn rendered(report: &Report, format: OutputFormat) -> String {
    let mut out = Vec::new();
    render::render(
        report,
        format,
        RenderOptions {
            color: false,
            quiet: false,
        },
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

/// Codes and keys found, for assertions that do not depend on wording.
fn findings(report: &Report) -> Vec<(Code, String)> {
    report
        .findings
        .iter()
        .map(|d| (d.code, d.key.clone().unwrap_or_default()))
        .collect()
}

fn snapshot(name: &str) -> Report {
    let report = check(name);
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("{name}.human"), rendered(&report, OutputFormat::Human));
        insta::assert_snapshot!(format!("{name}.json"), rendered(&report, OutputFormat::Json));
    });
    report
}

#[test]
fn clean_project_has_no_findings() {
    let report = snapshot("clean");
    assert!(report.findings.is_empty(), "{:?}", findings(&report));
    assert!(report.unread.is_empty());
    assert_eq!(report.chapter_count(), 3);
}

#[test]
fn missing_entry() {
    let report = snapshot("missing-entry");
    let missing: Vec<String> = findings(&report)
        .into_iter()
        .filter(|(c, _)| *c == Code::MissingEntry)
        .map(|(_, k)| k)
        .collect();
    assert_eq!(
        missing,
        vec![
            "kim-2007-koera",
            "kim-2007-koera",
            "scott70",
            "nobody-knows"
        ]
    );
}

#[test]
fn unused_entry_with_allow_list() {
    let report = snapshot("unused-entry");
    assert_eq!(
        findings(&report),
        vec![(Code::UnusedEntry, "never-cited".to_owned())]
    );
}

#[test]
fn nocite_all_silences_unused() {
    let report = check("nocite-all");
    assert!(report.findings.is_empty(), "{:?}", findings(&report));
}

#[test]
fn duplicate_key() {
    let report = snapshot("duplicate-key");
    assert!(
        findings(&report)
            .iter()
            .all(|(c, _)| *c == Code::DuplicateKey)
    );
    assert_eq!(report.findings.len(), 3);
}

#[test]
fn bib_syntax() {
    let report = snapshot("bib-syntax");
    let codes: Vec<Code> = report.findings.iter().map(|d| d.code).collect();
    // Three broken entries; their keys still resolve, so no missing-entry.
    assert_eq!(codes, vec![Code::BibSyntax; 3]);
}

#[test]
fn missing_crossref() {
    let report = snapshot("missing-crossref");
    assert_eq!(
        findings(&report),
        vec![
            (Code::MissingCrossref, "procedings2006".to_owned()),
            (Code::UnusedEntry, "proceedings2006".to_owned()),
            (Code::MissingCrossref, "gone".to_owned()),
        ]
    );
}

#[test]
fn configured_levels_and_globs() {
    let report = snapshot("levels");
    let found: Vec<(Code, &str)> = report
        .findings
        .iter()
        .map(|d| (d.code, d.severity.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (Code::MissingEntry, "warning"),
            (Code::UnusedEntry, "error")
        ]
    );
    assert_eq!(report.chapter_count(), 1, "the glob takes only Markdown");
}

#[test]
fn quarto_and_pandoc_crossref_references() {
    let report = snapshot("quarto");
    assert_eq!(
        findings(&report),
        vec![(Code::MissingEntry, "fig-plot".to_owned())]
    );
}
