//! `exposure convert IN OUT`: a graph from the JSON file form to the CSV
//! folder form or back, or from the packed form to either (the form of OUT
//! is told by the path: a `.json` file or a folder). The input is loaded
//! and validated first; the output is written atomically and never over
//! the input. `exposure pack` writes the packed form the same way
//! ([`write`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::common::{Exit, UsageError};
use super::output::{self, absolute, Written};
use exposure::load;
use exposure::save;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The graph to read: a .json file, a folder in the CSV form, or a
    /// packed file (exposure pack).
    #[arg(value_name = "IN")]
    input: PathBuf,
    /// Where to write it: a path ending in .json gets the JSON form,
    /// any other path a folder in the CSV form.
    #[arg(value_name = "OUT")]
    output: PathBuf,
    /// Replace OUT if it exists (only once the new graph is complete).
    #[arg(long)]
    force: bool,
}

/// The forms of a graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Json,
    Csv,
    Packed,
}

impl Form {
    /// The form `convert` writes to `path`: JSON for a `.json` name, else
    /// CSV.
    fn of_output(path: &Path) -> Form {
        let json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if json {
            Form::Json
        } else {
            Form::Csv
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Form::Json => "JSON file",
            Form::Csv => "CSV folder",
            Form::Packed => "packed graph",
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<Exit> {
    let form = Form::of_output(&args.output);
    write(&args.input, &args.output, form, args.force, "convert")
}

/// Loads the graph at `input` and writes it to `output` in `form`, for
/// `command` (named in its messages).
pub fn write(
    input: &Path,
    output: &Path,
    form: Form,
    force: bool,
    command: &str,
) -> anyhow::Result<Exit> {
    check_paths(input, output, form, force, command)?;
    let model = load::from_path(input)?;
    let written = match form {
        Form::Json => save::atomic_write(output, |out| save::write_json(&model, out)),
        Form::Csv => save::atomic_folder(output, force, |dir| save::write_csv(&model, dir)),
        Form::Packed => save::atomic_write(output, |out| save::write_packed(&model, out)),
    };
    written.map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", output.display()))?;
    writeln!(
        std::io::stdout().lock(),
        "wrote {} ({}): {} entities, {} relationships, {} listings",
        output.display(),
        form.describe(),
        model.entities.len(),
        model.relationships.len(),
        model.listings.len()
    )?;
    Ok(Exit::Success)
}

/// Refuses what could touch the input or silently replace a file: what
/// `output::check` refuses, OUT inside IN (or IN inside OUT, which
/// `--force` would remove), an existing OUT without `--force`, an existing
/// OUT of the other form.
fn check_paths(
    input: &Path,
    output: &Path,
    form: Form,
    force: bool,
    command: &str,
) -> Result<(), UsageError> {
    let fail = |m: String| Err(UsageError(m));
    let written = match form {
        Form::Json | Form::Packed => Written::File,
        Form::Csv => Written::Folder,
    };
    output::check("OUT", output, written, &[("IN", Some(input))])?;
    let (Some(inp), Some(out)) = (absolute(input), absolute(output)) else {
        return fail(format!(
            "{}: cannot read: no such file or folder",
            input.display()
        ));
    };
    if out.starts_with(&inp) || inp.starts_with(&out) {
        return fail(format!(
            "{} and {} are one inside the other; write the output elsewhere, {command} never touches its input",
            input.display(),
            output.display()
        ));
    }
    match std::fs::symlink_metadata(output) {
        Err(_) => Ok(()),
        Ok(meta) => {
            if !force {
                return fail(format!(
                    "{} exists; add --force to replace it",
                    output.display()
                ));
            }
            // A folder where the JSON form is to go is `output::check`'s.
            if form == Form::Csv && !meta.is_dir() {
                return fail(format!(
                    "{} is a file; the CSV form is a folder (name a .json file for the JSON form)",
                    output.display()
                ));
            }
            Ok(())
        }
    }
}
