#!/usr/bin/env bash
# Real-world notebooks and config files: precision and recall of the secret,
# PII and unsafe-code detectors on a labelled corpus (tests/realworld/
# gen_text_corpus.py, three seeds), locations (cell, part, cell line, raw
# line), severities, PII counts, and no planted value printed in any report
# (JSON, SARIF, verbose text, a baseline, the Watchtower JSON reports).
set -euo pipefail
: "${WT_BIN:?}" "${WT_SRC:?}"
PY=${WT_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$PY" "$WT_SRC/tests/realworld/gen_text_corpus.py" "$tmp" 11 12 13
"$WT_BIN" scan "$tmp/corpus" --format json --reports-dir "$tmp/reports" --fail-on none -q -j 2 >"$tmp/out.json"
"$WT_BIN" scan "$tmp/corpus" --format sarif --no-reports --fail-on none -q -j 2 >"$tmp/out.sarif"
"$WT_BIN" scan "$tmp/corpus" --format text -v --stats --no-reports --fail-on none --no-color -j 2 \
    --write-baseline "$tmp/baseline.json" >"$tmp/out.txt" 2>&1

"$PY" "$WT_SRC/tests/realworld/measure.py" "$tmp/truth.json" "$tmp/out.json" "$tmp/corpus" \
    --min-precision 0.99 --min-recall 0.99 \
    --no-leak "$tmp/out.json" "$tmp/out.sarif" "$tmp/out.txt" "$tmp/baseline.json" $(find "$tmp/reports" -type f)
echo "realworld text corpus: ok"
