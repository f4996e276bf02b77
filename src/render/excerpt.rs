//! Long source lines shortened around what a finding points at, as rustc
//! does: a Markdown file written one paragraph per line, or a `.bib` entry
//! on one line, shows a window of the line with `...` at the cut ends, not
//! 800 characters. Line and column numbers stay those of the file.
//!
//! `codespan-reporting` prints whole lines and has no setting for this; an
//! [`Excerpt`] is a small stand-in file holding only the lines a finding's
//! labels sit on, each cut to its window, which answers line and column
//! numbers from the real file.

use std::ops::Range;

use codespan_reporting::files::{Error as FilesError, Files};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceMap, Span};

/// Lines longer than this many characters are shortened.
pub(super) const LONG_LINE: usize = 160;
/// Characters kept on each side of the labels of a shortened line.
const CONTEXT: usize = 60;
/// The longest stretch of a label shown on a shortened line.
const LONGEST_LABEL: usize = 120;
const CUT: &str = "...";

/// The lines a finding's labels sit on, long ones cut to a window.
pub(super) struct Excerpt<'a> {
    sources: &'a SourceMap,
    files: Vec<(FileId, ExcerptFile)>,
}

struct ExcerptFile {
    /// The lines, one after the other, each ended by `\n`.
    text: String,
    lines: Vec<ExcerptLine>,
}

struct ExcerptLine {
    /// Where the line starts and ends (before its `\n`) in the excerpt.
    start: usize,
    end: usize,
    /// The 0-based index of the line in the file.
    line: usize,
    /// Where in the file the excerpt's copy begins and ends.
    from: usize,
    to: usize,
    /// Bytes of `...` before the copy (0 when the line is shown from its start).
    cut_before: usize,
}

impl ExcerptLine {
    /// Where a byte of the file on this line is in the excerpt (clamped
    /// to the window).
    fn map(&self, byte: usize) -> usize {
        self.start + self.cut_before + byte.clamp(self.from, self.to) - self.from
    }
}

/// A finding whose labels sit on long lines, with its labels pointed into
/// an excerpt; `None` when no label is on a long line, or a label spans
/// lines (shown whole, as before).
pub(super) fn shorten<'a>(
    sources: &'a SourceMap,
    diagnostic: &Diagnostic,
) -> Option<(Excerpt<'a>, Diagnostic)> {
    let labels = || {
        std::iter::once((diagnostic.primary.file, &diagnostic.primary.span)).chain(
            diagnostic
                .related
                .iter()
                .map(|related| (related.file, &related.span)),
        )
    };
    let mut long = false;
    for (file, span) in labels() {
        let source = sources.get(file);
        let text = source.text.as_str();
        // Spans are the scanners' and fall on characters; anything else is
        // shown whole, never cut inside a character.
        if span.start > span.end
            || span.end > text.len()
            || !text.is_char_boundary(span.start)
            || !text.is_char_boundary(span.end)
        {
            return None;
        }
        let line = source.line_index(span.start);
        let range = source.line_range(line);
        // A span ending before the line's terminator ends on its line.
        if span.end > range.end && source.line_index(span.end) != line {
            return None;
        }
        // No more characters than bytes: most lines are counted by length.
        long |= range.len() > LONG_LINE && source.text[range].chars().count() > LONG_LINE;
    }
    if !long {
        return None;
    }
    // The labelled lines of each file, in order, with the spans on them.
    let mut wanted: Vec<(FileId, usize, Vec<Span>)> = Vec::new();
    for (file, span) in labels() {
        let line = sources.get(file).line_index(span.start);
        match wanted.iter_mut().find(|(f, l, _)| *f == file && *l == line) {
            Some((_, _, spans)) => spans.push(span.clone()),
            None => wanted.push((file, line, vec![span.clone()])),
        }
    }
    wanted.sort_by_key(|(file, line, _)| (file.0, *line));
    let mut excerpt = Excerpt {
        sources,
        files: Vec::new(),
    };
    for (file, line, spans) in wanted {
        let source = sources.get(file);
        let range = source.line_range(line);
        let text = &source.text[range.clone()];
        let (from, to) = if text.chars().count() > LONG_LINE {
            window(&source.text, range.clone(), &spans)
        } else {
            (range.start, range.end)
        };
        let at = match excerpt.files.iter().position(|(f, _)| *f == file) {
            Some(at) => at,
            None => {
                excerpt.files.push((
                    file,
                    ExcerptFile {
                        text: String::new(),
                        lines: Vec::new(),
                    },
                ));
                excerpt.files.len() - 1
            }
        };
        let shown = &mut excerpt.files[at].1;
        let start = shown.text.len();
        let cut_before = if from > range.start { CUT.len() } else { 0 };
        if cut_before > 0 {
            shown.text.push_str(CUT);
        }
        shown.text.push_str(&source.text[from..to]);
        if to < range.end {
            shown.text.push_str(CUT);
        }
        let end = shown.text.len();
        shown.text.push('\n');
        shown.lines.push(ExcerptLine {
            start,
            end,
            line,
            from,
            to,
            cut_before,
        });
    }
    let mut moved = diagnostic.clone();
    moved.primary.span = excerpt.map(moved.primary.file, &moved.primary.span);
    for related in &mut moved.related {
        related.span = excerpt.map(related.file, &related.span);
    }
    Some((excerpt, moved))
}

/// The stretch of a long line kept around its labels: `CONTEXT`
/// characters each side, a label longer than `LONGEST_LABEL` cut.
fn window(text: &str, line: Range<usize>, spans: &[Span]) -> (usize, usize) {
    // A span may end past the line's text, on its `\r\n`.
    let first = spans
        .iter()
        .map(|s| s.start)
        .min()
        .unwrap_or(line.start)
        .clamp(line.start, line.end);
    let last = spans
        .iter()
        .map(|s| s.end)
        .max()
        .unwrap_or(line.start)
        .clamp(first, line.end);
    let chars_back = |from: usize, n: usize| {
        text[line.start..from]
            .char_indices()
            .rev()
            .nth(n.saturating_sub(1))
            .map_or(line.start, |(i, _)| line.start + i)
    };
    let chars_on = |from: usize, n: usize| {
        text[from..line.end]
            .char_indices()
            .nth(n)
            .map_or(line.end, |(i, _)| from + i)
    };
    let last = last.min(chars_on(first, LONGEST_LABEL));
    (chars_back(first, CONTEXT), chars_on(last, CONTEXT))
}

impl Excerpt<'_> {
    fn file(&self, id: FileId) -> Result<&ExcerptFile, FilesError> {
        self.files
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, shown)| shown)
            .ok_or(FilesError::FileMissing)
    }

    /// A span of the file as a span of the excerpt.
    fn map(&self, id: FileId, span: &Span) -> Span {
        let line = self.sources.get(id).line_index(span.start);
        let Ok(shown) = self.file(id) else {
            return span.clone();
        };
        match shown.lines.iter().find(|l| l.line == line) {
            Some(l) => l.map(span.start)..l.map(span.end),
            None => span.clone(),
        }
    }
}

impl<'a> Files<'a> for Excerpt<'a> {
    type FileId = FileId;
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<String, FilesError> {
        Ok(self.sources.get(id).path.display().to_string())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.file(id)?.text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let shown = self.file(id)?;
        Ok(shown
            .lines
            .iter()
            .rposition(|l| l.start <= byte_index)
            .unwrap_or(0))
    }

    fn line_number(&'a self, id: FileId, line_index: usize) -> Result<usize, FilesError> {
        Ok(self.line(id, line_index)?.line + 1)
    }

    fn column_number(
        &'a self,
        id: FileId,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let shown = self.line(id, line_index)?;
        let in_file =
            (shown.from + byte_index.saturating_sub(shown.start + shown.cut_before)).min(shown.to);
        let source = self.sources.get(id);
        let line_start = source.line_range(shown.line).start;
        Ok(source.text[line_start..in_file].chars().count() + 1)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let shown = self.line(id, line_index)?;
        Ok(shown.start..shown.end + 1)
    }
}

impl Excerpt<'_> {
    fn line(&self, id: FileId, line_index: usize) -> Result<&ExcerptLine, FilesError> {
        let shown = self.file(id)?;
        shown.lines.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: shown.lines.len().saturating_sub(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_stays_on_its_line_whatever_the_spans() {
        let text = format!("{}\r\nnext", "é".repeat(300));
        let line = 0..600;
        // Ending on the `\r` of the line end, and starting past it.
        assert_eq!(
            window(&text, line.clone(), std::slice::from_ref(&(598..601))),
            (478, 600)
        );
        assert_eq!(
            window(&text, line.clone(), std::slice::from_ref(&(601..602))),
            (480, 600)
        );
        let (from, to) = window(&text, line, std::slice::from_ref(&(300..302)));
        assert!(text.is_char_boundary(from) && text.is_char_boundary(to));
        assert_eq!((from, to), (180, 422));
    }
}
