//! The `exposure` binary: parse the command line, run it, map the outcome
//! to an exit status (0 success, 1 a `--fail-above` threshold crossed,
//! 2 bad input or usage).

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    let args = cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => cli::report(&err),
    }
}
