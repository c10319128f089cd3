//! Writing a model in the packed form (`exposure pack`): the arena and the
//! record arrays as fixed-size little-endian records, the unknown fields
//! as tagged values, and a checksum over every byte. The layout is
//! `load/packed.rs`'s; this file only follows it and reads nothing back.

use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::load::packed::{
    checksum, tag, ENTITY_LEN, LISTING_LEN, MAGIC, NO_DATE, NO_ENUM, RELATIONSHIP_LEN, SEGMENT_LEN,
    STR_LEN, VERSION,
};
use crate::model::{Date, Extra, Model, OptNum, SegmentRef, Str, StrList};

/// Writes `model` packed.
///
/// # Complexity
/// O(size of the model); the file is built in memory, then written.
pub fn write_packed(model: &Model, out: &mut dyn Write) -> io::Result<()> {
    let mut file = Vec::with_capacity(
        64 + model.text.as_str().len()
            + model.lists.len() * STR_LEN
            + model.entities.len() * ENTITY_LEN
            + model.relationships.len() * RELATIONSHIP_LEN
            + model.listings.len() * LISTING_LEN
            + model.segments.len() * SEGMENT_LEN,
    );
    file.extend_from_slice(&MAGIC);
    file.extend_from_slice(&VERSION.to_le_bytes());

    section(&mut file, |b| {
        b.extend_from_slice(model.text.as_str().as_bytes())
    });
    section(&mut file, |b| {
        for &s in &model.lists {
            put_str(b, Some(s));
        }
    });
    section(&mut file, |b| {
        for e in &model.entities {
            put_str(b, Some(e.id));
            put_str(b, Some(e.name));
            b.push(e.kind.map_or(NO_ENUM, |k| k as u8));
            put_str(b, e.country);
            put_list(b, e.aliases);
            put_str(b, e.ticker);
            put_num(b, e.revenue);
            put_list(b, e.tags);
            put_list(b, e.sources);
            put_extra(b, e.extra);
        }
    });
    section(&mut file, |b| {
        for r in &model.relationships {
            b.push(r.rel as u8);
            b.extend_from_slice(&r.from.to_le_bytes());
            b.extend_from_slice(&r.to.to_le_bytes());
            for n in [r.share, r.value, r.share_min, r.share_max, r.percent] {
                put_num(b, n);
            }
            b.push(r.confidence.map_or(NO_ENUM, |c| c as u8));
            put_str(b, r.product);
            put_str(b, r.source);
            put_date(b, r.since);
            put_segment(b, r.segment);
            put_extra(b, r.extra);
        }
    });
    section(&mut file, |b| {
        for l in &model.listings {
            b.extend_from_slice(&l.entity.to_le_bytes());
            put_str(b, Some(l.list));
            put_date(b, l.start);
            put_date(b, l.end);
            put_str(b, l.citation);
            put_str(b, l.reason);
            put_extra(b, l.extra);
        }
    });
    section(&mut file, |b| {
        for s in &model.segments {
            b.extend_from_slice(&s.seller.to_le_bytes());
            put_str(b, Some(s.name));
            b.extend_from_slice(&s.share_max.to_le_bytes());
            put_str(b, s.source);
            put_extra(b, s.extra);
        }
    });
    section(&mut file, |b| {
        for map in &model.extras {
            put_object(b, map);
        }
    });
    section(&mut file, |b| {
        let m = &model.meta;
        b.push(u8::from(model.has_meta));
        put_opt_string(b, m.title.as_deref());
        put_date(b, m.as_of);
        put_opt_string(b, m.currency.as_deref());
        put_opt_string(b, m.notes.as_deref());
        put_object(b, &m.extra);
    });
    section(&mut file, |b| put_object(b, &model.extra));

    let sum = checksum(&file);
    file.extend_from_slice(&sum);
    out.write_all(&file)
}

/// Appends a section: its length, then what `fill` writes.
fn section(file: &mut Vec<u8>, fill: impl FnOnce(&mut Vec<u8>)) {
    let at = file.len();
    file.extend_from_slice(&0u64.to_le_bytes());
    fill(file);
    let len = (file.len() - at - 8) as u64;
    file[at..at + 8].copy_from_slice(&len.to_le_bytes());
}

fn put_u32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}

/// A string's start and length plus one; (0, 0) for none.
fn put_str(b: &mut Vec<u8>, s: Option<Str>) {
    let (start, len1) = s.map_or((0, 0), Str::raw);
    put_u32(b, start);
    put_u32(b, len1);
}

fn put_list(b: &mut Vec<u8>, l: Option<StrList>) {
    let (start, len1) = l.map_or((0, 0), StrList::raw);
    put_u32(b, start);
    put_u32(b, len1);
}

/// NaN for none, as in the model.
fn put_num(b: &mut Vec<u8>, n: OptNum) {
    b.extend_from_slice(&n.get().unwrap_or(f64::NAN).to_le_bytes());
}

fn put_date(b: &mut Vec<u8>, d: Option<Date>) {
    put_u32(b, d.map_or(NO_DATE, Date::number));
}

fn put_segment(b: &mut Vec<u8>, s: SegmentRef) {
    put_u32(b, s.get().map_or(u32::MAX, |ix| ix as u32));
}

fn put_extra(b: &mut Vec<u8>, e: Extra) {
    put_u32(b, e.raw());
}

fn put_string(b: &mut Vec<u8>, s: &str) {
    put_u32(b, s.len() as u32);
    b.extend_from_slice(s.as_bytes());
}

fn put_opt_string(b: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => b.push(0),
        Some(s) => {
            b.push(1);
            put_string(b, s);
        }
    }
}

fn put_object(b: &mut Vec<u8>, map: &Map<String, Value>) {
    b.push(tag::OBJECT);
    put_u32(b, map.len() as u32);
    for (k, v) in map {
        put_string(b, k);
        put_value(b, v);
    }
}

/// A JSON value, numbers kept as they were read (integer or float bits),
/// so that nothing is rounded on the way back.
fn put_value(b: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => b.push(tag::NULL),
        Value::Bool(false) => b.push(tag::FALSE),
        Value::Bool(true) => b.push(tag::TRUE),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                b.push(tag::U64);
                b.extend_from_slice(&u.to_le_bytes());
            } else if let Some(i) = n.as_i64() {
                b.push(tag::I64);
                b.extend_from_slice(&i.to_le_bytes());
            } else {
                b.push(tag::F64);
                b.extend_from_slice(&n.as_f64().unwrap_or(f64::NAN).to_le_bytes());
            }
        }
        Value::String(s) => {
            b.push(tag::STRING);
            put_string(b, s);
        }
        Value::Array(items) => {
            b.push(tag::ARRAY);
            put_u32(b, items.len() as u32);
            for item in items {
                put_value(b, item);
            }
        }
        Value::Object(map) => put_object(b, map),
    }
}
