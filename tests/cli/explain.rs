//! `exposure explain ID`: the built-in example, the JSON shape, `--top`,
//! the what-if flags and the affiliates chain, through the real binary.

use serde_json::Value;

use super::common::{run, stderr, stdout, write_temp};

/// The spec's worked example (exposure spec, section 4).
const WORKED: &str = r#"{"format":"exposure-graph/1","meta":{"as_of":"2019-10-09"},
 "entities":[{"id":"A","name":"Alpha AG","revenue":1000},{"id":"B","name":"B"},{"id":"C","name":"C"},{"id":"H","name":"H"}],
 "relationships":[
  {"type":"supplies","from":"A","to":"H","share":0.1,"product":"valves","source":"10-K 2019"},
  {"type":"supplies","from":"A","to":"B","share":0.5},
  {"type":"supplies","from":"B","to":"H","share":0.4},{"type":"supplies","from":"B","to":"C"},
  {"type":"supplies","from":"C","to":"H","share":0.2}],
 "listings":[{"entity":"H","list":"BIS Entity List","start":"2019-01-01"}]}"#;

/// A listed parent owns 60 % of a mid-level holding, which owns 50 % of
/// the subsidiary the seller sells to.
const AFFILIATES: &str = r#"{"format":"exposure-graph/1",
 "entities":[{"id":"seller","name":"Seller"},{"id":"sub","name":"Sub"},{"id":"mid","name":"Mid"},{"id":"parent","name":"Parent"}],
 "relationships":[
  {"type":"supplies","from":"seller","to":"sub","share":0.3},
  {"type":"owns","from":"parent","to":"mid","percent":60},
  {"type":"owns","from":"mid","to":"sub","percent":50}],
 "listings":[{"entity":"parent","list":"SDN"}]}"#;

fn json_of(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn ids(v: &Value) -> Vec<String> {
    v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(">")
        })
        .collect()
}

#[test]
fn ambarella_is_explained_by_its_sales_to_hikvision_and_dahua() {
    let out = run(&["explain", "ambarella"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The interval, each edge's bounds, confidence and product.
    insta::assert_snapshot!("ambarella_table", stdout(&out));

    let v = json_of(&["explain", "ambarella", "--format", "json"]);
    assert_eq!(v["id"], "ambarella");
    assert_eq!(v["total"], 0.15);
    assert_eq!(v["upper"], 1);
    assert_eq!(ids(&v), ["ambarella>hikvision", "ambarella>dahua"]);
    let best = &v["paths"][0];
    assert_eq!(best["weight"], 0.15);
    assert_eq!(best["complete"], false, "a bounded edge is not exact");
    assert_eq!(best["edges"][0]["share"], Value::Null);
    assert_eq!(best["edges"][0]["share_min"], 0.15);
    assert_eq!(best["edges"][0]["share_max"], 0.2);
    assert_eq!(v["paths"][1]["weight"], 0);
    assert_eq!(v["paths"][1]["complete"], false);
}

#[test]
fn json_has_the_spec_fields_and_one_entry_per_edge() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let v = json_of(&[
        "explain",
        "A",
        "-g",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    for key in [
        "id",
        "total",
        "upper",
        "paths",
        "truncated",
        "more",
        "explained",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["truncated"], false);
    assert_eq!(ids(&v), ["A>B>H", "A>H", "A>B>C>H"]);
    let close =
        |x: &Value, want: f64| assert!((x.as_f64().unwrap() - want).abs() < 1e-12, "{x} != {want}");
    close(&v["total"], 0.3);
    close(&v["upper"], 0.36);
    close(&v["explained"], 0.3);
    let weights: Vec<f64> = v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["weight"].as_f64().unwrap())
        .collect();
    assert_eq!(weights, [0.2, 0.1, 0.0]);
    for p in v["paths"].as_array().unwrap() {
        for key in ["ids", "weight", "complete", "edges", "restricted_via"] {
            assert!(p.get(key).is_some(), "path missing {key}: {p}");
        }
        assert_eq!(
            p["edges"].as_array().unwrap().len() + 1,
            p["ids"].as_array().unwrap().len()
        );
        assert_eq!(p["restricted_via"]["via"], "listing");
        assert_eq!(p["restricted_via"]["lists"][0], "BIS Entity List");
    }
    let direct = &v["paths"][1]["edges"][0];
    assert_eq!(direct["from"], "A");
    assert_eq!(direct["to"], "H");
    assert_eq!(direct["share"], 0.1);
    assert_eq!(direct["product"], "valves");
    assert_eq!(direct["source"], "10-K 2019");
    assert_eq!(v["paths"][0]["complete"], true);
    assert_eq!(v["paths"][2]["complete"], false);
}

#[test]
fn unknown_ids_are_exit_two_naming_them() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let out = run(&["explain", "nobody", "-g", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nobody"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert_eq!(run(&["explain"]).status.code(), Some(2), "ID is required");
}

#[test]
fn top_keeps_the_first_paths_and_says_more_follow() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let p = path.to_str().unwrap();
    let v = json_of(&["explain", "A", "-g", p, "--format", "json", "--top", "2"]);
    assert_eq!(ids(&v), ["A>B>H", "A>H"]);
    assert_eq!(v["more"], true);
    assert_eq!(v["top"], 2);
    let v = json_of(&["explain", "A", "-g", p, "--format", "json", "--top", "3"]);
    assert_eq!(v["more"], false);
    let table = stdout(&run(&["explain", "A", "-g", p, "--top", "1"]));
    insta::assert_snapshot!("top_1_table", table);
}

#[test]
fn what_if_flags_change_the_paths() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let p = path.to_str().unwrap();
    let v = json_of(&[
        "explain",
        "A",
        "-g",
        p,
        "--format",
        "json",
        "--license",
        "A:H",
    ]);
    assert_eq!(
        ids(&v),
        ["A>B>H", "A>B>C>H"],
        "a licensed edge into H ends no path"
    );
    assert!((v["total"].as_f64().unwrap() - 0.2).abs() < 1e-12);
    let v = json_of(&["explain", "A", "-g", p, "--format", "json", "--list", "B"]);
    assert_eq!(
        ids(&v),
        ["A>B", "A>H"],
        "B listed: paths end at the first restricted buyer"
    );
    assert_eq!(v["paths"][0]["restricted_via"]["lists"][0], "what-if");
    let v = json_of(&[
        "explain",
        "A",
        "-g",
        p,
        "--format",
        "json",
        "--max-depth",
        "2",
    ]);
    assert_eq!(ids(&v), ["A>B>H", "A>H"]);
    let v = json_of(&["explain", "A", "-g", p, "--format", "json", "--delist", "H"]);
    assert_eq!(v["paths"].as_array().unwrap().len(), 0);
    insta::assert_snapshot!(
        "delisted_table",
        stdout(&run(&["explain", "A", "-g", p, "--delist", "H"]))
    );
}

#[test]
fn an_affiliate_shows_the_ownership_chain_that_restricts_it() {
    let (_d, path) = write_temp("g.json", AFFILIATES.as_bytes());
    let p = path.to_str().unwrap();
    let without = json_of(&["explain", "seller", "-g", p, "--format", "json"]);
    assert_eq!(
        without["paths"].as_array().unwrap().len(),
        0,
        "without the rule sub is not restricted"
    );

    let v = json_of(&[
        "explain",
        "seller",
        "-g",
        p,
        "--format",
        "json",
        "--affiliates",
        "50",
    ]);
    assert_eq!(ids(&v), ["seller>sub"]);
    assert_eq!(v["paths"][0]["weight"], 0.3);
    let via = &v["paths"][0]["restricted_via"];
    assert_eq!(via["via"], "affiliate");
    assert_eq!(via["lists"], serde_json::json!(["SDN"]));
    assert_eq!(
        via["owners"],
        serde_json::json!([{"id": "mid", "percent": 50}])
    );
    assert_eq!(
        via["chain"],
        serde_json::json!([
            {"id": "mid", "via": "affiliate", "lists": ["SDN"], "owners": [{"id": "parent", "percent": 60}]},
            {"id": "parent", "via": "listing", "lists": ["SDN"], "owners": []}
        ])
    );

    // sub is restricted through mid (50%), mid through parent (60%).
    let table = stdout(&run(&["explain", "seller", "-g", p, "--affiliates", "50"]));
    insta::assert_snapshot!("affiliate_chain_table", table);
}

#[test]
fn csv_has_one_row_per_edge() {
    let (_d, path) = write_temp("g.json", WORKED.as_bytes());
    let csv = stdout(&run(&[
        "explain",
        "A",
        "-g",
        path.to_str().unwrap(),
        "--format",
        "csv",
    ]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "bound,path,weight,complete,step,from,to,share,share_min,share_max,segment,lo,t,confidence,product,source"
    );
    assert_eq!(lines.len(), 1 + 2 + 1 + 3, "{csv}");
    assert_eq!(lines[1], "lower,1,0.2,true,1,A,B,0.5,0.5,0.5,,,,,,");
    assert_eq!(
        lines[3],
        "lower,2,0.1,true,1,A,H,0.1,0.1,0.1,,,,,valves,10-K 2019"
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    for format in ["table", "json", "csv"] {
        let a = run(&[
            "explain",
            "nvidia",
            "--format",
            format,
            "--affiliates",
            "50",
        ]);
        let b = run(&[
            "explain",
            "nvidia",
            "--format",
            format,
            "--affiliates",
            "50",
        ]);
        assert_eq!(a.status.code(), Some(0));
        assert_eq!(a.stdout, b.stdout, "{format}");
    }
}
