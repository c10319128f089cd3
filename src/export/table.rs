//! `--format table`: the report for people. Percentages with sensible
//! precision, money in the graph's currency with thousands separators, the
//! interval `x – X` where the bounds differ, and restricted entities marked.

use std::io::{self, Write};

use super::markup::{clip, interval, money, percent, settings_line, write_columns};
use crate::analysis::Via;
use crate::report::Report;

/// Writes the table. With `all`, every row is a line of the table.
pub fn write(
    report: &Report,
    list_names: &[String],
    all: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
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
    // Restricted entities that sell nothing onward to restricted buyers
    // would fill the table with zeros: they are named in one line below.
    let quiet = |v: u32| !all && report.is_restricted(v) && o.upper[v as usize] == 0.0;
    let mut lines: Vec<Vec<String>> = vec![header.to_vec()];
    for &v in report.rows.iter().filter(|&&v| !quiet(v)) {
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
        .rows
        .iter()
        .filter(|&&v| quiet(v))
        .map(|&v| model.id(v))
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
