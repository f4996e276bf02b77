//! Hygiene on what reference managers export: one fixture shaped as each
//! of Mendeley Desktop, Zotero, JabRef and Google Scholar write BibTeX
//! (tests/fixtures/exports, built from their documented export formats,
//! not copied from any library). Each holds mistakes people make and the
//! shapes that used to raise false alarms (a journal's ISSN in `isbn`, a
//! proceedings' ISBN on every paper, volumes of a set under one ISBN,
//! papers of a series under one title, the managers' own fields). The
//! findings of the default codes must be exactly the mistakes: precision
//! and recall both 100% on these, through the binary.

mod common;

use std::path::Path;

use common::{refkeeper, run};
use serde_json::Value;

/// `(code, key, help)` of every finding of the default codes on a fixture,
/// nothing cited (so `unused-entry` is off).
fn findings(fixture: &str) -> Vec<(String, String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("paper.md"), "Nothing cited.\n").unwrap();
    let bib = root.join("tests/fixtures/exports").join(fixture);
    let out = run(refkeeper()
        .args([
            "check",
            "paper.md",
            "--no-config",
            "--format",
            "json",
            "-A",
            "unused-entry",
        ])
        .arg("--bib")
        .arg(&bib)
        .current_dir(dir.path()));
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let text = |field: &str| d[field].as_str().unwrap_or_default().to_owned();
            (text("code"), text("key"), text("help"))
        })
        .collect()
}

fn codes_and_keys(found: &[(String, String, String)]) -> Vec<(&str, &str)> {
    found
        .iter()
        .map(|(code, key, _)| (code.as_str(), key.as_str()))
        .collect()
}

fn help_of<'f>(found: &'f [(String, String, String)], code: &str, key: &str) -> &'f str {
    found
        .iter()
        .find(|(c, k, _)| c == code && k == key)
        .map(|(_, _, help)| help.as_str())
        .unwrap_or_else(|| panic!("no {code} on {key}"))
}

#[test]
fn mendeley_export() {
    let found = findings("mendeley.bib");
    assert_eq!(
        codes_and_keys(&found),
        [
            ("invalid-isbn", "Kim2015"),
            ("invalid-isbn", "Park2016"),
            ("invalid-issn", "Park2016"),
            ("duplicate-entry", "Park2016a"),
            ("invalid-date", "KOICA2019"),
        ]
    );
    assert_eq!(
        help_of(&found, "invalid-isbn", "Kim2015"),
        "`0263-4937` is an ISSN, a journal's number: write it as issn = {0263-4937}"
    );
    assert_eq!(
        help_of(&found, "invalid-issn", "Park2016"),
        "write the ISSN alone, issn = {1465-3354}: biblatex prints the field as written"
    );
    assert_eq!(
        help_of(&found, "invalid-date", "KOICA2019"),
        "this is the date the page was read: write it as urldate = {2013-02}, and the date of the work (if known) in `date`"
    );
}

#[test]
fn zotero_export() {
    let found = findings("zotero.bib");
    assert_eq!(
        codes_and_keys(&found),
        [
            ("invalid-issn", "kim_rail_2015"),
            ("missing-field", "noauthor_koica_nodate"),
            ("invalid-issn", "seo_gas_2018"),
            ("invalid-doi", "seo_gas_2018"),
            ("missing-field", "cho_trade_2017"),
            ("urldate-without-url", "cho_trade_2017"),
        ]
    );
    assert_eq!(
        help_of(&found, "invalid-issn", "kim_rail_2015"),
        "separate them with a comma, issn = {0263-4937, 1465-3354}, or keep the print one"
    );
}

#[test]
fn jabref_export() {
    let found = findings("jabref.bib");
    assert_eq!(
        codes_and_keys(&found),
        [
            ("invalid-isbn", "Lee2012"),
            ("misspelled-field", "Seo2018"),
            ("invalid-date", "Han2019"),
            ("duplicate-field", "Cho2017"),
        ]
    );
    assert_eq!(
        help_of(&found, "misspelled-field", "Seo2018"),
        "rename it to `editor`; biber ignores `editr`"
    );
}

#[test]
fn google_scholar_export() {
    let found = findings("scholar.bib");
    assert_eq!(
        codes_and_keys(&found),
        [
            ("missing-field", "park2016cotton"),
            ("duplicate-entry", "kim2015rail2"),
        ]
    );
    assert_eq!(
        help_of(&found, "missing-field", "park2016cotton"),
        "the BibLaTeX data model requires it for @article; BibTeX's `journal` counts as `journaltitle`"
    );
}

#[test]
fn keys_joined_by_a_semicolon_are_told_to_take_commas() {
    let dir = common::project(&[
        ("paper.tex", b"\\cite{kim2015rail; lee2012central}\n"),
        (
            "refs.bib",
            b"@book{kim2015rail, title = {A}, author = {K}, year = {2015}}\n\
@book{lee2012central, title = {B}, author = {L}, year = {2012}}\n",
        ),
    ]);
    let out = run(refkeeper()
        .args([
            "check",
            "paper.tex",
            "--bib",
            "refs.bib",
            "--no-config",
            "--color",
            "never",
        ])
        .current_dir(dir.path()));
    assert!(
        out.stdout.contains(
            "help: separate keys with commas, `kim2015rail, lee2012central`: this is one key with a semicolon in it"
        ),
        "{}",
        out.stdout
    );
}
