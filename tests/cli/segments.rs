//! Segments (a cap on the sum of a seller's sales to a group of buyers)
//! and `explain --upper`, through the real binary: the spec's worked
//! example, the worst case behind X, the what-if changes of segments and
//! the diagram.

use serde_json::Value;

use super::common::{run, stderr, stdout, write_temp};

/// The exposure spec's segment example (section 4): N sells, with no known
/// sizes, to the listed H, to B of the first worked example and to D; the
/// segment "China" (share_max 0.3) holds N->H and N->B.
const SEGMENTED: &str = r#"{"format":"exposure-graph/1",
 "entities":[{"id":"A","name":"A","revenue":1000},{"id":"B","name":"B"},{"id":"C","name":"C"},
  {"id":"H","name":"H"},{"id":"N","name":"N","revenue":100},{"id":"D","name":"D"}],
 "relationships":[
  {"type":"supplies","from":"A","to":"H","share":0.1},{"type":"supplies","from":"A","to":"B","share":0.5},
  {"type":"supplies","from":"B","to":"H","share":0.4},{"type":"supplies","from":"B","to":"C"},
  {"type":"supplies","from":"C","to":"H","share":0.2},
  {"type":"supplies","from":"N","to":"H","segment":"China"},
  {"type":"supplies","from":"N","to":"B","segment":"China"},
  {"type":"supplies","from":"N","to":"D"}],
 "listings":[{"entity":"H","list":"BIS Entity List"}],
 "segments":[{"seller":"N","name":"China","share_max":0.3,"source":"10-K, revenue by region"}]}"#;

fn json_of(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn row<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no row for {id}: {report}"))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[track_caller]
fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
}

#[test]
fn the_spec_segment_example_caps_the_upper_bound_at_the_segment() {
    let (_dir, g) = write_temp("g.json", SEGMENTED.as_bytes());
    let g = g.to_str().unwrap();
    let report = json_of(&["analyze", "-g", g, "--format", "json", "--all"]);
    let n = row(&report, "N");
    close(num(&n["total"]), 0.0);
    close(num(&n["upper"]), 0.3);
    close(num(&n["revenue_at_risk_upper"]), 30.0);
    // Nothing else moves: x, and the first worked example's X.
    close(num(&row(&report, "A")["total"]), 0.3);
    close(num(&row(&report, "A")["upper"]), 0.36);
    close(num(&row(&report, "B")["upper"]), 0.52);

    // Without the segment, all of N's revenue could go to H.
    let open = SEGMENTED.replace(r#","segment":"China""#, "");
    let (_dir, g) = write_temp("g.json", open.as_bytes());
    let report = json_of(&[
        "analyze",
        "-g",
        g.to_str().unwrap(),
        "--format",
        "json",
        "--all",
    ]);
    close(num(&row(&report, "N")["upper"]), 1.0);
}

#[test]
fn explain_upper_shows_the_worst_case_edge_by_edge() {
    let (_dir, g) = write_temp("g.json", SEGMENTED.as_bytes());
    let g = g.to_str().unwrap();
    let v = json_of(&["explain", "N", "-g", g, "--upper", "--format", "json"]);
    assert_eq!(v["bound"], "upper");
    close(num(&v["upper"]), 0.3);
    let paths = v["paths"].as_array().unwrap();
    // H takes the whole segment; B gets nothing; D carries nothing.
    let first = &paths[0];
    assert_eq!(first["ids"], serde_json::json!(["N", "H"]));
    close(num(&first["weight"]), 0.3);
    let edge = &first["edges"][0];
    close(num(&edge["lo"]), 0.0);
    close(num(&edge["t"]), 0.3);
    assert_eq!(edge["segment"]["name"], "China");
    close(num(&edge["segment"]["share_max"]), 0.3);
    let sum: f64 = paths.iter().map(|p| num(&p["weight"])).sum();
    close(sum, 0.3);

    // The lower bound's paths say which bound they explain, and carry no t.
    let v = json_of(&["explain", "N", "-g", g, "--format", "json"]);
    assert_eq!(v["bound"], "lower");
    assert!(v["paths"][0]["edges"][0].get("t").is_none(), "{v}");

    let out = run(&["explain", "N", "-g", g, "--upper"]);
    // Each edge's worst-case share and its segment's cap.
    insta::assert_snapshot!("explain_upper_table", stdout(&out));
}

#[test]
fn explain_upper_weights_add_up_to_the_upper_bound_on_an_acyclic_graph() {
    // Two levels of unknown and bounded shares, a segment, and a stake of
    // unknown size that makes P possibly restricted.
    let g = r#"{"format":"exposure-graph/1",
     "entities":[{"id":"S","name":"S"},{"id":"M","name":"M"},{"id":"K","name":"K"},
      {"id":"H","name":"H"},{"id":"P","name":"P"},{"id":"O","name":"O"}],
     "relationships":[
      {"type":"supplies","from":"S","to":"M","share_min":0.2,"share_max":0.6},
      {"type":"supplies","from":"S","to":"K","segment":"Asia"},
      {"type":"supplies","from":"S","to":"H","share":0.1,"segment":"Asia"},
      {"type":"supplies","from":"M","to":"H","share":0.3},{"type":"supplies","from":"M","to":"P"},
      {"type":"supplies","from":"K","to":"H","share_max":0.5},
      {"type":"owns","from":"H","to":"P"},{"type":"owns","from":"O","to":"P","percent":10}],
     "segments":[{"seller":"S","name":"Asia","share_max":0.45}],
     "listings":[{"entity":"H","list":"SDN"}]}"#;
    let (_dir, g) = write_temp("g.json", g.as_bytes());
    let g = g.to_str().unwrap();
    let v = json_of(&[
        "explain",
        "S",
        "-g",
        g,
        "--upper",
        "--affiliates",
        "50",
        "--top",
        "100",
        "--format",
        "json",
    ]);
    assert_eq!(v["more"], false);
    let sum: f64 = v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| num(&p["weight"]))
        .sum();
    close(sum, num(&v["upper"]));
    assert!(num(&v["upper"]) > num(&v["total"]), "{v}");
    // A path may end at the possibly restricted P, and says so.
    let to_p = v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["ids"].as_array().unwrap().last().unwrap() == "P")
        .expect("a path to P");
    assert_eq!(to_p["restricted_via"]["via"], "possible_affiliate");
}

#[test]
fn whatif_changes_a_segment_or_adds_one() {
    let (_dir, g) = write_temp("g.json", SEGMENTED.as_bytes());
    let scenarios = r#"{"scenarios":[{"name":"base"},
      {"name":"cap raised","changes":[{"op":"set_segment","seller":"N","name":"China","share_max":0.6}]},
      {"name":"B capped too","changes":[{"op":"add_segment",
         "segment":{"seller":"B","name":"Mainland","share_max":0.45},"edges":["H","C"]}]}]}"#;
    let (_sdir, s) = write_temp("s.json", scenarios.as_bytes());
    let v = json_of(&[
        "whatif",
        s.to_str().unwrap(),
        "-g",
        g.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let sc = v["scenarios"].as_array().unwrap();
    close(num(&row(&sc[0], "N")["upper"]), 0.3);
    close(num(&row(&sc[1], "N")["upper"]), 0.6);
    // B's sales to H (0.4, exact) and C share 0.45: C gets 0.05 at most.
    close(num(&row(&sc[2], "B")["upper"]), 0.4 + 0.05 * 0.2);
    close(num(&row(&sc[2], "B")["total"]), 0.4);
}

#[test]
fn a_segment_change_that_breaks_the_graph_names_the_scenario_and_change() {
    let (_dir, g) = write_temp("g.json", SEGMENTED.as_bytes());
    for (change, says) in [
        (
            r#"{"op":"set_segment","seller":"N","name":"Europe","share_max":0.5}"#,
            "no segment named \"Europe\"",
        ),
        (
            r#"{"op":"add_segment","segment":{"seller":"N","name":"Rest","share_max":0.5},"edges":["H"]}"#,
            "already in segment \"China\"",
        ),
        (
            r#"{"op":"add_segment","segment":{"seller":"B","name":"Mainland","share_max":0.3},"edges":["H"]}"#,
            "Mainland",
        ),
        (
            r#"{"op":"add_segment","segment":{"seller":"B","name":"X","share_max":0.5},"edges":["A"]}"#,
            "no supplies edge from \"B\" to \"A\"",
        ),
    ] {
        let file = format!(r#"{{"scenarios":[{{"name":"bad","changes":[{change}]}}]}}"#);
        let (_sdir, s) = write_temp("s.json", file.as_bytes());
        let out = run(&["whatif", s.to_str().unwrap(), "-g", g.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{change}");
        let err = stderr(&out);
        assert!(
            err.contains("\"bad\"") && err.contains("changes[0]"),
            "{err}"
        );
        assert!(err.contains(says), "{change}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn the_diagram_shows_a_sellers_caps_and_the_worst_case() {
    let (_dir, g) = write_temp("g.json", SEGMENTED.as_bytes());
    let g = g.to_str().unwrap();
    let out = run(&["dot", "-g", g]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dot = stdout(&out);
    assert!(dot.contains("China ≤ 30.0%"), "{dot}");
    let out = run(&["dot", "-g", g, "--highlight", "N", "--upper"]);
    let dot = stdout(&out);
    assert!(dot.contains("worst case +30.0%"), "{dot}");
    assert!(dot.contains("behind the upper bound of N"), "{dot}");
}

#[test]
fn the_readme_shows_what_explain_upper_and_validate_print_on_the_example() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let out = run(&["explain", "nvidia", "--upper"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        readme.contains(&stdout(&out)),
        "update the README (From a 10-K to a bound) with the output of `explain nvidia --upper`:\n{}",
        stdout(&out)
    );
    let out = run(&["validate"]);
    assert!(
        readme.contains(&stdout(&out)),
        "update the README's validate line with:\n{}",
        stdout(&out)
    );
}

#[test]
fn the_example_graphs_caps_bound_intel_nvidia_and_western_digital() {
    let report = json_of(&["analyze", "--format", "json"]);
    close(num(&row(&report, "intel")["upper"]), 0.2);
    close(num(&row(&report, "nvidia")["upper"]), 0.2502);
    close(num(&row(&report, "western-digital")["upper"]), 0.421);
    // With the affiliates rule, Hikvision's 60 % subsidiaries join R.
    let report = json_of(&["analyze", "--format", "json", "--affiliates", "50"]);
    let restricted: Vec<&str> = report["restricted"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["via"] == "affiliate")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(restricted, ["ezviz", "hikrobot"]);
}

#[test]
fn the_scenario_file_of_the_docs_runs_on_the_example_graph() {
    let root = env!("CARGO_MANIFEST_DIR");
    let doc = std::fs::read_to_string(format!("{root}/docs/scenarios.md")).unwrap();
    let start = doc.find("```json\n").expect("a JSON block") + "```json\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let (_dir, s) = write_temp("s.json", &doc.as_bytes()[start..end]);
    let v = json_of(&["whatif", s.to_str().unwrap(), "--format", "json"]);
    let sc = v["scenarios"].as_array().unwrap();
    assert_eq!(sc.len(), 2);
    // NVIDIA's cap raised to 0.3, and its new 2 % customer is not listed.
    close(num(&row(&sc[1], "nvidia")["upper"]), 0.3);
}

#[test]
fn the_readme_shows_the_example_portfolio_as_analyze_prints_it() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let out = run(&[
        "analyze",
        "--portfolio",
        &format!("{root}/graphs/portfolio-2019.csv"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    let start = table.find("Portfolio ").expect("the portfolio's figure");
    let end = start + table[start..].find("\n\n").unwrap() + 1;
    let block = table[start..end].replace(&format!("{root}/"), "");
    assert!(
        readme.contains(&block),
        "update the README's Portfolios section with:\n{block}"
    );
}
