//! Unwinding: errors and control flow (`return`, `break`, `continue`,
//! `exit`) leaving the code that was running.
//!
//! An [`Unwind`] carries nothing. Why it is under way and the error being
//! thrown are parked per thread, so that an evaluation's result is a value
//! or an empty mark, which Rust returns in two registers.

use crate::value::Rc;
use std::cell::{Cell, RefCell};
use std::sync::Arc;

use crate::ast::{Name, Span};
use crate::diagnostic::SourceFile;
use crate::value::ErrorValue;

use super::Interp;

/// Evaluation stopped early: an error, or control flow leaving a block.
///
/// It carries nothing: why it stopped ([`Why`]) and the error being thrown
/// are parked per thread, and a `return`'s value waits in `Interp::ret`.
/// A result is then just a value or this mark, which the compiler returns
/// in two registers instead of through memory, on every evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unwind(());

/// Why an [`Unwind`] is under way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// An error: the [`Thrown`] is parked, see [`take_thrown`].
    Error,
    Return,
    Break,
    Continue,
    /// `exit(status)`: unwinds the main thread, as Python's `SystemExit`.
    Exit(i32),
}

thread_local! {
    /// Why this thread's current unwind is under way.
    static WHY: Cell<Why> = const { Cell::new(Why::Error) };
    /// The error being thrown on this thread, if any.
    static THROWN: RefCell<Option<Box<Thrown>>> = const { RefCell::new(None) };
}

impl Unwind {
    /// Starts unwinding for control flow; errors start with [`raise`].
    pub fn new(why: Why) -> Unwind {
        WHY.set(why);
        Unwind(())
    }

    /// Why this unwind is under way.
    #[inline]
    pub fn why(self) -> Why {
        WHY.get()
    }

    pub fn is(self, why: Why) -> bool {
        self.why() == why
    }
}

/// Makes this thread's unwinding state now, while memory is known to be
/// free: the first use registers a destructor with the C library, which
/// aborts the process if it cannot allocate.
pub fn set_up_thread() {
    THROWN.with(|_| ());
}

/// Starts throwing `t` on this thread.
pub fn raise(t: Box<Thrown>) -> Unwind {
    THROWN.with_borrow_mut(|slot| *slot = Some(t));
    Unwind::new(Why::Error)
}

/// Takes the error being thrown, after an unwind for [`Why::Error`] arrived.
pub fn take_thrown() -> Box<Thrown> {
    THROWN
        .with_borrow_mut(Option::take)
        .unwrap_or_else(lost_error)
}

/// Changes the error being thrown, in place.
pub(super) fn amend_thrown(f: impl FnOnce(&mut Thrown)) {
    THROWN.with_borrow_mut(|slot| f(slot.get_or_insert_with(lost_error)))
}

impl Interp {
    /// Runs `f` (a `finally` block, a `with` block's release) after `r`, as
    /// Python runs a `finally` clause: if `f` itself throws, returns or
    /// breaks, that replaces `r`; otherwise `r` stands, and so does the
    /// unwind it carries (its reason, error and return value), set aside
    /// while `f` ran so that what `f` does inside cannot overwrite it.
    pub(crate) fn finally<T>(
        &mut self,
        r: Result<T, Unwind>,
        f: impl FnOnce(&mut Interp) -> Result<(), Unwind>,
    ) -> Result<T, Unwind> {
        let Err(u) = r else {
            f(self)?;
            return r;
        };
        let why = u.why();
        let thrown = (why == Why::Error).then(take_thrown);
        let returning = (why == Why::Return).then(|| std::mem::take(&mut self.ret));
        f(self)?;
        if let Some(t) = thrown {
            THROWN.with_borrow_mut(|slot| *slot = Some(t));
        }
        if let Some(v) = returning {
            self.ret = v;
        }
        WHY.set(why);
        Err(u)
    }
}

/// What an unwind for [`Why::Error`] with no parked error stands for. Every error
/// is parked by [`raise`], so this is a bug in Thr, reported as one.
#[cold]
fn lost_error() -> Box<Thrown> {
    Box::new(Thrown {
        error: Rc::new(ErrorValue::new(
            "InternalError",
            "an error was lost on its way up (a bug in Thr)",
        )),
        at: None,
        trace: Vec::new(),
    })
}

/// A thrown error on its way up, gathering where it passed.
#[derive(Clone, Debug)]
pub struct Thrown {
    pub error: Rc<ErrorValue>,
    /// Where it was raised, once known.
    pub at: Option<(Arc<SourceFile>, Span)>,
    /// Innermost first: each function it left, with where that was called.
    pub trace: Vec<TraceEntry>,
}

/// Where an error was first thrown: its place and the calls it left.
pub type Origin = (Option<(Arc<SourceFile>, Span)>, Vec<TraceEntry>);

#[derive(Clone, Debug)]
pub struct TraceEntry {
    pub function: Name,
    pub location: String,
}

/// Makes an error outcome of a kind and message; the evaluator adds the place.
pub fn throw<T>(kind: &str, message: impl Into<String>) -> Result<T, Unwind> {
    Err(error(kind, message))
}

pub fn error(kind: &str, message: impl Into<String>) -> Unwind {
    raise(Box::new(Thrown {
        error: Rc::new(ErrorValue::new(kind, message)),
        at: None,
        trace: Vec::new(),
    }))
}
