//! `thr explore` on the lost-update example: without a lock it finds a
//! schedule that loses updates within 100 runs, and the replay command it
//! prints reproduces exactly that run; with the lock, 1000 runs pass.

use std::process::Command;

fn thr(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_thr"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("thr runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn explore_finds_the_lost_update_and_its_replay_reproduces_it() {
    let (report, status) = thr(&["explore", "scripts/race_counter.thr", "--runs", "100"]);
    assert_eq!(status, 1, "{report}");
    assert!(
        report.contains(
            "it differs from scripts/race_counter.thr's goldens:\nstdout differs (- expected, + got):\n"
        ),
        "{report}"
    );
    let replay = report
        .lines()
        .find_map(|l| l.strip_prefix("replay it with: thr "))
        .expect("a replay command");
    let got = report
        .lines()
        .find_map(|l| l.strip_prefix("+counter: "))
        .expect("the lost count");
    let args: Vec<&str> = replay.split_whitespace().collect();
    for _ in 0..3 {
        let (out, status) = thr(&args);
        assert_eq!(status, 0);
        assert_eq!(out, format!("counter: {got}\n"));
    }
    assert_ne!(got, "400");
}

#[test]
fn explore_passes_every_schedule_when_the_counter_is_locked() {
    let (report, status) = thr(&[
        "explore",
        "scripts/race_counter_locked.thr",
        "--runs",
        "1000",
    ]);
    assert_eq!(report, "1000 runs passed (schedules 1 to 1000)\n");
    assert_eq!(status, 0);
}
