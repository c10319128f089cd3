//! `exposure whatif` output: scenarios side by side for people, and for
//! scripts every scenario's analyze object (JSON) or rows (CSV).

use std::io::{self, Write};

use super::analyze::{row, write_object};
use super::csv_io;
use super::markup::{interval, percent, points, settings_line, write_columns};
use crate::model::Model;
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

/// The scenarios of the side-by-side table, each built when asked for,
/// so that the table holds one scenario's numbers at a time (a scenario of
/// a million entities is tens of megabytes).
pub trait EachScenario<'a> {
    fn count(&self) -> usize;
    /// The model of scenario `k` (kept while the table is written).
    fn model(&self, k: usize) -> &'a Model;
    /// Calls `f` with scenario `k`.
    fn with(&self, k: usize, f: &mut dyn FnMut(&Named<'_>) -> io::Result<()>) -> io::Result<()>;
}

impl<'a> EachScenario<'a> for [Named<'a>] {
    fn count(&self) -> usize {
        self.len()
    }

    fn model(&self, k: usize) -> &'a Model {
        self[k].report.model
    }

    fn with(&self, k: usize, f: &mut dyn FnMut(&Named<'_>) -> io::Result<()>) -> io::Result<()> {
        f(&self[k])
    }
}

/// The side-by-side table: per entity, each scenario's exposure and its
/// change against the first scenario, largest change first.
///
/// Each scenario is asked for twice: once to choose the rows, once to
/// fill them.
pub fn write_table<'a>(
    scenarios: &(impl EachScenario<'a> + ?Sized),
    all: bool,
    top: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let count = scenarios.count();
    if count == 0 {
        return Ok(());
    }
    if let Some(title) = &scenarios.model(0).meta.title {
        writeln!(out, "{title}: {count} scenarios")?;
    }
    // First pass: the settings and portfolio lines, and the rows.
    let mut side = SideBySide::new((0..count).map(|k| scenarios.model(k)), all);
    let mut settings: Vec<(String, String)> = Vec::with_capacity(count);
    let mut portfolio: Option<(String, Vec<Vec<String>>)> = None;
    let mut base: Option<(f64, f64)> = None;
    for k in 0..count {
        scenarios.with(k, &mut |s| {
            let line = settings_line(&s.report.settings, &s.report.outcome.restricted.list_names);
            settings.push((s.name.to_string(), line));
            if let Some(f) = &s.report.portfolio {
                let (_, lines) = portfolio.get_or_insert_with(|| {
                    let head = format!(
                        "Portfolio {} ({} holdings), per scenario:",
                        f.origin, f.holdings
                    );
                    (
                        head,
                        vec![vec![
                            "  scenario".to_string(),
                            "portfolio".to_string(),
                            "change".to_string(),
                            "restricted holdings".to_string(),
                        ]],
                    )
                });
                // Against the first scenario's (none for the first).
                let change = base.map_or(String::new(), |b| change((f.total, f.upper), b));
                if k == 0 {
                    base = Some((f.total, f.upper));
                }
                let held: Vec<&str> = f
                    .restricted
                    .iter()
                    .map(|r| s.report.model.id(r.entity))
                    .collect();
                lines.push(vec![
                    format!("  [{}] {}", k + 1, s.name),
                    super::portfolio::figure(f.total, f.upper),
                    change,
                    held.join(", "),
                ]);
            }
            side.add(k, s.report.outcome);
            Ok(())
        })?;
    }
    side.choose(top);
    let first = &settings[0].1;
    for (i, (name, line)) in settings.iter().enumerate() {
        let shown = if i > 0 && line == first {
            "settings as [1]"
        } else {
            line.as_str()
        };
        writeln!(out, "  [{}] {name}: {shown}", i + 1)?;
    }
    writeln!(out)?;
    if let Some((head, lines)) = &portfolio {
        writeln!(out, "{head}")?;
        write_columns(out, lines, |c| c == 0 || c == 3)?;
        writeln!(out)?;
    }

    // Second pass: each scenario's cells of the rows, and who it
    // restricts that the first does not, or no longer.
    let mut header = vec!["entity".to_string()];
    for i in 0..count {
        header.push(format!("[{}]", i + 1));
        if i > 0 {
            header.push(format!("change [{}]", i + 1));
        }
    }
    let mut lines = vec![header];
    for (row, &id) in side.ids.iter().enumerate() {
        let name =
            (0..count).find_map(|k| side.row_entity(k, row).map(|v| scenarios.model(k).name(v)));
        lines.push(vec![format!("{} ({id})", name.unwrap_or(id))]);
    }
    let mut restricts: Vec<String> = Vec::new();
    for k in 0..count {
        scenarios.with(k, &mut |s| {
            let o = s.report.outcome;
            for (row, line) in lines[1..].iter_mut().enumerate() {
                let v = side.row_entity(k, row);
                line.push(v.map_or("—".to_string(), |v| cell(&s.report, v)));
                if k == 0 {
                    continue;
                }
                let base = side.row_entity(0, row).map(|u| side.first[u as usize]);
                let now = v.map(|v| (o.total[v as usize], o.upper[v as usize]));
                line.push(match (base, now) {
                    (Some(b), Some(now)) => change(now, b),
                    _ => "—".to_string(),
                });
            }
            if k > 0 {
                restricts.extend(restriction_changes(&side, k, s));
            }
            Ok(())
        })?;
    }
    write_columns(out, &lines, |c| c == 0)?;
    if side.ids.is_empty() {
        writeln!(out, "(no entity is exposed in any scenario)")?;
    }
    for line in &restricts {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "R: restricted, R?: possibly restricted. change: total against [1], in percentage points."
    )
}

/// The change of (x, X) `now` against `base`, in points: one figure when
/// both moved alike, else `x (upper X)`.
fn change(now: (f64, f64), base: (f64, f64)) -> String {
    let (dx, du) = (points(now.0, base.0), points(now.1, base.1));
    if dx == du {
        dx
    } else {
        format!("{dx} (upper {du})")
    }
}

/// Who scenario `k` restricts that the first does not, and who it no
/// longer restricts: a line for each that is not empty.
fn restriction_changes(side: &SideBySide, k: usize, s: &Named) -> Vec<String> {
    let in_r = &s.report.outcome.restricted.in_r;
    let was_in_r = &side.first_in_r;
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
    let mut lines = Vec::new();
    if !gained.is_empty() {
        lines.push(format!("[{}] restricts also: {}", k + 1, gained.join(", ")));
    }
    if !lost.is_empty() {
        lines.push(format!(
            "[{}] no longer restricts: {}",
            k + 1,
            lost.join(", ")
        ));
    }
    lines
}
