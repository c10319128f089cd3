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
fn a_problem_of_the_whole_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let out = run(&["analyze", "-g", missing.to_str().unwrap()]);
    let shown = format!("error: {}: cannot read", missing.display());
    assert!(stderr(&out).contains(&shown), "{}", stderr(&out));
    let (_dir, path) = write_temp("graph.json", br#"{"format":"exposure-graph/1"}"#);
    let out = run(&["validate", "-g", path.to_str().unwrap()]);
    let shown = format!("error: {}: the required field \"entities\"", path.display());
    assert!(stderr(&out).contains(&shown), "{}", stderr(&out));
    assert_error(&out, &["entities"]);
}

#[test]
fn null_format_is_rejected_like_a_missing_one() {
    let out = validate(r#"{ "format": null, "entities": [ { "id": "a", "name": "A" } ] }"#);
    assert_error(&out, &["format", "missing"]);
}

#[test]
fn a_repeated_key_in_a_relationship_is_reported_with_line_and_column() {
    let out = validate(
        "{\"format\": \"exposure-graph/1\",\n\
         \"entities\": [{\"id\": \"a\", \"name\": \"A\"}, {\"id\": \"b\", \"name\": \"B\"}],\n\
         \"relationships\": [\n\
         {\"type\": \"supplies\", \"from\": \"a\", \"to\": \"b\", \"share\": 0.1, \"share\": 0.3}\n\
         ]}\n",
    );
    assert_error(
        &out,
        &["line 4, column 60", "relationships[0]", "\"share\""],
    );
}

#[test]
fn a_repeated_key_is_reported_in_every_kind_of_record() {
    let cases = [
        (
            r#"{"format": "exposure-graph/1", "entities": [{"id": "a", "id": "b", "name": "A"}]}"#,
            "entities[0]",
            "\"id\"",
        ),
        (
            r#"{"format": "exposure-graph/1", "entities": [{"id": "a", "name": "A", "x": 1, "x": 2}]}"#,
            "entities[0]",
            "\"x\"",
        ),
        (
            r#"{"format": "exposure-graph/1", "meta": {"as_of": "2020-01-01", "as_of": "2021-01-01"}, "entities": []}"#,
            "meta",
            "\"as_of\"",
        ),
        (
            r#"{"format": "exposure-graph/1", "entities": [{"id": "a", "name": "A"}], "listings": [{"entity": "a", "list": "L", "list": "M"}]}"#,
            "listings[0]",
            "\"list\"",
        ),
        (
            r#"{"format": "exposure-graph/1", "entities": [{"id": "a", "name": "A"}], "segments": [{"seller": "a", "name": "S", "share_max": 0.1, "share_max": 0.2}]}"#,
            "segments[0]",
            "\"share_max\"",
        ),
        (
            r#"{"format": "exposure-graph/1", "entities": [], "entities": []}"#,
            "the document",
            "\"entities\"",
        ),
        (
            r#"{"format": "exposure-graph/1", "entities": [], "notes": 1, "notes": 2}"#,
            "the document",
            "\"notes\"",
        ),
    ];
    for (text, place, key) in cases {
        let out = validate(text);
        assert_error(&out, &["line 1, column ", place, key]);
    }
}

/// Writes the CSV files `files` (name, text) to a fresh folder.
fn csv_folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("the file is written");
    }
    dir
}

/// Runs `exposure ARGS -g DIR`.
fn run_on(dir: &std::path::Path, args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-g", dir.to_str().expect("a UTF-8 temp path")]);
    run(&all)
}

#[test]
fn csv_headers_match_known_fields_without_regard_to_case_and_spaces() {
    let dir = csv_folder(&[
        ("entities.csv", " ID ,Name,Revenue\na,A,1000\nb,B,\n"),
        (
            "relationships.csv",
            "Type,FROM,to,share \nsupplies,a,b,0.25\n",
        ),
        ("listings.csv", "entity,List\nb,L\n"),
    ]);
    let out = run_on(dir.path(), &["analyze", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let a = &v["entities"][0];
    assert_eq!(a["id"], "a");
    assert_eq!(a["total"], 0.25);
    assert_eq!(a["revenue"], 1000.0);
}

#[test]
fn a_csv_header_close_to_a_known_field_is_an_error() {
    for (header, near) in [("shares", "share"), ("revenu", "revenue")] {
        let (rel, ent) = if near == "share" {
            (
                format!("type,from,to,{header}\nsupplies,a,b,0.25\n"),
                "id,name\na,A\nb,B\n".to_string(),
            )
        } else {
            (
                "type,from,to\n".to_string(),
                format!("id,name,{header}\na,A,5\nb,B,\n"),
            )
        };
        let dir = csv_folder(&[("entities.csv", &ent), ("relationships.csv", &rel)]);
        let out = run_on(dir.path(), &["validate"]);
        let file = if near == "share" {
            "relationships.csv"
        } else {
            "entities.csv"
        };
        assert_error(&out, &[file, header, &format!("{near:?}")]);
    }
}

#[test]
fn an_extra_csv_column_far_from_known_fields_is_kept() {
    let dir = csv_folder(&[("entities.csv", "id,name,cik,sector\na,A,123,chips\n")]);
    let out = run_on(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
}

#[test]
fn semicolon_separated_csv_files_are_read() {
    let dir = csv_folder(&[
        (
            "entities.csv",
            "id;name;aliases;revenue\na;A;\"A1;A2\";1000\nb;\"B, Inc.\";;\n",
        ),
        (
            "relationships.csv",
            "type;from;to;share\r\nsupplies;a;b;0.25\r\n",
        ),
        ("listings.csv", "entity;list\nb;L\n"),
        ("meta.csv", "title;as_of\nT;2020-01-02\n"),
    ]);
    let out = run_on(dir.path(), &["analyze", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["as_of"], "2020-01-02");
    assert_eq!(v["entities"][0]["id"], "a");
    assert_eq!(v["entities"][0]["total"], 0.25);
}

#[test]
fn a_fraction_like_percent_and_a_value_without_revenue_are_warned_about() {
    let out = validate(
        r#"{"format": "exposure-graph/1",
        "entities": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "c", "name": "C", "revenue": 1000}],
        "relationships": [
          {"type": "owns", "from": "a", "to": "b", "percent": 0.51},
          {"type": "supplies", "from": "b", "to": "c", "value": 500},
          {"type": "supplies", "from": "c", "to": "a", "value": 500},
          {"type": "owns", "from": "c", "to": "b", "percent": 30}
        ]}"#,
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{err}");
    assert!(stdout(&out).starts_with("valid:"));
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 2, "stderr:\n{err}");
    assert!(
        warnings[0].contains("relationships[0] (owns a -> b): percent 0.51 looks like a fraction")
    );
    assert!(warnings[1]
        .contains("relationships[1] (supplies b -> c): value 500 counts as unquantified"));
}

#[test]
fn doubtful_records_are_warned_about_up_to_a_cap() {
    let entities: Vec<String> = (0..40)
        .map(|i| format!(r#"{{"id": "e{i}", "name": "E{i}"}}"#))
        .collect();
    let rels: Vec<String> = (1..40)
        .map(|i| format!(r#"{{"type": "supplies", "from": "e0", "to": "e{i}", "value": 1}}"#))
        .collect();
    let out = validate(&format!(
        r#"{{"format": "exposure-graph/1", "entities": [{}], "relationships": [{}]}}"#,
        entities.join(","),
        rels.join(",")
    ));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 21, "stderr:\n{err}");
    assert!(warnings[20].contains("and 19 more"), "stderr:\n{err}");
}

/// The built-in example graph's JSON file.
fn example() -> String {
    crate::common::fixture("../../graphs/entity-list-2019.json")
        .to_str()
        .expect("a UTF-8 path")
        .to_string()
}

#[test]
fn lists_with_a_name_the_graph_does_not_use_is_an_error_with_a_did_you_mean() {
    let g = example();
    let out = run(&["analyze", "-g", &g, "--lists", "bis entity list"]);
    assert_error(
        &out,
        &[
            "--lists",
            "BIS Entity List, NDAA 889",
            "did you mean \"BIS Entity List\"?",
        ],
    );
    let out = run(&[
        "analyze",
        "-g",
        &g,
        "--lists",
        "Unverified List",
        "--format",
        "json",
    ]);
    assert_error(&out, &["--lists", "\"Unverified List\""]);
    assert!(!stderr(&out).contains("did you mean"));
}

#[test]
fn a_scenario_with_an_unknown_list_name_is_an_error() {
    let (_dir, path) = write_temp(
        "s.json",
        br#"{"scenarios": [{"name": "typo", "lists": ["NDAA 898"]}]}"#,
    );
    let out = run(&["whatif", path.to_str().expect("UTF-8"), "-g", &example()]);
    assert_error(
        &out,
        &["typo", "\"NDAA 898\"", "did you mean \"NDAA 889\"?"],
    );
}

#[test]
fn a_list_name_the_scenario_itself_uses_is_known_though_a_delist_undoes_its_listing() {
    // "Watch List" is on no listing of the graph; the scenario lists
    // megvii on it, and a `delist` in the file, or `--delist` on the
    // command line, takes that listing away again. The name is the
    // file's own, not a typo: the run goes on, and megvii is not
    // restricted.
    let (_dir, path) = write_temp(
        "s.json",
        br#"{"scenarios": [
            {"name": "listed", "lists": ["Watch List"],
             "changes": [{"op": "list", "entity": "megvii", "list": "Watch List"}]},
            {"name": "listed, then delisted", "lists": ["Watch List"],
             "changes": [{"op": "list", "entity": "megvii", "list": "Watch List"},
                         {"op": "delist", "entity": "megvii"}]}]}"#,
    );
    let g = example();
    let file = path.to_str().expect("UTF-8");
    let restricted = |out: &Output, i: usize| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v["scenarios"][i]["restricted"]
            .as_array()
            .expect("restricted")
            .iter()
            .map(|r| r["id"].as_str().expect("id").to_string())
            .collect()
    };
    let out = run(&["whatif", file, "-g", &g, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
    assert_eq!(restricted(&out, 0), ["megvii"]);
    assert!(restricted(&out, 1).is_empty());
    let out = run(&[
        "whatif", file, "-g", &g, "--format", "json", "--delist", "megvii",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
    assert!(restricted(&out, 0).is_empty());
    // A name no one uses is still an error, and the message names each
    // known list once.
    let (_dir, path) = write_temp(
        "t.json",
        br#"{"scenarios": [{"name": "typo", "lists": ["Wacth List"],
             "changes": [{"op": "list", "entity": "megvii", "list": "BIS Entity List"},
                         {"op": "list", "entity": "yitu", "list": "Watch List"},
                         {"op": "list", "entity": "huawei", "list": "Watch List"}]}]}"#,
    );
    let out = run(&["whatif", path.to_str().expect("UTF-8"), "-g", &g]);
    assert_error(
        &out,
        &[
            "(the graph's lists: BIS Entity List, NDAA 889, Watch List)",
            "did you mean \"Watch List\"?",
        ],
    );
}

#[test]
fn unknown_ids_in_flags_get_a_did_you_mean() {
    let g = example();
    for args in [
        vec!["analyze", "--list", "hikvison"],
        vec!["analyze", "--delist", "Hikvision"],
        vec!["explain", "hikvisio"],
        vec!["dot", "--focus", "hikvisionn"],
    ] {
        let mut args = args;
        args.extend(["-g", &g]);
        let out = run(&args);
        assert_error(&out, &["did you mean \"hikvision\"?"]);
    }
    let out = run(&["analyze", "-g", &g, "--license", "intel:hikvison"]);
    assert_error(&out, &["buyer \"hikvison\"", "did you mean \"hikvision\"?"]);
    assert!(!stderr(&out).contains("seller"), "{}", stderr(&out));
}

#[test]
fn screen_apply_names_the_list_of_a_row_without_source() {
    let list = r#"{"results": [{"source": "", "name": "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "type": "Entity", "alt_names": ["Hikvision"], "start_date": null}]}"#;
    let (dir, csl) = write_temp("csl.json", list.as_bytes());
    let out_path = dir.path().join("screened.json");
    let o = out_path.to_str().expect("UTF-8");
    let r = run(&[
        "screen",
        "-g",
        &example(),
        "--csl",
        csl.to_str().expect("UTF-8"),
        "--apply",
        o,
    ]);
    assert_eq!(r.status.code(), Some(0), "stderr:\n{}", stderr(&r));
    let valid = run(&["validate", "-g", o]);
    assert_eq!(valid.status.code(), Some(0), "stderr:\n{}", stderr(&valid));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_path).expect("written")).expect("JSON");
    assert!(
        written["listings"]
            .as_array()
            .expect("listings")
            .iter()
            .any(|l| l["entity"] == "hikvision"
                && l["list"] == "Consolidated Screening List (source not given)"),
        "{written}"
    );
}

#[test]
fn a_byte_order_mark_before_json_and_csv_inputs_is_skipped() {
    let graph = "\u{feff}{\"format\": \"exposure-graph/1\", \"entities\": [{\"id\": \"a\", \"name\": \"A\"}]}";
    let (_g, g) = write_temp("graph.json", graph.as_bytes());
    let g = g.to_str().expect("UTF-8");
    let out = run(&["validate", "-g", g]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
    let (_s, s) = write_temp(
        "s.json",
        "\u{feff}{\"scenarios\": [{\"name\": \"base\"}]}".as_bytes(),
    );
    let out = run(&[
        "whatif",
        s.to_str().expect("UTF-8"),
        "-g",
        g,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
    let (_p, p) = write_temp("p.csv", "\u{feff}entity,weight\nhikvision,1\n".as_bytes());
    let out = run(&[
        "analyze",
        "-g",
        &example(),
        "--portfolio",
        p.to_str().expect("UTF-8"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
    let (_c, c) = write_temp(
        "csl.json",
        "\u{feff}{\"results\": [{\"source\": \"Entity List (EL) - Bureau of Industry and Security\", \"name\": \"Hikvision\"}]}".as_bytes(),
    );
    let out = run(&[
        "screen",
        "-g",
        &example(),
        "--csl",
        c.to_str().expect("UTF-8"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
}

#[test]
fn csv_error_lines_are_right_with_crlf_and_blank_lines() {
    let entities = "id,name\r\na,A\r\nb,B\r\nc,C\r\n";
    for (rels, line) in [
        (
            "type,from,to,share\r\nsupplies,a,b,0.1\r\nsupplies,a,c,0.3O\r\n",
            3,
        ),
        (
            "type,from,to,share\n\nsupplies,a,b,0.1\n\n\nsupplies,a,c,0.3O\n",
            6,
        ),
        (
            "type,from,to,share\r\n\r\nsupplies,a,b,0.1\r\n\r\nsupplies,a,c,0.3O\r\n",
            5,
        ),
        (
            "type,from,to,share\r\nsupplies,a,b,\"x\r\ny\"\r\nsupplies,a,c,0.3O\r\n",
            4,
        ),
    ] {
        let dir = csv_folder(&[("entities.csv", entities), ("relationships.csv", rels)]);
        let out = run_on(dir.path(), &["validate"]);
        assert_error(&out, &[&format!("relationships.csv line {line},"), "0.3O"]);
    }
}

#[test]
fn top_zero_is_a_usage_error() {
    let g = example();
    for args in [
        vec!["analyze", "--top", "0"],
        vec!["explain", "hikvision", "--top", "0"],
        vec!["whatif", "graphs/scenarios-2019.json", "--top", "0"],
    ] {
        let mut args = args;
        args.extend(["-g", &g]);
        let out = run(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(err.contains("--top") && err.contains("at least 1"), "{err}");
    }
}

#[test]
fn analyze_json_records_its_settings_after_the_spec_fields() {
    let out = run(&[
        "analyze",
        "-g",
        &example(),
        "--format",
        "json",
        "--lists",
        "BIS Entity List",
        "--list",
        "sensetime",
        "--delist",
        "huawei",
        "--license",
        "intel:hikvision",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let keys: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "as_of",
            "affiliates_threshold",
            "max_depth",
            "restricted",
            "entities",
            "lists",
            "currency",
            "title",
            "list",
            "delist",
            "license"
        ]
    );
    assert_eq!(v["lists"], serde_json::json!(["BIS Entity List"]));
    assert_eq!(v["currency"], "USD");
    assert!(v["title"]
        .as_str()
        .expect("a title")
        .starts_with("Entity List additions"));
    assert_eq!(v["list"], serde_json::json!(["sensetime"]));
    assert_eq!(v["delist"], serde_json::json!(["huawei"]));
    assert_eq!(v["license"], serde_json::json!(["intel:hikvision"]));
}

#[test]
fn csv_reports_defuse_formulas_in_text_but_the_data_form_stays_exact() {
    let graph = r#"{"format": "exposure-graph/1", "meta": {"as_of": "2020-01-01"},
      "entities": [{"id": "=cmd|' /C calc'!A0", "name": "@SUM(1)", "revenue": 100},
                   {"id": "-b", "name": "+B"}],
      "relationships": [{"type": "supplies", "from": "=cmd|' /C calc'!A0", "to": "-b", "share": 0.5,
                         "product": "=1+1", "source": "\tx"}],
      "listings": [{"entity": "-b", "list": "L", "start": "2019-01-01"}]}"#;
    let (dir, g) = write_temp("g.json", graph.as_bytes());
    let g = g.to_str().expect("UTF-8");
    let out = run(&["analyze", "-g", g, "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("'=cmd|' /C calc'!A0,'@SUM(1),false,false,0.5,0,0.5,0.5,100,50,50,1"),
        "{text}"
    );
    assert!(text.contains("'-b,'+B,true"), "{text}");
    let out = run(&["explain", "=cmd|' /C calc'!A0", "-g", g, "--format", "csv"]);
    let text = stdout(&out);
    assert!(
        text.contains("'-b") && text.contains("'=1+1") && text.contains("'\tx"),
        "{text}"
    );
    assert!(!text.contains(",-b,") && !text.contains(",=1+1,"), "{text}");
    let out = run(&["timeline", "-g", g, "--format", "csv"]);
    assert!(
        stdout(&out).contains(",'=cmd|' /C calc'!A0,"),
        "{}",
        stdout(&out)
    );
    // The graph's own CSV form is data: written as given.
    let folder = dir.path().join("csv");
    let out = run(&["convert", g, folder.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(&out));
    let entities = std::fs::read_to_string(folder.join("entities.csv")).expect("written");
    assert!(
        entities.contains("=cmd|' /C calc'!A0,@SUM(1)"),
        "{entities}"
    );
    assert!(!entities.contains("'@"), "{entities}");
}

#[test]
fn control_characters_are_shown_escaped_in_tables_and_errors() {
    let graph = r#"{"format": "exposure-graph/1", "meta": {"as_of": "2020-01-01"},
      "entities": [{"id": "a", "name": "Acme \u001b]0;pwned\u0007\u001b[2J", "revenue": 100},
                   {"id": "b", "name": "B\u009b31m"}],
      "relationships": [{"type": "supplies", "from": "a", "to": "b", "share": 0.5}],
      "listings": [{"entity": "b", "list": "L"}]}"#;
    let (_dir, g) = write_temp("g.json", graph.as_bytes());
    let g = g.to_str().expect("UTF-8");
    let (_s, s) = write_temp("s.json", br#"{"scenarios": [{"name": "base"}]}"#);
    for args in [
        vec!["analyze", "-g", g, "--format", "table"],
        vec!["explain", "a", "-g", g, "--format", "table"],
        vec![
            "whatif",
            s.to_str().expect("UTF-8"),
            "-g",
            g,
            "--format",
            "table",
            "--all",
        ],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{9b}'),
            "{args:?}: {text:?}"
        );
        // Shown escaped: `Acme \u{1b}]0;pwned\u{7}\u{1b}[2J`.
        insta::assert_snapshot!(format!("escaped_{}_table", args[0]), text);
    }
    let out = run(&["explain", "x\u{1b}[2J", "-g", g]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !err.contains('\u{1b}') && err.contains(r"x\u{1b}[2J"),
        "{err:?}"
    );
}

/// XML 1.0 refuses these in a document, so browsers refuse an SVG that has
/// them.
fn not_xml(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[test]
fn svg_outputs_hold_only_characters_xml_allows() {
    // Names with a control character and the two non-characters.
    let graph = r#"{"format":"exposure-graph/1","meta":{"as_of":"2020-01-01","title":"T\u0001itle"},
     "entities":[{"id":"s","name":"Seller\u0002 \uFFFE","revenue":10},{"id":"b","name":"Buyer \uFFFF\u001f"}],
     "relationships":[{"type":"supplies","from":"s","to":"b","share":0.5,"product":"x\u0007"}],
     "listings":[{"entity":"b","list":"L\u0003","start":"2019-05-01"}]}"#;
    let (dir, g) = write_temp("g.json", graph.as_bytes());
    let g = g.to_str().unwrap();
    let chart = dir.path().join("t.svg");
    let out = run(&["timeline", "-g", g, "-o", chart.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&chart).unwrap();
    assert!(text.contains("Seller"), "the names are drawn");
    assert!(!text.chars().any(not_xml), "timeline SVG: {text}");
    if crate::dot::graphviz() {
        let drawn = dir.path().join("d.svg");
        let out = run(&["dot", "-g", g, "-o", drawn.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = std::fs::read_to_string(&drawn).unwrap();
        assert!(text.contains("Seller"), "the names are drawn");
        assert!(!text.chars().any(not_xml), "dot SVG: {text}");
    }
}

#[test]
fn an_empty_entities_csv_is_an_error_naming_the_file() {
    let dir = csv_folder(&[("entities.csv", "")]);
    assert_error(
        &run_on(dir.path(), &["validate"]),
        &["entities.csv", "is empty", "id, name"],
    );
    // Another record file with no header at all is one too; an empty
    // meta.csv is not.
    let dir = csv_folder(&[
        ("entities.csv", "id,name\na,A\n"),
        ("listings.csv", ""),
        ("meta.csv", ""),
    ]);
    assert_error(
        &run_on(dir.path(), &["validate"]),
        &["listings.csv", "is empty", "may be left out"],
    );
}

#[test]
fn a_csv_file_given_for_the_graph_asks_for_its_folder() {
    let dir = csv_folder(&[("entities.csv", "id,name\na,A\n")]);
    let file = dir.path().join("entities.csv");
    let out = run(&["analyze", "-g", file.to_str().unwrap()]);
    assert_error(&out, &["pass the folder", dir.path().to_str().unwrap()]);
}

#[test]
fn a_scenario_error_on_a_csv_graph_cites_file_and_line() {
    let dir = csv_folder(&[
        ("entities.csv", "id,name\na,A\n\nb,B\n"),
        (
            "relationships.csv",
            "type,from,to,share\nsupplies,a,b,0.5\n",
        ),
    ]);
    let (_s, scenarios) = write_temp(
        "s.json",
        br#"{"scenarios":[{"name":"dup","changes":[{"op":"add_entity","entity":{"id":"b","name":"B2"}}]}]}"#,
    );
    let out = run_on(dir.path(), &["whatif", scenarios.to_str().unwrap()]);
    assert_error(&out, &["changes[0]", "the entity on entities.csv line 4"]);
    assert!(!stderr(&out).contains("entities[1]"), "{}", stderr(&out));
}
