//! The bibliography stage: `.bib` files in, entries with byte spans out.
//!
//! Each file is split at entry boundaries (`split`, on all cores) and each
//! chunk read on its own, in parallel: by a one-pass lexer over its bytes
//! (`lex`), or, where the lexer is not sure (syntax errors and rare
//! shapes), by the `biblatex` crate's raw layer (`parse`), whose reading is
//! the reference.
//! This module then merges the chunks of all files in order, as biber reads
//! them: the first definition of a key wins, later ones are duplicates;
//! `ids` aliases, `crossref`/`xref`/`xdata`/`entryset`/`related` links and
//! `@string` macros are collected for the check stage.
//!
//! Bibliographies in the other formats pandoc and Typst read (CSL-JSON,
//! CSL-YAML, Hayagriva YAML; see [`other_formats`]) become entries of the
//! same list, with their keys' places, and their data as CSL variables.

pub mod datamodel;
pub mod fields;
mod lex;
pub mod other_formats;
mod packed;
mod parse;
mod split;
pub mod value;

use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};

use hashbrown::HashTable;
use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHasher};

pub use packed::Fields;
use packed::PackedField;
use parse::CompactSpan;
pub use parse::{Parts, RawField, Value, ValuePart};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::source::{FileId, Span, Text};

/// Most `@string` macros expanded for one field value.
pub const MAX_EXPANSIONS: usize = 10_000;
/// Longest text a field value expands to; the rest is cut.
pub const MAX_EXPANDED_BYTES: usize = 1 << 20;

/// BibTeX's predefined `@string` macros for months.
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Whether `name` is one of BibTeX's predefined month macros (`jan` ... `dec`).
pub fn is_month_macro(name: &str) -> bool {
    MONTHS.iter().any(|m| m.eq_ignore_ascii_case(name))
}

/// The state of expanding one field value.
struct Expansion {
    out: String,
    /// Macros being expanded, to cut cycles.
    stack: Vec<usize>,
    /// Expansions left.
    budget: usize,
}

/// Index of an entry in [`Bibliography::entries`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId(pub u32);

/// A field that names other entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// `crossref`: the parent whose fields this entry inherits.
    Crossref,
    /// `xref`: a parent that is referenced but not inherited from.
    Xref,
    /// `xdata`: `@xdata` entries whose fields are inherited.
    Xdata,
    /// `entryset`: the members of an `@set`.
    Entryset,
    /// `related`: entries biblatex prints alongside this one.
    Related,
}

impl LinkKind {
    const ALL: [LinkKind; 5] = [
        LinkKind::Crossref,
        LinkKind::Xref,
        LinkKind::Xdata,
        LinkKind::Entryset,
        LinkKind::Related,
    ];

    /// The field that makes a link of this kind (`crossref`, `xdata`, ...).
    pub const fn field_name(self) -> &'static str {
        match self {
            LinkKind::Crossref => "crossref",
            LinkKind::Xref => "xref",
            LinkKind::Xdata => "xdata",
            LinkKind::Entryset => "entryset",
            LinkKind::Related => "related",
        }
    }

    fn from_field(name: &str) -> Option<LinkKind> {
        (LinkKind::ALL.into_iter()).find(|kind| name.eq_ignore_ascii_case(kind.field_name()))
    }

    /// Whether the field holds one key (`crossref`, `xref`) or a list.
    fn is_list(self) -> bool {
        !matches!(self, LinkKind::Crossref | LinkKind::Xref)
    }
}

/// A key named in a field, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRef {
    /// The key as written.
    pub key: Box<str>,
    /// Where the key is written.
    pub span: Span,
}

/// One target of a link field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Which field makes the link.
    pub kind: LinkKind,
    /// The key it names, and where.
    pub target: KeyRef,
}

/// One bibliography entry, in 64 bytes: a 100,000-entry bibliography
/// holds them all at once. What most entries lack (links, aliases, a type
/// outside the data model, an earlier definition of the key, CSL data) is
/// kept apart, in a box only the entries that have any of it allocate.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The fields in the order written, read with
    /// [`Bibliography::fields`].
    pub fields: FieldList,
    // Spans in 8 bytes each where a `Span` takes 16 (see `CompactSpan`);
    // read with `span()`, `type_span()` and `key_span()`.
    span: CompactSpan,
    type_at: CompactSpan,
    key_at: CompactSpan,
    rare: Option<Box<Rare>>,
    /// The file the entry is in.
    pub file: FileId,
    /// The type's place in the data model's list, or [`OTHER_TYPE`] for a
    /// type outside it (its name is in `rare`).
    kind: u16,
    /// The entry has a syntax error; only its key could be read.
    pub broken: bool,
}

/// `Entry::kind` of a type outside the data model.
const OTHER_TYPE: u16 = u16::MAX;

/// What few entries have.
#[derive(Debug, Clone, Default)]
struct Rare {
    /// The type, when it is outside the data model.
    kind: Option<Box<str>>,
    /// The key, when it is not the text at the key's span (a key written
    /// with escapes in a JSON or YAML bibliography).
    key: Option<Box<str>>,
    links: Box<[Link]>,
    aliases: Box<[KeyRef]>,
    duplicate_of: Option<EntryId>,
    csl: Option<CslData>,
}

impl Entry {
    /// An entry read from `file`: of type `kind`, from the `@` to the
    /// closing delimiter at `span`, its type and key at `type_span` and
    /// `key_span` (its key is the text there; see [`Entry::with_key`]), its
    /// fields at `fields`.
    pub(crate) fn new(
        kind: EntryType,
        file: FileId,
        spans: [&Span; 3],
        fields: FieldList,
        broken: bool,
    ) -> Entry {
        let [span, type_span, key_span] = spans;
        let mut entry = Entry {
            fields,
            span: CompactSpan::new(span),
            type_at: CompactSpan::new(type_span),
            key_at: CompactSpan::new(key_span),
            rare: None,
            file,
            kind: OTHER_TYPE,
            broken,
        };
        match kind.0 {
            TypeName::Known(index) => entry.kind = index,
            TypeName::Other(name) => entry.rare_mut().kind = Some(name),
        }
        entry
    }

    /// From the `@` to the closing delimiter.
    pub fn span(&self) -> Span {
        self.span.range()
    }

    /// The span of the entry type (`article` in `@article{`).
    pub fn type_span(&self) -> Span {
        self.type_at.range()
    }

    /// The span of the key.
    pub fn key_span(&self) -> Span {
        self.key_at.range()
    }

    /// The entry type, lower-cased (`article`, `set`, `xdata`, ...).
    pub fn kind(&self) -> &str {
        match (self.kind, &self.rare) {
            (OTHER_TYPE, Some(rare)) => rare.kind.as_deref().unwrap_or_default(),
            (index, _) => datamodel::type_at(index),
        }
    }

    /// The keys the entry's `crossref`, `xref`, `xdata`, `entryset` and
    /// `related` name.
    pub fn links(&self) -> &[Link] {
        self.rare.as_ref().map_or(&[], |rare| &rare.links)
    }

    /// Old keys from the `ids` field that also resolve to this entry.
    pub fn aliases(&self) -> &[KeyRef] {
        self.rare.as_ref().map_or(&[], |rare| &rare.aliases)
    }

    /// The earlier entry of the same key, when this is a later
    /// definition of it (biber skips it).
    pub fn duplicate_of(&self) -> Option<EntryId> {
        self.rare.as_ref().and_then(|rare| rare.duplicate_of)
    }

    /// For an entry read from CSL-JSON, CSL-YAML or Hayagriva YAML (which
    /// has no BibLaTeX `fields`): its data as CSL-JSON variables.
    pub fn csl(&self) -> Option<&CslData> {
        self.rare.as_ref().and_then(|rare| rare.csl.as_ref())
    }

    /// The entry with `key` as its key where that is not `text` at its key's
    /// span (a key read from a quoted, escaped string).
    pub(crate) fn with_key(mut self, key: &str, text: &str) -> Entry {
        if text.get(self.key_span()) != Some(key) {
            self.rare_mut().key = Some(key.into());
        }
        self
    }

    /// The entry with `csl` as its CSL data.
    pub(crate) fn with_csl(mut self, csl: Option<CslData>) -> Entry {
        if csl.is_some() {
            self.rare_mut().csl = csl;
        }
        self
    }

    fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_default()
    }

    /// The entry once its fields are `by` places later in the list they
    /// are moved into (its piece's or file's list joined to others).
    fn fields_moved(mut self, by: usize) -> Entry {
        self.fields = self.fields.moved(by);
        self
    }
}

/// Where an entry's fields are in its bibliography's list of every
/// entry's fields, read with [`Bibliography::fields`]: 8 bytes an entry,
/// and no allocation of its own (a list for each entry took 16 bytes in
/// the entry and its length rounded up to the allocator's size classes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldList {
    start: u32,
    len: u32,
}

impl FieldList {
    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }

    /// The list where the fields it names are `moved` places later.
    fn moved(self, moved: usize) -> FieldList {
        let start = u32::try_from(self.start as usize + moved).expect(FIELDS_FIT);
        FieldList { start, ..self }
    }

    /// The list of the fields `list` appends to `all` (which it leaves
    /// empty).
    fn append(all: &mut Vec<PackedField>, list: &mut Vec<RawField>) -> FieldList {
        let start = all.len();
        for field in list.drain(..) {
            PackedField::push(all, &field);
        }
        let len = u32::try_from(all.len() - start).expect(FIELDS_FIT);
        let start = u32::try_from(start).expect(FIELDS_FIT);
        FieldList { start, len }
    }
}

/// Files are read only below 1 GiB ([`crate::source::MAX_FILE_BYTES`]),
/// and a field takes at least four bytes of one (`a={}`).
const FIELDS_FIT: &str = "fewer than 4 billion fields";

/// An entry type as read, before it becomes an [`Entry`]'s (which keeps a
/// type of the data model as its place in the data model's list, any
/// other type in the box of what few entries have): read as the `&str` it
/// is (`article`).
#[derive(Clone)]
pub struct EntryType(TypeName);

#[derive(Clone)]
enum TypeName {
    Known(u16),
    Other(Box<str>),
}

impl EntryType {
    /// The type of an `@type` as written in a `.bib` file: a data-model
    /// type (or alias) in any case is that type, any other lower-cased.
    pub fn of_written(written: &str) -> EntryType {
        match datamodel::type_index(written) {
            Some(index) => EntryType(TypeName::Known(index)),
            None => EntryType(TypeName::Other(written.to_ascii_lowercase().into())),
        }
    }

    /// A type kept as it is given (a CSL type, `article-journal`).
    pub fn verbatim(name: &str) -> EntryType {
        match datamodel::type_index(name) {
            Some(index) if datamodel::type_at(index) == name => EntryType(TypeName::Known(index)),
            _ => EntryType(TypeName::Other(name.into())),
        }
    }

    /// The type's name.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            TypeName::Known(index) => datamodel::type_at(*index),
            TypeName::Other(name) => name,
        }
    }
}

impl std::ops::Deref for EntryType {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for EntryType {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for EntryType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for EntryType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for EntryType {
    fn eq(&self, other: &EntryType) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for EntryType {}

impl PartialEq<str> for EntryType {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for EntryType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// An entry's data as CSL-JSON variables (`title`, `author`, `issued`, ...).
pub type CslData = serde_json::Map<String, serde_json::Value>;

/// The format of a bibliography file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// BibLaTeX or BibTeX (`.bib`).
    BibLatex,
    /// CSL-JSON (`.json`): what Zotero and Better BibTeX export for pandoc.
    CslJson,
    /// YAML (`.yml`, `.yaml`): CSL-YAML (a list of items, or pandoc's
    /// `references:` list) or Hayagriva YAML (entries by key, Typst's
    /// format); told apart by the data.
    Yaml,
    /// A Markdown document whose YAML front matter lists entries under
    /// `references:` (pandoc's inline references, in CSL-YAML).
    FrontMatter,
}

impl Format {
    /// What a file of this format is, for messages (`a CSL-JSON
    /// bibliography`).
    pub fn describe(self) -> &'static str {
        match self {
            Format::BibLatex => "a BibLaTeX bibliography",
            Format::CslJson => "a CSL-JSON bibliography",
            Format::Yaml => "a YAML bibliography",
            Format::FrontMatter => "a document's inline references",
        }
    }

    /// The format of a file by its extension: `.json`, `.yml`/`.yaml`, and
    /// Markdown (`.md`, `.Rmd`, `.qmd`) for its front matter's entries;
    /// every other name is read as BibLaTeX, as biber and BibTeX read any
    /// file they are given. `None` for formats refkeeper does not read
    /// (RIS, EndNote), with what they are.
    pub fn of_path(path: &std::path::Path) -> Result<Format, &'static str> {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("json") => Ok(Format::CslJson),
            Some("yml" | "yaml") => Ok(Format::Yaml),
            Some("md" | "markdown" | "rmd" | "qmd") => Ok(Format::FrontMatter),
            Some("ris") => Err("a RIS bibliography"),
            Some("enl" | "xml") => Err("an EndNote bibliography"),
            _ => Ok(Format::BibLatex),
        }
    }
}

/// An `@string` macro definition.
#[derive(Debug, Clone)]
pub struct StringDef {
    /// The macro name as written.
    pub name: String,
    /// The file that defines it.
    pub file: FileId,
    /// Its definition, as a field (`name = value`).
    pub field: RawField,
    /// The whole `@string{...}` block it stands in.
    pub block: Span,
}

/// A bibliography file to read.
#[derive(Debug, Clone)]
pub struct BibInput {
    /// The file, as an id of the session's source map.
    pub file: FileId,
    /// Its text, which the bibliography keeps a handle on.
    pub text: Text,
    /// Its format.
    pub format: Format,
}

impl BibInput {
    /// A BibLaTeX file (a `&Text` is shared, a `&str` copied).
    pub fn bib(file: FileId, text: impl Into<Text>) -> BibInput {
        BibInput {
            file,
            text: text.into(),
            format: Format::BibLatex,
        }
    }
}

/// Every entry of every bibliography file of a project.
#[derive(Debug, Default)]
pub struct Bibliography {
    /// Every entry, in the order of the files and the text.
    pub entries: Vec<Entry>,
    /// Every entry's fields, entry after entry ([`Bibliography::fields`]).
    fields: Vec<PackedField>,
    /// Every `@string` definition, in order.
    pub strings: Vec<StringDef>,
    /// The `@preamble` blocks, in order.
    pub preambles: Vec<(FileId, Span)>,
    /// First definition of each key.
    // Tables of entry ids hashed by the key they hold: the keys stay in the
    // entries, not copied into the index (100,000 keys are megabytes).
    // FxHash: built on one thread, and SipHash's resistance to crafted keys
    // is not needed for one's own files; it cost a third of the time here.
    keys: HashTable<EntryId>,
    /// `ids` aliases of entries.
    aliases: FxHashMap<String, EntryId>,
    /// Keys and aliases by their lower-cased form, for case-only mismatches
    /// (several may share one form), as [`Folded`] names.
    folded: HashTable<Folded>,
    /// The aliases in `folded`, by their place in this list.
    folded_aliases: Vec<NameRef>,
    /// The definition of each `@string` name (lower-cased) that wins: the last,
    /// as in BibTeX.
    string_index: FxHashMap<String, usize>,
    /// The text of each file read, shared with the source map: keys and
    /// field names are read there, not copied.
    texts: Vec<(FileId, Text)>,
}

/// The text of `file` among a bibliography's texts. A project has a few
/// bibliography files: looking through them is quicker than hashing.
fn text_in(texts: &[(FileId, Text)], file: FileId) -> &str {
    texts
        .iter()
        .find(|(f, _)| *f == file)
        .map_or("", |(_, text)| text)
}

/// A file's entries, their fields, and what else its chunks hold.
type FileChunks = (Vec<Entry>, Vec<PackedField>, Vec<Box<ChunkRest>>);

/// What a chunk holds besides an entry.
struct ChunkRest {
    file: FileId,
    block: Span,
    preamble: bool,
    error: Option<parse::SyntaxError>,
    strings: Vec<RawField>,
    /// Findings of a file in another format (see [`other_formats`]).
    diagnostics: Vec<Diagnostic>,
}

/// Parses one chunk into its entry (its fields appended to `fields`) and,
/// when there is any, the rest.
fn read_chunk(
    input: &BibInput,
    fields: &mut Vec<PackedField>,
    chunk: split::Chunk,
) -> (Option<Entry>, Option<Box<ChunkRest>>) {
    let kind = chunk.kind;
    let block = chunk.span.clone();
    let result = parse::parse_chunk(&input.text, chunk);
    let entry = result.entry.map(|mut raw| {
        Entry::new(
            raw.head.kind,
            input.file,
            [&raw.span, &raw.type_span, &raw.key_span],
            FieldList::append(fields, &mut raw.fields),
            raw.broken,
        )
    });
    let preamble = kind == split::ChunkKind::Preamble;
    let rest = (result.error.is_some() || preamble || !result.strings.is_empty()).then(|| {
        Box::new(ChunkRest {
            file: input.file,
            block,
            preamble,
            error: result.error,
            strings: result.strings,
            diagnostics: Vec::new(),
        })
    });
    (entry, rest)
}

/// The entries of a file, in order, their fields, and what else its
/// blocks hold. Each block is read into its entry on the core that
/// delimited it, as soon as it is delimited (no list of blocks is ever held
/// beside the entries: at 100,000 entries that list held 16 MB), its
/// fields into its piece's list; the pieces' entries and fields are then
/// moved into one list each, each piece freed as it is emptied.
fn read_file(input: &BibInput) -> FileChunks {
    let pieces = split::read_parallel(&input.text, |fields, chunk| {
        read_chunk(input, fields, chunk)
    });
    let count = (pieces.iter().flat_map(|(piece, _)| piece))
        .filter(|(entry, _)| entry.is_some())
        .count();
    let mut entries = Vec::with_capacity(count);
    let mut fields = Vec::with_capacity(pieces.iter().map(|(_, fields)| fields.len()).sum());
    let mut rests = Vec::new();
    for (piece, piece_fields) in pieces {
        let before = fields.len();
        fields.extend_from_slice(&piece_fields);
        drop(piece_fields);
        for (entry, rest) in piece {
            entries.extend(entry.map(|entry| entry.fields_moved(before)));
            rests.extend(rest);
        }
    }
    (entries, fields, rests)
}

impl Bibliography {
    /// Reads all files, in order, and reports syntax errors and duplicate keys.
    pub fn read(inputs: &[BibInput]) -> (Bibliography, Vec<Diagnostic>) {
        // Each chunk becomes its entry on the worker that delimited it; the
        // rare rest (syntax errors, `@string`s, `@preamble`s) goes aside,
        // boxed.
        let per_file: Vec<FileChunks> = inputs
            .par_iter()
            .map(|input| {
                if input.format != Format::BibLatex {
                    let (entries, diagnostics) = other_formats::read(input);
                    let rest = (!diagnostics.is_empty()).then(|| {
                        Box::new(ChunkRest {
                            file: input.file,
                            block: 0..0,
                            preamble: false,
                            error: None,
                            strings: Vec::new(),
                            diagnostics,
                        })
                    });
                    return (entries, Vec::new(), rest.into_iter().collect());
                }
                read_file(input)
            })
            .collect();

        let mut bib = Bibliography::default();
        let mut diagnostics = Vec::new();
        let mut rests = Vec::new();
        for (entries, fields, rest) in per_file {
            if bib.entries.is_empty() {
                (bib.entries, bib.fields) = (entries, fields);
            } else {
                let before = bib.fields.len();
                bib.fields.extend(fields);
                bib.entries
                    .extend(entries.into_iter().map(|entry| entry.fields_moved(before)));
            }
            rests.extend(rest);
        }
        let texts: Vec<(FileId, Text)> = inputs.iter().map(|i| (i.file, i.text.clone())).collect();
        for rest in rests {
            let ChunkRest {
                file,
                block,
                preamble,
                error,
                strings,
                diagnostics: found,
            } = *rest;
            diagnostics.extend(found);
            if let Some(error) = error {
                diagnostics.push(syntax_diagnostic(file, error));
            } else if preamble {
                bib.preambles.push((file, block.clone()));
            }
            for field in strings {
                let text = text_in(&texts, file);
                let name = text[field.name(text)].to_ascii_lowercase();
                bib.strings.push(StringDef {
                    name,
                    file,
                    field,
                    block: block.clone(),
                });
            }
        }
        bib.string_index = bib
            .strings
            .iter()
            .enumerate()
            .map(|(i, def)| (def.name.clone(), i))
            .collect();
        bib.texts = texts;
        bib.resolve_links();
        bib.index_keys(&mut diagnostics);
        (bib, diagnostics)
    }

    /// The entry a citation key names: its own key first, then an `ids` alias.
    pub fn resolve(&self, key: &str) -> Option<EntryId> {
        self.keys
            .find(hash_key(key), |&id| self.key_of(id) == key)
            .or_else(|| self.aliases.get(key))
            .copied()
    }

    /// [`Bibliography::resolve`] of each of `keys`, in order. The keys are
    /// looked up in the table first and compared with the entries' keys
    /// after, in a loop of their own: each comparison reads a key from
    /// the text (a trip to memory, the keys being scattered through it),
    /// and the trips of a tight loop overlap where those of the lookups'
    /// loop could not.
    pub fn resolve_all(&self, keys: &[&str]) -> Vec<Option<EntryId>> {
        let candidates: Vec<Option<EntryId>> = (keys.iter())
            .map(|key| self.keys.iter_hash(hash_key(key)).next().copied())
            .collect();
        (candidates.into_iter().zip(keys))
            .map(|(candidate, key)| match candidate {
                Some(id) if self.key_of(id) == *key => Some(id),
                // Another key under the same hash bits, an alias, or none.
                _ => self.resolve(key),
            })
            .collect()
    }

    /// The entry with this id.
    pub fn entry(&self, id: EntryId) -> &Entry {
        &self.entries[id.0 as usize]
    }

    /// The keys and aliases that equal `key` when letter case is ignored, in
    /// the order they were defined.
    pub fn case_insensitive_matches(&self, key: &str) -> Vec<&str> {
        let mut found: Vec<NameRef> = self
            .folded
            .iter_hash(hash_folded(key))
            .map(|&folded| folded.name(&self.folded_aliases))
            .filter(|&name| same_folded(self.name(name), key))
            .collect();
        found.sort_unstable_by_key(|name| (name.entry.0, name.alias));
        found.into_iter().map(|name| self.name(name)).collect()
    }

    /// All keys and aliases that resolve, with the entry each names: keys in
    /// file order, then aliases.
    pub fn names(&self) -> impl Iterator<Item = (&str, EntryId)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.duplicate_of().is_none())
            .map(|(i, e)| (self.key(e), EntryId(i as u32)))
            .chain(self.aliases.iter().map(|(k, &id)| (k.as_str(), id)))
    }

    /// An entry's key as written (`entry` is one of this bibliography's).
    pub fn key<'a>(&'a self, entry: &'a Entry) -> &'a str {
        key_in(&self.texts, entry)
    }

    /// The key of the entry with this id.
    pub fn key_of(&self, id: EntryId) -> &str {
        self.key(self.entry(id))
    }

    /// The text of `file`, one of the files this bibliography was read
    /// from (empty for another).
    pub fn text(&self, file: FileId) -> &str {
        text_in(&self.texts, file)
    }

    /// An entry's fields, in the order written (`entry` is one of this
    /// bibliography's).
    pub fn fields(&self, entry: &Entry) -> Fields<'_> {
        Fields {
            slots: self.fields[entry.fields.range()].iter(),
        }
    }

    /// How many names [`Bibliography::names`] gives.
    pub fn name_count(&self) -> usize {
        self.keys.len() + self.aliases.len()
    }

    fn name(&self, name: NameRef) -> &str {
        name_of(&self.entries, &self.texts, name)
    }

    /// The index in [`Bibliography::strings`] of the definition of an
    /// `@string` macro (case-insensitive; the last definition wins).
    pub fn string_definition(&self, name: &str) -> Option<usize> {
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        self.string_index.get(name.as_ref()).copied()
    }

    /// Number of distinct keys (first definitions).
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The text of a field value, with `@string` macros expanded.
    ///
    /// A macro that refers to itself, directly or through others, expands
    /// to nothing inside itself; expansion stops after [`MAX_EXPANSIONS`]
    /// macros or [`MAX_EXPANDED_BYTES`], so that hostile definitions such as
    /// `@string{x = x # x}` cannot take exponential time or memory.
    pub fn value_text<'t>(
        &self,
        text: &'t str,
        field: &RawField,
        texts: &dyn Fn(FileId) -> &'t str,
    ) -> Cow<'t, str> {
        match field.value(text) {
            Value::Literal(span) => Cow::Borrowed(&text[span.clone()]),
            Value::Concat(parts) => {
                let mut expansion = Expansion {
                    out: String::new(),
                    stack: Vec::new(),
                    budget: MAX_EXPANSIONS,
                };
                self.expand(text, parts, texts, &mut expansion);
                Cow::Owned(expansion.out)
            }
        }
    }

    fn expand<'t>(
        &self,
        text: &'t str,
        parts: Parts<'_>,
        texts: &dyn Fn(FileId) -> &'t str,
        expansion: &mut Expansion,
    ) {
        for part in parts {
            if expansion.out.len() >= MAX_EXPANDED_BYTES {
                return;
            }
            match part {
                ValuePart::Literal(span) => expansion.out.push_str(&text[span]),
                ValuePart::Macro(span) => {
                    let name = text[span].to_ascii_lowercase();
                    let Some(&index) = self.string_index.get(&name) else {
                        // BibTeX's predefined month macros, as numbers (as biber has them).
                        if let Some(month) = MONTHS.iter().position(|m| *m == name) {
                            expansion.out.push_str(&(month + 1).to_string());
                        }
                        continue;
                    };
                    if expansion.budget == 0 || expansion.stack.contains(&index) {
                        continue;
                    }
                    expansion.budget -= 1;
                    let def = &self.strings[index];
                    let def_text = texts(def.file);
                    match def.field.value(def_text) {
                        Value::Literal(s) => expansion.out.push_str(&def_text[s]),
                        Value::Concat(inner) => {
                            expansion.stack.push(index);
                            self.expand(def_text, inner, texts, expansion);
                            expansion.stack.pop();
                        }
                    }
                }
            }
        }
    }

    fn resolve_links(&mut self) {
        /// The first letters, lower-cased, of the fields read here (the
        /// links' and `ids`): a field whose name starts with another is
        /// passed over before its name's end is looked for (most are).
        const INITIALS: [bool; 256] = {
            let mut initials = [false; 256];
            initials[b'i' as usize] = true;
            let mut i = 0;
            while i < LinkKind::ALL.len() {
                initials[LinkKind::ALL[i].field_name().as_bytes()[0] as usize] = true;
                i += 1;
            }
            initials
        };
        let lookup = |file: FileId| self.text(file);
        // In parallel: every field name of every entry is looked at, and
        // few entries have links.
        let resolved: Vec<(usize, Vec<Link>, Vec<KeyRef>)> = (self.entries.par_iter().enumerate())
            .with_min_len(1024)
            .filter_map(|(index, entry)| {
                let text = self.text(entry.file);
                let mut links = Vec::new();
                let mut aliases = Vec::new();
                for field in self.fields(entry) {
                    let initial = text.as_bytes().get(field.name_start()).copied();
                    if !INITIALS[initial.unwrap_or_default().to_ascii_lowercase() as usize] {
                        continue;
                    }
                    let name = &text[field.name(text)];
                    let is_ids = name.eq_ignore_ascii_case("ids");
                    let kind = LinkKind::from_field(name);
                    if kind.is_none() && !is_ids {
                        continue;
                    }
                    let value = self.value_text(text, &field, &lookup);
                    // Exact spans for each key when the value is one literal;
                    // the whole value when it was assembled from macros.
                    let base = match field.value(text) {
                        Value::Literal(span) => Some(span.start),
                        Value::Concat(_) => None,
                    };
                    let list = is_ids || kind.is_some_and(LinkKind::is_list);
                    for (offset, key) in split_keys(&value, list) {
                        let span = match base {
                            Some(start) => start + offset..start + offset + key.len(),
                            None => field.value_span(),
                        };
                        let target = KeyRef {
                            key: key.into(),
                            span,
                        };
                        match kind {
                            Some(kind) => links.push(Link { kind, target }),
                            None => aliases.push(target),
                        }
                    }
                }
                (!links.is_empty() || !aliases.is_empty()).then_some((index, links, aliases))
            })
            .collect();
        for (index, links, aliases) in resolved {
            let rare = self.entries[index].rare_mut();
            rare.links = links.into();
            rare.aliases = aliases.into();
        }
    }

    fn index_keys(&mut self, diagnostics: &mut Vec<Diagnostic>) {
        // Each key hashed twice (as written, and folded character by
        // character) on all cores first; the tables, filled in file order
        // on one thread, then rehash from this list, not from the keys
        // scattered through the entries.
        let hashes: Vec<KeyHashes> = (self.entries.par_iter())
            .with_min_len(4096)
            .map(|entry| {
                let key = self.key(entry);
                KeyHashes {
                    key: hash_key(key),
                    folded: hash_folded(key),
                }
            })
            .collect();
        self.keys
            .reserve(hashes.len(), |&id| hashes[id.0 as usize].key);
        let (entries, aliases) = (&self.entries, &self.folded_aliases);
        (self.folded).reserve(hashes.len(), |n| folded_hash(entries, aliases, &hashes, *n));
        for (index, hash) in hashes.iter().enumerate() {
            let id = EntryId(index as u32);
            let entry = &self.entries[index];
            let (entries, texts) = (&self.entries, &self.texts);
            let key = key_in(texts, entry);
            let first = self
                .keys
                .find(hash.key, |&other| {
                    key_in(texts, &entries[other.0 as usize]) == key
                })
                .copied();
            if let Some(first) = first {
                let original = &self.entries[first.0 as usize];
                diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateKey,
                        format!("key `{key}` is defined more than once"),
                        entry.file,
                        entry.key_span(),
                    )
                    .with_key(key)
                    .with_label_message("defined again here")
                    .with_related(original.file, original.key_span(), "first defined here")
                    .with_help("biber keeps the first definition and skips this one; remove or rename one of them"),
                );
                self.entries[index].rare_mut().duplicate_of = Some(first);
                continue;
            }
            self.note_case_conflict(NameRef::key(id), hash.folded, &hashes, diagnostics);
            self.keys
                .insert_unique(hash.key, id, |&id| hashes[id.0 as usize].key);
        }
        // Aliases after all keys, so that an alias may never shadow a key.
        for index in 0..self.entries.len() {
            let id = EntryId(index as u32);
            if self.entries[index].duplicate_of().is_some() {
                continue;
            }
            for (alias_index, alias) in self.entries[index]
                .aliases()
                .to_vec()
                .into_iter()
                .enumerate()
            {
                let entry = &self.entries[index];
                let clash = self.resolve(&alias.key);
                match clash {
                    Some(other) if other == id => {}
                    Some(other) => {
                        let other_entry = &self.entries[other.0 as usize];
                        let other_key = self.key(other_entry);
                        let what = if other_key == &*alias.key {
                            "the key"
                        } else {
                            "an alias"
                        };
                        diagnostics.push(
                            Diagnostic::new(
                                Code::DuplicateKey,
                                format!(
                                    "alias `{}` of `{}` is already {what} of `{}`",
                                    alias.key,
                                    self.key(entry),
                                    other_key
                                ),
                                entry.file,
                                alias.span.clone(),
                            )
                            .with_key(alias.key.clone())
                            .with_related(other_entry.file, other_entry.key_span(), format!("`{other_key}` is defined here"))
                            .with_help("a citation of this key could mean either entry; remove the alias from one of them"),
                        );
                    }
                    None => {
                        let name = NameRef::of_alias(id, alias_index);
                        let folded = hash_folded(self.name(name));
                        self.note_case_conflict(name, folded, &hashes, diagnostics);
                        self.aliases.insert(alias.key.to_string(), id);
                    }
                }
            }
        }
    }

    /// Records a key or alias under its folded form and warns when a
    /// different spelling of it is already known, as biber warns.
    fn note_case_conflict(
        &mut self,
        name: NameRef,
        hash: u64,
        hashes: &[KeyHashes],
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let key = self.name(name);
        let other = (self.folded.iter_hash(hash))
            .map(|folded| folded.name(&self.folded_aliases))
            .find(|other| other.entry != name.entry && same_folded(self.name(*other), key))
            .map(|other| other.entry);
        if let Some(other) = other {
            let entry = self.entry(name.entry);
            let (file, span) = match name.alias_place() {
                None => (entry.file, entry.key_span()),
                Some(i) => (entry.file, entry.aliases()[i as usize].span.clone()),
            };
            let other_entry = &self.entries[other.0 as usize];
            let other_key = self.key(other_entry);
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateKey,
                    format!("key `{key}` differs from `{other_key}` only in letter case"),
                    file,
                    span,
                )
                .with_severity(Severity::Warning)
                .with_key(key.to_owned())
                .with_related(other_entry.file, other_entry.key_span(), format!("`{other_key}` is defined here"))
                .with_help("biber treats them as different entries, BibTeX as the same one; rename one of them"),
            );
        }
        let folded = match name.alias_place() {
            None => Folded::key(name.entry),
            Some(_) => {
                self.folded_aliases.push(name);
                Folded::alias(self.folded_aliases.len() - 1)
            }
        };
        let (entries, aliases) = (&self.entries, &self.folded_aliases);
        (self.folded).insert_unique(hash, folded, |n| folded_hash(entries, aliases, hashes, *n));
    }
}

/// The folded hash of a key (from the list made for the keys) or alias.
fn folded_hash(entries: &[Entry], aliases: &[NameRef], hashes: &[KeyHashes], name: Folded) -> u64 {
    match name.name(aliases) {
        NameRef { entry, alias: None } => hashes[entry.0 as usize].folded,
        NameRef {
            entry,
            alias: Some(place),
        } => {
            let alias = &entries[entry.0 as usize].aliases()[place.get() as usize - 1];
            hash_folded(&alias.key)
        }
    }
}

/// A name in the table of folded names, in 4 bytes where a [`NameRef`]
/// takes 8 (the table has a slot for each key): a key as its entry, an
/// alias (rare) as its place in the list of folded aliases, top bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Folded(u32);

/// The bit of a [`Folded`] that marks an alias.
const ALIAS: u32 = 1 << 31;

impl Folded {
    fn key(entry: EntryId) -> Folded {
        // Files are read only below 1 GiB, and an entry takes more than
        // two bytes of one.
        assert!(entry.0 < ALIAS, "fewer than 2 billion entries");
        Folded(entry.0)
    }

    fn alias(place: usize) -> Folded {
        let place = u32::try_from(place).ok().filter(|&p| p < ALIAS);
        Folded(place.expect("fewer than 2 billion aliases") | ALIAS)
    }

    fn name(self, aliases: &[NameRef]) -> NameRef {
        if self.0 & ALIAS == 0 {
            NameRef::key(EntryId(self.0))
        } else {
            aliases[(self.0 & !ALIAS) as usize]
        }
    }
}

/// An entry key's two hashes: as written, and folded to lower case.
struct KeyHashes {
    key: u64,
    folded: u64,
}

/// A key or one of the `ids` aliases of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NameRef {
    entry: EntryId,
    /// The alias's place in the entry's aliases, plus one; `None` for the
    /// key (which so sorts before the aliases).
    alias: Option<std::num::NonZeroU32>,
}

impl NameRef {
    fn key(entry: EntryId) -> NameRef {
        NameRef { entry, alias: None }
    }

    fn of_alias(entry: EntryId, index: usize) -> NameRef {
        let index = u32::try_from(index + 1).expect("fewer than 4 billion aliases");
        NameRef {
            entry,
            alias: std::num::NonZeroU32::new(index),
        }
    }

    /// The alias's place in the entry's aliases; `None` for the key.
    fn alias_place(self) -> Option<u32> {
        self.alias.map(|place| place.get() - 1)
    }
}

fn name_of<'a>(entries: &'a [Entry], texts: &'a [(FileId, Text)], name: NameRef) -> &'a str {
    let entry = &entries[name.entry.0 as usize];
    match name.alias_place() {
        None => key_in(texts, entry),
        Some(i) => &entry.aliases()[i as usize].key,
    }
}

/// An entry's key: the text at its key's span, unless it was read from a
/// quoted, escaped string.
fn key_in<'a>(texts: &'a [(FileId, Text)], entry: &'a Entry) -> &'a str {
    match entry.rare.as_ref().and_then(|rare| rare.key.as_deref()) {
        Some(key) => key,
        None => (text_in(texts, entry.file).get(entry.key_span())).unwrap_or_default(),
    }
}

fn hash_key(key: &str) -> u64 {
    FxBuildHasher.hash_one(key)
}

/// The hash of a key as lower-cased character by character, without
/// building the lower-cased string.
fn hash_folded(key: &str) -> u64 {
    let mut hasher = FxHasher::default();
    if key.is_ascii() {
        // Most keys: the same characters fed in, without the iterators
        // that lower-case any character (a tenth of reading 100k entries).
        for b in key.bytes() {
            hasher.write_u32(u32::from(b.to_ascii_lowercase()));
        }
    } else {
        for c in key.chars().flat_map(char::to_lowercase) {
            hasher.write_u32(u32::from(c));
        }
    }
    hasher.finish()
}

fn same_folded(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// Splits a key list (`a, b ,c`) into keys with their offsets in `value`.
/// A single-key field is trimmed but not split.
fn split_keys(value: &str, list: bool) -> Vec<(usize, &str)> {
    fn trimmed(offset: usize, piece: &str) -> Option<(usize, &str)> {
        let start = piece.len() - piece.trim_start().len();
        let key = piece.trim();
        (!key.is_empty()).then_some((offset + start, key))
    }
    if !list {
        return trimmed(0, value).into_iter().collect();
    }
    let mut offset = 0;
    value
        .split(',')
        .filter_map(|piece| {
            let key = trimmed(offset, piece);
            offset += piece.len() + 1;
            key
        })
        .collect()
}

fn syntax_diagnostic(file: FileId, error: parse::SyntaxError) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(Code::BibSyntax, error.message, file, error.span);
    diagnostic.key = error.key;
    if let Some(next) = error.next_entry {
        diagnostic = diagnostic.with_related(file, next..next + 1, "the next entry starts here");
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(texts: &[&str]) -> (Bibliography, Vec<Diagnostic>) {
        let inputs: Vec<BibInput> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| BibInput::bib(FileId(i as u32), *t))
            .collect();
        Bibliography::read(&inputs)
    }

    /// An ASCII key and one that lower-cases to the same letters (the
    /// Kelvin sign is a `k`) fold alike whichever way each is hashed.
    #[test]
    fn ascii_keys_fold_as_any_key_folds() {
        assert_eq!(hash_folded("KIM2007"), hash_folded("\u{212A}im2007"));
        assert_eq!(hash_folded("Kim2007"), hash_folded("kim2007"));
        assert_ne!(hash_folded("kim2007"), hash_folded("kim2008"));
        assert!(same_folded("KIM2007", "\u{212A}im2007"));
    }

    fn codes(diagnostics: &[Diagnostic]) -> Vec<(Code, Severity, &str)> {
        diagnostics
            .iter()
            .map(|d| (d.code, d.severity, d.message.as_str()))
            .collect()
    }

    #[test]
    fn one_broken_entry_does_not_hide_the_others() {
        let (bib, diagnostics) =
            read(&["@book{a, title={A}}\n@book{b, title={B} year=1}\n@book{c, title={C}}"]);
        assert_eq!(bib.entries.len(), 3);
        assert!(bib.entry(bib.resolve("b").unwrap()).broken);
        assert!(bib.resolve("c").is_some());
        assert_eq!(
            codes(&diagnostics),
            vec![(
                Code::BibSyntax,
                Severity::Error,
                "in entry `b`: expected `,`, found `year`"
            )]
        );
    }

    #[test]
    fn duplicate_keys_across_files_point_at_both() {
        let (bib, diagnostics) = read(&["@book{a, title={A}}", "@misc{a, title={again}}"]);
        assert_eq!(bib.key_count(), 1);
        assert_eq!(bib.resolve("a"), Some(EntryId(0)));
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].primary.file, FileId(1));
        assert_eq!(diagnostics[0].related[0].file, FileId(0));
        assert_eq!(bib.entries[1].duplicate_of(), Some(EntryId(0)));
    }

    /// An entry is read for each of a bibliography's entries and all are
    /// held at once: 48 bytes each (100,000 entries, 4.8 MB), its fields
    /// and what few entries have apart, its key read from the text.
    #[test]
    fn an_entry_stays_small() {
        assert_eq!(std::mem::size_of::<Entry>(), 48);
        assert_eq!(std::mem::size_of::<FieldList>(), 8);
    }

    /// Keys looked up together resolve as each alone: keys, aliases, and
    /// keys defined nowhere, among them some that share a table slot's
    /// hash bits with a key that is (thousands are asked, so some do).
    #[test]
    fn keys_resolved_together_resolve_as_each_alone() {
        let text: String = (0..3000)
            .map(|i| format!("@misc{{key{i}, ids = {{old{i}}}}}\n"))
            .collect();
        let (bib, _) = read(&[&text]);
        let asked: Vec<String> = (0..3000)
            .flat_map(|i| [format!("key{i}"), format!("old{i}"), format!("nokey{i}")])
            .collect();
        let asked: Vec<&str> = asked.iter().map(String::as_str).collect();
        let alone: Vec<Option<EntryId>> = asked.iter().map(|key| bib.resolve(key)).collect();
        assert_eq!(bib.resolve_all(&asked), alone);
        assert_eq!(alone.iter().filter(|found| found.is_some()).count(), 6000);
    }

    /// Every link field and `ids` is read whatever the case of its name,
    /// and no other field is: not one that starts like them.
    #[test]
    fn links_are_read_from_their_fields_in_any_case() {
        let (bib, _) = read(&[
            "@set{s, ENTRYSET = {a, b}, Related = {c}, IDS = {old}, Issue = {2}}\n\
             @book{a, CrossRef = {p}, XREF = {q}, XData = {x}, editor = {E}, rel = {z}}\n\
             @book{b, cross = {p}, Xrefs = {q}, idsx = {old2}, eprint = {e}, related2 = {r}}",
        ]);
        let links = |i: usize| -> Vec<(LinkKind, &str)> {
            (bib.entries[i].links().iter())
                .map(|link| (link.kind, &*link.target.key))
                .collect()
        };
        use LinkKind::*;
        assert_eq!(links(0), [(Entryset, "a"), (Entryset, "b"), (Related, "c")]);
        assert_eq!(links(1), [(Crossref, "p"), (Xref, "q"), (Xdata, "x")]);
        assert_eq!(links(2), []);
        assert_eq!(bib.resolve("old"), Some(EntryId(0)));
        assert_eq!(bib.resolve("old2"), None);
    }

    /// What most entries lack is not allocated for them; an entry that has
    /// some of it keeps it.
    #[test]
    fn what_few_entries_have_is_kept_apart() {
        let text = "@article{plain, title = {T}}\n\
                    @Custom{odd, title = {T}}\n\
                    @book{child, crossref = {plain}, ids = {old}}\n\
                    @article{plain, title = {Again}}";
        let (bib, _) = Bibliography::read(&[BibInput {
            file: FileId(0),
            text: text.into(),
            format: Format::BibLatex,
        }]);
        let [plain, odd, child, again] = &bib.entries[..] else {
            panic!("{:?}", bib.entries);
        };
        assert!(plain.rare.is_none(), "{plain:?}");
        assert_eq!(plain.kind(), "article");
        assert_eq!((odd.kind(), &text[odd.type_span()]), ("custom", "Custom"));
        assert_eq!(child.kind(), "book");
        assert_eq!(child.links().len(), 1);
        assert_eq!(&*child.links()[0].target.key, "plain");
        assert_eq!(&*child.aliases()[0].key, "old");
        assert_eq!(again.duplicate_of(), Some(EntryId(0)));
        assert_eq!(&text[again.span()], "@article{plain, title = {Again}}");
        assert!(plain.links().is_empty() && plain.aliases().is_empty() && plain.csl().is_none());
    }

    /// A key is read from the text of its own file, except one written
    /// with escapes, which is kept as it was read.
    #[test]
    fn keys_are_read_from_the_text_they_are_written_in() {
        let json = r#"[{"id": "sec\u006fnd", "type": "book"}, {"id": "third", "type": "book"}]"#;
        let (bib, _) = Bibliography::read(&[
            BibInput::bib(FileId(3), "@book{first, title = {T}}"),
            BibInput {
                file: FileId(7),
                text: json.into(),
                format: Format::CslJson,
            },
        ]);
        let keys: Vec<&str> = bib.entries.iter().map(|e| bib.key(e)).collect();
        assert_eq!(keys, ["first", "second", "third"]);
        assert_eq!(&json[bib.entries[1].key_span()], r#""sec\u006fnd""#);
        let kept = |i: usize| bib.entries[i].rare.as_ref().and_then(|r| r.key.as_deref());
        assert_eq!((kept(0), kept(1), kept(2)), (None, Some("second"), None));
        assert_eq!(bib.resolve("second"), Some(EntryId(1)));
        assert_eq!(bib.resolve("third"), Some(EntryId(2)));
    }

    #[test]
    fn entry_types_read_as_their_names() {
        for (written, name) in [
            ("ARTICLE", "article"),
            ("Conference", "conference"),
            ("TechReport", "techreport"),
        ] {
            let kind = EntryType::of_written(written);
            assert_eq!(kind, name);
            assert!(matches!(kind.0, TypeName::Known(_)), "{written}");
        }
        assert_eq!(EntryType::of_written("MyType"), "mytype");
        assert_eq!(EntryType::verbatim("article-journal"), "article-journal");
        assert_eq!(EntryType::verbatim("book"), EntryType::of_written("BOOK"));
        assert!(matches!(EntryType::verbatim("book").0, TypeName::Known(_)));
        assert_eq!(format!("{:?}", EntryType::of_written("Book")), "\"book\"");
    }

    #[test]
    fn names_are_counted_as_they_are_given() {
        let (bib, _) = read(&[
            "@book{a, ids = {a1, a2}}\n@book{b}\n@book{a, title={again}}\n@book{B}",
            "@misc{b, ids = {a1}}\n@misc{c, ids = {c1}}",
        ]);
        assert_eq!(bib.name_count(), bib.names().count());
        assert_eq!(bib.name_count(), 7);
    }

    #[test]
    fn keys_differing_in_case_warn() {
        let (_, diagnostics) = read(&["@book{Smith2020, title={A}}\n@book{smith2020, title={B}}"]);
        assert_eq!(
            codes(&diagnostics),
            vec![(
                Code::DuplicateKey,
                Severity::Warning,
                "key `smith2020` differs from `Smith2020` only in letter case"
            )]
        );
    }

    /// Aliases are kept in the table of folded names apart from the keys:
    /// they still meet the keys there, and are found in the order written.
    #[test]
    fn aliases_differing_in_case_from_keys_warn() {
        let (bib, diagnostics) =
            read(&["@book{new, ids = {Old, other}}\n@book{old}\n@book{x, ids = {OLD}}"]);
        assert_eq!(
            codes(&diagnostics),
            vec![
                (
                    Code::DuplicateKey,
                    Severity::Warning,
                    "key `Old` differs from `old` only in letter case"
                ),
                (
                    Code::DuplicateKey,
                    Severity::Warning,
                    "key `OLD` differs from `old` only in letter case"
                )
            ]
        );
        assert_eq!(bib.case_insensitive_matches("oLd"), ["Old", "old", "OLD"]);
        assert_eq!(bib.case_insensitive_matches("OTHER"), ["other"]);
    }

    #[test]
    fn ids_aliases_resolve_and_may_not_shadow_keys() {
        let (bib, diagnostics) = read(&["@book{new, ids = {old1, old2}}\n@book{old2, title={x}}"]);
        assert_eq!(bib.resolve("old1"), Some(EntryId(0)));
        assert_eq!(bib.resolve("old2"), Some(EntryId(1)));
        assert_eq!(
            codes(&diagnostics),
            vec![(
                Code::DuplicateKey,
                Severity::Error,
                "alias `old2` of `new` is already the key of `old2`"
            )]
        );
    }

    #[test]
    fn links_keep_the_span_of_each_target() {
        let text = "@set{s, entryset = {a, b}}\n@inbook{c, crossref = { p }}";
        let (bib, _) = read(&[text]);
        let set = &bib.entries[0];
        let targets: Vec<&str> = set
            .links()
            .iter()
            .map(|l| &text[l.target.span.clone()])
            .collect();
        assert_eq!(targets, vec!["a", "b"]);
        assert_eq!(&*bib.entries[1].links()[0].target.key, "p");
        assert_eq!(bib.entries[1].links()[0].kind, LinkKind::Crossref);
    }

    #[test]
    fn links_through_string_macros_are_expanded() {
        let text = "@string{parent = \"p\" # \"arent\"}\n@inbook{c, crossref = parent}";
        let (bib, _) = read(&[text]);
        assert_eq!(&*bib.entries[0].links()[0].target.key, "parent");
    }

    #[test]
    fn cyclic_and_exponential_macros_expand_quickly() {
        let text = "@string{x = x # x # \"y\"}\n@misc{k, crossref = x}";
        let (bib, _) = read(&[text]);
        assert_eq!(&*bib.entries[0].links()[0].target.key, "y");
        let mut chain = String::from("@string{m0 = \"\"}");
        for i in 1..40 {
            chain.push_str(&format!("@string{{m{i} = m{} # m{}}}", i - 1, i - 1));
        }
        chain.push_str("@misc{k, crossref = m39 # \"z\"}");
        let (bib, _) = read(&[&chain]);
        assert_eq!(&*bib.entries[0].links()[0].target.key, "z");
    }

    #[test]
    fn comments_and_preambles_are_not_entries() {
        let (bib, diagnostics) = read(&[
            "@comment{@book{x, title={y}}}\n@preamble{\"\\newcommand{\\x}{y}\"}\n@book{z, title={z}}",
        ]);
        assert_eq!(
            bib.entries.iter().map(|e| bib.key(e)).collect::<Vec<_>>(),
            vec!["z"]
        );
        assert!(diagnostics.is_empty());
    }
}
