//! The packed form of a graph (`exposure pack`): its layout, and reading it
//! back into a [`Model`] without parsing.
//!
//! The file is checked before anything in it is used: its checksum over
//! every byte, then every length, offset and handle against what it can
//! point into, then the rules a loaded model satisfies. A damaged or
//! hand-made file is a problem, never a panic or an allocation sized by an
//! unchecked length. This file owns the layout (docs/format.md, "Packed
//! graphs"); `save/packed.rs` writes it and nothing else may know it.
//!
//! Layout, version 1 (every number little-endian):
//!
//! ```text
//! magic     8 bytes  89 45 58 50 4F 0D 0A 1A   ("\x89EXPO\r\n\x1a")
//! version   u32      1
//! sections  9 of them, in this order, each a u64 byte length and the bytes:
//!           text, lists, entities, relationships, listings, segments,
//!           extras, meta, top
//! checksum  16 bytes, XXH3-128 of every byte before it
//! ```

use serde_json::{Map, Number, Value};

use super::intern::Interner;
use super::{Place, Problems};
use crate::model::{
    Confidence, Date, Entity, Extra, Kind, Listing, Meta, Model, OptNum, RelType, Relationship,
    Segment, SegmentRef, Str, StrList, Text,
};

/// The first bytes of a packed file. The first is not valid UTF-8 (so no
/// JSON file starts with it) and the line ends catch a copy that rewrote
/// them.
pub const MAGIC: [u8; 8] = *b"\x89EXPO\r\n\x1a";
/// The version of the layout this build writes and reads.
pub const VERSION: u32 = 1;
/// The length of the checksum at the end.
pub const SUM_LEN: usize = 16;

/// Bytes a record takes in its section.
pub const ENTITY_LEN: usize = 69;
pub const RELATIONSHIP_LEN: usize = 78;
pub const LISTING_LEN: usize = 40;
pub const SEGMENT_LEN: usize = 32;
pub const STR_LEN: usize = 8;

/// The byte of an absent `kind` or `confidence`.
pub const NO_ENUM: u8 = 0xFF;
/// The u32 of an absent date, extra or segment.
pub const NO_DATE: u32 = 0;

/// Tags of the values in the `extras`, `meta` and `top` sections.
pub mod tag {
    pub const NULL: u8 = 0;
    pub const FALSE: u8 = 1;
    pub const TRUE: u8 = 2;
    pub const U64: u8 = 3;
    pub const I64: u8 = 4;
    pub const F64: u8 = 5;
    pub const STRING: u8 = 6;
    pub const ARRAY: u8 = 7;
    pub const OBJECT: u8 = 8;
}

/// Deeper values are refused (the JSON reader stops at 128 levels).
const MAX_DEPTH: usize = 256;

/// The checksum of a packed file's bytes before the checksum.
pub fn checksum(bytes: &[u8]) -> [u8; SUM_LEN] {
    xxhash_rust::xxh3::xxh3_128(bytes).to_le_bytes()
}

/// Whether `bytes` are meant as a packed graph: they start with the
/// magic's first byte, which no JSON file does. A file cut inside the
/// magic is still told apart, and reported as damaged.
pub fn is_packed(bytes: &[u8]) -> bool {
    bytes.first() == Some(&MAGIC[0])
}

const DAMAGED: &str =
    "the packed graph is damaged (checksum mismatch) — pack it again from the JSON or CSV";

/// What is wrong with a file whose checksum holds.
struct Bad(String);

fn bad<T>(what: impl Into<String>) -> Result<T, Bad> {
    Err(Bad(what.into()))
}

/// Reads a packed graph and checks it like a loaded one.
///
/// # Complexity
/// O(bytes + entities + relationships): one checksum pass, one pass per
/// section, then the checks of a loaded model.
pub fn from_bytes(bytes: &[u8]) -> Result<Model, Problems> {
    let fail = |message: String| {
        let mut problems = Problems::default();
        problems.push(Place::File, message);
        problems
    };
    let head = MAGIC.len() + 4;
    if bytes.len() < head + SUM_LEN || bytes[..MAGIC.len()] != MAGIC {
        return Err(fail(DAMAGED.into()));
    }
    let (body, sum) = bytes.split_at(bytes.len() - SUM_LEN);
    if checksum(body) != sum {
        return Err(fail(DAMAGED.into()));
    }
    let version = u32_at(body, MAGIC.len());
    if version != VERSION {
        return Err(fail(format!(
            "the packed graph is of version {version}, this exposure reads version {VERSION} — pack it again from the JSON or CSV with this exposure"
        )));
    }
    let model = decode(&body[head..]).map_err(|Bad(what)| {
        fail(format!(
            "the packed graph is not valid ({what}) — pack it again from the JSON or CSV"
        ))
    })?;
    let mut problems = Problems::default();
    super::validate::check(&model, &mut problems);
    if problems.is_empty() {
        Ok(model)
    } else {
        Err(problems)
    }
}

fn u32_at(c: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&c[at..at + 4]);
    u32::from_le_bytes(b)
}

fn f64_at(c: &[u8], at: usize) -> f64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&c[at..at + 8]);
    f64::from_le_bytes(b)
}

/// The bytes of a section still to read.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Bad> {
        if n > self.rest.len() {
            return bad(format!("{what} runs past the end of its section"));
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    fn u8(&mut self, what: &str) -> Result<u8, Bad> {
        Ok(self.take(1, what)?[0])
    }

    fn u32(&mut self, what: &str) -> Result<u32, Bad> {
        Ok(u32_at(self.take(4, what)?, 0))
    }

    fn u64(&mut self, what: &str) -> Result<u64, Bad> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8, what)?);
        Ok(u64::from_le_bytes(b))
    }

    /// A section: its length, checked against the bytes left, and its bytes.
    fn section(&mut self, name: &str) -> Result<&'a [u8], Bad> {
        let len = self.u64(name)?;
        match usize::try_from(len) {
            Ok(len) if len <= self.rest.len() => self.take(len, name),
            _ => bad(format!(
                "section {name} says {len} bytes, {} are left",
                self.rest.len()
            )),
        }
    }

    /// A string: u32 length and UTF-8 bytes.
    fn string(&mut self, what: &str) -> Result<String, Bad> {
        let len = self.u32(what)? as usize;
        let bytes = self.take(len, what)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => bad(format!("{what} is not UTF-8")),
        }
    }

    /// A string or nothing: one byte (0 or 1), then the string.
    fn opt_string(&mut self, what: &str) -> Result<Option<String>, Bad> {
        match self.u8(what)? {
            0 => Ok(None),
            1 => self.string(what).map(Some),
            b => bad(format!("{what} has presence byte {b}")),
        }
    }

    /// A JSON value in the tagged form of `save/packed.rs`.
    fn value(&mut self, depth: usize) -> Result<Value, Bad> {
        if depth > MAX_DEPTH {
            return bad("a value nests too deep");
        }
        let what = "a value";
        Ok(match self.u8(what)? {
            tag::NULL => Value::Null,
            tag::FALSE => Value::Bool(false),
            tag::TRUE => Value::Bool(true),
            tag::U64 => Value::Number(Number::from(self.u64(what)?)),
            tag::I64 => Value::Number(Number::from(self.u64(what)? as i64)),
            tag::F64 => {
                let f = f64::from_bits(self.u64(what)?);
                match Number::from_f64(f) {
                    Some(n) => Value::Number(n),
                    None => return bad("a number in a value is not finite"),
                }
            }
            tag::STRING => Value::String(self.string(what)?),
            tag::ARRAY => {
                let n = self.count(what)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Value::Array(items)
            }
            tag::OBJECT => Value::Object(self.object(depth)?),
            t => return bad(format!("a value has the unknown tag {t}")),
        })
    }

    /// The members of an object (after its tag).
    fn object(&mut self, depth: usize) -> Result<Map<String, Value>, Bad> {
        let n = self.count("an object")?;
        let mut map = Map::with_capacity(n);
        for _ in 0..n {
            let key = self.string("a key")?;
            let v = self.value(depth + 1)?;
            map.insert(key, v);
        }
        Ok(map)
    }

    /// A tagged value that must be an object.
    fn tagged_object(&mut self, what: &str) -> Result<Map<String, Value>, Bad> {
        if self.u8(what)? != tag::OBJECT {
            return bad(format!("{what} is not an object"));
        }
        self.object(0)
    }

    /// A count of items, each at least one byte: no more than the bytes
    /// left, so a bogus count allocates nothing.
    fn count(&mut self, what: &str) -> Result<usize, Bad> {
        let n = self.u32(what)? as usize;
        if n > self.rest.len() {
            return bad(format!("{what} counts {n} items in fewer bytes"));
        }
        Ok(n)
    }
}

/// The records of a section of fixed-size records.
fn records<'a>(
    sec: &'a [u8],
    len: usize,
    name: &str,
) -> Result<std::slice::ChunksExact<'a, u8>, Bad> {
    if sec.len() % len != 0 || sec.len() / len > u32::MAX as usize - 1 {
        return bad(format!(
            "section {name} is {} bytes, not a whole number of {len}-byte records",
            sec.len()
        ));
    }
    Ok(sec.chunks_exact(len))
}

/// Reads the handles of one record against the arena and the counts.
#[derive(Clone)]
struct Fields<'a> {
    text: &'a Text,
    lists: usize,
    extras: usize,
    entities: usize,
    /// `entities[3]`, for messages.
    at: (&'static str, usize),
}

impl Fields<'_> {
    fn fail<T>(&self, field: &str) -> Result<T, Bad> {
        bad(format!(
            "{}[{}]: {field} is out of range",
            self.at.0, self.at.1
        ))
    }

    fn opt_str(&self, c: &[u8], at: usize, field: &str) -> Result<Option<Str>, Bad> {
        let (start, len1) = (u32_at(c, at), u32_at(c, at + 4));
        if len1 == 0 && start == 0 {
            return Ok(None);
        }
        match self.text.handle(start, len1) {
            Some(s) => Ok(Some(s)),
            None => self.fail(field),
        }
    }

    fn str(&self, c: &[u8], at: usize, field: &str) -> Result<Str, Bad> {
        match self.opt_str(c, at, field)? {
            Some(s) => Ok(s),
            None => self.fail(field),
        }
    }

    fn nonempty(&self, c: &[u8], at: usize, field: &str) -> Result<Str, Bad> {
        let s = self.str(c, at, field)?;
        if self.text.get(s).is_empty() {
            return bad(format!("{}[{}]: {field} is empty", self.at.0, self.at.1));
        }
        Ok(s)
    }

    fn list(&self, c: &[u8], at: usize, field: &str) -> Result<Option<StrList>, Bad> {
        let (start, len1) = (u32_at(c, at), u32_at(c, at + 4));
        if len1 == 0 && start == 0 {
            return Ok(None);
        }
        match StrList::from_raw(start, len1, self.lists) {
            Some(l) => Ok(Some(l)),
            None => self.fail(field),
        }
    }

    fn num(&self, c: &[u8], at: usize, field: &str) -> Result<OptNum, Bad> {
        let v = f64_at(c, at);
        if v.is_infinite() {
            return self.fail(field);
        }
        Ok(OptNum::from((!v.is_nan()).then_some(v)))
    }

    fn date(&self, c: &[u8], at: usize, field: &str) -> Result<Option<Date>, Bad> {
        match u32_at(c, at) {
            NO_DATE => Ok(None),
            n => match Date::from_number(n) {
                Some(d) => Ok(Some(d)),
                None => self.fail(field),
            },
        }
    }

    fn extra(&self, c: &[u8], at: usize) -> Result<Extra, Bad> {
        match Extra::from_raw(u32_at(c, at), self.extras) {
            Some(e) => Ok(e),
            None => self.fail("its unknown fields"),
        }
    }

    fn entity(&self, c: &[u8], at: usize, field: &str) -> Result<u32, Bad> {
        let ix = u32_at(c, at);
        if (ix as usize) < self.entities {
            Ok(ix)
        } else {
            self.fail(field)
        }
    }
}

/// The model behind the sections (the bytes between the version and the
/// checksum), every handle checked.
fn decode(body: &[u8]) -> Result<Model, Bad> {
    let mut cur = Cursor { rest: body };
    let text = cur.section("text")?;
    let lists = cur.section("lists")?;
    let entities = cur.section("entities")?;
    let relationships = cur.section("relationships")?;
    let listings = cur.section("listings")?;
    let segments = cur.section("segments")?;
    let extras = cur.section("extras")?;
    let meta = cur.section("meta")?;
    let top = cur.section("top")?;
    if !cur.rest.is_empty() {
        return bad(format!("{} bytes follow the last section", cur.rest.len()));
    }

    let text = match std::str::from_utf8(text) {
        Ok(t) => Text::from_string(t.to_owned()),
        Err(_) => return bad("the text is not UTF-8"),
    };
    let extras = {
        let mut cur = Cursor { rest: extras };
        let mut out = Vec::new();
        while !cur.rest.is_empty() {
            out.push(cur.tagged_object("a record's unknown fields")?);
        }
        out
    };
    let mut model = Model {
        text,
        extras,
        ..Model::default()
    };
    let n_entities = entities.len() / ENTITY_LEN;
    let mut f = Fields {
        text: &model.text,
        lists: lists.len() / STR_LEN,
        extras: model.extras.len(),
        entities: n_entities,
        at: ("lists", 0),
    };

    let mut list_items = Vec::with_capacity(f.lists);
    for (i, c) in records(lists, STR_LEN, "lists")?.enumerate() {
        f.at.1 = i;
        list_items.push(f.str(c, 0, "a string")?);
    }

    let mut segs = Vec::with_capacity(segments.len() / SEGMENT_LEN);
    for (i, c) in records(segments, SEGMENT_LEN, "segments")?.enumerate() {
        f.at = ("segments", i);
        let share_max = f64_at(c, 12);
        if !share_max.is_finite() {
            return f.fail("share_max");
        }
        segs.push(Segment {
            seller: f.entity(c, 0, "seller")?,
            name: f.nonempty(c, 4, "name")?,
            share_max,
            source: f.opt_str(c, 20, "source")?,
            extra: f.extra(c, 28)?,
        });
    }

    // The entities (and the check that ids are unique, the costliest part)
    // on a second thread, the relationships and listings on this one.
    let (ents, rest) = crate::parallel::both(
        || entities_of(&f, entities),
        || -> Result<_, Bad> {
            Ok((
                relationships_of(&f, relationships, &segs)?,
                listings_of(&f, listings)?,
            ))
        },
    );
    let (ents, (rels, lists_out)) = (ents?, rest?);

    let mut cur = Cursor { rest: meta };
    let has_meta = match cur.u8("meta")? {
        0 => false,
        1 => true,
        b => return bad(format!("meta has presence byte {b}")),
    };
    let title = cur.opt_string("meta.title")?;
    let as_of = match cur.u32("meta.as_of")? {
        NO_DATE => None,
        n => match Date::from_number(n) {
            Some(d) => Some(d),
            None => return bad("meta.as_of is not a date"),
        },
    };
    let currency = cur.opt_string("meta.currency")?;
    let notes = cur.opt_string("meta.notes")?;
    let meta_extra = cur.tagged_object("meta's unknown fields")?;
    if !cur.rest.is_empty() {
        return bad("bytes follow meta");
    }
    let mut cur = Cursor { rest: top };
    let top_extra = cur.tagged_object("the top-level unknown fields")?;
    if !cur.rest.is_empty() {
        return bad("bytes follow the top-level unknown fields");
    }

    model.lists = list_items;
    model.entities = ents;
    model.relationships = rels;
    model.listings = lists_out;
    model.segments = segs;
    model.has_meta = has_meta;
    model.meta = Meta {
        title,
        as_of,
        currency,
        notes,
        extra: meta_extra,
    };
    model.extra = top_extra;
    Ok(model)
}

/// The entities, each id checked to be unique (ids are interned as the
/// JSON reader interns them).
fn entities_of(f: &Fields<'_>, sec: &[u8]) -> Result<Vec<Entity>, Bad> {
    let mut f = f.clone();
    let mut ents = Vec::with_capacity(f.entities);
    let mut ids = Interner::default();
    for (i, c) in records(sec, ENTITY_LEN, "entities")?.enumerate() {
        f.at = ("entities", i);
        let id = f.nonempty(c, 0, "id")?;
        let id_text = f.text.get(id);
        if id_text.chars().any(char::is_control) {
            return bad(format!("entities[{i}]: id contains a control character"));
        }
        match ids.intern(id_text) {
            Some(sym) if sym as usize == i => {}
            _ => return bad(format!("entities[{i}]: id {id_text:?} is not unique")),
        }
        let kind = match c[16] {
            NO_ENUM => None,
            k => match Kind::NAMES.get(k as usize) {
                Some(name) => Kind::parse(name),
                None => return f.fail("kind"),
            },
        };
        ents.push(Entity {
            id,
            name: f.nonempty(c, 8, "name")?,
            kind,
            country: f.opt_str(c, 17, "country")?,
            aliases: f.list(c, 25, "aliases")?,
            ticker: f.opt_str(c, 33, "ticker")?,
            revenue: f.num(c, 41, "revenue")?,
            tags: f.list(c, 49, "tags")?,
            sources: f.list(c, 57, "sources")?,
            extra: f.extra(c, 65)?,
        });
    }

    Ok(ents)
}

/// The relationships; an edge's segment must be one of its seller's.
fn relationships_of(
    f: &Fields<'_>,
    sec: &[u8],
    segs: &[Segment],
) -> Result<Vec<Relationship>, Bad> {
    let mut f = f.clone();
    let mut rels = Vec::with_capacity(sec.len() / RELATIONSHIP_LEN);
    for (i, c) in records(sec, RELATIONSHIP_LEN, "relationships")?.enumerate() {
        f.at = ("relationships", i);
        let rel = match c[0] {
            0 => RelType::Supplies,
            1 => RelType::Owns,
            _ => return f.fail("type"),
        };
        let from = f.entity(c, 1, "from")?;
        let confidence = match c[49] {
            NO_ENUM => None,
            k => match Confidence::NAMES.get(k as usize) {
                Some(name) => Confidence::parse(name),
                None => return f.fail("confidence"),
            },
        };
        let segment = match u32_at(c, 70) {
            u32::MAX => SegmentRef::NONE,
            s => match segs.get(s as usize) {
                Some(seg) if seg.seller == from && rel == RelType::Supplies => {
                    SegmentRef::new(s as usize)
                }
                _ => return f.fail("segment"),
            },
        };
        rels.push(Relationship {
            rel,
            from,
            to: f.entity(c, 5, "to")?,
            share: f.num(c, 9, "share")?,
            value: f.num(c, 17, "value")?,
            share_min: f.num(c, 25, "share_min")?,
            share_max: f.num(c, 33, "share_max")?,
            percent: f.num(c, 41, "percent")?,
            confidence,
            product: f.opt_str(c, 50, "product")?,
            source: f.opt_str(c, 58, "source")?,
            since: f.date(c, 66, "since")?,
            segment,
            extra: f.extra(c, 74)?,
        });
    }

    Ok(rels)
}

fn listings_of(f: &Fields<'_>, sec: &[u8]) -> Result<Vec<Listing>, Bad> {
    let mut f = f.clone();
    let mut lists_out = Vec::with_capacity(sec.len() / LISTING_LEN);
    for (i, c) in records(sec, LISTING_LEN, "listings")?.enumerate() {
        f.at = ("listings", i);
        let start = f.date(c, 12, "start")?;
        let end = f.date(c, 16, "end")?;
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                return bad(format!("listings[{i}]: end {e} is before start {s}"));
            }
        }
        lists_out.push(Listing {
            entity: f.entity(c, 0, "entity")?,
            list: f.nonempty(c, 4, "list")?,
            start,
            end,
            citation: f.opt_str(c, 20, "citation")?,
            reason: f.opt_str(c, 28, "reason")?,
            extra: f.extra(c, 36)?,
        });
    }

    Ok(lists_out)
}

#[cfg(test)]
mod tests {
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
}
