#!/usr/bin/env python3
"""Self-tests of the reference implementation (no binary needed).

    python3 selftest.py [--random N]

Checks the worked example of the spec (section 4, with its share_max and
share_min variants), hand-made near-1 cycles against closed forms, and, on N
random graphs from gen.py, that x and X are exact fixpoints of their
equations, that x <= X <= 1, and that plain iteration from 0 stays below them
and approaches them.
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
                for i in perm:
                    t = min(left, g.out[v][i]["hi"] - g.out[v][i]["lo"])
                    if t > 0:
                        al[i] = t
                        left -= t
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
    cycles()
    affiliates()
    dates()
    random_graphs(n)
    brute_force_X(range(n))
    print(f"selftest: {len(FAILS)} failures")
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
