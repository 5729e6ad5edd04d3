//! The state one script run shares between its threads: builtins, output,
//! limits, the clock and the random seed.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use rand::rngs::Xoshiro256PlusPlus;
use rand::SeedableRng;

use crate::ast::Name;
use crate::blocking::{Parker, WaitQueue};
use crate::limits::Limits;
use crate::value::{Sizes, Value};

/// `Runtime::stop_at` when there is no deadline.
const NEVER: u64 = u64::MAX;

/// Where a deterministic run's `time()` starts: 2000-01-01 00:00:00 UTC.
pub const VIRTUAL_EPOCH: f64 = 946_684_800.0;

/// How many operations a thread runs between checks of the limits.
pub const TICKS: u32 = 1024;

/// A shared output stream: each `write` is one atomic write of whole text.
pub struct Output {
    sink: Mutex<Box<dyn Write + Send>>,
    /// Flush after every write (terminals and embedders' writers).
    eager: bool,
}

impl Output {
    pub fn new(sink: Box<dyn Write + Send>, eager: bool) -> Output {
        Output {
            sink: Mutex::new(sink),
            eager,
        }
    }

    pub fn write(&self, text: &str) -> std::io::Result<()> {
        let mut sink = self.sink.lock();
        sink.write_all(text.as_bytes())?;
        if self.eager {
            sink.flush()?;
        }
        Ok(())
    }

    pub fn flush(&self) -> std::io::Result<()> {
        self.sink.lock().flush()
    }
}

/// Ctrl-C for a run's main thread. The handler's thread raises it; the main
/// thread sees it at its next check of the limits when running, and at once
/// when waiting (it is woken).
///
/// The handler's thread takes references to the run and to the thread it
/// wakes, which hold values. It never drops them: it could be the last to
/// let go, and while only one thread runs script code, values' reference
/// counts are not atomic (see `value::rc`), so only that thread, or one
/// that waited for it, may drop a value. They are kept here until the
/// engine's thread lets go of them (`Interrupt::release`).
#[derive(Default)]
pub struct Interrupt {
    requested: AtomicBool,
    /// The run in progress, whose main thread to wake.
    run: Mutex<std::sync::Weak<Runtime>>,
    /// What raising it took hold of, until released.
    kept: Mutex<Vec<Kept>>,
}

/// References Ctrl-C's handler took: the run, and the threads it woke.
struct Kept {
    _run: Arc<Runtime>,
    _woken: Vec<Arc<ThreadCtx>>,
}

impl Interrupt {
    /// Asks the main thread to stop with an `InterruptError`.
    pub fn raise(&self) {
        self.requested.store(true, Ordering::SeqCst);
        let Some(rt) = self.run.lock().upgrade() else {
            return;
        };
        let woken = rt.watch.wake_thread(0);
        if let Some(sched) = &rt.sched {
            sched.wake(0);
        }
        self.kept.lock().push(Kept {
            _run: rt,
            _woken: woken,
        });
    }

    /// Lets go of what raising it took hold of: called by the engine's
    /// thread once a run or an entry is over.
    pub(crate) fn release(&self) {
        let kept = std::mem::take(&mut *self.kept.lock());
        drop(kept);
    }

    /// Takes a pending request.
    fn take(&self) -> bool {
        self.requested.swap(false, Ordering::SeqCst)
    }

    /// Makes `rt` the run whose main thread a request wakes.
    pub(crate) fn attach(&self, rt: &Arc<Runtime>) {
        *self.run.lock() = Arc::downgrade(rt);
    }
}

/// Everything one run shares between its threads.
pub struct Runtime {
    pub builtins: Vec<Value>,
    pub builtin_names: Vec<Name>,
    out: Arc<Output>,
    err: Arc<Output>,
    /// Set when the run is over: daemon threads left running print nothing
    /// more, and stop at their next check ([`Runtime::is_over`]).
    finished: AtomicBool,
    pub limits: Limits,
    /// The size limits, for the builtins that grow strings, lists and maps.
    pub sizes: Sizes,
    /// Colour in diagnostics (only when stderr is a terminal).
    pub color: bool,
    pub seed: u64,
    start: Instant,
    start_wall: SystemTime,
    /// Creation numbers for threads, from 1; the main thread is 0.
    next_thread: AtomicU64,
    /// Why script output could not be written, once it could not.
    lost_output: Mutex<Option<std::io::Error>>,
    /// Set when any thread ends in an uncaught error: the exit status is 1.
    pub failed: AtomicBool,
    /// The message of a `TimeoutError` that ended a thread, if one did: the
    /// host's limit stopped the run, and the run's error says so.
    pub(crate) timed_out: Mutex<Option<String>>,
    /// When the embedder's deadline passes.
    /// Nanoseconds from `start` (`NEVER` for none); each call from the host
    /// starts the clock again ([`Runtime::restart_limits`]).
    stop_at: AtomicU64,
    /// The deterministic scheduler, in a deterministic run.
    pub sched: Option<Arc<crate::scheduler::Scheduler>>,
    /// The live threads and their waits: deadlock detection.
    pub(crate) watch: crate::deadlock::Watch,
    /// The timeline `--trace` writes, when asked for.
    pub trace: Option<crate::trace::Tracer>,
    /// Operations left of the embedder's budget.
    ops_left: AtomicI64,
    /// Ctrl-C: the main thread stops with an `InterruptError`.
    pub interrupt: Arc<Interrupt>,
    /// The main script is over; the run waits for its other threads.
    main_done: AtomicBool,
    /// Numbers for the names of unnamed threads: `Thread-1`, `Thread-2`...
    next_unnamed: AtomicU64,
    /// How `log` lines look and which are kept.
    pub log: Mutex<crate::builtins::log::LogConfig>,
    /// The data-race and lock-order detector, in a run with `--race`.
    pub race: Option<Arc<crate::race::Detector>>,
}

impl Runtime {
    pub fn new(
        builtins: Vec<(Name, Value)>,
        out: Arc<Output>,
        err: Arc<Output>,
        limits: Limits,
        seed: Option<u64>,
    ) -> Runtime {
        let (builtin_names, builtins) = builtins.into_iter().unzip();
        let seed = seed.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
        Runtime {
            builtins,
            builtin_names,
            out,
            err,
            finished: AtomicBool::new(false),
            sizes: limits.sizes(),
            limits: limits.clone(),
            color: false,
            seed,
            start: Instant::now(),
            start_wall: SystemTime::now(),
            next_thread: AtomicU64::new(1),
            lost_output: Mutex::new(None),
            failed: AtomicBool::new(false),
            timed_out: Mutex::new(None),
            stop_at: AtomicU64::new(NEVER),
            sched: None,
            watch: Default::default(),
            trace: None,
            ops_left: AtomicI64::new(
                limits
                    .max_operations
                    .map_or(i64::MAX, |n| n.min(i64::MAX as u64) as i64),
            ),
            interrupt: Arc::default(),
            main_done: AtomicBool::new(false),
            next_unnamed: AtomicU64::new(1),
            log: Mutex::new(Default::default()),
            race: None,
        }
    }

    /// Writes script output (`print`, `log`) as one atomic write. If the
    /// output cannot be written (a closed pipe, a full disk), the run stops
    /// as if it were over, and the host learns why ([`Runtime::lost_output`]).
    pub fn print(&self, text: &str) {
        if !self.finished.load(Ordering::Acquire) {
            let written = self.out.write(text);
            self.check_output(written);
        }
    }

    /// Writes an error report as one atomic write, after flushing stdout so
    /// the two streams interleave in the order things happened. Where error
    /// reports cannot go, there is nowhere to say so.
    pub fn eprint(&self, text: &str) {
        if !self.finished.load(Ordering::Acquire) {
            self.flush();
            let _ = self.err.write(text);
        }
    }

    /// Stops the run if script output could not be written.
    fn check_output(&self, written: std::io::Result<()>) {
        let Err(e) = written else { return };
        self.lost_output.lock().get_or_insert(e);
        self.finish();
    }

    /// Why script output could not be written, if it could not.
    pub(crate) fn lost_output(&self) -> Option<std::io::Error> {
        self.lost_output.lock().take()
    }

    /// Whether the run is over. A daemon thread it left then stops at its
    /// next check of the limits, running or waiting, quietly, as `exit()`
    /// ends a thread: in an embedding host it would otherwise run on.
    pub fn is_over(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// Ends the run: flushes its output and drops later writes, and wakes
    /// the threads still waiting (daemons left behind) to stop.
    pub fn finish(&self) {
        let first = !self.finished.swap(true, Ordering::AcqRel);
        if first {
            let flushed = self.out.flush();
            self.check_output(flushed);
        }
        self.watch.wake_everyone();
    }

    /// Flushes script output.
    pub fn flush(&self) {
        let flushed = self.out.flush();
        self.check_output(flushed);
    }

    /// Seconds since the epoch.
    pub fn time(&self) -> f64 {
        if self.sched.is_some() {
            return VIRTUAL_EPOCH + self.monotonic();
        }
        let now = self.start_wall + self.start.elapsed();
        now.duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    }

    /// Seconds since the run started (on the virtual clock when deterministic).
    pub fn monotonic(&self) -> f64 {
        match &self.sched {
            Some(sched) => sched.now(),
            None => self.start.elapsed().as_secs_f64(),
        }
    }

    /// The real instant of a point on the run's clock.
    pub fn instant(&self, at: f64) -> Instant {
        self.start + Duration::from_secs_f64(at.clamp(0.0, 1e9))
    }

    /// Checks the embedder's limits and Ctrl-C, every [`TICKS`] operations of
    /// a thread: the error that stops the script, if one applies.
    pub fn check_limits(&self, main_thread: bool) -> Option<(&'static str, String)> {
        self.stop_reason(main_thread).or_else(|| self.spend_ticks())
    }

    /// Ctrl-C (for the main thread) or the embedder's deadline: what stops
    /// a thread running or waiting.
    pub fn stop_reason(&self, main_thread: bool) -> Option<(&'static str, String)> {
        if main_thread && self.interrupt.take() {
            return Some(("InterruptError", "interrupted by Ctrl-C".into()));
        }
        if self.deadline_passed(main_thread) {
            let secs = self.limits.deadline.map_or(0.0, |d| d.as_secs_f64());
            return Some((
                "TimeoutError",
                format!("the script ran past its deadline of {secs}s"),
            ));
        }
        None
    }

    /// The embedder's deadline, for a thread that it stops: every thread
    /// but the main thread once its script is over, which only waits for
    /// the others to end (and the deadline stops them).
    pub(crate) fn deadline_for(&self, main_thread: bool) -> Option<Instant> {
        let waits_for_the_rest = main_thread && self.main_done.load(Ordering::Acquire);
        let at = self.stop_at.load(Ordering::Relaxed);
        (at != NEVER && !waits_for_the_rest).then(|| self.start + Duration::from_nanos(at))
    }

    fn deadline_passed(&self, main_thread: bool) -> bool {
        self.deadline_for(main_thread)
            .is_some_and(|at| Instant::now() >= at)
    }

    /// Gives the host's limits afresh: the deadline counts from now and the
    /// operation budget is whole again. Every call from the host (a run, an
    /// `eval`, a `call_fn`) starts with this, so one call's overrun does not
    /// fail the next.
    pub(crate) fn restart_limits(&self) {
        let at = self.limits.deadline.map_or(NEVER, |d| {
            let at = self.start.elapsed().saturating_add(d);
            u64::try_from(at.as_nanos()).unwrap_or(NEVER - 1)
        });
        self.stop_at.store(at, Ordering::Relaxed);
        let budget = self
            .limits
            .max_operations
            .map_or(i64::MAX, |n| n.min(i64::MAX as u64) as i64);
        self.ops_left.store(budget, Ordering::Relaxed);
    }

    /// Takes [`TICKS`] operations from the embedder's budget.
    /// Takes `n` operations from the embedder's budget at once.
    pub(crate) fn spend_ops(&self, n: usize) {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        self.ops_left.fetch_sub(n, Ordering::Relaxed);
    }

    fn spend_ticks(&self) -> Option<(&'static str, String)> {
        if self.ops_left.fetch_sub(TICKS as i64, Ordering::Relaxed) <= 0 {
            let n = self.limits.max_operations.unwrap_or(0);
            return Some((
                "TimeoutError",
                format!("the script used up its budget of {n} operations"),
            ));
        }
        None
    }

    /// The next thread creation number.
    pub fn next_thread_number(&self) -> u64 {
        self.next_thread.fetch_add(1, Ordering::Relaxed)
    }

    /// The next `Thread-N` name.
    pub fn next_thread_name(&self) -> String {
        format!(
            "Thread-{}",
            self.next_unnamed.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Traces a thread's start (on that thread, once it may run).
    pub fn trace_start(&self, t: &ThreadCtx) {
        if let Some(trace) = &self.trace {
            trace.thread_start(t.ident(), &t.name(), self.monotonic());
        }
    }

    /// Traces a thread's end.
    pub fn trace_end(&self, t: &ThreadCtx) {
        if let Some(trace) = &self.trace {
            trace.thread_end(t.ident(), &t.name(), self.monotonic());
        }
    }

    /// Records a thread as started.
    pub fn register(&self, t: Arc<ThreadCtx>) {
        self.watch.register(t);
    }

    /// Records a thread as ended.
    pub fn unregister(&self, t: &ThreadCtx) {
        self.watch.unregister(t);
    }

    /// The started threads that have not ended, in start order.
    pub fn alive(&self) -> Vec<Arc<ThreadCtx>> {
        self.watch.alive()
    }

    /// How many started threads have not ended.
    pub fn alive_count(&self) -> usize {
        self.watch.alive_count()
    }

    /// The started non-daemon threads that have not ended, in start order:
    /// those the end of a run waits for.
    pub fn non_daemon_threads(&self) -> Vec<Arc<ThreadCtx>> {
        let alive = self.alive();
        let kept = alive
            .into_iter()
            .filter(|t| !t.daemon.load(Ordering::Relaxed));
        kept.collect()
    }

    /// The main thread, while it is alive.
    pub fn main_thread(&self) -> Option<Arc<ThreadCtx>> {
        self.watch.main_thread()
    }

    /// The main script is over: as in Python, the main thread now counts as
    /// stopped (`is_alive()` is false, and a thread joining it goes on),
    /// though the run still waits for its other threads.
    pub fn main_ended(&self, main: &ThreadCtx) {
        self.main_done.store(true, Ordering::Release);
        let mut life = main.life.lock();
        life.state = LifeState::Done;
        life.result = Some(Ok(Value::Nil));
        self.notify(&main.life_cv, usize::MAX);
    }

    /// Waits until no non-daemon thread but `me` is alive (the end of a run).
    pub fn join_non_daemon(&self, me: &Arc<ThreadCtx>) -> Result<(), crate::interp::Unwind> {
        loop {
            let next = self
                .alive()
                .into_iter()
                .find(|t| !Arc::ptr_eq(t, me) && !t.daemon.load(Ordering::Relaxed));
            let Some(t) = next else { return Ok(()) };
            let mut life = t.life.lock();
            let what = || format!("for {} to end (the end of the program)", t.name());
            self.wait_until(me, &t.life_cv, &mut life, None, &what, |l| {
                l.state == LifeState::Done
            })?;
        }
    }
}

/// A script thread: what it knows about itself, and its handle's state.
pub struct ThreadCtx {
    pub name: Mutex<Name>,
    /// Creation number: 0 for the main thread.
    pub number: u64,
    pub daemon: AtomicBool,
    /// This thread's random stream, derived from the seed and `number`.
    pub rng: Mutex<Xoshiro256PlusPlus>,
    pub life: Mutex<Life>,
    /// Signalled when the thread ends or a timer is cancelled.
    pub life_cv: WaitQueue,
    /// Where the thread sleeps when it waits.
    pub parker: Parker,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifeState {
    Initial,
    Started,
    Done,
}

/// A thread's progress, and what it ended with.
pub struct Life {
    pub state: LifeState,
    /// The function's value, or the error that ended it.
    pub result: Option<Result<Value, crate::value::Rc<crate::value::ErrorValue>>>,
    /// A timer's `cancel()` was called.
    pub cancelled: bool,
}

impl ThreadCtx {
    pub fn new(name: &str, number: u64, seed: u64) -> Arc<ThreadCtx> {
        Arc::new(ThreadCtx {
            name: Mutex::new(name.into()),
            number,
            daemon: AtomicBool::new(false),
            rng: Mutex::new(Xoshiro256PlusPlus::seed_from_u64(
                seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            )),
            life: Mutex::new(Life {
                state: LifeState::Initial,
                result: None,
                cancelled: false,
            }),
            life_cv: WaitQueue::default(),
            parker: Parker::default(),
        })
    }

    /// The `ident` scripts see: unique per thread of a run, never 0.
    pub fn ident(&self) -> i64 {
        self.number as i64 + 1
    }

    pub fn name(&self) -> Name {
        self.name.lock().clone()
    }
}
