//! The `refkeeper` binary: arguments in, calls into the library, output and
//! an exit status out. No logic of its own.

mod cli;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{CheckArgs, Cli, ColorArg, Command, DenyArg, FormatArg};
use refkeeper::diagnostic::{Code, Severity};
use refkeeper::render::{self, OutputFormat, RenderOptions};
use refkeeper::{CheckRequest, ConfigSource, Report};

/// Exit status: no errors.
const CLEAN: u8 = 0;
/// Exit status: findings at error level.
const FINDINGS: u8 = 1;
/// Exit status: refkeeper could not do its job.
const FAILURE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Check(args) => check(args),
        Command::Explain { code } => explain(code.as_deref()),
    };
    ExitCode::from(status)
}

fn check(args: CheckArgs) -> u8 {
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(e) => return fail(&format!("cannot read the working folder: {e}")),
    };
    let config = match (args.config, args.no_config) {
        (Some(path), _) => ConfigSource::File(path),
        (None, true) => ConfigSource::Ignore,
        (None, false) => ConfigSource::Discover,
    };
    let request = CheckRequest {
        paths: args.paths,
        bibliographies: args.bibliographies,
        config,
        cwd,
    };
    let report = match refkeeper::check(&request) {
        Ok(report) => report,
        Err(e) => return fail(&e.to_string()),
    };
    let format = match args.format {
        FormatArg::Human => OutputFormat::Human,
        FormatArg::Json => OutputFormat::Json,
        FormatArg::Github => OutputFormat::Github,
    };
    let color = format == OutputFormat::Human && use_color(args.color, io::stdout().is_terminal());
    if format != OutputFormat::Github {
        for error in &report.read_errors {
            error_line(&error.to_string());
        }
    }
    let mut stdout = io::stdout().lock();
    let written = render::render(&report, format, RenderOptions { color }, &mut stdout)
        .and_then(|()| stdout.flush());
    if let Err(e) = written {
        // A closed pipe (`refkeeper check | head`) is the reader's choice, not a failure.
        if e.kind() != io::ErrorKind::BrokenPipe {
            return fail(&format!("cannot write the report: {e}"));
        }
    }
    exit_status(&report, args.deny == Some(DenyArg::Warnings))
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
    let mut stdout = io::stdout().lock();
    let text = match code {
        None => {
            let mut list =
                String::from("Diagnostic codes (refkeeper explain CODE for details):\n\n");
            for code in Code::ALL {
                list.push_str(&format!(
                    "  {:<18} {:<8} {}\n",
                    code.as_str(),
                    code.default_severity().as_str(),
                    code.summary()
                ));
            }
            list
        }
        Some(name) => match name.parse::<Code>() {
            Ok(code) => format!(
                "{} ({} by default): {}\n\n{}\n",
                code.as_str(),
                code.default_severity().as_str(),
                code.summary(),
                code.explanation()
            ),
            Err(e) => {
                let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
                return fail(&format!("{e}; known codes: {}", known.join(", ")));
            }
        },
    };
    match stdout.write_all(text.as_bytes()) {
        Ok(()) => CLEAN,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => CLEAN,
        Err(e) => fail(&format!("cannot write: {e}")),
    }
}

fn error_line(message: &str) {
    let _ = writeln!(io::stderr(), "refkeeper: error: {message}");
}

fn fail(message: &str) -> u8 {
    error_line(message);
    FAILURE
}
