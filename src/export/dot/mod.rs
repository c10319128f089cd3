//! An evaluation as a Graphviz diagram, built with graphviz-rust's AST:
//! entities grouped by country, suppliers left of their buyers, restricted
//! entities as red octagons, the others filled by their exposure, and a
//! legend that says so.
//!
//! **Invariant:** the only module (with its `legend.rs`) that knows
//! graphviz-rust's AST. Every user string (ids, names, list names,
//! products, titles) becomes DOT text through [`quote`] and nowhere else;
//! the same input gives the same bytes (entities, relationships and
//! countries in a fixed order).

mod legend;

use std::collections::HashMap;
use std::io::{self, Write};

use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};

use super::markup::{interval, percent, settings_line, short_money, stake};
use crate::analysis::Settings;
use crate::analysis::{Outcome, Via};
use crate::graph::Net;
use crate::model::{EntityIx, Model, RelType};

/// What to draw: the evaluation, the entities kept, the edges in bold.
pub struct Diagram<'a> {
    pub model: &'a Model,
    pub net: &'a Net,
    pub outcome: &'a Outcome,
    pub settings: Settings,
    /// The what-if flags as given (`--list megvii`), for the title.
    pub scenario: Vec<String>,
    /// Per supplies edge of the net: licensed.
    pub licensed: Vec<bool>,
    /// Per entity: drawn.
    pub keep: Vec<bool>,
    /// Entities left out because no relationship links them to a drawn
    /// one (without `--all`), for the title.
    pub unlinked: usize,
    /// `--focus`: the entity and the depth, for the title.
    pub focus: Option<Focus>,
    /// `--highlight`: whose paths are drawn in bold.
    pub highlight: Option<Highlight>,
}

/// The part of the graph drawn around one entity (`--focus`).
#[derive(Clone, Copy, Debug)]
pub struct Focus {
    pub entity: EntityIx,
    /// How many edges around it.
    pub depth: u32,
}

/// The paths of one entity drawn in bold (`--highlight`).
pub struct Highlight {
    pub from: EntityIx,
    /// How many paths were asked for.
    pub top: usize,
    /// Per supplies edge of the net: on one of the paths.
    pub on: Vec<bool>,
    /// With `--upper`: per supplies edge, the share the worst case behind
    /// X gives it beyond its lower bound; `None` for the paths behind x.
    pub worst: Option<Vec<f64>>,
}

/// One class of the exposure scale.
struct Class {
    /// The exposures below this (the first class: exactly 0) are in it.
    below: f64,
    /// Its fill colour.
    fill: &'static str,
    /// Its name in the legend.
    label: &'static str,
}

/// The exposure scale (ColorBrewer Oranges), from no known exposure to the
/// most.
#[rustfmt::skip]
const SCALE: [Class; 6] = [
    Class { below: 0.0, fill: "#ffffff", label: "0%" },
    Class { below: 0.05, fill: "#feedde", label: "under 5%" },
    Class { below: 0.15, fill: "#fdbe85", label: "5–15%" },
    Class { below: 0.30, fill: "#fd8d3c", label: "15–30%" },
    Class { below: 0.60, fill: "#e6550d", label: "30–60%" },
    Class { below: f64::INFINITY, fill: "#a63603", label: "60% and more" },
];
const RESTRICTED: &str = "#b2182b";
const POSSIBLY: &str = "#fddbc7";
const INK: &str = "#252525";
const MUTED: &str = "#737373";
const SALE: &str = "#525252";
const LICENSED: &str = "#238b45";
const OWNS: &str = "#2171b5";
const FONT: &str = "Helvetica";

/// A user string as a quoted DOT string: the one place user text enters
/// the diagram. Backslashes and quotes are escaped (so no `\N`, `\G` or
/// `\l` of Graphviz's label language can be formed), `&` becomes `&amp;`
/// (Graphviz reads entities in every label), a line break becomes `\n`,
/// and other control characters, and the characters XML does not allow
/// (U+FFFE, U+FFFF), become U+FFFD. Everything else, `<`, `{`,
/// `|` and every script included, passes as written inside the quotes.
pub fn quote(s: &str) -> Id {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => q.push_str("\\\\"),
            '"' => q.push_str("\\\""),
            '&' => q.push_str("&amp;"),
            '\n' => q.push_str("\\n"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    q.push_str("\\n");
                }
            }
            '\t' => q.push(' '),
            // Graphviz's SVG is XML: U+FFFE, U+FFFF and control
            // characters would make the file unreadable.
            c if c.is_control() || !super::xml_char(c) => q.push('\u{FFFD}'),
            c => q.push(c),
        }
    }
    q.push('"');
    Id::Escaped(q)
}

/// Lines of text joined with `\n` line breaks, each line quoted.
fn lines<S: AsRef<str>>(parts: &[S]) -> Id {
    let text: Vec<&str> = parts.iter().map(AsRef::as_ref).collect();
    quote(&text.join("\n"))
}

/// Lines of text, each quoted and left-justified (`\l`).
fn left_lines<S: AsRef<str>>(parts: &[S]) -> Id {
    let mut text = String::from("\"");
    for p in parts {
        let Id::Escaped(q) = quote(p.as_ref()) else {
            continue;
        };
        text.push_str(&q[1..q.len() - 1]);
        text.push_str("\\l");
    }
    text.push('"');
    Id::Escaped(text)
}

fn attr(name: &str, value: Id) -> Attribute {
    Attribute(Id::Plain(name.to_string()), value)
}

/// A value of our own (a colour, a number, a style): quoted, never user text.
fn val(name: &str, value: &str) -> Attribute {
    attr(name, Id::Escaped(format!("\"{value}\"")))
}

fn node(id: Id, attributes: Vec<Attribute>) -> Stmt {
    Stmt::Node(Node::new(NodeId(id, None), attributes))
}

fn edge(from: Id, to: Id, attributes: Vec<Attribute>) -> Stmt {
    Stmt::Edge(Edge {
        ty: EdgeTy::Pair(Vertex::N(NodeId(from, None)), Vertex::N(NodeId(to, None))),
        attributes,
    })
}

/// Characters per line of a name in a node.
const WRAP: usize = 28;
/// Entities without a drawn relationship are laid out in rows this long.
const GRID: usize = 3;

/// A name broken into lines of about `width` characters at spaces (a
/// longer word stays whole); the characters are the user's, in order.
fn wrap(name: &str, width: usize) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut line = 0;
    for (i, word) in name.split(' ').enumerate() {
        let n = word.chars().count();
        if i > 0 {
            if line > 0 && line + 1 + n > width {
                out.push('\n');
                line = 0;
            } else {
                out.push(' ');
                line += 1;
            }
        }
        out.push_str(word);
        line += n;
    }
    out
}

/// The fill colour of an exposure.
fn fill(x: f64) -> &'static str {
    if x <= 0.0 {
        return SCALE[0].fill;
    }
    SCALE[1..]
        .iter()
        .find(|c| x < c.below)
        .map_or(SCALE[5].fill, |c| c.fill)
}

/// Whether text on this fill needs to be white.
fn dark(colour: &str) -> bool {
    colour == SCALE[4].fill || colour == SCALE[5].fill || colour == RESTRICTED
}

/// A supplies edge's share as a short label: `30.0%`, `15.0–20.0%`,
/// `≤ 25.0%`, `≥ 10.0%`, or empty when nothing is known.
fn share_label(lo: f64, hi: f64, exact: bool) -> String {
    if exact {
        percent(lo)
    } else if lo > 0.0 && hi < 1.0 {
        format!("{}–{}", percent(lo).trim_end_matches('%'), percent(hi))
    } else if hi < 1.0 {
        format!("≤ {}", percent(hi))
    } else if lo > 0.0 {
        format!("≥ {}", percent(lo))
    } else {
        String::new()
    }
}

/// The DOT text of the diagram, ending with a newline.
pub fn to_string(d: &Diagram) -> String {
    let mut ctx = PrinterContext::default();
    let mut text = graph(d).print(&mut ctx);
    text.push('\n');
    text
}

/// Writes the DOT text.
pub fn write_dot(d: &Diagram, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(to_string(d).as_bytes())
}

/// The diagram as graphviz-rust's AST.
///
/// # Complexity
/// O(V + E + R · L + C log C) expected, for R members of R+ with L lists
/// at most and C countries: every entity, relationship and member is
/// looked at once (countries through a hash map), only the countries are
/// sorted.
pub fn graph(d: &Diagram) -> Graph {
    let mut stmts = vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("label", title(d)),
            val("labelloc", "t"),
            val("labeljust", "l"),
            val("fontname", FONT),
            val("fontsize", "15"),
            val("rankdir", "LR"),
            val("newrank", "true"),
            val("nodesep", "0.22"),
            val("ranksep", "1.0"),
            val("pad", "0.3"),
            val("bgcolor", "white"),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            val("shape", "box"),
            val("style", "rounded,filled"),
            val("fontname", FONT),
            val("fontsize", "11"),
            val("margin", "0.14,0.06"),
            val("color", MUTED),
            val("fontcolor", INK),
        ])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            val("fontname", FONT),
            val("fontsize", "9"),
            val("fontcolor", MUTED),
            val("arrowsize", "0.7"),
            val("color", SALE),
        ])),
    ];

    // Entities by country (sorted), those without one outside any cluster;
    // each group in entity order.
    let m = d.model;
    let mut groups: Vec<Vec<EntityIx>> = vec![Vec::new()];
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for v in (0..m.entities.len() as EntityIx).filter(|&v| d.keep[v as usize]) {
        let g = match m.entities[v as usize].country {
            None => 0,
            Some(c) => *group_of.entry(m.str(c)).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            }),
        };
        groups[g].push(v);
    }
    // Looked up only: the order comes from sorting the names.
    let mut countries: Vec<(&str, usize)> = group_of.into_iter().collect();
    countries.sort_unstable();
    let marks = Marks {
        on_path: on_highlighted_path(d),
        restriction: restriction_of(d),
    };
    let linked = linked(d);
    for (c, g) in countries {
        let mut body = vec![Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("label", quote(c)),
            val("style", "rounded,filled"),
            val("fillcolor", "#f7f7f7"),
            val("color", "#d9d9d9"),
            val("fontcolor", MUTED),
            val("fontsize", "12"),
            val("labeljust", "l"),
        ]))];
        let members = &groups[g];
        body.extend(members.iter().map(|&v| entity(d, v, &marks)));
        body.extend(grid(d, members, &linked));
        stmts.push(Stmt::Subgraph(Subgraph {
            id: quote(&format!("cluster {c}")),
            stmts: body,
        }));
    }
    let members = &groups[0];
    stmts.extend(members.iter().map(|&v| entity(d, v, &marks)));
    stmts.extend(grid(d, members, &linked));
    stmts.extend(relationships(d));
    stmts.push(legend::legend(d));
    Graph::DiGraph {
        id: Id::Plain("exposure".into()),
        strict: false,
        stmts,
    }
}

/// The title: the graph's title, date, lists and rules, the scenario, the
/// focus and the highlight.
fn title(d: &Diagram) -> Id {
    let m = d.model;
    let mut parts = vec![m
        .meta
        .title
        .clone()
        .unwrap_or_else(|| "Exposure to restricted buyers".into())];
    parts.push(settings_line(&d.settings, &d.outcome.restricted.list_names));
    if !d.scenario.is_empty() {
        parts.push(format!("what-if: {}", d.scenario.join(" · ")));
    }
    if let Some(Focus { entity: v, depth }) = d.focus {
        let edges = if depth == 1 { "edge" } else { "edges" };
        parts.push(format!(
            "focus: {} ({}) and the entities within {depth} {edges} of it",
            m.name(v),
            m.id(v)
        ));
    }
    if d.unlinked > 0 {
        let (n, verb) = if d.unlinked == 1 {
            ("1 entity", "has")
        } else {
            (&*format!("{} entities", d.unlinked), "have")
        };
        parts.push(format!(
            "not drawn: {n} that {verb} no relationship with a drawn entity (--all draws them)"
        ));
    }
    if let Some(h) = &d.highlight {
        let (v, top) = (h.from, h.top);
        parts.push(match h.worst {
            None => format!(
                "bold: the first {top} paths behind the exposure of {} ({})",
                m.name(v),
                m.id(v)
            ),
            Some(_) => format!(
                "bold: the first {top} paths behind the upper bound of {} ({}) in the worst case \
                 the bounds allow; \"worst case +p%\": the unsized share it assumes",
                m.name(v),
                m.id(v)
            ),
        });
    }
    left_lines(&parts)
}

/// Per entity: has a relationship with another drawn entity.
fn linked(d: &Diagram) -> Vec<bool> {
    let mut linked = vec![false; d.net.n];
    for r in &d.model.relationships {
        if d.keep[r.from as usize] && d.keep[r.to as usize] {
            linked[r.from as usize] = true;
            linked[r.to as usize] = true;
        }
    }
    linked
}

/// Invisible edges that lay the entities without a drawn relationship out
/// in rows of [`GRID`], instead of one tall column.
fn grid(d: &Diagram, members: &[EntityIx], linked: &[bool]) -> Vec<Stmt> {
    let alone: Vec<EntityIx> = members
        .iter()
        .copied()
        .filter(|&v| !linked[v as usize])
        .collect();
    let mut stmts = Vec::new();
    for row in alone.chunks(GRID) {
        for pair in row.windows(2) {
            let (a, b) = (quote(d.model.id(pair[0])), quote(d.model.id(pair[1])));
            stmts.push(edge(a, b, vec![val("style", "invis")]));
        }
    }
    stmts
}

/// Per entity: on one of the highlighted paths.
fn on_highlighted_path(d: &Diagram) -> Vec<bool> {
    let mut on = vec![false; d.net.n];
    if let Some(h) = &d.highlight {
        for v in 0..d.net.n as EntityIx {
            for e in d.net.sales(v) {
                if h.on[e] {
                    on[v as usize] = true;
                    on[d.net.buyer[e] as usize] = true;
                }
            }
        }
        if on.iter().any(|&b| b) {
            on[h.from as usize] = true;
        }
    }
    on
}

/// What marks entities beyond their own figures, per entity.
struct Marks {
    /// On one of the highlighted paths.
    on_path: Vec<bool>,
    /// Its place in `restricted.members` (R+), if any.
    restriction: Vec<Option<usize>>,
}

/// Per entity: its place among the members of R+.
fn restriction_of(d: &Diagram) -> Vec<Option<usize>> {
    let mut at = vec![None; d.net.n];
    for (k, (v, _, _)) in d.outcome.restricted.members.iter().enumerate() {
        // The first, as a search from the start would find.
        at[*v as usize].get_or_insert(k);
    }
    at
}

/// One entity's node.
fn entity(d: &Diagram, v: EntityIx, marks: &Marks) -> Stmt {
    let m = d.model;
    let o = d.outcome;
    let i = v as usize;
    let name = m.name(v);
    let restriction = marks.restriction[i].map(|k| &o.restricted.members[k]);
    let (x, upper) = (o.total[i], o.upper[i]);
    let currency = m.meta.currency();
    let revenue = m.entities[i].revenue.get();

    let exposure = interval(percent(x), percent(upper));
    let mut tip = vec![format!("{name} ({})", m.id(v))];
    if let Some(c) = m.entities[i].country {
        tip.push(format!("country: {}", m.str(c)));
    }
    if let Some(r) = revenue {
        tip.push(format!("revenue: {currency} {}", short_money(r)));
    }
    tip.push(format!(
        "exposure: {exposure} (direct {})",
        percent(o.direct[i])
    ));
    tip.push(format!("restricted buyers reached: {}", o.reach[i]));

    let mut attrs = Vec::new();
    let mut label = vec![wrap(name, WRAP)];
    match restriction {
        Some((_, via, lists)) => {
            let names: Vec<&str> = lists
                .iter()
                .map(|&l| o.restricted.list_names[l as usize].as_str())
                .collect();
            let what = match via {
                Via::Listing => "RESTRICTED",
                Via::Affiliate => "RESTRICTED (affiliate)",
                Via::PossibleAffiliate => "POSSIBLY RESTRICTED",
            };
            label.push(format!("{what}: {}", names.join(", ")));
            tip.push(format!("{}: {}", what.to_lowercase(), names.join(", ")));
            attrs.push(val("shape", "octagon"));
            if *via == Via::PossibleAffiliate {
                attrs.push(val("style", "filled,dashed"));
                attrs.push(val("fillcolor", POSSIBLY));
                attrs.push(val("color", RESTRICTED));
                attrs.push(val("penwidth", "1.6"));
            } else {
                attrs.push(val("style", "filled"));
                attrs.push(val("fillcolor", RESTRICTED));
                attrs.push(val("color", RESTRICTED));
                attrs.push(val("fontcolor", "white"));
            }
        }
        None => {
            label.push(exposure);
            if let (Some(r), true) = (revenue, upper > 0.0) {
                label.push(format!(
                    "at risk: {currency} {}",
                    interval(short_money(x * r), short_money(upper * r))
                ));
            }
            let colour = fill(x);
            attrs.push(val("fillcolor", colour));
            if dark(colour) {
                attrs.push(val("fontcolor", "white"));
            }
            if upper > x {
                // The border says what the unknowns could make it.
                attrs.push(val("color", fill(upper).replace("#ffffff", MUTED).as_str()));
                attrs.push(val("penwidth", "3"));
            } else if upper == 0.0 {
                attrs.push(val("color", "#bdbdbd"));
                attrs.push(val("fontcolor", MUTED));
            }
        }
    }
    // The caps a seller's disclosures put on groups of its sales.
    for s in d.net.segments_of(v) {
        let cap = format!("cap: {}", segment_cap(m, d.net, s));
        label.push(wrap(&cap, WRAP));
        tip.push(cap);
    }
    if marks.on_path[i] {
        attrs.push(val("penwidth", "4"));
        attrs.push(val("color", INK));
    }
    attrs.insert(0, attr("label", lines(&label)));
    attrs.push(attr("tooltip", lines(&tip)));
    node(quote(m.id(v)), attrs)
}

/// Every relationship between two drawn entities, in the file's order.
fn relationships(d: &Diagram) -> Vec<Stmt> {
    let (m, net) = (d.model, d.net);
    let mut edge_of = vec![usize::MAX; m.relationships.len()];
    for (e, &r) in net.rel.iter().enumerate() {
        edge_of[r as usize] = e;
    }
    let in_r = &d.outcome.restricted.in_r;
    let highlighted = d.highlight.as_ref().map(|h| &h.on);
    let worst = d.highlight.as_ref().and_then(|h| h.worst.as_ref());
    let mut stmts = Vec::new();
    for (i, r) in m.relationships.iter().enumerate() {
        if !d.keep[r.from as usize] || !d.keep[r.to as usize] {
            continue;
        }
        let (from, to) = (m.name(r.from), m.name(r.to));
        let mut attrs = Vec::new();
        match r.rel {
            RelType::Supplies => {
                let e = edge_of[i];
                let Some(&lo) = net.lo.get(e) else { continue };
                let (hi, exact) = (net.hi[e], net.exact[e]);
                let share = share_label(lo, hi, exact);
                let style = if exact {
                    "solid"
                } else if share.is_empty() {
                    "dotted"
                } else {
                    "dashed"
                };
                let mut width = 1.0 + 8.0 * lo.clamp(0.0, 1.0);
                let mut label = Vec::new();
                if let Some(p) = r.product {
                    label.push(m.str(p).to_string());
                }
                if !share.is_empty() {
                    label.push(share.clone());
                }
                let mut colour = if in_r[r.to as usize] {
                    RESTRICTED
                } else {
                    SALE
                };
                if d.licensed[e] {
                    colour = LICENSED;
                    label.push("licensed".into());
                }
                let assumed = worst
                    .filter(|_| highlighted.is_some_and(|h| h[e]))
                    .map_or(0.0, |t| t[e]);
                if assumed > 0.0 {
                    label.push(format!("worst case +{}", percent(assumed)));
                }
                let mut tip = format!("{from} → {to}");
                if let Some(p) = r.product {
                    tip.push_str(&format!(": {}", m.str(p)));
                }
                tip.push_str(&format!(
                    " · {}",
                    if share.is_empty() {
                        "share unknown".to_string()
                    } else {
                        format!("share {share}")
                    }
                ));
                if let Some(c) = r.confidence {
                    tip.push_str(&format!(" ({})", c.as_str()));
                }
                if let Some(s) = net.segment(e) {
                    tip.push_str(&format!(" · in {}", segment_cap(m, net, s)));
                }
                if d.licensed[e] {
                    tip.push_str(" · licensed");
                }
                if assumed > 0.0 {
                    tip.push_str(&format!(
                        " · the upper bound's worst case gives it {} more",
                        percent(assumed)
                    ));
                }
                let mut style = style.to_string();
                match highlighted {
                    Some(h) if h[e] => {
                        width += 2.5;
                        style.push_str(",bold");
                    }
                    // Everything else steps back.
                    Some(_) => {
                        colour = if colour == RESTRICTED {
                            "#b2182b66"
                        } else {
                            "#52525255"
                        }
                    }
                    None => {}
                }
                attrs.push(attr("label", lines(&label)));
                attrs.push(attr("tooltip", quote(&tip)));
                attrs.push(val("style", &style));
                attrs.push(val("penwidth", &format!("{width:.2}")));
                attrs.push(val("color", colour));
                if colour == LICENSED {
                    attrs.push(val("fontcolor", LICENSED));
                }
            }
            RelType::Owns => {
                let pct = r.percent.get().map_or("size unknown".to_string(), stake);
                attrs.push(attr("label", quote(&format!("owns {pct}"))));
                attrs.push(attr(
                    "tooltip",
                    quote(&format!("{from} owns {pct} of {to}")),
                ));
                attrs.push(val("color", OWNS));
                attrs.push(val("fontcolor", OWNS));
                attrs.push(val("arrowhead", "odiamond"));
                attrs.push(val("style", "solid"));
                attrs.push(val("penwidth", "1.2"));
            }
        }
        stmts.push(edge(quote(m.id(r.from)), quote(m.id(r.to)), attrs));
    }
    stmts
}

/// `China incl. Hong Kong ≤ 25.0%`: a segment and its cap.
fn segment_cap(m: &Model, net: &Net, s: usize) -> String {
    let seg = &m.segments[net.seg_model[s] as usize];
    format!("{} ≤ {}", m.str(seg.name), percent(seg.share_max))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(id: Id) -> String {
        match id {
            Id::Escaped(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quoting_escapes_what_graphviz_would_read() {
        assert_eq!(text(quote("Acme Corp")), r#""Acme Corp""#);
        assert_eq!(text(quote(r#"a "b" \c"#)), r#""a \"b\" \\c""#);
        assert_eq!(text(quote("AT&T")), r#""AT&amp;T""#);
        assert_eq!(text(quote("one\ntwo\r\nthree")), r#""one\ntwo\nthree""#);
        assert_eq!(text(quote("<b>{x|y}</b> 海康")), r#""<b>{x|y}</b> 海康""#);
        assert_eq!(text(quote("ends in \\")), r#""ends in \\""#);
        assert_eq!(text(quote("nul\u{0}")), "\"nul\u{FFFD}\"");
    }

    #[test]
    fn every_quoted_string_parses_back() {
        for s in ["a\"", "\\", "\\\"", "x\n\"y\"", "{|}<>", "&lt;", ""] {
            let dot = format!("digraph {{ {} }}", text(quote(s)));
            assert!(graphviz_rust::parse(&dot).is_ok(), "{dot}");
        }
    }

    #[test]
    fn shares_are_labelled_by_what_is_known() {
        assert_eq!(share_label(0.3, 0.3, true), "30.0%");
        assert_eq!(share_label(0.15, 0.2, false), "15.0–20.0%");
        assert_eq!(share_label(0.0, 0.25, false), "≤ 25.0%");
        assert_eq!(share_label(0.1, 1.0, false), "≥ 10.0%");
        assert_eq!(share_label(0.0, 1.0, false), "");
    }

    #[test]
    fn the_scale_is_sequential() {
        assert_eq!(fill(0.0), "#ffffff");
        assert_eq!(fill(0.01), "#feedde");
        assert_eq!(fill(0.15), "#fd8d3c");
        assert_eq!(fill(1.0), "#a63603");
    }
}
