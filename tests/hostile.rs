//! The hostile-input table of `docs/hostile-inputs.md`, one test per row:
//! what `refkeeper check` does with each input, run as users run it. None
//! may panic, hang or drop findings silently.

use std::path::Path;

mod common;

use common::{Run, project, refkeeper, run};

fn check(dir: &Path, args: &[&str]) -> Run {
    run(refkeeper()
        .arg("check")
        .arg("--no-config")
        .args(args)
        .current_dir(dir))
}

#[test]
fn empty_files_are_valid_and_empty() {
    let dir = project(&[("refs/r.bib", b""), ("chapters/a.md", b"")]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("no problems found"), "{}", run.stdout);
    assert!(
        run.stdout.contains("0 citations, 0 entries"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_byte_order_mark_is_dropped_and_columns_count_after_it() {
    let dir = project(&[
        (
            "refs/r.bib",
            "\u{feff}@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}".as_bytes(),
        ),
        ("chapters/a.md", "\u{feff}[@kim2007; @lee2010]".as_bytes()),
    ]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(1));
    // `lee2010` starts at the 13th character after the mark.
    assert!(run.stdout.contains("chapters/a.md:1:13"), "{}", run.stdout);
    assert!(!run.stdout.contains("`kim2007` is cited"), "{}", run.stdout);
}

#[test]
fn crlf_and_lone_cr_end_lines_and_columns_stay_right() {
    let dir = project(&[
        ("refs/r.bib", b"@book{kim2007,\r\n  title = {A},\r\n}\r\n"),
        ("chapters/crlf.md", b"one\r\ntwo\r\nsee [@crlf2001]\r\n"),
        ("chapters/cr.md", b"one\rtwo\rsee [@cr2002]\r[@kim2007]"),
    ]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(1));
    assert!(
        run.stdout.contains("chapters/crlf.md:3:7"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("chapters/cr.md:3:7"), "{}", run.stdout);
}

#[test]
fn invalid_utf8_in_a_bibliography_names_the_byte_and_the_rest_goes_on() {
    let dir = project(&[
        (
            "refs/good.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
        ("refs/bad.bib", b"@book{lee2010,\n  title = {\xFF}}"),
        ("chapters/a.md", b"[@kim2007] [@nobody]"),
    ]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr
            .contains("refs/bad.bib:2:12: not valid UTF-8 (byte offset 26)"),
        "{}",
        run.stderr
    );
    // `nobody` may be defined in the file that could not be read: its
    // finding is withheld and counted, not reported as a fact.
    assert!(!run.stdout.contains("`nobody` is cited"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("1 finding (missing-entry) withheld as unreliable"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_50_mb_line_is_read_whole_and_its_columns_are_right() {
    let filler = "word ".repeat(10_000_000);
    let chapter = format!("{filler}[@missing2020]");
    let dir = project(&[
        (
            "refs/r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
        ("chapters/a.md", chapter.as_bytes()),
    ]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(1));
    assert!(
        run.stdout.contains("chapters/a.md:1:50000003"),
        "{}",
        &run.stdout[..run.stdout.len().min(2000)]
    );
}

#[test]
fn a_bibliography_on_one_line_is_read_entry_by_entry() {
    let mut bib = String::new();
    for i in 0..20_000 {
        bib.push_str(&format!(
            "@misc{{k{i}, title = {{Title {i}}}, date = {{2001}}}} "
        ));
    }
    let dir = project(&[
        ("refs/r.bib", bib.as_bytes()),
        ("chapters/a.tex", b"\\nocite{*}\\cite{k19999,k20000}"),
    ]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(1));
    assert!(run.stdout.contains("`k20000` is cited"), "{}", run.stdout);
    assert!(run.stdout.contains("20000 entries"), "{}", run.stdout);
}

#[test]
fn deep_nesting_is_counted_not_recursed() {
    let bib = format!(
        "@book{{deep, title = {{{}x{}}}}}\n@book{{kim2007, title = {{A}}}}",
        "{".repeat(100_000),
        "}".repeat(100_000)
    );
    let chapter = format!(
        "\\cite{{deep}} \\cite{{kim2007}} \\cite{{{}",
        "{".repeat(100_000)
    );
    let dir = project(&[
        ("refs/r.bib", bib.as_bytes()),
        ("chapters/a.tex", chapter.as_bytes()),
    ]);
    let run = check(dir.path(), &[]);
    assert!(matches!(run.status, Some(0 | 1)), "{}", run.stderr);
    assert!(!run.stdout.contains("never cited"), "{}", run.stdout);
}

#[test]
fn an_entry_unterminated_at_the_end_is_an_error_with_its_place_and_the_rest_is_kept() {
    let dir = project(&[
        (
            "refs/r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}\n\n@article{lee2010,\n  title = {B},\n",
        ),
        ("chapters/a.md", b"[@kim2007] [@park2011]"),
    ]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(1));
    assert!(run.stdout.contains("refs/r.bib:3:1"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("entry `lee2010` is not closed: `}` missing at the end of the file"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("`park2011` is cited"), "{}", run.stdout);
}

#[test]
fn comments_and_preambles_in_every_form_are_skipped() {
    let bib = br#"@comment{a {nested} comment with @book{fake, title={F}} inside}
@Comment(parenthesised)
@comment  no braces at all, as BibTeX allows
@preamble{"\newcommand{\noopsort}[1]{}"}
@PREAMBLE("a " # "concatenation")
% a line comment with @book{fake2,}
@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}
"#;
    let dir = project(&[
        ("refs/r.bib", bib.as_slice()),
        ("chapters/a.md", b"[@kim2007]"),
    ]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(0), "{}", run.stdout);
    assert!(run.stdout.contains("no problems found"), "{}", run.stdout);
    assert!(run.stdout.contains("1 entry"), "{}", run.stdout);
}

#[test]
fn parenthesised_entries_are_entries() {
    let dir = project(&[
        (
            "refs/r.bib",
            b"@book(kim2007, title = {A (1st ed.)}, date = 2007)\n@string(pub = {P})",
        ),
        ("chapters/a.md", b"[@kim2007]"),
    ]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(0), "{}", run.stdout);
}

#[test]
fn a_quoted_value_with_a_braced_quote_keeps_the_fields_after_it() {
    let dir = project(&[
        (
            "refs/r.bib",
            br#"@incollection{kim2007, title = "A {"}quoted{"} title", crossref = {nowhere}}"#
                .as_slice(),
        ),
        ("chapters/a.md", b"[@kim2007]"),
    ]);
    let run = check(dir.path(), &[]);
    // The crossref after the quoted title was read: it names a missing entry.
    assert_eq!(run.status, Some(1), "{}", run.stdout);
    assert!(run.stdout.contains("missing-crossref"), "{}", run.stdout);
}

#[test]
fn unicode_keys_resolve_and_columns_count_characters() {
    let dir = project(&[
        ("refs/r.bib", "@book{김-2007, title = {A}}".as_bytes()),
        (
            "chapters/a.tex",
            "한국 \\cite{김-2007} \\cite{김-2008}".as_bytes(),
        ),
    ]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(1));
    assert!(run.stdout.contains("chapters/a.tex:1:24"), "{}", run.stdout);
    assert!(
        run.stdout.contains("did you mean `김-2007`?"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_folder_or_a_device_given_as_a_file() {
    let dir = project(&[
        (
            "refs/r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
        ("chapters/a.md", b"[@kim2007]"),
    ]);
    // A folder given as a bibliography is searched for .bib files.
    let run = check(dir.path(), &["chapters", "--bib", "refs"]);
    assert_eq!(run.status, Some(0), "{}", run.stderr);
    // A device is not read.
    let run = check(dir.path(), &["chapters", "--bib", "refs", "/dev/null"]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr.contains("/dev/null: is not a regular file"),
        "{}",
        run.stderr
    );
    // Never "no problems found" beside exit 2.
    assert!(!run.stdout.contains("no problems found"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("incomplete: 1 input could not be read (/dev/null)"),
        "{}",
        run.stdout
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_not_waited_on() {
    let dir = project(&[
        (
            "refs/r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
        ("chapters/a.md", b"[@kim2007]"),
    ]);
    let fifo = dir.path().join("chapters/pipe.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let run = check(dir.path(), &["chapters/a.md", "chapters/pipe.md"]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr
            .contains("chapters/pipe.md: is not a regular file"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_file_is_named_and_the_rest_is_checked() {
    let dir = project(&[
        (
            "refs/r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
        ("chapters/a.md", b"[@kim2007] [@lee2010]"),
    ]);
    let run = check(dir.path(), &["chapters/a.md", "chapters/gone.md"]);
    assert_eq!(run.status, Some(2));
    assert!(
        run.stderr
            .contains("chapters/gone.md: no such file or folder"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("`lee2010` is cited"), "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_named_and_the_rest_is_checked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[
        (
            "refs/r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
        ("chapters/a.md", b"[@kim2007] [@lee2010]"),
        ("chapters/locked.md", b"[@x]"),
    ]);
    let locked = dir.path().join("chapters/locked.md");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_ok() {
        eprintln!("skipped: running as a user who reads any file (root)");
        return;
    }
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(2));
    assert!(run.stderr.contains("chapters/locked.md"), "{}", run.stderr);
    assert!(run.stdout.contains("`lee2010` is cited"), "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_in_a_chapters_folder_is_not_followed_forever() {
    let dir = project(&[
        (
            "refs/r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
        ("chapters/part/a.md", b"[@kim2007] [@lee2010]"),
    ]);
    std::os::unix::fs::symlink("..", dir.path().join("chapters/part/up")).unwrap();
    std::os::unix::fs::symlink("self", dir.path().join("chapters/self")).unwrap();
    let run = check(dir.path(), &[]);
    // Reported like an unreadable file (exit 2), the rest checked once.
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("symbolic link loops back to"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stdout.matches("`lee2010` is cited").count(),
        1,
        "{}",
        run.stdout
    );
}

#[test]
fn ten_thousand_chapter_files_are_all_read() {
    let dir = tempfile::tempdir().unwrap();
    let chapters = dir.path().join("chapters");
    std::fs::create_dir_all(&chapters).unwrap();
    std::fs::create_dir_all(dir.path().join("refs")).unwrap();
    std::fs::write(
        dir.path().join("refs/r.bib"),
        "@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
    )
    .unwrap();
    for i in 0..10_000 {
        let text = if i == 9_999 {
            "[@lee2010]"
        } else {
            "[@kim2007]"
        };
        std::fs::write(chapters.join(format!("{i:05}.md")), text).unwrap();
    }
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(1));
    assert!(
        run.stdout.contains("chapters/09999.md:1:3"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("10000 chapters against 1 bibliography file (10000 citations, 1 entry)"),
        "{}",
        run.stdout
    );
}

#[test]
fn keys_of_twenty_thousand_characters_do_not_stall_did_you_mean() {
    // Jaro-Winkler costs the product of two lengths: 64 candidates of 20,000
    // characters against a missing key as long took minutes before keys
    // over 200 characters were left without suggestions.
    let long = |seed: usize| -> String {
        (0..4_000)
            .map(|i| format!("{:05}", (i * 7919 + seed) % 100_000))
            .collect()
    };
    let bib: String = (0..64)
        .map(|i| format!("@misc{{{},\n  title = {{T}},\n}}\n", long(i)))
        .collect();
    let chapter = format!("\\cite{{{}}} and \\cite{{{}}}\n", long(64), &long(0)[..40]);
    let dir = project(&[
        ("refs/r.bib", bib.as_bytes()),
        ("chapters/a.tex", chapter.as_bytes()),
    ]);
    let run = check(dir.path(), &["chapters", "--bib", "refs/r.bib"]);
    assert_eq!(run.status, Some(1), "{}", run.stderr);
    assert_eq!(
        run.stdout.matches("error[missing-entry]").count(),
        2,
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("did you mean"), "{}", run.stdout);
}

#[test]
fn a_file_that_includes_itself_is_named_and_read_once() {
    let dir = project(&[
        (
            "main.tex",
            b"\\documentclass{article}\n\\addbibresource{r.bib}\n\\input{main}\n\\cite{kim2007}\n",
        ),
        (
            "r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
    ]);
    let run = check(dir.path(), &["main.tex"]);
    assert_eq!(run.status, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("error[include-cycle]: `main` includes main.tex"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("(1 citation, 1 entry)"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_chain_of_ten_thousand_includes_is_followed_without_recursion() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("r.bib"),
        "@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("main.tex"),
        "\\documentclass{article}\n\\addbibresource{r.bib}\n\\input{c/0}\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("c")).unwrap();
    for i in 0..10_000 {
        let text = if i == 9_999 {
            "\\cite{kim2007}".to_owned()
        } else {
            format!("\\input{{c/{}}}", i + 1)
        };
        std::fs::write(dir.path().join(format!("c/{i}.tex")), text).unwrap();
    }
    let run = check(dir.path(), &["main.tex"]);
    // The last file's citation is seen: the chain was followed to its end.
    assert_eq!(run.status, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("10001 chapters"), "{}", run.stdout);
    assert!(
        run.stdout.contains("(1 citation, 1 entry)"),
        "{}",
        run.stdout
    );
}

#[test]
fn yaml_anchors_that_expand_exponentially_are_refused() {
    // "Billion laughs" in _quarto.yml: an error naming the file, not a hang.
    let mut yaml = String::from("project:\n  type: book\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let previous = format!("*a{}", i - 1);
        yaml.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            [previous.as_str(); 10].join(", ")
        ));
    }
    yaml.push_str("book:\n  chapters: *a11\n");
    let dir = project(&[
        ("_quarto.yml", yaml.as_bytes()),
        ("index.qmd", b"[@kim2007]"),
        (
            "refs/r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
    ]);
    let run = check(dir.path(), &[]);
    assert_eq!(run.status, Some(2), "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("_quarto.yml"), "{}", run.stderr);
}

#[test]
fn a_bibliography_outside_the_project_is_read_and_said_to_be() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(
        outer.path().join("shared.bib"),
        "@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
    )
    .unwrap();
    let dir = outer.path().join("paper");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("main.tex"),
        "\\documentclass{article}\n\\bibliography{../shared}\n\\cite{kim2007}\n",
    )
    .unwrap();
    let run = check(&dir, &[]);
    assert_eq!(run.status, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("shared.bib is outside the project folder; it is read all the same"),
        "{}",
        run.stderr
    );
}
