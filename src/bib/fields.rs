//! The fields of one entry as a style sees them: macros expanded, and the
//! fields it inherits from `@xdata` entries and its `crossref` parent
//! added, as biber adds them (`title` of a parent book becomes the child's
//! `booktitle`, and so on).

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::bib::{Bibliography, EntryId, LinkKind, RawField};
use crate::source::{FileId, SourceMap, Span};

/// One field value, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValue {
    /// The raw value (LaTeX), with `@string` macros expanded.
    pub text: String,
    /// The file the value is written in (a parent's, when inherited).
    pub file: FileId,
    /// The value's span; inherited values point at the parent's field.
    pub span: Span,
}

/// An entry's fields by lower-case name.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    map: FxHashMap<String, FieldValue>,
}

impl Fields {
    /// The value of a field (lower-case name), inherited ones included.
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.map.get(name).filter(|v| !v.text.trim().is_empty())
    }

    /// Whether the field is written at all, even empty (or as a macro
    /// that expands to nothing).
    pub fn is_written(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// The text of a field's value, if it has one.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).map(|v| v.text.as_str())
    }

    /// The first of several names that is set.
    pub fn first(&self, names: &[&str]) -> Option<&FieldValue> {
        names.iter().find_map(|n| self.get(n))
    }

    /// Sets a field not set yet; its value is read only then.
    fn insert_missing(&mut self, name: &str, field: &Met) {
        if !self.map.contains_key(name) {
            self.map.insert(name.to_owned(), field.value());
        }
    }
}

/// A field as [`walk`] meets it: where it is written, its value read only
/// when asked for.
pub(crate) struct Met<'a> {
    bib: &'a Bibliography,
    sources: &'a SourceMap,
    file: FileId,
    field: RawField,
}

impl<'a> Met<'a> {
    /// The value, `@string` macros expanded (borrowed from the file when
    /// there are none).
    pub(crate) fn text(&self) -> Cow<'a, str> {
        let sources = self.sources;
        let text = sources.get(self.file).text.as_str();
        let texts = |file: FileId| sources.get(file).text.as_str();
        self.bib.value_text(text, &self.field, &texts)
    }

    fn value(&self) -> FieldValue {
        FieldValue {
            text: self.text().into_owned(),
            file: self.file,
            span: self.field.value_span(),
        }
    }
}

/// The summary fields of an entry read as CSL data.
fn summary_of_csl(data: &crate::bib::CslData, entry: &crate::bib::Entry) -> Fields {
    use serde_json::Value;
    let mut fields = Fields::default();
    let mut add = |name: &str, text: String| {
        if !text.is_empty() {
            let value = FieldValue {
                text,
                file: entry.file,
                span: entry.span(),
            };
            fields.map.insert(name.to_owned(), value);
        }
    };
    if let Some(title) = data.get("title").and_then(Value::as_str) {
        add("title", crate::bib::value::markup::markup(title).text());
    }
    for (variable, field) in [("author", "author"), ("editor", "editor")] {
        let Some(Value::Array(names)) = data.get(variable) else {
            continue;
        };
        let written: Vec<String> = names
            .iter()
            .filter_map(|name| {
                let part = |k: &str| name.get(k).and_then(Value::as_str).unwrap_or("");
                let literal = name.as_str().or(Some(part("literal")));
                match (literal, part("family"), part("given")) {
                    (Some(literal), ..) if !literal.is_empty() => Some(format!("{{{literal}}}")),
                    (_, "", "") => None,
                    (_, "", given) => Some(given.to_owned()),
                    (_, family, "") => Some(family.to_owned()),
                    (_, family, given) => Some(format!("{family}, {given}")),
                }
            })
            .collect();
        add(field, written.join(" and "));
    }
    let year = data
        .get("issued")
        .and_then(|d| d.get("date-parts"))
        .and_then(|p| p.get(0))
        .and_then(|p| p.get(0))
        .map(|y| match y {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .or_else(|| {
            let issued = data.get("issued")?;
            let raw = issued.as_str().or_else(|| issued.get("raw")?.as_str())?;
            Some(raw.chars().take(4).collect())
        });
    if let Some(year) = year {
        add("date", year);
    }
    fields
}

/// What people put before a DOI in a `doi` field, which belongs only in
/// a link: `https://doi.org/10.1000/x` for `10.1000/x`.
pub const DOI_PREFIXES: &[&str] = &[
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi:",
];

/// The DOI without the link or `doi:` prefixes before it (matched in any
/// case, as often as they repeat: `DOI: https://doi.org/10.1000/x`), and
/// the first prefix that was there.
pub fn split_doi_prefix(doi: &str) -> (Option<&'static str>, &str) {
    let mut first = None;
    let mut rest = doi.trim();
    'strip: loop {
        for prefix in DOI_PREFIXES {
            if rest.len() >= prefix.len()
                && rest.is_char_boundary(prefix.len())
                && rest[..prefix.len()].eq_ignore_ascii_case(prefix)
            {
                first.get_or_insert(*prefix);
                rest = rest[prefix.len()..].trim_start();
                continue 'strip;
            }
        }
        return (first, rest);
    }
}

/// Fields that are never inherited (biber's defaults).
const NOT_INHERITED: &[&str] = &[
    "ids",
    "crossref",
    "xref",
    "xdata",
    "entryset",
    "entrysubtype",
    "execute",
    "label",
    "options",
    "presort",
    "related",
    "relatedoptions",
    "relatedstring",
    "relatedtype",
    "shorthand",
    "shorthandintro",
    "sortkey",
];

/// Collects the fields of `id`, with inheritance.
///
/// An entry read as CSL data (CSL-JSON, CSL-YAML, Hayagriva YAML) has no
/// BibLaTeX fields; it gets the few a summary shows (`title`, `author`,
/// `editor`, `date`), written as BibLaTeX would write them, each spanning
/// the entry. `refs` reads its CSL data itself
/// ([`crate::csl::mapping::item_of`]).
pub fn collect(bib: &Bibliography, sources: &SourceMap, id: EntryId) -> Fields {
    if let Some(data) = &bib.entry(id).csl() {
        return summary_of_csl(data, bib.entry(id));
    }
    let mut fields = Fields::default();
    // The first field of a name wins, as in biber: its value is read only
    // when the name is not taken yet.
    walk(bib, sources, id, &mut |name, field| {
        fields.insert_missing(name, field)
    });
    fields
}

/// Every field of a BibLaTeX entry in the order biber weighs them (the
/// first of a name wins): the entry's own, those of its `@xdata` entries,
/// then those of its `crossref` parent (and the parent's parents), each
/// under the name it takes in the entry; what children leave out is left
/// out.
pub(crate) fn walk(
    bib: &Bibliography,
    sources: &SourceMap,
    id: EntryId,
    each: &mut dyn FnMut(&str, &Met),
) {
    let mut visited = Vec::new();
    let mut name = String::new();
    each_own(bib, sources, id, &mut visited, &mut name, each);
    let entry = bib.entry(id);
    // The crossref parent (and its own parents), after the child's own
    // data, each field under the name it takes in the child.
    let mut parent = entry
        .links()
        .iter()
        .find(|l| l.kind == LinkKind::Crossref)
        .and_then(|l| bib.resolve(&l.target.key));
    let mut depth = 0;
    while let Some(parent_id) = parent {
        if visited.contains(&parent_id) || depth > 8 {
            break;
        }
        let parent_entry = bib.entry(parent_id);
        each_own(
            bib,
            sources,
            parent_id,
            &mut visited,
            &mut name,
            &mut |name, field| {
                if NOT_INHERITED.contains(&name) {
                    return;
                }
                match inherited_name(entry.kind(), parent_entry.kind(), name) {
                    // Left out in children (`shorttitle` of a book).
                    Some("") => {}
                    Some(renamed) => each(renamed, field),
                    None => each(name, field),
                }
            },
        );
        parent = parent_entry
            .links()
            .iter()
            .find(|l| l.kind == LinkKind::Crossref)
            .and_then(|l| bib.resolve(&l.target.key));
        depth += 1;
    }
}

/// The entry's own fields, then those of its `@xdata` entries, each with
/// its lower-cased name (written in `name`, a buffer reused field to field).
fn each_own(
    bib: &Bibliography,
    sources: &SourceMap,
    id: EntryId,
    visited: &mut Vec<EntryId>,
    name: &mut String,
    field_of: &mut dyn FnMut(&str, &Met),
) {
    if visited.contains(&id) {
        return;
    }
    visited.push(id);
    let entry = bib.entry(id);
    let text = &sources.get(entry.file).text;
    for field in bib.fields(entry) {
        name.clear();
        name.push_str(&text[field.name(text)]);
        name.make_ascii_lowercase();
        let met = Met {
            bib,
            sources,
            file: entry.file,
            field,
        };
        field_of(name, &met);
    }
    for link in entry.links().iter().filter(|l| l.kind == LinkKind::Xdata) {
        if let Some(xdata) = bib.resolve(&link.target.key) {
            each_own(bib, sources, xdata, visited, name, field_of);
        }
    }
}

/// The name a parent's field takes in a child (biber's default rules).
/// `Some("")` for a field children leave out.
fn inherited_name(child: &str, parent: &str, field: &str) -> Option<&'static str> {
    let book_like = matches!(
        parent,
        "book"
            | "collection"
            | "proceedings"
            | "reference"
            | "mvbook"
            | "mvcollection"
            | "mvproceedings"
            | "mvreference"
    );
    let child_in_book = matches!(
        child,
        "inbook"
            | "bookinbook"
            | "suppbook"
            | "incollection"
            | "suppcollection"
            | "inproceedings"
            | "inreference"
    );
    let multivolume = parent.starts_with("mv");
    let renamed = match field {
        "title" if multivolume => "maintitle",
        "subtitle" if multivolume => "mainsubtitle",
        "titleaddon" if multivolume => "maintitleaddon",
        "title" if book_like && child_in_book => "booktitle",
        "subtitle" if book_like && child_in_book => "booksubtitle",
        "titleaddon" if book_like && child_in_book => "booktitleaddon",
        "author"
            if matches!(parent, "book" | "mvbook")
                && matches!(child, "inbook" | "bookinbook" | "suppbook") =>
        {
            "bookauthor"
        }
        "title" if parent == "periodical" && child == "article" => "journaltitle",
        "subtitle" if parent == "periodical" && child == "article" => "journalsubtitle",
        "shorttitle" | "sorttitle" | "indextitle" | "indexsorttitle"
            if book_like || parent == "periodical" =>
        {
            ""
        }
        _ => return None,
    };
    Some(renamed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn doi_prefixes_go_however_often_they_stand() {
        assert_eq!(
            super::split_doi_prefix("DOI:  https://doi.org/10.31399/asm"),
            (Some("doi:"), "10.31399/asm")
        );
        assert_eq!(super::split_doi_prefix("10.1000/x"), (None, "10.1000/x"));
    }

    use super::*;
    use crate::bib::BibInput;
    use crate::source::{FileRole, SourceFile};

    fn fields(text: &str, key: &str) -> Fields {
        let mut sources = SourceMap::new();
        let file = sources.add(SourceFile::new(
            "t.bib".into(),
            FileRole::Bibliography,
            text.to_owned(),
        ));
        let (bib, _) = Bibliography::read(&[BibInput::bib(file, &sources.get(file).text)]);
        collect(&bib, &sources, bib.resolve(key).unwrap())
    }

    #[test]
    fn crossref_parents_give_book_titles_and_missing_fields() {
        let f = fields(
            "@book{parent, title = {The Book}, subtitle = {Sub}, editor = {E, D}, publisher = {P}, date = {2006}}\
             @incollection{child, crossref = {parent}, title = {Chapter}, date = {2007}}",
            "child",
        );
        assert_eq!(f.text("title"), Some("Chapter"));
        assert_eq!(f.text("booktitle"), Some("The Book"));
        assert_eq!(f.text("booksubtitle"), Some("Sub"));
        assert_eq!(f.text("publisher"), Some("P"));
        assert_eq!(f.text("date"), Some("2007"), "the child's own field wins");
        assert_eq!(f.text("crossref"), Some("parent"));
    }

    #[test]
    fn xdata_and_macros_are_resolved() {
        let f = fields(
            "@string{pub = \"Changbi\"}@xdata{x, publisher = pub # { Press}, location = {Seoul}}\
             @book{b, xdata = {x}, title = {T}, month = nov}",
            "b",
        );
        assert_eq!(f.text("publisher"), Some("Changbi Press"));
        assert_eq!(f.text("location"), Some("Seoul"));
        assert_eq!(f.text("month"), Some("11"));
    }

    #[test]
    fn cycles_do_not_hang() {
        let f = fields(
            "@book{a, crossref = {b}, title = {A}}@book{b, crossref = {a}, xdata = {b}}",
            "a",
        );
        assert_eq!(f.text("title"), Some("A"));
    }
}
