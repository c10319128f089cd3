//! Each seller's segments, to find one by its seller and name or to
//! compare a seller's names: a seller has few segments, so a scan of its
//! own beats hashing a name per edge. Used while loading (`records.rs`,
//! `split.rs`) and checking (`validate.rs`); decides no rule itself.

use crate::parallel::both;

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

    /// The segment [`SegmentsBySeller::find`] finds for each of `count`
    /// pairs `(seller, name)`, `None` where there is none; half on
    /// each of two threads when there are many (a lookup is a random read).
    pub(super) fn find_each(
        &self,
        names: &[u32],
        count: usize,
        pair: impl Fn(usize) -> (u32, u32) + Sync,
    ) -> Vec<Option<usize>> {
        let find = |k: std::ops::Range<usize>| -> Vec<Option<usize>> {
            k.map(|k| {
                let (seller, name) = pair(k);
                self.find(names, seller, name)
            })
            .collect()
        };
        if count < 1 << 15 {
            return find(0..count);
        }
        let (mut one, two) = both(|| find(0..count / 2), || find(count / 2..count));
        one.extend(two);
        one
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_pairs_are_found_on_two_threads_as_one_by_one() {
        // 5,000 sellers with 0 to 3 segments each, named 0..3 in turn.
        let n = 5_000u32;
        let sellers: Vec<u32> = (0..n)
            .flat_map(|v| std::iter::repeat_n(v, (v % 4) as usize))
            .collect();
        let names: Vec<u32> = (0..n).flat_map(|v| 0..v % 4).collect();
        let by_seller = SegmentsBySeller::new(n as usize, 0, sellers.iter().copied());
        let mut next = crate::testing::random(5);
        let pairs: Vec<(u32, u32)> = (0..100_000)
            .map(|_| (next(n as u64 + 2) as u32, next(4) as u32))
            .collect();
        let found = by_seller.find_each(&names, pairs.len(), |k| pairs[k]);
        assert_eq!(found.len(), pairs.len());
        for (&(seller, name), &s) in pairs.iter().zip(&found) {
            assert_eq!(s, by_seller.find(&names, seller, name));
            if let Some(s) = s {
                assert_eq!((sellers[s], names[s]), (seller, name));
            } else {
                assert!(seller >= n || name >= seller % 4, "{seller} {name}");
            }
        }
    }
}
