//! `exposure explain ID`: the paths that make up one entity's exposure,
//! best first, with the edges on them and why their ends are restricted.

use std::io::{self, BufWriter, Write};

use super::common::{resolve, warn, EvalArgs, Exit, Format, GraphArgs};
use exposure::analysis::{self, paths, Bound};
use exposure::export::{self, explain::Explanation};
use exposure::graph::Net;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The id of the entity to explain.
    #[arg(value_name = "ID")]
    id: String,
    #[command(flatten)]
    graph: GraphArgs,
    #[command(flatten)]
    eval: EvalArgs,
    /// Output format (csv: one row per edge of each path).
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// List the first K paths.
    #[arg(long, value_name = "K", default_value_t = 10, value_parser = super::common::parse_top)]
    top: usize,
    /// The paths behind the upper bound instead: under the worst case the
    /// bounds allow, each edge with its known lower bound and the unsized
    /// share the worst case gives it.
    #[arg(long)]
    upper: bool,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let (model, net) = args.graph.load_then(Net::build)?;
    let entity = resolve(&model, &args.id, "explain")?;
    let opts = args.eval.options(&model, &net)?;
    // The paths and both bounds of `entity` read only what it sells to.
    let (outcome, below) = analysis::evaluate_below(&net, &opts, &[entity]);
    warn(&outcome);

    // One path more than shown tells whether more follow.
    let query = paths::Query {
        from: entity,
        top: args.top.saturating_add(1),
        limit: paths::MAX_PARTIAL_PATHS,
    };
    let bound = if args.upper {
        Bound::Upper
    } else {
        Bound::Lower
    };
    let (mut found, worst) = paths::of_bound(
        &net,
        &opts,
        &outcome,
        bound,
        |v| model.id(v),
        query,
        Some(&below),
    );
    let more = found.paths.len() > args.top;
    found.paths.truncate(args.top);
    let ends: Vec<_> = found
        .paths
        .iter()
        .filter_map(|p| p.entities.last().copied())
        .collect();
    let chains = outcome.restricted.chains(&net, &ends);

    let explanation = Explanation {
        model: &model,
        net: &net,
        list_names: &outcome.restricted.list_names,
        entity,
        restricted: outcome.restricted.in_r[entity as usize],
        total: outcome.total[entity as usize],
        upper: outcome.upper[entity as usize],
        settings: opts.settings.clone(),
        worst,
        top: args.top,
        found,
        more,
        chains,
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        Format::Table => {
            export::explain::write_table(&explanation, &mut export::Escaping(&mut out))?
        }
        Format::Json => export::explain::write_json(&explanation, &mut out)?,
        Format::Csv => export::explain::write_csv(&explanation, &mut out)?,
    }
    out.flush()?;
    Ok(Exit::Success)
}
