//! Lower exposure x, direct exposure d and upper exposure X (exposure spec,
//! section 3), solved one strongly connected component at a time.
//!
//! x is linear per component. X maximises over how each seller's unknown
//! room is shared out (a fractional knapsack whose order depends on the
//! values), so a component is solved by policy iteration: fix the greedy
//! allocation, solve that linear system exactly, recompute the allocation,
//! until it no longer improves. Components too large for a dense solve
//! rise to the least fixed point by Gauss-Seidel sweeps instead, of the
//! knapsack and of the policy they settle on (`sweep.rs`).

use super::above::{self, FromAbove};
use super::equations::{Bound, Equations, Scratch};
use super::scc::Components;
use super::solve::{add, least_solution_from, Rows, Settled, DIRECT_MAX, MAX_SWEEPS, SWEEP_BUDGET};
use super::sweep::Compact;
use crate::prefetch::prefetch;
use std::sync::Arc;

/// The components whose solve gave up before it converged: their values
/// are below the exact ones by an unknown margin, and the command says so.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unsettled {
    pub components: usize,
    pub entities: usize,
}

impl Unsettled {
    fn note(&mut self, settled: Settled, comp: &[u32]) {
        if settled == Settled::No {
            self.components += 1;
            self.entities += comp.len();
        }
    }
}

/// A maker of a component's equations as they are to be solved (`comp`,
/// `local` and the values `y`, as [`Equations::linear_of`] and
/// [`Compact::of`] take them).
type Maker<'a, T> = &'a (dyn Fn(&Equations<'_>, &[u32], &[u32], &[f64]) -> Option<T> + Sync);

/// Makes a component's equations when it can do so faster than they are
/// made whole, which happens otherwise (`None`). It must make the very
/// equations they would be.
#[derive(Clone, Copy)]
pub(super) enum Copier<'a> {
    /// x's ([`Equations::linear_of`]).
    Lower(Maker<'a, Arc<Linear>>),
    /// The copy of X's to sweep ([`Compact::of`]).
    Upper(Maker<'a, Copied<'a>>),
}

/// A copy a [`Copier`] made of a component that a base solved: the
/// members' values in `y` are the base's, and its sweeps may start from
/// them (`above.rs`).
pub(super) struct Copied<'a> {
    pub compact: Compact,
    /// What solving it from above keeps for the base.
    pub above: &'a FromAbove,
}

/// The linear equations of a component, x's or those of a policy of X's:
/// the weights among its members by row, and each member's inflow from
/// outside.
#[derive(Clone, Debug)]
pub(super) struct Linear {
    rows: Rows,
    b: Vec<f64>,
}

impl Linear {
    /// Their least solution, from `start` when given (see
    /// [`least_solution_from`]).
    fn solve(&self, dense_max: usize, start: Option<&[f64]>) -> (Vec<f64>, Settled) {
        least_solution_from(&self.rows, &self.b, dense_max, start)
    }
}

impl Equations<'_> {
    /// The least solution of the equations of `bound`, and the components
    /// that did not converge.
    ///
    /// # Complexity
    /// O(V + E) for acyclic parts; a component of k entities costs O(k³)
    /// per policy step up to `DENSE_MAX`, else O(edges) per sweep.
    pub fn solve(&self, comps: impl Components, bound: Bound) -> (Vec<f64>, Unsettled) {
        let mut y = vec![0.0f64; self.net.n];
        let unsettled = self.solve_into(comps, bound, &mut y, false);
        (y, unsettled)
    }

    /// Solves the components of `sccs`, in their order, into `y`, which
    /// holds the values of every buyer outside them. Each member starts
    /// from 0, as in [`Equations::solve`], so a component gets the same
    /// numbers as there whenever its outside does; with `warm`, the
    /// sweeps of a component above `dense_max` start from the members'
    /// values in `y` instead, which must then be below the least solution
    /// and at most one sweep of themselves (see `incremental/`).
    ///
    /// # Complexity
    /// As [`Equations::solve`], over the components given.
    pub fn solve_into(
        &self,
        comps: impl Components,
        bound: Bound,
        y: &mut [f64],
        warm: bool,
    ) -> Unsettled {
        self.solve_into_with(comps, bound, y, warm, None)
    }

    /// [`Equations::solve_into`], the equations of each component that
    /// is not solved alone made by `copier` when it has them: x's, or the
    /// copy of X's that is swept.
    ///
    /// # Complexity
    /// As [`Equations::solve_into`].
    pub(super) fn solve_into_with(
        &self,
        mut comps: impl Components,
        bound: Bound,
        y: &mut [f64],
        warm: bool,
        copier: Option<Copier<'_>>,
    ) -> Unsettled {
        let n = self.net.n;
        // Each start, from 0 or warm, by component index.
        let mut start: Vec<f64> = Vec::new();
        let mut local = vec![u32::MAX; n];
        let mut scratch = Scratch::default();
        let mut unsettled = Unsettled::default();
        for c in 0.. {
            self.net.prefetch_sales(
                c,
                |k| comps.first_member(k),
                |u| {
                    prefetch(y, u);
                    prefetch(self.restricted, u);
                },
            );
            let Some(comp) = comps.get(c) else { break };
            if let [v] = comp {
                let v = *v as usize;
                y[v] = self.value_at(v, bound, &|u| y[u], &mut scratch);
                continue;
            }
            start.clear();
            for (i, &v) in comp.iter().enumerate() {
                local[v as usize] = i as u32;
                start.push(if warm { y[v as usize] } else { 0.0 });
            }
            let (solved, settled) = if bound == Bound::Lower {
                let start = warm.then_some(&start[..]);
                match copier {
                    Some(Copier::Lower(copy)) => copy(self, comp, &local, y),
                    _ => None,
                }
                .map_or_else(
                    || self.linear(comp, &local, y, &[], start),
                    |made| made.solve(self.dense_max, start),
                )
            } else if comp.len() <= self.dense_max {
                self.policy_iteration(comp, &local, y)
            } else {
                self.swept(comp, &local, y, (&start, warm), copier)
            };
            unsettled.note(settled, comp);
            for (i, &v) in comp.iter().enumerate() {
                y[v as usize] = solved[i];
                local[v as usize] = u32::MAX;
            }
        }
        unsettled
    }

    /// Solves a component's linear system with fixed extra allocations
    /// `alloc[i]` on top of the lower bounds (none when `alloc` is empty),
    /// from 0 or from `start` (see [`least_solution_from`]).
    fn linear(
        &self,
        comp: &[u32],
        local: &[u32],
        y: &[f64],
        alloc: &[Vec<(usize, f64)>],
        start: Option<&[f64]>,
    ) -> (Vec<f64>, Settled) {
        self.linear_of(comp, local, y, alloc)
            .solve(self.dense_max, start)
    }

    /// The linear equations of component `comp` (members' indices
    /// `local`, the values outside `y`) with fixed extra allocations
    /// `alloc[i]` on top of the lower bounds: x's when `alloc` is empty.
    ///
    /// # Complexity
    /// O(the members' sales).
    pub(super) fn linear_of(
        &self,
        comp: &[u32],
        local: &[u32],
        y: &[f64],
        alloc: &[Vec<(usize, f64)>],
    ) -> Linear {
        let mut made = Linear {
            rows: Rows::new(),
            b: Vec::with_capacity(comp.len()),
        };
        for i in 0..comp.len() {
            self.linear_row(i, (comp, local, y), alloc, &mut made);
        }
        made
    }

    /// x's equations of `comp` made from `from`, those of the same members
    /// in the same order, with only the rows `remake` (ascending) made
    /// again and the others copied: the equations [`Equations::linear_of`]
    /// makes when no other row can differ.
    ///
    /// # Complexity
    /// O(the weights copied) and O(the sales of the rows made again).
    pub(super) fn linear_with_rows(
        &self,
        from: &Linear,
        (comp, local, y): (&[u32], &[u32], &[f64]),
        remake: &[u32],
    ) -> Linear {
        let mut made = Linear {
            rows: Rows::with_capacity(comp.len(), from.rows.weights_written()),
            b: Vec::with_capacity(comp.len()),
        };
        let mut next = 0;
        for &i in remake {
            let i = i as usize;
            made.rows.extend_from(&from.rows, next..i);
            made.b.extend_from_slice(&from.b[next..i]);
            self.linear_row(i, (comp, local, y), &[], &mut made);
            next = i + 1;
        }
        made.rows.extend_from(&from.rows, next..comp.len());
        made.b.extend_from_slice(&from.b[next..]);
        made
    }

    /// Writes member `i`'s row and inflow of [`Equations::linear_of`] to
    /// `made`.
    #[inline]
    fn linear_row(
        &self,
        i: usize,
        (comp, local, y): (&[u32], &[u32], &[f64]),
        alloc: &[Vec<(usize, f64)>],
        made: &mut Linear,
    ) {
        let net = self.net;
        // Without allocations only the edges with a lower bound count.
        let counts = |e: usize| !alloc.is_empty() || net.lo[e] > 0.0;
        self.prefetch_members_where(i, comp, local, y, counts);
        let extra = alloc.get(i).map_or(&[][..], Vec::as_slice);
        let mut b = 0.0;
        for e in net.sales(comp[i]) {
            // One weight per edge: lower bound plus its allocation.
            let t = extra
                .iter()
                .find(|&&(x, _)| x == e)
                .map_or(0.0, |&(_, t)| t);
            let w = net.lo[e] + t;
            if w <= 0.0 {
                continue;
            }
            let u = net.buyer[e] as usize;
            if !self.restricted[u] && local[u] != u32::MAX {
                made.rows.push(local[u], w);
            } else {
                b += w * self.carried(e, |u| y[u]);
            }
        }
        made.rows.end_row();
        made.b.push(b);
    }

    /// X on a component above `dense_max` members: sweeps from `start` (0,
    /// or a warm start below the least fixed point, `warm`) over its
    /// compact copy, or, when they do not converge within `SWEEP_BUDGET`
    /// and the component has at most `DIRECT_MAX` members, policy
    /// iteration with dense solves. A copy of a component the base solved
    /// is first swept from the base's values, and what they settle on kept
    /// when `above.rs` proves it within 1e-11 of the least solution.
    fn swept(
        &self,
        comp: &[u32],
        local: &[u32],
        y: &[f64],
        (start, warm): (&[f64], bool),
        copier: Option<Copier<'_>>,
    ) -> (Vec<f64>, Settled) {
        let copied = match copier {
            Some(Copier::Upper(copy)) => copy(self, comp, local, y),
            _ => None,
        };
        let (mut compact, above) = match copied {
            Some(copied) => (copied.compact, Some(copied.above)),
            None => (Compact::of(self, comp, local, y), None),
        };
        // A warm start is below the least solution already.
        if let (false, Some(keep)) = (warm, above) {
            let base = comp.iter().map(|&v| y[v as usize]).collect();
            if let Some(vals) = above::solve(&mut compact, base, keep) {
                return (vals, Settled::Yes);
            }
        }
        let mut vals = start.to_vec();
        if compact.sweep(&mut vals, SWEEP_BUDGET).is_none() {
            if comp.len() <= DIRECT_MAX {
                let direct = Equations {
                    dense_max: DIRECT_MAX,
                    ..*self
                };
                return direct.policy_iteration(comp, local, y);
            }
            if compact.sweep(&mut vals, MAX_SWEEPS).is_none() {
                return (vals, Settled::No);
            }
        }
        (vals, Settled::Yes)
    }

    /// X on a component by policy iteration with exact linear solves.
    fn policy_iteration(&self, comp: &[u32], local: &[u32], y: &[f64]) -> (Vec<f64>, Settled) {
        const MAX_STEPS: usize = 200;
        // Gains and losses up to this are the linear solves' rounding.
        const ROUNDING: f64 = 1e-12;
        let mut vals = vec![0.0; comp.len()];
        let mut settled = Settled::Yes;
        let mut alloc: Vec<Vec<(usize, f64)>> = vec![Vec::new(); comp.len()];
        let mut scratch = Scratch::default();
        // The largest gain a switch of allocation promised in the last step.
        let mut promised = 0.0f64;
        for step in 0..MAX_STEPS {
            let mut changed = false;
            promised = 0.0;
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
                promised = promised.max(gain_new - gain_old);
                // Switch only on a strict gain, so ties cannot cycle.
                if step == 0 || gain_new > gain_old + 1e-15 * (1.0 + gain_old) {
                    if alloc[i] != scratch.out {
                        changed = true;
                    }
                    std::mem::swap(&mut alloc[i], &mut scratch.out);
                }
            }
            if step > 0 && !changed {
                return (vals, settled);
            }
            let (next, next_settled) = self.linear(comp, local, y, &alloc, None);
            // Policy iteration only rises. Values that fall mean that a
            // switch closed a loop whose least solution is lower (on loops
            // of shares near 1, a switch of rounding size can): the values
            // before it solve the equations to within what was promised.
            if step > 0 && next.iter().zip(&vals).any(|(n, v)| *n < v - ROUNDING) {
                break;
            }
            (vals, settled) = (next, next_settled);
        }
        // The allocation still switched after MAX_STEPS, or a switch made
        // the values fall. On a loop of shares near 1 the linear solves
        // round at about 1e-13, and switches that promise no more than
        // that can go on forever: the values then solve the equations to
        // rounding. Otherwise they are those of a policy below the best
        // one.
        match promised <= ROUNDING {
            true => (vals, settled),
            false => (vals, Settled::No),
        }
    }

    /// The k-th iterate of the equations from 0: only paths of at most k
    /// edges count (`--max-depth`). Stops early once an iterate repeats.
    ///
    /// # Complexity
    /// O(k · (V + E)).
    pub fn iterates(&self, k: u32, bound: Bound) -> Vec<f64> {
        let n = self.net.n;
        let mut prev = vec![0.0f64; n];
        let mut next = vec![0.0f64; n];
        let mut scratch = Scratch::default();
        for _ in 0..k {
            for (v, next) in next.iter_mut().enumerate() {
                *next = self.value_at(v, bound, &|u| prev[u], &mut scratch);
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
        (0..self.net.n).map(|v| self.direct_at(v)).collect()
    }

    /// d(v) of one entity.
    pub fn direct_at(&self, v: usize) -> f64 {
        let net = self.net;
        add(net
            .sales(v as u32)
            .filter(|&e| self.restricted[net.buyer[e] as usize] && !self.licensed[e])
            .map(|e| net.lo[e]))
    }
}
