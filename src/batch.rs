//! A file of what-if scenarios evaluated two at a time and handed back in
//! file order. A scenario at the core of a large graph keeps one core busy
//! with X while the other soon has nothing to do (benches/README.md), so two
//! scenarios side by side finish sooner.
//!
//! Owns the order, the threads and how far ahead they may run; what a
//! scenario changes and how it is evaluated stays in `scenario/`. The
//! results do not depend on which worker took a scenario or when: each
//! worker evaluates on its own copy of the net (the edits of a scenario
//! are laid over it and taken off again), or both share it when no
//! scenario lays edits over it (as when each is evaluated in full).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex, OnceLock, PoisonError};

use crate::analysis::incremental::Incremental;
use crate::analysis::{Outcome, Settings};
use crate::graph::Net;
use crate::load;
use crate::model::Model;
use crate::scenario::{self, Applied, Change, Scenario, ScenarioError, WhatIfFlags};

/// How many scenarios may be in hand at once, from the next one to hand
/// back on: each evaluated one waits with its every number (tens of
/// megabytes at a million entities) until those before it are handed
/// back. Three, so that a worker done with a quick scenario takes the
/// next while the other is still at a slow one before it (with two it
/// waited: benches/README.md).
const WINDOW: usize = 3;

/// One scenario applied to the loaded graph, and its evaluation. A
/// changed copy of the graph comes without its relationships
/// ([`Applied::rows_only`]): its callers read its rows (entities, names,
/// listings, meta), and its evaluation reads only its net.
pub struct Evaluated<'m> {
    pub applied: Applied<'m>,
    pub outcome: Outcome,
}

/// What every scenario is evaluated against: the loaded graph and
/// command line, and the base evaluation when there is one
/// (`Incremental`; `None` where each scenario is evaluated in full: with
/// `--max-depth`, and for `report --scenarios`).
pub struct Against<'a, 'm> {
    pub model: &'m Model,
    pub base: Option<(&'a Incremental, &'a Outcome)>,
    pub settings: &'a Settings,
    pub extra: &'a WhatIfFlags,
    /// The loaded graph's ids interned, made by the first scenario that
    /// adds records, for all of them ([`scenario::apply_seeded`]).
    pub seed: OnceLock<load::Seed>,
}

/// Applies and evaluates each of `scenarios` on `net`, two at a time, and
/// hands each result to `take` on this thread, in file order. Stops at the
/// first `Err` that `take` returns (a scenario that cannot be applied is
/// handed over as an `Err` too) and returns it; nothing after it is handed
/// over. `net` comes back as it was.
///
/// # Complexity
/// One [`Applied::evaluate_from`] per scenario (or [`Applied::evaluate`]
/// without a base), two at once; a copy of the arrays edits write when a
/// scenario lays edits over the net; at most `WINDOW` evaluated
/// scenarios held at once.
pub fn each<'m, E>(
    net: &mut Net,
    against: &Against<'_, 'm>,
    scenarios: &[Scenario],
    mut take: impl FnMut(usize, Result<Evaluated<'m>, ScenarioError>) -> Result<(), E>,
) -> Result<(), E> {
    if scenarios.len() < 2 {
        for (i, s) in scenarios.iter().enumerate() {
            take(i, evaluate(&mut Slot::Own(net), against, i, s))?;
        }
        return Ok(());
    }
    let queue = Queue::default();
    // A net of its own for each worker when a scenario will lay edits
    // over one (only an incremental evaluation does: a full one lays them
    // over a copy of its own); else both read the loaded net.
    let laying = against.base.is_some() && scenarios.iter().any(lays_edits);
    let mut copy = laying.then(|| net.clone());
    let slots = match &mut copy {
        Some(copy) => [Slot::Own(net), Slot::Own(copy)],
        None => [Slot::Shared(net), Slot::Shared(net)],
    };
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel();
        for mut slot in slots {
            let (tx, queue) = (tx.clone(), &queue);
            s.spawn(move || {
                let _guard = StopOnPanic(queue);
                while let Some(i) = queue.claim(scenarios.len()) {
                    let result = evaluate(&mut slot, against, i, &scenarios[i]);
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Results that came back before an earlier one, by index.
        let mut early = BTreeMap::new();
        let mut next = 0;
        let handed = rx.iter().try_for_each(|(i, result)| {
            early.insert(i, result);
            while let Some(result) = early.remove(&next) {
                take(next, result)?;
                next += 1;
                queue.handed(next);
            }
            Ok(())
        });
        if handed.is_err() {
            queue.stop();
        }
        handed
    })
}

/// Stops the queue when its worker panics, so that the other worker does
/// not wait for the scenario that will never come back and the scope
/// ends, passing the panic on.
struct StopOnPanic<'q>(&'q Queue);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

/// Whether applying `s` may lay edits over the loaded net (a share set or
/// a relationship removed: `scenario::apply`), so that a worker needs a
/// net of its own.
fn lays_edits(s: &Scenario) -> bool {
    s.changes
        .iter()
        .any(|c| matches!(c, Change::SetShare { .. } | Change::Remove { .. }))
}

/// The net a worker evaluates on: its own, which edits may be laid over,
/// or one shared read-only.
enum Slot<'n> {
    Own(&'n mut Net),
    Shared(&'n Net),
}

impl Slot<'_> {
    fn net(&self) -> &Net {
        match self {
            Slot::Own(net) => net,
            Slot::Shared(net) => net,
        }
    }
}

fn evaluate<'m>(
    slot: &mut Slot<'_>,
    against: &Against<'_, 'm>,
    i: usize,
    s: &Scenario,
) -> Result<Evaluated<'m>, ScenarioError> {
    let mut applied = scenario::apply_seeded(
        against.model,
        slot.net(),
        (i, s),
        against.settings,
        against.extra,
        &against.seed,
    )?;
    // Before the evaluation: three copies in hand held a gigabyte of
    // relationships at 4M.
    applied.rows_only();
    let outcome = match (against.base, slot) {
        (Some((incremental, base)), Slot::Own(net)) => {
            applied.evaluate_from(net, incremental, base)
        }
        (Some((incremental, base)), Slot::Shared(net)) => {
            applied.evaluate_shared(net, incremental, base)
        }
        (None, slot) => applied.evaluate(slot.net()),
    };
    Ok(Evaluated { applied, outcome })
}

/// Which scenario a worker takes next, and how far ahead of the one to be
/// handed back it may go.
#[derive(Default)]
struct Queue {
    next: AtomicUsize,
    /// The number of scenarios handed back so far.
    handed: Mutex<usize>,
    moved: Condvar,
    stop: AtomicBool,
}

impl Queue {
    /// The next scenario of `count` to evaluate, once it is fewer than
    /// [`WINDOW`] past the next to be handed back; `None` when none is
    /// left or the run stops.
    ///
    /// Never waits forever: the scenario to be handed back next was
    /// claimed before this one and is within the window, so it is being
    /// evaluated.
    fn claim(&self, count: usize) -> Option<usize> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        if i >= count {
            return None;
        }
        let mut handed = self.handed.lock().unwrap_or_else(PoisonError::into_inner);
        while i >= *handed + WINDOW && !self.stop.load(Ordering::Relaxed) {
            handed = self
                .moved
                .wait(handed)
                .unwrap_or_else(PoisonError::into_inner);
        }
        (!self.stop.load(Ordering::Relaxed)).then_some(i)
    }

    fn handed(&self, count: usize) {
        *self.handed.lock().unwrap_or_else(PoisonError::into_inner) = count;
        self.moved.notify_all();
    }

    fn stop(&self) {
        // Under the lock, so that a worker between its check and its wait
        // cannot miss it.
        let _handed = self.handed.lock().unwrap_or_else(PoisonError::into_inner);
        self.stop.store(true, Ordering::Relaxed);
        self.moved.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{evaluate_with, Options};
    use crate::scenario::tests::{fingerprint, random_graph, random_scenario};
    use crate::scenario::{apply, base_options};
    use std::time::Duration;

    /// Every number of an outcome, bit for bit: x, X and d, reach, R, R+
    /// and the warnings.
    type Bits = (Vec<u64>, Vec<u32>, Vec<bool>, Vec<bool>, Vec<String>);

    fn bits(o: &Outcome) -> Bits {
        let values = [&o.total, &o.upper, &o.direct];
        (
            values
                .iter()
                .flat_map(|v| v.iter().map(|x| x.to_bits()))
                .collect(),
            o.reach.clone(),
            o.restricted.in_r.clone(),
            o.restricted.in_r_plus.clone(),
            o.warnings.clone(),
        )
    }

    #[test]
    fn two_at_a_time_hands_back_what_one_at_a_time_gives_in_file_order() {
        let mut laid = 0;
        for seed in 1..60u64 {
            let json = random_graph(seed);
            let model = crate::load::from_json(json.as_bytes()).unwrap();
            let mut net = Net::build(&model);
            let before = fingerprint(&net);
            let mut next = crate::testing::random(seed * 11 + 3);
            let settings = Settings::default();
            let extra = WhatIfFlags::default();
            let scenarios: Vec<Scenario> = (0..2 + next(10))
                .map(|_| random_scenario(&model, &mut next))
                .collect();
            laid += scenarios.iter().filter(|s| lays_edits(s)).count();
            // Sweeps on components above 2 entities, or dense solves.
            let dense_max = [2, usize::MAX][next(2) as usize];
            let opts = base_options(&model, &settings);
            let outcome = evaluate_with(&net, &opts, dense_max);
            let mut incremental = Incremental::new(&net, &opts);
            incremental.dense_max = dense_max;
            for base in [Some((&incremental, &outcome)), None] {
                let against = Against {
                    model: &model,
                    base,
                    settings: &settings,
                    extra: &extra,
                    seed: Default::default(),
                };
                let mut handed = Vec::new();
                let done = each(&mut net, &against, &scenarios, |i, r| {
                    handed.push((i, r.map(|e| (bits(&e.outcome), e.applied.opts))));
                    Ok::<(), ()>(())
                });
                assert_eq!(done, Ok(()));
                assert_eq!(fingerprint(&net), before, "seed {seed}: the net changed");
                assert_eq!(handed.len(), scenarios.len(), "seed {seed}");
                for (k, (i, r)) in handed.into_iter().enumerate() {
                    assert_eq!(i, k, "seed {seed}: handed out of order");
                    let one = apply(&model, &net, i, &scenarios[i], &settings, &extra);
                    let one = one.map(|a| {
                        let o = match base {
                            Some((incremental, base)) => {
                                a.evaluate_from(&mut net, incremental, base)
                            }
                            None => a.evaluate(&net),
                        };
                        (bits(&o), a.opts)
                    });
                    match (r, one) {
                        (Ok((two, opts)), Ok((one, one_opts))) => {
                            assert!(two == one, "seed {seed}: scenario {i} differs");
                            assert_eq!(format!("{opts:?}"), format!("{one_opts:?}"));
                        }
                        (Err(a), Err(b)) => assert_eq!(a, b, "seed {seed}"),
                        (a, b) => {
                            panic!("seed {seed} scenario {i}: {:?} vs {:?}", a.err(), b.err())
                        }
                    }
                }
            }
        }
        assert!(laid > 100, "only {laid} scenarios laid edits over the net");
    }

    /// A graph of two sellers and a listed buyer, and `count` scenarios,
    /// those in `bad` naming an edge that is not there.
    fn small(count: usize, bad: &[usize]) -> (Model, Vec<Scenario>) {
        let json = r#"{"format":"exposure-graph/1",
            "entities":[{"id":"a","name":"A"},{"id":"b","name":"B"},{"id":"r","name":"R"}],
            "relationships":[{"type":"supplies","from":"a","to":"b","share":0.5},
                             {"type":"supplies","from":"b","to":"r","share":0.5}],
            "listings":[{"entity":"r","list":"BIS Entity List"}]}"#;
        let model = crate::load::from_json(json.as_bytes()).unwrap();
        let scenarios = (0..count)
            .map(|i| Scenario {
                name: format!("s{i}"),
                settings: Settings::default(),
                changes: vec![Change::SetShare {
                    from: if bad.contains(&i) { "r" } else { "a" }.into(),
                    to: "b".into(),
                    share: Some(0.25),
                    share_min: None,
                    share_max: None,
                }],
            })
            .collect();
        (model, scenarios)
    }

    #[test]
    fn the_first_scenario_that_fails_is_the_last_handed_back() {
        let (model, scenarios) = small(12, &[5, 9]);
        let mut net = Net::build(&model);
        let opts: Options = base_options(&model, &Settings::default());
        let outcome = crate::analysis::evaluate(&net, &opts);
        let incremental = Incremental::new(&net, &opts);
        let (settings, extra) = (Settings::default(), WhatIfFlags::default());
        let against = Against {
            model: &model,
            base: Some((&incremental, &outcome)),
            settings: &settings,
            extra: &extra,
            seed: Default::default(),
        };
        let mut handed = Vec::new();
        let done = each(&mut net, &against, &scenarios, |i, r| {
            handed.push(i);
            r.map(|_| ()).map_err(|e| (i, e.message))
        });
        let (at, message) = done.unwrap_err();
        assert_eq!(at, 5);
        assert!(message.contains("no supplies edge from \"r\""), "{message}");
        assert_eq!(handed, (0..=5).collect::<Vec<_>>());
        // And a stop asked for by the taker.
        let mut handed = Vec::new();
        let done = each(&mut net, &against, &scenarios, |i, _| {
            handed.push(i);
            if i == 2 {
                return Err("enough");
            }
            Ok(())
        });
        assert_eq!(done, Err("enough"));
        assert_eq!(handed, [0, 1, 2]);
    }

    /// A queue whose window is full: the first scenarios claimed, none
    /// handed back.
    fn full() -> Queue {
        let queue = Queue::default();
        for i in 0..WINDOW {
            assert_eq!(queue.claim(10), Some(i));
        }
        queue
    }

    /// Claims on another thread, sees that the claim waits, does `then`,
    /// and returns what the claim got.
    fn claim_waiting(queue: &Queue, then: impl FnOnce()) -> Option<usize> {
        std::thread::scope(|s| {
            let (tx, rx) = mpsc::channel();
            s.spawn(move || tx.send(queue.claim(10)).unwrap());
            let early = rx.recv_timeout(Duration::from_millis(200));
            assert!(early.is_err(), "the claim did not wait: {early:?}");
            then();
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(got) => got,
                Err(e) => {
                    // Free the claim, so that the scope ends and the test fails.
                    queue.stop();
                    panic!("the claim still waits: {e}");
                }
            }
        })
    }

    #[test]
    fn a_worker_waits_until_the_scenario_window_moves() {
        let queue = full();
        assert_eq!(claim_waiting(&queue, || queue.handed(1)), Some(WINDOW));
        // A stop ends the wait with nothing to do.
        assert_eq!(claim_waiting(&queue, || queue.stop()), None);
        assert_eq!(queue.claim(3), None);
    }

    #[test]
    fn a_worker_that_panics_stops_the_other() {
        let queue = full();
        let panics = || {
            let _guard = StopOnPanic(&queue);
            panic!("a worker fails");
        };
        let stopped = claim_waiting(&queue, || {
            assert!(std::thread::scope(|s| s.spawn(panics).join()).is_err());
        });
        assert_eq!(stopped, None);
    }
}
