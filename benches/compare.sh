#!/usr/bin/env bash
# Whole runs of `refkeeper check` side by side with the tools users would
# otherwise run on the same generated project, and refkeeper's scaling.
#
#   benches/compare.sh                  # sizes and peers below
#   SIZES="25000 50000 100000 200000" PEER_SIZE=10000 RUNS=5 benches/compare.sh
#   SHAPES="plain messy" benches/compare.sh
#
# Each size is measured for each shape of bibliography: `plain` (the
# generator's defaults) and `messy` (`--messy`: upper-case types and
# fields, quoted values, @string concatenation, Cyrillic and accented
# names, @comment/@preamble, 85% of entries unused, 6% missing a required
# field, 5% using an undefined macro).
#
# For each of SIZES: refkeeper check, and `cat` of the same files (the I/O
# floor). At PEER_SIZE also, each if installed: `biber --tool` on the .bib,
# `pandoc --citeproc` on the Markdown chapters (missing keys are its
# warnings), `checkcites` on the generator's .aux. Prints medians and
# ratios. Needs hyperfine; peers that are not installed are skipped.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
sizes="${SIZES:-25000 50000 100000 200000}"
peer_size="${PEER_SIZE:-10000}"
runs="${RUNS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v hyperfine >/dev/null || { echo "compare: hyperfine is not installed" >&2; exit 2; }
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin refkeeper --example generate
refkeeper="$root/target/release/refkeeper"
generate="$root/target/release/examples/generate"

# median <hyperfine json> <command index>
median() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"])' "$1" "$2"
}

shapes="${SHAPES:-plain messy}"
echo "## refkeeper check: scaling, beside cat (the I/O floor); peak RSS against the input (.bib and chapters)"
printf '%-6s %-9s %10s %12s %10s %12s %10s %10s\n' shape entries "bib MB" refkeeper cat "s/100k" "RSS MB" "RSS/input"
for shape in $shapes; do
for size in $sizes; do
    dir="$work/p$size"
    switches=()
    if [ "$shape" = messy ]; then switches=(--messy); fi
    "$generate" --entries "$size" --chapters 200 --out "$dir" "${switches[@]}" >/dev/null 2>&1
    bib="$dir/refs/big.bib"
    hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/r.json" -N -i \
        "$refkeeper check --no-config $dir/chapters --bib $bib" \
        "cat $bib $dir/chapters/*" >/dev/null 2>&1
    rk=$(median "$work/r.json" 0)
    floor=$(median "$work/r.json" 1)
    mb=$(python3 -c "import os; print(f'{os.path.getsize(\"$bib\")/1e6:.1f}')")
    input=$(cat "$bib" "$dir"/chapters/* | wc -c)
    /usr/bin/time -f %M -o "$work/rss" "$refkeeper" check --no-config "$dir/chapters" --bib "$bib" >/dev/null 2>&1 || true
    rss_kb=$(tail -1 "$work/rss")
    python3 -c "print(f'{\"$shape\":<6} {$size:<9} {$mb:>10} {$rk:>11.3f}s {$floor:>9.4f}s {$rk*100000/$size:>11.3f}s {$rss_kb*1024/1e6:>10.1f} {$rss_kb*1024/$input:>10.2f}')"
    rm -rf "$dir"
done
done

echo
echo "## side by side at $peer_size entries (200 chapters)"
dir="$work/peers"
"$generate" --entries "$peer_size" --chapters 200 --out "$dir" >/dev/null 2>&1
bib="$dir/refs/big.bib"
commands=("$refkeeper check --no-config $dir/chapters --bib $bib")
names=("refkeeper check")
if command -v biber >/dev/null; then
    cp "$bib" "$dir/biber.bib"
    # biber wants the .bib named relative to the folder it runs in.
    commands+=("cd $dir && biber --tool --quiet --output-directory biber-out biber.bib")
    names+=("biber --tool")
    mkdir -p "$dir/biber-out"
fi
if command -v pandoc >/dev/null; then
    commands+=("pandoc --citeproc --bibliography $bib -t plain -o /dev/null $(echo "$dir"/chapters/*.md)")
    names+=("pandoc --citeproc (Markdown chapters)")
fi
if command -v checkcites >/dev/null; then
    commands+=("cd $dir && checkcites main.aux")
    names+=("checkcites (.aux)")
fi
# Through a shell (hyperfine subtracts its start-up): checkcites runs in the project folder.
hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/p.json" -i "${commands[@]}" >/dev/null 2>&1
rk=$(median "$work/p.json" 0)
printf '%-40s %10s %8s\n' tool median ratio
for i in "${!names[@]}"; do
    m=$(median "$work/p.json" "$i")
    python3 -c "print(f'{\"${names[$i]}\":<40} {$m:>9.3f}s {$m/$rk:>7.1f}x')"
done
