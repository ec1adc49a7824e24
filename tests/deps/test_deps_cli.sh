#!/bin/bash
# `watchtower db update|status` and dependency scans through the CLI:
# import from a local all.zip, download over HTTP from a local server,
# a corrupt archive leaves the database unchanged, scans with and without
# a database.
set -u
BIN=${WT_BIN:?}
ZIP=${WT_SHARED:?}/data/osv/PyPI.zip
PY=${WT_PYTHON:-/usr/bin/python3}
T=$(mktemp -d)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
export XDG_CACHE_HOME=$T/xdg HOME=$T/home NO_COLOR=1

# no database yet
"$BIN" db status >"$T/out" 2>&1 && fail "status without a database should fail"
grep -q "db update" "$T/out" || fail "status should say how to install the database"

# import from a file into the default (XDG) location
"$BIN" db update --from "$ZIP" >"$T/out" 2>&1 || { cat "$T/out"; fail "db update --from"; }
grep -q "imported 2651 advisories" "$T/out" || { cat "$T/out"; fail "import count"; }
[ -f "$T/xdg/watchtower/osv-pypi.sqlite" ] || fail "index not in XDG cache"
"$BIN" db status >"$T/out" 2>&1 || fail "db status"
grep -q "advisories:      2651" "$T/out" || { cat "$T/out"; fail "status count"; }
grep -q "source:          $ZIP" "$T/out" || fail "status source"
grep -q "0 days ago" "$T/out" || fail "status age"

# a corrupt archive is rejected and the index is kept
head -c 5000 "$ZIP" >"$T/broken.zip"
"$BIN" db update --from "$T/broken.zip" >"$T/out" 2>&1 && fail "corrupt zip accepted"
"$BIN" db status >/dev/null 2>&1 || fail "index damaged by a failed import"

# download over HTTP (a local server; no network)
mkdir -p "$T/www/PyPI" && cp "$ZIP" "$T/www/PyPI/all.zip"
"$PY" -u -m http.server 0 --bind 127.0.0.1 --directory "$T/www" >"$T/http.log" 2>&1 &
SERVER_PID=$!
PORT=
for _ in $(seq 50); do
    PORT=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$T/http.log" | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || fail "http server did not start"
"$BIN" db update --url "http://127.0.0.1:$PORT/PyPI/all.zip" --db "$T/dl/osv.sqlite" >"$T/out" 2>&1 ||
    { cat "$T/out"; fail "db update --url"; }
"$BIN" db status --db "$T/dl/osv.sqlite" | grep -q "source:          http://127.0.0.1:$PORT/PyPI/all.zip" ||
    fail "downloaded index source"
"$BIN" db update --url "http://127.0.0.1:$PORT/missing.zip" --db "$T/dl/osv.sqlite" >"$T/out" 2>&1 &&
    fail "a 404 should fail"
"$BIN" db status --db "$T/dl/osv.sqlite" >/dev/null || fail "index damaged by a failed download"

# scans
mkdir -p "$T/proj"
printf 'tensorflow==2.4.0\npillow==8.0.0\npyyaml==5.3\njinja2==2.10\nrequests==2.19.0\nurllib3==1.24.1\n' \
    >"$T/proj/requirements.txt"
"$BIN" scan "$T/proj" --format json --fail-on none >"$T/scan.json" 2>/dev/null || fail "scan"
n=$(grep -c '"rule_id": "WT-DEP-001"' "$T/scan.json")
[ "$n" = 6 ] || fail "expected 6 vulnerable pins, got $n"
grep -q '"advisory_count": 198' "$T/scan.json" || fail "tensorflow advisory count"

printf 'pyyaml==6.0\nrequests==2.32.3\njinja2==3.1.4\n' >"$T/proj/requirements.txt"
"$BIN" scan "$T/proj" --format json --fail-on none >"$T/scan.json" 2>/dev/null || fail "scan safe"
grep -q 'WT-DEP-' "$T/scan.json" && fail "safe pins reported"

printf 'tensorflow==2.4.0\n' >"$T/proj/requirements.txt"
"$BIN" scan "$T/proj" --osv-db "$T/nowhere.sqlite" --fail-on none >"$T/out" 2>&1 || fail "scan without db"
grep -q "checks were skipped" "$T/out" || { cat "$T/out"; fail "no-database note"; }
grep -q "WT-DEP-001" "$T/out" && fail "vulnerabilities reported without a database"
echo "ok"
