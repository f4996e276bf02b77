//! Name lists (`author`, `editor`, ...) as BibTeX writes them, split into
//! names and name parts.
//!
//! Each name is parsed by the `biblatex` crate (`Person::parse`, BibTeX's
//! "First von Last, Jr" rules and biblatex's extended `family=...` format)
//! from chunks made by refkeeper's own LaTeX conversion, in which braced
//! parts are protected: `{World Health Organization}` is one corporate
//! name. Names in Chinese, Japanese or Korean script are written family
//! name first without a space (`김민준`), as CSL prescribes for non-Latin
//! scripts; Cyrillic and Latin names are ordinary names.

use biblatex::{Chunk, Person, Spanned};

use super::latex::{self, Rich};

/// One name, in CSL's parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Name {
    /// The family name, particles included (`van Buuren`).
    pub family: String,
    /// The given names.
    pub given: String,
    /// `de`, `van der`: the particle dropped when sorting by family name.
    pub particle: String,
    /// A suffix such as `Jr.`.
    pub suffix: String,
    /// An institution, or a CJK name, written as it stands.
    pub literal: Option<String>,
}

/// A parsed name list; `others` is set when the list ends in `and others`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// The names, in order.
    pub names: Vec<Name>,
    /// Whether the list ends with `and others`.
    pub others: bool,
}

/// Parses a name list written in LaTeX.
pub fn parse_list(latex: &str) -> Names {
    let mut list = Names::default();
    for part in split_and(latex) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if part == "others" {
            list.others = true;
            continue;
        }
        list.names.push(parse_name(&latex::parse(part)));
    }
    list
}

/// Splits at ` and ` outside braces, as BibTeX does.
pub(crate) fn split_and(latex: &str) -> Vec<&str> {
    and_separated(latex).collect()
}

/// The names of a list one by one, split as [`split_and`] splits them.
pub(crate) fn and_separated(latex: &str) -> impl Iterator<Item = &str> {
    let bytes = latex.as_bytes();
    let mut depth = 0usize;
    let mut start = 0;
    let mut i = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while i < bytes.len() {
            match bytes[i] {
                b'{' => depth += 1,
                b'}' => depth = depth.saturating_sub(1),
                b if depth == 0 && b.is_ascii_whitespace() => {
                    let rest = &bytes[i + 1..];
                    let word_is_and = rest.len() >= 4
                        && rest[..3].eq_ignore_ascii_case(b"and")
                        && rest[3].is_ascii_whitespace();
                    if word_is_and {
                        let name = &latex[start..i];
                        i += 4;
                        start = i;
                        return Some(name);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        done = true;
        Some(&latex[start..])
    })
}

fn parse_name(rich: &Rich) -> Name {
    // One protected group is a corporate name: `{World Health Organization}`.
    if let [only] = rich.segments.as_slice()
        && only.nocase
        && only.text.contains(' ')
    {
        return Name {
            literal: Some(only.text.clone()),
            ..Name::default()
        };
    }
    let chunks: Vec<Spanned<Chunk>> = rich
        .segments
        .iter()
        .map(|s| {
            let chunk = if s.nocase {
                Chunk::Verbatim(s.text.clone())
            } else {
                Chunk::Normal(s.text.clone())
            };
            Spanned::detached(chunk)
        })
        .collect();
    let person = Person::parse(&chunks);
    // `J.~A.` is two initials: a tie is a space inside a name.
    let untie = |s: &str| s.replace('\u{a0}', " ").trim().to_owned();
    let family = untie(&person.name);
    let given = untie(&person.given_name);
    if is_cjk(&family) || is_cjk(&given) {
        return Name {
            literal: Some(format!("{family}{given}")),
            ..Name::default()
        };
    }
    Name {
        family,
        given: spaced_initials(&given),
        particle: untie(&person.prefix),
        suffix: untie(&person.suffix),
        literal: None,
    }
}

/// `H.E.` as `H. E.`: initials written together are spaced, as
/// citeproc-js spaces them (`A.-M.` keeps its hyphen).
fn spaced_initials(given: &str) -> String {
    let mut out = String::with_capacity(given.len() + 4);
    let mut chars = given.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '.' && chars.peek().is_some_and(|n| n.is_uppercase()) {
            out.push(' ');
        }
    }
    out
}

/// Initials in a given name normalised as citeproc-js normalises them for
/// names shown in full with an `initialize-with` string (`terminator`):
/// `A.-M.` and `A. -M.` become `A. M.`, `J. -Ch.` becomes `J.-Ch.`; words
/// (`Jean-Claude`) stay as they are.
pub fn normalized_initials(given: &str, terminator: &str) -> String {
    // Hyphens without spaces around them, and a space after every period.
    let mut text = String::with_capacity(given.len() + 4);
    for word in given.split_whitespace() {
        if !text.is_empty() && !word.starts_with('-') && !text.ends_with('-') {
            text.push(' ');
        }
        text.push_str(word);
    }
    let text = text.replace(".", ". ");
    // Parts, and whether each is an abbreviation (`A.`, `Ch.`, `A`).
    let mut parts: Vec<(String, bool)> = Vec::new();
    let mut separators: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut separator = String::new();
    for c in text.chars() {
        if c == '-' || c.is_whitespace() {
            separator.push(c);
            continue;
        }
        if !separator.is_empty() {
            if !current.is_empty() {
                parts.push(abbreviation(std::mem::take(&mut current)));
                separators.push(std::mem::take(&mut separator));
            } else {
                separator.clear();
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        parts.push(abbreviation(current));
    }
    let mut out = String::new();
    for (i, (part, abbreviated)) in parts.iter().enumerate() {
        out.push_str(part);
        match parts.get(i + 1) {
            // Before a single initial the separator goes (`A. M.`); before
            // a longer abbreviation or a word it stays (`J.-Ch.`).
            Some((next, true)) if *abbreviated && next.chars().count() == 1 => {
                out.push_str(terminator)
            }
            Some((_, next_abbreviated)) if *abbreviated => {
                out.push_str(terminator);
                out.push_str(&separators[i]);
                if !next_abbreviated {
                    out.push(' ');
                }
            }
            Some(_) => out.push_str(&separators[i]),
            None if *abbreviated => out.push_str(terminator),
            None => {}
        }
    }
    // Spaces around hyphens go, runs of spaces become one.
    let spaced = out.split_whitespace().collect::<Vec<_>>().join(" ");
    spaced.replace(" -", "-").replace("- ", "-")
}

/// A part of a given name without its abbreviating period, and whether
/// it is an abbreviation.
fn abbreviation(part: String) -> (String, bool) {
    if part.chars().count() > 1 && part.ends_with('.') {
        (part[..part.len() - 1].to_owned(), true)
    } else {
        let single_capital = part.chars().count() == 1 && part.chars().all(char::is_uppercase);
        (part, single_capital)
    }
}

/// Whether the text is written in Han, Hangul or Kana.
pub fn is_cjk(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32,
            0x1100..=0x11FF | 0x3040..=0x30FF | 0x3130..=0x318F | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_are_normalised_as_citeproc_normalises_them() {
        for (given, normalised) in [
            ("A.-M.", "A. M."),
            ("A. -M.", "A. M."),
            ("J.-Ch.", "J.-Ch."),
            ("J. -Ch.", "J.-Ch."),
            ("J.-Christian", "J.-Christian"),
            ("M.A.", "M. A."),
            ("Jean-Claude", "Jean-Claude"),
            ("J. Christian", "J. Christian"),
            ("Martin", "Martin"),
            ("A. Jacques", "A. Jacques"),
            ("Md. Mostofa Ali", "Md. Mostofa Ali"),
        ] {
            assert_eq!(normalized_initials(given, ". "), normalised, "{given}");
        }
    }

    fn parts(latex: &str) -> Vec<(String, String, String, Option<String>)> {
        parse_list(latex)
            .names
            .into_iter()
            .map(|n| (n.family, n.given, n.particle, n.literal))
            .collect()
    }

    fn person(
        family: &str,
        given: &str,
        particle: &str,
    ) -> (String, String, String, Option<String>) {
        (
            family.to_owned(),
            given.to_owned(),
            particle.to_owned(),
            None,
        )
    }

    fn literal(text: &str) -> (String, String, String, Option<String>) {
        (
            String::new(),
            String::new(),
            String::new(),
            Some(text.to_owned()),
        )
    }

    #[test]
    fn particles_and_orders() {
        assert_eq!(
            parts(
                "de La Fontaine, Jean and Marcel de Haas and Bailes, Alyson J. K. and D{\\\"u}nay, P{\\'a}l"
            ),
            vec![
                person("La Fontaine", "Jean", "de"),
                person("Haas", "Marcel", "de"),
                person("Bailes", "Alyson J. K.", ""),
                person("Dünay", "Pál", ""),
            ]
        );
    }

    #[test]
    fn corporate_names_in_braces() {
        assert_eq!(
            parts("{Republic of Korea} and {Democratic People's Republic of Korea}"),
            vec![
                literal("Republic of Korea"),
                literal("Democratic People’s Republic of Korea")
            ]
        );
    }

    #[test]
    fn cjk_names_family_first_without_space() {
        assert_eq!(
            parts("김, 민준 and 김게르만 and 毛, 泽东"),
            vec![literal("김민준"), literal("김게르만"), literal("毛泽东")]
        );
    }

    #[test]
    fn initials_are_spaced_and_ties_are_spaces() {
        assert_eq!(
            parts("Rose, H.E. and Lebrun, J.-C."),
            vec![person("Rose", "H. E.", ""), person("Lebrun", "J.-C.", "")]
        );
        assert_eq!(parts("Murphy, J.~A."), vec![person("Murphy", "J. A.", "")]);
    }

    #[test]
    fn cyrillic_names_are_ordinary() {
        assert_eq!(parts("Югай, Г. А."), vec![person("Югай", "Г. А.", "")]);
    }

    #[test]
    fn and_others_and_and_inside_braces() {
        let list = parse_list("Smith, J. and {Barnes and Noble} and others");
        assert!(list.others);
        assert_eq!(list.names.len(), 2);
        assert_eq!(list.names[1].literal.as_deref(), Some("Barnes and Noble"));
    }
}
