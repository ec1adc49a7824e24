#!/usr/bin/env bash
# Browser test: headless Chromium (Debian) driven by playwright-core (npm,
# installed into tests/tools by `make test-deps`). Screenshots of the main
# views go to $WT_BUILD/test-output/web/. Exit 77 (skipped) if the browser or
# playwright-core is not installed.
set -euo pipefail
BIN=${WT_BIN:?}
PW="$WT_SRC/tests/tools/node_modules/playwright-core"
if [ ! -x /usr/bin/chromium ] || [ ! -d "$PW" ] || ! command -v node >/dev/null; then
  echo "chromium or playwright-core not installed (run make test-deps): skipped"
  exit 77
fi
T=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$T"' EXIT
SHOTS="$WT_BUILD/test-output/web"
mkdir -p "$SHOTS" "$T/proj"
printf 'not a model' > "$T/proj/weights.pt"
printf 'not a model either' > "$T/proj/<img src=x onerror=alert(1)>.pt"
"$BIN" serve --port 0 --port-file "$T/port" --db "$T/web.db" --allow-path "$T" 2>"$T/server.log" &
PID=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
WT_PLAYWRIGHT="$PW" node "$WT_SRC/tests/web/browser.mjs" "http://127.0.0.1:$(cat "$T/port")" "$T/proj" "$SHOTS"
