#!/usr/bin/env bash
# fuzz.sh BUILD_DIR SECONDS [TARGET...] - exploratory fuzzing (make fuzz).
#
# Runs each libFuzzer target (all of them by default) with a random seed on
# every core for SECONDS, starting from the committed corpus plus what earlier
# runs found (BUILD_DIR/fuzz-corpus/NAME). Crashes, leaks and timeouts are
# written to BUILD_DIR/fuzz-findings/NAME/; add a minimised reproducer to
# tests/fuzz/corpus/NAME/ with the fix so CTest replays it from then on.
set -uo pipefail
build=$1 secs=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$root"/tests/fuzz/fuzz_*.c; do
    n=$(basename "$f" .c)
    targets+=("${n#fuzz_}")
  done
fi
status=0
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz: no binary $bin (build with make build-asan)" >&2; status=2; continue; }
  corpus="$build/fuzz-corpus/$t" findings="$build/fuzz-findings/$t"
  mkdir -p "$corpus" "$findings"
  echo "== fuzz_$t: ${secs}s on $jobs jobs"
  ( cd "$findings" &&
    ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
      -jobs="$jobs" -workers="$jobs" -artifact_prefix="$findings/" \
      "$corpus" "$root/tests/fuzz/corpus/$t" >/dev/null 2>&1 )
  found=$(find "$findings" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if [ "$found" -gt 0 ]; then
    echo "   $found finding(s) in $findings (logs: $findings/fuzz-*.log)"
    status=1
  else
    rm -f "$findings"/fuzz-*.log
  fi
done
exit $status
