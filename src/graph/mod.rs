//! The indexed graph the analysis reads, built once from a valid model:
//! `supplies` edges as a compressed adjacency (CSR) by seller with their
//! resolved share bounds, `owns` edges by owner, listings with interned list
//! names, and each seller's segments (caps on the sum of several of its
//! edges).
//!
//! **Invariant:** entity indexes are the model's; edges of one seller are in
//! the order of the model's relationships. Nothing here allocates per edge.

mod extend;
mod incoming;
pub use extend::Appended;
pub use incoming::Incoming;

use std::ops::Range;
use std::sync::Arc;

use crate::model::{Date, EntityIx, Model, RelType, Relationship};
use crate::prefetch::{prefetch, AHEAD};

/// One listing, with its list name as an index into [`Net::list_names`].
#[derive(Clone, Debug, PartialEq)]
pub struct NetListing {
    pub entity: EntityIx,
    pub list: u32,
    pub start: Option<Date>,
    pub end: Option<Date>,
}

/// The graph in the shape the analysis needs.
///
/// The arrays a what-if lays its edits over (an edge's bounds and buyer,
/// a segment's room) are a copy's own; the others are shared (`Arc`), so
/// that a clone, such as a what-if worker's (`batch.rs`), costs only
/// those.
#[derive(Clone, Debug, PartialEq)]
pub struct Net {
    /// Number of entities.
    pub n: usize,
    /// Seller `v`'s edges are `sell_start[v]..sell_start[v + 1]`.
    pub sell_start: Arc<Vec<u32>>,
    /// The buyer of each supplies edge.
    pub buyer: Vec<EntityIx>,
    /// Lower and upper bound of each edge's share (equal on exact edges).
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    /// Whether each edge's share is known exactly.
    pub exact: Vec<bool>,
    /// The model relationship behind each edge.
    pub rel: Arc<Vec<u32>>,
    /// Owner `v`'s stakes are `own_start[v]..own_start[v + 1]`.
    pub own_start: Arc<Vec<u32>>,
    pub owned: Arc<Vec<EntityIx>>,
    /// The percent of each stake; `None` when its size is unknown.
    pub percent: Arc<Vec<Option<f64>>>,
    /// Per entity: the sum of the known percents owned of it.
    pub known_owned: Arc<Vec<f64>>,
    pub listings: Vec<NetListing>,
    /// The distinct list names, sorted.
    pub list_names: Vec<String>,
    /// Segments, grouped by seller: seller `v`'s are
    /// `seg_start[v]..seg_start[v + 1]`. Empty when the graph has none.
    pub seg_start: Arc<Vec<u32>>,
    /// The segment of each supplies edge, or [`NO_SEGMENT`]; empty when
    /// the graph has no segments.
    pub edge_seg: Arc<Vec<u32>>,
    /// Each segment's room beyond the lower bounds of its edges:
    /// b(S) = max(0, share_max(S) - sum of lo over S's edges).
    pub seg_room: Vec<f64>,
    /// The model segment behind each segment.
    pub seg_model: Arc<Vec<u32>>,
}

/// Marks an edge in no segment.
pub const NO_SEGMENT: u32 = u32::MAX;

impl Net {
    /// Builds the graph from a valid model.
    ///
    /// # Complexity
    /// O(entities + relationships + listings · log listings).
    pub fn build(model: &Model) -> Net {
        let n = model.entities.len();
        let rels = &model.relationships;
        // Two passes over the relationships, each for both types: one to
        // count the edges of each seller and owner, one to place them (a
        // relationship is 80 bytes, so each pass is a read of the whole
        // array, a third of a gigabyte at 4M).
        let (sell_start, own_start) = edge_offsets(n, rels);
        let (m, k) = (sell_start[n] as usize, own_start[n] as usize);
        let mut sell_fill: Vec<u32> = sell_start[..n].to_vec();
        let (mut buyer, mut lo, mut hi) = (vec![0; m], vec![0.0; m], vec![0.0; m]);
        let (mut exact, mut rel) = (vec![false; m], vec![0; m]);
        // The model segment of each edge, read in the same pass over the
        // relationships (a lookup per edge later would be a random read).
        let mut model_seg = if model.segments.is_empty() {
            Vec::new()
        } else {
            vec![NO_SEGMENT; m]
        };
        let mut own_fill: Vec<u32> = own_start[..n].to_vec();
        let (mut owned, mut percent) = (vec![0; k], vec![None; k]);
        let mut known_owned = vec![0.0; n];
        for (i, r) in rels.iter().enumerate() {
            match r.rel {
                RelType::Supplies => {
                    let e = sell_fill[r.from as usize] as usize;
                    sell_fill[r.from as usize] += 1;
                    buyer[e] = r.to;
                    rel[e] = i as u32;
                    if let (Some(s), Some(slot)) = (r.segment.get(), model_seg.get_mut(e)) {
                        *slot = s as u32;
                    }
                    (lo[e], hi[e], exact[e]) = bounds(model, r);
                }
                RelType::Owns => {
                    let e = own_fill[r.from as usize] as usize;
                    own_fill[r.from as usize] += 1;
                    owned[e] = r.to;
                    percent[e] = r.percent.get();
                    known_owned[r.to as usize] += r.percent.get().unwrap_or(0.0);
                }
            }
        }

        let (listings, list_names) = listings(model);
        let (seg_start, edge_seg, seg_room, seg_model) = segments(model, n, model_seg, &lo);

        Net {
            n,
            sell_start: Arc::new(sell_start),
            buyer,
            lo,
            hi,
            exact,
            rel: Arc::new(rel),
            own_start: Arc::new(own_start),
            owned: Arc::new(owned),
            percent: Arc::new(percent),
            known_owned: Arc::new(known_owned),
            listings,
            list_names,
            seg_start: Arc::new(seg_start),
            edge_seg: Arc::new(edge_seg),
            seg_room,
            seg_model: Arc::new(seg_model),
        }
    }

    /// The segment of edge `e`, if it is in one.
    #[inline]
    pub fn segment(&self, e: usize) -> Option<usize> {
        match self.edge_seg.get(e) {
            Some(&s) if s != NO_SEGMENT => Some(s as usize),
            _ => None,
        }
    }

    /// The segments of seller `v`.
    pub fn segments_of(&self, v: EntityIx) -> Range<usize> {
        match self.seg_start.get(v as usize + 1) {
            Some(&end) => self.seg_start[v as usize] as usize..end as usize,
            None => 0..0,
        }
    }

    /// The most edge `e` can take beyond its lower bound: hi - lo, and no
    /// more than the room of its segment.
    #[inline]
    pub fn open_cap(&self, e: usize) -> f64 {
        let cap = self.hi[e] - self.lo[e];
        match self.segment(e) {
            Some(s) => cap.min(self.seg_room[s]),
            None => cap,
        }
    }

    /// Asks for what reading the sales of the sellers after step `i` of a
    /// loop will need, in three steps as each address becomes known: where
    /// a seller's edges and segments start, the edges and segments, then
    /// `buyer(u)` for each buyer (which asks for whatever the loop reads
    /// of it). `seller(k)` is the seller of step `k`, if any. For loops
    /// that take sellers in an order of their own, so that each of these
    /// lies anywhere in memory.
    #[inline]
    pub(crate) fn prefetch_sales(
        &self,
        i: usize,
        seller: impl Fn(usize) -> Option<EntityIx>,
        buyer: impl Fn(usize),
    ) {
        self.prefetch_sales_where(i, seller, |_| true, buyer);
    }

    /// [`Net::prefetch_sales`], asking for the buyers of the edges `e`
    /// with `wanted(e)` only.
    #[inline]
    pub(crate) fn prefetch_sales_where(
        &self,
        i: usize,
        seller: impl Fn(usize) -> Option<EntityIx>,
        wanted: impl Fn(usize) -> bool,
        buyer: impl Fn(usize),
    ) {
        if let Some(v) = seller(i + AHEAD) {
            prefetch(&self.sell_start, v as usize);
            prefetch(&self.seg_start, v as usize);
        }
        if let Some(v) = seller(i + AHEAD / 2) {
            let e = self.sales(v).start;
            prefetch(&self.buyer, e);
            prefetch(&self.lo, e);
            prefetch(&self.hi, e);
            prefetch(&self.edge_seg, e);
            if let Some(&s) = self.seg_start.get(v as usize) {
                prefetch(&self.seg_room, s as usize);
            }
        }
        if let Some(v) = seller(i + AHEAD / 4) {
            let sales = self.sales(v);
            for (e, &u) in sales.clone().zip(&self.buyer[sales]) {
                if wanted(e) {
                    buyer(u as usize);
                }
            }
        }
    }

    /// The supplies edges of seller `v`.
    pub fn sales(&self, v: EntityIx) -> Range<usize> {
        self.sell_start[v as usize] as usize..self.sell_start[v as usize + 1] as usize
    }

    /// The stakes held by owner `v`.
    pub fn stakes(&self, v: EntityIx) -> Range<usize> {
        self.own_start[v as usize] as usize..self.own_start[v as usize + 1] as usize
    }

    /// The seller of supplies edge `e`.
    ///
    /// # Complexity
    /// O(log V).
    pub fn seller_of(&self, e: usize) -> EntityIx {
        (self.sell_start.partition_point(|&s| s as usize <= e) - 1) as EntityIx
    }

    /// The owner of stake `s`.
    ///
    /// # Complexity
    /// O(log V).
    pub fn owner_of(&self, s: usize) -> EntityIx {
        (self.own_start.partition_point(|&o| o as usize <= s) - 1) as EntityIx
    }

    /// The supplies edge from `seller` to `buyer`, if there is one.
    pub fn edge(&self, seller: EntityIx, buyer: EntityIx) -> Option<usize> {
        self.sales(seller).find(|&e| self.buyer[e] == buyer)
    }

    /// The entities `from`, and every entity not in `stop` that they sell
    /// to, directly or through others not in `stop`. With `stop` empty or
    /// R: every entity whose x, X or d the numbers of `from` depend on (an
    /// edge into R carries 1 or 0, not its buyer's numbers).
    ///
    /// # Complexity
    /// O(V) plus the sales of the entities found.
    pub fn below<'a>(&self, from: impl Iterator<Item = &'a EntityIx>, stop: &[bool]) -> Vec<bool> {
        let mut seen = vec![false; self.n];
        let mut stack: Vec<EntityIx> = Vec::new();
        for &v in from {
            if !std::mem::replace(&mut seen[v as usize], true) {
                stack.push(v);
            }
        }
        while let Some(v) = stack.pop() {
            for e in self.sales(v) {
                let u = self.buyer[e];
                if stop.get(u as usize) == Some(&true) {
                    continue;
                }
                if !std::mem::replace(&mut seen[u as usize], true) {
                    stack.push(u);
                }
            }
        }
        seen
    }

    /// Number of supplies edges.
    pub fn edge_count(&self) -> usize {
        self.buyer.len()
    }

    /// The entities within `depth` edges of `from`, following supplies and
    /// owns edges in either direction: a breadth-first search over an
    /// undirected adjacency built for the call.
    ///
    /// # Complexity
    /// O(V + E + stakes).
    pub fn within(&self, from: EntityIx, depth: u32) -> Vec<bool> {
        // Every supplies edge and stake, both ways, as CSR.
        let ends = || {
            (0..self.n as EntityIx).flat_map(move |v| {
                let sold = self.sales(v).map(move |e| (v, self.buyer[e]));
                let held = self.stakes(v).map(move |s| (v, self.owned[s]));
                sold.chain(held)
            })
        };
        let start = offsets(self.n, ends().flat_map(|(a, b)| [a, b]));
        let mut fill: Vec<u32> = start[..self.n].to_vec();
        let mut next = vec![0 as EntityIx; start[self.n] as usize];
        for (a, b) in ends() {
            for (x, y) in [(a, b), (b, a)] {
                next[fill[x as usize] as usize] = y;
                fill[x as usize] += 1;
            }
        }
        let mut seen = vec![false; self.n];
        let mut frontier = vec![from];
        seen[from as usize] = true;
        for _ in 0..depth {
            let mut grown = Vec::new();
            for v in frontier {
                for &w in &next[start[v as usize] as usize..start[v as usize + 1] as usize] {
                    if !seen[w as usize] {
                        seen[w as usize] = true;
                        grown.push(w);
                    }
                }
            }
            if grown.is_empty() {
                break;
            }
            frontier = grown;
        }
        seen
    }
}

/// The listings with their list names interned, and the distinct names,
/// sorted.
///
/// # Complexity
/// O(listings · log listings).
fn listings(model: &Model) -> (Vec<NetListing>, Vec<String>) {
    let mut list_names: Vec<String> = model
        .listings
        .iter()
        .map(|l| model.str(l.list).to_string())
        .collect();
    list_names.sort();
    list_names.dedup();
    let listings = model
        .listings
        .iter()
        .map(|l| NetListing {
            entity: l.entity,
            list: list_names
                .binary_search_by(|x| x.as_str().cmp(model.str(l.list)))
                .unwrap_or(0) as u32,
            start: l.start,
            end: l.end,
        })
        .collect();
    (listings, list_names)
}

/// An edge's share bounds and whether its share is known exactly.
fn bounds(model: &Model, r: &Relationship) -> (f64, f64, bool) {
    match r.exact_share(|| model.entities[r.from as usize].revenue.get()) {
        Some(s) => (s, s, true),
        None => (
            r.share_min.get().unwrap_or(0.0),
            r.share_max.get().unwrap_or(1.0),
            false,
        ),
    }
}

/// The segments grouped by seller (`seg_start`), each edge's segment
/// (`model_seg`, the model's index, renumbered in place) in that order,
/// each segment's room b(S) and its model index; all empty when the model
/// has no segments.
///
/// # Complexity
/// O(V + E + segments).
#[allow(clippy::type_complexity)]
fn segments(
    model: &Model,
    n: usize,
    model_seg: Vec<u32>,
    lo: &[f64],
) -> (Vec<u32>, Vec<u32>, Vec<f64>, Vec<u32>) {
    if model.segments.is_empty() {
        return Default::default();
    }
    let seg_start = offsets(n, model.segments.iter().map(|s| s.seller));
    let mut fill: Vec<u32> = seg_start[..n].to_vec();
    // Model segment -> its place in seller order.
    let mut place = vec![0u32; model.segments.len()];
    let mut seg_model = vec![0u32; model.segments.len()];
    for (i, s) in model.segments.iter().enumerate() {
        let at = fill[s.seller as usize];
        fill[s.seller as usize] += 1;
        place[i] = at;
        seg_model[at as usize] = i as u32;
    }
    let mut edge_seg = model_seg;
    let mut taken = vec![0.0f64; seg_model.len()];
    for (e, s) in edge_seg.iter_mut().enumerate() {
        if *s != NO_SEGMENT {
            *s = place[*s as usize];
            taken[*s as usize] += lo[e];
        }
    }
    let seg_room = seg_model
        .iter()
        .zip(&taken)
        .map(|(&i, &t)| (model.segments[i as usize].share_max - t).max(0.0))
        .collect();
    (seg_start, edge_seg, seg_room, seg_model)
}

/// CSR offsets of the supplies and owns edges by their `from`, in one
/// pass: `start[v]..start[v + 1]` has those of `v`.
fn edge_offsets(n: usize, rels: &[Relationship]) -> (Vec<u32>, Vec<u32>) {
    let (mut sell, mut own) = (vec![0u32; n + 1], vec![0u32; n + 1]);
    for r in rels {
        let start = match r.rel {
            RelType::Supplies => &mut sell,
            RelType::Owns => &mut own,
        };
        start[r.from as usize + 1] += 1;
    }
    (cumulative(sell), cumulative(own))
}

/// CSR offsets: `start[v]..start[v + 1]` has the items whose key is `v`.
fn offsets(n: usize, keys: impl Iterator<Item = EntityIx>) -> Vec<u32> {
    let mut start = vec![0u32; n + 1];
    for k in keys {
        start[k as usize + 1] += 1;
    }
    cumulative(start)
}

/// Counts per key (at `key + 1`) turned into CSR offsets.
fn cumulative(mut start: Vec<u32>) -> Vec<u32> {
    for v in 1..start.len() {
        start[v] += start[v - 1];
    }
    start
}
