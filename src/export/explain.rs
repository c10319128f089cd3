//! Writers of an [`Explanation`]: the paths behind one entity's exposure
//! (its lower bound x, or its upper bound X under the worst case) as a
//! table for people, a JSON object (the CLI spec's `explain` fields plus
//! each edge and the ownership chain of each path's end), or CSV with one
//! row per edge. Writers only format; the paths and their order come from
//! `analysis::paths`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Number;

use super::markup::{bounds, interval, percent, settings_line};
use super::number;
use crate::analysis::paths::{Path, Paths};
use crate::analysis::Settings;
use crate::analysis::{ChainLink, Via};
use crate::graph::Net;
use crate::model::{EntityIx, Model};

/// One entity's paths, ready to write.
pub struct Explanation<'a> {
    pub model: &'a Model,
    pub net: &'a Net,
    /// The names behind the restricted set's list references.
    pub list_names: &'a [String],
    pub entity: EntityIx,
    /// Whether the entity itself is in R.
    pub restricted: bool,
    /// Its lower exposure x and upper exposure X.
    pub total: f64,
    pub upper: f64,
    pub settings: Settings,
    /// For the paths behind X: per supplies edge, the share the worst case
    /// gives it beyond its lower bound. `None`: the paths behind x.
    pub worst: Option<Vec<f64>>,
    /// How many paths were asked for.
    pub top: usize,
    /// The paths, at most `top` of them.
    pub found: Paths,
    /// Whether more paths follow the listed ones.
    pub more: bool,
    /// The ownership chain of each path's last entity.
    pub chains: Vec<Vec<ChainLink>>,
}

impl Explanation<'_> {
    /// The sum of the listed paths' weights.
    pub fn explained(&self) -> f64 {
        self.found.paths.iter().map(|p| p.weight).sum()
    }

    /// `"lower"` or `"upper"`: the bound whose paths are listed.
    fn bound(&self) -> &'static str {
        if self.worst.is_some() {
            "upper"
        } else {
            "lower"
        }
    }

    /// The bound the paths make up: x, or X for the worst case.
    fn explained_of(&self) -> f64 {
        if self.worst.is_some() {
            self.upper
        } else {
            self.total
        }
    }

    fn ids(&self, p: &Path) -> Vec<&str> {
        p.entities.iter().map(|&v| self.model.id(v)).collect()
    }

    fn edge(&self, e: usize) -> Edge<'_> {
        let (model, net) = (self.model, self.net);
        let r = &model.relationships[net.rel[e] as usize];
        Edge {
            from: model.id(r.from),
            to: model.id(r.to),
            share: net.exact[e].then(|| number(net.lo[e])),
            share_min: number(net.lo[e]),
            share_max: number(net.hi[e]),
            quantified: net.exact[e] || r.share_min.get().is_some() || r.share_max.get().is_some(),
            segment: net.segment(e).map(|s| {
                let seg = &model.segments[net.seg_model[s] as usize];
                Segment {
                    name: model.str(seg.name),
                    share_max: number(seg.share_max),
                }
            }),
            lo: self.worst.as_ref().map(|_| number(net.lo[e])),
            t: self.worst.as_ref().map(|t| number(t[e])),
            confidence: r.confidence.map(|c| c.as_str()),
            product: r.product.map(|s| model.str(s)),
            source: r.source.map(|s| model.str(s)),
        }
    }

    fn via(&self, chain: &[ChainLink]) -> Option<RestrictedVia<'_>> {
        let (first, rest) = chain.split_first()?;
        let link = self.link(first);
        Some(RestrictedVia {
            via: link.via,
            lists: link.lists,
            owners: link.owners,
            chain: rest.iter().map(|l| self.link(l)).collect(),
        })
    }

    fn link(&self, l: &ChainLink) -> Link<'_> {
        Link {
            id: self.model.id(l.entity),
            via: l.via.as_str(),
            lists: l
                .lists
                .iter()
                .map(|&x| self.list_names[x as usize].as_str())
                .collect(),
            owners: l
                .owners
                .iter()
                .map(|&(o, p)| Owner {
                    id: self.model.id(o),
                    percent: number(p),
                })
                .collect(),
        }
    }
}

/// One supplies edge of a path.
#[derive(Serialize)]
struct Edge<'a> {
    from: &'a str,
    to: &'a str,
    /// The exact share; `null` for a bounded or unquantified edge.
    share: Option<Number>,
    /// The bounds in force (both the share on an exact edge).
    share_min: Number,
    share_max: Number,
    #[serde(skip)]
    quantified: bool,
    /// The segment the edge is in, with its cap.
    segment: Option<Segment<'a>>,
    /// For the paths behind X: the lower bound, and the share t the worst
    /// case adds to it (the edge weighs lo + t).
    #[serde(skip_serializing_if = "Option::is_none")]
    lo: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    t: Option<Number>,
    confidence: Option<&'static str>,
    product: Option<&'a str>,
    source: Option<&'a str>,
}

#[derive(Serialize)]
struct Segment<'a> {
    name: &'a str,
    share_max: Number,
}

#[derive(Serialize)]
struct Owner<'a> {
    id: &'a str,
    percent: Number,
}

/// Why one entity of a chain is restricted.
#[derive(Serialize)]
struct Link<'a> {
    id: &'a str,
    via: &'static str,
    lists: Vec<&'a str>,
    owners: Vec<Owner<'a>>,
}

/// Why a path's end is restricted: its own link, then the owners' links
/// up the chain, each entity once.
#[derive(Serialize)]
struct RestrictedVia<'a> {
    via: &'static str,
    lists: Vec<&'a str>,
    owners: Vec<Owner<'a>>,
    chain: Vec<Link<'a>>,
}

#[derive(Serialize)]
struct JsonPath<'a> {
    ids: Vec<&'a str>,
    weight: Number,
    complete: bool,
    edges: Vec<Edge<'a>>,
    restricted_via: Option<RestrictedVia<'a>>,
}

#[derive(Serialize)]
struct Header<'a> {
    id: &'a str,
    name: &'a str,
    restricted: bool,
    total: Number,
    upper: Number,
    bound: &'static str,
    as_of: Option<String>,
    lists: Option<&'a [String]>,
    affiliates_threshold: Option<Number>,
    max_depth: Option<u32>,
    top: usize,
    explained: Number,
    more: bool,
    truncated: bool,
}

/// Writes the JSON object: the header fields on the first line, then one
/// path per line.
pub fn write_json(x: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    let s = &x.settings;
    let header = Header {
        id: x.model.id(x.entity),
        name: x.model.name(x.entity),
        restricted: x.restricted,
        total: number(x.total),
        upper: number(x.upper),
        bound: x.bound(),
        as_of: s.as_of.map(|d| d.to_string()),
        lists: s.lists.as_deref(),
        affiliates_threshold: s.affiliates.map(number),
        max_depth: s.max_depth,
        top: x.top,
        explained: number(x.explained()),
        more: x.more,
        truncated: x.found.truncated,
    };
    let text = serde_json::to_string(&header).map_err(io::Error::other)?;
    // Reopen the object to append the paths array.
    out.write_all(text.strip_suffix('}').unwrap_or(&text).as_bytes())?;
    out.write_all(b",\"paths\":[")?;
    for (k, p) in x.found.paths.iter().enumerate() {
        out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        let path = JsonPath {
            ids: x.ids(p),
            weight: number(p.weight),
            complete: p.complete,
            edges: p.edges.iter().map(|&e| x.edge(e)).collect(),
            restricted_via: x.chains.get(k).and_then(|c| x.via(c)),
        };
        serde_json::to_writer(&mut *out, &path).map_err(io::Error::other)?;
    }
    out.write_all(b"\n]}\n")
}

/// The CSV header: one row per edge of each path.
pub const CSV_HEADER: [&str; 16] = [
    "bound",
    "path",
    "weight",
    "complete",
    "step",
    "from",
    "to",
    "share",
    "share_min",
    "share_max",
    "segment",
    "lo",
    "t",
    "confidence",
    "product",
    "source",
];

/// Writes one CSV row per edge, paths in order.
pub fn write_csv(x: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    for (k, p) in x.found.paths.iter().enumerate() {
        for (step, &e) in p.edges.iter().enumerate() {
            let edge = x.edge(e);
            let text = |n: &Option<Number>| n.as_ref().map(|n| n.to_string()).unwrap_or_default();
            w.write_record([
                x.bound().to_string(),
                (k + 1).to_string(),
                number(p.weight).to_string(),
                p.complete.to_string(),
                (step + 1).to_string(),
                super::text_cell(edge.from).into_owned(),
                super::text_cell(edge.to).into_owned(),
                text(&edge.share),
                edge.share_min.to_string(),
                edge.share_max.to_string(),
                edge.segment
                    .as_ref()
                    .map(|s| super::text_cell(s.name).into_owned())
                    .unwrap_or_default(),
                text(&edge.lo),
                text(&edge.t),
                edge.confidence.unwrap_or_default().to_string(),
                super::text_cell(edge.product.unwrap_or_default()).into_owned(),
                super::text_cell(edge.source.unwrap_or_default()).into_owned(),
            ])?;
        }
    }
    w.flush()
}

/// The longest source the table prints before cutting it with `…`.
const SOURCE_WIDTH: usize = 80;

/// Writes the table for people.
pub fn write_table(x: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    let model = x.model;
    let v = x.entity;
    let status = if x.restricted { " (RESTRICTED)" } else { "" };
    writeln!(
        out,
        "{} ({}){status}: exposure {}",
        model.name(v),
        model.id(v),
        interval(percent(x.total), percent(x.upper))
    )?;
    writeln!(out, "{}", settings_line(&x.settings, x.list_names))?;
    if x.worst.is_some() {
        writeln!(
            out,
            "The paths behind the upper bound {}: the worst case the bounds allow.",
            percent(x.upper)
        )?;
    }
    writeln!(out)?;

    let paths = &x.found.paths;
    let buyer = if x.worst.is_some() {
        "a restricted or possibly restricted buyer"
    } else {
        "a restricted buyer"
    };
    // A search that stopped has proved nothing about the paths it did not
    // reach.
    if paths.is_empty() && x.found.truncated {
        writeln!(
            out,
            "The search stopped after {} partial paths before it completed one: paths from {} to {buyer} may exist.",
            super::markup::money(x.found.generated as f64),
            model.id(v)
        )?;
    } else if paths.is_empty() {
        writeln!(out, "No path leads from {} to {buyer}.", model.id(v))?;
    }
    let weights: Vec<String> = paths.iter().map(|p| percent(p.weight)).collect();
    let wide = weights.iter().map(|w| w.chars().count()).max().unwrap_or(0);
    let rank_wide = paths.len().to_string().len();
    for (k, p) in paths.iter().enumerate() {
        let state = if p.complete {
            "complete  "
        } else {
            "incomplete"
        };
        writeln!(
            out,
            "{:>rank_wide$}. {:>wide$}  {state}  {}",
            k + 1,
            weights[k],
            x.ids(p).join(" → ")
        )?;
        let pad = " ".repeat(rank_wide + 2);
        for &e in &p.edges {
            writeln!(out, "{pad}  {}", edge_line(&x.edge(e)))?;
        }
        if let Some(chain) = x
            .chains
            .get(k)
            .filter(|c| c.first().is_some_and(|l| l.via == Via::Affiliate))
        {
            writeln!(
                out,
                "{pad}  {} is restricted through its owners:",
                model.id(chain[0].entity)
            )?;
            for link in chain {
                writeln!(out, "{pad}    {}", chain_line(&x.link(link)))?;
            }
        }
    }

    writeln!(out)?;
    if !paths.is_empty() {
        let noun = if paths.len() == 1 { "path" } else { "paths" };
        let of = if x.worst.is_some() {
            "upper bound"
        } else {
            "total"
        };
        writeln!(
            out,
            "{} {noun} shown, adding up to {} of the {of} {}.",
            paths.len(),
            percent(x.explained()),
            percent(x.explained_of())
        )?;
    }
    if x.more {
        writeln!(out, "More paths follow; --top K lists more.")?;
    }
    if x.found.truncated && !paths.is_empty() {
        writeln!(
            out,
            "The search stopped after {} partial paths; more paths may exist than are shown.",
            super::markup::money(x.found.generated as f64)
        )?;
    }
    if x.worst.is_some() {
        writeln!(out, "weight: the product of the shares the worst case gives the edges on the path: each edge's known lower bound plus the unsized share (\"worst case +\") the upper bound assumes.")?;
        writeln!(out, "complete: every share on the path is known exactly.")?;
        return Ok(());
    }
    writeln!(out, "weight: the product of the known (lower-bound) shares on the path; an unknown share counts 0.")?;
    writeln!(out, "complete: every share on the path is known exactly.")?;
    if paths.iter().any(|p| p.weight == 0.0) {
        writeln!(
            out,
            "A path of weight 0 adds nothing to the total; it is where the upper bound comes from."
        )?;
    }
    Ok(())
}

/// `from → to  share (confidence) · product · source`.
fn edge_line(e: &Edge) -> String {
    let share = match (&e.share, e.quantified) {
        (Some(s), _) => percent(s.as_f64().unwrap_or(0.0)),
        (None, true) => {
            let (lo, hi) = (
                e.share_min.as_f64().unwrap_or(0.0),
                e.share_max.as_f64().unwrap_or(1.0),
            );
            bounds(lo, hi)
        }
        (None, false) => "share unknown".to_string(),
    };
    let mut line = format!("{} → {}  {share}", e.from, e.to);
    if let Some(t) = e.t.as_ref().and_then(Number::as_f64) {
        if t > 0.0 {
            line.push_str(&format!(", worst case +{}", percent(t)));
        }
    }
    if let Some(s) = &e.segment {
        line.push_str(&format!(
            " [in {} ≤ {}]",
            s.name,
            percent(s.share_max.as_f64().unwrap_or(1.0))
        ));
    }
    if let Some(c) = e.confidence {
        line.push_str(&format!(" ({c})"));
    }
    if let Some(p) = e.product {
        line.push_str(&format!(" · {p}"));
    }
    match e.source {
        Some(s) if s.chars().count() > SOURCE_WIDTH => {
            line.push_str(" · ");
            line.extend(s.chars().take(SOURCE_WIDTH - 1));
            line.push('…');
        }
        Some(s) => line.push_str(&format!(" · {s}")),
        None => line.push_str(" · no source"),
    }
    line
}

/// `sub ← mid 60%, y 10%` or `parent: listed (SDN)`.
fn chain_line(l: &Link) -> String {
    if l.via == Via::Listing.as_str() {
        return format!("{}: listed ({})", l.id, l.lists.join(", "));
    }
    let owners: Vec<String> = l
        .owners
        .iter()
        .map(|o| format!("{} {}%", o.id, o.percent))
        .collect();
    format!("{} ← {}", l.id, owners.join(", "))
}
