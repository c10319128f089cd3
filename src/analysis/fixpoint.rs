//! The fixed-point driver shared by every iterative solve: Gauss-Seidel
//! sweeps of a monotone, convex update from below its least fixed point,
//! with a stopping rule from the observed rate of contraction and jumps
//! ahead by what is provably still to come.
//!
//! Owns when to stop and how far to jump; must never push an iterate past
//! the least fixed point (a loop of unknown shares can hold a larger fixed
//! point forever, so a jump too far would never come back).

/// Sweeps `y[i] = update(y, i)` in place until the error bound from the
/// observed rate of contraction falls below 1e-13, or the sweeps change
/// nothing but rounding, and returns the number of sweeps; `None` when
/// `budget` sweeps were not enough (`y` is then still a valid start, below
/// the least fixed point). The update must be monotone and convex in `y`
/// (a maximum of linear maps with non-negative weights, as the knapsack
/// is), its values of order 1, and `y` must start below its least fixed
/// point: every iterate then stays below it.
///
/// Once the increments of two sweeps in a row shrink by a steady factor,
/// the sweeps jump ahead by what is provably still to come (see [`jump`]).
/// On a core of 300,000 firms that saves a quarter of the sweeps; on a
/// system whose rows sum to 0.995, nine in ten.
pub fn iterate(
    y: &mut [f64],
    budget: usize,
    mut update: impl FnMut(&[f64], usize) -> f64,
) -> Option<usize> {
    // Changes this small are rounding.
    const NOISE: f64 = 4.0 * f64::EPSILON;
    // The increments of the last sweep, and whether the sweep before it
    // was a plain one (so that the two make a pair).
    let mut last = vec![0.0f64; y.len()];
    let mut paired = false;
    let mut prev_delta = f64::INFINITY;
    let mut prev_rate = f64::NEG_INFINITY;
    // The greatest least ratio seen at a jump: the error never shrinks
    // faster than that from then on.
    let mut floor = 0.0f64;
    for sweep in 1..=budget {
        let mut delta = 0.0f64;
        let mut rate = f64::INFINITY;
        for i in 0..y.len() {
            let v = update(y, i);
            let b = v - y[i];
            delta = delta.max(b.abs());
            if paired {
                rate = least_rate(rate, last[i], b, v);
            }
            last[i] = b;
            y[i] = v;
        }
        let q = delta / prev_delta;
        let jumped = paired && steady(rate, prev_rate, q) && jump(y, &last, rate);
        if jumped {
            floor = floor.max(rate);
        }
        // With contraction q per sweep, what is left is at most
        // delta · q / (1 - q); bound it by delta / (1 - q) for safety.
        let q = q.max(floor);
        if delta <= NOISE || (prev_delta.is_finite() && q < 1.0 && delta / (1.0 - q) < 1e-13) {
            return Some(sweep);
        }
        // After a jump the next sweep starts a new pair, and its delta
        // says nothing of the rate across the jump.
        prev_rate = if paired && !jumped {
            rate
        } else {
            f64::NEG_INFINITY
        };
        paired = !jumped;
        prev_delta = if jumped { f64::INFINITY } else { delta };
    }
    None
}

/// Whether the error shrinks alike everywhere, so that a jump by the least
/// ratio `rate` takes most of it: `rate` is close to the ratio `q` of the
/// largest increments, and has stopped rising since the sweep before
/// (`prev_rate`). Not for a ratio so near 1 that the jump would magnify
/// rounding.
fn steady(rate: f64, prev_rate: f64, q: f64) -> bool {
    const CLOSE: f64 = 0.9;
    rate >= CLOSE * q && 1.0 - rate >= CLOSE * (1.0 - prev_rate) && rate <= 0.99999
}

/// The least ratio `b / a` of two successive increments of unknown `v`,
/// folded into `rate`. Increments within rounding of `v` say nothing of
/// the rate and are passed over; a clearly negative `b` rules a jump out.
#[inline]
fn least_rate(rate: f64, a: f64, b: f64, v: f64) -> f64 {
    let rounding = 64.0 * f64::EPSILON * v.abs();
    if a > rounding {
        if b < rate * a {
            b / a
        } else {
            rate
        }
    } else if b < -rounding {
        -1.0
    } else {
        rate
    }
}

/// Jumps ahead after two sweeps from a point below the least fixed point:
/// with increments `a` then `b >= mu · a` (`mu` the least ratio, in
/// `(0, 1)`), every later increment is at least `mu` times the one before
/// (the sweep is monotone and convex), so at least `b · mu / (1 - mu)`
/// is still to come. Adding that stays below the least fixed point and
/// below the next sweep's result, so the sweeps go on rising from there.
/// Returns whether it jumped.
fn jump(y: &mut [f64], b: &[f64], mu: f64) -> bool {
    if !(mu > 0.0 && mu < 1.0) {
        return false;
    }
    let f = mu / (1.0 - mu);
    for (v, &d) in y.iter_mut().zip(b) {
        *v += d * f;
    }
    true
}
