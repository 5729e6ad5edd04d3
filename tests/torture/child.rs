//! Child processes with a time limit: a hang or a deadlock in one fails its
//! test instead of hanging the suite.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use libtest_mimic::Failed;

/// Far longer than any healthy run takes on a loaded 2-core machine.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

/// What a child process did.
pub struct Run {
    /// `None` if it was killed (for running past [`TIME_LIMIT`] or by a signal).
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

impl Run {
    /// Whether it exited 0 having printed exactly `expected` and nothing on
    /// stderr; if not, what it did, and how to `rerun` it.
    pub fn expect(&self, expected: &str, rerun: &str) -> Result<(), Failed> {
        if self.status == Some(0) && self.stdout == expected && self.stderr.is_empty() {
            return Ok(());
        }
        let what = if self.timed_out {
            format!("it ran past {TIME_LIMIT:?} and was killed (a hang or a deadlock)")
        } else {
            format!("it exited with {:?}", self.status)
        };
        Err(format!(
            "{what}\nrerun: {rerun}\n--- expected stdout\n{expected}--- stdout\n{}--- stderr\n{}",
            self.stdout, self.stderr
        )
        .into())
    }
}

/// The `thr` binary under test: this build's, or another one named by
/// `THR_TORTURE_BIN` (to check the suite against an older build).
fn thr_binary() -> PathBuf {
    std::env::var_os("THR_TORTURE_BIN")
        .map_or_else(|| env!("CARGO_BIN_EXE_thr").into(), PathBuf::from)
}

/// Runs `thr SCRIPT ARGS...`, which must exit 0 having printed exactly
/// `expected` and nothing on stderr.
pub fn expect_thr(script: &Path, args: &[String], expected: &str) -> Result<(), Failed> {
    let mut command = Command::new(thr_binary());
    command.arg(script).args(args).stdin(Stdio::null());
    let run = run_child(command, |_| Ok(()))?;
    let rerun = format!(
        "{} {} {}",
        thr_binary().display(),
        script.display(),
        args.join(" ")
    );
    run.expect(expected, &rerun)
}

/// Runs `command` with its output captured, and `meanwhile` on the child
/// while it runs. A watchdog kills the child if it runs past [`TIME_LIMIT`].
pub fn run_child(
    mut command: Command,
    meanwhile: impl FnOnce(&mut Child) -> Result<(), String>,
) -> Result<Run, String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let pid = child.id();
    let (ended, watch) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        let late = matches!(
            watch.recv_timeout(TIME_LIMIT),
            Err(RecvTimeoutError::Timeout)
        );
        if late {
            signal(pid, "KILL");
        }
        late
    });
    let during = meanwhile(&mut child);
    let output = child.wait_with_output();
    let _ = ended.send(());
    let timed_out = watchdog.join().expect("the watchdog ends");
    let output = output.map_err(|e| format!("cannot wait for {command:?}: {e}"))?;
    let run = Run {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        timed_out,
    };
    match during {
        Ok(()) => Ok(run),
        Err(e) => Err(format!(
            "{e}\n--- stdout\n{}--- stderr\n{}",
            run.stdout, run.stderr
        )),
    }
}

/// Sends `SIG<name>` to process `pid`.
pub fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status();
    assert!(sent.is_ok_and(|s| s.success()), "kill -{name} {pid} failed");
}

/// One line from `from`, read a byte at a time so nothing after it is taken.
pub fn read_line(from: &mut impl Read) -> Result<String, String> {
    let mut line = Vec::new();
    let mut byte = [0];
    loop {
        match from.read(&mut byte) {
            Ok(1) if byte[0] != b'\n' => line.push(byte[0]),
            Ok(1) => return Ok(String::from_utf8_lossy(&line).into_owned()),
            Ok(_) => return Err(format!("the output ended after {line:?}")),
            Err(e) => return Err(format!("cannot read the output: {e}")),
        }
    }
}
