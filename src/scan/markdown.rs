//! Citations in Pandoc Markdown (`.md`, `.Rmd`) and Quarto (`.qmd`).
//!
//! Keys follow Pandoc's own rules (`citeKey` and `simpleCiteIdentifier` in
//! pandoc's `Text.Pandoc.Parsing.Citations`): a key starts with a letter,
//! digit or `_`; punctuation from `:.#$%&-+?<>~/` stays in a key only when a
//! letter, digit or `_` follows it, so `@doe99.` cites `doe99`; `@{...}`
//! takes any key without whitespace. An `@` directly after a word (an
//! e-mail address) is text, and `\@` is a literal `@`.
//!
//! Skipped: YAML front matter (except its `nocite`), fenced and indented
//! code blocks, code spans, HTML comments and tags, link destinations and
//! TeX math. Cross-references are not citations: pandoc-crossref's
//! `@fig:x`, `@sec:x`, `@tbl:x`, `@eq:x`, `@lst:x` everywhere, and Quarto's
//! `@fig-x`, `@tbl-x`, `@sec-x` ... in `.qmd` files.

use super::{Citation, CiteKind, CommaJoined, ScanOutput};
use crate::source::Span;

/// Which flavour of Markdown a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Pandoc Markdown and R Markdown.
    Pandoc,
    /// Quarto: `@fig-x` and the other cross-reference prefixes are not citations.
    Quarto,
}

/// Quarto's cross-reference prefixes (figures, tables, listings, callouts,
/// theorem-like blocks, equations, sections, algorithms).
const QUARTO_PREFIXES: &[&str] = &[
    "fig", "tbl", "lst", "tip", "nte", "wrn", "imp", "cau", "thm", "lem", "cor", "prp", "cnj",
    "def", "exm", "exr", "sol", "rem", "eq", "sec", "alg",
];

/// pandoc-crossref's reference prefixes.
const PANDOC_CROSSREF_PREFIXES: &[&str] = &["fig", "sec", "tbl", "eq", "lst"];

/// Finds every citation in a Markdown text.
pub fn scan(text: &str, dialect: Dialect) -> ScanOutput {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        dialect,
        out: ScanOutput::default(),
    };
    let body = scanner.front_matter();
    scanner.body(body);
    scanner.out
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    dialect: Dialect,
    out: ScanOutput,
}

/// One line: its start, the end of its content and the start of the next.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    next: usize,
}

impl Scanner<'_> {
    fn line_at(&self, start: usize) -> Line {
        let newline = memchr::memchr(b'\n', &self.bytes[start..]).map(|n| start + n);
        let next = newline.map_or(self.bytes.len(), |n| n + 1);
        let mut end = newline.unwrap_or(self.bytes.len());
        if end > start && self.bytes[end - 1] == b'\r' {
            end -= 1;
        }
        Line { start, end, next }
    }

    fn line_text(&self, line: Line) -> &str {
        &self.text[line.start..line.end]
    }

    /// Reads YAML front matter, taking keys from its `nocite` field, and
    /// returns where the body starts.
    fn front_matter(&mut self) -> usize {
        let first = self.line_at(0);
        if self.line_text(first).trim_end() != "---" || first.next >= self.bytes.len() {
            return 0;
        }
        if self.line_text(self.line_at(first.next)).trim().is_empty() {
            return 0; // `---` then a blank line is a horizontal rule.
        }
        let mut pos = first.next;
        let mut nocite: Option<Span> = None;
        while pos < self.bytes.len() {
            let line = self.line_at(pos);
            let content = self.line_text(line);
            let closes = matches!(content.trim_end(), "---" | "...");
            let continues = content.starts_with([' ', '\t']) || content.trim().is_empty();
            let opens_nocite = !continues && content.starts_with("nocite:");
            if let Some(region) = &mut nocite {
                if continues && !closes {
                    region.end = line.end;
                } else {
                    let region = nocite.take().expect("checked above");
                    self.nocite(region);
                }
            }
            if closes {
                return line.next;
            }
            if opens_nocite {
                nocite = Some(line.start + "nocite:".len()..line.end);
            }
            pos = line.next;
        }
        // No closing line: not front matter after all.
        0
    }

    /// Keys listed in a `nocite` value: `@*` cites everything.
    fn nocite(&mut self, region: Span) {
        let mut pos = region.start;
        while let Some(found) = memchr::memchr(b'@', &self.bytes[pos..region.end]) {
            let at = pos + found;
            pos = at + 1;
            if self.bytes.get(at + 1) == Some(&b'*') {
                self.out.cite_all.push(at..at + 2);
                continue;
            }
            if let Some((key, end)) = self.citation_at(at) {
                self.out.citations.push(Citation {
                    key: self.text[key.clone()].into(),
                    span: key,
                    kind: CiteKind::Nocite,
                });
                pos = end;
            }
        }
    }

    /// Walks the body line by line for block structure, then inline.
    fn body(&mut self, start: usize) {
        let mut pos = start;
        let mut previous_blank = true;
        let mut in_list = false;
        while pos < self.bytes.len() {
            let line = self.line_at(pos);
            let content = self.line_text(line);
            if content.trim().is_empty() {
                previous_blank = true;
                pos = line.next;
                continue;
            }
            let indent = indentation(content);
            let trimmed = content.trim_start();
            if let Some(after_fence) = self.fenced_code(line, indent, in_list) {
                pos = after_fence;
                previous_blank = false;
                continue;
            }
            if indent >= 4 && previous_blank && !in_list {
                pos = self.indented_code(line);
                previous_blank = true;
                continue;
            }
            if is_list_marker(trimmed) {
                in_list = true;
            } else if previous_blank && indent == 0 {
                in_list = false;
            }
            previous_blank = false;
            if is_reference_definition(trimmed) {
                pos = line.next;
                continue;
            }
            pos = self.inline(line.start);
        }
    }

    /// A fenced code block opening at `line`: the offset after its closing
    /// fence. A fence that is never closed is not a code block, as in pandoc.
    fn fenced_code(&self, line: Line, indent: usize, in_list: bool) -> Option<usize> {
        if indent > 3 && !in_list {
            return None;
        }
        let trimmed = self.line_text(line).trim_start();
        let fence_char = *trimmed.as_bytes().first()?;
        if fence_char != b'`' && fence_char != b'~' {
            return None;
        }
        let length = trimmed.bytes().take_while(|&b| b == fence_char).count();
        if length < 3 || (fence_char == b'`' && trimmed[length..].contains('`')) {
            return None;
        }
        let mut pos = line.next;
        while pos < self.bytes.len() {
            let candidate = self.line_at(pos);
            let text = self.line_text(candidate).trim();
            let run = text.bytes().take_while(|&b| b == fence_char).count();
            if run >= length && run == text.len() {
                return Some(candidate.next);
            }
            pos = candidate.next;
        }
        None
    }

    /// Skips an indented code block starting at `line`; returns where it ends.
    fn indented_code(&self, line: Line) -> usize {
        let mut pos = line.next;
        while pos < self.bytes.len() {
            let candidate = self.line_at(pos);
            let text = self.line_text(candidate);
            if !text.trim().is_empty() && indentation(text) < 4 {
                return pos;
            }
            pos = candidate.next;
        }
        pos
    }

    /// Scans inline content from `start` to the end of its line (or further,
    /// when a code span, comment or math runs on); returns the start of the
    /// next line to look at.
    fn inline(&mut self, start: usize) -> usize {
        let mut pos = start;
        let bytes = self.bytes;
        // Inside `[...]` on this line, and the last citation there (its
        // key and where it ends), to see `[@a, @b]`.
        let mut in_brackets = false;
        let mut previous: Option<(Span, usize)> = None;
        loop {
            let Some(&b) = bytes.get(pos) else { return pos };
            match b {
                b'\n' => return pos + 1,
                b'\\' => pos += 2,
                b'`' => pos = self.code_span(pos),
                b'<' => pos = self.angle(pos),
                b'$' => pos = self.math(pos),
                b']' if bytes.get(pos + 1) == Some(&b'(') => pos = self.link_destination(pos + 1),
                b'[' => {
                    (in_brackets, previous) = (true, None);
                    pos += 1;
                }
                b']' => {
                    (in_brackets, previous) = (false, None);
                    pos += 1;
                }
                b'@' => {
                    if let Some((key, end)) = self.citation_at(pos) {
                        let cites = {
                            let text = &self.text[key.clone()];
                            text != "*" && !self.is_cross_reference(text)
                        };
                        if let Some((first, first_end)) = previous.take()
                            && cites
                            && matches!(&self.text[first_end..pos], "," | ", ")
                        {
                            self.out.comma_joined.push(CommaJoined {
                                first: self.text[first].to_owned(),
                                second: self.text[key.clone()].to_owned(),
                                span: key.clone(),
                            });
                        }
                        if in_brackets && cites {
                            previous = Some((key.clone(), end));
                        }
                        self.push(key);
                        pos = end;
                    } else {
                        pos += 1;
                    }
                }
                _ => pos += 1,
            }
        }
    }

    fn push(&mut self, key: Span) {
        let text = &self.text[key.clone()];
        if text == "*" || self.is_cross_reference(text) {
            return;
        }
        self.out.citations.push(Citation {
            key: text.into(),
            span: key,
            kind: CiteKind::Cite,
        });
    }

    fn is_cross_reference(&self, key: &str) -> bool {
        let has_prefix = |prefixes: &[&str], separator: char| {
            key.split_once(separator).is_some_and(|(prefix, rest)| {
                !rest.is_empty() && prefixes.iter().any(|p| p.eq_ignore_ascii_case(prefix))
            })
        };
        has_prefix(PANDOC_CROSSREF_PREFIXES, ':')
            || (self.dialect == Dialect::Quarto && has_prefix(QUARTO_PREFIXES, '-'))
    }

    /// The key of a citation whose `@` is at `at`, and where it ends.
    fn citation_at(&self, at: usize) -> Option<(Span, usize)> {
        if self.after_word(at) {
            return None;
        }
        let start = at + 1;
        let rest = &self.text[start..];
        let first = rest.chars().next()?;
        if first == '{' {
            return braced_key(rest).map(|len| (start + 1..start + len - 1, start + len));
        }
        if !(is_key_char(first) || first == '*') {
            return None;
        }
        let mut end = start + first.len_utf8();
        let mut chars = self.text[end..].chars().peekable();
        while let Some(c) = chars.next() {
            let next = chars.peek().copied();
            let keep = is_key_char(c)
                || (":.#$%&-+?<>~/".contains(c) && next.is_some_and(is_key_char))
                || ((c == ':' || c == '/') && next == Some('/'));
            if !keep {
                break;
            }
            end += c.len_utf8();
        }
        Some((start..end, end))
    }

    /// Whether the `@` at `at` directly follows a word, as in `a@b.com`
    /// (pandoc's `notAfterString`): a letter or digit, or a `.` after one.
    fn after_word(&self, at: usize) -> bool {
        let mut before = self.text[..at].chars().rev();
        match before.next() {
            Some(c) if c.is_alphanumeric() => true,
            Some('.') => before.next().is_some_and(char::is_alphanumeric),
            _ => false,
        }
    }

    /// A code span opened by the backtick run at `pos`: the offset after it,
    /// or after the run when no closing run of the same length follows
    /// within the paragraph.
    fn code_span(&self, pos: usize) -> usize {
        let run = self.bytes[pos..].iter().take_while(|&&b| b == b'`').count();
        let mut i = pos + run;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'`' => {
                    let closing = self.bytes[i..].iter().take_while(|&&b| b == b'`').count();
                    if closing == run {
                        return i + closing;
                    }
                    i += closing;
                }
                b'\n' if self.blank_line_follows(i) => break,
                _ => i += 1,
            }
        }
        pos + run
    }

    fn blank_line_follows(&self, newline: usize) -> bool {
        let line = self.line_at(newline + 1);
        self.line_text(line).trim().is_empty()
    }

    /// `<!-- comment -->`, `<tag ...>` or an autolink `<https://...>`.
    fn angle(&self, pos: usize) -> usize {
        let rest = &self.bytes[pos..];
        if rest.starts_with(b"<!--") {
            return memchr::memmem::find(&rest[4..], b"-->")
                .map_or(self.bytes.len(), |n| pos + 4 + n + 3);
        }
        let opens_tag = rest
            .get(1)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'/');
        if opens_tag {
            let line_end = self.line_at(pos).end;
            if let Some(n) = memchr::memchr(b'>', &self.bytes[pos..line_end]) {
                return pos + n + 1;
            }
        }
        pos + 1
    }

    /// `(destination "title")` after a link's `]`: skipped with nested parentheses.
    fn link_destination(&self, open: usize) -> usize {
        let mut depth = 0usize;
        let mut i = open;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' => i += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                b'\n' if self.blank_line_follows(i) => break,
                _ => {}
            }
            i += 1;
        }
        open
    }

    /// TeX math (`$...$`, `$$...$$`) as pandoc's `tex_math_dollars` reads it:
    /// an opening `$` is followed by a non-space, a closing one follows a
    /// non-space and is not followed by a digit.
    fn math(&self, pos: usize) -> usize {
        let bytes = self.bytes;
        if bytes.get(pos + 1) == Some(&b'$') {
            return memchr::memmem::find(&bytes[pos + 2..], b"$$")
                .map_or(pos + 2, |n| pos + 2 + n + 2);
        }
        if bytes.get(pos + 1).is_none_or(|b| b.is_ascii_whitespace()) {
            return pos + 1;
        }
        let mut i = pos + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 1,
                b'$' if !bytes[i - 1].is_ascii_whitespace()
                    && !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) =>
                {
                    return i + 1;
                }
                b'\n' if self.blank_line_follows(i) => break,
                _ => {}
            }
            i += 1;
        }
        pos + 1
    }
}

/// A letter, digit or `_`, as in pandoc's `regchar`.
fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Length of `{...}` at the start of `rest`: braces balanced, no whitespace
/// (pandoc's `charsInBalanced '{' '}' (satisfy (not . isSpace))`), not empty.
fn braced_key(rest: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return (i > 1).then_some(i + 1);
                }
            }
            c if c.is_whitespace() => return None,
            _ => {}
        }
    }
    None
}

/// Columns of leading whitespace, a tab counting to the next multiple of 4.
fn indentation(line: &str) -> usize {
    let mut columns = 0;
    for b in line.bytes() {
        match b {
            b' ' => columns += 1,
            b'\t' => columns += 4 - columns % 4,
            _ => break,
        }
    }
    columns
}

/// A bullet, ordered-list, footnote or definition-list marker, whose
/// indented continuation lines are not code.
fn is_list_marker(trimmed: &str) -> bool {
    let bytes = trimmed.as_bytes();
    let space_after = |n: usize| bytes.get(n).is_none_or(|b| *b == b' ' || *b == b'\t');
    match bytes.first() {
        Some(b'-' | b'*' | b'+' | b':' | b'~') => space_after(1),
        Some(b'[') => trimmed.starts_with("[^") && trimmed.contains("]:"),
        Some(b'#') => trimmed.starts_with("#.") && space_after(2),
        Some(b) if b.is_ascii_digit() => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            matches!(bytes.get(digits), Some(b'.' | b')')) && space_after(digits + 1)
        }
        Some(b'(') => trimmed
            .find(')')
            .is_some_and(|close| close > 1 && space_after(close + 1)),
        _ => false,
    }
}

/// `[label]: destination`, a link reference definition (not a footnote or
/// a bracketed citation).
fn is_reference_definition(trimmed: &str) -> bool {
    trimmed.starts_with('[')
        && !trimmed.starts_with("[^")
        && !trimmed.starts_with("[@")
        && trimmed
            .find("]:")
            .is_some_and(|close| !trimmed[..close].contains(']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_in(text: &str, dialect: Dialect) -> Vec<&str> {
        let out = scan(text, dialect);
        for c in &out.citations {
            assert_eq!(&text[c.span.clone()], &*c.key, "span of {:?}", c.key);
        }
        out.citations
            .iter()
            .map(|c| &text[c.span.clone()])
            .collect()
    }

    fn keys(text: &str) -> Vec<&str> {
        keys_in(text, Dialect::Pandoc)
    }

    #[test]
    fn bracketed_and_in_text_citations() {
        assert_eq!(
            keys(
                "Blah [see @doe99, pp. 33-35; also @smith04, chap. 1]. @wu2001 [p. 33] says [-@lee]."
            ),
            vec!["doe99", "smith04", "wu2001", "lee"]
        );
    }

    #[test]
    fn citations_joined_by_a_comma_in_brackets_are_seen() {
        let joined = |text: &str| -> Vec<(String, String)> {
            scan(text, Dialect::Pandoc)
                .comma_joined
                .into_iter()
                .map(|j| (j.first, j.second))
                .collect()
        };
        assert_eq!(joined("[@a, @b]"), [("a".to_owned(), "b".to_owned())]);
        assert_eq!(
            joined("[see @a,@b, p. 3]"),
            [("a".to_owned(), "b".to_owned())]
        );
        assert!(joined("[@a; @b]").is_empty());
        assert!(joined("[@a, see also @b]").is_empty());
        assert!(joined("@a, @b say").is_empty());
        assert!(joined("[@a] and [x], @b").is_empty());
        assert!(joined("[@fig:one, @fig:two]").is_empty());
    }

    #[test]
    fn trailing_punctuation_is_not_part_of_a_key() {
        assert_eq!(
            keys("As @doe99. And @Foo_bar.baz. Then @a--b, @x:y: and @url://x/y @kim-2007-korea."),
            vec![
                "doe99",
                "Foo_bar.baz",
                "a",
                "x:y",
                "url://x/y",
                "kim-2007-korea"
            ]
        );
    }

    #[test]
    fn braced_keys_take_anything_but_whitespace() {
        assert_eq!(
            keys("[@{https://x.org/a?b=c&d}] @{odd key} @{}"),
            vec!["https://x.org/a?b=c&d"]
        );
    }

    #[test]
    fn an_at_after_a_word_or_escaped_is_text() {
        assert_eq!(
            keys("mail me@example.org or x.@key or \\@literal, but (@real) and a-@dash"),
            vec!["real", "dash"]
        );
    }

    #[test]
    fn code_comments_tags_links_and_math_are_skipped() {
        let text = "`@code` ``a ` @code2`` <!-- @comment\n\n@still -->\n<a href=\"x\" data-x=\"@tag\">\
            [link](https://x.org/@user) <https://y.org/@auto> $a @math$ $$\n@display\n$$ @yes";
        assert_eq!(keys(text), vec!["yes"]);
    }

    #[test]
    fn fenced_and_indented_code_blocks_are_skipped() {
        let text = "Text @a\n\n```{r}\n#' @export\n```\n\n~~~~\n@b\n~~~~\n\n    @indented\n\n@c";
        assert_eq!(keys(text), vec!["a", "c"]);
    }

    #[test]
    fn indented_lines_in_a_list_are_not_code() {
        let text = "- item\n\n    continued @a\n\n[^1]: note\n\n    more @b\n\nend\n\n    @code";
        assert_eq!(keys(text), vec!["a", "b"]);
    }

    #[test]
    fn an_unclosed_fence_is_not_code() {
        assert_eq!(keys("```\n@a\n"), vec!["a"]);
    }

    #[test]
    fn front_matter_nocite_is_read_and_the_rest_skipped() {
        let text = "---\ntitle: \"On @notacite\"\nnocite: |\n  @a, @b\nauthor: x\n---\n@c";
        let out = scan(text, Dialect::Pandoc);
        let found: Vec<(&str, CiteKind)> = out
            .citations
            .iter()
            .map(|c| (c.key.as_ref(), c.kind))
            .collect();
        assert_eq!(
            found,
            vec![
                ("a", CiteKind::Nocite),
                ("b", CiteKind::Nocite),
                ("c", CiteKind::Cite)
            ]
        );
        let all = scan("---\nnocite: '@*'\n---\n", Dialect::Pandoc);
        assert_eq!(all.cite_all.len(), 1);
    }

    #[test]
    fn cross_references_are_not_citations() {
        let text = "See @fig:plot, @Sec:intro and @fig-plot, @sec-a, @tbl-x; cite @smith.";
        assert_eq!(
            keys_in(text, Dialect::Pandoc),
            vec!["fig-plot", "sec-a", "tbl-x", "smith"]
        );
        assert_eq!(keys_in(text, Dialect::Quarto), vec!["smith"]);
    }

    #[test]
    fn unicode_keys_and_spans() {
        assert_eq!(
            keys("김민준 [@김2007; @müller2020]"),
            vec!["김2007", "müller2020"]
        );
    }

    #[test]
    fn a_horizontal_rule_is_not_front_matter() {
        assert_eq!(keys("---\n\n@a\n---\n"), vec!["a"]);
    }

    #[test]
    fn reference_definitions_are_skipped() {
        assert_eq!(keys("[x]: https://e.org/@user \"t\"\n[@a]"), vec!["a"]);
    }

    #[test]
    fn dollar_amounts_are_not_math() {
        assert_eq!(keys("costs $5 and @a says $10"), vec!["a"]);
    }
}
