//! Writes a large synthetic project for benchmarks: a bibliography of N
//! entries with realistic fields and M chapter files in LaTeX, Markdown and
//! Typst that cite a subset of the entries plus a few missing keys.
//! Deterministic: the same arguments always give the same bytes.
//!
//! ```text
//! cargo run --release --example generate -- --entries 100000 --chapters 200 --out /tmp/big
//! refkeeper check /tmp/big/chapters --bib /tmp/big/refs/big.bib
//! ```
//!
//! Also writes `main.aux` (the citations as `\citation{...}` lines and
//! `\bibdata{refs/big}`) so that checkcites can read the same project.
//!
//! Switches give the bibliography the shapes real files have (each off by
//! default, so the default bytes never change; `--messy` turns all on with
//! the shares of a hand-kept, many-tool bibliography):
//!
//! ```text
//! --uppercase             @ARTICLE{..., AUTHOR = ...}
//! --quoted                values in "double quotes" instead of braces
//! --concatenation         @string macros joined with # in titles and notes
//! --non-latin             Cyrillic and accented names
//! --comments              @comment and @preamble between entries
//! --cited PERCENT         entries the chapters cite (default 60; messy 15)
//! --missing-field PERCENT entries without a field their type requires (messy 6)
//! --undefined-macro PERCENT entries using a macro no @string defines (messy 5)
//! --messy                 all of the above
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;

/// xorshift64*: small, fast and deterministic, which is all a generator needs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// The shapes the switches turn on (see the module documentation).
#[derive(Debug, Clone, Copy)]
struct Shape {
    uppercase: bool,
    quoted: bool,
    concatenation: bool,
    non_latin: bool,
    comments: bool,
    /// Percent of entries cited.
    cited: usize,
    /// Percent of entries without a required field.
    missing_field: usize,
    /// Percent of entries using an undefined macro.
    undefined_macro: usize,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            uppercase: false,
            quoted: false,
            concatenation: false,
            non_latin: false,
            comments: false,
            cited: 60,
            missing_field: 0,
            undefined_macro: 0,
        }
    }
}

impl Shape {
    fn messy() -> Shape {
        Shape {
            uppercase: true,
            quoted: true,
            concatenation: true,
            non_latin: true,
            comments: true,
            cited: 15,
            missing_field: 6,
            undefined_macro: 5,
        }
    }

    /// A field line: `  name         = {value},` by default.
    fn field(&self, name: &str, value: &str) -> String {
        let name = self.name(name);
        if self.quoted && !value.contains('"') {
            format!("  {name:<12} = \"{value}\",")
        } else {
            format!("  {name:<12} = {{{value}}},")
        }
    }

    /// A field whose value is written as it is (a macro, a concatenation).
    fn raw(&self, name: &str, value: &str) -> String {
        format!("  {:<12} = {value},", self.name(name))
    }

    /// A field or type name, in capitals under `--uppercase`.
    fn name(&self, name: &str) -> String {
        if self.uppercase {
            name.to_uppercase()
        } else {
            name.to_owned()
        }
    }
}

/// Names for `--non-latin`: Cyrillic, and Latin with accents.
const FAMILY_NON_LATIN: &[&str] = &[
    "Назарбаев",
    "Каримов",
    "Токаев",
    "Мирзиёев",
    "Şahin",
    "Müller",
    "Nordström",
    "Đorđević",
];
const GIVEN_NON_LATIN: &[&str] = &["Нурсултан", "Ислам", "Шавкат", "Zoë", "José", "Ægir"];

const FAMILY: &[&str] = &[
    "Kim",
    "Lee",
    "Park",
    "Fumagalli",
    "Pohl",
    "Martin",
    "de Haas",
    "van der Putten",
    "Müller",
    "Dunay",
    "Calder",
    "Ospanov",
    "Nam",
    "Bulag",
    "Oldberg",
    "Nichol",
    "O'Brien",
    "Смирнов",
    "Иванова",
    "Югай",
    "김",
    "이",
    "박",
    "정",
    "Nazarbayeva",
    "Karimova",
    "Żółkiewski",
];
const GIVEN: &[&str] = &[
    "Minjun",
    "Jiyoung",
    "Matteo",
    "J. Otto",
    "Terry",
    "Marcel",
    "Anna",
    "Viktoriya",
    "Pál",
    "Nurlan",
    "In-soo",
    "Uradyn E.",
    "Ingmar",
    "Jim",
    "Сергей",
    "Мария",
    "민준",
    "서연",
    "Jae-nam",
];
const WORDS: &[&str] = &[
    "Korea",
    "Central",
    "Asia",
    "policy",
    "energy",
    "cooperation",
    "security",
    "Silk",
    "Road",
    "diaspora",
    "uranium",
    "Kazakhstan",
    "Uzbekistan",
    "forum",
    "regional",
    "development",
    "history",
    "migration",
    "trade",
    "institutions",
    "{SCO}",
    "{UN}",
    "nuclear",
    "zone",
];
const JOURNALS: &[&str] = &["cas", "jnah", "korfocus", "natpap", "rks", "jmh"];
const TYPES: &[&str] = &[
    "article",
    "article",
    "article",
    "book",
    "incollection",
    "online",
    "report",
    "thesis",
];

fn main() {
    let mut entries = 10_000usize;
    let mut chapters = 20usize;
    let mut out = PathBuf::from("generated");
    let mut shape = Shape::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        let percent = |v: String| -> usize {
            v.parse::<usize>()
                .ok()
                .filter(|p| *p <= 100)
                .unwrap_or_else(|| panic!("{v}: a percentage, 0 to 100"))
        };
        match arg.as_str() {
            "--entries" => entries = value().parse().expect("--entries takes a number"),
            "--chapters" => chapters = value().parse().expect("--chapters takes a number"),
            "--out" => out = PathBuf::from(value()),
            "--messy" => shape = Shape::messy(),
            "--uppercase" => shape.uppercase = true,
            "--quoted" => shape.quoted = true,
            "--concatenation" => shape.concatenation = true,
            "--non-latin" => shape.non_latin = true,
            "--comments" => shape.comments = true,
            "--cited" => shape.cited = percent(value()),
            "--missing-field" => shape.missing_field = percent(value()),
            "--undefined-macro" => shape.undefined_macro = percent(value()),
            other => panic!(
                "unknown argument {other}; use --entries N --chapters M --out DIR and the switches of `examples/generate.rs`"
            ),
        }
    }
    let mut rng = Rng(0x5EED_1991_0000_0001 ^ entries as u64);
    std::fs::create_dir_all(out.join("refs")).unwrap();
    std::fs::create_dir_all(out.join("chapters")).unwrap();

    let mut bib = String::with_capacity(entries * 640);
    bib.push_str("% Generated by examples/generate.rs\n");
    let journal_names = [
        "Central Asian Survey",
        "The Journal of Northeast Asian History",
        "Korea Focus",
        "Nationalities Papers",
        "The Review of Korean Studies",
        "The Journal of Modern History",
    ];
    for (abbrev, name) in JOURNALS.iter().zip(journal_names) {
        writeln!(bib, "@string{{{abbrev} = \"{name}\"}}").unwrap();
    }
    let keys: Vec<String> = (0..entries)
        .map(|i| {
            format!(
                "{}-{}-{}{i}",
                rng.pick(FAMILY).to_lowercase().replace([' ', '\''], ""),
                1950 + rng.below(75),
                rng.pick(WORDS).trim_matches(['{', '}']).to_lowercase()
            )
        })
        .collect();
    // Every 50th entry is a proceedings volume that the next few entries crossref.
    let mut parent: Option<usize> = None;
    for (i, key) in keys.iter().enumerate() {
        let kind = if i % 50 == 0 {
            "proceedings"
        } else {
            rng.pick(TYPES)
        };
        if shape.comments && i % 97 == 0 {
            writeln!(
                bib,
                "\n@comment{{Checked against the catalogue, batch {i}.}}"
            )
            .unwrap();
        }
        if shape.comments && i % 1000 == 0 {
            writeln!(
                bib,
                "\n@preamble{{\"\\providecommand{{\\noopsort}}[1]{{}}\"}}"
            )
            .unwrap();
        }
        writeln!(bib, "\n@{}{{{key},", shape.name(kind)).unwrap();
        let authors: Vec<String> = (0..1 + rng.below(4))
            .map(|_| {
                if shape.non_latin && rng.below(5) == 0 {
                    format!(
                        "{}, {}",
                        rng.pick(FAMILY_NON_LATIN),
                        rng.pick(GIVEN_NON_LATIN)
                    )
                } else {
                    format!("{}, {}", rng.pick(FAMILY), rng.pick(GIVEN))
                }
            })
            .collect();
        writeln!(bib, "{}", shape.field("author", &authors.join(" and "))).unwrap();
        let title: Vec<&str> = (0..6 + rng.below(8)).map(|_| rng.pick(WORDS)).collect();
        let title = title.join(" ");
        // Entries left without a field their type requires (the title).
        let untitled = shape.missing_field > 0 && rng.below(100) < shape.missing_field;
        if untitled {
        } else if shape.concatenation && rng.below(10) == 0 {
            let journal = rng.pick(JOURNALS);
            writeln!(
                bib,
                "{}",
                shape.raw("title", &format!("{journal} # {{: {title}}}"))
            )
            .unwrap();
        } else {
            writeln!(bib, "{}", shape.field("title", &title)).unwrap();
        }
        if shape.undefined_macro > 0 && rng.below(100) < shape.undefined_macro {
            writeln!(bib, "{}", shape.raw("series", "nosuchseries")).unwrap();
        }
        match kind {
            "article" => {
                writeln!(bib, "{}", shape.raw("journaltitle", rng.pick(JOURNALS))).unwrap();
                writeln!(
                    bib,
                    "{}",
                    shape.field("volume", &(1 + rng.below(80)).to_string())
                )
                .unwrap();
                writeln!(
                    bib,
                    "{}",
                    shape.field("number", &(1 + rng.below(12)).to_string())
                )
                .unwrap();
                let first = 1 + rng.below(900);
                let last = first + rng.below(40);
                writeln!(bib, "{}", shape.field("pages", &format!("{first}--{last}"))).unwrap();
            }
            "incollection" => match parent {
                Some(p) => writeln!(bib, "{}", shape.field("crossref", &keys[p])).unwrap(),
                None => {
                    writeln!(bib, "{}", shape.field("booktitle", "Collected Papers")).unwrap();
                    let editor = format!("{}, {}", rng.pick(FAMILY), rng.pick(GIVEN));
                    writeln!(bib, "{}", shape.field("editor", &editor)).unwrap();
                }
            },
            // The volumes that chapters crossref name their editors.
            "proceedings" => {
                let editor = format!("{}, {}", rng.pick(FAMILY), rng.pick(GIVEN));
                writeln!(bib, "{}", shape.field("editor", &editor)).unwrap();
                writeln!(bib, "{}", shape.raw("publisher", "\"Bakyoungsa\"")).unwrap();
            }
            "thesis" => {
                writeln!(bib, "{}", shape.field("type", "phdthesis")).unwrap();
                writeln!(
                    bib,
                    "{}",
                    shape.field("institution", "Seoul National University")
                )
                .unwrap();
            }
            "report" => {
                writeln!(bib, "{}", shape.field("type", "techreport")).unwrap();
                writeln!(
                    bib,
                    "{}",
                    shape.field("institution", "Korea Economic Institute")
                )
                .unwrap();
                writeln!(
                    bib,
                    "{}",
                    shape.field("number", &rng.below(100).to_string())
                )
                .unwrap();
            }
            _ => {
                writeln!(bib, "{}", shape.raw("publisher", "\"Bakyoungsa\"")).unwrap();
                writeln!(bib, "{}", shape.field("location", "Seoul")).unwrap();
            }
        }
        let date = format!("{}-{:02}", 1950 + rng.below(75), 1 + rng.below(12));
        writeln!(bib, "{}", shape.field("date", &date)).unwrap();
        let doi = format!("10.{}/rk.{i}", 1000 + rng.below(9000));
        writeln!(bib, "{}", shape.field("doi", &doi)).unwrap();
        writeln!(
            bib,
            "{}",
            shape.field("url", &format!("https://example.org/{key}"))
        )
        .unwrap();
        writeln!(bib, "{}\n}}", shape.field("langid", "english")).unwrap();
        if kind == "proceedings" {
            parent = Some(i);
        }
    }
    std::fs::write(out.join("refs/big.bib"), &bib).unwrap();

    // Chapters cite about 60% of the entries (`--cited`), a few twice, plus
    // missing keys.
    let mut aux = String::from("\\relax\n");
    let per_chapter = (entries * shape.cited / 100).div_ceil(chapters.max(1));
    let mut next = 0usize;
    for c in 0..chapters {
        let cited: Vec<&str> = (0..per_chapter)
            .filter_map(|_| {
                next += 1;
                keys.get((next * 7919) % entries.max(1)).map(String::as_str)
            })
            .collect();
        let missing = format!("missing-key-{c}");
        let mut text = String::new();
        let (extension, cite): (&str, fn(&[&str]) -> String) = match c % 3 {
            0 => ("tex", |ks| {
                format!("As shown by \\parencite[see][12]{{{}}}, ", ks.join(", "))
            }),
            1 => ("md", |ks| {
                format!(
                    "As shown [{}], ",
                    ks.iter()
                        .map(|k| format!("@{k}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }),
            _ => ("typ", |ks| {
                format!(
                    "As shown {}, ",
                    ks.iter()
                        .map(|k| format!("@{k}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            }),
        };
        for group in cited.chunks(3) {
            text.push_str(&cite(group));
            text.push_str("the policy of Korea towards Central Asia — 한국의 중앙아시아 정책 — developed further.\n");
            if rng.below(4) == 0 {
                text.push('\n');
            }
        }
        text.push_str(&cite(&[&missing]));
        text.push('\n');
        std::fs::write(out.join(format!("chapters/{c:03}.{extension}")), text).unwrap();
        for key in cited.iter().copied().chain([missing.as_str()]) {
            writeln!(aux, "\\citation{{{key}}}").unwrap();
        }
    }
    aux.push_str("\\bibdata{refs/big}\n\\bibstyle{plain}\n");
    std::fs::write(out.join("main.aux"), aux).unwrap();
    eprintln!(
        "wrote {} entries ({:.1} MB) and {chapters} chapters to {}",
        entries,
        bib.len() as f64 / 1e6,
        out.display()
    );
}
