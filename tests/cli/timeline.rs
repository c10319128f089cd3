//! `exposure timeline`: the dates, the steps of the built-in example, the
//! formats, the chart file and the usage errors, through the real binary.

use serde_json::Value;

use super::common::{run, stderr, stdout, write_temp};

/// A sells 0.3 to H and 0.2 to K. H is listed from 2019-01-10 and delisted
/// on 2019-03-01; K is listed from 2019-03-01 on another list.
const ENDS: &str = r#"{"format":"exposure-graph/1","meta":{"as_of":"2019-06-01"},
 "entities":[{"id":"A","name":"Alpha & Co"},{"id":"H","name":"H"},{"id":"K","name":"K"}],
 "relationships":[{"type":"supplies","from":"A","to":"H","share":0.3},
                  {"type":"supplies","from":"A","to":"K","share":0.2}],
 "listings":[{"entity":"H","list":"L1","start":"2019-01-10","end":"2019-03-01"},
             {"entity":"K","list":"L2","start":"2019-03-01"}]}"#;

fn json_of(args: &[&str]) -> Value {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn dates(v: &Value) -> Vec<&str> {
    v["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["date"].as_str().unwrap())
        .collect()
}

/// The (total, upper) of `id` on `date`.
fn value(v: &Value, date: &str, id: &str) -> (f64, f64) {
    let point = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["date"] == date)
        .expect("the date");
    let row = point["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .expect("the entity");
    (
        row["total"].as_f64().unwrap(),
        row["upper"].as_f64().unwrap(),
    )
}

#[test]
fn the_example_steps_in_may_august_and_october_2019() {
    let v = json_of(&["timeline", "--format", "json"]);
    assert_eq!(v["from"], "2019-05-16");
    assert_eq!(v["to"], "2019-10-09");
    assert_eq!(dates(&v), ["2019-05-16", "2019-08-13", "2019-10-09"]);
    // Hikvision is on NDAA 889 from 2019-08-13: Ambarella's lower bound
    // steps from 0 to its 0.15 share then.
    assert_eq!(value(&v, "2019-05-16", "ambarella"), (0.0, 0.0));
    assert_eq!(value(&v, "2019-08-13", "ambarella"), (0.15, 1.0));
    assert_eq!(value(&v, "2019-10-09", "ambarella"), (0.15, 1.0));
    // SenseTime is listed only in October: Qualcomm's upper steps then, to
    // its China segment (0.4784 of revenue). NVIDIA's does not: its sales to Hikvision and Dahua can already take
    // all of its China incl. Hong Kong segment (0.2502 of revenue), which
    // its sales to SenseTime share.
    assert_eq!(value(&v, "2019-08-13", "qualcomm"), (0.0, 0.0));
    assert_eq!(value(&v, "2019-10-09", "qualcomm"), (0.0, 0.4784));
    assert_eq!(value(&v, "2019-08-13", "nvidia"), (0.0, 0.2502));
    assert_eq!(value(&v, "2019-10-09", "nvidia"), (0.0, 0.2502));
    let events = |i: usize| v["points"][i]["events"].as_array().unwrap().clone();
    assert_eq!(events(0).len(), 2, "huawei and hisilicon");
    assert_eq!(events(0)[0]["list"], "BIS Entity List");
    assert_eq!(events(0)[0]["change"], "start");
    assert_eq!(events(1).len(), 5, "the five NDAA 889 companies");
    assert_eq!(events(2).len(), 28, "the 28 additions of 9 October");
}

#[test]
fn by_default_the_most_exposed_unrestricted_entities_are_followed() {
    let v = json_of(&["timeline", "--format", "json"]);
    let ids: Vec<&str> = v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "ambarella",
            "seagate",
            "qualcomm",
            "western-digital",
            "nvidia",
            "intel"
        ]
    );
    assert!(
        !ids.contains(&"hisilicon"),
        "restricted entities are left out"
    );
}

#[test]
fn the_table_has_a_row_per_date_and_a_column_per_entity() {
    let out = run(&["timeline"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("built-in example graph"));
    // A column per entity and one for the listings of each date.
    insta::assert_snapshot!("example_table", stdout(&out));
}

#[test]
fn entity_flags_choose_the_columns_in_order() {
    let v = json_of(&[
        "timeline", "--format", "json", "--entity", "nvidia", "--entity", "huawei", "--entity",
        "nvidia",
    ]);
    assert_eq!(v["entities"], serde_json::json!(["nvidia", "huawei"]));
    for p in v["points"].as_array().unwrap() {
        let ids: Vec<&str> = p["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["nvidia", "huawei"]);
    }
}

#[test]
fn the_window_and_the_lists_choose_the_dates() {
    let v = json_of(&[
        "timeline",
        "--format",
        "json",
        "--from",
        "2019-06-01",
        "--to",
        "2019-09-01",
    ]);
    assert_eq!(dates(&v), ["2019-06-01", "2019-08-13", "2019-09-01"]);
    assert!(
        v["points"][0]["events"].as_array().unwrap().is_empty(),
        "a window's end is not an event"
    );
    assert_eq!(value(&v, "2019-06-01", "ambarella"), (0.0, 0.0));
    let v = json_of(&["timeline", "--format", "json", "--lists", "BIS Entity List"]);
    assert_eq!(
        dates(&v),
        ["2019-05-16", "2019-10-09"],
        "NDAA 889 dates do not count"
    );
    assert_eq!(value(&v, "2019-10-09", "ambarella"), (0.15, 1.0));
    let v = json_of(&["timeline", "--format", "json", "--as-of", "2019-09-01"]);
    assert_eq!(v["to"], "2019-09-01", "--as-of is the default end");
}

#[test]
fn a_listing_drops_out_on_its_end_date() {
    let (_d, path) = write_temp("g.json", ENDS.as_bytes());
    let v = json_of(&[
        "timeline",
        "-g",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--entity",
        "A",
    ]);
    assert_eq!(dates(&v), ["2019-01-10", "2019-03-01", "2019-06-01"]);
    assert_eq!(value(&v, "2019-01-10", "A"), (0.3, 0.3));
    assert_eq!(
        value(&v, "2019-03-01", "A"),
        (0.2, 0.2),
        "H is no longer listed on its end date; K is"
    );
    let march = v["points"][1]["events"].as_array().unwrap();
    let seen: Vec<(&str, &str, &str)> = march
        .iter()
        .map(|e| {
            (
                e["entity"].as_str().unwrap(),
                e["list"].as_str().unwrap(),
                e["change"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(seen, [("K", "L2", "start"), ("H", "L1", "end")]);
    let v = json_of(&[
        "timeline",
        "-g",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--to",
        "2019-02-28",
        "--entity",
        "A",
    ]);
    assert_eq!(
        value(&v, "2019-02-28", "A"),
        (0.3, 0.3),
        "still listed the day before"
    );
    let table = stdout(&run(&[
        "timeline",
        "-g",
        path.to_str().unwrap(),
        "--entity",
        "A",
    ]));
    // `L2: K; L1 ended: H` on the date both happen.
    insta::assert_snapshot!("start_and_end_on_one_date_table", table);
}

#[test]
fn csv_has_a_row_per_date_and_entity() {
    let (_d, path) = write_temp("g.json", ENDS.as_bytes());
    let csv = stdout(&run(&[
        "timeline",
        "-g",
        path.to_str().unwrap(),
        "--format",
        "csv",
        "--entity",
        "A",
        "--entity",
        "K",
    ]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "date,id,total,upper",
            "2019-01-10,A,0.3,0.3",
            "2019-01-10,K,0,0",
            "2019-03-01,A,0.2,0.2",
            "2019-03-01,K,0,0",
            "2019-06-01,A,0.2,0.2",
            "2019-06-01,K,0,0",
        ]
    );
}

#[test]
fn unknown_ids_and_a_backwards_window_are_usage_errors() {
    let out = run(&["timeline", "--entity", "ambarella", "--entity", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--entity nobody"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());

    let out = run(&["timeline", "--from", "2019-11-01", "--to", "2019-10-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--from 2019-11-01 is after"),
        "{}",
        stderr(&out)
    );
    let out = run(&["timeline", "--from", "2019-11-01"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "after the default end, meta.as_of"
    );

    for args in [
        vec!["timeline", "--to", "2019-10-01", "--as-of", "2019-10-01"],
        vec!["timeline", "--from", "2019-02-30"],
        vec!["timeline", "--format", "json", "-o", "x.svg"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!stderr(&out).contains("panicked"));
    }
}

#[test]
fn the_chart_is_an_svg_with_names_and_event_labels() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("t.svg");
    let p = svg.to_str().unwrap();
    let out = run(&["timeline", "-o", p]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "the chart goes to the file only");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg") || text.starts_with("<?xml"),
        "{}",
        &text[..80.min(text.len())]
    );
    for name in [
        "Ambarella",
        "Intel",
        "Qualcomm",
        "Seagate Technology",
        "Western Digital",
        "NVIDIA",
    ] {
        assert!(text.contains(name), "{name}");
    }
    for label in [
        "2019-05-16 BIS Entity List: huawei, hisilicon",
        "2019-08-13 NDAA 889: hikvision, dahua, huawei, zte, hytera",
        "2019-10-09 BIS Entity List: hikvision, dahua, sensetime",
    ] {
        assert!(text.contains(label), "{label}");
    }
    let again = dir.path().join("again.svg");
    assert_eq!(
        run(&["timeline", "-o", again.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        std::fs::read(&svg).unwrap(),
        std::fs::read(&again).unwrap(),
        "the same bytes every run"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file is left: {names:?}");
}

#[test]
fn the_chart_escapes_names_and_shows_an_end() {
    let (dir, path) = write_temp("g.json", ENDS.as_bytes());
    let svg = dir.path().join("ends.svg");
    let out = run(&[
        "timeline",
        "-g",
        path.to_str().unwrap(),
        "--entity",
        "A",
        "-o",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("Alpha &amp; Co"));
    assert!(text.contains("L1 ended: H"));
}

#[test]
fn only_svg_charts_are_drawn_and_nothing_is_written_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["t.png", "t", "t.svg.pdf"] {
        let target = dir.path().join(name);
        let out = run(&["timeline", "-o", target.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(stderr(&out).contains(".svg"), "{}", stderr(&out));
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    for format in ["table", "json", "csv"] {
        let a = run(&["timeline", "--format", format, "--affiliates", "50"]);
        let b = run(&["timeline", "--format", format, "--affiliates", "50"]);
        assert_eq!(a.status.code(), Some(0));
        assert_eq!(a.stdout, b.stdout, "{format}");
    }
}

#[test]
fn the_readme_shows_what_the_binary_prints_and_draws() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let table = stdout(&run(&["timeline"]));
    assert!(
        readme.contains(&table),
        "update README.md with the output of `cargo run --release -- timeline`"
    );
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("t.svg");
    assert_eq!(
        run(&["timeline", "-o", svg.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let committed = std::fs::read(format!("{root}/docs/timeline-2019.svg")).unwrap();
    assert!(
        std::fs::read(&svg).unwrap() == committed,
        "regenerate the chart: cargo run --release -- timeline -o docs/timeline-2019.svg"
    );
}
