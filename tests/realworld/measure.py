#!/usr/bin/env python3
"""Precision / recall of the text detectors on a labelled corpus.

Usage: measure.py TRUTH.json FINDINGS.json CORPUS_DIR [--min-precision P] [--min-recall R]
                  [--no-leak FILE...]

Matches each finding (category secret, pii, code) to an expectation of
gen_text_corpus.py by file, rule and location (notebook: cell, cell_part,
cell_line; other files: line). A finding with the right file and rule but
another location is "misplaced" (counted as both a false positive and a
miss). Prints a per-rule table and the totals; every false positive and
miss is listed. Also checks that the raw-file `line` of each matched finding
holds the expected text, that expected severities and PII counts match, and
that no planted value appears verbatim in any FILE given after --no-leak.
Exit status 1 when a threshold, a location, or the no-leak check fails.
"""
import collections
import json
import sys


def load_findings(path):
    raw = open(path).read()
    doc, _ = json.JSONDecoder().raw_decode(raw)
    return [f for f in doc["findings"] if f["category"] in ("secret", "pii", "code")]


def texts_of(nb, cell, part):
    """The texts a finding in (cell, part) can point into, as lists of lines."""
    cells = nb.get("cells")
    if cells is None:  # nbformat 3: worksheets, "input", MIME data at the top of an output
        cells = [c for w in nb.get("worksheets", []) for c in w.get("cells", [])]
    try:
        c = cells[cell]
    except (IndexError, KeyError, TypeError):
        return []
    def j(v):
        return "".join(v) if isinstance(v, list) else (v or "")
    if part == "source":
        return [j(c.get("source", c.get("input"))).split("\n")]
    out = []
    for o in c.get("outputs", []):
        if "traceback" in o:
            out.append("\n".join(o["traceback"]).split("\n"))
        for k, v in list(o.items()) + list((o.get("data") or {}).items()):
            if k not in ("traceback", "data", "output_type", "name", "stream", "metadata") and \
                    isinstance(v, (str, list)):
                out.append(j(v).split("\n"))
    return out


def column_ok(corpus, e, f, cache):
    """The finding's column points at the start of the expected text."""
    loc = f["location"]
    col = loc.get("column")
    if not col:
        return True
    path = "%s/%s" % (corpus, e["file"])
    if e["file"].endswith(".ipynb"):
        if path not in cache:
            cache[path] = json.load(open(path, encoding="utf-8"))
        cands = texts_of(cache[path], loc.get("cell"), loc.get("cell_part"))
        ln = loc.get("cell_line")
    else:
        if path not in cache:
            cache[path] = open(path, encoding="utf-8").read().split("\n")
        cands = [cache[path]]
        ln = loc.get("line")
    for lines in cands:
        if ln and ln <= len(lines) and lines[ln - 1][col - 1:].startswith(e["probe"]):
            return True
    return False


def loc_key(e_loc, f_loc):
    if "cell" in e_loc:
        return all(f_loc.get(k) == e_loc[k] for k in ("cell", "cell_part", "cell_line"))
    return f_loc.get("line") == e_loc["line"]


def main():
    args = sys.argv[1:]
    truth_p, find_p, corpus = args[:3]
    min_p = min_r = 0.0
    leak_files = []
    i = 3
    while i < len(args):
        if args[i] == "--min-precision":
            min_p = float(args[i + 1]); i += 2
        elif args[i] == "--min-recall":
            min_r = float(args[i + 1]); i += 2
        elif args[i] == "--no-leak":
            leak_files = args[i + 1:]; break
        else:
            sys.exit("unknown argument " + args[i])
    truth = json.load(open(truth_p))
    expect = truth["expect"]
    findings = load_findings(find_p)
    used = [False] * len(findings)
    stats = collections.defaultdict(lambda: collections.Counter())
    problems = []
    misses = []
    cache = {}
    for e in expect:
        hit = None
        for j, f in enumerate(findings):
            if not used[j] and f["artifact"] == e["file"] and f["rule_id"] == e["rule"] and loc_key(e["loc"], f["location"]):
                hit = j
                break
        if hit is None:
            misses.append(e)
            stats[e["rule"]]["fn"] += 1
            continue
        used[hit] = True
        f = findings[hit]
        stats[e["rule"]]["tp"] += 1
        if e.get("severity") and f["severity"] != e["severity"]:
            problems.append("severity %s != %s: %s %s %s" % (f["severity"], e["severity"], e["rule"], e["file"], e["loc"]))
        if e.get("count") is not None:
            got = (f.get("properties") or {}).get("count")
            if got != e["count"]:
                problems.append("count %s != %s: %s %s %s" % (got, e["count"], e["rule"], e["file"], e["loc"]))
        # the raw line must hold the expected text (JSON-escaped in a notebook)
        line = f["location"].get("line")
        try:
            raw = open("%s/%s" % (corpus, e["file"]), encoding="utf-8").read().split("\n")
            text = raw[line - 1] if line else ""
        except (OSError, IndexError):
            text = ""
        probe = json.dumps(e["probe"])[1:-1] if e["file"].endswith(".ipynb") else e["probe"]
        if probe not in text and e["probe"] not in text:
            problems.append("raw line %s does not hold %r: %s %s %s" % (line, e["probe"], e["rule"], e["file"], e["loc"]))
        if e.get("col", True) and not column_ok(corpus, e, f, cache):
            problems.append("column %s does not point at %r: %s %s %s" % (f["location"].get("column"), e["probe"],
                                                                         e["rule"], e["file"], e["loc"]))
    fps = []
    for j, f in enumerate(findings):
        if not used[j]:
            fps.append(f)
            stats[f["rule_id"]]["fp"] += 1
    # misplaced: a miss and a false positive of the same rule and file
    misplaced = 0
    for e in misses:
        for f in fps:
            if f["artifact"] == e["file"] and f["rule_id"] == e["rule"]:
                misplaced += 1
                problems.append("misplaced? %s %s expected %s got %s" % (e["rule"], e["file"], e["loc"], f["location"]))
                break
    print("%-14s %4s %4s %4s %9s %7s" % ("rule", "tp", "fp", "fn", "precision", "recall"))
    tot = collections.Counter()
    for rule in sorted(stats):
        s = stats[rule]
        tot.update(s)
        p = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 1.0
        r = s["tp"] / (s["tp"] + s["fn"]) if s["tp"] + s["fn"] else 1.0
        print("%-14s %4d %4d %4d %9.3f %7.3f" % (rule, s["tp"], s["fp"], s["fn"], p, r))
    for cat in ("SECRET", "PII", "CODE"):
        c = collections.Counter()
        for rule, s in stats.items():
            if "-%s-" % cat in rule:
                c.update(s)
        if c:
            p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
            r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
            print("%-14s %4d %4d %4d %9.3f %7.3f" % ("all " + cat.lower(), c["tp"], c["fp"], c["fn"], p, r))
    P = tot["tp"] / (tot["tp"] + tot["fp"]) if tot["tp"] + tot["fp"] else 1.0
    Rc = tot["tp"] / (tot["tp"] + tot["fn"]) if tot["tp"] + tot["fn"] else 1.0
    print("%-14s %4d %4d %4d %9.3f %7.3f" % ("TOTAL", tot["tp"], tot["fp"], tot["fn"], P, Rc))
    for f in fps:
        print("FP  %s %s %s %s %s | %s" % (f["rule_id"], f["severity"], f["artifact"], json.dumps(f["location"]),
                                            f.get("evidence"), f["message"]))
    for e in misses:
        print("FN  %s %s %s %s (%s)" % (e["rule"], e["file"], json.dumps(e["loc"]), e["probe"][:12], e["kind"]))
    leaks = 0
    for lf in leak_files:
        data = open(lf, encoding="utf-8", errors="replace").read()
        for v in truth["values"]:
            if len(v) >= 8 and v in data:
                leaks += 1
                print("LEAK %s prints a planted value %s..." % (lf, v[:4]))
    for p in problems:
        print("PROBLEM", p)
    fail = P < min_p or Rc < min_r or leaks or problems
    print("precision %.3f (min %.2f) recall %.3f (min %.2f) leaks %d problems %d" % (P, min_p, Rc, min_r, leaks, len(problems)))
    sys.exit(1 if fail else 0)


if __name__ == "__main__":
    main()
