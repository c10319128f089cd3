//! Exposure of every entity to restricted buyers, exactly as the exposure
//! spec defines it.
//!
//! **Invariant:** pure. No IO, no panics on user data, and the same graph
//! and options give the same numbers bit for bit: every loop runs in entity
//! or edge order, never over a hash map.

pub(crate) mod above;
mod drain;
mod equations;
mod exposure;
mod fixpoint;
pub mod incremental;
mod loops;
pub mod paths;
mod published;
mod reach;
pub mod restricted;
mod scc;
mod solve;
mod sweep;
pub mod timeline;
mod unused;
mod worst;

pub use restricted::{ChainLink, ListRef, Restricted, Via, WhatIfListing, WHAT_IF};
pub use scc::Sccs;
pub use worst::worst_case;

use crate::graph::Net;
use crate::model::{Date, EntityIx};
use crate::parallel::both;
pub use equations::Bound;
use equations::Equations;
use exposure::Unsettled;
use published::Published;

/// What an evaluation is computed under: the date, the lists and the
/// rules. The one type for them everywhere: a scenario file's settings,
/// the command line's, and the header of every output.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// The as-of date D; `None`: listings without an end count.
    pub as_of: Option<Date>,
    /// Only listings on these lists count; `None`: all lists.
    pub lists: Option<Vec<String>>,
    /// The affiliates-rule threshold in percent (0 < t <= 100).
    pub affiliates: Option<f64>,
    /// Only paths of at most this many supplies edges count (>= 1).
    pub max_depth: Option<u32>,
}

impl Settings {
    /// These settings, falling back to `other` for what they leave open.
    pub fn or(&self, other: &Settings) -> Settings {
        Settings {
            as_of: self.as_of.or(other.as_of),
            affiliates: self.affiliates.or(other.affiliates),
            lists: self.lists.clone().or_else(|| other.lists.clone()),
            max_depth: self.max_depth.or(other.max_depth),
        }
    }
}

/// How to evaluate: the settings and the what-ifs. Every value is already
/// checked (ids resolved, threshold in range).
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub settings: Settings,
    /// What-if: no listing of the graph is in effect for these entities.
    pub delist: Vec<EntityIx>,
    /// What-if: these listings are in effect (after `delist`).
    pub list: Vec<WhatIfListing>,
    /// What-if: these supplies edges (indexes into the net) are licensed.
    pub licensed: Vec<usize>,
}

impl Options {
    /// Per supplies edge of `net`: whether it is licensed.
    pub fn licensed_edges(&self, net: &Net) -> Vec<bool> {
        let mut licensed = vec![false; net.edge_count()];
        for &e in &self.licensed {
            licensed[e] = true;
        }
        licensed
    }
}

/// Every number of one evaluation, per entity.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub restricted: Restricted,
    /// Lower exposure x ("total").
    pub total: Vec<f64>,
    /// Direct exposure d.
    pub direct: Vec<f64>,
    /// Upper exposure X.
    pub upper: Vec<f64>,
    pub reach: Vec<u32>,
    /// What the command must tell the reader: cycles whose solve gave up
    /// before it converged, so that their values are too low.
    pub warnings: Vec<String>,
}

impl Outcome {
    /// The order of rows everywhere (CLI spec): total descending, then
    /// upper descending, then id ascending.
    pub fn rank<'a>(
        &self,
        a: EntityIx,
        b: EntityIx,
        id: impl Fn(EntityIx) -> &'a str,
    ) -> std::cmp::Ordering {
        let (i, j) = (a as usize, b as usize);
        self.total[j]
            .total_cmp(&self.total[i])
            .then(self.upper[j].total_cmp(&self.upper[i]))
            .then_with(|| id(a).cmp(id(b)))
    }

    /// Indirect exposure: x - d (never below 0 by rounding).
    pub fn indirect(&self, v: usize) -> f64 {
        (self.total[v] - self.direct[v]).max(0.0)
    }
}

/// Evaluates the graph under `opts`.
///
/// # Complexity
/// O(V + E) plus the cost of the cyclic components (see `Equations::solve`)
/// and O((V + E) · ⌈restricted / 256⌉) for reach.
pub fn evaluate(net: &Net, opts: &Options) -> Outcome {
    evaluate_with(net, opts, solve::DENSE_MAX)
}

/// [`evaluate`], solving components above `dense_max` entities
/// iteratively (tests use it to check both solvers against each other).
pub(crate) fn evaluate_with(net: &Net, opts: &Options, dense_max: usize) -> Outcome {
    let restricted = Restricted::of(net, opts);
    let licensed = opts.licensed_edges(net);
    let lower = Equations {
        net,
        restricted: &restricted.in_r,
        licensed: &licensed,
        dense_max,
    };
    let upper = Equations {
        net,
        restricted: &restricted.in_r_plus,
        licensed: &licensed,
        dense_max,
    };
    // Each bound needs nothing from the other: X is solved on a second
    // thread while x, d and reach, which need no bound, are solved here.
    let (in_r, licensed) = (&restricted.in_r, &licensed);
    // An iterate is what it is: nothing to settle.
    let none = Unsettled::default();
    let ((upper_values, upper_unsettled), ((total, lower_unsettled), direct, reach)) =
        match opts.settings.max_depth {
            Some(k) => both(
                || (upper.iterates(k, Bound::Upper), none),
                || {
                    let total = lower.iterates(k, Bound::Lower);
                    let reach = reach::reach_within(net, in_r, licensed, k);
                    ((total, none), lower.direct(), reach)
                },
            ),
            None => {
                let lower_side = |sccs: &Sccs| {
                    let total = lower.solve(sccs, Bound::Lower);
                    (
                        total,
                        lower.direct(),
                        reach::reach(net, in_r, licensed, sccs),
                    )
                };
                if restricted.in_r_plus == restricted.in_r {
                    // Once the search finds a large component, X takes
                    // each component as it is found; x, d and reach start
                    // when the search has ended.
                    let found = Published::new(net.n);
                    both(
                        || upper.solve(found.components(), Bound::Upper),
                        || lower_side(found.search(net, |e| lower.follows(e))),
                    )
                } else {
                    both(
                        || upper.solve(&Sccs::of(net, |e| upper.follows(e)), Bound::Upper),
                        || lower_side(&Sccs::of(net, |e| lower.follows(e))),
                    )
                }
            }
        };
    let warnings = unsettled_warnings(lower_unsettled, upper_unsettled);
    Outcome {
        restricted,
        total,
        direct,
        upper: upper_values,
        reach,
        warnings,
    }
}

/// [`evaluate`] of what the numbers of `from` depend on, for a command
/// that reads no other (`explain`): R, and x, X and d of `from` and of
/// every entity not in R that they sell to, directly or through others
/// not in R ([`Net::below`], returned beside the outcome). Every other
/// entity's x, X and d are 0, not solved, and so is everyone's reach;
/// warnings are about the components solved. With `max_depth`, a whole
/// [`evaluate`].
///
/// # Complexity
/// As [`evaluate`] over those entities, plus O(V + E) for R and d.
pub fn evaluate_below(net: &Net, opts: &Options, from: &[EntityIx]) -> (Outcome, Vec<bool>) {
    if opts.settings.max_depth.is_some() {
        let outcome = evaluate(net, opts);
        let below = net.below(from.iter(), &outcome.restricted.in_r);
        return (outcome, below);
    }
    let restricted = Restricted::of(net, opts);
    let below = net.below(from.iter(), &restricted.in_r);
    let set: Vec<u32> = (0..net.n as u32).filter(|&v| below[v as usize]).collect();
    let licensed = opts.licensed_edges(net);
    let lower = Equations {
        net,
        restricted: &restricted.in_r,
        licensed: &licensed,
        dense_max: solve::DENSE_MAX,
    };
    let upper = Equations {
        restricted: &restricted.in_r_plus,
        ..lower
    };
    // A set closed downstream holds whole components, and whatever its
    // members' equations read (exposure spec, section 3); as in a full
    // evaluation, one set of components serves both bounds when R+ = R.
    let components = |eq: &Equations| incremental::within(net, &set, |e| eq.follows(e));
    let shared = (restricted.in_r_plus == restricted.in_r).then(|| components(&lower));
    let solved = |eq: &Equations, bound: Bound| {
        let sccs = incremental::own_or(&shared, || components(eq));
        let mut values = vec![0.0; net.n];
        let unsettled = eq.solve_into(&*sccs, bound, &mut values, false);
        (values, unsettled)
    };
    let ((upper, upper_unsettled), (total, lower_unsettled)) = both(
        || solved(&upper, Bound::Upper),
        || solved(&lower, Bound::Lower),
    );
    let outcome = Outcome {
        direct: lower.direct(),
        restricted,
        total,
        upper,
        reach: vec![0; net.n],
        warnings: unsettled_warnings(lower_unsettled, upper_unsettled),
    };
    (outcome, below)
}

/// What the reader is told of the components of x's and X's equations
/// that did not settle: a line for each bound with any.
fn unsettled_warnings(lower: Unsettled, upper: Unsettled) -> Vec<String> {
    [("x", lower), ("X", upper)]
        .into_iter()
        .filter(|(_, u)| u.components > 0)
        .map(|(what, u)| unsettled_warning(what, u))
        .collect()
}

/// What the reader is told of the components of `what` (x or X) that
/// did not settle.
fn unsettled_warning(what: &str, u: Unsettled) -> String {
    format!(
        "{what} did not converge on {} cycle(s) of {} entities in all: \
         their {what} may be below the exact value",
        u.components, u.entities
    )
}

#[cfg(test)]
mod tests;
