//! How slowly a worst case drains: for the shares P that an allocation
//! gives the sales between the members of a component, t = (I - P)^-1 1,
//! the number of steps a unit of value can go round the component before
//! it leaves. Its greatest row bounds ||(I - P)^-1||, which turns a
//! residual into a distance from a solution; proofs in `unused.rs` and
//! `above.rs` rest on it.
//!
//! Owns the sweeps that find t; what a proof makes of it is the caller's.

/// t = (I - P)^-1 1, to within a part in a million, and a bound on its
/// greatest row.
pub(super) struct Drain {
    pub t: Vec<f64>,
    pub bound: f64,
}

/// t for P given by rows (`cols[start[j]..start[j + 1]]` with `shares`),
/// or `None` when the sweeps do not settle within `sweeps` (P may keep a
/// loop that never drains, or drain too slowly to be of use). Gauss-Seidel from 0 rises to t; once the
/// growth shrinks by a steady factor q, what is still to come is at most
/// the last growth times q / (1 - q).
pub(super) fn drain(start: &[u32], cols: &[u32], shares: &[f64], sweeps: usize) -> Option<Drain> {
    let k = start.len() - 1;
    let mut t = vec![0.0f64; k];
    // The growth of the sweep before, and the factor it shrank by.
    let (mut before, mut q_before) = (f64::NAN, f64::NAN);
    for _ in 0..sweeps {
        let (mut growth, mut top) = (0.0f64, 0.0f64);
        for j in 0..k {
            let row = start[j] as usize..start[j + 1] as usize;
            let next = 1.0
                + cols[row.clone()]
                    .iter()
                    .zip(&shares[row])
                    .map(|(&c, &w)| w * t[c as usize])
                    .sum::<f64>();
            growth = growth.max(next - t[j]);
            top = top.max(next);
            t[j] = next;
        }
        if !top.is_finite() {
            return None;
        }
        if growth == 0.0 {
            return Some(Drain { t, bound: top });
        }
        // The factor the growth shrank by, over the last two sweeps (NaN
        // until there are two): the larger.
        let ratio = growth / before;
        if ratio < 1.0 && q_before < 1.0 {
            let q = ratio.max(q_before);
            if growth * q / (1.0 - q) <= 1e-6 * top {
                // Twice what is still to come at that factor, for rounding.
                let bound = top + 2.0 * growth * q / (1.0 - q);
                return Some(Drain { t, bound });
            }
        }
        (before, q_before) = (growth, ratio);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_that_drains_is_bounded_and_one_that_does_not_is_not() {
        // Two members, each giving the other 0.5: t = 1 + 0.5 t, t = 2.
        let d = drain(&[0, 1, 2], &[1, 0], &[0.5, 0.5], 100).unwrap();
        assert!((2.0..2.001).contains(&d.bound), "{}", d.bound);
        assert!(d.t.iter().all(|t| (1.999..=2.0).contains(t)), "{:?}", d.t);
        // A chain into a drain: 0 -> 1 -> 2 -> out, all shares 1: the
        // greatest row is 3 (three steps to drain).
        let d = drain(&[0, 1, 2, 2], &[1, 2], &[1.0, 1.0], 100).unwrap();
        assert!((3.0..3.001).contains(&d.bound), "{}", d.bound);
        assert_eq!(d.t, [3.0, 2.0, 1.0]);
        // Each gives the other all: nothing drains, t grows forever.
        assert!(drain(&[0, 1, 2], &[1, 0], &[1.0, 1.0], 100).is_none());
        // A loop that keeps 0.99 drains, but not within 10 sweeps.
        assert!(drain(&[0, 1, 2], &[1, 0], &[0.99, 0.99], 10).is_none());
        assert!(drain(&[0, 1, 2], &[1, 0], &[0.99, 0.99], 5000).is_some());
    }
}
