//! `refkeeper report --html`: one self-contained page (no external files,
//! scripts or fonts) an editor can open and pass around. A chapter ×
//! reference matrix whose columns sort on click, the unused entries, the
//! missing keys with their places, and the cited works per year as a bar
//! chart drawn in inline SVG.

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
.unused { columns: 18rem; } .unused li { break-inside: avoid; }
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
         <span><b>{cited_total}</b> citations</span><span><b>{}</b> unused</span><span><b>{}</b> missing keys</span></p>\n",
        escape(title),
        overview.chapters.len(),
        overview.cited.len(),
        overview.unused.len(),
        overview.missing.len(),
    );
    matrix(&mut html, overview);
    years(&mut html, overview);
    missing(&mut html, overview);
    unused(&mut html, overview);
    let _ = write!(html, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    html
}

fn matrix(html: &mut String, overview: &Overview) {
    html.push_str(
        "<h2 id=\"matrix\">Which chapter cites what</h2>\n\
         <p>Citations of each entry in each chapter; click a heading to sort.</p>\n\
         <div class=\"scroll\"><table class=\"sortable\" id=\"citation-matrix\">\n<thead><tr>\
         <th class=\"key\" data-sort=\"entry\">entry</th><th data-sort=\"year\">year</th>\
         <th data-sort=\"total\">total</th>",
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
            "<tr><td class=\"key\" data-value=\"{key}\" title=\"{title}\"><code>{key}</code></td>\
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
        if year % 5 == 0 || year == first || year == last {
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
    for key in &overview.unused {
        let _ = writeln!(html, "<li><code>{}</code></li>", escape(key));
    }
    html.push_str("</ul>\n");
}

/// Text for HTML content and attribute values.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_keys_and_titles_is_escaped() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            // Attributes are double-quoted throughout: `'` needs no escape.
            "&lt;script&gt;&quot;a&quot; &amp; 'b'&lt;/script&gt;"
        );
    }
}
