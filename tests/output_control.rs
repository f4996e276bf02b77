//! Output control for many findings: levels per code from the command
//! line (`-A`, `-W`, `-D`, as clippy takes them), one line per finding
//! (`--format concise`), counts per code (`--statistics`), findings only
//! (`-q`), and the summary line broken down by code.

mod common;

use std::path::Path;

use common::{Run, project, refkeeper, run};

/// Two missing keys, one unused entry, one entry with a field misspelt
/// (`unknown-field`, off by default).
fn thesis() -> tempfile::TempDir {
    project(&[
        (
            "paper.md",
            b"---\nbibliography: refs.bib\n---\nAs [@kim-2001] and [@absent] and [@gone] show.\n",
        ),
        (
            "refs.bib",
            b"@book{kim-2001, author = {Kim, A.}, title = {A}, publisher = {P}, date = {2001}, titel = {x}}\n\
@book{spare-2002, author = {Lee, B.}, title = {B}, publisher = {P}, date = {2002}}\n",
        ),
    ])
}

fn check(dir: &Path, args: &[&str]) -> Run {
    run(refkeeper()
        .args(["check", "--color", "never"])
        .args(args)
        .current_dir(dir))
}

#[test]
fn the_summary_line_counts_each_code() {
    let dir = thesis();
    let run = check(dir.path(), &[]);
    assert!(
        run.stdout.contains(
            "2 errors (2 missing-entry), 1 warning (1 unused-entry): 1 chapter against 1 bibliography file"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn levels_per_code_from_the_command_line() {
    let dir = thesis();
    // Off: the missing entries are not reported, the run passes.
    let run = check(dir.path(), &["-A", "missing-entry"]);
    assert_eq!(run.status, Some(0), "{}", run.stdout);
    assert!(!run.stdout.contains("missing-entry"), "{}", run.stdout);
    // Denied: an unused entry fails the run; a comma list works too.
    let run = check(
        dir.path(),
        &["-A", "missing-entry", "-D", "unused-entry,duplicate-key"],
    );
    assert_eq!(run.status, Some(1), "{}", run.stdout);
    assert!(run.stdout.contains("error[unused-entry]"), "{}", run.stdout);
    // Turned on: a code that is off by default.
    let run = check(dir.path(), &["-W", "unknown-field"]);
    assert!(
        run.stdout.contains("warning[unknown-field]"),
        "{}",
        run.stdout
    );
    // `all`, then one code: only that code, at its level.
    let run = check(dir.path(), &["-A", "all", "-W", "missing-entry"]);
    assert_eq!(run.status, Some(0), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("2 warnings (2 missing-entry): 1 chapter"),
        "{}",
        run.stdout
    );
    // `-D warnings` fails the run on warnings, as before.
    let run = check(dir.path(), &["-A", "missing-entry", "-D", "warnings"]);
    assert_eq!(run.status, Some(1), "{}", run.stdout);
}

#[test]
fn a_misspelt_code_is_refused_with_the_closest_name() {
    let dir = thesis();
    let run = check(dir.path(), &["-A", "unused-entyr"]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr
            .contains("unknown diagnostic code `unused-entyr`; did you mean `unused-entry`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_command_line_overrides_the_configuration_which_may_say_error() {
    let dir = thesis();
    std::fs::write(
        dir.path().join("refkeeper.toml"),
        "[check.levels]\nunused-entry = \"error\"\nmissing-entry = \"off\"\n",
    )
    .unwrap();
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("1 error (1 unused-entry)"),
        "{}",
        run.stdout
    );
    let run = check(dir.path(), &["-W", "unused-entry"]);
    assert_eq!(run.status, Some(0), "{}", run.stdout);
}

#[test]
fn concise_output_is_one_line_per_finding() {
    let dir = thesis();
    let run = check(dir.path(), &["--format", "concise"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "paper.md:4:22: error[missing-entry]: `absent` is cited but is not in any bibliography",
            "paper.md:4:36: error[missing-entry]: `gone` is cited but is not in any bibliography",
            "refs.bib:2:7: warning[unused-entry]: entry `spare-2002` is never cited",
        ],
        "{}",
        run.stdout
    );
    assert!(
        lines[3].starts_with("2 errors (2 missing-entry)"),
        "{}",
        run.stdout
    );
    assert_eq!(lines.len(), 4);
    let quiet = check(dir.path(), &["--format", "concise", "-q"]);
    assert_eq!(quiet.stdout.lines().count(), 3, "{}", quiet.stdout);
}

#[test]
fn statistics_count_each_code_most_first() {
    let dir = thesis();
    let run = check(dir.path(), &["--statistics", "-W", "unknown-field"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "      2  missing-entry         error",
            "      1  unknown-field         warning",
            "      1  unused-entry          warning",
        ],
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("never cited"), "{}", run.stdout);
}

#[test]
fn quiet_prints_the_findings_only() {
    let dir = thesis();
    let run = check(dir.path(), &["-q"]);
    assert!(
        run.stdout.contains("error[missing-entry]"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("document:"), "{}", run.stdout);
    assert!(!run.stdout.contains("chapter against"), "{}", run.stdout);
    assert_eq!(run.status, Some(1));
}

#[test]
fn unused_entry_help_names_refkeeper_toml_only_when_one_may_be_read() {
    let dir = thesis();
    let run = check(dir.path(), &[]);
    assert!(
        run.stdout
            .contains("list it under `allow-unused` in refkeeper.toml"),
        "{}",
        run.stdout
    );
    let run = check(dir.path(), &["--no-config"]);
    assert!(
        run.stdout.contains("help: cite it or remove it\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("refkeeper.toml"), "{}", run.stdout);
}

#[test]
fn sarif_fingerprints_follow_a_finding_when_its_line_moves() {
    let dir = thesis();
    let fingerprints = |dir: &Path| -> Vec<String> {
        let run = check(dir, &["--format", "sarif"]);
        let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["refkeeperFinding/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let before = fingerprints(dir.path());
    assert_eq!(before.len(), 3);
    let mut distinct = before.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "{before:?}");
    let text = std::fs::read_to_string(dir.path().join("paper.md")).unwrap();
    let moved = text.replacen("As [@", "\n\nAs [@", 1);
    std::fs::write(dir.path().join("paper.md"), moved).unwrap();
    let mut after = fingerprints(dir.path());
    after.sort();
    assert_eq!(after, distinct);
}

#[test]
fn a_file_above_the_working_folder_is_shown_with_dot_dot() {
    let dir = project(&[
        (
            "refkeeper.toml",
            b"bibliography = [\"refs\"]\nchapters = [\"chapters\"]\n",
        ),
        (
            "refs/r.bib",
            b"@book{a, author = {Kim, A.}, title = {A}, publisher = {P}, date = {2001}}\n\
@book{b, author = {Kim, A.}, title = {B}, publisher = {P}, date = {2002}}\n",
        ),
        ("chapters/c.md", b"[@a]\n"),
    ]);
    let run = check(&dir.path().join("chapters"), &["--format", "concise", "-q"]);
    assert_eq!(
        run.stdout,
        "../refs/r.bib:2:7: warning[unused-entry]: entry `b` is never cited\n"
    );
}

#[test]
fn misspelt_codes_and_missing_files_are_named_in_words() {
    let dir = thesis();
    let run = run(refkeeper().args(["explain", "unused-entyr"]));
    assert!(
        run.stderr.contains("did you mean `unused-entry`?"),
        "{}",
        run.stderr
    );
    std::fs::write(
        dir.path().join("bad.toml"),
        "[check.levels]\nmissng-entry = \"warn\"\n",
    )
    .unwrap();
    let run = check(dir.path(), &["--config", "bad.toml"]);
    assert!(
        run.stderr.contains(
            "bad.toml:2:1: unknown diagnostic code `missng-entry`; did you mean `missing-entry`?"
        ),
        "{}",
        run.stderr
    );
    // A configuration that is not there has no line to point at, and no
    // operating-system error number.
    let run = check(dir.path(), &["--config", "nope.toml"]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr
            .contains("error: nope.toml: cannot read the configuration: no such file"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("os error"), "{}", run.stderr);
}

#[test]
fn long_lines_are_shortened_around_the_caret_with_the_files_column() {
    // One paragraph per line, with accented letters on both sides of the cut.
    let words = "Été à Almaty, Ташкент и Самарканд, ".repeat(20);
    let text = format!("Short [@kim-2001].\n{words}as [@absent] shows; {words}\n");
    let dir = project(&[
        ("paper.md", text.as_bytes()),
        (
            "refs.bib",
            b"@book{kim-2001, author = {Kim, A.}, title = {A}, publisher = {P}, date = {2001}}\n",
        ),
    ]);
    let human = check(
        dir.path(),
        &["paper.md", "--bib", "refs.bib", "--no-config"],
    );
    let concise = check(
        dir.path(),
        &[
            "paper.md",
            "--bib",
            "refs.bib",
            "--no-config",
            "--format",
            "concise",
        ],
    );
    let column = words.chars().count() + "as [@".chars().count() + 1;
    assert!(
        concise
            .stdout
            .contains(&format!("paper.md:2:{column}: error[missing-entry]")),
        "{}",
        concise.stdout
    );
    assert!(
        human.stdout.contains(&format!("┌─ paper.md:2:{column}")),
        "{}",
        human.stdout
    );
    let snippet = human
        .stdout
        .lines()
        .find(|l| l.contains("[@absent]"))
        .unwrap();
    assert!(snippet.starts_with("2 │ ..."), "{snippet}");
    assert!(snippet.ends_with("..."), "{snippet}");
    assert!(snippet.chars().count() < 200, "{snippet}");
    // The caret is under the key.
    let caret = human.stdout.lines().find(|l| l.contains('^')).unwrap();
    let key_at = snippet.chars().position(|c| c == '@').unwrap() + 1;
    assert_eq!(
        caret.chars().position(|c| c == '^'),
        Some(key_at),
        "{caret}"
    );
}

#[test]
fn citations_joined_by_a_comma_are_reported_in_markdown_only() {
    let dir = project(&[
        (
            "paper.md",
            b"As [@kim-2001, @lee-2002] and [@kim-2001; @lee-2002] and [@kim-2001, see @lee-2002].\n",
        ),
        ("paper.tex", b"\\cite{kim-2001, lee-2002}\n"),
        (
            "refs.bib",
            b"@book{kim-2001, author = {Kim, A.}, title = {A}, publisher = {P}, date = {2001}}\n\
@book{lee-2002, author = {Lee, B.}, title = {B}, publisher = {P}, date = {2002}}\n",
        ),
    ]);
    let run = check(
        dir.path(),
        &[
            "paper.md",
            "paper.tex",
            "--bib",
            "refs.bib",
            "--no-config",
            "--format",
            "concise",
            "-q",
        ],
    );
    assert_eq!(
        run.stdout,
        "paper.md:1:17: warning[citation-separator]: `@lee-2002` follows `@kim-2001` after a comma: Pandoc reads it as part of `@kim-2001`'s suffix\n"
    );
    let quiet = check(
        dir.path(),
        &[
            "paper.md",
            "--bib",
            "refs.bib",
            "--no-config",
            "-A",
            "citation-separator",
            "-q",
        ],
    );
    assert_eq!(quiet.stdout, "");
}
