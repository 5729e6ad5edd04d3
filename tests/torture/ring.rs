//! The deadlock detector's stress test: a token ring beside busy daemon
//! threads, through `thr::Engine`, where no thread is ever stuck for good.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::Failed;

use crate::child::{read_line, run_child, signal, TIME_LIMIT};
use crate::read_script;

/// Set (to anything) in the environment of this test binary run as the
/// suspended ring's child process.
pub const RING_CHILD: &str = "THR_TORTURE_RING_CHILD";

/// What the ring prints when it ends well.
const RING_DONE: &str = "ring: 30 laps after the resume\n";

/// An engine for the token ring: `mark()` calls `mark`, `resumed()` reads
/// `resumed`.
fn ring_engine(mark: impl Fn() + Send + Sync + 'static, resumed: Arc<AtomicBool>) -> thr::Engine {
    let mut engine = thr::Engine::new();
    engine.register_fn("mark", mark);
    engine.register_fn("resumed", move || resumed.load(Ordering::SeqCst));
    engine
}

/// The token ring, 20 times, each on a new engine in this process: it must
/// end every time with no `DeadlockError`.
pub fn ring_20_runs() -> Result<(), Failed> {
    let ring = read_script("ring.thr")?;
    for run in 1..=20 {
        let (out, err) = (thr::Capture::default(), thr::Capture::default());
        let mut engine = ring_engine(|| {}, Arc::new(AtomicBool::new(true)));
        engine.set_output(out.clone());
        engine.set_error_output(err.clone());
        let (sender, finished) = mpsc::channel();
        let ring = ring.clone();
        std::thread::spawn(move || {
            let _ = sender.send(engine.run_str(&ring).map_err(|e| e.to_string()));
        });
        let result = finished.recv_timeout(TIME_LIMIT);
        if !matches!(result, Ok(Ok(()))) || out.text() != RING_DONE || !err.text().is_empty() {
            return Err(format!(
                "run {run}: {result:?}\nstdout:\n{}stderr:\n{}",
                out.text(),
                err.text()
            )
            .into());
        }
    }
    Ok(())
}

/// Runs the token ring in this binary's child process (see [`ring_child`]),
/// stops the process with SIGSTOP for a second once the ring runs, resumes
/// it with SIGCONT, and then lets the ring finish: a thread that a wake-up
/// picked just before the stop is still on its way, not deadlocked.
pub fn suspended_ring() -> Result<(), Failed> {
    let exe = std::env::current_exe().map_err(|e| format!("no test binary path: {e}"))?;
    let mut command = Command::new(exe);
    command.env(RING_CHILD, "1").stdin(Stdio::piped());
    let run = run_child(command, |child| {
        let stdout = child.stdout.as_mut().expect("piped");
        let line = read_line(stdout)?;
        if line != "ring running" {
            return Err(format!("the ring's first line: {line:?}"));
        }
        signal(child.id(), "STOP");
        std::thread::sleep(Duration::from_secs(1));
        signal(child.id(), "CONT");
        let mut stdin = child.stdin.take().expect("piped");
        stdin
            .write_all(b"resumed\n")
            .map_err(|e| format!("cannot write to the ring: {e}"))
    })?;
    run.expect(
        RING_DONE,
        "cargo test --release --test torture -- deadlock::ring_suspended_mid_way",
    )
}

/// The suspended ring's child process: runs the ring, printing
/// `ring running` once it runs, and counts laps once a line comes on stdin.
pub fn ring_child() -> ! {
    let resumed = Arc::new(AtomicBool::new(false));
    let flag = resumed.clone();
    std::thread::spawn(move || {
        let mut line = String::new();
        if std::io::stdin().read_line(&mut line).is_ok() {
            flag.store(true, Ordering::SeqCst);
        }
    });
    let mut engine = ring_engine(
        || {
            let mut stdout = std::io::stdout();
            let _ = stdout.write_all(b"ring running\n");
            let _ = stdout.flush();
        },
        resumed,
    );
    let ring = read_script("ring.thr").expect("the ring script");
    let status = i32::from(engine.run_str(&ring).is_err());
    let _ = std::io::stdout().flush();
    std::process::exit(status)
}
