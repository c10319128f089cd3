#!/usr/bin/env python3
"""Random valid `exposure-graph/1` graphs, with random `analyze` options.

    python3 gen.py --seed S [--n N] OUT.json

writes the graph to OUT.json and prints the options on stdout as JSON:
{"options": {...reference.default_options() keys...}, "args": [CLI args]}.

Library use: generate(seed, n=None) -> (graph_dict, options_dict).

Graphs are small (3..12 entities) and exercise: cycles (often with shares
close to 1: 0.99, 0.999, 0.998, 1.0), exact shares, `value` shares resolved
through the seller's revenue (and `value` without a seller revenue, which is
then not exact), `share` + `value` together, bounded edges (share_min and/or
share_max), unquantified edges, `owns` edges with and without a percent,
listings on two lists with start/end dates, revenues (some absent, some 0),
meta.as_of sometimes, and unknown extra fields.  Every graph satisfies the
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


def generate(seed, n=None):
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

    budget = {v: Budget() for v in ids}   # 1 - exact shares - share_min
    rels = []
    seen = set()

    def add_supply(a, b, kind, s=None):
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
    validate(doc)
    return doc, gen_options(rng, doc)


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


def main():
    p = argparse.ArgumentParser(description="random exposure-graph/1 generator")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--n", type=int)
    p.add_argument("out")
    a = p.parse_args()
    doc, opts = generate(a.seed, a.n)
    with open(a.out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, ensure_ascii=False)
    print(json.dumps({"options": opts, "args": ref.options_to_args(opts)}))


if __name__ == "__main__":
    main()
