//! Every file refkeeper writes goes through [`write_atomic`]: the new
//! contents go to a temporary file in the same folder, are synced to disk,
//! and replace the target with one rename, so a reader (or a crash) sees
//! the old file or the new one, never half of one. The target's
//! permissions are kept.
//!
//! Whether anything is written at all is decided here too, once for every
//! command: a [`WritePermit`] is given only when every input was read
//! ([`permit`]), and nothing writes without one. A References section or
//! a subset made from half the chapters would replace a good file with a
//! wrong one; better to leave it as it was and say why.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::source::Unread;

/// Proof that every input of a run was read: what a command needs to
/// write its product (a file, or the text on standard output that a shell
/// may be redirecting into one).
#[derive(Debug)]
pub struct WritePermit(());

/// Why nothing was written: these inputs could not be read or matched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe_unread(.files))]
pub struct InputsUnread {
    /// The inputs, as shown.
    pub files: Vec<PathBuf>,
}

fn describe_unread(files: &[PathBuf]) -> String {
    const NAMED: usize = 3;
    let mut names: Vec<String> = files
        .iter()
        .take(NAMED)
        .map(|f| f.display().to_string())
        .collect();
    if files.len() > NAMED {
        names.push(format!("{} more", files.len() - NAMED));
    }
    let count = if files.len() == 1 {
        "1 input".to_owned()
    } else {
        format!("{} inputs", files.len())
    };
    format!("{count} could not be read ({})", names.join(", "))
}

impl InputsUnread {
    /// The inputs that could not be read, if any.
    pub fn of(unread: &[Unread]) -> Option<InputsUnread> {
        (!unread.is_empty()).then(|| InputsUnread {
            files: unread.iter().map(|u| u.path().to_path_buf()).collect(),
        })
    }
}

/// A permit to write when nothing failed to be read.
pub fn permit(unread: &[Unread]) -> Result<WritePermit, InputsUnread> {
    match InputsUnread::of(unread) {
        None => Ok(WritePermit(())),
        Some(unread) => Err(unread),
    }
}

/// Writes `contents` to `path` atomically.
pub fn write_atomic(_: &WritePermit, path: &Path, contents: &[u8]) -> io::Result<()> {
    write_atomic_with(path, contents, |_| Ok(()))
}

/// [`write_atomic`] with a step run between the write and the rename;
/// tests use it to simulate a failure there.
fn write_atomic_with(
    path: &Path,
    contents: &[u8],
    before_rename: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".refkeeper-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    temporary.write_all(contents)?;
    temporary.as_file().sync_all()?;
    if let Ok(metadata) = std::fs::metadata(path) {
        temporary
            .as_file()
            .set_permissions(metadata.permissions())?;
    } else {
        // A new file gets what a new file usually gets (the temporary file
        // is private to its owner until renamed).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temporary
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
    }
    before_rename(temporary.path())?;
    // On failure the temporary file is removed when `temporary` drops.
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_keeps_its_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refs.md");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&permit(&[]).unwrap(), &path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o640
            );
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file is left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_readable_by_others() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        write_atomic(&permit(&[]).unwrap(), &path, b"<html>").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }

    #[test]
    fn a_failure_before_the_rename_leaves_the_original_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chapter.md");
        std::fs::write(&path, "precious").unwrap();
        let result = write_atomic_with(&path, b"half-written", |temporary| {
            assert!(temporary.exists());
            Err(io::Error::other("simulated crash"))
        });
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "the temporary file is removed"
        );
    }

    #[test]
    fn a_new_file_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.md");
        write_atomic(&permit(&[]).unwrap(), &path, b"x").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x");
    }

    #[test]
    fn no_permit_when_an_input_was_not_read() {
        use crate::source::{FileRole, ReadError};
        let unread: Vec<Unread> = ["a.md", "b.md", "c.md", "d.md"]
            .iter()
            .map(|p| Unread::new(FileRole::Chapter, ReadError::NotFound { path: p.into() }))
            .collect();
        let refused = permit(&unread[..1]).unwrap_err();
        assert_eq!(refused.to_string(), "1 input could not be read (a.md)");
        let refused = permit(&unread).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "4 inputs could not be read (a.md, b.md, c.md, 1 more)"
        );
    }
}
