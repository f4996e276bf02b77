//! The in-place References updater on an arbitrary manuscript and body:
//! when it succeeds, everything up to the end of the begin marker line and
//! from the end marker line on is kept byte for byte, and a second update
//! with the same body changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use refkeeper::document::section::{self, LATEX, MARKDOWN, Markers, TYPST};

/// Where the kept parts end and start again: the end of the (only) begin
/// line, and the start of the first end line after it.
fn kept(text: &str, markers: Markers) -> (usize, usize) {
    let mut start = 0;
    let mut begin_end = None;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        match begin_end {
            None if line.trim() == markers.begin => begin_end = Some(end),
            Some(kept_until) if line.trim() == markers.end => return (kept_until, start),
            _ => {}
        }
        start = end;
    }
    panic!("replace succeeded without a begin and an end line");
}

fuzz_target!(|input: (&str, &str)| {
    let (text, body) = input;
    for markers in [MARKDOWN, LATEX, TYPST] {
        let Ok(updated) = section::replace(text, markers, body) else {
            continue;
        };
        let (head, tail) = kept(text, markers);
        assert!(
            updated.starts_with(&text[..head]),
            "text before the section changed"
        );
        assert!(
            updated.ends_with(&text[tail..]),
            "text after the section changed"
        );
        let again = section::replace(&updated, markers, body).expect("the markers are still there");
        assert_eq!(again, updated, "a second update changed the file");
    }
});
