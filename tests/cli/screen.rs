//! `exposure screen`: the real CSL sample loads entirely, the false friend
//! stays out, `--apply` writes a valid graph with the listing fields,
//! screening is deterministic, and precision and recall on the labelled
//! set stay above the measured floor.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::{fixture, run, stderr, stdout, write_temp};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/graphs/entity-list-2019.json");

fn sample() -> String {
    fixture("csl-sample.csv").to_string_lossy().into_owned()
}

/// `screen -g GRAPH --csl <the sample> --format json`, then `extra`.
fn screen_json(graph: &str, extra: &[&str]) -> Value {
    let sample = sample();
    let mut args = vec!["screen", "-g", graph, "--csl", &sample, "--format", "json"];
    args.extend_from_slice(extra);
    json_of(&args)
}

fn json_of(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn graph(entities: Value) -> String {
    json!({"format": "exposure-graph/1", "entities": entities, "relationships": [], "listings": []})
        .to_string()
}

#[test]
fn the_csl_sample_loads_entirely_with_the_repeated_header_reported() {
    let v = screen_json(EXAMPLE, &[]);
    assert_eq!(v["list_rows"], 4228);
    assert_eq!(
        v["skipped_rows"],
        json!([{"row": 2, "reason": "repeated header"}])
    );
    assert_eq!(v["loaded_rows"], 4227);
    // The sample's last row is cut short; it is loaded, with a note.
    assert_eq!(v["warnings"][0]["row"], 4229);
    assert_eq!(v["min_score"], 0.9);
    let m = &v["matches"][0];
    for key in [
        "entity",
        "entity_name",
        "list_name",
        "matched",
        "score",
        "accepted",
        "source",
        "start_date",
        "federal_register_notice",
    ] {
        assert!(m.get(key).is_some(), "{key} in {m}");
    }
    let accepted: BTreeSet<&str> = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["accepted"] == true)
        .map(|m| m["entity"].as_str().unwrap())
        .collect();
    for id in [
        "hikvision",
        "huawei",
        "megvii",
        "meiya-pico",
        "sensetime",
        "yitu",
    ] {
        assert!(accepted.contains(id), "{id} accepted: {accepted:?}");
    }
}

#[test]
fn the_dahua_false_friend_stays_below_the_default_threshold() {
    // With country: the example graph's Zhejiang Dahua (CN) against the
    // Denied Persons List's Dahua Electronics Corporation in New York.
    let v = screen_json(EXAMPLE, &["--review-floor", "0.5"]);
    let pair = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["entity"] == "dahua" && m["list_name"] == "DAHUA ELECTRONICS CORPORATION")
        .expect("the pair is a candidate at floor 0.5");
    assert_eq!(pair["accepted"], false);
    assert!(pair["score"].as_f64().unwrap() < 0.9, "{pair}");
    assert_eq!(pair["country"], "conflict");
    // Without any country, the words alone keep it below the threshold.
    let g = graph(json!([{"id": "dahua", "name": "Dahua Technology"}]));
    let (_d, path) = write_temp("g.json", g.as_bytes());
    let v = screen_json(path.to_str().unwrap(), &[]);
    for m in v["matches"].as_array().unwrap() {
        assert_eq!(m["accepted"], false, "{m}");
    }
}

#[test]
fn apply_writes_a_valid_graph_with_the_listing_fields_and_leaves_the_input() {
    let g = graph(json!([
        {"id": "leidian", "name": "Jiangsu Leidian Technology", "country": "CN"},
        {"id": "hik", "name": "Hikvision", "country": "CN"},
        {"id": "acme", "name": "Acme Widgets", "country": "US"}
    ]));
    let (dir, path) = write_temp("g.json", g.as_bytes());
    let out = dir.path().join("screened.json");
    let (p, o) = (path.to_str().unwrap(), out.to_str().unwrap());
    let r = run(&[
        "screen",
        "-g",
        p,
        "--csl",
        &sample(),
        "--format",
        "json",
        "--apply",
        o,
    ]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    assert!(stderr(&r).contains("2 listings added"), "{}", stderr(&r));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        g,
        "the input is unchanged"
    );
    let valid = run(&["validate", "-g", o]);
    assert_eq!(valid.status.code(), Some(0), "{}", stderr(&valid));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let listings = written["listings"].as_array().unwrap();
    assert_eq!(listings.len(), 2, "{listings:?}");
    let el = listings.iter().find(|l| l["entity"] == "leidian").unwrap();
    assert_eq!(el["list"], "BIS Entity List");
    assert_eq!(el["start"], "2014-08-01");
    assert_eq!(el["citation"], "79 FR 44680");
    assert_eq!(el["csl_name"], "Jiangsu Leidian Technology Company (JLTC)");
    assert!(el["csl_score"].as_f64().unwrap() >= 0.9);
    let hik = listings.iter().find(|l| l["entity"] == "hik").unwrap();
    assert_eq!(
        hik["list"],
        "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC)"
    );
    assert_eq!(
        hik["csl_name"],
        "Hangzhou Hikvision Digital Technology Co., Ltd."
    );
    // An existing OUT needs --force; the input is never the output.
    let again = run(&["screen", "-g", p, "--csl", &sample(), "--apply", o]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert_eq!(
        run(&[
            "screen",
            "-g",
            p,
            "--csl",
            &sample(),
            "--apply",
            o,
            "--force"
        ])
        .status
        .code(),
        Some(0)
    );
    let onto = run(&[
        "screen",
        "-g",
        p,
        "--csl",
        &sample(),
        "--apply",
        p,
        "--force",
    ]);
    assert_eq!(onto.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), g);
}

#[test]
fn screening_is_deterministic_and_independent_of_entity_order() {
    let args = |g: &str| {
        run(&[
            "screen",
            "-g",
            g,
            "--csl",
            &sample(),
            "--format",
            "json",
            "--review-floor",
            "0.6",
        ])
    };
    let a = stdout(&args(EXAMPLE));
    assert_eq!(a, stdout(&args(EXAMPLE)));
    let mut g: Value = serde_json::from_str(&std::fs::read_to_string(EXAMPLE).unwrap()).unwrap();
    g["entities"].as_array_mut().unwrap().reverse();
    let (_d, path) = write_temp("rev.json", g.to_string().as_bytes());
    assert_eq!(a, stdout(&args(path.to_str().unwrap())));
}

#[test]
fn sources_keep_only_the_named_lists_and_formats_agree() {
    let v = screen_json(EXAMPLE, &["--sources", "EL,DPL"]);
    assert!(v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["source_code"] == "EL" || m["source_code"] == "DPL"));
    let all = screen_json(EXAMPLE, &[]);
    let csv = stdout(&run(&[
        "screen",
        "-g",
        EXAMPLE,
        "--csl",
        &sample(),
        "--format",
        "csv",
    ]));
    assert_eq!(
        csv.lines().count(),
        1 + all["matches"].as_array().unwrap().len()
    );
    assert!(csv.starts_with("entity,entity_name,list_name,matched,score,accepted,source,"));
}

#[test]
fn the_json_layout_of_the_list_gives_the_same_match() {
    let list = json!({"results": [{
        "source": "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department",
        "name": "Hangzhou Hikvision Digital Technology Co., Ltd.", "type": "Entity",
        "alt_names": ["Hikvision", "Hangzhou Hikvision Digital Technology"],
        "addresses": [{"address": "555, Qianmo Road", "city": "Hangzhou", "postal_code": "310051", "country": "CN"}],
        "start_date": null, "federal_register_notice": null}]});
    let (_d, path) = write_temp("csl.json", list.to_string().as_bytes());
    let v = json_of(&[
        "screen",
        "-g",
        EXAMPLE,
        "--csl",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(v["list_rows"], 1);
    assert_eq!(v["matches"][0]["entity"], "hikvision");
    assert_eq!(v["matches"][0]["score"], 1);
    assert_eq!(v["matches"][0]["accepted"], true);
}

/// Precision and recall at the default threshold on
/// `tests/data/screen-labels.csv` (built by `tests/data/screen-labels.py`).
/// The floors are a little under what was measured (1.000 and 0.988), so a
/// regression fails.
#[test]
fn precision_and_recall_on_the_labelled_set_stay_above_the_floor() {
    let mut rdr = csv::Reader::from_path(fixture("screen-labels.csv")).unwrap();
    let mut entities = Vec::new();
    let mut expect: Vec<(String, BTreeSet<u64>)> = Vec::new();
    for rec in rdr.records() {
        let r = rec.unwrap();
        let mut e = json!({"id": &r[0], "name": &r[1], "kind": &r[4]});
        if !r[2].is_empty() {
            e["aliases"] = json!(r[2].split("; ").collect::<Vec<_>>());
        }
        if !r[3].is_empty() {
            e["country"] = json!(&r[3]);
        }
        entities.push(e);
        expect.push((
            r[0].to_string(),
            r[5].split('|')
                .filter(|x| !x.is_empty())
                .map(|x| x.parse().unwrap())
                .collect(),
        ));
    }
    let (_d, path) = write_temp("labels.json", graph(Value::Array(entities)).as_bytes());
    let v = screen_json(path.to_str().unwrap(), &[]);
    let rows_of = |id: &str| &expect.iter().find(|(i, _)| i == id).unwrap().1;
    let accepted: Vec<&Value> = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["accepted"] == true)
        .collect();
    let true_pos = accepted
        .iter()
        .filter(|m| rows_of(m["entity"].as_str().unwrap()).contains(&m["row"].as_u64().unwrap()))
        .count();
    let found: BTreeSet<&str> = accepted
        .iter()
        .filter(|m| rows_of(m["entity"].as_str().unwrap()).contains(&m["row"].as_u64().unwrap()))
        .map(|m| m["entity"].as_str().unwrap())
        .collect();
    let positives = expect.iter().filter(|(_, rows)| !rows.is_empty()).count();
    let precision = true_pos as f64 / accepted.len().max(1) as f64;
    let recall = found.len() as f64 / positives as f64;
    eprintln!(
        "labelled set: {} entities, {positives} with a true row; accepted {}, true {true_pos}; precision {precision:.3}, recall {recall:.3} ({}/{positives})",
        expect.len(),
        accepted.len(),
        found.len()
    );
    assert!(precision >= 0.97, "precision {precision:.3}");
    assert!(recall >= 0.95, "recall {recall:.3}");
}

#[test]
fn the_docs_say_which_candidates_wait_for_review_on_the_example() {
    // docs/screening.md, `--review-floor`: a Huawei affiliate and a near
    // spelling (two rows) sit between 0.75 and 0.9.
    let v = screen_json(EXAMPLE, &[]);
    let review: Vec<(String, String, f64)> = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["review"] == true)
        .map(|m| {
            let name = m["list_name"].as_str().unwrap().to_string();
            let score = (m["score"].as_f64().unwrap() * 1000.0).round() / 1000.0;
            (m["entity"].as_str().unwrap().to_string(), name, score)
        })
        .collect();
    let h = |name: &str, score: f64| ("huawei".to_string(), name.to_string(), score);
    let gastone = "Chengdu GaStone Technology Co., Ltd. (CGTC)";
    assert_eq!(
        review,
        [
            h("Huawei Investment & Holding Co., Ltd.", 0.868),
            h(gastone, 0.85),
            h(gastone, 0.85)
        ]
    );
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/screening.md"))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(doc.contains("Huawei Investment & Holding Co., Ltd.\", 0.868)"));
    assert!(doc.contains("Chengdu GaStone Technology, 0.850, two rows)"));
}
