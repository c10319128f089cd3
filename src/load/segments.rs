//! Each seller's segments, to find one by its seller and name or to
//! compare a seller's names: a seller has few segments, so a scan of its
//! own beats hashing a name per edge. Used while loading (`records.rs`,
//! `split.rs`) and checking (`validate.rs`); decides no rule itself.

/// The segments of each seller, to find one by its seller and name: a
/// seller has few, so a scan of its own beats hashing a name per edge.
pub(super) struct SegmentsBySeller {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl SegmentsBySeller {
    /// Indexes `sellers` (the seller of each segment, from segment `first`
    /// on, `UNDEFINED` for none) over `n` entities.
    ///
    /// # Complexity
    /// O(n + segments).
    pub(super) fn new(n: usize, first: usize, sellers: impl Iterator<Item = u32> + Clone) -> Self {
        let mut start = vec![0u32; n + 1];
        for s in sellers.clone().filter(|&s| (s as usize) < n) {
            start[s as usize + 1] += 1;
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let mut fill = start.clone();
        let mut items = vec![0u32; start[n] as usize];
        for (k, s) in sellers.enumerate() {
            if (s as usize) < n {
                items[fill[s as usize] as usize] = (first + k) as u32;
                fill[s as usize] += 1;
            }
        }
        SegmentsBySeller { start, items }
    }

    /// The segments of `seller`, in file order (none for an index out of
    /// range).
    pub(super) fn of(&self, seller: u32) -> &[u32] {
        match (
            self.start.get(seller as usize),
            self.start.get(seller as usize + 1),
        ) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The first segment of `seller` whose name is `name`, each segment's
    /// name given by `names` as a number (a repeat is reported by
    /// `validate.rs`).
    pub(super) fn find(&self, names: &[u32], seller: u32, name: u32) -> Option<usize> {
        self.of(seller)
            .iter()
            .map(|&i| i as usize)
            .find(|&i| names.get(i) == Some(&name))
    }
}
