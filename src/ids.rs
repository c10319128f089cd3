//! Entity ids to indices, for the lookups a command makes after loading:
//! a portfolio's holdings, a scenario's changes, the ids given on the
//! command line.
//!
//! A scan of a million entities' ids costs about 7 ms; a portfolio of
//! 1,000 holdings took 6.7 s in scans alone on the bench's core graph. So
//! the first `SCANS` lookups of a model scan, and the next one sorts
//! every id's hash once (tens of milliseconds at a million entities),
//! after which a lookup is a binary search. Owns only the index; the ids
//! are the model's.

use crate::model::{EntityIx, Model};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use xxhash_rust::xxh3::xxh3_64;

/// Lookups that scan before the index is made: a one-off lookup (an
/// `explain ID`) costs a scan, not the index.
const SCANS: usize = 16;

/// The index of one model's entity ids, made on the lookup after the
/// first `SCANS`.
#[derive(Default)]
pub struct Ids {
    lookups: AtomicUsize,
    /// Every entity's id hash and index, sorted (so that, of two entities
    /// with the same id, the first comes first, as a scan finds it).
    sorted: OnceLock<Vec<(u32, EntityIx)>>,
}

impl Ids {
    /// The index of the first entity of `model` whose id is `id`.
    ///
    /// The index is made of a whole model (the loader looks nothing up),
    /// whose entities only grow after that (`load::append` on a copy,
    /// whose index starts anew): an index made for fewer entities than
    /// the model has is not used.
    ///
    /// # Complexity
    /// O(entities) for the first `SCANS` lookups; then O(entities · log
    /// entities) once, and O(log entities) a lookup.
    pub fn find(&self, model: &Model, id: &str) -> Option<EntityIx> {
        if self.lookups.fetch_add(1, Ordering::Relaxed) < SCANS {
            return scan(model, id);
        }
        let sorted = self.sorted.get_or_init(|| index(model));
        if sorted.len() != model.entities.len() {
            return scan(model, id);
        }
        let h = hash(id);
        let first = sorted.partition_point(|&(k, _)| k < h);
        sorted[first..]
            .iter()
            .take_while(|&&(k, _)| k == h)
            .map(|&(_, ix)| ix)
            .find(|&ix| model.id(ix) == id)
    }
}

/// The first entity whose id is `id`, by reading every id in turn.
fn scan(model: &Model, id: &str) -> Option<EntityIx> {
    model
        .entities
        .iter()
        .position(|e| model.text.get(e.id) == id)
        .map(|i| i as EntityIx)
}

/// An id's hash: 32 bits keep the index at 8 bytes an entity; the few
/// ids that share one (about a hundred pairs in a million) are told apart
/// by comparing them.
fn hash(id: &str) -> u32 {
    xxh3_64(id.as_bytes()) as u32
}

/// Every entity's id hash and index, sorted.
fn index(model: &Model) -> Vec<(u32, EntityIx)> {
    let mut sorted: Vec<(u32, EntityIx)> = (0..model.entities.len() as EntityIx)
        .map(|ix| (hash(model.id(ix)), ix))
        .collect();
    sorted.sort_unstable();
    sorted
}

/// A copy starts without an index: it may gain entities.
impl Clone for Ids {
    fn clone(&self) -> Ids {
        Ids::default()
    }
}

impl std::fmt::Debug for Ids {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let made = self.sorted.get().map(Vec::len);
        f.debug_struct("Ids").field("indexed", &made).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{self, Addition};

    /// A graph of `n` entities `e0`, `e1`, … and nothing else.
    fn entities(n: usize) -> Model {
        let ents: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"id":"e{i}","name":"E {i}"}}"#))
            .collect();
        let json = format!(
            r#"{{"format":"exposure-graph/1","entities":[{}],"relationships":[],"listings":[]}}"#,
            ents.join(",")
        );
        load::from_json(json.as_bytes()).expect("valid")
    }

    #[test]
    fn the_index_finds_what_a_scan_finds_once_it_is_made() {
        let model = entities(500);
        for round in 0..2 {
            for ix in (0..500).rev() {
                assert_eq!(model.find(&format!("e{ix}")), Some(ix), "round {round}");
            }
            assert_eq!(model.find("e500"), None);
            assert_eq!(model.find(""), None);
        }
        // Past the first lookups, they went through the index.
        assert_eq!(model.ids.sorted.get().map(Vec::len), Some(500));
        // A copy starts without one, and finds the same.
        let copy = model.clone();
        assert!(copy.ids.sorted.get().is_none());
        assert_eq!(copy.find("e42"), Some(42));
    }

    #[test]
    fn of_two_entities_with_one_id_the_first_is_found_as_by_a_scan() {
        let mut model = entities(40);
        // The loader refuses such a graph; the index must not care.
        model.entities[30].id = model.entities[7].id;
        for _ in 0..2 * SCANS {
            assert_eq!(model.find("e7"), Some(7));
        }
        assert!(model.ids.sorted.get().is_some());
        assert_eq!(model.find("e30"), None);
    }

    #[test]
    fn an_entity_added_after_the_index_was_made_is_found() {
        let mut model = entities(30);
        for _ in 0..=SCANS {
            assert_eq!(model.find("e3"), Some(3));
        }
        assert!(model.ids.sorted.get().is_some());
        let added: serde_json::Value = serde_json::json!({"id": "newco", "name": "NewCo"});
        load::append(&mut model, Addition::Entity(&added)).expect("valid");
        // The index holds 30 entities, the model 31: it is not used.
        assert_eq!(model.find("newco"), Some(30));
        assert_eq!(model.find("e3"), Some(3));
        // A copy made now indexes all 31.
        let copy = model.clone();
        for _ in 0..=SCANS {
            assert_eq!(copy.find("newco"), Some(30));
        }
        assert_eq!(copy.ids.sorted.get().map(Vec::len), Some(31));
    }
}
