//! The in-memory form of an `exposure-graph/1` file: entities, relationships
//! and listings exactly as the user wrote them, unknown fields included.
//!
//! The layout is built for graphs of millions of records: every string lives
//! in one [`Text`] arena, ids are interned to entity indexes while parsing,
//! and a record allocates nothing of its own. The model knows nothing of
//! exposure; `graph/` turns it into the indexed form the analysis reads.

use std::fmt;
use std::num::NonZeroU32;

use serde_json::{Map, Value};

/// Index of an entity in [`Model::entities`].
pub type EntityIx = u32;

/// A string stored in a [`Text`] arena. Eight bytes, and so is an
/// `Option<Str>` (the length is kept plus one, never zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Str {
    start: u32,
    len1: NonZeroU32,
}

impl Default for Str {
    /// The empty string.
    fn default() -> Str {
        Str {
            start: 0,
            len1: NonZeroU32::MIN,
        }
    }
}

impl Str {
    fn len(self) -> u32 {
        self.len1.get() - 1
    }

    /// The handle of this string once its arena is appended to another
    /// ([`Text::append`]).
    pub fn shifted(self, by: u32) -> Str {
        Str {
            start: self.start + by,
            ..self
        }
    }

    /// The start and the length plus one, as the packed form stores them
    /// (a length plus one of zero stands there for an absent string).
    pub fn raw(self) -> (u32, u32) {
        (self.start, self.len1.get())
    }
}

/// One growable buffer holding every string of a model.
#[derive(Clone, Debug, Default)]
pub struct Text {
    buf: String,
}

/// Raised when a model's strings outgrow the arena's 4 GiB of addressing.
#[derive(Debug, thiserror::Error)]
#[error("the graph's text is larger than 4 GiB; split the graph")]
pub struct TextFull;

impl Text {
    /// Stores `s` and returns its handle.
    pub fn push(&mut self, s: &str) -> Result<Str, TextFull> {
        let start = u32::try_from(self.buf.len()).map_err(|_| TextFull)?;
        let len1 = u32::try_from(s.len())
            .ok()
            .and_then(|l| l.checked_add(1))
            .ok_or(TextFull)?;
        if start.checked_add(len1).is_none() {
            return Err(TextFull);
        }
        self.buf.push_str(s);
        Ok(Str {
            start,
            len1: NonZeroU32::new(len1).ok_or(TextFull)?,
        })
    }

    /// An arena holding `buf`, whose strings are then named by
    /// [`Text::handle`].
    pub fn from_string(buf: String) -> Text {
        Text { buf }
    }

    /// Every string of the arena, back to back.
    pub fn as_str(&self) -> &str {
        &self.buf
    }

    /// The handle of the string at `start` of length `len1 - 1` ([`Str::raw`]),
    /// if it lies within the arena and on character boundaries.
    pub fn handle(&self, start: u32, len1: u32) -> Option<Str> {
        let len1 = NonZeroU32::new(len1)?;
        let end = start.checked_add(len1.get() - 1)?;
        let ok = (end as usize) <= self.buf.len()
            && self.buf.is_char_boundary(start as usize)
            && self.buf.is_char_boundary(end as usize);
        ok.then_some(Str { start, len1 })
    }

    /// The string behind `s`.
    pub fn get(&self, s: Str) -> &str {
        &self.buf[s.start as usize..(s.start + s.len()) as usize]
    }

    /// Appends every string of `other`; returns what to add to the start
    /// of `other`'s handles ([`Str::shifted`]) so that they point here.
    pub fn append(&mut self, other: &Text) -> Result<u32, TextFull> {
        let shift = u32::try_from(self.buf.len()).map_err(|_| TextFull)?;
        u32::try_from(self.buf.len() + other.buf.len()).map_err(|_| TextFull)?;
        self.buf.push_str(&other.buf);
        Ok(shift)
    }
}

/// A calendar date, `YYYY-MM-DD`, stored as the number `YYYYMMDD` so that
/// dates order as numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NonZeroU32);

impl Date {
    /// Parses a strict `YYYY-MM-DD` that names a real calendar date.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        Date::from_ymd(digits(0..4)?, digits(5..7)?, digits(8..10)?)
    }

    /// The date `YYYYMMDD` ([`Date::number`]) if it is a real calendar date.
    pub fn from_number(n: u32) -> Option<Date> {
        Date::from_ymd(n / 10_000, n / 100 % 100, n % 100)
    }

    /// The number `YYYYMMDD`.
    pub fn number(self) -> u32 {
        self.0.get()
    }

    fn from_ymd(y: u32, m: u32, d: u32) -> Option<Date> {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if !(1..=9999).contains(&y) || !(1..=days).contains(&d) {
            return None;
        }
        NonZeroU32::new(y * 10_000 + m * 100 + d).map(Date)
    }

    /// Year, month (1–12) and day (1–31).
    pub fn ymd(self) -> (u32, u32, u32) {
        let v = self.0.get();
        (v / 10_000, v / 100 % 100, v % 100)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// What an entity is (`kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Company,
    Government,
    Person,
    Other,
}

impl Kind {
    pub const NAMES: [&'static str; 4] = ["company", "government", "person", "other"];

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "company" => Some(Kind::Company),
            "government" => Some(Kind::Government),
            "person" => Some(Kind::Person),
            "other" => Some(Kind::Other),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Kind::NAMES[self as usize]
    }
}

/// How sure the source of a relationship is (`confidence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confidence {
    Reported,
    Estimate,
    Rumoured,
}

impl Confidence {
    pub const NAMES: [&'static str; 3] = ["reported", "estimate", "rumoured"];

    pub fn parse(s: &str) -> Option<Confidence> {
        match s {
            "reported" => Some(Confidence::Reported),
            "estimate" => Some(Confidence::Estimate),
            "rumoured" => Some(Confidence::Rumoured),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Confidence::NAMES[self as usize]
    }
}

/// The `type` of a relationship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelType {
    /// `from` sells to `to`.
    Supplies,
    /// `from` holds a stake in `to`.
    Owns,
}

impl RelType {
    pub fn parse(s: &str) -> Option<RelType> {
        match s {
            "supplies" => Some(RelType::Supplies),
            "owns" => Some(RelType::Owns),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RelType::Supplies => "supplies",
            RelType::Owns => "owns",
        }
    }
}

/// Handle of a record's unknown fields in [`Model::extras`]; most records
/// have none and pay four bytes for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extra(u32);

impl Extra {
    pub const NONE: Extra = Extra(u32::MAX);

    pub fn is_none(self) -> bool {
        self == Extra::NONE
    }

    /// The index into [`Model::extras`], `u32::MAX` for none.
    pub fn raw(self) -> u32 {
        self.0
    }

    /// The handle of index `ix` (`u32::MAX` for none) if it is below `count`.
    pub fn from_raw(ix: u32, count: usize) -> Option<Extra> {
        (ix == u32::MAX || (ix as usize) < count).then_some(Extra(ix))
    }

    /// The handle once `by` records' unknown fields are put before these.
    pub fn shifted(self, by: u32) -> Extra {
        if self.is_none() {
            self
        } else {
            Extra(self.0 + by)
        }
    }
}

/// A list of strings (`aliases`, `tags`, `sources`): a run in
/// [`Model::lists`]. Eight bytes, and so is an `Option<StrList>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrList {
    start: u32,
    len1: NonZeroU32,
}

impl StrList {
    /// The start and the length plus one, as the packed form stores them.
    pub fn raw(self) -> (u32, u32) {
        (self.start, self.len1.get())
    }

    /// The list of `len1 - 1` strings at `start` ([`StrList::raw`]) if it
    /// lies within the first `count` strings of [`Model::lists`].
    pub fn from_raw(start: u32, len1: u32, count: usize) -> Option<StrList> {
        let len1 = NonZeroU32::new(len1)?;
        let end = start.checked_add(len1.get() - 1)?;
        ((end as usize) <= count).then_some(StrList { start, len1 })
    }

    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..(self.start + self.len1.get() - 1) as usize
    }
}

/// An optional number in eight bytes: NaN stands for absent (numbers of
/// the format are finite, so NaN never stands for itself).
#[derive(Clone, Copy, Debug)]
pub struct OptNum(f64);

impl Default for OptNum {
    fn default() -> OptNum {
        OptNum::NONE
    }
}

impl OptNum {
    pub const NONE: OptNum = OptNum(f64::NAN);

    pub fn get(self) -> Option<f64> {
        (!self.0.is_nan()).then_some(self.0)
    }
}

impl From<Option<f64>> for OptNum {
    fn from(v: Option<f64>) -> OptNum {
        OptNum(v.unwrap_or(f64::NAN))
    }
}

impl PartialEq for OptNum {
    fn eq(&self, other: &OptNum) -> bool {
        self.get() == other.get()
    }
}

#[derive(Clone, Debug)]
pub struct Entity {
    pub id: Str,
    pub name: Str,
    pub kind: Option<Kind>,
    pub country: Option<Str>,
    pub aliases: Option<StrList>,
    pub ticker: Option<Str>,
    pub revenue: OptNum,
    pub tags: Option<StrList>,
    pub sources: Option<StrList>,
    pub extra: Extra,
}

#[derive(Clone, Debug)]
pub struct Relationship {
    pub rel: RelType,
    pub from: EntityIx,
    pub to: EntityIx,
    pub share: OptNum,
    pub value: OptNum,
    pub share_min: OptNum,
    pub share_max: OptNum,
    pub percent: OptNum,
    pub confidence: Option<Confidence>,
    pub product: Option<Str>,
    pub source: Option<Str>,
    pub since: Option<Date>,
    /// The segment of the seller that this `supplies` edge joins.
    pub segment: SegmentRef,
    pub extra: Extra,
}

impl Relationship {
    /// The share of an exact `supplies` edge: `share`, else `value / revenue`
    /// when the seller's revenue is positive (format spec). `None`: the edge
    /// is bounded or unquantified. `seller_revenue` is asked only for an
    /// edge given as a `value` (over millions of edges, reading every
    /// seller's record would fetch a random entity each time).
    pub fn exact_share(&self, seller_revenue: impl FnOnce() -> Option<f64>) -> Option<f64> {
        self.share.get().or_else(|| {
            let v = self.value.get()?;
            match seller_revenue() {
                Some(rev) if rev > 0.0 => Some(v / rev),
                _ => None,
            }
        })
    }
}

#[derive(Clone, Debug)]
pub struct Listing {
    pub entity: EntityIx,
    pub list: Str,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub citation: Option<Str>,
    pub reason: Option<Str>,
    pub extra: Extra,
}

/// Handle of a segment in [`Model::segments`]; four bytes, `NONE` for an
/// edge in no segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SegmentRef(u32);

impl SegmentRef {
    pub const NONE: SegmentRef = SegmentRef(u32::MAX);

    pub fn new(ix: usize) -> SegmentRef {
        SegmentRef(ix as u32)
    }

    /// The segment's index, `None` for an edge in no segment.
    pub fn get(self) -> Option<usize> {
        (self != SegmentRef::NONE).then_some(self.0 as usize)
    }
}

impl Default for SegmentRef {
    fn default() -> SegmentRef {
        SegmentRef::NONE
    }
}

/// A cap that a seller's disclosures put on the sum of several of its
/// sales (graph format, `segments`): the edges that name it together are
/// at most `share_max` of the seller's revenue.
#[derive(Clone, Debug)]
pub struct Segment {
    pub seller: EntityIx,
    pub name: Str,
    pub share_max: f64,
    pub source: Option<Str>,
    pub extra: Extra,
}

/// `meta`: small and rare, so plain owned strings.
#[derive(Clone, Debug, Default)]
pub struct Meta {
    pub title: Option<String>,
    pub as_of: Option<Date>,
    pub currency: Option<String>,
    pub notes: Option<String>,
    pub extra: Map<String, Value>,
}

impl Meta {
    /// The currency of revenues: `meta.currency`, `USD` by default.
    pub fn currency(&self) -> &str {
        self.currency.as_deref().unwrap_or("USD")
    }
}

/// A whole graph file.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// Whether the file had a `meta` object (so a rewrite keeps its absence).
    pub has_meta: bool,
    pub meta: Meta,
    pub entities: Vec<Entity>,
    pub relationships: Vec<Relationship>,
    pub listings: Vec<Listing>,
    /// Segments, in file order; a seller's names are unique.
    pub segments: Vec<Segment>,
    pub text: Text,
    pub lists: Vec<Str>,
    pub extras: Vec<Map<String, Value>>,
    /// Unknown top-level fields.
    pub extra: Map<String, Value>,
    /// The entities by id, for [`Model::find`].
    pub ids: crate::ids::Ids,
}

impl Model {
    /// A copy of everything but the relationships (which are most of a
    /// large graph): what a scenario that appends records copies
    /// (`load::Appending`).
    pub fn rows(&self) -> Model {
        Model {
            has_meta: self.has_meta,
            meta: self.meta.clone(),
            entities: self.entities.clone(),
            relationships: Vec::new(),
            listings: self.listings.clone(),
            segments: self.segments.clone(),
            text: self.text.clone(),
            lists: self.lists.clone(),
            extras: self.extras.clone(),
            extra: self.extra.clone(),
            ids: self.ids.clone(),
        }
    }

    /// The string behind a handle.
    pub fn str(&self, s: Str) -> &str {
        self.text.get(s)
    }

    /// The id of entity `ix`.
    pub fn id(&self, ix: EntityIx) -> &str {
        self.text.get(self.entities[ix as usize].id)
    }

    /// The name of entity `ix`.
    pub fn name(&self, ix: EntityIx) -> &str {
        self.text.get(self.entities[ix as usize].name)
    }

    /// The strings of a list.
    pub fn list(&self, l: StrList) -> impl Iterator<Item = &str> + '_ {
        self.lists[l.range()].iter().map(|&s| self.text.get(s))
    }

    /// Stores a list of already-stored strings.
    pub fn push_list(&mut self, items: &[Str]) -> StrList {
        let start = self.lists.len() as u32;
        self.lists.extend_from_slice(items);
        StrList {
            start,
            len1: NonZeroU32::MIN.saturating_add(items.len() as u32),
        }
    }

    /// The unknown fields behind a handle (empty for [`Extra::NONE`]).
    pub fn extra(&self, e: Extra) -> Option<&Map<String, Value>> {
        self.extras.get(e.0 as usize)
    }

    /// Stores a record's unknown fields; an empty map costs nothing.
    pub fn push_extra(&mut self, map: Map<String, Value>) -> Extra {
        if map.is_empty() {
            return Extra::NONE;
        }
        self.extras.push(map);
        Extra(self.extras.len() as u32 - 1)
    }

    /// The index of the (first) entity with this id: by a scan for the
    /// first few lookups, then by an index made once (`ids.rs`).
    pub fn find(&self, id: &str) -> Option<EntityIx> {
        self.ids.find(self, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_calendar_dates() {
        assert_eq!(Date::parse("2019-10-09").unwrap().to_string(), "2019-10-09");
        assert!(Date::parse("2020-02-29").is_some());
        assert!(Date::parse("2019-02-29").is_none());
        assert!(Date::parse("2000-02-29").is_some());
        assert!(Date::parse("1900-02-29").is_none());
        for bad in [
            "2019-13-01",
            "2019-00-10",
            "2019-1-01",
            "2019/10/09",
            "",
            "0000-01-01",
            "2019-10-09T",
        ] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
        assert!(Date::parse("2019-05-16") < Date::parse("2019-10-09"));
    }

    #[test]
    fn text_arena_gives_back_what_was_stored() {
        let mut t = Text::default();
        let a = t.push("Hikvision").unwrap();
        let b = t.push("海康威視").unwrap();
        assert_eq!(t.get(a), "Hikvision");
        assert_eq!(t.get(b), "海康威視");
    }
}
