//! Interning of entity ids while parsing: each distinct id gets a dense
//! symbol number, in order of first sight.
//!
//! Built for millions of lookups: the table is one array of 16-byte slots
//! probed linearly, holding a hash tag, the length, the symbol and the
//! id's first 8 bytes, so a lookup of a short id touches one cache line of
//! the table and nothing else; a longer id also reads its bytes from one
//! buffer where all ids sit together. A general-purpose map with keys
//! borrowed from the input costs several cache misses per lookup on large
//! files. Callers with many ids to look up hash them first and
//! [`Interner::prefetch`] their slots some lookups ahead.

/// Ids to symbols.
#[derive(Clone, Debug)]
pub(super) struct Interner {
    /// Two words a slot: the id's first 8 bytes (zero-padded), and
    /// `(tag << 40) | (len.min(255) << 32) | (symbol + 1)`; an all-zero
    /// second word is an empty slot. An id of up to 8 bytes is compared
    /// inside its slot, without touching `text`.
    slots: Vec<[u64; 2]>,
    text: String,
    /// Symbol `s` is `text[starts[s]..starts[s + 1]]`.
    starts: Vec<u32>,
}

impl Default for Interner {
    fn default() -> Interner {
        Interner {
            slots: vec![[0; 2]; 1 << 10],
            text: String::new(),
            starts: vec![0],
        }
    }
}

/// The first 8 bytes of an id, zero-padded.
fn prefix(s: &[u8]) -> u64 {
    let mut p = [0u8; 8];
    let n = s.len().min(8);
    p[..n].copy_from_slice(&s[..n]);
    u64::from_le_bytes(p)
}

/// The second word of a slot, without the symbol.
fn label(h: u64, len: usize) -> u64 {
    ((h >> 40) << 40) | ((len.min(255) as u64) << 32)
}

/// A 64-bit hash of a byte string: 8 bytes at a time, then a full
/// avalanche, so that the low bits (the slot) and the high bits (the tag)
/// are both well spread for ids like `e0000123`.
pub(super) fn hash(s: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = K ^ (s.len() as u64);
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h ^ w).wrapping_mul(K).rotate_left(31);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    // murmur3's finaliser
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl Interner {
    /// Number of symbols.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The id of symbol `sym`.
    pub fn get(&self, sym: u32) -> &str {
        &self.text[self.starts[sym as usize] as usize..self.starts[sym as usize + 1] as usize]
    }

    /// The symbol of `id`, a new one on first sight; `None` when the ids'
    /// text outgrows 4 GiB.
    pub fn intern(&mut self, id: &str) -> Option<u32> {
        self.intern_hashed(id, hash(id.as_bytes()))
    }

    /// Asks the processor to fetch the slot where a lookup of an id with
    /// hash `h` starts, so that many lookups can wait for memory at once.
    pub fn prefetch(&self, h: u64) {
        crate::prefetch::prefetch(&self.slots, h as usize & (self.slots.len() - 1));
    }

    /// [`Interner::intern`] with the id's [`hash`] already computed.
    pub fn intern_hashed(&mut self, id: &str, h: u64) -> Option<u32> {
        let empty = match self.probe(id, h) {
            Ok(sym) => return Some(sym),
            Err(empty) => empty,
        };
        let bytes = id.as_bytes();
        let sym = self.len() as u32;
        self.text.push_str(id);
        self.starts.push(u32::try_from(self.text.len()).ok()?);
        self.slots[empty] = [prefix(bytes), label(h, bytes.len()) | (u64::from(sym) + 1)];
        if self.len() * 2 > self.slots.len() {
            self.grow();
        }
        Some(sym)
    }

    /// The symbol of `id` (hash `h`) if it has one; never adds it.
    pub fn find_hashed(&self, id: &str, h: u64) -> Option<u32> {
        self.probe(id, h).ok()
    }

    /// The symbol of `id`, or the empty slot where it would go.
    fn probe(&self, id: &str, h: u64) -> Result<u32, usize> {
        let bytes = id.as_bytes();
        let (first, want) = (prefix(bytes), label(h, bytes.len()));
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let [p, meta] = self.slots[i];
            if meta == 0 {
                return Err(i);
            }
            if p == first && meta & !0xffff_ffff == want {
                let sym = (meta as u32) - 1;
                if bytes.len() <= 8 || self.get(sym) == id {
                    return Ok(sym);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the table and places every symbol again.
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mask = size - 1;
        let mut slots = empty_table(size);
        for sym in 0..self.len() as u32 {
            let bytes = self.get(sym).as_bytes();
            let h = hash(bytes);
            let mut i = h as usize & mask;
            while slots[i][1] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = [prefix(bytes), label(h, bytes.len()) | (u64::from(sym) + 1)];
        }
        self.slots = slots;
    }
}

/// `size` empty slots, every page of them written once. A zeroed
/// allocation is mapped lazily: a probe's first read of a page would map
/// the shared zero page, and the first insert into that page would then
/// copy it and flush the page from the TLB of every core. On a file of a
/// million ids that was about 5 % of `analyze`'s processor time.
fn empty_table(size: usize) -> Vec<[u64; 2]> {
    // A page holds 256 slots of 16 bytes.
    const PER_PAGE: usize = 4096 / 16;
    let mut slots = vec![[0u64; 2]; size];
    for slot in slots.iter_mut().step_by(PER_PAGE) {
        // Opaque to the compiler, so the store of a zero is not dropped.
        *slot = std::hint::black_box([0, 0]);
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_id_gets_the_same_symbol_and_new_ids_new_ones() {
        let mut t = Interner::default();
        let ids: Vec<String> = (0..5000).map(|i| format!("e{i:07}")).collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.intern(id), Some(i as u32));
        }
        for (i, id) in ids.iter().enumerate().rev() {
            assert_eq!(t.intern(id), Some(i as u32));
            assert_eq!(t.get(i as u32), id);
        }
        assert_eq!(t.intern(""), Some(5000));
        assert_eq!(t.intern("\0"), Some(5002 - 1), "padding is not a key byte");
        assert_eq!(t.intern("海康威視"), Some(5002));
        assert_eq!(t.intern("海康威視"), Some(5002));
        assert_eq!(t.intern("a-long-identifier-1"), Some(5003));
        assert_eq!(t.intern("a-long-identifier-2"), Some(5004));
        assert_eq!(t.intern("a-long-identifier-1"), Some(5003));
        assert_eq!(t.len(), 5005);
    }
}
