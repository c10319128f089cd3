//! The command line: one module per subcommand, each with its clap
//! arguments and its `run`. Only this module knows clap and the terminal.

mod analyze;
mod common;
mod convert;
mod dot;
mod explain;
mod memory;
mod output;
mod pack;
mod report;
mod screen;
mod timeline;
mod validate;
mod whatif;

use std::io;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use exposure::export::shown;

/// How much of a company's revenue is at risk when its customers land on
/// an export-control or sanctions list.
#[derive(Debug, Parser)]
#[command(name = "exposure", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Exposure of every entity to restricted buyers.
    Analyze(analyze::Args),
    /// Evaluate the scenarios of a file side by side.
    Whatif(whatif::Args),
    /// The paths that make up one entity's exposure, best first.
    Explain(explain::Args),
    /// Exposure at every date where a listing starts or ends: a table,
    /// JSON, CSV or an SVG step chart.
    Timeline(timeline::Args),
    /// The committee report: one self-contained HTML file with the
    /// settings, the portfolio, the ranked entities, the paths behind the
    /// top ones, the diagram, the timeline and the scenarios.
    Report(report::Args),
    /// The graph as a Graphviz diagram: DOT text, or an SVG, PNG or PDF
    /// drawn by Graphviz.
    Dot(dot::Args),
    /// Screen the graph's entities against the Consolidated Screening
    /// List; --apply writes the accepted matches as listings.
    Screen(screen::Args),
    /// Convert a graph between the JSON file and the CSV folder form, or
    /// from the packed form back to either, losslessly.
    Convert(convert::Args),
    /// Write a graph in the packed binary form, which every command reads
    /// with -g in about half the time of the JSON; checked when read.
    Pack(pack::Args),
    /// Check a graph and print every problem, or a summary.
    Validate(validate::Args),
}

/// Parses the process arguments (exits with status 2 on a usage error).
pub fn parse() -> Cli {
    Cli::parse()
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let exit = match cli.command {
        Command::Analyze(args) => analyze::run(args)?,
        Command::Timeline(args) => timeline::run(args)?,
        Command::Explain(args) => explain::run(args)?,
        Command::Dot(args) => dot::run(args)?,
        Command::Report(args) => report::run(args)?,
        Command::Screen(args) => screen::run(args)?,
        Command::Validate(args) => validate::run(args)?,
        Command::Whatif(args) => whatif::run(args)?,
        Command::Convert(args) => convert::run(args)?,
        Command::Pack(args) => pack::run(args)?,
    };
    Ok(exit.into())
}

/// Prints an error the way scripts expect (`error: ...` on stderr) and
/// gives its exit status: 2, or 0 for a closed pipe (`exposure ... | head`).
pub fn report(err: &anyhow::Error) -> ExitCode {
    for cause in err.chain() {
        if let Some(io) = cause.downcast_ref::<io::Error>() {
            if io.kind() == io::ErrorKind::BrokenPipe {
                return ExitCode::SUCCESS;
            }
        }
    }
    if let Some(load) = err.downcast_ref::<exposure::load::LoadError>() {
        for d in &load.problems.list {
            // A problem of the file as a whole names the file.
            let line = match d.place {
                exposure::load::Place::File => format!("{}: {}", load.origin, d.message),
                _ => d.to_string(),
            };
            eprintln!("error: {}", shown(&line));
        }
        if load.problems.more > 0 {
            eprintln!("error: ... and {} more problems", load.problems.more);
        }
    }
    eprintln!("error: {}", shown(&format!("{err:#}")));
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
