//! The `analyze --format json` object of the CLI spec, one entity row per
//! line so that large outputs stream and diff well.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Number;

use super::{json_io, number};
use crate::report::Report;

#[derive(Serialize)]
struct Restricted<'a> {
    id: &'a str,
    via: &'static str,
    lists: &'a [String],
}

/// One entity row, with the spec's field names.
#[derive(Serialize)]
pub struct Row<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub restricted: bool,
    pub possibly_restricted: bool,
    pub direct: Number,
    pub indirect: Number,
    pub total: Number,
    pub upper: Number,
    pub revenue: Option<Number>,
    pub revenue_at_risk: Option<Number>,
    pub revenue_at_risk_upper: Option<Number>,
    pub reach: u32,
}

/// The row of entity `v`.
pub fn row<'a>(report: &Report<'a>, v: u32) -> Row<'a> {
    let o = report.outcome;
    let i = v as usize;
    let model = report.model;
    Row {
        id: model.id(v),
        name: model.name(v),
        restricted: report.is_restricted(v),
        possibly_restricted: report.is_possibly_restricted(v),
        direct: number(o.direct[i]),
        indirect: number(o.indirect(i)),
        total: number(o.total[i]),
        upper: number(o.upper[i]),
        revenue: model.entities[i].revenue.get().map(number),
        revenue_at_risk: report.at_risk(v, o.total[i]).map(number),
        revenue_at_risk_upper: report.at_risk(v, o.upper[i]).map(number),
        reach: o.reach[i],
    }
}

/// Writes the report's analyze object: the settings on the first line,
/// then one restricted entry and one entity row per line.
///
/// With a `name`, the object starts with `"name"` (a `whatif` scenario).
pub fn write_object(report: &Report, name: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.settings;
    out.write_all(b"{")?;
    if let Some(name) = name {
        write!(out, "\"name\":{},", text(&name)?)?;
    }
    write!(
        out,
        "\"as_of\":{},\"affiliates_threshold\":{},\"max_depth\":{},",
        text(&s.as_of.map(|d| d.to_string()))?,
        text(&s.affiliates.map(number))?,
        text(&s.max_depth)?,
    )?;
    if let Some(f) = &report.portfolio {
        out.write_all(b"\n")?;
        super::portfolio::write_json_member(f, report.model, out)?;
        out.write_all(b",\n\"restricted\":[")?;
    } else {
        out.write_all(b"\"restricted\":[")?;
    }
    for (k, r) in report.restricted.iter().enumerate() {
        out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        let entry = Restricted {
            id: report.model.id(r.entity),
            via: r.via.as_str(),
            lists: &r.lists,
        };
        serde_json::to_writer(&mut *out, &entry).map_err(json_io)?;
    }
    out.write_all(b"],\"entities\":[")?;
    for (k, &v) in report.rows.iter().enumerate() {
        out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &row(report, v)).map_err(json_io)?;
    }
    out.write_all(b"\n]")?;
    // The settings that cli.md does not fix, after the fields it does.
    let meta = &report.model.meta;
    write!(
        out,
        ",\n\"lists\":{},\"currency\":{},\"title\":{}",
        text(&s.lists)?,
        text(&meta.currency())?,
        text(&meta.title)?,
    )?;
    if let Some(w) = &report.what_ifs {
        write!(
            out,
            ",\"list\":{},\"delist\":{},\"license\":{}",
            text(&w.list)?,
            text(&w.delist)?,
            text(&w.license)?,
        )?;
    }
    out.write_all(b"}")
}

/// A value as JSON text, for hand-framed objects.
fn text<T: Serialize>(v: &T) -> io::Result<String> {
    serde_json::to_string(v).map_err(json_io)
}

/// Writes the report as the `analyze --format json` document.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_object(report, None, out)?;
    out.write_all(b"\n")
}
