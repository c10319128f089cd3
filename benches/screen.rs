//! Screening at scale: a generated graph of 100,000 entities against a
//! generated list of 20,000 names (CSV in the CSL layout), timed through
//! the library. Deterministic (splitmix64, fixed seed); std only.
//!
//! ```sh
//! cargo bench --bench screen
//! BENCH_ENTITIES=200000 BENCH_LIST=40000 cargo bench --bench screen
//! ```

use std::fmt::Write as _;
use std::time::Instant;

use exposure::screen::{self, csl, Options};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const SYL: &[&str] = &[
    "ka", "lo", "mi", "zen", "tor", "va", "shi", "qu", "ran", "bel", "dor", "xi", "an", "hua",
    "wei", "sun", "tek", "gar", "ne", "ro", "pol", "fen", "yu", "lin", "mar", "kov", "sta", "ber",
    "gon", "li",
];
const GENERIC: &[&str] = &[
    "Technology",
    "Trading",
    "Electronics",
    "Industrial",
    "Engineering",
    "Logistics",
    "Materials",
    "Systems",
];
const LEGAL: &[&str] = &[
    "Co., Ltd.",
    "Limited",
    "Inc.",
    "Corporation",
    "LLC",
    "Group",
    "JSC",
    "",
];
const COUNTRIES: &[&str] = &["CN", "RU", "IR", "AE", "US", "DE", "HK", "TR", "PK", "KP"];

fn word(r: &mut Rng) -> String {
    let n = 3 + r.below(2);
    let mut w: String = (0..n).map(|_| r.pick(SYL)).collect();
    w[..1].make_ascii_uppercase();
    w
}

fn company(r: &mut Rng) -> String {
    let mut s = word(r);
    if r.below(2) == 0 {
        s.push(' ');
        s.push_str(&word(r));
    }
    if r.below(3) > 0 {
        s.push(' ');
        s.push_str(r.pick(GENERIC));
    }
    let legal = r.pick(LEGAL);
    if !legal.is_empty() {
        s.push(' ');
        s.push_str(legal);
    }
    s
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn main() {
    let n_entities: usize = std::env::var("BENCH_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let n_list: usize = std::env::var("BENCH_LIST")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let mut r = Rng(0x5C12_EE17);

    let mut list_names = Vec::with_capacity(n_list);
    let mut list = String::from("_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n");
    for i in 0..n_list {
        let name = company(&mut r);
        let alt = if r.below(3) == 0 {
            company(&mut r)
        } else {
            String::new()
        };
        let c = r.pick(COUNTRIES);
        let source = if i % 2 == 0 {
            "Entity List (EL) - Bureau of Industry and Security"
        } else {
            "Specially Designated Nationals (SDN) - Treasury Department"
        };
        let _ = writeln!(
            list,
            "{i},{},{i},Entity,,{},,{},84 FR {},2019-10-09,,,,,,,,,,,,,{},,,,,,",
            csv_field(source),
            csv_field(&name),
            csv_field(&format!("1 Road, City, 100000, {c}")),
            50000 + i,
            csv_field(&alt)
        );
        list_names.push((name, c));
    }

    let mut g = String::from("{\"format\":\"exposure-graph/1\",\"entities\":[");
    for i in 0..n_entities {
        // One entity in 50 is a listed party written another way.
        let (name, country) = if i % 50 == 0 {
            let (n, c) = &list_names[r.below(n_list)];
            (
                n.split(' ').next().unwrap_or(n).to_string() + " " + r.pick(LEGAL),
                *c,
            )
        } else {
            (company(&mut r), r.pick(COUNTRIES))
        };
        if i > 0 {
            g.push(',');
        }
        let _ = write!(
            g,
            "{{\"id\":\"e{i:06}\",\"name\":{},\"country\":\"{country}\"}}",
            serde_json::to_string(&name).unwrap()
        );
    }
    g.push_str("],\"relationships\":[],\"listings\":[]}");

    let model = exposure::load::from_json(g.as_bytes()).expect("the generated graph is valid");
    let t0 = Instant::now();
    let parsed = csl::read(list.as_bytes()).expect("the generated list reads");
    let t_read = t0.elapsed();
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let mut times = Vec::new();
    let mut found = 0;
    let mut accepted = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let c = screen::screen(&model, &parsed, &Options::default());
        times.push(t.elapsed().as_secs_f64());
        found = c.len();
        accepted = c.iter().filter(|c| c.accepted).count();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "screen: {n_entities} entities x {n_list} list rows ({} names): read list {:.3} s; screen median {:.3} s, min {:.3} s over {runs} runs; {found} candidates, {accepted} accepted",
        parsed.entries.iter().map(|e| 1 + e.alt_names.len()).sum::<usize>(),
        t_read.as_secs_f64(),
        times[times.len() / 2],
        times[0]
    );
}
