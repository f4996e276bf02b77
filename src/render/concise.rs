//! One line per finding, `file:line:col: severity[code]: message`, the
//! form Vim's quickfix list (`:set errorformat=%f:%l:%c:\\ %m`) and Emacs'
//! compilation mode read, then the summary line (unless quiet).

use std::io::{self, Write};

use super::{RenderOptions, human, locate};
use crate::Report;

/// Writes each finding on one line, then the summary line.
pub fn render(report: &Report, options: RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    for finding in &report.findings {
        let at = locate(&report.sources, &finding.primary);
        // A message is one line; a line break in one (a key holding one)
        // would split the finding for the tools that read this.
        let message = finding.message.replace(['\n', '\r'], " ");
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {message}",
            at.path.display(),
            at.start.line,
            at.start.column,
            finding.severity.as_str(),
            finding.code.as_str(),
        )?;
    }
    if !options.quiet {
        human::summary_line(report, false, out)?;
    }
    Ok(())
}
