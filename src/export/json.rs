//! The `analyze --format json` object of the CLI spec, one entity row per
//! line so that large outputs stream and diff well.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Number;

use super::number;
use crate::report::Report;

#[derive(Serialize)]
struct Head<'a> {
    as_of: Option<String>,
    affiliates_threshold: Option<Number>,
    max_depth: Option<u32>,
    restricted: Vec<Restricted<'a>>,
}

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
        revenue: model.entities[i].revenue.map(number),
        revenue_at_risk: report.at_risk(v, o.total[i]).map(number),
        revenue_at_risk_upper: report.at_risk(v, o.upper[i]).map(number),
        reach: o.reach[i],
    }
}

/// Writes the report's analyze object (without the closing newline's
/// trailing data, a single JSON document).
pub fn write_object(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let head = Head {
        as_of: report.settings.as_of.map(|d| d.to_string()),
        affiliates_threshold: report.settings.affiliates.map(number),
        max_depth: report.settings.max_depth,
        restricted: report
            .restricted
            .iter()
            .map(|r| Restricted { id: report.model.id(r.entity), via: r.via.as_str(), lists: &r.lists })
            .collect(),
    };
    let head = serde_json::to_string(&head).map_err(io::Error::other)?;
    // Reopen the head object to append the rows.
    out.write_all(head[..head.len() - 1].as_bytes())?;
    out.write_all(b",\"entities\":[")?;
    for (k, &v) in report.rows.iter().enumerate() {
        out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &row(report, v)).map_err(io::Error::other)?;
    }
    out.write_all(b"\n]}")
}

/// Writes the report as the `analyze --format json` document.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_object(report, out)?;
    out.write_all(b"\n")
}
