//! `--format sarif` against the SARIF 2.1.0 JSON schema (the copy the
//! serde-sarif crate ships; found through `cargo metadata`), on projects
//! that produce every kind of result: errors and warnings, related
//! locations, files that cannot be read, paths that need escaping.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::{project, refkeeper};
use serde_json::Value;

/// The SARIF 2.1.0 schema from the serde-sarif package's sources.
fn sarif_schema() -> Value {
    // Only this platform's packages: the others were never downloaded.
    let rustc = Process::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc runs");
    let host = String::from_utf8(rustc.stdout)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc -vV names the host");
    let metadata = Process::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", &host, "--manifest-path"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        metadata.status.success(),
        "{}",
        String::from_utf8_lossy(&metadata.stderr)
    );
    let metadata: Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif is a dev-dependency");
    let schema = PathBuf::from(manifest).with_file_name("src/schema.json");
    let text =
        std::fs::read_to_string(&schema).unwrap_or_else(|e| panic!("{}: {e}", schema.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    schema
}

fn sarif_of(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let output = refkeeper()
        .args(["check", "--no-config", "--format", "sarif"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let log = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.code(), log)
}

fn assert_valid(schema: &Value, log: &Value) {
    let validator = jsonschema::validator_for(schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}\n{log:#}", errors.join("\n"));
}

#[test]
fn findings_of_every_kind_are_valid_sarif() {
    let schema = sarif_schema();
    let dir = project(&[
        (
            "refs/a.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}\n\
              @book{Kim2007, author = {Kim, M.}, title = {B}, date = 2007}\n\
              @article{lee2010, author = {Lee}, title = {C}, journaltitle = {J}, date = {2010-13}}\n\
              @book{broken, title = {x}",
        ),
        ("refs/b.bib", b"@book{kim2007, title = {again}}"),
        ("chapters/one two.md", "[@kim2007] [@kim2008] [@lee2010] 한국 [@박2020]".as_bytes()),
        ("chapters/c.tex", b"\\cite{kim2007,nope}"),
    ]);
    let (status, log) = sarif_of(
        dir.path(),
        &["chapters", "chapters/gone.md", "--bib", "refs"],
    );
    assert_eq!(status, Some(2), "a missing file makes the status 2");
    assert_valid(&schema, &log);

    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run["results"].as_array().unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index], result["ruleId"],
            "ruleIndex points at the rule"
        );
    }
    let codes: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    for code in [
        "missing-entry",
        "duplicate-key",
        "bib-syntax",
        "invalid-date",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    // A duplicate key points at the first definition too.
    let duplicate = results
        .iter()
        .find(|r| {
            r["ruleId"] == "duplicate-key"
                && r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("more than once")
        })
        .unwrap();
    assert_eq!(
        duplicate["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "refs/a.bib"
    );
    // Paths are URI references; columns count code points.
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let korean = results
        .iter()
        .find(|r| r["message"]["text"].as_str().unwrap().contains("박2020"))
        .unwrap();
    let location = &korean["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "chapters/one%20two.md");
    assert_eq!(location["region"]["startColumn"], 39);
    // The unreadable file is a notification, and the run is not successful.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(
        invocation["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("chapters/gone.md")
    );
}

#[test]
fn a_clean_project_is_a_valid_empty_run() {
    let schema = sarif_schema();
    let dir = project(&[
        (
            "refs/a.bib",
            b"@book{kim2007, author = {Kim, M.}, title = {A}, date = 2007}",
        ),
        ("chapters/a.md", b"[@kim2007]"),
    ]);
    let (status, log) = sarif_of(dir.path(), &[]);
    assert_eq!(status, Some(0));
    assert_valid(&schema, &log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn an_invalid_log_is_caught_by_the_schema_check() {
    // The validation itself must be able to fail.
    let schema = sarif_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let bad = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "refkeeper"}},
                  "results": [{"message": {"text": "x"}, "level": "fatal"}]}]
    });
    assert!(!validator.is_valid(&bad));
}
