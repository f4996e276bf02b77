//! Arguments resolved once into what the library takes (as ripgrep turns
//! its low-level arguments into high-level ones): which files to read, and
//! how to print.

use refkeeper::{ConfigSource, Request};

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
        quarto_profiles: quarto_profiles(),
    })
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
        FormatArg::Json => OutputFormat::Json,
        FormatArg::Github => OutputFormat::Github,
        FormatArg::Sarif => OutputFormat::Sarif,
    }
}
