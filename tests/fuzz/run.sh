#!/usr/bin/env bash
# run.sh BINARY CORPUS WORKDIR SEED RUNS SECONDS - one fuzz target under CTest.
#
# CI runs are reproducible: a fixed seed, a fresh work directory, the
# committed corpus and a fixed number of runs (SECONDS only caps a slow
# machine, which then runs a prefix of the same input sequence). Exploratory
# fuzzing with random seeds is `make fuzz` (scripts/fuzz.sh).
set -euo pipefail
bin=$1 corpus=$2 work=$3 seed=$4 runs=$5 secs=$6
rm -rf "$work"
mkdir -p "$work"
cd "$work"
args=(-rss_limit_mb=2048 -timeout=10 -max_total_time="$secs" -print_final_stats=1)
[ "$seed" != 0 ] && args+=(-seed="$seed")
[ "$runs" != 0 ] && args+=(-runs="$runs")
mkdir -p new
exec "$bin" "${args[@]}" new "$corpus"
