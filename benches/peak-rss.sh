#!/usr/bin/env bash
# Peak RSS of builds of refkeeper run in turn, round after round, on
# generated projects (a folder with chapters/ and refs/big.bib, as
# examples/generate writes): `check` on the named files, human output, as
# benches/compare.sh runs it. On a machine whose neighbours come and go,
# and with a peak that depends on which stages overlap, one run each says
# little; the median of the rounds compares.
#
#   benches/peak-rss.sh 5 /tmp/bigm /tmp/big -- /tmp/rk-old target/release/refkeeper
#
# Prints, per project and build, the median peak RSS in 10^6 bytes (as
# compare.sh gives it), its ratio to the input (.bib and chapters), and
# every round's value in KiB.
set -euo pipefail

rounds="$1"; shift
projects=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do projects+=("$1"); shift; done
shift
[ "$#" -gt 0 ] || { echo "usage: $0 ROUNDS PROJECT... -- BINARY..." >&2; exit 2; }

rss=$(mktemp)
trap 'rm -f "$rss"' EXIT
for project in "${projects[@]}"; do
    input=$(cat "$project/refs/big.bib" "$project"/chapters/* | wc -c)
    for _ in $(seq "$rounds"); do
        for binary in "$@"; do
            /usr/bin/time -f %M -o "$rss" "$binary" check --no-config "$project/chapters" \
                --bib "$project/refs/big.bib" > /dev/null 2>&1 || true
            echo "$project $input $binary $(tail -1 "$rss")"
        done
    done
done | python3 -c '
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in sys.stdin:
    project, size, binary, kib = line.split()
    runs[(project, int(size), binary)].append(int(kib))
for (project, size, binary), kib in runs.items():
    median = statistics.median(kib) * 1024
    print(f"{project} {binary}: {median / 1e6:.1f} MB, {median / size:.2f}x the input; rounds (KiB) {kib}")
'
