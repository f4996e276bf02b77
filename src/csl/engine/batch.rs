//! Batching: the entries in the bibliography's order (refkeeper's own
//! sort, or the style's where refkeeper cannot foresee it) rendered by
//! hayagriva in chunks, in parallel, with the seams between chunks checked.

use super::Engine;
use super::entry::{Which, to_entry};
use super::post::collect_text;
use crate::bib::value::date::DateValue;
use crate::csl::mapping::CslItem;
use crate::csl::sort::SortPlan;
use hayagriva::citationberg::taxonomy::{NumberVariable, Variable};
use hayagriva::citationberg::{IndependentStyle, SortKey};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild,
    ElemChildren, Entry,
};
use rayon::prelude::*;
use std::collections::HashMap;

/// Entries per hayagriva run: small enough that its per-entry lookups stay
/// cheap and two cores share the work, large enough that few seams need
/// checking.
pub(super) const CHUNK_SIZE: usize = 400;

/// The items in roughly the order of an author-date style's bibliography
/// sort (names, year, title), if the style sorts its bibliography.
///
/// hayagriva renders the sort keys anew for every comparison, which made
/// sorting half of the work on large bibliographies; its sort (a stable
/// merge sort that finds runs already in order) needs only about one
/// comparison per entry on input that is nearly sorted. Entries this order
/// cannot tell apart keep their input order, as the style's sort keeps it.
pub(super) fn presorted<'i>(style: &IndependentStyle, items: &'i [CslItem]) -> Vec<&'i CslItem> {
    let mut sorted: Vec<&CslItem> = items.iter().collect();
    let Some(sort) = style.bibliography.as_ref().and_then(|b| b.sort.as_ref()) else {
        return sorted;
    };
    // A key on the citation number keeps the order of citation (IET,
    // ISO 690 numeric): sorting here would renumber the entries, since
    // hayagriva numbers them in the order they are cited.
    let by_number = sort.keys.iter().any(|key| {
        matches!(
            key,
            SortKey::Variable {
                variable: Variable::Number(NumberVariable::CitationNumber),
                ..
            }
        )
    });
    if by_number {
        return sorted;
    }
    let key = |item: &CslItem| {
        let names = [&item.author, &item.editor, &item.translator]
            .into_iter()
            .find(|list| !list.names.is_empty())
            .map(|list| {
                let mut key = String::new();
                for (index, n) in list.names.iter().enumerate() {
                    match &n.literal {
                        Some(literal) => key.push_str(&sort_text(literal)),
                        None => {
                            // hayagriva's sort keys print names in full.
                            key.push_str(&sort_text(&n.family));
                            key.push(' ');
                            key.push_str(&sort_text(&n.given));
                        }
                    }
                    key.push('\u{1}');
                    if index + 2 == list.names.len() {
                        // "& " or "and " before the last name sorts before
                        // a further name.
                        key.push('\u{2}');
                    }
                }
                key
            });
        let year = item
            .issued
            .as_ref()
            .and_then(DateValue::start)
            .map(|d| d.year);
        let title = item.title.as_ref().map(|t| sort_text(&t.text()));
        // Entries without names sort by title, as the styles substitute it.
        (names.or_else(|| title.clone()), year, title)
    };
    sorted.sort_by_cached_key(|item| key(item));
    sorted
}

/// Text as a collation compares it, roughly: lowercase, without accents,
/// punctuation before letters and digits.
pub(super) fn sort_text(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect()
}

/// What one hayagriva run yields.
pub(super) struct Run {
    pub(super) bibliography: Vec<(String, Option<ElemChild>, ElemChildren)>,
    pub(super) cites: HashMap<String, String>,
}

impl Engine {
    /// The items in the order of the style's bibliography sort (see
    /// [`SortPlan`]).
    pub(super) fn sorted<'i>(&self, plan: &SortPlan, items: &'i [CslItem]) -> Vec<&'i CslItem> {
        let entries: Vec<Entry> = items
            .iter()
            .map(|i| to_entry(i, Which::Start, &self.twins))
            .collect();
        // Each run of keys appends its keys to the entry's text.
        let mut texts: HashMap<String, String> = HashMap::new();
        for keys_style in &plan.keys_styles {
            for (key, _, body) in self.run(keys_style, &entries).bibliography {
                collect_text(&body, texts.entry(key).or_default());
            }
        }
        let texts: Vec<String> = items
            .iter()
            .map(|i| texts.remove(&i.id).unwrap_or_default())
            .collect();
        let locale = self
            .locale
            .as_ref()
            .or(self.style.default_locale.as_ref())
            .map(|l| l.0.as_str());
        plan.order(&texts, locale)
            .into_iter()
            .map(|index| &items[index])
            .collect()
    }

    /// Renders entries, cited once each in the given order: the bibliography
    /// in the style's order, and each entry's cite as plain text.
    ///
    /// Large bibliographies are rendered in chunks, in parallel: hayagriva
    /// does per entry work that grows with the number of entries (it looks
    /// each one up in a list), and entries do not depend on each other once
    /// refkeeper does disambiguation and author substitution itself.
    /// Numbers go on from chunk to chunk. In a style that sorts, the chunks
    /// (of entries already presorted) must also follow each other in the
    /// style's order: each seam is checked by sorting its two entries, and
    /// if one is out of order the whole is rendered in one piece.
    pub(super) fn run(&self, style: &IndependentStyle, entries: &[Entry]) -> Run {
        let size = self.chunk_size;
        if entries.len() <= size {
            return self.run_chunk(style, entries, 0);
        }
        let runs: Vec<Run> = entries
            .par_chunks(size)
            .enumerate()
            .map(|(i, chunk)| self.run_chunk(style, chunk, i * size))
            .collect();
        let sorts = style
            .bibliography
            .as_ref()
            .is_some_and(|b| b.sort.is_some());
        if sorts {
            let by_key: HashMap<&str, &Entry> = entries.iter().map(|e| (e.key(), e)).collect();
            let in_order = runs.windows(2).all(|pair| {
                let (Some(last), Some(first)) =
                    (pair[0].bibliography.last(), pair[1].bibliography.first())
                else {
                    return true;
                };
                let seam = [
                    by_key[last.0.as_str()].clone(),
                    by_key[first.0.as_str()].clone(),
                ];
                let sorted = self.run_chunk(style, &seam, 0).bibliography;
                sorted.first().is_some_and(|(key, _, _)| *key == last.0)
            });
            if !in_order {
                return self.run_chunk(style, entries, 0);
            }
        }
        let mut whole = Run {
            bibliography: Vec::with_capacity(entries.len()),
            cites: HashMap::with_capacity(entries.len()),
        };
        for run in runs {
            whole.bibliography.extend(run.bibliography);
            whole.cites.extend(run.cites);
        }
        whole
    }

    /// One hayagriva run; numbers start after `offset`.
    pub(super) fn run_chunk(
        &self,
        style: &IndependentStyle,
        entries: &[Entry],
        offset: usize,
    ) -> Run {
        let mut driver = BibliographyDriver::new().with_citation_number_offset(offset);
        for entry in entries {
            driver.citation(CitationRequest::new(
                vec![CitationItem::with_entry(entry)],
                style,
                self.locale.clone(),
                &self.locales,
                None,
            ));
        }
        let rendered = driver.finish(BibliographyRequest::new(
            style,
            self.locale.clone(),
            &self.locales,
        ));
        let cites = entries
            .iter()
            .zip(&rendered.citations)
            .map(|(entry, cite)| {
                let mut text = String::new();
                collect_text(&cite.citation, &mut text);
                (entry.key().to_owned(), text)
            })
            .collect();
        let bibliography = rendered
            .bibliography
            .map(|b| {
                b.items
                    .into_iter()
                    .map(|i| (i.key, i.first_field, i.content))
                    .collect()
            })
            .unwrap_or_default();
        Run {
            bibliography,
            cites,
        }
    }
}
