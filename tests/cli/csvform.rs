//! The CSV form (a folder of `entities.csv`, `relationships.csv`,
//! `listings.csv`, ...): `-g FOLDER` on every command, `exposure convert`
//! both ways and losslessly, errors by file, line and column, and writes
//! that are atomic and never touch the input.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};

use crate::common::{run, stderr, stdout};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/graphs/entity-list-2019.json");

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

fn convert(input: &Path, output: &Path, force: bool) -> Output {
    let mut args = vec!["convert", s(input), s(output)];
    if force {
        args.push("--force");
    }
    run(&args)
}

fn assert_ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// Numbers compared by value (`1` and `1.0` are the same graph).
fn normal(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().expect("a finite number")),
        Value::Array(a) => Value::Array(a.iter().map(normal).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), normal(v))).collect()),
        other => other.clone(),
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("the file is there")).expect("JSON")
}

/// JSON → CSV → JSON; returns the folder and the JSON read back.
fn round_trip(dir: &Path, input: &Path) -> (PathBuf, Value) {
    let folder = dir.join("csv");
    assert_ok(&convert(input, &folder, false));
    let back = dir.join("back.json");
    assert_ok(&convert(&folder, &back, false));
    (folder, read_json(&back))
}

/// Every file of a folder, by name, with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("a folder")
        .map(|e| {
            let e = e.expect("an entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect();
    files.sort();
    files
}

/// A valid graph that a spreadsheet would find hard: quotes, commas,
/// newlines, CJK, empty strings, list items with `;`, and unknown fields at
/// every level and of every JSON type.
pub(crate) fn hostile() -> Value {
    json!({
        "format": "exposure-graph/1",
        "x-top": {"deep": [1, {"a": null}], "s": "top"},
        "top-note": "plain",
        "meta": {"title": "Tïtle, \"quoted\"\nsecond line", "as_of": "2019-10-09", "currency": "USD",
                 "owner": "desk 4", "reviewed": false, "weights": [0.5, 2]},
        "entities": [
            {"id": "hik", "name": "杭州海康威视数字技术股份有限公司, \"Hikvision\"", "kind": "company",
             "country": "CN", "aliases": ["海康威视", "Hik, Vision"], "revenue": 7.5e9,
             "tags": ["cctv"], "note": "line one\nline two\r\nline three", "rating": 7.5,
             "flags": {"a": [true, null]}, "empty": "", "nothing": null, "x:json": "looks like a JSON column",
             "": "empty key"},
            {"id": "a,b \"c\"", "name": " leading and trailing spaces ", "country": "",
             "aliases": ["one;two", " padded "], "tags": [], "sources": ["10-K, 2019"], "revenue": 1000,
             "note": "=1+1", "rating": "7.5"},
            {"id": "债券", "name": "Bond\tCo", "kind": "other", "ticker": "", "aliases": [""]},
            {"id": "amb", "name": "Ambarella", "revenue": 228000000, "sources": ["a", "b"]}
        ],
        "relationships": [
            {"type": "supplies", "from": "amb", "to": "hik", "share_min": 0.15, "share_max": 0.2,
             "product": "video SoC; \"CV\" chips", "confidence": "estimate", "source": "",
             "since": "2018-01-31", "note": "多行\n注释", "n": 3},
            {"type": "supplies", "from": "a,b \"c\"", "to": "hik", "share": 0.1, "weights": [1, 2.5]},
            {"type": "supplies", "from": "amb", "to": "债券", "value": 1234.5},
            {"type": "owns", "from": "债券", "to": "hik", "percent": 39.6, "extra": {"k": "v"}},
            {"type": "owns", "from": "amb", "to": "a,b \"c\""}
        ],
        "listings": [
            {"entity": "hik", "list": "BIS Entity List", "start": "2019-10-09", "citation": "84 FR 54002",
             "reason": "human rights, \"surveillance\"", "analyst": "x"},
            {"entity": "债券", "list": "名单, one", "end": "2020-01-01", "analyst": ["a", "b"]}
        ]
    })
}

fn write_value(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(v).expect("JSON")).expect("written");
    path
}

// ---------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------

#[test]
fn the_example_graph_survives_json_to_csv_to_json() {
    let dir = tempfile::tempdir().unwrap();
    let (_, back) = round_trip(dir.path(), Path::new(EXAMPLE));
    assert_eq!(normal(&back), normal(&read_json(Path::new(EXAMPLE))));
}

#[test]
fn a_hostile_graph_survives_json_to_csv_to_json() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_value(dir.path(), "hostile.json", &hostile());
    let (folder, back) = round_trip(dir.path(), &input);
    assert_eq!(normal(&back), normal(&hostile()));
    let names: Vec<String> = snapshot(&folder).into_iter().map(|f| f.0).collect();
    assert_eq!(
        names,
        [
            "entities.csv",
            "extra.csv",
            "listings.csv",
            "meta.csv",
            "relationships.csv"
        ]
    );
}

#[test]
fn an_unknown_field_named_close_to_a_known_one_survives_a_round_trip() {
    // Written as a plain header, "cou-1ntry" read back as a typo of
    // "country", and the converted folder did not load.
    // So did "Country" beside "country" and "ID " beside "id": they read
    // as repeats of the known columns.
    let graph = json!({"format": "exposure-graph/1",
        "entities": [{"id": "a", "name": "A", "cou-1ntry": "DE", "nmae": 1, "country": "DE",
                      "Country": "FR", "ID ": "x"}, {"id": "b", "name": "B", "Revenue": 5}],
        "relationships": [], "listings": []});
    let dir = tempfile::tempdir().unwrap();
    let input = write_value(dir.path(), "near.json", &graph);
    let (folder, back) = round_trip(dir.path(), &input);
    assert_eq!(normal(&back["entities"]), normal(&graph["entities"]));
    let header = std::fs::read_to_string(folder.join("entities.csv")).unwrap();
    assert!(
        header.starts_with(
            "id,name,country,cou-1ntry:json,nmae:json,Country:json,ID :json,Revenue:json\n"
        ),
        "{header}"
    );
}

#[test]
fn csv_to_json_to_csv_gives_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_value(dir.path(), "hostile.json", &hostile());
    let (folder, _) = round_trip(dir.path(), &input);
    let again = dir.path().join("again");
    assert_ok(&convert(&dir.path().join("back.json"), &again, false));
    assert_eq!(snapshot(&again), snapshot(&folder));
}

#[test]
fn plain_values_stay_plain_cells_and_the_rest_become_json_columns() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_value(dir.path(), "hostile.json", &hostile());
    let (folder, _) = round_trip(dir.path(), &input);
    let entities = std::fs::read_to_string(folder.join("entities.csv")).unwrap();
    let header = entities.lines().next().unwrap();
    assert_eq!(
        header,
        "id,name,kind,country:json,aliases:json,ticker:json,revenue,tags:json,sources,\
         note,rating:json,flags:json,empty:json,nothing:json,x:json:json,"
    );
    // CJK, commas and quotes in a plain cell, RFC 4180 quoting.
    assert!(
        entities.contains("\"杭州海康威视数字技术股份有限公司, \"\"Hikvision\"\"\""),
        "{entities}"
    );
    let rels = std::fs::read_to_string(folder.join("relationships.csv")).unwrap();
    assert!(rels.starts_with("type,from,to,share,value,share_min,share_max,percent,product,confidence,source:json,since,note,n:json,weights:json,extra:json\n"), "{rels}");
}

#[test]
fn analyze_reads_a_folder_as_it_reads_the_json_file() {
    let dir = tempfile::tempdir().unwrap();
    for input in [
        PathBuf::from(EXAMPLE),
        write_value(dir.path(), "hostile.json", &hostile()),
    ] {
        let folder = dir.path().join(format!(
            "csv-{}",
            input.file_stem().unwrap().to_string_lossy()
        ));
        assert_ok(&convert(&input, &folder, false));
        for extra in [&[][..], &["--all", "--affiliates", "50"][..]] {
            let mut a = vec!["analyze", "-g", s(&input), "--format", "json"];
            a.extend_from_slice(extra);
            let mut b = vec!["analyze", "-g", s(&folder), "--format", "json"];
            b.extend_from_slice(extra);
            let (a, b) = (run(&a), run(&b));
            assert_ok(&a);
            assert_ok(&b);
            assert_eq!(stdout(&a), stdout(&b));
        }
        let v = run(&["validate", "-g", s(&folder)]);
        assert_ok(&v);
        assert_eq!(stdout(&v), stdout(&run(&["validate", "-g", s(&input)])));
    }
}

#[test]
fn a_spreadsheet_export_is_read_bom_crlf_blank_rows_and_spaces_included() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("g");
    std::fs::create_dir(&g).unwrap();
    std::fs::write(
        g.join("entities.csv"),
        "\u{feff}id,name,revenue,aliases,status\r\nacme,\"Acme, Inc.\",\" 1000 \",Acme; ACME Corp;,draft\r\n,,,,\r\nhik,海康威视,,,\r\n",
    )
    .unwrap();
    std::fs::write(
        g.join("relationships.csv"),
        "type,from,to,share\r\nsupplies,acme,hik,0.25\r\n",
    )
    .unwrap();
    // No listings.csv: no listings.
    let out = run(&["validate", "-g", s(&g)]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("2 entities, 1 relationships"),
        "{}",
        stdout(&out)
    );
    let json = dir.path().join("g.json");
    assert_ok(&convert(&g, &json, false));
    let v = read_json(&json);
    assert_eq!(
        v["entities"][0],
        json!({"id": "acme", "name": "Acme, Inc.", "aliases": ["Acme", "ACME Corp"], "revenue": 1000, "status": "draft"})
    );
    assert_eq!(v["listings"], json!([]));
    let out = run(&["analyze", "-g", s(&g), "--list", "hik", "--format", "json"]);
    assert_ok(&out);
    let a: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        a["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == "acme")
            .unwrap()["total"],
        json!(0.25)
    );
}

// ---------------------------------------------------------------------------
// Errors name the file, the line and the column
// ---------------------------------------------------------------------------

/// A folder with these files; returns `validate -g FOLDER`.
fn validate_folder(files: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = run(&["validate", "-g", s(dir.path())]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(!stderr(&out).contains("panicked"));
    out
}

fn assert_error(out: &Output, wanted: &str) {
    assert!(
        stderr(out)
            .lines()
            .any(|l| l.starts_with("error: ") && l.contains(wanted)),
        "expected an error containing {wanted:?}\n{}",
        stderr(out)
    );
}

const ENTITIES: &str = "id,name,revenue\na,A,100\nb,B,\nc,C,5\n";

#[test]
fn a_bad_number_is_reported_at_its_cell() {
    let out = validate_folder(&[("entities.csv", "id,name,revenue\na,A,100\nb,B,1 000\n")]);
    assert_error(&out, "entities.csv line 3, column \"revenue\"");
    assert_error(&out, "\"1 000\"");
    let out = validate_folder(&[
        ("entities.csv", ENTITIES),
        (
            "relationships.csv",
            "type,from,to,share\nsupplies,a,b,NaN\n",
        ),
    ]);
    assert_error(&out, "relationships.csv line 2, column \"share\"");
}

#[test]
fn a_line_is_where_the_row_starts_even_after_a_quoted_newline() {
    let text = "id,name,revenue\na,\"two\nlines\",1\nb,B,x\n";
    let out = validate_folder(&[("entities.csv", text)]);
    assert_error(&out, "entities.csv line 4, column \"revenue\" (id \"b\")");
}

#[test]
fn a_missing_required_column_is_reported_on_the_header() {
    let out = validate_folder(&[("entities.csv", "id,label\na,A\n")]);
    assert_error(&out, "entities.csv line 1");
    assert_error(&out, "\"name\"");
    let out = validate_folder(&[
        ("entities.csv", ENTITIES),
        ("listings.csv", "entity,start\na,2019-01-01\n"),
    ]);
    assert_error(&out, "listings.csv line 1");
    assert_error(&out, "\"list\"");
}

#[test]
fn a_missing_entities_file_is_reported() {
    let out = validate_folder(&[("relationships.csv", "type,from,to\n")]);
    assert_error(&out, "entities.csv");
}

#[test]
fn an_unknown_id_is_reported_at_its_cell() {
    let out = validate_folder(&[
        ("entities.csv", ENTITIES),
        (
            "relationships.csv",
            "type,from,to\nsupplies,a,b\nsupplies,a,zz\n",
        ),
        ("listings.csv", "entity,list\nb,L\nnope,L\n"),
    ]);
    assert_error(&out, "relationships.csv line 3, column \"to\"");
    assert_error(&out, "\"zz\"");
    assert_error(&out, "listings.csv line 3, column \"entity\"");
}

#[test]
fn a_duplicate_id_is_reported_with_both_lines() {
    let out = validate_folder(&[("entities.csv", "id,name\na,A\nb,B\na,A again\n")]);
    assert_error(&out, "entities.csv line 4, column \"id\" (id \"a\")");
    assert_error(&out, "line 2");
}

#[test]
fn the_rules_that_span_records_are_placed_by_line() {
    let out = validate_folder(&[
        ("entities.csv", ENTITIES),
        (
            "relationships.csv",
            "type,from,to,share,percent,since\nsupplies,a,b,0.7,,\nsupplies,a,c,0.6,,\nsupplies,a,b,,,\nowns,b,b,,,\nowns,a,c,,150,2019-02-29\n",
        ),
        ("listings.csv", "entity,list,start,end\nb,L,2019-05-01,2019-01-01\n"),
        ("meta.csv", "title,as_of\nT,2019-13-01\n"),
    ]);
    assert_error(&out, "entities.csv line 2 (id \"a\")"); // over budget
    assert_error(&out, "relationships.csv line 4 (supplies a -> b)"); // repeats line 2
    assert_error(&out, "the relationship on line 2");
    assert_error(&out, "relationships.csv line 5, column \"from\""); // self-loop
    assert_error(&out, "relationships.csv line 6, column \"percent\"");
    assert_error(&out, "relationships.csv line 6, column \"since\"");
    assert_error(&out, "listings.csv line 2, column \"end\"");
    assert_error(&out, "meta.csv line 2, column \"as_of\"");
}

#[test]
fn a_json_column_checks_its_cells() {
    let out = validate_folder(&[(
        "entities.csv",
        "id,name,aliases:json,note:json\na,A,\"[1]\",\nb,B,,{oops\n",
    )]);
    assert_error(&out, "entities.csv line 2, column \"aliases:json\"");
    assert_error(&out, "entities.csv line 3, column \"note:json\"");
}

#[test]
fn a_repeated_column_and_invalid_utf8_are_reported() {
    let out = validate_folder(&[("entities.csv", "id,name,name:json\na,A,\"\"\"A\"\"\"\n")]);
    assert_error(&out, "entities.csv line 1, column \"name:json\"");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("entities.csv"),
        b"id,name\na,A\nb,\xff\xfe\n",
    )
    .unwrap();
    let out = run(&["validate", "-g", s(dir.path())]);
    assert_eq!(out.status.code(), Some(2));
    assert_error(&out, "entities.csv line 3");
    assert_error(&out, "UTF-8");
}

// ---------------------------------------------------------------------------
// Writes: --force, the input untouched, atomic
// ---------------------------------------------------------------------------

#[test]
fn an_existing_output_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("csv");
    assert_ok(&convert(Path::new(EXAMPLE), &folder, false));
    std::fs::write(folder.join("stale.txt"), "old").unwrap();
    let out = convert(Path::new(EXAMPLE), &folder, false);
    assert_eq!(out.status.code(), Some(2));
    assert_error(&out, "--force");
    assert!(folder.join("stale.txt").exists(), "refused means untouched");
    assert_ok(&convert(Path::new(EXAMPLE), &folder, true));
    assert!(
        !folder.join("stale.txt").exists(),
        "--force replaces the folder as a whole"
    );
    assert!(folder.join("entities.csv").exists());

    let json = dir.path().join("g.json");
    std::fs::write(&json, "old").unwrap();
    let out = convert(&folder, &json, false);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&json).unwrap(), "old");
    assert_ok(&convert(&folder, &json, true));
    assert_eq!(
        normal(&read_json(&json)),
        normal(&read_json(Path::new(EXAMPLE)))
    );
}

#[test]
fn the_input_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_value(dir.path(), "hostile.json", &hostile());
    let folder = dir.path().join("csv");
    assert_ok(&convert(&input, &folder, false));
    let (json_before, csv_before) = (std::fs::read(&input).unwrap(), snapshot(&folder));
    // The same path, or one inside the other, is refused even with --force.
    let inside = folder.join("sub");
    let cases: [(&Path, &Path); 5] = [
        (&input, &input),
        (&folder, &folder),
        (&folder, &inside),
        (&folder, &folder.join("entities.json")),
        (&folder.join("entities.csv"), dir.path()),
    ];
    for (a, b) in cases {
        let out = convert(a, b, true);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{} -> {}: {}",
            a.display(),
            b.display(),
            stderr(&out)
        );
    }
    assert_ok(&convert(&folder, &dir.path().join("out.json"), false));
    assert_eq!(std::fs::read(&input).unwrap(), json_before);
    assert_eq!(snapshot(&folder), csv_before);
}

#[test]
fn a_failed_conversion_leaves_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join("entities.csv"), "id,name\na,A\n").unwrap();
    std::fs::write(
        bad.join("relationships.csv"),
        "type,from,to\nsupplies,a,zz\n",
    )
    .unwrap();
    let out_json = dir.path().join("out.json");
    let out = convert(&bad, &out_json, false);
    assert_eq!(out.status.code(), Some(2));
    assert_error(&out, "relationships.csv line 2, column \"to\"");
    assert!(!out_json.exists());

    // With --force, an existing output stays as it was when the input is bad.
    let folder = dir.path().join("csv");
    assert_ok(&convert(Path::new(EXAMPLE), &folder, false));
    let before = snapshot(&folder);
    let bad_json = write_value(
        dir.path(),
        "bad.json",
        &json!({"format": "exposure-graph/1", "entities": [{"id": "a"}]}),
    );
    assert_eq!(convert(&bad_json, &folder, true).status.code(), Some(2));
    assert_eq!(snapshot(&folder), before);

    // Nothing temporary is left beside the outputs.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bad", "bad.json", "csv"]);
}

#[test]
fn the_readme_shows_what_the_binary_prints_for_the_spreadsheet_example() {
    let root = env!("CARGO_MANIFEST_DIR");
    let folder = format!("{root}/graphs/my-portfolio");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    for args in [
        &["validate", "-g", &folder][..],
        &["analyze", "-g", &folder, "--affiliates", "50"][..],
    ] {
        let out = run(args);
        assert_ok(&out);
        assert!(
            readme.contains(&stdout(&out)),
            "update README.md (bring your own data) with the output of `exposure {}`:\n{}",
            args.join(" "),
            stdout(&out)
        );
    }
}

// ---------------------------------------------------------------------------
// Segments
// ---------------------------------------------------------------------------

/// A graph with segments, edges in them, and unknown fields on segments
/// and on the top level.
pub(crate) fn with_segments() -> Value {
    json!({
        "format": "exposure-graph/1",
        "entities": [
            {"id": "nv", "name": "NVIDIA", "revenue": 10918},
            {"id": "hik", "name": "Hikvision"},
            {"id": "st", "name": "SenseTime"}
        ],
        "relationships": [
            {"type": "supplies", "from": "nv", "to": "hik", "segment": "China incl. Hong Kong", "share_min": 0.01},
            {"type": "supplies", "from": "nv", "to": "st", "segment": "China incl. Hong Kong", "value": 100, "note": "n"},
            {"type": "owns", "from": "hik", "to": "st", "percent": 5}
        ],
        "listings": [],
        "segments": [
            {"seller": "nv", "name": "China incl. Hong Kong", "share_max": 0.2502,
             "source": "NVIDIA 10-K FY2020, revenue by billing location", "checked": {"by": "desk 4"}},
            {"seller": "nv", "name": "Distributors; \"other\"", "share_max": 0, "region": ["a", "b"]}
        ],
        "x-top": [1, 2]
    })
}

#[test]
fn segments_survive_json_to_csv_to_json_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_value(dir.path(), "seg.json", &with_segments());
    // The writer's own JSON first, then through the CSV form and back.
    let written = dir.path().join("written.json");
    assert_ok(&convert(&input, &written, false));
    assert_eq!(normal(&read_json(&written)), normal(&with_segments()));
    let (folder, _) = round_trip(dir.path(), &written);
    assert_eq!(
        std::fs::read(dir.path().join("back.json")).unwrap(),
        std::fs::read(&written).unwrap()
    );
    let names: Vec<String> = snapshot(&folder).into_iter().map(|f| f.0).collect();
    assert!(names.contains(&"segments.csv".to_string()), "{names:?}");
    let segments = std::fs::read_to_string(folder.join("segments.csv")).unwrap();
    assert!(
        segments.starts_with("seller,name,share_max,source,"),
        "{segments}"
    );
}

#[test]
fn segments_survive_csv_to_json_to_csv() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_value(dir.path(), "seg.json", &with_segments());
    let (folder, _) = round_trip(dir.path(), &input);
    let again = dir.path().join("again");
    assert_ok(&convert(&dir.path().join("back.json"), &again, false));
    assert_eq!(snapshot(&again), snapshot(&folder));
}

#[test]
fn a_graph_without_segments_writes_no_segments_file_or_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut plain = with_segments();
    plain.as_object_mut().unwrap().remove("segments");
    for r in plain["relationships"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("segment");
    }
    let input = write_value(dir.path(), "plain.json", &plain);
    let (folder, back) = round_trip(dir.path(), &input);
    assert!(folder.join("relationships.csv").exists());
    assert!(!folder.join("segments.csv").exists());
    assert!(back.get("segments").is_none());
}
