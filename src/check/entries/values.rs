//! The rules on one field's value: dates biblatex would not read, DOIs,
//! ISBNs, ISSNs, addresses and page ranges that are not what they claim,
//! `et al.` written into a name list. Each is a function of the value's
//! text; [`VALUE_RULES`] says which fields each reads.

use std::borrow::Cow;

use crate::bib::fields;
use crate::bib::value::{date, names};
use crate::diagnostic::Code;

/// What a value rule found: the message, and a help line when the rule
/// has one of its own (else its code's default help).
pub(super) type Problem = (String, Option<String>);

/// A rule on the values of some fields.
pub(super) struct ValueRule {
    pub code: Code,
    /// The data-model fields whose values it reads.
    pub fields: &'static [&'static str],
    pub check: fn(&str) -> Option<Problem>,
}

/// Every value rule, by the fields it reads.
pub(super) const VALUE_RULES: &[ValueRule] = &[
    ValueRule {
        code: Code::InvalidDate,
        fields: &["date", "urldate", "origdate", "eventdate"],
        check: invalid_date,
    },
    ValueRule {
        code: Code::InvalidDate,
        fields: &["year"],
        check: invalid_year,
    },
    ValueRule {
        code: Code::InvalidDate,
        fields: &["month"],
        check: invalid_month,
    },
    ValueRule {
        code: Code::InvalidDoi,
        fields: &["doi"],
        check: doi_problem,
    },
    ValueRule {
        code: Code::InvalidIsbn,
        fields: &["isbn"],
        check: isbn_problem_and_help,
    },
    ValueRule {
        code: Code::InvalidIssn,
        fields: &["issn"],
        check: issn_problem_and_help,
    },
    ValueRule {
        code: Code::InvalidUrl,
        fields: &["url"],
        check: |value| with_default_help(url_problem(value), Code::InvalidUrl),
    },
    ValueRule {
        code: Code::InvalidPages,
        fields: &["pages"],
        check: |value| with_default_help(pages_problem(value), Code::InvalidPages),
    },
    ValueRule {
        code: Code::EtAlInNames,
        fields: &[
            "author",
            "editor",
            "translator",
            "bookauthor",
            "editora",
            "editorb",
            "editorc",
            "holder",
            "commentator",
            "annotator",
        ],
        check: |value| {
            et_al_problem(value).map(|m| (m, Some("end the list with `and others`".to_owned())))
        },
    },
];

/// `invalid-date` on `date`, `urldate`, `origdate`, `eventdate`.
fn invalid_date(value: &str) -> Option<Problem> {
    date::parse(value)
        .err()
        .map(|m| (m, visit_date_help(value)))
}

/// `invalid-date` on `year`.
fn invalid_year(value: &str) -> Option<Problem> {
    date::from_year_month(value, None)
        .err()
        .map(|m| (m, visit_date_help(value)))
}

/// Words that say a date is when a page was read, not when the work
/// appeared (exports of web pages put "accessed February 2013" in `date`
/// or `year`).
const VISIT_WORDS: &[&str] = &[
    "accessed",
    "retrieved",
    "visited",
    "viewed",
    "last checked",
    "abgerufen",
    "zugriff",
    "consulté",
];

/// The help for a date of visit written as text: the same date as a
/// `urldate`, as much of it as the text gives.
fn visit_date_help(value: &str) -> Option<String> {
    let lower = value.to_lowercase();
    if !VISIT_WORDS.iter().any(|word| lower.contains(word)) {
        return None;
    }
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '/' | '-'))
        .filter(|w| !w.is_empty())
        .collect();
    let year = words
        .iter()
        .find(|w| w.len() == 4 && w.parse::<u16>().is_ok_and(|y| (1900..2200).contains(&y)));
    let month = words
        .iter()
        .filter(|w| w.chars().all(char::is_alphabetic))
        .find_map(|w| date::month_number(w));
    let day = words
        .iter()
        .filter_map(|w| {
            w.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h'])
                .parse::<u8>()
                .ok()
        })
        .find(|d| (1..=31).contains(d));
    let iso = match (year, month, day) {
        (Some(y), Some(m), Some(d)) => format!("{y}-{m:02}-{d:02}"),
        (Some(y), Some(m), None) => format!("{y}-{m:02}"),
        (Some(y), None, _) => (*y).to_owned(),
        (None, ..) => "YYYY-MM-DD".to_owned(),
    };
    Some(format!(
        "this is the date the page was read: write it as urldate = {{{iso}}}, and the date of the work (if known) in `date`"
    ))
}

/// `invalid-date` on `month`.
fn invalid_month(value: &str) -> Option<Problem> {
    date::from_year_month("2000", Some(value))
        .err()
        .map(|m| (m, None))
}

fn with_default_help(message: Option<String>, code: Code) -> Option<Problem> {
    message.map(|m| (m, default_help(code)))
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

/// `invalid-doi`: what is wrong with a `doi` value, and how to write it.
fn doi_problem(doi: &str) -> Option<Problem> {
    if let (Some(prefix), bare) = fields::split_doi_prefix(doi) {
        return Some((
            format!("`doi` holds a link or prefix, `{prefix}`"),
            Some(format!("write only the DOI: doi = {{{}}}", bare.trim())),
        ));
    }
    // Asked of every DOI: copied only when it has an escaped underscore.
    let bare = if doi.contains("\\_") {
        Cow::Owned(doi.replace("\\_", "_"))
    } else {
        Cow::Borrowed(doi)
    };
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

/// Whether an `isbn` value holds only valid ISBNs.
pub(super) fn is_valid_isbn(value: &str) -> bool {
    isbn_problem(value).is_none()
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

/// `invalid-isbn`, with a help line of its own when the value is an ISSN
/// (exports of journal articles put the journal's ISSN in `isbn`).
fn isbn_problem_and_help(value: &str) -> Option<Problem> {
    let message = isbn_problem(value)?;
    let help = if is_issn(value) {
        format!("`{value}` is an ISSN, a journal's number: write it as issn = {{{value}}}")
    } else {
        default_help(Code::InvalidIsbn)?
    };
    Some((message, Some(help)))
}

/// `invalid-issn`, with a message and help of their own for what exports
/// write there when the ISSNs themselves are right: PubMed's
/// `(Electronic)`/`(Print)`/`(Linking)` notes (Mendeley and Zotero keep
/// them), and a journal's two ISSNs with only a space between them.
fn issn_problem_and_help(value: &str) -> Option<Problem> {
    let (bare, notes) = without_medium_notes(value);
    let issns: Vec<&str> = bare
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .collect();
    let all_valid = !issns.is_empty() && issns.iter().all(|issn| is_issn(issn));
    if all_valid && !notes.is_empty() {
        let quoted: Vec<String> = notes.iter().map(|n| format!("`{n}`")).collect();
        return Some((
            format!("`issn` holds {} beside the ISSN", quoted.join(" and ")),
            Some(format!(
                "write the ISSN alone, issn = {{{}}}: biblatex prints the field as written",
                issns.join(", ")
            )),
        ));
    }
    let message = issn_problem(value)?;
    if all_valid && issns.len() >= 2 {
        return Some((
            format!(
                "`issn` holds {} ISSNs with no comma between them",
                issns.len()
            ),
            Some(format!(
                "separate them with a comma, issn = {{{}}}, or keep the print one",
                issns.join(", ")
            )),
        ));
    }
    // Two ISSNs run together (`1550-79980556-2821`).
    let digits: String = bare.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    if digits.len() == 16 && digits.is_ascii() && is_issn(&digits[..8]) && is_issn(&digits[8..]) {
        let (a, b) = (&digits[..8], &digits[8..]);
        let (a, b) = (
            format!("{}-{}", &a[..4], &a[4..]),
            format!("{}-{}", &b[..4], &b[4..]),
        );
        return Some((
            format!("`issn` holds two ISSNs run together, `{a}` and `{b}`"),
            Some(format!(
                "separate them with a comma, issn = {{{a}, {b}}}, or keep the print one"
            )),
        ));
    }
    Some((message, default_help(Code::InvalidIssn)))
}

/// The value without PubMed's notes on which medium an ISSN is for, and
/// the notes, as written (`(Electronic)`).
fn without_medium_notes(value: &str) -> (String, Vec<&str>) {
    let mut bare = String::with_capacity(value.len());
    let mut notes = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find(['(', '[']) {
        let close = rest[open..].find([')', ']']).map(|c| open + c);
        let Some(close) = close else { break };
        let inside = &rest[open + 1..close];
        bare.push_str(&rest[..open]);
        if ["electronic", "print", "linking", "online"]
            .iter()
            .any(|note| inside.trim().eq_ignore_ascii_case(note))
        {
            notes.push(&rest[open..=close]);
            bare.push(' ');
        } else {
            bare.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    bare.push_str(rest);
    (bare, notes)
}

/// Whether a text is one valid ISSN (hyphens and spaces aside).
fn is_issn(text: &str) -> bool {
    let digits: Vec<char> = text.chars().filter(|c| *c != '-' && *c != ' ').collect();
    digits.len() == 8 && mod_11_check_digit(&digits)
}

/// What is wrong with an `issn` value.
fn issn_problem(value: &str) -> Option<String> {
    split_list(value)
        .find(|issn| !is_issn(issn))
        .map(|issn| format!("`{issn}` is not a valid ISSN"))
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
    if plainly_a_web_address(value) {
        return None;
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

/// Whether `value` is plainly an `http(s)` address with a host, which the
/// `url` crate would take: an ASCII domain whose labels are letters, digits
/// and hyphens (no IDNA `xn--` label, no last label that reads as an IPv4
/// number), then printable characters (the crate encodes what needs it). Only a way past the parse for the usual
/// address (nearly every entry of a large bibliography has one); a
/// proptest holds it to the crate.
fn plainly_a_web_address(value: &str) -> bool {
    let Some(rest) = (value.strip_prefix("https://")).or_else(|| value.strip_prefix("http://"))
    else {
        return false;
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, path) = rest.split_at(host_end);
    let is_prefixed = |label: &str, prefix: &str| {
        label
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    let labels_plain = host.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !is_prefixed(label, "xn--")
    });
    let last_not_a_number = host
        .rsplit('.')
        .next()
        .is_some_and(|last| last.bytes().any(|b| !b.is_ascii_digit()) && !is_prefixed(last, "0x"));
    labels_plain && last_not_a_number && path.bytes().all(|b| b.is_ascii_graphic() || !b.is_ascii())
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
    // Asked of every name list: searched for without a lower-cased copy.
    let et_al = |w: &[u8]| w.eq_ignore_ascii_case(b"et al");
    if !value.as_bytes().windows(5).any(et_al) {
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// The shortcut takes only what the `url` crate takes with a host.
        #[test]
        fn a_plain_web_address_is_one_the_url_crate_takes(
            scheme in proptest::sample::select(vec!["http://", "https://", "HTTP://", "ftp://", "https:/"]),
            host in "([a-zA-Z0-9-]{0,6}|xn--[a-z0-9]{1,5}|0x[0-9a-f]{1,3}|[0-9]{1,4})(\\.([a-zA-Z0-9-]{0,6}|xn--[a-z0-9-]{1,5}|0x[0-9]{1,3}|[0-9]{1,3})){0,3}",
            rest in "([/?#]([ -~]|[é김\u{a0}\u{7f}\u{1}]){0,12})?",
        ) {
            let value = format!("{scheme}{host}{rest}");
            if plainly_a_web_address(&value) {
                let parsed = url::Url::parse(&value);
                proptest::prop_assert!(parsed.as_ref().is_ok_and(|u| u.has_host()), "{value}: {parsed:?}");
            }
        }
    }

    #[test]
    fn plain_web_addresses() {
        assert!(plainly_a_web_address("https://example.org/path?q=1#x"));
        assert!(plainly_a_web_address("http://doi.org/10.1000/182"));
        for value in [
            "https://192.168.0.300/",
            "https://xn--nxasmq6b.com/",
            "https://example..org/",
            "https://exa_mple.org/",
            "https://user@example.org/",
            "https://example.org:8080/",
            "https://0x1f/",
            "www.example.org",
        ] {
            assert!(!plainly_a_web_address(value), "{value}");
        }
    }

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
    fn what_exports_write_in_issn_and_isbn_gets_its_own_help() {
        let help = |problem: Option<Problem>| problem.and_then(|(_, help)| help).unwrap();
        assert_eq!(
            issn_problem_and_help("1460-2075 (Electronic)"),
            Some((
                "`issn` holds `(Electronic)` beside the ISSN".to_owned(),
                Some(
                    "write the ISSN alone, issn = {1460-2075}: biblatex prints the field as written"
                        .to_owned()
                )
            ))
        );
        assert_eq!(
            issn_problem_and_help("1939-1277(Electronic),0096-1523(Print)")
                .unwrap()
                .0,
            "`issn` holds `(Electronic)` and `(Print)` beside the ISSN"
        );
        assert_eq!(
            issn_problem_and_help("1550-79980556-2821").unwrap().0,
            "`issn` holds two ISSNs run together, `1550-7998` and `0556-2821`"
        );
        assert_eq!(
            issn_problem_and_help("0378-5955 1878-5891"),
            Some((
                "`issn` holds 2 ISSNs with no comma between them".to_owned(),
                Some(
                    "separate them with a comma, issn = {0378-5955, 1878-5891}, or keep the print one"
                        .to_owned()
                )
            ))
        );
        assert_eq!(
            help(issn_problem_and_help("0378-5954")),
            "an ISSN is NNNN-NNNC, C a check digit (0-9 or X)"
        );
        // A wrong ISSN with a note is wrong first.
        assert_eq!(
            help(issn_problem_and_help("0378-5954 (Print)")),
            "an ISSN is NNNN-NNNC, C a check digit (0-9 or X)"
        );
        assert_eq!(issn_problem_and_help("0378-5955, 1878-5891"), None);
        assert_eq!(
            help(isbn_problem_and_help("0378-5955")),
            "`0378-5955` is an ISSN, a journal's number: write it as issn = {0378-5955}"
        );
        assert!(help(isbn_problem_and_help("0378-5954")).starts_with("check the digits"));
    }

    #[test]
    fn a_date_of_visit_written_as_text_is_told_to_be_a_urldate() {
        let help = |value: &str| invalid_date(value).and_then(|(_, help)| help);
        assert_eq!(
            help("accessed February 2013").as_deref(),
            Some(
                "this is the date the page was read: write it as urldate = {2013-02}, and the date of the work (if known) in `date`"
            )
        );
        assert!(
            help("Retrieved 3 March 2021")
                .unwrap()
                .contains("urldate = {2021-03-03}")
        );
        assert!(help("Accessed: 2019").unwrap().contains("urldate = {2019}"));
        assert_eq!(help("Spring 2013"), None);
        assert!(
            invalid_year("accessed 2013")
                .and_then(|(_, help)| help)
                .is_some()
        );
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
