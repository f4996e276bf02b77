//! Citations in LaTeX: the biblatex and natbib citation commands, driven by
//! a table of command names and the shape of their arguments.
//!
//! The scanner walks the text once. It skips `%` comments (not `\%`),
//! `\verb`-like inline verbatim, URLs (whose `%` is not a comment), and the
//! verbatim-like environments, in which nothing is a command.

use std::collections::HashMap;

use super::{Citation, CiteKind, Declared, DeclaredHow, Include, IncludeHow, ScanOutput};

/// How a citation command takes its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    /// `\cite*[pre][post]{keys}`: up to two optional arguments, then the keys.
    /// Arguments after the keys (`\citefield{key}{field}`) are not read.
    Standard,
    /// `\cites(pre)(post)[pre][post]{keys}[pre][post]{keys}...`
    Multi,
    /// `\volcite[pre]{volume}[pages]{key}`: the first braces hold the volume.
    Volume,
    /// `\volcites(pre)(post)[pre]{volume}[pages]{key}...`
    MultiVolume,
}

/// The built-in citation commands. Starred forms are read by every command.
const DEFAULT_COMMANDS: &[(&str, Signature)] = {
    use Signature::*;
    &[
        // biblatex
        ("cite", Standard),
        ("Cite", Standard),
        ("parencite", Standard),
        ("Parencite", Standard),
        ("footcite", Standard),
        ("footcitetext", Standard),
        ("textcite", Standard),
        ("Textcite", Standard),
        ("smartcite", Standard),
        ("Smartcite", Standard),
        ("autocite", Standard),
        ("Autocite", Standard),
        ("supercite", Standard),
        ("citeauthor", Standard),
        ("Citeauthor", Standard),
        ("citetitle", Standard),
        ("Citetitle", Standard),
        ("citeyear", Standard),
        ("citedate", Standard),
        ("citeurl", Standard),
        ("citeurldate", Standard),
        ("fullcite", Standard),
        ("footfullcite", Standard),
        ("nocite", Standard),
        ("notecite", Standard),
        ("Notecite", Standard),
        ("pnotecite", Standard),
        ("Pnotecite", Standard),
        ("fnotecite", Standard),
        ("citefield", Standard),
        ("citename", Standard),
        ("citelist", Standard),
        // csquotes' integrated citations
        ("textcquote", Standard),
        ("blockcquote", Standard),
        // natbib
        ("citep", Standard),
        ("citet", Standard),
        ("citealp", Standard),
        ("citealt", Standard),
        ("citenum", Standard),
        ("citeyearpar", Standard),
        ("citetalias", Standard),
        ("citepalias", Standard),
        ("Citep", Standard),
        ("Citet", Standard),
        ("Citealp", Standard),
        ("Citealt", Standard),
        ("citefullauthor", Standard),
        // biblatex multicites
        ("cites", Multi),
        ("Cites", Multi),
        ("parencites", Multi),
        ("Parencites", Multi),
        ("footcites", Multi),
        ("footcitetexts", Multi),
        ("smartcites", Multi),
        ("Smartcites", Multi),
        ("textcites", Multi),
        ("Textcites", Multi),
        ("autocites", Multi),
        ("Autocites", Multi),
        ("supercites", Multi),
        // biblatex volume citations
        ("volcite", Volume),
        ("Volcite", Volume),
        ("pvolcite", Volume),
        ("Pvolcite", Volume),
        ("fvolcite", Volume),
        ("Fvolcite", Volume),
        ("ftvolcite", Volume),
        ("svolcite", Volume),
        ("Svolcite", Volume),
        ("tvolcite", Volume),
        ("Tvolcite", Volume),
        ("avolcite", Volume),
        ("Avolcite", Volume),
        ("volcites", MultiVolume),
        ("Volcites", MultiVolume),
        ("pvolcites", MultiVolume),
        ("Pvolcites", MultiVolume),
        ("fvolcites", MultiVolume),
        ("Fvolcites", MultiVolume),
        ("svolcites", MultiVolume),
        ("Svolcites", MultiVolume),
        ("tvolcites", MultiVolume),
        ("Tvolcites", MultiVolume),
        ("avolcites", MultiVolume),
        ("Avolcites", MultiVolume),
    ]
};

/// Environments whose body LaTeX reads verbatim (or not at all).
const VERBATIM_ENVIRONMENTS: &[&str] = &[
    "verbatim",
    "verbatim*",
    "Verbatim",
    "Verbatim*",
    "BVerbatim",
    "LVerbatim",
    "lstlisting",
    "minted",
    "comment",
    "filecontents",
    "filecontents*",
];

/// Commands whose argument is read verbatim between two equal delimiters.
const INLINE_VERBATIM: &[&str] = &["verb", "Verb", "lstinline", "mintinline"];

/// Commands whose first braced argument is a URL, in which `%` is literal.
const URL_COMMANDS: &[&str] = &["url", "href", "path", "nolinkurl"];

/// Macros whose names start with `if` but take arguments and no `\fi`
/// (etoolbox, ifthen): not counted as conditionals when skipping the text
/// of an `\iffalse`.
const IF_MACROS: &[&str] = &[
    "ifbool",
    "ifboolexpe",
    "ifboolexpr",
    "ifcsdef",
    "ifcsempty",
    "ifcsequal",
    "ifcsstrequal",
    "ifcsstring",
    "ifcsundef",
    "ifcsvoid",
    "ifdef",
    "ifdefempty",
    "ifdefequal",
    "ifdefmacro",
    "ifdefparam",
    "ifdefprefix",
    "ifdefprotected",
    "ifdefstrequal",
    "ifdefstring",
    "ifdefvoid",
    "ifdimcomp",
    "ifinlist",
    "ifinlistcs",
    "ifltxcounter",
    "ifndef",
    "ifnumcomp",
    "ifnumequal",
    "ifnumgreater",
    "ifnumless",
    "ifnumodd",
    "ifrmnum",
    "ifstrempty",
    "ifstrequal",
    "ifblank",
    "ifthenelse",
    "iftoggle",
    "ifundef",
];

/// The commands that read another file in, and how.
fn include_command(name: &str) -> Option<IncludeHow> {
    let import = |relative| IncludeHow::Import {
        dir: String::new(),
        relative,
    };
    Some(match name {
        "input" => IncludeHow::Input,
        "include" => IncludeHow::Include,
        "subfile" => IncludeHow::Subfile,
        "import" | "inputfrom" | "includefrom" => import(false),
        "subimport" | "subinputfrom" | "subincludefrom" => import(true),
        _ => return None,
    })
}

/// The commands that declare a bibliography, and how.
fn bibliography_command(name: &str) -> Option<DeclaredHow> {
    Some(match name {
        "addbibresource" | "addglobalbib" | "addsectionbib" => DeclaredHow::Biblatex,
        "bibliography" => DeclaredHow::Bibtex,
        _ => return None,
    })
}

/// The path in `range` without the spaces around it, and its span; `None`
/// when it is empty or written with a macro (`\input{\chapterdir/a}`),
/// which a static reader cannot resolve.
fn trimmed_path(
    text: &str,
    range: std::ops::Range<usize>,
) -> Option<(String, std::ops::Range<usize>)> {
    let written = &text[range.clone()];
    let path = written.trim();
    if path.is_empty() || path.contains(['\\', '#']) {
        return None;
    }
    let start = range.start + (written.len() - written.trim_start().len());
    Some((path.to_owned(), start..start + path.len()))
}

/// The citation commands the LaTeX scanner recognises, and the commands
/// whose argument it must not read.
#[derive(Debug, Clone)]
pub struct Commands {
    by_name: HashMap<String, Signature>,
    verbatim: Vec<String>,
}

impl Default for Commands {
    fn default() -> Self {
        Commands {
            by_name: DEFAULT_COMMANDS
                .iter()
                .map(|&(name, sig)| (name.to_owned(), sig))
                .collect(),
            verbatim: Vec::new(),
        }
    }
}

impl Commands {
    /// The built-in commands plus `extra` ones (names without the backslash),
    /// which take their arguments like `\cite`.
    pub fn with_extra<I, S>(extra: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut commands = Commands::default();
        for name in extra {
            let name = name.as_ref().trim_start_matches('\\');
            commands
                .by_name
                .entry(name.to_owned())
                .or_insert(Signature::Standard);
        }
        commands
    }

    /// Adds commands whose braced argument is not read, such as a macro
    /// that prints LaTeX code (`\code{\cite{key}}`) instead of running it.
    pub fn with_verbatim<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.verbatim.extend(
            names
                .into_iter()
                .map(|n| n.as_ref().trim_start_matches('\\').to_owned()),
        );
        self
    }

    /// The signature of a citation command, by name (without the backslash).
    pub fn get(&self, name: &str) -> Option<Signature> {
        self.by_name.get(name).copied()
    }

    fn is_verbatim(&self, name: &str) -> bool {
        self.verbatim.iter().any(|v| v == name)
    }
}

/// Finds every citation in a LaTeX text.
pub fn scan(text: &str, commands: &Commands) -> ScanOutput {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        out: ScanOutput::default(),
    };
    scanner.run(commands);
    scanner.out
}

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    out: ScanOutput,
}

impl Scanner<'_> {
    fn run(&mut self, commands: &Commands) {
        let mut pos = 0;
        while let Some(found) = memchr::memchr2(b'\\', b'%', &self.bytes[pos..]) {
            let at = pos + found;
            if self.bytes[at] == b'%' {
                pos = self.line_end(at);
                continue;
            }
            let name_end = self.command_end(at + 1);
            if name_end == at + 1 {
                // `\` followed by a non-letter (`\%`, `\\`, `\{`): one symbol.
                pos = (at + 2).min(self.bytes.len());
                continue;
            }
            let name = &self.text[at + 1..name_end];
            pos = name_end;
            if let Some(how) = include_command(name) {
                pos = self.include(name_end, how);
            } else if let Some(how) = bibliography_command(name) {
                pos = self.bibliography(name_end, how);
            } else if name == "includeonly" {
                pos = self.include_only(name_end);
            } else if name == "documentclass" {
                self.out.is_root = true;
            } else if name == "iffalse" || (name == "if" && self.is_if_zero(name_end)) {
                pos = self.skip_false_conditional(name_end);
            } else if let Some(signature) = commands.get(name) {
                pos = self.citation(name_end, signature, name == "nocite");
            } else if name == "begin" {
                pos = self.skip_verbatim_environment(name_end);
            } else if INLINE_VERBATIM.contains(&name) {
                pos = self.skip_inline_verbatim(name_end);
            } else if URL_COMMANDS.contains(&name) {
                pos = self.skip_url(name_end);
            } else if commands.is_verbatim(name) {
                pos = self
                    .group(self.skip_blank(name_end), b'{', b'}')
                    .map_or(name_end, |(_, end)| end);
            }
        }
    }

    /// After an include command: its path (and folder, for `\import`).
    fn include(&mut self, pos: usize, how: IncludeHow) -> usize {
        let mut pos = pos;
        if self.bytes.get(pos) == Some(&b'*') {
            pos += 1;
        }
        let how = match how {
            IncludeHow::Import { relative, .. } => {
                let Some((dir, after)) = self.group(self.skip_blank(pos), b'{', b'}') else {
                    return pos;
                };
                pos = after;
                IncludeHow::Import {
                    dir: self.text[dir].trim().to_owned(),
                    relative,
                }
            }
            how => how,
        };
        let start = self.skip_blank(pos);
        if let Some((inner, end)) = self.group(start, b'{', b'}') {
            self.push_path(inner, |path, span| Some(Include { path, span, how }));
            return end;
        }
        // `\input file`, plain TeX's form: the name runs to a space.
        if how == IncludeHow::Input && start > pos {
            let name_end = start
                + self.bytes[start..]
                    .iter()
                    .take_while(|b| {
                        !b.is_ascii_whitespace() && !matches!(b, b'%' | b'\\' | b'{' | b'}')
                    })
                    .count();
            if name_end > start {
                self.out.includes.push(Include {
                    path: self.text[start..name_end].to_owned(),
                    span: start..name_end,
                    how,
                });
                return name_end;
            }
        }
        pos
    }

    /// The path written in `inner` (spaces around it left out) as an include,
    /// unless it is empty or a macro.
    fn push_path(
        &mut self,
        inner: std::ops::Range<usize>,
        make: impl FnOnce(String, std::ops::Range<usize>) -> Option<Include>,
    ) {
        if let Some((path, span)) = trimmed_path(self.text, inner)
            && let Some(include) = make(path, span)
        {
            self.out.includes.push(include);
        }
    }

    /// After a bibliography command: each file it declares.
    fn bibliography(&mut self, pos: usize, how: DeclaredHow) -> usize {
        let mut how = how;
        let mut pos = pos;
        if how == DeclaredHow::Biblatex {
            let at = self.skip_blank(pos);
            if let Some((options, end)) = self.group(at, b'[', b']') {
                let options: String = self.text[options]
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                if options.contains("location=remote") {
                    how = DeclaredHow::Remote;
                }
                pos = end;
            }
        }
        let Some((inner, end)) = self.group(self.skip_blank(pos), b'{', b'}') else {
            return pos;
        };
        // `\bibliography{a,b}` names several files; biblatex's one each.
        let mut parts = Vec::new();
        if how == DeclaredHow::Bibtex {
            let mut start = inner.start;
            for comma in memchr::memchr_iter(b',', &self.bytes[inner.clone()]) {
                parts.push(start..inner.start + comma);
                start = inner.start + comma + 1;
            }
            parts.push(start..inner.end);
        } else {
            parts.push(inner);
        }
        for part in parts {
            if let Some((path, span)) = trimmed_path(self.text, part) {
                self.out.bibliographies.push(Declared { path, span, how });
            }
        }
        end
    }

    /// After `\includeonly`: the files it lets `\include` read.
    fn include_only(&mut self, pos: usize) -> usize {
        let Some((inner, end)) = self.group(self.skip_blank(pos), b'{', b'}') else {
            return pos;
        };
        let files = self.text[inner]
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect();
        self.out.include_only = Some(files);
        end
    }

    /// Whether `\if` at `pos` reads `\if0` followed by anything but `0`: a
    /// conditional written to be false.
    fn is_if_zero(&self, pos: usize) -> bool {
        self.bytes.get(pos) == Some(&b'0') && self.bytes.get(pos + 1) != Some(&b'0')
    }

    /// After `\iffalse` (or `\if0`): the offset after its `\fi` (or the
    /// `\else` that ends the false branch), conditionals inside counted as
    /// TeX counts them: a `\newif` conditional counts; the etoolbox and
    /// ifthen macros, which take arguments and no `\fi`, do not.
    fn skip_false_conditional(&self, pos: usize) -> usize {
        let mut depth = 0usize;
        let mut i = pos;
        while let Some(found) = memchr::memchr2(b'\\', b'%', &self.bytes[i..]) {
            let at = i + found;
            if self.bytes[at] == b'%' {
                i = self.line_end(at);
                continue;
            }
            let name_end = self.command_end(at + 1);
            i = name_end.max(at + 2).min(self.bytes.len());
            match &self.text[at + 1..name_end] {
                "fi" | "else" if depth == 0 => return name_end,
                "fi" => depth -= 1,
                name if name.starts_with("if") && !IF_MACROS.contains(&name) => depth += 1,
                _ => {}
            }
        }
        self.bytes.len()
    }

    /// End of a command name made of ASCII letters starting at `pos`.
    fn command_end(&self, pos: usize) -> usize {
        pos + self.bytes[pos..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count()
    }

    /// Offset just after the end of the line holding `pos`.
    fn line_end(&self, pos: usize) -> usize {
        memchr::memchr(b'\n', &self.bytes[pos..]).map_or(self.bytes.len(), |n| pos + n + 1)
    }

    /// Skips spaces, comments and at most one line break, as LaTeX does
    /// between the arguments of a command.
    fn skip_blank(&self, mut pos: usize) -> usize {
        let mut newline_seen = false;
        loop {
            match self.bytes.get(pos) {
                Some(b' ' | b'\t') => pos += 1,
                Some(b'%') => pos = self.line_end(pos),
                Some(b'\r') => pos += 1,
                Some(b'\n') if !newline_seen => {
                    newline_seen = true;
                    pos += 1;
                }
                _ => return pos,
            }
        }
    }

    /// A group opened by `open` at `pos`: its inner span and the offset after
    /// its closing delimiter. Braces nest inside brackets and parentheses.
    fn group(&self, pos: usize, open: u8, close: u8) -> Option<(std::ops::Range<usize>, usize)> {
        if self.bytes.get(pos) != Some(&open) {
            return None;
        }
        let mut depth = 0usize;
        let mut i = pos + 1;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' => i += 1,
                b'%' => {
                    i = self.line_end(i);
                    continue;
                }
                b'{' => depth += 1,
                b'}' if depth > 0 => depth -= 1,
                b if b == close && depth == 0 => return Some((pos + 1..i, i + 1)),
                b'}' => return None,
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// Optional arguments in `open`/`close` (at most `max`), returning the
    /// offset after the last one read.
    fn optional_args(&self, mut pos: usize, open: u8, close: u8, max: usize) -> usize {
        for _ in 0..max {
            let at = self.skip_blank(pos);
            match self.group(at, open, close) {
                Some((_, end)) => pos = end,
                None => break,
            }
        }
        pos
    }

    /// Reads a citation command's arguments from `pos` (just after its name);
    /// returns where scanning goes on.
    fn citation(&mut self, pos: usize, signature: Signature, nocite: bool) -> usize {
        let mut pos = pos;
        if self.bytes.get(pos) == Some(&b'*') {
            pos += 1;
        }
        let kind = if nocite {
            CiteKind::Nocite
        } else {
            CiteKind::Cite
        };
        match signature {
            Signature::Standard => {
                pos = self.optional_args(pos, b'[', b']', 2);
                match self.group(self.skip_blank(pos), b'{', b'}') {
                    Some((inner, end)) => {
                        self.keys(inner, kind, nocite);
                        end
                    }
                    None => pos,
                }
            }
            Signature::Volume => self.volume_group(pos, kind).unwrap_or(pos),
            Signature::Multi | Signature::MultiVolume => {
                pos = self.optional_args(pos, b'(', b')', 2);
                loop {
                    let next = if signature == Signature::Multi {
                        let after = self.optional_args(pos, b'[', b']', 2);
                        self.group(self.skip_blank(after), b'{', b'}')
                            .map(|(inner, end)| {
                                self.keys(inner, kind, false);
                                end
                            })
                    } else {
                        self.volume_group(pos, kind)
                    };
                    match next {
                        Some(end) => pos = end,
                        None => return pos,
                    }
                }
            }
        }
    }

    /// `[pre]{volume}[pages]{key}`: returns the offset after the key.
    fn volume_group(&mut self, pos: usize, kind: CiteKind) -> Option<usize> {
        let pos = self.optional_args(pos, b'[', b']', 1);
        let (_, after_volume) = self.group(self.skip_blank(pos), b'{', b'}')?;
        let pos = self.optional_args(after_volume, b'[', b']', 1);
        let (inner, end) = self.group(self.skip_blank(pos), b'{', b'}')?;
        self.keys(inner, kind, false);
        Some(end)
    }

    /// Splits a key list at commas; keys may span lines and carry comments.
    fn keys(&mut self, inner: std::ops::Range<usize>, kind: CiteKind, nocite: bool) {
        let mut start: Option<usize> = None;
        let mut end = inner.start;
        let mut i = inner.start;
        let push = |this: &mut Self, start: Option<usize>, end: usize| {
            let Some(start) = start else { return };
            let key = &this.text[start..end];
            if key == "*" && nocite {
                this.out.cite_all.push(start..end);
            } else if !key.contains(['\\', '#', '{', '}']) {
                // A macro or a macro parameter (`\cite{#1}` in a definition)
                // is not a key that can be checked.
                this.out.citations.push(Citation {
                    key: key.into(),
                    span: start..end,
                    kind,
                });
            }
        };
        while i < inner.end {
            match self.bytes[i] {
                b',' => {
                    push(self, start.take(), end);
                    i += 1;
                }
                b'%' => i = self.line_end(i).min(inner.end),
                b if b.is_ascii_whitespace() => i += 1,
                b'\\' => {
                    start.get_or_insert(i);
                    i = (i + 2).min(inner.end);
                    end = i;
                }
                _ => {
                    start.get_or_insert(i);
                    i += 1;
                    end = i;
                }
            }
        }
        push(self, start, end);
    }

    /// After `\url` and its kin: skips the braced URL, in which `%` and `\`
    /// are ordinary characters.
    fn skip_url(&self, pos: usize) -> usize {
        let open = self.skip_blank(pos);
        if self.bytes.get(open) != Some(&b'{') {
            return pos;
        }
        let mut depth = 0usize;
        for (i, &b) in self.bytes[open..].iter().enumerate() {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return open + i + 1;
                    }
                }
                b'\n' if self.bytes.get(open + i + 1) == Some(&b'\n') => break,
                _ => {}
            }
        }
        pos
    }

    /// After `\begin`: skips a verbatim-like environment, or nothing.
    fn skip_verbatim_environment(&self, pos: usize) -> usize {
        let Some((inner, after)) = self.group(self.skip_blank(pos), b'{', b'}') else {
            return pos;
        };
        let name = self.text[inner].trim();
        if !VERBATIM_ENVIRONMENTS.contains(&name) {
            return after;
        }
        let end_marker = format!("\\end{{{name}}}");
        match memchr::memmem::find(&self.bytes[after..], end_marker.as_bytes()) {
            Some(n) => after + n + end_marker.len(),
            None => self.bytes.len(),
        }
    }

    /// After `\verb` and its kin: skips `*`, `[options]`, `{language}` and the
    /// delimited text, which ends at the same delimiter on the same line.
    fn skip_inline_verbatim(&self, pos: usize) -> usize {
        let mut pos = pos;
        if self.bytes.get(pos) == Some(&b'*') {
            pos += 1;
        }
        pos = self.optional_args(pos, b'[', b']', 1);
        let Some(&delimiter) = self.bytes.get(pos) else {
            return pos;
        };
        let close = match delimiter {
            b'{' => {
                // `\lstinline{code}` or `\mintinline{lang}{code}`: skip groups.
                let mut after = pos;
                while let Some((_, end)) = self.group(after, b'{', b'}') {
                    after = end;
                }
                return after;
            }
            b' ' | b'\n' | b'\r' | b'\t' => return pos,
            other => other,
        };
        let line_end = self.line_end(pos + 1);
        match memchr::memchr(close, &self.bytes[pos + 1..line_end]) {
            Some(n) => pos + 1 + n + 1,
            None => line_end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<&str> {
        let out = scan(text, &Commands::default());
        for c in &out.citations {
            assert_eq!(&text[c.span.clone()], &*c.key, "span of {:?}", c.key);
        }
        out.citations
            .iter()
            .map(|c| &text[c.span.clone()])
            .collect()
    }

    #[test]
    fn biblatex_family_with_optional_arguments_and_stars() {
        assert_eq!(
            keys(r"\cite{a} \parencite*[see][p.~3]{b,c} \Textcite[{a [b]}]{d} \citeauthor*{e}"),
            vec!["a", "b", "c", "d", "e"]
        );
    }

    #[test]
    fn keys_may_hold_punctuation_and_span_lines_with_comments() {
        assert_eq!(
            keys("\\cite{doi:10.1/x.y, baez/article,\n  kim-2007_a % old: \\cite{no}\n , last}"),
            vec!["doi:10.1/x.y", "baez/article", "kim-2007_a", "last"]
        );
    }

    #[test]
    fn natbib_commands() {
        assert_eq!(
            keys(r"\citep[e.g.][]{a} \Citet{b} \citealp*{c} \citetalias{d} \citeyearpar{e}"),
            vec!["a", "b", "c", "d", "e"]
        );
    }

    #[test]
    fn multicites_read_every_group() {
        assert_eq!(
            keys(r"\cites(see)(and more)[p.~1]{a}[2]{b,c}{d} after {not}"),
            vec!["a", "b", "c", "d"]
        );
        assert_eq!(keys(r"\cites(see)()[30]{companion}"), vec!["companion"]);
    }

    #[test]
    fn volume_citations_skip_the_volume() {
        assert_eq!(
            keys(r"\volcite{2}[45]{key} \pvolcite[see]{3}{k2}"),
            vec!["key", "k2"]
        );
        assert_eq!(keys(r"\volcites{1}[2]{a}{3}{b}"), vec!["a", "b"]);
    }

    #[test]
    fn comments_and_verbatim_are_skipped() {
        let text = "% \\cite{c1}\n50\\% \\cite{yes} \\verb|\\cite{v}| \\verb*+\\cite{v2}+\n\
            \\begin{verbatim}\\cite{v3}\\end{verbatim}\\begin{lstlisting}[x]\n\\cite{v4}\n\\end{lstlisting}\n\
            \\begin{comment}\\cite{v5}\\end{comment}\\url{http://x/%20}\\cite{after}";
        assert_eq!(keys(text), vec!["yes", "after"]);
    }

    #[test]
    fn nocite_star_cites_everything() {
        let out = scan(r"\nocite{*} \nocite{a}", &Commands::default());
        assert_eq!(out.cite_all, vec![8..9]);
        assert_eq!(out.citations.len(), 1);
        assert_eq!(out.citations[0].kind, CiteKind::Nocite);
    }

    #[test]
    fn macro_arguments_are_not_keys() {
        assert_eq!(
            keys(r"\newcommand{\mycite}[1]{\cite{#1}} \cite{\x} \cite"),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn commands_that_only_start_like_cite_are_ignored() {
        assert_eq!(
            keys(r"\citereset \mancite \needcite \defcitealias{a}{A} \citex{b}"),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn extra_commands_from_the_config() {
        let commands = Commands::with_extra(["\\mycite", "needcite"]);
        let out = scan(r"\mycite[p.~2]{a} \needcite{b}", &commands);
        let found: Vec<&str> = out.citations.iter().map(|c| c.key.as_ref()).collect();
        assert_eq!(found, vec!["a", "b"]);
    }

    #[test]
    fn verbatim_commands_from_the_config_hide_their_argument() {
        let commands = Commands::default().with_verbatim(["code"]);
        let out = scan(r"\code{\cite{a1}} \cite{b}", &commands);
        let found: Vec<&str> = out.citations.iter().map(|c| c.key.as_ref()).collect();
        assert_eq!(found, vec!["b"]);
    }

    #[test]
    fn an_unclosed_argument_is_not_a_citation() {
        assert_eq!(keys(r"\cite{a"), Vec::<&str>::new());
        assert_eq!(keys(r"\cite[x{a} \cite{b}"), vec!["b"]);
    }

    #[test]
    fn arguments_may_follow_after_a_line_break_but_not_a_blank_line() {
        assert_eq!(keys("\\cite[p.~1]\n{a}"), vec!["a"]);
        assert_eq!(keys("\\cite\n\n{a}"), Vec::<&str>::new());
    }

    #[test]
    fn unicode_keys_keep_exact_spans() {
        assert_eq!(
            keys(r"Müller \cite{müller2020,김2007}"),
            vec!["müller2020", "김2007"]
        );
    }
}
