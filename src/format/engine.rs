//! The CSL engine: `hayagriva` does the style evaluation; this module
//! loads styles, turns [`CslItem`]s into hayagriva entries, and flattens
//! the rendered element tree into styled [`Piece`]s for the writers.
//!
//! hayagriva has no rich text in field values and no date ranges. Rich
//! text travels through it as private-use marker characters around styled
//! runs (which case changes leave alone) and comes back as formatting that
//! flips against the style's own italics, as citeproc's `<i>` does. A date
//! range is rendered twice, once with each end, and the two date texts are
//! merged (`2007–2008`, `November–December 2007`).

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::taxonomy::Season;
use hayagriva::citationberg::{IndependentStyle, Locale, LocaleCode, Style as CslStyle};
use hayagriva::types::{
    ChunkKind, ChunkedString, Date, EntryType, FormatString, MaybeTyped, Numeric, PageRanges,
    Person, PersonRole, PersonsWithRoles, Publisher, QualifiedUrl, StringChunk,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild,
    ElemChildren, ElemMeta, Entry,
};

use super::csl::{CslItem, CslType};
use super::date::{DatePart, DateValue};
use super::latex::{Rich, Style};
use super::names::Names;

/// A run of rendered text with its formatting, and a link target if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub style: Style,
    pub link: Option<String>,
}

/// The References and what the engine could not do.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub references: Vec<Reference>,
    pub notes: Vec<String>,
}

/// Runs `f`, turning a panic into `None` without printing it.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    use std::sync::Mutex;
    // The panic hook is global: swap it under a lock so concurrent renders
    // do not restore each other's hooks.
    static HOOK: Mutex<()> = Mutex::new(());
    let _guard = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result.ok()
}

/// One formatted reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub key: String,
    /// The label of styles that align it apart (`[1]` in IEEE).
    pub label: Option<Vec<Piece>>,
    pub body: Vec<Piece>,
}

/// Why a style cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StyleError {
    #[error(
        "unknown style `{0}`: run `refkeeper styles` for the bundled ones, or give the path of a .csl file"
    )]
    Unknown(String),
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error(
        "{path}: a dependent style whose parent `{parent}` is not bundled; use the parent's .csl file"
    )]
    UnknownParent { path: String, parent: String },
    #[error("style `{0}` has no bibliography")]
    NoBibliography(String),
}

/// Short names users type, for bundled styles whose archive names are long.
const ALIASES: &[(&str, &str)] = &[
    ("mla", "modern-language-association"),
    ("harvard", "harvard-cite-them-right"),
];

/// The bundled styles: (name to type, full name).
pub fn bundled_styles() -> Vec<(String, &'static str)> {
    let mut styles: Vec<(String, &'static str)> = ArchivedStyle::all()
        .iter()
        .map(|s| (s.names()[0].to_owned(), s.display_name()))
        .collect();
    for (alias, target) in ALIASES {
        if let Some(style) = ArchivedStyle::by_name(target) {
            styles.push(((*alias).to_owned(), style.display_name()));
        }
    }
    styles.sort();
    styles
}

/// A style and locale, ready to format references.
pub struct Engine {
    style: IndependentStyle,
    locales: Vec<Locale>,
    locale: Option<LocaleCode>,
    /// The locale's `punctuation-in-quote` option.
    punctuation_in_quote: bool,
}

impl Engine {
    /// `style` is a bundled name (`apa`, `ieee`, ...) or a `.csl` file path.
    pub fn new(style: &str, locale: Option<&str>) -> Result<Engine, StyleError> {
        let mut style = load_style(style)?;
        without_volume_title(&mut style);
        // Name disambiguation (`disambiguate-add-names`, `-add-givenname`)
        // shapes in-text citations only, and refkeeper renders no citations;
        // hayagriva lets the expanded names leak into bibliography entries
        // ("Hon, Stello, & Yu. (2018)") and can panic while computing them.
        // Year suffixes (2007a) stay: they belong to the entries too.
        style.citation.disambiguate_add_givenname = false;
        style.citation.disambiguate_add_names = false;
        if style.bibliography.is_none() {
            return Err(StyleError::NoBibliography(style.info.title.value.clone()));
        }
        let locales = hayagriva::archive::locales();
        let locale = locale.map(|l| LocaleCode(l.to_owned()));
        let punctuation_in_quote = punctuation_in_quote(&style, &locales, locale.as_ref());
        Ok(Engine {
            style,
            locales,
            locale,
            punctuation_in_quote,
        })
    }

    /// Formats the items; the result is in the style's order, with notes
    /// on anything the engine could not do.
    ///
    /// hayagriva can panic on some inputs (an index out of bounds in its
    /// given-name disambiguation was seen on a real 453-entry thesis, before
    /// that was switched off). A panic must not take refkeeper down: the
    /// render is retried entry by entry, and the retreat is reported.
    pub fn render(&self, items: &[CslItem]) -> Rendered {
        if let Some(references) = quietly(|| self.render_with(&self.style, items)) {
            return Rendered {
                references,
                notes: Vec::new(),
            };
        }
        let mut references = Vec::new();
        let mut notes = vec![
            "the CSL engine (hayagriva) failed on this bibliography; entries were formatted one by one (no numbering or year suffixes across entries)".to_owned(),
        ];
        for item in items {
            match quietly(|| self.render_with(&self.style, std::slice::from_ref(item))) {
                Some(mut one) => references.append(&mut one),
                None => notes.push(format!(
                    "the CSL engine (hayagriva) failed on entry `{}`; it is left out",
                    item.id
                )),
            }
        }
        Rendered { references, notes }
    }

    fn render_with(&self, style: &IndependentStyle, items: &[CslItem]) -> Vec<Reference> {
        // Punctuation moves into quotes only in English items, as in citeproc-js.
        let english: HashMap<&str, bool> = items
            .iter()
            .map(|i| {
                (
                    i.id.as_str(),
                    i.language
                        .as_deref()
                        .is_none_or(|l| l == "en" || l.starts_with("en-")),
                )
            })
            .collect();
        let in_quote =
            |key: &str| self.punctuation_in_quote && english.get(key).copied().unwrap_or(true);
        let mut entries: Vec<Entry> = items.iter().map(|i| to_entry(i, Which::Start)).collect();
        let mut first = self.run(style, &entries);
        // hayagriva hands out year suffixes (2007a, 2007b) in citation order;
        // CSL hands them out in the bibliography's order. Cite the entries
        // again in that order, which changes nothing else: numbering styles
        // number in citation order and list in citation order.
        if style.citation.disambiguate_add_year_suffix && first.len() > 1 {
            let position: HashMap<&str, usize> = first
                .iter()
                .enumerate()
                .map(|(i, r)| (r.0.as_str(), i))
                .collect();
            entries.sort_by_key(|e| position.get(e.key()).copied().unwrap_or(usize::MAX));
            first = self.run(style, &entries);
        }
        let ranged: Vec<&CslItem> = items
            .iter()
            .filter(|i| i.issued.as_ref().is_some_and(is_range))
            .collect();
        if ranged.is_empty() {
            return first
                .into_iter()
                .map(|(key, label, body)| {
                    let in_quote = in_quote(&key);
                    reference(key, label, &body, &HashMap::new(), in_quote)
                })
                .collect();
        }
        // Render again with the end of each range, and merge the date texts.
        let end_entries: Vec<Entry> = items.iter().map(|i| to_entry(i, Which::End)).collect();
        let second: HashMap<String, ElemChildren> = self
            .run(style, &end_entries)
            .into_iter()
            .map(|(key, _, body)| (key, body))
            .collect();
        let ranged: HashMap<&str, &CslItem> = ranged.iter().map(|i| (i.id.as_str(), *i)).collect();
        first
            .into_iter()
            .map(|(key, label, body)| {
                let mut replacements = HashMap::new();
                if let (Some(item), Some(other)) = (ranged.get(key.as_str()), second.get(&key)) {
                    let starts = date_texts(&body);
                    let ends = date_texts(other);
                    let open_end = matches!(item.issued, Some(DateValue::Range(_, None)));
                    for (i, (start, end)) in starts.iter().zip(&ends).enumerate() {
                        if open_end {
                            replacements.insert(i, format!("{start}\u{2013}"));
                        } else if start != end {
                            replacements.insert(i, merge_range(start, end));
                        }
                    }
                }
                let in_quote = in_quote(&key);
                reference(key, label, &body, &replacements, in_quote)
            })
            .collect()
    }

    fn run(
        &self,
        style: &IndependentStyle,
        entries: &[Entry],
    ) -> Vec<(String, Option<ElemChild>, ElemChildren)> {
        let mut driver = BibliographyDriver::new();
        for entry in entries {
            driver.citation(CitationRequest::new(
                vec![CitationItem::with_entry(entry)],
                style,
                self.locale.clone(),
                &self.locales,
                None,
            ));
        }
        let rendered = driver.finish(BibliographyRequest::new(
            style,
            self.locale.clone(),
            &self.locales,
        ));
        rendered
            .bibliography
            .map(|b| {
                b.items
                    .into_iter()
                    .map(|i| (i.key, i.first_field, i.content))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The `punctuation-in-quote` option of the language in use: from the
/// style's own locale overrides, else the locale files (exact language,
/// then its primary language).
fn punctuation_in_quote(
    style: &IndependentStyle,
    locales: &[Locale],
    requested: Option<&LocaleCode>,
) -> bool {
    let language = requested
        .or(style.default_locale.as_ref())
        .map_or("en-US", |l| l.0.as_str())
        .to_owned();
    let primary = language.split('-').next().unwrap_or_default().to_owned();
    let option = |locale: &Locale| locale.style_options.and_then(|o| o.punctuation_in_quote);
    let matches = |locale: &Locale, exact: bool| match &locale.lang {
        Some(code) if exact => code.0 == language,
        Some(code) => code.0.split('-').next() == Some(primary.as_str()),
        None => !exact,
    };
    style
        .locale
        .iter()
        .filter(|l| matches(l, true))
        .chain(style.locale.iter().filter(|l| matches(l, false)))
        .chain(locales.iter().filter(|l| matches(l, true)))
        .chain(locales.iter().filter(|l| matches(l, false)))
        .find_map(option)
        .unwrap_or(false)
}

/// Makes the style's `volume-title` a variable refkeeper never sets.
///
/// refkeeper's data has no separate volume title (a chapter's book is its
/// container), but hayagriva takes the title of a conference paper's
/// proceedings as its volume title too, so styles that print both (APA,
/// MLA) printed the proceedings title twice.
fn without_volume_title(style: &mut IndependentStyle) {
    use hayagriva::citationberg::taxonomy::{StandardVariable, Variable};
    use hayagriva::citationberg::{LayoutRenderingElement, TextTarget};
    fn variable(var: &mut Variable) {
        if *var == Variable::Standard(StandardVariable::VolumeTitle) {
            // `dimensions` is read from hayagriva's `runtime`, never set here.
            *var = Variable::Standard(StandardVariable::Dimensions);
        }
    }
    fn walk(elements: &mut [LayoutRenderingElement]) {
        for element in elements {
            match element {
                LayoutRenderingElement::Text(text) => {
                    if let TextTarget::Variable { var, .. } = &mut text.target {
                        variable(var);
                    }
                }
                LayoutRenderingElement::Group(group) => walk(&mut group.children),
                LayoutRenderingElement::Choose(choose) => {
                    for branch in std::iter::once(&mut choose.if_).chain(choose.else_if.iter_mut())
                    {
                        branch.variable.iter_mut().flatten().for_each(variable);
                        branch.is_numeric.iter_mut().flatten().for_each(variable);
                        walk(&mut branch.children);
                    }
                    if let Some(otherwise) = &mut choose.otherwise {
                        walk(&mut otherwise.children);
                    }
                }
                _ => {}
            }
        }
    }
    for item in &mut style.macros {
        walk(&mut item.children);
    }
    walk(&mut style.citation.layout.elements);
    if let Some(bibliography) = &mut style.bibliography {
        walk(&mut bibliography.layout.elements);
    }
}

fn load_style(spec: &str) -> Result<IndependentStyle, StyleError> {
    let path = Path::new(spec);
    let looks_like_file = spec.ends_with(".csl") || spec.contains(['/', '\\']);
    if looks_like_file || (path.is_file() && ArchivedStyle::by_name(spec).is_none()) {
        let file_error = |message: String| StyleError::File {
            path: spec.to_owned(),
            message,
        };
        let xml = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
        return match CslStyle::from_xml(&xml)
            .map_err(|e| file_error(format!("not a CSL style: {e}")))?
        {
            CslStyle::Independent(style) => Ok(style),
            CslStyle::Dependent(dependent) => {
                let parent = dependent.parent_link.href.to_string();
                match ArchivedStyle::by_id(&parent).map(ArchivedStyle::get) {
                    Some(CslStyle::Independent(style)) => Ok(style),
                    _ => Err(StyleError::UnknownParent {
                        path: spec.to_owned(),
                        parent,
                    }),
                }
            }
        };
    }
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == spec)
        .map_or(spec, |(_, target)| target);
    match ArchivedStyle::by_name(name).map(ArchivedStyle::get) {
        Some(CslStyle::Independent(style)) => Ok(style),
        _ => Err(StyleError::Unknown(spec.to_owned())),
    }
}

fn is_range(date: &DateValue) -> bool {
    match date {
        DateValue::Single(_) => false,
        DateValue::Range(start, end) => start.is_some() && (end.is_none() || start != end),
    }
}

/// `2007` and `2008` → `2007–2008`; `November 2007` and `December 2007` →
/// `November–December 2007`: what the two ends share stays outside.
fn merge_range(start: &str, end: &str) -> String {
    fn tokens(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut begin = 0;
        let mut previous: Option<bool> = None;
        for (i, c) in text.char_indices() {
            let word = c.is_alphanumeric();
            if previous.is_some_and(|p| p != word) {
                out.push(&text[begin..i]);
                begin = i;
            }
            previous = Some(word);
        }
        out.push(&text[begin..]);
        out
    }
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

// ---------------------------------------------------------------------------
// CSL items to hayagriva entries

/// Which end of a date range to give hayagriva, which has no ranges.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Start,
    End,
}

const ITALIC: (char, char) = ('\u{E000}', '\u{E001}');
const BOLD: (char, char) = ('\u{E002}', '\u{E003}');
const SMALL_CAPS: (char, char) = ('\u{E004}', '\u{E005}');
const SUPERSCRIPT: (char, char) = ('\u{E006}', '\u{E007}');
const SUBSCRIPT: (char, char) = ('\u{E008}', '\u{E009}');

/// Rich text as a hayagriva string: styled runs between marker
/// characters, brace-protected text as verbatim chunks.
///
/// For English text, words are also protected where citeproc-js's title
/// case would leave them alone, so that a style's `text-case="title"`
/// comes out as citeproc-js makes it: citeproc-js capitalises only
/// all-lower-case words that are not stop words (and the first word, and
/// words after `:` `?` `!`), and never touches a word that has capitals.
/// hayagriva capitalises stop words after a comma (`And`) and lower-cases
/// the rest of mixed-case words (`Texbook`), so those words go verbatim.
///
/// Two quirks of hayagriva's case folder shape the chunks (found by
/// probing it): a normal chunk that starts with a space right after a
/// verbatim one loses the space, and a word right after a marker
/// character is not capitalised. So a normal chunk after a verbatim one
/// starts with [`GUARD`], and markers go before the space before a word.
fn chunked(rich: &Rich, english: bool) -> ChunkedString {
    let mut out = Chunks::default();
    let mut first = true;
    let mut after_punctuation = false;
    for segment in &rich.segments {
        let s = segment.style;
        let marks: Vec<(char, char)> = [
            (s.italic, ITALIC),
            (s.bold, BOLD),
            (s.small_caps, SMALL_CAPS),
            (s.superscript, SUPERSCRIPT),
            (s.subscript, SUBSCRIPT),
        ]
        .into_iter()
        .filter_map(|(on, mark)| on.then_some(mark))
        .collect();
        for mark in &marks {
            out.mark(mark.0);
        }
        if segment.nocase || !english {
            let kind = if segment.nocase {
                ChunkKind::Verbatim
            } else {
                ChunkKind::Normal
            };
            out.push(&segment.text, kind);
            if segment.text.chars().any(char::is_alphanumeric) {
                first = false;
            }
        } else {
            let pieces = words(&segment.text);
            for (index, &(word, is_word)) in pieces.iter().enumerate() {
                if !is_word {
                    out.push(word, ChunkKind::Normal);
                    if word.trim_end().ends_with([':', '?', '!']) {
                        after_punctuation = true;
                    }
                    continue;
                }
                let lower = word.to_lowercase();
                let before_hyphen = pieces
                    .get(index + 1)
                    .is_some_and(|(next, _)| next.starts_with('-'));
                let capitalised_by_citeproc = (word.chars().count() > 1
                    && !STOP_WORDS.contains(&lower.as_str()))
                    || first
                    || after_punctuation
                    || before_hyphen;
                let kind = if word == lower && capitalised_by_citeproc {
                    ChunkKind::Normal
                } else {
                    ChunkKind::Verbatim
                };
                out.push(word, kind);
                first = false;
                after_punctuation = false;
            }
        }
        for mark in marks.iter().rev() {
            out.mark(mark.1);
        }
    }
    out.finish()
}

/// A zero-width space: keeps hayagriva from dropping the space after a
/// verbatim chunk. Removed again after rendering.
const GUARD: char = '\u{200B}';

/// Builds a chunked string, merging neighbours of one kind.
#[derive(Default)]
struct Chunks {
    chunks: Vec<(String, ChunkKind)>,
}

impl Chunks {
    fn push(&mut self, text: &str, kind: ChunkKind) {
        if text.is_empty() {
            return;
        }
        match self.chunks.last_mut() {
            Some(last) if last.1 == kind => last.0.push_str(text),
            Some(last) if last.1 == ChunkKind::Verbatim && kind == ChunkKind::Normal => {
                self.chunks.push((format!("{GUARD}{text}"), kind));
            }
            _ => self.chunks.push((text.to_owned(), kind)),
        }
    }

    /// A marker goes before the spaces that end the text so far.
    fn mark(&mut self, marker: char) {
        match self.chunks.last_mut() {
            Some(last) => {
                let body = last.0.trim_end_matches(' ').len();
                last.0.insert(body, marker);
            }
            None => self.chunks.push((marker.to_string(), ChunkKind::Normal)),
        }
    }

    fn finish(self) -> ChunkedString {
        let mut out = ChunkedString::new();
        for (text, kind) in self.chunks {
            out.push_chunk(StringChunk::new(text, kind));
        }
        out
    }
}

/// Words and the text between them, as citeproc-js splits a title for
/// case changes (hyphenated parts are separate words).
fn words(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_word: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric() || c == '\'' || c == '\u{2019}';
        if in_word.is_some_and(|w| w != word) {
            out.push((&text[start..i], in_word.unwrap_or(false)));
            start = i;
        }
        in_word = Some(word);
    }
    if start < text.len() {
        out.push((&text[start..], in_word.unwrap_or(false)));
    }
    out
}

/// citeproc-js's stop words (`CSL.SKIP_WORDS`), one-word entries.
const STOP_WORDS: &[&str] = &[
    "about",
    "above",
    "across",
    "afore",
    "after",
    "against",
    "al",
    "along",
    "alongside",
    "amid",
    "amidst",
    "among",
    "amongst",
    "anenst",
    "apropos",
    "apud",
    "around",
    "as",
    "aside",
    "astride",
    "at",
    "athwart",
    "atop",
    "barring",
    "before",
    "behind",
    "below",
    "beneath",
    "beside",
    "besides",
    "between",
    "beyond",
    "but",
    "by",
    "circa",
    "despite",
    "down",
    "during",
    "et",
    "except",
    "for",
    "forenenst",
    "from",
    "given",
    "in",
    "inside",
    "into",
    "lest",
    "like",
    "modulo",
    "near",
    "next",
    "notwithstanding",
    "of",
    "off",
    "on",
    "onto",
    "out",
    "over",
    "per",
    "plus",
    "pro",
    "qua",
    "sans",
    "since",
    "than",
    "through",
    "thru",
    "throughout",
    "thruout",
    "till",
    "to",
    "toward",
    "towards",
    "under",
    "underneath",
    "until",
    "unto",
    "up",
    "upon",
    "versus",
    "vs",
    "v",
    "via",
    "with",
    "within",
    "without",
    "or",
    "yet",
    "so",
    "and",
    "nor",
    "a",
    "an",
    "the",
    "de",
    "von",
    "van",
    "c",
    "ca",
];

fn format_string(rich: &Rich, english: bool) -> FormatString {
    FormatString {
        value: chunked(rich, english),
        short: None,
    }
}

fn numeric(text: &str) -> MaybeTyped<Numeric> {
    Numeric::from_str(text)
        .map(MaybeTyped::Typed)
        .unwrap_or_else(|_| MaybeTyped::String(text.to_owned()))
}

fn persons(names: &Names) -> Vec<Person> {
    names
        .names
        .iter()
        .map(|n| match &n.literal {
            Some(literal) => Person {
                name: literal.clone(),
                given_name: None,
                prefix: None,
                suffix: None,
                comma_suffix: false,
                alias: None,
            },
            None => {
                let optional = |s: &str| (!s.is_empty()).then(|| s.to_owned());
                Person {
                    name: n.family.clone(),
                    given_name: optional(&n.given),
                    prefix: optional(&n.particle),
                    suffix: optional(&n.suffix),
                    comma_suffix: false,
                    alias: None,
                }
            }
        })
        .collect()
}

fn hayagriva_date(part: DatePart) -> Date {
    Date {
        year: part.year,
        month: part.month.map(|m| m - 1),
        day: part.day.map(|d| d - 1),
        approximate: part.approximate,
        season: part.season.map(|s| match s {
            1 => Season::Spring,
            2 => Season::Summer,
            3 => Season::Autumn,
            _ => Season::Winter,
        }),
    }
}

fn pick(date: &DateValue, which: Which) -> Option<DatePart> {
    match which {
        Which::Start => date.start(),
        Which::End => date.end().or_else(|| date.start()),
    }
}

fn to_entry(item: &CslItem, which: Which) -> Entry {
    let entry_type = match item.kind {
        CslType::ArticleJournal
        | CslType::ArticleMagazine
        | CslType::ArticleNewspaper
        | CslType::PaperConference => EntryType::Article,
        CslType::Book => EntryType::Book,
        CslType::Chapter => EntryType::Chapter,
        CslType::Thesis => EntryType::Thesis,
        CslType::Report => EntryType::Report,
        CslType::Webpage => EntryType::Web,
        CslType::Manuscript => EntryType::Manuscript,
        CslType::Patent => EntryType::Patent,
        CslType::Periodical => EntryType::Periodical,
        CslType::Software | CslType::Dataset => EntryType::Repository,
        CslType::EntryEncyclopedia => EntryType::Entry,
        CslType::Document | CslType::Pamphlet => EntryType::Misc,
    };
    let mut entry = Entry::new(&item.id, entry_type);
    let mut parents = Vec::new();
    // CSL: items without a language are taken to be English.
    let english = item
        .language
        .as_deref()
        .is_none_or(|l| l == "en" || l.starts_with("en-"));
    if let Some(title) = &item.title {
        let mut title = format_string(title, english);
        title.short = item
            .title_short
            .as_ref()
            .map(|s| Box::new(chunked(s, english)));
        entry.set_title(title);
    }
    if !item.author.names.is_empty() {
        entry.set_authors(persons(&item.author));
    }
    if let Some(date) = item.issued.as_ref().and_then(|d| pick(d, which)) {
        entry.set_date(hayagriva_date(date));
    }
    if item.publisher.is_some() || item.publisher_place.is_some() {
        entry.set_publisher(Publisher::new(
            item.publisher.as_ref().map(|p| format_string(p, english)),
            item.publisher_place
                .as_ref()
                .map(|p| format_string(p, english)),
        ));
    }
    if let Some(genre) = &item.genre {
        entry.set_genre(format_string(genre, english));
    }
    if let Some(note) = &item.note {
        entry.set_note(format_string(note, english));
    }
    if let Some(url) = item.url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
        let visited = item
            .accessed
            .as_ref()
            .and_then(DateValue::start)
            .map(hayagriva_date);
        entry.set_url(QualifiedUrl::new(url, visited));
    }
    if let Some(doi) = &item.doi {
        entry.set_doi(doi.clone());
    }
    if let Some(isbn) = &item.isbn {
        entry.set_isbn(isbn.clone());
    }
    if let Some(issn) = &item.issn {
        entry.set_issn(issn.clone());
    }
    if let Some(language) = item
        .language
        .as_deref()
        .and_then(|l| unic_langid::LanguageIdentifier::from_str(l).ok())
    {
        entry.set_language(language);
    }
    if let Some(pages) = &item.page {
        entry.set_page_range(
            PageRanges::from_str(pages)
                .map(MaybeTyped::Typed)
                .unwrap_or_else(|_| MaybeTyped::String(pages.clone())),
        );
    }
    if let Some(total) = item
        .number_of_pages
        .as_deref()
        .and_then(|t| Numeric::from_str(t).ok())
    {
        entry.set_page_total(total);
    }
    if let Some(total) = item
        .number_of_volumes
        .as_deref()
        .and_then(|t| Numeric::from_str(t).ok())
    {
        entry.set_volume_total(total);
    }
    if let Some(edition) = &item.edition {
        entry.set_edition(numeric(edition));
    }
    if let Some(number) = &item.number {
        entry.set_keyed_serial_number("serial", number.clone());
    }
    if !item.translator.names.is_empty() {
        entry.set_affiliated(vec![PersonsWithRoles::new(
            persons(&item.translator),
            PersonRole::Translator,
        )]);
    }
    if let Some(event) = &item.event_title {
        let mut conference = Entry::new(&item.id, EntryType::Conference);
        conference.set_title(format_string(event, english));
        if let Some(place) = &item.event_place {
            conference.set_location(format_string(place, english));
        }
        if let Some(date) = item.event_date.as_ref().and_then(DateValue::start) {
            conference.set_date(hayagriva_date(date));
        }
        parents.push(conference);
    }

    // hayagriva finds a collection among the parents of an entry's own
    // type (or an anthology), so a proceedings' series is a proceedings.
    let series_type = match item.kind {
        CslType::PaperConference => EntryType::Proceedings,
        CslType::ArticleJournal | CslType::ArticleMagazine => EntryType::Periodical,
        CslType::ArticleNewspaper => EntryType::Newspaper,
        _ => EntryType::Book,
    };
    let series = item.collection_title.as_ref().map(|title| {
        let mut series = Entry::new(&item.id, series_type);
        series.set_title(format_string(title, english));
        if let Some(number) = &item.collection_number {
            series.set_volume(numeric(number));
        }
        series
    });
    match item.kind {
        CslType::ArticleJournal | CslType::ArticleMagazine | CslType::ArticleNewspaper => {
            let kind = if item.kind == CslType::ArticleNewspaper {
                EntryType::Newspaper
            } else {
                EntryType::Periodical
            };
            let mut periodical = Entry::new(&item.id, kind);
            if let Some(title) = &item.container_title {
                periodical.set_title(format_string(title, english));
            }
            if let Some(volume) = &item.volume {
                periodical.set_volume(numeric(volume));
            }
            if let Some(issue) = &item.issue {
                periodical.set_issue(numeric(issue));
            }
            if let Some(series) = series {
                periodical.set_parents(vec![series]);
            }
            parents.push(periodical);
        }
        CslType::Chapter | CslType::PaperConference | CslType::EntryEncyclopedia => {
            let kind = match item.kind {
                CslType::PaperConference => EntryType::Proceedings,
                CslType::EntryEncyclopedia => EntryType::Reference,
                _ => EntryType::Book,
            };
            let mut book = Entry::new(&item.id, kind);
            if let Some(title) = &item.container_title {
                book.set_title(format_string(title, english));
            }
            if !item.editor.names.is_empty() {
                book.set_editors(persons(&item.editor));
            }
            if !item.container_author.names.is_empty() {
                book.set_authors(persons(&item.container_author));
            }
            if let Some(volume) = &item.volume {
                book.set_volume(numeric(volume));
            }
            if let Some(series) = series {
                book.set_parents(vec![series]);
            }
            parents.push(book);
        }
        _ => {
            if !item.editor.names.is_empty() {
                entry.set_editors(persons(&item.editor));
            }
            if let Some(volume) = &item.volume {
                entry.set_volume(numeric(volume));
            }
            if let Some(issue) = &item.issue {
                entry.set_issue(numeric(issue));
            }
            if let Some(series) = series {
                parents.push(series);
            }
        }
    }
    entry.set_parents(parents);
    entry
}

// ---------------------------------------------------------------------------
// The rendered tree to pieces

/// The text of each `cs:date` element, in order.
fn date_texts(children: &ElemChildren) -> Vec<String> {
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

fn collect_text(children: &ElemChildren, out: &mut String) {
    for child in &children.0 {
        match child {
            ElemChild::Text(t) => out.push_str(&t.text),
            ElemChild::Elem(e) => collect_text(&e.children, out),
            ElemChild::Link { text, .. } => out.push_str(&text.text),
            ElemChild::Markup(m) => out.push_str(m),
            ElemChild::Transparent { .. } => {}
        }
    }
}

fn reference(
    key: String,
    label: Option<ElemChild>,
    body: &ElemChildren,
    dates: &HashMap<usize, String>,
    punctuation_in_quote: bool,
) -> Reference {
    let label = label.map(|child| {
        let mut flattener = Flattener::default();
        flattener.child(&child, &HashMap::new());
        flattener.finish(punctuation_in_quote)
    });
    let mut flattener = Flattener::default();
    flattener.children(body, dates);
    Reference {
        key,
        label,
        body: flattener.finish(punctuation_in_quote),
    }
}

/// Walks the rendered tree, turning formatting and markers into pieces.
#[derive(Default)]
struct Flattener {
    pieces: Vec<Piece>,
    /// Marker state: how many of each marker are open.
    open: [i32; 5],
    date_index: usize,
}

impl Flattener {
    fn children(&mut self, children: &ElemChildren, dates: &HashMap<usize, String>) {
        for child in &children.0 {
            self.child(child, dates);
        }
    }

    fn child(&mut self, child: &ElemChild, dates: &HashMap<usize, String>) {
        match child {
            ElemChild::Text(t) => self.text(&t.text, base_style(&t.formatting), None),
            ElemChild::Link { text, url } => {
                self.text(&text.text, base_style(&text.formatting), Some(url))
            }
            ElemChild::Markup(m) => self.text(m, Style::default(), None),
            ElemChild::Transparent { .. } => {}
            ElemChild::Elem(elem) => {
                if matches!(elem.meta, Some(ElemMeta::Date)) {
                    let index = self.date_index;
                    self.date_index += 1;
                    if let Some(replacement) = dates.get(&index) {
                        let style = first_style(&elem.children).unwrap_or_default();
                        self.text(replacement, style, None);
                        return;
                    }
                }
                self.children(&elem.children, dates);
            }
        }
    }

    fn text(&mut self, text: &str, base: Style, link: Option<&str>) {
        let mut run = String::new();
        for c in text.chars().filter(|&c| c != GUARD) {
            let toggle = [ITALIC, BOLD, SMALL_CAPS, SUPERSCRIPT, SUBSCRIPT]
                .iter()
                .enumerate()
                .find_map(|(i, (on, off))| {
                    (c == *on)
                        .then_some((i, 1))
                        .or_else(|| (c == *off).then_some((i, -1)))
                });
            match toggle {
                Some((index, delta)) => {
                    self.push(&run, base, link);
                    run.clear();
                    self.open[index] += delta;
                }
                None => run.push(c),
            }
        }
        self.push(&run, base, link);
    }

    fn push(&mut self, text: &str, base: Style, link: Option<&str>) {
        if text.is_empty() {
            return;
        }
        // Emphasis inside an italic context comes out upright (flip-flop).
        let style = Style {
            italic: base.italic ^ (self.open[0] > 0),
            bold: base.bold || self.open[1] > 0,
            small_caps: base.small_caps || self.open[2] > 0,
            superscript: base.superscript || self.open[3] > 0,
            subscript: base.subscript || self.open[4] > 0,
        };
        let link = link.map(str::to_owned);
        if let Some(last) = self.pieces.last_mut()
            && last.style == style
            && last.link == link
        {
            last.text.push_str(text);
            return;
        }
        self.pieces.push(Piece {
            text: text.to_owned(),
            style,
            link,
        });
    }

    fn finish(self, punctuation_in_quote: bool) -> Vec<Piece> {
        tidy(self.pieces, punctuation_in_quote)
    }
}

/// CSL's punctuation rules, which hayagriva leaves out: a period after
/// `.`, `?` or `!` (closing quotes between them allowed) is dropped; so is
/// a comma before `)` or `.`, and the space hayagriva puts between a
/// volume and `:`; runs of spaces become one. Quotes inside quotes flip
/// (“…‘…’…”), and with `punctuation_in_quote` (American English) a period
/// or comma after a closing quote moves inside it.
fn tidy(pieces: Vec<Piece>, punctuation_in_quote: bool) -> Vec<Piece> {
    let chars: Vec<(char, usize)> = pieces
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            // MLA's subsequent-author dash: hayagriva keeps the connector of
            // the names it replaced (`———, and .`).
            let text = p
                .text
                .replace("———, and .", "———.")
                .replace("———, et al.", "———.");
            text.chars().map(move |c| (c, i)).collect::<Vec<_>>()
        })
        .collect();
    let mut out: Vec<(char, usize)> = Vec::with_capacity(chars.len());
    // Open quotes: whether each was flipped to single.
    let mut quotes: Vec<bool> = Vec::new();
    // How many characters at the end of `out` are closing quotes.
    let mut closers = 0usize;
    for (index, &(c, piece)) in chars.iter().enumerate() {
        let next = chars.get(index + 1).map(|x| x.0);
        let previous_significant = out
            .iter()
            .rev()
            .map(|x| x.0)
            .find(|c| !matches!(c, '”' | '’' | '»' | '"'));
        let mut emitted = c;
        let drop = match c {
            '.' => {
                let before = chars[..index]
                    .iter()
                    .rev()
                    .take_while(|x| x.0 == '.')
                    .count();
                let after = chars[index + 1..].iter().take_while(|x| x.0 == '.').count();
                match before + 1 + after {
                    // An ellipsis stays; `..` loses its second dot.
                    run if run >= 3 => false,
                    2 => before == 1,
                    _ => matches!(previous_significant, Some('.' | '?' | '!')),
                }
            }
            ',' => matches!(next, Some(')' | '.')),
            ' ' => {
                out.last().is_some_and(|x| x.0 == ' ')
                    || (next == Some(':') && out.last().is_some_and(|x| x.0.is_ascii_digit()))
            }
            _ => false,
        };
        if drop {
            continue;
        }
        let mut closing = false;
        match c {
            '“' => {
                let nested = quotes.last() == Some(&false);
                quotes.push(nested);
                if nested {
                    emitted = '‘';
                }
            }
            '‘' => quotes.push(false),
            '”' => {
                if quotes.pop() == Some(true) {
                    emitted = '’';
                }
                closing = true;
            }
            // A ’ before a letter is an apostrophe; otherwise it may close.
            '’' if !next.is_some_and(char::is_alphanumeric) && !quotes.is_empty() => {
                quotes.pop();
                closing = true;
            }
            '.' | ',' if punctuation_in_quote && closers > 0 => {
                let at = out.len() - closers;
                out.insert(at, (c, out[at].1));
                continue;
            }
            _ => {}
        }
        out.push((emitted, piece));
        closers = if closing { closers + 1 } else { 0 };
    }
    let mut result: Vec<Piece> = Vec::with_capacity(pieces.len());
    for (c, piece) in out {
        match result.last_mut() {
            Some(last) if last.style == pieces[piece].style && last.link == pieces[piece].link => {
                last.text.push(c)
            }
            _ => result.push(Piece {
                text: c.to_string(),
                style: pieces[piece].style,
                link: pieces[piece].link.clone(),
            }),
        }
    }
    result
}

fn base_style(formatting: &hayagriva::Formatting) -> Style {
    use hayagriva::citationberg::{FontStyle, FontVariant, FontWeight, VerticalAlign};
    Style {
        italic: matches!(formatting.font_style, FontStyle::Italic),
        bold: matches!(formatting.font_weight, FontWeight::Bold),
        small_caps: matches!(formatting.font_variant, FontVariant::SmallCaps),
        superscript: matches!(formatting.vertical_align, VerticalAlign::Sup),
        subscript: matches!(formatting.vertical_align, VerticalAlign::Sub),
    }
}

fn first_style(children: &ElemChildren) -> Option<Style> {
    children.0.iter().find_map(|c| match c {
        ElemChild::Text(t) => Some(base_style(&t.formatting)),
        ElemChild::Elem(e) => first_style(&e.children),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(pieces: &[Piece]) -> String {
        pieces.iter().map(|p| p.text.as_str()).collect()
    }

    fn plain(text: &str) -> Piece {
        Piece {
            text: text.to_owned(),
            style: Style::default(),
            link: None,
        }
    }

    #[test]
    fn punctuation_is_tidied_as_csl_prescribes() {
        for (raw, tidied) in [
            ("Alliance?. Publisher", "Alliance? Publisher"),
            ("Inaugurated.”. https://x", "Inaugurated.” https://x"),
            ("(1996,). Title", "(1996). Title"),
            ("Survey,. https", "Survey. https"),
            ("Archaeology 3 : 150–79", "Archaeology 3: 150–79"),
            ("et al..", "et al."),
            ("Wait...", "Wait..."),
            ("a  b", "a b"),
            ("Title: Subtitle", "Title: Subtitle"),
        ] {
            assert_eq!(text_of(&tidy(vec![plain(raw)], false)), tidied);
        }
    }

    #[test]
    fn quotes_flip_inside_quotes_and_take_punctuation_in() {
        let out = tidy(
            vec![plain(
                "“Cold War to the “New Asia Initiative””. Journal, “Title”, and Korea’s.",
            )],
            true,
        );
        assert_eq!(
            text_of(&out),
            "“Cold War to the ‘New Asia Initiative.’” Journal, “Title,” and Korea’s."
        );
        let british = tidy(vec![plain("“Title”, and")], false);
        assert_eq!(text_of(&british), "“Title”, and");
        let mla = tidy(vec![plain("———, and . Constructivism")], false);
        assert_eq!(text_of(&mla), "———. Constructivism");
    }

    #[test]
    fn tidying_keeps_styles_apart() {
        let italic = Piece {
            text: "Alliance?".into(),
            style: Style {
                italic: true,
                ..Style::default()
            },
            link: None,
        };
        let out = tidy(vec![italic, plain(". Publisher")], false);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].text, " Publisher");
    }

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

    #[test]
    fn styles_load_by_name_alias_and_error() {
        assert!(Engine::new("apa", None).is_ok());
        assert!(Engine::new("mla", None).is_ok());
        assert!(Engine::new("harvard", None).is_ok());
        let err = Engine::new("no-such-style", None).err().unwrap();
        assert!(err.to_string().starts_with("unknown style `no-such-style`"));
        let err = Engine::new("missing/file.csl", None).err().unwrap();
        assert!(err.to_string().starts_with("missing/file.csl: "), "{err}");
    }
}
