//! The rules on an entry's shape: its type, its field names, fields set
//! twice or empty, a visit date without an address, required fields.

use super::EntryView;
use crate::bib::datamodel::{self, Required};
use crate::diagnostic::{Code, Diagnostic};

/// `unknown-type`: an entry type outside the data model.
pub(super) fn unknown_type(view: &EntryView, out: &mut Vec<Diagnostic>) {
    if view.data_type.is_some() {
        return;
    }
    let entry = view.entry;
    let suggestion = closest(&entry.kind, datamodel::type_names());
    out.push(
        view.finding(
            Code::UnknownType,
            format!(
                "`@{}` ({}) is not a BibLaTeX entry type",
                entry.kind, entry.key
            ),
            entry.type_span.clone(),
        )
        .with_help(match suggestion {
            Some(s) => format!("did you mean `@{s}`? biber reads unknown types as @misc"),
            None => "biber reads unknown types as @misc".to_owned(),
        }),
    );
}

/// `duplicate-field`: a field set twice, also under its BibTeX and its
/// BibLaTeX name, unless the second says the same.
pub(super) fn duplicate_field(view: &EntryView, out: &mut Vec<Diagnostic>) {
    for (index, f) in view.fields.iter().enumerate() {
        let Some(canonical) = f.canonical else {
            continue;
        };
        let first = &view.fields[view.first[canonical]];
        if view.first[canonical] == index || f.restates {
            continue;
        }
        let same_name = first.name == f.name;
        let key = &view.entry.key;
        out.push(
            view.finding(
                Code::DuplicateField,
                if same_name {
                    format!("`{}` is set twice in `{key}`", f.name)
                } else {
                    format!(
                        "`{}` and `{}` are the same field in `{key}`",
                        first.name, f.name
                    )
                },
                f.whole(),
            )
            .with_related(view.entry.file, first.whole(), "first set here")
            .with_help("biber keeps the first and drops this one; remove one of them"),
        );
    }
}

/// `unknown-field`: a field outside the data model.
pub(super) fn unknown_field(view: &EntryView, out: &mut Vec<Diagnostic>) {
    for f in view.fields.iter().filter(|f| f.canonical.is_none()) {
        let help = match closest(&f.name, datamodel::field_names()) {
            Some(s) => format!("did you mean `{s}`? biber ignores fields outside the data model"),
            None => "biber ignores fields outside the data model".to_owned(),
        };
        out.push(
            view.finding(
                Code::UnknownField,
                format!(
                    "`{}` in `{}` is not a BibLaTeX field",
                    f.name, view.entry.key
                ),
                f.field.name(),
            )
            .with_help(help),
        );
    }
}

/// `empty-field`: a field written empty (`note = {}`).
pub(super) fn empty_field(view: &EntryView, out: &mut Vec<Diagnostic>) {
    for f in view.fields.iter().filter(|f| f.empty && !f.restates) {
        out.push(
            view.finding(
                Code::EmptyField,
                format!("`{}` in `{}` is empty", f.name, view.entry.key),
                f.whole(),
            )
            .with_help("remove the field, or fill it in"),
        );
    }
}

/// `urldate-without-url`: a visit date with nothing visited. The visit
/// date of a DOI or eprint link is not lost: reference managers export it
/// when they leave the url out for the DOI.
pub(super) fn urldate_without_url(view: &EntryView, out: &mut Vec<Diagnostic>) {
    let Some(f) = view.own("urldate") else {
        return;
    };
    let linked_online = ["url", "doi", "eprint"].iter().any(|f| view.is_set(f));
    if linked_online || !view.is_set("urldate") {
        return;
    }
    out.push(
        view.finding(
            Code::UrldateWithoutUrl,
            format!(
                "`{}` has a `urldate` but no `url` (nor doi, eprint)",
                view.entry.key
            ),
            f.whole(),
        )
        .with_help("add the url the date refers to, or remove the urldate"),
    );
}

/// `missing-field`: a field the data model requires for the entry's type,
/// inherited ones and BibTeX names counting.
pub(super) fn missing_field(view: &EntryView, out: &mut Vec<Diagnostic>) {
    let Some((kind, sets_type)) = view.data_type else {
        return;
    };
    let has = |name: &str| {
        if name == "type" && sets_type {
            return true;
        }
        // Relaxed where biblatex's styles print the entry in full: a web
        // page dated by its visit, a book by its editors.
        if name == "date" && kind == "online" && view.is_set("urldate") {
            return true;
        }
        if name == "author" && kind == "book" && view.is_set("editor") {
            return true;
        }
        // An empty field is `empty-field`'s (or `undefined-string`'s)
        // finding, not a missing one.
        view.is_written(name) || datamodel::bibtex_names(name).any(|n| view.is_written(n))
    };
    let missing: Vec<String> = datamodel::required(kind)
        .into_iter()
        .filter_map(|required| match required {
            Required::Field(name) => (!has(name)).then(|| format!("`{name}`")),
            Required::AnyOf(names) => (!names.iter().any(|n| has(n))).then(|| {
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            }),
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let entry = view.entry;
    out.push(
        view.finding(
            Code::MissingField,
            format!(
                "`@{}` entry `{}` has no {}",
                entry.kind,
                entry.key,
                missing.join(", ")
            ),
            entry.key_span.clone(),
        )
        .with_help(format!(
            "the BibLaTeX data model requires it for @{kind} (BibTeX names count: journal, year, school, address)"
        )),
    );
}

/// A close known name for a misspelt one (`titel` → `title`).
fn closest(name: &str, known: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    known
        // Names whose lengths differ by more than two are not close.
        .filter(|k| k.len().abs_diff(name.len()) <= 2)
        .map(|k| (strsim::damerau_levenshtein(name, k), k))
        .filter(|(distance, k)| *distance <= if k.len() > 5 { 2 } else { 1 })
        .min()
        .map(|(_, k)| k)
}
