#!/bin/bash
# Real-world artifacts written by the real ML libraries (tests/realworld/fixtures, made by
# gen_realworld.py): every artifact gets exactly the verdict in expected.tsv (benign ones
# clean unless a justified finding is listed, payloads critical with the resolved call as
# evidence), pickle findings point at the opcode of the call or import inside the named
# member, and a torch checkpoint is scanned by reading its pickle, not its weights.
set -euo pipefail
: "${WT_BIN:?}" "${WT_SRC:?}"
PY=${WT_PYTHON:-/usr/bin/python3}
dir="$WT_SRC/tests/realworld"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# Exit status: 1 because the malicious half has critical findings.
"$WT_BIN" scan "$dir/fixtures" --format json --no-reports -o "$tmp/scan.json" -q && {
    echo "scan of fixtures exited 0 despite payloads"; fail=1; }

"$PY" - "$tmp/scan.json" "$dir/expected.tsv" "$dir/fixtures" <<'PYEOF' || fail=1
import json, os, sys, zipfile

scan, expected, root = sys.argv[1:4]
d = json.load(open(scan))
by_artifact = {}  # artifact names are relative to the scanned folder
for f in d["findings"]:
    by_artifact.setdefault(f["artifact"].split("!")[0], []).append(f)

rank = {"clean": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
rows = {}
for line in open(expected):
    if not line.strip() or line.startswith("#"):
        continue
    art, verdict, rules = line.rstrip("\n").split("\t")
    rows[art] = (verdict, [] if rules == "-" else rules.split(","))

ok = True
files = set()
for sub in ("benign", "malicious", "executes_code"):
    for name in os.listdir(os.path.join(root, sub)):
        files.add(sub + "/" + name)
for art in sorted(files - set(rows)):
    print("fixture without a row in expected.tsv:", art)
    ok = False
for art in sorted(set(rows) - files):
    print("row without a fixture:", art)
    ok = False


def show(fs):
    for f in fs:
        print("     ", f["severity"], f["rule_id"], f["artifact"], f.get("location"), f["message"][:140])


for art in sorted(rows):
    verdict, want = rows[art]
    fs = by_artifact.get(art, [])
    got = max((rank[f["severity"]] for f in fs), default=0)
    if got != rank[verdict]:
        print("%s: verdict %s, expected %s" % (art, [k for k, v in rank.items() if v == got][0], verdict))
        show(fs)
        ok = False
    allowed = {w.split("=")[0] for w in want}
    for f in fs:
        if f["rule_id"] not in allowed:
            print("%s: unexpected finding" % art)
            show([f])
            ok = False
    for w in want:
        rule, _, text = w.partition("=")
        if not any(f["rule_id"] == rule and (text in (f.get("evidence") or "") or text in f["message"]) for f in fs):
            print("%s: missing %s%s" % (art, rule, (" with " + repr(text)) if text else ""))
            show(fs)
            ok = False

# Locations: a pickle finding in a plain file or a zip member names the member and the offset
# of the opcode that imports or calls the global.
CALL_OPS = set(b"R\x81\x92c\x93io")
checked = 0
for art, fs in by_artifact.items():
    for f in fs:
        if f["rule_id"] != "WT-PICKLE-001":
            continue
        parts = f["artifact"].split("!")
        path = os.path.join(root, parts[0])
        off = (f.get("location") or {}).get("offset")
        if off is None:
            print("%s: no offset in %s" % (art, f["message"]))
            ok = False
            continue
        if len(parts) == 1:
            data = open(path, "rb").read()
        elif len(parts) == 2 and zipfile.is_zipfile(path) and parts[1] in zipfile.ZipFile(path).namelist():
            data = zipfile.ZipFile(path).read(parts[1])
        elif len(parts) == 2 and parts[1] == "pickles":  # legacy torch stream: offsets in the file
            data = open(path, "rb").read()
        elif len(parts) == 2 and parts[1].startswith("pickle@"):  # .npy object array
            data = open(path, "rb").read()[int(parts[1][7:]):]
        elif len(parts) == 3 and parts[2].startswith("pickle@") and zipfile.is_zipfile(path):  # .npz member
            data = zipfile.ZipFile(path).read(parts[1])[int(parts[2][7:]):]
        else:
            continue
        checked += 1
        if off >= len(data) or data[off] not in CALL_OPS:
            print("%s: offset %d in %s is not a call/import opcode (%r)" % (art, off, f["artifact"], data[off:off + 1]))
            ok = False
if checked < 12:
    print("only %d pickle locations checked" % checked)
    ok = False
sys.exit(0 if ok else 1)
PYEOF

# Bytes read: a torch checkpoint with 48 MiB of (stored) weights is judged from its pickle.
"$PY" - "$dir/fixtures/benign/torch_training_checkpoint.pt" "$tmp/big.pt" <<'PYEOF'
import sys, zipfile
src, dst = sys.argv[1:3]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
    names = zin.namelist()
    for n in names:
        zout.writestr(zin.getinfo(n), zin.read(n))
    top = names[0].split("/")[0]
    chunk = bytes(range(256)) * 4096  # 1 MiB
    with zout.open(top + "/data/9999", "w", force_zip64=True) as w:
        for _ in range(48):
            w.write(chunk)
PYEOF
"$WT_BIN" scan "$tmp/big.pt" --stats --no-reports --fail-on low > "$tmp/stats.txt" 2>&1 || {
    echo "big checkpoint: unexpected findings"; cat "$tmp/stats.txt"; fail=1; }
read_bytes=$(sed -n 's/^ *bytes read: *\([0-9]*\) of.*/\1/p' "$tmp/stats.txt")
if [ -z "$read_bytes" ] || [ "$read_bytes" -gt 1048576 ]; then
    echo "big checkpoint: read ${read_bytes:-?} bytes (expected under 1 MiB)"; cat "$tmp/stats.txt"; fail=1
fi

if [ "$fail" != 0 ]; then echo "FAIL"; exit 1; fi
echo "ok"
