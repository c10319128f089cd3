//! The supplies edges backwards: for each buyer, the sellers into it and
//! the edges they sell by, as a compressed adjacency. Searches that start
//! at the restricted entities and walk upstream (explain's distances, the
//! entities a what-if change reaches) read it.

use super::Net;
use crate::model::EntityIx;
use crate::prefetch::{prefetch, AHEAD};

/// The sellers into each buyer, with their edges.
#[derive(Clone, Debug, Default)]
pub struct Incoming {
    start: Vec<u32>,
    /// The seller of each incoming edge, grouped by buyer.
    pub seller: Vec<EntityIx>,
    /// The supplies edge (net index) of each, in the same order.
    pub edge: Vec<u32>,
}

impl Incoming {
    /// The edges into the buyers `keep` accepts, each buyer's in seller
    /// order.
    ///
    /// # Complexity
    /// O(V + E).
    pub fn of(net: &Net, keep: impl Fn(usize) -> bool) -> Incoming {
        let n = net.n;
        let mut start = vec![0u32; n + 1];
        for &u in &net.buyer {
            if keep(u as usize) {
                start[u as usize + 1] += 1;
            }
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let mut fill: Vec<u32> = start[..n].to_vec();
        let mut seller = vec![0 as EntityIx; start[n] as usize];
        let mut edge = vec![0u32; start[n] as usize];
        for s in 0..n as EntityIx {
            for e in net.sales(s) {
                let u = net.buyer[e] as usize;
                if keep(u) {
                    seller[fill[u] as usize] = s;
                    edge[fill[u] as usize] = e as u32;
                    fill[u] += 1;
                }
            }
        }
        Incoming {
            start,
            seller,
            edge,
        }
    }

    /// The positions of `w`'s incoming edges in `seller` and `edge`; none
    /// for an entity past the net's (one a changed copy of it added).
    pub fn of_buyer(&self, w: EntityIx) -> std::ops::Range<usize> {
        match self.start.get(w as usize + 1) {
            Some(&end) => self.start[w as usize] as usize..end as usize,
            None => 0..0,
        }
    }

    /// The sellers into `w`.
    pub fn sellers_of(&self, w: EntityIx) -> &[EntityIx] {
        &self.seller[self.of_buyer(w)]
    }

    /// For a walk that takes the buyers of `queue` in turn and looks at
    /// `flag[s]` of each of their sellers: asks for what the buyers after
    /// the one at `head` will need, in three steps as each address
    /// becomes known (where the sellers start, the sellers, their flags).
    #[inline]
    pub fn prefetch_sellers(&self, queue: &[EntityIx], head: usize, flag: &[bool]) {
        if let Some(&w) = queue.get(head + AHEAD) {
            prefetch(&self.start, w as usize);
        }
        if let Some(&w) = queue.get(head + AHEAD / 2) {
            if let Some(&at) = self.start.get(w as usize) {
                prefetch(&self.seller, at as usize);
            }
        }
        if let Some(&w) = queue.get(head + AHEAD / 4) {
            for &s in self.sellers_of(w) {
                prefetch(flag, s as usize);
            }
        }
    }
}
