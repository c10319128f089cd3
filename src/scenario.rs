//! What-if scenarios: the scenario file, and applying one scenario's
//! changes to a loaded graph — listings and licences as an overlay of
//! options, shares and records on a copy. The base graph is never changed,
//! so one load serves every scenario.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

use crate::analysis::incremental::{Incremental, Touched};
use crate::analysis::{Options, Outcome, Settings, WhatIfListing};
use crate::graph::Net;
use crate::load::{self, Addition, Problems};
use crate::model::{Date, EntityIx, Model, OptNum, RelType, SegmentRef};

/// One change of a scenario, as written in the file.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A listing in effect whatever the date.
    List {
        entity: String,
        list: Option<String>,
    },
    /// No listing of the entity is in effect.
    Delist {
        entity: String,
    },
    /// Sales from `from` to `to` are licensed.
    License {
        from: String,
        to: String,
    },
    /// The supplies edge gets this share, or these bounds.
    SetShare {
        from: String,
        to: String,
        share: Option<f64>,
        share_min: Option<f64>,
        share_max: Option<f64>,
    },
    /// The relationship is removed.
    Remove {
        rel: RelType,
        from: String,
        to: String,
    },
    AddEntity(Value),
    AddRelationship(Value),
    /// The segment of `seller` named `name` gets this cap.
    SetSegment {
        seller: String,
        name: String,
        share_max: f64,
    },
    /// A new segment (given as in a graph file), joined by the seller's
    /// edges to `edges` (buyer ids).
    AddSegment {
        segment: Value,
        edges: Vec<String>,
    },
}

impl Change {
    /// The op's name, for messages.
    pub fn op(&self) -> &'static str {
        match self {
            Change::List { .. } => "list",
            Change::Delist { .. } => "delist",
            Change::License { .. } => "license",
            Change::SetShare { .. } => "set_share",
            Change::Remove { .. } => "remove",
            Change::AddEntity(_) => "add_entity",
            Change::AddRelationship(_) => "add_relationship",
            Change::SetSegment { .. } => "set_segment",
            Change::AddSegment { .. } => "add_segment",
        }
    }
}

/// A named set of settings and changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub settings: Settings,
    pub changes: Vec<Change>,
}

/// What-if changes that apply to every scenario: the command line's
/// `--list`, `--delist` and `--license`, applied after the file's.
#[derive(Clone, Debug, Default)]
pub struct WhatIfFlags {
    pub list: Vec<String>,
    pub delist: Vec<String>,
    /// `SELLER:BUYER` pairs.
    pub license: Vec<String>,
}

impl WhatIfFlags {
    /// The flags as given (`--list megvii`), for titles and headers.
    pub fn flags(&self) -> Vec<String> {
        [
            ("--list", &self.list),
            ("--delist", &self.delist),
            ("--license", &self.license),
        ]
        .into_iter()
        .flat_map(|(flag, ids)| ids.iter().map(move |id| format!("{flag} {id}")))
        .collect()
    }
}

/// A scenario that cannot be read or applied: which one, which change,
/// and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// Index and name of the scenario, when known.
    pub scenario: Option<(usize, String)>,
    /// Index and op of the change, when one is to blame.
    pub change: Option<(usize, &'static str)>,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((i, name)) = &self.scenario {
            write!(f, "scenarios[{i}] ({name:?})")?;
            if let Some((c, op)) = &self.change {
                write!(f, ", changes[{c}] ({op})")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

fn fail(message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        scenario: None,
        change: None,
        message: message.into(),
    }
}

/// Reads a scenario file: `{"scenarios": [ {"name": ..., ...}, ... ]}`.
pub fn parse(bytes: &[u8]) -> Result<Vec<Scenario>, ScenarioError> {
    let v: Value = serde_json::from_slice(crate::load::without_bom(bytes))
        .map_err(|e| fail(format!("not a scenario file: {e}")))?;
    let list = v
        .get("scenarios")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("expected an object with a \"scenarios\" array"))?;
    if list.is_empty() {
        return Err(fail("\"scenarios\" is empty; give at least one scenario"));
    }
    let mut out: Vec<Scenario> = Vec::with_capacity(list.len());
    for (i, s) in list.iter().enumerate() {
        let name = s
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let at = |change: Option<(usize, &'static str)>, message: String| ScenarioError {
            scenario: Some((i, name.clone())),
            change,
            message,
        };
        let obj = s
            .as_object()
            .ok_or_else(|| at(None, "a scenario must be an object".into()))?;
        if name.is_empty() {
            return Err(at(None, "\"name\" is required: a non-empty string".into()));
        }
        if let Some(j) = out.iter().position(|o| o.name == name) {
            return Err(at(
                None,
                format!("the name is also the name of scenarios[{j}]; names must be unique"),
            ));
        }
        let settings = settings(obj).map_err(|m| at(None, m))?;
        let changes = match obj.get("changes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(cs)) => cs
                .iter()
                .enumerate()
                .map(|(c, v)| change(v).map_err(|(op, m)| at(Some((c, op)), m)))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(at(None, "\"changes\" must be an array".into())),
        };
        out.push(Scenario {
            name,
            settings,
            changes,
        });
    }
    Ok(out)
}

fn settings(obj: &Map<String, Value>) -> Result<Settings, String> {
    for key in obj.keys() {
        if ![
            "name",
            "description",
            "as_of",
            "affiliates_threshold",
            "lists",
            "max_depth",
            "changes",
        ]
        .contains(&key.as_str())
        {
            return Err(format!("unknown field {key:?}"));
        }
    }
    let as_of = match obj.get("as_of") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_str()
                .and_then(Date::parse)
                .ok_or("as_of must be a real date YYYY-MM-DD")?,
        ),
    };
    let affiliates = match obj.get("affiliates_threshold") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_f64()
                .filter(|t| *t > 0.0 && *t <= 100.0)
                .ok_or("affiliates_threshold must be a percent above 0 and at most 100")?,
        ),
    };
    let lists = match obj.get("lists") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or("lists must be an array of list names")?,
        ),
        Some(_) => return Err("lists must be an array of list names".into()),
    };
    let max_depth = match obj.get("max_depth") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|k| *k >= 1 && *k <= u32::MAX as u64)
                .ok_or("max_depth must be a whole number >= 1")? as u32,
        ),
    };
    Ok(Settings {
        as_of,
        affiliates,
        lists,
        max_depth,
    })
}

/// Reads one change; on failure, the op (as far as known) and why.
fn change(v: &Value) -> Result<Change, (&'static str, String)> {
    let obj = v
        .as_object()
        .ok_or(("?", "a change must be an object".to_string()))?;
    let op = obj
        .get("op")
        .and_then(Value::as_str)
        .ok_or(("?", "\"op\" is required".to_string()))?;
    let (op, allowed): (&'static str, &[&str]) = match op {
        "list" => ("list", &["entity", "list"]),
        "delist" => ("delist", &["entity"]),
        "license" => ("license", &["from", "to"]),
        "set_share" => ("set_share", &["from", "to", "share", "share_min", "share_max"]),
        "remove" => ("remove", &["type", "from", "to"]),
        "add_entity" => ("add_entity", &["entity"]),
        "add_relationship" => ("add_relationship", &["relationship"]),
        "set_segment" => ("set_segment", &["seller", "name", "share_max"]),
        "add_segment" => ("add_segment", &["segment", "edges"]),
        other => {
            return Err((
                "?",
                format!("unknown op {other:?}; one of list, delist, license, set_share, remove, add_entity, add_relationship, set_segment, add_segment"),
            ))
        }
    };
    let err = |m: String| (op, m);
    if let Some(k) = obj
        .keys()
        .find(|k| k.as_str() != "op" && !allowed.contains(&k.as_str()))
    {
        return Err(err(format!("unknown field {k:?} for op {op}")));
    }
    let text = |key: &str| -> Result<String, (&'static str, String)> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(err(format!("\"{key}\" is required: a non-empty string"))),
        }
    };
    let share = |key: &str| -> Result<Option<f64>, (&'static str, String)> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|s| (0.0..=1.0).contains(s))
                .map(Some)
                .ok_or_else(|| err(format!("{key} must be a number from 0 to 1"))),
        }
    };
    Ok(match op {
        "list" => Change::List {
            entity: text("entity")?,
            list: if obj.contains_key("list") {
                Some(text("list")?)
            } else {
                None
            },
        },
        "delist" => Change::Delist {
            entity: text("entity")?,
        },
        "license" => Change::License {
            from: text("from")?,
            to: text("to")?,
        },
        "set_share" => {
            let (share, share_min, share_max) =
                (share("share")?, share("share_min")?, share("share_max")?);
            if share.is_none() && share_min.is_none() && share_max.is_none() {
                return Err(err(
                    "give \"share\", or \"share_min\" and/or \"share_max\"".into()
                ));
            }
            if share.is_some() && (share_min.is_some() || share_max.is_some()) {
                return Err(err("give either \"share\" or bounds, not both".into()));
            }
            Change::SetShare {
                from: text("from")?,
                to: text("to")?,
                share,
                share_min,
                share_max,
            }
        }
        "remove" => {
            let t = text("type")?;
            let rel = RelType::parse(&t)
                .ok_or_else(|| err(format!("type {t:?} is not one of supplies, owns")))?;
            Change::Remove {
                rel,
                from: text("from")?,
                to: text("to")?,
            }
        }
        "add_entity" => Change::AddEntity(
            obj.get("entity")
                .cloned()
                .ok_or_else(|| err("\"entity\" is required".into()))?,
        ),
        "set_segment" => Change::SetSegment {
            seller: text("seller")?,
            name: text("name")?,
            share_max: share("share_max")?
                .ok_or_else(|| err("\"share_max\" is required: a number from 0 to 1".into()))?,
        },
        "add_segment" => {
            let edges = match obj.get("edges") {
                None => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<Vec<String>>>()
                    .ok_or_else(|| err("\"edges\" must be an array of buyer ids".into()))?,
                Some(_) => return Err(err("\"edges\" must be an array of buyer ids".into())),
            };
            Change::AddSegment {
                segment: obj
                    .get("segment")
                    .cloned()
                    .ok_or_else(|| err("\"segment\" is required".into()))?,
                edges,
            }
        }
        _ => Change::AddRelationship(
            obj.get("relationship")
                .cloned()
                .ok_or_else(|| err("\"relationship\" is required".into()))?,
        ),
    })
}

/// A scenario applied: the graph it sees (the loaded one with `edits`
/// laid over its net, or a changed copy with its own net) and the options
/// to evaluate it with.
pub struct Applied<'a> {
    pub model: Cow<'a, Model>,
    /// The changed copy's net; `None`: the loaded net with `edits`.
    pub net: Option<Net>,
    /// Supplies edges whose shares the scenario changes or that it
    /// removes, laid over the loaded net (empty with a copy).
    pub edits: Vec<EdgeEdit>,
    pub opts: Options,
}

/// A supplies edge of the loaded net as a scenario has it: new bounds, or
/// gone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EdgeEdit {
    pub edge: usize,
    pub lo: f64,
    pub hi: f64,
    pub exact: bool,
    pub removed: bool,
}

impl Applied<'_> {
    /// Evaluates the scenario on the loaded `net` (a changed copy has its
    /// own): a full evaluation, the edits laid over a copy of the net.
    ///
    /// # Complexity
    /// One [`evaluate`](crate::analysis::evaluate), plus a copy of the net
    /// when there are edits.
    pub fn evaluate(&self, net: &Net) -> Outcome {
        if let Some(own) = &self.net {
            return crate::analysis::evaluate(own, &self.opts);
        }
        if self.edits.is_empty() {
            return crate::analysis::evaluate(net, &self.opts);
        }
        let mut copy = net.clone();
        let laid = Laid::over(&mut copy, &self.model, &self.edits);
        crate::analysis::evaluate(laid.net, &self.opts_with_removed())
    }

    /// Evaluates the scenario on the loaded `net`, solving again only
    /// what it changes against `base` (the loaded net evaluated with
    /// `incremental`'s options). The edits are laid over `net` for the
    /// evaluation and taken off again, so `net` comes back as it was.
    ///
    /// # Complexity
    /// See [`Incremental::evaluate`]; a changed copy is evaluated in full.
    pub fn evaluate_from(
        &self,
        net: &mut Net,
        incremental: &Incremental,
        base: &Outcome,
    ) -> Outcome {
        // A changed copy, or nothing to lay over the net.
        if self.net.is_some() || self.edits.is_empty() {
            return self.evaluate_shared(net, incremental, base);
        }
        let opts = self.opts_with_removed();
        if self.edits.iter().any(|e| e.removed) {
            incremental.find_base_components(net, base);
        }
        // Asked on the base's graph, before the edits are laid over it.
        let unused: Vec<bool> = self
            .edits
            .iter()
            .map(|e| e.removed && incremental.unused(net, base, e.edge))
            .collect();
        let laid = Laid::over(net, &self.model, &self.edits);
        let touched: Vec<Touched> = self
            .edits
            .iter()
            .zip(unused)
            .map(|(e, unused)| {
                let (lo, buyer) = laid.before(e.edge);
                Touched {
                    edge: e.edge,
                    // An unused sale's lower bound was 0.
                    lower: !unused && (e.removed || e.lo.to_bits() != lo.to_bits()),
                    removed: e.removed,
                    buyer,
                    unused,
                }
            })
            .collect();
        incremental.evaluate(laid.net, base, &opts, &touched)
    }

    /// [`Applied::evaluate_from`] on a net that may be shared: a scenario
    /// that lays no edits over it is evaluated incrementally, one that
    /// does (which `batch.rs` never passes here) in full on a copy.
    ///
    /// # Complexity
    /// See [`Incremental::evaluate`]; a changed copy is evaluated in full.
    pub fn evaluate_shared(&self, net: &Net, incremental: &Incremental, base: &Outcome) -> Outcome {
        match (&self.net, self.edits.is_empty()) {
            (Some(own), _) => crate::analysis::evaluate(own, &self.opts),
            (None, true) => incremental.evaluate(net, base, &self.opts, &[]),
            (None, false) => self.evaluate(net),
        }
    }

    /// The options, with the removed edges licensed: a removed edge leads
    /// back to its seller with bounds 0, and as licensed it counts for no
    /// reach and carries nothing into a restricted seller.
    fn opts_with_removed(&self) -> Options {
        let mut opts = self.opts.clone();
        opts.licensed
            .extend(self.edits.iter().filter(|e| e.removed).map(|e| e.edge));
        opts
    }
}

/// Edits laid over a net, taken off when dropped: what each edited edge
/// and each segment of theirs had before.
struct Laid<'n> {
    net: &'n mut Net,
    edges: Vec<(usize, f64, f64, bool, u32)>,
    segments: Vec<(usize, f64)>,
}

impl<'n> Laid<'n> {
    /// Lays `edits` over `net` (of `model`): an edge's bounds, a removed
    /// edge as a loop to its seller with bounds 0, and the room b(S) of
    /// the segments of the edited edges, summed as [`Net::build`] does.
    ///
    /// # Complexity
    /// O(edits · the edges of their sellers).
    fn over(net: &'n mut Net, model: &Model, edits: &[EdgeEdit]) -> Laid<'n> {
        let mut edges = Vec::with_capacity(edits.len());
        let mut segments: Vec<(usize, f64)> = Vec::new();
        for ed in edits {
            let e = ed.edge;
            edges.push((e, net.lo[e], net.hi[e], net.exact[e], net.buyer[e]));
            let seller = net.sell_start.partition_point(|&s| s as usize <= e) - 1;
            (net.lo[e], net.hi[e], net.exact[e]) = (ed.lo, ed.hi, ed.exact);
            if ed.removed {
                (net.lo[e], net.hi[e], net.exact[e]) = (0.0, 0.0, false);
                net.buyer[e] = seller as u32;
            }
            if let Some(s) = net.segment(e) {
                if !segments.iter().any(|&(t, _)| t == s) {
                    segments.push((s, net.seg_room[s]));
                }
            }
        }
        for &(s, _) in &segments {
            let seller = model.segments[net.seg_model[s] as usize].seller;
            let mut taken = 0.0f64;
            for e in net.sales(seller) {
                if net.segment(e) == Some(s) {
                    taken += net.lo[e];
                }
            }
            let cap = model.segments[net.seg_model[s] as usize].share_max;
            net.seg_room[s] = (cap - taken).max(0.0);
        }
        Laid {
            net,
            edges,
            segments,
        }
    }

    /// The lower bound and the buyer edge `e` had before.
    fn before(&self, e: usize) -> (f64, u32) {
        self.edges
            .iter()
            .find(|s| s.0 == e)
            .map_or((self.net.lo[e], self.net.buyer[e]), |s| (s.1, s.4))
    }
}

impl Drop for Laid<'_> {
    fn drop(&mut self) {
        for &(e, lo, hi, exact, buyer) in self.edges.iter().rev() {
            (self.net.lo[e], self.net.hi[e], self.net.exact[e]) = (lo, hi, exact);
            self.net.buyer[e] = buyer;
        }
        for &(s, room) in &self.segments {
            self.net.seg_room[s] = room;
        }
    }
}

/// The edits of a scenario whose record changes can all be laid over the
/// loaded net: `set_share` that raises no lower bound and keeps it at
/// most the upper one (so the graph stays valid), and `remove` of a
/// supplies edge. `None` for any other record change, or any change that
/// fails (the copy then says why), or when a licence names a removed edge.
fn overlay(
    model: &Model,
    net: &Net,
    scenario: &Scenario,
    extra: &WhatIfFlags,
) -> Option<Vec<EdgeEdit>> {
    let mut edits: Vec<EdgeEdit> = Vec::new();
    let edge = |from: &str, to: &str| net.edge(model.find(from)?, model.find(to)?);
    for change in &scenario.changes {
        match change {
            Change::List { .. } | Change::Delist { .. } | Change::License { .. } => {}
            Change::SetShare {
                from,
                to,
                share,
                share_min,
                share_max,
            } => {
                let e = edge(from, to)?;
                let now = match edits.iter().find(|x| x.edge == e) {
                    Some(x) if x.removed => return None,
                    Some(x) => x.lo,
                    None => net.lo[e],
                };
                let (lo, hi, exact) = match share {
                    Some(s) => (*s, *s, true),
                    None => (share_min.unwrap_or(0.0), share_max.unwrap_or(1.0), false),
                };
                if lo > hi || lo > now {
                    return None;
                }
                edits.retain(|x| x.edge != e);
                edits.push(EdgeEdit {
                    edge: e,
                    lo,
                    hi,
                    exact,
                    removed: false,
                });
            }
            Change::Remove {
                rel: RelType::Supplies,
                from,
                to,
            } => {
                let e = edge(from, to)?;
                if edits.iter().any(|x| x.edge == e && x.removed) {
                    return None;
                }
                edits.retain(|x| x.edge != e);
                edits.push(EdgeEdit {
                    edge: e,
                    lo: 0.0,
                    hi: 0.0,
                    exact: false,
                    removed: true,
                });
            }
            _ => return None,
        }
    }
    let removed = |s: &str, b: &str| {
        edge(s, b).is_some_and(|e| edits.iter().any(|x| x.edge == e && x.removed))
    };
    for change in &scenario.changes {
        if let Change::License { from, to } = change {
            if removed(from, to) {
                return None;
            }
        }
    }
    for pair in &extra.license {
        if let Ok(e) = licensed_edge(model, net, pair) {
            if edits.iter().any(|x| x.edge == e && x.removed) {
                return None;
            }
        }
    }
    Some(edits)
}

/// The problems of a changed graph, as one message.
fn invalid(problems: &Problems) -> String {
    let mut parts: Vec<String> = problems.list.iter().map(|d| d.to_string()).collect();
    if problems.more > 0 {
        parts.push(format!("and {} more", problems.more));
    }
    format!("the change makes the graph invalid: {}", parts.join("; "))
}

/// Finds a relationship of the copy by type and ids.
fn find_rel(model: &Model, rel: RelType, from: &str, to: &str) -> Option<usize> {
    let (f, t) = (model.find(from)?, model.find(to)?);
    model
        .relationships
        .iter()
        .position(|r| r.rel == rel && r.from == f && r.to == t)
}

/// Finds a segment of the copy by its seller's id and its name.
fn find_segment(model: &Model, seller: &str, name: &str) -> Option<usize> {
    let v = model.find(seller)?;
    model
        .segments
        .iter()
        .position(|s| s.seller == v && model.str(s.name) == name)
}

/// What to tell a user whose licence names no edge: the edge the other
/// way, if there is one (written by `other_way(seller, buyer)`), else whom
/// the seller sells to (the first few by id).
fn no_edge_hint(
    model: &Model,
    net: &Net,
    seller: u32,
    buyer: u32,
    other_way: impl Fn(&str, &str) -> String,
) -> String {
    const SHOWN: usize = 5;
    if net.edge(buyer, seller).is_some() {
        return format!(
            "there is one the other way: {}",
            other_way(model.id(buyer), model.id(seller))
        );
    }
    let mut buyers: Vec<&str> = net.sales(seller).map(|e| model.id(net.buyer[e])).collect();
    if buyers.is_empty() {
        return format!("{:?} sells to no one in the graph", model.id(seller));
    }
    buyers.sort_unstable();
    let more = buyers.len().saturating_sub(SHOWN);
    buyers.truncate(SHOWN);
    let list = buyers.join(", ");
    match more {
        0 => format!("{:?} sells to {list}", model.id(seller)),
        _ => format!("{:?} sells to {list} and {more} more", model.id(seller)),
    }
}

/// Resolves `SELLER:BUYER` to a supplies edge. Ids may hold `:`, so every
/// split is tried; exactly one must name an edge.
pub fn licensed_edge(model: &Model, net: &Net, pair: &str) -> Result<usize, String> {
    let mut found = Vec::new();
    let mut named = None;
    for (i, _) in pair.match_indices(':') {
        let (seller, buyer) = (&pair[..i], &pair[i + 1..]);
        if let (Some(s), Some(b)) = (model.find(seller), model.find(buyer)) {
            named = named.or(Some((s, b)));
            found.extend(net.edge(s, b));
        }
    }
    match (found.as_slice(), named) {
        ([e], _) => Ok(*e),
        ([], Some((s, b))) => Err(format!(
            "--license {pair}: there is no supplies edge from {:?} to {:?}; {}",
            model.id(s),
            model.id(b),
            no_edge_hint(model, net, s, b, |a, b| format!("--license {a}:{b}"))
        )),
        ([], None) if !pair.contains(':') => {
            Err(format!("--license {pair}: write it as SELLER:BUYER"))
        }
        ([], None) => {
            // Say which side is unknown, at the split whose other side is
            // an id (or the first one).
            let splits: Vec<(&str, &str)> = pair
                .match_indices(':')
                .map(|(i, _)| (&pair[..i], &pair[i + 1..]))
                .collect();
            let (seller, buyer) = splits
                .iter()
                .find(|(s, b)| model.find(s).is_some() || model.find(b).is_some())
                .or(splits.first())
                .copied()
                .unwrap_or((pair, ""));
            let mut unknown = Vec::new();
            for (side, id) in [("seller", seller), ("buyer", buyer)] {
                if model.find(id).is_none() {
                    unknown.push(format!(
                        "the {side} {id:?} is not the id of any entity{}",
                        crate::suggest::id_hint(model, id)
                    ));
                }
            }
            Err(format!("--license {pair}: {}", unknown.join("; ")))
        }
        (_, _) => Err(format!(
            "--license {pair}: ambiguous, more than one split names an edge"
        )),
    }
}

/// The options of the loaded graph under the command line's `cli`
/// settings, with no what-if: the base a scenario's changes are
/// evaluated against.
pub fn base_options(model: &Model, cli: &Settings) -> Options {
    Options {
        settings: Settings {
            as_of: cli.as_of.or(model.meta.as_of),
            ..cli.clone()
        },
        ..Options::default()
    }
}

/// Applies `scenario` to the loaded graph, then the command line's
/// settings (which win) and what-ifs (applied after the file's changes).
///
/// # Complexity
/// O(changes) without record changes; with them, a copy of the model and
/// O(V + E) per record change (the graph is checked again) plus one build.
pub fn apply<'a>(
    model: &'a Model,
    net: &Net,
    index: usize,
    scenario: &Scenario,
    cli: &Settings,
    extra: &WhatIfFlags,
) -> Result<Applied<'a>, ScenarioError> {
    apply_with(model, net, index, scenario, cli, extra, true)
}

/// [`apply`]; `lay: false` changes records on a copy even where they could
/// be laid over the net (tests compare the two).
fn apply_with<'a>(
    model: &'a Model,
    net: &Net,
    index: usize,
    scenario: &Scenario,
    cli: &Settings,
    extra: &WhatIfFlags,
    lay: bool,
) -> Result<Applied<'a>, ScenarioError> {
    let at = |change: Option<(usize, &'static str)>, message: String| ScenarioError {
        scenario: Some((index, scenario.name.clone())),
        change,
        message,
    };
    let edits = if lay {
        overlay(model, net, scenario, extra)
    } else {
        None
    };
    let mut copy: Option<Model> = None;
    // What-ifs by id, in order; resolved against the final graph. A later
    // list or delist of the same entity undoes an earlier one.
    let mut listed: Vec<(String, Option<String>, Option<usize>)> = Vec::new();
    let mut delisted: Vec<(String, Option<usize>)> = Vec::new();
    let mut licensed: Vec<(String, String, Option<usize>)> = Vec::new();
    for (c, change) in scenario.changes.iter().enumerate() {
        let here = Some((c, change.op()));
        match change {
            Change::List { entity, list: name } => {
                listed.push((entity.clone(), name.clone(), Some(c)))
            }
            Change::Delist { entity } => {
                listed.retain(|(e, _, _)| e != entity);
                delisted.push((entity.clone(), Some(c)));
            }
            Change::License { from, to } => licensed.push((from.clone(), to.clone(), Some(c))),
            Change::SetShare {
                from,
                to,
                share,
                share_min,
                share_max,
            } => {
                if edits.is_some() {
                    continue;
                }
                let m = copy.get_or_insert_with(|| model.clone());
                let r = find_rel(m, RelType::Supplies, from, to).ok_or_else(|| {
                    at(
                        here,
                        format!("there is no supplies edge from {from:?} to {to:?}"),
                    )
                })?;
                let r = &mut m.relationships[r];
                (r.share, r.share_min, r.share_max) =
                    ((*share).into(), (*share_min).into(), (*share_max).into());
                r.value = OptNum::NONE;
                load::check(m).map_err(|p| at(here, invalid(&p)))?;
            }
            Change::Remove { rel, from, to } => {
                if edits.is_some() {
                    continue;
                }
                let m = copy.get_or_insert_with(|| model.clone());
                let r = find_rel(m, *rel, from, to).ok_or_else(|| {
                    at(
                        here,
                        format!(
                            "there is no {} relationship from {from:?} to {to:?}",
                            rel.as_str()
                        ),
                    )
                })?;
                m.relationships.remove(r);
            }
            Change::SetSegment {
                seller,
                name,
                share_max,
            } => {
                let m = copy.get_or_insert_with(|| model.clone());
                let s = find_segment(m, seller, name)
                    .ok_or_else(|| at(here, format!("{seller:?} has no segment named {name:?}")))?;
                m.segments[s].share_max = *share_max;
                load::check(m).map_err(|p| at(here, invalid(&p)))?;
            }
            Change::AddSegment { segment, edges } => {
                let m = copy.get_or_insert_with(|| model.clone());
                load::append(m, Addition::Segment(segment)).map_err(|p| at(here, invalid(&p)))?;
                let s = m.segments.len() - 1;
                let seller = m.id(m.segments[s].seller).to_string();
                for buyer in edges {
                    let r = find_rel(m, RelType::Supplies, &seller, buyer).ok_or_else(|| {
                        at(
                            here,
                            format!("there is no supplies edge from {seller:?} to {buyer:?}"),
                        )
                    })?;
                    // An edge is in at most one segment: moving it out of
                    // another would loosen that one's cap unseen.
                    if let Some(other) = m.relationships[r].segment.get() {
                        return Err(at(
                            here,
                            format!(
                                "the edge from {seller:?} to {buyer:?} is already in segment {:?}",
                                m.str(m.segments[other].name)
                            ),
                        ));
                    }
                    m.relationships[r].segment = SegmentRef::new(s);
                }
                load::check(m).map_err(|p| at(here, invalid(&p)))?;
            }
            Change::AddEntity(v) | Change::AddRelationship(v) => {
                let m = copy.get_or_insert_with(|| model.clone());
                let addition = match change {
                    Change::AddEntity(_) => Addition::Entity(v),
                    _ => Addition::Relationship(v),
                };
                load::append(m, addition).map_err(|p| at(here, invalid(&p)))?;
            }
        }
    }
    for id in &extra.delist {
        listed.retain(|(e, _, _)| e != id);
        delisted.push((id.clone(), None));
    }
    for id in &extra.list {
        listed.push((id.clone(), None, None));
    }

    let (model, own): (Cow<Model>, Option<Net>) = match copy {
        Some(m) => {
            let n = Net::build(&m);
            (Cow::Owned(m), Some(n))
        }
        None => (Cow::Borrowed(model), None),
    };
    let net = own.as_ref().unwrap_or(net);
    let op_at = |c: Option<usize>, op: &'static str| c.map(|c| (c, op));
    let resolve =
        |id: &str, c: Option<usize>, op: &'static str| -> Result<EntityIx, ScenarioError> {
            model.find(id).ok_or_else(|| {
                let flag = if c.is_none() {
                    format!(" (--{op})")
                } else {
                    String::new()
                };
                at(
                    op_at(c, op),
                    format!(
                        "no entity has the id {id:?}{flag}{}",
                        crate::suggest::id_hint(&model, id)
                    ),
                )
            })
        };
    let mut opts = Options::default();
    for (id, c) in &delisted {
        opts.delist.push(resolve(id, *c, "delist")?);
    }
    for (id, name, c) in &listed {
        opts.list.push(WhatIfListing {
            entity: resolve(id, *c, "list")?,
            list: name.clone(),
        });
    }
    for (from, to, c) in &licensed {
        let (s, b) = (resolve(from, *c, "license")?, resolve(to, *c, "license")?);
        let e = net.edge(s, b).ok_or_else(|| {
            let hint = no_edge_hint(&model, net, s, b, |a, b| {
                format!(r#"{{"op": "license", "from": {a:?}, "to": {b:?}}}"#)
            });
            at(
                op_at(*c, "license"),
                format!("there is no supplies edge from {from:?} to {to:?}; {hint}"),
            )
        })?;
        opts.licensed.push(e);
    }
    for pair in &extra.license {
        opts.licensed
            .push(licensed_edge(&model, net, pair).map_err(|m| at(None, m))?);
    }
    if let Some(lists) = &scenario.settings.lists {
        // The lists of the graph, and those the scenario's changes add.
        let mut known = net.list_names.clone();
        known.extend(listed.iter().filter_map(|(_, name, _)| name.clone()));
        crate::suggest::check_lists(lists, &known, "lists").map_err(|m| at(None, m))?;
    }
    let settings = cli.or(&scenario.settings);
    opts.settings = Settings {
        as_of: settings.as_of.or(model.meta.as_of),
        ..settings
    };
    Ok(Applied {
        model,
        net: own,
        edits: edits.unwrap_or_default(),
        opts,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn reads_every_op_and_setting() {
        let file = br#"{"scenarios":[{"name":"base"},{"name":"s","as_of":"2019-10-09","affiliates_threshold":50,
          "lists":["BIS Entity List"],"max_depth":3,"changes":[
          {"op":"list","entity":"megvii","list":"BIS Entity List"},{"op":"delist","entity":"huawei"},
          {"op":"license","from":"intel","to":"huawei"},{"op":"set_share","from":"a","to":"b","share":0.1},
          {"op":"remove","type":"supplies","from":"a","to":"b"},
          {"op":"add_entity","entity":{"id":"n","name":"N"}},
          {"op":"add_relationship","relationship":{"type":"supplies","from":"a","to":"n"}}]}]}"#;
        let s = parse(file).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].settings.max_depth, Some(3));
        let ops: Vec<&str> = s[1].changes.iter().map(Change::op).collect();
        assert_eq!(
            ops,
            [
                "list",
                "delist",
                "license",
                "set_share",
                "remove",
                "add_entity",
                "add_relationship"
            ]
        );
    }

    #[test]
    fn a_bad_change_is_named_by_scenario_and_index() {
        let file = br#"{"scenarios":[{"name":"ok"},{"name":"bad","changes":[{"op":"list","entity":"x"},{"op":"grow","x":1}]}]}"#;
        let e = parse(file).unwrap_err();
        assert_eq!(e.scenario, Some((1, "bad".to_string())));
        assert_eq!(e.change.map(|c| c.0), Some(1));
        assert!(e.to_string().contains("unknown op \"grow\""), "{e}");
    }

    #[test]
    fn command_line_settings_win_over_the_file() {
        let cli = Settings {
            max_depth: Some(2),
            ..Settings::default()
        };
        let file = Settings {
            max_depth: Some(5),
            affiliates: Some(50.0),
            ..Settings::default()
        };
        let s = cli.or(&file);
        assert_eq!((s.max_depth, s.affiliates), (Some(2), Some(50.0)));
    }

    use crate::analysis::incremental::Incremental;
    use crate::analysis::{evaluate_with, Outcome};

    /// A random valid graph as JSON: loops of shares near 1, exact,
    /// bounded and unknown shares within each seller's budget, segments,
    /// stakes known and unknown, dated listings.
    pub(crate) fn random_graph(seed: u64) -> String {
        let mut next = crate::testing::random(seed);
        let n = 6 + next(20) as usize;
        let mut ents = Vec::new();
        for i in 0..n {
            let rev = if next(2) == 0 {
                format!(r#","revenue":{}"#, 100 + next(900))
            } else {
                String::new()
            };
            ents.push(format!(r#"{{"id":"e{i}","name":"E{i}"{rev}}}"#));
        }
        let mut rels = Vec::new();
        let mut budget = vec![1.0f64; n];
        let mut seen = std::collections::BTreeSet::new();
        let mut by_seller: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        // A loop or two of shares near 1.
        for _ in 0..1 + next(2) {
            let k = 2 + next(4) as usize;
            let start = next(n as u64) as usize;
            let ring: Vec<usize> = (0..k).map(|j| (start + j * 3) % n).collect();
            for j in 0..k {
                let (a, b) = (ring[j], ring[(j + 1) % k]);
                let s = [0.999, 0.9999, 0.99, 0.9][next(4) as usize];
                if a == b || seen.contains(&(a, b)) || budget[a] < s + 0.0001 {
                    continue;
                }
                seen.insert((a, b));
                budget[a] -= s;
                by_seller[a].push((b, s));
                rels.push(format!(
                    r#"{{"type":"supplies","from":"e{a}","to":"e{b}","share":{s}}}"#
                ));
            }
        }
        for _ in 0..n * 2 {
            let (a, b) = (next(n as u64) as usize, next(n as u64) as usize);
            if a == b || !seen.insert((a, b)) {
                continue;
            }
            let q = match next(4) {
                0 if budget[a] > 0.2 => {
                    let s = [0.1, 0.3, 0.05][next(3) as usize];
                    budget[a] -= s;
                    by_seller[a].push((b, s));
                    format!(r#","share":{s}"#)
                }
                1 if budget[a] > 0.1 => {
                    budget[a] -= 0.05;
                    by_seller[a].push((b, 0.05));
                    r#","share_min":0.05,"share_max":0.5"#.to_string()
                }
                2 => {
                    by_seller[a].push((b, 0.0));
                    r#","share_max":0.2"#.to_string()
                }
                _ => {
                    by_seller[a].push((b, 0.0));
                    String::new()
                }
            };
            rels.push(format!(
                r#"{{"type":"supplies","from":"e{a}","to":"e{b}"{q}}}"#
            ));
        }
        let mut segs = Vec::new();
        for (a, edges) in by_seller.iter().enumerate() {
            if edges.len() < 2 || next(3) != 0 {
                continue;
            }
            let lo: f64 = edges.iter().take(2).map(|e| e.1).sum();
            let cap = (lo + [0.0, 0.05, 0.3][next(3) as usize]).min(1.0);
            segs.push(format!(
                r#"{{"seller":"e{a}","name":"S","share_max":{cap}}}"#
            ));
            for &(b, _) in edges.iter().take(2) {
                let r = rels
                    .iter()
                    .position(|r| r.contains(&format!(r#""from":"e{a}","to":"e{b}""#)))
                    .unwrap();
                let t = rels[r].trim_end_matches('}').to_string();
                rels[r] = format!(r#"{t},"segment":"S"}}"#);
            }
        }
        let mut owned = vec![0.0f64; n];
        for _ in 0..n / 2 {
            let (a, b) = (next(n as u64) as usize, next(n as u64) as usize);
            if a == b || !seen.insert((n + a, b)) {
                continue;
            }
            let pct = if next(3) == 0 || owned[b] > 40.0 {
                String::new()
            } else {
                owned[b] += 50.0;
                r#","percent":50"#.to_string()
            };
            rels.push(format!(
                r#"{{"type":"owns","from":"e{a}","to":"e{b}"{pct}}}"#
            ));
        }
        let mut lists = Vec::new();
        // A loop of unknown shares that sells only to a listed entity: X
        // is 1 round it, and stays a fixed point of X when the listing
        // goes (the least one is then 0), so only a start from below
        // finds the least.
        let listed = next(n as u64);
        for j in 0..3 {
            ents.push(format!(r#"{{"id":"u{j}","name":"U{j}"}}"#));
            rels.push(format!(
                r#"{{"type":"supplies","from":"u{j}","to":"u{}"}}"#,
                (j + 1) % 3
            ));
        }
        rels.push(format!(
            r#"{{"type":"supplies","from":"u0","to":"e{listed}"}}"#
        ));
        lists.push(format!(r#"{{"entity":"e{listed}","list":"OFAC SDN"}}"#));
        for _ in 0..1 + next(4) {
            let v = next(n as u64);
            let list = ["BIS Entity List", "OFAC SDN"][next(2) as usize];
            let dates = match next(5) {
                0 => r#","start":"2019-05-16""#,
                1 => r#","start":"2018-01-01","end":"2020-01-01""#,
                2 => r#","start":"2017-03-01","end":"2019-07-01""#,
                3 => r#","end":"2018-09-30""#,
                _ => "",
            };
            lists.push(format!(r#"{{"entity":"e{v}","list":"{list}"{dates}}}"#));
        }
        format!(
            r#"{{"format":"exposure-graph/1","meta":{{"as_of":"2019-10-09"}},"entities":[{}],"relationships":[{}],"segments":[{}],"listings":[{}]}}"#,
            ents.join(","),
            rels.join(","),
            segs.join(","),
            lists.join(",")
        )
    }

    /// A random scenario of one to three changes of every kind, on the
    /// supplies edges and entities of `model`.
    pub(crate) fn random_scenario(model: &Model, next: &mut impl FnMut(u64) -> u64) -> Scenario {
        let n = model.entities.len() as u64;
        let supplies: Vec<&crate::model::Relationship> = model
            .relationships
            .iter()
            .filter(|r| r.rel == RelType::Supplies)
            .collect();
        let mut changes = Vec::new();
        for _ in 0..1 + next(3) {
            let id = |v: u64| model.id(v as u32).to_string();
            let r = supplies[next(supplies.len() as u64) as usize];
            let (from, to) = (model.id(r.from).to_string(), model.id(r.to).to_string());
            let lo = r.share.get().or(r.share_min.get()).unwrap_or(0.0);
            changes.push(match next(9) {
                0 => Change::List {
                    entity: id(next(n)),
                    list: [None, Some("OFAC SDN".to_string())][next(2) as usize].clone(),
                },
                1 => Change::Delist {
                    entity: id(next(n)),
                },
                2 => Change::License { from, to },
                // A cut, which is laid over the net.
                3 => Change::SetShare {
                    from,
                    to,
                    share: Some(lo * [0.0, 0.5, 1.0][next(3) as usize]),
                    share_min: None,
                    share_max: None,
                },
                4 => Change::SetShare {
                    from,
                    to,
                    share: None,
                    share_min: [None, Some(lo / 2.0)][next(2) as usize],
                    share_max: Some([0.01, 0.5, 1.0][next(3) as usize]),
                },
                // A raise: on a copy, or an invalid graph.
                5 => Change::SetShare {
                    from,
                    to,
                    share: Some([0.2, 0.7][next(2) as usize]),
                    share_min: None,
                    share_max: None,
                },
                6 | 7 => Change::Remove {
                    rel: RelType::Supplies,
                    from,
                    to,
                },
                _ => Change::AddEntity(
                    serde_json::json!({"id": format!("new{}", next(1000)), "name": "N"}),
                ),
            });
        }
        Scenario {
            name: "s".into(),
            settings: Settings {
                as_of: [None, Date::parse("2018-06-01")][next(2) as usize],
                lists: [None, Some(vec!["OFAC SDN".to_string()])][(next(4) == 0) as usize].clone(),
                affiliates: [None, Some(50.0)][(next(4) == 0) as usize],
                max_depth: [None, Some(3)][(next(6) == 0) as usize],
            },
            changes,
        }
    }

    /// x, X and d of each of `entities` in `a` and `b` within 1e-9.
    pub(crate) fn assert_bounds_close(
        what: &str,
        a: &Outcome,
        b: &Outcome,
        entities: impl Iterator<Item = usize>,
    ) {
        for v in entities {
            for (name, x, y) in [
                ("x", a.total[v], b.total[v]),
                ("X", a.upper[v], b.upper[v]),
                ("d", a.direct[v], b.direct[v]),
            ] {
                assert!((x - y).abs() <= 1e-9, "{what}: {name} of e{v}: {x} vs {y}");
            }
        }
    }

    fn assert_close(seed: u64, what: &str, a: &Outcome, b: &Outcome) {
        assert_eq!(a.total.len(), b.total.len(), "seed {seed} {what}");
        assert_bounds_close(&format!("seed {seed} {what}"), a, b, 0..a.total.len());
        for v in 0..a.total.len() {
            assert_eq!(a.reach[v], b.reach[v], "seed {seed} {what}: reach of e{v}");
        }
        assert_eq!(a.restricted.in_r, b.restricted.in_r, "seed {seed} {what}");
        assert_eq!(
            a.restricted.in_r_plus, b.restricted.in_r_plus,
            "seed {seed} {what}"
        );
        assert_eq!(
            a.restricted.members, b.restricted.members,
            "seed {seed} {what}"
        );
        assert_eq!(a.warnings, b.warnings, "seed {seed} {what}");
    }

    /// Every array of the net, to see that a scenario leaves it as it was.
    pub(crate) fn fingerprint(net: &Net) -> String {
        format!(
            "{:?}{:?}{:?}{:?}{:?}",
            net.buyer, net.lo, net.hi, net.exact, net.seg_room
        )
    }

    #[test]
    fn incremental_scenarios_equal_a_full_evaluation_of_the_changed_copy() {
        let mut laid = 0;
        // And two seeds whose loops of shares near 1 kept policy
        // iteration switching on rounding until it gave up with a warning
        // that the sweeps of the same component did not give.
        for seed in (1..400u64).chain([2829, 3492]) {
            let json = random_graph(seed);
            let model = crate::load::from_json(json.as_bytes())
                .unwrap_or_else(|p| panic!("seed {seed}: {:?}", p.list));
            let mut net = Net::build(&model);
            let before = fingerprint(&net);
            let mut next = crate::testing::random(seed * 7 + 1);
            let cli = Settings {
                affiliates: [None, Some(50.0)][next(2) as usize],
                ..Settings::default()
            };
            // Sweeps on components above 2 entities, or dense solves.
            let dense_max = [2, usize::MAX][next(2) as usize];
            let base_opts = base_options(&model, &cli);
            let base = evaluate_with(&net, &base_opts, dense_max);
            let mut incremental = Incremental::new(&net, &base_opts);
            incremental.dense_max = dense_max;
            for _ in 0..4 {
                let scenario = random_scenario(&model, &mut next);
                let none = WhatIfFlags::default();
                let fast = apply(&model, &net, 0, &scenario, &cli, &none);
                let slow = apply_with(&model, &net, 0, &scenario, &cli, &none, false);
                let (fast, slow) = match (fast, slow) {
                    (Ok(f), Ok(s)) => (f, s),
                    (Err(a), Err(b)) => {
                        assert_eq!(a, b, "seed {seed}");
                        continue;
                    }
                    (a, b) => panic!("seed {seed}: {:?} vs {:?}", a.err(), b.err()),
                };
                laid += usize::from(!fast.edits.is_empty());
                let reference =
                    evaluate_with(slow.net.as_ref().unwrap_or(&net), &slow.opts, dense_max);
                let changed = fast.evaluate_from(&mut net, &incremental, &base);
                assert_close(seed, "incremental", &changed, &reference);
                assert_eq!(fingerprint(&net), before, "seed {seed}: the net changed");
                let kept = crate::analysis::incremental::Delta::of(&base, changed);
                assert_close(seed, "kept", &kept.outcome(&base), &reference);
            }
        }
        assert!(laid > 200, "only {laid} scenarios were laid over the net");
    }

    /// Removes the sale `from > to` from a ring `a > b > c > a` of unknown
    /// shares (swept: components above 2 entities) whose `a` also sells
    /// to the listed `r`, the sales of `a` in the order `first`; returns
    /// whether the sale counted as unused, X of `a` after the removal, and
    /// X of `a` by a full evaluation of the changed graph.
    fn remove_from_ring(first: &str, from: &str, to: &str) -> (bool, f64, f64) {
        let sales = match first {
            "r" => {
                r#"{"type":"supplies","from":"a","to":"r"},{"type":"supplies","from":"a","to":"b"}"#
            }
            _ => {
                r#"{"type":"supplies","from":"a","to":"b"},{"type":"supplies","from":"a","to":"r"}"#
            }
        };
        let json = format!(
            r#"{{"format":"exposure-graph/1",
            "entities":[{{"id":"a","name":"a"}},{{"id":"b","name":"b"}},{{"id":"c","name":"c"}},
                        {{"id":"d","name":"d"}},{{"id":"r","name":"r"}}],
            "relationships":[{sales},
                {{"type":"supplies","from":"a","to":"d"}},
                {{"type":"supplies","from":"b","to":"c"}},
                {{"type":"supplies","from":"c","to":"a"}}],
            "listings":[{{"entity":"r","list":"BIS Entity List"}}]}}"#
        );
        let model = crate::load::from_json(json.as_bytes()).unwrap();
        let mut net = Net::build(&model);
        let cli = Settings::default();
        let opts = base_options(&model, &cli);
        let base = evaluate_with(&net, &opts, 2);
        let mut incremental = Incremental::new(&net, &opts);
        incremental.dense_max = 2;
        let scenario = Scenario {
            name: "s".into(),
            settings: Settings::default(),
            changes: vec![Change::Remove {
                rel: RelType::Supplies,
                from: from.into(),
                to: to.into(),
            }],
        };
        let none = WhatIfFlags::default();
        let applied = apply(&model, &net, 0, &scenario, &cli, &none).unwrap();
        let edge = applied.edits[0].edge;
        incremental.find_base_components(&net, &base);
        let unused = incremental.unused(&net, &base, edge);
        let changed = applied.evaluate_from(&mut net, &incremental, &base);
        let slow = apply_with(&model, &net, 0, &scenario, &cli, &none, false).unwrap();
        let full = evaluate_with(slow.net.as_ref().unwrap_or(&net), &slow.opts, 2);
        let a = model.find("a").unwrap() as usize;
        (unused, changed.upper[a], full.upper[a])
    }

    #[test]
    fn a_removed_sale_the_worst_case_leaves_unused_keeps_x_only_where_that_is_proven() {
        // a sells to the listed r first: its worst case gives r all, and the
        // ring drains through a. The sale to d (X 0) gets nothing: removing
        // it solves nothing again.
        assert_eq!(remove_from_ring("r", "a", "d"), (true, 1.0, 1.0));
        // a sells to b first: at X = 1 everywhere the worst case gives b
        // all (a tie with r), and the ring keeps everything: nothing
        // drains, so nothing proves that the ring keeps 1 without the sale
        // to r, and indeed it falls to 0.
        assert_eq!(remove_from_ring("b", "a", "r"), (false, 0.0, 0.0));
        // Removing the sale that the worst case uses is solved again.
        assert_eq!(remove_from_ring("r", "a", "r"), (false, 0.0, 0.0));
    }

    /// A random graph (`random_graph`), its net, and options as of its
    /// date with the affiliates rule on for odd seeds.
    pub(crate) fn random_case(seed: u64) -> (Model, Net, Options) {
        let model = crate::load::from_json(random_graph(seed).as_bytes()).unwrap();
        let net = Net::build(&model);
        let opts = Options {
            settings: Settings {
                as_of: model.meta.as_of,
                affiliates: [None, Some(50.0)][seed as usize % 2],
                ..Default::default()
            },
            ..Default::default()
        };
        (model, net, opts)
    }

    /// A random graph's timeline: its net, options, events and window.
    struct TimelineCase {
        net: Net,
        opts: Options,
        events: Vec<crate::analysis::timeline::Event>,
        window: (crate::model::Date, crate::model::Date),
    }

    impl TimelineCase {
        /// Its timeline of the entities `chart`, `figure` reading `reads`.
        fn timeline(
            &self,
            chart: Vec<u32>,
            figure: impl Fn(&Outcome) -> Option<(f64, f64)> + Sync,
            reads: &[u32],
        ) -> crate::analysis::timeline::Timeline {
            let (net, opts) = (&self.net, &self.opts);
            crate::analysis::timeline::Timeline::build_with(
                net,
                opts,
                &self.events,
                self.window,
                |_| chart,
                figure,
                reads,
            )
        }
    }

    /// The timelines of random graphs 1 to 199 that have a date, by seed.
    fn timeline_cases() -> impl Iterator<Item = (u64, TimelineCase)> {
        use crate::analysis::timeline;
        (1..200u64).filter_map(|seed| {
            let (_, net, opts) = random_case(seed);
            let events = timeline::events(&net, &opts);
            let window = timeline::window(&events, None, opts.settings.as_of)?;
            let case = TimelineCase {
                net,
                opts,
                events,
                window,
            };
            Some((seed, case))
        })
    }

    /// A full evaluation of `net` under `opts` as of `date`.
    fn evaluate_at(net: &Net, opts: &Options, date: crate::model::Date) -> Outcome {
        let mut at = opts.clone();
        at.settings.as_of = Some(date);
        crate::analysis::evaluate(net, &at)
    }

    #[test]
    fn a_timeline_date_by_date_equals_a_full_evaluation_of_each_date() {
        for (seed, case) in timeline_cases() {
            let (net, opts) = (&case.net, &case.opts);
            // The two chains call `figure` from two threads: each point
            // is matched to its evaluation by its numbers (every entity
            // is charted).
            let seen = std::sync::Mutex::new(Vec::new());
            let all = (0..net.n as u32).collect();
            let t = case.timeline(
                all,
                |o| {
                    seen.lock().unwrap().push(o.clone());
                    None
                },
                &[],
            );
            let seen = seen.into_inner().unwrap();
            assert_eq!(seen.len(), t.points.len());
            for p in &t.points {
                let full = evaluate_at(net, opts, p.date);
                let o = seen
                    .iter()
                    .filter(|o| o.total == p.total && o.upper == p.upper)
                    .find(|o| {
                        let (a, b) = (&o.restricted, &full.restricted);
                        (&a.in_r, &a.in_r_plus, &a.members) == (&b.in_r, &b.in_r_plus, &b.members)
                    })
                    .unwrap_or_else(|| panic!("seed {seed}: no evaluation of {}", p.date));
                let o = Outcome {
                    reach: full.reach.clone(),
                    ..o.clone()
                };
                assert_close(seed, &format!("timeline {}", p.date), &o, &full);
            }
        }
    }

    #[test]
    fn a_timeline_of_a_few_entities_equals_a_full_evaluation_where_they_sell() {
        let mut partial = 0;
        for (seed, case) in timeline_cases() {
            let (net, opts) = (&case.net, &case.opts);
            // Two entities charted, two more read by the figure.
            let mut next = crate::testing::random(seed + 7000);
            let mut pick = || {
                (0..2)
                    .map(|_| next(net.n as u64) as u32)
                    .collect::<Vec<_>>()
            };
            let (charted, read) = (pick(), pick());
            // What their numbers depend on: they and all they sell to.
            let mut shown = vec![false; net.n];
            let mut stack: Vec<u32> = charted.iter().chain(&read).copied().collect();
            while let Some(v) = stack.pop() {
                if !std::mem::replace(&mut shown[v as usize], true) {
                    stack.extend(net.sales(v).map(|e| net.buyer[e]));
                }
            }
            partial += shown.contains(&false) as usize;
            let seen = std::sync::Mutex::new(Vec::new());
            let t = case.timeline(
                charted.clone(),
                |o| {
                    seen.lock().unwrap().push(o.clone());
                    Some((o.total[read[0] as usize], o.upper[read[1] as usize]))
                },
                &read,
            );
            let seen = seen.into_inner().unwrap();
            for p in &t.points {
                let full = evaluate_at(net, opts, p.date);
                let what = format!("seed {seed}, {}", p.date);
                for (i, &v) in charted.iter().enumerate() {
                    let v = v as usize;
                    assert!((p.total[i] - full.total[v]).abs() <= 1e-9, "{what}: x");
                    assert!((p.upper[i] - full.upper[v]).abs() <= 1e-9, "{what}: X");
                }
                let (x, up) = p.figure.unwrap();
                assert!(
                    (x - full.total[read[0] as usize]).abs() <= 1e-9,
                    "{what}: figure"
                );
                assert!(
                    (up - full.upper[read[1] as usize]).abs() <= 1e-9,
                    "{what}: figure"
                );
                // The evaluation behind the point (the same R gives the
                // same numbers): right wherever the chart depends.
                let o = seen
                    .iter()
                    .find(|o| {
                        o.restricted.in_r_plus == full.restricted.in_r_plus
                            && o.restricted.in_r == full.restricted.in_r
                    })
                    .unwrap_or_else(|| panic!("{what}: no evaluation"));
                assert_bounds_close(&what, o, &full, (0..net.n).filter(|&v| shown[v]));
            }
        }
        // Most timelines leave something out: the test says nothing where
        // the chart depends on the whole graph.
        assert!(partial > 100, "{partial} timelines leave something out");
    }
}
