//! Components handed from the search that finds them to a solver on
//! another thread, one by one as they are found.
//!
//! The search (`scc.rs`) finds components sinks first, which is the order
//! a solver takes them in, so X can solve each component as soon as it is
//! found instead of waiting for the whole search: on the core graph the
//! giant component is found 0.12 s into a search of 0.19 s, and X's
//! sweeps of it start then. The solver reads each component once it is
//! published, whole; what it computes does not depend on when it reads.
//!
//! Owns the hand-over only: one writer (the search), one reader.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::OnceLock;

use super::scc::{Components, Sccs};
use crate::graph::Net;

/// The components found so far: the members of component `c` are
/// `members[start[c]..start[c + 1]]` for `c` below `count`.
pub(super) struct Published {
    members: Vec<AtomicU32>,
    start: Vec<AtomicU32>,
    count: AtomicUsize,
    /// Set once a component of at least `EARLY_MIN` members is published:
    /// the reader starts then (see [`Published::components`]).
    go: AtomicBool,
    /// Set when the search has ended (or stopped on a panic): no more
    /// components will come.
    done: AtomicBool,
    /// All the components, once the search has ended.
    whole: OnceLock<Sccs>,
}

/// A component this large makes the reader start before the search ends.
const EARLY_MIN: usize = 20_000;

impl Published {
    /// Room for the components of a search over `n` entities.
    pub(super) fn new(n: usize) -> Published {
        Published {
            members: (0..n).map(|_| AtomicU32::new(0)).collect(),
            start: (0..=n).map(|_| AtomicU32::new(0)).collect(),
            count: AtomicUsize::new(0),
            go: AtomicBool::new(false),
            done: AtomicBool::new(false),
            whole: OnceLock::new(),
        }
    }

    /// Finds the components of the edges `e` with `follow(e)` ([`Sccs::of`]),
    /// publishing each as it is found, and returns them all.
    pub(super) fn search(&self, net: &Net, follow: impl Fn(usize) -> bool) -> &Sccs {
        // Ends the reading when the search ends, and when it stops on a
        // panic: the reader never waits for a search that will not come.
        let _end = End(self);
        self.whole
            .get_or_init(|| Sccs::publishing(net, follow, self))
    }

    /// The components for the reader: once the search has found a large
    /// component, each as it is published (the reader starts then);
    /// else, once the search has ended, all of them at hand. Before
    /// either, the reader waits: small components solve fast, and solving
    /// them beside the search only slows the search down (the two share
    /// the memory bus), and with it whatever waits for the search on its
    /// thread.
    pub(super) fn components(&self) -> Start<'_> {
        loop {
            if self.go.load(Ordering::Acquire) {
                return Start::Early(self.reader());
            }
            if self.done.load(Ordering::Acquire) {
                return match self.whole.get() {
                    Some(sccs) => Start::Whole(sccs),
                    None => Start::Stopped,
                };
            }
            std::thread::sleep(std::time::Duration::from_micros(100));
        }
    }

    /// Publishes the next component, whose members start at `from` among
    /// all members found (the search appends them in order).
    pub(super) fn publish(&self, from: usize, comp: &[u32]) {
        for (slot, &v) in self.members[from..from + comp.len()].iter().zip(comp) {
            slot.store(v, Ordering::Relaxed);
        }
        let c = self.count.load(Ordering::Relaxed);
        self.start[c + 1].store((from + comp.len()) as u32, Ordering::Relaxed);
        // Release: a reader that sees the new count sees the members too.
        self.count.store(c + 1, Ordering::Release);
        if comp.len() >= EARLY_MIN {
            self.go.store(true, Ordering::Release);
        }
    }

    fn reader(&self) -> Reader<'_> {
        Reader {
            published: self,
            known: 0,
            comp: Vec::new(),
        }
    }
}

/// Says, when dropped, that no more components will come.
struct End<'a>(&'a Published);

impl Drop for End<'_> {
    fn drop(&mut self) {
        self.0.done.store(true, Ordering::Release);
    }
}

/// Reads the components in order, each waiting for its search to find it.
pub(super) struct Reader<'a> {
    published: &'a Published,
    /// Components known to be published.
    known: usize,
    /// The members of the component read last.
    comp: Vec<u32>,
}

impl Reader<'_> {
    /// Whether component `c` is published, waiting for it while the search
    /// goes on.
    fn wait_for(&mut self, c: usize) -> bool {
        let p = self.published;
        let mut spins = 0u32;
        while c >= self.known {
            // Read `done` before the count: a search that ended had
            // published all it found by then.
            let done = p.done.load(Ordering::Acquire);
            self.known = p.count.load(Ordering::Acquire);
            if c < self.known {
                break;
            }
            if done {
                return false;
            }
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        true
    }
}

/// What [`Published::components`] gives the reader.
pub(super) enum Start<'a> {
    /// Each component as it is published.
    Early(Reader<'a>),
    /// All of them, the search having ended.
    Whole(&'a Sccs),
    /// None: the search stopped on a panic (which reaches the caller from
    /// its own thread).
    Stopped,
}

impl Components for Start<'_> {
    fn get(&mut self, c: usize) -> Option<&[u32]> {
        match self {
            Start::Early(reader) => reader.get(c),
            Start::Whole(sccs) => sccs.get(c),
            Start::Stopped => None,
        }
    }

    fn first_member(&self, c: usize) -> Option<u32> {
        match self {
            Start::Early(reader) => reader.first_member(c),
            Start::Whole(sccs) => sccs.first_member(c),
            Start::Stopped => None,
        }
    }
}

impl Components for Reader<'_> {
    fn get(&mut self, c: usize) -> Option<&[u32]> {
        if !self.wait_for(c) {
            return None;
        }
        let p = self.published;
        let (a, b) = (
            p.start[c].load(Ordering::Relaxed) as usize,
            p.start[c + 1].load(Ordering::Relaxed) as usize,
        );
        self.comp.clear();
        self.comp
            .extend(p.members[a..b].iter().map(|m| m.load(Ordering::Relaxed)));
        Some(&self.comp)
    }

    fn first_member(&self, c: usize) -> Option<u32> {
        let p = self.published;
        (c < self.known).then(|| {
            let at = p.start[c].load(Ordering::Relaxed) as usize;
            p.members[at].load(Ordering::Relaxed)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::both;

    #[test]
    fn a_reader_on_another_thread_gets_every_component_in_order() {
        let comps: Vec<Vec<u32>> = (0..5_000u32)
            .map(|c| (0..1 + c % 4).map(|i| c * 4 + i).collect())
            .collect();
        let n = comps.iter().map(Vec::len).sum();
        let published = Published::new(n);
        let (read, ()) = both(
            || {
                let mut reader = published.reader();
                let mut read = Vec::new();
                let mut c = 0;
                while let Some(comp) = reader.get(c) {
                    read.push(comp.to_vec());
                    c += 1;
                }
                read
            },
            || {
                let _end = End(&published);
                let mut from = 0;
                for comp in &comps {
                    published.publish(from, comp);
                    from += comp.len();
                }
            },
        );
        assert_eq!(read, comps);
    }

    #[test]
    fn a_search_that_stops_early_ends_the_reading() {
        let published = Published::new(10);
        {
            let _end = End(&published);
            published.publish(0, &[3, 4]);
        }
        let mut reader = published.reader();
        assert_eq!(reader.get(0), Some(&[3, 4][..]));
        assert_eq!(reader.first_member(0), Some(3));
        assert_eq!(reader.get(1), None);
        // Nothing large was found and the search left no components.
        assert!(matches!(published.components(), Start::Stopped));
    }
}
