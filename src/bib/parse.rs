//! The recovery layer's second half: parse one chunk with the `biblatex`
//! crate's raw layer, which keeps byte spans of keys, field names and values.
//!
//! Before parsing, a copy of the chunk is normalised without moving a byte:
//! the outer `(`/`)` of a parenthesised entry become `{`/`}` and the `"`
//! delimiters of quoted values become braces. The crate fails on `@type(...)`
//! (valid BibTeX) and ends a quoted value at the first `"` even inside braces
//! (`"A {"}quoted{"} title"`), silently dropping every later field; neither
//! happens after the rewrite, and every span still points into the original.

use std::borrow::Cow;

use biblatex::{ParseErrorKind, RawBibliography, RawChunk, Token};

use super::split::{Chunk, ChunkKind, SplitError};
use crate::source::Span;

/// A field value as written: one literal, or parts joined with `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    /// A braced, quoted or bare-number literal: the span of its content.
    Literal(Span),
    /// Parts joined with `#`, or a lone macro name.
    Concat(&'a [ValuePart]),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValuePart {
    Literal(Span),
    /// An `@string` macro name.
    Macro(Span),
}

/// A byte range in 8 bytes instead of 16: a large bibliography holds
/// millions. Files are read only below [`crate::source::MAX_FILE_BYTES`]
/// (1 GiB), so offsets fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CompactSpan {
    start: u32,
    end: u32,
}

impl CompactSpan {
    fn new(span: &Span) -> Self {
        let offset = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        CompactSpan {
            start: offset(span.start),
            end: offset(span.end),
        }
    }

    fn range(self) -> Span {
        self.start as usize..self.end as usize
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum StoredValue {
    Literal(CompactSpan),
    // Boxed twice so that the common literal keeps a field at 32 bytes:
    // a 100,000-entry bibliography has close to a million fields.
    #[allow(clippy::box_collection)]
    Concat(Box<Vec<ValuePart>>),
}

/// One `name = value` pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawField {
    name: CompactSpan,
    value_span: CompactSpan,
    value: StoredValue,
}

impl RawField {
    /// The field's name as written.
    pub fn name(&self) -> Span {
        self.name.range()
    }

    /// The whole value, delimiters included.
    pub fn value_span(&self) -> Span {
        self.value_span.range()
    }

    pub fn value(&self) -> Value<'_> {
        match &self.value {
            StoredValue::Literal(span) => Value::Literal(span.range()),
            StoredValue::Concat(parts) => Value::Concat(parts),
        }
    }
}

/// An entry as read from one chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEntry {
    pub span: Span,
    pub type_span: Span,
    pub key_span: Span,
    pub fields: Vec<RawField>,
    /// The entry could not be parsed; its key was recovered, its fields were not.
    pub broken: bool,
}

/// A syntax error with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    /// The key of the entry, when it could be read.
    pub key: Option<String>,
    /// A second place worth pointing at (where the next entry starts).
    pub next_entry: Option<usize>,
}

/// What one chunk yields.
#[derive(Debug, Default)]
pub struct ChunkResult {
    pub entry: Option<RawEntry>,
    pub strings: Vec<RawField>,
    pub error: Option<SyntaxError>,
}

pub fn parse_chunk(text: &str, chunk: &Chunk) -> ChunkResult {
    let mut result = ChunkResult::default();
    match &chunk.error {
        Some(SplitError::MissingDelimiter) => {
            result.error = Some(SyntaxError {
                span: chunk.type_span.clone(),
                message: format!(
                    "expected `{{` or `(` after `{}`",
                    &text[chunk.type_span.clone()]
                ),
                key: None,
                next_entry: None,
            });
            return result;
        }
        Some(SplitError::Unclosed { next_entry }) => {
            let key = match chunk.kind {
                ChunkKind::Entry => read_key(text, chunk),
                _ => None,
            };
            let what = match &key {
                Some(key_span) => {
                    result.entry = Some(broken_entry(chunk, key_span.clone()));
                    format!("entry `{}`", &text[key_span.clone()])
                }
                None if chunk.kind == ChunkKind::Entry => "entry".to_owned(),
                None => format!("`{}`", &text[chunk.type_span.clone()]),
            };
            let close = if chunk.paren { ')' } else { '}' };
            let message = match next_entry {
                Some(_) => format!("{what} is not closed: `{close}` missing before the next entry"),
                None => format!("{what} is not closed: `{close}` missing at the end of the file"),
            };
            result.error = Some(SyntaxError {
                span: chunk.type_span.start..chunk.open + 1,
                message,
                key: key.map(|k| text[k].to_owned()),
                next_entry: *next_entry,
            });
            return result;
        }
        None => {}
    }
    match chunk.kind {
        ChunkKind::Comment | ChunkKind::Preamble => result,
        ChunkKind::String => {
            match parse_normalised(text, chunk) {
                Ok(parsed) => result.strings = parsed.strings,
                Err(error) => result.error = Some(error),
            }
            result
        }
        ChunkKind::Entry => {
            let Some(key_span) = read_key(text, chunk) else {
                let at = skip_ws(text, chunk.open + 1);
                result.error = Some(SyntaxError {
                    span: at..at,
                    message: "entry has no key".to_owned(),
                    key: None,
                    next_entry: None,
                });
                return result;
            };
            // `@misc{key}`: valid, but the crate insists on a comma after the key.
            let after_key = skip_ws(text, key_span.end);
            if after_key + 1 == chunk.span.end {
                result.entry = Some(RawEntry {
                    span: chunk.span.clone(),
                    type_span: type_name_span(chunk),
                    key_span,
                    fields: Vec::new(),
                    broken: false,
                });
                return result;
            }
            match parse_normalised(text, chunk) {
                Ok(parsed) => match parsed.entry {
                    Some((key_span, fields)) => {
                        result.entry = Some(RawEntry {
                            span: chunk.span.clone(),
                            type_span: type_name_span(chunk),
                            key_span,
                            fields,
                            broken: false,
                        });
                    }
                    None => {
                        result.error = Some(SyntaxError {
                            span: chunk.type_span.clone(),
                            message: "cannot read this entry".to_owned(),
                            key: Some(text[key_span.clone()].to_owned()),
                            next_entry: None,
                        })
                    }
                },
                Err(mut error) => {
                    let key = &text[key_span.clone()];
                    error.message = format!("in entry `{key}`: {}", error.message);
                    error.key = Some(key.to_owned());
                    result.entry = Some(broken_entry(chunk, key_span));
                    result.error = Some(error);
                }
            }
            result
        }
    }
}

fn broken_entry(chunk: &Chunk, key_span: Span) -> RawEntry {
    RawEntry {
        span: chunk.span.clone(),
        type_span: type_name_span(chunk),
        key_span,
        fields: Vec::new(),
        broken: true,
    }
}

/// The type name without its `@`.
fn type_name_span(chunk: &Chunk) -> Span {
    chunk.type_span.start + 1..chunk.type_span.end
}

fn shift(span: &Span, base: usize) -> Span {
    span.start + base..span.end + base
}

fn skip_ws(text: &str, pos: usize) -> usize {
    pos + text.as_bytes()[pos.min(text.len())..]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count()
}

/// The key of an entry, read the way the crate reads it (up to a comma,
/// closing brace or whitespace), so a key survives a broken body.
fn read_key(text: &str, chunk: &Chunk) -> Option<Span> {
    let start = skip_ws(text, chunk.open + 1);
    let end = chunk.span.end.min(text.len());
    let len = text[start..end]
        .char_indices()
        .find(|&(_, c)| !is_key_char(c) || (chunk.paren && c == ')'))
        .map_or(end - start, |(i, _)| i);
    (len > 0).then(|| start..start + len)
}

/// The characters the crate accepts in a key (its `raw::is_key`, which it
/// does not export).
fn is_key_char(c: char) -> bool {
    !matches!(c, ',' | '}') && !c.is_control() && !c.is_whitespace()
}

fn convert_pair(pair: &biblatex::Pair<'_>, base: usize) -> RawField {
    let parts = &pair.value.v;
    let value = match parts.as_slice() {
        [only] if matches!(only.v, RawChunk::Normal(_)) => {
            StoredValue::Literal(CompactSpan::new(&shift(&only.span, base)))
        }
        _ => StoredValue::Concat(Box::new(
            parts
                .iter()
                .map(|p| match p.v {
                    RawChunk::Normal(_) => ValuePart::Literal(shift(&p.span, base)),
                    RawChunk::Abbreviation(_) => ValuePart::Macro(shift(&p.span, base)),
                })
                .collect(),
        )),
    };
    RawField {
        name: CompactSpan::new(&shift(&pair.key.span, base)),
        value_span: CompactSpan::new(&shift(&pair.value.span, base)),
        value,
    }
}

/// What the crate read from one normalised chunk, as spans into the file.
struct Parsed {
    /// The key span and fields of the entry, if the chunk held one.
    entry: Option<(Span, Vec<RawField>)>,
    strings: Vec<RawField>,
}

fn parse_normalised(text: &str, chunk: &Chunk) -> Result<Parsed, SyntaxError> {
    let base = chunk.span.start;
    let source = &text[chunk.span.clone()];
    let normalised = normalise(source, chunk.open - base, chunk.paren);
    let raw = RawBibliography::parse(&normalised).map_err(|e| {
        // The crate points between characters; underline what it found there.
        let end = if e.span.is_empty() {
            e.span.start + token_len(&normalised[e.span.start..])
        } else {
            e.span.end
        };
        SyntaxError {
            span: base + e.span.start..base + end,
            message: describe(&e.kind, &normalised, e.span.start),
            key: None,
            next_entry: None,
        }
    })?;
    Ok(Parsed {
        entry: raw.entries.first().map(|e| {
            (
                shift(&e.v.key.span, base),
                e.v.fields.iter().map(|p| convert_pair(p, base)).collect(),
            )
        }),
        strings: raw
            .abbreviations
            .iter()
            .map(|p| convert_pair(p, base))
            .collect(),
    })
}

/// Rewrites delimiters in a copy of `source` without changing its length,
/// and blanks out `%` comments between fields, which the crate only
/// accepts directly after a comma or a value.
fn normalise(source: &str, open: usize, paren: bool) -> Cow<'_, str> {
    let bytes = source.as_bytes();
    let mut edits: Vec<(usize, u8)> = Vec::new();
    let mut blanks: Vec<Span> = Vec::new();
    if paren {
        edits.push((open, b'{'));
        if bytes.last() == Some(&b')') {
            edits.push((bytes.len() - 1, b'}'));
        }
    }
    // Quoted values and comments sit at brace depth 1 (inside the entry's
    // outer delimiter).
    let mut depth = 1usize;
    let mut pos = open + 1;
    let end = if paren {
        bytes.len().saturating_sub(1)
    } else {
        bytes.len()
    };
    while pos < end {
        match bytes[pos] {
            b'\\' => pos += 1,
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'"' if depth == 1 => {
                if let Some(close) = closing_quote(bytes, pos + 1, end) {
                    edits.push((pos, b'{'));
                    edits.push((close, b'}'));
                    pos = close;
                }
            }
            b'%' if depth == 1 => {
                let line_end = memchr::memchr(b'\n', &bytes[pos..end]).map_or(end, |n| pos + n);
                blanks.push(pos..line_end);
                pos = line_end;
                continue;
            }
            _ => {}
        }
        pos += 1;
    }
    if edits.is_empty() && blanks.is_empty() {
        return Cow::Borrowed(source);
    }
    let mut out = bytes.to_vec();
    for (at, byte) in edits {
        out[at] = byte;
    }
    for span in blanks {
        out[span].fill(b' ');
    }
    // Only ASCII bytes were written, over delimiters or whole comments.
    Cow::Owned(String::from_utf8(out).expect("ASCII rewrite of whole characters keeps UTF-8 valid"))
}

/// The `"` that ends a quoted value: the first one outside braces.
fn closing_quote(bytes: &[u8], mut pos: usize, end: usize) -> Option<usize> {
    let mut depth = 0usize;
    while pos < end {
        match bytes[pos] {
            b'\\' => pos += 1,
            b'{' => depth += 1,
            b'}' => {
                if depth == 0 {
                    return None;
                }
                depth -= 1;
            }
            b'"' if depth == 0 => return Some(pos),
            _ => {}
        }
        pos += 1;
    }
    None
}

/// Length in bytes of the word (or the one character) at the start of `rest`.
fn token_len(rest: &str) -> usize {
    let word: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || "_-:.".contains(*c))
        .map(char::len_utf8)
        .sum();
    if word > 0 {
        word
    } else {
        rest.chars().next().map_or(0, char::len_utf8)
    }
}

fn describe(kind: &ParseErrorKind, source: &str, at: usize) -> String {
    let rest = &source[at.min(source.len())..];
    let found = match rest.chars().next() {
        Some(c) if c.is_whitespace() => "whitespace".to_owned(),
        Some(_) => {
            let token: String = rest[..token_len(rest)].chars().take(24).collect();
            format!("`{token}`")
        }
        None => "the end of the entry".to_owned(),
    };
    // A value, then a line break, then something else: the comma at the end
    // of the previous line is the usual culprit.
    let after_line_break = source[..at.min(source.len())]
        .trim_end_matches([' ', '\t'])
        .ends_with(['\n', '\r']);
    match kind {
        ParseErrorKind::Expected(Token::Comma) if after_line_break => {
            format!(
                "expected `,` before {found}; is a `,` missing at the end of the previous line?"
            )
        }
        ParseErrorKind::Expected(token) => {
            let what = match token {
                Token::Identifier => "a field name",
                Token::OpeningBrace => "`{`",
                Token::ClosingBrace => "`}`",
                Token::Comma => "`,`",
                Token::QuotationMark => "`\"`",
                Token::Equals => "`=` after the field name",
                Token::DecimalPoint => "`.`",
            };
            format!("expected {what}, found {found}")
        }
        ParseErrorKind::Unexpected(Token::DecimalPoint) => {
            "a number has two decimal points".to_owned()
        }
        ParseErrorKind::Unexpected(token) => format!("unexpected {token}"),
        ParseErrorKind::UnexpectedEof if at < source.len() => {
            format!(
                "expected a value (`{{...}}`, `\"...\"`, a number or a macro name), found {found}"
            )
        }
        ParseErrorKind::UnexpectedEof => "unexpected end of the entry".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::split::split;
    use super::*;

    fn parse(text: &str) -> Vec<ChunkResult> {
        split(text).iter().map(|c| parse_chunk(text, c)).collect()
    }

    fn field_texts<'t>(text: &'t str, entry: &RawEntry) -> Vec<(&'t str, &'t str)> {
        entry
            .fields
            .iter()
            .map(|f| (&text[f.name()], &text[f.value_span()]))
            .collect()
    }

    #[test]
    fn parenthesised_entries_are_read() {
        let text = "@book(key, title = \"T (x)\", year = 2001)";
        let results = parse(text);
        let entry = results[0].entry.as_ref().unwrap();
        assert!(!entry.broken);
        assert_eq!(&text[entry.key_span.clone()], "key");
        assert_eq!(
            field_texts(text, entry),
            vec![("title", "\"T (x)\""), ("year", "2001")]
        );
    }

    #[test]
    fn quotes_inside_braces_do_not_end_a_quoted_value() {
        let text = r#"@misc{k, title = "A {"}quoted{"} title", year = {2000}}"#;
        let results = parse(text);
        let entry = results[0].entry.as_ref().unwrap();
        assert_eq!(
            field_texts(text, entry),
            vec![("title", r#""A {"}quoted{"} title""#), ("year", "{2000}")]
        );
        match entry.fields[0].value() {
            Value::Literal(span) => assert_eq!(&text[span.clone()], r#"A {"}quoted{"} title"#),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn concatenation_keeps_macro_spans() {
        let text = "@misc{k, note = jan # { 1}}";
        let results = parse(text);
        let entry = results[0].entry.as_ref().unwrap();
        match entry.fields[0].value() {
            Value::Concat(parts) => {
                assert!(matches!(&parts[0], ValuePart::Macro(s) if &text[s.clone()] == "jan"));
                assert!(matches!(&parts[1], ValuePart::Literal(s) if &text[s.clone()] == " 1"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_key_only_entry_is_valid() {
        let results = parse("@misc{lonely}");
        let entry = results[0].entry.as_ref().unwrap();
        assert!(entry.fields.is_empty() && !entry.broken);
        assert!(results[0].error.is_none());
    }

    #[test]
    fn a_broken_entry_keeps_its_key_and_reports_the_place() {
        let text = "@article{kim2007,\n  title = {T}\n  year = 2007,\n}";
        let results = parse(text);
        let entry = results[0].entry.as_ref().unwrap();
        assert!(entry.broken);
        assert_eq!(&text[entry.key_span.clone()], "kim2007");
        let error = results[0].error.as_ref().unwrap();
        assert_eq!(
            error.message,
            "in entry `kim2007`: expected `,` before `year`; is a `,` missing at the end of the previous line?"
        );
        assert_eq!(&text[error.span.start..error.span.start + 4], "year");
    }

    #[test]
    fn string_definitions_are_collected() {
        let text = "@String(acm = \"ACM\") @string{ieee = {IEEE}, x = \"y\"}";
        let results = parse(text);
        let names: Vec<&str> = results
            .iter()
            .flat_map(|r| r.strings.iter().map(|f| &text[f.name()]))
            .collect();
        assert_eq!(names, vec!["acm", "ieee", "x"]);
    }

    #[test]
    fn comment_lines_between_fields_are_skipped() {
        let text = "@misc{k,\n  title = {T},\n%  doi = {x},\n% url = {ü}\n  year = 2001,\n}";
        let results = parse(text);
        assert!(results[0].error.is_none(), "{:?}", results[0].error);
        let entry = results[0].entry.as_ref().unwrap();
        assert_eq!(
            field_texts(text, entry),
            vec![("title", "{T}"), ("year", "2001")]
        );
    }

    #[test]
    fn a_missing_key_is_reported() {
        let results = parse("@misc{, title = {x}}");
        assert_eq!(
            results[0].error.as_ref().unwrap().message,
            "entry has no key"
        );
    }
}
