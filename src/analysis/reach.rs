//! Reach: how many distinct restricted entities an entity sells to,
//! directly or through entities that are not restricted.
//!
//! Restricted targets are numbered and handled up to 1,024 at a time: one
//! bitset per component (every entity of a component reaches the same
//! set) is propagated over the components sinks first, and its bits are
//! counted; a component that adds nothing to one of its buyers' sets
//! shares that set. The bitsets are as wide as the targets need, so a
//! graph with under a thousand restricted buyers takes one pass.

use super::scc::Sccs;
use crate::graph::Net;
use crate::prefetch::{prefetch, AHEAD};

/// The widest bitset, in 64-bit words.
const MAX_WORDS: usize = 16;

/// The restricted buyers an edge can count: in R, not licensed.
struct Targets {
    /// Target number of each entity, or `u32::MAX`.
    number: Vec<u32>,
    count: usize,
}

fn targets(net: &Net, in_r: &[bool], licensed: &[bool]) -> Targets {
    let mut is_target = vec![false; net.n];
    for (&u, &lic) in net.buyer.iter().zip(licensed) {
        let u = u as usize;
        is_target[u] |= in_r[u] && !lic;
    }
    let mut number = vec![u32::MAX; net.n];
    let mut count = 0;
    for (v, _) in is_target.iter().enumerate().filter(|(_, &t)| t) {
        number[v] = count as u32;
        count += 1;
    }
    Targets { number, count }
}

/// One pass over a chunk of targets: `words` words a set.
struct Pass<'a> {
    net: &'a Net,
    in_r: &'a [bool],
    licensed: &'a [bool],
    targets: &'a Targets,
    first: usize,
    words: usize,
}

impl Pass<'_> {
    /// Sets in `bits` the bit of edge `e`'s buyer when it is a target of
    /// this chunk; returns whether the buyer is restricted.
    #[inline]
    fn mark(&self, e: usize, bits: &mut [u64]) -> bool {
        let u = self.net.buyer[e] as usize;
        if !self.in_r[u] {
            return false;
        }
        if !self.licensed[e] {
            let k = self.targets.number[u] as usize;
            if (self.first..self.first + self.words * 64).contains(&k) {
                let k = k - self.first;
                bits[k / 64] |= 1 << (k % 64);
            }
        }
        true
    }
}

fn count(bits: &[u64]) -> u32 {
    bits.iter().map(|w| w.count_ones()).sum()
}

fn or_into(acc: &mut [u64], other: &[u64]) {
    for (a, s) in acc.iter_mut().zip(other) {
        *a |= s;
    }
}

/// How wide the sets are: enough for every target, up to the maximum.
fn words_for(targets: usize) -> usize {
    targets.div_ceil(64).clamp(1, MAX_WORDS)
}

/// Reach of every entity, over the components of the edges into
/// non-restricted buyers (`sccs`).
///
/// # Complexity
/// O((V + E) · ⌈targets / 1024⌉) time, O(components + distinct sets ·
/// min(targets, 1024) / 8) bytes.
pub fn reach(net: &Net, in_r: &[bool], licensed: &[bool], sccs: &Sccs) -> Vec<u32> {
    let mut reach = vec![0u32; net.n];
    reach_into(net, in_r, licensed, sccs, &mut reach);
    reach
}

/// Reach of the members of `sccs` into `reach`, the others left as they
/// are. The components must hold every entity a member reaches through
/// entities not in R (they are closed downstream), so that each one's set
/// is built from its buyers' sets.
///
/// # Complexity
/// As [`reach`], over the members and their edges, plus O(E) to number
/// the targets.
pub fn reach_into(net: &Net, in_r: &[bool], licensed: &[bool], sccs: &Sccs, reach: &mut [u32]) {
    let t = targets(net, in_r, licensed);
    let words = words_for(t.count);
    for &v in &sccs.members {
        reach[v as usize] = 0;
    }
    // One set per component (every member reaches the same). Most
    // components reach what one of their buyers reaches and nothing more
    // (upstream of a large core, nearly all): such a component points to
    // that buyer's set; only a set that adds to every buyer's is stored.
    let mut set_of = vec![NO_SET; sccs.len()];
    let mut pool: Vec<u64> = Vec::new();
    let mut acc = vec![0u64; words];
    // The distinct buyers' sets a component's set is made of, the first few.
    let mut parts: Vec<u32> = Vec::with_capacity(PARTS);
    let comp_of = |u: usize| sccs.comp_of[u] as usize;
    for first in (0..t.count).step_by(words * 64) {
        set_of.iter_mut().for_each(|s| *s = NO_SET);
        pool.clear();
        let pass = Pass {
            net,
            in_r,
            licensed,
            targets: &t,
            first,
            words,
        };
        for c in 0..sccs.len() {
            // A buyer's set is found through its component: ask for the
            // component numbers first, then, nearer, for their sets.
            net.prefetch_sales(
                c,
                |k| sccs.first_member(k),
                |u| {
                    prefetch(in_r, u);
                    prefetch(&sccs.comp_of, u);
                },
            );
            if let Some(v) = sccs.first_member(c + AHEAD / 8) {
                for &u in &net.buyer[net.sales(v)] {
                    prefetch(&set_of, comp_of(u as usize));
                }
            }
            let comp = sccs.comp(c);
            acc.iter_mut().for_each(|w| *w = 0);
            parts.clear();
            for &v in comp {
                for e in net.sales(v) {
                    if pass.mark(e, &mut acc) {
                        continue;
                    }
                    let k = comp_of(net.buyer[e] as usize);
                    // (`get`: a buyer outside the components, which the
                    // caller's closure rules out, is passed over.)
                    let set = match set_of.get(k) {
                        Some(&set) if k != c && set != NO_SET => set,
                        _ => continue,
                    };
                    if parts.len() < PARTS && !parts.contains(&set) {
                        parts.push(set);
                    }
                    or_into(&mut acc, stored(&pool, set, words));
                }
            }
            let count = count(&acc);
            if count == 0 {
                continue;
            }
            set_of[c] = match parts.iter().find(|&&p| stored(&pool, p, words) == acc) {
                Some(&p) => p,
                None => {
                    pool.extend_from_slice(&acc);
                    (pool.len() / words - 1) as u32
                }
            };
            for &v in comp {
                reach[v as usize] += count;
            }
        }
    }
}

/// No set: the component reaches none of this pass's targets.
const NO_SET: u32 = u32::MAX;

/// How many of a component's buyers' sets are compared with its own.
const PARTS: usize = 4;

/// Set number `set` of `pool`.
fn stored(pool: &[u64], set: u32, words: usize) -> &[u64] {
    &pool[set as usize * words..(set as usize + 1) * words]
}

/// Reach within `k` edges (`--max-depth`).
///
/// # Complexity
/// O(k · (V + E) · ⌈targets / 1024⌉).
pub fn reach_within(net: &Net, in_r: &[bool], licensed: &[bool], k: u32) -> Vec<u32> {
    let t = targets(net, in_r, licensed);
    let words = words_for(t.count);
    let mut reach = vec![0u32; net.n];
    let mut prev = vec![0u64; net.n * words];
    let mut next = vec![0u64; net.n * words];
    for first in (0..t.count).step_by(words * 64) {
        let pass = Pass {
            net,
            in_r,
            licensed,
            targets: &t,
            first,
            words,
        };
        prev.iter_mut().for_each(|w| *w = 0);
        for _ in 0..k {
            for v in 0..net.n {
                let (before, after) = (&prev, &mut next[v * words..(v + 1) * words]);
                after.iter_mut().for_each(|w| *w = 0);
                for e in net.sales(v as u32) {
                    if !pass.mark(e, after) {
                        let u = net.buyer[e] as usize;
                        or_into(after, &before[u * words..(u + 1) * words]);
                    }
                }
            }
            std::mem::swap(&mut prev, &mut next);
            if prev == next {
                break;
            }
        }
        for (v, r) in reach.iter_mut().enumerate() {
            *r += count(&prev[v * words..(v + 1) * words]);
        }
    }
    reach
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_grow_with_the_targets_up_to_a_cap() {
        assert_eq!(words_for(0), 1);
        assert_eq!(words_for(64), 1);
        assert_eq!(words_for(65), 2);
        assert_eq!(words_for(100_000), MAX_WORDS);
    }
}
