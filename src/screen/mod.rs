//! Screening a graph's entities against the Consolidated Screening List:
//! reading the list (`csl`), folding names into tokens (`normalize`),
//! finding and scoring candidates (`matcher`), and turning accepted matches
//! into listings of a new graph (`apply`).
//!
//! **Invariant:** pure and deterministic: no IO, candidates come out in one
//! fixed order (score, entity id, list name, row) whatever the threads did.

pub mod csl;
pub mod matcher;
pub mod normalize;

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::load::{self, Problems};
use crate::model::{Date, EntityIx, Kind, Listing, Model};
use csl::{Entry, List};
use matcher::{Index, Tokens};

/// The default `--min-score`, chosen on the labelled set of
/// `tests/data/screen-labels.csv` (see docs/screening.md).
pub const DEFAULT_MIN_SCORE: f64 = 0.9;
/// Candidates from this score up are reported for review.
pub const REVIEW_FLOOR: f64 = 0.75;
/// Added when both sides name the same country.
pub const COUNTRY_BONUS: f64 = 0.02;
/// Taken off when both sides name countries and none is shared.
pub const COUNTRY_PENALTY: f64 = 0.15;
/// Taken off when a person meets a company, or a company an individual.
pub const KIND_PENALTY: f64 = 0.1;

/// What to screen for.
#[derive(Clone, Debug)]
pub struct Options {
    pub min_score: f64,
    /// Report candidates from this score up (at most `min_score`).
    pub floor: f64,
    /// Only rows of these source codes (`EL`, `SDN`, ...); None: all.
    pub sources: Option<Vec<String>>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            min_score: DEFAULT_MIN_SCORE,
            floor: REVIEW_FLOOR,
            sources: None,
        }
    }
}

/// Whether the two sides' countries agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountryEvidence {
    Same,
    Conflict,
    /// One side (or both) names no country.
    Unknown,
}

/// One candidate: an entity and a list row whose names score at least the
/// floor.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub entity: EntityIx,
    /// Index into [`List::entries`].
    pub entry: usize,
    pub score: f64,
    /// The entity's name or alias that matched.
    pub entity_name: String,
    /// The row's name or alt name that matched.
    pub list_name: String,
    pub set: f64,
    pub sort: f64,
    pub country: CountryEvidence,
    /// The entity's country, as compared (HK and MO read as CN).
    pub entity_country: Option<String>,
    pub kind_conflict: bool,
    pub divergent: bool,
    pub accepted: bool,
}

impl Candidate {
    /// `"Hikvision ~ Hikvision"`: which name matched which.
    pub fn matched(&self) -> String {
        format!("{} ~ {}", self.entity_name, self.list_name)
    }

    /// How the score came about, for people.
    pub fn reason(&self, list: &List) -> String {
        let e = &list.entries[self.entry];
        let mut r = format!("token-set {:.3}, token-sort {:.3}", self.set, self.sort);
        if self.divergent {
            r.push_str("; each name has a word the other lacks");
        }
        match self.country {
            CountryEvidence::Same => r.push_str(&format!(
                "; same country {}",
                self.entity_country.as_deref().unwrap_or("")
            )),
            CountryEvidence::Conflict => r.push_str(&format!(
                "; country differs: {} vs {}",
                self.entity_country.as_deref().unwrap_or("?"),
                e.countries.join("/")
            )),
            CountryEvidence::Unknown => r.push_str("; country unknown on one side"),
        }
        if self.kind_conflict {
            r.push_str(&format!(
                "; kind differs ({})",
                if e.kind.is_empty() { "?" } else { &e.kind }
            ));
        }
        r
    }
}

/// Hong Kong and Macao read as China: the list writes Hong Kong addresses
/// "…, Hong Kong SAR, CN" or "…, HK" for the same firms.
fn country_class(c: &str) -> String {
    match c {
        "HK" | "MO" => "CN".to_string(),
        other => other.to_ascii_uppercase(),
    }
}

/// Offshore registries where holding companies of firms from elsewhere are
/// incorporated ("Yitu Limited", Grand Cayman): a row whose only countries
/// are these gives no country evidence either way.
const OFFSHORE: &[&str] = &[
    "KY", "VG", "BM", "JE", "GG", "IM", "MH", "SC", "BS", "PA", "CY", "LU", "NL", "MU", "WS",
];

/// Whether a row of this kind is a person, a firm, or unknown.
fn row_is_person(kind: &str) -> Option<bool> {
    match kind {
        "Individual" => Some(true),
        "Entity" | "Vessel" => Some(false),
        _ => None,
    }
}

/// Screens every entity of `model` against `list`.
///
/// # Complexity
/// O(names · keys) to index, then per entity O(candidates · names²)
/// through the index; never all pairs. Runs on the available cores, the
/// result sorted afterwards so it does not depend on them.
pub fn screen(model: &Model, list: &List, opts: &Options) -> Vec<Candidate> {
    let keep = |e: &Entry| {
        opts.sources
            .as_ref()
            .is_none_or(|s| s.iter().any(|c| c.eq_ignore_ascii_case(&e.code)))
    };
    let rows: Vec<(Vec<String>, bool)> = list
        .entries
        .iter()
        .map(|e| {
            (
                matcher::variants(&e.name, e.alt_names.iter().map(String::as_str)),
                keep(e),
            )
        })
        .collect();
    let mut index = Index::build(&rows);
    // Entities' names are tokenised here, single-threaded, so that the
    // index is read-only from now on.
    let names: Vec<Vec<Tokens>> = model
        .entities
        .iter()
        .map(|e| {
            let aliases = e
                .aliases
                .map(|l| model.list(l).collect::<Vec<_>>())
                .unwrap_or_default();
            matcher::variants(model.str(e.name), aliases.into_iter())
                .iter()
                .map(|v| index.tokenise(v))
                .collect()
        })
        .collect();
    let index = &index;
    let row_countries: Vec<Vec<String>> = list
        .entries
        .iter()
        .map(|e| {
            let all: Vec<String> = e.countries.iter().map(|c| country_class(c)).collect();
            if all.iter().all(|c| OFFSHORE.contains(&c.as_str())) {
                Vec::new()
            } else {
                all
            }
        })
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = model.entities.len().div_ceil(threads).max(1);
    let mut out: Vec<Candidate> = std::thread::scope(|s| {
        let handles: Vec<_> = names
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                let row_countries = &row_countries;
                s.spawn(move || {
                    let mut alike_cache: HashMap<u32, Vec<u32>> = HashMap::new();
                    let mut found = Vec::new();
                    for (k, ent_names) in part.iter().enumerate() {
                        let ix = (c * chunk + k) as EntityIx;
                        let mut alike = |ix: &Index, t: u32| {
                            alike_cache.entry(t).or_insert_with(|| ix.alike(t)).clone()
                        };
                        for entry in index.candidates(ent_names, &mut alike) {
                            if let Some(cand) = score_pair(
                                model,
                                list,
                                index,
                                ix,
                                ent_names,
                                entry,
                                &row_countries[entry as usize],
                                opts,
                            ) {
                                found.push(cand);
                            }
                        }
                    }
                    found
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| model.id(a.entity).cmp(model.id(b.entity)))
            .then_with(|| list.entries[a.entry].name.cmp(&list.entries[b.entry].name))
            .then_with(|| a.entry.cmp(&b.entry))
    });
    out
}

#[allow(clippy::too_many_arguments)]
fn score_pair(
    model: &Model,
    list: &List,
    index: &Index,
    ix: EntityIx,
    ent_names: &[Tokens],
    entry: u32,
    row_countries: &[String],
    opts: &Options,
) -> Option<Candidate> {
    if !index.is_indexed(entry) {
        return None;
    }
    // A name score that cannot reach the floor even with the best country
    // evidence is not worth its token-sort.
    let floor = opts.floor.min(opts.min_score) - COUNTRY_BONUS;
    let mut best: Option<(matcher::NameScore, &str, &str)> = None;
    for (ltext, ltoks) in index.names_of(entry) {
        for en in ent_names {
            let s = matcher::score_names_above(&index.vocab, &en.toks, ltoks, floor);
            if best.as_ref().is_none_or(|b| s.score > b.0.score) {
                best = Some((s, en.text.as_str(), ltext));
            }
        }
    }
    let (ns, ename, lname) = best?;
    if ns.score < floor {
        return None;
    }
    let e = &model.entities[ix as usize];
    let row = &list.entries[entry as usize];
    let ec = e.country.map(|c| country_class(model.str(c)));
    let country = match &ec {
        Some(c) if !row_countries.is_empty() => {
            if row_countries.contains(c) {
                CountryEvidence::Same
            } else {
                CountryEvidence::Conflict
            }
        }
        _ => CountryEvidence::Unknown,
    };
    let kind_conflict = matches!(
        (e.kind, row_is_person(&row.kind)),
        (Some(Kind::Person), Some(false)) | (Some(Kind::Company | Kind::Government), Some(true))
    );
    let mut score = ns.score;
    match country {
        CountryEvidence::Same => score += COUNTRY_BONUS,
        CountryEvidence::Conflict => score -= COUNTRY_PENALTY,
        CountryEvidence::Unknown => {}
    }
    if kind_conflict {
        score -= KIND_PENALTY;
    }
    // Three decimals: what is printed is what is compared.
    let score = (score.clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
    if score < opts.floor.min(opts.min_score) {
        return None;
    }
    Some(Candidate {
        entity: ix,
        entry: entry as usize,
        score,
        entity_name: ename.to_string(),
        list_name: lname.to_string(),
        set: ns.set,
        sort: ns.sort,
        country,
        entity_country: ec,
        kind_conflict,
        divergent: ns.divergent,
        accepted: score >= opts.min_score,
    })
}

/// The list name given to a row whose source is blank: a listing needs a
/// non-empty list name, and this one says what is known.
pub const NO_SOURCE: &str = "Consolidated Screening List (source not given)";

/// The graph list name for a CSL source code: the names the example graph
/// uses for the two big lists, else the source text before its agency
/// ("Military End User (MEU) List"), else [`NO_SOURCE`].
pub fn list_name(entry: &Entry) -> String {
    let name = match entry.code.as_str() {
        "EL" => "BIS Entity List",
        "SDN" => "OFAC SDN",
        _ => entry
            .source
            .split(" - ")
            .next()
            .unwrap_or(&entry.source)
            .trim(),
    };
    if name.is_empty() {
        NO_SOURCE.to_string()
    } else {
        name.to_string()
    }
}

/// What `apply` did.
#[derive(Debug, Default)]
pub struct Applied {
    pub added: usize,
    /// Accepted matches whose listing the graph already had (same entity,
    /// list and start).
    pub already: usize,
}

/// A copy of `model` with a listing for each accepted candidate: the list
/// named after the row's source, `start` its `start_date` (else the effective or listing date written
/// in its `ids`, as CMIC rows have it), `end` its `end_date`, `citation` its
/// `federal_register_notice`, and the matched name, score, source and row
/// in the listing's own fields (`csl_name`, `csl_score`, `csl_source`,
/// `csl_row`, `csl_matched`). The copy is checked again.
pub fn apply(
    model: &Model,
    list: &List,
    candidates: &[Candidate],
) -> Result<(Model, Applied), Problems> {
    let mut m = model.clone();
    let mut applied = Applied::default();
    let mut seen: Vec<(EntityIx, String, Option<Date>)> = model
        .listings
        .iter()
        .map(|l| (l.entity, model.str(l.list).to_string(), l.start))
        .collect();
    let fail = |e: crate::model::TextFull| {
        let mut p = Problems::default();
        p.push(load::Place::File, e.to_string());
        p
    };
    for c in candidates.iter().filter(|c| c.accepted) {
        let row = &list.entries[c.entry];
        let name = list_name(row);
        let start = row.start_date.or(row.ids_date);
        let key = (c.entity, name.clone(), start);
        if seen.contains(&key) {
            applied.already += 1;
            continue;
        }
        seen.push(key);
        let mut extra = Map::new();
        extra.insert("csl_name".into(), Value::from(row.name.clone()));
        extra.insert(
            "csl_score".into(),
            Value::from(crate::export::number(c.score)),
        );
        extra.insert("csl_matched".into(), Value::from(c.matched()));
        extra.insert("csl_source".into(), Value::from(row.source.clone()));
        extra.insert("csl_row".into(), Value::from(row.row));
        let listing = Listing {
            entity: c.entity,
            list: m.text.push(&name).map_err(fail)?,
            start,
            end: row.end_date,
            citation: match &row.federal_register_notice {
                Some(f) => Some(m.text.push(f).map_err(fail)?),
                None => None,
            },
            reason: None,
            extra: m.push_extra(extra),
        };
        m.listings.push(listing);
        applied.added += 1;
    }
    load::check(&m)?;
    Ok((m, applied))
}
