//! The BibLaTeX data model as biber validates it: the entry types, the
//! fields, the BibTeX names biber maps onto them, and the fields each type
//! requires.
//!
//! Taken from biblatex's `blx-dm.def` (biblatex 3.x: `\DeclareDatamodel
//! Entrytypes`, `\DeclareDatamodelFields`, `\DeclareDatamodelConstraints`)
//! and biber's BibTeX driver (its type and field aliases).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;

/// The entry types of the default data model.
const ENTRY_TYPES: &[&str] = &[
    "article",
    "artwork",
    "audio",
    "bibnote",
    "book",
    "bookinbook",
    "booklet",
    "collection",
    "commentary",
    "customa",
    "customb",
    "customc",
    "customd",
    "custome",
    "customf",
    "dataset",
    "inbook",
    "incollection",
    "inproceedings",
    "inreference",
    "image",
    "jurisdiction",
    "legal",
    "legislation",
    "letter",
    "manual",
    "misc",
    "movie",
    "music",
    "mvcollection",
    "mvreference",
    "mvproceedings",
    "mvbook",
    "online",
    "patent",
    "performance",
    "periodical",
    "proceedings",
    "reference",
    "report",
    "review",
    "set",
    "software",
    "standard",
    "suppbook",
    "suppcollection",
    "suppperiodical",
    "thesis",
    "unpublished",
    "video",
    "xdata",
];

/// BibTeX entry types biber reads as data-model types; `true` where the
/// alias also sets the `type` field (`@phdthesis` is a thesis of type
/// `phdthesis`).
const TYPE_ALIASES: &[(&str, &str, bool)] = &[
    ("conference", "inproceedings", false),
    ("electronic", "online", false),
    ("www", "online", false),
    ("mastersthesis", "thesis", true),
    ("phdthesis", "thesis", true),
    ("techreport", "report", true),
];

/// The fields of the default data model, with the date parts biber reads
/// from legacy fields (`year`, `month`, `day`).
const FIELDS: &[&str] = &[
    "abstract",
    "addendum",
    "afterword",
    "annotation",
    "annotator",
    "author",
    "authortype",
    "bookauthor",
    "bookpagination",
    "booksubtitle",
    "booktitle",
    "booktitleaddon",
    "chapter",
    "commentator",
    "crossref",
    "date",
    "day",
    "doi",
    "edition",
    "editor",
    "editora",
    "editoratype",
    "editorb",
    "editorbtype",
    "editorc",
    "editorctype",
    "editortype",
    "eid",
    "entryset",
    "entrysubtype",
    "eprint",
    "eprintclass",
    "eprinttype",
    "eventdate",
    "eventtitle",
    "eventtitleaddon",
    "execute",
    "file",
    "foreword",
    "gender",
    "holder",
    "howpublished",
    "ids",
    "indexsorttitle",
    "indextitle",
    "institution",
    "introduction",
    "isan",
    "isbn",
    "ismn",
    "isrn",
    "issn",
    "issue",
    "issuesubtitle",
    "issuetitle",
    "issuetitleaddon",
    "iswc",
    "journalsubtitle",
    "journaltitle",
    "journaltitleaddon",
    "keywords",
    "label",
    "langid",
    "langidopts",
    "language",
    "library",
    "lista",
    "listb",
    "listc",
    "listd",
    "liste",
    "listf",
    "location",
    "mainsubtitle",
    "maintitle",
    "maintitleaddon",
    "month",
    "namea",
    "nameaddon",
    "nameatype",
    "nameb",
    "namebtype",
    "namec",
    "namectype",
    "note",
    "number",
    "options",
    "organization",
    "origdate",
    "origlanguage",
    "origlocation",
    "origpublisher",
    "origtitle",
    "pages",
    "pagetotal",
    "pagination",
    "part",
    "presort",
    "publisher",
    "pubstate",
    "related",
    "relatedoptions",
    "relatedstring",
    "relatedtype",
    "reprinttitle",
    "series",
    "shortauthor",
    "shorteditor",
    "shorthand",
    "shorthandintro",
    "shortjournal",
    "shortseries",
    "shorttitle",
    "sortkey",
    "sortname",
    "sortshorthand",
    "sorttitle",
    "sortyear",
    "subtitle",
    "title",
    "titleaddon",
    "translator",
    "type",
    "url",
    "urldate",
    "usera",
    "userb",
    "userc",
    "userd",
    "usere",
    "userf",
    "venue",
    "verba",
    "verbb",
    "verbc",
    "version",
    "volume",
    "volumes",
    "xdata",
    "xref",
    "year",
];

/// The fields each entry type takes (`\DeclareDatamodelEntryfields`):
/// the types, comma-separated (none: every type), and their fields.
const ENTRY_FIELDS: &[(&str, &str)] = &[
    (
        "",
        "abstract annotation authortype bookpagination crossref day doi eprint \
         eprintclass eprinttype endday endhour endminute endmonth endsecond endtimezone \
         endyear endyeardivision entryset entrysubtype execute file gender hour ids \
         indextitle indexsorttitle isan ismn iswc keywords label langid langidopts \
         library lista listb listc listd liste listf minute month namea nameb namec \
         nameatype namebtype namectype nameaddon options origday origendday origendhour \
         origendminute origendmonth origendsecond origendtimezone origendyear \
         origendyeardivision orighour origminute origmonth origsecond origtimezone \
         origyear origyeardivision origlocation origpublisher origtitle pagination \
         presort related relatedoptions relatedstring relatedtype second shortauthor \
         shorteditor shorthand shorthandintro shortjournal shortseries shorttitle sortkey \
         sortname sortshorthand sorttitle sortyear timezone url urlday urlendday \
         urlendhour urlendminute urlendmonth urlendsecond urlendtimezone urlendyear \
         urlhour urlminute urlmonth urlsecond urltimezone urlyear usera userb userc userd \
         usere userf verba verbb verbc xdata xref year yeardivision",
    ),
    ("set", "entryset"),
    (
        "article",
        "addendum annotator author commentator editor editora editorb editorc editortype \
         editoratype editorbtype editorctype eid issn issue issuetitle issuesubtitle \
         issuetitleaddon journalsubtitle journaltitle journaltitleaddon language note \
         number origlanguage pages pubstate series subtitle title titleaddon translator \
         version volume",
    ),
    ("bibnote", "note"),
    (
        "book",
        "author addendum afterword annotator chapter commentator edition editor editora \
         editorb editorc editortype editoratype editorbtype editorctype eid foreword \
         introduction isbn language location maintitle maintitleaddon mainsubtitle note \
         number origlanguage pages pagetotal part publisher pubstate series subtitle \
         title titleaddon translator volume volumes",
    ),
    (
        "mvbook",
        "addendum afterword annotator author commentator edition editor editora editorb \
         editorc editortype editoratype editorbtype editorctype foreword introduction \
         isbn language location note number origlanguage pagetotal publisher pubstate \
         series subtitle title titleaddon translator volume volumes",
    ),
    (
        "inbook,bookinbook,suppbook",
        "addendum afterword annotator author booktitle bookauthor booksubtitle \
         booktitleaddon chapter commentator edition editor editora editorb editorc \
         editortype editoratype editorbtype editorctype eid foreword introduction isbn \
         language location mainsubtitle maintitle maintitleaddon note number origlanguage \
         part publisher pages pubstate series subtitle title titleaddon translator volume \
         volumes",
    ),
    (
        "booklet",
        "addendum author chapter editor editortype eid howpublished language location \
         note pages pagetotal pubstate subtitle title titleaddon type",
    ),
    (
        "collection,reference",
        "addendum afterword annotator chapter commentator edition editor editora editorb \
         editorc editortype editoratype editorbtype editorctype eid foreword introduction \
         isbn language location mainsubtitle maintitle maintitleaddon note number \
         origlanguage pages pagetotal part publisher pubstate series subtitle title \
         titleaddon translator volume volumes",
    ),
    (
        "mvcollection,mvreference",
        "addendum afterword annotator author commentator edition editor editora editorb \
         editorc editortype editoratype editorbtype editorctype foreword introduction \
         isbn language location note number origlanguage publisher pubstate subtitle \
         title titleaddon translator volume volumes",
    ),
    (
        "incollection,suppcollection,inreference",
        "addendum afterword annotator author booksubtitle booktitle booktitleaddon \
         chapter commentator edition editor editora editorb editorc editortype \
         editoratype editorbtype editorctype eid foreword introduction isbn language \
         location mainsubtitle maintitle maintitleaddon note number origlanguage pages \
         part publisher pubstate series subtitle title titleaddon translator volume \
         volumes",
    ),
    (
        "dataset",
        "addendum author edition editor editortype language location note number \
         organization publisher pubstate series subtitle title titleaddon type version",
    ),
    (
        "manual",
        "addendum author chapter edition editor editortype eid isbn language location \
         note number organization pages pagetotal publisher pubstate series subtitle \
         title titleaddon type version",
    ),
    (
        "misc,software",
        "addendum author editor editortype howpublished language location note \
         organization pubstate subtitle title titleaddon type version",
    ),
    (
        "online",
        "addendum author editor editortype language note organization pubstate subtitle \
         title titleaddon version",
    ),
    (
        "patent",
        "addendum author holder location note number pubstate subtitle title titleaddon \
         type version",
    ),
    (
        "periodical",
        "addendum editor editora editorb editorc editortype editoratype editorbtype \
         editorctype issn issue issuesubtitle issuetitle issuetitleaddon language note \
         number pubstate series subtitle title titleaddon volume yeardivision",
    ),
    (
        "mvproceedings",
        "addendum editor editortype eventday eventendday eventendhour eventendminute \
         eventendmonth eventendsecond eventendtimezone eventendyear eventendyeardivision \
         eventhour eventminute eventmonth eventsecond eventtimezone eventyear \
         eventyeardivision eventtitle eventtitleaddon isbn language location note number \
         organization pagetotal publisher pubstate series subtitle title titleaddon venue \
         volumes",
    ),
    (
        "proceedings",
        "addendum chapter editor editortype eid eventday eventendday eventendhour \
         eventendminute eventendmonth eventendsecond eventendtimezone eventendyear \
         eventendyeardivision eventhour eventminute eventmonth eventsecond eventtimezone \
         eventyear eventyeardivision eventtitle eventtitleaddon isbn language location \
         mainsubtitle maintitle maintitleaddon note number organization pages pagetotal \
         part publisher pubstate series subtitle title titleaddon venue volume volumes",
    ),
    (
        "inproceedings",
        "addendum author booksubtitle booktitle booktitleaddon chapter editor editortype \
         eid eventday eventendday eventendhour eventendminute eventendmonth \
         eventendsecond eventendtimezone eventendyear eventendyeardivision eventhour \
         eventminute eventmonth eventsecond eventtimezone eventyear eventyeardivision \
         eventtitle eventtitleaddon isbn language location mainsubtitle maintitle \
         maintitleaddon note number organization pages part publisher pubstate series \
         subtitle title titleaddon venue volume volumes",
    ),
    (
        "report",
        "addendum author chapter eid institution isrn language location note number pages \
         pagetotal pubstate subtitle title titleaddon type version",
    ),
    (
        "thesis",
        "addendum author chapter eid institution language location note pages pagetotal \
         pubstate subtitle title titleaddon type",
    ),
    (
        "unpublished",
        "addendum author eventday eventendday eventendhour eventendminute eventendmonth \
         eventendsecond eventendtimezone eventendyear eventendyeardivision eventhour \
         eventminute eventmonth eventsecond eventtimezone eventyear eventyeardivision \
         eventtitle eventtitleaddon howpublished language location note pubstate subtitle \
         title titleaddon type venue",
    ),
];

/// BibTeX field names biber maps onto data-model fields.
const FIELD_ALIASES: &[(&str, &str)] = &[
    ("address", "location"),
    ("annote", "annotation"),
    ("archiveprefix", "eprinttype"),
    ("journal", "journaltitle"),
    ("key", "sortkey"),
    ("pdf", "file"),
    ("primaryclass", "eprintclass"),
    ("school", "institution"),
];

/// A required field, or one of several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// This field.
    Field(&'static str),
    /// One of these fields.
    AnyOf(&'static [&'static str]),
}

/// The entry type biber reads `kind` (lower-case) as, and whether the name
/// itself sets the `type` field. `None` for a type outside the data model.
pub fn entry_type(kind: &str) -> Option<(&'static str, bool)> {
    // Looked up for every entry: a map, not a scan of 63 names.
    static BY_NAME: LazyLock<HashMap<&'static str, (&'static str, bool)>> = LazyLock::new(|| {
        // An alias never names a type of its own, so the order is moot.
        (ENTRY_TYPES.iter().map(|t| (*t, (*t, false))))
            .chain(
                TYPE_ALIASES
                    .iter()
                    .map(|(alias, target, sets)| (*alias, (*target, *sets))),
            )
            .collect()
    });
    BY_NAME.get(kind).copied()
}

/// The name biber accepts that `written` is in any case (`ARTICLE` and
/// `Article` are `article`), as [`type_names`] spells it.
pub fn type_name(written: &str) -> Option<&'static str> {
    type_index(written).map(type_at)
}

/// The place in [`type_names`] of the name biber accepts that `written`
/// is in any case.
pub(crate) fn type_index(written: &str) -> Option<u16> {
    static BY_NAME: LazyLock<HashMap<&'static str, u16>> = LazyLock::new(|| {
        (type_names().enumerate())
            .map(|(i, t)| (t, i as u16))
            .collect()
    });
    // The longest name is shorter than this; a longer one is none of them.
    const LONGEST: usize = 32;
    if !written.bytes().any(|b| b.is_ascii_uppercase()) {
        return BY_NAME.get(written).copied();
    }
    if written.len() > LONGEST {
        return None;
    }
    let mut lower = [0u8; LONGEST];
    let lower = &mut lower[..written.len()];
    lower.copy_from_slice(written.as_bytes());
    lower.make_ascii_lowercase();
    // Changing ASCII case keeps UTF-8 valid.
    let lower = std::str::from_utf8(lower).ok()?;
    BY_NAME.get(lower).copied()
}

/// The type name at `index` of [`type_names`] (an index
/// [`type_index`] gave).
pub(crate) fn type_at(index: u16) -> &'static str {
    let index = usize::from(index);
    match ENTRY_TYPES.get(index) {
        Some(name) => name,
        None => TYPE_ALIASES[index - ENTRY_TYPES.len()].0,
    }
}

/// The data-model field a field name (lower-case) stands for, if any.
pub fn field(name: &str) -> Option<&'static str> {
    // Looked up for every field of every entry: a map, not a scan.
    static BY_NAME: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
        FIELDS
            .iter()
            .map(|f| (*f, *f))
            .chain(FIELD_ALIASES.iter().copied())
            .collect()
    });
    BY_NAME.get(name).copied()
}

/// The BibTeX names biber reads as a data-model field (`journal` for
/// `journaltitle`).
pub fn bibtex_names(field: &str) -> impl Iterator<Item = &'static str> + '_ {
    FIELD_ALIASES
        .iter()
        .filter(move |(_, target)| *target == field)
        .map(|(alias, _)| *alias)
}

/// Every field name biber accepts, data-model names and BibTeX aliases.
pub fn field_names() -> impl Iterator<Item = &'static str> {
    FIELDS
        .iter()
        .copied()
        .chain(FIELD_ALIASES.iter().map(|(alias, _)| *alias))
}

/// Whether an entry of data-model type `kind` takes the data-model field
/// `field` (`\DeclareDatamodelEntryfields`). A date field (`date`,
/// `urldate`, `origdate`, `eventdate`) is taken where its year is.
pub fn allows(kind: &str, field: &str) -> bool {
    static BY_TYPE: LazyLock<HashMap<&'static str, HashSet<&'static str>>> = LazyLock::new(|| {
        let general: Vec<&str> = ENTRY_FIELDS
            .iter()
            .filter(|(types, _)| types.is_empty())
            .flat_map(|(_, fields)| fields.split_whitespace())
            .collect();
        let mut by_type: HashMap<&str, HashSet<&str>> = HashMap::default();
        for kind in ENTRY_TYPES {
            by_type
                .entry(kind)
                .or_default()
                .extend(general.iter().copied());
        }
        for (types, fields) in ENTRY_FIELDS.iter().filter(|(types, _)| !types.is_empty()) {
            for kind in types.split(',') {
                by_type
                    .entry(kind)
                    .or_default()
                    .extend(fields.split_whitespace());
            }
        }
        by_type
    });
    let Some(fields) = BY_TYPE.get(kind) else {
        return false;
    };
    let field = match field.strip_suffix("date") {
        Some(prefix @ ("" | "url" | "orig" | "event")) => {
            return fields.contains(format!("{prefix}year").as_str());
        }
        _ => field,
    };
    fields.contains(field)
}

/// Every entry type name biber accepts.
pub fn type_names() -> impl Iterator<Item = &'static str> {
    ENTRY_TYPES
        .iter()
        .copied()
        .chain(TYPE_ALIASES.iter().map(|(alias, _, _)| *alias))
}

/// The fields an entry of data-model type `kind` must have
/// (`\DeclareDatamodelConstraints`), by data-model name.
pub fn required(kind: &str) -> &'static [Required] {
    use Required::{AnyOf, Field};
    // The types biber dates (`date` or `year`) are those listed with DATE.
    const DATE: Required = AnyOf(&["date", "year"]);
    match kind {
        "article" => &[Field("author"), Field("title"), Field("journaltitle"), DATE],
        "book" | "mvbook" => &[Field("author"), Field("title"), DATE],
        "inbook" | "bookinbook" | "suppbook" => {
            &[Field("author"), Field("title"), Field("booktitle"), DATE]
        }
        "booklet" => &[AnyOf(&["author", "editor"]), Field("title"), DATE],
        "collection" | "reference" | "mvcollection" => &[Field("editor"), Field("title"), DATE],
        "mvreference" => &[Field("editor"), Field("title")],
        "incollection" | "suppcollection" | "inreference" => &[
            Field("author"),
            Field("editor"),
            Field("title"),
            Field("booktitle"),
            DATE,
        ],
        "manual" | "misc" => &[Field("title"), DATE],
        "dataset" | "software" => &[Field("title")],
        "online" => &[Field("title"), AnyOf(&["url", "doi", "eprint"]), DATE],
        "patent" => &[Field("author"), Field("title"), Field("number"), DATE],
        "periodical" => &[Field("editor"), Field("title"), DATE],
        "suppperiodical" => &[DATE],
        "proceedings" => &[Field("title"), DATE],
        "mvproceedings" => &[Field("title")],
        "inproceedings" => &[Field("author"), Field("title"), Field("booktitle"), DATE],
        "report" | "thesis" => &[
            Field("author"),
            Field("title"),
            Field("type"),
            Field("institution"),
            DATE,
        ],
        "unpublished" => &[Field("author"), Field("title"), DATE],
        "set" => &[Field("entryset")],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_found_in_any_case() {
        for name in type_names() {
            let capitalised = name[..1].to_ascii_uppercase() + &name[1..];
            for written in [name.to_owned(), name.to_ascii_uppercase(), capitalised] {
                assert_eq!(type_name(&written), Some(name), "{written}");
            }
        }
        let long = "a".repeat(40);
        for other in ["", "artícle", "ARTICLEX", "İnbook", "misc ", long.as_str()] {
            assert_eq!(type_name(other), None, "{other}");
        }
    }

    #[test]
    fn entry_types_are_those_listed() {
        for name in ENTRY_TYPES {
            assert_eq!(entry_type(name), Some((*name, false)));
        }
        for (alias, target, sets_type) in TYPE_ALIASES {
            assert_eq!(entry_type(alias), Some((*target, *sets_type)));
        }
        assert_eq!(entry_type("Article"), None);
        assert_eq!(entry_type("notatype"), None);
    }

    /// `required` as first written: the types' lists, then the date for
    /// the dated types.
    fn required_as_listed(kind: &str) -> Vec<Required> {
        use Required::{AnyOf, Field};
        const DATE: Required = AnyOf(&["date", "year"]);
        let mut required: Vec<Required> = match kind {
            "article" => vec![Field("author"), Field("title"), Field("journaltitle")],
            "book" | "mvbook" => vec![Field("author"), Field("title")],
            "inbook" | "bookinbook" | "suppbook" => {
                vec![Field("author"), Field("title"), Field("booktitle")]
            }
            "booklet" => vec![AnyOf(&["author", "editor"]), Field("title")],
            "collection" | "reference" | "mvcollection" | "mvreference" => {
                vec![Field("editor"), Field("title")]
            }
            "incollection" | "suppcollection" | "inreference" => vec![
                Field("author"),
                Field("editor"),
                Field("title"),
                Field("booktitle"),
            ],
            "dataset" | "manual" | "misc" | "software" => vec![Field("title")],
            "online" => vec![Field("title"), AnyOf(&["url", "doi", "eprint"])],
            "patent" => vec![Field("author"), Field("title"), Field("number")],
            "periodical" => vec![Field("editor"), Field("title")],
            "proceedings" | "mvproceedings" => vec![Field("title")],
            "inproceedings" => vec![Field("author"), Field("title"), Field("booktitle")],
            "report" | "thesis" => vec![
                Field("author"),
                Field("title"),
                Field("type"),
                Field("institution"),
            ],
            "unpublished" => vec![Field("author"), Field("title")],
            "set" => vec![Field("entryset")],
            _ => Vec::new(),
        };
        let dated = [
            "article",
            "book",
            "inbook",
            "bookinbook",
            "suppbook",
            "booklet",
            "collection",
            "incollection",
            "suppcollection",
            "manual",
            "misc",
            "mvbook",
            "mvcollection",
            "online",
            "patent",
            "periodical",
            "suppperiodical",
            "proceedings",
            "inproceedings",
            "reference",
            "inreference",
            "report",
            "thesis",
            "unpublished",
        ];
        if dated.contains(&kind) {
            required.push(DATE);
        }
        required
    }

    #[test]
    fn the_required_tables_are_the_lists_and_the_dates() {
        for kind in ENTRY_TYPES.iter().chain(&["xdata", "nosuchtype"]) {
            assert_eq!(required(kind), required_as_listed(kind), "{kind}");
        }
    }

    #[test]
    fn bibtex_names_map_onto_the_data_model() {
        assert_eq!(entry_type("phdthesis"), Some(("thesis", true)));
        assert_eq!(entry_type("article"), Some(("article", false)));
        assert_eq!(entry_type("webpage"), None);
        assert_eq!(field("journal"), Some("journaltitle"));
        assert_eq!(field("school"), Some("institution"));
        assert_eq!(field("titel"), None);
    }

    #[test]
    fn each_type_takes_its_own_fields() {
        assert!(allows("article", "journaltitle"));
        assert!(allows("article", "date"));
        assert!(allows("article", "doi"));
        assert!(!allows("article", "publisher"));
        assert!(allows("book", "publisher"));
        assert!(!allows("thesis", "journaltitle"));
        assert!(allows("inproceedings", "eventdate"));
        assert!(!allows("article", "eventdate"));
        assert!(!allows("nosuchtype", "title"));
    }

    #[test]
    fn an_article_needs_a_journal_and_a_date() {
        let article = required("article");
        assert!(article.contains(&Required::Field("journaltitle")));
        assert!(article.contains(&Required::AnyOf(&["date", "year"])));
        assert!(required("xdata").is_empty());
    }
}
