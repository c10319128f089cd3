#!/usr/bin/env python3
"""Builds tests/data/screen-labels.csv, the labelled set for `exposure screen`.

Deterministic (fixed seed). Run from the repository root:

    python3 tests/data/screen-labels.py > tests/data/screen-labels.csv

Each line is one entity of a test graph: `id,name,aliases,country,kind,
expect,variant`. `expect` holds the CSL sample rows (record numbers, header
= row 1) that are true matches, separated by `|`; empty means the entity is
on no row and must not be accepted. Positives are written the way analysts
write names: the full legal name with another legal-form spelling, the short
name, words swapped, a transliteration, the case changed. Negatives are near
misses: the example graph's entities that are on no row of the sample,
well-known firms absent from it, and "false friends" that keep a listed
party's distinctive word but name another business in another country
(the Dahua pattern).
"""

import csv
import json
import random
import re
import sys

LEGAL = {"co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "plc",
         "group", "jsc", "ojsc", "pjsc", "cjsc", "ooo", "oao", "zao", "sa", "de", "cv", "the", "of", "and"}
GENERIC = set("""technology technologies tech science sciences scientific information digital electronic
electronics electric communication communications international industrial industries industry trading trade
import export engineering equipment development enterprise enterprises system systems holding holdings
investment investments service services manufacturing products solutions research institute network software
machinery materials global general national new logistics shipping commercial joint stock public private
center centre china chinese beijing shanghai shenzhen guangzhou hangzhou zhejiang jiangsu guangdong bank""".split())

rows = list(csv.reader(open("tests/data/csl-sample.csv", newline="", encoding="utf-8")))
header = rows[0]
col = {h: i for i, h in enumerate(header)}


def words(name):
    return [w for w in re.split(r"[^0-9a-z]+", name.lower().replace(".", "").replace("'", "")) if w]


def key(name):
    return " ".join(w for w in words(name) if w not in LEGAL)


def countries(r):
    out = []
    for a in r[col["addresses"]].split(";"):
        last = a.strip().split(",")[-1].strip() if a.strip() else ""
        if re.fullmatch(r"[A-Z]{2}", last) and last not in out:
            out.append(last)
    return out


by_key = {}
for i, r in enumerate(rows[1:], start=2):
    if len(r) <= col["name"] or r[col["name"]] in ("", "name"):
        continue
    names = [r[col["name"]]] + [a.strip() for a in (r[col["alt_names"]] if len(r) > col["alt_names"] else "").split(";") if a.strip()]
    for n in names:
        by_key.setdefault(key(n), set()).add(i)
        by_key.setdefault(key(re.sub(r"\([^)]*\)", " ", n)), set()).add(i)


def expected(name):
    return "|".join(str(x) for x in sorted(by_key.get(key(name), set())))


TRANSLIT = [("ou", "u"), ("kh", "k"), ("ts", "tz"), ("ya", "ia"), ("yu", "iu"), ("ei", "ey"), ("sh", "ch"),
            ("ii", "iy"), ("v", "w"), ("ph", "f"), ("iy", "i"), ("j", "dj"), ("z", "s"), ("x", "ks")]


def translit(name):
    toks = name.split()
    for j, t in sorted(enumerate(toks), key=lambda p: -len(p[1])):
        if len(t) < 6 or t.lower().strip(".,") in LEGAL | GENERIC:
            continue
        for a, b in TRANSLIT:
            if a in t.lower():
                low = t.lower().replace(a, b, 1)
                toks[j] = low.capitalize() if t[:1].isupper() else low
                return " ".join(toks)
    return None


def swap_legal(name):
    for a, b in [("Co., Ltd.", "Company Limited"), ("CO., LTD.", "Company Ltd"), ("Corporation", "Corp."),
                 ("CORPORATION", "Corp"), ("Limited", "Ltd."), ("LIMITED", "Ltd"), ("Company", "Co."),
                 ("COMPANY", "Co"), ("Inc.", "Incorporated"), ("LLC", "L.L.C.")]:
        if a in name:
            return name.replace(a, b)
    return name


# What an analyst leaves out of a short name: legal forms, places, "technology".
SHORT_DROP = set("""technology technologies tech science information digital china chinese beijing shanghai
shenzhen guangzhou hangzhou zhejiang jiangsu guangdong xiamen tianjin wuhan chengdu nanjing""".split())

rng = random.Random(20231130)
FIRM = LEGAL | GENERIC | {"ltda", "gmbh", "llc", "bureau", "university", "institute", "academy", "factory",
                          "plant", "center", "centre", "laboratory", "aerospace", "aviation", "airlines", "bank"}
eligible = [i for i, r in enumerate(rows[1:], start=2)
            if len(r) == len(header) and (r[col["type"]] == "Entity" or (
                r[col["type"]] == "" and re.search(r"\((EL|MEU|UVL)\)", r[col["source"]])
                and any(w in FIRM for w in words(r[col["name"]]))))
            and r[col["name"]] != "name" and len([w for w in words(r[col["name"]]) if w not in LEGAL | GENERIC and len(w) >= 4]) >= 1
            and not re.search(r"\b(mr|mrs|a\.k\.a|f\.k\.a)\b", r[col["name"]].lower())
            and len(r[col["name"]]) <= 70]
picked = sorted(rng.sample(eligible, 45))

out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["id", "name", "aliases", "country", "kind", "expect", "variant"])
n = 0


def emit(name, aliases, country, kind, expect, variant):
    global n
    n += 1
    out.writerow([f"l{n:03}", name, aliases, country, kind, expect, variant])


for i in picked:
    r = rows[i - 1]
    name = r[col["name"]].strip()
    exp = expected(name)
    cs = [c for c in countries(r) if c not in ("KY", "VG", "BM")]
    country = cs[0] if cs and rng.random() < 0.8 else ""
    emit(swap_legal(name), "", country, "company", exp, "full legal name")
    distinct = [t for t in re.split(r"[\s,]+", name) if t and words(t) and all(w not in LEGAL | SHORT_DROP for w in words(t))]
    distinct = [t.strip("().") for t in distinct if t.strip("().")]
    if distinct and " ".join(distinct).lower() != name.lower() and max(len(w) for w in distinct) >= 5:
        emit(" ".join(distinct), "", country, "company", exp, "short name")
    toks = key(name).split()
    if len(toks) >= 2:
        sw = toks[1:] + toks[:1]
        emit(" ".join(w.capitalize() for w in sw), "", country, "company", exp, "word order")
    t = translit(name)
    if t:
        emit(t, "", country, "company", exp, "transliteration")
    if rng.random() < 0.5:
        emit(key(name).upper(), "", country, "company", exp, "case, no suffix")

# False friends: a listed party's distinctive word, another business, another country.
BUSINESS = ["Electronics Corporation", "Trading LLC", "Restaurant Inc.", "Logistics Ltd.", "Plastics Co.",
            "Dental Clinic", "Textiles Limited", "Auto Parts Inc."]
AWAY = {"US": "DE", "DE": "US"}
for i in sorted(rng.sample(eligible, 25)):
    r = rows[i - 1]
    distinct = [w for w in words(r[col["name"]]) if w not in LEGAL | GENERIC and len(w) >= 5]
    if not distinct:
        continue
    cs = countries(r)
    country = AWAY.get(cs[0], "US") if cs else "US"
    emit(f"{distinct[0].capitalize()} {rng.choice(BUSINESS)}", "", country, "company", "", "false friend")

# The example graph's entities: their aliases too. Expected rows come from the sample.
graph = json.load(open("graphs/entity-list-2019.json"))
KNOWN = {"hikvision", "huawei", "megvii", "meiya-pico", "sensetime", "yitu"}
for e in graph["entities"]:
    exp = ""
    if e["id"] in KNOWN:
        exp = "|".join(sorted({x for a in [e["name"]] + e.get("aliases", []) for x in expected(a).split("|") if x}, key=int))
    emit(e["name"], "; ".join(e.get("aliases", [])), e.get("country", ""), e.get("kind", "company"), exp, "example graph " + e["id"])

# Well-known firms the sample does not hold.
for name, c in [("Xiaomi Corporation", "CN"), ("Tencent Holdings Ltd.", "CN"), ("Lenovo Group Limited", "CN"),
                ("BYD Company Limited", "CN"), ("Samsung Electronics Co., Ltd.", "KR"), ("Siemens AG", "DE"),
                ("Nokia Oyj", "FI"), ("Telefonaktiebolaget LM Ericsson", "SE"), ("Apple Inc.", "US"),
                ("China Merchants Bank Co., Ltd.", "CN"), ("Hytera Communications", "CN"),
                ("Dahua Electronics Trading", "CN"), ("ZTE Corporation", "CN")]:
    emit(name, "", c, "company", "", "absent firm")
