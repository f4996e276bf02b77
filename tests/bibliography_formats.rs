//! Bibliographies in the formats pandoc and Typst read besides BibLaTeX:
//! CSL-JSON, CSL-YAML (a list, or pandoc's `references:`) and Hayagriva
//! YAML. Each is checked for missing and unused keys at their places, and
//! formatted by `refs`; what cannot be read is a finding at its place.

mod common;

use std::path::Path;

use common::{Run, project, refkeeper, run};

fn check(dir: &Path, args: &[&str]) -> Run {
    run(refkeeper()
        .arg("check")
        .args(["--color", "never"])
        .args(args)
        .current_dir(dir))
}

/// The findings of a JSON report: (code, key, file, line, column).
fn findings(run: &Run) -> Vec<(String, String, String, u64, u64)> {
    let document: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    let mut found: Vec<_> = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["key"].as_str().unwrap_or("").to_owned(),
                d["file"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

fn finding(
    code: &str,
    key: &str,
    file: &str,
    line: u64,
    column: u64,
) -> (String, String, String, u64, u64) {
    (code.into(), key.into(), file.into(), line, column)
}

const CSL_JSON: &[u8] = br#"[
  {
    "id": "kim-2020",
    "type": "article-journal",
    "title": "Korea and <i>Central Asia</i>",
    "container-title": "Asian Survey",
    "volume": 60, "issue": "3", "page": "450-470",
    "author": [{"family": "Kim", "given": "Min-jung"}],
    "issued": {"date-parts": [[2020, 5]]}
  },
  {"id": "unused-1999", "type": "book", "title": "Never cited",
   "author": [{"literal": "UNESCO"}], "issued": {"date-parts": [[1999]]}}
]
"#;

#[test]
fn csl_json_keys_are_checked_at_their_places() {
    let dir = project(&[
        (
            "paper.md",
            b"---\nbibliography: refs.json\n---\nAs [@kim-2020] and [@lee-2021] show.\n",
        ),
        ("refs.json", CSL_JSON),
    ]);
    let run = check(dir.path(), &["--format", "json"]);
    assert_eq!(run.status, Some(1), "{}{}", run.stdout, run.stderr);
    assert_eq!(
        findings(&run),
        [
            finding("missing-entry", "lee-2021", "paper.md", 4, 22),
            finding("unused-entry", "unused-1999", "refs.json", 11, 11),
        ]
    );
}

#[test]
fn csl_json_entries_are_formatted_by_refs() {
    let dir = project(&[
        (
            "paper.md",
            b"---\nbibliography: refs.json\n---\n[@kim-2020]\n",
        ),
        ("refs.json", CSL_JSON),
    ]);
    let run = run(refkeeper()
        .args(["refs", "--style", "apa", "--to", "markdown"])
        .current_dir(dir.path()));
    assert_eq!(run.status, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "Kim, M. (2020). Korea and *Central Asia*. *Asian Survey*, *60*(3), 450–470."
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn pandoc_references_yaml_and_a_bare_list_are_csl_yaml() {
    for (name, yaml) in [
        (
            "refs.yaml",
            "---\nreferences:\n- id: park-2019\n  type: book\n  title: Nordpolitik\n  author:\n  - family: Park\n    given: Ji-ho\n  issued: 2019\n- type: report\n  id: 'spare-2000'\n  title: Spare\n...\n",
        ),
        (
            "refs.yml",
            "- id: park-2019\n  type: book\n  title: Nordpolitik\n  author:\n  - family: Park\n    given: Ji-ho\n  issued: 2019\n- type: report\n  id: 'spare-2000'\n  title: Spare\n",
        ),
    ] {
        let doc = format!("---\nbibliography: {name}\n---\n[@park-2019]\n");
        let dir = project(&[("doc.md", doc.as_bytes()), (name, yaml.as_bytes())]);
        let json = check(dir.path(), &["--format", "json"]);
        let line = if name == "refs.yaml" { 11 } else { 9 };
        assert_eq!(
            findings(&json),
            [finding("unused-entry", "spare-2000", name, line, 8)],
            "{name}"
        );
        let refs = run(refkeeper()
            .args(["refs", "--style", "apa", "--to", "markdown"])
            .current_dir(dir.path()));
        assert!(
            refs.stdout.contains("Park, J. (2019). *Nordpolitik*."),
            "{name}: {}{}",
            refs.stdout,
            refs.stderr
        );
    }
}

const HAYAGRIVA: &[u8] = b"# Typst's format
kim-2020:
  type: article
  title: Korea and Central Asia
  author: Kim, Min-jung
  date: 2020-05
  page-range: 450-470
  parent:
    type: periodical
    title: Asian Survey
    volume: 60
    issue: 3

spare:
  type: book
  title: Never cited
  author: Lee, Su
  date: 1999
";

#[test]
fn hayagriva_yaml_is_read_for_a_typst_document() {
    let dir = project(&[
        (
            "main.typ",
            b"= Intro\nAs @kim-2020 shows, and @nobody.\n#bibliography(\"refs.yml\")\n",
        ),
        ("refs.yml", HAYAGRIVA),
    ]);
    let run = check(dir.path(), &["main.typ", "--format", "json"]);
    assert_eq!(
        findings(&run),
        [
            finding("missing-entry", "nobody", "main.typ", 2, 26),
            finding("unused-entry", "spare", "refs.yml", 14, 1),
        ],
        "{}",
        run.stderr
    );
    let refs = run_refs(dir.path(), &["main.typ"]);
    assert!(
        refs.stdout
            .contains("Kim, M. (2020). Korea and Central Asia. *Asian Survey*, *60*(3), 450–470."),
        "{}{}",
        refs.stdout,
        refs.stderr
    );
}

fn run_refs(dir: &Path, args: &[&str]) -> Run {
    run(refkeeper()
        .args(["refs", "--style", "apa", "--to", "markdown"])
        .args(args)
        .current_dir(dir))
}

#[test]
fn a_bad_entry_is_a_finding_and_the_others_are_read() {
    let dir = project(&[
        ("main.typ", b"@good and @bad\n#bibliography(\"refs.yml\")\n"),
        (
            "refs.yml",
            b"good:\n  type: book\n  title: Fine\nbad:\n  type: no-such-type\n  title: Broken\n",
        ),
    ]);
    let run = check(dir.path(), &["main.typ", "--format", "json"]);
    let found = findings(&run);
    // `bad` is still defined (not "missing"); its own finding says why.
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "bib-syntax");
    assert_eq!(
        (found[0].2.as_str(), found[0].3, found[0].4),
        ("refs.yml", 4, 1)
    );
}

#[test]
fn an_item_without_an_id_is_a_finding_and_a_file_that_does_not_parse_is_unread() {
    let dir = project(&[
        (
            "a.md",
            b"---\nbibliography: [a.json, b.json]\n---\n[@ok] [@x]\n",
        ),
        ("a.json", b"[{\"id\": \"ok\"},\n {\"type\": \"book\"}]\n"),
        ("b.json", b"[\n  {\"id\": \"x\",}\n]\n"),
    ]);
    let run = check(dir.path(), &["--format", "json"]);
    // The item without an id, at its place; `x` is not called missing:
    // the file that would define it could not be read at all.
    assert_eq!(findings(&run), [finding("bib-syntax", "", "a.json", 2, 2)]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr.contains(
            "b.json:2:14: not valid JSON: key must be a string; none of its entries was read"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn json_nested_deep_and_yaml_that_expands_exponentially_are_refused_not_followed() {
    let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (name, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        laughs.push_str(&format!("{name}: &{name} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"));
    }
    let dir = project(&[
        (
            "a.md",
            b"---\nbibliography: [deep.json, laughs.yml]\n---\n[@x]\n",
        ),
        ("deep.json", deep.as_bytes()),
        ("laughs.yml", laughs.as_bytes()),
    ]);
    let run = check(dir.path(), &["--format", "json"]);
    let found = findings(&run);
    assert!(
        found
            .iter()
            .any(|f| f.0 == "bib-syntax" && f.2 == "deep.json"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.0 == "bib-syntax" && f.2 == "laughs.yml"),
        "{found:?}"
    );
}

#[test]
fn ris_and_endnote_files_are_still_errors_naming_them() {
    for (name, what, bytes) in [
        (
            "refs.ris",
            "a RIS bibliography",
            &b"TY  - BOOK\nER  -\n"[..],
        ),
        (
            "refs.enl",
            "an EndNote bibliography",
            &b"\x00EndNote library"[..],
        ),
    ] {
        let doc = format!("---\nbibliography: {name}\n---\n[@x]\n");
        let dir = project(&[("doc.md", doc.as_bytes()), (name, bytes)]);
        let run = check(dir.path(), &[]);
        assert_eq!(run.status, Some(2));
        assert!(
            run.stderr.contains(&format!("{name}: {what}")),
            "{}",
            run.stderr
        );
        // Not every citation reported missing because of it.
        assert!(
            !run.stdout.contains("error[missing-entry]"),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn subset_refuses_a_bibliography_it_cannot_copy_and_writes_nothing() {
    let dir = project(&[
        (
            "paper.md",
            b"---\nbibliography: refs.json\n---\n[@kim-2020]\n",
        ),
        ("refs.json", CSL_JSON),
        ("out.bib", b"% kept\n"),
    ]);
    let run = run(refkeeper()
        .args(["subset", "-o", "out.bib"])
        .current_dir(dir.path()));
    assert_eq!(run.status, Some(2), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("refs.json: a CSL-JSON bibliography"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(dir.path().join("out.bib")).unwrap(),
        b"% kept\n"
    );
}

#[test]
fn hygiene_codes_stay_with_biblatex_entries() {
    // A CSL item has no BibLaTeX fields: no missing-field, no invalid-date.
    let dir = project(&[
        (
            "doc.md",
            b"---\nbibliography: [r.json, r.bib]\n---\n[@a; @b]\n",
        ),
        (
            "r.json",
            b"[{\"id\": \"a\", \"type\": \"article-journal\", \"issued\": \"sometime\"}]",
        ),
        ("r.bib", b"@article{b, title = {T}, date = {sometime}}\n"),
    ]);
    let run = check(dir.path(), &["--format", "json"]);
    let found = findings(&run);
    assert!(found.iter().all(|f| f.2 == "r.bib"), "{found:?}");
    assert!(found.iter().any(|f| f.0 == "invalid-date"), "{found:?}");
}

/// The study's bibliography and the mapping fixture, exported as CSL-JSON
/// by `refs --format csl-json` and read back, format to the same
/// References as the `.bib` files in every style tried: CSL data goes
/// through the same engine as BibLaTeX, at the same fidelity.
#[test]
fn csl_json_exported_by_refs_reads_back_to_the_same_references() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for bib in ["refs/study.bib", "tests/fixtures/refs/mapping.bib"] {
        let bib = root.join(bib);
        let dir = project(&[("empty.md", b"")]);
        let export = run(refkeeper()
            .args([
                "refs",
                "--no-config",
                "--all",
                "--format",
                "csl-json",
                "--bib",
            ])
            .arg(&bib)
            .arg("empty.md")
            .current_dir(dir.path()));
        assert_eq!(export.status, Some(0), "{}", export.stderr);
        std::fs::write(dir.path().join("refs.json"), &export.stdout).unwrap();
        for style in ["apa", "ieee", "chicago-author-date", "mla", "vancouver"] {
            let references = |bibliography: &Path| {
                run(refkeeper()
                    .args([
                        "refs",
                        "--no-config",
                        "--all",
                        "--to",
                        "markdown",
                        "--style",
                        style,
                    ])
                    .arg("--bib")
                    .arg(bibliography)
                    .arg("empty.md")
                    .current_dir(dir.path()))
                .stdout
            };
            let from_bib = references(&bib);
            assert!(from_bib.lines().count() > 10, "{style}: {from_bib}");
            let from_json = references(&dir.path().join("refs.json"));
            let differing: Vec<(&str, &str)> = (from_bib.lines().zip(from_json.lines()))
                .filter(|(a, b)| a != b)
                // Text that spells a CSL tag (`<b>` in a title) is markup
                // once in CSL data, for citeproc-js as for refkeeper: CSL
                // has no way to escape it.
                .filter(|(a, _)| !a.contains("\\<"))
                .take(5)
                .collect();
            assert!(
                differing.is_empty() && from_bib.lines().count() == from_json.lines().count(),
                "{style}, {}: from .bib / from CSL-JSON:\n{differing:#?}",
                bib.display()
            );
        }
    }
}

#[test]
fn inline_references_in_front_matter_are_the_documents_own_bibliography() {
    let doc = b"---
title: Inline
references:
- id: inline-2001
  type: book
  title: Cited inline
  author:
  - family: Han
    given: Ara
  issued: 2001
- id: spare-2002
  type: book
  title: Not cited
---
As [@inline-2001] and [@absent] show.
";
    // A refs/ folder beside it is not read: the document declares its
    // entries (pandoc reads no default bibliography either).
    let dir = project(&[
        ("doc.md", doc),
        ("refs/other.bib", b"@book{absent, title = {Elsewhere}}\n"),
    ]);
    let run = check(dir.path(), &["--format", "json"]);
    assert_eq!(
        findings(&run),
        [
            finding("missing-entry", "absent", "doc.md", 15, 25),
            finding("unused-entry", "spare-2002", "doc.md", 11, 7),
        ],
        "{}",
        run.stderr
    );
    let refs = run_refs(dir.path(), &[]);
    assert!(
        refs.stdout.contains("Han, A. (2001). *Cited inline*."),
        "{}{}",
        refs.stdout,
        refs.stderr
    );
    // Beside a declared bibliography, both are read.
    let both = project(&[
        (
            "doc.md",
            b"---\nbibliography: r.bib\nreferences:\n- id: a\n  type: book\n---\n[@a; @b]\n",
        ),
        (
            "r.bib",
            b"@book{b, title = {B}, author = {Ko, A.}, date = 2001}\n",
        ),
    ]);
    let run = check(both.path(), &["--format", "json"]);
    assert_eq!(findings(&run), [], "{}", run.stderr);
}
