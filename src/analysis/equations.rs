//! The equations of the two bounds (exposure spec, section 3): what an edge
//! carries, the room a seller leaves beyond its lower bounds, and the
//! greedy fill of that room, capped edge by edge and segment by segment.
//!
//! Owns the value of one entity given its buyers' values; must not solve
//! anything (`exposure.rs` and `sweep.rs` do, over these equations).

use super::solve::add;
use crate::graph::{Net, NO_SEGMENT};
use crate::prefetch::prefetch;

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

    /// [`Net::prefetch_sales`] for step `i` of a loop over the members of
    /// a component `comp` that reads, of each buyer, its index in the
    /// component (`local`), its value (`y`) and whether it is restricted.
    #[inline]
    pub(super) fn prefetch_members(&self, i: usize, comp: &[u32], local: &[u32], y: &[f64]) {
        self.prefetch_members_where(i, comp, local, y, |_| true);
    }

    /// [`Equations::prefetch_members`] for a loop that reads the buyers
    /// of the edges `e` with `wanted(e)` only.
    #[inline]
    pub(super) fn prefetch_members_where(
        &self,
        i: usize,
        comp: &[u32],
        local: &[u32],
        y: &[f64],
        wanted: impl Fn(usize) -> bool,
    ) {
        let seller = |k: usize| comp.get(k).copied();
        self.net.prefetch_sales_where(i, seller, wanted, |u| {
            prefetch(local, u);
            prefetch(y, u);
            prefetch(self.restricted, u);
        });
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
        // One pass for the lower bounds and the best open edge: most
        // often that edge alone can take all the room.
        let segmented = !net.segments_of(v as u32).is_empty();
        let cap = |e: usize| match segmented {
            true => net.open_cap(e),
            false => net.hi[e] - net.lo[e],
        };
        let (mut base, mut best) = (0.0, (0.0f64, 0.0f64));
        for e in net.sales(v as u32) {
            let c = carried(e);
            base += net.lo[e] * c;
            let cap = cap(e);
            if cap > 0.0 && (c > best.0 || (c == best.0 && cap > best.1)) {
                best = (c, cap);
            }
        }
        let room = self.room(v);
        if best.0 <= 0.0 || room <= 0.0 {
            return base;
        }
        if best.1 >= room {
            return base + room * best.0;
        }
        // Else the fill nearly always ends within the best few edges.
        let mut list = Shortlist::new();
        for e in net.sales(v as u32) {
            let seg = match segmented {
                true => net.edge_seg[e],
                false => NO_SEGMENT,
            };
            list.offer(carried(e), seg, cap(e));
        }
        match list.fill(room, |s| net.seg_room[s as usize]) {
            Some(gain) => base + gain,
            None => base + self.greedy(v, &carried, scratch),
        }
    }
}

/// How many of a seller's open edges a [`Shortlist`] keeps.
const SHORTLIST: usize = 8;

/// A seller's best few open edges by carried value, gathered in a second
/// pass over its edges when its best edge alone cannot take all the
/// room. The greedy fill nearly always ends within them, and then needs
/// no sort of all the seller's edges.
struct Shortlist {
    /// (carried value, segment or `NO_SEGMENT`, cap), best first; among
    /// equal values, first offered first.
    items: [(f64, u32, f64); SHORTLIST],
    len: usize,
    /// An open edge of positive value was left out.
    partial: bool,
}

impl Shortlist {
    fn new() -> Shortlist {
        Shortlist {
            items: [(0.0, NO_SEGMENT, 0.0); SHORTLIST],
            len: 0,
            partial: false,
        }
    }

    /// Offers an edge that carries `value` and can take `cap` beyond its
    /// lower bound (no more than its segment's room), in segment `seg`
    /// (`NO_SEGMENT` for none). Edges of value 0 add nothing and are not
    /// kept.
    #[inline]
    fn offer(&mut self, value: f64, seg: u32, cap: f64) {
        if value <= 0.0 || cap <= 0.0 {
            return;
        }
        if self.len == SHORTLIST {
            self.partial = true;
            if value <= self.items[SHORTLIST - 1].0 {
                return;
            }
            self.len -= 1;
        }
        let mut i = self.len;
        while i > 0 && self.items[i - 1].0 < value {
            self.items[i] = self.items[i - 1];
            i -= 1;
        }
        self.items[i] = (value, seg, cap);
        self.len += 1;
    }

    /// The gain of the greedy fill of `room` over the kept edges, best
    /// first, each segment holding what `seg_room` gives it; `None` when
    /// room is left and edges were left out, so that only the fill over
    /// all of them can tell.
    ///
    /// When the room is used up, the gain is that of the fill over all
    /// the edges: every edge left out carries no more than the last one
    /// kept, and the edges of one value take the same amount together in
    /// any order (the caps are nested: exposure spec, section 3), so
    /// which of them were kept does not change the gain.
    fn fill(&self, room: f64, seg_room: impl Fn(u32) -> f64) -> Option<f64> {
        let (mut left, mut gain) = (room, 0.0);
        // What is left of the segments met so far.
        let mut segs = [(NO_SEGMENT, 0.0f64); SHORTLIST];
        let mut met = 0;
        for &(c, seg, cap) in &self.items[..self.len] {
            if left <= 0.0 {
                break;
            }
            let mut t = cap.min(left);
            if seg != NO_SEGMENT {
                let k = match segs[..met].iter().position(|s| s.0 == seg) {
                    Some(k) => k,
                    None => {
                        segs[met] = (seg, seg_room(seg));
                        met += 1;
                        met - 1
                    }
                };
                t = t.min(segs[k].1);
                segs[k].1 -= t;
            }
            gain += t * c;
            left -= t;
        }
        (left <= 0.0 || !self.partial).then_some(gain)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::{graph, segment};

    /// Sellers of 1 to 24 edges (exact, bounded and open, some in one of
    /// two segments) and buyers' values with many ties: the fill of the
    /// shortlist, and of all edges when it cannot tell, is the greedy fill
    /// over all the edges.
    #[test]
    fn the_shortlist_gives_the_greedy_fill_over_all_edges() {
        let mut next = crate::testing::random(11);
        let mut by_shortlist = 0;
        for round in 0..400 {
            let n = 1 + next(24) as usize;
            let ids: Vec<String> = (0..n).map(|i| format!("b{i}")).collect();
            let edges: Vec<String> = ids
                .iter()
                .map(|b| match next(5) {
                    0 => format!("s>{b} 0.0{}", next(4)),
                    1 => format!("s>{b} 0.0{}..0.{}", next(3), 1 + next(9)),
                    _ => format!("s>{b} ?"),
                })
                .collect();
            let edges: Vec<&str> = edges.iter().map(String::as_str).collect();
            let mut model = graph(&format!("s {}", ids.join(" ")), &edges, &[]);
            for _ in 0..next(3) {
                let members: Vec<&str> = ids
                    .iter()
                    .filter(|_| next(2) == 0)
                    .map(String::as_str)
                    .collect();
                segment(&mut model, "s", next(40) as f64 / 100.0, &members);
            }
            let net = Net::build(&model);
            let restricted = vec![false; net.n];
            let licensed = vec![false; net.buyer.len()];
            let eq = Equations {
                net: &net,
                restricted: &restricted,
                licensed: &licensed,
                dense_max: 0,
            };
            const VALUES: [f64; 6] = [0.0, 0.25, 0.5, 0.5, 1.0, 0.125];
            let vals: Vec<f64> = (0..net.n)
                .map(|_| match next(7) {
                    6 => next(1000) as f64 / 1000.0,
                    k => VALUES[k as usize],
                })
                .collect();
            let values = |u: usize| vals[u];
            let v = model.find("s").expect("the seller") as usize;
            let mut scratch = Scratch::default();
            let got = eq.value_at(v, Bound::Upper, &values, &mut scratch);
            let carried = |e: usize| eq.carried(e, values);
            let base = add(net.sales(v as u32).map(|e| net.lo[e] * carried(e)));
            let want = base + eq.greedy(v, &carried, &mut scratch);
            assert!(
                (got - want).abs() < 1e-12,
                "round {round}: shortlist {got}, greedy fill {want}"
            );
            // How often the shortlist alone decided.
            let mut best = Shortlist::new();
            for e in net.sales(v as u32) {
                best.offer(
                    carried(e),
                    net.edge_seg.get(e).copied().unwrap_or(NO_SEGMENT),
                    net.open_cap(e),
                );
            }
            let room = (1.0 - add(net.sales(v as u32).map(|e| net.lo[e]))).max(0.0);
            by_shortlist += usize::from(
                best.partial && best.fill(room, |s| net.seg_room[s as usize]).is_some(),
            );
        }
        // Both ways were taken: the shortlist over more edges than it
        // keeps, and the fill over all of them.
        assert!(
            by_shortlist > 20,
            "{by_shortlist} of 400 decided by a partial shortlist"
        );
    }
}
