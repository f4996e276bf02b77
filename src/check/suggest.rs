//! "Did you mean ...?" for keys that resolve to nothing.
//!
//! Comparing every missing key with every entry is quadratic at 100,000
//! entries; instead an index of character trigrams picks a few candidates
//! that share the rarest trigrams with the missing key, and only those are
//! scored (Jaro-Winkler, which rewards the shared prefix typical of keys).
//! The index is built on first use, so a clean check never pays for it;
//! a check run once looks all its missing keys up in one pass over the
//! names instead ([`Suggester::help_all`]), and only an editor, asking
//! after every keystroke, builds it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::bib::Bibliography;

/// At most this many suggestions are shown.
const MAX_SUGGESTIONS: usize = 3;
/// Candidates scored per query, taken by shared trigram count.
const MAX_CANDIDATES: usize = 64;
/// Minimum Jaro-Winkler similarity of a suggestion (case-folded).
const MIN_SIMILARITY: f64 = 0.86;
/// Postings counted per query, beyond the rarest trigram's list.
const POSTING_BUDGET: usize = 20_000;
/// Keys longer than this (in characters) get no suggestions: Jaro-Winkler
/// costs the product of the two lengths, and no real key comes near.
const MAX_QUERY_CHARS: usize = 200;

/// Whether two names of these lengths (in characters) can reach
/// [`MIN_SIMILARITY`] at all. Jaro is at most (2 + short/long) / 3, since
/// at most `short` characters match, and Winkler's prefix bonus adds at
/// most 0.4 of what Jaro lacks, so Jaro-Winkler ≤ 0.6 · Jaro + 0.4, which
/// stays below 0.86 when short/long < 0.3. Skipping those pairs changes no
/// result and keeps a very long key from being compared at length.
fn lengths_can_match(a: usize, b: usize) -> bool {
    let (short, long) = (a.min(b), a.max(b));
    10 * short >= 3 * long
}

/// Three characters packed into one integer (21 bits each).
type Trigram = u64;

/// Trigrams are integers already: one multiply-rotate hashes them (std's
/// SipHash, built to resist untrusted keys, costs several times more).
#[derive(Default)]
struct TrigramHasher(u64);

impl Hasher for TrigramHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(26);
    }
}

/// Suggests existing keys for keys that are not in the bibliography.
/// Queries may run on several threads at once.
pub struct Suggester<'b> {
    bib: &'b Bibliography,
    index: IndexCell<'b>,
}

/// The trigram index of a bibliography's keys, built on first use, which a
/// caller that checks one bibliography again and again (an editor server)
/// keeps beside it and shares with each new [`Suggester`].
#[derive(Default)]
pub struct SuggestIndex(OnceLock<Index>, Mutex<HashMap<Box<str>, Option<String>>>);

enum IndexCell<'b> {
    Own(Box<SuggestIndex>),
    Shared(&'b SuggestIndex),
}

impl IndexCell<'_> {
    fn get(&self) -> &OnceLock<Index> {
        &self.cell().0
    }

    fn cell(&self) -> &SuggestIndex {
        match self {
            IndexCell::Own(index) => index,
            IndexCell::Shared(index) => index,
        }
    }
}

struct Index {
    /// Every key and alias as written, end to end in one string (the index
    /// owes nothing to the bibliography, so it can outlive a borrow of it);
    /// folded to lower case when scored.
    arena: String,
    /// Where each name is in `arena`.
    spans: Vec<(u32, u32)>,
    /// Each trigram's slot. The names holding the trigram of slot `i` are
    /// `counts[i]` ascending ids from byte `starts[i]` of `postings`, each
    /// written as its distance from the one before in LEB128 (one or two
    /// bytes mostly, instead of four): a hundred thousand keys hold about
    /// 2.5 million trigrams. One table, no allocation per trigram.
    slots: HashMap<Trigram, u32, BuildHasherDefault<TrigramHasher>>,
    starts: Vec<u32>,
    counts: Vec<u32>,
    postings: Vec<u8>,
}

/// One trigram's names: `len` ids, delta-coded (see [`Index`]).
#[derive(Clone, Copy)]
struct Postings<'i> {
    bytes: &'i [u8],
    len: usize,
}

impl Postings<'_> {
    fn ids(self) -> impl Iterator<Item = u32> {
        let mut bytes = self.bytes.iter();
        let mut id = 0u32;
        (0..self.len).map(move |_| {
            let mut delta = 0u32;
            for (shift, &byte) in bytes.by_ref().enumerate() {
                delta |= u32::from(byte & 0x7f) << (7 * shift);
                if byte & 0x80 == 0 {
                    break;
                }
            }
            id += delta;
            id
        })
    }
}

/// Bytes of `n` in LEB128.
fn leb128_len(n: u32) -> u32 {
    (32 - n.leading_zeros()).div_ceil(7).max(1)
}

fn write_leb128(out: &mut [u8], mut n: u32) -> usize {
    let mut written = 0;
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out[written] = byte;
            return written + 1;
        }
        out[written] = byte | 0x80;
        written += 1;
    }
}

/// Scratch space of one query, reused by the queries of one thread.
#[derive(Default)]
struct Scratch {
    counts: Vec<u16>,
    touched: Vec<u32>,
}

impl<'b> Suggester<'b> {
    /// The suggester of a bibliography: its keys indexed by trigram.
    pub fn new(bib: &'b Bibliography) -> Self {
        Suggester {
            bib,
            index: IndexCell::Own(Box::default()),
        }
    }

    /// A suggester that builds its index in `index` (or uses the one built
    /// there before): `index` must belong to this bibliography.
    pub fn sharing(bib: &'b Bibliography, index: &'b SuggestIndex) -> Self {
        Suggester {
            bib,
            index: IndexCell::Shared(index),
        }
    }

    /// The help line for a missing key: a key that differs only in letter
    /// case first, else the closest keys; `None` when nothing is close.
    pub fn help(&self, missing: &str) -> Option<String> {
        self.help_with(missing, &mut Scratch::default())
    }

    /// [`Suggester::help`] for many keys, in parallel; results in order.
    /// The help of each key is kept with the index, so a later check of
    /// the same bibliography (an editor's next keystroke) asks again only
    /// for the keys that are new.
    pub fn help_all(&self, missing: &[&str]) -> Vec<Option<String>> {
        let memo = &self.index.cell().1;
        let known: Vec<Option<Option<String>>> = {
            let memo = memo.lock().unwrap_or_else(|e| e.into_inner());
            missing.iter().map(|key| memo.get(*key).cloned()).collect()
        };
        let helps: Vec<Option<String>> = if self.index.get().get().is_some() {
            missing
                .par_iter()
                .zip(known)
                .map_init(Scratch::default, |scratch, (key, known)| {
                    known.unwrap_or_else(|| self.help_with(key, scratch))
                })
                .collect()
        } else {
            // No index yet (a check run once): the closest keys of all the
            // new keys in one batch, without building it.
            let new: Vec<&str> = (missing.iter().zip(&known))
                .filter(|(_, known)| known.is_none())
                .map(|(key, _)| *key)
                .collect();
            let mut closest = self.closest_of_all(&new).into_iter();
            missing
                .iter()
                .zip(known)
                .map(|(key, known)| {
                    known.unwrap_or_else(|| {
                        let closest = closest.next().unwrap_or_default();
                        self.help_given(key, || closest)
                    })
                })
                .collect()
        };
        let mut memo = memo.lock().unwrap_or_else(|e| e.into_inner());
        for (key, help) in missing.iter().zip(&helps) {
            if !memo.contains_key(*key) {
                memo.insert((*key).into(), help.clone());
            }
        }
        helps
    }

    /// [`Suggester::help_all`] for the distinct keys among `keys`, each
    /// asked once, answered by key.
    pub fn helps_of<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> Helps<'k> {
        let mut keys: Vec<&str> = keys.into_iter().collect();
        keys.sort_unstable();
        keys.dedup();
        let helps = self.help_all(&keys);
        Helps { keys, helps }
    }

    /// Builds the index now, if it is not built yet: a caller that will
    /// ask again and again (an editor server) builds it while nobody waits
    /// rather than at the first key typed.
    pub fn build_index(&self) {
        self.index.get().get_or_init(|| Index::build(self.bib));
    }

    fn help_with(&self, missing: &str, scratch: &mut Scratch) -> Option<String> {
        self.help_given(missing, || self.closest_with(missing, scratch))
    }

    /// The help line for `missing`, with `closest` giving its closest keys
    /// when no other help fits.
    fn help_given<'s>(
        &'s self,
        missing: &str,
        closest: impl FnOnce() -> Vec<&'s str>,
    ) -> Option<String> {
        // `\cite{a; b}`: biblatex splits keys at commas only, so this cites
        // one key, `a; b`.
        let parts: Vec<&str> = missing
            .split(|c: char| c == ';' || c.is_whitespace())
            .filter(|part| !part.is_empty())
            .collect();
        // `\cite{@kim2007}`: Pandoc's `@` carried into LaTeX.
        if let Some(bare) = missing.strip_prefix('@')
            && parts.len() < 2
            && self.bib.resolve(bare).is_some()
        {
            return Some(format!(
                "write the key without `@`, `{bare}`: the `@` marks a citation in Markdown and Typst, not in LaTeX"
            ));
        }
        if parts.len() >= 2 {
            return Some(format!(
                "separate keys with commas, `{}`: this is one key with {} in it",
                parts.join(", "),
                if missing.contains(';') {
                    "a semicolon"
                } else {
                    "a space"
                }
            ));
        }
        let same_but_case = self
            .bib
            .case_insensitive_matches(missing)
            .into_iter()
            .find(|name| *name != missing);
        if let Some(name) = same_but_case {
            return Some(format!(
                "did you mean `{name}`? Keys are case-sensitive in biber and biblatex"
            ));
        }
        match closest().as_slice() {
            [] => None,
            [one] => Some(format!("did you mean `{one}`?")),
            many => {
                let list: Vec<String> = many.iter().map(|k| format!("`{k}`")).collect();
                Some(format!("did you mean one of {}?", list.join(", ")))
            }
        }
    }

    /// The existing keys most similar to `missing`, best first.
    pub fn closest(&self, missing: &str) -> Vec<&str> {
        self.closest_with(missing, &mut Scratch::default())
    }

    fn closest_with(&self, missing: &str, scratch: &mut Scratch) -> Vec<&str> {
        let Some(query) = Query::of(missing) else {
            return Vec::new();
        };
        let index = self.index.get().get_or_init(|| Index::build(self.bib));
        let lists = query
            .trigrams
            .iter()
            .filter_map(|&t| index.postings_of(t))
            .map(List::Coded)
            .collect();
        query.closest(lists, index.spans.len(), |id| index.name(id), scratch)
    }

    /// The closest keys of each of `missing` (in order), found without
    /// the index: one pass over the bibliography's names finds which of
    /// the queries' trigrams each holds; the lists are counted, and only
    /// those the queries will count are gathered. A check run once asks
    /// for a few hundred keys at most, and the pass costs a fraction of
    /// building the whole index (20 ms against 75 ms at 100,000 entries),
    /// which only an editor, asking again and again, earns back. The
    /// answers are the index's: each query counts the same lists, in the
    /// same order.
    fn closest_of_all(&self, missing: &[&str]) -> Vec<Vec<&'b str>> {
        let queries: Vec<Option<Query>> = missing.iter().map(|key| Query::of(key)).collect();
        let mut slots: FxHashMap<Trigram, u32> = FxHashMap::default();
        for query in queries.iter().flatten() {
            for &trigram in &query.trigrams {
                let next = slots.len() as u32;
                slots.entry(trigram).or_insert(next);
            }
        }
        if slots.is_empty() {
            return vec![Vec::new(); missing.len()];
        }
        let names = Names::of(self.bib);
        // Each name's slots (the queries' trigrams it holds), once each,
        // as (slot, name) in name order, by chunk of names on all cores.
        const CHUNK: usize = 4096;
        let held: Vec<Vec<(u32, u32)>> = names
            .par_chunks(CHUNK)
            .map(|(n, chunk)| {
                let mut held: Vec<(u32, u32)> = Vec::new();
                let mut slots_of_name: Vec<u32> = Vec::new();
                for (i, name) in chunk.enumerate() {
                    let id = (n * CHUNK + i) as u32;
                    slots_of_name.clear();
                    slots_of_name
                        .extend(trigrams(&fold(name)).filter_map(|t| slots.get(&t).copied()));
                    slots_of_name.sort_unstable();
                    slots_of_name.dedup();
                    held.extend(slots_of_name.iter().map(|&slot| (slot, id)));
                }
                held
            })
            .collect();
        let mut lens = vec![0u32; slots.len()];
        for &(slot, _) in held.iter().flatten() {
            lens[slot as usize] += 1;
        }
        // The lists each query will count, as it would count the index's.
        let lists_of = |query: &Query| -> Vec<(u32, usize)> {
            query
                .trigrams
                .iter()
                .map(|t| slots[t])
                .filter(|&slot| lens[slot as usize] > 0)
                .map(|slot| (slot, lens[slot as usize] as usize))
                .collect()
        };
        let mut needed = vec![false; slots.len()];
        for query in queries.iter().flatten() {
            let mut lists = lists_of(query);
            counted_prefix(&mut lists, |&(_, len)| len);
            for (slot, _) in lists {
                needed[slot as usize] = true;
            }
        }
        let mut ids: Vec<Vec<u32>> = vec![Vec::new(); slots.len()];
        for &(slot, id) in held.iter().flatten() {
            if needed[slot as usize] {
                ids[slot as usize].push(id);
            }
        }
        // Freed before the queries count: the pairs are most of what the
        // pass holds (3 MB for 200 queries at 100,000 entries), and the
        // entry checks beside it are at their largest then.
        drop(held);
        queries
            .par_iter()
            .map_init(Scratch::default, |scratch, query| {
                let Some(query) = query else {
                    return Vec::new();
                };
                let lists = lists_of(query)
                    .into_iter()
                    .map(|(slot, len)| List::Plain(&ids[slot as usize], len))
                    .collect();
                query.closest(lists, names.len(), |id| names.get(id), scratch)
            })
            .collect()
    }
}

/// The help lines of some keys ([`Suggester::helps_of`]).
pub struct Helps<'k> {
    /// Ascending, each once.
    keys: Vec<&'k str>,
    helps: Vec<Option<String>>,
}

impl Helps<'_> {
    /// The help line of `key`, if it was asked for and has one.
    pub fn of(&self, key: &str) -> Option<String> {
        let at = self.keys.binary_search(&key).ok()?;
        self.helps[at].clone()
    }
}

/// A missing key, ready to be looked up: folded, and its distinct
/// trigrams in ascending order.
struct Query {
    folded: String,
    chars: usize,
    trigrams: Vec<Trigram>,
}

impl Query {
    /// `None` for a key too long to be given suggestions.
    fn of(missing: &str) -> Option<Query> {
        if missing.chars().nth(MAX_QUERY_CHARS).is_some() {
            return None;
        }
        let folded = missing.to_lowercase();
        let mut trigrams: Vec<Trigram> = trigrams(&folded).collect();
        trigrams.sort_unstable();
        trigrams.dedup();
        Some(Query {
            chars: folded.chars().count(),
            folded,
            trigrams,
        })
    }

    /// The names closest to the query, best first, from the lists of
    /// names holding each of its trigrams (in the order of its trigrams;
    /// lists of trigrams no name holds left out).
    fn closest<'n>(
        &self,
        mut lists: Vec<List>,
        name_count: usize,
        name: impl Fn(u32) -> &'n str,
        scratch: &mut Scratch,
    ) -> Vec<&'n str> {
        counted_prefix(&mut lists, List::len);
        let Scratch { counts, touched } = scratch;
        counts.resize(name_count, 0);
        touched.clear();
        for list in lists {
            list.for_each_id(|id| {
                let count = &mut counts[id as usize];
                if *count == 0 {
                    touched.push(id);
                }
                *count = count.saturating_add(1);
            });
        }
        // The best candidates by count (ties by position), without sorting
        // all the touched names.
        let by_count =
            |a: &u32, b: &u32| counts[*b as usize].cmp(&counts[*a as usize]).then(a.cmp(b));
        if touched.len() > MAX_CANDIDATES {
            touched.select_nth_unstable_by(MAX_CANDIDATES - 1, by_count);
        }
        let candidates = &touched[..touched.len().min(MAX_CANDIDATES)];
        let mut scored: Vec<(f64, &str)> = candidates
            .iter()
            .filter_map(|&id| {
                let name = name(id);
                let folded_name = fold(name);
                lengths_can_match(self.chars, folded_name.chars().count())
                    .then(|| (strsim::jaro_winkler(&self.folded, &folded_name), name))
            })
            .filter(|&(score, _)| score >= MIN_SIMILARITY)
            .collect();
        // Leave the counts zeroed for the next query.
        for &id in touched.iter() {
            counts[id as usize] = 0;
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.dedup_by(|a, b| a.1 == b.1);
        scored
            .into_iter()
            .take(MAX_SUGGESTIONS)
            .map(|(_, k)| k)
            .collect()
    }
}

/// Keeps the lists a query counts: rarest first, since they tell
/// candidates apart, while one such as `-20` (in every key with a year)
/// only costs time. Counting stops once a budget of postings is spent,
/// after at least one list.
fn counted_prefix<T>(lists: &mut Vec<T>, len: impl Fn(&T) -> usize) {
    lists.sort_unstable_by_key(|list| len(list));
    let mut budget = POSTING_BUDGET;
    let mut kept = lists.len();
    for (i, list) in lists.iter().enumerate() {
        if i > 0 && len(list) > budget {
            kept = i;
            break;
        }
        budget = budget.saturating_sub(len(list));
    }
    lists.truncate(kept);
}

/// The names holding one trigram: from the index, or gathered for a
/// batch of queries.
enum List<'i> {
    Coded(Postings<'i>),
    /// The ids, and how many names hold the trigram (the ids of a list no
    /// query counts are not gathered).
    Plain(&'i [u32], usize),
}

impl List<'_> {
    fn len(&self) -> usize {
        match self {
            List::Coded(postings) => postings.len,
            List::Plain(_, len) => *len,
        }
    }

    fn for_each_id(self, mut each: impl FnMut(u32)) {
        match self {
            List::Coded(postings) => postings.ids().for_each(each),
            List::Plain(ids, len) => {
                debug_assert_eq!(ids.len(), len, "a counted list was gathered");
                ids.iter().for_each(|&id| each(id));
            }
        }
    }
}

impl Index {
    fn build(bib: &Bibliography) -> Self {
        let names = Names::of(bib);
        // Each name's distinct trigrams, on all cores, end to end.
        let per_chunk: Vec<(Vec<Trigram>, Vec<u32>)> = names
            .par_chunks(4096)
            .map(|(_, chunk)| {
                let chunk: Vec<&str> = chunk.collect();
                // A name has at most as many trigrams as bytes, and two.
                let mut all = Vec::with_capacity(chunk.iter().map(|n| n.len() + 2).sum());
                let mut lens = Vec::with_capacity(chunk.len());
                let mut seen: Vec<Trigram> = Vec::new();
                for name in chunk {
                    seen.clear();
                    seen.extend(trigrams(&fold(name)));
                    seen.sort_unstable();
                    seen.dedup();
                    all.extend_from_slice(&seen);
                    lens.push(seen.len() as u32);
                }
                (all, lens)
            })
            .collect();
        // A counting sort: measure each trigram's list, lay the lists out
        // end to end, then fill them. The first pass gives each trigram its
        // slot and keeps the slots, so the second looks nothing up.
        let mut slots: HashMap<Trigram, u32, BuildHasherDefault<TrigramHasher>> =
            HashMap::default();
        let mut counts: Vec<u32> = Vec::with_capacity(names.len());
        let mut sizes: Vec<u32> = Vec::with_capacity(names.len());
        // The last id written to each slot, for the distances.
        let mut last: Vec<u32> = Vec::with_capacity(names.len());
        let mut name_slots: Vec<u32> =
            Vec::with_capacity(per_chunk.iter().map(|(all, _)| all.len()).sum());
        let mut id = 0u32;
        for (all, lens) in &per_chunk {
            let mut trigrams = all.iter();
            for &len in lens {
                for &trigram in trigrams.by_ref().take(len as usize) {
                    let slot = *slots.entry(trigram).or_insert_with(|| {
                        counts.push(0);
                        sizes.push(0);
                        last.push(0);
                        (counts.len() - 1) as u32
                    });
                    name_slots.push(slot);
                    let slot = slot as usize;
                    counts[slot] += 1;
                    sizes[slot] += leb128_len(id - last[slot]);
                    last[slot] = id;
                }
                id += 1;
            }
        }
        let name_lens = per_chunk.into_iter().flat_map(|(_, lens)| lens);
        let mut starts: Vec<u32> = Vec::with_capacity(sizes.len() + 1);
        let mut total = 0u32;
        for &size in &sizes {
            starts.push(total);
            total += size;
        }
        starts.push(total);
        drop(sizes);
        let mut fill = starts.clone();
        last.fill(0);
        let mut postings = vec![0u8; total as usize];
        let mut slots_of_names = name_slots.iter();
        for (id, len) in name_lens.enumerate() {
            let id = id as u32;
            for &slot in slots_of_names.by_ref().take(len as usize) {
                let slot = slot as usize;
                let at = fill[slot] as usize;
                fill[slot] += write_leb128(&mut postings[at..], id - last[slot]) as u32;
                last[slot] = id;
            }
        }
        drop(name_slots);
        let mut arena = String::with_capacity(names.iter().map(|n| n.len()).sum());
        let spans = names
            .iter()
            .map(|name| {
                let start = arena.len() as u32;
                arena.push_str(name);
                (start, name.len() as u32)
            })
            .collect();
        Index {
            arena,
            spans,
            slots,
            starts,
            counts,
            postings,
        }
    }

    fn name(&self, id: u32) -> &str {
        let (start, len) = self.spans[id as usize];
        &self.arena[start as usize..(start + len) as usize]
    }

    fn postings_of(&self, trigram: Trigram) -> Option<Postings<'_>> {
        let i = *self.slots.get(&trigram)? as usize;
        Some(Postings {
            bytes: &self.postings[self.starts[i] as usize..self.starts[i + 1] as usize],
            len: self.counts[i] as usize,
        })
    }
}

/// Lower case, without a copy for the usual all-lower-case ASCII key.
fn fold(key: &str) -> Cow<'_, str> {
    if key.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        Cow::Owned(key.to_lowercase())
    } else {
        Cow::Borrowed(key)
    }
}

/// Every key and alias of `bib`, by id: in the order of
/// `Bibliography::names`, each key as its entry's place (4 bytes a name,
/// where a `&str` took 16: 1.6 MB at 100,000 entries, held while the
/// queries count, the check's peak of memory).
struct Names<'b> {
    bib: &'b Bibliography,
    entries: Vec<u32>,
    aliases: Vec<&'b str>,
}

impl<'b> Names<'b> {
    fn of(bib: &'b Bibliography) -> Names<'b> {
        // The keys come first, one for each entry that is not a later
        // definition of a key; the aliases after.
        let keys = (bib.entries.iter())
            .filter(|entry| entry.duplicate_of().is_none())
            .count();
        let mut names = bib.names();
        let mut entries = Vec::with_capacity(keys);
        entries.extend((names.by_ref().take(keys)).map(|(_, id)| id.0));
        let aliases = names.map(|(name, _)| name).collect();
        Names {
            bib,
            entries,
            aliases,
        }
    }

    fn len(&self) -> usize {
        self.entries.len() + self.aliases.len()
    }

    fn get(&self, id: u32) -> &'b str {
        match self.entries.get(id as usize) {
            Some(&entry) => self.bib.key_of(crate::bib::EntryId(entry)),
            None => self.aliases[id as usize - self.entries.len()],
        }
    }

    fn iter(&self) -> impl Iterator<Item = &'b str> + '_ {
        (0..self.len() as u32).map(|id| self.get(id))
    }

    /// The names in runs of `len`, on all cores: each run's place, and
    /// its names.
    fn par_chunks(
        &self,
        len: usize,
    ) -> impl IndexedParallelIterator<Item = (usize, impl Iterator<Item = &'b str> + '_)> + '_ {
        (0..self.len().div_ceil(len)).into_par_iter().map(move |n| {
            let end = ((n + 1) * len).min(self.len());
            (n, (n * len..end).map(|id| self.get(id as u32)))
        })
    }
}

/// Character trigrams of `text`, padded so that short keys have some.
fn trigrams(text: &str) -> impl Iterator<Item = Trigram> + '_ {
    let mut window = [0u64; 3];
    text.chars().map(u64::from).chain([0, 0]).map(move |c| {
        window = [window[1], window[2], c];
        (window[0] << 42) | (window[1] << 21) | window[2]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bib::BibInput;
    use crate::source::FileId;

    fn bib(text: &str) -> Bibliography {
        Bibliography::read(&[BibInput::bib(FileId(0), text)]).0
    }

    #[test]
    fn close_keys_are_suggested() {
        let b = bib("@book{kim-2007-korea,}@book{fumagalli-2012-south,}@book{pohl-1999-ethnic,}");
        let s = Suggester::new(&b);
        assert_eq!(s.closest("kim-2007-koera"), vec!["kim-2007-korea"]);
        assert_eq!(
            s.help("kim-2007-korea-x").as_deref(),
            Some("did you mean `kim-2007-korea`?")
        );
        assert_eq!(
            s.help("fumagali-2012-south").as_deref(),
            Some("did you mean `fumagalli-2012-south`?")
        );
        assert_eq!(s.help("zzz"), None);
    }

    #[test]
    fn keys_joined_by_the_wrong_separator_are_told_to_use_commas() {
        let b = bib("@book{a, title={A}}\n@book{b, title={B}}");
        let s = Suggester::new(&b);
        assert_eq!(
            s.help("a; b").as_deref(),
            Some("separate keys with commas, `a, b`: this is one key with a semicolon in it")
        );
        assert_eq!(
            s.help("@a").as_deref(),
            Some(
                "write the key without `@`, `a`: the `@` marks a citation in Markdown and Typst, not in LaTeX"
            )
        );
        assert_eq!(
            s.help("a b").as_deref(),
            Some("separate keys with commas, `a, b`: this is one key with a space in it")
        );
    }

    #[test]
    fn a_key_differing_only_in_case_is_called_out() {
        let b = bib("@misc{Scott70,}");
        let help = Suggester::new(&b).help("scott70").unwrap();
        assert!(
            help == "did you mean `Scott70`? Keys are case-sensitive in biber and biblatex",
            "{help}"
        );
    }

    #[test]
    fn a_reused_scratch_gives_what_a_fresh_one_gives() {
        let b = bib(
            "@book{kim-2007-korea,}@book{kim-2007-koreb,}@book{pohl-1999-ethnic,}\
                     @book{fumagalli-2012-south,}",
        );
        let s = Suggester::new(&b);
        let queries = ["kim-2007-koera", "pohl-1999-ethnc", "kim-2007-korex", "zzz"];
        let mut scratch = Scratch::default();
        for query in queries {
            assert_eq!(
                s.closest_with(query, &mut scratch),
                s.closest(query),
                "{query}"
            );
            assert!(
                scratch.counts.iter().all(|&c| c == 0),
                "counts left after {query}"
            );
        }
        let helps: Vec<_> = queries.iter().map(|q| s.help(q)).collect();
        assert_eq!(s.help_all(&queries), helps);
    }

    #[test]
    fn postings_read_back_as_written() {
        let ids = [
            0u32,
            1,
            2,
            127,
            128,
            300,
            16_383,
            16_384,
            2_000_000,
            u32::MAX,
        ];
        let mut bytes = [0u8; 64];
        let mut at = 0;
        let mut last = 0;
        for &id in &ids {
            let written = write_leb128(&mut bytes[at..], id - last);
            assert_eq!(written as u32, leb128_len(id - last), "{id}");
            at += written;
            last = id;
        }
        let postings = Postings {
            bytes: &bytes[..at],
            len: ids.len(),
        };
        assert_eq!(postings.ids().collect::<Vec<_>>(), ids);
    }

    #[test]
    fn pairs_of_too_different_lengths_are_never_similar_enough() {
        // The bound behind `lengths_can_match`, checked on the closest
        // strings of each length pair: one a prefix of the other.
        let long = "abcdefghijklmnopqrstuvwxyz0123456789";
        for long_len in 1..=long.len() {
            for short_len in 0..=long_len {
                let score = strsim::jaro_winkler(&long[..short_len], &long[..long_len]);
                if !lengths_can_match(short_len, long_len) {
                    assert!(score < MIN_SIMILARITY, "{short_len}/{long_len}: {score}");
                }
            }
        }
        assert!(lengths_can_match(3, 10) && !lengths_can_match(2, 10));
    }

    #[test]
    fn a_very_long_missing_key_gets_no_suggestion() {
        let key = "k".repeat(MAX_QUERY_CHARS + 1);
        let b = bib(&format!("@book{{{key}x,}}"));
        assert_eq!(Suggester::new(&b).closest(&key), Vec::<&str>::new());
        // One character shorter, and it is suggested.
        let key = "k".repeat(MAX_QUERY_CHARS);
        let b = bib(&format!("@book{{{key}x,}}"));
        assert_eq!(Suggester::new(&b).closest(&key).len(), 1);
    }

    #[test]
    fn a_batch_finds_what_the_index_finds() {
        // Enough names that the commonest trigrams (`-20`, `200`) pass the
        // posting budget, so the lists each query counts are cut; names in
        // upper case, with accents and aliases.
        let mut text = String::new();
        let families = [
            "kim",
            "park",
            "Lee",
            "pohl",
            "Müller",
            "fumagalli",
            "cho",
            "kimkimkim",
        ];
        let topics = ["korea", "silk", "zone", "Steppe", "oil"];
        for i in 0..24_000 {
            let family = families[i % families.len()];
            let topic = topics[(i / 7) % topics.len()];
            text.push_str(&format!(
                "@book{{{family}-{}-{topic}{},",
                1990 + i % 35,
                i / 35
            ));
            if i % 500 == 0 {
                text.push_str(&format!(" ids = {{old-{family}{i}}},"));
            }
            text.push_str("}\n");
        }
        let b = bib(&text);
        let queries = [
            "kim-2007-koera3",
            "park-1999-silk12",
            "lee-2001-zone4",
            "Müler-2010-steppe1",
            "fumagali-2020-oil9",
            "old-kim500",
            "zzz",
            "-20",
            "cho",
            "kimkimkim-2000-korea1",
            "kimkim-2000-korea1",
            &"k".repeat(MAX_QUERY_CHARS + 1),
        ];
        // Some queries count only part of their lists.
        let index = Index::build(&b);
        let cut = queries.iter().filter_map(|q| Query::of(q)).any(|query| {
            let mut lists: Vec<List> = (query.trigrams.iter())
                .filter_map(|&t| index.postings_of(t))
                .map(List::Coded)
                .collect();
            let all = lists.len();
            counted_prefix(&mut lists, List::len);
            lists.len() < all
        });
        assert!(cut);
        let batch = Suggester::new(&b).closest_of_all(&queries);
        let one_by_one = Suggester::new(&b);
        for (query, found) in queries.iter().zip(batch) {
            assert_eq!(found, one_by_one.closest(query), "{query}");
        }
        // And the help lines, with and without an index built.
        let fresh = Suggester::new(&b).help_all(&queries);
        let built = Suggester::new(&b);
        built.build_index();
        assert_eq!(fresh, built.help_all(&queries));
        assert!(
            fresh.iter().filter(|h| h.is_some()).count() >= 5,
            "{fresh:?}"
        );
    }

    #[test]
    fn aliases_are_suggested_too() {
        let b = bib("@book{new2020, ids = {oldkey2019}}");
        assert_eq!(Suggester::new(&b).closest("oldkey2018"), vec!["oldkey2019"]);
    }
}
