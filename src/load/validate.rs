//! The validation rules that look at numbers and across records: ranges,
//! self-loops, duplicate relationships, the per-seller share budget, the
//! per-entity ownership budget, and the segments (unique names per
//! seller, caps in 0..1, the edges of one segment within its cap). Syntax,
//! types, required fields, ids and dates are checked while the records are
//! built (`json.rs`, `records.rs`). Runs on a loaded model and again on a
//! scenario's changed copy, so it trusts no index of the model.

use super::segments::SegmentsBySeller;
use super::{Place, Problems};
use crate::model::{EntityIx, Model, RelType, Relationship};
use crate::parallel::both;
use crate::prefetch::{prefetch, AHEAD};
use crate::tolerance::EPS;

pub(super) mod appended;

/// Relationships whose `from` or `to` did not resolve carry this index.
const UNRESOLVED: EntityIx = u32::MAX;

/// Checks rules 5 to 9 and 11 to 13 of the format; appends what it finds.
///
/// # Complexity
/// O(entities + relationships).
pub(super) fn check(model: &Model, problems: &mut Problems) {
    revenues(model, problems);
    segments(model, problems);
    // The relationships in two halves, the second with rule 6 on a second
    // thread; the problems come out in the order one pass would give.
    let rels = model.relationships.len();
    let (first, second) = (0..rels / 2, rels / 2..rels);
    // Each segment's seller in one small array: edges look it up in no
    // particular order.
    let sellers: Vec<EntityIx> = model.segments.iter().map(|s| s.seller).collect();
    let ((later, sums_later, repeats), mut sums) = both(
        || {
            let mut found = Problems::default();
            let sums = relationships(model, &sellers, second, &mut found);
            (found, sums, repeats(model))
        },
        || relationships(model, &sellers, first, problems),
    );
    for d in later.list {
        problems.push(d.place, d.message);
    }
    problems.more += later.more;
    sums.add(&sums_later);
    sums.check(model, problems);
    for (i, first) in repeats {
        repeated(model, (i, &model.relationships[i]), first, problems);
    }
}

/// Rule 6: relationship `i`, `r`, has the type, from and to of
/// relationship `first`, an earlier one.
fn repeated(model: &Model, (i, r): (usize, &Relationship), first: usize, problems: &mut Problems) {
    problems.push(
        Place::Relationship {
            index: i,
            label: label(model, r),
        },
        format!(
            "repeats relationships[{first}]: two relationships have the same type, from and to"
        ),
    );
}

/// `supplies a -> b`, for a message.
fn label(model: &Model, r: &Relationship) -> String {
    let id = |ix: EntityIx| if ix == UNRESOLVED { "?" } else { model.id(ix) };
    format!("{} {} -> {}", r.rel.as_str(), id(r.from), id(r.to))
}

fn segment_place(model: &Model, index: usize) -> Place {
    let s = &model.segments[index];
    Place::Segment {
        index,
        seller: ((s.seller as usize) < model.entities.len())
            .then(|| model.id(s.seller).to_string()),
        name: Some(model.str(s.name).to_string()),
    }
}

/// Rule 11 on a built model: a seller that is an entity, a cap in 0..1,
/// names unique per seller. O(entities + segments) (a seller's names are
/// compared among themselves: a seller has few).
fn segments(model: &Model, problems: &mut Problems) {
    let n = model.entities.len();
    for i in 0..model.segments.len() {
        segment(model, i, problems);
    }
    let by_seller = SegmentsBySeller::new(n, 0, model.segments.iter().map(|s| s.seller));
    let mut repeats = Vec::new();
    for v in 0..n {
        let run = by_seller.of(v as u32);
        if run.len() < 2 {
            continue;
        }
        let mut first = std::collections::HashMap::with_capacity(run.len());
        for &i in run {
            let name = model.str(model.segments[i as usize].name);
            if let Some(&j) = first.get(name) {
                repeats.push((i as usize, j, v));
            } else {
                first.insert(name, i as usize);
            }
        }
    }
    // In file order, as a single pass over the segments would find them.
    repeats.sort_unstable();
    for (i, j, v) in repeats {
        repeated_name(model, i, j, v as EntityIx, problems);
    }
}

/// Rule 11 for segment `i` but its name: a seller that is an entity, a
/// cap in 0..1.
fn segment(model: &Model, i: usize, problems: &mut Problems) {
    let s = &model.segments[i];
    if s.seller == UNRESOLVED {
        return; // reported while building
    }
    if s.seller as usize >= model.entities.len() {
        problems.push(
            segment_place(model, i),
            "its seller is not an entity of the graph",
        );
        return;
    }
    let cap = s.share_max;
    if !(0.0..=1.0).contains(&cap) || !cap.is_finite() {
        problems.push(
            segment_place(model, i),
            format!("share_max {cap} is out of range: it must be from 0 to 1"),
        );
    }
}

/// Rule 11's names: segment `i` of seller `v` has the name of segment
/// `j`, an earlier one.
fn repeated_name(model: &Model, i: usize, j: usize, v: EntityIx, problems: &mut Problems) {
    problems.push(
        segment_place(model, i),
        format!(
            "name is also the name of segments[{j}] of seller {:?}; a seller's segment names must be unique",
            model.id(v)
        ),
    );
}

fn entity_place(model: &Model, ix: usize) -> Place {
    Place::Entity {
        index: ix,
        id: Some(model.id(ix as EntityIx).to_string()),
    }
}

/// Rule 7 for revenues.
fn revenues(model: &Model, problems: &mut Problems) {
    for i in 0..model.entities.len() {
        revenue(model, i, problems);
    }
}

/// Rule 7 for the revenue of entity `i`.
#[inline(always)]
fn revenue(model: &Model, i: usize, problems: &mut Problems) {
    if let Some(rev) = model.entities[i].revenue.get() {
        if !(rev >= 0.0 && rev.is_finite()) {
            problems.push(
                entity_place(model, i),
                format!("revenue {rev} must be a finite number >= 0"),
            );
        }
    }
}

/// What rules 8 and 9 add up per entity.
struct Sums {
    /// Per seller: exact shares plus share_min of the other edges.
    committed: Vec<f64>,
    /// Per owned entity: the known percents.
    owned: Vec<f64>,
    /// Per segment: exact shares plus share_min of its edges.
    segments: Vec<f64>,
}

impl Sums {
    fn add(&mut self, other: &Sums) {
        for (a, b) in self.committed.iter_mut().zip(&other.committed) {
            *a += b;
        }
        for (a, b) in self.owned.iter_mut().zip(&other.owned) {
            *a += b;
        }
        for (a, b) in self.segments.iter_mut().zip(&other.segments) {
            *a += b;
        }
    }

    /// Rules 8, 9 and 13.
    fn check(&self, model: &Model, problems: &mut Problems) {
        for (v, &sum) in self.committed.iter().enumerate() {
            over_budget(model, v, sum, problems);
        }
        for (v, &sum) in self.owned.iter().enumerate() {
            over_owned(model, v, sum, problems);
        }
        for (i, &sum) in self.segments.iter().enumerate() {
            over_cap(model, i, sum, problems);
        }
    }
}

/// Rule 8 for seller `v`, its exact shares and share_min adding up to
/// `sum`.
fn over_budget(model: &Model, v: usize, sum: f64, problems: &mut Problems) {
    let what = "as a seller, its exact shares plus the share_min of its other supplies edges";
    over(|| entity_place(model, v), what, (sum, "", 1.0), problems);
}

/// Rule 9 for entity `v`, the known percents owned of it adding up to
/// `sum`.
fn over_owned(model: &Model, v: usize, sum: f64, problems: &mut Problems) {
    let what = "the known percents owned of it";
    over(|| entity_place(model, v), what, (sum, "", 100.0), problems);
}

/// Rule 13 for segment `i`, its edges' exact shares and share_min adding
/// up to `sum`.
fn over_cap(model: &Model, i: usize, sum: f64, problems: &mut Problems) {
    let what = "the exact shares and share_min of its edges";
    let cap = model.segments[i].share_max;
    let limit = (sum, "its share_max ", cap);
    over(|| segment_place(model, i), what, limit, problems);
}

/// A sum past its limit: "`what` add up to `sum`, above `named``limit`",
/// at the place `place` makes (made only then: it owns an id).
fn over(
    place: impl FnOnce() -> Place,
    what: &str,
    (sum, named, limit): (f64, &str, f64),
    problems: &mut Problems,
) {
    if sum > limit + EPS {
        problems.push(
            place(),
            format!(
                "{what} add up to {}, above {named}{}",
                short(sum),
                short(limit)
            ),
        );
    }
}

/// Rules 5 and 7 for relationships `range`, and their sums per entity.
fn relationships(
    model: &Model,
    sellers: &[EntityIx],
    range: std::ops::Range<usize>,
    problems: &mut Problems,
) -> Sums {
    let n = model.entities.len();
    let mut committed = vec![0.0f64; n];
    let mut owned = vec![0.0f64; n];
    let mut in_segment = vec![0.0f64; model.segments.len()];
    let rels = &model.relationships[range.clone()];
    for (i, r) in rels.iter().enumerate() {
        // The sums below add in entity order, which is not the file's.
        match rels.get(i + AHEAD) {
            Some(a) if a.rel == RelType::Supplies => {
                prefetch(&committed, a.from as usize);
                if let Some(s) = a.segment.get() {
                    prefetch(sellers, s);
                    prefetch(&in_segment, s);
                }
            }
            Some(a) => prefetch(&owned, a.to as usize),
            None => {}
        }
        match relationship(model, sellers, (range.start + i, r), problems) {
            Counts::Nothing => {}
            Counts::Sale { counted, segment } => {
                committed[r.from as usize] += counted;
                match segment {
                    Some(s) if counted > 0.0 => in_segment[s] += counted,
                    _ => {}
                }
            }
            Counts::Stake(percent) => owned[r.to as usize] += percent,
        }
    }
    Sums {
        committed,
        owned,
        segments: in_segment,
    }
}

/// What one relationship adds to the sums of rules 8, 9 and 13.
pub(super) enum Counts {
    /// Nothing: an end did not resolve.
    Nothing,
    /// A sale: its exact share or share_min toward its seller's budget,
    /// and its segment (when it is one of its seller's).
    Sale {
        counted: f64,
        segment: Option<usize>,
    },
    /// A stake: its known percent toward what is owned of its entity.
    Stake(f64),
}

/// Rules 5, 7 and 12 and share_min at most share_max for relationship
/// `i`, `r`, of `model` (`sellers`: each segment's seller), and what it
/// adds to the sums.
#[inline(always)]
pub(super) fn relationship(
    model: &Model,
    sellers: &[EntityIx],
    (i, r): (usize, &Relationship),
    problems: &mut Problems,
) -> Counts {
    let place = || Place::Relationship {
        index: i,
        label: label(model, r),
    };
    let mut in_range = |field: &str, v: Option<f64>, lo: f64, hi: f64, lo_open: bool| {
        if let Some(v) = v {
            let below = if lo_open { v <= lo } else { v < lo };
            if below || v > hi || !v.is_finite() {
                let range = match (lo_open, hi.is_finite()) {
                    (true, true) => format!("above {lo} and at most {hi}"),
                    (false, true) => format!("from {lo} to {hi}"),
                    _ => format!("a finite number >= {lo}"),
                };
                problems.push(
                    place(),
                    format!("{field} {v} is out of range: it must be {range}"),
                );
            }
        }
    };
    in_range("share", r.share.get(), 0.0, 1.0, false);
    in_range("share_min", r.share_min.get(), 0.0, 1.0, false);
    in_range("share_max", r.share_max.get(), 0.0, 1.0, false);
    in_range("value", r.value.get(), 0.0, f64::INFINITY, false);
    in_range("percent", r.percent.get(), 0.0, 100.0, true);
    if r.from == UNRESOLVED || r.to == UNRESOLVED {
        return Counts::Nothing;
    }
    if r.from == r.to {
        problems.push(
            place(),
            "from and to are the same entity; a relationship needs two",
        );
    }
    // Rule 12 on a changed copy: the loader only ever points an edge
    // at a segment of its own seller.
    let segment = r.segment.get().filter(|&s| {
        let ok = sellers.get(s) == Some(&r.from) && r.rel == RelType::Supplies;
        if !ok {
            problems.push(
                place(),
                "its segment is not a segment of its seller; only supplies edges join a segment of their seller",
            );
        }
        ok
    });
    match r.rel {
        RelType::Supplies => {
            let counted = match r.exact_share(|| model.entities[r.from as usize].revenue.get()) {
                Some(s) => s,
                None => {
                    let (lo, hi) = (
                        r.share_min.get().unwrap_or(0.0),
                        r.share_max.get().unwrap_or(1.0),
                    );
                    if lo > hi {
                        problems.push(place(), format!("share_min {lo} is above share_max {hi}"));
                    }
                    lo
                }
            };
            Counts::Sale { counted, segment }
        }
        RelType::Owns => Counts::Stake(r.percent.get().unwrap_or(0.0)),
    }
}

/// A sum for a message: nine decimals at most, no trailing zeros.
fn short(v: f64) -> String {
    let s = format!("{v:.9}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Rule 6: two relationships with the same type, from and to, as
/// `(index, index of the first)`, in index order. Groups the `(to, type)`
/// keys by `from` with a counting sort and marks each seller's targets, so
/// that no relationship record is fetched twice; only when a key repeats
/// does a second pass find the relationships that carry it.
fn repeats(model: &Model) -> Vec<(usize, usize)> {
    let n = model.entities.len();
    let rels = &model.relationships;
    let resolved = |r: &&Relationship| r.from != UNRESOLVED && r.to != UNRESOLVED;
    // (to, type) packed as `to * 2 + type`.
    let key = |r: &Relationship| u64::from(r.to) * 2 + r.rel as u64;
    let mut start = vec![0u32; n + 1];
    for r in rels.iter().filter(resolved) {
        start[r.from as usize + 1] += 1;
    }
    for v in 0..n {
        start[v + 1] += start[v];
    }
    let mut fill = start.clone();
    let mut keys = vec![0u64; start[n] as usize];
    for r in rels.iter().filter(resolved) {
        keys[fill[r.from as usize] as usize] = key(r);
        fill[r.from as usize] += 1;
    }
    drop(fill);
    // seen[to * 2 + type] = 1 + the last seller that had this key.
    let mut seen = vec![0u32; 2 * n];
    let mut repeated = std::collections::HashSet::new();
    for v in 0..n {
        for &key in &keys[start[v] as usize..start[v + 1] as usize] {
            let slot = &mut seen[key as usize];
            if *slot == v as u32 + 1 {
                repeated.insert((v as u32, key));
            }
            *slot = v as u32 + 1;
        }
    }
    let mut found = Vec::new();
    if repeated.is_empty() {
        return found;
    }
    let mut first = std::collections::HashMap::new();
    for (i, r) in rels.iter().enumerate().filter(|(_, r)| resolved(r)) {
        let seller_key = (r.from, key(r));
        if repeated.contains(&seller_key) {
            match first.get(&seller_key) {
                None => {
                    first.insert(seller_key, i);
                }
                Some(&first) => found.push((i, first)),
            }
        }
    }
    found
}

/// How many doubts [`doubts`] words; the rest are counted.
pub const DOUBTS_SHOWN: usize = 20;

/// What is valid but probably not meant: an `owns` percent below 1
/// (likely a fraction, 0.51 for 51 %), and a `value` on a `supplies` edge
/// without a `share` whose seller has no revenue (the value cannot become
/// a share, so the edge counts as unquantified). Words the first
/// `DOUBTS_SHOWN` and counts the rest.
///
/// # Complexity
/// O(relationships); only the edges that match build text.
pub fn doubts(model: &Model) -> (Vec<String>, usize) {
    let mut shown = Vec::new();
    let mut more = 0;
    for (i, r) in model.relationships.iter().enumerate() {
        let doubt = match r.rel {
            RelType::Owns => r
                .percent
                .get()
                .filter(|p| *p > 0.0 && *p < 1.0)
                .map(|p| format!("percent {p} looks like a fraction; percent is out of 100")),
            // The seller's revenue is read only for an edge with a value:
            // over millions of edges, reading every seller's record would
            // fetch a random entity each time.
            RelType::Supplies if r.share.get().is_none() => r
                .value
                .get()
                .filter(|_| {
                    let revenue = (r.from != UNRESOLVED)
                        .then(|| model.entities[r.from as usize].revenue.get())
                        .flatten();
                    !revenue.is_some_and(|v| v > 0.0)
                })
                .map(|v| format!("value {v} counts as unquantified: the seller has no revenue")),
            RelType::Supplies => None,
        };
        if let Some(what) = doubt {
            if shown.len() < DOUBTS_SHOWN {
                shown.push(format!("relationships[{i}] ({}): {what}", label(model, r)));
            } else {
                more += 1;
            }
        }
    }
    (shown, more)
}
