#!/usr/bin/env bash
# Builds of refkeeper run in turn, round after round, on one project: on a
# machine whose neighbours come and go, each round's runs share a minute,
# and the medians compare what hyperfine's back-to-back means cannot.
#
#   benches/alternate.sh /tmp/bigm 15 /tmp/rk-old target/release/refkeeper
#   FORMAT=human benches/alternate.sh /tmp/big 15 OLD NEW
#
# Prints each binary's median and fastest wall time (ms) over the rounds.
set -euo pipefail

dir="$1"; rounds="$2"; shift 2
format="${FORMAT:-json}"
for _ in $(seq "$rounds"); do
    for binary in "$@"; do
        start=$(date +%s%N)
        "$binary" check --format "$format" "$dir" > /dev/null 2>&1 || true
        end=$(date +%s%N)
        echo "$binary $(( (end - start) / 1000000 ))"
    done
done | python3 -c '
import collections, statistics, sys
times = collections.defaultdict(list)
for line in sys.stdin:
    binary, ms = line.split()
    times[binary].append(int(ms))
for binary, ms in times.items():
    print(f"{binary}: median {statistics.median(ms):.0f} ms, fastest {min(ms)} ms, {len(ms)} runs")
'
