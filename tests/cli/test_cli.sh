#!/usr/bin/env bash
# End-to-end tests of `watchtower scan`: exit codes, usage errors (one line,
# exit 2), legacy flags, output formats and files, reports, --exclude,
# --fail-on, baselines and policies, colour control, and that a scan never
# writes into the scanned folder.
set -u
BIN=${WT_BIN:?}
SRC=${WT_SRC:?}
PY=${WT_PYTHON:-/usr/bin/python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/wt-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fails=$((fails + 1)); echo "FAIL $1" >&2; }
# expect_rc NAME WANT CMD... : run CMD (in $T/cwd), compare exit code
expect_rc() {
  local name=$1 want=$2; shift 2
  (cd "$T/cwd" && "$@") >"$T/out" 2>"$T/err"
  local rc=$?
  if [ "$rc" = "$want" ]; then ok "$name"; else bad "$name: exit $rc, expected $want"; sed 's/^/    /' "$T/err" | head -5 >&2; fi
}
# usage_error NAME CMD... : exit 2 with exactly one line on stderr, nothing on stdout
usage_error() {
  local name=$1; shift
  (cd "$T/cwd" && "$@") >"$T/out" 2>"$T/err"
  local rc=$? lines
  lines=$(wc -l <"$T/err")
  if [ "$rc" = 2 ] && [ "$lines" = 1 ] && [ ! -s "$T/out" ] && grep -q '^watchtower: error: ' "$T/err"; then
    ok "$name"
  else
    bad "$name: exit $rc, $lines stderr lines"; sed 's/^/    /' "$T/err" | head -5 >&2
  fi
}

mkdir -p "$T/cwd" "$T/clean/sub" "$T/risky/sub" "$T/risky/.git"
printf 'hello\n' >"$T/clean/README.txt"
printf 'x = 1\n' >"$T/clean/sub/code.py"
# A model extension with content no analyzer recognises: WT-SCAN-003 (medium).
printf 'this is not a model\n' >"$T/risky/sub/weights.pt"
printf 'hello\n' >"$T/risky/README.txt"
printf '[core]\n' >"$T/risky/.git/config"

# ---- basics ----
expect_rc "version exits 0" 0 "$BIN" version
grep -q "^watchtower [0-9]" "$T/out" && ok "version prints the version" || bad "version output"
expect_rc "scan --version exits 0" 0 "$BIN" scan --version
expect_rc "help exits 0" 0 "$BIN" help
expect_rc "scan --help exits 0" 0 "$BIN" scan --help
for flag in --format --reports-dir --no-reports --fail-on --jobs --exclude --max-file-size --quiet --verbose \
            --stats --rules-dir --baseline --write-baseline --policy --osv-db --branch --revision --endpoint-url \
            --lfs --keep-clone --repo_type --path --repo_url --branch_name --depth --bucket_name --region \
            --aws_access_key_id --aws_secret_access_key --target_dir --scan_tf_models; do
  grep -q -- "$flag" "$T/out" || bad "scan --help does not mention $flag"
done
for flag in --format --reports-dir --no-reports --fail-on --jobs --exclude --max-file-size --quiet --verbose \
            --stats --rules-dir --baseline --write-baseline --policy --osv-db --branch --revision --endpoint-url \
            --lfs --keep-clone --repo_type --path --repo_url --branch_name --depth --bucket_name --region \
            --aws_access_key_id --aws_secret_access_key --target_dir --scan_tf_models; do
  grep -q -- "$flag" "$SRC/docs/cli.md" || bad "docs/cli.md does not document $flag"
done
ok "help and docs list every flag"

# ---- usage errors: one line, exit 2 ----
usage_error "no arguments" "$BIN"
usage_error "unknown command" "$BIN" scna "$T/clean"
usage_error "no target" "$BIN" scan
usage_error "unknown option" "$BIN" scan --frobnicate "$T/clean"
usage_error "option without value" "$BIN" scan "$T/clean" --format
usage_error "bad --format" "$BIN" scan --format xml "$T/clean"
usage_error "bad --fail-on" "$BIN" scan --fail-on severe "$T/clean"
usage_error "bad --jobs" "$BIN" scan --jobs 0 "$T/clean"
usage_error "bad --max-file-size" "$BIN" scan --max-file-size 10X "$T/clean"
usage_error "bad --depth" "$BIN" scan --depth -1 "$T/clean"
usage_error "quiet and verbose" "$BIN" scan -q -v "$T/clean"
usage_error "no-reports and reports-dir" "$BIN" scan --no-reports --reports-dir "$T/r" "$T/clean"
usage_error "missing path" "$BIN" scan "$T/does-not-exist"
usage_error "flag takes no value" "$BIN" scan --stats=yes "$T/clean"
# legacy flags, contradictory or incomplete
usage_error "legacy: bad repo_type" "$BIN" scan --repo_type=ftp --path="$T/clean"
usage_error "legacy: s3 without bucket" "$BIN" scan --repo_type=s3 --region=eu-west-1
usage_error "legacy: github without url" "$BIN" scan --repo_type=github --branch_name=main
usage_error "legacy: huggingface without url" "$BIN" scan --repo_type=huggingface
usage_error "legacy: folder without path" "$BIN" scan --repo_type=folder
usage_error "legacy: file given a folder" "$BIN" scan --repo_type=file --path="$T/clean"
usage_error "legacy: folder given a file" "$BIN" scan --repo_type=folder --path="$T/clean/README.txt"
usage_error "legacy: path and repo_url" "$BIN" scan --path="$T/clean" --repo_url=https://github.com/o/r
usage_error "legacy: bucket with github" "$BIN" scan --repo_type=github --repo_url=https://github.com/o/r --bucket_name=b
usage_error "legacy: path with s3" "$BIN" scan --repo_type=s3 --bucket_name=b --path="$T/clean"
usage_error "legacy: folder with a URL" "$BIN" scan --repo_type=folder https://github.com/o/r
usage_error "bad policy file" "$BIN" scan --policy "$T/nope.policy" "$T/clean"
printf '{"not": "a baseline"}\n' >"$T/notbaseline.json"
usage_error "bad baseline file" "$BIN" scan --baseline "$T/notbaseline.json" "$T/clean"

# Remote targets: a clear one-line error and exit 2 when the source cannot be
# used here (no network in tests; remote sources may not be built yet).
for url in https://github.com/owner/repo hf://owner/model s3://bucket/prefix; do
  (cd "$T/cwd" && GIT_TERMINAL_PROMPT=0 AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= AWS_ENDPOINT_URL=http://127.0.0.1:9 \
     HF_ENDPOINT=http://127.0.0.1:9 timeout 120 "$BIN" scan --no-reports "$url") >"$T/out" 2>"$T/err"
  rc=$?
  if [ "$rc" = 2 ] && grep -q '^watchtower: error: ' "$T/err" && [ "$(grep -c . "$T/err")" -le 2 ]; then
    ok "remote target $url rejected with a clear error"
  else
    bad "remote target $url: exit $rc"; head -5 "$T/err" >&2
  fi
done

# ---- exit codes and --fail-on ----
expect_rc "clean folder exits 0" 0 "$BIN" scan --no-reports "$T/clean"
expect_rc "medium finding below default high: exit 0" 0 "$BIN" scan --no-reports "$T/risky"
expect_rc "--fail-on medium: exit 1" 1 "$BIN" scan --no-reports --fail-on medium "$T/risky"
expect_rc "--fail-on low: exit 1" 1 "$BIN" scan --no-reports --fail-on low "$T/risky"
expect_rc "--fail-on critical: exit 0" 0 "$BIN" scan --no-reports --fail-on critical "$T/risky"
expect_rc "--fail-on none: exit 0" 0 "$BIN" scan --no-reports --fail-on none "$T/risky"
grep -q "WT-SCAN-003" "$T/out" && ok "text output names the rule" || bad "text output lacks WT-SCAN-003"
grep -q "sub/weights.pt" "$T/out" && ok "text output names the file" || bad "text output lacks the file"
expect_rc "single file target" 1 "$BIN" scan --no-reports --fail-on medium "$T/risky/sub/weights.pt"
expect_rc "several targets" 1 "$BIN" scan --no-reports --fail-on medium "$T/clean" "$T/risky"

# ---- legacy flags with the same meaning ----
expect_rc "legacy folder scan" 1 "$BIN" scan --repo_type=folder --path="$T/risky" --fail-on medium --no-reports
expect_rc "legacy file scan" 1 "$BIN" scan --repo_type=file --path "$T/risky/sub/weights.pt" --fail-on medium --no-reports
expect_rc "legacy invocation without subcommand" 1 "$BIN" --repo_type=folder --path="$T/risky" --fail-on=medium --no-reports
expect_rc "legacy --scan_tf_models accepted" 0 "$BIN" scan --repo_type folder --path "$T/clean" --scan_tf_models --no-reports
expect_rc "legacy --scan_tf_models=True accepted" 0 "$BIN" scan --repo_type=folder --path="$T/clean" --scan_tf_models=True --no-reports
expect_rc "hyphenated legacy spelling" 1 "$BIN" scan --repo-type=folder --path="$T/risky" --fail-on medium --no-reports

# ---- --exclude ----
expect_rc "--exclude hides the finding" 0 "$BIN" scan --no-reports --fail-on low --exclude '*.pt' "$T/risky"
expect_rc "--exclude folder" 0 "$BIN" scan --no-reports --fail-on low --exclude 'sub/' --exclude 'other' "$T/risky"
printf '# comment\n\n*.pt\n' >"$T/ign"
expect_rc "--ignore-file patterns exclude" 0 "$BIN" scan --no-reports --fail-on low --ignore-file "$T/ign" "$T/risky"
usage_error "missing --ignore-file" "$BIN" scan --ignore-file "$T/nope" "$T/risky"
expect_rc "--exclude non-matching" 1 "$BIN" scan --no-reports --fail-on low --exclude '*.bin' "$T/risky"

# ---- -o and formats ----
expect_rc "json to file" 0 "$BIN" scan --no-reports --format json -o "$T/a.json" "$T/risky"
"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['findings'][0]['rule_id']=='WT-SCAN-003'; assert d['findings'][0]['artifact']=='sub/weights.pt'; assert d['counts']['medium']==1" "$T/a.json" \
  && ok "json output has the finding" || bad "json output content"
grep -q "WT-SCAN-003" "$T/out" && ok "with -o, the text summary still goes to stdout" || bad "no text summary with -o"
expect_rc "json again" 0 "$BIN" scan --no-reports --format json -o "$T/b.json" "$T/risky"
cmp -s "$T/a.json" "$T/b.json" && ok "json output is byte-identical across runs" || bad "json output differs across runs"
expect_rc "json on stdout" 0 "$BIN" scan --no-reports -q --format json "$T/risky"
"$PY" -c "import json,sys; json.load(open(sys.argv[1]))" "$T/out" && ok "stdout json parses (nothing else on stdout)" || bad "stdout json"
expect_rc "format from -o extension" 0 "$BIN" scan --no-reports -o "$T/c.sarif" "$T/risky"
"$PY" "$SRC/tests/reports/validate_json_schema.py" "$SRC/tests/reports/sarif-schema-2.1.0.json" "$T/c.sarif" \
  && ok "CLI SARIF validates against the schema" || bad "CLI SARIF invalid"
"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); r=d['runs'][0]['results'][0]; assert r['locations'][0]['physicalLocation']['artifactLocation']['uri']=='sub/weights.pt'; assert r['level']=='warning'" "$T/c.sarif" \
  && ok "SARIF uri is relative to the target root" || bad "SARIF uri"
expect_rc "-o - is stdout" 0 "$BIN" scan --no-reports -q --format json -o - "$T/risky"
"$PY" -c "import json,sys; json.load(open(sys.argv[1]))" "$T/out" && ok "-o - writes json to stdout" || bad "-o -"
usage_error "-o into a missing folder" "$BIN" scan --no-reports -q --format json -o "$T/missing/dir/x.json" "$T/risky"
mkdir -p "$T/od"
expect_rc "-o replaces a file" 0 "$BIN" scan --no-reports -q --format sarif -o "$T/od/x.sarif" "$T/risky"
expect_rc "-o replaces a file again" 0 "$BIN" scan --no-reports -q --format sarif -o "$T/od/x.sarif" "$T/risky"
[ "$(ls -A "$T/od")" = "x.sarif" ] && ok "-o leaves no temp files" || bad "-o left: $(ls -A "$T/od")"
expect_rc "text to file" 0 "$BIN" scan --no-reports --format text -o "$T/r.txt" "$T/risky"
grep -q "WT-SCAN-003" "$T/r.txt" && ok "text written to -o file" || bad "text -o file"

# ---- reports ----
rm -rf "$T/cwd/scanned_reports"
expect_rc "default reports" 0 "$BIN" scan "$T/risky"
last=$(tail -n 1 "$T/out")
sum=${last#Summary report: }
if [ "$last" != "$sum" ] && [ -f "$T/cwd/$sum" ]; then ok "last line names the summary report"; else bad "last line: $last"; fi
case "$sum" in scanned_reports/*/summary_reports_*.json) ok "default reports dir is scanned_reports/<id>/";; *) bad "reports path $sum";; esac
d=$(dirname "$T/cwd/$sum")
n=$(ls -A "$d" | wc -l)
[ "$n" = 3 ] && ok "three reports, no temp files" || { bad "reports dir has $n entries"; ls -A "$d" >&2; }
id=$(basename "$d")
for f in summary_reports_$id.json detailed_reports_$id.json severity_mapped_detailed_reports_$id.json; do
  [ -f "$d/$f" ] || bad "missing $f"
done
"$PY" - "$d/summary_reports_$id.json" "$d/severity_mapped_detailed_reports_$id.json" <<'PYEOF' && ok "summary and severity reports content" || bad "reports content"
import json, sys
s = json.load(open(sys.argv[1]))
assert list(s) == ["Repository Type", "Repository URL", "Total Number of Model Found",
  "Total Number of Notebooks & Requirement files Found", "Total Number of Model Scanned",
  "Total Number of Notebooks & Requirement files Scanned",
  "Total Notebook & Requirement files Vulnerabilities Found", "Total Model Vulnerabilities Found"], list(s)
assert s["Repository Type"] == "folder"
assert s["Total Model Vulnerabilities Found"] == {"Critical": 0, "High": 0, "Medium": 1, "Low": 0}
assert s["Total Number of Model Found"] == 1
d = json.load(open(sys.argv[2]))
e = d["sub/weights.pt"]
assert e["file_name"] == "sub/weights.pt"
assert e["scanning_reports"][0]["output_log"][0]["vulnerability_severity"] == "Medium"
PYEOF
sleep 1
expect_rc "second scan" 0 "$BIN" scan -q "$T/risky"
[ "$(ls "$T/cwd/scanned_reports" | wc -l)" = 2 ] && ok "scan ids do not collide" || bad "scan ids collided"
rm -rf "$T/cwd/scanned_reports"
expect_rc "--no-reports" 0 "$BIN" scan --no-reports "$T/risky"
[ ! -e "$T/cwd/scanned_reports" ] && ok "--no-reports writes nothing" || bad "--no-reports wrote reports"
grep -q "Summary report" "$T/out" && bad "--no-reports still names a report" || ok "--no-reports names no report"
expect_rc "--reports-dir" 0 "$BIN" scan --reports-dir "$T/myreports" "$T/risky"
[ "$(ls "$T/myreports"/summary_reports_*.json 2>/dev/null | wc -l)" = 1 ] && ok "--reports-dir used" || bad "--reports-dir not used"
expect_rc "json on stdout with reports" 0 "$BIN" scan --format json --reports-dir "$T/rj" "$T/risky"
"$PY" -c "import json,sys; json.load(open(sys.argv[1]))" "$T/out" && ok "report path line is not on stdout with json" || bad "stdout polluted"
grep -q "^Summary report: " "$T/err" && ok "report path goes to stderr with json on stdout" || bad "no report path on stderr"

# ---- quiet, stats, colour ----
expect_rc "quiet" 0 "$BIN" scan -q --no-reports "$T/risky"
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] && ok "--quiet prints nothing" || bad "--quiet printed"
expect_rc "stats" 0 "$BIN" scan --stats --no-reports "$T/risky"
grep -q "bytes read:" "$T/out" && grep -q "artifacts:" "$T/out" && ok "--stats shows artifacts and bytes read" || bad "--stats output"
grep -q $'\033' "$T/out" "$T/err" && bad "escape codes in a pipe" || ok "no colour in pipes"
if script -qec "true" /dev/null >/dev/null 2>&1; then
  (cd "$T/cwd" && NO_COLOR= script -qec "$BIN scan --no-reports --fail-on none $T/risky" /dev/null) >"$T/tty" 2>&1
  grep -q $'\033\[' "$T/tty" && ok "colour on a terminal" || bad "no colour on a terminal"
  (cd "$T/cwd" && NO_COLOR=1 script -qec "$BIN scan --no-reports --fail-on none $T/risky" /dev/null) >"$T/tty" 2>&1
  grep -q $'\033\[[0-9;]*m' "$T/tty" && bad "colour despite NO_COLOR" || ok "NO_COLOR respected on a terminal"
fi

# ---- policy and baseline ----
printf 'WT-SCAN-003 high\n' >"$T/p.policy"
expect_rc "--policy raises severity" 1 "$BIN" scan --no-reports --policy "$T/p.policy" "$T/risky"
printf 'WT-SCAN-* off sub/*\n' >"$T/off.policy"
expect_rc "--policy off" 0 "$BIN" scan --no-reports --fail-on low --policy "$T/off.policy" "$T/risky"
expect_rc "--write-baseline" 0 "$BIN" scan --no-reports --write-baseline "$T/base.json" "$T/risky"
expect_rc "--baseline suppresses known findings" 0 "$BIN" scan --no-reports --fail-on low --baseline "$T/base.json" "$T/risky"
grep -q "baseline: 1 known finding suppressed" "$T/out" && ok "baseline note" || bad "no baseline note"
printf 'junk\n' >"$T/risky/sub/new.pkl"
expect_rc "--baseline keeps new findings" 1 "$BIN" scan --no-reports --fail-on low --baseline "$T/base.json" "$T/risky"
rm -f "$T/risky/sub/new.pkl"

# ---- misc flags accepted ----
expect_rc "--jobs/--max-file-size/--rules-dir/--osv-db" 0 "$BIN" scan --no-reports -j 2 --max-file-size 10M \
  --rules-dir "$T/clean" --osv-db "$T/none.db" "$T/clean"
expect_rc "--max-file-size skips big files" 0 "$BIN" scan --no-reports --fail-on medium --max-file-size 4 "$T/risky"

# ---- the scan never writes into the target ----
snap() { (cd "$1" && find . -printf '%p %s %m %y\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort); }
before=$(snap "$T/risky")
expect_rc "scan with every output" 0 "$BIN" scan --stats -v --format sarif -o "$T/x.sarif" --write-baseline "$T/x.json" "$T/risky"
expect_rc "legacy scan with reports" 0 "$BIN" --repo_type=folder --path="$T/risky"
after=$(snap "$T/risky")
[ "$before" = "$after" ] && ok "target folder unchanged" || bad "target folder changed"

echo "$pass passed, $fails failed"
[ "$fails" = 0 ]
