//! Writers of a [`Timeline`]: a table for people (one row per date, one
//! column per entity), JSON and CSV for scripts, and the event labels the
//! table and the chart share. Writers only format; dates, events and their
//! order come from the timeline.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Number;

use super::markup::{interval, percent, window_line, write_columns};
use super::number;
use crate::analysis::timeline::{Change, Event, Timeline};
use crate::analysis::Settings;
use crate::model::Model;

/// What started and ended on one date, for people: per list, `BIS Entity
/// List: huawei, hisilicon`, or `… ended: …`, groups joined by `; `. At
/// most `max_ids` ids per group, then `and N more`. Empty without events.
pub fn label(events: &[Event], model: &Model, list_names: &[String], max_ids: usize) -> String {
    let mut groups: Vec<String> = Vec::new();
    for group in events.chunk_by(|a, b| (a.change, a.list) == (b.change, b.list)) {
        let first = group[0];
        let list = list_names
            .get(first.list as usize)
            .map_or("?", String::as_str);
        let verb = match first.change {
            Change::Start => "",
            Change::End => " ended",
        };
        let ids: Vec<&str> = group
            .iter()
            .take(max_ids)
            .map(|e| model.id(e.entity))
            .collect();
        let more = group.len().saturating_sub(max_ids);
        let mut text = format!("{list}{verb}: {}", ids.join(", "));
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        groups.push(text);
    }
    groups.join("; ")
}

/// Writes the table: a row per date, a column per entity (`x` or `x – X`
/// as percents), and the listings that started or ended that day.
pub fn write_table(
    t: &Timeline,
    model: &Model,
    list_names: &[String],
    settings: &Settings,
    out: &mut dyn Write,
) -> io::Result<()> {
    if let Some(title) = &model.meta.title {
        writeln!(out, "{title}")?;
    }
    writeln!(out, "{}", window_line(t.from, t.to, settings, list_names))?;
    writeln!(out)?;

    let with_figure = t.points.iter().any(|p| p.figure.is_some());
    let columns = t.entities.len() + 2 + usize::from(with_figure);
    let mut header = vec!["date".to_string()];
    if with_figure {
        header.push("portfolio".to_string());
    }
    header.extend(t.entities.iter().map(|&v| model.id(v).to_string()));
    header.push("listings that start or end".to_string());
    let mut lines = vec![header];
    for p in &t.points {
        let mut line = vec![p.date.to_string()];
        if with_figure {
            line.push(
                p.figure
                    .map_or(String::new(), |(x, hi)| interval(percent(x), percent(hi))),
            );
        }
        for (x, hi) in p.total.iter().zip(&p.upper) {
            line.push(interval(percent(*x), percent(*hi)));
        }
        line.push(label(&p.events, model, list_names, 3));
        lines.push(line);
    }
    // The date and the events align left, numbers right.
    write_columns(out, &lines, |c| c == 0 || c == columns - 1)?;
    writeln!(out)?;
    if t.entities.is_empty() {
        writeln!(
            out,
            "(no entity outside the restricted set is exposed on {}; choose some with --entity)",
            t.to
        )?;
    }
    writeln!(
        out,
        "exposure on each date where a listing starts or ends, as lower – upper bound."
    )?;
    writeln!(
        out,
        "A listing is in effect from its start date and no longer on its end date."
    )?;
    Ok(())
}

#[derive(Serialize)]
struct JsonEvent<'a> {
    entity: &'a str,
    list: &'a str,
    change: &'static str,
}

#[derive(Serialize)]
struct JsonValue<'a> {
    id: &'a str,
    total: Number,
    upper: Number,
}

#[derive(Serialize)]
struct JsonFigure {
    total: Number,
    upper: Number,
}

#[derive(Serialize)]
struct JsonPoint<'a> {
    date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    portfolio: Option<JsonFigure>,
    events: Vec<JsonEvent<'a>>,
    values: Vec<JsonValue<'a>>,
}

/// Writes `{"from", "to", "entities", "points"}`, one point per line.
pub fn write_json(
    t: &Timeline,
    model: &Model,
    list_names: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    let ids: Vec<&str> = t.entities.iter().map(|&v| model.id(v)).collect();
    write!(
        out,
        "{{\"from\":{},\"to\":{},\"entities\":{},\"points\":[",
        text(&t.from.to_string())?,
        text(&t.to.to_string())?,
        text(&ids)?,
    )?;
    for (k, p) in t.points.iter().enumerate() {
        out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        let point = JsonPoint {
            date: p.date.to_string(),
            portfolio: p.figure.map(|(x, hi)| JsonFigure {
                total: number(x),
                upper: number(hi),
            }),
            events: p
                .events
                .iter()
                .map(|e| JsonEvent {
                    entity: model.id(e.entity),
                    list: list_names.get(e.list as usize).map_or("?", String::as_str),
                    change: e.change.as_str(),
                })
                .collect(),
            values: ids
                .iter()
                .zip(p.total.iter().zip(&p.upper))
                .map(|(id, (x, hi))| JsonValue {
                    id,
                    total: number(*x),
                    upper: number(*hi),
                })
                .collect(),
        };
        serde_json::to_writer(&mut *out, &point).map_err(io::Error::other)?;
    }
    out.write_all(if t.points.is_empty() {
        b"]}\n"
    } else {
        b"\n]}\n"
    })
}

/// Writes `date,id,total,upper`: one row per date and entity; with a
/// portfolio, each date starts with its row, whose `id` is empty.
pub fn write_csv(t: &Timeline, model: &Model, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(["date", "id", "total", "upper"])?;
    for p in &t.points {
        let date = p.date.to_string();
        if let Some((x, hi)) = p.figure {
            w.write_record([
                date.as_str(),
                "",
                &number(x).to_string(),
                &number(hi).to_string(),
            ])?;
        }
        for (k, &v) in t.entities.iter().enumerate() {
            w.write_record([
                date.as_str(),
                &super::text_cell(model.id(v)),
                &number(p.total[k]).to_string(),
                &number(p.upper[k]).to_string(),
            ])?;
        }
    }
    w.flush()
}

/// A value as JSON text, for the hand-framed object.
fn text<T: Serialize + ?Sized>(v: &T) -> io::Result<String> {
    serde_json::to_string(v).map_err(io::Error::other)
}
