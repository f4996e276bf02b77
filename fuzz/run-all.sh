#!/usr/bin/env bash
# Runs every fuzz target in turn for SECONDS each (default 600), seeded
# with the repository's own fixtures and the study, and prints libFuzzer's
# final statistics (executions, coverage) of each run.
#
#   cargo install cargo-fuzz
#   fuzz/run-all.sh [SECONDS] [TARGET...]
#   SANITIZER=none fuzz/run-all.sh 3600 refs
#
# SANITIZER (default address) is passed to `cargo fuzz -s`. refkeeper has
# no unsafe code, so AddressSanitizer only watches its dependencies; `none`
# runs the slow targets (refs, bib) about eight times faster.
#
# Needs no nightly toolchain: RUSTC_BOOTSTRAP=1 lets the stable compiler
# take the sanitizer flags cargo-fuzz passes. Crashes land in
# fuzz/artifacts/TARGET/; turn each into a regression test in tests/.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
sanitizer="${SANITIZER:-address}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(bib bib_formats latex markdown markdown_project typst refs section)
root=..

seed() {
    local target=$1
    mkdir -p "corpus/$target"
    case "$target" in
        bib | refs) find "$root/refs" "$root/tests/fixtures" -name '*.bib' ;;
        latex) find "$root/tests/fixtures" "$root/chapters" -name '*.tex' ;;
        markdown) find "$root/tests/fixtures" "$root/chapters" -name '*.md' -o -name '*.qmd' ;;
        markdown_project) find "$root/tests/fixtures" "$root/chapters" -name '*.md' -o -name '*.qmd' ;;
        typst) find "$root/tests/fixtures" -name '*.typ' ;;
        section) find "$root/chapters" -name '*.md' ;;
    esac | while read -r file; do
        # Seeds stay small: libFuzzer mutates short inputs faster.
        head -c 16384 "$file" > "corpus/$target/seed-$(basename "$file")"
    done
}

for target in "${targets[@]}"; do
    seed "$target"
    echo "== $target (${seconds}s, sanitizer $sanitizer)"
    # The whole log stays in logs/, one per run (when coverage last grew is
    # in its NEW lines).
    mkdir -p logs
    log="logs/$target-$(date -u +%Y%m%dT%H%M%S).log"
    RUSTC_BOOTSTRAP=1 cargo fuzz run -O -s "$sanitizer" "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=16384 -print_final_stats=1 2>&1 |
        tee "$log" |
        grep -E '^(stat::|Done|#[0-9]+.*(INITED|DONE|pulse)|==[0-9]+== ERROR|SUMMARY|artifact_prefix|Test unit written)' |
        grep -vE 'pulse' || true
done
