//! A changed evaluation from one already made (the base): only the
//! entities upstream of what changed are solved again, everything else is
//! the base's. What-if scenarios and the dates of a timeline go this way.
//!
//! x(v), X(v), d(v) and reach(v) depend on v's own edges, on which of its
//! buyers are in R (R+) and on the values of the others, transitively: on
//! nothing upstream. A change therefore touches the *seeds* — the sellers
//! of an edge whose shares, presence or licence changed, and the sellers
//! into an entity that joined or left R (R+) — and everything upstream of
//! them; every other entity keeps its equation and everything it depends
//! on, so its least solution is the base's. The components of the upstream
//! set are components of the changed graph (an entity that reaches one of
//! them is upstream too); they are solved sinks first, from 0 as in a full
//! evaluation, with the values outside taken from the base.
//!
//! **Warm starts.** When a change only raises a bound's equations —
//! entities join R (R+) and none leaves, no licence or edge changes, no
//! licensed edge leads into a newcomer — the new operator F' is at least
//! the base's F everywhere, so the base's least solution y satisfies
//! y = F(y) <= F'(y), and y <= lfp(F') (lfp(F') is a fixed point of
//! F' >= F, hence a pre-fixed point of F, and lfp(F) is below every one).
//! The sweeps of a large component may then start from y: they rise from
//! a point below the least fixed point exactly as from 0 (`fixpoint.rs`).
//! After any other change a start from y could settle on a larger fixed
//! point (a loop of unknown shares holds one at every level): components
//! start from 0, except the base's largest component of X (a chain's:
//! the largest over every edge), which is swept from y and kept only
//! where `above.rs` proves the result within 1e-11 of the least solution
//! (else solved from 0).
//!
//! **A chain's components.** A timeline's dates differ only in R (R+),
//! and each follows a subset of every edge: the components over every
//! edge, found once, hold whole components of every date, in an order
//! valid for each, and solving one whole gives its members' least
//! solution however they group (only the rounding moves). A chain so
//! searches upstream over every edge (the set solved then holds whole
//! ones), and finds the largest one's upstream once
//! (`Incremental::every_edge`).
//!
//! **Removed sales.** A sale that is gone seeds no bound when
//! [`Incremental::unused`] proves x, d and X unchanged without it (its
//! lower bound was 0 and the base's worst case gave it nothing;
//! `unused.rs`), and no reach when its seller gets to its buyer another
//! way.
//!
//! **Changed copies.** A scenario that adds records is evaluated on a
//! changed copy of the graph ([`Incremental::evaluate_copy`]), whose
//! sales are compared with the base's seller by seller: the ones that
//! differ are touched as if laid over the base's graph when the copy
//! keeps every sale in place, else their sellers (and the entities the
//! copy added) seed a search over the copy's own edges.
//!
//! **Invariant:** the result equals [`super::evaluate`] of the changed
//! graph to rounding; the base is not changed.

use super::above::FromAbove;
use super::equations::{Bound, Equations, Scratch};
use super::exposure::Copied;
use super::reach;
use super::restricted::Restricted;
use super::scc::Sccs;
use super::solve::DENSE_MAX;
use super::sweep::Compact;
use super::unused;
use super::{Options, Outcome};
use crate::graph::{Incoming, Net};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// What a changed evaluation solves again.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// Every number of the changed graph: x, X, d, R and reach.
    Everything,
    /// x, X and d of the entities marked in the slice, which must be
    /// closed downstream (every buyer of a marked entity marked: their
    /// numbers depend on nothing else), and R; the other entities' x, X
    /// and d, and everyone's reach, are left as the base's. For a caller
    /// that reads only those: a timeline's chart.
    Within(&'a [bool]),
}

/// A supplies edge the changed graph has otherwise than the base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Touched {
    pub edge: usize,
    /// Its lower bound changed (or it is gone): x and d may change.
    pub lower: bool,
    /// It is gone: reach may change.
    pub removed: bool,
    /// It is new (a changed copy's sale the base's graph lacks): reach
    /// may change.
    pub added: bool,
    /// Its buyer in the base (a gone edge is laid as a loop to its
    /// seller).
    pub buyer: u32,
    /// It is gone, and [`Incremental::unused`] proved that x, d and X
    /// are the base's without it: it seeds no bound (reach may still
    /// change).
    pub unused: bool,
}

/// The base's components over one R (R+), and that R (R+); shared by
/// both bounds when they are over the same one.
type Found = Arc<(Vec<bool>, Sccs)>;

/// What every changed evaluation of one base needs: who sells to whom,
/// backwards, and the edges the base counted as licensed.
#[derive(Clone, Debug)]
pub struct Incremental {
    callers: Incoming,
    licensed: Vec<bool>,
    /// The edges licensed in the base, as a list.
    licensed_list: Vec<usize>,
    /// The components of the whole graph over the edges into entities
    /// not in R (R+), with that R (R+), found on first need (one set for
    /// both bounds when R+ = R): a change that leaves R (R+) and every
    /// edge's ends as they were has the same ones.
    base_sccs: [OnceLock<Found>; 2],
    /// For each bound, the entities upstream of the largest of
    /// `base_sccs`' components (when it has two members or more), found on
    /// first need: a search that reaches one of its members has all of
    /// them upstream ([`Incremental::upstream`]).
    giant_upstream: [OnceLock<Option<GiantUpstream>>; 2],
    /// For each component of X's equations in `base_sccs`, whether a sale
    /// the base's worst case leaves unused can go without changing X
    /// (`unused.rs`), found on first need.
    base_proofs: OnceLock<Vec<bool>>,
    /// The copy of X's equations (`sweep.rs`) of the largest of
    /// `base_sccs`' components of X, as the base has them, made on the
    /// base's graph ([`Incremental::prepare`], before a change lays edits
    /// over it, or by the first change that sweeps the component without
    /// any): each change makes its own from it, the rows that changed
    /// made again ([`Incremental::copy_of_giant`]).
    base_copy: OnceLock<BaseCopy>,
    /// For a chain, the components over every supplies edge, into R
    /// (R+) too, and the largest of them (two members or more), found on
    /// first need: they hold the components of every date
    /// ([`Incremental::every_edge`]).
    every_edge: OnceLock<(Sccs, Option<usize>)>,
    /// For a chain, the upstream over every edge of the largest of
    /// `every_edge`'s components, within the entities a scope holds (the
    /// scope, then the upstream), found on first need.
    every_giant: OnceLock<Option<(Option<Vec<bool>>, GiantUpstream)>>,
    /// How many copies [`Incremental::copy_of_giant`] made from the
    /// base's (tests check that they take that way).
    #[cfg(test)]
    pub(crate) copies: Arc<std::sync::atomic::AtomicUsize>,
    /// How many copies laid alike were told which sellers differ (tests
    /// check each against a comparison of every seller).
    #[cfg(test)]
    pub(crate) told: Arc<std::sync::atomic::AtomicUsize>,
    /// Components above this size are swept (`solve::DENSE_MAX`; tests
    /// lower it to check the sweeps).
    pub(crate) dense_max: usize,
    /// What is found once and kept for the evaluations after.
    keeps: Keeps,
}

/// What an [`Incremental`] finds once and keeps for the evaluations after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Keeps {
    /// Every evaluation is against one base (what-if scenarios): the
    /// base's components, found once, serve them all, and so do the
    /// upstream of the largest and its copy of X's equations.
    Base,
    /// A timeline's chain, which moves its base from date to date and
    /// finds each date's components anew (a key that two chains could set
    /// in either order would make the rounding of a date depend on which
    /// came first): the components over every edge, which hold every
    /// date's.
    Chain,
    /// Nothing: one evaluation of a changed copy of the base's graph
    /// ([`Incremental::evaluate_copy`]), whose components found whole
    /// would cost what a full evaluation's search does.
    Nothing,
}

/// What a changed graph has otherwise than the base's, besides R (R+)
/// and licences.
#[derive(Clone, Copy, Debug, Default)]
struct Differs<'a> {
    /// Edges laid over the base's graph.
    touched: &'a [Touched],
    /// In a changed copy of the graph, the sellers whose sales differ
    /// and the entities the copy added: seeds of every bound and reach.
    sellers: &'a [u32],
}

impl Incremental {
    /// For evaluations of `net` against a base evaluated under `opts`
    /// (without `max_depth`).
    ///
    /// # Complexity
    /// O(V + E) time; 4 bytes per entity and 9 per edge.
    pub fn new(net: &Net, opts: &Options) -> Incremental {
        Incremental {
            callers: Incoming::of(net, |_| true),
            licensed: opts.licensed_edges(net),
            licensed_list: opts.licensed.clone(),
            ..Incremental::bare(DENSE_MAX)
        }
    }

    /// An `Incremental` of no graph, `dense_max` given, that keeps what
    /// it finds for every evaluation against one base.
    fn bare(dense_max: usize) -> Incremental {
        Incremental {
            callers: Incoming::default(),
            licensed: Vec::new(),
            licensed_list: Vec::new(),
            base_sccs: Default::default(),
            giant_upstream: Default::default(),
            base_proofs: OnceLock::new(),
            base_copy: OnceLock::new(),
            every_edge: OnceLock::new(),
            every_giant: OnceLock::new(),
            #[cfg(test)]
            copies: Default::default(),
            #[cfg(test)]
            told: Default::default(),
            dense_max,
            keeps: Keeps::Base,
        }
    }

    /// [`Incremental::new`] for a chain of evaluations, each against the
    /// one before it (a timeline): the base's components are never kept.
    ///
    /// # Complexity
    /// As [`Incremental::new`].
    pub fn chained(net: &Net, opts: &Options) -> Incremental {
        Incremental {
            keeps: Keeps::Chain,
            ..Incremental::new(net, opts)
        }
    }

    /// [`super::evaluate`] of `net` under `opts`, where `net` differs from the
    /// base's graph only in the `touched` edges (shares, or gone: a gone
    /// edge must lead back to its seller with bounds 0 and be licensed in
    /// `opts`), and `base` is the base's outcome. Falls back to a full
    /// evaluation with `max_depth` (its iterates are not per component)
    /// and when the base has unsettled components (their count is not
    /// per entity).
    ///
    /// # Complexity
    /// O(V + E) to find what changed, plus solving the components
    /// upstream of it and reach over them and their downstream.
    pub fn evaluate(
        &self,
        net: &Net,
        base: &Outcome,
        opts: &Options,
        touched: &[Touched],
    ) -> Outcome {
        let differs = Differs {
            touched,
            sellers: &[],
        };
        self.evaluate_kept(net, base, opts, differs, Scope::Everything, None)
    }

    /// [`super::evaluate`] of `copy`, a changed copy of the base's graph
    /// `loaded` (a scenario's records changed, added or removed on a copy
    /// of the model: its entities are the loaded graph's, in their order,
    /// then the ones it added), under `opts`.
    ///
    /// When the copy only changes and adds records, its sales kept in
    /// place (`laid_alike`), it is evaluated as a change
    /// laid over the base's graph, the sales that differ and the new ones
    /// touched, with what the base keeps. Otherwise the seeds are the
    /// sellers whose sales differ in any way (buyers, bounds, segments)
    /// and the entities the copy added, and as ever the sellers into
    /// entities that joined or left R (R+) and of edges licensed
    /// otherwise; the rest is [`Incremental::evaluate`]'s, over the
    /// copy's edges, with nothing of the base's graph kept (its
    /// components, the upstream of the largest and the copy of its
    /// equations are the loaded graph's), and every component solved
    /// from 0: an added sale can lower X.
    ///
    /// # Complexity
    /// O(V + E) to compare the graphs (and, otherwise than laid alike,
    /// to index the copy's edges backwards), plus solving the components
    /// upstream of the seeds and reach over them and their downstream.
    pub fn evaluate_copy(
        &self,
        loaded: &Net,
        copy: &Net,
        base: &Outcome,
        opts: &Options,
    ) -> Outcome {
        self.evaluate_copy_of(loaded, (copy, None), base, opts)
    }

    /// [`Incremental::evaluate_copy`], told which of the loaded graph's
    /// sellers the copy may sell otherwise (`changed`, ascending; every
    /// other sells as in `loaded`, as a net spliced from it by
    /// [`Net::extended`] does): only theirs are compared.
    ///
    /// # Complexity
    /// As [`Incremental::evaluate_copy`], the comparison O(V + their
    /// sales) with `changed`.
    pub fn evaluate_copy_of(
        &self,
        loaded: &Net,
        (copy, changed): (&Net, Option<&[u32]>),
        base: &Outcome,
        opts: &Options,
    ) -> Outcome {
        if let Some(touched) = self.laid_alike(loaded, copy, changed) {
            // The base's components and copy of the core, found on the
            // base's graph.
            self.prepare(loaded, base);
            let differs = Differs {
                touched: &touched,
                sellers: &[],
            };
            return self.evaluate_kept(copy, base, opts, differs, Scope::Everything, None);
        }
        // The edges the base licensed, as the copy numbers them (one the
        // copy removed has its seller among the seeds).
        let licensed_list: Vec<usize> = self
            .licensed_list
            .iter()
            .filter_map(|&e| copy.edge(loaded.seller_of(e), loaded.buyer[e]))
            .collect();
        let mut licensed = vec![false; copy.edge_count()];
        for &e in &licensed_list {
            licensed[e] = true;
        }
        let once = Incremental {
            callers: Incoming::of(copy, |_| true),
            licensed,
            licensed_list,
            keeps: Keeps::Nothing,
            ..Incremental::bare(self.dense_max)
        };
        let sellers = differing_sellers(loaded, copy);
        let differs = Differs {
            touched: &[],
            sellers: &sellers,
        };
        once.evaluate_kept(copy, base, opts, differs, Scope::Everything, None)
    }

    /// The sales a changed copy of the base's graph `loaded` has
    /// otherwise, as edges touched over the base's (`Touched`), when the
    /// base's components, the upstream of the largest and its copy of
    /// X's equations can serve it: the copy has every sale of the base's
    /// graph, at the same place in its seller's run (its bounds and
    /// segment may differ), and new sales only after them (every sale of
    /// an entity it added is new); and the base licensed none. `None`
    /// otherwise. The base's components then serve each set that holds
    /// no new entity and no buyer of a new sale against the order of the
    /// base's components ([`Incremental::base_serves`]).
    ///
    /// An edge the copy numbers otherwise is read only through the copy:
    /// its seller's sales, the upstream search (back along the base's
    /// edges: a new sale's seller is a seed, so whoever reaches it is
    /// found from it), and the rows made again from the copy.
    ///
    /// # Complexity
    /// O(V + E).
    fn laid_alike(
        &self,
        loaded: &Net,
        copy: &Net,
        changed: Option<&[u32]>,
    ) -> Option<Vec<Touched>> {
        if self.keeps != Keeps::Base || loaded.n > copy.n || !self.licensed_list.is_empty() {
            return None;
        }
        // Told which sellers may differ, only theirs and the new
        // entities' are compared (in the same order as all would be).
        let sellers: Box<dyn Iterator<Item = u32>> = match changed {
            Some(changed) => Box::new(
                changed
                    .iter()
                    .copied()
                    .chain(loaded.n as u32..copy.n as u32),
            ),
            None => Box::new(0..copy.n as u32),
        };
        let mut touched = Vec::new();
        for v in sellers {
            let (was, now) = match (v as usize) < loaded.n {
                true => (loaded.sales(v), copy.sales(v)),
                false => (0..0, copy.sales(v)),
            };
            if now.len() < was.len() {
                return None;
            }
            let kept = now.start..now.start + was.len();
            for (e, f) in was.zip(kept.clone()) {
                if loaded.buyer[e] != copy.buyer[f] {
                    return None;
                }
                if sale(loaded, v, e) != sale(copy, v, f) {
                    touched.push(Touched {
                        edge: f,
                        lower: loaded.lo[e].to_bits() != copy.lo[f].to_bits(),
                        removed: false,
                        added: false,
                        buyer: copy.buyer[f],
                        unused: false,
                    });
                }
            }
            for f in kept.end..now.end {
                touched.push(Touched {
                    edge: f,
                    lower: copy.lo[f] > 0.0,
                    removed: false,
                    added: true,
                    buyer: copy.buyer[f],
                    unused: false,
                });
            }
        }
        // The sellers told are all that differ (tests compare every one).
        #[cfg(test)]
        if changed.is_some() {
            let all = self.laid_alike(loaded, copy, None);
            assert_eq!(all.as_deref(), Some(&touched[..]), "sellers {changed:?}");
            self.told.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Some(touched)
    }

    /// [`Incremental::evaluate`] of what `scope` asks for, for a date of
    /// a chain, against the one before it: the largest component over
    /// every edge is swept from that date's values when it is solved
    /// again, with what `keep` holds for the chain (`above.rs`; one per
    /// chain, so that a date's numbers depend only on the dates before it
    /// in its chain).
    ///
    /// # Complexity
    /// As [`Incremental::evaluate`].
    pub(crate) fn evaluate_in_chain(
        &self,
        net: &Net,
        base: &Outcome,
        opts: &Options,
        scope: Scope<'_>,
        keep: &FromAbove,
    ) -> Outcome {
        self.evaluate_kept(net, base, opts, Differs::default(), scope, Some(keep))
    }

    /// [`Incremental::evaluate`] of what `scope` asks for, of a graph
    /// that `differs` from the base's, a chain's `keep` given. `base` may
    /// end before `net`'s entities (a changed copy's new ones, which are
    /// seeds): they read as out of R (R+), every number 0.
    fn evaluate_kept(
        &self,
        net: &Net,
        base: &Outcome,
        opts: &Options,
        differs: Differs<'_>,
        scope: Scope<'_>,
        keep: Option<&FromAbove>,
    ) -> Outcome {
        let touched = differs.touched;
        let (with_reach, needed) = match scope {
            Scope::Everything => (true, None),
            Scope::Within(needed) => (false, Some(needed)),
        };
        if opts.settings.max_depth.is_some() || !base.warnings.is_empty() {
            return super::evaluate_with(net, opts, self.dense_max);
        }
        let n = net.n;
        let restricted = Restricted::of(net, opts);
        let licensed = opts.licensed_edges(net);
        let before = &base.restricted;
        // The base's R (R+), over the changed graph's entities: one a
        // changed copy added is in neither.
        let (was_r, was_r_plus) = (padded(&before.in_r, n), padded(&before.in_r_plus, n));
        let (in_r, in_r_plus) = (&restricted.in_r, &restricted.in_r_plus);

        // The seeds of each bound, and whether the change only raised the
        // bound's equations (see `warm` below).
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
                    && !reaches_otherwise(net, &self.callers, in_r, &licensed, t.edge, t.buyer);
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
                .all(|&e| reaches_otherwise(net, &self.callers, in_r, &licensed, e, net.buyer[e]))
        {
            reach.fill(false);
        }

        // The base's numbers, and 0 for an entity a changed copy added
        // (it is a seed).
        let mut direct = padded(&base.direct, n).into_owned();
        let eq_lower = Equations {
            net,
            restricted: in_r,
            licensed: &licensed,
            dense_max: self.dense_max,
        };
        let eq_upper = Equations {
            restricted: in_r_plus,
            ..eq_lower
        };
        for (v, d) in direct.iter_mut().enumerate() {
            if lower[v] {
                *d = eq_lower.direct_at(v);
            }
        }
        // A chain's date differs from the one beside it only in R (R+):
        // it solves over the components of every edge, which hold
        // whole components of both, and so searches upstream over every
        // edge too, so that what it solves holds whole ones of those.
        let every =
            (self.keeps == Keeps::Chain && touched.is_empty()).then(|| self.every_edge(net));
        let none = match every {
            Some(_) => vec![false; n],
            None => Vec::new(),
        };
        let (stop_lower, stop_upper) = match every {
            Some(_) => (&none[..], &none[..]),
            None => (&in_r[..], &in_r_plus[..]),
        };
        // The same seeds and stops give the same upstream: each search
        // (tens of milliseconds at the core of a large graph) is made once.
        let upper_is_lower = (every.is_some() || in_r == in_r_plus) && upper == lower;
        let reach_is_lower = reach == lower;
        let lower = self.upstream(lower, stop_lower, needed, every);
        let upper = match upper_is_lower {
            true => lower.clone(),
            false => self.upstream(upper, stop_upper, needed, every),
        };
        let reach_seeds = match (with_reach, reach_is_lower) {
            (false, _) => Vec::new(),
            (true, true) => lower.clone(),
            (true, false) => self.upstream(reach, in_r, None, None),
        };

        let mut total = padded(&base.total, n).into_owned();
        let mut upper_values = padded(&base.upper, n).into_owned();
        let mut reach_values = padded(&base.reach, n).into_owned();
        let base_stop = [&before.in_r[..], &before.in_r_plus[..]];
        // Per bound, whether the base's components can serve, and the
        // entities a set must not hold for them to.
        let serve = [
            self.base_serves(net, 0, (in_r, base_stop[0]), &moved[0], touched),
            self.base_serves(net, 1, (in_r_plus, base_stop[1]), &moved[1], touched),
        ];
        // Whether bound `b`'s components of `set` are the base's (with
        // the new sales against their order laid in).
        let holds = |b: usize, set: &[u32]| {
            serve[b]
                .as_ref()
                .is_some_and(|served| served.outside.iter().all(|u| set.binary_search(u).is_err()))
        };
        let stops = [&in_r[..], &in_r_plus[..]];
        let laid: [Option<Sccs>; 2] = [0, 1].map(|b| {
            let against = &serve[b].as_ref()?.against;
            let (first, rest) = against.split_first()?;
            let base = self.base_components(net, b, base_stop[b])?;
            let follow = || followed(net, stops[b]);
            let sccs = base.with_sale(net, follow(), *first);
            Some(
                rest.iter()
                    .fold(sccs, |sccs, &sale| sccs.with_sale(net, follow(), sale)),
            )
        });
        let components = |b: usize, stop: &[bool], set: &[u32]| match (every, &laid[b]) {
            (Some(every), _) => every.within(set, n),
            (None, Some(laid)) if holds(b, set) => laid.within(set, n),
            (None, _) => {
                let base = holds(b, set).then_some(base_stop[b]);
                self.components(net, b, stop, base, set)
            }
        };
        // As in a full evaluation, one set of components serves both
        // bounds when R+ = R (and both have the same entities to solve).
        let one_set = (every.is_some() || in_r == in_r_plus) && lower == upper;
        let shared = one_set.then(|| components(0, in_r, &lower));
        let changed = Changed {
            moved: &moved[1],
            touched,
            relicensed: &relicensed,
            set: &upper,
        };
        // The largest component over every edge, for a chain's date.
        let every_largest = every
            .zip(keep)
            .and_then(|(every, keep)| Some((every.comp(self.every_largest()?), keep)));
        let copier =
            |eq: &Equations<'_>, comp: &[u32], local: &[u32], y: &[f64]| match every_largest {
                Some((giant, keep)) => (giant == comp).then(|| Copied {
                    compact: Compact::of(eq, comp, local, y),
                    above: keep,
                }),
                None => self.copy_of_giant(eq, base, &changed, (comp, local, y)),
            };
        let (lower_unsettled, upper_unsettled) = crate::parallel::both(
            || {
                let sccs = own_or(&shared, || components(0, in_r, &lower));
                let u = eq_lower.solve_into(&*sccs, Bound::Lower, &mut total, lower_rises);
                if with_reach && !reach_seeds.is_empty() {
                    // A seed's set is built from its buyers' sets: solve
                    // reach over the seeds' upstream and all it reaches.
                    let all = downstream(net, &reach_seeds, in_r);
                    let sccs = match holds(0, &all) || reach_seeds != lower {
                        true => components(0, in_r, &all),
                        // x's components, found anew above, are those of
                        // the seeds' upstream: only what lies below it is
                        // searched again (nothing there leads back up).
                        false => {
                            let below = minus(&all, &lower);
                            sccs.after(within(net, &below, followed(net, in_r)))
                        }
                    };
                    reach::reach_into(net, in_r, &licensed, &sccs, &mut reach_values);
                }
                u
            },
            || {
                let sccs = own_or(&shared, || components(1, in_r_plus, &upper));
                let values = &mut upper_values;
                eq_upper.solve_into_with(&*sccs, Bound::Upper, values, upper_rises, Some(&copier))
            },
        );
        let warnings = super::unsettled_warnings(lower_unsettled, upper_unsettled);
        Outcome {
            restricted,
            total,
            direct,
            upper: upper_values,
            reach: reach_values,
            warnings,
        }
    }

    /// The components of `set` (closed upstream or closed downstream)
    /// over the edges into entities not in `stop` (R for `b` = 0, R+ for
    /// 1): with `base`, the base's R (R+), when the base's components
    /// hold for `stop` ([`Incremental::base_serves`]), those of
    /// the base that lie in `set`, in the base's order; else found anew.
    /// With every edge kept and R (R+) as it was, they are the very
    /// components a new search finds, members in the same order; else
    /// the members of one may come in another order, which changes only
    /// the rounding of its sweeps.
    ///
    /// # Complexity
    /// O(V) with the base's components (O(V + E) the first time), else
    /// O(set + its edges).
    fn components(
        &self,
        net: &Net,
        b: usize,
        stop: &[bool],
        base: Option<&[bool]>,
        set: &[u32],
    ) -> Sccs {
        if let Some(base) = base {
            if let Some(sccs) = self.base_components(net, b, base) {
                return sccs.within(set, net.n);
            }
        }
        within(net, set, followed(net, stop))
    }

    /// The base's components of bound `b` over the edges into entities
    /// not in `base` (the base's R or R+), found on first need on `net`,
    /// which must follow the same edges as the base's graph; `None` when
    /// they were found for another R (R+), or for a chain.
    ///
    /// # Complexity
    /// O(V + E) the first time, then O(1).
    fn base_components(&self, net: &Net, b: usize, base: &[bool]) -> Option<&Sccs> {
        if self.keeps != Keeps::Base {
            return None;
        }
        // The other bound's, when they are over the same R (R+).
        let other = self.base_sccs[1 - b].get().filter(|found| found.0 == base);
        let (key, sccs) = &**self.base_sccs[b].get_or_init(|| match other {
            Some(found) => Arc::clone(found),
            None => Arc::new((base.to_vec(), Sccs::of(net, followed(net, base)))),
        });
        (key.as_slice() == base).then_some(sccs)
    }

    /// The components over every supplies edge, found on first need on
    /// `net`, for a chain whose dates differ only in R (R+). A date
    /// follows only the edges into entities not in its R (R+), a subset,
    /// so each of its components lies within one of these, and these come
    /// sinks first as its do. Solving one of these whole, given the values
    /// of all it sells to outside, gives the least solution of its
    /// members' equations, however they group into the date's
    /// components; only the rounding of the sweeps may differ.
    ///
    /// # Complexity
    /// O(V + E) the first time, then O(1).
    fn every_edge(&self, net: &Net) -> &Sccs {
        let (sccs, _) = self.every_edge.get_or_init(|| {
            let sccs = Sccs::of(net, |_| true);
            let c = largest(&sccs);
            (sccs, c)
        });
        sccs
    }

    /// The largest of [`Incremental::every_edge`]'s components, once they
    /// are found.
    fn every_largest(&self) -> Option<usize> {
        self.every_edge.get()?.1
    }

    /// The base's components of bound `b` and the R (R+) they are over,
    /// if found.
    fn found_sccs(&self, b: usize) -> Option<&(Vec<bool>, Sccs)> {
        self.base_sccs[b].get().map(|found| &**found)
    }

    /// Whether the base's components of bound `b` (over the edges into
    /// entities not in `base`, its R or R+) can be the changed graph's
    /// components of a set (closed upstream or closed downstream in the
    /// changed graph), R (R+) being `stop` there (`moved`: the entities
    /// whose R (R+) changed, ascending), once the new sales of a changed
    /// copy that go against their order are laid into them: `None` when
    /// they cannot, else those sales and the entities the set must not
    /// hold. `None` unless the base's components are kept
    /// ([`Keeps::Base`]).
    /// - With R (R+) as it was, when no gone edge splits one
    ///   ([`Incremental::keeps_components`]); any set.
    /// - Else when no edge is gone and each entity whose R (R+) changed
    ///   either joined it and was alone in its component (the edges into
    ///   it, no longer followed, each led from one component to another:
    ///   none loses a member or splits), or left it and the set does not
    ///   hold it (the edges into it, followed now, are not among the
    ///   set's members, whose components are then made of the same edges
    ///   as in the base).
    /// - In either case, a new sale (`Touched::added`) into a component
    ///   listed no later than its seller's, or into `stop`, merges no
    ///   components and keeps the base's order (ARCHITECTURE.md, point
    ///   (9)); one into a component the base lists after its seller's is
    ///   laid into them ([`Sccs::with_sale`]: what it reaches moves
    ///   before its seller, and a loop it closes becomes one component).
    ///   A new entity that sells nothing is a sink, a component alone
    ///   that `Sccs::within` lists first, and a sale into it merges no
    ///   components either. The set must not hold a new entity that
    ///   sells (it is in none of the base's components), nor the buyer of
    ///   one's sale: such a sale leaves the set, whose own edges are then
    ///   the base's, and whatever it reaches keeps the base's numbers.
    ///
    /// # Complexity
    /// O(`moved`), plus O(V + E) if the base's components are not found
    /// yet; with R (R+) as it was, as [`Incremental::keeps_components`].
    fn base_serves(
        &self,
        net: &Net,
        b: usize,
        (stop, base): (&[bool], &[bool]),
        moved: &[u32],
        touched: &[Touched],
    ) -> Option<Served> {
        if self.keeps != Keeps::Base {
            return None;
        }
        // A new sale in the order of the base's components (into one
        // listed before its seller's, or within it), or into `stop` (not
        // followed), changes none of them: along every path of the changed
        // graph the components then come no later, so a loop stays in
        // one, and the base's order still lists every buyer's first.
        let order = self
            .found_sccs(b)
            .filter(|(key, _)| key.as_slice() == base)
            .map(|(_, sccs)| &sccs.comp_of);
        // An entity the copy added that sells nothing is a sink: a
        // component alone, listed first (`Sccs::within`), so a sale into
        // it merges nothing either.
        let known = base.len();
        let new_sink = |u: u32| u as usize >= known && net.sales(u).is_empty();
        let in_order = |t: &Touched| {
            let seller = net.seller_of(t.edge) as usize;
            stop[t.buyer as usize]
                || new_sink(t.buyer)
                || order.is_some_and(|comp_of| {
                    let (s, u) = (comp_of.get(seller), comp_of.get(t.buyer as usize));
                    matches!((s, u), (Some(s), Some(u)) if u <= s)
                })
        };
        // A new sale against that order between entities of the base's
        // graph is laid into the components (`Sccs::with_sale`); one from
        // a new entity that sells keeps its buyer out of the set.
        let mut against = Vec::new();
        let mut outside: Vec<u32> = Vec::new();
        for t in touched.iter().filter(|t| t.added && !in_order(t)) {
            let seller = net.seller_of(t.edge);
            match (seller as usize) < known && (t.buyer as usize) < known {
                true => against.push((seller, t.buyer)),
                false => outside.push(t.buyer),
            }
        }
        outside.extend((known as u32..stop.len() as u32).filter(|&u| !new_sink(u)));
        if moved.is_empty() {
            let keeps = self.keeps_components(net, b, stop, touched);
            return keeps.then_some(Served { outside, against });
        }
        if touched.iter().any(|t| t.removed) {
            return None;
        }
        let sccs = self.base_components(net, b, base)?;
        if moved
            .iter()
            .any(|&u| u as usize >= sccs.comp_of.len() && !new_sink(u))
        {
            return None;
        }
        let alone = |u: u32| match sccs.comp_of.get(u as usize) {
            Some(&c) => sccs.comp(c as usize).len() == 1,
            None => true, // a new sink
        };
        for &u in moved {
            match stop[u as usize] {
                true if !alone(u) => return None,
                true => {}
                false => outside.push(u),
            }
        }
        Some(Served { outside, against })
    }

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
    fn copy_of_giant(
        &self,
        eq: &Equations<'_>,
        base: &Outcome,
        changed: &Changed<'_>,
        (comp, local, y): (&[u32], &[u32], &[f64]),
    ) -> Option<Copied<'_>> {
        let before = &base.restricted.in_r_plus;
        let (key, sccs) = self.found_sccs(1)?;
        let c = largest(sccs)?;
        if key != before || sccs.comp(c) != comp {
            return None;
        }
        let net = eq.net;
        let from = match self.base_copy.get() {
            Some(from) => from,
            // Nothing is laid over the net: it is the base's graph.
            None if changed.touched.is_empty() => self
                .base_copy
                .get_or_init(|| BaseCopy::of(self, net, base, comp, local)),
            None => return None,
        };
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
            if base.upper.get(u as usize).map(|b| b.to_bits()) != Some(y[u as usize].to_bits()) {
                self.callers
                    .sellers_of(u)
                    .iter()
                    .for_each(|&s| mark(s as usize));
            }
        }
        let rows: Vec<u32> = (0..comp.len() as u32)
            .filter(|&j| rows[j as usize])
            .collect();
        let copy = from.copy.with_rows(eq, comp, local, y, &rows);
        #[cfg(test)]
        {
            let fresh = Compact::of(eq, comp, local, y);
            assert_eq!(format!("{copy:?}"), format!("{fresh:?}"), "rows {rows:?}");
            self.copies
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Some(Copied {
            compact: copy,
            above: &from.above,
        })
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
    /// equations of its largest component, if not yet, on `net` while it
    /// is still the base's graph: a change that lays edits over it can
    /// keep them only if they were made before.
    ///
    /// # Complexity
    /// As [`Incremental::find_base_components`] and `BaseCopy::of` (a
    /// copy of the component's equations and the search for t) the first
    /// time, then O(1).
    pub fn prepare(&self, net: &Net, base: &Outcome) {
        self.find_base_components(net, base);
        if self.base_copy.get().is_some() {
            return;
        }
        let Some((key, sccs)) = self.found_sccs(1) else {
            return;
        };
        let Some(c) = largest(sccs).filter(|&c| sccs.comp(c).len() > self.dense_max) else {
            return;
        };
        if *key != base.restricted.in_r_plus {
            return;
        }
        let comp = sccs.comp(c);
        let mut local = vec![u32::MAX; net.n];
        for (i, &v) in comp.iter().enumerate() {
            local[v as usize] = i as u32;
        }
        self.base_copy
            .get_or_init(|| BaseCopy::of(self, net, base, comp, &local));
    }

    /// Finds the base's components, if not found yet, on `net` while it
    /// is still the base's graph: [`Incremental::evaluate`] can keep them
    /// for a change with an edge gone only if they were found before.
    ///
    /// # Complexity
    /// O(V + E) the first time, then O(1).
    pub fn find_base_components(&self, net: &Net, base: &Outcome) {
        if self.keeps != Keeps::Base {
            return;
        }
        let r = &base.restricted;
        let of = |stop: &[bool]| Sccs::of(net, followed(net, stop));
        let lower = self.base_sccs[0].get_or_init(|| Arc::new((r.in_r.clone(), of(&r.in_r))));
        self.base_sccs[1].get_or_init(|| match r.in_r_plus == lower.0 {
            true => Arc::clone(lower),
            false => Arc::new((r.in_r_plus.clone(), of(&r.in_r_plus))),
        });
    }

    /// Whether removing supplies edge `e` of `net` leaves x, d and X as
    /// the base has them: its lower bound is 0, the base's worst case at
    /// its seller gives it nothing, and the seller is alone in its
    /// component of X's equations or in a swept one for which `unused.rs`
    /// proves that such a removal keeps the least solution. Reach may
    /// still change. Ask while `net` is still the base's graph, after
    /// [`Incremental::find_base_components`]; `false` before.
    ///
    /// # Complexity
    /// O(the seller's sales); the first time a swept component is asked
    /// about, the proof of every swept component (O(its members and
    /// sales) per sweep of the bound on how slowly it drains).
    pub fn unused(&self, net: &Net, base: &Outcome, e: usize) -> bool {
        let Some((stop, sccs)) = self.found_sccs(1) else {
            return false;
        };
        if net.lo[e] != 0.0 || *stop != base.restricted.in_r_plus {
            return false;
        }
        let eq = Equations {
            net,
            restricted: stop,
            licensed: &self.licensed,
            dense_max: self.dense_max,
        };
        let seller = net.seller_of(e) as usize;
        let mut scratch = Scratch::default();
        unused::worst_case(&eq, seller, &base.upper, &mut scratch);
        if scratch.out.iter().any(|&(f, t)| f == e && t > 0.0) {
            return false;
        }
        let c = sccs.comp_of[seller] as usize;
        match sccs.comp(c).len() {
            1 => true,
            len if len <= self.dense_max => false,
            _ => {
                let proofs = self.base_proofs.get_or_init(|| {
                    let mut local = vec![u32::MAX; net.n];
                    (0..sccs.len())
                        .map(|c| {
                            let comp = sccs.comp(c);
                            comp.len() > self.dense_max
                                && unused::proven(&eq, &base.upper, comp, &mut local)
                        })
                        .collect()
                });
                proofs[c]
            }
        }
    }

    /// Whether the base's components over the edges into entities not in
    /// `stop` (found already, for this `stop`) are those of `net`, which
    /// differs from the base by `touched` only. A gone edge splits no
    /// component when it was not followed or led from one component to
    /// another, nor when its seller still gets to its buyer inside their
    /// component: every path that took the edge can go that way instead.
    /// `false` when the base's components are not found yet (they must
    /// be found on the base graph: [`Incremental::find_base_components`])
    /// or a search gives up.
    ///
    /// # Complexity
    /// O(gone edges · (`BYPASS_SEARCH` + their edges)).
    fn keeps_components(&self, net: &Net, b: usize, stop: &[bool], touched: &[Touched]) -> bool {
        let mut gone = touched.iter().filter(|t| t.removed).peekable();
        if gone.peek().is_none() {
            return true;
        }
        let Some((key, sccs)) = self.found_sccs(b) else {
            return false;
        };
        if key.as_slice() != stop {
            return false;
        }
        gone.all(|t| {
            let (seller, buyer) = (net.seller_of(t.edge), t.buyer);
            let c = sccs.comp_of[seller as usize];
            stop[buyer as usize]
                || sccs.comp_of[buyer as usize] != c
                || finds_edge(
                    net,
                    &self.callers,
                    (seller, buyer),
                    |_| true,
                    |u| !stop[u as usize] && sccs.comp_of[u as usize] == c,
                )
        })
    }

    /// The entities upstream of the seeds (the seeds included), ascending:
    /// back along each edge whose buyer is not in `stop` (an edge into a
    /// member of `stop` carries 1 or 0, not its buyer's value); only
    /// through entities `within`, if given (closed downstream, and the
    /// seeds in it: what is found is then the part of the whole upstream
    /// in `within`, since every entity between one there and a seed is
    /// below the first).
    ///
    /// Without `within`, and with the base's components over `stop` found,
    /// a search that reaches a member of the largest takes that
    /// component's whole upstream at once (found once per base): every
    /// member has the same upstream, since each reaches all the others.
    /// So does a chain's search over every edge (`every`: the components
    /// over every edge, `stop` empty), within the same entities each time.
    ///
    /// # Complexity
    /// O(V) plus the edges into the entities found (those upstream of the
    /// largest component only once per base, or per chain).
    fn upstream(
        &self,
        seen: Vec<bool>,
        stop: &[bool],
        within: Option<&[bool]>,
        every: Option<&Sccs>,
    ) -> Vec<u32> {
        let giant = match (within, every) {
            (_, Some(every)) => self.every_giant(every, within),
            (None, None) => self.giant_upstream(stop),
            (Some(_), None) => None,
        };
        let seen = self.search_up(seen, stop, within, giant);
        (0..seen.len() as u32)
            .filter(|&v| seen[v as usize])
            .collect()
    }

    /// The base's components over `stop`, the largest of them and its
    /// upstream, when they are found and it has two members or more.
    ///
    /// # Complexity
    /// O(1), or once per base and bound O(V) plus the edges into the
    /// entities found.
    fn giant_upstream(&self, stop: &[bool]) -> Option<Giant<'_>> {
        let b = (0..2).find(|&b| {
            self.found_sccs(b)
                .is_some_and(|(key, _)| key.as_slice() == stop)
        })?;
        let (_, sccs) = self.found_sccs(b)?;
        let found = self.giant_upstream[b].get_or_init(|| {
            let c = largest(sccs)?;
            Some(self.upstream_of(sccs, c, stop, None))
        });
        Some(found.as_ref()?.giant(sccs))
    }

    /// The upstream over every edge of the largest of `every` (a chain's
    /// components over every edge) within `within`, when it has two
    /// members or more, and the first search asked for it within the same
    /// entities.
    ///
    /// # Complexity
    /// O(1), or once per chain O(V) plus the edges into the entities
    /// found; O(V) to compare `within`.
    fn every_giant<'s>(&'s self, every: &'s Sccs, within: Option<&[bool]>) -> Option<Giant<'s>> {
        let found = self.every_giant.get_or_init(|| {
            let c = self.every_largest()?;
            // Within a scope, the component lies inside it or outside.
            if within.is_some_and(|w| !w[every.comp(c)[0] as usize]) {
                return None;
            }
            let none = vec![false; every.comp_of.len()];
            let up = self.upstream_of(every, c, &none, within);
            Some((within.map(<[bool]>::to_vec), up))
        });
        let (key, found) = found.as_ref()?;
        (key.as_deref() == within).then(|| found.giant(every))
    }

    /// The entities upstream of component `c` of `sccs`, its members
    /// included, back along the edges into entities not in `stop`, only
    /// through entities `within`, if given.
    ///
    /// # Complexity
    /// O(V) plus the edges into the entities found.
    fn upstream_of(
        &self,
        sccs: &Sccs,
        c: usize,
        stop: &[bool],
        within: Option<&[bool]>,
    ) -> GiantUpstream {
        let mut seen = vec![false; stop.len()];
        for &v in sccs.comp(c) {
            seen[v as usize] = true;
        }
        GiantUpstream {
            c: c as u32,
            up: self.search_up(seen, stop, within, None),
        }
    }

    /// [`Incremental::upstream`]'s search: marks in `seen` what it finds
    /// from the entities marked. With `giant`, it marks the component's
    /// upstream at once when it reaches a member.
    fn search_up(
        &self,
        mut seen: Vec<bool>,
        stop: &[bool],
        within: Option<&[bool]>,
        mut giant: Option<Giant<'_>>,
    ) -> Vec<bool> {
        // Breadth first, so that the entities to come are known ahead and
        // what each needs is asked for (`prefetch`) before its turn.
        let mut queue: Vec<u32> = (0..seen.len() as u32)
            .filter(|&v| seen[v as usize])
            .collect();
        let mut head = 0;
        while let Some(&w) = queue.get(head) {
            self.callers.prefetch_sellers(&queue, head, &seen);
            head += 1;
            if stop[w as usize] {
                continue;
            }
            if let Some(g) = giant.take_if(|g| g.comp_of.get(w as usize) == Some(&g.c)) {
                // Everything upstream of w, marked; none of it needs a
                // search of its own.
                for (s, &u) in seen.iter_mut().zip(g.up) {
                    *s |= u;
                }
                continue;
            }
            for &s in self.callers.sellers_of(w) {
                if !seen[s as usize] && within.is_none_or(|n| n[s as usize]) {
                    seen[s as usize] = true;
                    queue.push(s);
                }
            }
        }
        seen
    }
}

/// What a change does to the rows of X's equations
/// ([`Incremental::copy_of_giant`]).
struct Changed<'a> {
    /// The entities that joined or left R+.
    moved: &'a [u32],
    touched: &'a [Touched],
    /// The sellers of the edges licensed otherwise than in the base.
    relicensed: &'a [u32],
    /// The entities whose X is solved again.
    set: &'a [u32],
}

/// The base's copy of the equations of its largest component of X.
#[derive(Clone, Debug)]
struct BaseCopy {
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

/// `values` over `n` entities, those past its end the default (false,
/// 0): a base's, for a changed copy that added entities.
fn padded<T: Clone + Default>(values: &[T], n: usize) -> Cow<'_, [T]> {
    match values.len() >= n {
        true => Cow::Borrowed(values),
        false => {
            let mut more = values.to_vec();
            more.resize(n, T::default());
            Cow::Owned(more)
        }
    }
}

/// What an equation reads of sale `e` of seller `v` in `net`: the buyer,
/// the bounds (bit for bit) and the segment (which of the seller's, and
/// its room b(S)).
fn sale(net: &Net, v: u32, e: usize) -> (u32, u64, u64, bool, Option<(usize, u64)>) {
    let segment = net
        .segment(e)
        .map(|s| (s - net.segments_of(v).start, net.seg_room[s].to_bits()));
    let (lo, hi) = (net.lo[e].to_bits(), net.hi[e].to_bits());
    (net.buyer[e], lo, hi, net.exact[e], segment)
}

/// The sellers of `loaded` whose sales `copy` (a changed copy of it,
/// which may have more entities) has otherwise, in any way an equation
/// reads: the buyers, in order, their bounds, and the segments (which of
/// the seller's, and its room b(S)); then the entities `copy` added.
///
/// # Complexity
/// O(V + E).
fn differing_sellers(loaded: &Net, copy: &Net) -> Vec<u32> {
    let differs = |v: u32| {
        let (a, b) = (loaded.sales(v), copy.sales(v));
        a.len() != b.len()
            || a.zip(b)
                .any(|(e, f)| sale(loaded, v, e) != sale(copy, v, f))
    };
    (0..loaded.n as u32)
        .filter(|&v| differs(v))
        .chain(loaded.n as u32..copy.n as u32)
        .collect()
}

/// The largest of `sccs`' components (the first of the largest), when it
/// has two members or more.
fn largest(sccs: &Sccs) -> Option<usize> {
    let c = (0..sccs.len()).max_by_key(|&c| (sccs.comp(c).len(), std::cmp::Reverse(c)))?;
    (sccs.comp(c).len() >= 2).then_some(c)
}

/// The largest of a set of components (the base's over one R (R+), or a
/// chain's over every edge), by number, and the entities upstream of it,
/// its members included.
#[derive(Clone, Debug)]
struct GiantUpstream {
    c: u32,
    up: Vec<bool>,
}

impl GiantUpstream {
    /// This upstream, for a search over the components `sccs` it was
    /// found in.
    fn giant<'s>(&'s self, sccs: &'s Sccs) -> Giant<'s> {
        Giant {
            comp_of: &sccs.comp_of,
            c: self.c,
            up: &self.up,
        }
    }
}

/// The largest of the base's components and its upstream, for
/// [`Incremental::upstream`].
struct Giant<'a> {
    /// The component of each entity.
    comp_of: &'a [u32],
    c: u32,
    /// The entities upstream of the component, its members included.
    up: &'a [bool],
}

/// When the base's components of a bound serve a changed graph
/// ([`Incremental::base_serves`]): the entities a set must not hold, and
/// the new sales against their order to lay into them first
/// ([`Sccs::with_sale`]), as (seller, buyer).
struct Served {
    outside: Vec<u32>,
    against: Vec<(u32, u32)>,
}

/// Whether a bound with `stop` (R or R+) follows edge `e`: its buyer's
/// value counts, not 1 or 0.
fn followed<'a>(net: &'a Net, stop: &'a [bool]) -> impl Fn(usize) -> bool + 'a {
    move |e| !stop[net.buyer[e] as usize]
}

/// The components both bounds share, or a bound's own.
pub(super) fn own_or(shared: &Option<Sccs>, own: impl FnOnce() -> Sccs) -> Cow<'_, Sccs> {
    match shared {
        Some(sccs) => Cow::Borrowed(sccs),
        None => Cow::Owned(own()),
    }
}

/// The most entities a search of [`finds_edge`] looks at from where it
/// starts before it gives up (and what it was to spare is done in full).
const BYPASS_SEARCH: usize = 50_000;

/// The most entities [`finds_edge`] gathers backwards from the edges it
/// looks for before it searches forwards.
const BYPASS_BALL: usize = 5_000;

/// Whether the seller of edge `e` gets to `buyer` (the edge's buyer in the
/// base) without `e`: through entities not in R, to another edge into
/// `buyer`, unlicensed when `buyer` is in R. Then every entity's reach is
/// the same with `e` licensed or gone: a walk that took `e` can go that
/// way instead. `false` when the search gives up.
///
/// # Complexity
/// As [`finds_edge`].
fn reaches_otherwise(
    net: &Net,
    callers: &Incoming,
    in_r: &[bool],
    licensed: &[bool],
    e: usize,
    buyer: u32,
) -> bool {
    let restricted = in_r[buyer as usize];
    finds_edge(
        net,
        callers,
        (net.seller_of(e), buyer),
        |f| f != e && !(restricted && licensed[f]),
        |u| !in_r[u as usize],
    )
}

/// Whether `from` gets to `to` (another entity) by an edge `f` into `to`
/// with `wanted(f)` through entities `inside` accepts (`from` aside), on
/// `net`, whose edges are `callers`' or gone (laid back to their seller,
/// which leads nowhere). `false` when the search gives up.
///
/// Searches both ways, since a path across a large component is short
/// but a search from one end sees thousands of entities before it finds
/// it: first up to [`BYPASS_BALL`] entities backwards from the wanted
/// edges (all of which get to `to`; when there are no more, the answer
/// is known), then forwards from `from` until it meets one of them or
/// has seen [`BYPASS_SEARCH`].
///
/// # Complexity
/// O(`BYPASS_BALL` + `BYPASS_SEARCH` + their edges).
fn finds_edge(
    net: &Net,
    callers: &Incoming,
    (from, to): (u32, u32),
    wanted: impl Fn(usize) -> bool,
    inside: impl Fn(u32) -> bool,
) -> bool {
    // The entities that get to a wanted edge through entities inside,
    // and the sellers of those edges.
    let mut ball = std::collections::HashSet::new();
    let mut queue = Vec::new();
    let sellers_into = |w: u32| {
        let p = callers.of_buyer(w);
        let (sellers, edges) = (&callers.seller[p.clone()], &callers.edge[p]);
        sellers
            .iter()
            .zip(edges)
            .filter(move |&(_, &f)| net.buyer[f as usize] == w)
    };
    for (&s, &f) in sellers_into(to) {
        if wanted(f as usize) {
            if s == from {
                return true;
            }
            if inside(s) && ball.insert(s) {
                queue.push(s);
            }
        }
    }
    let mut head = 0;
    while head < queue.len() && ball.len() < BYPASS_BALL {
        let w = queue[head];
        head += 1;
        for (&s, _) in sellers_into(w) {
            if s == from {
                return true;
            }
            if inside(s) && ball.insert(s) {
                queue.push(s);
            }
        }
    }
    if head == queue.len() {
        // Every entity that gets to a wanted edge is in the ball.
        return false;
    }
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![from];
    seen.insert(from);
    while let Some(w) = stack.pop() {
        for f in net.sales(w) {
            let u = net.buyer[f];
            if u == w {
                // Gone.
                continue;
            }
            if (u == to && wanted(f)) || ball.contains(&u) {
                return true;
            }
            if inside(u) && seen.len() < BYPASS_SEARCH && seen.insert(u) {
                stack.push(u);
            }
        }
    }
    false
}

/// The components of the entities `set` (ascending, closed upstream, or
/// closed downstream) over the followed edges between them.
pub(super) fn within(net: &Net, set: &[u32], follow: impl Fn(usize) -> bool) -> Sccs {
    let mut inside = vec![false; net.n];
    for &v in set {
        inside[v as usize] = true;
    }
    Sccs::from_roots(net, set.iter().copied(), |e| {
        inside[net.buyer[e] as usize] && follow(e)
    })
}

/// The entities of `all` not in `part` (both ascending), ascending.
///
/// # Complexity
/// O(|all| + |part|).
fn minus(all: &[u32], part: &[u32]) -> Vec<u32> {
    let mut rest = Vec::with_capacity(all.len().saturating_sub(part.len()));
    let mut j = 0;
    for &v in all {
        while part.get(j).is_some_and(|&p| p < v) {
            j += 1;
        }
        if part.get(j) != Some(&v) {
            rest.push(v);
        }
    }
    rest
}

/// `set` and every entity it reaches through entities not in R,
/// ascending.
///
/// # Complexity
/// O(V) plus the edges of the entities found.
fn downstream(net: &Net, set: &[u32], in_r: &[bool]) -> Vec<u32> {
    let mut seen = vec![false; net.n];
    for &v in set {
        seen[v as usize] = true;
    }
    let mut stack = set.to_vec();
    while let Some(v) = stack.pop() {
        for e in net.sales(v) {
            let u = net.buyer[e];
            if !in_r[u as usize] && !seen[u as usize] {
                seen[u as usize] = true;
                stack.push(u);
            }
        }
    }
    (0..net.n as u32).filter(|&v| seen[v as usize]).collect()
}

/// An outcome kept as what differs from a base: the entities whose
/// numbers differ (and those the base does not have), with theirs, and
/// the restricted members. What a scenario keeps between its evaluation
/// and its output.
#[derive(Clone, Debug)]
pub struct Delta {
    /// Entities of the outcome.
    n: usize,
    entities: Vec<u32>,
    total: Vec<f64>,
    direct: Vec<f64>,
    upper: Vec<f64>,
    reach: Vec<u32>,
    members: Vec<(u32, super::Via, Vec<super::ListRef>)>,
    list_names: Vec<String>,
    warnings: Vec<String>,
}

impl Delta {
    /// `outcome` against `base` (whose entities come first in it).
    ///
    /// # Complexity
    /// O(V).
    pub fn of(base: &Outcome, outcome: Outcome) -> Delta {
        let same = |v: usize| {
            v < base.total.len()
                && base.total[v].to_bits() == outcome.total[v].to_bits()
                && base.direct[v].to_bits() == outcome.direct[v].to_bits()
                && base.upper[v].to_bits() == outcome.upper[v].to_bits()
                && base.reach[v] == outcome.reach[v]
        };
        let entities: Vec<u32> = (0..outcome.total.len())
            .filter(|&v| !same(v))
            .map(|v| v as u32)
            .collect();
        let pick = |values: &[f64]| entities.iter().map(|&v| values[v as usize]).collect();
        Delta {
            n: outcome.total.len(),
            total: pick(&outcome.total),
            direct: pick(&outcome.direct),
            upper: pick(&outcome.upper),
            reach: entities
                .iter()
                .map(|&v| outcome.reach[v as usize])
                .collect(),
            entities,
            members: outcome.restricted.members,
            list_names: outcome.restricted.list_names,
            warnings: outcome.warnings,
        }
    }

    /// The outcome again, from the same base.
    ///
    /// # Complexity
    /// O(V).
    pub fn outcome(&self, base: &Outcome) -> Outcome {
        let n = self.n;
        let grown = |values: &[f64]| {
            let mut v = values.to_vec();
            v.resize(n, 0.0);
            v
        };
        let (mut total, mut direct, mut upper) =
            (grown(&base.total), grown(&base.direct), grown(&base.upper));
        let mut reach = base.reach.clone();
        reach.resize(n, 0);
        for (i, &v) in self.entities.iter().enumerate() {
            let v = v as usize;
            total[v] = self.total[i];
            direct[v] = self.direct[i];
            upper[v] = self.upper[i];
            reach[v] = self.reach[i];
        }
        let (mut in_r, mut in_r_plus) = (vec![false; n], vec![false; n]);
        for &(v, via, _) in &self.members {
            in_r_plus[v as usize] = true;
            in_r[v as usize] = via != super::Via::PossibleAffiliate;
        }
        Outcome {
            restricted: Restricted {
                in_r,
                in_r_plus,
                members: self.members.clone(),
                list_names: self.list_names.clone(),
            },
            total,
            direct,
            upper,
            reach,
            warnings: self.warnings.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{finds_edge, minus, Incremental, BYPASS_SEARCH};
    use crate::analysis::restricted::WhatIfListing;
    use crate::analysis::tests::graph;
    use crate::analysis::{evaluate, Options};
    use crate::graph::{Incoming, Net};

    /// What [`finds_edge`] answers, by a plain search with no limit.
    fn truly_finds(
        net: &Net,
        (from, to): (u32, u32),
        wanted: impl Fn(usize) -> bool,
        inside: impl Fn(u32) -> bool,
    ) -> bool {
        let mut seen = vec![false; net.n];
        let mut stack = vec![from];
        seen[from as usize] = true;
        while let Some(w) = stack.pop() {
            for f in net.sales(w).filter(|&f| net.buyer[f] != w) {
                let u = net.buyer[f];
                if u == to && wanted(f) {
                    return true;
                }
                if inside(u) && !seen[u as usize] {
                    seen[u as usize] = true;
                    stack.push(u);
                }
            }
        }
        false
    }

    #[test]
    fn a_chain_keeps_no_components_of_a_base_and_one_base_keeps_them() {
        // d joins R: it was alone in its component, so what-if scenarios
        // against one base solve a, b, c over the base's components.
        let model = graph(
            "a b c d",
            &["a>b 0.5", "b>a 0.2", "b>c ?", "c>a 0.1", "a>d 0.3"],
            &[],
        );
        let net = Net::build(&model);
        let base_opts = Options::default();
        let base = evaluate(&net, &base_opts);
        let d = model.find("d").expect("in the graph");
        let listed = Options {
            list: vec![WhatIfListing {
                entity: d,
                list: None,
            }],
            ..Options::default()
        };
        let full = evaluate(&net, &listed);
        for (incremental, kept) in [
            (Incremental::new(&net, &base_opts), true),
            (Incremental::chained(&net, &base_opts), false),
        ] {
            let got = incremental.evaluate(&net, &base, &listed, &[]);
            assert_eq!(got.total, full.total);
            assert_eq!(got.upper, full.upper);
            assert_eq!(incremental.base_sccs[0].get().is_some(), kept);
        }
    }

    #[test]
    fn a_copy_with_a_new_sale_finds_the_base_licence_where_the_copy_numbers_it() {
        // The base licenses b > r; the copy adds a sale of a's, which
        // comes before b's sales, and lifts the licence: b must be
        // solved again, though its own sales are as they were.
        let loaded = graph("a b c r", &["a>r 0.3", "b>r 0.4", "c>a 0.5"], &["r"]);
        let copy = graph(
            "a b c r",
            &["a>r 0.3", "b>r 0.4", "c>a 0.5", "a>c 0.2"],
            &["r"],
        );
        let (net, changed) = (Net::build(&loaded), Net::build(&copy));
        let id = |i: &str| loaded.find(i).expect("in the graph");
        let base_opts = Options {
            licensed: net.edge(id("b"), id("r")).into_iter().collect(),
            ..Options::default()
        };
        let base = evaluate(&net, &base_opts);
        assert_eq!(base.total[id("b") as usize], 0.0);
        let incremental = Incremental::new(&net, &base_opts);
        let got = incremental.evaluate_copy(&net, &changed, &base, &Options::default());
        let full = evaluate(&changed, &Options::default());
        assert_eq!(got.total[id("b") as usize], 0.4);
        assert_eq!(got.total, full.total);
        assert_eq!(got.upper, full.upper);
        assert_eq!(got.reach, full.reach);
    }

    #[test]
    fn a_new_entity_that_sells_nothing_keeps_the_base_components() {
        // e, new, is bought from and sells nothing: a sink, alone, so the
        // base's components serve a set that holds it. f, new, sells:
        // it is in none of the base's components, so a set that holds it
        // has its components found anew (here f must be solved after a,
        // whose new sale into r raises it).
        let edges = ["a>b 0.5", "b>a 0.3", "b>r 0.5"];
        let net = Net::build(&graph("a b r", &edges, &["r"]));
        let base = evaluate(&net, &Options::default());
        let incremental = Incremental::new(&net, &Options::default());
        incremental.prepare(&net, &base);
        for (ids, added, listed, sink) in [
            ("a b r e", &["a>e 0.2"][..], &["r"][..], true),
            ("a b r e", &["a>e 0.2"], &["r", "e"], true),
            ("a b r f", &["f>a 0.2", "a>r 0.3"], &["r"], false),
            ("a b r f", &["a>f 0.2", "f>b 0.3"], &["r"], false),
        ] {
            let more: Vec<&str> = edges.iter().chain(added).copied().collect();
            let copy = Net::build(&graph(ids, &more, listed));
            let full = evaluate(&copy, &Options::default());
            let touched = incremental
                .laid_alike(&net, &copy, None)
                .expect("laid alike");
            let in_r = &full.restricted.in_r;
            let moved: Vec<u32> = (3..4).filter(|&u| in_r[u as usize]).collect();
            let outside = incremental
                .base_serves(&copy, 0, (in_r, &base.restricted.in_r), &moved, &touched)
                .expect("no edge gone");
            assert_eq!(!outside.outside.contains(&3), sink, "{added:?} {listed:?}");
            let set: Vec<u32> = (0..4).collect();
            if sink {
                let sccs = incremental
                    .base_components(&net, 0, &base.restricted.in_r)
                    .expect("found")
                    .within(&set, 4);
                assert_eq!(sccs.comp(0), &[3], "the sink first");
                assert_eq!(sccs.len(), 3, "e, r and the loop of a and b");
            }
            let got = incremental.evaluate_copy(&net, &copy, &base, &Options::default());
            assert_eq!(got.total, full.total, "{added:?} {listed:?}");
            assert_eq!(got.upper, full.upper, "{added:?} {listed:?}");
            assert_eq!(got.reach, full.reach, "{added:?} {listed:?}");
        }
    }

    #[test]
    fn a_copy_whose_new_sale_closes_a_loop_has_it_laid_into_the_base_components() {
        // c > a closes a > b > c into a loop: the sale goes against the
        // order of the base's components (each alone), so it is laid into
        // them, and a, b and c become one. c > d goes against it too
        // (d's is listed after c's) and closes no loop: d's moves before
        // c's. One in the order of the base's components (a > c: c's is
        // listed before a's) is not laid in. None keeps its buyer out of
        // the set.
        let edges = ["a>b 0.5", "b>c 0.5", "c>r 0.5", "d>r 0.2"];
        let loaded = graph("a b c d r", &edges, &["r"]);
        let net = Net::build(&loaded);
        let base = evaluate(&net, &Options::default());
        let incremental = Incremental::new(&net, &Options::default());
        incremental.prepare(&net, &base);
        let in_r = &base.restricted.in_r;
        for (added, against) in [
            ("c>a 0.4", &[(2, 0)][..]),
            ("c>d 0.4", &[(2, 3)]),
            ("a>c 0.4", &[]),
        ] {
            let more: Vec<&str> = edges.iter().copied().chain([added]).collect();
            let copy = Net::build(&graph("a b c d r", &more, &["r"]));
            let touched = incremental
                .laid_alike(&net, &copy, None)
                .expect("laid alike");
            assert_eq!(touched.len(), 1);
            assert!(touched[0].added && touched[0].lower);
            let served = incremental
                .base_serves(&copy, 0, (in_r, in_r), &[], &touched)
                .expect("no R moved, no edge gone");
            assert!(served.outside.is_empty(), "{added}");
            assert_eq!(served.against, against, "{added}");
            let got = incremental.evaluate_copy(&net, &copy, &base, &Options::default());
            let full = evaluate(&copy, &Options::default());
            for (a, b) in got.total.iter().zip(&full.total) {
                assert!(
                    (a - b).abs() <= 1e-12,
                    "{added}: {:?} vs {:?}",
                    got.total,
                    full.total
                );
            }
            for (a, b) in got.upper.iter().zip(&full.upper) {
                assert!((a - b).abs() <= 1e-12, "{added}: {:?}", got.upper);
            }
            assert_eq!(got.reach, full.reach, "{added}");
        }
        // The loop laid in: a, b and c as one, where c's was (r and d,
        // followed by no edge, stay alone).
        let sccs = incremental
            .base_components(&net, 0, in_r)
            .expect("found")
            .with_sale(
                &Net::build(&graph(
                    "a b c d r",
                    &[&edges[..], &["c>a 0.4"]].concat(),
                    &["r"],
                )),
                |_| true,
                (2, 0),
            );
        let comps: Vec<&[u32]> = (0..sccs.len()).map(|c| sccs.comp(c)).collect();
        assert_eq!(comps, [&[2, 1, 0][..], &[3], &[4]]);
    }

    #[test]
    fn the_search_both_ways_answers_as_a_plain_search_on_random_graphs() {
        for seed in 1..200 {
            let mut next = crate::testing::random(seed);
            let n = 4 + next(20) as usize;
            let ids: Vec<String> = (0..n).map(|i| format!("e{i}")).collect();
            let mut edges = Vec::new();
            for a in 0..n {
                for b in 0..n {
                    if a != b && next(100) < 15 {
                        edges.push(format!("{}>{} ?", ids[a], ids[b]));
                    }
                }
            }
            let edges: Vec<&str> = edges.iter().map(String::as_str).collect();
            let model = graph(&ids.join(" "), &edges, &[]);
            let mut net = Net::build(&model);
            // Built before some edges go, as a what-if's base builds it;
            // a gone edge is laid back to its seller.
            let callers = Incoming::of(&net, |_| true);
            for v in 0..n as u32 {
                for e in net.sales(v) {
                    if next(10) == 0 {
                        net.buyer[e] = v;
                    }
                }
            }
            let wanted: Vec<bool> = (0..net.buyer.len()).map(|_| next(4) != 0).collect();
            let inside: Vec<bool> = (0..n).map(|_| next(5) != 0).collect();
            for _ in 0..5 {
                // Two ends of an edge: never one entity.
                let from = next(n as u64) as u32;
                let ends = (from, (from + 1 + next(n as u64 - 1) as u32) % n as u32);
                let got = finds_edge(&net, &callers, ends, |f| wanted[f], |u| inside[u as usize]);
                let want = truly_finds(&net, ends, |f| wanted[f], |u| inside[u as usize]);
                assert_eq!(got, want, "seed {seed}, ends {ends:?}");
            }
        }
    }

    #[test]
    fn a_short_way_round_behind_a_long_detour_is_found() {
        // s sells to a line longer than the forward search's limit, which
        // a search from s takes first, and to a way of four firms to b.
        let line = BYPASS_SEARCH + 10;
        let mut ids: Vec<String> = ["s", "b", "h", "c1", "c2", "c3"].map(String::from).into();
        ids.extend((0..line).map(|i| format!("t{i}")));
        let mut edges: Vec<String> = ["s>h ?", "h>c1 ?", "c1>c2 ?", "c2>c3 ?", "c3>b ?"]
            .map(String::from)
            .into();
        edges.push("s>t0 ?".into());
        edges.extend((1..line).map(|i| format!("t{}>t{i} ?", i - 1)));
        let edges: Vec<&str> = edges.iter().map(String::as_str).collect();
        let model = graph(&ids.join(" "), &edges, &[]);
        let net = Net::build(&model);
        let callers = Incoming::of(&net, |_| true);
        let ix = |id: &str| model.find(id).expect("in the graph");
        let found = finds_edge(&net, &callers, (ix("s"), ix("b")), |_| true, |_| true);
        assert!(found);
    }

    #[test]
    fn minus_keeps_what_the_part_lacks_in_order() {
        assert_eq!(minus(&[1, 2, 4, 7, 9], &[2, 3, 9]), [1, 4, 7]);
        assert_eq!(minus(&[1, 2], &[]), [1, 2]);
        assert!(minus(&[5], &[5]).is_empty());
    }
}
