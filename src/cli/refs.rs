//! `refkeeper refs`: the References in a style, printed, written between
//! the marker lines of a file, or compared with them (`--check`).

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

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
    let action = action(&args.write, args.check, args.format, &session)?;
    // The CSL data needs no style.
    let style: Option<Style> = match action {
        Action::Print(RefsFormatArg::CslJson) => None,
        _ => Some(session.style(args.style.as_deref(), args.locale.as_deref())?),
    };
    let refs = with_progress(true, "formatting the References", || {
        session.references(style.as_ref().map(|s| &s.engine), args.all)
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
        written_or_pipe(stdout.write_all(section::diff(&old, &new, &shown).as_bytes()))?;
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

/// The action the flags ask for: `--write FILE`, or `[refs] file` with
/// `--write`/`--check`; printing otherwise.
fn action(
    write: &Option<Option<PathBuf>>,
    check: bool,
    format: RefsFormatArg,
    session: &Session,
) -> Result<Action, Failure> {
    let configured = (session.config().refs.file.as_ref()).map(|f| session.root().join(f));
    let file = match write {
        Some(Some(path)) => Some(refkeeper::inputs::join(session.cwd(), path)),
        Some(None) => configured,
        None if check => configured,
        None => return Ok(Action::Print(format)),
    };
    let file = file.ok_or_else(|| {
        Failure::new(
            "no file to update: name it with --write FILE or set `file` under [refs] in refkeeper.toml",
        )
    })?;
    Ok(if check {
        Action::Check(file)
    } else {
        Action::Write(file)
    })
}
