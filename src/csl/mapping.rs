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
use hayagriva::citationberg::Locale;
use hayagriva::citationberg::taxonomy::NameVariable;
use std::sync::Arc;

use crate::bib::value::bibstrings::Language;

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
    /// The work this one reprints or translates (CSL's `original-*`).
    pub original: Original,
}

/// CSL's `original-*` variables: the first publication of a reprint or a
/// translation (biblatex's `orig*` fields, or the entry `related` names
/// with `relatedtype = {reprintof}` and kin).
#[allow(missing_docs)]
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Original {
    pub title: Option<Rich>,
    pub date: Option<DateValue>,
    pub publisher: Option<Rich>,
    pub publisher_place: Option<Rich>,
    pub author: Names,
}

impl Original {
    /// Whether no variable is set.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.date.is_none()
            && self.publisher.is_none()
            && self.publisher_place.is_none()
            && self.author.names.is_empty()
    }
}

/// The language the References are set in, as reading BibLaTeX needs it:
/// biblatex's localisation keys (`type = {mathesis}`, `series =
/// {newseries}`, `\bibstring{inpress}`) become that language's words, and
/// a numbered series its ordinal (`series = {3}` → "3rd series"), as
/// biblatex prints them and pandoc reads them. CSL data has no keys: a
/// style prints a variable's text as it is.
#[derive(Debug, Clone, Default)]
pub struct Localisation {
    strings: Language,
    /// The locale whose ordinal terms number a series; English's rule
    /// when there is none.
    ordinals: Option<Arc<Locale>>,
}

impl Localisation {
    /// The localisation of a BCP 47 language (`de-DE`), with the CSL
    /// locale whose ordinal terms it uses.
    pub fn new(language: &str, ordinals: Option<Locale>) -> Localisation {
        Localisation {
            strings: Language::of(language),
            ordinals: ordinals.map(Arc::new),
        }
    }

    /// `n` as an ordinal: the locale's ordinal suffix (`3rd`, `3.`).
    fn ordinal(&self, n: i32) -> String {
        let suffix = self
            .ordinals
            .as_ref()
            .and_then(|locale| locale.ordinals()?.lookup(n, None).map(str::to_owned));
        let suffix = suffix.unwrap_or_else(|| {
            match (n.rem_euclid(100), n.rem_euclid(10)) {
                (11..=13, _) => "th",
                (_, 1) => "st",
                (_, 2) => "nd",
                (_, 3) => "rd",
                _ => "th",
            }
            .to_owned()
        });
        format!("{n}{suffix}")
    }

    /// A field of biblatex's `key` kind (`type`, a patent's countries): the words of
    /// the key it holds, else its text.
    fn key_or_text(&self, latex_text: &str) -> Rich {
        match self.strings.get(latex_text) {
            Some(words) => latex::parse_in(words, self.strings),
            None => latex::parse_in(latex_text, self.strings),
        }
    }
}

/// The CSL data of an entry of `bib`, whatever format it was read from:
/// BibLaTeX fields (with what the entry inherits) through [`item`], CSL
/// data as written.
pub fn item_of(
    bib: &Bibliography,
    sources: &SourceMap,
    id: EntryId,
    localisation: &Localisation,
) -> (CslItem, Vec<Diagnostic>) {
    let entry = bib.entry(id);
    let Some(data) = &entry.csl() else {
        let fields = fields::collect(bib, sources, id);
        let (mut item, diagnostics) = item(bib.key(entry), entry.kind(), &fields, localisation);
        if let Some(related) = original_of(bib, &fields) {
            let (related, _) = self::item(
                bib.key_of(related),
                bib.entry(related).kind(),
                &fields::collect(bib, sources, related),
                localisation,
            );
            item.original.fill_from(related);
        }
        return (item, diagnostics);
    };
    (super::from_data::item(bib.key(entry), data), Vec::new())
}

/// The entry a `related` field names as the first publication of this
/// one: biblatex's related types that say this entry reprints or
/// translates it (`reprintof`, `translationof`, `reprintfrom`,
/// `translationfrom`, `origpubas`, `origpubin`). The other types
/// (`multivolume`, `reprintas`: this one is the original) have no CSL
/// variable. The first key that resolves counts.
fn original_of(bib: &Bibliography, fields: &Fields) -> Option<EntryId> {
    const ORIGINAL: [&str; 6] = [
        "reprintof",
        "translationof",
        "reprintfrom",
        "translationfrom",
        "origpubas",
        "origpubin",
    ];
    let kind = fields.text("relatedtype")?.trim().to_ascii_lowercase();
    if !ORIGINAL.contains(&kind.as_str()) {
        return None;
    }
    fields
        .text("related")?
        .split(',')
        .find_map(|key| bib.resolve(key.trim()))
}

impl Original {
    /// Takes the variables this one lacks from the item of the original.
    fn fill_from(&mut self, original: CslItem) {
        self.title = self.title.take().or(original.title);
        self.date = self.date.take().or(original.issued);
        self.publisher = self.publisher.take().or(original.publisher);
        self.publisher_place = self.publisher_place.take().or(original.publisher_place);
        if self.author.names.is_empty() {
            self.author = original.author;
        }
    }
}

/// Builds the CSL data of an entry; dates that cannot be read become
/// diagnostics (and are left out).
pub fn item(
    key: &str,
    entry_type: &str,
    fields: &Fields,
    localisation: &Localisation,
) -> (CslItem, Vec<Diagnostic>) {
    let strings = localisation.strings;
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
            .map(|v| latex::parse_in(&v.text, strings))
            .filter(|r| !r.is_empty())
    };
    let titled = |name: &str| rich(name).map(|r| if english { sentence_case(&r) } else { r });
    let plain = |name: &str| {
        fields
            .get(name)
            .map(|v| latex::parse_in(&v.text, strings).text())
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

    // biblatex prints a series that is a number as an ordinal with
    // "series" (`\iffieldint{series}` in `biblatex.def`), and one that is a
    // localisation key (`newseries`) as its words.
    let series = fields.get("series").and_then(|value| {
        let text = value.text.trim();
        let series = match text.parse::<i32>() {
            Ok(n) if n > 0 && !text.starts_with(['+', '0']) => {
                let mut words = Rich::plain(localisation.ordinal(n));
                words.push(" ", Style::default(), false);
                words.append(&localisation.key_or_text("jourser"));
                words
            }
            _ if strings.get(text).is_some() => localisation.key_or_text(text),
            _ => return titled("series"),
        };
        Some(series)
    });
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
        .map(|v| literal_list(&v.text, localisation, false));

    // `type` is a field of biblatex's key kind: `mathesis` means the words
    // for a master's thesis in the language of the References. The BibTeX
    // entry types that name a kind of thesis or report set it where the
    // entry has none (biblatex's driver source map does not overwrite).
    let genre = match (entry_type, fields.text("type").map(str::trim)) {
        (_, Some("mastersthesis")) => Some(localisation.key_or_text("mathesis")),
        (_, Some(kind)) if !kind.is_empty() => Some(localisation.key_or_text(kind)),
        ("phdthesis", _) => Some(localisation.key_or_text("phdthesis")),
        ("mastersthesis", _) => Some(localisation.key_or_text("mathesis")),
        ("techreport", _) => Some(localisation.key_or_text("techreport")),
        _ => None,
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
    let original_date = if fields.get("origdate").is_some() {
        date_of(&["origdate"], &mut diagnostics)
    } else {
        fields
            .get("origyear")
            .and_then(|year| date::from_year_month(&year.text, fields.text("origmonth")).ok())
    };
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
        // A patent's `location` is biblatex's list of the countries it
        // holds in, written as keys (`countryus`).
        publisher_place: fields
            .first(&["location", "address"])
            .map(|v| literal_list(&v.text, localisation, kind == CslType::Patent)),
        genre,
        note: rich("note"),
        event_title: titled("eventtitle"),
        event_place: rich("venue"),
        url: verbatim("url").or_else(|| eprint_url(fields)),
        doi: verbatim("doi")
            .or_else(|| eprint_of_type(fields, "doi"))
            .map(|d| crate::bib::fields::split_doi_prefix(&d).1.to_owned()),
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
        original: Original {
            title: titled("origtitle"),
            date: original_date,
            publisher: fields
                .get("origpublisher")
                .map(|v| literal_list(&v.text, localisation, false)),
            publisher_place: fields
                .get("origlocation")
                .map(|v| literal_list(&v.text, localisation, false)),
            author: Names::default(),
        },
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

/// The `eprint` of an entry whose `eprinttype` (BibTeX's `archivePrefix`)
/// is `kind`, case-insensitively.
fn eprint_of_type(fields: &Fields, kind: &str) -> Option<String> {
    let eprint_type = fields.first(&["eprinttype", "archiveprefix"])?;
    if !eprint_type.text.trim().eq_ignore_ascii_case(kind) {
        return None;
    }
    let eprint = fields.text("eprint")?.trim();
    (!eprint.is_empty()).then(|| eprint.to_owned())
}

/// The address of an eprint biblatex links (its `eprint:<type>` field
/// formats), for an entry without a `url`: CSL has no eprint variable, and
/// a style prints the URL where biblatex prints the link. The addresses
/// are pandoc's where it has one, https where biblatex still writes http.
fn eprint_url(fields: &Fields) -> Option<String> {
    const ARCHIVES: [(&str, &str); 5] = [
        ("arxiv", "https://arxiv.org/abs/"),
        ("jstor", "https://www.jstor.org/stable/"),
        ("pubmed", "https://www.ncbi.nlm.nih.gov/pubmed/"),
        ("hdl", "https://hdl.handle.net/"),
        ("googlebooks", "https://books.google.com?id="),
    ];
    ARCHIVES.iter().find_map(|(kind, base)| {
        eprint_of_type(fields, kind).map(|eprint| format!("{base}{eprint}"))
    })
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
/// With `keys`, an item may be a localisation key (the countries of a
/// patent: `countryde and countryfr`).
fn literal_list(latex_text: &str, localisation: &Localisation, keys: bool) -> Rich {
    let mut out = Rich::default();
    for (i, part) in names::split_and(latex_text).into_iter().enumerate() {
        if i > 0 {
            out.push("; ", Style::default(), false);
        }
        let part = part.trim();
        out.append(&if keys {
            localisation.key_or_text(part)
        } else {
            latex::parse_in(part, localisation.strings)
        });
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
        rich("original-title", &self.original.title);
        rich("original-publisher", &self.original.publisher);
        rich("original-publisher-place", &self.original.publisher_place);
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
            ("original-date", &self.original.date),
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
            ("original-author", &self.original.author),
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
        csl_in(text, key, &Localisation::default())
    }

    fn csl_in(text: &str, key: &str, localisation: &Localisation) -> (CslItem, Vec<Diagnostic>) {
        let mut sources = SourceMap::new();
        let file = sources.add(SourceFile::new(
            "t.bib".into(),
            FileRole::Bibliography,
            text.to_owned(),
        ));
        let (bib, _) = Bibliography::read(&[BibInput::bib(file, &sources.get(file).text)]);
        let id = bib.resolve(key).unwrap();
        let f = fields::collect(&bib, &sources, id);
        item(key, bib.entry(id).kind(), &f, localisation)
    }

    #[test]
    fn localisation_keys_read_as_biblatex_prints_them() {
        let german = Localisation::new("de-DE", None);
        let bib = "@thesis{t, title = {T}, type = {phdthesis}, series = {newseries}}
            @book{b, title = {B}, series = {3}}
            @book{s, title = {B}, series = {Studies in Central Asia}, number = {2}}
            @patent{p, title = {P}, type = {patentus}, location = {countryus and countryde}}
            @book{h, title = {H}, note = {\\bibcpstring{reprint}}}";
        let (thesis, _) = csl(bib, "t");
        assert_eq!(thesis.genre.unwrap().text(), "PhD thesis");
        assert_eq!(thesis.collection_title.unwrap().text(), "new series");
        let (thesis, _) = csl_in(bib, "t", &german);
        assert_eq!(thesis.genre.unwrap().text(), "Dissertation");
        assert_eq!(thesis.collection_title.unwrap().text(), "neue Folge");
        // A numbered series takes the locale's ordinal; English's rule
        // without a locale.
        let (book, _) = csl(bib, "b");
        assert_eq!(book.collection_title.unwrap().text(), "3rd series");
        // A series that is neither is a title (in sentence case, as English
        // titles are).
        let (series, _) = csl(bib, "s");
        assert_eq!(
            series.collection_title.unwrap().text(),
            "Studies in central asia"
        );
        assert_eq!(series.collection_number.as_deref(), Some("2"));
        let (patent, _) = csl(bib, "p");
        assert_eq!(patent.genre.unwrap().text(), "U.S. patent");
        assert_eq!(
            patent.publisher_place.unwrap().text(),
            "United States of America; Germany"
        );
        let (reprint, _) = csl_in(bib, "h", &german);
        assert_eq!(reprint.note.unwrap().text(), "Nachdruck");
    }

    /// Where refkeeper reads BibLaTeX otherwise than pandoc (whose CSL-JSON
    /// Quarto and R Markdown users format), by the biblatex manual: each
    /// case here was a difference in the "read as pandoc" column of
    /// `benches/fidelity/compare.py`.
    #[test]
    fn readings_that_differ_from_pandocs_follow_biblatex() {
        let bib = "@misc{m, title = {M}, year = {2015}, month = mar}
            @article{e, title = {E}, journaltitle = {J}, volume = {124}, eid = {124106}}
            @techreport{r, title = {R}, institution = {W3C}, publisher = {W3C}, howpublished = {W3C}}
            @phdthesis{p, title = {P}, type = {PhD}, school = {S}}
            @article{a, title = {A}, author = {Mart{\\'\\i}nez-Gonz{\\'a}lez, E.}, journaltitle = {J}}
            @article{d, title = {D}, journaltitle = {J}, doi = {https://doi.org/10.1016/0011-2275(70)90056-1}}";
        // `month = mar`: BibTeX's month macro, March (biblatex's `month`
        // field; pandoc reads `mar` as a localisation key and drops it).
        let (misc, _) = csl(bib, "m");
        assert_eq!(misc.issued.unwrap().start().unwrap().month, Some(3));
        // `eid` is the article's number (biblatex prints it; pandoc drops it).
        assert_eq!(csl(bib, "e").0.number.as_deref(), Some("124106"));
        // A report's publisher is its institution, once (biblatex's @report
        // has no `publisher` or `howpublished`; pandoc joins all three), and
        // its type is a technical report (biblatex's alias sets `type`).
        let (report, _) = csl(bib, "r");
        assert_eq!(report.publisher.unwrap().text(), "W3C");
        assert_eq!(report.genre.unwrap().text(), "technical report");
        // The entry's own `type` wins over the one the alias would set
        // (biblatex's driver source map does not overwrite).
        assert_eq!(csl(bib, "p").0.genre.unwrap().text(), "PhD");
        // `{\\'\\i}` is í (pandoc keeps the dotless ı under the accent).
        let (article, _) = csl(bib, "a");
        assert_eq!(article.author.names[0].family, "Martínez-González");
        // A DOI written as a link is the DOI (pandoc prints
        // `https://doi.org/https://doi.org/...`).
        assert_eq!(
            csl(bib, "d").0.doi.as_deref(),
            Some("10.1016/0011-2275(70)90056-1")
        );
    }

    #[test]
    fn eprints_become_links_where_there_is_no_url() {
        let bib = "@online{a, title = {A}, eprint = {2012.15286v2}, eprinttype = {arXiv}, eprintclass = {cs.CL}}
            @article{j, title = {J}, eprint = {10.2307/1234}, archiveprefix = {jstor}}
            @article{m, title = {M}, eprint = {12345678}, eprinttype = {pubmed}}
            @report{h, title = {H}, eprint = {1721.1/123}, eprinttype = {hdl}}
            @book{g, title = {G}, eprint = {abcDEF}, eprinttype = {googlebooks}}
            @article{d, title = {D}, eprint = {10.1000/xyz}, eprinttype = {doi}}
            @online{u, title = {U}, url = {https://example.org/u}, eprint = {1}, eprinttype = {arxiv}}
            @online{x, title = {X}, eprint = {1}, eprinttype = {unknownarchive}}";
        let url = |key: &str| csl(bib, key).0.url;
        assert_eq!(
            url("a").as_deref(),
            Some("https://arxiv.org/abs/2012.15286v2")
        );
        assert_eq!(
            url("j").as_deref(),
            Some("https://www.jstor.org/stable/10.2307/1234")
        );
        assert_eq!(
            url("m").as_deref(),
            Some("https://www.ncbi.nlm.nih.gov/pubmed/12345678")
        );
        assert_eq!(
            url("h").as_deref(),
            Some("https://hdl.handle.net/1721.1/123")
        );
        assert_eq!(
            url("g").as_deref(),
            Some("https://books.google.com?id=abcDEF")
        );
        assert_eq!(csl(bib, "d").0.doi.as_deref(), Some("10.1000/xyz"));
        assert_eq!(url("d"), None);
        // The entry's own URL wins; an archive biblatex does not link is
        // no link.
        assert_eq!(url("u").as_deref(), Some("https://example.org/u"));
        assert_eq!(url("x"), None);
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
