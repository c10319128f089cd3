//! Which entities are restricted: the listings in effect (L), the
//! affiliates rule (R), and the possibly restricted set (R+) for stakes of
//! unknown size (exposure spec, sections 1 and 2).

use super::Options;
use crate::graph::Net;
use crate::tolerance::reaches;

/// Why an entity is in R+.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// It has a listing in effect.
    Listing,
    /// Restricted owners hold at least the threshold of it.
    Affiliate,
    /// Only stakes of unknown size could bring it to the threshold.
    PossibleAffiliate,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Listing => "listing",
            Via::Affiliate => "affiliate",
            Via::PossibleAffiliate => "possible_affiliate",
        }
    }
}

/// A list an entity is restricted under: an index into `Net::list_names`,
/// or [`WHAT_IF`] for a listing added by `--list`.
pub type ListRef = u32;

/// The list of a what-if listing (`--list ID`).
pub const WHAT_IF: ListRef = u32::MAX;

/// The restricted sets of one evaluation.
#[derive(Clone, Debug)]
pub struct Restricted {
    /// Membership in R.
    pub in_r: Vec<bool>,
    /// Membership in R+ (a superset of R).
    pub in_r_plus: Vec<bool>,
    /// Each member of R+ (in the order they were found) with why, and the
    /// lists behind it (for affiliates, the lists of the owners that
    /// brought it in), sorted and without repeats.
    pub members: Vec<(u32, Via, Vec<ListRef>)>,
}

impl Restricted {
    /// Computes L, R and R+.
    ///
    /// # Complexity
    /// O(V + listings + stakes · lists).
    pub fn of(net: &Net, opts: &Options) -> Restricted {
        let n = net.n;
        let mut lists: Vec<Vec<ListRef>> = vec![Vec::new(); n];
        let wanted = |list: u32| match &opts.lists {
            None => true,
            Some(names) => names.iter().any(|w| *w == net.list_names[list as usize]),
        };
        for l in &net.listings {
            let live = match opts.as_of {
                Some(d) => l.start.is_none_or(|s| s <= d) && l.end.is_none_or(|e| d < e),
                None => l.end.is_none(),
            };
            if live && wanted(l.list) {
                lists[l.entity as usize].push(l.list);
            }
        }
        for &v in &opts.list {
            lists[v as usize].push(WHAT_IF);
        }
        for &v in &opts.delist {
            lists[v as usize].clear();
        }
        let mut in_r = vec![false; n];
        let mut members = Vec::new();
        for v in 0..n {
            if !lists[v].is_empty() {
                in_r[v] = true;
                lists[v].sort_unstable();
                lists[v].dedup();
                members.push((v as u32, Via::Listing, std::mem::take(&mut lists[v])));
            }
        }
        let Some(t) = opts.affiliates else {
            return Restricted { in_r_plus: in_r.clone(), in_r, members };
        };

        // R: restricted owners' known stakes, added up, reach t.
        let mut held = vec![0.0f64; n];
        let mut i = 0;
        while i < members.len() {
            let owner = members[i].0;
            let owner_lists = members[i].2.clone();
            for s in net.stakes(owner) {
                let (v, Some(p)) = (net.owned[s] as usize, net.percent[s]) else { continue };
                if in_r[v] {
                    continue;
                }
                held[v] += p;
                lists[v].extend_from_slice(&owner_lists);
                if reaches(held[v], t) {
                    in_r[v] = true;
                    let mut l = std::mem::take(&mut lists[v]);
                    l.sort_unstable();
                    l.dedup();
                    members.push((v as u32, Via::Affiliate, l));
                }
            }
            i += 1;
        }

        // R+: also count the room a stake of unknown size could fill.
        let mut in_r_plus = in_r.clone();
        let mut held = vec![0.0f64; n];
        let mut unknown = vec![false; n];
        let mut lists: Vec<Vec<ListRef>> = vec![Vec::new(); n];
        let mut i = 0;
        while i < members.len() {
            let owner = members[i].0;
            let owner_lists = members[i].2.clone();
            for s in net.stakes(owner) {
                let v = net.owned[s] as usize;
                if in_r_plus[v] {
                    continue;
                }
                match net.percent[s] {
                    Some(p) => held[v] += p,
                    None => unknown[v] = true,
                }
                lists[v].extend_from_slice(&owner_lists);
                let room = if unknown[v] { 100.0 - net.known_owned[v] } else { 0.0 };
                if reaches(held[v] + room, t) {
                    in_r_plus[v] = true;
                    let mut l = std::mem::take(&mut lists[v]);
                    l.sort_unstable();
                    l.dedup();
                    members.push((v as u32, Via::PossibleAffiliate, l));
                }
            }
            i += 1;
        }
        Restricted { in_r, in_r_plus, members }
    }
}
