#!/usr/bin/env python3
"""What-if scenarios for the oracle: random scenario files for a graph, and
what each scenario means, worked out here from docs/scenarios.md alone (not
from the binary's code): its changes laid on a copy of the graph document,
and its settings and listings as reference.py's options.

    python3 scenarios.py --seed S GRAPH.json OUT.json

writes a random scenario file for GRAPH.json to OUT.json.

Library use:
- random_file(rng, doc, cli, count) -> the file's dict, `count` scenarios
  (the first a baseline), each change checked with gen.validate on the
  graph as the scenario has it so far (a change that would make it invalid
  is drawn again or left out);
- apply(doc, scenario, cli) -> (doc', opts'): the scenario's graph and the
  reference's options for it, with the command line's options `cli`
  (reference.default_options() keys) applied as docs/scenarios.md says:
  --as-of, --lists, --affiliates and --max-depth win over the scenario's
  fields; --list, --delist and --license come after its changes.

What the changes mean here (docs/scenarios.md, "The changes"):
- `list` with a `list` name: a listing on that list with no dates (in
  effect whatever the date; it counts when its list counts); without one,
  on the list `what-if`, which always counts (the reference's --list);
- `delist`: every listing of the entity goes, those of earlier `list`
  changes too (a later `list` adds one again);
- `license`: the edge is licensed (the reference's --license);
- `set_share`: the edge's share, value, share_min and share_max are
  replaced by the change's;
- `remove`: the relationship goes (its segment, if any, stays);
- `add_entity`, `add_relationship`: appended as written;
- `set_segment`: the segment's share_max is replaced;
- `add_segment`: the segment is appended, and the seller's supplies edges
  to the buyers in `edges` join it.
"""

import argparse
import copy
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference as ref  # noqa: E402
import gen  # noqa: E402

LIST_NAMES = gen.LISTS + ["NDAA 889"]
SHARES = [0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.25, 0.5, 0.9, 0.99, 1.0]


def find_rel(doc, kind, a, b):
    for r in doc["relationships"]:
        if r["type"] == kind and r["from"] == a and r["to"] == b:
            return r
    return None


def lay(doc, ch, state):
    """Lays change `ch` on `doc` (in place); listings on the list `what-if`
    and licences go to `state` ({"listed": [...], "licensed": [...]})."""
    op = ch["op"]
    if op == "list":
        if "list" in ch:
            doc["listings"].append({"entity": ch["entity"], "list": ch["list"]})
        else:
            state["listed"].append(ch["entity"])
    elif op == "delist":
        v = ch["entity"]
        doc["listings"] = [l for l in doc["listings"] if l["entity"] != v]
        state["listed"] = [u for u in state["listed"] if u != v]
    elif op == "license":
        state["licensed"].append((ch["from"], ch["to"]))
    elif op == "set_share":
        r = find_rel(doc, "supplies", ch["from"], ch["to"])
        for f in ("share", "value", "share_min", "share_max"):
            r.pop(f, None)
        for f in ("share", "share_min", "share_max"):
            if f in ch:
                r[f] = ch[f]
    elif op == "remove":
        r = find_rel(doc, ch["type"], ch["from"], ch["to"])
        doc["relationships"] = [q for q in doc["relationships"] if q is not r]
    elif op == "add_entity":
        doc["entities"].append(copy.deepcopy(ch["entity"]))
    elif op == "add_relationship":
        doc["relationships"].append(copy.deepcopy(ch["relationship"]))
    elif op == "set_segment":
        for sg in doc["segments"]:
            if sg["seller"] == ch["seller"] and sg["name"] == ch["name"]:
                sg["share_max"] = ch["share_max"]
    elif op == "add_segment":
        sg = copy.deepcopy(ch["segment"])
        doc.setdefault("segments", []).append(sg)
        for b in ch.get("edges", []):
            find_rel(doc, "supplies", sg["seller"], b)["segment"] = sg["name"]
    else:
        raise ValueError(f"unknown op {op!r}")


def apply(doc, sc, cli):
    """(doc', opts'): scenario `sc` on graph `doc` with command-line
    options `cli`."""
    d = copy.deepcopy(doc)
    d.setdefault("listings", [])
    state = {"listed": [], "licensed": []}
    for ch in sc.get("changes", []):
        lay(d, ch, state)
    opts = ref.default_options()
    for key, field in (("as_of", "as_of"), ("lists", "lists"),
                       ("affiliates", "affiliates_threshold"), ("max_depth", "max_depth")):
        opts[key] = cli[key] if cli.get(key) is not None else sc.get(field)
    opts["list"] = state["listed"] + list(cli.get("list", []))
    opts["delist"] = list(cli.get("delist", []))
    opts["license"] = state["licensed"] + [tuple(p) for p in cli.get("license", [])]
    return d, opts


def supplies(doc):
    return [r for r in doc["relationships"] if r["type"] == "supplies"]


def random_change(rng, doc, fresh, keep):
    """A random change of `doc`, or None when the drawn kind has nothing to
    work on. `fresh` counts the entities added so far (for new ids);
    `keep` holds the (seller, buyer) pairs that must stay (licensed)."""
    ids = [e["id"] for e in doc["entities"]]
    sup = supplies(doc)
    kind = rng.choices(
        ["list", "delist", "license", "set_share", "remove", "add_entity",
         "add_relationship", "set_segment", "add_segment"],
        [14, 10, 12, 18, 14, 5, 12, 8, 7])[0]
    if kind == "list":
        ch = {"op": "list", "entity": rng.choice(ids)}
        if rng.random() < 0.6:
            ch["list"] = rng.choice(LIST_NAMES)
        return ch
    if kind == "delist":
        listed = sorted({l["entity"] for l in doc["listings"]})
        return {"op": "delist", "entity": rng.choice(listed or ids)}
    if kind == "license":
        if not sup:
            return None
        r = rng.choice(sup)
        return {"op": "license", "from": r["from"], "to": r["to"]}
    if kind == "set_share":
        if not sup:
            return None
        r = rng.choice(sup)
        ch = {"op": "set_share", "from": r["from"], "to": r["to"]}
        u = rng.random()
        if u < 0.6:
            ch["share"] = rng.choice(SHARES)
        else:
            lo, hi = sorted(rng.sample(SHARES, 2))
            if u < 0.75:
                ch["share_min"] = lo
            elif u < 0.9:
                ch["share_max"] = hi
            else:
                ch["share_min"], ch["share_max"] = lo, hi
        return ch
    if kind == "remove":
        rels = [r for r in doc["relationships"]
                if not (r["type"] == "supplies" and (r["from"], r["to"]) in keep)]
        if not rels:
            return None
        r = rng.choice(rels)
        return {"op": "remove", "type": r["type"], "from": r["from"], "to": r["to"]}
    if kind == "add_entity":
        v = f"new{fresh}"
        e = {"id": v, "name": f"New {fresh}"}
        if rng.random() < 0.5:
            e["revenue"] = rng.choice([100, 2.5e6, 0])
        return {"op": "add_entity", "entity": e}
    if kind == "add_relationship":
        a, b = rng.sample(ids, 2)
        if rng.random() < 0.2:
            rel = {"type": "owns", "from": a, "to": b}
            if rng.random() < 0.7:
                rel["percent"] = rng.choice([10, 25, 50, 51, 100])
        else:
            rel = {"type": "supplies", "from": a, "to": b}
            u = rng.random()
            if u < 0.5:
                rel["share"] = rng.choice(SHARES)
            elif u < 0.7:
                rel["share_max"] = rng.choice(SHARES)
        return {"op": "add_relationship", "relationship": rel}
    if kind == "set_segment":
        segs = doc.get("segments", [])
        if not segs:
            return None
        sg = rng.choice(segs)
        return {"op": "set_segment", "seller": sg["seller"], "name": sg["name"],
                "share_max": rng.choice(gen.SEGMENT_CAPS + [1.0, 0.0])}
    if kind == "add_segment":
        free = [r for r in sup if "segment" not in r]
        if not free:
            return None
        seller = rng.choice(free)["from"]
        buyers = [r["to"] for r in free if r["from"] == seller]
        taken = {sg["name"] for sg in doc.get("segments", []) if sg["seller"] == seller}
        names = [n for n in gen.SEGMENT_NAMES if n not in taken]
        if not names:
            return None
        return {"op": "add_segment",
                "segment": {"seller": seller, "name": rng.choice(names),
                            "share_max": rng.choice(gen.SEGMENT_CAPS + [1.0])},
                "edges": rng.sample(buyers, rng.randint(1, len(buyers)))}
    raise AssertionError(kind)


def random_file(rng, doc, cli, count):
    """A scenario file of `count` scenarios for `doc`, run with `cli`."""
    cli_licensed = {tuple(p) for p in cli.get("license", [])}
    scenarios = [{"name": "baseline"}]
    for i in range(1, count):
        sc = {"name": f"scenario {i}"}
        if rng.random() < 0.2:
            sc["as_of"] = rng.choice(gen.DATES)
        if rng.random() < 0.2:
            sc["affiliates_threshold"] = rng.choice([50, 25, 100, 10.5])
        if rng.random() < 0.08:
            sc["max_depth"] = rng.randint(1, 5)
        cur = copy.deepcopy(doc)
        cur.setdefault("listings", [])
        state = {"listed": [], "licensed": []}
        changes = []
        fresh = 0
        for _ in range(rng.choice([1, 1, 2, 3, 4])):
            for _attempt in range(8):
                keep = cli_licensed | set(state["licensed"])
                ch = random_change(rng, cur, fresh, keep)
                if ch is None:
                    continue
                trial, st = copy.deepcopy(cur), copy.deepcopy(state)
                lay(trial, ch, st)
                try:
                    gen.validate(trial)
                except AssertionError:
                    continue
                cur, state = trial, st
                fresh += ch["op"] == "add_entity"
                changes.append(ch)
                break
        if rng.random() < 0.2:
            # A name no listing uses is an error: the graph's lists and
            # those the scenario's own `list` changes name count (README,
            # "--lists"), a listing later delisted too.
            named = {c["list"] for c in changes if c["op"] == "list" and "list" in c}
            used = sorted(named | {l["list"] for l in doc.get("listings", [])})
            if used:
                sc["lists"] = rng.sample(used, rng.randint(1, len(used)))
        if changes:
            sc["changes"] = changes
        scenarios.append(sc)
    return {"scenarios": scenarios}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--count", type=int, default=6)
    p.add_argument("graph")
    p.add_argument("out")
    a = p.parse_args()
    with open(a.graph, encoding="utf-8") as fh:
        doc = json.load(fh)
    f = random_file(random.Random(a.seed), doc, ref.default_options(), a.count)
    with open(a.out, "w", encoding="utf-8") as fh:
        json.dump(f, fh, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
