//! Strongly connected components of the supplies graph restricted to the
//! edges an equation depends on, by an iterative Tarjan: a chain of a
//! million entities needs no deep call stack.

use super::published::Published;
use crate::graph::Net;
use crate::prefetch::prefetch;

/// Components in the order of [`Sccs`], as a solver reads them: all at
/// hand, or handed over one by one as a search on another thread finds
/// them (`published.rs`).
pub trait Components {
    /// The members of component `c`, waiting for it if it is still being
    /// found; `None` past the last component.
    fn get(&mut self, c: usize) -> Option<&[u32]>;

    /// The first member of component `c`, if it is at hand now (loops that
    /// look ahead ask past the last, and past what was found).
    fn first_member(&self, c: usize) -> Option<u32>;
}

impl Components for &Sccs {
    fn get(&mut self, c: usize) -> Option<&[u32]> {
        (c < self.len()).then(|| self.comp(c))
    }

    fn first_member(&self, c: usize) -> Option<u32> {
        Sccs::first_member(self, c)
    }
}

/// Components in reverse topological order: every edge leaves a component
/// for one listed earlier (sinks first), so each can be solved once the
/// ones before it are known.
#[derive(Clone, Debug)]
pub struct Sccs {
    /// Entities grouped by component; within one, in the order the search
    /// finished them (see `of`).
    pub members: Vec<u32>,
    /// Component `c` is `members[start[c]..start[c + 1]]`.
    pub start: Vec<u32>,
    /// The component of each entity.
    pub comp_of: Vec<u32>,
}

impl Sccs {
    /// Number of components.
    pub fn len(&self) -> usize {
        self.start.len() - 1
    }

    /// Whether there is no component (a graph without entities).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entities of component `c`.
    pub fn comp(&self, c: usize) -> &[u32] {
        &self.members[self.start[c] as usize..self.start[c + 1] as usize]
    }

    /// The first member of component `c`, if there is one (loops that
    /// look ahead ask past the last).
    pub fn first_member(&self, c: usize) -> Option<u32> {
        (c < self.len()).then(|| self.comp(c)[0])
    }

    /// The components whose members are in `set`, in this order, each
    /// with its members in this order; `set` must hold whole components
    /// (it does when it is closed upstream or downstream along the edges
    /// followed; test builds check it). An entity of `set` past these
    /// components' entities (one a changed copy of the graph added) is a
    /// component alone, listed first: it must then have no followed edge
    /// out (a sink). `comp_of` is meaningful for `set` only.
    ///
    /// # Complexity
    /// O(n + members kept).
    pub fn within(&self, set: &[u32], n: usize) -> Sccs {
        let known = self.comp_of.len();
        let mut inside = vec![false; n];
        for &v in set {
            inside[v as usize] = true;
        }
        let mut members = Vec::with_capacity(set.len());
        let mut start = vec![0u32];
        let mut comp_of = vec![0u32; n];
        for &v in set.iter().filter(|&&v| v as usize >= known) {
            comp_of[v as usize] = (start.len() - 1) as u32;
            members.push(v);
            start.push(members.len() as u32);
        }
        for c in 0..self.len() {
            let comp = self.comp(c);
            // In tests, a set that holds part of a component is caught
            // here, not left to give the rest the base's numbers.
            #[cfg(test)]
            assert!(
                comp.iter()
                    .all(|&v| inside[v as usize] == inside[comp[0] as usize]),
                "the set holds part of component {c}: {comp:?}"
            );
            if !inside[comp[0] as usize] {
                continue;
            }
            let k = (start.len() - 1) as u32;
            for &v in comp {
                comp_of[v as usize] = k;
            }
            members.extend_from_slice(comp);
            start.push(members.len() as u32);
        }
        Sccs {
            members,
            start,
            comp_of,
        }
    }

    /// These components (of `net`'s edges `e` with `follow(e)` but the
    /// sale from `a` to `b`, both entities of them) with that sale
    /// followed too, when `b`'s component is listed after `a`'s: the
    /// components `b` reaches that are listed no earlier than `a`'s move,
    /// in their order, to just before `a`'s, and those of them that reach
    /// `a`'s (a loop closed) merge with it into one, listed after the
    /// rest. Another followed edge that leads to a component listed later
    /// (a new sale the caller lays in after this one) is gone along when
    /// it stays between `a`'s and `b`'s, and left as it is otherwise. An
    /// entity past these components' (a changed copy's new one) is not
    /// gone into.
    ///
    /// After the move every followed edge out of a moved component still
    /// leads to one listed no later: one between `a`'s and `b`'s is
    /// reached too and moves with it, in the same order, or merges; one
    /// before `a`'s stays there; and a component with an edge into `a`'s
    /// is merged. Edges into a moved component come from components
    /// listed after it, which stay after `a`'s place. The members of the
    /// merged component come in their components' order, `a`'s first.
    ///
    /// # Complexity
    /// O(n + the members and edges of the components reached, `a`'s
    /// not included).
    pub fn with_sale(&self, net: &Net, follow: impl Fn(usize) -> bool, (a, b): (u32, u32)) -> Sccs {
        let (ca, cb) = (self.comp_of[a as usize], self.comp_of[b as usize]);
        if cb <= ca {
            return self.clone();
        }
        // The components reached from b's and listed from a's to b's,
        // and the edges among them; a's is not gone on from.
        let mut reached = vec![false; self.len()];
        let mut among: Vec<(u32, u32)> = Vec::new();
        let mut stack = vec![cb];
        reached[cb as usize] = true;
        while let Some(c) = stack.pop() {
            if c == ca {
                continue;
            }
            for &v in self.comp(c as usize) {
                for e in net.sales(v).filter(|&e| follow(e)) {
                    let Some(&d) = self.comp_of.get(net.buyer[e] as usize) else {
                        continue;
                    };
                    if d == c || d < ca || d > cb {
                        continue;
                    }
                    among.push((c, d));
                    if !reached[d as usize] {
                        reached[d as usize] = true;
                        stack.push(d);
                    }
                }
            }
        }
        // Those that reach a's: back along the edges among them.
        let mut merged = vec![false; self.len()];
        if reached[ca as usize] {
            among.sort_unstable_by_key(|&(_, d)| d);
            merged[ca as usize] = true;
            let mut stack = vec![ca];
            while let Some(d) = stack.pop() {
                let from = among.partition_point(|&(_, x)| x < d);
                for &(c, x) in &among[from..] {
                    if x != d {
                        break;
                    }
                    if !merged[c as usize] {
                        merged[c as usize] = true;
                        stack.push(c);
                    }
                }
            }
        }
        let mut members = Vec::with_capacity(self.members.len());
        let mut start = vec![0u32];
        let mut comp_of = self.comp_of.clone();
        let mut push = |members: &mut Vec<u32>, start: &mut Vec<u32>, cs: &[u32]| {
            let k = (start.len() - 1) as u32;
            for &c in cs {
                for &v in self.comp(c as usize) {
                    comp_of[v as usize] = k;
                    members.push(v);
                }
            }
            start.push(members.len() as u32);
        };
        for c in 0..self.len() as u32 {
            if c == ca {
                let moved = (ca + 1..=cb).filter(|&d| reached[d as usize] && !merged[d as usize]);
                for d in moved {
                    push(&mut members, &mut start, &[d]);
                }
                let one: Vec<u32> = (ca..=cb).filter(|&d| merged[d as usize]).collect();
                match one.is_empty() {
                    true => push(&mut members, &mut start, &[ca]),
                    false => push(&mut members, &mut start, &one),
                }
            } else if !reached[c as usize] {
                push(&mut members, &mut start, &[c]);
            }
        }
        Sccs {
            members,
            start,
            comp_of,
        }
    }

    /// The components of `below` followed by those of `self`, as one
    /// list: in order sinks first when no followed edge leads from a
    /// member of `below` to a member of `self` (`below` is downstream of
    /// `self`). `comp_of` is meaningful for their members, as it is in
    /// each for its own.
    ///
    /// # Complexity
    /// O(members of `self`).
    pub fn after(&self, below: Sccs) -> Sccs {
        let Sccs {
            mut members,
            mut start,
            mut comp_of,
        } = below;
        let (k, m) = ((start.len() - 1) as u32, members.len() as u32);
        for &v in &self.members {
            comp_of[v as usize] = k + self.comp_of[v as usize];
        }
        members.extend_from_slice(&self.members);
        start.extend(self.start[1..].iter().map(|&s| s + m));
        Sccs {
            members,
            start,
            comp_of,
        }
    }

    /// Components of the graph of supplies edges `e` with `follow(e)`.
    ///
    /// # Complexity
    /// O(V + E) time, O(V) extra space.
    pub fn of(net: &Net, follow: impl Fn(usize) -> bool) -> Sccs {
        Sccs::from_roots(net, 0..net.n as u32, follow)
    }

    /// The components that hold `roots` (ascending), over the edges `e`
    /// with `follow(e)`. When the roots are closed under following back
    /// (every entity whose followed edge leads to a root is a root) and
    /// `follow` leaves the others out, these are the very components of
    /// [`Sccs::of`] that hold them, with their members in the same order:
    /// the search meets them in the same order, as nothing outside leads
    /// into them. `comp_of` is meaningful for the roots only.
    ///
    /// # Complexity
    /// O(roots + their followed edges) time, O(V) space.
    pub fn from_roots(
        net: &Net,
        roots: impl IntoIterator<Item = u32>,
        follow: impl Fn(usize) -> bool,
    ) -> Sccs {
        Sccs::search(net, roots, follow, None)
    }

    /// [`Sccs::of`], publishing each component to `found` as soon as it
    /// is found, for a solver on another thread (`Published::search`).
    pub(super) fn publishing(net: &Net, follow: impl Fn(usize) -> bool, found: &Published) -> Sccs {
        Sccs::search(net, 0..net.n as u32, follow, Some(found))
    }

    /// The iterative Tarjan behind [`Sccs::from_roots`], publishing to
    /// `found` when given.
    fn search(
        net: &Net,
        roots: impl IntoIterator<Item = u32>,
        follow: impl Fn(usize) -> bool,
        found: Option<&Published>,
    ) -> Sccs {
        const UNSEEN: u32 = u32::MAX;
        // `low` once the entity has its component: off the stack.
        const DONE: u32 = u32::MAX;
        let n = net.n;
        // The search's index and low link of each entity side by side, so
        // that looking at a buyer costs one memory access, not three.
        let mut node = vec![
            Link {
                index: UNSEEN,
                low: 0
            };
            n
        ];
        let mut stack: Vec<u32> = Vec::new();
        // Call frames: (entity, next edge to look at).
        let mut frames: Vec<(u32, u32)> = Vec::new();
        // Entities whose search has finished, not yet in a component.
        let mut finished: Vec<u32> = Vec::new();
        let roots = roots.into_iter();
        let mut members = Vec::with_capacity(roots.size_hint().0);
        let mut start = vec![0u32];
        let mut comp_of = vec![0u32; n];
        let mut counter = 0u32;

        for root in roots {
            if node[root as usize].index != UNSEEN {
                continue;
            }
            node[root as usize] = Link {
                index: counter,
                low: counter,
            };
            counter += 1;
            stack.push(root);
            frames.push((root, net.sell_start[root as usize]));
            while let Some(&mut (v, ref mut next)) = frames.last_mut() {
                let end = net.sell_start[v as usize + 1];
                if *next < end {
                    let e = *next as usize;
                    *next += 1;
                    if !follow(e) {
                        continue;
                    }
                    let u = net.buyer[e] as usize;
                    let Link { index, low } = node[u];
                    if index == UNSEEN {
                        node[u] = Link {
                            index: counter,
                            low: counter,
                        };
                        counter += 1;
                        stack.push(u as u32);
                        frames.push((u as u32, net.sell_start[u]));
                        // u's buyers are looked at next, and then theirs.
                        for &w in &net.buyer[net.sales(u as u32)] {
                            prefetch(&node, w as usize);
                            prefetch(&net.sell_start, w as usize);
                        }
                    } else if low != DONE {
                        // On the stack.
                        let l = &mut node[v as usize].low;
                        *l = (*l).min(index);
                    }
                    continue;
                }
                frames.pop();
                finished.push(v);
                let Link { index, low } = node[v as usize];
                if low == index {
                    let c = (start.len() - 1) as u32;
                    let mut k = 0;
                    loop {
                        let w = stack.pop().expect("v is on the stack");
                        node[w as usize].low = DONE;
                        comp_of[w as usize] = c;
                        k += 1;
                        if w == v {
                            break;
                        }
                    }
                    // The members are the last k entities to finish, v
                    // last: every other one is a descendant of v. In the
                    // order they finished, most of each one's buyers in
                    // the component come before it, so that a sweep over
                    // the component (`solve.rs`) mostly reads values
                    // already updated; a loop then takes one sweep, not one
                    // per member.
                    let from = members.len();
                    members.extend_from_slice(&finished[finished.len() - k..]);
                    finished.truncate(finished.len() - k);
                    start.push(members.len() as u32);
                    if let Some(found) = found {
                        found.publish(from, &members[from..]);
                    }
                    continue;
                }
                if let Some(&(parent, _)) = frames.last() {
                    let l = &mut node[parent as usize].low;
                    *l = (*l).min(low);
                }
            }
        }
        Sccs {
            members,
            start,
            comp_of,
        }
    }
}

/// One entity's place in the search: the order it was reached in, and the
/// least index it reaches on the stack (`DONE` once in a component).
#[derive(Clone, Copy)]
struct Link {
    index: u32,
    low: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load;

    fn net(edges: &[(&str, &str)]) -> (crate::model::Model, Net) {
        let mut ids: Vec<&str> = edges.iter().flat_map(|(a, b)| [*a, *b]).collect();
        ids.sort();
        ids.dedup();
        let entities: Vec<String> = ids
            .iter()
            .map(|id| format!(r#"{{"id":"{id}","name":"{id}"}}"#))
            .collect();
        let rels: Vec<String> = edges
            .iter()
            .map(|(a, b)| format!(r#"{{"type":"supplies","from":"{a}","to":"{b}","share":0.1}}"#))
            .collect();
        let json = format!(
            r#"{{"format":"exposure-graph/1","entities":[{}],"relationships":[{}]}}"#,
            entities.join(","),
            rels.join(",")
        );
        let model = load::from_json(json.as_bytes()).expect("valid");
        let net = Net::build(&model);
        (model, net)
    }

    #[test]
    fn components_come_sinks_first() {
        // a -> b <-> c -> d
        let (model, net) = net(&[("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")]);
        let sccs = Sccs::of(&net, |_| true);
        let names: Vec<Vec<&str>> = (0..sccs.len())
            .map(|c| sccs.comp(c).iter().map(|&v| model.id(v)).collect())
            .collect();
        assert_eq!(names, vec![vec!["d"], vec!["c", "b"], vec!["a"]]);
    }

    #[test]
    fn sales_laid_into_components_give_those_of_the_graph_with_them() {
        // Random graphs, a random set of entities not followed into, and
        // one to three new sales, each laid in when it goes against the
        // order: the components of the graph with them, in a valid order.
        let build = |n: usize, edges: &[(u64, u64)]| {
            let entities: Vec<String> = (0..n)
                .map(|i| format!(r#"{{"id":"e{i:02}","name":"E"}}"#))
                .collect();
            let rels: Vec<String> = edges
                .iter()
                .map(|(a, b)| {
                    format!(r#"{{"type":"supplies","from":"e{a:02}","to":"e{b:02}","share":0.1}}"#)
                })
                .collect();
            let json = format!(
                r#"{{"format":"exposure-graph/1","entities":[{}],"relationships":[{}]}}"#,
                entities.join(","),
                rels.join(",")
            );
            Net::build(&load::from_json(json.as_bytes()).expect("valid"))
        };
        let mut merged = 0;
        for seed in 1..400 {
            let mut next = crate::testing::random(seed);
            let n = 3 + next(25) as usize;
            let mut edges: Vec<(u64, u64)> = Vec::new();
            let pick = |edges: &mut Vec<(u64, u64)>, next: &mut dyn FnMut(u64) -> u64| {
                let (a, b) = (next(n as u64), next(n as u64));
                let sales = edges.iter().filter(|(s, _)| *s == a).count();
                let new = a != b && sales < 9 && !edges.contains(&(a, b));
                new.then(|| edges.push((a, b))).is_some()
            };
            for _ in 0..next(3 * n as u64) {
                pick(&mut edges, &mut next);
            }
            let stop: Vec<bool> = (0..n).map(|_| next(6) == 0).collect();
            let loaded = build(n, &edges);
            let mut sccs = Sccs::of(&loaded, |e| !stop[loaded.buyer[e] as usize]);
            let before = sccs.len();
            let first_new = edges.len();
            for _ in 0..1 + next(3) {
                pick(&mut edges, &mut next);
            }
            let copy = build(n, &edges);
            let follow = |e: usize| !stop[copy.buyer[e] as usize];
            for &(a, b) in &edges[first_new..] {
                if !stop[b as usize] {
                    sccs = sccs.with_sale(&copy, follow, (a as u32, b as u32));
                }
            }
            merged += usize::from(sccs.len() < before);
            let fresh = Sccs::of(&copy, follow);
            for u in 0..n {
                for v in 0..n {
                    assert_eq!(
                        sccs.comp_of[u] == sccs.comp_of[v],
                        fresh.comp_of[u] == fresh.comp_of[v],
                        "seed {seed}: {u} and {v}"
                    );
                }
            }
            for e in (0..copy.edge_count()).filter(|&e| follow(e)) {
                let (s, b) = (copy.seller_of(e) as usize, copy.buyer[e] as usize);
                assert!(sccs.comp_of[b] <= sccs.comp_of[s], "seed {seed}: {s} > {b}");
            }
            let mut members = sccs.members.clone();
            members.sort_unstable();
            assert_eq!(members, (0..n as u32).collect::<Vec<_>>(), "seed {seed}");
            for c in 0..sccs.len() {
                assert!(sccs
                    .comp(c)
                    .iter()
                    .all(|&v| sccs.comp_of[v as usize] == c as u32));
            }
        }
        assert!(merged > 50, "only {merged} graphs had a loop closed");
    }

    #[test]
    fn members_come_after_their_buyers_but_for_one_edge_of_a_loop() {
        // A ring a -> b -> c -> d -> e -> a, the search starting at a.
        let (model, net) = net(&[("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "a")]);
        let sccs = Sccs::of(&net, |_| true);
        let ids: Vec<&str> = sccs.comp(0).iter().map(|&v| model.id(v)).collect();
        assert_eq!(ids, ["e", "d", "c", "b", "a"]);
    }

    #[test]
    fn components_below_then_above_make_one_list_sinks_first() {
        // a -> b <-> c -> d <-> e: {a, b, c} above, {d, e} below it.
        let (model, net) = net(&[
            ("a", "b"),
            ("b", "c"),
            ("c", "b"),
            ("c", "d"),
            ("d", "e"),
            ("e", "d"),
        ]);
        let ix = |ids: &[&str]| -> Vec<u32> {
            let mut v: Vec<u32> = ids.iter().map(|id| model.find(id).unwrap()).collect();
            v.sort_unstable();
            v
        };
        let (above, below) = (ix(&["a", "b", "c"]), ix(&["d", "e"]));
        let within = |set: &[u32]| {
            Sccs::from_roots(&net, set.iter().copied(), |e| set.contains(&net.buyer[e]))
        };
        let joined = within(&above).after(within(&below));
        let whole = Sccs::of(&net, |_| true);
        let names = |s: &Sccs| -> Vec<Vec<String>> {
            (0..s.len())
                .map(|c| s.comp(c).iter().map(|&v| model.id(v).to_string()).collect())
                .collect()
        };
        assert_eq!(names(&joined), names(&whole));
        for v in 0..net.n {
            assert_eq!(
                joined.comp_of[v],
                whole.comp_of[v],
                "{}",
                model.id(v as u32)
            );
        }
    }

    #[test]
    fn the_components_within_an_upstream_set_are_those_found_from_its_roots() {
        // a -> b <-> c -> d, e -> d, f -> a: upstream of b is {a, b, c, f}.
        let (model, net) = net(&[
            ("a", "b"),
            ("b", "c"),
            ("c", "b"),
            ("c", "d"),
            ("e", "d"),
            ("f", "a"),
        ]);
        let all = Sccs::of(&net, |_| true);
        let mut set: Vec<u32> = ["a", "b", "c", "f"]
            .iter()
            .map(|id| model.find(id).unwrap())
            .collect();
        set.sort_unstable();
        let kept = all.within(&set, net.n);
        let found = Sccs::from_roots(&net, set.iter().copied(), |e| set.contains(&net.buyer[e]));
        let names = |s: &Sccs| -> Vec<Vec<String>> {
            (0..s.len())
                .map(|c| s.comp(c).iter().map(|&v| model.id(v).to_string()).collect())
                .collect()
        };
        assert_eq!(names(&kept), names(&found));
        assert_eq!(names(&kept), [vec!["c", "b"], vec!["a"], vec!["f"]]);
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let n = 200_000usize;
        let mut net = Net::build(&crate::model::Model::default());
        net.n = n;
        net.sell_start = std::sync::Arc::new((0..=n as u32).map(|i| i.min(n as u32 - 1)).collect());
        net.buyer = (1..n as u32).collect();
        let sccs = Sccs::of(&net, |_| true);
        assert_eq!(sccs.len(), n);
        assert_eq!(sccs.comp(0), &[n as u32 - 1]);
    }
}
