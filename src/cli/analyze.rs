//! `exposure analyze`: every entity's exposure, as a table, JSON or CSV.

use std::io::{self, BufWriter, Write};

use super::common::{EvalArgs, Exit, Format, GraphArgs};
use crate::analysis;
use crate::export;
use crate::graph::Net;
use crate::report::{Report, Selection};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    graph: GraphArgs,
    #[command(flatten)]
    eval: EvalArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Keep the first N rows.
    #[arg(long, value_name = "N")]
    top: Option<usize>,
    /// Every entity, not only the exposed and the restricted ones.
    #[arg(long)]
    all: bool,
    /// Exit with status 1 when an entity that is not restricted has a
    /// total exposure above X (a fraction, e.g. 0.05).
    #[arg(long, value_name = "X")]
    fail_above: Option<f64>,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let model = args.graph.load()?;
    let net = Net::build(&model);
    let opts = args.eval.options(&model, &net)?;
    let outcome = analysis::evaluate(&net, &opts);
    let report = Report::new(&model, &outcome, &opts, Selection { all: args.all, top: args.top });

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        Format::Table => export::table::write(&report, &net.list_names, args.all, &mut out)?,
        Format::Json => export::json::write(&report, &mut out)?,
        Format::Csv => export::csv::write(&report, &mut out)?,
    }
    out.flush()?;

    let crossed = args.fail_above.is_some_and(|limit| {
        (0..net.n).any(|v| !outcome.restricted.in_r[v] && outcome.total[v] > limit)
    });
    Ok(if crossed { Exit::ThresholdCrossed } else { Exit::Success })
}
