//! `refkeeper init`: find the bibliography and the chapters of an existing
//! project from what its documents declare, and write them down as a
//! commented `refkeeper.toml`.
//!
//! Declarations read: LaTeX `\addbibresource{…}` and `\bibliography{a,b}`,
//! Quarto's `_quarto.yml` and Pandoc front matter (`bibliography:` as one
//! value or a YAML list), Typst `#bibliography("…")` (one path or an
//! array). The YAML is read line by line, enough for these keys; a
//! bibliography given some other way is still found when it lies in the
//! project, since every `.bib` file is a candidate when none is declared.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::document::DocumentKind;
use crate::inputs::{self, Want};
use crate::project::Toolchain;
use crate::source::{self as source, FileRole, Unread};

/// What `init` found.
#[derive(Debug, Default)]
pub struct Detected {
    /// Bibliography files, relative to the project root, with forward slashes.
    pub bibliographies: Vec<String>,
    /// Chapter files, folders or globs, relative to the project root.
    pub chapters: Vec<String>,
    /// Where each bibliography was declared (`main.tex`), or `found` when
    /// it was only found in the tree.
    pub declared_in: Vec<(String, String)>,
    /// Declared bibliographies that do not exist.
    pub missing: Vec<(String, String)>,
    /// What the project looks like: `LaTeX`, `Quarto`, `Pandoc`, `Typst`.
    pub kinds: BTreeSet<&'static str>,
    /// Documents that could not be read: what they declare is unknown, so
    /// the configuration would be a guess (`init` writes none).
    pub unread: Vec<Unread>,
    /// The root documents found (`thesis.tex`), relative to the project
    /// root: `check` reads what they include and the bibliographies they
    /// declare. Empty when there is none (then `chapters` says what to read).
    pub documents: Vec<String>,
    /// A Quarto or bookdown project file: it says which files are read.
    pub project_file: Option<String>,
}

/// Files that are documentation of a repository, not chapters.
const NOT_CHAPTERS: &[&str] = &[
    "readme",
    "changelog",
    "changes",
    "contributing",
    "license",
    "licence",
    "notes",
    "todo",
    "code_of_conduct",
    "authors",
];

/// Looks through `root` (honouring `.gitignore`, skipping hidden files):
/// the documents there, found as `check` finds them (their roots, what
/// they include, the bibliographies they declare); without any, the
/// chapters and bibliographies the files declare.
pub fn detect(root: &Path) -> Detected {
    if let Some(detected) = documents(root) {
        return detected;
    }
    detect_files(root)
}

/// The documents in `root`, found by their roots, if there are any.
fn documents(root: &Path) -> Option<Detected> {
    let cwd = std::env::current_dir().ok()?;
    let request = crate::Request {
        cwd: inputs::join(&cwd, root),
        config: crate::ConfigSource::Ignore,
        ..Default::default()
    };
    let mut found_inputs = inputs::find(&request).ok()?;
    let (candidates, _) = crate::project::Candidates::of(&mut found_inputs, &request);
    let config = crate::config::Config::default();
    let found = crate::project::walk(&candidates, &config, &request.cwd);
    if !found.discovered {
        return None;
    }
    let mut detected = Detected {
        unread: found.unread,
        ..Detected::default()
    };
    let relative = |path: &Path| -> String {
        inputs::shown_path(path, &request.cwd)
            .to_string_lossy()
            .replace('\\', "/")
    };
    for manuscript in &found.manuscripts {
        let Some(document) = &manuscript.root else {
            continue;
        };
        let document = document.to_string_lossy().replace('\\', "/");
        detected.kinds.insert(match manuscript.toolchain {
            Toolchain::Latex => "LaTeX",
            Toolchain::Typst => "Typst",
            Toolchain::Quarto => "Quarto",
            Toolchain::Bookdown => "bookdown",
            Toolchain::Pandoc | Toolchain::Files => "Pandoc",
        });
        match manuscript.toolchain {
            Toolchain::Quarto | Toolchain::Bookdown => {
                let project = match manuscript.toolchain {
                    Toolchain::Quarto => "_quarto.yml",
                    _ => "_bookdown.yml",
                };
                detected.project_file = Some(project.to_owned());
            }
            _ => {
                if !detected.documents.contains(&document) {
                    detected.documents.push(document.clone());
                }
            }
        }
        for bib in &manuscript.declared {
            let shown = relative(bib);
            let from = match manuscript.toolchain {
                Toolchain::Quarto | Toolchain::Bookdown => {
                    detected.project_file.clone().unwrap_or_default()
                }
                _ => document.clone(),
            };
            if bib.is_file() {
                if !detected.bibliographies.contains(&shown) {
                    detected.bibliographies.push(shown.clone());
                    detected.declared_in.push((shown, from));
                }
            } else if !detected.missing.iter().any(|(b, _)| *b == shown) {
                detected.missing.push((shown, from));
            }
        }
    }
    Some(detected)
}

/// Without a root document: the chapters of the kinds that declare a
/// bibliography, and the bibliographies declared (or found).
fn detect_files(root: &Path) -> Detected {
    let mut detected = Detected::default();
    let mut sources: Vec<PathBuf> = Vec::new();
    let mut bib_files: Vec<PathBuf> = Vec::new();
    let mut quarto_project: Option<PathBuf> = None;
    let walker = ignore::WalkBuilder::new(root)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let error = inputs::walk_error(error, root);
                detected.unread.push(Unread::new(FileRole::Chapter, error));
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.into_path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "_quarto.yml" || name == "_quarto.yaml" {
            quarto_project = Some(path);
        } else if Want::Bibliography.matches(&path) {
            bib_files.push(path);
        } else if Want::Chapter.matches(&path) {
            sources.push(path);
        }
    }

    let mut declared: Vec<(PathBuf, PathBuf)> = Vec::new(); // (bib, declared in)
    let mut declaring: BTreeSet<PathBuf> = BTreeSet::new();
    if let Some(project) = &quarto_project {
        detected.kinds.insert("Quarto");
        let text = read(project, root, FileRole::Project, &mut detected.unread);
        for bib in yaml_bibliographies(&text) {
            declared.push((resolve(project, &bib), project.clone()));
        }
    }
    for source in &sources {
        let text = read(source, root, FileRole::Chapter, &mut detected.unread);
        let found = match DocumentKind::of(source) {
            DocumentKind::Latex => latex_bibliographies(&text),
            DocumentKind::Typst => typst_bibliographies(&text),
            DocumentKind::Markdown | DocumentKind::Quarto => front_matter(&text)
                .map(yaml_bibliographies)
                .unwrap_or_default(),
            DocumentKind::Html | DocumentKind::Plain => Vec::new(),
        };
        if !found.is_empty() {
            declaring.insert(source.clone());
            detected
                .kinds
                .insert(match DocumentKind::from_path(source) {
                    Some(DocumentKind::Latex) => "LaTeX",
                    Some(DocumentKind::Typst) => "Typst",
                    Some(DocumentKind::Quarto) => "Quarto",
                    _ => "Pandoc",
                });
        }
        for bib in found {
            declared.push((resolve(source, &bib), source.clone()));
        }
    }

    let relative = |path: &Path| -> String {
        path.strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    for (bib, source) in &declared {
        let (shown, from) = (relative(bib), relative(source));
        if bib.is_file() {
            if !detected.bibliographies.contains(&shown) {
                detected.bibliographies.push(shown.clone());
                detected.declared_in.push((shown, from));
            }
        } else if !detected.missing.iter().any(|(b, _)| *b == shown) {
            detected.missing.push((shown, from));
        }
    }
    if detected.bibliographies.is_empty() {
        for bib in &bib_files {
            let shown = relative(bib);
            detected.bibliographies.push(shown.clone());
            detected.declared_in.push((shown, "found".to_owned()));
        }
    }

    // Chapters: the documents of the kinds that declare a bibliography (all
    // sources when none does), without a repository's own README and such.
    let formats: BTreeSet<DocumentKind> = declaring
        .iter()
        .filter_map(|p| DocumentKind::from_path(p))
        .chain(quarto_project.iter().map(|_| DocumentKind::Quarto))
        .collect();
    let chapters: Vec<String> = sources
        .iter()
        .filter(|p| {
            formats.is_empty() || DocumentKind::from_path(p).is_some_and(|f| formats.contains(&f))
        })
        .filter(|p| {
            let stem = p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            !NOT_CHAPTERS.contains(&stem.as_str())
        })
        .map(|p| relative(p))
        .collect();
    detected.chapters = group_by_folder(&chapters);
    detected
}

/// The text of a file, or an empty one with the failure noted.
fn read(path: &Path, root: &Path, role: FileRole, unread: &mut Vec<Unread>) -> String {
    let shown = inputs::shown_path(path, root);
    source::read_text(path, &shown).unwrap_or_else(|error| {
        unread.push(Unread::new(role, error));
        String::new()
    })
}

/// Chapter files as configuration entries: files at the root by name,
/// files in a folder as that folder's glob per extension.
fn group_by_folder(files: &[String]) -> Vec<String> {
    let mut entries: BTreeSet<String> = BTreeSet::new();
    for file in files {
        match file.split_once('/') {
            None => {
                entries.insert(file.clone());
            }
            Some((folder, rest)) => {
                let extension = rest.rsplit_once('.').map_or("", |(_, e)| e);
                entries.insert(format!("{folder}/**/*.{extension}"));
            }
        }
    }
    entries.into_iter().collect()
}

/// A declared path, relative to the file that declares it, with `.` and
/// `..` worked out (`text/../refs.bib` is `refs.bib`).
fn resolve(declared_in: &Path, path: &str) -> PathBuf {
    let base = declared_in.parent().unwrap_or(Path::new(""));
    let mut resolved = PathBuf::new();
    for component in base.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if resolved.file_name().is_some() => {
                resolved.pop();
            }
            other => resolved.push(other),
        }
    }
    resolved
}

static ADDBIBRESOURCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\\addbibresource\s*(?:\[[^\]]*\])?\s*\{([^}]+)\}").unwrap());
static BIBLIOGRAPHY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\\bibliography\s*\{([^}]+)\}").unwrap());
static TYPST_BIBLIOGRAPHY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"#bibliography\s*\(\s*(\([^)]*\)|"[^"]*")"#).unwrap());
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""([^"]+)""#).unwrap());

fn latex_bibliographies(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        // A commented-out declaration does not count.
        let line = uncommented(line);
        for captures in ADDBIBRESOURCE.captures_iter(line) {
            found.push(captures[1].trim().to_owned());
        }
        for captures in BIBLIOGRAPHY.captures_iter(line) {
            for name in captures[1].split(',') {
                let name = name.trim();
                if name.is_empty() {
                    continue;
                }
                if name.ends_with(".bib") {
                    found.push(name.to_owned());
                } else {
                    found.push(format!("{name}.bib"));
                }
            }
        }
    }
    found
}

/// A LaTeX line up to its first unescaped `%`.
fn uncommented(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'%' => return &line[..i],
            _ => i += 1,
        }
    }
    line
}

fn typst_bibliographies(text: &str) -> Vec<String> {
    TYPST_BIBLIOGRAPHY
        .captures_iter(text)
        .flat_map(|c| {
            QUOTED
                .captures_iter(c.get(1).map_or("", |m| m.as_str()))
                .map(|q| q[1].to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The YAML front matter of a Markdown file (see
/// [`crate::document::front_matter`]).
fn front_matter(text: &str) -> Option<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    crate::document::front_matter(text).map(|block| &text[block])
}

/// The `bibliography:` key of a YAML document at the top level: one value
/// (`bibliography: refs.bib`), a flow list (`[a.bib, b.bib]`) or a block
/// list (`- a.bib` lines under it).
fn yaml_bibliographies(yaml: &str) -> Vec<String> {
    let unquote = |s: &str| s.trim().trim_matches(['"', '\'']).trim().to_owned();
    let mut lines = yaml.lines().peekable();
    let mut found = Vec::new();
    while let Some(line) = lines.next() {
        let Some(value) = line.strip_prefix("bibliography:") else {
            continue;
        };
        let value = value.split(" #").next().unwrap_or("").trim();
        if let Some(list) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            found.extend(list.split(',').map(unquote).filter(|s| !s.is_empty()));
        } else if !value.is_empty() {
            found.push(unquote(value));
        } else {
            while let Some(item) = lines.peek().and_then(|l| l.trim_start().strip_prefix("- ")) {
                found.push(unquote(item));
                lines.next();
            }
        }
    }
    found
}

/// The configuration file for what was found, with comments that say
/// where each part came from and what else can be set.
pub fn config_text(detected: &Detected) -> String {
    let list = |items: &[String]| -> String {
        if items.is_empty() {
            return "[]".to_owned();
        }
        let quoted: Vec<String> = items
            .iter()
            .map(|i| format!("  \"{}\",", i.replace('\\', "\\\\").replace('"', "\\\"")))
            .collect();
        format!("[\n{}\n]", quoted.join("\n"))
    };
    let mut out = String::new();
    out.push_str("# refkeeper's settings for this project, written by `refkeeper init`.\n");
    out.push_str("# Paths are files, folders or glob patterns, relative to this file.\n");
    if !detected.kinds.is_empty() {
        let kinds: Vec<&str> = detected.kinds.iter().copied().collect();
        out.push_str(&format!("# Detected: a {} project.\n", kinds.join(" and ")));
    }
    out.push('\n');
    if !detected.documents.is_empty() || detected.project_file.is_some() {
        documents_text(detected, &list, &mut out);
    } else {
        files_text(detected, &list, &mut out);
    }
    out.push_str(
        "\
[check]
# Entries that may stay uncited (keys or glob patterns):
# allow-unused = [\"R-base\", \"software-*\"]

# [check.levels]
# Each code `deny` (an error), `warn` or `allow` (off); `refkeeper explain`
# lists the codes.
# unused-entry = \"warn\"
# unknown-field = \"warn\"

# [refs]
# The References section that `refkeeper refs --write` keeps up to date:
# style = \"apa\"            # or chicago-author-date, ieee, mla, harvard, a .csl path
# file = \"chapters/references.md\"
",
    );
    out
}

/// The documents, each read from its root with what it declares.
fn documents_text(detected: &Detected, list: &dyn Fn(&[String]) -> String, out: &mut String) {
    out.push_str("# The bibliographies the documents declare (each document is checked\n");
    out.push_str("# against its own):\n");
    for (bib, from) in &detected.declared_in {
        out.push_str(&format!("#   {bib}: declared in {from}\n"));
    }
    for (bib, from) in &detected.missing {
        out.push_str(&format!(
            "#   {bib}: declared in {from}, but there is no such file\n"
        ));
    }
    out.push('\n');
    if let Some(project) = &detected.project_file {
        out.push_str(&format!(
            "# {project} says which files are read: refkeeper reads it as its toolchain does.\n\n"
        ));
    }
    if !detected.documents.is_empty() {
        out.push_str("# The root documents: each is read with what it includes (\\input,\n");
        out.push_str("# \\include, #include, {{< include >}}), as its toolchain reads it.\n");
        out.push_str(&format!("documents = {}\n\n", list(&detected.documents)));
    }
}

/// The chapters and bibliographies, when there is no root document.
fn files_text(detected: &Detected, list: &dyn Fn(&[String]) -> String, out: &mut String) {
    out.push_str("# The bibliography:\n");
    for (bib, from) in &detected.declared_in {
        if from == "found" {
            out.push_str(&format!(
                "#   {bib}: found in the project (no document declares it)\n"
            ));
        } else {
            out.push_str(&format!("#   {bib}: declared in {from}\n"));
        }
    }
    for (bib, from) in &detected.missing {
        out.push_str(&format!(
            "#   {bib}: declared in {from}, but there is no such file\n"
        ));
    }
    out.push_str(&format!(
        "bibliography = {}\n\n",
        list(&detected.bibliographies)
    ));
    out.push_str("# The chapters whose citations are checked.\n");
    out.push_str(&format!("chapters = {}\n\n", list(&detected.chapters)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latex_declarations() {
        let text = "\\addbibresource[label=x]{refs/study.bib}\n\
                    % \\addbibresource{old.bib}\n\
                    \\bibliography{refs/a, b.bib}\n\
                    50\\% \\addbibresource{c.bib}";
        assert_eq!(
            latex_bibliographies(text),
            ["refs/study.bib", "refs/a.bib", "b.bib", "c.bib"]
        );
    }

    #[test]
    fn yaml_declarations_in_three_forms() {
        assert_eq!(
            yaml_bibliographies("title: x\nbibliography: refs.bib\n"),
            ["refs.bib"]
        );
        assert_eq!(
            yaml_bibliographies("bibliography: [\"a.bib\", b.bib]"),
            ["a.bib", "b.bib"]
        );
        assert_eq!(
            yaml_bibliographies("bibliography:\n  - a.bib\n  - 'b c.bib'\nformat: html\n"),
            ["a.bib", "b c.bib"]
        );
        assert!(yaml_bibliographies("nobibliography: x.bib").is_empty());
    }

    #[test]
    fn typst_declarations() {
        assert_eq!(
            typst_bibliographies("#bibliography(\"refs.bib\", style: \"apa\")"),
            ["refs.bib"]
        );
        assert_eq!(
            typst_bibliographies("#bibliography((\"a.bib\", \"b.bib\"))"),
            ["a.bib", "b.bib"]
        );
    }

    #[test]
    fn declared_paths_are_relative_to_their_file() {
        assert_eq!(
            resolve(Path::new("book/_assets/text/intro.qmd"), "../refs.bib"),
            Path::new("book/_assets/refs.bib")
        );
        assert_eq!(
            resolve(Path::new("main.tex"), "./refs/a.bib"),
            Path::new("refs/a.bib")
        );
    }

    #[test]
    fn front_matter_is_the_first_block() {
        assert_eq!(front_matter("---\na: 1\n---\ntext"), Some("a: 1\n"));
        assert_eq!(front_matter("text\n---\na: 1\n---\n"), None);
    }
}
