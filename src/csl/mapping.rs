//! One bibliography entry as CSL data: the CSL type and variables a style
//! reads. This is the one mapping from BibLaTeX to CSL; the engine and the
//! CSL-JSON export both start from it.
//!
//! The choices follow pandoc's BibLaTeX reader, which most users compare
//! against, where it is right: `title: subtitle. titleaddon`; English
//! titles in sentence case (CSL data convention); `number` as a journal's
//! issue, a series' number or a report's number; `institution`/`school` as
//! the publisher of theses and reports; `organization` of `@online` and
//! `howpublished` of `@misc` as publisher. Where pandoc loses data
//! (`@misc` without a CSL type, `{\'\i}` as `ı́`, `eid` dropped), it does not.

use serde_json::{Map, Value, json};

use crate::bib::fields::{self, FieldValue, Fields};
use crate::bib::{Bibliography, EntryId};
use crate::source::SourceMap;
use hayagriva::citationberg::taxonomy::NameVariable;

use crate::bib::value::case::sentence_case;
use crate::bib::value::date::{self, DatePart, DateValue};
use crate::bib::value::latex::{self, Rich, Style};
use crate::bib::value::names::{self, Names};
use crate::diagnostic::{Code, Diagnostic};

/// The CSL item types refkeeper produces: each variant is the CSL type of
/// the same name in kebab case ([`CslType::as_str`]: `ArticleJournal` is
/// `article-journal`).
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CslType {
    Article,
    ArticleJournal,
    ArticleMagazine,
    ArticleNewspaper,
    Book,
    Chapter,
    PaperConference,
    Thesis,
    Report,
    Webpage,
    Document,
    Manuscript,
    Patent,
    Periodical,
    Dataset,
    Software,
    Pamphlet,
    EntryEncyclopedia,
}

impl CslType {
    /// The type as CSL names it (`article-journal`).
    pub fn as_str(self) -> &'static str {
        match self {
            CslType::Article => "article",
            CslType::ArticleJournal => "article-journal",
            CslType::ArticleMagazine => "article-magazine",
            CslType::ArticleNewspaper => "article-newspaper",
            CslType::Book => "book",
            CslType::Chapter => "chapter",
            CslType::PaperConference => "paper-conference",
            CslType::Thesis => "thesis",
            CslType::Report => "report",
            CslType::Webpage => "webpage",
            CslType::Document => "document",
            CslType::Manuscript => "manuscript",
            CslType::Patent => "patent",
            CslType::Periodical => "periodical",
            CslType::Dataset => "dataset",
            CslType::Software => "software",
            CslType::Pamphlet => "pamphlet",
            CslType::EntryEncyclopedia => "entry-encyclopedia",
        }
    }

    /// The type CSL names `name` (`article-journal`); a CSL type refkeeper
    /// has no variant for is its nearest (`post-weblog` a web page,
    /// `entry-dictionary` an encyclopedia entry), else `document`.
    pub fn from_name(name: &str) -> CslType {
        const ALL: [CslType; 18] = [
            CslType::Article,
            CslType::ArticleJournal,
            CslType::ArticleMagazine,
            CslType::ArticleNewspaper,
            CslType::Book,
            CslType::Chapter,
            CslType::PaperConference,
            CslType::Thesis,
            CslType::Report,
            CslType::Webpage,
            CslType::Document,
            CslType::Manuscript,
            CslType::Patent,
            CslType::Periodical,
            CslType::Dataset,
            CslType::Software,
            CslType::Pamphlet,
            CslType::EntryEncyclopedia,
        ];
        let name = name.trim();
        if let Some(kind) = ALL.into_iter().find(|k| k.as_str() == name) {
            return kind;
        }
        match name {
            "post" | "post-weblog" => CslType::Webpage,
            "entry" | "entry-dictionary" => CslType::EntryEncyclopedia,
            "review" | "review-book" => CslType::ArticleJournal,
            "collection" | "classic" => CslType::Book,
            _ => CslType::Document,
        }
    }

    fn of(entry_type: &str, entrysubtype: Option<&str>) -> CslType {
        match entry_type {
            "article" => match entrysubtype {
                Some("magazine") => CslType::ArticleMagazine,
                Some("newspaper") => CslType::ArticleNewspaper,
                _ => CslType::ArticleJournal,
            },
            "book" | "mvbook" | "collection" | "mvcollection" | "proceedings" | "mvproceedings"
            | "reference" | "mvreference" | "manual" => CslType::Book,
            "inbook" | "bookinbook" | "suppbook" | "incollection" | "suppcollection" => {
                CslType::Chapter
            }
            "inproceedings" | "conference" => CslType::PaperConference,
            "inreference" => CslType::EntryEncyclopedia,
            "thesis" | "phdthesis" | "mastersthesis" => CslType::Thesis,
            "report" | "techreport" => CslType::Report,
            "online" | "www" | "electronic" => CslType::Webpage,
            "unpublished" => CslType::Manuscript,
            "patent" => CslType::Patent,
            "periodical" | "suppperiodical" => CslType::Periodical,
            "dataset" => CslType::Dataset,
            "software" => CslType::Software,
            "booklet" => CslType::Pamphlet,
            _ => CslType::Document,
        }
    }
}

/// The CSL data of one entry. Each field is the CSL variable of the same
/// name in kebab case (`container_title` is `container-title`, `kind` is
/// `type`, `id` the entry's key); text that may carry formatting is
/// [`Rich`], dates are [`DateValue`]s, name lists [`Names`].
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq)]
pub struct CslItem {
    pub id: String,
    pub kind: CslType,
    pub title: Option<Rich>,
    pub title_short: Option<Rich>,
    pub container_title: Option<Rich>,
    pub collection_title: Option<Rich>,
    pub collection_number: Option<String>,
    pub volume: Option<String>,
    pub issue: Option<String>,
    pub number: Option<String>,
    pub page: Option<String>,
    pub edition: Option<String>,
    pub number_of_pages: Option<String>,
    pub number_of_volumes: Option<String>,
    pub publisher: Option<Rich>,
    pub publisher_place: Option<Rich>,
    pub genre: Option<Rich>,
    pub note: Option<Rich>,
    pub event_title: Option<Rich>,
    pub event_place: Option<Rich>,
    pub url: Option<String>,
    pub doi: Option<String>,
    pub isbn: Option<String>,
    pub issn: Option<String>,
    pub issued: Option<DateValue>,
    pub accessed: Option<DateValue>,
    pub event_date: Option<DateValue>,
    pub author: Names,
    pub editor: Names,
    pub translator: Names,
    pub container_author: Names,
    /// BCP 47 (`en-US`, `ko`), when known.
    pub language: Option<String>,
}

/// The CSL data of an entry of `bib`, whatever format it was read from:
/// BibLaTeX fields (with what the entry inherits) through [`item`], CSL
/// data as written.
pub fn item_of(bib: &Bibliography, sources: &SourceMap, id: EntryId) -> (CslItem, Vec<Diagnostic>) {
    let entry = bib.entry(id);
    match &entry.csl {
        Some(data) => (super::from_data::item(&entry.key, data), Vec::new()),
        None => item(&entry.key, &entry.kind, &fields::collect(bib, sources, id)),
    }
}

/// Builds the CSL data of an entry; dates that cannot be read become
/// diagnostics (and are left out).
pub fn item(key: &str, entry_type: &str, fields: &Fields) -> (CslItem, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let language = fields
        .first(&["langid", "language", "hyphenation"])
        .and_then(|v| bcp47(&v.text));
    let english = language
        .as_deref()
        .is_none_or(|l| l == "en" || l.starts_with("en-"));
    let kind = CslType::of(entry_type, fields.text("entrysubtype"));
    let rich = |name: &str| {
        fields
            .get(name)
            .map(|v| latex::parse(&v.text))
            .filter(|r| !r.is_empty())
    };
    let titled = |name: &str| rich(name).map(|r| if english { sentence_case(&r) } else { r });
    let plain = |name: &str| {
        fields
            .get(name)
            .map(|v| latex::parse(&v.text).text())
            .filter(|t| !t.is_empty())
    };
    let verbatim = |name: &str| {
        fields
            .text(name)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };

    let title = join_title(titled("title"), titled("subtitle"), titled("titleaddon"));
    let title_short = titled("shorttitle").or_else(|| fields.get("subtitle").and(titled("title")));

    let is_article = matches!(
        kind,
        CslType::ArticleJournal | CslType::ArticleMagazine | CslType::ArticleNewspaper
    );
    let in_book = matches!(
        kind,
        CslType::Chapter | CslType::PaperConference | CslType::EntryEncyclopedia
    );
    let container_title = if is_article {
        join_title(
            rich("journaltitle").or_else(|| rich("journal")),
            rich("journalsubtitle"),
            None,
        )
    } else if in_book {
        join_title(
            titled("booktitle"),
            titled("booksubtitle"),
            titled("booktitleaddon"),
        )
        .or_else(|| {
            join_title(
                titled("maintitle"),
                titled("mainsubtitle"),
                titled("maintitleaddon"),
            )
        })
    } else {
        None
    };

    let series = titled("series");
    let number = plain("number");
    let (issue, collection_number, report_number) = if is_article {
        let issue = match (number.clone(), plain("issue")) {
            (Some(n), Some(i)) => Some(format!("{n}, {i}")),
            (n, i) => n.or(i),
        };
        (issue, None, plain("eid"))
    } else if series.is_some() {
        (None, number, None)
    } else {
        (None, None, number)
    };

    let publisher_fields: &[&str] = match entry_type {
        "thesis" | "phdthesis" | "mastersthesis" => &["institution", "school", "publisher"],
        "report" | "techreport" => &["institution", "publisher", "organization"],
        "online" | "www" => &["organization", "publisher", "institution"],
        "misc" => &["howpublished", "publisher", "organization", "institution"],
        "manual" => &["organization", "publisher", "institution"],
        _ => &["publisher", "organization", "institution"],
    };
    let publisher = fields
        .first(publisher_fields)
        .map(|v| literal_list(&v.text));

    let genre = match entry_type {
        "phdthesis" => Some(Rich::plain("PhD thesis")),
        "mastersthesis" => Some(Rich::plain("Master’s thesis")),
        _ => match fields.text("type").map(str::trim) {
            Some("phdthesis") => Some(Rich::plain("PhD thesis")),
            Some("mathesis") | Some("mastersthesis") => Some(Rich::plain("Master’s thesis")),
            Some("candthesis") => Some(Rich::plain("Candidate thesis")),
            Some("techreport") => Some(Rich::plain("Technical report")),
            Some("resreport") => Some(Rich::plain("Research report")),
            Some(_) => rich("type"),
            None if entry_type == "techreport" => Some(Rich::plain("Technical report")),
            None => None,
        },
    };

    let date_of = |names: &[&str], diagnostics: &mut Vec<Diagnostic>| -> Option<DateValue> {
        let value = fields.first(names)?;
        match date::parse(&value.text) {
            Ok(date) => Some(date),
            Err(message) => {
                diagnostics.push(date_diagnostic(key, value, message));
                None
            }
        }
    };
    let issued = if fields.get("date").is_some() {
        date_of(&["date"], &mut diagnostics)
    } else {
        fields.get("year").and_then(|year| {
            match date::from_year_month(&year.text, fields.text("month")) {
                Ok(date) => Some(date),
                Err(message) => {
                    diagnostics.push(date_diagnostic(key, year, message));
                    None
                }
            }
        })
    };
    let accessed = date_of(&["urldate"], &mut diagnostics);
    let event_date = date_of(&["eventdate"], &mut diagnostics);

    let names = |name: &str| {
        fields
            .get(name)
            .map(|v| names::parse_list(&v.text))
            .unwrap_or_default()
    };
    let item = CslItem {
        id: key.to_owned(),
        kind,
        title,
        title_short,
        container_title,
        collection_title: series,
        collection_number,
        volume: plain("volume"),
        issue,
        number: report_number,
        page: plain("pages").map(|p| p.replace(['\u{2013}', '\u{2014}'], "-")),
        edition: plain("edition"),
        number_of_pages: plain("pagetotal"),
        number_of_volumes: plain("volumes"),
        publisher,
        publisher_place: fields
            .first(&["location", "address"])
            .map(|v| literal_list(&v.text)),
        genre,
        note: rich("note"),
        event_title: titled("eventtitle"),
        event_place: rich("venue"),
        url: verbatim("url"),
        doi: verbatim("doi").map(|d| crate::bib::fields::split_doi_prefix(&d).1.to_owned()),
        isbn: verbatim("isbn"),
        issn: verbatim("issn"),
        issued,
        accessed,
        event_date,
        author: names("author"),
        editor: names("editor"),
        translator: names("translator"),
        container_author: names("bookauthor"),
        language,
    };
    (item, diagnostics)
}

fn date_diagnostic(key: &str, value: &FieldValue, message: String) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidDate,
        format!("in entry `{key}`: {message}"),
        value.file,
        value.span.clone(),
    )
    .with_key(key.to_owned())
    .with_help(
        "left out of the References; write it as YYYY, YYYY-MM, YYYY-MM-DD or a range YYYY/YYYY",
    )
}

/// `title: subtitle. addon`, without doubling the punctuation of a title
/// that already ends in `?`, `!` or `.`.
fn join_title(main: Option<Rich>, sub: Option<Rich>, addon: Option<Rich>) -> Option<Rich> {
    let mut title = main?;
    for (part, separator) in [(sub, ": "), (addon, ". ")] {
        if let Some(part) = part {
            let ends_in_stop = title.text().trim_end().ends_with(['?', '!', '.']);
            title.push(
                if ends_in_stop { " " } else { separator },
                Style::default(),
                false,
            );
            title.append(&part);
        }
    }
    Some(title)
}

/// A BibLaTeX literal list (`publisher`, `location`, `institution`):
/// items separated by `and`, joined with `; ` as pandoc joins them.
fn literal_list(latex_text: &str) -> Rich {
    let mut out = Rich::default();
    for (i, part) in names::split_and(latex_text).into_iter().enumerate() {
        if i > 0 {
            out.push("; ", Style::default(), false);
        }
        out.append(&latex::parse(part.trim()));
    }
    out
}

/// A babel/polyglossia language name (or a BCP 47 tag) as BCP 47.
pub fn bcp47(language: &str) -> Option<String> {
    let name = language.trim().to_lowercase();
    let tag = match name.as_str() {
        "english" | "american" | "usenglish" | "en" | "en-us" => "en-US",
        "british" | "ukenglish" | "en-gb" => "en-GB",
        "australian" => "en-AU",
        "canadian" => "en-CA",
        "german" | "ngerman" | "de" | "de-de" => "de-DE",
        "austrian" | "naustrian" => "de-AT",
        "swissgerman" | "nswissgerman" => "de-CH",
        "french" | "francais" | "fr" | "fr-fr" => "fr-FR",
        "spanish" | "es" => "es-ES",
        "italian" | "it" => "it-IT",
        "portuguese" | "portuges" | "pt" => "pt-PT",
        "brazilian" | "brazil" => "pt-BR",
        "dutch" | "nl" => "nl-NL",
        "russian" | "ru" => "ru-RU",
        "ukrainian" | "uk" => "uk-UA",
        "polish" | "pl" => "pl-PL",
        "czech" | "cs" => "cs-CZ",
        "swedish" | "sv" => "sv-SE",
        "norwegian" | "norsk" | "nb" => "nb-NO",
        "danish" | "da" => "da-DK",
        "finnish" | "fi" => "fi-FI",
        "greek" | "el" => "el-GR",
        "turkish" | "tr" => "tr-TR",
        "korean" | "ko" => "ko-KR",
        "japanese" | "ja" => "ja-JP",
        "chinese" | "zh" => "zh-CN",
        "arabic" | "ar" => "ar",
        "hebrew" | "he" => "he-IL",
        "latin" | "la" => "la",
        other
            if other.len() >= 2
                && other
                    .split('-')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
                && other.len() <= 8 =>
        {
            return Some(language.trim().to_owned());
        }
        _ => return None,
    };
    Some(tag.to_owned())
}

impl CslItem {
    /// The names of a name variable refkeeper's items fill (author,
    /// editor, translator, container-author); `None` for the others.
    pub fn names(&self, variable: NameVariable) -> Option<&Names> {
        match variable {
            NameVariable::Author => Some(&self.author),
            NameVariable::Editor => Some(&self.editor),
            NameVariable::Translator => Some(&self.translator),
            NameVariable::ContainerAuthor => Some(&self.container_author),
            _ => None,
        }
    }

    /// The item as CSL-JSON, with formatting as CSL's HTML-like markup
    /// (`<i>`, `<b>`, `<span class="nocase">`), which citeproc-js reads.
    pub fn to_csl_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("id".into(), json!(self.id));
        map.insert("type".into(), json!(self.kind.as_str()));
        let mut rich = |name: &str, value: &Option<Rich>| {
            if let Some(value) = value {
                map.insert(name.into(), json!(csl_markup(value)));
            }
        };
        rich("title", &self.title);
        rich("title-short", &self.title_short);
        rich("container-title", &self.container_title);
        rich("collection-title", &self.collection_title);
        rich("publisher", &self.publisher);
        rich("publisher-place", &self.publisher_place);
        rich("genre", &self.genre);
        rich("note", &self.note);
        rich("event-title", &self.event_title);
        rich("event-place", &self.event_place);
        let mut text = |name: &str, value: &Option<String>| {
            if let Some(value) = value {
                map.insert(name.into(), json!(value));
            }
        };
        text("collection-number", &self.collection_number);
        text("volume", &self.volume);
        text("issue", &self.issue);
        text("number", &self.number);
        text("page", &self.page);
        text("edition", &self.edition);
        text("number-of-pages", &self.number_of_pages);
        text("number-of-volumes", &self.number_of_volumes);
        text("URL", &self.url);
        text("DOI", &self.doi);
        text("ISBN", &self.isbn);
        text("ISSN", &self.issn);
        text("language", &self.language);
        for (name, value) in [
            ("issued", &self.issued),
            ("accessed", &self.accessed),
            ("event-date", &self.event_date),
        ] {
            if let Some(date) = value {
                map.insert(name.into(), csl_date(date));
            }
        }
        for (name, value) in [
            ("author", &self.author),
            ("editor", &self.editor),
            ("translator", &self.translator),
            ("container-author", &self.container_author),
        ] {
            if !value.names.is_empty() {
                let names: Vec<Value> = value
                    .names
                    .iter()
                    .map(|n| match &n.literal {
                        Some(literal) => json!({ "literal": literal }),
                        None => {
                            let mut name = Map::new();
                            name.insert("family".into(), json!(n.family));
                            if !n.given.is_empty() {
                                name.insert("given".into(), json!(n.given));
                            }
                            if !n.particle.is_empty() {
                                name.insert("dropping-particle".into(), json!(n.particle));
                            }
                            if !n.suffix.is_empty() {
                                name.insert("suffix".into(), json!(n.suffix));
                            }
                            Value::Object(name)
                        }
                    })
                    .collect();
                map.insert(name.into(), Value::Array(names));
            }
        }
        Value::Object(map)
    }
}

fn csl_date(date: &DateValue) -> Value {
    fn parts(d: &DatePart) -> Value {
        let mut p = vec![json!(d.year)];
        if let Some(m) = d.month {
            p.push(json!(m));
            if let Some(day) = d.day {
                p.push(json!(day));
            }
        }
        Value::Array(p)
    }
    let mut map = Map::new();
    match date {
        DateValue::Single(d) => {
            map.insert("date-parts".into(), json!([parts(d)]));
            if let Some(season) = d.season {
                map.insert("season".into(), json!(season));
            }
        }
        DateValue::Range(start, end) => {
            let ends: Vec<Value> = [start, end]
                .iter()
                .filter_map(|d| d.as_ref().map(parts))
                .collect();
            map.insert("date-parts".into(), Value::Array(ends));
        }
    }
    if date.start().is_some_and(|d| d.approximate) {
        map.insert("circa".into(), json!(true));
    }
    Value::Object(map)
}

/// Rich text as CSL's markup.
fn csl_markup(rich: &Rich) -> String {
    let mut out = String::new();
    for segment in &rich.segments {
        // citeproc-js reads only its own tags as markup; `&` and `<` may stay.
        let mut text = segment.text.clone();
        let s = segment.style;
        let wraps: [(bool, &str, &str); 6] = [
            (segment.nocase, "<span class=\"nocase\">", "</span>"),
            (s.italic, "<i>", "</i>"),
            (s.bold, "<b>", "</b>"),
            (
                s.small_caps,
                "<span style=\"font-variant:small-caps;\">",
                "</span>",
            ),
            (s.superscript, "<sup>", "</sup>"),
            (s.subscript, "<sub>", "</sub>"),
        ];
        for (on, open, close) in wraps {
            if on {
                text = format!("{open}{text}{close}");
            }
        }
        out.push_str(&text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bib::fields;
    use crate::bib::{BibInput, Bibliography};
    use crate::source::{FileRole, SourceFile, SourceMap};

    fn csl(text: &str, key: &str) -> (CslItem, Vec<Diagnostic>) {
        let mut sources = SourceMap::new();
        let file = sources.add(SourceFile::new(
            "t.bib".into(),
            FileRole::Bibliography,
            text.to_owned(),
        ));
        let (bib, _) = Bibliography::read(&[BibInput::bib(file, &sources.get(file).text)]);
        let id = bib.resolve(key).unwrap();
        let f = fields::collect(&bib, &sources, id);
        item(key, &bib.entry(id).kind, &f)
    }

    #[test]
    fn subtitle_and_titleaddon_are_kept() {
        let (item, _) = csl(
            "@book{b, title = {Japan's Silk Road Diplomacy}, subtitle = {Paving the Road Ahead}, titleaddon = {[Translated]}, langid = {english}}",
            "b",
        );
        assert_eq!(
            item.title.unwrap().text(),
            "Japan’s silk road diplomacy: Paving the road ahead. [Translated]"
        );
    }

    #[test]
    fn non_english_titles_keep_their_case() {
        let (item, _) = csl(
            "@book{b, title = {Жизнь и Судьба}, langid = {russian}}",
            "b",
        );
        assert_eq!(item.title.unwrap().text(), "Жизнь и Судьба");
        assert_eq!(item.language.as_deref(), Some("ru-RU"));
    }

    #[test]
    fn school_and_institution_are_the_publisher_of_theses_and_reports() {
        let (thesis, _) = csl(
            "@thesis{t, title = {T}, type = {mathesis}, institution = {Ewha Womans University}}",
            "t",
        );
        assert_eq!(thesis.publisher.unwrap().text(), "Ewha Womans University");
        assert_eq!(thesis.genre.unwrap().text(), "Master’s thesis");
        let (phd, _) = csl("@phdthesis{t, title = {T}, school = {SNU}}", "t");
        assert_eq!(phd.publisher.unwrap().text(), "SNU");
        assert_eq!(phd.genre.unwrap().text(), "PhD thesis");
        let (report, _) = csl(
            "@report{r, title = {T}, type = {SIPRI Policy Paper}, number = {17}, institution = {SIPRI}}",
            "r",
        );
        assert_eq!(report.publisher.unwrap().text(), "SIPRI");
        assert_eq!(report.number.as_deref(), Some("17"));
        assert_eq!(report.kind, CslType::Report);
    }

    #[test]
    fn incollection_book_title_is_the_container() {
        let (item, _) = csl(
            "@incollection{c, title = {The Sogdian Wall Inscriptions}, booktitle = {Royal Nauruz in {Samarkand}}, series = {Rivista}, number = {78}}",
            "c",
        );
        assert_eq!(item.kind, CslType::Chapter);
        assert_eq!(
            item.container_title.unwrap().text(),
            "Royal nauruz in Samarkand"
        );
        assert_eq!(item.collection_title.unwrap().text(), "Rivista");
        assert_eq!(item.collection_number.as_deref(), Some("78"));
    }

    #[test]
    fn literal_lists_are_split_at_and_but_not_parsed_as_names() {
        let (item, _) = csl(
            "@book{b, publisher = {Advanced Research and Assessment Group, Defence Academy}, location = {Washington, DC and {Stockholm and Uppsala}}}",
            "b",
        );
        assert_eq!(
            item.publisher.unwrap().text(),
            "Advanced Research; Assessment Group, Defence Academy"
        );
        assert_eq!(
            item.publisher_place.unwrap().text(),
            "Washington, DC; Stockholm and Uppsala"
        );
    }

    #[test]
    fn dates_ranges_and_bad_dates() {
        let (item, diagnostics) = csl("@book{b, date = {2007/2008}, urldate = {circa 2002}}", "b");
        assert_eq!(item.issued.unwrap().end().unwrap().year, 2008);
        assert!(item.accessed.is_none());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, Code::InvalidDate);
        let (legacy, _) = csl("@book{b, year = {1998}, month = dec}", "b");
        assert_eq!(legacy.issued.unwrap().start().unwrap().month, Some(12));
    }

    #[test]
    fn article_numbers_and_issues() {
        let (item, _) = csl(
            "@article{a, journaltitle = {J}, number = {2}, issue = {Winter}, eid = {1557}, pages = {69--97}, doi = {https://doi.org/10.1/x}}",
            "a",
        );
        assert_eq!(item.issue.as_deref(), Some("2, Winter"));
        assert_eq!(item.number.as_deref(), Some("1557"));
        assert_eq!(item.page.as_deref(), Some("69-97"));
        assert_eq!(item.doi.as_deref(), Some("10.1/x"));
    }

    #[test]
    fn csl_json_carries_markup_and_names() {
        let (item, _) = csl(
            r"@article{a, author = {de La Fontaine, Jean and {WHO Team}}, title = {On \emph{Fables} of {NASA} \& Co}, date = {2007-11}}",
            "a",
        );
        let json = item.to_csl_json();
        assert_eq!(
            json["title"],
            "On <i>fables</i> of <span class=\"nocase\">NASA</span> & co"
        );
        assert_eq!(json["author"][0]["dropping-particle"], "de");
        assert_eq!(json["author"][1]["literal"], "WHO Team");
        assert_eq!(json["issued"]["date-parts"], json!([[2007, 11]]));
    }
}
