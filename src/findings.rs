//! The findings of a piece of work, in the order they are shown.
//!
//! Most findings on a large bibliography say that an entry is never cited
//! (84,000 of 96,000 on one of 100,000 entries). [`Findings`] keeps those
//! as the entries they are about, 8 bytes each, and makes each finding in
//! full only when it is read: not a [`Diagnostic`] of 152 bytes, with a
//! message and a key of its own, for every entry nobody cites.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Range;
use std::sync::Arc;

use crate::bib::{Bibliography, Entry, EntryId};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::source::FileId;

/// The findings of a piece of work ([`crate::Outcome::findings`]), in the
/// order they are shown: by file path, then place, then code and key.
///
/// [`Findings::iter`] gives each in full (the `unused-entry` findings made
/// as they are asked for); [`Findings::for_each_in`], which a renderer of
/// tens of thousands uses, writes those into one finding reused for all.
#[derive(Clone)]
pub struct Findings {
    /// The findings held in full, in order.
    full: Vec<Diagnostic>,
    /// The `unused-entry` findings held as entries, in order.
    unused: Vec<UnusedRef>,
    /// The bibliographies whose entries `unused` names.
    bibliographies: Vec<Arc<Bibliography>>,
    /// The severity every finding of `unused` has.
    unused_severity: Severity,
    /// The help every finding of `unused` has.
    unused_help: &'static str,
    /// Where each finding is: below [`UNUSED`] an index into `full`, else
    /// (less the bit) into `unused`. Empty when `unused` is: then the
    /// order is `full`'s.
    order: Vec<u32>,
}

/// The bit of [`Findings::order`] that says "in `unused`".
const UNUSED: u32 = 1 << 31;

/// An entry `unused-entry` reports: which of the bibliographies, which of
/// its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnusedRef {
    bibliography: u32,
    entry: EntryId,
}

/// The unused entries of one or more bibliographies, before the levels are
/// applied and the findings sorted: what [`Findings::with_unused`] takes.
#[derive(Debug, Default)]
pub(crate) struct UnusedEntries {
    bibliographies: Vec<Arc<Bibliography>>,
    refs: Vec<UnusedRef>,
    help: &'static str,
}

impl UnusedEntries {
    /// Adds the entries `ids` of `bib` that nobody cites; `help` is the
    /// help of their findings (the same for all: it depends on the rules).
    pub(crate) fn add(&mut self, bib: Arc<Bibliography>, ids: Vec<EntryId>, help: &'static str) {
        if ids.is_empty() {
            return;
        }
        let bibliography = self.bibliographies.len() as u32;
        self.bibliographies.push(bib);
        (self.refs).extend(ids.into_iter().map(|entry| UnusedRef {
            bibliography,
            entry,
        }));
        self.help = help;
    }
}

impl Default for Findings {
    fn default() -> Self {
        Findings::new(Vec::new())
    }
}

impl From<Vec<Diagnostic>> for Findings {
    fn from(full: Vec<Diagnostic>) -> Self {
        Findings::new(full)
    }
}

impl Findings {
    /// These findings, in this order.
    pub fn new(full: Vec<Diagnostic>) -> Findings {
        Findings {
            full,
            unused: Vec::new(),
            bibliographies: Vec::new(),
            unused_severity: Code::UnusedEntry.default_severity(),
            unused_help: "",
            order: Vec::new(),
        }
    }

    /// `full` (sorted) and the findings of the entries of `unused` (at
    /// `severity`), merged in the order `rank` gives files: by file, then
    /// place, then code and key.
    pub(crate) fn with_unused(
        full: Vec<Diagnostic>,
        unused: UnusedEntries,
        severity: Severity,
        rank: impl Fn(FileId) -> Option<u32>,
    ) -> Findings {
        let UnusedEntries {
            bibliographies,
            mut refs,
            help,
        } = unused;
        let bib = |r: &UnusedRef| &bibliographies[r.bibliography as usize];
        let entry = |r: &UnusedRef| bib(r).entry(r.entry);
        // The entries of one file are in file order already: the sort
        // finds the runs and merges them.
        refs.sort_by_key(|r| {
            let entry = entry(r);
            (rank(entry.file), entry.key_span().start)
        });
        let mut order = Vec::with_capacity(full.len() + refs.len());
        let (mut f, mut u) = (0, 0);
        while f < full.len() || u < refs.len() {
            let take_unused = match (full.get(f), refs.get(u)) {
                (Some(d), Some(r)) => {
                    let entry = entry(r);
                    (rank(entry.file), entry.key_span().start, Code::UnusedEntry)
                        .cmp(&(rank(d.primary.file), d.primary.span.start, d.code))
                        .then_with(|| Some(bib(r).key(entry)).cmp(&d.key.as_deref()))
                        == Ordering::Less
                }
                (None, Some(_)) => true,
                _ => false,
            };
            if take_unused {
                order.push(UNUSED | u as u32);
                u += 1;
            } else {
                order.push(f as u32);
                f += 1;
            }
        }
        let mut findings = Findings {
            full,
            unused: refs,
            bibliographies,
            unused_severity: severity,
            unused_help: help,
            order,
        };
        if findings.unused.is_empty() {
            findings.order = Vec::new();
            findings.bibliographies = Vec::new();
        }
        findings
    }

    /// How many findings there are.
    pub fn len(&self) -> usize {
        self.full.len() + self.unused.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where the `index`th finding is.
    fn at(&self, index: usize) -> Slot {
        match self.order.get(index) {
            None => Slot::Full(index),
            Some(&at) if at & UNUSED == 0 => Slot::Full(at as usize),
            Some(&at) => Slot::Unused((at & !UNUSED) as usize),
        }
    }

    /// The `at`th unused entry and its key.
    fn unused_entry(&self, at: usize) -> (&Entry, &str) {
        let unused = self.unused[at];
        let bib = &self.bibliographies[unused.bibliography as usize];
        let entry = bib.entry(unused.entry);
        (entry, bib.key(entry))
    }

    /// The `index`th finding, in full.
    pub fn get(&self, index: usize) -> Option<Cow<'_, Diagnostic>> {
        if index >= self.len() {
            return None;
        }
        Some(match self.at(index) {
            Slot::Full(at) => Cow::Borrowed(&self.full[at]),
            Slot::Unused(at) => {
                let mut finding = empty_finding();
                self.write_unused(at, &mut finding);
                Cow::Owned(finding)
            }
        })
    }

    /// Each finding in order, in full: borrowed, or (an `unused-entry`
    /// finding kept as its entry) made now.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            findings: self,
            left: 0..self.len(),
        }
    }

    /// Calls `f` on each finding of `range` (positions in the order), in
    /// order. An `unused-entry` finding kept as its entry is written into
    /// one finding reused for all of them: no allocation per finding.
    pub fn for_each_in<E>(
        &self,
        range: Range<usize>,
        mut f: impl FnMut(&Diagnostic) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut scratch: Option<Diagnostic> = None;
        for index in range {
            match self.at(index) {
                Slot::Full(at) => f(&self.full[at])?,
                Slot::Unused(at) => {
                    let finding = scratch.get_or_insert_with(empty_finding);
                    self.write_unused(at, finding);
                    f(finding)?;
                }
            }
        }
        Ok(())
    }

    /// The code and severity of each finding, in no particular order,
    /// without making any in full: what counts need.
    pub fn codes(&self) -> impl Iterator<Item = (Code, Severity)> + '_ {
        (self.full.iter())
            .map(|d| (d.code, d.severity))
            .chain((self.unused.iter()).map(|_| (Code::UnusedEntry, self.unused_severity)))
    }

    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.codes().filter(|&(_, s)| s == severity).count()
    }

    /// Keeps the findings `keep` says yes to, in their order; `keep` is
    /// asked about each finding once, not in that order.
    pub fn retain(&mut self, mut keep: impl FnMut(&Diagnostic) -> bool) {
        let mut keep_full: Vec<bool> = self.full.iter().map(&mut keep).collect();
        let mut scratch = empty_finding();
        let keep_unused: Vec<bool> = (0..self.unused.len())
            .map(|at| {
                self.write_unused(at, &mut scratch);
                keep(&scratch)
            })
            .collect();
        // New places of those kept; the order keeps its relative order.
        let renumber = |keep: &[bool]| -> Vec<u32> {
            let mut next = 0;
            keep.iter()
                .map(|&k| {
                    let at = next;
                    next += u32::from(k);
                    at
                })
                .collect()
        };
        let (new_full, new_unused) = (renumber(&keep_full), renumber(&keep_unused));
        self.order.retain_mut(|at| {
            if *at & UNUSED == 0 {
                let kept = keep_full[*at as usize];
                *at = new_full[*at as usize];
                kept
            } else {
                let old = (*at & !UNUSED) as usize;
                *at = UNUSED | new_unused[old];
                keep_unused[old]
            }
        });
        let mut flags = keep_full.drain(..);
        self.full
            .retain(|_| flags.next().expect("one flag a finding"));
        let mut flags = keep_unused.into_iter();
        self.unused
            .retain(|_| flags.next().expect("one flag a finding"));
        if self.unused.is_empty() {
            self.order = Vec::new();
        }
    }

    /// The findings, in full.
    pub fn to_vec(&self) -> Vec<Diagnostic> {
        self.iter().map(Cow::into_owned).collect()
    }

    /// The findings, in full; those held in full moved, not copied.
    pub fn into_vec(mut self) -> Vec<Diagnostic> {
        if self.order.is_empty() {
            return self.full;
        }
        let len = self.len();
        let mut full: Vec<Option<Diagnostic>> = std::mem::take(&mut self.full)
            .into_iter()
            .map(Some)
            .collect();
        (0..len)
            .map(|index| match self.at(index) {
                Slot::Full(at) => full[at].take().expect("each finding once"),
                Slot::Unused(at) => {
                    let mut finding = empty_finding();
                    self.write_unused(at, &mut finding);
                    finding
                }
            })
            .collect()
    }

    /// Writes the `at`th `unused-entry` finding into `finding`, reusing
    /// its strings.
    fn write_unused(&self, at: usize, finding: &mut Diagnostic) {
        let (entry, entry_key) = self.unused_entry(at);
        finding.code = Code::UnusedEntry;
        finding.severity = self.unused_severity;
        unused_message(entry_key, &mut finding.message);
        finding.primary.file = entry.file;
        finding.primary.span = entry.key_span();
        finding.primary.message = None;
        finding.related.clear();
        let key = finding.key.get_or_insert_with(String::new);
        key.clear();
        key.push_str(entry_key);
        finding.help = Some(Cow::Borrowed(self.unused_help));
    }
}

impl IntoIterator for Findings {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = Cow<'a, Diagnostic>;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The findings in order, in full ([`Findings::iter`]).
pub struct Iter<'a> {
    findings: &'a Findings,
    left: Range<usize>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Cow<'a, Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        self.findings.get(self.left.next()?)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.left.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.findings.get(self.left.next_back()?)
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The findings, in full: not the bibliographies they are made from.
impl std::fmt::Debug for Findings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Findings {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

enum Slot {
    Full(usize),
    Unused(usize),
}

/// `entry `key` is never cited`, in `message` (cleared first), put
/// together at its length without the formatting machinery: it is made
/// for most entries of a large bibliography.
pub(crate) fn unused_message(key: &str, message: &mut String) {
    let (before, after) = ("entry `", "` is never cited");
    message.clear();
    message.reserve(before.len() + key.len() + after.len());
    message.push_str(before);
    message.push_str(key);
    message.push_str(after);
}

/// A finding to write an `unused-entry` finding into.
fn empty_finding() -> Diagnostic {
    Diagnostic::new(Code::UnusedEntry, String::new(), FileId(0), 0..0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bib::BibInput;

    /// Five entries of one file, two of them unused, between findings
    /// held in full at the other entries and one in another file.
    fn findings() -> Findings {
        let text = "@book{a}\n@book{b}\n@book{c}\n@book{d}\n@book{e}\n";
        let (bib, _) = Bibliography::read(&[BibInput::bib(FileId(1), text)]);
        let bib = Arc::new(bib);
        let at = |key: &str| text.find(&format!("{{{key}}}")).unwrap() + 1;
        let full = ["a", "c", "e"]
            .iter()
            .map(|key| {
                Diagnostic::new(Code::MissingField, *key, FileId(1), at(key)..at(key) + 1)
                    .with_key(*key)
            })
            .chain([Diagnostic::new(Code::MissingEntry, "z", FileId(0), 0..1)])
            .collect();
        let mut unused = UnusedEntries::default();
        unused.add(Arc::clone(&bib), vec![EntryId(3), EntryId(1)], "help");
        // The chapter (file 0) sorts after the bibliography.
        Findings::with_unused(full, unused, Severity::Error, |file| Some(1 - file.0))
    }

    fn shown(findings: &[Diagnostic]) -> Vec<String> {
        (findings.iter())
            .map(|d| format!("{} {} {:?}", d.code, d.message, d.severity))
            .collect()
    }

    #[test]
    fn unused_entries_stand_in_order_among_the_others() {
        let findings = findings();
        assert_eq!(findings.len(), 6);
        assert_eq!(
            shown(&findings.to_vec()),
            [
                "missing-field a Warning",
                "unused-entry entry `b` is never cited Error",
                "missing-field c Warning",
                "unused-entry entry `d` is never cited Error",
                "missing-field e Warning",
                "missing-entry z Error",
            ]
        );
        assert_eq!(findings.count(Severity::Error), 3);
        assert_eq!(findings.get(1).unwrap().help.as_deref(), Some("help"));
        assert_eq!(findings.clone().into_vec(), findings.to_vec());
    }

    #[test]
    fn retain_keeps_the_order_of_those_kept() {
        let mut findings = findings();
        let mut expected = findings.to_vec();
        let keep = |d: &Diagnostic| d.key.as_deref() != Some("c") && d.key.as_deref() != Some("b");
        expected.retain(keep);
        findings.retain(keep);
        assert_eq!(findings.to_vec(), expected);
        assert_eq!(findings.len(), 4);
        // Read a range at a time, as the renderers do.
        let mut read = Vec::new();
        for range in [0..1, 1..3, 3..4] {
            findings
                .for_each_in(range, |d| {
                    read.push(d.clone());
                    Ok::<(), ()>(())
                })
                .unwrap();
        }
        assert_eq!(read, expected);
    }
}
