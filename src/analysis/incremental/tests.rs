use super::bypass::{finds_edge, BYPASS_SEARCH};
use super::components::{minus, union};
use super::{Chain, Incremental, Scope};
use crate::analysis::restricted::WhatIfListing;
use crate::analysis::tests::graph;
use crate::analysis::{evaluate, Options};
use crate::graph::{Incoming, Net};

/// What [`finds_edge`] answers, by a plain search with no limit.
fn truly_finds(
    net: &Net,
    (from, to): (u32, u32),
    wanted: impl Fn(usize) -> bool,
    inside: impl Fn(u32) -> bool,
) -> bool {
    let mut seen = vec![false; net.n];
    let mut stack = vec![from];
    seen[from as usize] = true;
    while let Some(w) = stack.pop() {
        for f in net.sales(w).filter(|&f| net.buyer[f] != w) {
            let u = net.buyer[f];
            if u == to && wanted(f) {
                return true;
            }
            if inside(u) && !seen[u as usize] {
                seen[u as usize] = true;
                stack.push(u);
            }
        }
    }
    false
}

#[test]
fn a_chain_keeps_no_components_of_a_base_and_one_base_keeps_them() {
    // d joins R: it was alone in its component, so what-if scenarios
    // against one base solve a, b, c over the base's components.
    let model = graph(
        "a b c d",
        &["a>b 0.5", "b>a 0.2", "b>c ?", "c>a 0.1", "a>d 0.3"],
        &[],
    );
    let net = Net::build(&model);
    let base_opts = Options::default();
    let base = evaluate(&net, &base_opts);
    let d = model.find("d").expect("in the graph");
    let listed = Options {
        list: vec![WhatIfListing {
            entity: d,
            list: None,
        }],
        ..Options::default()
    };
    let full = evaluate(&net, &listed);
    for (incremental, kept) in [
        (Incremental::new(&net, &base_opts), true),
        (Incremental::chained(&net, &base_opts), false),
    ] {
        let got = incremental.evaluate(&net, &base, &listed, &[]);
        assert_eq!(got.total, full.total);
        assert_eq!(got.upper, full.upper);
        assert_eq!(incremental.base_sccs[0].get().is_some(), kept);
    }
}

#[test]
fn a_chain_keeps_its_copies_of_the_swept_component_until_a_date_is_evaluated_in_full() {
    // a, b, c are one component of x and X over every edge, swept (more
    // than `dense_max` members); d, which a sells to, joins R.
    let model = graph("a b c d", &["a>b 0.5", "b>c ?", "c>a 0.1", "a>d 0.3"], &[]);
    let net = Net::build(&model);
    let opts = Options::default();
    let mut chained = Incremental::chained(&net, &opts);
    chained.dense_max = 2;
    let base = evaluate(&net, &opts);
    let listed = Options {
        list: vec![WhatIfListing {
            entity: model.find("d").expect("in the graph"),
            list: None,
        }],
        ..Options::default()
    };
    let all = vec![true; net.n];
    let chain = Chain::default();
    let date = chained.evaluate_in_chain(&net, &base, &listed, Scope::Within(&all), &chain);
    let full = evaluate(&net, &listed);
    assert_eq!((&date.total, &date.upper), (&full.total, &full.upper));
    assert_eq!(
        chain.holds_copy(),
        [true; 2],
        "the date solved the component"
    );
    // A base with a component left unsettled is evaluated in full, which
    // makes no copy from the kept ones: they are dropped, so that the
    // next date does not make its copies from stale ones.
    let mut unsettled = date;
    unsettled
        .warnings
        .push("a component did not converge".into());
    chained.evaluate_in_chain(&net, &unsettled, &opts, Scope::Within(&all), &chain);
    assert_eq!(chain.holds_copy(), [false; 2]);
}

#[test]
fn a_copy_with_a_new_sale_finds_the_base_licence_where_the_copy_numbers_it() {
    // The base licenses b > r; the copy adds a sale of a's, which
    // comes before b's sales, and lifts the licence: b must be
    // solved again, though its own sales are as they were.
    let loaded = graph("a b c r", &["a>r 0.3", "b>r 0.4", "c>a 0.5"], &["r"]);
    let copy = graph(
        "a b c r",
        &["a>r 0.3", "b>r 0.4", "c>a 0.5", "a>c 0.2"],
        &["r"],
    );
    let (net, changed) = (Net::build(&loaded), Net::build(&copy));
    let id = |i: &str| loaded.find(i).expect("in the graph");
    let base_opts = Options {
        licensed: net.edge(id("b"), id("r")).into_iter().collect(),
        ..Options::default()
    };
    let base = evaluate(&net, &base_opts);
    assert_eq!(base.total[id("b") as usize], 0.0);
    let incremental = Incremental::new(&net, &base_opts);
    let got = incremental.evaluate_copy(&net, &changed, &base, &Options::default());
    let full = evaluate(&changed, &Options::default());
    assert_eq!(got.total[id("b") as usize], 0.4);
    assert_eq!(got.total, full.total);
    assert_eq!(got.upper, full.upper);
    assert_eq!(got.reach, full.reach);
}

#[test]
fn a_new_entity_that_sells_nothing_keeps_the_base_components() {
    // e, new, is bought from and sells nothing: a sink, alone, so the
    // base's components serve a set that holds it. f, new, sells:
    // it is in none of the base's components, so a set that holds it
    // has its components found anew (here f must be solved after a,
    // whose new sale into r raises it).
    let edges = ["a>b 0.5", "b>a 0.3", "b>r 0.5"];
    let net = Net::build(&graph("a b r", &edges, &["r"]));
    let base = evaluate(&net, &Options::default());
    let incremental = Incremental::new(&net, &Options::default());
    incremental.prepare(&net, &base);
    for (ids, added, listed, sink) in [
        ("a b r e", &["a>e 0.2"][..], &["r"][..], true),
        ("a b r e", &["a>e 0.2"], &["r", "e"], true),
        ("a b r f", &["f>a 0.2", "a>r 0.3"], &["r"], false),
        ("a b r f", &["a>f 0.2", "f>b 0.3"], &["r"], false),
    ] {
        let more: Vec<&str> = edges.iter().chain(added).copied().collect();
        let copy = Net::build(&graph(ids, &more, listed));
        let full = evaluate(&copy, &Options::default());
        let touched = incremental
            .laid_alike(&net, &copy, None)
            .expect("laid alike");
        let in_r = &full.restricted.in_r;
        let moved: Vec<u32> = (3..4).filter(|&u| in_r[u as usize]).collect();
        let outside = incremental
            .base_serves(&copy, 0, (in_r, &base.restricted.in_r), &moved, &touched)
            .expect("no edge gone");
        assert_eq!(!outside.outside.contains(&3), sink, "{added:?} {listed:?}");
        let set: Vec<u32> = (0..4).collect();
        if sink {
            let sccs = incremental
                .base_components(&net, 0, &base.restricted.in_r)
                .expect("found")
                .within(&set, 4);
            assert_eq!(sccs.comp(0), &[3], "the sink first");
            assert_eq!(sccs.len(), 3, "e, r and the loop of a and b");
        }
        let got = incremental.evaluate_copy(&net, &copy, &base, &Options::default());
        assert_eq!(got.total, full.total, "{added:?} {listed:?}");
        assert_eq!(got.upper, full.upper, "{added:?} {listed:?}");
        assert_eq!(got.reach, full.reach, "{added:?} {listed:?}");
    }
}

#[test]
fn a_copy_whose_new_sale_closes_a_loop_has_it_laid_into_the_base_components() {
    // c > a closes a > b > c into a loop: the sale goes against the
    // order of the base's components (each alone), so it is laid into
    // them, and a, b and c become one. c > d goes against it too
    // (d's is listed after c's) and closes no loop: d's moves before
    // c's. One in the order of the base's components (a > c: c's is
    // listed before a's) is not laid in. None keeps its buyer out of
    // the set.
    let edges = ["a>b 0.5", "b>c 0.5", "c>r 0.5", "d>r 0.2"];
    let loaded = graph("a b c d r", &edges, &["r"]);
    let net = Net::build(&loaded);
    let base = evaluate(&net, &Options::default());
    let incremental = Incremental::new(&net, &Options::default());
    incremental.prepare(&net, &base);
    let in_r = &base.restricted.in_r;
    for (added, against) in [
        ("c>a 0.4", &[(2, 0)][..]),
        ("c>d 0.4", &[(2, 3)]),
        ("a>c 0.4", &[]),
    ] {
        let more: Vec<&str> = edges.iter().copied().chain([added]).collect();
        let copy = Net::build(&graph("a b c d r", &more, &["r"]));
        let touched = incremental
            .laid_alike(&net, &copy, None)
            .expect("laid alike");
        assert_eq!(touched.len(), 1);
        assert!(touched[0].added && touched[0].lower);
        let served = incremental
            .base_serves(&copy, 0, (in_r, in_r), &[], &touched)
            .expect("no R moved, no edge gone");
        assert!(served.outside.is_empty(), "{added}");
        assert_eq!(served.against, against, "{added}");
        let got = incremental.evaluate_copy(&net, &copy, &base, &Options::default());
        let full = evaluate(&copy, &Options::default());
        for (a, b) in got.total.iter().zip(&full.total) {
            assert!(
                (a - b).abs() <= 1e-12,
                "{added}: {:?} vs {:?}",
                got.total,
                full.total
            );
        }
        for (a, b) in got.upper.iter().zip(&full.upper) {
            assert!((a - b).abs() <= 1e-12, "{added}: {:?}", got.upper);
        }
        assert_eq!(got.reach, full.reach, "{added}");
    }
    // The loop laid in: a, b and c as one, where c's was (r and d,
    // followed by no edge, stay alone).
    let sccs = incremental
        .base_components(&net, 0, in_r)
        .expect("found")
        .with_sale(
            &Net::build(&graph(
                "a b c d r",
                &[&edges[..], &["c>a 0.4"]].concat(),
                &["r"],
            )),
            |_| true,
            (2, 0),
        );
    let comps: Vec<&[u32]> = (0..sccs.len()).map(|c| sccs.comp(c)).collect();
    assert_eq!(comps, [&[2, 1, 0][..], &[3], &[4]]);
}

#[test]
fn the_search_both_ways_answers_as_a_plain_search_on_random_graphs() {
    for seed in 1..200 {
        let mut next = crate::testing::random(seed);
        let n = 4 + next(20) as usize;
        let ids: Vec<String> = (0..n).map(|i| format!("e{i}")).collect();
        let mut edges = Vec::new();
        for a in 0..n {
            for b in 0..n {
                if a != b && next(100) < 15 {
                    edges.push(format!("{}>{} ?", ids[a], ids[b]));
                }
            }
        }
        let edges: Vec<&str> = edges.iter().map(String::as_str).collect();
        let model = graph(&ids.join(" "), &edges, &[]);
        let mut net = Net::build(&model);
        // Built before some edges go, as a what-if's base builds it;
        // a gone edge is laid back to its seller.
        let callers = Incoming::of(&net, |_| true);
        for v in 0..n as u32 {
            for e in net.sales(v) {
                if next(10) == 0 {
                    net.buyer[e] = v;
                }
            }
        }
        let wanted: Vec<bool> = (0..net.buyer.len()).map(|_| next(4) != 0).collect();
        let inside: Vec<bool> = (0..n).map(|_| next(5) != 0).collect();
        for _ in 0..5 {
            // Two ends of an edge: never one entity.
            let from = next(n as u64) as u32;
            let ends = (from, (from + 1 + next(n as u64 - 1) as u32) % n as u32);
            let got = finds_edge(&net, &callers, ends, |f| wanted[f], |u| inside[u as usize]);
            let want = truly_finds(&net, ends, |f| wanted[f], |u| inside[u as usize]);
            assert_eq!(got, want, "seed {seed}, ends {ends:?}");
        }
    }
}

#[test]
fn a_short_way_round_behind_a_long_detour_is_found() {
    // s sells to a line longer than the forward search's limit, which
    // a search from s takes first, and to a way of four firms to b.
    let line = BYPASS_SEARCH + 10;
    let mut ids: Vec<String> = ["s", "b", "h", "c1", "c2", "c3"].map(String::from).into();
    ids.extend((0..line).map(|i| format!("t{i}")));
    let mut edges: Vec<String> = ["s>h ?", "h>c1 ?", "c1>c2 ?", "c2>c3 ?", "c3>b ?"]
        .map(String::from)
        .into();
    edges.push("s>t0 ?".into());
    edges.extend((1..line).map(|i| format!("t{}>t{i} ?", i - 1)));
    let edges: Vec<&str> = edges.iter().map(String::as_str).collect();
    let model = graph(&ids.join(" "), &edges, &[]);
    let net = Net::build(&model);
    let callers = Incoming::of(&net, |_| true);
    let ix = |id: &str| model.find(id).expect("in the graph");
    let found = finds_edge(&net, &callers, (ix("s"), ix("b")), |_| true, |_| true);
    assert!(found);
}

#[test]
fn minus_keeps_what_the_part_lacks_in_order() {
    assert_eq!(minus(&[1, 2, 4, 7, 9], &[2, 3, 9]), [1, 4, 7]);
    assert_eq!(minus(&[1, 2], &[]), [1, 2]);
    assert!(minus(&[5], &[5]).is_empty());
}

#[test]
fn the_union_of_two_ascending_lists_is_ascending_with_each_member_once() {
    assert_eq!(union(&[1, 4, 7], &[2, 4, 9, 10]), [1, 2, 4, 7, 9, 10]);
    assert_eq!(union(&[], &[3, 5]), [3, 5]);
    assert_eq!(union(&[3, 5], &[]), [3, 5]);
    assert_eq!(union(&[0, 8], &[0, 8]), [0, 8]);
}
