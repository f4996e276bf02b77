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

use super::lex::Head;
use super::split::{Chunk, ChunkKind, SplitError};
use crate::source::Span;

/// A field value as written: one literal, or parts joined with `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'t> {
    /// A braced, quoted or bare-number literal: the span of its content.
    Literal(Span),
    /// Parts joined with `#`, or a lone macro name.
    Concat(Parts<'t>),
}

impl<'t> Value<'t> {
    /// The value as parts: a literal is one.
    pub fn parts(self) -> impl Iterator<Item = ValuePart> + 't {
        let (literal, parts) = match self {
            Value::Literal(span) => (Some(ValuePart::Literal(span)), None),
            Value::Concat(parts) => (None, Some(parts)),
        };
        literal.into_iter().chain(parts.into_iter().flatten())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// A piece of a value: a literal, braced or quoted, or a macro.
pub enum ValuePart {
    /// Text, braced or quoted (the span excludes the delimiters).
    Literal(Span),
    /// An `@string` macro name.
    Macro(Span),
}

/// A byte range in 8 bytes instead of 16: a large bibliography holds
/// millions. Files are read only below [`crate::source::MAX_FILE_BYTES`]
/// (1 GiB), so offsets fit in 31 bits and the top bit is free for a flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct CompactSpan {
    pub(super) start: u32,
    pub(super) end: u32,
}

/// The bit of a [`CompactSpan`] offset that [`RawField`] uses as a flag.
pub(super) const FLAG: u32 = 1 << 31;

impl CompactSpan {
    pub(super) fn new(span: &Span) -> Self {
        // Beyond the file size limit (text handed in by a library user),
        // offsets saturate instead of spilling into the flag bit.
        let offset = |n: usize| u32::try_from(n).map_or(FLAG - 1, |n| n.min(FLAG - 1));
        CompactSpan {
            start: offset(span.start),
            end: offset(span.end),
        }
    }

    pub(super) fn range(self) -> Span {
        (self.start & !FLAG) as usize..(self.end & !FLAG) as usize
    }
}

/// One `name = value` pair in 12 bytes (a 100,000-entry bibliography has
/// close to a million fields): where its name starts, and its value's span.
///
/// The name's end is not kept: it is where the crate's `ident` stops
/// (the first character, then every one `is_id_continue` takes), found
/// again from the text when asked for ([`RawField::name`]).
///
/// The flag bits of the value span say what the value is: a concatenation
/// (on `start`; its parts are read again from the text when asked for, by
/// [`Parts`], so nothing is allocated per field) or a literal inside
/// delimiters (on `end`; its content is one byte in on each side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawField {
    name_start: u32,
    pub(super) value: CompactSpan,
}

impl RawField {
    /// The field named at `name` (as the crate or the lexer read it) with
    /// `value`.
    pub(super) fn new(text: &str, name: &Span, value: CompactSpan) -> RawField {
        let field = RawField {
            name_start: CompactSpan::new(name).start,
            value,
        };
        debug_assert!(
            field.name(text) == *name || name.start >= FLAG as usize,
            "the name {:?} ends elsewhere when read again",
            text.get(name.clone())
        );
        field
    }

    /// The field whose name starts at `name_start` with `value`.
    pub(super) fn at(name_start: u32, value: CompactSpan) -> RawField {
        RawField { name_start, value }
    }

    /// Where the field's name starts.
    pub fn name_start(&self) -> usize {
        self.name_start as usize
    }

    /// The field's name as written; `text` is the file it was read from.
    pub fn name(&self, text: &str) -> Span {
        let start = self.name_start();
        start..identifier_end(text, start)
    }

    /// The whole value, delimiters included.
    pub fn value_span(&self) -> Span {
        self.value.range()
    }

    /// The value's literal or parts; `text` is the file it was read from.
    pub fn value<'t>(&self, text: &'t str) -> Value<'t> {
        let span = self.value.range();
        if self.value.start & FLAG != 0 {
            Value::Concat(Parts {
                text,
                pos: span.start,
                end: span.end,
            })
        } else if self.value.end & FLAG != 0 {
            Value::Literal(span.start + 1..span.end - 1)
        } else {
            Value::Literal(span)
        }
    }
}

/// The parts of a concatenated value, read from the text on demand the way
/// the `biblatex` crate reads them (after `normalise`): braced and quoted
/// literals, numbers and macro names, joined by `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts<'t> {
    text: &'t str,
    pos: usize,
    end: usize,
}

impl Iterator for Parts<'_> {
    type Item = ValuePart;

    fn next(&mut self) -> Option<ValuePart> {
        let bytes = self.text.as_bytes();
        // Between parts: whitespace, `#` and `%` comments (blanked by
        // `normalise` before the crate parsed the value).
        while self.pos < self.end {
            match bytes[self.pos] {
                b'#' => self.pos += 1,
                b'%' => {
                    self.pos = memchr::memchr(b'\n', &bytes[self.pos..self.end])
                        .map_or(self.end, |n| self.pos + n);
                }
                _ => {
                    let rest = &self.text[self.pos..self.end];
                    let trimmed = rest.trim_start();
                    if trimmed.len() == rest.len() {
                        break;
                    }
                    self.pos += rest.len() - trimmed.len();
                }
            }
        }
        if self.pos >= self.end {
            return None;
        }
        let start = self.pos;
        let (part, next) = match bytes[start] {
            b'{' => {
                let close = value_end(bytes, start + 1, self.end, b'}').unwrap_or(self.end);
                (ValuePart::Literal(start + 1..close), close + 1)
            }
            b'"' => {
                let close = value_end(bytes, start + 1, self.end, b'"').unwrap_or(self.end);
                (ValuePart::Literal(start + 1..close), close + 1)
            }
            b'0'..=b'9' => {
                let digits = bytes[start..self.end]
                    .iter()
                    .scan(false, |dot, &b| match b {
                        b'0'..=b'9' => Some(()),
                        b'.' if !*dot => {
                            *dot = true;
                            Some(())
                        }
                        _ => None,
                    })
                    .count();
                (ValuePart::Literal(start..start + digits), start + digits)
            }
            _ => {
                let name = self.text[start..self.end]
                    .char_indices()
                    .find(|&(_, c)| !is_id_continue(c))
                    .map_or(self.end - start, |(i, _)| i)
                    .max(1);
                (ValuePart::Macro(start..start + name), start + name)
            }
        };
        self.pos = next.min(self.end);
        Some(part)
    }
}

/// An entry as read from one chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEntry {
    pub span: Span,
    pub type_span: Span,
    pub key_span: Span,
    /// The key and the type, read from those spans.
    pub head: Head,
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
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ChunkResult {
    pub entry: Option<RawEntry>,
    pub strings: Vec<RawField>,
    pub error: Option<SyntaxError>,
}

/// What a chunk yields: the key and fields the lexer read while the split
/// delimited it, else what is read from it now.
pub fn parse_chunk(text: &str, mut chunk: Chunk) -> ChunkResult {
    let Some(lexed) = chunk.lexed.take() else {
        return parse_delimited(text, &chunk);
    };
    let result = match lexed.key {
        Some(key_span) => ChunkResult {
            entry: Some(raw_entry(
                text,
                &chunk,
                key_span,
                lexed.fields,
                false,
                lexed.head,
            )),
            ..ChunkResult::default()
        },
        None => ChunkResult {
            strings: lexed.fields,
            ..ChunkResult::default()
        },
    };
    debug_assert_eq!(
        result,
        parse_delimited(text, &chunk),
        "the chunk read in one pass and read again differ: {:?}",
        &text[chunk.span.clone()]
    );
    result
}

/// What a chunk yields, read from its text.
fn parse_delimited(text: &str, chunk: &Chunk) -> ChunkResult {
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
                    result.entry = Some(broken_entry(text, chunk, key_span.clone()));
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
            match read_fields(text, chunk) {
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
                result.entry = Some(raw_entry(text, chunk, key_span, Vec::new(), false, None));
                return result;
            }
            match read_fields(text, chunk) {
                Ok(parsed) => match parsed.entry {
                    Some((key_span, fields)) => {
                        result.entry = Some(raw_entry(text, chunk, key_span, fields, false, None));
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
                    result.entry = Some(broken_entry(text, chunk, key_span));
                    result.error = Some(error);
                }
            }
            result
        }
    }
}

fn broken_entry(text: &str, chunk: &Chunk, key_span: Span) -> RawEntry {
    raw_entry(text, chunk, key_span, Vec::new(), true, None)
}

/// The entry of `chunk` with this key and these fields: its head read
/// from the spans, unless the lexer copied it out already.
fn raw_entry(
    text: &str,
    chunk: &Chunk,
    key_span: Span,
    fields: Vec<RawField>,
    broken: bool,
    head: Option<Head>,
) -> RawEntry {
    RawEntry {
        span: chunk.span.clone(),
        // The type name without its `@`.
        type_span: chunk.type_span.start + 1..chunk.type_span.end,
        head: head.unwrap_or_else(|| Head::read(text, chunk.type_span.clone())),
        key_span,
        fields,
        broken,
    }
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

/// The end of the identifier (a field or macro name) that starts at
/// `start`, as the crate's `raw::ident` reads it: the first character
/// whatever it is (the reader checked it), then every one `is_id_continue`
/// takes.
fn identifier_end(text: &str, start: usize) -> usize {
    let Some(first) = text.get(start..).and_then(|rest| rest.chars().next()) else {
        return start;
    };
    let bytes = text.as_bytes();
    let mut end = start + first.len_utf8();
    // Names are ASCII but for rare ones: byte by byte while they are.
    while let Some(&byte) = bytes.get(end).filter(|b| b.is_ascii()) {
        if !super::lex::is_identifier_byte(byte) {
            return end;
        }
        end += 1;
    }
    text[end..]
        .char_indices()
        .find(|&(_, c)| !is_id_continue(c))
        .map_or(text.len(), |(i, _)| end + i)
}

/// The characters the crate accepts after the first of a macro name (its
/// `raw::is_id_continue`, not exported either).
fn is_id_continue(c: char) -> bool {
    !matches!(
        c,
        '@' | '{' | '}' | '"' | '#' | '\'' | '(' | ')' | ',' | '=' | '%' | '\\' | '~'
    ) && !c.is_control()
        && !c.is_whitespace()
}

fn convert_pair(text: &str, normalised: &str, pair: &biblatex::Pair<'_>, base: usize) -> RawField {
    let parts = &pair.value.v;
    // A literal's span is its content; after `normalise`, a braced or quoted
    // one has a `{` just before it (a number has not).
    let delimited = |part: &biblatex::Spanned<RawChunk<'_>>| {
        matches!(part.v, RawChunk::Normal(_))
            && part.span.start > 0
            && normalised.as_bytes()[part.span.start - 1] == b'{'
    };
    // The crate's value span runs on over the whitespace (and blanked
    // comments) after the value; it ends here with the last part.
    let end = parts.last().map_or(pair.value.span.end, |last| {
        last.span.end + usize::from(delimited(last))
    });
    let value_span = shift(&(pair.value.span.start..end), base);
    let mut value = CompactSpan::new(&value_span);
    match parts.as_slice() {
        [only] if matches!(only.v, RawChunk::Normal(_)) => {
            if delimited(only) {
                value.end |= FLAG;
            }
        }
        _ => value.start |= FLAG,
    }
    let field = RawField::new(text, &shift(&pair.key.span, base), value);
    // The parts are read again from the text when asked for; they must be
    // the ones the crate found.
    debug_assert!(
        match field.value(text) {
            Value::Literal(_) => true,
            Value::Concat(read) => read.eq(parts.iter().map(|p| match p.v {
                RawChunk::Normal(_) => ValuePart::Literal(shift(&p.span, base)),
                RawChunk::Abbreviation(_) => ValuePart::Macro(shift(&p.span, base)),
            })),
        },
        "parts of {:?} read again differ from the crate's",
        &text[value_span]
    );
    field
}

/// What the crate read from one normalised chunk, as spans into the file.
#[derive(Debug, PartialEq, Eq)]
struct Parsed {
    /// The key span and fields of the entry, if the chunk held one.
    entry: Option<(Span, Vec<RawField>)>,
    strings: Vec<RawField>,
}

/// Reads an entry's or `@string` block's fields: by the fast path where
/// it is sure, else by the crate (see [`super::lex`]).
fn read_fields(text: &str, chunk: &Chunk) -> Result<Parsed, SyntaxError> {
    let Some(parsed) = lexed(text, chunk) else {
        return parse_normalised(text, chunk);
    };
    debug_assert_eq!(
        Ok(&parsed),
        parse_normalised(text, chunk).as_ref(),
        "the fast path and the crate read {:?} differently",
        &text[chunk.span.clone()]
    );
    Ok(parsed)
}

/// The chunk read by the lexer, `None` where it is not sure.
fn lexed(text: &str, chunk: &Chunk) -> Option<Parsed> {
    let lexed = match chunk.kind {
        ChunkKind::String => super::lex::strings(text, chunk),
        _ => super::lex::entry(text, chunk),
    }?;
    Some(match lexed.key {
        Some(key) => Parsed {
            entry: Some((key, lexed.fields)),
            strings: Vec::new(),
        },
        None => Parsed {
            entry: None,
            strings: lexed.fields,
        },
    })
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
                e.v.fields
                    .iter()
                    .map(|p| convert_pair(text, &normalised, p, base))
                    .collect(),
            )
        }),
        strings: raw
            .abbreviations
            .iter()
            .map(|p| convert_pair(text, &normalised, p, base))
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
                if let Some(close) = value_end(bytes, pos + 1, end, b'"') {
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

/// The `closer` (`}` or `"`) that ends a value opened just before `pos`:
/// the first one outside braces, skipping escaped characters. A quoted
/// value ends at no `}` of its own.
fn value_end(bytes: &[u8], mut pos: usize, end: usize, closer: u8) -> Option<usize> {
    let mut depth = 0usize;
    while pos < end {
        match bytes[pos] {
            b'\\' => pos += 1,
            b'{' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b'}' => return (closer == b'}').then_some(pos),
            b'"' if depth == 0 && closer == b'"' => return Some(pos),
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
        split(text)
            .into_iter()
            .map(|c| parse_chunk(text, c))
            .collect()
    }

    fn field_texts<'t>(text: &'t str, entry: &RawEntry) -> Vec<(&'t str, &'t str)> {
        entry
            .fields
            .iter()
            .map(|f| (&text[f.name(text)], &text[f.value_span()]))
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Where the fast path reads a chunk, it reads what the crate reads.
        #[test]
        fn the_fast_path_reads_what_the_crate_reads(
            head in proptest::sample::select(vec!["@misc{k,", "@STRING{", "@book(k,", "@misc{k ,", "@x{a:b-c,", "@-x{k,", "@9{k,"]),
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "title = {T}", "year=2000", " # ", "jan", "\"q {\"} q\"", ", ", ",", "\n",
                    "% c\n", "{a {b} c}", "1.5", "=", "#", "{", "}", "(", ")", "\"", "\\",
                    "%", "TITLE", " ", "-", ":", "é", "\u{a0}", "\t", "~", "@", "x.y", "김",
                    "\u{85}", "\u{2003}", "ü=", "@misc{ключ,",
                ]),
                0..14,
            ),
            tail in proptest::sample::select(vec!["}", ")", ",}", "\n)"]),
        ) {
            let text: String = format!("{head}{}{tail}", parts.concat());
            for chunk in split(&text) {
                if chunk.error.is_some() || chunk.kind == ChunkKind::Comment || chunk.kind == ChunkKind::Preamble {
                    continue;
                }
                if let Some(fast) = lexed(&text, &chunk) {
                    let crate_read = parse_normalised(&text, &chunk);
                    proptest::prop_assert_eq!(Ok(fast), crate_read, "{:?}", &text[chunk.span.clone()]);
                }
            }
        }
    }

    /// A field keeps where its name starts; where the name ends is found
    /// again from the text, and must be where the crate ended it.
    #[test]
    fn field_names_end_where_the_crate_ends_them() {
        let text = "@misc{k, tïtle\u{2003}= {x}, ü={y},\tA:b-c.d\t=\n{z}, 김={w},\nyear = 2000}";
        let raw = RawBibliography::parse(text).unwrap();
        let crate_names: Vec<&str> = raw.entries[0]
            .v
            .fields
            .iter()
            .map(|pair| pair.key.v)
            .collect();
        assert_eq!(crate_names, ["tïtle", "ü", "A:b-c.d", "김", "year"]);
        let results = parse(text);
        let entry = results[0].entry.as_ref().unwrap();
        let names: Vec<&str> = entry.fields.iter().map(|f| &text[f.name(text)]).collect();
        assert_eq!(names, crate_names);
        assert_eq!(std::mem::size_of::<RawField>(), 12);
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
        match entry.fields[0].value(text) {
            Value::Literal(span) => assert_eq!(&text[span.clone()], r#"A {"}quoted{"} title"#),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn concatenation_keeps_macro_spans() {
        let text = "@misc{k, note = jan # { 1}}";
        let results = parse(text);
        let entry = results[0].entry.as_ref().unwrap();
        match entry.fields[0].value(text) {
            Value::Concat(parts) => {
                let parts: Vec<ValuePart> = parts.collect();
                assert!(matches!(&parts[0], ValuePart::Macro(s) if &text[s.clone()] == "jan"));
                assert!(matches!(&parts[1], ValuePart::Literal(s) if &text[s.clone()] == " 1"));
                assert_eq!(parts.len(), 2);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parts_are_read_again_as_the_crate_reads_them() {
        // Quoted parts holding braces and quotes, numbers, comments
        // between parts, Unicode macro names, a lone macro; the debug
        // assertion in `convert_pair` compares with the crate's parts.
        let text = concat!(
            "@misc{k,\n",
            "  a = \"x {\"}y\" # {z {w}} # 12.5 # mäcro,\n",
            "  b = jan # % note\n  {2},\n",
            "  c = lone,\n",
            "  d = {braced}, e = \"quoted\", f = 1999,\n}",
        );
        let results = parse(text);
        assert!(results[0].error.is_none(), "{:?}", results[0].error);
        let entry = results[0].entry.as_ref().unwrap();
        let parts = |i: usize| -> Vec<&str> {
            entry.fields[i]
                .value(text)
                .parts()
                .map(|p| match p {
                    ValuePart::Literal(s) | ValuePart::Macro(s) => &text[s],
                })
                .collect()
        };
        assert_eq!(parts(0), ["x {\"}y", "z {w}", "12.5", "mäcro"]);
        assert_eq!(parts(1), ["jan", "2"]);
        assert_eq!(parts(2), ["lone"]);
        assert!(matches!(entry.fields[2].value(text), Value::Concat(_)));
        for (i, content) in [(3, "braced"), (4, "quoted"), (5, "1999")] {
            match entry.fields[i].value(text) {
                Value::Literal(span) => assert_eq!(&text[span], content),
                other => panic!("{other:?}"),
            }
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
            .flat_map(|r| r.strings.iter().map(|f| &text[f.name(text)]))
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
