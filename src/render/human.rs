//! Compiler-style text through `codespan-reporting`, which counts columns
//! in characters and draws the source line with a caret under the key.

use std::io::{self, Write};
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Rendered, Label as RenderedLabel, LabelStyle};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor};

use super::RenderOptions;
use super::{plural, withheld_sentence};
use crate::Report;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::findings::Findings;
use crate::source::{FileId, SourceMap};
use crate::write::InputsUnread;

/// Writes every finding with its source line, then the summary line
/// (unless `quiet`).
pub fn render(report: &Report, options: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    render_diagnostics(&report.sources, &report.findings, options.color, out)?;
    if options.quiet {
        return Ok(());
    }
    summary_line(report, options.color, out)
}

/// The summary line alone.
pub fn summary_line(report: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    if color {
        summary(report, &mut termcolor::Ansi::new(out))
    } else {
        summary(report, &mut termcolor::NoColor::new(out))
    }
}

/// Counts per code, most frequent first (then by name), each with its
/// severity: `--statistics`.
pub fn statistics(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for ((code, severity), count) in tally(report) {
        writeln!(
            out,
            "{count:>7}  {:<22}{}",
            code.as_str(),
            severity.as_str()
        )?;
    }
    Ok(())
}

/// The findings counted by code and severity, most frequent first, then
/// by code name.
fn tally(report: &Report) -> Vec<((Code, Severity), usize)> {
    let mut counts: std::collections::BTreeMap<(Code, Severity), usize> =
        std::collections::BTreeMap::new();
    for code_and_severity in report.findings.codes() {
        *counts.entry(code_and_severity).or_default() += 1;
    }
    let mut rows: Vec<((Code, Severity), usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.0.as_str().cmp(b.0.0.as_str())));
    rows
}

/// `12 errors (10 missing-entry, 2 duplicate-key)`: a count of one
/// severity with its codes, most frequent first.
fn counted(
    tally: &[((Code, Severity), usize)],
    severity: Severity,
    one: &str,
    many: &str,
) -> String {
    let by_code: Vec<(Code, usize)> = tally
        .iter()
        .filter(|((_, s), _)| *s == severity)
        .map(|&((code, _), n)| (code, n))
        .collect();
    let total: usize = by_code.iter().map(|(_, n)| n).sum();
    let codes: Vec<String> = by_code
        .iter()
        .map(|(code, n)| format!("{n} {}", code.as_str()))
        .collect();
    format!("{} ({})", plural(total, one, many), codes.join(", "))
}

/// Diagnostics laid out `BATCH` at a time on all cores, a window of
/// `WINDOW` before each is written ([`super::lay_out_in_windows`]).
const WINDOW: usize = 2048;
const BATCH: usize = 64;

/// Only the diagnostics, without the summary line (`refs` prints its
/// warnings this way, on stderr).
pub fn render_diagnostics(
    sources: &SourceMap,
    diagnostics: &Findings,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let config = term::Config::default();
    let files = SourceFiles(sources);
    let lay_out = |buffer: &mut Vec<u8>, diagnostic: &Diagnostic| -> io::Result<()> {
        match super::excerpt::shorten(sources, diagnostic) {
            Some((excerpt, moved)) => emit(buffer, color, &config, &excerpt, &moved),
            None => emit(buffer, color, &config, &files, diagnostic),
        }
    };
    super::lay_out_in_windows(diagnostics, BATCH, WINDOW / BATCH, lay_out, |text| {
        out.write_all(text)
    })
}

/// The last line: what was found, in what. When an input could not be
/// read it says so first (and what was withheld because of it), and never
/// "no problems found".
fn summary<W: termcolor::WriteColor>(report: &Report, out: &mut W) -> io::Result<()> {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let unread = InputsUnread::of(&report.unread);
    let mut style = termcolor::ColorSpec::new();
    style.set_bold(true);
    if let Some(unread) = &unread {
        style.set_fg(Some(termcolor::Color::Red));
        out.set_color(&style)?;
        write!(out, "incomplete")?;
        out.reset()?;
        write!(out, ": {unread}; ")?;
        if let Some(withheld) = withheld_sentence(report) {
            write!(out, "{withheld}; ")?;
        }
    }
    let verdict = match (errors, warnings) {
        (0, 0) if unread.is_some() => "nothing found in what was read".to_owned(),
        (0, 0) => "no problems found".to_owned(),
        (_, 0) => counted(&tally(report), Severity::Error, "error", "errors"),
        (0, _) => counted(&tally(report), Severity::Warning, "warning", "warnings"),
        _ => {
            let tally = tally(report);
            format!(
                "{}, {}",
                counted(&tally, Severity::Error, "error", "errors"),
                counted(&tally, Severity::Warning, "warning", "warnings")
            )
        }
    };
    if errors > 0 {
        style.set_fg(Some(termcolor::Color::Red));
    } else if warnings > 0 {
        style.set_fg(Some(termcolor::Color::Yellow));
    } else {
        style.set_fg(Some(termcolor::Color::Green));
    }
    out.set_color(&style)?;
    write!(out, "{verdict}")?;
    out.reset()?;
    write!(
        out,
        ": {} against {} ({}, {})",
        plural(report.chapter_count(), "chapter", "chapters"),
        plural(
            report.bibliographies_read(),
            "bibliography file",
            "bibliography files"
        ),
        plural(report.value.citations, "citation", "citations"),
        plural(report.value.entries, "entry", "entries"),
    )?;
    if report.value.left_out > 0 {
        write!(
            out,
            "; {} no document reads left out (`refkeeper files --left-out` lists them)",
            plural(report.value.left_out, "file", "files")
        )?;
    }
    writeln!(out)
}

/// One finding laid out, its snippets read from `files`.
fn emit<'f>(
    buffer: &mut Vec<u8>,
    color: bool,
    config: &term::Config,
    files: &'f impl Files<'f, FileId = FileId>,
    diagnostic: &Diagnostic,
) -> io::Result<()> {
    if !color {
        #[cfg(debug_assertions)]
        let start = buffer.len();
        if super::plain::emit(buffer, config, files, diagnostic).map_err(to_io)? {
            // The layout is codespan-reporting's, byte for byte: every
            // finding of every debug run (the tests) is laid out both ways.
            #[cfg(debug_assertions)]
            {
                let mut reference = Vec::new();
                emit_by_codespan(&mut reference, color, config, files, diagnostic)?;
                debug_assert!(
                    buffer[start..] == reference[..],
                    "plain layout differs from codespan-reporting's:\n{}\n{}",
                    String::from_utf8_lossy(&buffer[start..]),
                    String::from_utf8_lossy(&reference)
                );
            }
            return Ok(());
        }
    }
    emit_by_codespan(buffer, color, config, files, diagnostic)
}

/// One finding laid out by `codespan-reporting`.
fn emit_by_codespan<'f>(
    buffer: &mut Vec<u8>,
    color: bool,
    config: &term::Config,
    files: &'f impl Files<'f, FileId = FileId>,
    diagnostic: &Diagnostic,
) -> io::Result<()> {
    let rendered = convert(diagnostic);
    let emitted = if color {
        term::emit_to_write_style(&mut termcolor::Ansi::new(buffer), config, files, &rendered)
    } else {
        term::emit_to_write_style(
            &mut termcolor::NoColor::new(buffer),
            config,
            files,
            &rendered,
        )
    };
    emitted.map_err(to_io)
}

fn convert(diagnostic: &Diagnostic) -> Rendered<FileId> {
    let rendered = match diagnostic.severity {
        Severity::Error => Rendered::error(),
        Severity::Warning => Rendered::warning(),
    };
    let mut primary = RenderedLabel::new(
        LabelStyle::Primary,
        diagnostic.primary.file,
        diagnostic.primary.span.clone(),
    );
    if let Some(message) = &diagnostic.primary.message {
        primary = primary.with_message(message.clone());
    }
    let mut labels = vec![primary];
    for related in &diagnostic.related {
        labels.push(
            RenderedLabel::new(LabelStyle::Secondary, related.file, related.span.clone())
                .with_message(related.message.clone().unwrap_or_default()),
        );
    }
    rendered
        .with_code(diagnostic.code.as_str())
        .with_message(diagnostic.message.clone())
        .with_labels(labels)
        .with_notes(
            diagnostic
                .help
                .iter()
                .map(|h| format!("help: {h}"))
                .collect(),
        )
}

fn to_io(error: FilesError) -> io::Error {
    match error {
        FilesError::Io(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

/// The sources as `codespan-reporting` sees them, with refkeeper's own line
/// index (which also ends lines at a lone `\r`).
struct SourceFiles<'a>(&'a SourceMap);

impl<'a> Files<'a> for SourceFiles<'a> {
    type FileId = FileId;
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<String, FilesError> {
        Ok(self.0.get(id).path.display().to_string())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.0.get(id).text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.0.get(id).line_index(byte_index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.0.get(id);
        let lines = file.line_count();
        if line_index >= lines {
            return Err(FilesError::LineTooLarge {
                given: line_index,
                max: lines - 1,
            });
        }
        // codespan expects the range to include the line terminator.
        let end = file.line_start(line_index + 1).unwrap_or(file.text.len());
        Ok(file.line_range(line_index).start..end)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use proptest::prelude::*;

    use super::*;
    use crate::diagnostic::Code;
    use crate::source::{FileRole, SourceFile, Span};

    /// Both layouts of a finding at `span` of `text`: the plain one (when
    /// it takes the finding) and codespan-reporting's.
    fn both(
        text: &str,
        span: Span,
        help: Option<&str>,
        label: Option<&str>,
    ) -> (Option<String>, String) {
        let mut sources = SourceMap::new();
        let file = sources.add(SourceFile::new(
            PathBuf::from("chapters/intro.tex"),
            FileRole::Chapter,
            text.to_owned(),
        ));
        let mut diagnostic = Diagnostic::new(Code::MissingEntry, "`k` is cited", file, span);
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help.to_owned());
        }
        if let Some(label) = label {
            diagnostic = diagnostic.with_label_message(label);
        }
        let config = term::Config::default();
        let files = SourceFiles(&sources);
        let mut plain = Vec::new();
        let taken = super::super::plain::emit(&mut plain, &config, &files, &diagnostic).unwrap();
        let mut reference = Vec::new();
        emit_by_codespan(&mut reference, false, &config, &files, &diagnostic).unwrap();
        let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
        (taken.then(|| text(plain)), text(reference))
    }

    #[test]
    fn the_plain_layout_is_codespans() {
        let cases: &[(&str, Span)] = &[
            ("As \\cite{kim2007} shows\n", 9..16),
            // Tabs before and inside the label, wide and zero-width
            // characters, an empty span, a span on the line end.
            ("\tx\t\\cite{a\tb}\n", 10..13),
            ("한국 \\cite{김2007} 중앙아시아\n", 14..21),
            ("e\u{301}\u{301} @k\r\n", 6..8),
            ("@k", 2..2),
            ("abc\r\ndef\n", 3..4),
            ("abc\0\0\n", 1..5),
        ];
        for (text, span) in cases {
            for help in [None, Some("cite it\nor remove it"), Some("")] {
                for label in [None, Some("here"), Some("")] {
                    let (plain, reference) = both(text, span.clone(), help, label);
                    assert_eq!(
                        plain.as_deref(),
                        Some(reference.as_str()),
                        "{text:?} {span:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn other_shapes_are_left_to_codespan() {
        // A label across lines.
        assert_eq!(both("a\nb\n", 0..3, None, None).0, None);
    }

    proptest! {
        #[test]
        fn any_one_line_label_is_laid_out_as_codespan_does(
            text in "([a-z \\t\\r\\n\\u{0}{}@\\\\]|é|\u{301}|한|\u{200b})*",
            start in 0usize..64,
            len in 0usize..16,
        ) {
            let boundaries: Vec<usize> =
                (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let start = boundaries[start % boundaries.len()];
            let end = boundaries.iter().copied().find(|&b| b >= start + len).unwrap_or(text.len());
            let (plain, reference) = both(&text, start..end, Some("help"), Some("label"));
            if let Some(plain) = plain {
                prop_assert_eq!(plain, reference);
            }
        }
    }
}
