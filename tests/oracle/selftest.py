#!/usr/bin/env python3
"""Self-tests of the reference implementation (no binary needed).

    python3 selftest.py [--random N]

Checks the worked examples of the spec (section 4, with its share_max,
share_min and segment variants), segments computed by hand (exact edges and
share_min inside a segment, share_max 0, tight caps, near-1 cycles, ties by
id), explain and explain --upper on hand-made graphs, hand-made near-1 cycles
against closed forms, and, on N random graphs from gen.py: that x and X are
exact fixpoints of their equations, that x <= X <= 1, that plain iteration
from 0 stays below them, X against a brute force over every fill order (with
segment caps), that segments lower X only (x, d, reach, R unchanged), and
that the paths of explain (--upper) add up exactly to x (X) where every walk
is simple (all of the acyclic graphs), to at most it elsewhere, with an
allocation that keeps every cap and gives X.
"""

import sys
import os
from fractions import Fraction as Fr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402
import gen  # noqa: E402

FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
        print("FAIL:", msg)


def near(a, b, tol=1e-12):
    return a is not None and b is not None and abs(a - b) <= tol


def graph(entities, rels, listings, **kw):
    ents = []
    for e in entities:
        if isinstance(e, tuple):
            ents.append({"id": e[0], "name": e[0], "revenue": e[1]})
        else:
            ents.append({"id": e, "name": e})
    doc = {"format": "exposure-graph/1", "entities": ents,
           "relationships": rels, "listings": listings}
    doc.update(kw)
    return doc


def S(a, b, **kw):
    return dict({"type": "supplies", "from": a, "to": b}, **kw)


def O(a, b, p=None):
    r = {"type": "owns", "from": a, "to": b}
    if p is not None:
        r["percent"] = p
    return r


def run(doc, **opts):
    o = ref.default_options()
    o.update(opts)
    out = ref.analyze(doc, o)
    return {r["id"]: r for r in out["entities"]}, out


def worked_example():
    def g(bc):
        return graph([("A", 1000), "B", "C", "H"],
                     [S("A", "H", share=0.1), S("A", "B", share=0.5),
                      S("B", "H", share=0.4), S("B", "C", **bc),
                      S("C", "H", share=0.2)],
                     [{"entity": "H", "list": "BIS Entity List"}])
    rows, out = run(g({}))
    check(near(rows["C"]["total"], 0.2), "x(C)=0.2")
    check(near(rows["B"]["total"], 0.4), "x(B)=0.4")
    check(near(rows["A"]["total"], 0.3), "x(A)=0.3")
    check(near(rows["A"]["direct"], 0.1), "d(A)=0.1")
    check(near(rows["A"]["indirect"], 0.2), "ind(A)=0.2")
    check(near(rows["A"]["revenue_at_risk"], 300), "rar(A)=300")
    check(rows["B"]["revenue_at_risk"] is None, "rar(B)=null")
    check(near(rows["B"]["upper"], 0.52), "X(B)=0.52")
    check(near(rows["A"]["upper"], 0.36), "X(A)=0.36")
    check(rows["A"]["reach"] == 1, "reach(A)=1")
    check([r["id"] for r in out["entities"]] == ["B", "A", "C", "H"], "row order")
    check(out["restricted"] == [{"id": "H", "via": "listing"}], "restricted list")
    rows, _ = run(g({"share_max": 0.25}))
    check(near(rows["B"]["upper"], 0.45), "share_max: X(B)=0.45")
    check(near(rows["B"]["total"], 0.4), "share_max: x(B)=0.4")
    rows, _ = run(g({"share_max": 0.25, "share_min": 0.1}))
    check(near(rows["B"]["total"], 0.42), "share_min: x(B)=0.42")
    check(near(rows["B"]["upper"], 0.45), "share_min: X(B)=0.45")
    # value / revenue share
    doc = g({})
    doc["entities"][0]["revenue"] = 1000
    doc["relationships"][0] = S("A", "H", value=100)
    rows, _ = run(doc)
    check(near(rows["A"]["total"], 0.3), "value/revenue share")
    # max depth 1: x = d
    rows, _ = run(g({}), max_depth=1)
    check(near(rows["A"]["total"], 0.1), "k=1 x(A)=d(A)")
    rows, _ = run(g({}), max_depth=2)
    check(near(rows["A"]["total"], 0.3), "k=2 x(A)")
    check(near(rows["A"]["upper"], 0.1 + 0.5 * 0.4), "k=2 X(A)")
    rows, _ = run(g({}), max_depth=3)
    check(near(rows["A"]["upper"], 0.36), "k=3 X(A)")
    # licence A->H: carried 0
    rows, _ = run(g({}), license=[("A", "H")])
    check(near(rows["A"]["total"], 0.2) and near(rows["A"]["direct"], 0.0), "license")


def cycles():
    # A->B 0.999, B->A 0.998, B->H 0.002
    doc = graph(["A", "B", "H"],
                [S("A", "B", share=0.999), S("B", "A", share=0.998),
                 S("B", "H", share=0.002)],
                [{"entity": "H", "list": "L"}])
    rows, _ = run(doc)
    a, b, h = Fr(0.999), Fr(0.998), Fr(0.002)
    xb = h / (1 - b * a)
    check(near(rows["B"]["total"], float(xb)), "near-1 cycle x(B)")
    check(near(rows["A"]["total"], float(a * xb)), "near-1 cycle x(A)")
    # X: A has room 1-0.999 to nothing else; B room 0 -> X = x
    check(near(rows["A"]["upper"], rows["A"]["total"]), "near-1 cycle X=x")
    # loop of 0.999 with a leak of 0.001 into H through three nodes
    doc = graph(["A", "B", "C", "H"],
                [S("A", "B", share=0.999), S("B", "C", share=0.999),
                 S("C", "A", share=0.999), S("C", "H", share=0.001)],
                [{"entity": "H", "list": "L"}])
    rows, _ = run(doc)
    q = Fr(0.999)
    xc = Fr(0.001) / (1 - q ** 3)
    check(near(rows["C"]["total"], float(xc)), "0.999 loop x(C)")
    # upper: A and B have room 0.001 (to nothing: no unquantified edge) -> X=x
    check(near(rows["B"]["upper"], float(q * xc)), "0.999 loop X(B)")
    # closed loop of 1.0: least solution 0
    doc = graph(["A", "B", "H"],
                [S("A", "B", share=1.0), S("B", "A", share=1.0), S("A", "H")],
                [{"entity": "H", "list": "L"}])
    rows, _ = run(doc)
    check(rows["A"]["total"] == 0 and rows["B"]["total"] == 0, "closed loop x=0")
    check(rows["A"]["upper"] == 0 and rows["B"]["upper"] == 0, "closed loop X=0 (A has no room)")
    check(rows["A"]["reach"] == 1 and rows["B"]["reach"] == 1, "closed loop reach")
    # unquantified cycle with exit: ties in the greedy must not lose value
    doc = graph(["A", "B", "H"],
                [S("A", "B"), S("B", "A"), S("A", "H")],
                [{"entity": "H", "list": "L"}])
    rows, _ = run(doc)
    check(rows["A"]["upper"] == 1 and rows["B"]["upper"] == 1, "unquantified cycle X=1")
    check(rows["A"]["total"] == 0, "unquantified cycle x=0")
    # restricted entity reaching itself via a cycle
    doc = graph(["A", "H"], [S("H", "A", share=0.5), S("A", "H", share=0.5)],
                [{"entity": "H", "list": "L"}])
    rows, _ = run(doc)
    check(rows["H"]["reach"] == 1 and near(rows["H"]["total"], 0.25), "self reach")
    check(rows["H"]["restricted"] and near(rows["H"]["indirect"], 0.25), "self indirect")


def segments():
    """The segment example of section 4, variants computed by hand, and the
    allocation that explain --upper shows."""
    def g(seg=None, nh=None, extra=()):
        doc = graph([("A", 1000), "B", "C", "H", ("N", 100), "D"],
                    [S("A", "H", share=0.1), S("A", "B", share=0.5),
                     S("B", "H", share=0.4), S("B", "C"), S("C", "H", share=0.2),
                     S("N", "H", **(nh or {})), S("N", "B"), S("N", "D")] + list(extra),
                    [{"entity": "H", "list": "BIS Entity List"}])
        if seg is not None:
            members, cap = seg
            doc["segments"] = [{"seller": "N", "name": "China", "share_max": cap}]
            for r in doc["relationships"]:
                if r["type"] == "supplies" and r["from"] == "N" and r["to"] in members:
                    r["segment"] = "China"
        gen.validate(doc)
        return doc
    rows, _ = run(g())
    check(rows["N"]["total"] == 0 and rows["N"]["upper"] == 1, "segment example: no segment X(N)=1")
    rows2, _ = run(g((("H", "B"), 0.3)))
    check(rows2["N"]["total"] == 0 and near(rows2["N"]["upper"], 0.3), "segment example: X(N)=0.3")
    for v in "ABCHD":
        check(rows[v] == rows2[v], f"segment example: row {v} unchanged")
    ex = ref.explain(g((("H", "B"), 0.3)), ref.default_options(), "N", upper=True)
    t = {k: float(v) for k, v in ex["_t"].items() if k[0] == "N"}
    check(t == {("N", "H"): 0.3, ("N", "D"): 0.7}, f"segment example: allocation {t}")
    ps = [(p["ids"], float(p["weight"])) for p in ex["paths"]]
    check(ps[0] == (["N", "H"], 0.3) and all(w == 0 for _, w in ps[1:]),
          f"segment example: upper paths {ps}")
    check(sum(p["weight"] for p in ex["paths"]) == ex["upper"], "segment example: paths add up")
    # a looser cap: H takes 0.6, D the rest
    rows, _ = run(g((("H", "B"), 0.6)))
    check(near(rows["N"]["upper"], 0.6), "segment 0.6: X(N)=0.6")
    # the segment holds B and D only: H takes everything
    rows, _ = run(g((("B", "D"), 0.3)))
    check(rows["N"]["upper"] == 1, "segment on B, D: X(N)=1")
    # an exact edge in the segment uses up its cap: b = 0.3 - 0.2 = 0.1 for
    # N->B; N->D takes the rest of a(N) = 0.8
    rows, _ = run(g((("H", "B"), 0.3), {"share": 0.2}))
    check(near(rows["N"]["upper"], 0.2 + 0.1 * 0.52) and near(rows["N"]["total"], 0.2),
          f"exact edge in segment: X(N)={rows['N']['upper']}")
    # share_min counts against the cap as well: lo(N->H) = 0.1, b = 0.2
    rows, _ = run(g((("H", "B"), 0.3), {"share_min": 0.1}))
    check(near(rows["N"]["upper"], 0.3) and near(rows["N"]["total"], 0.1),
          f"share_min in segment: X(N)={rows['N']['upper']}")
    rows, _ = run(g((("B",), 0.3), {"share_min": 0.1}))
    check(near(rows["N"]["upper"], 1.0), "share_min outside the segment")
    # share_max 0 with unquantified edges only: they get nothing
    rows, _ = run(g((("H", "B"), 0.0)))
    check(rows["N"]["upper"] == 0, "segment share_max 0: X(N)=0")
    # tight cap under the sum (half an ulp, allowed by rule 13): b clamps to 0
    rows, _ = run(g((("H", "B"), 0.3), {"share": 0.3}))
    check(near(rows["N"]["upper"], 0.3), "tight segment")
    # max depth: the segment applies to every iterate
    rows, _ = run(g((("H", "B"), 0.3)), max_depth=1)
    check(near(rows["N"]["upper"], 0.3), "segment, k=1")

    # ties broken by the buyer's id (UTF-8 order: "Z" < "a" < "b")
    for ids, first in ((["b", "a"], "a"), (["a", "Z"], "Z")):
        doc = graph(["N"] + ids, [S("N", ids[0], segment="S"), S("N", ids[1], segment="S")],
                    [{"entity": u, "list": "L"} for u in ids],
                    segments=[{"seller": "N", "name": "S", "share_max": 0.3}])
        ex = ref.explain(doc, ref.default_options(), "N", upper=True)
        check(ex["_t"] == {("N", first): Fr(0.3)}, f"tie by id: {ex['_t']}")
        check([p["ids"] for p in ex["paths"]] == [["N", first], ["N", [u for u in ids if u != first][0]]],
              "tie: path order")

    # a near-1 cycle with a segment: A->B 0.999 and A->H (unquantified) in one
    # segment.  Tight (0.999): A's room of 0.001 cannot go to H.
    def cyc(cap):
        doc = graph(["A", "B", "H"],
                    [S("A", "B", share=0.999, segment="S"), S("B", "A", share=0.998),
                     S("B", "H", share=0.002), S("A", "H", segment="S")],
                    [{"entity": "H", "list": "L"}])
        if cap is not None:
            doc["segments"] = [{"seller": "A", "name": "S", "share_max": cap}]
        else:
            for r in doc["relationships"]:
                r.pop("segment", None)
        gen.validate(doc)
        return doc
    a, b, h = Fr(0.999), Fr(0.998), Fr(0.002)
    for cap, t in ((0.999, Fr(0)), (0.9995, Fr(0.9995) - a), (1.0, 1 - a), (None, 1 - a)):
        rows, out = run(cyc(cap))
        X = out["_exact"]["X"]
        xa = (a * h + t) / (1 - a * b)
        check(X["A"] == xa and X["B"] == b * xa + h, f"near-1 cycle, segment {cap}: X(A)")
        ex = ref.explain(cyc(cap), ref.default_options(), "A", upper=True)
        check(ex["_t"].get(("A", "H"), 0) == t, f"near-1 cycle, segment {cap}: t(A,H)")
    rows, _ = run(cyc(0.999))
    check(rows["A"]["upper"] == rows["A"]["total"], "near-1 cycle, tight segment: X = x")


def explain_cases():
    """explain and explain --upper on the worked example, by hand."""
    L = [{"entity": "H", "list": "BIS Entity List"}]
    doc = graph([("A", 1000), "B", "C", "H"],
                [S("A", "H", share=0.1), S("A", "B", share=0.5),
                 S("B", "H", share=0.4), S("B", "C"), S("C", "H", share=0.2)], L)
    o = ref.default_options()
    ex = ref.explain(doc, o, "A", upper=True)
    got = [(p["ids"], p["weight"], p["complete"]) for p in ex["paths"]]
    check(got == [(["A", "B", "H"], Fr(0.5) * Fr(0.4), True), (["A", "H"], Fr(0.1), True),
                  (["A", "B", "C", "H"], Fr(0.5) * Fr(0.6) * Fr(0.2), False)],
          f"explain --upper A: {got}")
    check(sum(p["weight"] for p in ex["paths"]) == ex["upper"], "explain --upper A adds up")
    e = ex["paths"][2]["edges"][1]
    check((e["from"], e["to"], e["lo"], e["t"]) == ("B", "C", 0, Fr(0.6)), "t(B,C) = a(B)")
    check(all(ed["t"] == 0 for p in ex["paths"] for ed in p["edges"] if ed["to"] != "C"),
          "exact edges get t = 0")
    ex = ref.explain(doc, o, "A")
    got = [(p["ids"], p["weight"]) for p in ex["paths"]]
    check(got == [(["A", "B", "H"], Fr(0.5) * Fr(0.4)), (["A", "H"], Fr(0.1)),
                  (["A", "B", "C", "H"], 0)], f"explain A: {got}")
    check(all("t" not in ed for p in ex["paths"] for ed in p["edges"]), "lower: no t")
    pub = ref.explain_public(ex, 2)
    check(pub["more"] and len(pub["paths"]) == 2 and pub["bound"] == "lower", "top 2: more")
    check(not ref.explain_public(ex, 3)["more"], "top 3: no more")
    # a restricted entity may end a path at itself; interior entities never repeat
    doc2 = graph(["A", "H", "K"], [S("H", "A", share=0.5), S("A", "H", share=0.5),
                                   S("A", "K", share=0.25), S("K", "A", share=0.5)], L)
    ex = ref.explain(doc2, o, "H")
    got = [(p["ids"], p["weight"]) for p in ex["paths"]]
    check(got == [(["H", "A", "H"], Fr(1, 4))], f"self loop path: {got}")
    # a licensed edge into R+ ends no path; the licensed seller's other edges do
    ex = ref.explain(doc, dict(o, license=[("A", "H")]), "A", upper=True)
    check([p["ids"] for p in ex["paths"]] == [["A", "B", "H"], ["A", "B", "C", "H"]],
          "licensed edge ends no path")
    # order among equal weights: shorter first, then ids
    doc3 = graph(["v", "a", "b", "H"], [S("v", "b", share=0.5), S("v", "a", share=0.25),
                                        S("a", "H", share=1.0), S("b", "H", share=0.5),
                                        S("v", "H", share=0.25)], L)
    ex = ref.explain(doc3, o, "v")
    check([p["ids"] for p in ex["paths"]] == [["v", "H"], ["v", "a", "H"], ["v", "b", "H"]],
          "order: weight, length, ids")


def affiliates():
    doc = graph(["A", "B", "C", "D", "E", "F"],
                [O("A", "B", 50), O("B", "C", 50), O("C", "D", 30), O("A", "D", 20),
                 O("A", "E"), O("F", "E", 40), S("F", "E", share=0.5),
                 O("D", "F", 10)],
                [{"entity": "A", "list": "L"}])
    rows, out = run(doc, affiliates=50)
    R = {r["id"]: r["via"] for r in out["restricted"]}
    check(R == {"A": "listing", "B": "affiliate", "C": "affiliate", "D": "affiliate",
                "E": "possible_affiliate"}, f"affiliates R/R+ {R}")
    check(rows["E"]["possibly_restricted"] and not rows["E"]["restricted"], "E possibly")
    check(rows["F"]["total"] == 0 and near(rows["F"]["upper"], 0.5), "F: x=0, X=0.5 via R+")
    # tolerance: 33.3 + 16.7 >= 50
    doc = graph(["A", "B", "C"], [O("A", "C", 33.3), O("B", "C", 16.7)],
                [{"entity": "A", "list": "L"}, {"entity": "B", "list": "L"}])
    _, out = run(doc, affiliates=50)
    check([r["id"] for r in out["restricted"]] == ["A", "B", "C"], "tolerance")
    _, out = run(doc, affiliates=50.1)
    check([r["id"] for r in out["restricted"]] == ["A", "B"], "threshold 50.1")


def dates():
    L = [{"entity": "A", "list": "X", "start": "2020-01-01", "end": "2021-01-01"},
         {"entity": "B", "list": "Y", "end": "2020-06-01"},
         {"entity": "C", "list": "Y", "start": "2020-06-01"}]
    doc = graph(["A", "B", "C"], [], L)
    ids = lambda out: [r["id"] for r in out["restricted"]]  # noqa: E731
    _, out = run(doc)
    check(ids(out) == ["C"] and out["as_of"] is None, "no date: no end")
    _, out = run(doc, as_of="2020-06-01")
    check(ids(out) == ["A", "C"], "start<=D, D<end")
    _, out = run(doc, as_of="2020-05-31")
    check(ids(out) == ["A", "B"], "D<end")
    _, out = run(doc, as_of="2021-01-01", lists=["X"])
    check(ids(out) == [], "end exclusive")
    _, out = run(doc, as_of="2021-01-01", list=["B"], delist=["C"])
    check(ids(out) == ["B"], "list / delist")
    doc["meta"] = {"as_of": "2020-03-01"}
    _, out = run(doc)
    check(ids(out) == ["A", "B"] and out["as_of"] == "2020-03-01", "meta.as_of")


def random_graphs(n):
    for seed in range(n):
        doc, opts = gen.generate(seed)
        o = dict(opts)
        o["max_depth"] = None
        out = ref.analyze(doc, o)
        ex = out["_exact"]
        x, X = ex["x"], ex["X"]
        g = ref.Graph(doc)
        L, _ = ref.listed_set(g, o)
        R, Rp = ref.restricted_sets(g, L, o["affiliates"])
        m = ref.Model(g, R, Rp, set(tuple(p) for p in o["license"]))
        check(m.x_step(x) == x, f"seed {seed}: x not a fixpoint")
        check(m.X_step(X) == X, f"seed {seed}: X not a fixpoint")
        for v in g.ids:
            check(0 <= x[v] <= 1 and X[v] <= 1, f"seed {seed}: bounds {v}")
            if not (set(l for l, b in o["license"] if b in Rp - R)):
                check(x[v] <= X[v], f"seed {seed}: x<=X at {v}")
        # plain iteration (floats) from 0 approaches from below
        Xf = {v: Fr(0) for v in g.ids}
        for _ in range(60):
            Xf = {v: Fr(float(val)) for v, val in m.X_step(Xf).items()}
        for v in g.ids:
            check(float(Xf[v]) <= float(X[v]) + 1e-12, f"seed {seed}: X iterate above X at {v}")


def no_segments(doc):
    d = dict(doc)
    d.pop("segments", None)
    d["relationships"] = [{k: v for k, v in r.items() if k != "segment"}
                          for r in doc["relationships"]]
    return d


def segment_properties(n):
    """With segments X can only fall; x, d, reach and R do not change."""
    count = lower = 0
    for seed in range(n):
        doc, o = gen.generate(seed)
        if not doc.get("segments"):
            continue
        count += 1
        lower += ref.analyze(doc, o)["_exact"]["X"] != ref.analyze(no_segments(doc), o)["_exact"]["X"]
        for k in (None, o["max_depth"] or 2):
            oo = dict(o, max_depth=k)
            a, b = ref.analyze(doc, oo), ref.analyze(no_segments(doc), oo)
            check(a["restricted"] == b["restricted"], f"seed {seed}: R changed by segments")
            ra = {r["id"]: r for r in a["entities"]}
            rb = {r["id"]: r for r in b["entities"]}
            for v in ra:
                check(a["_exact"]["X"][v] <= b["_exact"]["X"][v], f"seed {seed}: X({v}) rose")
                check(a["_exact"]["x"][v] == b["_exact"]["x"][v], f"seed {seed}: x({v}) moved")
                check(ra[v]["reach"] == rb[v]["reach"] and ra[v]["direct"] == rb[v]["direct"],
                      f"seed {seed}: reach/direct {v} moved")
    print(f"segment properties: {count} graphs with segments, {lower} where they lower X")


def explain_random(n):
    """On random graphs (half of them acyclic): the upper paths add up to X
    exactly when every walk is simple (always on an acyclic graph), to at
    most X otherwise; the same for the lower paths and x; each path's weight
    is the product of lo + t; the allocation keeps every cap (room, edge,
    segment) and is the greedy fill at X."""
    exact_sums = 0
    for seed in range(n):
        acyclic = seed % 2 == 0
        doc, o = gen.generate(seed, n=(seed % 7) + 3, acyclic=acyclic)
        o = dict(o, max_depth=None)
        for upper in (True, False):
            for v in [e["id"] for e in doc["entities"]]:
                ex = ref.explain(doc, o, v, upper=upper)
                m = ex["_model"]
                RR = m.Rp if upper else m.R
                total = ex["upper"] if upper else ex["total"]
                s = sum((p["weight"] for p in ex["paths"]), Fr(0))
                if acyclic or ref.walks_simple(m, v, RR):
                    exact_sums += 1
                    check(s == total, f"seed {seed}: paths of {v} add up to {float(s)}, "
                                      f"not {float(total)} (upper={upper})")
                else:
                    check(s <= total, f"seed {seed}: paths of {v} exceed {float(total)}")
                for p in ex["paths"]:
                    w = Fr(1)
                    for ed in p["edges"]:
                        w *= ed["lo"] + ed.get("t", 0)
                    check(w == p["weight"], f"seed {seed}: weight of {p['ids']}")
                    check(len(set(p["ids"][:-1])) == len(p["ids"]) - 1
                          and all(u not in RR for u in p["ids"][1:-1]) and p["ids"][-1] in RR,
                          f"seed {seed}: path shape {p['ids']}")
                keys = [ref.path_order(p) for p in ex["paths"]]
                check(keys == sorted(keys), f"seed {seed}: path order")
            if upper:
                check_allocation(seed, m, ex["_t"])
    print(f"explain: {exact_sums} path sums checked exactly")


def check_allocation(seed, m, tmap):
    g = m.g
    X = ref.solve(m, None)[1]
    for v in g.ids:
        edges = g.out[v]
        ts = [tmap.get((v, e["to"]), Fr(0)) for e in edges]
        check(all(0 <= t <= e["hi"] - e["lo"] for t, e in zip(ts, edges)), f"seed {seed}: t caps")
        check(sum(ts, Fr(0)) <= m.room(v), f"seed {seed}: room of {v}")
        for key, b in g.segments.items():
            if key[0] == v:
                used = sum((t for t, e in zip(ts, edges) if e["segment"] == key[1]), Fr(0))
                check(used <= b, f"seed {seed}: segment {key}")
        val = sum(((e["lo"] + t) * m.carried(e, X, m.Rp) for t, e in zip(ts, edges)), Fr(0))
        check(val == X[v], f"seed {seed}: allocation of {v} does not give X")


def brute_force_X(seeds, limit=3000):
    """X as the max, over every combination of per-entity fill orders of the
    knapsack (the vertices that matter), of the least solution of the fixed
    policy: an independent check of the policy iteration."""
    import itertools
    checked = 0
    for seed in seeds:
        doc, o = gen.generate(seed)
        o = dict(o)
        o["max_depth"] = None
        g = ref.Graph(doc)
        L, _ = ref.listed_set(g, o)
        R, Rp = ref.restricted_sets(g, L, o["affiliates"])
        m = ref.Model(g, R, Rp, set(tuple(p) for p in o["license"]))
        X = ref.analyze(doc, o)["_exact"]["X"]
        choices = []
        total = 1
        for v in g.ids:
            items = [i for i, e in enumerate(g.out[v]) if e["hi"] > e["lo"]]
            a = m.room(v)
            allocs = []
            for perm in itertools.permutations(items):
                left, al = a, {}
                seg = {}
                for key, b in g.segments.items():
                    if key[0] == v:
                        seg[key[1]] = b
                for i in perm:
                    e = g.out[v][i]
                    t = min(left, e["hi"] - e["lo"])
                    if e["segment"] is not None:
                        t = min(t, seg[e["segment"]])
                    if t > 0:
                        al[i] = t
                        left -= t
                        if e["segment"] is not None:
                            seg[e["segment"]] -= t
                if al not in allocs:
                    allocs.append(al)
            choices.append(allocs or [{}])
            total *= len(choices[-1])
        if total > limit:
            continue
        checked += 1
        best = {v: Fr(0) for v in g.ids}
        for combo in itertools.product(*choices):
            val = m.policy_solve(dict(zip(g.ids, combo)))
            for v in g.ids:
                if val[v] > best[v]:
                    best[v] = val[v]
        for v in g.ids:
            check(best[v] == X[v], f"seed {seed}: brute-force X({v}) {float(best[v])} != {float(X[v])}")
    print(f"brute force X: {checked} graphs checked")


def main():
    n = 200
    if "--random" in sys.argv:
        n = int(sys.argv[sys.argv.index("--random") + 1])
    worked_example()
    segments()
    explain_cases()
    cycles()
    affiliates()
    dates()
    random_graphs(n)
    brute_force_X(range(n))
    segment_properties(n)
    explain_random(n)
    print(f"selftest: {len(FAILS)} failures")
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
