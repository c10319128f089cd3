//! X on a component too large for policy iteration: Gauss-Seidel sweeps
//! over a compact copy of the component's equations, rising from below to
//! the least fixed point.
//!
//! A sweep of a giant component is the hot loop of a large graph's
//! analysis, so the copy keeps only what changes from sweep to sweep: the
//! edges to other members as (member, weight) columns, and the room of
//! each seller's knapsack. Everything outside the component is a constant
//! by now and is folded in once: lower bounds times carried values into
//! `fixed`, and the open edges to outside as a list sorted best first.

use super::exposure::Equations;
use super::solve::iterate;

/// One component's X equations, members by their index in the component.
/// (The order of a sweep hardly matters here: on a core of 300,000 firms,
/// breadth-first from the inflow or by popularity changed the number of
/// sweeps by under 5 %.)
pub(super) struct Compact {
    /// Lower bounds times carried values of the edges to outside, plus the
    /// knapsack's whole gain for a settled seller.
    fixed: Vec<f64>,
    /// The room left to share out beyond the lower bounds; 0 when the
    /// knapsack is settled (nothing inside can change it).
    room: Vec<f64>,
    /// Lower bounds of the edges to other members: `lo_col[t]`, `lo_w[t]`
    /// for `t` in `lo_start[j]..lo_start[j + 1]`.
    lo_start: Vec<u32>,
    lo_col: Vec<u32>,
    lo_w: Vec<f64>,
    /// Open edges to other members, kept in the order of their values at
    /// the last sort (it changes little from sweep to sweep).
    open_start: Vec<u32>,
    open: Vec<OpenEdge>,
    /// Open edges to outside that carry value: (value, room), best first.
    ext_start: Vec<u32>,
    ext: Vec<(f64, f64)>,
}

impl Compact {
    /// Copies component `comp` (members have `local[v]` = their index,
    /// everyone else `u32::MAX`) whose buyers outside have their values
    /// in `y`.
    ///
    /// # Complexity
    /// O(members + their edges), plus sorting each seller's edges to
    /// outside.
    pub(super) fn of(eq: &Equations<'_>, comp: &[u32], local: &[u32], y: &[f64]) -> Compact {
        let net = eq.net;
        let k = comp.len();
        let inside = |u: usize| !eq.restricted[u] && local[u] != u32::MAX;
        let mut c = Compact {
            fixed: Vec::with_capacity(k),
            room: Vec::with_capacity(k),
            lo_start: Vec::with_capacity(k + 1),
            lo_col: Vec::new(),
            lo_w: Vec::new(),
            open_start: Vec::with_capacity(k + 1),
            open: Vec::new(),
            ext_start: Vec::with_capacity(k + 1),
            ext: Vec::new(),
        };
        let mut outside: Vec<(f64, f64)> = Vec::new();
        for &v in comp {
            c.lo_start.push(c.lo_col.len() as u32);
            c.open_start.push(c.open.len() as u32);
            c.ext_start.push(c.ext.len() as u32);
            let mut fixed = 0.0;
            outside.clear();
            for e in net.sales(v) {
                let u = net.buyer[e] as usize;
                let (lo, cap) = (net.lo[e], net.hi[e] - net.lo[e]);
                if inside(u) {
                    let col = local[u];
                    if lo > 0.0 {
                        c.lo_col.push(col);
                        c.lo_w.push(lo);
                    }
                    if cap > 0.0 {
                        c.open.push(OpenEdge { col, cap });
                    }
                } else {
                    let value = eq.carried(e, |u| y[u]);
                    fixed += lo * value;
                    if cap > 0.0 && value > 0.0 {
                        outside.push((value, cap));
                    }
                }
            }
            outside.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
            let room = eq.room(v as usize);
            // Nothing beats carrying 1 into a restricted buyer.
            let settled = match outside.first() {
                _ if room <= 0.0 => Some(0.0),
                Some(&(value, cap)) if value >= 1.0 && cap >= room => Some(room * value),
                _ => None,
            };
            match settled {
                Some(gain) => {
                    let open = c.open_start[c.open_start.len() - 1] as usize;
                    c.open.truncate(open);
                    c.fixed.push(fixed + gain);
                    c.room.push(0.0);
                }
                None => {
                    c.ext.extend_from_slice(&outside);
                    c.fixed.push(fixed);
                    c.room.push(room);
                }
            }
        }
        c.lo_start.push(c.lo_col.len() as u32);
        c.open_start.push(c.open.len() as u32);
        c.ext_start.push(c.ext.len() as u32);
        c
    }

    /// Sweeps `vals` (by component index, from below the least fixed
    /// point) up to `budget` times; `None` when they did not converge.
    pub(super) fn sweep(&mut self, vals: &mut [f64], budget: usize) -> Option<usize> {
        let mut values = Vec::new();
        iterate(vals, budget, |vals, j| self.update(vals, j, &mut values))
    }

    /// X of member `j` from the current values: its lower bounds plus the
    /// greedy knapsack over its open edges. `values` is scratch space.
    fn update(&mut self, vals: &[f64], j: usize, values: &mut Vec<f64>) -> f64 {
        let range = |start: &[u32]| start[j] as usize..start[j + 1] as usize;
        let mut x = self.fixed[j];
        for t in range(&self.lo_start) {
            x += self.lo_w[t] * vals[self.lo_col[t] as usize];
        }
        let mut left = self.room[j];
        if left <= 0.0 {
            return x;
        }
        let ext = &self.ext[range(&self.ext_start)];
        let inside = &mut self.open[range(&self.open_start)];
        // Most often the best edge alone can take all the room: then the
        // knapsack is a maximum.
        let mut best = ext.first().copied().unwrap_or((0.0, 0.0));
        for e in inside.iter() {
            let c = vals[e.col as usize];
            if c > best.0 || (c == best.0 && e.cap > best.1) {
                best = (c, e.cap);
            }
        }
        if best.0 <= 0.0 {
            return x;
        }
        if best.1 >= left {
            return x + left * best.0;
        }
        // Else fill by value, best first: the edges inside are sorted by
        // insertion from their last order, which is nearly right already,
        // and merged with those to outside.
        values.clear();
        values.extend(inside.iter().map(|e| vals[e.col as usize]));
        for a in 1..inside.len() {
            let mut b = a;
            while b > 0 && values[b - 1] < values[b] {
                values.swap(b - 1, b);
                inside.swap(b - 1, b);
                b -= 1;
            }
        }
        let (mut a, mut b) = (0, 0);
        while left > 0.0 {
            let (c, cap) = match (ext.get(a), values.get(b)) {
                (Some(&(v, cap)), Some(&w)) if v >= w => {
                    a += 1;
                    (v, cap)
                }
                (_, Some(&w)) => {
                    b += 1;
                    (w, inside[b - 1].cap)
                }
                (Some(&(v, cap)), None) => {
                    a += 1;
                    (v, cap)
                }
                (None, None) => break,
            };
            if c <= 0.0 {
                break;
            }
            let t = cap.min(left);
            x += t * c;
            left -= t;
        }
        x
    }
}

/// An open edge to another member: its column and its room.
#[derive(Clone, Copy, Debug)]
struct OpenEdge {
    col: u32,
    cap: f64,
}
