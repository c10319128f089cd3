//! The base's copy of X's equations of its largest component
//! (`sweep.rs`), made once, and each change's copy made from it with
//! only the rows the change touches made again, to be swept from the
//! base's values (`above.rs`); for a timeline's chain, whose base moves
//! from date to date, a copy made by a date that solved the component,
//! kept with the rows made again since, and each date's made from it
//! alike. x's equations of its largest component the same way.
//!
//! Owns which rows a change makes again; the copy must equal the one
//! `Compact::of` (`Equations::linear_of`) would make (checked in test
//! builds).

use super::components::{largest, union};
use super::{Incremental, Touched};
use crate::analysis::above::FromAbove;
use crate::analysis::equations::Equations;
use crate::analysis::exposure::{Copied, Linear};
use crate::analysis::sweep::Compact;
use crate::analysis::Outcome;
use crate::graph::Net;
use std::sync::{Arc, Mutex, OnceLock};

impl Incremental {
    /// The copy of X's equations of component `comp` (members' indices
    /// `local`, the values outside `y`) under the change `changed`, made
    /// from the base's copy when `comp` is the largest of the base's
    /// components of X, members in the same order: only the rows that can
    /// differ are made again. `None` for any other component, when the
    /// base's components of X are not found yet, and when the base's copy
    /// is not made yet and the change lays edits over the net (it must be
    /// made on the base's graph).
    ///
    /// A member's row reads its own sales (bounds, segments, licences),
    /// whether each buyer is in R+, and the values of the buyers outside.
    /// A change lays new bounds only over the `touched` edges, so a row
    /// can differ only where a sale is touched or licensed otherwise, or
    /// leads into an entity that joined or left R+, or to one outside
    /// whose value changed. An entity outside the component and not in
    /// the set solved keeps the base's value, and so does every one the
    /// set holds that is not solved yet: each buyer outside is solved
    /// before the component (`solve_into` goes sinks first).
    ///
    /// # Complexity
    /// O(the set solved) and a copy of the base's copy, plus the rows made
    /// again; the first time, as [`BaseCopy::of`].
    pub(super) fn copy_of_giant(
        &self,
        eq: &Equations<'_>,
        base: &Outcome,
        changed: &Changed<'_>,
        (comp, local, y): (&[u32], &[u32], &[f64]),
    ) -> Option<Copied<'_>> {
        if self.base_largest(1, &base.restricted.in_r_plus) != Some(comp) {
            return None;
        }
        let from = made_on_base(&self.base_copy, changed, || {
            BaseCopy::of(self, eq.net, base, comp, local)
        })?;
        let rows = self.rows_to_make(eq.net, &base.upper, changed, (comp, local, y));
        let copy = from.copy.with_rows(eq, comp, local, y, &rows);
        #[cfg(test)]
        self.check_copy(&copy, eq, (comp, local, y));
        Some(Copied {
            compact: copy,
            above: &from.above,
        })
    }

    /// The copy of X's equations of `comp`, the largest component over
    /// every edge, for a date of `chain` (`changed` and `base` the change
    /// from the date before): made from the copy the chain keeps, with
    /// the rows that can differ since that copy's date made again; the
    /// first time, made whole.
    ///
    /// The rows that can differ since the date before are those
    /// [`Incremental::copy_of_giant`] makes again (a chain's date lays no
    /// edits and licenses nothing otherwise; the members and their order
    /// are the same at every date). Between the kept copy's date and the
    /// date before, only the dates that solved the component can have
    /// changed a row (ARCHITECTURE.md, point (10)), and the chain gathers
    /// the rows each of them made again. Once those are more than
    /// `1 / REKEEP` of the members, the chain keeps this date's copy
    /// instead (a clone: its sweeps reorder it), so that a date does not
    /// make again more rows than a clone costs.
    ///
    /// # Complexity
    /// O(the set solved) and a copy of the kept copy, plus the rows made
    /// again (the first time, as [`Compact::of`]); now and then a copy to
    /// keep.
    pub(super) fn copy_in_chain<'c>(
        &self,
        eq: &Equations<'_>,
        base: &Outcome,
        changed: &Changed<'_>,
        chain: &'c Chain,
        (comp, local, y): (&[u32], &[u32], &[f64]),
    ) -> Copied<'c> {
        const REKEEP: usize = 16;
        let mut last = chain.last.lock().unwrap_or_else(|e| e.into_inner());
        let copy = match last.as_mut() {
            Some(kept) => {
                let rows = self.rows_to_make(eq.net, &base.upper, changed, (comp, local, y));
                kept.since = union(&kept.since, &rows);
                let copy = kept.copy.with_rows(eq, comp, local, y, &kept.since);
                #[cfg(test)]
                self.check_copy(&copy, eq, (comp, local, y));
                if kept.since.len() * REKEEP > comp.len() {
                    *kept = Kept::of(&copy);
                }
                copy
            }
            None => {
                let copy = Compact::of(eq, comp, local, y);
                *last = Some(Kept::of(&copy));
                copy
            }
        };
        Copied {
            compact: copy,
            above: &chain.above,
        }
    }

    /// x's equations of component `comp` (members' indices `local`, the
    /// values outside `y`) under the change `changed` (R and x's set),
    /// made from the base's when `comp` is the largest of the base's
    /// components of x, members in the same order, above `dense_max`:
    /// only the rows that can differ are made again, for the reasons
    /// [`Incremental::copy_of_giant`] gives (a row of x reads the lower
    /// bounds of its sales, their licences, whether each buyer is in R,
    /// and the values of the buyers outside). `None` otherwise, as there.
    ///
    /// # Complexity
    /// O(1) for a component of at most `dense_max` members; else O(the
    /// base's components) to find their largest, and for it O(the set
    /// solved) and a copy of the base's equations, plus the rows made
    /// again (the first time, as [`Equations::linear_of`]).
    pub(super) fn linear_of_giant(
        &self,
        eq: &Equations<'_>,
        base: &Outcome,
        changed: &Changed<'_>,
        (comp, local, y): (&[u32], &[u32], &[f64]),
    ) -> Option<Arc<Linear>> {
        // Every component of two members or more asks: the small ones
        // are turned away before the search for the largest.
        let key = &base.restricted.in_r;
        if comp.len() <= self.dense_max || self.base_largest(0, key) != Some(comp) {
            return None;
        }
        let from = made_on_base(&self.base_linear, changed, || {
            self.base_linear_of(eq.net, base, comp, local)
        })?;
        let rows = self.rows_to_make(eq.net, &base.total, changed, (comp, local, y));
        let made = eq.linear_with_rows(from, (comp, local, y), &rows);
        #[cfg(test)]
        self.check_linear(&made, eq, (comp, local, y));
        Some(Arc::new(made))
    }

    /// The members of the largest of the base's components of bound `b`
    /// (two or more), in their order, when those were found over R (R+)
    /// `key`.
    ///
    /// # Complexity
    /// O(V) to compare `key`, and O(the base's components).
    fn base_largest(&self, b: usize, key: &[bool]) -> Option<&[u32]> {
        let (_, sccs) = self.found_sccs(b).filter(|(found, _)| found == key)?;
        largest(sccs).map(|c| sccs.comp(c))
    }

    /// x's equations of component `comp` as the base has them, made on
    /// `net` while it is the base's graph.
    ///
    /// # Complexity
    /// As [`Equations::linear_of`].
    fn base_linear_of(&self, net: &Net, base: &Outcome, comp: &[u32], local: &[u32]) -> Linear {
        let eq = Equations {
            net,
            restricted: &base.restricted.in_r,
            licensed: &self.licensed,
            dense_max: self.dense_max,
        };
        eq.linear_of(comp, local, &base.total, &[])
    }

    /// x's equations of `comp`, the largest component over every edge,
    /// for a date of `chain`: made from those the last date of the chain
    /// that solved x there made, the rows that can differ since the date
    /// before made again (`changed` and `base` the change from the date
    /// before, R and x's set; why no other row differs:
    /// [`Incremental::copy_in_chain`]); the first time, made whole. Kept
    /// for the next: a solve only reads them, so no clone is needed.
    ///
    /// # Complexity
    /// O(the set solved) and a copy of the kept equations, plus the rows
    /// made again (the first time, as [`Equations::linear_of`]).
    pub(super) fn linear_in_chain(
        &self,
        eq: &Equations<'_>,
        base: &Outcome,
        changed: &Changed<'_>,
        chain: &Chain,
        (comp, local, y): (&[u32], &[u32], &[f64]),
    ) -> Arc<Linear> {
        let mut last = chain.lower.lock().unwrap_or_else(|e| e.into_inner());
        let made = match last.take() {
            Some(from) => {
                let rows = self.rows_to_make(eq.net, &base.total, changed, (comp, local, y));
                let made = eq.linear_with_rows(&from, (comp, local, y), &rows);
                #[cfg(test)]
                self.check_linear(&made, eq, (comp, local, y));
                made
            }
            None => eq.linear_of(comp, local, y, &[]),
        };
        let made = Arc::new(made);
        *last = Some(Arc::clone(&made));
        made
    }

    /// The members of `comp` (indices `local`, the values outside now `y`)
    /// whose rows of one bound's equations can differ from those made at
    /// a base whose values of that bound were `before`, under `changed`:
    /// the sellers of touched edges and of edges licensed otherwise, and
    /// the sellers into entities that joined or left R (R+) or whose
    /// value moved. In ascending order.
    ///
    /// # Complexity
    /// O(members) and the callers of those entities.
    fn rows_to_make(
        &self,
        net: &Net,
        before: &[f64],
        changed: &Changed<'_>,
        (comp, local, y): (&[u32], &[u32], &[f64]),
    ) -> Vec<u32> {
        let mut rows = vec![false; comp.len()];
        let mut mark = |v: usize| {
            if local[v] != u32::MAX {
                rows[local[v] as usize] = true;
            }
        };
        for t in changed.touched {
            mark(net.seller_of(t.edge) as usize);
        }
        for &v in changed.relicensed {
            mark(v as usize);
        }
        for &u in changed.moved {
            self.callers
                .sellers_of(u)
                .iter()
                .for_each(|&s| mark(s as usize));
        }
        for &u in changed.set {
            if before.get(u as usize).map(|b| b.to_bits()) != Some(y[u as usize].to_bits()) {
                self.callers
                    .sellers_of(u)
                    .iter()
                    .for_each(|&s| mark(s as usize));
            }
        }
        (0..comp.len() as u32)
            .filter(|&j| rows[j as usize])
            .collect()
    }

    /// Checks, in test builds, that a copy made from another equals the
    /// one [`Compact::of`] makes, and counts it.
    #[cfg(test)]
    fn check_copy(
        &self,
        copy: &Compact,
        eq: &Equations<'_>,
        (comp, local, y): (&[u32], &[u32], &[f64]),
    ) {
        let fresh = Compact::of(eq, comp, local, y);
        assert_eq!(format!("{copy:?}"), format!("{fresh:?}"));
        self.copies
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Checks, in test builds, that x's equations made from others equal
    /// those [`Equations::linear_of`] makes, and counts them.
    #[cfg(test)]
    fn check_linear(
        &self,
        made: &Linear,
        eq: &Equations<'_>,
        (comp, local, y): (&[u32], &[u32], &[f64]),
    ) {
        let fresh = eq.linear_of(comp, local, y, &[]);
        assert_eq!(format!("{made:?}"), format!("{fresh:?}"));
        self.linear_copies
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// How many solves of the base's largest component from above were
    /// proven, and how many were not (`above.rs`).
    #[cfg(test)]
    pub(crate) fn above_tally(&self) -> [usize; 2] {
        self.base_copy.get().map_or([0, 0], |b| {
            b.above
                .tally
                .each_ref()
                .map(|n| n.load(std::sync::atomic::Ordering::Relaxed))
        })
    }

    /// Finds the base's components and makes the base's copy of X's
    /// equations of its largest component, and x's equations of its
    /// own, if not yet, on `net` while it is still the base's graph: a
    /// change that lays edits over it can keep them only if they were
    /// made before.
    ///
    /// # Complexity
    /// As [`Incremental::find_base_components`], `BaseCopy::of` (a copy
    /// of the component's equations and the search for t) and
    /// `Equations::linear_of` the first time, then O(1).
    pub fn prepare(&self, net: &Net, base: &Outcome) {
        self.find_base_components(net, base);
        let keys = [&base.restricted.in_r, &base.restricted.in_r_plus];
        // Bound b's largest component, when above `dense_max`.
        let largest_of = |b: usize| {
            self.base_largest(b, keys[b])
                .filter(|comp| comp.len() > self.dense_max)
        };
        // The members' indices in `comp`.
        let local_of = |comp: &[u32]| {
            let mut local = vec![u32::MAX; net.n];
            for (i, &v) in comp.iter().enumerate() {
                local[v as usize] = i as u32;
            }
            local
        };
        if let (None, Some(comp)) = (self.base_linear.get(), largest_of(0)) {
            self.base_linear
                .get_or_init(|| self.base_linear_of(net, base, comp, &local_of(comp)));
        }
        if let (None, Some(comp)) = (self.base_copy.get(), largest_of(1)) {
            self.base_copy
                .get_or_init(|| BaseCopy::of(self, net, base, comp, &local_of(comp)));
        }
    }
}

/// What `cell` holds, made by `make` first if it is empty and `changed`
/// lays nothing over the net (it is then the base's graph); `None` when
/// it is empty and something is laid.
fn made_on_base<'a, T>(
    cell: &'a OnceLock<T>,
    changed: &Changed<'_>,
    make: impl FnOnce() -> T,
) -> Option<&'a T> {
    match cell.get() {
        Some(made) => Some(made),
        None if changed.touched.is_empty() => Some(cell.get_or_init(make)),
        None => None,
    }
}

/// The copy of X's equations a chain keeps ([`Incremental::copy_in_chain`]).
#[derive(Debug)]
struct Kept {
    /// As a date made it, before its sweeps.
    copy: Compact,
    /// The members whose rows can differ since that date, ascending.
    since: Vec<u32>,
}

impl Kept {
    /// A clone of `copy`, no row differing yet.
    fn of(copy: &Compact) -> Kept {
        Kept {
            copy: copy.clone(),
            since: Vec::new(),
        }
    }
}

/// What a change does to the rows of one bound's equations
/// ([`Incremental::copy_of_giant`], [`Incremental::linear_of_giant`]).
pub(super) struct Changed<'a> {
    /// The entities that joined or left R+ (R, for x).
    pub(super) moved: &'a [u32],
    pub(super) touched: &'a [Touched],
    /// The sellers of the edges licensed otherwise than in the base.
    pub(super) relicensed: &'a [u32],
    /// The entities whose X (x) is solved again.
    pub(super) set: &'a [u32],
}

/// The base's copy of the equations of its largest component of X.
#[derive(Clone, Debug)]
pub(super) struct BaseCopy {
    copy: Compact,
    /// What solving the component from above keeps (`above.rs`).
    above: FromAbove,
}

impl BaseCopy {
    /// The copy of component `comp` (members' indices `local`) as the
    /// base has it, made on `net` while it is the base's graph, and t
    /// for a solve from above at the base's values: both the same
    /// whichever change asks first.
    ///
    /// # Complexity
    /// As [`Compact::of`], plus `above.rs`'s search for t.
    fn of(inc: &Incremental, net: &Net, base: &Outcome, comp: &[u32], local: &[u32]) -> BaseCopy {
        let eq = Equations {
            net,
            restricted: &base.restricted.in_r_plus,
            licensed: &inc.licensed,
            dense_max: inc.dense_max,
        };
        let copy = Compact::of(&eq, comp, local, &base.upper);
        let values: Vec<f64> = comp.iter().map(|&v| base.upper[v as usize]).collect();
        BaseCopy {
            above: FromAbove::at(&copy, &values),
            copy,
        }
    }
}

/// What a timeline's chain keeps from date to date: one per chain, so
/// that a date's numbers depend only on the dates before it in its chain.
#[derive(Debug, Default)]
pub(crate) struct Chain {
    /// What solving the largest component over every edge from above
    /// keeps (`above.rs`).
    pub(crate) above: FromAbove,
    /// A copy of X's equations of that component as a date that solved
    /// it made it, before its sweeps, and the rows that can differ since.
    last: Mutex<Option<Kept>>,
    /// x's equations of that component as the last date that solved x
    /// there made them.
    lower: Mutex<Option<Arc<Linear>>>,
}

impl Chain {
    /// Drops the kept copy and equations: a date solved the component
    /// without them.
    pub(super) fn forget(&self) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = None;
        *self.lower.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Whether a copy of X's equations is kept, and x's.
    #[cfg(test)]
    pub(super) fn holds_copy(&self) -> [bool; 2] {
        [
            self.last
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_some(),
            self.lower
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_some(),
        ]
    }
}
