//! CSL data read from CSL-JSON, CSL-YAML or Hayagriva YAML (see
//! [`crate::bib::other_formats`]) as a [`CslItem`]: the variables taken as
//! they are written (CSL data is already in the form styles expect: no
//! LaTeX, titles in the case the author chose), markup (`<i>`, `<b>`,
//! `<span class="nocase">`, ...) read as citeproc-js reads it.

use serde_json::Value;

use super::mapping::{CslItem, CslType, Original};
use crate::bib::CslData;
use crate::bib::value::date::{self, DatePart, DateValue};
use crate::bib::value::markup::markup;
use crate::bib::value::names::{Name, Names};

/// The item of an entry read as CSL data.
pub fn item(key: &str, data: &CslData) -> CslItem {
    let text = |name: &str| data.get(name).and_then(scalar_text);
    let rich = |name: &str| text(name).map(|t| markup(&t)).filter(|r| !r.is_empty());
    let kind = text("type").map_or(CslType::Document, |t| CslType::from_name(&t));
    CslItem {
        id: key.to_owned(),
        kind,
        title: rich("title"),
        title_short: rich("title-short").or_else(|| rich("shortTitle")),
        container_title: rich("container-title"),
        collection_title: rich("collection-title"),
        collection_number: text("collection-number"),
        volume: text("volume"),
        issue: text("issue"),
        number: text("number"),
        page: text("page"),
        edition: text("edition"),
        number_of_pages: text("number-of-pages"),
        number_of_volumes: text("number-of-volumes"),
        publisher: rich("publisher"),
        publisher_place: rich("publisher-place"),
        genre: rich("genre"),
        note: rich("note"),
        event_title: rich("event-title").or_else(|| rich("event")),
        event_place: rich("event-place"),
        url: text("URL").or_else(|| text("url")),
        doi: text("DOI").or_else(|| text("doi")),
        isbn: text("ISBN").or_else(|| text("isbn")),
        issn: text("ISSN").or_else(|| text("issn")),
        issued: data.get("issued").and_then(date_of),
        accessed: data.get("accessed").and_then(date_of),
        event_date: data.get("event-date").and_then(date_of),
        author: names_of(data.get("author")),
        editor: names_of(data.get("editor")),
        translator: names_of(data.get("translator")),
        container_author: names_of(data.get("container-author")),
        language: text("language"),
        original: Original {
            title: rich("original-title"),
            date: data.get("original-date").and_then(date_of),
            publisher: rich("original-publisher"),
            publisher_place: rich("original-publisher-place"),
            author: names_of(data.get("original-author")),
        },
    }
}

/// A string or number variable as text (CSL-JSON writes `"volume": 12`
/// as often as `"volume": "12"`).
fn scalar_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// The names of a name variable: objects with `family`, `given`,
/// particles and `suffix`, or a `literal`; a plain string is a literal.
fn names_of(value: Option<&Value>) -> Names {
    let Some(Value::Array(list)) = value else {
        return Names::default();
    };
    let names = list
        .iter()
        .filter_map(|name| match name {
            Value::String(literal) => Some(literal_name(literal)),
            Value::Object(parts) => {
                let part = |k: &str| parts.get(k).and_then(scalar_text).unwrap_or_default();
                if let Some(literal) = parts.get("literal").and_then(scalar_text) {
                    return Some(literal_name(&literal));
                }
                let family = part("family");
                let given = part("given");
                if family.is_empty() && given.is_empty() {
                    return None;
                }
                // Both particles go before the family name; refkeeper's
                // names have one particle (BibTeX's "von" part).
                let particle = [part("dropping-particle"), part("non-dropping-particle")]
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                Some(Name {
                    family,
                    given,
                    particle,
                    suffix: part("suffix"),
                    literal: None,
                })
            }
            _ => None,
        })
        .collect();
    Names {
        names,
        others: false,
    }
}

fn literal_name(literal: &str) -> Name {
    Name {
        family: String::new(),
        given: String::new(),
        particle: String::new(),
        suffix: String::new(),
        literal: Some(literal.trim().to_owned()),
    }
}

/// A date variable: `date-parts` (one date or the two ends of a range,
/// each part a number or a numeric string), `season` and `circa`; `raw`
/// and a plain string (CSL-YAML's `issued: 2020-03-01`) read as EDTF.
/// A `literal` date has no parts to give a style, and is left out.
fn date_of(value: &Value) -> Option<DateValue> {
    match value {
        Value::String(text) => date::parse(text.trim()).ok(),
        Value::Number(n) => n.as_i64().and_then(|y| i32::try_from(y).ok()).map(|year| {
            DateValue::Single(DatePart {
                year,
                month: None,
                day: None,
                season: None,
                approximate: false,
            })
        }),
        Value::Object(map) => {
            let approximate = map.get("circa").is_some_and(|c| match c {
                Value::Bool(b) => *b,
                Value::Null => false,
                _ => true,
            });
            let season = map
                .get("season")
                .and_then(scalar_text)
                .and_then(|s| s.parse::<u8>().ok())
                .filter(|s| (1..=4).contains(s));
            let mut date = match map.get("date-parts") {
                Some(Value::Array(ends)) => {
                    let mut ends = ends.iter().map(|end| part_of(end, approximate));
                    match (ends.next().flatten(), ends.next().flatten()) {
                        (Some(start), Some(end)) if start != end => {
                            DateValue::Range(Some(start), Some(end))
                        }
                        (Some(start), _) => DateValue::Single(start),
                        (None, _) => return None,
                    }
                }
                _ => map
                    .get("raw")
                    .and_then(|r| r.as_str())
                    .and_then(|raw| date::parse(raw.trim()).ok())?,
            };
            if let (Some(season), DateValue::Single(part)) = (season, &mut date) {
                part.season = Some(season);
            }
            Some(date)
        }
        _ => None,
    }
}

/// One end of `date-parts`: `[year, month?, day?]`.
fn part_of(end: &Value, approximate: bool) -> Option<DatePart> {
    let Value::Array(parts) = end else {
        return None;
    };
    let number = |i: usize| {
        parts
            .get(i)
            .and_then(scalar_text)
            .and_then(|t| t.parse::<i64>().ok())
    };
    let year = i32::try_from(number(0)?).ok()?;
    let month = number(1)
        .and_then(|m| u8::try_from(m).ok())
        .filter(|m| (1..=12).contains(m));
    let day = month
        .and(number(2))
        .and_then(|d| u8::try_from(d).ok())
        .filter(|d| (1..=31).contains(d));
    Some(DatePart {
        year,
        month,
        day,
        season: None,
        approximate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(value: Value) -> CslData {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn variables_are_read_as_written() {
        let item = item(
            "k",
            &data(json!({
                "id": "k", "type": "article-journal",
                "title": "The <i>Silk Road</i> and <span class=\"nocase\">NATO</span>",
                "container-title": "Central Asian Survey", "volume": 12, "page": "1-10",
                "author": [{"family": "Kim", "given": "Jae-nam"}, {"literal": "UNESCO"}],
                "issued": {"date-parts": [["2020", 3]]}, "DOI": "10.1/x"
            })),
        );
        assert_eq!(item.kind, CslType::ArticleJournal);
        let title = item.title.unwrap();
        assert_eq!(title.text(), "The Silk Road and NATO");
        assert!(title.segments[1].style.italic && !title.segments[0].style.italic);
        assert!(title.segments[3].nocase);
        assert_eq!(item.volume.as_deref(), Some("12"));
        assert_eq!(item.author.names[0].family, "Kim");
        assert_eq!(item.author.names[1].literal.as_deref(), Some("UNESCO"));
        let issued = item.issued.unwrap().start().unwrap();
        assert_eq!(
            (issued.year, issued.month, issued.day),
            (2020, Some(3), None)
        );
        assert_eq!(item.doi.as_deref(), Some("10.1/x"));
    }

    #[test]
    fn dates_as_ranges_raw_strings_and_numbers() {
        let range = date_of(&json!({"date-parts": [[2001], [2003]]})).unwrap();
        assert!(matches!(range, DateValue::Range(Some(_), Some(_))));
        let raw = date_of(&json!({"raw": "2019-05-02"}))
            .unwrap()
            .start()
            .unwrap();
        assert_eq!((raw.year, raw.month, raw.day), (2019, Some(5), Some(2)));
        let yaml = date_of(&json!("2018-07")).unwrap().start().unwrap();
        assert_eq!((yaml.year, yaml.month), (2018, Some(7)));
        assert_eq!(date_of(&json!(1999)).unwrap().start().unwrap().year, 1999);
        assert!(date_of(&json!({"literal": "Spring term"})).is_none());
        assert!(date_of(&json!({"date-parts": [["x"]]})).is_none());
    }

    #[test]
    fn unknown_types_are_documents() {
        assert_eq!(CslType::from_name("legal_case"), CslType::Document);
        assert_eq!(
            CslType::from_name("paper-conference"),
            CslType::PaperConference
        );
        assert_eq!(CslType::from_name("article"), CslType::Article);
    }
}
