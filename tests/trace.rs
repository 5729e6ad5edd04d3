//! `--trace FILE.json`: a deterministic run's timeline is exact.

use std::process::Command;

#[test]
fn a_deterministic_trace_shows_each_thread_and_wait_on_the_virtual_clock() {
    let path = std::env::temp_dir().join(format!("thr-trace-test-{}.json", std::process::id()));
    let status = Command::new(env!("CARGO_BIN_EXE_thr"))
        .args(["--deterministic", "--trace"])
        .arg(&path)
        .args([
            "-e",
            "let t = spawn(fn() { sleep(0.5) }, name=\"napper\"); t.join()",
        ])
        .status()
        .expect("thr runs");
    assert!(status.success());
    let trace = std::fs::read_to_string(&path).expect("the trace was written");
    let _ = std::fs::remove_file(&path);
    let expected = [
        r#"{"traceEvents":["#,
        r#"{"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"MainThread"}},"#,
        r#"{"name":"MainThread","ph":"B","pid":1,"tid":1,"ts":0},"#,
        r#"{"name":"thread_name","ph":"M","pid":1,"tid":2,"args":{"name":"napper"}},"#,
        r#"{"name":"napper","ph":"B","pid":1,"tid":2,"ts":0},"#,
        r#"{"name":"wait","ph":"B","pid":1,"tid":2,"ts":0,"args":{"on":"in sleep()"}},"#,
        r#"{"name":"wait","ph":"B","pid":1,"tid":1,"ts":0,"args":{"on":"to join napper"}},"#,
        r#"{"name":"wait","ph":"E","pid":1,"tid":2,"ts":500000},"#,
        r#"{"name":"napper","ph":"E","pid":1,"tid":2,"ts":500000},"#,
        r#"{"name":"wait","ph":"E","pid":1,"tid":1,"ts":500000},"#,
        r#"{"name":"MainThread","ph":"E","pid":1,"tid":1,"ts":500000}"#,
        "]}",
    ];
    assert_eq!(trace, expected.join("\n") + "\n");
}
