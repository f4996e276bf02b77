//! A failed input never costs a file, and a run that checked nothing never
//! passes. Each test is a case a new user ran into: a misspelt path, a glob
//! that matches nothing, a bibliography that is not there. Every writing
//! command leaves its target byte for byte as it was and exits 2; `check`
//! names what it could not read and does not report, as facts, findings
//! that only follow from it.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Run, project, refkeeper};

const BIB: &[u8] = b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}\n\
@book{lee2010, author = {Lee, J.}, title = {B}, date = 2010}\n";

const REFERENCES: &str = "# References\n\n<!-- refkeeper:begin references -->\nKim, M. (2007). *A*.\n<!-- refkeeper:end references -->\n";

/// The study's shape: `refs/`, `chapters/`, a References file.
fn study() -> tempfile::TempDir {
    project(&[
        ("refs/r.bib", BIB),
        ("chapters/a.md", b"As [@kim2007] shows.\n"),
        ("chapters/b.md", b"And [@lee2010].\n"),
        ("chapters/zz-references.md", REFERENCES.as_bytes()),
        (
            "refkeeper.toml",
            b"[refs]\nstyle = \"apa\"\nfile = \"chapters/zz-references.md\"\n",
        ),
    ])
}

fn run(dir: &Path, args: &[&str]) -> Run {
    common::run(
        refkeeper()
            .args(args)
            .args(["--color", "never"].iter().filter(|_| args[0] == "check"))
            .current_dir(dir),
    )
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap()
}

#[test]
fn refs_write_with_a_misspelt_chapter_leaves_the_references_as_they_were() {
    let dir = study();
    let before = read(dir.path(), "chapters/zz-references.md");
    let run = run(
        dir.path(),
        &[
            "refs",
            "chapters/typo.md",
            "--write",
            "chapters/zz-references.md",
        ],
    );
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert_eq!(read(dir.path(), "chapters/zz-references.md"), before);
    assert!(
        run.stderr.contains(
            "nothing written to chapters/zz-references.md: 1 input could not be read (chapters/typo.md); it is as it was"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("updated"), "{}", run.stderr);
}

#[test]
fn refs_with_every_input_read_still_writes() {
    // The case that must not be refused: the same command, spelt right.
    let dir = study();
    let run = run(
        dir.path(),
        &[
            "refs",
            "chapters/a.md",
            "chapters/b.md",
            "--write",
            "chapters/zz-references.md",
        ],
    );
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    let after = String::from_utf8(read(dir.path(), "chapters/zz-references.md")).unwrap();
    assert!(after.contains("Lee, J. (2010)"), "{after}");
}

#[test]
fn refs_check_with_an_unread_input_compares_nothing() {
    let dir = study();
    let run = run(dir.path(), &["refs", "chapters/typo.md", "--check"]);
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert_eq!(run.stdout, "", "no diff is printed");
    assert!(
        run.stderr
            .contains("chapters/zz-references.md: not compared: 1 input could not be read"),
        "{}",
        run.stderr
    );
}

#[test]
fn refs_to_standard_output_with_an_unread_input_prints_nothing() {
    // `refkeeper refs > references.md`: the shell has emptied the file
    // already; a partial list would pass for a whole one.
    let dir = study();
    let run = run(dir.path(), &["refs", "chapters/a.md", "chapters/typo.md"]);
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("nothing written to standard output"),
        "{}",
        run.stderr
    );
}

#[test]
fn subset_with_a_misspelt_chapter_keeps_the_bibliography() {
    let dir = study();
    let run = run(
        dir.path(),
        &[
            "subset",
            "chapters/nothere.md",
            "--bib",
            "refs/r.bib",
            "-o",
            "refs/r.bib",
        ],
    );
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert_eq!(read(dir.path(), "refs/r.bib"), BIB);
    assert!(
        run.stderr.contains(
            "nothing written to refs/r.bib: 1 input could not be read (chapters/nothere.md)"
        ),
        "{}",
        run.stderr
    );
    // To standard output: nothing either.
    let run = self::run(dir.path(), &["subset", "chapters/nothere.md"]);
    assert_eq!(run.status, Some(2));
    assert_eq!(run.stdout, "");
}

#[test]
fn report_with_a_misspelt_chapter_keeps_the_old_page() {
    let dir = study();
    std::fs::write(dir.path().join("report.html"), "<html>the old page").unwrap();
    let run = run(
        dir.path(),
        &["report", "chapters/nothere.md", "--html", "report.html"],
    );
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert_eq!(read(dir.path(), "report.html"), b"<html>the old page");
    assert!(
        run.stderr.contains("nothing written to report.html"),
        "{}",
        run.stderr
    );
}

#[test]
fn init_with_an_unreadable_document_writes_no_configuration() {
    // What the unreadable file declares is unknown: the configuration
    // would be a guess.
    let dir = project(&[
        ("refs.bib", BIB),
        (
            "main.tex",
            b"\\documentclass{article}\n\\addbibresource{refs.bib}\n",
        ),
        ("old.tex", b"\\chapter{Caf\xE9}\n"),
    ]);
    let run = run(dir.path(), &["init"]);
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert!(!dir.path().join("refkeeper.toml").exists());
    assert!(
        run.stderr.contains("old.tex:1:13: not valid UTF-8"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing written to"), "{}", run.stderr);
    // An existing one is not replaced under --force either.
    std::fs::write(dir.path().join("refkeeper.toml"), "# mine\n").unwrap();
    let forced = self::run(dir.path(), &["init", "--force"]);
    assert_eq!(forced.status, Some(2));
    assert_eq!(read(dir.path(), "refkeeper.toml"), b"# mine\n");
}

#[test]
fn a_glob_that_matches_nothing_fails_the_run() {
    let dir = study();
    let run = run(dir.path(), &["check", "chaptrs/*.md"]);
    assert_eq!(run.status, Some(2), "{}", run.stdout);
    assert!(
        run.stderr.contains("chaptrs/*.md: matches no chapter file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .starts_with("incomplete: 1 input could not be read (chaptrs/*.md)"),
        "{}",
        run.stdout
    );
    // The same pattern spelt right matches, and passes.
    let good = self::run(dir.path(), &["check", "chapters/*.md"]);
    assert_eq!(good.status, Some(0), "{}{}", good.stdout, good.stderr);
}

#[test]
fn a_configured_glob_that_matches_nothing_fails_the_run() {
    let dir = study();
    std::fs::write(
        dir.path().join("refkeeper.toml"),
        "chapters = [\"chapters/*.md\", \"chaptrs/*.md\"]\n",
    )
    .unwrap();
    let run = run(dir.path(), &["check"]);
    assert_eq!(run.status, Some(2), "{}", run.stdout);
    assert!(
        run.stderr.contains("chaptrs/*.md: matches no chapter file"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_folder_without_chapters_fails_the_run() {
    let dir = study();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let run = run(dir.path(), &["check", "empty"]);
    assert_eq!(run.status, Some(2), "{}", run.stdout);
    assert!(
        run.stderr.contains("empty: matches no chapter file"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_glob_matching_files_another_path_already_named_is_not_empty() {
    // Each specification counts what it matched, not what it added.
    let dir = study();
    let run = run(dir.path(), &["check", "chapters", "chapters/*.md"]);
    assert_eq!(run.status, Some(0), "{}{}", run.stdout, run.stderr);
}

#[test]
fn an_unreadable_bibliography_withholds_the_missing_entries_it_causes() {
    let dir = study();
    let run = run(dir.path(), &["check", "--bib", "nothere.bib"]);
    assert_eq!(run.status, Some(2), "{}", run.stdout);
    // Not a screen of "missing" errors that only follow from the file.
    assert!(
        !run.stdout.contains("error[missing-entry]"),
        "{}",
        run.stdout
    );
    let summary = run.stdout.lines().last().unwrap();
    assert!(
        summary.starts_with(
            "incomplete: 1 input could not be read (nothere.bib); 2 findings (missing-entry) withheld as unreliable"
        ),
        "{summary}"
    );
    // In JSON, counted per code.
    let json = self::run(
        dir.path(),
        &["check", "--bib", "nothere.bib", "--format", "json"],
    );
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["summary"]["withheld"]["missing-entry"], 2);
    assert_eq!(document["summary"]["unreadable_files"], 1);
}

#[test]
fn an_unreadable_chapter_withholds_the_unused_entries_it_causes() {
    let dir = study();
    let run = run(dir.path(), &["check", "nothere.tex"]);
    assert_eq!(run.status, Some(2));
    assert!(
        !run.stdout.contains("warning[unused-entry]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("2 findings (unused-entry) withheld as unreliable"),
        "{}",
        run.stdout
    );
    // Findings that do not follow from it are still reported.
    std::fs::write(dir.path().join("chapters/c.md"), "[@park2011]").unwrap();
    let run = self::run(dir.path(), &["check", "chapters/c.md", "nothere.tex"]);
    assert!(run.stdout.contains("`park2011` is cited"), "{}", run.stdout);
}

#[test]
fn nothing_read_is_never_no_problems_found() {
    let dir = study();
    let run = run(dir.path(), &["check", "thesis/", "--bib", "refs.bib"]);
    assert_eq!(run.status, Some(2));
    assert!(!run.stdout.contains("no problems found"), "{}", run.stdout);
    assert!(
        run.stdout.starts_with(
            "incomplete: 2 inputs could not be read (refs.bib, thesis); nothing found in what was read"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn watch_reruns_once_per_edit_in_a_project_with_a_configuration() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = study();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_refkeeper"))
        .args(["check", "--watch", "--color", "never"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let summaries = |within: Duration| {
        let end = std::time::Instant::now() + within;
        let mut seen = Vec::new();
        while let Some(left) = end.checked_duration_since(std::time::Instant::now()) {
            match lines.recv_timeout(left) {
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        seen
    };
    let first = summaries(Duration::from_secs(3));
    assert_eq!(
        first
            .iter()
            .filter(|l| l.contains("watching for changes"))
            .count(),
        1,
        "{first:#?}"
    );
    std::fs::write(dir.path().join("chapters/b.md"), "And [@lee2010] [@new].\n").unwrap();
    // One run for the edit, then quiet: reading refkeeper.toml (as every
    // run does) is not a change.
    let after = summaries(Duration::from_secs(4));
    let _ = child.kill();
    let _ = child.wait();
    let runs: Vec<&String> = after.iter().filter(|l| l.contains("changed:")).collect();
    assert_eq!(runs.len(), 1, "{after:#?}");
    assert!(runs[0].contains("changed: chapters/b.md"), "{after:#?}");
}
