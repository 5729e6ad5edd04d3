//! Golden tests (LANGUAGE.md §9): each `X.thr` with a sibling `X.out` runs
//! deterministically and must print exactly `X.out` on stdout, `X.err` on
//! stderr (nothing when absent) and exit with `X.status` (0 when absent).
//! `X.args` holds extra options for the run. `thr test` and the project's own
//! test suite both run through this module.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use similar::{ChangeTag, TextDiff};

/// A run that takes longer than this is killed and fails.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

/// One golden test: a script and its expected files beside it.
#[derive(Clone, Debug)]
pub struct Case {
    pub script: PathBuf,
}

impl Case {
    /// The test's name: the script's path without `.thr`.
    pub fn name(&self) -> String {
        self.script.with_extension("").display().to_string()
    }

    /// The text of the case's `.ext` file, empty when there is none.
    pub fn expected(&self, ext: &str) -> String {
        std::fs::read_to_string(self.script.with_extension(ext)).unwrap_or_default()
    }
}

/// What a run printed and how it ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

/// Every script under `paths` (files or folders, searched recursively) that
/// has an `.out` beside it, sorted by path.
pub fn discover(paths: &[PathBuf]) -> Vec<Case> {
    let mut found = Vec::new();
    for p in paths {
        collect(p, &mut found);
    }
    found.sort();
    found.dedup();
    found.into_iter().map(|script| Case { script }).collect()
}

fn collect(path: &Path, found: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            collect(&entry.path(), found);
        }
    } else if path.extension().is_some_and(|e| e == "thr") && path.with_extension("out").exists() {
        // `thr test` and `thr test scripts` name a script the same way, so
        // the places in its expected diagnostics match either way.
        found.push(path.strip_prefix(".").unwrap_or(path).to_path_buf());
    }
}

/// Runs a case with the `thr` binary `exe`, deterministically.
pub fn run(exe: &Path, case: &Case) -> Result<Run, String> {
    run_with(exe, case, &[])
}

/// [`run`] with more options for `thr` (such as `--schedule N`).
pub fn run_with(exe: &Path, case: &Case, extra: &[String]) -> Result<Run, String> {
    let options = case.expected("args");
    let mut child = Command::new(exe)
        .arg("--deterministic")
        .args(extra)
        .args(options.split_whitespace())
        .arg(&case.script)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > TIME_LIMIT => {
                let _ = child.kill();
                return Err(format!("still running after {TIME_LIMIT:?}: killed"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(e.to_string()),
        }
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    Ok(Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        status: output.status.code().unwrap_or(-1),
    })
}

/// Compares a run with the case's files: `Err` holds a readable report
/// with a unified diff per mismatching stream.
pub fn check(case: &Case, got: &Run, color: bool) -> Result<(), String> {
    let mut problems = String::new();
    for (what, ext, text) in [
        ("stdout", "out", &got.stdout),
        ("stderr", "err", &got.stderr),
    ] {
        let want = case.expected(ext);
        if want != *text {
            problems.push_str(&format!("{what} differs (- expected, + got):\n"));
            problems.push_str(&diff(&want, text, color));
        }
    }
    let want_status: i32 = case.expected("status").trim().parse().unwrap_or(0);
    if want_status != got.status {
        problems.push_str(&format!(
            "exit status: expected {want_status}, got {}\n",
            got.status
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Writes a run's output as the case's expected files.
pub fn bless(case: &Case, got: &Run) -> std::io::Result<()> {
    std::fs::write(case.script.with_extension("out"), &got.stdout)?;
    write_or_remove(&case.script.with_extension("err"), &got.stderr)?;
    let status = match got.status {
        0 => String::new(),
        s => format!("{s}\n"),
    };
    write_or_remove(&case.script.with_extension("status"), &status)
}

fn write_or_remove(path: &Path, text: &str) -> std::io::Result<()> {
    if !text.is_empty() {
        return std::fs::write(path, text);
    }
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// A unified diff, red and green when `color`.
pub fn diff(want: &str, got: &str, color: bool) -> String {
    let diff = TextDiff::from_lines(want, got);
    let mut out = String::new();
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&format!("{}\n", hunk.header()));
        for change in hunk.iter_changes() {
            let (sign, paint) = match change.tag() {
                ChangeTag::Delete => ('-', "\x1b[31m"),
                ChangeTag::Insert => ('+', "\x1b[32m"),
                ChangeTag::Equal => (' ', ""),
            };
            let line = change.to_string_lossy();
            let newline = if line.ends_with('\n') {
                ""
            } else {
                "\n\\ no newline at end\n"
            };
            if color && !paint.is_empty() {
                out.push_str(&format!("{paint}{sign}{line}\x1b[0m{newline}"));
            } else {
                out.push_str(&format!("{sign}{line}{newline}"));
            }
        }
    }
    out
}

/// `thr test`: runs every case on all cores, prints each failure's diff and
/// the closing `N passed, M failed`; with `bless`, writes the files instead.
/// Returns whether every case passed.
/// `extra` holds more options for every run (`--race`).
pub fn run_all(
    exe: &Path,
    paths: &[PathBuf],
    bless_files: bool,
    color: bool,
    extra: &[String],
) -> bool {
    let cases = discover(paths);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = parking_lot::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..workers.min(cases.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                let verdict = run_with(exe, case, extra).and_then(|got| {
                    if bless_files {
                        bless(case, &got).map_err(|e| e.to_string())
                    } else {
                        check(case, &got, color)
                    }
                });
                results.lock().push((i, verdict));
            });
        }
    });
    let mut results = results.into_inner();
    results.sort_by_key(|(i, _)| *i);
    let mut failed = 0;
    for (i, verdict) in &results {
        let name = cases[*i].name();
        match verdict {
            Ok(()) if bless_files => println!("blessed {name}"),
            Ok(()) => {}
            Err(report) => {
                failed += 1;
                println!("FAILED {name}\n{report}");
            }
        }
    }
    println!("{} passed, {failed} failed", results.len() - failed);
    failed == 0
}
