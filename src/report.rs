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
pub struct SideBySide<'a> {
    /// The entities by id of each distinct model: the scenarios that
    /// change no record share the loaded one (a map of a million ids is
    /// tens of megabytes).
    maps: Vec<HashMap<&'a str, u32>>,
    /// Each scenario's map.
    map_of: Vec<usize>,
    pub ids: Vec<&'a str>,
}

impl<'a> SideBySide<'a> {
    /// # Complexity
    /// O(entities · (models + scenarios)) for the rows, then a sort of
    /// the rows by keys computed once each.
    pub fn of(reports: &[&Report<'a>], all: bool, top: Option<usize>) -> SideBySide<'a> {
        let mut models: Vec<&Model> = Vec::new();
        let mut map_of = Vec::with_capacity(reports.len());
        for r in reports {
            match models.iter().position(|&m| std::ptr::eq(m, r.model)) {
                Some(i) => map_of.push(i),
                None => {
                    map_of.push(models.len());
                    models.push(r.model);
                }
            }
        }
        let maps: Vec<HashMap<&str, u32>> = models
            .iter()
            .map(|m| (0..m.entities.len() as u32).map(|v| (m.id(v), v)).collect())
            .collect();
        let mut ids: Vec<&str> = Vec::new();
        for r in reports {
            let (m, o) = (r.model, r.outcome);
            for v in 0..m.entities.len() {
                if all || o.upper[v] > 0.0 || o.restricted.in_r_plus[v] && !o.restricted.in_r[v] {
                    ids.push(m.id(v as u32));
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let side = SideBySide {
            maps,
            map_of,
            ids: Vec::new(),
        };
        // Each row's keys once: its place in each model, then its largest
        // change and the first scenario's lower bound.
        let mut keyed: Vec<(f64, f64, &str)> = ids
            .into_iter()
            .map(|id| {
                let at: Vec<Option<u32>> = side.maps.iter().map(|m| m.get(id).copied()).collect();
                let value = |k: usize| {
                    at[side.map_of[k]].map(|v| {
                        let o = reports[k].outcome;
                        (o.total[v as usize], o.upper[v as usize])
                    })
                };
                let base = value(0).unwrap_or((0.0, 0.0));
                let change = (1..reports.len())
                    .filter_map(value)
                    .map(|(x, up)| (x - base.0).abs().max((up - base.1).abs()))
                    .fold(0.0, f64::max);
                (change, value(0).unwrap_or_default().0, id)
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
        SideBySide {
            ids: keyed.into_iter().map(|(_, _, id)| id).collect(),
            ..side
        }
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

    /// (x, X) of `id` in scenario `k`, if it has that entity.
    pub fn value(&self, reports: &[&Report], k: usize, id: &str) -> Option<(f64, f64)> {
        self.entity(k, id).map(|v| {
            let o = reports[k].outcome;
            (o.total[v as usize], o.upper[v as usize])
        })
    }
}
