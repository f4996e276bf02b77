#!/usr/bin/env python3
"""Writes src/bib/value/bibstrings.txt: biblatex's localisation strings
(the long forms) for the keys a bibliography database holds, in every
language biblatex ships, read from biblatex's own `.lbx` files.

    python3 scripts/bibstrings.py [LBX_DIR] > src/bib/value/bibstrings.txt

LBX_DIR defaults to the directory `kpsewhich english.lbx` names. The keys
are those biblatex's manual (section 4.9.2) lists for fields of the
database: `type` (thesis and report kinds, patents), `pubstate`, `series`
(`newseries`), patent locations (`countryde`), related-entry strings, and
the common words `\\bibstring` is written with in notes. The values stay
LaTeX (`U.S\\adddotspace patent`); refkeeper's LaTeX reader reads them.
A language that inherits another (`british` from `english`) keeps only the
strings it changes.
"""

import os
import re
import subprocess
import sys

KEYS = """
bathesis mathesis phdthesis candthesis resreport techreport software datacd
audiocd
patent patentde patenteu patentfr patentuk patentus patreq patreqde patreqeu
patreqfr patrequk patrequs
countryde countryeu countryep countryfr countryuk countryus
inpreparation submitted forthcoming inpress prepublished
jourser newseries oldseries
reprint reprintof reprintas reprintfrom reviewof translationof translationas
translationfrom origpubas origpubin
and andothers andmore volume volumes edition number chapter part issue
page pages version in inseries ofseries nodate circa
""".split()

# biblatex language name -> BCP 47 tag. Names biblatex only aliases
# (`american`, `USenglish`, `ngerman`) are left out: they answer to the
# same tag as the language they inherit everything from.
LANGUAGES = {
    "english": "en",
    "british": "en-GB",
    "australian": "en-AU",
    "newzealand": "en-NZ",
    "german": "de",
    "austrian": "de-AT",
    "swissgerman": "de-CH",
    "french": "fr",
    "spanish": "es",
    "catalan": "ca",
    "galician": "gl",
    "basque": "eu",
    "italian": "it",
    "portuguese": "pt",
    "brazilian": "pt-BR",
    "dutch": "nl",
    "danish": "da",
    "norsk": "nb",
    "nynorsk": "nn",
    "swedish": "sv",
    "icelandic": "is",
    "finnish": "fi",
    "estonian": "et",
    "latvian": "lv",
    "lithuanian": "lt",
    "polish": "pl",
    "czech": "cs",
    "slovak": "sk",
    "slovene": "sl",
    "croatian": "hr",
    # CSL's Serbian locale (sr-RS) is in Cyrillic, biblatex's `serbian` in Latin.
    "serbianc": "sr",
    "serbian": "sr-Latn",
    "bulgarian": "bg",
    "russian": "ru",
    "ukrainian": "uk",
    "greek": "el",
    "magyar": "hu",
    "romanian": "ro",
    "turkish": "tr",
    "marathi": "mr",
}


def braced(text, start):
    """The text of the brace group opening at `start`, and the index after it."""
    assert text[start] == "{"
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
        i += 1
    raise ValueError("unbalanced braces")


def without_comments(text):
    return re.sub(r"(?<!\\)%.*", "", text)


def declared(name, directory):
    """(inherited language or None, {key: long form}) of one .lbx file."""
    text = without_comments(open(os.path.join(directory, name + ".lbx"), encoding="utf-8").read())
    parent = None
    m = re.search(r"\\InheritBibliographyStrings\{(\w+)\}", text)
    if m:
        parent = m.group(1)
    strings = {}
    for m in re.finditer(r"\\DeclareBibliographyStrings\{", text):
        body, _ = braced(text, m.end() - 1)
        i = 0
        entry = re.compile(r"\s*([A-Za-z]+)\s*=\s*")
        while i < len(body):
            e = entry.match(body, i)
            if not e:
                i += 1
                continue
            key = e.group(1)
            j = e.end()
            if j >= len(body) or body[j] != "{":
                i = j
                continue
            value, i = braced(body, j)
            if key == "inherit":
                parent = value.strip()
                continue
            value = value.strip()
            if value.startswith("{"):
                value, _ = braced(value, 0)
            if "\\lbx@" in value or "\\smartof" in value:
                # Built by biblatex's own macros from the entry or the next
                # word (`\lbx@lfromlang`, `\smartof`): no fixed text.
                continue
            strings[key] = " ".join(value.split())
    return parent, strings


def resolved(name, directory, seen=()):
    parent, strings = declared(name, directory)
    if parent and parent not in seen:
        base = resolved(parent, directory, seen + (name,))
        base.update(strings)
        return base
    return strings


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else None
    if directory is None:
        english = subprocess.run(
            ["kpsewhich", "english.lbx"], capture_output=True, text=True, check=True
        ).stdout.strip()
        directory = os.path.dirname(english)
    wanted = set(KEYS)
    english = {k: v for k, v in resolved("english", directory).items() if k in wanted}
    print("# biblatex localisation strings (long forms), generated by")
    print("# scripts/bibstrings.py from biblatex's .lbx files; do not edit.")
    version = "unknown version"
    sty = os.path.join(os.path.dirname(os.path.normpath(directory)), "biblatex.sty")
    if os.path.isfile(sty):
        m = re.search(r"\\def\\abx@version\{([^}]*)\}", open(sty, encoding="utf-8").read())
        if m:
            version = m.group(1)
    print(f"# biblatex {version} is distributed under the LaTeX Project Public License")
    print("# 1.3c; the strings are taken from its .lbx files unchanged.")
    print("# [tag] starts a language; a tag with a region keeps only what")
    print("# differs from its language, a language only what differs from English.")
    for name, tag in LANGUAGES.items():
        strings = {k: v for k, v in resolved(name, directory).items() if k in wanted}
        if "-" in tag:
            base_name = next(n for n, t in LANGUAGES.items() if t == tag.split("-")[0])
            base = {k: v for k, v in resolved(base_name, directory).items() if k in wanted}
            base = {**english, **base}
        elif tag == "en":
            base = {}
        else:
            base = english
        changed = [k for k in KEYS if k in strings and strings[k] != base.get(k)]
        if not changed:
            continue
        print(f"[{tag}]")
        for key in changed:
            print(f"{key}\t{strings[key]}")


if __name__ == "__main__":
    main()
