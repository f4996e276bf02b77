//! `refkeeper subset`: the cited entries and what they need, byte for byte.

use std::path::Path;

use assert_cmd::Command;

const BIB: &str = r#"@preamble{"\providecommand{\noopsort}[1]{}"}

@string{asr = {Asian Survey}}
@string{unused = {Never Used}}
@string{cup = {Cambridge } # press}
@string{press = {University Press}}

@incollection{chapter,
  author   = {Kim, Minjun},
  title    = {A Chapter},
  crossref = {book},
  pages    = {1--20},
}

@collection{book,
  editor    = {Lee, Jiyoung},
  title     = {The Book},
  publisher = cup,
  date      = {2007},
}

@article{uncited,
  author  = {Park, Jiwoo},
  title   = {Not Cited},
  journal = asr,
  year    = {2010},
}

@set{bundle, entryset = {member-a, member-b}}
@article{member-a, author = {Choi, Hana}, title = {A}, journal = asr, year = {2011}}
@article{member-b, author = {Choi, Hana}, title = {B}, journal = asr, year = {2012}}

@online{renamed, ids = {old-key}, title = {Renamed}, url = {https://example.org}, urldate = {2020-01-01}}
"#;

fn project(chapter: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("refs")).unwrap();
    std::fs::create_dir_all(dir.path().join("chapters")).unwrap();
    std::fs::write(dir.path().join("refs/all.bib"), BIB).unwrap();
    std::fs::write(dir.path().join("chapters/one.md"), chapter).unwrap();
    dir
}

fn subset(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("refkeeper").unwrap();
    command.current_dir(dir).args(["subset", "--no-config"]);
    command
}

/// The block of BIB that starts with `start`, up to the blank line or the
/// end of its line for one-line entries.
fn block(start: &str) -> &'static str {
    let at = BIB.find(start).unwrap();
    let rest = &BIB[at..];
    let end =
        if rest.starts_with("@string") || rest.starts_with("@preamble") || !rest.contains(",\n") {
            rest.find('\n').unwrap()
        } else {
            rest.find("\n}\n").unwrap() + 2
        };
    &BIB[at..at + end]
}

#[test]
fn cited_entries_come_with_their_parents_members_and_strings_byte_for_byte() {
    let dir = project("As @chapter and [@bundle; @old-key] show.\n");
    subset(dir.path())
        .args(["-o", "cited.bib"])
        .assert()
        .code(0);
    let written = std::fs::read_to_string(dir.path().join("cited.bib")).unwrap();
    let expected: String = [
        block("@preamble"),
        // Used by the set's members; `unused` is left out.
        block("@string{asr"),
        block("@string{cup"),
        block("@string{press"),
        block("@incollection{chapter"),
        block("@collection{book"),
        block("@set{bundle"),
        block("@article{member-a"),
        block("@article{member-b"),
        block("@online{renamed"),
    ]
    .iter()
    .map(|b| format!("{b}\n\n"))
    .collect();
    assert_eq!(written, expected);

    // The subset is a bibliography of its own: the chapters check cleanly
    // against it, nothing missing and nothing unused.
    let mut check = Command::cargo_bin("refkeeper").unwrap();
    check
        .current_dir(dir.path())
        .args([
            "check",
            "--no-config",
            "--deny",
            "warnings",
            "--bib",
            "cited.bib",
            "chapters",
        ])
        .assert()
        .code(0);
}

#[test]
fn a_missing_key_is_named_and_the_rest_is_still_written() {
    let dir = project("As @chapter and @nowhere show.\n");
    let output = subset(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("@incollection{chapter"), "{stdout}");
    assert!(!stdout.contains("uncited"), "{stdout}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("`nowhere` is cited but is not in any bibliography"),
        "{stderr}"
    );
}

#[test]
fn a_failed_write_leaves_the_old_file_whole() {
    let dir = project("As @chapter shows.\n");
    let target = dir.path().join("missing-folder/cited.bib");
    let output = subset(dir.path()).arg("-o").arg(&target).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write"));
    assert!(!target.exists());
}
