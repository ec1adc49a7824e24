#!/usr/bin/env bash
# False-positive corpus: real-looking ML notebooks and training scripts
# (hashes, UUIDs, URLs, model ids, safe loaders, DataFrame/HTML/image/error
# outputs) must produce no code, secret, PII or scanner finding above low.
# Dependency findings (from `%pip install` lines) are out of scope here.
set -euo pipefail
: "${WT_BIN:?}" "${WT_SRC:?}"
PY=${WT_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$PY" "$WT_SRC/tests/notebook/gen_ml_corpus.py" "$tmp/corpus" 8 7
"$WT_BIN" scan "$tmp/corpus" --format json --no-reports --fail-on none -q -j 1 >"$tmp/out.json"

"$PY" - "$tmp/out.json" <<'EOF'
import json, sys
raw = open(sys.argv[1]).read()
doc, _ = json.JSONDecoder().raw_decode(raw)
scan = doc["scan"]
assert scan["notebooks_requirements_found"] >= 8, scan
bad = [f for f in doc["findings"]
       if f["category"] in ("code", "secret", "pii", "scan") and f["severity"] != "low"]
for f in bad:
    loc = f["location"]
    print("unexpected:", f["rule_id"], f["severity"], f["artifact"], loc, f.get("evidence"), f["message"])
code = [f for f in doc["findings"] if f["category"] == "code"]
for f in code:
    print("code finding (low):", f["rule_id"], f["artifact"], f["location"])
sys.exit(1 if bad or code else 0)
EOF
echo "fp corpus: ok"
