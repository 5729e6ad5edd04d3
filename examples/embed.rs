//! A host program embedding Thr: it registers native functions, runs a script
//! whose threads call them at the same time, and captures what it prints.
//!
//! Run with `cargo run --release --example embed`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn main() -> Result<(), thr::Error> {
    let out = thr::Capture::default();
    let mut engine = thr::Engine::new();
    engine.set_output(out.clone());
    engine.limits_mut().deadline = Some(Duration::from_secs(10));

    // A native function shared by every script thread: a host-side counter.
    let hits = Arc::new(AtomicI64::new(0));
    let counter = hits.clone();
    engine.register_fn("record_hit", move |n: i64| {
        counter.fetch_add(n, Ordering::SeqCst) + n
    });
    engine.register_fn("shout", |s: String| s.to_uppercase());

    engine.run_str(
        r#"
fn worker(id) {
    for i in range(100) { record_hit(1) }
    shout("worker %d done" % id)
}
let ts = []
for id in range(4) { ts.push(spawn(worker, id)) }
for t in ts { print(t.result()) }
"#,
    )?;

    print!("{}", out.text());
    println!("host counted {} hits", hits.load(Ordering::SeqCst));
    assert_eq!(hits.load(Ordering::SeqCst), 400);

    // Errors come back as values with kind, message and location; the
    // engine does not print them, the host does what it likes with them.
    let err = engine.run_str("let x = shout(42)").unwrap_err();
    println!(
        "{}: {} at {}",
        err.kind,
        err.message,
        err.location.unwrap_or_default()
    );

    // A script's functions can be called from Rust.
    engine.eval("fn label(id, hits) { 'worker %d: %d hits' % [id, hits] }")?;
    let label = engine.call_fn("label", (1, hits.load(Ordering::SeqCst)))?;
    println!("{}", label.to_str());
    Ok(())
}
