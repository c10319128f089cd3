//! Which entities are restricted: the listings in effect (L), the
//! affiliates rule (R), and the possibly restricted set (R+) for stakes of
//! unknown size (exposure spec, sections 1 and 2).

use super::Options;
use crate::model::EntityIx;
use crate::graph::Net;
use crate::tolerance::reaches;

/// The list name of a what-if listing given without one (`--list ID`).
pub const WHAT_IF: &str = "what-if";

/// A what-if listing: in effect whatever the date.
#[derive(Clone, Debug, PartialEq)]
pub struct WhatIfListing {
    pub entity: EntityIx,
    /// Its list; `None`: [`WHAT_IF`], which counts whatever `--lists`.
    pub list: Option<String>,
}

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

/// A list an entity is restricted under: an index into
/// [`Restricted::list_names`].
pub type ListRef = u32;

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
    /// The graph's list names, then the names of what-if listings that
    /// the graph does not use.
    pub list_names: Vec<String>,
}

impl Restricted {
    /// Computes L, R and R+.
    ///
    /// # Complexity
    /// O(V + listings + stakes · lists).
    pub fn of(net: &Net, opts: &Options) -> Restricted {
        let n = net.n;
        let mut list_names = net.list_names.clone();
        let mut lists: Vec<Vec<ListRef>> = vec![Vec::new(); n];
        let wanted = |name: &str| opts.lists.as_ref().is_none_or(|names| names.iter().any(|w| w == name));
        for l in &net.listings {
            let live = match opts.as_of {
                Some(d) => l.start.is_none_or(|s| s <= d) && l.end.is_none_or(|e| d < e),
                None => l.end.is_none(),
            };
            if live && wanted(&net.list_names[l.list as usize]) {
                lists[l.entity as usize].push(l.list);
            }
        }
        for &v in &opts.delist {
            lists[v as usize].clear();
        }
        // What-if listings count whatever the date; a named one only when
        // its list counts.
        for w in &opts.list {
            let name = w.list.as_deref().unwrap_or(WHAT_IF);
            if w.list.is_some() && !wanted(name) {
                continue;
            }
            let r = match list_names.iter().position(|x| x == name) {
                Some(i) => i,
                None => {
                    list_names.push(name.to_string());
                    list_names.len() - 1
                }
            };
            lists[w.entity as usize].push(r as ListRef);
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
            return Restricted { in_r_plus: in_r.clone(), in_r, members, list_names };
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
        Restricted { in_r, in_r_plus, members, list_names }
    }
}
