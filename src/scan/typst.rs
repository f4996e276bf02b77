//! Citations in Typst, read with Typst's own parser (`typst-syntax`), so
//! that markup, code, math, raw text and comments are told apart exactly
//! as the Typst compiler tells them apart.
//!
//! Citations are `@key`, `@key[supplement]`, `#cite(<key>)`,
//! `#cite(label("key"))` and `#ref(<key>)`. A `@name` is a cross-reference
//! instead when the document defines the label `<name>`: the scanner
//! records both, and the check stage drops references to defined labels.

use typst_syntax::{LinkedNode, SyntaxKind, ast};

use super::{Citation, CiteKind, Declared, DeclaredHow, Include, IncludeHow, ScanOutput};

/// Finds every citation and label in a Typst text.
pub fn scan(text: &str) -> ScanOutput {
    let root = typst_syntax::parse(text);
    let mut out = ScanOutput::default();
    visit(&LinkedNode::new(&root), &mut out);
    out
}

fn visit(node: &LinkedNode<'_>, out: &mut ScanOutput) {
    match node.kind() {
        SyntaxKind::Ref => {
            if let Some(marker) = node.children().find(|c| c.kind() == SyntaxKind::RefMarker) {
                let range = marker.range();
                // The marker is `@key`: the key starts after the `@`.
                let key_span = range.start + 1..range.end;
                let key = marker.get().leaf_text().trim_start_matches('@').to_owned();
                out.citations.push(Citation {
                    key: key.into(),
                    span: key_span,
                    kind: CiteKind::TypstRef,
                });
            }
        }
        SyntaxKind::Label if node.parent_kind() == Some(SyntaxKind::Markup) => {
            if let Some(label) = node.get().cast::<ast::Label>() {
                out.labels.push(label.get().to_owned());
            }
        }
        SyntaxKind::FuncCall if cite_call(node, out) => return,
        SyntaxKind::FuncCall if bibliography_call(node, out) => return,
        SyntaxKind::ModuleInclude => {
            if let Some((path, span)) = node
                .children()
                .find(|c| c.kind() == SyntaxKind::Str)
                .and_then(|s| string(&s))
            {
                out.includes.push(Include {
                    path,
                    span,
                    how: IncludeHow::Typst,
                });
            }
        }
        _ => {}
    }
    for child in node.children() {
        visit(&child, out);
    }
}

/// `cite(...)` or `ref(...)`: records the labels among its arguments.
/// Returns whether the call was one of these.
fn cite_call(node: &LinkedNode<'_>, out: &mut ScanOutput) -> bool {
    let mut children = node.children();
    let Some(callee) = children.next() else {
        return false;
    };
    let name = callee.get().leaf_text();
    if callee.kind() != SyntaxKind::Ident || (name != "cite" && name != "ref") {
        return false;
    }
    // `#ref(<x>)` may point at a figure or heading, like `@x`.
    let kind = if name == "cite" {
        CiteKind::Cite
    } else {
        CiteKind::TypstRef
    };
    let Some(args) = children.find(|c| c.kind() == SyntaxKind::Args) else {
        return false;
    };
    for arg in args.children() {
        match arg.kind() {
            SyntaxKind::Label => {
                let range = arg.range();
                let key = arg
                    .get()
                    .leaf_text()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned();
                out.citations.push(Citation {
                    key: key.into(),
                    span: range.start + 1..range.end - 1,
                    kind,
                });
            }
            SyntaxKind::FuncCall => label_call(&arg, kind, out),
            _ => visit(&arg, out),
        }
    }
    true
}

/// `bibliography("a.bib")` or `bibliography(("a.bib", "b.yml"))`: records
/// the files. Returns whether the call was one.
fn bibliography_call(node: &LinkedNode<'_>, out: &mut ScanOutput) -> bool {
    let mut children = node.children();
    let is_bibliography = children
        .next()
        .is_some_and(|c| c.kind() == SyntaxKind::Ident && c.get().leaf_text() == "bibliography");
    if !is_bibliography {
        return false;
    }
    let Some(args) = children.find(|c| c.kind() == SyntaxKind::Args) else {
        return true;
    };
    // The first positional argument: a path, or an array of paths.
    let first = args.children().find(|c| {
        !matches!(
            c.kind(),
            SyntaxKind::LeftParen | SyntaxKind::RightParen | SyntaxKind::Comma | SyntaxKind::Space
        )
    });
    let strings: Vec<LinkedNode<'_>> = match first {
        Some(arg) if arg.kind() == SyntaxKind::Str => vec![arg],
        Some(arg) if arg.kind() == SyntaxKind::Array => arg
            .children()
            .filter(|c| c.kind() == SyntaxKind::Str)
            .collect(),
        _ => Vec::new(),
    };
    for node in &strings {
        if let Some((path, span)) = string(node) {
            out.bibliographies.push(Declared {
                path,
                span,
                how: DeclaredHow::Typst,
            });
        }
    }
    true
}

/// The value of a string literal and the span inside its quotes.
fn string(node: &LinkedNode<'_>) -> Option<(String, std::ops::Range<usize>)> {
    let value = node.get().cast::<ast::Str>()?;
    let range = node.range();
    Some((value.get().to_string(), range.start + 1..range.end - 1))
}

/// `label("key")` as an argument of `cite`.
fn label_call(node: &LinkedNode<'_>, kind: CiteKind, out: &mut ScanOutput) {
    let mut children = node.children();
    let is_label = children
        .next()
        .is_some_and(|c| c.kind() == SyntaxKind::Ident && c.get().leaf_text() == "label");
    let args = children.find(|c| c.kind() == SyntaxKind::Args);
    let string = args
        .as_ref()
        .and_then(|a| a.children().find(|c| c.kind() == SyntaxKind::Str));
    match (is_label, string) {
        (true, Some(string)) => {
            let Some(value) = string.get().cast::<ast::Str>() else {
                return;
            };
            let range = string.range();
            out.citations.push(Citation {
                key: value.get().as_str().into(),
                // Inside the quotes; exact unless the string holds escapes.
                span: range.start + 1..range.end - 1,
                kind,
            });
        }
        _ => visit(node, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> (Vec<(String, &str, CiteKind)>, Vec<String>) {
        let out = scan(text);
        let citations = out
            .citations
            .into_iter()
            .map(|c| (c.key.into(), &text[c.span.clone()], c.kind))
            .collect();
        (citations, out.labels)
    }

    #[test]
    fn references_and_cite_calls() {
        let (citations, _) = found(
            "See @kim-2007. @doe:99: and @sec[Section]. #cite(<smith>) #cite(label(\"odd key\")) #cite(<x>, form: \"prose\")",
        );
        assert_eq!(
            citations,
            vec![
                ("kim-2007".to_owned(), "kim-2007", CiteKind::TypstRef),
                ("doe:99".to_owned(), "doe:99", CiteKind::TypstRef),
                ("sec".to_owned(), "sec", CiteKind::TypstRef),
                ("smith".to_owned(), "smith", CiteKind::Cite),
                ("odd key".to_owned(), "odd key", CiteKind::Cite),
                ("x".to_owned(), "x", CiteKind::Cite),
            ]
        );
    }

    #[test]
    fn labels_are_collected_where_they_are_defined() {
        let (citations, labels) =
            found("= Intro <intro>\n#figure([x]) <fig:a>\nSee @intro and #cite(<notalabel>).");
        assert_eq!(labels, vec!["intro".to_owned(), "fig:a".to_owned()]);
        assert_eq!(citations.len(), 2);
    }

    #[test]
    fn comments_raw_strings_and_math_are_not_citations() {
        let (citations, _) = found(
            "// @c1\n/* @c2 /* @c3 */ */ `@raw` ```\n@raw2\n``` #let x = \"@str\" $ @math $ #figure([@inside])",
        );
        assert_eq!(
            citations,
            vec![("inside".to_owned(), "inside", CiteKind::TypstRef)]
        );
    }

    #[test]
    fn includes_and_bibliographies_are_recorded() {
        let text = "#include \"ch/intro.typ\"\n#bibliography((\"a.bib\", \"b.yml\"), style: \"apa\")\n// #include \"no.typ\"\n#let x = bibliography";
        let out = scan(text);
        let includes: Vec<&str> = out.includes.iter().map(|i| &text[i.span.clone()]).collect();
        assert_eq!(includes, ["ch/intro.typ"]);
        let bibs: Vec<&str> = out.bibliographies.iter().map(|b| b.path.as_str()).collect();
        assert_eq!(bibs, ["a.bib", "b.yml"]);
        let one = scan("#bibliography(\"refs.bib\")");
        assert_eq!(one.bibliographies[0].path, "refs.bib");
    }

    #[test]
    fn unicode_keys_keep_spans() {
        let (citations, _) = found("김민준 @müller2020 #cite(<김2007>)");
        assert_eq!(citations[0].1, "müller2020");
        assert_eq!(citations[1].1, "김2007");
    }
}
