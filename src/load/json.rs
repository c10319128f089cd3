//! One streaming pass over `exposure-graph/1` JSON with serde seeds:
//! strings go straight into the model's arena (ids borrowed from the input
//! when they hold no escapes), and a field of the wrong type is recorded
//! with its path instead of stopping the parse, so that one run reports
//! every problem. Each record's fields are read here (each value through
//! `values.rs`, which checks its type) and handed to `records.rs`, which
//! checks the record's rules and keeps it.
//!
//! Owns the JSON syntax of the document and its records, nothing else: no
//! rule about a record's content is decided here (an unknown `kind` or a
//! malformed date, which are problems of one value, aside).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::locate::{self, Seg};
use super::records::{
    Builder, EntityFields, ListingFields, RelationshipFields, Seed, SegmentFields,
};
use super::values::{other_scalars, KeySeed, Scalar, ScalarSeed};
use super::{Place, Problems};
use crate::model::{Confidence, Kind, Model, RelType};

/// Parses `text`; returns the model when the JSON could be read at all
/// (the problems found on the way are in `problems`).
pub(super) fn parse(text: &str, problems: &mut Problems) -> Option<Model> {
    let mut b = Builder::over(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let result = TopSeed::new(&mut b)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(e) = result {
        let message = e.to_string();
        // serde_json appends " at line L column C"; we say it first.
        let message = match message.rfind(" at line ") {
            Some(cut) => message[..cut].to_string(),
            None => message,
        };
        let place = if e.line() == 0 {
            Place::File
        } else {
            Place::Position {
                line: e.line(),
                column: e.column().max(1),
            }
        };
        problems.push(place, message);
        return None;
    }
    for m in &b.mistyped {
        let (line, column) = match &m.repeat {
            Some(key) => locate::repeated_key_position(text, &m.path, key),
            None => locate::path_position(text, &m.path),
        };
        problems.push(Place::Position { line, column }, m.message.clone());
    }
    b.finish(problems)
}

/// A record a scenario adds to a copy of a graph.
#[derive(Clone, Copy, Debug)]
pub enum Addition<'v> {
    Entity(&'v Value),
    Relationship(&'v Value),
    Segment(&'v Value),
}

/// Appends one record, given as a JSON value, to `model`, with the checks
/// the parser makes (types, required fields, unique id, known ids). The
/// rules that span records are for the caller to run afterwards. `seed`:
/// see [`Builder::seeded`]; `before`: how many relationships come before
/// `model`'s own (a copy that holds only those it appended), which the
/// messages count in.
pub(super) fn append(
    model: &mut Model,
    addition: Addition<'_>,
    seed: Option<&Seed>,
    before: usize,
    problems: &mut Problems,
) {
    let mut b = Builder::seeded(std::mem::take(model), seed);
    b.rel_offset = before;
    let (key, kind, value) = match addition {
        Addition::Entity(v) => ("entity", Record::Entity(b.model.entities.len()), v),
        Addition::Relationship(v) => (
            "relationship",
            Record::Relationship(before + b.model.relationships.len()),
            v,
        ),
        Addition::Segment(v) => ("segment", Record::Segment(b.model.segments.len()), v),
    };
    b.path.push(Seg::Key(key));
    let found = RecordSeed { b: &mut b, kind }.deserialize(value);
    b.path.pop();
    match found {
        Err(e) => problems.push(Place::File, e.to_string()),
        Ok(Some(v)) => b.mistype(key, "an object", &v),
        Ok(None) => {}
    }
    let place = match kind {
        Record::Entity(index) => Place::Entity { index, id: None },
        Record::Segment(index) => Place::Segment {
            index,
            seller: None,
            name: None,
        },
        _ => Place::Relationship {
            index: (before + b.model.relationships.len()).saturating_sub(1),
            label: key.into(),
        },
    };
    for m in std::mem::take(&mut b.mistyped) {
        problems.push(place.clone(), m.message);
    }
    if let Some(m) = b.finish(problems) {
        *model = m;
    }
}

/// The whole document.
pub(super) struct TopSeed<'a, 'de> {
    b: &'a mut Builder<'de>,
    /// Set when the read is to stop right after the `relationships`
    /// array (the first part of a split parse, `split.rs`); becomes true
    /// when it did.
    stopped: Option<&'a mut bool>,
}

impl<'a, 'de> TopSeed<'a, 'de> {
    pub(super) fn new(b: &'a mut Builder<'de>) -> TopSeed<'a, 'de> {
        TopSeed { b, stopped: None }
    }

    /// Reads up to the end of the `relationships` array and stops there,
    /// setting `stopped`.
    pub(super) fn stopping(b: &'a mut Builder<'de>, stopped: &'a mut bool) -> TopSeed<'a, 'de> {
        TopSeed {
            b,
            stopped: Some(stopped),
        }
    }
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with \"format\": \"exposure-graph/1\"")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let b = self.b;
        let mut stopped = self.stopped;
        let mut extra = Map::new();
        b.seen_entities.get_or_insert(false);
        let mut seen = 0u32;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key.as_ref() {
                "format" => {
                    b.once(&mut seen, 0, "format");
                    // `null` says no more than a missing `format` does.
                    b.format = match map.next_value_seed(ScalarSeed)? {
                        Scalar::Null => None,
                        Scalar::Str(s) => Some(Some(s.into_owned())),
                        other => {
                            b.mistype("format", "a string", &other);
                            Some(None)
                        }
                    };
                }
                "meta" => {
                    b.once(&mut seen, 1, "meta");
                    b.path.push(Seg::Key("meta"));
                    let found = map.next_value_seed(RecordSeed {
                        b: &mut *b,
                        kind: Record::Meta,
                    })?;
                    b.path.pop();
                    if let Some(v) = found {
                        b.mistype("meta", "an object", &v);
                    }
                }
                "entities" | "relationships" | "listings" | "segments" => {
                    let (key, record) = match key.as_ref() {
                        "entities" => {
                            b.seen_entities = Some(true);
                            ("entities", Record::Entity(0))
                        }
                        "relationships" => ("relationships", Record::Relationship(0)),
                        "segments" => ("segments", Record::Segment(0)),
                        _ => ("listings", Record::Listing(0)),
                    };
                    let bit = match key {
                        "entities" => 2,
                        "relationships" => 3,
                        "segments" => 4,
                        _ => 5,
                    };
                    b.once(&mut seen, bit, key);
                    b.path.push(Seg::Key(key));
                    let found = map.next_value_seed(ArraySeed { b: &mut *b, record })?;
                    b.path.pop();
                    if let Some(v) = found {
                        b.mistype(key, "an array", &v);
                    }
                    if key == "relationships" {
                        if let Some(stopped) = stopped.as_deref_mut() {
                            *stopped = true;
                            break;
                        }
                    }
                }
                _ => {
                    let v: Value = map.next_value()?;
                    if extra.insert(key.to_string(), v).is_some() {
                        b.repeated(&key);
                    }
                }
            }
        }
        b.model.extra.extend(extra);
        Ok(())
    }
}

/// Which record an object is, with its index in its array.
#[derive(Clone, Copy)]
pub(super) enum Record {
    Meta,
    Entity(usize),
    Relationship(usize),
    Listing(usize),
    Segment(usize),
}

/// An array of records; `Some(found)` when the value was not an array.
struct ArraySeed<'a, 'de> {
    b: &'a mut Builder<'de>,
    record: Record,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, 'de> {
    type Value = Option<Scalar<'de>>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, 'de> {
    type Value = Option<Scalar<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let b = self.b;
        let mut i = 0;
        loop {
            let record = match self.record {
                Record::Entity(_) => Record::Entity(i),
                Record::Relationship(_) => Record::Relationship(i),
                Record::Listing(_) => Record::Listing(i),
                Record::Segment(_) => Record::Segment(i),
                Record::Meta => Record::Meta,
            };
            b.path.push(Seg::Index(i));
            let found = seq.next_element_seed(RecordSeed {
                b: &mut *b,
                kind: record,
            });
            b.path.pop();
            match found? {
                None => break,
                Some(None) => {}
                Some(Some(v)) => {
                    let what = match record {
                        Record::Entity(_) => "an entity (an object)",
                        Record::Relationship(_) => "a relationship (an object)",
                        Record::Segment(_) => "a segment (an object)",
                        _ => "a listing (an object)",
                    };
                    b.mistype_item(i, what, &v);
                }
            }
            i += 1;
        }
        Ok(None)
    }
    other_scalars!(Some);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Some(Scalar::Object))
    }
}

/// One object record; `Some(found)` when the value was not an object.
pub(super) struct RecordSeed<'a, 'de> {
    pub b: &'a mut Builder<'de>,
    pub kind: Record,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, 'de> {
    type Value = Option<Scalar<'de>>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, 'de> {
    type Value = Option<Scalar<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        match self.kind {
            Record::Meta => meta(self.b, map)?,
            Record::Entity(i) => entity(self.b, i, map)?,
            Record::Relationship(i) => relationship(self.b, i, map)?,
            Record::Listing(i) => listing(self.b, i, map)?,
            Record::Segment(i) => segment(self.b, i, map)?,
        }
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Some(Scalar::Array))
    }
    other_scalars!(Some);
}

fn meta<'de, A: MapAccess<'de>>(b: &mut Builder<'de>, mut map: A) -> Result<(), A::Error> {
    b.model.has_meta = true;
    let mut bad = Vec::new();
    let mut seen = 0u32;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match key.as_ref() {
            "title" => {
                b.once(&mut seen, 0, "title");
                b.model.meta.title = b.string(&mut map, "title")?.map(Cow::into_owned);
            }
            "as_of" => {
                b.once(&mut seen, 1, "as_of");
                b.model.meta.as_of = b.date(&mut map, "as_of", &mut bad)?;
            }
            "currency" => {
                b.once(&mut seen, 2, "currency");
                b.model.meta.currency = b.string(&mut map, "currency")?.map(Cow::into_owned)
            }
            "notes" => {
                b.once(&mut seen, 3, "notes");
                b.model.meta.notes = b.string(&mut map, "notes")?.map(Cow::into_owned);
            }
            _ => {
                let v: Value = map.next_value()?;
                if b.model.meta.extra.insert(key.to_string(), v).is_some() {
                    b.repeated(&key);
                }
            }
        }
    }
    for message in bad {
        b.found.push(Place::Meta, message);
    }
    Ok(())
}

fn entity<'de, A: MapAccess<'de>>(
    b: &mut Builder<'de>,
    index: usize,
    mut map: A,
) -> Result<(), A::Error> {
    let mut f = EntityFields::default();
    let mut seen = 0u32;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match key.as_ref() {
            "id" => {
                b.once(&mut seen, 0, "id");
                f.id = b.string(&mut map, "id")?;
            }
            "name" => {
                b.once(&mut seen, 1, "name");
                f.name = b.string(&mut map, "name")?;
            }
            "kind" => {
                b.once(&mut seen, 2, "kind");
                if let Some(k) = b.string(&mut map, "kind")? {
                    f.kind = Kind::parse(&k);
                    if f.kind.is_none() {
                        f.bad.push(format!(
                            "kind {k:?} is not one of {}",
                            Kind::NAMES.join(", ")
                        ));
                    }
                }
            }
            "country" => {
                b.once(&mut seen, 3, "country");
                f.country = b.text_field(&mut map, "country")?;
            }
            "aliases" => {
                b.once(&mut seen, 4, "aliases");
                f.aliases = b.str_list(&mut map, "aliases")?;
            }
            "ticker" => {
                b.once(&mut seen, 5, "ticker");
                f.ticker = b.text_field(&mut map, "ticker")?;
            }
            "revenue" => {
                b.once(&mut seen, 6, "revenue");
                f.revenue = b.number(&mut map, "revenue")?;
            }
            "tags" => {
                b.once(&mut seen, 7, "tags");
                f.tags = b.str_list(&mut map, "tags")?;
            }
            "sources" => {
                b.once(&mut seen, 8, "sources");
                f.sources = b.str_list(&mut map, "sources")?;
            }
            _ => {
                let v: Value = map.next_value()?;
                if f.extra.insert(key.to_string(), v).is_some() {
                    b.repeated(&key);
                }
            }
        }
    }
    b.add_entity(index, f);
    Ok(())
}

fn relationship<'de, A: MapAccess<'de>>(
    b: &mut Builder<'de>,
    index: usize,
    mut map: A,
) -> Result<(), A::Error> {
    let mut f = RelationshipFields::default();
    let mut seen = 0u32;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match key.as_ref() {
            "type" => {
                b.once(&mut seen, 0, "type");
                if let Some(t) = b.string(&mut map, "type")? {
                    f.rel = RelType::parse(&t);
                    f.type_text = Some(t);
                }
            }
            "from" => {
                b.once(&mut seen, 1, "from");
                if let Some(s) = b.string(&mut map, "from")? {
                    f.from = Some(s);
                }
            }
            "to" => {
                b.once(&mut seen, 2, "to");
                if let Some(s) = b.string(&mut map, "to")? {
                    f.to = Some(s);
                }
            }
            "share" => {
                b.once(&mut seen, 3, "share");
                f.share = b.number(&mut map, "share")?;
            }
            "value" => {
                b.once(&mut seen, 4, "value");
                f.value = b.number(&mut map, "value")?;
            }
            "share_min" => {
                b.once(&mut seen, 5, "share_min");
                f.share_min = b.number(&mut map, "share_min")?;
            }
            "share_max" => {
                b.once(&mut seen, 6, "share_max");
                f.share_max = b.number(&mut map, "share_max")?;
            }
            "percent" => {
                b.once(&mut seen, 7, "percent");
                f.percent = b.number(&mut map, "percent")?;
            }
            "confidence" => {
                b.once(&mut seen, 8, "confidence");
                if let Some(c) = b.string(&mut map, "confidence")? {
                    f.confidence = Confidence::parse(&c);
                    if f.confidence.is_none() {
                        f.bad.push(format!(
                            "confidence {c:?} is not one of {}",
                            Confidence::NAMES.join(", ")
                        ));
                    }
                }
            }
            "product" => {
                b.once(&mut seen, 9, "product");
                f.product = b.text_field(&mut map, "product")?;
            }
            "source" => {
                b.once(&mut seen, 10, "source");
                f.source = b.text_field(&mut map, "source")?;
            }
            "since" => {
                b.once(&mut seen, 11, "since");
                f.since = b.date(&mut map, "since", &mut f.bad)?;
            }
            "segment" => {
                b.once(&mut seen, 12, "segment");
                f.segment = b.string(&mut map, "segment")?;
            }
            _ => {
                let v: Value = map.next_value()?;
                if f.extra.insert(key.to_string(), v).is_some() {
                    b.repeated(&key);
                }
            }
        }
    }
    b.add_relationship(index, f);
    Ok(())
}

fn listing<'de, A: MapAccess<'de>>(
    b: &mut Builder<'de>,
    index: usize,
    mut map: A,
) -> Result<(), A::Error> {
    let mut f = ListingFields::default();
    let mut seen = 0u32;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match key.as_ref() {
            "entity" => {
                b.once(&mut seen, 0, "entity");
                if let Some(s) = b.string(&mut map, "entity")? {
                    f.entity = Some(s);
                }
            }
            "list" => {
                b.once(&mut seen, 1, "list");
                f.list = b.string(&mut map, "list")?;
            }
            "start" => {
                b.once(&mut seen, 2, "start");
                f.start = b.date(&mut map, "start", &mut f.bad)?;
            }
            "end" => {
                b.once(&mut seen, 3, "end");
                f.end = b.date(&mut map, "end", &mut f.bad)?;
            }
            "citation" => {
                b.once(&mut seen, 4, "citation");
                f.citation = b.text_field(&mut map, "citation")?;
            }
            "reason" => {
                b.once(&mut seen, 5, "reason");
                f.reason = b.text_field(&mut map, "reason")?;
            }
            _ => {
                let v: Value = map.next_value()?;
                if f.extra.insert(key.to_string(), v).is_some() {
                    b.repeated(&key);
                }
            }
        }
    }
    b.add_listing(index, f);
    Ok(())
}

fn segment<'de, A: MapAccess<'de>>(
    b: &mut Builder<'de>,
    index: usize,
    mut map: A,
) -> Result<(), A::Error> {
    let mut f = SegmentFields::default();
    let mut seen = 0u32;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match key.as_ref() {
            "seller" => {
                b.once(&mut seen, 0, "seller");
                f.seller = b.string(&mut map, "seller")?;
            }
            "name" => {
                b.once(&mut seen, 1, "name");
                f.name = b.string(&mut map, "name")?;
            }
            "share_max" => {
                b.once(&mut seen, 2, "share_max");
                f.share_max = b.number(&mut map, "share_max")?;
            }
            "source" => {
                b.once(&mut seen, 3, "source");
                f.source = b.text_field(&mut map, "source")?;
            }
            _ => {
                let v: Value = map.next_value()?;
                if f.extra.insert(key.to_string(), v).is_some() {
                    b.repeated(&key);
                }
            }
        }
    }
    b.add_segment(index, f);
    Ok(())
}
