//! Writing a model back as `exposure-graph/1` JSON, unknown fields
//! included, so that nothing the user wrote is lost in a round trip. Known
//! fields come first in the format's order, then the unknown ones in the
//! order they were read; numbers are written as [`export::number`] does.
//!
//! Files are written atomically: to a temporary file beside the target,
//! then renamed over it.

use std::io::{self, Write};
use std::path::Path;

use serde_json::{Map, Value};

use crate::export::{json_io, number};
use crate::model::{Extra, Model, Str, StrList};

/// Writes the model as JSON, one record per line.
pub fn write_json(model: &Model, out: &mut dyn Write) -> io::Result<()> {
    let mut top = Map::new();
    top.insert("format".into(), "exposure-graph/1".into());
    if model.has_meta {
        let m = &model.meta;
        let mut meta = Map::new();
        put(&mut meta, "title", m.title.clone().map(Value::from));
        put(&mut meta, "as_of", m.as_of.map(|d| d.to_string().into()));
        put(&mut meta, "currency", m.currency.clone().map(Value::from));
        put(&mut meta, "notes", m.notes.clone().map(Value::from));
        meta.extend(m.extra.clone());
        top.insert("meta".into(), Value::Object(meta));
    }
    let head = serde_json::to_string(&Value::Object(top)).map_err(json_io)?;
    out.write_all(head[..head.len() - 1].as_bytes())?;

    let s = |x: Str| Value::from(model.str(x));
    let list = |l: StrList| Value::Array(model.list(l).map(Value::from).collect());
    write_array(out, "entities", model.entities.iter().map(|e| {
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
    }))?;
    write_array(out, "relationships", model.relationships.iter().map(|r| {
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
        put(&mut o, "confidence", r.confidence.map(|c| c.as_str().into()));
        put(&mut o, "source", r.source.map(s));
        put(&mut o, "since", r.since.map(|d| d.to_string().into()));
        extend(&mut o, model, r.extra);
        o
    }))?;
    write_array(out, "listings", model.listings.iter().map(|l| {
        let mut o = Map::new();
        o.insert("entity".into(), model.id(l.entity).into());
        o.insert("list".into(), s(l.list));
        put(&mut o, "start", l.start.map(|d| d.to_string().into()));
        put(&mut o, "end", l.end.map(|d| d.to_string().into()));
        put(&mut o, "citation", l.citation.map(s));
        put(&mut o, "reason", l.reason.map(s));
        extend(&mut o, model, l.extra);
        o
    }))?;
    for (k, v) in &model.extra {
        out.write_all(b",\n")?;
        serde_json::to_writer(&mut *out, k).map_err(json_io)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, v).map_err(json_io)?;
    }
    out.write_all(b"\n}\n")
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

fn write_array(out: &mut dyn Write, key: &str, items: impl Iterator<Item = Map<String, Value>>) -> io::Result<()> {
    write!(out, ",\n\"{key}\":[")?;
    let mut first = true;
    for item in items {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        serde_json::to_writer(&mut *out, &item).map_err(json_io)?;
    }
    out.write_all(b"\n]")
}

/// Writes `bytes` produced by `fill` to `path` atomically: a temporary file
/// in the same folder, then a rename. On failure nothing is left behind.
pub fn atomic_write(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut w = io::BufWriter::new(file);
        fill(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
            Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), normal(v))).collect()),
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
