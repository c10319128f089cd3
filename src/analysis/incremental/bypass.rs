//! Whether a seller still gets to a buyer without one of its sales: a
//! removed or licensed sale changes no one's reach when it does.
//!
//! Owns that one search, bounded so that a change at the core of a large
//! graph does not search the graph.

use crate::graph::{Incoming, Net};

/// The most entities a search of [`finds_edge`] looks at from where it
/// starts before it gives up (and what it was to spare is done in full).
pub(super) const BYPASS_SEARCH: usize = 50_000;

/// The most entities [`finds_edge`] gathers backwards from the edges it
/// looks for before it searches forwards.
const BYPASS_BALL: usize = 5_000;

/// Whether the seller of edge `e` gets to `buyer` (the edge's buyer in the
/// base) without `e`: through entities not in R, to another edge into
/// `buyer`, unlicensed when `buyer` is in R. Then every entity's reach is
/// the same with `e` licensed or gone: a walk that took `e` can go that
/// way instead. `false` when the search gives up.
///
/// # Complexity
/// As [`finds_edge`].
pub(super) fn reaches_otherwise(
    net: &Net,
    callers: &Incoming,
    in_r: &[bool],
    licensed: &[bool],
    e: usize,
    buyer: u32,
) -> bool {
    let restricted = in_r[buyer as usize];
    finds_edge(
        net,
        callers,
        (net.seller_of(e), buyer),
        |f| f != e && !(restricted && licensed[f]),
        |u| !in_r[u as usize],
    )
}

/// Whether `from` gets to `to` (another entity) by an edge `f` into `to`
/// with `wanted(f)` through entities `inside` accepts (`from` aside), on
/// `net`, whose edges are `callers`' or gone (laid back to their seller,
/// which leads nowhere). `false` when the search gives up.
///
/// Searches both ways, since a path across a large component is short
/// but a search from one end sees thousands of entities before it finds
/// it: first up to [`BYPASS_BALL`] entities backwards from the wanted
/// edges (all of which get to `to`; when there are no more, the answer
/// is known), then forwards from `from` until it meets one of them or
/// has seen [`BYPASS_SEARCH`].
///
/// # Complexity
/// O(`BYPASS_BALL` + `BYPASS_SEARCH` + their edges).
pub(super) fn finds_edge(
    net: &Net,
    callers: &Incoming,
    (from, to): (u32, u32),
    wanted: impl Fn(usize) -> bool,
    inside: impl Fn(u32) -> bool,
) -> bool {
    // The entities that get to a wanted edge through entities inside,
    // and the sellers of those edges.
    let mut ball = std::collections::HashSet::new();
    let mut queue = Vec::new();
    let sellers_into = |w: u32| {
        let p = callers.of_buyer(w);
        let (sellers, edges) = (&callers.seller[p.clone()], &callers.edge[p]);
        sellers
            .iter()
            .zip(edges)
            .filter(move |&(_, &f)| net.buyer[f as usize] == w)
    };
    for (&s, &f) in sellers_into(to) {
        if wanted(f as usize) {
            if s == from {
                return true;
            }
            if inside(s) && ball.insert(s) {
                queue.push(s);
            }
        }
    }
    let mut head = 0;
    while head < queue.len() && ball.len() < BYPASS_BALL {
        let w = queue[head];
        head += 1;
        for (&s, _) in sellers_into(w) {
            if s == from {
                return true;
            }
            if inside(s) && ball.insert(s) {
                queue.push(s);
            }
        }
    }
    if head == queue.len() {
        // Every entity that gets to a wanted edge is in the ball.
        return false;
    }
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![from];
    seen.insert(from);
    while let Some(w) = stack.pop() {
        for f in net.sales(w) {
            let u = net.buyer[f];
            if u == w {
                // Gone.
                continue;
            }
            if (u == to && wanted(f)) || ball.contains(&u) {
                return true;
            }
            if inside(u) && seen.len() < BYPASS_SEARCH && seen.insert(u) {
                stack.push(u);
            }
        }
    }
    false
}
