#!/usr/bin/env python3
"""Differential check of `exposure analyze --format json --all` against the
exact reference implementation (reference.py) on random graphs (gen.py).

    python3 crosscheck.py --binary PATH --count N [--seed S] [--shrink] [--quiet]
        [--no-segments] [--no-fixed]
    python3 crosscheck.py --explain-upper --binary PATH --count N [--seed S]
        [--top K] [--per-graph P] [--no-segments] [--quiet]
    (--explain-lower: the same for plain `explain`)
    python3 crosscheck.py --portfolio|--whatif|--timeline --binary PATH --count N [--seed S]

First runs about 40 hand-made cases (the spec's worked examples and their
variants, near-1 cycles, affiliates, dates, segments; --no-fixed skips them), then for
each random case (seed S, S+1, ...): generate a graph and options, run
`PATH analyze -g FILE --format json --all <options>` and the reference, and
compare every field: numbers to 1e-9 absolute (revenue amounts to 1e-9 times
max(1, |revenue|), i.e. 1e-9 on the exposure), nulls, booleans, reach, the
restricted list (ids and via, R first then the possibly restricted), and the
row order (rows whose total and upper tie to 1e-9 may come in any order).
Each failing graph is saved to /tmp/exposure-oracle-fail-SEED.json with the
command line in /tmp/exposure-oracle-fail-SEED.cmd; --shrink also writes a
reduced graph that still fails (…-SEED-min.json).  Ends with `N passed, M
failed`; exit status 1 if any failed.

--explain-upper: for the hand-made graphs and N random small graphs (3..8
entities; even seeds acyclic, odd seeds as they come, with segments and random
options but no --max-depth), explains up to P entities with X > 1e-9 with
`PATH explain ID -g FILE --upper --format json --top K <options>` and compares
total and upper (1e-9), the paths of weight > 1e-9 (ids, weight to 1e-9,
complete, each edge's lo and t to 1e-9; when `more` is true, the listed ones
must be the heaviest), their order, and on graphs where every walk is a simple
path (e.g. acyclic ones) that the listed weights add up to X.  --explain-lower
does the same for `explain ID` (lo only, with --max-depth among the options).

--portfolio, --whatif (random scenario files, their changes applied by
scenarios.py) and --timeline (every entity, date by date): see README.md.
"""

import argparse
import csv
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402
import gen  # noqa: E402
import scenarios  # noqa: E402

TOL = 1e-9
FRACTION_FIELDS = ["direct", "indirect", "total", "upper"]
MONEY_FIELDS = ["revenue_at_risk", "revenue_at_risk_upper"]


def find_binary():
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    for p in ("target/release/exposure", "target/debug/exposure"):
        q = os.path.join(root, p)
        if os.path.exists(q):
            return q
    return None


def run_json(cmd, timeout=20):
    """Runs `cmd`; (cmd, its JSON output, None) or (cmd, None, what went wrong)."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return cmd, None, "timeout"
    if p.returncode != 0:
        return cmd, None, f"exit status {p.returncode}; stderr: {p.stderr.strip()[:2000]}"
    try:
        return cmd, json.loads(p.stdout), None
    except json.JSONDecodeError as e:
        return cmd, None, f"stdout is not JSON ({e}): {p.stdout[:500]!r}"


def run_binary(binary, path, opts, timeout=20):
    cmd = [binary, "analyze", "-g", path, "--format", "json", "--all"] + ref.options_to_args(opts)
    return run_json(cmd, timeout)


def isnum(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def cmp_num(diffs, where, exp, act, tol):
    if exp is None or act is None:
        if exp is not act and not (exp is None and act is None):
            diffs.append(f"{where}: expected {exp!r}, got {act!r}")
        return
    if not isnum(act):
        diffs.append(f"{where}: expected number {exp!r}, got {act!r}")
        return
    if abs(exp - act) > tol:
        diffs.append(f"{where}: expected {exp!r}, got {act!r} (diff {act - exp:.3g})")


def compare(exp, act):
    """Returns (diffs, notes): diffs are failures, notes are remarks."""
    diffs, notes = [], []
    if not isinstance(act, dict):
        return [f"output is not an object: {act!r}"], notes
    for k in ("as_of", "affiliates_threshold", "max_depth", "restricted", "entities"):
        if k not in act:
            diffs.append(f"missing top-level field {k!r}")
    if diffs:
        return diffs, notes
    if exp["as_of"] != act["as_of"]:
        diffs.append(f"as_of: expected {exp['as_of']!r}, got {act['as_of']!r}")
    cmp_num(diffs, "affiliates_threshold", exp["affiliates_threshold"], act["affiliates_threshold"], TOL)
    if exp["max_depth"] != act["max_depth"] or isinstance(act["max_depth"], bool):
        diffs.append(f"max_depth: expected {exp['max_depth']!r}, got {act['max_depth']!r}")

    # restricted: R (listing/affiliate) then R+ \ R (possible_affiliate)
    ar = act["restricted"]
    try:
        pairs = [(r["id"], r["via"]) for r in ar]
    except (TypeError, KeyError) as e:
        diffs.append(f"restricted: malformed entries ({e}): {ar!r}")
        pairs = []
    else:
        ep = [(r["id"], r["via"]) for r in exp["restricted"]]
        e_r = {p for p in ep if p[1] != "possible_affiliate"}
        e_p = {p for p in ep if p[1] == "possible_affiliate"}
        a_r = {p for p in pairs if p[1] != "possible_affiliate"}
        a_p = {p for p in pairs if p[1] == "possible_affiliate"}
        if len(pairs) != len(set(pairs)):
            diffs.append(f"restricted: duplicate entries {pairs}")
        if e_r != a_r:
            diffs.append(f"restricted (R): expected {sorted(e_r)}, got {sorted(a_r)}")
        if e_p != a_p:
            diffs.append(f"restricted (possible): expected {sorted(e_p)}, got {sorted(a_p)}")
        vias = [p[1] for p in pairs]
        if "possible_affiliate" in vias and any(v != "possible_affiliate"
                                                for v in vias[vias.index("possible_affiliate"):]):
            diffs.append(f"restricted: R members after possibly restricted ones: {pairs}")
        if not diffs and pairs != ep:
            notes.append(f"restricted order differs from sorted-by-id: {[p[0] for p in pairs]}")

    # rows
    erows = {r["id"]: r for r in exp["entities"]}
    arows_list = act["entities"]
    try:
        aids = [r["id"] for r in arows_list]
    except (TypeError, KeyError) as e:
        return diffs + [f"entities: malformed rows ({e})"], notes
    if sorted(aids) != sorted(erows) or len(aids) != len(set(aids)):
        diffs.append(f"row ids: expected {sorted(erows)}, got {aids}")
    arows = {r["id"]: r for r in arows_list}
    for v, e in erows.items():
        a = arows.get(v)
        if a is None:
            continue
        missing = [k for k in e if k not in a]
        if missing:
            diffs.append(f"{v}: missing fields {missing}")
            continue
        if a["name"] != e["name"]:
            diffs.append(f"{v}.name: expected {e['name']!r}, got {a['name']!r}")
        for k in ("restricted", "possibly_restricted"):
            if a[k] is not e[k]:
                diffs.append(f"{v}.{k}: expected {e[k]!r}, got {a[k]!r}")
        for k in FRACTION_FIELDS:
            cmp_num(diffs, f"{v}.{k}", e[k], a[k], TOL)
        rev = e["revenue"]
        cmp_num(diffs, f"{v}.revenue", rev, a["revenue"], TOL * max(1.0, abs(rev or 0)))
        for k in MONEY_FIELDS:
            cmp_num(diffs, f"{v}.{k}", e[k], a[k], TOL * max(1.0, abs(rev or 0)))
        if a["reach"] != e["reach"] or isinstance(a["reach"], bool) or not isnum(a["reach"]):
            diffs.append(f"{v}.reach: expected {e['reach']!r}, got {a['reach']!r}")

    # order, judged on the reference's numbers: q must precede p when its
    # total is larger by more than 1e-9, or when the totals tie (the binary's
    # printed totals equal, the reference's within 1e-9) and its upper is
    # larger by more than 1e-9.  Otherwise the order is free.
    seq = [v for v in aids if v in erows]
    bad = []
    for i in range(len(seq)):
        for j in range(i + 1, len(seq)):
            p, q = erows[seq[i]], erows[seq[j]]
            if q["total"] > p["total"] + TOL:
                bad.append((p["id"], q["id"]))
            elif (abs(q["total"] - p["total"]) <= TOL and q["upper"] > p["upper"] + TOL
                  and arows[seq[i]].get("total") == arows[seq[j]].get("total")):
                bad.append((p["id"], q["id"]))
    if bad:
        diffs.append(f"row order: {bad[:5]} out of order; got {aids}, expected "
                     f"{[r['id'] for r in exp['entities']]}")
    # and the rows must be sorted by their own printed (total, upper, id)
    try:
        own = [(-float(r["total"]), -float(r["upper"]), r["id"].encode("utf-8"))
               for r in arows_list]
    except (TypeError, ValueError, KeyError):
        own = None
    if own is not None and own != sorted(own) and not bad:
        k = next(i for i in range(len(own) - 1) if own[i] > own[i + 1])
        diffs.append(f"row order: not sorted by the printed total, upper, id: "
                     f"{arows_list[k]['id']} (total {arows_list[k]['total']}, upper "
                     f"{arows_list[k]['upper']}) before {arows_list[k + 1]['id']} (total "
                     f"{arows_list[k + 1]['total']}, upper {arows_list[k + 1]['upper']})")
    if not diffs and aids != [r["id"] for r in exp["entities"]]:
        notes.append("row order differs only among ties (allowed)")
    return diffs, notes


def run_case(binary, doc, opts, tmpdir, name="case"):
    path = os.path.join(tmpdir, name + ".json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False)
    cmd, act, err = run_binary(binary, path, opts)
    if err:
        return cmd, ref.public(ref.analyze(doc, opts)), act, [err], []
    exp, d, n = compare_readings(doc, opts, act)
    return cmd, exp, act, d, n


def compare_readings(doc, opts, act):
    """(expected, diffs, notes) for the binary's analyze object `act` of
    `doc` with `opts`. Ill-conditioned input?  If reading the numbers as
    their decimal text changes the exact answer by more than 1e-9, either
    reading is accepted."""
    exp = ref.public(ref.analyze(doc, opts))
    d, n = compare(exp, act)
    if d:
        try:
            exp_dec = ref.public(ref.analyze(doc, opts, "decimal"))
        except ArithmeticError:
            exp_dec = exp
        if compare(exp, exp_dec)[0]:
            d2, n2 = compare(exp_dec, act)
            if not d2:
                return exp_dec, [], n2 + ["ill-conditioned: matches the decimal reading"]
            d = ["(ill-conditioned input: the binary and decimal readings differ; "
                 "diffs against the binary reading)"] + d
    return exp, d, n


def shrink(binary, doc, opts, tmpdir):
    """Greedy reduction of a failing case: drop options, relationships,
    listings, entities, optional fields while it still fails."""
    import copy

    def fails(d, o):
        try:
            gen.validate(d)
        except (AssertionError, KeyError, ValueError):
            return False
        try:
            _, _, _, diffs, _ = run_case(binary, d, o, tmpdir, "shrink")
        except Exception:
            return False
        return bool(diffs)

    changed = True
    while changed:
        changed = False
        for k in ("as_of", "lists", "affiliates", "max_depth"):
            if opts.get(k) is not None:
                o = dict(opts, **{k: None})
                if fails(doc, o):
                    opts, changed = o, True
        for k in ("list", "delist", "license"):
            for i in range(len(opts.get(k, [])) - 1, -1, -1):
                o = dict(opts)
                o[k] = opts[k][:i] + opts[k][i + 1:]
                if fails(doc, o):
                    opts, changed = o, True
        if "meta" in doc:
            d = copy.deepcopy(doc)
            del d["meta"]
            if fails(d, opts):
                doc, changed = d, True
        for arr in ("relationships", "listings"):
            i = len(doc[arr]) - 1
            while i >= 0:
                d = copy.deepcopy(doc)
                del d[arr][i]
                if fails(d, opts):
                    doc, changed = d, True
                i -= 1
        for i in range(len(doc.get("segments", [])) - 1, -1, -1):
            d = drop_segment(doc, i)
            if fails(d, opts):
                doc, changed = d, True
        for i in range(len(doc["entities"]) - 1, -1, -1):
            v = doc["entities"][i]["id"]
            d = copy.deepcopy(doc)
            del d["entities"][i]
            d["relationships"] = [r for r in d["relationships"] if v not in (r["from"], r["to"])]
            d["listings"] = [l for l in d["listings"] if l["entity"] != v]
            if "segments" in d:
                d["segments"] = [sg for sg in d["segments"] if sg["seller"] != v]
            o = dict(opts)
            o["list"] = [x for x in opts["list"] if x != v]
            o["delist"] = [x for x in opts["delist"] if x != v]
            o["license"] = [p for p in opts["license"] if v not in p]
            if fails(d, o):
                doc, opts, changed = d, o, True
        # optional fields
        keep = ("id", "name", "type", "from", "to", "entity", "list", "seller", "share_max")
        for arr in ("entities", "relationships", "listings", "segments"):
            for i in range(len(doc.get(arr, []))):
                for f in [f for f in doc[arr][i] if f not in keep]:
                    d = copy.deepcopy(doc)
                    del d[arr][i][f]
                    if fails(d, opts):
                        doc, changed = d, True
    return doc, opts


def drop_segment(doc, i):
    """A copy of doc without its i-th segment (and the edges' references)."""
    import copy
    d = copy.deepcopy(doc)
    sg = d["segments"].pop(i)
    for r in d["relationships"]:
        if r["type"] == "supplies" and r["from"] == sg["seller"] and r.get("segment") == sg["name"]:
            del r["segment"]
    return d


def segment_cases():
    """Hand-made graphs with segments: (label, graph)."""
    from selftest import graph, S

    def seg(doc, seller, name, cap, buyers):
        doc.setdefault("segments", []).append({"seller": seller, "name": name, "share_max": cap})
        for r in doc["relationships"]:
            if r["type"] == "supplies" and r["from"] == seller and r["to"] in buyers:
                r["segment"] = name
        gen.validate(doc)
        return doc

    def ex(nh=None):
        return graph([("A", 1000), "B", "C", "H", ("N", 100), "D"],
                     [S("A", "H", share=0.1), S("A", "B", share=0.5),
                      S("B", "H", share=0.4), S("B", "C"), S("C", "H", share=0.2),
                      S("N", "H", **(nh or {})), S("N", "B"), S("N", "D")],
                     [{"entity": "H", "list": "BIS Entity List"}])

    def cyc():
        return graph(["A", "B", "H", "K"],
                     [S("A", "B", share=0.999), S("B", "A", share=0.998),
                      S("B", "H", share=0.002), S("A", "H"), S("A", "K", share_max=0.3),
                      S("K", "H", share=0.5), S("K", "A", share=0.5)],
                     [{"entity": "H", "list": "BIS Entity List"}])
    out = [("segment example", ex()),
           ("segment example China 0.3", seg(ex(), "N", "China", 0.3, ("H", "B"))),
           ("segment example China 0.6", seg(ex(), "N", "China", 0.6, ("H", "B"))),
           ("segment share_max 0", seg(ex(), "N", "China", 0.0, ("H", "B"))),
           ("segment on B, D", seg(ex(), "N", "China", 0.3, ("B", "D"))),
           ("tight segment with an exact edge",
            seg(ex({"share": 0.3}), "N", "China", 0.3, ("H", "B"))),
           ("segment with exact edge and share_min",
            seg(seg(ex({"share": 0.2}), "N", "China", 0.3, ("H", "B")), "B", "X", 0.5, ("C",))),
           ("two segments of one seller",
            seg(seg(ex({"share_min": 0.05}), "N", "China", 0.25, ("H",)), "N", "EU", 0.5, ("B",))),
           ("near-1 cycle, tight segment", seg(cyc(), "A", "S", 0.999, ("B", "H"))),
           ("near-1 cycle, segment 0.9995", seg(cyc(), "A", "S", 0.9995, ("B", "H"))),
           ("near-1 cycle, segment with share_max edge", seg(cyc(), "A", "S", 0.2, ("H", "K"))),
           ("tie by id under a segment",
            seg(graph(["N", "b", "a", "Z"], [S("N", "b"), S("N", "a"), S("N", "Z", share=0.1)],
                      [{"entity": u, "list": "L"} for u in ("a", "b")]),
                "N", "S", 0.3, ("a", "b")))]
    return out


def fixed_cases():
    """Hand-made cases run before the random ones: (label, graph, options)."""
    from selftest import graph, S, O

    def opts(**kw):
        o = ref.default_options()
        o.update(kw)
        return o
    L = [{"entity": "H", "list": "BIS Entity List"}]
    out = []

    def we(bc):
        return graph([("A", 1000), "B", "C", "H"],
                     [S("A", "H", share=0.1), S("A", "B", share=0.5),
                      S("B", "H", share=0.4), S("B", "C", **bc),
                      S("C", "H", share=0.2)], L)
    out.append(("worked example", we({}), opts()))
    out.append(("worked example share_max", we({"share_max": 0.25}), opts()))
    out.append(("worked example share_min", we({"share_max": 0.25, "share_min": 0.1}), opts()))
    for k in (1, 2, 3):
        out.append((f"worked example k={k}", we({}), opts(max_depth=k)))
    out.append(("worked example licence A:H", we({}), opts(license=[["A", "H"]])))
    out.append(("near-1 2-cycle", graph(["A", "B", "H"],
                [S("A", "B", share=0.999), S("B", "A", share=0.998),
                 S("B", "H", share=0.002)], L), opts()))
    out.append(("0.999 3-loop", graph(["A", "B", "C", "H"],
                [S("A", "B", share=0.999), S("B", "C", share=0.999),
                 S("C", "A", share=0.999), S("C", "H", share=0.001)], L), opts()))
    out.append(("0.999 3-loop, unquantified exits", graph(["A", "B", "C", "H"],
                [S("A", "B", share=0.999), S("B", "C", share=0.999),
                 S("C", "A", share=0.999), S("C", "H"), S("A", "H", share_max=0.0005)], L),
                opts()))
    out.append(("closed loop of 1.0", graph(["A", "B", "H"],
                [S("A", "B", share=1.0), S("B", "A", share=1.0), S("A", "H")], L), opts()))
    out.append(("unquantified cycle", graph(["A", "B", "H"],
                [S("A", "B"), S("B", "A"), S("A", "H")], L), opts()))
    out.append(("restricted reaches itself", graph(["A", "H"],
                [S("H", "A", share=0.5), S("A", "H", share=0.5)], L), opts()))
    out.append(("value share, seller without revenue", graph([("A", 0), "B", "H"],
                [S("A", "H", value=10, share_max=0.3), S("B", "H", value=5)], L), opts()))
    aff = graph(["A", "B", "C", "D", "E", "F"],
                [O("A", "B", 50), O("B", "C", 50), O("C", "D", 30), O("A", "D", 20),
                 O("A", "E"), O("F", "E", 40), S("F", "E", share=0.5), O("D", "F", 10),
                 S("F", "A", share_max=0.2), S("E", "B")],
                [{"entity": "A", "list": "OFAC SDN"}])
    for t in (50, 50.5, 10, 100):
        out.append((f"affiliates {t}", aff, opts(affiliates=t)))
    out.append(("affiliates tolerance 33.3+16.7", graph(["A", "B", "C", "D"],
                [O("A", "C", 33.3), O("B", "C", 16.7), S("D", "C", share=0.3)],
                [{"entity": "A", "list": "L"}, {"entity": "B", "list": "L"}]),
                opts(affiliates=50)))
    dates = graph(["A", "B", "C", "D"], [S("D", "A", share=0.1), S("D", "B", share=0.2),
                                         S("D", "C", share=0.4)],
                  [{"entity": "A", "list": "X", "start": "2020-01-01", "end": "2021-01-01"},
                   {"entity": "B", "list": "Y", "end": "2020-06-01"},
                   {"entity": "C", "list": "Y", "start": "2020-06-01"}])
    for o in (opts(), opts(as_of="2020-06-01"), opts(as_of="2020-05-31"),
              opts(as_of="2021-01-01", lists=["X"]), opts(as_of="2020-07-01", lists=["X", "Y"]),
              opts(as_of="2021-01-01", list=["B"], delist=["C"])):
        out.append((f"dates {ref.options_to_args(o)}", dates, o))
    for lbl, d in segment_cases():
        out.append((lbl, d, opts()))
    seg_ex = segment_cases()[1][1]
    out.append(("segment example k=1", seg_ex, opts(max_depth=1)))
    out.append(("segment example, licence N:H", seg_ex, opts(license=[["N", "H"]])))
    # A random graph whose 14-entity loop of shares near 1 once made policy
    # iteration switch on a gain of rounding size, close the loop and fall:
    # it gave up 0.08 below the least solution, with a warning.
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "cases", "policy-switch-loop.json"), encoding="utf-8") as fh:
        # (Its loop's buyers tie exactly; the binary's worst case once read
        # ties on a grid of 1e-12, finer than its solve's rounding there.)
        out.append(("policy switch of rounding size on a near-1 loop", json.load(fh),
                    opts(affiliates=50)))
    return out


# --------------------------------------------------------------------------
# explain ID [--upper]
# --------------------------------------------------------------------------

TIES = ref.Fraction(1, 10**9)   # the tie reading: carried values within 1e-9 tie


def explain_cmd(binary, path, v, opts, upper, top):
    cmd = [binary, "explain", v, "-g", path, "--format", "json", "--top", str(top)]
    if upper:
        cmd.append("--upper")
    return cmd + ref.options_to_args(opts)


def run_explain_binary(binary, path, v, opts, upper, top, timeout=20):
    return run_json(explain_cmd(binary, path, v, opts, upper, top), timeout)


def path_shape_ok(p):
    return (isinstance(p, dict) and isinstance(p.get("ids"), list) and len(p["ids"]) >= 2
            and all(isinstance(i, str) for i in p["ids"]) and isnum(p.get("weight"))
            and isinstance(p.get("complete"), bool) and isinstance(p.get("edges"), list)
            and all(isinstance(e, dict) for e in p["edges"]))


def compare_explain(exp, act, upper, top, sums_exact):
    """exp: reference.explain() with every path of positive weight; act: the
    binary's JSON.  Compares total and upper, the paths of weight > 1e-9 (ids,
    weight, complete, each edge's lo and t), their order, and, when every path
    is listed and every walk is a simple path, that the weights add up."""
    diffs, notes = [], []
    if not isinstance(act, dict):
        return [f"output is not an object: {act!r}"], notes
    missing = [k for k in ("id", "total", "upper", "paths") if k not in act]
    if missing:
        return [f"missing top-level fields {missing}"], notes
    if act["id"] != exp["id"]:
        diffs.append(f"id: expected {exp['id']!r}, got {act['id']!r}")
    if upper and act.get("bound") != "upper":
        diffs.append(f"bound: expected 'upper', got {act.get('bound')!r}")
    cmp_num(diffs, "total", float(exp["total"]), act["total"], TOL)
    cmp_num(diffs, "upper", float(exp["upper"]), act["upper"], TOL)
    paths = act["paths"]
    if not isinstance(paths, list) or not all(path_shape_ok(p) for p in paths):
        return diffs + [f"paths: malformed: {str(paths)[:300]}"], notes
    truncated = act.get("truncated") is True
    if "more" in act:
        if not isinstance(act["more"], bool):
            diffs.append(f"more: expected a boolean, got {act['more']!r}")
        everything = act["more"] is False and not truncated
    else:
        everything = len(paths) < top and not truncated
    if len(paths) > top:
        diffs.append(f"{len(paths)} paths listed with --top {top}")
    if act.get("more") is True and not truncated and len(paths) != top:
        diffs.append(f"more is true but {len(paths)} paths listed with --top {top}")

    refmap = {tuple(p["ids"]): p for p in exp["paths"]}
    listed = set()
    for p in paths:
        key = tuple(p["ids"])
        name = "->".join(key)
        if key in listed:
            diffs.append(f"path {name} listed twice")
        listed.add(key)
        e = refmap.get(key)
        if e is None:
            if p["weight"] > TOL:
                diffs.append(f"path {name} (weight {p['weight']!r}) is no path of the "
                             f"reference with a positive weight")
            continue
        if float(e["weight"]) <= TOL and p["weight"] <= TOL:
            continue   # light paths are not compared
        cmp_num(diffs, f"path {name}: weight", float(e["weight"]), p["weight"], TOL)
        if p["complete"] is not e["complete"]:
            diffs.append(f"path {name}: complete expected {e['complete']}, got {p['complete']}")
        if len(p["edges"]) != len(e["edges"]):
            diffs.append(f"path {name}: {len(p['edges'])} edges, expected {len(e['edges'])}")
            continue
        for ae, ee in zip(p["edges"], e["edges"]):
            where = f"path {name}: edge {ee['from']}->{ee['to']}"
            if (ae.get("from"), ae.get("to")) != (ee["from"], ee["to"]):
                diffs.append(f"{where}: got from/to {ae.get('from')!r}->{ae.get('to')!r}")
                continue
            if upper or "lo" in ae:   # (the CLI spec fixes lo for --upper only)
                cmp_num(diffs, f"{where}: lo", float(ee["lo"]), ae.get("lo"), TOL)
            if upper:
                cmp_num(diffs, f"{where}: t", float(ee["t"]), ae.get("t"), TOL)
    # every path heavier than the lightest listed one (all, when nothing
    # more follows) must be listed
    floor = TOL
    if not everything and paths:
        floor = max(TOL, min(p["weight"] for p in paths) + TOL)
    left_out = [p for p in exp["paths"] if float(p["weight"]) > floor
                and tuple(p["ids"]) not in listed]
    for p in left_out[:5]:
        diffs.append(f"path {'->'.join(p['ids'])} (weight {float(p['weight'])!r}) not listed")
    if len(left_out) > 5:
        diffs.append(f"... {len(left_out) - 5} more paths not listed")
    # order, judged on the reference's weights: a path may come before a
    # heavier one only when their weights tie to 1e-9
    def rw(p):
        e = refmap.get(tuple(p["ids"]))
        return float(e["weight"]) if e is not None else p["weight"]
    bad = []
    for i in range(len(paths)):
        for j in range(i + 1, len(paths)):
            p, q = paths[i], paths[j]
            if rw(q) > rw(p) + TOL:
                bad.append((p["ids"], q["ids"]))
    if bad:
        diffs.append(f"path order: {bad[:3]} out of order")
    if sums_exact and everything:
        total = float(exp["upper"] if upper else exp["total"])
        got = sum(p["weight"] for p in paths)
        if abs(got - total) > TOL:
            diffs.append(f"the path weights add up to {got!r}, not to "
                         f"{'upper' if upper else 'total'} {total!r}")
    return diffs, notes


def run_explain_case(binary, path, doc, opts, v, upper, top):
    """Runs the binary and compares with the reference.  When the plain
    reading disagrees, the other readings are tried: carried values within
    1e-9 tied (ties by id), and the decimal reading of the numbers (see
    README); any reading that agrees passes, with a note."""
    cmd, act, err = run_explain_binary(binary, path, v, opts, upper, top)
    if err:
        return cmd, [err], []
    readings = [("binary", ref.ZERO), ("binary", TIES), ("decimal", ref.ZERO), ("decimal", TIES)]
    if not upper:
        readings = readings[::2]
    first = None
    for numbers, ties in readings:
        try:
            exp = ref.explain(doc, opts, v, upper=upper, positive_only=True,
                              numbers=numbers, ties=ties)
        except ArithmeticError:
            continue
        m = exp["_model"]
        sums = opts.get("max_depth") is None and ref.walks_simple(m, v, m.Rp if upper else m.R)
        d, n = compare_explain(exp, act, upper, top, sums)
        if not d:
            if first is not None:
                n.append(f"matches the {numbers} reading" +
                         (" with carried values within 1e-9 tied" if ties else ""))
            return cmd, [], n
        if first is None:
            first = d
    return cmd, first, []


def explain_main(a, binary):
    upper = a.explain_upper
    mode = "explain --upper" if upper else "explain"
    passed = failed = 0
    notes_seen = 0
    with tempfile.TemporaryDirectory(prefix="exposure-oracle-") as tmp:
        cases = []
        if not a.no_fixed:
            for j, (lbl, d, o) in enumerate(fixed_cases()):
                if upper and o.get("max_depth") is not None:
                    continue
                cases.append((f"fixed-{j}", lbl, d, o))
        cases += [(a.seed + i, None, None, None) for i in range(a.count)]
        for seed, label, doc, opts in cases:
            if doc is None:
                n = a.n if a.n is not None else 3 + seed % 6
                doc, opts = gen.generate(seed, n, segments=not a.no_segments,
                                         acyclic=seed % 2 == 0)
                if upper:
                    opts = dict(opts, max_depth=None)
            try:
                exact = ref.analyze(doc, opts)["_exact"]
            except Exception as e:
                print(f"FAIL seed {seed}: reference raised {e!r}")
                failed += 1
                continue
            val = exact["X"] if upper else exact["x"]
            cands = sorted(v for v in val if val[v] > TOL)
            if label is None:
                cands = random.Random(seed).sample(cands, min(len(cands), a.per_graph))
            path = os.path.join(tmp, f"{seed}.json")
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, ensure_ascii=False)
            for v in cands:
                try:
                    cmd, diffs, notes = run_explain_case(binary, path, doc, opts, v, upper, a.top)
                except Exception as e:  # reference failure: report, count as failed
                    cmd, diffs, notes = [], [f"reference raised {e!r}"], []
                if not diffs:
                    passed += 1
                    notes_seen += bool(notes)
                    continue
                failed += 1
                base = f"/tmp/exposure-oracle-fail-{seed}"
                line = shlex.join(explain_cmd(binary, base + ".json", v, opts, upper, a.top))
                what = f"seed {seed}{' (' + label + ')' if label else ''} {mode} {v}"
                save_failure(a, what, base, {".json": doc}, line, diffs)
    if notes_seen:
        print(f"({notes_seen} case(s) passed on the tie or decimal reading)")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def random_holdings(rng, ids):
    """Holdings over some of `ids`: weights of several sizes, some 0, an
    entity now and then named on two lines (one holding, weights added)."""
    rows = []
    for v in ids:
        if rng.random() < 0.6:
            w = rng.choice([0, 1, 2.5, 100, 1e6, rng.random()])
            rows.append((v, w))
            if rng.random() < 0.1:
                rows.append((v, rng.choice([1, 3.25])))
    if not rows or sum(w for _, w in rows) == 0:
        rows.append((ids[0], 7))
    rng.shuffle(rows)
    return rows


def expected_portfolio(out, rows):
    """The spec's portfolio figures (section 6) from the reference's own
    analyze object and the holdings: exact weights, exact x and X."""
    from fractions import Fraction as Fr
    exact = out["_exact"]
    merged = {}
    for v, w in rows:
        merged[v] = merged.get(v, Fr(0)) + Fr(w)
    total_w = sum(merged.values())
    via = {r["id"]: r["via"] for r in out["restricted"]}
    contributions = []
    for v, w in merged.items():
        wn = w / total_w
        contributions.append({
            "id": v, "weight": wn, "total": exact["x"][v], "upper": exact["X"][v],
            "contribution": wn * exact["x"][v], "contribution_upper": wn * exact["X"][v],
        })
    contributions.sort(key=lambda c: (-c["contribution"], -c["contribution_upper"],
                                      c["id"].encode("utf-8")))
    restricted = sorted((v for v in merged if v in via), key=lambda s: s.encode("utf-8"))
    return {
        "holdings": len(merged),
        "total": sum(c["contribution"] for c in contributions),
        "upper": sum(c["contribution_upper"] for c in contributions),
        "restricted": [(v, via[v]) for v in restricted],
        "contributions": contributions,
    }


def compare_portfolio(exp, act):
    diffs = []
    if act is None:
        return ["no portfolio object"]
    if act.get("holdings") != exp["holdings"]:
        diffs.append(f"holdings: expected {exp['holdings']}, got {act.get('holdings')}")
    for k in ("total", "upper"):
        cmp_num(diffs, f"portfolio.{k}", float(exp[k]), act.get(k), TOL)
    got_r = sorted((r["id"], r["via"]) for r in act.get("restricted_holdings", []))
    if got_r != sorted(exp["restricted"]):
        diffs.append(f"restricted_holdings: expected {exp['restricted']}, got {got_r}")
    ac = act.get("contributions", [])
    if [c["id"] for c in ac] != [c["id"] for c in exp["contributions"]]:
        # Contributions that tie to 1e-9 may come in either order.
        key = lambda c: (round(float(c["contribution"]), 9), round(float(c["contribution_upper"]), 9))
        if sorted(map(key, ac)) != sorted(map(key, exp["contributions"])) or \
                sorted(c["id"] for c in ac) != sorted(c["id"] for c in exp["contributions"]):
            diffs.append(f"contributions order: expected {[c['id'] for c in exp['contributions']]}, "
                         f"got {[c['id'] for c in ac]}")
    by_id = {c["id"]: c for c in ac}
    for c in exp["contributions"]:
        g = by_id.get(c["id"])
        if g is None:
            diffs.append(f"contribution of {c['id']} missing")
            continue
        for k in ("weight", "total", "upper", "contribution", "contribution_upper"):
            cmp_num(diffs, f"contributions[{c['id']}].{k}", float(c[k]), g.get(k), TOL)
    return diffs


def random_cases(a, tmp, salt):
    """Each random case of a mode: (seed, graph, options, a random stream
    of its own for the mode's further draws, the graph's path in `tmp`,
    written as JSON)."""
    for i in range(a.count):
        seed = a.seed + i
        doc, opts = gen.generate(seed, a.n, segments=not a.no_segments)
        path = os.path.join(tmp, f"g{seed}.json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False)
        yield seed, doc, opts, random.Random(seed * 7919 + salt), path


def portfolio_main(a, binary):
    """`analyze --portfolio` on random graphs, options and holdings."""
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="exposure-oracle-") as tmp:
        for seed, doc, opts, rng, path in random_cases(a, tmp, 1):
            rows = random_holdings(rng, [e["id"] for e in doc["entities"]])
            hold = os.path.join(tmp, f"h{seed}.csv")
            with open(hold, "w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["entity", "weight", "note"])
                for v, wt in rows:
                    w.writerow([v, repr(wt) if isinstance(wt, float) else wt, "random"])
            cmd = [binary, "analyze", "-g", path, "--format", "json", "--all",
                   "--portfolio", hold] + ref.options_to_args(opts)
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            diffs = []
            if p.returncode != 0:
                diffs = [f"exit status {p.returncode}: {p.stderr.strip()[:500]}"]
            else:
                try:
                    exp = expected_portfolio(ref.analyze(doc, opts), rows)
                    diffs = compare_portfolio(exp, json.loads(p.stdout).get("portfolio"))
                except Exception as e:
                    diffs = [f"reference raised {e!r}"]
            if not diffs:
                passed += 1
                continue
            failed += 1
            print(f"FAIL seed {seed}: {shlex.join(cmd)}")
            for d in diffs[:a.max_shown]:
                print("   ", d)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def save_failure(a, what, base, files, line, diffs, read_from=None):
    """Saves a failing case's inputs (`files`: the suffix after `base` of
    each, and its JSON document) with its command line in `base`.cmd, and
    prints the failure of `what` (the seed, and more); `read_from`: the
    other form of the graph the case read, if it did (the saved command
    reads the JSON)."""
    if read_from is not None:
        diffs = [f"(graph read from {read_from}) {diffs[0]}"] + diffs[1:]
    for suffix, d in files.items():
        with open(base + suffix, "w", encoding="utf-8") as fh:
            json.dump(d, fh, indent=1, ensure_ascii=False)
    with open(base + ".cmd", "w") as fh:
        fh.write(line + "\n")
    if a.quiet:
        print(f"FAIL {what}: {diffs[0]} (+{len(diffs) - 1} more)")
    else:
        print(f"FAIL {what}: {line}")
        for d in diffs[:a.max_shown]:
            print("   ", d)
        if len(diffs) > a.max_shown:
            print(f"    ... {len(diffs) - a.max_shown} more")


def other_form(binary, path, rng):
    """The graph at `path` (JSON) as a command reads it: in half the runs
    that file, else packed (`exposure pack`) or as a CSV folder
    (`exposure convert`), which every command reads alike; the path."""
    u = rng.random()
    if u < 0.5:
        return path
    out, how = (path + ".pack", "pack") if u < 0.75 else (path + ".csv.d", "convert")
    subprocess.run([binary, how, path, out], check=True, capture_output=True, timeout=20)
    return out


def whatif_main(a, binary):
    """`whatif FILE --format json --all` on random graphs, command-line
    options and scenario files (scenarios.py), each scenario against the
    reference on the graph and options that scenarios.apply gives it."""
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="exposure-oracle-") as tmp:
        for seed, doc, cli, rng, path in random_cases(a, tmp, 3):
            # Half the runs with no command-line options, so that the
            # scenarios' own settings show.
            if rng.random() < 0.5:
                cli = ref.default_options()
            sfile = scenarios.random_file(rng, doc, cli, a.per_file)
            spath = os.path.join(tmp, f"s{seed}.json")
            with open(spath, "w", encoding="utf-8") as fh:
                json.dump(sfile, fh, ensure_ascii=False)
            graph = other_form(binary, path, rng)
            cmd = [binary, "whatif", spath, "-g", graph, "--format", "json", "--all"] + \
                ref.options_to_args(cli)
            _, out, err = run_json(cmd)
            diffs = [err] if err else []
            if out is not None:
                got = out.get("scenarios") if isinstance(out, dict) else None
                if not isinstance(got, list) or len(got) != len(sfile["scenarios"]):
                    diffs.append(f"expected {len(sfile['scenarios'])} scenarios, got {got!r:.200}")
                else:
                    for j, (sc, act) in enumerate(zip(sfile["scenarios"], got)):
                        if not isinstance(act, dict):
                            diffs.append(f"scenarios[{j}] is not an object: {act!r:.200}")
                            continue
                        if act.get("name") != sc["name"]:
                            diffs.append(f"scenarios[{j}].name: expected {sc['name']!r}, got {act.get('name')!r}")
                        try:
                            d_j, o_j = scenarios.apply(doc, sc, cli)
                            _, d, _ = compare_readings(d_j, o_j, act)
                        except Exception as e:
                            d = [f"reference raised {e!r}"]
                        diffs += [f"scenarios[{j}] ({sc['name']}): {x}" for x in d]
            if not diffs:
                passed += 1
                continue
            failed += 1
            base = f"/tmp/exposure-oracle-fail-whatif-{seed}"
            line = shlex.join([binary, "whatif", base + "-scenarios.json", "-g", base + ".json",
                               "--format", "json", "--all"] + ref.options_to_args(cli))
            save_failure(a, f"seed {seed}", base, {".json": doc, "-scenarios.json": sfile}, line, diffs,
                         None if graph == path else graph)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def expected_dates(doc, opts, frm, to):
    """The dates `timeline` shows (README, `exposure timeline`): both ends
    of the window and every date in it where a listing that counts starts
    or ends; None when there is no window."""
    delist = set(opts["delist"])
    events = sorted({d for l in doc.get("listings", [])
                     if l["entity"] not in delist
                     and (opts["lists"] is None or l["list"] in opts["lists"])
                     for d in (l.get("start"), l.get("end")) if d is not None})
    if to is None:
        to = (doc.get("meta") or {}).get("as_of") or (events[-1] if events else None)
    if frm is None:
        frm = min(events[0], to) if events and to is not None else to
    if frm is None or to is None or frm > to:
        return None
    return sorted({frm, to} | {d for d in events if frm <= d <= to})


def timeline_main(a, binary):
    """`timeline --format json` with every entity followed, on random
    graphs and options: the dates against expected_dates, and each date's
    total and upper against the reference's analyze at that date."""
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="exposure-oracle-") as tmp:
        for seed, doc, opts, rng, path in random_cases(a, tmp, 5):
            opts["as_of"] = None   # --as-of is --to's default; both are an error
            frm = to = None
            if rng.random() < 0.4:
                frm, to = sorted(rng.sample(gen.DATES, 2))
            ids = [e["id"] for e in doc["entities"]]
            graph = other_form(binary, path, rng)
            cmd = [binary, "timeline", "-g", graph, "--format", "json"] + ref.options_to_args(opts)
            cmd += [x for v in ids for x in ("--entity", v)]
            cmd += (["--from", frm] if frm else []) + (["--to", to] if to else [])
            dates = expected_dates(doc, opts, frm, to)
            out = None
            if dates is None:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
                diffs = [] if p.returncode == 2 else [f"no window, yet exit status {p.returncode}"]
            else:
                _, out, err = run_json(cmd)
                diffs = [err] if err else []
            if out is not None:
                got = [pt.get("date") for pt in out.get("points", [])]
                if got != dates:
                    diffs.append(f"dates: expected {dates}, got {got}")
                for pt in out.get("points", []):
                    o = dict(opts, as_of=pt["date"])
                    try:
                        exp = {r["id"]: r for r in ref.analyze(doc, o)["entities"]}
                        dec = None
                        for val in pt["values"]:
                            e = exp[val["id"]]
                            d = []
                            for k in ("total", "upper"):
                                cmp_num(d, f"{pt['date']} {val['id']}.{k}", e[k], val.get(k), TOL)
                            if d and dec is None:
                                # Ill-conditioned: the decimal reading may hold.
                                dec = {r["id"]: r for r in ref.analyze(doc, o, "decimal")["entities"]}
                            if d:
                                d2 = []
                                for k in ("total", "upper"):
                                    cmp_num(d2, "", dec[val["id"]][k], val.get(k), TOL)
                                d = d if d2 else []
                            diffs += d
                        if [v["id"] for v in pt["values"]] != ids:
                            diffs.append(f"{pt['date']}: entities {[v['id'] for v in pt['values']]}")
                    except Exception as e:
                        diffs.append(f"reference raised {e!r}")
            if not diffs:
                passed += 1
                continue
            failed += 1
            base = f"/tmp/exposure-oracle-fail-timeline-{seed}"
            line = shlex.join([x if x != graph else base + ".json" for x in cmd])
            save_failure(a, f"seed {seed}", base, {".json": doc}, line, diffs,
                         None if graph == path else graph)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default=None)
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n", type=int, default=None, help="entities per random graph (default 3..12)")
    p.add_argument("--shrink", action="store_true", help="reduce each failing case")
    p.add_argument("--quiet", action="store_true", help="one line per failure")
    p.add_argument("--no-fixed", action="store_true", help="skip the hand-made cases")
    p.add_argument("--max-shown", type=int, default=12, help="diff lines shown per failure")
    p.add_argument("--no-segments", action="store_true",
                   help="random graphs without segments (gen.py --no-segments)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--explain-upper", action="store_true",
                      help="check `explain ID --upper` instead of analyze")
    mode.add_argument("--explain-lower", action="store_true",
                      help="check `explain ID` (the lower bound's paths) instead of analyze")
    mode.add_argument("--portfolio", action="store_true",
                      help="check `analyze --portfolio FILE` (exposure spec, section 6) on random holdings")
    mode.add_argument("--whatif", action="store_true",
                      help="check `whatif FILE` on random scenario files (scenarios.py)")
    mode.add_argument("--timeline", action="store_true",
                      help="check `timeline` (every entity followed) date by date")
    p.add_argument("--per-file", type=int, default=6,
                   help="whatif mode: scenarios per file, the first a baseline (6)")
    p.add_argument("--top", type=int, default=50, help="explain modes: --top K passed (50)")
    p.add_argument("--per-graph", type=int, default=3,
                   help="explain modes: entities explained per random graph (3)")
    a = p.parse_args()
    binary = a.binary or find_binary()
    if not binary or not os.path.exists(binary):
        print(f"binary not found: {binary}", file=sys.stderr)
        sys.exit(2)
    if a.explain_upper or a.explain_lower:
        explain_main(a, binary)
    if a.portfolio:
        portfolio_main(a, binary)
    if a.whatif:
        whatif_main(a, binary)
    if a.timeline:
        timeline_main(a, binary)
    passed = failed = illcond = 0
    with tempfile.TemporaryDirectory(prefix="exposure-oracle-") as tmp:
        cases = [] if a.no_fixed else [(f"fixed-{j}", lbl, d, o)
                                       for j, (lbl, d, o) in enumerate(fixed_cases())]
        cases += [(a.seed + i, None, None, None) for i in range(a.count)]
        for seed, label, doc, opts in cases:
            if doc is None:
                doc, opts = gen.generate(seed, a.n, segments=not a.no_segments)
            try:
                cmd, exp, act, diffs, notes = run_case(binary, doc, opts, tmp)
            except Exception as e:  # reference failure: report, count as failed
                diffs, cmd = [f"reference raised {e!r}"], []
            if not diffs:
                passed += 1
                illcond += any(n.startswith("ill-conditioned") for n in notes)
                continue
            failed += 1
            base = f"/tmp/exposure-oracle-fail-{seed}"
            line = shlex.join([binary, "analyze", "-g", base + ".json", "--format", "json",
                               "--all"] + ref.options_to_args(opts))
            what = f"seed {seed}{' (' + label + ')' if label else ''}"
            save_failure(a, what, base, {".json": doc}, line, diffs)
            if a.shrink:
                sd, so = shrink(binary, doc, opts, tmp)
                with open(base + "-min.json", "w", encoding="utf-8") as fh:
                    json.dump(sd, fh, indent=1, ensure_ascii=False)
                _, _, _, d2, _ = run_case(binary, sd, so, tmp)
                print(f"    shrunk: {base}-min.json  options {ref.options_to_args(so)}")
                print("    " + json.dumps(sd, ensure_ascii=False))
                for d in d2[:6]:
                    print("     ", d)
    if illcond:
        print(f"({illcond} ill-conditioned case(s) passed on the decimal reading of the numbers)")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
