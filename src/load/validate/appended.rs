//! The rules a record appended to a valid graph can break, checked on
//! that record and on the sums it joins only: a scenario's copy gets one
//! record at a time, and a pass over every relationship for each would
//! cost more than the scenario's evaluation. Each check gives the same
//! messages, in the same order, as [`super::check`] of the whole graph.

use super::{
    over_budget, over_cap, over_owned, relationship, repeated, repeated_name, revenue, segment,
    Counts, UNRESOLVED,
};
use crate::load::Problems;
use crate::model::{EntityIx, Model, RelType};

/// The supplies relationships of a graph by seller: seller `v`'s are
/// `rel[start[v]..start[v + 1]]`, by index ascending (a net's
/// `sell_start` and `rel`), for the graph's first `relationships`
/// relationships. A copy with records appended has those of its first
/// relationships still; the rest are found among the appended ones.
#[derive(Clone, Copy, Debug)]
pub struct SalesBySeller<'a> {
    pub start: &'a [u32],
    pub rel: &'a [u32],
    pub relationships: usize,
}

impl SalesBySeller<'_> {
    /// The supplies relationship of `model` (the indexed graph with
    /// relationships appended) from `seller` to `buyer`, if any.
    pub fn find(&self, model: &Model, seller: EntityIx, buyer: EntityIx) -> Option<usize> {
        let rels = &model.relationships;
        self.of(model, seller)
            .into_iter()
            .find(|&i| rels[i].to == buyer)
    }

    /// The supplies relationships of seller `v` in `model` (the indexed
    /// graph with relationships appended), by index ascending.
    fn of(&self, model: &Model, v: EntityIx) -> Vec<usize> {
        let v = v as usize;
        let indexed = match (self.start.get(v), self.start.get(v + 1)) {
            (Some(&a), Some(&b)) => &self.rel[a as usize..b as usize],
            _ => &[],
        };
        let appended = model.relationships[self.relationships..]
            .iter()
            .enumerate()
            .filter(|(_, r)| r.rel == RelType::Supplies && r.from as usize == v)
            .map(|(i, _)| self.relationships + i);
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
    model: &Model,
    rels: impl Iterator<Item = usize>,
    count: impl Fn(usize) -> f64,
) -> f64 {
    let half = model.relationships.len() / 2;
    let (mut first, mut second) = (0.0f64, 0.0f64);
    for i in rels {
        match i < half {
            true => first += count(i),
            false => second += count(i),
        }
    }
    first + second
}

/// What sale `i` counts toward its seller's budget (`in_segment` None),
/// or toward segment `in_segment`'s cap, as [`super::check`] counts it.
fn counted(model: &Model, sellers: &[EntityIx], i: usize, in_segment: Option<usize>) -> f64 {
    let mut ignored = Problems::default();
    match (relationship(model, sellers, i, &mut ignored), in_segment) {
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
pub(in crate::load) fn new_segment(
    model: &Model,
    sales: &SalesBySeller<'_>,
    i: usize,
    problems: &mut Problems,
) {
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
    segment_sum(model, sales, i, problems);
}

/// Rule 13 for segment `i` of a graph valid but for that segment's edges.
pub(in crate::load) fn segment_sum(
    model: &Model,
    sales: &SalesBySeller<'_>,
    i: usize,
    problems: &mut Problems,
) {
    let seller = model.segments[i].seller;
    if seller == UNRESOLVED || seller as usize >= model.entities.len() {
        return;
    }
    let sellers = sellers(model);
    let sum = sum_in_halves(model, sales.of(model, seller).into_iter(), |j| {
        counted(model, &sellers, j, Some(i))
    });
    over_cap(model, i, sum, problems);
}

/// Rules 5 to 9, 12 and 13 for relationship `i`, appended to a valid graph:
/// the record, and the budget, ownership or segment it joins.
///
/// # Complexity
/// O(the seller's sales + the appended relationships) for a sale;
/// O(relationships) for a stake (stakes are not indexed by owned entity).
pub(in crate::load) fn new_relationship(
    model: &Model,
    sales: &SalesBySeller<'_>,
    i: usize,
    problems: &mut Problems,
) {
    let sellers = sellers(model);
    let r = &model.relationships[i];
    let same = |j: &usize| {
        let o = &model.relationships[*j];
        o.rel == r.rel && o.from == r.from && o.to == r.to
    };
    match relationship(model, &sellers, i, problems) {
        Counts::Nothing => {}
        Counts::Sale { segment, .. } => {
            let run = sales.of(model, r.from);
            let sum = sum_in_halves(model, run.iter().copied(), |j| {
                counted(model, &sellers, j, None)
            });
            over_budget(model, r.from as usize, sum, problems);
            if let Some(s) = segment {
                let sum = sum_in_halves(model, run.iter().copied(), |j| {
                    counted(model, &sellers, j, Some(s))
                });
                over_cap(model, s, sum, problems);
            }
            if let Some(&first) = run.iter().find(|j| **j != i && same(j)) {
                repeated(model, i, first, problems);
            }
        }
        Counts::Stake(_) => {
            let held = |j: &usize| {
                let o = &model.relationships[*j];
                o.rel == RelType::Owns && o.to == r.to && o.from != UNRESOLVED
            };
            let stakes = (0..model.relationships.len()).filter(held);
            let sum = sum_in_halves(model, stakes, |j| {
                model.relationships[j].percent.get().unwrap_or(0.0)
            });
            over_owned(model, r.to as usize, sum, problems);
            if let Some(first) = (0..i).find(same) {
                repeated(model, i, first, problems);
            }
        }
    }
}

/// Each segment's seller.
fn sellers(model: &Model) -> Vec<EntityIx> {
    model.segments.iter().map(|s| s.seller).collect()
}
