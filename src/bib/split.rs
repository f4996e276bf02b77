//! The recovery layer's first half: split a `.bib` file at entry boundaries
//! before any entry is parsed, so that one broken entry cannot hide the rest.
//!
//! The `biblatex` crate aborts at the first syntax error and returns nothing.
//! Splitting first lets each entry be parsed on its own (and in parallel): a
//! broken entry yields one diagnostic and every other entry is still read.
//!
//! A well-formed entry or `@string` block is read by the lexer as soon as
//! its opening delimiter is found ([`super::lex::block`]), which also finds
//! its end: its bytes are scanned once. The search for the closing
//! delimiter below delimits the rest, which the crate then reads.
//!
//! Outside entries everything is a comment, as in BibTeX; a `%` line is
//! skipped as biber skips it, so a commented-out entry stays out. An entry
//! whose braces never balance is cut at the next line that starts a new
//! entry (`@article{`, `@book(` ...), which is where its author meant it to end.

use rayon::prelude::*;

use super::lex::{self, Lexed};
use crate::source::Span;

/// What a chunk of the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkKind {
    /// A bibliography entry (`@article{...}` and every other type).
    Entry,
    /// An `@string` macro definition.
    String,
    /// An `@preamble`: passed to LaTeX, never an entry.
    Preamble,
    /// An `@comment`: its body is not read.
    Comment,
}

/// Why a chunk could not be delimited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// `@type` is not followed by `{` or `(`.
    MissingDelimiter,
    /// The closing delimiter never comes; the chunk was cut where the next
    /// entry starts (or at the end of the file).
    Unclosed { next_entry: Option<usize> },
}

/// One `@...` block of a `.bib` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub kind: ChunkKind,
    /// From the `@` to just after the closing delimiter (or to the cut).
    pub span: Span,
    /// The `@type` part.
    pub type_span: Span,
    /// Offset of the opening `{` or `(`.
    pub open: usize,
    /// Whether the entry is delimited by parentheses.
    pub paren: bool,
    pub error: Option<SplitError>,
    /// The key and fields, when the lexer read them while the block was
    /// delimited (see [`super::lex::block`]); else they are read later.
    pub lexed: Option<Lexed>,
}

/// Splits a `.bib` file into its `@` blocks (the sequential walk, which
/// the tests hold [`read_parallel`] to).
#[cfg(test)]
pub fn split(text: &str) -> Vec<Chunk> {
    scan(text, 0, text.len(), &|_: &mut (), chunk| chunk).items
}

/// Below this many bytes per piece, [`read_parallel`] reads on one thread.
const MIN_PIECE: usize = 1 << 18;

/// [`split`] on all cores, in pieces, each block made into what `read`
/// makes of it as soon as it is delimited (so that no list of blocks is
/// held beside what they are read into), with a state of its piece's
/// (where it may keep what the blocks share, in one list per piece).
///
/// The text is cut at arbitrary offsets, each piece split as if a block
/// started there, and each piece's blocks taken from where the sequential
/// split would have carried on.
/// The pieces' blocks, one piece after another, are the sequential
/// split's; they are not copied into one list (at 100,000 blocks, that
/// copy took 10 ms on one core).
///
/// The sequential split is a walk whose only state is its position: from a
/// position it looks for the next `@` or `%` and steps over what it finds.
/// A piece's walk is the sequential one as soon as both stand at the same
/// place, or both look for the next `@`/`%` from places with none between
/// them. Each piece keeps its steps; where the piece before ended past the
/// cut (its last block ran on), the first step of this piece that the
/// sequential walk would also take is found by search, and the blocks
/// before it dropped. Where none is (the cut fell inside a block that held
/// an `@` of its own), this piece is walked again from where the last one
/// ended. The result is the sequential split's, whatever the cuts (what a
/// dropped block was read into is dropped with it).
pub fn read_parallel<T: Send, S: Default + Send>(
    text: &str,
    read: impl Fn(&mut S, Chunk) -> T + Sync,
) -> Vec<(Vec<T>, S)> {
    let pieces = (text.len() / MIN_PIECE).clamp(1, 4 * rayon::current_num_threads());
    read_in_pieces(text, pieces, &read)
}

/// [`read_parallel`] with the text cut into `pieces` of equal length.
fn read_in_pieces<T: Send, S: Default + Send>(
    text: &str,
    pieces: usize,
    read: &(impl Fn(&mut S, Chunk) -> T + Sync),
) -> Vec<(Vec<T>, S)> {
    if pieces <= 1 {
        let walk = scan(text, 0, text.len(), read);
        return vec![(walk.items, walk.state)];
    }
    let cuts: Vec<usize> = (0..=pieces).map(|i| text.len() * i / pieces).collect();
    let walked: Vec<Walk<T, S>> = cuts
        .par_windows(2)
        .map(|cut| scan(text, cut[0], cut[1], read))
        .collect();
    let mut kept = Vec::with_capacity(walked.len());
    // Where the walk so far stands, when it ran past the last cut.
    let mut overrun: Option<usize> = None;
    for (i, walk) in walked.into_iter().enumerate() {
        let limit = cuts[i + 1];
        let walk = match overrun {
            None => walk,
            // The piece lies inside the block that ran on.
            Some(at) if at >= limit => {
                overrun = (at > limit).then_some(at);
                continue;
            }
            Some(at) => match walk.step_taken_from(at) {
                Some(first) => walk.starting_at_step(first),
                None => scan(text, at, limit, read),
            },
        };
        overrun = walk.overrun;
        kept.push((walk.items, walk.state));
    }
    kept
}

/// One piece of the sequential walk, its blocks read.
struct Walk<T, S> {
    items: Vec<T>,
    /// The piece's state, which reading its blocks kept (what the blocks
    /// a walk drops kept stays in it, unread).
    state: S,
    /// Each `@` or `%` found: where the search started, where it was
    /// found, and how many blocks were read before.
    steps: Vec<Step>,
    /// Where the walk stood when it stopped, if that is past its limit.
    overrun: Option<usize>,
}

#[derive(Clone, Copy)]
struct Step {
    from: usize,
    found: usize,
    chunks_before: usize,
}

impl<T, S> Walk<T, S> {
    /// The first step that a walk standing at `at` takes too: one that
    /// starts there, or searched over it (nothing to find between `at` and
    /// what it found).
    fn step_taken_from(&self, at: usize) -> Option<usize> {
        let first = self.steps.partition_point(|step| step.found < at);
        let step = self.steps.get(first)?;
        (step.from <= at).then_some(first)
    }

    /// The walk from its step `first` on.
    fn starting_at_step(mut self, first: usize) -> Walk<T, S> {
        let before = self.steps[first].chunks_before;
        self.items.drain(..before);
        self.steps.clear();
        self
    }
}

/// The sequential walk from `start`, taking the steps whose `@` or `%` lies
/// before `limit`, each block found given to `read`.
fn scan<T, S: Default>(
    text: &str,
    start: usize,
    limit: usize,
    read: &impl Fn(&mut S, Chunk) -> T,
) -> Walk<T, S> {
    let bytes = text.as_bytes();
    // Room for an entry every 256 bytes (generated and real bibliographies
    // hold one per 300 to 600): the lists are not grown and copied, and
    // room never written is never touched.
    let room = limit.saturating_sub(start) / 256;
    let mut items = Vec::with_capacity(room);
    let mut state = S::default();
    let mut steps = Vec::with_capacity(room);
    let mut pos = start;
    while let Some(found) = memchr::memchr2(b'@', b'%', &bytes[pos..]) {
        let at = pos + found;
        if at >= limit {
            break;
        }
        steps.push(Step {
            from: pos,
            found: at,
            chunks_before: items.len(),
        });
        let chunk;
        (pos, chunk) = step(text, at);
        items.extend(chunk.map(|chunk| read(&mut state, chunk)));
        if pos > limit {
            return Walk {
                items,
                state,
                steps,
                overrun: Some(pos),
            };
        }
    }
    Walk {
        items,
        state,
        steps,
        overrun: None,
    }
}

/// Steps over the `@` or `%` at `at`: where the walk goes on, and the
/// block it starts, if any.
fn step(text: &str, at: usize) -> (usize, Option<Chunk>) {
    let bytes = text.as_bytes();
    if bytes[at] == b'%' {
        return (line_end(bytes, at), None);
    }
    let type_end = at
        + 1
        + bytes[at + 1..]
            .iter()
            .take_while(|&&b| is_type_byte(b))
            .count();
    if type_end == at + 1 {
        return (at + 1, None);
    }
    let open = skip_whitespace(bytes, type_end);
    let delimiter = bytes.get(open).copied();
    if !matches!(delimiter, Some(b'{') | Some(b'(')) {
        // Text such as an e-mail address between entries is a comment;
        // so is a bare `@comment`, which BibTeX drops with the text after
        // it up to the next `@`; an `@type` that starts a line is an
        // entry missing its brace.
        let bare_comment = text[at + 1..type_end].eq_ignore_ascii_case("comment");
        let chunk = (starts_line(bytes, at) && !bare_comment).then_some(Chunk {
            kind: ChunkKind::Entry,
            span: at..type_end,
            type_span: at..type_end,
            open,
            paren: false,
            error: Some(SplitError::MissingDelimiter),
            lexed: None,
        });
        return (type_end, chunk);
    }
    let paren = delimiter == Some(b'(');
    let kind = chunk_kind(&text[at + 1..type_end]);
    // Most blocks are read to their end by the lexer, which finds the end
    // as it goes: their bytes are scanned once, not once here and again
    // when they are parsed.
    let (end, error, lexed) = match lex::block(text, at..type_end, open, paren, kind) {
        Some((lexed, end)) => {
            debug_assert_eq!(
                find_close(bytes, open, paren),
                Some(end),
                "the lexer and the split end {:?} at different places",
                &text[at..end]
            );
            (end, None, Some(lexed))
        }
        None => match find_close(bytes, open, paren) {
            Some(end) => (end, None, None),
            None => {
                let next = next_entry_start(bytes, open + 1);
                let error = SplitError::Unclosed { next_entry: next };
                (next.unwrap_or(bytes.len()), Some(error), None)
            }
        },
    };
    let chunk = Chunk {
        kind,
        span: at..end,
        type_span: at..type_end,
        open,
        paren,
        error,
        lexed,
    };
    (end, Some(chunk))
}

fn chunk_kind(entry_type: &str) -> ChunkKind {
    if entry_type.eq_ignore_ascii_case("string") {
        ChunkKind::String
    } else if entry_type.eq_ignore_ascii_case("preamble") {
        ChunkKind::Preamble
    } else if entry_type.eq_ignore_ascii_case("comment") {
        ChunkKind::Comment
    } else {
        ChunkKind::Entry
    }
}

fn is_type_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn skip_whitespace(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

fn line_end(bytes: &[u8], pos: usize) -> usize {
    memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |n| pos + n + 1)
}

/// Whether only spaces and tabs stand between the start of the line and `pos`.
fn starts_line(bytes: &[u8], pos: usize) -> bool {
    bytes[..pos]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n' && b != b'\r')
        .all(|&b| b == b' ' || b == b'\t')
}

/// The offset just after the delimiter that closes the one at `open`.
///
/// Braces are counted as BibTeX counts them; a backslash escapes the next
/// byte, as the `biblatex` crate reads values, so both agree on where an
/// entry ends. Between fields (outside braces and quotes) a `%` starts a
/// comment to the end of the line, as biber reads it. In a parenthesised
/// entry a `)` inside a quoted value or inside braces does not close it.
fn find_close(bytes: &[u8], open: usize, paren: bool) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_quotes = false;
    let mut pos = open + 1;
    while pos < bytes.len() {
        let next = if depth > 0 {
            // Inside a value only braces count: jump to the next, unless a
            // backslash escapes it.
            memchr::memchr2(b'{', b'}', &bytes[pos..])
        } else if in_quotes {
            // In quotes the closing quote counts too.
            memchr::memchr3(b'{', b'}', b'"', &bytes[pos..])
        } else {
            // Between fields (names, `=`, commas, spaces): a tight search
            // for the bytes the match below acts on, rather than the match
            // on every byte (two thirds of the split's time, by `perf annotate`).
            bytes[pos..]
                .iter()
                .position(|&b| matches!(b, b'\\' | b'{' | b'}' | b'"' | b'%' | b')'))
        };
        let at = pos + next?;
        if (depth > 0 || in_quotes) && escaped(bytes, pos, at) {
            pos = at + 1;
            continue;
        }
        pos = at;
        match bytes[pos] {
            b'\\' => {
                pos += 2;
                continue;
            }
            b'{' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b'}' if !paren && !in_quotes => return Some(pos + 1),
            // A stray `}` in a parenthesised entry or a quoted value: BibTeX errors here.
            b'}' => return None,
            b'"' if depth == 0 => in_quotes = !in_quotes,
            b'%' if depth == 0 && !in_quotes => {
                pos = line_end(bytes, pos);
                continue;
            }
            b')' if paren && depth == 0 && !in_quotes => return Some(pos + 1),
            _ => {}
        }
        pos += 1;
    }
    None
}

/// Whether the byte at `at` is escaped: an odd run of backslashes before
/// it, counted back no further than `from` (where the run cannot start
/// earlier: the byte before `from` was read and is no backslash).
fn escaped(bytes: &[u8], from: usize, at: usize) -> bool {
    let run = bytes[from..at]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count();
    run % 2 == 1
}

/// Whether a line starting `@name{` is taken as the start of a new entry
/// when the previous one never closed: a type of the data model (or one of
/// biber's BibTeX aliases) or a special block. A line such as `@misc{`
/// inside an abstract would otherwise end an entry that is fine.
fn is_known_type(name: &[u8]) -> bool {
    const SPECIAL_BLOCKS: [&str; 3] = ["comment", "preamble", "string"];
    let named = |t: &str| t.as_bytes().eq_ignore_ascii_case(name);
    SPECIAL_BLOCKS.into_iter().any(named) || super::datamodel::type_names().any(named)
}

/// The first line after `from` that starts with `@knowntype{` or `@knowntype(`.
fn next_entry_start(bytes: &[u8], from: usize) -> Option<usize> {
    let mut pos = from;
    while let Some(found) = memchr::memchr(b'@', &bytes[pos..]) {
        let at = pos + found;
        pos = at + 1;
        if !starts_line(bytes, at) {
            continue;
        }
        let type_end = at
            + 1
            + bytes[at + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
        let name = &bytes[at + 1..type_end];
        let known = is_known_type(name);
        let open = skip_whitespace(bytes, type_end);
        if known && matches!(bytes.get(open), Some(b'{') | Some(b'(')) {
            return Some(at);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocks of [`read_in_pieces`], the pieces' lists end to end.
    fn split_in_pieces(text: &str, pieces: usize) -> Vec<Chunk> {
        let read = read_in_pieces(text, pieces, &|_: &mut (), chunk| chunk);
        read.into_iter().flat_map(|(items, ())| items).collect()
    }

    fn spans(text: &str) -> Vec<(&str, ChunkKind, bool)> {
        split(text)
            .iter()
            .map(|c| (&text[c.span.clone()], c.kind, c.error.is_some()))
            .collect()
    }

    #[test]
    fn entries_strings_and_comments_are_delimited() {
        let text = "junk\n@string{me = \"Me\"}\n% @article{commented, title={x}}\n@Article{a,\n  title = {A {B} C}}\n@comment{ {nested} @book{not, an=entry} }\n@misc(b, note = \"(x)\")";
        assert_eq!(
            spans(text),
            vec![
                ("@string{me = \"Me\"}", ChunkKind::String, false),
                ("@Article{a,\n  title = {A {B} C}}", ChunkKind::Entry, false),
                (
                    "@comment{ {nested} @book{not, an=entry} }",
                    ChunkKind::Comment,
                    false
                ),
                ("@misc(b, note = \"(x)\")", ChunkKind::Entry, false),
            ]
        );
    }

    #[test]
    fn an_unclosed_entry_is_cut_at_the_next_entry_line() {
        let text = "@article{a,\n  title = {Open\n}\n\n@book{b, title={B}}\n";
        let chunks = split(text);
        assert_eq!(chunks.len(), 2);
        let next = text.find("@book").unwrap();
        assert_eq!(chunks[0].span, 0..next);
        assert_eq!(
            chunks[0].error,
            Some(SplitError::Unclosed {
                next_entry: Some(next)
            })
        );
        assert_eq!(&text[chunks[1].span.clone()], "@book{b, title={B}}");
        assert_eq!(chunks[1].error, None);
    }

    #[test]
    fn an_unclosed_entry_at_the_end_runs_to_the_end() {
        let text = "@book{a, title = {x}";
        let chunks = split(text);
        assert_eq!(chunks[0].span, 0..text.len());
        assert_eq!(
            chunks[0].error,
            Some(SplitError::Unclosed { next_entry: None })
        );
    }

    #[test]
    fn an_at_sign_inside_text_is_not_an_entry() {
        assert!(split("mail me at me@example.org\n").is_empty());
        let chunks = split("@article\n");
        assert_eq!(chunks[0].error, Some(SplitError::MissingDelimiter));
    }

    #[test]
    fn a_bare_comment_drops_the_text_up_to_the_next_entry() {
        let text = "@comment no braces, as BibTeX allows\n@Comment\n@book{k,}";
        let chunks = split(text);
        assert_eq!(chunks.len(), 1, "{chunks:?}");
        assert_eq!(chunks[0].kind, ChunkKind::Entry);
        assert_eq!(chunks[0].error, None);
    }

    #[test]
    fn a_line_starting_with_an_unknown_type_inside_a_value_does_not_cut() {
        let text = "@misc{a, abstract = {x\n@foo{y}\n}}";
        let chunks = split(text);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].error, None);
    }

    #[test]
    fn comments_between_fields_do_not_count_braces() {
        let text = "@misc{a,\n  title = {T},\n% note = {unbalanced\n%  more\n}\n@misc{b, note = \"50% {x}\"}";
        let kinds: Vec<_> = spans(text)
            .into_iter()
            .map(|(t, _, e)| (t.len(), e))
            .collect();
        assert_eq!(kinds.len(), 2);
        assert!(kinds.iter().all(|(_, error)| !error));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Cut anywhere, the pieces join into the sequential split.
        #[test]
        fn split_in_pieces_is_the_sequential_split(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "@", "%", "{", "}", "(", ")", "\"", "\\", "\n", " ", "a", ",", "=",
                    "@article{", "@misc(", "@comment", "@string{", "\n@book{k,", "x@y.org",
                    "}\n", "% c\n", "title = {T}", "é",
                ]),
                0..80,
            ),
            pieces in 2usize..9,
        ) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(split_in_pieces(&text, pieces), split(&text));
        }
    }

    /// `find_close` as first written: one byte at a time.
    fn find_close_byte_by_byte(bytes: &[u8], open: usize, paren: bool) -> Option<usize> {
        let mut depth = 0usize;
        let mut in_quotes = false;
        let mut pos = open + 1;
        while pos < bytes.len() {
            match bytes[pos] {
                b'\\' => {
                    pos += 2;
                    continue;
                }
                b'{' => depth += 1,
                b'}' if depth > 0 => depth -= 1,
                b'}' if !paren && !in_quotes => return Some(pos + 1),
                b'}' => return None,
                b'"' if depth == 0 => in_quotes = !in_quotes,
                b'%' if depth == 0 && !in_quotes => {
                    pos = line_end(bytes, pos);
                    continue;
                }
                b')' if paren && depth == 0 && !in_quotes => return Some(pos + 1),
                _ => {}
            }
            pos += 1;
        }
        None
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// Jumping from brace to brace inside values finds the close that
        /// reading byte by byte finds.
        #[test]
        fn find_close_jumps_to_where_byte_by_byte_gets(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "{", "}", "(", ")", "\"", "\\", "\\\\", "%", "\n", "a", " ", "x = {y}", "é",
                ]),
                0..60,
            ),
            paren: bool,
        ) {
            let text = format!("{}{}", if paren { "(" } else { "{" }, parts.concat());
            let bytes = text.as_bytes();
            proptest::prop_assert_eq!(
                find_close(bytes, 0, paren),
                find_close_byte_by_byte(bytes, 0, paren),
                "{:?}", text
            );
        }
    }

    /// The chunk as the lexer reads it once the split has delimited it,
    /// with the head read from its spans (the one-pass read copies it out
    /// as it goes).
    fn read_after_delimiting(text: &str, chunk: &Chunk) -> Option<Lexed> {
        let delimited = Chunk {
            lexed: None,
            ..chunk.clone()
        };
        let mut lexed = match chunk.kind {
            ChunkKind::String => lex::strings(text, &delimited),
            _ => lex::entry(text, &delimited),
        }?;
        lexed.head = (lexed.key.is_some()).then(|| lex::Head::read(text, chunk.type_span.clone()));
        Some(lexed)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// A block the lexer reads as the split meets it ends where the
        /// search for its closing delimiter ends it, and holds what the
        /// lexer reads from the delimited chunk; a block it does not read
        /// is one it could not read delimited either.
        #[test]
        fn a_block_read_in_one_pass_ends_where_the_search_ends_it(
            head in proptest::sample::select(vec!["@misc{k,", "@STRING{", "@book(k,", "@string(", "@misc{k ,", "@-x{k,"]),
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "title = {T}", "year=2000", " # ", "jan", "\"q {\"} q\"", ", ", ",", "\n",
                    "% c }\n", "% c )\n", "{a {b} c}", "=", "#", "{", "}", "(", ")", "\"", "\\",
                    "\\}", "%", " ", "é", "\u{a0}", "x = {y)}", "x = \"y)\"", "@misc{j,",
                ]),
                0..14,
            ),
            tail in proptest::sample::select(vec!["}", ")", ",}", "\n)", "} }", ""]),
        ) {
            let text: String = format!("{head}{}{tail}", parts.concat());
            for chunk in split(&text) {
                if chunk.error.is_some() || matches!(chunk.kind, ChunkKind::Comment | ChunkKind::Preamble) {
                    continue;
                }
                let delimited = read_after_delimiting(&text, &chunk);
                match &chunk.lexed {
                    Some(_) => {
                        proptest::prop_assert_eq!(
                            find_close(text.as_bytes(), chunk.open, chunk.paren),
                            Some(chunk.span.end),
                            "{:?}", &text
                        );
                        proptest::prop_assert_eq!(&delimited, &chunk.lexed, "{:?}", &text);
                    }
                    None => proptest::prop_assert_eq!(delimited, None, "{:?}", &text),
                }
            }
        }
    }

    #[test]
    fn blocks_are_read_as_they_are_delimited() {
        let text = "@misc{a, title = {T}}\n\
                    @book(b, note = \"x) {\"} y\", % a comment )\n year = 2001)\n\
                    @string{jcs = {J. Comp. Sci.}}\n\
                    @article{c, % } in a comment\n title = {\\} y}}\n";
        let chunks = split(text);
        let ends: Vec<&str> = chunks.iter().map(|c| &text[c.span.clone()]).collect();
        assert_eq!(
            ends,
            [
                "@misc{a, title = {T}}",
                "@book(b, note = \"x) {\"} y\", % a comment )\n year = 2001)",
                "@string{jcs = {J. Comp. Sci.}}",
                "@article{c, % } in a comment\n title = {\\} y}}",
            ]
        );
        assert!(chunks.iter().all(|c| c.lexed.is_some()), "{chunks:#?}");
        // Not read as they are met: a key alone, text after a value, no close.
        for text in ["@misc{key}", "@misc{k, t = {x} y}", "@misc{k, t = {x}"] {
            let chunk = &split(text)[0];
            assert_eq!(chunk.lexed, None, "{text}");
        }
        assert_eq!(split("@misc{k, t = {x} y}")[0].span.end, 19);
    }

    #[test]
    fn a_block_across_many_pieces_is_one_chunk() {
        let text = format!(
            "@misc{{a, note = {{{}}}}}\n@book{{b, title = {{B}}}}\n",
            "x@y.org {@} % ".repeat(200)
        );
        for pieces in 2..40 {
            assert_eq!(
                split_in_pieces(&text, pieces),
                split(&text),
                "{pieces} pieces"
            );
        }
        assert_eq!(split(&text).len(), 2);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let text = format!(
            "@misc{{a, title = {}{}}}",
            "{".repeat(100_000),
            "}".repeat(100_000)
        );
        assert_eq!(split(&text).len(), 1);
    }
}
