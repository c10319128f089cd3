//! Applying one scenario to the loaded graph: its settings and listings
//! as options, its record changes laid over the loaded net
//! (`overlay.rs`) or made on a copy, and the evaluation of the result.

use std::borrow::Cow;
use std::sync::OnceLock;

use super::overlay::{overlay, Laid};
use super::{Change, Scenario, ScenarioError, WhatIfFlags};
use crate::analysis::incremental::{Incremental, Touched};
use crate::analysis::{Options, Outcome, Settings, WhatIfListing};
use crate::graph::{Appended, Net};
use crate::load::{self, Addition, Appending, Loaded, Onto, Problems};
use crate::model::{EntityIx, Model, OptNum, RelType, SegmentRef};

/// A scenario applied to the loaded graph: the graph to evaluate (the
/// loaded one, with the scenario's edits laid over its net, or a changed
/// copy with its own net) and the options to evaluate it with.
pub struct Applied<'a> {
    /// The loaded model, or the changed copy. A copy that only appended
    /// records to the loaded model holds only the relationships it
    /// appended (its net has them all); callers read its rows.
    pub model: Cow<'a, Model>,
    /// The changed copy's net; `None`: the loaded net with `edits`.
    pub net: Option<Net>,
    /// For a copy whose net was spliced from the loaded one
    /// ([`Net::extended`]): the loaded graph's sellers whose sales it
    /// changed, ascending; every other sells as in the loaded graph.
    pub changed_sellers: Option<Vec<EntityIx>>,
    /// What the scenario lays over the loaded net (nothing with a copy).
    pub edits: Edits,
    pub opts: Options,
}

/// What a scenario lays over the loaded net: supplies edges whose shares
/// it changes or that it removes, segments whose caps it changes, and
/// stakes it removes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edits {
    pub edges: Vec<EdgeEdit>,
    pub caps: Vec<CapEdit>,
    /// Removed `owns` relationships: their stakes' indices in the net.
    pub stakes: Vec<usize>,
}

impl Edits {
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty() && self.caps.is_empty() && self.stakes.is_empty()
    }

    /// Whether these edits remove edge `e`.
    pub fn removes(&self, e: usize) -> bool {
        self.edges.iter().any(|x| x.edge == e && x.removed)
    }

    /// The lower bound of edge `e` of `net` with these edits.
    pub fn lo(&self, net: &Net, e: usize) -> f64 {
        self.edges
            .iter()
            .find(|x| x.edge == e)
            .map_or(net.lo[e], |x| x.lo)
    }

    /// The cap of segment `s` of `net` (of `model`) with these edits.
    pub fn cap(&self, model: &Model, net: &Net, s: usize) -> f64 {
        self.caps
            .iter()
            .find(|c| c.segment == s)
            .map_or(model.segments[net.seg_model[s] as usize].share_max, |c| {
                c.share_max
            })
    }
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

/// A segment of the loaded net (its index there) as a scenario has it: a
/// new cap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CapEdit {
    pub segment: usize,
    pub share_max: f64,
}

impl Applied<'_> {
    /// Drops the relationships of a changed copy, for a caller that reads
    /// only its rows (entities, names, listings, meta): they are most of
    /// a copy made whole (80 bytes each; a copy of appended records holds
    /// only its own), and its evaluation reads the copy's net.
    pub fn rows_only(&mut self) {
        if let Cow::Owned(copy) = &mut self.model {
            copy.relationships = Vec::new();
        }
    }

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
    /// See [`Incremental::evaluate`] and [`Incremental::evaluate_copy`].
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
        incremental.prepare(net, base);
        // Asked on the base's graph, before the edits are laid over it.
        let unused: Vec<bool> = self
            .edits
            .edges
            .iter()
            .map(|e| e.removed && incremental.unused(net, base, e.edge))
            .collect();
        let laid = Laid::over(net, &self.model, &self.edits);
        let mut touched: Vec<Touched> = self
            .edits
            .edges
            .iter()
            .zip(unused)
            .map(|(e, unused)| {
                let (lo, buyer) = laid.before(e.edge);
                Touched {
                    edge: e.edge,
                    // An unused sale's lower bound was 0.
                    lower: !unused && (e.removed || e.lo.to_bits() != lo.to_bits()),
                    removed: e.removed,
                    added: false,
                    buyer,
                    unused,
                }
            })
            .collect();
        // A new cap moves only what the segment's edges may take beyond
        // their lower bounds: X of their seller, not x or d.
        let net = &*laid.net;
        for cap in &self.edits.caps {
            let seller = self.model.segments[net.seg_model[cap.segment] as usize].seller;
            for e in net.sales(seller) {
                if net.segment(e) == Some(cap.segment) && !touched.iter().any(|t| t.edge == e) {
                    touched.push(Touched {
                        edge: e,
                        lower: false,
                        removed: false,
                        added: false,
                        buyer: net.buyer[e],
                        unused: false,
                    });
                }
            }
        }
        incremental.evaluate(net, base, &opts, &touched)
    }

    /// [`Applied::evaluate_from`] on a net that may be shared: a scenario
    /// that lays no edits over it, or that has a changed copy of its own,
    /// is evaluated incrementally, one that lays edits (which `batch.rs`
    /// never passes here) in full on a copy of the net.
    ///
    /// # Complexity
    /// See [`Incremental::evaluate`] and [`Incremental::evaluate_copy`].
    pub fn evaluate_shared(&self, net: &Net, incremental: &Incremental, base: &Outcome) -> Outcome {
        match (&self.net, self.edits.is_empty()) {
            (Some(own), _) => {
                let sellers = self.changed_sellers.as_deref();
                incremental.evaluate_copy_of(net, (own, sellers), base, &self.opts)
            }
            (None, true) => incremental.evaluate(net, base, &self.opts, &[]),
            (None, false) => self.evaluate(net),
        }
    }

    /// The options, with the removed edges licensed: a removed edge leads
    /// back to its seller with bounds 0, and as licensed it counts for no
    /// reach and carries nothing into a restricted seller.
    fn opts_with_removed(&self) -> Options {
        let mut opts = self.opts.clone();
        opts.licensed.extend(
            self.edits
                .edges
                .iter()
                .filter(|e| e.removed)
                .map(|e| e.edge),
        );
        opts
    }
}

/// The problems of a changed graph, as one message.
fn invalid(problems: &Problems) -> String {
    let mut parts: Vec<String> = problems.list.iter().map(|d| d.to_string()).collect();
    if problems.more > 0 {
        parts.push(format!("and {} more", problems.more));
    }
    format!("the change makes the graph invalid: {}", parts.join("; "))
}

/// What a copy of appended records is read over (`load::Onto`): the
/// loaded graph and the loaded sales the copy put in a new segment, while
/// the copy only appended to it (`appended` set).
fn onto_of<'a>(loaded: Loaded<'a>, appended: &'a Option<Appended>) -> Option<Onto<'a>> {
    appended.as_ref().map(|a| (loaded, a.joined.as_slice()))
}

/// The copy of `model` a scenario appends records to: while `appended`
/// is set, its rows and only the relationships it appended
/// ([`Appending`]), else the whole copy.
fn appending<'c>(
    model: &Model,
    copy: &'c mut Option<Model>,
    appended: &Option<Appended>,
) -> &'c mut Model {
    match appended {
        Some(_) => copy.get_or_insert_with(|| model.rows()),
        None => copy.get_or_insert_with(|| model.clone()),
    }
}

/// The whole copy of `model`, for a change other than an addition: a
/// copy that held only its appended relationships gets the loaded ones
/// before them (and `joined`'s segments), and `appended` is cleared.
fn whole<'c>(
    model: &Model,
    copy: &'c mut Option<Model>,
    appended: &mut Option<Appended>,
) -> &'c mut Model {
    let Some(a) = appended.take() else {
        return copy.get_or_insert_with(|| model.clone());
    };
    let m = copy.get_or_insert_with(|| model.rows());
    let tail = std::mem::take(&mut m.relationships);
    m.relationships = Vec::with_capacity(model.relationships.len() + tail.len());
    m.relationships.extend_from_slice(&model.relationships);
    m.relationships.extend(tail);
    for (j, s) in a.joined {
        m.relationships[j].segment = SegmentRef::new(s);
    }
    m
}

/// The sellers of the loaded graph (its first `loaded` entities) whose
/// sales a copy of records appended (`copy`, its rows and appended
/// relationships) changes: those of its new sales and of the loaded
/// sales it put in a new segment (a new segment that no sale joins
/// changes none: its seller's others keep their places); ascending.
fn changed_sellers(copy: &Model, appended: &Appended, loaded: usize) -> Vec<EntityIx> {
    let sales = copy
        .relationships
        .iter()
        .filter(|r| r.rel == RelType::Supplies)
        .map(|r| r.from);
    let joined = appended
        .joined
        .iter()
        .map(|&(_, s)| copy.segments[s].seller);
    let mut sellers: Vec<EntityIx> = sales
        .chain(joined)
        .filter(|&v| (v as usize) < loaded)
        .collect();
    sellers.sort_unstable();
    sellers.dedup();
    sellers
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
/// O(changes) without record changes. With records added only, a copy of
/// the model's rows (not its relationships), per record O(the seller's
/// sales) to check it (O(E) for a stake), and O(V + E) once to splice the
/// copy's net from `net`. After a record change other than an addition,
/// a copy of the whole model, O(V + E) per record change (the whole copy
/// is checked again) plus one build.
pub fn apply<'a>(
    model: &'a Model,
    net: &Net,
    index: usize,
    scenario: &Scenario,
    cli: &Settings,
    extra: &WhatIfFlags,
) -> Result<Applied<'a>, ScenarioError> {
    apply_seeded(model, net, (index, scenario), cli, extra, &OnceLock::new())
}

/// [`apply`], the loaded graph's ids interned once in `seed` for every
/// scenario that adds records (made by the first that needs it).
pub fn apply_seeded<'a>(
    model: &'a Model,
    net: &Net,
    (index, scenario): (usize, &Scenario),
    cli: &Settings,
    extra: &WhatIfFlags,
    seed: &OnceLock<load::Seed>,
) -> Result<Applied<'a>, ScenarioError> {
    apply_with(model, net, (index, scenario), (cli, extra), seed, true)
}

/// [`apply`]; `lay: false` changes records on a copy even where they could
/// be laid over the net (tests compare the two).
pub(super) fn apply_with<'a>(
    model: &'a Model,
    net: &Net,
    (index, scenario): (usize, &Scenario),
    (cli, extra): (&Settings, &WhatIfFlags),
    seed: &OnceLock<load::Seed>,
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
    // While the copy is the loaded model with records appended (and the
    // supplies relationships `joined` put in a new segment), it holds the
    // loaded model's rows and only the relationships it appended; each
    // record is checked on its own and the copy's net made from the loaded
    // one. After any other change to it, the copy is made whole, checked
    // whole and built.
    let mut copy: Option<Model> = None;
    let mut appended = lay.then(|| Appended {
        relationships: model.relationships.len(),
        segments: model.segments.len(),
        joined: Vec::new(),
    });
    let loaded = Loaded {
        start: &net.sell_start,
        rel: &net.rel,
        relationships: &model.relationships,
    };
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
                let m = whole(model, &mut copy, &mut appended);
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
                let m = whole(model, &mut copy, &mut appended);
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
                if edits.is_some() {
                    continue;
                }
                let m = whole(model, &mut copy, &mut appended);
                let s = find_segment(m, seller, name)
                    .ok_or_else(|| at(here, format!("{seller:?} has no segment named {name:?}")))?;
                m.segments[s].share_max = *share_max;
                load::check(m).map_err(|p| at(here, invalid(&p)))?;
            }
            Change::AddSegment { segment, edges } => {
                let seed = seed.get_or_init(|| load::Seed::of(model));
                let m = appending(model, &mut copy, &appended);
                let onto = onto_of(loaded, &appended);
                load::append_seeded(m, Some(seed), Addition::Segment(segment), onto)
                    .map_err(|p| at(here, invalid(&p)))?;
                let s = m.segments.len() - 1;
                let seller = m.id(m.segments[s].seller).to_string();
                for buyer in edges {
                    // The seller's sales, by the loaded graph's index
                    // while the copy only appended to it.
                    let found = match onto_of(loaded, &appended) {
                        Some(onto) => m.find(buyer).and_then(|b| {
                            let copy = Appending::new(m, onto);
                            let r = copy.find(m.segments[s].seller, b)?;
                            Some((r, copy.rel(r).segment))
                        }),
                        None => find_rel(m, RelType::Supplies, &seller, buyer)
                            .map(|r| (r, m.relationships[r].segment)),
                    };
                    let (r, in_segment) = found.ok_or_else(|| {
                        at(
                            here,
                            format!("there is no supplies edge from {seller:?} to {buyer:?}"),
                        )
                    })?;
                    // An edge is in at most one segment: moving it out of
                    // another would loosen that one's cap unseen.
                    if let Some(other) = in_segment.get() {
                        return Err(at(
                            here,
                            format!(
                                "the edge from {seller:?} to {buyer:?} is already in segment {:?}",
                                m.str(m.segments[other].name)
                            ),
                        ));
                    }
                    match appended.as_mut() {
                        Some(a) if r < a.relationships => a.joined.push((r, s)),
                        Some(a) => {
                            m.relationships[r - a.relationships].segment = SegmentRef::new(s)
                        }
                        None => m.relationships[r].segment = SegmentRef::new(s),
                    }
                }
                let onto = onto_of(loaded, &appended);
                load::check_segment(m, s, onto).map_err(|p| at(here, invalid(&p)))?;
            }
            Change::AddEntity(v) | Change::AddRelationship(v) => {
                let addition = match change {
                    Change::AddEntity(_) => Addition::Entity(v),
                    _ => Addition::Relationship(v),
                };
                let seed = seed.get_or_init(|| load::Seed::of(model));
                let m = appending(model, &mut copy, &appended);
                let onto = onto_of(loaded, &appended);
                load::append_seeded(m, Some(seed), addition, onto)
                    .map_err(|p| at(here, invalid(&p)))?;
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

    let changed_sellers = copy
        .as_ref()
        .zip(appended.as_ref())
        .map(|(m, a)| changed_sellers(m, a, model.entities.len()));
    let (model, own): (Cow<Model>, Option<Net>) = match copy {
        Some(m) => {
            let n = match &appended {
                Some(a) => net.extended(&m, a),
                None => Net::build(&m),
            };
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
        // The lists of the graph, and those the scenario's `list` changes
        // name, even where a later `delist` (or `--delist`) undoes the
        // listing: a name the file itself uses is no typo.
        let mut known = net.list_names.clone();
        for change in &scenario.changes {
            if let Change::List {
                list: Some(name), ..
            } = change
            {
                if !known.contains(name) {
                    known.push(name.clone());
                }
            }
        }
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
        changed_sellers,
        edits: edits.unwrap_or_default(),
        opts,
    })
}
