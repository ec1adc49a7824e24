#!/usr/bin/python3
"""Differential test: Watchtower's OSV verdicts against an independent
implementation (Debian's python3-packaging + OSV's ECOSYSTEM range rules).

Reads an OSV PyPI bulk export (all.zip), builds for every package a sample of
versions (every `versions[]` entry, every range event and its neighbours:
previous/next release, .post1, rc1, .dev0, +cpu local builds, epochs,
zero-padded and alternative spellings), computes the advisories each
(package, version) pin must match, writes them as `Name==version` lines
(PEP 503 spelling variants of the names), plus for every package about 14
specifiers that are not pins (see range_expect() for their documented
semantics), scans them with the CLI (`--format json`) and compares advisory
by advisory (and, for ranges, affected vs possibly affected).

Expected semantics (https://ossf.github.io/osv-schema/#evaluation):
  * withdrawn records never match;
  * per affected[] entry of a PyPI package (names compared after PEP 503
    normalisation), the version is affected if it is listed in `versions`
    (PEP 440 equality for valid versions, the local label ignored as `==V`
    does; exact string for entries that are not PEP 440) or if an ECOSYSTEM
    range says so (for a local version 1.2+cpu: for it or for 1.2): events sorted by version ("0" first, non-PEP 440 strings
    before every valid version, as packaging's LegacyVersion orders them;
    at equal versions in the order written, as osv.dev's stable sort
    leaves them: `fixed: 3.1.1` then `introduced: 3.1.1` makes 3.1.1
    affected, the reverse does not), then for each event in order:
    introduced (v >= x) -> affected, fixed/limit (v >= x) -> not,
    last_affected (v > x) -> not;
  * records that are the same vulnerability may be merged by the scanner
    into one entry: every expected id must appear as an entry id or in an
    entry's aliases, every entry id must be expected, and an alias that is a
    record id but not expected must be one of the entry record's own aliases.

Usage: osv_differential.py [--bin WT_BIN] [--zip PyPI.zip] [--max-lines N]
       [--keep DIR]
Exit 0 when everything agrees, 1 on disagreements (listed), 77 (skip) when
the zip or python3-packaging is missing.
"""
import argparse
import bisect
import heapq
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib

try:
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version
except ImportError:  # pragma: no cover
    print("SKIP: python3-packaging is not installed")
    sys.exit(77)


# ------------------------------------------------------------ version order

_LEGACY_RE = re.compile(r"(\d+ | [a-z]+ | \.| -)", re.VERBOSE)
_LEGACY_MAP = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}


def _legacy_key(s):
    """packaging<22's LegacyVersion key (what OSV's PyPI ordering uses)."""
    parts = []
    for part in _LEGACY_RE.split(s.lower()):
        part = _LEGACY_MAP.get(part, part)
        if not part or part == ".":
            continue
        if part[:1] in "0123456789":
            part = part.zfill(8)
        else:
            part = "*" + part
        if part.startswith("*"):
            if part < "*final":
                while parts and parts[-1] == "*final-":
                    parts.pop()
            while parts and parts[-1] == "00000000":
                parts.pop()
        parts.append(part)
    parts.append("*final")
    return tuple(parts)


class V:
    """A version: PEP 440 when valid, else legacy (sorts before all valid)."""

    __slots__ = ("text", "ver", "legacy")

    def __init__(self, text, ver=None):
        self.text = text
        if ver is not None:
            self.ver, self.legacy = ver, None
            return
        try:
            self.ver = Version(text)
            self.legacy = None
        except InvalidVersion:
            self.ver = None
            self.legacy = _legacy_key(text.strip())

    @property
    def valid(self):
        return self.ver is not None

    def cmp(self, other):
        if self.valid and other.valid:
            return (self.ver > other.ver) - (self.ver < other.ver)
        if not self.valid and not other.valid:
            return (self.legacy > other.legacy) - (self.legacy < other.legacy)
        return 1 if self.valid else -1


def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


# ------------------------------------------------------------ OSV semantics

class Affected:
    def __init__(self, rid, aliases, entry):
        self.id = rid
        self.aliases = aliases
        self.ranges = []
        for r in entry.get("ranges") or []:
            if r.get("type") != "ECOSYSTEM":
                continue
            evs = []
            for order, ev in enumerate(r.get("events") or []):
                for kind in ("introduced", "fixed", "last_affected", "limit"):
                    if kind in ev and isinstance(ev[kind], str):
                        evs.append((kind, ev[kind], order))
            self.ranges.append(self._sort(evs))
        self.versions = [v for v in (entry.get("versions") or []) if isinstance(v, str)]
        self.valid_versions = []
        self.legacy_versions = set()
        for s in self.versions:
            v = V(s)
            if v.valid:
                self.valid_versions.append(v.ver)
            else:
                self.legacy_versions.add(s.strip().lower())
        self.valid_set = set(self.valid_versions)

    @staticmethod
    def _sort(evs):
        import functools

        def key_cmp(a, b):
            za = a[0] == "introduced" and a[1] == "0"
            zb = b[0] == "introduced" and b[1] == "0"
            if za or zb:
                return 0 if za and zb else (-1 if za else 1)
            c = V(a[1]).cmp(V(b[1]))
            if c:
                return c
            return a[2] - b[2]   # equal versions: as written (a stable sort)

        return [(k, s, None if (k == "introduced" and s == "0") else V(s))
                for k, s, _ in sorted(evs, key=functools.cmp_to_key(key_cmp))]

    def in_ranges(self, v):
        for evs in self.ranges:
            affected = False
            for kind, _, ev in evs:
                c = 1 if ev is None else v.cmp(ev)
                if kind == "introduced":
                    if c >= 0:
                        affected = True
                elif kind in ("fixed", "limit"):
                    if c >= 0:
                        affected = False
                elif kind == "last_affected":
                    if c > 0:
                        affected = False
            if affected:
                return True
        return False

    def in_versions(self, v):
        if v.valid:
            if v.ver in self.valid_set:
                return True
            if v.ver.local is not None and Version(v.ver.public) in self.valid_set:
                return True
            return False
        return v.text.strip().lower() in self.legacy_versions

    def affects(self, v):
        if self.in_versions(v) or self.in_ranges(v):
            return True
        # a local build (1.2+cpu) is its release's code: affected when the
        # release is (e.g. up to `last_affected: 1.2`, which 1.2+cpu is above)
        return v.valid and v.ver.local is not None and self.in_ranges(V(v.ver.public))


def load(zip_path):
    pkgs = {}        # pep503 -> list of Affected
    names = {}       # pep503 -> a spelling used by the data
    withdrawn = set()
    wd_affected = {}  # pep503 -> withdrawn records' entries (versions to try)
    record_aliases = {}
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            if not info.filename.endswith(".json"):
                continue
            rec = json.loads(z.read(info))
            rid = rec["id"]
            if rec.get("withdrawn"):
                withdrawn.add(rid)
                for entry in rec.get("affected") or []:
                    pkg = entry.get("package") or {}
                    if pkg.get("ecosystem") == "PyPI" and pkg.get("name"):
                        n = pep503(pkg["name"])
                        names.setdefault(n, pkg["name"])
                        wd_affected.setdefault(n, []).append(Affected(rid, [], entry))
                continue
            aliases = [a for a in rec.get("aliases") or [] if isinstance(a, str)]
            record_aliases[rid] = set(aliases)
            for entry in rec.get("affected") or []:
                pkg = entry.get("package") or {}
                if pkg.get("ecosystem") != "PyPI" or not pkg.get("name"):
                    continue
                n = pep503(pkg["name"])
                names.setdefault(n, pkg["name"])
                pkgs.setdefault(n, []).append(Affected(rid, aliases, entry))
    for n in wd_affected:
        pkgs.setdefault(n, [])
    return pkgs, names, withdrawn, record_aliases, wd_affected


def write_twins_zip(src, dst):
    """The live export carries a GHSA record next to most PYSEC ones (the
    snapshot has only PYSEC): add one per PYSEC record that names a GHSA
    alias, as GitHub writes them: its own id, the CVE aliases only (not the
    PYSEC id), ranges but no versions list, one affected entry per range
    (introduced..fixed), the package name with `_` for `-`. Returns
    {pysec id: ghsa id}."""
    twins = {}
    written = set()
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        names = set(z.namelist())
        for info in z.infolist():
            data = z.read(info)
            out.writestr(info.filename, data)
            if not info.filename.endswith(".json"):
                continue
            rec = json.loads(data)
            ghsa = [a for a in rec.get("aliases") or [] if isinstance(a, str) and a.startswith("GHSA-")]
            if not ghsa or rec.get("withdrawn"):
                continue
            twin = {"id": ghsa[0], "modified": rec.get("modified", "2024-01-01T00:00:00Z"),
                    "aliases": [a for a in rec.get("aliases") or [] if isinstance(a, str) and a.startswith("CVE-")],
                    "summary": "GitHub advisory for " + rec["id"],
                    "database_specific": {"severity": "MODERATE"},
                    "affected": []}
            for entry in rec.get("affected") or []:
                pkg = dict(entry.get("package") or {})
                if isinstance(pkg.get("name"), str):
                    pkg["name"] = pkg["name"].replace("-", "_")
                # one affected entry per vulnerable range, as GitHub writes
                # them: the events cut before each `introduced`
                for r in entry.get("ranges") or []:
                    chunks = []
                    for ev in r.get("events") or []:
                        if "introduced" in ev or not chunks:
                            chunks.append([])
                        chunks[-1].append(ev)
                    for c in chunks:
                        twin["affected"].append({"package": pkg, "ranges": [dict(r, events=c)]})
            if ghsa[0] in written or ghsa[0] + ".json" in names:
                continue   # two PYSEC records name one GHSA id (real data has that)
            written.add(ghsa[0])
            out.writestr(ghsa[0] + ".json", json.dumps(twin))
            twins[rec["id"]] = ghsa[0]
    return twins


# ------------------------------------------------------------ sampling

def neighbours(s):
    """Versions next to s that exercise the comparison rules."""
    out = {s}
    try:
        v = Version(s)
    except InvalidVersion:
        return out
    rel = list(v.release)
    base = ".".join(map(str, rel))
    pub = str(v.public) if v.local is None else str(Version(v.public))
    out.update({
        pub + "+cpu", pub + "+cu117.x1",
    })
    if v.dev is None and v.post is None:
        out.add(pub + ".post1")
        out.add(pub + ".dev0")
    if v.pre is None and v.dev is None and v.post is None:
        out.add(base + "rc1")
        out.add(base + "a0")
        out.add(base + ".0")          # zero padding: 1.2 vs 1.2.0
        if len(rel) > 1 and rel[-1] == 0:
            out.add(".".join(map(str, rel[:-1])))
        out.add(".".join(map(str, rel[:-1] + [rel[-1] + 1])))
        if rel[-1] > 0:
            out.add(".".join(map(str, rel[:-1] + [rel[-1] - 1])))
            out.add(".".join(map(str, rel[:-1] + [rel[-1] - 1])) + ".999")
        out.add("1!" + base)          # an epoch beats every release
        out.add("v" + base)           # spelling variants of the same version
        out.add(base + "-1")          # -N is .postN
        out.add(base + "-RC1")
    return out


def name_variant(name, i):
    """PEP 503 spelling variants: Foo_Bar == foo-bar == foo.bar."""
    k = i % 4
    if k == 0:
        return name
    if k == 1:
        return name.upper().replace("-", "_")
    if k == 2:
        return name.replace("-", ".").replace("_", ".").title()
    return re.sub(r"[-_.]", "-_", name).lower()   # runs of separators


# ------------------------------------------------------------ ranges (not pins)

def universe(affs):
    """Every valid version the data names for a package (what the scanner
    takes as the known releases)."""
    u = set()
    for a in affs:
        for s in a.versions:
            v = V(s)
            if v.valid:
                u.add(v.ver)
        for evs in a.ranges:
            for _, s, ev in evs:
                if ev is not None and ev.valid:
                    u.add(ev.ver)
    return sorted(u)


_UNIV = {}
_UNIV_ONLY = {}


def _universe_of(affs):
    key = id(affs)
    if key not in _UNIV_ONLY:
        _UNIV_ONLY[key] = universe(affs)
    return _UNIV_ONLY[key]


def range_expect(affs, spec):
    """Documented semantics for a specifier that is not a pin: the versions
    it allows among the known ones (pre-releases only when named or when
    nothing else matches); an advisory is "affected" when
    it affects the newest allowed version, "possibly-affected" when it
    affects only older ones; when nothing is allowed, only ranges that never
    close (introduced 0 and nothing else) apply."""
    key = id(affs)
    if key not in _UNIV:
        u = universe(affs)
        vs = [(ver, V(str(ver), ver)) for ver in u]
        _UNIV[key] = (u, {ver: {a.id for a in affs if a.affects(v)} for ver, v in vs})
    u, hits = _UNIV[key]
    ss = SpecifierSet(spec)
    allowed = [v for v in u if ss.contains(v, prereleases=True)]
    # PEP 440: pre-releases only when a clause names one (packaging's rule:
    # ==, >=, <=, ~=, === with a pre-release) or when no final release
    # qualifies. packaging 23's SpecifierSet.filter() drops that fallback for
    # non-empty sets (it passes prereleases=False down), so it is done here.
    if not ss.prereleases and any(not v.is_prerelease for v in allowed):
        allowed = [v for v in allowed if not v.is_prerelease]
    exp = {}
    if not allowed:
        for a in affs:
            if any(evs and all(k == "introduced" and s == "0" for k, s, _ in evs) for evs in a.ranges):
                exp[a.id] = "affected"
        return exp
    newest = max(allowed)
    for ver in allowed:
        for rid in hits[ver]:
            exp.setdefault(rid, "possibly-affected")
    for rid in hits[newest]:
        exp[rid] = "affected"
    return exp


def range_specs(n, affs, seed, count):
    """Specifiers that are not pins, around the package's range boundaries."""
    bounds = set()
    for a in affs:
        for evs in a.ranges:
            for _, s, ev in evs:
                if ev is not None and ev.valid and ev.ver.local is None:
                    bounds.add(ev.ver)
    bounds = sorted(bounds)
    specs = ["", ">99999"]
    pick = sorted(range(len(bounds)), key=lambda i: zlib.crc32(("%d %s %d" % (seed, n, i)).encode()))
    for i in pick:
        b = bounds[i]
        nxt = bounds[i + 1] if i + 1 < len(bounds) else None
        specs += [">=%s" % b, "<%s" % b, "<=%s" % b, ">%s" % b, "!=%s" % b]
        if nxt is not None:
            specs.append(">=%s,<%s" % (b, nxt))
            specs.append(">%s, <=%s" % (b, nxt))
        if len(b.release) >= 2:
            specs.append("~=%s" % b)
            specs.append("==%s.*" % ".".join(map(str, b.release[:2])))
        if len(specs) >= count:
            break
    return specs[:count]


# ------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("WT_BIN"))
    ap.add_argument("--zip", default=os.path.join(os.environ.get("WT_SHARED", "/work/shared"), "data/osv/PyPI.zip"))
    ap.add_argument("--ghsa-twins", action="store_true",
                    help="add a GHSA record next to each PYSEC one (as the live export has) and check they merge")
    ap.add_argument("--keep", help="keep the generated project and scan output in DIR")
    ap.add_argument("--max-per-file", type=int, default=4000)
    ap.add_argument("--full", action="store_true", help="every sampled pair (about 420,000 on the 2024 snapshot; minutes)")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("WT_OSVDIFF_SEED", "1")))
    ap.add_argument("--min-per-pkg", type=int, default=24, help="pairs kept per package at least")
    ap.add_argument("--max-per-pkg", type=int, default=80, help="pairs kept per package at most")
    ap.add_argument("--ranges-per-pkg", type=int, default=8, help="version ranges (not pins) per package")
    ap.add_argument("--match-budget", type=int, default=1000, help="about this many (pair, advisory) matches per package")
    args = ap.parse_args()
    if not args.bin:
        print("FAIL: no --bin / WT_BIN")
        return 1
    if not os.path.exists(args.zip):
        print("SKIP: %s not found" % args.zip)
        return 77

    t_start = time.time()
    tmp = tempfile.mkdtemp(prefix="wt-osvdiff-")
    twins = {}
    if args.ghsa_twins:
        zpath = os.path.join(tmp, "PyPI-twins.zip")
        twins = write_twins_zip(args.zip, zpath)
        args.zip = zpath
    pkgs, names, withdrawn, record_aliases, wd_affected = load(args.zip)

    # ties: same version both opens and closes in one range (documented order)
    ties = 0
    for affs in pkgs.values():
        for a in affs:
            for evs in a.ranges:
                seen = {}
                for kind, s, ev in evs:
                    if ev is None:
                        continue
                    key = str(ev.ver) if ev.valid else s
                    seen.setdefault(key, set()).add(kind == "introduced")
                ties += sum(1 for k in seen.values() if len(k) == 2)

    lines = []   # (pep503, name as written, op, version or specifier, {id: status})
    nranges = 0
    for n in sorted(pkgs):
        affs = pkgs[n]
        events, listed = set(), set()
        for a in affs + wd_affected.get(n, []):
            listed.update(a.versions)
            for evs in a.ranges:
                for kind, s, _ in evs:
                    if s != "0":
                        events.add(s)
        sample = set()
        for t in events | listed:
            sample.update(neighbours(t))
        sample = {t for t in sample if not any(c in t for c in " ;#\\,")}
        if not args.full:
            # a deterministic (seeded) share: range boundaries first, then
            # listed versions and neighbours, so that the pairs times the
            # advisories they match stay bounded per package
            budget = min(args.max_per_pkg, max(args.min_per_pkg, args.match_budget // max(1, len(affs))))
            order = sorted(sample, key=lambda t: (t not in events,
                                                  zlib.crc32(("%d %s %s" % (args.seed, n, t)).encode())))
            sample = set(order[:budget])
        for i, t in enumerate(sorted(sample)):
            v = V(t)
            exp = {a.id: "affected" for a in affs if a.affects(v)}
            op = "==" if v.valid else "==="
            lines.append((n, name_variant(names[n], i), op, t, exp))
        for i, spec in enumerate(range_specs(n, affs, args.seed, args.ranges_per_pkg)):
            lines.append((n, name_variant(names[n], i + 1), "", spec, range_expect(affs, spec)))
            nranges += 1

    try:
        proj = os.path.join(tmp, "proj")
        where = {}   # (relative file, line) -> index into lines
        fileno = 0
        by_pkg = {}
        for idx, l in enumerate(lines):
            by_pkg.setdefault(l[0], []).append(idx)
        # one folder per package (a few thousand lines at most per file)
        for n, idxs in sorted(by_pkg.items()):
            for start in range(0, len(idxs), args.max_per_file):
                fileno += 1
                rel = "p%04d/requirements.txt" % fileno
                os.makedirs(os.path.join(proj, os.path.dirname(rel)))
                with open(os.path.join(proj, rel), "w") as f:
                    f.write("# generated: %s\n" % n)
                    for ln, idx in enumerate(idxs[start:start + args.max_per_file], start=2):
                        _, name, op, t, _ = lines[idx]
                        f.write("%s%s%s\n" % (name, op, t))
                        where[(rel, ln)] = idx
        db = os.path.join(tmp, "osv.sqlite")
        out = os.path.join(tmp, "scan.json")
        cmd = [args.bin, "scan", proj, "--osv-db", db, "--osv-db-from", args.zip, "--format", "json",
               "-o", out, "--no-reports", "--fail-on", "none", "-q", "-j", "2"]
        t_scan = time.time()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        t_scan = time.time() - t_scan
        if p.returncode != 0:
            print("FAIL: scan exited %d: %s" % (p.returncode, p.stderr[-2000:]))
            return 1
        with open(out) as f:
            doc = json.load(f)
        findings = doc["findings"] if isinstance(doc, dict) else doc

        got = {}   # idx -> list of (id, aliases, status)
        rules = {}
        counts = {}
        fixed = {}   # idx -> list of (id, aliases, "fixed" as reported)
        fixed_versions = {}
        problems = []
        for fd in findings:
            rule = fd.get("rule_id", "")
            loc = fd.get("location") or {}
            rel = fd.get("file") or ""
            line = loc.get("line")
            idx = where.get((rel, line))
            if rule not in ("WT-DEP-001", "WT-DEP-002", "WT-DEP-003"):
                pin = idx is not None and lines[idx][2] != ""
                if rule.startswith("WT-DEP-") and rule != "WT-DEP-005" and (pin or rule != "WT-DEP-004"):
                    problems.append("unexpected %s at %s:%s: %s" % (rule, rel, line, fd.get("message")))
                continue
            if idx is None:
                problems.append("finding at an unknown place %s:%s (%s)" % (rel, line, fd.get("message")))
                continue
            props = fd.get("props") or fd.get("properties") or {}
            rules.setdefault(idx, []).append(rule)
            counts[idx] = props.get("advisory_count")
            fixed_versions[idx] = props.get("fixed_version")
            got.setdefault(idx, []).extend((a["id"], set(a.get("aliases") or []), a.get("status"))
                                           for a in props.get("advisories") or [])
            fixed.setdefault(idx, []).extend((a["id"], set(a.get("aliases") or []), a.get("fixed"))
                                             for a in props.get("advisories") or [])

        disagreements = []
        rank = {"possibly-affected": 1, "affected": 2}
        for idx, (n, name, op, t, exp) in enumerate(lines):
            entries = got.get(idx, [])
            ids = {e[0] for e in entries}
            covered = set(ids)
            for _, al, _ in entries:
                covered |= al
            extra = sorted(ids - set(exp))
            missing = sorted(set(exp) - covered)
            # an alias that is another record's id: that record affects the
            # version too (merged), or a merged record names it
            bad_alias = []
            for e_id, al, _ in entries:
                named = set()
                for g in [e_id] + [x for x in al if x in exp]:
                    named |= record_aliases.get(g, set())
                bad_alias += sorted(x for x in al if x in record_aliases and x not in exp and x not in named)
            wd = sorted((covered & withdrawn) - set().union(*(record_aliases.get(i, set()) for i in ids)))
            status = []
            for e_id, al, st in entries:
                group = [x for x in [e_id] + sorted(al) if x in exp]
                want = max((exp[x] for x in group), key=lambda x: rank[x], default=None)
                if want and want != st:
                    status.append("%s: %s, expected %s" % (e_id, st, want))
            # "fixed" of a pin's entry: for each record in the entry, the
            # lowest fixed event above the version that the record does not
            # affect; the highest of those (a merged entry is fixed when all
            # its records are)
            if op and V(t).valid:
                v = V(t)
                byid = {}
                for a in pkgs[n]:
                    byid.setdefault(a.id, []).append(a)
                # fixed_version: the lowest version above the pin (fixed
                # events of the matched records, known versions; final
                # releases unless the pin is a pre-release) that no matched
                # record affects
                recs = [a for a in pkgs[n] if a.id in exp]
                u = _universe_of(pkgs[n])
                fevs = sorted({ev.ver for a in recs for evs in a.ranges for kind, _, ev in evs
                               if kind == "fixed" and ev is not None and ev.valid and ev.ver > v.ver})
                want_fv = None
                for c in heapq.merge(u[bisect.bisect_right(u, v.ver):], fevs) if exp else []:
                    if c <= v.ver or (c.is_prerelease and not v.ver.is_prerelease):
                        continue
                    if not any(a.affects(V(str(c), c)) for a in recs):
                        want_fv = c
                        break
                fv = fixed_versions.get(idx)
                if exp and ((want_fv is None) != (fv is None) or (fv is not None and Version(fv) != want_fv)):
                    status.append("fixed_version %s, expected %s" % (fv, want_fv))
                for e_id, al, fx in fixed.get(idx, []):
                    best = None
                    for g in [e_id] + sorted(x for x in al if x in exp):
                        fa = None
                        for a in byid.get(g, []):
                            for evs in a.ranges:
                                for kind, _, ev in evs:
                                    if (kind == "fixed" and ev is not None and ev.valid and ev.ver > v.ver
                                            and (fa is None or ev.ver < fa)
                                            and not any(b.affects(ev) for b in byid[g])):
                                        fa = ev.ver
                        if fa is not None and (best is None or fa > best):
                            best = fa
                    if (best is None) != (fx is None) or (best is not None and Version(fx) != best):
                        status.append("%s fixed %s, expected %s" % (e_id, fx, best))
            r = rules.get(idx, [])
            want_rule = (["WT-DEP-001", "WT-DEP-003"] if "affected" in exp.values()
                         else ["WT-DEP-002"] if exp else [])
            bad_rule = len(r) > 1 or (r and r[0] not in want_rule)
            # one entry per vulnerability: a PYSEC record and its GHSA twin
            # are one entry, and advisory_count counts entries
            split = []
            for pysec, ghsa in twins.items():
                if pysec in exp and ghsa in exp:
                    if not any({pysec, ghsa} <= ({e_id} | al) for e_id, al, _ in entries):
                        split.append(pysec)
            if len(ids) != len(entries):
                split.append("the same id in two entries")
            if entries and counts.get(idx) != len(entries):
                split.append("advisory_count %s for %d entries" % (counts.get(idx), len(entries)))
            if extra or missing or bad_alias or wd or status or bad_rule or split:
                disagreements.append("%s%s%s: extra %s missing %s merged-unaffected %s withdrawn %s "
                                     "status %s rule %s not merged %s" % (name, op, t, extra, missing, bad_alias, wd, status, r,
                                                          split))

        npairs = len(lines) - nranges
        naff = sum(1 for l in lines if l[4] and l[2])
        nexp = sum(len(l[4]) for l in lines if l[2])
        if twins:
            print("GHSA twins added: %d" % len(twins))
        print("scan: %.1f s (import and %d lines), total %.1f s" % (t_scan, len(lines), time.time() - t_start))
        print("osv differential: %d packages, %d (package, version) pins (%d affected, %d expected "
              "(pin, advisory) matches), %d version ranges (%d with advisories), %d same-version "
              "introduced/fixed ties in ranges" % (
                  len(pkgs), npairs, naff, nexp, nranges, sum(1 for l in lines if l[4] and not l[2]), ties))
        for x in problems[:50]:
            print("PROBLEM:", x)
        for x in disagreements[:100]:
            print("DISAGREE:", x)
        if problems or disagreements:
            print("FAIL: %d disagreements, %d other problems" % (len(disagreements), len(problems)))
            return 1
        print("ok: scanner and packaging agree on every pair")
        return 0
    finally:
        if args.keep:
            if os.path.exists(args.keep):
                shutil.rmtree(args.keep)
            shutil.copytree(tmp, args.keep)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
