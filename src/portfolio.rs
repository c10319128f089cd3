//! Portfolios (exposure spec, section 6): a holdings file read and resolved
//! against a model, and the portfolio's figures as a pure function of an
//! [`Outcome`].
//!
//! **Invariant:** `read` stops at the first bad row with a message that
//! names the file, the line and the culprit; a [`Portfolio`] that leaves it
//! has at least one holding, finite non-negative weights and a positive
//! total. [`Figures::of`] does no IO and sums in holding order, so the same
//! portfolio and outcome give the same bits.

use std::collections::HashMap;
use std::path::Path;

use crate::analysis::Outcome;
use crate::model::{EntityIx, Model};

/// One holding: an entity and its weight as the file gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct Holding {
    pub entity: EntityIx,
    /// The weight as written (a market value, a count, a percent).
    pub weight: f64,
    /// The line of the file where the entity first appears.
    pub line: u64,
}

/// The holdings of one file, each entity once (an entity named on several
/// lines is one holding with the weights added), in file order.
#[derive(Clone, Debug)]
pub struct Portfolio {
    /// The file, as given on the command line.
    pub origin: String,
    pub holdings: Vec<Holding>,
    /// The sum of the weights (> 0).
    pub weight_total: f64,
}

impl Portfolio {
    /// The held entities, in file order.
    pub fn entities(&self) -> Vec<EntityIx> {
        self.holdings.iter().map(|h| h.entity).collect()
    }
}

/// Why a holdings file was refused: the file, the line (when one is to
/// blame) and what is wrong there.
#[derive(Debug, thiserror::Error)]
#[error("{origin}{}: {what}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct PortfolioError {
    pub origin: String,
    pub line: Option<u64>,
    pub what: String,
}

/// Which column names a holding.
#[derive(Clone, Copy)]
enum Names {
    Entity(usize),
    Ticker(usize),
    /// Both columns: the entity when its cell is not empty, else the ticker.
    Both(usize, usize),
}

/// Reads and resolves the holdings file at `path` against `model`.
///
/// # Complexity
/// O(size of the file), plus O(V) once when a `ticker` column is used.
pub fn read(path: &Path, model: &Model) -> Result<Portfolio, PortfolioError> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| PortfolioError {
        origin: origin.clone(),
        line: None,
        what: format!("cannot read the holdings file: {e}"),
    })?;
    parse(&bytes, &origin, model)
}

/// Parses and resolves holdings given as CSV bytes; `origin` names them in
/// messages.
pub fn parse(bytes: &[u8], origin: &str, model: &Model) -> Result<Portfolio, PortfolioError> {
    let fail = |line: Option<u64>, what: String| PortfolioError {
        origin: origin.to_string(),
        line,
        what,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(fail(
            None,
            "the holdings file is empty; it needs a header row with the columns entity (or ticker) \
             and weight, then one row per holding"
                .into(),
        ));
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let next = |records: &mut ::csv::StringRecordsIter<&[u8]>| match records.next() {
        None => Ok(None),
        Some(Ok(r)) => Ok(Some(r)),
        Some(Err(e)) => {
            let line = e.position().map(|p| p.line());
            Err(fail(
                line,
                format!("not a readable CSV row: {}", csv_reason(&e)),
            ))
        }
    };
    let header =
        next(&mut records)?.ok_or_else(|| fail(None, "the holdings file is empty".into()))?;
    let line_of = |r: &::csv::StringRecord| r.position().map_or(1, |p| p.line());
    let header_line = line_of(&header);
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let columns = header
        .iter()
        .map(|h| format!("{:?}", h.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let names = match (column("entity"), column("ticker")) {
        (Some(e), Some(t)) => Names::Both(e, t),
        (Some(e), None) => Names::Entity(e),
        (None, Some(t)) => Names::Ticker(t),
        (None, None) => {
            return Err(fail(
                Some(header_line),
                format!(
                    "no entity column: the header needs a column named entity (an entity id) \
                     or ticker (its columns: {columns})"
                ),
            ))
        }
    };
    let Some(weight_col) = column("weight") else {
        return Err(fail(
            Some(header_line),
            format!(
                "no weight column: the header needs a column named weight (its columns: {columns})"
            ),
        ));
    };

    let mut tickers: Option<HashMap<String, Vec<EntityIx>>> = None;
    let mut holdings: Vec<Holding> = Vec::new();
    let mut at: HashMap<EntityIx, usize> = HashMap::new();
    let mut lines = (u64::MAX, 0u64);
    while let Some(record) = next(&mut records)? {
        let line = line_of(&record);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |c: usize| record.get(c).unwrap_or("").trim();
        let entity = match names {
            Names::Entity(e) => by_id(model, cell(e)),
            Names::Both(e, _) if !cell(e).is_empty() => by_id(model, cell(e)),
            Names::Ticker(t) | Names::Both(_, t) => {
                let map = tickers.get_or_insert_with(|| ticker_index(model));
                by_ticker(model, map, cell(t))
            }
        }
        .map_err(|what| fail(Some(line), what))?;
        let weight = parse_weight(cell(weight_col)).map_err(|what| fail(Some(line), what))?;
        lines = (lines.0.min(line), lines.1.max(line));
        match at.get(&entity) {
            Some(&k) => holdings[k].weight += weight,
            None => {
                at.insert(entity, holdings.len());
                holdings.push(Holding {
                    entity,
                    weight,
                    line,
                });
            }
        }
    }
    if holdings.is_empty() {
        return Err(fail(
            Some(header_line),
            "no holdings: the header is followed by no row; add one row per holding".into(),
        ));
    }
    let weight_total: f64 = holdings.iter().map(|h| h.weight).sum();
    if !(weight_total > 0.0 && weight_total.is_finite()) {
        let what = if weight_total > 0.0 {
            "the weights add up to more than a number can hold; scale them down".to_string()
        } else {
            "every weight is 0, so the weights sum to 0 and cannot be normalised; give at least one holding a positive weight".to_string()
        };
        return Err(fail(None, format!("lines {}–{}: {what}", lines.0, lines.1)));
    }
    Ok(Portfolio {
        origin: origin.to_string(),
        holdings,
        weight_total,
    })
}

fn csv_reason(e: &::csv::Error) -> String {
    match e.kind() {
        ::csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".into(),
        _ => e.to_string(),
    }
}

fn by_id(model: &Model, id: &str) -> Result<EntityIx, String> {
    if id.is_empty() {
        return Err("no entity: the entity cell is empty".into());
    }
    model
        .find(id)
        .ok_or_else(|| format!("unknown entity {id:?}: no entity of the graph has this id"))
}

/// Entities by ticker, compared without regard to ASCII case.
fn ticker_index(model: &Model) -> HashMap<String, Vec<EntityIx>> {
    let mut map: HashMap<String, Vec<EntityIx>> = HashMap::new();
    for (v, e) in model.entities.iter().enumerate() {
        if let Some(t) = e.ticker {
            let t = model.str(t).trim().to_ascii_uppercase();
            if !t.is_empty() {
                map.entry(t).or_default().push(v as EntityIx);
            }
        }
    }
    map
}

fn by_ticker(
    model: &Model,
    map: &HashMap<String, Vec<EntityIx>>,
    ticker: &str,
) -> Result<EntityIx, String> {
    if ticker.is_empty() {
        return Err("no entity: the ticker cell is empty".into());
    }
    match map.get(&ticker.to_ascii_uppercase()).map(Vec::as_slice) {
        None | Some([]) => Err(format!(
            "unknown ticker {ticker:?}: no entity of the graph has this ticker"
        )),
        Some([v]) => Ok(*v),
        Some(many) => {
            let mut ids: Vec<&str> = many.iter().map(|&v| model.id(v)).collect();
            ids.sort_unstable();
            Err(format!(
                "ambiguous ticker {ticker:?}: the entities {} have it; name the entity in an entity column",
                ids.join(", ")
            ))
        }
    }
}

/// A weight: a finite number, 0 or more.
fn parse_weight(s: &str) -> Result<f64, String> {
    if s.is_empty() {
        return Err("no weight: the weight cell is empty".into());
    }
    let w: f64 = s
        .parse()
        .map_err(|_| format!("weight {s:?} is not a number"))?;
    if !w.is_finite() {
        Err(format!("weight {s:?} is not a finite number"))
    } else if w < 0.0 {
        Err(format!("weight {s} is negative; weights are 0 or more"))
    } else {
        Ok(w)
    }
}

/// One holding's part of the portfolio's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    pub entity: EntityIx,
    /// The normalised weight w(h).
    pub weight: f64,
    /// x(h) and X(h).
    pub total: f64,
    pub upper: f64,
    /// w(h)·x(h) and w(h)·X(h).
    pub contribution: f64,
    pub contribution_upper: f64,
}

/// A holding that is itself in R+.
pub type RestrictedHolding = crate::analysis::restricted::Named;

/// The portfolio's figures under one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// The holdings file, as given.
    pub origin: String,
    pub holdings: usize,
    pub weight_total: f64,
    /// Σ w(h)·x(h) and Σ w(h)·X(h).
    pub total: f64,
    pub upper: f64,
    /// Holdings in R, then those only in R+, each sorted by id.
    pub restricted: Vec<RestrictedHolding>,
    /// One per holding: by contribution, then contribution_upper
    /// (both descending), then id.
    pub contributions: Vec<Contribution>,
}

impl Figures {
    /// The figures of `p` under `outcome` (whose entities include the
    /// portfolio's: a scenario only appends entities). `id` gives an
    /// entity's id, for the orders.
    ///
    /// # Complexity
    /// O(H log H + |R+|) for H holdings.
    pub fn of<'a>(p: &Portfolio, outcome: &Outcome, id: impl Fn(EntityIx) -> &'a str) -> Figures {
        let mut contributions: Vec<Contribution> = p
            .holdings
            .iter()
            .map(|h| {
                let w = h.weight / p.weight_total;
                let (x, up) = (
                    outcome.total[h.entity as usize],
                    outcome.upper[h.entity as usize],
                );
                Contribution {
                    entity: h.entity,
                    weight: w,
                    total: x,
                    upper: up,
                    contribution: w * x,
                    contribution_upper: w * up,
                }
            })
            .collect();
        // Summed in file order, before sorting.
        let total = contributions.iter().map(|c| c.contribution).sum();
        let upper = contributions.iter().map(|c| c.contribution_upper).sum();
        contributions.sort_by(|a, b| {
            b.contribution
                .total_cmp(&a.contribution)
                .then(b.contribution_upper.total_cmp(&a.contribution_upper))
                .then_with(|| id(a.entity).cmp(id(b.entity)))
        });

        let r = &outcome.restricted;
        let held: HashMap<EntityIx, ()> = p.holdings.iter().map(|h| (h.entity, ())).collect();
        let restricted = r.named(|v| held.contains_key(&v), &id);
        Figures {
            origin: p.origin.clone(),
            holdings: p.holdings.len(),
            weight_total: p.weight_total,
            total,
            upper,
            restricted,
            contributions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{evaluate, Options, Via};
    use crate::graph::Net;
    use crate::load;

    /// The spec's worked example (section 4), with tickers.
    const WORKED: &str = r#"{"format":"exposure-graph/1",
      "entities":[{"id":"A","name":"A","revenue":1000,"ticker":"AAA"},
                  {"id":"B","name":"B","ticker":"BBB"},{"id":"C","name":"C","ticker":"dup"},
                  {"id":"H","name":"H","ticker":"DUP"}],
      "relationships":[{"type":"supplies","from":"A","to":"H","share":0.1},
                       {"type":"supplies","from":"A","to":"B","share":0.5},
                       {"type":"supplies","from":"B","to":"H","share":0.4},
                       {"type":"supplies","from":"B","to":"C"},
                       {"type":"supplies","from":"C","to":"H","share":0.2}],
      "listings":[{"entity":"H","list":"CMIC"}]}"#;

    fn model() -> Model {
        load::from_json(WORKED.as_bytes()).expect("a valid graph")
    }

    fn figures(csv: &str) -> Figures {
        let m = model();
        let p = parse(csv.as_bytes(), "p.csv", &m).expect("a valid portfolio");
        let outcome = evaluate(&Net::build(&m), &Options::default());
        Figures::of(&p, &outcome, |v| m.id(v))
    }

    fn error(csv: &str) -> String {
        parse(csv.as_bytes(), "p.csv", &model())
            .expect_err("a bad portfolio")
            .to_string()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn the_worked_example_weighs_each_holding() {
        // x: A 0.3, B 0.4, C 0.2, H 0; X: A 0.36, B 0.52, C 0.2, H 0.
        // Weights 50, 30, 20 → 0.5, 0.3, 0.2.
        let f = figures("entity,weight,note\nA,50,x\nB,30,\nH,20,listed\n");
        assert_eq!((f.holdings, f.weight_total), (3, 100.0));
        close(f.total, 0.5 * 0.3 + 0.3 * 0.4);
        close(f.upper, 0.5 * 0.36 + 0.3 * 0.52);
        let ids: Vec<EntityIx> = f.contributions.iter().map(|c| c.entity).collect();
        assert_eq!(ids, vec![0, 1, 3]); // A 0.15, B 0.12, H 0
        close(f.contributions[1].weight, 0.3);
        close(f.contributions[1].contribution_upper, 0.3 * 0.52);
        assert_eq!(
            f.restricted,
            vec![RestrictedHolding {
                entity: 3,
                via: Via::Listing,
                lists: vec!["CMIC".into()]
            }]
        );
    }

    #[test]
    fn tickers_resolve_and_repeated_holdings_add_up() {
        let f = figures("ticker,weight\naaa,1\n BBB ,1\nAAA,2\n");
        assert_eq!(f.holdings, 2);
        close(f.total, 0.75 * 0.3 + 0.25 * 0.4);
    }

    #[test]
    fn ties_are_broken_by_id() {
        let f = figures("entity,weight\nH,1\nC,0\nB,0\n");
        let ids: Vec<EntityIx> = f.contributions.iter().map(|c| c.entity).collect();
        assert_eq!(ids, vec![1, 2, 3]);
    }

    #[test]
    fn bad_files_name_the_line_and_the_culprit() {
        for (csv, want) in [
            ("", "p.csv: the holdings file is empty"),
            ("entity,weight\n", "p.csv:1: no holdings"),
            ("name,weight\nA,1\n", "p.csv:1: no entity column"),
            ("entity,value\nA,1\n", "p.csv:1: no weight column"),
            ("entity,weight\nA,1\nZ,1\n", "p.csv:3: unknown entity \"Z\""),
            (
                "ticker,weight\nAAA,1\nXYZ,1\n",
                "p.csv:3: unknown ticker \"XYZ\"",
            ),
            (
                "ticker,weight\ndup,1\n",
                "p.csv:2: ambiguous ticker \"dup\": the entities C, H",
            ),
            ("entity,weight\nA,-1\n", "p.csv:2: weight -1 is negative"),
            (
                "entity,weight\nA,abc\n",
                "p.csv:2: weight \"abc\" is not a number",
            ),
            (
                "entity,weight\nA,NaN\n",
                "p.csv:2: weight \"NaN\" is not a finite number",
            ),
            (
                "entity,weight\nA,inf\n",
                "p.csv:2: weight \"inf\" is not a finite number",
            ),
            ("entity,weight\nA,\n", "p.csv:2: no weight"),
            ("entity,weight\n,1\n", "p.csv:2: no entity"),
            (
                "entity,weight\nA,0\nB,0\n",
                "p.csv: lines 2–3: every weight is 0",
            ),
        ] {
            let got = error(csv);
            assert!(got.starts_with(want), "{csv:?}: {got}");
        }
    }
}
