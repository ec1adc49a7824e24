#!/usr/bin/env bash
# Run every benchmark binary built from bench/*.c (and bench/*.sh scripts).
# Figures only: nothing here asserts timings.
set -uo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
for b in "$BUILD"/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
for s in bench/bench_*.sh; do
  [ -f "$s" ] || continue
  echo "== $(basename "$s")"
  bash "$s" "$BUILD"
done
