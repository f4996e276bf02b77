//! `refkeeper report --html`: one self-contained page (no external files,
//! scripts or fonts) an editor can open and pass around. What needs doing
//! first: the missing keys with their places, the unused entries with
//! their titles, the findings on the bibliography; then a chapter ×
//! reference matrix whose columns sort on click, and the cited works per
//! year as a bar chart drawn in inline SVG.

use std::fmt::Write as _;

use crate::overview::Overview;
use crate::render::references::escape_html as escape;

const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d2330; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.summary span { display: inline-block; margin-right: 1.5rem; }
.summary b { font-size: 1.3rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d7dbe3; padding: .25rem .5rem; text-align: right; }
th { background: #f1f3f7; cursor: pointer; user-select: none; position: sticky; top: 0; }
th.key, td.key { text-align: left; }
th.chapter { writing-mode: vertical-rl; transform: rotate(180deg); max-height: 14rem; text-align: left; }
td.zero { color: #c3c8d2; }
td.hot { background: #dfe9ff; }
th[aria-sort=ascending]::after { content: ' ▲'; } th[aria-sort=descending]::after { content: ' ▼'; }
ul.missing li { margin-bottom: .3rem; } code { font-size: .92em; }
.unused { columns: 24rem; } .unused li { break-inside: avoid; margin-bottom: .3rem; }
td.title, th.title { text-align: left; min-width: 16rem; }
table.findings td { text-align: left; vertical-align: top; }
.error { color: #b3261e; } .warning { color: #8a5a00; } .help { color: #4b5363; }
svg text { font: 11px system-ui, sans-serif; fill: #1d2330; }
";

/// Sorting by a header click: numbers as numbers, text by collation.
const SCRIPT: &str = "
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('th').forEach(function (th, column) {
    th.addEventListener('click', function () {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.value, y = b.cells[column].dataset.value;
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
// A link may carry a sorted view: report.html#sort=year or #sort=total:desc.
var wanted = /^#sort=([A-Za-z0-9_-]+)(?::(asc|desc))?$/.exec(location.hash);
if (wanted) {
  var th = document.querySelector('#citation-matrix th[data-sort=\"' + wanted[1] + '\"]');
  if (th) { th.click(); if (wanted[2] === 'desc') { th.click(); } }
}
";

/// The whole page.
pub fn page(overview: &Overview, title: &str) -> String {
    let mut html = String::with_capacity(16 * 1024);
    let cited_total: u32 = overview.cited.iter().map(|e| e.total()).sum();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"refkeeper {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        escape(title)
    );
    let _ = write!(
        html,
        "<h1>{}</h1>\n<p class=\"summary\"><span><b>{}</b> chapters</span><span><b>{}</b> entries cited</span>\
         <span><b>{cited_total}</b> citations</span><span><b>{}</b> missing keys</span><span><b>{}</b> unused</span>\
         <span><b>{}</b> bibliography findings</span></p>\n",
        escape(title),
        overview.chapters.len(),
        overview.cited.len(),
        overview.missing.len(),
        overview.unused.len(),
        overview.bibliography.len(),
    );
    // What needs doing first.
    missing(&mut html, overview);
    unused(&mut html, overview);
    bibliography(&mut html, overview);
    matrix(&mut html, overview);
    years(&mut html, overview);
    let _ = write!(html, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    html
}

fn matrix(html: &mut String, overview: &Overview) {
    html.push_str(
        "<h2 id=\"matrix\">Which chapter cites what</h2>\n\
         <p>Citations of each entry in each chapter; click a heading to sort.</p>\n\
         <div class=\"scroll\"><table class=\"sortable\" id=\"citation-matrix\">\n<thead><tr>\
         <th class=\"key\" data-sort=\"entry\">entry</th><th class=\"title\" data-sort=\"title\">title</th>\
         <th data-sort=\"year\">year</th><th data-sort=\"total\">total</th>",
    );
    for (i, chapter) in overview.chapters.iter().enumerate() {
        let _ = write!(
            html,
            "<th class=\"chapter\" data-sort=\"chapter-{}\" title=\"{1}\">{1}</th>",
            i + 1,
            escape(chapter)
        );
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for entry in &overview.cited {
        let title = entry.title.as_deref().unwrap_or("");
        let year = entry.year.map(|y| y.to_string()).unwrap_or_default();
        let _ = write!(
            html,
            "<tr><td class=\"key\" data-value=\"{key}\"><code>{key}</code></td>\
             <td class=\"title\" data-value=\"{title}\">{title}</td>\
             <td data-value=\"{year}\">{year}</td><td data-value=\"{total}\">{total}</td>",
            key = escape(&entry.key),
            title = escape(title),
            total = entry.total(),
        );
        for &count in &entry.counts {
            let class = match count {
                0 => " class=\"zero\"",
                1 => "",
                _ => " class=\"hot\"",
            };
            let _ = write!(html, "<td{class} data-value=\"{count}\">{count}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody></table></div>\n");
}

/// Cited works per year: one bar per year from the first to the last.
fn years(html: &mut String, overview: &Overview) {
    html.push_str("<h2 id=\"years\">Cited works by year</h2>\n");
    let (Some((&first, _)), Some((&last, _))) = (
        overview.years.first_key_value(),
        overview.years.last_key_value(),
    ) else {
        html.push_str("<p>No cited work has a year.</p>\n");
        return;
    };
    let span = (last - first + 1).clamp(1, 400) as usize;
    let tallest = overview.years.values().copied().max().unwrap_or(1).max(1);
    let (bar, gap, height, top, bottom) = (14usize, 4usize, 160usize, 16usize, 30usize);
    let width = span * (bar + gap) + 40;
    // A label is four digits, about 28 px: at least two bars apart.
    let step = label_step(span);
    let _ = writeln!(
        html,
        "<svg id=\"year-chart\" role=\"img\" width=\"{width}\" height=\"{}\" viewBox=\"0 0 {width} {}\">\
         <title>Cited works per year, {first}–{last}</title>",
        height + top + bottom,
        height + top + bottom
    );
    for (i, year) in (first..=last).take(span).enumerate() {
        let count = overview.years.get(&year).copied().unwrap_or(0);
        let h = (count as usize * height).div_ceil(tallest as usize);
        let x = 20 + i * (bar + gap);
        let y = top + height - h;
        let _ = write!(
            html,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"#4a6fd1\"><title>{year}: {count}</title></rect>"
        );
        if count > 0 {
            let _ = write!(
                html,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{count}</text>",
                x + bar / 2,
                y.saturating_sub(3)
            );
        }
        if labelled(year, first, last, step) {
            let _ = write!(
                html,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{year}</text>",
                x + bar / 2,
                top + height + 16
            );
        }
    }
    html.push_str("</svg>\n");
    if overview.undated > 0 {
        let _ = writeln!(
            html,
            "<p>{} cited works have no year.</p>",
            overview.undated
        );
    }
}

/// Years between labels: 5, or more when there are many years.
fn label_step(span: usize) -> i32 {
    match span {
        0..=60 => 5,
        61..=150 => 10,
        151..=300 => 25,
        _ => 50,
    }
}

/// Whether a year's bar is labelled: every `step` years, and the first and
/// last unless a labelled year is within two bars of them.
fn labelled(year: i32, first: i32, last: i32, step: i32) -> bool {
    if year % step == 0 {
        return true;
    }
    let near_a_label =
        |year: i32| (year - 2..=year + 2).any(|y| y % step == 0 && (first..=last).contains(&y));
    (year == first || year == last) && !near_a_label(year)
}

fn missing(html: &mut String, overview: &Overview) {
    html.push_str("<h2 id=\"missing\">Cited but not in the bibliography</h2>\n");
    if overview.missing.is_empty() {
        html.push_str("<p>None.</p>\n");
        return;
    }
    html.push_str("<ul class=\"missing\">\n");
    for key in &overview.missing {
        let places: Vec<String> = key
            .places
            .iter()
            .map(|p| format!("<code>{}</code>", escape(p)))
            .collect();
        let _ = writeln!(
            html,
            "<li><code>{}</code>: {}</li>",
            escape(&key.key),
            places.join(", ")
        );
    }
    html.push_str("</ul>\n");
}

fn unused(html: &mut String, overview: &Overview) {
    html.push_str("<h2 id=\"unused\">In the bibliography but never cited</h2>\n");
    if overview.unused.is_empty() {
        html.push_str("<p>None.</p>\n");
        return;
    }
    html.push_str("<ul class=\"unused\">\n");
    for entry in &overview.unused {
        let _ = write!(html, "<li><code>{}</code>", escape(&entry.key));
        if let Some(title) = &entry.title {
            let _ = write!(html, " {}", escape(title));
        }
        html.push_str("</li>\n");
    }
    html.push_str("</ul>\n");
}

/// The findings on the bibliography files, with their places and help.
fn bibliography(html: &mut String, overview: &Overview) {
    html.push_str("<h2 id=\"bibliography\">In the bibliography itself</h2>\n");
    if overview.bibliography.is_empty() {
        html.push_str("<p>No findings.</p>\n");
        return;
    }
    html.push_str(
        "<div class=\"scroll\"><table class=\"findings\">\n<thead><tr><th>where</th><th>code</th><th>what</th></tr></thead>\n<tbody>\n",
    );
    for finding in &overview.bibliography {
        let help = finding
            .help
            .as_deref()
            .map(|h| format!("<br><span class=\"help\">{}</span>", escape(h)))
            .unwrap_or_default();
        let _ = writeln!(
            html,
            "<tr><td><code>{}</code></td><td class=\"{}\">{}</td><td>{}{help}</td></tr>",
            escape(&finding.place),
            finding.severity,
            finding.code,
            escape(&finding.message),
        );
    }
    html.push_str("</tbody></table></div>\n");
}

/// Text for HTML content and attribute values.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_labels_are_at_least_three_bars_apart() {
        for (first, last) in [
            (1991, 2021),
            (1990, 2020),
            (1899, 2024),
            (2019, 2021),
            (1700, 2024),
        ] {
            let span = (last - first + 1) as usize;
            let step = label_step(span);
            let labels: Vec<i32> = (first..=last)
                .filter(|&y| labelled(y, first, last, step))
                .collect();
            assert!(labels.contains(&first) || labels.iter().any(|l| l - first <= 2));
            for pair in labels.windows(2) {
                assert!(pair[1] - pair[0] >= 3, "{first}-{last}: {labels:?}");
            }
        }
    }

    #[test]
    fn markup_in_keys_and_titles_is_escaped() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            // Attributes are double-quoted throughout: `'` needs no escape.
            "&lt;script&gt;&quot;a&quot; &amp; 'b'&lt;/script&gt;"
        );
    }
}
