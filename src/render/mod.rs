//! The report stage: one emitter per output format, each writing to any
//! `io::Write`. Line and column numbers are computed here, from byte spans.

pub mod concise;
mod excerpt;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod list;
mod plain;
pub mod references;
pub mod sarif;

use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::Report;
use crate::diagnostic::{Diagnostic, Label};
use crate::findings::Findings;
use crate::source::{Position, SourceMap};

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Compiler-style text: `file:line:col`, the source line, a caret, help.
    #[default]
    Human,
    /// One JSON document (see the README for its fields).
    Json,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other CI services.
    Sarif,
    /// One line per finding, `file:line:col: severity[code]: message`, as
    /// Vim's quickfix list and Emacs' compilation mode read.
    Concise,
}

/// Options for rendering.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Use ANSI colours (human format only).
    pub color: bool,
    /// The findings only: no summary line (human and concise formats).
    pub quiet: bool,
}

/// Writes the report in the chosen format.
pub fn render(
    report: &Report,
    format: OutputFormat,
    options: RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Human => human::render(report, options, out),
        OutputFormat::Json => json::render(report, out),
        OutputFormat::Github => github::render(report, out),
        OutputFormat::Sarif => sarif::render(report, out),
        OutputFormat::Concise => concise::render(report, options, out),
    }
}

/// A label's file and its start and end (exclusive) positions.
pub(crate) struct Location<'a> {
    pub path: &'a Path,
    pub start: Position,
    pub end: Position,
}

pub(crate) fn locate<'a>(sources: &'a SourceMap, label: &Label) -> Location<'a> {
    let file = sources.get(label.file);
    Location {
        path: &file.path,
        start: file.position(label.span.start),
        end: file.position(label.span.end),
    }
}

/// What an incomplete run left out, in one phrase: `41 findings
/// (missing-entry) withheld as unreliable`.
pub(crate) fn withheld_sentence(report: &Report) -> Option<String> {
    if report.withheld.is_empty() {
        return None;
    }
    let total: usize = report.withheld.values().sum();
    let codes: Vec<&str> = report.withheld.keys().map(|c| c.as_str()).collect();
    Some(format!(
        "{} ({}) withheld as unreliable",
        plural(total, "finding", "findings"),
        codes.join(", "),
    ))
}

/// `1 error`, `2 errors`; `many` is the plural form.
pub fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}

/// Findings laid out on all cores and written in order, a window at a
/// time (tens of thousands of "never cited" findings on a large
/// bibliography): each batch of `batch` findings is laid out by `lay_out`
/// into a buffer of its own, and the buffers are handed to `write` in
/// order. Each window's text goes into the buffers of the last (fresh ones
/// would be fresh pages, faulted in anew), and the text waiting to be
/// written stays one window's.
pub(crate) fn lay_out_in_windows(
    findings: &Findings,
    batch: usize,
    batches_per_window: usize,
    lay_out: impl Fn(&mut Vec<u8>, &Diagnostic) -> io::Result<()> + Sync,
    mut write: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    let window = batch * batches_per_window;
    for start in (0..findings.len()).step_by(window) {
        let end = findings.len().min(start + window);
        buffers.resize_with((end - start).div_ceil(batch), Vec::new);
        (buffers.par_iter_mut())
            .enumerate()
            .try_for_each(|(at, buffer)| {
                buffer.clear();
                let from = start + at * batch;
                findings.for_each_in(from..end.min(from + batch), |d| lay_out(buffer, d))
            })?;
        for buffer in &buffers {
            write(buffer)?;
        }
    }
    Ok(())
}
