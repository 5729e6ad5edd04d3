//! Golden tests (LANGUAGE.md §9): each `X.thr` with a sibling `X.out` runs
//! deterministically and must print exactly `X.out` on stdout, `X.err` on
//! stderr (nothing when absent) and exit with `X.status` (0 when absent).
//! `X.args` holds extra options for the run. A script runs in its own
//! folder, so paths in its goldens (and its `.args`) are relative to it and
//! the suite passes from any directory. `thr test`, `thr explore` and the
//! project's own test suite all run through this module.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use similar::{ChangeTag, TextDiff};

/// A run past its time limit that has not stopped this long after is killed.
const GRACE: Duration = Duration::from_secs(5);

/// One golden test: a script and its expected files beside it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
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

    /// Whether it has its golden output (`X.out`).
    pub fn has_golden(&self) -> bool {
        self.script.with_extension("out").is_file()
    }

    /// The command that writes this case's goldens from its actual run.
    pub fn bless_command(&self) -> String {
        format!("thr test --bless {}", self.script.display())
    }
}

/// What a run printed and how it ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
    /// It ran past its time limit.
    pub timed_out: bool,
}

/// Every script under `paths` (files or folders, searched recursively),
/// sorted by path, with its golden files or without.
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
        // A linked folder is not entered: a link loop would never end.
        for entry in entries.flatten() {
            if !entry
                .file_type()
                .is_ok_and(|t| t.is_symlink() && entry.path().is_dir())
            {
                collect(&entry.path(), found);
            }
        }
    } else if path.extension().is_some_and(|e| e == "thr") {
        found.push(path.strip_prefix(".").unwrap_or(path).to_path_buf());
    }
}

/// Runs a case with the `thr` binary `exe`, deterministically, in the
/// case's folder, with `extra` options (such as `--schedule N`). Past
/// `limit` the run stops with a `TimeoutError` in each thread still
/// running, which says where it was.
pub fn run(exe: &Path, case: &Case, extra: &[String], limit: Duration) -> Result<Run, String> {
    let options = case.expected("args");
    let folder = case.script.parent().filter(|p| !p.as_os_str().is_empty());
    let file = case.script.file_name().ok_or("a script has a file name")?;
    let mut command = Command::new(exe);
    if let Some(folder) = folder {
        command.current_dir(folder);
    }
    // Before the child starts its own deadline's clock: a run that ended
    // at its deadline has always run `limit` by this clock.
    let started = Instant::now();
    let mut child = command
        .arg("--deterministic")
        .arg(format!("--deadline={}", limit.as_secs_f64()))
        .args(extra)
        .args(options.split_whitespace())
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    // Read both pipes as the child writes, so a chatty run cannot stall on a full pipe.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let mut killed = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit + GRACE => {
                let _ = child.kill();
                killed = true;
                break child.wait().map_err(|e| e.to_string())?;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let mut stderr = join(stderr);
    if killed {
        stderr.push_str(&format!(
            "(killed: it did not stop within {GRACE:?} of its time limit)\n"
        ));
    }
    Ok(Run {
        stdout: join(stdout),
        stderr,
        status: status.code().unwrap_or(-1),
        timed_out: started.elapsed() >= limit,
    })
}

type Reader = std::thread::JoinHandle<String>;

fn drain(pipe: Option<impl std::io::Read + Send + 'static>) -> Option<Reader> {
    let mut pipe = pipe?;
    Some(std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    }))
}

fn join(reader: Option<Reader>) -> String {
    reader.and_then(|r| r.join().ok()).unwrap_or_default()
}

/// Compares a run with the case's files: `Err` holds a readable report
/// with a unified diff per mismatching stream.
pub fn check(case: &Case, got: &Run, color: bool) -> Result<(), String> {
    if got.timed_out {
        return Err(timeout_report(got));
    }
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

/// What a run stopped at its time limit shows: where each thread was, as
/// the `TimeoutError` each running thread stopped with says.
fn timeout_report(got: &Run) -> String {
    format!(
        "still running at its time limit (`thr test --timeout SECS` changes it); \
         where its threads were:\n{}",
        got.stderr
    )
}

/// Writes a run's output as the case's expected files.
pub fn bless(case: &Case, got: &Run) -> Result<(), String> {
    if got.timed_out {
        return Err(format!("nothing written: {}", timeout_report(got)));
    }
    let status = match got.status {
        0 => String::new(),
        s => format!("{s}\n"),
    };
    std::fs::write(case.script.with_extension("out"), &got.stdout)
        .and_then(|()| write_or_remove(&case.script.with_extension("err"), &got.stderr))
        .and_then(|()| write_or_remove(&case.script.with_extension("status"), &status))
        .map_err(|e| format!("cannot write its goldens: {e}"))
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

/// How `thr test` runs a suite.
pub struct Suite<'a> {
    /// The `thr` binary to run scripts with.
    pub exe: &'a Path,
    /// Write goldens instead of comparing.
    pub bless: bool,
    /// Each test's time limit.
    pub limit: Duration,
    /// Colour the diffs.
    pub color: bool,
    /// Show a progress line (on a terminal).
    pub progress: bool,
    /// More options for every run (`--race`).
    pub extra: &'a [String],
}

/// What became of one case.
enum Verdict {
    Passed,
    Blessed,
    /// Its report, and whether blessing would accept the run.
    Failed(String, bool),
    NoGolden,
}

impl Suite<'_> {
    /// `thr test`: runs every case on all cores, prints each failure's diff
    /// and the command that accepts it, lists scripts without goldens, and
    /// ends with `N passed, M failed`. Returns whether every case passed.
    pub fn run_all(&self, paths: &[PathBuf]) -> bool {
        let cases = discover(paths);
        let verdicts = self.run_cases(&cases);
        let mut failed = 0;
        let mut passed = 0;
        let mut no_golden = Vec::new();
        for (case, verdict) in cases.iter().zip(&verdicts) {
            let name = case.name();
            match verdict {
                Verdict::Passed => passed += 1,
                Verdict::Blessed => {
                    passed += 1;
                    println!("blessed {name}");
                }
                Verdict::NoGolden => no_golden.push(case),
                Verdict::Failed(report, acceptable) => {
                    failed += 1;
                    println!("FAILED {name}\n{report}");
                    if *acceptable {
                        println!("to accept its output: {}\n", case.bless_command());
                    }
                }
            }
        }
        for case in &no_golden {
            println!(
                "no golden: {} (write it with: {})",
                case.script.display(),
                case.bless_command()
            );
        }
        let skipped = match no_golden.len() {
            0 => String::new(),
            n => format!(", {n} skipped"),
        };
        println!("{passed} passed, {failed} failed{skipped}");
        failed == 0
    }

    /// Runs the cases on all cores, each verdict at its case's index.
    fn run_cases(&self, cases: &[Case]) -> Vec<Verdict> {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results = parking_lot::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..workers.min(cases.len().max(1)) {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let verdict = self.judge(case);
                    let mut results = results.lock();
                    results.push((i, verdict));
                    self.show_progress(results.len(), cases.len());
                });
            }
        });
        self.show_progress(0, 0);
        let mut results = results.into_inner();
        results.sort_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, v)| v).collect()
    }

    fn judge(&self, case: &Case) -> Verdict {
        if !self.bless && !case.has_golden() {
            return Verdict::NoGolden;
        }
        let got = match run(self.exe, case, self.extra, self.limit) {
            Ok(got) => got,
            Err(e) => return Verdict::Failed(e, false),
        };
        let verdict = if self.bless {
            bless(case, &got).map(|()| Verdict::Blessed)
        } else {
            check(case, &got, self.color).map(|()| Verdict::Passed)
        };
        let acceptable = !self.bless && !got.timed_out;
        verdict.unwrap_or_else(|report| Verdict::Failed(report, acceptable))
    }

    /// Rewrites the progress line; `total` 0 clears it.
    fn show_progress(&self, done: usize, total: usize) {
        if !self.progress {
            return;
        }
        let mut out = std::io::stdout().lock();
        let _ = match total {
            0 => write!(out, "\r\x1b[K"),
            _ => write!(out, "\r\x1b[K{done}/{total} tests run"),
        };
        let _ = out.flush();
    }
}
