//! Hostile scripts end with the error they earn, never a signal: each runs
//! through the real binary under an address-space cap (as a host might
//! impose), and must exit 1 with exactly the named error.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};

/// The address space a child may use.
const MEMORY_CAP: u64 = 4 << 30;

fn thr(options: &[&str], code: &str) -> Output {
    thr_capped(MEMORY_CAP, options, code)
}

fn thr_capped(memory: u64, options: &[&str], code: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_thr"));
    command.args(options).args(["-e", code]);
    command.stdin(Stdio::null());
    // SAFETY: setrlimit is async-signal-safe and touches nothing shared.
    unsafe {
        command.pre_exec(move || {
            let cap = libc::rlimit {
                rlim_cur: memory,
                rlim_max: memory,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &cap) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.output().expect("thr runs")
}

/// Runs `code` and checks it exits 1 with `first_line` as the error.
fn fails_with(options: &[&str], code: &str, first_line: &str) {
    let out = thr(options, code);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{code}: {:?}\n{stderr}",
        out.status
    );
    assert_eq!(stderr.lines().next(), Some(first_line), "{code}:\n{stderr}");
}

#[test]
fn strings_past_the_limit_are_memory_errors() {
    let too_long = |n: u64| {
        format!(
            "MemoryError: a string of {n} bytes is past the limit of 1073741824 (max_string_size)"
        )
    };
    fails_with(
        &[],
        "let s = \"x\" * 2**20; print(len(\"\".join([s] * 2**20)))",
        &too_long(1 << 40),
    );
    fails_with(
        &[],
        "let s = \"xy\"; while true { s = s + s }",
        &too_long(1 << 31),
    );
    fails_with(
        &[],
        "let s = \"x\" * 2**28; let t = s.replace(\"x\", \"xxxxxxxx\")",
        &too_long(1 << 31),
    );
    fails_with(&[], "print(\"ab\" * 2**62)", &too_long(1 << 63));
}

#[test]
fn printing_what_would_not_fit_is_a_memory_error() {
    // Four kibibytes repeated a million times: 4 GiB of text from a list
    // of one string. Printing stops soon after the limit is passed.
    let out = thr(
        &["--max-string-size", "100000000"],
        "let s = \"x\" * 4096; let l = [s] * 2**20; print(len(str(l)))",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("MemoryError: a string of 1000"),
        "{stderr}"
    );
    assert!(
        first.ends_with(" bytes is past the limit of 100000000 (max_string_size)"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn lists_and_maps_past_their_limits_are_memory_errors() {
    let small = ["--max-list-size", "1000000", "--max-map-size", "3"];
    fails_with(
        &small,
        "let l = []; while true { l.push(1) }",
        "MemoryError: a list of 1000001 items is past the limit of 1000000 (max_list_size)",
    );
    fails_with(
        &small,
        "let l = list(range(10**12))",
        "MemoryError: a list of 1000001 items is past the limit of 1000000 (max_list_size)",
    );
    fails_with(
        &small,
        "let m = {a: 1, b: 2, c: 3}; m.d = 4",
        "MemoryError: a map of 4 entries is past the limit of 3 (max_map_size)",
    );
}

#[test]
fn split_counts_its_pieces_against_the_list_limit_before_making_them() {
    let small = ["--max-list-size", "1000000"];
    fails_with(
        &small,
        "let s = \",\" * 1000001\nlet parts = s.split(\",\")",
        "MemoryError: a list of 1000002 items is past the limit of 1000000 (max_list_size)",
    );
    let out = thr(
        &small,
        "print(len((\",\" * 1000001).split(\",\", 5)), len(\"a,b\".split(\",\")))",
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "6 2\n");
}

#[test]
fn lists_and_maps_that_outgrow_memory_are_memory_errors() {
    // Under a tight cap, memory runs out before the default limits are met.
    for (code, start) in [
        (
            "let l = [0]; while true { l.extend(l) }",
            "MemoryError: out of memory: a list of ",
        ),
        (
            "let m = {}; let i = 0; while true { m[i] = i; i += 1 }",
            "MemoryError: out of memory: a map of ",
        ),
    ] {
        let out = thr_capped(512 << 20, &[], code);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{code}: {stderr}");
        assert!(stderr.starts_with(start), "{code}: {stderr}");
    }
}

#[test]
fn huge_ranges_are_never_built() {
    let out = thr(
        &["--deadline", "5"],
        "print(10**17 in range(10**18), sum(range(5)), range(10**18)[-1])",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "true 10 999999999999999999\n"
    );
    fails_with(
        &["--max-operations", "100000"],
        "print(max(range(10**18)))",
        "TimeoutError: the script used up its budget of 100000 operations",
    );
    fails_with(
        &[],
        "print(len(range(-9223372036854775807 - 1, 9223372036854775807)))",
        "OverflowError: the range holds 18446744073709551615 ints: its len() does not fit in a 64-bit int",
    );
}

#[test]
fn long_builtins_keep_to_the_budget() {
    // The string is built once (within budget), replacing in it is not.
    fails_with(
        &["--max-operations", "200000"],
        "let s = \"ab\" * 2**27; let t = s.replace(\"a\", \"c\")",
        "TimeoutError: the script used up its budget of 200000 operations",
    );
    fails_with(
        &["--max-operations", "100000"],
        "let l = list(range(300000)); l.sort()",
        "TimeoutError: the script used up its budget of 100000 operations",
    );
}

#[test]
fn call_depth_beyond_what_a_stack_holds_is_refused() {
    let out = thr(&["--max-call-depth", "10000000"], "print(1)");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: max_call_depth 10000000 is more than the 500000 nested calls a thread's stack may hold\n"
    );
    fails_with(
        &["--max-call-depth", "100000"],
        "fn f(n) { if n == 0 { return 0 }; return f(n - 1) + 1 }; print(f(90000)); f(200000)",
        "RecursionError: maximum recursion depth exceeded (100000 nested calls)",
    );
}

#[test]
fn thousands_of_threads_start_under_the_cap_and_too_many_are_refused() {
    // Each thread reserves a few MiB of stack: under a 16 GiB cap, some
    // thousands start before the system refuses one.
    let out = thr_capped(
        16 << 30,
        &["--max-threads", "100000"],
        "let e = event()\nlet ts = []\ntry {\n  for i in range(100000) { ts.push(spawn(fn() { e.wait() })) }\n} catch RuntimeError as err {\n  print(len(ts) > 2000, err)\n}\ne.set()\nfor t in ts { t.join() }\n",
    );
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{:?}\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.starts_with("true RuntimeError: can't start new thread"),
        "{stdout}\n{stderr}"
    );
}

#[test]
fn a_closed_pipe_ends_the_run_quietly_and_a_full_disk_is_reported() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_thr"))
        .args(["-e", "while true { print(\"y\") }"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("thr runs");
    let mut first = [0u8; 2];
    use std::io::Read;
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(&first, b"y\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_thr"))
        .args(["-e", "print(1)"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot write the script's output: No space left on device (os error 28)\n"
    );
    let _ = std::io::stdout().flush();
}

#[test]
fn exit_statuses_are_what_the_system_keeps_and_never_0_for_a_failure() {
    for (status, want) in [
        ("0", 0),
        ("-1", 255),
        ("-2", 254),
        ("255", 255),
        ("256", 1),
        ("300", 44),
        ("9223372036854775807", 255),
        ("-9223372036854775807 - 1", 1),
        ("true", 1),
    ] {
        let out = thr(&[], &format!("exit({status})"));
        assert_eq!(out.status.code(), Some(want), "exit({status})");
    }
    let out = thr(&[], "exit(\"bye\")");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "bye\n");
}

#[test]
fn each_call_from_the_host_has_its_own_deadline_and_budget() {
    let mut engine = thr::Engine::new();
    engine.limits_mut().max_operations = Some(200_000);
    engine
        .eval("fn spin(n) { let i = 0; while i < n { i += 1 } }")
        .unwrap();
    let err = engine.eval("spin(10**9)").unwrap_err();
    assert_eq!(err.kind, "TimeoutError");
    // The next call starts with a whole budget again.
    engine.eval("spin(100000)").unwrap();
    assert_eq!(engine.call_fn("spin", (100000,)).unwrap().repr(), "nil");
    let err = engine.call_fn("spin", (10i64.pow(9),)).unwrap_err();
    assert_eq!(err.kind, "TimeoutError");

    let mut engine = thr::Engine::new();
    engine.limits_mut().deadline = Some(std::time::Duration::from_millis(300));
    engine.eval("let n = 0").unwrap();
    let err = engine.eval("while true { n += 1 }").unwrap_err();
    assert_eq!(err.message, "the script ran past its deadline of 0.3s");
    std::thread::sleep(std::time::Duration::from_millis(400));
    // Not measured from the engine's start: this call has its own 0.3 s.
    assert_eq!(engine.eval("n > 0").unwrap().repr(), "true");
}

#[test]
fn a_timeout_in_a_spawned_thread_reaches_the_host_as_a_timeout() {
    let mut engine = thr::Engine::new();
    engine.set_error_output(thr::Capture::default());
    engine.limits_mut().deadline = Some(std::time::Duration::from_millis(200));
    let err = engine
        .run_str("let t = spawn(fn() { while true { } })\nt.join()\n")
        .unwrap_err();
    assert_eq!(err.kind, "TimeoutError");
    let err = engine
        .run_str("spawn(fn() { while true { } })\n")
        .unwrap_err();
    assert_eq!(err.kind, "TimeoutError");
    assert_eq!(err.message, "the script ran past its deadline of 0.2s");
}

#[test]
fn limits_that_make_no_sense_are_refused_by_the_engine() {
    let mut engine = thr::Engine::new();
    engine.limits_mut().max_call_depth = 10_000_000;
    let err = engine.run_str("print(1)").unwrap_err();
    assert_eq!(err.kind, "ValueError");
    assert_eq!(
        err.message,
        "max_call_depth 10000000 is more than the 500000 nested calls a thread's stack may hold"
    );
    let err = engine.eval("1").unwrap_err();
    assert_eq!(err.kind, "ValueError");
}

#[test]
fn scripts_cannot_catch_the_deadline_and_run_on() {
    fails_with(
        &["--deadline", "0.3"],
        "while true { try { while true { } } catch e { } }",
        "TimeoutError: the script ran past its deadline of 0.3s",
    );
    // A `finally` block still runs as the error passes.
    let out = thr(
        &["--max-operations", "100000"],
        "try { while true { } } finally { print(\"cleaned up\") }",
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "cleaned up\n");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_push_past_the_list_limit_is_reported_where_it_is() {
    let out = thr(
        &["--max-list-size", "3"],
        "fn add(xs) {\n  xs.push(4)\n}\nadd([1, 2, 3])\n",
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("╭─[ <-e>:2:3 ]"), "{stderr}");
    assert!(
        stderr.ends_with("    <script> at <-e>:4:1\n    add at <-e>:2:3\n"),
        "{stderr}"
    );
}
