//! refkeeper against real projects in `../shared/corpus` (or the folder in
//! `REFKEEPER_CORPUS`), compared with what checkcites, biber or pandoc
//! reported for the same project (`oracle/expected.json`).
//!
//! The sets of missing and unused keys must equal the oracle's, except for
//! the differences listed per project, each with the reason the oracle is
//! wrong (or blind) there. A difference that appears or disappears fails
//! the test, so a change in behaviour is seen in review. Skipped when the
//! corpus is not on this machine.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use refkeeper::config::Config;
use refkeeper::diagnostic::Code;
use refkeeper::document::DocumentKind;
use refkeeper::inputs::InputFile;
use refkeeper::scan::{CiteKind, ScanOptions, scan};
use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("REFKEEPER_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    dir.join("SOURCES.md").exists().then_some(dir)
}

/// A difference from the oracle that refkeeper keeps on purpose.
struct Known {
    key: &'static str,
    why: &'static str,
}

struct Case {
    /// The oracle's `expected.json`, relative to the corpus.
    oracle: &'static str,
    /// The project folder, relative to the corpus.
    dir: &'static str,
    /// Chapter files or folders in `dir` (folders are searched; the corpus's
    /// own SOURCES.md and oracle/ are never chapters).
    chapters: &'static [&'static str],
    bibliographies: &'static [&'static str],
    config: &'static str,
    /// Keys refkeeper reports missing that the oracle does not.
    more_missing: &'static [Known],
    /// Keys the oracle reports unused that refkeeper counts as used.
    fewer_unused: &'static [Known],
}

const CASES: &[Case] = &[
    Case {
        oracle: "biblatex-examples/oracle/bx-01-introduction/expected.json",
        dir: "biblatex-examples",
        chapters: &["01-introduction.tex"],
        bibliographies: &["biblatex-examples.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        oracle: "biblatex-examples/oracle/bx-10-references-per-section/expected.json",
        dir: "biblatex-examples",
        chapters: &["10-references-per-section.tex"],
        bibliographies: &["biblatex-examples.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        oracle: "biblatex-examples/oracle/bx-30-style-numeric/expected.json",
        dir: "biblatex-examples",
        chapters: &["30-style-numeric.tex"],
        bibliographies: &["biblatex-examples.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[
            Known {
                key: "herrmann",
                why: "member (entryset) of the cited @set `set`; biber prints it, checkcites does not follow entryset",
            },
            Known {
                key: "weinberg",
                why: "member (entryset) of the cited @set `stdmodel`; biber prints it, checkcites does not follow entryset",
            },
        ],
    },
    Case {
        oracle: "biblatex-examples/oracle/bx-70-style-verbose/expected.json",
        dir: "biblatex-examples",
        chapters: &["70-style-verbose.tex"],
        bibliographies: &["biblatex-examples.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        oracle: "biblatex-examples/oracle/bx-74-style-verbose-trad1/expected.json",
        dir: "biblatex-examples",
        chapters: &["74-style-verbose-trad1.tex"],
        bibliographies: &["biblatex-examples.bib"],
        // The document prints `\code{\cite{a1}}` as examples; `\code`
        // detokenizes its argument, which no static reader can know.
        config: "[latex]\nverbatim-commands = [\"code\"]\n",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        oracle: "biblatex-examples/oracle/bx-82-style-debug/expected.json",
        dir: "biblatex-examples",
        chapters: &["82-style-debug.tex"],
        bibliographies: &["biblatex-examples.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        // The oracle (checkcites) is case-sensitive like refkeeper: `scott70`
        // is missing and `Scott70` unused; BibTeX itself would match them.
        oracle: "hott-book/oracle/expected.json",
        dir: "hott-book",
        chapters: &["."],
        bibliographies: &["references.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        oracle: "irgendwr-bsc/oracle/expected.json",
        dir: "irgendwr-bsc",
        chapters: &["."],
        bibliographies: &["references.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        oracle: "laclavere-papers/oracle/laclavere-CMM/expected.json",
        dir: "laclavere-papers/publications/CMM",
        chapters: &["main.tex"],
        bibliographies: &["biblio.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        oracle: "laclavere-papers/oracle/laclavere-FMM/expected.json",
        dir: "laclavere-papers/publications/FMM",
        chapters: &["main.tex"],
        bibliographies: &["biblio.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        oracle: "lyttle-thesis/oracle/expected.json",
        dir: "lyttle-thesis",
        chapters: &["."],
        bibliographies: &["references.bib", "lyttle21.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        // The oracle expanded `{{< include >}}`; refkeeper reads the
        // included files themselves, so the whole project folder is given.
        oracle: "gongcastro-thesis/oracle/expected.json",
        dir: "gongcastro-thesis",
        chapters: &["."],
        bibliographies: &["_assets/references.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        oracle: "iml-book/oracle/expected.json",
        dir: "iml-book/manuscript",
        chapters: &["."],
        bibliographies: &["references.bib", "grateful-refs.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        // 27 `R-pkg` keys are genuinely missing: packages.bib is generated
        // at render time and not in the repository.
        oracle: "rmarkdown-book/oracle/expected.json",
        dir: "rmarkdown-book",
        chapters: &["."],
        bibliographies: &["book.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
    Case {
        oracle: "pollard-template/oracle/expected.json",
        dir: "pollard-template",
        chapters: &["source"],
        bibliographies: &["source/references.bib"],
        config: "",
        more_missing: &[],
        fewer_unused: &[],
    },
];

fn strings(value: &Value, field: &str) -> BTreeSet<String> {
    value[field]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// The oracle's answer: (missing keys, unused keys).
fn oracle(expected: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    if expected.get("undefined_checkcites").is_some() {
        // LaTeX projects: checkcites, with \nocite keys taken back out of "unused".
        let mut missing = strings(expected, "undefined_checkcites");
        missing.extend(strings(expected, "undefined_biber"));
        missing.extend(strings(expected, "undefined_bibtex"));
        (missing, strings(expected, "unused_corrected"))
    } else {
        // Markdown projects: pandoc, with cross-references taken out.
        (
            strings(expected, "missing_real"),
            strings(expected, "unused"),
        )
    }
}

fn chapter_files(dir: &Path, spec: &str) -> Vec<InputFile> {
    let path = dir.join(spec);
    let mut files = Vec::new();
    let mut stack = vec![path];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "oracle") {
                continue;
            }
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if DocumentKind::from_path(&path).is_some()
            && path.file_name().is_some_and(|n| n != "SOURCES.md")
        {
            let shown = path.strip_prefix(dir).unwrap().to_path_buf();
            files.push(InputFile { path, shown });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

#[test]
fn missing_and_unused_keys_agree_with_the_oracles() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: no corpus at ../shared/corpus (set REFKEEPER_CORPUS)");
        return;
    };
    let mut failures = Vec::new();
    for case in CASES {
        let dir = corpus.join(case.dir);
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(corpus.join(case.oracle)).unwrap())
                .unwrap();
        let chapters: Vec<InputFile> = case
            .chapters
            .iter()
            .flat_map(|spec| chapter_files(&dir, spec))
            .collect();
        let bibliographies: Vec<InputFile> = case
            .bibliographies
            .iter()
            .map(|b| InputFile {
                path: dir.join(b),
                shown: PathBuf::from(b),
            })
            .collect();
        let config = Config::parse(case.config, Path::new("refkeeper.toml")).unwrap();
        let report =
            refkeeper::Session::read(&bibliographies, &chapters, config.clone(), Vec::new())
                .check();
        assert!(
            report.unread.is_empty(),
            "{}: {:?}",
            case.dir,
            report.unread
        );

        let keys = |code: Code| -> BTreeSet<String> {
            report
                .findings
                .iter()
                .filter(|d| d.code == code)
                .filter_map(|d| d.key.clone())
                .collect()
        };
        let (oracle_missing, oracle_unused) = oracle(&expected);
        let mut want_missing = oracle_missing.clone();
        want_missing.extend(case.more_missing.iter().map(|k| k.key.to_owned()));
        let mut want_unused = oracle_unused.clone();
        for known in case.fewer_unused {
            assert!(
                want_unused.remove(known.key),
                "{}: `{}` is not in the oracle ({})",
                case.oracle,
                known.key,
                known.why
            );
        }
        let (missing, unused) = (keys(Code::MissingEntry), keys(Code::UnusedEntry));
        eprintln!(
            "{:<58} missing {:>3} (oracle {:>3})  unused {:>3} (oracle {:>3})  explained {}",
            case.oracle,
            missing.len(),
            oracle_missing.len(),
            unused.len(),
            oracle_unused.len(),
            case.more_missing.len() + case.fewer_unused.len()
        );
        if missing != want_missing {
            failures.push(format!(
                "{}: missing differs; only refkeeper {:?}, only expected {:?}",
                case.oracle,
                missing.difference(&want_missing).collect::<Vec<_>>(),
                want_missing.difference(&missing).collect::<Vec<_>>()
            ));
        }
        if unused != want_unused {
            failures.push(format!(
                "{}: unused differs; only refkeeper {:?}, only expected {:?}",
                case.oracle,
                unused.difference(&want_unused).collect::<Vec<_>>(),
                want_unused.difference(&unused).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The keys the oracle saw cited: LaTeX's `.aux`/`.bcf` citations, or
/// pandoc's AST minus cross-references.
fn oracle_cited(expected: &Value) -> BTreeSet<String> {
    let mut cited = if expected.get("cited_keys").is_some() {
        strings(expected, "cited_keys")
    } else {
        strings(expected, "cited_real")
    };
    cited.remove("*");
    cited
}

/// Every key the scanners find equals what LaTeX or pandoc saw cited.
#[test]
fn scanners_find_the_keys_the_oracles_saw() {
    let Some(corpus) = corpus() else { return };
    let mut failures = Vec::new();
    for case in CASES {
        let dir = corpus.join(case.dir);
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(corpus.join(case.oracle)).unwrap())
                .unwrap();
        let config = Config::parse(case.config, Path::new("refkeeper.toml")).unwrap();
        let options = ScanOptions {
            latex: refkeeper::scan::latex::Commands::with_extra(&config.citation_commands)
                .with_verbatim(&config.verbatim_commands),
        };
        let mut found = BTreeSet::new();
        for file in case
            .chapters
            .iter()
            .flat_map(|spec| chapter_files(&dir, spec))
        {
            let text = std::fs::read_to_string(&file.path).unwrap();
            let format = DocumentKind::from_path(&file.path).unwrap();
            let out = scan(&text, format, &options);
            found.extend(
                out.citations
                    .into_iter()
                    .filter(|c| c.kind != CiteKind::TypstRef)
                    .map(|c| String::from(c.key)),
            );
        }
        let want = oracle_cited(&expected);
        if found != want {
            failures.push(format!(
                "{}: only refkeeper {:?}; only the oracle {:?}",
                case.oracle,
                found.difference(&want).collect::<Vec<_>>(),
                want.difference(&found).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The corpus's bibliographies parse without syntax errors (biber read them
/// all), and lyttle-thesis's second file repeats 228 keys of the first, as
/// its oracle notes.
#[test]
fn corpus_bibliographies_parse_cleanly() {
    let Some(corpus) = corpus() else { return };
    for case in CASES {
        let dir = corpus.join(case.dir);
        let bibliographies: Vec<InputFile> = case
            .bibliographies
            .iter()
            .map(|b| InputFile {
                path: dir.join(b),
                shown: PathBuf::from(b),
            })
            .collect();
        let report =
            refkeeper::Session::read(&bibliographies, &[], Config::default(), Vec::new()).check();
        let syntax: Vec<_> = report
            .findings
            .iter()
            .filter(|d| d.code == Code::BibSyntax)
            .map(|d| d.message.clone())
            .collect();
        assert!(syntax.is_empty(), "{}: {syntax:?}", case.dir);
        let duplicates = report
            .findings
            .iter()
            .filter(|d| d.code == Code::DuplicateKey)
            .count();
        let expected = match case.dir {
            "lyttle-thesis" => 228,
            "iml-book/manuscript" => 1, // alvarez-melis2018robustness, twice in references.bib
            _ => 0,
        };
        assert_eq!(duplicates, expected, "{}", case.dir);
    }
}

/// A project run as its own user runs it: the root document named (or
/// nothing, in a Quarto or bookdown book), no `--bib`, no configuration.
struct AsUsersDo {
    oracle: &'static str,
    /// The folder the command runs in, relative to the corpus.
    dir: &'static str,
    args: &'static [&'static str],
    /// Why no key is known to be missing, when a declared bibliography is
    /// not in the repository (its missing-entry findings are withheld).
    bibliography_absent: Option<&'static str>,
    /// Keys the oracle reports unused that refkeeper counts as used.
    fewer_unused: &'static [Known],
}

const AS_USERS_DO: &[AsUsersDo] = &[
    AsUsersDo {
        oracle: "biblatex-examples/oracle/bx-01-introduction/expected.json",
        dir: "biblatex-examples",
        args: &["01-introduction.tex"],
        bibliography_absent: None,
        fewer_unused: &[],
    },
    AsUsersDo {
        oracle: "biblatex-examples/oracle/bx-30-style-numeric/expected.json",
        dir: "biblatex-examples",
        args: &["30-style-numeric.tex"],
        bibliography_absent: None,
        fewer_unused: &[
            Known {
                key: "herrmann",
                why: "member (entryset) of the cited @set `set`; biber prints it, checkcites does not follow entryset",
            },
            Known {
                key: "weinberg",
                why: "member (entryset) of the cited @set `stdmodel`; biber prints it, checkcites does not follow entryset",
            },
        ],
    },
    AsUsersDo {
        oracle: "hott-book/oracle/expected.json",
        dir: "hott-book",
        args: &["hott-online.tex"],
        bibliography_absent: None,
        fewer_unused: &[],
    },
    AsUsersDo {
        oracle: "irgendwr-bsc/oracle/expected.json",
        dir: "irgendwr-bsc",
        args: &["thesis.tex"],
        bibliography_absent: None,
        fewer_unused: &[],
    },
    AsUsersDo {
        oracle: "laclavere-papers/oracle/laclavere-CMM/expected.json",
        dir: "laclavere-papers/publications/CMM",
        args: &["main.tex"],
        bibliography_absent: None,
        fewer_unused: &[],
    },
    AsUsersDo {
        oracle: "laclavere-papers/oracle/laclavere-FMM/expected.json",
        dir: "laclavere-papers/publications/FMM",
        args: &[],
        bibliography_absent: None,
        fewer_unused: &[],
    },
    AsUsersDo {
        oracle: "lyttle-thesis/oracle/expected.json",
        dir: "lyttle-thesis",
        args: &["thesis.tex"],
        bibliography_absent: None,
        fewer_unused: &[],
    },
    AsUsersDo {
        oracle: "gongcastro-thesis/oracle/expected.json",
        dir: "gongcastro-thesis",
        args: &[],
        bibliography_absent: None,
        fewer_unused: &[],
    },
    AsUsersDo {
        oracle: "iml-book/oracle/expected.json",
        dir: "iml-book/manuscript",
        args: &[],
        bibliography_absent: None,
        fewer_unused: &[],
    },
    AsUsersDo {
        oracle: "rmarkdown-book/oracle/expected.json",
        dir: "rmarkdown-book",
        args: &[],
        bibliography_absent: Some(
            "index.Rmd declares packages.bib, which knitr writes at render time and the repository does not hold: any missing key may be in it",
        ),
        fewer_unused: &[],
    },
    AsUsersDo {
        oracle: "pollard-template/oracle/expected.json",
        dir: "pollard-template/source",
        args: &[],
        bibliography_absent: None,
        fewer_unused: &[],
    },
];

#[test]
fn run_as_users_run_it_each_project_agrees_with_its_oracle() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: no corpus at ../shared/corpus (set REFKEEPER_CORPUS)");
        return;
    };
    let mut failures = Vec::new();
    for case in AS_USERS_DO {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(corpus.join(case.oracle)).unwrap())
                .unwrap();
        let output = assert_cmd::Command::cargo_bin("refkeeper")
            .unwrap()
            .args(["check", "--no-config", "--format", "json"])
            .args(case.args)
            .current_dir(corpus.join(case.dir))
            .output()
            .unwrap();
        let report: Value = match serde_json::from_slice(&output.stdout) {
            Ok(report) => report,
            Err(e) => {
                failures.push(format!(
                    "{}: no report ({e}): {}",
                    case.dir,
                    String::from_utf8_lossy(&output.stderr)
                ));
                continue;
            }
        };
        let keys = |code: &str| -> BTreeSet<String> {
            report["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["code"] == code)
                .filter_map(|d| d["key"].as_str().map(str::to_owned))
                .collect()
        };
        let (oracle_missing, oracle_unused) = oracle(&expected);
        let want_missing = match case.bibliography_absent {
            // Withheld, and counted: none reported, the oracle's counted.
            Some(_) => {
                let withheld = report["summary"]["withheld"]["missing-entry"]
                    .as_u64()
                    .unwrap_or(0) as usize;
                if withheld < oracle_missing.len() {
                    failures.push(format!(
                        "{}: {withheld} missing-entry findings withheld, fewer than the oracle's {} missing keys",
                        case.dir,
                        oracle_missing.len()
                    ));
                }
                BTreeSet::new()
            }
            None => oracle_missing.clone(),
        };
        let mut want_unused = oracle_unused.clone();
        for known in case.fewer_unused {
            assert!(
                want_unused.remove(known.key),
                "{}: {}",
                case.oracle,
                known.why
            );
        }
        let (missing, unused) = (keys("missing-entry"), keys("unused-entry"));
        eprintln!(
            "{:<40} {:<22} missing {:>3} (oracle {:>3})  unused {:>3} (oracle {:>3})",
            case.dir,
            case.args.join(" "),
            missing.len(),
            oracle_missing.len(),
            unused.len(),
            oracle_unused.len()
        );
        if missing != want_missing {
            failures.push(format!(
                "{}: missing differs; only refkeeper {:?}, only expected {:?}",
                case.dir,
                missing.difference(&want_missing).collect::<Vec<_>>(),
                want_missing.difference(&missing).collect::<Vec<_>>()
            ));
        }
        if unused != want_unused {
            failures.push(format!(
                "{}: unused differs; only refkeeper {:?}, only expected {:?}",
                case.dir,
                unused.difference(&want_unused).collect::<Vec<_>>(),
                want_unused.difference(&unused).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
