//! Data-driven tests of the engine: a graph in, numbers out.

use super::sweep::Compact;
use super::*;
use crate::load;
use crate::model::Model;

/// A small graph written tersely: entities by id (with `id=revenue`),
/// `a>b share` / `a>b lo..hi` / `a>b ?` supplies edges, `a=>b pct` / `a=>b ?`
/// stakes, and listed ids.
pub(super) fn graph(entities: &str, edges: &[&str], listed: &[&str]) -> Model {
    let ents: Vec<String> = entities
        .split_whitespace()
        .map(|e| match e.split_once('=') {
            Some((id, rev)) => format!(r#"{{"id":"{id}","name":"{id}","revenue":{rev}}}"#),
            None => format!(r#"{{"id":"{e}","name":"{e}"}}"#),
        })
        .collect();
    let rels: Vec<String> = edges
        .iter()
        .map(|spec| {
            let (pair, q) = spec.split_once(' ').unwrap_or((spec, "?"));
            if let Some((a, b)) = pair.split_once("=>") {
                let pct = if q == "?" {
                    String::new()
                } else {
                    format!(r#","percent":{q}"#)
                };
                format!(r#"{{"type":"owns","from":"{a}","to":"{b}"{pct}}}"#)
            } else {
                let (a, b) = pair.split_once('>').unwrap();
                let amount = match q.split_once("..") {
                    _ if q == "?" => String::new(),
                    Some((lo, hi)) => format!(r#","share_min":{lo},"share_max":{hi}"#),
                    None => format!(r#","share":{q}"#),
                };
                format!(r#"{{"type":"supplies","from":"{a}","to":"{b}"{amount}}}"#)
            }
        })
        .collect();
    let lists: Vec<String> = listed
        .iter()
        .map(|id| format!(r#"{{"entity":"{id}","list":"BIS Entity List"}}"#))
        .collect();
    let json = format!(
        r#"{{"format":"exposure-graph/1","entities":[{}],"relationships":[{}],"listings":[{}]}}"#,
        ents.join(","),
        rels.join(","),
        lists.join(",")
    );
    load::from_json(json.as_bytes()).unwrap_or_else(|p| panic!("test graph invalid: {:?}", p.list))
}

/// The copy of X's equations (`sweep.rs`) of component `comp` of `net`
/// under the default options, the buyers outside valued by `y`.
pub(super) fn upper_compact(net: &Net, comp: &[u32], y: &[f64]) -> Compact {
    let opts = Options::default();
    let restricted = Restricted::of(net, &opts);
    let licensed = opts.licensed_edges(net);
    let eq = Equations {
        net,
        restricted: &restricted.in_r_plus,
        licensed: &licensed,
        dense_max: 0,
    };
    let mut local = vec![u32::MAX; net.n];
    for (i, &v) in comp.iter().enumerate() {
        local[v as usize] = i as u32;
    }
    Compact::of(&eq, comp, &local, y)
}

struct Run {
    model: Model,
    outcome: Outcome,
}

impl Run {
    fn new(model: Model, opts: Options) -> Run {
        let net = Net::build(&model);
        let outcome = evaluate(&net, &opts);
        Run { model, outcome }
    }
    fn ix(&self, id: &str) -> usize {
        self.model.find(id).unwrap_or_else(|| panic!("no {id}")) as usize
    }
    fn x(&self, id: &str) -> f64 {
        self.outcome.total[self.ix(id)]
    }
    fn upper(&self, id: &str) -> f64 {
        self.outcome.upper[self.ix(id)]
    }
    fn direct(&self, id: &str) -> f64 {
        self.outcome.direct[self.ix(id)]
    }
    fn reach(&self, id: &str) -> u32 {
        self.outcome.reach[self.ix(id)]
    }
    fn restricted(&self, id: &str) -> bool {
        self.outcome.restricted.in_r[self.ix(id)]
    }
    fn possibly(&self, id: &str) -> bool {
        let i = self.ix(id);
        self.outcome.restricted.in_r_plus[i] && !self.outcome.restricted.in_r[i]
    }
}

#[track_caller]
fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
}

fn worked_example(b_to_c: &str) -> Run {
    let model = graph(
        "A=1000 B C H",
        &["A>H 0.1", "A>B 0.5", "B>H 0.4", b_to_c, "C>H 0.2"],
        &["H"],
    );
    Run::new(model, Options::default())
}

#[test]
fn the_spec_worked_example() {
    let r = worked_example("B>C ?");
    close(r.x("C"), 0.2);
    close(r.x("B"), 0.4);
    close(r.x("A"), 0.3);
    close(r.direct("A"), 0.1);
    close(r.outcome.indirect(r.ix("A")), 0.2);
    close(r.upper("B"), 0.52);
    close(r.upper("A"), 0.36);
    assert_eq!(r.reach("A"), 1);
}

#[test]
fn the_spec_worked_example_with_bounds() {
    let r = worked_example("B>C 0..0.25");
    close(r.upper("B"), 0.45);
    close(r.x("B"), 0.4);
    let r = worked_example("B>C 0.1..0.25");
    close(r.x("B"), 0.42);
    close(r.upper("B"), 0.45);
}

fn affiliates(entities: &str, edges: &[&str], listed: &[&str]) -> Run {
    Run::new(
        graph(entities, edges, listed),
        Options {
            settings: crate::analysis::Settings {
                affiliates: Some(50.0),
                ..Default::default()
            },
            ..Options::default()
        },
    )
}

#[test]
fn ofac_401_majority_ownership_passes_down_a_chain() {
    // X blocked owns 50 % of A; A owns 50 % of B: both blocked.
    let r = affiliates("X A B", &["X=>A 50", "A=>B 50"], &["X"]);
    assert!(r.restricted("A") && r.restricted("B"));
}

#[test]
fn ofac_401_stakes_of_blocked_owners_add_up() {
    // X and Y blocked own 25 % of A each: A is blocked.
    let r = affiliates("X Y A", &["X=>A 25", "Y=>A 25"], &["X", "Y"]);
    assert!(r.restricted("A"));
}

#[test]
fn ofac_401_direct_and_indirect_stakes_add_up() {
    // X owns 50 % of A (blocked) and 25 % of B; A owns 25 % of B: B blocked.
    let r = affiliates("X A B", &["X=>A 50", "X=>B 25", "A=>B 25"], &["X"]);
    assert!(r.restricted("A") && r.restricted("B"));
}

#[test]
fn ofac_401_percentages_are_not_multiplied_but_minorities_do_not_count() {
    // X owns 40 % of A: A is not blocked, so neither is A's 100 % subsidiary.
    let r = affiliates("X A B", &["X=>A 40", "A=>B 100"], &["X"]);
    assert!(!r.restricted("A") && !r.restricted("B"));
}

#[test]
fn a_stake_of_unknown_size_makes_an_entity_possibly_restricted() {
    // X owns an unknown stake of A; others hold 30 %: room 70 >= 50.
    let r = affiliates("X O A S", &["X=>A ?", "O=>A 30", "S>A 0.2"], &["X"]);
    assert!(!r.restricted("A") && r.possibly("A"));
    close(r.x("S"), 0.0);
    close(r.upper("S"), 0.2);
    // Others hold 60 %: room 40 < 50, not even possibly.
    let r = affiliates("X O A", &["X=>A ?", "O=>A 60"], &["X"]);
    assert!(!r.possibly("A"));
}

#[test]
fn without_the_rule_ownership_changes_nothing() {
    let r = Run::new(
        graph("X A S", &["X=>A 100", "S>A 0.5"], &["X"]),
        Options::default(),
    );
    assert!(!r.restricted("A"));
    close(r.x("S"), 0.0);
}

#[test]
fn near_one_cycles_come_out_exact() {
    // A -> B 0.999, B -> A 0.998, B -> H 0.002.
    let r = Run::new(
        graph("A B H", &["A>B 0.999", "B>A 0.998", "B>H 0.002"], &["H"]),
        Options::default(),
    );
    let xb = 0.002 / (1.0 - 0.999 * 0.998);
    close(r.x("B"), xb);
    close(r.x("A"), 0.999 * xb);
    close(r.upper("B"), xb);
}

#[test]
fn a_cycle_with_unknown_room_is_filled_by_policy_iteration() {
    // A -> B unquantified, B -> A 0.9, B -> H 0.1; A -> H 0..0.5.
    let r = Run::new(
        graph(
            "A B H",
            &["A>B ?", "B>A 0.9", "B>H 0.1", "A>H 0..0.5"],
            &["H"],
        ),
        Options::default(),
    );
    close(r.x("A"), 0.0);
    // Best: A gives all its room to H (carried 1), so X(A) = 0.5 + 0.5 X(B)
    // and X(B) = 0.9 X(A) + 0.1, i.e. X(A) = 0.55 / 0.55 = 1.
    close(r.upper("A"), 1.0);
    close(r.upper("B"), 1.0);
}

#[test]
fn licensed_edges_carry_nothing_into_restricted_buyers() {
    let model = graph("S D H", &["S>H 0.3", "S>D 0.5", "D>H 0.4"], &["H"]);
    let net = Net::build(&model);
    let (s, h) = (model.find("S").unwrap(), model.find("H").unwrap());
    let opts = Options {
        licensed: vec![net.edge(s, h).unwrap()],
        ..Options::default()
    };
    let r = Run::new(model, opts);
    close(r.direct("S"), 0.0);
    close(r.x("S"), 0.2);
    assert_eq!(r.reach("S"), 1);
}

#[test]
fn max_depth_counts_only_short_paths() {
    let model = graph("A B C H", &["A>B 0.5", "B>C 0.5", "C>H 0.5"], &["H"]);
    let r = Run::new(
        model,
        Options {
            settings: crate::analysis::Settings {
                max_depth: Some(2),
                ..Default::default()
            },
            ..Options::default()
        },
    );
    close(r.x("C"), 0.5);
    close(r.x("B"), 0.25);
    close(r.x("A"), 0.0);
    assert_eq!(r.reach("A"), 0);
    assert_eq!(r.reach("B"), 1);
}

#[test]
fn reach_counts_distinct_restricted_buyers_through_cycles() {
    let model = graph(
        "A B C H1 H2",
        &[
            "A>B 0.1", "B>C 0.1", "C>B 0.1", "C>H1 0.1", "B>H2 ?", "H1>A 0.1",
        ],
        &["H1", "H2"],
    );
    let r = Run::new(model, Options::default());
    assert_eq!(r.reach("A"), 2);
    // H1 reaches itself through A -> B -> C -> H1.
    assert_eq!(r.reach("H1"), 2);
}

#[test]
fn listings_follow_the_date_and_the_lists() {
    let json = r#"{"format":"exposure-graph/1",
      "entities":[{"id":"s","name":"S"},{"id":"h","name":"H"}],
      "relationships":[{"type":"supplies","from":"s","to":"h","share":0.2}],
      "listings":[{"entity":"h","list":"EL","start":"2019-05-16","end":"2020-01-01"}]}"#;
    let model = load::from_json(json.as_bytes()).unwrap();
    let at = |d: &str, lists: Option<Vec<String>>| {
        let opts = Options {
            settings: crate::analysis::Settings {
                as_of: crate::model::Date::parse(d),
                lists,
                ..Default::default()
            },
            ..Options::default()
        };
        Run::new(model.clone(), opts).x("s")
    };
    close(at("2019-05-15", None), 0.0);
    close(at("2019-05-16", None), 0.2);
    close(at("2020-01-01", None), 0.0);
    close(at("2019-06-01", Some(vec!["SDN".into()])), 0.0);
    // No date: only listings without an end count.
    close(Run::new(model.clone(), Options::default()).x("s"), 0.0);
}

#[test]
fn the_ownership_chain_names_the_owners_that_counted() {
    // X and Y listed; X owns 60 % of A (in R); A 50 % and Y 10 % of B.
    let r = affiliates("X Y A B", &["X=>A 60", "A=>B 50", "Y=>B 10"], &["X", "Y"]);
    let net = Net::build(&r.model);
    let ix = |id: &str| r.model.find(id).unwrap();
    let chains = r
        .outcome
        .restricted
        .chains(&net, &[ix("B"), ix("X"), ix("A")]);
    type Link<'a> = (&'a str, Via, Vec<(&'a str, f64)>);
    let links: Vec<Link> = chains[0]
        .iter()
        .map(|l| {
            (
                r.model.id(l.entity),
                l.via,
                l.owners.iter().map(|&(o, p)| (r.model.id(o), p)).collect(),
            )
        })
        .collect();
    assert_eq!(
        links,
        [
            ("B", Via::Affiliate, vec![("A", 50.0), ("Y", 10.0)]),
            ("A", Via::Affiliate, vec![("X", 60.0)]),
            ("Y", Via::Listing, vec![]),
            ("X", Via::Listing, vec![]),
        ]
    );
    assert_eq!(chains[1].len(), 1, "a listed entity is its own chain");
    assert_eq!(chains[2].len(), 2);
}

#[test]
fn ownership_loops_do_not_loop_the_chain() {
    // A and B own each other; X listed owns 60 % of A.
    let r = affiliates("X A B", &["X=>A 60", "A=>B 60", "B=>A 30"], &["X"]);
    let net = Net::build(&r.model);
    let chain = &r
        .outcome
        .restricted
        .chains(&net, &[r.model.find("B").unwrap()])[0];
    let ids: Vec<&str> = chain.iter().map(|l| r.model.id(l.entity)).collect();
    assert_eq!(ids, ["B", "A", "X"]);
}

/// A random strongly connected graph: a ring plus random chords, with
/// exact, bounded and unquantified shares within each seller's budget,
/// selling to the listed H and to W outside the ring, which carries less.
fn random_ring(n: usize, seed: u64) -> Model {
    let mut next = crate::testing::random(seed);
    let names: Vec<String> = (0..n)
        .map(|i| format!("v{i}"))
        .chain(["H".to_string(), "W".to_string()])
        .collect();
    let mut edges: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..n {
        let mut targets = vec![(i + 1) % n];
        for _ in 0..next(3) {
            targets.push(next(n as u64) as usize);
        }
        if next(4) == 0 {
            targets.push(n);
        }
        // W is outside the ring and carries some value, but less than H.
        if next(3) == 0 {
            targets.push(n + 1);
        }
        let mut budget = 1.0f64;
        for t in targets {
            if t == i || !seen.insert((i, t)) {
                continue;
            }
            let q = match next(4) {
                0 if budget > 0.3 => {
                    let s = [0.9f64, 0.3, 0.1, 0.999][next(4) as usize].min(budget - 0.01);
                    budget -= s;
                    format!("{s}")
                }
                1 => "0..0.2".to_string(),
                2 if budget > 0.1 => {
                    budget -= 0.05;
                    "0.05..0.6".to_string()
                }
                _ => "?".to_string(),
            };
            edges.push(format!("{}>{} {q}", names[i], names[t]));
        }
    }
    edges.push("W>H 0.3".into());
    let refs: Vec<&str> = edges.iter().map(String::as_str).collect();
    graph(&names.join(" "), &refs, &["H"])
}

/// Pairs of firms selling 0.97-0.99 of their revenue to each other inside
/// a ring of unknown shares that also sells to the listed H: the sweeps
/// solve each pair whole (`loops.rs`) and must land where the dense
/// solves do.
#[test]
fn loops_of_shares_near_1_inside_a_swept_component_agree_with_the_dense_solve() {
    for seed in 1..8u64 {
        let mut next = crate::testing::random(seed);
        let n = 60;
        let names: Vec<String> = (0..n).map(|i| format!("f{i:02}")).collect();
        let mut edges = Vec::new();
        for i in 0..n {
            // Ring of unknown shares, and every fifth firm sells to H.
            edges.push(format!("{}>{} ?", names[i], names[(i + 1) % n]));
            if i % 5 == 0 {
                edges.push(format!("{}>H 0.01", names[i]));
            }
        }
        for p in (0..n).step_by(6) {
            let (a, b) = (p + 2, p + 4);
            let w = |next: &mut dyn FnMut(u64) -> u64| 0.97 + 0.02 * next(100) as f64 / 100.0;
            edges.push(format!("{}>{} {}", names[a], names[b], w(&mut next)));
            edges.push(format!("{}>{} {}", names[b], names[a], w(&mut next)));
        }
        let refs: Vec<&str> = edges.iter().map(String::as_str).collect();
        let model = graph(&format!("{} H", names.join(" ")), &refs, &["H"]);
        let net = Net::build(&model);
        let opts = Options::default();
        let dense = evaluate_with(&net, &opts, usize::MAX);
        let swept = evaluate_with(&net, &opts, 0);
        for v in 0..net.n {
            for (what, a, b) in [
                ("x", dense.total[v], swept.total[v]),
                ("X", dense.upper[v], swept.upper[v]),
            ] {
                assert!(
                    (a - b).abs() < 1e-10,
                    "seed {seed}, {}: {what} {a} vs {b}",
                    model.id(v as u32)
                );
            }
        }
        assert!(
            dense.upper.iter().any(|&u| u > 0.5),
            "seed {seed}: the loops carry value"
        );
    }
}

#[test]
fn the_iterative_solvers_agree_with_the_dense_ones() {
    for seed in 1..40u64 {
        let model = random_ring(3 + (seed as usize % 25), seed);
        let net = Net::build(&model);
        let opts = Options::default();
        let dense = evaluate_with(&net, &opts, usize::MAX);
        let iterative = evaluate_with(&net, &opts, 0);
        assert_agree(&model, seed, "x", &dense.total, &iterative.total);
        assert_agree(&model, seed, "X", &dense.upper, &iterative.upper);
    }
}

/// Asserts that every entity's `what` in `got` is the one in `want`, to
/// 1e-10.
fn assert_agree(model: &Model, seed: u64, what: &str, want: &[f64], got: &[f64]) {
    for (v, (a, b)) in want.iter().zip(got).enumerate() {
        assert!(
            (a - b).abs() < 1e-10,
            "seed {seed}, {}: {what} {a} vs {b}",
            model.id(v as u32)
        );
    }
}

#[test]
fn a_long_loop_of_shares_near_1_is_swept_exactly() {
    // v0 -> v1 -> ... -> v1999 -> v0, each selling 0.99999 on; v0 sells
    // the rest to the listed H. Entity order runs along the loop, against
    // the direction in which values flow: a sweep in that order would
    // move them one step a sweep.
    let n = 2000;
    let w = 0.99999f64;
    let names: Vec<String> = (0..n).map(|i| format!("v{i:04}")).collect();
    let mut edges: Vec<String> = (0..n)
        .map(|i| format!("{}>{} {w}", names[i], names[(i + 1) % n]))
        .collect();
    edges.push(format!("{}>H {}", names[0], 1.0 - w));
    let refs: Vec<&str> = edges.iter().map(String::as_str).collect();
    let model = graph(&format!("{} H", names.join(" ")), &refs, &["H"]);
    let net = Net::build(&model);
    let out = evaluate_with(&net, &Options::default(), 0);
    // x(v_i) = w^(n - i) x(v0), x(v0) = (1 - w) / (1 - w^n).
    let x0 = (1.0 - w) / (1.0 - w.powi(n as i32));
    for i in [0, 1, n / 2, n - 1] {
        let want = x0 * if i == 0 { 1.0 } else { w.powi((n - i) as i32) };
        let v = model.find(&names[i]).unwrap() as usize;
        assert!(
            (out.total[v] - want).abs() < 1e-12,
            "{}: x {} vs {want}",
            names[i],
            out.total[v]
        );
        assert!(
            (out.upper[v] - want).abs() < 1e-12,
            "{}: X {} vs {want}",
            names[i],
            out.upper[v]
        );
    }
}

/// A ring of `n` firms, each free to give all its room to the one before
/// it ("?") and, with `chords`, to one more; each also sells a small
/// bounded share to W, which carries 0.5. X is 0.5 everywhere, the least
/// fixed point. Any value above it would hold too (the ring can pass it
/// round), so a solver that overshoots stays wrong.
fn ring_of_free_room(n: usize, chords: bool) -> Model {
    let names: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
    let mut edges = vec!["W>H 0.5".to_string()];
    for i in 0..n {
        // Caps from 0.001 to 0.02, so the error shrinks unevenly.
        let cap = 0.001 * (1 + (i * 7) % 20) as f64;
        edges.push(format!("{}>{} ?", names[i], names[(i + n - 1) % n]));
        if chords {
            edges.push(format!("{}>{} ?", names[i], names[(i * 13 + 5) % n]));
        }
        edges.push(format!("{}>W 0..{cap}", names[i]));
    }
    let refs: Vec<&str> = edges.iter().map(String::as_str).collect();
    graph(&format!("{} W H", names.join(" ")), &refs, &["H"])
}

#[test]
fn sweeps_that_jump_ahead_never_pass_the_least_fixed_point() {
    // Without chords a sweep shrinks every error by the same factor, and
    // the sweeps jump straight to the answer: a jump 1.2 times too long
    // fails here. With chords the factors differ.
    for chords in [false, true] {
        let model = ring_of_free_room(300, chords);
        let net = Net::build(&model);
        let out = evaluate_with(&net, &Options::default(), 0);
        for v in 0..300 {
            let (id, got) = (model.id(v as u32), out.upper[v]);
            assert!(
                got <= 0.5 + 1e-12,
                "chords {chords}, {id}: X {got} above 0.5"
            );
            assert!(
                got >= 0.5 - 1e-10,
                "chords {chords}, {id}: X {got} below 0.5"
            );
        }
    }
}

#[test]
fn a_component_whose_sweeps_stall_is_solved_directly() {
    // 300 firms each selling 0.999999 of their revenue to three others,
    // and up to 1e-6 to W: a sweep closes about 1e-6 of the distance
    // left, unevenly, so neither sweeps nor jumps converge; the component
    // is solved by policy iteration with dense solves instead, as when
    // every component is (`usize::MAX`).
    let n = 300;
    let mut next = crate::testing::random(11);
    let names: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
    let mut edges = vec!["W>H 0.5".to_string()];
    for i in 0..n {
        let mut buyers = vec![(i + 1) % n];
        while buyers.len() < 3 {
            let b = next(n as u64) as usize;
            if b != i && !buyers.contains(&b) {
                buyers.push(b);
            }
        }
        for (b, part) in buyers.into_iter().zip([0.5, 0.3, 0.2]) {
            edges.push(format!("{}>{} {}", names[i], names[b], part * 0.999_999));
        }
        edges.push(format!("{}>W 0..0.000001", names[i]));
    }
    let refs: Vec<&str> = edges.iter().map(String::as_str).collect();
    let model = graph(&format!("{} W H", names.join(" ")), &refs, &["H"]);
    let net = Net::build(&model);
    let out = evaluate(&net, &Options::default());
    let exact = evaluate_with(&net, &Options::default(), usize::MAX);
    for v in 0..n {
        let (got, want) = (out.upper[v], exact.upper[v]);
        assert!(want > 0.1, "{}: X {want}", model.id(v as u32));
        assert!(
            (got - want).abs() < 1e-12,
            "{}: X {got} vs {want}",
            model.id(v as u32)
        );
    }
}

#[test]
fn reach_shares_a_buyers_set_only_where_it_is_the_same_set() {
    // A reaches what E reaches (its set is E's); B adds H3 to D's, and F
    // joins D's and G's into one that neither holds: both are new sets.
    // K, above A and B, reaches all three, which a set of A's taken from
    // D, its first buyer, would lose.
    let model = graph(
        "H1 H2 H3 D E G A B F K",
        &[
            "D>H1 0.1", "E>H1 0.1", "E>H2 0.1", "G>H2 0.1", "A>D 0.1", "A>E 0.1", "B>D 0.1",
            "B>H3 0.1", "F>D 0.1", "F>G 0.1", "K>A 0.1", "K>B 0.1",
        ],
        &["H1", "H2", "H3"],
    );
    let r = Run::new(model, Options::default());
    let got: Vec<u32> = ["D", "E", "G", "A", "B", "F", "K"]
        .iter()
        .map(|v| r.reach(v))
        .collect();
    assert_eq!(got, [1, 2, 1, 2, 2, 2, 3]);
}

#[test]
fn reach_counts_more_restricted_buyers_than_one_pass_holds() {
    let n = 1100;
    let buyers: Vec<String> = (0..n).map(|i| format!("h{i}")).collect();
    let entities = format!("S T {}", buyers.join(" "));
    let mut edges: Vec<String> = buyers.iter().map(|b| format!("S>{b} ?")).collect();
    edges.push("T>S 0.5".into());
    edges.push("T>h7 0.1".into());
    let refs: Vec<&str> = edges.iter().map(String::as_str).collect();
    let listed: Vec<&str> = buyers.iter().map(String::as_str).collect();
    let r = Run::new(graph(&entities, &refs, &listed), Options::default());
    assert_eq!(r.reach("S"), n as u32);
    assert_eq!(r.reach("T"), n as u32);
    let r = Run::new(
        graph(&entities, &refs, &listed),
        Options {
            settings: crate::analysis::Settings {
                max_depth: Some(1),
                ..Default::default()
            },
            ..Options::default()
        },
    );
    assert_eq!(r.reach("T"), 1);
}

/// Puts seller `seller`'s edges to `buyers` into a new segment with cap
/// `share_max` (as a file's `segments` entry and `segment` fields would).
pub(super) fn segment(model: &mut Model, seller: &str, share_max: f64, buyers: &[&str]) {
    use crate::model::{Extra, Segment, SegmentRef};
    let from = model.find(seller).unwrap();
    let name = model
        .text
        .push(&format!("seg{}", model.segments.len()))
        .unwrap();
    let ix = SegmentRef::new(model.segments.len());
    model.segments.push(Segment {
        seller: from,
        name,
        share_max,
        source: None,
        extra: Extra::NONE,
    });
    let buyers: Vec<u32> = buyers.iter().map(|b| model.find(b).unwrap()).collect();
    for r in &mut model.relationships {
        if r.from == from && buyers.contains(&r.to) {
            r.segment = ix;
        }
    }
}

/// The spec's segment example (exposure spec, section 4): N sells, with no
/// known sizes, to the listed H, to B of the first graph and to D.
fn segment_example(cap: Option<f64>) -> Run {
    let mut model = graph(
        "A=1000 B C H N=100 D",
        &[
            "A>H 0.1", "A>B 0.5", "B>H 0.4", "B>C ?", "C>H 0.2", "N>H ?", "N>B ?", "N>D ?",
        ],
        &["H"],
    );
    if let Some(cap) = cap {
        segment(&mut model, "N", cap, &["H", "B"]);
    }
    Run::new(model, Options::default())
}

#[test]
fn the_spec_segment_example() {
    let open = segment_example(None);
    close(open.x("N"), 0.0);
    close(open.upper("N"), 1.0);
    let capped = segment_example(Some(0.3));
    close(capped.x("N"), 0.0);
    close(capped.upper("N"), 0.3);
    // A full segment leaves the next best edge outside it the rest.
    let r = segment_example(Some(0.0));
    close(r.upper("N"), 0.0);
    close(r.upper("B"), 0.52);
}

#[test]
fn a_segment_caps_the_sum_of_its_edges_not_each_edge() {
    // S sells to two listed buyers and to a listed one outside the
    // segment; the segment takes 0.25 between H1 and H2 together.
    let mut model = graph(
        "S H1 H2 H3 O",
        &["S>H1 0.1..1", "S>H2 ?", "S>H3 0..0.3", "S>O 0.2"],
        &["H1", "H2", "H3"],
    );
    segment(&mut model, "S", 0.35, &["H1", "H2"]);
    let r = Run::new(model, Options::default());
    // lo: 0.1 (H1) + 0.2 (O); room 0.7; the segment has 0.25 left.
    close(r.x("S"), 0.1);
    close(r.upper("S"), 0.1 + 0.25 + 0.3);
}

/// Adds segments to random sellers of `model`: some tight (the lower
/// bounds of their edges), some with room to spare, some over edges with
/// exact shares.
fn random_segments(model: &mut Model, seed: u64) {
    let mut next = crate::testing::random(seed);
    let ids: Vec<String> = (0..model.entities.len() as u32)
        .map(|v| model.id(v).to_string())
        .collect();
    for (v, seller) in ids.iter().enumerate() {
        if next(3) != 0 {
            continue;
        }
        let edges: Vec<(String, f64)> = model
            .relationships
            .iter()
            .filter(|r| r.from as usize == v && r.rel == crate::model::RelType::Supplies)
            .map(|r| {
                let lo = r.share.get().or(r.share_min.get()).unwrap_or(0.0);
                (ids[r.to as usize].clone(), lo)
            })
            .filter(|_| next(3) != 0)
            .collect();
        if edges.is_empty() {
            continue;
        }
        // Half of the sellers with two edges or more have two segments.
        let parts = match edges.len() >= 2 && next(2) == 0 {
            true => edges.split_at(edges.len() / 2),
            false => (&edges[..], &[][..]),
        };
        for part in [parts.0, parts.1].into_iter().filter(|p| !p.is_empty()) {
            let lo: f64 = part.iter().map(|e| e.1).sum();
            let spare = [0.0, 0.05, 0.3, 1.0][next(4) as usize];
            let buyers: Vec<&str> = part.iter().map(|e| e.0.as_str()).collect();
            segment(model, seller, (lo + spare).min(1.0).max(lo), &buyers);
        }
    }
}

#[test]
fn segments_lower_x_never_and_x_upper_never_raise_it() {
    for seed in 1..40u64 {
        let plain = random_ring(3 + (seed as usize % 25), seed);
        let mut capped = plain.clone();
        random_segments(&mut capped, seed);
        let (a, b) = (
            evaluate(&Net::build(&plain), &Options::default()),
            evaluate(&Net::build(&capped), &Options::default()),
        );
        for v in 0..plain.entities.len() {
            assert_eq!(a.total[v], b.total[v], "seed {seed}: x changed");
            assert!(b.upper[v] <= a.upper[v] + 1e-12, "seed {seed}: X rose");
            assert!(b.total[v] <= b.upper[v] + 1e-12, "seed {seed}: x > X");
        }
    }
}

#[test]
fn with_segments_the_iterative_solvers_agree_with_the_dense_ones() {
    for seed in 1..40u64 {
        let mut model = random_ring(3 + (seed as usize % 25), seed);
        random_segments(&mut model, seed + 1000);
        let net = Net::build(&model);
        let dense = swept_upper_is_the_dense_one(&model, &net, seed);
        // The k-th iterates rise to X.
        let deep = evaluate(
            &net,
            &Options {
                settings: crate::analysis::Settings {
                    max_depth: Some(2000),
                    ..Default::default()
                },
                ..Options::default()
            },
        );
        for (deep, dense) in deep.upper.iter().zip(&dense) {
            assert!(*deep <= dense + 1e-9, "seed {seed}");
        }
    }
}

/// Asserts that X with every component swept is X with every component
/// solved densely, to 1e-10, and returns the latter.
fn swept_upper_is_the_dense_one(model: &Model, net: &Net, seed: u64) -> Vec<f64> {
    let opts = Options::default();
    let dense = evaluate_with(net, &opts, usize::MAX);
    let swept = evaluate_with(net, &opts, 0);
    assert_agree(model, seed, "X", &dense.upper, &swept.upper);
    dense.upper
}

#[test]
fn x_upper_solved_as_the_search_finds_components_equals_it_solved_after() {
    // A ring of 24,000 firms (above the size that starts X before the
    // search ends) with chords of unknown share, a buyer downstream that
    // sells to a listed firm, and sellers upstream of the ring.
    let (n, up) = (24_000, 3_000);
    let mut next = crate::testing::random(17);
    let mut ids: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
    ids.extend((0..up).map(|j| format!("u{j}")));
    let mut edges = vec!["D>H 0.5".to_string()];
    for i in 0..n {
        edges.push(format!("v{i}>v{} 0.3", (i + 1) % n));
        // Never to itself or to the next one, which it sells to already.
        edges.push(format!(
            "v{i}>v{} ?",
            (i + 2 + next(n as u64 - 3) as usize) % n
        ));
        edges.push(format!("v{i}>D 0..0.05"));
    }
    for j in 0..up {
        edges.push(format!("u{j}>v{} 0.4", next(n as u64)));
    }
    let refs: Vec<&str> = edges.iter().map(String::as_str).collect();
    let model = graph(&format!("{} D H", ids.join(" ")), &refs, &["H"]);
    let net = Net::build(&model);
    let opts = Options::default();
    let out = evaluate(&net, &opts);

    let restricted = Restricted::of(&net, &opts);
    let licensed = opts.licensed_edges(&net);
    let upper = Equations {
        net: &net,
        restricted: &restricted.in_r_plus,
        licensed: &licensed,
        dense_max: solve::DENSE_MAX,
    };
    let sccs = Sccs::of(&net, |e| upper.follows(e));
    assert!((0..sccs.len()).any(|c| sccs.comp(c).len() == n));
    let (after, _) = upper.solve(&sccs, Bound::Upper);
    assert_eq!(out.upper, after);

    // The solve above did start before the search ended.
    let found = published::Published::new(net.n);
    let (early, _) = both(
        || matches!(found.components(), published::Start::Early(_)),
        || found.search(&net, |e| upper.follows(e)).len(),
    );
    assert!(early);
}

#[test]
fn evaluated_below_some_entities_their_numbers_and_what_they_sell_to_are_a_full_evaluations() {
    let mut partial = 0;
    for seed in 1..300u64 {
        let (_, net, opts) = crate::scenario::tests::random_case(seed);
        let full = evaluate(&net, &opts);
        let mut next = crate::testing::random(seed + 9000);
        let from = [next(net.n as u64) as u32];
        let below = net.below(from.iter(), &full.restricted.in_r);
        partial += below.contains(&false) as usize;
        let (part, _) = evaluate_below(&net, &opts, &from);
        assert_eq!(
            part.restricted.in_r_plus, full.restricted.in_r_plus,
            "seed {seed}"
        );
        let what = format!("seed {seed}");
        crate::scenario::tests::assert_bounds_close(
            &what,
            &part,
            &full,
            (0..net.n).filter(|&v| below[v]),
        );
        // Only what lies below is solved.
        for v in (0..net.n).filter(|&v| !below[v]) {
            assert_eq!((part.total[v], part.upper[v]), (0.0, 0.0), "seed {seed}");
        }
    }
    // Most graphs leave something out: the test says nothing where the
    // set is the whole graph.
    assert!(partial > 250, "{partial} of 299");
}

#[test]
fn paths_of_x_upper_found_below_an_entity_are_those_of_a_full_evaluation() {
    let mut with_paths = 0;
    for seed in 1..150u64 {
        let (model, net, opts) = crate::scenario::tests::random_case(seed);
        let id = |v| model.id(v);
        let mut next = crate::testing::random(seed + 11000);
        let q = paths::Query {
            from: next(net.n as u64) as u32,
            top: 20,
            limit: paths::MAX_PARTIAL_PATHS,
        };
        let full = evaluate(&net, &opts);
        let (paths, worst) = paths::of_bound(&net, &opts, &full, Bound::Upper, id, q, None);
        let (part, below) = evaluate_below(&net, &opts, &[q.from]);
        let (found, t) = paths::of_bound(&net, &opts, &part, Bound::Upper, id, q, Some(&below));
        assert_eq!(found.paths.len(), paths.paths.len(), "seed {seed}");
        with_paths += !paths.paths.is_empty() as usize;
        let (worst, t) = (worst.unwrap(), t.unwrap());
        for (a, b) in found.paths.iter().zip(&paths.paths) {
            assert_eq!(a.entities, b.entities, "seed {seed}");
            assert!((a.weight - b.weight).abs() <= 1e-9, "seed {seed}");
            for &e in &a.edges {
                assert!(
                    (t[e] - worst[e]).abs() <= 1e-9,
                    "seed {seed}: t of edge {e}"
                );
            }
        }
    }
    assert!(with_paths > 100, "{with_paths} of 149 entities have paths");
}

#[test]
fn a_component_above_a_thousand_members_gets_the_dense_solves_numbers() {
    // Above 1,000 members a policy with a few members still changing is
    // solved whole after eight rounds (`sweep.rs`), and is checked at
    // its solution; with segments, the fill's caps take part in each
    // policy.
    for seed in 1..12u64 {
        let mut model = random_ring(1200 + 300 * (seed as usize % 4), seed);
        random_segments(&mut model, seed + 1000);
        let dense = swept_upper_is_the_dense_one(&model, &Net::build(&model), seed);
        let valued = dense.iter().filter(|&&u| u > 0.0).count();
        assert!(valued > 1000, "seed {seed}: {valued}");
    }
}

#[test]
fn policy_rounds_that_solve_a_changing_policy_still_reach_the_dense_solves_numbers() {
    // Any policy solved whole, however many of its members still change
    // (`few` = every member): a solved policy that changes goes on to
    // another round, and one that changes again gives way to the
    // knapsack's sweeps and their stopping rule, as a policy flipping
    // between near ties would.
    use super::scc::Sccs;
    for seed in 1..10u64 {
        let mut model = random_ring(300 + 40 * seed as usize, seed);
        random_segments(&mut model, seed + 2000);
        let net = Net::build(&model);
        let opts = Options::default();
        let dense = evaluate_with(&net, &opts, usize::MAX).upper;
        let in_r_plus = Restricted::of(&net, &opts).in_r_plus;
        let sccs = Sccs::of(&net, |e| !in_r_plus[net.buyer[e] as usize]);
        let comp = (0..sccs.len())
            .map(|c| sccs.comp(c))
            .max_by_key(|c| c.len())
            .expect("a component")
            .to_vec();
        assert!(comp.len() > 250, "seed {seed}: {}", comp.len());
        for (patience, few) in [(0, comp.len()), (0, 0), (3, 5)] {
            let mut compact = upper_compact(&net, &comp, &dense);
            let mut vals = vec![0.0; comp.len()];
            let sweeps = compact.sweep_with(&mut vals, 20_000, patience, few);
            assert!(sweeps.is_some(), "seed {seed}, {patience}/{few}");
            for (i, &v) in comp.iter().enumerate() {
                let (want, got) = (dense[v as usize], vals[i]);
                assert!(
                    (want - got).abs() < 1e-10,
                    "seed {seed}, {patience}/{few}, {}: X {got} vs {want}",
                    model.id(v)
                );
            }
        }
    }
}
