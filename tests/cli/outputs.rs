//! Outputs: no command writes over any of its inputs (by any name), a bad
//! output path is refused before anything is printed, a replaced output
//! keeps its permissions, killed runs leave nothing that piles up, and
//! Graphviz is fed through a pipe and its failures are told in full.

use std::path::{Path, PathBuf};
use std::process::Output;

use super::common::{exposure, fixture, run, stderr};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/graphs/entity-list-2019.json");

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

/// Exit 2, nothing on stdout, and an `error:` line with every one of
/// `words`.
fn assert_refused(out: &Output, words: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(err.contains("error:"), "{err}");
    for w in words {
        assert!(err.contains(w), "{w:?} not in {err}");
    }
}

/// A copy of the example graph and of the sample list in a fresh folder.
fn inputs() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("g.json");
    std::fs::copy(EXAMPLE, &graph).unwrap();
    let csl = dir.path().join("list.csv");
    std::fs::copy(fixture("csl-sample.csv"), &csl).unwrap();
    (dir, graph, csl)
}

/// `exposure screen -g GRAPH --csl CSL --apply OUT --force`.
fn apply(graph: &Path, csl: &Path, out: &Path) -> Output {
    run(&[
        "screen",
        "-g",
        s(graph),
        "--csl",
        s(csl),
        "--apply",
        s(out),
        "--force",
    ])
}

#[test]
fn dot_and_timeline_do_not_draw_over_a_graph_named_like_a_drawing() {
    let (dir, graph, _) = inputs();
    // The loader tells the form by content, so g.svg is a valid graph.
    let svg = dir.path().join("g.svg");
    std::fs::rename(&graph, &svg).unwrap();
    let before = std::fs::read(&svg).unwrap();
    for command in ["dot", "timeline"] {
        let out = run(&[command, "-g", s(&svg), "-o", s(&svg)]);
        assert_refused(&out, &["-o", "that is an input file", "-g"]);
        assert_eq!(std::fs::read(&svg).unwrap(), before, "{command}");
    }
    // Through another name of the same folder, too.
    let other = dir.path().join("sub");
    std::fs::create_dir(&other).unwrap();
    let via = other.join("..").join("g.svg");
    let out = run(&["timeline", "-g", s(&svg), "-o", s(&via)]);
    assert_refused(&out, &["that is an input file"]);
    assert_eq!(std::fs::read(&svg).unwrap(), before);
}

#[test]
fn screen_apply_does_not_write_over_its_list_or_a_hard_link_to_its_graph() {
    let (dir, graph, csl) = inputs();
    let (graph_before, csl_before) = (std::fs::read(&graph).unwrap(), std::fs::read(&csl).unwrap());
    assert_refused(
        &apply(&graph, &csl, &csl),
        &["--apply", "that is an input file", "--csl"],
    );
    let link = dir.path().join("link.json");
    std::fs::hard_link(&graph, &link).unwrap();
    assert_refused(
        &apply(&graph, &csl, &link),
        &["that is an input file", "-g"],
    );
    #[cfg(unix)]
    {
        let sym = dir.path().join("sym.json");
        std::os::unix::fs::symlink(&csl, &sym).unwrap();
        assert_refused(&apply(&graph, &csl, &sym), &["that is an input file"]);
    }
    assert_eq!(std::fs::read(&graph).unwrap(), graph_before);
    assert_eq!(std::fs::read(&csl).unwrap(), csl_before);
}

#[test]
fn no_output_goes_into_the_files_of_a_csv_graph_folder() {
    let (dir, graph, csl) = inputs();
    let folder = dir.path().join("csv");
    let out = run(&["convert", s(&graph), s(&folder)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let before = std::fs::read(folder.join("listings.csv")).unwrap();
    // An existing file of the folder, and one the loader would read if it
    // were there.
    assert!(!folder.join("extra.csv").exists());
    for name in ["listings.csv", "extra.csv"] {
        let target = folder.join(name);
        let out = apply(&folder, &csl, &target);
        assert_refused(&out, &["that is an input file", name, "graph folder"]);
    }
    assert_eq!(std::fs::read(folder.join("listings.csv")).unwrap(), before);
    assert!(!folder.join("extra.csv").exists());
    // Report inputs: the portfolio and the scenario file.
    let holdings = dir.path().join("h.html");
    std::fs::write(&holdings, "entity,weight\nintel,1\n").unwrap();
    let scenarios = dir.path().join("s.html");
    std::fs::write(&scenarios, r#"{"scenarios":[{"name":"x"}]}"#).unwrap();
    for (flag, path) in [("--portfolio", &holdings), ("--scenarios", &scenarios)] {
        let out = run(&["report", flag, s(path), "-o", s(path)]);
        assert_refused(&out, &["that is an input file", flag]);
    }
    assert_eq!(
        std::fs::read_to_string(&holdings).unwrap(),
        "entity,weight\nintel,1\n"
    );
}

#[test]
fn screen_apply_into_a_missing_or_unwritable_folder_prints_nothing() {
    let (dir, graph, csl) = inputs();
    let missing = dir.path().join("nowhere").join("out.json");
    assert_refused(
        &apply(&graph, &csl, &missing),
        &["--apply", "nowhere", "does not exist"],
    );
    // A folder where the file is to go.
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    assert_refused(&apply(&graph, &csl, &folder), &["--apply", "is a folder"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
        // Root writes anyway: the check is only meaningful for others.
        let writable = std::fs::write(locked.join("probe"), "").is_ok();
        if !writable {
            let out = apply(&graph, &csl, &locked.join("out.json"));
            assert_refused(&out, &["--apply", "cannot write in the folder"]);
        }
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn a_replaced_output_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let private = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    };
    let (dir, graph, csl) = inputs();
    let screened = dir.path().join("screened.json");
    std::fs::write(&screened, "old").unwrap();
    private(&screened, 0o600);
    let out = apply(&graph, &csl, &screened);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_ne!(std::fs::read_to_string(&screened).unwrap(), "old");
    assert_eq!(mode(&screened), 0o600);

    let dot = dir.path().join("g.dot");
    std::fs::write(&dot, "old").unwrap();
    private(&dot, 0o640);
    let out = run(&["dot", "-g", s(&graph), "-o", s(&dot)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(mode(&dot), 0o640);

    let folder = dir.path().join("csv");
    std::fs::create_dir(&folder).unwrap();
    private(&folder, 0o700);
    let out = run(&["convert", s(&graph), s(&folder), "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(folder.join("entities.csv").exists());
    assert_eq!(mode(&folder), 0o700);
}

/// The id of a process that has ended.
#[cfg(unix)]
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

#[cfg(unix)]
#[test]
fn temporaries_of_killed_runs_beside_the_output_are_swept() {
    let (dir, graph, _) = inputs();
    let (dead, live) = (dead_pid(), std::process::id());
    let folder = dir.path().join("csv");
    let json = dir.path().join("back.json");
    // What a convert killed while writing each output leaves.
    let stale_folder = dir.path().join(format!(".csv.{dead}.tmp"));
    std::fs::create_dir(&stale_folder).unwrap();
    std::fs::write(stale_folder.join("entities.csv"), "id,name\n").unwrap();
    let stale_file = dir.path().join(format!(".back.json.{dead}.tmp"));
    std::fs::write(&stale_file, "{").unwrap();
    // Not ours to remove: a run still going, another name, another pattern.
    let kept = [
        format!(".csv.{live}.tmp"),
        format!(".other.json.{dead}.tmp"),
        format!(".back.json.{dead}.bak"),
    ];
    for k in &kept {
        std::fs::write(dir.path().join(k), "x").unwrap();
    }
    let out = run(&["convert", s(&graph), s(&folder)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&["convert", s(&folder), s(&json)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut want: Vec<String> = kept.to_vec();
    want.extend(["back.json", "csv", "g.json", "list.csv"].map(String::from));
    want.sort();
    assert_eq!(names(dir.path()), want);
}

#[test]
fn convert_force_replaces_a_folder_whole_and_leaves_no_hidden_name() {
    let (dir, graph, _) = inputs();
    let folder = dir.path().join("csv");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("stale.txt"), "old").unwrap();
    std::fs::write(folder.join("entities.csv"), "id,name\nold,Old\n").unwrap();
    let out = run(&["convert", s(&graph), s(&folder), "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!folder.join("stale.txt").exists());
    let entities = std::fs::read_to_string(folder.join("entities.csv")).unwrap();
    assert!(entities.contains("hikvision") && !entities.contains("old,Old"));
    assert_eq!(names(dir.path()), ["csv", "g.json", "list.csv"]);
}

/// A folder with a fake `dot` running `script`, and a PATH that finds it
/// first.
#[cfg(unix)]
fn fake_dot(script: &str) -> (tempfile::TempDir, String) {
    use std::os::unix::fs::PermissionsExt;
    let bin = tempfile::tempdir().unwrap();
    let dot = bin.path().join("dot");
    std::fs::write(&dot, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&dot, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (bin, path)
}

/// Runs `exposure ARGS` with `PATH` and `TMPDIR` set, again while another
/// test thread's fork still holds the fresh script open for writing.
#[cfg(unix)]
fn run_with(path: &str, tmpdir: &Path, args: &[&str]) -> Output {
    for _ in 0..20 {
        let out = exposure()
            .args(args)
            .env("PATH", path)
            .env("TMPDIR", tmpdir)
            .output()
            .unwrap();
        if !stderr(&out).contains("Text file busy") {
            return out;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the fake dot stayed busy");
}

#[cfg(unix)]
#[test]
fn graphviz_reads_the_diagram_from_a_pipe_and_no_temporary_file_is_made() {
    let seen = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let script = format!(
        "echo \"$@\" > '{0}/args'; ls -A \"$TMPDIR\" > '{0}/tmpdir'; cat > '{0}/stdin'; echo '<svg/>'",
        seen.path().display()
    );
    let (_bin, path) = fake_dot(&script);
    let out_dir = tempfile::tempdir().unwrap();
    let svg = out_dir.path().join("g.svg");
    let out = run_with(&path, tmp.path(), &["dot", "-g", EXAMPLE, "-o", s(&svg)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |name: &str| std::fs::read_to_string(seen.path().join(name)).unwrap();
    assert_eq!(read("args").trim(), "-Tsvg", "no file is named to dot");
    assert_eq!(read("tmpdir"), "", "nothing in TMPDIR while dot runs");
    assert!(read("stdin").starts_with("digraph"), "{}", read("stdin"));
    assert_eq!(std::fs::read_to_string(&svg).unwrap(), "<svg/>\n");
    assert_eq!(names(tmp.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_crashing_graphviz_is_told_by_its_signal_and_a_failing_one_by_its_status_and_words() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let svg = out_dir.path().join("g.svg");
    let args = ["dot", "-g", EXAMPLE, "-o", s(&svg)];

    let (_bin, path) = fake_dot("ulimit -c 0 2>/dev/null; kill -SEGV $$");
    let out = run_with(&path, tmp.path(), &args);
    assert_refused(
        &out,
        &[
            "cannot draw",
            "failed: it was killed by signal 11 (SIGSEGV",
            "printing nothing",
        ],
    );

    let (_bin, path) = fake_dot(
        "cat > /dev/null; echo 'Error: trouble in layout' >&2; echo 'second line' >&2; exit 3",
    );
    let out = run_with(&path, tmp.path(), &args);
    assert_refused(
        &out,
        &[
            "failed: it exited with status 3; it printed: Error: trouble in layout",
            "second line",
        ],
    );
    assert!(!stderr(&out).contains("failed: \n"));
    assert_eq!(names(out_dir.path()), Vec::<String>::new());
}

/// Whether process `pid` has ended (gone, or a zombie nobody reaped).
#[cfg(target_os = "linux")]
fn ended(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

#[cfg(target_os = "linux")]
#[test]
fn graphviz_dies_with_a_run_killed_with_sigkill() {
    use std::time::{Duration, Instant};
    let seen = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let pid_file = seen.path().join("pid");
    let script = format!(
        "cat > /dev/null; echo $$ > '{0}.part'; mv '{0}.part' '{0}'; exec sleep 60",
        pid_file.display()
    );
    let (_bin, path) = fake_dot(&script);
    let out_dir = tempfile::tempdir().unwrap();
    let svg = out_dir.path().join("g.svg");
    let mut child = exposure()
        .args(["dot", "-g", EXAMPLE, "-o", s(&svg)])
        .env("PATH", &path)
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let dot_pid = loop {
        if let Ok(p) = std::fs::read_to_string(&pid_file) {
            break p.trim().to_string();
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the fake dot never started");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let start = Instant::now();
    while !ended(&dot_pid) && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let gone = ended(&dot_pid);
    if !gone {
        let _ = std::process::Command::new("kill")
            .args(["-9", &dot_pid])
            .status();
    }
    assert!(gone, "dot outlived the killed run");
    assert_eq!(names(tmp.path()), Vec::<String>::new());
}
