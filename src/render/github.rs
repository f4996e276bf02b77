//! GitHub Actions workflow commands, which show each finding as an
//! annotation on the pull request's diff:
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::message`.

use std::io::{self, Write};

use super::locate;
use crate::Report;
use crate::diagnostic::Severity;

/// Writes one workflow command per finding, and one per unreadable file.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.findings {
        let at = locate(&report.sources, &d.primary);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&at.path.display().to_string()),
            at.start.line,
            at.start.column,
            at.end.line,
            at.end.column,
            escape_property(&format!("refkeeper {}", d.code)),
            escape_data(&message),
        )?;
    }
    for error in report.unread.iter() {
        writeln!(
            out,
            "::error title={}::{}",
            escape_property("refkeeper"),
            escape_data(&error.to_string())
        )?;
    }
    if let Some(withheld) = super::withheld_sentence(report) {
        writeln!(
            out,
            "::warning title={}::{}",
            escape_property("refkeeper"),
            escape_data(&withheld)
        )?;
    }
    Ok(())
}

/// Escapes a command's message: `%`, CR and LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as data, plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(escape_data("50% done\nnext\r"), "50%25 done%0Anext%0D");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
