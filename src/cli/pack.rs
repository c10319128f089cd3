//! `exposure pack IN OUT`: a graph (JSON file or CSV folder) written in the
//! packed form, which every command reads faster. The input is loaded and
//! validated first; the output is written atomically, never over the
//! input, and over an existing file only with `--force`.

use std::path::PathBuf;

use super::common::Exit;
use super::convert::{write, Form};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The graph to read: a .json file, a folder in the CSV form, or a
    /// packed file.
    #[arg(value_name = "IN")]
    input: PathBuf,
    /// The packed file to write (any name: commands tell a packed graph
    /// by its content).
    #[arg(value_name = "OUT")]
    output: PathBuf,
    /// Replace OUT if it exists (only once the new file is complete).
    #[arg(long)]
    force: bool,
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    write(&args.input, &args.output, Form::Packed, args.force, "pack")
}
