//! Flags shared by the commands that read a graph, and their translation
//! into checked domain values: a loaded model, resolved ids, [`Options`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use exposure::analysis::Settings;
use exposure::analysis::{Options, Outcome, WhatIfListing};
use exposure::batch;
use exposure::graph::Net;
use exposure::load::{self, LoadError};
use exposure::model::{Date, EntityIx, Model};
use exposure::portfolio::{self, Figures, Portfolio, PortfolioError};
use exposure::scenario;

/// The example graph of the README, built into the binary.
const BUILTIN: &str = include_str!("../../graphs/entity-list-2019.json");
const BUILTIN_NAME: &str = "graphs/entity-list-2019.json";

/// How a command ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Success,
    /// A `--fail-above` threshold was crossed (exit status 1).
    ThresholdCrossed,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        match e {
            Exit::Success => ExitCode::SUCCESS,
            Exit::ThresholdCrossed => ExitCode::from(1),
        }
    }
}

/// Bad usage that clap cannot see: an unknown id, an edge that does not
/// exist. Exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Tells the reader on stderr what an evaluation could not settle.
pub(super) fn warn(outcome: &Outcome) {
    for w in &outcome.warnings {
        eprintln!("warning: {}", exposure::export::shown(w));
    }
}

/// The scenarios of a file, each applied and evaluated, in file order.
pub(super) type Evaluated<'a> = (
    Vec<scenario::Scenario>,
    Vec<(scenario::Applied<'a>, Outcome)>,
);

/// Reads the scenario file at `path`, then applies and evaluates every
/// scenario against the loaded graph, all before anything is printed, so
/// that a failing scenario leaves no half result.
pub(super) fn evaluate_scenarios<'a>(
    path: &std::path::Path,
    graph: &GraphArgs,
    model: &'a Model,
    net: &mut Net,
    eval: &EvalArgs,
) -> anyhow::Result<Evaluated<'a>> {
    let shown = path.display();
    let scenarios = read_scenarios(path)?;
    let (settings, extra) = (eval.settings(), eval.what_ifs());
    let mut evaluated = Vec::with_capacity(scenarios.len());
    // Each in full (no base), two at a time.
    let against = batch::Against {
        model,
        base: None,
        settings: &settings,
        extra: &extra,
        seed: Default::default(),
    };
    batch::each(net, &against, &scenarios, |_, e| -> anyhow::Result<()> {
        let e = e.map_err(|e| anyhow::anyhow!("{shown}: {}", graph.cite(&e.to_string())))?;
        warn(&e.outcome);
        evaluated.push((e.applied, e.outcome));
        Ok(())
    })?;
    Ok((scenarios, evaluated))
}

/// Reads the scenario file at `path`.
pub(super) fn read_scenarios(path: &std::path::Path) -> anyhow::Result<Vec<scenario::Scenario>> {
    use anyhow::Context;
    let shown = path.display();
    let bytes =
        std::fs::read(path).with_context(|| format!("{shown}: cannot read the scenario file"))?;
    scenario::parse(&bytes).with_context(|| format!("{shown}"))
}

/// `-g/--graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The graph: an exposure-graph/1 .json file, a folder in the CSV
    /// form (entities.csv, relationships.csv, listings.csv), or a packed
    /// file (exposure pack). Absent: the
    /// built-in example graph (Entity List additions, October 2019).
    #[arg(short = 'g', long = "graph", value_name = "PATH")]
    pub graph: Option<PathBuf>,
}

impl GraphArgs {
    /// The graph as named on the command line, or the built-in one's file.
    pub fn name(&self) -> String {
        match &self.graph {
            Some(path) => path.display().to_string(),
            None => BUILTIN_NAME.to_string(),
        }
    }

    /// `message` with its references to records (`entities[3]`) given as
    /// file and line when the graph is a folder in the CSV form, as
    /// `validate` gives them.
    pub fn cite(&self, message: &str) -> String {
        match &self.graph {
            Some(path) if path.is_dir() => load::csv::cite_lines(path, message),
            _ => message.to_string(),
        }
    }

    /// Loads and validates the graph (or the built-in one, with a notice).
    pub fn load(&self) -> Result<Model, LoadError> {
        self.load_then(|_| ()).map(|(model, ())| model)
    }

    /// [`GraphArgs::load`], running `then` on the model while its rules
    /// across records are checked (`load::from_path_then`): a command
    /// builds its net in that time. `then` must not rely on those rules;
    /// its result is dropped when one fails.
    pub fn load_then<T: Send>(
        &self,
        then: impl FnOnce(&Model) -> T + Send,
    ) -> Result<(Model, T), LoadError> {
        let (model, done) = match &self.graph {
            Some(path) => load::from_path_then(path, then)?,
            None => {
                eprintln!(
                    "note: no --graph given; using the built-in example graph {BUILTIN_NAME}"
                );
                let model = load::from_json(BUILTIN.as_bytes()).map_err(|problems| LoadError {
                    origin: BUILTIN_NAME.into(),
                    problems,
                })?;
                let done = then(&model);
                (model, done)
            }
        };
        let (doubts, more) = load::doubts(&model);
        for d in &doubts {
            eprintln!("warning: {}", exposure::export::shown(d));
        }
        if more > 0 {
            eprintln!("warning: and {more} more like these");
        }
        Ok((model, done))
    }
}

/// The evaluation and what-if flags.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Evaluation date: listings in effect on that day (default: the
    /// graph's meta.as_of).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Only listings on these lists count (comma-separated names).
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub lists: Option<Vec<String>>,
    /// Turn the affiliates (50 %) rule on at this threshold, in percent.
    #[arg(long, value_name = "PCT", value_parser = parse_threshold)]
    pub affiliates: Option<f64>,
    /// Only paths of at most K supplies edges count.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_depth: Option<u32>,
    /// What-if: ID has a listing in effect (repeatable).
    #[arg(long = "list", value_name = "ID")]
    pub list: Vec<String>,
    /// What-if: no listing of ID is in effect (repeatable).
    #[arg(long = "delist", value_name = "ID")]
    pub delist: Vec<String>,
    /// What-if: sales from SELLER to BUYER are licensed (repeatable).
    #[arg(long = "license", value_name = "SELLER:BUYER")]
    pub license: Vec<String>,
}

pub(super) fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("{s:?} is not a real date in the form YYYY-MM-DD"))
}

fn parse_threshold(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(t) if t > 0.0 && t <= 100.0 => Ok(t),
        _ => Err(format!("{s:?} is not a percent above 0 and at most 100")),
    }
}

/// A `--top` count: a whole number of at least 1 (0 rows or paths would
/// print a table that says nothing and a summary that contradicts it).
pub(super) fn parse_top(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        Ok(_) => Err("must be at least 1; leave --top out to keep every row".into()),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}

/// Finds an entity by id, or says which flag named an unknown one.
pub(super) fn resolve(model: &Model, id: &str, flag: &str) -> Result<EntityIx, UsageError> {
    model.find(id).ok_or_else(|| {
        UsageError(format!(
            "{flag} {id}: no entity has the id {id:?}{}",
            exposure::suggest::id_hint(model, id)
        ))
    })
}

impl EvalArgs {
    /// The settings these flags fix (they win over a scenario file's).
    pub fn settings(&self) -> Settings {
        Settings {
            as_of: self.as_of,
            affiliates: self.affiliates,
            lists: self.lists.clone(),
            max_depth: self.max_depth,
        }
    }

    /// The what-if flags, as ids, for every scenario.
    pub fn what_ifs(&self) -> scenario::WhatIfFlags {
        scenario::WhatIfFlags {
            list: self.list.clone(),
            delist: self.delist.clone(),
            license: self.license.clone(),
        }
    }

    /// Checks that every `--lists` name is the list of some listing of
    /// the graph (cli.md: a typo must not become a silent all-clear).
    pub fn check_lists(&self, net: &Net) -> Result<(), UsageError> {
        let lists = self.lists.as_deref().unwrap_or_default();
        exposure::suggest::check_lists(lists, &net.list_names, "--lists").map_err(UsageError)
    }

    /// Checks the flags against the graph and builds the options.
    pub fn options(&self, model: &Model, net: &Net) -> Result<Options, UsageError> {
        let list = self
            .list
            .iter()
            .map(|id| resolve(model, id, "--list"))
            .collect::<Result<Vec<_>, _>>()?;
        let delist = self
            .delist
            .iter()
            .map(|id| resolve(model, id, "--delist"))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(&v) = list.iter().find(|v| delist.contains(v)) {
            return Err(UsageError(format!(
                "{} is both listed and delisted; choose one",
                model.id(v)
            )));
        }
        let list = list
            .into_iter()
            .map(|entity| WhatIfListing { entity, list: None })
            .collect();
        let licensed = self
            .license
            .iter()
            .map(|pair| scenario::licensed_edge(model, net, pair).map_err(UsageError))
            .collect::<Result<Vec<_>, _>>()?;
        self.check_lists(net)?;
        Ok(Options {
            settings: Settings {
                as_of: self.as_of.or(model.meta.as_of),
                ..self.settings()
            },
            list,
            delist,
            licensed,
        })
    }
}

/// The output flags of `analyze` and `whatif`.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Keep the first N rows (N >= 1).
    #[arg(long, value_name = "N", value_parser = parse_top)]
    pub top: Option<usize>,
    /// Every entity, not only the exposed and the restricted ones.
    #[arg(long)]
    pub all: bool,
    /// Exit with status 1 when an entity that is not restricted has a
    /// total exposure above X (a fraction, e.g. 0.05), or, with
    /// --portfolio, when the portfolio's total is above X.
    #[arg(long, value_name = "X")]
    pub fail_above: Option<f64>,
    /// The same on the upper bound, a conservative gate: exit with status
    /// 1 when an entity that is not restricted has an upper exposure above
    /// X, or the portfolio's upper bound is above X.
    #[arg(long, value_name = "X")]
    pub fail_above_upper: Option<f64>,
}

impl OutputArgs {
    /// Whether `--fail-above` or `--fail-above-upper` is crossed by an
    /// entity not in R or by the portfolio.
    pub fn crossed(&self, outcome: &Outcome, portfolio: Option<&Figures>) -> bool {
        let r = &outcome.restricted.in_r;
        let over = |limit: Option<f64>, values: &[f64], figure: Option<f64>| {
            limit.is_some_and(|limit| {
                figure.is_some_and(|f| f > limit)
                    || (0..values.len()).any(|v| !r[v] && values[v] > limit)
            })
        };
        over(self.fail_above, &outcome.total, portfolio.map(|f| f.total))
            || over(
                self.fail_above_upper,
                &outcome.upper,
                portfolio.map(|f| f.upper),
            )
    }
}

/// `--portfolio FILE`.
#[derive(Debug, clap::Args)]
pub struct PortfolioArgs {
    /// A CSV of holdings: a header row with the columns entity (an entity
    /// id; or ticker, resolved through the entities' ticker) and weight (a
    /// market value, a count or a percent: any number >= 0, normalised to
    /// sum to 1); other columns are ignored. Adds the portfolio's
    /// weighted exposure and the holdings that are themselves restricted.
    #[arg(long, value_name = "FILE")]
    pub portfolio: Option<PathBuf>,
}

impl PortfolioArgs {
    /// Reads and resolves the holdings file, if one is given.
    pub fn load(&self, model: &Model) -> Result<Option<Portfolio>, PortfolioError> {
        self.portfolio
            .as_deref()
            .map(|path| portfolio::read(path, model))
            .transpose()
    }
}

/// Output formats for scripts and people.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    #[default]
    Table,
    /// The JSON object of the CLI spec.
    Json,
    /// One header row, one row per entity.
    Csv,
}
