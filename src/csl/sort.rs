//! The bibliography's order, computed as citeproc-js computes it.
//!
//! hayagriva sorts by rendering each macro key anew for every comparison,
//! with the "et al." and "and" terms in it and punctuation significant. CSL
//! leaves those terms out of sort keys, and citeproc-js compares keys with
//! punctuation ignored and numbers by value: MLA's "Nordström, Bengt, et al."
//! sorts among the "Nordström, Bengt" entries by title, where hayagriva put
//! it after all of them (and so printed "———" on the wrong entries).
//!
//! refkeeper renders every sort key once per entry through a derived style
//! (the keys style: one bibliography entry holds all keys, the terms of name
//! lists are markers, dates are numbers), compares the keys with one
//! collator, and has hayagriva render the entries in that order with the
//! style's sort switched off.

use std::cmp::Ordering;

use hayagriva::citationberg::taxonomy::{NumberVariable, Variable};
use hayagriva::citationberg::{
    Date, DatePartName, DateParts, DemoteNonDroppingParticle, IndependentStyle,
    LayoutRenderingElement, Name, NameAsSortOrder, NameForm, NamesChild, SortDirection, SortKey,
    TextTarget,
};
use icu_collator::options::{AlternateHandling, CollatorOptions, Strength};
use icu_collator::preferences::CollationNumericOrdering;
use icu_collator::{Collator, CollatorPreferences};

use super::engine::NAME_SPACE;
use super::style_fixes;

// Markers in the keys style's output, from the private use area (the
// engine's own formatting markers are U+E000 to U+E0FF; keys drop them).
/// Starts the first key; key `i` starts with the character `i` after it
/// ([`key_marker`]). One marker for all would not do: hayagriva drops a
/// piece of punctuation-only text that repeats the end of what it wrote
/// (`Context::push_str`, "do not print duplicate affixes"), so the marker
/// after an empty key vanished and every later key moved up by one (an
/// entry without author sorted by its year: ACM's numbering and order).
const KEY: char = '\u{E110}';
/// How many keys one sort may have (the markers up to U+E1FF).
const MAX_KEYS: u32 = 0xE1FF - 0xE110 + 1;

/// The marker that starts key `index`.
fn key_marker(index: usize) -> char {
    char::from_u32(KEY as u32 + index as u32).expect("a private-use character")
}

fn is_key_marker(c: char) -> bool {
    (KEY as u32..KEY as u32 + MAX_KEYS).contains(&(c as u32))
}
/// Stands for the terms a sort key leaves out: "et al.", "and others", "and".
const LEFT_OUT: char = '\u{E101}';
/// Starts the year, month and day of a date.
const YEAR: char = '\u{E102}';
const MONTH: char = '\u{E103}';
const DAY: char = '\u{E104}';

/// How to sort a style's bibliography, when refkeeper can do it itself.
pub struct SortPlan {
    /// Renders one entry's keys, each after its [`key_marker`].
    ///
    /// One style per run of keys: a key whose macro has a `cs:substitute`
    /// ends its run, because hayagriva keeps the variables a substitute
    /// printed suppressed for the rest of the entry, where citeproc-js
    /// renders every key on its own (AGU's `author-count` key came out
    /// empty after the `author` key had printed an edited book's editors,
    /// and the book sorted last).
    pub keys_styles: Vec<IndependentStyle>,
    descending: Vec<bool>,
    /// Keys whose macro prints a name count: citeproc-js sorts an empty
    /// one as nought, first.
    counts: Vec<bool>,
}

impl SortPlan {
    /// The plan for the style's bibliography sort. `None` if the style does
    /// not sort its bibliography, or sorts by something only hayagriva knows
    /// (the citation number).
    pub fn new(style: &IndependentStyle) -> Option<SortPlan> {
        let keys = &style.bibliography.as_ref()?.sort.as_ref()?.keys;
        let mut layout = String::new();
        let mut macros = Vec::new();
        let mut descending = Vec::new();
        if keys.len() > MAX_KEYS as usize {
            return None;
        }
        for (index, key) in keys.iter().enumerate() {
            layout.push_str(&format!("<text value=\"{}\"/>", key_marker(index)));
            match key {
                SortKey::MacroName {
                    name,
                    names_min,
                    names_use_first,
                    names_use_last,
                    sort_direction,
                } => {
                    // The name is set after parsing: it may hold characters
                    // XML cannot (see `style_fixes::sort_keys_without_quotes`).
                    layout.push_str("<text macro=\"key\"/>");
                    let limits = NameLimits {
                        min: *names_min,
                        use_first: *names_use_first,
                        use_last: *names_use_last,
                    };
                    macros.push(Some((name.clone(), limits)));
                    descending.push(*sort_direction == SortDirection::Descending);
                }
                SortKey::Variable {
                    variable,
                    sort_direction,
                } => {
                    let element = match variable {
                        Variable::Number(NumberVariable::CitationNumber) => return None,
                        Variable::Date(_) => date_xml(variable, DateParts::YearMonthDay),
                        Variable::Name(_) => format!(
                            "<names variable=\"{variable}\"><name name-as-sort-order=\"all\" sort-separator=\" \"/></names>"
                        ),
                        _ => format!("<text variable=\"{variable}\"/>"),
                    };
                    layout.push_str(&element);
                    macros.push(None);
                    descending.push(*sort_direction == SortDirection::Descending);
                }
            }
        }
        let templates = [
            DateParts::Year,
            DateParts::YearMonth,
            DateParts::YearMonthDay,
        ]
        .map(|parts| {
            format!(
                "<macro name=\"{parts:?}\">{}</macro>",
                date_xml(&"issued", parts)
            )
        })
        .join("");
        let xml = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>sort keys</title><id>refkeeper-sort-keys</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <locale><terms>
    <term name="et-al">{LEFT_OUT}</term>
    <term name="and others">{LEFT_OUT}</term>
    <term name="and">{LEFT_OUT}</term>
  </terms></locale>
  {templates}
  <citation><layout><text value="-"/></layout></citation>
  <bibliography><layout>{layout}</layout></bibliography>
</style>"#
        );
        let parsed = IndependentStyle::from_xml(&xml).ok()?;
        let mut elements = parsed.bibliography?.layout.elements;
        let mut keys_style = style.clone();
        // Where each run of keys ends: after a key that substitutes.
        let mut run_ends = Vec::new();
        let mut counts = vec![false; descending.len()];
        // Each key is a marker and one element: name the macros.
        for (index, (element, key)) in elements
            .iter_mut()
            .skip(1)
            .step_by(2)
            .zip(macros)
            .enumerate()
        {
            if let (LayoutRenderingElement::Text(text), Some((name, limits))) = (element, key) {
                if reaches_substitute(&mut keys_style, &name) {
                    run_ends.push(2 * (index + 1));
                }
                counts[index] = reaches_count(&mut keys_style, &name);
                let name = if limits.is_some() {
                    with_name_limits(&mut keys_style, &name, index, limits)
                } else {
                    name
                };
                text.target = TextTarget::Macro { name };
            }
        }
        let template = |parts: DateParts| -> Option<Date> {
            let name = format!("{parts:?}");
            match parsed
                .macros
                .iter()
                .find(|m| m.name == name)?
                .children
                .first()?
            {
                LayoutRenderingElement::Date(date) => Some(date.clone()),
                _ => None,
            }
        };
        let templates = [
            template(DateParts::Year)?,
            template(DateParts::YearMonth)?,
            template(DateParts::YearMonthDay)?,
        ];

        // Keys are rendered text, so "sort-only" demotion is the display's:
        // "von Hippel, Ted" sorts as "Hippel, Ted von", under H.
        if keys_style.settings.demote_non_dropping_particle == DemoteNonDroppingParticle::SortOnly {
            keys_style.settings.demote_non_dropping_particle =
                DemoteNonDroppingParticle::DisplayAndSort;
        }
        // Terms of the keys style come first, before the style's own.
        keys_style.locale.splice(0..0, parsed.locale);
        for item in &mut keys_style.macros {
            style_fixes::visit_all(&mut item.children, &mut |element| {
                match element {
                    LayoutRenderingElement::Date(date) => *date = sortable(date, &templates),
                    // Keys show names without their labels ("(Ed.)"), and
                    // every name family name first, whatever the name's own
                    // `name-as-sort-order` (AMS's "first": "Hogg, D. W., J.
                    // Bovy" sorts before "Hogg, D. W., A. D. Myers").
                    LayoutRenderingElement::Names(names) => {
                        names
                            .children
                            .retain(|child| !matches!(child, NamesChild::Label(_)));
                        for child in &mut names.children {
                            if let NamesChild::Name(name) = child {
                                *name = style_fixes::name_without_options(
                                    name,
                                    &["@name-as-sort-order"],
                                );
                            }
                        }
                    }
                    _ => {}
                }
            });
        }
        keys_style.citation.layout.elements.clear();
        keys_style.citation.sort = None;
        let bibliography = keys_style.bibliography.as_mut()?;
        // Names in a macro key are compared family name first, as
        // citeproc-js renders them for sorting ("Albaum, Lazar’ I." before
        // "Bailes, Alyson" in ACM, whose names are given-name first).
        bibliography.name_options.name_as_sort_order = Some(NameAsSortOrder::All);
        bibliography.sort = None;
        bibliography.subsequent_author_substitute = None;
        bibliography.second_field_align = None;
        bibliography.layout.prefix = None;
        bibliography.layout.suffix = None;
        bibliography.layout.delimiter = None;
        if run_ends.last() != Some(&elements.len()) {
            run_ends.push(elements.len());
        }
        let mut keys_styles = Vec::new();
        let mut start = 0;
        for end in run_ends {
            let mut run = keys_style.clone();
            if let Some(bibliography) = &mut run.bibliography {
                bibliography.layout.elements = elements[start..end].to_vec();
            }
            keys_styles.push(run);
            start = end;
        }
        Some(SortPlan {
            keys_styles,
            descending,
            counts,
        })
    }

    /// The order of entries whose keys style rendered `texts`: indices into
    /// `texts`, sorted. Ties keep their input order, as in citeproc-js.
    pub fn order(&self, texts: &[String], locale: Option<&str>) -> Vec<usize> {
        let keys: Vec<Vec<Option<String>>> = texts.iter().map(|t| keys_of(t)).collect();
        let collator = collator(locale);
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| {
            for (index, descending) in self.descending.iter().enumerate() {
                let (x, y) = (keys[a].get(index), keys[b].get(index));
                let ordering = match (x.cloned().flatten(), y.cloned().flatten()) {
                    (Some(x), Some(y)) => collator.compare(&x, &y),
                    // An empty key sorts last (first, if descending), as in
                    // citeproc-js; an empty count is nought, first.
                    (None, Some(_)) if self.counts[index] => Ordering::Less,
                    (Some(_), None) if self.counts[index] => Ordering::Greater,
                    (None, Some(_)) => Ordering::Greater,
                    (Some(_), None) => Ordering::Less,
                    (None, None) => Ordering::Equal,
                };
                let ordering = if *descending {
                    ordering.reverse()
                } else {
                    ordering
                };
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
            Ordering::Equal
        });
        order
    }
}

/// A sort key's `names-min`, `names-use-first` and `names-use-last`: they
/// stand for the `et-al-*` options of every name list in the key's macro.
#[derive(Debug, Clone, Copy)]
struct NameLimits {
    min: Option<u32>,
    use_first: Option<u32>,
    use_last: Option<bool>,
}

impl NameLimits {
    fn is_some(&self) -> bool {
        self.min.is_some() || self.use_first.is_some() || self.use_last.is_some()
    }
}

/// The names of macro `name` and of every macro it calls, each once (none
/// if the style has no such macro).
fn reached_macros(style: &mut IndependentStyle, name: &str) -> Vec<String> {
    let mut reached = vec![name.to_owned()];
    let mut next = 0;
    while next < reached.len() {
        let Some(found) = style.macros.iter_mut().find(|m| m.name == reached[next]) else {
            reached.swap_remove(next);
            continue;
        };
        let mut calls = Vec::new();
        style_fixes::visit_all(&mut found.children, &mut |element| {
            if let LayoutRenderingElement::Text(text) = element
                && let TextTarget::Macro { name } = &text.target
            {
                calls.push(name.clone());
            }
        });
        for call in calls {
            if !reached.contains(&call) {
                reached.push(call);
            }
        }
        next += 1;
    }
    reached
}

/// Whether macro `name`, or a macro it calls, has a `cs:names` with a
/// child that `has` says yes to.
fn reaches_names_child(
    style: &mut IndependentStyle,
    name: &str,
    has: impl Fn(&NamesChild) -> bool,
) -> bool {
    let reached = reached_macros(style, name);
    let mut found = false;
    for item in style
        .macros
        .iter_mut()
        .filter(|m| reached.contains(&m.name))
    {
        style_fixes::visit_all(&mut item.children, &mut |element| {
            if let LayoutRenderingElement::Names(names) = element {
                found |= names.children.iter().any(&has);
            }
        });
    }
    found
}

/// Whether macro `name`, or a macro it calls, has a `cs:substitute`.
fn reaches_substitute(style: &mut IndependentStyle, name: &str) -> bool {
    reaches_names_child(style, name, |child| {
        matches!(child, NamesChild::Substitute(_))
    })
}

/// Whether macro `name`, or a macro it calls, prints a name count.
fn reaches_count(style: &mut IndependentStyle, name: &str) -> bool {
    reaches_names_child(
        style,
        name,
        |child| matches!(child, NamesChild::Name(n) if n.form == Some(NameForm::Count)),
    )
}

/// Copies macro `name`, and every macro it calls, under new names (for
/// key `index`), with the key's name limits on each `cs:names` in them;
/// returns the copy's name. Without the copies AMS, AGU and Annual Reviews
/// were left to hayagriva's sort, which breaks ties other than by input
/// order ("Troelstra 1988a" on the wrong volume).
fn with_name_limits(
    style: &mut IndependentStyle,
    name: &str,
    index: usize,
    limits: NameLimits,
) -> String {
    let renamed = |name: &str| format!("{name}{}", key_marker(index));
    let reached = reached_macros(style, name);
    let copies: Vec<_> = style
        .macros
        .iter()
        .filter(|m| reached.contains(&m.name))
        .cloned()
        .map(|mut copy| {
            copy.name = renamed(&copy.name);
            style_fixes::visit_all(&mut copy.children, &mut |element| match element {
                LayoutRenderingElement::Text(text) => {
                    if let TextTarget::Macro { name } = &mut text.target {
                        *name = renamed(name);
                    }
                }
                LayoutRenderingElement::Names(names) => {
                    names.et_al_min = limits.min.or(names.et_al_min);
                    names.et_al_use_first = limits.use_first.or(names.et_al_use_first);
                    names.et_al_use_last = limits.use_last.or(names.et_al_use_last);
                    for child in &mut names.children {
                        if let NamesChild::Name(own) = child {
                            *own = without_et_al_options(own);
                        }
                    }
                }
                _ => {}
            });
            copy
        })
        .collect();
    style.macros.extend(copies);
    renamed(name)
}

/// A `cs:name` without its own `et-al-*` options, so that those of its
/// `cs:names` apply.
fn without_et_al_options(name: &Name) -> Name {
    style_fixes::name_without_options(
        name,
        &[
            "@et-al-min",
            "@et-al-use-first",
            "@et-al-use-last",
            "@et-al-subsequent-min",
            "@et-al-subsequent-use-first",
        ],
    )
}

/// A `cs:date` that prints the variable's parts (all, or up to the month or
/// year) after markers, for [`keys_of`] to make a number of.
fn date_xml(variable: &dyn std::fmt::Display, parts: DateParts) -> String {
    let mut xml = format!("<date variable=\"{variable}\">");
    xml.push_str(&format!("<date-part name=\"year\" prefix=\"{YEAR}\"/>"));
    if parts.has_month() {
        xml.push_str(&format!(
            "<date-part name=\"month\" form=\"numeric\" prefix=\"{MONTH}\"/>"
        ));
    }
    if parts == DateParts::YearMonthDay {
        xml.push_str(&format!("<date-part name=\"day\" prefix=\"{DAY}\"/>"));
    }
    xml.push_str("</date>");
    xml
}

/// The template for the date's parts, on the date's variable.
fn sortable(date: &Date, templates: &[Date; 3]) -> Date {
    let parts = if date.date_part.is_empty() {
        date.parts.unwrap_or_default()
    } else {
        let has = |name| date.date_part.iter().any(|p| p.name == name);
        if has(DatePartName::Day) {
            DateParts::YearMonthDay
        } else if has(DatePartName::Month) {
            DateParts::YearMonth
        } else {
            DateParts::Year
        }
    };
    let mut sortable = match parts {
        DateParts::Year => templates[0].clone(),
        DateParts::YearMonth => templates[1].clone(),
        DateParts::YearMonthDay => templates[2].clone(),
    };
    sortable.variable = date.variable;
    sortable
}

/// The keys in one entry's rendering by the keys style; `None` for an empty
/// key. Dates become `1YYYYMMDD` (zeros for missing parts) and the left-out
/// terms go, as citeproc-js writes its keys.
fn keys_of(text: &str) -> Vec<Option<String>> {
    text.split(is_key_marker)
        .skip(1)
        .map(|key| {
            let mut out = String::with_capacity(key.len());
            let mut chars = key.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    YEAR => {
                        let digits = |chars: &mut std::iter::Peekable<std::str::Chars>| {
                            let mut number = String::new();
                            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                                number.push(d);
                            }
                            number
                        };
                        let year = digits(&mut chars);
                        let month = if chars.next_if_eq(&MONTH).is_some() {
                            digits(&mut chars)
                        } else {
                            String::new()
                        };
                        let day = if chars.next_if_eq(&DAY).is_some() {
                            digits(&mut chars)
                        } else {
                            String::new()
                        };
                        out.push_str(&format!("1{year:0>4}{month:0>2}{day:0>2}"));
                    }
                    // Stray date markers, formatting markers.
                    '\u{E000}'..='\u{F8FF}' => {}
                    // citeproc-js joins the words of a key with "|", which
                    // the collator does not ignore: "Object|prototypes"
                    // sorts before "Object.defineProperty()". Also the
                    // words of a family name refkeeper keeps together for
                    // hayagriva: "De|Ridder" before "Deheuvels".
                    // One "|" between words, also where a left-out term
                    // stood between them ("Awodey, Steve and Warren"):
                    // two would sort the list before "Awodey, Steve,
                    // Gambino".
                    ' ' | NAME_SPACE if !out.ends_with('|') => out.push('|'),
                    ' ' | NAME_SPACE => {}
                    c => out.push(c),
                }
            }
            let trimmed = out.trim_matches('|');
            (!trimmed.is_empty()).then(|| format!("{trimmed}|"))
        })
        .collect()
}

/// citeproc-js's comparison: letters without case or accents, punctuation
/// ignored, digits by their numeric value.
fn collator(locale: Option<&str>) -> icu_collator::CollatorBorrowed<'static> {
    let locale = locale
        .and_then(|l| l.parse::<icu_locale::Locale>().ok())
        .unwrap_or(icu_locale::locale!("en-US"));
    let mut prefs = CollatorPreferences::from(&locale);
    prefs.numeric_ordering = Some(CollationNumericOrdering::True);
    let mut options = CollatorOptions::default();
    options.strength = Some(Strength::Primary);
    options.alternate_handling = Some(AlternateHandling::Shifted);
    Collator::try_new(prefs, options)
        .or_else(|_| Collator::try_new(CollatorPreferences::default(), options))
        .expect("the root collation is compiled in")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_leave_out_terms_and_turn_dates_into_numbers() {
        let [a, b, c, d] = [0, 1, 2, 3].map(key_marker);
        let text =
            format!("{a}Nordström, Bengt, {LEFT_OUT}{b}{c}Press, {YEAR}1990{MONTH}9{d}{YEAR}2001");
        assert_eq!(
            keys_of(&text),
            vec![
                Some("Nordström,|Bengt,|".to_owned()),
                None,
                Some("Press,|119900900|".to_owned()),
                Some("120010000|".to_owned()),
            ]
        );
        // A left-out "and" leaves one separator, not two.
        assert_eq!(
            keys_of(&format!("{a}Awodey, Steve {LEFT_OUT} Warren, Michael")),
            vec![Some("Awodey,|Steve|Warren,|Michael|".to_owned())]
        );
    }

    #[test]
    fn collator_ignores_punctuation_and_case_and_compares_numbers() {
        let c = collator(None);
        assert_eq!(
            c.compare("Nordström,|Bengt,|", "nordstrom|bengt|"),
            Ordering::Equal
        );
        assert_eq!(
            c.compare("Object|prototypes|", "Object.defineProperty()|"),
            Ordering::Less
        );
        assert_eq!(c.compare("vol. 9", "vol. 10"), Ordering::Less);
        assert_eq!(
            c.compare("“Nested Sampling.”", "Nested Sampling for"),
            Ordering::Less
        );
    }

    #[test]
    fn bundled_author_date_styles_get_a_plan_and_numeric_ones_do_not() {
        let style = |name| match hayagriva::archive::ArchivedStyle::by_name(name).map(|s| s.get()) {
            Some(hayagriva::citationberg::Style::Independent(style)) => style,
            _ => panic!("{name} is bundled"),
        };
        for name in ["apa", "modern-language-association", "chicago-author-date"] {
            let plan = SortPlan::new(&style(name));
            assert!(plan.is_some(), "{name}");
        }
        assert!(SortPlan::new(&style("ieee")).is_none());
    }
}
