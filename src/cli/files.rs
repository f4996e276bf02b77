//! `refkeeper files`: the documents as refkeeper finds them, the files each
//! reads, and the files none reads.

use std::io::{self, Write};

use refkeeper::Session;

use super::output::{note, read_status, unread_lines, written_or_pipe};
use super::{Failure, Status, plan};

pub fn run(args: super::args::FilesArgs) -> Result<Status, Failure> {
    let session = Session::load(&plan::request(args.inputs)?)?;
    unread_lines(session.unread());
    let mut out = String::new();
    if args.left_out {
        for path in session.left_out() {
            out.push_str(&format!("{}\n", path.display()));
        }
    } else {
        for note_text in session.notes() {
            note(&format!("note: {note_text}"));
        }
        let sources = session.sources();
        for document in session.documents() {
            let name = document.root.as_ref().map_or_else(
                || "(chapters without a root)".to_owned(),
                |r| r.display().to_string(),
            );
            out.push_str(&format!("{name} ({})\n", document.toolchain.name()));
            for file in &document.chapters {
                out.push_str(&format!("  {}\n", sources.get(*file).path.display()));
            }
            for file in &document.bibliographies {
                out.push_str(&format!(
                    "  bibliography: {}\n",
                    sources.get(*file).path.display()
                ));
            }
        }
        if !session.left_out().is_empty() {
            out.push_str("left out (no document reads them):\n");
            for path in session.left_out() {
                out.push_str(&format!("  {}\n", path.display()));
            }
        }
    }
    let mut stdout = io::stdout().lock();
    written_or_pipe(
        stdout
            .write_all(out.as_bytes())
            .and_then(|()| stdout.flush()),
    )?;
    Ok(read_status(session.unread(), Status::Clean))
}
