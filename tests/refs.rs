//! `refkeeper refs`: how BibLaTeX entries become References, one test per
//! point of the mapping (tests/fixtures/refs/mapping.bib holds one entry per
//! point), and the command's behaviour on files: markers, atomic in-place
//! writes, `--check`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

mod common;

use assert_cmd::Command;
use common::refkeeper;
use refkeeper::render::references::{self, Target};

fn mapping_bib() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/refs/mapping.bib")
}

/// Every entry of mapping.bib rendered in `style` as `to`, by key; each
/// pair is rendered once for all the tests that read it.
fn render(style: &str, to: &str) -> BTreeMap<String, String> {
    type Rendered = BTreeMap<(String, String), BTreeMap<String, String>>;
    static RENDERED: Mutex<Rendered> = Mutex::new(BTreeMap::new());
    let key = (style.to_owned(), to.to_owned());
    if let Some(entries) = RENDERED.lock().unwrap().get(&key) {
        return entries.clone();
    }
    let entries = render_uncached(style, to);
    RENDERED.lock().unwrap().insert(key, entries.clone());
    entries
}

fn render_uncached(style: &str, to: &str) -> BTreeMap<String, String> {
    let output = refkeeper()
        .args(["refs", "--no-config", "--all", "--format", "json"])
        .args(["--style", style, "--to", to])
        .arg("--bib")
        .arg(mapping_bib())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = e["text"].as_str().unwrap();
            // Whitespace is not what these tests are about.
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            (e["key"].as_str().unwrap().to_owned(), text)
        })
        .collect()
}

/// The CSL-JSON item refkeeper hands to a CSL processor for `key`.
fn csl_item(key: &str) -> serde_json::Value {
    let output = refkeeper()
        .args([
            "refs",
            "--no-config",
            "--all",
            "--format",
            "csl-json",
            "--bib",
        ])
        .arg(mapping_bib())
        .output()
        .unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    items
        .into_iter()
        .find(|i| i["id"] == key)
        .unwrap_or_else(|| panic!("no item {key}"))
}

const AUTHOR_DATE: [&str; 3] = ["apa", "chicago-author-date", "mla"];

#[test]
fn subtitle_and_titleaddon_are_kept() {
    assert_eq!(
        render("apa", "text")["subtitle"],
        "Len, C. (2008). Japan’s Silk Road diplomacy: Paving the road ahead. [Revised edition]. \
         Silk Road Studies Program."
    );
    assert!(
        render("chicago-author-date", "text")["subtitle"]
            .contains("Japan’s Silk Road Diplomacy: Paving the Road Ahead. [Revised Edition].")
    );
}

#[test]
fn the_book_title_of_a_chapter_or_paper_is_printed_once() {
    for style in AUTHOR_DATE.iter().chain(&["ieee", "harvard"]) {
        let texts = render(style, "text");
        let chapter = &texts["incollection"];
        assert_eq!(
            chapter.matches("Royal Nauruz in Samarkand").count(),
            1,
            "{style}: {chapter}"
        );
        let paper = texts["inproceedings"].to_lowercase();
        assert_eq!(
            paper.matches("central asia forum").count(),
            1,
            "{style}: {paper}"
        );
    }
    assert_eq!(
        render("apa", "text")["incollection"],
        "Livshits, V. A. (2006). The Sogdian wall inscriptions. In M. Compareti (Ed.), \
         Royal Nauruz in Samarkand (pp. 59–74). Istituti Editoriali."
    );
}

#[test]
fn school_and_institution_are_the_publisher_of_theses_and_reports() {
    let apa = render("apa", "text");
    assert_eq!(
        apa["thesis"],
        "Kim, D. (2003). Forced migration in 1937 [Master’s thesis]. Ewha Womans University."
    );
    assert_eq!(
        apa["phdthesis"],
        "Lee, J. (2011). Korea’s policy towards Central Asia [PhD thesis]. \
         Hankuk University of Foreign Studies."
    );
    assert_eq!(
        apa["report"],
        "Nichol, J. (2007). Central asia (CRS Report No. RL33458). Congressional Research Service."
    );
    assert_eq!(csl_item("thesis")["publisher"], "Ewha Womans University");
    assert_eq!(
        csl_item("report")["publisher"],
        "Congressional Research Service"
    );
}

#[test]
fn latex_becomes_text_and_formatting() {
    assert_eq!(
        render("apa", "text")["latex"],
        "Schönberg, Í., Dvořák, A., & Høst, O. (1991). Italic and also and em words: 1990–1991 \
         — “quoted” and ‘single.’ Journal of Ålesund & München, 3, 5–9."
    );
    assert_eq!(
        render("apa", "markdown")["latex"],
        "Schönberg, Í., Dvořák, A., & Høst, O. (1991). *Italic* and *also* and *em* words: \
         1990–1991 — “quoted” and ‘single.’ *Journal of Ålesund & München*, *3*, 5–9."
    );
    assert!(
        render("ieee", "text")["latex"].starts_with("[7] Í. Schönberg, A. Dvořák, and O. Høst")
    );
}

#[test]
fn no_latex_reaches_the_output_in_any_style() {
    for style in AUTHOR_DATE
        .iter()
        .chain(&["ieee", "harvard", "vancouver", "nature"])
    {
        for (key, text) in render(style, "text") {
            for raw in ["\\", "{", "}", "~", "``", "''", "--"] {
                assert!(!text.contains(raw), "{style} {key}: `{raw}` in {text}");
            }
        }
    }
}

#[test]
fn quotations_in_titles_nest_inside_the_styles_quotes() {
    // A quotation at either end of a quoted title keeps both its marks.
    assert_eq!(
        render("chicago-author-date", "text")["quoted"],
        "Fumagalli, Matteo. 2012. “‘New Asia’ and the ‘New Asia Initiative.’” \
         Journal of Northeast Asian History."
    );
    assert_eq!(
        render("apa", "text")["quoted"],
        "Fumagalli, M. (2012). “New Asia” and the “New Asia Initiative.” \
         Journal of Northeast Asian History."
    );
}

#[test]
fn braced_case_is_kept_and_titles_follow_the_style() {
    assert_eq!(
        render("apa", "text")["protected"],
        "Barbieri, A. (2020). Progress on the SDGs as reported in TUGboat and other venues. TUGboat."
    );
    assert_eq!(
        render("chicago-author-date", "text")["protected"],
        "Barbieri, Anna. 2020. “Progress on the SDGs as Reported in TUGboat and Other Venues.” \
         TUGboat."
    );
    // Sentence case lowers what is not braced, as citeproc does for English
    // titles: `Seoul` needs braces in the .bib.
    assert!(render("apa", "text")["partial"].contains("A month in seoul."));
    assert!(render("chicago-author-date", "text")["partial"].contains("“A Month in Seoul.”"));
}

#[test]
fn date_ranges_and_partial_dates_are_rendered() {
    let apa = render("apa", "text");
    assert_eq!(
        apa["range"],
        "Oldberg, I. (2007–2008). The years of the forum. FOI."
    );
    assert_eq!(
        apa["partial"],
        "Nam, I. (2007, November). A month in seoul. https://example.org/month"
    );
    assert!(render("mla", "text")["range"].ends_with("FOI, 2007–2008."));
    assert_eq!(
        csl_item("range")["issued"]["date-parts"],
        serde_json::json!([[2007], [2008]])
    );
    assert_eq!(
        csl_item("partial")["issued"]["date-parts"],
        serde_json::json!([[2007, 11]])
    );
}

#[test]
fn an_unparseable_date_is_a_diagnostic() {
    let output = refkeeper()
        .args([
            "refs",
            "--no-config",
            "--all",
            "--style",
            "apa",
            "--color",
            "never",
            "--bib",
        ])
        .arg(mapping_bib())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("warning[invalid-date]: in entry `baddate`"),
        "{stderr}"
    );
    assert!(stderr.contains("mapping.bib:90:12"), "{stderr}");
    // A warning: the References are still printed, with the date left out.
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("Park, J. (n.d.). Undated note.")
    );
    // Valid dates give no diagnostic.
    assert_eq!(stderr.matches("invalid-date").count(), 1, "{stderr}");
}

#[test]
fn names_particles_corporate_cjk_and_cyrillic() {
    let apa = render("apa", "text");
    let chicago = render("chicago-author-date", "text");
    let ieee = render("ieee", "text");
    assert_eq!(
        apa["particle"],
        "La Fontaine, J. de. (1668). Fables. Barbin."
    );
    assert_eq!(
        chicago["particle"],
        "La Fontaine, Jean de. 1668. Fables. Barbin."
    );
    assert_eq!(
        ieee["particle"],
        "[12] J. de La Fontaine, Fables. Barbin, 1668."
    );

    assert_eq!(
        apa["corporate"],
        "World Health Organization. (2020). World health statistics. WHO."
    );
    assert!(ieee["corporate"].starts_with("[13] World Health Organization, World health"));

    // Family name first, no comma, no space; not initialised.
    assert_eq!(apa["korean"], "김민준. (2007). 한국과 중앙아시아. 창비.");
    assert_eq!(
        ieee["korean"],
        "[14] 김민준, 한국과 중앙아시아. 창비, 2007."
    );
    assert_eq!(
        csl_item("korean")["author"],
        serde_json::json!([{"literal": "김민준"}])
    );

    assert_eq!(
        apa["cyrillic"],
        "Югай, Г. А. (2007). Жизнь и судьба. Раритет."
    );
    assert_eq!(
        ieee["cyrillic"],
        "[15] Г. А. Югай, Жизнь и судьба. Алматы: Раритет, 2007."
    );
}

#[test]
fn two_institutions_are_joined_as_citeproc_joins_them() {
    // No comma before "&" between two institutions, though APA's
    // `delimiter-precedes-last="always"` asks for one between persons.
    assert!(render("apa", "text")["corporate-pair"].starts_with(
        "Republic of Korea & Democratic People’s Republic of Korea. (1992, January 20)."
    ));
    assert!(
        render("chicago-author-date", "text")["corporate-pair"]
            .starts_with("Republic of Korea and Democratic People’s Republic of Korea. 1992.")
    );
}

#[test]
fn names_added_to_tell_cites_apart_show_in_the_entry() {
    // MLA cites both "(Appourchaux et al.)"; a second name tells them apart,
    // and citeproc-js prints the entries with as many names.
    let mla = render("mla", "text");
    assert!(
        mla["etal-one"].starts_with("Appourchaux, T., H. M. Antia, et al. “A Seismic"),
        "{}",
        mla["etal-one"]
    );
    assert!(
        mla["etal-two"].starts_with("Appourchaux, T., W. J. Chaplin, et al. “Oscillation"),
        "{}",
        mla["etal-two"]
    );
    // APA's cites differ by year: its entries list every author anyway.
    assert!(
        render("apa", "text")["etal-one"].starts_with("Appourchaux, T., Antia, H. M., & Ball, W.")
    );
}

#[test]
fn given_names_that_tell_cites_apart_leave_the_names_short() {
    // Both cite "(Asplund et al.)" in MLA; "M." and "Martin" already tell
    // them apart, so citeproc-js adds no names to either entry.
    let mla = render("mla", "text");
    assert!(
        mla["given-apart-one"].starts_with("Asplund, M., et al. “The Solar"),
        "{}",
        mla["given-apart-one"]
    );
    assert!(
        mla["given-apart-two"].starts_with("Asplund, Martin, et al. “The Chemical"),
        "{}",
        mla["given-apart-two"]
    );
}

#[test]
fn initials_are_initialised_and_normalised_as_citeproc_does() {
    let apa = &render("apa", "text")["spaced-initials"];
    assert!(apa.starts_with("Zahn, J.-P. (1991)."), "{apa}");
    // Styles that print given names in full with an `initialize-with`
    // normalise initials as citeproc-js does; MLA and Chicago do.
    let mla = &render("mla", "text")["spaced-initials"];
    assert!(mla.starts_with("Zahn, J. P. “Convective"), "{mla}");
    let chicago = &render("chicago-author-date", "text")["spaced-initials"];
    assert!(chicago.starts_with("Zahn, J. P. 1991."), "{chicago}");
    // Words joined by a hyphen are no initials.
    let chicago = &render("chicago-author-date", "text")["editortranslator"];
    assert!(chicago.contains("Ursula Blank-Sangmeister"), "{chicago}");
}

#[test]
fn undated_entries_told_apart_by_suffix_read_nd_a() {
    let apa = render("apa", "text");
    assert!(
        apa["nodate-one"].starts_with("Mozilla. (n.d.-a). Browser"),
        "{}",
        apa["nodate-one"]
    );
    assert!(
        apa["nodate-two"].starts_with("Mozilla. (n.d.-b). Content"),
        "{}",
        apa["nodate-two"]
    );
    let chicago = render("chicago-author-date", "text");
    assert!(
        chicago["nodate-one"].starts_with("Mozilla. n.d.-a. “Browser"),
        "{}",
        chicago["nodate-one"]
    );
    // Harvard gives the suffix its own prefix, a space, after the long term.
    let harvard = render("harvard", "text");
    assert!(
        harvard["nodate-one"].starts_with("Mozilla (no date a) Browser"),
        "{}",
        harvard["nodate-one"]
    );
}

#[test]
fn a_book_in_a_series_shows_its_volume_once() {
    let apa = &render("apa", "text")["series-volume"];
    assert!(
        apa.contains("Algebraic set theory (Vol. 220). Cambridge"),
        "{apa}"
    );
    // MLA gives no volume for a monograph with an author only.
    let mla = &render("mla", "text")["series-volume"];
    assert!(
        mla.contains("Algebraic Set Theory. Cambridge University Press, 1995."),
        "{mla}"
    );
}

#[test]
fn a_paper_with_editors_keeps_its_volume_pages_and_publisher() {
    // APA prints the editors in place of the book's author; the tests on
    // `editor` after that must still see them.
    let apa = &render("apa", "text")["edited-proceedings"];
    assert!(
        apa.ends_with("In R. Parikh (Ed.), Logics of programs (Vol. 193, pp. 61–78). Springer."),
        "{apa}"
    );
}

#[test]
fn a_word_with_inner_capitals_is_not_capitalised() {
    let apa = &render("apa", "text")["mixed-case-number"];
    assert!(apa.contains("(arXiv:1610.01644)"), "{apa}");
}

#[test]
fn title_case_leaves_what_citeproc_leaves() {
    // One-letter words stay lowercase after the first punctuation ("b’s",
    // "p-Mode"); a stop word after braced words stays lowercase ("and");
    // a word after a slash starts a word ("Multilevel/Hierarchical").
    let chicago = &render("chicago-author-date", "text")["title-case-edges"];
    assert!(
        chicago.contains(
            "“Aldebaran b’s Temperate Past: Viability, Limitations, and Sun-as-a-Star p-Mode Frequencies of Multilevel/Hierarchical Models.”"
        ),
        "{chicago}"
    );
}

#[test]
fn quotation_marks_do_not_decide_the_order() {
    // MLA sorts by title after the author; "Nested Sampling" comes before
    // "Nested Sampling for ...", though its closing quote would sort after
    // the space. The second entry's author is then "———".
    let output = refkeeper()
        .args([
            "refs",
            "--no-config",
            "--all",
            "--style",
            "mla",
            "--to",
            "text",
        ])
        .arg("--bib")
        .arg(mapping_bib())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let short = text
        .find("Skilling, John. “Nested Sampling.”")
        .expect(&text);
    let long = text.find("———. “Nested Sampling for General").expect(&text);
    assert!(short < long, "{text}");
}

#[test]
fn a_range_whose_ends_are_equal_stays_a_range() {
    // citeproc-js: "pp. 218–218", not "p. 218–18".
    let mla = &render("mla", "text")["same-page-range"];
    assert!(mla.ends_with("1877, pp. 218–218."), "{mla}");
    let ieee = &render("ieee", "text")["same-page-range"];
    assert!(ieee.contains("pp. 218–218"), "{ieee}");
}

#[test]
fn abbreviations_in_given_names_stay_whole_when_initialised() {
    // citeproc-js keeps "Ch." and "Ph." (they end in a period); a full
    // name is still initialised.
    let apa = &render("apa", "text")["abbreviated-given"];
    assert!(
        apa.starts_with("Hamilton, J.-Ch., Bernard, J.-Ph., & Smith, J. (2022)."),
        "{apa}"
    );
    let ieee = &render("ieee", "text")["abbreviated-given"];
    assert!(
        ieee.contains("J.-Ch. Hamilton, J.-Ph. Bernard, and J. Smith"),
        "{ieee}"
    );
}

#[test]
fn an_editor_who_is_also_the_translator_is_named_once() {
    // APA title-cases the short label: "Ed. & Trans.", as citeproc-js.
    let apa = &render("apa", "text")["editortranslator"];
    assert!(
        apa.contains("(U. Blank-Sangmeister, Ed. & Trans.)"),
        "{apa}"
    );
    let mla = &render("mla", "text")["editortranslator"];
    assert_eq!(mla.matches("Blank-Sangmeister").count(), 1, "{mla}");
    assert!(
        mla.contains("Edited and translated by Ursula Blank-Sangmeister, Reclam"),
        "{mla}"
    );
}

#[test]
fn markup_in_titles_is_escaped_for_each_target() {
    assert!(
        render("apa", "html")["markup"]
            .contains("<i>Writing &lt;b&gt;bold&lt;/b&gt; tags and 50% of $5 &amp; more</i>")
    );
    assert!(
        render("apa", "markdown")["markup"]
            .contains("*Writing \\<b\\>bold\\</b\\> tags and 50% of \\$5 & more*")
    );
    assert!(render("apa", "latex")["markup"].contains(
        "\\emph{Writing \\textless{}b\\textgreater{}bold\\textless{}/b\\textgreater{} tags and \
         50\\% of \\$5 \\& more}"
    ));
    assert!(
        render("apa", "typst")["markup"]
            .contains("#emph[Writing \\<b\\>bold\\<\\/b\\> tags and 50% of \\$5 & more]")
    );
    assert_eq!(
        render("apa", "text")["markup"],
        "Gray, A. (2001). Writing <b>bold</b> tags and 50% of $5 & more. Press."
    );
}

#[test]
fn write_into_a_typst_file_escapes_what_typst_would_read_as_a_reference() {
    let dir = project(&[
        (
            "refs/refs.bib",
            "@book{first, author = {Ahn, Bo}, title = {Mail @kim about #tags}, publisher = {P}, date = {2001}}\n",
        ),
        ("chapters/one.typ", "As @first argues.\n"),
        (
            "chapters/references.typ",
            "= References\n// refkeeper:begin references\n// refkeeper:end references\n",
        ),
    ]);
    let output = refs_in(dir.path())
        .args(["--style", "apa", "--write", "chapters/references.typ"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_to_string(dir.path().join("chapters/references.typ")).unwrap();
    assert!(
        written.contains("Ahn, B. (2001). #emph[Mail \\@kim about \\#tags]. P."),
        "{written}"
    );
}

#[test]
fn plain_text_has_no_markup() {
    for text in render("apa", "text").values() {
        assert!(
            !text.contains('*') && !text.contains("<i>") && !text.contains("\\emph"),
            "{text}"
        );
    }
}

// ---- The command on projects and files -------------------------------------------------

/// A throw-away project: `files` are (relative path, text).
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const BIB: &str = "@book{first, author = {Ahn, Bo}, title = {First}, publisher = {P}, date = {2001}}\n\
                   @book{second, author = {Baek, Cho}, title = {Second}, publisher = {P}, date = {2002}}\n\
                   @book{unused, author = {Choi, Da}, title = {Unused}, publisher = {P}, date = {2003}}\n";

const CHAPTER: &str = "# Study\n\nAs @second argues, and [@first].\n";

const REFERENCES: &str = "# References\n\nKept above.\n\n\
                          <!-- refkeeper:begin references -->\n\
                          stale text\n\
                          <!-- refkeeper:end references -->\n\nKept below.\n";

fn refs_in(dir: &Path) -> Command {
    let mut command = refkeeper();
    command.current_dir(dir).args(["refs", "--color", "never"]);
    command
}

#[test]
fn only_cited_entries_in_the_order_the_style_prescribes() {
    let dir = project(&[("refs/refs.bib", BIB), ("chapters/one.md", CHAPTER)]);
    let output = refs_in(dir.path())
        .args(["--style", "ieee"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    // IEEE numbers in citation order; `unused` is left out.
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "[1] C. Baek, Second. P, 2002.\n\n[2] B. Ahn, First. P, 2001.\n"
    );
    let output = refs_in(dir.path())
        .args(["--style", "apa", "--all"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "Ahn, B. (2001). First. P.\n\nBaek, C. (2002). Second. P.\n\nChoi, D. (2003). Unused. P.\n"
    );
}

#[test]
fn a_key_left_out_is_the_missing_entry_finding_with_its_did_you_mean() {
    // The same finding `check` makes, once per key, as a warning: the
    // References are still written without it.
    let chapter = "As [@secnd] and [@secnd], and [@first].\n";
    let dir = project(&[("refs/refs.bib", BIB), ("chapters/one.md", chapter)]);
    let output = refs_in(dir.path())
        .args(["--style", "apa"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.matches("warning[missing-entry]").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("`secnd` is cited but is not in any bibliography; it is left out"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `second`?"), "{stderr}");
}

/// `refkeeper refs --all` on `bib` in `style`: the text, entry by entry.
fn all_in_order(bib: &str, style: &str) -> Vec<String> {
    let dir = project(&[("refs/refs.bib", bib)]);
    let output = refs_in(dir.path())
        .args([
            "--no-config",
            "--bib",
            "refs/refs.bib",
            "--all",
            "--style",
            style,
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .split("\n\n")
        .map(|entry| entry.trim().to_owned())
        .collect()
}

#[test]
fn sort_keys_leave_out_et_al_and_substitution_compares_the_names_shown() {
    // Sort keys have no "et al.": the three-author book sorts by its title
    // among the single author's works. "———" stands for names shown
    // exactly as in the entry before, "et al." aside (citeproc-js).
    let bib = "@book{solo, author = {Nordstr{\\\"o}m, Bengt}, title = {Terminating General Recursion}, publisher = {P}, date = {1988}}\n\
               @book{team, author = {Nordstr{\\\"o}m, Bengt and Petersson, Kent and Smith, Jan}, title = {Programming in Type Theory}, publisher = {P}, date = {1990}}\n\
               @book{pair, author = {Nordstr{\\\"o}m, Bengt and Petersson, Kent}, title = {A Pair}, publisher = {P}, date = {1991}}\n";
    assert_eq!(
        all_in_order(bib, "mla"),
        [
            "Nordström, Bengt, et al. Programming in Type Theory. P, 1990.",
            "———. Terminating General Recursion. P, 1988.",
            "Nordström, Bengt, and Kent Petersson. A Pair. P, 1991.",
        ]
    );
}

#[test]
fn editors_are_not_replaced_by_the_dash_nor_end_a_run_of_one_author() {
    // citeproc-js compares only the names of the style's first `cs:names`
    // and its first substitute (MLA: author), and compares them as written.
    let bib = "@book{a, author = {Xu, Li}, title = {Alpha}, publisher = {P}, date = {2000}}\n\
               @book{b, editor = {Xu, Li}, title = {Beta}, publisher = {P}, date = {2000}}\n\
               @book{c, author = {Xu, Li}, title = {Delta}, publisher = {P}, date = {2000}}\n\
               @book{d, author = {Xu, Li Y}, title = {Epsilon}, publisher = {P}, date = {2000}}\n\
               @book{e, author = {Xu, Li Y.}, title = {Zeta}, publisher = {P}, date = {2000}}\n";
    assert_eq!(
        all_in_order(bib, "mla"),
        [
            "Xu, Li. Alpha. P, 2000.",
            "Xu, Li, editor. Beta. P, 2000.",
            "———. Delta. P, 2000.",
            "Xu, Li Y. Epsilon. P, 2000.",
            "Xu, Li Y. Zeta. P, 2000.",
        ]
    );
}

#[test]
fn a_substitute_that_opens_with_a_condition_still_compares_its_authors() {
    // MHRA's first `cs:names` is the composer, and its substitute opens
    // with a `cs:choose` (interviewers, for some types) before the author:
    // the authors are still what a repeated run compares (citeproc-js
    // prints MHRA's "——" for them).
    let bib = "@book{a, author = {Xu, Li}, title = {Alpha}, publisher = {P}, date = {2000}}\n\
               @book{b, author = {Xu, Li}, title = {Beta}, publisher = {P}, date = {2001}}\n\
               @book{c, author = {Yi, Mun}, title = {Gamma}, publisher = {P}, date = {2001}}\n";
    let entries = all_in_order(bib, "modern-humanities-research-association");
    assert!(entries[0].starts_with("Xu, Li, "), "{entries:?}");
    assert!(entries[1].starts_with("——, "), "{entries:?}");
    assert!(entries[2].starts_with("Yi, Mun, "), "{entries:?}");
}

#[test]
fn name_labels_are_not_part_of_the_sort_key() {
    // "Gaonkar, D. P. (Ed.)" and "Gaonkar, D. P." sort as one author, by
    // title, so the edited book gets 2001a.
    let bib = "@incollection{chapter, author = {Gaonkar, Dilip}, title = {On alternative modernities}, booktitle = {Book}, publisher = {P}, date = {2001}}\n\
               @collection{book, editor = {Gaonkar, Dilip}, title = {Alternative modernities}, publisher = {P}, date = {2001}}\n";
    let entries = all_in_order(bib, "apa");
    assert!(
        entries[0].starts_with("Gaonkar, D. (Ed.). (2001a). Alternative modernities."),
        "{entries:?}"
    );
    assert!(
        entries[1].starts_with("Gaonkar, D. (2001b). On alternative modernities."),
        "{entries:?}"
    );
}

#[test]
fn write_replaces_only_the_section_and_a_second_run_changes_nothing() {
    let dir = project(&[
        ("refs/refs.bib", BIB),
        ("chapters/one.md", CHAPTER),
        ("chapters/references.md", REFERENCES),
    ]);
    let file = dir.path().join("chapters/references.md");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let output = refs_in(dir.path())
        .args(["--style", "apa", "--write", "chapters/references.md"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        written,
        "# References\n\nKept above.\n\n\
         <!-- refkeeper:begin references -->\n\n\
         Ahn, B. (2001). *First*. P.\n\nBaek, C. (2002). *Second*. P.\n\n\
         <!-- refkeeper:end references -->\n\nKept below.\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(file.parent().unwrap()).unwrap().collect();
    assert_eq!(names.len(), 2);

    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    let output = refs_in(dir.path())
        .args(["--style", "apa", "--write", "chapters/references.md"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("up to date")
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        modified
    );
}

#[test]
fn latex_files_use_comment_markers_and_latex_markup() {
    let tex = "\\section{Study}\nAs \\textcite{first} shows.\n\n\
               % refkeeper:begin references\n% refkeeper:end references\n\\end{document}\n";
    let dir = project(&[("refs/refs.bib", BIB), ("study.tex", tex)]);
    let output = refs_in(dir.path())
        .args([
            "study.tex",
            "--bib",
            "refs/refs.bib",
            "--style",
            "apa",
            "--write",
            "study.tex",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("study.tex")).unwrap(),
        "\\section{Study}\nAs \\textcite{first} shows.\n\n\
         % refkeeper:begin references\n\nAhn, B. (2001). \\emph{First}. P.\n\n\
         % refkeeper:end references\n\\end{document}\n"
    );
}

#[test]
fn a_file_without_markers_is_refused_and_left_alone() {
    let dir = project(&[("refs/refs.bib", BIB), ("chapters/one.md", CHAPTER)]);
    let output = refs_in(dir.path())
        .args(["--style", "apa", "--write", "chapters/one.md"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("chapters/one.md"), "{stderr}");
    assert!(
        stderr.contains("<!-- refkeeper:begin references -->"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("chapters/one.md")).unwrap(),
        CHAPTER
    );
}

#[test]
fn check_exits_1_with_a_diff_and_writes_nothing() {
    let config = "[refs]\nstyle = \"apa\"\nfile = \"chapters/references.md\"\n";
    let dir = project(&[
        ("refkeeper.toml", config),
        ("refs/refs.bib", BIB),
        ("chapters/one.md", CHAPTER),
        ("chapters/references.md", REFERENCES),
    ]);
    let output = refs_in(dir.path()).arg("--check").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(diff.contains("-stale text"), "{diff}");
    assert!(diff.contains("+Ahn, B. (2001). *First*. P."), "{diff}");
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("out of date")
    );
    let file = dir.path().join("chapters/references.md");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), REFERENCES);

    // Written from the configuration, the section is then up to date.
    assert_eq!(
        refs_in(dir.path())
            .arg("--write")
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
    let output = refs_in(dir.path()).arg("--check").output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn check_takes_the_file_as_write_does_and_colours_the_diff_when_asked() {
    let dir = project(&[
        ("refs/refs.bib", BIB),
        ("chapters/one.md", CHAPTER),
        ("chapters/references.md", REFERENCES),
    ]);
    let output = refkeeper()
        .current_dir(dir.path())
        .args(["refs", "--color", "always", "--style", "apa"])
        .args(["--check", "chapters/references.md"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(diff.contains("\x1b[31m-stale text\x1b[0m\n"), "{diff:?}");
    assert!(
        diff.contains("\x1b[32m+Ahn, B. (2001). *First*. P.\x1b[0m\n"),
        "{diff:?}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("chapters/references.md")).unwrap(),
        REFERENCES
    );
    // Not on a terminal and not asked: no colour.
    let output = refs_in(dir.path())
        .args(["--style", "apa", "--check", "chapters/references.md"])
        .output()
        .unwrap();
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(
        diff.contains("\n-stale text\n") && !diff.contains('\x1b'),
        "{diff:?}"
    );
    // Two files named: refused, nothing written.
    let output = refs_in(dir.path())
        .args(["--style", "apa", "--write", "chapters/one.md"])
        .args(["--check", "chapters/references.md"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("name two files: give the file once")
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("chapters/one.md")).unwrap(),
        CHAPTER
    );
}

#[test]
fn styles_lists_the_bundled_names_and_an_unknown_style_is_a_clear_error() {
    let output = refkeeper().arg("styles").output().unwrap();
    let list = String::from_utf8(output.stdout).unwrap();
    for name in [
        "apa",
        "chicago-author-date",
        "chicago-notes",
        "ieee",
        "mla",
        "harvard",
        "vancouver",
        "nature",
    ] {
        assert!(
            list.lines()
                .any(|l| l.split_whitespace().next() == Some(name)),
            "{name}"
        );
    }
    // Each style once, its other names beside it: APA is not listed twice.
    let titles: Vec<&str> = list
        .lines()
        .filter(|l| l.contains("APA Style 7th edition"))
        .collect();
    assert_eq!(
        titles,
        [format!(
            "{:<40} APA Style 7th edition [also: american-psychological-association]",
            "apa"
        )]
    );
    let mut names: Vec<&str> = list
        .lines()
        .flat_map(|l| {
            let first = l.split_whitespace().next();
            let also = l
                .split_once("[also: ")
                .map(|(_, rest)| rest.trim_end_matches(']').split(", ").collect::<Vec<_>>())
                .unwrap_or_default();
            first.into_iter().chain(also)
        })
        .collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "a name listed twice");
    let dir = project(&[("refs/refs.bib", BIB), ("chapters/one.md", CHAPTER)]);
    let output = refs_in(dir.path())
        .args(["--style", "apa-7th"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("apa-7th") && stderr.contains("refkeeper styles"),
        "{stderr}"
    );
}

#[test]
fn a_printed_style_is_csl_that_formats_as_the_bundled_one_does() {
    // `refkeeper styles NAME` is for copying and for other processors: the
    // file must format as the name does, and use CSL's own term names
    // (citeproc-js refuses `<et-al term="et al">`).
    let listed = refkeeper().arg("styles").output().unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut et_al_terms = 0;
    for name in listed.lines().filter_map(|l| l.split_whitespace().next()) {
        let printed = refkeeper().args(["styles", name]).output().unwrap();
        assert!(printed.status.success(), "{name}");
        let xml = String::from_utf8(printed.stdout).unwrap();
        for (at, opening) in xml.match_indices("<et-al term=\"") {
            let term = xml[at + opening.len()..].split('"').next().unwrap();
            assert!(matches!(term, "et-al" | "and-others"), "{name}: {term}");
            et_al_terms += 1;
        }
        let file = dir.path().join(format!("{name}.csl"));
        std::fs::write(&file, &xml).unwrap();
        assert_eq!(
            render_uncached(file.to_str().unwrap(), "text"),
            render(name, "text"),
            "{name}"
        );
    }
    // Thirteen bundled styles set the term; the check above saw them.
    assert!(et_al_terms >= 13, "{et_al_terms}");
}

#[test]
fn every_listed_style_formats_every_mapping_entry() {
    // `styles` lists only what `refs` can use, and no style fails (or
    // panics) on the mapping's entries.
    let listed = refkeeper().arg("styles").output().unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    // Each style under its name and the other names it answers to.
    let names: Vec<&str> = listed
        .lines()
        .flat_map(|line| {
            let also = line
                .split_once("[also: ")
                .map(|(_, rest)| rest.trim_end_matches(']').split(", ").collect::<Vec<_>>())
                .unwrap_or_default();
            line.split_whitespace().next().into_iter().chain(also)
        })
        .collect();
    assert!(names.len() > 80, "{listed}");
    for name in names {
        let output = refkeeper()
            .args([
                "refs",
                "--no-config",
                "--all",
                "--to",
                "html",
                "--style",
                name,
            ])
            .arg("--bib")
            .arg(mapping_bib())
            .output()
            .unwrap();
        // 1 is the invalid-date diagnostic that mapping.bib carries.
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.stdout.is_empty(), "{name}");
    }
}

#[test]
fn a_csl_file_is_a_style() {
    let csl = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Minimal</title><id>minimal</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><sort><key variable="title"/></sort>
    <layout><text variable="title" font-style="italic"/><date prefix=" / " variable="issued"><date-part name="year"/></date></layout>
  </bibliography>
</style>
"#;
    let dir = project(&[
        ("refs/refs.bib", BIB),
        ("chapters/one.md", CHAPTER),
        ("minimal.csl", csl),
    ]);
    let output = refs_in(dir.path())
        .args(["--style", "minimal.csl", "--to", "html"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = String::from_utf8(output.stdout).unwrap();
    assert!(
        html.contains("<i>First</i> / 2001") && html.contains("<i>Second</i> / 2002"),
        "{html}"
    );
    assert!(!html.contains("Unused"));
}

// ---- Chunked rendering ---------------------------------------------------------------

/// A bibliography of `n` entries with many shared names, years and titles,
/// so that sorting, year suffixes and author substitution all have work.
fn many_entries(n: usize) -> String {
    const FAMILY: [&str; 7] = ["Kim", "Lee", "de Haas", "Müller", "Ivanov", "Park", "Ōta"];
    const GIVEN: [&str; 5] = ["Jae-nam", "Anna", "In-soo", "Ola", "Marcel"];
    const WORD: [&str; 6] = ["Silk", "Road", "energy", "policy", "Central", "Asia"];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |below: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as usize
    };
    let mut bib = String::new();
    for i in 0..n {
        let authors: Vec<String> = (0..1 + next(3))
            .map(|_| format!("{}, {}", FAMILY[next(7)], GIVEN[next(5)]))
            .collect();
        let author = match next(10) {
            0 => String::new(),
            1 => "  author = {{Korea Institute}},\n".to_owned(),
            _ => format!("  author = {{{}}},\n", authors.join(" and ")),
        };
        let title: Vec<&str> = (0..2 + next(3)).map(|_| WORD[next(6)]).collect();
        bib.push_str(&format!(
            "@book{{e{i},\n{author}  title = {{{}}},\n  publisher = {{P}},\n  date = {{{}}},\n}}\n",
            title.join(" "),
            2000 + next(6)
        ));
    }
    bib
}

#[test]
fn chunked_rendering_gives_the_whole_renders_output() {
    use refkeeper::csl::engine::Engine;
    let dir = project(&[
        ("refs/many.bib", &many_entries(900)),
        ("chapters/none.md", ""),
    ]);
    let descending = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>By title, descending</title><id>t</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><sort><key variable="title" sort="descending"/></sort>
    <layout><text variable="title"/><text prefix=" " variable="citation-number"/></layout>
  </bibliography>
</style>
"#;
    std::fs::write(dir.path().join("descending.csl"), descending).unwrap();
    let request = refkeeper::Request {
        bibliographies: vec![dir.path().join("refs/many.bib")],
        config: refkeeper::ConfigSource::Ignore,
        cwd: dir.path().to_owned(),
        chapters_optional: true,
        ..Default::default()
    };
    let descending = dir.path().join("descending.csl");
    // Author-date (presorted, seams checked), numeric (numbers go on across
    // chunks), and a sort the presort does not foresee (seams fail: whole).
    for style in [
        "apa",
        "chicago-author-date",
        "ieee",
        descending.to_str().unwrap(),
    ] {
        let render = |chunk: usize| {
            let engine = Engine::new(style, None).unwrap().with_chunk_size(chunk);
            let session = refkeeper::Session::load(&request).unwrap();
            session
                .references(Some(&engine), true)
                .value
                .references
                .iter()
                .map(|r| format!("{}: {}", r.key, references::write(r, Target::Text)))
                .collect::<Vec<_>>()
        };
        let whole = render(usize::MAX);
        assert_eq!(whole.len(), 900);
        assert_eq!(render(128), whole, "{style}");
    }
}

/// Every bundled style that formats References prints the authors of an
/// authored article and the editors of the book a chapter is in. (The
/// bundled vancouver printed no authors and AMA no editors: their
/// `cs:names` carry a label but no `cs:name`, which hayagriva took for
/// empty; see `names_with_a_name` in style_fixes.)
#[test]
fn every_bundled_style_prints_authors_and_editors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("r.bib"),
        "@article{a, author = {Zhakupova, Aigerim and Tursunov, Bekzod}, title = {Water and Power}, journaltitle = {Central Asian Survey}, volume = {12}, pages = {1--10}, date = {2020}}\n\
         @incollection{c, author = {Nurlanov, Erlan}, title = {Steppe Roads}, editor = {Oralbayeva, Dana}, booktitle = {Routes of Asia}, publisher = {Pub}, location = {Almaty}, pages = {5--20}, date = {2019}}\n",
    )
    .unwrap();
    let request = refkeeper::Request {
        bibliographies: vec![dir.path().join("r.bib")],
        config: refkeeper::ConfigSource::Ignore,
        cwd: dir.path().to_owned(),
        chapters_optional: true,
        ..Default::default()
    };
    let session = refkeeper::Session::load(&request).unwrap();
    let mut failing = Vec::new();
    let styles = refkeeper::csl::engine::bundled_styles();
    assert!(styles.len() > 50, "{}", styles.len());
    for style in styles {
        let name = style.name;
        let engine = refkeeper::csl::engine::Engine::new(&name, None).unwrap();
        let texts: Vec<String> = session
            .references(Some(&engine), true)
            .value
            .references
            .iter()
            .map(|r| references::write(r, Target::Text))
            .collect();
        // Some styles write family names in capitals (ABNT, GB/T 7714, ISO 690).
        let all = texts.join("\n").to_lowercase();
        if !["zhakupova", "tursunov", "nurlanov", "oralbayeva"]
            .iter()
            .all(|name| all.contains(name))
        {
            failing.push(format!("{name}: {all}"));
        }
    }
    assert!(failing.is_empty(), "{}", failing.join("\n\n"));
}

/// Two CSL behaviours hayagriva gets wrong, in a style of their own: a
/// localized date's delimiter only between parts that have values (no
/// trailing space before ";" for a date without a day), and a page
/// label's `plural="never"`/`"always"` obeyed (a contextual one still
/// follows the range), and `strip-periods` on words with capitals too
/// (which refkeeper hands hayagriva verbatim). See
/// `date_delimiters_as_prefixes`, `page_labels_with_plural` and
/// `strip_periods_by_markers` in style_fixes.
#[test]
fn date_delimiters_and_page_label_plurals_follow_csl() {
    let lines = lines_in_style(
        "@article{month, title = {A}, journaltitle = {J. Org. Chem.}, volume = {3}, pages = {12--20}, date = {2020-03}}\n\
         @article{day, title = {B}, journaltitle = {J}, volume = {4}, pages = {5}, date = {2021-04-15}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <locale><date form="text" delimiter=" "><date-part name="year"/><date-part name="month" form="short" strip-periods="true"/><date-part name="day"/></date></locale>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><sort><key variable="title"/></sort><layout>
    <text variable="title" suffix=": "/>
    <group delimiter=";"><date variable="issued" form="text"/><text variable="volume"/></group>
    <label variable="page" form="short" plural="never" prefix=" "/><text variable="page" prefix=" "/>
    <label variable="page" form="short" plural="always" prefix=" ["  suffix="]"/>
    <label variable="page" form="short" prefix=" {" suffix="}"/>
    <text variable="container-title" strip-periods="true" prefix=" (" suffix=".)"/>
  </layout></bibliography>
</style>"#,
    );
    assert_eq!(
        lines,
        [
            "A: 2020 Mar;3 p. 12–20 [pp.] {pp.} (J Org Chem.)",
            "B: 2021 Apr 15;4 p. 5 [pp.] {p.} (J.)"
        ],
        "{lines:?}"
    );
}

/// A bibliography sorted by citation number lists the entries in the
/// order they are cited (for `--all`, the file's), numbered so; one sorted
/// by author is numbered in its own order, the index in the bibliography
/// that CSL's `citation-number` is.
#[test]
fn citation_numbers_follow_citation_order_unless_the_bibliography_sorts_otherwise() {
    let bib = "@book{zeta, author = {Zeta, Zoe}, title = {Last}, date = {2001}}\n\
               @book{alpha, author = {Alpha, Al}, title = {First}, date = {2002}}\n";
    let style = |sort: &str| {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="citation-number"/></layout></citation>
  <bibliography><sort><key {sort}/></sort><layout>
    <text variable="citation-number" suffix=". "/><names variable="author"/>
  </layout></bibliography>
</style>"#
        )
    };
    assert_eq!(
        lines_in_style(bib, &style(r#"variable="citation-number""#)),
        ["1. Zoe Zeta", "2. Al Alpha"]
    );
    assert_eq!(
        lines_in_style(bib, &style(r#"variable="author""#)),
        ["1. Al Alpha", "2. Zoe Zeta"]
    );
}

/// With `initialize-with-hyphen="false"`, a part of a given name after a
/// hyphen that starts lowercase stays whole, as citeproc-js prints it
/// ("J. nam", as for "Jeong nam"); with hyphens, or where the style prints
/// given names in full, the name is as before.
#[test]
fn initials_without_hyphens_keep_a_lowercase_part_as_citeproc_js_does() {
    let bib = "@book{ko, author = {Ko, Jeong-nam}, title = {A}, date = {2009}}\n\
               @book{kim, author = {Kim, Ju-Yeon Anna}, title = {B}, date = {2009}}\n";
    let style = |hyphen: &str, initialize: &str| {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" initialize-with-hyphen="{hyphen}">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><sort><key variable="title"/></sort><layout>
    <names variable="author"><name name-as-sort-order="all" {initialize}/></names>
  </layout></bibliography>
</style>"#
        )
    };
    assert_eq!(
        lines_in_style(bib, &style("false", r#"initialize-with=". ""#)),
        ["Ko, J. nam", "Kim, J. Y. A."]
    );
    assert_eq!(
        lines_in_style(bib, &style("true", r#"initialize-with=". ""#)),
        ["Ko, J.", "Kim, J.-Y. A."]
    );
    assert_eq!(
        lines_in_style(bib, &style("false", "")),
        ["Ko, Jeong-nam", "Kim, Ju-Yeon Anna"]
    );
}

/// A URL prints as written: hayagriva keeps it as a parsed URL, which
/// adds a slash to a bare host and lowercases it; CSL prints the variable.
#[test]
fn urls_print_as_written() {
    let lines = lines_in_style(
        "@online{ctan, title = {CTAN}, url = {http://www.CTAN.org}, date = {2006}}\n\
         @online{page, title = {Page}, url = {https://example.org/a/b?c=d}, date = {2006}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><sort><key variable="title"/></sort><layout>
    <text variable="title" suffix=". "/><text variable="URL"/>
  </layout></bibliography>
</style>"#,
    );
    assert_eq!(
        lines,
        [
            "CTAN. http://www.CTAN.org",
            "Page. https://example.org/a/b?c=d"
        ],
        "{lines:?}"
    );
}

/// The words of a family name are compared apart, as citeproc-js compares
/// them (it joins a key's words with "|", which sorts before letters): "De
/// Ridder" before "Deheuvels", "Di Mauro" before "Dillon".
#[test]
fn family_names_of_two_words_sort_before_one_word_that_continues_them() {
    let lines = lines_in_style(
        "@book{b, author = {Deheuvels, S.}, title = {B}, date = {2012}}\n\
         @book{d, author = {Dillon, J.}, title = {D}, date = {2017}}\n\
         @book{a, author = {De Ridder, J.}, title = {A}, date = {2009}}\n\
         @book{c, author = {Di Mauro, M.}, title = {C}, date = {2016}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <macro name="author"><names variable="author"><name initialize-with=""/></names></macro>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><sort><key macro="author"/></sort><layout>
    <text variable="citation-number" suffix=". "/><text macro="author"/>
  </layout></bibliography>
</style>"#,
    );
    assert_eq!(
        lines,
        [
            "1. J De Ridder",
            "2. S Deheuvels",
            "3. M Di Mauro",
            "4. J Dillon"
        ],
        "{lines:?}"
    );
}

/// Pages that are no range of numbers keep their hyphen, as citeproc-js
/// prints them; ranges of numbers (also with a letter before them) take
/// the en dash.
#[test]
fn pages_that_are_no_range_of_numbers_keep_their_hyphen() {
    let lines = lines_in_style(
        "@article{a, title = {A}, journaltitle = {J}, pages = {28:1-28:6}, date = {2019}}\n\
         @article{b, title = {B}, journaltitle = {J}, pages = {87-108.3}, date = {1908}}\n\
         @article{c, title = {C}, journaltitle = {J}, pages = {e1-e5}, date = {2001}}\n\
         @article{d, title = {D}, journaltitle = {J}, pages = {131--137}, date = {1980}}\n\
         @article{e, title = {E}, journaltitle = {J}, pages = {123:i-xviii and 345-880}, date = {1980}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><sort><key variable="title"/></sort><layout>
    <text variable="title" suffix=" "/><text variable="page"/>
  </layout></bibliography>
</style>"#,
    );
    assert_eq!(
        lines,
        [
            "A 28:1-28:6",
            "B 87-108.3",
            "C e1–e5",
            "D 131–137",
            "E 123:i–xviii and 345–880"
        ],
        "{lines:?}"
    );
}

/// A group whose only variable is a names element reached through a macro
/// is not printed when the names are empty (no lone "In."), and is when
/// they are not.
#[test]
fn a_group_of_empty_names_in_a_macro_is_not_printed() {
    let lines = lines_in_style(
        "@incollection{a, title = {A}, booktitle = {Book}, date = {2001}}\n\
         @incollection{b, title = {B}, booktitle = {Book}, editor = {Ed, E.}, date = {2001}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <macro name="editor"><names variable="editor"><name initialize-with=""/><label form="short" prefix=", "/></names></macro>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><sort><key variable="title"/></sort><layout>
    <group delimiter=". "><text variable="title"/><group delimiter=": "><text term="in" text-case="capitalize-first"/><text macro="editor"/></group><text variable="container-title"/></group>
  </layout></bibliography>
</style>"#,
    );
    assert_eq!(lines, ["A. Book", "B. In: E Ed, ed. Book"], "{lines:?}");
}

/// Under `demote-non-dropping-particle="sort-only"` a name sorts by its
/// family name without the particle, as citeproc-js sorts it ("von
/// Hippel" under H), and shows it in front.
#[test]
fn a_particle_demoted_for_sorting_only_sorts_by_the_family_name() {
    let lines = lines_in_style(
        "@book{w, author = {Wolf, W.}, title = {W}, date = {2014}}\n\
         @book{v, author = {von Hippel, Ted}, title = {V}, date = {2006}}\n\
         @book{h, author = {Hoffman, Matthew}, title = {H}, date = {2014}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" demote-non-dropping-particle="sort-only">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <macro name="author"><names variable="author"><name/></names></macro>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><sort><key macro="author"/></sort><layout>
    <text variable="citation-number" suffix=". "/><text macro="author"/>
  </layout></bibliography>
</style>"#,
    );
    assert_eq!(
        lines,
        ["1. Ted von Hippel", "2. Matthew Hoffman", "3. W. Wolf"],
        "{lines:?}"
    );
}

/// A `display` part (`left-margin`, `right-inline`, `block`) is set apart
/// from the next by a space in running text, as citeproc-js's text output
/// sets it ("1975 Painting", not "1975Painting"), but not from the
/// layout's suffix after the last one.
#[test]
fn display_parts_are_set_apart_by_a_space() {
    let text = references_in_style(
        "@book{a, title = {Painting Afrasiab}, publisher = {Fan}, date = {1975}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout suffix=".">
    <date variable="issued" display="left-margin"><date-part name="year"/></date>
    <group display="right-inline" delimiter=". "><text variable="title"/><text variable="publisher"/></group>
  </layout></bibliography>
</style>"#,
    );
    assert_eq!(text.trim(), "1975 Painting afrasiab. Fan.", "{text}");
}

/// A bibliography sorted by a names macro, then the date: an entry
/// without names sorts last (its empty key did not shift the date into
/// the first key's place) and names compare family name first, as
/// citeproc-js sorts them; the citation numbers follow that order.
#[test]
fn sort_keys_keep_their_places_and_compare_names_family_first() {
    let lines = lines_in_style(
        "@online{none, title = {No author}, organization = {Org}, date = {2001}}\n\
         @book{zed, author = {Zed, Aaron}, title = {Zed}, date = {2002}}\n\
         @book{abe, author = {Abe, Berta}, title = {Abe}, date = {2003}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <macro name="author"><group suffix="."><names variable="author"><name/></names></group></macro>
  <citation><layout><text variable="citation-number"/></layout></citation>
  <bibliography><sort><key macro="author"/><key variable="issued"/></sort><layout>
    <text variable="citation-number" suffix=" "/><text variable="title"/>
  </layout></bibliography>
</style>"#,
    );
    assert_eq!(lines, ["1 Abe", "2 Zed", "3 No author"], "{lines:?}");
}

#[test]
fn a_locale_no_file_answers_is_an_error_not_english() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let refs = |locale: &str| {
        refkeeper()
            .args([
                "refs",
                "--no-config",
                "--all",
                "--style",
                "apa",
                "--locale",
                locale,
                "--bib",
            ])
            .arg(root.join("refs/study.bib"))
            .current_dir(root)
            .output()
            .unwrap()
    };
    let unknown = refs("xx-YY");
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8(unknown.stderr).unwrap();
    assert!(stderr.contains("no locale for `xx-YY`"), "{stderr}");
    assert!(unknown.stdout.is_empty());
    // A region without its own file falls back to its language's.
    assert_eq!(refs("de-AT").status.code(), Some(0));
}

/// Every entry of the BibLaTeX text `bib`, formatted in the style `csl`
/// (CSL XML), as `refs --all` prints them.
fn references_in_style(bib: &str, csl: &str) -> String {
    references_in_style_with(bib, csl, &[])
}

/// The non-empty lines [`references_in_style`] prints.
fn lines_in_style(bib: &str, csl: &str) -> Vec<String> {
    lines_in_style_with(bib, csl, &[])
}

/// The non-empty lines [`references_in_style_with`] prints.
fn lines_in_style_with(bib: &str, csl: &str, args: &[&str]) -> Vec<String> {
    references_in_style_with(bib, csl, args)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// [`references_in_style`], with more arguments to `refs`.
fn references_in_style_with(bib: &str, csl: &str, args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.bib"), bib).unwrap();
    std::fs::write(dir.path().join("s.csl"), csl).unwrap();
    let output = refkeeper()
        .args([
            "refs",
            "--no-config",
            "--all",
            "--style",
            "s.csl",
            "--bib",
            "r.bib",
        ])
        .args(args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

/// biblatex's `orig*` fields and the entry `related` names as the one this
/// entry reprints or translates fill CSL's `original-*` variables; a
/// related type where this entry is the original fills nothing, and an
/// entry with no date of its own does not take the original's.
#[test]
fn reprints_and_translations_carry_the_original_publication() {
    let lines = lines_in_style(
        "@book{kullback, author = {Kullback, Solomon}, title = {Information Theory and Statistics}, \
           date = {1959}, publisher = {John Wiley \\& Sons}, location = {New York}}\n\
         @book{reprint, author = {Kullback, Solomon}, title = {Information Theory and Statistics}, \
           date = {1997}, publisher = {Dover}, origyear = {1959}, origpublisher = {John Wiley \\& Sons}}\n\
         @book{translation, author = {van Gennep, Arnold}, title = {The Rites of Passage}, date = {1960}, \
           publisher = {University of Chicago Press}, related = {kullback}, relatedtype = {translationof}}\n\
         @book{original, author = {Kullback, Solomon}, title = {Zz}, date = {1959}, publisher = {Wiley}, \
           related = {reprint}, relatedtype = {reprintas}}\n\
         @book{undated, author = {Kullback, Solomon}, title = {Zzz}, publisher = {Dover}, origdate = {1959}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><sort><key variable="title"/><key variable="issued"/></sort><layout>
    <text variable="title"/>
    <date variable="issued" prefix=" (" suffix=")"><date-part name="year"/></date>
    <text variable="publisher" prefix=", "/>
    <group prefix=" [" suffix="]" delimiter=", ">
      <text variable="original-title"/>
      <date variable="original-date"><date-part name="year"/></date>
      <text variable="original-publisher"/>
      <text variable="original-publisher-place"/>
    </group>
  </layout></bibliography>
</style>"#,
    );
    assert_eq!(
        lines,
        [
            "Information theory and statistics (1959), John Wiley & Sons",
            "Information theory and statistics (1997), Dover [1959, John Wiley & Sons]",
            "The rites of passage (1960), University of Chicago Press \
             [Information theory and statistics, 1959, John Wiley & Sons, New York]",
            "Zz (1959), Wiley",
            // Undated: hayagriva would read the original's date as the
            // entry's own, so it is left out (citeproc-js prints "[1959]").
            "Zzz, Dover",
        ],
        "{lines:?}"
    );
}

/// A series that is a number reads as biblatex prints it, with the
/// ordinal of the locale the References are set in; a localisation key
/// reads as that language's words.
#[test]
fn numbered_and_keyed_series_read_in_the_locale_of_the_references() {
    let bib = "@article{a, author = {Reese, Trevor}, title = {Georgia}, journaltitle = {William and Mary Quarterly}, \
           series = {3}, volume = {15}, date = {1958}}\n\
         @article{b, author = {Shore, Bradd}, title = {Twice-Born}, journaltitle = {American Anthropologist}, \
           series = {newseries}, volume = {93}, date = {1991}}\n";
    let csl = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><sort><key variable="title"/></sort><layout>
    <text variable="title" suffix=", "/><text variable="collection-title"/>
  </layout></bibliography>
</style>"#;
    let lines = |locale: &str| lines_in_style_with(bib, csl, &["--locale", locale]);
    assert_eq!(
        lines("en-US"),
        ["Georgia, 3rd series", "Twice-born, new series"]
    );
    assert_eq!(
        lines("de-DE"),
        ["Georgia, 3. Serie", "Twice-born, neue Folge"]
    );
}

/// The year suffix goes on the issued year wherever the style prints it,
/// not on the first date: Chicago prints the original date first,
/// "(1959) 1997a", as citeproc-js does.
#[test]
fn a_year_suffix_follows_the_issued_year_after_an_original_date() {
    let lines = lines_in_style(
        "@book{a, author = {Kullback, Solomon}, title = {Information Theory}, date = {1997}, origyear = {1959}}\n\
         @book{b, author = {Kullback, Solomon}, title = {Statistics}, date = {1997}, origyear = {1959}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation disambiguate-add-year-suffix="true"><layout>
    <names variable="author"><name form="short"/></names>
    <date variable="original-date" prefix=" (" suffix=")"><date-part name="year"/></date>
    <date variable="issued" prefix=" "><date-part name="year"/></date>
  </layout></citation>
  <bibliography><sort><key variable="title"/></sort><layout>
    <date variable="original-date" prefix="(" suffix=") "><date-part name="year"/></date>
    <date variable="issued" suffix=". "><date-part name="year"/></date>
    <text variable="title"/>
  </layout></bibliography>
</style>"#,
    );
    assert_eq!(
        lines,
        [
            "(1959) 1997a. Information theory",
            "(1959) 1997b. Statistics"
        ],
        "{lines:?}"
    );
}

/// Under `initialize="false"` with `initialize-with`, a bare initial in the
/// data takes the period and the delimiter follows it straight ("Chang,
/// Tyler A.; Bergen"), as citeproc-js writes it; a variable the style also
/// prints as written (here the translator) keeps its initials as written.
#[test]
fn bare_initials_take_the_initialize_with_only_where_every_name_of_the_variable_does() {
    let lines = lines_in_style(
        "@book{a, author = {Chang, Tyler A and Bergen, Benjamin K}, translator = {Hannes, Ludwig A}, \
           title = {T}, date = {2022}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout>
    <names variable="author" suffix=". ">
      <name delimiter="; " delimiter-precedes-last="always" initialize="false" initialize-with=". " name-as-sort-order="all"/>
    </names>
    <names variable="translator"><name prefix="Translated by "/></names>
  </layout></bibliography>
</style>"#,
    );
    assert_eq!(
        lines,
        ["Chang, Tyler A.; Bergen, Benjamin K. Translated by Ludwig A Hannes"],
        "{lines:?}"
    );
}

/// A `cs:name`'s affixes print where CSL puts them, beside a label too:
/// frontiers' `<label/><name prefix=" "/>` is "eds. G. Lloyd", and a label
/// after the name follows the name's suffix.
#[test]
fn name_affixes_print_beside_a_label() {
    let lines = lines_in_style(
        "@collection{c, editor = {Lloyd, Geoffrey and Owen, Gwilym}, title = {Mind}, date = {1978}}\n",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout><group delimiter=" | ">
    <names variable="editor"><label form="short"/><name and="text" initialize-with=". " prefix=" "/></names>
    <names variable="editor"><name and="text" initialize-with=". " prefix="[" suffix="]"/><label form="short" prefix=", "/></names>
  </group></layout></bibliography>
</style>"#,
    );
    assert_eq!(
        lines,
        ["eds. G. Lloyd and G. Owen | [G. Lloyd and G. Owen], eds."],
        "{lines:?}"
    );
}

/// Affixes are joined as citeproc-js joins them: each as the style writes
/// it, punctuation merged only where two marks touch, and no delimiter
/// before a part that printed nothing. hayagriva left out an affix the
/// text already ended with ("Book. Pub" for citeproc-js's "Book. . Pub")
/// and let punctuation eat the spaces before it. Each expected line is
/// citeproc-js's output for the same style and entry. See
/// `affixes_joined_as_written` in style_fixes.
#[test]
fn affixes_join_as_citeproc_js_joins_them() {
    let bib = "@incollection{k, author = {Doe, Jane}, title = {Title}, booktitle = {Book}, \
               publisher = {Pub}, year = 2000, langid = {german}}\n";
    let cases = [
        // A group's suffix after its last child's: both, as written.
        (
            r#"<group suffix=". "><text variable="container-title" suffix=". "/><names variable="editor"/></group><text variable="publisher"/>"#,
            "Book. . Pub",
        ),
        (
            r#"<group suffix=": "><text variable="container-title" suffix=": "/></group><text variable="publisher"/>"#,
            "Book: : Pub",
        ),
        // A delimiter after a suffix that ends with a space.
        (
            r#"<group delimiter=". "><text variable="container-title" suffix=". "/><text variable="publisher"/></group>"#,
            "Book. . Pub",
        ),
        // A space before a delimiter stays.
        (
            r#"<group delimiter=", "><text variable="container-title" suffix=" "/><text variable="publisher"/></group>"#,
            "Book , Pub",
        ),
        // Punctuation that touches merges: a suffix and a delimiter, a
        // suffix and the next prefix.
        (
            r#"<group delimiter=", "><text variable="container-title" suffix=","/><text variable="publisher"/></group>"#,
            "Book, Pub",
        ),
        (
            r#"<group suffix="," delimiter=", "><text variable="title"/><names variable="editor"/></group><date variable="issued" prefix=", " suffix="."><date-part name="year"/></date>"#,
            "Title, 2000.",
        ),
        // A delimiter before a date part the entry lacks is not written.
        (
            r#"<group delimiter=", " prefix="(" suffix=")"><date variable="issued"><date-part name="year"/></date><date variable="issued"><date-part name="month" form="long"/></date></group><text variable="title" prefix=" "/>"#,
            "(2000) Title",
        ),
        // Brackets that close nested groups both stay (MHRA's "(Wiley,
        // 1959))").
        (
            r#"<group prefix="(" suffix=")"><text variable="publisher"/><group prefix=" (" suffix=")"><text variable="title"/></group></group>"#,
            "(Pub (Title))",
        ),
        // An affix's period goes inside the quotes in an American style,
        // whatever the entry's language.
        (
            r#"<text variable="title" quotes="true" suffix=". "/><text variable="publisher"/>"#,
            "“Title.” Pub",
        ),
    ];
    for (layout, expected) in cases {
        let csl = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout>{layout}</layout></bibliography>
</style>"#
        );
        let lines = lines_in_style(bib, &csl);
        assert_eq!(lines, [expected], "{layout}");
    }
}

/// A label in `cs:names` prints the number its `plural` asks for
/// ("never": "ed." for two editors; "always": "trans." for one
/// translator), as citeproc-js does; a term the style also asks for by the
/// number of names keeps following it. See `name_label_plurals` in
/// style_fixes.
#[test]
fn name_labels_follow_their_plural() {
    let bib = "@book{k, editor = {Doe, Jane and Roe, Richard}, translator = {Poe, Edgar}, \
               title = {Title}, year = 2000}\n";
    let style = |editor_label: &str| {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout>
    <names variable="editor"><name initialize-with=". " and="text"/>{editor_label}</names>
    <names variable="translator" prefix="; "><name initialize-with=". "/><label form="short" plural="always" prefix=", "/></names>
  </layout></bibliography>
</style>"#
        )
    };
    let never = r#"<label form="short" plural="never" prefix=", "/>"#;
    assert_eq!(
        lines_in_style(bib, &style(never)),
        ["J. Doe and R. Roe, ed.; E. Poe, trans."]
    );
    // The same term asked for by number elsewhere: left to the count.
    let both = format!(
        r#"{never}</names><names variable="editor" prefix=" "><name/><label form="short" prefix=", "/>"#
    );
    let lines = lines_in_style(bib, &style(&both));
    assert!(lines[0].starts_with("J. Doe and R. Roe, eds."), "{lines:?}");
}

/// A style's access date prints for an item with no URL (a DOI only), as
/// CSL and citeproc-js print it, and nothing stands in for the URL that is
/// not there: not its text, not a test of it. An item's own URL prints as
/// written and, in HTML, as a link.
#[test]
fn access_dates_print_without_a_url() {
    let bib = "@article{a, title = {Alpha}, doi = {10.1/x}, urldate = {2023-04-26}, year = 2020}\n\
               @article{b, title = {Beta}, url = {http://example.org}, urldate = {2023-04-27}, year = 2020}\n\
               @article{c, title = {Gamma}, url = {http://example.org/c}, year = 2020}\n\
               @article{d, title = {Delta}, year = 2020}\n";
    let csl = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography>
    <sort><key variable="title"/></sort>
    <layout>
      <text variable="title"/>
      <choose><if variable="URL"><text value="[OL]"/></if></choose>
      <date variable="accessed" prefix=" [" suffix="]"><date-part name="year"/><date-part name="month" form="numeric-leading-zeros" prefix="-"/><date-part name="day" form="numeric-leading-zeros" prefix="-"/></date>
      <text variable="URL" prefix=" "/>
    </layout>
  </bibliography>
</style>"#;
    assert_eq!(
        lines_in_style(bib, csl),
        [
            "Alpha [2023-04-26]",
            "Beta[OL] [2023-04-27] http://example.org",
            "Delta",
            "Gamma[OL] http://example.org/c",
        ]
    );
    let html = references_in_style_with(bib, csl, &["--to", "html"]);
    assert!(
        html.contains(r#"<a href="http://example.org">http://example.org</a>"#),
        "{html}"
    );
    // A style that never prints the access date keeps the URL as it was.
    let without_accessed = csl.replace("accessed", "issued");
    assert_eq!(
        lines_in_style(bib, &without_accessed),
        [
            "Alpha [2020]",
            "Beta[OL] [2020] http://example.org",
            "Delta [2020]",
            "Gamma[OL] [2020] http://example.org/c",
        ]
    );
}

/// A sort key's `names-min` and `names-use-first` cut the names in its
/// macro, and entries whose keys tie keep their order in the
/// bibliography file, as in citeproc-js (AMS: "Troelstra and van Dalen"
/// sorts with "Troelstra" by the first name only).
#[test]
fn sort_keys_cut_names_and_ties_keep_file_order() {
    let bib = "@book{a, author = {Troelstra, Anne and van Dalen, Dirk}, title = {Zeta}, year = 1988}\n\
               @book{b, author = {Troelstra, Anne}, title = {Alpha}, year = 1988}\n\
               @book{c, author = {Abel, Niels}, title = {Mid}, year = 1990}\n";
    let style = |key: &str| {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <macro name="author"><names variable="author"><name name-as-sort-order="all" et-al-min="9" et-al-use-first="7"/></names></macro>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography>
    <sort>{key}<key variable="issued"/></sort>
    <layout><text macro="author" suffix=". "/><text variable="title"/></layout>
  </bibliography>
</style>"#
        )
    };
    let cut = style(r#"<key macro="author" names-min="1" names-use-first="1"/>"#);
    assert_eq!(
        lines_in_style(bib, &cut),
        [
            "Abel, Niels. Mid",
            "Troelstra, Anne, Dalen, Dirk van. Zeta",
            "Troelstra, Anne. Alpha",
        ]
    );
    // Without the limits the whole list is the key.
    let whole = style(r#"<key macro="author"/>"#);
    assert_eq!(
        lines_in_style(bib, &whole),
        [
            "Abel, Niels. Mid",
            "Troelstra, Anne. Alpha",
            "Troelstra, Anne, Dalen, Dirk van. Zeta",
        ]
    );
}

/// An event's date prints without an event title (biblatex-examples'
/// `moraux`: `eventdate` and no `eventtitle`).
#[test]
fn event_dates_print_without_an_event_title() {
    let bib = "@inproceedings{m, author = {Moraux, Paul}, title = {Anima}, \
               booktitle = {Aristotle on Mind}, eventdate = {1975}, year = 1979}\n";
    let csl = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout><text variable="title"/><date variable="event-date" prefix=", held "><date-part name="year"/></date><date variable="issued" prefix=", "><date-part name="year"/></date></layout></bibliography>
</style>"#;
    assert_eq!(lines_in_style(bib, csl), ["Anima, held 1975, 1979"]);
}

/// An undated entry's year suffix goes after the first year any of its
/// dates prints, as citeproc-js puts it (AMS: "Accessed 24 April 2022b").
#[test]
fn undated_entries_take_the_year_suffix_on_the_first_year_printed() {
    let bib = "@online{a, author = {Mozilla}, title = {Alpha}, url = {https://a.example}, urldate = {2022-04-24}}\n\
               @online{b, author = {Mozilla}, title = {Beta}, url = {https://b.example}, urldate = {2022-04-25}}\n";
    let csl = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation disambiguate-add-year-suffix="true"><layout><names variable="author"/><date variable="issued" prefix=" "><date-part name="year"/></date></layout></citation>
  <bibliography>
    <sort><key variable="title"/></sort>
    <layout><names variable="author" suffix=". "/><text variable="title"/><date variable="accessed" prefix=". Accessed "><date-part name="day" suffix=" "/><date-part name="month" suffix=" "/><date-part name="year"/></date></layout>
  </bibliography>
</style>"#;
    assert_eq!(
        lines_in_style(bib, csl),
        [
            "Mozilla. Alpha. Accessed 24 April 2022a",
            "Mozilla. Beta. Accessed 25 April 2022b",
        ]
    );
}

/// A date range takes its year suffix after its last year, as citeproc-js
/// writes it ("1984–1986a").
#[test]
fn ranges_take_the_year_suffix_after_their_last_year() {
    let bib = "@book{a, author = {Knuth, Donald}, title = {Alpha}, date = {1984/1986}}\n\
               @book{b, author = {Knuth, Donald}, title = {Beta}, date = {1984/1986}}\n";
    let csl = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation disambiguate-add-year-suffix="true"><layout><names variable="author"/><date variable="issued" prefix=" "><date-part name="year"/></date></layout></citation>
  <bibliography>
    <sort><key variable="title"/></sort>
    <layout><names variable="author" suffix=". "/><date variable="issued" suffix=". "><date-part name="year"/></date><text variable="title"/></layout>
  </bibliography>
</style>"#;
    assert_eq!(
        lines_in_style(bib, csl),
        [
            "Donald Knuth. 1984–1986a. Alpha",
            "Donald Knuth. 1984–1986b. Beta"
        ]
    );
}

/// Under the global `primary-name` rule an entry's first name shows its
/// given name in full where another cite's first name has the same family
/// name and initials and a different given name, in the bibliography too
/// (citeproc-js: "Aerts, Conny" beside "Aerts, C."); a name of initials
/// only, the same person twice, different initials and second names do not.
#[test]
fn primary_names_told_apart_show_in_full_in_the_bibliography() {
    let bib = "@book{a, author = {Aerts, Conny and Kurtz, Don}, title = {A}, year = 2010}\n\
               @book{b, author = {Aerts, C.}, title = {B}, year = 2021}\n\
               @book{c, author = {Kurtz, Donald}, title = {C}, year = 2021}\n\
               @book{d, author = {Smith, John}, title = {D}, year = 2001}\n\
               @book{e, author = {Smith, Adam}, title = {E}, year = 2002}\n\
               @book{f, author = {Jones, Ann}, title = {F}, year = 2003}\n\
               @book{g, author = {Jones, Ann}, title = {G}, year = 2004}\n";
    let style = |rule: &str| {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation disambiguate-add-givenname="true" givenname-disambiguation-rule="{rule}"><layout><names variable="author"><name form="short" initialize-with=". "/></names><date variable="issued" prefix=" "><date-part name="year"/></date></layout></citation>
  <bibliography>
    <sort><key variable="title"/></sort>
    <layout><names variable="author" suffix=". "><name name-as-sort-order="all" initialize-with=". " delimiter="; "/></names><text variable="title"/></layout>
  </bibliography>
</style>"#
        )
    };
    assert_eq!(
        lines_in_style(bib, &style("primary-name")),
        [
            "Aerts, Conny; Kurtz, D. A",
            "Aerts, C. B",
            "Kurtz, D. C",
            "Smith, J. D",
            "Smith, A. E",
            "Jones, A. F",
            "Jones, A. G",
        ]
    );
    // By cite, names are told apart only where cites are alike.
    assert!(
        lines_in_style(bib, &style("by-cite"))[0].starts_with("Aerts, C.; "),
        "by-cite"
    );
}

/// Sort keys as citeproc-js renders them: every name family name first
/// whatever the style's `name-as-sort-order` (AMS's "first"), and an empty
/// name count as nought, before the counts (Pensoft's `authorcount` puts
/// an edited book, which has no author, before its chapters).
#[test]
fn sort_keys_put_every_name_family_first_and_an_empty_count_first() {
    let bib = "@book{m, author = {Hogg, David and Myers, Adam}, title = {M}, year = 2010}\n\
               @book{b, author = {Hogg, David and Bovy, Jo}, title = {B}, year = 2010}\n\
               @book{two, author = {Roe, Ann and Doe, Jim}, title = {Two}, year = 2011}\n\
               @book{one, author = {Roe, Ann}, title = {One}, year = 2011}\n\
               @book{none, editor = {Roe, Ann}, title = {None}, year = 2011}\n";
    let csl = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <macro name="first"><names variable="author"><name name-as-sort-order="first" initialize-with=". " and="text" delimiter=", "/><substitute><names variable="editor"/></substitute></names></macro>
  <macro name="count"><names variable="author"><name form="count"/></names></macro>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography>
    <sort><key macro="first" names-min="1" names-use-first="1"/><key macro="count"/><key macro="first"/></sort>
    <layout><text macro="first" suffix=". "/><text variable="title"/></layout>
  </bibliography>
</style>"#;
    assert_eq!(
        lines_in_style(bib, csl),
        [
            "Hogg, D. and J. Bovy. B",
            "Hogg, D. and A. Myers. M",
            "Roe, A. None",
            "Roe, A. One",
            "Roe, A. and J. Doe. Two",
        ]
    );
}

/// A year suffix takes the prefix and suffix of the `year` date-part it
/// follows, as citeproc-js writes it (ISO 690's `prefix=" "`: "2022 c").
#[test]
fn year_suffixes_take_the_year_parts_affixes() {
    let bib = "@book{a, author = {Doe, Jane}, title = {A}, date = {2020-03}}\n\
               @book{b, author = {Doe, Jane}, title = {B}, date = {2020-04}}\n\
               @book{c, author = {Roe, Jim}, title = {C}, urldate = {2022-04-03}}\n\
               @book{d, author = {Roe, Jim}, title = {D}, urldate = {2022-04-05}}\n";
    let csl = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation disambiguate-add-year-suffix="true"><layout><names variable="author"/><date variable="issued" prefix=" "><date-part name="year"/></date></layout></citation>
  <bibliography>
    <sort><key variable="title"/></sort>
    <layout><names variable="author" suffix=". "/><date variable="issued" prefix="{" suffix="}"><date-part name="month" suffix=" "/><date-part name="year" prefix="[" suffix="]"/></date><text variable="title" prefix=" "/><date variable="accessed" prefix=" acc "><date-part name="day" suffix=" "/><date-part name="year" prefix="&lt;" suffix="&gt;"/></date></layout>
  </bibliography>
</style>"#;
    assert_eq!(
        lines_in_style(bib, csl),
        [
            "Jane Doe. {March [2020][a]} A",
            "Jane Doe. {April [2020][b]} B",
            "Jim Roe. C acc 3 <2022><a>",
            "Jim Roe. D acc 5 <2022><b>",
        ]
    );
}

/// Adding names to a cite helps when it tells the cite from some of the
/// alike ones, if not from all: two "Doe et al. 2018" by Doe, Roe and Luche
/// and two by Doe, Roe and Delle Luche get a–b each (citeproc-js), not
/// a–d together.
#[test]
fn names_added_to_tell_some_cites_apart_split_the_year_suffixes() {
    let bib = "@book{a, author = {Doe, Ann and Roe, Bo and Luche, Cy}, title = {A}, year = 2018}\n\
               @book{b, author = {Doe, Ann and Roe, Bo and Luche, Cy}, title = {B}, year = 2018}\n\
               @book{c, author = {Doe, Ann and Roe, Bo and Delle Luche, Cy}, title = {C}, year = 2018}\n\
               @book{d, author = {Doe, Ann and Roe, Bo and Delle Luche, Cy}, title = {D}, year = 2018}\n";
    let csl = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-US">
  <info><title>t</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation et-al-min="3" et-al-use-first="1" disambiguate-add-names="true" disambiguate-add-year-suffix="true"><layout><names variable="author"><name form="short"/></names><date variable="issued" prefix=" "><date-part name="year"/></date></layout></citation>
  <bibliography>
    <sort><key variable="title"/></sort>
    <layout><date variable="issued" suffix=" "><date-part name="year"/></date><text variable="title"/></layout>
  </bibliography>
</style>"#;
    assert_eq!(
        lines_in_style(bib, csl),
        ["2018a A", "2018b B", "2018a C", "2018b D"]
    );
}
