//! What `refkeeper check --watch` needs besides the check itself: which
//! changed files matter, which folders to watch, and what changed between
//! two runs. A finding is known across runs by its file, code and message,
//! not by its line, which moves when text is added above it.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};
use crate::inputs::Want;
use crate::{Report, Session};

/// A finding as compared across runs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingId {
    /// The file of the finding.
    pub path: PathBuf,
    /// Its code.
    pub code: Code,
    /// Its message.
    pub message: String,
}

/// The findings of one run, counted (a key cited twice without an entry is
/// two findings with one identity).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Findings(BTreeMap<FindingId, usize>);

/// What changed since the previous run.
#[derive(Debug, Default)]
pub struct Changes<'r> {
    /// New findings, in the report's order.
    pub appeared: Vec<Cow<'r, Diagnostic>>,
    /// Findings of the previous run that are gone.
    pub fixed: Vec<FindingId>,
}

impl Findings {
    /// The findings of a check.
    pub fn of(report: &Report) -> Findings {
        let mut counts = BTreeMap::new();
        for d in &report.findings {
            *counts.entry(identify(report, &d)).or_insert(0) += 1;
        }
        Findings(counts)
    }

    /// The findings of `report` that this run did not have (as many as are
    /// new, when some occur several times), and those it no longer has.
    pub fn changes<'r>(&self, report: &'r Report) -> Changes<'r> {
        let mut left = self.0.clone();
        let mut appeared = Vec::new();
        for d in &report.findings {
            let id = identify(report, &d);
            match left.get_mut(&id) {
                Some(count) if *count > 0 => *count -= 1,
                _ => appeared.push(d),
            }
        }
        let fixed = left
            .into_iter()
            .flat_map(|(id, count)| std::iter::repeat_n(id, count))
            .collect();
        Changes { appeared, fixed }
    }
}

fn identify(report: &Report, d: &Diagnostic) -> FindingId {
    FindingId {
        path: report.sources.get(d.primary.file).path.clone(),
        code: d.code,
        message: d.message.clone(),
    }
}

/// Whether a changed file can change the result: a bibliography, a
/// chapter, or the configuration.
pub fn is_input(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    Want::Bibliography.matches(path)
        || Want::Chapter.matches(path)
        // CSL-JSON and YAML bibliographies.
        || ["json", "yml", "yaml"].iter().any(|e| extension.eq_ignore_ascii_case(e))
        || name == crate::config::FILE_NAME
        || PROJECT_FILES.contains(&name)
        // Quarto profiles (`_quarto-production.yml`).
        || name.starts_with("_quarto-")
}

/// The files that say which others a toolchain reads.
const PROJECT_FILES: &[&str] = &[
    "_quarto.yml",
    "_quarto.yaml",
    "_bookdown.yml",
    "_metadata.yml",
];

/// What a file looked like at a run: its size and modification time,
/// `None` when it did not exist.
pub type Stamp = Option<(u64, std::time::SystemTime)>;

fn stamp(path: &Path) -> Stamp {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.len(), metadata.modified().ok()?))
}

/// What the watch knows of each file it has looked at: the stamp it had
/// when a run last took it into account.
#[derive(Debug, Default)]
pub struct Stamps(BTreeMap<PathBuf, Stamp>);

impl Stamps {
    /// Takes in the files a run is about to check (its sources and its
    /// configuration file). A file already known keeps the stamp it had
    /// when its change was seen: one changed while the run read it then
    /// still differs and makes another run.
    pub fn record(&mut self, session: &Session) {
        for path in inputs_of(session) {
            if let std::collections::btree_map::Entry::Vacant(unknown) = self.0.entry(path) {
                let now = stamp(unknown.key());
                unknown.insert(now);
            }
        }
    }

    /// Whether a file really changed since a run took it into account
    /// (a new file, a file gone, another size or time), and if so notes
    /// its new stamp. Reading a file raises events on some systems
    /// (refkeeper's own run among the readers); those change nothing.
    pub fn changed(&mut self, path: &Path) -> bool {
        let now = stamp(path);
        match self.0.get(path) {
            Some(before) if *before == now => false,
            None if now.is_none() => false,
            _ => {
                self.0.insert(path.to_path_buf(), now);
                true
            }
        }
    }
}

/// The files a run reads, as shown (relative to the working folder).
fn inputs_of(session: &Session) -> impl Iterator<Item = PathBuf> + '_ {
    let sources = session.sources().iter().map(|(_, f)| f.path.clone());
    let config =
        (session.config().path.iter()).map(|p| crate::inputs::shown_path(p, session.cwd()));
    // Quarto's profiles too: which one is active may change with the
    // environment, so each one there is watched.
    let profiles = std::fs::read_dir(session.root())
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("_quarto-"))
        });
    let projects = PROJECT_FILES
        .iter()
        .map(|name| session.root().join(name))
        .chain(profiles)
        .filter(|path| path.is_file())
        .map(|path| crate::inputs::shown_path(&path, session.cwd()));
    sources.chain(config).chain(projects)
}

/// The folders to watch: those holding the files read (the configuration
/// file's among them), and the working folder (for new top-level files).
/// Each is watched without its subfolders, so a build folder beside the
/// chapters costs nothing.
pub fn folders(session: &Session) -> BTreeSet<PathBuf> {
    let mut folders: BTreeSet<PathBuf> = inputs_of(session)
        .map(|path| match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        })
        .collect();
    folders.insert(PathBuf::from("."));
    folders
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::source::{FileRole, SourceFile, SourceMap};

    fn session(chapter: &str) -> Session {
        let mut sources = SourceMap::new();
        sources.add(SourceFile::new(
            PathBuf::from("refs/r.bib"),
            FileRole::Bibliography,
            "@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}".to_owned(),
        ));
        sources.add(SourceFile::new(
            PathBuf::from("chapters/a.md"),
            FileRole::Chapter,
            chapter.to_owned(),
        ));
        Session::new(Config::default(), sources)
    }

    #[test]
    fn moved_findings_are_not_new_and_fixed_ones_are_named() {
        let first = session("[@kim2007] [@lee2010] [@lee2010]");
        let before = Findings::of(&first.check());
        // The same missing key, two lines down; one of its citations gone;
        // a new missing key.
        let second = session("\n\n[@kim2007] [@lee2010] [@park2011]");
        let second = second.check();
        let changes = before.changes(&second);
        let appeared: Vec<&str> = changes
            .appeared
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            appeared,
            ["`park2011` is cited but is not in any bibliography"]
        );
        assert_eq!(changes.fixed.len(), 1);
        assert_eq!(
            changes.fixed[0].message,
            "`lee2010` is cited but is not in any bibliography"
        );
        // Nothing changed: nothing to say.
        let again = Findings::of(&second).changes(&second);
        assert!(again.appeared.is_empty() && again.fixed.is_empty());
    }

    #[test]
    fn only_inputs_trigger_a_run() {
        assert!(is_input(Path::new("refs/study.bib")));
        assert!(is_input(Path::new("chapters/01.qmd")));
        assert!(is_input(Path::new("./refkeeper.toml")));
        assert!(is_input(Path::new("book/_quarto.yml")));
        assert!(is_input(Path::new("book/_quarto-pro.yml")));
        assert!(is_input(Path::new("refs.json")));
        assert!(!is_input(Path::new("build/thesis.pdf")));
        assert!(!is_input(Path::new("chapters/.01.md.swp")));
    }
}
