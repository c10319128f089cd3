//! A scenario's share changes, removals and segment caps laid over the
//! loaded net in place, and taken off again: which changes can be
//! (`overlay`), and the laying itself (`Laid`).

use super::apply::{licensed_edge, CapEdit, EdgeEdit, Edits};
use super::{Change, Scenario, WhatIfFlags};
use crate::graph::Net;
use crate::model::{EntityIx, Model, RelType};
use crate::tolerance::EPS;

/// Edits laid over a net, taken off when dropped: what each edited edge,
/// each segment of theirs and each removed stake had before.
pub(super) struct Laid<'n> {
    pub(super) net: &'n mut Net,
    edges: Vec<(usize, f64, f64, bool, u32)>,
    segments: Vec<(usize, f64)>,
    /// A removed stake: its index, owned entity and percent, and the
    /// known percents owned of that entity.
    stakes: Vec<(usize, EntityIx, Option<f64>, f64)>,
}

impl<'n> Laid<'n> {
    /// Lays `edits` over `net` (of `model`): an edge's bounds, a removed
    /// edge as a loop to its seller with bounds 0, the room b(S) of each
    /// segment of an edited edge or with a new cap, and a removed stake as
    /// one of unknown size in its owner, with the known percents owned of
    /// the entity it held summed again; sums as [`Net::build`] makes them.
    ///
    /// # Complexity
    /// O(edits · the edges of their sellers), plus O(relationships) when
    /// a stake is removed.
    pub(super) fn over(net: &'n mut Net, model: &Model, edits: &Edits) -> Laid<'n> {
        let mut edges = Vec::with_capacity(edits.edges.len());
        let mut segments: Vec<(usize, f64)> = Vec::new();
        let mut keep = |net: &Net, s: usize| {
            if !segments.iter().any(|&(t, _)| t == s) {
                segments.push((s, net.seg_room[s]));
            }
        };
        for ed in &edits.edges {
            let e = ed.edge;
            edges.push((e, net.lo[e], net.hi[e], net.exact[e], net.buyer[e]));
            let seller = net.seller_of(e);
            (net.lo[e], net.hi[e], net.exact[e]) = (ed.lo, ed.hi, ed.exact);
            if ed.removed {
                (net.lo[e], net.hi[e], net.exact[e]) = (0.0, 0.0, false);
                net.buyer[e] = seller;
            }
            if let Some(s) = net.segment(e) {
                keep(net, s);
            }
        }
        for cap in &edits.caps {
            keep(net, cap.segment);
        }
        for &(s, _) in &segments {
            let cap = edits.cap(model, net, s);
            let seller = model.segments[net.seg_model[s] as usize].seller;
            net.seg_room[s] = (cap - in_segment(net, seller, s, |e| net.lo[e])).max(0.0);
        }
        let stakes = lay_stakes(net, model, &edits.stakes);
        Laid {
            net,
            edges,
            segments,
            stakes,
        }
    }

    /// The lower bound and the buyer edge `e` had before.
    pub(super) fn before(&self, e: usize) -> (f64, u32) {
        self.edges
            .iter()
            .find(|s| s.0 == e)
            .map_or((self.net.lo[e], self.net.buyer[e]), |s| (s.1, s.4))
    }
}

/// Lays the removed `stakes` (indices into `net`'s) over `net` (of
/// `model`): each becomes a stake of unknown size that its owner holds in
/// itself, which counts for no one (an owner is in R, or R+, before its
/// stakes are read); returns what they were. The known percents owned of each entity
/// they held are summed again over the other stakes, in the order of the
/// relationships as [`Net::build`] sums them.
fn lay_stakes(
    net: &mut Net,
    model: &Model,
    stakes: &[usize],
) -> Vec<(usize, EntityIx, Option<f64>, f64)> {
    if stakes.is_empty() {
        return Vec::new();
    }
    let mut laid = Vec::with_capacity(stakes.len());
    let mut gone = Vec::with_capacity(stakes.len());
    for &s in stakes {
        let owner = net.owner_of(s);
        let owned = net.owned[s];
        laid.push((s, owned, net.percent[s], net.known_owned[owned as usize]));
        gone.push((owner, owned));
        std::sync::Arc::make_mut(&mut net.owned)[s] = owner;
        std::sync::Arc::make_mut(&mut net.percent)[s] = None;
    }
    let known = std::sync::Arc::make_mut(&mut net.known_owned);
    for &(_, owned, _, _) in &laid {
        known[owned as usize] = 0.0;
    }
    for r in model
        .relationships
        .iter()
        .filter(|r| r.rel == RelType::Owns)
    {
        let held = laid.iter().any(|l| l.1 == r.to);
        if held && !gone.contains(&(r.from, r.to)) {
            known[r.to as usize] += r.percent.get().unwrap_or(0.0);
        }
    }
    laid
}

impl Drop for Laid<'_> {
    fn drop(&mut self) {
        for &(s, owned, percent, known) in self.stakes.iter().rev() {
            std::sync::Arc::make_mut(&mut self.net.owned)[s] = owned;
            std::sync::Arc::make_mut(&mut self.net.percent)[s] = percent;
            std::sync::Arc::make_mut(&mut self.net.known_owned)[owned as usize] = known;
        }
        for &(e, lo, hi, exact, buyer) in self.edges.iter().rev() {
            (self.net.lo[e], self.net.hi[e], self.net.exact[e]) = (lo, hi, exact);
            self.net.buyer[e] = buyer;
        }
        for &(s, room) in &self.segments {
            self.net.seg_room[s] = room;
        }
    }
}

/// The lower bounds of segment `s`'s edges (of `seller`), by `lo`, added
/// in edge order as the checks add them.
fn in_segment(net: &Net, seller: EntityIx, s: usize, lo: impl Fn(usize) -> f64) -> f64 {
    let mut sum = 0.0;
    for e in net.sales(seller).filter(|&e| net.segment(e) == Some(s)) {
        sum += lo(e);
    }
    sum
}

/// The edits of a scenario whose record changes can all be laid over the
/// loaded net: `set_share` of a supplies edge, `remove` of one or of a
/// stake, and `set_segment`, each keeping the graph valid where it
/// changes it (rules 8 and 13 of the format spec, checked after each
/// change as a changed copy is). `None` for any other record change, or
/// any change that fails or breaks a rule (the copy then says why), or
/// when a licence names a removed edge.
///
/// # Complexity
/// O(changes · the edges of their sellers), plus O(segments) to find a
/// segment by name.
pub(super) fn overlay(
    model: &Model,
    net: &Net,
    scenario: &Scenario,
    extra: &WhatIfFlags,
) -> Option<Edits> {
    let mut edits = Edits::default();
    let edge = |from: &str, to: &str| net.edge(model.find(from)?, model.find(to)?);
    for change in &scenario.changes {
        match change {
            Change::List { .. } | Change::Delist { .. } | Change::License { .. } => {}
            Change::SetShare {
                from,
                to,
                share,
                share_min,
                share_max,
            } => {
                let e = edge(from, to)?;
                if edits.removes(e) {
                    return None;
                }
                let (lo, hi, exact) = match share {
                    Some(s) => (*s, *s, true),
                    None => (share_min.unwrap_or(0.0), share_max.unwrap_or(1.0), false),
                };
                if lo > hi {
                    return None;
                }
                edits.edges.retain(|x| x.edge != e);
                edits.edges.push(EdgeEdit {
                    edge: e,
                    lo,
                    hi,
                    exact,
                    removed: false,
                });
                // A raised lower bound may break the seller's sum (rule
                // 8) or its segment's (rule 13).
                let seller = model.find(from)?;
                let lo_of = |e: usize| edits.lo(net, e);
                let sum = net.sales(seller).fold(0.0, |a, e| a + lo_of(e));
                if sum > 1.0 + EPS {
                    return None;
                }
                if let Some(s) = net.segment(e) {
                    if in_segment(net, seller, s, lo_of) > edits.cap(model, net, s) + EPS {
                        return None;
                    }
                }
            }
            Change::Remove {
                rel: RelType::Supplies,
                from,
                to,
            } => {
                let e = edge(from, to)?;
                if edits.removes(e) {
                    return None;
                }
                edits.edges.retain(|x| x.edge != e);
                edits.edges.push(EdgeEdit {
                    edge: e,
                    lo: 0.0,
                    hi: 0.0,
                    exact: false,
                    removed: true,
                });
            }
            Change::Remove {
                rel: RelType::Owns,
                from,
                to,
            } => {
                let (owner, owned) = (model.find(from)?, model.find(to)?);
                let s = net.stakes(owner).find(|&s| net.owned[s] == owned)?;
                if edits.stakes.contains(&s) {
                    return None;
                }
                edits.stakes.push(s);
            }
            Change::SetSegment {
                seller,
                name,
                share_max,
            } => {
                let v = model.find(seller)?;
                let s = net
                    .segments_of(v)
                    .find(|&s| model.str(model.segments[net.seg_model[s] as usize].name) == name)?;
                if !(0.0..=1.0).contains(share_max) {
                    return None;
                }
                edits.caps.retain(|c| c.segment != s);
                edits.caps.push(CapEdit {
                    segment: s,
                    share_max: *share_max,
                });
                if in_segment(net, v, s, |e| edits.lo(net, e)) > *share_max + EPS {
                    return None;
                }
            }
            _ => return None,
        }
    }
    let removed = |s: &str, b: &str| edge(s, b).is_some_and(|e| edits.removes(e));
    for change in &scenario.changes {
        if let Change::License { from, to } = change {
            if removed(from, to) {
                return None;
            }
        }
    }
    for pair in &extra.license {
        if let Ok(e) = licensed_edge(model, net, pair) {
            if edits.removes(e) {
                return None;
            }
        }
    }
    Some(edits)
}
