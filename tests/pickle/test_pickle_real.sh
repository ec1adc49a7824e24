#!/bin/bash
# Real pickles written by CPython's pickler (generated at test time with
# pickle.dumps only): benign ones give no finding above low, payloads are
# critical, text is not taken for a pickle.
set -euo pipefail
: "${WT_BIN:?}" "${WT_SRC:?}"
PY=${WT_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" "$WT_SRC/tests/pickle/gen_real_pickles.py" "$tmp/t"
fail=0

"$WT_BIN" scan "$tmp/t/benign" --format json --no-reports --fail-on low -o "$tmp/benign.json" || true
"$PY" - "$tmp/benign.json" <<'PYEOF' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
bad = [f for f in d["findings"] if f["severity"] in ("medium", "high", "critical")]
for f in bad:
    print("unexpected:", f["artifact"], f["rule_id"], f["severity"], f["message"], f.get("evidence"))
pk = [f for f in d["findings"] if f["rule_id"].startswith("WT-PICKLE")]
for f in pk:
    print("unexpected pickle finding:", f["artifact"], f["rule_id"], f["severity"], f.get("evidence"))
assert d["scan"]["models_found"] == 22, d["scan"]  # notes.txt is not a model
sys.exit(1 if bad or pk else 0)
PYEOF

"$WT_BIN" scan "$tmp/t/evil" --format json --no-reports -o "$tmp/evil.json" && { echo "evil scan exited 0"; fail=1; }
"$PY" - "$tmp/evil.json" "$tmp/t/evil" <<'PYEOF' || fail=1
import json, os, sys
d = json.load(open(sys.argv[1]))
crit = {}
for f in d["findings"]:
    if f["rule_id"] == "WT-PICKLE-001":
        crit.setdefault(f["artifact"], []).append(f.get("evidence") or "")
ok = True
for name in sorted(os.listdir(sys.argv[2])):
    if name not in crit:
        print("no critical finding for", name)
        ok = False
for p in range(6):
    ev = crit.get("os_system_p%d.pkl" % p, [])
    if not any("system('true')" in x for x in ev):
        print("missing call evidence for protocol", p, ev)
        ok = False
if not any("eval(\"print('x')\")" in x or "eval('print(\\'x\\')')" in x for x in crit.get("eval_in_state_dict.pkl", [])):
    print("eval evidence:", crit.get("eval_in_state_dict.pkl"))
    ok = False
if not any(f["rule_id"] == "WT-PICKLE-007" and f["artifact"] == "nested_loads.pkl" for f in d["findings"]):
    print("nested pickle not reported")
    ok = False
sys.exit(0 if ok else 1)
PYEOF

if [ "$fail" != 0 ]; then echo "FAIL"; exit 1; fi
echo "ok"
