//! A mutation fuzzer over every input kind: the graph as JSON, as a CSV
//! folder and packed, a scenario file, a holdings file, and the CSL as CSV
//! and JSON. Each case mutates one input of a valid seed (bytes flipped,
//! cut, repeated, tokens spliced in, numbers replaced, lines swapped), then
//! runs every command that reads that input and fails on:
//!
//! - a panic (exit 101, or "panicked" on stderr), a death by signal (an
//!   allocation over the memory limit aborts), a run past the time limit;
//! - an exit status other than 0 and 2 (no threshold flag is given);
//! - exit 0 where the input is invalid: every command that reads a graph
//!   must exit 2 when `validate` does, and the commands that read one
//!   scenario or holdings file must agree on it;
//! - exit 2 with anything on stdout, no `error:` line, or a file written;
//! - exit 0 with output that is not well-formed: JSON that does not parse,
//!   CSV rows of unequal length, DOT that graphviz-rust cannot parse, an
//!   SVG or HTML file not closed, or a converted or packed graph that does
//!   not validate.
//!
//! `cargo test --release` runs a short fixed-seed pass (a few seconds);
//! the long one is on demand (README, "Fuzzing"):
//! `EXPOSURE_FUZZ_CASES=5000 EXPOSURE_FUZZ_SEED=7 cargo test --release
//! --test cli fuzz_long -- --ignored --nocapture`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Per run: past this the run counts as a hang.
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// Per run: the address space allowed (`ulimit -v`, KiB).
const MEMORY_KIB: u64 = 2 * 1024 * 1024;

/// The small seed graph: every record kind, segments, ownership, dates,
/// unknown fields, a loop.
const SMALL: &str = r#"{"format":"exposure-graph/1","meta":{"as_of":"2020-01-01","title":"fuzz seed"},
 "entities":[{"id":"A","name":"Alpha AG","revenue":1000,"country":"DE","ticker":"ALP","x":{"k":[1,null]}},
  {"id":"B","name":"Beta","kind":"company","aliases":["Bee"]},{"id":"C","name":"Gamma"},
  {"id":"H","name":"Hangzhou Hikvision Digital Technology Co., Ltd.","country":"CN"},{"id":"P","name":"Parent"}],
 "relationships":[{"type":"supplies","from":"A","to":"H","share":0.1,"segment":"China"},
  {"type":"supplies","from":"A","to":"B","share_min":0.2,"share_max":0.5},
  {"type":"supplies","from":"B","to":"H","share":0.4},{"type":"supplies","from":"B","to":"C"},
  {"type":"supplies","from":"C","to":"A","share":0.3},{"type":"supplies","from":"C","to":"H","value":50},
  {"type":"owns","from":"P","to":"C","percent":60}],
 "listings":[{"entity":"H","list":"BIS Entity List","start":"2019-10-09"},
  {"entity":"P","list":"SDN","start":"2019-01-01","end":"2021-01-01"}],
 "segments":[{"seller":"A","name":"China","share_max":0.3}]}"#;

/// A CSL in the JSON layout.
const CSL_JSON: &str = r#"{"total":3,"results":[
 {"name":"Hangzhou Hikvision Digital Technology Co., Ltd.","source":"Entity List (EL) - Bureau of Industry and Security",
  "type":"Entity","alt_names":["Hikvision"],"addresses":[{"address":"555 Qianmo Road","city":"Hangzhou","country":"CN"}],
  "start_date":"2019-10-09","federal_register_notice":"84 FR 54002"},
 {"name":"Beta Holdings","source":"Specially Designated Nationals (SDN) - Treasury Department","type":"Entity",
  "alt_names":[],"addresses":"Moscow, RU","ids":[{"type":"Effective Date","date":"2020-05-01"}]},
 {"name":"Gamma Corp","source":"Military End User (MEU) List - Bureau of Industry and Security","nationalities":["China"]}]}"#;

/// Tokens spliced into inputs: structure, odd numbers, odd text.
const TOKENS: &[&str] = &[
    ",",
    "\"",
    "{",
    "}",
    "[",
    "]",
    ":",
    ";",
    "\n",
    "\r\n",
    "\\",
    "null",
    "true",
    "-1",
    "-0",
    "0",
    "1e309",
    "1e-320",
    "0.9999999999999999",
    "1.0000000000000002",
    "NaN",
    "99999999999999999999",
    "\u{0}",
    "\u{feff}",
    "é",
    "华",
    "\u{202e}",
    "\"\"",
    "2019-02-30",
    "9999-12-31",
    "supplies",
    "owns",
    ":json",
    "\"id\"",
    "\"share\"",
];

/// Numbers put in place of a number.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "0.5",
    "1e308",
    "1e309",
    "-1e-309",
    "1.7976931348623157e308",
    "4294967296",
    "18446744073709551616",
    "0.1e1",
    "00",
    "1.",
    ".5",
    "-0",
];

/// A small deterministic random stream (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to three mutations of `bytes`.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(3) {
        let len = bytes.len();
        let at = rng.below(len + 1);
        match rng.below(8) {
            0 if len > 0 => bytes[at.min(len - 1)] = rng.next() as u8,
            1 => {
                let end = (at + 1 + rng.below(16)).min(len);
                bytes.drain(at..end);
            }
            2 => {
                let end = (at + 1 + rng.below(64)).min(len);
                let copy = bytes[at..end].to_vec();
                let to = rng.below(len + 1);
                bytes.splice(to..to, copy);
            }
            3 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, t.iter().copied());
            }
            4 => {
                // A number (a run of digits, '.', 'e', '-') replaced.
                let Some(start) = (at..len).chain(0..at).find(|&i| bytes[i].is_ascii_digit())
                else {
                    continue;
                };
                let mut end = start;
                while end < len && matches!(bytes[end], b'0'..=b'9' | b'.' | b'e' | b'E' | b'-') {
                    end += 1;
                }
                let n = NUMBERS[rng.below(NUMBERS.len())].as_bytes();
                bytes.splice(start..end, n.iter().copied());
            }
            5 => bytes.truncate(at),
            6 => {
                // Two lines swapped.
                let text = String::from_utf8_lossy(bytes).into_owned();
                let mut lines: Vec<&str> = text.split('\n').collect();
                if lines.len() > 2 {
                    let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
                    lines.swap(i, j);
                    *bytes = lines.join("\n").into_bytes();
                }
            }
            _ => {
                // A long run of one character: a long name, id or number.
                let c = [b'a', b'9', b' ', b',', b'"'][rng.below(5)];
                bytes.splice(at..at, std::iter::repeat_n(c, 1 + rng.below(5_000)));
            }
        }
    }
}

/// How one run ended.
struct Run {
    args: Vec<String>,
    out: Output,
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.out.status.code()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
}

/// Runs the binary under the memory limit, killed at the time limit.
/// `Err` names a hang.
fn exec(args: &[String], scratch: &Path) -> Result<Run, String> {
    let (out, err) = (scratch.join("stdout"), scratch.join("stderr"));
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_KIB} 2>/dev/null; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_exposure"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("sh runs");
    let deadline = Instant::now() + TIME_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("exposure {args:?} ran past {TIME_LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Ok(Run {
        args: args.to_vec(),
        out: Output {
            status,
            stdout: std::fs::read(&out).unwrap(),
            stderr: std::fs::read(&err).unwrap(),
        },
    })
}

/// What a command prints on success, to check it is well-formed.
#[derive(Clone, Copy)]
enum Shape {
    Json,
    Csv,
    Dot,
    Text,
}

/// Checks a file a command wrote.
type FileCheck = fn(&Path) -> Result<(), String>;

/// One command to run on a case: its arguments, its output's shape and the
/// file it writes, if any, with the check of that file.
struct Step {
    args: Vec<String>,
    shape: Shape,
    writes: Option<(PathBuf, FileCheck)>,
}

fn step(args: &[&str], shape: Shape) -> Step {
    Step {
        args: args.iter().map(|s| s.to_string()).collect(),
        shape,
        writes: None,
    }
}

fn writing(args: &[&str], out: &Path, check: FileCheck) -> Step {
    let mut s = step(args, Shape::Text);
    s.args.push(out.to_str().unwrap().to_string());
    s.writes = Some((out.to_path_buf(), check));
    s
}

fn closed(path: &Path, open: &str, close: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let t = text.trim_end();
    if t.contains(open) && t.ends_with(close) {
        Ok(())
    } else {
        Err(format!(
            "{} is not a closed {open}…{close} document",
            path.display()
        ))
    }
}

fn svg(path: &Path) -> Result<(), String> {
    closed(path, "<svg", "</svg>")
}

fn html(path: &Path) -> Result<(), String> {
    closed(path, "<!DOCTYPE html>", "</html>")
}

/// A converted or packed graph must read back as valid.
fn valid_graph(path: &Path) -> Result<(), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_exposure"))
        .args(["validate", "-g", path.to_str().unwrap()])
        .output()
        .unwrap();
    match out.status.code() {
        Some(0) => Ok(()),
        _ => Err(format!(
            "{} was written but does not validate: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )),
    }
}

/// Checks one run; `Err` says what is wrong.
fn check(run: &Run, step: &Step) -> Result<(), String> {
    let err = run.stderr();
    let fail = |what: &str| Err(format!("exposure {:?}: {what}\nstderr:\n{err}", run.args));
    if run.code() == Some(101) || err.contains("panicked") {
        return fail("panicked");
    }
    match run.code() {
        None => fail("killed by a signal (out of memory, or a crash)"),
        Some(2) => {
            if !run.out.stdout.is_empty() {
                return fail("exit 2 with output on stdout");
            }
            if !err.contains("error:") {
                return fail("exit 2 without an error: line");
            }
            if let Some((path, _)) = &step.writes {
                if path.exists() {
                    return fail("exit 2 but the output file was written");
                }
            }
            Ok(())
        }
        Some(0) => {
            let text = String::from_utf8_lossy(&run.out.stdout);
            let ok = match step.shape {
                Shape::Json => serde_json::from_slice::<serde_json::Value>(&run.out.stdout)
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Shape::Csv => csv_rows_agree(&run.out.stdout),
                Shape::Dot => graphviz_rust::parse(&text).map(|_| ()),
                Shape::Text => Ok(()),
            };
            if let Err(e) = ok {
                return fail(&format!("output not well-formed: {e}"));
            }
            if let Some((path, file)) = &step.writes {
                file(path).or_else(|e| fail(&e))?;
            }
            Ok(())
        }
        Some(c) => fail(&format!("exit {c}")),
    }
}

fn csv_rows_agree(bytes: &[u8]) -> Result<(), String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(bytes);
    for rec in r.records() {
        rec.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The input kinds.
#[derive(Clone, Copy, Debug)]
enum Kind {
    GraphJson,
    CsvFolder,
    Packed,
    Scenario,
    Holdings,
    CslCsv,
    CslJson,
}

const KINDS: [Kind; 7] = [
    Kind::GraphJson,
    Kind::CsvFolder,
    Kind::Packed,
    Kind::Scenario,
    Kind::Holdings,
    Kind::CslCsv,
    Kind::CslJson,
];

/// The valid seeds, written once.
struct Seeds {
    dir: tempfile::TempDir,
}

impl Seeds {
    fn new() -> Seeds {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let example = std::fs::read(root.join("graphs/entity-list-2019.json")).unwrap();
        std::fs::write(d.join("example.json"), &example).unwrap();
        std::fs::write(d.join("small.json"), SMALL).unwrap();
        for g in ["example", "small"] {
            let json = d.join(format!("{g}.json"));
            for (cmd, out) in [("convert", format!("{g}-csv")), ("pack", format!("{g}.pk"))] {
                let o = Command::new(env!("CARGO_BIN_EXE_exposure"))
                    .args([cmd, json.to_str().unwrap(), d.join(out).to_str().unwrap()])
                    .output()
                    .unwrap();
                assert!(
                    o.status.success(),
                    "seed {g}: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
            }
        }
        let csl = std::fs::read_to_string(root.join("tests/data/csl-sample.csv")).unwrap();
        let head: Vec<&str> = csl.lines().take(40).collect();
        std::fs::write(d.join("csl.csv"), head.join("\n") + "\n").unwrap();
        std::fs::write(d.join("csl.json"), CSL_JSON).unwrap();
        for f in ["scenarios-2019.json", "portfolio-2019.csv"] {
            std::fs::copy(root.join("graphs").join(f), d.join(f)).unwrap();
        }
        Seeds { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Copies a folder's files.
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Writes a mutated copy of `seed` to `to`.
fn mutated(rng: &mut Rng, seed: &Path, to: &Path) {
    let mut bytes = std::fs::read(seed).unwrap();
    mutate(rng, &mut bytes);
    std::fs::write(to, bytes).unwrap();
}

/// The commands that read a graph at `g`; `id` is an entity of the seed.
fn graph_steps(g: &str, id: &str, seeds: &Seeds, work: &Path, report: bool) -> Vec<Step> {
    let scen = seeds.path("scenarios-2019.json");
    let csl = seeds.path("csl.csv");
    let mut steps = vec![
        step(
            &["analyze", "-g", g, "--format", "json", "--all"],
            Shape::Json,
        ),
        step(
            &["analyze", "-g", g, "--format", "csv", "--affiliates", "50"],
            Shape::Csv,
        ),
        step(&["analyze", "-g", g, "--format", "table"], Shape::Text),
        step(&["explain", id, "-g", g, "--format", "json"], Shape::Json),
        step(
            &["explain", id, "-g", g, "--upper", "--format", "csv"],
            Shape::Csv,
        ),
        step(&["dot", "-g", g, "--highlight", id], Shape::Dot),
        step(&["timeline", "-g", g, "--format", "json"], Shape::Json),
        writing(&["timeline", "-g", g, "-o"], &work.join("chart.svg"), svg),
        step(
            &[
                "whatif",
                scen.to_str().unwrap(),
                "-g",
                g,
                "--format",
                "json",
            ],
            Shape::Json,
        ),
        step(
            &[
                "screen",
                "-g",
                g,
                "--csl",
                csl.to_str().unwrap(),
                "--format",
                "json",
            ],
            Shape::Json,
        ),
        writing(&["convert", g], &work.join("out.json"), valid_graph),
        writing(&["convert", g], &work.join("out-csv"), valid_graph),
        writing(&["pack", g], &work.join("out.pk"), valid_graph),
    ];
    if report {
        steps.push(writing(
            &["report", "-g", g, "-o"],
            &work.join("report.html"),
            html,
        ));
    }
    steps
}

/// Runs one case: `Err` with every finding.
fn case(seeds: &Seeds, kind: Kind, n: u64, rng: &mut Rng) -> Result<(), String> {
    let work_dir = tempfile::tempdir().unwrap();
    let work = work_dir.path();
    let scratch = work.join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let (seed, id) = if rng.below(3) == 0 {
        ("example", "ambarella")
    } else {
        ("small", "A")
    };
    let example = seeds.path("example.json");
    let eg = example.to_str().unwrap();
    let report = n % 4 == 0;
    // The steps, and the step whose exit the others must agree with
    // (`None`: no agreement asked).
    let (steps, judge): (Vec<Step>, Option<Step>) = match kind {
        Kind::GraphJson | Kind::CsvFolder | Kind::Packed => {
            let g = match kind {
                Kind::GraphJson => {
                    let g = work.join("g.json");
                    mutated(rng, &seeds.path(&format!("{seed}.json")), &g);
                    g
                }
                Kind::CsvFolder => {
                    let g = work.join("g");
                    copy_folder(&seeds.path(&format!("{seed}-csv")), &g);
                    let mut files: Vec<PathBuf> = std::fs::read_dir(&g)
                        .unwrap()
                        .map(|e| e.unwrap().path())
                        .collect();
                    files.sort();
                    let f = files[rng.below(files.len())].clone();
                    let seed_file = f.clone();
                    mutated(rng, &seed_file, &f);
                    g
                }
                _ => {
                    let g = work.join("g.pk");
                    mutated(rng, &seeds.path(&format!("{seed}.pk")), &g);
                    g
                }
            };
            let g = g.to_str().unwrap().to_string();
            (
                graph_steps(&g, id, seeds, work, report),
                Some(step(&["validate", "-g", &g], Shape::Text)),
            )
        }
        Kind::Scenario => {
            let s = work.join("s.json");
            mutated(rng, &seeds.path("scenarios-2019.json"), &s);
            let s = s.to_str().unwrap();
            let mut steps = vec![step(
                &["whatif", s, "-g", eg, "--format", "csv"],
                Shape::Csv,
            )];
            steps.push(writing(
                &["report", "-g", eg, "--scenarios", s, "-o"],
                &work.join("report.html"),
                html,
            ));
            (
                steps,
                Some(step(
                    &["whatif", s, "-g", eg, "--format", "json"],
                    Shape::Json,
                )),
            )
        }
        Kind::Holdings => {
            let h = work.join("h.csv");
            mutated(rng, &seeds.path("portfolio-2019.csv"), &h);
            let h = h.to_str().unwrap();
            let scen = seeds.path("scenarios-2019.json");
            let mut steps = vec![
                step(
                    &["analyze", "-g", eg, "--portfolio", h, "--format", "csv"],
                    Shape::Csv,
                ),
                step(&["analyze", "-g", eg, "--portfolio", h], Shape::Text),
                step(
                    &[
                        "whatif",
                        scen.to_str().unwrap(),
                        "-g",
                        eg,
                        "--portfolio",
                        h,
                        "--format",
                        "json",
                    ],
                    Shape::Json,
                ),
                step(
                    &["timeline", "-g", eg, "--portfolio", h, "--format", "json"],
                    Shape::Json,
                ),
            ];
            if report {
                steps.push(writing(
                    &["report", "-g", eg, "--portfolio", h, "-o"],
                    &work.join("report.html"),
                    html,
                ));
            }
            let judge = step(
                &["analyze", "-g", eg, "--portfolio", h, "--format", "json"],
                Shape::Json,
            );
            (steps, Some(judge))
        }
        Kind::CslCsv | Kind::CslJson => {
            let (name, seed_file) = match kind {
                Kind::CslCsv => ("l.csv", "csl.csv"),
                _ => ("l.json", "csl.json"),
            };
            let l = work.join(name);
            mutated(rng, &seeds.path(seed_file), &l);
            let l = l.to_str().unwrap();
            let small = seeds.path("small.json");
            let steps = vec![
                step(&["screen", "-g", eg, "--csl", l], Shape::Text),
                step(
                    &["screen", "-g", eg, "--csl", l, "--format", "csv"],
                    Shape::Csv,
                ),
                writing(
                    &[
                        "screen",
                        "-g",
                        small.to_str().unwrap(),
                        "--csl",
                        l,
                        "--min-score",
                        "0.5",
                        "--apply",
                    ],
                    &work.join("applied.json"),
                    valid_graph,
                ),
            ];
            (
                steps,
                Some(step(
                    &["screen", "-g", eg, "--csl", l, "--format", "json"],
                    Shape::Json,
                )),
            )
        }
    };
    let mut findings = Vec::new();
    let mut verdict = None;
    if let Some(j) = &judge {
        let run = exec(&j.args, &scratch)?;
        if let Err(e) = check(&run, j) {
            findings.push(e);
        }
        verdict = run.code();
    }
    for s in &steps {
        let run = exec(&s.args, &scratch)?;
        if let Err(e) = check(&run, s) {
            findings.push(e);
        }
        // An invalid input is an error for every command that reads it.
        if verdict == Some(2) && run.code() == Some(0) {
            findings.push(format!(
                "exposure {:?} exits 0 where {:?} exits 2",
                s.args,
                judge.as_ref().unwrap().args
            ));
        }
    }
    if findings.is_empty() {
        Ok(())
    } else {
        // Keep the case for a look.
        let keep = std::env::temp_dir().join(format!("exposure-fuzz-{kind:?}-{n}"));
        let _ = std::fs::remove_dir_all(&keep);
        copy_folder_all(work, &keep);
        findings.push(format!("the case's files are kept in {}", keep.display()));
        Err(findings.join("\n"))
    }
}

/// Copies a tree (the case's files, to keep a failing one).
fn copy_folder_all(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_folder_all(&p, &to.join(e.file_name()));
        } else {
            let _ = std::fs::copy(&p, to.join(e.file_name()));
        }
    }
}

/// Runs `cases` cases from `seed`, each kind in turn; panics with every
/// finding.
fn fuzz(seed: u64, cases: u64) {
    let seeds = Seeds::new();
    let mut failures = Vec::new();
    for n in 0..cases {
        let kind = KINDS[(n % KINDS.len() as u64) as usize];
        let mut rng = Rng(seed.wrapping_mul(1_000_003).wrapping_add(n));
        if let Err(e) = case(&seeds, kind, n, &mut rng) {
            failures.push(format!("case {n} ({kind:?}, seed {seed}):\n{e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn fuzz_short_run_finds_no_panic_hang_or_malformed_output() {
    fuzz(1, 14);
}

#[test]
#[ignore = "long: run on demand (README, Fuzzing)"]
fn fuzz_long() {
    let var = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    fuzz(
        var("EXPOSURE_FUZZ_SEED", 7),
        var("EXPOSURE_FUZZ_CASES", 2_000),
    );
}
