//! Differential test: the binary against `tests/oracle/reference.py`, an
//! independent implementation of the exposure spec in exact rational
//! arithmetic, on the spec's hand-made cases and on random graphs with
//! cycles, shares near 1, unknown shares and unknown stakes, and segments:
//! `analyze`, the worst case that `explain --upper` shows, portfolios,
//! `whatif` on random scenario files (their changes applied by
//! `tests/oracle/scenarios.py`, not by the binary's code) and `timeline`
//! date by date.

use std::path::Path;
use std::process::Command;

/// Runs `crosscheck.py` with `args` against the binary and checks that
/// every case passed. Without python3 (outside CI) the test says so and
/// passes.
fn crosscheck(args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/crosscheck.py");
    let run = Command::new("python3")
        .arg(&script)
        .args(["--binary", env!("CARGO_BIN_EXE_exposure"), "--quiet"])
        .args(args)
        .output();
    let out = match run {
        Ok(out) => out,
        // CI installs Python; a developer without it is told, not failed.
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: python3 is not available ({e})");
            return;
        }
        Err(e) => panic!("python3 is required in CI: {e}"),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the reference disagrees:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(" passed, 0 failed"),
        "unexpected summary:\n{text}"
    );
}

#[test]
fn analyze_agrees_with_the_exact_reference_on_random_graphs() {
    crosscheck(&["--count", "400", "--seed", "1"]);
}

#[test]
fn explain_upper_agrees_with_the_exact_reference_on_random_graphs() {
    crosscheck(&["--explain-upper", "--count", "150", "--seed", "1"]);
}

#[test]
fn portfolio_figures_agree_with_the_exact_reference_on_random_graphs() {
    crosscheck(&["--portfolio", "--count", "200", "--seed", "1"]);
}

#[test]
fn whatif_agrees_with_the_exact_reference_on_random_scenario_files() {
    // Seeds 48 and 194 once failed: a new sale without a share that
    // closed a loop, beside a change that x solves again.
    crosscheck(&["--whatif", "--count", "300", "--seed", "1"]);
}

#[test]
fn timeline_agrees_with_the_exact_reference_date_by_date() {
    crosscheck(&["--timeline", "--count", "200", "--seed", "1"]);
}
