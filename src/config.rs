//! `refkeeper.toml`: read as the user wrote it (`RawConfig`, unknown keys
//! rejected), then validated into [`Config`]. Every mistake names the line
//! and column in the file.
//!
//! ```toml
//! # Files, folders or glob patterns, relative to this file.
//! bibliography = ["refs/*.bib"]
//! chapters = ["chapters"]
//!
//! [check]
//! allow-unused = ["R-*", "kept-for-later"]   # keys or patterns that may stay uncited
//!
//! [check.levels]
//! unused-entry = "deny"                      # allow | warn | deny (or off | warning | error)
//! unknown-field = "warn"                     # some codes are off by default
//!
//! [check.ignore]
//! missing-field = ["fumagalli-nd-identity"]  # per code: keys or patterns not to report
//!
//! [latex]
//! citation-commands = ["mycite"]             # read like \cite
//! verbatim-commands = ["code"]               # argument not read (prints code)
//!
//! [refs]
//! style = "apa"                              # or a path to a .csl file
//! locale = "en-US"
//! file = "chapters/06-references.md"         # for --write and --check
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::check::AllowList;
use crate::diagnostic::Code;
use crate::source::SourceFile;

/// The configuration file's name.
pub const FILE_NAME: &str = "refkeeper.toml";

pub use crate::diagnostic::Level;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    documents: Option<Vec<String>>,
    bibliography: Option<Vec<String>>,
    chapters: Option<Vec<String>>,
    check: Option<RawCheck>,
    latex: Option<RawLatex>,
    refs: Option<RawRefs>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCheck {
    allow_unused: Option<Vec<Spanned<String>>>,
    levels: Option<BTreeMap<Spanned<String>, Level>>,
    ignore: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLatex {
    citation_commands: Option<Vec<Spanned<String>>>,
    verbatim_commands: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRefs {
    style: Option<String>,
    locale: Option<String>,
    file: Option<String>,
}

/// Settings of `refkeeper refs`.
#[derive(Debug, Clone, Default)]
pub struct RefsConfig {
    /// A bundled style name or a `.csl` path (relative to the project root).
    pub style: Option<String>,
    /// The locale of the style's terms (`en-US`).
    pub locale: Option<String>,
    /// The file whose References section `--write` and `--check` use.
    pub file: Option<String>,
}

/// A validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
    /// Root documents (`thesis.tex`), relative to the project root.
    pub documents: Option<Vec<String>>,
    /// Bibliography files, folders or globs, relative to the project root.
    pub bibliography: Option<Vec<String>>,
    /// Chapter files, folders or globs, relative to the project root.
    pub chapters: Option<Vec<String>>,
    /// Keys, or patterns of keys, that may stay uncited (`allow-unused`).
    pub allow_unused: AllowList,
    /// Levels set per code (`[check.levels]`).
    pub levels: HashMap<Code, Level>,
    /// Per code, the entry keys (or patterns) whose findings are not
    /// reported: an undated work that is undated in fact.
    pub ignore: HashMap<Code, AllowList>,
    /// Extra LaTeX commands read like `\cite`.
    pub citation_commands: Vec<String>,
    /// LaTeX commands whose braced argument is not read.
    pub verbatim_commands: Vec<String>,
    /// The `[refs]` table.
    pub refs: RefsConfig,
    /// Configuration files are not read for this run (`--no-config`): help
    /// lines do not send the user to one.
    pub ignored: bool,
}

/// A mistake in the configuration file, or a file that cannot be read
/// (then `line` is 0 and no place is shown).
#[derive(Debug, thiserror::Error)]
#[error("{}{message}", place(.path, *.line, *.column))]
pub struct ConfigError {
    /// The configuration file.
    pub path: PathBuf,
    /// The 1-based line of the mistake.
    pub line: usize,
    /// Its 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// `path:line:column: `, or `path: ` for a file that could not be read.
fn place(path: &Path, line: usize, column: usize) -> String {
    if line == 0 {
        format!("{}: ", path.display())
    } else {
        format!("{}:{line}:{column}: ", path.display())
    }
}

impl Config {
    /// Parses and validates the text of a configuration file.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let located = |span: Option<std::ops::Range<usize>>, message: String| {
            let file = SourceFile::new(
                path.to_path_buf(),
                crate::source::FileRole::Chapter,
                text.to_owned(),
            );
            let position = file.position(span.map_or(0, |s| s.start));
            ConfigError {
                path: path.to_path_buf(),
                line: position.line,
                column: position.column,
                message,
            }
        };
        let raw: RawConfig = toml::from_str(text)
            .map_err(|e| located(e.span(), e.message().trim_end().to_owned()))?;
        let check = raw.check.unwrap_or_default();

        let code_named = |name: &Spanned<String>| -> Result<Code, ConfigError> {
            name.get_ref()
                .parse()
                .map_err(|e: crate::diagnostic::UnknownCode| {
                    located(Some(name.span()), e.to_string())
                })
        };
        let mut levels = HashMap::new();
        for (name, level) in check.levels.unwrap_or_default() {
            levels.insert(code_named(&name)?, level);
        }
        let mut ignore = HashMap::new();
        for (name, keys) in check.ignore.unwrap_or_default() {
            let code = code_named(&name)?;
            for pattern in &keys {
                AllowList::new([pattern.get_ref()])
                    .map_err(|e| located(Some(pattern.span()), format!("invalid pattern: {e}")))?;
            }
            let list = AllowList::new(keys.iter().map(|p| p.get_ref()))
                .map_err(|e| located(Some(name.span()), format!("invalid pattern: {e}")))?;
            ignore.insert(code, list);
        }

        let allow_unused = check.allow_unused.unwrap_or_default();
        for pattern in &allow_unused {
            AllowList::new([pattern.get_ref()])
                .map_err(|e| located(Some(pattern.span()), format!("invalid pattern: {e}")))?;
        }
        let allow_unused = AllowList::new(allow_unused.iter().map(|p| p.get_ref()))
            .map_err(|e| located(None, format!("invalid pattern: {e}")))?;

        let latex = raw.latex.unwrap_or_default();
        let citation_commands = latex.citation_commands.unwrap_or_default();
        let verbatim_commands = latex.verbatim_commands.unwrap_or_default();
        for command in citation_commands.iter().chain(&verbatim_commands) {
            let name = command.get_ref().trim_start_matches('\\');
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(located(
                    Some(command.span()),
                    format!(
                        "`{}` is not a LaTeX command name (letters only, e.g. \"mycite\")",
                        command.get_ref()
                    ),
                ));
            }
        }

        Ok(Config {
            ignored: false,
            path: Some(path.to_path_buf()),
            documents: raw.documents,
            bibliography: raw.bibliography,
            chapters: raw.chapters,
            allow_unused,
            levels,
            ignore,
            citation_commands: citation_commands
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            verbatim_commands: verbatim_commands
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            refs: raw
                .refs
                .map(|r| RefsConfig {
                    style: r.style,
                    locale: r.locale,
                    file: r.file,
                })
                .unwrap_or_default(),
        })
    }

    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!(
                "cannot read the configuration: {}",
                crate::source::in_words(&e)
            ),
        })?;
        Config::parse(&text, path)
    }

    /// Finds `refkeeper.toml` in `start` or a folder above it, stopping at
    /// the top of a Git repository.
    pub fn find(start: &Path) -> Option<PathBuf> {
        for dir in start.ancestors() {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            if dir.join(".git").exists() {
                return None;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("refkeeper.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_configuration_is_read() {
        let config = parse(
            "bibliography = [\"refs/a.bib\"]\nchapters = [\"text/**/*.md\"]\n\
             [check]\nallow-unused = [\"R-*\", \"keep\"]\n[check.levels]\nunused-entry = \"deny\"\n\
             [latex]\ncitation-commands = [\"mycite\", \"\\\\othercite\"]\n",
        )
        .unwrap();
        assert_eq!(config.bibliography.unwrap(), vec!["refs/a.bib"]);
        assert_eq!(config.levels.get(&Code::UnusedEntry), Some(&Level::Deny));
        assert!(config.allow_unused.allows("R-base") && config.allow_unused.allows("keep"));
        assert_eq!(config.citation_commands, vec!["mycite", "\\othercite"]);
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let err = parse("chapters = []\n\n[check]\nallow_unused = []\n").unwrap_err();
        assert!(
            err.starts_with("refkeeper.toml:4:1: unknown field `allow_unused`"),
            "{err}"
        );
    }

    #[test]
    fn unknown_codes_and_levels_name_their_line() {
        let err = parse("[check.levels]\nmissing-entri = \"warn\"\n").unwrap_err();
        assert!(
            err.starts_with("refkeeper.toml:2:1: unknown diagnostic code `missing-entri`"),
            "{err}"
        );
        let err = parse("[check.levels]\nmissing-entry = \"loud\"\n").unwrap_err();
        assert!(
            err.starts_with("refkeeper.toml:2:17: unknown variant `loud`"),
            "{err}"
        );
    }

    #[test]
    fn bad_command_names_are_refused() {
        let err = parse("[latex]\ncitation-commands = [\"my cite\"]\n").unwrap_err();
        assert!(err.starts_with("refkeeper.toml:2:22:"), "{err}");
    }
}
