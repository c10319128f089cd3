//! What a change seeds: the entities whose x and d, X and reach are
//! solved again, with everything upstream of them (`mod.rs`), and
//! whether the change only raised a bound's equations, so that its
//! sweeps may start warm.
//!
//! Owns the rules of what each kind of change touches; the searches
//! upstream are `upstream.rs`'s.

use super::bypass::reaches_otherwise;
use super::{Differs, Incremental};
use crate::analysis::Options;
use crate::graph::Net;

/// What a change seeds ([`Incremental::seeds`]).
pub(super) struct Seeds {
    /// The entities whose x and d are solved again.
    pub lower: Vec<bool>,
    /// The entities whose X is solved again.
    pub upper: Vec<bool>,
    /// The entities whose reach is solved again.
    pub reach: Vec<bool>,
    /// Whether the change only raised x's equations: the base's values
    /// are then below the least solution (`mod.rs`, "Warm starts").
    pub lower_rises: bool,
    /// The same for X's.
    pub upper_rises: bool,
    /// The entities that joined or left R, and R+.
    pub moved: [Vec<u32>; 2],
    /// The sellers of the edges licensed otherwise than in the base.
    pub relicensed: Vec<u32>,
}

impl Incremental {
    /// The seeds of a change that makes R and R+ `[(in_r, was_r),
    /// (in_r_plus, was_r_plus)]` (now and in the base) and licenses
    /// `licensed`, with the edges and sellers that `differs` names, under
    /// `opts`; within `needed` only, when a scope is given.
    ///
    /// # Complexity
    /// O(V) plus the callers of the entities that moved, the licensed
    /// edges and those `differs` names, and a bounded search per gone
    /// or licensed edge (`bypass.rs`).
    pub(super) fn seeds(
        &self,
        net: &Net,
        opts: &Options,
        differs: Differs<'_>,
        [(in_r, was_r), (in_r_plus, was_r_plus)]: [(&[bool], &[bool]); 2],
        licensed: &[bool],
        needed: Option<&[bool]>,
    ) -> Seeds {
        let n = net.n;
        let touched = differs.touched;
        let mut lower = vec![false; n];
        let mut upper = vec![false; n];
        let mut reach = vec![false; n];
        let alike = touched.is_empty() && differs.sellers.is_empty();
        let (mut lower_rises, mut upper_rises) = (alike, alike);
        // The entities that joined or left R, and R+.
        let mut moved: [Vec<u32>; 2] = Default::default();
        for u in 0..n {
            lower_rises &= in_r[u] >= was_r[u];
            upper_rises &= in_r_plus[u] >= was_r_plus[u];
            if in_r[u] != was_r[u] {
                moved[0].push(u as u32);
                for &s in self.callers.sellers_of(u as u32) {
                    // x and d read a sale into R (or not) at its lower
                    // bound only: a sale without one changes neither.
                    lower[s as usize] |= net.edge(s, u as u32).is_some_and(|e| net.lo[e] > 0.0);
                    reach[s as usize] = true;
                }
            }
            if in_r_plus[u] != was_r_plus[u] {
                moved[1].push(u as u32);
                for &s in self.callers.sellers_of(u as u32) {
                    upper[s as usize] = true;
                }
            }
        }
        // Edges into R whose licence changed, and the sellers of every
        // edge whose licence changed.
        let mut licences = Vec::new();
        let mut relicensed = Vec::new();
        // The edges licensed here or in the base, in edge order: no other
        // is licensed on either side.
        let mut either: Vec<usize> = opts
            .licensed
            .iter()
            .chain(&self.licensed_list)
            .copied()
            .collect();
        either.sort_unstable();
        either.dedup();
        for e in either {
            let v = net.seller_of(e) as usize;
            let u = net.buyer[e] as usize;
            // A copy's edge beyond the base's count was licensed in no
            // base (a copy is laid so only when the base licensed none).
            let before_licensed = self.licensed.get(e) == Some(&true);
            if licensed[e] && before_licensed {
                // A licensed edge into a buyer that joins R (R+)
                // carries 0 where it carried the buyer's value.
                lower_rises &= in_r[u] == was_r[u];
                upper_rises &= in_r_plus[u] == was_r_plus[u];
            }
            if licensed[e] == before_licensed {
                continue;
            }
            relicensed.push(v as u32);
            // A licence counts only on an edge into R (R+), and for x
            // and d only on one with a lower bound.
            if in_r[u] || was_r[u] {
                if net.lo[e] > 0.0 {
                    lower[v] = true;
                    lower_rises = false;
                }
                reach[v] = true;
                licences.push(e);
            }
            if in_r_plus[u] || was_r_plus[u] {
                upper[v] = true;
                upper_rises = false;
            }
        }
        for t in touched {
            let v = net.seller_of(t.edge) as usize;
            upper[v] |= !t.unused;
            lower[v] |= t.lower;
            reach[v] |= t.added
                || t.removed
                    && !reaches_otherwise(net, &self.callers, in_r, licensed, t.edge, t.buyer);
        }
        for &v in differs.sellers {
            (lower[v as usize], upper[v as usize], reach[v as usize]) = (true, true, true);
        }
        // Outside a scope, nothing is solved again: a seed there moves no
        // number the scope holds (they depend only on what lies below).
        if let Some(needed) = needed {
            for v in 0..n {
                lower[v] &= needed[v];
                upper[v] &= needed[v];
            }
        }
        // Whether every edge keeps its ends (none is gone).
        let kept = !touched.iter().any(|t| t.removed);
        // Reach counts the restricted buyers an entity gets to, not the
        // ways: a licence changes no one's reach when its seller gets to
        // the same buyer another way.
        if kept
            && differs.sellers.is_empty()
            && !touched.iter().any(|t| t.added)
            && *in_r == *was_r
            && !licences.is_empty()
            && licences
                .iter()
                .all(|&e| reaches_otherwise(net, &self.callers, in_r, licensed, e, net.buyer[e]))
        {
            reach.fill(false);
        }
        Seeds {
            lower,
            upper,
            reach,
            lower_rises,
            upper_rises,
            moved,
            relicensed,
        }
    }
}
