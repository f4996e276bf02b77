//! The hygiene checks on every bibliography of `../shared/corpus` (or
//! `REFKEEPER_CORPUS`) and the study: the count of findings per file and
//! code must equal tests/fixtures/hygiene/corpus-counts.tsv, so that a
//! change in what the checks find is seen in review. Every check is on
//! (tests/fixtures/hygiene/all-on.toml). Skipped when the corpus is not on
//! this machine.
//!
//! After a deliberate change, rewrite the file with
//! `REFKEEPER_BLESS=1 cargo test --test hygiene_corpus` and read the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use refkeeper::config::Config;
use refkeeper::diagnostic::Code;
use refkeeper::inputs::InputFile;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("REFKEEPER_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpus"));
    dir.join("SOURCES.md").exists().then_some(dir)
}

fn bib_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            bib_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "bib") {
            out.push(path);
        }
    }
}

#[test]
fn finding_counts_per_corpus_file_are_as_recorded() {
    let Some(corpus) = corpus() else { return };
    let config = Config::load(&root().join("tests/fixtures/hygiene/all-on.toml")).unwrap();
    let mut files = Vec::new();
    bib_files(&corpus, &mut files);
    files.sort();
    let mut named: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|p| (p.strip_prefix(&corpus).unwrap().display().to_string(), p))
        .collect();
    named.push((
        "study: refs/study.bib".to_owned(),
        root().join("refs/study.bib"),
    ));

    let mut table = String::from(
        "# Hygiene findings per corpus file and code, every check on.\n\
         # Written by REFKEEPER_BLESS=1 cargo test --test hygiene_corpus; read the diff.\n\
         # file\tcode\tcount\n",
    );
    for (name, path) in &named {
        let file = InputFile {
            path: path.clone(),
            shown: PathBuf::from(name),
        };
        let report = refkeeper::Session::read(&[file], &[], config.clone(), Vec::new()).check();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &report.findings {
            if d.code != Code::UnusedEntry {
                *counts.entry(d.code.as_str()).or_default() += 1;
            }
        }
        for (code, count) in counts {
            table.push_str(&format!("{name}\t{code}\t{count}\n"));
        }
    }
    let recorded = root().join("tests/fixtures/hygiene/corpus-counts.tsv");
    if std::env::var_os("REFKEEPER_BLESS").is_some() {
        std::fs::write(&recorded, &table).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&recorded).unwrap_or_default();
    if table != expected {
        let diff = similar::TextDiff::from_lines(&expected, &table)
            .unified_diff()
            .header("recorded", "now")
            .to_string();
        panic!("hygiene findings on the corpus changed (REFKEEPER_BLESS=1 to record):\n{diff}");
    }
}
