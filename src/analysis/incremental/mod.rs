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

use super::equations::{Bound, Equations, Scratch};
use super::exposure::{Copier, Linear};
use super::reach;
use super::restricted::Restricted;
use super::scc::Sccs;
use super::solve::DENSE_MAX;
use super::unused;
use super::{Options, Outcome};
use crate::graph::{Incoming, Net};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

mod bypass;
mod components;
mod copy;
mod delta;
mod giant;
mod seeds;
mod upstream;

use components::{followed, minus};
pub(super) use components::{own_or, within};
pub use delta::Delta;
pub(crate) use giant::Chain;
use giant::{BaseCopy, Changed};
use upstream::{downstream, GiantUpstream};

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
    /// x's equations of the largest of `base_sccs`' components of x, as
    /// the base has them, made as `base_copy` is: each change makes its
    /// own from them ([`Incremental::linear_of_giant`]).
    base_linear: OnceLock<Linear>,
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
    /// How many of x's equations were made from the base's or a chain's
    /// kept ones (tests check that they take that way).
    #[cfg(test)]
    pub(crate) linear_copies: Arc<std::sync::atomic::AtomicUsize>,
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
            base_linear: OnceLock::new(),
            every_edge: OnceLock::new(),
            every_giant: OnceLock::new(),
            #[cfg(test)]
            copies: Default::default(),
            #[cfg(test)]
            linear_copies: Default::default(),
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

    /// [`Incremental::evaluate`] of what `scope` asks for, for a date of
    /// a chain, against the one before it: the largest component over
    /// every edge is swept from that date's values when it is solved
    /// again, with what `chain` keeps from date to date (one per chain,
    /// so that a date's numbers depend only on the dates before it in its
    /// chain).
    ///
    /// # Complexity
    /// As [`Incremental::evaluate`].
    pub(crate) fn evaluate_in_chain(
        &self,
        net: &Net,
        base: &Outcome,
        opts: &Options,
        scope: Scope<'_>,
        chain: &Chain,
    ) -> Outcome {
        self.evaluate_kept(net, base, opts, Differs::default(), scope, Some(chain))
    }

    /// [`Incremental::evaluate`] of what `scope` asks for, of a graph
    /// that `differs` from the base's, for a date of `chain` when given.
    /// `base` may end before `net`'s entities (a changed copy's new ones,
    /// which are seeds): they read as out of R (R+), every number 0.
    fn evaluate_kept(
        &self,
        net: &Net,
        base: &Outcome,
        opts: &Options,
        differs: Differs<'_>,
        scope: Scope<'_>,
        chain: Option<&Chain>,
    ) -> Outcome {
        let touched = differs.touched;
        let (with_reach, needed) = match scope {
            Scope::Everything => (true, None),
            Scope::Within(needed) => (false, Some(needed)),
        };
        if opts.settings.max_depth.is_some() || !base.warnings.is_empty() {
            // A full evaluation solves the chain's component without
            // making a copy from the kept one: the next date makes its
            // own whole.
            if let Some(chain) = chain {
                chain.forget();
            }
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
        // bound's equations (the sweeps then start warm, below).
        let seeds = self.seeds(
            net,
            opts,
            differs,
            [(in_r, &was_r), (in_r_plus, &was_r_plus)],
            &licensed,
            needed,
        );

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
            if seeds.lower[v] {
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
        let upper_is_lower = (every.is_some() || in_r == in_r_plus) && seeds.upper == seeds.lower;
        let reach_is_lower = seeds.reach == seeds.lower;
        let lower = self.upstream(seeds.lower, stop_lower, needed, every);
        let lower = self.with_new_sellers(net, lower, touched, (stop_lower, needed, every));
        let upper = match upper_is_lower {
            true => lower.clone(),
            false => self.upstream(seeds.upper, stop_upper, needed, every),
        };
        let reach_seeds = match (with_reach, reach_is_lower) {
            (false, _) => Vec::new(),
            (true, true) => lower.clone(),
            (true, false) => self.upstream(seeds.reach, in_r, None, None),
        };

        let mut total = padded(&base.total, n).into_owned();
        let mut upper_values = padded(&base.upper, n).into_owned();
        let mut reach_values = padded(&base.reach, n).into_owned();
        let base_stop = [&before.in_r[..], &before.in_r_plus[..]];
        // Per bound, whether the base's components can serve, and the
        // entities a set must not hold for them to.
        let serve = [
            self.base_serves(net, 0, (in_r, base_stop[0]), &seeds.moved[0], touched),
            self.base_serves(net, 1, (in_r_plus, base_stop[1]), &seeds.moved[1], touched),
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
        // What the change does to each bound's equations.
        let changed = |b: usize, set| Changed {
            moved: &seeds.moved[b],
            touched,
            relicensed: &seeds.relicensed,
            set,
        };
        let (changed_lower, changed_upper) = (changed(0, &lower), changed(1, &upper));
        // The largest component over every edge, for a chain's date.
        let every_largest = every
            .zip(chain)
            .and_then(|(every, chain)| Some((every.comp(self.every_largest()?), chain)));
        let copy_lower =
            |eq: &Equations<'_>, comp: &[u32], local: &[u32], y: &[f64]| match every_largest {
                Some((giant, chain)) => (giant == comp).then(|| {
                    self.linear_in_chain(eq, base, &changed_lower, chain, (comp, local, y))
                }),
                None => self.linear_of_giant(eq, base, &changed_lower, (comp, local, y)),
            };
        let copy_upper =
            |eq: &Equations<'_>, comp: &[u32], local: &[u32], y: &[f64]| match every_largest {
                Some((giant, chain)) => (giant == comp)
                    .then(|| self.copy_in_chain(eq, base, &changed_upper, chain, (comp, local, y))),
                None => self.copy_of_giant(eq, base, &changed_upper, (comp, local, y)),
            };
        let (lower_unsettled, upper_unsettled) = crate::parallel::both(
            || {
                let sccs = own_or(&shared, || components(0, in_r, &lower));
                let u = eq_lower.solve_into_with(
                    &*sccs,
                    Bound::Lower,
                    &mut total,
                    seeds.lower_rises,
                    Some(Copier::Lower(&copy_lower)),
                );
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
                eq_upper.solve_into_with(
                    &*sccs,
                    Bound::Upper,
                    values,
                    seeds.upper_rises,
                    Some(Copier::Upper(&copy_upper)),
                )
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

#[cfg(test)]
mod tests;
