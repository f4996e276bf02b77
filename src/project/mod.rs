//! A manuscript as its toolchain reads it: the root documents among the
//! files a run is given (a LaTeX file with `\documentclass`, a Quarto or
//! bookdown project, a Markdown file that declares its bibliography, a
//! Typst file with `#bibliography`), the files each reads in, and the
//! bibliographies each declares.
//!
//! Without a root, every file given is a chapter of one document, as
//! before. With roots, each is a document of its own, and a file found by
//! searching a folder that no root reaches is left out (counted, and
//! listed by `refkeeper files --left-out`): a backup copy, a chapter
//! whose `\input` is commented out, a Quarto book's `_drafts/`. A file
//! named on its own is always read.
//!
//! Each file is read once; its citations are scanned again later with
//! the rest of the chapters (scanning costs far less than reading).

mod latex;
mod markdown;
mod typst;

pub use markdown::{FrontMatter, front_matter, shortcode_includes};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic};
use crate::document::DocumentKind;
use crate::inputs::{InputFile, Inputs, shown_path};
use crate::scan::{self, Include, ScanOptions, ScanOutput};
use crate::source::{self, FileId, FileRole, ReadError, SourceFile, SourceMap, Unread};

/// What reads a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Toolchain {
    /// LaTeX, from a file with `\documentclass`.
    Latex,
    /// Typst, from a file with `#bibliography`.
    Typst,
    /// pandoc, one Markdown file that declares its bibliography.
    Pandoc,
    /// A Quarto project (`_quarto.yml`).
    Quarto,
    /// A bookdown book (`_bookdown.yml`).
    Bookdown,
    /// No root: the files given, as chapters of one document.
    Files,
}

impl Toolchain {
    /// How it is named in messages.
    pub fn name(self) -> &'static str {
        match self {
            Toolchain::Latex => "LaTeX",
            Toolchain::Typst => "Typst",
            Toolchain::Pandoc => "pandoc",
            Toolchain::Quarto => "Quarto",
            Toolchain::Bookdown => "bookdown",
            Toolchain::Files => "files",
        }
    }
}

/// One document: what starts it, the chapter files it reads and the
/// bibliographies it declares.
#[derive(Debug, Clone)]
pub struct Manuscript {
    /// What reads it.
    pub toolchain: Toolchain,
    /// The file that starts it (`thesis.tex`, `_quarto.yml`), as shown;
    /// `None` for files without a root.
    pub root: Option<PathBuf>,
    /// Its chapter files, in reading order.
    pub chapters: Vec<FileId>,
    /// The bibliography files it declares, resolved (absolute or relative
    /// to the working folder), in order; empty when it declares none.
    pub declared: Vec<PathBuf>,
    /// Its chapters whose front matter lists entries under `references:`
    /// (pandoc's inline references): bibliographies of this document.
    pub inline: Vec<FileId>,
}

/// What walking the files of a run found.
#[derive(Debug, Default)]
pub struct Found {
    /// The chapter files read.
    pub sources: SourceMap,
    /// The documents; one of kind [`Toolchain::Files`] when there is no root.
    pub manuscripts: Vec<Manuscript>,
    /// Files found by searching a folder that no document reads.
    pub left_out: Vec<PathBuf>,
    /// Files that could not be read, included files that are not there, and
    /// include cycles, each at the place that names it.
    pub unread: Vec<Unread>,
    /// What the reader chose and says so (`\includeonly` not obeyed, a
    /// remote bibliography not read).
    pub notes: Vec<String>,
    /// Includes that name no file, and include cycles, at their places.
    pub findings: Vec<Diagnostic>,
    /// The scans made to follow the documents (LaTeX and Typst files'
    /// roots and includes), by file: the check scans these files again
    /// only if their text changes ([`crate::Session::set_text`]).
    pub scans: HashMap<FileId, Arc<ScanOutput>>,
    /// Whether the documents were found by their roots rather than given.
    pub discovered: bool,
    /// Whether, finding no document, every file below the project folder
    /// was taken as a chapter (its `.bib` files are then the bibliography).
    pub whole_folder: bool,
}

/// The candidate files of a run: chapters found on the command line, in
/// the configuration or by default, and the folders that were searched
/// (where project files such as `_quarto.yml` are looked for).
#[derive(Debug, Default)]
pub struct Candidates {
    /// Chapter files, and whether each was named on its own (always read)
    /// rather than found in a folder or by a glob.
    pub files: Vec<(InputFile, bool)>,
    /// The folders searched.
    pub folders: Vec<PathBuf>,
    /// Root documents named in the configuration (`documents = [...]`).
    pub documents: Vec<InputFile>,
    /// The chapters to read when no root is found among the files.
    pub fallback: Option<Vec<InputFile>>,
    /// Files listed but not read: those of them no document reaches are
    /// left out too.
    pub listing: Vec<InputFile>,
    /// The files are only looked at for roots (no path was given): without
    /// a root among them, they are not chapters.
    pub roots_only: bool,
    /// The Quarto profiles asked for (see [`crate::Request::quarto_profiles`]).
    pub quarto_profiles: Vec<String>,
}

impl Candidates {
    /// The candidates of the files a run found; the errors met looking in
    /// `chapters/` are handed back apart (they count only when no root is
    /// found and `chapters/` is read).
    pub fn of(inputs: &mut Inputs, request: &crate::Request) -> (Candidates, Vec<ReadError>) {
        let fallback_errors = inputs
            .fallback
            .as_mut()
            .map(|f| std::mem::take(&mut f.errors))
            .unwrap_or_default();
        let chapters = &inputs.chapters;
        let candidates = Candidates {
            files: chapters
                .files
                .iter()
                .map(|f| (f.clone(), chapters.is_named(f)))
                .collect(),
            folders: chapters.folders.clone(),
            documents: inputs.documents.files.clone(),
            fallback: inputs.fallback.as_ref().map(|f| f.files.clone()),
            listing: std::mem::take(&mut inputs.listing),
            roots_only: inputs.discovering,
            quarto_profiles: request.quarto_profiles.clone(),
        };
        (candidates, fallback_errors)
    }
}

/// Reads the candidates and walks the documents among them.
pub fn walk(candidates: &Candidates, config: &Config, cwd: &Path) -> Found {
    let options = scan_options(config);
    let mut reader = Reader::new(cwd, &options);
    reader.quarto_profiles = candidates.quarto_profiles.clone();

    // Project files: a Quarto or bookdown project in a searched folder
    // defines its own files.
    let mut manuscripts = Vec::new();
    for folder in &candidates.folders {
        if let Some(project) = markdown::project_file(folder) {
            manuscripts.extend(markdown::project(&mut reader, &project));
        }
    }

    // The candidates, read in parallel, once each.
    let named: Vec<&InputFile> = candidates
        .documents
        .iter()
        .chain(candidates.files.iter().map(|(f, _)| f))
        .collect();
    reader.read_all(&named);
    // Each LaTeX and Typst candidate is scanned to tell whether it is a
    // root: all at once, on all cores.
    let named_ids: Vec<FileId> = named.iter().filter_map(|f| reader.id_of(&f.path)).collect();
    reader.scan_all(&named_ids);

    let explicit_roots: Vec<FileId> = candidates
        .documents
        .iter()
        .filter_map(|f| reader.id_of(&f.path))
        .collect();
    let mut roots: Vec<FileId> = explicit_roots.clone();
    if manuscripts.is_empty() {
        for (file, named) in &candidates.files {
            // A file named on its own is read as LaTeX or Typst would read
            // it when it reads others in (`hott-online.tex` inputs the
            // file with `\documentclass`).
            if let Some(id) = reader.id_of(&file.path)
                && !roots.contains(&id)
                && (reader.is_root(id) || (*named && reader.reads_others(id)))
            {
                roots.push(id);
            }
        }
    }
    // Looking for documents, with none at the top of the folder and no
    // `chapters/`: the roots anywhere below it (one paper per folder).
    if candidates.roots_only
        && manuscripts.is_empty()
        && roots.is_empty()
        && candidates.fallback.is_none()
    {
        let listed: Vec<&InputFile> = candidates.listing.iter().collect();
        reader.read_all(&listed);
        for file in &candidates.listing {
            if let Some(id) = reader.id_of(&file.path)
                && !roots.contains(&id)
                && reader.is_root(id)
            {
                roots.push(id);
            }
        }
    }
    // A root that another root reads in (a `subfiles` chapter, a Typst
    // file with its own bibliography call) is part of that document.
    let mut walked: Vec<Walked> = Vec::new();
    let mut reached: Vec<FileId> = Vec::new();
    for &root in &roots {
        if reached.contains(&root) && !explicit_roots.contains(&root) {
            continue;
        }
        let document = match reader.kind(root) {
            DocumentKind::Latex => latex::walk(&mut reader, root),
            DocumentKind::Typst => typst::walk(&mut reader, root),
            _ => markdown::walk(&mut reader, root),
        };
        reached.extend(document.chapters.iter().copied());
        walked.push(document);
    }
    // Roots walked later may have reached roots walked before them.
    let walked: Vec<Walked> = walked
        .iter()
        .enumerate()
        .filter(|(i, w)| {
            explicit_roots.contains(&w.root)
                || !walked.iter().enumerate().any(|(j, other)| {
                    j != *i && other.root != w.root && other.chapters[1..].contains(&w.root)
                })
        })
        .map(|(_, w)| w.clone())
        .collect();
    // Found, not named: a root that declares no bibliography beside roots
    // that do (a cover page, a standalone figure) is not a document to
    // check; its files are left out unless another document reads them.
    let named: std::collections::HashSet<FileId> = candidates
        .files
        .iter()
        .filter(|(_, named)| *named)
        .filter_map(|(f, _)| reader.id_of(&f.path))
        .chain(explicit_roots.iter().copied())
        .collect();
    let declares = |w: &Walked| !w.declared.is_empty() || !w.inline.is_empty();
    let any_declares = walked.iter().any(declares);
    for document in walked {
        if any_declares && !declares(&document) && !named.contains(&document.root) {
            continue;
        }
        manuscripts.push(document.into_manuscript(&reader));
    }

    let discovered = !manuscripts.is_empty();
    let reached: std::collections::HashSet<FileId> = manuscripts
        .iter()
        .flat_map(|m| m.chapters.iter().copied())
        .collect();
    let mut loose = Vec::new();
    let mut left_out = Vec::new();
    let chapters: Vec<(InputFile, bool)> = match &candidates.fallback {
        Some(fallback) if !discovered => {
            let files: Vec<&InputFile> = fallback.iter().collect();
            reader.read_all(&files);
            fallback.iter().map(|f| (f.clone(), false)).collect()
        }
        // No root anywhere and no `chapters/`: every file below the folder
        // is a chapter, as `check .` reads it.
        _ if candidates.roots_only && !discovered => candidates
            .listing
            .iter()
            .map(|f| (f.clone(), false))
            .collect(),
        _ => candidates.files.clone(),
    };
    for (file, named) in &chapters {
        let Some(id) = reader.id_of(&file.path) else {
            continue;
        };
        if reached.contains(&id) {
            continue;
        }
        if !discovered || *named {
            loose.push(id);
        } else {
            left_out.push(file.shown.clone());
        }
    }
    if discovered {
        for file in &candidates.listing {
            let read = reader.id_of(&file.path);
            if read.is_none_or(|id| !reached.contains(&id)) && !left_out.contains(&file.shown) {
                left_out.push(file.shown.clone());
            }
        }
    }

    if !loose.is_empty() {
        manuscripts.push(Manuscript {
            toolchain: Toolchain::Files,
            root: None,
            chapters: loose,
            declared: Vec::new(),
            inline: Vec::new(),
        });
    }
    // Only the files some document reads are sources: those left out were
    // read to look for roots, and are dropped.
    let mut renumbered: HashMap<FileId, FileId> = HashMap::new();
    let mut sources = SourceMap::new();
    let reached: std::collections::HashSet<FileId> = manuscripts
        .iter()
        .flat_map(|m| m.chapters.iter().copied())
        .collect();
    for (index, file) in reader.sources.into_files().into_iter().enumerate() {
        let old = FileId(index as u32);
        if reached.contains(&old) {
            renumbered.insert(old, sources.add(file));
        }
    }
    let scans = (reader.scans.into_iter())
        .filter_map(|(file, scan)| Some((*renumbered.get(&file)?, scan)))
        .collect();
    for manuscript in &mut manuscripts {
        for chapter in (manuscript.chapters.iter_mut()).chain(&mut manuscript.inline) {
            *chapter = renumbered[chapter];
        }
    }
    // Findings in files no document reads (a root set aside) go with them.
    let findings: Vec<Diagnostic> = reader
        .findings
        .into_iter()
        .filter_map(|mut finding| {
            finding.primary.file = *renumbered.get(&finding.primary.file)?;
            Some(finding)
        })
        .collect();
    Found {
        sources,
        manuscripts,
        left_out,
        unread: reader.unread,
        notes: reader.notes,
        findings,
        scans,
        discovered,
        whole_folder: candidates.roots_only && !discovered && candidates.fallback.is_none(),
    }
}

/// The scanner settings a configuration asks for.
pub(crate) fn scan_options(config: &Config) -> ScanOptions {
    ScanOptions {
        latex: scan::latex::Commands::with_extra(&config.citation_commands)
            .with_verbatim(&config.verbatim_commands),
    }
}

/// A document walked from its root.
#[derive(Debug, Clone)]
pub(crate) struct Walked {
    toolchain: Toolchain,
    root: FileId,
    /// The root file of a project (`_quarto.yml`), when it is not a chapter.
    project_file: Option<PathBuf>,
    /// Reading order, the root first (unless it is a project file).
    chapters: Vec<FileId>,
    /// The same files, to tell at once whether one is read already.
    reached: std::collections::HashSet<FileId>,
    declared: Vec<PathBuf>,
    /// Chapters with inline `references:`.
    inline: Vec<FileId>,
}

impl Walked {
    fn new(toolchain: Toolchain, root: FileId) -> Walked {
        Walked {
            toolchain,
            root,
            project_file: None,
            chapters: vec![root],
            reached: std::collections::HashSet::from([root]),
            declared: Vec::new(),
            inline: Vec::new(),
        }
    }

    fn reaches(&self, file: FileId) -> bool {
        self.reached.contains(&file)
    }

    /// A chapter the document reads next.
    fn add(&mut self, file: FileId) {
        if self.reached.insert(file) {
            self.chapters.push(file);
        }
    }

    /// A bibliography the document declares (each once, however written).
    fn declare(&mut self, path: PathBuf) {
        let path = crate::inputs::normalized(&path);
        if !self.declared.contains(&path) {
            self.declared.push(path);
        }
    }

    /// A chapter whose front matter lists entries under `references:`.
    fn declare_inline(&mut self, file: FileId) {
        if !self.inline.contains(&file) {
            self.inline.push(file);
        }
    }

    fn into_manuscript(self, reader: &Reader) -> Manuscript {
        Manuscript {
            toolchain: self.toolchain,
            root: Some(
                self.project_file
                    .unwrap_or_else(|| reader.shown(self.root).to_path_buf()),
            ),
            chapters: self.chapters,
            declared: self.declared,
            inline: self.inline,
        }
    }
}

/// Reads files once each and remembers what it read.
pub(crate) struct Reader<'o> {
    cwd: PathBuf,
    options: &'o ScanOptions,
    sources: SourceMap,
    /// The file read from each path (by [`Reader::key`]).
    by_path: HashMap<PathBuf, FileId>,
    /// The same, by the path as given: asked for often.
    by_given: HashMap<PathBuf, FileId>,
    /// Each file's path as read.
    paths: Vec<PathBuf>,
    /// Each file's scan, once made.
    scans: HashMap<FileId, Arc<ScanOutput>>,
    unread: Vec<Unread>,
    notes: Vec<String>,
    findings: Vec<Diagnostic>,
    /// The Quarto profiles asked for.
    quarto_profiles: Vec<String>,
}

impl<'o> Reader<'o> {
    fn new(cwd: &Path, options: &'o ScanOptions) -> Self {
        Reader {
            cwd: cwd.to_path_buf(),
            options,
            sources: SourceMap::new(),
            by_path: HashMap::new(),
            by_given: HashMap::new(),
            paths: Vec::new(),
            scans: HashMap::new(),
            unread: Vec::new(),
            notes: Vec::new(),
            findings: Vec::new(),
            quarto_profiles: Vec::new(),
        }
    }

    /// A file's identity: its absolute path with `.` and `..` resolved in
    /// the text (`chapters/../main.tex` is `main.tex`). Not made canonical
    /// through the file system: that costs a system call per part of the
    /// path, for every file, to catch a file reached through two links.
    fn key(&self, path: &Path) -> PathBuf {
        crate::inputs::normalized(&crate::inputs::join(&self.cwd, path))
    }

    /// Reads files not read yet, in parallel.
    fn read_all(&mut self, files: &[&InputFile]) {
        let mut wanted: Vec<(&InputFile, PathBuf)> = Vec::new();
        let mut keys = std::collections::HashSet::new();
        for file in files {
            if self.by_given.contains_key(&file.path) {
                continue;
            }
            let key = self.key(&file.path);
            if let Some(&id) = self.by_path.get(&key) {
                self.by_given.insert(file.path.clone(), id);
            } else if keys.insert(key.clone()) {
                wanted.push((file, key));
            }
        }
        let texts: Vec<Result<String, ReadError>> = wanted
            .par_iter()
            .map(|(file, _)| source::read_text(&file.path, &file.shown))
            .collect();
        for ((file, key), text) in wanted.into_iter().zip(texts) {
            match text {
                Ok(text) => {
                    let id = self.sources.add(SourceFile::new(
                        file.shown.clone(),
                        FileRole::Chapter,
                        text,
                    ));
                    self.by_path.insert(key, id);
                    self.by_given.insert(file.path.clone(), id);
                    self.paths.push(file.path.clone());
                }
                Err(error) => self.unread.push(Unread::new(FileRole::Chapter, error)),
            }
        }
    }

    /// The file at `path`, read now if it was not read before.
    fn read_chapter(&mut self, path: &Path) -> Option<FileId> {
        if let Some(&id) = self.by_given.get(path) {
            return Some(id);
        }
        let key = self.key(path);
        if let Some(&id) = self.by_path.get(&key) {
            self.by_given.insert(path.to_path_buf(), id);
            return Some(id);
        }
        let file = InputFile {
            path: path.to_path_buf(),
            shown: shown_path(path, &self.cwd),
        };
        self.read_all(&[&file]);
        self.by_path.get(&key).copied()
    }

    fn id_of(&self, path: &Path) -> Option<FileId> {
        match self.by_given.get(path) {
            Some(&id) => Some(id),
            None => self.by_path.get(&self.key(path)).copied(),
        }
    }

    fn shown(&self, file: FileId) -> &Path {
        &self.sources.get(file).path
    }

    /// The folder of the file as read (absolute or relative to the
    /// working folder).
    fn folder_of(&self, file: FileId) -> PathBuf {
        match self.paths[file.0 as usize].parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    fn kind(&self, file: FileId) -> DocumentKind {
        DocumentKind::of(&self.sources.get(file).path)
    }

    /// The scans of these files that [`Reader::is_root`] and
    /// [`Reader::reads_others`] will ask for, made in parallel.
    fn scan_all(&mut self, files: &[FileId]) {
        let wanted: Vec<FileId> = (files.iter().copied())
            .filter(|file| {
                matches!(self.kind(*file), DocumentKind::Latex | DocumentKind::Typst)
                    && !self.scans.contains_key(file)
            })
            .collect();
        let scans: Vec<ScanOutput> = wanted.par_iter().map(|&file| self.scanned(file)).collect();
        for (file, scan) in wanted.into_iter().zip(scans) {
            self.scans.insert(file, Arc::new(scan));
        }
    }

    /// The file's scan, made once.
    fn scan(&mut self, file: FileId) -> Arc<ScanOutput> {
        if let Some(scan) = self.scans.get(&file) {
            return Arc::clone(scan);
        }
        let scan = Arc::new(self.scanned(file));
        self.scans.insert(file, Arc::clone(&scan));
        scan
    }

    /// The file scanned as its kind of document.
    fn scanned(&self, file: FileId) -> ScanOutput {
        let source = self.sources.get(file);
        scan::scan(&source.text, DocumentKind::of(&source.path), self.options)
    }

    /// Whether a file starts a document of its own.
    fn is_root(&mut self, file: FileId) -> bool {
        match self.kind(file) {
            DocumentKind::Latex => self.scan(file).is_root,
            DocumentKind::Typst => !self.scan(file).bibliographies.is_empty(),
            DocumentKind::Markdown | DocumentKind::Quarto => {
                markdown::front_matter(&self.sources.get(file).text)
                    .is_some_and(|m| !m.bibliography.is_empty() || m.inline_references)
            }
            DocumentKind::Html | DocumentKind::Plain => false,
        }
    }

    /// Whether a file reads others in (includes them).
    fn reads_others(&mut self, file: FileId) -> bool {
        match self.kind(file) {
            DocumentKind::Latex | DocumentKind::Typst => !self.scan(file).includes.is_empty(),
            DocumentKind::Markdown | DocumentKind::Quarto => {
                !markdown::shortcode_includes(&self.sources.get(file).text).is_empty()
            }
            DocumentKind::Html | DocumentKind::Plain => false,
        }
    }

    /// An included file that is not there: `missing-include`, at the
    /// place that names it. (A file the build writes, such as a
    /// `version.tex`, is not there either; so it is a warning, not an
    /// unread input that would withhold findings.)
    fn missing_include(&mut self, from: FileId, include: &Include, looked_for: &Path) {
        self.findings.push(
            Diagnostic::new(
                Code::MissingInclude,
                format!(
                    "`{}` names {}, which does not exist",
                    include.path,
                    shown_path(looked_for, &self.cwd).display()
                ),
                from,
                include.span.clone(),
            )
            .with_help("the toolchain stops here; correct the path, or ignore this for a file the build writes"),
        );
    }

    /// A file that includes itself, through others or directly:
    /// `include-cycle`, at the include that closes the cycle; it is not
    /// followed again (LaTeX and Typst would not finish).
    fn include_cycle(&mut self, from: FileId, include: &Include, included: FileId) {
        self.findings.push(Diagnostic::new(
            Code::IncludeCycle,
            format!(
                "`{}` includes {}, which includes this file again",
                include.path,
                self.shown(included).display()
            ),
            from,
            include.span.clone(),
        ));
    }
}
