//! The whole `check` pipeline on an arbitrary `.bib` (bytes, decoded as
//! refkeeper decodes files): the recovery layer, the parser, the hygiene
//! checks, the citation check, the subset, and every renderer of the
//! findings (their spans must land on character boundaries).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use refkeeper::check::used_entries;
use refkeeper::render::{self, OutputFormat, RenderOptions};
use refkeeper::source::decode;
use refkeeper::subset::subset;

const CHAPTER: &str = "\\cite{a,b}\\nocite{key}\\parencite[see][12]{x:y}";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode(data.to_vec(), Path::new("fuzz.bib")) else {
        return;
    };
    let session = refkeeper_fuzz::project(text, Some(CHAPTER));
    let analysis = session.analyse();
    let used = used_entries(&analysis.bib, &analysis.chapters);
    subset(&analysis.bib, session.sources(), &used);
    let report = session.check();
    for format in [
        OutputFormat::Human,
        OutputFormat::Json,
        OutputFormat::Github,
        OutputFormat::Concise,
    ] {
        let mut out = Vec::new();
        render::render(
            &report,
            format,
            RenderOptions {
                color: true,
                quiet: false,
            },
            &mut out,
        )
        .expect("rendering into memory cannot fail");
    }
});
