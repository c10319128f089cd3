//! The names of work in progress beside an output — `.NAME.PID.tmp` (the
//! file or folder being written) and `.NAME.PID.old` (a folder being
//! replaced, where it cannot be swapped in one step) — and the sweep that
//! removes those an earlier run left behind when it was killed.
//!
//! **Invariant:** the sweep removes only names of this exact pattern,
//! beside the one output being written, whose process no longer runs on
//! this machine; an `.old` folder only once its output is in place (else it
//! may be the only copy of the graph).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// What a hidden name beside an output holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Suffix {
    /// The new file or folder, or after a swap the old one.
    Tmp,
    /// The old folder moved aside.
    Old,
}

impl Suffix {
    fn as_str(self) -> &'static str {
        match self {
            Suffix::Tmp => "tmp",
            Suffix::Old => "old",
        }
    }
}

/// The folder `path` is in (`.` for a bare name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A hidden name beside `path` for this process's work in progress:
/// `.NAME.PID.SUFFIX` in the same folder, so a rename onto `path` stays on
/// one file system.
pub(crate) fn beside(path: &Path, suffix: Suffix) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    folder_of(path).join(format!(
        ".{name}.{}.{}",
        std::process::id(),
        suffix.as_str()
    ))
}

/// The process id and suffix of `entry` when it is a temporary name of
/// `name` (`.NAME.PID.tmp` or `.NAME.PID.old`, PID a positive number that
/// fits a process id), else `None`.
fn parse(entry: &str, name: &str) -> Option<(u32, Suffix)> {
    let rest = entry
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?;
    let (pid, suffix) = rest.split_once('.')?;
    let suffix = match suffix {
        "tmp" => Suffix::Tmp,
        "old" => Suffix::Old,
        _ => return None,
    };
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let pid: u32 = pid.parse().ok()?;
    (pid > 0 && i32::try_from(pid).is_ok()).then_some((pid, suffix))
}

/// Whether a process with this id runs on this machine. Where that cannot
/// be told, every process counts as running, so nothing is swept.
fn running(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        if pid <= 0 {
            return true;
        }
        // Signal 0 checks that the process exists without touching it;
        // EPERM means it exists under another user.
        // SAFETY: kill with signal 0 sends nothing and has no memory effects.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Removes what earlier runs that were killed left beside `path`: every
/// `.NAME.PID.tmp` whose process no longer runs, and every such
/// `.NAME.PID.old` once `path` exists. Best effort: what cannot be read or
/// removed is left as it is.
pub(crate) fn sweep(path: &Path) {
    let Some(name) = path.file_name().and_then(OsStr::to_str) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(folder_of(path)) else {
        return;
    };
    let own = std::process::id();
    let target_exists = std::fs::symlink_metadata(path).is_ok();
    for entry in entries.flatten() {
        let entry_name = entry.file_name();
        let Some((pid, suffix)) = entry_name.to_str().and_then(|e| parse(e, name)) else {
            continue;
        };
        if pid == own || running(pid) || (suffix == Suffix::Old && !target_exists) {
            continue;
        }
        let stale = entry.path();
        let _ = match std::fs::symlink_metadata(&stale) {
            Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(&stale),
            Ok(_) => std::fs::remove_file(&stale),
            Err(_) => continue,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_own_pattern_of_the_one_name_is_recognised() {
        assert_eq!(parse(".g.json.42.tmp", "g.json"), Some((42, Suffix::Tmp)));
        assert_eq!(parse(".out.7.old", "out"), Some((7, Suffix::Old)));
        for other in [
            "g.json",
            ".g.json.42.tmp.x",
            ".g.json.42.bak",
            ".g.json..tmp",
            ".g.json.0.tmp",
            ".g.json.-3.tmp",
            ".g.json.+3.tmp",
            ".g.json.99999999999.tmp",
            ".h.json.42.tmp",
            ".g.json.x.42.tmp",
            "g.json.42.tmp",
        ] {
            assert_eq!(parse(other, "g.json"), None, "{other}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn this_process_runs_and_a_reaped_child_does_not() {
        assert!(running(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!running(pid));
    }

    #[cfg(unix)]
    #[test]
    fn the_sweep_removes_dead_runs_temporaries_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("g.json");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let live = std::process::id();
        let names = [
            format!(".g.json.{dead}.tmp"),
            format!(".g.json.{live}.tmp"),
            format!(".h.json.{dead}.tmp"),
            format!(".g.json.{dead}.bak"),
            "notes.txt".to_string(),
        ];
        for n in &names {
            std::fs::write(dir.path().join(n), "x").unwrap();
        }
        let folder = dir.path().join(format!(".g.json.{dead}.old"));
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("entities.csv"), "id\n").unwrap();

        // The output does not exist: the old folder may be the only copy.
        sweep(&out);
        assert!(!dir.path().join(&names[0]).exists());
        for n in &names[1..] {
            assert!(dir.path().join(n).exists(), "{n}");
        }
        assert!(folder.exists());

        std::fs::write(&out, "{}").unwrap();
        sweep(&out);
        assert!(!folder.exists());
        for n in &names[1..] {
            assert!(dir.path().join(n).exists(), "{n}");
        }
    }
}
