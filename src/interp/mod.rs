//! The evaluator. The resolved tree is first compiled into closures
//! ([`compile`]); one [`Interp`] runs them for one script thread, and all the
//! state it shares with other threads lives in the [`Runtime`].
//!
//! Local variables live in one growing value stack per thread: a call pushes
//! its frame's slots and pops them on return, so calls allocate nothing.
//! Variables captured by closures hold a shared [`VarCell`] in their slot.

mod args;
mod call;
mod compile;
mod ops;
mod vars;

use std::cell::{Cell, RefCell};
use std::sync::Arc;

pub use args::Args;
pub use compile::Function;
pub use ops::compare_values;
pub use vars::make_key;

use crate::ast::{Name, Span};
use crate::diagnostic::SourceFile;
use crate::runtime::{Runtime, ThreadCtx};
use crate::value::{ErrorValue, Value, VarCell};

pub type Outcome = Result<Value, Unwind>;

/// Evaluation stopped early: an error, or control flow leaving a block.
///
/// It carries nothing: why it stopped ([`Why`]) and the error being thrown
/// are parked per thread, and a `return`'s value waits in [`Interp::ret`].
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
fn amend_thrown(f: impl FnOnce(&mut Thrown)) {
    THROWN.with_borrow_mut(|slot| f(slot.get_or_insert_with(lost_error)))
}

/// Runs `f` (a `finally` block, a `with` block's release) while the unwind
/// of `r`, if it is one, is still under way, keeping it from being
/// replaced by whatever `f` throws, breaks or returns internally.
pub(crate) fn keeping_unwind<T, R>(r: &Result<T, Unwind>, f: impl FnOnce() -> R) -> R {
    let Err(u) = r else { return f() };
    let why = u.why();
    let thrown = (why == Why::Error).then(take_thrown);
    let out = f();
    if let Some(t) = thrown {
        THROWN.with_borrow_mut(|slot| *slot = Some(t));
    }
    WHY.set(why);
    out
}

/// What an unwind for [`Why::Error`] with no parked error stands for. Every error
/// is parked by [`raise`], so this is a bug in Thr, reported as one.
#[cold]
fn lost_error() -> Box<Thrown> {
    Box::new(Thrown {
        error: Arc::new(ErrorValue::new(
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
    pub error: Arc<ErrorValue>,
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
        error: Arc::new(ErrorValue::new(kind, message)),
        at: None,
        trace: Vec::new(),
    }))
}

/// The frame of the function being run: where its slots start in the
/// thread's value stack, its captured cells, and its source for locations.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    pub base: usize,
    pub up: &'a [Arc<VarCell>],
    pub source: &'a Arc<SourceFile>,
    pub name: &'a Name,
    /// The run's shared state, borrowed so builtins are read without
    /// touching a reference count.
    pub rt: &'a Runtime,
}

/// The run's scheduler, if it explores schedules.
fn rt_explores(rt: &Runtime) -> Option<Arc<crate::scheduler::Scheduler>> {
    rt.sched.as_ref().filter(|s| s.explores()).cloned()
}

/// One script thread's evaluator.
pub struct Interp {
    pub rt: Arc<Runtime>,
    pub thread: Arc<ThreadCtx>,
    stack: Vec<Value>,
    depth: usize,
    /// The value of the `return` being unwound.
    ret: Value,
    /// Operations left before the next check of the limits.
    ticks: u32,
    /// The scheduler, when it may switch threads at any statement (`thr explore`).
    preempt: Option<Arc<crate::scheduler::Scheduler>>,
}

impl Interp {
    pub fn new(rt: Arc<Runtime>, thread: Arc<ThreadCtx>) -> Interp {
        Interp {
            preempt: rt_explores(&rt),
            rt,
            thread,
            stack: Vec::with_capacity(256),
            depth: 0,
            ret: Value::Nil,
            ticks: crate::runtime::TICKS,
        }
    }

    /// Where an exploring scheduler may switch to another thread: before
    /// each statement and before each assignment stores its value.
    #[inline]
    pub(crate) fn preemption_point(&self) {
        if let Some(sched) = &self.preempt {
            sched.preempt(self.thread.number);
        }
    }

    /// Whether a scheduler may switch threads at any statement.
    pub(crate) fn explores(&self) -> bool {
        self.preempt.is_some()
    }

    /// Counts one operation (a call or a loop iteration); every
    /// [`TICKS`](crate::runtime::TICKS) it checks the limits and Ctrl-C.
    #[inline]
    pub(crate) fn tick(&mut self) -> Result<(), Unwind> {
        self.ticks -= 1;
        if self.ticks > 0 {
            return Ok(());
        }
        self.ticks = crate::runtime::TICKS;
        match self.rt.check_limits(self.thread.number == 0) {
            Some((kind, message)) => throw(kind, message),
            None => Ok(()),
        }
    }

    /// Runs a program's top level as the body of this thread's outermost
    /// frame, which persists between programs (the REPL's entries).
    pub fn run_program(&mut self, program: &crate::ast::Program) -> Outcome {
        let code = compile::CompiledProgram::new(program);
        let n = program.n_slots as usize;
        if self.stack.len() < n {
            self.stack.resize(n, Value::Uninit);
        }
        let name: Name = "<script>".into();
        let rt = self.rt.clone();
        let frame = Frame {
            base: 0,
            up: &[],
            source: &program.source,
            name: &name,
            rt: &rt,
        };
        code.body.run(self, &frame)
    }

    /// Marks an error that has no place yet with `span` in `frame`'s source.
    fn locate<T>(&self, r: Result<T, Unwind>, frame: &Frame, span: Span) -> Result<T, Unwind> {
        if matches!(&r, Err(u) if u.is(Why::Error)) {
            amend_thrown(|t| {
                if t.at.is_none() {
                    t.at = Some((frame.source.clone(), span));
                    t.trace.push(TraceEntry {
                        function: frame.name.clone(),
                        location: frame.source.location(span.start),
                    });
                }
            });
        }
        r
    }

    /// Places an error that left a call: at the call if it has no place yet,
    /// else notes the call in its trace.
    #[inline(always)]
    fn at_call(&self, r: Outcome, f: &Frame, call: Span) -> Outcome {
        match r {
            Ok(v) => Ok(v),
            Err(u) => self.left_call(u, f, call),
        }
    }

    #[cold]
    fn left_call(&self, u: Unwind, f: &Frame, call: Span) -> Outcome {
        if u.is(Why::Error) {
            amend_thrown(|t| {
                t.at.get_or_insert_with(|| (f.source.clone(), call));
                t.trace.push(TraceEntry {
                    function: f.name.clone(),
                    location: f.source.location(call.start),
                });
            });
        }
        Err(u)
    }
}
