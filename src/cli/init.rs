//! `refkeeper init`: a commented refkeeper.toml from what the project's
//! documents declare.

use std::path::PathBuf;

use super::args::InitArgs;
use super::output::{Destination, deliver, note, permit, unread_lines};
use super::{Failure, Status};

pub fn run(args: InitArgs) -> Result<Status, Failure> {
    let folder = args.folder.unwrap_or_else(|| PathBuf::from("."));
    if !folder.is_dir() {
        return Err(Failure::new(format!("{}: not a folder", folder.display())));
    }
    let detected = refkeeper::init::detect(&folder);
    unread_lines(&detected.unread);
    let target = folder.join(refkeeper::config::FILE_NAME);
    let destination = if args.stdout {
        Destination::Stdout
    } else {
        Destination::File(target.clone())
    };
    let permit = permit(&detected.unread, &destination)?;
    let text = refkeeper::init::config_text(&detected);
    if args.stdout {
        deliver(&permit, &destination, text.as_bytes())?;
        return Ok(Status::Clean);
    }
    if target.exists() && !args.force {
        return Err(Failure::new(format!(
            "{} exists; --force replaces it, --stdout prints the new one",
            target.display()
        )));
    }
    deliver(&permit, &destination, text.as_bytes())?;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let read = match (&detected.project_file, detected.documents.len()) {
        (Some(project), _) => format!("the project in {project}"),
        (None, 0) => format!(
            "{} chapter pattern{}",
            detected.chapters.len(),
            plural(detected.chapters.len())
        ),
        (None, n) => format!("{n} document{}", plural(n)),
    };
    note(&format!(
        "wrote {}: {read}, {} bibliography file{}",
        target.display(),
        detected.bibliographies.len(),
        plural(detected.bibliographies.len()),
    ));
    for (bib, from) in &detected.missing {
        note(&format!(
            "warning: {from} names {bib}, which does not exist"
        ));
    }
    if detected.bibliographies.is_empty() {
        note("warning: no bibliography found; add it under `bibliography` in the file");
    }
    Ok(Status::Clean)
}
