//! `check --watch`: one full check, then one per settled burst of changes
//! to an input, printing the findings that appeared and those fixed.

use std::io::{self, Write};
use std::path::PathBuf;

use notify_debouncer_mini::{new_debouncer, notify::RecursiveMode};
use refkeeper::render::{self, plural};
use refkeeper::watch::{Findings, Stamps, folders, is_input};
use refkeeper::{Request, Session, Severity};

use super::output::{error_line, unread_lines};
use super::{Failure, Status};

/// Saves come in bursts (an editor writes a file and a backup, `git
/// checkout` rewrites many): one run after they settle.
const WATCH_DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(250);

pub fn run(request: &Request, color: bool) -> Result<Status, Failure> {
    let (events, received) = std::sync::mpsc::channel();
    let mut debouncer = new_debouncer(WATCH_DEBOUNCE, events)
        .map_err(|e| Failure::new(format!("cannot watch files: {e}")))?;
    let mut watched = std::collections::BTreeSet::new();
    let mut previous = Findings::default();
    let mut stamps = Stamps::default();
    let mut trigger: Vec<PathBuf> = Vec::new();
    loop {
        match Session::load(request) {
            Ok(session) => {
                // Stamp what is read, and watch, before checking: a change
                // made as soon as the summary shows is seen.
                stamps.record(&session);
                for folder in folders(&session) {
                    if !watched.contains(&folder)
                        && debouncer
                            .watcher()
                            .watch(&folder, RecursiveMode::NonRecursive)
                            .is_ok()
                    {
                        watched.insert(folder);
                    }
                }
                let report = session.check();
                let changes = previous.changes(&report);
                let mut stdout = io::stdout().lock();
                if !trigger.is_empty() {
                    let names: Vec<String> =
                        trigger.iter().map(|p| p.display().to_string()).collect();
                    let _ = writeln!(stdout, "\n[refkeeper] changed: {}", names.join(", "));
                }
                unread_lines(&report.unread);
                let appeared = refkeeper::Findings::new(
                    (changes.appeared.iter())
                        .map(|d| d.as_ref().clone())
                        .collect(),
                );
                let _ = render::human::render_diagnostics(
                    &report.sources,
                    &appeared,
                    color,
                    &mut stdout,
                );
                for fixed in &changes.fixed {
                    let _ = writeln!(
                        stdout,
                        "fixed[{}]: {}: {}",
                        fixed.code,
                        fixed.path.display(),
                        fixed.message
                    );
                }
                let _ = writeln!(
                    stdout,
                    "[refkeeper] {}, {} ({} new, {} fixed); watching for changes",
                    plural(report.count(Severity::Error), "error", "errors"),
                    plural(report.count(Severity::Warning), "warning", "warnings"),
                    changes.appeared.len(),
                    changes.fixed.len()
                );
                let _ = stdout.flush();
                previous = Findings::of(&report);
            }
            Err(e) => {
                // A broken refkeeper.toml: rerun when it changes, not when
                // this run's reading of it raises an event.
                if let refkeeper::Error::Inputs(refkeeper::inputs::InputError::Config(config)) = &e
                {
                    stamps.changed(&refkeeper::inputs::shown_path(&config.path, &request.cwd));
                }
                error_line(&Failure::from(e).to_string());
            }
        }
        // Wait for a burst that really changes an input.
        trigger = loop {
            match received.recv() {
                Ok(Ok(events)) => {
                    let mut paths: Vec<PathBuf> = events
                        .into_iter()
                        .map(|e| refkeeper::inputs::shown_path(&e.path, &request.cwd))
                        .filter(|p| is_input(p))
                        .collect();
                    paths.sort();
                    paths.dedup();
                    paths.retain(|p| stamps.changed(p));
                    if !paths.is_empty() {
                        break paths;
                    }
                }
                Ok(Err(e)) => error_line(&format!("watching: {e}")),
                Err(_) => return Ok(Status::Failure),
            }
        };
    }
}
