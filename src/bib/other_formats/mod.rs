//! Bibliographies in the formats pandoc and Typst read besides BibLaTeX:
//! CSL-JSON (`.json`, what Zotero and Better BibTeX export for pandoc),
//! CSL-YAML (a list of items, or pandoc's `references:`) and Hayagriva
//! YAML (entries by key, what Typst users write); and the `references:`
//! a Markdown document lists in its front matter (pandoc's inline
//! references).
//!
//! Each entry becomes an [`Entry`] of the one list, with where its key and
//! item are written (so `unused-entry`, `duplicate-key` and the editor's
//! go-to-definition point into the file), and its data as CSL variables
//! ([`Entry::csl`]), which `refs` formats. The BibLaTeX hygiene codes do
//! not read these entries: their rules are about BibLaTeX fields.
//!
//! One bad item is a finding at its place; the others are still read. A
//! file that cannot be parsed at all is one `bib-syntax` finding at the
//! place the parser names.

mod csl;
mod hayagriva;
mod yaml_places;

use super::{BibInput, CslData, Entry, EntryType, FieldList, Format};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Reads the entries of a file in another format than BibLaTeX.
pub fn read(input: &BibInput) -> (Vec<Entry>, Vec<Diagnostic>) {
    let mut read = Read {
        file: input.file,
        text: &input.text,
        entries: Vec::new(),
        diagnostics: Vec::new(),
    };
    match input.format {
        Format::CslJson => csl::read_json(&input.text, &mut read),
        Format::Yaml => read_yaml(&input.text, &mut read),
        Format::FrontMatter => read_front_matter(&input.text, &mut read),
        // BibLaTeX has its own reader (`bib::parse`).
        Format::BibLatex => {}
    }
    (read.entries, read.diagnostics)
}

/// Where and why a whole file in another format cannot be parsed, so that
/// none of its entries can be read: (line, column, message). `None` when
/// it parses (its items may still have faults of their own, which
/// [`read`] reports at their places) and for BibLaTeX, whose reader
/// recovers entry by entry.
///
/// A file that fails here is an input that could not be read, not a
/// bibliography without entries: every citation of it would otherwise be
/// "missing".
pub fn unparsable(format: Format, text: &str) -> Option<(usize, usize, String)> {
    use serde::de::IgnoredAny;
    match format {
        Format::CslJson => serde_json::from_str::<Vec<IgnoredAny>>(text)
            .err()
            .map(|error| (error.line(), error.column(), csl::json_failure(&error))),
        Format::Yaml => serde_yaml::from_str::<IgnoredAny>(text).err().map(|error| {
            let (line, column) = error.location().map_or((1, 1), |l| (l.line(), l.column()));
            (line, column, yaml_failure(&error))
        }),
        Format::BibLatex | Format::FrontMatter => None,
    }
}

/// The entries and findings of one file, as they are read.
struct Read<'t> {
    file: FileId,
    /// The file's text.
    text: &'t str,
    entries: Vec<Entry>,
    diagnostics: Vec<Diagnostic>,
}

impl Read<'_> {
    fn entry(&mut self, key: String, places: Places, data: Option<CslData>) {
        let kind = data
            .as_ref()
            .and_then(|d| d.get("type"))
            .and_then(|t| t.as_str())
            .unwrap_or("document");
        // An entry whose data could not be read still defines its key
        // (its citations are not "missing"); its own finding says why.
        let broken = data.is_none();
        let entry = Entry::new(
            EntryType::verbatim(kind),
            self.file,
            [&places.item, &places.key, &places.key],
            FieldList::default(),
            broken,
        );
        self.entries
            .push(entry.with_key(&key, self.text).with_csl(data));
    }

    fn error(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::new(Code::BibSyntax, message, self.file, span));
        self.diagnostics.last_mut().expect("just pushed")
    }
}

/// Where an item is written.
#[derive(Debug, Clone)]
struct Places {
    /// The whole item.
    item: Span,
    /// Its key (inside any quotes).
    key: Span,
}

/// A YAML bibliography: CSL-YAML when it is a list of items or a mapping
/// with a `references:` list (pandoc's form), Hayagriva YAML when it is a
/// mapping of entries by key.
fn read_yaml(text: &str, read: &mut Read) {
    let value: serde_yaml::Value = match serde_yaml::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            let at = yaml_error_offset(text, &error);
            read.error(at..at, yaml_failure(&error));
            return;
        }
    };
    match value {
        serde_yaml::Value::Null => {}
        serde_yaml::Value::Sequence(items) => {
            csl::read_yaml_items(text, 0..text.len(), items, read)
        }
        serde_yaml::Value::Mapping(mut map) => {
            let references = map.get("references").is_some_and(|r| r.is_sequence());
            if references {
                let Some(serde_yaml::Value::Sequence(items)) = map.remove("references") else {
                    unreachable!("checked above")
                };
                csl::read_yaml_items(text, 0..text.len(), items, read);
            } else {
                hayagriva::read(text, map, read);
            }
        }
        _ => {
            read.error(
                0..0,
                "a YAML bibliography is a list of CSL items, a `references:` list, \
                 or a mapping of Hayagriva entries by key",
            );
        }
    }
}

/// The entries under `references:` in a Markdown document's front matter
/// (none when it has no front matter, as pandoc reads none).
fn read_front_matter(text: &str, read: &mut Read) {
    let Some(block) = crate::document::front_matter(text) else {
        return;
    };
    let yaml = &text[block.clone()];
    let value: serde_yaml::Value = match serde_yaml::from_str(yaml) {
        Ok(value) => value,
        Err(error) => {
            let at = block.start + yaml_error_offset(yaml, &error);
            read.error(
                at..at,
                format!(
                    "the front matter is not valid YAML: {}",
                    yaml_message(&error)
                ),
            );
            return;
        }
    };
    if let Some(serde_yaml::Value::Sequence(items)) = value.get("references") {
        csl::read_yaml_items(text, block, items.clone(), read);
    }
}

/// The byte offset in `text` of a YAML error's place (its start when it
/// has none).
fn yaml_error_offset(text: &str, error: &serde_yaml::Error) -> usize {
    error
        .location()
        .map(|l| l.index().min(text.len()))
        .unwrap_or(0)
}

/// Why a YAML file cannot be read at all (as a finding and as an
/// unreadable input alike).
fn yaml_failure(error: &serde_yaml::Error) -> String {
    format!("not valid YAML: {}", yaml_message(error))
}

/// A YAML error's message without the place serde_yaml appends to it (the
/// finding has its own).
fn yaml_message(error: &serde_yaml::Error) -> String {
    let message = error.to_string();
    match message.find(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    }
}

/// The byte offset of a line and column (1-based, columns in characters,
/// as serde_json counts them) in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let rest = &text[line_start.min(text.len())..];
    let within = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    line_start + within
}
