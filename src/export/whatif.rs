//! `exposure whatif` output: scenarios side by side for people, and for
//! scripts every scenario's analyze object (JSON) or rows (CSV).

use std::collections::HashMap;
use std::io::{self, Write};

use super::analyze::{row, write_object};
use super::csv_io;
use super::markup::{
    interval, percent, points, settings_line, surely_alike, width, write_columns, write_row,
};

use crate::model::Model;
use crate::report::{Report, Row, SideBySide};

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

/// A cell: `x` or `x – X` of the numbers (x, X), marked when the entity
/// is restricted there.
fn cell(numbers: (f64, f64), mark: Mark) -> String {
    let mut text = interval(percent(numbers.0), percent(numbers.1));
    text.push_str(match mark {
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

impl Mark {
    fn of(report: &Report, v: u32) -> Mark {
        if report.is_restricted(v) {
            Mark::Restricted
        } else if report.is_possibly_restricted(v) {
            Mark::Possibly
        } else {
            Mark::None
        }
    }
}

/// The side-by-side table: per entity, each scenario's exposure and its
/// change against the first scenario, largest change first.
///
/// Taken in one scenario at a time, in file order, each as it is
/// evaluated ([`Table::add`]), and written once all are in
/// ([`Table::write`]), so that no scenario's numbers are held until then.
/// What it keeps of a scenario: its settings and portfolio lines, whom it
/// restricts that the first does not or no longer, and its cells that
/// read otherwise than the first scenario's with no change. A scenario at
/// the core of a large graph moves the numbers of most entities, but the
/// cells of few.
pub struct Table<'a> {
    side: SideBySide<'a>,
    title: Option<String>,
    settings: Vec<(String, String)>,
    portfolio: Option<(String, Vec<Vec<String>>)>,
    /// The first scenario's portfolio figures.
    base: Option<(f64, f64)>,
    /// The first scenario's marks, by its entity index.
    first_mark: Vec<Mark>,
    /// The cells kept: the entity's row, the scenario (after the first),
    /// the cell and its change.
    other: Vec<(Row, u32, Box<str>, Box<str>)>,
    restricts: Vec<String>,
}

impl<'a> Table<'a> {
    /// For scenarios of the graph `loaded` (`all`: a row for every
    /// entity).
    pub fn new(loaded: &'a Model, all: bool) -> Table<'a> {
        Table {
            side: SideBySide::new(loaded, all),
            title: None,
            settings: Vec::new(),
            portfolio: None,
            base: None,
            first_mark: Vec::new(),
            other: Vec::new(),
            restricts: Vec::new(),
        }
    }

    /// Takes in the next scenario.
    ///
    /// # Complexity
    /// O(entities), and two cells formatted for each entity whose numbers
    /// may not be shown as the first scenario's (`surely_alike`).
    pub fn add(&mut self, s: &Named) {
        let k = self.settings.len();
        let (o, model) = (s.report.outcome, s.report.model);
        let line = settings_line(&s.report.settings, &o.restricted.list_names);
        self.settings.push((s.name.to_string(), line));
        if let Some(f) = &s.report.portfolio {
            let (_, lines) = self.portfolio.get_or_insert_with(|| {
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
            let change = self
                .base
                .map_or(String::new(), |b| change((f.total, f.upper), b));
            if k == 0 {
                self.base = Some((f.total, f.upper));
            }
            let held: Vec<&str> = f.restricted.iter().map(|r| model.id(r.entity)).collect();
            lines.push(vec![
                format!("  [{}] {}", k + 1, s.name),
                super::portfolio::figure(f.total, f.upper),
                change,
                held.join(", "),
            ]);
        }
        self.side.add(model, o);
        let n = model.entities.len() as u32;
        if k == 0 {
            self.title = model.meta.title.clone();
            self.first_mark = (0..n).map(|v| Mark::of(&s.report, v)).collect();
            return;
        }
        let side = &self.side;
        for v in 0..n {
            let now = (o.total[v as usize], o.upper[v as usize]);
            let mark = Mark::of(&s.report, v);
            let (text, moved) = match side.at_first(k, v) {
                Some(u) => {
                    let (b, first) = (side.first[u as usize], self.first_mark[u as usize]);
                    // The first's mark and numbers shown alike: its cell
                    // (most often told without formatting either).
                    if first == mark && surely_alike(now.0, b.0) && surely_alike(now.1, b.1) {
                        continue;
                    }
                    // A cell reads as the first's only with the same
                    // percents and mark, and then its change is "0".
                    let text = cell(now, mark);
                    if text == cell(b, first) {
                        continue;
                    }
                    (text, change(now, b))
                }
                None => (cell(now, mark), "—".to_string()),
            };
            self.other
                .push((side.row_of(k, v), k as u32, text.into(), moved.into()));
        }
        let lines = restriction_changes(side, k, s);
        self.restricts.extend(lines);
    }

    /// Writes the table of the scenarios taken in, its first `top` rows.
    pub fn write(mut self, top: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
        let count = self.settings.len();
        if count == 0 {
            return Ok(());
        }
        if let Some(title) = &self.title {
            writeln!(out, "{title}: {count} scenarios")?;
        }
        let first = &self.settings[0].1;
        for (i, (name, line)) in self.settings.iter().enumerate() {
            let shown = if i > 0 && line == first {
                "settings as [1]"
            } else {
                line.as_str()
            };
            writeln!(out, "  [{}] {name}: {shown}", i + 1)?;
        }
        writeln!(out)?;
        if let Some((head, lines)) = &self.portfolio {
            writeln!(out, "{head}")?;
            write_columns(out, lines, |c| c == 0 || c == 3)?;
            writeln!(out)?;
        }

        self.side.choose(top);
        let side = &self.side;
        let mut header = vec!["entity".to_string()];
        for i in 0..count {
            header.push(format!("[{}]", i + 1));
            if i > 0 {
                header.push(format!("change [{}]", i + 1));
            }
        }
        // Each chosen row's place, by entity of the loaded graph or added.
        let (mut loaded, mut added) = (vec![u32::MAX; side.loaded()], HashMap::new());
        for (i, &row) in side.rows.iter().enumerate() {
            match row {
                Row::Loaded(v) => loaded[v as usize] = i as u32,
                Row::Added(a) => {
                    added.insert(a, i as u32);
                }
            }
        }
        let place = |row: Row| match row {
            Row::Loaded(v) => Some(loaded[v as usize]).filter(|&i| i != u32::MAX),
            Row::Added(a) => added.get(&a).copied(),
        };
        let mut other: Vec<(u32, u32, Box<str>, Box<str>)> = std::mem::take(&mut self.other)
            .into_iter()
            .filter_map(|(row, k, text, moved)| place(row).map(|i| (i, k, text, moved)))
            .collect();
        other.sort_unstable_by_key(|&(i, k, ..)| (i, k));
        let rows: Vec<Line> = side
            .rows
            .iter()
            .map(|&row| Line {
                name: format!("{} ({})", side.name(row), side.id(row)),
                first: side.first_of(row).map_or("—".to_string(), |u| {
                    cell(side.first[u as usize], self.first_mark[u as usize])
                }),
                lacks: (1..count).filter(|&k| !side.has(k, row)).collect(),
            })
            .collect();
        write_cells(out, &header, &rows, &other, count)?;
        if rows.is_empty() {
            writeln!(out, "(no entity is exposed in any scenario)")?;
        }
        for line in &self.restricts {
            writeln!(out, "{line}")?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "R: restricted, R?: possibly restricted. change: total against [1], in percentage points."
        )
    }
}

/// A row of the side-by-side table: its entity's name and id, its cell in
/// the first scenario, and the scenarios that lack its entity.
struct Line {
    name: String,
    first: String,
    lacks: Vec<usize>,
}

/// Writes `rows` under `header`, as [`write_columns`] would, a row at a
/// time: in each of `count` scenarios its cell and, after the first, its
/// change, from `other` (by row, then scenario) where it is there, "—" in
/// a scenario that lacks the entity, else the first's cell and no change.
fn write_cells(
    out: &mut dyn Write,
    header: &[String],
    rows: &[Line],
    other: &[(u32, u32, Box<str>, Box<str>)],
    count: usize,
) -> io::Result<()> {
    // Calls `f` with each row's cells.
    let each = |f: &mut dyn FnMut(&[&str]) -> io::Result<()>| -> io::Result<()> {
        let mut other = other.iter().peekable();
        let mut line: Vec<&str> = Vec::with_capacity(2 * count);
        for (i, row) in rows.iter().enumerate() {
            line.clear();
            line.push(&row.name);
            line.push(&row.first);
            for k in 1..count {
                match other.next_if(|o| (o.0 as usize, o.1 as usize) == (i, k)) {
                    Some((_, _, text, moved)) => {
                        line.push(text);
                        line.push(moved);
                    }
                    None if row.lacks.contains(&k) => {
                        line.push("—");
                        line.push("—");
                    }
                    None => {
                        line.push(&row.first);
                        line.push(NO_CHANGE);
                    }
                }
            }
            f(&line)?;
        }
        Ok(())
    };
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    each(&mut |line| {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(width(cell));
        }
        Ok(())
    })?;
    let left = |c: usize| c == 0;
    write_row(out, &widths, left, header.iter().map(String::as_str))?;
    each(&mut |line| write_row(out, &widths, left, line.iter().copied()))
}

/// The change of a cell that reads as the first scenario's.
const NO_CHANGE: &str = "0";

/// The side-by-side table of `scenarios` of the graph `loaded`, in order
/// ([`Table`]).
pub fn write_table(
    loaded: &Model,
    scenarios: &[Named],
    all: bool,
    top: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut table = Table::new(loaded, all);
    for s in scenarios {
        table.add(s);
    }
    table.write(top, out)
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
    let mut gained: Vec<&str> = Vec::new();
    let mut lost: Vec<&str> = Vec::new();
    for (v, &now) in in_r.iter().enumerate() {
        let before = side
            .at_first(k, v as u32)
            .is_some_and(|u| side.first_in_r[u as usize]);
        if now && !before {
            gained.push(s.report.model.id(v as u32));
        } else if before && !now {
            lost.push(s.report.model.id(v as u32));
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
    use crate::scenario::{self, tests::random_graph, tests::random_scenario, Change, WhatIfFlags};

    /// The rows of the side-by-side table written the plain way: each
    /// scenario's entities looked up by id, and every cell of every row
    /// and scenario made a string, then aligned.
    fn dense(scenarios: &[Named], all: bool, top: Option<usize>) -> String {
        let count = scenarios.len();
        let maps: Vec<HashMap<&str, u32>> = scenarios
            .iter()
            .map(|s| {
                let m = s.report.model;
                (0..m.entities.len() as u32).map(|v| (m.id(v), v)).collect()
            })
            .collect();
        let numbers = |k: usize, v: u32| {
            let o = scenarios[k].report.outcome;
            (o.total[v as usize], o.upper[v as usize])
        };
        let mut ids: Vec<&str> = Vec::new();
        for s in scenarios {
            let (m, o) = (s.report.model, s.report.outcome);
            let r = &o.restricted;
            ids.extend(
                (0..m.entities.len())
                    .filter(|&v| all || o.upper[v] > 0.0 || r.in_r_plus[v] && !r.in_r[v])
                    .map(|v| m.id(v as u32)),
            );
        }
        ids.sort_unstable();
        ids.dedup();
        let mut keyed: Vec<(f64, f64, &str)> = ids
            .into_iter()
            .map(|id| {
                let first = maps[0].get(id).map(|&u| numbers(0, u));
                let mut change = 0.0f64;
                for (k, map) in maps.iter().enumerate().skip(1) {
                    if let Some(&v) = map.get(id) {
                        let (x, up) = numbers(k, v);
                        let (x0, up0) = first.unwrap_or((0.0, 0.0));
                        change = change.max((x - x0).abs().max((up - up0).abs()));
                    }
                }
                (change, first.map_or(0.0, |f| f.0), id)
            })
            .collect();
        // Largest change first, then the first's x, then by id (numbers
        // that are not negative order as their bits).
        let key = |k: &(f64, f64, &str)| {
            (
                std::cmp::Reverse(k.0.to_bits()),
                std::cmp::Reverse(k.1.to_bits()),
            )
        };
        keyed.sort_by(|a, b| key(a).cmp(&key(b)).then(a.2.cmp(b.2)));
        keyed.truncate(top.unwrap_or(usize::MAX));
        let mut lines = vec![vec!["entity".to_string()]];
        for k in 0..count {
            lines[0].push(format!("[{}]", k + 1));
            if k > 0 {
                lines[0].push(format!("change [{}]", k + 1));
            }
        }
        for &(_, _, id) in &keyed {
            let name = (0..count)
                .find_map(|k| maps[k].get(id).map(|&v| scenarios[k].report.model.name(v)))
                .unwrap();
            let mut line = vec![format!("{name} ({id})")];
            let first = maps[0].get(id).map(|&u| numbers(0, u));
            for (k, s) in scenarios.iter().enumerate() {
                let v = maps[k].get(id).copied();
                line.push(v.map_or("—".to_string(), |v| {
                    cell(numbers(k, v), Mark::of(&s.report, v))
                }));
                if k > 0 {
                    line.push(match (first, v) {
                        (Some(b), Some(v)) => change(numbers(k, v), b),
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
        // (cells kept, cells of the scenarios after the first, tables
        // with a row some scenario lacks, tables with an added entity
        // whose upper bound is above its x)
        let (mut kept, mut cells, mut lacking, mut exposed_added) = (0, 0, 0, 0);
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
                let mut s = random_scenario(&model, &mut next);
                // An added entity sells to one of the graph's, so that its
                // numbers are not all 0.
                let added: Vec<String> = s
                    .changes
                    .iter()
                    .filter_map(|c| match c {
                        Change::AddEntity(e) => Some(e["id"].as_str()?.to_string()),
                        _ => None,
                    })
                    .collect();
                for id in added {
                    let to = model.id(next(model.entities.len() as u64) as u32);
                    s.changes.push(Change::AddRelationship(
                        serde_json::json!({"type": "supplies", "from": id, "to": to}),
                    ));
                }
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
            let mut table = Table::new(&model, all);
            for s in &named {
                table.add(s);
            }
            table.side.choose(top);
            let rows = &table.side.rows;
            kept += table.other.iter().filter(|o| rows.contains(&o.0)).count();
            exposed_added += named.iter().any(|n| {
                let (m, o) = (n.report.model, n.report.outcome);
                (model.entities.len()..m.entities.len()).any(|v| o.upper[v] > o.total[v])
            }) as usize;
            cells += rows.len() * (named.len() - 1);
            let expected = dense(&named, all, top);
            lacking += expected.contains('—') as usize;

            let mut out = Vec::new();
            table.write(top, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(
                text.contains(&expected),
                "seed {seed}:\n{text}\nexpected rows:\n{expected}"
            );
        }
        // Many cells are kept and many are not; some rows are missing
        // from a scenario (an entity it added).
        assert!(kept > 100 && cells > kept + 100, "{kept} of {cells}");
        assert!(lacking > 3, "{lacking}");
        // Some added entities are exposed, with an upper bound above x.
        assert!(exposed_added > 3, "{exposed_added}");
    }
}
