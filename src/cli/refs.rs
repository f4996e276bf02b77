//! `refkeeper refs`: the References in a style, printed, written between
//! the marker lines of a file, or compared with them (`--check`).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use refkeeper::csl::engine::localisation_of_locale;
use refkeeper::csl::mapping::Localisation;
use refkeeper::document::{DocumentKind, section};
use refkeeper::render::{self, plural, references::Target};
use refkeeper::write::InputsUnread;
use refkeeper::{Session, Style};

use super::args::{RefsArgs, RefsFormatArg, ToArg};
use super::output::{
    Destination, deliver, note, permit, unread_lines, use_color, with_progress, written_or_pipe,
};
use super::{Failure, Status, plan};

/// What `refs` does with the References.
enum Action {
    /// Print them (text, JSON or CSL-JSON).
    Print(RefsFormatArg),
    /// Replace the section between the marker lines of this file.
    Write(PathBuf),
    /// Compare the section of this file with them.
    Check(PathBuf),
}

pub fn run(args: RefsArgs) -> Result<Status, Failure> {
    let mut request = plan::request(args.inputs)?;
    request.chapters_optional = args.all;
    let session = Session::load(&request)?;
    let action = action(&args.write, &args.check, args.format, &session)?;
    // The CSL data needs no style, but is read in the language of the
    // References (biblatex's localisation keys): the style's, the
    // locale's, else English.
    let (style, localisation): (Option<Style>, Localisation) = match action {
        Action::Print(RefsFormatArg::CslJson) => {
            match session.style(args.style.as_deref(), args.locale.as_deref()) {
                Ok(style) => (None, style.engine.localisation()),
                Err(refkeeper::Error::NoStyle) => (
                    None,
                    session
                        .locale(args.locale.as_deref())
                        .map_or_else(Localisation::default, localisation_of_locale),
                ),
                Err(error) => return Err(error.into()),
            }
        }
        _ => {
            let style = session.style(args.style.as_deref(), args.locale.as_deref())?;
            let localisation = style.engine.localisation();
            (Some(style), localisation)
        }
    };
    let refs = with_progress(true, "formatting the References", || {
        session.references_in(style.as_ref().map(|s| &s.engine), &localisation, args.all)
    });

    unread_lines(&refs.unread);
    if !refs.findings.is_empty() {
        let color = use_color(args.color, io::stderr().is_terminal());
        let _ = render::human::render_diagnostics(
            &refs.sources,
            &refs.findings,
            color,
            &mut io::stderr().lock(),
        );
    }
    for message in &refs.value.notes {
        note(&format!("warning: {message}"));
    }

    // References made from part of the inputs would replace good ones:
    // nothing is written, compared or printed unless every input was read.
    let destination = match &action {
        Action::Write(path) | Action::Check(path) => {
            Destination::File(refkeeper::inputs::shown_path(path, session.cwd()))
        }
        Action::Print(_) => Destination::Stdout,
    };
    if let (Action::Check(_), Some(unread)) = (&action, InputsUnread::of(&refs.unread)) {
        return Err(Failure::new(format!(
            "{destination}: not compared: {unread}"
        )));
    }
    let permit = permit(&refs.unread, &destination)?;
    let target = |default: Target| match args.to {
        Some(ToArg::Text) => Target::Text,
        Some(ToArg::Markdown) => Target::Markdown,
        Some(ToArg::Html) => Target::Html,
        Some(ToArg::Latex) => Target::Latex,
        Some(ToArg::Typst) => Target::Typst,
        None => default,
    };
    let references = &refs.value.references;

    let path = match &action {
        Action::Write(path) | Action::Check(path) => path,
        Action::Print(format) => {
            let text = match format {
                RefsFormatArg::Text => {
                    let body = render::references::write_all(references, target(Target::Text));
                    if body.is_empty() { body } else { body + "\n" }
                }
                RefsFormatArg::Json => {
                    let name = style.as_ref().map_or("", |s| s.name.as_str());
                    render::references::json(references, name, target(Target::Text))
                }
                RefsFormatArg::CslJson => render::references::csl_json(&refs.value.items),
            };
            deliver(&permit, &destination, text.as_bytes())?;
            return Ok(Status::Clean);
        }
    };

    let shown = destination.to_string();
    let old = refkeeper::source::read_text(path, std::path::Path::new(&shown))
        .map_err(|e| Failure::new(e.to_string()))?;
    let kind = DocumentKind::of(path);
    let body = render::references::write_all(references, target(kind.target()));
    let new = section::replace(&old, kind.markers(), &body)
        .map_err(|e| Failure::new(format!("{shown}: {e}")))?;
    let count = references.len();
    if new == old {
        note(&format!(
            "{shown}: References up to date ({})",
            plural(count, "entry", "entries")
        ));
        return Ok(Status::Clean);
    }
    if let Action::Check(_) = action {
        let mut stdout = io::stdout().lock();
        let diff = section::diff(&old, &new, &shown);
        let diff = if use_color(args.color, io::stdout().is_terminal()) {
            colored_diff(&diff)
        } else {
            diff
        };
        written_or_pipe(stdout.write_all(diff.as_bytes()))?;
        super::output::error_line(&format!(
            "{shown}: the References section is out of date; run `refkeeper refs --write {shown}`"
        ));
        return Ok(Status::Findings);
    }
    deliver(&permit, &destination, new.as_bytes())?;
    note(&format!(
        "{shown}: References updated ({})",
        plural(count, "entry", "entries")
    ));
    Ok(Status::Clean)
}

/// A unified diff in the colours of `git diff`: removed lines red, added
/// green, hunk headers cyan, file headers bold.
fn colored_diff(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    for line in diff.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let color = if body.starts_with("+++") || body.starts_with("---") {
            "\x1b[1m"
        } else if body.starts_with("@@") {
            "\x1b[36m"
        } else if body.starts_with('+') {
            "\x1b[32m"
        } else if body.starts_with('-') {
            "\x1b[31m"
        } else {
            ""
        };
        if color.is_empty() {
            out.push_str(line);
        } else {
            out.push_str(color);
            out.push_str(body);
            out.push_str("\x1b[0m");
            out.push_str(end);
        }
    }
    out
}

/// The action the flags ask for: `--write FILE`, `--check FILE`, or
/// `[refs] file` with `--write`/`--check`; printing otherwise.
fn action(
    write: &Option<Option<PathBuf>>,
    check: &Option<Option<PathBuf>>,
    format: RefsFormatArg,
    session: &Session,
) -> Result<Action, Failure> {
    let configured = (session.config().refs.file.as_ref()).map(|f| session.root().join(f));
    let named = match (write, check) {
        (Some(Some(written)), Some(Some(checked))) if written != checked => {
            return Err(Failure::new(format!(
                "--write {} and --check {} name two files: give the file once",
                written.display(),
                checked.display()
            )));
        }
        (_, Some(Some(path))) | (Some(Some(path)), _) => Some(path),
        _ => None,
    };
    let file = match named {
        Some(path) => Some(refkeeper::inputs::join(session.cwd(), path)),
        None if write.is_some() || check.is_some() => configured,
        None => return Ok(Action::Print(format)),
    };
    let file = file.ok_or_else(|| {
        Failure::new(
            "no file to update: name it with --write FILE or --check FILE, or set `file` under [refs] in refkeeper.toml",
        )
    })?;
    Ok(if check.is_some() {
        Action::Check(file)
    } else {
        Action::Write(file)
    })
}
