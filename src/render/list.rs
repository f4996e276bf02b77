//! `refkeeper list`: one line per citation (`file:line:col: key`), or the
//! same rows as JSON or CSV for scripts and spreadsheets.

use std::io::{self, Write};

use serde::Serialize;

use crate::ListedCitation;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    citations: &'a [ListedCitation],
}

/// One line per citation: `file:line:col: key`, `(missing)` after a key in no bibliography.
pub fn text(citations: &[ListedCitation], out: &mut dyn Write) -> io::Result<()> {
    for c in citations {
        let missing = if c.in_bibliography { "" } else { " (missing)" };
        writeln!(
            out,
            "{}:{}:{}: {}{missing}",
            c.file, c.line, c.column, c.key
        )?;
    }
    Ok(())
}

/// `{"version": 1, "citations": [{"file", "line", "column", "key", "kind",
/// "in_bibliography"}]}`.
pub fn json(citations: &[ListedCitation], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &Document {
            version: 1,
            citations,
        },
    )?;
    writeln!(out)
}

/// RFC 4180: a header, CRLF line ends, fields quoted when they hold a
/// comma, a quote or a line break.
pub fn csv(citations: &[ListedCitation], out: &mut dyn Write) -> io::Result<()> {
    write!(out, "file,line,column,key,kind,in_bibliography\r\n")?;
    for c in citations {
        write!(
            out,
            "{},{},{},{},{},{}\r\n",
            csv_field(&c.file),
            c.line,
            c.column,
            csv_field(&c.key),
            c.kind,
            c.in_bibliography
        )?;
    }
    Ok(())
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(file: &str, key: &str) -> ListedCitation {
        ListedCitation {
            file: file.to_owned(),
            line: 3,
            column: 7,
            key: key.to_owned(),
            kind: "cite",
            in_bibliography: false,
        }
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        let mut out = Vec::new();
        csv(&[row("a,b.md", "k\"1"), row("c.md", "plain")], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "file,line,column,key,kind,in_bibliography\r\n\
             \"a,b.md\",3,7,\"k\"\"1\",cite,false\r\n\
             c.md,3,7,plain,cite,false\r\n"
        );
    }

    #[test]
    fn text_marks_missing_keys() {
        let mut out = Vec::new();
        text(&[row("c.md", "k")], &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "c.md:3:7: k (missing)\n");
    }
}
