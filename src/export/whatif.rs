//! `exposure whatif` output: scenarios side by side for people, and for
//! scripts every scenario's analyze object (JSON) or rows (CSV).

use std::io::{self, Write};

use super::analyze::{row, write_object};
use super::csv_io;
use super::markup::{interval, percent, points, settings_line, write_columns};
use crate::report::{Report, SideBySide};

/// One evaluated scenario.
pub struct Named<'a> {
    pub name: &'a str,
    pub report: Report<'a>,
}

/// `{"scenarios": [ {"name": ..., <the analyze object>}, ... ]}`.
pub fn write_json(scenarios: &[Named], out: &mut dyn Write) -> io::Result<()> {
    let mut json = JsonStream::new(out)?;
    for s in scenarios {
        json.scenario(s)?;
    }
    json.finish()
}

/// [`write_json`] one scenario at a time, so that only one scenario's
/// report need be held.
pub struct JsonStream<'o> {
    out: &'o mut dyn Write,
    written: usize,
}

impl<'o> JsonStream<'o> {
    pub fn new(out: &'o mut dyn Write) -> io::Result<JsonStream<'o>> {
        out.write_all(b"{\"scenarios\":[")?;
        Ok(JsonStream { out, written: 0 })
    }

    pub fn scenario(&mut self, s: &Named) -> io::Result<()> {
        self.out
            .write_all(if self.written == 0 { b"\n" } else { b",\n" })?;
        self.written += 1;
        write_object(&s.report, Some(s.name), self.out)
    }

    pub fn finish(self) -> io::Result<()> {
        self.out.write_all(b"\n]}\n")
    }
}

/// [`JsonStream`] or [`CsvStream`]: scenarios written one at a time in
/// either form.
pub enum Stream<'o> {
    Json(JsonStream<'o>),
    /// Boxed: the CSV writer holds its buffer inline.
    Csv(Box<CsvStream<'o>>),
}

impl<'o> Stream<'o> {
    /// JSON when `json`, else CSV (`portfolio`: the holdings' rows).
    pub fn new(json: bool, out: &'o mut dyn Write, portfolio: bool) -> io::Result<Stream<'o>> {
        Ok(match json {
            true => Stream::Json(JsonStream::new(out)?),
            false => Stream::Csv(Box::new(CsvStream::new(out, portfolio)?)),
        })
    }

    pub fn scenario(&mut self, s: &Named) -> io::Result<()> {
        match self {
            Stream::Json(j) => j.scenario(s),
            Stream::Csv(c) => c.scenario(s),
        }
    }

    pub fn finish(self) -> io::Result<()> {
        match self {
            Stream::Json(j) => j.finish(),
            Stream::Csv(c) => c.finish(),
        }
    }
}

/// One header row (`scenario` then the analyze columns), one row per
/// (scenario, entity), scenarios in file order.
///
/// With a portfolio: one row per (scenario, holding), the contributions.
pub fn write_csv(scenarios: &[Named], out: &mut dyn Write) -> io::Result<()> {
    let portfolio = scenarios.iter().any(|s| s.report.portfolio.is_some());
    let mut csv = CsvStream::new(out, portfolio)?;
    for s in scenarios {
        csv.scenario(s)?;
    }
    csv.finish()
}

/// [`write_csv`] one scenario at a time; `portfolio`: the rows are the
/// holdings' contributions.
pub struct CsvStream<'o> {
    w: ::csv::Writer<&'o mut dyn Write>,
    portfolio: bool,
}

impl<'o> CsvStream<'o> {
    pub fn new(out: &'o mut dyn Write, portfolio: bool) -> io::Result<CsvStream<'o>> {
        let mut w = ::csv::Writer::from_writer(out);
        let mut header = vec!["scenario"];
        if portfolio {
            header.extend_from_slice(&super::portfolio::HEADER);
        } else {
            header.extend_from_slice(&super::analyze::HEADER);
        }
        w.write_record(&header).map_err(csv_io)?;
        Ok(CsvStream { w, portfolio })
    }

    pub fn scenario(&mut self, s: &Named) -> io::Result<()> {
        if self.portfolio {
            let Some(f) = &s.report.portfolio else {
                return Ok(());
            };
            for row in super::portfolio::rows(f, s.report.model) {
                let mut record = vec![super::text_cell(s.name).into_owned()];
                record.extend(row);
                self.w.write_record(&record).map_err(csv_io)?;
            }
            return Ok(());
        }
        for &v in &s.report.rows {
            let mut record = vec![super::text_cell(s.name).into_owned()];
            record.extend(super::analyze::fields(&row(&s.report, v)));
            self.w.write_record(&record).map_err(csv_io)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.w.flush()
    }
}

/// A cell: `x` or `x – X`, marked when the entity is restricted there.
fn cell(report: &Report, v: u32) -> String {
    let o = report.outcome;
    let mut text = interval(percent(o.total[v as usize]), percent(o.upper[v as usize]));
    if report.is_restricted(v) {
        text.push_str(" R");
    } else if report.is_possibly_restricted(v) {
        text.push_str(" R?");
    }
    text
}

/// The side-by-side table: per entity, each scenario's exposure and its
/// change against the first scenario, largest change first.
pub fn write_table(
    scenarios: &[Named],
    all: bool,
    top: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some(first) = scenarios.first() else {
        return Ok(());
    };
    if let Some(title) = &first.report.model.meta.title {
        writeln!(out, "{title}: {} scenarios", scenarios.len())?;
    }
    let settings =
        |s: &Named| settings_line(&s.report.settings, &s.report.outcome.restricted.list_names);
    let base = settings(first);
    for (i, s) in scenarios.iter().enumerate() {
        let line = settings(s);
        let shown = if i > 0 && line == base {
            "settings as [1]"
        } else {
            line.as_str()
        };
        writeln!(out, "  [{}] {}: {shown}", i + 1, s.name)?;
    }
    writeln!(out)?;
    if let Some(base) = &first.report.portfolio {
        writeln!(
            out,
            "Portfolio {} ({} holdings), per scenario:",
            base.origin, base.holdings
        )?;
        let mut lines = vec![vec![
            "  scenario".to_string(),
            "portfolio".to_string(),
            "change".to_string(),
            "restricted holdings".to_string(),
        ]];
        for (i, s) in scenarios.iter().enumerate() {
            let Some(f) = &s.report.portfolio else {
                continue;
            };
            let change = if i == 0 {
                String::new()
            } else {
                let (dx, du) = (points(f.total, base.total), points(f.upper, base.upper));
                if dx == du {
                    dx
                } else {
                    format!("{dx} (upper {du})")
                }
            };
            let held: Vec<&str> = f
                .restricted
                .iter()
                .map(|r| s.report.model.id(r.entity))
                .collect();
            lines.push(vec![
                format!("  [{}] {}", i + 1, s.name),
                super::portfolio::figure(f.total, f.upper),
                change,
                held.join(", "),
            ]);
        }
        write_columns(out, &lines, |c| c == 0 || c == 3)?;
        writeln!(out)?;
    }

    let reports: Vec<&Report> = scenarios.iter().map(|s| &s.report).collect();
    let side = SideBySide::of(&reports, all, top);
    let ids = &side.ids;
    let value = |k: usize, id: &str| side.value(&reports, k, id);

    let mut header = vec!["entity".to_string()];
    for i in 0..scenarios.len() {
        header.push(format!("[{}]", i + 1));
        if i > 0 {
            header.push(format!("change [{}]", i + 1));
        }
    }
    let mut lines = vec![header];
    for id in ids {
        let name = scenarios
            .iter()
            .enumerate()
            .find_map(|(k, s)| side.entity(k, id).map(|v| s.report.model.name(v)));
        let mut line = vec![format!("{} ({id})", name.unwrap_or(id))];
        let base = value(0, id);
        for (k, s) in scenarios.iter().enumerate() {
            line.push(
                side.entity(k, id)
                    .map_or("—".to_string(), |v| cell(&s.report, v)),
            );
            if k > 0 {
                line.push(match (base, value(k, id)) {
                    (Some(b), Some(now)) => {
                        let (dx, du) = (points(now.0, b.0), points(now.1, b.1));
                        if dx == du {
                            dx
                        } else {
                            format!("{dx} (upper {du})")
                        }
                    }
                    _ => "—".to_string(),
                });
            }
        }
        lines.push(line);
    }
    write_columns(out, &lines, |c| c == 0)?;
    if ids.is_empty() {
        writeln!(out, "(no entity is exposed in any scenario)")?;
    }

    // Who is restricted in a scenario but not in the first.
    let was_in_r = &first.report.outcome.restricted.in_r;
    for (k, s) in scenarios.iter().enumerate().skip(1) {
        let in_r = &s.report.outcome.restricted.in_r;
        let mut gained: Vec<&str> = Vec::new();
        let mut lost: Vec<&str> = Vec::new();
        let mut compare = |id, now: bool, before: bool| {
            if now && !before {
                gained.push(id);
            } else if before && !now {
                lost.push(id);
            }
        };
        if side.same_model(0, k) {
            // The same entities by the same indexes: no id to look up.
            for (v, (&now, &before)) in in_r.iter().zip(was_in_r).enumerate() {
                if now != before {
                    compare(s.report.model.id(v as u32), now, before);
                }
            }
        } else {
            for (id, v) in side.entities(k) {
                let before = side.entity(0, id).is_some_and(|b| was_in_r[b as usize]);
                compare(id, in_r[v as usize], before);
            }
        }
        gained.sort_unstable();
        lost.sort_unstable();
        if !gained.is_empty() {
            writeln!(out, "[{}] restricts also: {}", k + 1, gained.join(", "))?;
        }
        if !lost.is_empty() {
            writeln!(out, "[{}] no longer restricts: {}", k + 1, lost.join(", "))?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "R: restricted, R?: possibly restricted. change: total against [1], in percentage points."
    )
}
