//! The diagram's legend: the exposure scale, the marks of restricted and
//! possibly restricted entities, and a sample edge of every kind, in a
//! cluster of their own under node ids no entity has. Fixed text only: no
//! user string but the model's ids (to avoid them) is read.

use graphviz_rust::dot_structures::{Attribute, GraphAttributes, Id, Stmt, Subgraph};

use super::{
    attr, dark, edge, node, quote, val, Diagram, INK, LICENSED, MUTED, OWNS, POSSIBLY, RESTRICTED,
    SCALE,
};
use crate::model::Model;

/// A sample edge: its node ids' stem, its label and its marks.
struct Sample {
    key: &'static str,
    text: &'static str,
    attrs: Vec<Attribute>,
}

/// A node id for the legend that no entity has.
fn fresh(model: &Model, base: &str) -> Id {
    let mut id = format!("legend: {base}");
    while model.find(&id).is_some() {
        id.push('_');
    }
    quote(&id)
}

/// The legend: a cluster with a sample of every mark.
pub(super) fn legend(d: &Diagram) -> Stmt {
    let m = d.model;
    let mut body = vec![Stmt::GAttribute(GraphAttributes::Graph(vec![
        val("label", "How to read this diagram"),
        val("style", "rounded"),
        val("color", "#bdbdbd"),
        val("fontcolor", INK),
        val("fontsize", "12"),
        val("labeljust", "l"),
    ]))];
    // The exposure scale as one table; fixed text, so an HTML-like label.
    let mut cells = String::new();
    for class in &SCALE {
        let (colour, text) = (class.fill, class.label);
        let fg = if dark(colour) { "white" } else { INK };
        cells.push_str(&format!(
            r#"<td bgcolor="{colour}"><font color="{fg}">{text}</font></td>"#
        ));
    }
    let scale = format!(
        r#"<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" color="{MUTED}"><tr><td colspan="6" border="0" align="left">fill: known exposure x (lower bound), as a share of revenue</td></tr><tr>{cells}</tr><tr><td colspan="6" border="0" align="left">thick border: the upper bound X (what the unknown shares could make it), same colours</td></tr><tr><td colspan="6" border="0" align="left">label: name · exposure x – X · revenue at risk where the revenue is known</td></tr></table>>"#
    );
    body.push(node(
        fresh(m, "scale"),
        vec![
            attr("label", Id::Html(scale)),
            val("shape", "plain"),
            val("style", ""),
            val("fontsize", "10"),
        ],
    ));
    body.push(node(
        fresh(m, "restricted"),
        vec![
            val("label", "restricted\\nRESTRICTED: its lists"),
            val("shape", "octagon"),
            val("style", "filled"),
            val("fillcolor", RESTRICTED),
            val("color", RESTRICTED),
            val("fontcolor", "white"),
            val("fontsize", "10"),
        ],
    ));
    body.push(node(
        fresh(m, "possibly"),
        vec![
            val(
                "label",
                "possibly restricted\\n(affiliates rule, stake of unknown size)",
            ),
            val("shape", "octagon"),
            val("style", "filled,dashed"),
            val("fillcolor", POSSIBLY),
            val("color", RESTRICTED),
            val("penwidth", "1.6"),
            val("fontsize", "10"),
        ],
    ));
    let samples = [
        Sample {
            key: "exact",
            text: "sells to, share known exactly (width: share)",
            attrs: vec![val("penwidth", "3.4")],
        },
        Sample {
            key: "bounded",
            text: "share bounded (width: lower bound)",
            attrs: vec![val("style", "dashed"), val("penwidth", "2.2")],
        },
        Sample {
            key: "unknown",
            text: "share unknown",
            attrs: vec![val("style", "dotted")],
        },
        Sample {
            key: "restricted buyer",
            text: "sells to a restricted buyer",
            attrs: vec![val("color", RESTRICTED), val("penwidth", "1.8")],
        },
        Sample {
            key: "licensed",
            text: "licensed (carries nothing)",
            attrs: vec![val("color", LICENSED), val("fontcolor", LICENSED)],
        },
        Sample {
            key: "owns",
            text: "owns (percent of shares)",
            attrs: vec![
                val("color", OWNS),
                val("fontcolor", OWNS),
                val("arrowhead", "odiamond"),
            ],
        },
    ];
    let dot = |id: Id| {
        node(
            id,
            vec![
                val("shape", "point"),
                val("width", "0.06"),
                val("color", MUTED),
                val("label", ""),
            ],
        )
    };
    for Sample {
        key,
        text,
        mut attrs,
    } in samples
    {
        let (a, b) = (
            fresh(m, &format!("{key} from")),
            fresh(m, &format!("{key} to")),
        );
        body.push(dot(a.clone()));
        body.push(dot(b.clone()));
        attrs.insert(0, val("label", text));
        body.push(edge(a, b, attrs));
    }
    if d.highlight.is_some() {
        let (a, b) = (fresh(m, "path from"), fresh(m, "path to"));
        body.push(dot(a.clone()));
        body.push(dot(b.clone()));
        body.push(edge(
            a,
            b,
            vec![
                val("label", "on a highlighted path"),
                val("style", "bold"),
                val("penwidth", "4"),
            ],
        ));
    }
    Stmt::Subgraph(Subgraph {
        id: Id::Escaped("\"cluster legend\"".into()),
        stmts: body,
    })
}
