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
//! Owns the proof; which removals it spares is `incremental.rs`'s call.

use super::equations::{Bound, Equations, Scratch};
use crate::graph::Net;

/// How far the base's values may move under the proof: well inside the
/// 1e-9 to which results must agree with a full evaluation.
const MOVE: f64 = 1e-11;

/// The most sweeps the bound on ||(I - P)^-1|| may take: a component whose
/// worst case drains that slowly is left to be solved again.
const SWEEPS: usize = 2_000;

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
    match drain_bound(&start, &cols, &shares) {
        Some(bound) => bound * residual <= MOVE,
        None => false,
    }
}

/// An upper bound on the greatest row of t = (I - P)^-1 1 for P given by
/// rows (`cols[start[j]..start[j + 1]]` with `shares`), or `None` when the
/// sweeps do not settle within [`SWEEPS`] (P may keep a loop that never
/// drains). Gauss-Seidel from 0 rises to t; once the growth shrinks by a
/// steady factor q, what is still to come is at most the last growth times
/// q / (1 - q).
fn drain_bound(start: &[u32], cols: &[u32], shares: &[f64]) -> Option<f64> {
    let k = start.len() - 1;
    let mut t = vec![0.0f64; k];
    // The growth of the sweep before, and the factor it shrank by.
    let (mut before, mut q_before) = (f64::NAN, f64::NAN);
    for _ in 0..SWEEPS {
        let (mut growth, mut top) = (0.0f64, 0.0f64);
        for j in 0..k {
            let row = start[j] as usize..start[j + 1] as usize;
            let next = 1.0
                + cols[row.clone()]
                    .iter()
                    .zip(&shares[row])
                    .map(|(&c, &w)| w * t[c as usize])
                    .sum::<f64>();
            growth = growth.max(next - t[j]);
            top = top.max(next);
            t[j] = next;
        }
        if !top.is_finite() {
            return None;
        }
        if growth == 0.0 {
            return Some(top);
        }
        // The factor the growth shrank by, over the last two sweeps (NaN
        // until there are two): the larger.
        let ratio = growth / before;
        if ratio < 1.0 && q_before < 1.0 {
            let q = ratio.max(q_before);
            if growth * q / (1.0 - q) <= 1e-6 * top {
                // Twice what is still to come at that factor, for rounding.
                return Some(top + 2.0 * growth * q / (1.0 - q));
            }
        }
        (before, q_before) = (growth, ratio);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_that_drains_is_bounded_and_one_that_does_not_is_not() {
        // Two members, each giving the other 0.5: t = 1 + 0.5 t, t = 2.
        let bound = drain_bound(&[0, 1, 2], &[1, 0], &[0.5, 0.5]).unwrap();
        assert!((2.0..2.001).contains(&bound), "{bound}");
        // A chain into a drain: 0 -> 1 -> 2 -> out, all shares 1: the
        // greatest row is 3 (three steps to drain).
        let bound = drain_bound(&[0, 1, 2, 2], &[1, 2], &[1.0, 1.0]).unwrap();
        assert!((3.0..3.001).contains(&bound), "{bound}");
        // Each gives the other all: nothing drains, t grows forever.
        assert_eq!(drain_bound(&[0, 1, 2], &[1, 0], &[1.0, 1.0]), None);
    }
}
