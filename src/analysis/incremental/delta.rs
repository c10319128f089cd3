//! What a changed evaluation keeps of its outcome: the numbers that
//! differ from the base's, so that a file of scenarios holds no more than
//! their changes.
//!
//! Owns the difference and its undoing; nothing else.

use crate::analysis::restricted::Restricted;
use crate::analysis::{ListRef, Outcome, Via};

/// An outcome kept as what differs from a base: the entities whose
/// numbers differ (and those the base does not have), with theirs, and
/// the restricted members. What a scenario keeps between its evaluation
/// and its output.
#[derive(Clone, Debug)]
pub struct Delta {
    /// Entities of the outcome.
    n: usize,
    entities: Vec<u32>,
    total: Vec<f64>,
    direct: Vec<f64>,
    upper: Vec<f64>,
    reach: Vec<u32>,
    members: Vec<(u32, Via, Vec<ListRef>)>,
    list_names: Vec<String>,
    warnings: Vec<String>,
}

impl Delta {
    /// `outcome` against `base` (whose entities come first in it).
    ///
    /// # Complexity
    /// O(V).
    pub fn of(base: &Outcome, outcome: Outcome) -> Delta {
        let same = |v: usize| {
            v < base.total.len()
                && base.total[v].to_bits() == outcome.total[v].to_bits()
                && base.direct[v].to_bits() == outcome.direct[v].to_bits()
                && base.upper[v].to_bits() == outcome.upper[v].to_bits()
                && base.reach[v] == outcome.reach[v]
        };
        let entities: Vec<u32> = (0..outcome.total.len())
            .filter(|&v| !same(v))
            .map(|v| v as u32)
            .collect();
        let pick = |values: &[f64]| entities.iter().map(|&v| values[v as usize]).collect();
        Delta {
            n: outcome.total.len(),
            total: pick(&outcome.total),
            direct: pick(&outcome.direct),
            upper: pick(&outcome.upper),
            reach: entities
                .iter()
                .map(|&v| outcome.reach[v as usize])
                .collect(),
            entities,
            members: outcome.restricted.members,
            list_names: outcome.restricted.list_names,
            warnings: outcome.warnings,
        }
    }

    /// The outcome again, from the same base.
    ///
    /// # Complexity
    /// O(V).
    pub fn outcome(&self, base: &Outcome) -> Outcome {
        let n = self.n;
        let grown = |values: &[f64]| {
            let mut v = values.to_vec();
            v.resize(n, 0.0);
            v
        };
        let (mut total, mut direct, mut upper) =
            (grown(&base.total), grown(&base.direct), grown(&base.upper));
        let mut reach = base.reach.clone();
        reach.resize(n, 0);
        for (i, &v) in self.entities.iter().enumerate() {
            let v = v as usize;
            total[v] = self.total[i];
            direct[v] = self.direct[i];
            upper[v] = self.upper[i];
            reach[v] = self.reach[i];
        }
        let (mut in_r, mut in_r_plus) = (vec![false; n], vec![false; n]);
        for &(v, via, _) in &self.members {
            in_r_plus[v as usize] = true;
            in_r[v as usize] = via != Via::PossibleAffiliate;
        }
        Outcome {
            restricted: Restricted {
                in_r,
                in_r_plus,
                members: self.members.clone(),
                list_names: self.list_names.clone(),
            },
            total,
            direct,
            upper,
            reach,
            warnings: self.warnings.clone(),
        }
    }
}
