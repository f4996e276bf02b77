#!/usr/bin/env bash
# Two builds of refkeeper side by side on the generated 100,000-entry
# projects (plain and messy), JSON and human output, every finding
# printed; then each one's peak RSS. For a change's before and after:
#
#   git stash; cargo build --release; cp target/release/refkeeper /tmp/rk-old; git stash pop
#   cargo build --release
#   benches/side-by-side.sh /tmp/rk-old target/release/refkeeper
#
# ENTRIES (100000) and RUNS (10) override the defaults; the projects are
# generated once into $WORK (a temporary folder unless set).
set -euo pipefail

old="$(realpath "$1")"
new="$(realpath "$2")"
root="$(cd "$(dirname "$0")/.." && pwd)"
entries="${ENTRIES:-100000}"
runs="${RUNS:-10}"
work="${WORK:-$(mktemp -d)}"
command -v hyperfine >/dev/null || { echo "side-by-side: hyperfine is not installed" >&2; exit 2; }
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --example generate
for shape in plain messy; do
    dir="$work/$shape-$entries"
    if [ ! -d "$dir" ]; then
        flag=""; [ "$shape" = messy ] && flag="--messy"
        "$root/target/release/examples/generate" --entries "$entries" --chapters 200 --out "$dir" $flag > /dev/null
    fi
    args="check --no-config $dir/chapters --bib $dir/refs/big.bib"
    for format in json human; do
        echo "## $shape, $format"
        hyperfine -i -w 2 -r "$runs" -N "$old $args --format $format" "$new $args --format $format" 2>&1 |
            grep -E "Benchmark|Time|faster"
    done
    for binary in "$old" "$new"; do
        for _ in 1 2 3; do
            /usr/bin/time -f "$shape $(basename "$binary"): %e s, peak RSS %M KB" "$binary" $args --format json > /dev/null || true
        done
    done
done
