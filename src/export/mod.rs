//! Writers, one module per subject, each with `write_table`, `write_json`
//! and `write_csv` where the subject has that form: `analyze` (a
//! [`Report`](crate::report::Report)), `whatif`, `explain` (the paths
//! behind one entity), `timeline` (and `chart`, its SVG), `screen` and
//! `portfolio`; `dot` and `html` write the diagram and the report page.
//! `markup` formats for people, [`number`] for scripts. Writers only
//! format; rows and their order come from the report, the search or the
//! timeline.

pub mod analyze;
pub mod chart;
pub mod dot;
pub mod explain;
pub mod html;
pub mod markup;
pub mod portfolio;
pub mod screen;
#[cfg(test)]
mod tests;
pub mod timeline;
pub mod whatif;

/// A restricted entity as the JSON outputs write it (`restricted`, and a
/// portfolio's `restricted_holdings`).
#[derive(serde::Serialize)]
struct RestrictedJson<'a> {
    id: &'a str,
    via: &'static str,
    lists: &'a [String],
}

impl<'a> RestrictedJson<'a> {
    fn of(model: &'a crate::model::Model, r: &'a crate::analysis::restricted::Named) -> Self {
        RestrictedJson {
            id: model.id(r.entity),
            via: r.via.as_str(),
            lists: &r.lists,
        }
    }
}

/// A number as the JSON and CSV outputs write it: integral values up to
/// 2^53 without a fraction (`228000000`, `0`), others in the shortest form
/// that reads back to the same f64 (`0.15`, `1e-12`).
pub fn number(v: f64) -> serde_json::Number {
    const EXACT_INT: f64 = 9_007_199_254_740_992.0;
    if v.fract() == 0.0 && v.abs() < EXACT_INT {
        serde_json::Number::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).unwrap_or_else(|| serde_json::Number::from(0))
    }
}

/// A text cell of a CSV report, safe to open in a spreadsheet: text that
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be
/// read as a formula (CWE-1236), so it gets a leading `'` (OWASP's
/// advice). Only for text (ids, names, sources, lists, products), never
/// for numbers: `-0.5` must stay a number. The graph's own CSV form
/// (`save.rs`) does not use it: that form is data and stays lossless.
pub fn text_cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// Whether XML 1.0 allows `c` in a document (SVG is XML: a browser
/// refuses a file with any other character).
pub fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s` with every character XML does not allow replaced by U+FFFD.
pub fn xml_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(xml_char) {
        return s.into();
    }
    s.chars()
        .map(|c| if xml_char(c) { c } else { '\u{FFFD}' })
        .collect::<String>()
        .into()
}

/// `s` with its control characters but the line feed shown escaped
/// (`\u{1b}`), for text meant for a terminal: a name from a graph or a
/// list file must not retitle, clear or recolour it. Used by the table
/// writers (through [`Escaping`]) and by the error and warning printing.
pub fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() && c != '\n';
    // A control character is a byte below 0x20, 0x7f, or 0xc2 then
    // 0x80–0x9f: text with none of those bytes (nearly all) is shown as
    // it is, without decoding it.
    if !s.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) || !s.chars().any(bad) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// A writer for terminal tables: passes text through [`shown`].
pub struct Escaping<'a>(pub &'a mut dyn std::io::Write);

impl std::io::Write for Escaping<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => self.0.write_all(shown(text).as_bytes())?,
            // A character cut between two writes: escape the ASCII
            // controls byte by byte, pass the rest.
            Err(_) => {
                for &b in buf {
                    if (b < 0x20 && b != b'\n') || b == 0x7f {
                        write!(self.0, "\\u{{{b:x}}}")?;
                    } else {
                        self.0.write_all(&[b])?;
                    }
                }
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A JSON writer's error as an io::Error that keeps the kind of an
/// underlying IO failure, so that a closed pipe stays a closed pipe.
pub fn json_io(e: serde_json::Error) -> std::io::Error {
    match e.io_error_kind() {
        Some(kind) => std::io::Error::new(kind, e),
        None => std::io::Error::other(e),
    }
}

/// A CSV writer's error as an io::Error, keeping IO failures as they are.
pub fn csv_io(e: ::csv::Error) -> std::io::Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}
