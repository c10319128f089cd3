//! `exposure whatif SCENARIOS.json`: every scenario of a file against one
//! loaded graph, side by side.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use std::borrow::Cow;

use super::common::{
    read_scenarios, warn, EvalArgs, Exit, Format, GraphArgs, OutputArgs, PortfolioArgs,
};
use exposure::analysis::incremental::{Delta, Incremental};
use exposure::analysis::{evaluate, Options, Outcome};
use exposure::batch::{self, Evaluated};
use exposure::export::whatif::{self, Named};
use exposure::graph::Net;
use exposure::model::Model;
use exposure::portfolio::Figures;
use exposure::report::{Report, Selection};
use exposure::scenario;

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
    // Each scenario's arrays are made and dropped: give them back.
    super::memory::release_large_blocks();
    let (model, mut net) = args.graph.load_then(Net::build)?;
    let portfolio = args.portfolio.load(&model)?;
    args.eval.check_lists(&net)?;
    let scenarios = read_scenarios(&args.scenarios)?;
    let (settings, extra) = (args.eval.settings(), args.eval.what_ifs());

    // The loaded graph evaluated once under the command line's settings;
    // each scenario solves again only what its changes reach (with
    // --max-depth every scenario is evaluated in full).
    let base = settings.max_depth.is_none().then(|| {
        let opts = scenario::base_options(&model, &settings);
        let outcome = evaluate(&net, &opts);
        (Incremental::new(&net, &opts), outcome)
    });
    let out_args = &args.output;
    let selection = Selection {
        all: out_args.all,
        // The side-by-side table chooses its own rows (`SideBySide`): a
        // scenario's report needs none of its own there.
        top: if out_args.format == Format::Table {
            Some(0)
        } else {
            out_args.top
        },
    };
    let what_ifs = &extra;
    let portfolio = portfolio.as_ref();
    let json = out_args.format == Format::Json;
    // JSON and CSV with `--top` (and no `--all`) are written as each
    // scenario is evaluated, into memory: a few rows a scenario. The
    // side-by-side table takes each in as it is evaluated, too: its
    // settings, and the cells that read otherwise than the first's.
    let early = out_args.format != Format::Table && out_args.top.is_some() && !out_args.all;
    let mut table =
        (out_args.format == Format::Table).then(|| whatif::Table::new(&model, out_args.all));
    let mut written: Vec<u8> = Vec::new();
    let (kept, crossed) = {
        let mut stream = match early {
            true => Some(whatif::Stream::new(
                json,
                &mut written,
                portfolio.is_some(),
            )?),
            false => None,
        };
        // `--fail-above` looks at every scenario.
        let mut crossed = false;

        // Every scenario is applied and evaluated before anything is printed,
        // so that a failing one leaves no half result; each keeps only what
        // its output needs: its rows written, its cells taken in, or
        // against the base the entities whose numbers differ.
        let shown = args.scenarios.display();
        let mut kept: Vec<Kept> = Vec::new();
        let against = batch::Against {
            model: &model,
            base: base.as_ref().map(|(incremental, base)| (incremental, base)),
            settings: &settings,
            extra: &extra,
            seed: Default::default(),
        };
        batch::each(
            &mut net,
            &against,
            &scenarios,
            |i, evaluated| -> anyhow::Result<()> {
                let Evaluated { applied, outcome } = evaluated
                    .map_err(|e| anyhow::anyhow!("{shown}: {}", args.graph.cite(&e.to_string())))?;
                warn(&outcome);
                let (model, opts) = (applied.model, applied.opts);
                if early || table.is_some() {
                    let k = Kept {
                        model,
                        opts,
                        result: Result::Written,
                    };
                    let n = Named {
                        name: &scenarios[i].name,
                        report: report_of(&k, &outcome, selection, what_ifs, portfolio),
                    };
                    if let Some(stream) = &mut stream {
                        stream.scenario(&n)?;
                    }
                    if let Some(table) = &mut table {
                        table.add(&n);
                    }
                    crossed |= out_args.crossed(&outcome, n.report.portfolio.as_ref());
                    return Ok(());
                }
                // `--fail-above` looks at every scenario now, while its
                // outcome is whole.
                let figures = portfolio.map(|p| Figures::of(p, &outcome, |v| model.id(v)));
                crossed |= out_args.crossed(&outcome, figures.as_ref());
                let result = match &base {
                    Some((_, base)) => Result::Delta(Delta::of(base, outcome)),
                    None => Result::Full(outcome),
                };
                kept.push(Kept {
                    model,
                    opts,
                    result,
                });
                Ok(())
            },
        )?;
        if let Some(stream) = stream {
            stream.finish()?;
        }
        (kept, crossed)
    };
    let outcome_of = |k: &Kept| -> Outcome {
        match (&k.result, &base) {
            (Result::Full(o), _) => o.clone(),
            (Result::Delta(d), Some((_, base))) => d.outcome(base),
            _ => unreachable!("a kept scenario has a delta against the base, or its outcome"),
        }
    };

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if early {
        out.write_all(&written)?;
        out.flush()?;
        return Ok(if crossed {
            Exit::ThresholdCrossed
        } else {
            Exit::Success
        });
    }
    match out_args.format {
        Format::Table => table
            .expect("made for the table format")
            .write(out_args.top, &mut exposure::export::Escaping(&mut out))?,
        // One scenario at a time.
        Format::Json | Format::Csv => {
            let mut stream = whatif::Stream::new(json, &mut out, portfolio.is_some())?;
            for (s, k) in scenarios.iter().zip(&kept) {
                let outcome = outcome_of(k);
                let n = Named {
                    name: &s.name,
                    report: report_of(k, &outcome, selection, what_ifs, portfolio),
                };
                stream.scenario(&n)?;
            }
            stream.finish()?;
        }
    }
    out.flush()?;
    Ok(if crossed {
        Exit::ThresholdCrossed
    } else {
        Exit::Success
    })
}

/// A scenario's report: its rows and, with a portfolio, its figures.
fn report_of<'r>(
    k: &'r Kept<'r>,
    outcome: &'r Outcome,
    selection: Selection,
    what_ifs: &exposure::scenario::WhatIfFlags,
    portfolio: Option<&exposure::portfolio::Portfolio>,
) -> Report<'r> {
    let model: &Model = &k.model;
    let mut report = Report::new(model, outcome, &k.opts, selection);
    report.what_ifs = Some(what_ifs.clone());
    // A scenario only appends entities: the holdings' indexes hold.
    report.portfolio = portfolio.map(|p| Figures::of(p, outcome, |v| model.id(v)));
    report
}

/// What a scenario keeps from its evaluation to its output.
struct Kept<'a> {
    model: Cow<'a, Model>,
    opts: Options,
    result: Result,
}

/// A scenario's numbers: against the base, or whole (no base), or
/// nothing more (its rows are written, or its cells taken in).
enum Result {
    Delta(Delta),
    Full(Outcome),
    Written,
}
