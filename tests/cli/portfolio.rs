//! `--portfolio FILE`: the portfolio's figures against hand-computed
//! numbers, its place in every output and gate, and every bad holdings
//! file refused with its file, line and culprit.

use serde_json::Value;

use crate::common::{run, stderr, stdout, write_temp};

/// The spec's worked example (section 4) with tickers; H is listed and K,
/// also listed, buys half of H's sales.
const GRAPH: &str = r#"{"format":"exposure-graph/1","meta":{"as_of":"2019-10-09"},
  "entities":[{"id":"A","name":"A","revenue":1000,"ticker":"AAA"},
              {"id":"B","name":"B","ticker":"BBB"},{"id":"C","name":"C","ticker":"SAME"},
              {"id":"H","name":"H","ticker":"same"},{"id":"K","name":"K"}],
  "relationships":[{"type":"supplies","from":"A","to":"H","share":0.1},
                   {"type":"supplies","from":"A","to":"B","share":0.5},
                   {"type":"supplies","from":"B","to":"H","share":0.4},
                   {"type":"supplies","from":"B","to":"C"},
                   {"type":"supplies","from":"C","to":"H","share":0.2},
                   {"type":"supplies","from":"H","to":"K","share":0.5}],
  "listings":[{"entity":"H","list":"CMIC"},{"entity":"K","list":"BIS Entity List"}]}"#;

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or(f64::NAN);
    assert!((got - want).abs() < 1e-12, "{got} != {want}");
}

/// Runs `args` with the graph and the holdings given as files.
fn with(holdings: &str, args: &[&str]) -> std::process::Output {
    let (_g, graph) = write_temp("g.json", GRAPH.as_bytes());
    let (_p, file) = write_temp("holdings.csv", holdings.as_bytes());
    let mut all: Vec<&str> = args.to_vec();
    all.extend([
        "-g",
        graph.to_str().unwrap(),
        "--portfolio",
        file.to_str().unwrap(),
    ]);
    run(&all)
}

/// Standard output with the holdings file's temporary path as
/// `holdings.csv`, for snapshots.
fn shown(out: &std::process::Output) -> String {
    stdout(out)
        .split(' ')
        .map(|w| match w.strip_suffix("/holdings.csv") {
            Some(_) => "holdings.csv",
            None => w,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn json(holdings: &str, args: &[&str]) -> Value {
    let out = with(holdings, args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn the_portfolio_weighs_each_holdings_bounds() {
    // x: A 0.3, B 0.4, H 0.5; X: A 0.36, B 0.52, H 0.5. Weights 50/30/20.
    let v = json(
        "entity,weight,note\nA,50,x\nB,30,\nH,20,listed\n",
        &["analyze", "--format", "json"],
    );
    let p = &v["portfolio"];
    assert_eq!(p["holdings"], 3);
    assert_eq!(p["weight_total"], 100);
    close(&p["total"], 0.5 * 0.3 + 0.3 * 0.4 + 0.2 * 0.5);
    close(&p["upper"], 0.5 * 0.36 + 0.3 * 0.52 + 0.2 * 0.5);
    assert_eq!(
        p["restricted_holdings"],
        serde_json::json!([{"id": "H", "via": "listing", "lists": ["CMIC"]}])
    );
    let c = p["contributions"].as_array().unwrap();
    let ids: Vec<&str> = c.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["A", "B", "H"]); // 0.15, 0.12, 0.10
    let keys: Vec<&str> = c[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "weight",
            "total",
            "upper",
            "contribution",
            "contribution_upper"
        ]
    );
    close(&c[1]["weight"], 0.3);
    close(&c[1]["contribution"], 0.12);
    close(&c[1]["contribution_upper"], 0.3 * 0.52);
    // The rest of the analyze object is unchanged.
    assert!(v["entities"].is_array() && v["restricted"].is_array());
}

#[test]
fn tickers_resolve_case_blind_and_the_table_starts_with_the_portfolio() {
    let out = with("ticker,weight\naaa,1\nBBB,1\n", &["analyze"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // `Portfolio … (2 holdings): 35.0% – 44.0%` first, then the rows with
    // their tickers.
    insta::assert_snapshot!("two_tickers_table", shown(&out));
    let restricted = with("entity,weight\nH,1\n", &["analyze"]);
    // `holding H (H) is itself RESTRICTED (CMIC)`.
    insta::assert_snapshot!("restricted_holding_table", shown(&restricted));
}

#[test]
fn the_gates_look_at_the_portfolio() {
    // Only H, restricted, is above 0.45: no entity not in R crosses, the
    // portfolio does.
    let holdings = "entity,weight\nH,1\n";
    assert_eq!(
        with(holdings, &["analyze", "--fail-above", "0.45"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        with(holdings, &["analyze", "--fail-above", "0.5"])
            .status
            .code(),
        Some(0)
    );
    let (_g, graph) = write_temp("g.json", GRAPH.as_bytes());
    let g = graph.to_str().unwrap();
    assert_eq!(
        run(&["analyze", "-g", g, "--fail-above", "0.45"])
            .status
            .code(),
        Some(0)
    );
    // --fail-above-upper: B's upper is 0.52.
    assert_eq!(
        run(&["analyze", "-g", g, "--fail-above-upper", "0.5"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(&["analyze", "-g", g, "--fail-above-upper", "0.52"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        with(holdings, &["analyze", "--fail-above-upper", "0.49"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn csv_lists_the_contributions() {
    let out = with("entity,weight\nA,1\nH,3\n", &["analyze", "--format", "csv"]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,weight,total,upper,contribution,contribution_upper,restricted,possibly_restricted,lists"
    );
    assert_eq!(lines[1], "H,0.75,0.5,0.5,0.375,0.375,true,false,CMIC");
    assert!(lines[2].starts_with("A,0.25,0.3") && lines[2].ends_with(",false,false,"));
    assert_eq!(lines.len(), 3);
}

#[test]
fn whatif_and_timeline_carry_the_portfolio() {
    let (_s, scenarios) = write_temp(
        "s.json",
        br#"{"scenarios":[{"name":"base"},{"name":"C listed","changes":[{"op":"list","entity":"C","list":"X"}]}]}"#,
    );
    let s = scenarios.to_str().unwrap();
    let v = json("entity,weight\nB,1\n", &["whatif", s, "--format", "json"]);
    close(&v["scenarios"][0]["portfolio"]["total"], 0.4);
    // With C listed, B's unknown sale to C counts in full for X... and its
    // lower bound is unchanged.
    close(&v["scenarios"][1]["portfolio"]["total"], 0.4);
    close(&v["scenarios"][1]["portfolio"]["upper"], 1.0);
    let table = with("entity,weight\nB,1\n", &["whatif", s]);
    // The change of the second: `0 (upper +48.0 pp)`.
    insta::assert_snapshot!("whatif_table", shown(&table));
    // The gate looks at each scenario's portfolio in every form of output
    // (only H, restricted, is above 0.45: the portfolio of H crosses).
    for form in [&["--format", "table"][..], &["--format", "json", "--all"]] {
        let code = |limit: &str| {
            let args = [&["whatif", s, "--fail-above", limit][..], form].concat();
            with("entity,weight\nH,1\n", &args).status.code()
        };
        assert_eq!(code("0.45"), Some(1), "{form:?}");
        assert_eq!(code("0.5"), Some(0), "{form:?}");
    }

    let t = json("entity,weight\nA,1\n", &["timeline", "--format", "json"]);
    let last = t["points"].as_array().unwrap().last().unwrap().clone();
    close(&last["portfolio"]["total"], 0.3);
    let csv = with("entity,weight\nA,1\n", &["timeline", "--format", "csv"]);
    assert!(
        stdout(&csv).starts_with("date,id,total,upper\n2019-10-09,,0.3"),
        "{}",
        stdout(&csv)
    );
}

#[test]
fn bad_holdings_files_are_refused_with_file_line_and_culprit() {
    for (text, want) in [
        ("", "holdings.csv: the holdings file is empty"),
        ("entity,weight\n", "holdings.csv:1: no holdings"),
        ("name,weight\nA,1\n", "holdings.csv:1: no entity column"),
        ("entity,amount\nA,1\n", "holdings.csv:1: no weight column"),
        (
            "entity,weight\nA,1\nZZ,2\n",
            "holdings.csv:3: unknown entity \"ZZ\"",
        ),
        (
            "ticker,weight\nAAA,1\nNOPE,2\n",
            "holdings.csv:3: unknown ticker \"NOPE\"",
        ),
        (
            "ticker,weight\nsame,1\n",
            "holdings.csv:2: ambiguous ticker \"same\": the entities C, H",
        ),
        (
            "entity,weight\nA,-5\n",
            "holdings.csv:2: weight -5 is negative",
        ),
        (
            "entity,weight\nA,lots\n",
            "holdings.csv:2: weight \"lots\" is not a number",
        ),
        (
            "entity,weight\nA,inf\n",
            "holdings.csv:2: weight \"inf\" is not a finite number",
        ),
        (
            "entity,weight\nA,NaN\n",
            "holdings.csv:2: weight \"NaN\" is not a finite number",
        ),
        (
            "entity,weight\nA,0\nB,0\n",
            "holdings.csv: lines 2–3: every weight is 0",
        ),
        ("entity,weight\nA,1\n\"B,2\n", "holdings.csv:3"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("r.html");
        for command in ["analyze", "report"] {
            let args: Vec<&str> = if command == "report" {
                vec!["report", "-o", report.to_str().unwrap()]
            } else {
                vec!["analyze"]
            };
            let out = with(text, &args);
            assert_eq!(out.status.code(), Some(2), "{text:?}: {}", stderr(&out));
            assert!(out.stdout.is_empty(), "{text:?}");
            let err = stderr(&out);
            assert!(err.contains(want), "{command} {text:?}: {err}");
        }
        assert!(!report.exists(), "{text:?}");
    }
    let out = run(&["analyze", "--portfolio", "/nonexistent/h.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/h.csv: cannot read"));
}
