//! `thr explore`: runs a script under many seeded random schedules, each a
//! deterministic run that may also switch threads between statements and
//! before each assignment's store, and reports the first that fails, with
//! the command that replays exactly that schedule. A run fails as a `thr
//! test` of the script would (its `X.out`, `X.err`, `X.status`, `X.args`);
//! a script without goldens fails when it exits non-zero.

use std::path::Path;
use std::time::Duration;

use crate::golden::{self, Case, Run};

/// Explores `runs` schedules, seeds `seed`, `seed + 1`, ..., each held to
/// `limit`; prints the first failure and how to replay it. Returns whether
/// every run passed. `extra` holds more options for every run (`--race`).
pub fn explore(
    exe: &Path,
    script: &Path,
    runs: u64,
    seed: u64,
    limit: Duration,
    color: bool,
    extra: &[String],
) -> bool {
    let case = Case {
        script: script.to_path_buf(),
    };
    for schedule in seed..seed.saturating_add(runs) {
        let mut options = vec!["--schedule".to_string(), schedule.to_string()];
        options.extend_from_slice(extra);
        let verdict =
            golden::run(exe, &case, &options, limit).and_then(|got| judge(&case, &got, color));
        if let Err(why) = verdict {
            println!(
                "run {} of {runs} (schedule {schedule}) failed:\n{why}",
                schedule - seed + 1
            );
            let args = case.expected("args");
            let args: Vec<&str> = args.split_whitespace().collect();
            let args = args.iter().map(|a| format!("{a} ")).collect::<String>();
            let options: String = extra.iter().map(|o| format!("{o} ")).collect();
            println!(
                "replay it with: thr --deterministic --schedule {schedule} {options}{args}{}",
                script.display()
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

/// Judges a run as `thr test` would, or by its status alone without goldens.
fn judge(case: &Case, got: &Run, color: bool) -> Result<(), String> {
    if case.has_golden() || got.timed_out {
        return golden::check(case, got, color).map_err(|problems| {
            format!(
                "it differs from {}'s goldens:\n{problems}",
                case.script.display()
            )
        });
    }
    if got.status != 0 {
        return Err(format!(
            "it exited with status {}:\n{}",
            got.status, got.stderr
        ));
    }
    Ok(())
}
