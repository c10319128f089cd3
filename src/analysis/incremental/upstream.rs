//! The entities a change touches: everything upstream of its seeds
//! (found once for the base's largest component, which a search that
//! reaches one member has whole), and for reach, what the seeds' sets
//! are built from downstream.
//!
//! Owns the searches; which entities are seeds is `mod.rs`'s.

use super::components::{largest, union};
use super::{Incremental, Touched};
use crate::analysis::scc::Sccs;
use crate::graph::Net;

impl Incremental {
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
    pub(super) fn upstream(
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

    /// `set` (x's, found by [`Incremental::upstream`] back along the
    /// base's edges) with the upstream of every new sale's seller whose
    /// buyer it holds, until it holds each of them: a new sale without a
    /// lower bound seeds no x (it moves none), but one into the set can
    /// close a loop through its seller, and a set must hold each
    /// component of the changed graph wholly or not at all
    /// (ARCHITECTURE.md, point (9)). Arguments as
    /// [`Incremental::upstream`]'s.
    ///
    /// # Complexity
    /// O(new sales · log |set|) when none leads into it; else a search
    /// per round, as [`Incremental::upstream`].
    pub(super) fn with_new_sellers(
        &self,
        net: &Net,
        mut set: Vec<u32>,
        touched: &[Touched],
        (stop, within, every): (&[bool], Option<&[bool]>, Option<&Sccs>),
    ) -> Vec<u32> {
        loop {
            let holds = |v: u32| set.binary_search(&v).is_ok();
            let left_out: Vec<u32> = touched
                .iter()
                .filter(|t| t.added && !stop[t.buyer as usize] && holds(t.buyer))
                .map(|t| net.seller_of(t.edge))
                .filter(|&v| !holds(v))
                .collect();
            if left_out.is_empty() {
                return set;
            }
            let mut seen = vec![false; net.n];
            for v in left_out {
                seen[v as usize] = true;
            }
            set = union(&set, &self.upstream(seen, stop, within, every));
        }
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

/// The largest of a set of components (the base's over one R (R+), or a
/// chain's over every edge), by number, and the entities upstream of it,
/// its members included.
#[derive(Clone, Debug)]
pub(super) struct GiantUpstream {
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
pub(super) struct Giant<'a> {
    /// The component of each entity.
    comp_of: &'a [u32],
    c: u32,
    /// The entities upstream of the component, its members included.
    up: &'a [bool],
}

/// `set` and every entity it reaches through entities not in R,
/// ascending.
///
/// # Complexity
/// O(V) plus the edges of the entities found.
pub(super) fn downstream(net: &Net, set: &[u32], in_r: &[bool]) -> Vec<u32> {
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
