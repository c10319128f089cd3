//! Lower exposure x, direct exposure d and upper exposure X (exposure spec,
//! section 3), solved one strongly connected component at a time.
//!
//! x is linear per component. X maximises over how each seller's unknown
//! room is shared out (a fractional knapsack whose order depends on the
//! values), so a component is solved by policy iteration: fix the greedy
//! allocation, solve that linear system exactly, recompute the allocation,
//! until it no longer improves. Components too large for a dense solve
//! rise to the least fixed point by Gauss-Seidel instead.

use super::scc::Sccs;
use super::solve::{add, iterate, least_solution, Term};
use crate::graph::Net;

/// A component's edge in `Equations::value_iteration`: to a member
/// (`col`), or to a buyer whose carried value is already known.
struct LocalEdge {
    col: u32,
    lo: f64,
    cap: f64,
    /// The carried value of an edge to outside the component.
    value: f64,
}

/// `LocalEdge::col` of an edge that leaves the component.
const EXTERNAL: u32 = u32::MAX;

/// Reused buffers of the knapsack, so that a sweep allocates nothing.
#[derive(Default)]
struct Scratch {
    /// Open edges with their carried values, best first.
    open: Vec<(f64, usize)>,
    /// The allocation: (edge, amount).
    out: Vec<(usize, f64)>,
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
    fn carried(&self, e: usize, values: impl Fn(usize) -> f64) -> f64 {
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
    fn room(&self, v: usize) -> f64 {
        let r = self.net.sales(v as u32);
        (1.0 - add(self.net.lo[r].iter().copied())).max(0.0)
    }

    /// Shares the room of `v` out greedily by carried value; writes the
    /// allocation `(edge, amount)` to `scratch.out` and returns what it
    /// adds. Allocates nothing once the scratch space has grown.
    fn greedy(&self, v: usize, carried: &dyn Fn(usize) -> f64, scratch: &mut Scratch) -> f64 {
        scratch.out.clear();
        let mut room = self.room(v);
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
            open.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        }
        let mut gain = 0.0;
        for &(c, e) in open.iter() {
            if room <= 0.0 || c <= 0.0 {
                break;
            }
            let t = (net.hi[e] - net.lo[e]).min(room);
            scratch.out.push((e, t));
            gain += t * c;
            room -= t;
        }
        gain
    }

    /// x(v) or X(v) from the values of v's buyers.
    fn value_at(
        &self,
        v: usize,
        knapsack: bool,
        values: &dyn Fn(usize) -> f64,
        scratch: &mut Scratch,
    ) -> f64 {
        let net = self.net;
        let carried = |e: usize| self.carried(e, values);
        let base = add(net.sales(v as u32).map(|e| net.lo[e] * carried(e)));
        if knapsack {
            base + self.greedy(v, &carried, scratch)
        } else {
            base
        }
    }

    /// The least solution of the equations: x when `knapsack` is false, X
    /// when true. `hint` (X only) is a lower bound to start from, e.g. x.
    ///
    /// # Complexity
    /// O(V + E) for acyclic parts; a component of k entities costs O(k³)
    /// per policy step up to `DENSE_MAX`, else O(edges) per sweep.
    pub fn solve(&self, sccs: &Sccs, knapsack: bool, hint: Option<&[f64]>) -> Vec<f64> {
        let n = self.net.n;
        let mut y = vec![0.0f64; n];
        let mut local = vec![u32::MAX; n];
        let mut scratch = Scratch::default();
        for c in 0..sccs.len() {
            let comp = sccs.comp(c);
            if let [v] = comp {
                let v = *v as usize;
                y[v] = self.value_at(v, knapsack, &|u| y[u], &mut scratch);
                continue;
            }
            for (i, &v) in comp.iter().enumerate() {
                local[v as usize] = i as u32;
            }
            let solved = if !knapsack {
                self.linear(comp, &local, &y, &vec![Vec::new(); comp.len()])
            } else if comp.len() <= self.dense_max {
                self.policy_iteration(comp, &local, &y, hint)
            } else {
                self.value_iteration(comp, &local, &y, hint)
            };
            for (i, &v) in comp.iter().enumerate() {
                y[v as usize] = solved[i];
                local[v as usize] = u32::MAX;
            }
        }
        y
    }

    /// Solves a component's linear system with fixed extra allocations
    /// `alloc[i]` on top of the lower bounds.
    fn linear(
        &self,
        comp: &[u32],
        local: &[u32],
        y: &[f64],
        alloc: &[Vec<(usize, f64)>],
    ) -> Vec<f64> {
        let net = self.net;
        let mut b = vec![0.0f64; comp.len()];
        let mut terms = Vec::new();
        for (i, &v) in comp.iter().enumerate() {
            let mut add = |e: usize, w: f64| {
                if w <= 0.0 {
                    return;
                }
                let u = net.buyer[e] as usize;
                if !self.restricted[u] && local[u] != u32::MAX {
                    terms.push(Term {
                        row: i as u32,
                        col: local[u],
                        w,
                    });
                } else {
                    b[i] += w * self.carried(e, |u| y[u]);
                }
            };
            // One weight per edge: lower bound plus its allocation.
            let extra = &alloc[i];
            for e in net.sales(v) {
                let t = extra
                    .iter()
                    .find(|&&(x, _)| x == e)
                    .map_or(0.0, |&(_, t)| t);
                add(e, net.lo[e] + t);
            }
        }
        least_solution(&terms, &b, self.dense_max)
    }

    /// X on a component by policy iteration with exact linear solves.
    fn policy_iteration(
        &self,
        comp: &[u32],
        local: &[u32],
        y: &[f64],
        hint: Option<&[f64]>,
    ) -> Vec<f64> {
        const MAX_STEPS: usize = 200;
        let mut vals: Vec<f64> = comp
            .iter()
            .map(|&v| hint.map_or(0.0, |h| h[v as usize]))
            .collect();
        let mut alloc: Vec<Vec<(usize, f64)>> = vec![Vec::new(); comp.len()];
        let mut scratch = Scratch::default();
        for step in 0..MAX_STEPS {
            let mut changed = false;
            for (i, &v) in comp.iter().enumerate() {
                let value = |u: usize| {
                    if local[u] != u32::MAX {
                        vals[local[u] as usize]
                    } else {
                        y[u]
                    }
                };
                let carried = |e: usize| self.carried(e, value);
                let gain_new = self.greedy(v as usize, &carried, &mut scratch);
                let gain_old = add(alloc[i].iter().map(|&(e, t)| t * carried(e)));
                // Switch only on a strict gain, so ties cannot cycle.
                if step == 0 || gain_new > gain_old + 1e-15 * (1.0 + gain_old) {
                    if alloc[i] != scratch.out {
                        changed = true;
                    }
                    std::mem::swap(&mut alloc[i], &mut scratch.out);
                }
            }
            if step > 0 && !changed {
                break;
            }
            vals = self.linear(comp, local, y, &alloc);
        }
        vals
    }

    /// X on a large component: Gauss-Seidel on the full (max) equations,
    /// rising from the hint to the least fixed point. The component's
    /// edges are first copied into a compact local form (values of
    /// buyers outside it are constants by now), so that a sweep reads its
    /// edges in order and only the component's own values at random.
    fn value_iteration(
        &self,
        comp: &[u32],
        local: &[u32],
        y: &[f64],
        hint: Option<&[f64]>,
    ) -> Vec<f64> {
        let net = self.net;
        let k = comp.len();
        // Per member: the lower bounds on edges to other members, and the
        // open edges (room to fill) with their carried value when known.
        let (mut lo_start, mut lo_terms) = (Vec::with_capacity(k + 1), Vec::new());
        let (mut open_start, mut open_edges) = (Vec::with_capacity(k + 1), Vec::new());
        let (mut fixed, mut rooms) = (vec![0.0f64; k], vec![0.0f64; k]);
        // The knapsack's gain when no value inside can change it.
        let mut settled: Vec<Option<f64>> = vec![None; k];
        for (i, &v) in comp.iter().enumerate() {
            lo_start.push(lo_terms.len());
            open_start.push(open_edges.len());
            let room = self.room(v as usize);
            rooms[i] = room;
            let mut best_outside = (0.0f64, 0.0f64);
            for e in net.sales(v) {
                let u = net.buyer[e] as usize;
                let (lo, cap) = (net.lo[e], net.hi[e] - net.lo[e]);
                let inside = !self.restricted[u] && local[u] != u32::MAX;
                if inside && lo > 0.0 {
                    lo_terms.push(LocalEdge {
                        col: local[u],
                        lo,
                        cap,
                        value: 0.0,
                    });
                }
                let value = if inside {
                    0.0
                } else {
                    self.carried(e, |u| y[u])
                };
                if !inside {
                    fixed[i] += lo * value;
                    if value > best_outside.0 || (value == best_outside.0 && cap > best_outside.1) {
                        best_outside = (value, cap);
                    }
                }
                if cap > 0.0 {
                    open_edges.push(LocalEdge {
                        col: if inside { local[u] } else { EXTERNAL },
                        lo,
                        cap,
                        value,
                    });
                }
            }
            // Nothing beats carrying 1 into a restricted buyer.
            if room <= 0.0 {
                settled[i] = Some(0.0);
            } else if best_outside.0 >= 1.0 && best_outside.1 >= room {
                settled[i] = Some(room * best_outside.0);
            }
            fixed[i] += settled[i].unwrap_or(0.0);
        }
        lo_start.push(lo_terms.len());
        open_start.push(open_edges.len());
        let mut vals: Vec<f64> = comp
            .iter()
            .map(|&v| hint.map_or(0.0, |h| h[v as usize]))
            .collect();
        let mut open: Vec<(f64, f64)> = Vec::new();
        iterate(&mut vals, |vals, i| {
            let mut x = fixed[i]
                + add(lo_terms[lo_start[i]..lo_start[i + 1]]
                    .iter()
                    .map(|e| e.lo * vals[e.col as usize]));
            if settled[i].is_none() {
                let mine = &open_edges[open_start[i]..open_start[i + 1]];
                let mut left = rooms[i];
                open.clear();
                open.extend(mine.iter().map(|e| {
                    (
                        if e.col == EXTERNAL {
                            e.value
                        } else {
                            vals[e.col as usize]
                        },
                        e.cap,
                    )
                }));
                if open.len() > 1 {
                    open.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
                }
                for &(c, cap) in open.iter() {
                    if left <= 0.0 || c <= 0.0 {
                        break;
                    }
                    let t = cap.min(left);
                    x += t * c;
                    left -= t;
                }
            }
            x
        });
        vals
    }

    /// The k-th iterate of the equations from 0: only paths of at most k
    /// edges count (`--max-depth`). Stops early once an iterate repeats.
    ///
    /// # Complexity
    /// O(k · (V + E)).
    pub fn iterates(&self, k: u32, knapsack: bool) -> Vec<f64> {
        let n = self.net.n;
        let mut prev = vec![0.0f64; n];
        let mut next = vec![0.0f64; n];
        let mut scratch = Scratch::default();
        for _ in 0..k {
            for v in 0..n {
                next[v] = self.value_at(v, knapsack, &|u| prev[u], &mut scratch);
            }
            std::mem::swap(&mut prev, &mut next);
            if prev == next {
                break;
            }
        }
        prev
    }

    /// Direct exposure d(v): the lower bounds of edges into restricted
    /// buyers that are not licensed.
    pub fn direct(&self) -> Vec<f64> {
        let net = self.net;
        (0..net.n)
            .map(|v| {
                add(net
                    .sales(v as u32)
                    .filter(|&e| self.restricted[net.buyer[e] as usize] && !self.licensed[e])
                    .map(|e| net.lo[e]))
            })
            .collect()
    }
}
