//! Diagnostics as plain data: a stable code, a severity, a message, the
//! place it points at, and an optional help line. Checks create them;
//! renderers print them. Nothing here knows about terminals or JSON.

use crate::source::{FileId, Span};

/// How serious a finding is. The exit status follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $severity:ident, $summary:literal, $explanation:literal; )*) => {
        /// A stable, kebab-case diagnostic code. These names are a public
        /// interface: scripts and CI configurations match on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code { $( $(#[$doc])* $variant, )* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The severity a finding gets unless the configuration says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// One line: what the code flags.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }

            /// The long explanation printed by `refkeeper explain`.
            pub fn explanation(self) -> &'static str {
                match self { $( Code::$variant => $explanation, )* }
            }
        }
    };
}

codes! {
    /// A citation whose key is in no bibliography.
    MissingEntry = "missing-entry", Error,
    "a citation whose key is not in any bibliography",
    "\
What it checks
  Every key cited in a chapter (LaTeX \\cite and its family, Pandoc [@key] and
  @key, Typst @key and #cite(<key>)) must name an entry, or an alias given in
  an entry's `ids` field, in one of the bibliography files.

Why it matters
  A missing entry prints as a bold key or \"???\" in the finished document, and
  biber and pandoc only warn about it, without saying where the citation is.

Example
  chapters/intro.md:  As @kim-2007 shows ...
  refs/study.bib:     @book{kim-2007-korea, ...}
  error[missing-entry]: `kim-2007` is cited but not in any bibliography
    = help: did you mean `kim-2007-korea`?

Keys are compared exactly, as biber does: `Kim2007` does not match
`kim2007` (BibTeX would match them; biber and biblatex do not). The help line
calls out a key that differs only in letter case.

How to silence it
  Add the entry, correct the key, or set `missing-entry = \"allow\"` under
  [check.levels] in refkeeper.toml (not recommended).";

    /// An entry no chapter cites.
    UnusedEntry = "unused-entry", Warning,
    "a bibliography entry that no chapter cites",
    "\
What it checks
  Every entry in the bibliography must be cited somewhere: directly, through
  one of its `ids` aliases, as the crossref/xref/xdata parent of a cited
  entry, or as a member of a cited @set.

Why it matters
  Unused entries are dead weight in a bibliography that travels with a
  manuscript, and often a sign that a citation was lost in an edit.

Example
  refs/study.bib:  @book{old-draft-2001, ...}   (never cited)
  warning[unused-entry]: entry `old-draft-2001` is never cited

How to silence it
  \\nocite{*} in LaTeX or `nocite: '@*'` in Pandoc front matter marks every
  entry as cited. To keep particular entries, list their keys or glob
  patterns under [check] in refkeeper.toml:
      allow-unused = [\"old-draft-2001\", \"R-*\"]
  or turn the check off with `unused-entry = \"allow\"` under [check.levels].";

    /// The same key defined twice.
    DuplicateKey = "duplicate-key", Error,
    "a key defined twice, or two keys that differ only in letter case",
    "\
What it checks
  An entry key (or an `ids` alias) may be defined only once across all the
  bibliography files of a project. Keys that differ only in letter case
  (`Smith2020` and `smith2020`) are reported as a warning, as biber warns.

Why it matters
  biber keeps the first definition and silently skips the second; BibTeX
  matches keys without regard to case, so the two tools can pick different
  entries for the same citation.

Example
  refs/a.bib:  @article{smith2020, ...}
  refs/b.bib:  @book{smith2020, ...}
  error[duplicate-key]: key `smith2020` is defined more than once

How to silence it
  Rename or remove one of the entries. `duplicate-key = \"warn\"` under
  [check.levels] downgrades it.";

    /// A part of a `.bib` file that cannot be read.
    BibSyntax = "bib-syntax", Error,
    "a bibliography entry that cannot be parsed",
    "\
What it checks
  Each entry in a .bib file must follow the BibTeX/BibLaTeX syntax:
  @type{key, field = {value}, field = \"value\", field = macro # {value}}
  (parentheses may replace the outer braces). Braces must balance.

Why it matters
  biber and BibTeX skip or misread a broken entry, often with an error far
  from its cause. refkeeper reports each broken entry at its position and
  still reads every other entry in the file; the key of a broken entry is
  kept when it can be read, so citations of it do not also show as missing.

Example
  @article{kim2007,
    title = {Korea and Central Asia,
    year = 2007
  }
  error[bib-syntax]: entry `kim2007` is not closed

How to silence it
  Fix the entry. This check cannot be turned off.";

    /// A date that BibLaTeX would not accept.
    InvalidDate = "invalid-date", Warning,
    "a date, urldate, year or month that BibLaTeX would not accept",
    "\
What it checks
  `date`, `urldate`, `origdate`, `eventdate` must be ISO 8601 dates as
  biblatex reads them (EDTF level 1): 2007, 2007-11, 2007-11-15, ranges
  2007/2008, open ranges 2007/ and /2008, `?` uncertain, `~` approximate.
  `year` must be a year and `month` a month (11, nov, November).

Why it matters
  biber drops a date it cannot parse, and the References show \"n.d.\"
  without a word about why.

Example
  date = {circa 2002}
  warning[invalid-date]: `circa 2002` is not a date BibLaTeX reads

How to silence it
  Write the date in ISO form (`2002~` for an approximate year), or set
  `invalid-date = \"allow\"` under [check.levels].";

    /// A crossref/xref/xdata/entryset target that does not exist.
    MissingCrossref = "missing-crossref", Error,
    "a crossref, xref, xdata or entryset field that names no entry",
    "\
What it checks
  The keys named in an entry's `crossref`, `xref`, `xdata` and `entryset`
  fields must be entries of the bibliography.

Why it matters
  biber drops the inherited fields without a word when the parent is
  missing, so a book chapter loses its book title, editor and publisher.

Example
  @incollection{chapter1, crossref = {procedings2006}, ...}
  error[missing-crossref]: `crossref` of `chapter1` names `procedings2006`, which is not in any bibliography
    = help: did you mean `proceedings2006`?

How to silence it
  Add the parent entry or correct the key.";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCode(s.to_owned()))
    }
}

/// A code name that refkeeper does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown diagnostic code `{0}`")]
pub struct UnknownCode(pub String);

/// A place in a file, with an optional note saying what is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: Option<String>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Where the finding is.
    pub primary: Label,
    /// Other places that explain it (the first definition of a duplicate key).
    pub related: Vec<Label>,
    /// The citation or entry key the finding is about.
    pub key: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>, file: FileId, span: Span) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary: Label {
                file,
                span,
                message: None,
            },
            related: Vec::new(),
            key: None,
            help: None,
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn with_label_message(mut self, message: impl Into<String>) -> Self {
        self.primary.message = Some(message.into());
        self
    }

    pub fn with_related(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label {
            file,
            span,
            message: Some(message.into()),
        });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_names() {
        for &code in Code::ALL {
            assert_eq!(code.as_str().parse::<Code>().unwrap(), code);
            assert!(!code.explanation().is_empty());
        }
        assert!("no-such-code".parse::<Code>().is_err());
    }
}
