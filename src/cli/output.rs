//! The one check every command that writes a file or folder runs on its
//! output before any work is done (so a refused run prints and writes
//! nothing): the output is none of the command's inputs — the same file by
//! any name (a symbolic or hard link, `..`, a file of a CSV graph folder,
//! one that does not exist yet included) — holds none of them, and its
//! folder exists and can be written.

use std::fs;
use std::path::{Path, PathBuf};

use super::common::UsageError;
use exposure::load::csv::FILES;
use exposure::save;

/// What the command writes at the output path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Written {
    File,
    /// A graph in the CSV form (`convert`).
    Folder,
}

/// An input of the command: the flag that named it (`-g`, `--csl`, `IN`)
/// and its path, if given.
pub(super) type Input<'a> = (&'a str, Option<&'a Path>);

/// Refuses `output` (named by `flag`) when it is the same file as any of
/// `inputs` or one of the files of an input folder, when it holds an input
/// (replacing it would remove it), when a file is to be written where a
/// folder is, and when its folder is missing or cannot be written.
pub(super) fn check(
    flag: &str,
    output: &Path,
    written: Written,
    inputs: &[Input<'_>],
) -> Result<(), UsageError> {
    let shown = output.display();
    let fail = |m: String| Err(UsageError(format!("{flag} {shown}: {m}")));
    if output.file_name().is_none() {
        return fail("names no file; give the name of the file to write".into());
    }
    let folder = match output.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p,
        None => Path::new("."),
    };
    if !folder.is_dir() {
        return fail(format!(
            "cannot write there: the folder {} does not exist",
            folder.display()
        ));
    }
    for &(in_flag, input) in inputs {
        let Some(input) = input else { continue };
        let named = format!("{in_flag} {}", input.display());
        if same(output, input) {
            return fail(format!(
                "that is an input file ({named}); no command writes over its input: write to another file"
            ));
        }
        if input.is_dir() {
            if let Some(file) = FILES.iter().find(|f| same(output, &input.join(f))) {
                return fail(format!(
                    "that is an input file ({file} of the graph folder {named}); \
                     no command writes over its input: write to another file"
                ));
            }
        }
        if output.is_dir() {
            if let (Some(o), Some(i)) = (absolute(output), absolute(input)) {
                if i.starts_with(&o) {
                    return fail(format!(
                        "it holds an input ({named}), which replacing it would remove; write elsewhere"
                    ));
                }
            }
        }
    }
    if written == Written::File && output.is_dir() {
        return fail("is a folder; give the name of a file".into());
    }
    save::check_writable(output).or_else(|e| {
        fail(format!(
            "cannot write in the folder {}: {e}",
            folder.display()
        ))
    })
}

/// Whether `a` and `b` name the same file or folder: the same device and
/// inode when both exist (on Unix), else the same absolute path, so a name
/// that does not exist yet compares by the folder it would be made in.
fn same(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    if let (Ok(x), Ok(y)) = (fs::metadata(a), fs::metadata(b)) {
        use std::os::unix::fs::MetadataExt;
        return (x.dev(), x.ino()) == (y.dev(), y.ino());
    }
    match (absolute(a), absolute(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The absolute form of a path that may not exist yet (its folder must),
/// symbolic links resolved.
pub(super) fn absolute(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}
