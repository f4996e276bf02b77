//! Hayagriva YAML (Typst's bibliography format): entries by key, read by
//! the `hayagriva` crate, given to `refs` as CSL variables.
//!
//! Each entry is read on its own, so that one the crate refuses (an
//! unknown type, a malformed date) is a finding at its key while the
//! others are still read. The CSL type follows hayagriva's own reading of
//! its types: an `article` is a journal article under a periodical, a
//! newspaper article under a newspaper, a conference paper under
//! proceedings; a `chapter` under a book is a chapter. The container's
//! title, volume, issue, publisher and date come from the first parent
//! when the entry has none of its own, as hayagriva's styles find them.

use hayagriva::types::{ChunkKind, ChunkedString, Date, EntryType, FormatString, Person};
use serde_json::{Value, json};

use super::Read;
use super::yaml_places::{KeyStyle, YamlPlaces};
use crate::bib::CslData;

/// Reads the entries of a Hayagriva file, already parsed as a mapping.
pub(super) fn read(text: &str, map: serde_yaml::Mapping, read: &mut Read) {
    let mut places = YamlPlaces::new(text, 0..text.len(), KeyStyle::TopLevel);
    for (key, value) in map {
        let key = match key {
            serde_yaml::Value::String(key) => key,
            serde_yaml::Value::Number(n) => n.to_string(),
            other => {
                let at = places.next_item_start();
                read.error(
                    at..at,
                    format!("a Hayagriva entry's key is text, not {}", kind_of(&other)),
                );
                continue;
            }
        };
        let where_ = places.take(&key);
        let mut single = serde_yaml::Mapping::new();
        single.insert(serde_yaml::Value::String(key.clone()), value);
        match serde_yaml::from_value::<hayagriva::Library>(serde_yaml::Value::Mapping(single)) {
            Ok(library) => {
                let data = library.iter().next().map(csl_data);
                read.entry(key, where_, data);
            }
            Err(error) => {
                read.error(
                    where_.key.clone(),
                    format!(
                        "entry `{key}` cannot be read: {}",
                        super::yaml_message(&error)
                    ),
                )
                .key = Some(key.clone());
                read.entry(key, where_, None);
            }
        }
    }
}

fn kind_of(value: &serde_yaml::Value) -> &'static str {
    match value {
        serde_yaml::Value::Null => "empty",
        serde_yaml::Value::Bool(_) => "a boolean",
        serde_yaml::Value::Sequence(_) => "a list",
        serde_yaml::Value::Mapping(_) => "a mapping",
        _ => "a tagged value",
    }
}

/// The CSL type of an entry, by its type and its first parent's.
fn csl_type(entry: &hayagriva::Entry) -> &'static str {
    use EntryType as T;
    let parent = entry.parents().first().map(|p| *p.entry_type());
    match (*entry.entry_type(), parent) {
        (T::Article, Some(T::Newspaper)) => "article-newspaper",
        (T::Article, Some(T::Proceedings | T::Conference)) => "paper-conference",
        (T::Article, Some(T::Periodical)) => "article-journal",
        (T::Article, Some(T::Blog | T::Web)) => "webpage",
        (T::Article, _) => "article",
        (T::Chapter | T::Anthos, _) => "chapter",
        (T::Entry, _) => "entry-encyclopedia",
        (T::Book | T::Anthology | T::Proceedings | T::Reference, _) => "book",
        (T::Report, _) => "report",
        (T::Thesis, _) => "thesis",
        (T::Web | T::Post | T::Blog, _) => "webpage",
        (T::Patent, _) => "patent",
        (T::Manuscript, _) => "manuscript",
        (T::Periodical | T::Newspaper, _) => "periodical",
        (T::Repository, _) => "software",
        _ => "document",
    }
}

/// An entry's data as CSL variables.
fn csl_data(entry: &hayagriva::Entry) -> CslData {
    let parent = entry.parents().first();
    let mut data = CslData::new();
    data.insert("id".into(), json!(entry.key()));
    data.insert("type".into(), json!(csl_type(entry)));
    let mut set = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            data.insert(name.to_owned(), value);
        }
    };
    // The entry's own value, else its container's.
    let own_or_parent =
        |get: fn(&hayagriva::Entry) -> Option<String>| get(entry).or_else(|| parent.and_then(get));
    set("title", entry.title().map(|t| json!(markup(&t.value))));
    set(
        "title-short",
        entry
            .title()
            .and_then(|t| t.short.as_deref())
            .map(|s| json!(markup(s))),
    );
    set(
        "container-title",
        parent
            .and_then(|p| p.title())
            .map(|t| json!(markup(&t.value))),
    );
    set("author", entry.authors().map(names));
    set(
        "editor",
        entry
            .editors()
            .or_else(|| parent.and_then(|p| p.editors()))
            .map(names),
    );
    if let Some(parent) = parent
        && entry.authors().is_some()
        && let Some(authors) = parent.authors()
    {
        set("container-author", Some(names(authors)));
    }
    set(
        "issued",
        entry
            .date()
            .or_else(|| parent.and_then(|p| p.date()))
            .map(date),
    );
    set(
        "volume",
        own_or_parent(|e| e.volume().map(|v| v.to_string())).map(Value::String),
    );
    set(
        "issue",
        own_or_parent(|e| e.issue().map(|v| v.to_string())).map(Value::String),
    );
    set("page", entry.page_range().map(|p| json!(p.to_string())));
    set("edition", entry.edition().map(|e| json!(e.to_string())));
    set(
        "number-of-pages",
        entry.page_total().map(|n| json!(n.to_string())),
    );
    set(
        "number-of-volumes",
        entry.volume_total().map(|n| json!(n.to_string())),
    );
    let publisher = entry
        .publisher()
        .or_else(|| parent.and_then(|p| p.publisher()));
    let publisher_name = publisher
        .and_then(|p| p.name())
        .or_else(|| entry.organization());
    set("publisher", publisher_name.map(|n| json!(plain(n))));
    let place = publisher
        .and_then(|p| p.location())
        .or_else(|| entry.location());
    set("publisher-place", place.map(|l| json!(plain(l))));
    set("genre", entry.genre().map(|g| json!(plain(g))));
    set("note", entry.note().map(|n| json!(plain(n))));
    if let Some(url) = entry.url() {
        set("URL", Some(json!(url.value.as_str())));
        set("accessed", url.visit_date.as_ref().map(date));
    }
    if let Some(serials) = entry.serial_number() {
        for (kind, variable) in [("doi", "DOI"), ("isbn", "ISBN"), ("issn", "ISSN")] {
            set(variable, serials.0.get(kind).map(|v| json!(v)));
        }
    }
    set("language", entry.language().map(|l| json!(l.to_string())));
    data
}

/// Text with the parts hayagriva protects from case changes (`{NASA}`)
/// marked as CSL marks them.
fn markup(text: &ChunkedString) -> String {
    let mut out = String::new();
    for chunk in &text.0 {
        match chunk.kind {
            ChunkKind::Verbatim => {
                out.push_str("<span class=\"nocase\">");
                out.push_str(&chunk.value);
                out.push_str("</span>");
            }
            _ => out.push_str(&chunk.value),
        }
    }
    out
}

fn plain(text: &FormatString) -> String {
    text.value.to_string()
}

fn names(persons: &[Person]) -> Value {
    persons
        .iter()
        .map(|person| {
            let mut name = serde_json::Map::new();
            match &person.given_name {
                None if person.prefix.is_none() && person.suffix.is_none() => {
                    // One name without given names: an institution, as
                    // hayagriva prints it.
                    name.insert("literal".into(), json!(person.name));
                }
                given => {
                    name.insert("family".into(), json!(person.name));
                    if let Some(given) = given {
                        name.insert("given".into(), json!(given));
                    }
                    if let Some(prefix) = &person.prefix {
                        name.insert("non-dropping-particle".into(), json!(prefix));
                    }
                    if let Some(suffix) = &person.suffix {
                        name.insert("suffix".into(), json!(suffix));
                    }
                }
            }
            Value::Object(name)
        })
        .collect()
}

/// A date as CSL's `date-parts` (hayagriva counts months and days from 0).
fn date(date: &Date) -> Value {
    let mut parts = vec![json!(date.year)];
    if let Some(month) = date.month {
        parts.push(json!(month + 1));
        if let Some(day) = date.day {
            parts.push(json!(day + 1));
        }
    }
    let mut value = json!({ "date-parts": [parts] });
    if date.approximate {
        value["circa"] = json!(true);
    }
    value
}
