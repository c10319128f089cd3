//! How slowly a worst case drains: for the shares P that an allocation
//! gives the sales between the members of a component, t = (I - P)^-1 1,
//! the number of steps a unit of value can go round the component before
//! it leaves. Its greatest row bounds ||(I - P)^-1||, which turns a
//! residual into a distance from a solution; proofs in `unused.rs` and
//! `above.rs` rest on it.
//!
//! Owns the sweeps that find t; what a proof makes of it is the caller's.

use super::loops::Loops;

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
/// the last growth times q / (1 - q). With `whole_loops`, loops of
/// shares above 1/2 are solved whole at their head within each sweep
/// (`loops.rs`), as the sweeps of X are: a loop that keeps 0.99 round
/// would otherwise take its thousands of sweeps here too; one that keeps
/// everything never drains (`None`).
pub(super) fn drain(
    start: &[u32],
    cols: &[u32],
    shares: &[f64],
    (sweeps, whole_loops): (usize, bool),
) -> Option<Drain> {
    let k = start.len() - 1;
    let row = |j: usize| start[j] as usize..start[j + 1] as usize;
    let loops = Loops::find(if whole_loops { k } else { 0 }, |j| {
        let r = row(j);
        Loops::heavy_of(
            j,
            cols[r.clone()]
                .iter()
                .copied()
                .zip(shares[r].iter().copied()),
        )
    });
    if !loops.all_drain() {
        return None;
    }
    let mut t = vec![0.0f64; k];
    // 1 plus what member j's row gives from `t`.
    let value = |t: &[f64], j: usize| {
        let r = row(j);
        1.0 + cols[r.clone()]
            .iter()
            .zip(&shares[r])
            .map(|(&c, &w)| w * t[c as usize])
            .sum::<f64>()
    };
    // The growth of the sweep before, and the factor it shrank by.
    let (mut before, mut q_before) = (f64::NAN, f64::NAN);
    for _ in 0..sweeps {
        let (mut growth, mut top) = (0.0f64, 0.0f64);
        for j in 0..k {
            let next = match loops.headed_by(j) {
                Some(l) => loops.solve(l, |m, next, w| value(&t, m) - w * t[next]),
                None => value(&t, j),
            };
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
        let d = drain(&[0, 1, 2], &[1, 0], &[0.5, 0.5], (100, true)).unwrap();
        assert!((2.0..2.001).contains(&d.bound), "{}", d.bound);
        assert!(d.t.iter().all(|t| (1.999..=2.0).contains(t)), "{:?}", d.t);
        // A chain into a drain: 0 -> 1 -> 2 -> out, all shares 1: the
        // greatest row is 3 (three steps to drain).
        let d = drain(&[0, 1, 2, 2], &[1, 2], &[1.0, 1.0], (100, true)).unwrap();
        assert!((3.0..3.001).contains(&d.bound), "{}", d.bound);
        assert_eq!(d.t, [3.0, 2.0, 1.0]);
        // Each gives the other all: nothing drains, t grows forever.
        assert!(drain(&[0, 1, 2], &[1, 0], &[1.0, 1.0], (100, true)).is_none());
        assert!(drain(&[0, 1, 2], &[1, 0], &[1.0, 1.0], (100, false)).is_none());
        // A loop that keeps 0.99 drains: t = 1 / (1 - 0.99) = 100, found
        // whole at its head in a few sweeps.
        let d = drain(&[0, 1, 2], &[1, 0], &[0.99, 0.99], (10, true)).unwrap();
        assert!((99.999..100.001).contains(&d.bound), "{}", d.bound);
        assert!(
            d.t.iter().all(|t| (99.999..100.001).contains(t)),
            "{:?}",
            d.t
        );
        // Split into shares of 0.495 each way twice, it is no loop of
        // heavy shares, and plain sweeps take thousands.
        let split = (&[0, 2, 4][..], &[1, 1, 0, 0][..], &[0.495; 4][..]);
        assert!(drain(split.0, split.1, split.2, (10, true)).is_none());
        assert!(drain(split.0, split.1, split.2, (5000, true)).is_some());
        // Without loops solved whole, the loop of 0.99 takes as long.
        assert!(drain(&[0, 1, 2], &[1, 0], &[0.99, 0.99], (10, false)).is_none());
        assert!(drain(&[0, 1, 2], &[1, 0], &[0.99, 0.99], (5000, false)).is_some());
    }
}
