//! `exposure report -o FILE.html`: the committee report, one
//! self-contained HTML page (see `export::html`).

use std::path::PathBuf;

use super::common::{
    evaluate_scenarios, warn, EvalArgs, Exit, GraphArgs, PortfolioArgs, UsageError,
};
use super::output::{self, Written};
use exposure::analysis::Settings;
use exposure::analysis::{self, paths, timeline, Bound};
use exposure::export::dot::{self, Diagram};
use exposure::export::html::{self, Drawing, Explained, Page, ScenarioColumn};
use exposure::export::{chart, markup};
use exposure::graph::Net;
use exposure::model::EntityIx;
use exposure::portfolio::Figures;
use exposure::render::{self, RenderError};
use exposure::report::{Report, Selection};
use exposure::save::atomic_write;

/// Paths listed per bound of each top entity.
const PATHS: usize = 5;
/// Ranked rows shown.
const ROWS: usize = 30;
/// Entities in the diagram at most; above, the diagram is left out.
const MAX_DRAWN: usize = 150;
/// Entities (besides the portfolio) in the timeline chart at most.
const CHARTED: usize = 5;
/// The timeline is one evaluation per date: it is left out when dates ×
/// (entities + edges) is above this, so that a large graph's report costs
/// about one `analyze` (a graph of 5 million records gets at most 4 dates).
const TIMELINE_BUDGET: usize = 20_000_000;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    graph: GraphArgs,
    #[command(flatten)]
    eval: EvalArgs,
    #[command(flatten)]
    portfolio: PortfolioArgs,
    /// Also show the scenarios of this file side by side (as `whatif`
    /// evaluates them).
    #[arg(long, value_name = "SCENARIOS.json")]
    scenarios: Option<PathBuf>,
    /// Explain and draw this many top entities: the holdings with the
    /// largest contributions with --portfolio, else the most exposed
    /// entities that are not restricted.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = super::common::parse_top)]
    top: usize,
    /// The HTML file to write (never one of the input files).
    #[arg(short = 'o', long = "output", value_name = "FILE.html")]
    output: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    check_output(&args)?;
    let (model, mut net) = args.graph.load_then(Net::build)?;
    let opts = args.eval.options(&model, &net)?;
    let portfolio = args.portfolio.load(&model)?;
    let outcome = analysis::evaluate(&net, &opts);
    warn(&outcome);
    let mut report = Report::new(&model, &outcome, &opts, Selection::default());
    report.portfolio = portfolio
        .as_ref()
        .map(|p| Figures::of(p, &outcome, |v| model.id(v)));

    // The top entities: the largest contributions, else the ranking.
    let top: Vec<EntityIx> = match &report.portfolio {
        Some(f) => f
            .contributions
            .iter()
            .filter(|c| c.contribution_upper > 0.0)
            .map(|c| c.entity)
            .take(args.top)
            .collect(),
        None => report
            .rows
            .iter()
            .copied()
            .filter(|&v| !outcome.restricted.in_r[v as usize] && outcome.upper[v as usize] > 0.0)
            .take(args.top)
            .collect(),
    };
    let id = |v: EntityIx| model.id(v);
    // Each bound's distances and worst case once, for all the entities.
    let (lower, mut upper) = (
        paths::Finder::new(&net, &opts, &outcome, Bound::Lower, id).ranked(id),
        paths::Finder::new(&net, &opts, &outcome, Bound::Upper, id).ranked(id),
    );
    let explained: Vec<Explained> = top
        .iter()
        .map(|&from| {
            let query = paths::Query {
                from,
                top: PATHS,
                limit: paths::MAX_PARTIAL_PATHS,
            };
            Explained {
                entity: from,
                lower: lower.search(id, query),
                upper: upper.search(id, query),
            }
        })
        .collect();
    let worst = upper.worst.take().unwrap_or_default();
    drop((lower, upper));

    let what_ifs = args.eval.what_ifs().flags();

    // The diagram: the top entities and the entities on their paths only.
    let mut keep = vec![false; net.n];
    for x in &explained {
        keep[x.entity as usize] = true;
        for p in x.lower.paths.iter().chain(&x.upper.paths) {
            for &u in &p.entities {
                keep[u as usize] = true;
            }
        }
    }
    let drawn = keep.iter().filter(|&&k| k).count();
    let diagram = if drawn == 0 {
        Drawing::Note("No entity to draw: no top entity has a path to a restricted buyer.".into())
    } else if drawn > MAX_DRAWN {
        Drawing::Note(format!(
            "The paths above run through {drawn} entities, too many to draw legibly; draw one entity's neighbourhood with exposure dot --focus ID."
        ))
    } else {
        let licensed = opts.licensed_edges(&net);
        let d = Diagram {
            model: &model,
            net: &net,
            outcome: &outcome,
            settings: opts.settings.clone(),
            scenario: what_ifs.clone(),
            licensed,
            keep,
            focus: None,
            unlinked: 0,
            highlight: None,
        };
        match render::render(dot::to_string(&d), render::ImageFormat::Svg) {
            Ok(bytes) => Drawing::Svg(String::from_utf8_lossy(&bytes).into_owned()),
            Err(RenderError::NotFound) => Drawing::Note(
                "No diagram: Graphviz's dot program was not found. Install Graphviz \
                 (apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/) \
                 and make the report again."
                    .into(),
            ),
            Err(e) => Drawing::Note(format!("No diagram: {e}")),
        }
    };

    let chart = timeline_chart(&net, &opts, &model, &top, portfolio.as_ref(), &report);

    // The scenarios, evaluated against the same loaded graph.
    let (read, evaluated) = match &args.scenarios {
        Some(path) => evaluate_scenarios(path, &args.graph, &model, &mut net, &args.eval)?,
        None => Default::default(),
    };
    let scenarios: Vec<ScenarioColumn> = read
        .iter()
        .zip(&evaluated)
        .map(|(s, (applied, outcome))| ScenarioColumn {
            name: &s.name,
            model: &applied.model,
            outcome,
            settings: markup::settings_line(&applied.opts.settings, &outcome.restricted.list_names),
            portfolio: portfolio
                .as_ref()
                .map(|p| Figures::of(p, outcome, |v| applied.model.id(v))),
        })
        .collect();

    let graph_name = args.graph.name();
    let page = Page {
        report: &report,
        net: &net,
        graph_name: &graph_name,
        what_ifs,
        rows_max: ROWS,
        explained,
        worst,
        diagram,
        chart,
        scenarios,
    };
    let path = &args.output;
    atomic_write(path, |out| html::write_html(&page, out))
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(Exit::Success)
}

/// The timeline chart of the portfolio and the first top entities, or why
/// there is none.
fn timeline_chart(
    net: &Net,
    opts: &analysis::Options,
    model: &exposure::model::Model,
    top: &[EntityIx],
    portfolio: Option<&exposure::portfolio::Portfolio>,
    report: &Report,
) -> Drawing {
    let events = timeline::events(net, opts);
    let Some((from, to)) = timeline::window(&events, None, opts.settings.as_of) else {
        return Drawing::Note(
            "No timeline: the graph has no date (no meta.as_of and no listing with a start or end)."
                .into(),
        );
    };
    if from > to {
        return Drawing::Note("No timeline: no listing starts or ends before the date.".into());
    }
    let dates = timeline::dates(&events, from, to).len();
    if dates.saturating_mul(net.n + net.edge_count()) > TIMELINE_BUDGET {
        return Drawing::Note(format!(
            "No timeline in this report: {dates} dates would take {dates} evaluations of a graph \
             this large; `exposure timeline` draws it (-o FILE.svg)."
        ));
    }
    let charted: Vec<EntityIx> = top.iter().copied().take(CHARTED).collect();
    let held = portfolio.map_or_else(Vec::new, |p| p.entities());
    let t = timeline::Timeline::build_with(
        net,
        opts,
        &events,
        (from, to),
        |_| charted,
        |o| {
            portfolio.map(|p| {
                let f = Figures::of(p, o, |v| model.id(v));
                (f.total, f.upper)
            })
        },
        &held,
    );
    let settings = Settings {
        as_of: Some(to),
        ..report.settings.clone()
    };
    let mut svg = Vec::new();
    match chart::write_svg(&t, model, &net.list_names, &settings, &mut svg) {
        Ok(()) => Drawing::Svg(String::from_utf8_lossy(&svg).into_owned()),
        Err(e) => Drawing::Note(format!("No timeline: {e}")),
    }
}

/// The output must be an .html file and none of the inputs.
fn check_output(args: &Args) -> Result<(), UsageError> {
    let out = &args.output;
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !(ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm")) {
        return Err(UsageError(format!(
            "-o {}: the report is written as HTML; give a file name ending in .html",
            out.display()
        )));
    }
    let inputs = [
        ("-g", args.graph.graph.as_deref()),
        ("--portfolio", args.portfolio.portfolio.as_deref()),
        ("--scenarios", args.scenarios.as_deref()),
    ];
    output::check("-o", out, Written::File, &inputs)
}
