//! The uncoloured layout of the usual finding, one label on one line,
//! written straight into the output.
//!
//! `codespan-reporting` lays out any finding (several labels, several
//! files, labels across lines), writing each character of the source line
//! and of the caret line through `fmt::Write` and its style calls: on
//! 100,000 findings that was about a third of `check`'s time. Here the
//! same bytes are written in runs: the header, the locus, the source line
//! with its tabs expanded, the carets, the notes, exactly as
//! `RichDiagnostic::render` (codespan-reporting 0.13, `term/views.rs`) and
//! its `Renderer` (`term/renderer.rs`) write them for this shape. Any
//! other shape, and coloured output, is left to `codespan-reporting`;
//! debug builds lay out every finding both ways and compare.

use std::ops::Range;

use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::Config;
use unicode_width::UnicodeWidthChar;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::FileId;

/// Writes `diagnostic` as `codespan-reporting` would without colour, when
/// it has one label on one line and `config` shows no context lines;
/// `Ok(false)`, with nothing written, for any other finding.
pub(super) fn emit<'f>(
    out: &mut Vec<u8>,
    config: &Config,
    files: &'f impl Files<'f, FileId = FileId>,
    diagnostic: &Diagnostic,
) -> Result<bool, FilesError> {
    if !diagnostic.related.is_empty()
        || config.before_label_lines > 0
        || config.after_label_lines > 0
    {
        return Ok(false);
    }
    let file = diagnostic.primary.file;
    let range = diagnostic.primary.span.clone();
    // What codespan asks of the files, in its order, so that a failure is
    // the same failure.
    let line_index = files.line_index(file, range.start)?;
    let line_number = files.line_number(file, line_index)?;
    let line_range = files.line_range(file, line_index)?;
    // The line's range holds its terminator: a span ending before the
    // next line's start ends on this line, without a second search.
    if range.end >= line_range.end {
        let end_line_index = files.line_index(file, range.end)?;
        files.line_number(file, end_line_index)?;
        files.line_range(file, end_line_index)?;
        if end_line_index != line_index {
            return Ok(false);
        }
    }
    let name = files.name(file)?.to_string();
    let location = files.location(file, range.start)?;
    let source = files.source(file)?;
    let source = source.as_ref();

    let padding = count_digits(line_number);
    let chars = &config.chars;
    let put = |out: &mut Vec<u8>, text: &str| out.extend_from_slice(text.as_bytes());
    let put_char = |out: &mut Vec<u8>, c: char| put(out, c.encode_utf8(&mut [0; 4]));
    let gutter = |out: &mut Vec<u8>| out.resize(out.len() + padding + 1, b' ');

    // error[missing-entry]: `kim2007` is cited but is not in any bibliography
    put(
        out,
        match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
    );
    let code = diagnostic.code.as_str();
    if !code.is_empty() {
        put(out, "[");
        put(out, code);
        put(out, "]");
    }
    put(out, ": ");
    put(out, &diagnostic.message);
    put(out, "\n");

    //    ┌─ chapters/intro.tex:12:9
    //    │
    gutter(out);
    put(out, &chars.snippet_start);
    put(out, " ");
    put(out, &name);
    put(
        out,
        &format!(":{}:{}\n", location.line_number, location.column_number),
    );
    border(out, padding, chars.source_border_left);

    // 12 │ As \cite{kim2007} shows
    let line = source[line_range.clone()].trim_end_matches(['\n', '\r', '\0']);
    put(out, &format!("{line_number:>padding$} "));
    put_char(out, chars.source_border_left);
    put(out, " ");
    let tab_width = config.tab_width;
    let mut column = 0;
    let mut run_start = 0;
    for (at, c) in line.char_indices() {
        if c == '\t' {
            put(out, &line[run_start..at]);
            let width = if tab_width == 0 {
                0
            } else {
                tab_width - column % tab_width
            };
            out.resize(out.len() + width, b' ');
            column += width;
            run_start = at + 1;
        } else {
            column += c.width().unwrap_or(0);
        }
    }
    put(out, &line[run_start..]);
    put(out, "\n");

    //    │          ^^^^^^^ message
    let label_start = range.start - line_range.start;
    // At least one caret, for an empty range.
    let label_end = (range.end - line_range.start).max(label_start + 1);
    gutter(out);
    put_char(out, chars.source_border_left);
    put(out, " ");
    let caret = chars.single_primary_caret;
    if line.bytes().all(|b| matches!(b, b' '..=b'~')) {
        // Printable ASCII: a column per byte, and one after the end.
        for at in 0..=line.len() {
            if at >= label_end {
                break;
            }
            if at >= label_start {
                put_char(out, caret);
            } else {
                out.push(b' ');
            }
        }
    } else {
        carets(out, config, line, label_start..label_end, caret);
    }
    if let Some(message) = (diagnostic.primary.message.as_deref()).filter(|m| !m.is_empty()) {
        put(out, " ");
        put(out, message);
    }
    put(out, "\n");

    //    │
    //    = help: cite it or remove it
    if let Some(help) = &diagnostic.help {
        border(out, padding, chars.source_border_left);
        let note = format!("help: {help}");
        for (i, line) in note.lines().enumerate() {
            gutter(out);
            if i == 0 {
                put_char(out, chars.note_bullet);
            } else {
                put(out, " ");
            }
            put(out, " ");
            put(out, line);
            put(out, "\n");
        }
    }
    put(out, "\n");
    Ok(true)
}

/// The carets under `label` (line-relative bytes) of a line of any
/// characters: each as many columns wide as it shows, a tab to the next
/// stop, and the end of the line one more column, so that a label there
/// has its caret.
fn carets(out: &mut Vec<u8>, config: &Config, line: &str, label: Range<usize>, caret: char) {
    let tab_width = config.tab_width;
    let mut column = 0;
    let columns = line
        .char_indices()
        .chain(std::iter::once((line.len(), '\0')));
    for (at, c) in columns {
        let width = match c {
            '\t' if tab_width == 0 => 0,
            '\t' => tab_width - column % tab_width,
            '\0' if at == line.len() => 1,
            c => c.width().unwrap_or(0),
        };
        column += width;
        let end = at + c.len_utf8();
        if label.start.max(at) < label.end.min(end) {
            for _ in 0..width {
                out.extend_from_slice(caret.encode_utf8(&mut [0; 4]).as_bytes());
            }
        } else if at < label.end {
            out.resize(out.len() + width, b' ');
        }
    }
}

/// An empty line of the snippet: its left border alone.
fn border(out: &mut Vec<u8>, padding: usize, border: char) {
    out.resize(out.len() + padding + 1, b' ');
    out.extend_from_slice(border.encode_utf8(&mut [0; 4]).as_bytes());
    out.push(b'\n');
}

fn count_digits(n: usize) -> usize {
    n.checked_ilog10().unwrap_or(0) as usize + 1
}
