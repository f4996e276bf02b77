//! The References section inside a manuscript: the text between
//! `<!-- refkeeper:begin references -->` and `<!-- refkeeper:end references -->`
//! (`% refkeeper:begin references` ... in LaTeX, `// ...` in Typst) is
//! replaced; every byte outside the markers stays as it is.

/// The marker lines of a file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Markers {
    /// The line that opens the section.
    pub begin: &'static str,
    /// The line that closes it.
    pub end: &'static str,
}

/// HTML comments: Markdown, HTML and other files.
pub const MARKDOWN: Markers = Markers {
    begin: "<!-- refkeeper:begin references -->",
    end: "<!-- refkeeper:end references -->",
};
/// LaTeX comments.
pub const LATEX: Markers = Markers {
    begin: "% refkeeper:begin references",
    end: "% refkeeper:end references",
};
/// Typst comments.
pub const TYPST: Markers = Markers {
    begin: "// refkeeper:begin references",
    end: "// refkeeper:end references",
};

/// Why a section cannot be replaced.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SectionError {
    #[error(
        "no `{begin}` line; add the two marker lines where the References go:\n  {begin}\n  {end}"
    )]
    /// The file has no begin line.
    MissingBegin {
        /// The begin line wanted.
        begin: &'static str,
        /// The end line that goes with it.
        end: &'static str,
    },
    #[error("`{begin}` (line {line}) has no `{end}` line after it")]
    /// The begin line has no end line after it.
    MissingEnd {
        /// The begin line.
        begin: &'static str,
        /// The end line wanted.
        end: &'static str,
        /// The line of the begin marker.
        line: usize,
    },
    #[error(
        "more than one `{begin}` line (lines {first} and {second}); keep one References section per file"
    )]
    /// The begin line occurs twice.
    Repeated {
        /// The begin line.
        begin: &'static str,
        /// The line of its first occurrence.
        first: usize,
        /// The line of its second.
        second: usize,
    },
    /// Written, the section would end (or start) early the next time.
    #[error(
        "the References would contain a `{marker}` line (line {line} of the section); the file is left as it is"
    )]
    /// The new section would hold a marker line (the next update would cut the file there).
    MarkerInBody {
        /// The marker line.
        marker: &'static str,
        /// Its line in the new section.
        line: usize,
    },
}

/// `text` with the section between the markers replaced by `body`. The
/// body is surrounded by blank lines and uses the file's line ending.
pub fn replace(text: &str, markers: Markers, body: &str) -> Result<String, SectionError> {
    // Line endings first: a lone CR ends a line in the file written, so a
    // marker after one is a marker line (found by the `section` fuzz target).
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    if let Some((number, line)) = marker_lines(&body)
        .into_iter()
        .find(|l| l.3 == markers.begin || l.3 == markers.end)
        .map(|l| (l.0, l.3))
    {
        let marker = if line == markers.begin {
            markers.begin
        } else {
            markers.end
        };
        return Err(SectionError::MarkerInBody {
            marker,
            line: number,
        });
    }
    let lines = marker_lines(text);
    let begins: Vec<&(usize, usize, usize, &str)> =
        lines.iter().filter(|l| l.3 == markers.begin).collect();
    let begin = match begins.as_slice() {
        [] => {
            return Err(SectionError::MissingBegin {
                begin: markers.begin,
                end: markers.end,
            });
        }
        [one] => *one,
        [first, second, ..] => {
            return Err(SectionError::Repeated {
                begin: markers.begin,
                first: first.0,
                second: second.0,
            });
        }
    };
    let end = lines
        .iter()
        .find(|l| l.0 > begin.0 && l.3 == markers.end)
        .ok_or(SectionError::MissingEnd {
            begin: markers.begin,
            end: markers.end,
            line: begin.0,
        })?;
    // The begin line's own ending, not a guess from the whole file (whose
    // section may hold other endings), so that a second update is a no-op.
    let newline = if text[..begin.2].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let body = body.trim_matches('\n').replace('\n', newline);
    let mut out = String::with_capacity(text.len() + body.len());
    out.push_str(&text[..begin.2]);
    out.push_str(newline);
    if !body.is_empty() {
        out.push_str(&body);
        out.push_str(newline);
        out.push_str(newline);
    }
    out.push_str(&text[end.1..]);
    Ok(out)
}

/// Every line: (1-based number, start, end after its terminator, content trimmed).
fn marker_lines(text: &str) -> Vec<(usize, usize, usize, &str)> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let end = start + line.len();
        lines.push((number + 1, start, end, line.trim()));
        start = end;
    }
    lines
}

/// A unified diff of two versions, for `--check`.
pub fn diff(old: &str, new: &str, path: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{path} (on disk)"),
            &format!("{path} (regenerated)"),
        )
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# References\n\nBefore.\n<!-- refkeeper:begin references -->\nold stuff\n<!-- refkeeper:end references -->\nAfter.\n";

    #[test]
    fn only_the_section_changes_and_twice_is_once() {
        let once = replace(DOC, MARKDOWN, "Entry A.\n\nEntry B.").unwrap();
        assert_eq!(
            once,
            "# References\n\nBefore.\n<!-- refkeeper:begin references -->\n\nEntry A.\n\nEntry B.\n\n<!-- refkeeper:end references -->\nAfter.\n"
        );
        assert_eq!(
            replace(&once, MARKDOWN, "Entry A.\n\nEntry B.").unwrap(),
            once
        );
    }

    #[test]
    fn crlf_files_keep_crlf() {
        let doc = DOC.replace('\n', "\r\n");
        let out = replace(&doc, MARKDOWN, "A.\n\nB.").unwrap();
        assert!(!out.replace("\r\n", "").contains('\n'));
        assert!(out.starts_with("# References\r\n"));
    }

    #[test]
    fn missing_or_repeated_markers_are_refused() {
        assert!(matches!(
            replace("no markers\n", MARKDOWN, "x"),
            Err(SectionError::MissingBegin { .. })
        ));
        let open = "<!-- refkeeper:begin references -->\nx\n";
        assert_eq!(
            replace(open, MARKDOWN, "x").unwrap_err().to_string(),
            "`<!-- refkeeper:begin references -->` (line 1) has no `<!-- refkeeper:end references -->` line after it"
        );
        let twice = format!("{DOC}{DOC}");
        assert!(matches!(
            replace(&twice, MARKDOWN, "x"),
            Err(SectionError::Repeated {
                first: 4,
                second: 11,
                ..
            })
        ));
    }

    #[test]
    fn a_body_with_a_marker_line_is_refused() {
        let text =
            "a\n<!-- refkeeper:begin references -->\nold\n<!-- refkeeper:end references -->\nz\n";
        let body = "Kim (2007).\n  <!-- refkeeper:end references -->\nLee (2010).";
        assert_eq!(
            replace(text, MARKDOWN, body),
            Err(SectionError::MarkerInBody {
                marker: MARKDOWN.end,
                line: 2
            })
        );
        // The marker inside a line is only text.
        let inline = "Kim (2007), on <!-- refkeeper:end references --> markers.";
        let updated = replace(text, MARKDOWN, inline).unwrap();
        assert_eq!(replace(&updated, MARKDOWN, inline).unwrap(), updated);
    }

    #[test]
    fn latex_markers() {
        let doc = "\\section{References}\n% refkeeper:begin references\n% refkeeper:end references\n\\end{document}\n";
        let out = replace(
            doc,
            crate::document::DocumentKind::Latex.markers(),
            "\\emph{A}.",
        )
        .unwrap();
        assert_eq!(
            out,
            "\\section{References}\n% refkeeper:begin references\n\n\\emph{A}.\n\n% refkeeper:end references\n\\end{document}\n"
        );
    }

    #[test]
    fn diffs_are_readable() {
        let d = diff("a\nb\n", "a\nc\n", "refs.md");
        assert!(d.contains("-b\n+c\n"), "{d}");
        assert!(d.starts_with("--- refs.md (on disk)\n+++ refs.md (regenerated)\n"));
    }
}
