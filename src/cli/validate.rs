//! `exposure validate`: every problem of a graph, or a one-line summary.

use std::io::Write;

use super::common::{Exit, GraphArgs};
use crate::model::{Model, RelType};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    graph: GraphArgs,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let model = args.graph.load()?;
    writeln!(std::io::stdout().lock(), "{}", summary(&model))?;
    Ok(Exit::Success)
}

/// `valid: 40 entities, 17 relationships (14 supplies, 3 owns), 35 listings on 2 lists (A, B)`.
pub fn summary(model: &Model) -> String {
    let supplies = model
        .relationships
        .iter()
        .filter(|r| r.rel == RelType::Supplies)
        .count();
    let owns = model.relationships.len() - supplies;
    let mut lists: Vec<&str> = model.listings.iter().map(|l| model.str(l.list)).collect();
    lists.sort_unstable();
    lists.dedup();
    format!(
        "valid: {} entities, {} relationships ({supplies} supplies, {owns} owns), {} listings on {} lists ({})",
        model.entities.len(),
        model.relationships.len(),
        model.listings.len(),
        lists.len(),
        lists.join(", ")
    )
}
