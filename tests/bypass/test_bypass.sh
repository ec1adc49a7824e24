#!/usr/bin/env bash
# Regression suite: every published bypass of other ML model scanners (picklescan, modelscan,
# fickling, ModelAudit, protectai) must be caught by Watchtower, and real-shaped benign
# models must stay quiet. Fixtures come from gen_bypass.py (see its manifest columns).
set -u
WT_BIN=${WT_BIN:-$(dirname "$0")/../../build/watchtower}
WT_SRC=${WT_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=${WT_PYTHON:-/usr/bin/python3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/wt-bypass.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

"$PY" "$WT_SRC/tests/bypass/gen_bypass.py" "$TMP/fx" >/dev/null || { echo "generator failed"; exit 1; }
"$WT_BIN" scan "$TMP/fx" --format json --no-reports --fail-on none --exclude manifest.tsv \
    >"$TMP/out.json" 2>"$TMP/err.txt"
rc=$?
if [ $rc -ne 0 ]; then echo "scan exited $rc"; cat "$TMP/err.txt"; exit 1; fi

"$PY" - "$TMP/fx/manifest.tsv" "$TMP/out.json" <<'EOF'
import json, sys
RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
rows = [(l.rstrip("\n").split("\t") + [""])[:6] for l in open(sys.argv[1]) if l.strip()]
doc = json.load(open(sys.argv[2]))
by_file = {}
for f in doc["findings"]:
    by_file.setdefault(f["file"], []).append(f)
passed = failed = 0
for name, tech, src, sev, prefix, forbid in rows:
    fs = by_file.get(name, [])
    top = max((RANK.get(f["severity"], 0) for f in fs), default=-1)
    if sev == "none":
        bad = [f for f in fs if RANK.get(f["severity"], 0) > RANK["low"]]
        ok = not bad
        detail = "clean" if ok else "FP: " + ", ".join(
            "%s %s %s" % (f["rule_id"], f["severity"], (f.get("evidence") or "")[:60]) for f in bad)
    else:
        hits = [f for f in fs if f["rule_id"].startswith(prefix)
                and RANK.get(f["severity"], 0) >= RANK[sev]]
        bad = [f for f in fs if forbid and f["rule_id"].startswith(forbid)]
        ok = bool(hits) and not bad
        got = ", ".join(sorted({"%s/%s" % (f["rule_id"], f["severity"]) for f in fs})) or "nothing"
        detail = ("%s %s" % (hits[0]["rule_id"], (hits[0].get("evidence") or "")[:60]) if ok
                  else "want %s>=%s%s, got %s" % (prefix, sev, " and no " + forbid if forbid else "", got))
    print("%s  %-36s %-58s %s" % ("PASS" if ok else "FAIL", name, tech[:58], detail))
    passed += ok
    failed += not ok
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
