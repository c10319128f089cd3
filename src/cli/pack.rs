//! `exposure pack IN OUT`: a graph (JSON file or CSV folder) written in the
//! packed form, which every command reads faster. The input is loaded and
//! validated first; the output is written atomically, never over the
//! input, and over an existing file only with `--force`.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::common::{Exit, UsageError};
use super::output::{self, absolute, Written};
use exposure::load;
use exposure::save;

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
    let (input, output) = (&args.input, &args.output);
    check_paths(input, output, args.force)?;
    let model = load::from_path(input)?;
    save::atomic_write(output, |out| save::write_packed(&model, out))
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", output.display()))?;
    writeln!(
        std::io::stdout().lock(),
        "wrote {} (packed graph): {} entities, {} relationships, {} listings",
        output.display(),
        model.entities.len(),
        model.relationships.len(),
        model.listings.len()
    )?;
    Ok(Exit::Success)
}

/// Refuses what `output::check` refuses (OUT the same as IN, a folder as
/// OUT), OUT inside IN, and an existing OUT without `--force`.
fn check_paths(input: &Path, output: &Path, force: bool) -> Result<(), UsageError> {
    let fail = |m: String| Err(UsageError(m));
    output::check("OUT", output, Written::File, &[("IN", Some(input))])?;
    let (Some(inp), Some(out)) = (absolute(input), absolute(output)) else {
        return fail(format!(
            "{}: cannot read: no such file or folder",
            input.display()
        ));
    };
    if out.starts_with(&inp) {
        return fail(format!(
            "{} is inside {}; write the packed file elsewhere, pack never touches its input",
            output.display(),
            input.display()
        ));
    }
    match std::fs::symlink_metadata(output) {
        Err(_) => Ok(()),
        Ok(_) if !force => fail(format!(
            "{} exists; add --force to replace it",
            output.display()
        )),
        Ok(_) => Ok(()),
    }
}
