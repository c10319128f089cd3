//! The timeline as an SVG step chart, drawn with plotters: one panel per
//! entity on a shared date axis (the lower bound as a step line, the room up
//! to the upper bound as a band), and a dashed marker through every panel at
//! each date where a listing starts or ends, labelled above the panels.
//!
//! **Invariant:** the only module that knows plotters. The same timeline
//! gives the same bytes: no timestamps, no hash maps, fonts named, not read.

use std::io::{self, Write};

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::markup::{interval, percent, window_line};
use super::timeline::label;
use crate::analysis::timeline::Timeline;
use crate::analysis::Settings;
use crate::model::{Date, Model};

const WIDTH: u32 = 1000;
/// Left of the plots: the y labels.
const Y_LABELS: u32 = 50;
const MARGIN: u32 = 16;
const TITLE_H: i32 = 58;
const LEGEND_H: i32 = 26;
/// One line of the event labels above the panels.
const ROW_H: i32 = 17;
const PANEL_H: u32 = 104;
/// Below the last panel: the date labels.
const X_LABELS: u32 = 28;
/// Ids named per list in a marker's label.
const LABEL_IDS: usize = 5;
const FONT: &str = "sans-serif";

/// Category 10: distinct, and dark enough for text on white.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
const INK: RGBColor = RGBColor(40, 40, 40);
const MUTED: RGBColor = RGBColor(110, 110, 110);
const MARKER: RGBColor = RGBColor(150, 150, 150);
const GRID: RGBColor = RGBColor(228, 228, 228);

/// Writes the chart of `t` as one SVG document.
pub fn write_svg(
    t: &Timeline,
    model: &Model,
    list_names: &[String],
    settings: &Settings,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut svg = String::new();
    draw(t, model, list_names, settings, &mut svg)
        .map_err(|e| io::Error::other(format!("drawing the chart: {e}")))?;
    // Names go into the SVG as the graph has them; a character XML does
    // not allow (a control character, U+FFFE) would make it unreadable.
    out.write_all(super::xml_safe(&svg).as_bytes())?;
    out.write_all(b"\n")
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw(
    t: &Timeline,
    model: &Model,
    list_names: &[String],
    settings: &Settings,
    svg: &mut String,
) -> DrawResult {
    let marked: Vec<usize> = (0..t.points.len())
        .filter(|&i| !t.points[i].events.is_empty())
        .collect();
    let labels_h = ROW_H * marked.len() as i32 + if marked.is_empty() { 0 } else { 8 };
    let header_h = TITLE_H + LEGEND_H + labels_h;
    // One panel per series: the portfolio's figure first when there is
    // one, then each entity.
    let mut series: Vec<(String, Vec<f64>, Vec<f64>)> = Vec::new();
    if t.points.iter().all(|p| p.figure.is_some()) && !t.points.is_empty() {
        let (total, upper) = t
            .points
            .iter()
            .filter_map(|p| p.figure)
            .unzip::<f64, f64, Vec<f64>, Vec<f64>>();
        series.push(("Portfolio (weighted)".to_string(), total, upper));
    }
    for (k, &v) in t.entities.iter().enumerate() {
        series.push((
            format!("{} ({})", model.name(v), model.id(v)),
            t.points.iter().map(|p| p.total[k]).collect(),
            t.points.iter().map(|p| p.upper[k]).collect(),
        ));
    }
    let panels = series.len().max(1) as u32;
    let height = header_h as u32 + panels * PANEL_H + X_LABELS + MARGIN;

    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;

    // Title and settings.
    let title = match &model.meta.title {
        Some(title) => format!("Exposure over time · {title}"),
        None => "Exposure over time".to_string(),
    };
    root.draw(&Text::new(title, (MARGIN as i32, 12), text(17, &INK)))?;
    let sub = window_line(t.from, t.to, settings, list_names);
    root.draw(&Text::new(sub, (MARGIN as i32, 36), text(12, &MUTED)))?;

    // Legend: what the line, the band and the markers are.
    let y = TITLE_H + LEGEND_H / 2 - 4;
    let mut x = MARGIN as i32;
    let swatch = PALETTE[0];
    root.draw(&PathElement::new(
        vec![(x, y), (x + 24, y)],
        swatch.stroke_width(2),
    ))?;
    root.draw(&Text::new(
        "total (lower bound)",
        (x + 30, y - 7),
        text(12, &INK),
    ))?;
    x += 170;
    root.draw(&Rectangle::new(
        [(x, y - 6), (x + 24, y + 6)],
        swatch.mix(0.18).filled(),
    ))?;
    root.draw(&PathElement::new(
        vec![(x, y - 6), (x + 24, y - 6)],
        swatch.mix(0.6).stroke_width(1),
    ))?;
    root.draw(&Text::new(
        "up to the upper bound",
        (x + 30, y - 7),
        text(12, &INK),
    ))?;
    x += 190;
    dashed(&root, (x + 12, y - 8), y + 8)?;
    root.draw(&Text::new(
        "a listing starts or ends",
        (x + 24, y - 7),
        text(12, &INK),
    ))?;

    // The shared date axis: a little room either side, so that the first
    // and last steps are not on the frame.
    let (from, to) = (days(t.from), days(t.to));
    let span = (to - from) as f64;
    let (x0, x1) = (
        from as f64 - (span * 0.02).max(2.0),
        to as f64 + (span * 0.06).max(4.0),
    );
    let ticks = month_ticks(t.from, t.to, x0, x1);
    let xs: Vec<f64> = t.points.iter().map(|p| days(p.date) as f64).collect();

    // The panels, laid out first so that the markers can run through all
    // of them under the data.
    let mut areas = Vec::new();
    let mut rest = root
        .clone()
        .shrink((0, header_h as u32), (WIDTH, height - header_h as u32));
    for k in 0..panels {
        let (area, below) =
            rest.split_vertically(PANEL_H + if k + 1 == panels { X_LABELS } else { 0 });
        areas.push(area);
        rest = below;
    }
    let mut charts = Vec::new();
    for (k, area) in areas.iter().enumerate() {
        let last = k + 1 == areas.len();
        let chart = ChartBuilder::on(area)
            .margin_top(22)
            .margin_bottom(8)
            .margin_right(MARGIN)
            .margin_left(MARGIN)
            .y_label_area_size(Y_LABELS)
            .x_label_area_size(if last { X_LABELS } else { 0 })
            .build_cartesian_2d(x0..x1, -0.03f64..1.05f64)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        // The grid, the axes and their labels, at chosen values (plotters'
        // own key points would fall on arbitrary day numbers).
        for &tick in &ticks {
            let at = chart.backend_coord(&(tick, 0.0)).0;
            root.draw(&PathElement::new(
                vec![(at, py.start), (at, py.end)],
                GRID.stroke_width(1),
            ))?;
            if last {
                let style = text(11, &MUTED).pos(Pos::new(HPos::Center, VPos::Top));
                root.draw(&Text::new(
                    month_label(tick.round() as i64),
                    (at, py.end + 6),
                    style,
                ))?;
            }
        }
        for share in [0.0, 0.5, 1.0] {
            let at = chart.backend_coord(&(x0, share)).1;
            root.draw(&PathElement::new(
                vec![(px.start, at), (px.end, at)],
                GRID.stroke_width(1),
            ))?;
            let style = text(11, &MUTED).pos(Pos::new(HPos::Right, VPos::Center));
            root.draw(&Text::new(percent(share), (px.start - 6, at), style))?;
        }
        let axes = vec![(px.start, py.start), (px.start, py.end), (px.end, py.end)];
        root.draw(&PathElement::new(axes, MARKER.stroke_width(1)))?;
        charts.push(chart);
    }

    // The markers: a dot on each label's line, a dashed line down through
    // every panel.
    let row_y = |row: usize| TITLE_H + LEGEND_H + 4 + ROW_H * row as i32;
    let bottom = charts
        .last()
        .map_or(header_h, |c| c.plotting_area().get_pixel_range().1.end);
    let marker_xs: Vec<i32> = match charts.first() {
        Some(c) => marked
            .iter()
            .map(|&i| c.backend_coord(&(xs[i], 0.0)).0)
            .collect(),
        None => Vec::new(),
    };
    for (row, &mx) in marker_xs.iter().enumerate() {
        let y = row_y(row) + ROW_H / 2 - 1;
        root.draw(&Circle::new((mx, y), 3, INK.filled()))?;
        dashed(&root, (mx, y + 4), bottom)?;
    }

    // The data, and the names over everything.
    for (k, chart) in charts.iter_mut().enumerate() {
        let (px, py) = chart.plotting_area().get_pixel_range();
        let Some((name, total, upper)) = series.get(k) else {
            let note = format!(
                "no entity outside the restricted set is exposed on {}",
                t.to
            );
            root.draw(&Text::new(
                note,
                (px.start + 8, py.start + 8),
                text(12, &MUTED),
            ))?;
            continue;
        };
        let color = &PALETTE[k % PALETTE.len()];
        let low = steps(&xs, total, x1);
        let high = steps(&xs, upper, x1);
        if total != upper {
            let band: Vec<(f64, f64)> = low.iter().chain(high.iter().rev()).copied().collect();
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                color.mix(0.18).filled(),
            )))?;
            chart.draw_series(LineSeries::new(high, color.mix(0.6).stroke_width(1)))?;
        }
        chart.draw_series(LineSeries::new(low, color.stroke_width(2)))?;

        boxed(
            &root,
            name.clone(),
            (px.start, py.start - 19),
            text(13, color),
            13,
        )?;
        if let (Some(p), Some(x), Some(hi)) = (t.points.last(), total.last(), upper.last()) {
            let now = format!("{}: {}", p.date, interval(percent(*x), percent(*hi)));
            boxed(
                &root,
                now,
                (px.end, py.start - 17),
                text(11, &MUTED).pos(Pos::new(HPos::Right, VPos::Top)),
                11,
            )?;
        }
    }

    // Event labels, one line each, beside their dots: to the right, or to
    // the left where the right has no room.
    let right = (WIDTH - MARGIN) as i32;
    for (row, (&i, &mx)) in marked.iter().zip(&marker_xs).enumerate() {
        let p = &t.points[i];
        let words = format!(
            "{} {}",
            p.date,
            label(&p.events, model, list_names, LABEL_IDS)
        );
        let fits = mx + 8 + width(&words, 12) <= right;
        let (at, h) = if fits {
            (mx + 8, HPos::Left)
        } else {
            (mx - 8, HPos::Right)
        };
        boxed(
            &root,
            words,
            (at, row_y(row) + 1),
            text(12, &INK).pos(Pos::new(h, VPos::Top)),
            12,
        )?;
    }
    root.present()?;
    Ok(())
}

/// Text in the chart's font.
fn text<'a>(size: u32, color: &'a RGBColor) -> TextStyle<'a> {
    TextStyle::from((FONT, size).into_font()).color(color)
}

/// About how wide `text` is at `size` px: sans-serif glyphs average well
/// under 0.6 em, so this errs on the wide side.
fn width(text: &str, size: u32) -> i32 {
    (text.chars().count() as f64 * f64::from(size) * 0.6) as i32
}

/// Text on a white box, so that the marker lines it crosses stay out of
/// the way. `at` is the anchor of `style`'s horizontal position, top.
fn boxed(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    words: String,
    (x, y): (i32, i32),
    style: TextStyle,
    size: u32,
) -> DrawResult {
    let w = width(&words, size);
    let left = match style.pos.h_pos {
        HPos::Left => x,
        HPos::Center => x - w / 2,
        HPos::Right => x - w,
    };
    let h = size as i32 + 4;
    root.draw(&Rectangle::new(
        [(left - 3, y - 2), (left + w + 3, y + h - 2)],
        WHITE.filled(),
    ))?;
    root.draw(&Text::new(words, (x, y), style))?;
    Ok(())
}

/// A vertical dashed marker from `top` down to `bottom` (pixels).
fn dashed(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    (x, top): (i32, i32),
    bottom: i32,
) -> DrawResult {
    let mut y = top;
    while y < bottom {
        let end = (y + 4).min(bottom);
        root.draw(&PathElement::new(
            vec![(x, y), (x, end)],
            MARKER.stroke_width(1),
        ))?;
        y += 7;
    }
    Ok(())
}

/// A step function through `(xs[i], values[i])`, held to `end`.
fn steps(xs: &[f64], values: &[f64], end: f64) -> Vec<(f64, f64)> {
    let mut path = Vec::with_capacity(2 * xs.len());
    for (i, (&x, &v)) in xs.iter().zip(values).enumerate() {
        if i > 0 {
            path.push((x, values[i - 1]));
        }
        path.push((x, v));
    }
    if let Some(&v) = values.last() {
        path.push((end, v));
    }
    path
}

/// Tick positions on the first day of months inside `[x0, x1]`: every
/// month, or every quarter or year when months would crowd the axis.
fn month_ticks(from: Date, to: Date, x0: f64, x1: f64) -> Vec<f64> {
    let ((fy, fm, _), (ty, tm, _)) = (from.ymd(), to.ymd());
    let months = (ty as i64 * 12 + tm as i64) - (fy as i64 * 12 + fm as i64) + 1;
    let step = match months {
        ..=12 => 1,
        13..=36 => 3,
        37..=144 => 12,
        _ => 12 * (months / 120).max(1),
    };
    let mut ticks = Vec::new();
    let (mut y, mut m) = (fy as i64, fm as i64);
    for _ in 0..=months + 1 {
        if (y * 12 + m - 1) % step == 0 {
            let x = days_from_civil(y, m, 1) as f64;
            if (x0..=x1).contains(&x) {
                ticks.push(x);
            }
        }
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    ticks
}

/// A tick label: `Jun 2019` on the first of a month, else the date.
fn month_label(day: i64) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d) = civil_from_days(day);
    if d == 1 {
        format!("{} {y}", NAMES[(m - 1) as usize])
    } else {
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// Days since 1970-01-01.
fn days(date: Date) -> i64 {
    let (y, m, d) = date.ymd();
    days_from_civil(y as i64, m as i64, d as i64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_through_the_calendar() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days(Date::parse("2019-10-09").unwrap()), 18_178);
        for z in [-1000, 0, 59, 18_178, 19_782, 200_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(month_label(days_from_civil(2019, 6, 1)), "Jun 2019");
        assert_eq!(month_label(days_from_civil(2020, 2, 29)), "2020-02-29");
    }

    #[test]
    fn steps_hold_each_value_until_the_next_date() {
        let path = steps(&[0.0, 10.0], &[0.1, 0.5], 15.0);
        assert_eq!(path, [(0.0, 0.1), (10.0, 0.1), (10.0, 0.5), (15.0, 0.5)]);
    }

    #[test]
    fn ticks_fall_on_month_starts_inside_the_axis() {
        let (from, to) = (
            Date::parse("2019-05-16").unwrap(),
            Date::parse("2019-10-09").unwrap(),
        );
        let ticks = month_ticks(from, to, days(from) as f64, days(to) as f64);
        let shown: Vec<String> = ticks.iter().map(|&x| month_label(x as i64)).collect();
        assert_eq!(
            shown,
            ["Jun 2019", "Jul 2019", "Aug 2019", "Sep 2019", "Oct 2019"]
        );
    }
}
