//! `exposure screen --csl FILE`: the graph's entities against a
//! Consolidated Screening List file; `--apply OUT` writes a new graph with
//! a listing for each accepted match.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use super::common::{Exit, Format, GraphArgs, UsageError};
use super::output::{self, Written};
use exposure::export::{self, screen::Screening};
use exposure::save;
use exposure::screen::{self, csl, Options, DEFAULT_MIN_SCORE, REVIEW_FLOOR};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    graph: GraphArgs,
    /// The Consolidated Screening List file (trade.gov), in its CSV or
    /// JSON layout.
    #[arg(long, value_name = "FILE")]
    csl: PathBuf,
    /// Accept candidates from this score up (0..1); lower ones down to
    /// the review floor are listed for review.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_MIN_SCORE, value_parser = parse_score)]
    min_score: f64,
    /// List candidates for review from this score up (at most the min score).
    #[arg(long, value_name = "S", default_value_t = REVIEW_FLOOR, value_parser = parse_score)]
    review_floor: f64,
    /// Only rows of these CSL sources, by code (EL, MEU, UVL, DPL, SDN,
    /// CMIC, SSI, ISN, DTC, ...).
    #[arg(long, value_name = "EL,SDN", value_delimiter = ',')]
    sources: Option<Vec<String>>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Write a new graph with a listing for each accepted match to OUT
    /// (the input graph is never changed).
    #[arg(long, value_name = "OUT")]
    apply: Option<PathBuf>,
    /// Let --apply replace an existing OUT.
    #[arg(long)]
    force: bool,
}

fn parse_score(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a score between 0 and 1")),
    }
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    if let Some(out) = &args.apply {
        let inputs = [
            ("-g", args.graph.graph.as_deref()),
            ("--csl", Some(args.csl.as_path())),
        ];
        output::check("--apply", out, Written::File, &inputs)?;
        if out.exists() && !args.force {
            return Err(UsageError(format!(
                "--apply {}: the file exists; add --force to replace it",
                out.display()
            ))
            .into());
        }
    }
    let model = args.graph.load()?;
    let bytes = std::fs::read(&args.csl)
        .map_err(|e| UsageError(format!("--csl {}: cannot read: {e}", args.csl.display())))?;
    let list =
        csl::read(&bytes).map_err(|e| UsageError(format!("--csl {}: {e}", args.csl.display())))?;
    if let Some(codes) = &args.sources {
        let known: Vec<&str> = {
            let mut k: Vec<&str> = list.entries.iter().map(|e| e.code.as_str()).collect();
            k.sort_unstable();
            k.dedup();
            k
        };
        for c in codes
            .iter()
            .filter(|c| !known.iter().any(|k| k.eq_ignore_ascii_case(c)))
        {
            eprintln!(
                "warning: --sources {c}: no row of this list has that source code (its codes: {})",
                known.join(", ")
            );
        }
    }
    let opts = Options {
        min_score: args.min_score,
        floor: args.review_floor,
        sources: args.sources.clone(),
    };
    let candidates = screen::screen(&model, &list, &opts);

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let s = Screening {
        model: &model,
        list: &list,
        min_score: opts.min_score,
        floor: opts.floor,
        candidates: &candidates,
    };
    match args.format {
        Format::Table => export::screen::write_table(&s, &mut out)?,
        Format::Json => export::screen::write_json(&s, &mut out)?,
        Format::Csv => export::screen::write_csv(&s, &mut out)?,
    }
    out.flush()?;

    if let Some(path) = &args.apply {
        let (new, applied) = screen::apply(&model, &list, &candidates).map_err(|problems| {
            exposure::load::LoadError {
                origin: format!("--apply {}", path.display()),
                problems,
            }
        })?;
        save::atomic_write(path, |w| save::write_json(&new, w))
            .map_err(|e| UsageError(format!("--apply {}: cannot write: {e}", path.display())))?;
        eprintln!(
            "wrote {}: {} listing{} added{}",
            path.display(),
            applied.added,
            if applied.added == 1 { "" } else { "s" },
            if applied.already > 0 {
                format!(", {} already in the graph", applied.already)
            } else {
                String::new()
            }
        );
    }
    Ok(Exit::Success)
}
