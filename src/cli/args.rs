//! The command line as the user types it (clap derive structs only).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Keeps the references of a manuscript honest.
///
/// refkeeper reads BibLaTeX bibliographies and the chapters that cite them
/// (LaTeX, Pandoc/Quarto/R Markdown, Typst) and reports every citation
/// that names no entry, every entry that is never cited, and broken
/// bibliography data, each at its file, line and column.
#[derive(Debug, Parser)]
#[command(
    name = "refkeeper",
    version,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check citations against the bibliography
    #[command(long_about = CHECK_ABOUT, after_help = CHECK_AFTER)]
    Check(CheckArgs),
    /// Format the References of the cited entries in a citation style
    #[command(long_about = REFS_ABOUT, after_help = REFS_AFTER)]
    Refs(RefsArgs),
    /// Write the cited entries, and what they need, to a .bib of their own
    #[command(long_about = SUBSET_ABOUT, after_help = SUBSET_AFTER)]
    Subset(SubsetArgs),
    /// Write an HTML page: missing and unused entries, bibliography findings, which chapter cites what, years
    #[command(after_help = REPORT_AFTER)]
    Report(ReportArgs),
    /// List every citation with its file, line, column and key
    #[command(after_help = LIST_AFTER)]
    List(ListArgs),
    /// List the documents refkeeper finds, the files each reads, and the files none reads
    #[command(long_about = FILES_ABOUT, after_help = FILES_AFTER)]
    Files(FilesArgs),
    /// Write a refkeeper.toml for an existing project, from what it declares
    #[command(long_about = INIT_ABOUT, after_help = INIT_AFTER)]
    Init(InitArgs),
    /// Run the language server (LSP over standard input and output) for editors
    #[command(long_about = LSP_ABOUT, after_help = LSP_AFTER)]
    Lsp,
    /// List the bundled citation styles, or print one as CSL XML
    Styles {
        /// A bundled style to print as CSL XML (to copy and adapt, then
        /// pass its path to --style)
        name: Option<String>,
    },
    /// Explain a diagnostic code (or list them all)
    Explain {
        /// A code such as `missing-entry`; omit to list every code
        code: Option<String>,
    },
    /// Print a shell completion script
    #[command(after_help = COMPLETIONS_AFTER)]
    Completions {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: ShellArg,
    },
    /// Print a manual page (roff), generated from this help
    #[command(after_help = MAN_AFTER)]
    Man {
        /// The subcommand whose page to print (refkeeper-check(1), ...) [default: refkeeper(1)]
        subcommand: Option<String>,
    },
}

const MAN_AFTER: &str = "\
Examples:
  refkeeper man > ~/.local/share/man/man1/refkeeper.1
  refkeeper man check > ~/.local/share/man/man1/refkeeper-check.1
  for c in check refs subset report list files init lsp styles explain completions man; do
    refkeeper man $c > ~/.local/share/man/man1/refkeeper-$c.1; done";

const INIT_ABOUT: &str = "\
Write a refkeeper.toml for an existing project, from what it declares.

Looks through the project folder (honouring .gitignore) for the
bibliographies its documents name: LaTeX \\addbibresource{...} and
\\bibliography{...}, Quarto's _quarto.yml and Pandoc front matter
(`bibliography:`), Typst #bibliography(...). Without any, every .bib file
found is taken. The chapters are the documents of the kinds that declare a
bibliography (README and the like left out). The file is commented: it says
where each bibliography was declared and what else can be set.";

const INIT_AFTER: &str = "\
Examples:
  refkeeper init                 writes ./refkeeper.toml
  refkeeper init thesis/         writes thesis/refkeeper.toml
  refkeeper init --stdout        prints it instead";

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project folder [default: the current folder]
    pub folder: Option<PathBuf>,

    /// Replace an existing refkeeper.toml
    #[arg(long)]
    pub force: bool,

    /// Print the configuration instead of writing it
    #[arg(long, conflicts_with = "force")]
    pub stdout: bool,
}

const LSP_ABOUT: &str = "\
Run the language server (LSP 3.17 over standard input and output).

For LaTeX, Pandoc/Quarto/R Markdown, Typst and .bib files: every `check`
finding as you type (unsaved text counts), completion of keys where the
format cites, hover with the entry formatted in the project's style, go to
definition, find references, rename a key everywhere, quick fixes, and
symbols. An editor starts it; the README shows the lines for Neovim, VS
Code, Helix and Emacs.";

const LSP_AFTER: &str = "\
Example (Neovim):
  vim.lsp.start({ name = 'refkeeper', cmd = { 'refkeeper', 'lsp' },
                  root_dir = vim.fs.root(0, { 'refkeeper.toml', '.git' }) })";

const FILES_ABOUT: &str = "\
List the documents refkeeper finds, the files each reads, and the files none reads.

A document starts at its root: a LaTeX file with \\documentclass (then
\\input, \\include, \\subfile and \\import are followed), a Quarto or
bookdown project (_quarto.yml, _bookdown.yml), a Markdown file whose front
matter declares `bibliography:`, a Typst file that calls #bibliography (then
#include is followed). Each is checked against the bibliographies it
declares. Files found by searching a folder that no document reads are
left out: often a forgotten chapter, a backup, or a draft.";

const FILES_AFTER: &str = "\
Examples:
  refkeeper files                    every document, its files and bibliographies
  refkeeper files --left-out         only the files no document reads
  refkeeper files thesis.tex";

#[derive(Debug, Args)]
pub struct FilesArgs {
    #[command(flatten)]
    pub inputs: InputArgs,

    /// Only the files no document reads, one per line
    #[arg(long)]
    pub left_out: bool,
}

const REPORT_AFTER: &str = "\
The page is one self-contained file (styles, script and chart inline): the
missing keys with their places, the unused entries with their titles, the
findings on the bibliography, a chapter x reference matrix whose columns
sort on click, and the cited works per year as a bar chart.

Example:
  refkeeper report --html report.html && xdg-open report.html";

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub inputs: InputArgs,

    /// The page to write (replaced whole, never left half-written)
    #[arg(long, value_name = "FILE", required = true)]
    pub html: PathBuf,

    /// The page's title [default: "Citations in FOLDER"]
    #[arg(long)]
    pub title: Option<String>,
}

const LIST_AFTER: &str = "\
Examples:
  refkeeper list                         chapters/intro.md:3:13: kim-2007 ...
  refkeeper list --format csv > citations.csv
  refkeeper list --format json | jq '.citations[] | select(.in_bibliography | not)'";

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub inputs: InputArgs,

    /// How to print the citations
    #[arg(long, value_enum, default_value_t = ListFormatArg::Text)]
    pub format: ListFormatArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormatArg {
    /// file:line:col: key, one per line (`(missing)` after a key in no bibliography)
    Text,
    /// {"version": 1, "citations": [{"file", "line", "column", "key", "kind", "in_bibliography"}]}
    Json,
    /// The same fields, with a header row (RFC 4180)
    Csv,
}

const COMPLETIONS_AFTER: &str = "\
Examples:
  refkeeper completions bash > ~/.local/share/bash-completion/completions/refkeeper
  refkeeper completions zsh > ~/.zfunc/_refkeeper     # with fpath+=~/.zfunc
  refkeeper completions fish > ~/.config/fish/completions/refkeeper.fish";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

const CHECK_ABOUT: &str = "\
Check citations against the bibliography.

Finds every citation key in the chapters and reports:
  missing-entry     (error)   cited, but not in any bibliography
  unused-entry      (warning) in the bibliography, never cited
  duplicate-key     (error)   a key defined twice, also across files
  bib-syntax        (error)   an entry that cannot be parsed
  missing-crossref  (error)   a crossref/xref/xdata/entryset target that does not exist
  citation-separator (warning) [@a, @b] in Markdown, which Pandoc reads as one citation

and checks the bibliography itself (warnings unless configured):
  missing-field, unknown-type, misspelled-field, invalid-date, invalid-doi,
  invalid-isbn, invalid-issn, invalid-url, urldate-without-url, invalid-pages,
  duplicate-entry, duplicate-field, empty-field, undefined-string,
  et-al-in-names; off by default: unknown-field, unused-string.
Run `refkeeper explain` for the list, `refkeeper explain CODE` for what one
means and how to silence it ([check.levels], [check.ignore] in refkeeper.toml).

With no PATHS and no --bib, the files come from refkeeper.toml (looked for in
this folder and the ones above it) or, without one, from `refs/` (*.bib) and
`chapters/` (*.tex, *.md, *.qmd, *.Rmd, *.typ).";

const CHECK_AFTER: &str = "\
Exit status: 0 no errors; 1 at least one error (or a warning under
--deny warnings); 2 refkeeper could not do its job (a file that cannot be
read, a bad argument, a bad refkeeper.toml).

Examples:
  refkeeper check                          the project in this folder
  refkeeper check thesis/ --bib refs.bib   chapters under thesis/
  refkeeper check --format github          annotations for GitHub Actions
  refkeeper check --format json | jq '.summary'
  refkeeper check --format sarif > refkeeper.sarif   for GitHub code scanning
  refkeeper check --watch                  again on every save";

const SUBSET_ABOUT: &str = "\
Write the cited entries, and what they need, to a .bib of their own.

The entries the chapters cite (the same scan as `check`), their crossref,
xref, xdata and related parents, the members of cited @sets, the @string
macros they use and every @preamble, copied byte for byte from the
bibliography files, in the order of the files. What journals and arXiv ask
for: only the references of this manuscript. The file is written
atomically: it is whole or unchanged.";

const SUBSET_AFTER: &str = "\
Exit status: 0 written; 1 written, but some cited keys are in no
bibliography (they are listed); 2 refkeeper could not do its job.

Examples:
  refkeeper subset -o cited.bib                the project in this folder
  refkeeper subset paper.tex --bib all.bib -o paper.bib
  refkeeper subset > cited.bib                 to standard output";

#[derive(Debug, Args)]
pub struct SubsetArgs {
    #[command(flatten)]
    pub inputs: InputArgs,

    /// The .bib file to write [default: standard output]
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

const REFS_ABOUT: &str = "\
Format the References of the cited entries in a citation style.

The entries cited in the chapters (the same scan as `check`), in the order
and numbering the style prescribes; --all formats every entry. STYLE is a
bundled style (`refkeeper styles` lists them: apa, chicago-author-date,
chicago-notes, ieee, mla, harvard, vancouver, nature, ...) or the path of
any .csl file.

With --write FILE the References replace what stands between the marker
lines in FILE, and nothing else in it changes:
  <!-- refkeeper:begin references -->      (Markdown, HTML)
  <!-- refkeeper:end references -->
  % refkeeper:begin references            (LaTeX; `//` in Typst)
  % refkeeper:end references
--check writes nothing and exits 1 with a diff when the section is stale.";

const REFS_AFTER: &str = "\
Examples:
  refkeeper refs --style apa                          print the References
  refkeeper refs --style ieee --to html               as HTML
  refkeeper refs --style apa --write chapters/06-references.md
  refkeeper refs --check                              in CI, with [refs] in refkeeper.toml
  refkeeper refs --check chapters/06-references.md    in CI, naming the file
  refkeeper refs --style my-journal.csl --all --format json";

#[derive(Debug, Args)]
pub struct RefsArgs {
    #[command(flatten)]
    pub inputs: InputArgs,

    /// A bundled style name or the path of a .csl file [default: [refs] style in refkeeper.toml]
    #[arg(long, value_name = "STYLE")]
    pub style: Option<String>,

    /// The language of the style's terms (en-US, de-DE, ko-KR, ...)
    #[arg(long, value_name = "LOCALE")]
    pub locale: Option<String>,

    /// The markup of the References [default: from the --write file's extension, else text]
    #[arg(long, value_enum, value_name = "MARKUP")]
    pub to: Option<ToArg>,

    /// Format every entry, not only the cited ones
    #[arg(long)]
    pub all: bool,

    /// Print the References as text, or as JSON for other tools
    #[arg(long, value_enum, default_value_t = RefsFormatArg::Text, conflicts_with_all = ["write", "check"])]
    pub format: RefsFormatArg,

    /// Replace the References section between the marker lines of FILE (without FILE: [refs] file)
    #[arg(long, value_name = "FILE")]
    pub write: Option<Option<PathBuf>>,

    /// Write nothing; exit 1 with a diff if the section of FILE is out of date (without FILE: the --write file, else [refs] file)
    #[arg(long, value_name = "FILE")]
    pub check: Option<Option<PathBuf>>,

    /// When to colour warnings (on stderr) and the --check diff
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ToArg {
    /// Plain text, no markup
    Text,
    /// Pandoc Markdown: *italics*, escaped specials
    Markdown,
    /// HTML: <i>, text escaped
    Html,
    /// LaTeX: \emph{}, specials escaped
    Latex,
    /// Typst: #emph[], specials escaped (so `@` is not a reference)
    Typst,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RefsFormatArg {
    /// The References, one paragraph each
    Text,
    /// {"version": 1, "style": ..., "entries": [{"key": ..., "text": ...}]}
    Json,
    /// The entries as CSL-JSON (for citeproc-js, pandoc, Zotero)
    CslJson,
}

/// What every command that reads a project takes: the chapters, the
/// bibliographies and where the configuration comes from.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Chapter files or folders (searched recursively), or glob patterns
    pub paths: Vec<PathBuf>,

    /// A bibliography file: BibLaTeX/BibTeX (.bib), CSL-JSON (.json), CSL-YAML
    /// or Hayagriva YAML (.yml, .yaml); repeat for several
    #[arg(long = "bib", value_name = "FILE")]
    pub bibliographies: Vec<PathBuf>,

    /// Use this configuration file instead of looking for refkeeper.toml
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore refkeeper.toml files: built-in defaults and the command line only
    #[arg(long)]
    pub no_config: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub inputs: InputArgs,

    /// How to print the findings
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// When to colour the human output
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Report these codes as errors: code names, `all`, or `warnings`
    /// (every warning fails the run); repeatable, comma lists
    #[arg(long, short = 'D', value_name = "CODE", value_delimiter = ',')]
    pub deny: Vec<String>,

    /// Report these codes as warnings (also codes that are off by default,
    /// such as unknown-field); code names or `all`
    #[arg(long, short = 'W', value_name = "CODE", value_delimiter = ',')]
    pub warn: Vec<String>,

    /// Do not report these codes; code names or `all`
    #[arg(long, short = 'A', value_name = "CODE", value_delimiter = ',')]
    pub allow: Vec<String>,

    /// Print how many findings each code has, most first, instead of the findings
    #[arg(long, conflicts_with = "watch")]
    pub statistics: bool,

    /// Print the findings only: no summary line, no header, no notes
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Check again on every change to a bibliography, a chapter or
    /// refkeeper.toml, printing only what changed; stop with Ctrl-C
    #[arg(long, short = 'w')]
    pub watch: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Compiler-style text with the source line and a caret
    Human,
    /// One JSON document with every diagnostic and a summary
    Json,
    /// GitHub Actions annotations (::error file=...)
    Github,
    /// SARIF 2.1.0, for GitHub code scanning (upload-sarif) and other CI services
    Sarif,
    /// One line per finding: file:line:col: severity[code]: message (Vim quickfix, Emacs compile)
    Concise,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour when printing to a terminal and NO_COLOR is not set
    Auto,
    Always,
    Never,
}
