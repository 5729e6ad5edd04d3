//! The REPL through a real pseudo-terminal, as people use it. What the
//! terminal shows is rebuilt from the bytes the REPL writes (vt100), so the
//! tests check the screen a user sees, not the escape codes that drew it.
//! Every wait is for something on screen, bounded in time.

use std::num::NonZeroU16;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use rexpect::process::WaitStatus;
use rexpect::session::PtySession;

/// The emulated screen: tall enough that nothing scrolls away, and as wide
/// as the REPL takes a terminal of unknown width to be.
const ROWS: NonZeroU16 = NonZeroU16::new(500).unwrap();
const COLUMNS: NonZeroU16 = NonZeroU16::new(80).unwrap();

/// A `thr` REPL on a pseudo-terminal, and the screen it draws.
struct Term {
    p: PtySession,
    screen: vt100::Parser,
    /// Everything the REPL wrote.
    raw: String,
    data: PathBuf,
}

impl Term {
    /// Starts the REPL, keeping its history under a fresh folder, and waits
    /// for its first prompt.
    fn start(test: &str) -> Term {
        Term::start_with(test, &[])
    }

    /// As [`Term::start`], with `thr`'s options `args`.
    fn start_with(test: &str, args: &[&str]) -> Term {
        let data = std::env::temp_dir().join(format!("thr-term-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        Term::start_in(data, args)
    }

    fn start_in(data: PathBuf, args: &[&str]) -> Term {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_thr"));
        cmd.args(args)
            .env("XDG_DATA_HOME", &data)
            .env("TERM", "xterm")
            .env_remove("NO_COLOR");
        let p = rexpect::session::spawn_command(cmd, Some(10_000)).expect("thr starts on a pty");
        let mut t = Term {
            p,
            screen: vt100::Parser::new(ROWS, COLUMNS, 0),
            raw: String::new(),
            data,
        };
        t.wait_for("the first prompt", |s| s.ends_with(">>>"));
        t
    }

    /// Sends `keys` in one write.
    fn send(&mut self, keys: &str) {
        self.p.send(keys).expect("the pty takes keys");
        self.p.flush().expect("the pty takes keys");
    }

    /// The screen's text, rows joined by newlines, trailing blanks trimmed.
    fn text(&self) -> String {
        let rows: Vec<String> = self
            .screen
            .screen()
            .rows(0, COLUMNS.get())
            .map(|r| r.trim_end().to_string())
            .collect();
        rows.join("\n").trim_end().to_string()
    }

    /// Reads what the REPL writes until the screen satisfies `done`; fails
    /// after 10 seconds, showing the screen.
    fn wait_for(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        self.wait(what, |t| done(&t.text()));
    }

    /// Reads what the REPL writes until `done` holds.
    fn wait(&mut self, what: &str, done: impl Fn(&Term) -> bool) {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            // The reader hands out each byte as a char.
            let mut got = Vec::new();
            while let Some(c) = self.p.try_read() {
                got.push(c as u8);
            }
            self.screen.process(&got);
            self.raw.push_str(&String::from_utf8_lossy(&got));
            if done(self) {
                return;
            }
            assert!(
                Instant::now() < until,
                "timed out waiting for {what}; the screen:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits until the screen shows `expected` (several lines, as a block).
    fn wait_for_text(&mut self, expected: &str) {
        self.wait_for(expected, |s| s.contains(expected));
    }

    /// Waits for the REPL to end and returns its exit status.
    fn exit_status(mut self) -> i32 {
        self.p.exp_eof().expect("thr ends");
        let status = self.p.process_mut().wait().expect("thr's status");
        let _ = std::fs::remove_dir_all(&self.data);
        match status {
            WaitStatus::Exited(_, code) => code,
            other => panic!("thr did not exit normally: {other:?}"),
        }
    }
}

fn last_line(screen: &str) -> &str {
    screen.lines().last().unwrap_or("")
}

#[test]
fn typeahead_and_pastes_sent_in_one_write_are_all_run() {
    let mut t = Term::start("typeahead");
    // Several entries in one write, as tmux send-keys or a paste without
    // bracketed paste delivers them.
    t.send("let aa = 1\rlet bb = 2\rbb\r");
    t.wait_for_text(">>> let aa = 1\n>>> let bb = 2\n>>> bb\n2\n>>>");
    // A multi-line block in one write: its lines bring their own indentation.
    t.send("fn twice(a) {\r    if a {\r        return a * 2\r    }\r}\rtwice(21)\r");
    t.wait_for_text(concat!(
        ">>> fn twice(a) {\n...     if a {\n...         return a * 2\n",
        "...     }\n... }\n>>> twice(21)\n42\n>>>"
    ));
    // Typed ahead while an entry runs: not echoed in the middle of its
    // output, then run in order at their prompts.
    t.send("sleep(0.5); print(\"slept\")\r");
    t.wait_for("the entry to run", |s| {
        s.ends_with(">>> sleep(0.5); print(\"slept\")")
    });
    t.send("let cc = 3\rcc + 1\r");
    t.wait_for_text(">>> sleep(0.5); print(\"slept\")\nslept\n>>> let cc = 3\n>>> cc + 1\n4\n>>>");
    t.send("\x04");
    assert_eq!(t.exit_status(), 0);
}

#[test]
fn partial_lines_show_and_a_thread_completes_its_line_above_the_prompt() {
    let mut t = Term::start("partial");
    t.send("print(\"a\", end=\"\")\r");
    t.wait_for_text(">>> print(\"a\", end=\"\")\na\n>>>");
    // A thread prints a line in pieces while the user types below it.
    t.send(concat!(
        "let t = spawn(fn() { print(\"progress\", end=\"\"); ",
        "for i in range(20) { sleep(0.05); print(\".\", end=\"\") }; print(\" done\") })\r"
    ));
    t.send("1 +");
    t.wait_for("the thread's whole line", |s| {
        s.ends_with("\nprogress.................... done\n>>> 1 +")
    });
    t.send(" 2\r");
    t.wait_for_text("done\n>>> 1 + 2\n3\n>>>");
    t.send("\x04");
    assert_eq!(t.exit_status(), 0);
}

#[test]
fn a_thread_error_report_goes_above_the_prompt_and_the_typed_line_stays_whole() {
    let mut t = Term::start("thread-error");
    // (Short lines and few reports: rexpect reads the terminal slowly.)
    t.send("let stop = event()\rfn boom() { throw \"boom\" }\r");
    t.send(concat!(
        "let t = spawn(fn() { while not stop.is_set() { sleep(0.2); ",
        "spawn(boom, name=\"w\").join() } })\r"
    ));
    t.send("let typed = 1");
    t.wait_for("the typed text", |s| last_line(s) == ">>> let typed = 1");
    // Reports keep coming: wait for one that came after the text was typed.
    // (The report's first line is coloured: count its plain stack line.)
    let reports = |t: &Term| t.raw.matches("thread w, most recent call last").count();
    let before = reports(&t);
    t.wait("a report after typing", |t| reports(t) > before);
    t.wait_for("the report's end above the typed line", |s| {
        let lines: Vec<&str> = s.lines().collect();
        lines.len() > 2
            && lines[lines.len() - 1] == ">>> let typed = 1"
            && lines[lines.len() - 2] == "    boom at <stdin-2>:1:13"
    });
    let screen = t.text();
    assert_eq!(screen.matches("let typed = 1").count(), 1, "{screen}");
    assert!(
        screen.contains("Exception in thread w:\nError: boom\n"),
        "{screen}"
    );
    t.send("\rstop.set()\rt.join()\r");
    // The report of a thread it started already may come before `true`.
    t.wait_for("the join", |s| {
        s.contains(">>> t.join()\n") && s.ends_with("\ntrue\n>>>")
    });
    t.send("\x04");
    assert_eq!(t.exit_status(), 0);
}

#[test]
fn ctrl_d_with_a_blocked_thread_reports_the_deadlock_and_exits_1() {
    let mut t = Term::start("deadlock");
    t.send("let l = lock()\rl.acquire()\rlet t = spawn(fn() { l.acquire() })\r");
    t.wait_for("the entries", |s| {
        s.ends_with(">>> let t = spawn(fn() { l.acquire() })\n>>>")
    });
    t.send("\x04");
    t.wait_for_text(
        "waiting for Thread-1 to end (Ctrl-C to leave them)\nDeadlockError: every thread is blocked",
    );
    t.wait_for_text(concat!(
        "every thread is blocked, and none can wake another:\n",
        "  MainThread waits for Thread-1 to end (the end of the program)\n",
        "  Thread-1 waits for lock held by MainThread at <stdin-3>:1:22"
    ));
    assert_eq!(t.exit_status(), 1);
}

#[test]
fn ctrl_d_waits_for_a_spinning_thread_and_ctrl_c_leaves_it() {
    let mut t = Term::start("spin");
    t.send("let t = spawn(fn() { while true { } }, name=\"spinner\")\r");
    t.wait_for("the entry", |s| s.ends_with("name=\"spinner\")\n>>>"));
    t.send("\x04");
    t.wait_for_text("waiting for spinner to end (Ctrl-C to leave them)");
    t.send("\x03");
    assert_eq!(t.exit_status(), 130);
}

#[test]
fn late_binding_failed_entries_help_and_the_last_value() {
    let mut t = Term::start("late");
    t.send("fn f() { helper() + 1 }\rfn helper() { 41 }\rf()\r");
    t.wait_for_text(">>> f()\n42\n>>>");
    // A failed entry leaves no name half-declared.
    t.send("let z = nope\rz\r");
    t.wait_for_text(">>> z\nNameError: name 'z' is not defined\n   ╭─[ <stdin-5>:1:1 ]");
    // `_` holds the last value; help and quit say what they are for.
    t.send("[1, 2]\r_.push(3); _\r");
    t.wait_for_text(">>> _.push(3); _\n[1, 2, 3]\n>>>");
    t.send("help(_.push)\r");
    let entry = thr::cli_support::help_entry("list.push").expect("an entry");
    let title = entry.lines().next().expect("a heading");
    let title = title.trim_start_matches('#').trim().replace('`', "");
    let underline = "-".repeat(title.chars().count());
    t.wait_for_text(&format!(">>> help(_.push)\n{title}\n{underline}\n"));
    t.send("quit\r");
    t.wait_for_text(">>> quit\nUse exit() or Ctrl-D (end of input) to leave.\n>>>");
    t.send("exit(4)\r");
    assert_eq!(t.exit_status(), 4);
}

#[test]
fn completion_knows_values_and_lists_candidates() {
    let mut t = Term::start("complete");
    t.send("let xs = [1]\rlet m = {name: 'x', size: 2}\r");
    t.wait_for("the entries", |s| s.ends_with("size: 2}\n>>>"));
    t.send("xs.pu\t");
    t.wait_for("xs.push", |s| last_line(s) == ">>> xs.push");
    t.send("(2); xs\r");
    t.wait_for_text(">>> xs.push(2); xs\n[1, 2]\n>>>");
    // Several candidates: the second Tab lists them, and the line stays.
    t.send("m.\t\t");
    t.wait_for("the map's fields and methods", |s| {
        s.contains("clear") && s.contains("name") && s.contains("size") && last_line(s) == ">>> m."
    });
    t.send("si\t\r");
    t.wait_for_text(">>> m.size\n2\n>>>");
    t.send("log.\t\t");
    t.wait_for("log's functions", |s| {
        s.contains("critical") && s.contains("debug") && last_line(s) == ">>> log."
    });
    t.send("\x15whi\t");
    t.wait_for("a keyword", |s| last_line(s) == ">>> while");
    t.send("\x15\x04");
    assert_eq!(t.exit_status(), 0);
}

/// Whether `raw` sets a colour or an attribute (an SGR escape, `ESC [ … m`).
fn has_colour(raw: &str) -> bool {
    raw.split("\x1b[").skip(1).any(|rest| {
        let end = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == ';');
        end.starts_with('m')
    })
}

#[test]
fn color_never_types_in_plain_text() {
    let mut t = Term::start_with("plain", &["--color", "never"]);
    t.send("let s = f(\"x\")");
    t.wait_for("the line", |s| last_line(s) == ">>> let s = f(\"x\")");
    assert!(t.raw.contains("let s = f(\"x\")"), "{:?}", t.raw);
    assert!(!has_colour(&t.raw), "{:?}", t.raw);
    t.send("\x15\x04");
    assert_eq!(t.exit_status(), 0);
}

#[test]
fn the_line_is_coloured_and_the_matching_bracket_marked() {
    let mut t = Term::start("colour");
    t.send("let s = \"x\"");
    t.wait_for("the line", |s| last_line(s) == ">>> let s = \"x\"");
    assert!(t
        .raw
        .contains("\x1b[1;35mlet\x1b[0m s = \x1b[32m\"x\"\x1b[0m"));
    assert!(has_colour(&t.raw));
    t.send("\x15f(1)");
    t.wait_for("the call", |s| last_line(s) == ">>> f(1)");
    assert!(t.raw.contains("f\x1b[1;4m(\x1b[0m\x1b[36m1\x1b[0m)"));
    t.send("\x15\x04");
    assert_eq!(t.exit_status(), 0);
}

#[test]
fn multiline_entries_interrupt_and_history_across_sessions() {
    let mut t = Term::start("history");
    // An unfinished entry continues on `... ` lines, indented to its brackets.
    t.send("fn twice(a) {\ra * 2\r}\r");
    t.wait_for_text(">>> fn twice(a) {\n...     a * 2\n... }\n>>>");
    // Ctrl-C stops the running entry, even a blocked one, and the REPL stays.
    t.send("sleep(100)\r");
    t.wait_for("the entry to run", |s| s.ends_with(">>> sleep(100)"));
    t.send("\x03");
    t.wait_for_text("InterruptError: interrupted by Ctrl-C");
    t.send("twice(5)\r");
    t.wait_for_text(">>> twice(5)\n10\n>>>");
    t.send("\x04");
    let data = t.data.clone();
    t.p.exp_eof().expect("thr ends");
    let history = std::fs::read_to_string(data.join("thr/history")).expect("a history file");
    // A multi-line entry is kept without its prompts (rustyline escapes newlines).
    assert!(
        history.contains(r"fn twice(a) {\n    a * 2\n}"),
        "{history}"
    );
    // The up arrow brings back the last session's entries.
    let mut t = Term::start_in(data, &[]);
    t.send("fn twice(a) { a * 2 }\r");
    t.wait_for("the entry", |s| {
        s.ends_with(">>> fn twice(a) { a * 2 }\n>>>")
    });
    // Back past this session's entry to the last session's last.
    t.send("\x1b[A\x1b[A\r");
    t.wait_for_text(">>> twice(5)\n10\n>>>");
    t.send("\x04");
    assert_eq!(t.exit_status(), 0);
}
