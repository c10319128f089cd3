//! Graph validation (graph spec, "Validation"): one test per rule and
//! sub-case, robustness against hostile input, and valid edge cases.
//!
//! Messages are one line each on stderr, `error: <where>: <what>`. The tests
//! only rely on the `<where>` part (JSON line and column, or the array index
//! and ids of the culprit), on the culprit's field name or value, and on the
//! exit status — never on the exact wording of `<what>`.

use std::process::Output;

use crate::common::{fixture, run, stderr, stdout, write_temp};

// ---------------------------------------------------------------------------
// Private helpers
// ---------------------------------------------------------------------------

const FORMAT: &str = "exposure-graph/1";

/// Runs `exposure validate -g FILE` on `text` written to a temporary `.json`.
fn validate_bytes(text: &[u8]) -> Output {
    let (_dir, path) = write_temp("graph.json", text);
    run(&["validate", "-g", path.to_str().expect("a UTF-8 temp path")])
}

fn validate(text: &str) -> Output {
    validate_bytes(text.as_bytes())
}

/// Runs `exposure analyze -g FILE --format json` on `text`.
fn analyze_bytes(text: &[u8]) -> Output {
    let (_dir, path) = write_temp("graph.json", text);
    run(&[
        "analyze",
        "-g",
        path.to_str().expect("a UTF-8 temp path"),
        "--format",
        "json",
    ])
}

/// A graph document with the given entities, relationships and listings
/// (each the inside of a JSON array).
fn graph(entities: &str, relationships: &str, listings: &str) -> String {
    format!(
        "{{\n\"format\": \"{FORMAT}\",\n\"entities\": [{entities}],\n\
         \"relationships\": [{relationships}],\n\"listings\": [{listings}]\n}}\n"
    )
}

/// Three plain entities `a`, `b`, `c`.
const ABC: &str =
    r#"{ "id": "a", "name": "A" }, { "id": "b", "name": "B" }, { "id": "c", "name": "C" }"#;

/// The `error:` lines of standard error.
fn error_lines(out: &Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter(|l| l.trim_start().starts_with("error:"))
        .map(str::to_owned)
        .collect()
}

/// Whether `word` occurs in `line` not glued to other identifier characters
/// (so `share` does not match inside `share_min`, `list` not in `listings`).
fn has_word(line: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut start = 0;
    while let Some(pos) = line[start..].find(word) {
        let begin = start + pos;
        let end = begin + word.len();
        let before_ok = line[..begin]
            .chars()
            .next_back()
            .is_none_or(|c| !is_ident(c));
        let after_ok = line[end..].chars().next().is_none_or(|c| !is_ident(c));
        if before_ok && after_ok {
            return true;
        }
        start = begin + word.chars().next().map_or(1, char::len_utf8);
    }
    false
}

fn describe(out: &Output) -> String {
    format!(
        "status: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    )
}

/// Common to every rejected input: exit 2, nothing on stdout, no panic, at
/// least one `error:` line.
fn assert_rejected(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit status 2\n{}",
        describe(out)
    );
    assert!(
        out.stdout.is_empty(),
        "nothing may be printed on stdout for an invalid graph\n{}",
        describe(out)
    );
    assert!(
        !stderr(out).contains("panicked"),
        "the binary panicked\n{}",
        describe(out)
    );
    assert!(
        !error_lines(out).is_empty(),
        "expected an `error:` line\n{}",
        describe(out)
    );
}

/// Asserts that one `error:` line contains one of `wheres` (plain substrings)
/// and one of `words` (as whole words).
fn assert_reported(out: &Output, wheres: &[&str], words: &[&str]) {
    assert_rejected(out);
    let found = error_lines(out)
        .iter()
        .any(|l| wheres.iter().any(|w| l.contains(w)) && words.iter().any(|w| has_word(l, w)));
    assert!(
        found,
        "expected an error line locating {wheres:?} and naming one of {words:?}\n{}",
        describe(out)
    );
}

/// Asserts a syntax/type error: one `error:` line with `line L, column C`
/// (and, when `words` is not empty, naming one of `words`).
fn assert_at_position(out: &Output, line: Option<usize>, words: &[&str]) {
    assert_rejected(out);
    let line_piece = line.map(|l| format!("line {l}, column "));
    let found = error_lines(out).iter().any(|l| {
        let positioned = match &line_piece {
            Some(p) => l.contains(p.as_str()),
            None => l.contains("line ") && l.contains("column "),
        };
        positioned && (words.is_empty() || words.iter().any(|w| has_word(l, w)))
    });
    assert!(
        found,
        "expected an error line with `line {}, column C` naming one of {words:?}\n{}",
        line.map_or("L".to_owned(), |l| l.to_string()),
        describe(out)
    );
}

/// Asserts a valid graph: exit 0, one summary line with the entity count.
fn assert_valid(out: &Output, entities: usize) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "expected a valid graph\n{}",
        describe(out)
    );
    let text = stdout(out);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "expected a one-line summary\n{}",
        describe(out)
    );
    assert!(
        lines[0].contains(&format!("{entities} entit")),
        "the summary should give the entity count {entities}\n{}",
        describe(out)
    );
    assert!(
        error_lines(out).is_empty(),
        "a valid graph has no errors\n{}",
        describe(out)
    );
}

/// How many `error:` lines satisfy `pred`.
fn count_lines(out: &Output, pred: impl Fn(&str) -> bool) -> usize {
    error_lines(out).iter().filter(|l| pred(l)).count()
}

// ---------------------------------------------------------------------------
// Rule 1: not JSON, missing or wrong `format`
// ---------------------------------------------------------------------------

#[test]
fn truncated_json_is_a_syntax_error_with_line_and_column() {
    let text = format!("{{\n  \"format\": \"{FORMAT}\",\n  \"entities\": [\n    {{ \"id\": \"a\",");
    let out = validate(&text);
    assert_at_position(&out, None, &[]);
}

#[test]
fn stray_comma_is_a_syntax_error_on_its_line() {
    // The trailing comma before `]` is on line 4.
    let text = format!(
        "{{\n  \"format\": \"{FORMAT}\",\n  \"entities\": [\n    {{ \"id\": \"a\", \"name\": \"A\" }},\n  ]\n}}\n"
    );
    let out = validate(&text);
    assert_rejected(&out);
    let found = error_lines(&out)
        .iter()
        .any(|l| l.contains("line 4, column ") || l.contains("line 5, column "));
    assert!(
        found,
        "expected the position of the stray comma\n{}",
        describe(&out)
    );
}

#[test]
fn plain_text_is_not_json() {
    let out = validate("this is not a graph\n");
    assert_at_position(&out, Some(1), &[]);
}

#[test]
fn missing_format_is_reported() {
    let out = validate(r#"{ "entities": [ { "id": "a", "name": "A" } ] }"#);
    assert_reported(&out, &["format", "line "], &["format"]);
}

#[test]
fn wrong_format_is_reported() {
    let out = validate(r#"{ "format": "exposure-graph/2", "entities": [] }"#);
    assert_reported(&out, &["format", "line "], &["format", "exposure-graph/2"]);
}

#[test]
fn format_of_wrong_type_is_reported() {
    let out = validate(r#"{ "format": 1, "entities": [] }"#);
    assert_reported(&out, &["format", "line "], &["format"]);
}

// ---------------------------------------------------------------------------
// Rule 2: required fields and types
// ---------------------------------------------------------------------------

#[test]
fn missing_entities_is_reported() {
    let out = validate(&format!(r#"{{ "format": "{FORMAT}" }}"#));
    assert_reported(&out, &["line ", "entities"], &["entities"]);
}

#[test]
fn entity_without_id_is_reported() {
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A" }, { "name": "No id" }"#,
        "",
        "",
    ));
    assert_reported(&out, &["entities[1]", "line "], &["id"]);
}

#[test]
fn entity_with_empty_id_is_reported() {
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A" }, { "id": "", "name": "Empty" }"#,
        "",
        "",
    ));
    assert_reported(&out, &["entities[1]", "line "], &["id"]);
}

#[test]
fn entity_without_name_is_reported() {
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A" }, { "id": "nameless" }"#,
        "",
        "",
    ));
    assert_reported(&out, &["entities[1]", "line "], &["name"]);
}

#[test]
fn entity_with_empty_name_is_reported() {
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A" }, { "id": "blank", "name": "" }"#,
        "",
        "",
    ));
    assert_reported(&out, &["entities[1] (id \"blank\")", "line "], &["name"]);
}

#[test]
fn relationship_without_type_is_reported() {
    let out = validate(&graph(ABC, r#"{ "from": "a", "to": "b" }"#, ""));
    assert_reported(&out, &["relationships[0]", "line "], &["type"]);
}

#[test]
fn relationship_without_from_is_reported() {
    let out = validate(&graph(ABC, r#"{ "type": "supplies", "to": "b" }"#, ""));
    assert_reported(&out, &["relationships[0]", "line "], &["from"]);
}

#[test]
fn relationship_without_to_is_reported() {
    let out = validate(&graph(ABC, r#"{ "type": "supplies", "from": "a" }"#, ""));
    assert_reported(&out, &["relationships[0]", "line "], &["to"]);
}

#[test]
fn listing_without_entity_is_reported() {
    let out = validate(&graph(ABC, "", r#"{ "list": "BIS Entity List" }"#));
    assert_reported(&out, &["listings[0]", "line "], &["entity"]);
}

#[test]
fn listing_without_list_is_reported() {
    let out = validate(&graph(ABC, "", r#"{ "entity": "a" }"#));
    assert_reported(&out, &["listings[0]", "line "], &["list"]);
}

#[test]
fn listing_with_empty_list_name_is_reported() {
    let out = validate(&graph(ABC, "", r#"{ "entity": "a", "list": "" }"#));
    assert_reported(&out, &["listings[0] (entity \"a\")", "line "], &["list"]);
}

#[test]
fn share_given_as_a_string_is_a_type_error_at_its_line() {
    // The relationship with `"share": "0.5"` is on line 7.
    let text = format!(
        "{{\n  \"format\": \"{FORMAT}\",\n  \"entities\": [\n    {{ \"id\": \"a\", \"name\": \"A\" }},\n    {{ \"id\": \"b\", \"name\": \"B\" }}\n  ],\n  \"relationships\": [ {{ \"type\": \"supplies\", \"from\": \"a\", \"to\": \"b\", \"share\": \"0.5\" }} ]\n}}\n"
    );
    let out = validate(&text);
    assert_at_position(&out, Some(7), &["share"]);
}

#[test]
fn entities_given_as_an_object_is_a_type_error() {
    let text = format!("{{\n  \"format\": \"{FORMAT}\",\n  \"entities\": {{}}\n}}\n");
    let out = validate(&text);
    assert_at_position(&out, Some(3), &["entities"]);
}

#[test]
fn revenue_given_as_a_boolean_is_a_type_error() {
    let text = format!(
        "{{\n  \"format\": \"{FORMAT}\",\n  \"entities\": [\n    {{ \"id\": \"a\", \"name\": \"A\", \"revenue\": true }}\n  ]\n}}\n"
    );
    let out = validate(&text);
    assert_at_position(&out, Some(4), &["revenue"]);
}

#[test]
fn id_given_as_a_number_is_a_type_error() {
    let text = format!(
        "{{\n  \"format\": \"{FORMAT}\",\n  \"entities\": [\n    {{ \"id\": 42, \"name\": \"A\" }}\n  ]\n}}\n"
    );
    let out = validate(&text);
    assert_at_position(&out, Some(4), &["id"]);
}

#[test]
fn aliases_given_as_a_string_is_a_type_error() {
    let text = format!(
        "{{\n  \"format\": \"{FORMAT}\",\n  \"entities\": [\n    {{ \"id\": \"a\", \"name\": \"A\", \"aliases\": \"Acme\" }}\n  ]\n}}\n"
    );
    let out = validate(&text);
    assert_at_position(&out, Some(4), &["aliases"]);
}

#[test]
fn percent_given_as_a_string_is_a_type_error() {
    let text = format!(
        "{{\n  \"format\": \"{FORMAT}\",\n  \"entities\": [ {{ \"id\": \"a\", \"name\": \"A\" }}, {{ \"id\": \"b\", \"name\": \"B\" }} ],\n  \"relationships\": [\n    {{ \"type\": \"owns\", \"from\": \"a\", \"to\": \"b\", \"percent\": \"50\" }}\n  ]\n}}\n"
    );
    let out = validate(&text);
    assert_at_position(&out, Some(5), &["percent"]);
}

// ---------------------------------------------------------------------------
// Rule 3: duplicate ids
// ---------------------------------------------------------------------------

#[test]
fn duplicate_entity_id_is_reported_with_both_indexes() {
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A" }, { "id": "dup", "name": "First" },
           { "id": "b", "name": "B" }, { "id": "dup", "name": "Second" }"#,
        "",
        "",
    ));
    assert_rejected(&out);
    let found = error_lines(&out).iter().any(|l| {
        l.contains("\"dup\"")
            && (l.contains("[1]") || has_word(l, "1"))
            && (l.contains("[3]") || has_word(l, "3"))
    });
    assert!(
        found,
        "expected one line naming \"dup\" with indexes 1 and 3\n{}",
        describe(&out)
    );
}

// ---------------------------------------------------------------------------
// Rule 4: unknown ids
// ---------------------------------------------------------------------------

#[test]
fn unknown_from_id_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b" }, { "type": "supplies", "from": "ghost", "to": "b" }"#,
        "",
    ));
    assert_reported(
        &out,
        &["relationships[1] (supplies ghost -> b)"],
        &["ghost"],
    );
}

#[test]
fn unknown_to_id_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "owns", "from": "a", "to": "ghost", "percent": 10 }"#,
        "",
    ));
    assert_reported(&out, &["relationships[0] (owns a -> ghost)"], &["ghost"]);
}

#[test]
fn unknown_listing_entity_is_reported() {
    let out = validate(&graph(
        ABC,
        "",
        r#"{ "entity": "a", "list": "BIS Entity List" }, { "entity": "ghost", "list": "OFAC SDN" }"#,
    ));
    assert_reported(&out, &["listings[1] (entity \"ghost\")"], &["ghost"]);
}

#[test]
fn ids_are_case_sensitive() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "A", "to": "b" }"#,
        "",
    ));
    assert_reported(&out, &["relationships[0] (supplies A -> b)"], &["A"]);
}

#[test]
fn an_id_written_with_escapes_is_the_same_id() {
    // "a\u0062" is "ab": the relationships name it both ways, before and
    // after the entities that define the ids.
    let text = format!(
        "{{\"relationships\": [\
           {{ \"type\": \"supplies\", \"from\": \"s\", \"to\": \"ab\", \"share\": 0.5 }},\
           {{ \"type\": \"supplies\", \"from\": \"\\u0073\", \"to\": \"t\", \"share\": 0.25 }}],\
          \"format\": \"{FORMAT}\",\
          \"entities\": [{{ \"id\": \"a\\u0062\", \"name\": \"AB\" }}, {{ \"id\": \"s\", \"name\": \"S\" }},\
                       {{ \"id\": \"t\", \"name\": \"T\" }}],\
          \"listings\": [{{ \"entity\": \"ab\", \"list\": \"L\" }}, {{ \"entity\": \"\\u0074\", \"list\": \"L\" }}]}}"
    );
    let out = analyze_bytes(text.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON output");
    let s = v["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .find(|e| e["id"] == "s")
        .expect("s is in the output");
    assert!(
        (s["total"].as_f64().expect("total") - 0.75).abs() < 1e-12,
        "{s}"
    );
}

#[test]
fn every_repeat_of_a_relationship_names_the_first() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b" },
           { "type": "owns", "from": "a", "to": "b", "percent": 5 },
           { "type": "supplies", "from": "a", "to": "\u0062" },
           { "type": "supplies", "from": "a", "to": "b", "share": 0.1 }"#,
        "",
    ));
    assert_rejected(&out);
    for culprit in [
        "relationships[2] (supplies a -> b)",
        "relationships[3] (supplies a -> b)",
    ] {
        let found = error_lines(&out)
            .iter()
            .any(|l| l.contains(culprit) && l.contains("relationships[0]"));
        assert!(
            found,
            "{culprit} should repeat relationships[0]\n{}",
            describe(&out)
        );
    }
    assert_eq!(
        count_lines(&out, |l| l.contains("owns")),
        0,
        "an owns edge beside a supplies edge is no repeat\n{}",
        describe(&out)
    );
}

// ---------------------------------------------------------------------------
// Rule 5: self-loops
// ---------------------------------------------------------------------------

#[test]
fn self_loop_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "b", "to": "b", "share": 0.1 }"#,
        "",
    ));
    assert_reported(&out, &["relationships[0] (supplies b -> b)"], &["b"]);
}

#[test]
fn owns_self_loop_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "owns", "from": "c", "to": "c", "percent": 5 }"#,
        "",
    ));
    assert_reported(&out, &["relationships[0] (owns c -> c)"], &["c"]);
}

// ---------------------------------------------------------------------------
// Rule 6: duplicate relationships
// ---------------------------------------------------------------------------

#[test]
fn duplicate_relationship_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "share": 0.1 },
           { "type": "supplies", "from": "b", "to": "a" },
           { "type": "supplies", "from": "a", "to": "b", "product": "other" }"#,
        "",
    ));
    assert_rejected(&out);
    let found = error_lines(&out)
        .iter()
        .any(|l| l.contains("(supplies a -> b)") && l.contains("relationships[2]"));
    assert!(
        found,
        "expected relationships[2] (supplies a -> b) to be reported\n{}",
        describe(&out)
    );
    assert_eq!(
        count_lines(&out, |l| l.contains("(supplies b -> a)")),
        0,
        "the reverse edge is not a duplicate\n{}",
        describe(&out)
    );
}

// ---------------------------------------------------------------------------
// Rule 7: negative, non-finite or out-of-range numbers
// ---------------------------------------------------------------------------

#[test]
fn negative_revenue_is_reported() {
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A" }, { "id": "neg", "name": "N", "revenue": -1 }"#,
        "",
        "",
    ));
    assert_reported(&out, &["entities[1] (id \"neg\")"], &["revenue"]);
}

#[test]
fn problems_come_in_the_order_of_the_records() {
    // Problems in the first and in the last relationships (the check runs
    // on halves at once), then the sums per entity.
    let rels = r#"{ "type": "supplies", "from": "a", "to": "b", "share": 1.5 },
        { "type": "owns", "from": "a", "to": "c", "percent": 1 },
        { "type": "supplies", "from": "b", "to": "c", "share": 2 },
        { "type": "owns", "from": "b", "to": "a", "percent": 1 },
        { "type": "owns", "from": "c", "to": "b", "percent": 1 },
        { "type": "supplies", "from": "c", "to": "a", "share": 3 }"#;
    let out = validate(&graph(ABC, rels, ""));
    assert_rejected(&out);
    let lines = error_lines(&out);
    let at = |what: &str| lines.iter().position(|l| l.contains(what));
    let order: Vec<Option<usize>> = [
        "relationships[0]",
        "relationships[2]",
        "relationships[5]",
        "entities[0]",
    ]
    .iter()
    .map(|w| at(w))
    .collect();
    assert!(order.iter().all(Option::is_some), "{}", describe(&out));
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", describe(&out));
}

#[test]
fn share_above_one_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "share": 1.5 }"#,
        "",
    ));
    assert_reported(
        &out,
        &["relationships[0] (supplies a -> b)"],
        &["share", "1.5"],
    );
}

#[test]
fn negative_share_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "share": -0.1 }"#,
        "",
    ));
    assert_reported(&out, &["relationships[0] (supplies a -> b)"], &["share"]);
}

#[test]
fn share_min_above_one_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "share_min": 1.2 }"#,
        "",
    ));
    assert_reported(
        &out,
        &["relationships[0] (supplies a -> b)"],
        &["share_min"],
    );
}

#[test]
fn share_max_above_one_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "share_max": 1.2 }"#,
        "",
    ));
    assert_reported(
        &out,
        &["relationships[0] (supplies a -> b)"],
        &["share_max"],
    );
}

#[test]
fn negative_value_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "value": -100 }"#,
        "",
    ));
    assert_reported(&out, &["relationships[0] (supplies a -> b)"], &["value"]);
}

#[test]
fn percent_zero_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "owns", "from": "a", "to": "b", "percent": 0 }"#,
        "",
    ));
    assert_reported(&out, &["relationships[0] (owns a -> b)"], &["percent"]);
}

#[test]
fn percent_above_100_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "owns", "from": "a", "to": "b", "percent": 100.5 }"#,
        "",
    ));
    assert_reported(&out, &["relationships[0] (owns a -> b)"], &["percent"]);
}

#[test]
fn unknown_relationship_type_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "buys", "from": "a", "to": "b" }"#,
        "",
    ));
    assert_reported(&out, &["relationships[0]", "line "], &["buys"]);
}

#[test]
fn unknown_entity_kind_is_reported() {
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A", "kind": "corporation" }"#,
        "",
        "",
    ));
    assert_reported(&out, &["entities[0]", "line "], &["corporation"]);
}

#[test]
fn unknown_confidence_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "confidence": "certain" }"#,
        "",
    ));
    assert_reported(&out, &["relationships[0]", "line "], &["certain"]);
}

// ---------------------------------------------------------------------------
// Rule 8: one seller's shares, share_min > share_max
// ---------------------------------------------------------------------------

#[test]
fn exact_shares_of_one_seller_above_one_name_the_seller_and_the_sum() {
    let out = validate(&graph(
        r#"{ "id": "acme", "name": "Acme" }, { "id": "b", "name": "B" }, { "id": "c", "name": "C" }"#,
        r#"{ "type": "supplies", "from": "acme", "to": "b", "share": 0.75 },
           { "type": "supplies", "from": "acme", "to": "c", "share": 0.5 }"#,
        "",
    ));
    assert_rejected(&out);
    let found = error_lines(&out)
        .iter()
        .any(|l| has_word(l, "acme") && l.contains("1.25"));
    assert!(
        found,
        "expected a line naming seller acme and the sum 1.25\n{}",
        describe(&out)
    );
}

#[test]
fn share_from_value_plus_share_min_of_one_seller_above_one_is_reported() {
    // value 75 / revenue 100 = 0.75 (exact); the other edge is bounded below by 0.5.
    let out = validate(&graph(
        r#"{ "id": "acme", "name": "Acme", "revenue": 100 }, { "id": "b", "name": "B" }, { "id": "c", "name": "C" }"#,
        r#"{ "type": "supplies", "from": "acme", "to": "b", "value": 75 },
           { "type": "supplies", "from": "acme", "to": "c", "share_min": 0.5, "share_max": 0.6 }"#,
        "",
    ));
    assert_rejected(&out);
    let found = error_lines(&out)
        .iter()
        .any(|l| has_word(l, "acme") && l.contains("1.25"));
    assert!(
        found,
        "expected a line naming seller acme and the sum 1.25\n{}",
        describe(&out)
    );
}

#[test]
fn shares_just_past_the_tolerance_are_reported() {
    // 1 + 2e-9 > 1 + 1e-9.
    let out = validate(&graph(
        r#"{ "id": "acme", "name": "Acme" }, { "id": "b", "name": "B" }, { "id": "c", "name": "C" }"#,
        r#"{ "type": "supplies", "from": "acme", "to": "b", "share": 0.5 },
           { "type": "supplies", "from": "acme", "to": "c", "share": 0.500000002 }"#,
        "",
    ));
    assert_reported(&out, &["acme"], &["acme"]);
}

#[test]
fn share_min_above_share_max_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "share_min": 0.3, "share_max": 0.2 }"#,
        "",
    ));
    assert_reported(
        &out,
        &["relationships[0] (supplies a -> b)"],
        &["share_min", "share_max"],
    );
}

// ---------------------------------------------------------------------------
// Rule 9: percents owned of one entity
// ---------------------------------------------------------------------------

#[test]
fn percents_owned_of_one_entity_above_100_name_the_owned_entity() {
    let out = validate(&graph(
        r#"{ "id": "x", "name": "X" }, { "id": "y", "name": "Y" }, { "id": "z", "name": "Z" },
           { "id": "owned_co", "name": "Owned" }"#,
        r#"{ "type": "owns", "from": "x", "to": "owned_co", "percent": 60 },
           { "type": "owns", "from": "y", "to": "owned_co", "percent": 50 },
           { "type": "owns", "from": "z", "to": "owned_co" }"#,
        "",
    ));
    assert_rejected(&out);
    let found = error_lines(&out).iter().any(|l| has_word(l, "owned_co"));
    assert!(found, "expected a line naming owned_co\n{}", describe(&out));
}

// ---------------------------------------------------------------------------
// Rule 10: dates
// ---------------------------------------------------------------------------

#[test]
fn malformed_listing_start_is_reported() {
    let out = validate(&graph(
        ABC,
        "",
        r#"{ "entity": "a", "list": "OFAC SDN", "start": "2019-1-9" }"#,
    ));
    assert_reported(
        &out,
        &["listings[0] (entity \"a\")", "line "],
        &["start", "2019-1-9"],
    );
}

#[test]
fn impossible_calendar_date_is_reported() {
    let out = validate(&graph(
        ABC,
        "",
        r#"{ "entity": "b", "list": "OFAC SDN", "start": "2019-02-30" }"#,
    ));
    assert_reported(
        &out,
        &["listings[0] (entity \"b\")", "line "],
        &["start", "2019-02-30"],
    );
}

#[test]
fn non_leap_february_29_is_reported() {
    let out = validate(&graph(
        ABC,
        "",
        r#"{ "entity": "b", "list": "OFAC SDN", "end": "2019-02-29" }"#,
    ));
    assert_reported(
        &out,
        &["listings[0] (entity \"b\")", "line "],
        &["end", "2019-02-29"],
    );
}

#[test]
fn listing_end_before_start_is_reported() {
    let out = validate(&graph(
        ABC,
        "",
        r#"{ "entity": "c", "list": "BIS Entity List", "start": "2020-01-02", "end": "2020-01-01" }"#,
    ));
    assert_reported(
        &out,
        &["listings[0] (entity \"c\")"],
        &["end", "start", "2020-01-01"],
    );
}

#[test]
fn bad_meta_as_of_is_reported() {
    let text = format!(
        r#"{{ "format": "{FORMAT}", "meta": {{ "as_of": "2019-10-32" }}, "entities": [] }}"#
    );
    let out = validate(&text);
    assert_reported(&out, &["meta", "as_of", "line "], &["as_of", "2019-10-32"]);
}

#[test]
fn bad_relationship_since_is_reported() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "since": "last year" }"#,
        "",
    ));
    assert_reported(
        &out,
        &["relationships[0]", "line "],
        &["since", "last year"],
    );
}

// ---------------------------------------------------------------------------
// All problems in one run
// ---------------------------------------------------------------------------

#[test]
fn several_problems_are_all_reported_in_one_run() {
    let path = fixture("invalid/several_problems.json");
    let out = run(&["validate", "-g", path.to_str().expect("a UTF-8 path")]);
    assert_rejected(&out);
    type Check = Box<dyn Fn(&str) -> bool>;
    let culprits: [(&str, Check); 7] = [
        (
            "duplicate id alpha",
            Box::new(|l: &str| l.contains("\"alpha\"") && l.contains("entities[")),
        ),
        (
            "negative revenue of bravo",
            Box::new(|l: &str| l.contains("entities[2] (id \"bravo\")") && has_word(l, "revenue")),
        ),
        (
            "unknown id ghost",
            Box::new(|l: &str| l.contains("relationships[0] (supplies alpha -> ghost)")),
        ),
        (
            "self-loop bravo",
            Box::new(|l: &str| l.contains("relationships[1] (supplies bravo -> bravo)")),
        ),
        (
            "percent 250",
            Box::new(|l: &str| l.contains("relationships[2] (owns alpha -> charlie)")),
        ),
        (
            "unknown listing entity phantom",
            Box::new(|l: &str| l.contains("listings[0] (entity \"phantom\")")),
        ),
        (
            "bad date 2019-13-01",
            Box::new(|l: &str| {
                l.contains("listings[1]") && (l.contains("2019-13-01") || has_word(l, "start"))
            }),
        ),
    ];
    let missing: Vec<&str> = culprits
        .iter()
        .filter(|(_, pred)| count_lines(&out, pred) == 0)
        .map(|(name, _)| *name)
        .collect();
    assert!(
        missing.is_empty(),
        "not reported: {missing:?}\n{}",
        describe(&out)
    );
    assert!(
        error_lines(&out).len() >= culprits.len(),
        "{}",
        describe(&out)
    );
}

#[test]
fn many_bad_edges_of_one_file_are_each_reported() {
    let rels: Vec<String> = (0..5)
        .map(|i| format!(r#"{{ "type": "supplies", "from": "a", "to": "ghost{i}" }}"#))
        .collect();
    let out = validate(&graph(ABC, &rels.join(","), ""));
    assert_rejected(&out);
    for i in 0..5 {
        let piece = format!("relationships[{i}] (supplies a -> ghost{i})");
        assert!(
            count_lines(&out, |l| l.contains(&piece)) >= 1,
            "missing {piece}\n{}",
            describe(&out)
        );
    }
}

#[test]
fn thousands_of_problems_are_reported_without_crashing() {
    // 20,000 edges to unknown ids: the report may be capped, but the run
    // must end cleanly with exit 2 and the first problem reported.
    let rels: Vec<String> = (0..20_000)
        .map(|i| format!(r#"{{ "type": "supplies", "from": "a", "to": "ghost{i}" }}"#))
        .collect();
    let out = validate(&graph(ABC, &rels.join(",\n"), ""));
    assert_reported(
        &out,
        &["relationships[0] (supplies a -> ghost0)"],
        &["ghost0"],
    );
}

#[test]
fn analyze_rejects_invalid_graphs_like_validate() {
    let cases: Vec<(&str, String)> = vec![
        ("not JSON", "{ not json".to_owned()),
        ("missing format", r#"{ "entities": [] }"#.to_owned()),
        (
            "wrong type",
            graph(
                ABC,
                r#"{ "type": "supplies", "from": "a", "to": "b", "share": "0.5" }"#,
                "",
            ),
        ),
        (
            "duplicate id",
            graph(
                r#"{ "id": "a", "name": "A" }, { "id": "a", "name": "A2" }"#,
                "",
                "",
            ),
        ),
        (
            "unknown id",
            graph(
                ABC,
                r#"{ "type": "supplies", "from": "a", "to": "ghost" }"#,
                "",
            ),
        ),
        (
            "self-loop",
            graph(ABC, r#"{ "type": "supplies", "from": "a", "to": "a" }"#, ""),
        ),
        (
            "share > 1",
            graph(
                ABC,
                r#"{ "type": "supplies", "from": "a", "to": "b", "share": 2 }"#,
                "",
            ),
        ),
        (
            "seller sum",
            graph(
                ABC,
                r#"{ "type": "supplies", "from": "a", "to": "b", "share": 0.75 },
                   { "type": "supplies", "from": "a", "to": "c", "share": 0.5 }"#,
                "",
            ),
        ),
        (
            "owned sum",
            graph(
                ABC,
                r#"{ "type": "owns", "from": "a", "to": "c", "percent": 60 },
                   { "type": "owns", "from": "b", "to": "c", "percent": 60 }"#,
                "",
            ),
        ),
        (
            "bad date",
            graph(
                ABC,
                "",
                r#"{ "entity": "a", "list": "OFAC SDN", "start": "2019-02-30" }"#,
            ),
        ),
    ];
    let mut failures = Vec::new();
    for (name, text) in &cases {
        let out = analyze_bytes(text.as_bytes());
        let ok = out.status.code() == Some(2)
            && out.stdout.is_empty()
            && !stderr(&out).contains("panicked")
            && !error_lines(&out).is_empty();
        if !ok {
            failures.push(format!("[{name}]\n{}", describe(&out)));
        }
    }
    assert!(
        failures.is_empty(),
        "analyze accepted or mishandled:\n{}",
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// Hostile input: never a panic, exit 2, a clear message
// ---------------------------------------------------------------------------

#[test]
fn empty_file_is_rejected() {
    assert_rejected(&validate(""));
}

#[test]
fn whitespace_only_file_is_rejected() {
    assert_rejected(&validate(" \n\t\r\n   \n"));
}

#[test]
fn binary_junk_is_rejected() {
    // A deterministic pseudo-random byte soup (xorshift), with NULs.
    let mut x: u32 = 0x9e37_79b9;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x & 0xff) as u8
        })
        .collect();
    assert_rejected(&validate_bytes(&bytes));
}

#[test]
fn invalid_utf8_is_rejected_with_a_utf8_message() {
    let mut bytes =
        format!(r#"{{ "format": "{FORMAT}", "entities": [ {{ "id": "a", "name": ""#).into_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    bytes.extend_from_slice(b"\" } ] }\n");
    let out = validate_bytes(&bytes);
    assert_rejected(&out);
    let text = stderr(&out).to_lowercase();
    assert!(
        text.contains("utf-8") || text.contains("utf8"),
        "the message should mention UTF-8\n{}",
        describe(&out)
    );
}

#[test]
fn deeply_nested_unknown_field_is_rejected_without_crashing() {
    // 100,000 `[` that are never closed: not JSON, whatever the depth limit.
    let mut text = format!(r#"{{ "format": "{FORMAT}", "entities": [], "deep": "#);
    text.push_str(&"[".repeat(100_000));
    let out = validate(&text);
    assert_rejected(&out);
}

#[test]
fn deeply_nested_but_balanced_unknown_field_does_not_crash() {
    // Well-formed JSON, 100,000 levels deep. Keeping it (unknown fields are
    // kept) or refusing it as too deep are both fine; a stack overflow is not.
    let depth = 100_000;
    let mut text = format!(r#"{{ "format": "{FORMAT}", "entities": [], "deep": "#);
    text.push_str(&"[".repeat(depth));
    text.push_str(&"]".repeat(depth));
    text.push_str(" }\n");
    let out = validate(&text);
    assert!(
        matches!(out.status.code(), Some(0) | Some(2)),
        "expected exit 0 or 2 (not a crash)\n{}",
        describe(&out)
    );
    assert!(
        !stderr(&out).contains("panicked"),
        "the binary panicked\n{}",
        describe(&out)
    );
    if out.status.code() == Some(2) {
        assert_rejected(&out);
    }
}

#[test]
fn huge_number_as_revenue_is_rejected() {
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A", "revenue": 1e400 }"#,
        "",
        "",
    ));
    assert_reported(&out, &["line ", "entities[0]"], &["revenue", "line"]);
}

#[test]
fn nan_literal_is_rejected() {
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A", "revenue": NaN }"#,
        "",
        "",
    ));
    assert_at_position(&out, None, &[]);
}

#[test]
fn infinity_literal_is_rejected() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "value": Infinity }"#,
        "",
    ));
    assert_at_position(&out, None, &[]);
}

#[test]
fn huge_id_with_control_characters_is_rejected() {
    // 10,000 characters, with escaped BEL, ESC and NUL in it (valid JSON
    // escapes, but control characters are not allowed in ids).
    // Each chunk is 17 characters once decoded (32 as JSON text).
    let chunk = "abcdefghij\\u0007\\u001b[31m\\u0000";
    let id = chunk.repeat(10_000 / 17 + 1);
    let out = validate(&graph(
        &format!(r#"{{ "id": "ok", "name": "OK" }}, {{ "id": "{id}", "name": "Bad" }}"#),
        "",
        "",
    ));
    assert_reported(&out, &["entities[1]"], &["id"]);
}

#[test]
fn raw_control_character_in_a_string_is_rejected() {
    let out = validate(&graph("{ \"id\": \"a\u{1}b\", \"name\": \"A\" }", "", ""));
    assert_at_position(&out, None, &[]);
}

#[test]
fn top_level_array_is_rejected_with_a_position() {
    let out = validate("[ { \"format\": \"exposure-graph/1\", \"entities\": [] } ]\n");
    assert_at_position(&out, Some(1), &[]);
}

#[test]
fn top_level_null_is_rejected() {
    assert_rejected(&validate("null\n"));
}

#[test]
fn missing_file_is_rejected_naming_the_path() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("no-such-graph.json");
    let path = path.to_str().expect("a UTF-8 temp path");
    let out = run(&["validate", "-g", path]);
    assert_rejected(&out);
    assert!(
        error_lines(&out).iter().any(|l| l.contains(path)),
        "the message should name {path}\n{}",
        describe(&out)
    );
}

#[test]
fn folder_without_csv_files_is_rejected() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("notes.txt"), "not a graph\n").expect("a file");
    let path = dir.path().to_str().expect("a UTF-8 temp path");
    let out = run(&["validate", "-g", path]);
    assert_rejected(&out);
    assert!(
        error_lines(&out)
            .iter()
            .any(|l| l.contains(path) || l.contains("entities.csv")),
        "the message should name the folder or the missing entities.csv\n{}",
        describe(&out)
    );
}

#[test]
fn trailing_garbage_after_the_document_is_rejected() {
    let text = format!("{{ \"format\": \"{FORMAT}\", \"entities\": [] }}\n{{ }}\n");
    assert_at_position(&validate(&text), Some(2), &[]);
}

// ---------------------------------------------------------------------------
// Valid edge cases
// ---------------------------------------------------------------------------

#[test]
fn seller_sum_of_exactly_one_plus_5e_10_is_valid() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "share": 0.5 },
           { "type": "supplies", "from": "a", "to": "c", "share": 0.5000000005 }"#,
        "",
    ));
    assert_valid(&out, 3);
}

#[test]
fn seller_sum_of_exact_share_and_share_min_equal_to_one_is_valid() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "share": 0.6 },
           { "type": "supplies", "from": "a", "to": "c", "share_min": 0.4 }"#,
        "",
    ));
    assert_valid(&out, 3);
}

#[test]
fn unknown_fields_at_every_level_are_valid() {
    let text = format!(
        r#"{{
  "format": "{FORMAT}",
  "x_top": {{ "nested": [1, 2, {{ "deeper": null }}] }},
  "meta": {{ "title": "t", "as_of": "2019-10-09", "x_meta": true }},
  "entities": [
    {{ "id": "a", "name": "A", "x_entity": [1, "two"], "kind": "government" }},
    {{ "id": "b", "name": "B", "x_entity": {{ "k": "v" }}, "revenue": 10 }}
  ],
  "relationships": [
    {{ "type": "supplies", "from": "a", "to": "b", "share": 0.1, "x_rel": 3.5, "confidence": "rumoured" }}
  ],
  "listings": [
    {{ "entity": "b", "list": "NDAA 889", "x_listing": "kept", "start": "2020-02-29", "end": "2020-02-29" }}
  ]
}}
"#
    );
    assert_valid(&validate(&text), 2);
}

#[test]
fn empty_entities_is_valid() {
    let out = validate(&format!(r#"{{ "format": "{FORMAT}", "entities": [] }}"#));
    assert_valid(&out, 0);
}

#[test]
fn owns_edge_without_percent_is_valid() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "owns", "from": "a", "to": "c" },
           { "type": "owns", "from": "b", "to": "c", "percent": 100 }"#,
        "",
    ));
    assert_valid(&out, 3);
}

#[test]
fn percents_owned_adding_to_exactly_100_are_valid() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "owns", "from": "a", "to": "c", "percent": 60 },
           { "type": "owns", "from": "b", "to": "c", "percent": 40 }"#,
        "",
    ));
    assert_valid(&out, 3);
}

#[test]
fn share_given_with_value_uses_the_share() {
    // value/revenue would be 0.9, and 0.9 + 0.8 > 1; the share 0.1 wins.
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A", "revenue": 100 }, { "id": "b", "name": "B" }, { "id": "c", "name": "C" }"#,
        r#"{ "type": "supplies", "from": "a", "to": "b", "share": 0.1, "value": 90 },
           { "type": "supplies", "from": "a", "to": "c", "share": 0.8 }"#,
        "",
    ));
    assert_valid(&out, 3);
}

#[test]
fn value_with_seller_revenue_zero_is_not_exact_and_valid() {
    // With revenue 0 the value gives no share, so the edge is not exact and
    // adds nothing to the seller's sum (the other edge already takes 1).
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A", "revenue": 0 }, { "id": "b", "name": "B" }, { "id": "c", "name": "C" }"#,
        r#"{ "type": "supplies", "from": "a", "to": "b", "value": 50 },
           { "type": "supplies", "from": "a", "to": "c", "share": 1 }"#,
        "",
    ));
    assert_valid(&out, 3);
}

#[test]
fn value_without_seller_revenue_is_not_exact_and_valid() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "value": 5000000 },
           { "type": "supplies", "from": "a", "to": "c", "share": 1 }"#,
        "",
    ));
    assert_valid(&out, 3);
}

#[test]
fn supplies_and_owns_between_the_same_pair_are_valid() {
    let out = validate(&graph(
        ABC,
        r#"{ "type": "supplies", "from": "a", "to": "b", "share": 0.2 },
           { "type": "owns", "from": "a", "to": "b", "percent": 30 },
           { "type": "supplies", "from": "b", "to": "a" }"#,
        "",
    ));
    assert_valid(&out, 3);
}

#[test]
fn boundary_numbers_are_valid() {
    // share 0 and 1, bounds 0..1, percent 100, revenue 0, value 0.
    let out = validate(&graph(
        r#"{ "id": "a", "name": "A", "revenue": 0 }, { "id": "b", "name": "B" },
           { "id": "c", "name": "C" }, { "id": "d", "name": "D" }"#,
        r#"{ "type": "supplies", "from": "a", "to": "b", "share": 0 },
           { "type": "supplies", "from": "b", "to": "c", "share": 1 },
           { "type": "supplies", "from": "c", "to": "d", "share_min": 0, "share_max": 1 },
           { "type": "supplies", "from": "d", "to": "a", "value": 0 },
           { "type": "owns", "from": "a", "to": "d", "percent": 100 }"#,
        "",
    ));
    assert_valid(&out, 4);
}

// ---------------------------------------------------------------------------
// Rules 11 to 13: segments
// ---------------------------------------------------------------------------

/// A graph with entities `nv` (revenue 1000), `a`, `b`, `c`, the given
/// relationships, and `segments` (the inside of the array) written after
/// the relationships.
fn segment_graph(relationships: &str, segments: &str) -> String {
    format!(
        "{{\n\"format\": \"{FORMAT}\",\n\"entities\": [{{ \"id\": \"nv\", \"name\": \"NV\", \"revenue\": 1000 }}, {ABC}],\n\
         \"relationships\": [{relationships}],\n\"segments\": [{segments}]\n}}\n"
    )
}

const CHINA: &str =
    r#"{ "seller": "nv", "name": "China", "share_max": 0.25, "source": "10-K", "note": "kept" }"#;

#[test]
fn a_valid_segment_graph_validates_with_segments_after_relationships() {
    let out = validate(&segment_graph(
        r#"{ "type": "supplies", "from": "nv", "to": "a", "segment": "China", "share": 0.1 },
           { "type": "supplies", "from": "nv", "to": "b", "segment": "China", "share_min": 0.15 },
           { "type": "supplies", "from": "nv", "to": "c", "segment": "China" }"#,
        CHINA,
    ));
    assert_valid(&out, 4);
}

#[test]
fn a_segment_before_the_relationships_validates_too() {
    let text = format!(
        "{{\"format\": \"{FORMAT}\", \"segments\": [{CHINA}], \"entities\": [{{ \"id\": \"nv\", \"name\": \"NV\" }}, {ABC}],\n\
         \"relationships\": [{{ \"type\": \"supplies\", \"from\": \"nv\", \"to\": \"a\", \"segment\": \"China\" }}]}}"
    );
    assert_valid(&validate(&text), 4);
}

#[test]
fn a_segment_whose_seller_is_not_an_entity_is_reported() {
    let out = validate(&segment_graph(
        "",
        r#"{ "seller": "ghost", "name": "China", "share_max": 0.25 }"#,
    ));
    assert_reported(
        &out,
        &["segments[0] (ghost, \"China\")"],
        &["ghost", "seller"],
    );
}

#[test]
fn two_segments_of_one_seller_with_one_name_are_reported() {
    let out = validate(&segment_graph(
        "",
        &format!("{CHINA}, {{ \"seller\": \"nv\", \"name\": \"China\", \"share_max\": 0.3 }}"),
    ));
    assert_reported(
        &out,
        &["segments[1] (nv, \"China\")"],
        &["name", "segments"],
    );
}

#[test]
fn the_same_segment_name_for_two_sellers_is_fine() {
    let out = validate(&segment_graph(
        "",
        &format!("{CHINA}, {{ \"seller\": \"a\", \"name\": \"China\", \"share_max\": 0.3 }}"),
    ));
    assert_valid(&out, 4);
}

#[test]
fn a_segment_without_share_max_is_reported() {
    let out = validate(&segment_graph("", r#"{ "seller": "nv", "name": "China" }"#));
    assert_reported(&out, &["segments[0] (nv, \"China\")"], &["share_max"]);
}

#[test]
fn a_segment_share_max_out_of_range_is_reported() {
    for cap in ["1.2", "-0.1"] {
        let out = validate(&segment_graph(
            "",
            &format!("{{ \"seller\": \"nv\", \"name\": \"China\", \"share_max\": {cap} }}"),
        ));
        assert_reported(&out, &["segments[0] (nv, \"China\")"], &[cap]);
    }
}

#[test]
fn a_string_share_max_is_a_type_error_with_line_and_column() {
    let out = validate(&segment_graph(
        "",
        r#"{ "seller": "nv", "name": "China", "share_max": "a quarter" }"#,
    ));
    assert_at_position(&out, Some(5), &["share_max"]);
}

#[test]
fn a_segment_without_seller_or_name_is_reported() {
    let out = validate(&segment_graph("", r#"{ "name": "", "share_max": 0.2 }"#));
    assert_reported(&out, &["segments[0]"], &["seller"]);
    assert_reported(&out, &["segments[0]"], &["name"]);
}

#[test]
fn an_edge_naming_no_segment_of_its_seller_is_reported() {
    // `a` has a segment called China, the edge's seller `nv` has none.
    let out = validate(&segment_graph(
        r#"{ "type": "supplies", "from": "nv", "to": "b" },
           { "type": "supplies", "from": "nv", "to": "c", "segment": "China" }"#,
        r#"{ "seller": "a", "name": "China", "share_max": 0.3 }"#,
    ));
    assert_reported(&out, &["relationships[1] (supplies nv -> c)"], &["China"]);
    assert!(
        error_lines(&out).iter().any(|l| l.contains("\"nv\"")),
        "{}",
        describe(&out)
    );
}

#[test]
fn a_segment_on_an_owns_edge_is_reported() {
    let out = validate(&segment_graph(
        r#"{ "type": "owns", "from": "nv", "to": "a", "percent": 10, "segment": "China" }"#,
        CHINA,
    ));
    assert_reported(&out, &["relationships[0] (owns nv -> a)"], &["owns"]);
}

#[test]
fn a_segment_whose_edges_exceed_its_cap_is_reported_with_the_sum() {
    let out = validate(&segment_graph(
        r#"{ "type": "supplies", "from": "nv", "to": "a", "segment": "China", "share": 0.2 },
           { "type": "supplies", "from": "nv", "to": "b", "segment": "China", "share_min": 0.11 },
           { "type": "supplies", "from": "nv", "to": "c", "share": 0.5 }"#,
        CHINA,
    ));
    assert_reported(&out, &["segments[0] (nv, \"China\")"], &["0.31"]);
    assert_eq!(
        count_lines(&out, |l| l.contains("segments[")),
        1,
        "{}",
        describe(&out)
    );
}

#[test]
fn a_value_edge_counts_in_its_segment_through_the_sellers_revenue() {
    // 300 of a revenue of 1000 is 0.3, above the cap of 0.25.
    let out = validate(&segment_graph(
        r#"{ "type": "supplies", "from": "nv", "to": "a", "segment": "China", "value": 300 }"#,
        CHINA,
    ));
    assert_reported(&out, &["segments[0] (nv, \"China\")"], &["0.3"]);
    let within = validate(&segment_graph(
        r#"{ "type": "supplies", "from": "nv", "to": "a", "segment": "China", "value": 250 }"#,
        CHINA,
    ));
    assert_valid(&within, 4);
}

#[test]
fn segments_that_is_not_an_array_is_a_type_error() {
    let out = validate(&segment_graph("", "").replace("\"segments\": []", "\"segments\": {}"));
    assert_at_position(&out, Some(5), &["segments"]);
}

/// Runs `exposure validate -g FOLDER` on CSV files.
fn validate_csv(files: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("written");
    }
    run(&["validate", "-g", dir.path().to_str().expect("UTF-8")])
}

const CSV_ENTITIES: &str = "id,name,revenue\nnv,NV,1000\na,A,\nb,B,\n";

#[test]
fn a_csv_segment_out_of_range_is_reported_by_file_line_and_column() {
    let out = validate_csv(&[
        ("entities.csv", CSV_ENTITIES),
        (
            "segments.csv",
            "seller,name,share_max\nnv,China,0.25\nnv,Rest,1.2\n",
        ),
    ]);
    assert_reported(
        &out,
        &["segments.csv line 3, column \"share_max\""],
        &["1.2"],
    );
}

#[test]
fn a_csv_segment_over_its_cap_and_an_unknown_segment_are_reported_by_line() {
    let out = validate_csv(&[
        ("entities.csv", CSV_ENTITIES),
        (
            "relationships.csv",
            "type,from,to,share,segment\nsupplies,nv,a,0.2,China\nsupplies,nv,b,0.1,China\nsupplies,a,b,,China\n",
        ),
        ("segments.csv", "seller,name,share_max\nnv,China,0.25\n"),
    ]);
    assert_reported(&out, &["segments.csv line 2"], &["0.3"]);
    assert_reported(&out, &["relationships.csv line 4"], &["China"]);
}

#[test]
fn a_csv_segments_file_without_share_max_column_is_reported() {
    let out = validate_csv(&[
        ("entities.csv", CSV_ENTITIES),
        ("segments.csv", "seller,name\nnv,China\n"),
    ]);
    assert_reported(&out, &["segments.csv line 1"], &["share_max"]);
}
