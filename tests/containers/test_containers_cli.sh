#!/usr/bin/env bash
# End to end: the CLI on container files. A 2 GB sparse PyTorch checkpoint is
# scanned reading well under 1 MB (--stats); exit codes follow --fail-on for
# findings found inside nested containers (7z > zip, tar.gz > tar > npy).
set -uo pipefail
: "${WT_BIN:?}" "${WT_BUILD:?}" "${WT_PYTHON:=/usr/bin/python3}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

mkdir -p "$tmp/big"
"$WT_BUILD/bench_torch_zip" --write "$tmp/big/model.pt" || { echo "cannot write checkpoint"; exit 1; }
size=$(stat -c %s "$tmp/big/model.pt")
[ "$size" -gt 2000000000 ] && ok "checkpoint is $size bytes" || bad "checkpoint size $size"
out=$("$WT_BIN" scan "$tmp/big" --stats --no-reports --fail-on low 2>&1)
rc=$?
[ $rc -eq 0 ] && ok "benign 2 GB checkpoint: exit 0" || { bad "benign 2 GB checkpoint: exit $rc"; echo "$out"; }
read_bytes=$(printf '%s\n' "$out" | grep -oE 'bytes read: +[0-9]+' | grep -oE '[0-9]+$' | head -1)
if [ -n "$read_bytes" ] && [ "$read_bytes" -lt 1000000 ]; then ok "2 GB checkpoint read $read_bytes bytes"
else bad "2 GB checkpoint read '${read_bytes:-?}' bytes"; echo "$out"; fi

# nested containers: findings surface through every layer, exit code 1
mkdir -p "$tmp/nest/src" "$tmp/nest/scan"
"$WT_PYTHON" - "$tmp/nest/src" <<'PY'
import sys, os, zipfile, tarfile, io
import numpy as np
d = sys.argv[1]
np.save(os.path.join(d, "obj.npy"), np.array([print], dtype=object), allow_pickle=True)
with zipfile.ZipFile(os.path.join(d, "model.pt"), "w") as z:
    z.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    z.write(os.path.join(d, "obj.npy"), "archive/extra.npy")
with tarfile.open(os.path.join(d, "bundle.tar.gz"), "w:gz") as t:
    t.add(os.path.join(d, "obj.npy"), "deep/obj.npy")
PY
(cd "$tmp/nest/src" && 7z a -bd -bso0 -bsp0 "$tmp/nest/scan/model.7z" model.pt >/dev/null) || bad "7z"
cp "$tmp/nest/src/bundle.tar.gz" "$tmp/nest/scan/"
before=$(cd "$tmp/nest/scan" && find . -printf '%p %s %T@\n' | sort)
"$WT_BIN" scan "$tmp/nest/scan" --no-reports --format json -o "$tmp/out.json" --fail-on medium >/dev/null 2>&1
rc=$?
[ $rc -eq 1 ] && ok "nested findings: exit 1" || bad "nested findings: exit $rc"
"$WT_PYTHON" - "$tmp/out.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
arts = sorted({f["artifact"] for f in d["findings"] if f["rule_id"] == "WT-NPY-001"})
want = ["bundle.tar.gz!bundle.tar!deep/obj.npy", "model.7z!model.pt!archive/extra.npy"]
if arts != want:
    print("FAIL nested artifacts", arts)
    sys.exit(1)
print("ok   nested artifact names", arts)
PY
after=$(cd "$tmp/nest/scan" && find . -printf '%p %s %T@\n' | sort)
[ "$before" = "$after" ] && ok "target folder untouched" || bad "target folder changed"
# archives written by GNU tar in every format and filter
long="$tmp/src/$(printf 'd%.0s' {1..120})/sub"
mkdir -p "$long" "$tmp/tars"
cp "$tmp/nest/src/obj.npy" "$long/obj.npy"
(cd "$tmp/src" && tar --format=gnu -cf "$tmp/tars/gnu.tar" . && tar --format=pax -cf "$tmp/tars/pax.tar" . \
  && tar --format=ustar -cf "$tmp/tars/ustar.tar" . 2>/dev/null; tar -czf "$tmp/tars/t.tgz" . && tar -cjf "$tmp/tars/t.tar.bz2" . \
  && tar -cJf "$tmp/tars/t.tar.xz" . && tar --zstd -cf "$tmp/tars/t.tar.zst" .) || bad "tar"
"$WT_BIN" scan "$tmp/tars" --no-reports --format json -o "$tmp/tars.json" >/dev/null 2>&1
"$WT_PYTHON" - "$tmp/tars.json" "$(printf 'd%.0s' {1..120})" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
member = "./" + sys.argv[2] + "/sub/obj.npy"
arts = sorted(f["artifact"] for f in d["findings"] if f["rule_id"] == "WT-NPY-001")
want = sorted(["gnu.tar!" + member, "pax.tar!" + member, "t.tgz!t.tar!" + member, "t.tar.bz2!t.tar!" + member,
               "t.tar.xz!t.tar!" + member, "t.tar.zst!t.tar!" + member])
# ustar cannot store a 120-character directory name in one header: tar refuses or splits with the prefix field
ustar = [a for a in arts if a.startswith("ustar.tar!")]
arts = [a for a in arts if not a.startswith("ustar.tar!")]
if arts != want or any(a != "ustar.tar!" + member for a in ustar):
    print("FAIL tar formats", arts, ustar)
    sys.exit(1)
others = [f for f in d["findings"] if f["rule_id"].startswith("WT-ARCHIVE")]
if others:
    print("FAIL unexpected archive findings", others)
    sys.exit(1)
print("ok   GNU tar gnu/pax/ustar and gz/bz2/xz/zstd:", len(arts) + len(ustar), "members found")
PY
# zips written by real tools: no false structure findings, every member found
mkdir -p "$tmp/zt/src" "$tmp/zt/scan"
cp "$tmp/nest/src/obj.npy" "$tmp/zt/src/obj.npy"
echo hello > "$tmp/zt/src/readme.txt"
(cd "$tmp/zt/src" && zip -q "$tmp/zt/scan/cli.zip" obj.npy readme.txt \
  && 7z a -tzip -bd -bso0 -bsp0 "$tmp/zt/scan/p7.zip" obj.npy readme.txt \
  && 7z a -tzip -mm=BZip2 -bd -bso0 -bsp0 "$tmp/zt/scan/p7bz.zip" obj.npy \
  && 7z a -tzip -mm=LZMA -bd -bso0 -bsp0 "$tmp/zt/scan/p7lzma.zip" obj.npy \
  && 7z a -tzip -mm=Deflate64 -bd -bso0 -bsp0 "$tmp/zt/scan/p7d64.zip" obj.npy) >/dev/null || bad "zip writers"
(cd "$tmp/zt/src" && "$WT_PYTHON" - "$tmp/zt/scan" <<'PY') || bad "python zip writers"
import io, sys, zipfile
out = sys.argv[1]
class Unseekable(io.RawIOBase):  # forces data descriptors (flag bit 3)
    def __init__(self, f): self.f = f
    def writable(self): return True
    def write(self, b): return self.f.write(b)
with open(out + "/stream.zip", "wb") as raw:
    with zipfile.ZipFile(Unseekable(raw), "w", zipfile.ZIP_DEFLATED) as z:
        z.write("obj.npy"); z.write("readme.txt")
with zipfile.ZipFile(out + "/z64.zip", "w", zipfile.ZIP_STORED) as z:
    with z.open("obj.npy", "w", force_zip64=True) as f: f.write(open("obj.npy", "rb").read())
for name, c in (("lz.zip", zipfile.ZIP_LZMA), ("bz.zip", zipfile.ZIP_BZIP2)):
    with zipfile.ZipFile(out + "/" + name, "w", c) as z: z.write("obj.npy")
PY
"$WT_BIN" scan "$tmp/zt/scan" --no-reports --format json -o "$tmp/zt.json" >/dev/null 2>&1
"$WT_PYTHON" - "$tmp/zt.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
found = sorted(f["artifact"] for f in d["findings"] if f["rule_id"] == "WT-NPY-001")
want = sorted(z + "!obj.npy" for z in ["cli.zip", "p7.zip", "p7bz.zip", "p7lzma.zip", "stream.zip", "z64.zip", "lz.zip", "bz.zip"])
zipf = sorted((f["artifact"], f["rule_id"]) for f in d["findings"] if f["rule_id"].startswith("WT-ZIP"))
if found != want or zipf != [("p7d64.zip", "WT-ZIP-010")]:
    print("FAIL zip writers", found, zipf)
    sys.exit(1)
print("ok   zips from zip, 7z (deflate/bzip2/lzma), zipfile (streamed, zip64, lzma, bzip2); deflate64 unscannable")
PY
exit $fail
