//! `exposure whatif` output: scenarios side by side for people, and for
//! scripts every scenario's analyze object (JSON) or rows (CSV).

use std::io::{self, Write};

use super::analyze::{row, write_object};
use super::csv_io;
use super::markup::{interval, percent, points, settings_line, width, write_columns, write_row};
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
    text.push_str(match mark(report, v) {
        Mark::Restricted => " R",
        Mark::Possibly => " R?",
        Mark::None => "",
    });
    text
}

/// How a cell marks its entity.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    Restricted,
    Possibly,
    None,
}

fn mark(report: &Report, v: u32) -> Mark {
    if report.is_restricted(v) {
        Mark::Restricted
    } else if report.is_possibly_restricted(v) {
        Mark::Possibly
    } else {
        Mark::None
    }
}

/// The cells of the side-by-side table: each row's in the first
/// scenario, and only those of the other scenarios that read otherwise
/// than the first's with no change. A scenario at the core of a large
/// graph moves the numbers of most rows, but the cells of few: the table
/// holds those, not a string per row and scenario.
struct Cells {
    /// Each row's cell in the first scenario, and its entity's mark there
    /// (`None`: the first lacks the entity), by the row's place in the
    /// first's entity order (`at`).
    first: Vec<String>,
    first_mark: Vec<Option<Mark>>,
    /// The place of each row in that order.
    at: Vec<u32>,
    /// The other cells: row, scenario (after the first), cell and change.
    other: Vec<(u32, u32, Box<str>, Box<str>)>,
}

impl Cells {
    /// The cells of `side`'s rows in each of `count` scenarios, and the
    /// lines of whom each restricts that the first does not, or no longer.
    fn of<'a>(
        scenarios: &(impl EachScenario<'a> + ?Sized),
        side: &SideBySide,
        count: usize,
    ) -> io::Result<(Cells, Vec<String>)> {
        // The rows by their entity in the first scenario, so that each
        // scenario's numbers are read in the order they lie in memory (a
        // scenario shares the first's entities, and only appends its own).
        let rows = side.ids.len();
        let mut order: Vec<u32> = (0..rows as u32).collect();
        order.sort_by_key(|&row| side.row_entity(0, row as usize).unwrap_or(u32::MAX));
        let mut at = vec![0u32; rows];
        for (place, &row) in order.iter().enumerate() {
            at[row as usize] = place as u32;
        }
        let at_first: Vec<Option<u32>> = order
            .iter()
            .map(|&row| side.row_entity(0, row as usize))
            .collect();
        let mut cells = Cells {
            first: Vec::with_capacity(rows),
            first_mark: Vec::with_capacity(rows),
            at,
            other: Vec::new(),
        };
        let mut restricts: Vec<String> = Vec::new();
        for k in 0..count {
            let same = side.same_model(0, k);
            scenarios.with(k, &mut |s| {
                let o = s.report.outcome;
                for (place, (&row, &u)) in order.iter().zip(&at_first).enumerate() {
                    let v = match same {
                        true => u,
                        false => side.row_entity(k, row as usize),
                    };
                    if k == 0 {
                        cells
                            .first
                            .push(v.map_or("—".to_string(), |v| cell(&s.report, v)));
                        cells.first_mark.push(v.map(|v| mark(&s.report, v)));
                        continue;
                    }
                    let base = u.map(|u| side.first[u as usize]);
                    let now = v.map(|v| (o.total[v as usize], o.upper[v as usize]));
                    let (text, moved) = match (v, base, now) {
                        // The first's numbers and mark, bit for bit: its cell.
                        (Some(v), Some(b), Some(n))
                            if b.0.to_bits() == n.0.to_bits()
                                && b.1.to_bits() == n.1.to_bits()
                                && cells.first_mark[place] == Some(mark(&s.report, v)) =>
                        {
                            continue
                        }
                        (Some(v), Some(b), Some(n)) => {
                            // A cell reads as the first's only with the same
                            // percents and mark, and then its change is "0".
                            let text = cell(&s.report, v);
                            if text == cells.first[place] {
                                continue;
                            }
                            (text, change(n, b))
                        }
                        (v, _, _) => (
                            v.map_or("—".to_string(), |v| cell(&s.report, v)),
                            "—".to_string(),
                        ),
                    };
                    cells.other.push((row, k as u32, text.into(), moved.into()));
                }
                if k > 0 {
                    restricts.extend(restriction_changes(side, k, s));
                }
                Ok(())
            })?;
        }
        Ok((cells, restricts))
    }

    /// Writes the rows (`names`, then each of `count` scenarios' cell and,
    /// after the first, its change) under `header`, as [`write_columns`]
    /// would, a row at a time.
    fn write(
        mut self,
        out: &mut dyn Write,
        header: &[String],
        names: &[String],
        count: usize,
    ) -> io::Result<()> {
        self.other.sort_unstable_by_key(|&(row, k, ..)| (row, k));
        // The widths: of the column of scenario `k`'s cells (`1` for the
        // first, `2k` after it) and of its changes (`2k + 1`).
        let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
        let mut other = self.other.iter().peekable();
        for (row, name) in names.iter().enumerate() {
            let first = width(&self.first[self.at[row] as usize]);
            widths[0] = widths[0].max(width(name));
            widths[1] = widths[1].max(first);
            for k in 1..count {
                let (text, moved) =
                    match other.next_if(|o| (o.0 as usize, o.1 as usize) == (row, k)) {
                        Some((_, _, text, moved)) => (width(text), width(moved)),
                        None => (first, NO_CHANGE.len()),
                    };
                widths[2 * k] = widths[2 * k].max(text);
                widths[2 * k + 1] = widths[2 * k + 1].max(moved);
            }
        }
        let left = |c: usize| c == 0;
        write_row(out, &widths, left, header.iter().map(String::as_str))?;
        let mut other = self.other.iter().peekable();
        let mut line: Vec<&str> = Vec::with_capacity(2 * count);
        for (row, name) in names.iter().enumerate() {
            let first = &self.first[self.at[row] as usize];
            line.clear();
            line.push(name);
            line.push(first);
            for k in 1..count {
                match other.next_if(|o| (o.0 as usize, o.1 as usize) == (row, k)) {
                    Some((_, _, text, moved)) => {
                        line.push(text);
                        line.push(moved);
                    }
                    None => {
                        line.push(first);
                        line.push(NO_CHANGE);
                    }
                }
            }
            write_row(out, &widths, left, line.iter().copied())?;
        }
        Ok(())
    }
}

/// The change of a cell that reads as the first scenario's.
const NO_CHANGE: &str = "0";

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
    // restricts that the first does not, or no longer. Most cells read as
    // the first scenario's do, with no change: only the others are kept.
    let mut header = vec!["entity".to_string()];
    for i in 0..count {
        header.push(format!("[{}]", i + 1));
        if i > 0 {
            header.push(format!("change [{}]", i + 1));
        }
    }
    let rows = side.ids.len();
    let mut names: Vec<String> = Vec::with_capacity(rows);
    for (row, &id) in side.ids.iter().enumerate() {
        let name =
            (0..count).find_map(|k| side.row_entity(k, row).map(|v| scenarios.model(k).name(v)));
        names.push(format!("{} ({id})", name.unwrap_or(id)));
    }
    let (cells, restricts) = Cells::of(scenarios, &side, count)?;
    cells.write(out, &header, &names, count)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Settings;
    use crate::graph::Net;
    use crate::report::Selection;
    use crate::scenario::{self, tests::random_graph, tests::random_scenario, WhatIfFlags};

    /// The side-by-side table written the plain way: every cell of every
    /// row and scenario as a string, then aligned.
    fn dense(scenarios: &[Named], all: bool, top: Option<usize>) -> String {
        let count = scenarios.len();
        let mut side = SideBySide::new(scenarios.iter().map(|s| s.report.model), all);
        for (k, s) in scenarios.iter().enumerate() {
            side.add(k, s.report.outcome);
        }
        side.choose(top);
        let mut lines = vec![vec!["entity".to_string()]];
        for k in 0..count {
            lines[0].push(format!("[{}]", k + 1));
            if k > 0 {
                lines[0].push(format!("change [{}]", k + 1));
            }
        }
        for (row, &id) in side.ids.iter().enumerate() {
            let name = (0..count).find_map(|k| {
                side.row_entity(k, row)
                    .map(|v| scenarios[k].report.model.name(v))
            });
            let mut line = vec![format!("{} ({id})", name.unwrap_or(id))];
            for (k, s) in scenarios.iter().enumerate() {
                let (o, v) = (s.report.outcome, side.row_entity(k, row));
                line.push(v.map_or("—".to_string(), |v| cell(&s.report, v)));
                if k > 0 {
                    let base = side.row_entity(0, row).map(|u| side.first[u as usize]);
                    let now = v.map(|v| (o.total[v as usize], o.upper[v as usize]));
                    line.push(match (base, now) {
                        (Some(b), Some(now)) => change(now, b),
                        _ => "—".to_string(),
                    });
                }
            }
            lines.push(line);
        }
        let mut out = Vec::new();
        write_columns(&mut out, &lines, |c| c == 0).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_table_keeps_only_the_cells_that_read_otherwise_and_writes_every_one() {
        // (cells kept, cells in all, tables with a row some scenario lacks)
        let (mut kept, mut cells, mut lacking) = (0, 0, 0);
        for seed in 0..80u64 {
            let model = crate::load::from_json(random_graph(seed).as_bytes()).unwrap();
            let net = Net::build(&model);
            let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            let mut next = |n: u64| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state % n.max(1)
            };
            let (cli, extra) = (Settings::default(), WhatIfFlags::default());
            let mut evaluated = Vec::new();
            for i in 0..2 + next(4) as usize {
                let s = random_scenario(&model, &mut next);
                if let Ok(applied) = scenario::apply(&model, &net, i, &s, &cli, &extra) {
                    let outcome = applied.evaluate(&net);
                    evaluated.push((applied, outcome));
                }
            }
            if evaluated.len() < 2 {
                continue;
            }
            let named: Vec<Named> = evaluated
                .iter()
                .map(|(applied, outcome)| Named {
                    name: "s",
                    report: Report::new(
                        &applied.model,
                        outcome,
                        &applied.opts,
                        Selection::default(),
                    ),
                })
                .collect();
            let (all, top) = (
                [false, true][seed as usize % 2],
                [None, Some(3)][seed as usize / 2 % 2],
            );
            let mut side = SideBySide::new(named.iter().map(|s| s.report.model), all);
            for (k, s) in named.iter().enumerate() {
                side.add(k, s.report.outcome);
            }
            side.choose(top);
            let (c, _) = Cells::of(named.as_slice(), &side, named.len()).unwrap();
            kept += c.other.len();
            cells += side.ids.len() * (named.len() - 1);
            lacking += (0..side.ids.len())
                .any(|row| (0..named.len()).any(|k| side.row_entity(k, row).is_none()))
                as usize;

            let mut out = Vec::new();
            write_table(named.as_slice(), all, top, &mut out).unwrap();
            let table = String::from_utf8(out).unwrap();
            let expected = dense(&named, all, top);
            assert!(
                table.contains(&expected),
                "seed {seed}:\n{table}\nexpected rows:\n{expected}"
            );
        }
        // Many cells are kept and many are not; some rows are missing
        // from a scenario (an entity it added).
        assert!(kept > 100 && cells - kept > 100, "{kept} of {cells}");
        assert!(lacking > 3, "{lacking}");
    }
}
