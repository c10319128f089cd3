//! Whether X keeps its least solution when a sale that the base's worst
//! case leaves unused is removed, so that a what-if removal of such a sale
//! solves nothing again.
//!
//! Removing a sale whose lower bound is 0 only lowers X's equations, so X
//! cannot rise. It can fall even though the base's values still solve
//! the new equations: a loop of unknown shares can hold any value, and the
//! least solution of the loop without the sale may be lower. It cannot
//! fall when the base's worst case π (the greedy allocation at the base's
//! values y, which gives the sale nothing) is a worst case the new
//! equations allow too, and its linear system y = c + P y (P: the shares
//! π gives the sales to the other members of the component) has a unique
//! solution: every solution z of the new equations has z >= c + P z, so
//! z >= (I - P)^-1 c, and (I - P)^-1 c is within ||(I - P)^-1|| · r of y,
//! r the residual |y - (c + P y)| of the base's sweeps. [`proven`] bounds
//! ||(I - P)^-1|| (the greatest row of t = (I - P)^-1 1, found by sweeps
//! rising from 0) and accepts when that times r is at most 1e-11. An entity
//! alone in its component needs no proof: nothing it sells to depends on
//! it, so its least value is its equation's value at its buyers', which an
//! unused sale does not change.
//!
//! Owns the proof; which removals it spares is `incremental/`'s call.

use super::drain::drain;
use super::equations::{Bound, Equations, Scratch};
use crate::graph::Net;

/// The most sweeps the bound on ||(I - P)^-1|| may take: a component
/// whose worst case drains that slowly is left to be solved again.
const SWEEPS: usize = 2_000;

/// How far the base's values may move under the proof: well inside the
/// 1e-9 to which results must agree with a full evaluation.
const MOVE: f64 = 1e-11;

/// The sales of `v` that the greedy worst case at the values `y` gives a
/// share beyond their lower bound to, into `scratch.out`, and the value
/// that worst case gives `v` (its lower bounds plus the fill).
pub(super) fn worst_case(eq: &Equations<'_>, v: usize, y: &[f64], scratch: &mut Scratch) -> f64 {
    let lower = eq.value_at(v, Bound::Lower, &|u| y[u], scratch);
    lower + eq.greedy(v, &|e| eq.carried(e, |u| y[u]), scratch)
}

/// Whether removing any sales of the members of `comp` (a component of X's
/// equations, members in any order) that the greedy worst case at the
/// base's values `y` leaves unused, lower bound 0, keeps X's least solution
/// at `y` within [`MOVE`] (see the module's doc). `local` is scratch space
/// of one entry per entity, all `u32::MAX`, and is left so.
///
/// # Complexity
/// O(members + their sales) per sweep, at most [`SWEEPS`] sweeps.
pub(super) fn proven(eq: &Equations<'_>, y: &[f64], comp: &[u32], local: &mut [u32]) -> bool {
    let net: &Net = eq.net;
    for (i, &v) in comp.iter().enumerate() {
        local[v as usize] = i as u32;
    }
    // P by rows: the share the worst case gives each sale to another
    // member (its lower bound plus the fill).
    let (mut start, mut cols, mut shares) = (vec![0u32], Vec::new(), Vec::new());
    let mut residual = 0.0f64;
    let mut scratch = Scratch::default();
    let mut fill = Vec::new();
    for &v in comp {
        let v = v as usize;
        residual = residual.max((worst_case(eq, v, y, &mut scratch) - y[v]).abs());
        let sales = net.sales(v as u32);
        fill.clear();
        fill.resize(sales.len(), 0.0);
        for &(e, t) in &scratch.out {
            fill[e - sales.start] += t;
        }
        for e in sales.clone() {
            let col = local[net.buyer[e] as usize];
            if col == u32::MAX || !eq.follows(e) {
                continue;
            }
            let share = net.lo[e] + fill[e - sales.start];
            if share > 0.0 {
                cols.push(col);
                shares.push(share);
            }
        }
        start.push(cols.len() as u32);
    }
    for &v in comp {
        local[v as usize] = u32::MAX;
    }
    drain(&start, &cols, &shares, (SWEEPS, true)).is_some_and(|d| d.bound * residual <= MOVE)
}
