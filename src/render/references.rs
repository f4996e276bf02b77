//! Writers for formatted references: plain text, Pandoc Markdown, HTML,
//! LaTeX and Typst. Each escapes what its format would otherwise read as
//! markup: a title containing `<b>` stays text in HTML, `50%` stays text in
//! LaTeX, and an `@` in Markdown or Typst cannot become a citation.

use crate::bib::value::latex::Style;
use crate::csl::engine::{Piece, Reference};

/// The markup of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Plain text, no markup.
    Text,
    /// Pandoc Markdown.
    Markdown,
    /// HTML, text escaped.
    Html,
    /// LaTeX, specials escaped.
    Latex,
    /// Typst markup, specials escaped; styles and links as function calls.
    Typst,
}

/// One reference in the target markup, label first.
pub fn write(reference: &Reference, target: Target) -> String {
    let mut out = String::new();
    if let Some(label) = &reference.label {
        out.push_str(&pieces(label, target));
        out.push(' ');
    }
    out.push_str(&pieces(&reference.body, target));
    let out = out.trim().to_owned();
    match target {
        Target::Markdown => escape_line_start(&out),
        Target::Typst => escape_typst_line_start(&out),
        Target::Html => format!("<div class=\"csl-entry\">{out}</div>"),
        _ => out,
    }
}

/// The version of `refs --format json`; raised when a field changes
/// meaning or disappears.
pub const JSON_VERSION: u32 = 1;

/// `refs --format json`: the style as named and each reference's key and
/// text in the target markup, in the style's order.
pub fn json(references: &[Reference], style: &str, target: Target) -> String {
    // Fields in the order the format has always printed them.
    #[derive(serde::Serialize)]
    struct Document<'a> {
        entries: Vec<Entry<'a>>,
        style: &'a str,
        version: u32,
    }
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        key: &'a str,
        text: String,
    }
    let document = Document {
        entries: references
            .iter()
            .map(|r| Entry {
                key: &r.key,
                text: write(r, target),
            })
            .collect(),
        style,
        version: JSON_VERSION,
    };
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

/// `refs --format csl-json`: the CSL data of the entries, as citeproc-js,
/// pandoc and Zotero read it.
pub fn csl_json(items: &[crate::csl::mapping::CslItem]) -> String {
    let items: Vec<serde_json::Value> = items.iter().map(|i| i.to_csl_json()).collect();
    serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
}

/// Several references as a block: one paragraph each.
pub fn write_all(references: &[Reference], target: Target) -> String {
    let separator = if target == Target::Html { "\n" } else { "\n\n" };
    references
        .iter()
        .map(|r| write(r, target))
        .collect::<Vec<_>>()
        .join(separator)
}

fn pieces(pieces: &[Piece], target: Target) -> String {
    let mut out = String::new();
    for piece in pieces {
        let text = match target {
            Target::Text => piece.text.clone(),
            Target::Markdown => escape_markdown(&piece.text),
            Target::Html => escape_html(&piece.text),
            Target::Latex => escape_latex(&piece.text),
            Target::Typst => escape_typst(&piece.text),
        };
        let text = styled(link(&text, piece, target), piece.style, target);
        // Right after a Typst call (`#emph[...]`, `#link(...)`), `(` would
        // continue it as a call, and `.` before a letter as a field access.
        let continues_a_call = text.starts_with('(')
            || text.starts_with('.')
                && text[1..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_');
        if target == Target::Typst
            && (out.ends_with(']') || out.ends_with(')'))
            && !out.ends_with("\\]")
            && continues_a_call
        {
            out.push('\\');
        }
        out.push_str(&text);
    }
    out
}

fn link(text: &str, piece: &Piece, target: Target) -> String {
    let Some(url) = &piece.link else {
        return text.to_owned();
    };
    match target {
        Target::Text => text.to_owned(),
        Target::Markdown if piece.text == *url => format!("<{url}>"),
        Target::Markdown => format!("[{text}]({})", url.replace(')', "%29").replace(' ', "%20")),
        Target::Html => format!("<a href=\"{}\">{text}</a>", escape_html(url)),
        Target::Latex if piece.text == *url => format!("\\url{{{}}}", escape_url_latex(url)),
        Target::Latex => format!("\\href{{{}}}{{{text}}}", escape_url_latex(url)),
        Target::Typst if piece.text == *url => format!("#link({})", typst_string(url)),
        Target::Typst => format!("#link({})[{text}]", typst_string(url)),
    }
}

/// Wraps text in the target's markup, keeping spaces at the ends outside
/// (Markdown does not take `* text*` as emphasis).
fn styled(text: String, style: Style, target: Target) -> String {
    if target == Target::Text || style == Style::default() || text.trim().is_empty() {
        return text;
    }
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    let mut core = text.trim().to_owned();
    let wraps: [(bool, [(&str, &str); 4]); 5] = [
        (
            style.italic,
            [
                ("*", "*"),
                ("<i>", "</i>"),
                ("\\emph{", "}"),
                ("#emph[", "]"),
            ],
        ),
        (
            style.bold,
            [
                ("**", "**"),
                ("<b>", "</b>"),
                ("\\textbf{", "}"),
                ("#strong[", "]"),
            ],
        ),
        (
            style.small_caps,
            [
                ("[", "]{.smallcaps}"),
                ("<span style=\"font-variant:small-caps\">", "</span>"),
                ("\\textsc{", "}"),
                ("#smallcaps[", "]"),
            ],
        ),
        (
            style.superscript,
            [
                ("^", "^"),
                ("<sup>", "</sup>"),
                ("\\textsuperscript{", "}"),
                ("#super[", "]"),
            ],
        ),
        (
            style.subscript,
            [
                ("~", "~"),
                ("<sub>", "</sub>"),
                ("\\textsubscript{", "}"),
                ("#sub[", "]"),
            ],
        ),
    ];
    let column = match target {
        Target::Markdown => 0,
        Target::Html => 1,
        Target::Typst => 3,
        _ => 2,
    };
    for (on, forms) in wraps {
        if on {
            let (open, close) = forms[column];
            core = format!("{open}{core}{close}");
        }
    }
    format!("{lead}{core}{trail}")
}

fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '$' | '@' | '^' | '~' | '|' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A reference must not start a list or a heading: `1. Name` (Vancouver)
/// or `- Name` at the start of a line would.
fn escape_line_start(text: &str) -> String {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && matches!(text.as_bytes().get(digits), Some(b'.' | b')')) {
        return format!("{}\\{}", &text[..digits], &text[digits..]);
    }
    if (text.starts_with("- ") || text.starts_with("+ ")) && text.len() > 1 {
        return format!("\\{text}");
    }
    text.to_owned()
}

/// Text and double-quoted attribute values (the only kind refkeeper writes).
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn escape_latex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '$' | '&' | '#' | '_' | '%' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            // In LaTeX's default OT1 encoding these print as `¡`, `¿` and `—`.
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            '\u{a0}' => out.push('~'),
            _ => out.push(c),
        }
    }
    out
}

/// Typst markup: a backslash before each character Typst would read as
/// markup (any character takes one), `-` and `.` only where they would
/// start the `--`, `---`, `-?` or `...` shorthands.
fn escape_typst(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let special = match c {
            '\\' | '#' | '*' | '_' | '`' | '$' | '<' | '>' | '@' | '[' | ']' | '~' | '/' => true,
            '-' => matches!(chars.peek(), Some('-' | '?')),
            '.' => chars.peek() == Some(&'.'),
            _ => false,
        };
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A reference must not start a Typst list, heading or term: `1.`, `-`,
/// `+`, `=` at the start of a line would.
fn escape_typst_line_start(text: &str) -> String {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && text.as_bytes().get(digits) == Some(&b'.') {
        return format!("{}\\{}", &text[..digits], &text[digits..]);
    }
    if text.starts_with(['-', '+', '=']) {
        return format!("\\{text}");
    }
    text.to_owned()
}

/// A Typst string literal.
fn typst_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// In `\url{}` and `\href{}` only `%`, `#` and braces need care.
fn escape_url_latex(url: &str) -> String {
    url.replace('\\', "%5C")
        .replace('%', "\\%")
        .replace('#', "\\#")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(text: &str, italic: bool) -> Piece {
        Piece {
            text: text.to_owned(),
            style: Style {
                italic,
                ..Style::default()
            },
            link: None,
        }
    }

    fn reference(pieces: Vec<Piece>) -> Reference {
        Reference {
            key: "k".into(),
            label: None,
            body: pieces,
        }
    }

    /// The text Typst reads from markup: text, spaces and escaped
    /// characters only (no heading, list, emphasis, reference, label, math,
    /// raw text, comment or shorthand), and no syntax error.
    fn typst_text(markup: &str) -> String {
        use typst_syntax::{SyntaxKind, SyntaxNode};
        fn walk(node: &SyntaxNode, out: &mut String) {
            assert!(node.errors_and_warnings().0.is_empty(), "{node:?}");
            match node.kind() {
                SyntaxKind::Markup => node.children().for_each(|c| walk(c, out)),
                SyntaxKind::Text | SyntaxKind::Space | SyntaxKind::SmartQuote => {
                    out.push_str(node.leaf_text())
                }
                SyntaxKind::Escape => out.push_str(&node.leaf_text()[1..]),
                other => panic!("{other:?} in {node:?}"),
            }
        }
        let mut out = String::new();
        walk(&typst_syntax::parse(markup), &mut out);
        out
    }

    #[test]
    fn typst_reads_every_special_character_as_text() {
        let hostile = "1. Email @kim and #tags: $5, *b* _i_ a--b c---d e-?f ~ / // /* */ \
                       <label> [x] `raw` \\ = - + 'q' \"q\" https://x.org/a_b ...";
        let r = reference(vec![piece(hostile, false)]);
        assert_eq!(typst_text(&write(&r, Target::Typst)), hostile);
        for start in ["- a", "+ a", "= a", "/ a: b", "12. a"] {
            let r = reference(vec![piece(start, false)]);
            assert_eq!(typst_text(&write(&r, Target::Typst)), start);
        }
    }

    #[test]
    fn typst_styles_and_links_are_calls_that_end_where_they_should() {
        let mut linked = piece("doi.org/10.1/x", false);
        linked.link = Some("https://doi.org/10.1/x\"y".to_owned());
        let r = reference(vec![
            piece("Kim, M. ", false),
            piece("Steppe @Diplomacy", true),
            piece(".In (2nd ed.) ", false),
            linked,
            piece("(accessed)", false),
        ]);
        assert_eq!(
            write(&r, Target::Typst),
            "Kim, M. #emph[Steppe \\@Diplomacy]\\.In (2nd ed.) #link(\"https://doi.org/10.1/x\\\"y\")[doi.org\\/10.1\\/x]\\(accessed)"
        );
        let tree = typst_syntax::parse(&write(&r, Target::Typst));
        assert!(tree.errors_and_warnings().0.is_empty());
    }

    #[test]
    fn italics_in_each_target() {
        let r = reference(vec![
            piece("Kim, M. (2007). ", false),
            piece("Korea and <b>Asia</b> ", true),
            piece("50% & more.", false),
        ]);
        assert_eq!(
            write(&r, Target::Text),
            "Kim, M. (2007). Korea and <b>Asia</b> 50% & more."
        );
        assert_eq!(
            write(&r, Target::Markdown),
            "Kim, M. (2007). *Korea and \\<b\\>Asia\\</b\\>* 50% & more."
        );
        assert_eq!(
            write(&r, Target::Html),
            "<div class=\"csl-entry\">Kim, M. (2007). <i>Korea and &lt;b&gt;Asia&lt;/b&gt;</i> 50% &amp; more.</div>"
        );
        assert_eq!(
            write(&r, Target::Latex),
            "Kim, M. (2007). \\emph{Korea and \\textless{}b\\textgreater{}Asia\\textless{}/b\\textgreater{}} \
             50\\% \\& more."
        );
    }

    #[test]
    fn latex_specials_are_escaped() {
        let r = reference(vec![piece("a_b #1 $5 {x} ~ ^ \\ vol.\u{a0}3", false)]);
        assert_eq!(
            write(&r, Target::Latex),
            "a\\_b \\#1 \\$5 \\{x\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} vol.~3"
        );
    }

    #[test]
    fn markdown_cannot_start_a_list_or_cite() {
        let r = reference(vec![piece("1. Kim M. Mail kim@example.org", false)]);
        assert_eq!(
            write(&r, Target::Markdown),
            "1\\. Kim M. Mail kim\\@example.org"
        );
    }

    #[test]
    fn links() {
        let url = "https://doi.org/10.1/x_y";
        let r = reference(vec![Piece {
            text: url.into(),
            style: Style::default(),
            link: Some(url.into()),
        }]);
        assert_eq!(write(&r, Target::Markdown), format!("<{url}>"));
        assert_eq!(
            write(&r, Target::Html),
            format!(
                "<div class=\"csl-entry\"><a href=\"{url}\">https://doi.org/10.1/x\\_y</a></div>"
            )
            .replace("\\_", "_")
        );
        assert_eq!(write(&r, Target::Latex), "\\url{https://doi.org/10.1/x_y}");
    }
}
