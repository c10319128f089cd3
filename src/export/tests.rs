//! Every text writer fed one fixed result, its output snapshotted: the
//! example graph (`graphs/entity-list-2019.json`) evaluated as the CLI
//! does by default, with its scenarios, its portfolio and the sample of
//! the Consolidated Screening List in `tests/data/`. A change of a
//! writer's output shows here as a snapshot diff (README, "Snapshots").

use crate::analysis::paths;
use crate::analysis::timeline::{self, Timeline};
use crate::analysis::Settings;
use crate::analysis::{self, Bound, Options, Outcome};
use crate::export;
use crate::export::explain::Explanation;
use crate::export::screen::Screening;
use crate::export::whatif::Named;
use crate::graph::Net;
use crate::model::Model;
use crate::portfolio::{self, Figures};
use crate::report::{Report, Selection};
use crate::{scenario, screen};

const GRAPH: &str = include_str!("../../graphs/entity-list-2019.json");
const SCENARIOS: &str = include_str!("../../graphs/scenarios-2019.json");
const PORTFOLIO: &str = include_str!("../../graphs/portfolio-2019.csv");
const CSL: &str = include_str!("../../tests/data/csl-sample.csv");

/// The example graph, indexed and evaluated as `exposure analyze` does
/// without flags (as of the graph's `meta.as_of`).
struct Example {
    model: Model,
    net: Net,
    opts: Options,
    outcome: Outcome,
}

fn example() -> Example {
    let model = crate::load::from_json(GRAPH.as_bytes()).expect("the example graph loads");
    let net = Net::build(&model);
    let opts = Options {
        settings: crate::analysis::Settings {
            as_of: model.meta.as_of,
            ..Default::default()
        },
        ..Options::default()
    };
    let outcome = analysis::evaluate(&net, &opts);
    Example {
        model,
        net,
        opts,
        outcome,
    }
}

impl Example {
    /// The report `exposure analyze` writes (`--all` with `all`).
    fn report(&self, all: bool) -> Report<'_> {
        let mut report = Report::new(
            &self.model,
            &self.outcome,
            &self.opts,
            Selection { all, top: None },
        );
        report.what_ifs = Some(scenario::WhatIfFlags::default());
        report
    }

    fn figures(&self) -> Figures {
        let p = portfolio::parse(
            PORTFOLIO.as_bytes(),
            "graphs/portfolio-2019.csv",
            &self.model,
        )
        .expect("the example portfolio reads");
        Figures::of(&p, &self.outcome, |v| self.model.id(v))
    }
}

/// What a writer wrote, as text.
fn text(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("writers write UTF-8")
}

#[test]
fn analyze() {
    let e = example();
    let report = e.report(false);
    let names = &e.net.list_names;
    insta::assert_snapshot!(
        "analyze_table",
        text(|out| export::analyze::write_table(&report, names, out))
    );
    insta::assert_snapshot!(
        "analyze_json",
        text(|out| export::analyze::write_json(&report, out))
    );
    insta::assert_snapshot!(
        "analyze_csv",
        text(|out| export::analyze::write_csv(&report, out))
    );
}

#[test]
fn analyze_all_rows() {
    let e = example();
    let report = e.report(true);
    insta::assert_snapshot!(
        "analyze_all_table",
        text(|out| export::analyze::write_table(&report, &e.net.list_names, out))
    );
}

#[test]
fn analyze_with_a_portfolio() {
    let e = example();
    let mut report = e.report(false);
    report.portfolio = Some(e.figures());
    insta::assert_snapshot!(
        "analyze_portfolio_table",
        text(|out| export::analyze::write_table(&report, &e.net.list_names, out))
    );
    insta::assert_snapshot!(
        "analyze_portfolio_json",
        text(|out| export::analyze::write_json(&report, out))
    );
}

#[test]
fn portfolio() {
    let e = example();
    let f = e.figures();
    let m = &e.model;
    insta::assert_snapshot!(
        "portfolio_table",
        text(|out| export::portfolio::write_table(&f, m, out))
    );
    insta::assert_snapshot!(
        "portfolio_json",
        text(|out| export::portfolio::write_json_member(&f, m, out))
    );
    insta::assert_snapshot!(
        "portfolio_csv",
        text(|out| export::portfolio::write_csv(&f, m, out))
    );
}

#[test]
fn whatif() {
    let e = example();
    let scenarios = scenario::parse(SCENARIOS.as_bytes()).expect("the example scenarios parse");
    let cli = Settings::default();
    let extra = scenario::WhatIfFlags::default();
    let evaluated: Vec<_> = scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let applied = scenario::apply(&e.model, &e.net, i, s, &cli, &extra)
                .expect("every example scenario applies");
            let outcome = applied.evaluate(&e.net);
            (applied, outcome)
        })
        .collect();
    let named: Vec<Named> = scenarios
        .iter()
        .zip(&evaluated)
        .map(|(s, (applied, outcome))| Named {
            name: &s.name,
            report: Report {
                what_ifs: Some(extra.clone()),
                ..Report::new(&applied.model, outcome, &applied.opts, Selection::default())
            },
        })
        .collect();
    insta::assert_snapshot!(
        "whatif_table",
        text(|out| export::whatif::write_table(&e.model, named.as_slice(), false, None, out))
    );
    insta::assert_snapshot!(
        "whatif_json",
        text(|out| export::whatif::write_json(&named, out))
    );
    insta::assert_snapshot!(
        "whatif_csv",
        text(|out| export::whatif::write_csv(&named, out))
    );
}

#[test]
fn explain() {
    let e = example();
    let from = e
        .model
        .find("ambarella")
        .expect("the example has ambarella");
    for (bound, name) in [(Bound::Lower, "lower"), (Bound::Upper, "upper")] {
        let top = 10;
        let query = paths::Query {
            from,
            top: top + 1,
            limit: paths::MAX_PARTIAL_PATHS,
        };
        let (mut found, worst) = paths::of_bound(
            &e.net,
            &e.opts,
            &e.outcome,
            bound,
            |v| e.model.id(v),
            query,
            None,
        );
        let more = found.paths.len() > top;
        found.paths.truncate(top);
        let ends: Vec<_> = found
            .paths
            .iter()
            .filter_map(|p| p.entities.last().copied())
            .collect();
        let chains = e.outcome.restricted.chains(&e.net, &ends);
        let x = Explanation {
            model: &e.model,
            net: &e.net,
            list_names: &e.outcome.restricted.list_names,
            entity: from,
            restricted: e.outcome.restricted.in_r[from as usize],
            total: e.outcome.total[from as usize],
            upper: e.outcome.upper[from as usize],
            settings: e.opts.settings.clone(),
            worst,
            top,
            found,
            more,
            chains,
        };
        insta::assert_snapshot!(
            format!("explain_{name}_table"),
            text(|out| export::explain::write_table(&x, out))
        );
        insta::assert_snapshot!(
            format!("explain_{name}_json"),
            text(|out| export::explain::write_json(&x, out))
        );
        insta::assert_snapshot!(
            format!("explain_{name}_csv"),
            text(|out| export::explain::write_csv(&x, out))
        );
    }
}

#[test]
fn timeline() {
    let e = example();
    let events = timeline::events(&e.net, &e.opts);
    let window =
        timeline::window(&events, None, e.opts.settings.as_of).expect("the example has dates");
    let t = Timeline::build(&e.net, &e.opts, &events, window, |at_end| {
        timeline::most_exposed(at_end, 10, |v| e.model.id(v))
    });
    let settings = Settings {
        as_of: Some(window.1),
        ..e.opts.settings.clone()
    };
    let (m, names) = (&e.model, &e.net.list_names);
    insta::assert_snapshot!(
        "timeline_table",
        text(|out| export::timeline::write_table(&t, m, names, &settings, out))
    );
    insta::assert_snapshot!(
        "timeline_json",
        text(|out| export::timeline::write_json(&t, m, names, out))
    );
    insta::assert_snapshot!(
        "timeline_csv",
        text(|out| export::timeline::write_csv(&t, m, out))
    );
}

#[test]
fn screen() {
    let e = example();
    let list = screen::csl::read(CSL.as_bytes()).expect("the sample list reads");
    let opts = screen::Options::default();
    let candidates = screen::screen(&e.model, &list, &opts);
    let s = Screening {
        model: &e.model,
        list: &list,
        min_score: opts.min_score,
        floor: opts.floor,
        candidates: &candidates,
    };
    insta::assert_snapshot!(
        "screen_table",
        text(|out| export::screen::write_table(&s, out))
    );
    insta::assert_snapshot!(
        "screen_json",
        text(|out| export::screen::write_json(&s, out))
    );
    insta::assert_snapshot!("screen_csv", text(|out| export::screen::write_csv(&s, out)));
}
