//! Source files: the text of every input, read once, and a line index built
//! on demand so that byte spans become `line:column` only when rendering.
//!
//! Columns are 1-based and counted in characters (Unicode scalar values), so
//! a key after Hangul or accented text lines up with what an editor shows.
//! `\n`, `\r\n` and a lone `\r` all end a line.

use std::cell::Cell;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one file.
pub type Span = Range<usize>;

/// A 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

/// What role a file plays in the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    /// A bibliography file (`.bib`).
    Bibliography,
    /// A chapter: a document whose citations are read.
    Chapter,
    /// A file that says where the others are (`_quarto.yml`, for `init`).
    Project,
}

/// One input file, its text decoded as UTF-8 (a leading byte-order mark removed).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as it is shown to the user (relative to the working folder where possible).
    pub path: PathBuf,
    /// Whether the file is a bibliography or a chapter.
    pub role: FileRole,
    /// The text, a leading byte-order mark removed.
    pub text: Text,
    line_starts: OnceLock<LineStarts>,
}

/// A file's text, shared rather than copied: a bibliography keeps a handle
/// on the text it was read from and reads its entries' keys there, where it
/// kept a copy of each (100,000 keys held 4 MB). An `Arc<String>`, not an
/// `Arc<str>`, so that the text read from disk is never copied into a new
/// allocation to share it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Text(Arc<String>);

impl Text {
    /// The text as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(Arc::new(text))
    }
}

impl From<&Text> for Text {
    fn from(text: &Text) -> Text {
        text.clone()
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text(Arc::new(text.to_owned()))
    }
}

impl SourceFile {
    /// A file with its text; the line index is built when first needed.
    pub fn new(path: PathBuf, role: FileRole, text: impl Into<Text>) -> Self {
        SourceFile {
            path,
            role,
            text: text.into(),
            line_starts: OnceLock::new(),
        }
    }

    fn lines(&self) -> &LineStarts {
        self.line_starts.get_or_init(|| LineStarts::of(&self.text))
    }

    /// Builds the line index now rather than at the first position asked
    /// (for a caller with a core to spare before the positions are needed).
    pub fn index_lines(&self) {
        self.lines();
    }

    /// How many lines the text has (an empty text has one).
    pub fn line_count(&self) -> usize {
        self.lines().count
    }

    /// The byte offset at which a 0-based line starts; the first is 0.
    /// `None` past the last line.
    pub fn line_start(&self, line_index: usize) -> Option<usize> {
        self.lines().start(self.text.as_bytes(), line_index)
    }

    /// The 0-based index of the line that holds `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.lines().line_of(self.text.as_bytes(), offset).index
    }

    /// The byte range of a line, without its line terminator.
    pub fn line_range(&self, line_index: usize) -> Span {
        let lines = self.lines();
        let bytes = self.text.as_bytes();
        let line_index = line_index.min(lines.count - 1);
        let start = lines
            .start(bytes, line_index)
            .expect("a text has a first line");
        let mut end = lines.line_of(bytes, start).next.unwrap_or(bytes.len());
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
        let line = self.lines().line_of(self.text.as_bytes(), offset);
        let column = self.text[line.start..offset].chars().count() + 1;
        Position {
            line: line.index + 1,
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

/// Lines per start kept in [`LineStarts`].
const EVERY: usize = 16;

/// Where every 16th line starts (the first at 0), in 32 bits when the text
/// is shorter than 4 GiB: a bibliography of 100,000 entries has a million
/// lines, and this index holds 290 KB of them where every start took
/// 4.7 MB. A line between two kept starts is found by searching the text
/// for the line breaks after the one before it (at most 15, each a line's
/// length).
#[derive(Debug, Clone)]
struct LineStarts {
    kept: Kept,
    /// How many lines the text has.
    count: usize,
    /// Whether the text holds a `\r`: without one, a line ends at a `\n`
    /// alone, found by the one-byte search.
    has_cr: bool,
    /// This index's own number, never another's (not its address, which a
    /// later index may take), which the line found last is kept under.
    id: u64,
}

#[derive(Debug, Clone)]
enum Kept {
    Narrow(Box<[u32]>),
    Wide(Box<[usize]>),
}

impl Kept {
    fn get(&self, i: usize) -> usize {
        match self {
            Kept::Narrow(starts) => starts[i] as usize,
            Kept::Wide(starts) => starts[i],
        }
    }

    fn len(&self) -> usize {
        match self {
            Kept::Narrow(starts) => starts.len(),
            Kept::Wide(starts) => starts.len(),
        }
    }

    /// How many kept starts are at or before `offset`.
    fn at_or_before(&self, offset: usize) -> usize {
        match self {
            Kept::Narrow(starts) => starts.partition_point(|&s| s as usize <= offset),
            Kept::Wide(starts) => starts.partition_point(|&s| s <= offset),
        }
    }
}

/// A line found: its index, where it starts, and where the next one
/// starts (`None` for the last line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    index: usize,
    start: usize,
    next: Option<usize>,
}

thread_local! {
    /// The line found last on this thread, and in which index (by its
    /// `id`; 0 is none): findings
    /// are printed in order of place, so the line asked for next is mostly
    /// that one (its label, its snippet) or a few after it.
    static LAST: Cell<(u64, Line)> = const {
        Cell::new((0, Line { index: 0, start: 0, next: None }))
    };
}

impl LineStarts {
    fn of(text: &str) -> LineStarts {
        let (kept, count, has_cr) = match u32::try_from(text.len()) {
            Ok(_) => {
                let (kept, count, has_cr) = kept_line_starts(text.as_bytes());
                (Kept::Narrow(kept), count, has_cr)
            }
            Err(_) => {
                let (kept, count, has_cr) = kept_line_starts(text.as_bytes());
                (Kept::Wide(kept), count, has_cr)
            }
        };
        static IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        LineStarts {
            kept,
            count,
            has_cr,
            id: IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Where the line after the one that starts at `start` starts, if it
    /// has a line break.
    fn after(&self, bytes: &[u8], start: usize) -> Option<usize> {
        if !self.has_cr {
            return memchr::memchr(b'\n', &bytes[start..]).map(|n| start + n + 1);
        }
        let at = start + memchr::memchr2(b'\n', b'\r', &bytes[start..])?;
        // A `\r` directly followed by `\n` ends its line at the `\n`.
        Some(if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            at + 2
        } else {
            at + 1
        })
    }

    /// The line `line_index`, found from the kept start before it.
    fn start(&self, bytes: &[u8], line_index: usize) -> Option<usize> {
        if line_index >= self.count {
            return None;
        }
        let (owner, last) = LAST.get();
        if owner == self.id {
            if line_index == last.index {
                return Some(last.start);
            }
            if line_index == last.index + 1 {
                return last.next;
            }
        }
        let mut start = self.kept.get(line_index / EVERY);
        for _ in 0..line_index % EVERY {
            start = self.after(bytes, start)?;
        }
        Some(start)
    }

    /// The line that holds `offset` (at most the text's length).
    ///
    /// The search starts from the line found last on this thread when the
    /// offset is at or after it and before the next kept start (mostly: a
    /// finding's labels and snippet, then the next finding), else from the
    /// kept start before the offset.
    fn line_of(&self, bytes: &[u8], offset: usize) -> Line {
        let (owner, last) = LAST.get();
        let from_last = owner == self.id
            && last.start <= offset
            && (last.index / EVERY + 1 >= self.kept.len()
                || offset < self.kept.get(last.index / EVERY + 1));
        let (mut index, mut start) = if from_last {
            if last.next.is_none_or(|next| offset < next) {
                return last;
            }
            (last.index, last.start)
        } else {
            let block = self.kept.at_or_before(offset) - 1;
            (block * EVERY, self.kept.get(block))
        };
        let line = loop {
            let next = if index + 1 < self.count {
                self.after(bytes, start)
            } else {
                None
            };
            match next {
                Some(next) if next <= offset => (index, start) = (index + 1, next),
                _ => break Line { index, start, next },
            }
        };
        LAST.set((self.id, line));
        line
    }
}

/// Every [`EVERY`]th line start (the first is always 0), how many lines
/// there are, and whether the text holds a `\r`.
///
/// A large bibliography has a million lines: its pieces are searched on
/// all cores, twice (once to count the line breaks, once to write the
/// starts kept into their place), so that the index is allocated once at
/// its size and never grown or joined.
fn kept_line_starts<T: TryFrom<usize> + Copy + Default + Send>(
    bytes: &[u8],
) -> (Box<[T]>, usize, bool) {
    use rayon::prelude::*;
    const PIECE: usize = 1 << 22;
    let pieces: Vec<Span> = (0..bytes.len().div_ceil(PIECE))
        .map(|i| i * PIECE..((i + 1) * PIECE).min(bytes.len()))
        .collect();
    // Most texts end their lines with `\n` alone: a piece without a `\r`
    // has its line breaks counted and found by the one-byte searches,
    // which count a whole vector of bytes at a time.
    let counts: Vec<(usize, bool)> = pieces
        .par_iter()
        .map(|piece| {
            let only_newlines = memchr::memchr(b'\r', &bytes[piece.clone()]).is_none();
            let count = if only_newlines {
                memchr::memchr_iter(b'\n', &bytes[piece.clone()]).count()
            } else {
                line_breaks_in(bytes, piece.clone()).count()
            };
            (count, only_newlines)
        })
        .collect();
    let lines = 1 + counts.iter().map(|(count, _)| count).sum::<usize>();
    let has_cr = counts.iter().any(|&(_, only_newlines)| !only_newlines);
    let mut kept = vec![T::default(); lines.div_ceil(EVERY)].into_boxed_slice();
    // The first start is 0 (`T::default()`). The line breaks of a piece
    // start the lines after the piece's first line; it writes the starts
    // of those a multiple of EVERY.
    let mut places: Vec<(&mut [T], usize, bool)> = Vec::with_capacity(pieces.len());
    let mut rest = &mut kept[1..];
    let mut lines_before = 0;
    for &(count, only_newlines) in &counts {
        let written = (lines_before + count) / EVERY - lines_before / EVERY;
        let (place, after) = rest.split_at_mut(written);
        places.push((place, lines_before, only_newlines));
        rest = after;
        lines_before += count;
    }
    fn write<T: TryFrom<usize>>(
        place: &mut [T],
        lines_before: usize,
        starts: impl Iterator<Item = usize>,
    ) {
        let kept_starts = (lines_before + 1..)
            .zip(starts)
            .filter(|(line, _)| line % EVERY == 0);
        for (slot, (_, start)) in place.iter_mut().zip(kept_starts) {
            *slot = T::try_from(start).unwrap_or_else(|_| unreachable!("the text fits T"));
        }
    }
    places
        .into_par_iter()
        .zip(pieces)
        .for_each(|((place, lines_before, only_newlines), piece)| {
            if only_newlines {
                let base = piece.start;
                let starts = memchr::memchr_iter(b'\n', &bytes[piece]).map(|pos| base + pos + 1);
                write(place, lines_before, starts);
            } else {
                write(place, lines_before, line_breaks_in(bytes, piece));
            }
        });
    (kept, lines, has_cr)
}

/// The starts of the lines that begin after a line break in `range`.
fn line_breaks_in(bytes: &[u8], range: Span) -> impl Iterator<Item = usize> + '_ {
    let base = range.start;
    memchr::memchr2_iter(b'\n', b'\r', &bytes[range]).filter_map(move |pos| {
        let pos = base + pos;
        // A `\r` directly followed by `\n` ends its line at the `\n`.
        if bytes[pos] == b'\r' && bytes.get(pos + 1) == Some(&b'\n') {
            return None;
        }
        Some(pos + 1)
    })
}

/// Every file read for one run, addressed by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file; its id is its place in the order added.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 4 billion input files"));
        self.files.push(file);
        id
    }

    /// The file with this id (an id from this map).
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Every file with its id, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Gives a file new text (an editor's unsaved buffer); its id stays.
    pub fn replace_text(&mut self, id: FileId, text: String) {
        let file = &mut self.files[id.0 as usize];
        *file = SourceFile::new(std::mem::take(&mut file.path), file.role, text);
    }

    /// The file shown under this path, if any.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }

    /// The files, in the order added.
    pub fn into_files(self) -> Vec<SourceFile> {
        self.files
    }

    /// How many files play this role.
    pub fn count_role(&self, role: FileRole) -> usize {
        self.files.iter().filter(|f| f.role == role).count()
    }
}

/// Why a file could not be used as input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error("{path}: no such file or folder")]
    /// The path does not exist.
    NotFound {
        /// The path, as shown.
        path: PathBuf,
    },
    #[error("{path}: is not a regular file")]
    /// The path is a folder, a device or a pipe, not a regular file.
    NotAFile {
        /// The path, as shown.
        path: PathBuf,
    },
    #[error("{path}: {}", in_words(.source))]
    /// The system refused to read it.
    Io {
        /// The file, as shown.
        path: PathBuf,
        /// The system's reason.
        source: std::io::Error,
    },
    #[error(
        "{path}:{line}:{column}: not valid UTF-8 (byte offset {offset}); save the file as UTF-8"
    )]
    /// The bytes are not UTF-8.
    NotUtf8 {
        /// The file, as shown.
        path: PathBuf,
        /// The byte offset of the first byte that is not UTF-8.
        offset: usize,
        /// Its 1-based line.
        line: usize,
        /// Its 1-based column, in characters.
        column: usize,
    },
    #[error("{path}: {size} bytes is more than the limit of {limit} bytes for one input file")]
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge {
        /// The file, as shown.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    #[error("{path}: {message}")]
    /// A folder could not be walked, or a pattern is invalid.
    Walk {
        /// The folder or pattern, as shown.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A file whose format cannot be parsed as a whole (a CSL-JSON or
    /// YAML bibliography), so that nothing in it can be read.
    #[error("{path}:{line}:{column}: {message}; none of its entries was read")]
    Unparsable {
        /// The file, as shown.
        path: PathBuf,
        /// The 1-based line of the fault.
        line: usize,
        /// Its 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A glob, or a folder, that holds no file of the kind wanted.
    #[error("{path}: matches no {wanted}")]
    NoMatch {
        /// The glob or folder, as shown.
        path: PathBuf,
        /// The kind of file looked for.
        wanted: &'static str,
    },
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
            | ReadError::Unparsable { path, .. }
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
    /// Whether it was to be read as a bibliography or a chapter.
    pub role: FileRole,
    /// Why it could not be used.
    pub error: ReadError,
}

impl Unread {
    /// An input of `role` that failed with `error`.
    pub fn new(role: FileRole, error: ReadError) -> Self {
        Unread { role, error }
    }

    /// The file (or pattern) concerned, as shown.
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
    let bytes = if cfg!(unix) && metadata.len() > PARALLEL_READ_BYTES {
        read_in_parallel(path, metadata.len() as usize)
    } else {
        std::fs::read(path)
    };
    decode(bytes.map_err(|e| io_error(shown, e))?, shown)
}

/// Above this size a file is read, and checked to be UTF-8, in pieces on
/// all cores: a large bibliography is read in half the time on two.
const PARALLEL_READ_BYTES: u64 = 8 << 20;

/// Reads a file of `len` bytes in pieces at their offsets, in parallel; a
/// file that is not `len` bytes long by then is read again as a whole.
#[cfg(unix)]
fn read_in_parallel(path: &Path, len: usize) -> std::io::Result<Vec<u8>> {
    use rayon::prelude::*;
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path)?;
    let mut bytes = vec![0u8; len];
    let piece = len.div_ceil(rayon::current_num_threads().max(1) * 2).max(1);
    let read = bytes
        .par_chunks_mut(piece)
        .enumerate()
        .try_for_each(|(i, chunk)| file.read_exact_at(chunk, (i * piece) as u64));
    let mut probe = [0u8; 1];
    // Changed while read (shorter: the error above; longer: a byte beyond).
    if read.is_err() || file.read_at(&mut probe, len as u64)? != 0 {
        return std::fs::read(path);
    }
    Ok(bytes)
}

#[cfg(not(unix))]
fn read_in_parallel(path: &Path, _len: usize) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// Decodes bytes as UTF-8, removing a byte-order mark; on failure the error
/// names the byte offset and its line and column.
pub fn decode(mut bytes: Vec<u8>, shown: &Path) -> Result<String, ReadError> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    if bytes.len() as u64 > PARALLEL_READ_BYTES && is_utf8_in_pieces(&bytes) {
        // SAFETY: every piece, cut where a character starts, is UTF-8.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
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

/// Whether `bytes` is UTF-8, checked in pieces on all cores, each cut where
/// a character starts. False also when a piece is not (the caller checks
/// the whole again, for the place of the error).
fn is_utf8_in_pieces(bytes: &[u8]) -> bool {
    use rayon::prelude::*;
    const PIECE: usize = 1 << 22;
    let mut cuts = vec![0];
    let mut at = PIECE;
    while at < bytes.len() {
        // Back to the start of a character: at most three continuation bytes.
        let mut cut = at;
        while cut > at - 3 && bytes[cut] & 0xC0 == 0x80 {
            cut -= 1;
        }
        cuts.push(cut);
        at += PIECE;
    }
    cuts.push(bytes.len());
    cuts.par_windows(2)
        .all(|cut| std::str::from_utf8(&bytes[cut[0]..cut[1]]).is_ok())
}

/// What an I/O error means, in words and without the operating system's
/// number ("permission denied", not "Permission denied (os error 13)").
pub fn in_words(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let words = match error.kind() {
        ErrorKind::NotFound => "no such file",
        ErrorKind::PermissionDenied => "permission denied",
        ErrorKind::IsADirectory => "is a folder, not a file",
        ErrorKind::InvalidData => "not valid UTF-8 text",
        ErrorKind::OutOfMemory => "not enough memory to read it",
        _ => {
            let text = error.to_string();
            return match text.find(" (os error") {
                Some(cut) => text[..cut].to_lowercase(),
                None => text,
            };
        }
    };
    words.to_owned()
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

    #[test]
    fn a_large_file_is_read_and_checked_in_pieces() {
        // Two-byte characters, so that pieces are cut inside some of them.
        let text = format!("x{}", "é\n".repeat(3 << 20));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bib");
        std::fs::write(&path, &text).unwrap();
        assert_eq!(read_text(&path, &path).unwrap(), text);
        // A bad byte deep in the file: named as the whole file's check names it.
        let mut bytes = text.into_bytes();
        bytes[6_000_001] = 0xFF;
        let expected = String::from_utf8(bytes.clone())
            .unwrap_err()
            .utf8_error()
            .valid_up_to();
        match decode(bytes, Path::new("big.bib")) {
            Err(ReadError::NotUtf8 { offset, line, .. }) => {
                assert_eq!(offset, expected);
                assert_eq!(line, 2_000_001);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn line_starts_across_the_pieces_searched_apart() {
        // A `\r\n` split by the edge of a piece is one line break, whether
        // the piece after it has other `\r`s or only `\n`s (searched for
        // alone); the pieces after are `\n`s only.
        for after_the_edge in ["\r\nb\rc\n", "\r\nb\n"] {
            let mut text = "a".repeat((1 << 22) - 1);
            text.push_str(after_the_edge);
            text.push_str(&"d\n".repeat(1 << 21));
            let expected: Vec<usize> = std::iter::once(0)
                .chain(text.char_indices().filter_map(|(i, c)| match c {
                    '\r' if text.as_bytes().get(i + 1) == Some(&b'\n') => None,
                    '\r' | '\n' => Some(i + 1),
                    _ => None,
                }))
                .collect();
            let kept: Vec<usize> = expected.iter().copied().step_by(EVERY).collect();
            let (wide, count, has_cr) = kept_line_starts::<usize>(text.as_bytes());
            assert_eq!((&*wide, count, has_cr), (&*kept, expected.len(), true));
            let (narrow, _, _) = kept_line_starts::<u32>(text.as_bytes());
            assert_eq!(*narrow, *kept.iter().map(|&s| s as u32).collect::<Vec<_>>());
            let f = file(&text);
            assert_eq!(f.line_start(1), Some((1 << 22) + 1));
            for line in [0, 1, 2, 3, 15, 16, 17, 1000, expected.len() - 1] {
                assert_eq!(f.line_start(line), Some(expected[line]), "line {line}");
            }
        }
    }

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

    /// Every line's start, as the whole index held them.
    fn every_start(text: &str) -> Vec<usize> {
        let bytes = text.as_bytes();
        std::iter::once(0)
            .chain((0..bytes.len()).filter_map(|i| match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => None,
                b'\r' | b'\n' => Some(i + 1),
                _ => None,
            }))
            .collect()
    }

    proptest::proptest! {
        /// Asked in any order, lines, their starts and ranges and the
        /// positions of offsets are those of an index of every start.
        #[test]
        fn lines_are_those_of_every_start(
            text in "(a|bc|é|\n|\r|\r\n|\n\n){0,300}",
            asked in proptest::collection::vec((0usize..2000, 0usize..400), 1..60),
        ) {
            let f = file(&text);
            let starts = every_start(&text);
            proptest::prop_assert_eq!(f.line_count(), starts.len());
            for (offset, line) in asked {
                let offset = floor_char_boundary(&text, offset);
                let holding = starts.partition_point(|&s| s <= offset) - 1;
                proptest::prop_assert_eq!(f.line_index(offset), holding);
                let column = text[starts[holding]..offset].chars().count() + 1;
                proptest::prop_assert_eq!(
                    f.position(offset),
                    Position { line: holding + 1, column }
                );
                proptest::prop_assert_eq!(f.line_start(line), starts.get(line).copied());
                let clamped = line.min(starts.len() - 1);
                let end = starts.get(clamped + 1).copied().unwrap_or(text.len());
                let content = text[starts[clamped]..end].trim_end_matches('\n');
                let content = content.strip_suffix('\r').unwrap_or(content);
                let range = f.line_range(line);
                proptest::prop_assert_eq!(range.start, starts[clamped]);
                proptest::prop_assert_eq!(&text[range], content);
            }
        }
    }

    /// Two texts read on one thread, one after the other, each find their
    /// own lines (the line found last belongs to one index only).
    #[test]
    fn the_line_found_last_is_not_another_texts() {
        for _ in 0..3 {
            let f = file(&"ab\n".repeat(40));
            assert_eq!(f.line_index(10), 3);
            assert_eq!(f.line_start(4), Some(12));
            drop(f);
            let g = file(&"abcdefg\n".repeat(40));
            assert_eq!(g.line_start(4), Some(32));
            assert_eq!(g.line_index(10), 1);
        }
    }

    #[test]
    fn lines_asked_for_in_any_order_are_found() {
        let f = file(&"ab\n".repeat(1000));
        let g = file(&"abcd\n".repeat(1000));
        for offset in (0..3000).chain((0..3000).rev()).step_by(7) {
            assert_eq!(f.line_index(offset), offset / 3);
            assert_eq!(g.line_index(offset), offset / 5);
        }
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let f = file("a\r\nb\rc\nd");
        let starts: Vec<Option<usize>> = (0..5).map(|l| f.line_start(l)).collect();
        assert_eq!(starts, [Some(0), Some(3), Some(5), Some(7), None]);
        assert_eq!(f.line_count(), 4);
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
