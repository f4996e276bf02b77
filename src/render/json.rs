//! One JSON document per run. Its shape is a public interface, versioned by
//! `version`; the README documents every field.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::locate;
use crate::Report;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::source::SourceMap;

/// The version of the JSON format; raised when a field changes meaning or
/// disappears (new fields may be added without raising it).
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: Vec<JsonError>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    severity: Severity,
    message: &'a str,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    key: Option<&'a str>,
    help: Option<&'a str>,
    related: Vec<JsonLocation<'a>>,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonError {
    message: String,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    by_code: BTreeMap<&'static str, usize>,
    chapters: usize,
    bibliographies: usize,
    entries: usize,
    citations: usize,
    cited_keys: usize,
    unreadable_files: usize,
    /// Files found in the folders searched that no document reads.
    left_out: usize,
    /// Findings not reported because an input they depend on could not be
    /// read, per code.
    withheld: BTreeMap<&'static str, usize>,
}

/// Writes the one JSON document of a check.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut by_code = BTreeMap::new();
    for d in &report.findings {
        *by_code.entry(d.code.as_str()).or_default() += 1;
    }
    let document = Document {
        version: JSON_VERSION,
        diagnostics: report
            .findings
            .iter()
            .map(|d| diagnostic(&report.sources, d))
            .collect(),
        errors: report
            .unread
            .iter()
            .map(|e| JsonError {
                message: e.to_string(),
            })
            .collect(),
        summary: Summary {
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            by_code,
            chapters: report.chapter_count(),
            bibliographies: report.bibliographies_read(),
            entries: report.value.entries,
            citations: report.value.citations,
            cited_keys: report.value.cited_keys,
            unreadable_files: report.unread.len(),
            left_out: report.value.left_out,
            withheld: (report.withheld.iter())
                .map(|(code, &count)| (code.as_str(), count))
                .collect(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn diagnostic<'a>(sources: &SourceMap, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let at = location(sources, &d.primary);
    JsonDiagnostic {
        code: d.code.as_str(),
        severity: d.severity,
        message: &d.message,
        file: at.file,
        line: at.line,
        column: at.column,
        end_line: at.end_line,
        end_column: at.end_column,
        key: d.key.as_deref(),
        help: d.help.as_deref(),
        related: d.related.iter().map(|l| location(sources, l)).collect(),
    }
}

fn location<'a>(sources: &SourceMap, label: &'a Label) -> JsonLocation<'a> {
    let at = locate(sources, label);
    JsonLocation {
        file: at.path.display().to_string(),
        line: at.start.line,
        column: at.start.column,
        end_line: at.end.line,
        end_column: at.end.column,
        message: label.message.as_deref(),
    }
}
