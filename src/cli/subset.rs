//! `refkeeper subset`: the cited entries, and what they need, as a `.bib`
//! of their own.

use std::io::{self, IsTerminal};

use refkeeper::Session;
use refkeeper::render::{self, plural};

use super::args::{ColorArg, SubsetArgs};
use super::output::{Destination, deliver, error_line, note, permit, unread_lines, use_color};
use super::{Failure, Status, plan};

pub fn run(args: SubsetArgs) -> Result<Status, Failure> {
    let session = Session::load(&plan::request(args.inputs)?)?;
    let outcome = session.subset()?;
    unread_lines(&outcome.unread);
    // Broken entries and duplicate keys are copied as they are; say so.
    if !outcome.findings.is_empty() {
        let color = use_color(ColorArg::Auto, io::stderr().is_terminal());
        let _ = render::human::render_diagnostics(
            &outcome.sources,
            &outcome.findings,
            color,
            &mut io::stderr().lock(),
        );
    }
    let destination = Destination::new(args.output.as_deref());
    let permit = permit(&outcome.unread, &destination)?;
    let cited = &outcome.value;
    deliver(&permit, &destination, cited.subset.text.as_bytes())?;
    note(&format!(
        "{}, {} and {} written to {destination}",
        plural(cited.subset.entries, "entry", "entries"),
        plural(cited.subset.strings, "@string block", "@string blocks"),
        plural(
            cited.subset.preambles,
            "@preamble block",
            "@preamble blocks"
        )
    ));
    for key in &cited.missing {
        error_line(&format!(
            "`{key}` is cited but is not in any bibliography; the subset lacks it"
        ));
    }
    Ok(if cited.missing.is_empty() {
        Status::Clean
    } else {
        Status::Findings
    })
}
