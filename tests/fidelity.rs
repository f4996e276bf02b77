//! The fidelity ratchets: every entry listed in benches/fidelity/ratchet.tsv
//! (the five tuned styles, from the official .csl files, on the study and
//! the corpus) and ratchet-bundled.tsv (every bundled style citeproc-js
//! can read, by name, on the study) was formatted by refkeeper exactly as
//! citeproc-js formats it, and must stay so. The file holds a hash of citeproc-js's text per style,
//! bibliography and key; benches/fidelity/compare.py measures the agreement
//! (with node and citeproc-js) and rewrites the file with `--ratchet`.
//!
//! Corpus bibliographies are skipped when the corpus is not there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use refkeeper::render::references::{self, Target};
use refkeeper::{ConfigSource, Request};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("REFKEEPER_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/corpus"));
    dir.join("SOURCES.md").exists().then_some(dir)
}

/// FNV-1a, 64 bits: as `fnv1a` in compare.py.
fn fnv1a(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Whitespace normalised as compare.py does.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The texts of every entry of `bib` in `style`, by key.
fn texts(bib: &Path, style: &Path) -> BTreeMap<String, String> {
    let request = Request {
        bibliographies: vec![bib.to_owned()],
        config: ConfigSource::Ignore,
        cwd: root().to_owned(),
        chapters_optional: true,
        ..Request::default()
    };
    let session = refkeeper::Session::load(&request).unwrap();
    let style = session.style(Some(&style.to_string_lossy()), None).unwrap();
    let refs = session.references(Some(&style.engine), true).value;
    refs.references
        .iter()
        .map(|r| {
            (
                r.key.clone(),
                normalise(&references::write(r, Target::Text)),
            )
        })
        .collect()
}

#[test]
fn fnv1a_matches_the_harness() {
    // Values from compare.py's fnv1a.
    assert_eq!(fnv1a(""), "cbf29ce484222325");
    assert_eq!(fnv1a("Kim, M. (2007)."), "4187ba24eabfe6d3");
}

#[test]
fn entries_that_agreed_with_citeproc_js_still_agree() {
    let styles = root().join("benches/fidelity/styles");
    check_ratchet("ratchet.tsv", |style| styles.join(format!("{style}.csl")));
}

/// Every bundled style (by its name, as users pick it), on the entries of
/// the study that agreed with citeproc-js reading the same style (see
/// `compare.py --bundled`).
#[test]
fn bundled_styles_keep_the_entries_that_agreed_with_citeproc_js() {
    check_ratchet("ratchet-bundled.tsv", |style| PathBuf::from(style));
}

/// Checks a ratchet file of benches/fidelity: each listed entry still
/// formats to the text whose hash it lists, in the style `style_of` names.
fn check_ratchet(file: &str, style_of: impl Fn(&str) -> PathBuf + Sync) {
    let ratchet = std::fs::read_to_string(root().join("benches/fidelity").join(file)).unwrap();
    // (style, bibliography) -> [(key, hash)]
    let mut groups: BTreeMap<(&str, &str), Vec<(&str, &str)>> = BTreeMap::new();
    for line in ratchet
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let [style, bib, key, hash] = fields[..] else {
            panic!("malformed ratchet line: {line}");
        };
        groups.entry((style, bib)).or_default().push((key, hash));
    }
    assert!(
        groups.keys().any(|(_, bib)| *bib == "study"),
        "the study is not in {file}"
    );

    let corpus = corpus();
    let failures: Vec<String> = groups
        .par_iter()
        .flat_map(|((style, bib), entries)| {
            let path = match (*bib, &corpus) {
                ("study", _) => root().join("refs/study.bib"),
                (_, Some(corpus)) => corpus.join(bib),
                (_, None) => return Vec::new(),
            };
            let texts = texts(&path, &style_of(style));
            entries
                .iter()
                .filter_map(|(key, hash)| match texts.get(*key) {
                    Some(text) if fnv1a(text) == *hash => None,
                    Some(text) => Some(format!("{style} {bib} {key}: now {text}")),
                    None => Some(format!("{style} {bib} {key}: no longer formatted")),
                })
                .collect()
        })
        .collect();
    if corpus.is_none() {
        eprintln!("corpus not found: only the study's entries were checked");
    }
    assert!(
        failures.is_empty(),
        "{} entries of {file} no longer read as citeproc-js formats them \
         (benches/fidelity/compare.py --diffs shows citeproc-js's text):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
