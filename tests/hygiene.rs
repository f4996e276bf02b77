//! Bibliography hygiene checks: every code has an entry that triggers it
//! (tests/fixtures/hygiene/triggers.bib, keyed by code) and near misses
//! that must not (clean.bib); `explain` documents each; `[check.ignore]`
//! and `[check.levels]` silence them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use refkeeper::config::Config;
use refkeeper::diagnostic::{Code, Diagnostic};
use refkeeper::inputs::InputFile;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hygiene")
        .join(name)
}

fn findings(bib: &str, config: &Config) -> Vec<Diagnostic> {
    let file = InputFile {
        path: fixture(bib),
        shown: PathBuf::from(bib),
    };
    refkeeper::Session::read(&[file], &[], config.clone(), Vec::new())
        .check()
        .findings
        .into_iter()
        // Nothing is cited: every entry is unused, which is not what this is about.
        .filter(|d| d.code != Code::UnusedEntry)
        .collect()
}

/// The findings of the default codes on a bibliography written here.
fn default_findings(name: &str, bib: &str) -> Vec<Diagnostic> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bib).unwrap();
    let file = InputFile {
        path,
        shown: PathBuf::from(name),
    };
    refkeeper::Session::read(&[file], &[], Config::default(), Vec::new())
        .check()
        .findings
        .into_vec()
}

fn all_on() -> Config {
    Config::load(&fixture("all-on.toml")).unwrap()
}

const HYGIENE: &[Code] = &[
    Code::MissingField,
    Code::UnknownType,
    Code::UnknownField,
    Code::MisspelledField,
    Code::InvalidDate,
    Code::InvalidDoi,
    Code::InvalidIsbn,
    Code::InvalidIssn,
    Code::InvalidUrl,
    Code::UrldateWithoutUrl,
    Code::InvalidPages,
    Code::DuplicateEntry,
    Code::DuplicateField,
    Code::EmptyField,
    Code::UndefinedString,
    Code::EtAlInNames,
];

#[test]
fn each_code_is_found_on_its_entry_and_nowhere_else() {
    let found: BTreeSet<(String, String)> = findings("triggers.bib", &all_on())
        .iter()
        .filter_map(|d| Some((d.code.as_str().to_owned(), d.key.clone()?)))
        .collect();
    // The trigger entry of each code is keyed by the code.
    let expected: BTreeSet<(String, String)> = HYGIENE
        .iter()
        .map(|c| (c.as_str().to_owned(), c.as_str().to_owned()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn unused_strings_are_found_when_switched_on() {
    let unused: Vec<String> = findings("triggers.bib", &all_on())
        .into_iter()
        .filter(|d| d.code == Code::UnusedString)
        .map(|d| d.message)
        .collect();
    assert_eq!(unused, ["@string `neverused` is never used"]);
}

#[test]
fn near_misses_are_left_alone() {
    let found: Vec<String> = findings("clean.bib", &all_on())
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn codes_off_by_default_stay_off_and_ignore_lists_silence_entries() {
    let default = findings("triggers.bib", &Config::default());
    assert!(
        default
            .iter()
            .all(|d| d.code != Code::UnknownField && d.code != Code::UnusedString)
    );
    assert!(default.iter().any(|d| d.code == Code::MissingField));

    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("refkeeper.toml");
    std::fs::write(
        &toml,
        "[check.levels]\ninvalid-doi = \"allow\"\n[check.ignore]\nmissing-field = [\"missing-*\"]\n",
    )
    .unwrap();
    let quiet = findings("triggers.bib", &Config::load(&toml).unwrap());
    assert!(
        quiet
            .iter()
            .all(|d| d.code != Code::InvalidDoi && d.code != Code::MissingField)
    );
    assert!(quiet.iter().any(|d| d.code == Code::InvalidIsbn));
}

#[test]
fn findings_point_at_the_value_and_help_says_what_to_write() {
    let all = findings("triggers.bib", &all_on());
    let doi = all.iter().find(|d| d.code == Code::InvalidDoi).unwrap();
    assert_eq!(
        doi.help.as_deref(),
        Some("write only the DOI: doi = {10.1525/as.2009.49.1.1}")
    );
    let text = std::fs::read_to_string(fixture("triggers.bib")).unwrap();
    assert_eq!(
        &text[doi.primary.span.clone()],
        "{https://doi.org/10.1525/as.2009.49.1.1}"
    );
    let field = all.iter().find(|d| d.code == Code::UnknownField).unwrap();
    assert_eq!(&text[field.primary.span.clone()], "titel");
    assert!(
        field
            .help
            .as_deref()
            .unwrap()
            .starts_with("did you mean `title`?")
    );
    let duplicate = all.iter().find(|d| d.code == Code::DuplicateEntry).unwrap();
    assert_eq!(duplicate.related.len(), 1, "points at both entries");
}

#[test]
fn every_code_is_explained() {
    for code in Code::ALL {
        let text = code.explanation();
        for part in [
            "What it checks",
            "Why it matters",
            "Example",
            "How to silence it",
        ] {
            assert!(text.contains(part), "{code}: no `{part}`");
        }
    }
}

#[test]
fn a_shared_doi_on_different_titles_is_called_a_wrong_doi() {
    let findings = default_findings(
        "doi.bib",
        "@article{one, author = {Kim, Minjun}, title = {Bilingual Infants}, journal = {J}, year = {2007}, doi = {10.1017/S01}}\n\
         @article{two, author = {Kim, Minjun}, title = {Monolingual Toddlers}, journal = {J}, year = {2007}, doi = {10.1017/s01}}\n",
    );
    let messages: Vec<&str> = findings
        .iter()
        .filter(|d| d.code == Code::DuplicateEntry)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "`one` and `two` have the same DOI but different titles: one DOI is wrong, or they are one work"
        ]
    );
}

#[test]
fn duplicate_entry_pairs_a_shared_isbn_only_under_one_title() {
    let findings = default_findings(
        "isbn.bib",
        "@book{first, author = {Kim, Minjun}, title = {Steppe Diplomacy}, year = {2010}, isbn = {978-0-306-40615-7}}\n\
         @book{reprint, author = {Kim, M.}, title = {Steppe diplomacy}, year = {2012}, isbn = {9780306406157}}\n\
         @book{volume, author = {Kim, Minjun}, title = {Steppe Diplomacy II}, year = {2012}, isbn = {9780306406157}}\n\
         @book{placeholder, author = {Han, Mirae}, title = {Caravan Routes}, year = {2010}, isbn = {0000000001}}\n\
         @book{other-placeholder, author = {Cho, Yuna}, title = {Caravan Routes}, year = {2011}, isbn = {0000000001}}\n",
    );
    let messages: Vec<&str> = findings
        .iter()
        .filter(|d| d.code == Code::DuplicateEntry)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        ["`first` and `reprint` are the same work (same ISBN)"]
    );
}

#[test]
fn fields_exports_write_for_themselves_are_not_misspellings() {
    let default = findings("export-fields.bib", &Config::default());
    assert!(default.is_empty(), "{default:#?}");
    // Outside the data model all the same.
    let unknown: Vec<String> = findings("export-fields.bib", &all_on())
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert_eq!(
        unknown,
        [
            "unknown-field: `fjournal` in `export-fields` is not a BibLaTeX field",
            "unknown-field: `eissn` in `export-fields` is not a BibLaTeX field",
            "unknown-field: `da` in `export-fields` is not a BibLaTeX field",
            "unknown-field: `publsher` in `thesis-with-a-publisher` is not a BibLaTeX field",
        ]
    );
}

#[test]
fn a_misspelt_field_is_reported_by_default_with_the_field_meant() {
    let found = findings("triggers.bib", &Config::default());
    let misspelt: Vec<(String, Option<String>)> = found
        .iter()
        .filter(|d| d.code == Code::MisspelledField)
        .map(|d| (d.message.clone(), d.help.as_deref().map(str::to_owned)))
        .collect();
    assert_eq!(
        misspelt,
        [(
            "`publsher` in `misspelled-field` is not a BibLaTeX field: did you mean `publisher`?"
                .to_owned(),
            Some("rename it to `publisher`; biber ignores `publsher`".to_owned())
        )]
    );
    // Set beside the field it is close to, `titel` is not a misspelling.
    assert!(!found.iter().any(|d| d.message.contains("titel")));
}

#[test]
fn missing_field_help_names_only_the_bibtex_names_of_what_is_missing() {
    let findings = default_findings(
        "missing.bib",
        "@article{no-journal, author = {Kim, Minjun}, title = {Steppe}, year = {2007}}\n\
         @book{no-title, author = {Kim, Minjun}, year = {2007}}\n\
         @incollection{no-editor, author = {Kim, Minjun}, title = {Ch. 2}, booktitle = {Steppe}, year = {2007}}\n",
    );
    let helps: Vec<(&str, &str)> = findings
        .iter()
        .filter(|d| d.code == Code::MissingField)
        .map(|d| (d.message.as_str(), d.help.as_deref().unwrap()))
        .collect();
    assert_eq!(
        helps,
        [
            (
                "`@article` entry `no-journal` has no `journaltitle`",
                "the BibLaTeX data model requires it for @article; BibTeX's `journal` counts as `journaltitle`"
            ),
            (
                "`@book` entry `no-title` has no `title`",
                "the BibLaTeX data model requires it for @book"
            ),
            (
                "`@incollection` entry `no-editor` has no `editor`",
                "the BibLaTeX data model requires it for @incollection; a chapter of a book by one author is an @inbook"
            ),
        ]
    );
}

/// An entry that inherits is held to its fields as biber merges them: a
/// parent's field counts, the entry's own first-written one wins over it,
/// and a field written empty is written but not set.
#[test]
fn inherited_fields_count_for_missing_fields_as_biber_merges_them() {
    let findings = default_findings(
        "inherits.bib",
        "@mvbook{set, editor = {Pohl, J. Otto}, title = {Deported Peoples}, date = {1999}}\n\
         @book{edited, title = {Volume One}, crossref = {set}}\n\
         @book{emptied, editor = {}, title = {Volume Two}, crossref = {set}}\n\
         @mvbook{plain, title = {No Editor}, date = {2001}}\n\
         @book{unedited, title = {Volume Three}, crossref = {plain}}\n",
    );
    // The volumes' findings (the sets have no author of their own).
    let missing: Vec<&str> = (findings.iter())
        .filter(|d| d.code == Code::MissingField)
        .map(|d| d.message.as_str())
        .filter(|m| m.starts_with("`@book`"))
        .collect();
    assert_eq!(
        missing,
        [
            // The parent's editor is the book's: no author needed. The
            // book's own empty editor comes first and sets nothing.
            "`@book` entry `emptied` has no `author`",
            "`@book` entry `unedited` has no `author`",
        ]
    );
}
