#!/usr/bin/env bash
# S3 source end to end against s3rver (npm, on loopback) with buckets filled
# here, plus a stub for keys a filesystem-backed server cannot hold ("../").
set -u
: "${WT_BIN:?}" "${WT_SRC:?}"
source "$WT_SRC/tests/remote/servers.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/wt-remote-s3-XXXXXX")
cleanup() { stop_all "$T"; rm -rf "$T"; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

start_s3 "$T" models empty big || { cat "$T/s3.out" >&2; exit 1; }
EP="http://127.0.0.1:$(cat "$T/s3.port")"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_REGION \
  AWS_DEFAULT_REGION AWS_ENDPOINT_URL_S3 AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE
export HOME="$T/home" WT_HTTP_BACKOFF_MS=10
mkdir -p "$HOME" "$T/cwd"

# fill the buckets
"$PY" "$WT_SRC/tests/remote/make_fixtures.py" tree "$T/tree"
for f in README.md config.json models/evil.pkl models/benign.pkl src/train.py; do
  s3_curl -T "$T/tree/$f" "$EP/models/repo/$f" >/dev/null || fail "upload $f"
done
s3_curl -T "$T/tree/README.md" "$EP/models/other/notes%20%26%20more.md" >/dev/null || fail "upload other"
# > 1000 keys: one curl process, many uploads; the malicious one sorts last
printf 'x\n' >"$T/small.txt"
{ for i in $(seq -w 1 1100); do printf 'upload-file = "%s"\nurl = "%s/big/k/%s.txt"\n' "$T/small.txt" "$EP" "$i"; done; } >"$T/curl.cfg"
s3_curl -K "$T/curl.cfg" >/dev/null || fail "bulk upload"
s3_curl -T "$T/tree/models/evil.pkl" "$EP/big/zz/last.pkl" >/dev/null || fail "upload last"

run() {
  (cd "$T/cwd" && "$WT_BIN" scan "$@" >"$T/out" 2>"$T/err")
  rc=$?
  out=$(cat "$T/out")
  err=$(cat "$T/err")
  if grep -q "Sanitizer" <<<"$err"; then fail "sanitizer report for scan $*: $err"; fi
}
scanned_ok() { [ "$rc" = 0 ] || [ "$rc" = 1 ]; }

# 1. credentials from the environment, endpoint from AWS_ENDPOINT_URL
AWS_ENDPOINT_URL="$EP" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run s3://models
if scanned_ok && grep -q "repo/models/evil.pkl" <<<"$out"; then ok "bucket, env credentials"
else fail "bucket, env credentials (rc=$rc) $out $err"; fi

# 2. prefix limits the listing
AWS_ENDPOINT_URL="$EP" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run s3://models/other/
if scanned_ok && ! grep -q "evil.pkl" <<<"$out"; then ok "prefix"
else fail "prefix (rc=$rc) $out $err"; fi

# 3. more than 1,000 keys: the last key is on the second page
AWS_ENDPOINT_URL="$EP" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run s3://big
if scanned_ok && grep -q "zz/last.pkl" <<<"$out"; then ok "pagination (1101 keys)"
else fail "pagination (rc=$rc) $err"; fi

# 4. credentials and region from a profile in ~/.aws (AWS_PROFILE)
mkdir -p "$HOME/.aws"
printf '[default]\naws_access_key_id = WRONG\naws_secret_access_key = WRONG\n[wt]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' >"$HOME/.aws/credentials"
printf '[profile wt]\nregion = us-east-1\n' >"$HOME/.aws/config"
AWS_ENDPOINT_URL="$EP" AWS_PROFILE=wt run s3://models/repo
if scanned_ok && grep -q "evil.pkl" <<<"$out"; then ok "profile credentials"
else fail "profile credentials (rc=$rc) $err"; fi
# the default profile has a wrong key: exit 2, a clear message, no secret shown
AWS_ENDPOINT_URL="$EP" run s3://models
if [ "$rc" = 2 ] && grep -qi "bad credentials\|access denied" <<<"$err"; then ok "wrong credentials: exit 2"
else fail "wrong credentials (rc=$rc) $err"; fi
# environment beats profile
AWS_ENDPOINT_URL="$EP" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run s3://models/repo
scanned_ok && ok "environment before profile" || fail "environment before profile (rc=$rc) $err"
rm -rf "$HOME/.aws"

# 5. empty bucket, missing bucket
AWS_ENDPOINT_URL="$EP" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run s3://empty
[ "$rc" = 0 ] && ok "empty bucket" || fail "empty bucket (rc=$rc) $err"
AWS_ENDPOINT_URL="$EP" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run s3://no-such-bucket
if [ "$rc" = 2 ] && grep -qi "not found" <<<"$err"; then ok "missing bucket"
else fail "missing bucket (rc=$rc) $err"; fi

# 6. secrets never shown
if grep -rq "S3RVER" "$T/out" "$T/err" "$T/cwd"; then fail "credentials leaked"; else ok "credentials not leaked"; fi

# 7. hostile keys ("../", absolute) are names: requested literally, nothing written
"$PY" "$WT_SRC/tests/remote/s3_stub.py" "$T/stub.port" "$T/stub.log" >/dev/null 2>&1 </dev/null &
echo $! >"$T/stub.pid"
_wait_port "$T/stub.port"
mkdir -p "$T/cwd/x/y"
(cd "$T/cwd/x/y" && AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$T/stub.port")" "$WT_BIN" scan s3://hostile >"$T/out" 2>"$T/err")
rc=$?
out=$(cat "$T/out")
grep -q "Sanitizer" "$T/err" && fail "sanitizer report: $(cat "$T/err")"
if scanned_ok && grep -q "/hostile/../../outside.pkl" "$T/stub.log" && grep -q "/hostile/a/../../b.pkl" "$T/stub.log" &&
  grep -q "outside.pkl" <<<"$out" && [ -z "$(find "$T/cwd" -name '*.pkl')" ]; then ok "keys with ../ are names"
else fail "keys with ../ (rc=$rc) $out $(cat "$T/err")"; fi

# 8. credentials from flags (they beat a wrong environment), legacy flags, summary fields
AWS_ACCESS_KEY_ID=WRONG AWS_SECRET_ACCESS_KEY=WRONG run s3://models/repo --endpoint-url "$EP" \
  --aws-access-key-id S3RVER --aws-secret-access-key S3RVER --region us-east-1
if scanned_ok && grep -q "evil.pkl" <<<"$out"; then ok "credentials from flags"; else fail "credentials from flags (rc=$rc) $err"; fi
run --repo_type=s3 --bucket_name=models --region=us-east-1 --aws_access_key_id=S3RVER --aws_secret_access_key=S3RVER \
  --target_dir=repo/models --endpoint-url "$EP"
summary=$(grep -o 'Summary report: .*' <<<"$out" | sed 's/Summary report: //')
if scanned_ok && grep -q "evil.pkl" <<<"$out" && ! grep -q "README" <<<"$out" && [ -n "$summary" ] &&
  grep -q '"Repository Type": *"s3"' "$T/cwd/$summary" && grep -q '"Bucket Name": *"models"' "$T/cwd/$summary"; then
  ok "legacy S3 flags, Bucket Name in the summary report"
else fail "legacy S3 flags (rc=$rc) $out $err"; fi
if grep -rq "S3RVER" "$T/cwd"; then fail "credentials in reports"; else ok "credentials not in reports"; fi

# 9. SigV4 checked for real (s3rver does not verify signatures): the stub verifies
#    every request, including the signed session token and continuation tokens
#    with '+', '/' and '=' (three listing pages)
SP="http://127.0.0.1:$(cat "$T/stub.port")"
: >"$T/stub.log"
AWS_ACCESS_KEY_ID=AKIDSTUB AWS_SECRET_ACCESS_KEY='stub/Secret+Key=' AWS_SESSION_TOKEN=stub-session-token \
  run s3://signed --endpoint-url "$SP"
if scanned_ok && grep -q "p/4.pkl" <<<"$out" && [ "$(grep -c 'continuation-token=' "$T/stub.log")" = 2 ] &&
  ! grep -q AUTH-FAIL "$T/stub.log"; then ok "SigV4 signatures verified (session token, pagination)"
else fail "SigV4 (rc=$rc) $err $(cat "$T/stub.log")"; fi
AWS_ACCESS_KEY_ID=AKIDSTUB AWS_SECRET_ACCESS_KEY=wrong AWS_SESSION_TOKEN=stub-session-token run s3://signed --endpoint-url "$SP"
if [ "$rc" = 2 ] && grep -q "SignatureDoesNotMatch" <<<"$err" && ! grep -q "wrong" <<<"$err"; then ok "wrong secret: exit 2"
else fail "wrong secret (rc=$rc) $err"; fi
AWS_ACCESS_KEY_ID=AKIDSTUB AWS_SECRET_ACCESS_KEY='stub/Secret+Key=' run s3://signed --endpoint-url "$SP"
if [ "$rc" = 2 ] && grep -q "InvalidToken" <<<"$err"; then ok "missing session token: exit 2"
else fail "missing session token (rc=$rc) $err"; fi

# 10. --exclude applies to keys
AWS_ENDPOINT_URL="$EP" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER run s3://models --exclude '*.pkl'
if scanned_ok && ! grep -q "evil.pkl" <<<"$out"; then ok "--exclude"; else fail "--exclude (rc=$rc) $out"; fi

# 11. a bucket in another region: S3's 301 names it, the scan re-signs for it
: >"$T/stub.log"
AWS_ACCESS_KEY_ID=AKIDSTUB AWS_SECRET_ACCESS_KEY='stub/Secret+Key=' AWS_SESSION_TOKEN=stub-session-token \
  run s3://regional --endpoint-url "$SP" --region us-east-1
if scanned_ok && grep -q "p/0.pkl" <<<"$out" && grep -q "REGION us-east-1" "$T/stub.log" &&
  grep -q "REGION eu-west-3 /regional/p/0.pkl" "$T/stub.log"; then ok "wrong region corrected from x-amz-bucket-region"
else fail "region redirect (rc=$rc) $err $(cat "$T/stub.log")"; fi

echo "$fails failure(s)"
[ "$fails" = 0 ]
