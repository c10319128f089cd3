//! Tests of the packed form: what round-trips exactly, and cut or changed bytes.

use super::*;
use crate::save;

fn packed(model: &Model) -> Vec<u8> {
    let mut out = Vec::new();
    save::write_packed(model, &mut out).unwrap();
    out
}

fn json(model: &Model) -> Vec<u8> {
    let mut out = Vec::new();
    save::write_json(model, &mut out).unwrap();
    out
}

#[test]
fn numbers_in_unknown_fields_keep_their_bits_and_their_kind() {
    let input = r#"{"format": "exposure-graph/1",
      "edge": [18446744073709551615, -9223372036854775808, 0, -0.0, 1.0, 0.1, 5e-324, 1.7976931348623157e308, 0.30000000000000004],
      "meta": {"as_of": "2019-10-09", "deep": {"a": [[[{"b": null}]]]}, "t": true, "f": false},
      "entities": [{"id": "a", "name": "A", "w": [1, 2.5, "", "海"]}, {"id": "b", "name": "B", "revenue": 1e-300}],
      "relationships": [{"type": "supplies", "from": "a", "to": "b", "share": 0.1, "since": "2020-02-29", "x": {}}],
      "listings": [{"entity": "b", "list": "L", "start": "2019-01-01", "end": "2019-12-31"}]}"#;
    let model = crate::load::from_json(input.as_bytes()).unwrap();
    let bytes = packed(&model);
    let back = from_bytes(&bytes).unwrap();
    assert_eq!(json(&model), json(&back));
    assert_eq!(model.extra, back.extra);
    assert_eq!(model.extras, back.extras);
    assert_eq!(bytes, packed(&back));
}

#[test]
fn an_empty_graph_packs_and_reads_back() {
    let model = crate::load::from_json(
        br#"{"format": "exposure-graph/1", "entities": [], "relationships": [], "listings": []}"#,
    )
    .unwrap();
    let back = from_bytes(&packed(&model)).unwrap();
    assert_eq!(json(&model), json(&back));
    assert!(!back.has_meta);
}

#[test]
fn every_cut_of_a_packed_file_is_a_problem() {
    let model = crate::load::from_json(
        br#"{"format": "exposure-graph/1", "entities": [{"id": "a", "name": "A"}], "relationships": [], "listings": [{"entity": "a", "list": "L"}]}"#,
    )
    .unwrap();
    let bytes = packed(&model);
    for cut in 0..bytes.len() {
        assert!(from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn any_byte_changed_and_sealed_again_is_a_model_or_a_problem_never_a_panic() {
    let input = r#"{"format": "exposure-graph/1", "x": [1, -2, 0.5, "s", null, true, {"k": []}],
      "meta": {"title": "T", "as_of": "2019-10-09", "owner": "d"},
      "entities": [{"id": "a", "name": "A海", "kind": "company", "aliases": ["x", ""], "revenue": 10, "r": 1},
                   {"id": "b", "name": "B", "country": "CN", "tags": ["t"], "sources": ["s"]}],
      "relationships": [{"type": "supplies", "from": "a", "to": "b", "share_min": 0.1, "segment": "S", "since": "2019-01-01", "n": 2},
                        {"type": "owns", "from": "b", "to": "a", "percent": 50, "confidence": "reported", "product": "p"}],
      "listings": [{"entity": "b", "list": "L", "start": "2019-01-01", "end": "2020-01-01", "citation": "c", "q": 1}],
      "segments": [{"seller": "a", "name": "S", "share_max": 0.5, "source": "10-K", "z": 0}]}"#;
    let model = crate::load::from_json(input.as_bytes()).unwrap();
    let bytes = packed(&model);
    let body = bytes.len() - SUM_LEN;
    for i in MAGIC.len() + 4..body {
        for v in [0u8, 1, 2, 0x7F, 0xFF, bytes[i] ^ 0x10] {
            let mut b = bytes[..body].to_vec();
            b[i] = v;
            let sum = checksum(&b);
            b.extend_from_slice(&sum);
            if let Ok(m) = from_bytes(&b) {
                // Whatever it reads is a graph every writer can write.
                json(&m);
            }
        }
    }
}
