//! The components a changed evaluation solves: the base's, kept when a
//! change leaves them whole (with new sales against their order laid
//! in), or found anew over the set solved; and for a chain, those over
//! every edge.
//!
//! Owns when the base's components serve; the search is `scc.rs`'s.

use super::bypass::finds_edge;
use super::{Incremental, Keeps, Touched};
use crate::analysis::scc::Sccs;
use crate::analysis::Outcome;
use crate::graph::Net;
use std::borrow::Cow;
use std::sync::Arc;

impl Incremental {
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
    pub(super) fn components(
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
    pub(super) fn base_components(&self, net: &Net, b: usize, base: &[bool]) -> Option<&Sccs> {
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
    pub(super) fn every_edge(&self, net: &Net) -> &Sccs {
        let (sccs, _) = self.every_edge.get_or_init(|| {
            let sccs = Sccs::of(net, |_| true);
            let c = largest(&sccs);
            (sccs, c)
        });
        sccs
    }

    /// The largest of [`Incremental::every_edge`]'s components, once they
    /// are found.
    pub(super) fn every_largest(&self) -> Option<usize> {
        self.every_edge.get()?.1
    }

    /// The base's components of bound `b` and the R (R+) they are over,
    /// if found.
    pub(super) fn found_sccs(&self, b: usize) -> Option<&(Vec<bool>, Sccs)> {
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
    pub(super) fn base_serves(
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
}

/// The largest of `sccs`' components (the first of the largest), when it
/// has two members or more.
pub(super) fn largest(sccs: &Sccs) -> Option<usize> {
    let c = (0..sccs.len()).max_by_key(|&c| (sccs.comp(c).len(), std::cmp::Reverse(c)))?;
    (sccs.comp(c).len() >= 2).then_some(c)
}

/// When the base's components of a bound serve a changed graph
/// ([`Incremental::base_serves`]): the entities a set must not hold, and
/// the new sales against their order to lay into them first
/// ([`Sccs::with_sale`]), as (seller, buyer).
pub(super) struct Served {
    pub(super) outside: Vec<u32>,
    pub(super) against: Vec<(u32, u32)>,
}

/// Whether a bound with `stop` (R or R+) follows edge `e`: its buyer's
/// value counts, not 1 or 0.
pub(super) fn followed<'a>(net: &'a Net, stop: &'a [bool]) -> impl Fn(usize) -> bool + 'a {
    move |e| !stop[net.buyer[e] as usize]
}

/// The components both bounds share, or a bound's own.
pub(in crate::analysis) fn own_or(
    shared: &Option<Sccs>,
    own: impl FnOnce() -> Sccs,
) -> Cow<'_, Sccs> {
    match shared {
        Some(sccs) => Cow::Borrowed(sccs),
        None => Cow::Owned(own()),
    }
}

/// The components of the entities `set` (ascending, closed upstream, or
/// closed downstream) over the followed edges between them.
pub(in crate::analysis) fn within(net: &Net, set: &[u32], follow: impl Fn(usize) -> bool) -> Sccs {
    let mut inside = vec![false; net.n];
    for &v in set {
        inside[v as usize] = true;
    }
    Sccs::from_roots(net, set.iter().copied(), |e| {
        inside[net.buyer[e] as usize] && follow(e)
    })
}

/// The entities of two ascending lists, ascending, each once.
///
/// # Complexity
/// O(|a| + |b|).
pub(super) fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let next = a[i].min(b[j]);
        i += usize::from(a[i] == next);
        j += usize::from(b[j] == next);
        out.push(next);
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// The entities of `all` not in `part` (both ascending), ascending.
///
/// # Complexity
/// O(|all| + |part|).
pub(super) fn minus(all: &[u32], part: &[u32]) -> Vec<u32> {
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
