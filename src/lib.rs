//! refkeeper keeps the references of a manuscript honest: it reads BibLaTeX
//! bibliographies and the chapters that cite them (LaTeX, Pandoc/Quarto
//! Markdown, Typst) and reports missing entries, unused entries and broken
//! bibliography data, each at its file, line and column.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`inputs`] decides which files to read; [`source`] reads each once.
//! 2. [`bib`] parses the bibliography files (in parallel, with recovery).
//! 3. [`scan`] finds the citations in each chapter (in parallel).
//! 4. [`check`] resolves citations against the bibliography: pure data in,
//!    [`diagnostic::Diagnostic`]s out.
//! 5. [`render`] prints diagnostics as text, JSON or GitHub annotations.
//!
//! The library never prints; `main.rs` turns arguments into a
//! [`CheckRequest`] and a [`Report`] into output and an exit status.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod bib;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod inputs;
pub mod render;
pub mod scan;
pub mod source;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::bib::{BibInput, Bibliography};
use crate::check::{ChapterScan, Stats};
use crate::config::{Config, ConfigError, Level};
use crate::diagnostic::{Diagnostic, Severity};
use crate::inputs::{Found, InputFile, Want};
use crate::scan::{Format, ScanOptions};
use crate::source::{FileId, FileRole, ReadError, SourceFile, SourceMap};

/// Where the bibliography lives when nothing says otherwise.
pub const DEFAULT_BIBLIOGRAPHY: &str = "refs";
/// Where the chapters live when nothing says otherwise.
pub const DEFAULT_CHAPTERS: &str = "chapters";

/// What the user asked to check.
#[derive(Debug, Clone, Default)]
pub struct CheckRequest {
    /// Chapter files, folders or globs; empty for the configured or default ones.
    pub paths: Vec<PathBuf>,
    /// Bibliography files; empty for the configured or default ones.
    pub bibliographies: Vec<PathBuf>,
    /// Which configuration to use.
    pub config: ConfigSource,
    /// The working folder, against which paths are resolved and shown.
    pub cwd: PathBuf,
}

/// Where a run's configuration comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ConfigSource {
    /// `refkeeper.toml` in the working folder or a folder above it (up to
    /// the top of a Git repository), if there is one.
    #[default]
    Discover,
    /// This file.
    File(PathBuf),
    /// None: built-in defaults only.
    Ignore,
}

/// Why a run could not do its job at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    NoInputs(String),
}

/// Everything a check found, ready to render.
#[derive(Debug)]
pub struct Report {
    pub sources: SourceMap,
    /// Sorted by file, then position.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be found or read; the rest were checked.
    pub read_errors: Vec<ReadError>,
    pub stats: Stats,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    pub fn chapter_count(&self) -> usize {
        self.sources.count_role(FileRole::Chapter)
    }

    pub fn bibliography_count(&self) -> usize {
        self.sources.count_role(FileRole::Bibliography)
    }
}

/// Runs `refkeeper check`: finds the inputs, reads them once, and checks.
pub fn check(request: &CheckRequest) -> Result<Report, Error> {
    let config = match &request.config {
        ConfigSource::File(path) => Config::load(&inputs::join(&request.cwd, path))?,
        ConfigSource::Discover => match Config::find(&request.cwd) {
            Some(path) => Config::load(&path)?,
            None => Config::default(),
        },
        ConfigSource::Ignore => Config::default(),
    };
    let (bibliographies, chapters) = find_inputs(request, &config)?;
    let mut errors = bibliographies.errors;
    errors.extend(chapters.errors);
    Ok(check_files(
        &bibliographies.files,
        &chapters.files,
        &config,
        errors,
    ))
}

/// Decides which files to read, from the request, the configuration and the defaults.
///
/// Command-line paths are relative to the working folder; configured and
/// default ones to the project root (the configuration file's folder, or
/// the working folder).
fn find_inputs(request: &CheckRequest, config: &Config) -> Result<(Found, Found), Error> {
    let cwd = &request.cwd;
    let root = match config.path.as_deref().and_then(Path::parent) {
        Some(dir) => inputs::join(cwd, dir),
        None => cwd.clone(),
    };
    let to_specs = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };
    let default_folder = |name: &str| root.join(name);

    let chapters = if !request.paths.is_empty() {
        inputs::expand(&to_specs(&request.paths), cwd, cwd, Want::Chapter)
    } else if let Some(specs) = &config.chapters {
        inputs::expand(specs, &root, cwd, Want::Chapter)
    } else {
        let default = default_folder(DEFAULT_CHAPTERS);
        if !default.is_dir() {
            return Err(Error::NoInputs(format!(
                "no chapters to check: `{}` does not exist; name chapter files or folders (refkeeper check PATHS...) or list them under `chapters` in refkeeper.toml",
                inputs::shown_path(&default, cwd).display()
            )));
        }
        inputs::expand(&[DEFAULT_CHAPTERS.to_owned()], &root, cwd, Want::Chapter)
    };

    let bibliographies = if !request.bibliographies.is_empty() {
        inputs::expand(
            &to_specs(&request.bibliographies),
            cwd,
            cwd,
            Want::Bibliography,
        )
    } else if let Some(specs) = &config.bibliography {
        inputs::expand(specs, &root, cwd, Want::Bibliography)
    } else {
        // `.bib` files in the chapter folders named on the command line, else `refs/`.
        let folders: Vec<String> = to_specs(&request.paths)
            .into_iter()
            .filter(|p| inputs::join(cwd, Path::new(p)).is_dir())
            .collect();
        let beside = inputs::expand(&folders, cwd, cwd, Want::Bibliography);
        let default = default_folder(DEFAULT_BIBLIOGRAPHY);
        if !beside.files.is_empty() {
            beside
        } else if default.is_dir() {
            inputs::expand(
                &[DEFAULT_BIBLIOGRAPHY.to_owned()],
                &root,
                cwd,
                Want::Bibliography,
            )
        } else {
            return Err(Error::NoInputs(format!(
                "no bibliography to check against: no .bib file in the chapter folders and no `{}` folder; pass --bib FILE or list files under `bibliography` in refkeeper.toml",
                inputs::shown_path(&default, cwd).display()
            )));
        }
    };
    if bibliographies.files.is_empty() && bibliographies.errors.is_empty() {
        return Err(Error::NoInputs(
            "no .bib file found in the given bibliography paths".to_owned(),
        ));
    }
    Ok((bibliographies, chapters))
}

/// Reads the given files once each, in parallel, and checks them.
pub fn check_files(
    bibliographies: &[InputFile],
    chapters: &[InputFile],
    config: &Config,
    mut read_errors: Vec<ReadError>,
) -> Report {
    let wanted: Vec<(&InputFile, FileRole)> = bibliographies
        .iter()
        .map(|f| (f, FileRole::Bibliography))
        .chain(chapters.iter().map(|f| (f, FileRole::Chapter)))
        .collect();
    let texts: Vec<Result<String, ReadError>> = wanted
        .par_iter()
        .map(|(file, _)| source::read_text(&file.path, &file.shown))
        .collect();
    let mut sources = SourceMap::new();
    for ((file, role), text) in wanted.iter().zip(texts) {
        match text {
            Ok(text) => {
                sources.add(SourceFile::new(file.shown.clone(), *role, text));
            }
            Err(error) => read_errors.push(error),
        }
    }
    let (diagnostics, stats) = check_sources(&sources, config);
    Report {
        sources,
        diagnostics,
        read_errors,
        stats,
    }
}

/// Parses, scans and checks files already in memory.
pub fn check_sources(sources: &SourceMap, config: &Config) -> (Vec<Diagnostic>, Stats) {
    let bib_inputs: Vec<BibInput> = sources
        .iter()
        .filter(|(_, f)| f.role == FileRole::Bibliography)
        .map(|(file, f)| BibInput {
            file,
            text: &f.text,
        })
        .collect();
    let chapter_files: Vec<(FileId, &SourceFile)> = sources
        .iter()
        .filter(|(_, f)| f.role == FileRole::Chapter)
        .collect();
    let options = ScanOptions {
        latex: scan::latex::Commands::with_extra(&config.citation_commands)
            .with_verbatim(&config.verbatim_commands),
    };

    let ((bib, mut diagnostics), scans) = rayon::join(
        || Bibliography::read(&bib_inputs),
        || {
            chapter_files
                .par_iter()
                .map(|(file, f)| {
                    let format = Format::from_path(&f.path).unwrap_or(Format::Markdown);
                    ChapterScan {
                        file: *file,
                        output: scan::scan(&f.text, format, &options),
                    }
                })
                .collect::<Vec<_>>()
        },
    );
    let outcome = check::check(&bib, &scans, &config.allow_unused);
    diagnostics.extend(outcome.diagnostics);
    let mut diagnostics = apply_levels(diagnostics, config);
    // By file path, then position, as a reader goes through the files.
    diagnostics.sort_by(|a, b| {
        let path = |d: &Diagnostic| &sources.get(d.primary.file).path;
        (path(a), a.primary.span.start, a.code, &a.key).cmp(&(
            path(b),
            b.primary.span.start,
            b.code,
            &b.key,
        ))
    });
    (diagnostics, outcome.stats)
}

/// Applies the configured level of each code: drop, warning or error.
fn apply_levels(diagnostics: Vec<Diagnostic>, config: &Config) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter_map(|mut d| {
            match config.levels.get(&d.code) {
                Some(Level::Allow) => return None,
                Some(Level::Warn) => d.severity = Severity::Warning,
                Some(Level::Deny) => d.severity = Severity::Error,
                None => {}
            }
            Some(d)
        })
        .collect()
}
