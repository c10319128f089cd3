//! Writing a model in the packed form (`exposure pack`): the arena and the
//! record arrays as little-endian columns, one per field, the unknown fields
//! as tagged values, and a checksum over every byte. The layout is
//! `load/packed.rs`'s; this file only follows it and reads nothing back.

use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::load::packed::{checksum, mode, tag, MAGIC, NO_DATE, STR_LEN, VERSION};
use crate::model::{Date, Extra, Model, OptNum, Str, StrList};

/// Writes `model` packed.
///
/// # Complexity
/// O(size of the model); the file is built in memory, then written.
pub fn write_packed(model: &Model, out: &mut dyn Write) -> io::Result<()> {
    let mut file = Vec::with_capacity(
        64 + model.text.as_str().len()
            + model.lists.len() * STR_LEN
            + model.entities.len() * 40
            + model.relationships.len() * 24,
    );
    file.extend_from_slice(&MAGIC);
    file.extend_from_slice(&VERSION.to_le_bytes());

    let str8 = |s: Option<Str>| s.map(|s| bytes8(s.raw()));
    let list8 = |l: Option<StrList>| l.map(|l| bytes8(l.raw()));
    let num8 = |n: OptNum| n.get().map(f64::to_le_bytes);
    let date4 = |d: Option<Date>| d.map(|d| d.number().to_le_bytes());
    let extra4 = |e: Extra| (!e.is_none()).then(|| e.raw().to_le_bytes());

    section(&mut file, |b| {
        b.extend_from_slice(model.text.as_str().as_bytes())
    });
    section(&mut file, |b| {
        let l = &model.lists;
        table(b, l.len());
        column(b, l.len(), |i| str8(Some(l[i])));
    });
    section(&mut file, |b| {
        let e = &model.entities;
        table(b, e.len());
        column(b, e.len(), |i| str8(Some(e[i].id)));
        column(b, e.len(), |i| str8(Some(e[i].name)));
        column(b, e.len(), |i| e[i].kind.map(|k| [k as u8]));
        column(b, e.len(), |i| str8(e[i].country));
        column(b, e.len(), |i| list8(e[i].aliases));
        column(b, e.len(), |i| str8(e[i].ticker));
        column(b, e.len(), |i| num8(e[i].revenue));
        column(b, e.len(), |i| list8(e[i].tags));
        column(b, e.len(), |i| list8(e[i].sources));
        column(b, e.len(), |i| extra4(e[i].extra));
    });
    section(&mut file, |b| {
        let r = &model.relationships;
        table(b, r.len());
        column(b, r.len(), |i| Some([r[i].rel as u8]));
        column(b, r.len(), |i| Some(r[i].from.to_le_bytes()));
        column(b, r.len(), |i| Some(r[i].to.to_le_bytes()));
        column(b, r.len(), |i| num8(r[i].share));
        column(b, r.len(), |i| num8(r[i].value));
        column(b, r.len(), |i| num8(r[i].share_min));
        column(b, r.len(), |i| num8(r[i].share_max));
        column(b, r.len(), |i| num8(r[i].percent));
        column(b, r.len(), |i| r[i].confidence.map(|c| [c as u8]));
        column(b, r.len(), |i| str8(r[i].product));
        column(b, r.len(), |i| str8(r[i].source));
        column(b, r.len(), |i| date4(r[i].since));
        column(b, r.len(), |i| {
            r[i].segment.get().map(|s| (s as u32).to_le_bytes())
        });
        column(b, r.len(), |i| extra4(r[i].extra));
    });
    section(&mut file, |b| {
        let l = &model.listings;
        table(b, l.len());
        column(b, l.len(), |i| Some(l[i].entity.to_le_bytes()));
        column(b, l.len(), |i| str8(Some(l[i].list)));
        column(b, l.len(), |i| date4(l[i].start));
        column(b, l.len(), |i| date4(l[i].end));
        column(b, l.len(), |i| str8(l[i].citation));
        column(b, l.len(), |i| str8(l[i].reason));
        column(b, l.len(), |i| extra4(l[i].extra));
    });
    section(&mut file, |b| {
        let s = &model.segments;
        table(b, s.len());
        column(b, s.len(), |i| Some(s[i].seller.to_le_bytes()));
        column(b, s.len(), |i| str8(Some(s[i].name)));
        column(b, s.len(), |i| Some(s[i].share_max.to_le_bytes()));
        column(b, s.len(), |i| str8(s[i].source));
        column(b, s.len(), |i| extra4(s[i].extra));
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
        put_u32(b, m.as_of.map_or(NO_DATE, Date::number));
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

/// A table's record count.
fn table(b: &mut Vec<u8>, n: usize) {
    b.extend_from_slice(&(n as u64).to_le_bytes());
}

/// One column of `n` records: its mode, the bitmap when only some records
/// have the field, and the values of those that do.
fn column<const W: usize>(b: &mut Vec<u8>, n: usize, get: impl Fn(usize) -> Option<[u8; W]>) {
    let present = (0..n).filter(|&i| get(i).is_some()).count();
    if present == 0 {
        b.push(mode::NONE);
        return;
    }
    if present == n {
        b.push(mode::ALL);
    } else {
        b.push(mode::SOME);
        let at = b.len();
        b.resize(at + n.div_ceil(8), 0);
        for i in (0..n).filter(|&i| get(i).is_some()) {
            b[at + i / 8] |= 1 << (i % 8);
        }
    }
    b.extend_from_slice(&((present * W) as u64).to_le_bytes());
    for i in 0..n {
        if let Some(v) = get(i) {
            b.extend_from_slice(&v);
        }
    }
}

fn bytes8((a, b): (u32, u32)) -> [u8; 8] {
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&a.to_le_bytes());
    out[4..].copy_from_slice(&b.to_le_bytes());
    out
}

fn put_u32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
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
