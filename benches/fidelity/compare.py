#!/usr/bin/env python3
"""Fidelity of `refkeeper refs` against citeproc-js, beside pandoc.

For each bibliography and style, the same entries and the same .csl file go
to three processors:

- refkeeper: `refkeeper refs --all --to text --format json`;
- citeproc-js (the reference, used by Zotero): fed refkeeper's CSL-JSON
  export (`refkeeper refs --all --format csl-json --style STYLE`: the data
  read in the style's language), so that it measures the CSL engine on the
  same data;
- pandoc --citeproc: reads the .bib itself (its own BibLaTeX conversion).

Texts are compared after normalising whitespace only. Prints a table of the
share of entries where refkeeper (and pandoc) equal citeproc-js, lists every
difference with --diffs, and with --ratchet FILE writes the ratchet that
`tests/fidelity.rs` checks.

A last column measures the reading of BibLaTeX rather than the CSL engine:
the share of entries where refkeeper's text equals citeproc-js's fed
pandoc's own conversion (`pandoc -f biblatex -t csljson`), the data Quarto
and R Markdown users format. Where the two readings differ, --diffs shows
that text too.

Needs: node with the npm package `citeproc` (NODE_PATH) and, for its column,
pandoc. The style files and the CSL locale are in benches/fidelity/styles.
See benches/fidelity/README.md.
"""

import argparse
import html
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
STYLES = ["apa", "chicago-author-date", "ieee", "modern-language-association", "harvard-cite-them-right"]


def corpus_bibs(corpus):
    """The bibliographies to measure, as (id, path)."""
    bibs = [("study", ROOT / "refs" / "study.bib")]
    names = [
        "biblatex-examples/biblatex-examples.bib",
        "hott-book/references.bib",
        "lyttle-thesis/references.bib",
        "irgendwr-bsc/references.bib",
        "laclavere-papers/publications/CMM/biblio.bib",
        "laclavere-papers/publications/FMM/biblio.bib",
        "gongcastro-thesis/_assets/references.bib",
        "iml-book/manuscript/references.bib",
        "rmarkdown-book/book.bib",
        "pollard-template/source/references.bib",
    ]
    if corpus and corpus.is_dir():
        bibs += [(name, corpus / name) for name in names if (corpus / name).is_file()]
    return bibs


def normalise(text):
    return " ".join(text.split())


def fnv1a(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def refkeeper_texts(binary, bib, style):
    p = run([binary, "refs", "--no-config", "--all", "--to", "text", "--format", "json", "--style", str(style), "--bib", str(bib)])
    if p.returncode not in (0, 1):
        raise SystemExit(f"refkeeper failed on {bib}: {p.stderr}")
    return {e["key"]: normalise(e["text"]) for e in json.loads(p.stdout)["entries"]}


def citeproc_texts(items_path, style, locale):
    p = run(["node", str(HERE / "citeproc.js"), str(items_path), str(style), str(locale)])
    if p.returncode != 0:
        raise SystemExit(f"citeproc-js failed: {p.stderr[-2000:]}")
    return {k: normalise(v) for k, v in json.loads(p.stdout).items()}


def pandoc_texts(bib, style):
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as doc:
        doc.write("---\nnocite: '@*'\n---\n")
    p = run(["pandoc", doc.name, "--citeproc", "--csl", str(style), "--bibliography", str(bib), "-t", "html"])
    os.unlink(doc.name)
    texts = {}
    # Entries may hold nested <div>s (a label apart from the text): split at
    # each entry's opening tag rather than matching its closing one.
    for part in p.stdout.split('<div id="ref-')[1:]:
        key, _, body = part.partition('"')
        body = body.split(">", 1)[1] if ">" in body else body
        # The label and the text are two <div>s: a space between them.
        body = re.sub(r"</div>\s*<div[^>]*>", " ", body)
        text = re.sub(r"<[^>]+>", "", body)
        texts[html.unescape(key)] = normalise(html.unescape(text))
    return texts


def pandoc_items(bib, path):
    """pandoc's BibLaTeX -> CSL-JSON conversion of `bib`, written to `path`;
    False where pandoc cannot read the file."""
    p = run(["pandoc", "-f", "biblatex", "-t", "csljson", str(bib)])
    if p.returncode != 0:
        print(f"{bib}: pandoc cannot convert it: {p.stderr[:200]}", file=sys.stderr)
        return False
    path.write_text(p.stdout)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--refkeeper", default=str(ROOT / "target" / "release" / "refkeeper"))
    parser.add_argument("--styles-dir", default=str(HERE / "styles"), help="folder with the .csl files")
    parser.add_argument("--locale", default=str(HERE / "styles" / "locales-en-US.xml"), help="the CSL locale file")
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument(
        "--bundled",
        nargs="?",
        const="all",
        help="measure bundled styles instead (a comma list, or every one): refkeeper formats by the name, "
        "citeproc-js reads the same style as `refkeeper styles NAME` prints it",
    )
    parser.add_argument("--no-pandoc", action="store_true")
    parser.add_argument("--diffs", action="store_true", help="print every difference")
    parser.add_argument("--ratchet", help="write the ratchet file here")
    parser.add_argument(
        "--ratchet-bibliographies",
        help="only these bibliographies (comma list of ids: study, biblatex-examples/biblatex-examples.bib, ...) go into the ratchet",
    )
    args = parser.parse_args()

    styles = args.styles.split(",")
    bundled_dir = None
    if args.bundled:
        listed = run([args.refkeeper, "styles"]).stdout.split("\n")
        names = [line.split()[0] for line in listed if line.strip()]
        # One name per style: the aliases (`apa`, `mla`) print the same XML.
        seen, styles = set(), []
        wanted = names if args.bundled == "all" else args.bundled.split(",")
        bundled_dir = Path(tempfile.mkdtemp())
        for name in wanted:
            xml = run([args.refkeeper, "styles", name]).stdout
            if xml in seen:
                continue
            seen.add(xml)
            (bundled_dir / f"{name}.csl").write_text(xml)
            styles.append(name)
    have_pandoc = not args.no_pandoc and run(["pandoc", "--version"]).returncode == 0
    # entries, refkeeper agrees, pandoc agrees, refkeeper agrees with
    # citeproc-js fed pandoc's conversion
    totals = {s: [0, 0, 0, 0] for s in styles}
    ratchet = []
    diffs = []
    with tempfile.TemporaryDirectory() as tmp:
        for bib_id, bib in corpus_bibs(Path(args.corpus)):
            items_path = Path(tmp) / "items.json"
            pandoc_items_path = Path(tmp) / "pandoc-items.json"
            pandoc_read = have_pandoc and pandoc_items(bib, pandoc_items_path)
            for style in styles:
                if bundled_dir:
                    csl = bundled_dir / f"{style}.csl"
                    ours = refkeeper_texts(args.refkeeper, bib, style)
                    named = style
                else:
                    csl = Path(args.styles_dir) / f"{style}.csl"
                    ours = refkeeper_texts(args.refkeeper, bib, csl)
                    named = str(csl)
                # The CSL data is read in the style's language (biblatex's
                # localisation keys: `mathesis` is "Magisterarbeit" in German).
                items = run([args.refkeeper, "refs", "--no-config", "--all", "--format", "csl-json",
                             "--style", named, "--bib", str(bib)])
                items_path.write_text(items.stdout)
                try:
                    reference = citeproc_texts(items_path, csl, args.locale)
                except SystemExit as error:
                    print(f"{style}: citeproc-js cannot read it: {str(error)[:200]}", file=sys.stderr)
                    continue
                theirs = pandoc_texts(bib, csl) if have_pandoc else {}
                via_pandoc = citeproc_texts(pandoc_items_path, csl, args.locale) if pandoc_read else {}
                for key, want in sorted(reference.items()):
                    got = ours.get(key, "")
                    agree = got == want
                    totals[style][0] += 1
                    totals[style][1] += agree
                    totals[style][2] += theirs.get(key) == want
                    totals[style][3] += via_pandoc.get(key) == got
                    kept = not args.ratchet_bibliographies or bib_id in args.ratchet_bibliographies.split(",")
                    if agree and kept:
                        ratchet.append(f"{style}\t{bib_id}\t{key}\t{fnv1a(want)}")
                    read_alike = not via_pandoc or via_pandoc.get(key) == got
                    if not agree or not read_alike:
                        diffs.append((style, bib_id, key, want, got, theirs.get(key, ""), via_pandoc.get(key, "")))

    print(f"{'style':<44} {'entries':>8} {'refkeeper':>10} {'pandoc':>8} {'read as pandoc':>15}")
    for style, (n, ours, pandoc, read_alike) in totals.items():
        pandoc_share = f"{100 * pandoc / n:7.1f}%" if have_pandoc and n else "      -"
        reading_share = f"{100 * read_alike / n:14.1f}%" if have_pandoc and n else "             -"
        print(f"{style:<44} {n:>8} {100 * ours / max(n, 1):9.1f}% {pandoc_share} {reading_share}")
    if args.diffs:
        for style, bib_id, key, want, got, pandoc, via_pandoc in diffs:
            print(
                f"\n== {style} {bib_id} {key}\n  citeproc-js: {want}\n  refkeeper:   {got}\n  pandoc:      {pandoc}"
                f"\n  citeproc-js fed pandoc's reading: {via_pandoc}"
            )
    if args.ratchet:
        header = (
            "# Entries whose refkeeper text equals citeproc-js's (tests/fidelity.rs keeps them so).\n"
            "# Written by benches/fidelity/compare.py --ratchet; do not edit by hand.\n"
            "# style\tbibliography\tkey\tFNV-1a of the whitespace-normalised text\n"
        )
        Path(args.ratchet).write_text(header + "\n".join(ratchet) + "\n")


if __name__ == "__main__":
    sys.exit(main())
