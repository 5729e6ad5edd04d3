//! The `thr` command line, through the real binary: what belongs to the
//! script, where the script comes from, bad paths, encodings, `--trace`,
//! Ctrl-C, colour, and `thr test` / `thr explore` over golden files.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn thr() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_thr"));
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs `thr` with `args` in `dir`, with `stdin` as its input.
fn run_in(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = thr()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("thr starts");
    child
        .stdin
        .take()
        .expect("a stdin pipe")
        .write_all(stdin.as_bytes())
        .expect("thr reads its stdin");
    child.wait_with_output().expect("thr ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// stdout, stderr and the exit status.
fn outcome(out: &Output) -> (String, String, Option<i32>) {
    (text(&out.stdout), text(&out.stderr), out.status.code())
}

/// Runs `thr` in `dir` with each case's arguments: each prints nothing,
/// exits with `status` and writes exactly its error to stderr.
fn fails_with(dir: &Path, cases: &[(&[&str], &str)], status: i32) {
    for (args, error) in cases {
        let out = run_in(dir, args, "");
        assert_eq!(
            outcome(&out),
            (String::new(), error.to_string(), Some(status)),
            "thr {args:?}"
        );
    }
}

/// A test's folder of files, removed when the test ends.
struct Folder(PathBuf);

impl std::ops::Deref for Folder {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl AsRef<Path> for Folder {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh folder of files for one test.
fn folder(test: &str, files: &[(&str, &[u8])]) -> Folder {
    let dir = std::env::temp_dir().join(format!("thr-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    Folder(dir)
}

#[test]
fn every_word_after_the_script_is_the_scripts() {
    let dir = folder("args", &[("show.thr", b"print(args)\n")]);
    let out = run_in(&dir, &["show.thr", "--seed", "3", "-e", "y"], "");
    assert_eq!(
        outcome(&out),
        (
            "['--seed', '3', '-e', 'y']\n".into(),
            String::new(),
            Some(0)
        )
    );
    // Options of thr come before the script; -e takes no file, every word is an argument.
    let out = run_in(
        &dir,
        &["--seed", "3", "show.thr", "x", "--deterministic"],
        "",
    );
    assert_eq!(text(&out.stdout), "['x', '--deterministic']\n");
    let out = run_in(&dir, &["-e", "print(args)", "a", "-e", "b"], "");
    assert_eq!(text(&out.stdout), "['a', '-e', 'b']\n");
}

#[test]
fn a_dash_runs_the_script_on_stdin() {
    let dir = folder("stdin", &[]);
    let out = run_in(&dir, &["-", "a", "b"], "let x = 2\nprint(x * 21, args)\n");
    assert_eq!(
        outcome(&out),
        ("42 ['a', 'b']\n".into(), String::new(), Some(0))
    );
    // A script, not REPL entries: no value is echoed, and an error ends it.
    let out = run_in(&dir, &["-"], "1 + 1\nprint(y)\nprint('not reached')\n");
    let (stdout, stderr, status) = outcome(&out);
    assert_eq!((stdout.as_str(), status), ("", Some(1)));
    assert!(
        stderr.starts_with("NameError: name 'y' is not defined\n"),
        "{stderr}"
    );
    assert!(stderr.contains("<stdin>:2:7"), "{stderr}");
}

#[test]
fn dash_i_runs_the_script_then_the_repl_with_its_names() {
    let dir = folder(
        "interactive",
        &[(
            "lib.thr",
            b"fn twice(x) { x * 2 }\nlet base = 20\nprint('loaded', args)\n",
        )],
    );
    let out = run_in(&dir, &["-i", "lib.thr", "a"], "twice(base) + 2\n");
    assert_eq!(
        outcome(&out),
        ("loaded ['a']\n42\n".into(), String::new(), Some(0))
    );
    // As with `python -i`, the REPL opens even when the script fails.
    let out = run_in(&dir, &["-i", "-e", "let n = 3; throw 'boom'"], "n\n");
    let (stdout, stderr, status) = outcome(&out);
    assert_eq!((stdout.as_str(), status), ("3\n", Some(0)));
    assert!(stderr.starts_with("Error: boom\n"), "{stderr}");
    let out = run_in(&dir, &["-i", "-"], "");
    assert_eq!(
        outcome(&out),
        (
            String::new(),
            "error: -i reads the REPL's entries from stdin: the script cannot come from it\n"
                .into(),
            Some(2)
        )
    );
}

#[test]
fn a_missing_file_or_a_folder_is_a_command_line_error_in_every_command() {
    let dir = folder("paths", &[("sub/x.thr", b"print(1)\n")]);
    let cases: [(&[&str], &str); 8] = [
        (&["nosuch.thr"], "error: no such file: nosuch.thr\n"),
        (&["sub"], "error: sub is a folder, not a script\n"),
        (&["-i", "nosuch.thr"], "error: no such file: nosuch.thr\n"),
        (
            &["check", "sub/x.thr", "nosuch.thr"],
            "error: no such file: nosuch.thr\n",
        ),
        (&["check", "sub"], "error: sub is a folder, not a script\n"),
        (&["test", "nosuch"], "error: no such file: nosuch\n"),
        (
            &["explore", "nosuch.thr"],
            "error: no such file: nosuch.thr\n",
        ),
        (
            &["explore", "sub"],
            "error: sub is a folder, not a script\n",
        ),
    ];
    fails_with(&dir, &cases, 2);
}

#[test]
fn a_byte_order_mark_is_skipped_and_invalid_utf8_is_placed() {
    let dir = folder(
        "utf8",
        &[
            ("bom.thr", b"\xEF\xBB\xBFprint('caf\xC3\xA9')\n"),
            ("bad.thr", b"print(1)\nprint('caf\xE9')\n"),
        ],
    );
    let out = run_in(&dir, &["bom.thr"], "");
    assert_eq!(outcome(&out), ("café\n".into(), String::new(), Some(0)));
    let out = run_in(&dir, &["check", "bom.thr"], "");
    assert_eq!(text(&out.stdout), "bom.thr: ok\n");
    let expected = "SyntaxError: invalid UTF-8: byte 0xe9 is not text
   ╭─[ bad.thr:2:11 ]
   │
 2 │ print('caf�')
   │           ┬  
   │           ╰── save the file as UTF-8
───╯
";
    fails_with(
        &dir,
        &[(&["bad.thr"], expected), (&["check", "bad.thr"], expected)],
        1,
    );
}

#[test]
fn trace_is_checked_before_the_script_runs() {
    let dir = folder("trace", &[("main.thr", b"print('ran')\n")]);
    let cases: [(&[&str], &str); 3] = [
        (
            &["--trace", "nodir/t.json", "main.thr"],
            "error: --trace nodir/t.json: there is no folder nodir\n",
        ),
        (
            &["--trace", "main.thr", "main.thr"],
            "error: --trace main.thr would write the trace over a script: give it a .json path\n",
        ),
        (
            &["--trace", ".", "main.thr"],
            "error: --trace . is a folder: give it a file path\n",
        ),
    ];
    fails_with(&dir, &cases, 2);
    assert_eq!(
        std::fs::read_to_string(dir.join("main.thr")).unwrap(),
        "print('ran')\n"
    );
}

/// Starts `thr` on `script`, waits until it prints `ready`, and sends it SIGINT.
fn interrupted(
    dir: &Path,
    args: &[&str],
) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    let mut child = started(dir, args);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n");
    ctrl_c(&child);
    (child, stdout)
}

/// `thr` with `args`, run in `dir`, its stdout and stderr piped.
fn started(dir: &Path, args: &[&str]) -> std::process::Child {
    thr()
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("thr starts")
}

fn ctrl_c(child: &std::process::Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
}

#[cfg(unix)]
fn killed_by_sigint(status: std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(2)
}

#[test]
#[cfg(unix)]
fn ctrl_c_is_an_interrupt_error_in_the_main_thread_and_the_trace_is_written() {
    let script = b"let l = lock()
try {
    with l { print('ready'); sleep(100) }
} finally {
    print('cleanup; lock held:', l.locked())
}
";
    let dir = folder("ctrl-c", &[("int.thr", script)]);
    let (mut child, mut stdout) = interrupted(&dir, &["--trace", "t.json", "int.thr"]);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(rest, "cleanup; lock held: false\n");
    assert!(
        stderr.starts_with("InterruptError: interrupted by Ctrl-C\n   ╭─[ int.thr:3:30 ]"),
        "{stderr}"
    );
    assert!(killed_by_sigint(status), "{status:?}");
    let trace = std::fs::read_to_string(dir.join("t.json")).expect("the trace was written");
    assert!(trace.contains(r#""args":{"on":"in sleep()"}"#), "{trace}");
}

#[test]
#[cfg(unix)]
fn a_second_ctrl_c_ends_the_run_at_once() {
    let script =
        b"try { print('ready'); sleep(100) } finally { print('cleaning up'); sleep(100) }\n";
    let dir = folder("ctrl-c-twice", &[("slow.thr", script)]);
    let (mut child, mut stdout) = interrupted(&dir, &["slow.thr"]);
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "cleaning up\n");
    let sent = Instant::now();
    ctrl_c(&child);
    let status = child.wait().unwrap();
    assert!(killed_by_sigint(status), "{status:?}");
    assert!(sent.elapsed() < Duration::from_secs(10));
}

#[test]
#[cfg(unix)]
fn main_errors_are_seen_at_once_and_ctrl_c_leaves_the_threads_it_waits_for() {
    let script = b"spawn(fn() { while true { sleep(0.01) } })
print('ready')
let x = 1 / 0
";
    let dir = folder("main-error-at-once", &[("err.thr", script)]);
    let mut child = started(&dir, &["err.thr"]);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    // The thread never ends, so the report is written before the run ends.
    let mut report = String::new();
    while !report.ends_with("<script> at err.thr:3:9\n") {
        assert_ne!(stderr.read_line(&mut report).unwrap(), 0, "{report}");
    }
    assert!(report.starts_with("ZeroDivisionError: division by zero\n"));
    assert!(child.try_wait().unwrap().is_none());
    ctrl_c(&child);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(
        rest,
        "InterruptError: interrupted by Ctrl-C while waiting for Thread-1 to end\n"
    );
    assert!(killed_by_sigint(child.wait().unwrap()));
}

#[test]
fn color_follows_the_option_and_no_color() {
    let dir = folder("color", &[("bad.thr", b"print(1 / 0)\n")]);
    let stderr = |args: &[&str], no_color: bool| {
        let mut cmd = thr();
        cmd.current_dir(&dir).args(args);
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        text(&cmd.output().unwrap().stderr)
    };
    // stderr is a pipe here: `auto` (the default) writes no colour.
    assert!(!stderr(&["bad.thr"], false).contains('\x1b'));
    assert!(stderr(&["--color", "always", "bad.thr"], true).contains("\x1b["));
    assert!(!stderr(&["--color", "never", "bad.thr"], false).contains('\x1b'));
    let out = thr()
        .current_dir(&dir)
        .args(["--color", "sometimes", "bad.thr"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn auto_color_is_on_for_a_terminal_unless_no_color_is_set() {
    let dir = folder("color-tty", &[("bad.thr", b"print(1 / 0)\n")]);
    for (no_color, colored) in [(None, true), (Some("1"), false), (Some(""), true)] {
        let mut cmd = thr();
        cmd.current_dir(&dir).arg("bad.thr").env("TERM", "xterm");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let mut p = rexpect::session::spawn_command(cmd, Some(15_000)).unwrap();
        let before = p.exp_eof().unwrap();
        assert!(before.contains("division by zero"), "{before:?}");
        assert_eq!(
            before.contains("\x1b["),
            colored,
            "NO_COLOR={no_color:?}: {before:?}"
        );
    }
}

/// A suite whose goldens name files relative to the test's own folder.
fn suite(test: &str) -> Folder {
    folder(
        test,
        &[
            ("t/ok.thr", b"print('ok', args)\n"),
            ("t/ok.out", b"ok []\n"),
            ("t/fails.thr", b"print(1)\nprint(1 / 0)\n"),
            ("t/fails.out", b"1\n"),
            ("t/fails.status", b"1\n"),
            ("t/seeded.thr", b"print(randint(1, 1000))\n"),
            ("t/seeded.args", b"--seed 7\n"),
        ],
    )
}

#[test]
fn thr_test_passes_the_same_suite_from_any_folder() {
    let dir = suite("test-anywhere");
    // The goldens are written once, from inside the test folder.
    let out = run_in(
        &dir.join("t"),
        &["test", "--bless", "fails.thr", "seeded.thr"],
        "",
    );
    assert_eq!(
        text(&out.stdout),
        "blessed fails\nblessed seeded\n2 passed, 0 failed\n"
    );
    let err = std::fs::read_to_string(dir.join("t/fails.err")).unwrap();
    assert!(err.contains("╭─[ fails.thr:2:7 ]"), "{err}");
    let absolute = dir.join("t").display().to_string();
    let runs: [(&Path, &[&str]); 4] = [
        (&dir, &["test"]),
        (&dir, &["test", "t"]),
        (&dir.join("t"), &["test"]),
        (Path::new("/"), &["test", &absolute]),
    ];
    for (cwd, args) in runs {
        let out = run_in(cwd, args, "");
        assert_eq!(
            outcome(&out),
            ("3 passed, 0 failed\n".into(), String::new(), Some(0)),
            "thr {args:?} in {}",
            cwd.display()
        );
    }
}

#[test]
fn thr_test_lists_scripts_without_goldens_and_says_how_to_accept_a_failure() {
    let dir = suite("test-report");
    std::fs::write(dir.join("t/fails.out"), "2\n").unwrap();
    let out = run_in(&dir, &["test", "t"], "");
    let (stdout, _, status) = outcome(&out);
    assert_eq!(status, Some(1));
    let tail = "\
FAILED t/fails
stdout differs (- expected, + got):
@@ -1 +1 @@
-2
+1
stderr differs (- expected, + got):";
    assert!(stdout.starts_with(tail), "{stdout}");
    assert!(
        stdout.ends_with(
            "to accept its output: thr test --bless t/fails.thr\n\n\
             no golden: t/seeded.thr (write it with: thr test --bless t/seeded.thr)\n\
             1 passed, 1 failed, 1 skipped\n"
        ),
        "{stdout}"
    );
    // Blessing a folder writes the goldens that were missing.
    let out = run_in(&dir, &["test", "--bless", "t"], "");
    assert_eq!(
        text(&out.stdout),
        "blessed t/fails\nblessed t/ok\nblessed t/seeded\n3 passed, 0 failed\n"
    );
    let seeded = std::fs::read_to_string(dir.join("t/seeded.out")).unwrap();
    let again = run_in(
        &dir.join("t"),
        &["--deterministic", "--seed", "7", "seeded.thr"],
        "",
    );
    assert_eq!(text(&again.stdout), seeded);
}

#[test]
fn a_test_past_its_time_limit_fails_with_where_its_threads_were_and_the_suite_goes_on() {
    let dir = folder(
        "time-limit",
        &[
            ("spin.thr", b"fn spin() {\n    while true { }\n}\nspawn(spin, name='spinner').join()\n"),
            ("spin.out", b""),
            ("nap.thr", b"spawn(fn() { while true { sleep(1) } }, name='napper')\nwhile true { sleep(60) }\n"),
            ("nap.out", b""),
            ("ok.thr", b"print('ok')\n"),
            ("ok.out", b"ok\n"),
        ],
    );
    let started = Instant::now();
    let out = run_in(&dir, &["test", "--timeout", "1"], "");
    let (stdout, _, status) = outcome(&out);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(status, Some(1));
    assert!(stdout.ends_with("1 passed, 2 failed\n"), "{stdout}");
    let limit = "still running at its time limit (`thr test --timeout SECS` changes it); \
                 where its threads were:\n";
    for (test, threads) in [
        ("spin", &["thread spinner, most recent call last:\n    <script> at spin.thr:4:1 (spawned here)\n    spin at spin.thr:2:5\n"][..]),
        ("nap", &[
            // Each is stopped inside its sleep, where it waits.
            "thread napper, most recent call last:\n    <script> at nap.thr:1:1 (spawned here)\n    <fn> at nap.thr:1:27\n",
            "thread MainThread, most recent call last:\n    <script> at nap.thr:2:14\n",
        ]),
    ] {
        let report = stdout
            .split("FAILED ")
            .find(|r| r.starts_with(&format!("{test}\n{limit}")))
            .unwrap_or_else(|| panic!("no time-limit report for {test}: {stdout}"));
        assert!(report.contains("TimeoutError: the script ran past its deadline of 1s"), "{report}");
        for thread in threads {
            assert!(report.contains(thread), "{thread} not in {report}");
        }
        assert!(!report.contains("--bless"), "{report}");
    }
}

#[test]
fn explore_judges_runs_by_the_goldens_thr_test_uses() {
    let script = b"let l = lock()\nlet t = spawn(fn() { with l { l.acquire() } })\nt.join()\n";
    let dir = folder("explore", &[("dead.thr", script)]);
    let out = run_in(&dir, &["test", "--bless", "dead.thr"], "");
    assert_eq!(text(&out.stdout), "blessed dead\n1 passed, 0 failed\n");
    assert_eq!(
        std::fs::read_to_string(dir.join("dead.status")).unwrap(),
        "1\n"
    );
    let out = run_in(&dir, &["explore", "dead.thr", "--runs", "20"], "");
    assert_eq!(
        outcome(&out),
        (
            "20 runs passed (schedules 1 to 20)\n".into(),
            String::new(),
            Some(0)
        )
    );
    // .args are a run's options in explore too, and in its replay command.
    std::fs::write(dir.join("seeded.thr"), "print(randint(1, 100))\n").unwrap();
    std::fs::write(dir.join("seeded.args"), "--seed 5\n").unwrap();
    run_in(&dir, &["test", "--bless", "seeded.thr"], "");
    let out = run_in(&dir, &["explore", "seeded.thr", "--runs", "3"], "");
    assert_eq!(text(&out.stdout), "3 runs passed (schedules 1 to 3)\n");
    std::fs::write(dir.join("seeded.out"), "0\n").unwrap();
    let out = run_in(&dir, &["explore", "seeded.thr", "--runs", "3"], "");
    let stdout = text(&out.stdout);
    assert!(
        stdout.ends_with("replay it with: thr --deterministic --schedule 1 --seed 5 seeded.thr\n"),
        "{stdout}"
    );
}
