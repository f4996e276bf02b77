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
    /// Explain a diagnostic code (or list them all)
    Explain {
        /// A code such as `missing-entry`; omit to list every code
        code: Option<String>,
    },
}

const CHECK_ABOUT: &str = "\
Check citations against the bibliography.

Finds every citation key in the chapters and reports:
  missing-entry     (error)   cited, but not in any bibliography
  unused-entry      (warning) in the bibliography, never cited
  duplicate-key     (error)   a key defined twice, also across files
  bib-syntax        (error)   an entry that cannot be parsed
  missing-crossref  (error)   a crossref/xref/xdata/entryset target that does not exist
Run `refkeeper explain CODE` for what each one means and how to silence it.

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
  refkeeper check --format json | jq '.summary'";

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Chapter files or folders (searched recursively), or glob patterns
    pub paths: Vec<PathBuf>,

    /// A bibliography file (.bib); repeat for several
    #[arg(long = "bib", value_name = "FILE")]
    pub bibliographies: Vec<PathBuf>,

    /// Use this configuration file instead of looking for refkeeper.toml
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore refkeeper.toml files: built-in defaults and the command line only
    #[arg(long)]
    pub no_config: bool,

    /// How to print the findings
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// When to colour the human output
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Treat warnings as errors for the exit status (`--deny warnings`)
    #[arg(long, short = 'D', value_enum, value_name = "WHAT")]
    pub deny: Option<DenyArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Compiler-style text with the source line and a caret
    Human,
    /// One JSON document with every diagnostic and a summary
    Json,
    /// GitHub Actions annotations (::error file=...)
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour when printing to a terminal and NO_COLOR is not set
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenyArg {
    /// Exit with status 1 when there are warnings
    Warnings,
}
