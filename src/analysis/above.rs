//! X's largest component solved again from above: after a change (or a
//! timeline's next date), its sweeps start from the base's values, which
//! are near the new solution, and a proof decides whether where they
//! settled is the least solution; when it cannot tell, the component is
//! solved from 0 as before.
//!
//! Sweeps from a start above the least solution z can settle on a larger
//! fixed point (a loop of unknown shares holds one at every level), and
//! policy iteration from there can step below z. So the values `w` the
//! sweeps settle on are checked, with the greedy worst case π at `w`
//! (constants c, shares P between members), the residual
//! r = max |F(w) - w| and a positive vector s:
//!
//! - **Not above z by more than r s**, when s >= 1 + P s (checked): π is
//!   an allocation the equations allow at any values, so z = F(z) >=
//!   c + P z; with s >= 1 + P s and s > 0, I - P has a non-negative
//!   inverse and (I - P)^-1 1 <= s, so z >= u = (I - P)^-1 c, and w - u =
//!   (I - P)^-1 (w - F(w)) <= r s.
//! - **Not below z**, when v = w + (r + [`SLACK`]) s has F(v) <= v
//!   (checked): z lies below every such point (Knaster-Tarski).
//!
//! So |w - z| <= (r + SLACK) max s, and the proof accepts when that is at
//! most [`MOVE`]. s starts as twice t = (I - P')^-1 1 for the worst case
//! P' at the base's values (`drain.rs`), found once per base (what-if)
//! or per chain (a timeline's), and each row that falls short of
//! 1 + P s is raised: a change moves the worst case in a few rows. A
//! loop that π keeps whole (nothing drains) fails the first check; a
//! point below z fails the second. Either way the component is solved
//! from 0.
//!
//! Owns the proof; which components start from above is `exposure.rs`'s
//! and `incremental/`'s call.

use super::drain::drain;
use super::sweep::{Compact, WorstCase};
use std::sync::OnceLock;

/// The most sweeps from above: a component that takes longer is solved
/// from 0 (from 0 the core graph's largest takes about 45).
const BUDGET: usize = 100;

/// How far from the least solution settled values may be: well inside
/// the 1e-9 to which results must agree with a full evaluation.
const MOVE: f64 = 1e-11;

/// What v = w + (r + SLACK) s has to spare for the rounding of F(v): with
/// the worst case at v that at w, F(v) <= v - SLACK.
const SLACK: f64 = 1e-14;

/// What solving from above keeps for one base's largest component.
#[derive(Clone, Debug, Default)]
pub(crate) struct FromAbove {
    /// t for the worst case at the base's values: found with the base's
    /// copy (what-if), or at a chain's first solve of the component
    /// (`None` when it does not drain: nothing starts from above).
    drain: OnceLock<Option<Vec<f64>>>,
    /// How many solves from above were proven, and how many were not
    /// (tests check that both ways are taken).
    #[cfg(test)]
    pub(crate) tally: std::sync::Arc<[std::sync::atomic::AtomicUsize; 2]>,
}

impl FromAbove {
    /// For a base whose copy of the component is `compact` and its values
    /// there `values`: t found at once (on a copy, so that `compact` stays
    /// as made).
    ///
    /// # Complexity
    /// A copy of `compact`, one knapsack sweep and up to
    /// [`BASE_DRAIN`]'s sweeps over P.
    pub(super) fn at(compact: &Compact, values: &[f64]) -> FromAbove {
        let keep = FromAbove::default();
        let t = drain_at(&mut compact.clone(), values, BASE_DRAIN);
        keep.drain.get_or_init(|| t);
        keep
    }
}

/// The least solution of `compact`'s equations swept from `base` (by
/// component index; the base's values, near it), when proven to be
/// within [`MOVE`] of it; `None` when it is not, and the component is to
/// be solved from 0.
///
/// # Complexity
/// Up to [`BUDGET`] sweeps, and the proof's; the first time, the sweeps
/// of `drain` too.
pub(super) fn solve(compact: &mut Compact, base: Vec<f64>, keep: &FromAbove) -> Option<Vec<f64>> {
    let t = keep
        .drain
        .get_or_init(|| drain_at(compact, &base, CHAIN_DRAIN))
        .as_ref()?;
    let mut vals = base;
    let proven = compact.sweep(&mut vals, BUDGET).is_some() && proven(compact, &vals, t);
    #[cfg(test)]
    keep.tally[usize::from(!proven)].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    proven.then_some(vals)
}

/// How t is found for one base (what-if), once for all its scenarios:
/// up to 1,000 sweeps, loops of shares near 1 solved whole (on the
/// well-attributed bench graph, where t took about 630 sweeps without,
/// its 100 scenarios then took 43–44 s against 52–53 s).
const BASE_DRAIN: (usize, bool) = (1_000, true);

/// How t is found in a chain (a timeline), at a date that would otherwise
/// cost about 45 knapsack sweeps, each worth several of these: up to 100
/// sweeps, loops not solved whole, so that a chain whose worst case keeps
/// loops of shares near 1 solves from 0. On the well-attributed bench
/// graph, with those loops solved whole, every date started from above
/// but took 44–52 sweeps, as many as from 0, plus the proof: its whole
/// timeline took 334 s against 295 s.
const CHAIN_DRAIN: (usize, bool) = (100, false);

/// t = (I - P)^-1 1 for the worst case P at `w` (by component index),
/// `None` when it does not drain within `sweeps` ([`drain`], loops solved
/// whole or not).
///
/// # Complexity
/// One knapsack sweep, and up to `sweeps` sweeps over P.
fn drain_at(
    compact: &mut Compact,
    w: &[f64],
    (sweeps, whole_loops): (usize, bool),
) -> Option<Vec<f64>> {
    let p = compact.worst_case_at(w);
    drain(&p.start, &p.cols, &p.shares, (sweeps, whole_loops)).map(|d| d.t)
}

/// Whether `w` (by component index) lies within [`MOVE`] of the least
/// solution of `compact`'s equations, shown with s raised from 2 `t`
/// (see the module's doc).
///
/// # Complexity
/// Two knapsack sweeps, and up to [`RAISES`] sweeps over P.
fn proven(compact: &mut Compact, w: &[f64], t: &[f64]) -> bool {
    if t.len() != w.len() {
        return false;
    }
    let p = compact.worst_case_at(w);
    let mut s: Vec<f64> = t.iter().map(|&t| 2.0 * t).collect();
    if !raise(&p, &mut s) {
        return false;
    }
    let top = s.iter().fold(0.0f64, |a, &b| a.max(b));
    let kappa = p.residual + SLACK;
    // NaN anywhere fails every comparison: not proven.
    let near = kappa * top <= MOVE;
    if !near {
        return false;
    }
    let v: Vec<f64> = w.iter().zip(&s).map(|(&x, &s)| x + kappa * s).collect();
    compact.at_most(&v)
}

/// The most sweeps that raise s to a point where s >= 1 + P s.
const RAISES: usize = 50;

/// Raises `s` (positive) until s >= 1 + P s holds in every row, each row
/// that falls short set to 1.01 times what it needs (more would grow
/// round a loop from sweep to sweep); whether a sweep found
/// every row holding within [`RAISES`] (P changed little from the one
/// `s` was made for, so a few rows need raising).
fn raise(p: &WorstCase, s: &mut [f64]) -> bool {
    for _ in 0..RAISES {
        let mut holds = true;
        for j in 0..s.len() {
            let row = p.start[j] as usize..p.start[j + 1] as usize;
            let need = 1.0
                + p.cols[row.clone()]
                    .iter()
                    .zip(&p.shares[row])
                    .map(|(&c, &share)| share * s[c as usize])
                    .sum::<f64>();
            let enough = s[j] >= need;
            if !enough {
                if !need.is_finite() {
                    return false;
                }
                s[j] = 1.01 * need;
                holds = false;
            }
        }
        if holds {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::tests::{graph, upper_compact};
    use super::super::Options;
    use super::*;
    use crate::analysis::restricted::Restricted;
    use crate::graph::Net;

    /// The copy of X's equations of the component of `members` (ids) of
    /// a graph in `tests.rs`'s short form, nothing listed but `listed`.
    fn compact(entities: &str, edges: &[&str], listed: &[&str], members: &[&str]) -> Compact {
        let model = graph(entities, edges, listed);
        let net = Net::build(&model);
        let comp: Vec<u32> = members.iter().map(|m| model.find(m).unwrap()).collect();
        // The listed are 1, every other buyer outside 0.
        let in_r_plus = Restricted::of(&net, &Options::default()).in_r_plus;
        let y: Vec<f64> = in_r_plus.iter().map(|&r| f64::from(u8::from(r))).collect();
        upper_compact(&net, &comp, &y)
    }

    #[test]
    fn a_ring_held_up_is_refused_by_the_drain_check_though_it_is_a_fixed_point() {
        // A ring of unknown shares and nothing else: X is 0, and every
        // level is a fixed point.
        let ring = ["a>b ?", "b>c ?", "c>a ?"];
        let mut c = compact("a b c", &ring, &[], &["a", "b", "c"]);
        let up = [0.5; 3];
        let p = c.worst_case_at(&up);
        assert_eq!(p.residual, 0.0);
        // The worst case keeps everything in the ring: no s has
        // s >= 1 + P s, and so nothing shows that 0.5 is the least.
        assert!(!raise(&p, &mut [2.0; 3]));
        assert!(!proven(&mut c, &up, &[1.0; 3]));
        // The other check alone would not see it: 0.5 plus any level is
        // at or above its own sweep.
        assert!(c.at_most(&[0.5 + 1e-13; 3]));
        // At 0 there is nothing to share out, and 0 is proven least.
        assert!(proven(&mut c, &[0.0; 3], &[1.0; 3]));
    }

    #[test]
    fn values_within_a_hair_of_the_least_solution_are_proven_and_others_not() {
        // a gives b half; b gives a half and the listed r the rest:
        // X(a) = 0.5 X(b), X(b) = 0.5 X(a) + 0.5, so X(a) = 1/3 and
        // X(b) = 2/3.
        let edges = ["a>b 0.5", "b>a 0.5", "b>r 0.5"];
        let mut c = compact("a b r", &edges, &["r"], &["a", "b"]);
        let least = [1.0 / 3.0, 2.0 / 3.0];
        assert!(proven(&mut c, &least, &[1.0; 2]));
        let off = |d: f64| [least[0] + d, least[1] + d];
        // Within rounding of it, either way.
        assert!(proven(&mut c, &off(1e-13), &[1.0; 2]));
        assert!(proven(&mut c, &off(-1e-13), &[1.0; 2]));
        // Below it: the sweep of those values rises above them, and the
        // residual is too large to prove them near.
        assert!(!c.at_most(&off(-1e-9)));
        assert!(!proven(&mut c, &off(-1e-9), &[1.0; 2]));
        assert!(!proven(&mut c, &off(1e-9), &[1.0; 2]));
        // A start for s that falls short of 1 + P s is raised until it
        // holds.
        assert!(proven(&mut c, &least, &[0.1; 2]));
    }
}
