//! A Typst document as the Typst compiler reads it: from a root file
//! (one that calls `#bibliography`) through `#include`, each path relative
//! to the file that names it (or, starting with `/`, to the root's
//! folder), and the bibliographies `#bibliography` names, relative to the
//! file that calls it.

use std::path::{Path, PathBuf};

use super::{Reader, Toolchain, Walked};
use crate::scan::IncludeHow;
use crate::source::FileId;

/// Walks a Typst document from its root, reading each file once.
pub(super) fn walk(reader: &mut Reader, root: FileId) -> Walked {
    let project = reader.folder_of(root);
    let mut walked = Walked::new(Toolchain::Typst, root);
    let mut stack: Vec<(FileId, Vec<FileId>)> = vec![(root, Vec::new())];
    while let Some((file, chain)) = stack.pop() {
        let scan = reader.scan(file);
        let folder = reader.folder_of(file);
        for declared in &scan.bibliographies {
            walked.declare(resolve(&project, &folder, &declared.path));
        }
        let mut next = Vec::new();
        for include in scan.includes.iter().filter(|i| i.how == IncludeHow::Typst) {
            let path = resolve(&project, &folder, &include.path);
            if !path.is_file() {
                reader.missing_include(file, include, &path);
                continue;
            }
            let Some(included) = reader.read_chapter(&path) else {
                continue;
            };
            if included == file || chain.contains(&included) {
                reader.include_cycle(file, include, included);
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
    walked
}

/// A path as Typst reads it: from the project's root when it starts with
/// `/`, else from the folder of the file that names it.
fn resolve(project: &Path, folder: &Path, written: &str) -> PathBuf {
    match written.strip_prefix('/') {
        Some(rooted) => project.join(rooted),
        None => folder.join(written),
    }
}
