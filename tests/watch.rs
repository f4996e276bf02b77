//! `refkeeper check --watch` reacting to changes: it reruns when a chapter
//! or the bibliography changes, prints what appeared and what was fixed,
//! and stays quiet when a file is only read. Each wait has a timeout.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::project;

const TIMEOUT: Duration = Duration::from_secs(20);

struct Watcher {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
}

impl Watcher {
    fn start(dir: &std::path::Path) -> Watcher {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_refkeeper"))
            .args(["check", "--watch", "--color", "never"])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher { child, lines }
    }

    /// The lines up to and including the next summary line.
    fn next_run(&self) -> Vec<String> {
        let mut run = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(TIMEOUT)
                .unwrap_or_else(|_| panic!("no summary within {TIMEOUT:?}; got {run:#?}"));
            let done = line.contains("watching for changes");
            run.push(line);
            if done {
                return run;
            }
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_mode_reports_what_changed() {
    let dir = project(&[
        (
            "refs/r.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}\n",
        ),
        ("chapters/a.md", b"[@kim2007] [@lee2010]\n"),
    ]);
    let watcher = Watcher::start(dir.path());
    let first = watcher.next_run().join("\n");
    assert!(first.contains("`lee2010` is cited"), "{first}");
    assert!(
        first.contains("1 error, 0 warnings (1 new, 0 fixed)"),
        "{first}"
    );

    // The missing key moves down and another is added: only the new one
    // is printed, the one cited no more is fixed.
    std::fs::write(
        dir.path().join("chapters/a.md"),
        "\n\n[@kim2007] [@park2011]\n",
    )
    .unwrap();
    let second = watcher.next_run().join("\n");
    assert!(second.contains("changed: chapters/a.md"), "{second}");
    assert!(second.contains("`park2011` is cited"), "{second}");
    assert!(
        second.contains("fixed[missing-entry]: chapters/a.md: `lee2010`"),
        "{second}"
    );
    assert!(second.contains("(1 new, 1 fixed)"), "{second}");

    // The entry arrives in the bibliography.
    let mut bib = std::fs::read_to_string(dir.path().join("refs/r.bib")).unwrap();
    bib.push_str("@book{park2011, author = {Park, J.}, title = {B}, date = 2011}\n");
    std::fs::write(dir.path().join("refs/r.bib"), bib).unwrap();
    let third = watcher.next_run().join("\n");
    assert!(third.contains("changed: refs/r.bib"), "{third}");
    assert!(
        third.contains("0 errors, 0 warnings (0 new, 1 fixed)"),
        "{third}"
    );

    // Reading a file (as the check itself does) is not a change.
    std::fs::read(dir.path().join("chapters/a.md")).unwrap();
    assert!(
        watcher.lines.recv_timeout(Duration::from_secs(1)).is_err(),
        "a read woke the watch"
    );
}
