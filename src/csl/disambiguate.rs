//! CSL disambiguation, done by refkeeper on top of hayagriva's rendering.
//!
//! hayagriva's own disambiguation hands out year suffixes in citation
//! order (CSL: bibliography order), adds suffixes where expanding names
//! would have told entries apart, and lets the expanded citation names
//! leak into bibliography entries in their short citation form. So its
//! disambiguation is switched off and the CSL steps run here, as
//! citeproc-js runs them:
//!
//! 1. cites that render alike form ambiguous groups;
//! 2. `disambiguate-add-names`: names are added to each cite of a group
//!    until it differs from the others (the bibliography entry then shows
//!    as many names, as citeproc-js shows them); with
//!    `disambiguate-add-givenname`, a cite whose shown names already differ
//!    in given names (as the `givenname-disambiguation-rule` lets them be
//!    shown) needs no more names;
//! 3. `disambiguate-add-givenname`: cites whose names differ in given
//!    names are told apart by them;
//! 4. `disambiguate-add-year-suffix`: what is still alike gets a, b, c...
//!    in bibliography order.

use std::collections::HashMap;

pub use hayagriva::citationberg::DisambiguationRule;

/// The name parts disambiguation compares.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CiteName {
    pub family: String,
    pub given: String,
}

/// One entry as disambiguation sees it.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub key: &'a str,
    /// The cite as rendered without disambiguation.
    pub cite: String,
    /// The names the cite shows (author, else editor, else translator).
    pub names: Vec<CiteName>,
    /// Position in the bibliography.
    pub order: usize,
}

/// The citation's disambiguation settings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    pub add_names: bool,
    pub add_givenname: bool,
    pub add_year_suffix: bool,
    /// Which given names may be shown, and how fully.
    pub givenname_rule: DisambiguationRule,
    /// The citation's `et-al-min` and `et-al-use-first`.
    pub et_al_min: Option<u32>,
    pub et_al_use_first: Option<u32>,
}

/// What disambiguation decided for one entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// How many names the cite (and so the entry) shows, when expanded.
    pub names_shown: Option<usize>,
    /// The year suffix, `a` for the first.
    pub year_suffix: Option<String>,
}

/// Runs the CSL disambiguation steps over all entries.
pub fn disambiguate(candidates: &[Candidate<'_>], settings: Settings) -> HashMap<String, Outcome> {
    let mut outcomes: HashMap<String, Outcome> = HashMap::new();
    let mut groups: HashMap<&str, Vec<&Candidate>> = HashMap::new();
    for candidate in candidates {
        groups
            .entry(candidate.cite.as_str())
            .or_default()
            .push(candidate);
    }
    for group in groups.values().filter(|g| g.len() > 1) {
        let shown: Vec<usize> = group
            .iter()
            .map(|c| default_shown(c.names.len(), settings))
            .collect();
        let mut counts = shown.clone();
        if settings.add_names {
            expand_names(group, &mut counts, settings);
        }
        // What still looks alike after names were added.
        let mut alike: HashMap<(Vec<&str>, bool), Vec<usize>> = HashMap::new();
        for (i, candidate) in group.iter().enumerate() {
            alike
                .entry(shown_families(candidate, counts[i]))
                .or_default()
                .push(i);
        }
        for members in alike.values() {
            let mut still_alike = members.clone();
            if settings.add_givenname && members.len() > 1 {
                // Given names tell apart cites whose full names differ.
                let mut by_full: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
                for &i in members {
                    by_full
                        .entry(given_key(
                            &group[i].names[..counts[i]],
                            settings.givenname_rule,
                        ))
                        .or_default()
                        .push(i);
                }
                still_alike = by_full
                    .into_values()
                    .filter(|m| m.len() > 1)
                    .flatten()
                    .collect();
            }
            if settings.add_year_suffix && still_alike.len() > 1 {
                still_alike.sort_by_key(|&i| group[i].order);
                for (n, &i) in still_alike.iter().enumerate() {
                    outcomes
                        .entry(group[i].key.to_owned())
                        .or_default()
                        .year_suffix = Some(suffix(n));
                }
            }
        }
        for (i, candidate) in group.iter().enumerate() {
            if counts[i] > shown[i] {
                outcomes
                    .entry(candidate.key.to_owned())
                    .or_default()
                    .names_shown = Some(counts[i]);
            }
        }
    }
    outcomes
}

/// The entries whose first name shows its given name in full, in the
/// bibliography too, under the global `primary-name` rule: citeproc-js
/// tells apart the first names of all cites (whether or not the cites
/// are alike) by initials, then by full given names, and an entry's first
/// name keeps the form its cites needed. A first name goes in full when
/// another cite's first name has the same family name and initials and a
/// different given name ("Aerts, Conny" beside "Aerts, C."; "Smith, J." for
/// John beside "Smith, Adam"). A given name of initials only has no fuller
/// form.
pub fn primary_names_in_full<'a>(candidates: &[Candidate<'a>], settings: Settings) -> Vec<&'a str> {
    if !settings.add_givenname || settings.givenname_rule != DisambiguationRule::PrimaryName {
        return Vec::new();
    }
    let mut alike: HashMap<(&str, String), Vec<(&str, &'a str)>> = HashMap::new();
    for candidate in candidates {
        if let Some(first) = candidate.names.first().filter(|n| !n.given.is_empty()) {
            alike
                .entry((first.family.as_str(), initials_with_hyphens(&first.given)))
                .or_default()
                .push((first.given.as_str(), candidate.key));
        }
    }
    let mut keys = Vec::new();
    for members in alike.values() {
        // "Dale J" and "Dale J." are one name to citeproc-js.
        let written = |given: &str| -> String {
            given
                .replace('.', " ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let first = written(members[0].0);
        let differ = members.iter().any(|(given, _)| written(given) != first);
        if differ {
            keys.extend(
                members
                    .iter()
                    .filter(|(given, _)| !initials_only(given))
                    .map(|(_, key)| *key),
            );
        }
    }
    keys
}

/// A given name's initials as citeproc-js compares them for global
/// disambiguation, hyphens kept: `Jan-Rouke` and `J.-R.` give `J-R`, `Jan
/// Rouke` gives `JR`.
fn initials_with_hyphens(given: &str) -> String {
    let mut key = String::new();
    let mut at_start = true;
    for c in given.chars() {
        if c.is_alphabetic() {
            if at_start {
                key.extend(c.to_uppercase());
                at_start = false;
            }
        } else {
            at_start = true;
            if c == '-' {
                key.push('-');
            }
        }
    }
    key
}

/// `J. P.`, `B`, `A.-M.`: no part longer than one letter.
fn initials_only(given: &str) -> bool {
    given
        .split(|c: char| c.is_whitespace() || c == '-' || c == '.')
        .all(|part| part.chars().count() <= 1)
}

/// How many names a cite shows under the citation's et-al rules.
fn default_shown(len: usize, settings: Settings) -> usize {
    match (settings.et_al_min, settings.et_al_use_first) {
        (Some(min), Some(first)) if len >= min as usize => (first as usize).min(len),
        _ => len,
    }
}

/// The family names of a cite that shows `k` names, and whether it ends in
/// "et al." (more names than shown).
fn shown_families<'c>(candidate: &'c Candidate, k: usize) -> (Vec<&'c str>, bool) {
    let names = &candidate.names;
    let k = k.min(names.len());
    (
        names[..k].iter().map(|n| n.family.as_str()).collect(),
        k < names.len(),
    )
}

/// Adds names to each cite until it differs from every other in its group.
fn expand_names(group: &[&Candidate], counts: &mut [usize], settings: Settings) {
    let longest = group.iter().map(|c| c.names.len()).max().unwrap_or(0);
    let families = |i: usize, k: usize| shown_families(group[i], k);
    // citeproc-js tries given names at each count before it adds a name.
    let givens = |i: usize, k: usize| -> Vec<String> {
        let names = &group[i].names;
        given_key(&names[..k.min(names.len())], settings.givenname_rule)
    };
    let differs = |i: usize, j: usize, k: usize| {
        families(i, k) != families(j, k) || (settings.add_givenname && givens(i, k) != givens(j, k))
    };
    // How many cites of the group cite `i` still reads like at `k` names.
    let partners = |i: usize, k: usize| {
        (0..group.len())
            .filter(|&j| j != i && !differs(i, j, k))
            .count()
    };
    for (i, count) in counts.iter_mut().enumerate() {
        // The fewest names that leave the fewest partners: expanding helps
        // when it tells the cite from some of the group, even if not from
        // all (citeproc-js: five "Floccia et al. 2018" whose third author
        // is "Luche" in two and "Delle Luche" in three get a–b and a–c).
        let start = partners(i, *count);
        let mut best = (start, *count);
        for k in *count + 1..=longest {
            let left = partners(i, k);
            if left < best.0 {
                best = (left, k);
            }
            if left == 0 {
                break;
            }
        }
        if best.0 < start {
            *count = best.1.min(group[i].names.len());
        }
    }
}

/// The given names a cite may show under `rule`: of the first name only
/// (`primary-name`) or of all shown names, in full or as initials.
fn given_key(names: &[CiteName], rule: DisambiguationRule) -> Vec<String> {
    let shown = if rule.allows_multiple_names() {
        names
    } else {
        &names[..names.len().min(1)]
    };
    shown
        .iter()
        .map(|name| {
            if rule.allows_full_first_names() {
                name.given.clone()
            } else {
                initials(&name.given)
            }
        })
        .collect()
}

/// `Anne-Marie` and `A. -M.` both give `AM`.
fn initials(given: &str) -> String {
    given
        .split(|c: char| c.is_whitespace() || c == '-' || c == '.')
        .filter_map(|part| part.chars().next())
        .collect()
}

/// `a`..`z`, then `aa`, `ab`, ...
fn suffix(n: usize) -> String {
    let letters = "abcdefghijklmnopqrstuvwxyz".as_bytes();
    if n < 26 {
        (letters[n] as char).to_string()
    } else {
        format!("{}{}", letters[n / 26 - 1] as char, letters[n % 26] as char)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(family: &str, given: &str) -> CiteName {
        CiteName {
            family: family.into(),
            given: given.into(),
        }
    }

    fn candidate<'a>(
        key: &'a str,
        cite: &str,
        names: &[(&str, &str)],
        order: usize,
    ) -> Candidate<'a> {
        Candidate {
            key,
            cite: cite.into(),
            names: names.iter().map(|(f, g)| name(f, g)).collect(),
            order,
        }
    }

    const APA: Settings = Settings {
        add_names: true,
        add_givenname: true,
        add_year_suffix: true,
        givenname_rule: DisambiguationRule::PrimaryNameWithInitials,
        et_al_min: Some(3),
        et_al_use_first: Some(1),
    };

    #[test]
    fn same_author_and_year_get_suffixes_in_bibliography_order() {
        let out = disambiguate(
            &[
                candidate("shanghai", "(Haas, 2007)", &[("Haas", "M.")], 1),
                candidate("peace", "(Haas, 2007)", &[("Haas", "M.")], 0),
            ],
            APA,
        );
        assert_eq!(out["peace"].year_suffix.as_deref(), Some("a"));
        assert_eq!(out["shanghai"].year_suffix.as_deref(), Some("b"));
    }

    #[test]
    fn added_names_disambiguate_before_year_suffixes() {
        let a = [("Chaplin", "W."), ("Bedding", "T."), ("Bonanno", "A.")];
        let b = [("Chaplin", "W."), ("Kjeldsen", "H."), ("Christensen", "J.")];
        let out = disambiguate(
            &[
                candidate("a", "(Chaplin et al., 2011)", &a, 0),
                candidate("b", "(Chaplin et al., 2011)", &b, 1),
            ],
            APA,
        );
        assert_eq!(
            out["a"],
            Outcome {
                names_shown: Some(2),
                year_suffix: None
            }
        );
        assert_eq!(
            out["b"],
            Outcome {
                names_shown: Some(2),
                year_suffix: None
            }
        );
    }

    #[test]
    fn given_names_disambiguate_before_year_suffixes() {
        let out = disambiguate(
            &[
                candidate("a", "(Smith, 2001)", &[("Smith", "J.")], 0),
                candidate("b", "(Smith, 2001)", &[("Smith", "A.")], 1),
            ],
            APA,
        );
        assert!(out.is_empty(), "{out:?}");
    }

    const MLA: Settings = Settings {
        add_names: true,
        add_givenname: true,
        add_year_suffix: false,
        givenname_rule: DisambiguationRule::ByCite,
        et_al_min: Some(3),
        et_al_use_first: Some(1),
    };

    #[test]
    fn no_names_added_where_given_names_already_differ() {
        // citeproc-js: "Asplund, M., et al." and "Asplund, Martin, et al."
        let a = [("Asplund", "M."), ("Grevesse", "N."), ("Sauval", "A. J.")];
        let b = [
            ("Asplund", "Martin"),
            ("Grevesse", "Nicolas"),
            ("Sauval", "A. J."),
            ("Scott", "P."),
        ];
        let out = disambiguate(
            &[
                candidate("a", "(Asplund et al.)", &a, 0),
                candidate("b", "(Asplund et al.)", &b, 1),
            ],
            MLA,
        );
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn names_added_only_up_to_where_given_names_tell_apart() {
        // Given names tell `a` from both others at once; `b` and `c` share
        // their first given name, so `b` needs a second name.
        let a = [("Broomhall", "A. -M."), ("Chaplin", "W."), ("Davies", "G.")];
        let b = [
            ("Broomhall", "A.-M."),
            ("Chaplin", "W."),
            ("Elsworth", "Y."),
        ];
        let c = [
            ("Broomhall", "A.-M."),
            ("Miglio", "A."),
            ("Montalban", "J."),
        ];
        let out = disambiguate(
            &[
                candidate("a", "(Broomhall et al.)", &a, 0),
                candidate("b", "(Broomhall et al.)", &b, 1),
                candidate("c", "(Broomhall et al.)", &c, 2),
            ],
            MLA,
        );
        assert_eq!(out.get("a"), None);
        assert_eq!(out["b"].names_shown, Some(2));
        assert_eq!(out["c"].names_shown, Some(2));
    }

    #[test]
    fn initials_rule_does_not_tell_apart_full_and_initialled_given_names() {
        let a = [("Asplund", "M."), ("Grevesse", "N."), ("Sauval", "A.")];
        let b = [("Asplund", "Martin"), ("Grevesse", "N."), ("Scott", "P.")];
        let out = disambiguate(
            &[
                candidate("a", "(Asplund et al., 2009)", &a, 0),
                candidate("b", "(Asplund et al., 2009)", &b, 1),
            ],
            APA,
        );
        assert_eq!(out["a"].names_shown, Some(3));
        assert_eq!(out["b"].names_shown, Some(3));
    }

    #[test]
    fn different_cites_are_left_alone() {
        let out = disambiguate(
            &[
                candidate("a", "(Smith, 2001)", &[("Smith", "J.")], 0),
                candidate("b", "(Smith, 2002)", &[("Smith", "J.")], 1),
            ],
            APA,
        );
        assert!(out.is_empty());
    }

    #[test]
    fn suffixes_go_on_past_z() {
        assert_eq!(suffix(0), "a");
        assert_eq!(suffix(25), "z");
        assert_eq!(suffix(26), "aa");
    }
}
