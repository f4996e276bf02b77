//! Criterion benchmarks of refkeeper's stages, each alone: reading the
//! bibliography, each scanner, the citation check and the hygiene checks.
//!
//! Inputs are real: the largest corpus project (lyttle-thesis: its two
//! `.bib` files and LaTeX chapters), gongcastro-thesis's Quarto chapters,
//! and, for size, lyttle-thesis's bibliography repeated 20 times under new
//! keys (about 13,600 entries). Typst has no corpus project; its input is
//! the Typst chapter of the `clean` fixture, repeated 2,000 times. Skipped when ../shared/corpus is missing
//! (or set REFKEEPER_CORPUS).
//!
//!     cargo bench --bench stages
//!
//! Throughput is reported in bytes, so criterion prints MB/s.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use refkeeper::bib::{BibInput, Bibliography};
use refkeeper::check::{ChapterScan, RuleSet};
use refkeeper::document::DocumentKind;
use refkeeper::scan::{ScanOptions, scan};
use refkeeper::source::{FileId, FileRole, SourceFile, SourceMap, Text};

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("REFKEEPER_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    dir.join("SOURCES.md").exists().then_some(dir)
}

/// The files under `dir` with extension `ext`, read, in path order.
fn texts(dir: &Path, ext: &str) -> Vec<String> {
    fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(dir, ext, &mut paths);
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// lyttle-thesis's bibliography `times` over, the keys of each copy after
/// the first suffixed.
fn repeated_bib(corpus: &Path, times: usize) -> String {
    let bib = std::fs::read_to_string(corpus.join("lyttle-thesis/references.bib")).unwrap();
    let mut out = String::with_capacity(bib.len() * times);
    for copy in 0..times {
        // `@type{key,` becomes `@type{key-copy,`: a crude rewrite that
        // is enough for a benchmark input.
        for line in bib.lines() {
            match (line.starts_with('@'), line.find(',')) {
                // The first copy keeps its keys, so that the chapters' citations resolve.
                (true, Some(comma))
                    if copy > 0 && !line.to_ascii_lowercase().starts_with("@string") =>
                {
                    out.push_str(&line[..comma]);
                    out.push_str(&format!("-{copy}"));
                    out.push_str(&line[comma..]);
                }
                _ => out.push_str(line),
            }
            out.push('\n');
        }
    }
    out
}

fn sources_of(bib: &str, chapters: &[String]) -> SourceMap {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new(
        "big.bib".into(),
        FileRole::Bibliography,
        bib.to_owned(),
    ));
    for (i, text) in chapters.iter().enumerate() {
        sources.add(SourceFile::new(
            format!("{i}.tex").into(),
            FileRole::Chapter,
            text.clone(),
        ));
    }
    sources
}

fn stages(c: &mut Criterion) {
    let Some(corpus) = corpus() else {
        eprintln!("stages: no corpus, nothing to measure");
        return;
    };
    let bib = repeated_bib(&corpus, 20);
    let latex = texts(&corpus.join("lyttle-thesis"), "tex");
    let quarto = texts(&corpus.join("gongcastro-thesis"), "qmd");
    let typst = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean/chapters/three.typ"),
    )
    .ok();
    let options = ScanOptions::default();

    let mut group = c.benchmark_group("stages");
    group.sample_size(20);

    group.throughput(Throughput::Bytes(bib.len() as u64));
    // Shared, as a session shares it: not copied in the loop.
    let bib_text = Text::from(bib.as_str());
    group.bench_function("parse bibliography (13.6k entries)", |b| {
        b.iter(|| Bibliography::read(&[BibInput::bib(FileId(0), &bib_text)]))
    });

    for (name, format, files) in [
        ("scan LaTeX (lyttle-thesis)", DocumentKind::Latex, &latex),
        (
            "scan Quarto (gongcastro-thesis)",
            DocumentKind::Markdown,
            &quarto,
        ),
    ] {
        let bytes: usize = files.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for text in files.iter() {
                    std::hint::black_box(scan(text, format, &options));
                }
            })
        });
    }
    if let Some(text) = typst {
        let typ: String = text.repeat(2000);
        group.throughput(Throughput::Bytes(typ.len() as u64));
        group.bench_function("scan Typst", |b| {
            b.iter(|| scan(&typ, DocumentKind::Typst, &options))
        });
    }

    // The checks on what the stages above produce.
    let sources = sources_of(&bib, &latex);
    let (parsed, _) = Bibliography::read(&[BibInput::bib(FileId(0), &bib_text)]);
    let chapters: Vec<ChapterScan> = latex
        .iter()
        .enumerate()
        .map(|(i, t)| ChapterScan {
            file: FileId(i as u32 + 1),
            output: Arc::new(scan(t, DocumentKind::Latex, &options)),
        })
        .collect();
    let rules = RuleSet::default();
    group.throughput(Throughput::Elements(parsed.entries.len() as u64));
    group.bench_function("check citations (13.6k entries)", |b| {
        b.iter(|| refkeeper::check::check(&parsed, &chapters, &rules))
    });
    group.bench_function("hygiene checks (13.6k entries)", |b| {
        b.iter(|| refkeeper::check::entries::check(&parsed, &sources, &rules))
    });

    // Printing: the findings of a check of the same project (most of them
    // unused entries, kept as the entries they are about until printed),
    // as `check` prints them: text without colour, and JSON.
    let report = refkeeper::Session::new(
        refkeeper::config::Config::default(),
        sources_of(&bib, &latex),
    )
    .check();
    group.throughput(Throughput::Elements(report.findings.len() as u64));
    group.bench_function("print findings as text (13.6k entries)", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            refkeeper::render::human::render_diagnostics(
                &report.sources,
                &report.findings,
                false,
                &mut out,
            )
        })
    });
    group.bench_function("print findings as JSON (13.6k entries)", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            refkeeper::render::json::render(&report, &mut out)
        })
    });

    // What an editor waits for: one chapter edited (a citation added and
    // taken away in turn) against the bibliography already checked.
    let index = refkeeper::check::suggest::SuggestIndex::default();
    let mut edited = chapters.clone();
    let mut live = refkeeper::check::LiveCitations::new(&parsed, &edited, &rules, &index);
    let first = edited[0].file;
    let plain = edited[0].output.clone();
    // An entry no chapter cites: citing it and taking it away again
    // changes the unused entries both ways.
    let used = refkeeper::check::used_entries(&parsed, &chapters);
    let uncited = used.iter().position(|u| !u).unwrap_or(0);
    let with_citation = Arc::new(scan(
        &format!(
            "{}\n\\cite{{{}}} \\cite{{no-such-key}}",
            latex[0],
            parsed.key(&parsed.entries[uncited])
        ),
        DocumentKind::Latex,
        &options,
    ));
    let mut turn = false;
    group.throughput(Throughput::Elements(1));
    group.bench_function("live check of one edited chapter (13.6k entries)", |b| {
        b.iter(|| {
            turn = !turn;
            edited[0].output = if turn {
                with_citation.clone()
            } else {
                plain.clone()
            };
            live.changed(&parsed, &edited, first, &rules, &index);
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
