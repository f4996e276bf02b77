//! The check stage: pure functions from the bibliography and the scanned
//! chapters to diagnostics. Nothing here reads files or prints.
//!
//! Resolution follows biber: keys are case-sensitive; `ids` aliases resolve
//! to their entry; an entry is used when it is cited, when a used entry
//! names it in `crossref`, `xref`, `xdata` or `related`, or when it is a
//! member (`entryset`) of a used `@set`; `\nocite{*}` uses everything.

pub mod entries;
pub mod live;
pub mod rules;
pub mod suggest;

use std::collections::HashSet;
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::bib::{Bibliography, Entry, EntryId, Link};
use crate::diagnostic::{Code, Diagnostic};
use crate::scan::{Citation, CiteKind, ScanOutput};
use crate::source::FileId;
pub use live::{LiveCitations, Reach};
pub use rules::RuleSet;
use suggest::{SuggestIndex, Suggester};

/// One chapter file's citations.
#[derive(Debug, Clone)]
pub struct ChapterScan {
    /// The chapter.
    pub file: FileId,
    /// What the scanner found in it (shared with the session's scans).
    pub output: Arc<ScanOutput>,
}

/// Keys, exact or glob patterns (`R-*`): those that may stay uncited, or
/// whose findings of one code are ignored.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    keys: HashSet<String>,
    /// One set per list joined in ([`AllowList::union`]).
    patterns: Vec<GlobSet>,
}

impl AllowList {
    /// Builds the list; a pattern that is not a valid glob is an error.
    pub fn new<I, S>(entries: I) -> Result<Self, globset::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut keys = HashSet::new();
        let mut builder = GlobSetBuilder::new();
        let mut any_pattern = false;
        for entry in entries {
            let entry = entry.as_ref();
            if entry.contains(['*', '?', '[', '{']) {
                builder.add(Glob::new(entry)?);
                any_pattern = true;
            } else {
                keys.insert(entry.to_owned());
            }
        }
        let patterns = if any_pattern {
            vec![builder.build()?]
        } else {
            Vec::new()
        };
        Ok(AllowList { keys, patterns })
    }

    /// Whether the list names `key`.
    pub fn allows(&self, key: &str) -> bool {
        self.keys.contains(key) || self.patterns.iter().any(|p| p.is_match(key))
    }

    /// The keys and patterns of both lists.
    pub fn union(&self, other: &AllowList) -> AllowList {
        AllowList {
            keys: self.keys.union(&other.keys).cloned().collect(),
            patterns: self
                .patterns
                .iter()
                .chain(&other.patterns)
                .cloned()
                .collect(),
        }
    }
}

/// Counts worth reporting beside the diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Citations found in the chapters (every occurrence).
    pub citations: usize,
    /// Distinct keys cited.
    pub cited_keys: usize,
    /// Distinct entries in the bibliography.
    pub entries: usize,
    /// Entries used (cited directly or pulled in by a cited entry).
    pub used_entries: usize,
    /// Files found in the folders searched that no document reads.
    pub left_out: usize,
    /// Chapter files whose front matter lists entries (`references:`):
    /// bibliographies besides the bibliography files.
    pub inline_references: usize,
}

/// The outcome of a check, before configured levels are applied.
#[derive(Debug, Clone, Default)]
pub struct CheckOutcome {
    /// The findings, before the rules' levels and ignores.
    pub diagnostics: Vec<Diagnostic>,
    /// The counts.
    pub stats: Stats,
}

/// Checks every citation against the bibliography (`missing-entry`,
/// `unused-entry`), and the bibliography's links against itself
/// (`missing-crossref`). A code the rules turn off is not checked.
pub fn check(bib: &Bibliography, chapters: &[ChapterScan], rules: &RuleSet) -> CheckOutcome {
    check_sharing(bib, chapters, rules, &SuggestIndex::default())
}

/// [`check`], with the did-you-mean index of `bib` kept in `index` (built
/// there on first use, reused by later checks of the same bibliography).
pub fn check_sharing(
    bib: &Bibliography,
    chapters: &[ChapterScan],
    rules: &RuleSet,
    index: &SuggestIndex,
) -> CheckOutcome {
    LiveCitations::new(bib, chapters, rules, index).into_outcome(bib)
}

/// `missing-entry`: each citation of a key in no bibliography, with the
/// closest keys as help.
pub fn missing_entries(
    unresolved: &[(FileId, &Citation)],
    suggester: &Suggester,
) -> Vec<Diagnostic> {
    // Suggestions for each missing key once, all in one batch.
    let helps = suggester.helps_of(unresolved.iter().map(|(_, c)| c.key.as_ref()));
    unresolved
        .iter()
        .map(|(file, citation)| {
            Diagnostic::new(
                Code::MissingEntry,
                format!("`{}` is cited but is not in any bibliography", citation.key),
                *file,
                citation.span.clone(),
            )
            .with_key(citation.key.clone())
            .with_help_opt(helps.of(&citation.key))
        })
        .collect()
}

/// `citation-separator`: `[@a, @b]`, which Pandoc reads as `@a` with
/// `@b` in its suffix.
fn comma_joined(chapter: &ChapterScan) -> impl Iterator<Item = Diagnostic> + '_ {
    chapter.output.comma_joined.iter().map(|joined| {
        Diagnostic::new(
            Code::CitationSeparator,
            format!(
                "`@{second}` follows `@{first}` after a comma: Pandoc reads it as part of `@{first}`'s suffix",
                first = joined.first,
                second = joined.second
            ),
            chapter.file,
            joined.span.clone(),
        )
        .with_key(joined.second.clone())
        .with_help(format!(
            "separate citations with a semicolon: `[@{}; @{}]`",
            joined.first, joined.second
        ))
    })
}

/// `missing-crossref`: a `crossref`, `xref`, `xdata`, `entryset` or
/// `related` target in no bibliography.
fn missing_crossrefs(bib: &Bibliography, suggester: &Suggester) -> Vec<Diagnostic> {
    let missing: Vec<(&Entry, &Link)> = (bib.entries.iter())
        .filter(|e| e.duplicate_of().is_none())
        .flat_map(|entry| entry.links().iter().map(move |link| (entry, link)))
        .filter(|(_, link)| bib.resolve(&link.target.key).is_none())
        .collect();
    // Their targets looked up at once (see `Suggester::help_all`).
    let helps = suggester.helps_of(missing.iter().map(|(_, l)| &*l.target.key));
    missing
        .into_iter()
        .map(|(entry, link)| {
            let field = link.kind.field_name();
            Diagnostic::new(
                Code::MissingCrossref,
                format!(
                    "`{field}` of `{}` names `{}`, which is not in any bibliography",
                    bib.key(entry),
                    link.target.key
                ),
                entry.file,
                link.target.span.clone(),
            )
            .with_key(link.target.key.clone())
            .with_help_opt(helps.of(&link.target.key))
        })
        .collect()
}

/// The entries nobody uses, as `unused-entry` reports them: not used (see
/// [`used_entries`]), not a second definition of a key, not broken, and
/// not ignored by the rules (`allow-unused`). Without `\nocite{*}`.
pub fn unused<'b>(
    bib: &'b Bibliography,
    used: &'b [bool],
    rules: &'b RuleSet,
) -> impl Iterator<Item = EntryId> + 'b {
    (0..bib.entries.len())
        .map(|index| EntryId(index as u32))
        .filter(move |&id| !used[id.0 as usize] && reported_unused(bib, id, rules))
}

/// Whether `unused-entry` reports an entry when nothing uses it: not a
/// second definition of a key, not broken, not ignored by the rules.
fn reported_unused(bib: &Bibliography, id: EntryId, rules: &RuleSet) -> bool {
    let entry = bib.entry(id);
    entry.duplicate_of().is_none()
        && !entry.broken
        && !rules.ignores(Code::UnusedEntry, bib.key(entry))
}

/// `unused-entry` on one entry.
fn unused_entry(bib: &Bibliography, id: EntryId, help: &'static str) -> Diagnostic {
    let entry = bib.entry(id);
    let mut message = String::new();
    crate::findings::unused_message(bib.key(entry), &mut message);
    Diagnostic::new(Code::UnusedEntry, message, entry.file, entry.key_span())
        .with_key(bib.key(entry))
        .with_help(help)
}

/// Labels defined in Typst files: a Typst `@name` is a cross-reference,
/// not a citation, when some Typst file defines `<name>`.
fn typst_labels(chapters: &[ChapterScan]) -> HashSet<&str> {
    chapters
        .iter()
        .flat_map(|c| c.output.labels.iter().map(String::as_str))
        .collect()
}

/// Every citation of the chapters, with its file, in order; a Typst `@name`
/// whose label some Typst file defines is a cross-reference and left out.
pub fn citations_of(chapters: &[ChapterScan]) -> impl Iterator<Item = (FileId, &Citation)> {
    let labels = std::rc::Rc::new(typst_labels(chapters));
    chapters.iter().flat_map(move |chapter| {
        let labels = std::rc::Rc::clone(&labels);
        chapter
            .output
            .citations
            .iter()
            .filter(move |c| !(c.kind == CiteKind::TypstRef && labels.contains(c.key.as_ref())))
            .map(move |c| (chapter.file, c))
    })
}

/// Whether some chapter cites every entry (`\nocite{*}`, `nocite: '@*'`).
pub fn cites_all(chapters: &[ChapterScan]) -> bool {
    chapters.iter().any(|c| !c.output.cite_all.is_empty())
}

/// The entries cited, in the order of their first citation (chapters in
/// the order given, citations in text order), each once; keys that name
/// no entry are returned apart. A cited `@set` stands for its members.
pub fn cited_in_order<'c>(
    bib: &Bibliography,
    chapters: &'c [ChapterScan],
) -> (Vec<EntryId>, Vec<&'c str>) {
    let mut seen = vec![false; bib.entries.len()];
    let mut order = Vec::new();
    let mut missing = Vec::new();
    let mut push = |id: EntryId, order: &mut Vec<EntryId>| {
        if !std::mem::replace(&mut seen[id.0 as usize], true) {
            order.push(id);
        }
    };
    for (_, citation) in citations_of(chapters) {
        let Some(id) = bib.resolve(&citation.key) else {
            missing.push(citation.key.as_ref());
            continue;
        };
        let entry = bib.entry(id);
        if entry.kind() == "set" {
            for member in entry
                .links()
                .iter()
                .filter(|l| l.kind == crate::bib::LinkKind::Entryset)
            {
                if let Some(member) = bib.resolve(&member.target.key) {
                    push(member, &mut order);
                }
            }
        } else {
            push(id, &mut order);
        }
    }
    (order, missing)
}

/// Which entries the chapters use: cited (through `ids` aliases too), or
/// named by a used entry's crossref, xref, xdata, entryset or related; all
/// of them under `\nocite{*}`. Indexed like [`Bibliography::entries`].
pub fn used_entries(bib: &Bibliography, chapters: &[ChapterScan]) -> Vec<bool> {
    if cites_all(chapters) {
        return bib
            .entries
            .iter()
            .map(|e| e.duplicate_of().is_none())
            .collect();
    }
    let mut used = vec![false; bib.entries.len()];
    let mut stack = Vec::new();
    for (_, citation) in citations_of(chapters) {
        if let Some(id) = bib.resolve(&citation.key) {
            mark(id, &mut used, &mut stack);
        }
    }
    pull_in_links(bib, &mut used, &mut stack);
    used
}

/// Whatever a used entry links to is used too.
fn pull_in_links(bib: &Bibliography, used: &mut [bool], stack: &mut Vec<EntryId>) {
    while let Some(id) = stack.pop() {
        for link in bib.entry(id).links() {
            if let Some(target) = bib.resolve(&link.target.key) {
                mark(target, used, stack);
            }
        }
    }
}

fn mark(id: EntryId, used: &mut [bool], stack: &mut Vec<EntryId>) {
    let slot = &mut used[id.0 as usize];
    if !*slot {
        *slot = true;
        stack.push(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bib::BibInput;
    use crate::document::DocumentKind;
    use crate::scan::{ScanOptions, scan};

    fn run(bib_text: &str, chapter: &str, format: DocumentKind) -> Vec<(Code, String)> {
        run_with(bib_text, chapter, format, &AllowList::default())
    }

    fn run_with(
        bib_text: &str,
        chapter: &str,
        format: DocumentKind,
        allow: &AllowList,
    ) -> Vec<(Code, String)> {
        let (bib, _) = Bibliography::read(&[BibInput::bib(FileId(0), bib_text)]);
        let output = scan(chapter, format, &ScanOptions::default());
        let config = crate::config::Config {
            allow_unused: allow.clone(),
            ..Default::default()
        };
        let outcome = check(
            &bib,
            &[ChapterScan {
                file: FileId(1),
                output: Arc::new(output),
            }],
            &RuleSet::from_config(&config),
        );
        let mut found: Vec<(Code, String)> = outcome
            .diagnostics
            .into_iter()
            .map(|d| (d.code, d.key.unwrap_or_default()))
            .collect();
        found.sort();
        found
    }

    fn pairs(list: &[(Code, &str)]) -> Vec<(Code, String)> {
        list.iter().map(|(c, k)| (*c, k.to_string())).collect()
    }

    #[test]
    fn missing_and_unused_entries() {
        let found = run("@book{a,}@book{b,}", "[@a; @c]", DocumentKind::Markdown);
        assert_eq!(
            found,
            pairs(&[(Code::MissingEntry, "c"), (Code::UnusedEntry, "b")])
        );
    }

    #[test]
    fn a_clean_project_has_no_findings() {
        assert!(run("@book{a,}@book{b,}", "\\cite{a,b}", DocumentKind::Latex).is_empty());
    }

    #[test]
    fn crossref_xdata_and_sets_use_their_targets() {
        let bib = "@inbook{child, crossref = {parent}, xdata = {pub}}@book{parent,}@xdata{pub,}\
                   @set{s, entryset = {m1, m2}}@article{m1,}@article{m2,}";
        assert!(run(bib, "\\cite{child} \\cite{s}", DocumentKind::Latex).is_empty());
        let found = run(bib, "\\cite{child}", DocumentKind::Latex);
        assert_eq!(
            found,
            pairs(&[
                (Code::UnusedEntry, "m1"),
                (Code::UnusedEntry, "m2"),
                (Code::UnusedEntry, "s")
            ])
        );
    }

    #[test]
    fn a_missing_link_target_is_an_error() {
        let found = run(
            "@inbook{child, crossref = {nowhere}}",
            "\\cite{child}",
            DocumentKind::Latex,
        );
        assert_eq!(found, pairs(&[(Code::MissingCrossref, "nowhere")]));
    }

    #[test]
    fn aliases_resolve_citations_of_old_keys() {
        assert!(run("@book{new, ids = {old}}", "@old", DocumentKind::Markdown).is_empty());
    }

    #[test]
    fn nocite_star_silences_unused_entries() {
        assert!(run("@book{a,}@book{b,}", "\\nocite{*}", DocumentKind::Latex).is_empty());
        assert!(
            run(
                "@book{a,}",
                "---\nnocite: '@*'\n---\n",
                DocumentKind::Markdown
            )
            .is_empty()
        );
    }

    #[test]
    fn the_allow_list_takes_keys_and_patterns() {
        let allow = AllowList::new(["R-*", "keep"]).unwrap();
        let found = run_with(
            "@book{R-base,}@book{keep,}@book{drop,}",
            "",
            DocumentKind::Markdown,
            &allow,
        );
        assert_eq!(found, pairs(&[(Code::UnusedEntry, "drop")]));
    }

    #[test]
    fn typst_references_to_labels_are_not_citations() {
        let found = run(
            "@book{a,}",
            "= Intro <intro>\nSee @intro and @a and @b.",
            DocumentKind::Typst,
        );
        assert_eq!(found, pairs(&[(Code::MissingEntry, "b")]));
    }

    #[test]
    fn keys_are_case_sensitive_with_a_helpful_hint() {
        let (bib, _) = Bibliography::read(&[BibInput::bib(FileId(0), "@misc{Scott70,}")]);
        let output = scan(
            "\\cite{scott70}",
            DocumentKind::Latex,
            &ScanOptions::default(),
        );
        let outcome = check(
            &bib,
            &[ChapterScan {
                file: FileId(1),
                output: Arc::new(output),
            }],
            &RuleSet::default(),
        );
        let missing = outcome
            .diagnostics
            .iter()
            .find(|d| d.code == Code::MissingEntry)
            .unwrap();
        assert!(
            missing
                .help
                .as_deref()
                .unwrap()
                .contains("`Scott70`? Keys are case-sensitive")
        );
        assert!(
            outcome
                .diagnostics
                .iter()
                .any(|d| d.code == Code::UnusedEntry)
        );
    }
}
