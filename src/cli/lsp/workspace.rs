//! What the server knows of the workspace: the project read from disk as
//! `check` reads it, the editor's unsaved buffers laid over it, and the
//! analysis (bibliography parsed, chapters scanned) made from them once
//! per change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;
use refkeeper::csl::engine::Engine;
use refkeeper::source::{FileId, SourceFile};
use refkeeper::{Analysis, ConfigSource, LiveCheck, Report, Request, Session};

/// The project, the open buffers, and what was made from them.
pub struct Workspace {
    /// The folder the client opened.
    pub root: PathBuf,
    session: Option<Session>,
    /// Why the project could not be read, when it could not.
    pub error: Option<String>,
    /// Open buffers, by absolute path: their text counts, saved or not.
    open: HashMap<PathBuf, String>,
    /// The check, brought up to date file by file as buffers change.
    live: Option<LiveCheck>,
    /// The whole check's findings, made when a request needs them.
    report: Option<Report>,
    /// The files whose findings may differ from the last published
    /// (`None`: every file).
    reached: Option<Vec<FileId>>,
    /// Each entry's key, what completion matches it on, and its detail,
    /// made once per bibliography.
    completion: Option<Vec<CompletionEntry>>,
    /// The engine that formats entries for hover and completion.
    engine: Option<Option<Engine>>,
}

impl Workspace {
    /// The workspace of a folder, read from disk.
    pub fn new(root: PathBuf) -> Workspace {
        let mut workspace = Workspace {
            root,
            session: None,
            error: None,
            open: HashMap::new(),
            live: None,
            report: None,
            reached: None,
            completion: None,
            engine: None,
        };
        workspace.reload();
        workspace
    }

    /// Reads the project from disk again (a file was saved, created or
    /// deleted: what it includes may have changed), the open buffers laid
    /// over it.
    pub fn reload(&mut self) {
        let request = Request {
            cwd: self.root.clone(),
            config: ConfigSource::Discover,
            ..Request::default()
        };
        match Session::load(&request) {
            Ok(mut session) => {
                for (path, text) in &self.open {
                    let shown = refkeeper::inputs::shown_path(path, &self.root);
                    session.set_text(&shown, text.clone());
                }
                self.session = Some(session);
                self.error = None;
            }
            Err(error) => {
                self.session = None;
                self.error = Some(error.to_string());
            }
        }
        self.engine = None;
        self.live = self.session.as_ref().map(Session::live);
        self.completion = None;
        self.report = None;
        self.reached = None;
    }

    /// An editor's text for a file: laid over the project. Returns false
    /// when no document reads the file (a reload may then find it).
    pub fn set_text(&mut self, path: &Path, text: String) -> bool {
        self.open.insert(path.to_path_buf(), text.clone());
        let shown = refkeeper::inputs::shown_path(path, &self.root);
        let Some(session) = self.session.as_mut() else {
            return false;
        };
        let Some(file) = session.sources().find(&shown) else {
            return false;
        };
        if session.sources().get(file).text == text {
            return true;
        }
        // The report shares the sources: dropped first, so that giving the
        // file its new text does not copy every other file.
        self.report = None;
        session.set_text(&shown, text);
        if let Some(live) = &mut self.live {
            let files = live.changed(session, file);
            if let Some(reached) = &mut self.reached {
                reached.extend(files);
                reached.sort_unstable();
                reached.dedup();
            }
        }
        if session.sources().get(file).role == refkeeper::source::FileRole::Bibliography {
            self.completion = None;
        }
        true
    }

    /// A buffer closed: its file counts as it is on disk again.
    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
        self.reload();
    }

    /// The files whose findings may have changed since this was last
    /// asked (`None`: every file), and the findings of those files.
    pub fn take_changes(&mut self) -> Option<(Vec<FileId>, Report)> {
        let reached = self.reached.replace(Vec::new())?;
        let (session, live) = (self.session.as_ref()?, self.live.as_ref()?);
        let report = live.report_of(session, &reached);
        Some((reached, report))
    }

    /// The session, when the project could be read.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The bibliography parsed and the chapters scanned (of the first group
    /// of documents: most projects have one).
    pub fn analysis(&self) -> Option<&Analysis> {
        self.live.as_ref()?.analysis(None)
    }

    /// What completion offers: every entry's key, the text it is matched
    /// on (lower case), and its detail; made once per bibliography.
    pub fn completion_entries(&mut self) -> &[CompletionEntry] {
        if self.completion.is_none() {
            let entries = match (
                &self.session,
                self.live.as_ref().and_then(|l| l.analysis(None)),
            ) {
                (Some(session), Some(analysis)) => completion_entries(session, analysis),
                _ => Vec::new(),
            };
            self.completion = Some(entries);
        }
        self.completion.as_deref().unwrap_or_default()
    }

    /// Builds the did-you-mean indexes now (see [`LiveCheck::build_indexes`]).
    pub fn build_indexes(&self) {
        if let Some(live) = &self.live {
            live.build_indexes();
        }
    }

    /// The findings of `check`: made once per change, whatever is asked of
    /// them until the next.
    pub fn report(&mut self) -> Option<&Report> {
        if self.report.is_none()
            && let (Some(session), Some(live)) = (&self.session, &self.live)
        {
            self.report = Some(live.report(session));
        }
        self.report.as_ref()
    }

    /// The engine for the project's style (`[refs] style`, APA otherwise).
    pub fn engine(&mut self) -> Option<&Engine> {
        if self.engine.is_none() {
            let engine = self.session.as_ref().and_then(|session| {
                let configured = session.config().refs.style.is_some();
                let style = if configured { None } else { Some("apa") };
                session.style(style, None).ok().map(|s| s.engine)
            });
            self.engine = Some(engine);
        }
        self.engine.as_ref().and_then(Option::as_ref)
    }

    /// The file of a URI, if the session reads it.
    pub fn file(&self, uri: &Uri) -> Option<FileId> {
        let path = path_of(uri)?;
        let shown = refkeeper::inputs::shown_path(&path, &self.root);
        self.session.as_ref()?.sources().find(&shown)
    }

    /// A source file of the session.
    pub fn source(&self, file: FileId) -> Option<&SourceFile> {
        Some(self.session.as_ref()?.sources().get(file))
    }

    /// The URI of a file of the session.
    pub fn uri(&self, file: FileId) -> Option<Uri> {
        let source = self.source(file)?;
        uri_of(&refkeeper::inputs::join(&self.root, &source.path))
    }
}

/// The file path of a `file:` URI.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// The `file:` URI of a path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    // A file above the project folder is shown as `../refs/r.bib`: the URI
    // names it without the `..`, as the editor does.
    let url = url::Url::from_file_path(refkeeper::inputs::normalized(path)).ok()?;
    Uri::from_str(url.as_str()).ok()
}

/// An entry as completion offers it.
pub struct CompletionEntry {
    /// Its place in the bibliography.
    pub index: usize,
    /// The key.
    pub key: String,
    /// Key, authors, title and year, as the client filters on them.
    pub filter: String,
    /// The same in lower case, as the server matches what is typed.
    pub lower: String,
    /// First author's family name, year and title.
    pub detail: String,
}

fn completion_entries(session: &Session, analysis: &Analysis) -> Vec<CompletionEntry> {
    use rayon::prelude::*;
    let bib = &analysis.bib;
    let sources = session.sources();
    (0..bib.entries.len())
        .into_par_iter()
        .filter(|&index| bib.entries[index].duplicate_of().is_none())
        .map(|index| {
            let entry = &bib.entries[index];
            let fields = refkeeper::bib::fields::collect(
                bib,
                sources,
                refkeeper::bib::EntryId(index as u32),
            );
            let author = fields
                .text("author")
                .or_else(|| fields.text("editor"))
                .unwrap_or("");
            let title = fields.text("title").unwrap_or("").replace(['{', '}'], "");
            let year: String = fields
                .text("date")
                .or_else(|| fields.text("year"))
                .map(|d| d.chars().take(4).collect())
                .unwrap_or_default();
            let key = bib.key(entry);
            let filter = format!("{key} {author} {title} {year}");
            let first = author.split(" and ").next().unwrap_or("").trim();
            let family = first
                .split_once(',')
                .map_or_else(|| first.rsplit(' ').next().unwrap_or(""), |(f, _)| f)
                .replace(['{', '}'], "");
            CompletionEntry {
                index,
                key: key.to_owned(),
                lower: filter.to_lowercase(),
                filter,
                detail: format!("{family} {year} — {title}").trim().to_owned(),
            }
        })
        .collect()
}
