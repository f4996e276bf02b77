//! The `refkeeper` binary: arguments in, calls into the library, output and
//! an exit status out. The commands live in `cli/`, one module each; this
//! file sets up the process and prints a command's failure, once.

// The checks allocate many small values on several threads; mimalloc does
// that faster than glibc's allocator (check on 100k entries: 0.87 s, not 1.16).
// Built without transparent huge pages (Cargo.toml, `no_thp`): with them a
// touched byte of a fresh arena could cost 2 MiB of resident memory, and
// the 100k check peaked at about 200 MB of RSS instead of 159.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc hands memory freed by one stage back to the system only after
/// a delay (10 ms, ten times that for its arenas), so it still counts as
/// resident while the next stage allocates anew. Handing it back at once
/// took the 100,000-entry check's peak RSS from about 165 MB to about
/// 139 MB (BENCHMARKS.md, "Memory"). `MIMALLOC_PURGE_DELAY` still overrides.
fn keep_allocator_lean() {
    // `mi_option_purge_delay` in mimalloc's `mi_option_e` (v2 and v3 alike);
    // the Rust bindings leave this option unnamed.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: the call only stores a value in mimalloc's option table; it
    // takes any option number and value, and leaves alone an option the
    // environment set.
    unsafe { libmimalloc_sys::mi_option_set_default(PURGE_DELAY, 0) };
}

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    keep_allocator_lean();
    refkeeper::csl::engine::isolate_panics();
    let args = cli::args::Cli::parse();
    let status = match cli::run(args) {
        Ok(status) => status,
        Err(failure) => {
            cli::output::error_line(&failure.to_string());
            cli::Status::Failure
        }
    };
    ExitCode::from(status as u8)
}
