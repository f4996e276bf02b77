//! CSL-JSON and CSL-YAML: a list of items, each an object of CSL
//! variables with its key in `id`.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_json::value::RawValue;

use super::yaml_places::{KeyStyle, YamlPlaces};
use super::{Places, Read, offset_of};
use crate::bib::CslData;

/// Reads a CSL-JSON file: an array of items.
///
/// serde_json keeps no places, so each item and member is first read as
/// raw text borrowed from the file (whose place is its address in it),
/// then as data. Its depth limit (128) stops deeply nested hostile input
/// with an error rather than a stack overflow.
pub(super) fn read_json(text: &str, read: &mut Read) {
    let items: Vec<&RawValue> = match serde_json::from_str(text) {
        Ok(items) => items,
        Err(error) => {
            let at = offset_of(text, error.line(), error.column());
            read.error(at..at, json_failure(&error));
            return;
        }
    };
    for raw in items {
        read_json_item(text, raw, read);
    }
}

/// Why a CSL-JSON file cannot be read at all (as a finding and as an
/// unreadable input alike).
pub(super) fn json_failure(error: &serde_json::Error) -> String {
    if error.is_data() {
        "a CSL-JSON bibliography is an array of items".to_owned()
    } else {
        format!("not valid JSON: {}", without_place(error))
    }
}

/// Reads one item of a CSL-JSON array.
fn read_json_item(text: &str, raw: &RawValue, read: &mut Read) {
    let start = address_in(text, raw.get());
    let item = start..start + raw.get().len();
    let members: BTreeMap<String, &RawValue> = match serde_json::from_str(raw.get()) {
        Ok(members) => members,
        Err(_) => {
            read.error(
                item.start..item.start + 1,
                "a CSL-JSON item is an object of variables with an `id`",
            );
            return;
        }
    };
    let Some(id) = members.get("id") else {
        read.error(
            item.start..item.start + 1,
            "a CSL-JSON item without an `id`: no citation can name it",
        )
        .help = Some("give it an `id`, the key chapters cite it by".into());
        return;
    };
    let id_start = address_in(text, id.get());
    let (key, key_span) = match serde_json::from_str::<Value>(id.get()) {
        // The key's own bytes when the string has no escapes; the whole
        // string with its quotes when it has.
        Ok(Value::String(key)) if id.get().len() == key.len() + 2 => {
            let span = id_start + 1..id_start + 1 + key.len();
            (key, span)
        }
        Ok(Value::String(key)) => (key, id_start..id_start + id.get().len()),
        // CSL allows numbers as ids.
        Ok(Value::Number(n)) => (n.to_string(), id_start..id_start + id.get().len()),
        _ => {
            read.error(
                id_start..id_start + id.get().len(),
                "a CSL-JSON `id` is a string or a number",
            );
            return;
        }
    };
    let mut data = CslData::new();
    let mut readable = true;
    for (name, value) in members {
        match serde_json::from_str::<Value>(value.get()) {
            Ok(value) => {
                data.insert(name, value);
            }
            Err(error) => {
                let value_start = address_in(text, value.get());
                let at = value_start + offset_of(value.get(), error.line(), error.column());
                read.error(
                    at..at,
                    format!(
                        "`{name}` of `{key}` cannot be read: {}",
                        without_place(&error)
                    ),
                )
                .key = Some(key.clone());
                readable = false;
            }
        }
    }
    let places = Places {
        item,
        key: key_span,
    };
    read.entry(key, places, readable.then_some(data));
}

/// Reads the items of a CSL-YAML list written in `text[within]` (a whole
/// file, or the front matter of a document).
pub(crate) fn read_yaml_items(
    text: &str,
    within: std::ops::Range<usize>,
    items: Vec<serde_yaml::Value>,
    read: &mut Read,
) {
    let mut places = YamlPlaces::new(text, within, KeyStyle::CslId);
    for item in items {
        let id = match item.get("id") {
            Some(serde_yaml::Value::String(id)) => id.clone(),
            Some(serde_yaml::Value::Number(n)) => n.to_string(),
            _ => {
                let at = places.next_item_start();
                read.error(
                    at..at,
                    "a CSL-YAML item without an `id` (a string or a number): no citation can name it",
                );
                continue;
            }
        };
        let where_ = places.take(&id);
        match serde_json::to_value(&item) {
            Ok(Value::Object(data)) => read.entry(id, where_, Some(data)),
            Ok(_) | Err(_) => {
                read.error(
                    where_.key.clone(),
                    format!("`{id}` cannot be read as CSL data (a mapping of variables)"),
                )
                .key = Some(id.clone());
                read.entry(id, where_, None);
            }
        }
    }
}

/// Where `part`, a slice of `text`, starts in it.
fn address_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .checked_sub(text.as_ptr() as usize)
        .filter(|&offset| offset <= text.len())
        .expect("a raw value borrowed from the text")
}

/// A JSON error's message without the place serde_json appends to it.
fn without_place(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.find(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    }
}
