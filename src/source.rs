//! Source files: the text of every input, read once, and a line index built
//! on demand so that byte spans become `line:column` only when rendering.
//!
//! Columns are 1-based and counted in characters (Unicode scalar values), so
//! a key after Hangul or accented text lines up with what an editor shows.
//! `\n`, `\r\n` and a lone `\r` all end a line.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one file.
pub type Span = Range<usize>;

/// A 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// What role a file plays in the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    Bibliography,
    Chapter,
    /// A file that says where the others are (`_quarto.yml`, for `init`).
    Project,
}

/// One input file, its text decoded as UTF-8 (a leading byte-order mark removed).
#[derive(Debug)]
pub struct SourceFile {
    /// The path as it is shown to the user (relative to the working folder where possible).
    pub path: PathBuf,
    pub role: FileRole,
    pub text: String,
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: PathBuf, role: FileRole, text: String) -> Self {
        SourceFile {
            path,
            role,
            text,
            line_starts: OnceLock::new(),
        }
    }

    /// Byte offsets at which each line starts; the first is always 0.
    pub fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| line_starts(&self.text))
    }

    /// The 0-based index of the line that holds `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        let starts = self.line_starts();
        match starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The byte range of a line, without its line terminator.
    pub fn line_range(&self, line_index: usize) -> Span {
        let starts = self.line_starts();
        let start = starts[line_index.min(starts.len() - 1)];
        let mut end = starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// 1-based line and character column of a byte offset. Offsets past the
    /// end, or inside a multi-byte character, are clamped to the nearest
    /// character boundary before it.
    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.line_index(offset);
        let start = self.line_starts()[line];
        let column = self.text[start..offset].chars().count() + 1;
        Position {
            line: line + 1,
            column,
        }
    }
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for pos in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        // A `\r` directly followed by `\n` ends its line at the `\n`.
        if bytes[pos] == b'\r' && bytes.get(pos + 1) == Some(&b'\n') {
            continue;
        }
        starts.push(pos + 1);
    }
    starts
}

/// Every file read for one run, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 4 billion input files"));
        self.files.push(file);
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn count_role(&self, role: FileRole) -> usize {
        self.files.iter().filter(|f| f.role == role).count()
    }
}

/// Why a file could not be used as input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("{path}: no such file or folder")]
    NotFound { path: PathBuf },
    #[error("{path}: is not a regular file")]
    NotAFile { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}:{line}:{column}: not valid UTF-8 (byte offset {offset}); save the file as UTF-8"
    )]
    NotUtf8 {
        path: PathBuf,
        offset: usize,
        line: usize,
        column: usize,
    },
    #[error("{path}: {size} bytes is more than the limit of {limit} bytes for one input file")]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{path}: {message}")]
    Walk { path: PathBuf, message: String },
    /// A glob, or a folder, that holds no file of the kind wanted.
    #[error("{path}: matches no {wanted}")]
    NoMatch { path: PathBuf, wanted: &'static str },
}

impl ReadError {
    /// The file (or pattern) concerned, as shown to the user.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::NotFound { path }
            | ReadError::NotAFile { path }
            | ReadError::Io { path, .. }
            | ReadError::NotUtf8 { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::Walk { path, .. }
            | ReadError::NoMatch { path, .. } => path,
        }
    }
}

/// An input that was asked for and could not be used, with the role it
/// would have played: what it would have told the check is unknown, so
/// findings that claim an absence from every file of that role are
/// withheld ([`crate::diagnostic::Code::claims_absence_from`]) and
/// nothing is written ([`crate::write::permit`]).
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct Unread {
    pub role: FileRole,
    pub error: ReadError,
}

impl Unread {
    pub fn new(role: FileRole, error: ReadError) -> Self {
        Unread { role, error }
    }

    pub fn path(&self) -> &Path {
        self.error.path()
    }
}

/// Inputs larger than this are refused rather than read into memory: no
/// real bibliography or chapter comes close (the ACL Anthology's is ~45 MB).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// Reads a file as UTF-8 text, removing a byte-order mark.
///
/// `shown` is the path as the user should see it in messages.
pub fn read_text(path: &Path, shown: &Path) -> Result<String, ReadError> {
    let metadata = std::fs::metadata(path).map_err(|e| io_error(shown, e))?;
    if !metadata.is_file() {
        return Err(ReadError::NotAFile {
            path: shown.to_path_buf(),
        });
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge {
            path: shown.to_path_buf(),
            size: metadata.len(),
            limit: MAX_FILE_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| io_error(shown, e))?;
    decode(bytes, shown)
}

/// Decodes bytes as UTF-8, removing a byte-order mark; on failure the error
/// names the byte offset and its line and column.
pub fn decode(mut bytes: Vec<u8>, shown: &Path) -> Result<String, ReadError> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    String::from_utf8(bytes).map_err(|err| {
        let offset = err.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&err.as_bytes()[..offset]).unwrap_or_default();
        let file = SourceFile::new(PathBuf::new(), FileRole::Chapter, valid.to_owned());
        let position = file.position(offset);
        ReadError::NotUtf8 {
            path: shown.to_path_buf(),
            offset,
            line: position.line,
            column: position.column,
        }
    })
}

fn io_error(shown: &Path, source: std::io::Error) -> ReadError {
    if source.kind() == std::io::ErrorKind::NotFound {
        ReadError::NotFound {
            path: shown.to_path_buf(),
        }
    } else {
        ReadError::Io {
            path: shown.to_path_buf(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from("t"), FileRole::Chapter, text.to_owned())
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let f = file("김민준 @kim\nmüller @m");
        assert_eq!(
            f.position(f.text.find("@kim").unwrap()),
            Position { line: 1, column: 5 }
        );
        assert_eq!(
            f.position(f.text.find("@m").unwrap()),
            Position { line: 2, column: 8 }
        );
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let f = file("a\r\nb\rc\nd");
        assert_eq!(f.line_starts(), &[0, 3, 5, 7]);
        assert_eq!(f.position(5), Position { line: 3, column: 1 });
        assert_eq!(f.line_range(0), 0..1);
        assert_eq!(f.line_range(1), 3..4);
        assert_eq!(f.line_range(3), 7..8);
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let f = file("ab");
        assert_eq!(f.position(99), Position { line: 1, column: 3 });
    }

    #[test]
    fn invalid_utf8_names_offset_line_and_column() {
        let err = decode(b"ok\nab\xFFcd".to_vec(), Path::new("x.bib")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.bib:2:3: not valid UTF-8 (byte offset 5); save the file as UTF-8"
        );
    }

    #[test]
    fn byte_order_mark_is_removed() {
        assert_eq!(
            decode(b"\xEF\xBB\xBF@a".to_vec(), Path::new("x")).unwrap(),
            "@a"
        );
    }
}
