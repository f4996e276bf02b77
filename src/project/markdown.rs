//! Markdown documents as pandoc, Quarto and bookdown read them.
//!
//! - **pandoc**: a file whose YAML front matter declares `bibliography:`
//!   (one path or a list, relative to the file) is a document of its own.
//! - **Quarto** (`_quarto.yml`): a book reads its `chapters` and
//!   `appendices` (parts included) in order; any other project renders
//!   every `.qmd`, `.md` and `.Rmd` whose path has no part starting with
//!   `_` or `.`, outside its `output-dir` (or the files `render` lists),
//!   each page a document of its own. The bibliography comes from
//!   `_quarto.yml`, its `metadata-files`, `_metadata.yml`, and each
//!   file's front matter. `{{< include file >}}` reads a file in,
//!   relative to the including file (to the project when it starts `/`).
//! - **bookdown** (`_bookdown.yml`): its `rmd_files`, else every `.Rmd` in
//!   the folder not starting with `_`, `index.Rmd` first; the
//!   bibliography from `index.Rmd`'s front matter.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde_yaml::Value;

use super::{Manuscript, Reader, Toolchain, Walked};
use crate::document::DocumentKind;
use crate::inputs::shown_path;
use crate::scan::{Include, IncludeHow};
use crate::source::{self, FileId, FileRole, ReadError, Unread};

/// What a Markdown file's front matter says about its references.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    /// `bibliography:`, as written.
    pub bibliography: Vec<String>,
    /// Whether `references:` lists entries inline (read as CSL-YAML, the
    /// file a bibliography of its own document).
    pub inline_references: bool,
}

/// The YAML front matter of a Markdown text, if it has one that parses.
pub fn front_matter(text: &str) -> Option<FrontMatter> {
    let block = crate::document::front_matter(text)?;
    let yaml: Value = serde_yaml::from_str(&text[block]).ok()?;
    Some(FrontMatter {
        bibliography: strings(&yaml["bibliography"]),
        inline_references: yaml.get("references").is_some_and(Value::is_sequence),
    })
}

/// A string, or the strings of a list.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Sequence(many) => many
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// A project file in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ProjectFile {
    /// `_quarto.yml` (or `_quarto.yaml`).
    Quarto(PathBuf),
    /// `_bookdown.yml`.
    Bookdown(PathBuf),
}

/// The Quarto or bookdown project file of a folder, if it has one.
pub(super) fn project_file(folder: &Path) -> Option<ProjectFile> {
    for name in ["_quarto.yml", "_quarto.yaml"] {
        let path = folder.join(name);
        if path.is_file() {
            return Some(ProjectFile::Quarto(path));
        }
    }
    let path = folder.join("_bookdown.yml");
    path.is_file().then_some(ProjectFile::Bookdown(path))
}

/// The documents of a Quarto or bookdown project.
pub(super) fn project(reader: &mut Reader, project: &ProjectFile) -> Vec<Manuscript> {
    match project {
        ProjectFile::Quarto(path) => quarto(reader, path),
        ProjectFile::Bookdown(path) => bookdown(reader, path),
    }
}

/// A pandoc document: the file, what it includes, and the bibliographies
/// its front matter declares, relative to it.
pub(super) fn walk(reader: &mut Reader, root: FileId) -> Walked {
    let mut walked = Walked::new(Toolchain::Pandoc, root);
    let folder = reader.folder_of(root);
    read_in(reader, &mut walked, root, &folder);
    walked
}

/// Adds what `file` includes (and they in turn) to the document, and the
/// bibliographies their front matter declares.
fn read_in(reader: &mut Reader, walked: &mut Walked, file: FileId, project: &Path) {
    let mut stack: Vec<(FileId, Vec<FileId>)> = vec![(file, Vec::new())];
    while let Some((file, chain)) = stack.pop() {
        let text = reader.sources.get(file).text.clone();
        let folder = reader.folder_of(file);
        if let Some(front) = front_matter(&text) {
            for bib in &front.bibliography {
                walked.declare(folder.join(bib));
            }
            if front.inline_references {
                walked.declare_inline(file);
            }
        }
        let mut next = Vec::new();
        for include in shortcode_includes(&text) {
            let path = match include.path.strip_prefix('/') {
                Some(rooted) => project.join(rooted),
                None => folder.join(&include.path),
            };
            if !path.is_file() {
                reader.missing_include(file, &include, &path);
                continue;
            }
            let Some(included) = reader.read_chapter(&path) else {
                continue;
            };
            if included == file || chain.contains(&included) {
                reader.include_cycle(file, &include, included);
                continue;
            }
            if walked.reaches(included) {
                continue;
            }
            walked.add(included);
            let mut chain = chain.clone();
            chain.push(file);
            next.push((included, chain));
        }
        stack.extend(next.into_iter().rev());
    }
}

/// `{{< include file >}}` shortcodes outside fenced code blocks.
pub fn shortcode_includes(text: &str) -> Vec<Include> {
    static INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\{\{<\s*include\s+(?:"([^"]+)"|'([^']+)'|([^\s>]+))\s*>\}\}"#)
            .expect("a valid pattern")
    });
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        if let Some(c) = marker {
            let run = trimmed.chars().take_while(|x| *x == c).count();
            if run >= 3 {
                match fence {
                    None => fence = Some((c, run)),
                    Some((open, length)) if open == c && run >= length => fence = None,
                    Some(_) => {}
                }
                offset += line.len();
                continue;
            }
        }
        if fence.is_none() && line.contains("{{<") {
            for captures in INCLUDE.captures_iter(line) {
                let Some(path) = captures.get(1).or(captures.get(2)).or(captures.get(3)) else {
                    continue;
                };
                out.push(Include {
                    path: path.as_str().to_owned(),
                    span: offset + path.start()..offset + path.end(),
                    how: IncludeHow::Shortcode,
                });
            }
        }
        offset += line.len();
    }
    out
}

/// Reads a project's YAML file; a failure is an unread input.
fn read_yaml(reader: &mut Reader, path: &Path) -> Option<Value> {
    let shown = shown_path(path, &reader.cwd);
    let text = match source::read_text(path, &shown) {
        Ok(text) => text,
        Err(error) => {
            reader.unread.push(Unread::new(FileRole::Project, error));
            return None;
        }
    };
    match serde_yaml::from_str::<Value>(&text) {
        Ok(value) => Some(value),
        Err(error) => {
            let (line, column) = error.location().map_or((1, 1), |l| (l.line(), l.column()));
            reader.unread.push(Unread::new(
                FileRole::Project,
                ReadError::Walk {
                    path: PathBuf::from(format!("{}:{line}:{column}", shown.display())),
                    message: format!("not YAML refkeeper can read: {error}"),
                },
            ));
            None
        }
    }
}

/// `_quarto.yml` with the active profiles' `_quarto-NAME.yml` merged over
/// it, as Quarto merges them: the profiles asked for, else the project's
/// `profile: default:`; the first named wins; a profile without a file is
/// skipped (Quarto skips it too). Which were merged is said in a note.
fn with_profiles(reader: &mut Reader, yml: &Path, config: &mut Value) {
    let profiles: Vec<String> = if reader.quarto_profiles.is_empty() {
        strings(&config["profile"]["default"])
    } else {
        reader.quarto_profiles.clone()
    };
    let extension = yml.extension().and_then(|e| e.to_str()).unwrap_or("yml");
    let mut merged = Vec::new();
    // The last merged wins a conflict: the first named goes last.
    for profile in profiles.iter().rev() {
        let file = yml.with_file_name(format!("_quarto-{profile}.{extension}"));
        if !file.is_file() {
            continue;
        }
        if let Some(overlay) = read_yaml(reader, &file) {
            merge_config(config, overlay);
            merged.push(shown_path(&file, &reader.cwd).display().to_string());
        }
    }
    if !merged.is_empty() {
        merged.reverse();
        reader.notes.push(format!(
            "{}: read with the profile{} {}",
            shown_path(yml, &reader.cwd).display(),
            if merged.len() == 1 { "" } else { "s" },
            merged.join(", ")
        ));
    }
}

/// Merges `overlay` over `base` as Quarto merges configurations
/// (`mergeConfigs` in quarto-cli's `src/core/config.ts`): mappings key by
/// key; where either side is a list, both as lists joined, an item already
/// there not repeated (`bibliography: a.bib` and `[b.bib]` give both); any
/// other value replaced.
fn merge_config(base: &mut Value, overlay: Value) {
    let as_list = |value: Value| match value {
        Value::Sequence(items) => items,
        Value::Null => Vec::new(),
        one => vec![one],
    };
    match (base, overlay) {
        (Value::Mapping(base), Value::Mapping(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) => merge_config(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) if base.is_sequence() || overlay.is_sequence() => {
            let mut items = as_list(std::mem::take(base));
            for item in as_list(overlay) {
                if !items.contains(&item) {
                    items.push(item);
                }
            }
            *base = Value::Sequence(items);
        }
        (base, overlay) => *base = overlay,
    }
}

fn quarto(reader: &mut Reader, yml: &Path) -> Vec<Manuscript> {
    let folder = match yml.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(mut config) = read_yaml(reader, yml) else {
        return Vec::new();
    };
    with_profiles(reader, yml, &mut config);
    let project = &config["project"];
    // A book, or a project type made from one (a thesis format's own
    // type) that lists its chapters as a book does.
    let is_book =
        project["type"].as_str() == Some("book") || config["book"]["chapters"].is_sequence();
    let files: Vec<PathBuf> = if is_book {
        let book = &config["book"];
        let mut files = Vec::new();
        for list in [&book["chapters"], &book["appendices"]] {
            book_files(list, &mut files);
        }
        files.into_iter().map(|f| folder.join(f)).collect()
    } else if let Some(render) = project["render"].as_sequence() {
        render
            .iter()
            .filter_map(Value::as_str)
            .map(|f| folder.join(f))
            .collect()
    } else {
        let output = project["output-dir"].as_str().map(|o| folder.join(o));
        rendered_files(&folder, output.as_deref())
    };

    // The project's bibliographies: _quarto.yml, its metadata files, and
    // the project folder's _metadata.yml.
    let mut declared: Vec<PathBuf> = strings(&config["bibliography"])
        .iter()
        .map(|b| folder.join(b))
        .collect();
    let mut metadata: Vec<PathBuf> = strings(&config["metadata-files"])
        .iter()
        .map(|m| folder.join(m))
        .collect();
    let folder_metadata = folder.join("_metadata.yml");
    if folder_metadata.is_file() {
        metadata.push(folder_metadata);
    }
    for file in metadata {
        if let Some(value) = read_yaml(reader, &file) {
            let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
            declared.extend(strings(&value["bibliography"]).iter().map(|b| base.join(b)));
        }
    }

    let shown = shown_path(yml, &reader.cwd);
    let mut documents: Vec<Walked> = Vec::new();
    for path in files {
        if !path.is_file() {
            reader.unread.push(Unread::new(
                FileRole::Chapter,
                ReadError::Walk {
                    path: shown.clone(),
                    message: format!(
                        "lists {}, which does not exist",
                        shown_path(&path, &reader.cwd).display()
                    ),
                },
            ));
            continue;
        }
        let Some(file) = reader.read_chapter(&path) else {
            continue;
        };
        match documents.last_mut() {
            Some(book) if is_book => {
                if !book.reaches(file) {
                    book.add(file);
                    read_in(reader, book, file, &folder);
                }
            }
            _ => {
                let mut page = Walked::new(Toolchain::Quarto, file);
                read_in(reader, &mut page, file, &folder);
                documents.push(page);
            }
        }
    }
    documents
        .into_iter()
        .map(|mut document| {
            let own = std::mem::take(&mut document.declared);
            for path in declared.iter().cloned().chain(own) {
                document.declare(path);
            }
            document.project_file = Some(shown.clone());
            document.toolchain = Toolchain::Quarto;
            let mut manuscript = document.into_manuscript(reader);
            if !is_book {
                // A page of a website is a document of its own.
                manuscript.root = Some(reader.shown(manuscript.chapters[0]).to_path_buf());
            }
            manuscript
        })
        .collect()
}

/// The files of a book's `chapters` or `appendices`: paths, and parts
/// (`- part: "part.qmd"` or a title, with `chapters:` of their own).
fn book_files(list: &Value, out: &mut Vec<String>) {
    let Some(items) = list.as_sequence() else {
        return;
    };
    for item in items {
        match item {
            Value::String(path) => out.push(path.clone()),
            Value::Mapping(_) => {
                if let Some(part) = item["part"].as_str()
                    && has_markdown_extension(part)
                {
                    out.push(part.to_owned());
                }
                book_files(&item["chapters"], out);
            }
            _ => {}
        }
    }
}

/// Whether a book's `part:` names a file (else it is a title).
fn has_markdown_extension(path: &str) -> bool {
    DocumentKind::of(Path::new(path)).is_chapter()
}

/// The files a Quarto project renders when it does not list them: every
/// Markdown file below the folder whose path has no part starting with
/// `_` or `.`, outside the output folder, in path order.
fn rendered_files(folder: &Path, output: Option<&Path>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(folder)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker.flatten() {
        let path = entry.path();
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        if output.is_some_and(|o| path.starts_with(o)) {
            continue;
        }
        let relative = path.strip_prefix(folder).unwrap_or(path);
        let hidden = relative.components().any(|c| {
            let name = c.as_os_str().to_string_lossy();
            name.starts_with('_') || name.starts_with('.')
        });
        let markdown = matches!(
            DocumentKind::of(path),
            DocumentKind::Markdown | DocumentKind::Quarto
        );
        if markdown && !hidden {
            files.push(path.to_path_buf());
        }
    }
    files
}

fn bookdown(reader: &mut Reader, yml: &Path) -> Vec<Manuscript> {
    let folder = match yml.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Some(config) = read_yaml(reader, yml) else {
        return Vec::new();
    };
    // `rmd_files`: a list, or a list per output format.
    let mut listed: Vec<String> = Vec::new();
    match &config["rmd_files"] {
        Value::Sequence(_) => listed = strings(&config["rmd_files"]),
        Value::Mapping(formats) => {
            for (_, files) in formats {
                for file in strings(files) {
                    if !listed.contains(&file) {
                        listed.push(file);
                    }
                }
            }
        }
        _ => {}
    }
    let files: Vec<PathBuf> = if listed.is_empty() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        p.extension().is_some_and(|e| e.eq_ignore_ascii_case("rmd"))
                            && !p
                                .file_name()
                                .is_some_and(|n| n.to_string_lossy().starts_with('_'))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort_by_key(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().to_lowercase());
            (name.as_deref() != Some("index.rmd"), p.clone())
        });
        files
    } else {
        listed.iter().map(|f| folder.join(f)).collect()
    };
    let shown = shown_path(yml, &reader.cwd);
    let mut book: Option<Walked> = None;
    for path in files {
        let Some(file) = reader.read_chapter(&path) else {
            continue;
        };
        match &mut book {
            Some(book) => {
                if !book.reaches(file) {
                    book.add(file);
                    read_in(reader, book, file, &folder);
                }
            }
            None => {
                let mut first = Walked::new(Toolchain::Bookdown, file);
                read_in(reader, &mut first, file, &folder);
                book = Some(first);
            }
        }
    }
    book.map(|mut book| {
        book.project_file = Some(shown);
        book.into_manuscript(reader)
    })
    .into_iter()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_bibliographies_in_both_forms() {
        let one = front_matter("---\ntitle: x\nbibliography: refs.bib\n---\n# A\n").unwrap();
        assert_eq!(one.bibliography, ["refs.bib"]);
        let two = front_matter(
            "---\nbibliography:\n  - a.bib\n  - b/c.bib\nreferences:\n- id: x\n...\ntext",
        )
        .unwrap();
        assert_eq!(two.bibliography, ["a.bib", "b/c.bib"]);
        assert!(two.inline_references);
        assert_eq!(front_matter("# No front matter\n"), None);
        assert_eq!(front_matter("---\nnot closed\n"), None);
    }

    #[test]
    fn include_shortcodes_outside_code() {
        let text = "A\n{{< include _a.qmd >}}\n```\n{{< include _no.qmd >}}\n```\n{{< include \"b c.qmd\" >}}\n";
        let found: Vec<&str> = shortcode_includes(text)
            .iter()
            .map(|i| &text[i.span.clone()])
            .collect();
        assert_eq!(found, ["_a.qmd", "b c.qmd"]);
    }

    #[test]
    fn parts_of_a_book_hold_chapters() {
        let yaml: Value = serde_yaml::from_str(
            "chapters:\n  - index.qmd\n  - part: part1.qmd\n    chapters: [a.qmd, b.qmd]\n  - part: \"Two\"\n    chapters:\n      - c.qmd\n",
        )
        .unwrap();
        let mut files = Vec::new();
        book_files(&yaml["chapters"], &mut files);
        assert_eq!(files, ["index.qmd", "part1.qmd", "a.qmd", "b.qmd", "c.qmd"]);
    }
}
