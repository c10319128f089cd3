//! An evaluation shaped for output: which rows, in which order (and which
//! of them a table for people only names), with the restricted entities
//! listed as the CLI spec says. Every exporter writes a [`Report`]; none
//! of them chooses or orders rows itself.

use std::collections::HashMap;

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
    /// O(V log V); O(V + top log top) with a `top`.
    pub fn new(
        model: &'a Model,
        outcome: &'a Outcome,
        opts: &Options,
        sel: Selection,
    ) -> Report<'a> {
        let r = &outcome.restricted;
        let mut rows: Vec<EntityIx> = (0..model.entities.len() as EntityIx)
            .filter(|&v| sel.all || outcome.upper[v as usize] > 0.0 || r.in_r_plus[v as usize])
            .collect();
        let rank = |a: &EntityIx, b: &EntityIx| outcome.rank(*a, *b, |v| model.id(v));
        match sel.top {
            // The first `top` alone need ordering: select, then sort them.
            Some(top) if top < rows.len() => {
                if top > 0 {
                    rows.select_nth_unstable_by(top - 1, rank);
                }
                rows.truncate(top);
                rows.sort_by(rank);
            }
            _ => rows.sort_by(rank),
        }
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

/// Scenarios side by side (`whatif`'s table): each scenario's entities by
/// id (a scenario may add entities), and the rows to show: every entity
/// exposed or possibly restricted in some scenario (every entity with
/// `all`), the largest change against the first scenario first, then the
/// first's lower bound descending, then by id; the first `top`.
///
/// Built one scenario at a time ([`SideBySide::add`], in order from the
/// first), so that a caller need hold only one scenario's numbers: what
/// is kept is the first scenario's (x, X) and R, and each row's largest
/// change.
pub struct SideBySide<'a> {
    /// The distinct models, and the entities of each by id: the
    /// scenarios that change no record share the loaded one (a map of a
    /// million ids is tens of megabytes).
    models: Vec<&'a Model>,
    maps: Vec<HashMap<&'a str, u32>>,
    /// Each scenario's model.
    map_of: Vec<usize>,
    /// Per model and entity: exposed or possibly restricted in some
    /// scenario of that model (or every entity, with `all`).
    shown: Vec<Vec<bool>>,
    all: bool,
    /// The first scenario's (x, X) and R, by its entity index.
    pub first: Vec<(f64, f64)>,
    pub first_in_r: Vec<bool>,
    /// The largest change against the first scenario, by the first's
    /// entity index, and of the entities the first lacks.
    change: Vec<f64>,
    change_new: HashMap<&'a str, f64>,
    /// The rows, once chosen ([`SideBySide::choose`]), and the index of
    /// each in each model.
    pub ids: Vec<&'a str>,
    at: Vec<Vec<Option<u32>>>,
}

impl<'a> SideBySide<'a> {
    /// For scenarios whose models are `models`, in order.
    ///
    /// # Complexity
    /// O(entities) per distinct model.
    pub fn new(models: impl Iterator<Item = &'a Model>, all: bool) -> SideBySide<'a> {
        let mut distinct: Vec<&Model> = Vec::new();
        let mut map_of = Vec::new();
        for m in models {
            match distinct.iter().position(|&d| std::ptr::eq(d, m)) {
                Some(i) => map_of.push(i),
                None => {
                    map_of.push(distinct.len());
                    distinct.push(m);
                }
            }
        }
        let maps = distinct
            .iter()
            .map(|m| (0..m.entities.len() as u32).map(|v| (m.id(v), v)).collect())
            .collect();
        let shown = distinct
            .iter()
            .map(|m| vec![all; m.entities.len()])
            .collect();
        SideBySide {
            models: distinct,
            maps,
            map_of,
            shown,
            all,
            first: Vec::new(),
            first_in_r: Vec::new(),
            change: Vec::new(),
            change_new: HashMap::new(),
            ids: Vec::new(),
            at: Vec::new(),
        }
    }

    /// Takes in scenario `k`'s outcome (the scenarios in order from 0).
    ///
    /// # Complexity
    /// O(entities), plus a look-up per entity when its model is not the
    /// first scenario's.
    pub fn add(&mut self, k: usize, o: &Outcome) {
        let (r, m) = (&o.restricted, self.map_of[k]);
        let model = self.models[m];
        if !self.all {
            for (v, shown) in self.shown[m].iter_mut().enumerate() {
                *shown |= o.upper[v] > 0.0 || r.in_r_plus[v] && !r.in_r[v];
            }
        }
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
        let same = self.same_model(0, k);
        for v in 0..o.total.len() {
            let (x, up) = (o.total[v], o.upper[v]);
            let at_first = match same {
                true => Some(v as u32),
                false => self.entity(0, model.id(v as u32)),
            };
            match at_first {
                Some(u) => {
                    let (x0, up0) = self.first[u as usize];
                    let d = (x - x0).abs().max((up - up0).abs());
                    let c = &mut self.change[u as usize];
                    *c = c.max(d);
                }
                None => {
                    let d = x.abs().max(up.abs());
                    let c = self.change_new.entry(model.id(v as u32)).or_insert(0.0);
                    *c = c.max(d);
                }
            }
        }
    }

    /// Chooses the rows, once every scenario is in: the first `top`.
    ///
    /// # Complexity
    /// O(rows · log rows), plus a look-up per row and model.
    pub fn choose(&mut self, top: Option<usize>) {
        let mut ids: Vec<&'a str> = Vec::new();
        for (m, shown) in self.models.iter().zip(&self.shown) {
            ids.extend(
                (0..m.entities.len())
                    .filter(|&v| shown[v])
                    .map(|v| m.id(v as u32)),
            );
        }
        ids.sort_unstable();
        ids.dedup();
        let mut keyed: Vec<(f64, f64, &str)> = ids
            .into_iter()
            .map(|id| match self.entity(0, id) {
                Some(u) => (self.change[u as usize], self.first[u as usize].0, id),
                None => (self.change_new.get(id).copied().unwrap_or(0.0), 0.0, id),
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
        self.ids = keyed.into_iter().map(|(_, _, id)| id).collect();
        self.at = self
            .maps
            .iter()
            .map(|map| self.ids.iter().map(|id| map.get(id).copied()).collect())
            .collect();
    }

    /// Row `row`'s entity in scenario `k`, if it has it.
    pub fn row_entity(&self, k: usize, row: usize) -> Option<u32> {
        self.at[self.map_of[k]][row]
    }

    /// The entity `id` is in scenario `k`, if it has it.
    pub fn entity(&self, k: usize, id: &str) -> Option<u32> {
        self.maps[self.map_of[k]].get(id).copied()
    }

    /// Whether scenarios `j` and `k` have the same model (so the same
    /// entity indexes).
    pub fn same_model(&self, j: usize, k: usize) -> bool {
        self.map_of[j] == self.map_of[k]
    }

    /// Every entity of scenario `k` by id, in no particular order.
    pub fn entities(&self, k: usize) -> impl Iterator<Item = (&'a str, u32)> + '_ {
        self.maps[self.map_of[k]].iter().map(|(&id, &v)| (id, v))
    }
}
