//! `refkeeper check`: the findings, in the chosen format, and the exit
//! status they make.

use std::io::{self, IsTerminal, Write};

use refkeeper::render::{self, OutputFormat, RenderOptions};
use refkeeper::source::FileRole;
use refkeeper::{Report, Session, Severity};

use super::args::{CheckArgs, FormatArg};
use super::output::{note, unread_lines, use_color, with_progress, written_or_pipe};
use super::{Failure, Status, plan, watch};

pub fn run(args: CheckArgs) -> Result<Status, Failure> {
    let mut request = plan::request(args.inputs)?;
    let (levels, deny_warnings) = plan::levels(&args.allow, &args.warn, &args.deny)?;
    request.levels = levels;
    if args.watch {
        if args.format != FormatArg::Human {
            return Err(Failure::new(
                "--watch prints what changed as text; leave out --format",
            ));
        }
        return watch::run(&request, use_color(args.color, io::stdout().is_terminal()));
    }
    let format = plan::output_format(args.format);
    let session = with_progress(format == OutputFormat::Human, "checking", || {
        Session::load(&request)
    })?;
    let report = with_progress(format == OutputFormat::Human, "checking", || {
        session.check()
    });
    let color = format == OutputFormat::Human && use_color(args.color, io::stdout().is_terminal());
    // GitHub annotations carry the unread files themselves.
    if format != OutputFormat::Github {
        unread_lines(&report.unread);
    }
    let quiet = args.quiet;
    if format == OutputFormat::Human && !quiet {
        for note_text in session.notes() {
            note(&format!("note: {note_text}"));
        }
    }
    // What was found, when it was found rather than given.
    let mut header = String::new();
    if format == OutputFormat::Human && session.discovered() && !quiet && !args.statistics {
        header = documents_header(&session);
    }
    // Stdout is line-buffered; thousands of findings are written in one go.
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let options = RenderOptions { color, quiet };
    let written = stdout
        .write_all(header.as_bytes())
        .and_then(|()| {
            if args.statistics {
                render::human::statistics(&report, &mut stdout).and_then(|()| {
                    if quiet {
                        Ok(())
                    } else {
                        render::human::summary_line(&report, color, &mut stdout)
                    }
                })
            } else {
                render::render(&report, format, options, &mut stdout)
            }
        })
        .and_then(|()| stdout.flush());
    written_or_pipe(written)?;
    let status = exit_status(&report, deny_warnings);
    // The process ends here: the operating system takes back its memory at
    // once, where dropping the report and the session would free a large
    // bibliography's entries and findings one by one (tens of
    // milliseconds at 100,000 entries).
    std::mem::forget(report);
    std::mem::forget(session);
    Ok(status)
}

fn exit_status(report: &Report, deny_warnings: bool) -> Status {
    if !report.unread.is_empty() {
        Status::Failure
    } else if report.count(Severity::Error) > 0
        || (deny_warnings && report.count(Severity::Warning) > 0)
    {
        Status::Findings
    } else {
        Status::Clean
    }
}

/// One line per document found: its root, what reads it, how many files,
/// and the bibliographies it is checked against.
fn documents_header(session: &Session) -> String {
    let sources = session.sources();
    let mut header = String::new();
    for document in session.documents() {
        let Some(root) = &document.root else {
            continue;
        };
        let bibliographies: Vec<String> = document
            .bibliographies
            .iter()
            .map(|&f| {
                let source = sources.get(f);
                match source.role {
                    // A chapter that lists its entries inline.
                    FileRole::Chapter => format!("{} (references:)", source.path.display()),
                    _ => source.path.display().to_string(),
                }
            })
            .collect();
        let files = document.chapters.len();
        header.push_str(&format!(
            "document: {} ({}, {} {}) against {}\n",
            root.display(),
            document.toolchain.name(),
            files,
            if files == 1 { "file" } else { "files" },
            if bibliographies.is_empty() {
                "no bibliography".to_owned()
            } else {
                bibliographies.join(", ")
            }
        ));
    }
    header
}
