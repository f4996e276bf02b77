//! `duplicate-entry`: two keys for the same work, by DOI, by ISBN, or by
//! title, year and first author together. Each entry's identities are
//! gathered beside its other checks ([`identities`]) and kept as 32-bit
//! marks ([`Marks`]); the marks are compared in file order
//! ([`duplicate_entries`]), and where two meet, both entries' whole
//! identities are worked out again and compared.

use std::num::{NonZeroU32, NonZeroU128};

use hashbrown::{HashTable, hash_table};
use rustc_hash::FxHashMap;

use crate::bib::fields;
use crate::bib::value::names;
use crate::bib::{Bibliography, Entry, EntryId};
use crate::diagnostic::{Code, Diagnostic};

/// What identifies a work, each kept as a 128-bit hash of its normalised
/// text (a million entries hold no colliding pair but with odds of about
/// 1e-26): one small fixed record per entry, no strings.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Identities {
    /// By kind: DOI, ISBN with title, title-year-author.
    by_kind: [Option<NonZeroU128>; 3],
    /// The normalised title (to tell a wrong DOI from a duplicate).
    title: Option<NonZeroU128>,
}

/// An entry's identities as kept while every entry is checked: the top 32
/// bits of each hash, 12 bytes an entry where the whole identities took
/// 64 (on 100,000 entries, 1.2 MB against 6.4). Entries whose marks differ
/// are different works; entries whose marks meet are compared by their
/// whole identities, worked out again (a duplicate, or about one pair in
/// 100,000 entries that shares 32 bits by chance).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Marks([Option<NonZeroU32>; 3]);

impl Identities {
    pub(super) fn marks(&self) -> Marks {
        // The lowest bit set so that a mark is never zero; a mark is only
        // ever a hint, so the bit it loses costs nothing but a comparison.
        Marks(
            self.by_kind
                .map(|hash| hash.and_then(|h| NonZeroU32::new((h.get() >> 96) as u32 | 1))),
        )
    }
}

/// The kinds of identity, as indices of `Identities::by_kind`.
const DOI: usize = 0;

/// What each kind of identity is called in a message.
const IDENTITY_NAMES: [&str; 3] = ["DOI", "ISBN", "title, year and first author"];

/// SipHash-1-3's 128-bit form (fixed keys, so runs agree) of the
/// concatenation of `parts`, fed in as they are (no joined copy made); the
/// lowest bit set so that the hash is never zero and an absent one costs
/// no space.
fn hash128(parts: &[&[u8]]) -> NonZeroU128 {
    use siphasher::sip128::Hasher128;
    use std::hash::Hasher;
    let mut hasher = siphasher::sip128::SipHasher13::new();
    for part in parts {
        hasher.write(part);
    }
    NonZeroU128::MIN | hasher.finish128().as_u128()
}

/// Buffers for one worker's entries, reused from entry to entry: the
/// normalised title and family name (UTF-8, kept as bytes: they are only
/// hashed), and the DOI or ISBN.
#[derive(Debug, Default)]
pub(super) struct Buffers {
    title: Vec<u8>,
    family: Vec<u8>,
    id: String,
}

/// `duplicate-entry`: two keys for the same work, by DOI, by ISBN, or by
/// title, year and first author together. `marks` are every entry's;
/// `identities_of` works out an entry's whole identities again.
pub(super) fn duplicate_entries(
    bib: &Bibliography,
    marks: &[Marks],
    identities_of: impl Fn(EntryId) -> Identities,
) -> Vec<Diagnostic> {
    // Compared in file order, so that the later entry of a pair is the one
    // reported.
    let mut seen = Seen::new(marks, identities_of);
    let mut out = Vec::new();
    for (index, entry_marks) in marks.iter().enumerate() {
        let id = EntryId(index as u32);
        let known =
            (entry_marks.0.iter().enumerate()).filter_map(|(kind, mark)| Some((kind, (*mark)?)));
        for (kind, mark) in known {
            let Some(first) = seen.first_or_insert(kind, mark, id) else {
                continue;
            };
            let (first_identities, identities) = (seen.identities(first), seen.identities(id));
            if linked(bib, first, id)
                || (kind != DOI && different_dois(&first_identities, &identities))
            {
                continue;
            }
            let what = IDENTITY_NAMES[kind];
            let (entry, other) = (bib.entry(id), bib.entry(first));
            let (key, other_key) = (bib.key(entry), bib.key(other));
            let titles_differ = matches!(
                (first_identities.title, identities.title),
                (Some(a), Some(b)) if a != b
            );
            let message = if titles_differ {
                format!(
                    "`{}` and `{}` have the same {what} but different titles: one {what} is wrong, or they are one work",
                    other_key, key
                )
            } else {
                format!(
                    "`{}` and `{}` are the same work (same {what})",
                    other_key, key
                )
            };
            out.push(
                Diagnostic::new(
                    Code::DuplicateEntry,
                    message,
                    entry.file,
                    entry.key_span(),
                )
                .with_key(key)
                .with_related(
                    other.file,
                    other.key_span(),
                    format!("`{other_key}` is here"),
                )
                .with_help(format!(
                    "keep one entry and cite it everywhere; `ids = {{{key}}}` on the kept entry lets the old key resolve",
                )),
            );
            break;
        }
    }
    out
}

/// The first entry of each identity met so far, by kind.
///
/// Keyed by each identity's mark, a slot holds only the entry (4 bytes,
/// its mark read again from `marks` to compare; the whole hash and its
/// kind took 48, on 100,000 entries 12.8 MB, and the mark beside the
/// entry 8). A slot
/// whose entry's whole identity differs is a collision of the marks, kept
/// apart in `collided` with the whole hash, so that the answers are those
/// of a table keyed by the whole hash.
struct Seen<'m, F> {
    by_kind: [HashTable<EntryId>; 3],
    marks: &'m [Marks],
    collided: FxHashMap<(usize, NonZeroU128), EntryId>,
    /// The whole identities worked out again so far, by entry.
    whole: FxHashMap<EntryId, Identities>,
    identities_of: F,
}

impl<'m, F: Fn(EntryId) -> Identities> Seen<'m, F> {
    /// A table sized for the marks there are (an entry without a DOI, an
    /// ISBN or a title has fewer than three), so that it never grows.
    fn new(marks: &'m [Marks], identities_of: F) -> Seen<'m, F> {
        let by_kind = std::array::from_fn(|kind| {
            let known = marks.iter().filter(|m| m.0[kind].is_some()).count();
            HashTable::with_capacity(known)
        });
        Seen {
            by_kind,
            marks,
            collided: FxHashMap::default(),
            whole: FxHashMap::default(),
            identities_of,
        }
    }

    /// An entry's whole identities, worked out once.
    fn identities(&mut self, id: EntryId) -> Identities {
        *(self.whole)
            .entry(id)
            .or_insert_with(|| (self.identities_of)(id))
    }

    /// The entry met first with this identity of this kind (`mark` is its
    /// mark); when there is none, `id` is recorded as that entry.
    fn first_or_insert(&mut self, kind: usize, mark: NonZeroU32, id: EntryId) -> Option<EntryId> {
        use std::collections::hash_map::Entry;
        let marks = self.marks;
        let first = match self.by_kind[kind].entry(
            spread(mark),
            |first| marks[first.0 as usize].0[kind] == Some(mark),
            |first| marks[first.0 as usize].0[kind].map_or(0, spread),
        ) {
            hash_table::Entry::Vacant(slot) => {
                slot.insert(id);
                return None;
            }
            hash_table::Entry::Occupied(slot) => *slot.get(),
        };
        // Worked out again, an entry has the identity its mark was made of.
        let hash = self.identities(id).by_kind[kind]?;
        if self.identities(first).by_kind[kind] == Some(hash) {
            return Some(first);
        }
        match self.collided.entry((kind, hash)) {
            Entry::Vacant(slot) => {
                slot.insert(id);
                None
            }
            Entry::Occupied(slot) => Some(*slot.get()),
        }
    }
}

/// A mark as a table's hash: its bits spread to the top, where the table
/// reads its tags.
fn spread(mark: NonZeroU32) -> u64 {
    u64::from(mark.get()).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Whether both entries carry a DOI and the DOIs differ: two works, however
/// alike their titles (an erratum and its article, two editions).
fn different_dois(a: &Identities, b: &Identities) -> bool {
    matches!((a.by_kind[DOI], b.by_kind[DOI]), (Some(a), Some(b)) if a != b)
}

/// The DOI, ISBN and title-year-author of an entry, normalised and hashed.
pub(super) fn identities<'v>(
    entry: &Entry,
    value: impl Fn(&str) -> Option<&'v str>,
    buffers: &mut Buffers,
) -> Identities {
    let mut identities = Identities::default();
    if matches!(entry.kind(), "set" | "xdata") {
        return identities;
    }
    if let Some(doi) = value("doi") {
        let doi = fields::split_doi_prefix(doi.trim()).1;
        let id = &mut buffers.id;
        id.clear();
        if doi.is_ascii() {
            id.extend(doi.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            id.push_str(&doi.to_lowercase());
        }
        identities.by_kind[DOI] = Some(hash128(&[id.as_bytes()]));
    }
    let title = value("title").map(|title| {
        normalize_into(title, &mut buffers.title);
        buffers.title.as_slice()
    });
    identities.title = title.map(|title| hash128(&[title]));
    // Chapters of one book share its ISBN; the `isbn` of an article is
    // the journal's (exports from Mendeley and Google Scholar put ISSNs
    // there), shared by every article in it.
    let not_the_works_own = matches!(
        entry.kind(),
        "incollection"
            | "inbook"
            | "inproceedings"
            | "inreference"
            | "suppbook"
            | "suppcollection"
            | "bookinbook"
            | "article"
            | "periodical"
            | "suppperiodical"
    );
    // An ISBN names a book, not a work in it: the volumes of a set, or the
    // papers a proceedings export gives its ISBN, share one. Only the same
    // valid ISBN under the same title is the same work.
    if let Some(isbn) = value("isbn")
        && let Some(title) = title
        && !not_the_works_own
        && super::values::is_valid_isbn(isbn)
    {
        let digits = &mut buffers.id;
        digits.clear();
        digits.extend(
            isbn.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_uppercase()),
        );
        identities.by_kind[1] = Some(hash128(&[digits.as_bytes(), b"|", title]));
    }
    let year = value("date")
        .and_then(|d| d.trim().get(..4))
        .or_else(|| value("year"));
    let family = value("author")
        .or_else(|| value("editor"))
        .and_then(|a| first_family(a))
        .map(|family| {
            normalize_into(family, &mut buffers.family);
            buffers.family.as_slice()
        });
    // Titles too short to tell works apart ("Preface") are left out.
    if let (Some(title), Some(year), Some(family)) = (title, year, family)
        && title.len() >= 8
    {
        let work = [title, b"|", year.trim().as_bytes(), b"|", family];
        identities.by_kind[2] = Some(hash128(&work));
    }
    identities
}

/// The last word of the family name of the first name in a name list:
/// the family is before the comma of "Family, Given", else at the end of
/// "Given Family"; its last word is the same in "van Buuren, Stef" and
/// "Stef van Buuren". Enough to tell works apart; not a name parser.
fn first_family(list: &str) -> Option<&str> {
    let first = names::and_separated(list).next()?.trim();
    let family = first.split_once(',').map_or(first, |(family, _)| family);
    family
        .split_whitespace()
        .next_back()
        .filter(|f| !f.is_empty())
}

/// Whether one entry names the other in a link field (a chapter and its
/// book share an ISBN; a set and its members; `related` editions).
fn linked(bib: &Bibliography, a: EntryId, b: EntryId) -> bool {
    let names = |from: EntryId, to: EntryId| {
        bib.entry(from)
            .links()
            .iter()
            .any(|l| bib.resolve(&l.target.key) == Some(to))
    };
    names(a, b) || names(b, a)
}

/// [`normalize_into`] a new string.
#[cfg(test)]
fn normalized(text: &str) -> String {
    let mut out = Vec::new();
    normalize_into(text, &mut out);
    String::from_utf8(out).expect("normalised text is UTF-8")
}

/// Lower-case letters and digits only, without accents, for comparing
/// titles and names: `Nordstr{\"o}m` and `Nordström` are `nordstrom`.
///
/// Not the LaTeX parser: this runs on every entry, and only letters count.
/// Control words are dropped (`\emph`, the `\v` of `\v{s}`), except those
/// that stand for letters (`\o`, `\ss`, `\ae`, ...).
///
/// Written over `out`, a buffer reused from entry to entry, as UTF-8.
fn normalize_into(text: &str, out: &mut Vec<u8>) {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::{decompose_canonical, is_combining_mark};
    let bytes = text.as_bytes();
    out.clear();
    let mut i = 0;
    // The first backslash at or after `i` (once `i` has passed it, the
    // next is searched for), else the end.
    let mut next_slash = memchr::memchr(b'\\', bytes).unwrap_or(bytes.len());
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'\\' {
            let start = i + 1;
            let end = start
                + bytes[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
            i = end;
            if end == start {
                // A control symbol: \" \' \&
                i += text[i..].chars().next().map_or(0, char::len_utf8);
            }
            out.extend_from_slice(letters_of(&text[start..end]).as_bytes());
            continue;
        }
        if byte.is_ascii() {
            // Most of a title is ASCII, taken a run at a time up to the
            // next backslash or other character: the run checked word-wide
            // in windows of 64 bytes (each byte tested apart took 34 ms
            // against 21 for 200,000 titles), the next backslash searched
            // for once, not from every run, so that the work stays linear.
            if next_slash < i {
                next_slash = memchr::memchr(b'\\', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            let window = &bytes[i..next_slash.min(i + 64)];
            let run = i + if window.is_ascii() {
                window.len()
            } else {
                (window.iter())
                    .position(|b| !b.is_ascii())
                    .expect("a byte that is not ASCII")
            };
            keep_ascii_letters(&bytes[i..run], out);
            i = run;
            continue;
        }
        let c = text[i..].chars().next().expect("a character starts here");
        i += c.len_utf8();
        if ('\u{AC00}'..='\u{D7A3}').contains(&c) {
            // A Hangul syllable: decomposed into jamo, it comes back whole.
            push_char(out, c);
            continue;
        }
        // Accents go: the canonical decomposition without its marks.
        // One base character (the usual case) is its own composition.
        let mut bases = 0;
        let mut base = c;
        decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                bases += 1;
                base = d;
            }
        });
        if bases == 1 {
            if base.is_alphanumeric() {
                base.to_lowercase().for_each(|l| push_char(out, l));
            }
            continue;
        }
        let bare = std::iter::once(c).nfd().filter(|d| !is_combining_mark(*d));
        for d in bare.nfc() {
            if d.is_alphanumeric() {
                d.to_lowercase().for_each(|l| push_char(out, l));
            }
        }
    }
}

/// Appends the ASCII letters and digits of `run` to `out`, lower-cased:
/// each byte written through a table and kept or not by moving on, with
/// no branch per byte (a filter pushing byte by byte took 40% of this
/// normalisation).
fn keep_ascii_letters(run: &[u8], out: &mut Vec<u8>) {
    const KEPT: [u8; 128] = {
        let mut kept = [0u8; 128];
        let mut b = 0;
        while b < 128 {
            let byte = b as u8;
            if byte.is_ascii_alphanumeric() {
                kept[b] = byte.to_ascii_lowercase();
            }
            b += 1;
        }
        kept
    };
    let start = out.len();
    out.resize(start + run.len(), 0);
    let room = &mut out[start..];
    let mut written = 0;
    for &byte in run {
        let kept = KEPT[usize::from(byte & 0x7f)];
        room[written] = kept;
        written += usize::from(kept != 0);
    }
    out.truncate(start + written);
}

fn push_char(out: &mut Vec<u8>, c: char) {
    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
}

/// The letters a LaTeX control word stands for (`\o`, `\ss`, `\ae`, ...),
/// lower-cased; none for the others.
fn letters_of(control_word: &str) -> &'static str {
    match control_word {
        "o" | "O" => "o",
        "l" | "L" => "l",
        "i" => "i",
        "j" => "j",
        "ss" => "ss",
        "ae" | "AE" => "ae",
        "oe" | "OE" => "oe",
        "aa" | "AA" => "a",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `normalized` as first written: every character that is not ASCII
    /// decomposed, stripped of its marks and composed again.
    fn normalized_by_nfd_and_nfc(text: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        use unicode_normalization::char::is_combining_mark;
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' {
                let mut word = String::new();
                while let Some(letter) = chars.next_if(char::is_ascii_alphabetic) {
                    word.push(letter);
                }
                if word.is_empty() {
                    chars.next();
                }
                out.push_str(letters_of(&word));
            } else if c.is_ascii() {
                if c.is_ascii_alphanumeric() {
                    out.push(c.to_ascii_lowercase());
                }
            } else {
                let bare = std::iter::once(c).nfd().filter(|d| !is_combining_mark(*d));
                for d in bare.nfc() {
                    if d.is_alphanumeric() {
                        out.extend(d.to_lowercase());
                    }
                }
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn the_short_ways_normalise_as_the_long_way(text in "(\\PC|[\\\\{}ÅÅǄ한글Ё])*") {
            proptest::prop_assert_eq!(normalized(&text), normalized_by_nfd_and_nfc(&text));
        }
    }

    /// Runs of ASCII longer than the window they are checked in, with
    /// control words and other characters past it.
    #[test]
    fn long_titles_normalise_as_the_long_way() {
        let long = "Central Asian Policy of the Republic of Korea, 1991 to 2020 and After";
        for text in [
            long.repeat(3),
            format!("{long}{long}\\o{long}\\ss"),
            format!("{long}é{long}\\emph{{Silk}}{long}Ё"),
        ] {
            assert_eq!(
                normalized(&text),
                normalized_by_nfd_and_nfc(&text),
                "{text}"
            );
        }
    }

    #[test]
    fn scripts_and_accents_normalise() {
        for text in [
            "Nordström Ægir",
            "Ǆ Å Å ﬁ ᾅ",
            "김서연 Нурсултан Ёлка",
            "\\v{S}ipka ǅ",
        ] {
            assert_eq!(normalized(text), normalized_by_nfd_and_nfc(text), "{text}");
        }
        assert_eq!(normalized("김서연 Ёлка Nordström"), "김서연елкаnordstrom");
    }

    /// Entries whose marks meet are told apart by their whole identities:
    /// two works share a mark, and each is the first of its own.
    #[test]
    fn identities_that_share_their_mark_stay_apart() {
        let hash = |upper: u128, lower: u128| NonZeroU128::new(upper << 64 | lower).unwrap();
        let (a, b) = (hash(7, 3), hash(7, 5));
        let with_doi = |doi| Identities {
            by_kind: [Some(doi), None, None],
            title: None,
        };
        let identities = [with_doi(a), with_doi(b), with_doi(a), with_doi(b)];
        let marks: Vec<Marks> = identities.iter().map(Identities::marks).collect();
        assert!(marks.iter().all(|m| m.0 == marks[0].0), "the marks meet");
        let asked = std::cell::RefCell::new(Vec::new());
        let mut seen = Seen::new(&marks, |id: EntryId| {
            asked.borrow_mut().push(id.0);
            identities[id.0 as usize]
        });
        let firsts: Vec<Option<u32>> = (0..4)
            .map(|i| {
                let mark = marks[i].0[DOI].unwrap();
                seen.first_or_insert(DOI, mark, EntryId(i as u32))
                    .map(|first| first.0)
            })
            .collect();
        assert_eq!(firsts, [None, None, Some(0), Some(1)]);
        // Each entry worked out again once, and only once its mark met
        // another's.
        assert_eq!(*asked.borrow(), [1, 0, 2, 3]);
    }

    /// Entries whose marks differ are never worked out again.
    #[test]
    fn marks_that_differ_ask_for_nothing() {
        let hash = |upper: u128| NonZeroU128::new(upper << 96 | 1).unwrap();
        let identities: Vec<Identities> = (0..50)
            .map(|i| Identities {
                by_kind: [Some(hash(2 * i)), None, Some(hash(2 * (1000 + i)))],
                title: None,
            })
            .collect();
        let marks: Vec<Marks> = identities.iter().map(Identities::marks).collect();
        let mut seen = Seen::new(&marks, |_: EntryId| -> Identities {
            panic!("no marks meet")
        });
        for (i, mark) in marks.iter().enumerate() {
            for kind in [DOI, 2] {
                assert_eq!(
                    seen.first_or_insert(kind, mark.0[kind].unwrap(), EntryId(i as u32)),
                    None
                );
            }
        }
    }

    #[test]
    fn hashes_in_parts_are_the_hash_of_the_whole() {
        assert_eq!(hash128(&[b"ab", b"|", b"c"]), hash128(&[b"ab|c"]));
        assert_ne!(hash128(&[b"ab", b"c"]), hash128(&[b"ab|c"]));
    }

    #[test]
    fn first_family_names_split_as_bibtex_does() {
        assert_eq!(first_family("Kim, Minjun and Lee, Jiyoung"), Some("Kim"));
        assert_eq!(first_family("Minjun Kim and Jiyoung Lee"), Some("Kim"));
        assert_eq!(first_family("van Buuren, Stef"), Some("Buuren"));
        assert_eq!(first_family("Stef van Buuren"), Some("Buuren"));
        assert_eq!(first_family("{World Bank}"), Some("Bank}"));
        assert_eq!(first_family(""), None);
    }

    #[test]
    fn titles_compare_without_latex_accents_or_case() {
        assert_eq!(normalized("Nordstr{\\\"o}m"), "nordstrom");
        assert_eq!(normalized("Nordström"), "nordstrom");
        assert_eq!(
            normalized("The {Silk} Road, \\emph{Revisited}"),
            "thesilkroadrevisited"
        );
        assert_eq!(
            normalized("Erd\\H{o}s and \\v{S}koda, {\\o}l"),
            "erdosandskodaol"
        );
        assert_eq!(normalized("김민준 2007"), "김민준2007");
    }
}
