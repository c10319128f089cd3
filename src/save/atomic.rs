//! Atomic writes of an output file or folder: the new one is written under
//! a hidden name beside its target (`save/temp.rs`), then put in place in
//! one step, so a reader sees the old output or the new one, never a part.
//! A replaced output keeps its permissions; what killed runs left beside
//! the target is swept first.
//!
//! **Invariant:** on failure nothing of this run is left behind and the
//! target is as it was.

use std::fs::{self, Permissions};
use std::io::{self, Write};
use std::path::Path;

use super::temp::{self, beside, Suffix};

/// Checks that `path` can be written before any work is done: a file is
/// created under this run's temporary name beside it, then removed.
pub fn check_writable(path: &Path) -> io::Result<()> {
    let probe = beside(path, Suffix::Tmp);
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe)?;
    fs::remove_file(&probe)
}

/// The permissions of the file or folder at `path`, to give its
/// replacement.
fn kept(path: &Path) -> Option<Permissions> {
    fs::metadata(path).ok().map(|m| m.permissions())
}

/// Writes `bytes` produced by `fill` to `path` atomically: a temporary file
/// in the same folder (with the permissions of the file it replaces, if
/// any, from the start), then a rename. On failure nothing is left behind.
pub fn atomic_write(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    temp::sweep(path);
    let tmp = beside(path, Suffix::Tmp);
    let mode = kept(path).filter(|_| path.is_file());
    let result = (|| {
        let file = fs::File::create(&tmp)?;
        if let Some(mode) = mode {
            file.set_permissions(mode)?;
        }
        let mut w = io::BufWriter::new(file);
        fill(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates the folder `dir` atomically: `fill` writes into a temporary
/// folder beside it, which is then put in place. With `replace`, an
/// existing `dir` is replaced only once the new folder is complete (and
/// the new one gets its permissions): on Linux both are swapped in one
/// step and the old one removed after; elsewhere, or on a file system that
/// cannot swap, the old one is moved aside, the new one renamed in and the
/// old one removed. On failure no partial folder is left behind.
pub fn atomic_folder(
    dir: &Path,
    replace: bool,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    temp::sweep(dir);
    let tmp = beside(dir, Suffix::Tmp);
    let result = (|| {
        fs::create_dir(&tmp)?;
        fill(&tmp)?;
        if replace && fs::symlink_metadata(dir).is_ok() {
            if let Some(mode) = kept(dir).filter(|_| dir.is_dir()) {
                fs::set_permissions(&tmp, mode)?;
            }
            swap_in(&tmp, dir)
        } else {
            fs::rename(&tmp, dir)
        }
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    } else {
        // A `.old` folder a killed run left is superseded now.
        temp::sweep(dir);
    }
    result
}

/// Puts the complete folder `new` in place of the existing `dir`, then
/// removes the old one; a failure to remove it leaves a hidden name beside
/// `dir` (swept by a later run), not a broken target.
fn swap_in(new: &Path, dir: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    match exchange(new, dir) {
        Ok(()) => {
            // `new` now holds the old folder.
            remove(new);
            return Ok(());
        }
        Err(e) if !cannot_exchange(&e) => return Err(e),
        Err(_) => {}
    }
    let old = beside(dir, Suffix::Old);
    fs::rename(dir, &old)?;
    if let Err(e) = fs::rename(new, dir) {
        // Put the old one back: the target is as it was.
        let _ = fs::rename(&old, dir);
        return Err(e);
    }
    remove(&old);
    Ok(())
}

/// Removes a file or folder, best effort.
fn remove(path: &Path) {
    let _ = match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        _ => fs::remove_file(path),
    };
}

/// Swaps the names `a` and `b` in one step (`renameat2` with
/// `RENAME_EXCHANGE`): at every moment both names exist.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;

    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // The system call, not glibc's wrapper, which needs glibc 2.28.
    // SAFETY: both pointers are NUL-terminated strings that live across the
    // call; the kernel only reads them.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Errors that say the kernel or the file system cannot swap (a kernel
/// before 3.15, some network and FUSE file systems): the two renames are
/// used instead.
#[cfg(target_os = "linux")]
fn cannot_exchange(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn exchange_swaps_two_folders_in_one_step() {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("one"), "1").unwrap();
        fs::write(b.join("two"), "2").unwrap();
        exchange(&a, &b).unwrap();
        assert_eq!(names(&a), ["two"]);
        assert_eq!(names(&b), ["one"]);
    }

    #[test]
    fn replacing_a_folder_leaves_the_new_content_and_nothing_of_the_old() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("graph");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("old.csv"), "old").unwrap();
        fs::write(dir.join("entities.csv"), "old").unwrap();
        atomic_folder(&dir, true, |tmp| fs::write(tmp.join("entities.csv"), "new")).unwrap();
        assert_eq!(names(&dir), ["entities.csv"]);
        assert_eq!(fs::read_to_string(dir.join("entities.csv")).unwrap(), "new");
        // No hidden folder of either is left beside it.
        assert_eq!(names(root.path()), ["graph"]);
    }

    #[test]
    fn a_failed_fill_leaves_the_old_folder_as_it_was() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("graph");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("entities.csv"), "old").unwrap();
        let err = atomic_folder(&dir, true, |_| Err(io::Error::other("full"))).unwrap_err();
        assert_eq!(err.to_string(), "full");
        assert_eq!(fs::read_to_string(dir.join("entities.csv")).unwrap(), "old");
        assert_eq!(names(root.path()), ["graph"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_and_folder_keep_their_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("g.json");
        fs::write(&file, "old").unwrap();
        fs::set_permissions(&file, Permissions::from_mode(0o600)).unwrap();
        atomic_write(&file, |w| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "new");
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );

        let dir = root.path().join("graph");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, Permissions::from_mode(0o700)).unwrap();
        atomic_folder(&dir, true, |tmp| fs::write(tmp.join("entities.csv"), "new")).unwrap();
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
}
