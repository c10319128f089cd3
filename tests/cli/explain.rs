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

/// `layers` layers of `width` entities `l{i}_{j}`, each selling `share` to
/// every entity of the next layer, the last layer listed; `extra` adds
/// entities and relationships (JSON members, each with a leading comma).
fn layered(layers: usize, width: usize, share: f64, extra: (&str, &str)) -> String {
    let mut entities = Vec::new();
    let mut rels = Vec::new();
    let mut listings = Vec::new();
    for i in 0..layers {
        for j in 0..width {
            entities.push(format!(r#"{{"id":"l{i}_{j}","name":"L{i} {j}"}}"#));
            if i + 1 == layers {
                listings.push(format!(
                    r#"{{"entity":"l{i}_{j}","list":"BIS Entity List"}}"#
                ));
            } else {
                for k in 0..width {
                    rels.push(format!(
                        r#"{{"type":"supplies","from":"l{i}_{j}","to":"l{}_{k}","share":{share}}}"#,
                        i + 1
                    ));
                }
            }
        }
    }
    format!(
        r#"{{"format":"exposure-graph/1","entities":[{}{}],"relationships":[{}{}],"listings":[{}]}}"#,
        entities.join(","),
        extra.0,
        rels.join(","),
        extra.1,
        listings.join(",")
    )
}

#[test]
fn paths_of_equal_weight_on_a_layered_graph_are_found() {
    // 4^11 paths of weight 0.25^11: growing every partial path before
    // completing one ran out of the search's cap.
    let (_dir, path) = write_temp("layers.json", layered(12, 4, 0.25, ("", "")).as_bytes());
    let g = path.to_str().unwrap();
    let v = json_of(&["explain", "l0_0", "-g", g, "--format", "json"]);
    assert_eq!(v["truncated"], false);
    assert_eq!(v["more"], true);
    let found = ids(&v);
    assert_eq!(found.len(), 10);
    assert_eq!(
        found[0], "l0_0>l1_0>l2_0>l3_0>l4_0>l5_0>l6_0>l7_0>l8_0>l9_0>l10_0>l11_0",
        "ties go by ids"
    );
    let weight = 0.25f64.powi(11);
    assert!(v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["weight"].as_f64() == Some(weight) && p["complete"] == true));
    let upper = json_of(&["explain", "l0_0", "-g", g, "--upper", "--format", "json"]);
    assert_eq!(ids(&upper).len(), 10);

    let dot = run(&["dot", "-g", g, "--highlight", "l0_0"]);
    assert_eq!(dot.status.code(), Some(0), "{}", stderr(&dot));
    assert!(stderr(&dot).is_empty(), "{}", stderr(&dot));
    let text = stdout(&dot);
    let bold = text
        .lines()
        .filter(|l| l.contains("->") && l.contains("penwidth"))
        .count();
    assert!(bold >= 11, "a highlighted path of 11 edges: {text}");
}

#[test]
fn a_search_that_stops_says_so_instead_of_claiming_no_path() {
    // Every layer entity also sells back to s, whose only other way out
    // is a chain to r too long for --max-depth 12: the best walk from deep
    // in the layers is back through s, which no path can use, so the
    // search grows short partial paths first and reaches its cap.
    let chain: String = (0..13)
        .map(|i| format!(r#",{{"id":"c{i}","name":"C{i}"}}"#))
        .collect::<String>()
        + r#",{"id":"s","name":"S"},{"id":"r","name":"R"}"#;
    let mut rels = String::from(r#",{"type":"supplies","from":"s","to":"c0","share":0.5}"#);
    for i in 0..12 {
        rels += &format!(
            r#",{{"type":"supplies","from":"c{i}","to":"c{}","share":1}}"#,
            i + 1
        );
    }
    rels += r#",{"type":"supplies","from":"c12","to":"r","share":1}"#;
    for j in 0..4 {
        rels += &format!(r#",{{"type":"supplies","from":"s","to":"l0_{j}","share":0.125}}"#);
        for i in 0..12 {
            rels += &format!(r#",{{"type":"supplies","from":"l{i}_{j}","to":"s","share":0.2}}"#);
        }
    }
    let text = layered(12, 4, 0.2, (&chain, &rels)).replace(
        r#""listings":["#,
        r#""listings":[{"entity":"r","list":"BIS Entity List"},"#,
    );
    let (_dir, path) = write_temp("trap.json", text.as_bytes());
    let g = path.to_str().unwrap();
    let out = run(&["explain", "s", "-g", g, "--max-depth", "12"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(!table.contains("No path leads"), "{table}");
    assert!(
        table.contains("The search stopped after 2,000,000 partial paths before it completed one"),
        "{table}"
    );
    let analyze = json_of(&["analyze", "-g", g, "--max-depth", "12", "--format", "json"]);
    let s = analyze["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "s")
        .unwrap();
    assert!(s["total"].as_f64().unwrap() > 0.0, "s has paths: {analyze}");
}
