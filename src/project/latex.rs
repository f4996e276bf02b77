//! A LaTeX document as LaTeX reads it: from the root (a file with
//! `\documentclass`) through `\input`, `\include`, `\subfile` and the
//! `import` package's commands, with LaTeX's path rules, and the
//! bibliographies biblatex and BibTeX would read, in the order LaTeX
//! meets them.
//!
//! Paths are relative to the main document's folder, as LaTeX run there
//! finds them; `\import{dir}{file}` makes `dir` the base of what `file`
//! includes, `\subimport` takes `dir` relative to the including file;
//! `\subfile` is relative to the including file. `\input` adds `.tex` when
//! the name has no extension and that file exists, `\include` always adds
//! it. `\includeonly` is read but not obeyed: LaTeX then still reads the
//! citations of the chapters it leaves out from their `.aux` files, so
//! biber sees them, and so does refkeeper.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Reader, Toolchain, Walked};
use crate::scan::{DeclaredHow, IncludeHow, ScanOutput};
use crate::source::FileId;

/// A file being read: where LaTeX is in it.
struct Frame {
    file: FileId,
    /// The folder its includes are relative to.
    base: PathBuf,
    scan: Arc<ScanOutput>,
    /// The next include and the next declaration to take, in text order.
    next_include: usize,
    next_declared: usize,
}

/// Walks a LaTeX document from its root, reading each file once; the
/// chapters and the bibliographies come in the order LaTeX meets them.
pub(super) fn walk(reader: &mut Reader, root: FileId) -> Walked {
    let main_folder = reader.folder_of(root);
    let mut walked = Walked::new(Toolchain::Latex, root);
    let root_scan = reader.scan(root);
    if root_scan.include_only.is_some() {
        reader.notes.push(format!(
            "{}: \\includeonly is not obeyed: the chapters it leaves out still count, as their .aux files do for biber",
            reader.shown(root).display()
        ));
    }
    // Files being read, outermost first: a chain 10,000 files deep costs
    // a longer vector, not a deeper stack.
    let mut frames = vec![Frame {
        file: root,
        base: main_folder.clone(),
        scan: root_scan,
        next_include: 0,
        next_declared: 0,
    }];
    while let Some(frame) = frames.last_mut() {
        let include = frame.scan.includes.get(frame.next_include);
        let declared = frame.scan.bibliographies.get(frame.next_declared);
        let include_first = match (include, declared) {
            (None, None) => {
                frames.pop();
                continue;
            }
            (Some(include), Some(declared)) => include.span.start < declared.span.start,
            (Some(_), None) => true,
            (None, Some(_)) => false,
        };
        if !include_first {
            let declared = declared.expect("chosen above").clone();
            frame.next_declared += 1;
            let file = frame.file;
            match declared.how {
                DeclaredHow::Remote => reader.notes.push(format!(
                    "{}: `{}` is a remote bibliography (location=remote); it is not read",
                    reader.shown(file).display(),
                    declared.path
                )),
                DeclaredHow::Bibtex => {
                    let path = main_folder.join(&declared.path);
                    let path = if path.extension().is_none() {
                        path.with_extension("bib")
                    } else {
                        path
                    };
                    walked.declare(path);
                }
                DeclaredHow::Biblatex | DeclaredHow::Typst => {
                    walked.declare(main_folder.join(&declared.path));
                }
            }
            continue;
        }
        let include = include.expect("chosen above").clone();
        frame.next_include += 1;
        let (file, base) = (frame.file, frame.base.clone());
        let own_folder = reader.folder_of(file);
        let (candidates, new_base) = match &include.how {
            IncludeHow::Input => (with_tex(&base, &include.path, false), base),
            IncludeHow::Include => (with_tex(&base, &include.path, true), base),
            IncludeHow::Subfile => (with_tex(&own_folder, &include.path, false), base),
            IncludeHow::Import { dir, relative } => {
                let dir = if *relative {
                    own_folder.join(dir)
                } else {
                    base.join(dir)
                };
                (with_tex(&dir, &include.path, false), dir)
            }
            IncludeHow::Typst | IncludeHow::Shortcode => continue,
        };
        let Some(found) = candidates.iter().find(|p| p.is_file()) else {
            reader.missing_include(file, &include, &candidates[0]);
            continue;
        };
        let Some(included) = reader.read_chapter(found) else {
            continue;
        };
        if frames.iter().any(|f| f.file == included) {
            reader.include_cycle(file, &include, included);
            continue;
        }
        if walked.reaches(included) {
            continue;
        }
        walked.add(included);
        let scan = reader.scan(included);
        frames.push(Frame {
            file: included,
            base: new_base,
            scan,
            next_include: 0,
            next_declared: 0,
        });
    }
    walked
}

/// The files `\input{name}` (or `\include`, `always`) may mean, in the order
/// LaTeX tries them: `name.tex` first when `name` has no `.tex` (always,
/// for `\include`), then `name` as written.
fn with_tex(folder: &Path, name: &str, always: bool) -> Vec<PathBuf> {
    let written = folder.join(name);
    if name.ends_with(".tex") {
        return vec![written];
    }
    let tex = folder.join(format!("{name}.tex"));
    if always {
        vec![tex]
    } else {
        vec![tex, written]
    }
}
