//! The citation check kept up to date as one chapter at a time changes
//! (an editor's keystrokes): each chapter's citations are resolved once
//! and kept, with the count of citations of every entry; a changed
//! chapter is resolved again, and the used entries and `unused-entry`
//! findings change only where an entry's count went to or from zero. The
//! batch check ([`super::check`]) is the same state built once, so the
//! two cannot disagree.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};

use super::suggest::{SuggestIndex, Suggester};
use super::{
    ChapterScan, CheckOutcome, RuleSet, Stats, mark, missing_crossrefs, missing_entries,
    pull_in_links, reported_unused, unused, unused_entry,
};
use crate::bib::{Bibliography, EntryId};
use crate::diagnostic::{Code, Diagnostic};
use crate::scan::{Citation, CiteKind};
use crate::source::FileId;

/// Which findings an edit of one chapter may have changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The chapter's own (`missing-entry`, `citation-separator`).
    Chapter,
    /// Those, and the bibliographies' (an entry became used or unused).
    Bibliographies,
    /// Every chapter's and bibliography's (made anew).
    Everything,
}

/// The citation check of a group of chapters against one bibliography.
#[derive(Debug, Default)]
pub struct LiveCitations {
    chapters: Vec<ChapterCitations>,
    /// Direct citations of each entry, in all chapters.
    cited: Vec<u32>,
    /// Citations of each distinct key (as a hash: only counted).
    keys: FxHashMap<u64, u32>,
    /// Entries used: cited, or pulled in by a used entry's links.
    used: Vec<bool>,
    used_count: usize,
    /// Distinct keys of the bibliography.
    key_count: usize,
    /// Whether some chapter cites every entry (`\nocite{*}`).
    cite_all: bool,
    /// `missing-crossref`: the bibliography's own, made once.
    crossrefs: Vec<Diagnostic>,
    /// The entries `unused-entry` reports, in entry order. Most entries of
    /// a large bibliography can be unused: their findings are made when
    /// the report is assembled ([`LiveCitations::move_into`]), not kept.
    unused: Vec<EntryId>,
    /// The help of those findings (it depends on the rules).
    unused_help: &'static str,
}

/// What one chapter's citations come to.
#[derive(Debug)]
struct ChapterCitations {
    file: FileId,
    /// The entry of each resolved citation, repeats kept.
    resolved: Vec<EntryId>,
    /// The key of every citation, hashed.
    keys: Vec<u64>,
    /// The chapter's own findings: `missing-entry` in text order, then
    /// `citation-separator`.
    findings: Vec<Diagnostic>,
    cite_all: bool,
    /// Typst labels the chapter defines (which turn `@name` into a
    /// cross-reference in every chapter).
    labels: Vec<String>,
}

impl LiveCitations {
    /// The check of `chapters` against `bib`, with the did-you-mean index
    /// of `bib` kept in `index`.
    pub fn new(
        bib: &Bibliography,
        chapters: &[ChapterScan],
        rules: &RuleSet,
        index: &SuggestIndex,
    ) -> LiveCitations {
        let suggester = suggester(bib, rules, index);
        let labels = super::typst_labels(chapters);
        let resolved: Vec<(ChapterCitations, Vec<(FileId, &Citation)>)> = chapters
            .par_iter()
            .map(|chapter| ChapterCitations::resolved(bib, chapter, &labels))
            .collect();
        // Every chapter's missing keys looked up at once (see
        // `Suggester::help_all`); each chapter's findings then find theirs.
        if let Some(suggester) = &suggester
            && rules.is_on(Code::MissingEntry)
        {
            suggester.helps_of(
                (resolved.iter())
                    .flat_map(|(_, unresolved)| unresolved.iter().map(|(_, c)| c.key.as_ref())),
            );
        }
        let per_chapter: Vec<ChapterCitations> = resolved
            .into_iter()
            .zip(chapters)
            .map(|((mut citations, unresolved), chapter)| {
                citations.findings = findings(chapter, &unresolved, rules, suggester.as_ref());
                citations
            })
            .collect();
        let mut live = LiveCitations {
            cited: vec![0; bib.entries.len()],
            key_count: bib.key_count(),
            cite_all: per_chapter.iter().any(|c| c.cite_all),
            ..LiveCitations::default()
        };
        for chapter in &per_chapter {
            count(&mut live.cited, &mut live.keys, chapter, 1);
        }
        live.chapters = per_chapter;
        if let Some(suggester) = &suggester
            && rules.is_on(Code::MissingCrossref)
        {
            live.crossrefs = missing_crossrefs(bib, suggester);
        }
        live.used = live.used_now(bib);
        live.used_count = live.used.iter().filter(|&&u| u).count();
        live.unused_help = unused_help(rules);
        if rules.is_on(Code::UnusedEntry) && !live.cite_all {
            live.unused = unused(bib, &live.used, rules).collect();
        }
        live
    }

    /// `file` was scanned again (its new scan is in `chapters`): its
    /// citations are resolved again, and what depends on them brought up
    /// to date. Says which findings that may have changed.
    pub fn changed(
        &mut self,
        bib: &Bibliography,
        chapters: &[ChapterScan],
        file: FileId,
        rules: &RuleSet,
        index: &SuggestIndex,
    ) -> Reach {
        let (Some(at), Some(scan)) = (
            self.chapters.iter().position(|c| c.file == file),
            chapters.iter().find(|c| c.file == file),
        ) else {
            return Reach::Chapter;
        };
        // A Typst label added or removed turns citations into
        // cross-references (or back) in every chapter.
        if scan.output.labels != self.chapters[at].labels {
            *self = LiveCitations::new(bib, chapters, rules, index);
            return Reach::Everything;
        }
        let suggester = suggester(bib, rules, index);
        let labels = super::typst_labels(chapters);
        let new = ChapterCitations::of(bib, scan, &labels, rules, suggester.as_ref());
        let old = std::mem::replace(&mut self.chapters[at], new);
        // The entries whose count went to or from zero.
        let mut touched: Vec<EntryId> = old.resolved.clone();
        touched.extend(&self.chapters[at].resolved);
        touched.sort_unstable();
        touched.dedup();
        let before: Vec<bool> = touched
            .iter()
            .map(|id| self.cited[id.0 as usize] > 0)
            .collect();
        count(&mut self.cited, &mut self.keys, &old, -1);
        count(&mut self.cited, &mut self.keys, &self.chapters[at], 1);
        let crossed = touched
            .iter()
            .zip(before)
            .any(|(id, was)| (self.cited[id.0 as usize] > 0) != was);
        let cite_all = self.chapters.iter().any(|c| c.cite_all);
        if cite_all != self.cite_all {
            // Every entry's standing changes: made anew.
            *self = LiveCitations::new(bib, chapters, rules, index);
            Reach::Everything
        } else if crossed {
            self.used_changed(bib, rules);
            Reach::Bibliographies
        } else {
            Reach::Chapter
        }
    }

    /// The findings and counts, as [`super::check`] gives them; `bib` is
    /// the bibliography checked.
    pub fn into_outcome(self, bib: &Bibliography) -> CheckOutcome {
        let mut diagnostics = Vec::with_capacity(self.len());
        let help = self.unused_help;
        let (stats, unused) = self.move_into(&mut diagnostics);
        diagnostics.extend(unused.into_iter().map(|id| unused_entry(bib, id, help)));
        CheckOutcome { diagnostics, stats }
    }

    /// The findings moved to the end of `out` (in the order of
    /// [`LiveCitations::findings_held`]), but for `unused-entry`: most of a
    /// large bibliography's findings, given as the entries they are about
    /// (in entry order), to be kept that way until printed
    /// ([`crate::Findings`]). And the counts.
    pub(crate) fn move_into(self, out: &mut Vec<Diagnostic>) -> (Stats, Vec<EntryId>) {
        let stats = self.stats();
        out.reserve(self.held_len());
        for chapter in self.chapters {
            out.extend(chapter.findings);
        }
        out.extend(self.crossrefs);
        (stats, self.unused)
    }

    /// The help of the `unused-entry` findings.
    pub(crate) fn unused_help(&self) -> &'static str {
        self.unused_help
    }

    /// The findings held in full: each chapter's (`missing-entry` in text
    /// order, `citation-separator`), then `missing-crossref`. All but
    /// `unused-entry`, whose entries [`LiveCitations::unused`] gives.
    pub(crate) fn findings_held(&self) -> impl Iterator<Item = &Diagnostic> {
        (self.chapters.iter())
            .flat_map(|c| &c.findings)
            .chain(&self.crossrefs)
    }

    /// How many findings are held in full (all but `unused-entry`).
    pub(crate) fn held_len(&self) -> usize {
        self.len() - self.unused.len()
    }

    /// The entries `unused-entry` reports, in entry order.
    pub(crate) fn unused(&self) -> &[EntryId] {
        &self.unused
    }

    /// How many findings there are.
    pub fn len(&self) -> usize {
        self.chapters
            .iter()
            .map(|c| c.findings.len())
            .sum::<usize>()
            + self.crossrefs.len()
            + self.unused.len()
    }

    /// Whether there is no finding.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The counts.
    pub fn stats(&self) -> Stats {
        Stats {
            citations: self.chapters.iter().map(|c| c.keys.len()).sum(),
            cited_keys: self.keys.len(),
            entries: self.key_count,
            used_entries: if self.cite_all {
                self.key_count
            } else {
                self.used_count
            },
            left_out: 0,
            inline_references: 0,
        }
    }

    /// The used entries as the counts now make them.
    fn used_now(&self, bib: &Bibliography) -> Vec<bool> {
        let mut used = vec![false; bib.entries.len()];
        let mut stack = Vec::new();
        for (index, &count) in self.cited.iter().enumerate() {
            if count > 0 {
                mark(EntryId(index as u32), &mut used, &mut stack);
            }
        }
        pull_in_links(bib, &mut used, &mut stack);
        used
    }

    /// Some entry's count went to or from zero: the used entries made
    /// again, and the `unused-entry` findings of those whose standing
    /// changed added or taken away.
    fn used_changed(&mut self, bib: &Bibliography, rules: &RuleSet) {
        let used = self.used_now(bib);
        let unused_on = rules.is_on(Code::UnusedEntry);
        for (index, (&now, &was)) in used.iter().zip(&self.used).enumerate() {
            if now == was {
                continue;
            }
            let id = EntryId(index as u32);
            if now {
                self.used_count += 1;
            } else {
                self.used_count -= 1;
            }
            if !unused_on {
                continue;
            }
            let at = self.unused.partition_point(|&other| other < id);
            let listed = self.unused.get(at) == Some(&id);
            match (now, listed) {
                (true, true) => {
                    self.unused.remove(at);
                }
                (false, false) if reported_unused(bib, id, rules) => {
                    self.unused.insert(at, id);
                }
                _ => {}
            }
        }
        self.used = used;
    }
}

impl ChapterCitations {
    fn of(
        bib: &Bibliography,
        chapter: &ChapterScan,
        labels: &std::collections::HashSet<&str>,
        rules: &RuleSet,
        suggester: Option<&Suggester>,
    ) -> ChapterCitations {
        let (mut citations, unresolved) = ChapterCitations::resolved(bib, chapter, labels);
        citations.findings = findings(chapter, &unresolved, rules, suggester);
        citations
    }

    /// The chapter's citations resolved, without findings yet; and those
    /// that resolve to nothing.
    fn resolved<'c>(
        bib: &Bibliography,
        chapter: &'c ChapterScan,
        labels: &std::collections::HashSet<&str>,
    ) -> (ChapterCitations, Vec<(FileId, &'c Citation)>) {
        let mut resolved = Vec::new();
        let mut keys = Vec::new();
        let mut unresolved: Vec<(FileId, &Citation)> = Vec::new();
        let cited = chapter
            .output
            .citations
            .iter()
            .filter(|c| !(c.kind == CiteKind::TypstRef && labels.contains(c.key.as_ref())));
        let cited: Vec<&Citation> = cited.collect();
        let cited_keys: Vec<&str> = cited.iter().map(|c| &*c.key).collect();
        for (citation, found) in cited.iter().zip(bib.resolve_all(&cited_keys)) {
            keys.push(key_hash(&citation.key));
            match found {
                Some(id) => resolved.push(id),
                None => unresolved.push((chapter.file, *citation)),
            }
        }
        let citations = ChapterCitations {
            file: chapter.file,
            resolved,
            keys,
            findings: Vec::new(),
            cite_all: !chapter.output.cite_all.is_empty(),
            labels: chapter.output.labels.clone(),
        };
        (citations, unresolved)
    }
}

/// A chapter's own findings: `missing-entry` in text order, then
/// `citation-separator`.
fn findings(
    chapter: &ChapterScan,
    unresolved: &[(FileId, &Citation)],
    rules: &RuleSet,
    suggester: Option<&Suggester>,
) -> Vec<Diagnostic> {
    let mut findings = match suggester {
        Some(suggester) if rules.is_on(Code::MissingEntry) => {
            missing_entries(unresolved, suggester)
        }
        _ => Vec::new(),
    };
    if rules.is_on(Code::CitationSeparator) {
        findings.extend(super::comma_joined(chapter));
    }
    findings
}

/// Adds (`sign` 1) or takes away (-1) a chapter's citations.
fn count(cited: &mut [u32], keys: &mut FxHashMap<u64, u32>, chapter: &ChapterCitations, sign: i32) {
    for id in &chapter.resolved {
        let slot = &mut cited[id.0 as usize];
        *slot = slot.saturating_add_signed(sign);
    }
    for key in &chapter.keys {
        let slot = keys.entry(*key).or_default();
        *slot = slot.saturating_add_signed(sign);
        if *slot == 0 {
            keys.remove(key);
        }
    }
}

/// Did-you-mean, when a code that uses it is on.
fn suggester<'b>(
    bib: &'b Bibliography,
    rules: &RuleSet,
    index: &'b SuggestIndex,
) -> Option<Suggester<'b>> {
    (rules.is_on(Code::MissingEntry) || rules.is_on(Code::MissingCrossref))
        .then(|| Suggester::sharing(bib, index))
}

fn unused_help(rules: &RuleSet) -> &'static str {
    if rules.config_in_use() {
        "cite it, remove it, or list it under `allow-unused` in refkeeper.toml"
    } else {
        "cite it or remove it"
    }
}

/// A key, hashed: the distinct keys cited are only counted.
fn key_hash(key: &str) -> u64 {
    let mut hasher = FxHasher::default();
    key.hash(&mut hasher);
    hasher.finish()
}
