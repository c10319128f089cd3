#!/usr/bin/env python3
"""Independent reference implementation of `exposure analyze --format json --all`.

Follows /work/shared/spec/exposure.md, graph-format.md and cli.md.  Every
number is computed with exact rational arithmetic (fractions.Fraction; input
floats are converted exactly) and converted to float only at output.

Usage:
    python3 reference.py GRAPH.json [--as-of D] [--lists A,B] [--affiliates PCT]
        [--max-depth K] [--list ID]... [--delist ID]... [--license SELLER:BUYER]...
        [--decimal] [--explain ID [--upper] [--top K]]

With --explain ID it prints the `explain ID --format json` object instead
(the lower bound's paths; with --upper the paths behind X, section 5).

Library use:  analyze(graph_dict, options_dict) -> output dict, where the
options dict has the keys of `default_options()`; explain(graph_dict,
options_dict, id, upper=...) -> every path, exact; explain_public(that, K).
"""

import argparse
import json
import sys
from fractions import Fraction

ZERO = Fraction(0)
ONE = Fraction(1)
EPS = Fraction(1, 10**9)  # the 1e-9 tolerance of the threshold comparisons


# How a JSON number becomes a Fraction.  "binary" (the default): the exact
# value of the IEEE double the text parses to, Fraction(float).  "decimal":
# the exact value of the shortest decimal text of that double (what the file
# says: 0.002 + 0.998 == 1).  They differ by ~1e-17 per number, which only
# matters for ill-conditioned inputs (a loop whose only leak is a room of
# ~1e-18); crosscheck.py accepts either in such cases.
NUMBERS = "binary"


def F(x):
    """Exact conversion of a JSON number (int or float) to a Fraction."""
    if isinstance(x, bool):
        raise TypeError("boolean is not a number")
    if NUMBERS == "decimal" and isinstance(x, float):
        return Fraction(repr(x))
    return Fraction(x)


def default_options():
    return {
        "as_of": None,          # "YYYY-MM-DD" or None
        "lists": None,          # list of list names or None (= every list)
        "affiliates": None,     # threshold (number) or None (rule off)
        "max_depth": None,      # int >= 1 or None
        "list": [],             # entity ids: add a listing in effect
        "delist": [],           # entity ids: none of their listings in effect
        "license": [],          # [seller, buyer] pairs
    }


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------

class Graph:
    def __init__(self, doc):
        self.doc = doc
        self.entities = doc.get("entities", [])
        self.ids = [e["id"] for e in self.entities]
        self.name = {e["id"]: e["name"] for e in self.entities}
        self.revenue = {}
        for e in self.entities:
            r = e.get("revenue")
            self.revenue[e["id"]] = None if r is None else r
        self.meta = doc.get("meta") or {}
        # supplies edges: list of dicts (from, to, lo, hi, exact)
        self.supplies = []
        self.owns = []
        for rel in doc.get("relationships", []) or []:
            t = rel["type"]
            if t == "supplies":
                self.supplies.append(self._supply(rel))
            elif t == "owns":
                p = rel.get("percent")
                self.owns.append({"from": rel["from"], "to": rel["to"],
                                  "percent": None if p is None else F(p)})
        self.listings = doc.get("listings", []) or []
        self.out = {v: [] for v in self.ids}
        for e in self.supplies:
            self.out[e["from"]].append(e)
        # segments: (seller, name) -> b(S) = max(0, share_max - sum of lo
        # over the segment's edges), the most its edges' t may add up to
        self.segments = {}
        for sg in doc.get("segments", []) or []:
            key = (sg["seller"], sg["name"])
            if key in self.segments:
                raise ValueError(f"segment {key} defined twice")
            self.segments[key] = F(sg["share_max"])
        for e in self.supplies:
            if e["segment"] is not None:
                key = (e["from"], e["segment"])
                if key not in self.segments:
                    raise ValueError(f"edge {e['from']}->{e['to']}: no segment {key}")
                self.segments[key] -= e["lo"]
        for key, b in self.segments.items():
            self.segments[key] = max(ZERO, b)

    def _supply(self, rel):
        seller = rel["from"]
        share = None
        if rel.get("share") is not None:
            share = F(rel["share"])
        elif rel.get("value") is not None:
            rev = self.revenue.get(seller)
            if rev is not None and F(rev) > 0:
                share = F(rel["value"]) / F(rev)
        if share is not None:
            lo = hi = share
            exact = True
        else:
            lo = F(rel["share_min"]) if rel.get("share_min") is not None else ZERO
            hi = F(rel["share_max"]) if rel.get("share_max") is not None else ONE
            exact = False
        return {"from": seller, "to": rel["to"], "lo": lo, "hi": hi, "exact": exact,
                "segment": rel.get("segment")}


# --------------------------------------------------------------------------
# Section 1 and 2: listings in effect, R, R+
# --------------------------------------------------------------------------

def listed_set(g, opts):
    D = opts["as_of"] or g.meta.get("as_of")
    lists = opts["lists"]
    delist = set(opts["delist"])
    L = set()
    for l in g.listings:
        ent = l["entity"]
        if ent in delist:
            continue
        if lists is not None and l["list"] not in lists:
            continue
        start, end = l.get("start"), l.get("end")
        if D is not None:
            ok = (start is None or start <= D) and (end is None or D < end)
        else:
            ok = end is None
        if ok:
            L.add(ent)
    for ent in opts["list"]:
        L.add(ent)
    # --delist ID: none of ID's listings is in effect, a --list one included
    L -= delist
    return L, D


def restricted_sets(g, L, t):
    if t is None:
        return set(L), set(L)
    t = F(t)
    # R: least fixpoint
    R = set(L)
    changed = True
    while changed:
        changed = False
        sums = {}
        for o in g.owns:
            if o["from"] in R and o["percent"] is not None:
                sums[o["to"]] = sums.get(o["to"], ZERO) + o["percent"]
        for v, s in sums.items():
            if v not in R and s >= t - EPS:
                R.add(v)
                changed = True
    # R+: least fixpoint
    known_total = {}
    for o in g.owns:
        if o["percent"] is not None:
            known_total[o["to"]] = known_total.get(o["to"], ZERO) + o["percent"]
    Rp = set(L)
    changed = True
    while changed:
        changed = False
        sums = {}
        unknown = set()
        for o in g.owns:
            if o["from"] in Rp:
                if o["percent"] is not None:
                    sums[o["to"]] = sums.get(o["to"], ZERO) + o["percent"]
                else:
                    unknown.add(o["to"])
        for v in set(sums) | unknown:
            if v in Rp:
                continue
            s = sums.get(v, ZERO)
            if v in unknown:
                s += Fraction(100) - known_total.get(v, ZERO)
            if s >= t - EPS:
                Rp.add(v)
                changed = True
    assert R <= Rp
    return R, Rp


# --------------------------------------------------------------------------
# Linear algebra: least non-negative solution of x = W x + b
# --------------------------------------------------------------------------

def least_solution(ids, W, b):
    """W: v -> list of (u, w) with w > 0 (dependencies on unknown u);
    b: v -> Fraction >= 0.  Returns the least non-negative solution, exactly.

    Nodes that cannot reach a positive b through positive-weight edges are 0
    (structurally); the rest form a system whose matrix is non-singular
    (spectral radius < 1 when the rows of W sum to <= 1), solved by Gaussian
    elimination over the rationals."""
    rev = {v: [] for v in ids}
    for v in ids:
        for u, w in W.get(v, []):
            if w > 0:
                rev[u].append(v)
    alive = set(v for v in ids if b.get(v, ZERO) > 0)
    stack = list(alive)
    while stack:
        u = stack.pop()
        for v in rev[u]:
            if v not in alive:
                alive.add(v)
                stack.append(v)
    x = {v: ZERO for v in ids}
    S = [v for v in ids if v in alive]
    if not S:
        return x
    idx = {v: i for i, v in enumerate(S)}
    n = len(S)
    # matrix rows: (I - W) | b
    M = []
    for v in S:
        row = [ZERO] * (n + 1)
        row[idx[v]] += ONE
        for u, w in W.get(v, []):
            if u in idx and w != 0:
                row[idx[u]] -= w
        row[n] = b.get(v, ZERO)
        M.append(row)
    for c in range(n):
        p = None
        for r in range(c, n):
            if M[r][c] != 0:
                p = r
                break
        if p is None:
            raise ArithmeticError("singular system (row sums > 1?)")
        M[c], M[p] = M[p], M[c]
        piv = M[c][c]
        rowc = M[c]
        if piv != 1:
            rowc = [a / piv for a in rowc]
            M[c] = rowc
        nz = [j for j in range(c, n + 1) if rowc[j] != 0]
        for r in range(n):
            if r != c:
                f = M[r][c]
                if f != 0:
                    rr = M[r]
                    for j in nz:
                        rr[j] -= f * rowc[j]
    for v in S:
        val = M[idx[v]][n]
        if val < 0:
            raise ArithmeticError("negative solution: invalid input (share sums > 1?)")
        x[v] = val
    return x


# --------------------------------------------------------------------------
# Section 3: x, d, X, reach
# --------------------------------------------------------------------------

class Model:
    def __init__(self, g, R, Rp, licensed):
        self.g = g
        self.ids = g.ids
        self.R = R
        self.Rp = Rp
        self.licensed = licensed

    def is_lic(self, e):
        return (e["from"], e["to"]) in self.licensed

    # carried value of an edge given f, with restricted set RR
    def carried(self, e, f, RR):
        u = e["to"]
        if u in RR:
            return ZERO if self.is_lic(e) else ONE
        return f[u]

    # ---- lower exposure x
    def x_system(self):
        W, b = {}, {}
        for v in self.ids:
            ws, bv = [], ZERO
            for e in self.g.out[v]:
                if e["lo"] == 0:
                    continue
                if e["to"] in self.R:
                    if not self.is_lic(e):
                        bv += e["lo"]
                else:
                    ws.append((e["to"], e["lo"]))
            W[v], b[v] = ws, bv
        return W, b

    def x_exact(self):
        W, b = self.x_system()
        return least_solution(self.ids, W, b)

    def x_step(self, f):
        return {v: sum((e["lo"] * self.carried(e, f, self.R) for e in self.g.out[v]), ZERO)
                for v in self.ids}

    def direct(self):
        return {v: sum((e["lo"] for e in self.g.out[v]
                        if e["to"] in self.R and not self.is_lic(e)), ZERO)
                for v in self.ids}

    # ---- upper exposure X
    def room(self, v):
        return max(ZERO, ONE - sum((e["lo"] for e in self.g.out[v]), ZERO))

    def fill_order(self, v, vals, ties=ZERO):
        """The order in which the greedy fill visits v's edges: carried value
        descending, ties by the buyer's id ascending.  With ties > 0, values
        within `ties` of the largest value of their group (groups formed in
        descending order) count as tied."""
        edges = self.g.out[v]
        order = sorted(range(len(edges)), key=lambda i: (-vals[i], edges[i]["to"]))
        if ties <= 0:
            return order
        groups, start = [], None
        for i in order:
            if groups and start - vals[i] <= ties:
                groups[-1].append(i)
            else:
                groups.append([i])
                start = vals[i]
        return [i for grp in groups for i in sorted(grp, key=lambda i: edges[i]["to"])]

    def greedy(self, v, f, ties=ZERO):
        """Knapsack allocation (edge index -> t > 0) of section 3, greedy on
        carried_X under f: each edge in turn takes min(hi - lo, what is left
        of a(v), what is left of b(S) of its segment).  The fill goes on
        through edges of carried value 0 (they change no value, but the
        allocation is what `explain --upper` shows).  Returns the allocation
        and the value of the whole right-hand side at v."""
        edges = self.g.out[v]
        vals = [self.carried(e, f, self.Rp) for e in edges]
        base = sum((e["lo"] * c for e, c in zip(edges, vals)), ZERO)
        a = self.room(v)
        seg_left = {}
        alloc = {}
        extra = ZERO
        for i in self.fill_order(v, vals, ties):
            if a <= 0:
                break
            e = edges[i]
            t = min(e["hi"] - e["lo"], a)
            key = None if e["segment"] is None else (v, e["segment"])
            if key is not None:
                t = min(t, seg_left.setdefault(key, self.g.segments[key]))
            if t <= 0:
                continue
            alloc[i] = t
            a -= t
            if key is not None:
                seg_left[key] -= t
            extra += t * vals[i]
        return alloc, base + extra

    def policy_value(self, v, alloc, f):
        edges = self.g.out[v]
        return sum(((e["lo"] + alloc.get(i, ZERO)) * self.carried(e, f, self.Rp)
                    for i, e in enumerate(edges)), ZERO)

    def policy_solve(self, policy):
        W, b = {}, {}
        for v in self.ids:
            ws, bv = [], ZERO
            for i, e in enumerate(self.g.out[v]):
                w = e["lo"] + policy[v].get(i, ZERO)
                if w == 0:
                    continue
                if e["to"] in self.Rp:
                    if not self.is_lic(e):
                        bv += w
                else:
                    ws.append((e["to"], w))
            W[v], b[v] = ws, bv
        return least_solution(self.ids, W, b)

    def X_exact(self, x):
        # initial policy: greedy on x
        policy = {v: self.greedy(v, x)[0] for v in self.ids}
        val = self.policy_solve(policy)
        for _ in range(10000):
            changed = False
            for v in self.ids:
                alloc, g = self.greedy(v, val)
                cur = self.policy_value(v, policy[v], val)
                if g > cur:  # switch only on strict improvement
                    policy[v] = alloc
                    changed = True
            if not changed:
                return val
            new = self.policy_solve(policy)
            for v in self.ids:
                assert new[v] >= val[v], "policy iteration not monotone"
            val = new
        raise RuntimeError("policy iteration did not converge")

    def X_step(self, f):
        return {v: self.greedy(v, f)[1] for v in self.ids}

    # ---- reach
    def reach(self, v, k=None):
        found = set()
        seen = {v}
        frontier = [v]
        depth = 0
        while frontier and (k is None or depth < k):
            depth += 1
            nxt = []
            for w in frontier:
                for e in self.g.out[w]:
                    u = e["to"]
                    if u in self.R:
                        if not self.is_lic(e):
                            found.add(u)
                    elif u not in seen:
                        seen.add(u)
                        nxt.append(u)
            frontier = nxt
        return len(found)


def analyze(doc, opts, numbers="binary"):
    global NUMBERS
    saved, NUMBERS = NUMBERS, numbers
    try:
        return _analyze(doc, opts)
    finally:
        NUMBERS = saved


def model(doc, opts):
    """(graph, model, L, as-of date) for a graph document and options."""
    g = Graph(doc)
    L, D = listed_set(g, opts)
    R, Rp = restricted_sets(g, L, opts["affiliates"])
    licensed = set(tuple(p) for p in opts["license"])
    return g, Model(g, R, Rp, licensed), L, D


def solve(m, k):
    """x and X, exactly: least solutions, or the k-th iterates from 0."""
    if k is None:
        x = m.x_exact()
        return x, m.X_exact(x)
    x = {v: ZERO for v in m.ids}
    X = {v: ZERO for v in m.ids}
    for _ in range(k):
        x = m.x_step(x)
        X = m.X_step(X)
    return x, X


def _analyze(doc, opts):
    g, m, L, D = model(doc, opts)
    t = opts["affiliates"]
    R, Rp = m.R, m.Rp
    k = opts["max_depth"]
    d = m.direct()
    x, X = solve(m, k)
    rows = []
    for v in g.ids:
        rev = g.revenue[v]
        rows.append({
            "id": v,
            "name": g.name[v],
            "restricted": v in R,
            "possibly_restricted": v in Rp and v not in R,
            "_x": x[v], "_X": X[v],
            "direct": float(d[v]),
            "indirect": float(x[v] - d[v]),
            "total": float(x[v]),
            "upper": float(X[v]),
            "revenue": rev,
            "revenue_at_risk": None if rev is None else float(x[v] * F(rev)),
            "revenue_at_risk_upper": None if rev is None else float(X[v] * F(rev)),
            "reach": m.reach(v, k),
        })
    rows.sort(key=lambda r: (-r["_x"], -r["_X"], r["id"].encode("utf-8")))
    for r in rows:
        del r["_x"], r["_X"]
    restricted = []
    for v in sorted(R, key=lambda s: s.encode("utf-8")):
        restricted.append({"id": v, "via": "listing" if v in L else "affiliate"})
    for v in sorted(Rp - R, key=lambda s: s.encode("utf-8")):
        restricted.append({"id": v, "via": "possible_affiliate"})
    return {
        "as_of": D,
        "affiliates_threshold": None if t is None else t,
        "max_depth": k,
        "restricted": restricted,
        "entities": rows,
        # exact values, for self-checks (not part of the CLI output)
        "_exact": {"x": x, "X": X, "d": d},
    }


# --------------------------------------------------------------------------
# Section 5: explain, explain --upper
# --------------------------------------------------------------------------

def simple_paths(m, v, RR, w, max_len=None, positive_only=False):
    """Every path v -> ... -> r that ends at the first entity r of RR it
    reaches, through interior entities not in RR, no entity twice except
    that v itself may be the end (a restricted v selling round to itself).
    Licensed edges into RR end no path.  w(e) is an edge's weight; with
    positive_only, edges of weight 0 are not followed.  Yields (entity ids,
    edges, product of the weights)."""
    ids, edges, on = [v], [], {v}

    def dfs(at, weight):
        if max_len is not None and len(edges) >= max_len:
            return
        for e in m.g.out[at]:
            u, we = e["to"], w(e)
            if positive_only and we == 0:
                continue
            if u in RR:
                if not m.is_lic(e):
                    yield ids + [u], edges + [e], weight * we
            elif u not in on:
                ids.append(u)
                edges.append(e)
                on.add(u)
                yield from dfs(u, weight * we)
                on.discard(u)
                edges.pop()
                ids.pop()

    yield from dfs(v, ONE)


def walks_simple(m, v, RR):
    """True when every walk from v to its first entity of RR is a simple path
    (no cycle among the entities not in RR that v reaches; always so on an
    acyclic graph): then the path weights add up to the exposure exactly."""
    seen, stack = set(), [v]
    while stack:
        w = stack.pop()
        for e in m.g.out[w]:
            if e["to"] not in RR and e["to"] not in seen:
                seen.add(e["to"])
                stack.append(e["to"])
    nodes = seen | ({v} if v not in RR else set())
    color = {}

    def cyclic(w):
        color[w] = 1
        for e in m.g.out[w]:
            u = e["to"]
            if u in nodes:
                if color.get(u) == 1 or (u not in color and cyclic(u)):
                    return True
        color[w] = 2
        return False
    return not any(w not in color and cyclic(w) for w in nodes)


def path_order(p):
    """Section 5: weight descending, then length ascending, then the ids."""
    return (-p["weight"], len(p["ids"]), p["ids"])


def explain(doc, opts, entity, upper=False, positive_only=False, numbers="binary",
            ties=ZERO):
    """Every path behind x(entity) (or X(entity) with upper), in order, with
    exact weights.  Returns {"id", "total", "upper", "bound", "paths", "_t"}:
    each path is {"ids", "weight", "complete", "edges"}, each edge {"from",
    "to", "lo"} (and "t" with upper); numbers are Fractions.  "_t" maps each
    (seller, buyer) to the t of the worst-case allocation.  `ties`: carried
    values within it of each other count as tied in the greedy fill (0:
    exact ties only)."""
    global NUMBERS
    saved, NUMBERS = NUMBERS, numbers
    try:
        g, m, _, _ = model(doc, opts)
        if entity not in g.out:
            raise KeyError(f"unknown entity {entity!r}")
        k = opts["max_depth"]
        if upper and k is not None:
            raise ValueError("explain --upper is defined without --max-depth only")
        x, X = solve(m, k)
        tmap = {}
        if upper:
            for v in g.ids:
                alloc, _ = m.greedy(v, X, ties)
                for i, t in alloc.items():
                    e = g.out[v][i]
                    tmap[(e["from"], e["to"])] = t

            def w(e):
                return e["lo"] + tmap.get((e["from"], e["to"]), ZERO)
            RR = m.Rp
        else:
            def w(e):
                return e["lo"]
            RR = m.R
        paths = []
        for ids, edges, weight in simple_paths(m, entity, RR, w, k, positive_only):
            es = []
            for e in edges:
                d = {"from": e["from"], "to": e["to"], "lo": e["lo"]}
                if upper:
                    d["t"] = tmap.get((e["from"], e["to"]), ZERO)
                es.append(d)
            paths.append({"ids": ids, "weight": weight,
                          "complete": all(e["exact"] for e in edges), "edges": es})
        paths.sort(key=path_order)
        return {"id": entity, "total": x[entity], "upper": X[entity],
                "bound": "upper" if upper else "lower", "paths": paths, "_t": tmap,
                "_model": m}
    finally:
        NUMBERS = saved


def explain_public(ex, top):
    """The JSON object of `exposure explain ID [--upper] --format json --top K`
    (the fields that the CLI spec fixes), numbers as floats."""
    paths = []
    for p in ex["paths"][:top]:
        paths.append({"ids": p["ids"], "weight": float(p["weight"]), "complete": p["complete"],
                      "edges": [{k: (float(v) if isinstance(v, Fraction) else v)
                                 for k, v in e.items()} for e in p["edges"]]})
    return {"id": ex["id"], "total": float(ex["total"]), "upper": float(ex["upper"]),
            "bound": ex["bound"], "more": len(ex["paths"]) > top, "paths": paths}


def public(out):
    return {k: v for k, v in out.items() if not k.startswith("_")}


def options_to_args(opts):
    """CLI arguments (for `exposure analyze`) that express opts."""
    args = []
    if opts.get("as_of") is not None:
        args += ["--as-of", opts["as_of"]]
    if opts.get("lists") is not None:
        args += ["--lists", ",".join(opts["lists"])]
    if opts.get("affiliates") is not None:
        args += ["--affiliates", repr(opts["affiliates"])]
    if opts.get("max_depth") is not None:
        args += ["--max-depth", str(opts["max_depth"])]
    for i in opts.get("list", []):
        args += ["--list", i]
    for i in opts.get("delist", []):
        args += ["--delist", i]
    for s, b in opts.get("license", []):
        args += ["--license", f"{s}:{b}"]
    return args


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("graph")
    p.add_argument("--as-of")
    p.add_argument("--lists")
    p.add_argument("--affiliates", type=float)
    p.add_argument("--max-depth", type=int)
    p.add_argument("--list", action="append", default=[])
    p.add_argument("--delist", action="append", default=[])
    p.add_argument("--license", action="append", default=[])
    p.add_argument("--decimal", action="store_true",
                   help="read numbers as their decimal text, not as binary doubles")
    p.add_argument("--explain", metavar="ID",
                   help="print the `explain ID --format json` object instead")
    p.add_argument("--upper", action="store_true", help="with --explain: the paths behind X")
    p.add_argument("--top", type=int, default=10, help="with --explain: paths listed (10)")
    a = p.parse_args(argv)
    if a.upper and a.explain is None:
        p.error("--upper needs --explain ID")
    if a.upper and a.max_depth is not None:
        p.error("--explain --upper is defined without --max-depth only")
    opts = default_options()
    opts["as_of"] = a.as_of
    opts["lists"] = None if a.lists is None else a.lists.split(",")
    if a.affiliates is not None:
        v = a.affiliates
        opts["affiliates"] = int(v) if v == int(v) else v
    opts["max_depth"] = a.max_depth
    opts["list"] = a.list
    opts["delist"] = a.delist
    opts["license"] = [tuple(s.split(":", 1)) for s in a.license]
    opts["_numbers"] = "decimal" if a.decimal else "binary"
    return a, opts


def main(argv=None):
    a, opts = parse_args(sys.argv[1:] if argv is None else argv)
    with open(a.graph, encoding="utf-8") as fh:
        doc = json.load(fh)
    numbers = opts.pop("_numbers")
    if a.explain is not None:
        ex = explain(doc, opts, a.explain, upper=a.upper, numbers=numbers)
        print(json.dumps(explain_public(ex, a.top), indent=2, ensure_ascii=False))
        return
    print(json.dumps(public(analyze(doc, opts, numbers)), indent=2))


if __name__ == "__main__":
    main()
