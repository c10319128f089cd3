//! Writers of a portfolio's [`Figures`]: the CLI spec's `portfolio` object
//! (JSON), the contributions as CSV rows, and the lines the tables for
//! people start with. Writers only format; the order of the contributions
//! and of the restricted holdings comes from `Figures`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Number;

use super::markup::{interval, percent, write_columns};
use super::{csv_io, json_io, number, RestrictedJson};
use crate::model::Model;
use crate::portfolio::Figures;

#[derive(Serialize)]
struct Object<'a> {
    holdings: usize,
    weight_total: Number,
    total: Number,
    upper: Number,
    restricted_holdings: Vec<RestrictedJson<'a>>,
    contributions: Vec<Contribution<'a>>,
}

#[derive(Serialize)]
struct Contribution<'a> {
    id: &'a str,
    weight: Number,
    total: Number,
    upper: Number,
    contribution: Number,
    contribution_upper: Number,
}

/// Writes `"portfolio":{...}` (no comma): the figures, then one
/// contribution per line.
pub fn write_json_member(f: &Figures, model: &Model, out: &mut dyn Write) -> io::Result<()> {
    let object = Object {
        holdings: f.holdings,
        weight_total: number(f.weight_total),
        total: number(f.total),
        upper: number(f.upper),
        restricted_holdings: f
            .restricted
            .iter()
            .map(|r| RestrictedJson::of(model, r))
            .collect(),
        contributions: Vec::new(),
    };
    let head = serde_json::to_string(&object).map_err(json_io)?;
    // The object without its empty contributions and closing brace, then
    // one contribution per line.
    let head = head
        .strip_suffix("]}")
        .expect("contributions come last and are empty here");
    write!(out, "\"portfolio\":{head}")?;
    for (k, c) in f.contributions.iter().enumerate() {
        out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        let c = Contribution {
            id: model.id(c.entity),
            weight: number(c.weight),
            total: number(c.total),
            upper: number(c.upper),
            contribution: number(c.contribution),
            contribution_upper: number(c.contribution_upper),
        };
        serde_json::to_writer(&mut *out, &c).map_err(json_io)?;
    }
    out.write_all(b"]}")
}

/// The CSV header of the contributions, in the order of [`rows`]' cells.
pub const HEADER: [&str; 9] = [
    "id",
    "weight",
    "total",
    "upper",
    "contribution",
    "contribution_upper",
    "restricted",
    "possibly_restricted",
    "lists",
];

/// The cells of each contribution, in [`HEADER`] order; `lists` joined by
/// `;`.
pub fn rows(f: &Figures, model: &Model) -> Vec<[String; 9]> {
    f.contributions
        .iter()
        .map(|c| {
            let r = f.restricted.iter().find(|r| r.entity == c.entity);
            let possibly = r.is_some_and(|r| r.via == crate::analysis::Via::PossibleAffiliate);
            [
                super::text_cell(model.id(c.entity)).into_owned(),
                number(c.weight).to_string(),
                number(c.total).to_string(),
                number(c.upper).to_string(),
                number(c.contribution).to_string(),
                number(c.contribution_upper).to_string(),
                (r.is_some() && !possibly).to_string(),
                possibly.to_string(),
                r.map(|r| super::text_cell(&r.lists.join(";")).into_owned())
                    .unwrap_or_default(),
            ]
        })
        .collect()
}

/// `--format csv` with a portfolio: one row per holding, in the order of
/// the contributions.
pub fn write_csv(f: &Figures, model: &Model, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(HEADER).map_err(csv_io)?;
    for row in rows(f, model) {
        w.write_record(&row).map_err(csv_io)?;
    }
    w.flush()
}

/// `x – X` as percents.
pub fn figure(total: f64, upper: f64) -> String {
    interval(percent(total), percent(upper))
}

/// Holdings shown in the table for people; JSON and CSV list them all.
const SHOWN: usize = 10;

/// The lines an `analyze` table starts with: the portfolio's figure, the
/// holdings that are themselves restricted, and the largest contributions.
pub fn write_table(f: &Figures, model: &Model, out: &mut dyn Write) -> io::Result<()> {
    let holdings = if f.holdings == 1 {
        "1 holding".to_string()
    } else {
        format!("{} holdings", f.holdings)
    };
    writeln!(
        out,
        "Portfolio {} ({holdings}): {} of the holdings' revenue ends at restricted buyers",
        f.origin,
        figure(f.total, f.upper)
    )?;
    for r in &f.restricted {
        let what = match r.via {
            crate::analysis::Via::PossibleAffiliate => "possibly restricted",
            _ => "RESTRICTED",
        };
        let lists = if r.lists.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.lists.join(", "))
        };
        writeln!(
            out,
            "  holding {} ({}) is itself {what}{lists}",
            model.name(r.entity),
            model.id(r.entity)
        )?;
    }
    let mut lines = vec![vec![
        "  holding".to_string(),
        "weight".to_string(),
        "exposure".to_string(),
        "contribution".to_string(),
    ]];
    for c in f.contributions.iter().take(SHOWN) {
        lines.push(vec![
            format!("  {} ({})", model.name(c.entity), model.id(c.entity)),
            percent(c.weight),
            figure(c.total, c.upper),
            figure(c.contribution, c.contribution_upper),
        ]);
    }
    write_columns(out, &lines, |c| c == 0)?;
    if f.contributions.len() > SHOWN {
        writeln!(
            out,
            "  … and {} more holdings (--format json or csv lists them all)",
            f.contributions.len() - SHOWN
        )?;
    }
    writeln!(out)
}
