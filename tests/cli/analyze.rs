//! `exposure analyze`: the built-in example, formats, row selection, gating
//! and the what-if flags, through the real binary.

use serde_json::Value;

use super::common::{run, stderr, stdout, write_temp};

/// The spec's worked example (exposure spec, section 4), as a file.
const WORKED: &str = r#"{"format":"exposure-graph/1","meta":{"as_of":"2019-10-09","currency":"EUR"},
 "entities":[{"id":"A","name":"Alpha AG","revenue":1000},{"id":"B","name":"B"},{"id":"C","name":"C"},{"id":"H","name":"H"}],
 "relationships":[
  {"type":"supplies","from":"A","to":"H","share":0.1},{"type":"supplies","from":"A","to":"B","share":0.5},
  {"type":"supplies","from":"B","to":"H","share":0.4},{"type":"supplies","from":"B","to":"C"},
  {"type":"supplies","from":"C","to":"H","share":0.2}],
 "listings":[{"entity":"H","list":"BIS Entity List","start":"2019-01-01"}]}"#;

fn json_of(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn row<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

#[test]
fn the_built_in_example_runs_with_a_notice() {
    let out = run(&["analyze"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("built-in example graph"),
        "{}",
        stderr(&out)
    );
    // The interval, revenue at risk with separators, the restricted marked.
    insta::assert_snapshot!("example_table", stdout(&out));
}

#[test]
fn the_example_graph_validates_and_has_the_2019_listings() {
    let out = run(&[
        "validate",
        "-g",
        concat!(env!("CARGO_MANIFEST_DIR"), "/graphs/entity-list-2019.json"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("valid: 43 entities"),
        "{}",
        stdout(&out)
    );
    let v = json_of(&["analyze", "--format", "json", "--all"]);
    let restricted: Vec<&str> = v["restricted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "hikvision",
        "dahua",
        "sensetime",
        "megvii",
        "iflytek",
        "huawei",
        "xuar-psb",
    ] {
        assert!(restricted.contains(&id), "{id} restricted on 2019-10-09");
    }
    // Before the May rule, neither Hikvision nor Huawei is listed.
    let v = json_of(&["analyze", "--format", "json", "--as-of", "2019-05-01"]);
    assert!(
        v["restricted"].as_array().unwrap().is_empty(),
        "{}",
        v["restricted"]
    );
}

#[test]
fn json_gives_the_spec_numbers_for_the_worked_example() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let v = json_of(&["analyze", "-g", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(v["as_of"], "2019-10-09");
    let a = row(&v, "A");
    let close =
        |x: &Value, want: f64| assert!((x.as_f64().unwrap() - want).abs() < 1e-12, "{x} != {want}");
    close(&a["total"], 0.3);
    close(&a["direct"], 0.1);
    close(&a["indirect"], 0.2);
    close(&a["upper"], 0.36);
    close(&a["revenue_at_risk"], 300.0);
    close(&a["revenue_at_risk_upper"], 360.0);
    assert_eq!(a["reach"], 1);
    close(&row(&v, "B")["upper"], 0.52);
    assert_eq!(row(&v, "B")["revenue_at_risk"], Value::Null);
    assert_eq!(row(&v, "H")["restricted"], true);
    assert_eq!(v["restricted"][0]["via"], "listing");
}

#[test]
fn csv_has_one_header_and_the_json_rows_in_order() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let p = path.to_str().unwrap();
    let csv = stdout(&run(&["analyze", "-g", p, "--format", "csv"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,name,restricted,possibly_restricted,direct,indirect,total,upper,revenue,revenue_at_risk,revenue_at_risk_upper,reach"
    );
    let v = json_of(&["analyze", "-g", p, "--format", "json"]);
    let ids: Vec<&str> = v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let csv_ids: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, csv_ids);
    let a: Vec<&str> = lines
        .iter()
        .find(|l| l.starts_with("A,"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(&a[..4], &["A", "Alpha AG", "false", "false"]);
    let num = |i: usize| a[i].parse::<f64>().unwrap();
    for (i, want) in [
        (4, 0.1),
        (5, 0.2),
        (6, 0.3),
        (7, 0.36),
        (8, 1000.0),
        (9, 300.0),
        (10, 360.0),
        (11, 1.0),
    ] {
        assert!((num(i) - want).abs() < 1e-9, "column {i}: {csv}");
    }
    let b: Vec<&str> = lines
        .iter()
        .find(|l| l.starts_with("B,"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(&b[8..11], &["", "", ""], "unknown revenue is an empty cell");
}

#[test]
fn top_and_all_choose_the_rows() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let p = path.to_str().unwrap();
    let rows = |extra: &[&str]| {
        let mut args = vec!["analyze", "-g", p, "--format", "json"];
        args.extend_from_slice(extra);
        json_of(&args)["entities"].as_array().unwrap().len()
    };
    assert_eq!(rows(&[]), 4);
    assert_eq!(rows(&["--top", "2"]), 2);
    assert_eq!(
        rows(&["--as-of", "2018-01-01"]),
        0,
        "nothing listed, nothing exposed"
    );
    assert_eq!(rows(&["--as-of", "2018-01-01", "--all"]), 4);
}

#[test]
fn the_top_rows_are_the_first_rows_of_the_whole_table() {
    // The example graph has ties in total broken by upper and by id.
    let all = json_of(&["analyze", "--format", "json"])["entities"].clone();
    let all = all.as_array().unwrap();
    for n in [1, 3, 7, all.len(), all.len() + 5] {
        let n_arg = n.to_string();
        let top = json_of(&["analyze", "--format", "json", "--top", &n_arg])["entities"].clone();
        assert_eq!(
            top.as_array().unwrap()[..],
            all[..n.min(all.len())],
            "--top {n}"
        );
    }
}

#[test]
fn fail_above_exits_one_when_an_unrestricted_entity_crosses_it() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let p = path.to_str().unwrap();
    let out = run(&[
        "analyze",
        "-g",
        p,
        "--format",
        "json",
        "--fail-above",
        "0.35",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!out.stdout.is_empty(), "the output is printed as usual");
    assert_eq!(
        run(&["analyze", "-g", p, "--fail-above", "0.4"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn what_if_flags_change_the_answer_without_touching_the_file() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let p = path.to_str().unwrap();
    let licensed = json_of(&["analyze", "-g", p, "--format", "json", "--license", "A:H"]);
    assert!((row(&licensed, "A")["total"].as_f64().unwrap() - 0.2).abs() < 1e-12);
    let delisted = json_of(&[
        "analyze", "-g", p, "--format", "json", "--delist", "H", "--all",
    ]);
    assert_eq!(row(&delisted, "A")["total"], 0);
    let listed = json_of(&["analyze", "-g", p, "--format", "json", "--list", "C"]);
    assert!((row(&listed, "B")["total"].as_f64().unwrap() - 0.4).abs() < 1e-12);
    assert!(
        (row(&listed, "B")["upper"].as_f64().unwrap() - 1.0).abs() < 1e-12,
        "B's room can all go to C"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        WORKED,
        "the input is never written"
    );
}

#[test]
fn unknown_ids_in_what_if_flags_are_exit_two_naming_them() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let p = path.to_str().unwrap();
    for (flag, value, named) in [
        ("--list", "nobody", "nobody"),
        ("--delist", "ghost", "ghost"),
        ("--license", "A:ghost", "A:ghost"),
        ("--license", "C:A", "C:A"),
    ] {
        let out = run(&["analyze", "-g", p, flag, value]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(
            stderr(&out).contains(named),
            "{flag} {value}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_licence_for_a_pair_without_an_edge_says_what_there_is() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let p = path.to_str().unwrap();
    for (pair, hint) in [
        // B sells to C: the other way round.
        ("C:B", "there is one the other way: --license B:C"),
        // A sells to B and H, not to C.
        ("A:C", "\"A\" sells to B, H"),
        // H sells nothing; A sells to H, so that is said first.
        ("H:A", "there is one the other way: --license A:H"),
    ] {
        let out = run(&["analyze", "-g", p, "--license", pair]);
        assert_eq!(out.status.code(), Some(2), "{pair}");
        assert!(stderr(&out).contains(hint), "{pair}: {}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    let lone = WORKED.replace(
        r#"{"id":"H","name":"H"}"#,
        r#"{"id":"H","name":"H"},{"id":"Z","name":"Z"}"#,
    );
    let (_e, path) = write_temp("lone.json", lone.as_bytes());
    let out = run(&["analyze", "-g", path.to_str().unwrap(), "--license", "Z:A"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("\"Z\" sells to no one in the graph"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_flag_values_are_usage_errors() {
    for args in [
        vec!["analyze", "--as-of", "2019-02-30"],
        vec!["analyze", "--affiliates", "0"],
        vec!["analyze", "--affiliates", "150"],
        vec!["analyze", "--max-depth", "0"],
        vec!["analyze", "--format", "xml"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!stderr(&out).contains("panicked"));
    }
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    for format in ["table", "json", "csv"] {
        let a = run(&["analyze", "--format", format, "--all", "--affiliates", "50"]);
        let b = run(&["analyze", "--format", format, "--all", "--affiliates", "50"]);
        assert_eq!(a.stdout, b.stdout, "{format}");
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    // Enough rows to outgrow the pipe's buffer.
    let entities: Vec<Value> = (0..5000)
        .map(|i| serde_json::json!({"id": format!("e{i}"), "name": format!("Entity {i}")}))
        .collect();
    let g = serde_json::json!({"format": "exposure-graph/1", "entities": entities});
    let (_d, path) = write_temp("g.json", g.to_string().as_bytes());
    for format in ["json", "csv", "table"] {
        let mut child = super::common::exposure()
            .args([
                "analyze",
                "-g",
                path.to_str().unwrap(),
                "--all",
                "--format",
                format,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut first)
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{format}: {}", stderr(&out));
    }
}

#[test]
fn the_readme_shows_what_analyze_prints_on_the_example() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let out = stdout(&run(&["analyze"]));
    assert!(
        readme.contains(&out),
        "update the README's \"What you get\" with:\n{out}"
    );
}
