#!/usr/bin/env bash
# Hugging Face Hub source end to end against a loopback stand-in of the Hub
# (hf_server.py) pointed to by HF_ENDPOINT.
set -u
: "${WT_BIN:?}" "${WT_SRC:?}"
source "$WT_SRC/tests/remote/servers.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/wt-remote-hf-XXXXXX")
cleanup() { stop_all "$T"; rm -rf "$T"; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

BIG=$((1 << 30)) # two sparse 1 GiB weight files
start_hf "$T" "$BIG" || exit 1
export HF_ENDPOINT="http://127.0.0.1:$(cat "$T/hf.port")"
export WT_HTTP_BACKOFF_MS=10
unset HF_TOKEN HUGGING_FACE_HUB_TOKEN
TOKEN=$(cat "$T/hf/models/acme/gated/_gated")
mkdir -p "$T/cwd"

run() {
  : >"$T/hf.log"
  (cd "$T/cwd" && "$WT_BIN" scan "$@" >"$T/out" 2>"$T/err")
  rc=$?
  out=$(cat "$T/out")
  err=$(cat "$T/err")
  if grep -q "Sanitizer" <<<"$err"; then fail "sanitizer report for scan $*: $err"; fi
}
scanned_ok() { [ "$rc" = 0 ] || [ "$rc" = 1 ]; }
# bytes the server sent for file contents (resolve + CDN), from its log
sent_bytes() { "$PY" -c 'import json,sys; print(sum(json.loads(l)["sent"] for l in open(sys.argv[1]) if "/api/" not in json.loads(l)["path"]))' "$T/hf.log"; }
log_has() { grep -q "$1" "$T/hf.log"; }

# 1. a 2 GiB model repository is scanned while transferring a few hundred KiB
run "hf://acme/big"
sent=$(sent_bytes)
if scanned_ok && grep -q "evil.pkl" <<<"$out" && [ "$sent" -lt $((4 * 1024 * 1024)) ]; then
  ok "large repository: $sent bytes transferred of $((2 * BIG)) (ranges through the CDN redirect)"
else fail "large repository (rc=$rc, sent=$sent) $err"; fi
log_has '"status": 206' || fail "no range requests seen"
log_has '/cdn/' || fail "LFS files were not redirected to the CDN"

# 2. the token goes to the Hub only, never to the CDN host; gated repo needs it
run "hf://acme/gated"
if [ "$rc" = 2 ] && grep -q "401" <<<"$err" && grep -qi "HF_TOKEN" <<<"$err"; then ok "gated repository without a token: exit 2"
else fail "gated repository without a token (rc=$rc) $err"; fi
HF_TOKEN="$TOKEN" run "hf://acme/gated"
if scanned_ok && grep -q "evil.pkl" <<<"$out"; then ok "gated repository with HF_TOKEN"
else fail "gated repository with HF_TOKEN (rc=$rc) $err"; fi
HF_TOKEN="$TOKEN" run "https://huggingface.co/acme/big"
if scanned_ok && ! grep -q '/cdn/.*"auth": true' "$T/hf.log" && grep -q '"auth": true' "$T/hf.log"; then
  ok "token sent to the Hub, not forwarded to the CDN"
else fail "token forwarding (rc=$rc) $err"; fi
if grep -rqF "$TOKEN" "$T/out" "$T/err" "$T/cwd"; then fail "HF token leaked"; else ok "HF token not leaked"; fi

# 3. pagination of the tree listing (page size 3): every file is read
run "hf://acme/many"
pages=$(grep -c '/api/models/acme/many/tree/main' "$T/hf.log")
files=$(grep '/acme/many/resolve/' "$T/hf.log" | "$PY" -c 'import json,sys; print(len({json.loads(l)["path"] for l in sys.stdin}))')
if scanned_ok && [ "$pages" -ge 4 ] && [ "$files" = 10 ]; then ok "pagination: $pages pages, $files files"
else fail "pagination (rc=$rc pages=$pages files=$files) $err"; fi

# 4. datasets and spaces use their own API and resolve prefixes
run "hf://datasets/acme/data"
if scanned_ok && grep -q "evil.pkl" <<<"$out" && log_has '/datasets/acme/data/resolve/main/sub%20dir/evil.pkl'; then ok "dataset"
else fail "dataset (rc=$rc) $err"; fi
run "hf://spaces/acme/app"
if scanned_ok && log_has '/api/spaces/acme/app/tree/main' && log_has '/spaces/acme/app/resolve/main/app.py'; then ok "space"
else fail "space (rc=$rc) $err"; fi

# 5. revision from a /tree/REV URL
run "https://huggingface.co/acme/big/tree/v1"
if scanned_ok && log_has '/acme/big/resolve/v1/only-in-v1.txt' && ! log_has 'resolve/v1/config.json'; then ok "revision from URL"
else fail "revision from URL (rc=$rc) $err"; fi

# 6. missing repository / revision: exit 2 with a clear message
run "hf://acme/nope"
if [ "$rc" = 2 ] && grep -q "not found" <<<"$err"; then ok "missing repository"; else fail "missing repository (rc=$rc) $err"; fi
run "https://huggingface.co/acme/big/tree/no-such-rev"
if [ "$rc" = 2 ] && grep -q "not found" <<<"$err"; then ok "missing revision"; else fail "missing revision (rc=$rc) $err"; fi

# 7. 503s are retried
run "hf://acme/flaky"
if scanned_ok && grep -q '"status": 503' "$T/hf.log" && grep -q "evil.pkl" <<<"$out"; then ok "retry on 503"
else fail "retry on 503 (rc=$rc) $err"; fi

# 8. a server without Range support: objects streamed whole
run "hf://acme/norange"
if scanned_ok && grep -q '"status": 200' "$T/hf.log" && ! grep -q '"status": 206' "$T/hf.log"; then ok "server without Range support"
else fail "server without Range support (rc=$rc) $err"; fi

# 9. --revision flag, --stats shows bytes read (transferred) vs total size
run "hf://acme/big" --revision v1
if scanned_ok && log_has '/api/models/acme/big/tree/v1' && log_has 'resolve/v1/only-in-v1.txt'; then ok "--revision"
else fail "--revision (rc=$rc) $err"; fi
run "hf://acme/big" --stats
read -r nread ntotal < <(sed -n 's/.*bytes read: *\([0-9]*\) of \([0-9]*\).*/\1 \2/p' <<<"$out$err")
if scanned_ok && [ "${ntotal:-0}" -gt $((2 * BIG)) ] && [ "${nread:-0}" -gt 0 ] && [ "$nread" -lt $((4 << 20)) ]; then
  ok "--stats: $(grep 'bytes read' <<<"$out$err" | sed 's/^ *//')"
else fail "--stats (rc=$rc) $(grep 'bytes read' <<<"$out$err")"; fi
# legacy flags
run --repo_type=huggingface --repo_url=https://huggingface.co/datasets/acme/data
if scanned_ok && grep -q "evil.pkl" <<<"$out"; then ok "legacy --repo_type=huggingface --repo_url"
else fail "legacy huggingface flags (rc=$rc) $err"; fi

# 10. a /blob/ URL (one file) and a sub-folder; a missing path
run "https://huggingface.co/acme/big/blob/main/models/evil.pkl"
if scanned_ok && grep -q "evil.pkl" <<<"$out" && ! grep -q "benign.pkl" <<<"$out" &&
  [ "$(grep -c '/resolve/' "$T/hf.log")" = 1 ]; then ok "/blob/ URL scans one file"
else fail "/blob/ URL (rc=$rc) $out $err"; fi
run "https://huggingface.co/acme/big/tree/main/models"
if scanned_ok && grep -q "evil.pkl" <<<"$out" && ! log_has 'resolve/main/config.json'; then ok "/tree/REV/folder"
else fail "/tree/REV/folder (rc=$rc) $err"; fi
run "https://huggingface.co/acme/big/tree/main/no/such/path"
if [ "$rc" = 2 ] && grep -q "not found" <<<"$err"; then ok "missing path"; else fail "missing path (rc=$rc) $err"; fi

# 11. --exclude applies to Hub paths; the same results without the parallel prefetch
run "hf://acme/big" --exclude 'models/'
if scanned_ok && ! grep -q "evil.pkl" <<<"$out" && ! log_has 'resolve/main/models/'; then ok "--exclude"
else fail "--exclude (rc=$rc) $out $err"; fi
WT_HTTP_PREFETCH=0 run "hf://acme/many"
files=$(grep '/acme/many/resolve/' "$T/hf.log" | "$PY" -c 'import json,sys; print(len({json.loads(l)["path"] for l in sys.stdin}))')
if scanned_ok && [ "$files" = 10 ]; then ok "without prefetch"; else fail "without prefetch (rc=$rc files=$files)"; fi

echo "$fails failure(s)"
[ "$fails" = 0 ]
