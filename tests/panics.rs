//! A Rust panic never escapes: in a builtin or a host function it becomes an
//! `InternalError` report for the thread it happened on (with the script's
//! call stack), the thread ends, `join()` returns, and the run fails. Scripts
//! cannot catch it, and the host never sees an unwind.

use thr::{Capture, Engine};

fn engine() -> (Engine, Capture, Capture) {
    let (out, err) = (Capture::default(), Capture::default());
    let mut engine = Engine::new();
    engine.set_output(out.clone());
    engine.set_error_output(err.clone());
    engine.set_deterministic(true);
    engine.register_fn("explode", |x: i64| -> i64 {
        if x > 0 {
            panic!("host function exploded on {x}");
        }
        x
    });
    (engine, out, err)
}

#[test]
fn a_panic_in_a_spawned_thread_ends_that_thread_and_the_run_fails() {
    let (mut engine, out, err) = engine();
    let script = "fn work(n) {\n  explode(n)\n}\nlet t = spawn(work, 3)\nprint(\"joined:\", t.join())\nprint(t.is_alive())\n";
    let result = engine.run_str(script);
    assert_eq!(out.text(), "joined: true\nfalse\n");
    let err = err.text();
    let at = err
        .find("host function exploded on 3")
        .expect("the panic's message");
    assert!(
        err.starts_with("Exception in thread Thread-1:\nInternalError: Thr itself failed: "),
        "{err}"
    );
    assert!(err[at..].contains("tests/panics.rs:"), "{err}");
    assert!(err.contains("    work at <string>:2:3\n"), "{err}");
    assert!(
        err.ends_with(
            "note: this is a bug in Thr, not in the script: please report it, with the script\n"
        ),
        "{err}"
    );
    assert_eq!(result.unwrap_err().status, 1);
}

#[test]
fn scripts_cannot_catch_an_internal_error_but_finally_blocks_run() {
    let (mut engine, out, err) = engine();
    let script = "try {\n  explode(1)\n} catch e {\n  print(\"caught\", e)\n} finally {\n  print(\"finally\")\n}\nprint(\"after\")\n";
    let result = engine.run_str(script).unwrap_err();
    assert_eq!(result.kind, "InternalError");
    assert_eq!(out.text(), "finally\n");
    // The main thread's error is returned, not printed: the host shows it.
    assert_eq!(err.text(), "");
    let report = result.rendered();
    assert!(
        report.starts_with("InternalError: Thr itself failed: host function exploded on 1 at "),
        "{report}"
    );
    assert!(
        report.contains("    <script> at <string>:2:3\n"),
        "{report}"
    );
}

#[test]
fn a_panic_on_the_main_thread_comes_back_to_the_host_as_an_error() {
    let (mut engine, _, _) = engine();
    let e = engine.run_str("explode(2)").unwrap_err();
    assert_eq!(e.kind, "InternalError");
    assert!(
        e.message.contains("host function exploded on 2"),
        "{}",
        e.message
    );
    // The engine still works afterwards.
    assert_eq!(engine.eval("explode(0) + 1").unwrap().repr(), "1");
    let e = engine.eval("explode(5)").unwrap_err();
    assert_eq!(e.kind, "InternalError");
    assert_eq!(engine.eval("40 + 2").unwrap().repr(), "42");
}
