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
mod text;
mod unwind;
mod vars;

use std::sync::Arc;

pub use args::Args;
pub(crate) use compile::forget_unused_names;
pub use compile::interned_names;
pub use compile::Function;
pub(crate) use ops::unorderable;
use unwind::amend_thrown;
pub use unwind::{
    error, raise, set_up_thread, take_thrown, throw, Origin, Thrown, TraceEntry, Unwind, Why,
};
pub use vars::{key_ref, make_key};

use crate::ast::{Name, Span};
use crate::diagnostic::SourceFile;
use crate::runtime::{Runtime, ThreadCtx};
use crate::value::{Value, VarCell};

pub type Outcome = Result<Value, Unwind>;

/// The frame of the function being run: where its slots start in the
/// thread's value stack, its captured cells, and its source for locations.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    pub base: usize,
    pub up: &'a [crate::value::Rc<VarCell>],
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
    /// Where the `spawn(...)` or `timer(...)` being called is, for the thread
    /// it makes: set just before the call, taken by the builtin.
    pub(crate) spawn_site: Option<Origin>,
    /// How low the native stack may go on the OS thread running now.
    stack_floor: crate::stack_guard::Floor,
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
            spawn_site: None,
            stack_floor: crate::stack_guard::Floor::of_this_thread(),
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
        self.check_limits()
    }

    /// Counts `n` operations' worth of work a builtin does on a large value
    /// (a kibibyte copied, an item sorted): the budget pays for all of it,
    /// and the limits are checked when a check falls due.
    pub(crate) fn charge(&mut self, n: usize) -> Result<(), Unwind> {
        if n < self.ticks as usize {
            self.ticks -= n as u32;
            return Ok(());
        }
        self.rt.spend_ops(n);
        self.check_limits()
    }

    /// The check `tick` makes every [`TICKS`](crate::runtime::TICKS)
    /// operations, kept out of line so the hot paths stay small. In a
    /// deterministic run it also counts the operations toward the thread's
    /// quantum, so a busy-wait yields.
    #[cold]
    #[inline(never)]
    fn check_limits(&mut self) -> Result<(), Unwind> {
        self.ticks = crate::runtime::TICKS;
        crate::value::cycles::safepoint();
        if self.rt.is_over() {
            return Err(Unwind::new(Why::Exit(0)));
        }
        if let Some(sched) = &self.rt.sched {
            sched.spend(self.thread.number);
        }
        match self.rt.check_limits(self.thread.number == 0) {
            Some((kind, message)) => throw(kind, message),
            None => Ok(()),
        }
    }

    /// Runs a program's top level as the body of this thread's outermost
    /// frame, which persists between programs (the REPL's entries).
    pub fn run_program(&mut self, program: &crate::ast::Program) -> Outcome {
        // An engine session runs each entry on a thread of its own.
        self.stack_floor = crate::stack_guard::Floor::of_this_thread();
        let code = {
            let _race = crate::race::compiling(self.rt.race.as_ref(), &program.source);
            compile::CompiledProgram::new(program)
        };
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

    /// The value of the outermost frame's slot `slot` (a REPL global),
    /// through its cell: `Uninit` if its `let` has not run.
    pub fn global(&self, slot: u32) -> Value {
        match self.stack.get(slot as usize) {
            Some(Value::Cell(c)) => c.get(),
            Some(v) => v.clone(),
            None => Value::Uninit,
        }
    }

    /// Stores `v` in the outermost frame's slot `slot` (a REPL global), in
    /// a cell as every REPL global is, so later closures can capture it.
    pub fn set_global(&mut self, slot: u32, v: Value) {
        let slot = slot as usize;
        if self.stack.len() <= slot {
            self.stack.resize(slot + 1, Value::Uninit);
        }
        match &self.stack[slot] {
            Value::Cell(c) => c.set(v),
            _ => self.stack[slot] = Value::Cell(VarCell::new(v, false)),
        }
    }

    /// Marks an error that has no place yet with `span` in `frame`'s source.
    /// Inline, so that a success (nearly every time) costs one test.
    #[inline(always)]
    fn locate<T>(&self, r: Result<T, Unwind>, frame: &Frame, span: Span) -> Result<T, Unwind> {
        if let Err(u) = &r {
            if u.is(Why::Error) {
                Interp::place_thrown(frame, span);
            }
        }
        r
    }

    #[cold]
    #[inline(never)]
    fn place_thrown(frame: &Frame, span: Span) {
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
