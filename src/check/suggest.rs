//! "Did you mean ...?" for keys that resolve to nothing.
//!
//! Comparing every missing key with every entry is quadratic at 100,000
//! entries; instead an index of character trigrams picks a few candidates
//! that share the most trigrams with the missing key, and only those are
//! scored. The index is built on first use, so a clean check never pays.

use std::cell::OnceCell;
use std::collections::HashMap;

use crate::bib::Bibliography;

/// At most this many suggestions are shown.
const MAX_SUGGESTIONS: usize = 3;
/// Candidates scored per query, taken by shared trigram count.
const MAX_CANDIDATES: usize = 64;
/// Minimum Jaro-Winkler similarity of a suggestion (case-folded).
const MIN_SIMILARITY: f64 = 0.86;

type Trigram = [char; 3];

/// Suggests existing keys for keys that are not in the bibliography.
pub struct Suggester<'b> {
    bib: &'b Bibliography,
    index: OnceCell<Index<'b>>,
}

struct Index<'b> {
    /// Every key and alias, folded to lower case, with its original spelling.
    names: Vec<(String, &'b str)>,
    postings: HashMap<Trigram, Vec<u32>>,
}

impl<'b> Suggester<'b> {
    pub fn new(bib: &'b Bibliography) -> Self {
        Suggester {
            bib,
            index: OnceCell::new(),
        }
    }

    /// The help line for a missing key: a key that differs only in letter
    /// case first, else the closest keys; `None` when nothing is close.
    pub fn help(&self, missing: &str) -> Option<String> {
        let same_but_case: Vec<&str> = self
            .bib
            .case_insensitive_matches(missing)
            .iter()
            .map(|&id| self.bib.entry(id))
            .flat_map(|entry| {
                std::iter::once(entry.key.as_str())
                    .chain(entry.aliases.iter().map(|a| a.key.as_str()))
            })
            .filter(|name| name.to_lowercase() == missing.to_lowercase() && *name != missing)
            .collect();
        if let Some(first) = same_but_case.first() {
            return Some(format!(
                "did you mean `{first}`? Keys are case-sensitive in biber and biblatex"
            ));
        }
        let close = self.closest(missing);
        match close.as_slice() {
            [] => None,
            [one] => Some(format!("did you mean `{one}`?")),
            many => {
                let list: Vec<String> = many.iter().map(|k| format!("`{k}`")).collect();
                Some(format!("did you mean one of {}?", list.join(", ")))
            }
        }
    }

    /// The existing keys most similar to `missing`, best first.
    pub fn closest(&self, missing: &str) -> Vec<&'b str> {
        let index = self.index.get_or_init(|| Index::build(self.bib));
        let folded = missing.to_lowercase();
        let query = trigrams(&folded);
        // Trigrams shared by a large part of all keys (`200` in years) only
        // slow the count down without telling candidates apart.
        let common = (index.names.len() / 20).max(64);
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for trigram in &query {
            if let Some(list) = index.postings.get(trigram) {
                if list.len() > common && query.len() > 3 {
                    continue;
                }
                for &id in list {
                    *counts.entry(id).or_default() += 1;
                }
            }
        }
        let mut candidates: Vec<(u32, u32)> = counts.into_iter().collect();
        candidates.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates.truncate(MAX_CANDIDATES);
        let mut scored: Vec<(f64, &'b str)> = candidates
            .into_iter()
            .map(|(id, _)| {
                let (name, original) = &index.names[id as usize];
                (strsim::jaro_winkler(&folded, name), *original)
            })
            .filter(|&(score, _)| score >= MIN_SIMILARITY)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.dedup_by(|a, b| a.1 == b.1);
        scored
            .into_iter()
            .take(MAX_SUGGESTIONS)
            .map(|(_, k)| k)
            .collect()
    }
}

impl<'b> Index<'b> {
    fn build(bib: &'b Bibliography) -> Self {
        let mut names: Vec<(String, &'b str)> =
            bib.names().map(|(k, _)| (k.to_lowercase(), k)).collect();
        names.sort_unstable_by(|a, b| a.1.cmp(b.1));
        let mut postings: HashMap<Trigram, Vec<u32>> = HashMap::new();
        for (id, (folded, _)) in names.iter().enumerate() {
            let mut seen = trigrams(folded);
            seen.sort_unstable();
            seen.dedup();
            for trigram in seen {
                postings.entry(trigram).or_default().push(id as u32);
            }
        }
        Index { names, postings }
    }
}

/// Character trigrams of `text`, padded so that short keys have some.
fn trigrams(text: &str) -> Vec<Trigram> {
    let padded: Vec<char> = ['\0', '\0']
        .into_iter()
        .chain(text.chars())
        .chain(['\0'])
        .collect();
    padded.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bib::BibInput;
    use crate::source::FileId;

    fn bib(text: &str) -> Bibliography {
        Bibliography::read(&[BibInput {
            file: FileId(0),
            text,
        }])
        .0
    }

    #[test]
    fn close_keys_are_suggested() {
        let b = bib("@book{kim-2007-korea,}@book{fumagalli-2012-south,}@book{pohl-1999-ethnic,}");
        let s = Suggester::new(&b);
        assert_eq!(s.closest("kim-2007-koera"), vec!["kim-2007-korea"]);
        assert_eq!(
            s.help("kim-2007-korea-x").as_deref(),
            Some("did you mean `kim-2007-korea`?")
        );
        assert_eq!(
            s.help("fumagali-2012-south").as_deref(),
            Some("did you mean `fumagalli-2012-south`?")
        );
        assert_eq!(s.help("zzz"), None);
    }

    #[test]
    fn a_key_differing_only_in_case_is_called_out() {
        let b = bib("@misc{Scott70,}");
        let help = Suggester::new(&b).help("scott70").unwrap();
        assert!(
            help == "did you mean `Scott70`? Keys are case-sensitive in biber and biblatex",
            "{help}"
        );
    }

    #[test]
    fn aliases_are_suggested_too() {
        let b = bib("@book{new2020, ids = {oldkey2019}}");
        assert_eq!(Suggester::new(&b).closest("oldkey2018"), vec!["oldkey2019"]);
    }
}
