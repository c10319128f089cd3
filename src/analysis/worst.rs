//! The worst case behind the upper bound X (exposure spec, section 5): the
//! share t(v,u) that the greedy fill gives each edge beyond its lower
//! bound at X's solution, ties in carried value broken by the buyer's id.
//! `explain --upper` and `dot --upper` show the paths under these shares.
//!
//! Must not change X: it only reads the values `evaluate` solved.

use std::cmp::Ordering;

use super::equations::{Equations, Scratch};
use super::{Options, Outcome};
use crate::graph::Net;
use crate::model::EntityIx;

/// Per supplies edge, the share t the worst case adds to its lower bound.
/// With `--max-depth` the fill is taken at the k-th iterate's values.
/// With `sellers`, only their edges are filled; the others' t stay 0.
///
/// # Complexity
/// O(E log E) in the worst case (each seller's open edges sorted once).
pub fn worst_case<'a>(
    net: &Net,
    opts: &Options,
    outcome: &Outcome,
    id: impl Fn(EntityIx) -> &'a str,
    sellers: Option<&[bool]>,
) -> Vec<f64> {
    let licensed = opts.licensed_edges(net);
    let eq = Equations {
        net,
        restricted: &outcome.restricted.in_r_plus,
        licensed: &licensed,
        dense_max: 0,
    };
    // Values equal in exact arithmetic can differ in the last bits here
    // (X = 1 by a cycle comes out 0.9999999999999994), and by more on a
    // loop of shares near 1, whose solve rounds at up to about 1e-13:
    // they are ordered on a grid of 1e-9 (the tolerance to which results
    // are exact), so that such ties go to the smaller id as the spec says.
    // X itself is solved before and does not change; values less than 1e-9
    // apart carry the same to 1e-9 whichever comes first.
    let values = |u: usize| outcome.upper[u];
    let carried = |e: usize| (eq.carried(e, values) * 1e9).round() / 1e9;
    let by_buyer = |a: usize, b: usize| -> Ordering { id(net.buyer[a]).cmp(id(net.buyer[b])) };
    let mut t = vec![0.0; net.edge_count()];
    let mut scratch = Scratch::default();
    for v in 0..net.n {
        if sellers.is_some_and(|s| !s[v]) {
            continue;
        }
        eq.greedy_by(v, &carried, by_buyer, &mut scratch);
        for &(e, amount) in &scratch.out {
            t[e] = amount;
        }
    }
    t
}
