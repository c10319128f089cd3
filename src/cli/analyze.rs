//! `exposure analyze`: every entity's exposure, as a table, JSON or CSV.

use std::io::{self, BufWriter, Write};

use super::common::{warn, EvalArgs, Exit, Format, GraphArgs, OutputArgs, PortfolioArgs};
use exposure::analysis;
use exposure::export;
use exposure::graph::Net;
use exposure::portfolio::Figures;
use exposure::report::{Report, Selection};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    graph: GraphArgs,
    #[command(flatten)]
    eval: EvalArgs,
    #[command(flatten)]
    portfolio: PortfolioArgs,
    #[command(flatten)]
    output: OutputArgs,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let (model, net) = args.graph.load_then(Net::build)?;
    let opts = args.eval.options(&model, &net)?;
    let portfolio = args.portfolio.load(&model)?;
    let outcome = analysis::evaluate(&net, &opts);
    warn(&outcome);
    let mut report = Report::new(
        &model,
        &outcome,
        &opts,
        Selection {
            all: args.output.all,
            top: args.output.top,
        },
    );
    report.what_ifs = Some(args.eval.what_ifs());
    report.portfolio = portfolio
        .as_ref()
        .map(|p| Figures::of(p, &outcome, |v| model.id(v)));

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.output.format {
        Format::Table => {
            export::analyze::write_table(&report, &net.list_names, &mut export::Escaping(&mut out))?
        }
        Format::Json => export::analyze::write_json(&report, &mut out)?,
        // With a portfolio, CSV is its contributions: one row per holding.
        Format::Csv => match &report.portfolio {
            Some(f) => export::portfolio::write_csv(f, &model, &mut out)?,
            None => export::analyze::write_csv(&report, &mut out)?,
        },
    }
    out.flush()?;

    let crossed = args.output.crossed(&outcome, report.portfolio.as_ref());
    Ok(if crossed {
        Exit::ThresholdCrossed
    } else {
        Exit::Success
    })
}
