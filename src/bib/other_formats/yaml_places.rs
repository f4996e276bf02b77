//! Where the keys of a YAML bibliography are written.
//!
//! serde_yaml (and the hayagriva crate reading through it) keep no places
//! for values, so the keys are found in the text: the lines that define
//! a key in the block style every exporter writes (`key:` at the start of
//! a line for Hayagriva, `id: key` or `- id: key` for CSL-YAML), taken in
//! order as the parsed entries ask for them. A key written in flow style
//! (`{id: a}`) is looked up as text, and failing that points at the start
//! of the list.

use std::collections::{HashMap, VecDeque};
use std::sync::LazyLock;

use regex::Regex;

use super::Places;
use crate::source::Span;

/// How keys are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyStyle {
    /// Hayagriva: `key:` at the start of a line, the entry's fields below.
    TopLevel,
    /// CSL-YAML: `id: key` inside each item.
    CslId,
}

/// A key at the start of a line (plain, or in single or double quotes),
/// followed by a colon.
static TOP_LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^(?:"([^"\\\n]*)"|'([^'\n]*)'|([^\s#:"'\-][^:#\n]*?|-[^\s:#\n][^:#\n]*?))[ \t]*:(?:[ \t]|$)"#)
        .expect("a valid pattern")
});

/// `id: key` on a line of its own, or as the first member of a list item.
static CSL_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*(?:-[ \t]+)?id[ \t]*:[ \t]*(?:"([^"\\\n]*)"|'([^'\n]*)'|([^\s#"'][^#\n]*?))[ \t]*(?:#.*)?$"#)
        .expect("a valid pattern")
});

/// The places of the keys of one YAML text, handed out in order.
pub(crate) struct YamlPlaces<'t> {
    text: &'t str,
    /// Where the YAML is in `text`.
    within: Span,
    /// The key lines found, in order: where each line starts, and its key.
    lines: Vec<(usize, Span)>,
    /// For each key, the indexes in `lines` not yet taken.
    by_key: HashMap<&'t str, VecDeque<usize>>,
    /// The line after the last one taken.
    next: usize,
}

impl<'t> YamlPlaces<'t> {
    /// The key lines of `text[within]` (offsets are into `text`).
    pub(crate) fn new(text: &'t str, within: Span, style: KeyStyle) -> YamlPlaces<'t> {
        let base = within.start;
        let pattern = match style {
            KeyStyle::TopLevel => &*TOP_LEVEL,
            KeyStyle::CslId => &*CSL_ID,
        };
        let searched = &text[within.clone()];
        let mut lines = Vec::new();
        let mut by_key: HashMap<&str, VecDeque<usize>> = HashMap::new();
        for captures in pattern.captures_iter(searched) {
            let Some(key) = (1..=3).find_map(|i| captures.get(i)) else {
                continue;
            };
            let line_start = base + captures.get(0).map_or(0, |m| m.start());
            let span = base + key.start()..base + key.end();
            by_key
                .entry(key.as_str())
                .or_default()
                .push_back(lines.len());
            lines.push((line_start, span));
        }
        YamlPlaces {
            text,
            within,
            lines,
            by_key,
            next: 0,
        }
    }

    /// The places of the next entry with this key: its key, and its item
    /// from its key line to the next key line.
    pub(crate) fn take(&mut self, key: &str) -> Places {
        let found = self.by_key.get_mut(key).and_then(|queue| queue.pop_front());
        match found {
            Some(index) => {
                self.next = self.next.max(index + 1);
                let (line_start, span) = self.lines[index].clone();
                let end = self
                    .lines
                    .get(index + 1)
                    .map_or(self.within.end, |(next, _)| *next);
                let end = line_start + self.text[line_start..end].trim_end().len();
                Places {
                    item: line_start..end.max(span.end),
                    key: span,
                }
            }
            None => {
                // Flow style, or a key written with escapes: its text, or
                // the start of the list.
                let base = self.within.start;
                let at = self.text[self.within.clone()]
                    .find(key)
                    .map(|i| base + i..base + i + key.len())
                    .unwrap_or(base..base);
                Places {
                    item: at.clone(),
                    key: at,
                }
            }
        }
    }

    /// Where the item after the last one taken starts, for an item that
    /// has no key to find.
    pub(crate) fn next_item_start(&self) -> usize {
        self.lines
            .get(self.next)
            .map_or(self.within.start, |(line_start, _)| *line_start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str, style: KeyStyle, wanted: &[&str]) -> Vec<String> {
        let mut places = YamlPlaces::new(text, 0..text.len(), style);
        wanted
            .iter()
            .map(|k| text[places.take(k).key].to_owned())
            .collect()
    }

    #[test]
    fn hayagriva_keys_are_the_lines_that_start_an_entry() {
        let text = "# refs\nharry:\n  type: book\n  title: 'a: b'\n\"quoted key\":\n  type: web\n'single': {type: misc}\n";
        assert_eq!(
            keys(text, KeyStyle::TopLevel, &["harry", "quoted key", "single"]),
            ["harry", "quoted key", "single"]
        );
    }

    #[test]
    fn csl_yaml_keys_are_ids_in_order_even_when_repeated() {
        let text = "references:\n- type: book\n  id: a\n- id: \"b\"\n  title: x\n- id: a # again\n";
        let mut places = YamlPlaces::new(text, 0..text.len(), KeyStyle::CslId);
        let first = places.take("a");
        let b = places.take("b");
        let second = places.take("a");
        assert_eq!(&text[first.key.clone()], "a");
        assert_eq!(&text[b.key], "b");
        assert!(second.key.start > first.key.start);
        assert_eq!(&text[first.item], "  id: a");
    }

    #[test]
    fn a_key_not_on_a_line_of_its_own_is_found_as_text() {
        let text = "[{id: flow, type: book}]";
        let mut places = YamlPlaces::new(text, 0..text.len(), KeyStyle::CslId);
        assert_eq!(&text[places.take("flow").key], "flow");
        assert_eq!(places.take("absent").key, 0..0);
    }
}
