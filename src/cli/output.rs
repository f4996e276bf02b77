//! How the binary prints and writes: messages on stderr, colour, the
//! progress line, and the one way a command's product reaches a file or
//! standard output ([`deliver`]).

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use refkeeper::write::{InputsUnread, WritePermit};

use super::args::ColorArg;
use super::{Failure, Status};

/// `refkeeper: MESSAGE` on stderr.
pub fn note(message: &str) {
    let _ = writeln!(io::stderr(), "refkeeper: {message}");
}

/// `refkeeper: error: MESSAGE` on stderr.
pub fn error_line(message: &str) {
    let _ = writeln!(io::stderr(), "refkeeper: error: {message}");
}

/// The inputs that could not be read, one line each on stderr.
pub fn unread_lines(unread: &[refkeeper::source::Unread]) {
    for error in unread {
        error_line(&error.to_string());
    }
}

/// The status of a command that read every input, or 2 when one failed.
pub fn read_status(unread: &[refkeeper::source::Unread], otherwise: Status) -> Status {
    if unread.is_empty() {
        otherwise
    } else {
        Status::Failure
    }
}

/// A closed pipe (`refkeeper ... | head`) is the reader's choice, not a failure.
pub fn written_or_pipe(result: io::Result<()>) -> Result<(), Failure> {
    match result {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Failure::new(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Writes bytes to standard output and flushes it.
pub fn print_bytes(bytes: &[u8]) -> Result<Status, Failure> {
    let mut stdout = io::stdout().lock();
    written_or_pipe(stdout.write_all(bytes).and_then(|()| stdout.flush()))?;
    Ok(Status::Clean)
}

/// Colour only on a terminal, unless asked; `NO_COLOR` (non-empty) or
/// `TERM=dumb` turns automatic colour off.
pub fn use_color(choice: ColorArg, is_terminal: bool) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            is_terminal && !no_color && !dumb
        }
    }
}

/// Where a command's product goes.
pub enum Destination {
    /// This file (the path as shown, relative to the working folder),
    /// replaced atomically.
    File(PathBuf),
    /// Standard output.
    Stdout,
}

impl Destination {
    /// A file when one is named, else standard output.
    pub fn new(path: Option<&Path>) -> Destination {
        path.map_or(Destination::Stdout, |p| Destination::File(p.to_path_buf()))
    }
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::File(path) => write!(f, "{}", path.display()),
            Destination::Stdout => f.write_str("standard output"),
        }
    }
}

/// The permit to write a command's product, or the failure that says
/// nothing was written to `to`, and why.
pub fn permit(
    unread: &[refkeeper::source::Unread],
    to: &Destination,
) -> Result<WritePermit, Failure> {
    refkeeper::write::permit(unread).map_err(|unread| refused(to, &unread))
}

fn refused(to: &Destination, unread: &InputsUnread) -> Failure {
    let kept = match to {
        Destination::File(_) => "; it is as it was",
        Destination::Stdout => "",
    };
    Failure::new(format!("nothing written to {to}: {unread}{kept}"))
}

/// Writes a command's product: every command that writes one comes here,
/// and cannot without the permit that only a run with every input read
/// gets ([`permit`]).
pub fn deliver(permit: &WritePermit, to: &Destination, bytes: &[u8]) -> Result<(), Failure> {
    match to {
        Destination::File(path) => refkeeper::write::write_atomic(permit, path, bytes)
            .map_err(|e| Failure::new(format!("cannot write {}: {}", path.display(), e))),
        Destination::Stdout => {
            let mut stdout = io::stdout().lock();
            written_or_pipe(stdout.write_all(bytes).and_then(|()| stdout.flush()))
        }
    }
}

/// Runs `work`; when it takes long (more than half a second) and stderr is
/// a terminal, shows on stderr what is being done and for how long,
/// erased when done. Never when stderr is piped or redirected, and never
/// for machine-readable output (`wanted` is false).
pub fn with_progress<T>(wanted: bool, doing: &str, work: impl FnOnce() -> T) -> T {
    use std::sync::mpsc;
    use std::time::{Duration, Instant};
    if !wanted
        || !io::stderr().is_terminal()
        || std::env::var_os("TERM").is_some_and(|t| t == "dumb")
    {
        return work();
    }
    // REFKEEPER_PROGRESS_DELAY_MS: for tests, which cannot wait for long
    // work; 0 shows the line at once, before the work starts (so a test
    // does not race the work).
    let delay = std::env::var("REFKEEPER_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(500);
    let start = Instant::now();
    let frames = ['|', '/', '-', '\\'];
    let show = move |frame: usize, doing: &str| {
        eprint!(
            "\r\x1b[Krefkeeper: {doing} {} {:.1} s",
            frames[frame % frames.len()],
            start.elapsed().as_secs_f64()
        );
    };
    let mut shown = delay == 0;
    if shown {
        show(0, doing);
    }
    let (done, finished) = mpsc::channel::<()>();
    let doing = doing.to_owned();
    let shower = std::thread::spawn(move || {
        let mut frame = 0;
        let wait = Duration::from_millis(delay);
        while let Err(mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(if shown {
            Duration::from_millis(120)
        } else {
            wait
        }) {
            shown = true;
            frame += 1;
            show(frame, &doing);
        }
        if shown {
            eprint!("\r\x1b[K");
        }
    });
    let result = work();
    let _ = done.send(());
    let _ = shower.join();
    result
}
