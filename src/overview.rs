//! The data of `refkeeper report`: which chapter cites which entry how
//! often, the unused entries, the missing keys with their places, the
//! findings on the bibliography itself, and the years of the cited works.
//! [`crate::render::html`] draws it.

use std::collections::BTreeMap;

use crate::bib::value::latex;
use crate::bib::{EntryId, fields};
use crate::check::{self, RuleSet};
use crate::findings::Findings;
use crate::session::Analysis;
use crate::source::FileRole;
use crate::source::SourceMap;

/// One row of the chapter × reference matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedEntry {
    /// The entry's key.
    pub key: String,
    /// Its title, as text.
    pub title: Option<String>,
    /// The year it was published, when it can be read.
    pub year: Option<i32>,
    /// Citations in each chapter, in the order of [`Overview::chapters`].
    pub counts: Vec<u32>,
}

impl CitedEntry {
    /// Citations in all chapters.
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }
}

/// A key cited but in no bibliography, with every place it is cited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingKey {
    /// The key as cited.
    pub key: String,
    /// `file:line:column`.
    pub places: Vec<String>,
}

/// An entry never cited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusedEntry {
    /// The entry's key.
    pub key: String,
    /// Its title, as text.
    pub title: Option<String>,
}

/// A finding on the bibliography itself (`missing-field`,
/// `duplicate-entry`, ...), as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BibliographyFinding {
    /// `file:line:column`.
    pub place: String,
    /// The code (`missing-field`).
    pub code: &'static str,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// What is wrong.
    pub message: String,
    /// What to do, when the check says.
    pub help: Option<String>,
}

/// Which chapter cites what, what is unused and missing, what is wrong
/// in the bibliography, and the years.
#[derive(Debug)]
pub struct Overview {
    /// The chapters, as shown, in the order read.
    pub chapters: Vec<String>,
    /// The cited entries, most cited first (then by key).
    pub cited: Vec<CitedEntry>,
    /// The entries never used, in file order.
    pub unused: Vec<UnusedEntry>,
    /// The findings on the bibliography files, in file order.
    pub bibliography: Vec<BibliographyFinding>,
    /// Keys cited but in no bibliography.
    pub missing: Vec<MissingKey>,
    /// Cited works per year of publication.
    pub years: BTreeMap<i32, u32>,
    /// Cited works without a readable year.
    pub undated: u32,
}

/// Gathers the overview of a project already analysed. The unused
/// entries are those `unused-entry` reports (`allow-unused` and its
/// ignore list heeded), none under `\nocite{*}`.
pub fn overview(analysis: &Analysis, sources: &SourceMap, rules: &RuleSet) -> Overview {
    let Analysis { bib, chapters, .. } = analysis;
    let (bib, chapters) = (bib, chapters.as_slice());
    let chapter_names: Vec<String> = chapters
        .iter()
        .map(|c| sources.get(c.file).path.display().to_string())
        .collect();
    let index: BTreeMap<_, usize> = chapters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.file, i))
        .collect();

    let mut counts: BTreeMap<EntryId, Vec<u32>> = BTreeMap::new();
    let mut missing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (file, citation) in check::citations_of(chapters) {
        match bib.resolve(&citation.key) {
            Some(id) => {
                counts.entry(id).or_insert_with(|| vec![0; chapters.len()])[index[&file]] += 1;
            }
            None => {
                let at = sources.get(file).position(citation.span.start);
                missing
                    .entry(citation.key.to_string())
                    .or_default()
                    .push(format!(
                        "{}:{}:{}",
                        sources.get(file).path.display(),
                        at.line,
                        at.column
                    ));
            }
        }
    }

    let mut years: BTreeMap<i32, u32> = BTreeMap::new();
    let mut undated = 0;
    let mut cited: Vec<CitedEntry> = counts
        .into_iter()
        .map(|(id, counts)| {
            let entry_fields = fields::collect(bib, sources, id);
            let year = entry_fields
                .text("date")
                .or_else(|| entry_fields.text("year"))
                .and_then(year_of);
            match year {
                Some(year) => *years.entry(year).or_default() += 1,
                None => undated += 1,
            }
            CitedEntry {
                key: bib.key_of(id).to_owned(),
                title: title_of(&entry_fields),
                year,
                counts,
            }
        })
        .collect();
    cited.sort_by(|a, b| b.total().cmp(&a.total()).then_with(|| a.key.cmp(&b.key)));

    let used = check::used_entries(bib, chapters);
    let unused = check::unused(bib, &used, rules)
        .map(|id| UnusedEntry {
            key: bib.key_of(id).to_owned(),
            title: title_of(&fields::collect(bib, sources, id)),
        })
        .collect();
    let missing = missing
        .into_iter()
        .map(|(key, places)| MissingKey { key, places })
        .collect();
    Overview {
        chapters: chapter_names,
        cited,
        unused,
        bibliography: Vec::new(),
        missing,
        years,
        undated,
    }
}

impl Overview {
    /// Takes the findings of `check` that are on a bibliography file
    /// (unused entries aside: the page lists them with their titles).
    pub fn with_bibliography_findings(mut self, findings: &Findings, sources: &SourceMap) -> Self {
        self.bibliography = findings
            .iter()
            .filter(|d| d.code != crate::diagnostic::Code::UnusedEntry)
            .filter(|d| sources.get(d.primary.file).role == FileRole::Bibliography)
            .map(|d| {
                let file = sources.get(d.primary.file);
                let at = file.position(d.primary.span.start);
                BibliographyFinding {
                    place: format!("{}:{}:{}", file.path.display(), at.line, at.column),
                    code: d.code.as_str(),
                    severity: d.severity.as_str(),
                    message: d.message.clone(),
                    help: d.help.as_deref().map(str::to_owned),
                }
            })
            .collect();
        self
    }
}

/// An entry's title as text: LaTeX read as `refs` reads it (accents,
/// `\emph`, `--`), braces gone, whitespace folded.
fn title_of(entry_fields: &fields::Fields) -> Option<String> {
    entry_fields
        .text("title")
        .map(|title| plain(&latex::parse(title).text()))
}

/// The year a date field starts with (`2007`, `2007-03`, `2007/2009`).
fn year_of(date: &str) -> Option<i32> {
    let digits: String = date
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (digits.len() == 4).then(|| digits.parse().ok()).flatten()
}

/// A title without BibTeX braces and with its whitespace folded.
fn plain(title: &str) -> String {
    title
        .chars()
        .filter(|c| !matches!(c, '{' | '}'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_the_leading_four_digits() {
        assert_eq!(year_of("2007-03-01"), Some(2007));
        assert_eq!(year_of(" 1991/1992"), Some(1991));
        assert_eq!(year_of("n.d."), None);
        assert_eq!(year_of("20071"), None);
    }

    #[test]
    fn titles_lose_their_braces() {
        assert_eq!(plain("The {SCO} and\n  {Korea}"), "The SCO and Korea");
    }
}
