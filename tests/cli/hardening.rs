//! Hardening: inputs that used to slip through or mislead — a null
//! `format`, repeated keys, near-miss CSV headers, other separators, byte
//! order marks — and outputs that must be safe to open or print.

use std::process::Output;

use crate::common::{run, stderr, stdout, write_temp};

/// Runs `exposure validate -g FILE` on `text` written to a `.json` file.
fn validate(text: &str) -> Output {
    let (_dir, path) = write_temp("graph.json", text.as_bytes());
    run(&["validate", "-g", path.to_str().expect("a UTF-8 temp path")])
}

/// Exit 2, nothing on stdout, and an `error:` line containing every one of
/// `words`.
fn assert_error(out: &Output, words: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    assert!(out.stdout.is_empty(), "stdout: {}", stdout(out));
    assert!(
        err.lines()
            .any(|l| l.starts_with("error:") && words.iter().all(|w| l.contains(w))),
        "expected an error line with {words:?}; stderr:\n{err}"
    );
}

#[test]
fn null_format_is_rejected_like_a_missing_one() {
    let out = validate(r#"{ "format": null, "entities": [ { "id": "a", "name": "A" } ] }"#);
    assert_error(&out, &["format", "missing"]);
}
