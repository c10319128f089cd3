//! Inputs sized so that a step quadratic in them would take minutes: a
//! header of 400,000 columns, names of 400,000 characters or 20,000 words.
//! Each run finishes in well under a second when linear; the minute they
//! are given is only a guard against a hang, not a timing check.

use std::path::Path;

use crate::common::{run_within, stderr};

/// The generous bound on each run.
const GUARD_SECS: u64 = 60;

fn within(args: &[&str]) -> std::process::Output {
    run_within(args, GUARD_SECS)
        .unwrap_or_else(|| panic!("exposure {args:?} ran for more than {GUARD_SECS} s"))
}

fn utf8(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

#[test]
fn a_csv_header_of_many_columns_is_checked_in_linear_time() {
    // Each column was compared with every earlier one: 22 s for 120,000.
    let dir = tempfile::tempdir().unwrap();
    let n = 400_000;
    let mut text = String::from("id,name");
    for i in 0..n {
        text.push_str(&format!(",x{i}"));
    }
    text.push_str("\na,A");
    text.push_str(&",".repeat(n));
    text.push('\n');
    std::fs::write(dir.path().join("entities.csv"), text).unwrap();
    let out = within(&["validate", "-g", utf8(dir.path())]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // A repeated column is still found, and named with the first one.
    let mut text = String::from("id,name");
    for i in 0..n {
        text.push_str(&format!(",x{}", i % (n / 2)));
    }
    text.push('\n');
    std::fs::write(dir.path().join("entities.csv"), text).unwrap();
    let out = within(&["validate", "-g", utf8(dir.path())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(r#"repeats the column "x0""#),
        "{}",
        stderr(&out)
    );
}

/// A CSL CSV of the rows (name, alt names), one graph of the entities
/// (id, name); both written to `dir`.
fn screening(dir: &Path, rows: &[(&str, &str)], entities: &[(&str, &str)]) {
    let mut csl = String::from("_id,source,type,name,alt_names\n");
    for (k, (name, alt)) in rows.iter().enumerate() {
        csl.push_str(&format!(
            "{k},Entity List (EL) - Bureau of Industry and Security,Entity,\"{name}\",\"{alt}\"\n"
        ));
    }
    std::fs::write(dir.join("csl.csv"), csl).unwrap();
    let ents: Vec<serde_json::Value> = entities
        .iter()
        .map(|(id, name)| serde_json::json!({"id": id, "name": name}))
        .collect();
    let graph = serde_json::json!({"format": "exposure-graph/1", "entities": ents});
    std::fs::write(dir.join("g.json"), graph.to_string()).unwrap();
}

#[test]
fn long_names_are_screened_in_linear_time() {
    // A word of 100,000 characters took 10 to 20 s (its one-deletion
    // keys); two names of 10,000 words each took 26 s (every pair of
    // words compared).
    let word = "A".repeat(400_000);
    let words: String = (0..20_000).map(|i| format!("word{i:05} ")).collect();
    let alts: String = (0..50_000).map(|i| format!("Alt{i} Co;")).collect();
    let dir = tempfile::tempdir().unwrap();
    screening(
        dir.path(),
        &[
            (&word, ""),
            (&words, ""),
            ("Acme", &alts),
            ("Hikvision", ""),
        ],
        &[
            ("w", &word),
            ("m", &words),
            ("a", &alts),
            ("h", "Hikvision"),
        ],
    );
    let out = within(&[
        "screen",
        "-g",
        utf8(&dir.path().join("g.json")),
        "--csl",
        utf8(&dir.path().join("csl.csv")),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let accepted: Vec<&str> = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["accepted"] == true)
        .map(|m| m["entity"].as_str().unwrap())
        .collect();
    // The long names still match themselves.
    for id in ["h", "m", "w"] {
        assert!(accepted.contains(&id), "{id} in {accepted:?}");
    }
}
