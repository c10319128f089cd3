//! X on a component too large for dense solves: modified policy iteration
//! over a compact copy of the component's equations (Gauss-Seidel sweeps
//! of the knapsack, and of the linear equations of the policy they
//! settle on), rising from below to the least fixed point.
//!
//! A sweep of a giant component is the hot loop of a large graph's
//! analysis, so the copy keeps only what changes from sweep to sweep: the
//! edges to other members as (member, weight) columns, and the room of
//! each seller's knapsack. Everything outside the component is a constant
//! by now and is folded in once: lower bounds times carried values into
//! `fixed`, and the open edges to outside as a list sorted best first.
//! A seller with segments keeps what each segment may take, and its fill
//! takes the segments' caps into account; the others pay nothing for them.

use super::equations::Equations;
use super::fixpoint::iterate;
use super::loops::Loops;
use crate::graph::NO_SEGMENT;
use crate::prefetch::{prefetch, prefetch_run, AHEAD};

/// One component's X equations, members by their index in the component.
/// (The order of a sweep hardly matters here: on a core of 300,000 firms,
/// breadth-first from the inflow or by popularity changed the number of
/// sweeps by under 5 %.)
#[derive(Clone, Debug)]
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
    /// Open edges to outside that carry value, best first.
    ext_start: Vec<u32>,
    ext: Vec<ExtEdge>,
    /// The room b(S) of each member's segments: `seg_room[seg_start[j]..
    /// seg_start[j + 1]]`; an edge's `seg` indexes into its member's run.
    seg_start: Vec<u32>,
    seg_room: Vec<f64>,
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
        let mut c = Compact::with_capacity(comp.len());
        let mut outside: Vec<ExtEdge> = Vec::new();
        for (i, &v) in comp.iter().enumerate() {
            eq.prefetch_members(i, comp, local, y);
            c.push_row(eq, v, local, y, &mut outside);
        }
        c.end();
        c
    }

    /// This copy (of component `comp`, made by [`Compact::of`] with other
    /// values outside and another graph, R+ or licences) with the rows of
    /// the members at the indices `rows` (ascending) made again from `eq`,
    /// `local` and `y`, and every other row copied: the copy
    /// [`Compact::of`] makes when only those rows differ.
    ///
    /// # Complexity
    /// O(the copy's size) to copy, plus O(the rows' edges) to make them.
    pub(super) fn with_rows(
        &self,
        eq: &Equations<'_>,
        comp: &[u32],
        local: &[u32],
        y: &[f64],
        rows: &[u32],
    ) -> Compact {
        let mut c = Compact::with_capacity(comp.len());
        let mut outside: Vec<ExtEdge> = Vec::new();
        let mut next = 0;
        for &j in rows {
            c.copy_rows(self, next..j as usize);
            c.push_row(eq, comp[j as usize], local, y, &mut outside);
            next = j as usize + 1;
        }
        c.copy_rows(self, next..comp.len());
        c.end();
        c
    }

    fn with_capacity(k: usize) -> Compact {
        Compact {
            fixed: Vec::with_capacity(k),
            room: Vec::with_capacity(k),
            lo_start: Vec::with_capacity(k + 1),
            lo_col: Vec::new(),
            lo_w: Vec::new(),
            open_start: Vec::with_capacity(k + 1),
            open: Vec::new(),
            ext_start: Vec::with_capacity(k + 1),
            ext: Vec::new(),
            seg_start: Vec::with_capacity(k + 1),
            seg_room: Vec::new(),
        }
    }

    /// Appends the row of member `v` (members have `local[v]` = their
    /// index, everyone else `u32::MAX`; buyers outside have their values
    /// in `y`); `outside` is scratch space.
    #[inline(always)]
    fn push_row(
        &mut self,
        eq: &Equations<'_>,
        v: u32,
        local: &[u32],
        y: &[f64],
        outside: &mut Vec<ExtEdge>,
    ) {
        let net = eq.net;
        let inside = |u: usize| !eq.restricted[u] && local[u] != u32::MAX;
        let c = self;
        c.lo_start.push(c.lo_col.len() as u32);
        c.open_start.push(c.open.len() as u32);
        c.ext_start.push(c.ext.len() as u32);
        c.seg_start.push(c.seg_room.len() as u32);
        let segments = net.segments_of(v);
        let mut fixed = 0.0;
        outside.clear();
        for e in net.sales(v) {
            let u = net.buyer[e] as usize;
            // The cap already holds the segment's room, so that the
            // best edge alone is checked against all it can take.
            // A seller without segments reads no edge's segment.
            let lo = net.lo[e];
            let (seg, cap) = match segments.is_empty() {
                true => (NO_SEGMENT, net.hi[e] - lo),
                false => net.segment(e).map_or((NO_SEGMENT, net.hi[e] - lo), |s| {
                    ((s - segments.start) as u32, net.open_cap(e))
                }),
            };
            if inside(u) {
                let col = local[u];
                if lo > 0.0 {
                    c.lo_col.push(col);
                    c.lo_w.push(lo);
                }
                if cap > 0.0 {
                    c.open.push(OpenEdge { col, seg, cap });
                }
            } else {
                let value = eq.carried(e, |u| y[u]);
                fixed += lo * value;
                if cap > 0.0 && value > 0.0 {
                    outside.push(ExtEdge { value, seg, cap });
                }
            }
        }
        outside.sort_unstable_by(|a, b| b.value.total_cmp(&a.value).then(b.cap.total_cmp(&a.cap)));
        let room = eq.room(v as usize);
        // Nothing beats carrying 1 into a restricted buyer.
        let settled = match outside.first() {
            _ if room <= 0.0 => Some(0.0),
            Some(e) if e.value >= 1.0 && e.cap >= room => Some(room * e.value),
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
                c.ext.extend_from_slice(outside);
                c.fixed.push(fixed);
                c.room.push(room);
                c.seg_room.extend_from_slice(&net.seg_room[segments]);
            }
        }
    }

    /// Appends the rows `rows` of `from` as they are.
    fn copy_rows(&mut self, from: &Compact, rows: std::ops::Range<usize>) {
        if rows.is_empty() {
            return;
        }
        self.fixed.extend_from_slice(&from.fixed[rows.clone()]);
        self.room.extend_from_slice(&from.room[rows.clone()]);
        fn run<T: Copy>(
            start: &mut Vec<u32>,
            to: &mut Vec<T>,
            from: (&[u32], &[T]),
            rows: &std::ops::Range<usize>,
        ) {
            let (first, last) = (from.0[rows.start], from.0[rows.end]);
            let shift = to.len() as u32;
            start.extend(from.0[rows.clone()].iter().map(|&s| s - first + shift));
            to.extend_from_slice(&from.1[first as usize..last as usize]);
        }
        run(
            &mut self.lo_start,
            &mut self.lo_col,
            (&from.lo_start, &from.lo_col),
            &rows,
        );
        let lo = from.lo_start[rows.start] as usize..from.lo_start[rows.end] as usize;
        self.lo_w.extend_from_slice(&from.lo_w[lo]);
        run(
            &mut self.open_start,
            &mut self.open,
            (&from.open_start, &from.open),
            &rows,
        );
        run(
            &mut self.ext_start,
            &mut self.ext,
            (&from.ext_start, &from.ext),
            &rows,
        );
        run(
            &mut self.seg_start,
            &mut self.seg_room,
            (&from.seg_start, &from.seg_room),
            &rows,
        );
    }

    /// Closes the last row.
    fn end(&mut self) {
        self.lo_start.push(self.lo_col.len() as u32);
        self.open_start.push(self.open.len() as u32);
        self.ext_start.push(self.ext.len() as u32);
        self.seg_start.push(self.seg_room.len() as u32);
    }

    /// Sweeps `vals` (by component index, from below the least fixed
    /// point) up to `budget` times; `None` when they did not converge.
    ///
    /// Modified policy iteration. How each seller shares its room out
    /// (the policy) is read from the knapsack's sweeps; between two of
    /// them, the policy's linear equations are swept a few times, at a
    /// fraction of a knapsack sweep's cost (`Policy`). Once a knapsack
    /// sweep gives the policy of the one before (after eight rounds, at
    /// most one member in a thousand changed), its equations are swept to
    /// their solution, and a knapsack sweep from there that records the same
    /// policy ends the solve: a policy greedy at its own solution makes it
    /// a fixed point, and one not above the least. Every step stays below
    /// that point: a policy's equations give at most what the knapsack
    /// gives. A policy that still changes at its solution (near ties)
    /// gives way to the knapsack's sweeps and their stopping rule.
    ///
    /// Loops of heavy lower bounds are solved whole at their head
    /// (`loops.rs`), in the knapsack's sweeps and the policies' alike.
    pub(super) fn sweep(&mut self, vals: &mut [f64], budget: usize) -> Option<usize> {
        // Rounds after which a policy with few changes is solved whole.
        const PATIENCE: usize = 8;
        self.sweep_with(vals, budget, PATIENCE, vals.len() / 1000)
    }

    /// [`Compact::sweep`], a policy with at most `few` members changed
    /// being solved whole after `patience` rounds (an unchanged one at
    /// once): a member whose policy flips between near ties would
    /// otherwise hold the rounds forever.
    pub(super) fn sweep_with(
        &mut self,
        vals: &mut [f64],
        budget: usize,
        patience: usize,
        few: usize,
    ) -> Option<usize> {
        // Knapsack sweeps before the first policy: far from the fixed
        // point the greedy policy says little.
        const SETTLE: usize = 2;
        // Sweeps of a policy between two knapsack sweeps.
        const BETWEEN: usize = 4;
        // Knapsack sweeps that check a policy's solution.
        const CHECK: usize = 2;
        // Policies tried before the knapsack's sweeps go on alone.
        const ROUNDS: usize = 30;
        let (mut values, mut left) = (Vec::new(), Vec::new());
        let loops = Loops::find(self.fixed.len(), |j| {
            let range = self.lo_start[j] as usize..self.lo_start[j + 1] as usize;
            Loops::heavy_of(j, range.map(|t| (self.lo_col[t], self.lo_w[t])))
        });
        let first = SETTLE.min(budget);
        if let Some(n) = self.knapsack(&loops, vals, first, &mut values, &mut left) {
            return Some(n);
        }
        let mut used = first;
        let mut policies = [Policy::default(), Policy::default()];
        // Whether `vals` solve the last policy's equations, and whether a
        // solved policy changed before.
        let (mut solved, mut changed_once) = (false, false);
        for round in 0..ROUNDS {
            if used == budget {
                return None;
            }
            let [last, now] = &mut policies;
            std::mem::swap(last, now);
            self.record(&loops, vals, now, &mut values, &mut left);
            used += 1;
            let changed = now.changed_rows(last);
            // The greedy policy at its own solution: the least fixed point.
            if solved && changed == 0 {
                return Some(used);
            }
            // The policy to solve whole.
            let settled = changed == 0 || (round >= patience && changed <= few);
            if solved && settled && changed_once {
                // A policy that keeps changing at its solution has near
                // ties: the knapsack's sweeps and their stopping rule
                // decide.
                let sweeps = CHECK.min(budget - used);
                if let Some(n) = self.knapsack(&loops, vals, sweeps, &mut values, &mut left) {
                    return Some(used + n);
                }
                used += sweeps;
                solved = false;
                continue;
            }
            changed_once |= solved;
            solved = settled;
            let sweeps = match solved {
                true => budget - used,
                false => BETWEEN.min(budget - used),
            };
            match now.solve(self, &loops, vals, sweeps) {
                Some(n) => used += n,
                None if solved => return None,
                None => used += sweeps,
            }
        }
        // The policy would not settle: knapsack sweeps from here.
        let r = self.knapsack(&loops, vals, budget - used, &mut values, &mut left);
        r.map(|n| used + n)
    }

    /// The greedy worst case at `w` (by component index), without
    /// sweeping: the shares it gives each member's sales to other members
    /// (lower bounds and fill; P by rows), and the residual: how far the
    /// equations at `w` move any member from `w`.
    ///
    /// # Complexity
    /// One knapsack sweep.
    pub(super) fn worst_case_at(&mut self, w: &[f64]) -> WorstCase {
        let k = self.fixed.len();
        let (mut values, mut left) = (Vec::new(), Vec::new());
        let mut p = WorstCase {
            start: Vec::with_capacity(k + 1),
            cols: Vec::new(),
            shares: Vec::new(),
            residual: 0.0,
        };
        for j in 0..k {
            p.start.push(p.cols.len() as u32);
            let lo = self.lo_start[j] as usize..self.lo_start[j + 1] as usize;
            p.cols.extend_from_slice(&self.lo_col[lo.clone()]);
            p.shares.extend_from_slice(&self.lo_w[lo]);
            let (cols, shares) = (&mut p.cols, &mut p.shares);
            let v = self.update(w, j, &mut values, &mut left, |inside, t, _| {
                if let Some(m) = inside {
                    cols.push(m);
                    shares.push(t);
                }
            });
            // NaN stays: the caller's comparisons then fail.
            let moved = (v - w[j]).abs();
            if moved.is_nan() || moved > p.residual {
                p.residual = moved;
            }
        }
        p.start.push(p.cols.len() as u32);
        p
    }

    /// Whether the equations at `v` give no member more than `v` does:
    /// `v` is then at or above the least solution (it is a pre-fixed
    /// point of a monotone map, and the least fixed point lies below
    /// every one).
    ///
    /// # Complexity
    /// At most one knapsack sweep.
    pub(super) fn at_most(&mut self, v: &[f64]) -> bool {
        let (mut values, mut left) = (Vec::new(), Vec::new());
        (0..self.fixed.len())
            .all(|j| self.update(v, j, &mut values, &mut left, |_, _, _| ()) <= v[j])
    }

    /// Up to `sweeps` knapsack sweeps of `vals`, as [`iterate`] returns
    /// them; `values` and `left` are scratch space.
    fn knapsack(
        &mut self,
        loops: &Loops,
        vals: &mut [f64],
        sweeps: usize,
        values: &mut Vec<f64>,
        left: &mut Vec<f64>,
    ) -> Option<usize> {
        iterate(vals, sweeps, |vals, j| match loops.headed_by(j) {
            Some(l) => loops.solve(l, |m, next, w| {
                self.update(vals, m, values, left, |_, _, _| ()) - w * vals[next]
            }),
            None => self.update(vals, j, values, left, |_, _, _| ()),
        })
    }

    /// One knapsack sweep of `vals` that writes to `policy` the greedy
    /// policy each member takes as it is updated (a loop's head: the
    /// policy at the values before its loop is solved).
    fn record(
        &mut self,
        loops: &Loops,
        vals: &mut [f64],
        policy: &mut Policy,
        values: &mut Vec<f64>,
        left: &mut Vec<f64>,
    ) {
        policy.clear();
        for j in 0..vals.len() {
            policy.start.push(policy.col.len() as u32);
            let mut c = self.fixed[j];
            let (col, w) = (&mut policy.col, &mut policy.w);
            let v = self.update(vals, j, values, left, |inside, t, value| match inside {
                Some(m) => {
                    col.push(m);
                    w.push(t);
                }
                None => c += t * value,
            });
            policy.c.push(c);
            vals[j] = match loops.headed_by(j) {
                Some(l) => loops.solve(l, |m, next, w| {
                    self.update(vals, m, values, left, |_, _, _| ()) - w * vals[next]
                }),
                None => v,
            };
        }
        policy.start.push(policy.col.len() as u32);
    }

    /// X of member `j` from the current values: its lower bounds plus the
    /// greedy knapsack over its open edges. `values` and `left` are
    /// scratch space. Tells `take` what each open edge takes, as
    /// [`Compact::fill`] does.
    #[inline(always)]
    fn update(
        &mut self,
        vals: &[f64],
        j: usize,
        values: &mut Vec<f64>,
        left_in: &mut Vec<f64>,
        mut take: impl FnMut(Option<u32>, f64, f64),
    ) -> f64 {
        let range = |start: &[u32]| start[j] as usize..start[j + 1] as usize;
        let mut x = self.fixed[j];
        for t in range(&self.lo_start) {
            // Each read here asks for the one `AHEAD` places on (asking
            // for a whole run before the loop, as below, made the
            // sweeps 6 % slower here).
            if let Some(&c) = self.lo_col.get(t + AHEAD) {
                prefetch(vals, c as usize);
            }
            x += self.lo_w[t] * vals[self.lo_col[t] as usize];
        }
        let left = self.room[j];
        if left <= 0.0 {
            return x;
        }
        let ext = &self.ext[range(&self.ext_start)];
        let open = range(&self.open_start);
        prefetch_run(&self.open, open.clone(), vals, |e| e.col as usize);
        let inside = &self.open[open];
        // Most often the best edge alone can take all the room: then the
        // knapsack is a maximum.
        let mut best = ext
            .first()
            .map_or((0.0, 0.0, None), |e| (e.value, e.cap, None));
        for e in inside.iter() {
            let c = vals[e.col as usize];
            if c > best.0 || (c == best.0 && e.cap > best.1) {
                best = (c, e.cap, Some(e.col));
            }
        }
        if best.0 <= 0.0 {
            return x;
        }
        if best.1 >= left {
            take(best.2, left, best.0);
            return x + left * best.0;
        }
        self.fill(vals, j, x, left, values, left_in, take)
    }

    /// Adds to `x` the greedy fill of member `j`'s room `left` over its
    /// open edges, best first by `vals`, telling `take` each edge that
    /// takes a part: `take(inside, t, value)`, with `inside` the edge's
    /// column among the members, or `None` for an edge to outside.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn fill(
        &mut self,
        vals: &[f64],
        j: usize,
        x: f64,
        left: f64,
        values: &mut Vec<f64>,
        left_in: &mut Vec<f64>,
        take: impl FnMut(Option<u32>, f64, f64),
    ) -> f64 {
        let range = |start: &[u32]| start[j] as usize..start[j + 1] as usize;
        let ext = &self.ext[range(&self.ext_start)];
        let inside = &mut self.open[range(&self.open_start)];
        // The edges inside are sorted by insertion from their last order,
        // which is nearly right already, and merged with those to
        // outside.
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
        let inside = &*inside;
        // What a segment may still take: none to track, one kept in a
        // register, or several in `left_in`.
        let segments = range(&self.seg_start);
        match segments.len() {
            0 => fill(x, left, ext, inside, values, |_, t| t, take),
            1 => {
                let mut room = self.seg_room[segments.start];
                let limit = |seg, t: f64| match seg {
                    NO_SEGMENT => t,
                    _ => {
                        let t = t.min(room);
                        room -= t;
                        t
                    }
                };
                fill(x, left, ext, inside, values, limit, take)
            }
            _ => {
                left_in.clear();
                left_in.extend_from_slice(&self.seg_room[segments]);
                let limit = |seg, t: f64| match seg {
                    NO_SEGMENT => t,
                    seg => {
                        let s = &mut left_in[seg as usize];
                        let t = t.min(*s);
                        *s -= t;
                        t
                    }
                };
                fill(x, left, ext, inside, values, limit, take)
            }
        }
    }
}

/// A policy: what the fill gives each member's open edges. With the
/// lower bounds, its linear equations: member `j`'s value is `c[j]` (the
/// constants of [`Compact`] and what edges to outside carry) plus its
/// lower bounds times their members' values, plus `w[t]` times the value
/// of member `col[t]` for `t` in `start[j]..start[j + 1]`.
#[derive(Debug, Default)]
struct Policy {
    c: Vec<f64>,
    start: Vec<u32>,
    col: Vec<u32>,
    w: Vec<f64>,
}

impl Policy {
    fn clear(&mut self) {
        self.c.clear();
        self.start.clear();
        self.col.clear();
        self.w.clear();
    }

    /// How many members' shares differ from those of `other`.
    fn changed_rows(&self, other: &Policy) -> usize {
        if self.c.len() != other.c.len() {
            return self.c.len();
        }
        (0..self.c.len())
            .filter(|&j| self.row(j) != other.row(j))
            .count()
    }

    /// Member `j`'s constant, columns and shares.
    fn row(&self, j: usize) -> (f64, &[u32], &[f64]) {
        let r = self.start[j] as usize..self.start[j + 1] as usize;
        (self.c[j], &self.col[r.clone()], &self.w[r])
    }

    /// Up to `budget` sweeps of the equations of this policy over `of`
    /// (from `vals`, below the least fixed point), as [`iterate`] returns
    /// them, with `loops` solved whole.
    fn solve(&self, of: &Compact, loops: &Loops, vals: &mut [f64], budget: usize) -> Option<usize> {
        iterate(vals, budget, |vals, j| match loops.headed_by(j) {
            Some(l) => loops.solve(l, |m, next, w| self.update(of, vals, m) - w * vals[next]),
            None => self.update(of, vals, j),
        })
    }

    /// Member `j`'s value from the current values.
    #[inline]
    fn update(&self, of: &Compact, vals: &[f64], j: usize) -> f64 {
        let mut x = self.c[j];
        let runs = [
            (&of.lo_col, &of.lo_w, of.lo_start[j]..of.lo_start[j + 1]),
            (&self.col, &self.w, self.start[j]..self.start[j + 1]),
        ];
        for (col, w, run) in runs {
            for t in run.start as usize..run.end as usize {
                if let Some(&c) = col.get(t + AHEAD) {
                    prefetch(vals, c as usize);
                }
                x += w[t] * vals[col[t] as usize];
            }
        }
        x
    }
}

/// Adds to `x` the greedy fill of `left` over the edges to outside
/// (`ext`, best first) and inside (`inside`, with their values `values`,
/// best first), each edge taking what `limit` allows of its room and what
/// is left (`limit(seg, t)`: at most `t`, and what the edge's segment
/// still has), and telling `take` what it took (see `Compact::fill`).
#[inline(always)]
fn fill(
    mut x: f64,
    mut left: f64,
    ext: &[ExtEdge],
    inside: &[OpenEdge],
    values: &[f64],
    mut limit: impl FnMut(u32, f64) -> f64,
    mut take: impl FnMut(Option<u32>, f64, f64),
) -> f64 {
    let (mut a, mut b) = (0, 0);
    while left > 0.0 {
        let (c, seg, cap, col) = match (ext.get(a), values.get(b)) {
            (Some(e), Some(&w)) if e.value >= w => {
                a += 1;
                (e.value, e.seg, e.cap, None)
            }
            (_, Some(&w)) => {
                b += 1;
                let e = &inside[b - 1];
                (w, e.seg, e.cap, Some(e.col))
            }
            (Some(e), None) => {
                a += 1;
                (e.value, e.seg, e.cap, None)
            }
            (None, None) => break,
        };
        if c <= 0.0 {
            break;
        }
        let t = limit(seg, cap.min(left));
        take(col, t, c);
        x += t * c;
        left -= t;
    }
    x
}

/// The greedy worst case at some values, as [`Compact::worst_case_at`]
/// finds it: P by rows (`cols[start[j]..start[j + 1]]` with `shares`)
/// and the residual.
pub(super) struct WorstCase {
    pub start: Vec<u32>,
    pub cols: Vec<u32>,
    pub shares: Vec<f64>,
    pub residual: f64,
}

/// An open edge to another member: its column, its segment (an index
/// into its member's run of `seg_room`, or `NO_SEGMENT`) and its room.
#[derive(Clone, Copy, Debug)]
struct OpenEdge {
    col: u32,
    seg: u32,
    cap: f64,
}

/// An open edge to outside: the value it carries, its segment and room.
#[derive(Clone, Copy, Debug)]
struct ExtEdge {
    value: f64,
    seg: u32,
    cap: f64,
}
