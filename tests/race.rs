//! `--race` on everything the project has.
//!
//! - Every golden script runs again with `--race`, deterministically: it
//!   must print exactly its golden files. A script whose goldens already
//!   run with `--race` (the `race_*` ones) shows there what it reports;
//!   every other must report nothing, except [`RACY_ON_PURPOSE`].
//! - Every golden script runs with `--race` in a normal run (real threads,
//!   real time): it must report races at the same places as its goldens
//!   say (who came first, and so which access is "earlier", may differ).
//!   So the classic bugs (`race_bug_*`) are reported on their first run in
//!   both kinds of run, and clean scripts stay clean.
//! - Every benchmark runs with small arguments under `--race`, both ways,
//!   and must report nothing.
//! - The embedding API's `set_race`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};
use thr::cli_support::{self as golden, Case};

/// Golden scripts that race (or invert locks) on purpose but whose goldens
/// run without `--race`: the places of the reports `--race` must make.
const RACY_ON_PURPOSE: &[(&str, &[&str])] = &[
    // The lesson `thr explore` teaches: an unguarded counter.
    ("race_counter", &["counter"]),
    // Busy-waits on plain variables: what a deterministic run must still
    // finish, and what a race detector must flag.
    ("det_busy_wait", &["done", "turn"]),
    // Two threads take two locks in opposite orders, and deadlock.
    (
        "deadlock_lock_order",
        &["PotentialDeadlock: `b` and `a` are taken in opposite orders"],
    ),
];

/// Golden scripts that only make sense deterministically, and why.
const DETERMINISTIC_ONLY: &[(&str, &str)] = &[("det_clock", "it sleeps an hour of virtual time")];

/// Benchmarks with the small arguments of `bench/run.py --quick`.
const BENCHMARKS: &[(&str, &[&str])] = &[
    ("fib", &["20"]),
    ("loop", &["100000"]),
    ("strings", &["10000"]),
    ("collections", &["10000"]),
    ("records", &["10000"]),
    ("nbody", &["1000"]),
    ("wordcount", &["20000"]),
    ("parallel_fib", &["20"]),
    ("lock_counter", &["20000"]),
    ("event_pingpong", &["2000"]),
    ("queue_1m", &["50000"]),
    ("spawn_join", &["500"]),
    ("sleepers", &["100", "0.2"]),
];

/// Benchmarks that do not run deterministically, and why.
const NOT_DETERMINISTIC: &[(&str, &str)] = &[(
    "parallel_fib",
    "it divides by its own timings, which the virtual clock makes 0",
)];

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("the project root exists");
    let mut trials = Vec::new();
    for case in golden::discover(&[PathBuf::from("scripts")]) {
        let name = case.name().trim_start_matches("scripts/").to_string();
        let c = case.clone();
        trials.push(Trial::test(format!("deterministic/{name}"), move || {
            deterministic(&c)
        }));
        if !DETERMINISTIC_ONLY.iter().any(|(s, _)| *s == name) {
            trials.push(Trial::test(format!("normal/{name}"), move || normal(&case)));
        }
    }
    for &(bench, args) in BENCHMARKS {
        trials.push(Trial::test(format!("bench/{bench}"), move || {
            benchmark(bench, args, false)
        }));
        if !NOT_DETERMINISTIC.iter().any(|(b, _)| *b == bench) {
            trials.push(Trial::test(
                format!("bench-deterministic/{bench}"),
                move || benchmark(bench, args, true),
            ));
        }
    }
    trials.extend(engine_trials());
    libtest_mimic::run(&args, trials).exit();
}

fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_thr"))
}

fn race() -> Vec<String> {
    vec!["--race".to_string()]
}

/// The places a report names: the variable or container of each data race
/// (without the item or key, which depends on who came first), and the
/// whole first line of each potential deadlock.
fn places(stderr: &str) -> BTreeSet<String> {
    stderr
        .lines()
        .filter_map(|line| {
            if line.starts_with("PotentialDeadlock: ") {
                return Some(line.to_string());
            }
            let header = line.strip_prefix("DataRace: ")?;
            let name = header.split('`').nth(1)?;
            Some(name.split(['[', '.']).next().unwrap_or(name).to_string())
        })
        .collect()
}

/// The places the case's goldens expect `--race` to report.
fn expected_places(case: &Case) -> BTreeSet<String> {
    let stem = case.name();
    let stem = stem.trim_start_matches("scripts/");
    match RACY_ON_PURPOSE.iter().find(|(s, _)| *s == stem) {
        Some((_, places)) => places.iter().map(|p| p.to_string()).collect(),
        None => places(&case.expected("err")),
    }
}

fn deterministic(case: &Case) -> Result<(), Failed> {
    let got = golden::run(exe(), case, &race(), TIME_LIMIT)?;
    if case.expected("args").contains("--race") {
        return golden::check(case, &got, false).map_err(Failed::from);
    }
    let want = expected_places(case);
    if want.is_empty() {
        // Race detection changes nothing else a clean script does.
        return golden::check(case, &got, false).map_err(Failed::from);
    }
    same_places(&want, &got.stderr)
}

fn normal(case: &Case) -> Result<(), Failed> {
    let args = case.expected("args");
    let mut options = race();
    options.extend(args.split_whitespace().map(String::from));
    let stderr = run(&options, &case.script)?;
    same_places(&expected_places(case), &stderr)
}

fn same_places(want: &BTreeSet<String>, stderr: &str) -> Result<(), Failed> {
    let got = places(stderr);
    if got == *want {
        return Ok(());
    }
    Err(format!("reports at {got:?}, expected {want:?}; stderr:\n{stderr}").into())
}

/// Runs `thr OPTIONS SCRIPT` (not deterministically unless asked) in the
/// script's folder, as `thr test` does: its stderr.
fn run(options: &[String], script: &Path) -> Result<String, Failed> {
    let folder = script.parent().unwrap_or(Path::new("."));
    let file = script.file_name().expect("a script has a file name");
    let mut command = Command::new(exe());
    command.current_dir(folder).args(options).arg(file);
    let out = run_limited(&mut command)?;
    Ok(String::from_utf8_lossy(&out.stderr).into_owned())
}

/// How long one run may take.
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// Runs a command, killed (and failing) after the golden tests' time limit.
fn run_limited(command: &mut Command) -> Result<std::process::Output, Failed> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run thr: {e}"))?;
    let started = Instant::now();
    while child.try_wait()?.is_none() {
        if started.elapsed() > TIME_LIMIT {
            child.kill()?;
            return Err(format!("still running after {:?}: killed", TIME_LIMIT).into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(child.wait_with_output()?)
}

fn benchmark(bench: &str, args: &[&str], deterministic: bool) -> Result<(), Failed> {
    let mut options = race();
    if deterministic {
        options.push("--deterministic".into());
    }
    let script = PathBuf::from(format!("bench/{bench}.thr"));
    let out = run_limited(Command::new(exe()).args(&options).arg(&script).args(args))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() && stderr.is_empty() {
        return Ok(());
    }
    Err(format!("{bench} exited with {}:\n{stderr}", out.status).into())
}

/// The embedding API: `Engine::set_race`.
fn engine_trials() -> Vec<Trial> {
    const RACY: &str =
        "let n = 0\nfn add() { n += 1 }\nlet t = spawn(add)\nadd()\nt.join()\nprint(n)\n";
    const REPORT: &str = "DataRace: write of `n` by MainThread
  at <string>:2:12 in add
  called from <string>:4:1 in <script>
races with an earlier write by Thread-1
  at <string>:2:12 in add
no lock, join or other synchronisation orders them
";
    let run = |code: &'static str, stop: bool| {
        let (out, err) = (thr::Capture::default(), thr::Capture::default());
        let mut engine = thr::Engine::new();
        engine.set_output(out.clone());
        engine.set_error_output(err.clone());
        engine.set_deterministic(true);
        engine.set_race(true, stop);
        let result = engine.run_str(code);
        (result, out.text(), err.text())
    };
    vec![
        Trial::test("engine/a_race_fails_the_run_with_its_report", move || {
            let (result, out, err) = run(RACY, false);
            assert_eq!(result.map_err(|e| e.kind), Err("DataRace".to_string()));
            assert_eq!((out.as_str(), err.as_str()), ("2\n", REPORT));
            Ok(())
        }),
        Trial::test("engine/stop_ends_the_run_at_the_first_report", move || {
            let (result, out, err) = run(RACY, true);
            assert_eq!(result.map_err(|e| e.kind), Err("DataRace".to_string()));
            assert_eq!((out.as_str(), err.as_str()), ("", REPORT));
            Ok(())
        }),
        Trial::test("engine/a_clean_run_is_ok", move || {
            let clean = "let n = 0\nlet g = lock()\nfn add() { with g { n += 1 } }\nlet t = spawn(add)\nadd()\nt.join()\nprint(n)\n";
            let (result, out, err) = run(clean, false);
            assert_eq!(result, Ok(()));
            assert_eq!((out.as_str(), err.as_str()), ("2\n", ""));
            Ok(())
        }),
    ]
}
