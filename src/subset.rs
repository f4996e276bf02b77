//! `refkeeper subset`: the cited entries and everything they need, written
//! as a `.bib` file of their own (what arXiv and journals ask for with a
//! manuscript).
//!
//! Everything is copied byte for byte from the source files: the
//! `@preamble`s, the `@string`s the copied entries use (and the macros
//! those use), then the entries, each in the order of the sources, so
//! that a string is defined before use and a crossref child still comes
//! before its parent, as BibTeX wants.

use std::collections::HashSet;

use crate::bib::{Bibliography, EntryId, Value, ValuePart};
use crate::source::{FileId, SourceMap, Span};

/// The copied blocks and what they are.
#[derive(Debug, Default)]
pub struct Subset {
    /// The `.bib` text.
    pub text: String,
    /// Entries cited directly or through an alias.
    pub entries: usize,
    /// `@string` blocks copied.
    pub strings: usize,
    /// `@preamble` blocks copied.
    pub preambles: usize,
}

/// The subset of `bib` made of the entries `used` marks (see
/// [`crate::check::used_entries`]).
pub fn subset(bib: &Bibliography, sources: &SourceMap, used: &[bool]) -> Subset {
    let text = |file: FileId| sources.get(file).text.as_str();
    let entries: Vec<EntryId> = (0..bib.entries.len())
        .filter(|&i| used[i] && bib.entries[i].duplicate_of().is_none())
        .map(|i| EntryId(i as u32))
        .collect();

    // The strings the entries use, and those the strings use in turn.
    let mut needed = vec![false; bib.strings.len()];
    let mut stack: Vec<usize> = Vec::new();
    let mut need = |value: Value, file: FileId, stack: &mut Vec<usize>| {
        let Value::Concat(parts) = value else { return };
        for part in parts {
            if let ValuePart::Macro(span) = part
                && let Some(index) = bib.string_definition(&text(file)[span])
                && !std::mem::replace(&mut needed[index], true)
            {
                stack.push(index);
            }
        }
    };
    for id in &entries {
        let entry = bib.entry(*id);
        for field in bib.fields(entry) {
            need(field.value(text(entry.file)), entry.file, &mut stack);
        }
    }
    while let Some(index) = stack.pop() {
        let def = &bib.strings[index];
        need(def.field.value(text(def.file)), def.file, &mut stack);
    }

    let mut out = Subset::default();
    let mut blocks: Vec<(FileId, Span)> = bib.preambles.clone();
    out.preambles = blocks.len();
    // One @string block may define several macros: copy it once.
    let mut copied: HashSet<(FileId, usize)> = HashSet::new();
    for (index, def) in bib.strings.iter().enumerate() {
        if needed[index] && copied.insert((def.file, def.block.start)) {
            blocks.push((def.file, def.block.clone()));
            out.strings += 1;
        }
    }
    for id in &entries {
        let entry = bib.entry(*id);
        blocks.push((entry.file, entry.span()));
    }
    out.entries = entries.len();
    for (file, span) in blocks {
        out.text.push_str(&text(file)[span]);
        out.text.push_str("\n\n");
    }
    out
}
