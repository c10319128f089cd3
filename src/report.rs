//! An evaluation shaped for output: which rows, in which order (and which
//! of them a table for people only names), with the restricted entities
//! listed as the CLI spec says. Every exporter writes a [`Report`]; none
//! of them chooses or orders rows itself.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use crate::analysis::{Options, Outcome, Settings};
use crate::model::{EntityIx, Model};
use crate::portfolio::Figures;

/// One member of R+, for the `restricted` array.
pub type RestrictedEntry = crate::analysis::restricted::Named;

/// Rows and restricted entities of one evaluation, ready to write.
pub struct Report<'a> {
    pub model: &'a Model,
    pub outcome: &'a Outcome,
    pub settings: Settings,
    /// R sorted by id, then R+ \ R sorted by id.
    pub restricted: Vec<RestrictedEntry>,
    /// The entities to print, in order.
    pub rows: Vec<EntityIx>,
    /// The portfolio's figures under this evaluation (`--portfolio`).
    pub portfolio: Option<Figures>,
    /// The what-if flags as given (`analyze`), to record in the output.
    pub what_ifs: Option<crate::scenario::WhatIfFlags>,
    /// The rows asked for.
    pub selection: Selection,
}

/// Which rows to keep.
#[derive(Clone, Copy, Debug, Default)]
pub struct Selection {
    /// Every entity, not only the exposed and restricted ones.
    pub all: bool,
    /// Keep the first N rows.
    pub top: Option<usize>,
}

impl<'a> Report<'a> {
    /// Picks and orders the rows: upper > 0 or in R+ (or all), by total
    /// descending, then upper descending, then id ascending.
    ///
    /// # Complexity
    /// O(V log V); O(V log top), plus sorting the ties at the `top`-th
    /// place, with a `top`.
    pub fn new(
        model: &'a Model,
        outcome: &'a Outcome,
        opts: &Options,
        sel: Selection,
    ) -> Report<'a> {
        let r = &outcome.restricted;
        let candidates = || {
            (0..model.entities.len() as EntityIx)
                .filter(|&v| sel.all || outcome.upper[v as usize] > 0.0 || r.in_r_plus[v as usize])
        };
        let rank = |a: &EntityIx, b: &EntityIx| outcome.rank(*a, *b, |v| model.id(v));
        let rows = match sel.top {
            Some(top) => {
                let key = |v: EntityIx| (outcome.total[v as usize], outcome.upper[v as usize]);
                first_rows(candidates, top, key, rank)
            }
            None => {
                let mut rows: Vec<EntityIx> = candidates().collect();
                rows.sort_by(rank);
                rows
            }
        };
        let restricted = r.named(|_| true, |v| model.id(v));
        Report {
            model,
            outcome,
            settings: opts.settings.clone(),
            what_ifs: None,
            restricted,
            rows,
            portfolio: None,
            selection: sel,
        }
    }

    /// Whether a table for people names entity `v` in one line instead of
    /// giving it a row: a restricted entity that sells nothing onward to
    /// restricted buyers would be a row of zeros. With `--all`, none is.
    fn named_only(&self, v: EntityIx) -> bool {
        !self.selection.all && self.is_restricted(v) && self.outcome.upper[v as usize] == 0.0
    }

    /// The rows of a table for people, in order: [`rows`](Report::rows)
    /// without the restricted entities it only names.
    pub fn table_rows(&self) -> Vec<EntityIx> {
        self.rows
            .iter()
            .copied()
            .filter(|&v| !self.named_only(v))
            .collect()
    }

    /// The restricted entities a table for people names in one line
    /// instead of rows, in the rows' order.
    pub fn named_rows(&self) -> Vec<EntityIx> {
        self.rows
            .iter()
            .copied()
            .filter(|&v| self.named_only(v))
            .collect()
    }

    /// Revenue at risk: share times revenue; `None` when revenue is unknown.
    pub fn at_risk(&self, v: EntityIx, share: f64) -> Option<f64> {
        self.model.entities[v as usize]
            .revenue
            .get()
            .map(|r| share * r)
    }

    /// Whether entity `v` is in R.
    pub fn is_restricted(&self, v: EntityIx) -> bool {
        self.outcome.restricted.in_r[v as usize]
    }

    /// Whether entity `v` is in R+ but not in R.
    pub fn is_possibly_restricted(&self, v: EntityIx) -> bool {
        let r = &self.outcome.restricted;
        r.in_r_plus[v as usize] && !r.in_r[v as usize]
    }
}

/// The first `top` of the rows `candidates` gives, in the order `rank`,
/// which puts a larger `key` (compared field by field, by `total_cmp`)
/// first and breaks ties of the key by other means (an entity's id: a
/// random read each). A first pass finds the `top`-th largest key with a
/// heap of `top` keys; a second keeps the rows whose key is at least that,
/// and only those are sorted by `rank`: the same rows in the same order as
/// a sort of them all.
///
/// # Complexity
/// O(rows · log top), plus selecting among the rows at or above the
/// `top`-th key (linear) and sorting `top` of them.
fn first_rows<I: Iterator<Item = EntityIx>>(
    candidates: impl Fn() -> I,
    top: usize,
    key: impl Fn(EntityIx) -> (f64, f64),
    rank: impl Fn(&EntityIx, &EntityIx) -> Ordering,
) -> Vec<EntityIx> {
    #[derive(Clone, Copy, PartialEq)]
    struct Key(f64, f64);
    impl Eq for Key {}
    impl PartialOrd for Key {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Key {
        fn cmp(&self, other: &Self) -> Ordering {
            self.0.total_cmp(&other.0).then(self.1.total_cmp(&other.1))
        }
    }
    let key = |v: EntityIx| {
        let (a, b) = key(v);
        Key(a, b)
    };
    // The `top` largest keys so far, the smallest on top.
    let mut best: BinaryHeap<Reverse<Key>> = BinaryHeap::with_capacity(top + 1);
    for v in candidates() {
        let k = key(v);
        if best.len() < top {
            best.push(Reverse(k));
        } else if best.peek().is_some_and(|Reverse(least)| k > *least) {
            best.pop();
            best.push(Reverse(k));
        }
    }
    // With fewer rows than `top`, the least key keeps them all.
    let mut rows: Vec<EntityIx> = match best.peek() {
        Some(&Reverse(least)) => candidates().filter(|&v| key(v) >= least).collect(),
        None => Vec::new(),
    };
    // Many rows may tie at the last place: only the first `top` of them
    // need sorting.
    if rows.len() > top {
        rows.select_nth_unstable_by(top - 1, &rank);
        rows.truncate(top);
    }
    rows.sort_by(rank);
    rows
}

/// Scenarios side by side (`whatif`'s table): the rows to show, every
/// entity exposed or possibly restricted in some scenario (every entity
/// with `all`), the largest change against the first scenario first, then
/// the first's lower bound descending, then by id; the first `top`.
///
/// Taken in one scenario at a time ([`SideBySide::add`], in order from the
/// first), so that a caller need hold only one scenario's numbers: what is
/// kept is the first scenario's (x, X) and R, and each entity's largest
/// change. Every scenario's model starts with the loaded graph's entities
/// in its order (a scenario only appends entities), so an entity of the
/// loaded graph is known by its index in every scenario, and one that a
/// scenario added by its id.
pub struct SideBySide<'a> {
    loaded: &'a Model,
    all: bool,
    /// Per entity of the loaded graph: exposed or possibly restricted in
    /// some scenario (or every entity, with `all`).
    shown: Vec<bool>,
    /// The entities scenarios added, in the order first seen.
    added: Vec<Added>,
    added_at: HashMap<String, usize>,
    /// Each scenario's added entities, as indexes into `added`, by its
    /// entity index less the loaded graph's count.
    added_of: Vec<Vec<usize>>,
    /// The first scenario's (x, X) and R, by its entity index.
    pub first: Vec<(f64, f64)>,
    pub first_in_r: Vec<bool>,
    /// The largest change against the first scenario, by the first's
    /// entity index.
    change: Vec<f64>,
    /// The rows, once chosen ([`SideBySide::choose`]).
    pub rows: Vec<Row>,
}

/// An entity that a scenario added.
struct Added {
    id: String,
    /// Its name in the first scenario that has it.
    name: String,
    shown: bool,
    /// Its index in the first scenario, if the first has it.
    in_first: Option<u32>,
    /// The largest change against the first, when the first lacks it.
    change: f64,
}

/// A row of the side-by-side table: an entity of the loaded graph (its
/// index), or one that scenarios added (its place in [`SideBySide`]'s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    Loaded(u32),
    Added(u32),
}

impl<'a> SideBySide<'a> {
    /// For scenarios of the graph `loaded`.
    pub fn new(loaded: &'a Model, all: bool) -> SideBySide<'a> {
        SideBySide {
            loaded,
            all,
            shown: vec![all; loaded.entities.len()],
            added: Vec::new(),
            added_at: HashMap::new(),
            added_of: Vec::new(),
            first: Vec::new(),
            first_in_r: Vec::new(),
            change: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// The number of the loaded graph's entities, which every scenario's
    /// model starts with.
    pub fn loaded(&self) -> usize {
        self.loaded.entities.len()
    }

    /// Takes in the next scenario's `model` and outcome `o` (the
    /// scenarios in order from the first).
    ///
    /// # Complexity
    /// O(entities).
    pub fn add(&mut self, model: &Model, o: &Outcome) {
        let (n, r) = (self.loaded(), &o.restricted);
        debug_assert!(
            model.entities.len() >= n && (0..n as u32).all(|v| model.id(v) == self.loaded.id(v))
        );
        let k = self.added_of.len();
        let shown = |v: usize| o.upper[v] > 0.0 || r.in_r_plus[v] && !r.in_r[v];
        if !self.all {
            for (v, s) in self.shown.iter_mut().enumerate() {
                *s |= shown(v);
            }
        }
        let mut added = Vec::new();
        for v in n..model.entities.len() {
            let id = model.id(v as u32);
            let a = *self
                .added_at
                .entry(id.to_string())
                .or_insert(self.added.len());
            if a == self.added.len() {
                self.added.push(Added {
                    id: id.to_string(),
                    name: model.name(v as u32).to_string(),
                    shown: self.all,
                    in_first: (k == 0).then_some(v as u32),
                    change: 0.0,
                });
            }
            self.added[a].shown |= shown(v);
            added.push(a);
        }
        self.added_of.push(added);
        if k == 0 {
            self.first = o
                .total
                .iter()
                .copied()
                .zip(o.upper.iter().copied())
                .collect();
            self.first_in_r = r.in_r.clone();
            self.change = vec![0.0; self.first.len()];
            return;
        }
        for v in 0..model.entities.len() {
            let (x, up) = (o.total[v], o.upper[v]);
            match self.at_first(k, v as u32) {
                Some(u) => {
                    let (x0, up0) = self.first[u as usize];
                    let c = &mut self.change[u as usize];
                    *c = c.max((x - x0).abs().max((up - up0).abs()));
                }
                None => {
                    let a = &mut self.added[self.added_of[k][v - n]];
                    a.change = a.change.max(x.abs().max(up.abs()));
                }
            }
        }
    }

    /// Entity `v` of scenario `k` in the first scenario, if the first has
    /// it.
    pub fn at_first(&self, k: usize, v: u32) -> Option<u32> {
        self.first_of(self.row_of(k, v))
    }

    /// Chooses the rows, once every scenario is in: the first `top`.
    ///
    /// # Complexity
    /// O(rows · log rows).
    pub fn choose(&mut self, top: Option<usize>) {
        let loaded = (0..self.loaded() as u32)
            .filter(|&v| self.shown[v as usize])
            .map(Row::Loaded);
        let added = (0..self.added.len() as u32)
            .filter(|&a| self.added[a as usize].shown)
            .map(Row::Added);
        let mut keyed: Vec<(f64, f64, &str, Row)> = loaded
            .chain(added)
            .map(|row| {
                // Against the first's numbers, or, when the first lacks
                // the entity, against 0.
                let first = |u: u32| (self.change[u as usize], self.first[u as usize].0);
                let (change, x) = match row {
                    Row::Loaded(v) => first(v),
                    Row::Added(a) => {
                        let a = &self.added[a as usize];
                        a.in_first.map_or((a.change, 0.0), first)
                    }
                };
                (change, x, self.id(row), row)
            })
            .collect();
        keyed.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| b.1.total_cmp(&a.1))
                .then_with(|| a.2.cmp(b.2))
        });
        if let Some(top) = top {
            keyed.truncate(top);
        }
        self.rows = keyed.into_iter().map(|(.., row)| row).collect();
    }

    /// The entity of `row` in the first scenario, if the first has it.
    pub fn first_of(&self, row: Row) -> Option<u32> {
        match row {
            Row::Loaded(v) => Some(v),
            Row::Added(a) => self.added[a as usize].in_first,
        }
    }

    /// The id of `row`'s entity.
    pub fn id(&self, row: Row) -> &str {
        match row {
            Row::Loaded(v) => self.loaded.id(v),
            Row::Added(a) => &self.added[a as usize].id,
        }
    }

    /// The name of `row`'s entity (in the first scenario that has it).
    pub fn name(&self, row: Row) -> &str {
        match row {
            Row::Loaded(v) => self.loaded.name(v),
            Row::Added(a) => &self.added[a as usize].name,
        }
    }

    /// The row of entity `v` of scenario `k`, whether chosen or not.
    pub fn row_of(&self, k: usize, v: u32) -> Row {
        match (v as usize).checked_sub(self.loaded()) {
            None => Row::Loaded(v),
            Some(i) => Row::Added(self.added_of[k][i] as u32),
        }
    }

    /// Whether scenario `k` has `row`'s entity (every scenario has those
    /// of the loaded graph).
    pub fn has(&self, k: usize, row: Row) -> bool {
        match row {
            Row::Loaded(_) => true,
            Row::Added(a) => self.added_of[k].contains(&(a as usize)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::first_rows;
    use crate::model::EntityIx;

    /// The first rows by a key with many ties, broken by a name, are those
    /// of a sort of all rows, for every `top`.
    #[test]
    fn the_first_rows_are_those_of_a_sort_of_all() {
        let mut next = crate::testing::random(17);
        for _ in 0..300 {
            let n = 1 + next(40) as usize;
            let values = [0.0, 0.25, 0.5, 1.0];
            let keys: Vec<(f64, f64)> = (0..n)
                .map(|_| (values[next(4) as usize], values[next(4) as usize]))
                .collect();
            let names: Vec<String> = (0..n).map(|v| format!("{:02}-{v}", next(20))).collect();
            let rank = |a: &EntityIx, b: &EntityIx| {
                let (a, b) = (*a as usize, *b as usize);
                keys[b]
                    .0
                    .total_cmp(&keys[a].0)
                    .then(keys[b].1.total_cmp(&keys[a].1))
                    .then_with(|| names[a].cmp(&names[b]))
            };
            let mut all: Vec<EntityIx> = (0..n as EntityIx).collect();
            all.sort_by(rank);
            for top in 0..=n + 1 {
                let candidates = || (0..n as EntityIx).rev();
                let rows = first_rows(candidates, top, |v| keys[v as usize], rank);
                assert_eq!(rows, all[..top.min(n)], "top {top} of {keys:?}");
            }
        }
    }
}
