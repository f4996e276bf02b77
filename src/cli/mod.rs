//! The binary's commands, one module each, apart from the library: each
//! turns its arguments into a plan once ([`plan`]), calls the library, and
//! prints what it got ([`output`]). A command returns its exit [`Status`],
//! or a [`Failure`] that `main` prints once.

pub mod args;
mod check;
mod files;
mod info;
mod init;
mod list;
mod lsp;
pub mod output;
mod plan;
mod refs;
mod report;
mod subset;
mod watch;

use args::{Cli, Command};

/// The exit status: 0, 1 or 2, as the README's table says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// No errors.
    Clean = 0,
    /// Findings at error level (or warnings under `--deny warnings`), or a
    /// stale References section.
    Findings = 1,
    /// refkeeper could not do its job.
    Failure = 2,
}

/// Why a command could not do its job: printed once, by `main`, as
/// `refkeeper: error: ...`, and the exit status is 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Failure(String);

impl Failure {
    pub fn new(message: impl Into<String>) -> Failure {
        Failure(message.into())
    }
}

/// A library error in the command line's words: what went wrong, then
/// what to type about it.
impl From<refkeeper::Error> for Failure {
    fn from(error: refkeeper::Error) -> Failure {
        use refkeeper::csl::engine::StyleError;
        use refkeeper::inputs::InputError;
        let hint = match &error {
            refkeeper::Error::Inputs(InputError::NoDocuments { .. }) => {
                "; name the chapters (refkeeper check PATHS...), or run `refkeeper init` to write a refkeeper.toml that says where they are"
            }
            refkeeper::Error::Inputs(InputError::NoBibliography { .. }) => {
                "; pass --bib FILE or list files under `bibliography` in refkeeper.toml"
            }
            refkeeper::Error::NoStyle => {
                ": pass --style NAME (see `refkeeper styles`) or set `style` under [refs] in refkeeper.toml"
            }
            refkeeper::Error::Style(StyleError::Unknown(_)) => {
                ": run `refkeeper styles` for the bundled ones, or give the path of a .csl file"
            }
            _ => "",
        };
        Failure(format!("{error}{hint}"))
    }
}

/// Runs the command the arguments name.
pub fn run(cli: Cli) -> Result<Status, Failure> {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Refs(args) => refs::run(args),
        Command::Subset(args) => subset::run(args),
        Command::Report(args) => report::run(args),
        Command::List(args) => list::run(args),
        Command::Files(args) => files::run(args),
        Command::Init(args) => init::run(args),
        Command::Lsp => lsp::run(),
        Command::Styles { name } => info::styles(name.as_deref()),
        Command::Explain { code } => info::explain(code.as_deref()),
        Command::Completions { shell } => info::completions(shell),
        Command::Man { subcommand } => info::man(subcommand.as_deref()),
    }
}
