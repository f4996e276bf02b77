//! A session: one project held in memory — its configuration, where it
//! lives, and the text of every bibliography and chapter, each read once —
//! and the work refkeeper does on it. Each piece of work returns an
//! [`Outcome`]: the sources it read, the inputs it could not, its findings
//! and its value. A session does not print and does not write files.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::bib::{self, BibInput, Bibliography, EntryId, Format};
use crate::check::{self, ChapterScan, RuleSet, Stats};
use crate::config::Config;
use crate::csl::engine::{Engine, Reference, StyleError};
use crate::csl::mapping::{CslItem, Localisation};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::document::DocumentKind;
use crate::findings::{Findings, UnusedEntries};
use crate::inputs::{self, InputError, InputFile, Inputs, Request};
use crate::overview::{self, Overview};
use crate::project::{self, Candidates, Manuscript, Toolchain};
use crate::scan::{self, CiteKind, ScanOutput};
use crate::source::{self, FileId, FileRole, ReadError, SourceFile, SourceMap, Unread};
use crate::subset::{self, Subset};

/// Why a session could not do its work at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The project's files could not be found.
    #[error(transparent)]
    Inputs(#[from] InputError),
    /// The style cannot be used.
    #[error(transparent)]
    Style(#[from] StyleError),
    /// References were asked for, and neither the request nor the
    /// configuration names a style.
    #[error("no citation style chosen")]
    NoStyle,
    /// `subset` copies BibLaTeX entries, and a bibliography is in another
    /// format.
    #[error("{path}: {format}; subset copies BibLaTeX entries as they are written, and writes a .bib file", path = .path.display())]
    NotBibLatex {
        /// The bibliography, as shown.
        path: PathBuf,
        /// What it is ([`Format::describe`]).
        format: &'static str,
    },
}

/// A project held in memory.
#[derive(Debug)]
pub struct Session {
    config: Config,
    rules: RuleSet,
    root: PathBuf,
    cwd: PathBuf,
    sources: Arc<SourceMap>,
    unread: Arc<[Unread]>,
    documents: Vec<Document>,
    left_out: Vec<PathBuf>,
    notes: Vec<String>,
    /// Findings of the reading itself (`missing-include`, `include-cycle`).
    reading: Vec<Diagnostic>,
    /// Chapters scanned while the documents were followed, kept so that
    /// no chapter is scanned twice (until its text changes).
    scans: HashMap<FileId, Arc<ScanOutput>>,
    discovered: bool,
}

/// One document of a session: its chapters and the bibliographies they
/// are checked against.
#[derive(Debug, Clone)]
pub struct Document {
    /// What reads it.
    pub toolchain: Toolchain,
    /// The file that starts it, as shown; `None` for chapters without a root.
    pub root: Option<PathBuf>,
    /// Its chapter files, in reading order.
    pub chapters: Vec<FileId>,
    /// Its bibliography files, in order.
    pub bibliographies: Vec<FileId>,
}

/// What a piece of work on a session gives: the sources it read (to show
/// findings in), the inputs it could not read, its findings (levels
/// applied, sorted by file and position) and its value. The sources are
/// shared with the session, not copied, and outlive it.
#[derive(Debug)]
pub struct Outcome<T> {
    /// Every file read, addressed by the findings' [`FileId`]s.
    pub sources: Arc<SourceMap>,
    /// Inputs that could not be found, read or matched; the rest were used.
    pub unread: Arc<[Unread]>,
    /// Findings, after the configured levels and ignores, in order.
    pub findings: Findings,
    /// Findings not reported because an input they depend on could not be
    /// read (every citation "missing" when a bibliography was not read),
    /// counted per code.
    pub withheld: BTreeMap<Code, usize>,
    /// What the work produced.
    pub value: T,
    /// What the work read and no longer needs (the parsed bibliography):
    /// freed with the outcome.
    #[expect(dead_code, reason = "held to be freed, never read")]
    retired: Retired,
}

/// Data an [`Outcome`] holds only to free it later. Freeing a bibliography
/// of 100,000 entries (a key and a list of fields each, and the pages the
/// allocator hands back at once) took 10–15 ms where the report was made,
/// and on another thread it slowed the sorting and printing beside it by
/// as much. Freed with the report instead, it costs a program that prints
/// the report and exits nothing at all.
#[derive(Default)]
struct Retired(Vec<Box<dyn std::any::Any + Send + Sync>>);

impl std::fmt::Debug for Retired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Retired({} values)", self.0.len())
    }
}

/// The outcome of [`Session::check`]: the findings, and counts beside them.
pub type Report = Outcome<Stats>;

impl<T> Outcome<T> {
    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.count(severity)
    }

    /// How many chapter files were read.
    pub fn chapter_count(&self) -> usize {
        self.sources.count_role(FileRole::Chapter)
    }

    /// How many bibliography files were read.
    pub fn bibliography_count(&self) -> usize {
        self.sources.count_role(FileRole::Bibliography)
    }
}

impl Report {
    /// How many bibliographies were read: the files, and the chapters
    /// that list entries inline.
    pub fn bibliographies_read(&self) -> usize {
        self.bibliography_count() + self.value.inline_references
    }
}

/// The bibliography parsed and the chapters scanned: what every piece of
/// work starts from.
#[derive(Debug)]
pub struct Analysis {
    /// The entries of every bibliography file, in order; shared with the
    /// findings of a report, which make their `unused-entry` findings from
    /// it when they are read ([`Findings`]).
    pub bib: Arc<Bibliography>,
    /// Syntax errors and duplicate keys, found while parsing.
    pub bib_diagnostics: Vec<Diagnostic>,
    /// Each chapter's citations.
    pub chapters: Vec<ChapterScan>,
}

/// One citation as `refkeeper list` gives it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListedCitation {
    /// The chapter, as shown.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The key as written.
    pub key: String,
    /// `cite`, `nocite` or `typst-ref` (a Typst `@key`).
    pub kind: &'static str,
    /// Whether the key names an entry (or an `ids` alias) of the bibliography.
    pub in_bibliography: bool,
}

/// The cited entries as a `.bib` of their own ([`Session::subset`]).
#[derive(Debug)]
pub struct Cited {
    /// The `.bib` text and what it holds.
    pub subset: Subset,
    /// Keys cited but in no bibliography: the subset lacks them.
    pub missing: Vec<String>,
}

/// A chosen CSL style, loaded.
pub struct Style {
    /// The style as it was named (a bundled name or a `.csl` path).
    pub name: String,
    /// The engine that formats in it.
    pub engine: Engine,
}

/// The formatted References ([`Session::references`]).
#[derive(Debug, Default)]
pub struct References {
    /// In the style's order.
    pub references: Vec<Reference>,
    /// The CSL data of each entry formatted, in the order of the citations.
    pub items: Vec<CslItem>,
    /// What the CSL engine could not do (see [`Engine::render`]).
    pub notes: Vec<String>,
}

impl Session {
    /// Finds the configuration and the files of a request and reads each
    /// file once, in parallel. A file that cannot be read does not stop
    /// the session: it is listed in [`Session::unread`].
    pub fn load(request: &Request) -> Result<Session, Error> {
        let mut inputs = inputs::find(request)?;
        let (candidates, fallback_errors) = Candidates::of(&mut inputs, request);
        let has_fallback = candidates.fallback.is_some();
        let Inputs {
            config,
            root,
            cwd,
            chapters,
            documents,
            bibliographies,
            discovering,
            ..
        } = inputs;
        let found = project::walk(&candidates, &config, &cwd);
        if discovering && !has_fallback && found.manuscripts.is_empty() && found.unread.is_empty() {
            return Err(InputError::NoDocuments {
                looked_in: inputs::shown_path(&root, &cwd),
            }
            .into());
        }
        let mut unread: Vec<Unread> = chapters
            .errors
            .into_iter()
            .chain(documents.errors)
            .map(|e| Unread::new(FileRole::Chapter, e))
            .collect();
        unread.extend(found.unread);
        if !found.discovered {
            // `chapters/` was read: what could not be found there counts.
            unread.extend(
                fallback_errors
                    .into_iter()
                    .map(|e| Unread::new(FileRole::Chapter, e)),
            );
        }

        // Each document's bibliographies: those named outright, else those
        // it declares, else the defaults (found once, when needed).
        let explicit: Option<Vec<InputFile>> = bibliographies.map(|found| {
            unread.extend(
                found
                    .errors
                    .into_iter()
                    .map(|e| Unread::new(FileRole::Bibliography, e)),
            );
            found.files
        });
        let needs_default = explicit.is_none()
            && (found.manuscripts.is_empty()
                || (found.manuscripts.iter())
                    .any(|m| m.declared.is_empty() && m.inline.is_empty()));
        let default: Option<Vec<InputFile>> = if needs_default {
            match inputs::default_bibliographies(request, &root, found.whole_folder) {
                Ok(found) => {
                    unread.extend(
                        found
                            .errors
                            .into_iter()
                            .map(|e| Unread::new(FileRole::Bibliography, e)),
                    );
                    Some(found.files)
                }
                // Without any document to check, formatting needs none.
                Err(_) if found.manuscripts.is_empty() && request.chapters_optional => {
                    Some(Vec::new())
                }
                // Nothing found by looking: say what was looked for.
                Err(_) if found.whole_folder => {
                    return Err(InputError::NoDocuments {
                        looked_in: inputs::shown_path(&root, &cwd),
                    }
                    .into());
                }
                Err(error) => return Err(error.into()),
            }
        } else {
            None
        };
        let mut sources = found.sources;
        let mut bib_ids: HashMap<PathBuf, FileId> = HashMap::new();
        let mut bibliography_of = |files: &[InputFile], unread: &mut Vec<Unread>| -> Vec<FileId> {
            let new: Vec<&InputFile> = files
                .iter()
                .filter(|f| !bib_ids.contains_key(&f.path))
                .collect();
            for (file, text) in new.iter().zip(read_texts(&new)) {
                match text.and_then(|text| readable_bibliography(file, &text).map(|()| text)) {
                    Ok(text) => {
                        let id = sources.add(SourceFile::new(
                            file.shown.clone(),
                            FileRole::Bibliography,
                            text,
                        ));
                        bib_ids.insert(file.path.clone(), id);
                    }
                    Err(error) => {
                        // Named once, however many documents declare it.
                        bib_ids.insert(file.path.clone(), FileId(u32::MAX));
                        unread.push(Unread::new(FileRole::Bibliography, error));
                    }
                }
            }
            files
                .iter()
                .filter_map(|f| bib_ids.get(&f.path).copied())
                .filter(|id| id.0 != u32::MAX)
                .collect()
        };
        let mut documents_read = Vec::new();
        // A declared bibliography outside the project folder is read, and
        // said to be: the manuscript depends on a file the project does not
        // hold (through `..` or a symbolic link).
        let mut notes = found.notes;
        let project_folder = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
        let mut outside: Vec<PathBuf> = Vec::new();
        for manuscript in &found.manuscripts {
            for path in &manuscript.declared {
                let Ok(real) = std::fs::canonicalize(path) else {
                    continue;
                };
                if !real.starts_with(&project_folder) && !outside.contains(path) {
                    outside.push(path.clone());
                    notes.push(format!(
                        "{} is outside the project folder; it is read all the same",
                        inputs::shown_path(path, &cwd).display()
                    ));
                }
            }
        }
        let manuscripts = if found.manuscripts.is_empty() {
            vec![Manuscript {
                toolchain: Toolchain::Files,
                root: None,
                chapters: Vec::new(),
                declared: Vec::new(),
                inline: Vec::new(),
            }]
        } else {
            found.manuscripts
        };
        for manuscript in manuscripts {
            // A document that lists its entries inline declares them: it
            // reads no default bibliography (pandoc reads none).
            let declares = !manuscript.declared.is_empty() || !manuscript.inline.is_empty();
            let files: Vec<InputFile> = match (&explicit, !declares) {
                (Some(files), _) => files.clone(),
                (None, false) => manuscript
                    .declared
                    .iter()
                    .map(|path| InputFile {
                        path: path.clone(),
                        shown: inputs::shown_path(path, &cwd),
                    })
                    .collect(),
                (None, true) => default.clone().unwrap_or_default(),
            };
            let mut bibliographies = bibliography_of(&files, &mut unread);
            bibliographies.extend(&manuscript.inline);
            documents_read.push(Document {
                toolchain: manuscript.toolchain,
                root: manuscript.root,
                chapters: manuscript.chapters,
                bibliographies,
            });
        }
        // Bibliographies first, as they were found first.
        unread.sort_by_key(|u| match u.role {
            FileRole::Bibliography => 0,
            FileRole::Chapter => 1,
            FileRole::Project => 2,
        });
        Ok(Session {
            rules: RuleSet::from_config(&config),
            config,
            root,
            cwd,
            sources: Arc::new(sources),
            unread: unread.into(),
            documents: documents_read,
            left_out: found.left_out,
            notes,
            reading: found.findings,
            scans: found.scans,
            discovered: found.discovered,
        })
    }

    /// Reads the given files once each, in parallel; the project's root
    /// and working folder are the current one.
    pub fn read(
        bibliographies: &[InputFile],
        chapters: &[InputFile],
        config: Config,
        unread: Vec<Unread>,
    ) -> Session {
        let (sources, unread) = read_files(bibliographies, chapters, unread);
        let mut session = Session::new(config, sources);
        session.unread = unread.into();
        session
    }

    /// A session over sources already in memory (an editor's buffers, a
    /// test's strings): each [`SourceFile`] says whether it is a
    /// bibliography or a chapter; the chapters are one document, checked
    /// against every bibliography.
    pub fn new(config: Config, sources: SourceMap) -> Session {
        let of_role = |role: FileRole| -> Vec<FileId> {
            sources
                .iter()
                .filter(|(_, f)| f.role == role)
                .map(|(id, _)| id)
                .collect()
        };
        let document = Document {
            toolchain: Toolchain::Files,
            root: None,
            chapters: of_role(FileRole::Chapter),
            bibliographies: of_role(FileRole::Bibliography),
        };
        Session {
            rules: RuleSet::from_config(&config),
            config,
            root: PathBuf::new(),
            cwd: PathBuf::new(),
            sources: Arc::new(sources),
            unread: Arc::from([]),
            documents: vec![document],
            left_out: Vec::new(),
            notes: Vec::new(),
            reading: Vec::new(),
            scans: HashMap::new(),
            discovered: false,
        }
    }

    /// Gives the file shown under `path` new text (an editor's unsaved
    /// buffer), keeping the project as it was read; false when no document
    /// reads that file.
    pub fn set_text(&mut self, path: &Path, text: String) -> bool {
        let Some(id) = self.sources.find(path) else {
            return false;
        };
        if self.sources.get(id).text != text {
            Arc::make_mut(&mut self.sources).replace_text(id, text);
            self.scans.remove(&id);
        }
        true
    }

    /// The documents, each with its chapters and bibliographies.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// Whether the documents were found by their roots rather than given
    /// as chapter files.
    pub fn discovered(&self) -> bool {
        self.discovered
    }

    /// Files found in the folders searched that no document reads.
    pub fn left_out(&self) -> &[PathBuf] {
        &self.left_out
    }

    /// What the reading chose and says so (`\\includeonly` not obeyed, a
    /// remote bibliography not read).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The rules the configuration sets.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The project root: the configuration file's folder, or the working folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The working folder, against which paths are shown.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// Every file read.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The inputs that could not be read.
    pub fn unread(&self) -> &[Unread] {
        &self.unread
    }

    /// An outcome of this session with the given findings (before the
    /// rules) and value; findings an unread input makes unreliable are
    /// withheld.
    fn outcome<T>(&self, findings: Vec<Diagnostic>, value: T) -> Outcome<T> {
        self.outcome_with_unused(findings, UnusedEntries::default(), value)
    }

    /// [`Session::outcome`], with `unused-entry` findings kept as entries.
    fn outcome_with_unused<T>(
        &self,
        findings: Vec<Diagnostic>,
        unused: UnusedEntries,
        value: T,
    ) -> Outcome<T> {
        let findings = (self.rules).finish_with_unused(findings, unused, &self.sources);
        let (findings, withheld) = withhold(findings, &self.unread);
        Outcome {
            sources: Arc::clone(&self.sources),
            unread: Arc::clone(&self.unread),
            findings,
            withheld,
            value,
            retired: Retired::default(),
        }
    }

    /// Parses the bibliographies and scans the chapters of every document
    /// (each file once), in parallel.
    pub fn analyse(&self) -> Analysis {
        let mut chapters: Vec<FileId> = Vec::new();
        let mut bibliographies: Vec<FileId> = Vec::new();
        for document in &self.documents {
            chapters.extend(&document.chapters);
            bibliographies.extend(&document.bibliographies);
        }
        for files in [&mut chapters, &mut bibliographies] {
            files.sort_unstable();
            files.dedup();
        }
        self.analyse_files(&chapters, &bibliographies)
    }

    /// Parses these bibliography files and scans these chapters, in parallel.
    fn analyse_files(&self, chapters: &[FileId], bibliographies: &[FileId]) -> Analysis {
        let bib_inputs: Vec<BibInput> = bibliographies
            .iter()
            .map(|&file| {
                let source = self.sources.get(file);
                BibInput {
                    file,
                    text: source.text.clone(),
                    // Known to be readable: `readable_bibliography` let it in.
                    format: Format::of_path(&source.path).unwrap_or(Format::BibLatex),
                }
            })
            .collect();
        let options = crate::project::scan_options(&self.config);
        let ((bib, bib_diagnostics), chapters) = rayon::join(
            || Bibliography::read(&bib_inputs),
            || {
                chapters
                    .par_iter()
                    .map(|&file| {
                        let f = self.sources.get(file);
                        // The scan made while the project was found is
                        // shared, not copied (60,200 citations are 5 MB).
                        let output = match self.scans.get(&file) {
                            Some(scan) => Arc::clone(scan),
                            None => {
                                Arc::new(scan::scan(&f.text, DocumentKind::of(&f.path), &options))
                            }
                        };
                        ChapterScan { file, output }
                    })
                    .collect::<Vec<_>>()
            },
        );
        Analysis {
            bib: Arc::new(bib),
            bib_diagnostics,
            chapters,
        }
    }

    /// The groups of documents checked together: those that read the same
    /// bibliographies, with their chapters joined.
    fn units(&self) -> Vec<(Vec<FileId>, Vec<FileId>)> {
        let mut units: Vec<(Vec<FileId>, Vec<FileId>)> = Vec::new();
        for document in &self.documents {
            match units
                .iter_mut()
                .find(|(_, bibs)| *bibs == document.bibliographies)
            {
                Some((chapters, _)) => chapters.extend(&document.chapters),
                None => units.push((document.chapters.clone(), document.bibliographies.clone())),
            }
        }
        units
    }

    /// `refkeeper check`: every citation against the bibliography, and the
    /// bibliography itself.
    ///
    /// Documents that read the same bibliographies are checked together;
    /// with several groups, each is checked on its own, a finding two
    /// groups share is reported once, and an entry is unused only when no
    /// document reading its file cites it.
    pub fn check(&self) -> Report {
        self.live().into_report(self)
    }

    /// The check of the project as it is now, kept to be brought up to date
    /// as the text of chapters changes (an editor's buffers): see
    /// [`LiveCheck`].
    pub fn live(&self) -> LiveCheck {
        LiveCheck {
            units: self
                .units()
                .into_iter()
                .map(|(chapters, bibliographies)| LiveUnit::new(self, chapters, bibliographies))
                .collect(),
        }
    }

    /// How many chapter files are bibliographies too (inline `references:`).
    fn inline_references(&self) -> usize {
        let mut inline: Vec<FileId> = (self.documents.iter())
            .flat_map(|d| &d.bibliographies)
            .copied()
            .filter(|&f| self.sources.get(f).role == FileRole::Chapter)
            .collect();
        inline.sort_unstable();
        inline.dedup();
        inline.len()
    }

    /// The outcome of several groups' findings: one group's as they are;
    /// with several, a finding two groups share once, and an unused entry
    /// only when every group that reads its file reports it.
    fn merged(&self, units: Vec<UnitFindings>) -> Report {
        let (left_out, inline_references) = (self.left_out.len(), self.inline_references());
        let mut unused = UnusedEntries::default();
        if units.len() == 1 {
            let unit = units.into_iter().next().expect("one unit");
            let mut findings = unit.findings;
            findings.extend(self.reading.iter().cloned());
            unused.add(unit.bib, unit.unused, unit.unused_help);
            let stats = Stats {
                left_out,
                inline_references,
                ..unit.stats
            };
            return self.outcome_with_unused(findings, unused, stats);
        }
        let mut stats = Stats {
            left_out,
            inline_references,
            ..Stats::default()
        };
        let mut readers: HashMap<FileId, usize> = HashMap::new();
        for unit in &units {
            for file in &unit.bibliographies {
                *readers.entry(*file).or_default() += 1;
            }
        }
        let mut seen: HashMap<(Code, FileId, usize, String), usize> = HashMap::new();
        // Unused entries kept as entries: the same entry of a file read by
        // several groups is at the same place in each group's parse.
        let mut unused_seen: HashMap<(FileId, usize), usize> = HashMap::new();
        let mut findings = Vec::new();
        for unit in units {
            stats.citations += unit.stats.citations;
            stats.cited_keys += unit.stats.cited_keys;
            stats.entries += unit.stats.entries;
            stats.used_entries += unit.stats.used_entries;
            for finding in unit.findings {
                let identity = (
                    finding.code,
                    finding.primary.file,
                    finding.primary.span.start,
                    finding.message.clone(),
                );
                let count = seen.entry(identity).or_default();
                *count += 1;
                if *count == 1 {
                    findings.push(finding);
                }
            }
            let (bib, mut ids) = (unit.bib, unit.unused);
            ids.retain(|&id| {
                let entry = bib.entry(id);
                let count = unused_seen
                    .entry((entry.file, entry.key_span().start))
                    .or_default();
                *count += 1;
                *count == readers.get(&entry.file).copied().unwrap_or(1)
            });
            unused.add(bib, ids, unit.unused_help);
        }
        findings.extend(self.reading.iter().cloned());
        self.outcome_with_unused(findings, unused, stats)
    }

    /// `refkeeper list`: every citation with its place and whether its key
    /// resolves (Typst cross-references to labels left out, as in `check`).
    pub fn list(&self) -> Outcome<Vec<ListedCitation>> {
        let Analysis { bib, chapters, .. } = self.analyse();
        let citations = check::citations_of(&chapters)
            .map(|(file, citation)| {
                let source = self.sources.get(file);
                let at = source.position(citation.span.start);
                ListedCitation {
                    file: source.path.display().to_string(),
                    line: at.line,
                    column: at.column,
                    key: citation.key.to_string(),
                    kind: match citation.kind {
                        CiteKind::Cite => "cite",
                        CiteKind::Nocite => "nocite",
                        CiteKind::TypstRef => "typst-ref",
                    },
                    in_bibliography: bib.resolve(&citation.key).is_some(),
                }
            })
            .collect();
        self.outcome(Vec::new(), citations)
    }

    /// `refkeeper subset`: the entries the chapters use, with what they
    /// need, as a `.bib` of their own. The findings are the bibliography's
    /// syntax errors and duplicate keys (copied as they are).
    ///
    /// Every bibliography must be BibLaTeX: entries in other formats cannot
    /// be copied into a `.bib` file as they are written.
    pub fn subset(&self) -> Result<Outcome<Cited>, Error> {
        let documents = self.documents.iter();
        for &file in documents.flat_map(|d| &d.bibliographies) {
            let path = &self.sources.get(file).path;
            match Format::of_path(path) {
                Ok(Format::BibLatex) | Err(_) => {}
                Ok(other) => {
                    return Err(Error::NotBibLatex {
                        path: path.clone(),
                        format: other.describe(),
                    });
                }
            }
        }
        let Analysis {
            bib,
            bib_diagnostics,
            chapters,
        } = self.analyse();
        let used = check::used_entries(&bib, &chapters);
        let (_, missing) = check::cited_in_order(&bib, &chapters);
        // With a bibliography unread, no key is known to be missing.
        let bibliography_unread = (self.unread.iter()).any(|u| u.role == FileRole::Bibliography);
        let mut missing: Vec<String> = if bibliography_unread {
            Vec::new()
        } else {
            missing.into_iter().map(str::to_owned).collect()
        };
        missing.sort();
        missing.dedup();
        let subset = subset::subset(&bib, &self.sources, &used);
        Ok(self.outcome(bib_diagnostics, Cited { subset, missing }))
    }

    /// `refkeeper report`: missing and unused entries, the findings on the
    /// bibliography, which chapter cites what, years.
    pub fn overview(&self) -> Outcome<Overview> {
        let analysis = self.analyse();
        // The findings on the bibliography are `check`'s, rules and
        // levels as configured.
        let report = self.check();
        let overview = overview::overview(&analysis, &self.sources, &self.rules)
            .with_bibliography_findings(&report.findings, &self.sources);
        self.outcome(Vec::new(), overview)
    }

    /// The locale the References are set in: `locale`, else the
    /// configuration's.
    pub fn locale<'a>(&'a self, locale: Option<&'a str>) -> Option<&'a str> {
        locale.or(self.config.refs.locale.as_deref())
    }

    /// The style a request names, or the configured one (a configured
    /// `.csl` path is relative to the project root), loaded with the
    /// requested or configured locale.
    pub fn style(&self, style: Option<&str>, locale: Option<&str>) -> Result<Style, Error> {
        let name = style
            .map(str::to_owned)
            .or_else(|| self.config.refs.style.clone())
            .ok_or(Error::NoStyle)?;
        let path = if style.is_none() && (name.ends_with(".csl") || name.contains('/')) {
            self.root.join(&name).to_string_lossy().into_owned()
        } else {
            name.clone()
        };
        let engine = Engine::new(&path, self.locale(locale))?;
        Ok(Style { name, engine })
    }

    /// `refkeeper refs`: the cited entries (every entry when `all`, or when
    /// a chapter cites them all) in the style of `engine`, or without one
    /// only their CSL data. The findings: keys cited but missing (left
    /// out), dates that cannot be read, broken entries.
    pub fn references(&self, engine: Option<&Engine>, all: bool) -> Outcome<References> {
        let localisation = engine.map(Engine::localisation).unwrap_or_default();
        self.references_in(engine, &localisation, all)
    }

    /// [`Session::references`], with BibLaTeX's localisation keys read in
    /// `localisation` (CSL data without a style, in a locale's language).
    pub fn references_in(
        &self,
        engine: Option<&Engine>,
        localisation: &Localisation,
        all: bool,
    ) -> Outcome<References> {
        let Analysis {
            bib,
            bib_diagnostics,
            chapters,
        } = self.analyse();
        let mut findings: Vec<Diagnostic> = bib_diagnostics
            .into_iter()
            .filter(|d| d.code == Code::BibSyntax)
            .collect();
        let ids: Vec<EntryId> = if all || check::cites_all(&chapters) {
            (0..bib.entries.len() as u32).map(EntryId).collect()
        } else {
            let (order, _) = check::cited_in_order(&bib, &chapters);
            findings.extend(left_out(&bib, &chapters));
            order
        };
        let ids: Vec<EntryId> = ids
            .into_iter()
            .filter(|&id| {
                let entry = bib.entry(id);
                entry.duplicate_of().is_none()
                    && !entry.broken
                    && !matches!(entry.kind(), "xdata" | "set")
            })
            .collect();
        let built: Vec<(CslItem, Vec<Diagnostic>)> = ids
            .par_iter()
            .map(|&id| crate::csl::mapping::item_of(&bib, &self.sources, id, localisation))
            .collect();
        let mut items = Vec::with_capacity(built.len());
        for (item, item_findings) in built {
            items.push(item);
            findings.extend(item_findings);
        }
        let rendered = engine.map(|e| e.render(&items)).unwrap_or_default();
        let references = References {
            references: rendered.references,
            items,
            notes: rendered.notes,
        };
        self.outcome(findings, references)
    }
}

/// Reads files once each, in parallel: the sources, and with `unread` the
/// files that could not be read.
fn read_files(
    bibliographies: &[InputFile],
    chapters: &[InputFile],
    mut unread: Vec<Unread>,
) -> (SourceMap, Vec<Unread>) {
    let wanted: Vec<(&InputFile, FileRole)> = bibliographies
        .iter()
        .map(|f| (f, FileRole::Bibliography))
        .chain(chapters.iter().map(|f| (f, FileRole::Chapter)))
        .collect();
    let files: Vec<&InputFile> = wanted.iter().map(|(f, _)| *f).collect();
    let mut sources = SourceMap::new();
    for ((file, role), text) in wanted.iter().zip(read_texts(&files)) {
        let text = match role {
            FileRole::Bibliography => {
                text.and_then(|text| readable_bibliography(file, &text).map(|()| text))
            }
            _ => text,
        };
        match text {
            Ok(text) => {
                sources.add(SourceFile::new(file.shown.clone(), *role, text));
            }
            Err(error) => unread.push(Unread::new(*role, error)),
        }
    }
    (sources, unread)
}

/// The texts of files, read in parallel.
fn read_texts(files: &[&InputFile]) -> Vec<Result<String, ReadError>> {
    files
        .par_iter()
        .map(|file| source::read_text(&file.path, &file.shown))
        .collect()
}

/// Whether a bibliography file is of a format refkeeper reads (see
/// [`Format::of_path`]) and, for CSL-JSON and YAML, parses as a whole.
/// Another is an error naming it, never an empty bibliography that makes
/// every citation "missing".
fn readable_bibliography(file: &InputFile, text: &str) -> Result<(), ReadError> {
    let format = Format::of_path(&file.path).map_err(|kind| ReadError::Walk {
        path: file.shown.clone(),
        message: format!(
            "{kind}; refkeeper reads BibLaTeX/BibTeX (.bib), CSL-JSON (.json) \
             and CSL-YAML or Hayagriva YAML (.yml, .yaml)"
        ),
    })?;
    match bib::other_formats::unparsable(format, text) {
        None => Ok(()),
        Some((line, column, message)) => Err(ReadError::Unparsable {
            path: file.shown.clone(),
            line,
            column,
            message,
        }),
    }
}

/// The keys cited but in no bibliography, as `refs` reports them: the
/// `missing-entry` finding of the first citation of each (with its
/// did-you-mean), a warning, since the References are still written
/// without it.
fn left_out(bib: &Bibliography, chapters: &[ChapterScan]) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    let firsts: Vec<(FileId, &scan::Citation)> = check::citations_of(chapters)
        .filter(|(_, c)| bib.resolve(&c.key).is_none() && seen.insert(c.key.as_ref()))
        .collect();
    if firsts.is_empty() {
        return Vec::new();
    }
    let suggester = check::suggest::Suggester::new(bib);
    check::missing_entries(&firsts, &suggester)
        .into_iter()
        .map(|mut d| {
            d.message.push_str("; it is left out");
            d.with_severity(Severity::Warning)
        })
        .collect()
}

/// Takes out the findings an unread input makes unreliable: with a
/// bibliography unread, a key is not known to be missing; with a chapter
/// unread, an entry is not known to be unused. Returns the rest and how
/// many were taken out per code.
pub fn withhold(mut findings: Findings, unread: &[Unread]) -> (Findings, BTreeMap<Code, usize>) {
    let mut withheld = BTreeMap::new();
    if unread.is_empty() {
        return (findings, withheld);
    }
    let unreliable = |code: Code| {
        code.claims_absence_from()
            .is_some_and(|role| unread.iter().any(|u| u.role == role))
    };
    findings.retain(|d| {
        let drop = unreliable(d.code);
        if drop {
            *withheld.entry(d.code).or_default() += 1;
        }
        !drop
    });
    (findings, withheld)
}

/// A check kept up to date as the text of chapters changes: each group of
/// documents keeps its bibliographies parsed and checked (syntax,
/// duplicate keys, hygiene), each chapter's scan, and the index of
/// did-you-mean suggestions; a changed chapter is scanned again and the
/// citations checked again, and nothing else. What an editor server needs
/// between keystrokes.
pub struct LiveCheck {
    units: Vec<LiveUnit>,
}

/// One group's findings, before they are merged with the others'.
struct UnitFindings {
    /// All but `unused-entry`.
    findings: Vec<Diagnostic>,
    /// Its bibliography, and the entries of it `unused-entry` reports,
    /// with the help of those findings.
    bib: Arc<Bibliography>,
    unused: Vec<EntryId>,
    unused_help: &'static str,
    stats: Stats,
    bibliographies: Vec<FileId>,
}

struct LiveUnit {
    chapters: Vec<FileId>,
    bibliographies: Vec<FileId>,
    analysis: Analysis,
    /// Hygiene findings: they depend on the bibliographies only.
    entry_findings: Vec<Diagnostic>,
    /// The citation check, for the chapters as they are.
    citations: check::LiveCitations,
    index: check::suggest::SuggestIndex,
}

impl LiveUnit {
    fn new(session: &Session, chapters: Vec<FileId>, bibliographies: Vec<FileId>) -> LiveUnit {
        let analysis = session.analyse_files(&chapters, &bibliographies);
        let index = check::suggest::SuggestIndex::default();
        // The citation check is mostly serial, the entry checks parallel:
        // running them side by side keeps both cores busy.
        let (citations, entry_findings) = rayon::join(
            || check::LiveCitations::new(&analysis.bib, &analysis.chapters, &session.rules, &index),
            || check::entries::check(&analysis.bib, &session.sources, &session.rules),
        );
        LiveUnit {
            chapters,
            bibliographies,
            analysis,
            entry_findings,
            citations,
            index,
        }
    }

    fn build_index(&self) {
        check::suggest::Suggester::sharing(&self.analysis.bib, &self.index).build_index();
    }

    /// The findings in the files `wanted` keeps, the others not copied;
    /// the `unused-entry` ones as the entries they are about.
    fn findings_in(&self, wanted: &dyn Fn(FileId) -> bool) -> UnitFindings {
        let bib = &self.analysis.bib;
        let findings = (self.analysis.bib_diagnostics.iter())
            .chain(self.citations.findings_held())
            .chain(&self.entry_findings)
            .filter(|d| wanted(d.primary.file))
            .cloned()
            .collect();
        let unused = (self.citations.unused().iter())
            .copied()
            .filter(|&id| wanted(bib.entry(id).file))
            .collect();
        UnitFindings {
            findings,
            bib: Arc::clone(bib),
            unused,
            unused_help: self.citations.unused_help(),
            stats: self.citations.stats(),
            bibliographies: self.bibliographies.clone(),
        }
    }
}

impl LiveCheck {
    /// The text of `file` changed ([`Session::set_text`]): a chapter is
    /// scanned again and its group's citations checked again; a
    /// bibliography's group is made anew.
    ///
    /// Returns the files whose findings may have changed (ascending): the
    /// chapter, with its group's bibliographies when an entry became used
    /// or unused; every file of the group when it was made anew. The
    /// findings of the others are as they were ([`LiveCheck::report_of`]).
    pub fn changed(&mut self, session: &Session, file: FileId) -> Vec<FileId> {
        let mut reached = Vec::new();
        for unit in &mut self.units {
            let reach = if unit.bibliographies.contains(&file) {
                *unit = LiveUnit::new(session, unit.chapters.clone(), unit.bibliographies.clone());
                check::Reach::Everything
            } else if let Some(scan) = unit.analysis.chapters.iter_mut().find(|c| c.file == file) {
                let source = session.sources.get(file);
                let options = crate::project::scan_options(&session.config);
                scan.output = Arc::new(scan::scan(
                    &source.text,
                    DocumentKind::of(&source.path),
                    &options,
                ));
                // Asked again after every edit: the index pays from the
                // second edit on (built once, at the first).
                unit.build_index();
                unit.citations.changed(
                    &unit.analysis.bib,
                    &unit.analysis.chapters,
                    file,
                    &session.rules,
                    &unit.index,
                )
            } else {
                continue;
            };
            reached.push(file);
            if reach != check::Reach::Chapter {
                reached.extend(&unit.bibliographies);
            }
            if reach == check::Reach::Everything {
                reached.extend(&unit.chapters);
            }
        }
        reached.sort_unstable();
        reached.dedup();
        reached
    }

    /// The findings of these files (ascending, as [`LiveCheck::changed`]
    /// gives them), as [`Session::check`] gives them; the others' are
    /// neither copied nor merged.
    pub fn report_of(&self, session: &Session, files: &[FileId]) -> Report {
        let wanted = |file: FileId| files.binary_search(&file).is_ok();
        let mut report = self.report_where(session, &wanted);
        // The reading findings of other files.
        report.findings.retain(|d| wanted(d.primary.file));
        report
    }

    /// The merged report of the findings in the files `wanted` keeps.
    fn report_where(&self, session: &Session, wanted: &dyn Fn(FileId) -> bool) -> Report {
        session.merged(
            self.units
                .iter()
                .map(|unit| unit.findings_in(wanted))
                .collect(),
        )
    }

    /// Builds each group's did-you-mean index now, if it is not built: a
    /// check run once looks its few missing keys up without one
    /// ([`check::suggest::Suggester::help_all`]), while an editor, which
    /// will ask after every keystroke, builds it once while nobody waits.
    pub fn build_indexes(&self) {
        for unit in &self.units {
            unit.build_index();
        }
    }

    /// The findings, as [`Session::check`] gives them.
    pub fn report(&self, session: &Session) -> Report {
        self.report_where(session, &|_| true)
    }

    fn into_report(self, session: &Session) -> Report {
        // Assembling the report is mostly moves and a sort on one core;
        // meanwhile the other indexes the lines of the bibliographies that
        // hold findings, which printing them needs (a million lines: about
        // 15 ms of work that would otherwise start the printing).
        let with_findings: Vec<FileId> = (self.units.iter())
            .filter(|unit| !unit.entry_findings.is_empty() || !unit.citations.is_empty())
            .flat_map(|unit| unit.bibliographies.iter().copied())
            .collect();
        let (report, ()) = rayon::join(
            || self.assemble(session),
            || {
                for file in with_findings {
                    session.sources.get(file).index_lines();
                }
            },
        );
        report
    }

    fn assemble(self, session: &Session) -> Report {
        let mut retired = Retired::default();
        let units = self
            .units
            .into_iter()
            .map(|unit| {
                // One vector, sized once (the reading findings the report
                // adds too): every finding moved once. The `unused-entry`
                // findings are not among them (made when printed).
                let mut findings = Vec::with_capacity(
                    unit.analysis.bib_diagnostics.len()
                        + unit.citations.held_len()
                        + unit.entry_findings.len()
                        + session.reading.len(),
                );
                findings.extend(unit.analysis.bib_diagnostics);
                let help = unit.citations.unused_help();
                let (stats, unused) = unit.citations.move_into(&mut findings);
                findings.extend(unit.entry_findings);
                (retired.0).push(Box::new((unit.analysis.chapters, unit.index)));
                UnitFindings {
                    findings,
                    // The bibliography is kept with the findings of its
                    // unused entries, which are made from it when printed.
                    bib: unit.analysis.bib,
                    unused,
                    unused_help: help,
                    stats,
                    bibliographies: unit.bibliographies,
                }
            })
            .collect();
        Report {
            retired,
            ..session.merged(units)
        }
    }

    /// The bibliography parsed and the chapters scanned of the group of
    /// documents that reads `file` (a chapter or a bibliography), else of
    /// the first group.
    pub fn analysis(&self, file: Option<FileId>) -> Option<&Analysis> {
        let unit = file
            .and_then(|file| {
                self.units
                    .iter()
                    .find(|u| u.chapters.contains(&file) || u.bibliographies.contains(&file))
            })
            .or(self.units.first())?;
        Some(&unit.analysis)
    }
}
