//! Loops of heavy edges in a swept component, solved in closed form
//! within each sweep.
//!
//! A loop of shares near 1 (two firms selling 0.99 of their revenue to
//! each other) carries its error round and round: Gauss-Seidel takes it
//! down by the loop's product of weights per sweep, 0.98 here, so a whole
//! component waits a thousand sweeps for a handful of firms. A row's
//! weights add up to at most 1, so at most one of them is above 1/2: the
//! heavy edges make a graph where every member has at most one way out,
//! and its loops are found in one pass. Each loop's head (its first
//! member in sweep order) takes the loop's exact value given the rest:
//! with v_i = c_i + w_i · v_{i+1} round the loop, c_i being member i's
//! value without its heavy edge,
//!
//!   v_0 = (c_0 + w_0 c_1 + w_0 w_1 c_2 + …) / (1 − w_0 w_1 …),
//!
//! and the members after it follow from it in the same sweep. That is an
//! exact solve of a block of the equations, so the sweep stays monotone
//! and convex in the values and never passes the least fixed point
//! (`fixpoint.rs`). (Where a heavy edge's share is not exact, c_i still
//! holds what the knapsack gives that edge at the next member's last
//! value: the head's value is then below the block's solution, which
//! keeps it below the least fixed point all the same.)

/// A loop's members are at most this many; longer loops carry a product
/// of weights below 2^-8 and converge by sweeping alone.
const MAX_LEN: usize = 8;

/// The loops of heavy edges of one component, by head.
#[derive(Debug, Default)]
pub(super) struct Loops {
    /// Per member: the loop it heads (an index into `start`), or `NONE`.
    head: Vec<u32>,
    /// Loop `l` is `members[start[l]..start[l + 1]]`, from its head, each
    /// with the weight of its heavy edge to the next.
    start: Vec<u32>,
    members: Vec<(u32, f64)>,
}

const NONE: u32 = u32::MAX;

impl Loops {
    /// The loops of the `k` members' heavy edges: `heavy(j)` is member
    /// `j`'s edge of weight above 1/2 to another member, if any.
    ///
    /// # Complexity
    /// O(k).
    pub(super) fn find(k: usize, heavy: impl Fn(usize) -> Option<(u32, f64)>) -> Loops {
        let next: Vec<Option<(u32, f64)>> = (0..k).map(&heavy).collect();
        let mut loops = Loops {
            head: Vec::new(),
            start: vec![0],
            members: Vec::new(),
        };
        if next.iter().all(Option::is_none) {
            return loops;
        }
        loops.head = vec![NONE; k];
        // The walk that first reached each member, numbered from 1.
        let mut walk = vec![0u32; k];
        for from in 0..k {
            if walk[from] != 0 {
                continue;
            }
            let id = from as u32 + 1;
            let mut j = from;
            loop {
                walk[j] = id;
                let Some((to, _)) = next[j] else { break };
                let to = to as usize;
                if walk[to] == id {
                    loops.add(to, &next);
                    break;
                }
                if walk[to] != 0 {
                    break;
                }
                j = to;
            }
        }
        loops
    }

    /// Records the loop through `on`, headed by its first member.
    fn add(&mut self, on: usize, next: &[Option<(u32, f64)>]) {
        let mut cycle = vec![on];
        let mut j = next[on].expect("on a loop").0 as usize;
        while j != on {
            if cycle.len() == MAX_LEN {
                return;
            }
            cycle.push(j);
            j = next[j].expect("on a loop").0 as usize;
        }
        let first = (0..cycle.len())
            .min_by_key(|&i| cycle[i])
            .expect("not empty");
        cycle.rotate_left(first);
        self.head[cycle[0]] = (self.start.len() - 1) as u32;
        self.members.extend(
            cycle
                .iter()
                .map(|&m| (m as u32, next[m].expect("on a loop").1)),
        );
        self.start.push(self.members.len() as u32);
    }

    /// Member `j`'s heavy edge among its `edges` (to a member, with its
    /// weight), if it has one: a weight above 1/2.
    pub(super) fn heavy_of(
        j: usize,
        mut edges: impl Iterator<Item = (u32, f64)>,
    ) -> Option<(u32, f64)> {
        edges.find(|&(c, w)| w > 0.5 && c as usize != j)
    }

    /// The loop that member `j` heads, if any.
    #[inline]
    pub(super) fn headed_by(&self, j: usize) -> Option<usize> {
        match self.head.get(j) {
            Some(&l) if l != NONE => Some(l as usize),
            _ => None,
        }
    }

    /// Whether every loop keeps less than everything round (the product
    /// of its weights below 1): each then drains.
    pub(super) fn all_drain(&self) -> bool {
        (0..self.start.len() - 1).all(|l| {
            let members = &self.members[self.start[l] as usize..self.start[l + 1] as usize];
            members.iter().map(|&(_, w)| w).product::<f64>() < 1.0
        })
    }

    /// The head's value that solves loop `l` given each member's value
    /// without its heavy edge, `rest(member, next member, weight)`. A
    /// loop whose weights multiply to 1 carries nothing in (its rows are
    /// full), and its least value is 0.
    pub(super) fn solve(&self, l: usize, mut rest: impl FnMut(usize, usize, f64) -> f64) -> f64 {
        let members = &self.members[self.start[l] as usize..self.start[l + 1] as usize];
        let (mut sum, mut product) = (0.0, 1.0);
        for (i, &(m, w)) in members.iter().enumerate() {
            let next = members[(i + 1) % members.len()].0;
            sum += product * rest(m as usize, next as usize, w);
            product *= w;
        }
        if product >= 1.0 {
            return 0.0;
        }
        (sum / (1.0 - product)).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_loop_once_headed_by_its_first_member() {
        // 0 -> 1 -> 0; 2 -> 3 -> 4 -> 2; 5 -> 2 (a tail); 6 alone.
        let next = [
            Some((1, 0.9)),
            Some((0, 0.8)),
            Some((3, 0.7)),
            Some((4, 0.6)),
            Some((2, 0.9)),
            Some((2, 0.9)),
            None,
        ];
        let loops = Loops::find(7, |j| next[j]);
        assert_eq!(loops.start.len(), 3);
        assert_eq!(loops.headed_by(0), Some(0));
        assert_eq!(loops.headed_by(2), Some(1));
        for j in [1, 3, 4, 5, 6] {
            assert_eq!(loops.headed_by(j), None, "{j}");
        }
        assert_eq!(loops.members[2..], [(2, 0.7), (3, 0.6), (4, 0.9)]);
    }

    #[test]
    fn solves_a_loop_exactly() {
        // v0 = 0.1 + 0.99 v1, v1 = 0.002 + 0.98 v0.
        let loops = Loops::find(2, |j| [Some((1, 0.99)), Some((0, 0.98))][j]);
        let c = [0.1, 0.002];
        let v0 = loops.solve(0, |m, _, _| c[m]);
        let v1 = 0.002 + 0.98 * v0;
        assert!((v0 - (0.1 + 0.99 * v1)).abs() < 1e-12, "{v0}");
    }

    #[test]
    fn a_full_loop_is_zero_and_a_long_one_is_left_to_the_sweeps() {
        let full = Loops::find(2, |j| [Some((1, 1.0)), Some((0, 1.0))][j]);
        assert_eq!(full.solve(0, |_, _, _| 0.0), 0.0);
        let long = Loops::find(10, |j| Some((((j + 1) % 10) as u32, 0.9)));
        assert!((0..10).all(|j| long.headed_by(j).is_none()));
    }
}
