//! The markers that carry what hayagriva has no room for through its
//! rendering: formatting inside field values (italic, bold, small caps,
//! superscript, subscript), words protected from its title case, name
//! parts it would split, and quotes it would merge. [`chunked`] and the
//! name helpers insert them; [`decode`] reads them back out of the
//! rendered text. Both sides live here, with a round-trip test, so that the
//! two cannot drift apart.

use crate::bib::value::latex::Rich;
use hayagriva::types::{ChunkKind, ChunkedString, FormatString, StringChunk};
use std::borrow::Cow;

pub(super) const ITALIC: (char, char) = ('\u{E000}', '\u{E001}');
pub(super) const BOLD: (char, char) = ('\u{E002}', '\u{E003}');
pub(super) const SMALL_CAPS: (char, char) = ('\u{E004}', '\u{E005}');
pub(super) const SUPERSCRIPT: (char, char) = ('\u{E006}', '\u{E007}');
pub(super) const SUBSCRIPT: (char, char) = ('\u{E008}', '\u{E009}');

/// The formatting markers, opening and closing, in the order of
/// [`Decoded::Format`]'s index: italic, bold, small caps, superscript,
/// subscript.
pub(super) const FORMATS: [(char, char); 5] = [ITALIC, BOLD, SMALL_CAPS, SUPERSCRIPT, SUBSCRIPT];

/// Around the text of an element whose periods are to be stripped (see
/// `style_fixes::strip_periods_by_markers`), as its innermost affixes.
pub(crate) const STRIP_PERIODS: (char, char) = ('\u{E00C}', '\u{E00D}');

/// Marks that lead a style's prefixes, suffixes and group delimiters (see
/// `style_fixes::affixes_joined_as_written`), one per affix, so that
/// hayagriva never takes one affix for a copy of the text before it. Read
/// back, each becomes the join of its kind ([`PREFIX_JOIN`],
/// [`SUFFIX_JOIN`], [`DELIMITER_JOIN`]): the places where citeproc-js
/// merges punctuation, which the engine's tidying reads and removes.
pub(crate) const PREFIX_MARKS: std::ops::RangeInclusive<char> = '\u{F0001}'..='\u{F3FFF}';
pub(crate) const SUFFIX_MARKS: std::ops::RangeInclusive<char> = '\u{F4001}'..='\u{F7FFF}';
pub(crate) const DELIMITER_MARKS: std::ops::RangeInclusive<char> = '\u{F8001}'..='\u{FFFFD}';
pub(super) const PREFIX_JOIN: char = '\u{F0000}';
pub(super) const SUFFIX_JOIN: char = '\u{F4000}';
pub(super) const DELIMITER_JOIN: char = '\u{F8000}';

/// Around a URL the style reads from a twin variable (see
/// `style_fixes::accessed_without_url`): the text between them is a link
/// to itself, as hayagriva makes the `URL` variable.
pub(crate) const LINK: (char, char) = ('\u{E010}', '\u{E011}');

/// Follows a closing quotation mark written in a field, from the
/// flattener to the tidying, which tells the style's quotes from a
/// field's (see `flatten::tidy`).
pub(super) const DATA_CLOSER: char = '\u{E00E}';

/// Whether `c` is an affix mark or a join read back from one.
pub(super) fn is_join(c: char) -> bool {
    (PREFIX_JOIN..=*DELIMITER_MARKS.end()).contains(&c)
}

/// A character of rendered text, read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decoded {
    /// A character to show.
    Text(char),
    /// A formatting run opens (`true`) or closes: the index into [`FORMATS`].
    Format(usize, bool),
    /// Text whose periods are stripped opens (`true`) or closes.
    StripPeriods(bool),
    /// A closing quotation mark that was written in a field (not by the
    /// style), as it shows.
    DataCloser(char),
    /// A link's text opens (`true`) or closes (see [`LINK`]).
    Link(bool),
}

/// Rendered text read back: the markers this module inserted become
/// formatting toggles or the characters they stand in for; guards vanish.
pub(super) fn decode(text: &str) -> impl Iterator<Item = Decoded> + '_ {
    text.chars()
        .filter(|&c| c != GUARD && c != SLASH_BREAK)
        .map(|c| {
            let format = FORMATS.iter().enumerate().find_map(|(i, (on, off))| {
                (c == *on)
                    .then_some((i, true))
                    .or_else(|| (c == *off).then_some((i, false)))
            });
            if let Some((index, open)) = format {
                return Decoded::Format(index, open);
            }
            if c == STRIP_PERIODS.0 || c == STRIP_PERIODS.1 {
                return Decoded::StripPeriods(c == STRIP_PERIODS.0);
            }
            if c == LINK.0 || c == LINK.1 {
                return Decoded::Link(c == LINK.0);
            }
            Decoded::Text(match c {
                c if PREFIX_MARKS.contains(&c) => PREFIX_JOIN,
                c if SUFFIX_MARKS.contains(&c) => SUFFIX_JOIN,
                c if DELIMITER_MARKS.contains(&c) => DELIMITER_JOIN,
                NAME_HYPHEN => '-',
                NAME_SPACE => ' ',
                '\u{0363}'..='\u{036F}' => COMBINING_LETTERS
                    .iter()
                    .find(|(_, mark)| *mark == c)
                    .map_or(c, |(letter, _)| *letter),
                c if CLOSING_QUOTE_MARKS.iter().any(|(_, hidden)| *hidden == c) => {
                    return Decoded::DataCloser(shown_quote(c));
                }
                c => c,
            })
        })
}

/// Rich text as a hayagriva string: styled runs between marker
/// characters, brace-protected text as verbatim chunks.
///
/// For English text, words are also protected where citeproc-js's title
/// case would leave them alone, so that a style's `text-case="title"`
/// comes out as citeproc-js makes it: citeproc-js capitalises only
/// all-lower-case words that are not stop words (and the first word, and
/// words after `:` `?` `!`), and never touches a word that has capitals.
/// hayagriva capitalises stop words after a comma (`And`) and lower-cases
/// the rest of mixed-case words (`Texbook`), so those words go verbatim.
///
/// Two quirks of hayagriva's case folder shape the chunks (found by
/// probing it): a normal chunk that starts with a space right after a
/// verbatim one loses the space, and a word right after a marker
/// character is not capitalised. So a normal chunk after a verbatim one
/// starts with [`GUARD`], and markers go before the space before a word.
pub(super) fn chunked(rich: &Rich, english: bool) -> ChunkedString {
    let mut out = Chunks::default();
    let mut first = true;
    let mut after_punctuation = false;
    // Whether punctuation or markup has come yet (citeproc-js's "tags").
    let mut tag_seen = false;
    for segment in &rich.segments {
        let s = segment.style;
        let marks: Vec<(char, char)> = [
            (s.italic, ITALIC),
            (s.bold, BOLD),
            (s.small_caps, SMALL_CAPS),
            (s.superscript, SUPERSCRIPT),
            (s.subscript, SUBSCRIPT),
        ]
        .into_iter()
        .filter_map(|(on, mark)| on.then_some(mark))
        .collect();
        for mark in &marks {
            out.mark(mark.0);
        }
        if segment.nocase || !english {
            let kind = if segment.nocase {
                ChunkKind::Verbatim
            } else {
                ChunkKind::Normal
            };
            out.push(&segment.text, kind);
            if segment.text.chars().any(char::is_alphanumeric) {
                first = false;
                after_punctuation = false;
            }
        } else {
            let pieces = words(&segment.text);
            for (index, &(word, is_word)) in pieces.iter().enumerate() {
                if !is_word {
                    tag_seen |= word.contains(TAG_CHARS);
                    out.push(word, ChunkKind::Normal);
                    if word.ends_with('/') && index + 1 < pieces.len() {
                        // citeproc-js title-cases the word after a slash
                        // ("Multilevel/Hierarchical"); hayagriva takes
                        // "multilevel/hierarchical" for one word unless a
                        // space it sees (and refkeeper removes) follows.
                        out.push(&SLASH_BREAK.to_string(), ChunkKind::Normal);
                    }
                    if word.trim_end().ends_with([':', '?', '!']) {
                        after_punctuation = true;
                    }
                    continue;
                }
                let lower = word.to_lowercase();
                // citeproc-js capitalises a one-letter word before a
                // hyphen only ahead of the title's first punctuation or
                // markup (`X-ray`, but `Sun-as-a-star p-Mode`).
                let before_hyphen = !tag_seen
                    && pieces
                        .get(index + 1)
                        .is_some_and(|(next, _)| next.starts_with('-'));
                let capitalised_by_citeproc = (word.chars().count() > 1
                    && !STOP_WORDS.contains(&lower.as_str()))
                    || first
                    || after_punctuation
                    || before_hyphen;
                let kind = if word == lower && capitalised_by_citeproc {
                    ChunkKind::Normal
                } else {
                    ChunkKind::Verbatim
                };
                out.push(word, kind);
                first = false;
                after_punctuation = false;
            }
        }
        for mark in marks.iter().rev() {
            out.mark(mark.1);
        }
        tag_seen |= segment.nocase || !marks.is_empty();
    }
    out.finish()
}

/// A zero-width space: keeps hayagriva from dropping the space after a
/// verbatim chunk. Removed again after rendering.
pub(super) const GUARD: char = '\u{200B}';

/// A character hayagriva takes for white space, put after a slash in a
/// title so that the word after it starts a word; removed after rendering.
pub(super) const SLASH_BREAK: char = '\u{2028}';

/// Builds a chunked string, merging neighbours of one kind.
#[derive(Default)]
pub(super) struct Chunks {
    chunks: Vec<(String, ChunkKind)>,
}

/// Closing quotation marks in field values, hidden from hayagriva as these
/// stand-ins. hayagriva drops an affix that repeats the end of the text
/// before it, and so took the style's closing quote after a title ending in
/// a quotation for a duplicate (`“… the “New Asia Initiative”.”` lost its
/// last `”`). Put back after rendering, before [`tidy`] nests the quotes.
/// (Opening quotes are kept from the same fate in [`Chunks::finish`].)
pub(super) const CLOSING_QUOTE_MARKS: [(char, char); 2] = [('”', '\u{E00A}'), ('’', '\u{E00B}')];

/// `text` with its closing quotation marks hidden; a `’` before a letter
/// is an apostrophe and stays.
pub(super) fn hide_closing_quotes(text: &str) -> Cow<'_, str> {
    if !text.contains(['”', '’']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let apostrophe = c == '’' && chars.peek().is_some_and(|n| n.is_alphanumeric());
        match CLOSING_QUOTE_MARKS.iter().find(|(quote, _)| *quote == c) {
            Some(&(_, hidden)) if !apostrophe => out.push(hidden),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

pub(super) fn shown_quote(c: char) -> char {
    CLOSING_QUOTE_MARKS
        .iter()
        .find(|(_, hidden)| *hidden == c)
        .map_or(c, |&(quote, _)| quote)
}

impl Chunks {
    fn push(&mut self, text: &str, kind: ChunkKind) {
        if text.is_empty() {
            return;
        }
        let text = &*hide_closing_quotes(text);
        match self.chunks.last_mut() {
            Some(last) if last.1 == kind => last.0.push_str(text),
            Some(last) if last.1 == ChunkKind::Verbatim && kind == ChunkKind::Normal => {
                self.chunks.push((format!("{GUARD}{text}"), kind));
            }
            _ => self.chunks.push((text.to_owned(), kind)),
        }
    }

    /// A marker goes before the spaces that end the text so far.
    fn mark(&mut self, marker: char) {
        match self.chunks.last_mut() {
            Some(last) => {
                let body = last.0.trim_end_matches(' ').len();
                last.0.insert(body, marker);
            }
            None => self.chunks.push((marker.to_string(), ChunkKind::Normal)),
        }
    }

    fn finish(self) -> ChunkedString {
        let mut out = ChunkedString::new();
        let mut chunks = self.chunks.into_iter().peekable();
        while let Some((mut text, kind)) = chunks.next() {
            // Punctuation alone before a protected word (`“` in `“{New}
            // Asia”`) joins that word: as a chunk of its own, hayagriva
            // would drop it as a repeat of the style's opening quote.
            if kind == ChunkKind::Normal
                && !text.chars().any(char::is_alphanumeric)
                && let Some((next, ChunkKind::Verbatim)) = chunks.peek_mut()
            {
                text.push_str(next);
                *next = text;
                continue;
            }
            out.push_chunk(StringChunk::new(text, kind));
        }
        out
    }
}

/// Words and the text between them, as citeproc-js splits a title for
/// case changes (hyphenated parts are separate words).
pub(super) fn words(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_word: Option<bool> = None;
    for (i, c) in text.char_indices() {
        // An apostrophe splits words, as in citeproc-js (`b’s` is two
        // one-letter words, which title case leaves alone).
        let word = c.is_alphanumeric();
        if in_word.is_some_and(|w| w != word) {
            out.push((&text[start..i], in_word.unwrap_or(false)));
            start = i;
        }
        in_word = Some(word);
    }
    if start < text.len() {
        out.push((&text[start..], in_word.unwrap_or(false)));
    }
    out
}

/// What citeproc-js's case engine takes for tags between words: quotes,
/// dashes, slashes, punctuation and brackets.
pub(super) const TAG_CHARS: &[char] = &[
    '‘', '’', '“', '”', '"', '\'', '-', '–', '—', '/', '.', ',', ';', '?', '!', ':', '[', ']', '(',
    ')',
];

/// citeproc-js's stop words (`CSL.SKIP_WORDS`), one-word entries.
pub(super) const STOP_WORDS: &[&str] = &[
    "about",
    "above",
    "across",
    "afore",
    "after",
    "against",
    "al",
    "along",
    "alongside",
    "amid",
    "amidst",
    "among",
    "amongst",
    "anenst",
    "apropos",
    "apud",
    "around",
    "as",
    "aside",
    "astride",
    "at",
    "athwart",
    "atop",
    "barring",
    "before",
    "behind",
    "below",
    "beneath",
    "beside",
    "besides",
    "between",
    "beyond",
    "but",
    "by",
    "circa",
    "despite",
    "down",
    "during",
    "et",
    "except",
    "for",
    "forenenst",
    "from",
    "given",
    "in",
    "inside",
    "into",
    "lest",
    "like",
    "modulo",
    "near",
    "next",
    "notwithstanding",
    "of",
    "off",
    "on",
    "onto",
    "out",
    "over",
    "per",
    "plus",
    "pro",
    "qua",
    "sans",
    "since",
    "than",
    "through",
    "thru",
    "throughout",
    "thruout",
    "till",
    "to",
    "toward",
    "towards",
    "under",
    "underneath",
    "until",
    "unto",
    "up",
    "upon",
    "versus",
    "vs",
    "v",
    "via",
    "with",
    "within",
    "without",
    "or",
    "yet",
    "so",
    "and",
    "nor",
    "a",
    "an",
    "the",
    "de",
    "von",
    "van",
    "c",
    "ca",
];

pub(super) fn format_string(rich: &Rich, english: bool) -> FormatString {
    FormatString {
        value: chunked(rich, english),
        short: None,
    }
}

/// A non-breaking hyphen, standing in for `-` inside a given name.
pub(super) const NAME_HYPHEN: char = '\u{2011}';

/// A space inside a name that is not a boundary: not a particle boundary in
/// a family name, not a word boundary before a hyphen in a given name.
pub(crate) const NAME_SPACE: char = '\u{1f}';

/// Combining small letters (U+0363..U+036F) that stand in for `a e i o u c
/// d h m r t v x` after a capital, so that hayagriva takes an abbreviation
/// for one grapheme (see [`abbreviations_as_one_grapheme`]).
pub(super) const COMBINING_LETTERS: [(char, char); 13] = [
    ('a', '\u{0363}'),
    ('e', '\u{0364}'),
    ('i', '\u{0365}'),
    ('o', '\u{0366}'),
    ('u', '\u{0367}'),
    ('c', '\u{0368}'),
    ('d', '\u{0369}'),
    ('h', '\u{036A}'),
    ('m', '\u{036B}'),
    ('r', '\u{036C}'),
    ('t', '\u{036D}'),
    ('v', '\u{036E}'),
    ('x', '\u{036F}'),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bib::value::latex::{Style, parse};

    /// What [`chunked`] puts in comes back out of [`decode`]: the same
    /// characters with the same formatting, whatever title-case protection
    /// or guards went in between. (A marker goes before the spaces that
    /// end a run, so a space at a run's edge may change sides: spaces are
    /// compared without their formatting.)
    #[test]
    fn markers_inserted_are_read_back_as_the_text_and_its_formatting() {
        for latex in [
            "A \\emph{Study} of {NASA} and \\textbf{bold \\textit{both}} words",
            "multilevel/hierarchical X-ray: the {TeX}book, ``quoted''",
            "H\\textsubscript{2}O and E = mc\\textsuperscript{2}, \\textsc{Small Caps}",
            "",
        ] {
            let rich = parse(latex);
            let chunks = chunked(&rich, true);
            let rendered: String = chunks.0.iter().map(|c| c.value.as_str()).collect();
            let mut open = [0i32; 5];
            let mut back: Vec<(char, Style)> = Vec::new();
            for decoded in decode(&rendered) {
                match decoded {
                    Decoded::Format(index, opens) => open[index] += if opens { 1 } else { -1 },
                    Decoded::StripPeriods(_) | Decoded::Link(_) => {
                        panic!("chunks carry no strip or link markers")
                    }
                    Decoded::Text(c) | Decoded::DataCloser(c) => back.push((
                        c,
                        Style {
                            italic: open[0] > 0,
                            bold: open[1] > 0,
                            small_caps: open[2] > 0,
                            superscript: open[3] > 0,
                            subscript: open[4] > 0,
                        },
                    )),
                }
            }
            let written: Vec<(char, Style)> = rich
                .segments
                .iter()
                .flat_map(|s| s.text.chars().map(move |c| (c, s.style)))
                .collect();
            let unstyled_spaces = |runs: Vec<(char, Style)>| -> Vec<(char, Style)> {
                runs.into_iter()
                    .map(|(c, style)| (c, if c == ' ' { Style::default() } else { style }))
                    .collect()
            };
            assert_eq!(unstyled_spaces(back), unstyled_spaces(written), "{latex}");
            assert_eq!(open, [0; 5], "every run closes: {latex}");
        }
    }

    #[test]
    fn name_markers_read_back_as_what_they_stand_for() {
        let text = format!("Ko{NAME_SPACE}J{NAME_HYPHEN}nam");
        let back: String = decode(&text)
            .map(|d| match d {
                Decoded::Text(c) | Decoded::DataCloser(c) => c,
                Decoded::Format(..) | Decoded::StripPeriods(_) | Decoded::Link(_) => '?',
            })
            .collect();
        assert_eq!(back, "Ko J-nam");
    }
}
