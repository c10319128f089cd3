//! The validation rules that look at numbers and across records: ranges,
//! self-loops, duplicate relationships, the per-seller share budget and the
//! per-entity ownership budget. Syntax, types, required fields, ids and
//! dates are checked while parsing (`json.rs`).

use super::{Place, Problems};
use crate::model::{EntityIx, Model, RelType, Relationship};
use crate::parallel::both;
use crate::tolerance::EPS;

/// Relationships whose `from` or `to` did not resolve carry this index.
const UNRESOLVED: EntityIx = u32::MAX;

/// Checks rules 5 to 9 of the format; appends what it finds.
///
/// # Complexity
/// O(entities + relationships).
pub(super) fn check(model: &Model, problems: &mut Problems) {
    revenues(model, problems);
    // The relationships in two halves, the second with rule 6 on a second
    // thread; the problems come out in the order one pass would give.
    let rels = model.relationships.len();
    let (first, second) = (0..rels / 2, rels / 2..rels);
    let ((later, sums_later, repeats), mut sums) = both(
        || {
            let mut found = Problems::default();
            let sums = relationships(model, second, &mut found);
            (found, sums, repeats(model))
        },
        || relationships(model, first, problems),
    );
    for d in later.list {
        problems.push(d.place, d.message);
    }
    problems.more += later.more;
    sums.add(&sums_later);
    sums.check(model, problems);
    for (i, first) in repeats {
        let r = &model.relationships[i];
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
}

/// `supplies a -> b`, for a message.
fn label(model: &Model, r: &Relationship) -> String {
    let id = |ix: EntityIx| if ix == UNRESOLVED { "?" } else { model.id(ix) };
    format!("{} {} -> {}", r.rel.as_str(), id(r.from), id(r.to))
}

fn entity_place(model: &Model, ix: usize) -> Place {
    Place::Entity {
        index: ix,
        id: Some(model.id(ix as EntityIx).to_string()),
    }
}

/// Rule 7 for revenues.
fn revenues(model: &Model, problems: &mut Problems) {
    for (i, e) in model.entities.iter().enumerate() {
        if let Some(rev) = e.revenue.get() {
            if !(rev >= 0.0 && rev.is_finite()) {
                problems.push(
                    entity_place(model, i),
                    format!("revenue {rev} must be a finite number >= 0"),
                );
            }
        }
    }
}

/// What rules 8 and 9 add up per entity.
struct Sums {
    /// Per seller: exact shares plus share_min of the other edges.
    committed: Vec<f64>,
    /// Per owned entity: the known percents.
    owned: Vec<f64>,
}

impl Sums {
    fn add(&mut self, other: &Sums) {
        for (a, b) in self.committed.iter_mut().zip(&other.committed) {
            *a += b;
        }
        for (a, b) in self.owned.iter_mut().zip(&other.owned) {
            *a += b;
        }
    }

    /// Rules 8 and 9.
    fn check(&self, model: &Model, problems: &mut Problems) {
        for (v, &sum) in self.committed.iter().enumerate() {
            if sum > 1.0 + EPS {
                problems.push(
                    entity_place(model, v),
                    format!(
                        "as a seller, its exact shares plus the share_min of its other supplies edges add up to {}, above 1",
                        short(sum)
                    ),
                );
            }
        }
        for (v, &sum) in self.owned.iter().enumerate() {
            if sum > 100.0 + EPS {
                problems.push(
                    entity_place(model, v),
                    format!(
                        "the known percents owned of it add up to {}, above 100",
                        short(sum)
                    ),
                );
            }
        }
    }
}

/// Rules 5 and 7 for relationships `range`, and their sums per entity.
fn relationships(model: &Model, range: std::ops::Range<usize>, problems: &mut Problems) -> Sums {
    let n = model.entities.len();
    let mut committed = vec![0.0f64; n];
    let mut owned = vec![0.0f64; n];
    for (i, r) in model.relationships[range.clone()].iter().enumerate() {
        let i = range.start + i;
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
            continue;
        }
        if r.from == r.to {
            problems.push(
                place(),
                "from and to are the same entity; a relationship needs two",
            );
        }
        match r.rel {
            RelType::Supplies => {
                match r.exact_share(|| model.entities[r.from as usize].revenue.get()) {
                    Some(s) => committed[r.from as usize] += s,
                    None => {
                        let (lo, hi) = (
                            r.share_min.get().unwrap_or(0.0),
                            r.share_max.get().unwrap_or(1.0),
                        );
                        if lo > hi {
                            problems
                                .push(place(), format!("share_min {lo} is above share_max {hi}"));
                        }
                        committed[r.from as usize] += lo;
                    }
                }
            }
            RelType::Owns => owned[r.to as usize] += r.percent.get().unwrap_or(0.0),
        }
    }
    Sums { committed, owned }
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
