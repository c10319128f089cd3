//! Scale benchmark: graphs of a million entities and four million
//! relationships, timed phase by phase, side by side with a bare serde_json
//! parse of the same file.
//!
//! Run: `cargo bench --bench scale` (see `benches/README.md`).
//!
//! Environment:
//! - `BENCH_RUNS` (default 5): runs per shape; every time is a median.
//! - `BENCH_ENTITIES` (default 1000000): entities per graph; relationships
//!   and listings scale with it. Other sizes use their own file names.
//! - `BENCH_REGEN=1`: regenerate the graph files even if they exist.
//!
//! Positional arguments `core` / `cycles` / `segments` pick the shapes
//! (default all three). `segments` is the core graph with a segment (a cap
//! on the sum of several sales, as a 10-K's revenue by region gives) on a
//! third of the sellers: run beside `core`, it measures what segments cost.
//! Internal modes (the bench re-executes itself so that their peak RSS is
//! their own): `--bare-parse FILE`, `--pipeline FILE`; and
//! `--write-scenarios GRAPH OUT` writes the bench's what-if file for GRAPH.

use std::env;
use std::fs::{self, File};
use std::hint::black_box;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::Deserialize;

use exposure::analysis::{self, paths, Options, Sccs};
use exposure::export;
use exposure::graph::Net;
use exposure::load;
use exposure::model::SegmentRef;
use exposure::report::{Report, Selection};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

// ---------------------------------------------------------------------------
// Deterministic PRNG: splitmix64.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform in [0, n).
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    /// floor(x) or ceil(x), with the fractional part as the chance of ceil.
    fn round(&mut self, x: f64) -> usize {
        let f = x.floor();
        f as usize + usize::from(self.f64() < x - f)
    }
}

// ---------------------------------------------------------------------------
// Graph generation.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Core,
    Cycles,
    /// The core graph plus segments on a third of the sellers.
    Segments,
    /// A curated dataset's look: a smaller core, most shares known,
    /// sellers attributing 70-100 % of their revenue, and a few short
    /// loops of shares near 1.
    Attributed,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Core => "core",
            Shape::Cycles => "cycles",
            Shape::Segments => "segments",
            Shape::Attributed => "attributed",
        }
    }
}

/// How a relationship is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Q {
    /// supplies, `share` = micro / 1e6.
    Share,
    /// supplies, `value` = floor(micro / 1e6 · seller revenue).
    Value,
    /// supplies, `share_max: 0.1` (not a named 10 % customer).
    Below10,
    /// supplies, no quantity.
    Unquantified,
    /// owns, `percent` = micro / 10.
    Percent,
    /// owns, size unknown.
    Stake,
}

/// One relationship, by internal entity index.
#[derive(Clone, Copy)]
struct Rel {
    from: u32,
    to: u32,
    micro: u32,
    q: Q,
    product: u8,
    source: u8,
    confidence: u8,
    since: u8,
    /// In its seller's segment (shape `segments`).
    seg: bool,
}

/// Cumulative weights: entity `i` owns `[cum[i], cum[i + 1])`.
struct Cum(Vec<f64>);

impl Cum {
    fn new(w: &[f64]) -> Cum {
        let mut cum = Vec::with_capacity(w.len() + 1);
        let mut s = 0.0;
        cum.push(0.0);
        for &x in w {
            s += x;
            cum.push(s);
        }
        Cum(cum)
    }
    /// An entity of `a..b`, drawn with probability proportional to weight.
    fn pick(&self, rng: &mut Rng, a: usize, b: usize) -> u32 {
        let (lo, hi) = (self.0[a], self.0[b]);
        let u = lo + rng.f64() * (hi - lo);
        let i = a + self.0[a + 1..=b].partition_point(|&c| c <= u);
        i.min(b - 1) as u32
    }
}

/// Out-degree factor `c` so that the sum over `pool` of clamp(c·w, 1, cap)
/// is `budget`.
fn degree_factor(w: &[f64], budget: f64, cap: f64) -> f64 {
    let f = |c: f64| w.iter().map(|&x| (c * x).clamp(1.0, cap)).sum::<f64>();
    let (mut lo, mut hi) = (0.0, budget.max(1.0));
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < budget {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

struct Generated {
    entities: usize,
    supplies: usize,
    owns: usize,
    listings: usize,
    bytes: u64,
    seconds: f64,
}

const COUNTRIES: [&str; 20] = [
    "CN", "CN", "CN", "US", "US", "DE", "JP", "KR", "TW", "GB", "FR", "IN", "IT", "NL", "CH", "SG",
    "VN", "MX", "BR", "TR",
];
const STEMS_A: [&str; 16] = [
    "Nord", "Sun", "Hua", "Tek", "Vel", "Kor", "Mira", "Alp", "Shen", "Öst", "Rio", "Kai", "Sol",
    "Zen", "Bel", "Tor",
];
const STEMS_B: [&str; 14] = [
    "tronics", "werk", "tech", "wei", "sys", "data", "link", "max", "gen", "star", "line", "pak",
    "ware", "métal",
];
const SUFFIXES: [&str; 10] = [
    "Ltd",
    "GmbH",
    "Inc.",
    "Co., Ltd.",
    "S.A.",
    "AG",
    "Corp.",
    "LLC",
    "K.K.",
    "Pte. Ltd.",
];
const PRODUCTS: [&str; 16] = [
    "video SoC",
    "HDD",
    "DRAM",
    "FPGA",
    "optical transceivers",
    "bearings",
    "PCB assembly",
    "lithium cells",
    "machine tools",
    "EDA software",
    "analog ICs",
    "displays",
    "steel tubing",
    "logistics",
    "cloud services",
    "image sensors",
];
const SOURCES: [&str; 6] = [
    "10-K FY2023",
    "annual report 2023",
    "customs records 2023",
    "analyst estimate, Q2 2024",
    "press release",
    "supplier list, sustainability report",
];
const CONFIDENCE: [&str; 3] = ["reported", "estimate", "rumoured"];
const LISTS: [&str; 2] = ["BIS Entity List", "OFAC SDN"];
const REASONS: [&str; 4] = [
    "military end use",
    "human rights",
    "national security",
    "sanctions evasion",
];

/// Writes a graph of `n` entities of the given shape to `path`.
fn generate(shape: Shape, n: usize, path: &Path) -> std::io::Result<Generated> {
    let t0 = Instant::now();
    let mut rng = Rng(match shape {
        Shape::Core | Shape::Segments => 0x00C0_FFEE,
        Shape::Cycles => 0x0C1C_1E55,
        Shape::Attributed => 0xA771_B07E,
    });
    let supplies_target = (4_000_000.0 * n as f64 / 1e6) as usize;
    let owns_target = n / 20;
    let listings_target = (n / 1000).max(2);
    let cap = (n as f64 / 200.0).max(50.0);

    // Firm sizes: Pareto(1.6), capped. Big firms buy a lot and sell a lot.
    let mut w: Vec<f64> = (0..n)
        .map(|_| (1.0 - rng.f64()).powf(-1.0 / 1.6).min(5_000.0))
        .collect();
    if shape == Shape::Cycles {
        // Internal order by size: layers run from small firms to big ones.
        w.sort_by(f64::total_cmp);
    }
    let cum = Cum::new(&w);
    let mut rels: Vec<Rel> =
        Vec::with_capacity(supplies_target + supplies_target / 8 + owns_target);
    let mut seen = vec![u32::MAX; n];
    let plain = |from: u32, to: u32| Rel {
        from,
        to,
        micro: 0,
        q: Q::Unquantified,
        product: 0,
        source: 0,
        confidence: 0,
        since: 0,
        seg: false,
    };
    // Draws `d` distinct buyers for seller `s`, each from `pool(rng)`.
    let mut sell = |rng: &mut Rng,
                    rels: &mut Vec<Rel>,
                    s: usize,
                    d: usize,
                    pool: &dyn Fn(&mut Rng) -> (usize, usize)| {
        for _ in 0..d {
            for _ in 0..8 {
                let (a, b) = pool(rng);
                if a >= b {
                    break;
                }
                let t = cum.pick(rng, a, b) as usize;
                if t != s && seen[t] != s as u32 {
                    seen[t] = s as u32;
                    rels.push(plain(s as u32, t as u32));
                    break;
                }
            }
        }
    };

    match shape {
        Shape::Core | Shape::Segments | Shape::Attributed => {
            // 0..core: the core, edges both ways; core..sup_end: suppliers
            // that sell into the core (and to later suppliers, a DAG);
            // sup_end..n: customers that only buy from the core.
            let core = match shape {
                Shape::Attributed => n / 4,
                _ => n * 3 / 10,
            };
            let sup_end = n * 85 / 100;
            let c_core = degree_factor(&w[..core], 0.62 * supplies_target as f64, cap);
            let c_sup = degree_factor(&w[core..sup_end], 0.38 * supplies_target as f64, cap);
            for s in 0..core {
                let d = rng.round((c_core * w[s]).clamp(1.0, cap));
                sell(&mut rng, &mut rels, s, d, &|r: &mut Rng| {
                    if r.chance(0.85) {
                        (0, core)
                    } else {
                        (sup_end, n)
                    }
                });
            }
            for s in core..sup_end {
                let d = rng.round((c_sup * w[s]).clamp(1.0, cap));
                sell(&mut rng, &mut rels, s, d, &|r: &mut Rng| {
                    if r.chance(0.8) || s + 1 >= sup_end {
                        (0, core)
                    } else {
                        (s + 1, sup_end)
                    }
                });
            }
        }
        Shape::Cycles => {
            // Layers by size; sellers sell only to larger layers (a DAG) ...
            let fractions = [0.40, 0.65, 0.80, 0.90, 0.96, 1.0];
            let bounds: Vec<usize> = std::iter::once(0)
                .chain(fractions.iter().map(|f| ((n as f64 * f) as usize).min(n)))
                .collect();
            let layers = fractions.len();
            let dag_budget = 0.95 * supplies_target as f64;
            let c = degree_factor(&w[..bounds[layers - 1]], dag_budget, cap);
            for l in 0..layers - 1 {
                let above = bounds[l + 1];
                for s in bounds[l]..bounds[l + 1] {
                    let d = rng.round((c * w[s]).clamp(1.0, cap));
                    sell(&mut rng, &mut rels, s, d, &|_: &mut Rng| (above, n));
                }
            }
            // ... plus disjoint small cycles of 2..=5 firms within a layer.
            let mut pools: Vec<Vec<u32>> = (0..layers)
                .map(|l| {
                    let mut p: Vec<u32> = (bounds[l] as u32..bounds[l + 1] as u32).collect();
                    for i in (1..p.len()).rev() {
                        p.swap(i, rng.below(i + 1));
                    }
                    p
                })
                .collect();
            let cycle_budget = supplies_target - supplies_target * 95 / 100;
            let mut made = 0;
            let mut misses = 0;
            while made < cycle_budget && misses < 1000 {
                let k = 2 + rng.below(4);
                let l = {
                    let v = rng.below(n);
                    bounds
                        .iter()
                        .rposition(|&b| b <= v)
                        .unwrap()
                        .min(layers - 1)
                };
                if pools[l].len() < k {
                    misses += 1;
                    continue;
                }
                let members: Vec<u32> = (0..k).map(|_| pools[l].pop().unwrap()).collect();
                for i in 0..k {
                    rels.push(plain(members[i], members[(i + 1) % k]));
                }
                made += k;
            }
        }
    }
    let supplies = rels.len();

    // Revenue on 90 % of firms, roughly proportional to size.
    let revenue: Vec<u64> = w
        .iter()
        .map(|&x| {
            if rng.chance(0.9) {
                (x * (0.5 + 1.5 * rng.f64()) * 5e6) as u64 + 1
            } else {
                0
            }
        })
        .collect();

    // Quantities, per seller: 40 % exact (summing to at most 0.6), 30 %
    // bounded by share_max 0.1, 30 % unquantified; for shape `attributed`,
    // 85 % exact (summing to 0.7-1.0), 10 % and 5 %.
    let (exact, bounded) = match shape {
        Shape::Attributed => (0.85, 0.95),
        _ => (0.4, 0.7),
    };
    let attributed = |x: f64| match shape {
        Shape::Attributed => 0.7 + 0.3 * x,
        _ => 0.6 * (0.2 + 0.8 * x),
    };
    rels.sort_unstable_by_key(|r| r.from);
    let mut i = 0;
    let mut raw: Vec<f64> = Vec::new();
    while i < rels.len() {
        let mut j = i;
        while j < rels.len() && rels[j].from == rels[i].from {
            j += 1;
        }
        let seller = rels[i].from as usize;
        raw.clear();
        for r in &mut rels[i..j] {
            let u = rng.f64();
            r.q = if u < exact {
                if revenue[seller] > 0 && rng.chance(0.1) {
                    Q::Value
                } else {
                    Q::Share
                }
            } else if u < bounded {
                Q::Below10
            } else {
                Q::Unquantified
            };
            r.product = if rng.chance(0.4) {
                1 + rng.below(PRODUCTS.len()) as u8
            } else {
                0
            };
            r.source = if rng.chance(0.15) {
                1 + rng.below(SOURCES.len()) as u8
            } else {
                0
            };
            r.confidence = if rng.chance(0.05) {
                1 + rng.below(CONFIDENCE.len()) as u8
            } else {
                0
            };
            r.since = if rng.chance(0.03) {
                1 + rng.below(120) as u8
            } else {
                0
            };
            if matches!(r.q, Q::Share | Q::Value) {
                let x = rng.f64();
                raw.push(0.01 + x * x);
            }
        }
        if !raw.is_empty() {
            let total = attributed(rng.f64()) * 1e6;
            let sum: f64 = raw.iter().sum();
            let mut k = 0;
            for r in &mut rels[i..j] {
                if matches!(r.q, Q::Share | Q::Value) {
                    r.micro = ((total * raw[k] / sum) as u32).max(1);
                    k += 1;
                }
            }
        }
        i = j;
    }

    // Short loops of shares near 1 (shape `attributed`), from a stream of
    // their own: 2 or 3 firms, each selling 0.95-0.99 of its revenue to
    // the next, its other known shares scaled down to fit.
    if shape == Shape::Attributed {
        let mut lrng = Rng(0x100F_5EED);
        let mut in_loop = vec![false; n];
        let mut extra: Vec<Rel> = Vec::new();
        let run = |rels: &[Rel], v: u32| {
            rels.partition_point(|r| r.from < v)..rels.partition_point(|r| r.from <= v)
        };
        let mut loops = 0;
        while loops < n / 500 {
            let k = 2 + lrng.below(2);
            let members: Vec<u32> = (0..k).map(|_| lrng.below(n) as u32).collect();
            let fresh = members.iter().all(|&m| !in_loop[m as usize])
                && (0..k).all(|i| members[..i].iter().all(|&o| o != members[i]))
                && (0..k).all(|i| {
                    let next = members[(i + 1) % k];
                    rels[run(&rels, members[i])].iter().all(|r| r.to != next)
                });
            if !fresh {
                continue;
            }
            for i in 0..k {
                let m = members[i];
                in_loop[m as usize] = true;
                let micro = 950_000 + lrng.below(40_001) as u32;
                let room = (1_000_000 - micro) as f64 * 0.999;
                let range = run(&rels, m);
                let known = |r: &Rel| matches!(r.q, Q::Share | Q::Value);
                let sum: f64 = rels[range.clone()]
                    .iter()
                    .filter(|r| known(r))
                    .map(|r| r.micro as f64)
                    .sum();
                if sum > room {
                    for r in rels[range].iter_mut().filter(|r| known(r)) {
                        r.micro = ((r.micro as f64 * room / sum) as u32).max(1);
                    }
                }
                extra.push(Rel {
                    micro,
                    q: Q::Share,
                    ..plain(m, members[(i + 1) % k])
                });
            }
            loops += 1;
        }
        rels.extend(extra);
    }

    // Segments (shape `segments`), from a stream of their own so that the
    // graph is the core's: a third of the sellers cap about 70 % of their
    // sales together at what those sales' exact shares take plus 0.2.
    let mut seg_cap: Vec<(u32, u32)> = Vec::new();
    if shape == Shape::Segments {
        let mut srng = Rng(0x5E65_E65E);
        let mut i = 0;
        while i < rels.len() {
            let mut j = i;
            while j < rels.len() && rels[j].from == rels[i].from {
                j += 1;
            }
            if srng.chance(1.0 / 3.0) {
                let mut taken = 0u32;
                for r in &mut rels[i..j] {
                    if srng.chance(0.7) {
                        r.seg = true;
                        if matches!(r.q, Q::Share | Q::Value) {
                            taken += r.micro;
                        }
                    }
                }
                seg_cap.push((rels[i].from, (taken + 200_000).min(1_000_000)));
            }
            i = j;
        }
    }

    // Ownership: about 40,000 owned firms with one or two owners (big firms
    // own more); 70 % of stakes with a percent, known percents <= 100.
    let mut owned = vec![false; n];
    let mut owns = 0;
    while owns < owns_target {
        let t = rng.below(n);
        if owned[t] {
            continue;
        }
        owned[t] = true;
        let two = rng.chance(0.25);
        let p1 = if two {
            200 + rng.below(401) as u32
        } else {
            match rng.below(10) {
                0..=3 => 1000,
                4..=6 => 510 + rng.below(490) as u32,
                _ => 100 + rng.below(400) as u32,
            }
        };
        let p2 = 100 + rng.below((1000 - p1 - 100) as usize + 1) as u32;
        let mut last = u32::MAX;
        for p in if two { vec![p1, p2] } else { vec![p1] } {
            let o = loop {
                let o = cum.pick(&mut rng, 0, n);
                if o as usize != t && o != last {
                    break o;
                }
            };
            last = o;
            let mut r = plain(o, t as u32);
            (r.q, r.micro) = if rng.chance(0.7) {
                (Q::Percent, p)
            } else {
                (Q::Stake, 0)
            };
            r.source = if rng.chance(0.2) {
                1 + rng.below(SOURCES.len()) as u8
            } else {
                0
            };
            rels.push(r);
            owns += 1;
        }
    }

    // File order: ids shuffled against the internal order, relationships
    // shuffled.
    let mut perm: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        perm.swap(i, rng.below(i + 1));
    }
    let mut inv = vec![0u32; n];
    for (i, &f) in perm.iter().enumerate() {
        inv[f as usize] = i as u32;
    }
    for i in (1..rels.len()).rev() {
        rels.swap(i, rng.below(i + 1));
    }

    let tmp = path.with_extension("json.tmp");
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
    writeln!(out, "{{\"format\":\"exposure-graph/1\",")?;
    writeln!(
        out,
        "\"meta\":{{\"title\":\"Synthetic benchmark graph, shape {}\",\"as_of\":\"2025-06-30\",\"currency\":\"USD\",\
         \"notes\":\"generated by benches/scale.rs; deterministic\"}},",
        shape.name()
    )?;
    out.write_all(b"\"entities\":[\n")?;
    for f in 0..n {
        let i = inv[f] as usize;
        if f > 0 {
            out.write_all(b",\n")?;
        }
        let (a, b, s) = (
            STEMS_A[rng.below(STEMS_A.len())],
            STEMS_B[rng.below(STEMS_B.len())],
            SUFFIXES[rng.below(SUFFIXES.len())],
        );
        write!(out, "{{\"id\":\"e{f:07}\",")?;
        if rng.chance(0.01) {
            write!(out, "\"name\":\"OOO \\\"{a}{b}\\\"\"")?;
        } else {
            write!(out, "\"name\":\"{a}{b} {} {s}\"", f % 977)?;
        }
        if rng.chance(0.005) {
            out.write_all(b",\"kind\":\"government\"")?;
        }
        write!(
            out,
            ",\"country\":\"{}\"",
            COUNTRIES[rng.below(COUNTRIES.len())]
        )?;
        if revenue[i] > 0 {
            write!(out, ",\"revenue\":{}", revenue[i])?;
        }
        if w[i] > 200.0 {
            let t = [
                b'A' + (f % 26) as u8,
                b'A' + (f / 26 % 26) as u8,
                b'A' + (f / 676 % 26) as u8,
            ];
            write!(out, ",\"ticker\":\"{}\"", std::str::from_utf8(&t).unwrap())?;
        }
        if rng.chance(0.03) {
            write!(out, ",\"aliases\":[\"{a}{b}\"]")?;
        }
        if rng.chance(0.05) {
            write!(
                out,
                ",\"sources\":[\"{}\"]",
                SOURCES[rng.below(SOURCES.len())]
            )?;
        }
        out.write_all(b"}")?;
    }
    out.write_all(b"\n],\n\"relationships\":[\n")?;
    for (k, r) in rels.iter().enumerate() {
        if k > 0 {
            out.write_all(b",\n")?;
        }
        let (from, to) = (perm[r.from as usize], perm[r.to as usize]);
        let ty = if matches!(r.q, Q::Percent | Q::Stake) {
            "owns"
        } else {
            "supplies"
        };
        write!(
            out,
            "{{\"type\":\"{ty}\",\"from\":\"e{from:07}\",\"to\":\"e{to:07}\""
        )?;
        match r.q {
            Q::Share => write!(out, ",\"share\":0.{:06}", r.micro)?,
            Q::Value => {
                let v = (r.micro as f64 / 1e6 * revenue[r.from as usize] as f64) as u64;
                write!(out, ",\"value\":{v}")?
            }
            Q::Below10 => out.write_all(b",\"share_max\":0.1")?,
            Q::Unquantified | Q::Stake => {}
            Q::Percent if r.micro % 10 == 0 => write!(out, ",\"percent\":{}", r.micro / 10)?,
            Q::Percent => write!(out, ",\"percent\":{}.{}", r.micro / 10, r.micro % 10)?,
        }
        if r.product > 0 {
            write!(out, ",\"product\":\"{}\"", PRODUCTS[r.product as usize - 1])?;
        }
        if r.confidence > 0 {
            write!(
                out,
                ",\"confidence\":\"{}\"",
                CONFIDENCE[r.confidence as usize - 1]
            )?;
        }
        if r.source > 0 {
            write!(out, ",\"source\":\"{}\"", SOURCES[r.source as usize - 1])?;
        }
        if r.since > 0 {
            let m = r.since as u32 - 1;
            write!(out, ",\"since\":\"{}-{:02}-15\"", 2014 + m / 12, m % 12 + 1)?;
        }
        if r.seg {
            out.write_all(b",\"segment\":\"Asia\"")?;
        }
        out.write_all(b"}")?;
    }
    out.write_all(b"\n],\n\"listings\":[\n")?;
    // Listings: half drawn by size (big firms), half uniformly; distinct.
    let mut listed = vec![false; n];
    let mut listings = 0;
    while listings < listings_target {
        let e = if rng.chance(0.5) {
            cum.pick(&mut rng, 0, n) as usize
        } else {
            rng.below(n)
        };
        if listed[e] {
            continue;
        }
        listed[e] = true;
        if listings > 0 {
            out.write_all(b",\n")?;
        }
        let list = usize::from(rng.chance(0.3));
        let (y, m, d) = (2015 + rng.below(10), 1 + rng.below(12), 1 + rng.below(28));
        write!(
            out,
            "{{\"entity\":\"e{:07}\",\"list\":\"{}\",\"start\":\"{y}-{m:02}-{d:02}\"",
            perm[e], LISTS[list]
        )?;
        if rng.chance(0.1) {
            write!(out, ",\"end\":\"{}-{m:02}-{d:02}\"", y + 1 + rng.below(2))?;
        }
        write!(
            out,
            ",\"citation\":\"{} FR {}\"",
            80 + y - 2015,
            10_000 + rng.below(60_000)
        )?;
        if rng.chance(0.5) {
            write!(out, ",\"reason\":\"{}\"", REASONS[rng.below(REASONS.len())])?;
        }
        out.write_all(b"}")?;
        listings += 1;
    }
    out.write_all(b"\n]")?;
    if !seg_cap.is_empty() {
        out.write_all(b",\n\"segments\":[\n")?;
        for (k, &(seller, cap)) in seg_cap.iter().enumerate() {
            if k > 0 {
                out.write_all(b",\n")?;
            }
            write!(
                out,
                "{{\"seller\":\"e{:07}\",\"name\":\"Asia\",\"share_max\":{}}}",
                perm[seller as usize],
                cap as f64 / 1e6
            )?;
        }
        out.write_all(b"\n]")?;
    }
    out.write_all(b"}\n")?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    fs::rename(&tmp, path)?;
    Ok(Generated {
        entities: n,
        supplies,
        owns,
        listings,
        bytes: fs::metadata(path)?.len(),
        seconds: t0.elapsed().as_secs_f64(),
    })
}

// ---------------------------------------------------------------------------
// The bare baseline: the same file into owned typed structs.

#[allow(dead_code)]
#[derive(Deserialize)]
struct BareGraph {
    format: String,
    meta: Option<BareMeta>,
    entities: Vec<BareEntity>,
    #[serde(default)]
    relationships: Vec<BareRel>,
    #[serde(default)]
    listings: Vec<BareListing>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct BareMeta {
    title: Option<String>,
    as_of: Option<String>,
    currency: Option<String>,
    notes: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct BareEntity {
    id: String,
    name: String,
    kind: Option<String>,
    country: Option<String>,
    aliases: Option<Vec<String>>,
    ticker: Option<String>,
    revenue: Option<f64>,
    tags: Option<Vec<String>>,
    sources: Option<Vec<String>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct BareRel {
    #[serde(rename = "type")]
    kind: String,
    from: String,
    to: String,
    share: Option<f64>,
    value: Option<f64>,
    share_min: Option<f64>,
    share_max: Option<f64>,
    percent: Option<f64>,
    product: Option<String>,
    confidence: Option<String>,
    source: Option<String>,
    since: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct BareListing {
    entity: String,
    list: String,
    start: Option<String>,
    end: Option<String>,
    citation: Option<String>,
    reason: Option<String>,
}

fn bare_parse(bytes: &[u8]) -> BareGraph {
    serde_json::from_slice(bytes).expect("bare serde_json parse failed")
}

// ---------------------------------------------------------------------------
// Child modes.

/// `VmHWM` (peak RSS) of this process, in MB.
fn own_peak_mb() -> f64 {
    own_status_mb("VmHWM:")
}

/// A `kB` field of /proc/self/status, in MB.
fn own_status_mb(field: &str) -> f64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// `--bare-parse FILE`: read + typed parse, as a process of its own.
fn child_bare(path: &str) {
    let bytes = fs::read(path).expect("cannot read");
    let g = bare_parse(&bytes);
    println!("{} {}", g.entities.len(), g.relationships.len());
    // Like a CLI that returns from main: drop everything.
    drop(g);
    drop(bytes);
}

/// `--pipeline FILE`: the analyze pipeline once, printing the peak RSS so
/// far after each phase (MB), space-separated.
fn child_pipeline(path: &str) {
    let mut peaks = Vec::new();
    let bytes = fs::read(path).expect("cannot read");
    peaks.push(own_peak_mb());
    // As the binary does: the bytes are handed over and freed by the load.
    let model = load::from_json_owned(bytes)
        .unwrap_or_else(|p| panic!("invalid graph: {:?}", p.list.first()));
    peaks.push(own_peak_mb());
    let model_rss = own_status_mb("VmRSS:");
    let net = Net::build(&model);
    peaks.push(own_peak_mb());
    let opts = Options {
        settings: exposure::analysis::Settings {
            as_of: model.meta.as_of,
            ..Default::default()
        },
        ..Default::default()
    };
    let outcome = analysis::evaluate(&net, &opts);
    peaks.push(own_peak_mb());
    let report = Report::new(
        &model,
        &outcome,
        &opts,
        Selection {
            all: false,
            top: Some(20),
        },
    );
    let mut out = Vec::new();
    export::analyze::write_json(&report, &mut out).unwrap();
    black_box(&out);
    peaks.push(own_peak_mb());
    peaks.push(own_status_mb("VmRSS:"));
    peaks.push(model_rss);
    println!(
        "{}",
        peaks
            .iter()
            .map(|p| format!("{p:.0}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
}

// ---------------------------------------------------------------------------
// Measuring child processes.

/// Runs `program` with `args` ([`run_measured`]) and adds its wall time
/// and peak RSS to `row`.
fn measure_into(row: &mut Row, program: &Path, args: &[&str]) {
    let (wall, rss, _) = run_measured(program, args);
    row.times.push(wall);
    row.rss.push(rss);
}

/// Wall seconds and peak RSS (MB) of a child process.
fn run_measured(program: &Path, args: &[&str]) -> (f64, f64, String) {
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        let rss_file = env::temp_dir().join(format!("exposure-bench-rss-{}", std::process::id()));
        let t = Instant::now();
        let out = Command::new(time)
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&rss_file)
            .arg(program)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .expect("cannot run /usr/bin/time");
        let wall = t.elapsed().as_secs_f64();
        assert!(
            out.status.success(),
            "{} {:?} failed: {}",
            program.display(),
            args,
            out.status
        );
        let kb: f64 = fs::read_to_string(&rss_file)
            .ok()
            .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
            .unwrap_or(f64::NAN);
        let _ = fs::remove_file(&rss_file);
        (
            wall,
            kb / 1024.0,
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    } else {
        // Poll VmHWM of the child while it runs.
        let t = Instant::now();
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("cannot run");
        let status_path = format!("/proc/{}/status", child.id());
        let mut stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut stdout, &mut s).ok();
            s
        });
        let mut peak_kb = 0.0f64;
        let status = loop {
            if let Ok(s) = fs::read_to_string(&status_path) {
                if let Some(kb) = s
                    .lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
                {
                    peak_kb = peak_kb.max(kb);
                }
            }
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        let wall = t.elapsed().as_secs_f64();
        assert!(
            status.success(),
            "{} {:?} failed: {}",
            program.display(),
            args,
            status
        );
        (wall, peak_kb / 1024.0, reader.join().unwrap())
    }
}

// ---------------------------------------------------------------------------
// The benchmark.

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let k = s.len();
    if k == 0 {
        f64::NAN
    } else if k % 2 == 1 {
        s[k / 2]
    } else {
        0.5 * (s[k / 2 - 1] + s[k / 2])
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn timed<T>(times: &mut Vec<f64>, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let x = f();
    times.push(t.elapsed().as_secs_f64());
    x
}

/// Builds the release binary (a no-op when it is up to date) and returns
/// its path.
fn release_binary() -> PathBuf {
    let target = env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(MANIFEST_DIR).join("target"), PathBuf::from);
    let bin = target.join("release").join("exposure");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building the release binary: cargo build --release --bin exposure");
    let ok = Command::new(cargo)
        .args(["build", "--release", "--bin", "exposure"])
        .current_dir(MANIFEST_DIR)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if bin.exists() {
            eprintln!(
                "warning: cargo build --release failed; using the existing {}",
                bin.display()
            );
        } else {
            eprintln!(
                "error: no release binary at {}; run `cargo build --release` first",
                bin.display()
            );
            std::process::exit(2);
        }
    }
    bin
}

#[derive(Default)]
struct Row {
    label: &'static str,
    times: Vec<f64>,
    rss: Vec<f64>,
}

/// The what-if file of the bench: 100 scenarios of one change each — 25
/// licences (of sales into restricted buyers), 25 removed supplies edges,
/// 20 share cuts (an exact share halved), 15 listings, 15 delistings —
/// drawn with a fixed seed from the loaded graph.
fn write_scenarios(model: &exposure::model::Model, net: &Net, in_r: &[bool], path: &Path) {
    let mut rng = Rng(0x5ce7a210);
    let id = |v: u32| model.id(v).to_string();
    let m = net.edge_count();
    let pick_edge = |rng: &mut Rng, ok: &dyn Fn(usize) -> bool| loop {
        let e = rng.below(m);
        if ok(e) {
            return e;
        }
    };
    let mut file = ScenarioFile::default();
    let mut used = std::collections::HashSet::new();
    for i in 0..25 {
        let e = pick_edge(&mut rng, &|e| in_r[net.buyer[e] as usize]);
        let (a, b) = (id(net.seller_of(e)), id(net.buyer[e]));
        file.push(
            "licence",
            i,
            format!(r#"{{"op":"license","from":"{a}","to":"{b}"}}"#),
        );
    }
    for i in 0..25 {
        let e = pick_edge(&mut rng, &|_| true);
        let (a, b) = (id(net.seller_of(e)), id(net.buyer[e]));
        file.push(
            "removal",
            i,
            format!(r#"{{"op":"remove","type":"supplies","from":"{a}","to":"{b}"}}"#),
        );
    }
    for i in 0..20 {
        let e = pick_edge(&mut rng, &|e| net.exact[e] && net.lo[e] > 0.0);
        let (a, b) = (id(net.seller_of(e)), id(net.buyer[e]));
        let share = net.lo[e] / 2.0;
        file.push(
            "cut",
            i,
            format!(r#"{{"op":"set_share","from":"{a}","to":"{b}","share":{share}}}"#),
        );
    }
    for i in 0..15 {
        let v = loop {
            let v = rng.below(net.n) as u32;
            if !in_r[v as usize] && used.insert(v) {
                break v;
            }
        };
        file.push(
            "listing",
            i,
            format!(r#"{{"op":"list","entity":"{}"}}"#, id(v)),
        );
    }
    let listed: Vec<u32> = (0..net.n as u32).filter(|&v| in_r[v as usize]).collect();
    for i in 0..15 {
        let v = listed[rng.below(listed.len())];
        file.push(
            "delisting",
            i,
            format!(r#"{{"op":"delist","entity":"{}"}}"#, id(v)),
        );
    }
    file.write(path);
}

/// The scenarios of a file the bench writes, one change list each.
#[derive(Default)]
struct ScenarioFile(Vec<String>);

impl ScenarioFile {
    /// A scenario named `kind i` of the changes `changes` (JSON objects
    /// joined by commas).
    fn push(&mut self, kind: &str, i: usize, changes: String) {
        self.0
            .push(format!(r#"{{"name":"{kind} {i}","changes":[{changes}]}}"#));
    }

    /// Writes the file, one scenario a line.
    fn write(&self, path: &Path) {
        let text = format!("{{\"scenarios\":[\n{}\n]}}\n", self.0.join(",\n"));
        fs::write(path, text).expect("cannot write the scenario file");
    }
}

/// A scenario file of record changes that used to take a copy of the
/// graph: 10 segments' caps raised by 0.2, 10 raised lower bounds
/// (`share_min` 0.01 on a sale with none, outside any segment, its
/// `share_max` kept) and 10 stakes sold by restricted owners (which move
/// R+ under `--affiliates`), one change each, drawn with a fixed seed.
fn write_record_scenarios(model: &exposure::model::Model, net: &Net, in_r: &[bool], path: &Path) {
    let mut rng = Rng(0x0e11a7);
    let id = |v: u32| model.id(v).to_string();
    let mut file = ScenarioFile::default();
    let segments = net.seg_model.len();
    for i in 0..10.min(segments) {
        let s = rng.below(segments);
        let seg = &model.segments[net.seg_model[s] as usize];
        let cap = (seg.share_max + 0.2).min(1.0);
        file.push(
            "cap",
            i,
            format!(
                r#"{{"op":"set_segment","seller":"{}","name":"{}","share_max":{cap}}}"#,
                id(seg.seller),
                model.str(seg.name)
            ),
        );
    }
    for i in 0..10 {
        let e = loop {
            let e = rng.below(net.edge_count());
            let committed: f64 = net.sales(net.seller_of(e)).map(|f| net.lo[f]).sum();
            if !net.exact[e] && net.lo[e] == 0.0 && net.segment(e).is_none() && committed < 0.99 {
                break e;
            }
        };
        file.push(
            "raise",
            i,
            format!(
                r#"{{"op":"set_share","from":"{}","to":"{}","share_min":0.01,"share_max":{}}}"#,
                id(net.seller_of(e)),
                id(net.buyer[e]),
                net.hi[e]
            ),
        );
    }
    let held: Vec<(u32, u32)> = (0..net.n as u32)
        .filter(|&v| in_r[v as usize])
        .flat_map(|v| net.stakes(v).map(move |s| (v, net.owned[s])))
        .collect();
    for i in 0..10.min(held.len()) {
        let (owner, owned) = held[rng.below(held.len())];
        file.push(
            "stake",
            i,
            format!(
                r#"{{"op":"remove","type":"owns","from":"{}","to":"{}"}}"#,
                id(owner),
                id(owned)
            ),
        );
    }
    file.write(path);
}

/// A scenario file of changes that add records, which take a changed
/// copy of the graph: 10 new sales between two entities (`share_max`
/// 0.05), 5 new entities, each sold to by one and listed, and 5 new
/// segments (`share_max` 0.1) of two sales without a lower bound, drawn
/// with a fixed seed.
fn write_add_scenarios(model: &exposure::model::Model, net: &Net, path: &Path) {
    let mut rng = Rng(0x0add_5a1e);
    let id = |v: u32| model.id(v).to_string();
    let mut file = ScenarioFile::default();
    for i in 0..10 {
        let (a, b) = loop {
            let (a, b) = (rng.below(net.n) as u32, rng.below(net.n) as u32);
            let committed: f64 = net.sales(a).map(|f| net.lo[f]).sum();
            if a != b && net.edge(a, b).is_none() && committed < 0.95 {
                break (a, b);
            }
        };
        file.push(
            "sale",
            i,
            format!(
                r#"{{"op":"add_relationship","relationship":{{"type":"supplies","from":"{}","to":"{}","share_max":0.05}}}}"#,
                id(a),
                id(b)
            ),
        );
    }
    for i in 0..5 {
        let a = rng.below(net.n) as u32;
        file.push(
            "new buyer",
            i,
            format!(
                r#"{{"op":"add_entity","entity":{{"id":"new-buyer-{i}","name":"New buyer {i}"}}}},{{"op":"add_relationship","relationship":{{"type":"supplies","from":"{}","to":"new-buyer-{i}","share_max":0.05}}}},{{"op":"list","entity":"new-buyer-{i}"}}"#,
                id(a)
            ),
        );
    }
    for i in 0..5 {
        let (a, pair) = loop {
            let a = rng.below(net.n) as u32;
            let open: Vec<usize> = net
                .sales(a)
                .filter(|&e| net.lo[e] == 0.0 && net.segment(e).is_none())
                .take(2)
                .collect();
            if open.len() == 2 && net.segments_of(a).is_empty() {
                break (a, open);
            }
        };
        file.push(
            "segment",
            i,
            format!(
                r#"{{"op":"add_segment","segment":{{"seller":"{}","name":"Added","share_max":0.1}},"edges":["{}","{}"]}}"#,
                id(a),
                id(net.buyer[pair[0]]),
                id(net.buyer[pair[1]])
            ),
        );
    }
    file.write(path);
}

/// The portfolio file of the bench: 1,000 distinct entities drawn with a
/// fixed seed, weights from 1 to 100.
fn write_portfolio(model: &exposure::model::Model, path: &Path) {
    let mut rng = Rng(0x9071_f011);
    let n = model.entities.len();
    let mut held = std::collections::BTreeSet::new();
    let mut text = String::from("entity,weight\n");
    while held.len() < PORTFOLIO.min(n) {
        let v = rng.below(n) as u32;
        if held.insert(v) {
            text.push_str(&format!("{},{}\n", model.id(v), 1 + rng.below(100)));
        }
    }
    fs::write(path, text).expect("cannot write the portfolio file");
}

/// Holdings in the bench's portfolio.
const PORTFOLIO: usize = 1_000;

fn bench_shape(
    shape: Shape,
    path: &Path,
    runs: usize,
    bin: &Path,
    me: &Path,
) -> (f64, f64, f64, f64, f64) {
    let p = path.to_str().unwrap();
    let mut read = Row {
        label: "(a) read file into memory",
        ..Default::default()
    };
    let mut parse = Row {
        label: "(b) parse + validate (load::from_json_owned)",
        ..Default::default()
    };
    let mut build = Row {
        label: "(c) build graph (Net::build)",
        ..Default::default()
    };
    let mut compute = Row {
        label: "(d) compute x, X, reach (evaluate)",
        ..Default::default()
    };
    let mut write = Row {
        label: "(e) write output (report top 20 + json)",
        ..Default::default()
    };
    let mut explain = Row {
        label: "    explain: top 10 paths of the most exposed",
        ..Default::default()
    };
    let mut drop_t = Row {
        label: "    drop model/net/outcome",
        ..Default::default()
    };
    let mut sum = Row {
        label: "    sum (a)..(e)",
        ..Default::default()
    };
    let mut bare = Row {
        label: "(f) bare serde_json parse, typed structs",
        ..Default::default()
    };
    let mut bare_proc = Row {
        label: "(f') bare parse process: read + parse",
        ..Default::default()
    };
    let mut e2e = Row {
        label: "(g) end to end: analyze --top 20 --format json",
        ..Default::default()
    };
    let mut build_plain = Row {
        label: "    (c) without the segments (same model)",
        ..Default::default()
    };
    let mut compute_plain = Row {
        label: "    (d) without the segments (same model)",
        ..Default::default()
    };
    let mut report = Row {
        label: "(h) end to end: report --top 20 -o FILE.html",
        ..Default::default()
    };
    let mut whatif = Row {
        label: "(i) end to end: whatif (100 scenarios) --top 20 --format json",
        ..Default::default()
    };
    let mut timeline = Row {
        label: "(j) end to end: timeline --format json",
        ..Default::default()
    };
    let mut portfolio = Row {
        label: "(k) end to end: analyze --portfolio (1,000 holdings)",
        ..Default::default()
    };
    let holdings = env::temp_dir().join(format!(
        "exposure-bench-{}.portfolio.csv",
        std::process::id()
    ));
    let html = env::temp_dir().join(format!("exposure-bench-{}.html", std::process::id()));
    let scenarios = env::temp_dir().join(format!(
        "exposure-bench-{}.scenarios.json",
        std::process::id()
    ));
    let mut dates = 0;

    let mut info = String::new();
    for run in 0..runs {
        eprint!("  {} run {}/{} ...", shape.name(), run + 1, runs);
        let bytes = timed(&mut read.times, || fs::read(path).unwrap());
        let model = timed(&mut parse.times, || {
            load::from_json_owned(bytes).unwrap_or_else(|p| {
                panic!(
                    "invalid graph: {} problems, first: {:?}",
                    p.count(),
                    p.list.first()
                )
            })
        });
        let net = timed(&mut build.times, || Net::build(&model));
        let opts = Options {
            settings: exposure::analysis::Settings {
                as_of: model.meta.as_of,
                ..Default::default()
            },
            ..Default::default()
        };
        let outcome = timed(&mut compute.times, || analysis::evaluate(&net, &opts));
        let out = timed(&mut write.times, || {
            let report = Report::new(
                &model,
                &outcome,
                &opts,
                Selection {
                    all: false,
                    top: Some(20),
                },
            );
            let mut out = Vec::new();
            export::analyze::write_json(&report, &mut out).unwrap();
            out
        });
        black_box(&out);
        // The entity with the largest total: its paths are the most to search.
        let most = (0..net.n)
            .max_by(|&a, &b| outcome.total[a].total_cmp(&outcome.total[b]))
            .unwrap_or(0) as u32;
        let found = timed(&mut explain.times, || {
            let q = paths::Query {
                from: most,
                top: 10,
                limit: paths::MAX_PARTIAL_PATHS,
            };
            paths::search(
                &net,
                &outcome.restricted.in_r,
                &net.lo,
                &opts,
                |v| model.id(v),
                q,
            )
        });
        black_box(&found);
        // The same graph with its segments set aside: what they cost the
        // build and the compute, in the same run.
        if !model.segments.is_empty() {
            let mut plain = model.clone();
            plain.segments.clear();
            for r in &mut plain.relationships {
                r.segment = SegmentRef::NONE;
            }
            let net = timed(&mut build_plain.times, || Net::build(&plain));
            let o = timed(&mut compute_plain.times, || analysis::evaluate(&net, &opts));
            black_box(&o);
        }
        let k = read.times.len() - 1;
        sum.times.push(
            read.times[k] + parse.times[k] + build.times[k] + compute.times[k] + write.times[k],
        );
        if run == 0 {
            write_scenarios(&model, &net, &outcome.restricted.in_r, &scenarios);
            write_portfolio(&model, &holdings);
            let events = analysis::timeline::events(&net, &opts);
            if let Some((from, to)) = analysis::timeline::window(&events, None, opts.settings.as_of)
            {
                dates = analysis::timeline::dates(&events, from, to).len();
            }
            let sccs = Sccs::of(&net, |_| true);
            let sizes: Vec<usize> = (0..sccs.len()).map(|c| sccs.comp(c).len()).collect();
            let cyclic = sizes.iter().filter(|&&s| s > 1).count();
            let largest = sizes.iter().copied().max().unwrap_or(0);
            let in_r = outcome.restricted.in_r.iter().filter(|&&b| b).count();
            let exposed = (0..net.n).filter(|&v| outcome.upper[v] > 0.0).count();
            let positive_x = (0..net.n).filter(|&v| outcome.total[v] > 0.0).count();
            info = format!(
                "supplies graph: {} SCCs of size > 1, largest {} entities; |R| = {in_r}; \
                 x > 0 for {positive_x}, X > 0 for {exposed} entities; output {} bytes\n  \
                 in-memory record sizes: Relationship {} B, Entity {} B, Listing {} B",
                cyclic,
                largest,
                out.len(),
                std::mem::size_of::<exposure::model::Relationship>(),
                std::mem::size_of::<exposure::model::Entity>(),
                std::mem::size_of::<exposure::model::Listing>()
            );
        }
        timed(&mut drop_t.times, || drop((outcome, net, model)));
        drop(out);
        // The load took the bytes; the baseline parses a fresh copy.
        let bytes = fs::read(path).unwrap();
        let g = timed(&mut bare.times, || bare_parse(&bytes));
        black_box(&g);
        drop(g);
        drop(bytes);

        let json = ["--top", "20", "--format", "json"];
        measure_into(&mut e2e, bin, &[&["analyze", "-g", p][..], &json].concat());
        let out = html.to_str().unwrap();
        measure_into(
            &mut report,
            bin,
            &["report", "-g", p, "--top", "20", "-o", out],
        );
        let held = holdings.to_str().unwrap();
        let args = [&["analyze", "-g", p, "--portfolio", held][..], &json].concat();
        measure_into(&mut portfolio, bin, &args);
        if env::var("BENCH_WHATIF").map_or(true, |v| v != "0") {
            let file = scenarios.to_str().unwrap();
            let args = [&["whatif", file, "-g", p][..], &json].concat();
            measure_into(&mut whatif, bin, &args);
            measure_into(
                &mut timeline,
                bin,
                &["timeline", "-g", p, "--format", "json"],
            );
        }
        let (wall, rss, _) = run_measured(me, &["--bare-parse", p]);
        bare_proc.times.push(wall);
        bare_proc.rss.push(rss);
        eprintln!(
            " e2e {:.2} s, bare parse {:.2} s",
            e2e.times[k], bare.times[k]
        );
    }
    // Peak RSS after each in-process phase, one run in a fresh process.
    let (_, _, peaks) = run_measured(me, &["--pipeline", p]);
    let peaks: Vec<f64> = peaks
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    for (row, &pk) in [&mut read, &mut parse, &mut build, &mut compute, &mut write]
        .into_iter()
        .zip(&peaks)
    {
        row.rss.push(pk);
    }

    println!("  {info}");
    println!(
        "  {:<50} {:>9} {:>9} {:>12}",
        "phase", "median s", "min s", "peak RSS MB"
    );
    for row in [
        &read,
        &parse,
        &build,
        &compute,
        &write,
        &explain,
        &drop_t,
        &sum,
        &bare,
        &bare_proc,
        &e2e,
        &report,
        &whatif,
        &timeline,
        &portfolio,
        &build_plain,
        &compute_plain,
    ] {
        if row.times.is_empty() {
            continue;
        }
        let rss = if row.rss.is_empty() {
            String::new()
        } else {
            format!("{:.0}", median(&row.rss))
        };
        println!(
            "  {:<50} {:>9.3} {:>9.3} {:>12}",
            row.label,
            median(&row.times),
            min(&row.times),
            rss
        );
    }
    let e2e_m = median(&e2e.times);
    let bare_m = median(&bare.times);
    let bare_proc_m = median(&bare_proc.times);
    println!(
        "  end to end / bare parse        = {:.2}  (target <= 1.30)   [per-run ratios median {:.2}]",
        e2e_m / bare_m,
        median(&e2e.times.iter().zip(&bare.times).map(|(a, b)| a / b).collect::<Vec<_>>())
    );
    println!(
        "  end to end / bare parse process = {:.2}",
        e2e_m / bare_proc_m
    );
    let _ = fs::remove_file(&html);
    if !compute_plain.times.is_empty() {
        let cost = |with: &Row, without: &Row| {
            100.0 * (median(&with.times) / median(&without.times) - 1.0)
        };
        println!(
            "  segments' cost on the same model (target <= 5 %): build {:+.1} %, compute {:+.1} %, build + compute {:+.1} %",
            cost(&build, &build_plain),
            cost(&compute, &compute_plain),
            100.0
                * ((median(&build.times) + median(&compute.times))
                    / (median(&build_plain.times) + median(&compute_plain.times))
                    - 1.0)
        );
    }
    println!(
        "  report / analyze end to end    = {:.2}  (target <= 1.50)   [per-run ratios median {:.2}]",
        median(&report.times) / e2e_m,
        median(&report.times.iter().zip(&e2e.times).map(|(a, b)| a / b).collect::<Vec<_>>())
    );
    if !whatif.times.is_empty() {
        let rss_of = |row: &Row| median(&row.rss) / median(&e2e.rss);
        println!(
            "  whatif, 100 scenarios / analyze  = {:.2}  (target <= 3.00), peak RSS {:.2} x analyze's (target <= 1.30)",
            median(&whatif.times) / e2e_m,
            rss_of(&whatif)
        );
        println!(
            "  timeline, {dates} dates / analyze = {:.2}  (goal <= 10.00), peak RSS {:.2} x analyze's",
            median(&timeline.times) / e2e_m,
            rss_of(&timeline)
        );
    }
    println!(
        "  analyze with a portfolio of {PORTFOLIO} / analyze = {:.2}",
        median(&portfolio.times) / e2e_m
    );
    let _ = fs::remove_file(&scenarios);
    let _ = fs::remove_file(&holdings);
    if peaks.len() == 7 {
        println!(
            "  RSS column for (a)..(e): peak so far in one fresh-process run of the pipeline (file buffer freed after (b));\n  \
             RSS with only the model held (after (b), buffer freed): {:.0} MB; with model+net+outcome+report at the end: {:.0} MB",
            peaks[6], peaks[5]
        );
    }
    (
        e2e_m / bare_m,
        median(&compute.times),
        median(&e2e.rss),
        median(&bare_proc.rss),
        e2e_m,
    )
}

fn main() {
    let args: Vec<String> = env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--bare-parse") => return child_bare(&args[2]),
        Some("--pipeline") => return child_pipeline(&args[2]),
        Some("--write-scenarios" | "--write-record-scenarios" | "--write-add-scenarios") => {
            let model = load::from_path(Path::new(&args[2])).expect("a valid graph");
            let net = Net::build(&model);
            let opts = Options {
                settings: exposure::analysis::Settings {
                    as_of: model.meta.as_of,
                    ..Default::default()
                },
                ..Default::default()
            };
            let r = analysis::restricted::Restricted::of(&net, &opts);
            return match args[1].as_str() {
                "--write-scenarios" => write_scenarios(&model, &net, &r.in_r, Path::new(&args[3])),
                "--write-add-scenarios" => write_add_scenarios(&model, &net, Path::new(&args[3])),
                _ => write_record_scenarios(&model, &net, &r.in_r, Path::new(&args[3])),
            };
        }
        _ => {}
    }
    let runs: usize = env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let n: usize = env::var("BENCH_ENTITIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
        .max(100);
    let regen = env::var("BENCH_REGEN").is_ok_and(|v| v == "1");
    let picked: Vec<&str> = args[1..]
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let shapes: Vec<Shape> = [
        Shape::Core,
        Shape::Cycles,
        Shape::Segments,
        Shape::Attributed,
    ]
    .into_iter()
    .filter(|s| picked.is_empty() || picked.contains(&s.name()))
    .collect();

    let dir = Path::new(MANIFEST_DIR).join("bench-data");
    fs::create_dir_all(&dir).expect("cannot create bench-data/");
    let bin = release_binary();
    let me = env::current_exe().expect("current_exe");

    println!(
        "exposure scale benchmark: {n} entities per graph, {runs} runs per shape, medians; {} cores",
        std::thread::available_parallelism().map_or(0, |p| p.get())
    );
    let mut summary = Vec::new();
    for shape in shapes {
        let name = if n == 1_000_000 {
            format!("{}.json", shape.name())
        } else {
            format!("{}-{n}.json", shape.name())
        };
        let path = dir.join(name);
        if regen || !path.exists() {
            eprintln!("generating {} ...", path.display());
            let g = generate(shape, n, &path).expect("cannot write the graph");
            eprintln!(
                "  {} entities, {} supplies + {} owns relationships, {} listings, {:.1} MB in {:.1} s",
                g.entities,
                g.supplies,
                g.owns,
                g.listings,
                g.bytes as f64 / 1e6,
                g.seconds
            );
        }
        let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!();
        println!(
            "shape {}: {} ({:.1} MB)",
            shape.name(),
            path.display(),
            size as f64 / 1e6
        );
        let r = bench_shape(shape, &path, runs, &bin, &me);
        summary.push((shape, r, path));
    }
    // What segments cost end to end, the core and segments graphs run in
    // turn so that both meet the same machine: the median of the pairs'
    // ratios (the shapes' own medians come minutes apart).
    let file = |want: Shape| {
        summary
            .iter()
            .find(|(s, ..)| *s == want)
            .map(|(.., p)| p.clone())
    };
    let paired = match (file(Shape::Core), file(Shape::Segments)) {
        (Some(core), Some(seg)) => {
            let e2e = |p: &Path| {
                let p = p.to_str().expect("utf-8 path");
                run_measured(
                    &bin,
                    &["analyze", "-g", p, "--top", "20", "--format", "json"],
                )
                .0
            };
            let ratios: Vec<f64> = (0..runs.max(5))
                .map(|_| {
                    let c = e2e(&core);
                    e2e(&seg) / c
                })
                .collect();
            Some(ratios)
        }
        _ => None,
    };
    let summary: Vec<_> = summary.into_iter().map(|(s, r, _)| (s, r)).collect();
    println!();
    println!("targets: end to end <= 1.3 x bare parse; compute < 1 s; peak RSS < 1024 MB");
    println!(
        "  {:<8} {:>10} {:>12} {:>12} {:>16} {:>18}",
        "shape", "e2e s", "e2e / bare", "compute s", "e2e peak MB", "bare-parse peak MB"
    );
    let of = |want: Shape| summary.iter().find(|(s, _)| *s == want).map(|(_, r)| *r);
    if let (Some(core), Some(seg)) = (of(Shape::Core), of(Shape::Segments)) {
        let cost = |a: f64, b: f64| 100.0 * (b / a - 1.0);
        println!(
            "segments on a third of the sellers (target: at most 5 % of analyze): compute {:+.1} %, end to end {:+.1} %",
            cost(core.1, seg.1),
            cost(core.4, seg.4)
        );
    }
    if let Some(mut ratios) = paired {
        ratios.sort_by(f64::total_cmp);
        let pct: Vec<String> = ratios
            .iter()
            .map(|r| format!("{:+.1}", 100.0 * (r - 1.0)))
            .collect();
        println!(
            "  end to end, core and segments in turn ({} pairs): {:+.1} % (median of the pairs; each: {} %)",
            ratios.len(),
            100.0 * (median(&ratios) - 1.0),
            pct.join(", ")
        );
    }
    for (shape, (ratio, compute, rss, bare_rss, e2e)) in summary {
        let mark = |ok: bool| if ok { "ok" } else { "MISS" };
        println!(
            "  {:<8} {:>10.2} {:>7.2} {:>4} {:>7.3} {:>4} {:>11.0} {:>4} {:>18.0}",
            shape.name(),
            e2e,
            ratio,
            mark(ratio <= 1.3),
            compute,
            mark(compute < 1.0),
            rss,
            mark(rss < 1024.0),
            bare_rss
        );
    }
}
