//! The Markdown project readers (YAML front matter, `{{< include >}}`
//! shortcodes) on arbitrary text: no panic, no hang, spans where the paths
//! are written.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| refkeeper_fuzz::markdown_project(text));
