//! Arguments resolved once into what the library takes (as ripgrep turns
//! its low-level arguments into high-level ones): which files to read, and
//! how to print.

use refkeeper::{Code, ConfigSource, Level, Request};

use super::Failure;
use super::args::{FormatArg, InputArgs};
use refkeeper::render::OutputFormat;

/// Which files to read: the paths, `--bib`, and where the configuration
/// comes from, against the working folder.
pub fn request(inputs: InputArgs) -> Result<Request, Failure> {
    let InputArgs {
        paths,
        bibliographies,
        config,
        no_config,
    } = inputs;
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::new(format!("cannot read the working folder: {e}")))?;
    let config = match (config, no_config) {
        (Some(path), _) => ConfigSource::File(path),
        (None, true) => ConfigSource::Ignore,
        (None, false) => ConfigSource::Discover,
    };
    Ok(Request {
        paths,
        bibliographies,
        config,
        cwd,
        chapters_optional: false,
        levels: Vec::new(),
        quarto_profiles: quarto_profiles(),
    })
}

/// The levels `-A`, `-W` and `-D` set, over the configuration's, and
/// whether `-D warnings` makes every warning fail the run.
///
/// The command line's order across the three flags is not kept (clap
/// gives each its own list), so the rule is by reach, as ruff's
/// selectors: `all` first, then named codes; for the same reach, allow,
/// then warn, then deny, the later winning. `-A all -W missing-entry`
/// reports only missing entries, as warnings.
pub fn levels(
    allow: &[String],
    warn: &[String],
    deny: &[String],
) -> Result<(Vec<(Code, Level)>, bool), Failure> {
    let mut deny_warnings = false;
    let mut everything = Vec::new();
    let mut named = Vec::new();
    for (names, level) in [
        (allow, Level::Allow),
        (warn, Level::Warn),
        (deny, Level::Deny),
    ] {
        for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            match name {
                "warnings" if level == Level::Deny => deny_warnings = true,
                "all" => everything.extend(Code::ALL.iter().map(|&code| (code, level))),
                _ => named.push((code_named(name)?, level)),
            }
        }
    }
    everything.extend(named);
    Ok((everything, deny_warnings))
}

/// A code by its name, or an error with the closest name.
pub fn code_named(name: &str) -> Result<Code, Failure> {
    name.parse::<Code>()
        .map_err(|e| Failure::new(e.to_string()))
}

/// The Quarto profiles `QUARTO_PROFILE` names (comma-separated), as
/// `quarto render` reads them.
fn quarto_profiles() -> Vec<String> {
    std::env::var("QUARTO_PROFILE")
        .map(|profiles| {
            profiles
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The library's name for an output format.
pub fn output_format(format: FormatArg) -> OutputFormat {
    match format {
        FormatArg::Human => OutputFormat::Human,
        FormatArg::Concise => OutputFormat::Concise,
        FormatArg::Json => OutputFormat::Json,
        FormatArg::Github => OutputFormat::Github,
        FormatArg::Sarif => OutputFormat::Sarif,
    }
}
