//! Which files a run reads: chapter and bibliography files from the command
//! line, the configuration, or the defaults (`refs/` and `chapters/`).
//!
//! A path may be a file, a folder (searched recursively, honouring
//! `.gitignore` and skipping hidden files, as ripgrep does) or a glob
//! (`chapters/**/*.md`). Symbolic links are followed; a link that loops is
//! reported and skipped.

use std::path::{Component, Path, PathBuf};

use globset::GlobBuilder;

use crate::config::{Config, ConfigError};
use crate::document::DocumentKind;
use crate::source::ReadError;

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
    /// A project without chapters is fine (formatting every entry of a
    /// bibliography needs none); by default it is [`InputError::NoDocuments`].
    pub chapters_optional: bool,
    /// Levels set on the command line (`-A`, `-W`, `-D`), applied over the
    /// configuration's in order (a later one for the same code wins).
    pub levels: Vec<(crate::Code, crate::Level)>,
    /// The Quarto profiles asked for (what `QUARTO_PROFILE` or `quarto
    /// --profile` names), first the one that wins; empty for the project's
    /// `profile: default:`, if it has one.
    pub quarto_profiles: Vec<String>,
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

/// Why the files of a project could not be found at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The configuration file is missing, unreadable or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No bibliography was named or configured, none lies beside the
    /// chapters, and the default folder is not there.
    #[error(
        "no bibliography to check against: no .bib file in the chapter folders and no `{}` folder",
        looked_in.display()
    )]
    NoBibliography {
        /// The default bibliography folder, as shown.
        looked_in: PathBuf,
    },
    /// No path was given and nothing configured, and the project folder
    /// holds no document refkeeper can find by its root.
    #[error(
        "no document found in `{}`: no LaTeX file with \\documentclass, no _quarto.yml or _bookdown.yml, no Markdown file declaring a bibliography or listing references, no Typst file calling #bibliography, and no `chapters` folder",
        looked_in.display()
    )]
    NoDocuments {
        /// The project folder, as shown.
        looked_in: PathBuf,
    },
    /// The configuration lists no bibliography at all (`bibliography = []`).
    #[error("no bibliography to check against: the configured list is empty")]
    EmptyBibliographyList,
}

/// A project's files, found: its configuration, where it lives, the
/// chapter files to read (the documents among them are found by reading
/// them: see [`crate::project`]), and the bibliographies named outright.
#[derive(Debug)]
pub struct Inputs {
    /// The configuration read (the defaults when there is none).
    pub config: Config,
    /// The configuration file's folder, or the working folder.
    pub root: PathBuf,
    /// The working folder.
    pub cwd: PathBuf,
    /// The chapter files and folders found.
    pub chapters: Found,
    /// Root documents the configuration names (`documents = [...]`).
    pub documents: Found,
    /// Bibliographies named on the command line or in the configuration;
    /// `None` when the documents' own (or the defaults) are wanted.
    pub bibliographies: Option<Found>,
    /// Whether the chapters were looked for with no path and no
    /// configuration, so that finding no document is an error.
    pub discovering: bool,
    /// When looking for documents: the chapters to read when no root is
    /// found (`chapters/`, the layout refkeeper has always read).
    pub fallback: Option<Found>,
    /// When looking for documents: every chapter file below the project
    /// folder, listed but not read, to say which files no document reads.
    pub listing: Vec<InputFile>,
}

/// Finds the configuration and the files of a request.
///
/// Command-line paths are relative to the working folder; configured and
/// default ones to the project root. Without paths or configured chapters,
/// a Quarto or bookdown project in the root is read as such; else
/// `chapters/`, when there is one; else the documents in the root folder.
pub fn find(request: &Request) -> Result<Inputs, InputError> {
    let cwd = &request.cwd;
    // Errors name the file as the user sees it, not by its absolute path.
    let shown = |mut error: crate::config::ConfigError| {
        error.path = shown_path(&error.path, cwd);
        error
    };
    let mut config = match &request.config {
        ConfigSource::File(path) => Config::load(&join(cwd, path)).map_err(shown)?,
        ConfigSource::Discover => match Config::find(cwd) {
            Some(path) => Config::load(&path).map_err(shown)?,
            None => Config::default(),
        },
        ConfigSource::Ignore => Config {
            ignored: true,
            ..Config::default()
        },
    };
    config.levels.extend(request.levels.iter().copied());
    let root = match config.path.as_deref().and_then(Path::parent) {
        Some(dir) => join(cwd, dir),
        None => cwd.clone(),
    };
    let to_specs = |paths: &[PathBuf]| {
        paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };

    let documents = match &config.documents {
        Some(specs) => expand(specs, &root, cwd, Want::Chapter),
        None => Found::default(),
    };
    let mut discovering = false;
    let mut fallback = None;
    let mut listing = Vec::new();
    let chapters = if !request.paths.is_empty() {
        expand(&to_specs(&request.paths), cwd, cwd, Want::Chapter)
    } else if let Some(specs) = &config.chapters {
        expand(specs, &root, cwd, Want::Chapter)
    } else if config.documents.is_some() {
        Found::default()
    } else {
        // The documents whose roots lie in the project folder itself (a
        // project file, a main .tex or .typ, a Markdown file that declares
        // its bibliography), else `chapters/`.
        let mut found = Found::default();
        found.folders.push(root.clone());
        let mut top: Vec<PathBuf> = std::fs::read_dir(&root)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_file() && Want::Chapter.matches(p))
                    .collect()
            })
            .unwrap_or_default();
        top.sort();
        for path in top {
            found.push(path, cwd);
        }
        let mut below = Found::default();
        walk(&root, cwd, Want::Chapter, None, &mut below);
        listing = below.files;
        if root.join(DEFAULT_CHAPTERS).is_dir() {
            fallback = Some(expand(
                &[DEFAULT_CHAPTERS.to_owned()],
                &root,
                cwd,
                Want::Chapter,
            ));
        }
        discovering = !request.chapters_optional;
        found
    };

    let bibliographies = if !request.bibliographies.is_empty() {
        Some(expand(
            &to_specs(&request.bibliographies),
            cwd,
            cwd,
            Want::Bibliography,
        ))
    } else if let Some(specs) = &config.bibliography {
        if specs.is_empty() {
            return Err(InputError::EmptyBibliographyList);
        }
        Some(expand(specs, &root, cwd, Want::Bibliography))
    } else {
        None
    };
    Ok(Inputs {
        config,
        root,
        cwd: cwd.clone(),
        chapters,
        documents,
        bibliographies,
        discovering,
        fallback,
        listing,
    })
}

/// The bibliographies of a document that declares none: the `.bib` files
/// in the chapter folders named on the command line (or in the project
/// folder, when all of it was taken as chapters), else `refs/` in the
/// project root.
pub fn default_bibliographies(
    request: &Request,
    root: &Path,
    whole_folder: bool,
) -> Result<Found, InputError> {
    let cwd = &request.cwd;
    let mut folders: Vec<String> = request
        .paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| join(cwd, Path::new(p)).is_dir())
        .collect();
    if whole_folder {
        folders.push(root.to_string_lossy().into_owned());
    }
    let beside = expand_optional(&folders, cwd, cwd, Want::Bibliography);
    let default = root.join(DEFAULT_BIBLIOGRAPHY);
    if !beside.files.is_empty() {
        Ok(beside)
    } else if default.is_dir() {
        Ok(expand(
            &[DEFAULT_BIBLIOGRAPHY.to_owned()],
            root,
            cwd,
            Want::Bibliography,
        ))
    } else {
        Err(InputError::NoBibliography {
            looked_in: shown_path(&default, cwd),
        })
    }
}

/// What kind of file a search is looking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// `.bib` files.
    Bibliography,
    /// Chapter files of a kind refkeeper reads.
    Chapter,
}

impl Want {
    /// What a file of this kind is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Want::Bibliography => "bibliography file (.bib)",
            Want::Chapter => "chapter file (.tex, .ltx, .md, .markdown, .Rmd, .qmd, .typ)",
        }
    }

    /// Whether a file is of this kind, by its extension.
    pub fn matches(self, path: &Path) -> bool {
        match self {
            Want::Bibliography => path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("bib")),
            Want::Chapter => DocumentKind::from_path(path).is_some(),
        }
    }
}

/// A file to read, with the path to show the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// The path to read.
    pub path: PathBuf,
    /// The path as shown to the user.
    pub shown: PathBuf,
}

/// Files found for one kind of input, and what went wrong while looking.
#[derive(Debug, Default)]
pub struct Found {
    /// The files, each once, in the order found.
    pub files: Vec<InputFile>,
    /// Paths that named nothing, and folders that could not be walked.
    pub errors: Vec<ReadError>,
    /// The paths in `files`, so that a file two specifications name is
    /// read once without a search through `files` for each.
    seen: std::collections::HashSet<PathBuf>,
    /// The files named on their own (not found in a folder or by a glob).
    named: std::collections::HashSet<PathBuf>,
    /// The folders searched.
    pub folders: Vec<PathBuf>,
}

impl Found {
    /// Whether a file was named on its own.
    pub fn is_named(&self, file: &InputFile) -> bool {
        self.named.contains(&file.path)
    }
}

impl Found {
    fn push(&mut self, path: PathBuf, cwd: &Path) {
        if self.seen.insert(path.clone()) {
            let shown = shown_path(&path, cwd);
            self.files.push(InputFile { path, shown });
        }
    }
}

/// Expands file, folder and glob specifications, each relative to `base`.
///
/// A file named explicitly is taken whatever its extension when looking
/// for bibliographies; a chapter must have an extension refkeeper reads.
/// A glob or a folder that yields no file of the wanted kind is an error
/// naming it, as a missing file is: a run that was asked to read
/// `chaptrs/*.md` and read nothing must not pass.
pub fn expand(specs: &[String], base: &Path, cwd: &Path, want: Want) -> Found {
    let mut found = Found::default();
    for spec in specs {
        if expand_one(spec, base, cwd, want, &mut found) == Some(0) {
            found.errors.push(ReadError::NoMatch {
                path: shown_path(&join(base, Path::new(spec)), cwd),
                wanted: want.describe(),
            });
        }
    }
    found
}

/// The files of the wanted kind in folders that may hold none (the `.bib`
/// files beside the chapters): no error when a folder has none.
pub fn expand_optional(folders: &[String], base: &Path, cwd: &Path, want: Want) -> Found {
    let mut found = Found::default();
    for folder in folders {
        expand_one(folder, base, cwd, want, &mut found);
    }
    found
}

/// Adds what one specification names. For a folder or a glob, the number
/// of files it matched (counting those an earlier specification already
/// added); `None` for a file, found or not, and for an invalid pattern
/// (both already reported).
fn expand_one(spec: &str, base: &Path, cwd: &Path, want: Want, found: &mut Found) -> Option<usize> {
    if is_glob(spec) {
        return expand_glob(spec, base, cwd, want, found);
    }
    let path = join(base, Path::new(spec));
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_dir() => {
            found.folders.push(path.clone());
            return Some(walk(&path, cwd, want, None, found));
        }
        Ok(meta) if meta.is_file() => {
            if want == Want::Chapter && !want.matches(&path) {
                found.errors.push(ReadError::Walk {
                    path: shown_path(&path, cwd),
                    message: "not a chapter format refkeeper reads (.tex, .ltx, .md, .markdown, .Rmd, .qmd, .typ)".to_owned(),
                });
            } else {
                found.named.insert(path.clone());
                found.push(path, cwd);
            }
        }
        Ok(_) => found.errors.push(ReadError::NotAFile {
            path: shown_path(&path, cwd),
        }),
        Err(_) => found.errors.push(ReadError::NotFound {
            path: shown_path(&path, cwd),
        }),
    }
    None
}

fn is_glob(spec: &str) -> bool {
    spec.contains(['*', '?', '[', '{'])
}

/// `a/b/**/*.md`: walks `a/b` and keeps what the whole pattern matches.
fn expand_glob(
    spec: &str,
    base: &Path,
    cwd: &Path,
    want: Want,
    found: &mut Found,
) -> Option<usize> {
    let glob = match GlobBuilder::new(spec).literal_separator(true).build() {
        Ok(glob) => glob.compile_matcher(),
        Err(e) => {
            found.errors.push(ReadError::Walk {
                path: PathBuf::from(spec),
                message: format!("invalid pattern: {e}"),
            });
            return None;
        }
    };
    let literal: PathBuf = Path::new(spec)
        .components()
        .take_while(|c| !is_glob(&c.as_os_str().to_string_lossy()))
        .collect();
    let root = join(base, &literal);
    if !root.is_dir() {
        return Some(0);
    }
    Some(walk(&root, cwd, want, Some((&glob, base)), found))
}

fn walk(
    root: &Path,
    cwd: &Path,
    want: Want,
    glob: Option<(&globset::GlobMatcher, &Path)>,
    found: &mut Found,
) -> usize {
    let mut matched = 0;
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(true)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for result in walker {
        match result {
            Ok(entry) => {
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                let path = entry.into_path();
                if !want.matches(&path) {
                    continue;
                }
                if let Some((glob, base)) = glob {
                    let relative = path.strip_prefix(base).unwrap_or(&path);
                    if !glob.is_match(relative) {
                        continue;
                    }
                }
                matched += 1;
                found.push(path, cwd);
            }
            Err(error) => found.errors.push(walk_error(error, cwd)),
        }
    }
    matched
}

pub(crate) fn walk_error(error: ignore::Error, cwd: &Path) -> ReadError {
    fn path_of(error: &ignore::Error) -> Option<&Path> {
        match error {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::Loop { child, .. } => Some(child),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            _ => None,
        }
    }
    fn loop_ancestor(error: &ignore::Error) -> Option<&Path> {
        match error {
            ignore::Error::Loop { ancestor, .. } => Some(ancestor),
            ignore::Error::WithPath { err, .. }
            | ignore::Error::WithDepth { err, .. }
            | ignore::Error::WithLineNumber { err, .. } => loop_ancestor(err),
            _ => None,
        }
    }
    let path = path_of(&error)
        .map(|p| shown_path(p, cwd))
        .unwrap_or_default();
    let message = match loop_ancestor(&error) {
        Some(ancestor) => format!(
            "symbolic link loops back to {}; skipped",
            shown_path(ancestor, cwd).display()
        ),
        None => error.to_string(),
    };
    ReadError::Walk { path, message }
}

/// `base/path`, or `path` when it is absolute.
pub fn join(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

/// A path with its `.` and `..` parts resolved in the text (`a/b/../c` is
/// `a/c`), so that two ways of writing one file compare equal. A `..`
/// that would climb above the path's start is kept.
pub fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let can_pop = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if can_pop {
                    out.pop();
                } else {
                    out.push(component);
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The path to show: relative to the working folder when inside it.
pub fn shown_path(path: &Path, cwd: &Path) -> PathBuf {
    let relative = if path.is_absolute() {
        match path.strip_prefix(cwd) {
            Ok(under) => under.to_path_buf(),
            // Beside or above the working folder (a bibliography the
            // configuration one folder up names): `../refs/r.bib`, as
            // cargo and rustc show such paths, when the two share more
            // than the root; absolute otherwise.
            Err(_) => upward(path, cwd).unwrap_or_else(|| path.to_path_buf()),
        }
    } else {
        path.to_path_buf()
    };
    relative
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// `path` relative to `cwd` through `..`, when both are absolute and
/// share a folder below the root.
fn upward(path: &Path, cwd: &Path) -> Option<PathBuf> {
    let path_parts: Vec<Component> = path.components().collect();
    let cwd_parts: Vec<Component> = cwd.components().collect();
    let shared = path_parts
        .iter()
        .zip(&cwd_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let below_root = path_parts
        .iter()
        .take(shared)
        .filter(|c| matches!(c, Component::Normal(_)))
        .count();
    if below_root == 0
        || cwd_parts[shared..]
            .iter()
            .any(|c| matches!(c, Component::ParentDir))
    {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in &cwd_parts[shared..] {
        out.push("..");
    }
    for part in &path_parts[shared..] {
        out.push(part);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_from_the_working_folder() {
        let cwd = Path::new("/work/thesis/chapters");
        assert_eq!(
            shown_path(Path::new("/work/thesis/chapters/a.md"), cwd),
            Path::new("a.md")
        );
        assert_eq!(
            shown_path(Path::new("/work/thesis/refs/r.bib"), cwd),
            Path::new("../refs/r.bib")
        );
        // Sharing only the root: absolute.
        assert_eq!(
            shown_path(Path::new("/etc/r.bib"), cwd),
            Path::new("/etc/r.bib")
        );
        assert_eq!(
            shown_path(Path::new("./refs/r.bib"), cwd),
            Path::new("refs/r.bib")
        );
    }

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        dir
    }

    fn shown(found: &Found) -> Vec<String> {
        found
            .files
            .iter()
            .map(|f| f.shown.to_string_lossy().replace('\\', "/"))
            .collect()
    }

    #[test]
    fn folders_are_searched_for_the_wanted_kind_in_order() {
        let dir = tree(&[
            "c/b.md",
            "c/a.tex",
            "c/sub/x.typ",
            "c/notes.txt",
            "c/refs.bib",
            "c/.hidden/h.md",
        ]);
        let found = expand(&["c".to_owned()], dir.path(), dir.path(), Want::Chapter);
        assert_eq!(shown(&found), vec!["c/a.tex", "c/b.md", "c/sub/x.typ"]);
        let bibs = expand(
            &["c".to_owned()],
            dir.path(),
            dir.path(),
            Want::Bibliography,
        );
        assert_eq!(shown(&bibs), vec!["c/refs.bib"]);
    }

    #[test]
    fn globs_match_relative_to_the_base() {
        let dir = tree(&["text/a.md", "text/deep/b.md", "text/c.tex"]);
        let found = expand(
            &["text/*.md".to_owned()],
            dir.path(),
            dir.path(),
            Want::Chapter,
        );
        assert_eq!(shown(&found), vec!["text/a.md"]);
        let found = expand(
            &["text/**/*.md".to_owned()],
            dir.path(),
            dir.path(),
            Want::Chapter,
        );
        assert_eq!(shown(&found), vec!["text/a.md", "text/deep/b.md"]);
    }

    #[test]
    fn missing_paths_and_unknown_formats_are_errors() {
        let dir = tree(&["notes.txt"]);
        let found = expand(
            &["nope".to_owned(), "notes.txt".to_owned()],
            dir.path(),
            dir.path(),
            Want::Chapter,
        );
        assert!(found.files.is_empty());
        let messages: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
        assert_eq!(messages[0], "nope: no such file or folder");
        assert!(messages[1].starts_with("notes.txt: not a chapter format"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_reported_and_skipped() {
        let dir = tree(&["c/a.md"]);
        std::os::unix::fs::symlink(dir.path().join("c"), dir.path().join("c/loop")).unwrap();
        let found = expand(&["c".to_owned()], dir.path(), dir.path(), Want::Chapter);
        assert_eq!(shown(&found), vec!["c/a.md"]);
        assert_eq!(found.errors.len(), 1);
        assert!(
            found.errors[0].to_string().contains("loops back"),
            "{}",
            found.errors[0]
        );
    }
}
