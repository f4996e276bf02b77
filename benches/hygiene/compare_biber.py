#!/usr/bin/env python3
"""refkeeper's hygiene findings beside `biber --tool --validate-datamodel`.

For every .bib file in the corpus (../shared/corpus, or --corpus) and the
study's refs/study.bib, counts refkeeper's findings with the default levels
(`refkeeper check --no-config`, unused-entry left out: nothing is cited
here) and biber's warnings, by kind. biber works on a copy in a temporary
folder (it writes its output next to the input).

    python3 benches/hygiene/compare_biber.py [--refkeeper PATH] [--corpus DIR]

Needs biber (Debian package `biber`).
"""

import argparse
import collections
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def refkeeper_counts(refkeeper, bib, empty_dir):
    out = subprocess.run(
        [refkeeper, "check", "--no-config", "--format", "json", "--bib", str(bib), str(empty_dir)],
        capture_output=True,
        text=True,
    )
    report = json.loads(out.stdout)
    return collections.Counter(
        d["code"] for d in report["diagnostics"] if d["code"] != "unused-entry"
    )


def biber_counts(bib, work):
    copy = Path(work) / bib.name
    shutil.copy(bib, copy)
    out = subprocess.run(
        ["biber", "--tool", "--validate-datamodel", "--output-directory", work, copy.name],
        capture_output=True,
        text=True,
        cwd=work,
    )
    kinds = collections.Counter()
    for line in (out.stdout + out.stderr).splitlines():
        if not line.startswith("WARN - "):
            continue
        if "Missing mandatory field" in line:
            kinds["missing field"] += 1
        elif re.search(r"Invalid field '.*' for entrytype", line):
            kinds["field invalid for type"] += 1
        elif "Entry type" in line or "entrytype" in line:
            kinds["entry type"] += 1
        elif "Datamodel" in line:
            kinds["other data model"] += 1
        else:
            kinds["other"] += 1
    return kinds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--refkeeper", default=str(ROOT / "target" / "release" / "refkeeper"))
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    args = parser.parse_args()
    corpus = Path(args.corpus)
    bibs = sorted(p for p in corpus.rglob("*.bib")) + [ROOT / "refs" / "study.bib"]
    total_rk, total_biber = collections.Counter(), collections.Counter()
    print(f"{'file':<50} {'refkeeper':>9} {'biber':>7}  biber by kind")
    with tempfile.TemporaryDirectory() as empty, tempfile.TemporaryDirectory() as work:
        for bib in bibs:
            name = str(bib.relative_to(corpus)) if corpus in bib.parents else "study: refs/study.bib"
            rk = refkeeper_counts(args.refkeeper, bib, empty)
            bb = biber_counts(bib, work)
            total_rk += rk
            total_biber += bb
            kinds = ", ".join(f"{k} {v}" for k, v in bb.most_common())
            print(f"{name:<50} {sum(rk.values()):>9} {sum(bb.values()):>7}  {kinds}")
    print(f"{'total':<50} {sum(total_rk.values()):>9} {sum(total_biber.values()):>7}")
    print()
    print("refkeeper by code:", ", ".join(f"{k} {v}" for k, v in sorted(total_rk.items())))
    print("biber by kind:    ", ", ".join(f"{k} {v}" for k, v in total_biber.most_common()))


if __name__ == "__main__":
    main()
