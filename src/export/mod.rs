//! Writers of a [`Report`](crate::report::Report): one module per output
//! format, and `explain` for the paths behind one entity. Writers only
//! format; rows and their order come from the report (or the search).

pub mod csv;
pub mod explain;
pub mod json;
pub mod table;

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
