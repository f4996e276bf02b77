//! LaTeX in field values turned into text with formatting: accents and
//! special letters become Unicode, dashes and quotes become typographic,
//! `\emph{}`, `\textit{}`, `{\em ...}`, `\textbf{}`, `\textsc{}` become
//! formatting, and brace-protected text is marked so that case changes
//! leave it alone. No backslash command ever reaches the output: an
//! unknown command is dropped and its arguments kept as text.

use unicode_normalization::UnicodeNormalization;

use super::bibstrings::Language;

/// How a run of text is set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Style {
    /// Italic (`\\emph`, `\\textit`).
    pub italic: bool,
    /// Bold (`\\textbf`).
    pub bold: bool,
    /// Small capitals (`\\textsc`).
    pub small_caps: bool,
    /// Superscript (`\\textsuperscript`).
    pub superscript: bool,
    /// Subscript (`\\textsubscript`).
    pub subscript: bool,
}

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The text of the run.
    pub text: String,
    /// Its formatting.
    pub style: Style,
    /// Protected by braces (`{NASA}`): case changes must not touch it.
    pub nocase: bool,
}

/// Text with formatting, as a list of runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rich {
    /// The runs, in order.
    pub segments: Vec<Segment>,
}

impl Rich {
    /// Plain text.
    pub fn plain(text: impl Into<String>) -> Rich {
        let text = text.into();
        if text.is_empty() {
            return Rich::default();
        }
        Rich {
            segments: vec![Segment {
                text,
                style: Style::default(),
                nocase: false,
            }],
        }
    }

    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.segments.iter().all(|s| s.text.is_empty())
    }

    /// The text without formatting.
    pub fn text(&self) -> String {
        self.segments.iter().map(|s| s.text.as_str()).collect()
    }

    /// Appends a run, merging it with the last one when they look alike.
    pub fn push(&mut self, text: &str, style: Style, nocase: bool) {
        if text.is_empty() {
            return;
        }
        if let Some(last) = self.segments.last_mut()
            && last.style == style
            && last.nocase == nocase
        {
            last.text.push_str(text);
            return;
        }
        self.segments.push(Segment {
            text: text.to_owned(),
            style,
            nocase,
        });
    }

    /// Adds the runs of another text at the end.
    pub fn append(&mut self, other: &Rich) {
        for s in &other.segments {
            self.push(&s.text, s.style, s.nocase);
        }
    }

    /// A word that is partly protected (`{D}edekind`, `{T}e{X}book`) is
    /// protected whole: that is what its author meant, and a case change
    /// applied to the rest makes `DEdekind` (citeproc-js does).
    fn protect_whole_words(&mut self) {
        if !self.segments.iter().any(|s| s.nocase) || self.segments.iter().all(|s| s.nocase) {
            return;
        }
        let mut chars: Vec<(char, Style, bool)> = self
            .segments
            .iter()
            .flat_map(|s| s.text.chars().map(move |c| (c, s.style, s.nocase)))
            .collect();
        let mut start = 0;
        while start < chars.len() {
            if !chars[start].0.is_alphanumeric() {
                start += 1;
                continue;
            }
            let end = start
                + chars[start..]
                    .iter()
                    .take_while(|c| c.0.is_alphanumeric())
                    .count();
            if chars[start..end].iter().any(|c| c.2) {
                chars[start..end].iter_mut().for_each(|c| c.2 = true);
            }
            start = end;
        }
        self.segments.clear();
        for (c, style, nocase) in chars {
            self.push(c.encode_utf8(&mut [0u8; 4]), style, nocase);
        }
    }

    /// Collapses runs of whitespace to one space and trims both ends.
    fn normalise_space(&mut self) {
        let mut previous_space = true;
        for segment in &mut self.segments {
            let mut out = String::with_capacity(segment.text.len());
            for c in segment.text.chars() {
                // A non-breaking space (from `~`) is kept as it is.
                if c.is_whitespace() && c != '\u{a0}' {
                    if !previous_space {
                        out.push(' ');
                    }
                    previous_space = true;
                } else {
                    out.push(c);
                    previous_space = false;
                }
            }
            segment.text = out;
        }
        if let Some(last) = self.segments.iter_mut().rev().find(|s| !s.text.is_empty()) {
            let trimmed = last.text.trim_end_matches(' ').len();
            last.text.truncate(trimmed);
        }
        self.segments.retain(|s| !s.text.is_empty());
    }
}

/// Converts a field value written in LaTeX; `\bibstring{...}` reads as
/// English (see [`parse_in`]).
pub fn parse(latex: &str) -> Rich {
    parse_in(latex, Language::default())
}

/// Converts a field value written in LaTeX, with biblatex's
/// `\bibstring{key}` commands in `language`.
pub fn parse_in(latex: &str, language: Language) -> Rich {
    let mut parser = Parser {
        chars: latex.chars().collect(),
        pos: 0,
        out: Rich::default(),
        depth: 0,
        language,
    };
    parser.group(Style::default(), false, None);
    parser.out.normalise_space();
    parser.out.protect_whole_words();
    parser.out
}

/// Recursion is bounded: deeper groups are read as flat text, so a hostile
/// value with 100,000 nested braces cannot overflow the stack.
const MAX_DEPTH: usize = 64;

struct Parser {
    chars: Vec<char>,
    pos: usize,
    out: Rich,
    depth: usize,
    language: Language,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn emit(&mut self, text: &str, style: Style, nocase: bool) {
        self.out.push(text, style, nocase);
    }

    /// Reads until `close` (or the end), in `style`; declarations such as
    /// `\em` change the style for the rest of the group.
    fn group(&mut self, mut style: Style, nocase: bool, close: Option<char>) {
        while let Some(c) = self.peek() {
            if Some(c) == close {
                self.pos += 1;
                return;
            }
            match c {
                '\\' => {
                    self.pos += 1;
                    self.command(&mut style, nocase);
                }
                '{' => {
                    self.pos += 1;
                    // `{\"o}` is a "special character", not case protection,
                    // as BibTeX reads it; `{NASA}` protects its case.
                    let special = self.peek() == Some('\\');
                    self.nested(style, nocase || !special, Some('}'));
                }
                '}' => self.pos += 1, // unbalanced: ignore
                '$' => self.math(style),
                '~' => {
                    self.pos += 1;
                    self.emit("\u{a0}", style, nocase);
                }
                '-' => {
                    let run = self.chars[self.pos..]
                        .iter()
                        .take_while(|&&c| c == '-')
                        .count();
                    self.pos += run;
                    let text = match run {
                        1 => "-".to_owned(),
                        2 => "\u{2013}".to_owned(),
                        3 => "\u{2014}".to_owned(),
                        n => "\u{2014}".to_owned() + &"-".repeat(n - 3),
                    };
                    self.emit(&text, style, nocase);
                }
                '"' => {
                    // A straight double quote opens after a space or at the
                    // start, and closes otherwise (citeproc-js curls them so).
                    self.pos += 1;
                    let opens = self.pos < 2
                        || self.chars[self.pos - 2].is_whitespace()
                        || "([{".contains(self.chars[self.pos - 2]);
                    self.emit(if opens { "\u{201c}" } else { "\u{201d}" }, style, nocase);
                }
                '`' => {
                    let double = self.peek_at(1) == Some('`');
                    self.pos += if double { 2 } else { 1 };
                    self.emit(if double { "\u{201c}" } else { "\u{2018}" }, style, nocase);
                }
                '\'' => {
                    let double = self.peek_at(1) == Some('\'');
                    self.pos += if double { 2 } else { 1 };
                    self.emit(if double { "\u{201d}" } else { "\u{2019}" }, style, nocase);
                }
                _ => {
                    self.pos += 1;
                    let mut buffer = [0u8; 4];
                    self.emit(c.encode_utf8(&mut buffer), style, nocase);
                }
            }
        }
    }

    fn nested(&mut self, style: Style, nocase: bool, close: Option<char>) {
        if self.depth >= MAX_DEPTH {
            // Too deep: the rest of this group is taken as it stands.
            let end = self.find_close();
            let text: String = self.chars[self.pos..end]
                .iter()
                .filter(|c| !matches!(c, '{' | '}'))
                .collect();
            self.emit(&text, style, nocase);
            self.pos = (end + 1).min(self.chars.len());
            return;
        }
        self.depth += 1;
        self.group(style, nocase, close);
        self.depth -= 1;
    }

    /// The position of the `}` that closes the current group.
    fn find_close(&self) -> usize {
        let mut depth = 0usize;
        for (i, &c) in self.chars[self.pos..].iter().enumerate() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => return self.pos + i,
                '}' => depth -= 1,
                _ => {}
            }
        }
        self.chars.len()
    }

    /// Reads a command name after `\`.
    fn name(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        if self.pos == start {
            // A one-character command such as `\'` or `\&`.
            if let Some(c) = self.peek() {
                self.pos += 1;
                return c.to_string();
            }
        } else {
            // TeX drops the spaces after a command word.
            while self
                .peek()
                .is_some_and(|c| c == ' ' || c == '\t' || c == '\n')
            {
                self.pos += 1;
            }
        }
        self.chars[start..self.pos]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_owned()
    }

    /// The text of the next argument (a group or one character), read in a
    /// fresh buffer: for accents and commands that take plain text.
    fn argument_text(&mut self) -> String {
        while self.peek().is_some_and(|c| c == ' ') {
            self.pos += 1;
        }
        let saved = std::mem::take(&mut self.out);
        match self.peek() {
            Some('{') => {
                self.pos += 1;
                self.nested(Style::default(), false, Some('}'));
            }
            Some('\\') => {
                self.pos += 1;
                let mut style = Style::default();
                self.command(&mut style, false);
            }
            Some(c) => {
                self.pos += 1;
                self.out.push(&c.to_string(), Style::default(), false);
            }
            None => {}
        }

        std::mem::replace(&mut self.out, saved).text()
    }

    /// Reads a braced argument into the output with a style.
    fn styled_argument(&mut self, style: Style, nocase: bool) {
        while self.peek().is_some_and(|c| c == ' ') {
            self.pos += 1;
        }
        if self.peek() == Some('{') {
            self.pos += 1;
            self.nested(style, nocase, Some('}'));
        } else if let Some(c) = self.peek() {
            self.pos += 1;
            self.emit(&c.to_string(), style, nocase);
        }
    }

    /// Skips one optional `[...]` argument.
    fn skip_optional(&mut self) {
        if self.peek() == Some('[') {
            while let Some(c) = self.peek() {
                self.pos += 1;
                if c == ']' {
                    break;
                }
            }
        }
    }

    fn skip_braced(&mut self) {
        if self.peek() == Some('{') {
            self.pos += 1;
            self.pos = (self.find_close() + 1).min(self.chars.len());
        }
    }

    fn command(&mut self, style: &mut Style, nocase: bool) {
        let name = self.name();
        if let Some(mark) = accent(&name) {
            let base = self.argument_text();
            let base = match base.as_str() {
                "ı" => "i".to_owned(),
                "ȷ" => "j".to_owned(),
                other => other.to_owned(),
            };
            let mut chars = base.chars();
            let composed: String = match chars.next() {
                Some(first) => std::iter::once(first)
                    .chain(std::iter::once(mark))
                    .chain(chars)
                    .nfc()
                    .collect(),
                None => mark.to_string(),
            };
            self.emit(&composed, *style, nocase);
            return;
        }
        if let Some(text) = symbol(&name) {
            if name.chars().all(|c| c.is_ascii_alphabetic())
                && self.peek() == Some('{')
                && self.peek_at(1) == Some('}')
            {
                self.pos += 2; // `\o{}`
            }
            self.emit(text, *style, nocase);
            return;
        }
        match name.as_str() {
            "emph" | "mkbibemph" => self.styled_argument(
                Style {
                    italic: !style.italic,
                    ..*style
                },
                nocase,
            ),
            "textit" | "textsl" | "mkbibitalic" => self.styled_argument(
                Style {
                    italic: true,
                    ..*style
                },
                nocase,
            ),
            "textbf" | "mkbibbold" => self.styled_argument(
                Style {
                    bold: true,
                    ..*style
                },
                nocase,
            ),
            "textsc" => self.styled_argument(
                Style {
                    small_caps: true,
                    ..*style
                },
                nocase,
            ),
            "textup" | "textrm" | "textnormal" | "textsf" | "texttt" | "textmd" => self
                .styled_argument(
                    Style {
                        italic: false,
                        bold: false,
                        small_caps: false,
                        ..*style
                    },
                    nocase,
                ),
            "textsuperscript" | "mkbibsuperscript" => self.styled_argument(
                Style {
                    superscript: true,
                    ..*style
                },
                nocase,
            ),
            "textsubscript" | "mkbibsubscript" => self.styled_argument(
                Style {
                    subscript: true,
                    ..*style
                },
                nocase,
            ),
            "mkbibquote" | "enquote" | "mkbibquotes" => {
                self.emit("\u{201c}", *style, nocase);
                self.styled_argument(*style, nocase);
                self.emit("\u{201d}", *style, nocase);
            }
            "mkbibparens" | "mkbibbrackets" => {
                let (open, close) = if name == "mkbibparens" {
                    ("(", ")")
                } else {
                    ("[", "]")
                };
                self.emit(open, *style, nocase);
                self.styled_argument(*style, nocase);
                self.emit(close, *style, nocase);
            }
            "bibstring" | "biblstring" | "bibsstring" | "bibcpstring" | "bibcplstring"
            | "bibcpsstring" | "bibucstring" | "bibuclstring" | "bibucsstring" => {
                self.skip_optional();
                self.bibstring(&name, *style, nocase);
            }
            "mbox" | "hbox" | "text" | "ensuremath" => self.styled_argument(*style, nocase),
            "NoCaseChange" | "nocase" | "MakeUppercase" | "MakeLowercase" | "uppercase"
            | "lowercase" => self.styled_argument(*style, true),
            "url" | "path" | "nolinkurl" => {
                let url = self.raw_argument();
                self.emit(&url, *style, true);
            }
            "href" => {
                self.skip_braced();
                self.styled_argument(*style, nocase);
            }
            // Declarations: they last to the end of the group.
            "em" => style.italic = !style.italic,
            "it" | "itshape" | "sl" | "slshape" => style.italic = true,
            "bf" | "bfseries" => style.bold = true,
            "sc" | "scshape" => style.small_caps = true,
            "rm" | "normalfont" | "upshape" | "rmfamily" | "mdseries" | "sffamily" | "ttfamily"
            | "sf" | "tt" => {
                style.italic = false;
                style.bold = false;
                style.small_caps = false;
            }
            "cite" | "footnote" | "label" | "index" | "hspace" | "vspace" | "hskip" | "kern"
            | "ignorespaces" | "relax" | "protect" | "noopsort" | "sortkey" => {
                // Sorting hacks (`\noopsort{1998}`) and layout commands print nothing.
                self.skip_optional();
                if matches!(
                    name.as_str(),
                    "noopsort" | "sortkey" | "label" | "index" | "hspace" | "vspace"
                ) {
                    self.skip_braced();
                }
            }
            _ => {
                // An unknown command: its name goes, its arguments stay as text.
                self.skip_optional();
                if self.peek() == Some('{') {
                    self.styled_argument(*style, nocase);
                }
            }
        }
    }

    /// biblatex's `\bibstring{key}` and its kin: the key's words in the
    /// parser's language (the long form, as CSL data wants words whole),
    /// capitalised as the command says (`\bibcpstring`: first letter,
    /// `\bibucstring`: all). An unknown key is printed as written, as
    /// pandoc prints it (biblatex prints it in bold with a warning).
    fn bibstring(&mut self, command: &str, style: Style, nocase: bool) {
        let key = self.raw_argument();
        let Some(text) = self.language.get(&key) else {
            self.emit(key.trim(), style, nocase);
            return;
        };
        let words = parse_in(text, self.language);
        let mut first = true;
        for segment in &words.segments {
            let text = if command.starts_with("bibuc") {
                segment.text.to_uppercase()
            } else if command.starts_with("bibcp") && first {
                let mut chars = segment.text.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            } else {
                segment.text.clone()
            };
            first = false;
            let merged = Style {
                italic: style.italic ^ segment.style.italic,
                bold: style.bold || segment.style.bold,
                small_caps: style.small_caps || segment.style.small_caps,
                superscript: style.superscript || segment.style.superscript,
                subscript: style.subscript || segment.style.subscript,
            };
            self.emit(&text, merged, nocase || segment.nocase);
        }
    }

    /// A braced argument taken character by character (URLs).
    fn raw_argument(&mut self) -> String {
        if self.peek() != Some('{') {
            return String::new();
        }
        self.pos += 1;
        let end = self.find_close();
        let text: String = self.chars[self.pos..end].iter().collect();
        self.pos = (end + 1).min(self.chars.len());
        text
    }

    /// `$...$`: common symbols and Greek letters become Unicode, `^x` and
    /// `_x` superscripts and subscripts; the rest is kept as written.
    fn math(&mut self, style: Style) {
        self.pos += 1;
        let display = self.peek() == Some('$');
        if display {
            self.pos += 1;
        }
        while let Some(c) = self.peek() {
            match c {
                '$' => {
                    self.pos += if display { 2 } else { 1 };
                    return;
                }
                '\\' => {
                    self.pos += 1;
                    let name = self.name();
                    let text = greek(&name).or_else(|| symbol(&name)).unwrap_or("");
                    self.emit(text, style, true);
                }
                '^' | '_' => {
                    self.pos += 1;
                    let script = if c == '^' {
                        Style {
                            superscript: true,
                            ..style
                        }
                    } else {
                        Style {
                            subscript: true,
                            ..style
                        }
                    };
                    let text = self.argument_text();
                    self.emit(&text, script, true);
                }
                '{' | '}' => self.pos += 1,
                _ => {
                    self.pos += 1;
                    self.emit(&c.to_string(), style, true);
                }
            }
        }
    }
}

/// The combining mark an accent command puts on its argument.
fn accent(name: &str) -> Option<char> {
    Some(match name {
        "'" => '\u{301}',
        "`" => '\u{300}',
        "^" => '\u{302}',
        "\"" => '\u{308}',
        "~" => '\u{303}',
        "=" => '\u{304}',
        "." => '\u{307}',
        "u" => '\u{306}',
        "v" => '\u{30c}',
        "H" => '\u{30b}',
        "c" => '\u{327}',
        "k" => '\u{328}',
        "r" => '\u{30a}',
        "d" => '\u{323}',
        "b" => '\u{331}',
        "t" => '\u{361}',
        _ => return None,
    })
}

/// Commands that stand for one character or a fixed text.
fn symbol(name: &str) -> Option<&'static str> {
    Some(match name {
        "o" => "ø",
        "O" => "Ø",
        "l" => "ł",
        "L" => "Ł",
        "ss" => "ß",
        "SS" => "SS",
        "ae" => "æ",
        "AE" => "Æ",
        "oe" => "œ",
        "OE" => "Œ",
        "aa" => "å",
        "AA" => "Å",
        "i" => "ı",
        "j" => "ȷ",
        "dh" => "ð",
        "DH" => "Ð",
        "th" => "þ",
        "TH" => "Þ",
        "ng" => "ŋ",
        "NG" => "Ŋ",
        "dj" => "đ",
        "DJ" => "Đ",
        "&" => "&",
        "%" => "%",
        "$" => "$",
        "#" => "#",
        "_" => "_",
        "{" => "{",
        "}" => "}",
        " " | "\n" | "\t" => " ",
        "," | "thinspace" => "\u{2009}",
        ";" | ":" | "enspace" | "quad" | "qquad" => " ",
        "!" | "-" | "/" | "@" | "allowbreak" | "linebreak" | "newline" | "break" | "par" => "",
        "\\" => " ",
        // biblatex's punctuation and spacing commands (manual, 4.7.3-4.7.4)
        // and its hyphens (`\hyphen`: a hyphen that leaves the rest of a
        // compound word breakable; `\hyphenate`: a discretionary one).
        "adddot" | "addperiod" => ".",
        "addcomma" => ",",
        "addsemicolon" => ";",
        "addcolon" => ":",
        "addquestion" => "?",
        "addexclam" => "!",
        "addslash" | "slash" => "/",
        "adddotspace" => ". ",
        "addspace" | "addlowpenspace" | "addhighpenspace" | "addabbrvspace" | "space" => " ",
        "addnbspace" => "\u{a0}",
        "addthinspace" | "addlpthinspace" | "addhpthinspace" | "addabthinspace" => "\u{2009}",
        "addnbthinspace" => "\u{202f}",
        "hyphen" | "nbhyphen" => "-",
        "hyphenate" | "noligature" | "isdot" | "nopunct" | "unspace" => "",
        "bibrangedash" | "bibdaterangesep" => "\u{2013}",
        "bibopenparen" => "(",
        "bibcloseparen" => ")",
        "bibopenbracket" => "[",
        "bibclosebracket" => "]",
        "textendash" => "\u{2013}",
        "textemdash" => "\u{2014}",
        "textquoteleft" | "lq" => "\u{2018}",
        "textquoteright" | "rq" => "\u{2019}",
        "textquotedblleft" => "\u{201c}",
        "textquotedblright" => "\u{201d}",
        "guillemotleft" | "guillemetleft" => "«",
        "guillemotright" | "guillemetright" => "»",
        "textbackslash" | "backslash" => "\\",
        "textasciitilde" => "~",
        "textasciicircum" => "^",
        "textbar" => "|",
        "textless" => "<",
        "textgreater" => ">",
        "textdollar" => "$",
        "textunderscore" => "_",
        "textbraceleft" => "{",
        "textbraceright" => "}",
        "S" | "textsection" => "§",
        "P" | "textparagraph" => "¶",
        "dag" | "textdagger" => "†",
        "ddag" | "textdaggerdbl" => "‡",
        "copyright" | "textcopyright" => "©",
        "textregistered" => "®",
        "texttrademark" => "™",
        "pounds" | "textsterling" => "£",
        "euro" | "texteuro" => "€",
        "textdegree" => "°",
        "ldots" | "dots" | "textellipsis" => "…",
        "nobreakspace" => "\u{a0}",
        "TeX" => "TeX",
        "LaTeX" => "LaTeX",
        "BibTeX" => "BibTeX",
        "XeTeX" => "XeTeX",
        "LuaTeX" => "LuaTeX",
        "times" => "×",
        "pm" => "±",
        "cdot" => "·",
        "leq" | "le" => "≤",
        "geq" | "ge" => "≥",
        "neq" | "ne" => "≠",
        "approx" => "≈",
        "sim" => "∼",
        "infty" => "∞",
        "rightarrow" | "to" => "→",
        "leftarrow" => "←",
        "textperiodcentered" => "·",
        _ => return None,
    })
}

fn greek(name: &str) -> Option<&'static str> {
    Some(match name {
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "delta" => "δ",
        "epsilon" | "varepsilon" => "ε",
        "zeta" => "ζ",
        "eta" => "η",
        "theta" => "θ",
        "iota" => "ι",
        "kappa" => "κ",
        "lambda" => "λ",
        "mu" => "μ",
        "nu" => "ν",
        "xi" => "ξ",
        "pi" => "π",
        "rho" => "ρ",
        "sigma" => "σ",
        "tau" => "τ",
        "upsilon" => "υ",
        "phi" | "varphi" => "φ",
        "chi" => "χ",
        "psi" => "ψ",
        "omega" => "ω",
        "Gamma" => "Γ",
        "Delta" => "Δ",
        "Theta" => "Θ",
        "Lambda" => "Λ",
        "Xi" => "Ξ",
        "Pi" => "Π",
        "Sigma" => "Σ",
        "Phi" => "Φ",
        "Psi" => "Ψ",
        "Omega" => "Ω",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(latex: &str) -> String {
        parse(latex).text()
    }

    #[test]
    fn accents_and_special_letters() {
        assert_eq!(
            text(
                r#"{\"o} \"u \"{a} \v{s} {\'\i} \'e \`a \^o \~n \c{c} \k{a} \H{o} \r{a} \=a \.z \u{g}"#
            ),
            "ö ü ä š í é à ô ñ ç ą ő å ā ż ğ"
        );
        // TeX drops the space after a command word: `\l \ss` is "łß".
        assert_eq!(
            text(r"\o\ \O{} {\l} \ss{} \ae \OE \aa \i \j"),
            "ø Ø ł ß æŒåıȷ"
        );
        assert_eq!(
            text(r#"Sch{\"o}nberg and Dvo\v{r}\'ak"#),
            "Schönberg and Dvořák"
        );
    }

    #[test]
    fn dashes_quotes_and_ties() {
        assert_eq!(
            text("1990--1991 --- a-b ``quoted'' `single' it's"),
            "1990–1991 — a-b “quoted” ‘single’ it’s"
        );
        assert_eq!(text("vol.~3"), "vol.\u{a0}3");
        assert_eq!(
            text(r#"for "à la carte" dating"#),
            "for “à la carte” dating"
        );
    }

    #[test]
    fn biblatex_punctuation_hyphens_and_brackets() {
        assert_eq!(
            text(r"methodology\hyphen independent, non\nbhyphen linear, hyphen\hyphenate ation"),
            "methodology-independent, non-linear, hyphenation"
        );
        assert_eq!(
            text(r"U.S\adddotspace patent\addcomma\addspace vol\adddot~3\addcolon\addspace x"),
            "U.S. patent, vol.\u{a0}3: x"
        );
        assert_eq!(
            text(r"12\bibrangedash 14 \mkbibparens{a} \mkbibbrackets{b}"),
            "12–14 (a) [b]"
        );
    }

    #[test]
    fn bibstrings_read_in_the_language_asked_for() {
        assert_eq!(
            text(r"Published \bibstring{inpress}; \bibcpstring{newseries}, \bibucstring{jourser}"),
            "Published in press; New series, SERIES"
        );
        assert_eq!(
            parse_in(r"\bibstring{inpress}", Language::of("de-DE")).text(),
            "im Druck"
        );
        // A key biblatex does not know is printed as written.
        assert_eq!(text(r"\bibstring{nosuchkey} x"), "nosuchkey x");
        // Formatting around the command carries over to its words.
        let rich = parse(r"\emph{\bibstring{newseries}}");
        assert_eq!(rich.text(), "new series");
        assert!(rich.segments.iter().all(|s| s.style.italic));
    }

    #[test]
    fn escapes_and_unknown_commands_leave_no_backslash() {
        assert_eq!(
            text(r"A \& B 50\% \$5 \#1 a\_b \textbackslash"),
            "A & B 50% $5 #1 a_b \\"
        );
        assert_eq!(
            text(r"\unknowncommand{kept} \foo bar \noopsort{1998}x"),
            "kept bar x"
        );
        assert!(!text(r"\weird[opt]{a}\x{b}\\").contains('\\'));
    }

    #[test]
    fn formatting_commands_and_declarations() {
        let rich = parse(r"A \emph{B} {\em C} \textit{D} \textbf{E} \textsc{F} {\bf G}");
        let styled: Vec<(&str, bool, bool, bool)> = rich
            .segments
            .iter()
            .map(|s| {
                (
                    s.text.as_str(),
                    s.style.italic,
                    s.style.bold,
                    s.style.small_caps,
                )
            })
            .collect();
        assert_eq!(
            styled,
            vec![
                ("A ", false, false, false),
                ("B", true, false, false),
                (" ", false, false, false),
                ("C", true, false, false),
                (" ", false, false, false),
                ("D", true, false, false),
                (" ", false, false, false),
                ("E", false, true, false),
                (" ", false, false, false),
                ("F", false, false, true),
                (" ", false, false, false),
                ("G", false, true, false),
            ]
        );
    }

    #[test]
    fn emph_inside_italic_flips_back() {
        let rich = parse(r"\textit{A \emph{B}}");
        assert_eq!(rich.segments[1].text, "B");
        assert!(!rich.segments[1].style.italic);
    }

    #[test]
    fn braces_protect_case_but_special_characters_do_not() {
        let rich = parse(r#"The {SDGs} of {\"O}sterreich and {TUGboat}"#);
        let protected: Vec<&str> = rich
            .segments
            .iter()
            .filter(|s| s.nocase)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(protected, vec!["SDGs", "TUGboat"]);
        assert_eq!(rich.text(), "The SDGs of Österreich and TUGboat");
    }

    #[test]
    fn a_partly_protected_word_is_protected_whole() {
        let rich = parse(r"The {D}edekind Reals in Co{Q} and {NASA} Stuff");
        let protected: Vec<&str> = rich
            .segments
            .iter()
            .filter(|s| s.nocase)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(protected, vec!["Dedekind", "CoQ", "NASA"]);
    }

    #[test]
    fn math_becomes_unicode() {
        assert_eq!(
            text(r"$\alpha$-helix at $T_c$ and $10^{3}$ $\leq$"),
            "α-helix at Tc and 103 ≤"
        );
        let rich = parse(r"$x^2$");
        assert!(
            rich.segments
                .iter()
                .any(|s| s.text == "2" && s.style.superscript)
        );
    }

    #[test]
    fn urls_keep_their_characters() {
        assert_eq!(
            text(r"see \url{https://x.org/a_b%20c--d}"),
            "see https://x.org/a_b%20c--d"
        );
        assert_eq!(text(r"\href{https://x.org}{the site}"), "the site");
    }

    #[test]
    fn whitespace_is_collapsed() {
        assert_eq!(text("  a \n  b  "), "a b");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = format!("{}x{}", "{".repeat(100_000), "}".repeat(100_000));
        assert_eq!(text(&deep), "x");
    }
}
