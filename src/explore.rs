//! `thr explore`: runs a script under many seeded random schedules, each a
//! deterministic run that may also switch threads between statements and
//! before each assignment's store, and reports the first that fails — an
//! uncaught error, a deadlock, or output other than `FILE.out` — with the
//! command that replays exactly that schedule.

use std::path::{Path, PathBuf};

use crate::golden::{self, Case, Run};

/// Explores `runs` schedules, seeds `seed`, `seed + 1`, ...; prints the first
/// failure and how to replay it. Returns whether every run passed.
/// `extra` holds more options for every run (`--race`).
pub fn explore(
    exe: &Path,
    script: &Path,
    runs: u64,
    seed: u64,
    color: bool,
    extra: &[String],
) -> bool {
    let case = Case {
        script: script.to_path_buf(),
    };
    let has_out = script.with_extension("out").exists();
    for schedule in seed..seed.saturating_add(runs) {
        let mut options = vec!["--schedule".to_string(), schedule.to_string()];
        options.extend_from_slice(extra);
        let verdict = golden::run_with(exe, &case, &options)
            .and_then(|got| judge(&case, &got, has_out, color));
        if let Err(why) = verdict {
            println!(
                "run {} of {runs} (schedule {schedule}) failed:\n{why}",
                schedule - seed + 1
            );
            let options: String = extra.iter().map(|o| format!(" {o}")).collect();
            println!(
                "replay it with: thr --deterministic --schedule {schedule}{options} {}",
                display(script)
            );
            return false;
        }
    }
    println!(
        "{runs} runs passed (schedules {seed} to {})",
        seed.saturating_add(runs - 1)
    );
    true
}

/// A run fails when it exits non-zero, or prints other than `X.out`.
fn judge(case: &Case, got: &Run, has_out: bool, color: bool) -> Result<(), String> {
    if got.status != 0 {
        return Err(format!(
            "it exited with status {}:\n{}",
            got.status, got.stderr
        ));
    }
    let want = case.expected("out");
    if has_out && want != got.stdout {
        return Err(format!(
            "its output differs from {} (- expected, + got):\n{}",
            display(&case.script.with_extension("out")),
            golden::diff(&want, &got.stdout, color)
        ));
    }
    Ok(())
}

fn display(p: &Path) -> String {
    PathBuf::from(p).display().to_string()
}
