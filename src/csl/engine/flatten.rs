//! The rendered element tree as styled [`Piece`]s: formatting flipped
//! against the style's (as citeproc's `<i>` flips), links kept, the
//! per-item edits applied, and CSL's punctuation rules, which hayagriva
//! leaves out ([`tidy`]).

use super::markup::{DATA_CLOSER, DELIMITER_JOIN, Decoded, PREFIX_JOIN, decode, is_join};
use super::{Piece, Reference};
use crate::bib::value::latex::Style;
use crate::csl::mapping::CslItem;
use hayagriva::citationberg::taxonomy::NameVariable;
use hayagriva::{ElemChild, ElemChildren, ElemMeta};
use std::collections::HashMap;

/// Changes to make to a rendered entry.
#[derive(Debug, Default)]
pub(super) struct Edits {
    /// New text for the n-th `cs:date`.
    pub(super) dates: HashMap<usize, String>,
    /// A substitute for the entry's first `cs:names`.
    pub(super) names: Option<NamesEdit>,
    /// The names written as they stand (institutions), by variable and
    /// position.
    pub(super) literal_names: Vec<(NameVariable, usize)>,
    /// The "no date" term and what replaces its first occurrence (`n.d.`
    /// with a year suffix).
    pub(super) no_date: Option<(String, String)>,
    /// The item's URL as hayagriva prints it and as written, where the two
    /// differ: hayagriva keeps a URL as a `url::Url`, which normalises it
    /// (`http://www.ctan.org` printed `http://www.ctan.org/`); CSL
    /// processors print the variable as it is.
    pub(super) url: Option<(String, String)>,
}

impl Edits {
    pub(super) fn for_item(item: Option<&CslItem>) -> Edits {
        let mut literal_names = Vec::new();
        if let Some(item) = item {
            for (variable, list) in [
                (NameVariable::Author, &item.author),
                (NameVariable::Editor, &item.editor),
                (NameVariable::Translator, &item.translator),
            ] {
                for (index, name) in list.names.iter().enumerate() {
                    if name.literal.is_some() {
                        literal_names.push((variable, index));
                    }
                }
            }
        }
        let url = item.and_then(|item| {
            let written = item.url.as_deref()?;
            let printed = url::Url::parse(written).ok()?.to_string();
            (printed != written).then(|| (printed, written.to_owned()))
        });
        Edits {
            literal_names,
            url,
            ..Edits::default()
        }
    }
}

/// The names of a `cs:names` element with citeproc-js's delimiter before
/// an institution that ends the list: none after a single name ("Republic
/// of Korea & Democratic People's Republic of Korea", where APA's
/// `delimiter-precedes-last="always"` put a comma), and one after two or
/// more ("Smith, J., Doe, J., and Org"). `None` when nothing changes.
pub(super) fn institution_and(children: &ElemChildren, edits: &Edits) -> Option<ElemChildren> {
    let names: Vec<(usize, NameVariable, usize)> = children
        .0
        .iter()
        .enumerate()
        .filter_map(|(at, child)| match child {
            ElemChild::Elem(elem) => match elem.meta {
                Some(ElemMeta::Name(variable, index)) => Some((at, variable, index)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let [.., (before, _, _), (last, variable, index)] = names[..] else {
        return None;
    };
    if !edits.literal_names.contains(&(variable, index)) {
        return None;
    }
    let between: Vec<&hayagriva::Formatted> = children.0[before + 1..last]
        .iter()
        .map(|child| match child {
            ElemChild::Text(text) => Some(text),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let text: String = between.iter().map(|t| t.text.as_str()).collect();
    let with_delimiter = text.starts_with([',', ';']);
    let and = text.trim_start_matches([',', ';']);
    if and.trim().is_empty() {
        // A delimiter alone: no "and" before the last name.
        return None;
    }
    let fixed = match (names.len(), with_delimiter) {
        (2, true) => and.to_owned(),
        (3.., false) => format!(",{text}"),
        _ => return None,
    };
    let mut out = children.0[..before + 1].to_vec();
    out.push(ElemChild::Text(hayagriva::Formatted {
        text: fixed,
        formatting: between[0].formatting,
    }));
    out.extend_from_slice(&children.0[last..]);
    Some(ElemChildren(out))
}

/// How the names of an entry are substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NamesEdit {
    /// The whole name list.
    Whole(String),
    /// These names of the list, each.
    Each(Vec<usize>, String),
}

pub(super) fn reference(
    key: String,
    label: Option<ElemChild>,
    body: &ElemChildren,
    edits: &Edits,
    quoting: &Quoting,
) -> Reference {
    let no_edits = Edits::default();
    let label = label.map(|child| {
        let mut flattener = Flattener::new(&no_edits);
        flattener.child(&child);
        flattener.finish(quoting)
    });
    let mut flattener = Flattener::new(edits);
    flattener.children(body);
    Reference {
        key,
        label,
        body: flattener.finish(quoting),
    }
}

/// Walks the rendered tree, turning formatting and markers into pieces.
pub(super) struct Flattener<'e> {
    edits: &'e Edits,
    pieces: Vec<Piece>,
    /// Marker state: how many of each marker are open.
    open: [i32; 5],
    date_index: usize,
    /// Whether the first `cs:names` has been passed, and the name index in it.
    names_seen: bool,
    name_index: Option<usize>,
    /// Whether the "no date" term has had its suffix.
    no_date_done: bool,
    /// How many elements whose periods are stripped are open, and whether
    /// the last character was a period.
    stripping: i32,
    after_period: bool,
    /// A `display` part has ended: the next one (or text that is not
    /// punctuation) starts after a space.
    space_before_display: bool,
}

impl<'e> Flattener<'e> {
    fn new(edits: &'e Edits) -> Self {
        Flattener {
            edits,
            pieces: Vec::new(),
            open: [0; 5],
            date_index: 0,
            names_seen: false,
            name_index: None,
            no_date_done: false,
            stripping: 0,
            after_period: false,
            space_before_display: false,
        }
    }

    fn children(&mut self, children: &ElemChildren) {
        for child in &children.0 {
            self.child(child);
        }
    }

    fn child(&mut self, child: &ElemChild) {
        match child {
            ElemChild::Text(t) => match &self.edits.no_date {
                Some((term, with_suffix)) if !self.no_date_done && t.text.contains(term) => {
                    self.no_date_done = true;
                    // hayagriva let "n.d." stand for "n.d." and the ". "
                    // delimiter after it; with the suffix the period is
                    // due again ("n.d.-a. “Title”").
                    let at = t.text.find(term.as_str()).unwrap_or_default() + term.len();
                    let swallowed = term.ends_with('.') && t.text[at..].starts_with(' ');
                    let with_suffix = if swallowed {
                        format!("{with_suffix}.")
                    } else {
                        with_suffix.clone()
                    };
                    let text = t.text.replacen(term.as_str(), &with_suffix, 1);
                    self.text(&text, base_style(&t.formatting), None)
                }
                _ => self.text(&t.text, base_style(&t.formatting), None),
            },
            ElemChild::Link { text, url } => match &self.edits.url {
                Some((printed, written)) if text.text == *printed => {
                    self.text(written, base_style(&text.formatting), Some(written))
                }
                _ => self.text(&text.text, base_style(&text.formatting), Some(url)),
            },
            ElemChild::Markup(m) => self.text(m, Style::default(), None),
            ElemChild::Transparent { .. } => {}
            ElemChild::Elem(elem) => {
                match &elem.meta {
                    Some(ElemMeta::Date) => {
                        let index = self.date_index;
                        self.date_index += 1;
                        if let Some(replacement) = self.edits.dates.get(&index) {
                            let style = first_style(&elem.children).unwrap_or_default();
                            self.text(replacement, style, None);
                            return;
                        }
                    }
                    Some(ElemMeta::Names(..)) => {
                        let fixed = institution_and(&elem.children, self.edits);
                        let children = fixed.as_ref().unwrap_or(&elem.children);
                        if !self.names_seen {
                            self.names_seen = true;
                            match &self.edits.names {
                                Some(NamesEdit::Whole(substitute)) => {
                                    let style = first_style(children).unwrap_or_default();
                                    self.text(substitute, style, None);
                                    return;
                                }
                                Some(NamesEdit::Each(..)) => self.name_index = Some(0),
                                None => {}
                            }
                        }
                        self.children(children);
                        self.name_index = None;
                        return;
                    }
                    Some(ElemMeta::Name(..)) => {
                        if let (Some(index), Some(NamesEdit::Each(which, substitute))) =
                            (self.name_index, &self.edits.names)
                        {
                            self.name_index = Some(index + 1);
                            if which.contains(&index) {
                                let style = first_style(&elem.children).unwrap_or_default();
                                self.text(substitute, style, None);
                                return;
                            }
                        }
                    }
                    _ => {}
                }
                // A `display` part (`block`, `left-margin`, ...) stands
                // apart from the next; in running text citeproc-js
                // separates two by a space ("1975 Painting", not
                // "1975Painting"; "2006 . Semipalatinsk" when the second
                // starts with its prefix), but not from the layout's
                // suffix after the last ("2026.").
                if elem.display.is_some() && std::mem::take(&mut self.space_before_display) {
                    self.push(" ", Style::default(), None);
                }
                self.children(&elem.children);
                if elem.display.is_some() {
                    self.space_before_display = true;
                }
            }
        }
    }

    fn text(&mut self, text: &str, base: Style, link: Option<&str>) {
        let mut run = String::new();
        for decoded in decode(text) {
            match decoded {
                // A URL read from a twin variable links to itself.
                Decoded::Link(opens) => {
                    self.push(&run, base, if opens { link } else { Some(&run) });
                    run.clear();
                }
                Decoded::Format(index, opens) => {
                    self.push(&run, base, link);
                    run.clear();
                    self.open[index] += if opens { 1 } else { -1 };
                }
                Decoded::StripPeriods(opens) => {
                    self.stripping += if opens { 1 } else { -1 };
                    self.after_period = false;
                }
                // citeproc-js's rule: a period goes unless the character
                // before it (as written) was a period too ("..." keeps two).
                Decoded::Text('.') if self.stripping > 0 => {
                    if self.after_period {
                        run.push('.');
                    }
                    self.after_period = true;
                }
                Decoded::Text(c) => {
                    self.after_period = false;
                    run.push(c);
                }
                Decoded::DataCloser(c) => {
                    self.after_period = false;
                    run.push(c);
                    run.push(DATA_CLOSER);
                }
            }
        }
        self.push(&run, base, link);
    }

    fn push(&mut self, text: &str, base: Style, link: Option<&str>) {
        if text.is_empty() {
            return;
        }
        // Text after a `display` part that is not punctuation (the
        // layout's suffix) is set apart from it.
        if self.space_before_display
            && !text
                .trim_start_matches(is_join)
                .starts_with([' ', '.', ',', ';', ':', ')', ']'])
        {
            self.space_before_display = false;
            self.push(" ", Style::default(), None);
        }
        // Emphasis inside an italic context comes out upright (flip-flop).
        let style = Style {
            italic: base.italic ^ (self.open[0] > 0),
            bold: base.bold || self.open[1] > 0,
            small_caps: base.small_caps || self.open[2] > 0,
            superscript: base.superscript || self.open[3] > 0,
            subscript: base.subscript || self.open[4] > 0,
        };
        let link = link.map(str::to_owned);
        if let Some(last) = self.pieces.last_mut()
            && last.style == style
            && last.link == link
        {
            last.text.push_str(text);
            return;
        }
        self.pieces.push(Piece {
            text: text.to_owned(),
            style,
            link,
        });
    }

    fn finish(self, quoting: &Quoting) -> Vec<Piece> {
        tidy(self.pieces, quoting)
    }
}

/// The locale's quotation marks (`open-quote`, `close-quote`,
/// `open-inner-quote`, `close-inner-quote`) and whether punctuation goes
/// inside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Quoting {
    pub(super) outer: (char, char),
    pub(super) inner: (char, char),
    pub(super) punctuation_inside: bool,
    /// Whether the punctuation that starts an affix goes inside: the
    /// style's `punctuation-in-quote`, whatever the item's language (as
    /// citeproc-js, and hayagriva before the affixes were marked, do).
    pub(super) affix_punctuation_inside: bool,
}

impl Default for Quoting {
    /// English marks, punctuation outside (British usage).
    fn default() -> Self {
        Quoting {
            outer: ('“', '”'),
            inner: ('‘', '’'),
            punctuation_inside: false,
            affix_punctuation_inside: false,
        }
    }
}

impl Quoting {
    fn is_closer(&self, c: char) -> bool {
        matches!(c, '”' | '’' | '»' | '"') || c == self.outer.1 || c == self.inner.1
    }

    /// The opening and closing mark of a level.
    fn pair(&self, outer: bool) -> (char, char) {
        if outer { self.outer } else { self.inner }
    }
}

/// The quotation marks among `chars` that pair up, each with the mark it
/// is written as and whether it closes.
///
/// As citeproc-js's flip-flopper reads them: the locale's marks and
/// straight quotes (`"`, and `'` where it opens a word) are quotes; a `’`
/// or `'` before a letter is an apostrophe (Korea’s, World’Eyetracking).
/// A quote outside any other keeps its level (the locale's inner marks
/// stay inner; of straight quotes the kind seen first is outer), a quote
/// inside another takes the other level. A mark that finds no partner is
/// text, as written; so are marks in link text (URLs).
fn quotation_marks(
    chars: &[(char, usize)],
    pieces: &[Piece],
    quoting: &Quoting,
) -> HashMap<usize, (char, bool)> {
    struct Open {
        at: usize,
        closer: char,
        outer: bool,
    }
    let mut marks = HashMap::new();
    let mut open: Vec<Open> = Vec::new();
    let mut outer_straight: Option<char> = None;
    for (index, &(c, piece)) in chars.iter().enumerate() {
        if pieces[piece].link.is_some() {
            continue;
        }
        let previous = index.checked_sub(1).map(|i| chars[i].0);
        let next = chars.get(index + 1).map(|x| x.0);
        let apostrophe = matches!(c, '’' | '\'') && next.is_some_and(char::is_alphanumeric);
        if open.last().is_some_and(|top| top.closer == c) && !apostrophe {
            let top = open.pop().expect("checked above");
            let (opener, closer) = quoting.pair(top.outer);
            marks.insert(top.at, (opener, false));
            marks.insert(index, (closer, true));
            continue;
        }
        let closer = if c == quoting.outer.0 {
            Some((quoting.outer.1, true))
        } else if c == quoting.inner.0 {
            Some((quoting.inner.1, false))
        } else if matches!(c, '"' | '\'')
            && previous.is_none_or(|p| {
                p.is_whitespace()
                    || matches!(p, '(' | '[' | '"' | '\'')
                    || p == quoting.outer.0
                    || p == quoting.inner.0
            })
            && next.is_some_and(|n| !n.is_whitespace())
        {
            Some((c, *outer_straight.get_or_insert(c) == c))
        } else {
            None
        };
        if let Some((closer, own_level)) = closer {
            let outer = open.last().map_or(own_level, |top| !top.outer);
            open.push(Open {
                at: index,
                closer,
                outer,
            });
        }
    }
    marks
}

/// CSL's punctuation rules, which hayagriva leaves out: a period after
/// `.`, `?`, `!`, `;` or `:` (closing quotes between them allowed) is
/// dropped; so is
/// a comma before `)` or `.`, and the space hayagriva puts between a
/// volume and `:`; runs of spaces become one. With `punctuation_inside`
/// (American English) a period or comma after a closing quote moves inside
/// it.
///
/// Quotation marks are written with the locale's marks by level (see
/// [`quotation_marks`]): quotes in a field inside the style's quotes flip
/// (“…‘…’…”).
pub(super) fn tidy(pieces: Vec<Piece>, quoting: &Quoting) -> Vec<Piece> {
    let punctuation_in_quote = quoting.punctuation_inside;
    let mut chars: Vec<(char, usize)> = Vec::new();
    // Whether each character of `chars` is a closing quote written in a field.
    let mut from_data: Vec<bool> = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        for c in piece.text.chars() {
            if c == DATA_CLOSER {
                if let Some(last) = from_data.last_mut() {
                    *last = true;
                }
            } else {
                chars.push((c, i));
                from_data.push(false);
            }
        }
    }
    let mut out: Vec<(char, usize)> = Vec::with_capacity(chars.len());
    // Whether each character of `out` is a closing quote written in a field.
    let mut out_from_data: Vec<bool> = Vec::with_capacity(chars.len());
    let marks = quotation_marks(&chars, &pieces, quoting);
    // How many characters at the end of `out` are closing quotes.
    let mut closers = 0usize;
    // Whether the character before was a join: this one starts an affix.
    let mut at_join = false;
    // The end of a delimiter hayagriva wrote before nothing.
    let mut skip_to = 0;
    for (index, &(c, piece)) in chars.iter().enumerate() {
        if index < skip_to {
            continue;
        }
        if c == DELIMITER_JOIN
            && let Some(end) = delimiter_before_nothing(&chars, index)
        {
            skip_to = end;
            continue;
        }
        if is_join(c) {
            at_join = true;
            continue;
        }
        let starts_affix = std::mem::take(&mut at_join);
        let next = chars[index + 1..]
            .iter()
            .map(|x| x.0)
            .find(|&c| !is_join(c));
        let previous_significant = out
            .iter()
            .rev()
            .map(|x| x.0)
            .find(|&c| !quoting.is_closer(c));
        let mut emitted = c;
        let drop = match c {
            // Where an affix meets the text before it, citeproc-js drops
            // a punctuation mark that repeats the one the text ends with
            // (closing quotes between them allowed): "world." and a
            // suffix ". " give "world. ", a title's "," and a delimiter
            // ", " one comma.
            '.' | ',' | ';' | ':' | '!' | '?'
                if starts_affix && previous_significant == Some(c) =>
            {
                true
            }
            '.' => {
                let before = chars[..index]
                    .iter()
                    .rev()
                    .take_while(|x| x.0 == '.')
                    .count();
                let after = chars[index + 1..].iter().take_while(|x| x.0 == '.').count();
                match before + 1 + after {
                    // An ellipsis stays; `..` loses its second dot.
                    run if run >= 3 => false,
                    2 => before == 1,
                    // citeproc-js's punctuation merging also lets `;` and
                    // `:` absorb a period after them (MDPI's "1975;.").
                    _ => matches!(previous_significant, Some('.' | '?' | '!' | ';' | ':')),
                }
            }
            ',' => matches!(next, Some(')' | '.')),
            ' ' => {
                out.last().is_some_and(|x| x.0 == ' ')
                    || (next == Some(':') && out.last().is_some_and(|x| x.0.is_ascii_digit()))
            }
            _ => false,
        };
        if drop {
            continue;
        }
        let mut closing = false;
        if let Some(&(mark, closes)) = marks.get(&index) {
            emitted = mark;
            closing = closes;
        } else {
            // The closing quotes the punctuation would go before. For an
            // affix, all the text ends with when the style's are among
            // them (hayagriva's rule, which reads no quote levels:
            // citeproc-js puts the period of "… ‘Visual World’Eyetracking
            // Data”." inside); else, and for a field's own quotes alone,
            // those the quote levels closed (citeproc-js left "‘Uzbeks
            // abroad’," in Bristol).
            let (trailing, style_quote) = if starts_affix && matches!(c, '.' | ',' | '!' | '?') {
                out.iter()
                    .zip(&out_from_data)
                    .rev()
                    .take_while(|(x, _)| quoting.is_closer(x.0))
                    .fold((0, false), |(n, style), (_, data)| (n + 1, style || !data))
            } else {
                (0, false)
            };
            let (inside, before) = if style_quote {
                (quoting.affix_punctuation_inside, trailing)
            } else if starts_affix {
                (
                    quoting.affix_punctuation_inside && matches!(c, '.' | ','),
                    closers,
                )
            } else {
                (punctuation_in_quote && matches!(c, '.' | ','), closers)
            };
            if inside && before > 0 {
                let at = out.len() - before;
                out.insert(at, (c, out[at].1));
                out_from_data.insert(at, false);
                continue;
            }
        }
        out.push((emitted, piece));
        out_from_data.push(from_data[index]);
        closers = if closing { closers + 1 } else { 0 };
    }
    let mut result: Vec<Piece> = Vec::with_capacity(pieces.len());
    for (c, piece) in out {
        match result.last_mut() {
            Some(last) if last.style == pieces[piece].style && last.link == pieces[piece].link => {
                last.text.push(c)
            }
            _ => result.push(Piece {
                text: c.to_string(),
                style: pieces[piece].style,
                link: pieces[piece].link.clone(),
            }),
        }
    }
    result
}

/// Where the delimiter whose join is at `at` ends, if nothing but a
/// suffix, another delimiter or the end follows it: hayagriva writes a group's delimiter
/// before a child that it expects to print and that prints nothing (a
/// date whose only parts are missing), which citeproc-js never does.
fn delimiter_before_nothing(chars: &[(char, usize)], at: usize) -> Option<usize> {
    // The delimiter: spaces and punctuation (", ", ". ", " ").
    let length = chars[at + 1..]
        .iter()
        .take_while(|x| x.0.is_whitespace() || matches!(x.0, '.' | ',' | ';' | ':' | '!' | '?'))
        .count();
    let end = at + 1 + length;
    // A closing bracket after it is the group's own suffix (which is not
    // marked): APA's "(1996, )" for a date with a year only.
    chars
        .get(end)
        .is_none_or(|x| (is_join(x.0) && x.0 != PREFIX_JOIN) || matches!(x.0, ')' | ']'))
        .then_some(end)
}

pub(super) fn base_style(formatting: &hayagriva::Formatting) -> Style {
    use hayagriva::citationberg::{FontStyle, FontVariant, FontWeight, VerticalAlign};
    Style {
        italic: matches!(formatting.font_style, FontStyle::Italic),
        bold: matches!(formatting.font_weight, FontWeight::Bold),
        small_caps: matches!(formatting.font_variant, FontVariant::SmallCaps),
        superscript: matches!(formatting.vertical_align, VerticalAlign::Sup),
        subscript: matches!(formatting.vertical_align, VerticalAlign::Sub),
    }
}

pub(super) fn first_style(children: &ElemChildren) -> Option<Style> {
    children.0.iter().find_map(|c| match c {
        ElemChild::Text(t) => Some(base_style(&t.formatting)),
        ElemChild::Elem(e) => first_style(&e.children),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(pieces: &[Piece]) -> String {
        pieces.iter().map(|p| p.text.as_str()).collect()
    }

    fn plain(text: &str) -> Piece {
        Piece {
            text: text.to_owned(),
            style: Style::default(),
            link: None,
        }
    }

    #[test]
    fn punctuation_is_tidied_as_csl_prescribes() {
        for (raw, tidied) in [
            ("Alliance?. Publisher", "Alliance? Publisher"),
            ("Inaugurated.”. https://x", "Inaugurated.” https://x"),
            ("(1996,). Title", "(1996). Title"),
            ("Survey,. https", "Survey. https"),
            ("Archaeology 3 : 150–79", "Archaeology 3: 150–79"),
            ("et al..", "et al."),
            ("Press, 1975;.", "Press, 1975;"),
            ("Wait...", "Wait..."),
            ("a  b", "a b"),
            ("Title: Subtitle", "Title: Subtitle"),
        ] {
            assert_eq!(
                text_of(&tidy(vec![plain(raw)], &Quoting::default())),
                tidied
            );
        }
    }

    #[test]
    fn quotes_flip_inside_quotes_and_take_punctuation_in() {
        let american = Quoting {
            punctuation_inside: true,
            ..Quoting::default()
        };
        let out = tidy(
            vec![plain(
                "“Cold War to the “New Asia Initiative””. Journal, “Title”, and Korea’s.",
            )],
            &american,
        );
        assert_eq!(
            text_of(&out),
            "“Cold War to the ‘New Asia Initiative.’” Journal, “Title,” and Korea’s."
        );
        let british = tidy(vec![plain("“Title”, and")], &Quoting::default());
        assert_eq!(text_of(&british), "“Title”, and");
    }

    /// At the joins the affix marks leave, punctuation that repeats the
    /// mark before it goes, a delimiter before nothing goes, and an
    /// affix's punctuation goes inside quotes by the style's rule (the
    /// item's language aside). Outside joins, text stays as written.
    #[test]
    fn affixes_are_joined_at_their_marks() {
        use super::super::markup::SUFFIX_JOIN;
        let (s, d, p) = (SUFFIX_JOIN, DELIMITER_JOIN, PREFIX_JOIN);
        let cases = [
            (format!("world.{s}.{s}. Available"), "world. Available"),
            (format!("Book{s}. {s}. Pub"), "Book. . Pub"),
            (format!("Book{s}, {d}, Pub"), "Book, , Pub"),
            (format!("Book,{d}, Pub"), "Book, Pub"),
            (format!("Survey{d}, {s}. https"), "Survey. https"),
            (format!("(2000{d}, )"), "(2000)"),
            (format!("Title{d}, "), "Title"),
            (format!("Title{d}, {p}(x)"), "Title, (x)"),
            (format!("a{s}: {s}:b"), "a: :b"),
            ("std::vector,, x".to_owned(), "std::vector,, x"),
        ];
        for (raw, expected) in cases {
            let tidied = text_of(&tidy(vec![plain(&raw)], &Quoting::default()));
            assert_eq!(tidied, expected, "{raw:?}");
        }
        let german_item_in_american_style = Quoting {
            punctuation_inside: false,
            affix_punctuation_inside: true,
            ..Quoting::default()
        };
        let tidied = tidy(
            vec![plain(&format!("“Titel”{s}. Verlag, “Titel”. Verlag"))],
            &german_item_in_american_style,
        );
        assert_eq!(text_of(&tidied), "“Titel.” Verlag, “Titel”. Verlag");
    }

    /// What citeproc-js 2.4 prints for these titles in a text without
    /// quotes and in one with `quotes="true"` (whose marks hayagriva
    /// writes as the locale's outer ones), in en-US, en-GB and de-DE.
    #[test]
    fn quotation_marks_are_written_as_citeproc_js_writes_them() {
        let american = Quoting::default();
        let british = Quoting {
            outer: ('‘', '’'),
            inner: ('“', '”'),
            punctuation_inside: false,
            ..Quoting::default()
        };
        let german = Quoting {
            outer: ('„', '“'),
            inner: ('‚', '‘'),
            punctuation_inside: false,
            ..Quoting::default()
        };
        #[rustfmt::skip]
        let cases = [
            (&american, "A ‘x’ b", "A ‘x’ b", "“A ‘x’ b”"),
            (&american, "A 'x' b", "A “x” b", "“A ‘x’ b”"),
            (&american, "A “x” b", "A “x” b", "“A ‘x’ b”"),
            (&american, "A \"x\" b", "A “x” b", "“A ‘x’ b”"),
            (&american, "A “x ‘y’ z” b", "A “x ‘y’ z” b", "“A ‘x “y” z’ b”"),
            (&american, "A ‘x “y” z’ b", "A ‘x “y” z’ b", "“A ‘x “y” z’ b”"),
            (&american, "A 'x \"y\" z' b", "A “x ‘y’ z” b", "“A ‘x “y” z’ b”"),
            (&american, "A 'x' and \"y\"", "A “x” and ‘y’", "“A ‘x’ and ‘y’”"),
            (&american, "Korea’s ‘x’", "Korea’s ‘x’", "“Korea’s ‘x’”"),
            (&american, "A ‘x", "A ‘x", "“A ‘x”"),
            (&american, "A ‘x’y", "A ‘x’y", "“A ‘x’y”"),
            (&british, "A ‘x’ b", "A ‘x’ b", "‘A “x” b’"),
            (&british, "A \"x\" b", "A ‘x’ b", "‘A “x” b’"),
            (&british, "A “x” b", "A “x” b", "‘A “x” b’"),
            (&british, "A ‘x “y” z’ b", "A ‘x “y” z’ b", "‘A “x ‘y’ z” b’"),
            (&british, "Korea’s ‘x’", "Korea’s ‘x’", "‘Korea’s “x”’"),
            (&german, "A ‘x’ b", "A ‘x’ b", "„A ‘x’ b“"),
            (&german, "A 'x' b", "A „x“ b", "„A ‚x‘ b“"),
            (&german, "A “x ‘y’ z” b", "A “x ‘y’ z” b", "„A “x ‘y’ z” b“"),
            (&german, "A \"x 'y' z\" b", "A „x ‚y‘ z“ b", "„A ‚x „y“ z‘ b“"),
        ];
        for (quoting, raw, plain_text, quoted) in cases {
            assert_eq!(
                text_of(&tidy(vec![plain(raw)], quoting)),
                plain_text,
                "{raw}"
            );
            let in_quotes = format!("{}{raw}{}", quoting.outer.0, quoting.outer.1);
            assert_eq!(
                text_of(&tidy(vec![plain(&in_quotes)], quoting)),
                quoted,
                "{raw}"
            );
        }
        // A URL's quote is not touched.
        let link = Piece {
            text: "https://x.org/'a'".into(),
            style: Style::default(),
            link: Some("https://x.org/'a'".into()),
        };
        assert_eq!(text_of(&tidy(vec![link], &american)), "https://x.org/'a'");
    }

    #[test]
    fn tidying_keeps_styles_apart() {
        let italic = Piece {
            text: "Alliance?".into(),
            style: Style {
                italic: true,
                ..Style::default()
            },
            link: None,
        };
        let out = tidy(vec![italic, plain(". Publisher")], &Quoting::default());
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].text, " Publisher");
    }
}
