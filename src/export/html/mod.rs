//! The committee report: one self-contained HTML page (styles inline, no
//! fonts, scripts or images fetched; a Content-Security-Policy that forbids
//! every request) with the settings, the portfolio, the ranked entities
//! with lower–upper bars, the paths behind the top entities' bounds, the
//! diagram, the timeline chart and the scenarios side by side.
//!
//! **Invariant:** every user string reaches the page through [`esc`] (text
//! and attribute values) or [`source`] (which links only http(s) URLs);
//! SVG drawn by Graphviz or plotters is taken only through [`clean_svg`],
//! which drops comments and refuses any script, foreign content, event
//! attribute or link. The same input gives the same bytes: nothing of the
//! run (time, host, path of the output) is written.

use std::fmt::Write as _;
use std::io::{self, Write};

mod safe;

pub use safe::{clean_svg, esc, source};

use super::markup::{as_of, bounds, interval, money, percent, points, rules_line};
use crate::analysis::paths::Paths;
use crate::analysis::{Outcome, Via};
use crate::graph::Net;
use crate::model::{EntityIx, Model};
use crate::portfolio::Figures;
use crate::report::Report;

/// The paths behind one top entity's two bounds.
pub struct Explained {
    pub entity: EntityIx,
    /// The paths behind x.
    pub lower: Paths,
    /// The paths behind X (the page's `worst` gives each edge's share).
    pub upper: Paths,
}

/// What stands in the diagram's place.
pub enum Drawing {
    /// SVG text from Graphviz (cleaned when written).
    Svg(String),
    /// Why there is no diagram, for the reader.
    Note(String),
}

/// One scenario's column.
pub struct ScenarioColumn<'a> {
    pub name: &'a str,
    pub model: &'a Model,
    pub outcome: &'a Outcome,
    /// Its settings, as a line.
    pub settings: String,
    pub portfolio: Option<Figures>,
}

/// Everything the page shows, computed by the caller.
pub struct Page<'a> {
    pub report: &'a Report<'a>,
    pub net: &'a Net,
    /// The graph, as named on the command line (or the built-in one).
    pub graph_name: &'a str,
    /// The what-if flags as given (`--list megvii`).
    pub what_ifs: Vec<String>,
    /// Ranked rows shown at most.
    pub rows_max: usize,
    pub explained: Vec<Explained>,
    /// Per supplies edge, the share the worst case behind X gives it beyond
    /// its lower bound (one for all the explained entities).
    pub worst: Vec<f64>,
    pub diagram: Drawing,
    /// The timeline chart (SVG), or why there is none.
    pub chart: Drawing,
    pub scenarios: Vec<ScenarioColumn<'a>>,
}

/// The page's styles (screen and print), inline in its `<style>`.
const STYLE: &str = include_str!("style.css");

/// A lower–upper bar: the solid part up to x, the hatched part up to X.
fn bar(x: f64, up: f64) -> String {
    let pct = |v: f64| (v.clamp(0.0, 1.0) * 100.0 * 10.0).round() / 10.0;
    let (lo, hi) = (pct(x), pct(up.max(x)));
    format!(
        "<div class=\"bar\" role=\"img\" aria-label=\"{} to {}\"><span class=\"lo\" style=\"width:{lo}%\"></span><span class=\"hi\" style=\"left:{lo}%;width:{}%\"></span></div>",
        esc(&percent(x)),
        esc(&percent(up)),
        ((hi - lo) * 10.0).round() / 10.0
    )
}

fn tag(via: Via) -> &'static str {
    match via {
        Via::PossibleAffiliate => "<span class=\"tag maybe\">possibly restricted</span>",
        _ => "<span class=\"tag\">restricted</span>",
    }
}

/// `Name (id)`, escaped.
fn who(model: &Model, v: EntityIx) -> String {
    format!(
        "{} <span class=\"id\">({})</span>",
        esc(model.name(v)),
        esc(model.id(v))
    )
}

/// Writes the page.
pub fn write_html(page: &Page, out: &mut dyn Write) -> io::Result<()> {
    let mut h = String::new();
    render(page, &mut h).map_err(io::Error::other)?;
    out.write_all(h.as_bytes())
}

fn render(p: &Page, h: &mut String) -> std::fmt::Result {
    let report = p.report;
    let model = report.model;
    let o = report.outcome;
    let s = &report.settings;
    let list_names = &o.restricted.list_names;
    let date = as_of(s);
    let title = model
        .meta
        .title
        .clone()
        .unwrap_or_else(|| "Exposure to restricted buyers".into());

    writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        h,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    )?;
    writeln!(
        h,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        h,
        "<title>Exposure report · {} · {}</title>",
        esc(&title),
        esc(&date)
    )?;
    writeln!(h, "<style>{STYLE}</style>\n</head>\n<body>\n<main>")?;

    // Header and settings.
    writeln!(h, "<header>\n<h1>Exposure to restricted buyers</h1>")?;
    writeln!(
        h,
        "<p class=\"sub\">{} · as of {}</p>",
        esc(&title),
        esc(&date)
    )?;
    writeln!(h, "<dl class=\"settings\">")?;
    writeln!(h, "<dt>as of</dt><dd>{}</dd>", esc(&date))?;
    writeln!(
        h,
        "<dt>rules</dt><dd>{}</dd>",
        esc(&rules_line(s, list_names))
    )?;
    let what_ifs = if p.what_ifs.is_empty() {
        "none".to_string()
    } else {
        p.what_ifs.join(" · ")
    };
    writeln!(h, "<dt>what-ifs</dt><dd>{}</dd>", esc(&what_ifs))?;
    writeln!(h, "<dt>graph</dt><dd>{}</dd>", esc(p.graph_name))?;
    if let Some(f) = &report.portfolio {
        writeln!(h, "<dt>portfolio</dt><dd>{}</dd>", esc(&f.origin))?;
    }
    writeln!(h, "</dl>\n</header>")?;

    // The portfolio.
    if let Some(f) = &report.portfolio {
        portfolio(f, model, h)?;
    }

    // The ranking.
    ranking(p, h)?;

    // The paths behind the top entities.
    if !p.explained.is_empty() {
        writeln!(
            h,
            "<section class=\"explained\" id=\"paths\">\n<h2>Where the exposure comes from</h2>"
        )?;
        writeln!(
            h,
            "<p class=\"note\">For each entity, the chains of sales that make up its lower bound (known shares only) and its upper bound (the worst case the unknown shares allow). A path's weight is the product of the shares along it.</p>"
        )?;
        for e in &p.explained {
            explained(p, e, h)?;
        }
        writeln!(h, "</section>")?;
    }

    // The diagram.
    writeln!(
        h,
        "<section class=\"diagram\" id=\"diagram\">\n<h2>Diagram</h2>"
    )?;
    match &p.diagram {
        Drawing::Svg(svg) => match clean_svg(svg) {
            Some(svg) => {
                writeln!(h, "<figure>{svg}<figcaption>The entities on the paths above and their relationships. Restricted entities in red; the others filled by their lower bound.</figcaption></figure>")?;
            }
            None => writeln!(
                h,
                "<p class=\"note\">The diagram was left out: Graphviz's output held markup that this page does not include (a script, a link or an event attribute).</p>"
            )?,
        },
        Drawing::Note(note) => writeln!(h, "<p class=\"note\">{}</p>", esc(note))?,
    }
    writeln!(h, "</section>")?;

    // The timeline.
    writeln!(
        h,
        "<section class=\"timeline\" id=\"timeline\">\n<h2>Over time</h2>"
    )?;
    match &p.chart {
        Drawing::Svg(svg) => match clean_svg(svg) {
            Some(svg) => writeln!(h, "<figure>{svg}</figure>")?,
            None => writeln!(h, "<p class=\"note\">The chart was left out.</p>")?,
        },
        Drawing::Note(note) => writeln!(h, "<p class=\"note\">{}</p>", esc(note))?,
    }
    writeln!(h, "</section>")?;

    if !p.scenarios.is_empty() {
        scenarios(p, h)?;
    }

    writeln!(
        h,
        "<footer><p><b>How to read this report.</b> Exposure is the share of an entity's revenue that ends at restricted buyers, directly or through its customers' sales. The lower bound counts only what is known; the upper bound is what the unknown sizes of sales could make it. A portfolio's figure weighs each holding's exposure by its weight (weights normalised to sum to 1).</p>"
    )?;
    writeln!(
        h,
        "<p>Computed by exposure {} from {} as of {}.</p></footer>",
        env!("CARGO_PKG_VERSION"),
        esc(p.graph_name),
        esc(&date)
    )?;
    writeln!(h, "</main>\n</body>\n</html>")
}

fn portfolio(f: &Figures, model: &Model, h: &mut String) -> std::fmt::Result {
    writeln!(
        h,
        "<section class=\"portfolio\" id=\"portfolio\">\n<h2>Portfolio</h2>"
    )?;
    writeln!(
        h,
        "<div class=\"figure\"><div class=\"big\" id=\"portfolio-figure\">{}</div><div>of the holdings' revenue, weighted, ends at restricted buyers<br><span class=\"note\">lower – upper bound · {} holdings · weights total {}</span></div></div>",
        esc(&interval(percent(f.total), percent(f.upper))),
        f.holdings,
        esc(&money(f.weight_total))
    )?;
    writeln!(h, "{}", bar(f.total, f.upper))?;
    for r in &f.restricted {
        let lists = if r.lists.is_empty() {
            String::new()
        } else {
            format!(" on {}", esc(&r.lists.join(", ")))
        };
        let what = match r.via {
            Via::PossibleAffiliate => {
                "possibly restricted (a stake of unknown size could reach the affiliates threshold)"
            }
            _ => "itself restricted",
        };
        writeln!(
            h,
            "<p class=\"alert\">Holding {} is {what}{lists}: holding it is a risk of its own.</p>",
            who(model, r.entity)
        )?;
    }
    writeln!(h, "<table class=\"holdings\">\n<thead><tr><th>holding</th><th>ticker</th><th class=\"n\">weight</th><th class=\"n\">exposure</th><th class=\"n\">contribution</th><th>lower – upper</th></tr></thead>\n<tbody>")?;
    for c in &f.contributions {
        let ticker = model.entities[c.entity as usize]
            .ticker
            .map(|t| esc(model.str(t)))
            .unwrap_or_default();
        let flag = f
            .restricted
            .iter()
            .find(|r| r.entity == c.entity)
            .map(|r| format!(" {}", tag(r.via)))
            .unwrap_or_default();
        writeln!(
            h,
            "<tr><td>{}{flag}</td><td>{ticker}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            who(model, c.entity),
            esc(&percent(c.weight)),
            esc(&interval(percent(c.total), percent(c.upper))),
            esc(&interval(percent(c.contribution), percent(c.contribution_upper))),
            bar(c.total, c.upper)
        )?;
    }
    writeln!(h, "</tbody></table>")?;
    writeln!(h, "<p class=\"note\">contribution: weight × exposure; the contributions add up to the portfolio's figure.</p>")?;
    writeln!(h, "</section>")
}

fn ranking(p: &Page, h: &mut String) -> std::fmt::Result {
    let report = p.report;
    let model = report.model;
    let o = report.outcome;
    let currency = model.meta.currency();
    writeln!(
        h,
        "<section class=\"ranking\" id=\"ranking\">\n<h2>Most exposed entities</h2>"
    )?;
    writeln!(h, "<div class=\"legend\"><span><i class=\"lo\"></i>lower bound: known shares</span><span><i class=\"hi\"></i>up to the upper bound: what unknown shares could add</span></div>")?;
    writeln!(h, "<table class=\"entities\">\n<thead><tr><th class=\"n\">#</th><th>entity</th><th>ticker</th><th class=\"n\">exposure</th><th>lower – upper</th><th class=\"n\">revenue at risk ({})</th><th class=\"n\">reach</th></tr></thead>\n<tbody>", esc(currency))?;
    // Restricted entities that sell nothing onward are left out.
    let shown = report.table_rows();
    for (k, &v) in shown.iter().take(p.rows_max).enumerate() {
        let i = v as usize;
        let flag = if report.is_restricted(v) {
            format!(" {}", tag(Via::Listing))
        } else if report.is_possibly_restricted(v) {
            format!(" {}", tag(Via::PossibleAffiliate))
        } else {
            String::new()
        };
        let ticker = model.entities[i]
            .ticker
            .map(|t| esc(model.str(t)))
            .unwrap_or_default();
        let risk = match (report.at_risk(v, o.total[i]), report.at_risk(v, o.upper[i])) {
            (Some(lo), Some(hi)) => interval(money(lo), money(hi)),
            _ => "revenue unknown".to_string(),
        };
        writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td>{}{flag}</td><td>{ticker}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            k + 1,
            who(model, v),
            esc(&interval(percent(o.total[i]), percent(o.upper[i]))),
            bar(o.total[i], o.upper[i]),
            esc(&risk),
            o.reach[i]
        )?;
    }
    writeln!(h, "</tbody></table>")?;
    if shown.len() > p.rows_max {
        writeln!(
            h,
            "<p class=\"note\">… and {} more entities with an upper bound above 0 (exposure analyze lists them all).</p>",
            shown.len() - p.rows_max
        )?;
    }
    if shown.is_empty() {
        writeln!(
            h,
            "<p class=\"note\">No entity sells to a restricted buyer.</p>"
        )?;
    }
    let restricted = o
        .restricted
        .members
        .iter()
        .filter(|m| m.1 != Via::PossibleAffiliate)
        .count();
    writeln!(
        h,
        "<p class=\"note\">{restricted} entities restricted under these settings; reach: the number of distinct restricted buyers an entity's sales reach.</p>"
    )?;
    writeln!(h, "</section>")
}

fn explained(p: &Page, e: &Explained, h: &mut String) -> std::fmt::Result {
    let model = p.report.model;
    let o = p.report.outcome;
    let v = e.entity as usize;
    writeln!(
        h,
        "<div class=\"entity\"><h3>{} · {}</h3>\n<div class=\"paths\">",
        who(model, e.entity),
        esc(&interval(percent(o.total[v]), percent(o.upper[v])))
    )?;
    for (label, found, worst) in [
        (
            format!("Behind the lower bound ({})", percent(o.total[v])),
            &e.lower,
            None,
        ),
        (
            format!(
                "Behind the upper bound ({}), worst case",
                percent(o.upper[v])
            ),
            &e.upper,
            Some(&p.worst),
        ),
    ] {
        writeln!(h, "<div><p><b>{}</b></p>", esc(&label))?;
        // A path of weight 0 explains nothing.
        let shown: Vec<_> = found.paths.iter().filter(|p| p.weight > 0.0).collect();
        if shown.is_empty() && found.truncated {
            writeln!(
                h,
                "<p class=\"note\">The search stopped after {} partial paths before it completed a path with a known share; such paths may exist.</p></div>",
                money(found.generated as f64)
            )?;
            continue;
        }
        if shown.is_empty() {
            writeln!(
                h,
                "<p class=\"note\">No path with a known share: this bound is 0.</p></div>"
            )?;
            continue;
        }
        writeln!(h, "<ol>")?;
        for path in shown.iter().copied() {
            let names: Vec<String> = path.entities.iter().map(|&u| esc(model.name(u))).collect();
            write!(
                h,
                "<li><span class=\"path\">{}</span> <span class=\"w\">{}</span>",
                names.join(" → "),
                esc(&percent(path.weight))
            )?;
            if !path.complete && worst.is_none() {
                write!(h, " <span class=\"note\">(at least)</span>")?;
            }
            // Each edge's share and source.
            let mut parts = Vec::new();
            for &edge in &path.edges {
                let r = &model.relationships[p.net.rel[edge] as usize];
                let share = match worst {
                    Some(t) if t[edge] > 0.0 => {
                        format!("{} + {} unsized", percent(p.net.lo[edge]), percent(t[edge]))
                    }
                    _ if p.net.exact[edge] => percent(p.net.lo[edge]),
                    _ => bounds(p.net.lo[edge], p.net.hi[edge]),
                };
                let src = r
                    .source
                    .map(|s| source(model.str(s)))
                    .unwrap_or_else(|| "no source given".into());
                parts.push(format!(
                    "{} → {}: {} · {src}",
                    esc(model.id(r.from)),
                    esc(model.id(r.to)),
                    esc(&share)
                ));
            }
            if let Some(&end) = path.entities.last() {
                let lists: Vec<&str> = o
                    .restricted
                    .members
                    .iter()
                    .filter(|m| m.0 == end)
                    .flat_map(|m| {
                        m.2.iter()
                            .map(|&l| o.restricted.list_names[l as usize].as_str())
                    })
                    .collect();
                if !lists.is_empty() {
                    parts.push(format!(
                        "{}: {}",
                        esc(model.id(end)),
                        esc(&lists.join(", "))
                    ));
                }
            }
            writeln!(h, "<div class=\"src\">{}</div></li>", parts.join("<br>"))?;
        }
        writeln!(h, "</ol>")?;
        if shown.len() > 1 {
            writeln!(
                h,
                "<p class=\"note\">The first {} paths, heaviest first.</p>",
                shown.len()
            )?;
        }
        writeln!(h, "</div>")?;
    }
    writeln!(h, "</div></div>")
}

fn scenarios(p: &Page, h: &mut String) -> std::fmt::Result {
    writeln!(
        h,
        "<section class=\"scenarios\" id=\"scenarios\">\n<h2>Scenarios side by side</h2>\n<ol>"
    )?;
    for s in &p.scenarios {
        writeln!(
            h,
            "<li><b>{}</b>: <span class=\"note\">{}</span></li>",
            esc(s.name),
            esc(&s.settings)
        )?;
    }
    writeln!(
        h,
        "</ol>\n<table class=\"scenarios\">\n<thead><tr><th></th>"
    )?;
    for (k, s) in p.scenarios.iter().enumerate() {
        write!(h, "<th class=\"n\">[{}] {}</th>", k + 1, esc(s.name))?;
    }
    writeln!(h, "</tr></thead>\n<tbody>")?;
    let first = &p.scenarios[0];
    if let Some(base) = &first.portfolio {
        write!(h, "<tr><td><b>portfolio</b></td>")?;
        for s in &p.scenarios {
            match &s.portfolio {
                Some(f) => {
                    let change = if std::ptr::eq(s, first) {
                        String::new()
                    } else {
                        let change = match points(f.total, base.total) {
                            p if p == "0" => "0 pp".to_string(),
                            p => p,
                        };
                        format!("<br><span class=\"note\">{}</span>", esc(&change))
                    };
                    write!(
                        h,
                        "<td class=\"n\"><b>{}</b>{change}</td>",
                        esc(&interval(percent(f.total), percent(f.upper)))
                    )?;
                }
                None => write!(h, "<td class=\"n\">—</td>")?,
            }
        }
        writeln!(h, "</tr>")?;
    }
    // The rows of the ranking, by id in each scenario.
    let report = p.report;
    let ids: Vec<&str> = report
        .table_rows()
        .into_iter()
        .take(p.rows_max.min(15))
        .map(|v| report.model.id(v))
        .collect();
    for id in ids {
        let mut base = None;
        write!(h, "<tr><td>{}</td>", esc(id))?;
        for s in &p.scenarios {
            match s.model.find(id) {
                Some(v) => {
                    let (x, up) = (s.outcome.total[v as usize], s.outcome.upper[v as usize]);
                    let change = match base {
                        None => {
                            base = Some(x);
                            String::new()
                        }
                        Some(b) => match points(x, b) {
                            p if p == "0" => String::new(),
                            p => format!("<br><span class=\"note\">{}</span>", esc(&p)),
                        },
                    };
                    let flag = if s.outcome.restricted.in_r[v as usize] {
                        " R"
                    } else {
                        ""
                    };
                    write!(
                        h,
                        "<td class=\"n\">{}{flag}{change}</td>",
                        esc(&interval(percent(x), percent(up)))
                    )?;
                }
                None => write!(h, "<td class=\"n\">—</td>")?,
            }
        }
        writeln!(h, "</tr>")?;
    }
    writeln!(h, "</tbody></table>\n<p class=\"note\">pp: change of the lower bound against the first scenario, in percentage points. R: restricted in that scenario.</p>\n</section>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_clamped() {
        let b = bar(0.15, 1.0);
        assert!(
            b.contains("width:15%") && b.contains("left:15%;width:85%"),
            "{b}"
        );
        assert!(bar(-1.0, 2.0).contains("width:0%"));
    }
}
