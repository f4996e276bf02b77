//! biblatex's localisation strings: the words a localisation key in a
//! database stands for (`type = {mathesis}`, `pubstate = {inpress}`,
//! `series = {newseries}`, `\bibstring{patentus}`), in the language the
//! References are set in. biblatex prints such a key through its `.lbx`
//! files; a key printed raw ("newseries") is never what an author meant.
//!
//! The strings are biblatex's own long forms, taken from its `.lbx` files
//! by `scripts/bibstrings.py` into `bibstrings.txt` (LaTeX, as there).

use std::collections::HashMap;
use std::sync::LazyLock;

/// One language's strings: key → LaTeX text.
type Table = HashMap<&'static str, &'static str>;

/// Every language's table, by tag (`en`, `en-GB`, `de`).
static TABLES: LazyLock<HashMap<&'static str, Table>> = LazyLock::new(|| {
    let mut tables: HashMap<&'static str, Table> = HashMap::new();
    let mut current: Option<&'static str> = None;
    for line in include_str!("bibstrings.txt").lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(tag) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(tag);
            continue;
        }
        if let (Some(tag), Some((key, text))) = (current, line.split_once('\t')) {
            tables.entry(tag).or_default().insert(key, text);
        }
    }
    tables
});

/// The strings of one language, falling back as biblatex's `.lbx` files
/// inherit: a regional tag (`de-AT`) to its language (`de`), every
/// language to English.
#[derive(Debug, Clone, Copy)]
pub struct Language {
    chain: [Option<&'static Table>; 3],
}

/// English, looked up once: every LaTeX value read without a language
/// (each name, each title a check reads) takes it.
static ENGLISH: LazyLock<Language> = LazyLock::new(|| Language::of("en-US"));

impl Default for Language {
    /// English, the language of CSL data without a locale.
    fn default() -> Language {
        *ENGLISH
    }
}

impl Language {
    /// The strings for a BCP 47 tag (`de-DE`, `pt-BR`, `en`); unknown
    /// languages read as English.
    pub fn of(tag: &str) -> Language {
        let tables = &*TABLES;
        let tag = tag.trim();
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        let exact = tables
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(tag) && t.contains('-'))
            .map(|(_, table)| table);
        let language = tables
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(primary))
            .map(|(_, table)| table);
        Language {
            chain: [exact, language, tables.get("en")],
        }
    }

    /// The LaTeX text of a localisation key (`newseries` → `new series`),
    /// case-insensitively as pandoc reads keys; `None` if it is no key.
    pub fn get(&self, key: &str) -> Option<&'static str> {
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let lower = key.to_ascii_lowercase();
        self.chain
            .iter()
            .flatten()
            .find_map(|table| table.get(lower.as_str()).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_looked_up_in_the_language_then_its_parents() {
        let english = Language::default();
        assert_eq!(english.get("newseries"), Some("new series"));
        assert_eq!(english.get("  InPress "), Some("in press"));
        assert_eq!(english.get("no such key"), None);
        assert_eq!(english.get("Samarkand"), None);
        let german = Language::of("de-DE");
        assert_eq!(german.get("inpress"), Some("im Druck"));
        // Regional variants inherit their language's strings.
        assert_eq!(Language::of("de-AT").get("inpress"), Some("im Druck"));
        assert_eq!(Language::of("en-GB").get("jourser"), Some("series"));
        // A language biblatex has no strings for reads as English.
        assert_eq!(
            Language::of("ko-KR").get("phdthesis"),
            english.get("phdthesis")
        );
    }

    #[test]
    fn every_string_is_latex_refkeeper_reads_without_leftovers() {
        for table in TABLES.values() {
            for (key, text) in table {
                let read = super::super::latex::parse(text).text();
                // Some languages have no word for a key (`in`): empty is
                // their text, not a failed read.
                assert_eq!(read.is_empty(), text.trim().is_empty(), "{key}: {text}");
                assert!(!read.contains('\\'), "{key}: {text} read as {read}");
            }
        }
    }
}
