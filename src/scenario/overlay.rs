//! A scenario's share changes and removals laid over the loaded net in
//! place, and taken off again: which changes can be (`overlay`), and the
//! laying itself (`Laid`).

use super::apply::{licensed_edge, EdgeEdit};
use super::{Change, Scenario, WhatIfFlags};
use crate::graph::Net;
use crate::model::{Model, RelType};

/// Edits laid over a net, taken off when dropped: what each edited edge
/// and each segment of theirs had before.
pub(super) struct Laid<'n> {
    pub(super) net: &'n mut Net,
    edges: Vec<(usize, f64, f64, bool, u32)>,
    segments: Vec<(usize, f64)>,
}

impl<'n> Laid<'n> {
    /// Lays `edits` over `net` (of `model`): an edge's bounds, a removed
    /// edge as a loop to its seller with bounds 0, and the room b(S) of
    /// the segments of the edited edges, summed as [`Net::build`] does.
    ///
    /// # Complexity
    /// O(edits · the edges of their sellers).
    pub(super) fn over(net: &'n mut Net, model: &Model, edits: &[EdgeEdit]) -> Laid<'n> {
        let mut edges = Vec::with_capacity(edits.len());
        let mut segments: Vec<(usize, f64)> = Vec::new();
        for ed in edits {
            let e = ed.edge;
            edges.push((e, net.lo[e], net.hi[e], net.exact[e], net.buyer[e]));
            let seller = net.sell_start.partition_point(|&s| s as usize <= e) - 1;
            (net.lo[e], net.hi[e], net.exact[e]) = (ed.lo, ed.hi, ed.exact);
            if ed.removed {
                (net.lo[e], net.hi[e], net.exact[e]) = (0.0, 0.0, false);
                net.buyer[e] = seller as u32;
            }
            if let Some(s) = net.segment(e) {
                if !segments.iter().any(|&(t, _)| t == s) {
                    segments.push((s, net.seg_room[s]));
                }
            }
        }
        for &(s, _) in &segments {
            let seller = model.segments[net.seg_model[s] as usize].seller;
            let mut taken = 0.0f64;
            for e in net.sales(seller) {
                if net.segment(e) == Some(s) {
                    taken += net.lo[e];
                }
            }
            let cap = model.segments[net.seg_model[s] as usize].share_max;
            net.seg_room[s] = (cap - taken).max(0.0);
        }
        Laid {
            net,
            edges,
            segments,
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

impl Drop for Laid<'_> {
    fn drop(&mut self) {
        for &(e, lo, hi, exact, buyer) in self.edges.iter().rev() {
            (self.net.lo[e], self.net.hi[e], self.net.exact[e]) = (lo, hi, exact);
            self.net.buyer[e] = buyer;
        }
        for &(s, room) in &self.segments {
            self.net.seg_room[s] = room;
        }
    }
}

/// The edits of a scenario whose record changes can all be laid over the
/// loaded net: `set_share` that raises no lower bound and keeps it at
/// most the upper one (so the graph stays valid), and `remove` of a
/// supplies edge. `None` for any other record change, or any change that
/// fails (the copy then says why), or when a licence names a removed edge.
pub(super) fn overlay(
    model: &Model,
    net: &Net,
    scenario: &Scenario,
    extra: &WhatIfFlags,
) -> Option<Vec<EdgeEdit>> {
    let mut edits: Vec<EdgeEdit> = Vec::new();
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
                let now = match edits.iter().find(|x| x.edge == e) {
                    Some(x) if x.removed => return None,
                    Some(x) => x.lo,
                    None => net.lo[e],
                };
                let (lo, hi, exact) = match share {
                    Some(s) => (*s, *s, true),
                    None => (share_min.unwrap_or(0.0), share_max.unwrap_or(1.0), false),
                };
                if lo > hi || lo > now {
                    return None;
                }
                edits.retain(|x| x.edge != e);
                edits.push(EdgeEdit {
                    edge: e,
                    lo,
                    hi,
                    exact,
                    removed: false,
                });
            }
            Change::Remove {
                rel: RelType::Supplies,
                from,
                to,
            } => {
                let e = edge(from, to)?;
                if edits.iter().any(|x| x.edge == e && x.removed) {
                    return None;
                }
                edits.retain(|x| x.edge != e);
                edits.push(EdgeEdit {
                    edge: e,
                    lo: 0.0,
                    hi: 0.0,
                    exact: false,
                    removed: true,
                });
            }
            _ => return None,
        }
    }
    let removed = |s: &str, b: &str| {
        edge(s, b).is_some_and(|e| edits.iter().any(|x| x.edge == e && x.removed))
    };
    for change in &scenario.changes {
        if let Change::License { from, to } = change {
            if removed(from, to) {
                return None;
            }
        }
    }
    for pair in &extra.license {
        if let Ok(e) = licensed_edge(model, net, pair) {
            if edits.iter().any(|x| x.edge == e && x.removed) {
                return None;
            }
        }
    }
    Some(edits)
}
