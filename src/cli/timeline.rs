//! `exposure timeline`: the exposure of some entities at every date where a
//! listing starts or ends, as a table, JSON, CSV or an SVG step chart.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::common::{
    parse_date, resolve, EvalArgs, Exit, Format, GraphArgs, PortfolioArgs, UsageError,
};
use super::output::{self, Written};
use exposure::analysis::timeline::{self, Timeline};
use exposure::analysis::Settings;
use exposure::export;
use exposure::graph::Net;
use exposure::model::{Date, EntityIx};
use exposure::portfolio::Figures;
use exposure::save::atomic_write;

/// Entities followed when no `--entity` is given.
const DEFAULT_ENTITIES: usize = 10;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    graph: GraphArgs,
    #[command(flatten)]
    eval: EvalArgs,
    /// With --portfolio, a portfolio column (table), a `portfolio` object
    /// per point (JSON) or a row with an empty id per date (CSV).
    #[command(flatten)]
    portfolio: PortfolioArgs,
    /// First date (default: the first date a listing starts or ends).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    from: Option<Date>,
    /// Last date (default: --as-of, else the graph's meta.as_of, else the
    /// last date a listing starts or ends).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date, conflicts_with = "as_of")]
    to: Option<Date>,
    /// Follow this entity (repeatable; default: the ten most exposed
    /// entities on the last date, restricted ones left out).
    #[arg(long = "entity", value_name = "ID")]
    entity: Vec<String>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Draw the step chart to this .svg file instead of printing.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE.svg",
        conflicts_with = "format"
    )]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    if let Some(path) = &args.output {
        check_svg(path)?;
        let inputs = [
            ("-g", args.graph.graph.as_deref()),
            ("--portfolio", args.portfolio.portfolio.as_deref()),
        ];
        output::check("-o", path, Written::File, &inputs)?;
    }
    let (model, net) = args.graph.load_then(Net::build)?;
    let opts = args.eval.options(&model, &net)?;
    let portfolio = args.portfolio.load(&model)?;
    let explicit = dedup(
        args.entity
            .iter()
            .map(|id| resolve(&model, id, "--entity"))
            .collect::<Result<Vec<_>, _>>()?,
    );

    let events = timeline::events(&net, &opts);
    let Some((from, to)) = timeline::window(&events, args.from, args.to.or(opts.settings.as_of))
    else {
        return Err(UsageError(
            "no date to end the timeline at: the graph has no meta.as_of and no listing with a start or end; \
             give --to YYYY-MM-DD"
                .into(),
        )
        .into());
    };
    if from > to {
        return Err(UsageError(format!(
            "--from {from} is after the last date {to} (--to, else --as-of, else meta.as_of); choose an earlier --from"
        ))
        .into());
    }
    let held = portfolio.as_ref().map_or_else(Vec::new, |p| p.entities());
    let t = Timeline::build_with(
        &net,
        &opts,
        &events,
        (from, to),
        |at_end| {
            if args.entity.is_empty() {
                timeline::most_exposed(at_end, DEFAULT_ENTITIES, |v| model.id(v))
            } else {
                explicit
            }
        },
        |o| {
            portfolio.as_ref().map(|p| {
                let f = Figures::of(p, o, |v| model.id(v));
                (f.total, f.upper)
            })
        },
        &held,
    );
    let settings = Settings {
        as_of: Some(to),
        ..opts.settings.clone()
    };

    let names = &net.list_names;
    if let Some(path) = &args.output {
        atomic_write(path, |out| {
            export::chart::write_svg(&t, &model, names, &settings, out)
        })
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        let (dates, entities) = (t.points.len(), t.entities.len());
        let dates = if dates == 1 {
            "1 date".to_string()
        } else {
            format!("{dates} dates")
        };
        let entities = if entities == 1 {
            "1 entity".to_string()
        } else {
            format!("{entities} entities")
        };
        eprintln!("wrote {} ({dates}, {entities})", path.display());
        return Ok(Exit::Success);
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        Format::Table => export::timeline::write_table(&t, &model, names, &settings, &mut out)?,
        Format::Json => export::timeline::write_json(&t, &model, names, &mut out)?,
        Format::Csv => export::timeline::write_csv(&t, &model, &mut out)?,
    }
    out.flush()?;
    Ok(Exit::Success)
}

/// Only SVG is drawn; say so before any work is done.
fn check_svg(path: &Path) -> Result<(), UsageError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("svg") => Ok(()),
        _ => Err(UsageError(format!(
            "-o {}: the chart is written as SVG only; give a file name ending in .svg",
            path.display()
        ))),
    }
}

/// The ids in the order given, each once.
fn dedup(ids: Vec<EntityIx>) -> Vec<EntityIx> {
    let mut seen = Vec::with_capacity(ids.len());
    for v in ids {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen
}
