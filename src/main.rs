//! The `refkeeper` binary: arguments in, calls into the library, output and
//! an exit status out. No logic of its own.

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

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use cli::{
    CheckArgs, Cli, ColorArg, Command, DenyArg, FormatArg, InitArgs, InputArgs, ListArgs,
    ListFormatArg, RefsArgs, RefsFormatArg, ReportArgs, ShellArg, SubsetArgs, ToArg,
};
use refkeeper::diagnostic::{Code, Severity};
use refkeeper::document::DocumentKind;
use refkeeper::document::section;
use refkeeper::render::references::{self, Target};
use refkeeper::render::{self, OutputFormat, RenderOptions};
use refkeeper::{ConfigSource, Report, Request};

/// Exit status: no errors.
const CLEAN: u8 = 0;
/// Exit status: findings at error level (or a stale References section).
const FINDINGS: u8 = 1;
/// Exit status: refkeeper could not do its job.
const FAILURE: u8 = 2;

fn main() -> ExitCode {
    keep_allocator_lean();
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Check(args) => check(args),
        Command::Refs(args) => refs(args),
        Command::Subset(args) => subset(args),
        Command::Styles => styles(),
        Command::Explain { code } => explain(code.as_deref()),
        Command::List(args) => list(args),
        Command::Report(args) => report(args),
        Command::Init(args) => init(args),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
    };
    ExitCode::from(status)
}

fn request(inputs: InputArgs) -> Result<Request, u8> {
    let InputArgs {
        paths,
        bibliographies,
        config,
        no_config,
    } = inputs;
    let cwd = std::env::current_dir()
        .map_err(|e| fail(&format!("cannot read the working folder: {e}")))?;
    let config = match (config, no_config) {
        (Some(path), _) => ConfigSource::File(path),
        (None, true) => ConfigSource::Ignore,
        (None, false) => ConfigSource::Discover,
    };
    Ok(Request {
        paths,
        bibliographies,
        config,
        cwd,
    })
}

fn check(args: CheckArgs) -> u8 {
    let request = match request(args.inputs) {
        Ok(request) => request,
        Err(status) => return status,
    };
    if args.watch {
        if args.format != FormatArg::Human {
            return fail("--watch prints what changed as text; leave out --format");
        }
        return watch(&request, use_color(args.color, io::stdout().is_terminal()));
    }
    let report = match with_progress(args.format == FormatArg::Human, "checking", || {
        refkeeper::check(&request)
    }) {
        Ok(report) => report,
        Err(e) => return fail(&e.to_string()),
    };
    let format = match args.format {
        FormatArg::Human => OutputFormat::Human,
        FormatArg::Json => OutputFormat::Json,
        FormatArg::Github => OutputFormat::Github,
        FormatArg::Sarif => OutputFormat::Sarif,
    };
    let color = format == OutputFormat::Human && use_color(args.color, io::stdout().is_terminal());
    if format != OutputFormat::Github {
        for error in &report.read_errors {
            error_line(&error.to_string());
        }
    }
    // Stdout is line-buffered; thousands of findings are written in one go.
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let written = render::render(&report, format, RenderOptions { color }, &mut stdout)
        .and_then(|()| stdout.flush());
    if let Err(status) = written_or_pipe(written) {
        return status;
    }
    exit_status(&report, args.deny == Some(DenyArg::Warnings))
}

/// Saves come in bursts (an editor writes a file and a backup, `git
/// checkout` rewrites many): one run after they settle.
const WATCH_DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(250);

/// `check --watch`: one full check, then one per settled burst of changes
/// to an input, printing the findings that appeared and those fixed.
fn watch(request: &refkeeper::Request, color: bool) -> u8 {
    use notify_debouncer_mini::{new_debouncer, notify::RecursiveMode};
    use refkeeper::watch::{Findings, Stamps, folders, is_input};

    let (events, received) = std::sync::mpsc::channel();
    let mut debouncer = match new_debouncer(WATCH_DEBOUNCE, events) {
        Ok(debouncer) => debouncer,
        Err(e) => return fail(&format!("cannot watch files: {e}")),
    };
    let mut watched = std::collections::BTreeSet::new();
    let mut previous = Findings::default();
    let mut stamps = Stamps::default();
    let mut trigger: Vec<PathBuf> = Vec::new();
    loop {
        match refkeeper::load(request) {
            Ok(project) => {
                // Stamp what is read, and watch, before checking: a change
                // made as soon as the summary shows is seen.
                stamps.record(&project);
                for folder in folders(&project) {
                    if !watched.contains(&folder)
                        && debouncer
                            .watcher()
                            .watch(&folder, RecursiveMode::NonRecursive)
                            .is_ok()
                    {
                        watched.insert(folder);
                    }
                }
                let report = refkeeper::check_project(project);
                let changes = previous.changes(&report);
                let mut stdout = io::stdout().lock();
                if !trigger.is_empty() {
                    let names: Vec<String> =
                        trigger.iter().map(|p| p.display().to_string()).collect();
                    let _ = writeln!(stdout, "\n[refkeeper] changed: {}", names.join(", "));
                }
                for error in &report.read_errors {
                    error_line(&error.to_string());
                }
                let appeared: Vec<_> = changes.appeared.iter().map(|&d| d.clone()).collect();
                let _ = render::human::render_diagnostics(
                    &report.sources,
                    &appeared,
                    color,
                    &mut stdout,
                );
                for fixed in &changes.fixed {
                    let _ = writeln!(
                        stdout,
                        "fixed[{}]: {}: {}",
                        fixed.code,
                        fixed.path.display(),
                        fixed.message
                    );
                }
                let _ = writeln!(
                    stdout,
                    "[refkeeper] {} errors, {} warnings ({} new, {} fixed); watching for changes",
                    report.count(Severity::Error),
                    report.count(Severity::Warning),
                    changes.appeared.len(),
                    changes.fixed.len()
                );
                let _ = stdout.flush();
                previous = Findings::of(&report);
            }
            Err(e) => {
                // A broken refkeeper.toml: rerun when it changes, not when
                // this run's reading of it raises an event.
                if let refkeeper::Error::Config(config) = &e {
                    stamps.changed(&refkeeper::inputs::shown_path(&config.path, &request.cwd));
                }
                error_line(&e.to_string());
            }
        }
        // Wait for a burst that really changes an input.
        trigger = loop {
            match received.recv() {
                Ok(Ok(events)) => {
                    let mut paths: Vec<PathBuf> = events
                        .into_iter()
                        .map(|e| refkeeper::inputs::shown_path(&e.path, &request.cwd))
                        .filter(|p| is_input(p))
                        .collect();
                    paths.sort();
                    paths.dedup();
                    paths.retain(|p| stamps.changed(p));
                    if !paths.is_empty() {
                        break paths;
                    }
                }
                Ok(Err(e)) => error_line(&format!("watching: {e}")),
                Err(_) => return FAILURE,
            }
        };
    }
}

fn subset(args: SubsetArgs) -> u8 {
    let request = match request(args.inputs) {
        Ok(request) => request,
        Err(status) => return status,
    };
    let outcome = match refkeeper::subset(&request) {
        Ok(outcome) => outcome,
        Err(e) => return fail(&e.to_string()),
    };
    let refkeeper::SubsetOutcome {
        subset,
        missing,
        bib_diagnostics,
        project,
    } = outcome;
    for error in &project.read_errors {
        error_line(&error.to_string());
    }
    // Broken entries and duplicate keys are copied as they are; say so.
    if !bib_diagnostics.is_empty() {
        let color = use_color(ColorArg::Auto, io::stderr().is_terminal());
        let _ = render::human::render_diagnostics(
            &project.sources,
            &bib_diagnostics,
            color,
            &mut io::stderr().lock(),
        );
    }
    let destination = Destination::new(args.output.as_deref());
    let permit = match refkeeper::write::permit(&project.read_errors) {
        Ok(permit) => permit,
        Err(unread) => return refuse(&destination, &unread),
    };
    if let Err(status) = deliver(&permit, &destination, subset.text.as_bytes()) {
        return status;
    }
    let target = destination.to_string();
    note(&format!(
        "{} entries, {} @string blocks and {} @preamble blocks written to {target}",
        subset.entries, subset.strings, subset.preambles
    ));
    for key in &missing {
        error_line(&format!(
            "`{key}` is cited but is not in any bibliography; the subset lacks it"
        ));
    }
    if missing.is_empty() { CLEAN } else { FINDINGS }
}

fn exit_status(report: &Report, deny_warnings: bool) -> u8 {
    if !report.read_errors.is_empty() {
        FAILURE
    } else if report.count(Severity::Error) > 0
        || (deny_warnings && report.count(Severity::Warning) > 0)
    {
        FINDINGS
    } else {
        CLEAN
    }
}

fn refs(args: RefsArgs) -> u8 {
    let inputs = match request(args.inputs) {
        Ok(request) => request,
        Err(status) => return status,
    };
    let data_only = args.format == RefsFormatArg::CslJson;
    let request = refkeeper::RefsRequest {
        inputs,
        style: args.style,
        locale: args.locale,
        all: args.all,
        data_only,
    };
    let refs = match with_progress(true, "formatting the References", || {
        refkeeper::references(&request)
    }) {
        Ok(refs) => refs,
        Err(e) => return fail(&e.to_string()),
    };
    let project = &refs.project;
    let stderr_color = use_color(args.color, io::stderr().is_terminal());
    for error in &project.read_errors {
        error_line(&error.to_string());
    }
    if !refs.diagnostics.is_empty() {
        let mut stderr = io::stderr().lock();
        let _ = render::human::render_diagnostics(
            &project.sources,
            &refs.diagnostics,
            stderr_color,
            &mut stderr,
        );
    }
    for message in &refs.notes {
        note(&format!("warning: {message}"));
    }
    // The section of a file: --write FILE, or [refs] file with --write/--check.
    let configured = project
        .config
        .refs
        .file
        .as_ref()
        .map(|f| project.root.join(f));
    let wants_file = args.check || args.write.is_some();
    let file = match args.write {
        Some(Some(path)) => Some(refkeeper::inputs::join(&project.cwd, &path)),
        Some(None) => configured,
        None if args.check => configured,
        None => None,
    };
    if wants_file && file.is_none() {
        return fail(
            "no file to update: name it with --write FILE or set `file` under [refs] in refkeeper.toml",
        );
    }
    // References made from part of the inputs would replace good ones:
    // nothing is written, compared or printed unless every input was read.
    let destination = match &file {
        Some(path) => Destination::File(refkeeper::inputs::shown_path(path, &project.cwd)),
        None => Destination::Stdout,
    };
    let permit = match refkeeper::write::permit(&project.read_errors) {
        Ok(permit) => permit,
        Err(unread) if args.check => {
            return fail(&format!("{destination}: not compared: {unread}"));
        }
        Err(unread) => return refuse(&destination, &unread),
    };
    let target = |default: Target| match args.to {
        Some(ToArg::Text) => Target::Text,
        Some(ToArg::Markdown) => Target::Markdown,
        Some(ToArg::Html) => Target::Html,
        Some(ToArg::Latex) => Target::Latex,
        None => default,
    };

    if let Some(path) = file {
        let shown = destination.to_string();
        let old = match refkeeper::source::read_text(&path, std::path::Path::new(&shown)) {
            Ok(text) => text,
            Err(e) => return fail(&e.to_string()),
        };
        let body =
            references::write_all(&refs.references, target(DocumentKind::of(&path).target()));
        let new = match section::replace(&old, DocumentKind::of(&path).markers(), &body) {
            Ok(new) => new,
            Err(e) => return fail(&format!("{shown}: {e}")),
        };
        let count = refs.references.len();
        if new == old {
            note(&format!("{shown}: References up to date ({count} entries)"));
            return CLEAN;
        }
        if args.check {
            let mut stdout = io::stdout().lock();
            if let Err(status) =
                written_or_pipe(stdout.write_all(section::diff(&old, &new, &shown).as_bytes()))
            {
                return status;
            }
            error_line(&format!(
                "{shown}: the References section is out of date; run `refkeeper refs --write {shown}`"
            ));
            return FINDINGS;
        }
        if let Err(status) = deliver(&permit, &destination, new.as_bytes()) {
            return status;
        }
        note(&format!("{shown}: References updated ({count} entries)"));
        return CLEAN;
    }

    let text = match args.format {
        RefsFormatArg::Text => {
            let body = references::write_all(&refs.references, target(Target::Text));
            if body.is_empty() { body } else { body + "\n" }
        }
        RefsFormatArg::Json => {
            let to = target(Target::Text);
            let entries: Vec<serde_json::Value> = refs
                .references
                .iter()
                .map(|r| serde_json::json!({ "key": r.key, "text": references::write(r, to) }))
                .collect();
            let style = request
                .style
                .clone()
                .or_else(|| project.config.refs.style.clone())
                .unwrap_or_default();
            serde_json::to_string_pretty(
                &serde_json::json!({ "version": 1, "style": style, "entries": entries }),
            )
            .unwrap_or_default()
                + "\n"
        }
        RefsFormatArg::CslJson => {
            let items: Vec<serde_json::Value> =
                refs.items.iter().map(|i| i.to_csl_json()).collect();
            serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
        }
    };
    match deliver(&permit, &destination, text.as_bytes()) {
        Ok(()) => CLEAN,
        Err(status) => status,
    }
}

/// Where a command's product goes.
enum Destination {
    /// This file (the path as shown), replaced atomically.
    File(PathBuf),
    Stdout,
}

impl Destination {
    fn new(path: Option<&std::path::Path>) -> Destination {
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

/// Writes a command's product: every command that writes one comes here,
/// and cannot without the permit that only a run with every input read
/// gets (`refkeeper::write::permit`).
fn deliver(
    permit: &refkeeper::write::WritePermit,
    to: &Destination,
    bytes: &[u8],
) -> Result<(), u8> {
    match to {
        Destination::File(path) => refkeeper::write::write_atomic(permit, path, bytes)
            .map_err(|e| fail(&format!("cannot write {}: {}", path.display(), e))),
        Destination::Stdout => {
            let mut stdout = io::stdout().lock();
            written_or_pipe(stdout.write_all(bytes).and_then(|()| stdout.flush()))
        }
    }
}

/// Says that nothing was written, and why.
fn refuse(to: &Destination, unread: &refkeeper::write::InputsUnread) -> u8 {
    let kept = match to {
        Destination::File(_) => "; it is as it was",
        Destination::Stdout => "",
    };
    fail(&format!("nothing written to {to}: {unread}{kept}"))
}

fn styles() -> u8 {
    let mut text = String::new();
    for (name, title) in refkeeper::csl::engine::bundled_styles() {
        text.push_str(&format!("{name:<48} {title}\n"));
    }
    match written_or_pipe(io::stdout().lock().write_all(text.as_bytes())) {
        Ok(()) => CLEAN,
        Err(status) => status,
    }
}

/// A closed pipe (`refkeeper ... | head`) is the reader's choice, not a failure.
fn written_or_pipe(result: io::Result<()>) -> Result<(), u8> {
    match result {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(fail(&format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Colour only on a terminal, unless asked; `NO_COLOR` (non-empty) or
/// `TERM=dumb` turns automatic colour off.
fn use_color(choice: ColorArg, is_terminal: bool) -> bool {
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

fn explain(code: Option<&str>) -> u8 {
    let text = match code {
        None => {
            let mut list =
                String::from("Diagnostic codes (refkeeper explain CODE for details):\n\n");
            for code in Code::ALL {
                list.push_str(&format!(
                    "  {:<20} {:<8} {}\n",
                    code.as_str(),
                    code.default_level().describe(),
                    code.summary()
                ));
            }
            list
        }
        Some(name) => match name.parse::<Code>() {
            Ok(code) => format!(
                "{} ({} by default): {}\n\n{}\n",
                code.as_str(),
                code.default_level().describe(),
                code.summary(),
                code.explanation()
            ),
            Err(e) => {
                let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
                return fail(&format!("{e}; known codes: {}", known.join(", ")));
            }
        },
    };
    match written_or_pipe(io::stdout().lock().write_all(text.as_bytes())) {
        Ok(()) => CLEAN,
        Err(status) => status,
    }
}

fn note(message: &str) {
    let _ = writeln!(io::stderr(), "refkeeper: {message}");
}

fn error_line(message: &str) {
    let _ = writeln!(io::stderr(), "refkeeper: error: {message}");
}

fn fail(message: &str) -> u8 {
    error_line(message);
    FAILURE
}

fn report(args: ReportArgs) -> u8 {
    let request = match request(args.inputs) {
        Ok(request) => request,
        Err(status) => return status,
    };
    let overview = match refkeeper::overview::overview(&request) {
        Ok(overview) => overview,
        Err(e) => return fail(&e.to_string()),
    };
    for error in &overview.project.read_errors {
        error_line(&error.to_string());
    }
    let title = args.title.unwrap_or_else(|| {
        let folder = request
            .cwd
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "this project".to_owned());
        format!("Citations in {folder}")
    });
    let destination = Destination::File(args.html.clone());
    let permit = match refkeeper::write::permit(&overview.project.read_errors) {
        Ok(permit) => permit,
        Err(unread) => return refuse(&destination, &unread),
    };
    let page = render::html::page(&overview, &title);
    // The page may go to a folder of its own (`site/report.html`).
    if let Some(folder) = args.html.parent().filter(|f| !f.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(folder)
    {
        return fail(&format!("cannot write {}: {e}", args.html.display()));
    }
    if let Err(status) = deliver(&permit, &destination, page.as_bytes()) {
        return status;
    }
    note(&format!(
        "wrote {}: {} chapters, {} entries cited, {} unused, {} missing keys",
        args.html.display(),
        overview.chapters.len(),
        overview.cited.len(),
        overview.unused.len(),
        overview.missing.len()
    ));
    CLEAN
}

fn list(args: ListArgs) -> u8 {
    let request = match request(args.inputs) {
        Ok(request) => request,
        Err(status) => return status,
    };
    let listing = match refkeeper::list(&request) {
        Ok(listing) => listing,
        Err(e) => return fail(&e.to_string()),
    };
    for error in &listing.project.read_errors {
        error_line(&error.to_string());
    }
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let written = match args.format {
        ListFormatArg::Text => render::list::text(&listing.citations, &mut stdout),
        ListFormatArg::Json => render::list::json(&listing.citations, &mut stdout),
        ListFormatArg::Csv => render::list::csv(&listing.citations, &mut stdout),
    }
    .and_then(|()| stdout.flush());
    if let Err(status) = written_or_pipe(written) {
        return status;
    }
    if listing.project.read_errors.is_empty() {
        CLEAN
    } else {
        FAILURE
    }
}

fn init(args: InitArgs) -> u8 {
    let folder = args.folder.unwrap_or_else(|| PathBuf::from("."));
    if !folder.is_dir() {
        return fail(&format!("{}: not a folder", folder.display()));
    }
    let detected = refkeeper::init::detect(&folder);
    for error in &detected.unread {
        error_line(&error.to_string());
    }
    let target = folder.join(refkeeper::config::FILE_NAME);
    let destination = if args.stdout {
        Destination::Stdout
    } else {
        Destination::File(target.clone())
    };
    let permit = match refkeeper::write::permit(&detected.unread) {
        Ok(permit) => permit,
        Err(unread) => return refuse(&destination, &unread),
    };
    let text = refkeeper::init::config_text(&detected);
    if args.stdout {
        return match deliver(&permit, &destination, text.as_bytes()) {
            Ok(()) => CLEAN,
            Err(status) => status,
        };
    }
    if target.exists() && !args.force {
        return fail(&format!(
            "{} exists; --force replaces it, --stdout prints the new one",
            target.display()
        ));
    }
    if let Err(status) = deliver(&permit, &destination, text.as_bytes()) {
        return status;
    }
    note(&format!(
        "wrote {}: {} bibliography file{}, {} chapter pattern{}",
        target.display(),
        detected.bibliographies.len(),
        if detected.bibliographies.len() == 1 {
            ""
        } else {
            "s"
        },
        detected.chapters.len(),
        if detected.chapters.len() == 1 {
            ""
        } else {
            "s"
        },
    ));
    for (bib, from) in &detected.missing {
        note(&format!(
            "warning: {from} names {bib}, which does not exist"
        ));
    }
    if detected.bibliographies.is_empty() {
        note("warning: no bibliography found; add it under `bibliography` in the file");
    }
    CLEAN
}

/// Completions and the manual page come from the same clap definitions as
/// `--help`, so they cannot drift from it.
fn completions(shell: ShellArg) -> u8 {
    use clap_complete::Shell;
    let shell = match shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Elvish => Shell::Elvish,
        ShellArg::Powershell => Shell::PowerShell,
    };
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "refkeeper", &mut out);
    print_bytes(&out)
}

fn man() -> u8 {
    let command = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(command).render(&mut out) {
        return fail(&e.to_string());
    }
    print_bytes(&out)
}

fn print_bytes(bytes: &[u8]) -> u8 {
    let mut stdout = io::stdout().lock();
    match written_or_pipe(stdout.write_all(bytes).and_then(|()| stdout.flush())) {
        Ok(()) => CLEAN,
        Err(status) => status,
    }
}

/// Runs `work`; when it takes long (more than half a second) and stderr is
/// a terminal, shows on stderr what is being done and for how long,
/// erased when done. Never when stderr is piped or redirected, and never
/// for machine-readable output (`wanted` is false).
fn with_progress<T>(wanted: bool, doing: &str, work: impl FnOnce() -> T) -> T {
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
