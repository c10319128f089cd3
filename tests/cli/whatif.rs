//! `exposure whatif`: every op, precedence of flags over the file, the base
//! graph left alone, and scenarios that fail as a whole.

use serde_json::{json, Value};

use super::common::{run, stderr, stdout, write_temp};

/// S sells 0.3 to H (listed) and 0.5 to D; D sells 0.4 to H. S owns 100 % of O.
fn graph() -> Value {
    json!({"format": "exposure-graph/1", "meta": {"as_of": "2019-10-09"},
      "entities": [
        {"id": "S", "name": "Seller", "revenue": 1000}, {"id": "D", "name": "Distributor"},
        {"id": "H", "name": "Listed"}, {"id": "O", "name": "Owned"}, {"id": "P", "name": "Parent"}],
      "relationships": [
        {"type": "supplies", "from": "S", "to": "H", "share": 0.3},
        {"type": "supplies", "from": "S", "to": "D", "share": 0.5},
        {"type": "supplies", "from": "D", "to": "H", "share": 0.4},
        {"type": "owns", "from": "P", "to": "O", "percent": 60}],
      "listings": [{"entity": "H", "list": "BIS Entity List", "start": "2019-10-09"}]})
}

/// Runs `whatif` on the graph with these scenarios and extra arguments.
fn whatif(scenarios: Value, extra: &[&str]) -> std::process::Output {
    let (_g, g) = write_temp("g.json", graph().to_string().as_bytes());
    let (_s, s) = write_temp("s.json", scenarios.to_string().as_bytes());
    let mut args = vec!["whatif", "-g", g.to_str().unwrap(), s.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

/// The scenarios' JSON objects, by name.
fn results(scenarios: Value, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["--format", "json", "--all"];
    args.extend_from_slice(extra);
    let out = whatif(scenarios, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v["scenarios"].as_array().unwrap().clone()
}

fn total(scenario: &Value, id: &str) -> f64 {
    let row = scenario["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id);
    row.unwrap_or_else(|| panic!("no row {id}"))["total"]
        .as_f64()
        .unwrap()
}

fn one(changes: Value) -> Value {
    json!({"scenarios": [{"name": "base"}, {"name": "what if", "changes": changes}]})
}

#[track_caller]
fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
}

#[test]
fn an_empty_scenario_equals_analyze_exactly() {
    let (_g, g) = write_temp("g.json", graph().to_string().as_bytes());
    let out = run(&[
        "analyze",
        "-g",
        g.to_str().unwrap(),
        "--format",
        "json",
        "--all",
    ]);
    let analyze: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = results(json!({"scenarios": [{"name": "empty"}]}), &[]);
    let mut scenario = r[0].clone();
    assert_eq!(scenario["name"], "empty");
    scenario.as_object_mut().unwrap().remove("name");
    assert_eq!(scenario, analyze);
}

#[test]
fn each_op_changes_what_it_says() {
    let r = results(
        one(json!([{"op": "list", "entity": "D", "list": "OFAC SDN"}])),
        &[],
    );
    close(total(&r[0], "S"), 0.5);
    close(total(&r[1], "S"), 0.8);
    assert_eq!(r[1]["restricted"][0]["lists"], json!(["OFAC SDN"]));

    let r = results(one(json!([{"op": "delist", "entity": "H"}])), &[]);
    close(total(&r[1], "S"), 0.0);

    let r = results(one(json!([{"op": "license", "from": "S", "to": "H"}])), &[]);
    close(total(&r[1], "S"), 0.2);

    let r = results(
        one(json!([{"op": "set_share", "from": "D", "to": "H", "share": 0.8}])),
        &[],
    );
    close(total(&r[1], "S"), 0.7);

    let r = results(
        one(json!([{"op": "remove", "type": "supplies", "from": "S", "to": "D"}])),
        &[],
    );
    close(total(&r[1], "S"), 0.3);

    let r = results(
        one(json!([
            {"op": "add_entity", "entity": {"id": "N", "name": "NewCo", "revenue": 10}},
            {"op": "add_relationship", "relationship": {"type": "supplies", "from": "N", "to": "H", "share": 0.25}}
        ])),
        &[],
    );
    close(total(&r[1], "N"), 0.25);
    assert!(
        r[0]["entities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["id"] != "N"),
        "the base graph is not changed"
    );
}

#[test]
fn the_table_lines_up_an_added_entity_and_who_each_scenario_restricts() {
    // [2] is a changed copy of the graph (an entity added) that also lists
    // O; [3] reads the loaded graph and delists H.
    let scenarios = json!({"scenarios": [
        {"name": "base"},
        {"name": "newco", "changes": [
            {"op": "add_entity", "entity": {"id": "N", "name": "NewCo", "revenue": 10}},
            {"op": "add_relationship", "relationship": {"type": "supplies", "from": "N", "to": "H", "share": 0.25}},
            {"op": "list", "entity": "O"}]},
        {"name": "delist", "changes": [{"op": "delist", "entity": "H"}]}]});
    let out = whatif(scenarios, &["--all"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip_while(|l| !l.starts_with("entity"))
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    // Largest change first; N, which [1] lacks, changes by its 25 %, so
    // it comes before the entities that do not change.
    assert_eq!(
        rows,
        [
            vec!["Seller (S)", "50.0%", "50.0%", "0", "0%", "-50.0 pp"],
            vec!["Distributor (D)", "40.0%", "40.0%", "0", "0%", "-40.0 pp"],
            vec!["NewCo (N)", "—", "25.0%", "—", "—", "—"],
            vec!["Listed (H)", "0% R", "0% R", "0", "0%", "0"],
            vec!["Owned (O)", "0%", "0% R", "0", "0%", "0"],
            vec!["Parent (P)", "0%", "0%", "0", "0%", "0"],
        ],
        "{table}"
    );
    assert!(table.contains("\n[2] restricts also: O\n"), "{table}");
    assert!(table.contains("\n[3] no longer restricts: H\n"), "{table}");
}

#[test]
fn later_changes_win_and_the_base_graph_is_untouched_between_scenarios() {
    let scenarios = json!({"scenarios": [
        {"name": "cut", "changes": [{"op": "remove", "type": "supplies", "from": "S", "to": "H"},
                                     {"op": "delist", "entity": "H"}, {"op": "list", "entity": "H"}]},
        {"name": "again"}]});
    let r = results(scenarios, &[]);
    close(total(&r[0], "S"), 0.2);
    close(total(&r[1], "S"), 0.5);
}

#[test]
fn command_line_settings_win_over_the_file_and_apply_to_every_scenario() {
    let scenarios = json!({"scenarios": [
        {"name": "deep", "max_depth": 5}, {"name": "dated", "as_of": "2019-01-01"}]});
    let r = results(scenarios.clone(), &[]);
    close(total(&r[0], "S"), 0.5);
    close(total(&r[1], "S"), 0.0);
    assert_eq!(r[0]["max_depth"], 5);
    let r = results(scenarios.clone(), &["--max-depth", "1"]);
    close(total(&r[0], "S"), 0.3);
    assert_eq!(r[0]["max_depth"], 1);
    let r = results(scenarios, &["--as-of", "2019-12-31", "--license", "S:H"]);
    close(total(&r[1], "S"), 0.2);
    close(total(&r[0], "S"), 0.2);
}

#[test]
fn the_affiliates_threshold_of_a_scenario_restricts_majority_owned_entities() {
    let scenarios = json!({"scenarios": [{"name": "off", "changes": [{"op": "list", "entity": "P"}]},
        {"name": "on", "affiliates_threshold": 50, "changes": [{"op": "list", "entity": "P"}]}]});
    let r = results(scenarios, &[]);
    let via = |s: &Value| {
        s["restricted"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == "O" && e["via"] == "affiliate")
    };
    assert!(!via(&r[0]) && via(&r[1]));
}

#[test]
fn a_failing_scenario_is_named_with_its_change_and_nothing_is_printed() {
    let cases = [
        (json!({"op": "list", "entity": "ghost"}), "ghost"),
        (
            json!({"op": "license", "from": "D", "to": "S"}),
            r#"no supplies edge from "D" to "S"; there is one the other way: {"op": "license", "from": "S", "to": "D"}"#,
        ),
        (
            json!({"op": "license", "from": "D", "to": "O"}),
            r#"no supplies edge from "D" to "O"; "D" sells to H"#,
        ),
        (
            json!({"op": "license", "from": "P", "to": "S"}),
            r#""P" sells to no one in the graph"#,
        ),
        (
            json!({"op": "set_share", "from": "S", "to": "D", "share": 0.9}),
            "above 1",
        ),
        (
            json!({"op": "remove", "type": "owns", "from": "S", "to": "D"}),
            "no owns relationship",
        ),
        (
            json!({"op": "add_entity", "entity": {"id": "S", "name": "again"}}),
            "unique",
        ),
        (
            json!({"op": "add_relationship", "relationship": {"type": "supplies", "from": "S", "to": "S"}}),
            "same entity",
        ),
        (
            json!({"op": "add_relationship", "relationship": {"type": "supplies", "from": "S", "to": "zz"}}),
            "zz",
        ),
        // An added record is checked with what it joins: its seller's
        // shares, what is owned of its entity, its segment's cap; and
        // against the relationships there are.
        (
            json!({"op": "add_relationship", "relationship": {"type": "supplies", "from": "S", "to": "O", "share_min": 0.3}}),
            r#"entities[0] (id "S"): as a seller, its exact shares plus the share_min of its other supplies edges add up to 1.1, above 1"#,
        ),
        (
            json!({"op": "add_relationship", "relationship": {"type": "owns", "from": "S", "to": "O", "percent": 50}}),
            "the known percents owned of it add up to 110, above 100",
        ),
        (
            json!({"op": "add_relationship", "relationship": {"type": "supplies", "from": "S", "to": "D"}}),
            "repeats relationships[1]",
        ),
        (
            json!({"op": "add_segment", "segment": {"seller": "S", "name": "Asia", "share_max": 0.6}, "edges": ["H", "D"]}),
            "add up to 0.8, above its share_max 0.6",
        ),
        (json!({"op": "grow", "entity": "S"}), "unknown op"),
        (
            json!({"op": "set_share", "from": "S", "to": "D", "share": "lots"}),
            "share",
        ),
        (
            json!({"op": "list", "entity": "S", "colour": "red"}),
            "colour",
        ),
    ];
    for (change, says) in cases {
        let scenarios = json!({"scenarios": [{"name": "fine"}, {"name": "broken one", "changes": [{"op": "delist", "entity": "H"}, change]}]});
        for err in failures(&scenarios) {
            assert!(
                err.contains("scenarios[1] (\"broken one\")") && err.contains("changes[1]"),
                "{change}: {err}"
            );
            assert!(err.contains(says), "{change}: {err}");
        }
    }
}

/// The error of `whatif` with `scenarios` in each output format, each
/// run checked to fail with exit status 2 and print nothing.
fn failures(scenarios: &Value) -> Vec<String> {
    let run = |format: &str| {
        let out = whatif(scenarios.clone(), &["--format", format]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(out.stdout.is_empty(), "printed {}", stdout(&out));
        err
    };
    ["table", "json", "csv"].map(run).to_vec()
}

#[test]
fn of_several_failing_scenarios_the_first_in_the_file_is_named() {
    // Evaluated two at a time, the second failure is never handed over
    // before the first.
    let fine = |i: usize| json!({"name": format!("fine {i}"), "changes": [{"op": "delist", "entity": "H"}]});
    let mut list: Vec<Value> = (0..8).map(fine).collect();
    list[3] = json!({"name": "first broken", "changes": [{"op": "list", "entity": "ghost3"}]});
    list[4] = json!({"name": "second broken", "changes": [{"op": "list", "entity": "ghost4"}]});
    for err in failures(&json!({ "scenarios": list })) {
        assert!(
            err.contains("scenarios[3] (\"first broken\")") && err.contains("ghost3"),
            "{err}"
        );
        assert!(!err.contains("ghost4"), "{err}");
    }
}

#[test]
fn malformed_scenario_files_are_exit_two() {
    for text in [
        "",
        "{",
        "[]",
        r#"{"scenarios": []}"#,
        r#"{"scenarios": [{"changes": []}]}"#,
        r#"{"scenarios": [{"name": "a"}, {"name": "a"}]}"#,
        r#"{"scenarios": [{"name": "a", "max_depth": 0}]}"#,
    ] {
        let (_g, g) = write_temp("g.json", graph().to_string().as_bytes());
        let (_s, s) = write_temp("s.json", text.as_bytes());
        let out = run(&["whatif", "-g", g.to_str().unwrap(), s.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("s.json"),
            "names the file: {}",
            stderr(&out)
        );
    }
}

#[test]
fn fail_above_watches_every_scenario() {
    let scenarios = one(json!([{"op": "set_share", "from": "D", "to": "H", "share": 1.0}]));
    // Each form of output: written as each scenario is evaluated (JSON
    // and CSV with --top) or after them all (the table, and --all).
    for form in [
        &["--format", "table"][..],
        &["--format", "json"],
        &["--format", "json", "--all"],
        &["--format", "csv", "--all"],
    ] {
        let code = |limit: &str| {
            let args = [form, &["--fail-above", limit]].concat();
            whatif(scenarios.clone(), &args).status.code()
        };
        assert_eq!(code("0.6"), Some(1), "{form:?}");
        assert_eq!(code("1"), Some(0), "{form:?}");
    }
}

#[test]
fn the_table_shows_changes_against_the_first_scenario_and_csv_has_a_scenario_column() {
    let scenarios = one(json!([{"op": "license", "from": "S", "to": "H"}]));
    insta::assert_snapshot!("license_table", stdout(&whatif(scenarios.clone(), &[])));
    let csv = stdout(&whatif(scenarios, &["--format", "csv"]));
    assert!(csv.starts_with("scenario,id,name,"), "{csv}");
    assert!(
        csv.lines().any(|l| l.starts_with("what if,S,Seller,")),
        "{csv}"
    );
}

#[test]
fn the_example_scenarios_run_on_the_example_graph() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = run(&[
        "whatif",
        "-g",
        &format!("{root}/graphs/entity-list-2019.json"),
        &format!("{root}/graphs/scenarios-2019.json"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = v["scenarios"].as_array().unwrap();
    assert_eq!(s.len(), 7);
    close(total(&s[0], "ambarella"), 0.15);
    close(total(&s[1], "ambarella"), 0.20);
    close(total(&s[2], "ambarella"), 0.0);
    // Without its billing-region cap, NVIDIA's upper bound is all of it.
    let upper = |s: &Value, id: &str| {
        s["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["upper"]
            .as_f64()
            .unwrap()
    };
    close(upper(&s[0], "nvidia"), 0.2502);
    close(upper(&s[6], "nvidia"), 1.0);
    // What the README reads off the table: licences for Hikvision leave
    // Ambarella its unsized Dahua sales and halve Intel's upper bound;
    // the day before the October rule Qualcomm had nothing at risk.
    close(upper(&s[2], "ambarella"), 0.85);
    close(upper(&s[0], "intel"), 0.20);
    close(upper(&s[2], "intel"), 0.10);
    let rows = s[5]["entities"].as_array().unwrap();
    assert!(
        rows.iter().all(|r| r["id"] != "qualcomm"),
        "Qualcomm has a row (something at risk) the day before: {rows:?}"
    );
}

#[test]
fn the_readme_shows_what_whatif_prints_on_the_example() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let out = stdout(&run(&[
        "whatif",
        "-g",
        &format!("{root}/graphs/entity-list-2019.json"),
        &format!("{root}/graphs/scenarios-2019.json"),
    ]));
    assert!(
        readme.contains(&out),
        "update the README's whatif section with:\n{out}"
    );
}

#[test]
fn a_sold_stake_takes_its_holding_out_of_the_affiliates() {
    let scenarios = json!({"scenarios": [
        {"name": "parent listed", "changes": [{"op": "list", "entity": "P"}]},
        {"name": "stake sold", "changes": [
            {"op": "list", "entity": "P"},
            {"op": "remove", "type": "owns", "from": "P", "to": "O"}]}]});
    let r = results(scenarios, &["--affiliates", "50"]);
    let restricted = |s: &Value| -> Vec<String> {
        let members = s["restricted"].as_array().unwrap().iter();
        members
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect()
    };
    // P's 60 % of O makes O an affiliate, until P sells it.
    assert!(restricted(&r[0]).contains(&"O".to_string()), "{:?}", r[0]);
    assert!(restricted(&r[1]).contains(&"P".to_string()), "{:?}", r[1]);
    assert!(!restricted(&r[1]).contains(&"O".to_string()), "{:?}", r[1]);
}

/// The section of docs/scenarios.md that starts at `heading`, up to the
/// next heading of its level.
fn doc_section(heading: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let doc = std::fs::read_to_string(format!("{root}/docs/scenarios.md")).unwrap();
    let start = doc.find(heading).expect("the heading");
    let rest = &doc[start + heading.len()..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
}

#[test]
fn the_docs_failing_scenario_fails_as_they_say() {
    let section = doc_section("## When a scenario fails");
    let file = section
        .split("$ cat s.json\n")
        .nth(1)
        .and_then(|s| s.split("$ exposure").next())
        .expect("the scenario file in the docs");
    let said = section
        .lines()
        .find(|l| l.starts_with("error: "))
        .expect("the message in the docs");
    let root = env!("CARGO_MANIFEST_DIR");
    let (_d, s) = write_temp("s.json", file.as_bytes());
    let g = format!("{root}/graphs/entity-list-2019.json");
    let out = run(&["whatif", "-g", &g, s.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let said = said.replacen("s.json", s.to_str().unwrap(), 1);
    assert_eq!(stderr(&out).trim_end(), said);
}

#[test]
fn the_docs_list_every_example_scenario() {
    let root = env!("CARGO_MANIFEST_DIR");
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/graphs/scenarios-2019.json")).unwrap(),
    )
    .unwrap();
    let listed = doc_section("## The example file")
        .lines()
        .filter(|l| {
            l.split_once(". ")
                .is_some_and(|(n, _)| n.parse::<u32>().is_ok())
        })
        .count();
    assert_eq!(listed, file["scenarios"].as_array().unwrap().len());
}

/// Whether two JSON values are equal, numbers within 1e-12.
fn alike(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() <= 1e-12
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| alike(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| alike(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn scenarios_that_add_records_equal_analyze_of_the_graph_they_make() {
    // A new sale that closes a loop (D > S), a new stake that brings O
    // into the affiliates of a listed owner, a new segment, and a new
    // entity with a sale.
    let cases = [
        (
            json!([{"op": "add_relationship", "relationship": {"type": "supplies", "from": "D", "to": "S", "share": 0.5}}]),
            json!([{"type": "supplies", "from": "D", "to": "S", "share": 0.5}]),
            json!([]),
            json!([]),
        ),
        (
            json!([{"op": "add_relationship", "relationship": {"type": "owns", "from": "H", "to": "O", "percent": 30}},
                   {"op": "add_relationship", "relationship": {"type": "supplies", "from": "S", "to": "O", "share_max": 0.2}}]),
            json!([{"type": "owns", "from": "H", "to": "O", "percent": 30},
                   {"type": "supplies", "from": "S", "to": "O", "share_max": 0.2}]),
            json!([]),
            json!([]),
        ),
        (
            json!([{"op": "add_relationship", "relationship": {"type": "supplies", "from": "D", "to": "O"}},
                   {"op": "add_segment", "segment": {"seller": "D", "name": "Rest", "share_max": 0.1}, "edges": ["O"]}]),
            json!([{"type": "supplies", "from": "D", "to": "O", "segment": "Rest"}]),
            json!([{"seller": "D", "name": "Rest", "share_max": 0.1}]),
            json!([]),
        ),
        (
            json!([{"op": "add_entity", "entity": {"id": "N", "name": "NewCo"}},
                   {"op": "add_relationship", "relationship": {"type": "supplies", "from": "N", "to": "S", "share": 0.6}},
                   {"op": "add_relationship", "relationship": {"type": "supplies", "from": "D", "to": "N", "share": 0.3}}]),
            json!([{"type": "supplies", "from": "N", "to": "S", "share": 0.6},
                   {"type": "supplies", "from": "D", "to": "N", "share": 0.3}]),
            json!([]),
            json!([{"id": "N", "name": "NewCo"}]),
        ),
    ];
    for (changes, relationships, segments, entities) in cases {
        let mut changed = graph();
        for (key, more) in [
            ("relationships", relationships),
            ("segments", segments),
            ("entities", entities),
        ] {
            let list = changed[key].as_array().cloned().unwrap_or_default();
            changed[key] = Value::Array([list, more.as_array().unwrap().clone()].concat());
        }
        let (_g, g) = write_temp("changed.json", changed.to_string().as_bytes());
        for extra in [&[][..], &["--affiliates", "25"][..]] {
            let graph = ["analyze", "-g", g.to_str().unwrap()];
            let out = run(&[&graph[..], &["--format", "json", "--all"][..], extra].concat());
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            let analyze: Value = serde_json::from_slice(&out.stdout).unwrap();
            let mut scenario = results(one(changes.clone()), extra)[1].clone();
            scenario.as_object_mut().unwrap().remove("name");
            assert!(
                alike(&scenario, &analyze),
                "{changes} {extra:?}:\n{scenario:#}\nvs\n{analyze:#}"
            );
        }
    }
}
