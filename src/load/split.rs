//! Reading a large graph file on two threads: the document is cut inside
//! its `relationships` array, and each part is parsed by its own builder
//! at the same time.
//!
//! One run of bytes is rewritten in the buffer so that both parts read as
//! JSON of their own: the `,` between two records becomes `]`, which
//! closes the first part's array, and the next record (with the `,` after
//! it) becomes `{"relationships":[` padded with spaces, which opens the
//! second part as a document; that record is parsed on its own. The cut
//! is taken only where it is proven right: the first part must end just
//! after its `relationships` array, the record must be one object, and the
//! second part must be a whole document. Anything else, or any problem in
//! the file, and the bytes are put back for the one-pass parse, which
//! reports every problem with its line and column. A cut parse therefore
//! gives the very model the one-pass parse gives.
//!
//! Owns the cut and the merge of the parts only: every record is read by
//! `json.rs` and built by `records.rs`, as in the one-pass parse; nothing
//! here reports a problem.

use serde::de::DeserializeSeed;
use serde_json::{Map, Value};

use super::intern::{self, Interner};
use super::json::{Record, RecordSeed, TopSeed};
use super::records::{look_up_offsets, Builder, Pending, UNDEFINED};
use super::segments::SegmentsBySeller;
use crate::model::{Listing, Model, RelType, Relationship, Segment, SegmentRef, Text, TextFull};
use crate::parallel::both;

/// Files below this size are parsed in one pass.
pub(super) const MIN_LEN: usize = 32 << 20;

/// Files from this size up are parsed in one pass: every offset into the
/// input and into the model's text must fit in 32 bits.
const MAX_LEN: usize = 1 << 31;

/// Where a cut is looked for, as fractions of the text, in turn. The
/// first part holds the entities, which take about twice the time of
/// relationships per byte (each id is interned), and the second part's ids
/// are looked up once both are read: on the benchmark's graphs (entities
/// 19 % of the bytes) a cut at 38 % reads both parts in 0.77–0.83 s, where
/// 41 % took 0.86–0.94 s (the first part the longer) and 35 % saved no
/// more than the look-ups after it grew. Further on when the entities
/// reach past that, and a third when the relationships end before it.
const CUT_AT: [(usize, usize); 4] = [(38, 100), (1, 3), (3, 5), (4, 5)];

/// What opens the second part.
const HEAD: &str = "{\"relationships\":[";

/// Where the document is cut: the `,` at `comma` ends the first part, the
/// record at `record` is parsed on its own, and the `,` at `next` after it
/// is where the second part's records start.
struct Cut {
    comma: usize,
    record: std::ops::Range<usize>,
    next: usize,
}

/// Parses `text` in two parts at once when it is large and a cut is found
/// and proven; otherwise gives the text back, unchanged, for the one-pass
/// parse. `min_len` is [`MIN_LEN`] but for tests.
pub(super) fn parse(mut text: String, min_len: usize) -> Result<Model, String> {
    if text.len() < min_len || text.len() >= MAX_LEN {
        return Err(text);
    }
    let Some(cut) = first_cut(text.as_bytes()) else {
        return Err(text);
    };
    let original = text[cut.comma..=cut.next].to_string();
    let record = text[cut.record.clone()].to_string();
    let pad = cut.next - cut.comma - HEAD.len();
    text.replace_range(cut.comma..=cut.next, &format!("]{HEAD}{}", " ".repeat(pad)));
    match read_parts(&text, &cut, &record) {
        Some((mut model, tail)) => {
            // The ids are resolved: the input can go before the records
            // of the second part are copied, which keeps the peak low.
            drop(text);
            tail.append_to(&mut model);
            Ok(model)
        }
        None => {
            text.replace_range(cut.comma..=cut.next, &original);
            Err(text)
        }
    }
}

/// Parses both parts of a cut `text` at once and resolves every id.
fn read_parts(text: &str, cut: &Cut, record: &str) -> Option<(Model, Tail)> {
    let (first, second) = both(
        || {
            let mut b = Builder::over(text);
            // A first part that is kept holds every entity (`adopt`
            // refuses a second part with entities): its own ids can be
            // looked up at once, while the second part may still be read.
            let read = read_first(&mut b, &text[..=cut.comma]);
            if read {
                b.resolve_deferred();
            }
            read.then_some(b)
        },
        || {
            let mut b = Builder::over(text);
            read_rest(&mut b, &text[cut.comma + 1..]).then_some(b)
        },
    );
    let (mut first, mut second) = (first?, second?);
    if !look_up_later(&first, &mut second) {
        return None;
    }
    if !push_relationship(&mut first, record) {
        return None;
    }
    let tail = adopt(&mut first, second)?;
    let mut problems = super::Problems::default();
    let mut model = first.finish(&mut problems)?;
    let tail = tail.move_text(&mut model).ok()?;
    problems.is_empty().then_some((model, tail))
}

/// The records a later part of a split document adds to the first part's
/// model, their ids already resolved to its entity indexes.
struct Tail {
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
    fn move_text(mut self, model: &mut Model) -> Result<Tail, TextFull> {
        self.shift = model.text.append(&std::mem::take(&mut self.text))?;
        Ok(self)
    }

    /// Appends the records to `model`, whose arena holds their strings
    /// ([`Tail::move_text`]), and their unknown fields to its side table.
    fn append_to(self, model: &mut Model) {
        let shift = self.shift;
        let extras = model.extras.len() as u32;
        let str_of = |s: Option<crate::model::Str>| s.map(|s| s.shifted(shift));
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

/// Whether `b` found nothing wrong so far.
fn is_clean(b: &Builder<'_>) -> bool {
    b.found.list.is_empty() && b.found.more == 0 && b.mistyped.is_empty() && !b.text_full
}

/// Reads `part`, a document cut right after a `]` closing the first part
/// of its `relationships` array. True when that is where the part ended
/// and nothing in it was wrong: the read stops after the array, and
/// serde_json, looking for the object's `}`, finds only the end of the
/// part.
fn read_first<'de>(b: &mut Builder<'de>, part: &'de str) -> bool {
    let mut stopped = false;
    let mut de = serde_json::Deserializer::from_str(part);
    let eof = TopSeed::stopping(b, &mut stopped)
        .deserialize(&mut de)
        .is_err_and(|e| e.is_eof());
    eof && stopped && is_clean(b)
}

/// Reads `part` as a whole document; true when nothing in it was wrong.
fn read_rest<'de>(b: &mut Builder<'de>, part: &'de str) -> bool {
    let mut de = serde_json::Deserializer::from_str(part);
    let read = TopSeed::new(b).deserialize(&mut de).and_then(|()| de.end());
    read.is_ok() && is_clean(b)
}

/// Appends one relationship given as the text of its object; true when it
/// was one and nothing in it was wrong.
fn push_relationship(b: &mut Builder<'_>, record: &str) -> bool {
    let Ok(v) = serde_json::from_str::<Value>(record) else {
        return false;
    };
    let kind = Record::Relationship(b.model.relationships.len());
    let read = RecordSeed { b: &mut *b, kind }.deserialize(v);
    matches!(read, Ok(None)) && is_clean(b)
}

/// Takes the records of `later`, a later part of the same input whose
/// relationships name `first`'s symbols ([`look_up_later`]), with their
/// ids resolved against `first`'s entities. Its segments join `first`'s
/// (they are checked when `first` is finished), and its edges that name a
/// segment are pointed to it here. `None` when `later` holds what only a
/// whole parse can merge (entities, `meta`), names an id no entity has,
/// or names a segment its seller does not have (the one-pass parse says
/// so, with the place).
fn adopt(first: &mut Builder<'_>, mut later: Builder<'_>) -> Option<Tail> {
    let m = &later.model;
    if later.seen_entities == Some(true) || m.has_meta || !m.lists.is_empty() {
        return None;
    }
    // A top-level key in both parts is a repeated key: the one-pass parse
    // reports it.
    let repeated = (first.format.is_some() && later.format.is_some())
        || (!first.model.listings.is_empty() && !m.listings.is_empty())
        || m.extra.keys().any(|k| first.model.extra.contains_key(k));
    if repeated {
        return None;
    }
    if let Some(format) = later.format.take() {
        first.format = Some(format);
    }
    // `later`'s segment names as numbers of `first`'s table (a file has
    // few names).
    let names: Vec<u32> = (0..later.segment_names.len() as u32)
        .map(|n| first.segment_name_of(later.segment_names.get(n)))
        .collect::<Option<_>>()?;
    take_segments(first, &mut later, &names)?;
    let mut rels = std::mem::take(&mut later.model.relationships);
    for (r, ends) in rels.iter_mut().zip(&later.ends) {
        r.from = entity_of(first, ends[0].symbol())?;
        r.to = entity_of(first, ends[1].symbol())?;
    }
    if !later.segment_refs.is_empty() {
        let sellers = first
            .segment_seller
            .iter()
            .map(|p| entity_of(first, p.symbol()).unwrap_or(UNDEFINED));
        let by_seller = SegmentsBySeller::new(first.entity_sym.len(), first.first_segment, sellers);
        let refs = &later.segment_refs;
        let found = by_seller.find_each(&first.segment_name, refs.len(), |k| {
            let (i, name) = refs[k];
            let r = &rels[i as usize];
            match r.rel {
                RelType::Supplies => (r.from, names[name as usize]),
                RelType::Owns => (UNDEFINED, UNDEFINED),
            }
        });
        for (&(i, _), &s) in refs.iter().zip(&found) {
            rels[i as usize].segment = SegmentRef::new(s?);
        }
    }
    let mut listings = std::mem::take(&mut later.model.listings);
    for (l, &sym) in listings.iter_mut().zip(&later.listing_sym) {
        let sym = (sym != UNDEFINED).then(|| first.intern(later.ids.get(sym)))?;
        l.entity = entity_of(first, sym)?;
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

/// Moves the segments of `later` to the end of `first`'s, their strings
/// to its arena, their sellers to its symbols and their names to its
/// numbers (`names`: `later`'s number → `first`'s), as if `first` had read
/// them (their sellers are `first`'s symbols already: [`look_up_later`]).
/// `None` when a seller has no id or a segment no name.
fn take_segments(first: &mut Builder<'_>, later: &mut Builder<'_>, names: &[u32]) -> Option<()> {
    let segments = std::mem::take(&mut later.model.segments);
    for ((seg, &seller), &name) in segments
        .into_iter()
        .zip(&later.segment_seller)
        .zip(&later.segment_name)
    {
        if seller.symbol() == UNDEFINED || name == UNDEFINED {
            return None;
        }
        first.segment_name.push(names[name as usize]);
        let name = first.text(later.model.text.get(seg.name));
        let source = seg.source.map(|s| first.text(later.model.text.get(s)));
        let extra = later.model.extra(seg.extra).cloned().unwrap_or_default();
        let extra = first.model.push_extra(extra);
        first.segment_seller.push(seller);
        first.model.segments.push(Segment {
            name,
            source,
            extra,
            ..seg
        });
    }
    Some(())
}

/// The entity that defines symbol `sym` of `b`, if one does.
fn entity_of(b: &Builder<'_>, sym: u32) -> Option<u32> {
    let ix = *b.sym_entity.get(sym as usize)?;
    (ix != UNDEFINED).then_some(ix)
}

/// Turns every `from` and `to` and every segment's seller of `second`,
/// the later part of a split parse, into a symbol of `first`'s table,
/// which holds every entity and is only read: the few ids `second`
/// interned itself (those with escapes) one by one, the ids it put off
/// half on each of two threads. False when an id is not in the table.
fn look_up_later(first: &Builder<'_>, second: &mut Builder<'_>) -> bool {
    if !std::ptr::eq(first.input, second.input) {
        return false;
    }
    let (input, ids): (&str, &Interner) = (first.input, &first.ids);
    let ends = second.ends.as_flattened_mut();
    for end in ends.iter_mut().chain(&mut second.segment_seller) {
        if let Pending::Symbol(sym) = *end {
            let id = (sym != UNDEFINED).then(|| second.ids.get(sym));
            let Some(found) = id.and_then(|id| ids.find_hashed(id, intern::hash(id.as_bytes())))
            else {
                return false;
            };
            *end = Pending::Symbol(found);
        }
    }
    let (one, two) = ends.split_at_mut(ends.len() / 2);
    let sellers = &mut second.segment_seller;
    let (one, two) = both(
        move || look_up_offsets(input, one, ids),
        || look_up_offsets(input, two, ids) && look_up_offsets(input, sellers, ids),
    );
    one && two
}

/// The cut from the first of the places [`CUT_AT`] that has one.
fn first_cut(bytes: &[u8]) -> Option<Cut> {
    CUT_AT
        .iter()
        .find_map(|&(num, den)| find_cut(bytes, bytes.len() / den * num))
}

/// The first cut from byte `from` on: two `,`s between records on lines
/// of their own (a `}`, the `,`, a line break, a `{`; JSON strings hold no
/// line breaks, so these bytes are outside strings), with a record between
/// them long enough to hold [`HEAD`], and both records that look like
/// relationships. The parse proves the rest.
fn find_cut(bytes: &[u8], from: usize) -> Option<Cut> {
    const LOOK: usize = 1 << 20;
    let end = bytes.len().min(from + LOOK);
    let mut comma = next_boundary(bytes, from, end)?;
    loop {
        let start = comma + 1 + skip_space(&bytes[comma + 1..]);
        let next = next_boundary(bytes, start, end)?;
        let close = (start..next).rev().find(|&i| bytes[i] == b'}')?;
        let looks_like = |at: usize| {
            let line = &bytes[at..bytes.len().min(at + 4096)];
            let line = &line[..line.iter().position(|&b| b == b'\n').unwrap_or(line.len())];
            line.windows(6).any(|w| w == b"\"from\"")
        };
        let after = next + 1 + skip_space(&bytes[next + 1..]);
        if next - comma >= HEAD.len() && looks_like(start) && looks_like(after) {
            return Some(Cut {
                comma,
                record: start..close + 1,
                next,
            });
        }
        comma = next;
    }
}

/// The next `,` at or after `from` (and before `end`) that stands between
/// a `}` and a `{` with a line break after it.
fn next_boundary(bytes: &[u8], from: usize, end: usize) -> Option<usize> {
    let mut at = from;
    while at < end {
        let newline = at + bytes[at..end].iter().position(|&b| b == b'\n')?;
        at = newline + 1;
        let before = bytes[..newline]
            .iter()
            .rposition(|&b| !matches!(b, b' ' | b'\t' | b'\r'))?;
        if bytes[before] != b',' {
            continue;
        }
        let closes = bytes[..before]
            .iter()
            .rposition(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .is_some_and(|i| bytes[i] == b'}');
        let opens = bytes.get(at + skip_space(&bytes[at..])) == Some(&b'{');
        if closes && opens {
            return Some(before);
        }
    }
    None
}

/// How many bytes of JSON whitespace `bytes` starts with.
fn skip_space(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{json, validate, Diagnostic, Problems};

    /// What the one-pass parse makes of `text`: the model written back as
    /// JSON, or the problems.
    fn one_pass(text: &str) -> Result<String, Vec<Diagnostic>> {
        let mut problems = Problems::default();
        let model = json::parse(text, &mut problems).ok_or_else(|| problems.list.clone())?;
        validate::check(&model, &mut problems);
        if !problems.is_empty() {
            return Err(problems.list);
        }
        Ok(written(&model))
    }

    fn written(model: &Model) -> String {
        let mut out = Vec::new();
        crate::save::write_json(model, &mut out).expect("writing to memory");
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    /// Parses `text` cut in two; `Err` when it was given back.
    fn cut(text: &str) -> Result<String, String> {
        parse(text.to_string(), 0).map(|m| written(&m))
    }

    /// `n` entities and, one per line, relationships among them; `rel`
    /// writes relationship `i` from `a` to `b`.
    fn records(n: usize, rel: impl Fn(usize, usize, usize) -> String) -> (String, String) {
        let entities: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "{{\"id\":\"e{i}\",\"name\":\"E {i}\",\"revenue\":{}}}",
                    1000 + i
                )
            })
            .collect();
        let mut rels = Vec::new();
        for a in 0..n {
            for step in [1, 3] {
                rels.push(rel(rels.len(), a, (a + step) % n));
            }
        }
        (entities.join(",\n"), rels.join(",\n"))
    }

    fn plain(i: usize, a: usize, b: usize) -> String {
        match i % 5 {
            0 => format!("{{\"type\":\"supplies\",\"from\":\"e{a}\",\"to\":\"e{b}\",\"share\":0.1,\"product\":\"chips {i}\"}}"),
            1 => format!("{{\"from\":\"e{a}\",\"type\":\"supplies\",\"to\":\"e{b}\",\"share_max\":0.2,\"note\":{{\"n\":{i}}}}}"),
            2 => format!("{{\"type\":\"owns\",\"from\":\"e{a}\",\"to\":\"e{b}\",\"percent\":10}}"),
            // an escaped id: the same entity, not borrowed from the input
            3 => format!("{{\"type\":\"supplies\",\"from\":\"\\u0065{a}\",\"to\":\"e{b}\",\"value\":5}}"),
            _ => format!("{{\"type\":\"supplies\",\"from\":\"e{a}\",\"to\":\"e{b}\"}}"),
        }
    }

    const LISTINGS: &str = "[\n{\"entity\":\"e3\",\"list\":\"L\",\"citation\":\"84 FR 54002\"},\n{\"entity\":\"\\u00654\",\"list\":\"M\"}\n]";

    #[test]
    fn a_cut_parse_gives_the_one_pass_model() {
        let (entities, rels) = records(300, plain);
        let text = format!(
            "{{\"format\":\"exposure-graph/1\",\n\"meta\":{{\"title\":\"t\"}},\n\"entities\":[\n{entities}\n],\n\"relationships\":[\n{rels}\n],\n\"listings\":{LISTINGS}\n}}\n"
        );
        let cut = cut(&text).expect("the cut is taken");
        assert_eq!(Ok(cut), one_pass(&text));
    }

    #[test]
    fn what_follows_the_relationships_joins_the_first_part() {
        let (entities, rels) = records(300, plain);
        let text = format!(
            "{{\"entities\":[\n{entities}\n],\"x\":1,\n\"relationships\":[\n{rels}\n],\n\"listings\":{LISTINGS},\"y\":[2],\"z\":3,\n\"format\":\"exposure-graph/1\"}}"
        );
        let cut = cut(&text).expect("the cut is taken");
        assert_eq!(Ok(cut), one_pass(&text));
    }

    #[test]
    fn a_top_level_key_in_both_parts_takes_the_one_pass_parse() {
        let (entities, rels) = records(300, plain);
        let text = format!(
            "{{\"format\":\"exposure-graph/1\",\"entities\":[\n{entities}\n],\"x\":1,\n\"relationships\":[\n{rels}\n],\"x\":3}}"
        );
        assert_eq!(cut(&text), Err(text.clone()), "given back unchanged");
        assert!(one_pass(&text).is_err());
    }

    #[test]
    fn entities_after_the_relationships_take_the_one_pass_parse() {
        let (entities, rels) = records(300, plain);
        let text = format!(
            "{{\"format\":\"exposure-graph/1\",\n\"relationships\":[\n{rels}\n],\n\"entities\":[\n{entities}\n]}}"
        );
        assert_eq!(cut(&text), Err(text.clone()), "given back unchanged");
        assert!(one_pass(&text).is_ok());
    }

    #[test]
    fn records_spread_over_lines_are_cut_only_between_records() {
        // Every record holds an array of objects on lines of their own,
        // which look like records at a glance.
        let (entities, rels) = records(300, |i, a, b| {
            format!("{{\"type\":\"supplies\",\"from\":\"e{a}\",\"to\":\"e{b}\",\"log\":[\n{{\"from\":\"x\",\"n\":{i}}},\n{{\"from\":\"y\"}}\n]}}")
        });
        let text = format!(
            "{{\"format\":\"exposure-graph/1\",\"entities\":[\n{entities}\n],\n\"relationships\":[\n{rels}\n]}}"
        );
        match cut(&text) {
            Ok(model) => assert_eq!(Ok(model), one_pass(&text)),
            Err(back) => assert_eq!(back, text),
        }
    }

    /// What loading `text` gives when a cut is tried first: a text given
    /// back must be unchanged.
    fn through_cut(text: &str) -> Result<String, Vec<Diagnostic>> {
        match parse(text.to_string(), 0) {
            Ok(model) => {
                let mut problems = Problems::default();
                validate::check(&model, &mut problems);
                if problems.is_empty() {
                    Ok(written(&model))
                } else {
                    Err(problems.list)
                }
            }
            Err(back) => {
                assert_eq!(back, text, "a text given back is unchanged");
                one_pass(&back)
            }
        }
    }

    #[test]
    fn a_problem_anywhere_is_reported_as_the_one_pass_parse_reports_it() {
        let (entities, rels) = records(300, plain);
        // The last relationship is e299 -> e2, in the second part.
        for (from, to) in [
            ("\"to\":\"e2\"", "\"to\":\"ghost\""),
            ("\"to\":\"e2\"", "\"to\":\"e299\""),
            ("\"share\":0.1,", "\"share\":1.5,"),
            ("\"percent\":10", "\"percent\":\"ten\""),
            ("\"to\":\"e2\"", "\"to\":\"e2\",\"to\""),
        ] {
            let at = rels.rfind(from).expect("present");
            let bad = format!("{}{to}{}", &rels[..at], &rels[at + from.len()..]);
            let text = format!(
                "{{\"format\":\"exposure-graph/1\",\"entities\":[\n{entities}\n],\n\"relationships\":[\n{bad}\n]}}"
            );
            let got = through_cut(&text);
            assert!(got.is_err(), "{to}");
            assert_eq!(got, one_pass(&text), "{to}");
        }
    }

    #[test]
    fn damage_anywhere_near_the_cut_loads_as_the_one_pass_parse_loads_it() {
        let (entities, rels) = records(300, plain);
        let text = format!(
            "{{\"format\":\"exposure-graph/1\",\"entities\":[\n{entities}\n],\n\"relationships\":[\n{rels}\n],\n\"listings\":{LISTINGS}}}"
        );
        let cut_at = first_cut(text.as_bytes()).expect("a cut").comma;
        let mut random = crate::testing::random(0x9E37_79B9_7F4A_7C15);
        let mut next = |m: usize| random(m as u64) as usize;
        const BYTES: &[u8] = b"{}[],:\"\\\n 0e-x";
        for round in 0..300 {
            let mut bytes = text.as_bytes().to_vec();
            // one to three edits within 200 bytes of the cut
            for _ in 0..1 + next(3) {
                let at = cut_at - 100 + next(200);
                let b = BYTES[next(BYTES.len())];
                match next(3) {
                    0 => bytes[at] = b,
                    1 => bytes.insert(at, b),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            let Ok(damaged) = String::from_utf8(bytes) else {
                continue;
            };
            assert_eq!(through_cut(&damaged), one_pass(&damaged), "round {round}");
        }
    }

    #[test]
    fn entities_past_the_first_place_looked_at_are_cut_further_on() {
        // Entities with long names take two thirds of the text, more than
        // a search from 38 % or from a third looks ahead.
        let (entities, rels) = records(20_000, plain);
        let long = format!("\"name\":\"{} E ", "A firm with a long name. ".repeat(12));
        let entities = entities.replace("\"name\":\"E ", &long);
        let text = format!(
            "{{\"format\":\"exposure-graph/1\",\"entities\":[\n{entities}\n],\n\"relationships\":[\n{rels}\n]}}"
        );
        let rels_at = text.find("\"relationships\"").expect("present");
        assert!(rels_at > text.len() * 3 / 5, "the entities reach past 60 %");
        assert!(first_cut(text.as_bytes()).expect("a cut further on").comma > rels_at);
        let model = cut(&text).expect("the cut is taken");
        assert_eq!(Ok(model), one_pass(&text));
    }

    /// Relationships where every supplies edge of a seller whose id ends
    /// in 0 joins its segment "Asia", on both sides of any cut.
    fn segmented(i: usize, a: usize, b: usize) -> String {
        let line = plain(i, a, b);
        if a % 10 == 0 && !line.contains("owns") {
            format!("{},\"segment\":\"Asia\"}}", &line[..line.len() - 1])
        } else {
            line
        }
    }

    fn segments_of(n: usize) -> String {
        let segs: Vec<String> = (0..n)
            .step_by(10)
            .map(|a| format!("{{\"seller\":\"e{a}\",\"name\":\"Asia\",\"share_max\":0.5,\"source\":\"10-K {a}\"}}"))
            .collect();
        format!("[\n{}\n]", segs.join(",\n"))
    }

    #[test]
    fn segments_after_or_before_the_relationships_give_the_one_pass_model() {
        let (entities, rels) = records(300, segmented);
        assert!(rels.contains("\"segment\":\"Asia\""));
        let segs = segments_of(300);
        for text in [
            format!("{{\"format\":\"exposure-graph/1\",\n\"entities\":[\n{entities}\n],\n\"relationships\":[\n{rels}\n],\n\"listings\":{LISTINGS},\n\"segments\":{segs}\n}}\n"),
            format!("{{\"format\":\"exposure-graph/1\",\n\"segments\":{segs},\n\"entities\":[\n{entities}\n],\n\"relationships\":[\n{rels}\n]\n}}\n"),
        ] {
            let cut = cut(&text).expect("the cut is taken");
            assert!(cut.contains("\"segment\":\"Asia\""));
            assert_eq!(Ok(cut), one_pass(&text));
        }
    }

    #[test]
    fn a_segment_the_second_part_cannot_find_is_reported_as_the_one_pass_parse_reports_it() {
        let (entities, rels) = records(300, segmented);
        // The last edges of e290 are in the second part; its segment is
        // named otherwise, or is on another seller.
        for segs in [
            segments_of(300).replace(
                "\"seller\":\"e290\",\"name\":\"Asia\"",
                "\"seller\":\"e290\",\"name\":\"Asia Pacific\"",
            ),
            segments_of(300).replace("\"seller\":\"e290\"", "\"seller\":\"e291\""),
            segments_of(300).replace("\"seller\":\"e290\"", "\"seller\":\"ghost\""),
        ] {
            let text = format!(
                "{{\"format\":\"exposure-graph/1\",\"entities\":[\n{entities}\n],\n\"relationships\":[\n{rels}\n],\n\"segments\":{segs}}}"
            );
            let got = through_cut(&text);
            assert!(got.is_err(), "{segs}");
            assert_eq!(got, one_pass(&text));
        }
    }

    #[test]
    fn a_document_on_one_line_is_not_cut() {
        let (entities, rels) = records(300, plain);
        let text = format!(
            "{{\"format\":\"exposure-graph/1\",\"entities\":[{}],\"relationships\":[{}]}}",
            entities.replace('\n', ""),
            rels.replace('\n', "")
        );
        assert_eq!(cut(&text), Err(text.clone()));
    }
}
