//! CSL's rich-text markup, in the titles and other text of CSL data
//! (CSL-JSON, CSL-YAML): `<i>`, `<b>`, `<span class="nocase">`, ... read as
//! [`Rich`] text, as citeproc-js reads them.

use super::latex::{Rich, Segment, Style};

/// CSL's rich-text markup as runs: `<i>`, `<b>`, `<sup>`, `<sub>`,
/// `<span class="nocase">` and `<span style="font-variant:small-caps;">`;
/// anything else is text, as citeproc-js reads it.
pub fn markup(text: &str) -> Rich {
    const TAGS: [&str; 6] = [
        "<i>",
        "<b>",
        "<sup>",
        "<sub>",
        "<span class=\"nocase\">",
        "<span style=\"font-variant:small-caps;\">",
    ];
    let mut rich = Rich::default();
    // How many of each tag are open (a span's closing tag closes the last
    // span opened).
    let mut open = [0usize; 6];
    let mut spans: Vec<usize> = Vec::new();
    let mut run = String::new();
    let mut rest = text;
    let flush = |run: &mut String, open: &[usize; 6], rich: &mut Rich| {
        if run.is_empty() {
            return;
        }
        rich.segments.push(Segment {
            text: std::mem::take(run),
            style: Style {
                italic: open[0] > 0,
                bold: open[1] > 0,
                superscript: open[2] > 0,
                subscript: open[3] > 0,
                small_caps: open[5] > 0,
            },
            nocase: open[4] > 0,
        });
    };
    while let Some(lt) = rest.find('<') {
        run.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let opening = TAGS.iter().position(|t| rest.starts_with(t));
        let closing = ["</i>", "</b>", "</sup>", "</sub>", "</span>"]
            .iter()
            .position(|t| rest.starts_with(t));
        if let Some(tag) = opening {
            flush(&mut run, &open, &mut rich);
            open[tag] += 1;
            if tag >= 4 {
                spans.push(tag);
            }
            rest = &rest[TAGS[tag].len()..];
        } else if let Some(tag) = closing {
            let which = if tag == 4 { spans.pop() } else { Some(tag) };
            match which {
                Some(which) if open[which] > 0 => {
                    flush(&mut run, &open, &mut rich);
                    open[which] -= 1;
                    rest = &rest[rest.find('>').map_or(rest.len(), |i| i + 1)..];
                }
                _ => {
                    run.push('<');
                    rest = &rest[1..];
                }
            }
        } else {
            run.push('<');
            rest = &rest[1..];
        }
    }
    run.push_str(rest);
    flush(&mut run, &open, &mut rich);
    rich
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_tags_and_unbalanced_closings_are_text() {
        assert_eq!(markup("a <u>b</u> c</i> d").text(), "a <u>b</u> c</i> d");
        let nested = markup("<b>bold <i>both</i></b>");
        assert!(nested.segments[1].style.italic && nested.segments[1].style.bold);
    }
}
