//! Sentence case for English titles, as pandoc's BibTeX reader applies it
//! before citeproc: BibTeX data is written in title case, CSL data is kept
//! in sentence case, and styles that want title case put it back.
//!
//! A word written in title case (`Policy`, `Korea's`) is lowered unless it
//! starts the title or follows `:`, `?` or `!`. Words with other capitals
//! (`NASA`, `iPhone`, `McDonald`) and brace-protected text (`{Korea}`) keep
//! their case; so proper nouns must be braced, as BibLaTeX users do.

use super::latex::{Rich, Segment};

/// The title in sentence case.
pub fn sentence_case(title: &Rich) -> Rich {
    let mut out = Rich::default();
    let mut sentence_start = true;
    for segment in &title.segments {
        if segment.nocase {
            if segment.text.chars().any(char::is_alphanumeric) {
                sentence_start = false;
            }
            out.segments.push(segment.clone());
            continue;
        }
        let mut text = String::with_capacity(segment.text.len());
        let mut word = String::new();
        for c in segment.text.chars() {
            if is_word_char(c) {
                word.push(c);
                continue;
            }
            flush(&mut word, &mut text, &mut sentence_start);
            if matches!(c, ':' | '?' | '!') {
                sentence_start = true;
            }
            text.push(c);
        }
        flush(&mut word, &mut text, &mut sentence_start);
        out.segments.push(Segment {
            text,
            ..segment.clone()
        });
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '\u{2019}'
}

fn flush(word: &mut String, out: &mut String, sentence_start: &mut bool) {
    if word.is_empty() {
        return;
    }
    if !*sentence_start && is_title_cased(word) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_lowercase());
            out.push_str(chars.as_str());
        }
    } else {
        out.push_str(word);
    }
    if word.chars().any(char::is_alphanumeric) {
        *sentence_start = false;
    }
    word.clear();
}

/// An upper-case letter followed only by lower-case letters (and apostrophes).
fn is_title_cased(word: &str) -> bool {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) if first.is_uppercase() => {
            chars.all(|c| c.is_lowercase() || c == '\'' || c == '\u{2019}')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::latex::parse;
    use super::*;

    fn sc(latex: &str) -> String {
        sentence_case(&parse(latex)).text()
    }

    #[test]
    fn title_case_words_are_lowered_except_the_first_and_after_a_colon() {
        assert_eq!(
            sc("Ethnicity, State Formation and Foreign Policy: Uzbekistan and the World"),
            "Ethnicity, state formation and foreign policy: Uzbekistan and the world"
        );
        assert_eq!(
            sc("Where is East Asia? Central Asian Perspectives"),
            "Where is east asia? Central asian perspectives"
        );
    }

    #[test]
    fn braces_acronyms_and_inner_capitals_keep_their_case() {
        assert_eq!(
            sc(
                "Progress on the {SDGs} in {Korea}'s {Central Asia} Policy by NASA and the {TUGboat} iPhone McDonald"
            ),
            "Progress on the SDGs in Korea’s Central Asia policy by NASA and the TUGboat iPhone McDonald"
        );
    }

    #[test]
    fn hyphenated_and_possessive_words() {
        assert_eq!(
            sc("Far-Flung Partners of Korea's Past"),
            "Far-flung partners of korea’s past"
        );
    }

    #[test]
    fn formatting_is_kept() {
        let rich = sentence_case(&parse(r"The \emph{Great Book} Review"));
        assert_eq!(rich.text(), "The great book review");
        assert!(rich.segments[1].style.italic);
    }
}
