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
    let suggestion = closest(entry.kind(), datamodel::type_names());
    out.push(
        view.finding(
            Code::UnknownType,
            format!(
                "`@{}` ({}) is not a BibLaTeX entry type",
                entry.kind(),
                view.key
            ),
            entry.type_span(),
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
        let first_index = view.first(canonical).unwrap_or(index);
        let first = &view.fields[first_index];
        if first_index == index || f.restates {
            continue;
        }
        let same_name = first.name == f.name;
        let key = view.key;
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

/// `misspelled-field`: a field outside the data model whose name is one
/// or two edits from a field the entry's type takes and does not set.
pub(super) fn misspelled_field(view: &EntryView, out: &mut Vec<Diagnostic>) {
    for f in view.fields.iter().filter(|f| f.canonical.is_none()) {
        let Some(meant) = misspelling(view, f.name) else {
            continue;
        };
        out.push(
            view.finding(
                Code::MisspelledField,
                format!(
                    "`{}` in `{}` is not a BibLaTeX field: did you mean `{meant}`?",
                    f.name, view.key
                ),
                f.name_span(),
            )
            .with_help(format!(
                "rename it to `{meant}`; biber ignores `{}`",
                f.name
            )),
        );
    }
}

/// The field a name outside the data model misspells, if it is one: the
/// closest field the entry's type takes (its BibTeX names too), not set
/// in the entry, unless the name is a reference manager's own.
fn misspelling(view: &EntryView, name: &str) -> Option<&'static str> {
    if name.len() <= 4 || TOOL_FIELDS.contains(&name) {
        return None;
    }
    let kind = view.data_type.map(|(kind, _)| kind);
    let takes = |field: &str| {
        let canonical = datamodel::field(field).unwrap_or(field);
        kind.is_none_or(|kind| datamodel::allows(kind, canonical))
    };
    let meant = closest(name, datamodel::field_names().filter(|f| takes(f)))?;
    let canonical = datamodel::field(meant).unwrap_or(meant);
    let set = view.is_written(meant)
        || datamodel::bibtex_names(canonical)
            .chain([canonical])
            .any(|n| view.is_written(n));
    (!set).then_some(meant)
}

/// Fields reference managers, catalogues and bibliography databases write
/// for themselves, near a data-model name but not misspellings of it
/// (`eissn` beside `issn`, MathSciNet's `fjournal` beside `journal`).
/// From the export formats of JabRef (its internal fields), Mendeley,
/// Zotero and Better BibTeX, BibDesk, Web of Science, Scopus,
/// MathSciNet, zbMATH, dblp and ADS.
const TOOL_FIELDS: &[&str] = &[
    "eissn",
    "fjournal",
    "mrnumber",
    "mrclass",
    "mrreviewer",
    "zblnumber",
    "bibsource",
    "biburl",
    "adsurl",
    "adsnote",
    "timestamp",
    "owner",
    "groups",
    "ranking",
    "priority",
    "readstatus",
    "printed",
    "relevance",
    "qualityassured",
    "comment",
    "creationdate",
    "modificationdate",
    "citationkey",
    "mendeley-groups",
    "mendeley-tags",
    "arxivid",
    "pmid",
    "pmcid",
    "copyright",
    "rights",
    "extra",
    "archive",
    "lccn",
    "callnumber",
    "date-added",
    "date-modified",
    "local-url",
    "journal-iso",
    "unique-id",
    "article-number",
    "zbl",
    "bdsk-url-1",
    "bdsk-file-1",
    "research-areas",
    "affiliation",
    "affiliations",
    "keywords-plus",
    "numpages",
    "articleno",
    "acmid",
    "issue_date",
    "coden",
    "source",
    "isbn13",
    "isbn10",
    "abbrev_source_title",
    "pubmed_id",
    "art_number",
    "document_type",
    "publication_stage",
];

/// `unknown-field`: a field outside the data model (a misspelling is
/// `misspelled-field`'s when that code is on).
pub(super) fn unknown_field(view: &EntryView, out: &mut Vec<Diagnostic>) {
    for f in view.fields.iter().filter(|f| f.canonical.is_none()) {
        if view.misspellings_reported && misspelling(view, f.name).is_some() {
            continue;
        }
        let help = match closest(f.name, datamodel::field_names()) {
            Some(s) => format!("did you mean `{s}`? biber ignores fields outside the data model"),
            None => "biber ignores fields outside the data model".to_owned(),
        };
        out.push(
            view.finding(
                Code::UnknownField,
                format!("`{}` in `{}` is not a BibLaTeX field", f.name, view.key),
                f.name_span(),
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
                format!("`{}` in `{}` is empty", f.name, view.key),
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
                view.key
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
    let missing: Vec<&'static [&'static str]> = datamodel::required(kind)
        .iter()
        .filter_map(|required| match required {
            Required::Field(name) => (!has(name)).then_some(std::slice::from_ref(name)),
            Required::AnyOf(names) => (!names.iter().any(|n| has(n))).then_some(*names),
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let listed: Vec<String> = missing
        .iter()
        .map(|names| {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        })
        .collect();
    // The BibTeX names of the fields that are missing, and only those.
    let bibtex: Vec<String> = missing
        .iter()
        .flat_map(|names| names.iter())
        .flat_map(|field| datamodel::bibtex_names(field).map(move |alias| (alias, *field)))
        .map(|(alias, field)| format!("BibTeX's `{alias}` counts as `{field}`"))
        .collect();
    let mut help = format!("the BibLaTeX data model requires it for @{kind}");
    if !bibtex.is_empty() {
        help.push_str("; ");
        help.push_str(&bibtex.join(", "));
    }
    // A chapter of a book its author wrote alone has no editor to add.
    if kind == "incollection" && missing == [["editor"]] {
        help.push_str("; a chapter of a book by one author is an @inbook");
    }
    let entry = view.entry;
    out.push(
        view.finding(
            Code::MissingField,
            format!(
                "`@{}` entry `{}` has no {}",
                entry.kind(),
                view.key,
                listed.join(", ")
            ),
            entry.key_span(),
        )
        .with_help(help),
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
