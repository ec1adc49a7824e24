#!/usr/bin/env bash
# Web UI API over real HTTP on loopback: create scans, poll, findings with
# filters, report downloads, security checks (CSRF, Host, path allowlist,
# secrets never stored), persistence across restarts, delete.
set -euo pipefail
BIN=${WT_BIN:?}
T=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; FAILED=$((FAILED+1)); }
PASSED=0; FAILED=0
ok() { PASSED=$((PASSED+1)); }

mkdir -p "$T/allowed/proj" "$T/outside"
# a model file with a model extension but unknown content: a core finding
printf 'not a model' > "$T/allowed/proj/weights.pt"
printf 'x' > "$T/allowed/proj/<img src=x onerror=alert(1)>.ipynb"
printf 'x' > "$T/outside/secret.pt"

start() {
  rm -f "$T/port"
  "$BIN" serve --port 0 --port-file "$T/port" --db "$T/web.db" --allow-path "$T/allowed" 2>"$T/server.log" &
  PID=$!
  for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
  PORT=$(cat "$T/port")
  URL="http://127.0.0.1:$PORT"
}
stop() { kill $PID; wait $PID 2>/dev/null || true; }
post() { curl -s -o "$T/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H 'X-Requested-With: watchtower' "$@"; }
get() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }
jq_() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$T/body')); print(eval(sys.argv[1]))" "$1"; }

start
# the page and redirect
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/")" = 302 ] && ok || fail "/ should redirect"
code=$(curl -s -D "$T/h" -o "$T/page" -w '%{http_code}' "$URL/watchtower-aishield")
[ "$code" = 200 ] && grep -q 'Watchtower' "$T/page" && ok || fail "page not served"
grep -qi "content-security-policy: default-src 'none'; script-src 'self'" "$T/h" && ok || fail "CSP header"
grep -q '<script>' "$T/page" && fail "inline script in page" || ok
[ "$(get "$URL/watchtower-aishield/assets/app.js")" = 200 ] && ok || fail "app.js"

# validation errors are 400 JSON with a field
[ "$(post "$URL/api/scans" -d '{"type":"nope"}')" = 400 ] && [ "$(jq_ 'd["field"]')" = type ] && ok || fail "bad type"
[ "$(post "$URL/api/scans" -d '{"type":"local","path":"'"$T/outside"'"}')" = 400 ] && [ "$(jq_ 'd["field"]')" = path ] && ok || fail "path outside allow root"
[ "$(post "$URL/api/scans" -d '{"type":"local","path":"'"$T/allowed/../outside"'"}')" = 400 ] && ok || fail "path traversal"
[ "$(post "$URL/api/scans" -d 'not json')" = 400 ] && ok || fail "bad json"
[ "$(post "$URL/api/scans" -d '{"type":"s3"}')" = 400 ] && [ "$(jq_ 'd["field"]')" = bucket ] && ok || fail "s3 without bucket"
[ "$(post "$URL/api/scans" -d '{"type":"github","url":"https://github.com/a/b","depth":0}')" = 400 ] && ok || fail "depth 0"
# CSRF: no custom header, or a foreign Origin
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"type":"local","path":"'"$T/allowed"'"}' "$URL/api/scans")
[ "$code" = 403 ] && ok || fail "CSRF without header: $code"
code=$(post "$URL/api/scans" -H 'Origin: http://evil.example' -d '{"type":"local","path":"'"$T/allowed"'"}')
[ "$code" = 403 ] && ok || fail "CSRF foreign origin: $code"
# DNS rebinding: foreign Host
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: evil.example' "$URL/api/scans")
[ "$code" = 403 ] && ok || fail "foreign Host: $code"
# oversized body
head -c 100000 /dev/zero | tr '\0' 'a' > "$T/big"
code=$(post "$URL/api/scans" --data-binary @"$T/big")
[ "$code" = 413 ] && ok || fail "body limit: $code"

# a real scan, with a secret that must never be stored
code=$(post "$URL/api/scans" -d '{"type":"local","path":"'"$T/allowed/proj"'","aws_secret_access_key":"SUPERSECRETVALUE123"}')
[ "$code" = 201 ] && ok || fail "create scan: $code $(cat "$T/body")"
ID=$(jq_ 'd["id"]')
for _ in $(seq 200); do get "$URL/api/scans/$ID" >/dev/null; st=$(jq_ 'd["status"]'); [ "$st" = done ] || [ "$st" = failed ] && break; sleep 0.1; done
[ "$st" = done ] && ok || fail "scan did not finish: $st $(cat "$T/body")"
[ "$(jq_ 'd["summary"]["findings"] >= 1')" = True ] && ok || fail "summary counts"
get "$URL/api/scans/$ID/findings" >/dev/null
[ "$(jq_ 'd["total"] >= 1 and all("rule_id" in f for f in d["findings"])')" = True ] && ok || fail "findings list"
get "$URL/api/scans/$ID/findings?severity=critical" >/dev/null
[ "$(jq_ 'all(f["severity"]=="critical" for f in d["findings"])')" = True ] && ok || fail "severity filter"
[ "$(get "$URL/api/scans/$ID/findings?severity=bogus")" = 400 ] && ok || fail "bad severity filter"
get "$URL/api/scans/$ID/findings?file=weights" >/dev/null
[ "$(jq_ 'd["total"] >= 1 and all("weights" in f["artifact"] for f in d["findings"])')" = True ] && ok || fail "file filter"
for rep in summary detailed severity sarif; do
  code=$(curl -s -D "$T/h" -o "$T/rep" -w '%{http_code}' "$URL/api/scans/$ID/reports/$rep")
  [ "$code" = 200 ] && /usr/bin/python3 -c "import json; json.load(open('$T/rep'))" && grep -qi 'content-disposition: attachment' "$T/h" && ok || fail "report $rep: $code"
done
grep -q '"Total Number of Model Found"' <(curl -s "$URL/api/scans/$ID/reports/summary") && ok || fail "summary report keys"
# nothing stores or echoes the secret
if grep -a -q SUPERSECRETVALUE123 "$T"/web.db* 2>/dev/null || curl -s "$URL/api/scans" | grep -q SUPERSECRETVALUE123; then fail "secret stored or echoed"; else ok; fi
[ "$(get "$URL/api/scans/0123456789abcdef0123456789abcdef")" = 404 ] && ok || fail "unknown id 404"
[ "$(get "$URL/api/scans/../../etc/passwd")" = 404 ] && ok || fail "weird id 404"

# history survives a restart
stop
start
get "$URL/api/scans" >/dev/null
[ "$(jq_ "any(s['id']=='$ID' and s['status']=='done' for s in d['scans'])")" = True ] && ok || fail "history after restart"
# delete
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H 'X-Requested-With: watchtower' "$URL/api/scans/$ID")
[ "$code" = 200 ] && ok || fail "delete: $code"
[ "$(get "$URL/api/scans/$ID")" = 404 ] && ok || fail "deleted scan still there"
stop

# non-loopback bind without a token generates one and requires it
"$BIN" serve --bind 0.0.0.0 --port 0 --port-file "$T/port2" --db "$T/web2.db" --allow-path "$T/allowed" >"$T/out2" 2>&1 &
PID=$!
for _ in $(seq 100); do [ -s "$T/port2" ] && break; sleep 0.05; done
TOKEN=$(sed -n 's/^Access token (shown once): //p' "$T/out2")
P2=$(cat "$T/port2")
[ -n "$TOKEN" ] && ok || fail "token not printed"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P2/api/scans")" = 401 ] && ok || fail "no token accepted"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Watchtower-Token: $TOKEN" "http://127.0.0.1:$P2/api/scans")" = 200 ] && ok || fail "token refused"
stop

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
