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
//!
//! A table section (lists, entities, relationships, listings, segments)
//! is a u64 record count, then one column per field in a fixed order: a
//! mode byte (0 no record has the field, 1 every record has it, 2 some
//! do: then a bitmap, bit `i % 8` of byte `i / 8` for record `i`), and
//! unless 0 the values' byte length (u64) and the values of the records
//! that have the field, each of the field's width. Absent fields cost a
//! bit, or nothing.

use serde_json::{Map, Number, Value};

use super::intern::Interner;
use super::{Place, Problems};
use crate::model::{
    Confidence, Date, Entity, Extra, Kind, Listing, Meta, Model, OptNum, RelType, Relationship,
    Segment, SegmentRef, Str, StrList, Text,
};
use crate::prefetch::{prefetch, AHEAD};

/// The first bytes of a packed file. The first is not valid UTF-8 (so no
/// JSON file starts with it) and the line ends catch a copy that rewrote
/// them.
pub const MAGIC: [u8; 8] = *b"\x89EXPO\r\n\x1a";
/// The version of the layout this build writes and reads.
pub const VERSION: u32 = 1;
/// The length of the checksum at the end.
pub const SUM_LEN: usize = 16;

/// The width of a string handle or a list: start and length plus one.
pub const STR_LEN: usize = 8;

/// The u32 of an absent `meta.as_of`.
pub const NO_DATE: u32 = 0;

/// The modes of a column.
pub mod mode {
    pub const NONE: u8 = 0;
    pub const ALL: u8 = 1;
    pub const SOME: u8 = 2;
}

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
#[cfg(test)]
pub fn from_bytes(bytes: &[u8]) -> Result<Model, Problems> {
    super::checked_then(read(bytes)?, Problems::default(), |_| ()).map(|(model, ())| model)
}

/// Reads a packed graph: its checksum, its version and every handle are
/// checked, the rules across records are not (`super::checked_then`).
pub(super) fn read(bytes: &[u8]) -> Result<Model, Problems> {
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
    decode(&body[head..]).map_err(|Bad(what)| {
        fail(format!(
            "the packed graph is not valid ({what}) — pack it again from the JSON or CSV"
        ))
    })
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

/// A column's values: none present, all present, or those whose bit is set.
enum Mode<'a> {
    None,
    All,
    Some(&'a [u8]),
}

/// One field of a table: which records have it, and their values in order.
struct Column<'a> {
    mode: Mode<'a>,
    vals: &'a [u8],
    width: usize,
    /// Where the next present value starts in `vals`.
    at: usize,
}

impl<'a> Column<'a> {
    /// The value of record `i`; records must be asked for in order. The
    /// values were counted against the bitmap, so this never runs past them.
    fn get(&mut self, i: usize) -> Option<&'a [u8]> {
        let has = match self.mode {
            Mode::None => false,
            Mode::All => true,
            Mode::Some(bits) => bits[i / 8] >> (i % 8) & 1 == 1,
        };
        if !has {
            return None;
        }
        let v = &self.vals[self.at..self.at + self.width];
        self.at += self.width;
        Some(v)
    }

    /// The present value `k` after the next one, if there is one: for a
    /// loop that asks for what that value points to ahead of its turn.
    fn ahead(&self, k: usize) -> Option<&'a [u8]> {
        let at = self.at + k * self.width;
        self.vals.get(at..at + self.width)
    }
}

/// A table section: its record count, then its columns.
struct Table<'a> {
    n: usize,
    cur: Cursor<'a>,
    name: &'static str,
}

impl<'a> Table<'a> {
    /// Every table has a required field of at least one byte a record, so
    /// a count above the section's bytes is bogus and allocates nothing.
    fn of(sec: &'a [u8], name: &'static str) -> Result<Table<'a>, Bad> {
        let mut cur = Cursor { rest: sec };
        let n = cur.u64(name)?;
        match usize::try_from(n) {
            Ok(n) if n <= cur.rest.len() && n < u32::MAX as usize => Ok(Table { n, cur, name }),
            _ => bad(format!(
                "{name} counts {n} records in {} bytes",
                cur.rest.len()
            )),
        }
    }

    /// The next column, `width` bytes a value, checked: a mode byte, a
    /// bitmap for some, the values' byte length (the present count times
    /// `width`) and the values.
    fn column(&mut self, width: usize, field: &str) -> Result<Column<'a>, Bad> {
        let what = format!("{}.{field}", self.name);
        let n = self.n;
        let (mode, present) = match self.cur.u8(&what)? {
            mode::NONE => (Mode::None, 0),
            mode::ALL => (Mode::All, n),
            mode::SOME => {
                let bits = self.cur.take(n.div_ceil(8), &what)?;
                if n % 8 != 0 && bits[n / 8] >> (n % 8) != 0 {
                    return bad(format!("{what}: the bitmap has bits past the last record"));
                }
                let present = bits.iter().map(|b| b.count_ones() as usize).sum();
                (Mode::Some(bits), present)
            }
            m => return bad(format!("{what}: unknown column mode {m}")),
        };
        let vals = match mode {
            Mode::None => &[][..],
            _ => {
                let len = self.cur.u64(&what)?;
                if usize::try_from(len).ok() != present.checked_mul(width) {
                    return bad(format!(
                        "{what}: {len} bytes of values for {present} values of {width} bytes"
                    ));
                }
                self.cur.take(present * width, &what)?
            }
        };
        Ok(Column {
            mode,
            vals,
            width,
            at: 0,
        })
    }

    /// Checks that the columns fill the section.
    fn end(&self) -> Result<(), Bad> {
        if self.cur.rest.is_empty() {
            Ok(())
        } else {
            bad(format!(
                "{} bytes follow the columns of {}",
                self.cur.rest.len(),
                self.name
            ))
        }
    }
}

/// Reads the values of one record against the arena and the counts.
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

    fn missing<T>(&self, field: &str) -> Result<T, Bad> {
        bad(format!("{}[{}]: {field} is missing", self.at.0, self.at.1))
    }

    fn opt_str(&self, v: Option<&[u8]>, field: &str) -> Result<Option<Str>, Bad> {
        let Some(v) = v else { return Ok(None) };
        match self.text.handle(u32_at(v, 0), u32_at(v, 4)) {
            Some(s) => Ok(Some(s)),
            None => self.fail(field),
        }
    }

    fn str(&self, v: Option<&[u8]>, field: &str) -> Result<Str, Bad> {
        match self.opt_str(v, field)? {
            Some(s) => Ok(s),
            None => self.missing(field),
        }
    }

    fn nonempty(&self, v: Option<&[u8]>, field: &str) -> Result<Str, Bad> {
        let s = self.str(v, field)?;
        if self.text.get(s).is_empty() {
            return bad(format!("{}[{}]: {field} is empty", self.at.0, self.at.1));
        }
        Ok(s)
    }

    fn list(&self, v: Option<&[u8]>, field: &str) -> Result<Option<StrList>, Bad> {
        let Some(v) = v else { return Ok(None) };
        match StrList::from_raw(u32_at(v, 0), u32_at(v, 4), self.lists) {
            Some(l) => Ok(Some(l)),
            None => self.fail(field),
        }
    }

    fn num(&self, v: Option<&[u8]>, field: &str) -> Result<OptNum, Bad> {
        let Some(v) = v else {
            return Ok(OptNum::NONE);
        };
        let x = f64_at(v, 0);
        if !x.is_finite() {
            return self.fail(field);
        }
        Ok(OptNum::from(Some(x)))
    }

    fn date(&self, v: Option<&[u8]>, field: &str) -> Result<Option<Date>, Bad> {
        let Some(v) = v else { return Ok(None) };
        match Date::from_number(u32_at(v, 0)) {
            Some(d) => Ok(Some(d)),
            None => self.fail(field),
        }
    }

    fn extra(&self, v: Option<&[u8]>) -> Result<Extra, Bad> {
        let Some(v) = v else { return Ok(Extra::NONE) };
        match Extra::from_raw(u32_at(v, 0), self.extras) {
            Some(e) if !e.is_none() => Ok(e),
            _ => self.fail("its unknown fields"),
        }
    }

    fn entity(&self, v: Option<&[u8]>, field: &str) -> Result<u32, Bad> {
        let Some(v) = v else {
            return self.missing(field);
        };
        let ix = u32_at(v, 0);
        if (ix as usize) < self.entities {
            Ok(ix)
        } else {
            self.fail(field)
        }
    }

    /// An enum's byte: its index among `names`.
    fn tag(&self, v: Option<&[u8]>, names: usize, field: &str) -> Result<Option<usize>, Bad> {
        match v {
            None => Ok(None),
            Some(v) if (v[0] as usize) < names => Ok(Some(v[0] as usize)),
            Some(_) => self.fail(field),
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
    let mut lists = Table::of(lists, "lists")?;
    let entities = Table::of(entities, "entities")?;
    let mut f = Fields {
        text: &model.text,
        lists: lists.n,
        extras: model.extras.len(),
        entities: entities.n,
        at: ("lists", 0),
    };

    let mut items = lists.column(STR_LEN, "string")?;
    lists.end()?;
    let mut list_items = Vec::with_capacity(lists.n);
    for i in 0..lists.n {
        f.at.1 = i;
        list_items.push(f.str(items.get(i), "string")?);
    }

    let segs = segments_of(&f, segments)?;
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
fn entities_of(f: &Fields<'_>, mut t: Table<'_>) -> Result<Vec<Entity>, Bad> {
    let mut f = f.clone();
    let mut id = t.column(STR_LEN, "id")?;
    let mut name = t.column(STR_LEN, "name")?;
    let mut kind = t.column(1, "kind")?;
    let mut country = t.column(STR_LEN, "country")?;
    let mut aliases = t.column(STR_LEN, "aliases")?;
    let mut ticker = t.column(STR_LEN, "ticker")?;
    let mut revenue = t.column(8, "revenue")?;
    let mut tags = t.column(STR_LEN, "tags")?;
    let mut sources = t.column(STR_LEN, "sources")?;
    let mut extra = t.column(4, "extra")?;
    t.end()?;
    let mut out = Vec::with_capacity(t.n);
    let mut ids = Interner::default();
    for i in 0..t.n {
        f.at = ("entities", i);
        let this = f.nonempty(id.get(i), "id")?;
        let id_text = f.text.get(this);
        if id_text.chars().any(char::is_control) {
            return bad(format!("entities[{i}]: id contains a control character"));
        }
        match ids.intern(id_text) {
            Some(sym) if sym as usize == i => {}
            _ => return bad(format!("entities[{i}]: id {id_text:?} is not unique")),
        }
        let kind = f
            .tag(kind.get(i), Kind::NAMES.len(), "kind")?
            .and_then(|k| Kind::parse(Kind::NAMES[k]));
        out.push(Entity {
            id: this,
            name: f.nonempty(name.get(i), "name")?,
            kind,
            country: f.opt_str(country.get(i), "country")?,
            aliases: f.list(aliases.get(i), "aliases")?,
            ticker: f.opt_str(ticker.get(i), "ticker")?,
            revenue: f.num(revenue.get(i), "revenue")?,
            tags: f.list(tags.get(i), "tags")?,
            sources: f.list(sources.get(i), "sources")?,
            extra: f.extra(extra.get(i))?,
        });
    }
    Ok(out)
}

fn segments_of(f: &Fields<'_>, sec: &[u8]) -> Result<Vec<Segment>, Bad> {
    let mut f = f.clone();
    let mut t = Table::of(sec, "segments")?;
    let mut seller = t.column(4, "seller")?;
    let mut name = t.column(STR_LEN, "name")?;
    let mut share_max = t.column(8, "share_max")?;
    let mut source = t.column(STR_LEN, "source")?;
    let mut extra = t.column(4, "extra")?;
    t.end()?;
    let mut out = Vec::with_capacity(t.n);
    for i in 0..t.n {
        f.at = ("segments", i);
        let Some(cap) = f.num(share_max.get(i), "share_max")?.get() else {
            return f.missing("share_max");
        };
        out.push(Segment {
            seller: f.entity(seller.get(i), "seller")?,
            name: f.nonempty(name.get(i), "name")?,
            share_max: cap,
            source: f.opt_str(source.get(i), "source")?,
            extra: f.extra(extra.get(i))?,
        });
    }
    Ok(out)
}

/// The relationships; an edge's segment must be one of its seller's.
fn relationships_of(
    f: &Fields<'_>,
    sec: &[u8],
    segs: &[Segment],
) -> Result<Vec<Relationship>, Bad> {
    let mut f = f.clone();
    let mut t = Table::of(sec, "relationships")?;
    let mut rel = t.column(1, "type")?;
    let mut from = t.column(4, "from")?;
    let mut to = t.column(4, "to")?;
    let mut share = t.column(8, "share")?;
    let mut value = t.column(8, "value")?;
    let mut share_min = t.column(8, "share_min")?;
    let mut share_max = t.column(8, "share_max")?;
    let mut percent = t.column(8, "percent")?;
    let mut confidence = t.column(1, "confidence")?;
    let mut product = t.column(STR_LEN, "product")?;
    let mut source = t.column(STR_LEN, "source")?;
    let mut since = t.column(4, "since")?;
    let mut segment = t.column(4, "segment")?;
    let mut extra = t.column(4, "extra")?;
    t.end()?;
    let mut out = Vec::with_capacity(t.n);
    for i in 0..t.n {
        f.at = ("relationships", i);
        let kind = match f.tag(rel.get(i), 2, "type")? {
            Some(0) => RelType::Supplies,
            Some(_) => RelType::Owns,
            None => return f.missing("type"),
        };
        let seller = f.entity(from.get(i), "from")?;
        // Segments lie anywhere in their array.
        if let Some(v) = segment.ahead(AHEAD) {
            prefetch(segs, u32_at(v, 0) as usize);
        }
        let confidence = f
            .tag(confidence.get(i), Confidence::NAMES.len(), "confidence")?
            .and_then(|c| Confidence::parse(Confidence::NAMES[c]));
        let segment = match segment.get(i) {
            None => SegmentRef::NONE,
            Some(v) => {
                let s = u32_at(v, 0) as usize;
                match segs.get(s) {
                    Some(seg) if seg.seller == seller && kind == RelType::Supplies => {
                        SegmentRef::new(s)
                    }
                    _ => return f.fail("segment"),
                }
            }
        };
        out.push(Relationship {
            rel: kind,
            from: seller,
            to: f.entity(to.get(i), "to")?,
            share: f.num(share.get(i), "share")?,
            value: f.num(value.get(i), "value")?,
            share_min: f.num(share_min.get(i), "share_min")?,
            share_max: f.num(share_max.get(i), "share_max")?,
            percent: f.num(percent.get(i), "percent")?,
            confidence,
            product: f.opt_str(product.get(i), "product")?,
            source: f.opt_str(source.get(i), "source")?,
            since: f.date(since.get(i), "since")?,
            segment,
            extra: f.extra(extra.get(i))?,
        });
    }
    Ok(out)
}

fn listings_of(f: &Fields<'_>, sec: &[u8]) -> Result<Vec<Listing>, Bad> {
    let mut f = f.clone();
    let mut t = Table::of(sec, "listings")?;
    let mut entity = t.column(4, "entity")?;
    let mut list = t.column(STR_LEN, "list")?;
    let mut start = t.column(4, "start")?;
    let mut end = t.column(4, "end")?;
    let mut citation = t.column(STR_LEN, "citation")?;
    let mut reason = t.column(STR_LEN, "reason")?;
    let mut extra = t.column(4, "extra")?;
    t.end()?;
    let mut out = Vec::with_capacity(t.n);
    for i in 0..t.n {
        f.at = ("listings", i);
        let from = f.date(start.get(i), "start")?;
        let until = f.date(end.get(i), "end")?;
        if let (Some(s), Some(e)) = (from, until) {
            if e < s {
                return bad(format!("listings[{i}]: end {e} is before start {s}"));
            }
        }
        out.push(Listing {
            entity: f.entity(entity.get(i), "entity")?,
            list: f.nonempty(list.get(i), "list")?,
            start: from,
            end: until,
            citation: f.opt_str(citation.get(i), "citation")?,
            reason: f.opt_str(reason.get(i), "reason")?,
            extra: f.extra(extra.get(i))?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
