//! The equations of the two bounds (exposure spec, section 3): what an edge
//! carries, the room a seller leaves beyond its lower bounds, and the
//! greedy fill of that room, capped edge by edge and segment by segment.
//!
//! Owns the value of one entity given its buyers' values; must not solve
//! anything (`exposure.rs` and `sweep.rs` do, over these equations).

use super::solve::add;
use crate::graph::Net;

/// Which bound an evaluation solves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// x: lower bounds only, R carries 1.
    Lower,
    /// X: the room filled the worst way the bounds allow, R+ carries 1.
    Upper,
}

/// Reused buffers of the knapsack, so that a sweep allocates nothing.
#[derive(Default)]
pub(super) struct Scratch {
    /// Open edges with their carried values, best first.
    open: Vec<(f64, usize)>,
    /// The allocation: (edge, amount).
    pub(super) out: Vec<(usize, f64)>,
    /// What is left of each of the seller's segments.
    left: Vec<f64>,
}

/// What the equations of one bound (x or X) need to know.
pub struct Equations<'a> {
    pub net: &'a Net,
    /// Buyers in this set carry 1 (R for x, R+ for X).
    pub restricted: &'a [bool],
    /// Licensed edges carry 0 into a restricted buyer.
    pub licensed: &'a [bool],
    /// Components up to this size are solved directly (`solve::DENSE_MAX`).
    pub dense_max: usize,
}

impl Equations<'_> {
    /// The value edge `e` carries, given the values of non-restricted buyers.
    #[inline]
    pub(super) fn carried(&self, e: usize, values: impl Fn(usize) -> f64) -> f64 {
        let u = self.net.buyer[e] as usize;
        if self.restricted[u] {
            if self.licensed[e] {
                0.0
            } else {
                1.0
            }
        } else {
            values(u)
        }
    }

    /// Whether edge `e` leads to an entity whose value the equation uses.
    pub fn follows(&self, e: usize) -> bool {
        !self.restricted[self.net.buyer[e] as usize]
    }

    /// The room seller `v` leaves beyond its lower bounds: a(v).
    pub(super) fn room(&self, v: usize) -> f64 {
        let r = self.net.sales(v as u32);
        (1.0 - add(self.net.lo[r].iter().copied())).max(0.0)
    }

    /// Shares the room of `v` out greedily by carried value (ties by edge
    /// order); writes the allocation `(edge, amount)` to `scratch.out` and
    /// returns what it adds. Allocates nothing once the scratch space has
    /// grown.
    pub(super) fn greedy(
        &self,
        v: usize,
        carried: &dyn Fn(usize) -> f64,
        scratch: &mut Scratch,
    ) -> f64 {
        self.fill_greedily(v, carried, |a, b| a.cmp(&b), false, scratch)
    }

    /// [`Equations::greedy`] with ties in carried value broken by `tie`
    /// over edges, and the room that edges of positive value leave given
    /// on to those of value 0 (it adds nothing; the worst case that
    /// `explain --upper` shows places it as the spec's example does).
    pub(super) fn greedy_by(
        &self,
        v: usize,
        carried: &dyn Fn(usize) -> f64,
        tie: impl Fn(usize, usize) -> std::cmp::Ordering,
        scratch: &mut Scratch,
    ) -> f64 {
        self.fill_greedily(v, carried, tie, true, scratch)
    }

    fn fill_greedily(
        &self,
        v: usize,
        carried: &dyn Fn(usize) -> f64,
        tie: impl Fn(usize, usize) -> std::cmp::Ordering,
        through_zero: bool,
        scratch: &mut Scratch,
    ) -> f64 {
        scratch.out.clear();
        let room = self.room(v);
        if room <= 0.0 {
            return 0.0;
        }
        let net = self.net;
        let open = &mut scratch.open;
        open.clear();
        open.extend(
            net.sales(v as u32)
                .filter(|&e| net.hi[e] > net.lo[e])
                .map(|e| (carried(e), e)),
        );
        if open.len() > 1 {
            open.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then_with(|| tie(a.1, b.1)));
        }
        let segments = net.segments_of(v as u32);
        scratch.left.clear();
        scratch
            .left
            .extend_from_slice(&net.seg_room[segments.clone()]);
        let all = Fill {
            room,
            first: segments.start,
            through_zero,
        };
        all.run(
            net,
            scratch.open.iter().copied(),
            &mut scratch.left,
            &mut scratch.out,
        )
    }

    /// x(v) or X(v) from the values of v's buyers.
    pub(super) fn value_at(
        &self,
        v: usize,
        bound: Bound,
        values: &dyn Fn(usize) -> f64,
        scratch: &mut Scratch,
    ) -> f64 {
        let net = self.net;
        let carried = |e: usize| self.carried(e, values);
        if bound == Bound::Lower {
            return add(net.sales(v as u32).map(|e| net.lo[e] * carried(e)));
        }
        // One pass for the lower bounds and the best open edge: most often
        // that edge alone can take all the room.
        let (mut base, mut best) = (0.0, (0.0f64, 0.0f64));
        for e in net.sales(v as u32) {
            let c = carried(e);
            base += net.lo[e] * c;
            let cap = net.open_cap(e);
            if cap > 0.0 && (c > best.0 || (c == best.0 && cap > best.1)) {
                best = (c, cap);
            }
        }
        let room = self.room(v);
        if best.0 <= 0.0 || room <= 0.0 {
            base
        } else if best.1 >= room {
            base + room * best.0
        } else {
            base + self.greedy(v, &carried, scratch)
        }
    }
}

/// The greedy fill of one seller's room over its open edges.
pub(super) struct Fill {
    /// The room a(v) to share out.
    pub room: f64,
    /// The seller's first segment (net index): `left[s - first]` is what
    /// is left of segment `s`.
    pub first: usize,
    /// Go on past the edges of positive value, to those of value 0.
    pub through_zero: bool,
}

impl Fill {
    /// Fills the open edges `(carried value, edge)` in the order given
    /// (best first): each takes what its own bounds, the room and its
    /// segment have left. `left` holds what is left of the seller's
    /// segments; the allocation goes to `out`, and the gain is returned.
    ///
    /// The fill is optimal because the seller's total, its segments and
    /// its single edges form a nested family of caps (exposure spec,
    /// section 3).
    pub(super) fn run(
        &self,
        net: &Net,
        open: impl Iterator<Item = (f64, usize)>,
        left: &mut [f64],
        out: &mut Vec<(usize, f64)>,
    ) -> f64 {
        let mut room = self.room;
        let mut gain = 0.0;
        for (c, e) in open {
            if room <= 0.0 || (c <= 0.0 && !self.through_zero) {
                break;
            }
            let mut t = (net.hi[e] - net.lo[e]).min(room);
            if let Some(s) = net.segment(e) {
                t = t.min(left[s - self.first]);
                if t <= 0.0 {
                    continue;
                }
                left[s - self.first] -= t;
            }
            out.push((e, t));
            gain += t * c;
            room -= t;
        }
        gain
    }
}
