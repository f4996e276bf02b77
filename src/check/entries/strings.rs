//! `undefined-string` and `unused-string`: the `@string` macros the
//! values use, against those the bibliographies define.

use crate::bib::{Bibliography, Entry, RawField, Value, ValuePart};
use crate::check::RuleSet;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceMap};

/// `undefined-string` and `unused-string`, those of the two that are on.
pub(super) fn strings(bib: &Bibliography, sources: &SourceMap, rules: &RuleSet) -> Vec<Diagnostic> {
    let undefined_on = rules.is_on(Code::UndefinedString);
    let mut used = vec![false; bib.strings.len()];
    let mut out = Vec::new();
    let mut visit = |file: FileId, field: &RawField, key: Option<&Entry>| {
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
                Some(index) => used[index] = true,
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
                        d = d.with_key(entry.key.clone());
                    }
                    out.push(d);
                }
            }
        }
    };
    for entry in &bib.entries {
        for field in &entry.fields {
            visit(entry.file, field, Some(entry));
        }
    }
    for def in &bib.strings {
        visit(def.file, &def.field, None);
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
                    def.field.name(),
                )
                .with_help("remove it, or keep it in a shared strings file and allow this code"),
            );
        }
    }
    out
}
