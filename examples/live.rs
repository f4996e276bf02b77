//! Times a live check on a project: the first check, then a chapter
//! changed and checked again (what the language server does per keystroke):
//! even edits cite a missing key, odd ones an entry nobody cited before.
//! `cargo run --release --example live -- FOLDER CHAPTER`
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().expect("a project folder"));
    let chapter = PathBuf::from(args.next().expect("a chapter of it"));
    let request = refkeeper::Request {
        cwd: std::fs::canonicalize(&root).unwrap(),
        config: refkeeper::ConfigSource::Ignore,
        ..Default::default()
    };
    let start = Instant::now();
    let mut session = refkeeper::Session::load(&request).unwrap();
    let mut live = session.live();
    let report = live.report(&session);
    println!(
        "first check: {:.1} ms ({} findings)",
        start.elapsed().as_secs_f64() * 1e3,
        report.findings.len()
    );
    let file = session
        .sources()
        .find(&chapter)
        .expect("the chapter is read");
    let text = session.sources().get(file).text.clone();
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    // An entry nobody cites: citing it takes its unused-entry finding away.
    let unused_key = report
        .findings
        .iter()
        .find(|d| d.code == refkeeper::Code::UnusedEntry)
        .and_then(|d| d.key.clone());
    for run in 0..runs {
        let edited = match (&unused_key, run % 2) {
            (Some(key), 1) => format!("{text}\n\\cite{{{key}}}"),
            _ => format!("{text}\n\\cite{{new{run}}} [@new{run}]"),
        };
        let begin = Instant::now();
        session.set_text(&chapter, edited);
        let t1 = begin.elapsed();
        live.changed(&session, file);
        let t2 = begin.elapsed();
        let report = live.report(&session);
        let t3 = begin.elapsed();
        println!(
            "edit {run}: set_text {:.1} ms, changed {:.1} ms, report {:.1} ms ({} findings)",
            t1.as_secs_f64() * 1e3,
            (t2 - t1).as_secs_f64() * 1e3,
            (t3 - t2).as_secs_f64() * 1e3,
            report.findings.len()
        );
    }
}
