//! The REPL as people use it: through a pipe (line by line, no prompt) and
//! through a real pseudo-terminal (prompt, multi-line entry, history, Ctrl-C).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn piped(input: &str) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_thr"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("thr starts");
    child
        .stdin
        .take()
        .expect("a stdin pipe")
        .write_all(input.as_bytes())
        .expect("thr reads its input");
    let out = child.wait_with_output().expect("thr ends");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn piped_entries_keep_definitions_print_values_and_survive_errors() {
    let (out, err, status) = piped(
        "let x = 41\nfn inc(a) {\n  a + 1\n}\ninc(x)\n\"s\"\nnil\nprint(y_undeclared)\n[x, {k: inc(1)}]\n",
    );
    assert_eq!(out, "42\n's'\n[41, {'k': 2}]\n");
    assert!(
        err.starts_with("NameError: name 'y_undeclared' is not defined"),
        "{err}"
    );
    assert_eq!(status, 0);
}

#[test]
fn piped_entry_with_an_error_before_its_end_is_not_continued() {
    // The stray `print(2)` is an error on the first line; the REPL reports it
    // there, once, rather than waiting for a `}` that recovery lost.
    let (out, err, status) = piped("if true { 1 } print(2)\nprint(3)\n");
    assert_eq!(out, "3\n");
    assert_eq!(err.matches("SyntaxError").count(), 1, "{err}");
    assert!(
        err.starts_with(
            "SyntaxError: unexpected identifier 'print', expected one of 'elif', 'else', newline"
        ),
        "{err}"
    );
    assert_eq!(status, 0);
}

#[test]
fn piped_exit_waits_for_threads_and_sets_the_status() {
    let (out, err, status) = piped(
        "let t = spawn(fn() { sleep(0.05); print(\"thread done\") })\nexit(3)\nprint(\"not run\")\n",
    );
    assert_eq!(out, "thread done\n");
    assert_eq!(err, "");
    assert_eq!(status, 3);
}

#[test]
fn piped_deadlock_is_reported_and_the_repl_stays() {
    let (out, err, status) =
        piped("let l = lock()\nl.acquire()\nl.acquire()\nprint(\"still here\")\n");
    assert_eq!(out, "true\nstill here\n");
    assert!(
        err.starts_with("DeadlockError: every thread is blocked"),
        "{err}"
    );
    assert!(
        err.contains("MainThread waits for lock held by MainThread at <stdin-3>:1:1"),
        "{err}"
    );
    assert_eq!(status, 0);
}

/// A `thr` REPL on a pseudo-terminal, keeping its history under `data`.
fn terminal(data: &Path) -> rexpect::session::PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_thr"));
    cmd.env("XDG_DATA_HOME", data).env("TERM", "xterm");
    rexpect::session::spawn_command(cmd, Some(15_000)).expect("thr starts on a pty")
}

/// Waits for a fresh prompt: the editor re-enables bracketed paste each
/// time it starts reading an entry (redraws of the same entry do not), so
/// the next line is not typed ahead into an entry still being run.
fn prompt(p: &mut rexpect::session::PtySession) {
    p.exp_string("\x1b[?2004h").unwrap();
    p.exp_string(">>> ").unwrap();
}

#[test]
fn terminal_multiline_error_interrupt_history_and_exit() {
    let data = std::env::temp_dir().join(format!("thr-repl-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut p = terminal(&data);
    prompt(&mut p);
    // An unfinished entry continues on lines that start with the `... ` prompt.
    p.send_line("fn twice(a) {").unwrap();
    p.exp_string("\r\n... ").unwrap();
    p.send_line("  a * 2").unwrap();
    p.exp_string("\r\n...   a * 2\r\n... ").unwrap();
    p.send_line("}").unwrap();
    prompt(&mut p);
    // Tab completes a name in scope.
    p.send("twi\t").unwrap();
    p.flush().unwrap();
    p.exp_string(">>> twice").unwrap();
    p.send_line("(21)").unwrap();
    p.exp_string("\n42\r\n").unwrap();
    prompt(&mut p);
    // A thread printing while the prompt is shown prints above it, whole.
    p.send_line("let t = spawn(fn() { sleep(0.3); print(\"from the thread\") })")
        .unwrap();
    prompt(&mut p);
    p.exp_string("from the thread\r\n").unwrap();
    p.exp_string(">>> ").unwrap();
    p.send_line("1 / 0").unwrap();
    p.exp_string("ZeroDivisionError").unwrap();
    prompt(&mut p);
    // Ctrl-C stops the running entry, even one that is blocked, and the REPL stays.
    p.send_line("sleep(100)").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send_control('c').unwrap();
    p.exp_string("InterruptError").unwrap();
    prompt(&mut p);
    p.send_line("twice(5)").unwrap();
    p.exp_string("\n10\r\n").unwrap();
    prompt(&mut p);
    p.send_line("exit()").unwrap();
    p.exp_eof().unwrap();

    // History is kept across sessions: the up arrow brings back the last entry.
    let history = std::fs::read_to_string(data.join("thr/history")).expect("a history file");
    assert!(history.contains("twice(21)"), "{history}");
    // A multi-line entry is kept without its prompts (rustyline escapes newlines).
    assert!(history.contains(r"fn twice(a) {\n  a * 2\n}"), "{history}");
    let mut p = terminal(&data);
    prompt(&mut p);
    p.send_line("fn twice(a) { a * 2 }").unwrap();
    prompt(&mut p);
    // Back past this session's entry and the last session's exit() to twice(5).
    p.send("\x1b[A\x1b[A\x1b[A").unwrap();
    p.send_line("").unwrap();
    p.exp_string("\n10\r\n").unwrap();
    prompt(&mut p);
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    let _ = std::fs::remove_dir_all(&data);
}
