//! Rust panics never escape: a panic in a builtin, the evaluator or the
//! runtime becomes an `InternalError` in the script thread it happened on.
//!
//! A panic inside a builtin is caught where the builtin was called
//! ([`guard`]), so the error leaves through the script's own calls and its
//! report carries the Thr call stack. Anything else is caught at the top of
//! the thread (or of the [`crate::Engine`] method), so the thread ends, its
//! joiners wake, and an embedding host sees an error instead of an unwind.
//! Scripts cannot catch an `InternalError`: the thread that met one is in a
//! state nobody planned for, so it ends (its `finally` blocks still run).
//!
//! The panic hook keeps Rust's own panic message off stderr for panics on
//! script threads (they are reported as errors) and records where the panic
//! happened for that report; panics elsewhere in a host go to the hook that
//! was there before.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use crate::interp::{error, Outcome, Unwind};

/// The kind of error a panic becomes.
pub const INTERNAL_ERROR: &str = "InternalError";

/// The last line of an `InternalError`'s report.
pub const NOTE: &str =
    "note: this is a bug in Thr, not in the script: please report it, with the script\n";

thread_local! {
    /// Whether this OS thread runs Thr code, whose panics are all caught.
    static SCRIPT_THREAD: Cell<bool> = const { Cell::new(false) };
    /// Where the latest panic on this thread happened, and what it said.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs the panic hook, once per process.
pub fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !SCRIPT_THREAD.get() {
                return previous(info);
            }
            let place = info
                .location()
                .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
            let what = describe(info.payload());
            LAST_PANIC.with_borrow_mut(|last| *last = Some(format!("{what}{place}")));
        }));
    });
}

/// Marks the calling OS thread as one that runs Thr code.
pub fn mark_script_thread() {
    SCRIPT_THREAD.set(true);
}

/// Runs `f`; a panic inside becomes an `InternalError` thrown from here.
#[inline]
pub fn guard(f: impl FnOnce() -> Outcome) -> Outcome {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => Err(internal_error(payload)),
    }
}

/// The error a caught panic becomes.
#[cold]
pub fn internal_error(payload: Box<dyn Any + Send>) -> Unwind {
    error(INTERNAL_ERROR, message(payload))
}

/// The message of an `InternalError`: what the panic said and where.
pub fn message(payload: Box<dyn Any + Send>) -> String {
    let what = LAST_PANIC
        .with_borrow_mut(Option::take)
        .unwrap_or_else(|| describe(&*payload));
    format!("Thr itself failed: {what}")
}

/// A panic payload's text.
fn describe(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with no message".into()
    }
}
