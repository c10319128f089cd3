//! The net of a copy of a model with records appended (a scenario that
//! adds entities, relationships or segments), made from the net of the
//! model it was copied from: the new edges spliced into their sellers'
//! runs, without a pass over the relationships.

use std::sync::Arc;

use super::{bounds, cumulative, segments, Net, NO_SEGMENT};
use crate::model::{EntityIx, Model, RelType};

/// What a copy has beyond the model a net was built from: that model's
/// entities, relationships and segments come first in it (unchanged but
/// for `joined`), then the appended ones.
#[derive(Clone, Debug, Default)]
pub struct Appended {
    /// How many relationships and segments the net's model had.
    pub relationships: usize,
    pub segments: usize,
    /// Supplies relationships of the net's model that the copy put in a
    /// segment (a new one: `add_segment`), with that segment.
    pub joined: Vec<(usize, usize)>,
}

impl Net {
    /// The net [`Net::build`] gives for a copy of this net's model with
    /// the records `appended` (entities, relationships and segments; never
    /// listings). `model` holds the copy's rows (entities and segments)
    /// and only the appended relationships: the copy's relationship
    /// `appended.relationships + k` is `model.relationships[k]`.
    ///
    /// # Complexity
    /// O(V + E) to copy the arrays, plus O(k log k) for k appended
    /// relationships; the stakes are shared when none is appended, the
    /// segments when none is appended and no sale joins one.
    pub fn extended(&self, model: &Model, appended: &Appended) -> Net {
        let n = model.entities.len();
        let base = appended.relationships;
        let new = |rel: RelType| -> Vec<(EntityIx, usize)> {
            let mut found: Vec<(EntityIx, usize)> = model
                .relationships
                .iter()
                .enumerate()
                .filter(|(_, r)| r.rel == rel)
                .map(|(k, r)| (r.from, base + k))
                .collect();
            found.sort_unstable();
            found
        };
        let (sales, stakes) = (new(RelType::Supplies), new(RelType::Owns));
        let sell_start = grown_starts(&self.sell_start, n, &sales);
        // Where each new sale goes: after its seller's sales of the net.
        let at = |v: EntityIx| {
            let end = self.sell_start.len() - 1;
            self.sell_start[(v as usize + 1).min(end)] as usize
        };
        let rels = |i: usize| &model.relationships[i - base];
        let placed: Vec<(usize, usize, (f64, f64, bool))> = sales
            .iter()
            .map(|&(v, i)| (at(v), i, bounds(model, rels(i))))
            .collect();
        let mut net = Net {
            n,
            sell_start: Arc::new(sell_start),
            buyer: spliced(&self.buyer, placed.iter().map(|&(e, i, _)| (e, rels(i).to))),
            lo: spliced(&self.lo, placed.iter().map(|&(e, _, b)| (e, b.0))),
            hi: spliced(&self.hi, placed.iter().map(|&(e, _, b)| (e, b.1))),
            exact: spliced(&self.exact, placed.iter().map(|&(e, _, b)| (e, b.2))),
            rel: Arc::new(spliced(
                &self.rel,
                placed.iter().map(|&(e, i, _)| (e, i as u32)),
            )),
            own_start: self.own_start.clone(),
            owned: self.owned.clone(),
            percent: self.percent.clone(),
            known_owned: self.known_owned.clone(),
            listings: self.listings.clone(),
            list_names: self.list_names.clone(),
            seg_start: self.seg_start.clone(),
            edge_seg: self.edge_seg.clone(),
            seg_room: self.seg_room.clone(),
            seg_model: self.seg_model.clone(),
        };
        if n != self.n || !stakes.is_empty() {
            net.extend_stakes(self, (model, base), &stakes);
        }
        net.extend_segments(self, model, appended, &sales, at);
        net
    }

    /// The stakes of `old` with the new ones `stakes` (owner, appended
    /// relationship `model.relationships[i - base]`; sorted) spliced in,
    /// over `model`'s entities (the stakes themselves shared when there is
    /// none).
    fn extend_stakes(
        &mut self,
        old: &Net,
        (model, base): (&Model, usize),
        stakes: &[(EntityIx, usize)],
    ) {
        let rels = |i: usize| &model.relationships[i - base];
        if !stakes.is_empty() {
            let at = |v: EntityIx| {
                let end = old.own_start.len() - 1;
                old.own_start[(v as usize + 1).min(end)] as usize
            };
            let owned = spliced(&old.owned, stakes.iter().map(|&(v, i)| (at(v), rels(i).to)));
            let percent = spliced(
                &old.percent,
                stakes.iter().map(|&(v, i)| (at(v), rels(i).percent.get())),
            );
            self.owned = Arc::new(owned);
            self.percent = Arc::new(percent);
        }
        self.own_start = Arc::new(grown_starts(&old.own_start, self.n, stakes));
        let mut known_owned = old.known_owned.to_vec();
        known_owned.resize(self.n, 0.0);
        // In the order of the relationships, as `build` adds them.
        let mut by_index: Vec<usize> = stakes.iter().map(|&(_, i)| i).collect();
        by_index.sort_unstable();
        for i in by_index {
            known_owned[rels(i).to as usize] += rels(i).percent.get().unwrap_or(0.0);
        }
        self.known_owned = Arc::new(known_owned);
    }

    /// The segments of `old` over this net's edges: shared when no
    /// segment, and no sale's segment, changed (their offsets grown over
    /// new entities), else grouped again from each edge's model segment
    /// (`at`: where a new sale's seller's run in `old` ends).
    fn extend_segments(
        &mut self,
        old: &Net,
        model: &Model,
        appended: &Appended,
        sales: &[(EntityIx, usize)],
        at: impl Fn(EntityIx) -> usize,
    ) {
        if model.segments.is_empty() {
            return;
        }
        let base = appended.relationships;
        let in_segment = |i: usize| {
            let r = &model.relationships[i - base];
            r.segment.get().map_or(NO_SEGMENT, |s| s as u32)
        };
        let unchanged = model.segments.len() == appended.segments
            && appended.joined.is_empty()
            && sales.iter().all(|&(_, i)| in_segment(i) == NO_SEGMENT);
        if unchanged {
            if !sales.is_empty() {
                let edge_seg = spliced(
                    &old.edge_seg,
                    sales.iter().map(|&(v, _)| (at(v), NO_SEGMENT)),
                );
                self.edge_seg = Arc::new(edge_seg);
            }
            if self.n > old.n {
                let none: &[(EntityIx, ())] = &[];
                self.seg_start = Arc::new(grown_starts(&old.seg_start, self.n, none));
            }
            return;
        }
        // Each edge's model segment: `old`'s numbered back, the new
        // sales' and the joined edges' read from their records.
        let model_seg: Vec<u32> = match old.edge_seg.is_empty() {
            true => vec![NO_SEGMENT; old.edge_count()],
            false => old
                .edge_seg
                .iter()
                .map(|&s| match s {
                    NO_SEGMENT => NO_SEGMENT,
                    s => old.seg_model[s as usize],
                })
                .collect(),
        };
        let mut model_seg = spliced(
            &model_seg,
            sales.iter().map(|&(v, i)| (at(v), in_segment(i))),
        );
        for &(j, s) in &appended.joined {
            // Segment `s` is one of the sale's seller's.
            let seller = model.segments[s].seller;
            if let Some(e) = self.sales(seller).find(|&e| self.rel[e] as usize == j) {
                model_seg[e] = s as u32;
            }
        }
        let (seg_start, edge_seg, seg_room, seg_model) =
            segments(model, self.n, model_seg, &self.lo);
        self.seg_start = Arc::new(seg_start);
        self.edge_seg = Arc::new(edge_seg);
        self.seg_room = seg_room;
        self.seg_model = Arc::new(seg_model);
    }
}

/// CSR offsets `old` (of fewer or as many keys) over `n` keys, with the
/// items `new` (key, anything; sorted by key) added to their keys.
fn grown_starts<T>(old: &[u32], n: usize, new: &[(EntityIx, T)]) -> Vec<u32> {
    let mut counts = vec![0u32; n + 1];
    for &(v, _) in new {
        counts[v as usize + 1] += 1;
    }
    let added = cumulative(counts);
    let last = *old.last().unwrap_or(&0);
    (0..=n)
        .map(|v| old.get(v).copied().unwrap_or(last) + added[v])
        .collect()
}

/// `old` with the items `new` (position in `old`, item; by position
/// ascending) each put before the item at its position (at the end for
/// `old.len()`).
fn spliced<T: Copy>(old: &[T], new: impl Iterator<Item = (usize, T)>) -> Vec<T> {
    let (lower, _) = new.size_hint();
    let mut out = Vec::with_capacity(old.len() + lower);
    let mut copied = 0;
    for (at, item) in new {
        out.extend_from_slice(&old[copied..at]);
        out.push(item);
        copied = at;
    }
    out.extend_from_slice(&old[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{append, from_json, Addition};
    use serde_json::json;

    #[test]
    fn a_net_extended_by_appended_records_is_the_net_built_anew() {
        let loaded = from_json(
            br#"{"format": "exposure-graph/1",
                "entities": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"},
                             {"id": "c", "name": "C", "revenue": 100}, {"id": "x", "name": "X"}],
                "relationships": [
                    {"type": "supplies", "from": "a", "to": "b", "share": 0.2, "segment": "Asia"},
                    {"type": "supplies", "from": "c", "to": "a", "value": 10},
                    {"type": "supplies", "from": "a", "to": "c", "share_max": 0.3},
                    {"type": "owns", "from": "a", "to": "b", "percent": 30}],
                "segments": [{"seller": "a", "name": "Asia", "share_max": 0.5}],
                "listings": [{"entity": "b", "list": "Entity List"}]}"#,
        )
        .expect("a valid graph");
        let net = Net::build(&loaded);
        let entity = |id: &str| json!({"id": id, "name": id});
        let sale = |from: &str, to: &str| json!({"type": "supplies", "from": from, "to": to});
        let mut into_asia = sale("a", "x");
        into_asia["share_min"] = 0.1.into();
        into_asia["segment"] = "Asia".into();
        let stake = json!({"type": "owns", "from": "c", "to": "b", "percent": 20});
        let europe = json!({"seller": "a", "name": "Europe", "share_max": 0.4});
        // Records to append in turn (entities, relationships, segments),
        // and whether the sale from a to c then joins the last segment.
        let cases: [(&[serde_json::Value], bool); 6] = [
            (&[sale("b", "c"), sale("b", "a")], false),
            (&[into_asia, sale("c", "b")], false),
            (
                &[entity("d"), sale("a", "d"), sale("d", "c"), entity("e")],
                false,
            ),
            (std::slice::from_ref(&stake), false),
            (&[stake.clone(), entity("f")], false),
            (&[europe, entity("g"), sale("g", "a")], true),
        ];
        for (records, joins) in cases {
            let mut copy = loaded.clone();
            let mut appended = Appended {
                relationships: loaded.relationships.len(),
                segments: loaded.segments.len(),
                joined: Vec::new(),
            };
            for r in records {
                let addition = match () {
                    _ if r.get("seller").is_some() => Addition::Segment(r),
                    _ if r.get("type").is_some() => Addition::Relationship(r),
                    _ => Addition::Entity(r),
                };
                append(&mut copy, addition).expect("a valid record");
            }
            if joins {
                let s = copy.segments.len() - 1;
                copy.relationships[2].segment = crate::model::SegmentRef::new(s);
                appended.joined.push((2, s));
            }
            // The copy as a scenario holds it: its rows, and only the
            // relationships it appended.
            let mut rows = copy.rows();
            rows.relationships = copy.relationships[appended.relationships..].to_vec();
            assert_eq!(
                net.extended(&rows, &appended),
                Net::build(&copy),
                "{records:?}"
            );
        }
    }
}
