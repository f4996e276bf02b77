//! `refkeeper report --html`: the page's content, and the page in a real
//! headless browser (Chromium, when installed; the test says so and skips
//! that part otherwise): it loads, sorts its matrix, and draws a screenshot.

mod common;

use std::path::{Path, PathBuf};

use common::{project, refkeeper};

const BIB: &[u8] =
    b"@book{kim2007, author = {Kim, M.}, title = {The {SCO} <and> Korea}, date = 2007}\n\
@book{lee2010, author = {Lee, J.}, title = {B}, date = {2010-05}}\n\
@book{park1999, author = {Park, J.}, title = {C}, date = 1999}\n\
@book{unused2001, author = {Unused, U.}, title = {D}, date = 2001}\n";

fn report_project() -> tempfile::TempDir {
    project(&[
        ("refs/r.bib", BIB),
        (
            "chapters/1-intro.md",
            b"[@kim2007] [@kim2007] [@lee2010] [@ghost2020]",
        ),
        (
            "chapters/2-body.tex",
            b"\\cite{park1999,kim2007}\n\\cite{ghost2020}",
        ),
    ])
}

fn write_report(dir: &Path) -> (PathBuf, String) {
    let output = refkeeper()
        .args([
            "report",
            "--html",
            "out/report.html",
            "--title",
            "Study <draft>",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = dir.join("out/report.html");
    let page = std::fs::read_to_string(&path).unwrap();
    (path, page)
}

#[test]
fn the_page_holds_the_matrix_the_years_and_the_lists() {
    let dir = report_project();
    let (_, page) = write_report(dir.path());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<title>Study &lt;draft&gt;</title>"));
    // Self-contained: nothing is fetched.
    for external in ["src=\"http", "href=\"http", "<link", "@import"] {
        assert!(!page.contains(external), "{external}");
    }
    // kim2007: twice in chapter 1, once in chapter 2; most cited first.
    let first_row = page
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(first_row.contains("<code>kim2007</code>"), "{first_row}");
    assert!(
        first_row.contains("<td data-value=\"3\">3</td>"),
        "{first_row}"
    );
    // The title as text, escaped, not only on hover.
    assert!(
        first_row.contains("<td class=\"title\" data-value=\"The SCO &lt;and&gt; Korea\">The SCO &lt;and&gt; Korea</td>"),
        "{first_row}"
    );
    assert!(page.contains("<code>ghost2020</code>: <code>chapters/1-intro.md:1:36</code>, <code>chapters/2-body.tex:2:7</code>"));
    assert!(page.contains("<li><code>unused2001</code> D</li>"));
    // What needs doing comes first: missing keys, unused entries, the
    // bibliography's findings, then the matrix and the years.
    let at = |id: &str| page.find(&format!("<h2 id=\"{id}\"")).unwrap();
    assert!(at("missing") < at("unused"));
    assert!(at("unused") < at("bibliography"));
    assert!(at("bibliography") < at("matrix"));
    assert!(at("matrix") < at("years"));
    // One bar per year from 1999 to 2010, three of them non-empty.
    assert_eq!(page.matches("<rect ").count(), 12);
    assert!(page.contains("<title>2010: 1</title>"));
}

#[test]
fn titles_are_read_as_latex_and_the_bibliographys_findings_are_listed() {
    let dir = project(&[
        (
            "refs/r.bib",
            b"@article{silk, author = {Yoon, D.}, title = {The \\emph{Silk} Road -- Nordstr{\\\"o}m's View}, date = 2014}\n\
@book{spare, author = {Lee, J.}, title = {Spare {Parts}}, date = {2010-13}}\n",
        ),
        ("chapters/1.md", b"[@silk]"),
    ]);
    let (_, page) = write_report(dir.path());
    assert!(
        page.contains(">The Silk Road \u{2013} Nordstr\u{f6}m\u{2019}s View</td>"),
        "{page}"
    );
    assert!(
        page.contains("<li><code>spare</code> Spare Parts</li>"),
        "{page}"
    );
    // `check`'s findings on the .bib, with place, code and help.
    assert!(
        page.contains(
            "<td><code>refs/r.bib:1:10</code></td><td class=\"warning\">missing-field</td>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<td class=\"warning\">invalid-date</td>"),
        "{page}"
    );
    assert!(page.contains("<span class=\"help\">"), "{page}");
}

#[test]
fn entries_check_accepts_are_not_listed_as_unused() {
    // The page's unused entries are those `check` reports: `allow-unused`
    // (and `[check.ignore] unused-entry`) heeded, as `check` heeds them.
    let dir = report_project();
    std::fs::write(
        dir.path().join("refkeeper.toml"),
        "[check]\nallow-unused = [\"unused*\"]\n",
    )
    .unwrap();
    let (_, page) = write_report(dir.path());
    assert!(!page.contains("<li><code>unused2001</code></li>"), "{page}");
    let check = refkeeper()
        .args(["check", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let json = String::from_utf8_lossy(&check.stdout);
    assert!(!json.contains("\"unused-entry\""), "{json}");
}

/// A Chromium (or Chrome) on this machine, if any.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            std::process::Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

fn headless(browser: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_page_works_in_a_headless_browser() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium installed (apt-get install chromium)");
        return;
    };
    let dir = report_project();
    let (path, _) = write_report(dir.path());
    let url = format!("file://{}", path.display());

    // The DOM after the page's script ran, sorted through the link.
    let dom = headless(browser, &["--dump-dom", &format!("{url}#sort=year:desc")]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("id=\"citation-matrix\""), "{dom}");
    let keys: Vec<&str> = dom
        .split("<td class=\"key\" data-value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    assert_eq!(
        keys,
        ["lee2010", "kim2007", "park1999"],
        "sorted by year, newest first"
    );
    assert!(dom.contains("aria-sort=\"descending\""));

    // A screenshot: the page renders to pixels.
    let shot = dir.path().join("shot.png");
    let output = headless(
        browser,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,900",
            &url,
        ],
    );
    let png = std::fs::read(&shot).unwrap_or_else(|e| {
        panic!(
            "no screenshot ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(
        png.len() > 10_000,
        "a blank page is smaller: {} bytes",
        png.len()
    );
}
