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
    file: &'a str,
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
    file: &'a str,
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
///
/// The findings (tens of thousands on a large bibliography) are laid out
/// on all cores, each as `serde_json` prints it at its depth in the
/// document, and spliced into the document where its empty list stands:
/// the bytes are those of printing the whole document at once.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let skeleton = serde_json::to_string_pretty(&document(report, Vec::new()))?;
    let empty_list = "\"diagnostics\": []";
    let at = skeleton
        .find(empty_list)
        .expect("the document lists its diagnostics")
        + empty_list.len()
        - 1;
    out.write_all(&skeleton.as_bytes()[..at])?;
    if !report.findings.is_empty() {
        let paths: Vec<String> = (report.sources.iter())
            .map(|(_, file)| file.path.display().to_string())
            .collect();
        // Each finding after a comma; the first opens the list without one.
        let mut first = true;
        // Windows of 4,096 findings (about 1.7 MB of JSON): two cores stay
        // busy with four batches each, and a window of 16 batches held
        // 3.5 MB more at the peak of a 100,000-entry check, for no speed.
        super::lay_out_in_windows(
            &report.findings,
            1024,
            4,
            |piece, d| {
                piece.extend_from_slice(b",\n    ");
                // Two levels deep: the document, then its list.
                let mut serializer =
                    serde_json::Serializer::with_formatter(&mut *piece, Nested::new(2));
                diagnostic(&report.sources, &paths, d).serialize(&mut serializer)?;
                Ok(())
            },
            |piece| {
                let skip = usize::from(std::mem::take(&mut first));
                out.write_all(&piece[skip..])
            },
        )?;
        out.write_all(b"\n  ")?;
    }
    out.write_all(&skeleton.as_bytes()[at..])?;
    writeln!(out)
}

/// `serde_json`'s pretty printing (two spaces a level) of a value that
/// stands `depth` levels deep in a document: the bytes of printing the
/// whole document, written straight into the piece (`PrettyFormatter`
/// starts at depth 0 and keeps its depth to itself).
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn new(depth: usize) -> Nested {
        Nested {
            depth,
            has_value: false,
        }
    }

    fn line<W: ?Sized + Write>(&self, out: &mut W, start: &[u8]) -> io::Result<()> {
        out.write_all(start)?;
        for _ in 0..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(out, b"\n")?;
        }
        out.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.line(out, if first { b"\n" } else { b",\n" })
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.line(out, if first { b"\n" } else { b",\n" })
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The document of a check, with these diagnostics.
fn document<'a>(report: &Report, diagnostics: Vec<JsonDiagnostic<'a>>) -> Document<'a> {
    let mut by_code = BTreeMap::new();
    for (code, _) in report.findings.codes() {
        *by_code.entry(code.as_str()).or_default() += 1;
    }
    Document {
        version: JSON_VERSION,
        diagnostics,
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
    }
}

fn diagnostic<'a>(
    sources: &SourceMap,
    paths: &'a [String],
    d: &'a Diagnostic,
) -> JsonDiagnostic<'a> {
    let at = location(sources, paths, &d.primary);
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
        related: d
            .related
            .iter()
            .map(|l| location(sources, paths, l))
            .collect(),
    }
}

fn location<'a>(sources: &SourceMap, paths: &'a [String], label: &'a Label) -> JsonLocation<'a> {
    let at = locate(sources, label);
    JsonLocation {
        file: &paths[label.file.0 as usize],
        line: at.start.line,
        column: at.start.column,
        end_line: at.end.line,
        end_column: at.end.column,
        message: label.message.as_deref(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::Session;
    use crate::config::Config;
    use crate::source::{FileRole, SourceFile};

    /// Laid out in pieces and batches on all cores, the document is the
    /// one `serde_json` prints whole.
    #[test]
    fn findings_laid_out_in_pieces_print_as_the_whole_document() {
        // A key defined twice: a finding with a related place, an object
        // in a list in the finding.
        let bib: String = (0..17_000)
            .map(|i| format!("@misc{{k{i}, note = {{x}}}}\n"))
            .chain(["@misc{k5, note = {y}}\n".to_owned()])
            .collect();
        let mut sources = SourceMap::new();
        sources.add(SourceFile::new(
            PathBuf::from("refs.bib"),
            FileRole::Bibliography,
            bib,
        ));
        sources.add(SourceFile::new(
            PathBuf::from("a.md"),
            FileRole::Chapter,
            "[@k1] [@gone]".to_owned(),
        ));
        let report = Session::new(Config::default(), sources).check();
        assert!(
            report.findings.len() > 16 * 1024,
            "{}",
            report.findings.len()
        );
        assert!(report.findings.iter().any(|d| !d.related.is_empty()));
        let mut printed = Vec::new();
        render(&report, &mut printed).unwrap();
        let paths: Vec<String> = (report.sources.iter())
            .map(|(_, file)| file.path.display().to_string())
            .collect();
        let findings = report.findings.to_vec();
        let whole = document(
            &report,
            (findings.iter())
                .map(|d| diagnostic(&report.sources, &paths, d))
                .collect(),
        );
        let expected = serde_json::to_string_pretty(&whole).unwrap() + "\n";
        assert!(String::from_utf8(printed).unwrap() == expected);
    }
}
