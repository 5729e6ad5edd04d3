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
        flag.store(true, Ordering::SeqCst);
    });
    let err = engine.eval("let i = 0\nwhile true { i += 1 }").unwrap_err();
    setter.join().unwrap();
    assert_eq!(err.kind, "InterruptError");
    assert_eq!(err.message, "interrupted by Ctrl-C");
    assert!(engine.eval("i").unwrap().as_int().unwrap() > 0);
}
