#!/usr/bin/env bash
# Remote sources benchmark: bytes transferred vs total repository size for a
# large synthetic repository served on loopback (figures only, no asserts).
#   Hugging Face stand-in: two sparse weight files of BENCH_HF_BYTES each
#     (safetensors + PyTorch-shaped zip; default 8 GiB each) + small files.
#   S3 (s3rver): a PyTorch-shaped zip of BENCH_S3_BYTES (default 64 MiB) + 1,100 small keys.
#   git (smart HTTP): clone + scan of a repository of 300 files.
# Usage: bench/bench_remote.sh [BUILD_DIR]
set -uo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
ROOT=$PWD
WT="$ROOT/$BUILD/watchtower"
[ -x "$WT" ] || { echo "build first: $WT missing" >&2; exit 1; }
export WT_SRC="$ROOT" WT_PYTHON=/usr/bin/python3
source "$ROOT/tests/remote/servers.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/wt-bench-remote-XXXXXX")
trap 'stop_all "$T"; rm -rf "$T"' EXIT
HF_BYTES=${BENCH_HF_BYTES:-$((5 << 30))}
S3_BYTES=${BENCH_S3_BYTES:-$((64 << 20))}
mkdir -p "$T/cwd"

stat_line() { grep -m1 'bytes read:' "$1" | sed 's/^ *//'; }
wall() { grep -m1 'wall time:' "$1" | sed 's/^ *wall time: *//'; }

# ---- Hugging Face ----
start_hf "$T" "$HF_BYTES" >/dev/null || exit 1
: >"$T/hf.log"
(cd "$T/cwd" && HF_ENDPOINT="http://127.0.0.1:$(cat "$T/hf.port")" "$WT" scan hf://acme/big --stats --no-reports \
  --fail-on none >"$T/hf.out" 2>&1)
reqs=$(grep -vc '/api/' "$T/hf.log")
sent=$("$PY" -c 'import json,sys; print(sum(json.loads(l)["sent"] for l in open(sys.argv[1]) if "/api/" not in json.loads(l)["path"]))' "$T/hf.log")
echo "huggingface: repository of $((2 * HF_BYTES / 1048576)) MiB (2 sparse weight files + 5 small files)"
echo "  $(stat_line "$T/hf.out")"
echo "  server sent $sent bytes in $reqs content requests (302s included), wall $(wall "$T/hf.out")"

# ---- parallel prefetch: 200 small files, 20 ms simulated latency per request ----
stop_all "$T"
mkdir -p "$T/lat"
HF_PAGE=1000 HF_DELAY_MS=20 start_hf "$T/lat" 4096 >/dev/null || exit 1
for pf in 0 1; do
  t0=$(date +%s%N)
  (cd "$T/cwd" && WT_HTTP_PREFETCH=$pf HF_ENDPOINT="http://127.0.0.1:$(cat "$T/lat/hf.port")" "$WT" scan hf://acme/lots \
    --no-reports --fail-on none >/dev/null 2>&1)
  t1=$(date +%s%N)
  echo "huggingface, 200 small files, 20 ms latency: prefetch=$pf $(( (t1 - t0) / 1000000 )) ms"
done
stop_all "$T/lat"

# ---- S3 ----
start_s3 "$T" bench >/dev/null || exit 1
EP="http://127.0.0.1:$(cat "$T/s3.port")"
"$PY" "$ROOT/tests/remote/make_fixtures.py" sparse-zip "$T/model.pt" "$S3_BYTES"
s3_curl -T "$T/model.pt" "$EP/bench/models/model.pt" >/dev/null
rm -f "$T/model.pt"
printf 'x\n' >"$T/small.txt"
{ for i in $(seq -w 1 1100); do printf 'upload-file = "%s"\nurl = "%s/bench/k/%s.txt"\n' "$T/small.txt" "$EP" "$i"; done; } >"$T/curl.cfg"
s3_curl -K "$T/curl.cfg" >/dev/null
(cd "$T/cwd" && AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER "$WT" scan s3://bench --endpoint-url "$EP" \
  --stats --no-reports --fail-on none >"$T/s3.out" 2>&1)
echo "s3: bucket of 1,101 objects, one $((S3_BYTES / 1048576)) MiB PyTorch-shaped zip"
echo "  $(stat_line "$T/s3.out")"
echo "  wall $(wall "$T/s3.out") (listing: 2 ListObjectsV2 pages)"

# ---- git ----
w="$T/work"
mkdir -p "$w"
for i in $(seq 1 300); do printf 'def f%d():\n    return %d\n' "$i" "$i" >"$w/m$i.py"; done
(cd "$w" && _git init -q && _git add -A && _git commit -qm bench) >/dev/null
mkdir -p "$T/repos/bench"
_git clone -q --bare "$w" "$T/repos/bench/code.git"
start_git_http "$T" unused >/dev/null || exit 1
t0=$(date +%s.%N)
(cd "$T/cwd" && "$WT" scan "http://127.0.0.1:$(cat "$T/lighttpd.port")/git/bench/code.git" --stats --no-reports \
  --fail-on none >"$T/git.out" 2>&1)
t1=$(date +%s.%N)
echo "git: 300-file repository over smart HTTP (shallow clone + scan)"
echo "  $(stat_line "$T/git.out")"
echo "  total $(echo "$t1 - $t0" | bc 2>/dev/null || echo "?") s including the clone; scan wall $(wall "$T/git.out")"
