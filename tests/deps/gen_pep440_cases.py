#!/usr/bin/python3
"""Differential cases for src/deps/pep440.c: every version string in the OSV
snapshot (PyPI.zip), judged by packaging 21.3 (vendored in Debian's pip,
which still has LegacyVersion), plus random specifier checks.

usage: gen_pep440_cases.py PyPI.zip OUT
OUT lines:  N raw valid normalised | O a b cmp | S spec version prerelease result
Exit 3 when packaging is not available (the C test then skips)."""
import json
import random
import sys
import zipfile

sys.path.insert(0, "/usr/lib/python3/dist-packages")
try:
    from pip._vendor.packaging.specifiers import InvalidSpecifier, SpecifierSet
    from pip._vendor.packaging.version import InvalidVersion, Version, parse
except ImportError:
    sys.exit(3)

zpath, out = sys.argv[1], sys.argv[2]
vs = set()
with zipfile.ZipFile(zpath) as z:
    for name in z.namelist():
        d = json.loads(z.read(name))
        for a in d.get("affected", []):
            for r in a.get("ranges") or []:
                if r.get("type") == "ECOSYSTEM":
                    for e in r["events"]:
                        vs.update(e.values())
            vs.update(a.get("versions") or [])
vs = sorted(v for v in vs if "\t" not in v and "\n" not in v)
rnd = random.Random(440)
valid = []
with open(out, "w") as f:
    for v in vs:
        try:
            pv = Version(v)
            valid.append(v)
            f.write(f"N\t{v}\t1\t{pv}\n")
        except InvalidVersion:
            f.write(f"N\t{v}\t0\t\n")
    for _ in range(20000):
        a, b = rnd.choice(vs), rnd.choice(vs)
        pa, pb = parse(a), parse(b)
        f.write(f"O\t{a}\t{b}\t{(pa > pb) - (pa < pb)}\n")
    ops = ["==", "!=", "<", "<=", ">", ">=", "~="]
    for _ in range(1500):
        v = rnd.choice(valid)
        op = rnd.choice(ops)
        spec = op + v
        if op in ("==", "!=") and rnd.random() < 0.3:
            parts = Version(v).base_version.split(".")
            spec = op + ".".join(parts[: rnd.randint(1, len(parts))]) + ".*"
        if rnd.random() < 0.3:
            spec += "," + rnd.choice(ops) + rnd.choice(valid)
        try:
            ss = SpecifierSet(spec)
            if any(type(s).__name__ == "LegacySpecifier" for s in ss):
                continue  # modern packaging rejects these
        except InvalidSpecifier:
            continue
        for cand in rnd.sample(valid, 20):
            for pre in (0, 1):
                r = ss.contains(cand, prereleases=True if pre else None)
                f.write(f"S\t{spec}\t{cand}\t{pre}\t{int(r)}\n")
