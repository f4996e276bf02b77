//! A manuscript read the way its toolchain reads it: a LaTeX root and what
//! it includes, a Quarto or bookdown project, a pandoc document that
//! declares its bibliography, a Typst file and its includes. Each rule has
//! a project that exercises it and a case that must not match.

mod common;

use std::path::Path;

use common::{Run, project, refkeeper, run};

const BIB: &[u8] = b"@book{intro-2001, author = {Kim, M.}, title = {A}, date = 2001}\n\
@book{method-2002, author = {Lee, J.}, title = {B}, date = 2002}\n\
@book{draft-2003, author = {Park, S.}, title = {C}, date = 2003}\n\
@book{backup-2004, author = {Choi, H.}, title = {D}, date = 2004}\n";

fn check(dir: &Path, args: &[&str]) -> Run {
    run(refkeeper()
        .arg("check")
        .args(["--color", "never"])
        .args(args)
        .current_dir(dir))
}

fn files(dir: &Path, args: &[&str]) -> Run {
    run(refkeeper().arg("files").args(args).current_dir(dir))
}

/// The keys reported under a code, sorted.
fn keys(run: &Run, code: &str) -> Vec<String> {
    let json = run.stdout.as_str();
    let document: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let mut keys: Vec<String> = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .filter_map(|d| d["key"].as_str().map(str::to_owned))
        .collect();
    keys.sort();
    keys
}

/// A thesis whose root reads two chapters; a commented-out `\input`, an
/// `\iffalse` block and a backup file cite what LaTeX never reads.
fn thesis() -> tempfile::TempDir {
    project(&[
        (
            "thesis.tex",
            b"\\documentclass{book}\n\\usepackage{biblatex}\n\\addbibresource{refs/main.bib}\n\
\\begin{document}\n\\input{chapters/intro}\n\\include{chapters/method}\n\
% \\input{chapters/old}\n\\iffalse\n\\input{chapters/draft}\\cite{draft-2003}\n\\fi\n\
\\printbibliography\n\\end{document}\n",
        ),
        (
            "chapters/intro.tex",
            b"\\chapter{Intro}\nAs \\textcite{intro-2001} shows.\n",
        ),
        (
            "chapters/method.tex",
            b"\\chapter{Method}\n\\parencite{method-2002}\n",
        ),
        ("chapters/old.tex", b"\\cite{draft-2003}\n"),
        ("chapters/draft.tex", b"\\cite{draft-2003}\n"),
        ("chapters/method_bak.tex", b"\\cite{backup-2004}\n"),
        ("refs/main.bib", BIB),
    ])
}

#[test]
fn a_latex_root_reads_what_it_includes_and_nothing_else() {
    let dir = thesis();
    let run = check(dir.path(), &["thesis.tex", "--format", "json"]);
    assert_eq!(run.status, Some(0), "{}{}", run.stdout, run.stderr);
    // Cited only in files LaTeX does not read: unused.
    assert_eq!(keys(&run, "unused-entry"), ["backup-2004", "draft-2003"]);
    let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(document["summary"]["chapters"], 3);
    assert_eq!(document["summary"]["bibliographies"], 1);
}

#[test]
fn with_no_arguments_the_root_is_found_and_named() {
    let dir = thesis();
    let run = check(dir.path(), &[]);
    assert!(
        run.stdout
            .starts_with("document: thesis.tex (LaTeX, 3 files) against refs/main.bib\n"),
        "{}",
        run.stdout
    );
    // The chapters LaTeX does not read are left out, and said to be.
    assert!(
        run.stdout.contains("3 files no document reads left out"),
        "{}",
        run.stdout
    );
    let left_out = files(dir.path(), &["--left-out"]);
    assert_eq!(
        left_out.stdout,
        "chapters/draft.tex\nchapters/method_bak.tex\nchapters/old.tex\n"
    );
}

#[test]
fn a_file_named_on_its_own_is_read() {
    // The case that must not be left out: the user asked for it.
    let dir = thesis();
    let run = check(
        dir.path(),
        &["thesis.tex", "chapters/method_bak.tex", "--format", "json"],
    );
    assert_eq!(keys(&run, "unused-entry"), ["draft-2003"]);
}

#[test]
fn import_and_subimport_change_the_base_folder() {
    let dir = project(&[
        (
            "main.tex",
            b"\\documentclass{article}\n\\bibliography{refs}\n\\import{parts/}{one}\n",
        ),
        (
            "parts/one.tex",
            b"\\cite{intro-2001}\n\\input{two}\n\\subimport{sub/}{three}\n",
        ),
        ("parts/two.tex", b"\\cite{method-2002}\n"),
        ("parts/sub/three.tex", b"\\cite{draft-2003}\n"),
        ("two.tex", b"\\cite{backup-2004}\n"),
        ("refs.bib", BIB),
    ]);
    let run = check(dir.path(), &["main.tex", "--format", "json"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    // `\input{two}` inside the imported file means parts/two.tex, not ./two.tex.
    assert_eq!(keys(&run, "unused-entry"), ["backup-2004"]);
}

#[test]
fn bibtex_and_biblatex_resolve_against_the_main_folder() {
    // Declared in a chapter, resolved against the main document's folder,
    // as biblatex does; `\bibliography{a,b}` adds `.bib`.
    let dir = project(&[
        (
            "main.tex",
            b"\\documentclass{article}\n\\input{ch/a}\n\\bibliography{refs/one,refs/two.bib}\n",
        ),
        (
            "ch/a.tex",
            b"\\addbibresource{refs/three.bib}\n\\cite{a,b,c}\n",
        ),
        ("refs/one.bib", b"@book{a, title = {A}}\n"),
        ("refs/two.bib", b"@book{b, title = {B}}\n"),
        ("refs/three.bib", b"@book{c, title = {C}}\n"),
        ("ch/refs/three.bib", b"@book{wrong, title = {W}}\n"),
    ]);
    let listed = files(dir.path(), &["main.tex"]);
    assert!(
        listed.stdout.contains(
            "  bibliography: refs/three.bib\n  bibliography: refs/one.bib\n  bibliography: refs/two.bib\n"
        ),
        "{}",
        listed.stdout
    );
}

#[test]
fn a_missing_include_is_named_at_the_input() {
    let dir = project(&[
        (
            "main.tex",
            b"\\documentclass{article}\n\\addbibresource{refs.bib}\n\\input{nothere}\n\\cite{intro-2001}\n",
        ),
        ("refs.bib", BIB),
    ]);
    let run = check(dir.path(), &[]);
    // A warning: a file the build writes (a version.tex) is not there either.
    assert_eq!(run.status, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "warning[missing-include]: `nothere` names nothere.tex, which does not exist"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("main.tex:3:8"), "{}", run.stdout);
}

#[test]
fn an_include_cycle_is_named_and_not_followed() {
    let dir = project(&[
        (
            "main.tex",
            b"\\documentclass{article}\n\\addbibresource{refs.bib}\n\\input{a}\n",
        ),
        ("a.tex", b"\\input{b}\\cite{intro-2001}\n"),
        ("b.tex", b"\\input{a}\n"),
        ("refs.bib", BIB),
    ]);
    let run = check(dir.path(), &["main.tex"]);
    assert_eq!(run.status, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("error[include-cycle]: `a` includes a.tex, which includes this file again"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("b.tex:1:8"), "{}", run.stdout);
}

#[test]
fn a_remote_bibliography_is_noted_not_read() {
    let dir = project(&[
        (
            "main.tex",
            b"\\documentclass{article}\n\\addbibresource[location=remote]{http://example.org/x.bib}\n\\addbibresource{refs.bib}\n\\cite{intro-2001}\n",
        ),
        ("refs.bib", BIB),
    ]);
    let run = check(dir.path(), &["main.tex"]);
    assert!(
        run.stderr
            .contains("is a remote bibliography (location=remote); it is not read"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_quarto_book_reads_its_chapters_and_its_bibliography() {
    let dir = project(&[
        (
            "_quarto.yml",
            b"project:\n  type: book\nbook:\n  chapters:\n    - index.qmd\n    - part: \"One\"\n      chapters: [ch/a.qmd]\n  appendices: [ch/app.qmd]\nbibliography: refs/book.bib\n",
        ),
        ("index.qmd", b"# Preface\n\n{{< include _intro.qmd >}}\n"),
        ("_intro.qmd", b"As @intro-2001 shows.\n"),
        ("ch/a.qmd", b"See [@method-2002].\n"),
        ("ch/app.qmd", b"See [@draft-2003].\n"),
        ("_drafts/b.qmd", b"[@backup-2004]\n"),
        ("_book/index.md", b"[@backup-2004]\n"),
        ("refs/book.bib", BIB),
    ]);
    let run = check(dir.path(), &["--format", "json"]);
    assert_eq!(run.status, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(keys(&run, "unused-entry"), ["backup-2004"]);
}

#[test]
fn a_quarto_profile_is_merged_when_asked_for_or_the_default() {
    let book = |default: &str| {
        let config = format!(
            "project:\n  type: book\n{default}book:\n  chapters: [index.qmd]\nbibliography: refs.bib\n"
        );
        project(&[
            ("_quarto.yml", config.as_bytes()),
            // The pro version adds a chapter and a bibliography.
            (
                "_quarto-pro.yml",
                b"book:\n  chapters: [advanced.qmd]\nbibliography: [pro.bib]\n",
            ),
            ("index.qmd", b"[@intro-2001]\n"),
            ("advanced.qmd", b"[@method-2002] [@pro-2005]\n"),
            ("refs.bib", BIB),
            (
                "pro.bib",
                b"@book{pro-2005, author = {Yoon, B.}, title = {E}, date = 2005}\n",
            ),
        ])
    };
    let plain = book("");
    let run = check(plain.path(), &["--format", "json"]);
    assert_eq!(
        keys(&run, "unused-entry"),
        ["backup-2004", "draft-2003", "method-2002"]
    );
    assert!(!run.stderr.contains("profile"), "{}", run.stderr);

    let asked = run_with_profile(plain.path(), "pro", &["--format", "json"]);
    assert_eq!(keys(&asked, "unused-entry"), ["backup-2004", "draft-2003"]);
    let asked = run_with_profile(plain.path(), "pro", &[]);
    assert!(
        asked
            .stderr
            .contains("_quarto.yml: read with the profile _quarto-pro.yml"),
        "{}",
        asked.stderr
    );
    // A profile with no file is skipped, as Quarto skips it.
    let missing = run_with_profile(plain.path(), "nothere", &[]);
    assert_eq!(missing.status, Some(0), "{}", missing.stderr);

    let by_default = book("profile:\n  default: pro\n");
    let run = check(by_default.path(), &["--format", "json"]);
    assert_eq!(keys(&run, "unused-entry"), ["backup-2004", "draft-2003"]);
}

fn run_with_profile(dir: &Path, profile: &str, args: &[&str]) -> Run {
    run(refkeeper()
        .arg("check")
        .args(args)
        .env("QUARTO_PROFILE", profile)
        .current_dir(dir))
}

#[test]
fn a_quarto_website_renders_every_page_not_starting_with_an_underscore() {
    let dir = project(&[
        (
            "_quarto.yml",
            b"project:\n  type: website\n  output-dir: docs\n",
        ),
        (
            "index.qmd",
            b"---\nbibliography: refs.bib\n---\n[@intro-2001]\n",
        ),
        (
            "posts/a.qmd",
            b"---\nbibliography: ../refs.bib\n---\n[@method-2002]\n",
        ),
        ("docs/index.md", b"[@backup-2004]\n"),
        ("_private.qmd", b"[@draft-2003]\n"),
        ("refs.bib", BIB),
    ]);
    let run = check(dir.path(), &["--format", "json"]);
    assert_eq!(keys(&run, "unused-entry"), ["backup-2004", "draft-2003"]);
}

#[test]
fn a_pandoc_document_uses_the_bibliographies_its_front_matter_declares() {
    let dir = project(&[
        (
            "analysis.Rmd",
            b"---\ntitle: x\nbibliography: [packages.bib, refs/main.bib]\n---\n[@intro-2001] [@R-base]\n",
        ),
        ("packages.bib", b"@manual{R-base, title = {R}}\n"),
        ("refs/main.bib", BIB),
        ("notes.md", b"# Notes\n[@method-2002]\n"),
    ]);
    let run = check(dir.path(), &["--format", "json"]);
    assert_eq!(keys(&run, "missing-entry"), Vec::<String>::new());
    assert_eq!(
        keys(&run, "unused-entry"),
        ["backup-2004", "draft-2003", "method-2002"]
    );
}

#[test]
fn bookdown_reads_rmd_files_in_order() {
    let dir = project(&[
        (
            "_bookdown.yml",
            b"rmd_files: [\"index.Rmd\", \"02-b.Rmd\"]\n",
        ),
        (
            "index.Rmd",
            b"---\nbibliography: book.bib\n---\n[@intro-2001]\n",
        ),
        ("02-b.Rmd", b"[@method-2002]\n"),
        ("03-c.Rmd", b"[@draft-2003]\n"),
        ("book.bib", BIB),
    ]);
    let run = check(dir.path(), &["--format", "json"]);
    assert_eq!(keys(&run, "unused-entry"), ["backup-2004", "draft-2003"]);
}

#[test]
fn typst_follows_includes_and_its_bibliography_call() {
    let dir = project(&[
        (
            "main.typ",
            b"#include \"ch/a.typ\"\n@intro-2001\n#bibliography(\"refs.bib\")\n",
        ),
        ("ch/a.typ", b"#include \"b.typ\"\n@method-2002\n"),
        ("ch/b.typ", b"@draft-2003\n"),
        ("other.typ", b"@backup-2004\n"),
        ("refs.bib", BIB),
    ]);
    let run = check(dir.path(), &["main.typ", "--format", "json"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert_eq!(keys(&run, "unused-entry"), ["backup-2004"]);
}

#[test]
fn several_documents_each_get_their_own_bibliography() {
    let dir = project(&[
        (
            "one/main.tex",
            b"\\documentclass{article}\n\\bibliography{biblio}\n\\cite{a}\n",
        ),
        (
            "one/biblio.bib",
            b"@book{a, title = {A}}\n@book{b, title = {B}}\n",
        ),
        (
            "two/main.tex",
            b"\\documentclass{article}\n\\bibliography{biblio}\n\\cite{b}\n",
        ),
        ("two/biblio.bib", b"@book{b, title = {B}}\n"),
    ]);
    let run = check(dir.path(), &[".", "--format", "json"]);
    // `b` is cited by the second paper but is unused in the first's file;
    // `a` would be missing in the second had they shared one list.
    assert_eq!(keys(&run, "missing-entry"), Vec::<String>::new());
    assert_eq!(keys(&run, "unused-entry"), ["b"]);
}

#[test]
fn no_document_in_a_folder_is_an_error_that_mentions_init() {
    let dir = project(&[("notes.txt", b"nothing")]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr.contains("no document found in"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("refkeeper init"), "{}", run.stderr);
}

#[test]
fn the_study_layout_still_reads_chapters_and_refs() {
    // No root in the folder: `chapters/` against `refs/`, as always.
    let dir = project(&[
        ("README.md", b"# A project\n"),
        ("refs/r.bib", b"@book{a, title = {A}}\n"),
        ("chapters/one.md", b"[@a]\n"),
    ]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("1 chapter against 1 bibliography file"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("document:"), "{}", run.stdout);
}
