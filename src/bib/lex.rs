//! The fast path of the parse stage: one pass over the bytes of an entry
//! or `@string` block, reading its key and fields as spans, with nothing
//! copied. The [`split`](super::split) runs it as soon as it has found a
//! block's opening delimiter ([`block`]): where it reads the block to its
//! closing delimiter, that is where the block ends, and the split does not
//! search the bytes for the end a second time.
//!
//! It reads what well-formed BibTeX holds (a key and field names;
//! braced, quoted, numeric and macro values joined by `#`; `%` comments
//! between fields) exactly as the `biblatex` crate reads the same chunk
//! after [`normalise`](super::parse): the same key, names, value spans and
//! parts. At the first byte it is not sure of (a syntax error, a Unicode
//! space, a backslash between fields, two decimal points)
//! it gives up, and the chunk is read by the crate, whose answer (and
//! error message) stays the reference. Debug builds read every chunk both
//! ways and compare.

use super::parse::{CompactSpan, FLAG, RawField};
use super::split::{Chunk, ChunkKind};
use crate::source::Span;

/// The key span and fields of an entry (`None` for an `@string` block's
/// definitions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Lexed {
    pub key: Option<Span>,
    pub fields: Vec<RawField>,
    /// An entry's key and type, copied out as [`block`] reads the block
    /// (`None` from the reads of a delimited chunk).
    pub head: Option<Head>,
}

/// An entry's type, lower-cased: the one string of its own an entry keeps
/// (its key is read from the text where it is written). It is read where
/// the block is read, while its bytes are in the cache; read later, when the
/// split of a 30 MB file has moved on, each cost a trip to memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Head {
    pub kind: super::EntryType,
}

impl Head {
    /// The head of the entry whose `@type` is at this place of `text`.
    pub(super) fn read(text: &str, at_type: Span) -> Head {
        Head {
            kind: super::EntryType::of_written(&text[at_type.start + 1..at_type.end]),
        }
    }
}

/// Reads the entry or `@string` block of `kind` whose `@type` is at
/// `type_span` and whose opening delimiter is at `open`, before its end is
/// known: its key, head and fields up to the closing delimiter, and the
/// offset just after that delimiter. `None` where the lexer is not sure
/// (the split then finds the end itself and the crate reads the chunk).
///
/// Where it reads the block, its closing delimiter is the one the split's
/// own search finds: both count braces, quotes and backslashes alike and
/// skip `%` comments between fields, and the lexer stops at the first
/// delimiter that stands where a field may end (debug builds compare the
/// two on every block).
pub(super) fn block(
    text: &str,
    type_span: Span,
    open: usize,
    paren: bool,
    kind: ChunkKind,
) -> Option<(Lexed, usize)> {
    let bytes = text.as_bytes();
    if !type_is_read_by_the_crate(bytes, type_span.start) {
        return None;
    }
    let mut lexer = Lexer {
        text,
        bytes,
        pos: open + 1,
        close: bytes.len(),
        closer: Some(if paren { b')' } else { b'}' }),
    };
    let key = match kind {
        ChunkKind::Entry => {
            lexer.skip_space();
            let key = lexer.key()?;
            lexer.skip_space();
            lexer.eat(b',')?;
            Some(key)
        }
        ChunkKind::String => None,
        ChunkKind::Preamble | ChunkKind::Comment => return None,
    };
    let fields = lexer.fields()?;
    let head = key.is_some().then(|| Head::read(text, type_span));
    Some((Lexed { key, fields, head }, lexer.pos + 1))
}

/// Whether the crate reads the type of the block whose `@` is at `at`: the
/// split takes `@-type{`, the crate's `is_id_start` does not.
fn type_is_read_by_the_crate(bytes: &[u8], at: usize) -> bool {
    bytes.get(at + 1) != Some(&b'-')
}

/// Reads an entry's key and fields; `None` where the crate must decide.
pub(super) fn entry(text: &str, chunk: &Chunk) -> Option<Lexed> {
    let mut lexer = Lexer::new(text, chunk)?;
    lexer.skip_space();
    let key = lexer.key()?;
    lexer.skip_space();
    lexer.eat(b',')?;
    let fields = lexer.fields()?;
    // The head is the one-pass read's ([`block`]); a delimited chunk's
    // entry takes it from its spans.
    Some(Lexed {
        key: Some(key),
        fields,
        head: None,
    })
}

/// Reads the definitions of an `@string` block; `None` where the crate
/// must decide.
pub(super) fn strings(text: &str, chunk: &Chunk) -> Option<Lexed> {
    let mut lexer = Lexer::new(text, chunk)?;
    let fields = lexer.fields()?;
    Some(Lexed {
        key: None,
        fields,
        head: None,
    })
}

struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// The offset of the block's closing delimiter, when the split has
    /// found it; else the end of the text.
    close: usize,
    /// When the block's end is not known yet ([`block`]): the delimiter
    /// that ends it where a field may end.
    closer: Option<u8>,
}

impl<'t> Lexer<'t> {
    fn new(text: &'t str, chunk: &Chunk) -> Option<Lexer<'t>> {
        let bytes = text.as_bytes();
        if !type_is_read_by_the_crate(bytes, chunk.type_span.start) {
            return None;
        }
        let close = chunk.span.end.checked_sub(1)?;
        let closer = if chunk.paren { b')' } else { b'}' };
        (close > chunk.open && bytes.get(close) == Some(&closer)).then_some(Lexer {
            text,
            bytes,
            pos: chunk.open + 1,
            close,
            closer: None,
        })
    }

    /// Whether the block's fields end here.
    fn at_end(&self) -> bool {
        match self.closer {
            None => self.pos == self.close,
            Some(closer) => self.peek() == Some(closer),
        }
    }

    fn peek(&self) -> Option<u8> {
        (self.pos < self.close).then(|| self.bytes[self.pos])
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Whitespace and `%` comments (which `normalise` blanks).
    fn skip_space(&mut self) {
        while let Some(byte) = self.peek() {
            match byte {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b'%' => {
                    self.pos = memchr::memchr(b'\n', &self.bytes[self.pos..self.close])
                        .map_or(self.close, |n| self.pos + n);
                }
                _ => break,
            }
        }
    }

    /// An entry key: what the crate's `is_key` takes, narrowed to no
    /// delimiter, quote or comment sign that `normalise` might have
    /// rewritten.
    fn key(&mut self) -> Option<Span> {
        let start = self.pos;
        while let Some(byte) = self.peek() {
            if byte.is_ascii() {
                if !byte.is_ascii_graphic()
                    || matches!(
                        byte,
                        b',' | b'{' | b'}' | b'(' | b')' | b'"' | b'%' | b'\\' | b'#' | b'='
                    )
                {
                    break;
                }
                self.pos += 1;
            } else if !self.eat_other_char() {
                break;
            }
        }
        let end = self.pos;
        // What stops the key must be the space or comma after it.
        matches!(
            self.peek()?,
            b',' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c
        )
        .then_some(start..end)
        .filter(|_| end > start)
    }

    /// Steps over the non-ASCII character here if the crate takes it in a
    /// key or name: any but Unicode's spaces and controls.
    fn eat_other_char(&mut self) -> bool {
        let Some(c) = self.text[self.pos..self.close].chars().next() else {
            return false;
        };
        let taken = !c.is_whitespace() && !c.is_control();
        if taken {
            self.pos += c.len_utf8();
        }
        taken
    }

    /// The fields up to the closing delimiter, which must end them.
    fn fields(&mut self) -> Option<Vec<RawField>> {
        // Gathered in a list kept per thread, then copied out at their
        // exact length: one allocation per entry, none grown.
        thread_local! {
            static FIELDS: std::cell::RefCell<Vec<RawField>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        FIELDS.with_borrow_mut(|fields| {
            fields.clear();
            self.fields_into(fields)?;
            Some(fields.to_vec())
        })
    }

    fn fields_into(&mut self, fields: &mut Vec<RawField>) -> Option<()> {
        loop {
            self.skip_space();
            if self.at_end() {
                return Some(());
            }
            let name = self.identifier()?;
            self.skip_space();
            self.eat(b'=')?;
            self.skip_space();
            fields.push(self.value(name)?);
            self.skip_space();
            if self.at_end() {
                return Some(());
            }
            self.eat(b',')?;
        }
    }

    /// A field or macro name: the crate's `is_id_start` and
    /// `is_id_continue`.
    fn identifier(&mut self) -> Option<Span> {
        let start = self.pos;
        if matches!(self.peek()?, b':' | b'<' | b'-' | b'>') {
            return None;
        }
        while let Some(byte) = self.peek() {
            if byte.is_ascii() {
                if !is_identifier_byte(byte) {
                    break;
                }
                self.pos += 1;
            } else if !self.eat_other_char() {
                break;
            }
        }
        // Stopped by a Unicode space, the crate's answer may differ.
        (self.pos > start && self.peek().is_none_or(|b| b.is_ascii())).then_some(start..self.pos)
    }

    /// A value: parts joined by `#`.
    fn value(&mut self, name: Span) -> Option<RawField> {
        let start = self.pos;
        let mut parts = 0;
        let mut delimited = false;
        let mut macro_part = false;
        let mut end;
        loop {
            parts += 1;
            match self.peek()? {
                open @ (b'{' | b'"') => {
                    let closer = if open == b'{' { b'}' } else { b'"' };
                    let close = value_end(self.bytes, self.pos + 1, self.close, closer)?;
                    self.pos = close + 1;
                    delimited = true;
                }
                b'0'..=b'9' => {
                    let mut dot = false;
                    while let Some(byte) = self.peek() {
                        match byte {
                            b'0'..=b'9' => {}
                            b'.' if !dot => dot = true,
                            // The crate's error: two decimal points.
                            b'.' => return None,
                            _ => break,
                        }
                        self.pos += 1;
                    }
                    delimited = false;
                }
                _ => {
                    self.identifier()?;
                    macro_part = true;
                }
            }
            end = self.pos;
            self.skip_space();
            if self.eat(b'#').is_none() {
                break;
            }
            self.skip_space();
        }
        let mut value = CompactSpan::new(&(start..end));
        if parts > 1 || macro_part {
            value.start |= FLAG;
        } else if delimited {
            value.end |= FLAG;
        }
        Some(RawField::new(self.text, &name, value))
    }
}

/// The bytes the crate's `is_id_continue` takes, in ASCII.
pub(super) fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_graphic()
        && !matches!(
            byte,
            b'@' | b'{'
                | b'}'
                | b'"'
                | b'#'
                | b'\''
                | b'('
                | b')'
                | b','
                | b'='
                | b'%'
                | b'\\'
                | b'~'
        )
}

/// The `closer` (`}` or `"`) that ends a value opened just before `pos`,
/// as [`super::parse`] finds it: the first outside braces, a backslash
/// escaping the byte after it; a quoted value ends at no `}` of its own.
fn value_end(bytes: &[u8], mut pos: usize, end: usize, closer: u8) -> Option<usize> {
    let find_quote = |from: usize| {
        (closer == b'"')
            .then(|| memchr::memchr(b'"', &bytes[from..end]).map(|n| from + n))
            .flatten()
    };
    let mut depth = 0usize;
    // The next `"` at or after `pos`, for a quoted value.
    let mut quote = find_quote(pos);
    while pos < end {
        // Most of a value is text: jump to the next byte that matters.
        let next = memchr::memchr3(b'{', b'}', b'\\', &bytes[pos..end]).map(|n| pos + n);
        pos = match (next, quote) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        match bytes[pos] {
            b'\\' => pos += 1,
            b'{' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b'}' => return (closer == b'}').then_some(pos),
            b'"' if depth == 0 => return Some(pos),
            _ => {}
        }
        pos += 1;
        if quote.is_some_and(|q| q < pos) {
            quote = find_quote(pos.min(end));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::split::{ChunkKind, split};
    use super::*;

    fn lexed(text: &str) -> Option<(String, Vec<(String, String)>)> {
        let chunk = &split(text)[0];
        let lexed = match chunk.kind {
            ChunkKind::String => strings(text, chunk),
            _ => entry(text, chunk),
        }?;
        let key = lexed.key.map_or(String::new(), |k| text[k].to_owned());
        let fields = (lexed.fields.iter())
            .map(|f| {
                (
                    text[f.name(text)].to_owned(),
                    text[f.value_span()].to_owned(),
                )
            })
            .collect();
        Some((key, fields))
    }

    #[test]
    fn well_formed_entries_take_the_fast_path() {
        let text = "@ARTICLE(doe-2020:x,\n  % a comment {\n  TITLE = \"A {\"}quoted{\"} \\\"title\",\n  year = 2020, month = jan # {~1},\n  journal = jcs,\n)";
        let (key, fields) = lexed(text).expect("read by the fast path");
        assert_eq!(key, "doe-2020:x");
        assert_eq!(
            fields,
            [
                ("TITLE", "\"A {\"}quoted{\"} \\\"title\""),
                ("year", "2020"),
                ("month", "jan # {~1}"),
                ("journal", "jcs"),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        let (key, fields) = lexed("@misc{김-1985-Ünal, títle = {T}}").expect("fast path");
        assert_eq!(
            (key.as_str(), fields[0].0.as_str()),
            ("김-1985-Ünal", "títle")
        );
        let (_, strings) = lexed("@string{a = {A}, b = a # \"B\"}").expect("fast path");
        assert_eq!(strings.len(), 2);
    }

    #[test]
    fn what_the_fast_path_is_not_sure_of_goes_to_the_crate() {
        for text in [
            "@misc{k, title = {T} year = 2000}",
            "@misc{k, year = 1.2.3}",
            "@misc{k, \\x = {T}}",
            "@misc{k, -title = {T}}",
            "@-misc{k, title = {T}}",
            "@misc{k\u{a0}, title = {T}}",
        ] {
            assert_eq!(lexed(text), None, "{text}");
        }
    }
}
