//! Writing a model back as `exposure-graph/1`, as JSON or in the CSV form,
//! unknown fields included, so that nothing the user wrote is lost in a
//! round trip. Known fields come first in the format's order, then the
//! unknown ones in the order they were read; numbers are written as
//! [`crate::export::number`] does. The CSV writer puts each record through the
//! same JSON object as the JSON writer, then into cells.
//!
//! Files are written atomically (`save/atomic.rs`): to a temporary file
//! beside the target, then renamed over it; a folder likewise. The packed
//! form is written by `save/packed.rs`.

mod atomic;
mod packed;
mod temp;

pub use atomic::{atomic_folder, atomic_write, check_writable};
pub use packed::write_packed;

use std::io::{self, Write};
use std::path::Path;

use serde_json::{Map, Value};

use crate::export::{csv_io, json_io, number};
use crate::load::csv;
use crate::model::{Entity, Extra, Listing, Model, Relationship, Segment, Str, StrList};

/// Writes the model as JSON, one record per line.
pub fn write_json(model: &Model, out: &mut dyn Write) -> io::Result<()> {
    let mut top = Map::new();
    top.insert("format".into(), "exposure-graph/1".into());
    if model.has_meta {
        top.insert("meta".into(), Value::Object(meta_object(model)));
    }
    let head = serde_json::to_string(&Value::Object(top)).map_err(json_io)?;
    out.write_all(&head.as_bytes()[..head.len() - 1])?;
    write_array(
        out,
        "entities",
        model.entities.iter().map(|e| entity_object(model, e)),
    )?;
    write_array(
        out,
        "relationships",
        model
            .relationships
            .iter()
            .map(|r| relationship_object(model, r)),
    )?;
    write_array(
        out,
        "listings",
        model.listings.iter().map(|l| listing_object(model, l)),
    )?;
    if !model.segments.is_empty() {
        write_array(
            out,
            "segments",
            model.segments.iter().map(|s| segment_object(model, s)),
        )?;
    }
    for (k, v) in &model.extra {
        out.write_all(b",\n")?;
        serde_json::to_writer(&mut *out, k).map_err(json_io)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, v).map_err(json_io)?;
    }
    out.write_all(b"\n}\n")
}

/// The `meta` object: known fields in the format's order, then the rest.
fn meta_object(model: &Model) -> Map<String, Value> {
    let m = &model.meta;
    let mut meta = Map::new();
    put(&mut meta, "title", m.title.clone().map(Value::from));
    put(&mut meta, "as_of", m.as_of.map(|d| d.to_string().into()));
    put(&mut meta, "currency", m.currency.clone().map(Value::from));
    put(&mut meta, "notes", m.notes.clone().map(Value::from));
    meta.extend(m.extra.clone());
    meta
}

fn entity_object(model: &Model, e: &Entity) -> Map<String, Value> {
    let s = |x: Str| Value::from(model.str(x));
    let list = |l: StrList| Value::Array(model.list(l).map(Value::from).collect());
    let mut o = Map::new();
    o.insert("id".into(), s(e.id));
    o.insert("name".into(), s(e.name));
    put(&mut o, "kind", e.kind.map(|k| k.as_str().into()));
    put(&mut o, "country", e.country.map(s));
    put(&mut o, "aliases", e.aliases.map(list));
    put(&mut o, "ticker", e.ticker.map(s));
    put(&mut o, "revenue", e.revenue.get().map(|v| number(v).into()));
    put(&mut o, "tags", e.tags.map(list));
    put(&mut o, "sources", e.sources.map(list));
    extend(&mut o, model, e.extra);
    o
}

fn relationship_object(model: &Model, r: &Relationship) -> Map<String, Value> {
    let s = |x: Str| Value::from(model.str(x));
    let mut o = Map::new();
    o.insert("type".into(), r.rel.as_str().into());
    o.insert("from".into(), model.id(r.from).into());
    o.insert("to".into(), model.id(r.to).into());
    let num = |v: Option<f64>| v.map(|v| Value::from(number(v)));
    put(&mut o, "share", num(r.share.get()));
    put(&mut o, "value", num(r.value.get()));
    put(&mut o, "share_min", num(r.share_min.get()));
    put(&mut o, "share_max", num(r.share_max.get()));
    put(&mut o, "percent", num(r.percent.get()));
    put(&mut o, "product", r.product.map(s));
    put(
        &mut o,
        "confidence",
        r.confidence.map(|c| c.as_str().into()),
    );
    put(&mut o, "source", r.source.map(s));
    put(&mut o, "since", r.since.map(|d| d.to_string().into()));
    put(
        &mut o,
        "segment",
        r.segment.get().map(|i| s(model.segments[i].name)),
    );
    extend(&mut o, model, r.extra);
    o
}

fn segment_object(model: &Model, seg: &Segment) -> Map<String, Value> {
    let s = |x: Str| Value::from(model.str(x));
    let mut o = Map::new();
    o.insert("seller".into(), model.id(seg.seller).into());
    o.insert("name".into(), s(seg.name));
    o.insert("share_max".into(), number(seg.share_max).into());
    put(&mut o, "source", seg.source.map(s));
    extend(&mut o, model, seg.extra);
    o
}

fn listing_object(model: &Model, l: &Listing) -> Map<String, Value> {
    let s = |x: Str| Value::from(model.str(x));
    let mut o = Map::new();
    o.insert("entity".into(), model.id(l.entity).into());
    o.insert("list".into(), s(l.list));
    put(&mut o, "start", l.start.map(|d| d.to_string().into()));
    put(&mut o, "end", l.end.map(|d| d.to_string().into()));
    put(&mut o, "citation", l.citation.map(s));
    put(&mut o, "reason", l.reason.map(s));
    extend(&mut o, model, l.extra);
    o
}

fn put(o: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        o.insert(key.into(), v);
    }
}

fn extend(o: &mut Map<String, Value>, model: &Model, extra: Extra) {
    if let Some(map) = model.extra(extra) {
        for (k, v) in map {
            o.insert(k.clone(), v.clone());
        }
    }
}

fn write_array(
    out: &mut dyn Write,
    key: &str,
    items: impl Iterator<Item = Map<String, Value>>,
) -> io::Result<()> {
    write!(out, ",\n\"{key}\":[")?;
    let mut first = true;
    for item in items {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        serde_json::to_writer(&mut *out, &item).map_err(json_io)?;
    }
    out.write_all(b"\n]")
}

/// Writes the model in the CSV form into the folder `dir` (which exists):
/// `entities.csv`, `relationships.csv`, `listings.csv`, and
/// `segments.csv` / `meta.csv` / `extra.csv` when the graph has segments /
/// a `meta` object / unknown top-level fields. Records keep their order;
/// columns are the format's fields in its order (required ones always,
/// others when used), then unknown fields in
/// order of first appearance. A column whose values a plain cell cannot say
/// exactly (an empty string, a list item with a `;`, anything not a string
/// in an unknown field) is written as `FIELD:json`, one JSON value a cell.
///
/// # Complexity
/// O(size of the graph): two passes over each array.
pub fn write_csv(model: &Model, dir: &Path) -> io::Result<()> {
    if model.has_meta {
        write_table(&dir.join(csv::META.file), &csv::META, || {
            std::iter::once(meta_object(model))
        })?;
    }
    write_table(&dir.join(csv::ENTITIES.file), &csv::ENTITIES, || {
        model.entities.iter().map(|e| entity_object(model, e))
    })?;
    write_table(
        &dir.join(csv::RELATIONSHIPS.file),
        &csv::RELATIONSHIPS,
        || {
            model
                .relationships
                .iter()
                .map(|r| relationship_object(model, r))
        },
    )?;
    write_table(&dir.join(csv::LISTINGS.file), &csv::LISTINGS, || {
        model.listings.iter().map(|l| listing_object(model, l))
    })?;
    if !model.segments.is_empty() {
        write_table(&dir.join(csv::SEGMENTS.file), &csv::SEGMENTS, || {
            model.segments.iter().map(|s| segment_object(model, s))
        })?;
    }
    if !model.extra.is_empty() {
        write_table(&dir.join(csv::EXTRA.file), &csv::EXTRA, || {
            std::iter::once(model.extra.clone())
        })?;
    }
    Ok(())
}

/// A column being written: its field, its header, and whether its cells
/// are JSON.
struct OutColumn {
    key: String,
    cell: Option<csv::Cell>,
    json: bool,
}

/// The text of a value in a plain cell, when a plain cell reads back as
/// exactly that value (`load::csv` reads cells).
fn plain(cell: Option<csv::Cell>, v: &Value) -> Option<String> {
    match (cell, v) {
        (Some(csv::Cell::Number), Value::Number(n)) => Some(n.to_string()),
        (Some(csv::Cell::List), Value::Array(items)) if !items.is_empty() => {
            let mut out = String::new();
            for (i, item) in items.iter().enumerate() {
                let s = item
                    .as_str()
                    .filter(|s| !s.is_empty() && s.trim() == *s && !s.contains(';'))?;
                if i > 0 {
                    out.push(';');
                }
                out.push_str(s);
            }
            Some(out)
        }
        (Some(csv::Cell::Text) | None, Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn write_table<I: Iterator<Item = Map<String, Value>>>(
    path: &Path,
    spec: &csv::Spec,
    records: impl Fn() -> I,
) -> io::Result<()> {
    // First pass: which columns, and which of them must be JSON.
    let mut columns: Vec<OutColumn> = spec
        .fields
        .iter()
        .map(|&(key, cell)| OutColumn {
            key: key.into(),
            cell: Some(cell),
            json: false,
        })
        .collect();
    let mut used = vec![false; columns.len()];
    let mut unknown: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for record in records() {
        for (k, v) in record {
            let at = match spec.fields.iter().position(|f| f.0 == k) {
                Some(at) => at,
                None => match unknown.get(&k) {
                    Some(&at) => at,
                    None => {
                        let at = columns.len();
                        // An unknown name that ends like a JSON column is
                        // always written as one, so it reads back as itself;
                        // so is one close to a known field, which the reader
                        // refuses as a plain header (a likely typo), and one
                        // that reads as a known field but for case or spaces.
                        let json = k.ends_with(csv::JSON_SUFFIX)
                            || csv::near_miss(spec, &k).is_some()
                            || csv::reads_as_other_field(spec, &k);
                        unknown.insert(k.clone(), at);
                        columns.push(OutColumn {
                            key: k,
                            cell: None,
                            json,
                        });
                        used.push(true);
                        at
                    }
                },
            };
            used[at] = true;
            let c = &mut columns[at];
            if !c.json && plain(c.cell, &v).is_none() {
                c.json = true;
            }
        }
    }
    let columns: Vec<OutColumn> = columns
        .into_iter()
        .zip(used)
        .filter(|(c, used)| *used || spec.required.contains(&c.key.as_str()))
        .map(|(c, _)| c)
        .collect();

    atomic_write(path, |out| {
        if columns.is_empty() {
            return Ok(());
        }
        let mut w = ::csv::WriterBuilder::new().flexible(false).from_writer(out);
        let headers = columns.iter().map(|c| {
            if c.json {
                format!("{}{}", c.key, csv::JSON_SUFFIX)
            } else {
                c.key.clone()
            }
        });
        w.write_record(headers).map_err(csv_io)?;
        let mut row: Vec<String> = Vec::with_capacity(columns.len());
        for record in records() {
            row.clear();
            for c in &columns {
                row.push(match record.get(&c.key) {
                    None => String::new(),
                    Some(v) if c.json => serde_json::to_string(v).map_err(json_io)?,
                    Some(v) => plain(c.cell, v).unwrap_or_default(),
                });
            }
            w.write_record(&row).map_err(csv_io)?;
        }
        w.flush()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load;

    /// Numbers compared by value, so `1` and `1.0` are the same.
    fn normal(v: &Value) -> Value {
        match v {
            Value::Number(n) => Value::from(n.as_f64().unwrap_or(0.0)),
            Value::Array(a) => Value::Array(a.iter().map(normal).collect()),
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), normal(v))).collect())
            }
            other => other.clone(),
        }
    }

    #[test]
    fn a_round_trip_keeps_every_field_including_unknown_ones() {
        let input = r#"{
          "format": "exposure-graph/1", "x-top": {"deep": [1, {"a": null}]},
          "meta": {"title": "t", "as_of": "2019-10-09", "owner": "desk 4"},
          "entities": [
            {"id": "a", "name": "A \"quoted\" 海康", "kind": "company", "revenue": 1000, "aliases": ["A1", "A2"], "rating": 7.5},
            {"id": "b", "name": "B", "tags": [], "sources": ["10-K"], "x": {"y": true}}
          ],
          "relationships": [
            {"type": "supplies", "from": "a", "to": "b", "share_min": 0.1, "share_max": 0.25, "confidence": "estimate", "note": "n", "since": "2018-01-31"},
            {"type": "owns", "from": "b", "to": "a", "extra": [1, 2]}
          ],
          "listings": [{"entity": "b", "list": "L", "start": "2019-01-01", "citation": "84 FR 1", "analyst": "x"}]
        }"#;
        let model = load::from_json(input.as_bytes()).unwrap();
        let mut out = Vec::new();
        write_json(&model, &mut out).unwrap();
        let back: Value = serde_json::from_slice(&out).unwrap();
        let orig: Value = serde_json::from_str(input).unwrap();
        assert_eq!(normal(&back), normal(&orig));
        // Writing again gives the same bytes.
        let again = load::from_json(&out).unwrap();
        let mut out2 = Vec::new();
        write_json(&again, &mut out2).unwrap();
        assert_eq!(out, out2);
    }
}
