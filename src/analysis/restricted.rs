//! Which entities are restricted: the listings in effect (L), the
//! affiliates rule (R), and the possibly restricted set (R+) for stakes of
//! unknown size (exposure spec, sections 1 and 2).

use std::collections::VecDeque;

use super::Options;
use crate::graph::Net;
use crate::model::EntityIx;
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

/// A member of R+ with the names of the lists behind it, as reports show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    pub entity: EntityIx,
    pub via: Via,
    /// Names of the lists behind it (`what-if` for `--list`).
    pub lists: Vec<String>,
}

impl Restricted {
    /// The members of R+ that `keep` keeps, with their lists by name: R
    /// first, then the possibly restricted, each part by id.
    ///
    /// # Complexity
    /// O(|R+| log |R+|) id comparisons.
    pub fn named<'a>(
        &self,
        keep: impl Fn(EntityIx) -> bool,
        id: impl Fn(EntityIx) -> &'a str,
    ) -> Vec<Named> {
        let mut named: Vec<Named> = self
            .members
            .iter()
            .filter(|(v, _, _)| keep(*v))
            .map(|(v, via, lists)| Named {
                entity: *v,
                via: *via,
                lists: lists
                    .iter()
                    .map(|&l| self.list_names[l as usize].clone())
                    .collect(),
            })
            .collect();
        named.sort_by(|a, b| {
            let possible = |e: &Named| e.via == Via::PossibleAffiliate;
            possible(a)
                .cmp(&possible(b))
                .then_with(|| id(a.entity).cmp(id(b.entity)))
        });
        named
    }

    /// Computes L, R and R+.
    ///
    /// # Complexity
    /// O(V + listings + stakes · lists).
    pub fn of(net: &Net, opts: &Options) -> Restricted {
        let n = net.n;
        let mut list_names = net.list_names.clone();
        // The lists of each listed entity, as (entity, list) pairs: few
        // entities are listed, and a list per entity of a large graph
        // would be written and freed on every evaluation.
        let mut listed: Vec<(EntityIx, ListRef)> = Vec::new();
        let wanted = |name: &str| {
            opts.settings
                .lists
                .as_ref()
                .is_none_or(|names| names.iter().any(|w| w == name))
        };
        for l in &net.listings {
            let live = match opts.settings.as_of {
                Some(d) => l.start.is_none_or(|s| s <= d) && l.end.is_none_or(|e| d < e),
                None => l.end.is_none(),
            };
            if live && wanted(&net.list_names[l.list as usize]) {
                listed.push((l.entity, l.list));
            }
        }
        listed.retain(|(v, _)| !opts.delist.contains(v));
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
            listed.push((w.entity, r as ListRef));
        }
        listed.sort_unstable();
        listed.dedup();
        let mut in_r = vec![false; n];
        let mut members = Vec::new();
        for run in listed.chunk_by(|a, b| a.0 == b.0) {
            let v = run[0].0;
            in_r[v as usize] = true;
            members.push((v, Via::Listing, run.iter().map(|&(_, l)| l).collect()));
        }
        let Some(t) = opts.settings.affiliates else {
            return Restricted {
                in_r_plus: in_r.clone(),
                in_r,
                members,
                list_names,
            };
        };
        let mut lists: Vec<Vec<ListRef>> = vec![Vec::new(); n];

        // R: restricted owners' known stakes, added up, reach t.
        let mut held = vec![0.0f64; n];
        let mut i = 0;
        while i < members.len() {
            let owner = members[i].0;
            let owner_lists = members[i].2.clone();
            for s in net.stakes(owner) {
                let (v, Some(p)) = (net.owned[s] as usize, net.percent[s]) else {
                    continue;
                };
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
                let room = if unknown[v] {
                    100.0 - net.known_owned[v]
                } else {
                    0.0
                };
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
        Restricted {
            in_r,
            in_r_plus,
            members,
            list_names,
        }
    }
}

/// One entity of an ownership chain: why it is in R and, for an affiliate,
/// the restricted owners whose stakes brought it in.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainLink {
    pub entity: EntityIx,
    pub via: Via,
    pub lists: Vec<ListRef>,
    /// For an affiliate: its owners that joined R before it, with their
    /// known percents, largest first (ties: the order they joined R).
    /// Empty for a listed entity.
    pub owners: Vec<(EntityIx, f64)>,
}

impl Restricted {
    /// The ownership chain behind each entity of `ends`: the entity's own
    /// link first, then every owner up the chain once, breadth first, down
    /// to entities restricted by a listing. Only owners that joined R
    /// before an entity count for it, so a chain never loops. A possibly
    /// restricted entity has its own link alone; an entity not in R+ has
    /// an empty chain.
    ///
    /// # Complexity
    /// O(V + stakes) once, plus the size of the chains.
    pub fn chains(&self, net: &Net, ends: &[EntityIx]) -> Vec<Vec<ChainLink>> {
        let n = net.n;
        let mut pos = vec![u32::MAX; n];
        for (i, (v, via, _)) in self.members.iter().enumerate() {
            if *via != Via::PossibleAffiliate {
                pos[*v as usize] = i as u32;
            }
        }
        // Stakes by the entity owned: (owner, percent) runs, as CSR.
        let mut start = vec![0u32; n + 1];
        for &v in net.owned.iter() {
            start[v as usize + 1] += 1;
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let mut fill: Vec<u32> = start[..n].to_vec();
        let mut held_by = vec![(0u32, None); net.owned.len()];
        for owner in 0..n as EntityIx {
            for s in net.stakes(owner) {
                let v = net.owned[s] as usize;
                held_by[fill[v] as usize] = (owner, net.percent[s]);
                fill[v] += 1;
            }
        }

        let mut seen = vec![false; n];
        ends.iter()
            .map(|&end| {
                let mut chain = Vec::new();
                if pos[end as usize] == u32::MAX {
                    // A possible affiliate (an end of X's paths) says so,
                    // with the lists of the owners that may bring it in.
                    let possible = self.members.iter().find(|m| m.0 == end);
                    if let Some((_, via, lists)) = possible {
                        chain.push(ChainLink {
                            entity: end,
                            via: *via,
                            lists: lists.clone(),
                            owners: Vec::new(),
                        });
                    }
                    return chain;
                }
                let mut queue = VecDeque::from([end]);
                seen[end as usize] = true;
                while let Some(w) = queue.pop_front() {
                    let (_, via, lists) = &self.members[pos[w as usize] as usize];
                    let mut owners: Vec<(EntityIx, f64)> = Vec::new();
                    if *via == Via::Affiliate {
                        let stakes =
                            &held_by[start[w as usize] as usize..start[w as usize + 1] as usize];
                        for &(o, p) in stakes {
                            if let Some(p) = p.filter(|_| pos[o as usize] < pos[w as usize]) {
                                owners.push((o, p));
                            }
                        }
                        owners.sort_by(|a, b| {
                            b.1.total_cmp(&a.1)
                                .then(pos[a.0 as usize].cmp(&pos[b.0 as usize]))
                        });
                        for &(o, _) in &owners {
                            if !std::mem::replace(&mut seen[o as usize], true) {
                                queue.push_back(o);
                            }
                        }
                    }
                    chain.push(ChainLink {
                        entity: w,
                        via: *via,
                        lists: lists.clone(),
                        owners,
                    });
                }
                for link in &chain {
                    seen[link.entity as usize] = false;
                }
                chain
            })
            .collect()
    }
}
