//! `exposure validate`: every problem of a graph, or a one-line summary.

use std::io::Write;

use super::common::{Exit, GraphArgs};
use exposure::model::{Model, RelType};

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

/// `valid: 43 entities, 20 relationships (14 supplies, 6 owns), 35 listings on 2 lists (A, B), 2 segments`.
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
    let segments = match model.segments.len() {
        0 => String::new(),
        1 => ", 1 segment".to_string(),
        n => format!(", {n} segments"),
    };
    format!(
        "valid: {} entities, {} relationships ({supplies} supplies, {owns} owns), {} listings on {} lists ({}){segments}",
        model.entities.len(),
        model.relationships.len(),
        model.listings.len(),
        lists.len(),
        lists.join(", ")
    )
}
