//! The readers of CSL-JSON, CSL-YAML and Hayagriva YAML on arbitrary text
//! (the first byte chooses the format): no panic, every key and item
//! span a slice of the text, and every entry's CSL data readable as an
//! item for `refs`.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use refkeeper::bib::{BibInput, Bibliography, EntryId, Format};
use refkeeper::csl::mapping::item_of;
use refkeeper::source::{FileRole, SourceFile, SourceMap};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (format, name) = if first % 2 == 0 {
        (Format::CslJson, "fuzz.json")
    } else {
        (Format::Yaml, "fuzz.yml")
    };
    let mut sources = SourceMap::new();
    let file = sources.add(SourceFile::new(
        PathBuf::from(name),
        FileRole::Bibliography,
        text.to_owned(),
    ));
    let text = &sources.get(file).text;
    let (bib, diagnostics) = Bibliography::read(&[BibInput {
        file,
        text: text.clone(),
        format,
    }]);
    for entry in &bib.entries {
        assert!(
            text.get(entry.key_span()).is_some(),
            "key span {:?}",
            entry.key_span()
        );
        assert!(
            text.get(entry.span()).is_some(),
            "item span {:?}",
            entry.span()
        );
    }
    for diagnostic in &diagnostics {
        let span = &diagnostic.primary.span;
        assert!(text.get(span.clone()).is_some(), "finding span {span:?}");
    }
    for index in 0..bib.entries.len() {
        item_of(&bib, &sources, EntryId(index as u32), &Default::default());
    }
});
