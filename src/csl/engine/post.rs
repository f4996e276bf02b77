//! What refkeeper does after hayagriva renders: CSL disambiguation's
//! inputs (the names and years of each cite), `subsequent-author-substitute`,
//! and date ranges merged from two renderings.

use super::flatten::NamesEdit;
use super::markup::{LINK, is_join, words};
use crate::bib::value::date::DateValue;
use crate::csl::disambiguate;
use crate::csl::mapping::CslItem;
use hayagriva::citationberg::taxonomy::NameVariable;
use hayagriva::citationberg::{
    IndependentStyle, LayoutRenderingElement, Names as CslNames, NamesChild,
    SubsequentAuthorSubstituteRule, Text, TextTarget,
};
use hayagriva::{ElemChild, ElemChildren, ElemMeta};

/// The names a cite shows: the author, else the editor, else the translator.
pub(super) fn cite_names(item: &CslItem) -> Vec<disambiguate::CiteName> {
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
///
/// citeproc-js writes the suffix with the affixes of the `year` date-part
/// it follows (`affixes`, prefix and suffix), after the year's own suffix:
/// ISO 690's `<date-part name="year" prefix=" "/>` gives "2022 c".
pub(super) fn insert_year_suffix(
    text: &str,
    year: i32,
    suffix: &str,
    affixes: Option<&(String, String)>,
) -> Option<String> {
    let (before, after) = affixes.map_or(("", ""), |(p, s)| (p.as_str(), s.as_str()));
    let suffix = format!("{before}{suffix}{after}");
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
            let end = if !after.is_empty() && text[end..].starts_with(after) {
                end + after.len()
            } else {
                end
            };
            return Some(format!("{}{suffix}{}", &text[..end], &text[end..]));
        }
        from = end;
    }
    None
}

/// The text of an entry's first `cs:names`, whole and name by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NamesText {
    pub(super) whole: String,
    pub(super) names: Vec<String>,
    pub(super) ids: Vec<(NameVariable, usize)>,
    pub(super) variables: Vec<NameVariable>,
}

impl NamesText {
    /// The names as the data writes them, where the item has them:
    /// citeproc-js compares those ("Sylvia C" is not "Sylvia C.", though
    /// both may print alike).
    pub(super) fn with_names_as_written(mut self, item: Option<&CslItem>) -> NamesText {
        let written: Option<Vec<String>> = self
            .ids
            .iter()
            .map(|(variable, index)| {
                let name = item?.names(*variable)?.names.get(*index)?;
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

pub(super) fn first_names(children: &ElemChildren) -> Option<NamesText> {
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
pub(super) fn collect_names(
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
pub(super) fn compared_names(style: &IndependentStyle) -> Vec<NameVariable> {
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
    // The substitute's first names, past the conditions a style may open
    // it with (MHRA: interviewers, only for some types): a leading
    // `cs:choose` does not stand in for the author.
    let substituted = names.children.iter().find_map(|child| match child {
        NamesChild::Substitute(substitute) => substitute
            .children
            .iter()
            .find(|element| !matches!(element, LayoutRenderingElement::Choose(_))),
        _ => None,
    });
    if let Some(LayoutRenderingElement::Names(inner)) = substituted {
        variables.extend(&inner.variable);
    }
    variables
}

/// CSL's `subsequent-author-substitute`: what replaces the names of an
/// entry whose names repeat those of the entry before.
pub(super) fn substitution(
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

pub(super) fn is_range(date: &DateValue) -> bool {
    match date {
        DateValue::Single(_) => false,
        DateValue::Range(start, end) => start.is_some() && (end.is_none() || start != end),
    }
}

/// `2007` and `2008` → `2007–2008`; `November 2007` and `December 2007` →
/// `November–December 2007`: what the two ends share stays outside.
pub(super) fn merge_range(start: &str, end: &str) -> String {
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

/// The text of each `cs:date` element, in order.
pub(super) fn date_texts(children: &ElemChildren) -> Vec<String> {
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

pub(super) fn collect_text(children: &ElemChildren, out: &mut String) {
    for child in &children.0 {
        match child {
            ElemChild::Text(t) => out.extend(
                t.text
                    .chars()
                    .filter(|&c| !is_join(c) && c != LINK.0 && c != LINK.1),
            ),
            ElemChild::Elem(e) => collect_text(&e.children, out),
            ElemChild::Link { text, .. } => out.push_str(&text.text),
            ElemChild::Markup(m) => out.push_str(m),
            ElemChild::Transparent { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
