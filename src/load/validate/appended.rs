//! The rules a record appended to a valid graph can break, checked on
//! that record and on the sums it joins only: a scenario's copy gets one
//! record at a time, and a pass over every relationship for each would
//! cost more than the scenario's evaluation. Each check gives the same
//! messages, in the same order, as [`super::check`] of the whole graph.

use std::borrow::Cow;

use super::{
    over_budget, over_cap, over_owned, relationship, repeated, repeated_name, revenue, segment,
    Counts, UNRESOLVED,
};
use crate::load::Problems;
use crate::model::{EntityIx, Model, RelType, Relationship, SegmentRef};

/// The valid graph a scenario's copy appends records to: its
/// relationships, and its supplies relationships by seller (a net's
/// `sell_start` and `rel`: seller `v`'s are `rel[start[v]..start[v +
/// 1]]`, by index ascending).
#[derive(Clone, Copy, Debug)]
pub struct Loaded<'a> {
    pub start: &'a [u32],
    pub rel: &'a [u32],
    pub relationships: &'a [Relationship],
}

/// A copy of a [`Loaded`] graph with records appended, as the checks of
/// those records read it. `model` holds the copy's rows (entities,
/// segments, text: the loaded graph's first, then the appended ones) but
/// only the relationships it appended: the copy's relationship
/// `loaded.relationships.len() + k` is `model.relationships[k]`, the ones
/// before it the loaded graph's. `joined`: relationships of the loaded
/// graph that the copy put in a segment, with that segment.
#[derive(Clone, Copy, Debug)]
pub struct Appending<'a> {
    pub model: &'a Model,
    pub loaded: Loaded<'a>,
    pub joined: &'a [(usize, usize)],
}

/// What a copy of records appended to a [`Loaded`] graph is read over:
/// that graph, and the relationships of it the copy put in a new segment,
/// with that segment (`load::append_seeded`).
pub type Onto<'a> = (Loaded<'a>, &'a [(usize, usize)]);

impl<'a> Appending<'a> {
    /// The copy `model` (its rows and appended relationships) of the
    /// graph `onto` names.
    pub fn new(model: &'a Model, (loaded, joined): Onto<'a>) -> Appending<'a> {
        Appending {
            model,
            loaded,
            joined,
        }
    }

    /// The number of the copy's relationships.
    pub fn relationships(&self) -> usize {
        self.loaded.relationships.len() + self.model.relationships.len()
    }

    /// Relationship `i` of the copy.
    pub fn rel(&self, i: usize) -> Cow<'a, Relationship> {
        let model: &'a Model = self.model;
        match i.checked_sub(self.loaded.relationships.len()) {
            Some(k) => Cow::Borrowed(&model.relationships[k]),
            None => {
                let r = &self.loaded.relationships[i];
                match self.joined.iter().find(|&&(j, _)| j == i) {
                    Some(&(_, s)) => Cow::Owned(Relationship {
                        segment: SegmentRef::new(s),
                        ..r.clone()
                    }),
                    None => Cow::Borrowed(r),
                }
            }
        }
    }

    /// The supplies relationship of the copy from `seller` to `buyer`, if
    /// any.
    pub fn find(&self, seller: EntityIx, buyer: EntityIx) -> Option<usize> {
        self.sales_of(seller)
            .into_iter()
            .find(|&i| self.rel(i).to == buyer)
    }

    /// The supplies relationships of seller `v` in the copy, by index
    /// ascending.
    fn sales_of(&self, v: EntityIx) -> Vec<usize> {
        let (v, loaded) = (v as usize, &self.loaded);
        let indexed = match (loaded.start.get(v), loaded.start.get(v + 1)) {
            (Some(&a), Some(&b)) => &loaded.rel[a as usize..b as usize],
            _ => &[],
        };
        let base = loaded.relationships.len();
        let appended = self
            .model
            .relationships
            .iter()
            .enumerate()
            .filter(|(_, r)| r.rel == RelType::Supplies && r.from as usize == v)
            .map(|(k, _)| base + k);
        indexed
            .iter()
            .map(|&i| i as usize)
            .chain(appended)
            .collect()
    }
}

/// Sums `count(i)` over the relationships `rels` (ascending) as
/// [`super::check`] does: in two halves of the graph's relationships, each
/// in index order, the second added to the first.
fn sum_in_halves(
    copy: &Appending<'_>,
    rels: impl Iterator<Item = usize>,
    count: impl Fn(usize) -> f64,
) -> f64 {
    let half = copy.relationships() / 2;
    let (mut first, mut second) = (0.0f64, 0.0f64);
    for i in rels {
        match i < half {
            true => first += count(i),
            false => second += count(i),
        }
    }
    first + second
}

/// What sale `i` of the copy counts toward its seller's budget
/// (`in_segment` None), or toward segment `in_segment`'s cap, as
/// [`super::check`] counts it.
fn counted(copy: &Appending<'_>, sellers: &[EntityIx], i: usize, in_segment: Option<usize>) -> f64 {
    let mut ignored = Problems::default();
    let r = copy.rel(i);
    match (
        relationship(copy.model, sellers, (i, &r), &mut ignored),
        in_segment,
    ) {
        (Counts::Sale { counted, .. }, None) => counted,
        (Counts::Sale { counted, segment }, Some(s)) if segment == Some(s) && counted > 0.0 => {
            counted
        }
        _ => 0.0,
    }
}

/// Rule 7 for entity `i`, appended to a valid graph.
pub(in crate::load) fn new_entity(model: &Model, i: usize, problems: &mut Problems) {
    revenue(model, i, problems);
}

/// Rule 11 for segment `i`, appended to a valid graph, and rule 13 for
/// its edges so far.
pub(in crate::load) fn new_segment(copy: &Appending<'_>, i: usize, problems: &mut Problems) {
    let model = copy.model;
    segment(model, i, problems);
    let s = &model.segments[i];
    if s.seller != UNRESOLVED && (s.seller as usize) < model.entities.len() {
        let same = |j: &usize| {
            let t = &model.segments[*j];
            t.seller == s.seller && model.str(t.name) == model.str(s.name)
        };
        if let Some(j) = (0..i).find(same) {
            repeated_name(model, i, j, s.seller, problems);
        }
    }
    segment_sum(copy, i, problems);
}

/// Rule 13 for segment `i` of a graph valid but for that segment's edges.
pub(in crate::load) fn segment_sum(copy: &Appending<'_>, i: usize, problems: &mut Problems) {
    let model = copy.model;
    let seller = model.segments[i].seller;
    if seller == UNRESOLVED || seller as usize >= model.entities.len() {
        return;
    }
    let sellers = sellers(model);
    let sum = sum_in_halves(copy, copy.sales_of(seller).into_iter(), |j| {
        counted(copy, &sellers, j, Some(i))
    });
    over_cap(model, i, sum, problems);
}

/// Rules 5 to 9, 12 and 13 for relationship `i`, appended to a valid graph:
/// the record, and the budget, ownership or segment it joins.
///
/// # Complexity
/// O(the seller's sales + the appended relationships) for a sale;
/// O(relationships) for a stake (stakes are not indexed by owned entity).
pub(in crate::load) fn new_relationship(copy: &Appending<'_>, i: usize, problems: &mut Problems) {
    let model = copy.model;
    let sellers = sellers(model);
    let r = copy.rel(i);
    let same = |j: &usize| {
        let o = copy.rel(*j);
        o.rel == r.rel && o.from == r.from && o.to == r.to
    };
    match relationship(model, &sellers, (i, &r), problems) {
        Counts::Nothing => {}
        Counts::Sale { segment, .. } => {
            let run = copy.sales_of(r.from);
            let sum = sum_in_halves(copy, run.iter().copied(), |j| {
                counted(copy, &sellers, j, None)
            });
            over_budget(model, r.from as usize, sum, problems);
            if let Some(s) = segment {
                let sum = sum_in_halves(copy, run.iter().copied(), |j| {
                    counted(copy, &sellers, j, Some(s))
                });
                over_cap(model, s, sum, problems);
            }
            if let Some(&first) = run.iter().find(|j| **j != i && same(j)) {
                repeated(model, (i, &r), first, problems);
            }
        }
        Counts::Stake(_) => {
            // Stakes are not indexed by the entity they hold: one pass.
            let held =
                |o: &Relationship| o.rel == RelType::Owns && o.to == r.to && o.from != UNRESOLVED;
            let all = copy.loaded.relationships.iter().chain(&model.relationships);
            let stakes: Vec<usize> = all
                .enumerate()
                .filter(|(_, o)| held(o))
                .map(|(j, _)| j)
                .collect();
            let sum = sum_in_halves(copy, stakes.iter().copied(), |j| {
                copy.rel(j).percent.get().unwrap_or(0.0)
            });
            over_owned(model, r.to as usize, sum, problems);
            if let Some(&first) = stakes.iter().find(|&&j| j < i && same(&j)) {
                repeated(model, (i, &r), first, problems);
            }
        }
    }
}

/// Each segment's seller.
fn sellers(model: &Model) -> Vec<EntityIx> {
    model.segments.iter().map(|s| s.seller).collect()
}
