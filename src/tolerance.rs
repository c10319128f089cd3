//! The one tolerance of the format and exposure specs: sums may exceed a
//! bound, or fall short of a threshold, by this much and still count.

/// Absolute slack for comparisons of shares, percents and their sums.
pub const EPS: f64 = 1e-9;

/// `sum >= threshold`, allowing [`EPS`] of rounding.
pub fn reaches(sum: f64, threshold: f64) -> bool {
    sum >= threshold - EPS
}
