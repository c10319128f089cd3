//! Changed copies of the graph (a scenario that adds records): the
//! copy's sales compared with the loaded graph's seller by seller, and
//! the copy evaluated from the base as a change laid over the loaded
//! graph when it keeps every sale in place, else with the sellers that
//! differ as seeds.
//!
//! Owns the comparison; the evaluation is `mod.rs`'s.

use super::{Differs, Incremental, Keeps, Scope, Touched};
use crate::analysis::{Options, Outcome};
use crate::graph::{Incoming, Net};

impl Incremental {
    /// [`crate::analysis::evaluate`] of `copy`, a changed copy of the
    /// base's graph `loaded` (a scenario's records changed, added or removed on a copy
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
    pub(super) fn laid_alike(
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
