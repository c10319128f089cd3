//! Exposure over time: the dates where a listing starts or ends (exposure
//! spec, section 1: in effect when `start <= D < end`), and the exposure of
//! chosen entities evaluated at each of them.
//!
//! Pure like the rest of `analysis`: no IO, and the same graph and options
//! give the same dates, events and numbers.

use super::incremental::{Chain, Incremental, Scope};
use super::{evaluate, Options, Outcome};
use crate::graph::Net;
use crate::model::{Date, EntityIx};

/// Whether a listing comes into effect or stops being in effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// In effect from this date (its `start`).
    Start,
    /// No longer in effect from this date (its `end`).
    End,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Start => "start",
            Change::End => "end",
        }
    }
}

/// One listing starting or ending on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub date: Date,
    pub entity: EntityIx,
    /// An index into `Net::list_names`.
    pub list: u32,
    pub change: Change,
}

/// The exposure of the chosen entities on one date.
#[derive(Clone, Debug)]
pub struct Point {
    pub date: Date,
    /// The listings that start or end on this date.
    pub events: Vec<Event>,
    /// Lower exposure x of each chosen entity, in `Timeline::entities` order.
    pub total: Vec<f64>,
    /// Upper exposure X of each chosen entity.
    pub upper: Vec<f64>,
    /// A figure of the whole evaluation that the caller asked for (a
    /// portfolio's total and upper), if any.
    pub figure: Option<(f64, f64)>,
}

/// The exposure of some entities at every date of `[from, to]` where a
/// listing starts or ends, and at both ends.
#[derive(Clone, Debug)]
pub struct Timeline {
    pub from: Date,
    pub to: Date,
    pub entities: Vec<EntityIx>,
    /// One point per date, in date order.
    pub points: Vec<Point>,
}

/// Every start and end of a listing that can change R under `opts`: on a
/// list that counts and of an entity not delisted by a what-if. Sorted by
/// date, change (starts first), list, then the listed entity's number of
/// suppliers in the graph (most first: those are the ones that move
/// exposure, so a shortened label names them), then the graph's order.
///
/// # Complexity
/// O(E + listings · log listings).
pub fn events(net: &Net, opts: &Options) -> Vec<Event> {
    let mut suppliers = vec![0u32; net.n];
    for &b in &net.buyer {
        suppliers[b as usize] += 1;
    }
    let counts = |list: u32, entity: EntityIx| {
        opts.settings
            .lists
            .as_ref()
            .is_none_or(|names| names.iter().any(|w| *w == net.list_names[list as usize]))
            && !opts.delist.contains(&entity)
    };
    let mut found: Vec<(usize, Event)> = Vec::new();
    for (i, l) in net.listings.iter().enumerate() {
        if !counts(l.list, l.entity) {
            continue;
        }
        let (entity, list) = (l.entity, l.list);
        if let Some(date) = l.start {
            found.push((
                i,
                Event {
                    date,
                    entity,
                    list,
                    change: Change::Start,
                },
            ));
        }
        if let Some(date) = l.end {
            found.push((
                i,
                Event {
                    date,
                    entity,
                    list,
                    change: Change::End,
                },
            ));
        }
    }
    found.sort_by(|(i, a), (j, b)| {
        (a.date, a.change, a.list)
            .cmp(&(b.date, b.change, b.list))
            .then(suppliers[b.entity as usize].cmp(&suppliers[a.entity as usize]))
            .then(i.cmp(j))
    });
    found.into_iter().map(|(_, e)| e).collect()
}

/// The default window: `to` as given, else the last event's date; `from`
/// as given, else the first event's date (or `to` when that is earlier or
/// there is none). `None` when there is no date to end at.
pub fn window(events: &[Event], from: Option<Date>, to: Option<Date>) -> Option<(Date, Date)> {
    let to = to.or(events.last().map(|e| e.date))?;
    let from = from.unwrap_or_else(|| events.first().map_or(to, |e| e.date.min(to)));
    Some((from, to))
}

/// The dates of a timeline: `from`, `to` and every event date between them,
/// sorted and without repeats. Empty when `from` is after `to`.
pub fn dates(events: &[Event], from: Date, to: Date) -> Vec<Date> {
    if from > to {
        return Vec::new();
    }
    let mut dates = vec![from, to];
    dates.extend(
        events
            .iter()
            .map(|e| e.date)
            .filter(|d| (from..=to).contains(d)),
    );
    dates.sort_unstable();
    dates.dedup();
    dates
}

/// The first `k` entities by total at this outcome's date, then upper, then
/// id (`id` gives an entity's id), among those not in R with upper > 0.
///
/// # Complexity
/// O(V log V).
pub fn most_exposed<'a>(
    outcome: &Outcome,
    k: usize,
    id: impl Fn(EntityIx) -> &'a str,
) -> Vec<EntityIx> {
    let mut rows: Vec<EntityIx> = (0..outcome.total.len() as EntityIx)
        .filter(|&v| !outcome.restricted.in_r[v as usize] && outcome.upper[v as usize] > 0.0)
        .collect();
    rows.sort_by(|&a, &b| outcome.rank(a, b, &id));
    rows.truncate(k);
    rows
}

impl Timeline {
    /// Evaluates `opts` at every date of `dates(events, from, to)`, with
    /// `as_of` set to that date. `choose` picks the entities from the
    /// evaluation at `to`, which is done first.
    ///
    /// # Complexity
    /// One [`evaluate`] per date.
    pub fn build(
        net: &Net,
        opts: &Options,
        events: &[Event],
        window: (Date, Date),
        choose: impl FnOnce(&Outcome) -> Vec<EntityIx>,
    ) -> Timeline {
        Timeline::build_with(net, opts, events, window, choose, |_| None, &[])
    }

    /// [`Timeline::build`], with `figure` taken of every date's
    /// evaluation (a portfolio's total and upper), which reads the numbers
    /// of the entities `reads` and of none other. The evaluations hold R
    /// of each date and x, X and d of the chosen entities, of `reads`
    /// and of all they sell to, directly or not; the rest, and reach, are
    /// the last date's (not solved again: no point shows them).
    ///
    /// The dates before `to` are two chains, evaluated at once on two
    /// threads: the earlier half forward from its first date, the later
    /// half backward from `to`, each date from the one beside it in its
    /// chain. Which half a date falls in depends only on the dates, so the
    /// numbers do not depend on timing.
    ///
    /// # Complexity
    /// One [`evaluate`] at `to`, then per date one `figure` and what the
    /// listings that start or end reach solved again (`incremental/`).
    pub fn build_with(
        net: &Net,
        opts: &Options,
        events: &[Event],
        (from, to): (Date, Date),
        choose: impl FnOnce(&Outcome) -> Vec<EntityIx>,
        figure: impl Fn(&Outcome) -> Option<(f64, f64)> + Sync,
        reads: &[EntityIx],
    ) -> Timeline {
        let opts_at = |date: Date| {
            let mut at = opts.clone();
            at.settings.as_of = Some(date);
            at
        };
        // Each date is the one beside it with other listings in effect:
        // only what those reach is solved again (see `incremental/`).
        let incremental = opts
            .settings
            .max_depth
            .is_none()
            .then(|| Incremental::chained(net, opts));
        let last = evaluate(net, &opts_at(to));
        let entities = choose(&last);
        // A point shows x and X of the chosen entities, and a figure of
        // those of `reads` and of R: only they and what they sell to are
        // solved again, and not reach. R changes from date to date, so
        // every sale is followed, into R too.
        let shown = net.below(entities.iter().chain(reads), &[]);
        let at = |date: Date, beside: &Outcome, chain: &Chain| match &incremental {
            Some(incremental) => {
                let scope = Scope::Within(&shown);
                incremental.evaluate_in_chain(net, beside, &opts_at(date), scope, chain)
            }
            None => evaluate(net, &opts_at(date)),
        };
        let point = |date: Date, o: &Outcome| {
            let first = events.partition_point(|e| e.date < date);
            let end = events.partition_point(|e| e.date <= date);
            Point {
                date,
                events: events[first..end].to_vec(),
                total: entities.iter().map(|&v| o.total[v as usize]).collect(),
                upper: entities.iter().map(|&v| o.upper[v as usize]).collect(),
                figure: figure(o),
            }
        };
        // Each date of `dates` (in this order) from the one before it, the
        // first from `last`.
        let chain = |dates: &mut dyn Iterator<Item = &Date>| -> Vec<Point> {
            let mut beside: Option<Outcome> = None;
            let kept = Chain::default();
            dates
                .map(|&date| {
                    let o = at(date, beside.as_ref().unwrap_or(&last), &kept);
                    let p = point(date, &o);
                    beside = Some(o);
                    p
                })
                .collect()
        };
        let all = dates(events, from, to);
        let before_to = &all[..all.partition_point(|&d| d < to)];
        let (earlier, later) = before_to.split_at(before_to.len() / 2);
        let (mut points, mut backward) = crate::parallel::both(
            || chain(&mut earlier.iter()),
            || chain(&mut later.iter().rev()),
        );
        backward.reverse();
        points.append(&mut backward);
        if all.last() == Some(&to) {
            points.push(point(to, &last));
        }
        Timeline {
            from,
            to,
            entities,
            points,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load;

    fn net(json: &str) -> Net {
        Net::build(&load::from_json(json.as_bytes()).expect("a valid test graph"))
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    /// A sells 0.3 to H (listed 2019-01-10 to 2019-03-01, then on another
    /// list from 2019-06-01) and 0.2 to K (listed from 2019-03-01).
    const G: &str = r#"{"format":"exposure-graph/1",
      "entities":[{"id":"A","name":"A"},{"id":"H","name":"H"},{"id":"K","name":"K"}],
      "relationships":[{"type":"supplies","from":"A","to":"H","share":0.3},
                       {"type":"supplies","from":"A","to":"K","share":0.2}],
      "listings":[{"entity":"H","list":"L1","start":"2019-01-10","end":"2019-03-01"},
                  {"entity":"K","list":"L1","start":"2019-03-01"},
                  {"entity":"H","list":"L2","start":"2019-06-01"}]}"#;

    #[test]
    fn events_are_every_start_and_end_in_date_order_starts_first() {
        let g = net(G);
        let ev = events(&g, &Options::default());
        let seen: Vec<(String, EntityIx, Change)> = ev
            .iter()
            .map(|e| (e.date.to_string(), e.entity, e.change))
            .collect();
        assert_eq!(
            seen,
            [
                ("2019-01-10".to_string(), 1, Change::Start),
                ("2019-03-01".to_string(), 2, Change::Start),
                ("2019-03-01".to_string(), 1, Change::End),
                ("2019-06-01".to_string(), 1, Change::Start),
            ]
        );
        let only_l2 = Options {
            settings: crate::analysis::Settings {
                lists: Some(vec!["L2".into()]),
                ..Default::default()
            },
            ..Options::default()
        };
        assert_eq!(events(&g, &only_l2).len(), 1, "--lists filters the events");
        let delisted = Options {
            delist: vec![1],
            ..Options::default()
        };
        assert_eq!(
            events(&g, &delisted).len(),
            1,
            "a delisted entity has no events"
        );
    }

    #[test]
    fn dates_are_the_ends_and_the_events_between_them_without_repeats() {
        let ev = events(&net(G), &Options::default());
        let shown = |from: &str, to: &str| -> Vec<String> {
            dates(&ev, d(from), d(to))
                .iter()
                .map(|x| x.to_string())
                .collect()
        };
        assert_eq!(
            shown("2019-01-10", "2019-06-01"),
            ["2019-01-10", "2019-03-01", "2019-06-01"]
        );
        assert_eq!(
            shown("2019-02-01", "2019-04-01"),
            ["2019-02-01", "2019-03-01", "2019-04-01"]
        );
        assert_eq!(shown("2019-03-01", "2019-03-01"), ["2019-03-01"]);
        assert!(dates(&ev, d("2019-05-01"), d("2019-04-01")).is_empty());
    }

    #[test]
    fn the_default_window_runs_from_the_first_event_to_the_last_or_the_given_end() {
        let ev = events(&net(G), &Options::default());
        assert_eq!(
            window(&ev, None, None),
            Some((d("2019-01-10"), d("2019-06-01")))
        );
        assert_eq!(
            window(&ev, None, Some(d("2019-04-01"))),
            Some((d("2019-01-10"), d("2019-04-01")))
        );
        assert_eq!(
            window(&ev, None, Some(d("2018-01-01"))),
            Some((d("2018-01-01"), d("2018-01-01")))
        );
        assert_eq!(
            window(&ev, Some(d("2019-02-01")), None),
            Some((d("2019-02-01"), d("2019-06-01")))
        );
        assert_eq!(window(&[], None, None), None);
        assert_eq!(
            window(&[], None, Some(d("2019-02-01"))),
            Some((d("2019-02-01"), d("2019-02-01")))
        );
    }

    #[test]
    fn a_listing_drops_out_on_its_end_date() {
        let g = net(G);
        let opts = Options::default();
        let ev = events(&g, &opts);
        let t = Timeline::build(&g, &opts, &ev, (d("2019-01-01"), d("2019-07-01")), |_| {
            vec![0]
        });
        let seen: Vec<(String, f64)> = t
            .points
            .iter()
            .map(|p| (p.date.to_string(), p.total[0]))
            .collect();
        let want = [
            ("2019-01-01", 0.0),
            ("2019-01-10", 0.3),
            ("2019-03-01", 0.2),
            ("2019-06-01", 0.5),
            ("2019-07-01", 0.5),
        ];
        assert_eq!(seen.len(), want.len());
        for ((date, x), (want_date, want_x)) in seen.iter().zip(want) {
            assert_eq!(date, want_date);
            assert!((x - want_x).abs() < 1e-12, "{date}: {x} != {want_x}");
        }
        let on_march = &t.points[2].events;
        assert_eq!(
            on_march
                .iter()
                .map(|e| (e.entity, e.change))
                .collect::<Vec<_>>(),
            [(2, Change::Start), (1, Change::End)]
        );
        assert!(
            t.points[0].events.is_empty() && t.points[4].events.is_empty(),
            "the window's ends need no event"
        );
    }

    #[test]
    fn the_most_exposed_leave_out_restricted_and_unexposed_entities() {
        let g = net(G);
        let o = evaluate(
            &g,
            &Options {
                settings: crate::analysis::Settings {
                    as_of: Some(d("2019-07-01")),
                    ..Default::default()
                },
                ..Options::default()
            },
        );
        let ids = ["A", "H", "K"];
        assert_eq!(most_exposed(&o, 10, |v| ids[v as usize]), [0]);
        assert!(most_exposed(&o, 0, |v| ids[v as usize]).is_empty());
    }
}
