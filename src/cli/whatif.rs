//! `exposure whatif SCENARIOS.json`: every scenario of a file against one
//! loaded graph, side by side.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use super::common::{
    evaluate_scenarios, EvalArgs, Exit, Format, GraphArgs, OutputArgs, PortfolioArgs,
};
use exposure::export::whatif::{self, Named};
use exposure::graph::Net;
use exposure::portfolio::Figures;
use exposure::report::{Report, Selection};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file: {"scenarios": [{"name": ..., "changes": [...]}, ...]}.
    #[arg(value_name = "SCENARIOS.json")]
    scenarios: PathBuf,
    #[command(flatten)]
    graph: GraphArgs,
    /// These flags apply to every scenario and win over the file.
    #[command(flatten)]
    eval: EvalArgs,
    #[command(flatten)]
    portfolio: PortfolioArgs,
    #[command(flatten)]
    output: OutputArgs,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let model = args.graph.load()?;
    let net = Net::build(&model);
    let portfolio = args.portfolio.load(&model)?;
    args.eval.check_lists(&net)?;
    let (scenarios, evaluated) =
        evaluate_scenarios(&args.scenarios, &args.graph, &model, &net, &args.eval)?;
    let out_args = &args.output;
    let top = if out_args.format == Format::Table {
        None
    } else {
        out_args.top
    };
    let named: Vec<Named> = scenarios
        .iter()
        .zip(&evaluated)
        .map(|(s, (applied, outcome))| {
            let mut report = Report::new(
                &applied.model,
                outcome,
                &applied.opts,
                Selection {
                    all: out_args.all,
                    top,
                },
            );
            report.what_ifs = Some(args.eval.what_ifs());
            // A scenario only appends entities: the holdings' indexes hold.
            report.portfolio = portfolio
                .as_ref()
                .map(|p| Figures::of(p, outcome, |v| applied.model.id(v)));
            Named {
                name: &s.name,
                report,
            }
        })
        .collect();

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match out_args.format {
        Format::Table => whatif::write_table(
            &named,
            out_args.all,
            out_args.top,
            &mut exposure::export::Escaping(&mut out),
        )?,
        Format::Json => whatif::write_json(&named, &mut out)?,
        Format::Csv => whatif::write_csv(&named, &mut out)?,
    }
    out.flush()?;

    // `--fail-above` looks at every scenario.
    let crossed = named
        .iter()
        .any(|n| out_args.crossed(n.report.outcome, n.report.portfolio.as_ref()));
    Ok(if crossed {
        Exit::ThresholdCrossed
    } else {
        Exit::Success
    })
}
