//! Reach: how many distinct restricted entities an entity sells to,
//! directly or through entities that are not restricted.
//!
//! Restricted targets are numbered and handled 256 at a time: one bitset
//! per entity is propagated over the components sinks first (every entity
//! of a component reaches the same set), and its bits are counted.

use super::scc::Sccs;
use crate::graph::Net;

const WORDS: usize = 4;
type Bits = [u64; WORDS];
const CHUNK: usize = WORDS * 64;

/// The restricted buyers an edge can count: in R, not licensed.
struct Targets {
    /// Target number of each entity, or `u32::MAX`.
    number: Vec<u32>,
    count: usize,
}

fn targets(net: &Net, in_r: &[bool], licensed: &[bool]) -> Targets {
    let mut is_target = vec![false; net.n];
    for e in 0..net.edge_count() {
        let u = net.buyer[e] as usize;
        is_target[u] |= in_r[u] && !licensed[e];
    }
    let mut number = vec![u32::MAX; net.n];
    let mut count = 0;
    for (v, _) in is_target.iter().enumerate().filter(|(_, &t)| t) {
        number[v] = count as u32;
        count += 1;
    }
    Targets { number, count }
}

/// Sets in `bits` the target bit of edge `e`'s buyer when it is a target
/// of this chunk; returns whether the buyer is restricted.
#[inline]
fn mark(net: &Net, in_r: &[bool], licensed: &[bool], t: &Targets, first: usize, e: usize, bits: &mut Bits) -> bool {
    let u = net.buyer[e] as usize;
    if !in_r[u] {
        return false;
    }
    if !licensed[e] {
        let k = t.number[u] as usize;
        if (first..first + CHUNK).contains(&k) {
            let k = k - first;
            bits[k / 64] |= 1 << (k % 64);
        }
    }
    true
}

fn count(bits: &Bits) -> u32 {
    bits.iter().map(|w| w.count_ones()).sum()
}

/// Reach of every entity, over the components of the edges into
/// non-restricted buyers (`sccs`).
///
/// # Complexity
/// O((V + E) · ⌈targets / 256⌉).
pub fn reach(net: &Net, in_r: &[bool], licensed: &[bool], sccs: &Sccs) -> Vec<u32> {
    let t = targets(net, in_r, licensed);
    let mut reach = vec![0u32; net.n];
    let mut sets: Vec<Bits> = vec![[0; WORDS]; net.n];
    for first in (0..t.count).step_by(CHUNK) {
        for c in 0..sccs.len() {
            let comp = sccs.comp(c);
            let mut acc: Bits = [0; WORDS];
            for &v in comp {
                for e in net.sales(v) {
                    if mark(net, in_r, licensed, &t, first, e, &mut acc) {
                        continue;
                    }
                    let u = net.buyer[e] as usize;
                    if sccs.comp_of[u] as usize != c {
                        for (a, s) in acc.iter_mut().zip(sets[u]) {
                            *a |= s;
                        }
                    }
                }
            }
            let k = count(&acc);
            for &v in comp {
                sets[v as usize] = acc;
                reach[v as usize] += k;
            }
        }
    }
    reach
}

/// Reach within `k` edges (`--max-depth`).
///
/// # Complexity
/// O(k · (V + E) · ⌈targets / 256⌉).
pub fn reach_within(net: &Net, in_r: &[bool], licensed: &[bool], k: u32) -> Vec<u32> {
    let t = targets(net, in_r, licensed);
    let mut reach = vec![0u32; net.n];
    let mut prev: Vec<Bits> = vec![[0; WORDS]; net.n];
    let mut next: Vec<Bits> = vec![[0; WORDS]; net.n];
    for first in (0..t.count).step_by(CHUNK) {
        prev.iter_mut().for_each(|s| *s = [0; WORDS]);
        for _ in 0..k {
            for v in 0..net.n {
                let mut acc: Bits = [0; WORDS];
                for e in net.sales(v as u32) {
                    if !mark(net, in_r, licensed, &t, first, e, &mut acc) {
                        for (a, s) in acc.iter_mut().zip(prev[net.buyer[e] as usize]) {
                            *a |= s;
                        }
                    }
                }
                next[v] = acc;
            }
            std::mem::swap(&mut prev, &mut next);
            if prev == next {
                break;
            }
        }
        for (r, s) in reach.iter_mut().zip(&prev) {
            *r += count(s);
        }
    }
    reach
}
