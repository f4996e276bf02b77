//! SARIF 2.1.0, the format GitHub code scanning (and other CI services)
//! reads: one run of the tool with a rule for every diagnostic code, its
//! texts taken from the documentation `refkeeper explain` prints, and one
//! result per finding. Files that could not be read are tool execution
//! notifications. Columns count Unicode code points, as refkeeper's do.

use std::io::{self, Write};

use serde::Serialize;

use super::locate;
use crate::Report;
use crate::config::Level;
use crate::diagnostic::{Code, Diagnostic, Label, Severity};
use crate::source::SourceMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    results: Vec<SarifResult<'a>>,
    invocations: [Invocation; 1],
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: Fingerprints,
}

/// What identifies a finding across commits, whatever line it moves to:
/// its code, file and message, and which of identical ones it is
/// (GitHub code scanning matches alerts by it).
#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "refkeeperFinding/v1")]
    finding: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<TextRef<'a>>,
}

#[derive(Serialize)]
struct TextRef<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

/// Writes the SARIF 2.1.0 log of a check.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // The log borrows from each finding: all made in full first.
    let findings: Vec<_> = report.findings.iter().collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "refkeeper",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: Code::ALL.iter().map(|&code| rule(code)).collect(),
                },
            },
            results: {
                let mut seen: std::collections::HashMap<String, usize> =
                    std::collections::HashMap::new();
                findings
                    .iter()
                    .map(|d| {
                        let identity = format!(
                            "{}\u{1f}{}\u{1f}{}",
                            d.code.as_str(),
                            report.sources.get(d.primary.file).path.display(),
                            d.message
                        );
                        let occurrence = seen.entry(identity.clone()).or_default();
                        *occurrence += 1;
                        let fingerprint = format!("{:016x}:{occurrence}", fnv1a(&identity));
                        result(&report.sources, d, fingerprint)
                    })
                    .collect()
            },
            invocations: [Invocation {
                execution_successful: report.unread.is_empty(),
                tool_execution_notifications: report
                    .unread
                    .iter()
                    .map(|e| Notification {
                        level: "error",
                        message: Text {
                            text: e.to_string(),
                        },
                    })
                    .chain(super::withheld_sentence(report).map(|text| Notification {
                        level: "warning",
                        message: Text { text },
                    }))
                    .collect(),
            }],
            column_kind: "unicodeCodePoints",
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn rule(code: Code) -> Rule {
    Rule {
        id: code.as_str(),
        short_description: Text {
            text: sentence(code.summary()),
        },
        full_description: Text {
            text: what_it_checks(code.explanation()),
        },
        help: Text {
            text: code.explanation().trim_end().to_owned(),
        },
        default_configuration: Configuration {
            level: match code.default_level() {
                Level::Deny => "error",
                Level::Warn => "warning",
                Level::Allow => "none",
            },
        },
    }
}

/// The explanation's first part ("What it checks"), as one paragraph.
fn what_it_checks(explanation: &str) -> String {
    let paragraph: Vec<&str> = explanation
        .lines()
        .skip_while(|line| line.trim() == "What it checks")
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    paragraph.join(" ")
}

/// "a citation whose key ..." as a sentence.
fn sentence(summary: &str) -> String {
    let mut chars = summary.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}

/// FNV-1a, 64 bits: a hash that stays the same across versions and
/// machines, as a fingerprint must.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn result<'a>(sources: &SourceMap, d: &'a Diagnostic, fingerprint: String) -> SarifResult<'a> {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    SarifResult {
        rule_id: d.code.as_str(),
        rule_index: Code::ALL.iter().position(|&c| c == d.code).unwrap_or(0),
        level: match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        message: Text { text },
        locations: [location(sources, &d.primary, None)],
        related_locations: d
            .related
            .iter()
            .enumerate()
            .map(|(i, label)| location(sources, label, Some(i + 1)))
            .collect(),
        partial_fingerprints: Fingerprints {
            finding: fingerprint,
        },
    }
}

fn location<'a>(sources: &SourceMap, label: &'a Label, id: Option<usize>) -> Location<'a> {
    let at = locate(sources, label);
    Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri_reference(&at.path.to_string_lossy()),
            },
            region: Region {
                start_line: at.start.line,
                start_column: at.start.column,
                end_line: at.end.line,
                end_column: at.end.column,
            },
        },
        message: label.message.as_deref().map(|text| TextRef { text }),
    }
}

/// A path as a relative URI reference: forward slashes, and every byte
/// outside the unreserved set and `/` percent-encoded (`my notes.md` is
/// `my%20notes.md`). Absolute paths become `file://` URIs.
fn uri_reference(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut uri = String::with_capacity(path.len());
    if path.starts_with('/') {
        uri.push_str("file://");
    }
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_reference("chapters/intro.md"), "chapters/intro.md");
        assert_eq!(uri_reference("my notes/ü.md"), "my%20notes/%C3%BC.md");
        assert_eq!(uri_reference("/tmp/a b.bib"), "file:///tmp/a%20b.bib");
        assert_eq!(uri_reference("refs\\study.bib"), "refs/study.bib");
    }

    #[test]
    fn every_rule_has_a_description_and_the_whole_explanation() {
        for &code in Code::ALL {
            let rule = rule(code);
            assert!(rule.full_description.text.len() > 40, "{code:?}");
            assert!(!rule.full_description.text.contains("What it checks"));
            assert!(rule.help.text.contains("How to silence it"), "{code:?}");
        }
    }

    #[test]
    fn summaries_become_sentences() {
        assert_eq!(
            sentence("a citation whose key is not in any bibliography"),
            "A citation whose key is not in any bibliography."
        );
    }
}
