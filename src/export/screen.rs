//! Writers of a screening: the CLI spec's JSON object (one match per
//! line), CSV with one row per candidate, and a table for people. Writers
//! only format; candidates and their order come from `screen::screen`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Number;

use super::{csv_io, json_io, number};
use crate::model::Model;
use crate::screen::csl::{List, RowNote};
use crate::screen::{Candidate, CountryEvidence};

/// A screening, ready to write.
pub struct Screening<'a> {
    pub model: &'a Model,
    pub list: &'a List,
    pub min_score: f64,
    pub floor: f64,
    pub candidates: &'a [Candidate],
}

#[derive(Serialize)]
struct Note<'a> {
    row: usize,
    reason: &'a str,
}

fn notes(n: &[RowNote]) -> Vec<Note<'_>> {
    n.iter()
        .map(|r| Note {
            row: r.row,
            reason: &r.reason,
        })
        .collect()
}

/// One match with the spec's field names, then ours.
#[derive(Serialize)]
struct Match<'a> {
    entity: &'a str,
    entity_name: &'a str,
    list_name: &'a str,
    matched: String,
    score: Number,
    accepted: bool,
    source: &'a str,
    start_date: Option<String>,
    federal_register_notice: Option<&'a str>,
    source_code: &'a str,
    effective_date: Option<String>,
    row: usize,
    review: bool,
    country: &'static str,
    reason: String,
}

fn country(c: CountryEvidence) -> &'static str {
    match c {
        CountryEvidence::Same => "same",
        CountryEvidence::Conflict => "conflict",
        CountryEvidence::Unknown => "unknown",
    }
}

impl<'a> Screening<'a> {
    fn row(&self, c: &'a Candidate) -> Match<'a> {
        let e = &self.list.entries[c.entry];
        Match {
            entity: self.model.id(c.entity),
            entity_name: self.model.name(c.entity),
            list_name: &e.name,
            matched: c.matched(),
            score: number(c.score),
            accepted: c.accepted,
            source: &e.source,
            start_date: e.start_date.map(|d| d.to_string()),
            federal_register_notice: e.federal_register_notice.as_deref(),
            source_code: &e.code,
            effective_date: e.ids_date.map(|d| d.to_string()),
            row: e.row,
            review: !c.accepted,
            country: country(c.country),
            reason: c.reason(self.list),
        }
    }

    fn accepted(&self) -> usize {
        self.candidates.iter().filter(|c| c.accepted).count()
    }
}

/// The JSON object: counts and notes on the first lines, one match per line.
pub fn write_json(s: &Screening, out: &mut dyn Write) -> io::Result<()> {
    write!(out, "{{\"list_rows\":{},\n\"skipped_rows\":", s.list.rows)?;
    serde_json::to_writer(&mut *out, &notes(&s.list.skipped)).map_err(json_io)?;
    out.write_all(b",\n\"warnings\":")?;
    serde_json::to_writer(&mut *out, &notes(&s.list.warnings)).map_err(json_io)?;
    write!(
        out,
        ",\n\"loaded_rows\":{},\n\"min_score\":{},\n\"review_floor\":{},\n\"matches\":[",
        s.list.entries.len(),
        number(s.min_score),
        number(s.floor.min(s.min_score))
    )?;
    for (i, c) in s.candidates.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &s.row(c)).map_err(json_io)?;
    }
    out.write_all(b"\n]}\n")
}

/// CSV: one header row, one row per candidate, in the JSON's order.
pub fn write_csv(s: &Screening, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record([
        "entity",
        "entity_name",
        "list_name",
        "matched",
        "score",
        "accepted",
        "source",
        "start_date",
        "federal_register_notice",
        "source_code",
        "effective_date",
        "row",
        "review",
        "country",
        "reason",
    ])
    .map_err(csv_io)?;
    for c in s.candidates {
        let m = s.row(c);
        let t = super::text_cell;
        w.write_record([
            &*t(m.entity),
            &*t(m.entity_name),
            &*t(m.list_name),
            &*t(&m.matched),
            &m.score.to_string(),
            if m.accepted { "true" } else { "false" },
            &*t(m.source),
            m.start_date.as_deref().unwrap_or(""),
            &*t(m.federal_register_notice.unwrap_or("")),
            &*t(m.source_code),
            m.effective_date.as_deref().unwrap_or(""),
            &m.row.to_string(),
            if m.review { "true" } else { "false" },
            m.country,
            &*t(&m.reason),
        ])
        .map_err(csv_io)?;
    }
    w.flush()
}

/// A table for people: a summary line, then one block per candidate.
pub fn write_table(s: &Screening, out: &mut dyn Write) -> io::Result<()> {
    let l = s.list;
    writeln!(
        out,
        "{} list rows, {} loaded, {} skipped; {} candidates, {} accepted at min score {} (review from {})",
        l.rows,
        l.entries.len(),
        l.skipped.len(),
        s.candidates.len(),
        s.accepted(),
        s.min_score,
        s.floor.min(s.min_score)
    )?;
    for n in &l.skipped {
        writeln!(out, "skipped row {}: {}", n.row, n.reason)?;
    }
    for n in &l.warnings {
        writeln!(out, "note: row {}: {}", n.row, n.reason)?;
    }
    if s.candidates.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<6} {:<7} {:<22} {:<6} list name",
        "score", "", "entity", "list"
    )?;
    for c in s.candidates {
        let e = &l.entries[c.entry];
        let verdict = if c.accepted { "ACCEPT" } else { "review" };
        writeln!(
            out,
            "{:<6.3} {:<7} {:<22} {:<6} {}",
            c.score,
            verdict,
            s.model.id(c.entity),
            e.code,
            e.name
        )?;
        writeln!(
            out,
            "{:<37}{}  (row {}; {})",
            "",
            c.matched(),
            e.row,
            c.reason(l)
        )?;
    }
    Ok(())
}
