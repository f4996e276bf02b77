//! `refkeeper list`: every citation with its place, as text, JSON or CSV.

use std::io::{self, Write};

use refkeeper::Session;
use refkeeper::render;

use super::args::{ListArgs, ListFormatArg};
use super::output::{read_status, unread_lines, written_or_pipe};
use super::{Failure, Status, plan};

pub fn run(args: ListArgs) -> Result<Status, Failure> {
    let session = Session::load(&plan::request(args.inputs)?)?;
    let listing = session.list();
    unread_lines(&listing.unread);
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let citations = &listing.value;
    let written = match args.format {
        ListFormatArg::Text => render::list::text(citations, &mut stdout),
        ListFormatArg::Json => render::list::json(citations, &mut stdout),
        ListFormatArg::Csv => render::list::csv(citations, &mut stdout),
    }
    .and_then(|()| stdout.flush());
    written_or_pipe(written)?;
    Ok(read_status(&listing.unread, Status::Clean))
}
