//! `--format csv`: one header row, then the JSON rows' fields in the same
//! order; `true`/`false` for flags, an empty cell for unknown values.

use std::io::{self, Write};

use super::csv_io;
use super::json::{row, Row};
use crate::report::Report;

/// The header, in the order of the JSON row's fields.
pub const HEADER: [&str; 12] = [
    "id",
    "name",
    "restricted",
    "possibly_restricted",
    "direct",
    "indirect",
    "total",
    "upper",
    "revenue",
    "revenue_at_risk",
    "revenue_at_risk_upper",
    "reach",
];

/// The cells of one row, in [`HEADER`] order.
pub fn fields(r: &Row) -> [String; 12] {
    let opt =
        |n: &Option<serde_json::Number>| n.as_ref().map(|n| n.to_string()).unwrap_or_default();
    [
        super::text_cell(r.id).into_owned(),
        super::text_cell(r.name).into_owned(),
        r.restricted.to_string(),
        r.possibly_restricted.to_string(),
        r.direct.to_string(),
        r.indirect.to_string(),
        r.total.to_string(),
        r.upper.to_string(),
        opt(&r.revenue),
        opt(&r.revenue_at_risk),
        opt(&r.revenue_at_risk_upper),
        r.reach.to_string(),
    ]
}

/// Writes the report's rows as CSV.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(HEADER).map_err(csv_io)?;
    for &v in &report.rows {
        w.write_record(fields(&row(report, v))).map_err(csv_io)?;
    }
    w.flush()
}
