//! Bibliography hygiene: checks of each entry on its own (required fields,
//! the data model, dates, identifiers, page ranges, names) and of entries
//! against each other (the same work under two keys, `@string` macros).
//!
//! Pure functions of the bibliography and the file texts, like the rest of
//! the check stage. Entries are checked in parallel.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hasher;
use std::num::NonZeroU128;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::RuleSet;
use crate::bib::datamodel::{self, Required};
use crate::bib::fields;
use crate::bib::value::{date, names};
use crate::bib::{Bibliography, Entry, EntryId, LinkKind, RawField, Value, ValuePart};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};

/// Every hygiene finding of the bibliography.
pub fn check(bib: &Bibliography, sources: &SourceMap, rules: &RuleSet) -> Vec<Diagnostic> {
    let _ = rules;
    // Unzipped straight into the identities, not collected in pairs and
    // copied out (on 100,000 entries the pairs held 9 MB).
    let (per_entry, identities): (Vec<Vec<Diagnostic>>, Vec<Identities>) = (0..bib.entries.len())
        .into_par_iter()
        .map(|index| check_entry(bib, sources, EntryId(index as u32)))
        .unzip();
    let mut diagnostics: Vec<Diagnostic> = per_entry.into_iter().flatten().collect();
    diagnostics.extend(duplicate_entries(bib, &identities));
    diagnostics.extend(strings(bib, sources));
    diagnostics
}

/// What identifies a work, each kept as a 128-bit hash of its normalised
/// text (a million entries hold no colliding pair but with odds of about
/// 1e-26): one small fixed record per entry, no strings.
#[derive(Debug, Default, Clone, Copy)]
struct Identities {
    /// By kind: DOI, ISBN, title-year-author.
    by_kind: [Option<NonZeroU128>; 3],
    /// The normalised title, when the title-year-author identity is known
    /// (to tell a wrong DOI from a duplicate).
    title: Option<NonZeroU128>,
}

/// What each kind of identity is called in a message.
const IDENTITY_NAMES: [&str; 3] = ["DOI", "ISBN", "title, year and first author"];

/// Two independent 64-bit SipHash values (fixed keys, so runs agree), the
/// lowest bit set so that the hash is never zero and an absent one costs
/// no space.
fn hash128(text: &str) -> NonZeroU128 {
    let half = |salt: u8| {
        let mut hasher = std::hash::DefaultHasher::new();
        hasher.write_u8(salt);
        hasher.write(text.as_bytes());
        hasher.finish()
    };
    NonZeroU128::MIN | ((u128::from(half(0)) << 64) | u128::from(half(1)))
}

/// One field of an entry, read.
struct FieldRef<'a> {
    /// As written, lower-cased (borrowed when it is lower case already).
    name: Cow<'a, str>,
    field: &'a RawField,
    /// Macros expanded (borrowed from the file when there are none).
    value: Cow<'a, str>,
}

/// The findings of one entry on its own, and what identifies it for
/// `duplicate-entry`.
fn check_entry(
    bib: &Bibliography,
    sources: &SourceMap,
    id: EntryId,
) -> (Vec<Diagnostic>, Identities) {
    let entry = bib.entry(id);
    // A broken entry has its own syntax error; a second definition of a
    // key is skipped by biber and reported as a duplicate key.
    if entry.broken || entry.duplicate_of.is_some() {
        return (Vec::new(), Identities::default());
    }
    let text = sources.get(entry.file).text.as_str();
    let lookup = |file: FileId| sources.get(file).text.as_str();
    let own: Vec<FieldRef> = entry
        .fields
        .iter()
        .map(|field| FieldRef {
            name: lower_case(&text[field.name()]),
            field,
            value: bib.value_text(text, field, &lookup),
        })
        .collect();
    let mut out = Vec::new();
    let finding = |code: Code, message: String, span: Span| {
        Diagnostic::new(code, message, entry.file, span).with_key(entry.key.clone())
    };

    let data_type = datamodel::entry_type(&entry.kind);
    if data_type.is_none() {
        let suggestion = closest(&entry.kind, datamodel::type_names());
        out.push(
            finding(
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

    // Fields one by one.
    let mut seen: HashMap<&str, &FieldRef> = HashMap::new();
    for f in &own {
        let whole = f.field.name().start..f.field.value_span().end;
        let canonical = datamodel::field(&f.name);
        match canonical {
            Some(canonical) => {
                if let Some(first) = seen.get(canonical) {
                    let same_name = first.name == f.name;
                    // The same value twice (`archiveprefix = {arXiv}` beside
                    // `eprinttype = {arxiv}`) loses nothing.
                    if !same_name && first.value.trim().eq_ignore_ascii_case(f.value.trim()) {
                        continue;
                    }
                    out.push(
                        finding(
                            Code::DuplicateField,
                            if same_name {
                                format!("`{}` is set twice in `{}`", f.name, entry.key)
                            } else {
                                format!(
                                    "`{}` and `{}` are the same field in `{}`",
                                    first.name, f.name, entry.key
                                )
                            },
                            whole.clone(),
                        )
                        .with_related(
                            entry.file,
                            first.field.name().start..first.field.value_span().end,
                            "first set here",
                        )
                        .with_help("biber keeps the first and drops this one; remove one of them"),
                    );
                } else {
                    seen.insert(canonical, f);
                }
            }
            None => {
                let help = match closest(&f.name, datamodel::field_names()) {
                    Some(s) => {
                        format!("did you mean `{s}`? biber ignores fields outside the data model")
                    }
                    None => "biber ignores fields outside the data model".to_owned(),
                };
                out.push(
                    finding(
                        Code::UnknownField,
                        format!("`{}` in `{}` is not a BibLaTeX field", f.name, entry.key),
                        f.field.name(),
                    )
                    .with_help(help),
                );
            }
        }
        if f.value.trim().is_empty() && matches!(f.field.value(text), Value::Literal(_)) {
            out.push(
                finding(
                    Code::EmptyField,
                    format!("`{}` in `{}` is empty", f.name, entry.key),
                    whole.clone(),
                )
                .with_help("remove the field, or fill it in"),
            );
            continue;
        }
        let value_span = f.field.value_span();
        let value = f.value.trim();
        let problem = match canonical.unwrap_or(&f.name) {
            "date" | "urldate" | "origdate" | "eventdate" => date::parse(value)
                .err()
                .map(|m| (Code::InvalidDate, m, None)),
            "year" => date::from_year_month(value, None)
                .err()
                .map(|m| (Code::InvalidDate, m, None)),
            "month" => date::from_year_month("2000", Some(value))
                .err()
                .map(|m| (Code::InvalidDate, m, None)),
            "doi" => doi_problem(value).map(|(m, h)| (Code::InvalidDoi, m, h)),
            "isbn" => isbn_problem(value).map(|m| (Code::InvalidIsbn, m, None)),
            "issn" => issn_problem(value).map(|m| (Code::InvalidIssn, m, None)),
            "url" => url_problem(value).map(|m| (Code::InvalidUrl, m, None)),
            "pages" => pages_problem(value).map(|m| (Code::InvalidPages, m, None)),
            "author" | "editor" | "translator" | "bookauthor" | "editora" | "editorb"
            | "editorc" | "holder" | "commentator" | "annotator" => et_al_problem(value).map(|m| {
                (
                    Code::EtAlInNames,
                    m,
                    Some("end the list with `and others`".to_owned()),
                )
            }),
            _ => None,
        };
        if let Some((code, message, help)) = problem {
            out.push(
                finding(code, format!("in `{}`: {message}", entry.key), value_span)
                    .with_help_opt(help.or_else(|| default_help(code))),
            );
        }
    }

    // The fields with those inherited through crossref and xdata; most
    // entries inherit nothing, and their own fields are already read.
    let inherits = entry
        .links
        .iter()
        .any(|l| matches!(l.kind, LinkKind::Crossref | LinkKind::Xdata));
    let inherited = inherits.then(|| fields::collect(bib, sources, id));
    let own_field = |name: &str| own.iter().find(|f| f.name == name);
    let is_written = |name: &str| match &inherited {
        Some(fields) => fields.is_written(name),
        None => own_field(name).is_some(),
    };
    let is_set = |name: &str| match &inherited {
        Some(fields) => fields.get(name).is_some(),
        None => own_field(name).is_some_and(|f| !f.value.trim().is_empty()),
    };
    // The visit date of a DOI or eprint link is not lost: reference
    // managers export it when they leave the url out for the DOI.
    let linked_online = ["url", "doi", "eprint"].iter().any(|f| is_set(f));
    let own_urldate = own.iter().find(|f| f.name == "urldate");
    if let Some(f) = own_urldate
        && !linked_online
        && is_set("urldate")
    {
        out.push(
            finding(
                Code::UrldateWithoutUrl,
                format!(
                    "`{}` has a `urldate` but no `url` (nor doi, eprint)",
                    entry.key
                ),
                f.field.name().start..f.field.value_span().end,
            )
            .with_help("add the url the date refers to, or remove the urldate"),
        );
    }

    // Required fields, inherited ones included.
    if let Some((kind, sets_type)) = data_type {
        let has = |name: &str| {
            if name == "type" && sets_type {
                return true;
            }
            // Relaxed where biblatex's styles print the entry in full: a
            // web page dated by its visit, a book by its editors.
            if name == "date" && kind == "online" && is_set("urldate") {
                return true;
            }
            if name == "author" && kind == "book" && is_set("editor") {
                return true;
            }
            // An empty field is `empty-field`'s (or `undefined-string`'s)
            // finding, not a missing one.
            is_written(name) || datamodel::bibtex_names(name).any(&is_written)
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
        if !missing.is_empty() {
            out.push(
                finding(
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
    }
    let value = |name: &str| {
        own_field(name)
            .map(|f| f.value.as_ref())
            .filter(|v| !v.trim().is_empty())
    };
    (out, identities(entry, value))
}

fn lower_case(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

fn default_help(code: Code) -> Option<String> {
    Some(
        match code {
            Code::InvalidIsbn => {
                "check the digits against the book; ISBN-10 and ISBN-13 end in a check digit"
            }
            Code::InvalidIssn => "an ISSN is NNNN-NNNC, C a check digit (0-9 or X)",
            Code::InvalidUrl => "write the whole address, https:// included, without spaces",
            Code::InvalidPages => "write a page, a range 12--34, or several separated by commas",
            _ => return None,
        }
        .to_owned(),
    )
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

/// What is wrong with a `doi` value, and how to write it.
fn doi_problem(doi: &str) -> Option<(String, Option<String>)> {
    if let (Some(prefix), bare) = fields::split_doi_prefix(doi) {
        return Some((
            format!("`doi` holds a link or prefix, `{prefix}`"),
            Some(format!("write only the DOI: doi = {{{}}}", bare.trim())),
        ));
    }
    let bare = doi.replace("\\_", "_");
    let valid = bare
        .strip_prefix("10.")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(registrant, suffix)| {
            !registrant.is_empty()
                && registrant.chars().all(|c| c.is_ascii_digit() || c == '.')
                && !suffix.is_empty()
                && !suffix.chars().any(char::is_whitespace)
        });
    (!valid).then(|| {
        (
            format!("`{doi}` is not a DOI"),
            Some("a DOI reads 10.NNNN/suffix, as in 10.1000/xyz123".to_owned()),
        )
    })
}

/// What is wrong with an `isbn` value (one or several, separated by
/// commas, semicolons or ` and `).
fn isbn_problem(value: &str) -> Option<String> {
    let problem = isbns_problem(split_list(value));
    // Several ISBNs separated by spaces only.
    if problem.is_some() && isbns_problem(value.split_whitespace()).is_none() {
        return None;
    }
    problem
}

fn isbns_problem<'v>(isbns: impl Iterator<Item = &'v str>) -> Option<String> {
    for isbn in isbns {
        let digits: Vec<char> = isbn
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}' | '\u{2013}'))
            .collect();
        let valid = match digits.len() {
            10 => mod_11_check_digit(&digits),
            13 => {
                digits.iter().all(char::is_ascii_digit)
                    && digits
                        .iter()
                        .enumerate()
                        .map(|(i, c)| c.to_digit(10).unwrap_or(0) * if i % 2 == 0 { 1 } else { 3 })
                        .sum::<u32>()
                        % 10
                        == 0
            }
            _ => false,
        };
        if !valid {
            return Some(format!("`{isbn}` is not a valid ISBN"));
        }
    }
    None
}

/// What is wrong with an `issn` value.
fn issn_problem(value: &str) -> Option<String> {
    for issn in split_list(value) {
        let digits: Vec<char> = issn.chars().filter(|c| *c != '-' && *c != ' ').collect();
        let valid = digits.len() == 8 && mod_11_check_digit(&digits);
        if !valid {
            return Some(format!("`{issn}` is not a valid ISSN"));
        }
    }
    None
}

/// The check digit of an ISBN-10 or an ISSN: digits weighted from the
/// length down to 1 sum to a multiple of 11, the last may be X (10).
fn mod_11_check_digit(digits: &[char]) -> bool {
    let Some((last, body)) = digits.split_last() else {
        return false;
    };
    let last = match last {
        'X' | 'x' => 10,
        d => match d.to_digit(10) {
            Some(d) => d,
            None => return false,
        },
    };
    let mut sum = last;
    for (i, c) in body.iter().enumerate() {
        let Some(d) = c.to_digit(10) else {
            return false;
        };
        sum += (digits.len() - i) as u32 * d;
    }
    sum % 11 == 0
}

fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value
        .split([',', ';'])
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
        .filter(|part| !part.is_empty())
}

/// What is wrong with a `url` value: it must be an absolute address.
fn url_problem(value: &str) -> Option<String> {
    if value.chars().any(char::is_whitespace) {
        return Some(format!("`{value}` has a space in it"));
    }
    match url::Url::parse(value) {
        Ok(url) if url.has_host() || url.scheme() == "file" => None,
        Ok(_) => Some(format!("`{value}` has no host")),
        Err(url::ParseError::RelativeUrlWithoutBase) => Some(format!(
            "`{value}` is not a whole address (no scheme such as https://)"
        )),
        Err(e) => Some(format!("`{value}` is not an address: {e}")),
    }
}

/// What is wrong with a `pages` value: a range with more than two ends
/// (`12-34-56`), or one that runs backwards (`34--12`; `123--45` is the
/// short form of 123–145 and fine).
fn pages_problem(value: &str) -> Option<String> {
    for part in value.split([',', ';']).map(str::trim) {
        let ends: Vec<&str> = part
            .split(['-', '\u{2013}', '\u{2014}'])
            .filter(|e| !e.is_empty())
            .collect();
        if ends.len() > 2 {
            return Some(format!("`{part}` is not a page range"));
        }
        if let [first, last] = ends[..] {
            let (first, last) = (first.trim(), last.trim());
            let numbers = (first.parse::<u64>(), last.parse::<u64>());
            if let (Ok(a), Ok(b)) = numbers
                && last.len() >= first.len()
                && b < a
            {
                return Some(format!("`{part}` runs backwards"));
            }
        }
    }
    None
}

/// `et al.` written into a name list.
fn et_al_problem(value: &str) -> Option<String> {
    if !value.to_ascii_lowercase().contains("et al") {
        return None;
    }
    names::split_and(value).into_iter().find_map(|name| {
        let name = name.trim();
        let lower = name.to_lowercase();
        let bare = lower
            .trim_end_matches(['.', ' ', '}'])
            .trim_start_matches('{');
        (bare == "et al" || bare.ends_with(" et al") || bare.ends_with(",et al"))
            .then(|| format!("the name list has `{name}` in it"))
    })
}

/// `duplicate-entry`: two keys for the same work, by DOI, by ISBN, or by
/// title, year and first author together.
fn duplicate_entries(bib: &Bibliography, identities: &[Identities]) -> Vec<Diagnostic> {
    // Compared in file order, so that the later entry of a pair is the one
    // reported.
    let mut seen: FxHashMap<(usize, NonZeroU128), EntryId> = FxHashMap::default();
    let mut out = Vec::new();
    for (index, entry_identities) in identities.iter().enumerate() {
        let id = EntryId(index as u32);
        let entry = bib.entry(id);
        let known = entry_identities
            .by_kind
            .iter()
            .enumerate()
            .filter_map(|(kind, hash)| Some((kind, (*hash)?)));
        for (kind, hash) in known {
            let what = IDENTITY_NAMES[kind];
            match seen.get(&(kind, hash)) {
                Some(&first) if !linked(bib, first, id) => {
                    let other = bib.entry(first);
                    let titles_differ = matches!(
                        (identities[first.0 as usize].title, entry_identities.title),
                        (Some(a), Some(b)) if a != b
                    );
                    let message = if titles_differ {
                        format!(
                            "`{}` and `{}` have the same {what} but different titles: one {what} is wrong, or they are one work",
                            other.key, entry.key
                        )
                    } else {
                        format!(
                            "`{}` and `{}` are the same work (same {what})",
                            other.key, entry.key
                        )
                    };
                    out.push(
                        Diagnostic::new(
                            Code::DuplicateEntry,
                            message,
                            entry.file,
                            entry.key_span.clone(),
                        )
                        .with_key(entry.key.clone())
                        .with_related(
                            other.file,
                            other.key_span.clone(),
                            format!("`{}` is here", other.key),
                        )
                        .with_help(format!(
                            "keep one entry and cite it everywhere; `ids = {{{}}}` on the kept entry lets the old key resolve",
                            entry.key
                        )),
                    );
                    break;
                }
                Some(_) => {}
                None => {
                    seen.insert((kind, hash), id);
                }
            }
        }
    }
    out
}

/// The DOI, ISBN and title-year-author of an entry, normalised and hashed.
fn identities<'v>(entry: &Entry, value: impl Fn(&str) -> Option<&'v str>) -> Identities {
    let mut identities = Identities::default();
    if matches!(entry.kind.as_ref(), "set" | "xdata") {
        return identities;
    }
    if let Some(doi) = value("doi") {
        let doi = fields::split_doi_prefix(doi.trim()).1.to_lowercase();
        identities.by_kind[0] = Some(hash128(&doi));
    }
    // Chapters of one book share its ISBN.
    let part_of_a_book = matches!(
        entry.kind.as_ref(),
        "incollection"
            | "inbook"
            | "inproceedings"
            | "inreference"
            | "suppbook"
            | "suppcollection"
            | "bookinbook"
    );
    if let Some(isbn) = value("isbn")
        && !part_of_a_book
    {
        let digits: String = isbn
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if digits.len() >= 10 {
            identities.by_kind[1] = Some(hash128(&digits));
        }
    }
    let title = value("title").map(normalized);
    let year = value("date")
        .and_then(|d| d.trim().get(..4))
        .or_else(|| value("year"));
    let family = value("author")
        .or_else(|| value("editor"))
        .and_then(|a| first_family(a))
        .map(normalized);
    // Titles too short to tell works apart ("Preface") are left out.
    if let (Some(title), Some(year), Some(family)) = (title, year, family)
        && title.len() >= 8
    {
        let work = format!("{title}|{}|{family}", year.trim());
        identities.by_kind[2] = Some(hash128(&work));
        identities.title = Some(hash128(&title));
    }
    identities
}

/// The last word of the family name of the first name in a name list:
/// the family is before the comma of "Family, Given", else at the end of
/// "Given Family"; its last word is the same in "van Buuren, Stef" and
/// "Stef van Buuren". Enough to tell works apart; not a name parser.
fn first_family(list: &str) -> Option<&str> {
    let first = names::split_and(list).into_iter().next()?.trim();
    let family = first.split_once(',').map_or(first, |(family, _)| family);
    family
        .split_whitespace()
        .next_back()
        .filter(|f| !f.is_empty())
}

/// Whether one entry names the other in a link field (a chapter and its
/// book share an ISBN; a set and its members; `related` editions).
fn linked(bib: &Bibliography, a: EntryId, b: EntryId) -> bool {
    let names = |from: EntryId, to: EntryId| {
        bib.entry(from)
            .links
            .iter()
            .any(|l| bib.resolve(&l.target.key) == Some(to))
    };
    names(a, b) || names(b, a)
}

/// Lower-case letters and digits only, without accents, for comparing
/// titles and names: `Nordstr{\"o}m` and `Nordström` are `nordstrom`.
///
/// Not the LaTeX parser: this runs on every entry, and only letters count.
/// Control words are dropped (`\emph`, the `\v` of `\v{s}`), except those
/// that stand for letters (`\o`, `\ss`, `\ae`, ...).
fn normalized(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let mut word = String::new();
            while let Some(letter) = chars.next_if(char::is_ascii_alphabetic) {
                word.push(letter);
            }
            if word.is_empty() {
                chars.next(); // a control symbol: \" \' \&
            }
            let letters = match word.as_str() {
                "o" | "O" => "o",
                "l" | "L" => "l",
                "i" => "i",
                "j" => "j",
                "ss" => "ss",
                "ae" | "AE" => "ae",
                "oe" | "OE" => "oe",
                "aa" | "AA" => "a",
                _ => "",
            };
            out.push_str(letters);
        } else if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
        } else {
            // Accents go; Hangul syllables, decomposed into jamo, come back whole.
            let bare = std::iter::once(c).nfd().filter(|d| !is_combining_mark(*d));
            for d in bare.nfc() {
                if d.is_alphanumeric() {
                    out.extend(d.to_lowercase());
                }
            }
        }
    }
    out
}

/// `undefined-string` and `unused-string`.
fn strings(bib: &Bibliography, sources: &SourceMap) -> Vec<Diagnostic> {
    let mut used = vec![false; bib.strings.len()];
    let mut out = Vec::new();
    let mut visit = |file: FileId, field: &RawField, key: Option<&Entry>| {
        let text = sources.get(file).text.as_str();
        let Value::Concat(parts) = field.value(text) else {
            return;
        };
        for part in parts {
            let ValuePart::Macro(span) = part else {
                continue;
            };
            let name = &text[span.clone()];
            match bib.string_definition(name) {
                Some(index) => used[index] = true,
                None if crate::bib::is_month_macro(name) => {}
                None => {
                    let mut d = Diagnostic::new(
                        Code::UndefinedString,
                        format!("`{name}` is not defined by any @string"),
                        file,
                        span.clone(),
                    )
                    .with_help("define it with @string{name = {...}}, or brace the value if it is meant as text");
                    if let Some(entry) = key {
                        d = d.with_key(entry.key.clone());
                    }
                    out.push(d);
                }
            }
        }
    };
    for entry in &bib.entries {
        for field in &entry.fields {
            visit(entry.file, field, Some(entry));
        }
    }
    for def in &bib.strings {
        visit(def.file, &def.field, None);
    }
    for (index, def) in bib.strings.iter().enumerate() {
        if !used[index] {
            out.push(
                Diagnostic::new(
                    Code::UnusedString,
                    format!("@string `{}` is never used", def.name),
                    def.file,
                    def.field.name(),
                )
                .with_help("remove it, or keep it in a shared strings file and allow this code"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn_and_issn_check_digits() {
        assert_eq!(isbn_problem("978-0-306-40615-7"), None);
        assert_eq!(isbn_problem("0-306-40615-2"), None);
        assert_eq!(isbn_problem("0-8044-2957-X"), None);
        assert!(isbn_problem("978-0-306-40615-6").is_some());
        assert!(isbn_problem("0-306-40615-3").is_some());
        assert_eq!(isbn_problem("978-0-306-40615-7, 0-306-40615-2"), None);
        assert_eq!(isbn_problem("978-0-306-40615-7 0-306-40615-2"), None);
        assert_eq!(isbn_problem("0 306 40615 2"), None);
        assert_eq!(issn_problem("0378-5955"), None);
        assert_eq!(issn_problem("2049-3630"), None);
        assert!(issn_problem("0378-5954").is_some());
    }

    #[test]
    fn first_family_names_split_as_bibtex_does() {
        assert_eq!(first_family("Kim, Minjun and Lee, Jiyoung"), Some("Kim"));
        assert_eq!(first_family("Minjun Kim and Jiyoung Lee"), Some("Kim"));
        assert_eq!(first_family("van Buuren, Stef"), Some("Buuren"));
        assert_eq!(first_family("Stef van Buuren"), Some("Buuren"));
        assert_eq!(first_family("{World Bank}"), Some("Bank}"));
        assert_eq!(first_family(""), None);
    }

    #[test]
    fn titles_compare_without_latex_accents_or_case() {
        assert_eq!(normalized("Nordstr{\\\"o}m"), "nordstrom");
        assert_eq!(normalized("Nordström"), "nordstrom");
        assert_eq!(
            normalized("The {Silk} Road, \\emph{Revisited}"),
            "thesilkroadrevisited"
        );
        assert_eq!(
            normalized("Erd\\H{o}s and \\v{S}koda, {\\o}l"),
            "erdosandskodaol"
        );
        assert_eq!(normalized("김민준 2007"), "김민준2007");
    }

    #[test]
    fn dois_pages_urls_and_et_al() {
        assert_eq!(doi_problem("10.1007/BF01941137"), None);
        assert!(doi_problem("https://doi.org/10.1007/BF01941137").is_some());
        assert!(doi_problem("BF01941137").is_some());
        assert_eq!(pages_problem("12--34"), None);
        assert_eq!(pages_problem("123--45"), None);
        assert_eq!(pages_problem("iii--xx, 12-14"), None);
        assert!(pages_problem("34--12").is_some());
        assert!(pages_problem("12-34-56").is_some());
        assert_eq!(url_problem("https://example.org/a_b"), None);
        assert!(url_problem("www.example.org").is_some());
        assert!(url_problem("https://example.org/a b").is_some());
        assert!(et_al_problem("Kim, Minjun and et al.").is_some());
        assert!(et_al_problem("Kim, Minjun et al.").is_some());
        assert_eq!(et_al_problem("Kim, Minjun and others"), None);
        assert_eq!(et_al_problem("Etal, Tom"), None);
    }
}
