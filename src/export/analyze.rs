//! `exposure analyze`'s report: a table for people (percentages with
//! sensible precision, money in the graph's currency with thousands
//! separators, the interval `x – X` where the bounds differ, restricted
//! entities marked), the CLI spec's JSON object (one entity row per line,
//! so that large outputs stream and diff well) and CSV (one header row,
//! then the JSON rows' fields in the same order; `true`/`false` for flags,
//! an empty cell for unknown values). Writers only format; rows and their
//! order come from the [`Report`].

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Number;

use super::markup::{clip, interval, money, percent, settings_line, write_columns};
use super::{csv_io, json_io, number, RestrictedJson};
use crate::analysis::Via;
use crate::report::Report;

/// Writes the table: the report's [table rows](Report::table_rows), then
/// the [restricted entities it only names](Report::named_rows) in one line.
pub fn write_table(report: &Report, list_names: &[String], out: &mut dyn Write) -> io::Result<()> {
    let model = report.model;
    let o = report.outcome;
    let currency = model.meta.currency();
    if let Some(title) = &model.meta.title {
        writeln!(out, "{title}")?;
    }
    writeln!(out, "{}", settings_line(&report.settings, list_names))?;
    writeln!(out)?;
    if let Some(f) = &report.portfolio {
        super::portfolio::write_table(f, model, out)?;
    }

    // A ticker column when some row has a ticker.
    let ticker = |v: u32| model.entities[v as usize].ticker.map(|t| model.str(t));
    let tickers = report.rows.iter().any(|&v| ticker(v).is_some());
    let header = [
        "entity".to_string(),
        "ticker".to_string(),
        "status".to_string(),
        "exposure".to_string(),
        "direct".to_string(),
        "indirect".to_string(),
        format!("revenue at risk ({currency})"),
        "reach".to_string(),
    ];
    let mut lines: Vec<Vec<String>> = vec![header.to_vec()];
    for v in report.table_rows() {
        let i = v as usize;
        let status = if report.is_restricted(v) {
            "RESTRICTED"
        } else if report.is_possibly_restricted(v) {
            "possibly restricted"
        } else {
            ""
        };
        let risk = match (report.at_risk(v, o.total[i]), report.at_risk(v, o.upper[i])) {
            (Some(lo), Some(hi)) => interval(money(lo), money(hi)),
            _ => "revenue unknown".to_string(),
        };
        let name = clip(model.name(v), 44);
        lines.push(vec![
            format!("{name} ({})", model.id(v)),
            ticker(v).unwrap_or("").to_string(),
            status.to_string(),
            interval(percent(o.total[i]), percent(o.upper[i])),
            percent(o.direct[i]),
            percent(o.indirect(i)),
            risk,
            o.reach[i].to_string(),
        ]);
    }
    if !tickers {
        for line in &mut lines {
            line.remove(1);
        }
    }
    // Text columns align left, numbers right.
    let text = if tickers { 3 } else { 2 };
    write_columns(out, &lines, |c| c < text)?;
    if lines.len() == 1 {
        writeln!(out, "(no entity sells to a restricted buyer)")?;
    }
    let quiet: Vec<&str> = report
        .named_rows()
        .into_iter()
        .map(|v| model.id(v))
        .collect();
    if !quiet.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Restricted, with no sales to restricted buyers in the graph ({}):",
            quiet.len()
        )?;
        let mut line = String::from(" ");
        for id in quiet {
            if line.len() + id.len() > 78 {
                writeln!(out, "{line}")?;
                line = String::from(" ");
            }
            line.push(' ');
            line.push_str(id);
        }
        writeln!(out, "{line}")?;
    }

    let restricted = report
        .restricted
        .iter()
        .filter(|r| r.via != Via::PossibleAffiliate)
        .count();
    let possible = report.restricted.len() - restricted;
    writeln!(out)?;
    write!(out, "{restricted} restricted")?;
    if possible > 0 {
        write!(
            out,
            ", {possible} possibly restricted (a stake of unknown size could reach the threshold)"
        )?;
    }
    writeln!(out, ".")?;
    writeln!(
        out,
        "exposure: the share of revenue that ends at restricted buyers, as lower – upper bound."
    )?;
    Ok(())
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
        let entry = RestrictedJson::of(report.model, r);
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
pub fn write_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_object(report, None, out)?;
    out.write_all(b"\n")
}

/// The header, in the order of the JSON row's fields.
pub const HEADER: [&str; 12] = [
    "id",
    "name",
    "restricted",
    "possibly_restricted",
    "direct",
    "indirect",
    "total",
    "upper",
    "revenue",
    "revenue_at_risk",
    "revenue_at_risk_upper",
    "reach",
];

/// The cells of one row, in [`HEADER`] order.
pub fn fields(r: &Row) -> [String; 12] {
    let opt =
        |n: &Option<serde_json::Number>| n.as_ref().map(|n| n.to_string()).unwrap_or_default();
    [
        super::text_cell(r.id).into_owned(),
        super::text_cell(r.name).into_owned(),
        r.restricted.to_string(),
        r.possibly_restricted.to_string(),
        r.direct.to_string(),
        r.indirect.to_string(),
        r.total.to_string(),
        r.upper.to_string(),
        opt(&r.revenue),
        opt(&r.revenue_at_risk),
        opt(&r.revenue_at_risk_upper),
        r.reach.to_string(),
    ]
}

/// Writes the report's rows as CSV.
pub fn write_csv(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(HEADER).map_err(csv_io)?;
    for &v in &report.rows {
        w.write_record(fields(&row(report, v))).map_err(csv_io)?;
    }
    w.flush()
}
