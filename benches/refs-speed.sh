#!/usr/bin/env bash
# Speed of `refkeeper refs` against `pandoc --citeproc`: formatting every
# entry of a synthetic bibliography (1,000 and 10,000 entries, written by
# examples/generate.rs) in APA and IEEE, with the same .csl files
# (benches/fidelity/styles), run side by side with hyperfine.
#
#   benches/refs-speed.sh            # needs hyperfine and pandoc (apt-get install hyperfine pandoc)
#   SIZES="1000" STYLES="apa" benches/refs-speed.sh
#
# Prints one row per style and size: mean wall time of each and the ratio.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
sizes="${SIZES:-1000 10000}"
styles="${STYLES:-apa ieee}"
runs="${RUNS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for tool in hyperfine pandoc; do
    command -v "$tool" >/dev/null || { echo "refs-speed: $tool is not installed" >&2; exit 2; }
done

cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin refkeeper --example generate
refkeeper="$root/target/release/refkeeper"
printf -- "---\nnocite: '@*'\n---\n" > "$work/nocite.md"

printf '%-8s %8s %14s %14s %8s\n' style entries refkeeper pandoc ratio
for size in $sizes; do
    "$root/target/release/examples/generate" --entries "$size" --chapters 1 --out "$work/$size" >/dev/null 2>&1
    bib="$work/$size/refs/big.bib"
    for style in $styles; do
        csl="$root/benches/fidelity/styles/$style.csl"
        [ -f "$csl" ] || csl="$root/benches/fidelity/styles/$style"
        hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/result.json" \
            "$refkeeper refs --no-config --all --bib $bib --style $csl" \
            "pandoc $work/nocite.md --citeproc --csl $csl --bibliography $bib -t plain -o /dev/null" \
            >/dev/null 2>&1
        python3 - "$work/result.json" "$style" "$size" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
ours, pandoc = (r["mean"] for r in results)
print(f"{sys.argv[2]:<8} {sys.argv[3]:>8} {ours:>12.3f} s {pandoc:>12.3f} s {pandoc / ours:>7.1f}x")
EOF
    done
done
