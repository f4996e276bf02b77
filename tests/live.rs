//! The live check (what the language server runs between keystrokes)
//! brought up to date edit by edit gives exactly what a fresh check of the
//! edited project gives: the same findings, in the same order, and the
//! same counts. Edits that matter: citing an unused entry (its finding
//! goes), removing the last citation of an entry (its finding comes back,
//! and its crossref parent's), a missing key, `\nocite{*}` on and off, a
//! Typst label that turns `@name` into a cross-reference.

use std::path::{Path, PathBuf};

use refkeeper::config::Config;
use refkeeper::source::{FileRole, SourceFile, SourceMap};
use refkeeper::{Report, Session};

const BIB: &str = "\
@book{kim2007, author = {Kim, M.}, title = {A}, publisher = {P}, date = 2007}
@book{lee2010, author = {Lee, J.}, title = {B}, publisher = {P}, date = 2010}
@collection{volume, editor = {Park, S.}, title = {Volume}, publisher = {P}, date = 2011}
@incollection{chapter, crossref = {volume}, author = {Cho, Y.}, title = {Ch}, booktitle = {Volume}, date = 2011}
@book{spare, author = {Han, M.}, title = {C}, publisher = {P}, date = 2012}
@book{fig, author = {Fig, F.}, title = {D}, publisher = {P}, date = 2013}
";

fn session(tex: &str, md: &str, typ: &str) -> Session {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new(
        PathBuf::from("refs.bib"),
        FileRole::Bibliography,
        BIB.to_owned(),
    ));
    for (path, text) in [("one.tex", tex), ("two.md", md), ("three.typ", typ)] {
        sources.add(SourceFile::new(
            PathBuf::from(path),
            FileRole::Chapter,
            text.to_owned(),
        ));
    }
    Session::new(Config::default(), sources)
}

fn summary(report: &Report) -> Vec<String> {
    summary_where(report, |_| true)
}

/// The findings `keep` keeps, and the counts.
fn summary_where(report: &Report, keep: impl Fn(&refkeeper::Diagnostic) -> bool) -> Vec<String> {
    let mut lines: Vec<String> = report
        .findings
        .iter()
        .filter(|d| keep(d))
        .map(|d| {
            format!(
                "{:?} {} {:?} {}",
                d.primary.file, d.code, d.primary.span, d.message
            )
        })
        .collect();
    lines.push(format!("{:?}", report.value));
    lines
}

#[test]
fn a_live_check_edit_by_edit_is_a_fresh_check() {
    let start = ("\\cite{kim2007}", "[@lee2010]", "See @fig.");
    let edits: &[(&str, &str)] = &[
        ("one.tex", "\\cite{kim2007} \\cite{spare}"),
        ("one.tex", "\\cite{kim2007} \\cite{spare} \\cite{chapter}"),
        ("two.md", "[@lee2010] [@ghost]"),
        ("one.tex", "\\cite{spare}"),
        ("two.md", "nothing cited"),
        ("one.tex", "\\cite{spare} \\nocite{*}"),
        ("one.tex", "\\cite{spare}"),
        ("three.typ", "See @fig.\n#figure[x] <fig>"),
        ("three.typ", "See @fig and @kim2007."),
        ("two.md", "[@chapter; @chapter] [@ghost]"),
        ("two.md", "[@chapter]"),
        ("two.md", "[@chapter, @spare]"),
    ];
    let mut live_session = session(start.0, start.1, start.2);
    let mut live = live_session.live();
    let mut texts = [start.0.to_owned(), start.1.to_owned(), start.2.to_owned()];
    let mut before = live.report(&live_session);
    let mut reached_beyond_the_chapter = 0;
    for (path, text) in edits {
        live_session.set_text(Path::new(path), (*text).to_owned());
        let file = live_session.sources().find(Path::new(path)).unwrap();
        let reached = live.changed(&live_session, file);
        assert!(reached.contains(&file), "after {path}: {text}");
        if reached.len() > 1 {
            reached_beyond_the_chapter += 1;
        }
        let at = ["one.tex", "two.md", "three.typ"]
            .iter()
            .position(|p| p == path)
            .unwrap();
        texts[at] = (*text).to_owned();
        let fresh = session(&texts[0], &texts[1], &texts[2]).check();
        assert_eq!(
            summary(&live.report(&live_session)),
            summary(&fresh),
            "after {path}: {text}"
        );
        // The files the edit did not reach have the findings they had;
        // those it reached, the fresh check's, which `report_of` gives.
        let of = |report: &Report, inside: bool| {
            summary_where(report, |d| reached.contains(&d.primary.file) == inside)
        };
        let (outside_before, outside_now) = (of(&before, false), of(&fresh, false));
        // The counts (the last line) change with any edit.
        assert_eq!(
            outside_before[..outside_before.len() - 1],
            outside_now[..outside_now.len() - 1],
            "after {path}: {text}"
        );
        assert_eq!(
            summary(&live.report_of(&live_session, &reached)),
            of(&fresh, true),
            "after {path}: {text}"
        );
        before = fresh;
    }
    // Entries became used and unused, and labels came and went: the edits
    // reached past their chapter, not only into it.
    assert!(
        reached_beyond_the_chapter >= 3,
        "{reached_beyond_the_chapter}"
    );
}

/// A project read from disk keeps the scans it made while following its
/// documents (so that no chapter is scanned twice); a chapter given new
/// text is scanned again, by the check of the whole project as by the
/// live check.
#[test]
fn a_chapter_given_new_text_is_scanned_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("refs.bib"), BIB).unwrap();
    std::fs::write(
        dir.path().join("main.tex"),
        "\\documentclass{article}\n\\begin{document}\n\\cite{kim2007}\n\\bibliography{refs}\n\\end{document}\n",
    )
    .unwrap();
    let request = refkeeper::Request {
        config: refkeeper::ConfigSource::Ignore,
        cwd: dir.path().to_owned(),
        ..Default::default()
    };
    let mut session = Session::load(&request).unwrap();
    let missing = |report: &Report| -> Vec<String> {
        (report.findings.iter())
            .filter(|d| d.code == refkeeper::Code::MissingEntry)
            .map(|d| d.message.clone())
            .collect()
    };
    assert_eq!(missing(&session.check()), Vec::<String>::new());
    let text = "\\documentclass{article}\n\\begin{document}\n\\cite{ghost}\n\\bibliography{refs}\n\\end{document}\n";
    assert!(session.set_text(Path::new("main.tex"), text.to_owned()));
    assert_eq!(
        missing(&session.check()),
        ["`ghost` is cited but is not in any bibliography"]
    );
}

/// A report keeps its `unused-entry` findings as the entries they are
/// about until they are read (`refkeeper::Findings`). Read, they are the
/// findings the rules' order gives when every finding is made in full:
/// unused entries between other findings of the same files (a missing
/// field, a duplicate key with its related place), in bibliographies whose
/// paths sort otherwise than they were read, and in a bibliography two
/// documents read, whose entry is unused only when neither cites it. The
/// check and the live check's report, which gather them apart, agree.
#[test]
fn findings_kept_as_entries_read_as_findings_made_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let files: &[(&str, &str)] = &[
        (
            "one/main.tex",
            "\\documentclass{article}\n\\cite{a} \\cite{own1} \\cite{ghost}\n\\bibliography{zz,../shared}\n",
        ),
        (
            "one/zz.bib",
            "@book{own1, title = {A}}\n@book{own2, title = {B}}\n@misc{own3}\n@book{own2, title = {C}}\n@book{own4, title = {D}}\n",
        ),
        (
            "two/main.tex",
            "\\documentclass{article}\n\\cite{b}\n\\bibliography{aa,../shared}\n",
        ),
        (
            "two/aa.bib",
            "@book{lone, title = {E}}\n@article{half, title = {F}}\n@book{lone2, title = {G}}\n",
        ),
        (
            "shared.bib",
            "@book{a, title = {A}}\n@book{b, title = {B}}\n@article{c, title = {C}}\n@book{d, title = {D}}\n",
        ),
    ];
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let request = refkeeper::Request {
        config: refkeeper::ConfigSource::Ignore,
        cwd: dir.path().to_owned(),
        ..Default::default()
    };
    let session = Session::load(&request).unwrap();
    let kept = session.check();
    let made = kept.findings.to_vec();
    let rules = refkeeper::check::RuleSet::from_config(session.config());
    assert_eq!(rules.finish(made.clone(), &kept.sources), made);
    let live = session.live().report(&session);
    assert_eq!(summary(&kept), summary(&live));
    assert_eq!(kept.findings, live.findings);
    // What the merge is about: `a` and `b` each cited by one of the two
    // documents that read `shared.bib`, `c` and `d` by neither.
    let unused: Vec<String> = (kept.findings.iter())
        .filter(|d| d.code == refkeeper::Code::UnusedEntry)
        .filter_map(|d| d.key.clone())
        .collect();
    assert_eq!(
        unused,
        ["own2", "own3", "own4", "c", "d", "lone", "half", "lone2"]
    );
    // Unused entries stand between other findings of their file.
    let codes: Vec<String> = (kept.findings.iter())
        .filter(|d| kept.sources.get(d.primary.file).path.ends_with("zz.bib"))
        .map(|d| d.code.as_str().to_owned())
        .collect();
    assert!(
        codes
            .windows(3)
            .any(|w| w[0] == "unused-entry" && w[1] != "unused-entry" && w[2] == "unused-entry"),
        "{codes:?}"
    );
    // Read one at a time, through the reused finding, they are the same.
    let mut one_by_one = Vec::new();
    kept.findings
        .for_each_in(0..kept.findings.len(), |d| {
            one_by_one.push(d.clone());
            Ok::<(), ()>(())
        })
        .unwrap();
    assert_eq!(one_by_one, made);
}
