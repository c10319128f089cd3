#!/usr/bin/env python3
"""Random valid `exposure-graph/1` graphs, with random `analyze` options.

    python3 gen.py --seed S [--n N] [--no-segments] [--acyclic] OUT.json

writes the graph to OUT.json and prints the options on stdout as JSON:
{"options": {...reference.default_options() keys...}, "args": [CLI args]}.

Library use: generate(seed, n=None, segments=True, acyclic=False)
-> (graph_dict, options_dict).

Graphs are small (3..12 entities) and exercise: cycles (often with shares
close to 1: 0.99, 0.999, 0.998, 1.0), exact shares, `value` shares resolved
through the seller's revenue (and `value` without a seller revenue, which is
then not exact), `share` + `value` together, bounded edges (share_min and/or
share_max), unquantified edges, `owns` edges with and without a percent,
listings on two lists with start/end dates, revenues (some absent, some 0),
meta.as_of sometimes, unknown extra fields, and segments (tight, loose, at 1,
at 0, on near-1 cycles; none in about 30 % of the graphs, none at all with
--no-segments; --acyclic: no cycles).  Every graph satisfies the
validation rules of graph-format.md (checked by validate()).
"""

import argparse
import datetime
import json
import os
import random
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402

ID_POOL = ["a", "b", "C", "d1", "d10", "d2", "Echo", "f-x", "g_y", "h.z",
           "alpha", "Beta", "zeta", "Z", "m9", "n0", "q", "acme", "Acme2", "x_1"]
LISTS = ["BIS Entity List", "OFAC SDN"]
DATES = ["2019-05-16", "2019-10-09", "2020-08-17", "2020-12-18", "2021-06-03",
         "2022-01-01", "2020-02-29"]
NEAR1 = [0.99, 0.999, 0.998, 1.0, 0.95, 0.9]
SMALL = [0.001, 0.002, 0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 1 / 3, 0.08, 0.15, 0.7]
PERCENTS = [50, 25, 10, 100, 33.3, 16.7, 60, 20, 51, 49, 30, 75, 50.5, 0.5]


def rand_date(rng):
    if rng.random() < 0.6:
        return rng.choice(DATES)
    d = datetime.date(2018, 1, 1) + datetime.timedelta(days=rng.randint(0, 1800))
    return d.isoformat()


def F(x):
    return Fraction(x)


def FD(x):
    """The decimal reading of a number (its shortest repr)."""
    return Fraction(repr(x)) if isinstance(x, float) else Fraction(x)


class Budget:
    """1 - exact shares - share_min of one seller, in both the binary and the
    decimal reading of the numbers (both must stay >= 0)."""

    def __init__(self):
        self.b = Fraction(1)
        self.d = Fraction(1)

    def fits(self, b, d=None):
        return b <= self.b and (b if d is None else d) <= self.d

    def fits_num(self, x):
        return self.fits(F(x), FD(x))

    def take(self, b, d):
        self.b -= b
        self.d -= d

    def take_num(self, x):
        self.take(F(x), FD(x))


def generate(seed, n=None, segments=True, acyclic=False):
    """A random valid graph and random options for `seed`.  segments=False
    gives exactly the graphs of the generator before segments existed (the
    segments come from a random stream of their own, drawn last);
    acyclic=True orients every supplies edge along a random order of the
    entities, so the graph has no cycle of supplies edges."""
    rng = random.Random(seed)
    if n is None:
        n = rng.randint(3, 12)
    pool = ID_POOL + [f"e{i}" for i in range(max(0, n - len(ID_POOL)))]
    ids = rng.sample(pool, n)
    entities = []
    revenue = {}
    for v in ids:
        e = {"id": v, "name": rng.choice(["Entity ", "Société ", "Co. "]) + v}
        if rng.random() < 0.55:
            r = rng.choice([1000, 250.5, 1, 0, 228000000, 1e6, 37.25,
                            round(rng.uniform(1, 1e4), 2), 5e9])
            e["revenue"] = r
            revenue[v] = r
        if rng.random() < 0.2:
            e["kind"] = rng.choice(["company", "government", "person", "other"])
        if rng.random() < 0.1:
            e["x_extra"] = {"note": "unknown field"}
        entities.append(e)

    pos = {v: i for i, v in enumerate(ids)}  # ids are in random order
    budget = {v: Budget() for v in ids}   # 1 - exact shares - share_min
    on_cycle = set()   # sellers of the edges of the planted cycles
    rels = []
    seen = set()

    def add_supply(a, b, kind, s=None):
        if acyclic and pos[a] > pos[b]:
            a, b = b, a
        if a == b or ("supplies", a, b) in seen:
            return False
        rel = {"type": "supplies", "from": a, "to": b}
        if kind in ("share", "value"):
            if s is None:
                s = rng.choice(SMALL + NEAR1 + [round(rng.random(), 3), rng.random()])
            if not budget[a].fits_num(s):
                s = rng.choice([0.001, 0.0005, 0.002, round(float(budget[a].b) * rng.random(), 4)])
                if not budget[a].fits_num(s) or s < 1e-4:
                    kind = "unq"
        if kind == "value":
            rev = revenue.get(a)
            if rev is None or rev <= 0:
                # a value without the seller's revenue: not exact; may be bounded
                rel["value"] = round(rng.uniform(0, 1000), 2)
                kind = rng.choice(["unq", "bounded"])
            else:
                val = s * rev if rng.random() < 0.5 else round(s * rev, 2)
                share, dshare = F(val) / F(rev), FD(val) / FD(rev)
                if not budget[a].fits(share, dshare) or share > 1 or dshare > 1:
                    kind = "unq"
                else:
                    rel["value"] = val
                    budget[a].take(share, dshare)
                    seen.add(("supplies", a, b))
                    rels.append(rel)
                    return True
        if kind == "share":
            rel["share"] = s
            if rng.random() < 0.1:
                rel["value"] = round(rng.uniform(0, 1e6), 1)  # share wins
            budget[a].take_num(s)
        elif kind == "bounded":
            which = rng.choice(["min", "max", "both", "both"])
            lo = rng.choice([0.01, 0.05, 0.1, 0.15, 0.2, 0.5, 0.0])
            hi = rng.choice([0.1, 0.2, 0.25, 0.5, 0.9, 1.0, 0.01])
            if which in ("min", "both") and not budget[a].fits_num(lo):
                lo = 0.0
            if which == "both" and lo > hi:
                lo, hi = hi, lo
                if not budget[a].fits_num(lo):
                    lo = 0.0
            if which in ("min", "both"):
                rel["share_min"] = lo
                budget[a].take_num(lo)
            if which in ("max", "both"):
                rel["share_max"] = hi
        elif kind == "zero":
            rel["share"] = 0
        if rng.random() < 0.15:
            rel["product"] = "widgets"
            rel["confidence"] = rng.choice(["reported", "estimate", "rumoured"])
        if rng.random() < 0.05:
            rel["x_extra"] = [1, 2]
        seen.add(("supplies", a, b))
        rels.append(rel)
        return True

    def rand_kind():
        return rng.choices(["share", "value", "bounded", "unq", "zero"],
                           [35, 15, 20, 27, 3])[0]

    # cycles, often with shares close to 1
    for _ in range(rng.choice([0, 1, 1, 2])):
        k = rng.randint(2, min(4, n))
        cyc = rng.sample(ids, k)
        near = rng.random() < 0.7
        for i in range(k):
            a, b = cyc[i], cyc[(i + 1) % k]
            if near:
                add_supply(a, b, rng.choice(["share", "share", "value"]), rng.choice(NEAR1))
            else:
                add_supply(a, b, rand_kind())
            on_cycle.add(a)
    m = rng.randint(n - 1, int(2.5 * n))
    if rng.random() < 0.2:  # dense: many parallel routes and cycles
        m = rng.randint(n, max(n, int(0.6 * n * (n - 1))))
    for _ in range(m):
        a, b = rng.sample(ids, 2)
        add_supply(a, b, rand_kind())

    # listings
    listings = []
    for v in ids:
        if rng.random() < 0.35:
            for _ in range(rng.choice([1, 1, 2])):
                l = {"entity": v, "list": rng.choice(LISTS)}
                if rng.random() < 0.7:
                    l["start"] = rand_date(rng)
                if rng.random() < 0.35:
                    e = rand_date(rng)
                    if "start" in l and e < l["start"]:
                        e = l["start"] if rng.random() < 0.3 else \
                            (datetime.date.fromisoformat(l["start"])
                             + datetime.timedelta(days=rng.randint(1, 400))).isoformat()
                    l["end"] = e
                if rng.random() < 0.2:
                    l["citation"] = "84 FR 54002"
                listings.append(l)
    if not listings:
        listings.append({"entity": rng.choice(ids), "list": rng.choice(LISTS)})

    listed = {l["entity"] for l in listings}
    # owns
    owned = {v: Fraction(0) for v in ids}
    for _ in range(rng.randint(0, n + 2)):
        a, b = rng.sample(ids, 2)
        if listed and rng.random() < 0.5:
            a = rng.choice(sorted(listed))
            if a == b:
                continue
        if ("owns", a, b) in seen:
            continue
        rel = {"type": "owns", "from": a, "to": b}
        if rng.random() < 0.75:
            p = rng.choice(PERCENTS)
            if owned[b] + F(p) > 100:
                p = float(100 - owned[b]) if rng.random() < 0.5 else None
                if p is not None and (p <= 0 or owned[b] + F(p) > 100):
                    p = None
            if p is not None:
                rel["percent"] = p
                owned[b] += F(p)
        seen.add(("owns", a, b))
        rels.append(rel)
    rng.shuffle(rels)

    doc = {"format": "exposure-graph/1"}
    if rng.random() < 0.6:
        doc["meta"] = {"title": f"random graph {seed}"}
        if rng.random() < 0.5:
            doc["meta"]["as_of"] = rng.choice(DATES)
        if rng.random() < 0.3:
            doc["meta"]["currency"] = "EUR"
    doc["entities"] = entities
    doc["relationships"] = rels
    doc["listings"] = listings
    if segments:
        segs = add_segments(random.Random(f"segments-{seed}"), rels, revenue, on_cycle)
        if segs:
            doc["segments"] = segs
    validate(doc)
    return doc, gen_options(rng, doc)


SEGMENT_NAMES = ["China", "China incl. Hong Kong", "Distributors", "EMEA", "Asia Pacific",
                 "Rest of world", "Segment 1"]
SEGMENT_CAPS = [0.05, 0.1, 0.2, 0.25, 0.2502, 0.3, 0.5, 0.75, 0.9, 0.999, 0.9995]


def edge_lo(rel, revenue):
    """lo of a supplies edge (exact share, else share_min, else 0) in the
    binary and in the decimal reading of the numbers."""
    if rel.get("share") is not None:
        return F(rel["share"]), FD(rel["share"])
    rev = revenue.get(rel["from"])
    if rel.get("value") is not None and rev is not None and rev > 0:
        return F(rel["value"]) / F(rev), FD(rel["value"]) / FD(rev)
    lo = rel.get("share_min", 0)
    return F(lo), FD(lo)


def add_segments(rng, rels, revenue, on_cycle):
    """Segments (graph format) on about a third of the sellers (more often on
    the sellers of planted cycles; never on any seller of about 30 % of the
    graphs), each over some of the seller's edges.  Adds the edges' `segment`
    field and returns the `segments` array.  share_max keeps rule 13: tight
    (the sum of the exact shares and share_min of the segment's edges, so 0
    when they are all unquantified), 1, or in between."""
    if rng.random() < 0.3:
        return []
    by_seller = {}
    for r in rels:
        if r["type"] == "supplies":
            by_seller.setdefault(r["from"], []).append(r)
    out = []
    for seller in sorted(by_seller):
        if rng.random() >= (0.6 if seller in on_cycle else 0.33):
            continue
        edges = by_seller[seller]
        names = rng.sample(SEGMENT_NAMES, rng.choice([1, 1, 2]))
        free = edges[:]
        rng.shuffle(free)
        for j, name in enumerate(names):
            if j == len(names) - 1:
                k = rng.randint(0 if rng.random() < 0.05 else min(1, len(free)), len(free))
            else:   # leave at least one edge for the next segment
                k = rng.randint(min(1, len(free)), max(1, len(free) - 1))
            members, free = free[:k], free[k:]
            sb = sum((edge_lo(r, revenue)[0] for r in members), Fraction(0))
            sd = sum((edge_lo(r, revenue)[1] for r in members), Fraction(0))
            low = max(sb, sd)
            u = rng.random()
            if u < 0.35:
                cap = float(low)     # tight (may round half an ulp below the sum)
            elif u < 0.55:
                cap = 1.0
            else:
                nice = [c for c in SEGMENT_CAPS if F(c) >= low and FD(c) >= low]
                if nice and rng.random() < 0.6:
                    cap = rng.choice(nice)
                else:
                    cap = round(float(low + (1 - low) * Fraction(rng.random())), 4)
                    if F(cap) < low or FD(cap) < low:
                        cap = float(low)
            seg = {"seller": seller, "name": name, "share_max": min(cap, 1.0)}
            if rng.random() < 0.3:
                seg["source"] = "10-K, revenue by geography"
            if rng.random() < 0.05:
                seg["x_extra"] = {"note": "unknown field"}
            for r in members:
                r["segment"] = name
            out.append(seg)
    rng.shuffle(out)
    return out


def gen_options(rng, doc):
    ids = [e["id"] for e in doc["entities"]]
    opts = ref.default_options()
    if rng.random() < 0.35:
        opts["as_of"] = rng.choice(DATES)
    r = rng.random()
    if r < 0.15:
        opts["lists"] = ["BIS Entity List"]
    elif r < 0.25:
        opts["lists"] = ["OFAC SDN"]
    elif r < 0.32:
        opts["lists"] = ["BIS Entity List", "OFAC SDN"]
    elif r < 0.34:
        opts["lists"] = ["NDAA 889"]
    if opts["lists"] is not None:
        # A --lists name that no listing of the graph uses is an error
        # (cli.md): keep the names the graph has.
        used = {l["list"] for l in doc.get("listings", [])}
        opts["lists"] = [n for n in opts["lists"] if n in used] or None
    if rng.random() < 0.45:
        opts["affiliates"] = rng.choice([50, 50, 25, 10, 100, 33.3, 50.5])
    if rng.random() < 0.25:
        opts["max_depth"] = rng.randint(1, 6)
    if rng.random() < 0.2:
        opts["list"] = rng.sample(ids, rng.choice([1, 1, 2]))
    if rng.random() < 0.2:
        # (never both --list and --delist of one id: the binary rejects that as
        # a usage error; the reference lets --delist win)
        rest = [v for v in ids if v not in opts["list"]]
        if rest:
            opts["delist"] = [rng.choice(rest)]
    sup = [(r["from"], r["to"]) for r in doc["relationships"] if r["type"] == "supplies"]
    if sup and rng.random() < 0.3:
        listed = {l["entity"] for l in doc["listings"]}
        pref = [e for e in sup if e[1] in listed] or sup
        opts["license"] = [list(e) for e in rng.sample(pref, min(len(pref), rng.choice([1, 1, 2])))]
    return opts


def validate(doc):
    """Asserts the validation rules of graph-format.md."""
    assert doc["format"] == "exposure-graph/1"
    ids = [e["id"] for e in doc["entities"]]
    assert len(ids) == len(set(ids))
    idset = set(ids)
    rev = {e["id"]: e.get("revenue") for e in doc["entities"]}
    for e in doc["entities"]:
        assert e["id"] and e["name"]
        if "revenue" in e:
            assert e["revenue"] >= 0
    keys = set()
    seller_sum = {}
    seller_dec = {}
    owned = {}
    for r in doc["relationships"]:
        a, b = r["from"], r["to"]
        assert a in idset and b in idset and a != b
        k = (r["type"], a, b)
        assert k not in keys, k
        keys.add(k)
        if r["type"] == "supplies":
            for f in ("share", "share_min", "share_max"):
                if f in r:
                    assert 0 <= r[f] <= 1
            if "value" in r:
                assert r["value"] >= 0
            if "share_min" in r and "share_max" in r:
                assert r["share_min"] <= r["share_max"]
            share = None
            if "share" in r:
                share = F(r["share"])
            elif "value" in r and rev.get(a) is not None and rev[a] > 0:
                share = F(r["value"]) / F(rev[a])
                assert share <= 1 and FD(r["value"]) / FD(rev[a]) <= 1
            if share is not None:
                assert "share_min" not in r and "share_max" not in r
                seller_sum[a] = seller_sum.get(a, 0) + share
                dshare = FD(r["share"]) if "share" in r else FD(r["value"]) / FD(rev[a])
                seller_dec[a] = seller_dec.get(a, 0) + dshare
            else:
                seller_sum[a] = seller_sum.get(a, 0) + F(r.get("share_min", 0))
                seller_dec[a] = seller_dec.get(a, 0) + FD(r.get("share_min", 0))
        else:
            if "percent" in r:
                assert 0 < r["percent"] <= 100
                owned[b] = owned.get(b, 0) + F(r["percent"])
    for s in list(seller_sum.values()) + list(seller_dec.values()):
        assert s <= 1, s   # kept exactly <= 1 (the format allows 1 + 1e-9)
    for s in owned.values():
        assert s <= 100, s
    for l in doc["listings"]:
        assert l["entity"] in idset and l["list"]
        for f in ("start", "end"):
            if f in l:
                datetime.date.fromisoformat(l[f])
        if "start" in l and "end" in l:
            assert l["start"] <= l["end"]
    if "meta" in doc and "as_of" in doc["meta"]:
        datetime.date.fromisoformat(doc["meta"]["as_of"])
    # rules 11-13: segments
    tol = Fraction(1, 10**9)
    segs = {}
    for sg in doc.get("segments", []):
        assert sg["seller"] in idset, sg
        assert isinstance(sg["name"], str) and sg["name"], sg
        key = (sg["seller"], sg["name"])
        assert key not in segs, key
        m = sg["share_max"]
        assert isinstance(m, (int, float)) and not isinstance(m, bool) and 0 <= m <= 1, sg
        segs[key] = [F(m), FD(m), Fraction(0), Fraction(0)]
    for r in doc["relationships"]:
        if r["type"] == "supplies" and "segment" in r:
            key = (r["from"], r["segment"])
            assert key in segs, ("no such segment", key)
            b, d = edge_lo(r, rev)
            segs[key][2] += b
            segs[key][3] += d
    for key, (mb, md, sb, sd) in segs.items():
        assert sb <= mb + tol and sd <= md + tol, (key, float(sb), float(mb))


def main():
    p = argparse.ArgumentParser(description="random exposure-graph/1 generator")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--n", type=int)
    p.add_argument("--no-segments", action="store_true",
                   help="no segments: the graphs of the generator before segments")
    p.add_argument("--acyclic", action="store_true", help="no cycle of supplies edges")
    p.add_argument("out")
    a = p.parse_args()
    doc, opts = generate(a.seed, a.n, segments=not a.no_segments, acyclic=a.acyclic)
    with open(a.out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, ensure_ascii=False)
    print(json.dumps({"options": opts, "args": ref.options_to_args(opts)}))


if __name__ == "__main__":
    main()
