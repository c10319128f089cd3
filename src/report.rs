//! An evaluation shaped for output: which rows, in which order (and which
//! of them a table for people only names), with the restricted entities
//! listed as the CLI spec says. Every exporter writes a [`Report`]; none
//! of them chooses or orders rows itself.

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
