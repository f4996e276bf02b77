//! `refkeeper init` on the four kinds of project it knows: the
//! configuration it writes names what the documents declare, and `check`
//! then runs on it.

mod common;

use common::{project, refkeeper};

const BIB: &[u8] = b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}";

/// Runs `init` in the project, then `check`; returns the configuration.
fn init_then_check(dir: &std::path::Path) -> String {
    let output = refkeeper().arg("init").current_dir(dir).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let config = std::fs::read_to_string(dir.join("refkeeper.toml")).unwrap();
    let check = refkeeper().arg("check").current_dir(dir).output().unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{config}\n{}",
        String::from_utf8_lossy(&check.stdout)
    );
    config
}

/// The entries of a list in the written file, e.g. `bibliography`.
fn entries(config: &str, key: &str) -> Vec<String> {
    let table: toml::Table = config.parse().unwrap();
    table[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_latex_project() {
    let dir = project(&[
        (
            "thesis.tex",
            b"% \\addbibresource{old.bib}\n\\addbibresource{bib/works.bib}\n\\input{chapters/one}",
        ),
        ("chapters/one.tex", b"\\cite{kim2007}"),
        ("bib/works.bib", BIB),
        ("bib/unrelated.bib", b"@misc{x, title = {X}}"),
        ("README.md", b"How to build: see [@nothing]."),
    ]);
    let config = init_then_check(dir.path());
    assert_eq!(entries(&config, "bibliography"), ["bib/works.bib"]);
    assert_eq!(
        entries(&config, "chapters"),
        ["chapters/**/*.tex", "thesis.tex"]
    );
    assert!(
        config.contains("bib/works.bib: declared in thesis.tex"),
        "{config}"
    );
    assert!(config.contains("a LaTeX project"), "{config}");
}

#[test]
fn a_latex_project_with_a_root_names_the_document() {
    // biblatex reads \\addbibresource against the main document's folder,
    // wherever it is written; a backup copy is not a chapter.
    let dir = project(&[
        (
            "thesis.tex",
            b"\\documentclass{book}\n\\input{chapters/one}\n",
        ),
        (
            "chapters/one.tex",
            b"\\addbibresource{bib/works.bib}\n\\cite{kim2007}",
        ),
        ("chapters/one_bak.tex", b"\\cite{old}"),
        ("bib/works.bib", BIB),
        ("chapters/bib/works.bib", b"@misc{wrong, title = {W}}"),
    ]);
    let config = init_then_check(dir.path());
    assert_eq!(entries(&config, "documents"), ["thesis.tex"]);
    assert!(
        config.contains("bib/works.bib: declared in thesis.tex"),
        "{config}"
    );
    assert!(!config.contains("one_bak"), "{config}");
    assert!(!config.contains("\nchapters ="), "{config}");
}

#[test]
fn a_quarto_project() {
    let dir = project(&[
        (
            "_quarto.yml",
            b"project:\n  type: book\nbook:\n  chapters: [index.qmd, chapters/two.qmd]\nbibliography:\n  - refs/a.bib\n  - \"refs/b.bib\"\n",
        ),
        ("index.qmd", b"# Preface\n[@kim2007]"),
        ("chapters/two.qmd", b"See @lee2010 and @fig-map."),
        ("refs/a.bib", BIB),
        (
            "refs/b.bib",
            b"@book{lee2010, author = {Lee, J.}, title = {B}, date = 2010}",
        ),
    ]);
    let config = init_then_check(dir.path());
    // The project file says what is read; the configuration says so.
    assert!(
        config.contains("_quarto.yml says which files are read"),
        "{config}"
    );
    assert!(
        config.contains("refs/a.bib: declared in _quarto.yml"),
        "{config}"
    );
    assert!(
        config.contains("refs/b.bib: declared in _quarto.yml"),
        "{config}"
    );
    assert!(config.contains("a Quarto project"), "{config}");
}

#[test]
fn a_pandoc_project() {
    let dir = project(&[
        (
            "paper/paper.md",
            b"---\ntitle: A paper\nbibliography: [../refs.bib]\n---\nAs [@kim2007] shows.",
        ),
        ("refs.bib", BIB),
        ("CHANGELOG.md", b"- fixed [@typo]"),
    ]);
    let config = init_then_check(dir.path());
    assert_eq!(entries(&config, "documents"), ["paper/paper.md"]);
    assert!(
        config.contains("refs.bib: declared in paper/paper.md"),
        "{config}"
    );
}

#[test]
fn a_typst_project() {
    let dir = project(&[
        (
            "main.typ",
            b"= Intro <intro>\nSee @intro and @kim2007.\n#bibliography(\"works.bib\")",
        ),
        ("works.bib", BIB),
    ]);
    let config = init_then_check(dir.path());
    assert_eq!(entries(&config, "documents"), ["main.typ"]);
}

#[test]
fn an_existing_configuration_is_kept_unless_forced_and_missing_files_are_named() {
    let dir = project(&[
        ("main.tex", b"\\bibliography{gone}\\cite{kim2007}"),
        ("refs/found.bib", BIB),
        ("refkeeper.toml", b"# mine\n"),
    ]);
    let output = refkeeper()
        .arg("init")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("refkeeper.toml exists; --force"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("refkeeper.toml")).unwrap(),
        "# mine\n"
    );

    let output = refkeeper()
        .args(["init", "--force"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("main.tex names gone.bib, which does not exist"),
        "{stderr}"
    );
    let config = std::fs::read_to_string(dir.path().join("refkeeper.toml")).unwrap();
    // The declared file is missing: the .bib files found are proposed.
    assert_eq!(entries(&config, "bibliography"), ["refs/found.bib"]);
    assert!(config.contains("gone.bib: declared in main.tex, but there is no such file"));
}
