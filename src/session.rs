//! A session: one project held in memory — its configuration, where it
//! lives, and the text of every bibliography and chapter, each read once —
//! and the work refkeeper does on it. Each piece of work returns an
//! [`Outcome`]: the sources it read, the inputs it could not, its findings
//! and its value. A session does not print and does not write files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::bib::{self, BibInput, Bibliography, EntryId};
use crate::check::{self, ChapterScan, RuleSet, Stats};
use crate::config::Config;
use crate::csl::engine::{Engine, Reference, StyleError};
use crate::csl::mapping::CslItem;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::document::DocumentKind;
use crate::inputs::{self, InputError, InputFile, Inputs, Request};
use crate::overview::{self, Overview};
use crate::scan::{self, CiteKind, ScanOptions};
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
    /// Findings, after the configured levels and ignores.
    pub findings: Vec<Diagnostic>,
    /// Findings not reported because an input they depend on could not be
    /// read (every citation "missing" when a bibliography was not read),
    /// counted per code.
    pub withheld: BTreeMap<Code, usize>,
    /// What the work produced.
    pub value: T,
}

/// The outcome of [`Session::check`]: the findings, and counts beside them.
pub type Report = Outcome<Stats>;

impl<T> Outcome<T> {
    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|d| d.severity == severity)
            .count()
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

/// The bibliography parsed and the chapters scanned: what every piece of
/// work starts from.
#[derive(Debug)]
pub struct Analysis {
    /// The entries of every bibliography file, in order.
    pub bib: Bibliography,
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
        let Inputs {
            config,
            root,
            cwd,
            bibliographies,
            chapters,
            unread,
        } = inputs::find(request)?;
        let (sources, unread) = read_files(&bibliographies, &chapters, unread);
        Ok(Session {
            rules: RuleSet::from_config(&config),
            config,
            root,
            cwd,
            sources: Arc::new(sources),
            unread: unread.into(),
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
    /// bibliography or a chapter.
    pub fn new(config: Config, sources: SourceMap) -> Session {
        Session {
            rules: RuleSet::from_config(&config),
            config,
            root: PathBuf::new(),
            cwd: PathBuf::new(),
            sources: Arc::new(sources),
            unread: Arc::from([]),
        }
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
        let findings = self.rules.finish(findings, &self.sources);
        let (findings, withheld) = withhold(findings, &self.unread);
        Outcome {
            sources: Arc::clone(&self.sources),
            unread: Arc::clone(&self.unread),
            findings,
            withheld,
            value,
        }
    }

    /// Parses the bibliography and scans the chapters, in parallel.
    pub fn analyse(&self) -> Analysis {
        let bib_inputs: Vec<BibInput> = self
            .sources
            .iter()
            .filter(|(_, f)| f.role == FileRole::Bibliography)
            .map(|(file, f)| BibInput {
                file,
                text: &f.text,
            })
            .collect();
        let chapter_files: Vec<(FileId, &SourceFile)> = self
            .sources
            .iter()
            .filter(|(_, f)| f.role == FileRole::Chapter)
            .collect();
        let options = ScanOptions {
            latex: scan::latex::Commands::with_extra(&self.config.citation_commands)
                .with_verbatim(&self.config.verbatim_commands),
        };
        let ((bib, bib_diagnostics), chapters) = rayon::join(
            || Bibliography::read(&bib_inputs),
            || {
                chapter_files
                    .par_iter()
                    .map(|(file, f)| ChapterScan {
                        file: *file,
                        output: scan::scan(&f.text, DocumentKind::of(&f.path), &options),
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

    /// `refkeeper check`: every citation against the bibliography, and the
    /// bibliography itself.
    pub fn check(&self) -> Report {
        let Analysis {
            bib,
            mut bib_diagnostics,
            chapters,
        } = self.analyse();
        // The citation check is mostly serial, the entry checks parallel:
        // running them side by side keeps both cores busy.
        let (outcome, entry_diagnostics) = rayon::join(
            || check::check(&bib, &chapters, &self.rules),
            || check::entries::check(&bib, &self.sources, &self.rules),
        );
        bib_diagnostics.extend(outcome.diagnostics);
        bib_diagnostics.extend(entry_diagnostics);
        self.outcome(bib_diagnostics, outcome.stats)
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
                    key: citation.key.clone(),
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
    pub fn subset(&self) -> Outcome<Cited> {
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
        self.outcome(bib_diagnostics, Cited { subset, missing })
    }

    /// `refkeeper report`: which chapter cites what, unused and missing
    /// entries, years.
    pub fn overview(&self) -> Outcome<Overview> {
        let analysis = self.analyse();
        let overview = overview::overview(&analysis, &self.sources, &self.rules);
        self.outcome(Vec::new(), overview)
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
        let locale = locale.or(self.config.refs.locale.as_deref());
        let engine = Engine::new(&path, locale)?;
        Ok(Style { name, engine })
    }

    /// `refkeeper refs`: the cited entries (every entry when `all`, or when
    /// a chapter cites them all) in the style of `engine`, or without one
    /// only their CSL data. The findings: keys cited but missing (left
    /// out), dates that cannot be read, broken entries.
    pub fn references(&self, engine: Option<&Engine>, all: bool) -> Outcome<References> {
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
                entry.duplicate_of.is_none()
                    && !entry.broken
                    && !matches!(entry.kind.as_ref(), "xdata" | "set")
            })
            .collect();
        let built: Vec<(CslItem, Vec<Diagnostic>)> = ids
            .par_iter()
            .map(|&id| {
                let entry = bib.entry(id);
                let fields = bib::fields::collect(&bib, &self.sources, id);
                crate::csl::mapping::item(&entry.key, &entry.kind, &fields)
            })
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
            Err(error) => unread.push(Unread::new(*role, error)),
        }
    }
    (sources, unread)
}

/// The keys cited but in no bibliography, as `refs` reports them: the
/// `missing-entry` finding of the first citation of each (with its
/// did-you-mean), a warning, since the References are still written
/// without it.
fn left_out(bib: &Bibliography, chapters: &[ChapterScan]) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    let firsts: Vec<(FileId, &scan::Citation)> = check::citations_of(chapters)
        .filter(|(_, c)| bib.resolve(&c.key).is_none() && seen.insert(c.key.as_str()))
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
pub fn withhold(
    findings: Vec<Diagnostic>,
    unread: &[Unread],
) -> (Vec<Diagnostic>, BTreeMap<Code, usize>) {
    let mut withheld = BTreeMap::new();
    if unread.is_empty() {
        return (findings, withheld);
    }
    let unreliable = |code: Code| {
        code.claims_absence_from()
            .is_some_and(|role| unread.iter().any(|u| u.role == role))
    };
    let kept = findings
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
