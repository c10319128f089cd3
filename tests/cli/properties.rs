//! Properties of the engine on random small graphs with cycles, unknown
//! shares and stakes: bounds hold, listing more never lowers exposure,
//! input order changes nothing, and the SCCs agree with petgraph's.

use exposure::analysis::{evaluate, Options, Sccs, WhatIfListing};
use exposure::graph::Net;
use exposure::load;
use exposure::model::Model;
use proptest::prelude::*;
use serde_json::{json, Value};

/// A random valid graph as JSON, built from a stream of random numbers.
fn graph_json(n: usize, picks: &[u32]) -> Value {
    let mut it = picks.iter().copied().cycle();
    let mut next = move |m: u32| it.next().unwrap_or(0) % m.max(1);
    let entities: Vec<Value> = (0..n)
        .map(|i| {
            let mut e = json!({"id": format!("e{i}"), "name": format!("Entity {i}")});
            if next(3) > 0 {
                e["revenue"] = json!(1000 * (1 + next(50)));
            }
            e
        })
        .collect();
    let shares = [0.999, 0.998, 0.5, 0.3, 0.2, 0.1, 0.05, 0.01];
    let mut rels = Vec::new();
    let mut committed = vec![0.0f64; n];
    let mut owned = vec![0.0f64; n];
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..(n * 2 + next(n as u32 * 2) as usize) {
        let (a, b) = (next(n as u32) as usize, next(n as u32) as usize);
        let owns = next(5) == 0;
        if a == b || !seen.insert((owns, a, b)) {
            continue;
        }
        let (from, to) = (format!("e{a}"), format!("e{b}"));
        if owns {
            let mut r = json!({"type": "owns", "from": from, "to": to});
            if next(3) > 0 {
                let p = [10.0, 25.0, 50.0, 60.0, 100.0][next(5) as usize];
                if owned[b] + p <= 100.0 {
                    owned[b] += p;
                    r["percent"] = json!(p);
                }
            }
            rels.push(r);
            continue;
        }
        let mut r = json!({"type": "supplies", "from": from, "to": to});
        match next(3) {
            0 => {
                let s = shares[next(shares.len() as u32) as usize];
                if committed[a] + s <= 1.0 {
                    committed[a] += s;
                    r["share"] = json!(s);
                }
            }
            1 => {
                let lo = [0.0, 0.01, 0.1][next(3) as usize];
                let hi = [0.1, 0.25, 0.5, 1.0][next(4) as usize];
                if committed[a] + lo <= 1.0 {
                    committed[a] += lo;
                    r["share_min"] = json!(lo);
                    r["share_max"] = json!(hi);
                }
            }
            _ => {}
        }
        rels.push(r);
    }
    let mut listings = Vec::new();
    for i in 0..n {
        if next(3) == 0 {
            let list = if next(2) == 0 { "EL" } else { "SDN" };
            listings.push(json!({"entity": format!("e{i}"), "list": list}));
        }
    }
    json!({"format": "exposure-graph/1", "entities": entities, "relationships": rels, "listings": listings})
}

fn load(v: &Value) -> Model {
    load::from_json(v.to_string().as_bytes())
        .unwrap_or_else(|p| panic!("generated graph invalid: {:?}", p.list))
}

/// Numbers by entity id, for comparisons across orders.
fn by_id(
    model: &Model,
    opts: &Options,
) -> std::collections::BTreeMap<String, (f64, f64, f64, u32)> {
    let net = Net::build(model);
    let o = evaluate(&net, opts);
    (0..model.entities.len())
        .map(|v| {
            (
                model.id(v as u32).to_string(),
                (o.total[v], o.direct[v], o.upper[v], o.reach[v]),
            )
        })
        .collect()
}

/// Options varied by a random pick: the affiliates rule off, at 50 or at 25.
fn random_options(pick: u32) -> Options {
    let affiliates = match pick % 3 {
        0 => None,
        1 => Some(50.0),
        _ => Some(25.0),
    };
    Options {
        settings: exposure::analysis::Settings {
            affiliates,
            ..Default::default()
        },
        ..Options::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn lower_never_exceeds_upper_and_both_stay_in_zero_one(
        n in 2usize..9, picks in prop::collection::vec(any::<u32>(), 64), opt in any::<u32>()
    ) {
        let model = load(&graph_json(n, &picks));
        let opts = random_options(opt);
        for (id, (x, d, up, _)) in by_id(&model, &opts) {
            prop_assert!(x >= 0.0 && d >= 0.0, "{id}: x {x} d {d}");
            prop_assert!(d <= x + 1e-9, "{id}: d {d} > x {x}");
            prop_assert!(x <= up + 1e-9, "{id}: x {x} > X {up}");
            prop_assert!(up <= 1.0 + 1e-9, "{id}: X {up} > 1");
        }
    }

    #[test]
    fn listing_one_more_entity_never_lowers_anyones_exposure(
        n in 2usize..9, picks in prop::collection::vec(any::<u32>(), 64), who in any::<u32>(), opt in any::<u32>()
    ) {
        let model = load(&graph_json(n, &picks));
        let base = random_options(opt);
        let mut more = base.clone();
        more.list.push(WhatIfListing { entity: who % n as u32, list: None });
        let (before, after) = (by_id(&model, &base), by_id(&model, &more));
        for (id, (x, _, _, _)) in &before {
            prop_assert!(after[id].0 >= x - 1e-9, "{id}: {x} -> {}", after[id].0);
        }
    }

    #[test]
    fn shuffling_entities_and_relationships_changes_no_number(
        n in 2usize..9, picks in prop::collection::vec(any::<u32>(), 64), seed in any::<u64>(), opt in any::<u32>()
    ) {
        let g = graph_json(n, &picks);
        let mut shuffled = g.clone();
        let mut state = seed | 1;
        for key in ["entities", "relationships", "listings"] {
            let arr = shuffled[key].as_array_mut().unwrap();
            for i in (1..arr.len()).rev() {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                arr.swap(i, (state % (i as u64 + 1)) as usize);
            }
        }
        let (a, b) = (load(&g), load(&shuffled));
        let (ra, rb) = (by_id(&a, &random_options(opt)), by_id(&b, &random_options(opt)));
        for (id, (x, d, up, reach)) in &ra {
            let (x2, d2, up2, reach2) = rb[id];
            // Input order changes rounding only: the spec's tolerance applies.
            prop_assert!((x - x2).abs() < 1e-9 && (d - d2).abs() < 1e-9 && (up - up2).abs() < 1e-9);
            prop_assert_eq!(*reach, reach2);
        }
    }

    #[test]
    fn components_agree_with_petgraph(n in 2usize..12, picks in prop::collection::vec(any::<u32>(), 96)) {
        let model = load(&graph_json(n, &picks));
        let net = Net::build(&model);
        let ours = Sccs::of(&net, |_| true);
        let mut g = petgraph::graph::DiGraph::<(), ()>::new();
        let nodes: Vec<_> = (0..net.n).map(|_| g.add_node(())).collect();
        for v in 0..net.n {
            for e in net.sales(v as u32) {
                g.add_edge(nodes[v], nodes[net.buyer[e] as usize], ());
            }
        }
        let mut theirs: Vec<Vec<usize>> = petgraph::algo::kosaraju_scc(&g)
            .into_iter()
            .map(|c| { let mut c: Vec<usize> = c.iter().map(|x| x.index()).collect(); c.sort(); c })
            .collect();
        theirs.sort();
        let mut mine: Vec<Vec<usize>> = (0..ours.len())
            .map(|c| { let mut c: Vec<usize> = ours.comp(c).iter().map(|&v| v as usize).collect(); c.sort(); c })
            .collect();
        // Sinks first: no edge may lead to a later component.
        for v in 0..net.n {
            for e in net.sales(v as u32) {
                prop_assert!(ours.comp_of[net.buyer[e] as usize] <= ours.comp_of[v]);
            }
        }
        mine.sort();
        prop_assert_eq!(mine, theirs);
    }
}

#[test]
fn json_output_parses_and_has_the_spec_fields() {
    let g = graph_json(6, &[7, 3, 11, 2, 5, 9, 1, 4, 8, 6, 0, 13, 21, 34, 55, 89]);
    let (_dir, path) = super::common::write_temp("g.json", g.to_string().as_bytes());
    let out = super::common::run(&[
        "analyze",
        "-g",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--all",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        super::common::stderr(&out)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("analyze prints JSON");
    for key in [
        "as_of",
        "affiliates_threshold",
        "max_depth",
        "restricted",
        "entities",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let rows = v["entities"].as_array().unwrap();
    assert_eq!(rows.len(), 6, "--all keeps every entity");
    for row in rows {
        for key in [
            "id",
            "name",
            "restricted",
            "possibly_restricted",
            "direct",
            "indirect",
            "total",
            "upper",
            "revenue",
            "revenue_at_risk",
            "revenue_at_risk_upper",
            "reach",
        ] {
            assert!(row.get(key).is_some(), "row missing {key}: {row}");
        }
    }
    let totals: Vec<f64> = rows.iter().map(|r| r["total"].as_f64().unwrap()).collect();
    assert!(
        totals.windows(2).all(|w| w[0] >= w[1]),
        "rows sorted by total: {totals:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Through the binary, with every evaluation flag: the portfolio's
    /// figures are the weighted sums of analyze's own rows.
    #[test]
    fn the_portfolio_is_the_weighted_sum_of_analyzes_rows(
        n in 2usize..10,
        picks in prop::collection::vec(any::<u32>(), 96),
        weights in prop::collection::vec(0u32..1000, 1..6),
        flags in 0u32..16,
    ) {
        let graph = graph_json(n, &picks);
        let mut holdings = String::from("entity,weight,note\n");
        for (k, w) in weights.iter().enumerate() {
            holdings.push_str(&format!("e{},{},n\n", (k * 7 + picks[k] as usize) % n, w + 1));
        }
        let dir = tempfile::tempdir().unwrap();
        let (g, p) = (dir.path().join("g.json"), dir.path().join("p.csv"));
        std::fs::write(&g, graph.to_string()).unwrap();
        std::fs::write(&p, &holdings).unwrap();
        let mut args = vec!["analyze", "-g", g.to_str().unwrap(), "--portfolio", p.to_str().unwrap(), "--format", "json", "--all"];
        if flags & 1 != 0 { args.extend(["--affiliates", "50"]); }
        if flags & 2 != 0 { args.extend(["--max-depth", "2"]); }
        if flags & 4 != 0 { args.extend(["--list", "e0"]); }
        if flags & 8 != 0 { args.extend(["--delist", "e1"]); }
        // A --lists name that no listing uses is an error (cli.md).
        let text = graph.to_string();
        if flags & 8 != 0 && text.contains(r#""list":"EL""#) { args.extend(["--lists", "EL"]); }
        let out = crate::common::run(&args);
        prop_assert!(out.status.success(), "{}", crate::common::stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let rows: std::collections::BTreeMap<&str, (f64, f64)> = v["entities"].as_array().unwrap().iter()
            .map(|r| (r["id"].as_str().unwrap(), (r["total"].as_f64().unwrap(), r["upper"].as_f64().unwrap())))
            .collect();
        let f = &v["portfolio"];
        let (mut total, mut upper, mut wsum) = (0.0, 0.0, 0.0);
        for c in f["contributions"].as_array().unwrap() {
            let (x, up) = rows[c["id"].as_str().unwrap()];
            let w = c["weight"].as_f64().unwrap();
            prop_assert_eq!(c["total"].as_f64().unwrap(), x);
            prop_assert_eq!(c["upper"].as_f64().unwrap(), up);
            total += w * x;
            upper += w * up;
            wsum += w;
        }
        prop_assert!((wsum - 1.0).abs() < 1e-12);
        prop_assert!((f["total"].as_f64().unwrap() - total).abs() < 1e-12);
        prop_assert!((f["upper"].as_f64().unwrap() - upper).abs() < 1e-12);
        prop_assert!(f["total"].as_f64().unwrap() <= f["upper"].as_f64().unwrap() + 1e-9 || flags & 1 != 0);
    }
}
