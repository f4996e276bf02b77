//! `refs` on an arbitrary `.bib`: every entry through the BibLaTeX-to-CSL
//! mapping and the CSL engine, in an author-date and a numeric style, and
//! out in every output format.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use refkeeper::csl::engine::Engine;
use refkeeper::render::references::{self, Target};
use refkeeper::source::decode;

fn engines() -> &'static [Engine; 2] {
    static ENGINES: OnceLock<[Engine; 2]> = OnceLock::new();
    ENGINES.get_or_init(|| {
        [
            Engine::new("apa", None).expect("APA is built in"),
            Engine::new("ieee", None).expect("IEEE is built in"),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode(data.to_vec(), Path::new("fuzz.bib")) else {
        return;
    };
    for engine in engines() {
        let session = refkeeper_fuzz::project(text.clone(), None);
        let refs = session.references(Some(engine), true).value;
        for target in [Target::Text, Target::Markdown, Target::Html, Target::Latex] {
            references::write_all(&refs.references, target);
        }
    }
});
