//! The rules each record must meet on its own, and the [`Builder`] that
//! applies them: required fields, non-empty names, unique entity ids, the
//! `format`, and, once every record is in ([`Builder::finish`]), the ids
//! that relationships and listings name resolved to entities. The JSON
//! reader (`json.rs`) and the CSV reader (`csv.rs`, through `json.rs`'s
//! record seeds) both build through here, so both give the same messages.
//!
//! Reads no bytes (that is `json.rs`) and checks no rule that spans
//! records beyond ids (that is `validate.rs`).
//!
//! Above 800 lines only because of the data-driven unit tests at the
//! bottom (JSON in, model or messages out); the code is under 700.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::intern::{self, Interner};
use super::locate::Seg;
use super::segments::SegmentsBySeller;
use super::{Place, Problems};
use crate::model::{
    Confidence, Date, Entity, EntityIx, Kind, Listing, Model, RelType, Relationship, Segment,
    SegmentRef, Str, StrList,
};

/// Marks an interned id that no entity defines (yet), and a reference
/// that names no id.
pub(super) const UNDEFINED: u32 = u32::MAX;

/// A `from` or `to` of a relationship until the entity it names is known
/// ([`Builder::finish`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pending {
    /// The offset in the input of an id borrowed from it (it holds no
    /// escapes, so it ends at the next `"`), looked up after the parse
    /// with many others at once ([`look_up_offsets`]).
    Offset(u32),
    /// The interned symbol of the id; [`UNDEFINED`] when the field is
    /// missing.
    Symbol(u32),
}

impl Pending {
    pub(super) const NONE: Pending = Pending::Symbol(UNDEFINED);

    /// The symbol, once looked up; an offset still pending counts as none.
    pub(super) fn symbol(self) -> u32 {
        match self {
            Pending::Symbol(s) => s,
            Pending::Offset(_) => UNDEFINED,
        }
    }
}

/// A field of the wrong type, to be placed by line and column afterwards.
pub(super) struct Mistyped {
    pub path: Vec<Seg>,
    /// `entities[3].share must be a number, found a string`.
    pub message: String,
    /// The part after the path: `must be a number, found a string`.
    pub what: String,
    /// Set for a key repeated in the object at `path`: the key.
    pub repeat: Option<String>,
}

/// The fields of an entity as read, before its rules are checked.
#[derive(Default)]
pub(super) struct EntityFields<'de> {
    pub id: Option<Cow<'de, str>>,
    pub name: Option<Cow<'de, str>>,
    pub kind: Option<Kind>,
    pub country: Option<Str>,
    pub aliases: Option<StrList>,
    pub ticker: Option<Str>,
    pub revenue: Option<f64>,
    pub tags: Option<StrList>,
    pub sources: Option<StrList>,
    pub extra: Map<String, Value>,
    /// Problems of single values (an unknown kind), in the record's order.
    pub bad: Vec<String>,
}

/// The fields of a relationship as read.
#[derive(Default)]
pub(super) struct RelationshipFields<'de> {
    pub rel: Option<RelType>,
    /// The `type` as written, also when it is not one the format knows.
    pub type_text: Option<Cow<'de, str>>,
    pub from: Option<Cow<'de, str>>,
    pub to: Option<Cow<'de, str>>,
    pub share: Option<f64>,
    pub value: Option<f64>,
    pub share_min: Option<f64>,
    pub share_max: Option<f64>,
    pub percent: Option<f64>,
    pub confidence: Option<Confidence>,
    pub product: Option<Str>,
    pub source: Option<Str>,
    pub since: Option<Date>,
    /// The name of the seller's segment the edge joins.
    pub segment: Option<Cow<'de, str>>,
    pub extra: Map<String, Value>,
    pub bad: Vec<String>,
}

/// The fields of a segment as read.
#[derive(Default)]
pub(super) struct SegmentFields<'de> {
    pub seller: Option<Cow<'de, str>>,
    pub name: Option<Cow<'de, str>>,
    pub share_max: Option<f64>,
    pub source: Option<Str>,
    pub extra: Map<String, Value>,
}

/// The fields of a listing as read.
#[derive(Default)]
pub(super) struct ListingFields<'de> {
    pub entity: Option<Cow<'de, str>>,
    pub list: Option<Cow<'de, str>>,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub citation: Option<Str>,
    pub reason: Option<Str>,
    pub extra: Map<String, Value>,
    pub bad: Vec<String>,
}

/// A valid model's entity ids and segment names interned, as a builder
/// that continues the model starts (`Builder::seeded`): made once for the
/// loaded graph, it spares each scenario's copy interning them again
/// (`load::append_seeded`).
#[derive(Clone, Debug)]
pub struct Seed {
    ids: Interner,
    entities: usize,
    segment_names: Interner,
    segment_name: Vec<u32>,
}

impl Seed {
    /// Interns every entity's id of `model` (a valid one, so each is
    /// unique) with its index as its symbol, and every segment's name.
    ///
    /// # Complexity
    /// O(V + segments) hashes.
    pub fn of(model: &Model) -> Seed {
        let (mut ids, mut segment_names) = (Interner::default(), Interner::default());
        let segment_name = Seed::intern(model, (0, 0), &mut ids, &mut segment_names);
        Seed {
            ids,
            entities: model.entities.len(),
            segment_names,
            segment_name,
        }
    }

    /// Interns the ids of `model`'s entities and the names of its segments
    /// from `(entity, segment)` on, into interners that hold those before
    /// them; gives the symbols of the segments' names.
    fn intern(
        model: &Model,
        (entity, segment): (usize, usize),
        ids: &mut Interner,
        segment_names: &mut Interner,
    ) -> Vec<u32> {
        for (i, e) in model.entities.iter().enumerate().skip(entity) {
            let sym = ids.intern(model.text.get(e.id));
            debug_assert_eq!(sym, Some(i as u32), "a valid model has unique ids");
        }
        model.segments[segment..]
            .iter()
            .map(|seg| {
                segment_names
                    .intern(model.text.get(seg.name))
                    .unwrap_or(UNDEFINED)
            })
            .collect()
    }
}

/// A model under construction, with what it takes to finish it.
#[derive(Default)]
pub(super) struct Builder<'de> {
    pub model: Model,
    /// Every id seen (defined or referenced) → its symbol.
    pub ids: Interner,
    /// The JSON text being parsed, when there is one: the ids of
    /// relationships borrowed from it are looked up after the parse, many
    /// at a time ([`Builder::resolve_deferred`]).
    pub input: &'de str,
    /// The `from` and `to` of each relationship from `first_rel` on.
    pub ends: Vec<[Pending; 2]>,
    /// Relationships before this one were handed in (`seeded`) resolved.
    pub first_rel: usize,
    /// How many relationships come before the model's own, which
    /// messages count in: a scenario's copy may hold only those it
    /// appended (`load::Appending`).
    pub rel_offset: usize,
    /// The symbol of each entity's id (`UNDEFINED` when it has none); the
    /// id's text goes to the arena when the model is handed over.
    pub entity_sym: Vec<u32>,
    /// Entities before this one were handed in (`seeded`) with their ids.
    pub first_new: usize,
    /// Symbol → the entity that defines it, or [`UNDEFINED`].
    pub sym_entity: Vec<u32>,
    /// The symbol of the entity of each listing from `first_listing` on.
    pub listing_sym: Vec<u32>,
    pub first_listing: usize,
    /// The seller of each segment from `first_segment` on, looked up
    /// with the relationships' ends.
    pub segment_seller: Vec<Pending>,
    pub first_segment: usize,
    /// The names of segments, as named by segments and by relationships:
    /// a file has few, so an edge's is a number compared, not a string
    /// copied.
    pub segment_names: Interner,
    /// The name of every segment of the model (seeded ones included), in
    /// `segment_names`; [`UNDEFINED`] for a segment without a name.
    pub segment_name: Vec<u32>,
    /// The name read last, which the next edge most often names again.
    pub last_segment_name: Option<u32>,
    /// The relationships that name a segment, with the name (in
    /// `segment_names`), resolved in [`Builder::finish`] against the
    /// segments of the edge's seller, wherever in the file they are.
    pub segment_refs: Vec<(u32, u32)>,
    /// The path of the value being read, for type errors.
    pub path: Vec<Seg>,
    pub mistyped: Vec<Mistyped>,
    /// Problems placed by record, found while parsing.
    pub found: Problems,
    pub format: Option<Option<String>>,
    /// Scratch for string lists.
    pub scratch: Vec<Str>,
    pub text_full: bool,
    /// Whether the document had an `entities` array (`None`: records fed
    /// one by one, where the question does not arise).
    pub seen_entities: Option<bool>,
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// `supplies a -> b` for a relationship's messages, `?` for what is missing.
fn label(type_text: Option<&str>, from: Option<&str>, to: Option<&str>) -> String {
    format!(
        "{} {} -> {}",
        type_text.unwrap_or("?"),
        from.unwrap_or("?"),
        to.unwrap_or("?")
    )
}

impl<'de> Builder<'de> {
    /// A builder for records read from `input`, a whole document.
    pub(super) fn over(input: &'de str) -> Builder<'de> {
        Builder {
            input,
            ..Builder::default()
        }
    }

    /// A builder for records given one at a time, in a graph whose
    /// `format` is right by construction.
    pub(super) fn formatted() -> Builder<'de> {
        Builder {
            format: Some(Some("exposure-graph/1".into())),
            ..Builder::default()
        }
    }

    /// A builder that continues a valid model: every entity's id is
    /// interned with its index as its symbol, and every segment's name.
    /// With `seed` made for the model `model` was copied from (`model`
    /// has that one's entities and segments first, and may have more),
    /// its interned ids and names are copied, and only the rest interned.
    pub(super) fn seeded(model: Model, seed: Option<&Seed>) -> Builder<'de> {
        let mut b = Builder::formatted();
        let fits = |s: &&Seed| {
            s.entities <= model.entities.len() && s.segment_name.len() <= model.segments.len()
        };
        let (mut ids, mut names, mut name, from) = match seed.filter(fits) {
            Some(seed) => (
                seed.ids.clone(),
                seed.segment_names.clone(),
                seed.segment_name.clone(),
                (seed.entities, seed.segment_name.len()),
            ),
            None => (Interner::default(), Interner::default(), Vec::new(), (0, 0)),
        };
        name.extend(Seed::intern(&model, from, &mut ids, &mut names));
        (b.ids, b.segment_names, b.segment_name) = (ids, names, name);
        b.sym_entity = (0..model.entities.len() as u32).collect();
        b.entity_sym = b.sym_entity.clone();
        b.first_new = model.entities.len();
        b.first_rel = model.relationships.len();
        b.first_listing = model.listings.len();
        b.first_segment = model.segments.len();
        b.model = model;
        b
    }

    pub(super) fn text(&mut self, s: &str) -> Str {
        self.model.text.push(s).unwrap_or_else(|_| {
            self.text_full = true;
            Str::default()
        })
    }

    /// The symbol of an id, interning it on first sight.
    pub(super) fn intern(&mut self, id: &str) -> u32 {
        self.intern_hashed(id, intern::hash(id.as_bytes()))
    }

    pub(super) fn intern_hashed(&mut self, id: &str, h: u64) -> u32 {
        let Some(sym) = self.ids.intern_hashed(id, h) else {
            self.text_full = true;
            return UNDEFINED;
        };
        if sym as usize == self.sym_entity.len() {
            self.sym_entity.push(UNDEFINED);
        }
        sym
    }

    /// A `from` or `to`: an id borrowed from the input is kept as its
    /// offset there, to be looked up later ([`Builder::resolve_deferred`]);
    /// any other is interned now.
    fn reference(&mut self, id: &str) -> Pending {
        // Only a string borrowed from the input lies inside it.
        let offset = (id.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        let borrowed = offset < self.input.len();
        match u32::try_from(offset) {
            Ok(offset) if borrowed => Pending::Offset(offset),
            _ => Pending::Symbol(self.intern(id)),
        }
    }

    /// The rules of one entity; appends it.
    pub(super) fn add_entity(&mut self, index: usize, f: EntityFields<'de>) {
        let EntityFields { id, name, bad, .. } = f;
        // The place is only built for a message: no allocation per entity.
        let place = || Place::Entity {
            index,
            id: id.as_ref().map(|s| s.to_string()),
        };
        let id_sym = match id.as_deref() {
            None => {
                self.found
                    .push(place(), "the required field \"id\" is missing");
                UNDEFINED
            }
            Some("") => {
                self.found.push(place(), "id is empty");
                UNDEFINED
            }
            Some(s) if has_control(s) => {
                self.found.push(place(), "id contains a control character");
                UNDEFINED
            }
            Some(s) => self.intern(s),
        };
        let name = match name {
            None => {
                self.found
                    .push(place(), "the required field \"name\" is missing");
                Str::default()
            }
            Some(n) if n.is_empty() => {
                self.found.push(place(), "name is empty");
                Str::default()
            }
            Some(n) => self.text(&n),
        };
        for message in bad {
            self.found.push(place(), message);
        }
        let this = self.model.entities.len() as EntityIx;
        if id_sym != UNDEFINED {
            let first = self.sym_entity[id_sym as usize];
            if first == UNDEFINED {
                self.sym_entity[id_sym as usize] = this;
            } else {
                self.found.push(
                    place(),
                    format!("id is also the id of entities[{first}]; ids must be unique"),
                );
            }
        }
        self.entity_sym.push(id_sym);
        let extra = self.model.push_extra(f.extra);
        self.model.entities.push(Entity {
            id: Str::default(),
            name,
            kind: f.kind,
            country: f.country,
            aliases: f.aliases,
            ticker: f.ticker,
            revenue: f.revenue.into(),
            tags: f.tags,
            sources: f.sources,
            extra,
        });
    }

    /// The rules of one relationship; appends it, its ends pending.
    pub(super) fn add_relationship(&mut self, index: usize, f: RelationshipFields<'de>) {
        let from = f
            .from
            .as_deref()
            .map_or(Pending::NONE, |s| self.reference(s));
        let to = f.to.as_deref().map_or(Pending::NONE, |s| self.reference(s));
        let mut problems = f.bad;
        match (&f.rel, &f.type_text) {
            (Some(_), _) => {}
            (None, Some(t)) => problems.push(format!("type {t:?} is not one of supplies, owns")),
            (None, None) => problems.push("the required field \"type\" is missing".into()),
        }
        if f.from.is_none() {
            problems.push("the required field \"from\" is missing".into());
        }
        if f.to.is_none() {
            problems.push("the required field \"to\" is missing".into());
        }
        if !problems.is_empty() {
            let label = label(f.type_text.as_deref(), f.from.as_deref(), f.to.as_deref());
            for message in problems {
                self.found.push(
                    Place::Relationship {
                        index,
                        label: label.clone(),
                    },
                    message,
                );
            }
        }
        self.ends.push([from, to]);
        if let Some(name) = f.segment {
            let this = self.model.relationships.len() as u32;
            match self.segment_name_of(&name) {
                Some(name) => self.segment_refs.push((this, name)),
                None => self.text_full = true,
            }
        }
        let extra = self.model.push_extra(f.extra);
        self.model.relationships.push(Relationship {
            rel: f.rel.unwrap_or(RelType::Supplies),
            from: UNDEFINED,
            to: UNDEFINED,
            share: f.share.into(),
            value: f.value.into(),
            share_min: f.share_min.into(),
            share_max: f.share_max.into(),
            percent: f.percent.into(),
            confidence: f.confidence,
            product: f.product,
            source: f.source,
            since: f.since,
            segment: SegmentRef::NONE,
            extra,
        });
    }

    /// The rules of one listing; appends it, its entity pending.
    pub(super) fn add_listing(&mut self, index: usize, f: ListingFields<'de>) {
        let mut bad = f.bad;
        let entity = f.entity.as_deref().map_or(UNDEFINED, |s| self.intern(s));
        let entity_text = f.entity.as_ref().map(|s| s.to_string());
        if entity_text.is_none() {
            bad.push("the required field \"entity\" is missing".into());
        }
        let list = match f.list {
            None => {
                bad.push("the required field \"list\" is missing".into());
                Str::default()
            }
            Some(l) if l.is_empty() => {
                bad.push("list is empty; name the list, e.g. \"BIS Entity List\"".into());
                Str::default()
            }
            Some(l) => self.text(&l),
        };
        if let (Some(s), Some(e)) = (f.start, f.end) {
            if e < s {
                bad.push(format!("end {e} is before start {s}"));
            }
        }
        for message in bad {
            self.found.push(
                Place::Listing {
                    index,
                    entity: entity_text.clone(),
                },
                message,
            );
        }
        self.listing_sym.push(entity);
        let extra = self.model.push_extra(f.extra);
        self.model.listings.push(Listing {
            entity: UNDEFINED,
            list,
            start: f.start,
            end: f.end,
            citation: f.citation,
            reason: f.reason,
            extra,
        });
    }

    /// The rules of one segment that need no other record; appends it,
    /// its seller pending.
    pub(super) fn add_segment(&mut self, index: usize, f: SegmentFields<'de>) {
        let seller = f
            .seller
            .as_deref()
            .map_or(Pending::NONE, |s| self.reference(s));
        let place = || Place::Segment {
            index,
            seller: f.seller.as_ref().map(|s| s.to_string()),
            name: f.name.as_ref().map(|s| s.to_string()),
        };
        if f.seller.is_none() {
            self.found
                .push(place(), "the required field \"seller\" is missing");
        }
        let name = match f.name.as_deref() {
            None => {
                self.found
                    .push(place(), "the required field \"name\" is missing");
                Str::default()
            }
            Some("") => {
                self.found.push(place(), "name is empty");
                Str::default()
            }
            Some(n) => self.text(n),
        };
        let name_sym = match f.name.as_deref() {
            Some(n) if !n.is_empty() => self.segment_name_of(n).unwrap_or_else(|| {
                self.text_full = true;
                UNDEFINED
            }),
            _ => UNDEFINED,
        };
        self.segment_name.push(name_sym);
        if f.share_max.is_none() {
            self.found.push(
                place(),
                "the required field \"share_max\" is missing (the segment's cap, from 0 to 1)",
            );
        }
        self.segment_seller.push(seller);
        let extra = self.model.push_extra(f.extra);
        self.model.segments.push(Segment {
            seller: UNDEFINED,
            name,
            // A missing cap is reported above; 1 adds no second message.
            share_max: f.share_max.unwrap_or(1.0),
            source: f.source,
            extra,
        });
    }

    /// The number of a segment's name, `None` when the table is full.
    pub(super) fn segment_name_of(&mut self, name: &str) -> Option<u32> {
        if let Some(last) = self.last_segment_name {
            if self.segment_names.get(last) == name {
                return Some(last);
            }
        }
        let sym = self.segment_names.intern(name)?;
        self.last_segment_name = Some(sym);
        Some(sym)
    }

    /// Looks up the ids that [`Builder::reference`] put off.
    pub(super) fn resolve_deferred(&mut self) {
        let mut ends = std::mem::take(&mut self.ends);
        look_up_offsets(self.input, ends.as_flattened_mut(), &mut *self);
        self.ends = ends;
        let mut sellers = std::mem::take(&mut self.segment_seller);
        look_up_offsets(self.input, &mut sellers, &mut *self);
        self.segment_seller = sellers;
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
        let rels = &mut self.model.relationships[self.first_rel..];
        for (k, (r, ends)) in rels.iter_mut().zip(&self.ends).enumerate() {
            let [from_sym, to_sym] = ends.map(Pending::symbol);
            let (from, to) = (resolve(from_sym), resolve(to_sym));
            for (end, sym, ix) in [("from", from_sym, from), ("to", to_sym, to)] {
                if ix == UNDEFINED && sym != UNDEFINED {
                    let id = |s: u32| if s == UNDEFINED { "?" } else { self.ids.get(s) };
                    let label = format!("{} {} -> {}", r.rel.as_str(), id(from_sym), id(to_sym));
                    problems.push(
                        Place::Relationship {
                            index: self.rel_offset + self.first_rel + k,
                            label,
                        },
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
        let listings = &mut self.model.listings[self.first_listing..];
        for (k, (l, &sym)) in listings.iter_mut().zip(&self.listing_sym).enumerate() {
            let ix = resolve(sym);
            if ix == UNDEFINED && sym != UNDEFINED {
                let id = self.ids.get(sym).to_string();
                problems.push(
                    Place::Listing {
                        index: self.first_listing + k,
                        entity: Some(id.clone()),
                    },
                    format!("entity {id:?} is not the id of any entity"),
                );
            }
            l.entity = ix;
        }
        let segments = &mut self.model.segments[self.first_segment..];
        for (k, (s, seller)) in segments.iter_mut().zip(&self.segment_seller).enumerate() {
            let sym = seller.symbol();
            let ix = resolve(sym);
            if ix == UNDEFINED && sym != UNDEFINED {
                let id = self.ids.get(sym).to_string();
                problems.push(
                    Place::Segment {
                        index: self.first_segment + k,
                        seller: Some(id.clone()),
                        name: Some(self.model.text.get(s.name).to_string()),
                    },
                    format!("seller {id:?} is not the id of any entity"),
                );
            }
            s.seller = ix;
        }
        resolve_segments(
            &mut self.model,
            (&self.segment_refs, self.rel_offset),
            (&self.segment_names, &self.segment_name),
            problems,
        );
        Some(self.model)
    }
}

/// Rule 12: points each relationship of `refs` that names a segment to
/// the segment of that name of its seller (the first, should two share
/// it: `validate.rs` reports that); messages count `offset` more
/// relationships before the model's. O(entities + segments + refs).
fn resolve_segments(
    model: &mut Model,
    (refs, offset): (&[(u32, u32)], usize),
    (names, segment_name): (&Interner, &[u32]),
    problems: &mut Problems,
) {
    if refs.is_empty() {
        return;
    }
    let by_seller = SegmentsBySeller::new(
        model.entities.len(),
        0,
        model.segments.iter().map(|s| s.seller),
    );
    let found = by_seller.find_each(segment_name, refs.len(), |k| {
        let (i, name) = refs[k];
        (model.relationships[i as usize].from, name)
    });
    for (&(i, name), &s) in refs.iter().zip(&found) {
        let r = &model.relationships[i as usize];
        if r.from == UNDEFINED || r.to == UNDEFINED {
            continue; // its unknown id is reported already
        }
        let place = || Place::Relationship {
            index: offset + i as usize,
            label: format!(
                "{} {} -> {}",
                r.rel.as_str(),
                model.id(r.from),
                model.id(r.to)
            ),
        };
        if r.rel == RelType::Owns {
            problems.push(
                place(),
                format!("segment {:?} is set on an owns edge; only supplies edges join a segment of their seller", names.get(name)),
            );
        } else if s.is_none() {
            problems.push(
                place(),
                format!(
                    "segment {:?} names no segment of its seller {:?}; add it to \"segments\" with \"seller\": {:?}",
                    names.get(name),
                    model.id(r.from),
                    model.id(r.from)
                ),
            );
        }
    }
    for (&(i, _), &s) in refs.iter().zip(&found) {
        let r = &mut model.relationships[i as usize];
        if let Some(s) = s.filter(|_| r.rel == RelType::Supplies && r.to != UNDEFINED) {
            r.segment = SegmentRef::new(s);
        }
    }
}

/// Where the ids of relationships are looked up: the table of a builder,
/// which adds the ids it lacks, or a table that is only read.
pub(super) trait Symbols {
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

/// Replaces every [`Pending::Offset`] into `input` in `ends` by the symbol
/// of its id; false when `table` has no symbol for one. A lookup in a
/// table of millions of ids waits for memory; here the slot of each id is
/// fetched `AHEAD` ids before it is needed, so that many fetches overlap.
pub(super) fn look_up_offsets(input: &str, ends: &mut [Pending], mut table: impl Symbols) -> bool {
    const AHEAD: usize = 16;
    // (index in `ends`, hash, id) of the lookups under way.
    let mut ring: [Option<(usize, u64, &str)>; AHEAD] = [None; AHEAD];
    let total = ends.len();
    let (mut at, mut drained) = (0, 0);
    for n in 0.. {
        let mut next = None;
        while at < total && next.is_none() {
            if let Pending::Offset(o) = ends[at] {
                next = Some((at, o as usize));
            }
            at += 1;
        }
        if next.is_none() {
            if drained == AHEAD {
                break;
            }
            drained += 1;
        }
        let slot = n % AHEAD;
        if let Some((done, h, id)) = ring[slot].take() {
            let Some(sym) = table.symbol(id, h) else {
                return false;
            };
            ends[done] = Pending::Symbol(sym);
        }
        if let Some((k, start)) = next {
            // A borrowed string has no escapes: it ends at the next quote.
            let rest = &input[start..];
            let id = &rest[..rest.find('"').unwrap_or(rest.len())];
            let h = intern::hash(id.as_bytes());
            table.prefetch(h);
            ring[slot] = Some((k, h, id));
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use crate::load::from_json;

    /// The messages loading `body` (the inside of a graph object, after
    /// its `format`) gives, one `place: message` each; empty when valid.
    fn messages(body: &str) -> Vec<String> {
        let text = format!("{{\"format\": \"exposure-graph/1\", {body}}}");
        match from_json(text.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(p) => p.list.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn an_entity_breaks_its_rules_in_one_go() {
        assert_eq!(
            messages(
                r#""entities": [{"id": "a", "name": "A"}, {"id": "a", "name": "", "kind": "firm"}, {"name": "C"}]"#
            ),
            [
                "entities[1] (id \"a\"): name is empty",
                "entities[1] (id \"a\"): kind \"firm\" is not one of company, government, person, other",
                "entities[1] (id \"a\"): id is also the id of entities[0]; ids must be unique",
                "entities[2]: the required field \"id\" is missing",
            ]
        );
    }

    #[test]
    fn unknown_ids_are_named_with_the_record() {
        assert_eq!(
            messages(
                r#""entities": [{"id": "a", "name": "A"}],
                   "relationships": [{"type": "supplies", "from": "a", "to": "gh\u006fst"}, {"type": "sells", "from": "a"}],
                   "listings": [{"entity": "nobody", "list": "L"}]"#
            ),
            [
                "relationships[1] (sells a -> ?): type \"sells\" is not one of supplies, owns",
                "relationships[1] (sells a -> ?): the required field \"to\" is missing",
                "relationships[0] (supplies a -> ghost): to names \"ghost\", which is not the id of any entity",
                "listings[0] (entity \"nobody\"): entity \"nobody\" is not the id of any entity",
            ]
        );
    }

    #[test]
    fn ids_resolve_to_entities_whatever_the_order_of_the_arrays() {
        let text = r#"{"relationships": [{"type": "owns", "from": "b", "to": "a", "percent": 50}],
            "listings": [{"entity": "a", "list": "L", "start": "2019-10-09"}],
            "entities": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
            "format": "exposure-graph/1"}"#;
        let model = from_json(text.as_bytes()).expect("valid");
        let r = &model.relationships[0];
        assert_eq!((r.from, r.to, model.listings[0].entity), (1, 0, 0));
        assert_eq!(model.id(1), "b");
    }

    #[test]
    fn a_missing_format_and_entities_are_reported_for_the_file() {
        let text = r#"{"meta": {"as_of": "2019-02-30"}}"#;
        let got: Vec<String> = match from_json(text.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(p) => p.list.iter().map(ToString::to_string).collect(),
        };
        assert_eq!(
            got,
            [
                "meta: as_of \"2019-02-30\" is not a real date in the form YYYY-MM-DD",
                "file: the required field \"entities\" is missing (it may be an empty array)",
                "format: missing: the file must say \"format\": \"exposure-graph/1\"",
            ]
        );
    }

    #[test]
    fn an_edge_joins_the_segment_of_its_own_seller_wherever_it_is_listed() {
        let text = r#"{"format": "exposure-graph/1",
            "entities": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}, {"id": "c", "name": "C"}],
            "relationships": [{"type": "supplies", "from": "b", "to": "c", "segment": "X"},
                              {"type": "supplies", "from": "a", "to": "c", "segment": "X"},
                              {"type": "supplies", "from": "a", "to": "b"}],
            "segments": [{"seller": "a", "name": "X", "share_max": 0.5},
                         {"seller": "b", "name": "X", "share_max": 0.2, "n": 1}]}"#;
        let model = from_json(text.as_bytes()).expect("valid");
        let joined: Vec<Option<usize>> = model
            .relationships
            .iter()
            .map(|r| r.segment.get())
            .collect();
        assert_eq!(joined, [Some(1), Some(0), None]);
        assert_eq!(
            (model.segments[1].seller, model.segments[1].share_max),
            (1, 0.2)
        );
    }

    #[test]
    fn segment_rules_name_the_segment_and_the_edge() {
        assert_eq!(
            messages(
                r#""entities": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
                   "relationships": [{"type": "owns", "from": "a", "to": "b", "segment": "X"},
                                     {"type": "supplies", "from": "a", "to": "b", "segment": "Y"}],
                   "segments": [{"seller": "a", "name": "X"}, {"seller": "z", "name": "X", "share_max": 0.1}]"#
            ),
            [
                "segments[0] (a, \"X\"): the required field \"share_max\" is missing (the segment's cap, from 0 to 1)",
                "segments[1] (z, \"X\"): seller \"z\" is not the id of any entity",
                "relationships[0] (owns a -> b): segment \"X\" is set on an owns edge; only supplies edges join a segment of their seller",
                "relationships[1] (supplies a -> b): segment \"Y\" names no segment of its seller \"a\"; add it to \"segments\" with \"seller\": \"a\"",
            ]
        );
    }

    #[test]
    fn a_segment_is_appended_with_the_same_checks() {
        use crate::load::{append, Addition};
        let text = r#"{"format": "exposure-graph/1", "entities": [{"id": "a", "name": "A"}]}"#;
        let mut model = from_json(text.as_bytes()).expect("valid");
        let ok = serde_json::json!({"seller": "a", "name": "X", "share_max": 0.5});
        assert!(append(&mut model, Addition::Segment(&ok)).is_ok());
        assert_eq!(model.segments.len(), 1);
        let dup = serde_json::json!({"seller": "a", "name": "X", "share_max": 0.2});
        let err = append(&mut model.clone(), Addition::Segment(&dup)).expect_err("a repeated name");
        assert!(err.list[0]
            .to_string()
            .starts_with("segments[1] (a, \"X\"): name is also"));
        let bad = serde_json::json!({"seller": "a", "name": "Y", "share_max": "half"});
        let err = append(&mut model, Addition::Segment(&bad)).expect_err("a string cap");
        assert!(
            err.list[0].message.contains("share_max must be a number"),
            "{err:?}"
        );
    }
}
