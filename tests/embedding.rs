//! The embedding API as a Rust host uses it.

use std::sync::atomic::Ordering;
use std::time::Duration;

#[test]
fn interrupt_flag_stops_a_busy_loop_with_interrupt_error() {
    let mut engine = thr::Engine::new();
    engine.set_error_output(thr::Capture::default());
    let flag = engine.interrupt_flag();
    let setter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        flag.raise();
    });
    let err = engine.eval("let i = 0\nwhile true { i += 1 }").unwrap_err();
    setter.join().unwrap();
    assert_eq!(err.kind, "InterruptError");
    assert_eq!(err.message, "interrupted by Ctrl-C");
    assert!(engine.eval("i").unwrap().as_int().unwrap() > 0);
}

#[test]
fn interrupt_wakes_a_main_thread_waiting_forever() {
    let mut engine = thr::Engine::new();
    engine.set_error_output(thr::Capture::default());
    let flag = engine.interrupt_flag();
    // A thread that keeps running, so the wait is no deadlock: the only way
    // out of it is the interrupt.
    engine
        .eval("let stop = event()\nlet spinner = spawn(fn() { while not stop.is_set() { } })")
        .unwrap();
    let setter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        flag.raise();
    });
    let err = engine.eval("event().wait()").unwrap_err();
    setter.join().unwrap();
    assert_eq!(err.kind, "InterruptError");
    engine.eval("stop.set(); spinner.join()").unwrap();
}

fn quiet_engine() -> (thr::Engine, thr::Capture) {
    let out = thr::Capture::default();
    let mut engine = thr::Engine::new();
    engine.set_output(out.clone());
    engine.set_error_output(thr::Capture::default());
    (engine, out)
}

#[test]
fn a_native_function_is_called_from_many_threads_at_once() {
    let (mut engine, out) = quiet_engine();
    let total = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let sink = total.clone();
    engine.register_fn("add", move |n: i64| sink.fetch_add(n, Ordering::SeqCst) + n);
    engine
        .run_str("let ts = []\nfor i in range(8) { ts.push(spawn(fn() { for j in range(500) { add(1) } })) }\nfor t in ts { t.join() }\nprint('done')")
        .unwrap();
    assert_eq!(total.load(Ordering::SeqCst), 4000);
    assert_eq!(out.text(), "done\n");
}

#[test]
fn host_values_convert_both_ways() {
    let (mut engine, _) = quiet_engine();
    engine.register_fn("total", |xs: Vec<i64>| xs.iter().sum::<i64>());
    engine.register_fn("maybe", |x: Option<String>| x.map(|s| s.len() as i64));
    engine.register_fn("fails", |x: f64| -> Result<f64, String> {
        Err(format!("no {x}"))
    });
    assert_eq!(engine.eval("total([1, 2, 3])").unwrap().repr(), "6");
    assert_eq!(
        engine.eval("[maybe(nil), maybe('abc')]").unwrap().repr(),
        "[nil, 3]"
    );
    let err = engine.eval("total('x')").unwrap_err();
    assert_eq!(
        (err.kind.as_str(), err.message.as_str()),
        ("TypeError", "total() argument 1 must be list, not str")
    );
    let err = engine.eval("fails(1.5)").unwrap_err();
    assert_eq!(
        (err.kind.as_str(), err.message.as_str()),
        ("Error", "no 1.5")
    );
    assert_eq!(err.location.as_deref(), Some("<eval>:1:1"));
}

#[test]
fn errors_carry_kind_message_and_location() {
    let (mut engine, _) = quiet_engine();
    let err = engine.run_str("let a = 1\nlet b = a / 0").unwrap_err();
    assert_eq!(err.kind, "ZeroDivisionError");
    assert_eq!(err.message, "division by zero");
    assert_eq!(err.location.as_deref(), Some("<string>:2:9"));
    assert_eq!(err.status, 1);
    let err = engine.run_str("let x = (").unwrap_err();
    assert_eq!(err.kind, "SyntaxError");
}

#[test]
fn limits_stop_a_script_with_a_clear_error() {
    let (mut engine, _) = quiet_engine();
    engine.limits_mut().deadline = Some(Duration::from_millis(200));
    let err = engine.run_str("while true { }").unwrap_err();
    assert_eq!(
        (err.kind.as_str(), err.message.as_str()),
        ("TimeoutError", "the script ran past its deadline of 0.2s")
    );
    let err = engine.run_str("sleep(5)").unwrap_err();
    assert_eq!(err.kind, "TimeoutError");

    let (mut engine, _) = quiet_engine();
    engine.limits_mut().max_operations = Some(10_000);
    let err = engine
        .run_str("let i = 0\nwhile true { i += 1 }")
        .unwrap_err();
    assert_eq!(
        (err.kind.as_str(), err.message.as_str()),
        (
            "TimeoutError",
            "the script used up its budget of 10000 operations"
        )
    );

    let (mut engine, _) = quiet_engine();
    engine.limits_mut().max_call_depth = 50;
    let err = engine
        .run_str("fn down(n) { down(n + 1) }\ndown(0)")
        .unwrap_err();
    assert_eq!(
        (err.kind.as_str(), err.message.as_str()),
        (
            "RecursionError",
            "maximum recursion depth exceeded (50 nested calls)"
        )
    );

    let (mut engine, out) = quiet_engine();
    engine.limits_mut().max_threads = 3;
    engine
        .run_str("let e = event()\nlet ts = [spawn(e.wait), spawn(e.wait)]\ntry { spawn(e.wait) } catch RuntimeError as err { print(err.message) }\ne.set()")
        .unwrap();
    assert_eq!(
        out.text(),
        "can't start new thread: the limit is 3 live threads\n"
    );
}

#[test]
fn daemon_threads_left_running_stop_when_the_run_ends() {
    // A spinning, a sleeping and a forever-waiting daemon: each reports to
    // the host from its `finally` block, which the end of the run reaches.
    let (mut engine, out) = quiet_engine();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let tx = std::sync::Mutex::new(tx);
    engine.register_fn("ended", move |what: String| {
        tx.lock().unwrap().send(what).unwrap();
    });
    engine
        .run_str(
            "let started = barrier(4)
fn spin() { try { started.wait(); while true { } } finally { ended('spin') } }
fn nap() { try { started.wait(); sleep(3600) } finally { ended('sleep') } }
fn block() { try { started.wait(); event().wait() } finally { ended('wait') } }
for f in [spin, nap, block] { spawn(f, daemon=true) }
started.wait()
print('main done')",
        )
        .unwrap();
    let mut ended: Vec<String> = (0..3)
        .map(|_| rx.recv_timeout(Duration::from_secs(30)).unwrap())
        .collect();
    ended.sort();
    assert_eq!(ended, ["sleep", "spin", "wait"]);
    assert_eq!(out.text(), "main done\n");
}

/// An engine whose output and error output are both captured.
fn captured_engine() -> (thr::Engine, thr::Capture, thr::Capture) {
    let (out, err) = (thr::Capture::default(), thr::Capture::default());
    let mut engine = thr::Engine::new();
    engine.set_output(out.clone());
    engine.set_error_output(err.clone());
    (engine, out, err)
}

#[test]
fn call_fn_calls_a_script_function_with_rust_arguments() {
    let (mut engine, out, _) = captured_engine();
    engine.register_fn("twice", |x: i64| x * 2);
    engine
        .eval("let calls = 0\nfn area(w, h=2) { calls += 1; print('area', w, h); w * h }")
        .unwrap();
    assert_eq!(engine.call_fn("area", (3, 4.5)).unwrap().repr(), "13.5");
    assert_eq!(engine.call_fn("area", vec![5]).unwrap().repr(), "10");
    // Builtins and registered host functions are functions too.
    assert_eq!(engine.call_fn("len", ("four",)).unwrap().repr(), "4");
    assert_eq!(engine.call_fn("twice", (21,)).unwrap().repr(), "42");
    // The session saw the calls.
    assert_eq!(engine.eval("calls").unwrap().repr(), "2");
    assert_eq!(out.text(), "area 3 4.5\narea 5 2\n");
}

#[test]
fn call_fn_reports_a_bad_name_a_bad_call_and_an_error_inside() {
    let (mut engine, _, err) = captured_engine();
    engine
        .eval("fn div(a, b) { a / b }\nlet not_a_fn = 3")
        .unwrap();
    let e = engine.call_fn("nosuch", ()).unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("NameError", "name 'nosuch' is not defined")
    );
    let e = engine.call_fn("div(1, 0); print", ()).unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("NameError", "\"div(1, 0); print\" is not a function's name")
    );
    let e = engine.call_fn("not_a_fn", ()).unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("TypeError", "an int is not callable")
    );
    let e = engine.call_fn("div", (1,)).unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("TypeError", "div() missing 1 required argument: 'b'")
    );
    let e = engine.call_fn("div", (1, 0)).unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str(), e.location.as_deref()),
        ("ZeroDivisionError", "division by zero", Some("<eval>:1:16"))
    );
    let e = engine
        .call_fn("div", (1, Err::<i64, _>("no value")))
        .unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("TypeError", "no value")
    );
    // Errors that come back are not also printed.
    assert_eq!(err.text(), "");
}

#[test]
fn an_engine_returns_the_main_threads_error_and_prints_only_other_threads() {
    let (mut engine, _, err) = captured_engine();
    let e = engine.run_str("let x = 1 / 0").unwrap_err();
    assert_eq!(e.kind, "ZeroDivisionError");
    let e = engine.run_str("let x = (").unwrap_err();
    assert_eq!(e.kind, "SyntaxError");
    let e = engine.run_file("/nonexistent/x.thr").unwrap_err();
    assert_eq!(e.kind, "IOError");
    let e = engine
        .run_str("let l = lock()\nl.acquire()\nl.acquire()")
        .unwrap_err();
    assert_eq!(e.kind, "DeadlockError");
    assert!(
        e.rendered()
            .contains("MainThread waits for lock held by MainThread at <string>:3:1"),
        "{}",
        e.rendered()
    );
    assert_eq!(err.text(), "", "returned errors are not printed");
    // Another thread's uncaught error is written as it happens, and the run
    // whose main thread went on returns a ThreadError.
    let e = engine
        .run_str("spawn(fn() { [][1] }, name='w').join()\nprint('main goes on')")
        .unwrap_err();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("ThreadError", "a thread ended in an uncaught error")
    );
    let report = err.text();
    assert!(
        report.starts_with(
            "Exception in thread w:\nIndexError: list index 1 out of range for a list of length 0\n"
        ),
        "{report}"
    );
    assert_eq!(report.matches("IndexError").count(), 1, "{report}");
}
