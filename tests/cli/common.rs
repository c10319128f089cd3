//! Helpers shared by the integration tests: run the binary, write fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A command for the `exposure` binary built by Cargo for these tests.
pub fn exposure() -> Command {
    Command::new(env!("CARGO_BIN_EXE_exposure"))
}

/// Runs `exposure` with `args` and returns what it printed and its status.
pub fn run(args: &[&str]) -> Output {
    exposure()
        .args(args)
        .output()
        .expect("the exposure binary runs")
}

/// The path of a fixture under `tests/data/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Writes `text` to a file `name` in a fresh temporary folder.
///
/// The folder lives as long as the returned guard.
pub fn write_temp(name: &str, text: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("the fixture is written");
    (dir, path)
}

/// Standard error as text (lossy), for assertions on messages.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Standard output as text (lossy).
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `exposure` with `args`, killing it after `secs` seconds: `None`
/// when it had to be killed. Output goes to files, so a large one cannot
/// block the child.
pub fn run_within(args: &[&str], secs: u64) -> Option<Output> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = exposure()
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out).expect("a file for stdout"))
        .stderr(std::fs::File::create(&err).expect("a file for stderr"))
        .spawn()
        .expect("the exposure binary runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().expect("the child can be waited for") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    Some(Output {
        status,
        stdout: std::fs::read(&out).expect("stdout is read"),
        stderr: std::fs::read(&err).expect("stderr is read"),
    })
}
