//! `undefined-string` and `unused-string`: the `@string` macros the
//! values use, against those the bibliographies define.

use rayon::prelude::*;

use crate::bib::{Bibliography, Entry, RawField, Value, ValuePart};
use crate::check::RuleSet;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceMap};

/// `undefined-string` and `unused-string`, those of the two that are on.
pub(super) fn strings(bib: &Bibliography, sources: &SourceMap, rules: &RuleSet) -> Vec<Diagnostic> {
    let undefined_on = rules.is_on(Code::UndefinedString);
    // Each entry's macros on all cores (a large bibliography has a million
    // fields): its findings, and the definitions it uses.
    let visit = |file: FileId, field: &RawField, key: Option<&Entry>, found: &mut Found| {
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
                Some(index) => found.used.push(index),
                None if !undefined_on || crate::bib::is_month_macro(name) => {}
                None => {
                    let mut d = Diagnostic::new(
                        Code::UndefinedString,
                        format!("`{name}` is not defined by any @string"),
                        file,
                        span.clone(),
                    )
                    .with_help("define it with @string{name = {...}}, or brace the value if it is meant as text");
                    if let Some(entry) = key {
                        d = d.with_key(bib.key(entry));
                    }
                    found.findings.push(d);
                }
            }
        }
    };
    // One `Found` per run of entries, not per entry (a hundred thousand
    // pairs of empty lists), in entry order.
    let per_entry: Vec<Found> = (bib.entries.par_iter())
        .with_min_len(1024)
        .fold(Found::default, |mut found, entry| {
            for field in bib.fields(entry) {
                visit(entry.file, &field, Some(entry), &mut found);
            }
            found
        })
        .collect();
    let mut in_strings = Found::default();
    for def in &bib.strings {
        visit(def.file, &def.field, None, &mut in_strings);
    }
    let mut used = vec![false; bib.strings.len()];
    let mut out = Vec::new();
    for found in per_entry.into_iter().chain([in_strings]) {
        for index in found.used {
            used[index] = true;
        }
        out.extend(found.findings);
    }
    if !rules.is_on(Code::UnusedString) {
        return out;
    }
    for (index, def) in bib.strings.iter().enumerate() {
        if !used[index] {
            out.push(
                Diagnostic::new(
                    Code::UnusedString,
                    format!("@string `{}` is never used", def.name),
                    def.file,
                    def.field.name(&sources.get(def.file).text),
                )
                .with_help("remove it, or keep it in a shared strings file and allow this code"),
            );
        }
    }
    out
}

/// What the macros of one entry (or of the `@string`s) gave.
#[derive(Default)]
struct Found {
    findings: Vec<Diagnostic>,
    /// The definitions used, by index in [`Bibliography::strings`].
    used: Vec<usize>,
}
