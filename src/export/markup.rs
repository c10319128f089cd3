//! Formatting for people, shared by every writer: percentages, money (in
//! full and short), intervals and bounds, stakes, the settings, as-of and
//! timeline window lines, and columns aligned by display width. No writer
//! formats these itself; numbers for scripts go through `export::number`.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use crate::analysis::Settings;
use crate::model::Date;

/// A share as a percentage: one decimal from 1 %, two below, `<0.01%` for
/// the smallest non-zero values.
pub fn percent(v: f64) -> String {
    let p = v * 100.0;
    if p == 0.0 {
        "0%".into()
    } else if p >= 1.0 {
        format!("{p:.1}%")
    } else if p >= 0.01 {
        format!("{p:.2}%")
    } else {
        "<0.01%".into()
    }
}

/// Whether [`percent`] surely shows `a` and `b` alike, told without
/// formatting them: equal, both below 0.01 % (and not 0), or both in the same
/// range of decimals and rounding to the same last digit, each clear of
/// the half-way point (so that no rounding of `p · 10` or `p · 100` can
/// tip it). `false` says nothing: format them to know.
pub fn surely_alike(a: f64, b: f64) -> bool {
    if a == b {
        return true;
    }
    let (pa, pb) = (a * 100.0, b * 100.0);
    let tiny = |p: f64| p > 0.0 && p < 0.01;
    let scale = match (pa, pb) {
        _ if tiny(pa) && tiny(pb) => return true,
        _ if pa >= 1.0 && pb >= 1.0 => 10.0,
        _ if (0.01..1.0).contains(&pa) && (0.01..1.0).contains(&pb) => 100.0,
        _ => return false,
    };
    let (qa, qb) = (pa * scale, pb * scale);
    let (ma, mb) = (qa.round(), qb.round());
    // Far more than the rounding of the products (1e-13 at 100 %).
    const CLEAR: f64 = 0.5 - 1e-6;
    ma == mb && (qa - ma).abs() < CLEAR && (qb - mb).abs() < CLEAR
}

/// The change from `base` to `now` in percentage points, signed, worked
/// out from the two values as the table shows them (`percent`), so that
/// the columns agree: 15.8% then 13.0% is -2.8 pp, although the values
/// themselves (15.75%, 13.04%) differ by 2.71. Shown with as many decimals
/// as the finer of the two; "0" when both are shown alike.
pub fn points(now: f64, base: f64) -> String {
    let (a, b) = (percent(now), percent(base));
    if a == b {
        return "0".into();
    }
    let (x, dx) = shown(&a, now);
    let (y, dy) = shown(&b, base);
    let decimals = dx.max(dy).max(1);
    let d = x - y;
    let text = format!("{d:+.decimals$}");
    if text[1..].bytes().all(|c| c == b'0' || c == b'.') {
        // Two values under 0.01% apart: show the sign only.
        let sign = if d < 0.0 { '-' } else { '+' };
        return format!("{sign}<0.01 pp");
    }
    format!("{text} pp")
}

/// The percent a `percent` text shows, and its decimals; the value itself
/// for `<0.01%`.
fn shown(text: &str, v: f64) -> (f64, usize) {
    let digits = text.strip_suffix('%').unwrap_or(text);
    match digits.parse::<f64>() {
        Ok(p) => (p, digits.split_once('.').map_or(0, |(_, f)| f.len())),
        Err(_) => (v * 100.0, 2),
    }
}

/// An amount rounded to whole units, with thousands separators.
pub fn money(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 && out != "0" {
        out.insert(0, '-');
    }
    out
}

/// Money in short form: `34.2M`, `72.0B`, `950`.
pub fn short_money(v: f64) -> String {
    let a = v.abs();
    let (div, unit) = if a >= 1e12 {
        (1e12, "T")
    } else if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "k")
    } else {
        return format!("{v:.0}");
    };
    format!("{:.1}{unit}", v / div)
}

/// A stake's percent as given, without trailing zeros: `39.6%`, `50%`.
pub fn stake(p: f64) -> String {
    let s = format!("{p:.2}");
    format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}

/// `lo – hi`, or one value when both print the same.
pub fn interval(lo: String, hi: String) -> String {
    if lo == hi {
        lo
    } else {
        format!("{lo} – {hi}")
    }
}

/// A share's two bounds as percents, both always written: `0% – 10.0%`.
pub fn bounds(lo: f64, hi: f64) -> String {
    format!("{} – {}", percent(lo), percent(hi))
}

/// `s` cut to at most `max` columns of display width (a Chinese character
/// takes two), with `…` where it was cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Writes `lines` as aligned columns two spaces apart, by display width
/// (a Chinese character takes two columns): the columns for
/// which `left` holds align left (text), the others right (numbers).
pub fn write_columns(
    out: &mut dyn Write,
    lines: &[Vec<String>],
    left: impl Fn(usize) -> bool,
) -> io::Result<()> {
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for line in lines {
        for (c, cell) in line.iter().enumerate() {
            widths[c] = widths[c].max(width(cell));
        }
    }
    for line in lines {
        write_row(out, &widths, &left, line.iter().map(String::as_str))?;
    }
    Ok(())
}

/// The width a cell takes in [`write_columns`] (and [`write_row`]): that
/// of the text the terminal will show (control characters escaped, as the
/// table's writer would anyway).
pub fn width(cell: &str) -> usize {
    super::shown(cell).width()
}

/// One line of columns `widths` wide (see [`write_columns`]), for a table
/// written a line at a time.
pub fn write_row<'c>(
    out: &mut dyn Write,
    widths: &[usize],
    left: impl Fn(usize) -> bool,
    cells: impl Iterator<Item = &'c str>,
) -> io::Result<()> {
    let mut text = String::new();
    let pad = |text: &mut String, n: usize| text.extend(std::iter::repeat_n(' ', n));
    for (c, cell) in cells.enumerate() {
        let cell = super::shown(cell);
        let n = widths[c].saturating_sub(cell.width());
        if left(c) {
            text.push_str(&cell);
            pad(&mut text, n);
        } else {
            pad(&mut text, n);
            text.push_str(&cell);
        }
        text.push_str("  ");
    }
    writeln!(out, "{}", text.trim_end())
}

/// The header line: date, lists and rules in force.
pub fn settings_line(s: &Settings, list_names: &[String]) -> String {
    format!("as of {} · {}", as_of(s), rules_line(s, list_names))
}

/// The date an evaluation is as of, or `no date (listings without an end)`.
pub fn as_of(s: &Settings) -> String {
    s.as_of
        .map_or("no date (listings without an end)".to_string(), |d| {
            d.to_string()
        })
}

/// A timeline's header line: its window, then the lists and rules in force.
pub fn window_line(from: Date, to: Date, s: &Settings, list_names: &[String]) -> String {
    format!("{from} to {to} · {}", rules_line(s, list_names))
}

/// The lists and rules in force: `lists: … · affiliates rule: … · path length: …`.
pub fn rules_line(s: &Settings, list_names: &[String]) -> String {
    let lists = match &s.lists {
        Some(l) => l.join(", "),
        None if list_names.is_empty() => "all".to_string(),
        None => format!("all ({})", list_names.join(", ")),
    };
    let affiliates = s
        .affiliates
        .map_or("off".to_string(), |t| format!("on at {t}%"));
    let depth = s.max_depth.map_or("any".to_string(), |k| k.to_string());
    format!("lists: {lists} · affiliates rule: {affiliates} · path length: {depth}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_keep_sensible_precision() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.15), "15.0%");
        assert_eq!(percent(0.001234), "0.12%");
        assert_eq!(percent(1e-9), "<0.01%");
        assert_eq!(percent(1.0), "100.0%");
    }

    #[test]
    fn values_surely_alike_are_shown_alike() {
        // Pairs on both sides of rounding boundaries and of the ranges of
        // decimals, and pairs a rounding step apart.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut alike, mut sure) = (0, 0);
        for i in 0..200_000 {
            let base = match i % 5 {
                0 => next(),
                // Near the half-way points of one and of two decimals.
                1 => ((next() * 1000.0).floor() + 0.5) / 1000.0 + 1e-9 * (next() - 0.5),
                2 => ((next() * 100.0).floor() + 0.5) / 1e4 + 1e-11 * (next() - 0.5),
                3 => 0.0001 * next(),
                _ => [0.01, 0.0001, 0.00005, 0.99995][i / 5 % 4] + 1e-9 * (next() - 0.5),
            };
            let other = base + [0.0, 1e-12, 1e-9, 1e-6, 1e-4][i % 5] * (next() - 0.5);
            let same = percent(base) == percent(other);
            alike += same as usize;
            if surely_alike(base, other) {
                sure += 1;
                assert!(same, "{base} {other}: {} {}", percent(base), percent(other));
            }
        }
        // It is sure of most pairs shown alike (two in five of these are
        // at a half-way point on purpose).
        assert!(sure * 2 > alike, "{sure} of {alike}");
    }

    #[test]
    fn money_has_thousands_separators() {
        assert_eq!(money(34_170_000.0), "34,170,000");
        assert_eq!(money(999.4), "999");
        assert_eq!(money(1000.0), "1,000");
        assert_eq!(money(0.0), "0");
        assert_eq!(short_money(34_170_000.0), "34.2M");
        assert_eq!(short_money(72e9), "72.0B");
        assert_eq!(short_money(950.0), "950");
        assert_eq!(stake(39.6), "39.6%");
        assert_eq!(stake(50.0), "50%");
    }

    #[test]
    fn columns_align_by_display_width() {
        let lines = vec![
            vec!["海康威视".to_string(), "1".to_string()],
            vec!["Hikvision".to_string(), "22".to_string()],
        ];
        let mut out = Vec::new();
        write_columns(&mut out, &lines, |c| c == 0).unwrap();
        let text = String::from_utf8(out).unwrap();
        let widths: Vec<usize> = text.lines().map(|l| l.width()).collect();
        assert_eq!(widths, vec![13, 13], "{text}");
        assert_eq!(clip("海康威视数字技术", 7), "海康威…");
        assert_eq!(clip("Hikvision", 20), "Hikvision");
    }

    #[test]
    fn only_control_characters_but_the_line_feed_are_escaped() {
        // Every character up to U+3000, and a few beyond, between two
        // others: the check on bytes must agree with the one on characters.
        let beyond = ['\u{feff}', '\u{1f600}', '\u{10ffff}'];
        for c in (0..0x3000u32).filter_map(char::from_u32).chain(beyond) {
            let s = format!("a{c}é");
            let escaped = super::super::shown(&s);
            let control = c.is_control() && c != '\n';
            assert_eq!(escaped != s, control, "{:x}", c as u32);
            if control {
                assert_eq!(escaped, format!("a\\u{{{:x}}}é", c as u32));
            }
        }
    }

    #[test]
    fn a_change_is_the_difference_of_the_values_as_shown() {
        // 15.75% shows as 15.8%, 13.04% as 13.0%: -2.71 points would
        // round to -2.7 and contradict the two cells beside it.
        assert_eq!(points(0.1304, 0.1575), "-2.8 pp");
        assert_eq!(points(0.2, 0.15), "+5.0 pp");
        assert_eq!(points(0.0025, 0.015), "-1.25 pp");
        assert_eq!(points(0.15001, 0.15), "0");
        assert_eq!(points(0.00004, 0.0), "+<0.01 pp");
        assert_eq!(points(0.0, 1.0), "-100.0 pp");
    }
}
