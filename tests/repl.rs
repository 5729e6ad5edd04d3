//! The REPL with its input piped: line by line, no prompt. The REPL on a
//! terminal is tested in `repl_terminal.rs`.

use std::io::Write;
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

#[test]
fn piped_functions_bind_globals_late_and_failed_entries_leave_no_names() {
    let (out, err, status) = piped(concat!(
        "fn f() { helper() + 1 }\n",
        "fn helper() { 41 }\n",
        "f()\n",
        // Declaring it again rebinds the global: f sees the new helper.
        "fn helper() { 1 }\n",
        "f()\n",
        "let z = nope\n",
        "let w = 1 / 0\n",
        "print(z)\n",
        "print(w)\n",
    ));
    assert_eq!(out, "42\n2\n");
    let kinds: Vec<&str> = err.lines().filter(|l| l.contains("Error: ")).collect();
    assert_eq!(
        kinds,
        [
            "NameError: name 'nope' is not defined",
            "ZeroDivisionError: division by zero",
            "NameError: name 'z' is not defined",
            "NameError: name 'w' is not defined",
        ],
        "{err}"
    );
    assert!(err.contains("─[ <stdin-9>:1:7 ]"), "{err}");
    assert_eq!(status, 0);
}

/// The first line `help` shows for `key`: its entry's heading, as text.
fn heading(key: &str) -> String {
    let entry = thr::cli_support::help_entry(key).expect("an entry");
    let first = entry.lines().next().expect("a heading");
    first.trim_start_matches('#').trim().replace('`', "")
}

#[test]
fn piped_help_dir_and_the_last_value() {
    let (out, err, status) = piped(concat!(
        "[3, 1]\n",
        "_.sort(); _\n",
        "dir({size: 1})\n",
        "help(\"while\")\n",
        "help(fn() {})\n",
        "quit\n",
    ));
    // Three lines of values, then help's text.
    let values_end = out.match_indices('\n').nth(2).expect("three values").0 + 1;
    let (values, help) = out.split_at(values_end);
    assert_eq!(
        values,
        concat!(
            "[3, 1]\n",
            "[1, 3]\n",
            "['clear', 'contains', 'copy', 'get', 'items', 'keys', 'pop', 'size', 'update', 'values']\n",
        )
    );
    let title = heading("while");
    let underline = "-".repeat(title.chars().count());
    assert!(
        help.starts_with(&format!("{title}\n{underline}\n\n")),
        "{help}"
    );
    assert!(
        help.ends_with(concat!(
            "No help for <fn>. Type help to see the topics.\n",
            "Use exit() or Ctrl-D (end of input) to leave.\n",
        )),
        "{help}"
    );
    assert_eq!(err, "");
    assert_eq!(status, 0);
}

#[test]
fn piped_help_lists_the_topics() {
    let (out, _, status) = piped("help\nhelp()\n");
    let (first, second) = out.split_at(out.len() / 2);
    assert_eq!(first, second);
    assert!(
        first.starts_with("Help is kept for these builtins, primitives and statements:\n"),
        "{first}"
    );
    let words: Vec<&str> = first.split_whitespace().collect();
    for key in thr::cli_support::help_keys() {
        assert!(words.contains(&key), "{key} is not listed: {first}");
    }
    assert!(first.ends_with(concat!(
        "Ask for one with help(print), help(xs.push) for a value's method, ",
        "or help(\"while\") for a statement.\n"
    )));
    assert_eq!(status, 0);
}

#[test]
fn piped_end_of_input_with_a_deadlocked_thread_reports_it_and_exits_1() {
    let (out, err, status) =
        piped("let l = lock()\nl.acquire()\nlet t = spawn(fn() { l.acquire() })\n");
    assert_eq!(out, "true\n");
    assert!(
        err.starts_with("DeadlockError: every thread is blocked"),
        "{err}"
    );
    assert!(
        err.contains("  MainThread waits for Thread-1 to end (the end of the program)\n  Thread-1 waits for lock held by MainThread at <stdin-3>:1:22\n"),
        "{err}"
    );
    assert_eq!(status, 1);
}
