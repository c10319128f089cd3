//! One streaming pass over `exposure-graph/1` JSON with serde seeds: entity
//! ids are interned while parsing, the ids a relationship names are looked
//! up after the pass, many at a time (borrowed from the input when they
//! hold no escapes), strings go straight into the model's arena, and a
//! field of the wrong type is recorded with its path instead of stopping the
//! parse, so that one run reports every problem.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::intern::{self, Interner};
use super::{locate, Place, Problems};
use crate::model::{
    Confidence, Date, Entity, EntityIx, Kind, Listing, Model, RelType, Relationship, SegmentRef,
    Str, StrList, Text, TextFull,
};
use crate::parallel::both;

/// Marks an interned id that no entity defines (yet).
const UNDEFINED: u32 = u32::MAX;

/// A step of the path to a value: an object key or an array index.
#[derive(Clone, Copy, Debug)]
pub(super) enum Seg {
    Key(&'static str),
    Index(usize),
}

/// A field of the wrong type, to be placed by line and column afterwards.
struct Mistyped {
    path: Vec<Seg>,
    /// `entities[3].share must be a number, found a string`.
    message: String,
    /// The part after the path: `must be a number, found a string`.
    what: String,
}

/// Parses `text`; returns the model when the JSON could be read at all
/// (the problems found on the way are in `problems`).
pub(super) fn parse(text: &str, problems: &mut Problems) -> Option<Model> {
    let mut b = Builder {
        input: text,
        ..Builder::default()
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let result = TopSeed(&mut b).deserialize(&mut de).and_then(|()| de.end());
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
        let (line, column) = locate::path_position(text, &m.path);
        problems.push(Place::Position { line, column }, m.message.clone());
    }
    b.finish(problems)
}

/// A record a scenario adds to a copy of a graph.
#[derive(Clone, Copy, Debug)]
pub enum Addition<'v> {
    Entity(&'v Value),
    Relationship(&'v Value),
}

/// Appends one record, given as a JSON value, to `model`, with the checks
/// the parser makes (types, required fields, unique id, known ids). The
/// rules that span records are for the caller to run afterwards.
pub(super) fn append(model: &mut Model, addition: Addition<'_>, problems: &mut Problems) {
    let mut b = Builder::seeded(std::mem::take(model));
    let (key, kind, value) = match addition {
        Addition::Entity(v) => ("entity", Record::Entity(b.model.entities.len()), v),
        Addition::Relationship(v) => (
            "relationship",
            Record::Relationship(b.model.relationships.len()),
            v,
        ),
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
        _ => Place::Relationship {
            index: b.model.relationships.len().saturating_sub(1),
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

/// The records of a CSV array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Array {
    Entities,
    Relationships,
    Listings,
}

impl Array {
    pub(super) fn key(self) -> &'static str {
        match self {
            Array::Entities => "entities",
            Array::Relationships => "relationships",
            Array::Listings => "listings",
        }
    }
}

/// A field of the wrong type inside a record fed to [`Feed`]: the record's
/// array and index, the path inside the record (`aliases[1]`), and what is
/// wrong (`must be a string, found a number`).
pub(super) struct FedMistype {
    pub array: Option<Array>,
    pub index: usize,
    pub field: Option<&'static str>,
    pub shown: String,
    pub what: String,
}

/// Builds a model from records given one at a time as JSON objects (the
/// rows of the CSV form), through the very code that reads them from a
/// JSON file: the same types, required fields, unique and known ids and
/// dates are checked, with the same messages.
pub(super) struct Feed {
    b: Builder<'static>,
}

impl Feed {
    pub(super) fn new() -> Feed {
        Feed {
            b: Builder {
                format: Some(Some("exposure-graph/1".into())),
                ..Builder::default()
            },
        }
    }

    /// How many records of `array` were fed so far (the index of the next).
    pub(super) fn len(&self, array: Array) -> usize {
        match array {
            Array::Entities => self.b.model.entities.len(),
            Array::Relationships => self.b.model.relationships.len(),
            Array::Listings => self.b.model.listings.len(),
        }
    }

    /// Adds the `meta` object.
    pub(super) fn meta(&mut self, fields: Map<String, Value>) {
        self.b.path.push(Seg::Key("meta"));
        self.feed(Record::Meta, fields);
        self.b.path.pop();
    }

    /// Adds one record at the end of its array.
    pub(super) fn record(&mut self, array: Array, fields: Map<String, Value>) {
        let index = self.len(array);
        let kind = match array {
            Array::Entities => Record::Entity(index),
            Array::Relationships => Record::Relationship(index),
            Array::Listings => Record::Listing(index),
        };
        self.b.path.push(Seg::Key(array.key()));
        self.b.path.push(Seg::Index(index));
        self.feed(kind, fields);
        self.b.path.truncate(self.b.path.len() - 2);
    }

    fn feed(&mut self, kind: Record, fields: Map<String, Value>) {
        // An owned `Value` deserializes for any lifetime, and our visitors
        // accept every JSON value: this cannot fail.
        if let Err(e) = (RecordSeed {
            b: &mut self.b,
            kind,
        })
        .deserialize(Value::Object(fields))
        {
            self.b.found.push(Place::File, e.to_string());
        }
    }

    /// Sets the unknown top-level fields.
    pub(super) fn top_extra(&mut self, fields: Map<String, Value>) {
        self.b.model.extra = fields;
    }

    /// The fields of the wrong type found so far.
    pub(super) fn take_mistyped(&mut self) -> Vec<FedMistype> {
        std::mem::take(&mut self.b.mistyped)
            .into_iter()
            .map(|m| {
                let array = match m.path.first() {
                    Some(Seg::Key("entities")) => Some(Array::Entities),
                    Some(Seg::Key("relationships")) => Some(Array::Relationships),
                    Some(Seg::Key("listings")) => Some(Array::Listings),
                    _ => None,
                };
                let rest = if array.is_some() {
                    &m.path[2.min(m.path.len())..]
                } else {
                    &m.path[1.min(m.path.len())..]
                };
                let index = match m.path.get(1) {
                    Some(Seg::Index(i)) if array.is_some() => *i,
                    _ => 0,
                };
                let field = match rest.first() {
                    Some(Seg::Key(k)) => Some(*k),
                    _ => None,
                };
                let mut shown = String::new();
                for seg in rest {
                    match seg {
                        Seg::Key(k) => {
                            if !shown.is_empty() {
                                shown.push('.');
                            }
                            shown.push_str(k);
                        }
                        Seg::Index(i) => shown.push_str(&format!("[{i}]")),
                    }
                }
                FedMistype {
                    array,
                    index,
                    field,
                    shown,
                    what: m.what,
                }
            })
            .collect()
    }

    /// Resolves ids and hands over the model, as the JSON parser does.
    pub(super) fn finish(self, problems: &mut Problems) -> Option<Model> {
        self.b.finish(problems)
    }
}

#[derive(Default)]
pub(super) struct Builder<'de> {
    model: Model,
    /// Every id seen (defined or referenced) → its symbol.
    ids: Interner,
    /// The JSON text being parsed, when there is one: the ids of
    /// relationships borrowed from it are looked up after the parse, many
    /// at a time ([`Builder::resolve_deferred`]).
    input: &'de str,
    /// Bit `2 i + end` says that the `from` (end 0) or `to` (end 1) of
    /// relationship `i` holds the offset of its id in `input`, not a
    /// symbol yet.
    deferred: Vec<u64>,
    /// The symbol of each entity's id (`UNDEFINED` when it has none); the
    /// id's text goes to the arena when the model is handed over.
    entity_sym: Vec<u32>,
    /// Entities before this one were handed in (`seeded`) with their ids.
    first_new: usize,
    /// Symbol → the entity that defines it, or [`UNDEFINED`].
    sym_entity: Vec<u32>,
    path: Vec<Seg>,
    mistyped: Vec<Mistyped>,
    /// Problems placed by record, found while parsing.
    found: Problems,
    format: Option<Option<String>>,
    /// Scratch for string lists.
    scratch: Vec<Str>,
    text_full: bool,
    /// Whether the document had an `entities` array (`None`: records fed
    /// one by one, where the question does not arise).
    seen_entities: Option<bool>,
    /// Stop reading the document right after its `relationships` array
    /// (the first part of a split parse, `split.rs`); `stopped` says it did.
    stop_after_relationships: bool,
    stopped: bool,
}

/// The visits of the scalar JSON types, for a visitor that wants none of
/// them: each says what it found, wrapped by `$wrap`.
macro_rules! other_scalars {
    ($wrap:expr) => {
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Null))
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Str(Cow::Borrowed(v))))
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Str(Cow::Borrowed(""))))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Num(v)))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Num(v as f64)))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Num(v as f64)))
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($wrap(Scalar::Bool))
        }
    };
}

/// What a field's value turned out to be.
enum Scalar<'de> {
    Str(Cow<'de, str>),
    Num(f64),
    Bool,
    Null,
    Array,
    Object,
}

impl Scalar<'_> {
    fn describe(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "a string",
            Scalar::Num(_) => "a number",
            Scalar::Bool => "a boolean",
            Scalar::Null => "null",
            Scalar::Array => "an array",
            Scalar::Object => "an object",
        }
    }
}

/// An object key, borrowed from the input when it has no escapes (serde's
/// own `Cow<str>` always allocates, once per key of every record).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

struct ScalarSeed;

impl<'de> DeserializeSeed<'de> for ScalarSeed {
    type Value = Scalar<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v as f64))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Num(v as f64))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Object)
    }
}

impl<'de> Builder<'de> {
    /// A builder that continues a valid model: every entity's id is
    /// interned with its index as its symbol.
    fn seeded(model: Model) -> Builder<'de> {
        let mut b = Builder {
            format: Some(Some("exposure-graph/1".into())),
            ..Builder::default()
        };
        for (i, e) in model.entities.iter().enumerate() {
            let sym = b.ids.intern(model.text.get(e.id));
            debug_assert_eq!(sym, Some(i as u32), "a valid model has unique ids");
            b.sym_entity.push(i as u32);
            b.entity_sym.push(i as u32);
        }
        b.first_new = model.entities.len();
        b.model = model;
        b
    }

    /// Records that field `key` at the current path is of the wrong type.
    fn mistype(&mut self, key: &'static str, expected: &str, found: &Scalar<'_>) {
        let mut path = self.path.clone();
        path.push(Seg::Key(key));
        self.push_mistyped(path, expected, found.describe());
    }

    /// Records that item `i` of the array at the current path is of the
    /// wrong type.
    fn mistype_item(&mut self, i: usize, expected: &str, found: &Scalar<'_>) {
        let mut path = self.path.clone();
        path.push(Seg::Index(i));
        self.push_mistyped(path, expected, found.describe());
    }

    fn push_mistyped(&mut self, path: Vec<Seg>, expected: &str, found: &str) {
        let mut shown = String::new();
        for seg in &path {
            match seg {
                Seg::Key(k) if shown.is_empty() => shown.push_str(k),
                Seg::Key(k) => {
                    shown.push('.');
                    shown.push_str(k);
                }
                Seg::Index(i) => shown.push_str(&format!("[{i}]")),
            }
        }
        let what = format!("must be {expected}, found {found}");
        let message = format!("{shown} {what}");
        self.mistyped.push(Mistyped {
            path,
            message,
            what,
        });
    }

    /// Reads the value of `key`; `null` counts as absent.
    fn scalar<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
        expected: &str,
        want: fn(&Scalar<'de>) -> bool,
    ) -> Result<Option<Scalar<'de>>, A::Error> {
        let v = map.next_value_seed(ScalarSeed)?;
        if matches!(v, Scalar::Null) {
            return Ok(None);
        }
        if want(&v) {
            Ok(Some(v))
        } else {
            self.mistype(key, expected, &v);
            Ok(None)
        }
    }

    fn string<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
    ) -> Result<Option<Cow<'de, str>>, A::Error> {
        let v = self.scalar(map, key, "a string", |v| matches!(v, Scalar::Str(_)))?;
        Ok(match v {
            Some(Scalar::Str(s)) => Some(s),
            _ => None,
        })
    }

    fn number<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
    ) -> Result<Option<f64>, A::Error> {
        let v = self.scalar(map, key, "a number", |v| matches!(v, Scalar::Num(_)))?;
        Ok(match v {
            Some(Scalar::Num(n)) => Some(n),
            _ => None,
        })
    }

    fn text(&mut self, s: &str) -> Str {
        self.model.text.push(s).unwrap_or_else(|_| {
            self.text_full = true;
            Str::default()
        })
    }

    fn text_field<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
    ) -> Result<Option<Str>, A::Error> {
        Ok(self.string(map, key)?.map(|s| self.text(&s)))
    }

    /// A date field; a malformed date is reported against the record.
    fn date<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
        bad: &mut Vec<String>,
    ) -> Result<Option<Date>, A::Error> {
        let Some(s) = self.string(map, key)? else {
            return Ok(None);
        };
        let date = Date::parse(&s);
        if date.is_none() {
            bad.push(format!(
                "{key} {s:?} is not a real date in the form YYYY-MM-DD"
            ));
        }
        Ok(date)
    }

    fn str_list<A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: &'static str,
    ) -> Result<Option<StrList>, A::Error> {
        self.path.push(Seg::Key(key));
        let found = map.next_value_seed(StrListSeed(self));
        self.path.pop();
        match found? {
            None => {
                let items = std::mem::take(&mut self.scratch);
                let list = self.model.push_list(&items);
                self.scratch = items;
                self.scratch.clear();
                Ok(Some(list))
            }
            Some(Scalar::Null) => Ok(None),
            Some(what) => {
                self.mistype(key, "an array of strings", &what);
                Ok(None)
            }
        }
    }

    /// The symbol of an id, interning it on first sight.
    fn intern(&mut self, id: &str) -> u32 {
        self.intern_hashed(id, intern::hash(id.as_bytes()))
    }

    fn intern_hashed(&mut self, id: &str, h: u64) -> u32 {
        let Some(sym) = self.ids.intern_hashed(id, h) else {
            self.text_full = true;
            return UNDEFINED;
        };
        if sym as usize == self.sym_entity.len() {
            self.sym_entity.push(UNDEFINED);
        }
        sym
    }

    /// The `from` (end 0) or `to` (end 1) of the relationship being read
    /// (the next of the model's): a symbol, or, for an id borrowed from the
    /// input, its offset there (looked up later by
    /// [`Builder::resolve_deferred`]).
    fn reference(&mut self, id: &str, end: usize) -> u32 {
        let index = self.model.relationships.len();
        // Only a string borrowed from the input lies inside it.
        let offset = (id.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        let borrowed = offset < self.input.len();
        match u32::try_from(offset) {
            Ok(offset) if borrowed && offset != UNDEFINED => {
                let bit = 2 * index + end;
                if self.deferred.len() <= bit / 64 {
                    self.deferred.resize(bit / 64 + 1, 0);
                }
                self.deferred[bit / 64] |= 1 << (bit % 64);
                offset
            }
            _ => self.intern(id),
        }
    }

    /// Looks up the ids that [`Builder::reference`] put off.
    pub(super) fn resolve_deferred(&mut self) {
        let deferred = std::mem::take(&mut self.deferred);
        let mut rels = std::mem::take(&mut self.model.relationships);
        look_up_offsets(self.input, &mut rels, &deferred, 0, &mut *self);
        self.model.relationships = rels;
    }

    /// Resolves ids to entity indexes and hands over the model.
    pub(super) fn finish(mut self, problems: &mut Problems) -> Option<Model> {
        if self.seen_entities == Some(false) {
            self.found.push(
                Place::File,
                "the required field \"entities\" is missing (it may be an empty array)",
            );
        }
        self.resolve_deferred();
        for d in std::mem::take(&mut self.found.list) {
            problems.push(d.place, d.message);
        }
        problems.more += self.found.more;
        match &self.format {
            None => problems.push(
                Place::Format,
                "missing: the file must say \"format\": \"exposure-graph/1\"",
            ),
            Some(Some(f)) if f == "exposure-graph/1" => {}
            Some(Some(f)) => problems.push(
                Place::Format,
                format!("is {f:?}; expected \"exposure-graph/1\""),
            ),
            Some(None) => {}
        }
        // Entity ids go to the arena together, in entity order.
        for i in self.first_new..self.model.entities.len() {
            let sym = self.entity_sym[i];
            if sym != UNDEFINED {
                let id = self.model.text.push(self.ids.get(sym)).unwrap_or_else(|_| {
                    self.text_full = true;
                    Str::default()
                });
                self.model.entities[i].id = id;
            }
        }
        if self.text_full {
            problems.push(
                Place::File,
                "the graph's text is larger than 4 GiB; split the graph",
            );
        }
        let sym_entity = std::mem::take(&mut self.sym_entity);
        let resolve = |sym: u32| {
            if sym == UNDEFINED {
                UNDEFINED
            } else {
                sym_entity[sym as usize]
            }
        };
        for (i, r) in self.model.relationships.iter_mut().enumerate() {
            let (from, to) = (resolve(r.from), resolve(r.to));
            for (end, sym, ix) in [("from", r.from, from), ("to", r.to, to)] {
                if ix == UNDEFINED && sym != UNDEFINED {
                    let id = |s: u32| if s == UNDEFINED { "?" } else { self.ids.get(s) };
                    let label = format!("{} {} -> {}", r.rel.as_str(), id(r.from), id(r.to));
                    problems.push(
                        Place::Relationship { index: i, label },
                        format!(
                            "{end} names {:?}, which is not the id of any entity",
                            id(sym)
                        ),
                    );
                }
            }
            r.from = from;
            r.to = to;
        }
        for (i, l) in self.model.listings.iter_mut().enumerate() {
            let ix = resolve(l.entity);
            if ix == UNDEFINED && l.entity != UNDEFINED {
                let id = self.ids.get(l.entity).to_string();
                problems.push(
                    Place::Listing {
                        index: i,
                        entity: Some(id.clone()),
                    },
                    format!("entity {id:?} is not the id of any entity"),
                );
            }
            l.entity = ix;
        }
        Some(self.model)
    }
}

/// The records a later part of a split document adds to the first part's
/// model (`split.rs`), their ids already resolved to its entity indexes.
pub(super) struct Tail {
    relationships: Vec<Relationship>,
    listings: Vec<Listing>,
    text: Text,
    /// Where `text` begins in the model's arena once moved there.
    shift: u32,
    extras: Vec<Map<String, Value>>,
    extra: Map<String, Value>,
}

impl Tail {
    /// Moves the strings of the records to the end of `model`'s arena.
    pub(super) fn move_text(mut self, model: &mut Model) -> Result<Tail, TextFull> {
        self.shift = model.text.append(&std::mem::take(&mut self.text))?;
        Ok(self)
    }

    /// Appends the records to `model`, whose arena holds their strings
    /// ([`Tail::move_text`]), and their unknown fields to its side table.
    pub(super) fn append_to(self, model: &mut Model) {
        let shift = self.shift;
        let extras = model.extras.len() as u32;
        let str_of = |s: Option<Str>| s.map(|s| s.shifted(shift));
        model.relationships.reserve_exact(self.relationships.len());
        model
            .relationships
            .extend(self.relationships.into_iter().map(|r| Relationship {
                product: str_of(r.product),
                source: str_of(r.source),
                extra: r.extra.shifted(extras),
                ..r
            }));
        model
            .listings
            .extend(self.listings.into_iter().map(|l| Listing {
                list: l.list.shifted(shift),
                citation: str_of(l.citation),
                reason: str_of(l.reason),
                extra: l.extra.shifted(extras),
                ..l
            }));
        model.extras.extend(self.extras);
        model.extra.extend(self.extra);
    }
}

/// The parts of a split parse (`split.rs`): each part is read by its own
/// builder over the whole input, so that offsets into it mean the same in
/// both.
impl<'de> Builder<'de> {
    pub(super) fn over(input: &'de str) -> Builder<'de> {
        Builder {
            input,
            ..Builder::default()
        }
    }

    fn is_clean(&self) -> bool {
        self.found.list.is_empty()
            && self.found.more == 0
            && self.mistyped.is_empty()
            && !self.text_full
    }

    /// Reads `part`, a document cut right after a `]` closing the first
    /// part of its `relationships` array. True when that is where the
    /// part ended and nothing in it was wrong: the read stops after the
    /// array, and serde_json, looking for the object's `}`, finds only the
    /// end of the part.
    pub(super) fn read_first(&mut self, part: &'de str) -> bool {
        self.stop_after_relationships = true;
        let mut de = serde_json::Deserializer::from_str(part);
        let eof = TopSeed(self)
            .deserialize(&mut de)
            .is_err_and(|e| e.is_eof());
        eof && self.stopped && self.is_clean()
    }

    /// Reads `part` as a whole document; true when nothing in it was wrong.
    pub(super) fn read_rest(&mut self, part: &'de str) -> bool {
        let mut de = serde_json::Deserializer::from_str(part);
        let read = TopSeed(self).deserialize(&mut de).and_then(|()| de.end());
        read.is_ok() && self.is_clean()
    }

    /// Appends one relationship given as the text of its object; true when
    /// it was one and nothing in it was wrong.
    pub(super) fn push_relationship(&mut self, record: &str) -> bool {
        let Ok(v) = serde_json::from_str::<Value>(record) else {
            return false;
        };
        let kind = Record::Relationship(self.model.relationships.len());
        let read = RecordSeed { b: self, kind }.deserialize(v);
        matches!(read, Ok(None)) && self.is_clean()
    }

    /// Takes the records of `later`, a later part of the same input, with
    /// their ids resolved against this builder's entities. `None` when
    /// `later` holds what only a whole parse can merge (entities, `meta`)
    /// or names an id no entity has.
    pub(super) fn adopt(&mut self, mut later: Builder<'_>) -> Option<Tail> {
        let m = &later.model;
        if later.seen_entities == Some(true) || m.has_meta || !m.lists.is_empty() {
            return None;
        }
        if let Some(format) = later.format.take() {
            self.format = Some(format);
        }
        // The ids put off are symbols of this builder already
        // (`look_up_parts`); the others are `later`'s.
        let mut rels = std::mem::take(&mut later.model.relationships);
        let deferred = std::mem::take(&mut later.deferred);
        let is_deferred = |bit: usize| {
            deferred
                .get(bit / 64)
                .is_some_and(|w| w >> (bit % 64) & 1 == 1)
        };
        for (i, r) in rels.iter_mut().enumerate() {
            for (end, sym) in [&mut r.from, &mut r.to].into_iter().enumerate() {
                if !is_deferred(2 * i + end) {
                    *sym = self.adopt_symbol(&later.ids, *sym)?;
                }
                *sym = self.entity_of(*sym)?;
            }
        }
        let mut listings = std::mem::take(&mut later.model.listings);
        for l in &mut listings {
            l.entity = self.adopt_symbol(&later.ids, l.entity)?;
            l.entity = self.entity_of(l.entity)?;
        }
        Some(Tail {
            relationships: rels,
            listings,
            text: std::mem::take(&mut later.model.text),
            shift: 0,
            extras: std::mem::take(&mut later.model.extras),
            extra: std::mem::take(&mut later.model.extra),
        })
    }

    /// This builder's symbol for `sym` of `ids`.
    fn adopt_symbol(&mut self, ids: &Interner, sym: u32) -> Option<u32> {
        (sym != UNDEFINED).then(|| self.intern(ids.get(sym)))
    }

    /// The entity that defines symbol `sym`, if one does.
    fn entity_of(&self, sym: u32) -> Option<u32> {
        let ix = *self.sym_entity.get(sym as usize)?;
        (ix != UNDEFINED).then_some(ix)
    }
}

/// Where the ids of relationships are looked up: the table of a builder,
/// which adds the ids it lacks, or a table that is only read.
trait Symbols {
    fn prefetch(&self, h: u64);
    fn symbol(&mut self, id: &str, h: u64) -> Option<u32>;
}

impl Symbols for &mut Builder<'_> {
    fn prefetch(&self, h: u64) {
        self.ids.prefetch(h);
    }
    fn symbol(&mut self, id: &str, h: u64) -> Option<u32> {
        Some(self.intern_hashed(id, h))
    }
}

impl Symbols for &Interner {
    fn prefetch(&self, h: u64) {
        Interner::prefetch(self, h);
    }
    fn symbol(&mut self, id: &str, h: u64) -> Option<u32> {
        self.find_hashed(id, h)
    }
}

/// Replaces the offsets into `input` that bits of `deferred` mark in
/// `rels`, the relationships from index `first` on (see
/// [`Builder::reference`]), by the symbols of their ids; false when
/// `table` has no symbol for one. A lookup in a table of millions of ids
/// waits for memory; here the slot of each id is fetched `AHEAD` ids before
/// it is needed, so that many fetches overlap.
fn look_up_offsets(
    input: &str,
    rels: &mut [Relationship],
    deferred: &[u64],
    first: usize,
    mut table: impl Symbols,
) -> bool {
    const AHEAD: usize = 16;
    // (relationship * 2 + end, hash, id) of the lookups under way, the
    // relationship counted from `first`.
    let mut ring: [Option<(usize, u64, &str)>; AHEAD] = [None; AHEAD];
    let ours = 2 * first..2 * (first + rels.len());
    let words = &deferred
        [(ours.start / 64).min(deferred.len())..(ours.end.div_ceil(64)).min(deferred.len())];
    let base = ours.start / 64 * 64;
    let bits = words.iter().enumerate().flat_map(move |(w, &word)| {
        (0..64)
            .filter(move |b| word >> b & 1 == 1)
            .map(move |b| base + 64 * w + b)
    });
    let bits = bits
        .filter(move |b| ours.contains(b))
        .map(move |b| Some(b - 2 * first));
    for (n, bit) in bits.chain(std::iter::repeat_n(None, AHEAD)).enumerate() {
        let slot = n % AHEAD;
        if let Some((done, h, id)) = ring[slot].take() {
            let Some(sym) = table.symbol(id, h) else {
                return false;
            };
            let r = &mut rels[done / 2];
            if done % 2 == 0 {
                r.from = sym;
            } else {
                r.to = sym;
            }
        }
        if let Some(bit) = bit {
            let r = &rels[bit / 2];
            let start = if bit % 2 == 0 { r.from } else { r.to } as usize;
            // A borrowed string has no escapes: it ends at the next quote.
            let rest = &input[start..];
            let id = &rest[..rest.find('"').unwrap_or(rest.len())];
            let h = intern::hash(id.as_bytes());
            table.prefetch(h);
            ring[slot] = Some((bit, h, id));
        }
    }
    true
}

/// Looks up the ids that the second part of a split parse put off, half
/// of them on each of two threads, in `first`'s table, which holds every
/// entity and is only read: false when an id is not in it.
pub(super) fn look_up_later(first: &Builder<'_>, second: &mut Builder<'_>) -> bool {
    if !std::ptr::eq(first.input, second.input) {
        return false;
    }
    let (input, ids) = (first.input, &first.ids);
    let bits = &second.deferred;
    let rels = &mut second.model.relationships;
    let half = rels.len() / 2;
    let (one, two) = rels.split_at_mut(half);
    let (one, two) = both(
        move || look_up_offsets(input, one, bits, 0, ids),
        || look_up_offsets(input, two, bits, half, ids),
    );
    one && two
}

struct StrListSeed<'a, 'de>(&'a mut Builder<'de>);

/// An array of strings; `Some(found)` when the value was not an array.
impl<'de> DeserializeSeed<'de> for StrListSeed<'_, 'de> {
    type Value = Option<Scalar<'de>>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrListSeed<'_, 'de> {
    type Value = Option<Scalar<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let b = self.0;
        let mut i = 0;
        while let Some(v) = seq.next_element_seed(ScalarSeed)? {
            match v {
                Scalar::Str(s) => {
                    let s = b.text(&s);
                    b.scratch.push(s);
                }
                other => b.mistype_item(i, "a string", &other),
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

/// The whole document.
struct TopSeed<'a, 'de>(&'a mut Builder<'de>);

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
        let b = self.0;
        let mut extra = Map::new();
        b.seen_entities.get_or_insert(false);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key.as_ref() {
                "format" => {
                    let v = b.string(&mut map, "format")?;
                    b.format = Some(v.map(|s| s.into_owned()));
                }
                "meta" => {
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
                "entities" | "relationships" | "listings" => {
                    let (key, record) = match key.as_ref() {
                        "entities" => {
                            b.seen_entities = Some(true);
                            ("entities", Record::Entity(0))
                        }
                        "relationships" => ("relationships", Record::Relationship(0)),
                        _ => ("listings", Record::Listing(0)),
                    };
                    b.path.push(Seg::Key(key));
                    let found = map.next_value_seed(ArraySeed { b: &mut *b, record })?;
                    b.path.pop();
                    if let Some(v) = found {
                        b.mistype(key, "an array", &v);
                    }
                    if key == "relationships" && b.stop_after_relationships {
                        b.stopped = true;
                        break;
                    }
                }
                _ => {
                    let v: Value = map.next_value()?;
                    extra.insert(key.into_owned(), v);
                }
            }
        }
        b.model.extra.extend(extra);
        Ok(())
    }
}

/// Which record an object is, with its index in its array.
#[derive(Clone, Copy)]
enum Record {
    Meta,
    Entity(usize),
    Relationship(usize),
    Listing(usize),
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
struct RecordSeed<'a, 'de> {
    b: &'a mut Builder<'de>,
    kind: Record,
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
        }
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Some(Scalar::Array))
    }
    other_scalars!(Some);
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

fn meta<'de, A: MapAccess<'de>>(b: &mut Builder<'de>, mut map: A) -> Result<(), A::Error> {
    b.model.has_meta = true;
    let mut bad = Vec::new();
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match key.as_ref() {
            "title" => b.model.meta.title = b.string(&mut map, "title")?.map(Cow::into_owned),
            "as_of" => b.model.meta.as_of = b.date(&mut map, "as_of", &mut bad)?,
            "currency" => {
                b.model.meta.currency = b.string(&mut map, "currency")?.map(Cow::into_owned)
            }
            "notes" => b.model.meta.notes = b.string(&mut map, "notes")?.map(Cow::into_owned),
            _ => {
                let v: Value = map.next_value()?;
                b.model.meta.extra.insert(key.into_owned(), v);
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
    let mut id: Option<Cow<'de, str>> = None;
    let (mut name, mut kind, mut country, mut aliases, mut ticker) = (None, None, None, None, None);
    let (mut revenue, mut tags, mut sources) = (None, None, None);
    let mut extra = Map::new();
    let mut bad = Vec::new();
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match key.as_ref() {
            "id" => id = b.string(&mut map, "id")?,
            "name" => name = b.string(&mut map, "name")?,
            "kind" => {
                if let Some(k) = b.string(&mut map, "kind")? {
                    kind = Kind::parse(&k);
                    if kind.is_none() {
                        bad.push(format!(
                            "kind {k:?} is not one of {}",
                            Kind::NAMES.join(", ")
                        ));
                    }
                }
            }
            "country" => country = b.text_field(&mut map, "country")?,
            "aliases" => aliases = b.str_list(&mut map, "aliases")?,
            "ticker" => ticker = b.text_field(&mut map, "ticker")?,
            "revenue" => revenue = b.number(&mut map, "revenue")?,
            "tags" => tags = b.str_list(&mut map, "tags")?,
            "sources" => sources = b.str_list(&mut map, "sources")?,
            _ => {
                let v: Value = map.next_value()?;
                extra.insert(key.into_owned(), v);
            }
        }
    }
    // The place is only built for a message: no allocation per entity.
    let place = || Place::Entity {
        index,
        id: id.as_ref().map(|s| s.to_string()),
    };
    let id_sym = match id.as_deref() {
        None => {
            b.found
                .push(place(), "the required field \"id\" is missing");
            UNDEFINED
        }
        Some("") => {
            b.found.push(place(), "id is empty");
            UNDEFINED
        }
        Some(s) if has_control(s) => {
            b.found.push(place(), "id contains a control character");
            UNDEFINED
        }
        Some(s) => b.intern(s),
    };
    let name = match name {
        None => {
            b.found
                .push(place(), "the required field \"name\" is missing");
            Str::default()
        }
        Some(n) if n.is_empty() => {
            b.found.push(place(), "name is empty");
            Str::default()
        }
        Some(n) => b.text(&n),
    };
    for message in bad {
        b.found.push(place(), message);
    }
    let this = b.model.entities.len() as EntityIx;
    if id_sym != UNDEFINED {
        let first = b.sym_entity[id_sym as usize];
        if first == UNDEFINED {
            b.sym_entity[id_sym as usize] = this;
        } else {
            b.found.push(
                place(),
                format!("id is also the id of entities[{first}]; ids must be unique"),
            );
        }
    }
    b.entity_sym.push(id_sym);
    let extra = b.model.push_extra(extra);
    b.model.entities.push(Entity {
        id: Str::default(),
        name,
        kind,
        country,
        aliases,
        ticker,
        revenue: revenue.into(),
        tags,
        sources,
        extra,
    });
    Ok(())
}

fn relationship<'de, A: MapAccess<'de>>(
    b: &mut Builder<'de>,
    index: usize,
    mut map: A,
) -> Result<(), A::Error> {
    let (mut rel, mut type_text, mut from, mut to) = (None, None, UNDEFINED, UNDEFINED);
    let (mut share, mut value, mut share_min, mut share_max, mut percent) =
        (None, None, None, None, None);
    let (mut confidence, mut product, mut source, mut since) = (None, None, None, None);
    let (mut from_text, mut to_text) = (None, None);
    let mut extra = Map::new();
    let mut bad = Vec::new();
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match key.as_ref() {
            "type" => {
                if let Some(t) = b.string(&mut map, "type")? {
                    rel = RelType::parse(&t);
                    type_text = Some(t);
                }
            }
            "from" => {
                if let Some(s) = b.string(&mut map, "from")? {
                    from = b.reference(&s, 0);
                    from_text = Some(s);
                }
            }
            "to" => {
                if let Some(s) = b.string(&mut map, "to")? {
                    to = b.reference(&s, 1);
                    to_text = Some(s);
                }
            }
            "share" => share = b.number(&mut map, "share")?,
            "value" => value = b.number(&mut map, "value")?,
            "share_min" => share_min = b.number(&mut map, "share_min")?,
            "share_max" => share_max = b.number(&mut map, "share_max")?,
            "percent" => percent = b.number(&mut map, "percent")?,
            "confidence" => {
                if let Some(c) = b.string(&mut map, "confidence")? {
                    confidence = Confidence::parse(&c);
                    if confidence.is_none() {
                        bad.push(format!(
                            "confidence {c:?} is not one of {}",
                            Confidence::NAMES.join(", ")
                        ));
                    }
                }
            }
            "product" => product = b.text_field(&mut map, "product")?,
            "source" => source = b.text_field(&mut map, "source")?,
            "since" => since = b.date(&mut map, "since", &mut bad)?,
            _ => {
                let v: Value = map.next_value()?;
                extra.insert(key.into_owned(), v);
            }
        }
    }
    let mut problems = bad;
    match (&rel, &type_text) {
        (Some(_), _) => {}
        (None, Some(t)) => problems.push(format!("type {t:?} is not one of supplies, owns")),
        (None, None) => problems.push("the required field \"type\" is missing".into()),
    }
    if from_text.is_none() {
        problems.push("the required field \"from\" is missing".into());
    }
    if to_text.is_none() {
        problems.push("the required field \"to\" is missing".into());
    }
    if !problems.is_empty() {
        let label = format!(
            "{} {} -> {}",
            type_text.as_deref().unwrap_or("?"),
            from_text.as_deref().unwrap_or("?"),
            to_text.as_deref().unwrap_or("?")
        );
        for message in problems {
            b.found.push(
                Place::Relationship {
                    index,
                    label: label.clone(),
                },
                message,
            );
        }
    }
    let extra = b.model.push_extra(extra);
    b.model.relationships.push(Relationship {
        rel: rel.unwrap_or(RelType::Supplies),
        from,
        to,
        share: share.into(),
        value: value.into(),
        share_min: share_min.into(),
        share_max: share_max.into(),
        percent: percent.into(),
        confidence,
        product,
        source,
        since,
        segment: SegmentRef::NONE,
        extra,
    });
    Ok(())
}

fn listing<'de, A: MapAccess<'de>>(
    b: &mut Builder<'de>,
    index: usize,
    mut map: A,
) -> Result<(), A::Error> {
    let (mut entity, mut list, mut start, mut end, mut citation, mut reason) =
        (UNDEFINED, None, None, None, None, None);
    let mut entity_text = None;
    let mut extra = Map::new();
    let mut bad = Vec::new();
    while let Some(key) = map.next_key_seed(KeySeed)? {
        match key.as_ref() {
            "entity" => {
                if let Some(s) = b.string(&mut map, "entity")? {
                    entity_text = Some(s.to_string());
                    entity = b.intern(&s);
                }
            }
            "list" => list = b.string(&mut map, "list")?,
            "start" => start = b.date(&mut map, "start", &mut bad)?,
            "end" => end = b.date(&mut map, "end", &mut bad)?,
            "citation" => citation = b.text_field(&mut map, "citation")?,
            "reason" => reason = b.text_field(&mut map, "reason")?,
            _ => {
                let v: Value = map.next_value()?;
                extra.insert(key.into_owned(), v);
            }
        }
    }
    if entity_text.is_none() {
        bad.push("the required field \"entity\" is missing".into());
    }
    let list = match list {
        None => {
            bad.push("the required field \"list\" is missing".into());
            Str::default()
        }
        Some(l) if l.is_empty() => {
            bad.push("list is empty; name the list, e.g. \"BIS Entity List\"".into());
            Str::default()
        }
        Some(l) => b.text(&l),
    };
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            bad.push(format!("end {e} is before start {s}"));
        }
    }
    for message in bad {
        b.found.push(
            Place::Listing {
                index,
                entity: entity_text.clone(),
            },
            message,
        );
    }
    let extra = b.model.push_extra(extra);
    b.model.listings.push(Listing {
        entity,
        list,
        start,
        end,
        citation,
        reason,
        extra,
    });
    Ok(())
}
