#!/usr/bin/python3
"""Differential cases for src/deps/pep440.c: every version string in the OSV
snapshot (PyPI.zip), judged by packaging 21.3 (vendored in Debian's pip,
which still has LegacyVersion), plus random specifier checks.

usage: gen_pep440_cases.py PyPI.zip OUT
OUT lines:  N raw valid normalised | O a b cmp | S spec version prerelease result
            | M marker result (evaluated for CPython 3.11 on Linux x86_64)
Exit 3 when packaging is not available (the C test then skips)."""
import json
import random
import sys
import zipfile

sys.path.insert(0, "/usr/lib/python3/dist-packages")
try:
    from pip._vendor.packaging.specifiers import InvalidSpecifier, SpecifierSet
    from pip._vendor.packaging.markers import InvalidMarker, Marker
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

    env = {"python_version": "3.11", "python_full_version": "3.11.0", "sys_platform": "linux",
           "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64",
           "implementation_name": "cpython", "platform_python_implementation": "CPython",
           "implementation_version": "3.11.0", "platform_release": "", "platform_version": "", "extra": ""}
    vals = {"python_version": ["2.7", "3.6", "3.8", "3.11", "3.12", "3", "3.11.*", "3.*"],
            "python_full_version": ["3.11.0", "3.10.4", "3.11.1"],
            "sys_platform": ["linux", "win32", "darwin", "linux2"], "platform_system": ["Linux", "Windows"],
            "os_name": ["posix", "nt"], "platform_machine": ["x86_64", "aarch64"],
            "implementation_name": ["cpython", "pypy"], "platform_python_implementation": ["CPython", "PyPy"],
            "implementation_version": ["3.11.0", "3.9"], "platform_release": ["5.4", ""],
            "platform_version": ["#1", ""], "extra": ["test", "dev", ""]}
    mops = ["==", "!=", "<", "<=", ">", ">=", "~=", "in", "not in", "==="]

    def atom():
        var = rnd.choice(list(env))
        op = rnd.choice(mops)
        q = rnd.choice(['"', "'"])
        val = q + rnd.choice(vals[var]) + q
        return f"{var} {op} {val}" if rnd.random() < 0.5 else f"{val} {op} {var}"

    def expr(d=0):
        if d > 2 or rnd.random() < 0.4:
            return atom()
        e = f"{expr(d + 1)} {rnd.choice(['and', 'or'])} {expr(d + 1)}"
        return f"({e})" if rnd.random() < 0.5 else e

    for _ in range(5000):
        m = expr()
        try:
            r = "1" if Marker(m).evaluate(env) else "0"
        except InvalidMarker:
            r = "E"
        except Exception:
            continue  # packaging raises on undefined comparisons
        f.write(f"M\t{m}\t{r}\n")
