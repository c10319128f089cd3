//! The packed form (`exposure pack`): every command reads it as it reads
//! the JSON, `convert` turns it back byte for byte, and a damaged or
//! hand-made file is an error (exit 2, a message, nothing on stdout),
//! never a panic.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::{run, stderr, stdout};
use crate::csvform::{hostile, with_segments};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/graphs/entity-list-2019.json");
const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/graphs/scenarios-2019.json");

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

fn assert_ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// Packs `input` into `dir/name` and returns its path.
fn pack(input: &Path, dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    assert_ok(&run(&["pack", s(input), s(&out)]));
    out
}

fn write_value(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(v).expect("JSON")).expect("written");
    path
}

/// Runs `args` with `-g json` and with `-g packed`: the same bytes on both
/// streams and the same status.
fn same_output(json: &Path, packed: &Path, args: &[&str]) {
    let with = |g: &Path| {
        let mut all = args.to_vec();
        all.extend(["-g", s(g)]);
        run(&all)
    };
    let (a, b) = (with(json), with(packed));
    assert_eq!(a.status.code(), b.status.code(), "{args:?}");
    assert_eq!(stdout(&a), stdout(&b), "{args:?}");
    assert_eq!(stderr(&a), stderr(&b), "{args:?}");
    assert!(!a.stdout.is_empty(), "{args:?} printed nothing");
}

/// An error of a packed file: status 2, a message, nothing on stdout.
fn assert_refused(path: &Path, wanted: &str) {
    let out = run(&["analyze", "-g", s(path), "--format", "json"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    assert!(out.stdout.is_empty(), "stdout:\n{}", stdout(&out));
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(wanted), "wanted {wanted:?} in:\n{err}");
}

#[test]
fn every_command_reads_the_packed_example_as_the_json() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let json = Path::new(EXAMPLE);
    // Any name: the form is told by the content.
    let packed = pack(json, dir.path(), "example.graph");
    for args in [
        &["analyze"][..],
        &["analyze", "--format", "json", "--all"],
        &["analyze", "--format", "csv", "--as-of", "2019-06-01"],
        &["explain", "hikvision"],
        &["explain", "ambarella", "--format", "json"],
        &["whatif", SCENARIOS, "--format", "json"],
        &["dot"],
        &["validate"],
        &["timeline", "--format", "csv"],
    ] {
        same_output(json, &packed, args);
    }
}

#[test]
fn hostile_strings_segments_and_unknown_fields_survive_packing() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, graph) in [("hostile", hostile()), ("segments", with_segments())] {
        let json = write_value(dir.path(), &format!("{name}.json"), &graph);
        let packed = pack(&json, dir.path(), &format!("{name}.bin"));
        for args in [
            &["analyze", "--all"][..],
            &["analyze", "--format", "json", "--all"],
            &["dot"],
            &["validate"],
        ] {
            same_output(&json, &packed, args);
        }
        // convert gives the same bytes from either form, JSON and CSV.
        let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
        assert_ok(&run(&["convert", s(&json), s(&a), "--force"]));
        assert_ok(&run(&["convert", s(&packed), s(&b), "--force"]));
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{name}"
        );
        let (ca, cb) = (dir.path().join("ca"), dir.path().join("cb"));
        assert_ok(&run(&["convert", s(&json), s(&ca), "--force"]));
        assert_ok(&run(&["convert", s(&packed), s(&cb), "--force"]));
        for file in std::fs::read_dir(&ca).unwrap() {
            let file = file.unwrap().file_name();
            assert_eq!(
                std::fs::read(ca.join(&file)).unwrap(),
                std::fs::read(cb.join(&file)).unwrap(),
                "{name}: {file:?}"
            );
        }
        // A packed file made from the CSV form is the same file.
        let again = dir.path().join(format!("{name}-from-csv.bin"));
        assert_ok(&run(&["pack", s(&ca), s(&again)]));
        assert_eq!(
            std::fs::read(&packed).unwrap(),
            std::fs::read(&again).unwrap()
        );
    }
    // The example too, through convert.
    let packed = pack(Path::new(EXAMPLE), dir.path(), "example.bin");
    let (a, b) = (dir.path().join("ea.json"), dir.path().join("eb.json"));
    assert_ok(&run(&["convert", EXAMPLE, s(&a)]));
    assert_ok(&run(&["convert", s(&packed), s(&b)]));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn a_truncated_packed_file_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let packed = pack(Path::new(EXAMPLE), dir.path(), "g.bin");
    let bytes = std::fs::read(&packed).unwrap();
    let n = bytes.len();
    for cut in [1, 4, 8, 12, 20, 100, n / 2, n - 17, n - 16, n - 1] {
        let path = dir.path().join(format!("cut{cut}.bin"));
        std::fs::write(&path, &bytes[..cut]).unwrap();
        assert_refused(&path, "the packed graph is damaged (checksum mismatch)");
    }
    // An empty file is no graph either.
    let empty = dir.path().join("empty.bin");
    std::fs::write(&empty, b"").unwrap();
    assert_refused(&empty, "error");
}

#[test]
fn any_changed_byte_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let json = write_value(dir.path(), "h.json", &hostile());
    for packed in [
        pack(Path::new(EXAMPLE), dir.path(), "g.bin"),
        pack(&json, dir.path(), "h.bin"),
    ] {
        let bytes = std::fs::read(&packed).unwrap();
        let path = dir.path().join("flipped.bin");
        // Every 97th byte, and the first and last few.
        let mut at: Vec<usize> = (0..bytes.len()).step_by(97).collect();
        at.extend((0..12).chain(bytes.len() - 20..bytes.len()));
        for i in at {
            let mut b = bytes.clone();
            b[i] ^= 1 << (i % 8);
            std::fs::write(&path, &b).unwrap();
            let out = run(&["validate", "-g", s(&path)]);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "byte {i}: {err}");
            assert!(out.stdout.is_empty(), "byte {i}");
            assert!(!err.contains("panicked"), "byte {i}: {err}");
            // The first byte turns the file into (invalid) JSON.
            if i > 0 {
                assert!(err.contains("checksum mismatch"), "byte {i}: {err}");
            }
        }
    }
}

/// A packed file's sections, to change one and seal it again.
struct Parts {
    head: Vec<u8>,
    sections: Vec<Vec<u8>>,
}

impl Parts {
    fn of(bytes: &[u8]) -> Parts {
        let body = &bytes[..bytes.len() - 16];
        let mut at = 12;
        let mut sections = Vec::new();
        while at < body.len() {
            let len = u64::from_le_bytes(body[at..at + 8].try_into().unwrap()) as usize;
            sections.push(body[at + 8..at + 8 + len].to_vec());
            at += 8 + len;
        }
        assert_eq!(sections.len(), 9);
        Parts {
            head: body[..12].to_vec(),
            sections,
        }
    }

    /// The file with section lengths as they are, and a valid checksum.
    fn seal(&self) -> Vec<u8> {
        let mut out = self.head.clone();
        for s in &self.sections {
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
            out.extend_from_slice(s);
        }
        seal(out)
    }
}

fn seal(mut body: Vec<u8>) -> Vec<u8> {
    let sum = xxhash_rust::xxh3::xxh3_128(&body).to_le_bytes();
    body.extend_from_slice(&sum);
    body
}

const TEXT: usize = 0;
const ENTITIES: usize = 2;
const RELATIONSHIPS: usize = 3;
const LISTINGS: usize = 4;

/// The width of each column of the entities, relationships and listings.
const WIDTHS: [&[usize]; 3] = [
    &[8, 8, 1, 8, 8, 8, 8, 8, 8, 4],
    &[1, 4, 4, 8, 8, 8, 8, 8, 1, 8, 8, 4, 4, 4],
    &[4, 8, 4, 4, 8, 8, 4],
];

/// Where the `k`-th value present in column `column` of a table section
/// starts.
fn value_at(sec: &[u8], widths: &[usize], column: usize, k: usize) -> usize {
    let n = u64::from_le_bytes(sec[..8].try_into().unwrap()) as usize;
    let mut at = 8;
    for (c, width) in widths.iter().enumerate() {
        let mode = sec[at];
        at += 1;
        if mode == 0 {
            assert_ne!(c, column, "column {column} is empty");
            continue;
        }
        if mode == 2 {
            at += n.div_ceil(8);
        }
        let len = u64::from_le_bytes(sec[at..at + 8].try_into().unwrap()) as usize;
        at += 8;
        if c == column {
            return at + k * width;
        }
        at += len;
    }
    panic!("no column {column}");
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn a_hand_made_file_with_a_valid_checksum_is_still_checked() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let json = write_value(dir.path(), "h.json", &hostile());
    let bytes = std::fs::read(pack(&json, dir.path(), "h.bin")).unwrap();
    let parts = Parts::of(&bytes);
    let path = dir.path().join("made.bin");
    let try_file = |b: Vec<u8>, wanted: &str| {
        std::fs::write(&path, b).unwrap();
        assert_refused(&path, wanted);
    };
    let not_valid = "the packed graph is not valid";

    // A section length far beyond the file, and one byte beyond it.
    for bogus in [u64::MAX, u64::from(u32::MAX), 1 << 40] {
        let mut b = bytes[..bytes.len() - 16].to_vec();
        b[12..20].copy_from_slice(&bogus.to_le_bytes());
        try_file(seal(b), not_valid);
    }
    let mut b = bytes[..bytes.len() - 16].to_vec();
    let text_len = u64::from_le_bytes(b[12..20].try_into().unwrap());
    b[12..20].copy_from_slice(&(text_len + 1).to_le_bytes());
    try_file(seal(b), not_valid);
    // A table whose last column is cut short.
    let mut p = Parts::of(&bytes);
    p.sections[ENTITIES].pop();
    try_file(p.seal(), not_valid);
    // Trailing bytes, another version.
    let mut b = parts.seal();
    b.truncate(b.len() - 16);
    b.push(0);
    try_file(seal(b), not_valid);
    let mut b = parts.seal();
    b.truncate(b.len() - 16);
    put_u32(&mut b, 8, 2);
    try_file(seal(b), "version 2");

    // Bogus record counts, and an unknown column mode.
    for count in [u64::MAX, 1 << 40, 1 << 20] {
        let mut p = Parts::of(&bytes);
        p.sections[ENTITIES][..8].copy_from_slice(&count.to_le_bytes());
        try_file(p.seal(), not_valid);
    }
    let mut p = Parts::of(&bytes);
    p.sections[ENTITIES][8] = 3;
    try_file(p.seal(), not_valid);

    // Handles out of range: an entity's id past the text or of a bogus
    // length, its unknown fields, a relationship's ends and unknown
    // fields, a listing's entity and start date.
    let text_len = parts.sections[TEXT].len() as u32;
    let edits: Vec<(usize, usize, usize, u32)> = vec![
        (ENTITIES, 0, 0, text_len),
        (ENTITIES, 0, 4, u32::MAX),
        (ENTITIES, 9, 0, 1000),
        (RELATIONSHIPS, 2, 0, 4),
        (RELATIONSHIPS, 1, 0, u32::MAX),
        (RELATIONSHIPS, 13, 0, 77),
        (LISTINGS, 0, 0, 99),
        (LISTINGS, 2, 0, 20191301),
    ];
    for (section, column, at, v) in edits {
        let mut p = Parts::of(&bytes);
        let sec = &mut p.sections[section];
        let base = value_at(sec, WIDTHS[section - ENTITIES], column, 0);
        put_u32(sec, base + at, v);
        try_file(p.seal(), not_valid);
    }
    // An unknown kind.
    let mut p = Parts::of(&bytes);
    let at = value_at(&p.sections[ENTITIES], WIDTHS[0], 2, 0);
    p.sections[ENTITIES][at] = 9;
    try_file(p.seal(), not_valid);
    // The first entity's name starts inside its first (three-byte) character.
    let mut p = Parts::of(&bytes);
    let at = value_at(&p.sections[ENTITIES], WIDTHS[0], 1, 0);
    let name = u32::from_le_bytes(p.sections[ENTITIES][at..at + 4].try_into().unwrap());
    put_u32(&mut p.sections[ENTITIES], at, name + 1);
    try_file(p.seal(), not_valid);
    // Two entities with one id.
    let mut p = Parts::of(&bytes);
    let at = value_at(&p.sections[ENTITIES], WIDTHS[0], 0, 0);
    let first_id: Vec<u8> = p.sections[ENTITIES][at..at + 8].to_vec();
    p.sections[ENTITIES][at + 8..at + 16].copy_from_slice(&first_id);
    try_file(p.seal(), "not unique");
    // A record that breaks a rule across records: a share above 1 (the
    // first share is the second relationship's).
    let mut p = Parts::of(&bytes);
    let at = value_at(&p.sections[RELATIONSHIPS], WIDTHS[1], 3, 0);
    p.sections[RELATIONSHIPS][at..at + 8].copy_from_slice(&1.5f64.to_le_bytes());
    try_file(p.seal(), "share");
    // A value that claims more items than there are bytes, and one nested
    // deeper than any reader writes.
    let mut p = Parts::of(&bytes);
    let top = &mut p.sections[8];
    put_u32(top, 1, u32::MAX);
    try_file(p.seal(), not_valid);
    let mut p = Parts::of(&bytes);
    let mut deep = vec![8u8, 1, 0, 0, 0, 1, 0, 0, 0, b'k'];
    for _ in 0..100_000 {
        deep.extend_from_slice(&[7, 1, 0, 0, 0]);
    }
    deep.push(0);
    p.sections[8] = deep;
    try_file(p.seal(), not_valid);
}

#[test]
fn pack_guards_its_input_and_an_existing_output() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let json = write_value(dir.path(), "g.json", &hostile());
    let before = std::fs::read(&json).unwrap();
    // Onto its own input.
    let out = run(&["pack", s(&json), s(&json)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("that is an input file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&json).unwrap(), before);
    // An existing OUT needs --force, and is replaced whole.
    let packed = dir.path().join("g.bin");
    std::fs::write(&packed, b"old").unwrap();
    let out = run(&["pack", s(&json), s(&packed)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&packed).unwrap(), b"old");
    assert_ok(&run(&["pack", s(&json), s(&packed), "--force"]));
    assert_ok(&run(&["validate", "-g", s(&packed)]));
    // An invalid input writes nothing, and no temporary file is left.
    let bad = write_value(
        dir.path(),
        "bad.json",
        &serde_json::json!({"format": "exposure-graph/1"}),
    );
    let never = dir.path().join("never.bin");
    let out = run(&["pack", s(&bad), s(&never)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!never.exists());
    // A folder as OUT is refused.
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    let out = run(&["pack", s(&json), s(&folder), "--force"]);
    assert_eq!(out.status.code(), Some(2));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}
