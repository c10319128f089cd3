//! The `exposure` binary: parse the command line, run it, map the outcome
//! to an exit status (0 success, 1 a `--fail-above` threshold crossed,
//! 2 bad input or usage).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = exposure::cli::parse();
    match exposure::cli::run(args) {
        Ok(code) => code,
        Err(err) => exposure::cli::report(&err),
    }
}
