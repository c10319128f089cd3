//! The paths that make up an entity's lower exposure x, or its upper
//! exposure X under the worst case (exposure spec, section 5), best
//! first: a best-first search over partial paths (A*, guided by the best
//! weight each entity can still reach when the weight so far does not
//! complete paths soon), that stops after the first K complete ones and
//! never enumerates them all.
//!
//! Owns the order of paths (weight descending, length ascending, ids
//! lexicographically). Must not do IO or know ids beyond comparing them.

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};

use super::{worst_case, Bound, Options, Outcome};
use crate::graph::{Incoming, Net};
use crate::model::EntityIx;

/// The default cap on partial paths a search may generate (about 150 MB
/// of heap at most).
pub const MAX_PARTIAL_PATHS: usize = 2_000_000;

/// The partial paths a search tries without a guide to the ends before it
/// takes one ([`Finder::search`]).
const UNGUIDED_PARTIAL_PATHS: usize = 200_000;

/// What to explain.
#[derive(Clone, Copy, Debug)]
pub struct Query {
    /// The entity whose paths are wanted.
    pub from: EntityIx,
    /// How many paths to list.
    pub top: usize,
    /// Stop, and say so, after generating this many partial paths.
    pub limit: usize,
}

/// One path v -> ... -> r to the first restricted entity r.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// The entities, v first, r last; no entity twice.
    pub entities: Vec<EntityIx>,
    /// The supplies edges between them, in order.
    pub edges: Vec<usize>,
    /// The product of its edges' weights (their lower bounds for x; lower
    /// bound plus the worst case's share for X).
    pub weight: f64,
    /// Whether every edge on it is exact.
    pub complete: bool,
}

/// The answer of a search.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The first paths in order (at most `top`).
    pub paths: Vec<Path>,
    /// Whether the cap stopped the search before `top` paths were found or
    /// every path was listed: more paths may exist after the last.
    pub truncated: bool,
    /// The partial paths generated.
    pub generated: usize,
}

/// A weight as a cost: −log2 of it in units of 2^−32, rounded, so that a
/// path's cost is the exact integer sum of its edges' costs. Sums do not
/// depend on the order they are taken in, so paths of equal weights tie
/// exactly (a product of doubles would differ in the last bits with the
/// order of its factors, and on a graph of many equal paths that noise
/// would decide which to grow first). Weight 0 costs [`NEVER`].
type Cost = u64;

/// The cost of weight 0, and of a path that reaches an end only through
/// edges of weight 0.
const NEVER: Cost = Cost::MAX;

/// The cost of one edge's weight. A weight of 1 or more costs 0.
fn cost(w: f64) -> Cost {
    if w.is_nan() || w <= 0.0 {
        return NEVER;
    }
    if w >= 1.0 {
        return 0;
    }
    // At most 1074 · 2^32 (the least positive double): no overflow.
    (-w.log2() * 4_294_967_296.0).round() as Cost
}

/// A path on the heap. Its key is a lower bound, in path order, of every
/// complete path that extends it: its cost so far plus the least cost
/// from its last entity to an end (`rest`), a completion is at least
/// `len + dist(last)` edges long, and a sequence sorts before its
/// extensions. On a graph of many paths of one weight the keys tie and
/// the ids decide: the search goes deep first and completes paths
/// without growing every partial path first.
struct Entry {
    /// Cost so far plus the least cost to an end.
    key: Cost,
    /// Edges so far plus the fewest edges to a restricted entity.
    bound: u32,
    /// The ranks (in id order) of the entities on the path.
    ranks: Box<[u32]>,
    /// The cost so far.
    cost: Cost,
    /// The product of the weights so far, in path order.
    weight: f64,
    exact: bool,
    /// Whether it ends at a restricted entity.
    done: bool,
}

impl Ord for Entry {
    /// Greater is better: `BinaryHeap` pops the greatest first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .key
            .cmp(&self.key)
            .then(other.bound.cmp(&self.bound))
            .then_with(|| other.ranks.cmp(&self.ranks))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

/// The first `q.top` paths from `q.from` to the first restricted entity
/// reached (`in_r`: R for x, R+ for X), in the spec's order, each edge
/// weighing `weight[e]` (`net.lo` for x, lo + t for X). No entity appears
/// twice on a path, except that a restricted `from` may be its own end (a
/// loop back). Licensed edges into R carry nothing and end no path; with
/// `opts.max_depth` only paths of at most that many edges count. `id` gives an entity's id, for ties.
///
/// Entities from which no restricted entity can be reached are never
/// entered; a partial path is ordered by the best weight it can still
/// reach, then by the fewest edges it still needs, so paths are completed
/// first (also on graphs of many paths of equal weight) and zero-weight
/// paths come out shortest first without a search of everything shorter.
///
/// Weights are compared as costs (−log2 in units of 2^−32), so paths
/// whose weights differ by less than about 1e-9 of their value may be
/// found in either order; the paths found are then sorted by their
/// weights, so the listing is always in the spec's order.
///
/// # Complexity
/// O((V + E) log V) for the distances and costs to the ends and
/// O(R' log R') to rank the R' entities reachable from `q.from`, then
/// O(P · (L + log P)) for P generated partial paths of length up to L; P
/// is at most `q.limit`, and is small when the best paths are completed
/// early.
pub fn search<'a>(
    net: &Net,
    in_r: &[bool],
    weight: &[f64],
    opts: &Options,
    id: impl Fn(EntityIx) -> &'a str,
    q: Query,
) -> Paths {
    Finder::over(net, in_r, Cow::Borrowed(weight), opts).search(id, q)
}

/// What every search of one bound shares: where paths end, what each edge
/// weighs, and each entity's fewest edges to an end. Made once, it
/// answers for any number of entities (the report explains twenty).
pub struct Finder<'n> {
    net: &'n Net,
    in_r: &'n [bool],
    /// The lower bounds borrowed from the net for x; lo + t for X.
    weight: Cow<'n, [f64]>,
    licensed: Vec<bool>,
    dist: Vec<u32>,
    /// Per entity, the least cost of a path from it to an end: made on
    /// the first search that needs it ([`Finder::search`]).
    rest: std::sync::OnceLock<Vec<Cost>>,
    max_len: u32,
    /// Every entity's rank in id order and the entity of each rank, when
    /// many searches share them ([`Finder::ranked`]).
    ranked: Option<(Vec<u32>, Vec<EntityIx>)>,
    /// For X: the share t the worst case gives each edge.
    pub worst: Option<Vec<f64>>,
}

impl<'n> Finder<'n> {
    /// The finder of `bound`'s paths: x's (ending in R, each edge weighing
    /// its lower bound) or X's (ending in R+, each edge weighing its lower
    /// bound plus the share t the worst case gives it).
    ///
    /// # Complexity
    /// O((V + E) log V), plus O(E log E) for the worst case of X.
    pub fn new<'a>(
        net: &'n Net,
        opts: &Options,
        outcome: &'n Outcome,
        bound: Bound,
        id: impl Fn(EntityIx) -> &'a str,
    ) -> Finder<'n> {
        Finder::of_sellers(net, opts, outcome, bound, id, None)
    }

    /// [`Finder::new`] for paths through `sellers` only, if given (closed
    /// downstream up to R, as [`Net::below`] gives): the worst case is
    /// found for them alone.
    pub fn of_sellers<'a>(
        net: &'n Net,
        opts: &Options,
        outcome: &'n Outcome,
        bound: Bound,
        id: impl Fn(EntityIx) -> &'a str,
        sellers: Option<&[bool]>,
    ) -> Finder<'n> {
        match bound {
            Bound::Lower => {
                Finder::over(net, &outcome.restricted.in_r, Cow::Borrowed(&net.lo), opts)
            }
            Bound::Upper => {
                let t = worst_case(net, opts, outcome, id, sellers);
                let w = net.lo.iter().zip(&t).map(|(lo, t)| lo + t).collect();
                let mut f = Finder::over(net, &outcome.restricted.in_r_plus, Cow::Owned(w), opts);
                f.worst = Some(t);
                f
            }
        }
    }

    fn over(net: &'n Net, in_r: &'n [bool], weight: Cow<'n, [f64]>, opts: &Options) -> Finder<'n> {
        let licensed = opts.licensed_edges(net);
        let into = Incoming::of(net, |u| !in_r[u]);
        let dist = distances(net, in_r, &licensed, &into);
        Finder {
            net,
            in_r,
            weight,
            licensed,
            dist,
            rest: std::sync::OnceLock::new(),
            max_len: opts.settings.max_depth.unwrap_or(u32::MAX),
            ranked: None,
            worst: None,
        }
    }

    /// Ranks every entity by id once, for many searches: one search ranks
    /// only the entities it can reach, but on a large graph that is most
    /// of them, every time.
    ///
    /// # Complexity
    /// O(V log V) id comparisons.
    pub fn ranked<'a>(mut self, id: impl Fn(EntityIx) -> &'a str) -> Finder<'n> {
        let mut by_rank: Vec<EntityIx> = (0..self.net.n as EntityIx).collect();
        by_rank.sort_by(|&a, &b| id(a).cmp(id(b)));
        let mut rank = vec![0u32; self.net.n];
        for (r, &v) in by_rank.iter().enumerate() {
            rank[v as usize] = r as u32;
        }
        self.ranked = Some((rank, by_rank));
        self
    }

    /// The first `q.top` paths from `q.from`, as [`search`] finds them.
    ///
    /// Most graphs complete their first paths long before the cap with no
    /// guide but the cost so far; a graph of many paths of equal weight
    /// (layers of equal shares) does not, and is searched again guided by
    /// each entity's least cost to an end, which takes a pass over the
    /// whole graph (made once per finder). Both guides underestimate what
    /// is left, so both give the same paths in the same order.
    pub fn search<'a>(&self, id: impl Fn(EntityIx) -> &'a str, q: Query) -> Paths {
        if let Some(rest) = self.rest.get() {
            return self.search_by(&id, q, rest);
        }
        let first = self.search_by(
            &id,
            Query {
                limit: q.limit.min(UNGUIDED_PARTIAL_PATHS),
                ..q
            },
            &[],
        );
        if !first.truncated {
            return first;
        }
        let rest = self.rest.get_or_init(|| {
            let into = Incoming::of(self.net, |u| !self.in_r[u]);
            rests(self.net, self.in_r, &self.licensed, &self.weight, &into)
        });
        self.search_by(&id, q, rest)
    }

    /// The search guided by `rest` (the least cost from each entity to an
    /// end; none counts 0).
    fn search_by<'a>(&self, id: impl Fn(EntityIx) -> &'a str, q: Query, rest: &[Cost]) -> Paths {
        let (net, in_r, weight, licensed) =
            (self.net, self.in_r, &self.weight[..], &self.licensed[..]);
        let (dist, max_len) = (&self.dist, self.max_len);
        let rest = |v: usize| rest.get(v).copied().unwrap_or(0);
        let mut found = Paths {
            paths: Vec::new(),
            truncated: false,
            generated: 0,
        };
        if q.top == 0 {
            return found;
        }
        let own;
        let (rank, by_rank) = match &self.ranked {
            Some((rank, by_rank)) => (rank, by_rank),
            None => {
                own = ranks(net, in_r, q.from, id);
                (&own.0, &own.1)
            }
        };

        let mut heap = BinaryHeap::new();
        if dist[q.from as usize] != u32::MAX && dist[q.from as usize] <= max_len {
            heap.push(Entry {
                key: rest(q.from as usize),
                bound: dist[q.from as usize],
                ranks: Box::new([rank[q.from as usize]]),
                cost: 0,
                weight: 1.0,
                exact: true,
                done: false,
            });
            found.generated = 1;
        }
        while let Some(entry) = heap.pop() {
            if entry.done {
                found.paths.push(path(net, by_rank, entry));
                if found.paths.len() == q.top {
                    break;
                }
                continue;
            }
            let len = entry.ranks.len() as u32;
            let last = by_rank[entry.ranks[entry.ranks.len() - 1] as usize];
            for e in net.sales(last) {
                let u = net.buyer[e] as usize;
                let done = in_r[u];
                let usable = if done {
                    !licensed[e]
                } else {
                    dist[u] != u32::MAX
                };
                let bound = if done {
                    len
                } else {
                    len.saturating_add(dist[u])
                };
                // Simple paths only; a restricted `from` may close a loop to
                // itself, which x counts like any path to a restricted buyer.
                let repeat = entry.ranks.contains(&rank[u]) && !(done && u == q.from as usize);
                if !usable || bound > max_len || repeat {
                    continue;
                }
                if found.generated >= q.limit {
                    found.truncated = true;
                    sort(&mut found.paths, rank);
                    return found;
                }
                found.generated += 1;
                let mut ranks = Vec::with_capacity(entry.ranks.len() + 1);
                ranks.extend_from_slice(&entry.ranks);
                ranks.push(rank[u]);
                let spent = entry.cost.saturating_add(cost(weight[e]));
                heap.push(Entry {
                    key: if done {
                        spent
                    } else {
                        spent.saturating_add(rest(u))
                    },
                    bound,
                    ranks: ranks.into_boxed_slice(),
                    cost: spent,
                    weight: entry.weight * weight[e],
                    exact: entry.exact && net.exact[e],
                    done,
                });
            }
        }
        sort(&mut found.paths, rank);
        found
    }
}

/// The paths behind one bound of `q.from`, and for X the worst case's t
/// per edge (of `sellers` only, if given: [`Finder::of_sellers`]): a
/// [`Finder`] made for one search.
///
/// # Complexity
/// That of [`Finder::new`] and one search.
pub fn of_bound<'a>(
    net: &Net,
    opts: &Options,
    outcome: &Outcome,
    bound: Bound,
    id: impl Fn(EntityIx) -> &'a str + Copy,
    q: Query,
    sellers: Option<&[bool]>,
) -> (Paths, Option<Vec<f64>>) {
    let finder = Finder::of_sellers(net, opts, outcome, bound, id, sellers);
    let found = finder.search(id, q);
    (found, finder.worst)
}

/// Sorts found paths in the spec's order (weight descending, length
/// ascending, ids): costs order them up to their rounding, this orders
/// them by the weights they show.
fn sort(paths: &mut [Path], rank: &[u32]) {
    paths.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then(a.entities.len().cmp(&b.entities.len()))
            .then_with(|| {
                let r = |p: &Path| {
                    p.entities
                        .iter()
                        .map(|&v| rank[v as usize])
                        .collect::<Vec<_>>()
                };
                r(a).cmp(&r(b))
            })
    });
}

/// A finished heap entry as a path.
fn path(net: &Net, by_rank: &[EntityIx], entry: Entry) -> Path {
    let entities: Vec<EntityIx> = entry.ranks.iter().map(|&r| by_rank[r as usize]).collect();
    // Validation forbids two supplies edges with the same ends, so the
    // pair names the edge.
    let edges = entities
        .windows(2)
        .filter_map(|w| net.edge(w[0], w[1]))
        .collect();
    Path {
        entities,
        edges,
        weight: entry.weight,
        complete: entry.exact,
    }
}

/// Per entity, the fewest edges to a restricted entity through entities
/// not in R (licensed edges into R do not count); `u32::MAX` when none can
/// be reached. A breadth-first search backwards from R.
///
/// # Complexity
/// O(V + E).
fn distances(net: &Net, in_r: &[bool], licensed: &[bool], into: &Incoming) -> Vec<u32> {
    let mut dist = vec![u32::MAX; net.n];
    let mut queue = VecDeque::new();
    for s in 0..net.n as EntityIx {
        if net
            .sales(s)
            .any(|e| in_r[net.buyer[e] as usize] && !licensed[e])
        {
            dist[s as usize] = 1;
            queue.push_back(s);
        }
    }
    while let Some(w) = queue.pop_front() {
        // A path cannot pass through a restricted entity.
        if in_r[w as usize] {
            continue;
        }
        let d = dist[w as usize] + 1;
        for &s in into.sellers_of(w) {
            if dist[s as usize] == u32::MAX {
                dist[s as usize] = d;
                queue.push_back(s);
            }
        }
    }
    dist
}

/// Per entity, the least cost (the best weight) of a walk from it to a
/// restricted entity through entities not in R, as [`distances`] walks;
/// [`NEVER`] when only walks of weight 0 (or none) reach one. A walk is
/// at least as good as any path, so the cost is a lower bound of every
/// path's: Dijkstra backwards from R, each edge costing [`cost`] of its
/// weight.
///
/// # Complexity
/// O((V + E) log V).
fn rests(
    net: &Net,
    in_r: &[bool],
    licensed: &[bool],
    weight: &[f64],
    into: &Incoming,
) -> Vec<Cost> {
    let mut rest = vec![NEVER; net.n];
    let mut heap = BinaryHeap::new();
    for s in 0..net.n as EntityIx {
        let best = net
            .sales(s)
            .filter(|&e| in_r[net.buyer[e] as usize] && !licensed[e])
            .map(|e| cost(weight[e]))
            .min()
            .unwrap_or(NEVER);
        if best < NEVER {
            rest[s as usize] = best;
            heap.push(Reverse((best, s)));
        }
    }
    while let Some(Reverse((c, w))) = heap.pop() {
        if c > rest[w as usize] || in_r[w as usize] {
            continue;
        }
        for k in into.of_buyer(w) {
            let s = into.seller[k];
            let through = c.saturating_add(cost(weight[into.edge[k] as usize]));
            if through < rest[s as usize] {
                rest[s as usize] = through;
                heap.push(Reverse((through, s)));
            }
        }
    }
    rest
}

/// Ranks in id order of the entities a path from `from` can visit, and
/// the entity of each rank. Other entities keep rank `u32::MAX`.
///
/// # Complexity
/// O(V) plus O(R' log R') id comparisons for the R' entities reached.
fn ranks<'a>(
    net: &Net,
    in_r: &[bool],
    from: EntityIx,
    id: impl Fn(EntityIx) -> &'a str,
) -> (Vec<u32>, Vec<EntityIx>) {
    let mut rank = vec![u32::MAX; net.n];
    let mut reached = vec![from];
    rank[from as usize] = 0;
    let mut i = 0;
    while i < reached.len() {
        let w = reached[i];
        i += 1;
        if w != from && in_r[w as usize] {
            continue;
        }
        for e in net.sales(w) {
            let u = net.buyer[e];
            if rank[u as usize] == u32::MAX {
                rank[u as usize] = 0;
                reached.push(u);
            }
        }
    }
    reached.sort_by(|&a, &b| id(a).cmp(id(b)));
    for (r, &v) in reached.iter().enumerate() {
        rank[v as usize] = r as u32;
    }
    (rank, reached)
}

#[cfg(test)]
mod tests;
