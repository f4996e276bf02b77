#!/usr/bin/env bash
# Two builds of refkeeper give the same bytes: `check` in every output
# format (human also coloured) on every corpus project, the study, and
# the projects in the folders given after the binaries (generated ones:
# a folder with chapters/ and refs/big.bib, as examples/generate writes).
#
#   benches/same-output.sh /tmp/rk-old target/release/refkeeper /tmp/big /tmp/bigm
#
# Prints each output that differs, then how many were compared.
set -uo pipefail

old="$(realpath "$1")"
new="$(realpath "$2")"
shift 2
root="$(cd "$(dirname "$0")/.." && pwd)"
compared=0
differ=0
for dir in "$root"/../shared/corpus/*/ "$root" "$@"; do
    [ -d "$dir" ] || continue
    args=()
    if [ -d "$dir/chapters" ] && [ -f "$dir/refs/big.bib" ]; then
        args=(--no-config "$dir/chapters" --bib "$dir/refs/big.bib")
    fi
    for format in human "human --color always" json sarif concise github; do
        a=$(cd "$dir" && "$old" check "${args[@]}" --format $format 2>&1 | md5sum)
        b=$(cd "$dir" && "$new" check "${args[@]}" --format $format 2>&1 | md5sum)
        compared=$((compared + 1))
        if [ "$a" != "$b" ]; then
            echo "differs: $dir --format $format"
            differ=$((differ + 1))
        fi
    done
done
echo "$compared outputs compared, $differ differ"
[ "$differ" -eq 0 ]
