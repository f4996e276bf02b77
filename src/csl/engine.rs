//! The CSL engine: `hayagriva` does the style evaluation; this module
//! loads styles, turns [`CslItem`]s into hayagriva entries, and flattens
//! the rendered element tree into styled [`Piece`]s for the writers.
//!
//! hayagriva has no rich text in field values and no date ranges. Rich
//! text travels through it as private-use marker characters around styled
//! runs (which case changes leave alone) and comes back as formatting that
//! flips against the style's own italics, as citeproc's `<i>` does. A date
//! range is rendered twice, once with each end, and the two date texts are
//! merged (`2007–2008`, `November–December 2007`).

use std::borrow::Cow;

use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::taxonomy::{
    NameVariable, OtherTerm, Season, StandardVariable, Term, Variable,
};
use hayagriva::citationberg::{
    IndependentStyle, LayoutRenderingElement, Locale, LocaleCode, Names as CslNames, NamesChild,
    Style as CslStyle, SubsequentAuthorSubstituteRule, Text, TextTarget,
};
use hayagriva::types::{
    ChunkKind, ChunkedString, Date, EntryType, FormatString, MaybeTyped, Numeric, PageRanges,
    Person, PersonRole, PersonsWithRoles, Publisher, QualifiedUrl, StringChunk,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild,
    ElemChildren, ElemMeta, Entry,
};

use super::disambiguate;
use super::mapping::{CslItem, CslType};
use super::sort::SortPlan;
use super::style_fixes;
use crate::bib::value::date::{DatePart, DateValue};
use crate::bib::value::latex::{Rich, Style};
use crate::bib::value::names::{self, Names};

/// A run of rendered text with its formatting, and a link target if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub style: Style,
    pub link: Option<String>,
}

/// The References and what the engine could not do.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub references: Vec<Reference>,
    pub notes: Vec<String>,
}

/// Renders in progress (on any thread, rayon's workers included).
static RENDERING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs `f`, turning a panic into `None`. The process's panic hook is
/// left alone (a library must not replace it inside someone else's
/// process): the panic is printed as the host prints panics, unless the
/// host opted into [`isolate_panics`].
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    use std::sync::atomic::Ordering;
    RENDERING.fetch_add(1, Ordering::SeqCst);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    RENDERING.fetch_sub(1, Ordering::SeqCst);
    result.ok()
}

/// For a program that formats References and nothing else at the same
/// time (the `refkeeper` binary): installs, once, a panic hook that stays
/// silent while the engine renders, since [`Engine::render`] catches
/// hayagriva's panics and reports what it could not format; other panics
/// reach the hook that was there before.
pub fn isolate_panics() {
    use std::sync::atomic::Ordering;
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if RENDERING.load(Ordering::SeqCst) == 0 {
                previous(info);
            }
        }));
    });
}

/// One formatted reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub key: String,
    /// The label of styles that align it apart (`[1]` in IEEE).
    pub label: Option<Vec<Piece>>,
    pub body: Vec<Piece>,
}

/// Why a style cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StyleError {
    #[error("unknown style `{0}`")]
    Unknown(String),
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error(
        "{path}: a dependent style whose parent `{parent}` is not bundled; use the parent's .csl file"
    )]
    UnknownParent { path: String, parent: String },
    #[error("style `{0}` has no bibliography")]
    NoBibliography(String),
}

/// Short names users type, for bundled styles whose archive names are long.
const ALIASES: &[(&str, &str)] = &[
    ("mla", "modern-language-association"),
    ("harvard", "harvard-cite-them-right"),
];

/// The bundled styles that can format References: (name to type, full
/// name). Styles with citations only (`alphanumeric`) are left out.
pub fn bundled_styles() -> Vec<(String, &'static str)> {
    let mut styles: Vec<(String, &'static str)> = ArchivedStyle::all()
        .iter()
        .filter(|s| matches!(s.get(), CslStyle::Independent(style) if style.bibliography.is_some()))
        // Every name a style answers to: `apa` as well as
        // `american-psychological-association`.
        .flat_map(|s| {
            s.names()
                .iter()
                .map(|n| ((*n).to_owned(), s.display_name()))
        })
        .collect();
    for (alias, target) in ALIASES {
        if let Some(style) = ArchivedStyle::by_name(target) {
            styles.push(((*alias).to_owned(), style.display_name()));
        }
    }
    styles.sort();
    styles
}

/// A style and locale, ready to format references.
pub struct Engine {
    /// The style, with hayagriva's disambiguation and substitution off.
    style: IndependentStyle,
    locales: Vec<Locale>,
    locale: Option<LocaleCode>,
    /// The locale's `punctuation-in-quote` option.
    punctuation_in_quote: bool,
    /// The locale's "no date" term (`n.d.`) where the style gives it a year
    /// suffix for undated entries, and what joins the two.
    no_date: Option<(String, String)>,
    /// The `initialize-with` string of a style that shows given names in
    /// full and normalises initials in them (see
    /// `style_fixes::normalizing_initials`).
    normalized_initials: Option<String>,
    /// Name variables whose `cs:choose` tests read a twin, with the role
    /// that fills the twin (see `style_fixes::condition_twins`).
    twins: Vec<(NameVariable, Variable)>,
    /// The style's disambiguation, which refkeeper applies itself.
    disambiguation: disambiguate::Settings,
    /// The bibliography's `subsequent-author-substitute`, applied likewise,
    /// and the name variables it compares (see [`compared_names`]).
    substitute: Option<(String, SubsequentAuthorSubstituteRule, Vec<NameVariable>)>,
    /// How many entries one hayagriva run renders (see [`Engine::run`]).
    chunk_size: usize,
    /// The bibliography's sort, which refkeeper applies itself where it
    /// can (the style's own is then switched off).
    sort_plan: Option<SortPlan>,
}

/// Entries per hayagriva run: small enough that its per-entry lookups stay
/// cheap and two cores share the work, large enough that few seams need
/// checking.
const CHUNK_SIZE: usize = 400;

impl Engine {
    /// `style` is a bundled name (`apa`, `ieee`, ...) or a `.csl` file path.
    pub fn new(style: &str, locale: Option<&str>) -> Result<Engine, StyleError> {
        let mut style = load_style(style)?;
        style_fixes::apply(&mut style);
        // refkeeper disambiguates itself (see `disambiguate`): hayagriva's
        // own hands out year suffixes in citation order, lets expanded
        // citation names leak into entries ("Hon, Stello, & Yu. (2018)")
        // and can panic while disambiguating given names.
        let citation = &mut style.citation;
        let disambiguation = disambiguate::Settings {
            add_names: std::mem::take(&mut citation.disambiguate_add_names),
            add_givenname: std::mem::take(&mut citation.disambiguate_add_givenname),
            add_year_suffix: std::mem::take(&mut citation.disambiguate_add_year_suffix),
            givenname_rule: citation.givenname_disambiguation_rule,
            et_al_min: citation.name_options.et_al_min,
            et_al_use_first: citation.name_options.et_al_use_first,
        };
        let compared = compared_names(&style);
        let substitute = style.bibliography.as_mut().and_then(|b| {
            b.subsequent_author_substitute
                .take()
                .map(|s| (s, b.subsequent_author_substitute_rule, compared))
        });
        if style.bibliography.is_none() {
            return Err(StyleError::NoBibliography(style.info.title.value.clone()));
        }
        let locales = hayagriva::archive::locales();
        let locale = locale.map(|l| LocaleCode(l.to_owned()));
        let suffixed_no_date = style_fixes::no_date_year_suffix(&mut style);
        let normalized_initials = style_fixes::normalizing_initials(&mut style);
        let twins = style_fixes::condition_twins(&mut style);
        let sort_plan = SortPlan::new(&style);
        if let (Some(_), Some(bibliography)) = (&sort_plan, &mut style.bibliography) {
            bibliography.sort = None;
        }
        let chain = locale_chain(&style, &locales, locale.as_ref());
        let punctuation_in_quote = chain
            .iter()
            .find_map(|l| l.style_options.and_then(|o| o.punctuation_in_quote))
            .unwrap_or(false);
        let no_date = suffixed_no_date.and_then(|(form, joiner)| {
            chain
                .iter()
                .find_map(|l| l.term(Term::Other(OtherTerm::NoDate), form))
                .and_then(|term| term.single())
                .map(|term| (term.to_owned(), joiner))
        });
        Ok(Engine {
            style,
            locales,
            locale,
            punctuation_in_quote,
            no_date,
            normalized_initials,
            twins,
            disambiguation,
            substitute,
            chunk_size: CHUNK_SIZE,
            sort_plan,
        })
    }

    /// Renders at most `size` entries per hayagriva run (tests compare
    /// chunked and whole renders; the output must not depend on it).
    #[doc(hidden)]
    pub fn with_chunk_size(mut self, size: usize) -> Engine {
        self.chunk_size = size.max(1);
        self
    }

    /// Formats the items; the result is in the style's order, with notes
    /// on anything the engine could not do.
    ///
    /// hayagriva can panic on some inputs (an index out of bounds in its
    /// given-name disambiguation was seen on a real 453-entry thesis, before
    /// that was switched off). A panic must not take refkeeper down: the
    /// render is retried entry by entry, and the retreat is reported.
    pub fn render(&self, items: &[CslItem]) -> Rendered {
        if let Some(references) = quietly(|| self.render_with(&self.style, items)) {
            return Rendered {
                references,
                notes: Vec::new(),
            };
        }
        let mut references = Vec::new();
        let mut notes = vec![
            "the CSL engine (hayagriva) failed on this bibliography; entries were formatted one by one (no numbering or year suffixes across entries)".to_owned(),
        ];
        for item in items {
            match quietly(|| self.render_with(&self.style, std::slice::from_ref(item))) {
                Some(mut one) => references.append(&mut one),
                None => notes.push(format!(
                    "the CSL engine (hayagriva) failed on entry `{}`; it is left out",
                    item.id
                )),
            }
        }
        Rendered { references, notes }
    }

    fn render_with(&self, style: &IndependentStyle, items: &[CslItem]) -> Vec<Reference> {
        // Names as written, before initials are normalised.
        let as_written: HashMap<&str, &CslItem> =
            items.iter().map(|i| (i.id.as_str(), i)).collect();
        let normalized;
        let items = match &self.normalized_initials {
            Some(terminator) => {
                normalized = with_normalized_initials(items, terminator);
                &normalized[..]
            }
            None => items,
        };
        let by_key: HashMap<&str, &CslItem> = items.iter().map(|i| (i.id.as_str(), i)).collect();
        let ordered = match &self.sort_plan {
            Some(plan) => self.sorted(plan, items),
            None => presorted(style, items),
        };
        let entries: Vec<Entry> = ordered
            .into_iter()
            .map(|i| to_entry(i, Which::Start, &self.twins))
            .collect();
        let Run {
            mut bibliography,
            cites,
        } = self.run(style, &entries);

        // CSL disambiguation, over the cites hayagriva rendered plainly.
        let candidates: Vec<disambiguate::Candidate> = bibliography
            .iter()
            .enumerate()
            .filter_map(|(order, (key, _, _))| {
                let item = by_key.get(key.as_str())?;
                Some(disambiguate::Candidate {
                    key: key.as_str(),
                    cite: cites.get(key).cloned().unwrap_or_default(),
                    names: cite_names(item),
                    order,
                })
            })
            .collect();
        let outcomes = disambiguate::disambiguate(&candidates, self.disambiguation);

        // Entries whose cites needed more names show as many, as in citeproc-js.
        let bib_options = style
            .bibliography
            .as_ref()
            .map(|b| b.name_options.clone())
            .unwrap_or_default();
        let mut expanded: HashMap<usize, Vec<&str>> = HashMap::new();
        for (key, outcome) in &outcomes {
            let (Some(shown), Some(item)) = (outcome.names_shown, by_key.get(key.as_str())) else {
                continue;
            };
            let total = cite_names(item).len();
            let truncated = bib_options
                .et_al_min
                .is_some_and(|min| total >= min as usize);
            let first = bib_options.et_al_use_first.map_or(total, |f| f as usize);
            if truncated && shown > first {
                expanded.entry(shown).or_default().push(key.as_str());
            }
        }
        for (shown, keys) in expanded {
            let mut wider = style.clone();
            if let Some(b) = &mut wider.bibliography {
                b.name_options.et_al_use_first = Some(shown as u32);
            }
            let subset: Vec<Entry> = keys
                .iter()
                .map(|k| to_entry(by_key[k], Which::Start, &self.twins))
                .collect();
            let bodies: HashMap<String, ElemChildren> = self
                .run(&wider, &subset)
                .bibliography
                .into_iter()
                .map(|(k, _, body)| (k, body))
                .collect();
            for (key, _, body) in &mut bibliography {
                if let Some(wide) = bodies.get(key.as_str()) {
                    *body = wide.clone();
                }
            }
        }

        // Date ranges: render again with the end of each range.
        let ranged: Vec<&CslItem> = items
            .iter()
            .filter(|i| i.issued.as_ref().is_some_and(is_range))
            .collect();
        let ends: HashMap<String, ElemChildren> = if ranged.is_empty() {
            HashMap::new()
        } else {
            let end_entries: Vec<Entry> = ranged
                .iter()
                .map(|i| to_entry(i, Which::End, &self.twins))
                .collect();
            self.run(style, &end_entries)
                .bibliography
                .into_iter()
                .map(|(key, _, body)| (key, body))
                .collect()
        };

        let mut previous_names: Option<NamesText> = None;
        bibliography
            .into_iter()
            .map(|(key, label, body)| {
                let item = by_key.get(key.as_str()).copied();
                let mut edits = Edits::for_item(item);
                let starts = date_texts(&body);
                if let (Some(item), Some(other)) = (item, ends.get(&key)) {
                    let open_end = matches!(item.issued, Some(DateValue::Range(_, None)));
                    for (i, (start, end)) in starts.iter().zip(date_texts(other)).enumerate() {
                        if open_end {
                            edits.dates.insert(i, format!("{start}\u{2013}"));
                        } else if *start != end {
                            edits.dates.insert(i, merge_range(start, &end));
                        }
                    }
                }
                let suffix = outcomes.get(&key).and_then(|o| o.year_suffix.as_deref());
                if let (Some(suffix), Some(year)) = (
                    suffix,
                    item.and_then(|i| i.issued.as_ref())
                        .and_then(DateValue::start),
                ) {
                    let text = edits
                        .dates
                        .get(&0)
                        .cloned()
                        .or_else(|| starts.first().cloned())
                        .unwrap_or_default();
                    if let Some(with_suffix) = insert_year_suffix(&text, year.year, suffix) {
                        edits.dates.insert(0, with_suffix);
                    }
                } else if let (Some(suffix), Some((no_date, joiner))) = (suffix, &self.no_date) {
                    edits.no_date = Some((no_date.clone(), format!("{no_date}{joiner}{suffix}")));
                }
                if let Some((substitute, rule, compared)) = &self.substitute {
                    // As in citeproc-js, only names of the variables it
                    // compares take part: an entry by editors neither gets
                    // "———" nor counts as the entry before the next.
                    let names = first_names(&body)
                        .filter(|n| n.variables.iter().all(|v| compared.contains(v)))
                        .map(|n| n.with_names_as_written(as_written.get(key.as_str()).copied()));
                    if let Some(names) = names {
                        if let Some(previous) = &previous_names {
                            edits.names = substitution(&names, previous, substitute, *rule);
                        }
                        previous_names = Some(names);
                    }
                }
                let english = item.is_none_or(|i| {
                    i.language
                        .as_deref()
                        .is_none_or(|l| l == "en" || l.starts_with("en-"))
                });
                // Punctuation moves into quotes only in English items, as in citeproc-js.
                reference(
                    key,
                    label,
                    &body,
                    &edits,
                    self.punctuation_in_quote && english,
                )
            })
            .collect()
    }

    /// The items in the order of the style's bibliography sort (see
    /// [`SortPlan`]).
    fn sorted<'i>(&self, plan: &SortPlan, items: &'i [CslItem]) -> Vec<&'i CslItem> {
        let entries: Vec<Entry> = items
            .iter()
            .map(|i| to_entry(i, Which::Start, &self.twins))
            .collect();
        let mut texts: HashMap<String, String> = self
            .run(&plan.keys_style, &entries)
            .bibliography
            .into_iter()
            .map(|(key, _, body)| {
                let mut text = String::new();
                collect_text(&body, &mut text);
                (key, text)
            })
            .collect();
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
    fn run(&self, style: &IndependentStyle, entries: &[Entry]) -> Run {
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
    fn run_chunk(&self, style: &IndependentStyle, entries: &[Entry], offset: usize) -> Run {
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

/// The items in roughly the order of an author-date style's bibliography
/// sort (names, year, title), if the style sorts its bibliography.
///
/// hayagriva renders the sort keys anew for every comparison, which made
/// sorting half of the work on large bibliographies; its sort (a stable
/// merge sort that finds runs already in order) needs only about one
/// comparison per entry on input that is nearly sorted. Entries this order
/// cannot tell apart keep their input order, as the style's sort keeps it.
fn presorted<'i>(style: &IndependentStyle, items: &'i [CslItem]) -> Vec<&'i CslItem> {
    let mut sorted: Vec<&CslItem> = items.iter().collect();
    if style.bibliography.as_ref().is_none_or(|b| b.sort.is_none()) {
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
fn sort_text(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect()
}

/// What one hayagriva run yields.
struct Run {
    bibliography: Vec<(String, Option<ElemChild>, ElemChildren)>,
    cites: HashMap<String, String>,
}

/// The names a cite shows: the author, else the editor, else the translator.
fn cite_names(item: &CslItem) -> Vec<disambiguate::CiteName> {
    [&item.author, &item.editor, &item.translator]
        .into_iter()
        .find(|n| !n.names.is_empty())
        .map(|list| {
            list.names
                .iter()
                .map(|n| disambiguate::CiteName {
                    family: n.literal.clone().unwrap_or_else(|| n.family.clone()),
                    given: n.given.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `2007` in a date's text followed by the suffix: `2007a, November 14`.
fn insert_year_suffix(text: &str, year: i32, suffix: &str) -> Option<String> {
    let year = year.abs().to_string();
    let mut from = 0;
    while let Some(found) = text[from..].find(&year) {
        let at = from + found;
        let end = at + year.len();
        let digit_before = text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit());
        let digit_after = text[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
        if !digit_before && !digit_after {
            return Some(format!("{}{suffix}{}", &text[..end], &text[end..]));
        }
        from = end;
    }
    None
}

/// The text of an entry's first `cs:names`, whole and name by name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NamesText {
    whole: String,
    names: Vec<String>,
    ids: Vec<(NameVariable, usize)>,
    variables: Vec<NameVariable>,
}

impl NamesText {
    /// The names as the data writes them, where the item has them:
    /// citeproc-js compares those ("Sylvia C" is not "Sylvia C.", though
    /// both may print alike).
    fn with_names_as_written(mut self, item: Option<&CslItem>) -> NamesText {
        let written: Option<Vec<String>> = self
            .ids
            .iter()
            .map(|(variable, index)| {
                let name = item_names(item?, *variable)?.names.get(*index)?;
                Some(match &name.literal {
                    Some(literal) => literal.clone(),
                    None => [&name.family, &name.given, &name.particle, &name.suffix]
                        .into_iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join("\u{1}"),
                })
            })
            .collect();
        if let Some(written) = written.filter(|w| !w.is_empty()) {
            self.names = written;
        }
        self
    }
}

/// The item's list of names for a name variable, if refkeeper keeps it.
fn item_names(item: &CslItem, variable: NameVariable) -> Option<&Names> {
    match variable {
        NameVariable::Author => Some(&item.author),
        NameVariable::Editor => Some(&item.editor),
        NameVariable::Translator => Some(&item.translator),
        NameVariable::ContainerAuthor => Some(&item.container_author),
        _ => None,
    }
}

fn first_names(children: &ElemChildren) -> Option<NamesText> {
    for child in &children.0 {
        if let ElemChild::Elem(elem) = child {
            if let Some(ElemMeta::Names(lists)) = &elem.meta {
                let mut whole = String::new();
                collect_text(&elem.children, &mut whole);
                let mut names = Vec::new();
                let mut ids = Vec::new();
                collect_names(&elem.children, &mut names, &mut ids);
                let mut variables: Vec<NameVariable> = Vec::new();
                for variable in ids.iter().map(|(variable, _)| *variable) {
                    if !variables.contains(&variable) {
                        variables.push(variable);
                    }
                }
                if variables.is_empty() {
                    variables = lists.iter().map(|(_, variable)| *variable).collect();
                }
                return Some(NamesText {
                    whole,
                    names,
                    ids,
                    variables,
                });
            }
            if let Some(found) = first_names(&elem.children) {
                return Some(found);
            }
        }
    }
    None
}

/// The texts of the names, and which variable and position each is (a
/// `cs:names` reports its own variables, not those it substituted).
fn collect_names(
    children: &ElemChildren,
    out: &mut Vec<String>,
    ids: &mut Vec<(NameVariable, usize)>,
) {
    for child in &children.0 {
        if let ElemChild::Elem(elem) = child {
            if let Some(ElemMeta::Name(variable, index)) = elem.meta {
                let mut text = String::new();
                collect_text(&elem.children, &mut text);
                out.push(text);
                ids.push((variable, index));
            } else {
                collect_names(&elem.children, out, ids);
            }
        }
    }
}

/// The name variables whose names `subsequent-author-substitute` compares:
/// those of the bibliography's first `cs:names` and of the first `cs:names`
/// in its `cs:substitute`. citeproc-js records the names only there, so in
/// MLA (composer, else author, else ... editor) an entry by editors keeps
/// its names.
fn compared_names(style: &IndependentStyle) -> Vec<NameVariable> {
    fn first<'s>(
        elements: &'s [LayoutRenderingElement],
        style: &'s IndependentStyle,
        depth: usize,
    ) -> Option<&'s CslNames> {
        if depth > 16 {
            return None;
        }
        elements.iter().find_map(|element| match element {
            LayoutRenderingElement::Names(names) => Some(names),
            LayoutRenderingElement::Group(group) => first(&group.children, style, depth + 1),
            LayoutRenderingElement::Choose(choose) => std::iter::once(&choose.if_)
                .chain(&choose.else_if)
                .map(|branch| &branch.children)
                .chain(choose.otherwise.as_ref().map(|o| &o.children))
                .find_map(|children| first(children, style, depth + 1)),
            LayoutRenderingElement::Text(Text {
                target: TextTarget::Macro { name },
                ..
            }) => style
                .macros
                .iter()
                .find(|m| m.name == *name)
                .and_then(|m| first(&m.children, style, depth + 1)),
            _ => None,
        })
    }
    let Some(bibliography) = &style.bibliography else {
        return Vec::new();
    };
    let Some(names) = first(&bibliography.layout.elements, style, 0) else {
        return Vec::new();
    };
    let mut variables = names.variable.clone();
    let substituted = names.children.iter().find_map(|child| match child {
        NamesChild::Substitute(substitute) => substitute.children.first(),
        _ => None,
    });
    if let Some(LayoutRenderingElement::Names(inner)) = substituted {
        variables.extend(&inner.variable);
    }
    variables
}

/// CSL's `subsequent-author-substitute`: what replaces the names of an
/// entry whose names repeat those of the entry before.
fn substitution(
    names: &NamesText,
    previous: &NamesText,
    substitute: &str,
    rule: SubsequentAuthorSubstituteRule,
) -> Option<NamesEdit> {
    // The names compared are the ones shown, without "et al.", as in
    // citeproc-js: "Costa, Albert, and Alfonso Caramazza" repeats "Costa,
    // Albert, Alfonso Caramazza, et al.".
    let same = if names.names.is_empty() {
        names.whole == previous.whole
    } else {
        names.names == previous.names
    };
    match rule {
        SubsequentAuthorSubstituteRule::CompleteAll => {
            same.then(|| NamesEdit::Whole(substitute.to_owned()))
        }
        SubsequentAuthorSubstituteRule::CompleteEach => (same && !names.names.is_empty())
            .then(|| NamesEdit::Each((0..names.names.len()).collect(), substitute.to_owned())),
        SubsequentAuthorSubstituteRule::PartialEach => {
            let matching = names
                .names
                .iter()
                .zip(&previous.names)
                .take_while(|(a, b)| a == b)
                .count();
            (matching > 0).then(|| NamesEdit::Each((0..matching).collect(), substitute.to_owned()))
        }
        SubsequentAuthorSubstituteRule::PartialFirst => (!names.names.is_empty()
            && names.names.first() == previous.names.first())
        .then(|| NamesEdit::Each(vec![0], substitute.to_owned())),
    }
}

/// The locales a style's terms and options come from, first to last: the
/// style's own for the language, then for its primary language, then the
/// same from the CSL locale files.
fn locale_chain<'a>(
    style: &'a IndependentStyle,
    locales: &'a [Locale],
    requested: Option<&LocaleCode>,
) -> Vec<&'a Locale> {
    let language = requested
        .or(style.default_locale.as_ref())
        .map_or("en-US", |l| l.0.as_str())
        .to_owned();
    let primary = language.split('-').next().unwrap_or_default().to_owned();
    let matches = |locale: &Locale, exact: bool| match &locale.lang {
        Some(code) if exact => code.0 == language,
        Some(code) => code.0.split('-').next() == Some(primary.as_str()),
        None => !exact,
    };
    style
        .locale
        .iter()
        .filter(|l| matches(l, true))
        .chain(style.locale.iter().filter(|l| matches(l, false)))
        .chain(locales.iter().filter(|l| matches(l, true)))
        .chain(locales.iter().filter(|l| matches(l, false)))
        .collect()
}

fn load_style(spec: &str) -> Result<IndependentStyle, StyleError> {
    let path = Path::new(spec);
    let looks_like_file = spec.ends_with(".csl") || spec.contains(['/', '\\']);
    if looks_like_file || (path.is_file() && ArchivedStyle::by_name(spec).is_none()) {
        let file_error = |message: String| StyleError::File {
            path: spec.to_owned(),
            message,
        };
        let xml = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
        return match CslStyle::from_xml(&xml)
            .map_err(|e| file_error(format!("not a CSL style: {e}")))?
        {
            CslStyle::Independent(style) => Ok(style),
            CslStyle::Dependent(dependent) => {
                let parent = dependent.parent_link.href.to_string();
                match ArchivedStyle::by_id(&parent).map(ArchivedStyle::get) {
                    Some(CslStyle::Independent(style)) => Ok(style),
                    _ => Err(StyleError::UnknownParent {
                        path: spec.to_owned(),
                        parent,
                    }),
                }
            }
        };
    }
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == spec)
        .map_or(spec, |(_, target)| target);
    match ArchivedStyle::by_name(name).map(ArchivedStyle::get) {
        Some(CslStyle::Independent(style)) => Ok(style),
        _ => Err(StyleError::Unknown(spec.to_owned())),
    }
}

fn is_range(date: &DateValue) -> bool {
    match date {
        DateValue::Single(_) => false,
        DateValue::Range(start, end) => start.is_some() && (end.is_none() || start != end),
    }
}

/// `2007` and `2008` → `2007–2008`; `November 2007` and `December 2007` →
/// `November–December 2007`: what the two ends share stays outside.
fn merge_range(start: &str, end: &str) -> String {
    // Words and the text between them.
    let tokens = |text| -> Vec<&str> { words(text).into_iter().map(|(token, _)| token).collect() };
    let a = tokens(start);
    let b = tokens(end);
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let middle_a: String = a[prefix..a.len() - suffix].concat();
    let middle_b: String = b[prefix..b.len() - suffix].concat();
    if middle_a.trim().is_empty() || middle_b.trim().is_empty() {
        return format!("{start}\u{2013}{end}");
    }
    format!(
        "{}{}\u{2013}{}{}",
        a[..prefix].concat(),
        middle_a.trim_end(),
        middle_b.trim_start(),
        a[a.len() - suffix..].concat()
    )
}

// ---------------------------------------------------------------------------
// CSL items to hayagriva entries

/// Which end of a date range to give hayagriva, which has no ranges.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Start,
    End,
}

const ITALIC: (char, char) = ('\u{E000}', '\u{E001}');
const BOLD: (char, char) = ('\u{E002}', '\u{E003}');
const SMALL_CAPS: (char, char) = ('\u{E004}', '\u{E005}');
const SUPERSCRIPT: (char, char) = ('\u{E006}', '\u{E007}');
const SUBSCRIPT: (char, char) = ('\u{E008}', '\u{E009}');

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
fn chunked(rich: &Rich, english: bool) -> ChunkedString {
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
const GUARD: char = '\u{200B}';

/// A character hayagriva takes for white space, put after a slash in a
/// title so that the word after it starts a word; removed after rendering.
const SLASH_BREAK: char = '\u{2028}';

/// `218-218` with a [`GUARD`] after its end: citeproc-js prints a range
/// whose ends are equal as it stands, with a plural label ("pp. 218–218");
/// hayagriva took it for one page ("p. 218–18"). The guard makes the ends
/// differ for hayagriva, and is removed after rendering.
fn same_page_range(pages: &str) -> Cow<'_, str> {
    let parts: Vec<&str> = pages
        .split(['-', '\u{2013}'])
        .filter(|p| !p.is_empty())
        .collect();
    match parts[..] {
        [start, end] if start.trim() == end.trim() && !start.trim().is_empty() => {
            Cow::Owned(format!("{}{GUARD}", pages.trim_end()))
        }
        _ => Cow::Borrowed(pages),
    }
}

/// `text`, led by a [`GUARD`] if its first word has capitals after its
/// first letter (`arXiv:1610.01644`): citeproc-js's `capitalize-first`
/// leaves such a word alone, hayagriva's capitalises the first letter
/// whatever follows, and now meets the guard first.
fn uncapitalizable(text: &str) -> String {
    let first_word = text
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default();
    let mut letters = first_word.chars();
    let starts_lower = letters.next().is_some_and(char::is_lowercase);
    if starts_lower && letters.any(char::is_uppercase) {
        format!("{GUARD}{text}")
    } else {
        text.to_owned()
    }
}

/// Builds a chunked string, merging neighbours of one kind.
#[derive(Default)]
struct Chunks {
    chunks: Vec<(String, ChunkKind)>,
}

/// Closing quotation marks in field values, hidden from hayagriva as these
/// stand-ins. hayagriva drops an affix that repeats the end of the text
/// before it, and so took the style's closing quote after a title ending in
/// a quotation for a duplicate (`“… the “New Asia Initiative”.”` lost its
/// last `”`). Put back after rendering, before [`tidy`] nests the quotes.
/// (Opening quotes are kept from the same fate in [`Chunks::finish`].)
const CLOSING_QUOTE_MARKS: [(char, char); 2] = [('”', '\u{E00A}'), ('’', '\u{E00B}')];

/// `text` with its closing quotation marks hidden; a `’` before a letter
/// is an apostrophe and stays.
fn hide_closing_quotes(text: &str) -> Cow<'_, str> {
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

fn shown_quote(c: char) -> char {
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
fn words(text: &str) -> Vec<(&str, bool)> {
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
const TAG_CHARS: &[char] = &[
    '‘', '’', '“', '”', '"', '\'', '-', '–', '—', '/', '.', ',', ';', '?', '!', ':', '[', ']', '(',
    ')',
];

/// citeproc-js's stop words (`CSL.SKIP_WORDS`), one-word entries.
const STOP_WORDS: &[&str] = &[
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

fn format_string(rich: &Rich, english: bool) -> FormatString {
    FormatString {
        value: chunked(rich, english),
        short: None,
    }
}

fn numeric(text: &str) -> MaybeTyped<Numeric> {
    Numeric::from_str(text)
        .map(MaybeTyped::Typed)
        .unwrap_or_else(|_| MaybeTyped::String(text.to_owned()))
}

fn persons(names: &Names) -> Vec<Person> {
    names
        .names
        .iter()
        .map(|n| match &n.literal {
            Some(literal) => Person {
                name: literal.clone(),
                given_name: None,
                prefix: None,
                suffix: None,
                comma_suffix: false,
                alias: None,
            },
            None => {
                let optional = |s: &str| (!s.is_empty()).then(|| s.to_owned());
                Person {
                    name: protected_family_name(&n.family),
                    given_name: optional(&joined_given_name(&n.given)),
                    prefix: optional(&n.particle),
                    suffix: optional(&n.suffix),
                    comma_suffix: false,
                    alias: None,
                }
            }
        })
        .collect()
}

/// The contributor role hayagriva reads a twin name variable from.
fn twin_role(twin: NameVariable) -> Option<PersonRole> {
    Some(match twin {
        NameVariable::Illustrator => PersonRole::Illustrator,
        NameVariable::Narrator => PersonRole::Narrator,
        NameVariable::Producer => PersonRole::Producer,
        NameVariable::ScriptWriter => PersonRole::Writer,
        NameVariable::ExecutiveProducer => PersonRole::ExecutiveProducer,
        NameVariable::Composer => PersonRole::Composer,
        NameVariable::Compiler => PersonRole::Compiler,
        NameVariable::Performer => PersonRole::CastMember,
        _ => return None,
    })
}

/// The items with the initials in their given names normalised.
fn with_normalized_initials(items: &[CslItem], terminator: &str) -> Vec<CslItem> {
    let mut items = items.to_vec();
    for item in &mut items {
        for list in [
            &mut item.author,
            &mut item.editor,
            &mut item.translator,
            &mut item.container_author,
        ] {
            for name in &mut list.names {
                if name.literal.is_none() {
                    name.given = names::normalized_initials(&name.given, terminator);
                }
            }
        }
    }
    items
}

/// A non-breaking hyphen, standing in for `-` inside a given name.
const NAME_HYPHEN: char = '\u{2011}';

/// A space inside a name that is not a boundary: not a particle boundary in
/// a family name, not a word boundary before a hyphen in a given name.
const NAME_SPACE: char = '\u{1f}';

/// `La Fontaine`, `Van Buuren`: BibTeX has already put lowercase particles
/// (`de`, `van der`) in the prefix, so a capitalised word at the head of the
/// family name is part of it. hayagriva would split `La` or `Van` off as a
/// non-dropping particle (`Fontaine, Jean de La` in Chicago); citeproc-js
/// does not. A family name that starts lowercase (`{van Gogh}`) keeps its
/// spaces, so that both treat its particle alike.
fn protected_family_name(family: &str) -> String {
    if family.chars().next().is_some_and(char::is_uppercase) {
        family.replace(' ', &NAME_SPACE.to_string())
    } else {
        family.to_owned()
    }
}

/// Combining small letters (U+0363..U+036F) that stand in for `a e i o u c
/// d h m r t v x` after a capital, so that hayagriva takes an abbreviation
/// for one grapheme (see [`abbreviations_as_one_grapheme`]).
const COMBINING_LETTERS: [(char, char); 13] = [
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

/// `Ch.` in `J.-Ch.` (and `Ph.`, `Md.`) written so that hayagriva keeps it
/// whole when it initialises, as citeproc-js keeps an abbreviation that
/// ends in a period (hayagriva gave `J.-C.`): the small letters become
/// combining letters, one grapheme with the capital, turned back into
/// letters after rendering. An abbreviation with another letter stays.
fn abbreviations_as_one_grapheme(given: &str) -> Cow<'_, str> {
    let combining = |c: char| {
        COMBINING_LETTERS
            .iter()
            .find(|(l, _)| *l == c)
            .map(|(_, m)| *m)
    };
    let mut out = String::new();
    let mut changed = false;
    let mut rest = given;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '-')
            .unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        let mut chars = word.chars();
        let encoded = match (chars.next(), word.strip_suffix('.')) {
            (Some(first), Some(body)) if first.is_uppercase() && body.chars().count() > 1 => body
                .chars()
                .skip(1)
                .map(combining)
                .collect::<Option<String>>()
                .map(|marks| format!("{first}{marks}.")),
            _ => None,
        };
        match encoded {
            Some(encoded) => {
                out.push_str(&encoded);
                changed = true;
            }
            None => out.push_str(word),
        }
        let separator_end = after
            .find(|c: char| !(c.is_whitespace() || c == '-'))
            .unwrap_or(after.len());
        out.push_str(&after[..separator_end]);
        rest = &after[separator_end..];
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(given)
    }
}

/// `Jae-nam` as one word: citeproc-js initialises it `J.`, and hayagriva
/// gives `J.-nam.` unless the hyphen does not split it. A hyphen before a
/// capital (`Jean-Paul`, `J.-P.`) stays, as both initialise it alike.
///
/// A space before a hyphen (`J. -P.`, as ADS exports write initials) is
/// not a word boundary: citeproc-js initialises `J.-P.`, where hayagriva
/// would start a new initial (`J. P.`). Printed in full it stays `J. -P.`.
fn joined_given_name(given: &str) -> String {
    let given = abbreviations_as_one_grapheme(given);
    let mut out = String::with_capacity(given.len());
    let mut chars = given.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '-' && chars.peek().is_some_and(|n| n.is_lowercase()) {
            out.push(NAME_HYPHEN);
        } else if c == ' ' && chars.peek() == Some(&'-') {
            out.push(NAME_SPACE);
        } else {
            out.push(c);
        }
    }
    out
}

fn hayagriva_date(part: DatePart) -> Date {
    Date {
        year: part.year,
        month: part.month.map(|m| m - 1),
        day: part.day.map(|d| d - 1),
        approximate: part.approximate,
        season: part.season.map(|s| match s {
            1 => Season::Spring,
            2 => Season::Summer,
            3 => Season::Autumn,
            _ => Season::Winter,
        }),
    }
}

fn pick(date: &DateValue, which: Which) -> Option<DatePart> {
    match which {
        Which::Start => date.start(),
        Which::End => date.end().or_else(|| date.start()),
    }
}

fn to_entry(item: &CslItem, which: Which, twins: &[(NameVariable, Variable)]) -> Entry {
    let entry_type = match item.kind {
        CslType::ArticleJournal
        | CslType::ArticleMagazine
        | CslType::ArticleNewspaper
        | CslType::PaperConference => EntryType::Article,
        CslType::Book => EntryType::Book,
        CslType::Chapter => EntryType::Chapter,
        CslType::Thesis => EntryType::Thesis,
        CslType::Report => EntryType::Report,
        CslType::Webpage => EntryType::Web,
        CslType::Manuscript => EntryType::Manuscript,
        CslType::Patent => EntryType::Patent,
        CslType::Periodical => EntryType::Periodical,
        CslType::Software | CslType::Dataset => EntryType::Repository,
        CslType::EntryEncyclopedia => EntryType::Entry,
        CslType::Document | CslType::Pamphlet => EntryType::Misc,
    };
    let mut entry = Entry::new(&item.id, entry_type);
    let mut parents = Vec::new();
    // CSL: items without a language are taken to be English.
    let english = item
        .language
        .as_deref()
        .is_none_or(|l| l == "en" || l.starts_with("en-"));
    if let Some(title) = &item.title {
        let mut title = format_string(title, english);
        title.short = item
            .title_short
            .as_ref()
            .map(|s| Box::new(chunked(s, english)));
        entry.set_title(title);
    }
    if !item.author.names.is_empty() {
        entry.set_authors(persons(&item.author));
    }
    if let Some(date) = item.issued.as_ref().and_then(|d| pick(d, which)) {
        entry.set_date(hayagriva_date(date));
    }
    if item.publisher.is_some() || item.publisher_place.is_some() {
        entry.set_publisher(Publisher::new(
            item.publisher.as_ref().map(|p| format_string(p, english)),
            item.publisher_place
                .as_ref()
                .map(|p| format_string(p, english)),
        ));
    }
    if let Some(genre) = &item.genre {
        entry.set_genre(format_string(genre, english));
    }
    if let Some(note) = &item.note {
        entry.set_note(format_string(note, english));
    }
    if let Some(url) = item.url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
        let visited = item
            .accessed
            .as_ref()
            .and_then(DateValue::start)
            .map(hayagriva_date);
        let url = QualifiedUrl::new(url, visited);
        if item.kind == CslType::Document || item.kind == CslType::Pamphlet {
            // hayagriva takes any `misc` entry with a URL for a web page,
            // and styles print web pages differently (IEEE left out the
            // date and place of a treaty). It also looks for the URL among
            // an entry's parents, where it does not make the entry a page.
            let mut holder = Entry::new(&item.id, EntryType::Misc);
            holder.set_url(url);
            parents.push(holder);
        } else {
            entry.set_url(url);
        }
    }
    if let Some(doi) = &item.doi {
        entry.set_doi(doi.clone());
    }
    if let Some(isbn) = &item.isbn {
        entry.set_isbn(isbn.clone());
    }
    if let Some(issn) = &item.issn {
        entry.set_issn(issn.clone());
    }
    if let Some(language) = item
        .language
        .as_deref()
        .and_then(|l| unic_langid::LanguageIdentifier::from_str(l).ok())
    {
        entry.set_language(language);
    }
    if let Some(pages) = &item.page {
        let pages = same_page_range(pages);
        entry.set_page_range(
            PageRanges::from_str(&pages)
                .map(MaybeTyped::Typed)
                .unwrap_or_else(|_| MaybeTyped::String(pages.into_owned())),
        );
    }
    if let Some(total) = item
        .number_of_pages
        .as_deref()
        .and_then(|t| Numeric::from_str(t).ok())
    {
        entry.set_page_total(total);
    }
    if let Some(total) = item
        .number_of_volumes
        .as_deref()
        .and_then(|t| Numeric::from_str(t).ok())
    {
        entry.set_volume_total(total);
    }
    if let Some(edition) = &item.edition {
        entry.set_edition(numeric(edition));
    }
    if let Some(number) = &item.number {
        entry.set_keyed_serial_number("serial", uncapitalizable(number));
    }
    let mut affiliated = Vec::new();
    if !item.translator.names.is_empty() {
        affiliated.push(PersonsWithRoles::new(
            persons(&item.translator),
            PersonRole::Translator,
        ));
    }
    // The twins that the style's tests read in place of substitutable
    // variables (see `style_fixes::condition_twins`).
    for (variable, twin) in twins {
        let Some(names) = item_names(item, *variable) else {
            continue;
        };
        if names.names.is_empty() {
            continue;
        }
        match twin {
            Variable::Standard(StandardVariable::CallNumber) => {
                entry.set_call_number(FormatString::with_value("1"))
            }
            Variable::Standard(StandardVariable::Abstract) => {
                entry.set_abstract_(FormatString::with_value("1"))
            }
            Variable::Name(twin) => {
                if let Some(role) = twin_role(*twin) {
                    affiliated.push(PersonsWithRoles::new(persons(names), role));
                }
            }
            _ => {}
        }
    }
    if !affiliated.is_empty() {
        entry.set_affiliated(affiliated);
    }
    if let Some(event) = &item.event_title {
        let mut conference = Entry::new(&item.id, EntryType::Conference);
        conference.set_title(format_string(event, english));
        if let Some(place) = &item.event_place {
            conference.set_location(format_string(place, english));
        }
        if let Some(date) = item.event_date.as_ref().and_then(DateValue::start) {
            conference.set_date(hayagriva_date(date));
        }
        parents.push(conference);
    }

    // hayagriva finds a collection among the parents of an entry's own
    // type (or an anthology), so a proceedings' series is a proceedings. A
    // book's series is an anthology: under a book parent hayagriva would
    // take the book for one volume of a multi-volume work and print its
    // volume a second time as the part number.
    let series_type = match item.kind {
        CslType::PaperConference => EntryType::Proceedings,
        CslType::Book => EntryType::Anthology,
        CslType::ArticleJournal | CslType::ArticleMagazine => EntryType::Periodical,
        CslType::ArticleNewspaper => EntryType::Newspaper,
        _ => EntryType::Book,
    };
    let series = item.collection_title.as_ref().map(|title| {
        let mut series = Entry::new(&item.id, series_type);
        series.set_title(format_string(title, english));
        if let Some(number) = &item.collection_number {
            series.set_volume(numeric(number));
        }
        series
    });
    match item.kind {
        CslType::ArticleJournal | CslType::ArticleMagazine | CslType::ArticleNewspaper => {
            let kind = if item.kind == CslType::ArticleNewspaper {
                EntryType::Newspaper
            } else {
                EntryType::Periodical
            };
            let mut periodical = Entry::new(&item.id, kind);
            if let Some(title) = &item.container_title {
                periodical.set_title(format_string(title, english));
            }
            if let Some(volume) = &item.volume {
                periodical.set_volume(numeric(volume));
            }
            if let Some(issue) = &item.issue {
                periodical.set_issue(numeric(issue));
            }
            if let Some(series) = series {
                periodical.set_parents(vec![series]);
            }
            parents.push(periodical);
        }
        CslType::Chapter | CslType::PaperConference | CslType::EntryEncyclopedia => {
            let kind = match item.kind {
                CslType::PaperConference => EntryType::Proceedings,
                CslType::EntryEncyclopedia => EntryType::Reference,
                _ => EntryType::Book,
            };
            let mut book = Entry::new(&item.id, kind);
            if let Some(title) = &item.container_title {
                book.set_title(format_string(title, english));
            }
            if !item.editor.names.is_empty() {
                book.set_editors(persons(&item.editor));
            }
            if !item.container_author.names.is_empty() {
                book.set_authors(persons(&item.container_author));
            }
            if let Some(volume) = &item.volume {
                book.set_volume(numeric(volume));
            }
            if let Some(series) = series {
                book.set_parents(vec![series]);
            }
            parents.push(book);
        }
        _ => {
            if !item.editor.names.is_empty() {
                entry.set_editors(persons(&item.editor));
            }
            if let Some(volume) = &item.volume {
                entry.set_volume(numeric(volume));
            }
            if let Some(issue) = &item.issue {
                entry.set_issue(numeric(issue));
            }
            if let Some(series) = series {
                parents.push(series);
            }
        }
    }
    entry.set_parents(parents);
    entry
}

// ---------------------------------------------------------------------------
// The rendered tree to pieces

/// The text of each `cs:date` element, in order.
fn date_texts(children: &ElemChildren) -> Vec<String> {
    fn walk(children: &ElemChildren, out: &mut Vec<String>) {
        for child in &children.0 {
            if let ElemChild::Elem(elem) = child {
                if matches!(elem.meta, Some(ElemMeta::Date)) {
                    let mut text = String::new();
                    collect_text(&elem.children, &mut text);
                    out.push(text);
                } else {
                    walk(&elem.children, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(children, &mut out);
    out
}

fn collect_text(children: &ElemChildren, out: &mut String) {
    for child in &children.0 {
        match child {
            ElemChild::Text(t) => out.push_str(&t.text),
            ElemChild::Elem(e) => collect_text(&e.children, out),
            ElemChild::Link { text, .. } => out.push_str(&text.text),
            ElemChild::Markup(m) => out.push_str(m),
            ElemChild::Transparent { .. } => {}
        }
    }
}

/// Changes to make to a rendered entry.
#[derive(Debug, Default)]
struct Edits {
    /// New text for the n-th `cs:date`.
    dates: HashMap<usize, String>,
    /// A substitute for the entry's first `cs:names`.
    names: Option<NamesEdit>,
    /// The names written as they stand (institutions), by variable and
    /// position.
    literal_names: Vec<(NameVariable, usize)>,
    /// The "no date" term and what replaces its first occurrence (`n.d.`
    /// with a year suffix).
    no_date: Option<(String, String)>,
}

impl Edits {
    fn for_item(item: Option<&CslItem>) -> Edits {
        let mut literal_names = Vec::new();
        if let Some(item) = item {
            for (variable, list) in [
                (NameVariable::Author, &item.author),
                (NameVariable::Editor, &item.editor),
                (NameVariable::Translator, &item.translator),
            ] {
                for (index, name) in list.names.iter().enumerate() {
                    if name.literal.is_some() {
                        literal_names.push((variable, index));
                    }
                }
            }
        }
        Edits {
            literal_names,
            ..Edits::default()
        }
    }
}

/// The names of a `cs:names` element with citeproc-js's delimiter before
/// an institution that ends the list: none after a single name ("Republic
/// of Korea & Democratic People's Republic of Korea", where APA's
/// `delimiter-precedes-last="always"` put a comma), and one after two or
/// more ("Smith, J., Doe, J., and Org"). `None` when nothing changes.
fn institution_and(children: &ElemChildren, edits: &Edits) -> Option<ElemChildren> {
    let names: Vec<(usize, NameVariable, usize)> = children
        .0
        .iter()
        .enumerate()
        .filter_map(|(at, child)| match child {
            ElemChild::Elem(elem) => match elem.meta {
                Some(ElemMeta::Name(variable, index)) => Some((at, variable, index)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let [.., (before, _, _), (last, variable, index)] = names[..] else {
        return None;
    };
    if !edits.literal_names.contains(&(variable, index)) {
        return None;
    }
    let between: Vec<&hayagriva::Formatted> = children.0[before + 1..last]
        .iter()
        .map(|child| match child {
            ElemChild::Text(text) => Some(text),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let text: String = between.iter().map(|t| t.text.as_str()).collect();
    let with_delimiter = text.starts_with([',', ';']);
    let and = text.trim_start_matches([',', ';']);
    if and.trim().is_empty() {
        // A delimiter alone: no "and" before the last name.
        return None;
    }
    let fixed = match (names.len(), with_delimiter) {
        (2, true) => and.to_owned(),
        (3.., false) => format!(",{text}"),
        _ => return None,
    };
    let mut out = children.0[..before + 1].to_vec();
    out.push(ElemChild::Text(hayagriva::Formatted {
        text: fixed,
        formatting: between[0].formatting,
    }));
    out.extend_from_slice(&children.0[last..]);
    Some(ElemChildren(out))
}

/// How the names of an entry are substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
enum NamesEdit {
    /// The whole name list.
    Whole(String),
    /// These names of the list, each.
    Each(Vec<usize>, String),
}

fn reference(
    key: String,
    label: Option<ElemChild>,
    body: &ElemChildren,
    edits: &Edits,
    punctuation_in_quote: bool,
) -> Reference {
    let no_edits = Edits::default();
    let label = label.map(|child| {
        let mut flattener = Flattener::new(&no_edits);
        flattener.child(&child);
        flattener.finish(punctuation_in_quote)
    });
    let mut flattener = Flattener::new(edits);
    flattener.children(body);
    Reference {
        key,
        label,
        body: flattener.finish(punctuation_in_quote),
    }
}

/// Walks the rendered tree, turning formatting and markers into pieces.
struct Flattener<'e> {
    edits: &'e Edits,
    pieces: Vec<Piece>,
    /// Marker state: how many of each marker are open.
    open: [i32; 5],
    date_index: usize,
    /// Whether the first `cs:names` has been passed, and the name index in it.
    names_seen: bool,
    name_index: Option<usize>,
    /// Whether the "no date" term has had its suffix.
    no_date_done: bool,
}

impl<'e> Flattener<'e> {
    fn new(edits: &'e Edits) -> Self {
        Flattener {
            edits,
            pieces: Vec::new(),
            open: [0; 5],
            date_index: 0,
            names_seen: false,
            name_index: None,
            no_date_done: false,
        }
    }

    fn children(&mut self, children: &ElemChildren) {
        for child in &children.0 {
            self.child(child);
        }
    }

    fn child(&mut self, child: &ElemChild) {
        match child {
            ElemChild::Text(t) => match &self.edits.no_date {
                Some((term, with_suffix)) if !self.no_date_done && t.text.contains(term) => {
                    self.no_date_done = true;
                    // hayagriva let "n.d." stand for "n.d." and the ". "
                    // delimiter after it; with the suffix the period is
                    // due again ("n.d.-a. “Title”").
                    let at = t.text.find(term.as_str()).unwrap_or_default() + term.len();
                    let swallowed = term.ends_with('.') && t.text[at..].starts_with(' ');
                    let with_suffix = if swallowed {
                        format!("{with_suffix}.")
                    } else {
                        with_suffix.clone()
                    };
                    let text = t.text.replacen(term.as_str(), &with_suffix, 1);
                    self.text(&text, base_style(&t.formatting), None)
                }
                _ => self.text(&t.text, base_style(&t.formatting), None),
            },
            ElemChild::Link { text, url } => {
                self.text(&text.text, base_style(&text.formatting), Some(url))
            }
            ElemChild::Markup(m) => self.text(m, Style::default(), None),
            ElemChild::Transparent { .. } => {}
            ElemChild::Elem(elem) => {
                match &elem.meta {
                    Some(ElemMeta::Date) => {
                        let index = self.date_index;
                        self.date_index += 1;
                        if let Some(replacement) = self.edits.dates.get(&index) {
                            let style = first_style(&elem.children).unwrap_or_default();
                            self.text(replacement, style, None);
                            return;
                        }
                    }
                    Some(ElemMeta::Names(..)) => {
                        let fixed = institution_and(&elem.children, self.edits);
                        let children = fixed.as_ref().unwrap_or(&elem.children);
                        if !self.names_seen {
                            self.names_seen = true;
                            match &self.edits.names {
                                Some(NamesEdit::Whole(substitute)) => {
                                    let style = first_style(children).unwrap_or_default();
                                    self.text(substitute, style, None);
                                    return;
                                }
                                Some(NamesEdit::Each(..)) => self.name_index = Some(0),
                                None => {}
                            }
                        }
                        self.children(children);
                        self.name_index = None;
                        return;
                    }
                    Some(ElemMeta::Name(..)) => {
                        if let (Some(index), Some(NamesEdit::Each(which, substitute))) =
                            (self.name_index, &self.edits.names)
                        {
                            self.name_index = Some(index + 1);
                            if which.contains(&index) {
                                let style = first_style(&elem.children).unwrap_or_default();
                                self.text(substitute, style, None);
                                return;
                            }
                        }
                    }
                    _ => {}
                }
                self.children(&elem.children);
            }
        }
    }

    fn text(&mut self, text: &str, base: Style, link: Option<&str>) {
        let mut run = String::new();
        for c in text
            .chars()
            .filter(|&c| c != GUARD && c != SLASH_BREAK)
            .map(|c| match c {
                NAME_HYPHEN => '-',
                NAME_SPACE => ' ',
                '\u{0363}'..='\u{036F}' => COMBINING_LETTERS
                    .iter()
                    .find(|(_, mark)| *mark == c)
                    .map_or(c, |(letter, _)| *letter),
                c => shown_quote(c),
            })
        {
            let toggle = [ITALIC, BOLD, SMALL_CAPS, SUPERSCRIPT, SUBSCRIPT]
                .iter()
                .enumerate()
                .find_map(|(i, (on, off))| {
                    (c == *on)
                        .then_some((i, 1))
                        .or_else(|| (c == *off).then_some((i, -1)))
                });
            match toggle {
                Some((index, delta)) => {
                    self.push(&run, base, link);
                    run.clear();
                    self.open[index] += delta;
                }
                None => run.push(c),
            }
        }
        self.push(&run, base, link);
    }

    fn push(&mut self, text: &str, base: Style, link: Option<&str>) {
        if text.is_empty() {
            return;
        }
        // Emphasis inside an italic context comes out upright (flip-flop).
        let style = Style {
            italic: base.italic ^ (self.open[0] > 0),
            bold: base.bold || self.open[1] > 0,
            small_caps: base.small_caps || self.open[2] > 0,
            superscript: base.superscript || self.open[3] > 0,
            subscript: base.subscript || self.open[4] > 0,
        };
        let link = link.map(str::to_owned);
        if let Some(last) = self.pieces.last_mut()
            && last.style == style
            && last.link == link
        {
            last.text.push_str(text);
            return;
        }
        self.pieces.push(Piece {
            text: text.to_owned(),
            style,
            link,
        });
    }

    fn finish(self, punctuation_in_quote: bool) -> Vec<Piece> {
        tidy(self.pieces, punctuation_in_quote)
    }
}

/// CSL's punctuation rules, which hayagriva leaves out: a period after
/// `.`, `?` or `!` (closing quotes between them allowed) is dropped; so is
/// a comma before `)` or `.`, and the space hayagriva puts between a
/// volume and `:`; runs of spaces become one. Quotes inside quotes flip
/// (“…‘…’…”), and with `punctuation_in_quote` (American English) a period
/// or comma after a closing quote moves inside it.
fn tidy(pieces: Vec<Piece>, punctuation_in_quote: bool) -> Vec<Piece> {
    let chars: Vec<(char, usize)> = pieces
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.text.chars().map(move |c| (c, i)))
        .collect();
    let mut out: Vec<(char, usize)> = Vec::with_capacity(chars.len());
    // Open quotes: whether each was flipped to single.
    let mut quotes: Vec<bool> = Vec::new();
    // How many characters at the end of `out` are closing quotes.
    let mut closers = 0usize;
    for (index, &(c, piece)) in chars.iter().enumerate() {
        let next = chars.get(index + 1).map(|x| x.0);
        let previous_significant = out
            .iter()
            .rev()
            .map(|x| x.0)
            .find(|c| !matches!(c, '”' | '’' | '»' | '"'));
        let mut emitted = c;
        let drop = match c {
            '.' => {
                let before = chars[..index]
                    .iter()
                    .rev()
                    .take_while(|x| x.0 == '.')
                    .count();
                let after = chars[index + 1..].iter().take_while(|x| x.0 == '.').count();
                match before + 1 + after {
                    // An ellipsis stays; `..` loses its second dot.
                    run if run >= 3 => false,
                    2 => before == 1,
                    _ => matches!(previous_significant, Some('.' | '?' | '!')),
                }
            }
            ',' => matches!(next, Some(')' | '.')),
            ' ' => {
                out.last().is_some_and(|x| x.0 == ' ')
                    || (next == Some(':') && out.last().is_some_and(|x| x.0.is_ascii_digit()))
            }
            _ => false,
        };
        if drop {
            continue;
        }
        let mut closing = false;
        match c {
            '“' => {
                let nested = quotes.last() == Some(&false);
                quotes.push(nested);
                if nested {
                    emitted = '‘';
                }
            }
            '‘' => quotes.push(false),
            '”' => {
                if quotes.pop() == Some(true) {
                    emitted = '’';
                }
                closing = true;
            }
            // A ’ before a letter is an apostrophe; otherwise it may close.
            '’' if !next.is_some_and(char::is_alphanumeric) && !quotes.is_empty() => {
                quotes.pop();
                closing = true;
            }
            '.' | ',' if punctuation_in_quote && closers > 0 => {
                let at = out.len() - closers;
                out.insert(at, (c, out[at].1));
                continue;
            }
            _ => {}
        }
        out.push((emitted, piece));
        closers = if closing { closers + 1 } else { 0 };
    }
    let mut result: Vec<Piece> = Vec::with_capacity(pieces.len());
    for (c, piece) in out {
        match result.last_mut() {
            Some(last) if last.style == pieces[piece].style && last.link == pieces[piece].link => {
                last.text.push(c)
            }
            _ => result.push(Piece {
                text: c.to_string(),
                style: pieces[piece].style,
                link: pieces[piece].link.clone(),
            }),
        }
    }
    result
}

fn base_style(formatting: &hayagriva::Formatting) -> Style {
    use hayagriva::citationberg::{FontStyle, FontVariant, FontWeight, VerticalAlign};
    Style {
        italic: matches!(formatting.font_style, FontStyle::Italic),
        bold: matches!(formatting.font_weight, FontWeight::Bold),
        small_caps: matches!(formatting.font_variant, FontVariant::SmallCaps),
        superscript: matches!(formatting.vertical_align, VerticalAlign::Sup),
        subscript: matches!(formatting.vertical_align, VerticalAlign::Sub),
    }
}

fn first_style(children: &ElemChildren) -> Option<Style> {
    children.0.iter().find_map(|c| match c {
        ElemChild::Text(t) => Some(base_style(&t.formatting)),
        ElemChild::Elem(e) => first_style(&e.children),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(pieces: &[Piece]) -> String {
        pieces.iter().map(|p| p.text.as_str()).collect()
    }

    fn plain(text: &str) -> Piece {
        Piece {
            text: text.to_owned(),
            style: Style::default(),
            link: None,
        }
    }

    #[test]
    fn punctuation_is_tidied_as_csl_prescribes() {
        for (raw, tidied) in [
            ("Alliance?. Publisher", "Alliance? Publisher"),
            ("Inaugurated.”. https://x", "Inaugurated.” https://x"),
            ("(1996,). Title", "(1996). Title"),
            ("Survey,. https", "Survey. https"),
            ("Archaeology 3 : 150–79", "Archaeology 3: 150–79"),
            ("et al..", "et al."),
            ("Wait...", "Wait..."),
            ("a  b", "a b"),
            ("Title: Subtitle", "Title: Subtitle"),
        ] {
            assert_eq!(text_of(&tidy(vec![plain(raw)], false)), tidied);
        }
    }

    #[test]
    fn quotes_flip_inside_quotes_and_take_punctuation_in() {
        let out = tidy(
            vec![plain(
                "“Cold War to the “New Asia Initiative””. Journal, “Title”, and Korea’s.",
            )],
            true,
        );
        assert_eq!(
            text_of(&out),
            "“Cold War to the ‘New Asia Initiative.’” Journal, “Title,” and Korea’s."
        );
        let british = tidy(vec![plain("“Title”, and")], false);
        assert_eq!(text_of(&british), "“Title”, and");
    }

    #[test]
    fn tidying_keeps_styles_apart() {
        let italic = Piece {
            text: "Alliance?".into(),
            style: Style {
                italic: true,
                ..Style::default()
            },
            link: None,
        };
        let out = tidy(vec![italic, plain(". Publisher")], false);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].text, " Publisher");
    }

    #[test]
    fn ranges_keep_what_both_ends_share_outside() {
        assert_eq!(merge_range("2007", "2008"), "2007–2008");
        assert_eq!(
            merge_range("November 2007", "December 2007"),
            "November–December 2007"
        );
        assert_eq!(
            merge_range("2007, November", "2008, February"),
            "2007, November–2008, February"
        );
        assert_eq!(merge_range("(2007)", "(2008)"), "(2007–2008)");
    }

    #[test]
    fn styles_load_by_name_alias_and_error() {
        assert!(Engine::new("apa", None).is_ok());
        assert!(Engine::new("mla", None).is_ok());
        assert!(Engine::new("harvard", None).is_ok());
        let err = Engine::new("no-such-style", None).err().unwrap();
        assert!(err.to_string().starts_with("unknown style `no-such-style`"));
        let err = Engine::new("missing/file.csl", None).err().unwrap();
        assert!(err.to_string().starts_with("missing/file.csl: "), "{err}");
    }
}
