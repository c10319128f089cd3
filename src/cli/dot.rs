//! `exposure dot`: the graph as a Graphviz diagram — DOT text on stdout,
//! or a `.dot`, `.svg`, `.png` or `.pdf` file — with a focus, a size cap
//! and the paths of one entity in bold.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::common::{resolve, warn, EvalArgs, Exit, GraphArgs, UsageError};
use super::output::{self, Written};
use exposure::analysis::{self, paths, Bound};
use exposure::export::dot::{self, Diagram, Focus, Highlight};
use exposure::graph::Net;
use exposure::render::{self, ImageFormat};
use exposure::save::atomic_write;

/// Entities drawn at most unless `--max-nodes` says otherwise.
const MAX_NODES: usize = 300;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    graph: GraphArgs,
    #[command(flatten)]
    eval: EvalArgs,
    /// Write to FILE: .dot (DOT text), or .svg, .png, .pdf (drawn by
    /// Graphviz's dot). Absent: DOT text on stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Draw only the entities within --depth edges of ID (supplies or
    /// owns, either direction).
    #[arg(long, value_name = "ID")]
    focus: Option<String>,
    /// How many edges around --focus.
    #[arg(long, value_name = "N", default_value_t = 2, requires = "focus")]
    depth: u32,
    /// Also draw the entities that have no relationship with another drawn
    /// entity (left out by default; the title counts them).
    #[arg(long)]
    all: bool,
    /// Refuse to draw more than N entities.
    #[arg(long, value_name = "N", default_value_t = MAX_NODES)]
    max_nodes: usize,
    /// Draw the paths behind ID's exposure (as `explain ID` lists them) in
    /// bold.
    #[arg(long, value_name = "ID")]
    highlight: Option<String>,
    /// How many of --highlight's paths, best first.
    #[arg(
        long,
        value_name = "K",
        default_value_t = 10,
        requires = "highlight",
        value_parser = super::common::parse_top
    )]
    highlight_top: usize,
    /// With --highlight: the paths behind the upper bound under the worst
    /// case (as `explain ID --upper` lists them), each edge labelled with
    /// the share the worst case gives it.
    #[arg(long, requires = "highlight")]
    upper: bool,
}

/// Where the diagram goes.
enum Target {
    Stdout,
    Dot(PathBuf),
    Drawn(PathBuf, ImageFormat),
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let target = target(args.output.as_deref())?;
    if let Some(path) = &args.output {
        output::check(
            "-o",
            path,
            Written::File,
            &[("-g", args.graph.graph.as_deref())],
        )?;
    }
    let (model, net) = args.graph.load_then(Net::build)?;
    let opts = args.eval.options(&model, &net)?;
    let focus = args
        .focus
        .as_deref()
        .map(|id| resolve(&model, id, "--focus"))
        .transpose()?;
    let highlight = args
        .highlight
        .as_deref()
        .map(|id| resolve(&model, id, "--highlight"))
        .transpose()?;

    let mut keep = match focus {
        Some(v) => net.within(v, args.depth),
        None => vec![true; net.n],
    };
    let mut unlinked = 0;
    if !args.all {
        let mut linked = vec![false; net.n];
        for r in model
            .relationships
            .iter()
            .filter(|r| keep[r.from as usize] && keep[r.to as usize])
        {
            (linked[r.from as usize], linked[r.to as usize]) = (true, true);
        }
        if let Some(v) = focus {
            linked[v as usize] = true;
        }
        for (k, l) in keep.iter_mut().zip(&linked) {
            if *k && !l {
                *k = false;
                unlinked += 1;
            }
        }
    }
    let drawn = keep.iter().filter(|&&k| k).count();
    if drawn > args.max_nodes {
        return Err(UsageError(format!(
            "the diagram would have {drawn} entities, more than {} can be drawn legibly; \
             draw the part around one entity with --focus ID --depth N, or raise --max-nodes",
            args.max_nodes
        ))
        .into());
    }

    let outcome = analysis::evaluate(&net, &opts);
    warn(&outcome);
    let highlight = highlight.map(|from| {
        let query = paths::Query {
            from,
            top: args.highlight_top,
            limit: paths::MAX_PARTIAL_PATHS,
        };
        let bound = if args.upper {
            Bound::Upper
        } else {
            Bound::Lower
        };
        let (found, worst) = paths::of_bound(&net, &opts, &outcome, bound, |v| model.id(v), query, None);
        if found.truncated {
            eprintln!(
                "warning: the search for the paths of {} stopped after {} partial paths; {} of the {} paths asked for are highlighted",
                exposure::export::shown(model.id(from)),
                found.generated,
                found.paths.len(),
                args.highlight_top
            );
        }
        let mut on = vec![false; net.edge_count()];
        for e in found.paths.iter().flat_map(|p| &p.edges) {
            on[*e] = true;
        }
        Highlight {
            from,
            top: args.highlight_top,
            on,
            worst,
        }
    });
    let licensed = opts.licensed_edges(&net);
    let scenario = args.eval.what_ifs().flags();
    let diagram = Diagram {
        model: &model,
        net: &net,
        outcome: &outcome,
        settings: opts.settings.clone(),
        scenario,
        licensed,
        keep,
        focus: focus.map(|entity| Focus {
            entity,
            depth: args.depth,
        }),
        unlinked,
        highlight,
    };
    let text = dot::to_string(&diagram);

    let (path, bytes) = match target {
        Target::Stdout => {
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            return Ok(Exit::Success);
        }
        Target::Dot(path) => (path, text.into_bytes()),
        Target::Drawn(path, format) => {
            let bytes = render::render(text, format)
                .map_err(|e| anyhow::anyhow!("cannot draw {}: {e}", path.display()))?;
            (path, bytes)
        }
    };
    atomic_write(&path, |out| out.write_all(&bytes))
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    let entities = if drawn == 1 {
        "1 entity".to_string()
    } else {
        format!("{drawn} entities")
    };
    eprintln!("wrote {} ({entities})", path.display());
    Ok(Exit::Success)
}

/// The output the file name asks for; an unknown extension is a usage
/// error before any work is done.
fn target(path: Option<&Path>) -> Result<Target, UsageError> {
    let Some(path) = path else {
        return Ok(Target::Stdout);
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("dot") || ext.eq_ignore_ascii_case("gv") {
        return Ok(Target::Dot(path.to_path_buf()));
    }
    match ImageFormat::from_extension(ext) {
        Some(f) => Ok(Target::Drawn(path.to_path_buf(), f)),
        None => Err(UsageError(format!(
            "-o {}: the extension picks the output; give a file name ending in .dot, .svg, .png or .pdf",
            path.display()
        ))),
    }
}
