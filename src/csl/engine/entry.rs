//! CSL items as hayagriva entries: the type, titles, names, dates and
//! numbers each CSL variable needs, as hayagriva reads them.

use super::markup::{COMBINING_LETTERS, GUARD, NAME_HYPHEN, NAME_SPACE, chunked, format_string};
use crate::bib::value::date::{DatePart, DateValue};
use crate::bib::value::names;
use crate::bib::value::names::Names;
use crate::csl::mapping::{CslItem, CslType};
use crate::csl::style_fixes::{ACCESS_DATE_CARRIER, Twins};
use hayagriva::Entry;
use hayagriva::citationberg::taxonomy::{NameVariable, Season};
use hayagriva::types::{
    Date, EntryType, MaybeTyped, Numeric, PageRanges, Person, PersonRole, PersonsWithRoles,
    Publisher, QualifiedUrl,
};
use std::borrow::Cow;
use std::str::FromStr;

/// Which end of a date range to give hayagriva, which has no ranges.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    Start,
    End,
}

/// `218-218` with a [`GUARD`] after its end: citeproc-js prints a range
/// whose ends are equal as it stands, with a plural label ("pp. 218–218");
/// hayagriva took it for one page ("p. 218–18"). The guard makes the ends
/// differ for hayagriva, and is removed after rendering.
pub(super) fn same_page_range(pages: &str) -> Cow<'_, str> {
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
pub(super) fn uncapitalizable(text: &str) -> String {
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

pub(super) fn numeric(text: &str) -> MaybeTyped<Numeric> {
    Numeric::from_str(text)
        .map(MaybeTyped::Typed)
        .unwrap_or_else(|_| MaybeTyped::String(text.to_owned()))
}

pub(super) fn persons(names: &Names) -> Vec<Person> {
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

/// The items with the initials in the given names of `variables`
/// normalised.
pub(super) fn with_normalized_initials(
    items: &[CslItem],
    terminator: &str,
    variables: &[NameVariable],
) -> Vec<CslItem> {
    with_given_names(items, variables, |given| {
        names::normalized_initials(given, terminator)
    })
}

/// The items with `rewrite` applied to the given name of every person of
/// `variables` (not to names written as they stand).
fn with_given_names(
    items: &[CslItem],
    variables: &[NameVariable],
    rewrite: impl Fn(&str) -> String,
) -> Vec<CslItem> {
    let mut items = items.to_vec();
    for item in &mut items {
        for (variable, list) in [
            (NameVariable::Author, &mut item.author),
            (NameVariable::Editor, &mut item.editor),
            (NameVariable::Translator, &mut item.translator),
            (NameVariable::ContainerAuthor, &mut item.container_author),
        ] {
            if !variables.contains(&variable) {
                continue;
            }
            for name in &mut list.names {
                if name.literal.is_none() {
                    name.given = rewrite(&name.given);
                }
            }
        }
    }
    items
}

/// Page text hayagriva cannot read as ranges, with each hyphen that does
/// not join two page numbers written as the stand-in that reads back as a
/// hyphen: hayagriva writes every hyphen of such text as an en dash, where
/// citeproc-js turns only those of ranges of numbers ("i–xviii and
/// 345–880", "e1–e5") and keeps the others ("28:1-28:6", "87-108.3").
pub(super) fn hyphens_outside_ranges(pages: &str) -> String {
    // A page number: digits, a roman numeral, or letters then digits.
    fn is_page_number(token: &str) -> bool {
        let digits = token.trim_start_matches(char::is_alphabetic);
        let roman = token.chars().all(|c| {
            matches!(
                c.to_ascii_lowercase(),
                'i' | 'v' | 'x' | 'l' | 'c' | 'd' | 'm'
            )
        });
        !token.is_empty()
            && (roman || (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())))
    }
    let boundary = |c: char| c.is_whitespace() || matches!(c, ',' | '&' | ';');
    let mut out = String::with_capacity(pages.len());
    for (at, c) in pages.char_indices() {
        if c == '-' {
            // What follows the last colon or period before the hyphen
            // ("123:i-xviii" joins i and xviii).
            let before = pages[..at]
                .rsplit(|c: char| boundary(c) || matches!(c, ':' | '.'))
                .next()
                .unwrap_or_default();
            let after = pages[at + 1..].split(boundary).next().unwrap_or_default();
            if !(is_page_number(before) && is_page_number(after)) {
                out.push(NAME_HYPHEN);
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// The items with each hyphen in a given name that comes before a
/// lowercase letter written as a space ("Jeong-nam" as "Jeong nam"), for
/// styles that initialise without hyphens (see
/// `style_fixes::initials_keep_lowercase_parts`).
pub(super) fn with_lowercase_parts_apart(items: &[CslItem]) -> Vec<CslItem> {
    const ALL: [NameVariable; 4] = [
        NameVariable::Author,
        NameVariable::Editor,
        NameVariable::Translator,
        NameVariable::ContainerAuthor,
    ];
    with_given_names(items, &ALL, |given| {
        let mut apart = String::with_capacity(given.len());
        let mut chars = given.chars().peekable();
        while let Some(c) = chars.next() {
            let lowercase_next = chars.peek().is_some_and(|n| n.is_lowercase());
            apart.push(if c == '-' && lowercase_next { ' ' } else { c });
        }
        apart
    })
}

/// `La Fontaine`, `Van Buuren`: BibTeX has already put lowercase particles
/// (`de`, `van der`) in the prefix, so a capitalised word at the head of the
/// family name is part of it. hayagriva would split `La` or `Van` off as a
/// non-dropping particle (`Fontaine, Jean de La` in Chicago); citeproc-js
/// does not. A family name that starts lowercase (`{van Gogh}`) keeps its
/// spaces, so that both treat its particle alike.
pub(super) fn protected_family_name(family: &str) -> String {
    if family.chars().next().is_some_and(char::is_uppercase) {
        family.replace(' ', &NAME_SPACE.to_string())
    } else {
        family.to_owned()
    }
}

/// `Ch.` in `J.-Ch.` (and `Ph.`, `Md.`) written so that hayagriva keeps it
/// whole when it initialises, as citeproc-js keeps an abbreviation that
/// ends in a period (hayagriva gave `J.-C.`): the small letters become
/// combining letters, one grapheme with the capital, turned back into
/// letters after rendering. An abbreviation with another letter stays.
pub(super) fn abbreviations_as_one_grapheme(given: &str) -> Cow<'_, str> {
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
pub(super) fn joined_given_name(given: &str) -> String {
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

pub(super) fn hayagriva_date(part: DatePart) -> Date {
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

pub(super) fn pick(date: &DateValue, which: Which) -> Option<DatePart> {
    match which {
        Which::Start => date.start(),
        Which::End => date.end().or_else(|| date.start()),
    }
}

/// CSL's `original-*` variables as hayagriva reads them: a parent of type
/// `Original`. hayagriva looks for an entry's date and publisher among all
/// its parents when the entry has none (`Entry::map`), so the original's
/// date and publisher go in only beside the entry's own: a reprint without
/// a date of its own must not print the original's as its issued date.
fn original_parent(item: &CslItem, english: bool) -> Option<Entry> {
    let original = &item.original;
    if original.is_empty() {
        return None;
    }
    let mut parent = Entry::new(&item.id, EntryType::Original);
    if let Some(title) = &original.title {
        parent.set_title(format_string(title, english));
    }
    if !original.author.names.is_empty() {
        parent.set_authors(persons(&original.author));
    }
    if item.issued.is_some()
        && let Some(date) = original.date.as_ref().and_then(DateValue::start)
    {
        parent.set_date(hayagriva_date(date));
    }
    if item.publisher.is_some() || item.publisher_place.is_some() {
        parent.set_publisher(Publisher::new(
            original
                .publisher
                .as_ref()
                .map(|p| format_string(p, english)),
            original
                .publisher_place
                .as_ref()
                .map(|p| format_string(p, english)),
        ));
    }
    Some(parent)
}

pub(super) fn to_entry(item: &CslItem, which: Which, twins: &Twins) -> Entry {
    let entry_type = match item.kind {
        // An article with no periodical parent: CSL's `article` (a
        // preprint, a working paper) to hayagriva.
        CslType::Article => EntryType::Article,
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
    let visited = item
        .accessed
        .as_ref()
        .and_then(DateValue::start)
        .map(hayagriva_date);
    // Where the style prints access dates, one travels on a stand-in URL
    // when the item has none (see `style_fixes::accessed_without_url`).
    let url = match item.url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
        Some(url) => Some(url),
        None if twins.carries_accessed() && visited.is_some() => {
            url::Url::parse(ACCESS_DATE_CARRIER).ok()
        }
        None => None,
    };
    if let Some(url) = url {
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
                .unwrap_or_else(|_| MaybeTyped::String(hyphens_outside_ranges(&pages))),
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
    // The twins the style's tests read in place of substitutable variables.
    twins.set(item, &mut entry, &mut affiliated, persons);
    if !affiliated.is_empty() {
        entry.set_affiliated(affiliated);
    }
    if let Some(original) = original_parent(item, english) {
        parents.push(original);
    }
    // hayagriva reads the event's title, place and date from a parent
    // conference: one for any of them (biblatex-examples' `moraux` has an
    // `eventdate` and no `eventtitle`, and GB/T 7714 prints "1975年").
    if item.event_title.is_some() || item.event_place.is_some() || item.event_date.is_some() {
        let mut conference = Entry::new(&item.id, EntryType::Conference);
        if let Some(event) = &item.event_title {
            conference.set_title(format_string(event, english));
        }
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
