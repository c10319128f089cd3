//! What-if scenarios: the scenario file, and applying one scenario's
//! changes to a loaded graph — listings and licences as an overlay of
//! options, shares and records on a copy. The base graph is never changed,
//! so one load serves every scenario.

use std::fmt;

use serde_json::Value;

use crate::analysis::Settings;
use crate::model::RelType;

mod apply;
mod file;
mod overlay;
#[cfg(test)]
pub(crate) mod tests;

pub use apply::{
    apply, apply_seeded, base_options, licensed_edge, Applied, CapEdit, EdgeEdit, Edits,
};
pub use file::parse;

/// One change of a scenario, as written in the file.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A listing in effect whatever the date.
    List {
        entity: String,
        list: Option<String>,
    },
    /// No listing of the entity is in effect.
    Delist {
        entity: String,
    },
    /// Sales from `from` to `to` are licensed.
    License {
        from: String,
        to: String,
    },
    /// The supplies edge gets this share, or these bounds.
    SetShare {
        from: String,
        to: String,
        share: Option<f64>,
        share_min: Option<f64>,
        share_max: Option<f64>,
    },
    /// The relationship is removed.
    Remove {
        rel: RelType,
        from: String,
        to: String,
    },
    AddEntity(Value),
    AddRelationship(Value),
    /// The segment of `seller` named `name` gets this cap.
    SetSegment {
        seller: String,
        name: String,
        share_max: f64,
    },
    /// A new segment (given as in a graph file), joined by the seller's
    /// edges to `edges` (buyer ids).
    AddSegment {
        segment: Value,
        edges: Vec<String>,
    },
}

impl Change {
    /// The op's name, for messages.
    pub fn op(&self) -> &'static str {
        match self {
            Change::List { .. } => "list",
            Change::Delist { .. } => "delist",
            Change::License { .. } => "license",
            Change::SetShare { .. } => "set_share",
            Change::Remove { .. } => "remove",
            Change::AddEntity(_) => "add_entity",
            Change::AddRelationship(_) => "add_relationship",
            Change::SetSegment { .. } => "set_segment",
            Change::AddSegment { .. } => "add_segment",
        }
    }
}

/// A named set of settings and changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub settings: Settings,
    pub changes: Vec<Change>,
}

/// What-if changes that apply to every scenario: the command line's
/// `--list`, `--delist` and `--license`, applied after the file's.
#[derive(Clone, Debug, Default)]
pub struct WhatIfFlags {
    pub list: Vec<String>,
    pub delist: Vec<String>,
    /// `SELLER:BUYER` pairs.
    pub license: Vec<String>,
}

impl WhatIfFlags {
    /// The flags as given (`--list megvii`), for titles and headers.
    pub fn flags(&self) -> Vec<String> {
        [
            ("--list", &self.list),
            ("--delist", &self.delist),
            ("--license", &self.license),
        ]
        .into_iter()
        .flat_map(|(flag, ids)| ids.iter().map(move |id| format!("{flag} {id}")))
        .collect()
    }
}

/// A scenario that cannot be read or applied: which one, which change,
/// and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// Index and name of the scenario, when known.
    pub scenario: Option<(usize, String)>,
    /// Index and op of the change, when one is to blame.
    pub change: Option<(usize, &'static str)>,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((i, name)) = &self.scenario {
            write!(f, "scenarios[{i}] ({name:?})")?;
            if let Some((c, op)) = &self.change {
                write!(f, ", changes[{c}] ({op})")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

pub(crate) fn fail(message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        scenario: None,
        change: None,
        message: message.into(),
    }
}
