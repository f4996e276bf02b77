//! Tests that run the `refkeeper` binary: exit statuses, output formats,
//! error messages, and the study that ships with the repository.

use std::path::{Path, PathBuf};

mod common;

use common::{project, refkeeper};
use serde::Deserialize;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn the_study_checks_clean_with_no_arguments() {
    let output = refkeeper()
        .arg("check")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert!(
        stdout(&output).starts_with("no problems found: 6 chapters against 1 bibliography file")
    );
}

#[test]
fn errors_exit_with_1_and_point_at_file_line_and_column() {
    let output = refkeeper()
        .args(["check", "--no-config"])
        .current_dir(fixture("missing-entry"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains(
        "error[missing-entry]: `kim-2007-koera` is cited but is not in any bibliography"
    ));
    assert!(text.contains("┌─ chapters/intro.md:3:13"), "{text}");
    assert!(text.contains("= help: did you mean `kim-2007-korea`?"));
}

#[test]
fn warnings_exit_with_0_unless_denied() {
    let dir = fixture("unused-entry");
    refkeeper().arg("check").current_dir(&dir).assert().code(0);
    refkeeper()
        .args(["check", "--deny", "warnings"])
        .current_dir(&dir)
        .assert()
        .code(1);
    refkeeper()
        .args(["check", "-D", "warnings"])
        .current_dir(&dir)
        .assert()
        .code(1);
}

#[test]
fn an_unreadable_input_exits_with_2_but_the_rest_is_still_checked() {
    let output = refkeeper()
        .args([
            "check",
            "--no-config",
            "chapters/intro.md",
            "chapters/nope.md",
            "--bib",
            "refs/refs.bib",
        ])
        .current_dir(fixture("missing-entry"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("refkeeper: error: chapters/nope.md: no such file or folder"));
    assert!(stdout(&output).contains("`nobody-knows` is cited but is not in any bibliography"));
}

#[test]
fn a_chapter_that_is_not_utf8_is_named_with_its_position() {
    let dir = project(&[
        ("refs/r.bib", b"@book{a, title={A}}"),
        ("chapters/good.md", b"[@a] and [@b]"),
        ("chapters/bad.md", b"ok\n\xC3\x28 broken"),
    ]);
    let output = refkeeper()
        .args(["check", "--no-config"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("chapters/bad.md:2:1: not valid UTF-8 (byte offset 3)"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("`b` is cited but is not in any bibliography"));
}

#[test]
fn a_bad_configuration_exits_with_2_and_names_the_line() {
    let dir = project(&[(
        "refkeeper.toml",
        b"chapters = [\"c\"]\n[check]\nallow-unsued = []\n",
    )]);
    let output = refkeeper()
        .arg("check")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("refkeeper.toml:3:1: unknown field `allow-unsued`"),
        "{message}"
    );
}

#[test]
fn no_inputs_is_a_clear_error() {
    let dir = project(&[("notes.txt", b"")]);
    let output = refkeeper()
        .arg("check")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    // No document, no `chapters/`: say what was looked for, and how to
    // tell refkeeper where the chapters are.
    assert!(
        stderr(&output).contains("no document found in"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("refkeeper init"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bibliographies_beside_named_chapter_folders_are_found() {
    let dir = project(&[
        ("thesis/refs.bib", b"@book{a,}"),
        ("thesis/ch1.tex", b"\\cite{a}"),
    ]);
    refkeeper()
        .args(["check", "--no-config", "thesis"])
        .current_dir(dir.path())
        .assert()
        .code(0);
}

#[test]
fn github_annotations_are_escaped() {
    let dir = project(&[
        ("refs/r.bib", b"@misc{a, title = {A}, date = {2020}}"),
        ("chapters/x,y.md", b"[@a] [@100%done]"),
    ]);
    let output = refkeeper()
        .args(["check", "--no-config", "--format", "github"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "::error file=chapters/x%2Cy.md,line=1,col=8,endLine=1,endColumn=16,title=refkeeper missing-entry::`100%25done` is cited but is not in any bibliography\n"
    );
}

#[test]
fn colour_follows_the_flag() {
    let dir = fixture("unused-entry");
    let coloured = refkeeper()
        .args(["check", "--color", "always"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(stdout(&coloured).contains("\u{1b}["));
    let plain = refkeeper()
        .args(["check", "--color", "never"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!stdout(&plain).contains("\u{1b}["));
    // Not a terminal: no colour by default.
    let piped = refkeeper().arg("check").current_dir(&dir).output().unwrap();
    assert!(!stdout(&piped).contains("\u{1b}["));
}

#[test]
fn explain_prints_the_documentation_of_a_code() {
    let output = refkeeper()
        .args(["explain", "unused-entry"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("unused-entry (warning by default)"));
    assert!(stdout(&output).contains("allow-unused"));
    let list = refkeeper().arg("explain").output().unwrap();
    for code in [
        "missing-entry",
        "unused-entry",
        "duplicate-key",
        "bib-syntax",
        "missing-crossref",
    ] {
        assert!(stdout(&list).contains(code));
    }
    let unknown = refkeeper().args(["explain", "nope"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown diagnostic code `nope`"));
}

#[test]
fn usage_errors_exit_with_2() {
    refkeeper().assert().code(2);
    refkeeper()
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_is_not_a_crash() {
    use std::process::{Command as Std, Stdio};
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("refkeeper"))
        .args(["check", "--no-config"])
        .current_dir(fixture("missing-entry"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    // The findings still decide the status; no panic (101), no signal.
    assert_eq!(status.code(), Some(1));
}

/// The JSON document, as a consumer would read it: unknown fields are an
/// error, so a field added or renamed without updating this test fails it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct JsonReport {
    version: u32,
    diagnostics: Vec<JsonDiagnostic>,
    errors: Vec<JsonError>,
    summary: JsonSummary,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct JsonDiagnostic {
    code: String,
    severity: String,
    message: String,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    key: Option<String>,
    help: Option<String>,
    related: Vec<JsonLocation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct JsonLocation {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct JsonError {
    message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    by_code: std::collections::BTreeMap<String, usize>,
    chapters: usize,
    bibliographies: usize,
    entries: usize,
    citations: usize,
    cited_keys: usize,
    unreadable_files: usize,
    left_out: usize,
    withheld: std::collections::BTreeMap<String, usize>,
}

#[test]
fn json_output_matches_its_documented_shape() {
    let output = refkeeper()
        .args(["check", "--no-config", "--format", "json"])
        .current_dir(fixture("duplicate-key"))
        .output()
        .unwrap();
    let report: JsonReport = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report.version, 1);
    assert_eq!(report.summary.errors, 2);
    assert_eq!(report.summary.warnings, 1);
    assert_eq!(report.summary.by_code.get("duplicate-key"), Some(&3));
    let first = &report.diagnostics[0];
    assert_eq!((first.line, first.column, first.end_column), (3, 23, 32));
    assert_eq!(
        first.related[0].message.as_deref(),
        Some("`smith2020` is defined here")
    );
}

/// Runs `shell` with `args` on `script` when that shell is installed.
fn shell_accepts(shell: &str, args: &[&str], script: &[u8]) -> Option<bool> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("completion");
    std::fs::write(&path, script).unwrap();
    let status = std::process::Command::new(shell)
        .args(args)
        .arg(&path)
        .status()
        .ok()?;
    Some(status.success())
}

#[test]
fn completions_are_generated_for_three_shells_and_parse() {
    let shells = [
        ("bash", vec!["-n"]),
        ("zsh", vec!["-n"]),
        ("fish", vec!["--no-execute"]),
    ];
    for (shell, check) in shells {
        let output = refkeeper().args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = stdout(&output);
        // Without dashes: fish writes options as `-l format`.
        for word in [
            "check", "refs", "subset", "explain", "format", "sarif", "bib",
        ] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
        match shell_accepts(shell, &check, script.as_bytes()) {
            Some(ok) => assert!(ok, "{shell} rejects its completion script"),
            None => eprintln!("skipped the syntax check: {shell} is not installed"),
        }
    }
}

#[test]
fn the_manual_page_is_roff_with_the_commands() {
    let output = refkeeper().arg("man").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let page = stdout(&output);
    assert!(page.contains(".TH refkeeper 1"), "{page}");
    assert!(page.contains(".SH NAME"));
    for command in [
        "check",
        "refs",
        "subset",
        "styles",
        "explain",
        "completions",
    ] {
        assert!(page.contains(command), "the page lacks {command}");
    }
}

#[test]
fn every_page_the_manual_names_is_there() {
    let page = stdout(&refkeeper().arg("man").output().unwrap());
    let named: Vec<&str> = page
        .split("refkeeper\\-")
        .skip(1)
        .filter_map(|rest| rest.split_once("(1)").map(|(name, _)| name))
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase()))
        .collect();
    assert!(named.len() >= 10, "{named:?}");
    for name in named {
        let output = refkeeper().args(["man", name]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{name}");
        let sub = stdout(&output);
        assert!(
            sub.contains(&format!(".TH refkeeper-{name} 1")),
            "{name}: {sub}"
        );
    }
    let output = refkeeper().args(["man", "chek"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn help_shows_usage_before_the_examples() {
    for command in [
        "check", "refs", "subset", "init", "lsp", "files", "list", "report",
    ] {
        let help = stdout(&refkeeper().args([command, "--help"]).output().unwrap());
        let usage = help.find("Usage:").unwrap();
        let examples = help.find("Example").unwrap_or(usize::MAX);
        assert!(usage < examples, "{command}: {help}");
    }
}

/// The refkeeper command lines in a file meant for users (after `entry:`
/// or `run:`), without shell redirections.
fn documented_commands(path: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    text.lines()
        .filter_map(|line| {
            let line = line.trim().trim_start_matches("- ");
            let command = line
                .strip_prefix("entry: ")
                .or_else(|| line.strip_prefix("run: "))?;
            let command = command.split(['>', '|']).next().unwrap().trim();
            let words: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
            (words.first().map(String::as_str) == Some("refkeeper")).then_some(words)
        })
        .collect()
}

#[test]
fn the_pre_commit_hooks_and_the_workflow_run_real_commands() {
    for file in [".pre-commit-hooks.yaml", "docs/ci/github-actions.yml"] {
        let commands = documented_commands(file);
        assert!(commands.len() >= 2, "{file}: {commands:?}");
        for words in commands {
            // Each parses: clap accepts the arguments (with --help added,
            // nothing runs).
            let output = refkeeper()
                .args(&words[1..])
                .arg("--help")
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "{file}: {words:?}: {}",
                stderr(&output)
            );
        }
    }
}

#[test]
fn list_gives_every_citation_with_its_place_in_three_formats() {
    let dir = project(&[
        (
            "refs/r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
        ("chapters/a.md", "한국 [@kim2007; @lee2010]".as_bytes()),
        ("chapters/b.tex", b"x\n\\nocite{kim2007}"),
        (
            "chapters/c.typ",
            b"= Intro <intro>\nSee @intro and @kim2007.",
        ),
    ]);
    let run = |format: &str| {
        let output = refkeeper()
            .args(["list", "--no-config", "--format", format])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    assert_eq!(
        run("text"),
        "chapters/a.md:1:6: kim2007\n\
         chapters/a.md:1:16: lee2010 (missing)\n\
         chapters/b.tex:2:9: kim2007\n\
         chapters/c.typ:2:17: kim2007\n"
    );
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(
        json["citations"][2],
        serde_json::json!({"file": "chapters/b.tex", "line": 2, "column": 9,
                           "key": "kim2007", "kind": "nocite", "in_bibliography": true})
    );
    assert_eq!(json["citations"][3]["kind"], "typst-ref");
    let csv = run("csv");
    assert!(
        csv.starts_with("file,line,column,key,kind,in_bibliography\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("chapters/a.md,1,16,lee2010,cite,false\r\n"),
        "{csv}"
    );
}

#[test]
fn progress_shows_on_a_terminal_only() {
    let dir = project(&[
        (
            "refs/r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
        ("chapters/a.md", b"[@kim2007]"),
    ]);
    // Piped (as here): never, however long the work.
    let output = refkeeper()
        .args(["check", "--no-config"])
        .env("REFKEEPER_PROGRESS_DELAY_MS", "0")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(stderr(&output), "");
    // On a terminal (`script` gives one): shown, then erased.
    let binary = env!("CARGO_BIN_EXE_refkeeper");
    let on_terminal = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{binary} check --no-config > /dev/null"),
            "/dev/null",
        ])
        .env("REFKEEPER_PROGRESS_DELAY_MS", "0")
        .env("TERM", "xterm")
        .current_dir(dir.path())
        .output();
    match on_terminal {
        Ok(output) if output.status.success() => {
            let shown = String::from_utf8_lossy(&output.stdout);
            assert!(shown.contains("refkeeper: checking"), "{shown:?}");
            assert!(shown.ends_with("\r\x1b[K"), "erased at the end: {shown:?}");
        }
        _ => eprintln!("skipped the terminal half: `script` (util-linux) is not available"),
    }
}
