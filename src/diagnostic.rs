//! Diagnostics as plain data: a stable code, a severity, a message, the
//! place it points at, and an optional help line. Checks create them;
//! renderers print them. Nothing here knows about terminals or JSON.

use std::borrow::Cow;

use crate::source::{FileId, FileRole, Span};

/// How serious a finding is. The exit status follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported; does not fail the run unless `--deny warnings`.
    Warning,
    /// Reported, and fails the run (exit status 1).
    Error,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What to do with findings of one code: the default of each code, or what
/// `[check.levels]` in refkeeper.toml sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Do not report (`"off"` also reads so).
    #[serde(alias = "off")]
    Allow,
    /// Report as a warning (`"warning"` also reads so).
    #[serde(alias = "warning")]
    Warn,
    /// Report as an error (`"error"` also reads so, the name users type).
    #[serde(alias = "error")]
    Deny,
}

impl Level {
    /// The severity findings get, or `None` when they are not reported.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Warn => Some(Severity::Warning),
            Level::Deny => Some(Severity::Error),
        }
    }

    /// How `refkeeper explain` names it.
    pub fn describe(self) -> &'static str {
        match self {
            Level::Allow => "off",
            Level::Warn => "warning",
            Level::Deny => "error",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $level:ident, $summary:literal, $explanation:literal; )*) => {
        /// A stable, kebab-case diagnostic code. These names are a public
        /// interface: scripts and CI configurations match on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code { $( $(#[$doc])* $variant, )* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The code as written in configuration and output (`missing-entry`).
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// What happens to findings unless the configuration says otherwise.
            pub fn default_level(self) -> Level {
                match self { $( Code::$variant => Level::$level, )* }
            }

            /// The severity a finding gets unless the configuration says
            /// otherwise (a code that is off by default reports warnings
            /// when switched on with `warn`).
            pub fn default_severity(self) -> Severity {
                self.default_level().severity().unwrap_or(Severity::Warning)
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
    MissingEntry = "missing-entry", Deny,
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
    UnusedEntry = "unused-entry", Warn,
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
    DuplicateKey = "duplicate-key", Deny,
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
    BibSyntax = "bib-syntax", Deny,
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
    InvalidDate = "invalid-date", Warn,
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
    MissingCrossref = "missing-crossref", Deny,
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

    /// An entry without a field its type requires.
    MissingField = "missing-field", Warn,
    "an entry without a field the BibLaTeX data model requires for its type",
    "\
What it checks
  The fields biber's data model requires for each entry type: @article
  author, title, journaltitle and date (or year); @book author, title, date;
  @thesis and @report author, title, type, institution, date; @incollection
  also booktitle and editor; @online title, date and url (or doi, eprint).
  BibTeX names count (journal, school, year), @phdthesis and
  @techreport set `type` themselves, and fields inherited through crossref
  and xdata count.

Why it matters
  A reference without its journal or date is incomplete in every style, and
  biber only says so with `--validate-datamodel`, among much noise.

Example
  @article{kim2007, author = {Kim, Minjun}, title = {...}, year = {2007}}
  warning[missing-field]: `@article` entry `kim2007` has no `journaltitle`

How to silence it
  Add the field; or set `missing-field = \"allow\"` under [check.levels].";

    /// An entry type outside the BibLaTeX data model.
    UnknownType = "unknown-type", Warn,
    "an entry type that is not in the BibLaTeX data model",
    "\
What it checks
  Entry types must be BibLaTeX types (@article, @book, @online, ...) or the
  BibTeX names biber maps onto them (@phdthesis, @techreport, @conference,
  @electronic, @www). A near miss gets a did-you-mean.

Why it matters
  biber reads an unknown type as @misc: the entry loses its journal, its
  publisher or its pages in the References.

Example
  @artcle{kim2007, ...}
  warning[unknown-type]: `@artcle` (kim2007) is not a BibLaTeX entry type
    = help: did you mean `@article`?

How to silence it
  Use a data-model type, or set `unknown-type = \"allow\"`.";

    /// A field outside the BibLaTeX data model.
    UnknownField = "unknown-field", Allow,
    "a field that is not in the BibLaTeX data model (off by default)",
    "\
What it checks
  Field names must be BibLaTeX fields or the BibTeX names biber maps onto
  them (journal, school, address, ...). A near miss gets a did-you-mean.

Why it matters
  biber ignores unknown fields, so a misspelt `titel` leaves the entry
  without a title. Reference managers add many fields of their own
  (abstract-like notes, timestamps, groups), so the check is off by default.

Example
  @book{kim2007, titel = {Korea and Central Asia}, ...}
  warning[unknown-field]: `titel` in `kim2007` is not a BibLaTeX field
    = help: did you mean `title`?

How to silence it
  It is off by default; `unknown-field = \"warn\"` under [check.levels]
  turns it on.";

    /// A field name one or two letters from a field the entry's type takes.
    MisspelledField = "misspelled-field", Warn,
    "a field name that is a misspelling of a field the entry's type takes",
    "\
What it checks
  A field outside the BibLaTeX data model whose name is within one or two
  edits of a field the entry's type takes (`titel`, `editr`, `jounral`),
  when that field is not set already. Names reference managers and
  catalogues write for themselves (`mendeley-tags`, `owner`, `timestamp`,
  `eissn`, `fjournal`, `mrnumber`, ...) are not misspellings; nor is a
  name of four letters or fewer.

Why it matters
  biber ignores fields outside the data model, so `titel` leaves the entry
  without a title: the References print it without one, and nothing else
  says so.

Example
  @book{kim2007, titel = {Korea and Central Asia}, ...}
  warning[misspelled-field]: `titel` in `kim2007` is not a BibLaTeX field: did you mean `title`?
    = help: rename it to `title`; biber ignores `titel`

How to silence it
  Rename the field; list the entry under [check.ignore]; or set
  `misspelled-field = \"allow\"`. `unknown-field` (off by default) reports
  every field outside the data model.";

    /// A field set twice in one entry.
    DuplicateField = "duplicate-field", Warn,
    "a field set twice in one entry, also under its BibTeX name",
    "\
What it checks
  Each field appears once per entry; a BibTeX name and its BibLaTeX field
  (`journal` and `journaltitle`, `school` and `institution`) count as one.

Why it matters
  biber keeps one value and drops the other, so an edit to the second copy
  never shows.

Example
  @article{kim2007, journal = {Asian Survey}, journaltitle = {Asian Surv.}}
  warning[duplicate-field]: `journal` and `journaltitle` are the same field in `kim2007`

How to silence it
  Remove one of them, or set `duplicate-field = \"allow\"`.";

    /// A field with nothing in it.
    EmptyField = "empty-field", Warn,
    "a field whose value is empty",
    "\
What it checks
  Field values must not be empty (`note = {}`).

Why it matters
  An empty field can print stray punctuation, and an empty `date` or
  `journaltitle` hides that the information is missing.

Example
  @book{kim2007, ..., edition = {}}
  warning[empty-field]: `edition` in `kim2007` is empty

How to silence it
  Remove the field, or set `empty-field = \"allow\"`.";

    /// A DOI that is not a DOI.
    InvalidDoi = "invalid-doi", Warn,
    "a doi field that is not a bare DOI (10.NNNN/suffix)",
    "\
What it checks
  `doi` holds a bare DOI, 10.NNNN/suffix: not a link (https://doi.org/...),
  not a `doi:` prefix, not something else.

Why it matters
  Styles print https://doi.org/ before the DOI: a link in the field becomes
  https://doi.org/https://doi.org/10..., a dead link.

Example
  doi = {https://doi.org/10.1007/BF01941137}
  warning[invalid-doi]: in `nordstrom88`: `doi` holds a link or prefix, `https://doi.org/`
    = help: write only the DOI: doi = {10.1007/BF01941137}

How to silence it
  Fix the value, or set `invalid-doi = \"allow\"`.";

    /// An ISBN whose check digit is wrong.
    InvalidIsbn = "invalid-isbn", Warn,
    "an isbn that is not a valid ISBN-10 or ISBN-13",
    "\
What it checks
  Each ISBN in `isbn` (several may be separated by commas) has 10 or 13
  digits, hyphens and spaces aside, and a correct check digit.

Why it matters
  A mistyped ISBN points readers and library systems at another book.

Example
  isbn = {978-0-306-40615-6}
  warning[invalid-isbn]: in `kim2007`: `978-0-306-40615-6` is not a valid ISBN

How to silence it
  Copy the ISBN from the book or a catalogue, or set `invalid-isbn = \"allow\"`.";

    /// An ISSN whose check digit is wrong.
    InvalidIssn = "invalid-issn", Warn,
    "an issn that is not a valid ISSN",
    "\
What it checks
  `issn` is NNNN-NNNC with a correct check digit C (0-9 or X).

Why it matters
  A wrong ISSN names another journal.

Example
  issn = {0378-5954}
  warning[invalid-issn]: in `kim2007`: `0378-5954` is not a valid ISSN

How to silence it
  Fix the value, or set `invalid-issn = \"allow\"`.";

    /// A URL that is not a whole address.
    InvalidUrl = "invalid-url", Warn,
    "a url that is not a whole, absolute address",
    "\
What it checks
  `url` is an absolute address with a scheme and a host
  (https://example.org/page), without spaces.

Why it matters
  `www.example.org` or a path without a host prints as text and does not
  open as a link; a space cuts the link short.

Example
  url = {www.mofa.go.kr/eng}
  warning[invalid-url]: in `mofa2021`: `www.mofa.go.kr/eng` is not a whole address (no scheme such as https://)

How to silence it
  Write the whole address, or set `invalid-url = \"allow\"`.";

    /// A visit date for a web page that has no address.
    UrldateWithoutUrl = "urldate-without-url", Warn,
    "a urldate in an entry without a url",
    "\
What it checks
  An entry with `urldate` (when the page was visited) has a `url`.

Why it matters
  Styles print \"accessed on ...\" only with the url; the date alone is
  dropped, and usually the url was lost by mistake.

Example
  @online{mofa2021, title = {...}, urldate = {2021-05-01}}
  warning[urldate-without-url]: `mofa2021` has a `urldate` but no `url`

How to silence it
  Add the url, remove the urldate, or set `urldate-without-url = \"allow\"`.";

    /// A page range that is not one.
    InvalidPages = "invalid-pages", Warn,
    "a pages value with a range of three ends or one that runs backwards",
    "\
What it checks
  `pages` is a page, a range (12--34, 12-34 or 12–34) or several separated
  by commas. A range with three ends (12-34-56) or one that runs backwards
  (34--12) is flagged; 123--45, the short form of 123–145, is fine.

Why it matters
  Styles format ranges (pp. 12–34); a malformed one prints as written, and
  often hides a typo in the page numbers.

Example
  pages = {227-50-53}
  warning[invalid-pages]: in `kern2007`: `227-50-53` is not a page range

How to silence it
  Fix the pages, or set `invalid-pages = \"allow\"`.";

    /// The same work under two keys.
    DuplicateEntry = "duplicate-entry", Warn,
    "two entries for the same work: same DOI, same ISBN and title, or same title, year and first author",
    "\
What it checks
  No two entries share a DOI, a valid ISBN under the same title, or the
  same title, year and first author's family name (case, accents and
  punctuation aside). Not compared: entries linked by crossref or a @set;
  two entries with different DOIs (parts of a series, an erratum); the
  `isbn` of chapters and articles (the book's or the journal's, which
  exports put there); one ISBN under two titles (volumes of a set).

Why it matters
  The References list the work twice, and citations are split between the
  two keys; later corrections reach only one of them.

Example
  @article{kim2007, doi = {10.1000/xyz}, ...}
  @article{kim-2007-korea, doi = {10.1000/xyz}, ...}
  warning[duplicate-entry]: `kim2007` and `kim-2007-korea` are the same work (same DOI)

How to silence it
  Keep one entry; add `ids = {old-key}` to it so that old citations still
  resolve. Or set `duplicate-entry = \"allow\"`.";

    /// An @string macro used but not defined.
    UndefinedString = "undefined-string", Warn,
    "a field that uses an @string macro no file defines",
    "\
What it checks
  Every bare word in a field value (journal = jgr) names an @string macro
  defined in one of the bibliography files. BibTeX's month macros (jan ...
  dec) are predefined.

Why it matters
  BibTeX and biber replace an undefined macro with nothing, and the field
  comes out empty without a word.

Example
  journal = jgr
  warning[undefined-string]: `jgr` is not defined by any @string

How to silence it
  Define the macro, brace the value ({JGR}) if it is text, or set
  `undefined-string = \"allow\"`.";

    /// An @string macro no field uses.
    UnusedString = "unused-string", Allow,
    "an @string macro that no field uses (off by default)",
    "\
What it checks
  Every @string macro is used in some field or other macro.

Why it matters
  Unused macros are clutter; but shared strings files (journal
  abbreviations) define many on purpose, so the check is off by default.

Example
  @string{jgr = {Journal of Geophysical Research}}   (never used)
  warning[unused-string]: @string `jgr` is never used

How to silence it
  It is off by default; `unused-string = \"warn\"` turns it on.";

    /// "et al." written into a name list.
    EtAlInNames = "et-al-in-names", Warn,
    "et al. written into a name list instead of `and others`",
    "\
What it checks
  Name fields (author, editor, translator, ...) do not contain `et al.` as a
  name or at the end of one.

Why it matters
  BibTeX and biber read `et al.` as a person named \"al.\" with the given
  name \"et\" (or as part of a family name): it is sorted, initialised and
  counted as a name. `and others` is how a truncated list is written.

Example
  author = {Kim, Minjun et al.}
  warning[et-al-in-names]: in `kim2007`: the name list has `Kim, Minjun et al.` in it
    = help: end the list with `and others`

How to silence it
  Write `and others`, or set `et-al-in-names = \"allow\"`.";

    /// An included file that is not there.
    MissingInclude = "missing-include", Warn,
    "a file a document includes (\\input, #include, {{< include >}}) that is not there",
    "\
What it checks
  Every file a document reads in exists where its toolchain looks for it:
  LaTeX's \\input, \\include, \\subfile and \\import relative to the main
  document's folder (or the \\import folder), Typst's #include relative to
  the including file, Quarto's {{< include >}} likewise.

Why it matters
  LaTeX, Typst and Quarto stop at a missing file. Citations in it are not
  seen by refkeeper either, so some entries may look unused.

Example
  thesis.tex:  \\input{chapters/methods}
  warning[missing-include]: `chapters/methods` names chapters/methods.tex, which does not exist

A file the build writes before LaTeX runs (a version.tex made by a
Makefile) is reported too: it is not there for a reader of the sources.

How to silence it
  Correct the path, or set `missing-include = \"allow\"`.";

    /// A file that includes itself, directly or through others.
    IncludeCycle = "include-cycle", Deny,
    "a file that includes itself, directly or through others",
    "\
What it checks
  No file reads itself in again through \\input, #include or
  {{< include >}}.

Why it matters
  LaTeX and Typst never finish such a document (TeX runs out of memory).
  refkeeper reads each file once and says where the cycle closes.

Example
  a.tex: \\input{b}     b.tex: \\input{a}
  error[include-cycle]: `a` includes a.tex, which includes this file again

How to silence it
  Remove one of the two includes.";

    /// `[@a, @b]`: a citation Pandoc reads as part of the one before it.
    CitationSeparator = "citation-separator", Warn,
    "citations in one pair of brackets separated by a comma, which Pandoc reads as one",
    "\
What it checks
  In Markdown (Pandoc, Quarto, R Markdown), citations in one pair of
  brackets separated by a comma alone: `[@kim2007, @lee2010]`.

Why it matters
  Pandoc separates citations with semicolons. After a comma it reads the
  rest as the first citation's suffix, in which `@lee2010` is a citation
  in the text form: `(Kim 2007, Lee (2010))` instead of
  `(Kim 2007; Lee 2010)`. Both keys are cited, so nothing else says so.

Example
  As shown [@kim2007, @lee2010].
  warning[citation-separator]: `@lee2010` follows `@kim2007` after a comma: Pandoc reads it as part of `@kim2007`'s suffix
    = help: separate citations with a semicolon: `[@kim2007; @lee2010]`

How to silence it
  Write a semicolon; a suffix that is meant (`[@kim2007, see also
  @lee2010]`) is not reported. Or set `citation-separator = \"allow\"`.";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Code {
    /// The role of files a finding of this code says something is absent
    /// from, all of them together: a key in no bibliography, an entry cited
    /// in no chapter, a crossref target in no bibliography. When a file of
    /// that role could not be read, such a finding may be false and is
    /// withheld (see [`crate::source::Unread`]).
    pub fn claims_absence_from(self) -> Option<FileRole> {
        match self {
            Code::MissingEntry | Code::MissingCrossref | Code::UnusedString => {
                Some(FileRole::Bibliography)
            }
            Code::UnusedEntry => Some(FileRole::Chapter),
            _ => None,
        }
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
#[error("unknown diagnostic code `{0}`{hint}", hint = hint(&self.0))]
pub struct UnknownCode(pub String);

/// `; did you mean `unused-entry`?` for a name close to a code, else a
/// pointer to the list.
fn hint(name: &str) -> String {
    match Code::closest(name) {
        Some(code) => format!("; did you mean `{}`?", code.as_str()),
        None => "; `refkeeper explain` lists the codes".to_owned(),
    }
}

impl Code {
    /// The code whose name is closest to `name` (a misspelling), if one is
    /// close enough.
    pub fn closest(name: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .map(|&code| (strsim::jaro_winkler(name, code.as_str()), code))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, code)| code)
    }
}

/// A place in a file, with an optional note saying what is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The file.
    pub file: FileId,
    /// The byte range in it.
    pub span: Span,
    /// A message shown at the place, if any.
    pub message: Option<String>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of finding this is.
    pub code: Code,
    /// Its severity, after the configured levels.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where the finding is.
    pub primary: Label,
    /// Other places that explain it (the first definition of a duplicate key).
    pub related: Vec<Label>,
    /// The citation or entry key the finding is about.
    pub key: Option<String>,
    /// Most helps are fixed sentences: borrowed, not copied into each of
    /// tens of thousands of findings.
    pub help: Option<Cow<'static, str>>,
}

impl Diagnostic {
    /// A finding of `code` at `span` of `file`, at its default severity.
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

    /// The same finding with another severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The same finding about this key.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// The same finding with a help line.
    pub fn with_help(mut self, help: impl Into<Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same finding with a help line, if there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        self.help = help.map(Cow::Owned);
        self
    }

    /// The same finding with a message at its place.
    pub fn with_label_message(mut self, message: impl Into<String>) -> Self {
        self.primary.message = Some(message.into());
        self
    }

    /// The same finding with another place that explains it.
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
