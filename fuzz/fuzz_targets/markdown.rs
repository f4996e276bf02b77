//! The Pandoc Markdown and Quarto scanners on arbitrary text: no panic, no
//! hang, and every citation's span lies inside the text on character
//! boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use refkeeper::document::DocumentKind;

fuzz_target!(|text: &str| {
    refkeeper_fuzz::scan_and_check_spans(text, DocumentKind::Markdown);
    refkeeper_fuzz::scan_and_check_spans(text, DocumentKind::Quarto);
});
