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
//! 5. [`render`] prints diagnostics as text, JSON or GitHub annotations;
//!    [`format`] turns cited entries into a References section in a CSL style.
//!
//! The library never prints; `main.rs` turns arguments into a [`Request`]
//! and a [`Report`] (or [`References`]) into output and an exit status.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod bib;
pub mod check;
pub mod config;
pub mod csl;
pub mod diagnostic;
pub mod document;
pub mod init;
pub mod inputs;
pub mod overview;
pub mod render;
pub mod scan;
pub mod source;
pub mod subset;
pub mod watch;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::bib::{BibInput, Bibliography, EntryId};
use crate::check::{ChapterScan, Stats};
use crate::config::{Config, ConfigError};
use crate::csl::engine::{Engine, Reference, StyleError};
use crate::csl::mapping::CslItem;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::document::DocumentKind;
use crate::inputs::{Found, InputFile, Want};
use crate::scan::ScanOptions;
use crate::source::{FileId, FileRole, ReadError, SourceFile, SourceMap, Unread};

/// Where the bibliography lives when nothing says otherwise.
pub const DEFAULT_BIBLIOGRAPHY: &str = "refs";
/// Where the chapters live when nothing says otherwise.
pub const DEFAULT_CHAPTERS: &str = "chapters";

/// Which files to read, as the user asked.
#[derive(Debug, Clone, Default)]
pub struct Request {
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
    #[error(transparent)]
    Style(#[from] StyleError),
    #[error(
        "no style: pass --style NAME (see `refkeeper styles`) or set `style` under [refs] in refkeeper.toml"
    )]
    NoStyle,
}

/// The files of a project, read once.
#[derive(Debug)]
pub struct Project {
    pub config: Config,
    /// The project root: the configuration file's folder, or the working folder.
    pub root: PathBuf,
    pub cwd: PathBuf,
    pub sources: SourceMap,
    /// Files that could not be found, read or matched; the rest were read.
    pub read_errors: Vec<Unread>,
}

/// The bibliography parsed and the chapters scanned.
#[derive(Debug)]
pub struct Analysis {
    pub bib: Bibliography,
    /// Syntax errors and duplicate keys.
    pub bib_diagnostics: Vec<Diagnostic>,
    pub chapters: Vec<ChapterScan>,
}

/// Everything a check found, ready to render.
#[derive(Debug)]
pub struct Report {
    pub sources: SourceMap,
    /// Sorted by file, then position.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be found, read or matched; the rest were checked.
    pub read_errors: Vec<Unread>,
    /// Findings not reported because an input they depend on could not be
    /// read (every citation "missing" when a bibliography was not read),
    /// counted per code.
    pub withheld: BTreeMap<Code, usize>,
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

/// Finds the configuration and the inputs of a request and reads them.
pub fn load(request: &Request) -> Result<Project, Error> {
    load_inputs(request, true)
}

/// [`load`], where a project without chapters is fine unless
/// `need_chapters` (`refs --all` formats the bibliography alone).
fn load_inputs(request: &Request, need_chapters: bool) -> Result<Project, Error> {
    let config = match &request.config {
        ConfigSource::File(path) => Config::load(&inputs::join(&request.cwd, path))?,
        ConfigSource::Discover => match Config::find(&request.cwd) {
            Some(path) => Config::load(&path)?,
            None => Config::default(),
        },
        ConfigSource::Ignore => Config::default(),
    };
    let root = match config.path.as_deref().and_then(Path::parent) {
        Some(dir) => inputs::join(&request.cwd, dir),
        None => request.cwd.clone(),
    };
    let (bibliographies, chapters) = find_inputs(request, &config, &root, need_chapters)?;
    let errors = (bibliographies.errors.into_iter())
        .map(|e| Unread::new(FileRole::Bibliography, e))
        .chain((chapters.errors.into_iter()).map(|e| Unread::new(FileRole::Chapter, e)))
        .collect();
    let mut project = load_files(&bibliographies.files, &chapters.files, config, errors);
    project.root = root;
    project.cwd = request.cwd.clone();
    Ok(project)
}

/// Decides which files to read, from the request, the configuration and the defaults.
///
/// Command-line paths are relative to the working folder; configured and
/// default ones to the project root.
fn find_inputs(
    request: &Request,
    config: &Config,
    root: &Path,
    need_chapters: bool,
) -> Result<(Found, Found), Error> {
    let cwd = &request.cwd;
    let to_specs = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };

    let chapters = if !request.paths.is_empty() {
        inputs::expand(&to_specs(&request.paths), cwd, cwd, Want::Chapter)
    } else if let Some(specs) = &config.chapters {
        inputs::expand(specs, root, cwd, Want::Chapter)
    } else {
        let default = root.join(DEFAULT_CHAPTERS);
        if !default.is_dir() && !need_chapters {
            Found::default()
        } else if !default.is_dir() {
            return Err(Error::NoInputs(format!(
                "no chapters to check: `{}` does not exist; name chapter files or folders (refkeeper check PATHS...) or list them under `chapters` in refkeeper.toml",
                inputs::shown_path(&default, cwd).display()
            )));
        } else {
            inputs::expand(&[DEFAULT_CHAPTERS.to_owned()], root, cwd, Want::Chapter)
        }
    };

    let bibliographies = if !request.bibliographies.is_empty() {
        inputs::expand(
            &to_specs(&request.bibliographies),
            cwd,
            cwd,
            Want::Bibliography,
        )
    } else if let Some(specs) = &config.bibliography {
        inputs::expand(specs, root, cwd, Want::Bibliography)
    } else {
        // `.bib` files in the chapter folders named on the command line, else `refs/`.
        let folders: Vec<String> = to_specs(&request.paths)
            .into_iter()
            .filter(|p| inputs::join(cwd, Path::new(p)).is_dir())
            .collect();
        let beside = inputs::expand_optional(&folders, cwd, cwd, Want::Bibliography);
        let default = root.join(DEFAULT_BIBLIOGRAPHY);
        if !beside.files.is_empty() {
            beside
        } else if default.is_dir() {
            inputs::expand(
                &[DEFAULT_BIBLIOGRAPHY.to_owned()],
                root,
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

/// Reads the given files once each, in parallel.
pub fn load_files(
    bibliographies: &[InputFile],
    chapters: &[InputFile],
    config: Config,
    mut read_errors: Vec<Unread>,
) -> Project {
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
            Err(error) => read_errors.push(Unread::new(*role, error)),
        }
    }
    Project {
        config,
        root: PathBuf::new(),
        cwd: PathBuf::new(),
        sources,
        read_errors,
    }
}

/// Parses the bibliography and scans the chapters, in parallel.
pub fn analyse(sources: &SourceMap, config: &Config) -> Analysis {
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
    let ((bib, bib_diagnostics), chapters) = rayon::join(
        || Bibliography::read(&bib_inputs),
        || {
            chapter_files
                .par_iter()
                .map(|(file, f)| {
                    let format = DocumentKind::of(&f.path);
                    ChapterScan {
                        file: *file,
                        output: scan::scan(&f.text, format, &options),
                    }
                })
                .collect::<Vec<_>>()
        },
    );
    Analysis {
        bib,
        bib_diagnostics,
        chapters,
    }
}

/// Runs `refkeeper check`: finds the inputs, reads them once, and checks.
pub fn check(request: &Request) -> Result<Report, Error> {
    Ok(check_project(load(request)?))
}

/// Checks files given directly (the corpus tests use this).
pub fn check_files(
    bibliographies: &[InputFile],
    chapters: &[InputFile],
    config: &Config,
    read_errors: Vec<Unread>,
) -> Report {
    check_project(load_files(
        bibliographies,
        chapters,
        config.clone(),
        read_errors,
    ))
}

/// Checks a project already read. Findings that claim an absence from
/// files of which one could not be read are withheld.
pub fn check_project(project: Project) -> Report {
    let (diagnostics, stats) = check_sources(&project.sources, &project.config);
    let (diagnostics, withheld) = withhold(diagnostics, &project.read_errors);
    Report {
        sources: project.sources,
        diagnostics,
        read_errors: project.read_errors,
        withheld,
        stats,
    }
}

/// Takes out the findings an unread input makes unreliable: with a
/// bibliography unread, a key is not known to be missing; with a chapter
/// unread, an entry is not known to be unused. Returns the rest and how
/// many were taken out per code.
pub fn withhold(
    diagnostics: Vec<Diagnostic>,
    unread: &[Unread],
) -> (Vec<Diagnostic>, BTreeMap<Code, usize>) {
    let mut withheld = BTreeMap::new();
    if unread.is_empty() {
        return (diagnostics, withheld);
    }
    let unreliable = |code: Code| {
        code.claims_absence_from()
            .is_some_and(|role| unread.iter().any(|u| u.role == role))
    };
    let kept = diagnostics
        .into_iter()
        .filter(|d| {
            let drop = unreliable(d.code);
            if drop {
                *withheld.entry(d.code).or_default() += 1;
            }
            !drop
        })
        .collect();
    (kept, withheld)
}

/// Parses, scans and checks files already in memory.
pub fn check_sources(sources: &SourceMap, config: &Config) -> (Vec<Diagnostic>, Stats) {
    let Analysis {
        bib,
        mut bib_diagnostics,
        chapters,
    } = analyse(sources, config);
    // The citation check is mostly serial, the entry checks parallel:
    // running them side by side keeps both cores busy.
    let (outcome, entry_diagnostics) = rayon::join(
        || check::check(&bib, &chapters, &config.allow_unused),
        || check::entries::check(&bib, sources),
    );
    bib_diagnostics.extend(outcome.diagnostics);
    bib_diagnostics.extend(entry_diagnostics);
    (
        finish_diagnostics(bib_diagnostics, sources, config),
        outcome.stats,
    )
}

/// Applies the configured levels and sorts by file path, then position.
fn finish_diagnostics(
    diagnostics: Vec<Diagnostic>,
    sources: &SourceMap,
    config: &Config,
) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter_map(|mut d| {
            let ignored = config
                .ignore
                .get(&d.code)
                .is_some_and(|keys| d.key.as_deref().is_some_and(|key| keys.allows(key)));
            if ignored {
                return None;
            }
            // A configured level decides; otherwise the finding keeps the
            // severity its check gave it, unless its code is off by default.
            match config.levels.get(&d.code) {
                Some(level) => d.severity = level.severity()?,
                None => {
                    d.code.default_level().severity()?;
                }
            }
            Some(d)
        })
        .collect();
    diagnostics.sort_by(|a, b| {
        let path = |d: &Diagnostic| &sources.get(d.primary.file).path;
        (path(a), a.primary.span.start, a.code, &a.key).cmp(&(
            path(b),
            b.primary.span.start,
            b.code,
            &b.key,
        ))
    });
    diagnostics
}

/// Every citation of a project, in the order of the chapters and the text.
#[derive(Debug)]
pub struct Listing {
    pub citations: Vec<ListedCitation>,
    pub project: Project,
}

/// One citation as `refkeeper list` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListedCitation {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub key: String,
    /// `cite`, `nocite` or `typst-ref` (a Typst `@key`).
    pub kind: &'static str,
    /// Whether the key names an entry (or an `ids` alias) of the bibliography.
    pub in_bibliography: bool,
}

/// Runs `refkeeper list`: every citation with its place and whether its
/// key resolves (Typst cross-references to labels left out, as in `check`).
pub fn list(request: &Request) -> Result<Listing, Error> {
    let project = load(request)?;
    let Analysis { bib, chapters, .. } = analyse(&project.sources, &project.config);
    let citations = check::citations_of(&chapters)
        .map(|(file, citation)| {
            let source = project.sources.get(file);
            let at = source.position(citation.span.start);
            ListedCitation {
                file: source.path.display().to_string(),
                line: at.line,
                column: at.column,
                key: citation.key.clone(),
                kind: match citation.kind {
                    scan::CiteKind::Cite => "cite",
                    scan::CiteKind::Nocite => "nocite",
                    scan::CiteKind::TypstRef => "typst-ref",
                },
                in_bibliography: bib.resolve(&citation.key).is_some(),
            }
        })
        .collect();
    Ok(Listing { citations, project })
}

/// The cited entries of a project as a `.bib` of their own, and the
/// cited keys that are in no bibliography (the subset lacks them).
#[derive(Debug)]
pub struct SubsetOutcome {
    pub subset: subset::Subset,
    pub missing: Vec<String>,
    /// Syntax errors and duplicate keys of the bibliography.
    pub bib_diagnostics: Vec<Diagnostic>,
    pub project: Project,
}

/// Runs `refkeeper subset`: the entries the chapters use, with what they need.
pub fn subset(request: &Request) -> Result<SubsetOutcome, Error> {
    let project = load(request)?;
    let Analysis {
        bib,
        bib_diagnostics,
        chapters,
    } = analyse(&project.sources, &project.config);
    let used = check::used_entries(&bib, &chapters);
    let (_, missing) = check::cited_in_order(&bib, &chapters);
    // With a bibliography unread, no key is known to be missing.
    let bibliography_unread =
        (project.read_errors.iter()).any(|u| u.role == FileRole::Bibliography);
    let mut missing: Vec<String> = if bibliography_unread {
        Vec::new()
    } else {
        missing.into_iter().map(str::to_owned).collect()
    };
    missing.sort();
    missing.dedup();
    let subset = subset::subset(&bib, &project.sources, &used);
    let bib_diagnostics = finish_diagnostics(bib_diagnostics, &project.sources, &project.config);
    Ok(SubsetOutcome {
        subset,
        missing,
        bib_diagnostics,
        project,
    })
}

/// What `refkeeper refs` was asked for.
#[derive(Debug, Clone, Default)]
pub struct RefsRequest {
    pub inputs: Request,
    /// A bundled style name or a `.csl` path; the configured one if `None`.
    pub style: Option<String>,
    pub locale: Option<String>,
    /// Every entry, not only the cited ones.
    pub all: bool,
    /// Only the CSL data is wanted (no style needed, nothing formatted).
    pub data_only: bool,
}

/// The formatted References of a project.
#[derive(Debug)]
pub struct References {
    pub project: Project,
    /// In the style's order.
    pub references: Vec<Reference>,
    /// The CSL data of each entry, in the order of `references`' input.
    pub items: Vec<CslItem>,
    /// Keys cited but missing, dates that cannot be read, broken entries.
    pub diagnostics: Vec<Diagnostic>,
    /// What the CSL engine could not do (see [`csl::engine::Engine::render`]).
    pub notes: Vec<String>,
}

/// Runs `refkeeper refs`: the cited entries (or all) in a CSL style.
pub fn references(request: &RefsRequest) -> Result<References, Error> {
    let project = load_inputs(&request.inputs, !request.all)?;
    if request.data_only {
        return Ok(references_with(project, None, request.all));
    }
    let style = request
        .style
        .clone()
        .or_else(|| project.config.refs.style.clone())
        .ok_or(Error::NoStyle)?;
    // A configured style path is relative to the project root.
    let style = if request.style.is_none() && (style.ends_with(".csl") || style.contains('/')) {
        project.root.join(&style).to_string_lossy().into_owned()
    } else {
        style
    };
    let locale = request
        .locale
        .clone()
        .or_else(|| project.config.refs.locale.clone());
    let engine = Engine::new(&style, locale.as_deref())?;
    Ok(references_with(project, Some(&engine), request.all))
}

/// Formats the References of a project already read with a given engine
/// (or, without one, only builds their CSL data).
pub fn references_with(project: Project, engine: Option<&Engine>, all: bool) -> References {
    let Analysis {
        bib,
        bib_diagnostics,
        chapters,
    } = analyse(&project.sources, &project.config);
    let mut diagnostics: Vec<Diagnostic> = bib_diagnostics
        .into_iter()
        .filter(|d| d.code == Code::BibSyntax)
        .collect();
    let ids: Vec<EntryId> = if all || check::cites_all(&chapters) {
        (0..bib.entries.len() as u32).map(EntryId).collect()
    } else {
        let (order, missing) = check::cited_in_order(&bib, &chapters);
        for key in missing
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
        {
            let (file, span) = chapters
                .iter()
                .flat_map(|c| c.output.citations.iter().map(move |cit| (c.file, cit)))
                .find(|(_, cit)| cit.key == key)
                .map(|(file, cit)| (file, cit.span.clone()))
                .unwrap_or((FileId(0), 0..0));
            diagnostics.push(
                Diagnostic::new(
                    Code::MissingEntry,
                    format!("`{key}` is cited but is not in any bibliography; it is left out"),
                    file,
                    span,
                )
                .with_severity(Severity::Warning)
                .with_key(key),
            );
        }
        order
    };
    let ids: Vec<EntryId> = ids
        .into_iter()
        .filter(|&id| {
            let entry = bib.entry(id);
            entry.duplicate_of.is_none()
                && !entry.broken
                && !matches!(entry.kind.as_ref(), "xdata" | "set")
        })
        .collect();
    let built: Vec<(CslItem, Vec<Diagnostic>)> = ids
        .par_iter()
        .map(|&id| {
            let entry = bib.entry(id);
            let fields = bib::fields::collect(&bib, &project.sources, id);
            csl::mapping::item(&entry.key, &entry.kind, &fields)
        })
        .collect();
    let mut items = Vec::with_capacity(built.len());
    for (item, item_diagnostics) in built {
        items.push(item);
        diagnostics.extend(item_diagnostics);
    }
    let rendered = engine.map(|e| e.render(&items)).unwrap_or_default();
    let diagnostics = finish_diagnostics(diagnostics, &project.sources, &project.config);
    let (diagnostics, _) = withhold(diagnostics, &project.read_errors);
    References {
        project,
        references: rendered.references,
        items,
        diagnostics,
        notes: rendered.notes,
    }
}
