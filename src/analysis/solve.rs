//! The least non-negative solution of a small linear system `y = A y + b`
//! (A >= 0, b >= 0): one strongly connected component's equations once the
//! components downstream are known.
//!
//! Unknowns that cannot reach a positive `b` through positive weights are
//! 0 in the least solution and are dropped; every remaining unknown reaches
//! a row whose weights sum below 1, so `I - A` is invertible there and a
//! direct solve (Gaussian elimination, partial pivoting) is exact to
//! rounding — also for loops of shares like 0.999, where an iterative
//! solver's residual says little about its error.

use super::fixpoint::iterate;
use super::loops::Loops;
use crate::prefetch::prefetch_run;

/// One weight of `A`: unknown `row` depends on unknown `col` with `w > 0`.
#[cfg(test)]
#[derive(Clone, Copy, Debug)]
pub struct Term {
    pub row: u32,
    pub col: u32,
    pub w: f64,
}

/// Adds up from +0.0. (`Iterator::sum` starts from -0.0, and a -0.0
/// would sort below 0.0 in the report's total order.)
pub fn add(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |a, b| a + b)
}

/// Clamps rounding below zero, and -0.0, to +0.0.
fn at_least_zero(v: f64) -> f64 {
    if v > 0.0 {
        v
    } else {
        0.0
    }
}

/// Above this many unknowns a component is solved iteratively. A dense
/// solve costs O(k³): small enough a bound that a graph made of many
/// mid-sized components stays fast, large enough for the tight loops
/// (shares near 1) where iterating is slow.
pub const DENSE_MAX: usize = 100;

/// Sweeps that did not converge within this many are given up for a
/// direct solve when the component has at most [`DIRECT_MAX`] unknowns.
/// Only a component whose error shrinks by well under 1e-4 a sweep, and
/// not steadily enough to jump, ever gets here.
pub const SWEEP_BUDGET: usize = 20_000;

/// The largest component solved directly once sweeps fail to converge:
/// a dense solve of 1,000 unknowns takes a fraction of a second.
pub const DIRECT_MAX: usize = 1_000;

/// The most sweeps ever made of one component.
pub const MAX_SWEEPS: usize = 1_000_000;

/// The least non-negative solution of `y = A y + b` over `b.len()`
/// unknowns, and whether it settled. Uses the dense solve up to
/// `dense_max` live unknowns, else
/// (or when the dense matrix is numerically singular) Gauss-Seidel from 0;
/// sweeps that do not converge within [`SWEEP_BUDGET`] make way for the
/// dense solve up to [`DIRECT_MAX`] live unknowns.
///
/// # Complexity
/// O(k³) for k live unknowns up to [`DENSE_MAX`]; above, O(terms) per sweep.
#[cfg(test)]
pub fn least_solution(terms: &[Term], b: &[f64], dense_max: usize) -> (Vec<f64>, Settled) {
    least_solution_from(&Rows::of(terms, b.len()), b, dense_max, None)
}

/// [`least_solution`] of the rows `a`, the sweeps (when the dense solve
/// does not apply) starting from `start` instead of 0. `start` must be
/// below the least solution and at most one sweep of itself (a base's
/// solution under a change that only raised weights or constants is), so
/// that the sweeps rise from it to the least solution as from 0.
pub fn least_solution_from(
    a: &Rows,
    b: &[f64],
    dense_max: usize,
    start: Option<&[f64]>,
) -> (Vec<f64>, Settled) {
    let k = b.len();
    // Every unknown with inflow is live: with more of them than
    // `dense_max`, the sweeps from 0 need no count of the others.
    let seeds = b.iter().filter(|&&v| v > 0.0).count();
    if seeds == 0 {
        return (vec![0.0; k], Settled::Yes);
    }
    let live = (seeds <= dense_max || start.is_some()).then(|| Live::of(a, b));
    if let Some(live) = live.as_ref().filter(|l| l.count <= dense_max) {
        if let Some(y) = dense(a, b, live) {
            return (y, Settled::Yes);
        }
    }
    let mut y = vec![0.0; k];
    if let (Some(start), Some(live)) = (start, &live) {
        for i in 0..k {
            if live.of[i] {
                y[i] = start[i];
            }
        }
    }
    if a.gauss_seidel(b, &mut y, SWEEP_BUDGET).is_some() {
        return (y, Settled::Yes);
    }
    let live = live.unwrap_or_else(|| Live::of(a, b));
    if live.count <= DIRECT_MAX {
        if let Some(exact) = dense(a, b, &live) {
            return (exact, Settled::Yes);
        }
    }
    let settled = a
        .gauss_seidel(b, &mut y, MAX_SWEEPS)
        .map_or(Settled::No, |_| Settled::Yes);
    (y, settled)
}

/// Whether a solve reached its answer. `No`: the sweeps ran out of their
/// budget, and the values are below the exact ones by an unknown margin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled {
    Yes,
    No,
}

/// Which unknowns can reach a positive `b` through positive weights, and
/// how many do.
struct Live {
    of: Vec<bool>,
    count: usize,
}

impl Live {
    fn of(a: &Rows, b: &[f64]) -> Live {
        let seeds: Vec<bool> = b.iter().map(|&v| v > 0.0).collect();
        let (order, reached) = reached_from(b.len(), a.pairs(), &seeds);
        let mut of = vec![false; b.len()];
        for &i in &order[..reached] {
            of[i as usize] = true;
        }
        Live { of, count: reached }
    }
}

/// The unknowns in breadth-first order from the seeds, following each
/// `(row, col)` dependency backwards (from `col` to `row`), then those no
/// seed reaches. Returns the order and how many were reached.
///
/// # Complexity
/// O(k + pairs).
fn reached_from(
    k: usize,
    pairs: impl Iterator<Item = (u32, u32)> + Clone,
    seeds: &[bool],
) -> (Vec<u32>, usize) {
    // Reverse adjacency: col -> rows depending on it.
    let mut start = vec![0usize; k + 1];
    for (_, col) in pairs.clone() {
        start[col as usize + 1] += 1;
    }
    for i in 0..k {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut rows = vec![0u32; start[k]];
    for (row, col) in pairs {
        rows[fill[col as usize]] = row;
        fill[col as usize] += 1;
    }
    let mut seen: Vec<bool> = seeds.to_vec();
    let mut order: Vec<u32> = (0..k as u32).filter(|&i| seen[i as usize]).collect();
    let mut next = 0;
    while next < order.len() {
        let c = order[next] as usize;
        next += 1;
        for &r in &rows[start[c]..start[c + 1]] {
            if !seen[r as usize] {
                seen[r as usize] = true;
                order.push(r);
            }
        }
    }
    let reached = order.len();
    order.extend((0..k as u32).filter(|&i| !seen[i as usize]));
    (order, reached)
}

/// Solves `(I - A) y = b` over the live unknowns; `None` when a pivot
/// vanishes.
fn dense(rows: &Rows, b: &[f64], live: &Live) -> Option<Vec<f64>> {
    let (live, count) = (&live.of, live.count);
    let k = b.len();
    let mut local = vec![u32::MAX; k];
    let mut next = 0u32;
    for i in 0..k {
        if live[i] {
            local[i] = next;
            next += 1;
        }
    }
    let m = count;
    let mut a = vec![0.0f64; m * m];
    let mut rhs = vec![0.0f64; m];
    for i in 0..k {
        if live[i] {
            let li = local[i] as usize;
            a[li * m + li] = 1.0;
            rhs[li] = b[i];
        }
    }
    for (row, col, w) in rows.weights() {
        let (r, c) = (local[row as usize], local[col as usize]);
        if r != u32::MAX && c != u32::MAX {
            a[r as usize * m + c as usize] -= w;
        }
    }
    for col in 0..m {
        let pivot = (col..m)
            .max_by(|&i, &j| a[i * m + col].abs().total_cmp(&a[j * m + col].abs()))
            .expect("col < m");
        if a[pivot * m + col].abs() < 1e-300 {
            return None;
        }
        if pivot != col {
            for j in 0..m {
                a.swap(pivot * m + j, col * m + j);
            }
            rhs.swap(pivot, col);
        }
        let p = a[col * m + col];
        for i in col + 1..m {
            let f = a[i * m + col] / p;
            if f != 0.0 {
                for j in col..m {
                    a[i * m + j] -= f * a[col * m + j];
                }
                rhs[i] -= f * rhs[col];
            }
        }
    }
    let mut y = vec![0.0f64; m];
    for i in (0..m).rev() {
        let mut s = rhs[i];
        for j in i + 1..m {
            s -= a[i * m + j] * y[j];
        }
        y[i] = s / a[i * m + i];
    }
    if y.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut out = vec![0.0; k];
    for i in 0..k {
        if live[i] {
            out[i] = at_least_zero(y[local[i] as usize]);
        }
    }
    Some(out)
}

/// The weights of `A` by row: row `i` is `cols[start[i]..start[i + 1]]`.
/// Written a row at a time, in order: [`Rows::push`] adds a weight to the
/// row being written, [`Rows::end_row`] closes it.
#[derive(Clone, Debug)]
pub struct Rows {
    start: Vec<usize>,
    cols: Vec<(u32, f64)>,
}

impl Rows {
    /// No rows yet.
    pub fn new() -> Rows {
        Rows {
            start: vec![0],
            cols: Vec::new(),
        }
    }

    /// No rows yet, room made for `rows` rows of `weights` weights in all.
    pub fn with_capacity(rows: usize, weights: usize) -> Rows {
        let mut start = Vec::with_capacity(rows + 1);
        start.push(0);
        Rows {
            start,
            cols: Vec::with_capacity(weights),
        }
    }

    /// How many weights are written.
    pub fn weights_written(&self) -> usize {
        self.cols.len()
    }

    /// Unknown `col` with weight `w > 0` in the row being written.
    #[inline]
    pub fn push(&mut self, col: u32, w: f64) {
        self.cols.push((col, w));
    }

    /// Closes the row being written.
    #[inline]
    pub fn end_row(&mut self) {
        self.start.push(self.cols.len());
    }

    /// Appends rows `range` of `other`, as written there.
    ///
    /// # Complexity
    /// O(their rows and weights).
    pub fn extend_from(&mut self, other: &Rows, range: std::ops::Range<usize>) {
        let (from, to) = (other.start[range.start], other.start[range.end]);
        let shift = self.cols.len() as isize - from as isize;
        self.cols.extend_from_slice(&other.cols[from..to]);
        self.start.extend(
            other.start[range.start + 1..=range.end]
                .iter()
                .map(|&s| (s as isize + shift) as usize),
        );
    }

    /// Every weight as `(row, col, w)`, by row.
    fn weights(&self) -> impl Iterator<Item = (u32, u32, f64)> + Clone + '_ {
        self.start.windows(2).enumerate().flat_map(|(i, w)| {
            self.cols[w[0]..w[1]]
                .iter()
                .map(move |&(c, w)| (i as u32, c, w))
        })
    }

    /// Every weight as a `(row, col)` pair, by row.
    fn pairs(&self) -> impl Iterator<Item = (u32, u32)> + Clone + '_ {
        self.weights().map(|(r, c, _)| (r, c))
    }

    /// The rows of `terms`, over `k` unknowns, each row's weights in the
    /// order given.
    #[cfg(test)]
    fn of(terms: &[Term], k: usize) -> Rows {
        let mut rows = Rows::new();
        for i in 0..k as u32 {
            for t in terms.iter().filter(|t| t.row == i) {
                rows.push(t.col, t.w);
            }
            rows.end_row();
        }
        rows
    }

    /// Gauss-Seidel sweeps of `y = A y + b` (from below the least
    /// solution, which they rise to): at most `budget` of them; `None`
    /// when they did not converge.
    ///
    /// Loops of heavy weights are solved whole at their head
    /// (`loops.rs`).
    fn gauss_seidel(&self, b: &[f64], y: &mut [f64], budget: usize) -> Option<usize> {
        let row = |y: &[f64], i: usize| {
            let cols = self.start[i]..self.start[i + 1];
            // The values this row reads lie anywhere: ask for the next
            // rows' ahead.
            prefetch_run(&self.cols, cols.clone(), y, |&(c, _)| c as usize);
            b[i] + add(self.cols[cols].iter().map(|&(c, w)| w * y[c as usize]))
        };
        let loops = Loops::find(b.len(), |i| {
            Loops::heavy_of(
                i,
                self.cols[self.start[i]..self.start[i + 1]].iter().copied(),
            )
        });
        iterate(y, budget, |y, i| match loops.headed_by(i) {
            Some(l) => loops.solve(l, |m, next, w| row(y, m) - w * y[next]),
            None => row(y, i),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(row: u32, col: u32, w: f64) -> Term {
        Term { row, col, w }
    }

    #[test]
    fn near_one_loop_is_solved_exactly() {
        // y0 = 0.999 y1; y1 = 0.998 y0 + 0.002
        let y = least_solution(&[t(0, 1, 0.999), t(1, 0, 0.998)], &[0.0, 0.002], DENSE_MAX).0;
        let y1 = 0.002 / (1.0 - 0.999 * 0.998);
        assert!((y[1] - y1).abs() < 1e-12, "{y:?}");
        assert!((y[0] - 0.999 * y1).abs() < 1e-12, "{y:?}");
    }

    #[test]
    fn a_closed_loop_without_inflow_is_zero() {
        let y = least_solution(&[t(0, 1, 1.0), t(1, 0, 1.0)], &[0.0, 0.0], DENSE_MAX).0;
        assert_eq!(y, vec![0.0, 0.0]);
    }

    #[test]
    fn unknowns_that_reach_no_inflow_are_zero_even_in_a_singular_system() {
        // 0 <-> 1 closed loop of weight 1; 2 -> 0 and has inflow.
        let y = least_solution(
            &[t(0, 1, 1.0), t(1, 0, 1.0), t(2, 0, 0.5)],
            &[0.0, 0.0, 0.25],
            DENSE_MAX,
        )
        .0;
        assert_eq!(y, vec![0.0, 0.0, 0.25]);
    }

    #[test]
    fn gauss_seidel_agrees_with_the_dense_solve() {
        let terms = [t(0, 1, 0.9), t(1, 2, 0.95), t(2, 0, 0.97), t(2, 1, 0.01)];
        let b = [0.0, 0.01, 0.02];
        let d = exact(&terms, &b);
        let mut g = vec![0.0; 3];
        Rows::of(&terms, 3)
            .gauss_seidel(&b, &mut g, MAX_SWEEPS)
            .expect("converges");
        for i in 0..3 {
            assert!((d[i] - g[i]).abs() < 1e-11, "{d:?} {g:?}");
        }
    }

    /// A random sparse system whose rows sum to `weight`: three columns
    /// each, inflow into every tenth unknown.
    fn slow_system(k: usize, weight: f64, seed: u64) -> (Vec<Term>, Vec<f64>) {
        let mut next = crate::testing::random(seed);
        let mut terms = Vec::new();
        for row in 0..k as u32 {
            let cols = [
                (row + 1) % k as u32,
                next(k as u64) as u32,
                next(k as u64) as u32,
            ];
            for (c, share) in cols.into_iter().zip([0.5, 0.3, 0.2]) {
                terms.push(t(row, c, share * weight));
            }
        }
        let b = (0..k)
            .map(|i| {
                if i % 10 == 0 {
                    0.001 * (1 + next(9)) as f64
                } else {
                    0.0
                }
            })
            .collect();
        (terms, b)
    }

    /// The dense solve of a system whose unknowns are all live.
    fn exact(terms: &[Term], b: &[f64]) -> Vec<f64> {
        let live = Live {
            of: vec![true; b.len()],
            count: b.len(),
        };
        dense(&Rows::of(terms, b.len()), b, &live).expect("not singular")
    }

    fn assert_near(got: &[f64], want: &[f64], tol: f64) {
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!((g - w).abs() < tol, "{i}: {g} vs {w}");
        }
    }

    /// Gauss-Seidel of `y = A y + b` from 0 by [`iterate`]: the values and
    /// the number of sweeps. `watch` sees the values before each update.
    fn swept(terms: &[Term], b: &[f64], watch: impl Fn(&[f64])) -> (Vec<f64>, usize) {
        let mut rows = vec![Vec::new(); b.len()];
        for t in terms {
            rows[t.row as usize].push((t.col as usize, t.w));
        }
        let mut y = vec![0.0; b.len()];
        let sweeps = iterate(&mut y, MAX_SWEEPS, |y, i| {
            watch(y);
            b[i] + add(rows[i].iter().map(|&(c, w)| w * y[c]))
        });
        (y, sweeps.expect("converges"))
    }

    #[test]
    fn jumps_reach_the_exact_solution_of_a_slow_system_in_few_sweeps() {
        for seed in 1..6 {
            let (terms, b) = slow_system(200, 0.995, seed);
            let (y, sweeps) = swept(&terms, &b, |_| {});
            assert_near(&y, &exact(&terms, &b), 1e-10);
            // Plain sweeps shrink the error by about 0.995 each: some
            // 4,000 of them to reach the bound.
            assert!(sweeps < 500, "seed {seed}: {sweeps} sweeps");
        }
    }

    /// A system of 300 unknowns, rows summing to 0.5, with a dozen loops
    /// of two or three unknowns whose heavy weights multiply to 0.93-0.99
    /// (each loop member's other weights scaled down to fit).
    fn heavy_loops(seed: u64) -> (Vec<Term>, Vec<f64>) {
        let k = 300;
        let (mut terms, b) = slow_system(k, 0.5, seed);
        let mut next = crate::testing::random(seed + 100);
        let mut at = 0u32;
        for l in 0..12 {
            let len = 2 + l % 2;
            let members: Vec<u32> = (at..at + len).collect();
            at += 20;
            for (i, &m) in members.iter().enumerate() {
                let heavy = 0.965 + 0.034 * next(1000) as f64 / 1000.0;
                for t in terms.iter_mut().filter(|t| t.row == m) {
                    t.w *= (1.0 - heavy) * 0.99 / 0.5;
                }
                terms.push(t(m, members[(i + 1) % members.len()], heavy));
            }
        }
        (terms, b)
    }

    #[test]
    fn loops_of_heavy_weights_are_solved_whole_within_the_sweeps() {
        for seed in 1..4 {
            let (terms, b) = heavy_loops(seed);
            let mut y = vec![0.0; b.len()];
            let sweeps = Rows::of(&terms, b.len())
                .gauss_seidel(&b, &mut y, MAX_SWEEPS)
                .expect("converges");
            assert_near(&y, &exact(&terms, &b), 1e-10);
            // Swept one unknown at a time, the loops shrink their error
            // by 0.93-0.99 a sweep, each at its own rate: hundreds of
            // sweeps.
            assert!(sweeps < 60, "seed {seed}: {sweeps} sweeps");
        }
    }

    #[test]
    fn every_iterate_stays_below_the_least_solution() {
        let (terms, b) = slow_system(100, 0.999, 7);
        let exact = exact(&terms, &b);
        swept(&terms, &b, |y| {
            // Up to rounding.
            for c in 0..y.len() {
                assert!(
                    y[c] <= exact[c] * (1.0 + 1e-12),
                    "{c}: {} above {}",
                    y[c],
                    exact[c]
                );
            }
        });
    }

    #[test]
    fn sweeps_that_do_not_converge_give_way_to_the_dense_solve() {
        // Rows summing to 0.999999: the error shrinks by about 1e-6 a
        // sweep, unevenly, so neither plain sweeps nor jumps get there.
        let (terms, b) = slow_system(300, 0.999_999, 3);
        let b: Vec<f64> = b.iter().map(|v| v * 1e-3).collect();
        let y = least_solution(&terms, &b, DENSE_MAX).0;
        assert_near(&y, &exact(&terms, &b), 1e-12);
    }
}
